"""NAS-Bench-BERT: the benchmark JSON and the paper's published metric table as DataFrames."""

from __future__ import annotations

import io
import json

import pandas as pd

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.space import Architecture, from_config, sample

TASKS = ["cola", "mnli", "mrpc", "qnli", "qqp", "rte", "sst", "sts"]
LAYER_FIELDS = {"operation_type": "type", "operation_parameter": "parameter",
                "num_operation_heads": "heads", "feed_forward_dimension": "ff_dim",
                "num_feed_forward": "ff_layers"}

# Published columns that are not metrics (the metrics' columns are in the registry).
ID_COLUMNS = {"ID": "arch_id", "GLUE Score": "glue"}


def arch_row(arch_id: int, arch: Architecture) -> dict:
    row = {"arch_id": arch_id, "hidden_size": arch.hidden_size, "n_layers": len(arch.layers),
           "architecture": json.dumps(arch.to_config(), sort_keys=True)}
    for field, col in LAYER_FIELDS.items():
        row[col] = [str(getattr(layer, field)) if field == "operation_parameter"
                    else getattr(layer, field) for layer in arch.layers]
    return row


def arch_table(benchmark: list[dict]) -> pd.DataFrame:
    """results/bert/archs.parquet: architecture fields (per-layer lists), GLUE scores and the
    benchmark's training time (``train_seconds``, its ``time_to_train``)."""
    rows = []
    for entry in benchmark:
        arch = from_config(entry["hparams"]["model_hparam_overrides"])
        row = arch_row(int(entry["id"]), arch)
        scores = entry.get("scores", {})
        row["glue"] = float(scores.get("glue", float("nan")))
        for task in TASKS:
            row[task] = float(scores.get(task, float("nan")))
        # what training this architecture cost the benchmark (seconds on its TPU)
        row["train_seconds"] = float(entry.get("time_to_train", float("nan")))
        rows.append(row)
    return pd.DataFrame(rows).sort_values("arch_id", kind="stable").reset_index(drop=True)


def sampled_table(space: dict, n_benchmark: int, n_sample: int) -> pd.DataFrame:
    """``n_sample`` architectures beyond the benchmark: the sampler's stream continues, so
    ids n_benchmark, n_benchmark + 1, ... are its next draws (no GLUE score)."""
    extra = sample(space, n_benchmark + n_sample, seed=0)[n_benchmark:]
    return pd.DataFrame([arch_row(n_benchmark + i, a) for i, a in enumerate(extra)])


def read_published(text: str) -> pd.DataFrame:
    """BERT_results_activation.csv (or an ablation CSV) with our metric names."""
    df = pd.read_csv(io.StringIO(text.lstrip("\ufeff")))
    columns = {**ID_COLUMNS, **BERT_METRICS.published_columns()}
    unknown = [c for c in df.columns if c not in columns]
    if unknown:
        raise ValueError(f"published BERT table has unknown columns: {unknown}")
    df = df.rename(columns=columns)
    df["arch_id"] = df["arch_id"].astype("int64")
    return df


def search_space_long(archs: pd.DataFrame) -> pd.DataFrame:
    """GLUE by search-space choice, long format: factor, level, arch_id, glue.

    Factors: n_layers, hidden_size, and operation type; an architecture counts once under
    every operation type it has in any layer (so the type groups overlap).
    """
    parts = []
    for factor in ("n_layers", "hidden_size"):
        parts.append(pd.DataFrame({"factor": factor, "level": archs[factor].astype(str),
                                   "arch_id": archs["arch_id"], "glue": archs["glue"]}))
    types = archs[["arch_id", "glue", "type"]].copy()
    types["level"] = types["type"].map(lambda ts: sorted(set(ts)))
    types = types.explode("level").drop(columns="type").assign(factor="operation_type")
    parts.append(types[["factor", "level", "arch_id", "glue"]])
    out = pd.concat(parts, ignore_index=True)
    return out[out["glue"].notna()].reset_index(drop=True)


def search_space_summary(long: pd.DataFrame) -> pd.DataFrame:
    """factor, level, n, mean_glue, median_glue."""
    g = long.groupby(["factor", "level"], sort=True)["glue"]
    return pd.DataFrame({"n": g.size(), "mean_glue": g.mean(),
                         "median_glue": g.median()}).reset_index()


def ablation_ids(published: pd.DataFrame) -> list[int]:
    """The ablation architectures: the ids of a published ablation table, in first-seen order."""
    return [int(i) for i in dict.fromkeys(published["arch_id"].tolist())]


def ablation_choice(archs: pd.DataFrame, published_batch: pd.DataFrame,
                    published_seed: pd.DataFrame, n_archs: int) -> pd.DataFrame:
    """The first ``n_archs`` of the architectures the published ablation tables name (both
    must name the same ones, in the same order), looked up in the whole benchmark ``archs``
    (so ``bert.limit`` cannot remove them): rank, arch_id, architecture, glue."""
    ids = ablation_ids(published_batch)
    seed_ids = ablation_ids(published_seed)
    if ids != seed_ids:
        raise ValueError(f"the published ablations name different architectures: {ids} vs "
                         f"{seed_ids}")
    if n_archs > len(ids):
        raise ValueError(f"bert.ablation.n_archs is {n_archs}; the published ablations have "
                         f"{len(ids)} architectures")
    missing = sorted(set(ids) - set(archs["arch_id"]))
    if missing:
        raise ValueError(f"ablation architectures {missing} are not in the benchmark")
    chosen = archs.set_index("arch_id").loc[ids[:n_archs]].reset_index()
    chosen.insert(0, "rank", range(len(chosen)))
    return chosen[["rank", "arch_id", "architecture", "glue"]]
