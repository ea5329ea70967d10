"""Scoring a list of architectures one by one, shared by both sides.

Every architecture gets a row, whatever happens: a failure becomes ``status``/``error``
text with NaN metrics, and the next architecture is scored. Progress goes to ``log``; with a
:class:`~nasmetrics.partial.PartialRows` file each finished row is also kept on disk at once,
and a restarted job takes up where the killed one stopped.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Hashable, Iterable, Sequence

import pandas as pd

from nasmetrics.partial import PartialRows


def score_rows(
    items: Sequence[dict],
    scorer: Callable[[dict], dict[str, float]],
    metric_names: Iterable[str],
    precheck: Callable[[dict], tuple[str, str] | None] = lambda item: None,
    log: Callable[[str], None] = print,
    progress: PartialRows | None = None,
    key: Callable[[dict], Hashable] = lambda item: item["arch_id"],
) -> pd.DataFrame:
    """Score ``items`` (dicts with at least ``arch_id``) with ``scorer``.

    ``precheck(item)`` may return (status, error) to skip scoring (e.g. an invalid recipe).
    ``progress``: rows finished by an earlier, interrupted run of the same job are reused
    (matched in order by ``key(item)``), and every new row is appended to it when done.
    Columns: arch_id, the metrics, status, error, seconds.
    """
    names = list(metric_names)
    rows = []
    total = len(items)
    if progress is not None:
        done = progress.load([key(item) for item in items])
        progress.start(done)  # drop whatever follows the trusted prefix
        rows = [{k: v for k, v in row.items() if k != "_key"} for row in done]
        if rows:
            log(f"resuming: {len(rows)} of {total} already scored by an interrupted run")
    for i, item in enumerate(items[len(rows):], len(rows) + 1):
        start = time.perf_counter()
        values = dict.fromkeys(names, math.nan)
        skip = precheck(item)
        if skip is not None:
            status, error = skip
        else:
            try:
                values.update(scorer(item))
                bad = [n for n in names if not math.isfinite(values[n])]
                status, error = ("ok", "") if not bad else (
                    "nonfinite_metric", f"undefined for this architecture: {', '.join(bad)}")
            except Exception as exc:  # one broken architecture must not stop the shard
                status = "metric_error"
                error = f"{type(exc).__name__}: {exc}"
                log(traceback.format_exc())
        seconds = time.perf_counter() - start
        row = {"arch_id": item["arch_id"], **values, "status": status, "error": error,
               "seconds": seconds}
        rows.append(row)
        if progress is not None:
            progress.append(key(item), row)
        log(f"[{i}/{total}] arch {item['arch_id']}: {status} in {seconds:.1f} s")
    return pd.DataFrame(rows, columns=["arch_id", *names, "status", "error", "seconds"])


def score_replicates(
    arch_id,
    kind: str,
    n: int,
    score_one: Callable[[int], dict[str, float]],
    metric_names: Iterable[str],
    log: Callable[[str], None] = print,
    progress: PartialRows | None = None,
) -> pd.DataFrame:
    """One architecture under ``n`` replicates of an ablation (kind ``batch`` or ``seed``):
    ``score_one(r)`` scores replicate r. Columns: arch_id, kind, replicate, the metrics,
    status, error, seconds; rows are resumable per replicate like score_rows'."""
    if kind not in ("batch", "seed"):
        raise ValueError(f"ablation kind must be 'batch' or 'seed', got {kind!r}")
    items = [{"arch_id": arch_id, "replicate": r} for r in range(n)]
    table = score_rows(items, lambda item: score_one(item["replicate"]), metric_names, log=log,
                       progress=progress, key=lambda item: (item["arch_id"], item["replicate"]))
    table.insert(1, "kind", kind)
    table.insert(2, "replicate", range(n))
    return table
