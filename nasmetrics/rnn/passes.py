"""The forward/backward passes of one RNN architecture, run once, captured for every metric.

The paper's code ran six passes of a 50-column batch per architecture (clean Jacobian, clean
forward for activation distance, three noised Jacobians, synaptic saliency): six forwards and
five backwards. Here there are two forwards and three backwards (three and four for the
largest cells):

- Clean forward (50 columns). In eval mode the paper's clean Jacobian pass, its activation-
  distance pass and its saliency pass all compute these same tensors, so this one forward
  serves them all: activation codes (activation distance), hidden states (hidden covariance),
  and two backwards through the same graph: of sum(y) (clean Jacobian, its hidden-state
  gradients) and of L = 1/2 sum(y^2) (synaptic saliency, its hidden-state gradients).
- Noised forward: the three noised copies side by side (150 columns; for the largest cells two
  and then one, :data:`LARGE_CELL_NODES`), one backward of sum(y) each, with the weights
  frozen (no weight gradient is read, so autograd keeps less). Columns of an RNN in eval
  mode are independent, so each copy's Jacobian is its own columns.

Backwards ask autograd only for what a metric reads: input and hidden-state gradients, plus
the weights synaptic saliency sums (never the first input's weight of a linear). The tied
decoder weight's gradient is the embedding's: the clean input gradient scattered onto the
rows the token ids select. ``RNNCapture.seconds`` records each pass's wall time
(benchmarks/rnn_speed.py).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from nasmetrics.modes import check_modes
from nasmetrics.proxies import ProxyCapture
from nasmetrics.rnn.model import RNNModel
from nasmetrics.rnn.recipe import Recipe

NOISE_AMPLITUDES = (0.1, 10.0, 100.0)
# Cells of more nodes per step than this (107 of NAS-Bench-NLP's 344 WikiText-2 recipes; up to 15)
# run their widest passes in parts, which bounds a scoring job's peak memory at some speed:
# the three noised copies as two forwards (100 and 50 columns) instead of one of 150, and
# the proxies' tangent pass (nasmetrics/rnn/proxy_passes.py) one half of the columns at a
# time. Smaller cells keep the larger products, which run faster.
LARGE_CELL_NODES = 8
# the passes of :func:`run_passes`, in order, with what each reads off
PASS_NAMES = ("clean_forward", "jacobian_backward", "saliency_backward", "noised_forward",
              "noised_backward")


@dataclass
class RNNCapture:
    """Everything the RNN metrics read, in both modes. Arrays are float64 numpy."""

    num_params: int
    # amplitude (0.0 = clean) -> per-sample Jacobian rows (batch, steps * emsize)
    jacobians: dict[float, np.ndarray]
    # activation-agreement kernel of ONE clean forward pass (batch x batch)
    agreement_kernel: np.ndarray
    # per layer: rows = hidden units, columns = batch * steps (the states entering each step)
    hidden_rows: list[np.ndarray]
    # pass name -> sum over layers and steps of |h * dL/dh| for that pass
    hidden_saliency: dict[str, float]
    # |W * dL/dW| summed over the decoder weight (float64) and the non-first linear weights
    decoder_saliency: float
    linear_saliency: float
    # which mode the metrics reduce it in (:func:`in_mode`); the passes are the same for both
    mode: str = "faithful"
    # the zero-cost proxies' values, when their passes ran (they need next-token targets)
    proxies: ProxyCapture | None = None
    # values several metrics share (cov(J), cos(J)), computed once per capture for all modes
    extra: dict = field(default_factory=dict)
    # wall seconds of each pass (PASS_NAMES), for the speed benchmark's breakdown
    seconds: dict[str, float] = field(default_factory=dict)


def in_mode(capture: RNNCapture, mode: str) -> RNNCapture:
    """The same capture, reduced in ``mode``: shares every array and the ``extra`` cache."""
    check_modes([mode])
    return replace(capture, mode=mode)


def paper_noise(shape: tuple[int, ...]) -> np.ndarray:
    """The paper's noise: numpy's legacy normal draws, the first after seeding numpy with 0.

    Model construction draws only from torch, so after the per-architecture seed these are the
    first numpy draws; one array serves all three amplitudes.
    """
    return np.random.normal(size=shape)


def run_passes(
    model: RNNModel,
    ids: torch.Tensor,
    noise: np.ndarray | None = None,
) -> RNNCapture:
    """Run the two passes on a (steps, batch) id tensor and capture every metric's inputs."""
    steps, batch = ids.shape
    clock = _Clock()

    with torch.no_grad():
        emb = model.embedding(ids)  # (T, B, E)
        var = emb.var(dim=1, unbiased=False, keepdim=True)
        if noise is None:
            noise = paper_noise(tuple(emb.shape))
        noise_t = torch.as_tensor(noise, dtype=emb.dtype, device=emb.device)
        e_noised = [emb + a * var * noise_t for a in NOISE_AMPLITUDES]
    e_clean = emb.detach().clone().requires_grad_(True)

    # ---- clean forward: activation codes and hidden states -------------------------------
    codes_per_layer: dict[int, list[torch.Tensor]] = {}

    def on_activation(layer: int, out: torch.Tensor) -> None:
        codes_per_layer.setdefault(layer, []).append((out > 0).detach())

    y, states = model.forward_from_embedding(e_clean, on_activation)
    kernel = torch.zeros(batch, batch, dtype=torch.float64, device=ids.device)
    # Each layer's codes become one (batch x features) matrix: one product, not one per step.
    for layer in sorted(codes_per_layer):
        b = torch.cat(codes_per_layer.pop(layer), dim=1).to(torch.float32)
        kernel += agreement_kernel(b)
    hidden_rows = []
    for layer in states:
        clean = torch.stack([h.detach() for h in layer])  # (T, B, H)
        hidden_rows.append(clean.reshape(steps * batch, -1).T.double().cpu().numpy())
    hidden = [h for layer in states for h in layer[1:]]  # step 0 is the zero state
    clock.lap("clean_forward")

    # ---- clean backward 1: Jacobian of sum(y) ----------------------------------------------
    grads = torch.autograd.grad(y.sum(), [e_clean, *hidden], retain_graph=True,
                                allow_unused=True)
    jac = {0.0: _jacobian_rows(grads[0])}
    hidden_sal = {"jacobian": _hidden_saliency(hidden, grads[1:])}
    clock.lap("jacobian_backward")

    # ---- clean backward 2: synaptic saliency, L = 1/2 sum(y^2) ---------------------------
    lin_ws = [
        w
        for cell in model.cells
        for lin in cell.linears.values()
        for w in list(lin.weights)[1:]  # every linear weight except the first input's
    ]
    grads = torch.autograd.grad(0.5 * (y**2).sum(), [e_clean, *lin_ws, *hidden],
                                allow_unused=True)
    decoder_sal = decoder_saliency(model.embedding.weight.detach(), ids, grads[0])
    linear_sal = 0.0
    for w, g in zip(lin_ws, grads[1 : 1 + len(lin_ws)], strict=True):
        if g is not None:  # None: a weight on a node no output depends on
            linear_sal += float((w.detach() * g).abs().sum())
    hidden_sal["saliency"] = _hidden_saliency(hidden, grads[1 + len(lin_ws) :])
    # The paper's activation-distance pass had no backward: it adds 0.
    hidden_sal["activation"] = 0.0
    del y, states, hidden, grads
    clock.lap("saliency_backward")

    # ---- noised forwards + backwards: the three noised Jacobians ---------------------------
    # No weight gradient is read here: with the weights frozen autograd keeps only what the
    # input and hidden-state gradients need.
    per_forward = noised_copies_side_by_side(model.cells[0].recipe)
    with _frozen_weights(model):
        for first in range(0, len(NOISE_AMPLITUDES), per_forward):
            amps = NOISE_AMPLITUDES[first:first + per_forward]
            e_n = torch.cat(e_noised[first:first + per_forward], dim=1).requires_grad_(True)
            y_n, states_n = model.forward_from_embedding(e_n)
            hidden_n = [h for layer in states_n for h in layer[1:]]
            clock.lap("noised_forward")
            grads = torch.autograd.grad(y_n.sum(), [e_n, *hidden_n], allow_unused=True)
            for j, amp in enumerate(amps):
                cols = slice(j * batch, (j + 1) * batch)
                jac[amp] = _jacobian_rows(grads[0][:, cols])
                hidden_sal[f"noise_{amp:g}"] = _hidden_saliency(
                    [h[cols] for h in hidden_n],
                    [None if g is None else g[cols] for g in grads[1:]])
            del y_n, states_n, hidden_n, grads, e_n
            clock.lap("noised_backward")

    return RNNCapture(
        num_params=model.num_params(),
        jacobians=jac,
        agreement_kernel=kernel.cpu().numpy(),
        hidden_rows=hidden_rows,
        hidden_saliency=hidden_sal,
        decoder_saliency=decoder_sal,
        linear_saliency=linear_sal,
        seconds=clock.laps,
    )


