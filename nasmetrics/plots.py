"""Figures shared by both sides (seaborn, the paper's style: |tau| in titles)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # batch jobs have no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from nasmetrics.atomic import atomic_path  # noqa: E402
from nasmetrics.compare import ranks_reversed  # noqa: E402

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
             families: list[str] | None = None, intended_sign: dict[str, int] | None = None):
    """Grouped bars of |tau|: table has columns metric, source, abs_tau and, where known, the
    interval abs_tau_low / abs_tau_high (drawn as whiskers). ``families`` (one per metric of
    ``order``) marks each metric's family: a label suffix and a line between families. With
    ``intended_sign`` (per metric the sign of tau that means it ranks as its definition
    intends) and a signed ``tau`` column, a bar whose tau has the other sign is hatched."""
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(order) + 1.2))
    sources = list(dict.fromkeys(table["source"]))
    sns.barplot(data=table, y="metric", x="abs_tau", hue="source", order=order,
                hue_order=sources, ax=ax, orient="h", errorbar=None)
    has_interval = {"abs_tau_low", "abs_tau_high"} <= set(table.columns)
    signs = intended_sign if intended_sign and "tau" in table.columns else {}
    hatched = False
    for source, bars in zip(sources, list(ax.containers), strict=True):
        rows = table[table["source"] == source].set_index("metric")
        for bar in bars:  # a metric's bars sit around its row's index in ``order``
            y = bar.get_y() + bar.get_height() / 2
            metric = order[int(round(y))]
            if metric not in rows.index:
                continue
            r = rows.loc[metric]
            if ranks_reversed(r.get("tau", np.nan), signs.get(metric, 0)):
                bar.set_hatch("////")
                bar.set_edgecolor("0.15")
                hatched = True
            if has_interval and np.isfinite(r["abs_tau_low"]):
                ax.errorbar(r["abs_tau"], y,
                            xerr=[[r["abs_tau"] - r["abs_tau_low"]],
                                  [r["abs_tau_high"] - r["abs_tau"]]],
                            fmt="none", ecolor="0.2", elinewidth=0.8, capsize=1.5)
    ax.set(xlabel="|Kendall tau|", ylabel="", title=title)
    if families is not None and len(set(families)) > 1:
        ax.set_yticks(range(len(order)),
                      [f"{m} [{f}]" for m, f in zip(order, families, strict=True)])
        for i in range(1, len(order)):
            if families[i] != families[i - 1]:
                ax.axhline(i - 0.5, color="0.4", linestyle="--", linewidth=0.8)
    handles, labels = ax.get_legend_handles_labels()
    if hatched:
        handles.append(Patch(facecolor="white", edgecolor="0.15", hatch="////"))
        labels.append("hatched: ranks against its definition's direction")
    # right of the axes: the long bars of the last metrics would run under it
    ax.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
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


def _setting_panels(tables: dict[str, pd.DataFrame], width: float, extra: float,
                    height: float, empty_text: str, sharey: bool):
    """A row of panels, one per setting (``tables``: setting -> rows), each titled; a setting
    with no rows gets ``empty_text`` instead of a plot. Returns the figure, its axes and the
    (axes, rows) pairs left to draw."""
    n = len(tables)
    fig, axes = plt.subplots(1, n, figsize=(width * n + extra, height), squeeze=False,
                             sharey=sharey)
    panels = []
    for ax, (setting, t) in zip(axes[0], tables.items(), strict=True):
        ax.set(title=setting)
        if t.empty:
            ax.text(0.5, 0.5, empty_text, ha="center", va="center", transform=ax.transAxes)
            # shared y ticks belong to every panel: clear only the x ones then
            ax.set(xticks=[], **({} if sharey else {"yticks": []}))
            continue
        panels.append((ax, t))
    return fig, axes[0], panels


def _legend_right(fig, axes) -> None:
    """The first panel's legend entries that has any, once, right of the figure."""
    for ax in axes:
        handles, names = ax.get_legend_handles_labels()
        if handles:
            fig.legend(handles, names, loc="center left", bbox_to_anchor=(1.0, 0.5),
                       fontsize="small")
            return


