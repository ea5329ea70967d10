"""Top-k quality of a training-free metric: does it put the best architectures on top?

Both orientations are fixed, never fitted: the metric's best is its highest value when the
registry says higher is better (else its lowest); the target's best is the lowest loss or the
highest GLUE. Ties are broken by the rows' order (arch_id), so results are deterministic.
Only rows where metric and target are both finite take part (``n``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

TOP_FRACTIONS = (0.05, 0.10)
BR_K = 10
TOPK_COLUMNS = ["metric", "n", "k_5", "precision_at_5", "k_10", "precision_at_10", "br_at_10",
                "kendall_tau_top_10", "n_top_10"]


def order_best_first(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Row indices from best to worst; equal values keep their row order."""
    key = -values if higher_is_better else values
    return np.argsort(key, kind="stable")


def top_count(fraction: float, n: int) -> int:
    """k of a top fraction: ceil(fraction * n), at least 1 (n = 275: 14 and 28)."""
    return max(1, math.ceil(round(fraction * n, 9)))


def topk_row(metric: np.ndarray, target: np.ndarray, metric_higher: bool,
             target_higher: bool) -> dict[str, float]:
    """precision at the top 5% and 10% (share of the metric's top k that are in the target's
    top k), BR@10 (the best target rank, 1 = best, among the metric's 10 best) and Kendall tau
    of metric and target within the target's top 10%."""
    metric = np.asarray(metric, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    keep = np.isfinite(metric) & np.isfinite(target)
    metric, target = metric[keep], target[keep]
    n = len(metric)
    out = {"n": n, **dict.fromkeys(TOPK_COLUMNS[2:], np.nan)}
    if n < 2:
        return out
    by_metric = order_best_first(metric, metric_higher)
    by_target = order_best_first(target, target_higher)
    for fraction, label in zip(TOP_FRACTIONS, ("5", "10"), strict=True):
        k = top_count(fraction, n)
        hits = len(set(by_metric[:k]) & set(by_target[:k]))
        out[f"k_{label}"] = k
        out[f"precision_at_{label}"] = hits / k
    target_rank = np.empty(n, dtype=int)
    target_rank[by_target] = np.arange(1, n + 1)
    out["br_at_10"] = int(target_rank[by_metric[:BR_K]].min())
    top = by_target[:top_count(0.10, n)]
    out["n_top_10"] = len(top)
    if len(top) >= 3 and np.ptp(metric[top]) > 0 and np.ptp(target[top]) > 0:
        out["kendall_tau_top_10"] = float(stats.kendalltau(metric[top], target[top]).statistic)
    return out


def topk_table(df: pd.DataFrame, metrics: list[str], higher: dict[str, bool], target: str,
               target_higher: bool) -> pd.DataFrame:
    """One row per metric (columns TOPK_COLUMNS); ``higher[m]``: the registry's sign."""
    rows = [{"metric": m, **topk_row(df[m].to_numpy(float), df[target].to_numpy(float),
                                     higher[m], target_higher)} for m in metrics]
    return pd.DataFrame(rows, columns=TOPK_COLUMNS)
