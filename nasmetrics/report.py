"""Markdown summaries of the result tables (results/*/summary.md)."""

from __future__ import annotations

import pandas as pd


def _fmt(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.3f}"


def summary_table(correlations: dict[str, pd.DataFrame], comparison: pd.DataFrame | None,
                  labels: dict[str, str], families: dict[str, str] | None = None) -> str:
    """One row per metric of any setting, in first-seen order: its family (with
    ``families``), |tau| per setting (corpus or mode; "–" where the setting does not score
    it), the published values' |tau| on the same ids and over the whole published file, and
    the per-architecture agreement (Spearman) with the published values. Shared by both
    sides."""
    comp = comparison.set_index("metric") if comparison is not None else None
    metrics = list(dict.fromkeys(m for t in correlations.values() for m in t["metric"]))
    head = ["metric"] + (["family"] if families else [])
    for corpus, t in correlations.items():
        head.append(f"\\|tau\\| {corpus} (n={int(t['n'].max())})")
    if comp is not None:
        head += [f"\\|tau\\| published, same ids (n={int(comp['n'].max())})",
                 "agreement with published (Spearman)",
                 f"\\|tau\\| published, all {int(comp['n_published_all'].max()):,}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric in metrics:
        cells = [labels.get(metric, metric)] + ([families.get(metric, "")] if families else [])
        for t in correlations.values():
            taus = t.set_index("metric")["kendall_tau"]
            cells.append(_fmt(abs(taus[metric])) if metric in taus.index else "–")
        if comp is not None:
            if metric in comp.index:
                c = comp.loc[metric]
                cells += [_fmt(abs(c["kendall_tau_published"])),
                          _fmt(c["agreement_spearman"]),
                          _fmt(abs(c["published_kendall_tau_all"]))]
            else:
                cells += ["–"] * 3
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
