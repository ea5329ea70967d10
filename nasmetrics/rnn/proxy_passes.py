"""The zero-cost proxies' passes of one RNN architecture, run once for all of them.

The loss is the language model's own objective: next-token cross-entropy through the tied
decoder and its bias, on the scored (steps, batch) input with the next tokens as targets,
averaged over all steps x batch tokens. The batch is cut into two halves of columns (columns
of an RNN in eval mode are independent):

- one forward and one backward per half give each half's weight gradients (zico reads them
  apart, as two mini-batches), their sum the whole batch's gradient (grad_norm, snip, plain),
  and per linear node the per-column sums over steps of a * dL/da (fisher);
- grasp adds one Hessian-gradient product per half: a backward with ``create_graph`` and a
  backward of <g, grad>, g the whole batch's gradient held fixed;
- synflow is one float64 pass of a copy with |W|, one all-ones column of embedding-sized
  inputs over the same number of steps, R = the sum of the decoder's outputs.

The proxy weights (:func:`proxy_weights`) are every weight matrix of the cells' linear nodes
(one per node input) and the tied embedding / decoder matrix, counted once with its gradient
through both uses; biases are not counted (the references count layer weights only).
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from nasmetrics import proxies
from nasmetrics.proxies import ProxyCapture
from nasmetrics.rnn.model import RNNModel

# logits per chunk of columns: 10 columns x 70 steps of the 33,278-word WikiText-2 decoder
CHUNK_ELEMENTS = 24_000_000


def proxy_weights(model: RNNModel) -> list[tuple[str, torch.nn.Parameter]]:
    """(name, weight) of every weight the proxies read, in a fixed order."""
    weights = [("embedding", model.embedding.weight)]  # also the tied decoder's weight
    for layer, cell in enumerate(model.cells):
        for node, lin in cell.linears.items():
            weights += [(f"cells.{layer}.{node}.{j}", w) for j, w in enumerate(lin.weights)]
    return weights


def flops(model: RNNModel) -> float:
    """Multiply-adds of one forward token: every weight matrix of the cells once, and the
    decoder (emsize x ntokens); elementwise operations and the embedding lookup add none."""
    cells = sum(w.numel() for cell in model.cells for lin in cell.linears.values()
                for w in lin.weights)
    return float(cells + model.embedding.weight.numel())


def lm_loss(model: RNNModel, ids: torch.Tensor, targets: torch.Tensor, n_tokens: int,
            on_linear=None) -> torch.Tensor:
    """Summed next-token cross-entropy of ``ids`` (steps, columns) over ``n_tokens``."""
    y, _ = model.forward_from_embedding(model.embedding(ids), on_linear=on_linear)
    logits = model.decode(y)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           reduction="sum")
    return loss / n_tokens


def run_proxy_passes(model: RNNModel, ids: torch.Tensor, targets: torch.Tensor,
                     chunk_elements: int = CHUNK_ELEMENTS) -> ProxyCapture:
    """Every proxy of ``model`` on ``ids`` (steps, batch) with next tokens ``targets``.

    Each half is run in chunks of columns whose logits hold at most ``chunk_elements``
    numbers (the decoder's logits and their second derivatives are what fills memory); the
    gradients of a half's chunks add up to the half's gradient exactly.
    """
    start = time.perf_counter()
    if ids.shape != targets.shape:
        raise ValueError(f"targets {tuple(targets.shape)} do not match ids {tuple(ids.shape)}")
    steps, batch = ids.shape
    weights = [w for _, w in proxy_weights(model)]
    per_chunk = max(1, chunk_elements // (steps * model.shape.ntokens))
    halves = proxies.sample_halves(batch, per_chunk, ids.device)

    def loss_of(cols, collect):
        # linear node outputs are (columns, units) per step: fisher sums them over the steps
        loss = lm_loss(model, ids[:, cols], targets[:, cols], steps * batch,
                       lambda layer, node, out: collect((layer, node), out))
        return loss, steps * len(cols)

    values = proxies.loss_gradient_proxies(weights, loss_of, halves)
    values["synflow"] = _synflow(model, steps)
    values["flops"] = flops(model)
    return ProxyCapture(values, time.perf_counter() - start)


def _synflow(model: RNNModel, steps: int) -> float:
    """float64 copy with |W| (biases too), one all-ones column of embedding-sized inputs
    entering the cells for ``steps`` steps, R = sum of the decoder outputs. The recurrent
    activations (tanh, sigmoid, leaky ReLU) are kept: with |W| and positive inputs leaky ReLU
    is the identity, as ReLU is in the reference; sigmoid and tanh stay smooth gates."""
    net = proxies.abs_double_copy(model)
    weights = [w for _, w in proxy_weights(net)]
    ones = torch.ones(steps, 1, net.shape.emsize, dtype=torch.float64,
                      device=net.embedding.weight.device)
    y, _ = net.forward_from_embedding(ones)
    grads = torch.autograd.grad(net.decode(y).sum(), weights, allow_unused=True)
    return proxies.synflow(weights, grads)
