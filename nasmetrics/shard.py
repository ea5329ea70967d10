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
    scorer: Callable[[dict], dict[str, dict[str, float]]],
    metric_names: Iterable[str],
    modes: Sequence[str],
    precheck: Callable[[dict], tuple[str, str] | None] = lambda item: None,
    log: Callable[[str], None] = print,
    progress: PartialRows | None = None,
    key: Callable[[dict], Hashable] = lambda item: item["arch_id"],
    extra_columns: Sequence[str] = (),
) -> dict[str, pd.DataFrame]:
    """Score ``items`` (dicts with at least ``arch_id``) in every one of ``modes``.

    ``scorer(item)`` returns {mode: {metric: value}}: one set of passes serves all the modes
    it can (both RNN modes), so each mode's table comes from the same call.
    ``precheck(item)`` may return (status, error) to skip scoring (e.g. an invalid recipe).
    ``progress``: rows finished by an earlier, interrupted run of the same job are reused
    (matched in order by ``key(item)``), and every new row is appended to it when done.
    Returns one table per mode; columns: arch_id, the metrics, ``extra_columns`` (values the
    scorer returns beside the metrics, e.g. a part's seconds: NaN when not scored, never a
    status), status, error, seconds (the architecture's wall time for all the modes together).
    """
    names = list(metric_names)
    modes = list(modes)
    done = []
    total = len(items)
    if progress is not None:
        done = progress.load([key(item) for item in items])
        # a row must hold every mode asked for now (a file written for other modes, or in an
        # older row format, is trusted only up to its first row that does not)
        whole = [isinstance(r.get("modes"), dict) and set(modes) <= set(r["modes"])
                 for r in done]
        done = done[: whole.index(False)] if False in whole else done
        progress.start(done)  # drop whatever follows the trusted prefix
        if done:
            log(f"resuming: {len(done)} of {total} already scored by an interrupted run")
    rows = [{k: v for k, v in row.items() if k != "_key"} for row in done]
    for i, item in enumerate(items[len(rows):], len(rows) + 1):
        start = time.perf_counter()
        per_mode = {m: dict.fromkeys([*names, *extra_columns], math.nan) for m in modes}
        states = {}
        skip = precheck(item)
        if skip is not None:
            states = dict.fromkeys(modes, skip)
        else:
            try:
                scored = scorer(item)
                for m in modes:
                    per_mode[m].update(scored[m])
                    bad = [n for n in names if not math.isfinite(per_mode[m][n])]
                    states[m] = ("ok", "") if not bad else (
                        "nonfinite_metric", f"undefined for this architecture: {', '.join(bad)}")
            except Exception as exc:  # one broken architecture must not stop the shard
                states = dict.fromkeys(modes, ("metric_error", f"{type(exc).__name__}: {exc}"))
                log(traceback.format_exc())
        seconds = time.perf_counter() - start
        row = {"arch_id": item["arch_id"], "seconds": seconds,
               "modes": {m: {**per_mode[m], "status": states[m][0], "error": states[m][1]}
                         for m in modes}}
        rows.append(row)
        if progress is not None:
            progress.append(key(item), row)
        summary = ", ".join(f"{m} {states[m][0]}" for m in modes)
        log(f"[{i}/{total}] arch {item['arch_id']}: {summary} in {seconds:.1f} s")
    columns = ["arch_id", *names, *extra_columns, "status", "error", "seconds"]
    return {m: pd.DataFrame([{"arch_id": r["arch_id"], **r["modes"][m], "seconds": r["seconds"]}
                             for r in rows], columns=columns) for m in modes}


def score_replicates(
    arch_id,
    kind: str,
    n: int,
    score_one: Callable[[int], dict[str, dict[str, float]]],
    metric_names: Iterable[str],
    modes: Sequence[str],
    log: Callable[[str], None] = print,
    progress: PartialRows | None = None,
) -> dict[str, pd.DataFrame]:
    """One architecture under ``n`` replicates of an ablation (kind ``batch`` or ``seed``):
    ``score_one(r)`` scores replicate r in every mode. One table per mode; columns: arch_id,
    kind, replicate, the metrics, status, error, seconds; rows are resumable per replicate like
    score_rows'."""
    if kind not in ("batch", "seed"):
        raise ValueError(f"ablation kind must be 'batch' or 'seed', got {kind!r}")
    items = [{"arch_id": arch_id, "replicate": r} for r in range(n)]
    tables = score_rows(items, lambda item: score_one(item["replicate"]), metric_names, modes,
                        log=log, progress=progress,
                        key=lambda item: (item["arch_id"], item["replicate"]))
    for table in tables.values():
        table.insert(1, "kind", kind)
        table.insert(2, "replicate", range(n))
    return tables
