"""Input texts for the transformer metrics, cut deterministically, and their token ids.

Default text: the WikiText-2 test split. A text is one paragraph: a non-empty line that is not
a section heading (`` = Title = ``), stripped, in file order; the first ``n_texts`` paragraphs
with at least ``min_words`` words are taken. A user's own file (config ``bert.text``) has one
text per line and is used as it is, first ``n_texts`` non-empty lines.

The input-batch ablation needs more than one batch: batch i is the i-th run of ``n_texts``
consecutive texts, so batch 0 is always the main input batch.
"""

from __future__ import annotations

import re

import numpy as np

_HEADING = re.compile(r"^\s*=+\s.*\s=+\s*$")


def wikitext_paragraphs(lines: list[str], n_texts: int, min_words: int = 20) -> list[str]:
    texts = []
    for line in lines:
        text = line.strip()
        if not text or _HEADING.match(line) or len(text.split()) < min_words:
            continue
        texts.append(text)
        if len(texts) == n_texts:
            return texts
    raise ValueError(f"the text has only {len(texts)} paragraphs of {min_words}+ words, "
                     f"{n_texts} were asked for")


def plain_texts(lines: list[str], n_texts: int) -> list[str]:
    texts = [line.strip() for line in lines if line.strip()][:n_texts]
    if len(texts) < n_texts:
        raise ValueError(f"the text file has {len(texts)} non-empty lines, {n_texts} asked for")
    return texts


def encode(tokenizer, texts: list[str], seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask), each (n_texts, seq_len): padded or truncated to seq_len."""
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=seq_len,
                    return_tensors="np")
    return enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)


def text_batches(lines: list[str], n_texts: int, n_batches: int = 1,
                 own_text: bool = False) -> list[list[str]]:
    """``n_batches`` disjoint batches of ``n_texts`` texts, in file order (batch 0 first)."""
    need = n_texts * n_batches
    texts = plain_texts(lines, need) if own_text else wikitext_paragraphs(lines, need)
    return [texts[i * n_texts:(i + 1) * n_texts] for i in range(n_batches)]
