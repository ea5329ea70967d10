"""Figures shared by both sides (seaborn, the paper's style: |tau| in titles)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # batch jobs have no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

sns.set_theme(style="whitegrid", context="paper")


def save(fig, *paths: str) -> None:
    """Write a figure to each path (format from the extension), without timestamps in PDFs."""
    for p in paths:
        meta = {"CreationDate": None} if p.endswith(".pdf") else None
        fig.savefig(p, dpi=150, bbox_inches="tight", metadata=meta)
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


def tau_bars(table: pd.DataFrame, order: list[str], title: str):
    """Grouped bars of |tau|: table has columns metric, source, abs_tau."""
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(order) + 1.2))
    sns.barplot(data=table, y="metric", x="abs_tau", hue="source", order=order, ax=ax,
                orient="h")
    ax.set(xlabel="|Kendall tau|", ylabel="", title=title)
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
        ax.tick_params(axis="x", rotation=60)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
    fig.tight_layout()
    return fig
