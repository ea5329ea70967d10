"""Score one RNN architecture: build, run the shared passes, compute the registered metrics."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from nasmetrics.allocator import release_free_memory
from nasmetrics.corpus import input_batch
from nasmetrics.modes import check_modes
from nasmetrics.registry import PASS_PROXY_NAMES
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.model import ModelShape, build_model
from nasmetrics.rnn.passes import in_mode, run_passes
from nasmetrics.rnn.proxy_passes import run_proxy_passes
from nasmetrics.rnn.recipe import RecipeError, parse_recipe
from nasmetrics.shard import score_replicates, score_rows

# Benchmark vocabulary sizes: the embedding is sized to these whatever the dictionary built
# from the mirrored splits holds; the benchmark's parameter counts fix them exactly.
VOCAB_SIZES = {"ptb": 10_000, "wikitext2": 33_278}


def score_architecture(
    recipe: str | dict,
    ids: np.ndarray,
    ntokens: int,
    modes: Sequence[str] = ("faithful",),
    seed: int = 0,
    device: str = "cpu",
    metrics: list[str] | None = None,
    targets: np.ndarray | None = None,
) -> dict[str, dict[str, float]]:
    """All (or the named) RNN metrics of one recipe on one (steps, batch) id batch, in each of
    ``modes``: {mode: {metric: value}}. The passes run once; the modes only reduce them.

    The proxies' passes run when a proxy is asked for; they need ``targets``, the next token
    of every input token. Their wall time is returned as ``proxy_seconds`` in every mode."""
    modes = check_modes(modes)
    names = RNN_METRICS.names() if metrics is None else list(metrics)
    parsed = parse_recipe(recipe)
    model = build_model(parsed, ModelShape(ntokens=ntokens), seed=seed).to(device)
    for what, arr in (("token id", ids), ("target id", targets)):
        if arr is not None and int(arr.max()) >= ntokens:
            raise ValueError(f"{what} {int(arr.max())} is outside the {ntokens}-word embedding")
    capture = run_passes(model, torch.as_tensor(ids, device=device))
    extra = {}
    if set(names) & set(PASS_PROXY_NAMES):
        if targets is None:
            raise ValueError("the proxies need next-token targets")
        capture.proxies = run_proxy_passes(model, torch.as_tensor(ids, device=device),
                                           torch.as_tensor(targets, device=device))
        extra["proxy_seconds"] = capture.proxies.seconds
    return {m: {**RNN_METRICS.compute(in_mode(capture, m), names), **extra} for m in modes}


def score_table(
    rows: pd.DataFrame,
    ids: np.ndarray,
    ntokens: int,
    modes: Sequence[str] = ("faithful",),
    device: str = "cpu",
    seed: int = 0,
    log=print,
    progress=None,
    targets: np.ndarray | None = None,
) -> dict[str, pd.DataFrame]:
    """Score every row (arch_id, recipe, test_loss, status) in each mode: {mode: the columns
    of scores.parquet}. With next-token ``targets`` the proxies are scored too (and their
    seconds per architecture, ``proxy_seconds``); without, the paper's metrics alone.
    ``progress``: a PartialRows file that makes the job resumable (see shard.score_rows).

    An invalid recipe is not scored; a non-finite loss is scored (the metrics need no loss)
    but marked ``nonfinite_loss`` so correlations leave it out.
    """
    def precheck(item):
        if item["status"] == "invalid_recipe" or item["recipe"] is None:
            return "invalid_recipe", item["error"] or "no recipe"
        try:
            parse_recipe(item["recipe"])
        except RecipeError as exc:
            return "invalid_recipe", f"arch {item['arch_id']}: {exc}"
        return None

    names = RNN_METRICS.scored_names(targets is not None)
    extra = ["proxy_seconds"] if targets is not None else []

    def scorer(item):
        try:
            return score_architecture(item["recipe"], ids, ntokens, modes, seed, device, names,
                                      targets)
        finally:
            release_free_memory()

    items = rows.to_dict("records")
    tables = score_rows(items, scorer, names, modes, precheck=precheck, log=log,
                        progress=progress, extra_columns=extra)
    for table in tables.values():
        table.insert(1, "test_loss", rows["test_loss"].astype(float).to_numpy())
        for i, item in enumerate(items):
            loss = float(item["test_loss"])
            if not math.isfinite(loss) and table.at[i, "status"] in ("ok", "nonfinite_metric"):
                extra = f"test loss is {loss}: left out of correlations"
                table.at[i, "status"] = "nonfinite_loss"
                notes = (item["error"], table.at[i, "error"], extra)
                table.at[i, "error"] = "; ".join(e for e in notes if e)
    return tables


def ablation_runs(
    arch: dict,
    data: np.ndarray,
    ntokens: int,
    kind: str,
    n: int,
    bptt: int = 70,
    modes: Sequence[str] = ("faithful",),
    device: str = "cpu",
    log=print,
    progress=None,
) -> dict[str, pd.DataFrame]:
    """One architecture under ``n`` input batches (kind=batch, seed 0) or seeds (batch 0),
    one table per mode."""
    def score_one(r):
        batch, seed = (r, 0) if kind == "batch" else (0, r)
        return score_architecture(arch["recipe"], input_batch(data, batch, bptt), ntokens,
                                  modes, seed, device, RNN_METRICS.names("paper"))

    # the ablations repeat the paper's study: its metrics only
    tables = score_replicates(arch["arch_id"], kind, n, score_one, RNN_METRICS.names("paper"),
                              modes,
                              log=log, progress=progress)
    for table in tables.values():
        table.insert(3, "test_loss", float(arch["test_loss"]))
    return tables
