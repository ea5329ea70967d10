"""The twelve RNN metrics of the paper (plus the parameter count), as functions of a capture.

The two modes read the same capture and differ only where the paper's code computed something
else than the clean definition (docs/rnn.md):
- activation_distance: faithful accumulates K over two identical passes (2K: + batch*ln 2).
- hidden_synaptic_saliency: faithful sums |h * dL/dh| over the five passes the paper's code
  kept; corrected uses the synaptic-saliency pass alone.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from nasmetrics.registry import Registry, register_pass_proxies
from nasmetrics.scores import (
    correlation_spectrum,
    cosine_score,
    covariance_from_eigenvalues,
    covariance_score,
    logdet,
)

if TYPE_CHECKING:  # the registry is read by table jobs that never build a model
    from nasmetrics.rnn.passes import RNNCapture

RNN_METRICS = Registry("rnn")
register = RNN_METRICS.register


@register("activation_distance", "Activation Distance")
def activation_distance(cap: RNNCapture) -> float:
    if cap.mode == "faithful":
        # the paper's code summed K over two identical forward passes
        return logdet(2.0 * cap.agreement_kernel)
    return _cached(cap, ("logdet",), lambda: logdet(cap.agreement_kernel))


@register("synaptic_saliency", "Synaptic Saliency", needs_gradient=True)
def synaptic_saliency(cap: RNNCapture) -> float:
    return cap.decoder_saliency + cap.linear_saliency


@register("jacobian_cov", "Jacobian Covariance", needs_gradient=True)
def jacobian_cov(cap: RNNCapture) -> float:
    return _cov(cap, 0.0)


@register("jacobian_cos", "Jacobian Cosine", needs_gradient=True)
def jacobian_cos(cap: RNNCapture) -> float:
    return _cos(cap, 0.0)


@register("large_noise_jacobian", "Large Noise Jacobian", needs_gradient=True)
def large_noise_jacobian(cap: RNNCapture) -> float:
    # The published column has the opposite sign (see docs/rnn.md); this is the definition.
    return 1.0 - abs(_cov(cap, 0.0) - _cov(cap, 10.0))


@register("large_noise_jacobian_cos", "Large Noise Jacobian Cosine", needs_gradient=True)
def large_noise_jacobian_cos(cap: RNNCapture) -> float:
    return 1.0 - abs(_cos(cap, 0.0) - _cos(cap, 10.0))


# A product of four covariance scores, each negative and higher-is-better: the product is
# positive and grows as the factors fall, so here a higher value is worse.
@register("more_noised_jacobian", "More Noised Jacobian", needs_gradient=True,
          higher_is_better=False)
def more_noised_jacobian(cap: RNNCapture) -> float:
    return math.prod(_cov(cap, a) for a in (0.0, 0.1, 10.0, 100.0))


@register("more_noised_jacobian_cos", "More Noised Jacobian Cosine", needs_gradient=True)
def more_noised_jacobian_cos(cap: RNNCapture) -> float:
    return math.prod(_cos(cap, a) for a in (0.0, 0.1, 10.0, 100.0))


# "Hidden Synflow Saliency" is the published initialisation-ablation file's name for it
@register("hidden_synaptic_saliency", "Hidden Synaptic Saliency", needs_gradient=True,
          published=("Hidden Synaptic Saliency", "Hidden Synflow Saliency"))
def hidden_synaptic_saliency(cap: RNNCapture) -> float:
    if cap.mode == "faithful":
        return float(sum(cap.hidden_saliency.values()))
    return cap.hidden_saliency["saliency"]


@register("hidden_cov_l1", "Layer 1 Hidden Covariance")
def hidden_cov_l1(cap: RNNCapture) -> float:
    return _hidden_cov(cap, 0)


@register("hidden_cov_l2", "Layer 2 Hidden Covariance")
def hidden_cov_l2(cap: RNNCapture) -> float:
    return _hidden_cov(cap, 1)


@register("hidden_cov_l3", "Layer 3 Hidden Covariance")
def hidden_cov_l3(cap: RNNCapture) -> float:
    return _hidden_cov(cap, 2)


# the published RNN files have no parameter-count column
@register("num_params", "Number of Parameters", published=(), needs_data=False,
          needs_init=False)
def num_params(cap: RNNCapture) -> float:
    return float(cap.num_params)


# ---- the zero-cost proxies (docs/rnn.md, "Proxies"): values of the proxy passes, or the
# paper metric whose definition they share -----------------------------------------------


register_pass_proxies(RNN_METRICS)


# NASWOT is the log-determinant of the binary-code kernel of one forward: the corrected
# activation distance (read from the same cache, in both modes).
@register("nwot", "NASWOT", published=(), family="proxy", alias_of="activation_distance")
def nwot(cap: RNNCapture) -> float:
    from nasmetrics.rnn.passes import in_mode  # loaded by whoever made ``cap``; see above

    return activation_distance(in_mode(cap, "corrected"))


# jacob_cov: the covariance score of the per-sample input Jacobians of the summed output,
# the paper's Jacobian covariance exactly (the model's output is the last layer's, before
# the decoder, as in the benchmark's training code).
@register("jacov", "Jacob. cov.", published=(), family="proxy", needs_gradient=True,
          alias_of="jacobian_cov")
def jacov(cap: RNNCapture) -> float:
    return jacobian_cov(cap)


@register("meco", "MeCo", published=(), family="proxy")
def meco(cap: RNNCapture) -> float:
    # per layer: the least eigenvalue of the correlation of the hidden features over every
    # (column, step) state the layer passes on, the matrix the hidden covariance reads
    eigenvalues = [_hidden_spectrum(cap, layer)[0] for layer in range(len(cap.hidden_rows))]
    if any(v is None for v in eigenvalues):
        return float("nan")  # non-finite hidden states
    return float(sum(v[0] for v in eigenvalues))


def _cached(cap: RNNCapture, key: tuple, compute) -> float:
    # Several metrics share cov(J) and cos(J); each is computed once per capture.
    if key not in cap.extra:
        cap.extra[key] = compute()
    return cap.extra[key]


def _cov(cap: RNNCapture, amp: float) -> float:
    return _cached(cap, ("cov", amp), lambda: covariance_score(cap.jacobians[amp]))


def _cos(cap: RNNCapture, amp: float) -> float:
    return _cached(cap, ("cos", amp), lambda: cosine_score(cap.jacobians[amp]))


def _hidden_spectrum(cap: RNNCapture, layer: int):
    """(correlation eigenvalues, has a constant unit) of a layer's hidden rows, computed once
    for meco and the hidden covariance."""
    return _cached(cap, ("hidden_spectrum", layer),
                   lambda: correlation_spectrum(np.asarray(cap.hidden_rows[layer])))


def _hidden_cov(cap: RNNCapture, layer: int) -> float:
    if layer >= len(cap.hidden_rows):
        return float("nan")
    v, has_constant = _hidden_spectrum(cap, layer)
    if has_constant:
        return float("nan")  # a constant unit has no correlation: undefined
    return covariance_from_eigenvalues(v)
