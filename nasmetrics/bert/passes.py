"""One forward and one backward of an encoder, captured for every transformer metric.

Forward hooks record the outputs the metrics read (linear outputs for head confidence,
softmax outputs, GELU activation codes); one backward of ones from the last hidden state
fills every weight gradient and the position-embedding gradient. Hooks are removed in
``finally``; nothing is stored on the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from nasmetrics.bert.model import Encoder, roles


@dataclass
class BertCapture:
    num_params: int
    hidden_size: int
    # per role, per module: (weight, weight gradient) for linears
    weights: dict[str, list[tuple[torch.Tensor, torch.Tensor]]]
    confidence_outputs: list[float]  # mean over batch and features of max over the sequence
    softmax_outputs: list[float]  # the same for each operation's softmax output
    agreement_sums: list[float]  # per GELU output: sum of b b^T + (1-b)(1-b)^T
    position_grad: torch.Tensor  # (512, 128)
    extra: dict = field(default_factory=dict)


def confidence(out: torch.Tensor, seq_dim: int) -> float:
    """mean(max over the sequence axis) of one output."""
    # amax: no index tensor (4x faster than max().values on (B, heads, S, S) probabilities)
    return float(out.detach().amax(dim=seq_dim).mean(dtype=torch.float64))


def agreement_sum(out: torch.Tensor) -> float:
    """Sum of all entries of b b^T + (1-b)(1-b)^T, b = (out > 0) per sample (batch x rest)."""
    b = out.detach() > 0
    b = b.reshape(b.shape[0], -1)
    batch, n = b.shape
    # sum_ij b_i.b_j + (n - |b_i| - |b_j| + b_i.b_j) without forming the batch x batch matrix;
    # exact integer counts, summed as bytes into int32 (a cast of the whole activation to
    # int64 or float would be a 0.5 GB copy per GELU at 128 x 512 tokens)
    col = b.view(torch.uint8).sum(dim=0, dtype=torch.int32).to(torch.int64)
    ones = int(col.sum())
    return float(2 * int((col * col).sum()) + batch * batch * n - 2 * batch * ones)


def run_passes(model: Encoder, input_ids: torch.Tensor,
               attention_mask: torch.Tensor | None = None) -> BertCapture:
    """Forward ``input_ids`` (B, S) (with ``attention_mask`` if given), backward of ones."""
    conf: list[float] = []
    soft: list[float] = []
    acts: list[float] = []
    handles = []
    layer_roles = [roles(layer) for layer in model.layers]
    try:
        for r in layer_roles:
            for m in r["confidence"]:
                handles.append(m.register_forward_hook(
                    lambda _m, _i, out: conf.append(confidence(out, 1))))
            for m in r["softmax"]:
                # Like the paper's code: the max over dim 1, which for (B, heads, S, S)
                # attention and (B, heads, S, d) LT softmax outputs is the heads axis. Checked
                # against the published values: an LT layer gives heads/d (0.0156 with 2
                # heads, 0.061 with 4 at hidden 256), SA and DSC layers 1/512 + a little.
                handles.append(m.register_forward_hook(
                    lambda _m, _i, out: soft.append(confidence(out, 1))))
            for m in r["gelu"]:
                handles.append(m.register_forward_hook(
                    lambda _m, _i, out: acts.append(agreement_sum(out))))
        model.zero_grad(set_to_none=True)
        hidden = model(input_ids, attention_mask)
        hidden.backward(torch.ones_like(hidden))
    finally:
        for h in handles:
            h.remove()

    def pairs(role: str):
        return [(m.weight.detach(), m.weight.grad.detach()) for r in layer_roles for m in r[role]]

    return BertCapture(
        num_params=model.num_params(),
        hidden_size=model.hidden_size,
        weights={role: pairs(role) for role in ("mixing", "heads", "ffn")},
        confidence_outputs=conf,
        softmax_outputs=soft,
        agreement_sums=acts,
        position_grad=model.embeddings.position_embeddings.weight.grad.detach().clone(),
    )
