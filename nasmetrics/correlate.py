"""Rank-correlation tables of metric columns against a target (loss or GLUE), via scipy,
with bootstrap intervals of Kendall tau and Spearman rho (nasmetrics/bootstrap.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from nasmetrics.bootstrap import tau_rho_intervals

CORRELATION_COLUMNS = ["metric", "n", "kendall_tau", "kendall_tau_low", "kendall_tau_high",
                       "spearman_rho", "spearman_rho_low", "spearman_rho_high", "pearson_r",
                       "kendall_p", "spearman_p"]


def correlate(x: np.ndarray, y: np.ndarray, intervals: bool = False,
              seed: int = 0) -> dict[str, float]:
    """Kendall tau-b, Spearman rho and Pearson r over the pairs where both are finite; with
    ``intervals``, the seeded bootstrap 95% intervals of tau and rho (NaN without)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(keep.sum())
    out = {"n": n, "kendall_tau": np.nan, "spearman_rho": np.nan, "pearson_r": np.nan,
           "kendall_p": np.nan, "spearman_p": np.nan, "kendall_tau_low": np.nan,
           "kendall_tau_high": np.nan, "spearman_rho_low": np.nan, "spearman_rho_high": np.nan}
    # Fewer than 3 pairs, or a constant column, has no defined correlation: NaN, n says why.
    if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        tau = stats.kendalltau(x, y)
        rho = stats.spearmanr(x, y)
        out.update(kendall_tau=float(tau.statistic), kendall_p=float(tau.pvalue),
                   spearman_rho=float(rho.statistic), spearman_p=float(rho.pvalue),
                   pearson_r=float(stats.pearsonr(x, y).statistic))
        if intervals:
            out.update(tau_rho_intervals(x, y, seed=seed))
    return out


def correlation_table(df: pd.DataFrame, metrics: list[str], target: str,
                      intervals: bool = True) -> pd.DataFrame:
    """One row per metric: correlations of ``df[metric]`` against ``df[target]``, with their
    bootstrap intervals unless ``intervals`` is False (their columns are then NaN). Every
    metric's resamples come from the same seed: metrics with the same finite rows are
    resampled alike."""
    rows = [{"metric": m, **correlate(df[m].to_numpy(float), df[target].to_numpy(float),
                                      intervals)}
            for m in metrics]
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
