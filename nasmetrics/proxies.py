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

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from nasmetrics.scores import correlation_eigenvalues

Tensors = Sequence[torch.Tensor | None]

@dataclass
class ProxyCapture:
    """The values of :data:`nasmetrics.registry.PASS_PROXIES` for one architecture, and the
    wall time of the passes that computed them (beyond the paper metrics' passes); ``laps``:
    the seconds of each of those passes, where the side records them (the RNN side), for the
    benchmarks."""

    values: dict[str, float]
    seconds: float
    laps: dict[str, float] = field(default_factory=dict)


N_HALVES = 2  # zico's two mini-batches


def sample_halves(n: int, per_chunk: int, device=None) -> list[list[torch.Tensor]]:
    """The indices of ``n`` samples cut into two halves (zico's mini-batches), each half in
    chunks of at most ``per_chunk`` samples."""
    if n < N_HALVES:
        raise ValueError(f"the proxies need {N_HALVES}+ samples, the batch has {n}")
    return [list(h.split(per_chunk))
            for h in torch.arange(n, device=device).tensor_split(N_HALVES)]


def abs_double_copy(model: torch.nn.Module) -> torch.nn.Module:
    """SynFlow's network: a float64 copy with every parameter replaced by its absolute value."""
    net = copy.deepcopy(model).double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    return net


# float64 work on a weight runs in blocks of rows of at most this many entries (16 MB), below
# glibc's largest mmap threshold (32 MB): a block's temporaries reuse freed heap memory, where
# a whole embedding-sized float64 array (107 MB on WikiText-2) would map fresh pages on top
# of the heap a pass's graph has grown
BLOCK_ELEMENTS = 2**21


