"""results/timings.csv: seconds per architecture and peak memory of every scoring job, from
Snakemake's ``benchmark:`` records (one TSV per job: wall seconds ``s``, ``max_rss`` in MiB,
bytes / 1024²)."""

from __future__ import annotations

import math

import pandas as pd

COLUMNS = ["rule", "job", "n_archs", "seconds", "seconds_per_arch", "max_rss_mb"]


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # "-" when the job ended before memory was sampled
        return math.nan


def timing_row(rule: str, job: str, n_archs: int, bench: pd.DataFrame) -> dict:
    seconds = _number(bench["s"].iloc[0])
    return {"rule": rule, "job": job, "n_archs": int(n_archs), "seconds": seconds,
            "seconds_per_arch": seconds / n_archs if n_archs else math.nan,
            "max_rss_mb": _number(bench["max_rss"].iloc[0])}


def timings_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)