def agreement_kernel(codes: torch.Tensor) -> torch.Tensor:
    """b b' + (1 - b)(1 - b)' of a (batch x features) matrix of 0/1 codes, float64: the
    number of features on which two samples' codes agree. With s the per-sample count of ones
    and F the features, (1 - b)(1 - b)' = F - s_i - s_j + b b', so one product serves both
    terms. Exact: every partial sum is an integer below 2^24 (F is at most 70 steps x 15
    nodes x 600 units), which float32 holds exactly."""
    if codes.shape[1] >= 2**24:
        raise ValueError(f"{codes.shape[1]} features: the float32 counts would not be exact")
    ones = (codes @ codes.T).double()
    s = codes.sum(1, dtype=torch.float64)
    return 2 * ones + codes.shape[1] - s[:, None] - s[None, :]


def decoder_saliency(weight: torch.Tensor, ids: torch.Tensor, grad_emb: torch.Tensor) -> float:
    """sum |W * dL/dW| of the tied decoder/embedding weight W, whose gradient is the input
    gradient ``grad_emb`` (steps, batch, emsize) scattered onto the rows ``ids`` select: the
    other rows' gradient is zero, so only the selected rows are formed (float64)."""
    rows, where = torch.unique(ids.reshape(-1), return_inverse=True)
    grad = torch.zeros(len(rows), weight.shape[1], dtype=torch.float64, device=weight.device)
    grad.index_add_(0, where, grad_emb.reshape(-1, weight.shape[1]).double())
    return float((weight[rows].double() * grad).abs().sum())


