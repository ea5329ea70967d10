"""The zero-cost proxies' passes of one RNN architecture, run once for all of them.

The loss is the language model's own objective: next-token cross-entropy through the tied
decoder and its bias, on the scored (steps, batch) input with the next tokens as targets,
averaged over all steps x batch tokens. zico reads the batch as two halves of columns (columns
of an RNN in eval mode are independent). The passes (:func:`_loss_passes`): one forward of the
cells over the whole batch and one backward through it give each half's weight gradients,
their sum the batch gradient g (grad_norm, snip, plain) and fisher's activation gradients; a
second forward and backward carrying the weights themselves as forward-mode tangents (one half
of the columns at a time for the largest cells) give H theta, and grasp's exact -theta' H g
as -g' H theta (H is symmetric), without keeping any backward's graph (the memory of the
cells' second-order pass is that of a first-order one); synflow is one float64 pass of a
copy of the cells with |W|, one all-ones column of embedding-sized inputs over the same number
of steps, R = the sum of the decoder's outputs (written out).

The decoder and the softmax are not differentiated by autograd: their first and second
derivatives are written out (:class:`_Decoder`) and run in chunks of tokens, so the
vocabulary-sized logits never sit in a graph, and the cells run once per pass whatever the
vocabulary.

The proxy weights (:func:`proxy_weights`) are every weight matrix of the cells' linear nodes
(one per node input) and the tied embedding / decoder matrix, counted once with its gradient
through both uses; biases are not counted (the references count layer weights only).
"""

from __future__ import annotations

import functools
import time

import torch
import torch.autograd.forward_ad as fwAD

from nasmetrics import proxies
from nasmetrics.proxies import ProxyCapture
from nasmetrics.rnn.model import RNNModel, run_cells
from nasmetrics.rnn.passes import is_large_cell

# logits per chunk of tokens: 360 tokens of the 33,278-word WikiText-2 decoder, 1,200 of
# PTB's 10,000; each of a chunk's four logits-sized temporaries is 48 MB, above glibc's
# largest mmap threshold (32 MB), so it is unmapped when freed instead of left in the heap
CHUNK_ELEMENTS = 12_000_000


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


