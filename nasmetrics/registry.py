"""Metric registries: one per side, names as the paper's tables use them (snake_case).

A metric is a small function of a capture object (the tensors that one shared set of passes
produced) returning a float. Registering the same name twice is an error, asking for an
unknown name lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class UnknownMetricError(KeyError):
    pass


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[[Any], float]
    label: str  # the paper's column name, for published comparisons and figure titles


class Registry:
    def __init__(self, side: str):
        self.side = side
        self._metrics: dict[str, Metric] = {}

    def register(self, name: str, label: str) -> Callable:
        def deco(fn: Callable[[Any], float]) -> Callable[[Any], float]:
            if name in self._metrics:
                raise ValueError(f"{self.side} metric {name!r} is registered twice")
            self._metrics[name] = Metric(name, fn, label)
            return fn

        return deco

    def names(self) -> list[str]:
        return list(self._metrics)

    def get(self, name: str) -> Metric:
        try:
            return self._metrics[name]
        except KeyError:
            raise UnknownMetricError(
                f"unknown {self.side} metric {name!r}; valid names: {', '.join(self._metrics)}"
            ) from None

    def compute(self, capture: Any, names: Iterable[str] | None = None) -> dict[str, float]:
        """Every requested metric of one capture, as floats (NaN where undefined)."""
        selected = self.names() if names is None else list(names)
        return {n: float(self.get(n).fn(capture)) for n in selected}
