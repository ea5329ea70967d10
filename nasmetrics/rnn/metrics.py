"""The twelve RNN metrics of the paper (plus the parameter count), as functions of a capture.

Faithful and corrected modes differ only where REPRODUCTION.md says the paper's code did
something else than the clean definition:
- activation_distance: faithful accumulates K over two identical passes (2K: + batch*ln 2).
- hidden_synaptic_saliency: faithful sums |h * dL/dh| over the five passes the paper's code
  kept; corrected uses the synaptic-saliency pass alone.
"""

from __future__ import annotations

import math

import numpy as np

from nasmetrics.registry import Registry
from nasmetrics.rnn.passes import RNNCapture
from nasmetrics.scores import activation_distance as logdet_score
from nasmetrics.scores import cosine_score, covariance_score

RNN_METRICS = Registry("rnn")
register = RNN_METRICS.register


@register("activation_distance", "Activation Distance")
def activation_distance(cap: RNNCapture) -> float:
    kernel = cap.activation_kernel
    if cap.fidelity == "faithful":
        kernel = 2.0 * kernel  # the paper's code summed K over two identical forward passes
    return logdet_score(kernel)


@register("synaptic_saliency", "Synaptic Saliency")
def synaptic_saliency(cap: RNNCapture) -> float:
    return cap.decoder_saliency + cap.linear_saliency


@register("jacobian_cov", "Jacobian Covariance")
def jacobian_cov(cap: RNNCapture) -> float:
    return _cov(cap, 0.0)


@register("jacobian_cos", "Jacobian Cosine")
def jacobian_cos(cap: RNNCapture) -> float:
    return _cos(cap, 0.0)


@register("large_noise_jacobian", "Large Noise Jacobian")
def large_noise_jacobian(cap: RNNCapture) -> float:
    # The published column has the opposite sign (see docs/rnn.md); this is the definition.
    return 1.0 - abs(_cov(cap, 0.0) - _cov(cap, 10.0))


@register("large_noise_jacobian_cos", "Large Noise Jacobian Cosine")
def large_noise_jacobian_cos(cap: RNNCapture) -> float:
    return 1.0 - abs(_cos(cap, 0.0) - _cos(cap, 10.0))


@register("more_noised_jacobian", "More Noised Jacobian")
def more_noised_jacobian(cap: RNNCapture) -> float:
    return math.prod(_cov(cap, a) for a in (0.0, 0.1, 10.0, 100.0))


@register("more_noised_jacobian_cos", "More Noised Jacobian Cosine")
def more_noised_jacobian_cos(cap: RNNCapture) -> float:
    return math.prod(_cos(cap, a) for a in (0.0, 0.1, 10.0, 100.0))


@register("hidden_synaptic_saliency", "Hidden Synaptic Saliency")
def hidden_synaptic_saliency(cap: RNNCapture) -> float:
    if cap.fidelity == "faithful":
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


@register("num_params", "Number of Parameters")
def num_params(cap: RNNCapture) -> float:
    return float(cap.num_params)


def _cached(cap: RNNCapture, key: tuple, compute) -> float:
    # Several metrics share cov(J) and cos(J); each is computed once per capture.
    if key not in cap.extra:
        cap.extra[key] = compute()
    return cap.extra[key]


def _cov(cap: RNNCapture, amp: float) -> float:
    return _cached(cap, ("cov", amp), lambda: covariance_score(cap.jacobians[amp]))


def _cos(cap: RNNCapture, amp: float) -> float:
    return _cached(cap, ("cos", amp), lambda: cosine_score(cap.jacobians[amp]))


def _hidden_cov(cap: RNNCapture, layer: int) -> float:
    if layer >= len(cap.hidden_rows):
        return float("nan")
    return covariance_score(np.asarray(cap.hidden_rows[layer]))