def is_large_cell(recipe: Recipe) -> bool:
    """Whether ``recipe`` has more than :data:`LARGE_CELL_NODES` nodes per step."""
    return len(recipe.nodes) > LARGE_CELL_NODES


def noised_copies_side_by_side(recipe: Recipe) -> int:
    """How many of the three noised copies one forward carries side by side."""
    return len(NOISE_AMPLITUDES) - 1 if is_large_cell(recipe) else len(NOISE_AMPLITUDES)


@contextlib.contextmanager
def _frozen_weights(model: torch.nn.Module):
    """``model``'s parameters without requires_grad inside the block, restored after."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


class _Clock:
    """Wall seconds between successive laps."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


def _jacobian_rows(grad_e: torch.Tensor) -> np.ndarray:
    """(T, B, E) input gradient -> one flattened row per sample (B, T*E), float64."""
    return grad_e.detach().permute(1, 0, 2).reshape(grad_e.shape[1], -1).double().cpu().numpy()


def _hidden_saliency(states: list[torch.Tensor], grads) -> float:
    """sum |h * dL/dh| over the given hidden states (None gradient: h does not matter)."""
    total = 0.0
    for h, g in zip(states, grads, strict=True):
        if g is not None:
            total += float((h.detach() * g).abs().sum(dtype=torch.float64))
    return total
