"""Score one transformer architecture in faithful or corrected mode."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import torch

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.mlm import MLMHead
from nasmetrics.bert.model import ArchitectureError, Encoder
from nasmetrics.bert.passes import run_passes
from nasmetrics.bert.proxy_passes import run_proxy_passes
from nasmetrics.bert.space import Architecture, from_config
from nasmetrics.modes import check_modes
from nasmetrics.seeding import seed_everything
from nasmetrics.shard import score_replicates, score_rows


def score_architecture(
    arch: Architecture,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    mode: str = "faithful",
    seed: int = 0,
    device: str = "cpu",
    dropout_seed: int | None = None,
    mlm: tuple[np.ndarray, np.ndarray] | None = None,
    proxies: bool = False,
) -> dict[str, float]:
    """Faithful: the paper's code (hidden 256 / ff 1024 for every model, dropout active, no
    padding mask, seed before each model, backward of ones from the last hidden state).
    Corrected: the architecture's own sizes, eval mode, padding mask applied, and the
    gradient of the masked-language-model loss: ``mlm`` = (masked input ids, labels) of the
    same texts (nasmetrics/bert/mlm.py). ``proxies`` (corrected mode): the zero-cost proxies
    too, and ``proxy_seconds``.

    ``seed`` is set before the model is built (initialisation, then dropout); ``dropout_seed``,
    if given, is set again after building, so it changes the dropout masks alone.
    """
    check_modes([mode])
    faithful = mode == "faithful"
    if proxies and faithful:
        raise ValueError("the proxies are scored in corrected mode only")
    if not faithful and mlm is None:
        raise ValueError("corrected mode needs the MLM input (masked ids and labels)")
    seed_everything(seed)
    model = Encoder(arch, faithful=faithful).to(device)
    model.train(faithful)
    # built after the encoder: the encoder's initialisation is the same with or without it
    head = None if faithful else MLMHead(model.hidden_size).to(device)
    if dropout_seed is not None:
        seed_everything(dropout_seed)
    if faithful:
        ids = torch.as_tensor(input_ids, device=device)
        capture = run_passes(model, ids)
    else:
        ids = torch.as_tensor(mlm[0], device=device)
        mask = torch.as_tensor(attention_mask, device=device)
        labels = torch.as_tensor(mlm[1], device=device)
        capture = run_passes(model, ids, mask, labels, head, proxy_reads=proxies)
    names = BERT_METRICS.scored_names(proxies)
    extra = {}
    if proxies:
        capture.proxies = run_proxy_passes(model, head, ids, mask, labels)
        extra["proxy_seconds"] = capture.proxies.seconds
    return {**BERT_METRICS.compute(capture, names), **extra}


def score_table(
    rows: pd.DataFrame,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    mode: str = "faithful",
    device: str = "cpu",
    log=print,
    progress=None,
    mlm: tuple[np.ndarray, np.ndarray] | None = None,
    proxies: bool = False,
) -> pd.DataFrame:
    """Score every row (arch_id, architecture JSON, glue): the columns of scores.parquet.
    ``progress``: a PartialRows file that makes the job resumable (see shard.score_rows).
    ``mlm`` and ``proxies``: see :func:`score_architecture`.

    An architecture that cannot be built (unknown operation, heads not dividing the hidden
    size) is not scored: status ``invalid_architecture`` with the reason.
    """
    def precheck(item):
        try:
            arch = from_config(json.loads(item["architecture"]))
            with torch.device("meta"):
                Encoder(arch, faithful=mode == "faithful")
        except (ArchitectureError, KeyError, TypeError, ValueError) as exc:
            return "invalid_architecture", f"arch {item['arch_id']}: {exc}"
        return None

    def scorer(item):
        arch = from_config(json.loads(item["architecture"]))
        return {mode: score_architecture(arch, input_ids, attention_mask, mode, 0, device,
                                         mlm=mlm, proxies=proxies)}

    names = BERT_METRICS.scored_names(proxies)
    table = score_rows(rows.to_dict("records"), scorer, names, [mode], precheck=precheck,
                       log=log, progress=progress,
                       extra_columns=["proxy_seconds"] if proxies else [])[mode]
    table.insert(1, "glue", rows["glue"].astype(float).to_numpy())
    return table


def ablation_runs(
    row: dict,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    kind: str,
    n: int,
    mode: str = "faithful",
    device: str = "cpu",
    log=print,
    progress=None,
    mlm: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One architecture (arch_id, architecture JSON, glue) under ``n`` replicates.

    kind=batch: input batch r of ``input_ids`` (n_batches, n_texts, seq_len), seed 0.
    kind=seed: batch 0 and seed r. In faithful mode the paper's seed changed the dropout masks
    only (its models were always built after seeding 0), so there the seed is set after the
    model is built; in corrected mode (eval, no dropout) it sets the initialisation.
    """
    if kind == "batch" and input_ids.shape[0] < n:
        raise ValueError(f"{n} input batches asked for, the input file has {input_ids.shape[0]}")
    arch = from_config(json.loads(row["architecture"]))

    def score_one(r):
        b = r if kind == "batch" else 0
        # mlm: (masked ids, labels), each (n_batches, n_texts, seq_len), like input_ids
        batch_mlm = None if mlm is None else (mlm[0][b], mlm[1][b])
        if kind == "batch":
            values = score_architecture(arch, input_ids[r], attention_mask[r], mode, 0, device,
                                        mlm=batch_mlm)
        elif mode == "faithful":
            values = score_architecture(arch, input_ids[0], attention_mask[0], mode, 0, device,
                                        dropout_seed=r)
        else:
            values = score_architecture(arch, input_ids[0], attention_mask[0], mode, r, device,
                                        mlm=batch_mlm)
        return {mode: values}

    # the ablations repeat the paper's study: its metrics only
    table = score_replicates(row["arch_id"], kind, n, score_one, BERT_METRICS.names("paper"),
                             [mode], log=log, progress=progress)[mode]
    table.insert(3, "glue", float(row["glue"]))
    return table
