"""NAS-Bench-NLP logs and the paper's published RNN tables, as pandas DataFrames.

Inputs are file-like objects or (name, bytes) pairs; the workflow scripts open the files.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.recipe import RecipeError, parse_recipe
from nasmetrics.shard_index import shard_table

_LOG_ID = re.compile(r"log_stats_model_(\d+)_")



def log_id(name: str) -> int | None:
    m = _LOG_ID.search(name)
    return int(m.group(1)) if m else None


def iter_log_files(source: str | bytes | io.IOBase, names: Iterable[str] | None = None):
    """Yield (file name, parsed JSON or exception) for every log in a zip archive.

    ``source`` is anything ``zipfile.ZipFile`` opens. A log that is not valid JSON is yielded
    with its exception, so the caller can keep a status row for it.
    """
    with zipfile.ZipFile(source) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or not base.endswith(".json") or base.startswith("._"):
                continue
            try:
                yield base, json.loads(zf.read(info))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield base, exc


def iter_ptb_logs(path: str):
    """Logs from a folder (searched recursively) or a .zip, for config key rnn.ptb_logs."""
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.rglob("*.json")):
            try:
                yield f.name, json.loads(f.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield f.name, exc
    elif p.is_file() and zipfile.is_zipfile(p):
        yield from iter_log_files(p)
    else:
        raise FileNotFoundError(f"config key rnn.ptb_logs: {path} is neither a folder nor a .zip")


def log_records(logs: Iterable[tuple[str, object]]) -> pd.DataFrame:
    """One row per log: arch_id, recipe, final test loss, num_params, train_seconds (the sum
    of the log's per-epoch wall times: what training it cost), status, error.

    ``status`` is ``ok`` or a short reason (``bad_log``, ``invalid_recipe``, ``nonfinite_loss``)
    with the details in ``error``; nothing is dropped here.
    """
    rows = []
    for name, log in logs:
        row = {
            "log_name": name,
            "arch_id": log_id(name),
            "recipe": None,
            "hidden_tuple_size": None,
            "n_nodes": None,
            "test_loss": math.nan,
            "num_params": None,
            "train_seconds": math.nan,
            "status": "ok",
            "error": "",
        }
        if isinstance(log, Exception) or not isinstance(log, dict):
            row.update(status="bad_log", error=f"{name}: not a JSON log ({log})")
            rows.append(row)
            continue
        if row["arch_id"] is None and "recepie_id" in log:
            row["arch_id"] = int(log["recepie_id"])
        row["num_params"] = log.get("num_params")
        walls = log.get("wall_times") or []
        try:
            row["train_seconds"] = float(sum(float(w) for w in walls)) if walls else math.nan
        except (TypeError, ValueError):
            row["train_seconds"] = math.nan
        recipe_text = log.get("recepie")
        row["recipe"] = recipe_text if isinstance(recipe_text, str) else json.dumps(recipe_text)
        losses = log.get("test_losses") or []
        loss = float(losses[-1]) if losses else math.nan
        row["test_loss"] = loss
        try:
            recipe = parse_recipe(recipe_text)
            row["hidden_tuple_size"] = recipe.hidden_tuple_size
            row["n_nodes"] = recipe.n_nodes
        except RecipeError as exc:
            row.update(status="invalid_recipe", error=f"{name}: {exc}")
        if row["status"] == "ok" and not math.isfinite(loss):
            row.update(
                status="nonfinite_loss",
                error=f"{name}: final test loss is {loss} (log status {log.get('status')!r})",
            )
        rows.append(row)
    return pd.DataFrame(rows)


def combine_runs(records: pd.DataFrame) -> pd.DataFrame:
    """One row per arch_id: runs of the same recipe are averaged over their finite losses.

    (The WikiText-2 logs hold recipe 1002429 twice, same recipe, losses 5.6755 and 5.6790.)
    """
    out = []
    for _, grp in records.groupby("arch_id", sort=True):
        ok = grp[grp["status"] == "ok"]
        first = (ok if len(ok) else grp).iloc[0].to_dict()
        finite = grp["test_loss"][np.isfinite(grp["test_loss"].astype(float))]
        if len(ok) and len(finite):
            first["test_loss"] = float(finite.mean())
        first["n_runs"] = len(grp)
        out.append(first)
    return pd.DataFrame(out).drop(columns=["log_name"]).reset_index(drop=True)


def read_published_results(text: str) -> pd.DataFrame:
    """RNN_results.csv (or an ablation CSV): arch_id, loss, metric columns in snake_case."""
    df = pd.read_csv(io.StringIO(text.lstrip("\ufeff")))
    df.columns = [c.strip() for c in df.columns]
    columns = RNN_METRICS.published_columns()
    unknown = [c for c in df.columns[4:] if c not in columns]
    if unknown:
        raise ValueError(f"published RNN table has unknown metric columns: {unknown}")
    df = df.rename(columns=columns)
    df = df.rename(
        columns={"log name": "log_name", "bits per word": "bits_per_word", "loss": "test_loss"}
    )
    df.insert(0, "arch_id", df["log_name"].map(log_id).astype("Int64"))
    return df


_PARAM_ROW = re.compile(
    r"log_stats_model_(\d+)_[^,\n]*\.json,([^,\n]*),([^,\n]*),([^,\n]*),([^,\n]*),"
    r"([0-9.eE+-]+|nan)"
)


def read_published_parameters(text: str) -> pd.DataFrame:
    """RNN_parameters.csv: arch_id -> PTB test loss and total parameter count.

    The published file is several CSVs pasted together (repeated headers, one header glued
    to the end of a data row, rows of NaN for multi-run logs), so rows are matched by pattern
    and the first finite count per recipe id is kept. Counts never disagree within an id.
    """
    seen: dict[int, tuple[float, int]] = {}
    for m in _PARAM_ROW.finditer(text):
        total = float(m.group(6))
        if not math.isfinite(total):
            continue
        arch_id = int(m.group(1))
        count = int(total)
        if arch_id in seen and seen[arch_id][1] != count:
            raise ValueError(f"RNN_parameters.csv: recipe {arch_id} has two parameter counts")
        seen.setdefault(arch_id, (float(m.group(2)), count))
    return pd.DataFrame(
        [(i, loss, n) for i, (loss, n) in sorted(seen.items())],
        columns=["arch_id", "ptb_loss", "ptb_num_params"],
    )


def build_arch_table(
    wt2: pd.DataFrame,
    published: pd.DataFrame,
    parameters: pd.DataFrame,
    ptb_logs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """results/rnn/archs.parquet: one row per architecture.

    wt2 / ptb_logs: :func:`combine_runs` of the logs. Without PTB logs, an architecture's PTB
    loss is its loss in RNN_results.csv (the paper's scored set); with them, the logs' own.
    """
    table = wt2.rename(columns={"test_loss": "wt2_test_loss", "num_params": "wt2_num_params",
                                "train_seconds": "wt2_train_seconds"})
    table = table[
        ["arch_id", "recipe", "hidden_tuple_size", "n_nodes", "wt2_test_loss",
         "wt2_num_params", "wt2_train_seconds", "status", "error", "n_runs"]
    ]
    if ptb_logs is None:
        ptb = published[["arch_id", "test_loss"]].rename(columns={"test_loss": "ptb_test_loss"})
        ptb = ptb.drop_duplicates("arch_id")
        table = table.merge(ptb, on="arch_id", how="left")
        table = table.merge(parameters[["arch_id", "ptb_num_params"]], on="arch_id", how="left")
    else:
        ptb = ptb_logs.rename(
            columns={"test_loss": "ptb_test_loss", "num_params": "ptb_num_params",
                     "status": "ptb_status", "error": "ptb_error"}
        )
        extra = ptb[~ptb["arch_id"].isin(table["arch_id"])].rename(
            columns={"ptb_status": "status", "ptb_error": "error"}
        )
        extra = extra.assign(wt2_test_loss=math.nan, wt2_num_params=None,
                             wt2_train_seconds=math.nan)
        table = table.merge(
            ptb[["arch_id", "ptb_test_loss", "ptb_num_params"]], on="arch_id", how="left"
        )
        table = pd.concat([table, extra[table.columns]], ignore_index=True)
    table["has_wt2"] = table["wt2_num_params"].notna()
    table["has_ptb"] = table["ptb_test_loss"].notna() if ptb_logs is None else table[
        "arch_id"].isin(ptb_logs["arch_id"])
    table = table.sort_values("arch_id", kind="stable").reset_index(drop=True)
    for col in ("wt2_num_params", "ptb_num_params", "hidden_tuple_size", "n_nodes"):
        table[col] = table[col].astype("Int64")
    table["arch_id"] = table["arch_id"].astype("int64")
    table["n_runs"] = table["n_runs"].astype("int64")
    return table[
        ["arch_id", "recipe", "hidden_tuple_size", "n_nodes", "wt2_test_loss", "wt2_num_params",
         "wt2_train_seconds", "ptb_test_loss", "ptb_num_params", "has_wt2", "has_ptb", "n_runs",
         "status", "error"]
    ]


# ---- which architectures a job takes (read by the light table jobs: no torch here) ----

LOSS_COLUMNS = {"ptb": "ptb_test_loss", "wikitext2": "wt2_test_loss"}
MEMBER_COLUMNS = {"ptb": "has_ptb", "wikitext2": "has_wt2"}


def corpus_rows(archs: pd.DataFrame, corpus: str, limit: int = 0) -> pd.DataFrame:
    """The architectures scored on a corpus, sorted by arch_id: arch_id, recipe, test_loss."""
    rows = archs[archs[MEMBER_COLUMNS[corpus]]].sort_values("arch_id", kind="stable")
    if limit:
        rows = rows.head(limit)
    rows = rows.rename(columns={LOSS_COLUMNS[corpus]: "test_loss"})
    return rows[["arch_id", "recipe", "test_loss", "status", "error"]].reset_index(drop=True)


def shard_index(archs: pd.DataFrame, corpus: str, shard_size: int, limit: int = 0) -> pd.DataFrame:
    """arch_id -> shard: consecutive blocks of ``shard_size`` in arch_id order."""
    return shard_table(corpus_rows(archs, corpus, limit)["arch_id"], shard_size)


def ablation_choice(
    archs: pd.DataFrame, corpus: str, n_archs: int, limit: int = 0
) -> pd.DataFrame:
    """``n_archs`` architectures spread evenly over the loss range.

    Valid architectures with a finite loss are sorted by (loss, arch_id); rank i takes
    position floor((i + 0.5) * n / n_archs), the midpoint of the i-th of n_archs equal bins.
    """
    rows = corpus_rows(archs, corpus, limit)
    rows = rows[(rows["status"] == "ok") & np.isfinite(rows["test_loss"].astype(float))]
    rows = rows.sort_values(["test_loss", "arch_id"], kind="stable").reset_index(drop=True)
    if len(rows) < n_archs:
        raise ValueError(
            f"ablation needs {n_archs} architectures on {corpus}, only {len(rows)} are valid"
        )
    picks = [int((i + 0.5) * len(rows) / n_archs) for i in range(n_archs)]
    chosen = rows.iloc[picks][["arch_id", "recipe", "test_loss"]].reset_index(drop=True)
    chosen.insert(0, "rank", range(n_archs))
    return chosen
