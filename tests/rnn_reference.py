"""The RNN passes written straight from the definitions, for tests of the fast ones.

One product per linear-node input per step, and the paper's six separate passes (clean
Jacobian, activation codes, three noised Jacobians, synaptic saliency), each with its own
forward. Slow on purpose: nothing is shared, fused or batched over steps. The proxies by
plain autograd through the decoder, Hessian products by double backward.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from nasmetrics import proxies
from nasmetrics.rnn.passes import NOISE_AMPLITUDES, RNNCapture
from nasmetrics.rnn.proxy_passes import proxy_weights
from nasmetrics.scores import agreement_kernel

ACTIVATIONS = {"activation_tanh": torch.tanh, "activation_sigm": torch.sigmoid,
               "activation_leaky_relu": lambda z: F.leaky_relu(z, 0.01)}


def reference_forward(model, emb, activations=None):
    """Per layer, per step, per node, one product per input. Returns y (T, B, emsize) and per
    layer the hidden states entering each step; appends every activation's codes."""
    recipe = model.cells[0].recipe
    xs = emb
    entering_all = []
    for cell in model.cells:
        state = [xs.new_zeros(xs.shape[1], cell.hidden_size)] * recipe.hidden_tuple_size
        outs, entering = [], []
        for t in range(xs.shape[0]):
            entering.append(state[0])
            v = {"x": xs[t], **{f"h_prev_{i}": s for i, s in enumerate(state)}}
            for node in recipe.nodes:
                args = [v[i] for i in node.inputs]
                if node.op == "linear":
                    lin = cell.linears[node.name]
                    pairs = zip(args, lin.weights, strict=True)
                    out = lin.bias + sum(F.linear(a, w) for a, w in pairs)
                elif node.op == "blend":
                    out = args[0] * args[1] + (1 - args[0]) * args[2]
                elif node.op == "elementwise_sum":
                    out = sum(args[1:], args[0])
                elif node.op == "elementwise_prod":
                    out = args[0]
                    for a in args[1:]:
                        out = out * a
                else:
                    out = ACTIVATIONS[node.op](args[0])
                    if activations is not None:
                        activations.append((out > 0).detach().float())
                v[node.name] = out
            state = [v[f"h_new_{i}"] for i in range(recipe.hidden_tuple_size)]
            outs.append(state[0])
        xs = torch.stack(outs)
        entering_all.append(entering)
    return xs, entering_all


def _abs_product(hs, grads) -> float:
    return sum(float((h * g).detach().abs().sum(dtype=torch.float64))
               for h, g in zip(hs, grads, strict=True) if g is not None)


def reference_capture(model, ids: torch.Tensor, noise: np.ndarray) -> RNNCapture:
    """The capture of :func:`nasmetrics.rnn.passes.run_passes` from six separate passes."""
    steps, batch = ids.shape
    emb = model.embedding(ids).detach()
    var = emb.var(dim=1, unbiased=False, keepdim=True)
    jacobians, hidden_sal = {}, {}
    for amp in (0.0, *NOISE_AMPLITUDES):
        e = (emb + amp * var * torch.as_tensor(noise, dtype=emb.dtype)).requires_grad_(True)
        y, states = reference_forward(model, e)
        hs = [h for layer in states for h in layer[1:]]
        g = torch.autograd.grad(y.sum(), [e, *hs], allow_unused=True)
        jacobians[amp] = g[0].permute(1, 0, 2).reshape(batch, -1).double().numpy()
        hidden_sal["jacobian" if amp == 0.0 else f"noise_{amp:g}"] = _abs_product(hs, g[1:])

    codes = []
    with torch.no_grad():
        _, states = reference_forward(model, emb, codes)
    kernel = agreement_kernel(torch.cat([c.reshape(batch, -1) for c in codes], 1).numpy())
    hidden_rows = [torch.stack(layer).reshape(steps * batch, -1).T.double().numpy()
                   for layer in states]
    hidden_sal["activation"] = 0.0

    model.zero_grad()
    y, states = reference_forward(model, model.embedding(ids))
    hs = [h for layer in states for h in layer[1:]]
    for h in hs:
        h.retain_grad()
    (0.5 * (y**2).sum()).backward()
    w = model.embedding.weight
    decoder_sal = float((w.detach().double() * w.grad.double()).abs().sum())
    linear_sal = sum(float((w * w.grad).detach().abs().sum(dtype=torch.float64))
                     for cell in model.cells for lin in cell.linears.values()
                     for w in list(lin.weights)[1:] if w.grad is not None)
    hidden_sal["saliency"] = _abs_product(hs, [h.grad for h in hs])
    model.zero_grad()
    return RNNCapture(num_params=model.num_params(), jacobians=jacobians,
                      agreement_kernel=kernel, hidden_rows=hidden_rows,
                      hidden_saliency=hidden_sal, decoder_saliency=decoder_sal,
                      linear_saliency=linear_sal)


def lm_loss(model, ids: torch.Tensor, targets: torch.Tensor, n_tokens: int,
            on_linear=None) -> torch.Tensor:
    """Summed next-token cross-entropy of ``ids`` (steps, columns) over ``n_tokens``, by plain
    autograd through the decoder: the loss the proxy passes differentiate by hand."""
    y, _ = model.forward_from_embedding(model.embedding(ids), on_linear=on_linear)
    logits = model.decode(y)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           reduction="sum")
    return loss / n_tokens


def reference_proxies(model, ids: torch.Tensor, targets: torch.Tensor) -> dict[str, float]:
    """The proxies by plain autograd: per half of the columns one forward through the decoder
    and F.cross_entropy and one backward, then per half H g by double backward (a backward
    with ``create_graph`` and a backward of <g, grad>)."""
    weights = [w for _, w in proxy_weights(model)]
    steps, batch = ids.shape

    def loss_of(cols, collect):
        loss = lm_loss(model, ids[:, cols], targets[:, cols], steps * batch,
                       lambda layer, node, out: collect((layer, node), out))
        return loss, steps * len(cols)

    return proxies.loss_gradient_proxies(weights, loss_of, proxies.sample_halves(batch, batch))
