"""Markdown summaries of the result tables (results/*/summary.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nasmetrics.compare import abs_interval, ranks_reversed


def _fmt(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.3f}"


REVERSED = " (reversed)"


def _abs_tau_cells(t: pd.DataFrame, intended_sign: dict[str, int] | None = None) -> pd.DataFrame:
    """Per metric: |tau|, where the table has them the interval of |tau|, and whether the
    signed tau points against ``intended_sign`` (the sign of tau that means the metric ranks
    the way its definition says; metrics missing from it are never marked)."""
    tau = t["kendall_tau"].to_numpy()
    out = pd.DataFrame({"abs_tau": np.abs(tau)}, index=t["metric"])
    signs = np.array([(intended_sign or {}).get(m, 0) for m in t["metric"]])
    out["reversed"] = ranks_reversed(tau, signs)
    if {"kendall_tau_low", "kendall_tau_high"} <= set(t.columns):
        out["low"], out["high"] = abs_interval(t["kendall_tau_low"], t["kendall_tau_high"])
    else:
        out["low"] = out["high"] = np.nan
    return out


def _fmt_interval(row) -> str:
    if pd.isna(row["abs_tau"]):
        return "–"
    mark = REVERSED if row["reversed"] else ""
    if pd.isna(row["low"]):
        return _fmt(row["abs_tau"]) + mark
    return f"{row['abs_tau']:.3f} [{row['low']:.3f}, {row['high']:.3f}]{mark}"


def best_statement(setting: str, t: pd.DataFrame, labels: dict[str, str],
                   intended_sign: dict[str, int] | None = None) -> str:
    """Which metric has the highest |tau| in one setting, and which others the data cannot
    rank apart from it: those whose |tau| interval overlaps its interval. Names of metrics
    whose tau points against ``intended_sign`` carry the reversed mark."""
    cells = _abs_tau_cells(t, intended_sign).dropna(subset=["abs_tau"])
    if cells.empty:
        return f"- {setting}: no metric has a defined tau."

    def name_of(m: str) -> str:
        return labels.get(m, m) + (REVERSED if cells.loc[m, "reversed"] else "")

    best = cells["abs_tau"].idxmax()
    b = cells.loc[best]
    name = name_of(best)
    if pd.isna(b["low"]):
        return f"- {setting}: highest \\|tau\\| {name} ({b['abs_tau']:.3f}; no interval)."
    ties = [name_of(m) for m, r in cells.iterrows()
            if m != best and not pd.isna(r["low"]) and r["high"] >= b["low"]]
    text = (f"- {setting}: highest \\|tau\\| {name} ({b['abs_tau']:.3f}, 95% interval "
            f"{b['low']:.3f} to {b['high']:.3f}); ")
    if ties:
        return text + ("not distinguishable from it (intervals overlap): "
                       + ", ".join(ties) + ".")
    return text + "its interval overlaps no other metric's."


def summary_table(correlations: dict[str, pd.DataFrame], comparison: pd.DataFrame | None,
                  labels: dict[str, str], families: dict[str, str] | None = None,
                  intended_sign: dict[str, int] | None = None) -> str:
    """One row per metric of any setting, in first-seen order: its family (with
    ``families``), |tau| with its bootstrap interval per setting (corpus or mode; "–" where
    the setting does not score it), the published values' |tau| on the same ids and over the
    whole published file, and the per-architecture agreement (Spearman) with the published
    values; then, per setting, the best metric and every metric whose interval overlaps its
    interval (the data cannot rank those apart). With ``intended_sign`` (per metric the sign
    of tau that means it ranks as its definition intends) a tau of the other sign is marked
    reversed. Shared by both sides."""
    comp = comparison.set_index("metric") if comparison is not None else None
    metrics = list(dict.fromkeys(m for t in correlations.values() for m in t["metric"]))
    head = ["metric"] + (["family"] if families else [])
    for corpus, t in correlations.items():
        head.append(f"\\|tau\\| {corpus} (n={int(t['n'].max())}) [95% interval]")
    if comp is not None:
        head += [f"\\|tau\\| published, same ids (n={int(comp['n'].max())})",
                 "agreement with published (Spearman)",
                 f"\\|tau\\| published, all {int(comp['n_published_all'].max()):,}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    cell_tables = [_abs_tau_cells(t, intended_sign) for t in correlations.values()]
    for metric in metrics:
        cells = [labels.get(metric, metric)] + ([families.get(metric, "")] if families else [])
        for t in cell_tables:
            cells.append(_fmt_interval(t.loc[metric]) if metric in t.index else "–")
        if comp is not None:
            if metric in comp.index:
                c = comp.loc[metric]
                cells += [_fmt(abs(c["kendall_tau_published"])),
                          _fmt(c["agreement_spearman"]),
                          _fmt(abs(c["published_kendall_tau_all"]))]
            else:
                cells += ["–"] * 3
        rows.append("| " + " | ".join(cells) + " |")
    rows += ["", "Best single metric per setting (bootstrap intervals, docs/evaluation.md):"]
    rows += [best_statement(setting, t, labels, intended_sign)
             for setting, t in correlations.items()]
    return "\n".join(rows) + "\n"


def held_out_statement(setting: str, ensembles: pd.DataFrame, target: str,
                       seconds: float | None = None,
                       proxy_seconds: float | None = None) -> str:
    """One line per setting from its ensembles.csv: the best single metric chosen on training
    data, the best learned combination, the description alone and what the metrics add to
    it, all held out (mean ± sd over the held-out folds); and the scoring cost, with the
    proxies' own passes where the setting scores them."""
    t = ensembles[ensembles["target"] == target]
    cost = "" if seconds is None else f" Scoring: {seconds:.1f} s per architecture (median)."
    if seconds is not None and proxy_seconds is not None and np.isfinite(proxy_seconds):
        cost = cost[:-1] + f", of which the proxies' passes {proxy_seconds:.1f} s (median)."
    if t.empty:
        return f"- {setting}: too few architectures for held-out learning.{cost}"

    def fmt(row) -> str:
        return f"{row['kendall_tau']:.3f} ± {row['kendall_tau_sd']:.3f}"

    single = t[(t["method"] == "best_single") & (t["features"] == "metrics")].iloc[0]
    metrics_only = t[t["features"] == "metrics"]
    best = metrics_only.loc[metrics_only["kendall_tau"].idxmax()]
    desc = t[t["features"] == "description"]
    desc_best = desc.loc[desc["kendall_tau"].idxmax()]
    both = t[t["features"] == "metrics+description"]
    both_best = both.loc[both["kendall_tau"].idxmax()]
    gain = both_best["kendall_tau"] - desc_best["kendall_tau"]
    spread = max(both_best["kendall_tau_sd"], desc_best["kendall_tau_sd"])
    verdict = ("the metrics add nothing the description does not already give (within one "
               "standard deviation)" if abs(gain) <= spread else
               f"the metrics add {gain:+.3f}" if gain > 0 else
               f"adding the metrics loses {-gain:.3f}")
    return (f"- {setting}: held-out Kendall tau (oriented, mean ± sd over held-out halves): "
            f"best single metric {fmt(single)}; best combination of the metrics "
            f"({best['method']}) {fmt(best)}; the architecture's description alone "
            f"({desc_best['method']}) {fmt(desc_best)}; metrics + description "
            f"({both_best['method']}) {fmt(both_best)}: {verdict}.{cost}")