def run_proxy_passes(model: RNNModel, ids: torch.Tensor, targets: torch.Tensor,
                     chunk_elements: int = CHUNK_ELEMENTS) -> ProxyCapture:
    """Every proxy of ``model`` on ``ids`` (steps, batch) with next tokens ``targets``.

    The decoder runs in chunks of tokens whose logits hold at most ``chunk_elements`` numbers.
    """
    start = time.perf_counter()
    if ids.shape != targets.shape:
        raise ValueError(f"targets {tuple(targets.shape)} do not match ids {tuple(ids.shape)}")
    steps, batch = ids.shape
    named = proxy_weights(model)
    weights = [w for _, w in named]
    decoder = _Decoder(model, targets, max(1, chunk_elements // model.shape.ntokens))
    halves = [chunks[0] for chunks in proxies.sample_halves(batch, batch, ids.device)]

    laps = _Laps(start)
    sums = proxies.PassSums([steps * len(c) for c in halves])
    per_activation = _loss_passes(model, weights, ids, decoder, halves, sums, laps)
    values = sums.values(per_activation, batch)
    laps.lap("sums")
    values["synflow"] = _synflow(model, steps)
    values["flops"] = flops(model)
    laps.lap("synflow")
    return ProxyCapture(values, time.perf_counter() - start, dict(laps))


class _Laps(dict):
    """Seconds per named pass: :meth:`lap` charges the time since the previous lap."""

    def __init__(self, start: float):
        super().__init__()
        self._last = start

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self[name] = self.get(name, 0.0) + now - self._last
        self._last = now


class _Decoder:
    """The tied decoder and the loss (summed cross-entropy over all tokens of the batch),
    differentiated by hand, ``rows`` tokens at a time. :meth:`hessian` computes each chunk's
    softmax again rather than have :meth:`gradients` keep them all (vocabulary x tokens
    numbers, 466 MB in float32 for WikiText-2's 3,500 tokens, alive through the cells'
    backwards and the tangent forward): one more vocabulary-sized product per chunk, the
    twelfth, for a quarter of a job's peak memory."""

    def __init__(self, model: RNNModel, targets: torch.Tensor, rows: int):
        self.weight = model.embedding.weight.detach()
        self.bias = model.decoder_bias.detach()
        self.targets = targets
        self.n_tokens = targets.numel()
        self.rows = rows

    def _chunks(self, *tensors: torch.Tensor, cols: torch.Tensor):
        # (steps, len(cols), width) tensors of the columns ``cols`` as token rows, with the
        # targets of those columns
        flat = [t.reshape(-1, t.shape[-1]) for t in tensors]
        flat.append(self.targets[:, cols].reshape(-1))
        for s in range(0, len(flat[-1]), self.rows):
            yield s, [t[s:s + self.rows] for t in flat]

    def _delta(self, p: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # dL/dlogits = (p - onehot) / n_tokens, in place of the softmax p
        p[torch.arange(len(target)), target] -= 1
        return p.div_(self.n_tokens)

    def _softmax(self, y_rows: torch.Tensor) -> torch.Tensor:
        return torch.softmax(torch.addmm(self.bias, y_rows, self.weight.t()), dim=-1)

    def gradients(self, y: torch.Tensor, cols: torch.Tensor):
        """For the tokens of columns ``cols`` of ``y`` (steps, batch, emsize): dL/dy there
        (zero elsewhere) and the decoder's own dL/dW."""
        part = y.new_empty(y.shape[0] * len(cols), y.shape[-1])
        grad_w = torch.zeros_like(self.weight)
        for s, (y_rows, target) in self._chunks(y[:, cols], cols=cols):
            delta = self._delta(self._softmax(y_rows), target)
            part[s:s + len(target)] = delta @ self.weight
            grad_w.addmm_(delta.t(), y_rows)
        grad_y = torch.zeros_like(y)
        grad_y[:, cols] = part.view(y.shape[0], len(cols), y.shape[-1])
        return grad_y, grad_w

    def hessian(self, y: torch.Tensor, y_dot: torch.Tensor, cols: torch.Tensor,
                own: torch.Tensor) -> torch.Tensor:
        """The decoder's part of H u over the tokens of columns ``cols``, u the direction of
        the weights themselves (u = theta), whose derivative is ``y_dot`` at the cells' output
        and the decoder weight W itself at W (the bias has none); ``y`` and ``y_dot`` (steps,
        len(cols), emsize) hold those columns. With z the logits, delta = dL/dz, S = d delta
        / dz (per token (diag p - p p') / n_tokens) and z_dot = y_dot W' + y W' = y_dot W' +
        z - b, H u = J'(S z_dot) + grad <delta, z_dot>, J = dz/dweights. Returns the output
        gradient to send back through y, (S z_dot + delta) W, and adds the decoder weight's
        own term (S z_dot)' y + delta' y_dot to ``own``: five vocabulary-sized products per
        chunk (the logits, z_dot, those three), where a direction other than theta needs
        seven. The other part, grad <delta W, y_dot>, is the Hessian of <r, y> times u
        (:func:`_loss_passes`)."""
        out = y.new_empty(y.shape[0] * y.shape[1], y.shape[-1])
        for s, (y_rows, dot_rows, target) in self._chunks(y, y_dot, cols=cols):
            z = torch.addmm(self.bias, y_rows, self.weight.t())
            p = torch.softmax(z, dim=-1)
            delta = self._delta(p.clone(), target)
            # in place where an input is spent: each temporary is a chunk of logits
            z_dot = z.sub_(self.bias).addmm_(dot_rows, self.weight.t())
            z_dot.sub_((p * z_dot).sum(-1, keepdim=True))
            s_z = p.mul_(z_dot).div_(self.n_tokens)
            del z_dot, z
            own.addmm_(s_z.t(), y_rows).addmm_(delta.t(), dot_rows)
            out[s:s + len(target)] = s_z.add_(delta) @ self.weight
        return out.view(y.shape)


def _loss_passes(model, weights, ids, decoder, halves, sums, laps):
    """Hands ``sums`` (:class:`proxies.PassSums`), weight by weight, each half's gradient of
    its part of the batch's mean loss and then the batch gradient g with H theta (grasp's
    -g' H theta); returns, per linear node (layer, node),
    the per-column sums over steps of a * dL/da (fisher's).

    With y the cells' output and r = dL/dy (the decoder's, :meth:`_Decoder.gradients`):

    1. one forward; one backward of <r, y> (the cells' and the lookup's part of g, the
       activation gradients), which also forms the gradient of <r1 - r2, y>, r1 and r2 the
       halves' parts of r (:class:`_HalvesDifference`): the halves' gradients are (g +- that)
       / 2, formed in float64 one weight at a time;
    2. grasp is -theta' H g, one number, and H is symmetric: it is computed as -g' H theta,
       with the weights themselves as the direction, where the decoder's second-order part
       needs five vocabulary-sized products per chunk instead of seven
       (:meth:`_Decoder.hessian`). H theta is the derivative of the gradient along theta,
       taken in forward mode over the backward (no graph of a backward is kept): a forward
       with every proxy weight carrying itself as a tangent gives y and its tangent y_dot =
       dy/dweights . theta; the decoder's part is written out from y_dot and is the tangent
       of r; one backward of <r, y> with those tangents carries, beside the gradient, its
       derivative along theta: the cells' and the lookup's part of H theta. The loss is a
       sum over columns, so for the largest cells (:func:`passes.is_large_cell`) this runs
       once per half of the columns and the halves' H theta add up: a graph carrying tangents
       is twice a plain one's, and those cells' job peak is set here.

    ``laps`` (:class:`_Laps`) gets the seconds of each of these passes.
    """
    if len(halves) != 2:
        raise ValueError(f"the proxy passes take two halves of the batch, got {len(halves)}")
    outs: dict = {}
    diff_sums = _HalvesDifference(model, ids, halves)
    emb = model.embedding(ids)
    diff_sums.watch_lookup(emb)
    y = model.forward_from_embedding(
        emb, on_linear=lambda layer, node, o: outs.setdefault((layer, node), []).append(o),
        on_product=diff_sums.watch_product)[0]
    del emb
    flat = [a for items in outs.values() for a in items]
    n_w = len(weights)
    laps.lap("forward")
    grads_y, decoder_w = zip(*(decoder.gradients(y.detach(), cols) for cols in halves),
                             strict=True)
    r = sum(grads_y)
    del grads_y
    laps.lap("decoder_gradients")
    grads = torch.autograd.grad(y, [*weights, *flat], grad_outputs=r, retain_graph=True,
                                allow_unused=True)
    laps.lap("first_backward")
    big_g, act_grads = list(grads[:n_w]), grads[n_w:]
    del grads, y
    diff = diff_sums.per_weight(model, big_g)
    laps.lap("halves_difference")
    # node outputs are (columns, units) per step: per column, the sum over the steps; read
    # first, so that the forward's graph, which the node outputs hold, is gone before the
    # float64 halves are formed
    per_activation = list(proxies.activation_sums(outs, act_grads).values())
    del act_grads, flat
    outs.clear()
    # g in the weights' dtype, for grasp's -g' H theta; the halves in float64 block by block
    decoder_w = list(decoder_w)
    g_all: list[torch.Tensor | None] = []
    for i, w in enumerate(weights):
        g, d = big_g[i], diff[i]
        big_g[i] = diff[i] = None
        parts = decoder_w if i == 0 else None  # the embedding: lookup + decoder
        g_all.append(sums.add_rows(w, functools.partial(_halves, g, d, parts)))
        del g, d, parts
    decoder_w.clear()
    laps.lap("halves_and_activation_sums")

    own = torch.zeros_like(decoder.weight)
    h_theta: list[torch.Tensor | None] = [None] * n_w
    # for the largest cells one half of the columns at a time (they are independent), each
    # in its own dual level: leaving it frees the tangents the pass made, which would
    # otherwise stay to the end
    for cols in halves if is_large_cell(model.cells[0].recipe) else [torch.cat(halves)]:
        with fwAD.dual_level():
            duals = [fwAD.make_dual(w.detach().requires_grad_(), w.detach()) for w in weights]
            y = _forward_with(model, duals, ids[:, cols])
            y_primal, y_dot = fwAD.unpack_dual(y)
            if y_dot is None:  # no proxy weight reaches y
                y_dot = torch.zeros_like(y_primal)
            laps.lap("tangent_forward")
            grad_y = decoder.hessian(y_primal.detach(), y_dot.detach(), cols, own)
            del y_primal, y_dot
            laps.lap("decoder_hessian")
            part = torch.autograd.grad(y, duals, grad_outputs=fwAD.make_dual(r[:, cols], grad_y),
                                       allow_unused=True)
            del y, grad_y, duals
            for i, h in enumerate(part):
                if h is not None:
                    h = fwAD.unpack_dual(h).tangent
                    h_theta[i] = h if h_theta[i] is None else h_theta[i].add_(h)
            del part, h
        laps.lap("tangent_backward")
    # the embedding's H theta: the lookup's and the cells' part, and the decoder's own
    h_theta[0] = own if h_theta[0] is None else own.add_(h_theta[0])
    del own
    for g, h in zip(g_all, h_theta, strict=True):
        if g is not None:  # no gradient: that weight adds nothing to g' H theta
            sums.add_hessian(g, h)
    return per_activation


class _HalvesDifference:
    """The gradient of <r1 - r2, y> (r1, r2 the halves' parts of the output gradient r),
    formed during the backward of <r, y> instead of by a second backward.

    Columns of an RNN in eval mode are independent and the halves are disjoint sets of them,
    so every gradient that backward of <r1 - r2, y> would carry is the one of <r, y> with the
    second half's columns negated: for each product P = X W' + b of an input with its stacked
    weight (:meth:`RecipeCell.forward`), the halves' difference of dL/dW' is X' (s * dL/dP),
    s = +1 on the first half's columns and -1 on the second's, and that of the lookup's
    dL/dE is the scatter of s * dL/demb. A hook on each product (and on the looked-up
    embeddings) receives dL/dP as the one backward forms it and adds that contraction, the
    weight-gradient half of a backward; the other half, the activation gradients, is not
    formed again. The difference is still formed directly, not as the difference of the
    halves' gradients: zico divides by it, and for many entries it is 1e-6 of the halves'
    gradients or less, near the rounding a float32 backward accumulates in each."""

    def __init__(self, model: RNNModel, ids: torch.Tensor, halves: list[torch.Tensor]):
        self.ids = ids
        self.sign = torch.ones(ids.shape[1], 1, dtype=model.embedding.weight.dtype,
                               device=ids.device)
        self.sign[halves[1]] = -1
        # (layer, src) -> (stacked output width, input width) sum; the lookup's (rows, emsize)
        self.sums: dict[tuple[int, str], torch.Tensor] = {}
        self.lookup = None

    def watch_product(self, layer: int, src: str, inp: torch.Tensor,
                      product: torch.Tensor) -> None:
        if product.requires_grad:
            x = (inp.detach() * self.sign).reshape(-1, inp.shape[-1])
            product.register_hook(functools.partial(self._add, (layer, src), x))

    def _add(self, key, x: torch.Tensor, grad: torch.Tensor) -> None:
        grad = grad.reshape(-1, grad.shape[-1])
        acc = self.sums.get(key)
        self.sums[key] = grad.t() @ x if acc is None else acc.addmm_(grad.t(), x)

    def watch_lookup(self, emb: torch.Tensor) -> None:
        if emb.requires_grad:
            emb.register_hook(self._add_lookup)

    def _add_lookup(self, grad: torch.Tensor) -> None:
        self.lookup = (grad * self.sign).reshape(-1, grad.shape[-1])

    def per_weight(self, model: RNNModel, big_g: list) -> list[torch.Tensor | None]:
        """The difference for each of :func:`proxy_weights`, None where the batch gradient
        ``big_g`` is None (no output depends on that weight)."""
        weight = model.embedding.weight
        emb = None
        if self.lookup is not None:
            emb = torch.zeros_like(weight).index_add_(0, self.ids.reshape(-1), self.lookup)
        self.lookup = None
        found = {"embedding": emb}
        for layer, cell in enumerate(model.cells):
            for src, items in cell.consumers().items():
                acc = self.sums.pop((layer, src), None)
                for k, (node, j) in enumerate(items):  # proxy_weights' names
                    found[f"cells.{layer}.{node}.{j}"] = None if acc is None else acc[
                        k * cell.hidden_size:(k + 1) * cell.hidden_size]
        out = []
        for (name, _), g in zip(proxy_weights(model), big_g, strict=True):
            d = found[name]
            if g is not None and d is None:
                raise RuntimeError(f"{name} has a gradient but no product hook saw it")
            out.append(None if g is None else d)
        return out


def _halves(g: torch.Tensor | None, d: torch.Tensor | None,
            decoder_parts: list[torch.Tensor] | None, rows: slice) -> list[torch.Tensor] | None:
    """Rows ``rows`` of one weight's two half gradients in float64, from the batch gradient g
    and the halves' difference d: (g + d) / 2 and (g - d) / 2 (d converted exactly), plus the
    decoder's own part of each half where given (the embedding); None without any."""
    if g is None:
        return None if decoder_parts is None else [
            p[rows].to(torch.float64, copy=True) for p in decoder_parts]
    halves = [g[rows].to(torch.float64, copy=True).add_(d[rows]).div_(2),
              g[rows].to(torch.float64, copy=True).sub_(d[rows]).div_(2)]
    for h, p in zip(halves, decoder_parts or [], strict=False):
        h.add_(p[rows])
    return halves


def _forward_with(model: RNNModel, weights: list[torch.Tensor], ids: torch.Tensor):
    """The cells' output on ``ids`` with :func:`proxy_weights` replaced by ``weights`` (dual
    tensors: their tangents ride along)."""
    names = {id(p): name for name, p in model.named_parameters()}
    swap = {names[id(w)]: d for (_, w), d in zip(proxy_weights(model), weights, strict=True)}
    return torch.func.functional_call(_Cells(model), {f"model.{k}": v for k, v in swap.items()},
                                      (ids,))


class _Cells(torch.nn.Module):
    # the embedding and the cells as one module call, for torch.func.functional_call
    def __init__(self, model: RNNModel):
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model.forward_from_embedding(self.model.embedding(ids))[0]


def _synflow(model: RNNModel, steps: int) -> float:
    """float64 copy with |W| (biases too), one all-ones column of embedding-sized inputs
    entering the cells for ``steps`` steps, R = the sum of the decoder's outputs. The
    recurrent activations (tanh, sigmoid, leaky ReLU) are kept: with |W| and positive inputs
    leaky ReLU is the identity, as ReLU is in the reference; sigmoid and tanh stay smooth
    gates.

    The tied decoder is written out rather than copied (its float64 |W| and gradient would be
    two more vocabulary-sized arrays): with c the column sums of |W|, step t adds
    c . y_t + sum |b| to R, so dR/dy_t = c, and every row of the decoder weight's dR/dW is
    s = sum_t y_t: its term sum |W| * |dR/dW| is c . |s|."""
    cells = proxies.abs_double_copy(model.cells)
    weights = [w for cell in cells for lin in cell.linears.values() for w in lin.weights]
    decoder = model.embedding.weight.detach()
    c = sum(decoder[rows].abs().double().sum(0) for rows in proxies.row_blocks(decoder))
    ones = torch.ones(steps, 1, model.shape.emsize, dtype=torch.float64, device=decoder.device)
    y, _ = run_cells(cells, ones)
    grads = torch.autograd.grad(y, weights, grad_outputs=c.expand_as(y), allow_unused=True)
    decoder_term = float((c * y.detach().sum((0, 1)).abs()).sum())
    return decoder_term + proxies.synflow(weights, grads)
