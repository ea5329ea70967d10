"""The NAS-Bench-BERT search space and its sampler.

The benchmark's 500 architectures are exactly what Python's ``random`` seeded with 0 draws, in
this order: per architecture the hidden size, the number of layers, then per layer the
operation type, its parameter, the number of heads, the feed-forward dimension and the number
of feed-forward layers, each by ``random.choice`` over the lists of search_space.json.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    operation_type: str  # SA, LT or DSC
    operation_parameter: str | int  # SDP / WMA, DFT / DCT, or the DSC kernel size
    num_operation_heads: int
    feed_forward_dimension: int
    num_feed_forward: int


@dataclass(frozen=True)
class Architecture:
    hidden_size: int
    layers: tuple[Layer, ...]

    def to_config(self) -> dict:
        """The benchmark's ``model_hparam_overrides`` form."""
        return {
            "hidden_size": self.hidden_size,
            "nas_config": {"encoder_layers": [vars(layer) for layer in self.layers]},
        }


def from_config(overrides: dict) -> Architecture:
    """Read a benchmark entry's ``hparams.model_hparam_overrides``."""
    layers = tuple(Layer(**layer) for layer in overrides["nas_config"]["encoder_layers"])
    return Architecture(int(overrides["hidden_size"]), layers)


def sample(space: dict, n: int, seed: int = 0) -> list[Architecture]:
    """``n`` architectures drawn as the benchmark drew them (seed 0 gives its 500, in order)."""
    rng = random.Random(seed)
    enc = space["encoder_layer"]
    out = []
    for _ in range(n):
        hidden = rng.choice(space["hidden_size"])
        n_layers = rng.choice(space["num_encoder_layers"])
        layers = []
        for _ in range(n_layers):
            op = rng.choice(enc["operation_type"])
            layers.append(Layer(
                operation_type=op,
                operation_parameter=rng.choice(enc[op]),
                num_operation_heads=rng.choice(enc["num_operation_heads"]),
                feed_forward_dimension=rng.choice(enc["feed_forward_dimension"]),
                num_feed_forward=rng.choice(enc["num_feed_forward"]),
            ))
        out.append(Architecture(hidden, tuple(layers)))
    return out
