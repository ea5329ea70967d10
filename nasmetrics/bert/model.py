"""The FlexiBERT / NAS-Bench-BERT encoder (ELECTRA-small style), built from an architecture.

Embeddings (word 30,522 / position 512 / token type 2, size 128, LayerNorm) come from
transformers' ``ElectraEmbeddings``, the DSC operation from ``ConvBertSelfAttention`` and
``ConvBertSelfOutput``; what transformers lacks is written here: the WMA variant of
self-attention and the DFT / DCT token mixers. Each layer is a token-mixing operation followed
by a feed-forward block. The parameter count equals the published one for all 500 benchmark
architectures in faithful mode (every model at hidden 256 / feed-forward 1024, as the paper's
code built them) and the formula of each architecture's own sizes in corrected mode.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from transformers import ConvBertConfig, ElectraConfig
from transformers.models.convbert.modeling_convbert import (
    ConvBertSelfAttention,
    ConvBertSelfOutput,
)
from transformers.models.electra.modeling_electra import ElectraEmbeddings

from nasmetrics.bert.space import Architecture, Layer

VOCAB_SIZE = 30_522
EMBEDDING_SIZE = 128
MAX_POSITIONS = 512
LN_EPS = 1e-12
INIT_STD = 0.02
DROPOUT = 0.1
FAITHFUL_HIDDEN = 256  # the paper's code built every model at these sizes
FAITHFUL_FF = 1024


class ArchitectureError(ValueError):
    """An architecture that cannot be built (unknown operation, heads not dividing hidden)."""


def dct_ii(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Unnormalised type-II DCT along ``dim`` through an FFT (scipy.fft.dct, norm=None)."""
    x = x.transpose(dim, -1)
    n = x.shape[-1]
    # Makhoul: even samples, then odd samples reversed; DCT-II = Re(FFT(v) * 2 e^{-i pi k / 2N})
    v = torch.cat([x[..., ::2], x[..., 1::2].flip(-1)], dim=-1)
    spec = torch.fft.fft(v, dim=-1)
    k = torch.arange(n, device=x.device, dtype=x.dtype)
    phase = torch.polar(torch.ones_like(k), -math.pi * k / (2 * n))
    out = 2 * (spec * phase).real
    return out.transpose(dim, -1)


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention (SDP); with ``wma`` the query first passes
    through an extra bias-free square linear (weighted multiplicative attention)."""

    def __init__(self, hidden: int, heads: int, wma: bool):
        super().__init__()
        if hidden % heads:
            raise ArchitectureError(f"{heads} heads do not divide hidden size {hidden}")
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.wma = nn.Linear(hidden, hidden, bias=False) if wma else None
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, s, h = x.shape
        q = self.query(x)
        if self.wma is not None:
            q = self.wma(q)
        shape = (b, s, self.heads, h // self.heads)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, self.key(x), self.value(x)))
        # scale the (S x d) queries, not the (S x S) scores: same product, a fraction of the work
        scores = (q * (1.0 / math.sqrt(h // self.heads))) @ k.transpose(-1, -2)
        if mask is not None:
            scores = scores + mask
        probs = self.dropout(self.softmax(scores))
        return (probs @ v).transpose(1, 2).reshape(b, s, h)


class LinearTransform(nn.Module):
    """LT: a linear to hidden width, split into heads, real part of the 2-D DFT (or the 2-D
    type-II DCT) over (sequence, head width) per head, heads merged. No output dense, residual
    or LayerNorm. Its softmax is computed and not used (it exists for softmax confidence)."""

    def __init__(self, hidden: int, heads: int, kind: str):
        super().__init__()
        if hidden % heads:
            raise ArchitectureError(f"{heads} heads do not divide hidden size {hidden}")
        self.heads, self.kind = heads, kind
        self.dense = nn.Linear(hidden, hidden)
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, s, h = x.shape
        y = self.dense(x).view(b, s, self.heads, h // self.heads).transpose(1, 2)
        if self.kind == "DFT":
            out = torch.fft.fft2(y, dim=(-2, -1)).real
        else:
            out = dct_ii(dct_ii(y, -2), -1)
        self.softmax(out)  # computed by the paper's code and unused; softmax confidence reads it
        return out.transpose(1, 2).reshape(b, s, h)


class ConvMixer(nn.Module):
    """DSC: ConvBERT span-based dynamic convolution mixed with self-attention (transformers'
    implementation), heads = layer heads / 2 (at least 1), then dense + residual + LayerNorm."""

    def __init__(self, hidden: int, heads: int, kernel: int):
        super().__init__()
        if hidden % heads:
            raise ArchitectureError(f"{heads} heads do not divide hidden size {hidden}")
        cfg = ConvBertConfig(hidden_size=hidden, num_attention_heads=heads, head_ratio=2,
                             conv_kernel_size=kernel, layer_norm_eps=LN_EPS,
                             hidden_dropout_prob=DROPOUT, attention_probs_dropout_prob=DROPOUT,
                             initializer_range=INIT_STD)
        self.attention = ConvBertSelfAttention(cfg)
        self.output = ConvBertSelfOutput(cfg)
        # transformers returns the attention probabilities; passing them through an identity
        # module lets hooks see them like every other operation's softmax output.
        self.softmax = nn.Identity()

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        context, probs = self.attention(x, attention_mask=mask)
        self.softmax(probs)
        return self.output(context, x)


class AttentionOutput(nn.Module):
    """Dense + dropout + residual + LayerNorm after SA."""

    def __init__(self, hidden: int):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LN_EPS)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(y)) + x)


class FeedForward(nn.Module):
    """dense hidden->ff, GELU, (n-1) x (dense ff->ff, GELU), dense ff->hidden, residual, LN."""

    def __init__(self, hidden: int, ff: int, n: int):
        super().__init__()
        dims = [hidden] + [ff] * n
        self.dense = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:],
                                                                  strict=True))
        self.act = nn.ModuleList(nn.GELU() for _ in range(n))
        self.output = nn.Linear(ff, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LN_EPS)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for dense, act in zip(self.dense, self.act, strict=True):
            y = act(dense(y))
        return self.LayerNorm(self.dropout(self.output(y)) + x)


class EncoderLayer(nn.Module):
    def __init__(self, layer: Layer, hidden: int, ff: int):
        super().__init__()
        op, param = layer.operation_type, layer.operation_parameter
        heads = layer.num_operation_heads
        self.operation_type = op
        if op == "SA" and param in ("SDP", "WMA"):
            self.mixer = SelfAttention(hidden, heads, wma=param == "WMA")
            self.mixer_output = AttentionOutput(hidden)
        elif op == "LT" and param in ("DFT", "DCT"):
            self.mixer = LinearTransform(hidden, heads, param)
            self.mixer_output = None
        elif op == "DSC" and param in (5, 9):
            self.mixer = ConvMixer(hidden, heads, int(param))
            self.mixer_output = None  # ConvBertSelfOutput is inside
        else:
            raise ArchitectureError(f"unknown operation {op}/{param}")
        self.feed_forward = FeedForward(hidden, ff, layer.num_feed_forward)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        y = self.mixer(x, mask)
        if self.mixer_output is not None:
            y = self.mixer_output(y, x)
        return self.feed_forward(y)


class Encoder(nn.Module):
    """ELECTRA-small-style encoder of one architecture."""

    def __init__(self, arch: Architecture, faithful: bool = True):
        super().__init__()
        hidden = FAITHFUL_HIDDEN if faithful else arch.hidden_size
        self.hidden_size = hidden
        cfg = ElectraConfig(vocab_size=VOCAB_SIZE, embedding_size=EMBEDDING_SIZE,
                            hidden_size=hidden, max_position_embeddings=MAX_POSITIONS,
                            type_vocab_size=2, layer_norm_eps=LN_EPS,
                            hidden_dropout_prob=DROPOUT, pad_token_id=0)
        self.embeddings = ElectraEmbeddings(cfg)
        self.embeddings_project = nn.Linear(EMBEDDING_SIZE, hidden)
        self.layers = nn.ModuleList(
            EncoderLayer(layer, hidden, FAITHFUL_FF if faithful else layer.feed_forward_dimension)
            for layer in arch.layers
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """ELECTRA's init: normal(0, 0.02) weights, zero biases, unit LayerNorm."""
        for module in self.modules():
            if isinstance(module, nn.Linear | nn.Embedding | nn.Conv1d):
                nn.init.normal_(module.weight, 0.0, INIT_STD)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        for name, p in self.named_parameters():
            if name.endswith("key_conv_attn_layer.bias"):
                nn.init.zeros_(p)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None):
        return self.forward_embedded(self.embeddings(input_ids=input_ids), attention_mask)

    def forward_embedded(self, emb: torch.Tensor, attention_mask: torch.Tensor | None = None):
        """The encoder from the embeddings' output (B, S, 128) on."""
        mask = None
        if attention_mask is not None:  # (B, S) of 1/0 -> additive (B, 1, 1, S)
            mask = (1.0 - attention_mask[:, None, None, :].to(emb.dtype)) * torch.finfo(
                emb.dtype).min
        h = self.embeddings_project(emb)
        for layer in self.layers:
            h = layer(h, mask)
        return h


