"""NAS-Bench-NLP recipes: parse, validate and order the cell DAG.

A recipe maps node names to ``{"op": ..., "input": [...]}``. Inputs that are not nodes are
``x`` (the layer input at this step) and ``h_prev_i`` (element i of the previous hidden tuple).
Outputs are ``h_new_0 .. h_new_{k-1}``. Everything that can be wrong with a recipe is found
here, before a model is built, and reported as a :class:`RecipeError` naming the node.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# op -> allowed number of inputs (None: one or more)
OPS: dict[str, int | None] = {
    "linear": None,
    "blend": 3,
    "elementwise_prod": None,
    "elementwise_sum": None,
    "activation_tanh": 1,
    "activation_sigm": 1,
    "activation_leaky_relu": 1,
}
ACTIVATIONS = ("activation_tanh", "activation_sigm", "activation_leaky_relu")

_H_NEW = re.compile(r"h_new_(\d+)")
_H_PREV = re.compile(r"h_prev_(\d+)")


class RecipeError(ValueError):
    """A recipe that cannot be turned into a cell."""


@dataclass(frozen=True)
class Node:
    name: str
    op: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Recipe:
    """A validated recipe: nodes in topological order and the hidden tuple size."""

    nodes: tuple[Node, ...]
    hidden_tuple_size: int

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def linear_nodes(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.op == "linear")

    @property
    def activation_nodes(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.op in ACTIVATIONS)


def parse_recipe(recipe: str | dict) -> Recipe:
    """Parse a recipe (JSON text or dict) into a :class:`Recipe`, or raise RecipeError."""
    if isinstance(recipe, str):
        try:
            recipe = json.loads(recipe)
        except json.JSONDecodeError as exc:
            raise RecipeError(f"recipe is not valid JSON: {exc}") from exc
    if not isinstance(recipe, dict) or not recipe:
        raise RecipeError("recipe must be a non-empty JSON object of nodes")

    nodes: dict[str, Node] = {}
    for name, spec in recipe.items():
        if not isinstance(spec, dict) or "op" not in spec or "input" not in spec:
            raise RecipeError(f"node {name!r}: needs 'op' and 'input'")
        op, inputs = spec["op"], spec["input"]
        if op not in OPS:
            raise RecipeError(f"node {name!r}: unknown op {op!r} (known: {', '.join(OPS)})")
        if not isinstance(inputs, list) or not inputs:
            raise RecipeError(f"node {name!r}: 'input' must be a non-empty list")
        arity = OPS[op]
        if arity is not None and len(inputs) != arity:
            raise RecipeError(f"node {name!r}: op {op!r} takes {arity} inputs, got {len(inputs)}")
        if op != "linear" and "x" in inputs:
            # x has the layer's input width, which differs from the hidden width on the
            # first and last layers: only a linear can consume it.
            raise RecipeError(f"node {name!r}: op {op!r} cannot take the layer input 'x'")
        nodes[name] = Node(name, op, tuple(inputs))

    outputs = sorted(int(m.group(1)) for n in nodes if (m := _H_NEW.fullmatch(n)))
    if not outputs or outputs[0] != 0:
        raise RecipeError("recipe has no output node 'h_new_0'")
    k = outputs[-1] + 1
    if outputs != list(range(k)):
        missing = sorted(set(range(k)) - set(outputs))
        raise RecipeError(f"recipe outputs skip h_new_{missing[0]} (hidden tuple size {k})")

    for node in nodes.values():
        for inp in node.inputs:
            if inp in nodes or inp == "x":
                continue
            m = _H_PREV.fullmatch(inp)
            if m is None:
                raise RecipeError(f"node {node.name!r}: unknown input {inp!r}")
            if int(m.group(1)) >= k:
                raise RecipeError(
                    f"node {node.name!r}: input {inp!r} is outside the hidden tuple of size {k}"
                )

    return Recipe(_topological(nodes), k)


def _topological(nodes: dict[str, Node]) -> tuple[Node, ...]:
    """Kahn's algorithm; ties keep the recipe's own order so the result is deterministic."""
    deps = {n: {i for i in node.inputs if i in nodes} for n, node in nodes.items()}
    done: list[Node] = []
    placed: set[str] = set()
    while len(done) < len(nodes):
        ready = [n for n in nodes if n not in placed and deps[n] <= placed]
        if not ready:
            stuck = sorted(n for n in nodes if n not in placed)
            raise RecipeError(f"recipe has a cycle among nodes {', '.join(stuck)}")
        for n in ready:
            placed.add(n)
            done.append(nodes[n])
    return tuple(done)
