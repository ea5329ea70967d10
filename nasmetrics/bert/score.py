"""Score one transformer architecture in faithful or corrected mode."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import torch

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.model import ArchitectureError, Encoder
from nasmetrics.bert.passes import run_passes
from nasmetrics.bert.space import Architecture, from_config
from nasmetrics.seeding import seed_everything
from nasmetrics.shard import score_rows

MODES = ("faithful", "corrected")


def score_architecture(
    arch: Architecture,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    mode: str = "faithful",
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, float]:
    """Faithful: the paper's code (hidden 256 / ff 1024 for every model, dropout active, no
    padding mask, seed before each model). Corrected: the architecture's own sizes, eval mode,
    padding mask applied. Both: one forward, backward of ones from the last hidden state."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    faithful = mode == "faithful"
    seed_everything(seed)
    model = Encoder(arch, faithful=faithful).to(device)
    model.train(faithful)
    ids = torch.as_tensor(input_ids, device=device)
    mask = None if faithful else torch.as_tensor(attention_mask, device=device)
    return BERT_METRICS.compute(run_passes(model, ids, mask))


def score_table(
    rows: pd.DataFrame,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    mode: str = "faithful",
    device: str = "cpu",
    log=print,
) -> pd.DataFrame:
    """Score every row (arch_id, architecture JSON, glue): the columns of scores.parquet.

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
        return score_architecture(arch, input_ids, attention_mask, mode, 0, device)

    table = score_rows(rows.to_dict("records"), scorer, BERT_METRICS.names(),
                       precheck=precheck, log=log)
    table.insert(1, "glue", rows["glue"].astype(float).to_numpy())
    return table
