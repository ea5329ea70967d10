"""The NAS-Bench-NLP language model (AWD-LSTM style) built from a recipe.

Embedding (ntokens x emsize) -> ``nlayers`` stacked recipe cells -> decoder tied to the
embedding plus its own bias. Layer i has input width emsize (i = 0) or nhid, hidden width
nhid, except the last layer whose hidden width is emsize when tied. The parameter count equals
the benchmark's ``num_params`` exactly (tests check all 344 WikiText-2 and 275 PTB recipes).

The forward pass is written for the metrics, not for training: it runs layer by layer so the
``x`` projections of a whole sequence are one matrix product (the layer's whole input is known
before its recurrence starts), and it hands back the hidden states entering every step and
every activation output (through ``on_activation``) so that one pass serves every metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nasmetrics.rnn.recipe import Recipe
from nasmetrics.seeding import seed_everything


@dataclass(frozen=True)
class ModelShape:
    """Sizes shared by every NAS-Bench-NLP log (checked: all 345 WikiText-2 logs)."""

    ntokens: int
    emsize: int = 400
    nhid: int = 600
    nlayers: int = 3
    tied: bool = True

    def layer_sizes(self) -> list[tuple[int, int]]:
        """(input width, hidden width) of each layer."""
        sizes = []
        for i in range(self.nlayers):
            inp = self.emsize if i == 0 else self.nhid
            hid = self.emsize if (self.tied and i == self.nlayers - 1) else self.nhid
            sizes.append((inp, hid))
        return sizes


class LinearNode(nn.Module):
    """One weight matrix per input plus one bias; output is the sum."""

    def __init__(self, widths: list[int], hidden: int):
        super().__init__()
        self.weights = nn.ParameterList(nn.Parameter(torch.empty(hidden, w)) for w in widths)
        self.bias = nn.Parameter(torch.empty(hidden))


class RecipeCell(nn.Module):
    """One layer of the recurrent cell described by a recipe."""

    def __init__(self, recipe: Recipe, input_size: int, hidden_size: int):
        super().__init__()
        self.recipe = recipe
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.linears = nn.ModuleDict()
        for node in recipe.linear_nodes:
            widths = [input_size if i == "x" else hidden_size for i in node.inputs]
            self.linears[node.name] = LinearNode(widths, hidden_size)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def consumers(self) -> dict[str, list[tuple[str, int]]]:
        """For each tensor a linear node reads (``x``, ``h_prev_i`` or a node), the (node, input
        position) pairs that read it, in the row order of that tensor's stacked weight."""
        out: dict[str, list[tuple[str, int]]] = {}
        for node in self.recipe.linear_nodes:
            for j, inp in enumerate(node.inputs):
                out.setdefault(inp, []).append((node.name, j))
        return out

    def forward(
        self,
        xs: torch.Tensor,
        on_activation: Callable[[torch.Tensor], None] | None = None,
        on_linear: Callable[[str, torch.Tensor], None] | None = None,
        on_product: Callable[[str, torch.Tensor, torch.Tensor], None] | None = None,
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Run the cell over a (steps, B, input_size) input sequence.

        Returns the outputs (h_new_0) of every step and the hidden states h_prev_0 entering
        every step (the first is the zero state), as lists of (B, hidden_size) tensors.
        ``on_activation(out)`` sees every activation output and ``on_linear(node, out)`` every
        linear node's output, every step; ``on_product(src, input, product)`` every product
        of an input with its stacked weight (:meth:`consumers`): the ``x`` one once, for the
        whole sequence, the others once per step.
        """
        batch, hid = xs.shape[1], self.hidden_size
        # Weights that read the same tensor are stacked, so each input is multiplied once per
        # step: one larger GEMM forward and one backward that also sums the input gradient.
        # Each node's bias rides on the product of its first input. The ``x`` input of every
        # step is known up front: its product is one GEMM over the whole sequence.
        # The stacked weights are transposed once here, not inside every step's product: a
        # transpose per step is one autograd node per step, and a double backward (the
        # proxies' Hessian-gradient product) then holds one weight-sized gradient in each of
        # them until the whole pass reaches them, ~2 GB on the largest cells.
        fused: dict[str, tuple[torch.Tensor, torch.Tensor, list[str]]] = {}
        for src, items in self.consumers().items():
            lins = [(self.linears[name], j) for name, j in items]
            weight_t = torch.cat([lin.weights[j].t() for lin, j in lins], dim=1)
            bias = torch.cat([lin.bias if j == 0 else lin.bias.new_zeros(hid) for lin, j in lins])
            fused[src] = (weight_t, bias, [name for name, _ in items])

        x_steps: list[tuple[torch.Tensor, ...]] = []
        if "x" in fused:
            weight_t, bias, _ = fused["x"]
            product = torch.addmm(bias, xs.flatten(0, 1), weight_t).unflatten(0, xs.shape[:2])
            if on_product is not None:
                on_product("x", xs, product)
            x_steps = [p.split(hid, dim=1) for p in product.unbind(0)]

        k = self.recipe.hidden_tuple_size
        # the zero state requires grad when the input does: with frozen weights (the noised
        # passes) a state that no input reaches still has a gradient to ask for
        state = [xs.new_zeros(batch, hid).requires_grad_(xs.requires_grad)] * k
        entering: list[torch.Tensor] = []
        outputs: list[torch.Tensor] = []
        for t, x in enumerate(xs.unbind(0)):
            entering.append(state[0])
            vals: dict[str, torch.Tensor] = {f"h_prev_{i}": s for i, s in enumerate(state)}
            vals["x"] = x
            chunks: dict[str, list[torch.Tensor]] = {}
            multiplied: set[str] = set()
            done = {"x": x_steps[t]} if x_steps else {}
            for node in self.recipe.nodes:
                if node.op == "linear":
                    out = self._linear(node, vals, fused, chunks, multiplied, done, on_product)
                    if on_linear is not None:
                        on_linear(node.name, out)
                else:
                    out = self._eval_op(node, [vals[i] for i in node.inputs], on_activation)
                vals[node.name] = out
            state = [vals[f"h_new_{i}"] for i in range(k)]
            outputs.append(state[0])
        return outputs, entering

    def _linear(self, node, vals, fused, chunks, multiplied, done, on_product):
        # Multiply an input by its stacked weight the first time any consumer needs it (or
        # take this step's slice of a product ``done`` for the whole sequence); the other
        # consumers' chunks wait in ``chunks``.
        for src in node.inputs:
            if src not in multiplied:
                weight_t, bias, names = fused[src]
                parts = done.get(src)
                if parts is None:
                    product = torch.addmm(bias, vals[src], weight_t)
                    if on_product is not None:
                        on_product(src, vals[src], product)
                    parts = product.split(self.hidden_size, dim=1)
                for name, part in zip(names, parts, strict=True):
                    chunks.setdefault(name, []).append(part)
                multiplied.add(src)
        acc, *rest = chunks[node.name]
        for part in rest:
            acc = acc + part
        return acc

    @staticmethod
    def _eval_op(node, args, on_activation):
        op = node.op
        if op == "blend":
            a, b, c = args
            return a * b + (1 - a) * c
        if op == "elementwise_prod":
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if op == "elementwise_sum":
            out = args[0]
            for a in args[1:]:
                out = out + a
            return out
        if op == "activation_tanh":
            out = torch.tanh(args[0])
        elif op == "activation_sigm":
            out = torch.sigmoid(args[0])
        elif op == "activation_leaky_relu":
            out = F.leaky_relu(args[0], 0.01)
        else:  # parse_recipe rejects unknown ops; this guards against a Recipe built by hand
            raise ValueError(f"node {node.name!r}: unknown op {op!r}")
        if on_activation is not None:
            on_activation(out)
        return out


class RNNModel(nn.Module):
    """Embedding -> stacked recipe cells -> tied decoder."""

    def __init__(self, recipe: Recipe, shape: ModelShape):
        super().__init__()
        self.shape = shape
        self.embedding = nn.Embedding(shape.ntokens, shape.emsize)
        self.cells = nn.ModuleList(RecipeCell(recipe, i, h) for i, h in shape.layer_sizes())
        # Tied decoder: the weight is the embedding matrix, only the bias is its own.
        self.decoder_bias = nn.Parameter(torch.zeros(shape.ntokens))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        for cell in self.cells:
            cell.reset_parameters()
        nn.init.zeros_(self.decoder_bias)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward_from_embedding(
        self,
        emb: torch.Tensor,
        on_activation: Callable[[int, torch.Tensor], None] | None = None,
        on_linear: Callable[[int, str, torch.Tensor], None] | None = None,
        on_product: Callable[[int, str, torch.Tensor, torch.Tensor], None] | None = None,
    ) -> tuple[torch.Tensor, list[list[torch.Tensor]]]:
        """Run the cells on an embedded sequence (T, B, emsize).

        Returns y, the last layer's output sequence (T, B, emsize) before the decoder, and per
        layer the hidden states entering each step. ``on_activation(layer, out)`` sees every
        activation output, ``on_linear(layer, node, out)`` every linear node output, every
        step, ``on_product(layer, src, input, product)`` every stacked-weight product
        (:meth:`RecipeCell.forward`).
        """
        return run_cells(self.cells, emb, on_activation, on_linear, on_product)

    def decode(self, y: torch.Tensor) -> torch.Tensor:
        return F.linear(y, self.embedding.weight, self.decoder_bias)


def run_cells(
    cells: nn.ModuleList,
    emb: torch.Tensor,
    on_activation: Callable[[int, torch.Tensor], None] | None = None,
    on_linear: Callable[[int, str, torch.Tensor], None] | None = None,
    on_product: Callable[[int, str, torch.Tensor, torch.Tensor], None] | None = None,
) -> tuple[torch.Tensor, list[list[torch.Tensor]]]:
    """:meth:`RNNModel.forward_from_embedding` of the stacked ``cells`` alone."""
    states = []
    h = emb
    for layer, cell in enumerate(cells):
        hook = None if on_activation is None else (lambda out, _l=layer: on_activation(_l, out))
        lin_hook = None if on_linear is None else (
            lambda name, out, _l=layer: on_linear(_l, name, out))
        prod_hook = None if on_product is None else (
            lambda src, inp, out, _l=layer: on_product(_l, src, inp, out))
        outputs, entering = cell(h, hook, lin_hook, prod_hook)
        h = torch.stack(outputs)
        states.append(entering)
    return h, states


def build_model(recipe: Recipe, shape: ModelShape, seed: int = 0) -> RNNModel:
    """Seed python, numpy and torch, then build the model in eval mode (the paper's order)."""
    seed_everything(seed)
    return RNNModel(recipe, shape).eval()
