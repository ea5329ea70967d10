"""Markdown summaries of the result tables (results/*/summary.md)."""

from __future__ import annotations

import pandas as pd


def _fmt(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.3f}"


def summary_table(correlations: dict[str, pd.DataFrame], comparison: pd.DataFrame | None,
                  labels: dict[str, str]) -> str:
    """One row per metric: |tau| per setting (corpus or mode), the published values' |tau| on
    the same ids and over the whole published file, and the per-architecture agreement
    (Spearman) with the published values. Shared by both sides."""
    comp = comparison.set_index("metric") if comparison is not None else None
    first = next(iter(correlations.values()))
    head = ["metric"]
    for corpus, t in correlations.items():
        head.append(f"\\|tau\\| {corpus} (n={int(t['n'].max())})")
    if comp is not None:
        head += [f"\\|tau\\| published, same ids (n={int(comp['n'].max())})",
                 "agreement with published (Spearman)",
                 f"\\|tau\\| published, all {int(comp['n_published_all'].max()):,}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric in first["metric"]:
        cells = [labels.get(metric, metric)]
        for t in correlations.values():
            cells.append(_fmt(abs(t.set_index("metric").loc[metric, "kendall_tau"])))
        if comp is not None:
            c = comp.loc[metric]
            cells += [_fmt(abs(c["kendall_tau_published"])), _fmt(c["agreement_spearman"]),
                      _fmt(abs(c["published_kendall_tau_all"]))]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
