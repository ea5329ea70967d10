"""Score one transformer architecture in faithful or corrected mode."""

from __future__ import annotations

import numpy as np
import torch

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.model import Encoder
from nasmetrics.bert.passes import run_passes
from nasmetrics.bert.space import Architecture
from nasmetrics.seeding import seed_everything

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
