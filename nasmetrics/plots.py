"""Figures shared by both sides (seaborn, the paper's style: |tau| in titles)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # batch jobs have no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from nasmetrics.atomic import atomic_path  # noqa: E402

sns.set_theme(style="whitegrid", context="paper")


def save(fig, *paths: str) -> None:
    """Write a figure to each path (format from the extension), without timestamps in PDFs,
    each atomically (a killed job leaves no half-written figure: nasmetrics/atomic.py)."""
    for p in paths:
        meta = {"CreationDate": None} if str(p).endswith(".pdf") else None
        with atomic_path(p) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight", metadata=meta)
    plt.close(fig)


def scatter(x: np.ndarray, y: np.ndarray, title: str, xlabel: str, ylabel: str):
    """Metric (x) against the benchmark's target (y); non-finite pairs are left out.

    Metrics spanning many orders of magnitude go on a log axis: negative ones (the covariance
    scores) as their negation, labelled so.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    fig, ax = plt.subplots(figsize=(4.2, 3.4))
    wide = len(x) > 1 and (np.all(x > 0) or np.all(x < 0)) and (
        np.abs(x).max() / max(np.abs(x).min(), 1e-300) > 1e3)
    if wide and np.all(x < 0):
        x, xlabel = -x, f"−({xlabel})"
    sns.scatterplot(x=x, y=y, s=12, alpha=0.6, edgecolor=None, ax=ax)
    if wide:
        ax.set_xscale("log")
        xlabel += ", log scale"
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def tau_bars(table: pd.DataFrame, order: list[str], title: str,
             families: list[str] | None = None):
    """Grouped bars of |tau|: table has columns metric, source, abs_tau. ``families`` (one per
    metric of ``order``) marks each metric's family: a label suffix and a line between
    families."""
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(order) + 1.2))
    sns.barplot(data=table, y="metric", x="abs_tau", hue="source", order=order, ax=ax,
                orient="h")
    ax.set(xlabel="|Kendall tau|", ylabel="", title=title)
    if families is not None and len(set(families)) > 1:
        ax.set_yticks(range(len(order)),
                      [f"{m} [{f}]" for m, f in zip(order, families, strict=True)])
        for i in range(1, len(order)):
            if families[i] != families[i - 1]:
                ax.axhline(i - 0.5, color="0.4", linestyle="--", linewidth=0.8)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def spread_boxes(table: pd.DataFrame, order: list[str], title: str):
    """Box plots of relative spread per metric; table has metric, source, relative_spread, kind."""
    kinds = list(dict.fromkeys(table["kind"]))
    fig, axes = plt.subplots(len(kinds), 1, figsize=(7.5, 3.2 * len(kinds)), squeeze=False)
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        sub = table[table["kind"] == kind]
        sns.boxplot(data=sub, x="metric", y="relative_spread", hue="source", order=order, ax=ax,
                    fliersize=2)
        ax.set_yscale("log")
        ax.set(xlabel="", ylabel="within / between std", title=f"{title}: {kind}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
        ax.tick_params(axis="x", rotation=60)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
    fig.tight_layout()
    return fig


def factor_boxes(long: pd.DataFrame, value: str, title: str):
    """One box plot per factor of ``value`` by level; long has factor, level, <value>."""
    factors = list(dict.fromkeys(long["factor"]))
    fig, axes = plt.subplots(1, len(factors), figsize=(3.0 * len(factors), 3.4), squeeze=False,
                             sharey=True)
    for ax, factor in zip(axes[0], factors, strict=True):
        sub = long[long["factor"] == factor]
        order = sorted(sub["level"].unique(), key=lambda s: (len(s), s))
        sns.boxplot(data=sub, x="level", y=value, order=order, ax=ax, fliersize=2)
        means = sub.groupby("level")[value].mean()
        ax.set_xticks(range(len(order)),
                      [f"{lv}\nmean {means[lv]:.1f}\nn={int((sub['level'] == lv).sum())}"
                       for lv in order], fontsize="small")
        ax.set(xlabel=factor, ylabel=value if ax is axes[0][0] else "")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def checkpoint_taus(agreement: pd.DataFrame, taus: pd.DataFrame, metrics: list[str]):
    """Pre-training ablation. Left: tau of each checkpoint's GLUE against the final one (as
    published and against the last clean checkpoint). Right: tau of metrics against GLUE at
    each checkpoint. Checkpoints that repeat an earlier one are marked with a cross."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    steps = agreement["step"] / 1e3
    dup = agreement["n_duplicated"] > 0
    left.plot(steps, agreement["kendall_tau_vs_final"], marker="o", ms=3,
              label=f"vs {agreement['final_step'].iloc[0] // 1000}k (published final)")
    left.plot(steps, agreement["kendall_tau_vs_last_clean"], marker="o", ms=3,
              label=f"vs {agreement['last_clean_step'].iloc[0] // 1000}k (last clean)")
    left.scatter(steps[dup], agreement.loc[dup, "kendall_tau_vs_final"], marker="x", s=60,
                 color="red", zorder=3, label="duplicated checkpoint")
    left.set(xlabel="pre-training steps (k)", ylabel="Kendall tau of GLUE",
             title="Checkpoint GLUE vs final GLUE")
    left.legend(fontsize="small")
    sub = taus[taus["metric"].isin(metrics)].copy()
    sub["step_k"] = sub["step"] / 1e3
    sns.lineplot(data=sub, x="step_k", y="kendall_tau", hue="metric", style="source",
                 markers=True, dashes=False, ax=right, markersize=4)
    d = sub[sub["duplicated"]]
    right.scatter(d["step_k"], d["kendall_tau"], marker="x", s=40, color="red", zorder=3)
    right.set(xlabel="pre-training steps (k)", ylabel="Kendall tau vs GLUE",
              title="Metric vs GLUE at each checkpoint")
    right.legend(fontsize="x-small", ncol=2)
    fig.tight_layout()
    return fig
