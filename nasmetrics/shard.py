"""Scoring a list of architectures one by one, shared by both sides.

Every architecture gets a row, whatever happens: a failure becomes ``status``/``error``
text with NaN metrics, and the next architecture is scored. Progress goes to ``log``.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable, Sequence

import pandas as pd


def score_rows(
    items: Sequence[dict],
    scorer: Callable[[dict], dict[str, float]],
    metric_names: Iterable[str],
    precheck: Callable[[dict], tuple[str, str] | None] = lambda item: None,
    log: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Score ``items`` (dicts with at least ``arch_id``) with ``scorer``.

    ``precheck(item)`` may return (status, error) to skip scoring (e.g. an invalid recipe).
    Columns: arch_id, the metrics, status, error, seconds.
    """
    names = list(metric_names)
    rows = []
    total = len(items)
    for i, item in enumerate(items, 1):
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
        rows.append({"arch_id": item["arch_id"], **values, "status": status, "error": error,
                     "seconds": seconds})
        log(f"[{i}/{total}] arch {item['arch_id']}: {status} in {seconds:.1f} s")
    return pd.DataFrame(rows, columns=["arch_id", *names, "status", "error", "seconds"])