def regret_curves(tables: dict[str, pd.DataFrame], labels: dict[str, str], ylabel: str,
                  title: str):
    """Median regret of the best-of-N pick against N, one panel per setting (``tables``:
    setting -> search.csv rows of one target), one line per method; the random pick and the
    oracle in black, dashed and dotted."""
    fig, axes, panels = _setting_panels(tables, 4.2, 2.8, 4.6,
                                        "fewer architectures than\nthe smallest N: no search",
                                        sharey=False)
    for ax, t in panels:
        methods = list(dict.fromkeys(t["method"]))
        fixed = {"random": dict(color="black", linestyle="--"),
                 "oracle": dict(color="black", linestyle=":")}
        colors = iter(sns.color_palette("husl", max(1, sum(m not in fixed for m in methods))))
        for method in methods:
            rows = t[t["method"] == method].sort_values("n_candidates")
            style = fixed[method] if method in fixed else dict(color=next(colors))
            ax.plot(rows["n_candidates"], rows["median_regret"], marker="o", markersize=3,
                    linewidth=1.2, label=labels.get(method, method), **style)
        ax.set_xscale("log")
        ticks = sorted(set(t["n_candidates"]))
        ax.set_xticks(ticks, [str(x) for x in ticks])
        ax.minorticks_off()
        ax.set(xlabel="N candidates", ylabel=ylabel)
    _legend_right(fig, axes)
    fig.suptitle(title)
    return fig


def ensemble_bars(tables: dict[str, pd.DataFrame], title: str):
    """Held-out Kendall tau (mean, whiskers one standard deviation over the held-out folds)
    of each method on each feature set, one panel per setting (``tables``: setting ->
    ensembles.csv rows of one target)."""
    fig, axes, panels = _setting_panels(tables, 4.4, 1.5, 4.2, "too few architectures",
                                        sharey=True)
    for ax, t in panels:
        methods = list(dict.fromkeys(t["method"]))
        feature_sets = list(dict.fromkeys(t["features"]))
        width = 0.8 / len(feature_sets)
        for i, fs in enumerate(feature_sets):
            rows = t[t["features"] == fs].set_index("method").reindex(methods)
            ax.bar(np.arange(len(methods)) + (i - (len(feature_sets) - 1) / 2) * width,
                   rows["kendall_tau"], width, yerr=rows["kendall_tau_sd"], capsize=2,
                   label=fs)
        ax.set_xticks(range(len(methods)), methods, rotation=30, ha="right")
        ax.set(ylabel="held-out Kendall tau (oriented)")
    axes[0].legend(fontsize="small", loc="lower right")
    fig.suptitle(title)
    return fig


def learning_curves(tables: dict[str, pd.DataFrame], title: str):
    """Held-out Kendall tau against the number of labelled architectures, one line per
    (method, feature set), one panel per setting."""
    fig, axes, panels = _setting_panels(tables, 4.4, 2.8, 4.2, "too few architectures",
                                        sharey=True)
    for ax, t in panels:
        styles = dict(zip(dict.fromkeys(t["features"]), ["-", "--", ":"], strict=False))
        colors = dict(zip(dict.fromkeys(t["method"]), sns.color_palette("deep"),
                          strict=False))
        for (method, fs), rows in t.groupby(["method", "features"], sort=False):
            rows = rows.sort_values("n_train")
            ax.errorbar(rows["n_train"], rows["kendall_tau"], yerr=rows["kendall_tau_sd"],
                        color=colors[method], linestyle=styles.get(fs, "-"), marker="o",
                        markersize=3, capsize=2, label=f"{method}, {fs}")
        ax.set(xlabel="labelled architectures", ylabel="held-out Kendall tau (oriented)")
    _legend_right(fig, axes)
    fig.suptitle(title)
    return fig
