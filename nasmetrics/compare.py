"""Comparisons with published values and ablation spreads, shared by both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from nasmetrics.correlate import correlate, correlation_table


def published_comparison(
    ours: pd.DataFrame,
    published: pd.DataFrame,
    metrics: list[str],
    target: str,
) -> pd.DataFrame:
    """Per metric, on the architecture ids both tables have: each one's correlation with the
    target, and the Spearman correlation between our and the published values.

    Rows are compared only where our value, the published value and the target are finite
    (``n``). ``published_kendall_tau_all`` is the published values' tau over every
    architecture of the published file, for context only: the subset differs.
    """
    pub_target = published[["arch_id", target]].rename(columns={target: "_pub_target"})
    rows = []
    for m in metrics:
        row = {"metric": m}
        if m not in published.columns:
            row.update(n=0)
            rows.append(row)
            continue
        joined = ours[["arch_id", target, m]].merge(
            published[["arch_id", m]].rename(columns={m: "_pub"}), on="arch_id", how="inner")
        x = joined[m].to_numpy(float)
        p = joined["_pub"].to_numpy(float)
        y = joined[target].to_numpy(float)
        keep = np.isfinite(x) & np.isfinite(p) & np.isfinite(y)
        c_ours = correlate(x[keep], y[keep])
        c_pub = correlate(p[keep], y[keep])
        agree = stats.spearmanr(x[keep], p[keep]).statistic if keep.sum() >= 3 else np.nan
        all_pub = published[[m]].join(pub_target)
        c_all = correlate(all_pub[m].to_numpy(float), all_pub["_pub_target"].to_numpy(float))
        row.update(
            n=int(keep.sum()),
            kendall_tau_ours=c_ours["kendall_tau"],
            kendall_tau_published=c_pub["kendall_tau"],
            spearman_rho_ours=c_ours["spearman_rho"],
            spearman_rho_published=c_pub["spearman_rho"],
            agreement_spearman=float(agree),
            published_kendall_tau_all=c_all["kendall_tau"],
            n_published_all=c_all["n"],
        )
        rows.append(row)
    cols = ["metric", "n", "kendall_tau_ours", "kendall_tau_published", "spearman_rho_ours",
            "spearman_rho_published", "agreement_spearman", "published_kendall_tau_all",
            "n_published_all"]
    return pd.DataFrame(rows).reindex(columns=cols)


def relative_spread(df: pd.DataFrame, metrics: list[str], group: str = "arch_id") -> pd.DataFrame:
    """Per metric and architecture: std over the replicates / std of the per-architecture means.

    Below 1, the metric tells architectures apart better than the replicate (input batch or
    seed) moves it. Long format: metric, <group>, relative_spread.
    """
    rows = []
    for m in metrics:
        if m not in df.columns:
            continue
        vals = df[[group, m]].replace([np.inf, -np.inf], np.nan).dropna()
        g = vals.groupby(group)[m]
        between = g.mean().std(ddof=1)
        for key, within in g.std(ddof=1).items():
            ratio = within / between if between and np.isfinite(between) and between > 0 else np.nan
            rows.append({"metric": m, group: key, "relative_spread": float(ratio)})
    return pd.DataFrame(rows, columns=["metric", group, "relative_spread"])


def abs_interval(low, high) -> tuple[np.ndarray, np.ndarray]:
    """The interval of |tau| from the interval [low, high] of tau: [0, max] when it holds 0."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    a, b = np.abs(low), np.abs(high)
    spans_zero = (low <= 0) & (high >= 0)
    return np.where(spans_zero, 0.0, np.minimum(a, b)), np.maximum(a, b)


def ranks_reversed(tau, intended_sign) -> np.ndarray:
    """Whether each tau's sign is the opposite of ``intended_sign`` (the sign that means a
    metric ranks as its definition intends; 0 for none). NaN tau or sign 0: False."""
    return np.asarray(intended_sign, dtype=float) * np.asarray(tau, dtype=float) < 0


def abs_tau_table(correlations: dict[str, pd.DataFrame], published: pd.DataFrame,
                  metrics: list[str], target: str, published_source: str) -> pd.DataFrame:
    """|Kendall tau| of every metric per source, long format (metric, abs_tau, abs_tau_low,
    abs_tau_high, tau, source), for the tau bar figures: ``correlations`` maps a source name
    (e.g. "ours, faithful, ptb") to its correlations.csv table; the published values' tau
    against ``target`` is added as the source ``published_source`` followed by its n, without
    an interval (the published RNN file holds thousands of architectures) and without the
    signed ``tau`` (the published file negates some columns)."""
    parts = []
    for source, t in correlations.items():
        low, high = abs_interval(t["kendall_tau_low"], t["kendall_tau_high"])
        parts.append(pd.DataFrame({"metric": t["metric"], "abs_tau": t["kendall_tau"].abs(),
                                   "abs_tau_low": low, "abs_tau_high": high,
                                   "tau": t["kendall_tau"], "source": source}))
    pub = correlation_table(published, [m for m in metrics if m in published.columns], target,
                            intervals=False)
    parts.append(pd.DataFrame({"metric": pub["metric"], "abs_tau": pub["kendall_tau"].abs(),
                               "abs_tau_low": np.nan, "abs_tau_high": np.nan, "tau": np.nan,
                               "source": f"{published_source} (n={int(pub['n'].max())})"}))
    return pd.concat(parts, ignore_index=True)
