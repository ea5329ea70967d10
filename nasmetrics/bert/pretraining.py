"""The pre-training ablation: GLUE of 20 architectures at 21 checkpoints (0 to 1M steps).

Only 15 of the 20 have scores in the published file (ids 10, 13, 14, 17, 18 have none; two
are marked still running), so every analysis here runs on those 15.

The published file (BERT_benchmark_train_ablation.json) has a checkpoint mix-up: for ids 0-9
the 500,000-step scores equal the 50,000-step ones and the 1,000,000-step scores equal the
100,000-step ones, task for task (a name-prefix clash between checkpoint directories would
give exactly this). ``checkpoint_table`` flags every checkpoint whose scores repeat an earlier
one's (``duplicate_of``), so each analysis can show the published view and a clean one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nasmetrics.bert.benchmark import TASKS
from nasmetrics.correlate import correlate


def checkpoint_table(entries: list[dict]) -> pd.DataFrame:
    """Long table: arch_id, step, the 8 task scores, glue, duplicate_of (an earlier step whose
    scores are identical, else NaN)."""
    rows = []
    for entry in entries:
        seen: dict[tuple, int] = {}
        for step_text, scores in sorted(entry["scores"].items(), key=lambda kv: int(kv[0])):
            step = int(step_text)
            key = tuple(scores.get(t) for t in [*TASKS, "glue"])
            rows.append({"arch_id": int(entry["id"]), "step": step,
                         **{t: float(scores.get(t, np.nan)) for t in TASKS},
                         "glue": float(scores.get("glue", np.nan)),
                         "duplicate_of": seen.get(key, np.nan)})
            seen.setdefault(key, step)
    return pd.DataFrame(rows)


def checkpoint_agreement(ckpts: pd.DataFrame, benchmark_glue: pd.Series) -> pd.DataFrame:
    """Per checkpoint: Kendall tau of its GLUE against the final (1M-step) GLUE as published,
    against the last checkpoint that is not a duplicate of an earlier one, and against the
    GLUE of the 500-architecture benchmark (``benchmark_glue`` indexed by arch_id)."""
    wide = ckpts.pivot(index="arch_id", columns="step", values="glue")
    dup = ckpts.pivot(index="arch_id", columns="step", values="duplicate_of").notna()
    final = wide.columns.max()
    clean = max(s for s in wide.columns if not dup[s].any())
    bench = benchmark_glue.reindex(wide.index).to_numpy(float)
    rows = []
    for step in wide.columns:
        g = wide[step].to_numpy(float)
        rows.append({
            "step": int(step),
            "n": int(np.isfinite(g).sum()),
            "n_duplicated": int(dup[step].sum()),
            "duplicate_of": ",".join(sorted({str(int(v)) for v in ckpts.loc[
                (ckpts["step"] == step) & ckpts["duplicate_of"].notna(), "duplicate_of"]})),
            "kendall_tau_vs_final": correlate(g, wide[final].to_numpy(float))["kendall_tau"],
            "kendall_tau_vs_last_clean": correlate(g, wide[clean].to_numpy(float))["kendall_tau"],
            "kendall_tau_vs_benchmark": correlate(g, bench)["kendall_tau"],
            "final_step": int(final),
            "last_clean_step": int(clean),
        })
    return pd.DataFrame(rows)


def metric_taus(ckpts: pd.DataFrame, sources: dict[str, pd.DataFrame],
                metrics: list[str]) -> pd.DataFrame:
    """Long table: source, step, metric, n, kendall_tau of the metric against GLUE at that
    checkpoint, over the ablation's architectures that the source has; duplicated marks a
    checkpoint that repeats an earlier one for some architecture."""
    dup_steps = set(ckpts.loc[ckpts["duplicate_of"].notna(), "step"])
    rows = []
    for source, table in sources.items():
        joined = ckpts[["arch_id", "step", "glue"]].merge(table, on="arch_id", how="inner",
                                                          suffixes=("", "_scores"))
        for step, group in joined.groupby("step", sort=True):
            for m in metrics:
                if m not in group.columns:
                    continue
                c = correlate(group[m].to_numpy(float), group["glue"].to_numpy(float))
                rows.append({"source": source, "step": int(step), "metric": m, "n": c["n"],
                             "kendall_tau": c["kendall_tau"],
                             "duplicated": step in dup_steps})
    return pd.DataFrame(rows, columns=["source", "step", "metric", "n", "kendall_tau",
                                       "duplicated"])
