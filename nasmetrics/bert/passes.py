"""One forward and one backward of an encoder, captured for every transformer metric.

Forward hooks record the outputs the metrics read (linear outputs for head confidence,
softmax outputs, GELU activation codes); one backward fills every weight gradient and the
position-embedding gradient: of ones from the last hidden state (the paper's, faithful mode)
or of the masked-language-model loss (corrected mode, ``nasmetrics/bert/mlm.py``). With
``proxy_reads`` the same passes also keep what NASWOT, MeCo and jacov read: the binary-code
kernel of the GELU outputs, each layer's feature correlation, the embeddings' gradient.
Hooks are removed in ``finally``; nothing is stored on the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from nasmetrics import proxies
from nasmetrics.bert.mlm import MLMHead, mlm_loss_sum
from nasmetrics.bert.model import Encoder, roles
from nasmetrics.proxies import ProxyCapture


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
    # read by the proxies (``proxy_reads``): K summed over the GELU outputs (batch x batch),
    # MeCo's least correlation eigenvalue per layer, the loss gradient at the embeddings'
    # output, one row per text
    agreement_kernel: np.ndarray | None = None
    layer_meco: list[float] | None = None
    input_grad: np.ndarray | None = None
    # the loss-gradient proxies' values (nasmetrics/bert/proxy_passes.py)
    proxies: ProxyCapture | None = None


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
               attention_mask: torch.Tensor | None = None, labels: torch.Tensor | None = None,
               head: MLMHead | None = None, proxy_reads: bool = False) -> BertCapture:
    """Forward ``input_ids`` (B, S) (with ``attention_mask`` if given); backward of ones, or
    with ``labels`` and ``head`` of the mean masked-language-model loss."""
    conf: list[float] = []
    soft: list[float] = []
    acts: list[float] = []
    handles = []
    layer_roles = [roles(layer) for layer in model.layers]
    batch = input_ids.shape[0]
    kernel = torch.zeros(batch, batch, dtype=torch.float64) if proxy_reads else None
    meco: list[float] = []
    embedded: list[torch.Tensor] = []
    real = None if attention_mask is None else attention_mask.bool()
    word_embeddings = model.embeddings.word_embeddings.weight
    embeddings_required_grad = word_embeddings.requires_grad

    def on_gelu(out: torch.Tensor) -> None:
        if kernel is None:
            acts.append(agreement_sum(out))
        else:  # one pass over the codes: the kernel's entries sum to the same exact count
            matrix = agreement_matrix(out).cpu()
            kernel.add_(matrix)
            acts.append(float(matrix.sum()))

    def on_layer(out: torch.Tensor) -> None:
        # the layer's output before its last LayerNorm: after it every token's features sum
        # to zero, a singular correlation matrix whose least eigenvalue is 0 for every
        # architecture. Features are the variables, every real token of every text an
        # observation.
        rows = out.detach()[real] if real is not None else out.detach().reshape(-1,
                                                                                out.shape[-1])
        meco.append(proxies.meco_layer(rows.T.double().cpu().numpy()))

    def on_embedded(out: torch.Tensor) -> None:
        out.retain_grad()
        embedded.append(out)

    try:
        if proxy_reads:
            handles.append(model.embeddings.register_forward_hook(
                lambda _m, _i, out: on_embedded(out)))
            for layer in model.layers:
                handles.append(layer.feed_forward.LayerNorm.register_forward_pre_hook(
                    lambda _m, args: on_layer(args[0])))
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
                handles.append(m.register_forward_hook(lambda _m, _i, out: on_gelu(out)))
        model.zero_grad(set_to_none=True)
        # No metric of this pass reads the word embeddings' gradient; with the MLM head tied
        # to them it would be one of the head's three vocabulary-sized products.
        word_embeddings.requires_grad_(False)
        hidden = model(input_ids, attention_mask)
        if labels is None:
            hidden.backward(torch.ones_like(hidden))
        else:
            if head is None:
                raise ValueError("an MLM backward needs the MLM head")
            loss, n_masked = mlm_loss_sum(model, head, hidden, labels)
            (loss / n_masked).backward()
    finally:
        word_embeddings.requires_grad_(embeddings_required_grad)
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
        agreement_kernel=None if kernel is None else kernel.numpy(),
        layer_meco=meco if proxy_reads else None,
        input_grad=(embedded[0].grad.detach().reshape(batch, -1).double().cpu().numpy()
                    if embedded and embedded[0].grad is not None else None),
    )


def agreement_matrix(out: torch.Tensor) -> torch.Tensor:
    """b b^T + (1-b)(1-b)^T, b = (out > 0) per sample (batch x rest): NASWOT's kernel of one
    activation output, exact counts (float32 products are exact below 2^24 per entry)."""
    b = (out.detach() > 0).reshape(out.shape[0], -1).to(torch.float32)
    ones = b.sum(dim=1)
    agree = b @ b.T
    # (1-b)(1-b)^T = n - |b_i| - |b_j| + b_i.b_j, without forming 1 - b
    return (2 * agree + b.shape[1] - ones[:, None] - ones[None, :]).double()
