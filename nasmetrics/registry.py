"""Metric registries: one per side, the one place a metric is described.

A metric is a small function of a capture object (the tensors that one shared set of passes
produced) returning a float, registered with everything the rest of the workflow needs to know
about it: its label (the paper's name), the columns that hold it in published files, its family,
which direction is better, and what it reads. Tables, figures and published comparisons select
metrics through these fields, never by name. Registering the same name twice is an error;
asking for an unknown name lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

FAMILIES = ("paper", "proxy")


class UnknownMetricError(KeyError):
    pass


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[[Any], float]
    label: str  # the paper's name, for tables and figure titles
    published: tuple[str, ...]  # columns holding it in the published files (aliases after)
    family: str  # "paper": the paper's metrics; "proxy": the zero-cost literature's
    higher_is_better: bool  # by definition: a higher value predicts a better architecture
    needs_gradient: bool  # reads a backward pass
    needs_data: bool  # reads the input batch (False: the same for every input)
    needs_init: bool  # reads the randomly initialised weights (False: the same for every seed)
    normalized: str | None  # the metric that is this one divided by its number of terms
    alias_of: str | None = None  # a metric whose value (in corrected mode) this one is

    @property
    def varies_with_replicate(self) -> bool:
        """Whether an input-batch or seed ablation can move it (the parameter count cannot)."""
        return self.needs_data or self.needs_init


class Registry:
    def __init__(self, side: str):
        self.side = side
        self._metrics: dict[str, Metric] = {}

    def register(self, name: str, label: str, *, published: Iterable[str] | None = None,
                 family: str = "paper", higher_is_better: bool = True,
                 needs_gradient: bool = False, needs_data: bool = True,
                 needs_init: bool = True, normalized: str | None = None,
                 alias_of: str | None = None) -> Callable:
        """Decorator. ``published`` defaults to the label alone; pass ``()`` for a metric the
        published files do not have. ``alias_of``: the literature's name for a metric already
        registered, whose value it reads (never computed twice)."""
        if alias_of is not None and alias_of not in self._metrics:
            raise ValueError(f"{self.side} metric {name!r}: alias of unknown {alias_of!r}")
        if family not in FAMILIES:
            raise ValueError(f"{self.side} metric {name!r}: family must be one of {FAMILIES}, "
                             f"got {family!r}")

        def deco(fn: Callable[[Any], float]) -> Callable[[Any], float]:
            if name in self._metrics:
                raise ValueError(f"{self.side} metric {name!r} is registered twice")
            columns = (label,) if published is None else tuple(published)
            self._metrics[name] = Metric(name, fn, label, columns, family, higher_is_better,
                                         needs_gradient, needs_data, needs_init, normalized,
                                         alias_of)
            return fn

        return deco

    def names(self, family: str | None = None) -> list[str]:
        return [n for n, m in self._metrics.items() if family is None or m.family == family]

    def scored_names(self, proxies: bool) -> list[str]:
        """The metrics a scores table holds: the paper's, and the proxies when scored."""
        return self.names() if proxies else self.names("paper")

    def metrics(self) -> list[Metric]:
        return list(self._metrics.values())

    def get(self, name: str) -> Metric:
        try:
            return self._metrics[name]
        except KeyError:
            raise UnknownMetricError(
                f"unknown {self.side} metric {name!r}; valid names: {', '.join(self._metrics)}"
            ) from None

    def published_columns(self) -> dict[str, str]:
        """Published column name -> metric name, aliases included."""
        return {col: m.name for m in self._metrics.values() for col in m.published}

    def replicate_names(self, family: str | None = None) -> list[str]:
        """The metrics (of ``family``) an input-batch or seed ablation can move."""
        return [m.name for m in self._metrics.values() if m.varies_with_replicate
                and (family is None or m.family == family)]

    def compute(self, capture: Any, names: Iterable[str] | None = None) -> dict[str, float]:
        """Every requested metric of one capture, as floats (NaN where undefined)."""
        selected = self.names() if names is None else list(names)
        return {n: float(self.get(n).fn(capture)) for n in selected}


# The proxies each side's proxy passes compute (name, label, registry flags), their
# definitions in nasmetrics.proxies; nwot, jacov and meco read the paper metrics' passes and
# are registered by each side. Here, beside the registry and without torch, so that a table
# job reads the metrics' descriptions without importing the models.
PASS_PROXIES = (
    ("grad_norm", "grad_norm", {"needs_gradient": True}),
    ("snip", "SNIP", {"needs_gradient": True}),
    ("grasp", "GraSP", {"needs_gradient": True}),
    ("fisher", "Fisher", {"needs_gradient": True}),
    ("synflow", "SynFlow", {"needs_gradient": True, "needs_data": False}),
    ("zico", "ZiCo", {"needs_gradient": True}),
    ("plain", "plain", {"needs_gradient": True}),
    ("l2_norm", "l2_norm", {"needs_data": False}),
    ("flops", "FLOPs", {"needs_data": False, "needs_init": False}),
)
PASS_PROXY_NAMES = tuple(name for name, _, _ in PASS_PROXIES)


def register_pass_proxies(registry) -> None:
    """Register :data:`PASS_PROXIES` in a side's registry: each reads ``capture.proxies``."""
    for name, label, flags in PASS_PROXIES:
        registry.register(name, label, published=(), family="proxy", **flags)(_reader(name))


def _reader(name: str):
    def read(capture) -> float:
        if capture.proxies is None:
            raise ValueError(f"proxy {name!r} needs the proxy passes (next-token targets on "
                             "the RNN side, corrected mode on the transformer side)")
        return capture.proxies.values[name]
    return read
