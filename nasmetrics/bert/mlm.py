"""The masked-language-model loss that gives corrected mode (and the proxies) a real gradient.

Mask: in each batch of texts, 15% of the tokens that are neither special ([CLS], [SEP], ...)
nor padding, rounded to the nearest whole token (at least one), are chosen uniformly without
replacement by a seeded numpy generator and replaced by [MASK]; the loss predicts the
original tokens there. (No 80/10/10 split: the model is untrained, nothing learns from it.)

Head: a linear from the hidden size back to the embedding size (128; normal(0, 0.02) weights,
zero bias, built after the encoder from the same seeded generator, so the encoder's own
initialisation is unchanged), then the word-embedding matrix as the decoder (tied, no bias).
Loss: cross-entropy over the masked positions, averaged over them.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nasmetrics.bert.model import EMBEDDING_SIZE, INIT_STD, Encoder

MASK_RATE = 0.15
IGNORE = -100  # label of an unmasked position (torch's cross_entropy ignore_index)


def mlm_mask(input_ids: np.ndarray, attention_mask: np.ndarray, special_ids, mask_id: int,
             seed: int = 0, rate: float = MASK_RATE) -> tuple[np.ndarray, np.ndarray]:
    """(masked input ids, labels) of one (texts, seq_len) batch: labels hold the original id
    at the masked positions and -100 elsewhere."""
    input_ids = np.asarray(input_ids, dtype=np.int64)
    eligible = (np.asarray(attention_mask) == 1) & ~np.isin(input_ids, list(special_ids))
    positions = np.flatnonzero(eligible)
    if len(positions) == 0:
        raise ValueError("no maskable token: every token is special or padding")
    k = max(1, int(round(rate * len(positions))))
    chosen = np.random.default_rng(seed).choice(positions, size=k, replace=False)
    masked = input_ids.copy().reshape(-1)
    labels = np.full(masked.shape, IGNORE, dtype=np.int64)
    labels[chosen] = masked[chosen]
    masked[chosen] = mask_id
    return masked.reshape(input_ids.shape), labels.reshape(input_ids.shape)


class MLMHead(nn.Module):
    """hidden -> embedding size, then the tied word embeddings."""

    def __init__(self, hidden: int):
        super().__init__()
        self.project = nn.Linear(hidden, EMBEDDING_SIZE)
        nn.init.normal_(self.project.weight, 0.0, INIT_STD)
        nn.init.zeros_(self.project.bias)

    def forward(self, hidden: torch.Tensor, word_embeddings: torch.Tensor) -> torch.Tensor:
        return F.linear(self.project(hidden), word_embeddings)


def mlm_loss_sum(model: Encoder, head: MLMHead, hidden: torch.Tensor,
                 labels: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy over the masked positions of ``hidden`` (B, S, H), and their
    number. Only the masked positions go through the head (the logits of the rest would be
    discarded)."""
    where = labels != IGNORE
    logits = head(hidden[where], model.embeddings.word_embeddings.weight)
    loss = F.cross_entropy(logits, labels[where], reduction="sum")
    return loss, int(where.sum())