def roles(layer: EncoderLayer) -> dict[str, list[nn.Module]]:
    """The modules each metric reads in one layer, by role (declared here, once).

    mixing: every linear of the token-mixing operation, output dense included (synaptic
    diversity); heads: the linears of the operation proper (head importance); confidence: the
    q, k, v, WMA and LT input linears (head confidence); softmax: the operation's softmax
    output; ffn: the feed-forward linears (synaptic saliency); gelu: its activations.
    """
    mixer = layer.mixer
    if isinstance(mixer, SelfAttention):
        heads = [mixer.query, mixer.key, mixer.value] + ([mixer.wma] if mixer.wma else [])
        confidence = list(heads)
        mixing = heads + [layer.mixer_output.dense]
    elif isinstance(mixer, LinearTransform):
        heads = confidence = mixing = [mixer.dense]
    else:
        att = mixer.attention
        confidence = [att.query, att.key, att.value]
        heads = confidence + [att.conv_kernel_layer, att.conv_out_layer]
        mixing = heads + [mixer.output.dense]
    ffn = layer.feed_forward
    return {
        "mixing": mixing,
        "heads": heads,
        "confidence": confidence,
        "softmax": [mixer.softmax],
        "ffn": [*ffn.dense, ffn.output],
        "gelu": list(ffn.act),
    }