def row_blocks(t: torch.Tensor) -> list[slice]:
    """Slices of ``t``'s first axis, each at most :data:`BLOCK_ELEMENTS` entries (one row at
    least); a tensor of that size or less (or without axes) is one block."""
    if t.dim() == 0 or t.numel() <= BLOCK_ELEMENTS:
        return [slice(None)]
    rows = max(1, BLOCK_ELEMENTS // max(1, t[0].numel()))
    return [slice(s, s + rows) for s in range(0, t.shape[0], rows)]


def _norm_of_blocks(norms: list[float]) -> float:
    # the 2-norm of a tensor from its blocks' norms (one block: its own, to the bit)
    return norms[0] if len(norms) == 1 else math.sqrt(sum(n * n for n in norms))


def _block_norm(block: torch.Tensor) -> float:
    # float64 2-norm of one block of rows (a float64 block is read in place)
    return float(torch.linalg.vector_norm(block.detach().double()))


def _norm(t: torch.Tensor) -> float:
    return _norm_of_blocks([_block_norm(t[rows]) for rows in row_blocks(t)])


def _block_product(w: torch.Tensor, g: torch.Tensor, own: bool = False) -> torch.Tensor:
    # W * g of one block of rows in float64: a fresh float64 copy of the weight multiplied by
    # g in place (each entry of g converted exactly), or, where the caller hands over a
    # float64 g (``own``), g itself overwritten; the two are the same numbers
    w, g = w.detach(), g.detach()
    return g.mul_(w) if own else w.to(torch.float64, copy=True).mul_(g)


def _products(weights: Tensors, grads: Tensors, reduce) -> list[float]:
    # per weight with a gradient (None: no loss depends on it, it adds 0), ``reduce`` of
    # W * g in float64 (which it may overwrite), summed over the weight's blocks of rows
    return [sum(float(reduce(_block_product(w[rows], g[rows]))) for rows in row_blocks(w))
            for w, g in zip(weights, grads, strict=True) if g is not None]


def grad_norm(grads: Tensors) -> float:
    return float(sum(_norm(g) for g in grads if g is not None))


def snip(weights: Tensors, grads: Tensors) -> float:
    return float(sum(_products(weights, grads, lambda p: p.abs_().sum())))


def plain(weights: Tensors, grads: Tensors) -> float:
    return float(sum(_products(weights, grads, torch.sum)))


def grasp(weights: Tensors, hessian_grads: Tensors) -> float:
    """-sum W * (H g): ``hessian_grads`` are the Hessian-gradient products per weight."""
    return -plain(weights, hessian_grads)


def synflow(weights: Tensors, grads: Tensors) -> float:
    """sum |W * dR/dW|, ``weights`` the |W| of the float64 copy and ``grads`` dR/dW."""
    return snip(weights, grads)


def l2_norm(weights: Tensors) -> float:
    return float(sum(_norm(w) for w in weights))


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
        total = _zico_sum([x.detach().double() for x in grads])
        if total != 0:
            score += math.log(total)
    return score


def _zico_sum(grads: list[torch.Tensor]) -> float:
    # sum over the entries with a nonzero deviation of mean |g| / std
    if len(grads) == 2:
        return _zico_pair_blocks(*grads)
    g = torch.stack(grads)
    # population std written out: torch's std over the short first axis is ~20x slower
    std = (g - g.mean(dim=0)).square_().mean(dim=0).sqrt_()
    keep = std != 0
    return float((g.abs().mean(dim=0)[keep] / std[keep]).sum())


def _zico_pair_blocks(a: torch.Tensor, b: torch.Tensor, total: torch.Tensor | None = None) -> float:
    """:func:`_zico_pair_sum` of two batches' gradients block of rows by block; ``total``
    is a + b where the caller already holds it."""
    return sum(_zico_pair_sum(torch.add(a[rows], b[rows]) if total is None else total[rows],
                              torch.sub(a[rows], b[rows]).abs_())
               for rows in row_blocks(a))


def _zico_pair_sum(total: torch.Tensor, deviation: torch.Tensor) -> float:
    """:func:`_zico_sum` of two batches a, b from their sum and ``deviation`` = |a - b|
    (which it overwrites). mean |g| / std = (|a| + |b|) / |a - b|, and |a| + |b| is
    max(|a + b|, |a - b|), in floating point too (rounding is monotonic and the same for
    either sign), so the sum a caller already holds serves; written out, this is a third of
    the full computation's passes over the (embedding-sized) arrays, and no compaction of
    the kept entries."""
    zero = deviation == 0
    ratio = total.abs()
    torch.maximum(ratio, deviation, out=ratio)
    return float(ratio.div_(deviation).masked_fill_(zero, 0).sum())


def meco_layer(features: np.ndarray) -> float:
    """Least eigenvalue of the correlation matrix of ``features`` (variables x observations);
    a constant feature's row and column are zero, as in the reference."""
    v = correlation_eigenvalues(features, constant="zero")
    return float("nan") if v is None else float(v[0])


def loss_gradient_proxies(weights: Sequence[torch.Tensor], loss_of, halves,
                          hessian_chunk: int | None = None) -> dict[str, float]:
    """grad_norm, snip, plain, grasp, fisher, zico and l2_norm from one loss, on both sides.

    ``halves``: two lists of index chunks (the samples of each half batch, cut so that one
    chunk's graph fits in memory). ``loss_of(idx, collect)`` runs the samples ``idx`` and
    returns ``(part, n_terms)``: their part of the whole batch's mean loss and how many loss
    terms (tokens) it averages; it calls ``collect(key, a)`` with every activation ``a`` that
    fisher reads, samples on the first axis and features on the last (several tensors per key
    add up, e.g. one per step). The chunks' gradients add up to the batch gradient g exactly.

    Passes: one forward and one backward per chunk (g, each half's gradient, the activation
    gradients), then one Hessian-gradient product per chunk (a backward with
    ``create_graph`` and a backward of <g, grad>), over chunks of at most ``hessian_chunk``
    samples where given (that pass's graph is the largest: its chunks may be smaller).
    """
    n_w = len(weights)
    half_grads, half_terms = [], []
    fisher_sums: dict = {}
    for chunks in halves:
        half: list[torch.Tensor | None] = [None] * n_w
        terms = 0
        for idx in chunks:
            acts: dict = {}
            part, n_terms = loss_of(idx, lambda key, a, _acts=acts: _acts.setdefault(
                key, []).append(a))
            flat = [a for key in acts for a in acts[key]]
            grads = torch.autograd.grad(part, [*weights, *flat], allow_unused=True)
            half = [add_or_none(h, g) for h, g in zip(half, grads[:n_w], strict=True)]
            for key, s in activation_sums(acts, grads[n_w:]).items():
                fisher_sums.setdefault(key, []).append(s)
            terms += n_terms
            del part, acts, flat, grads
        half_grads.append(half)
        half_terms.append(terms)
    hessian_grads: list[torch.Tensor | None] = [None] * n_w
    total = batch_gradient(half_grads)
    for idx in (c for chunks in halves for chunk in chunks
                for c in (chunk.split(hessian_chunk) if hessian_chunk else [chunk])):
        part, _ = loss_of(idx, lambda key, a: None)
        grads = torch.autograd.grad(part, weights, create_graph=True, allow_unused=True)
        inner = [(g * t).sum() for g, t in zip(grads, total, strict=True)
                 if g is not None and t is not None and g.requires_grad]
        if inner:
            hg = torch.autograd.grad(sum(inner), weights, allow_unused=True)
            hessian_grads = [add_or_none(h, g) for h, g in zip(hessian_grads, hg, strict=True)]
        del part, grads, inner

    # one activation's samples may come from several chunks: concatenate them
    per_activation = [torch.cat(v) for v in fisher_sums.values()]
    n_samples = sum(len(c) for chunks in halves for c in chunks)
    return pass_values(weights, half_grads, hessian_grads, half_terms, per_activation,
                       n_samples)


def batch_gradient(half_grads: Sequence[Tensors]) -> list[torch.Tensor | None]:
    """The whole batch's gradient per weight: the sum of the halves'."""
    return [add_or_none(a, b) for a, b in zip(*half_grads, strict=True)]


def activation_sums(acts: dict, grads: Tensors) -> dict:
    """Per activation key, per sample: the sum over positions of a * dL/da. ``acts``: key ->
    the tensors collected under it (samples first, features last; several add up, e.g. one
    per step); ``grads``: dL/da of every tensor, in the same order (None: no gradient).
    Keys none of whose tensors has a gradient are left out."""
    sums, i = {}, 0
    for key, items in acts.items():
        prods = [(a.detach() * g.detach()).reshape(a.shape[0], -1, a.shape[-1]).sum(1)
                 for a, g in zip(items, grads[i:i + len(items)], strict=True) if g is not None]
        if prods:
            sums[key] = torch.stack(prods).sum(0)
        i += len(items)
    return sums


class _FirstOrderSums:
    """l2_norm, grad_norm, snip and plain of one weight, fed block of rows by block
    (:func:`row_blocks`): the whole-list functions' operations in their order, so the values
    are theirs to the bit; one float64 block of W * g is alive at a time."""

    def __init__(self):
        self.weight_norms: list[float] = []
        self.grad_norms: list[float] = []
        self.snip = self.plain = 0.0

    def add(self, w: torch.Tensor, g: torch.Tensor | None, own: bool = False) -> None:
        """One block of the weight and of its gradient (None: the weight has none); ``own``:
        ``g`` is a float64 array the caller hands over (overwritten)."""
        self.weight_norms.append(_block_norm(w))
        if g is not None:
            self.grad_norms.append(_block_norm(g))
            product = _block_product(w, g, own)
            self.plain += float(product.sum())
            self.snip += float(product.abs_().sum())

    def into(self, sums: dict) -> None:
        sums["l2_norm"] += _norm_of_blocks(self.weight_norms)
        if self.grad_norms:
            sums["grad_norm"] += _norm_of_blocks(self.grad_norms)
            sums["snip"] += self.snip
            sums["plain"] += self.plain


class PassSums:
    """grad_norm, snip, plain, grasp, zico and l2_norm summed weight by weight, so that a
    side's passes can hand over each weight's float64 gradients and drop them before the
    next weight's (a list of every weight's float64 halves and sum is several embedding-sized
    arrays at once). The sums run in the weights' order, as the whole-list functions above
    take them, so the values are the same to the bit.

    ``half_terms``: each half's number of loss terms: each half's own mean loss is its part
    of the batch mean times all terms / its terms; zico's ratio mean |g| / std is unchanged by
    one common factor, so equal halves skip the scaled copies.
    """

    def __init__(self, half_terms: Sequence[int]):
        all_terms = sum(half_terms)
        self.scales = ([all_terms / n for n in half_terms] if all(n > 0 for n in half_terms)
                       else None)
        self._sums = dict.fromkeys(("grad_norm", "snip", "plain", "grasp", "zico", "l2_norm"),
                                   0.0)

    def add(self, weight: torch.Tensor, halves: Tensors) -> torch.Tensor | None:
        """One weight and its halves' gradients; returns the batch gradient (their sum, in
        their dtype; :func:`batch_gradient`), None where the weight has none."""
        if self._float64_pair(halves):
            # float64 halves: zico reads their sum, the batch gradient, and |a - b|
            a, b = (h.detach() for h in halves)
            total = torch.add(a, b)
            self._add_zico(_zico_pair_blocks(a, b, total))
            return self._add_first_order(weight, total)
        total = None
        for h in halves:
            total = add_or_none(total, h)
        if total is not None and self.scales is not None and all(h is not None for h in halves):
            if len(set(self.scales)) > 1:
                halves = [h * c for h, c in zip(halves, self.scales, strict=True)]
            self._add_zico(_zico_sum([h.detach().double() for h in halves]))
        del halves
        return self._add_first_order(weight, total)

    def add_rows(self, weight: torch.Tensor, halves_of) -> torch.Tensor | None:
        """:meth:`add` with the two halves' float64 gradients formed block by block
        (:func:`row_blocks` of ``weight``) by ``halves_of(rows)``: the halves of those rows,
        two fresh float64 arrays it hands over, or None where the weight has no gradient.
        Returns the batch gradient in the weight's dtype. With halves of equal loss terms no
        weight-sized float64 array is formed, and the values are :meth:`add`'s to the bit;
        otherwise the halves are formed whole and go to :meth:`add`."""
        w = weight.detach()
        if self.scales is None or len(set(self.scales)) > 1:  # halves of unequal weight
            whole = halves_of(slice(None))
            total = self.add(weight, [None, None] if whole is None else whole)
            return None if total is None else total.to(w.dtype)
        total = None
        zico = 0.0
        first_order = _FirstOrderSums()
        for rows in row_blocks(w):
            halves = halves_of(rows)
            if halves is None:
                break
            a, b = halves
            del halves
            deviation = torch.sub(a, b).abs_()
            a.add_(b)
            del b
            zico += _zico_pair_sum(a, deviation)
            del deviation
            if total is None:
                total = torch.empty_like(w)
            total[rows] = a
            first_order.add(w[rows], a, own=True)
        if total is None:  # no gradient: l2_norm only
            return self._add_first_order(weight, None)
        self._add_zico(zico)
        first_order.into(self._sums)
        return total

    def _float64_pair(self, halves: Tensors) -> bool:
        # two float64 halves of equal weight (zico's ratio ignores a common factor)
        return (self.scales is not None and len(set(self.scales)) == 1 and len(halves) == 2
                and all(h is not None and h.dtype == torch.float64 for h in halves))

    def _add_zico(self, ratio_sum: float) -> None:
        if ratio_sum != 0:
            self._sums["zico"] += math.log(ratio_sum)

    def _add_first_order(self, weight: torch.Tensor, total: torch.Tensor | None):
        first_order = _FirstOrderSums()
        for rows in row_blocks(weight):
            first_order.add(weight[rows], None if total is None else total[rows])
        first_order.into(self._sums)
        return total

    def add_hessian(self, weight: torch.Tensor, hessian_grad: torch.Tensor | None) -> None:
        """One weight's Hessian-gradient product (grasp)."""
        self._sums["grasp"] += grasp([weight], [hessian_grad])

    def values(self, per_activation: Sequence[torch.Tensor], n_samples: int) -> dict[str, float]:
        """The proxies, with fisher from its per-sample sums (:func:`fisher`)."""
        s = self._sums
        return {
            "grad_norm": s["grad_norm"],
            "snip": s["snip"],
            "plain": s["plain"],
            "grasp": s["grasp"],
            "fisher": fisher(per_activation, n_samples),
            "zico": s["zico"] if self.scales is not None else float("nan"),
            "l2_norm": s["l2_norm"],
        }


def pass_values(weights: Sequence[torch.Tensor], half_grads: Sequence[Tensors],
                hessian_grads: Tensors, half_terms: Sequence[int],
                per_activation: Sequence[torch.Tensor], n_samples: int) -> dict[str, float]:
    """grad_norm, snip, plain, grasp, fisher, zico and l2_norm from what the loss passes
    computed: per half, each weight's gradient of the half's part of the whole batch's mean
    loss and the half's number of loss terms; H g per weight; fisher's per-sample sums."""
    sums = PassSums(half_terms)
    for w, *halves in zip(weights, *half_grads, strict=True):
        sums.add(w, halves)
    for w, hg in zip(weights, hessian_grads, strict=True):
        sums.add_hessian(w, hg)
    return sums.values(per_activation, n_samples)


def add_or_none(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    """a + b (``b`` detached), where None is a gradient that does not exist."""
    b = None if b is None else b.detach()
    if a is None:
        return b
    return a if b is None else a + b
