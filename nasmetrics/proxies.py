"""The zero-cost proxies' reductions, shared by the RNN and transformer sides.

Each side's passes produce, for its list of proxy weights (docs: "Proxies", which weights
count), the weights W, the loss gradient g of the whole batch, the gradient of each half
batch's mean loss, the Hessian-gradient product Hg, the synflow gradient, and per activation
the per-sample sums over positions of a * dL/da. These functions turn them into the proxies'
values; every sum is taken in float64. Names follow the zero-cost NAS literature:

- grad_norm = sum_W ||g||_2                         (Abdelfattah et al. 2021)
- snip      = sum_W sum |W * g|                     (Lee et al. 2019)
- plain     = sum_W sum W * g
- grasp     = -sum_W sum W * (H g)                  (Wang et al. 2020)
- synflow   = sum_W sum |W * dR/dW|, R the all-ones output of the |W| network (Tanaka 2020)
- fisher    = sum over activations and features of 1/2 mean_n (sum_positions a * dL/da)^2
- l2_norm   = sum_W ||W||_2
- zico      = sum_W log sum (mean_b |g_b| / std_b g_b), over batches b (Li et al. 2023)
- meco      = sum over layers of the least eigenvalue of the layer's feature correlation
              matrix (Jiang et al. 2023)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from nasmetrics.scores import correlation_eigenvalues

Tensors = Sequence[torch.Tensor | None]


def _pairs(weights: Tensors, grads: Tensors):
    # a weight no loss depends on has no gradient (None): it contributes 0
    for w, g in zip(weights, grads, strict=True):
        if g is not None:
            yield w.detach().double(), g.detach().double()


def grad_norm(grads: Tensors) -> float:
    return float(sum(float(torch.linalg.vector_norm(g.double())) for g in grads
                     if g is not None))


def snip(weights: Tensors, grads: Tensors) -> float:
    return float(sum(float((w * g).abs().sum()) for w, g in _pairs(weights, grads)))


def plain(weights: Tensors, grads: Tensors) -> float:
    return float(sum(float((w * g).sum()) for w, g in _pairs(weights, grads)))


def grasp(weights: Tensors, hessian_grads: Tensors) -> float:
    """-sum W * (H g): ``hessian_grads`` are the Hessian-gradient products per weight."""
    return -plain(weights, hessian_grads)


def synflow(weights: Tensors, grads: Tensors) -> float:
    """sum |W * dR/dW|, ``weights`` the |W| of the float64 copy and ``grads`` dR/dW."""
    return snip(weights, grads)


def l2_norm(weights: Tensors) -> float:
    return float(sum(float(torch.linalg.vector_norm(w.detach().double())) for w in weights))


def fisher(per_sample_sums: Sequence[torch.Tensor], n_samples: int) -> float:
    """``per_sample_sums``: per activation, (samples, features) sums over positions of
    a * dL/da (several tensors may hold the samples of one activation: they add up)."""
    total = sum(float((s.detach().double() ** 2).sum()) for s in per_sample_sums)
    return 0.5 * total / n_samples


def zico(per_batch_grads: Sequence[Tensors]) -> float:
    """``per_batch_grads[b][i]``: gradient of weight i from batch b (the batch's mean loss).

    Per weight: mean over batches of |g| over the standard deviation over batches (numpy's
    population std, as the reference), summed over the entries whose deviation is nonzero;
    the score adds the log of each weight's sum (a weight whose sum is 0 adds nothing).
    """
    if len(per_batch_grads) < 2:
        raise ValueError(f"zico needs gradients from 2+ batches, got {len(per_batch_grads)}")
    score = 0.0
    for grads in zip(*per_batch_grads, strict=True):
        if any(g is None for g in grads):
            continue
        g = torch.stack([x.detach().double() for x in grads])
        std = g.std(dim=0, unbiased=False)
        keep = std != 0
        total = float((g.abs().mean(dim=0)[keep] / std[keep]).sum())
        if total != 0:
            score += math.log(total)
    return score


def meco_layer(features: np.ndarray) -> float:
    """Least eigenvalue of the correlation matrix of ``features`` (variables x observations);
    a constant feature's row and column are zero, as in the reference."""
    v = correlation_eigenvalues(features, constant="zero")
    return float("nan") if v is None else float(v[0])
