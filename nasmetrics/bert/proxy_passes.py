"""The zero-cost proxies' own passes of one transformer (corrected mode), run once for all.

Loss: the masked-language-model loss of ``nasmetrics/bert/mlm.py`` on the scored texts. The
texts are cut into two halves; ``proxies.loss_gradient_proxies`` runs one forward and one
backward per half (grad_norm, snip, plain, fisher; zico reads the halves apart) and one
Hessian-gradient product per :data:`HESSIAN_CHUNK_TEXTS` texts (grasp). SynFlow is one
float64 pass of a copy.

The proxy weights (:func:`proxy_weights`) are the weights of every linear and convolution
of the encoder: the embedding projection, every token-mixing operation's linears and
convolutions, and the feed-forward linears. The embedding tables, LayerNorms, biases and the
MLM head (a device of the loss, not part of the architecture) are not counted. Fisher reads
the output of every one of those linears, summed over the positions of each text.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from nasmetrics import proxies
from nasmetrics.bert.mlm import IGNORE, MLMHead, mlm_loss_sum
from nasmetrics.bert.model import ConvMixer, Encoder, LinearTransform, SelfAttention
from nasmetrics.proxies import ProxyCapture

# texts per Hessian-gradient product: its double backward keeps the graph of a backward, the
# largest of an architecture's passes; in chunks of 4 texts (of the default 32) a corrected
# job's peak is that of the paper metrics' passes (architecture 37: 2.0 -> 1.3 GB, the
# proxies' passes 6% faster; GraSP moves by 1e-8 relative, H g of the chunks adding up)
HESSIAN_CHUNK_TEXTS = 4


def proxy_modules(model: Encoder) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in model.named_modules()
            if isinstance(m, nn.Linear | nn.Conv1d)]


def proxy_weights(model: Encoder) -> list[torch.Tensor]:
    return [m.weight for _, m in proxy_modules(model)]


def flops(model: Encoder, seq_len: int) -> float:
    """Multiply-adds of one forward token at ``seq_len`` tokens: every linear and convolution
    weight once, plus attention's two products (scores and weighted values: 2 x seq_len x
    width per token; a DSC layer attends over half its width, the other half is the dynamic
    convolution, kernel x width/2). The DFT / DCT mixers' FFTs, softmax, LayerNorm and
    elementwise operations are not counted."""
    total = float(sum(w.numel() for w in proxy_weights(model)))
    for layer in model.layers:
        mixer = layer.mixer
        if isinstance(mixer, SelfAttention):
            total += 2 * seq_len * model.hidden_size
        elif isinstance(mixer, ConvMixer):
            att = mixer.attention
            width = att.all_head_size
            total += 2 * seq_len * width + att.conv_kernel_size * width
        elif not isinstance(mixer, LinearTransform):
            raise TypeError(f"no FLOP count for {type(mixer).__name__}")
    return total


def run_proxy_passes(model: Encoder, head: MLMHead, input_ids: torch.Tensor,
                     attention_mask: torch.Tensor, labels: torch.Tensor) -> ProxyCapture:
    """Every loss-based proxy, synflow and flops of one corrected-mode model."""
    start = time.perf_counter()
    n_texts = input_ids.shape[0]
    n_masked = int((labels != IGNORE).sum())
    modules = proxy_modules(model)
    weights = [m.weight for _, m in modules]
    halves = proxies.sample_halves(n_texts, n_texts, input_ids.device)

    def loss_of(idx, collect):
        handles = [m.register_forward_hook(lambda _m, _i, out, _k=name: collect(_k, out))
                   for name, m in modules if isinstance(m, nn.Linear)]
        try:
            hidden = model(input_ids[idx], attention_mask[idx])
        finally:
            for h in handles:
                h.remove()
        loss, n = mlm_loss_sum(model, head, hidden, labels[idx])
        return loss / n_masked, n

    values = proxies.loss_gradient_proxies(weights, loss_of, halves, HESSIAN_CHUNK_TEXTS)
    values["synflow"] = _synflow(model, input_ids.shape[1])
    values["flops"] = flops(model, input_ids.shape[1])
    return ProxyCapture(values, time.perf_counter() - start)


def _synflow(model: Encoder, seq_len: int) -> float:
    """float64 copy with |W| (every parameter), LayerNorms replaced by the identity (as the
    reference removes batch normalisation: a LayerNorm would undo the all-positive signal),
    eval mode; the all-ones input is the word embedding of each of seq_len positions, to
    which the embedding layer adds its |position| and |token type| embeddings (the lookup is
    bypassed); R = sum of the last hidden state. Softmax, GELU and the DFT/DCT are kept.

    Ones at every position with no position embedding would make every position identical: a
    DFT/DCT of a constant sequence is zero at every nonzero frequency, so those outputs would
    be rounding residue, which the |W| layers after it amplify (measured: architecture 0's
    value differed 285-fold between a CPU and a GPU)."""
    net = proxies.abs_double_copy(model).eval()
    for parent in list(net.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.LayerNorm):
                setattr(parent, name, nn.Identity())
    weights = proxy_weights(net)
    ones = torch.ones(1, seq_len, net.embeddings.word_embeddings.weight.shape[1],
                      dtype=torch.float64, device=net.embeddings.word_embeddings.weight.device)
    hidden = net.forward_embedded(net.embeddings(inputs_embeds=ones))
    grads = torch.autograd.grad(hidden.sum(), weights, allow_unused=True)
    return proxies.synflow(weights, grads)
