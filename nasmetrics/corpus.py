"""Word-level corpora as the NAS-Bench-NLP training code tokenises them.

Every line becomes its whitespace words plus ``<eos>``. The dictionary assigns ids in order of
first appearance over the splits given (the mirror has valid and test, in that order). The
token stream is cut into ``batch_size`` columns; a batch is ``bptt`` consecutive rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

EOS = "<eos>"


def words(lines: Iterable[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(line.split())
        out.append(EOS)
    return out


def build_dictionary(splits: Iterable[Iterable[str]]) -> dict[str, int]:
    """Word -> id in order of first appearance over the splits (each an iterable of lines)."""
    vocab: dict[str, int] = {}
    for lines in splits:
        for w in words(lines):
            if w not in vocab:
                vocab[w] = len(vocab)
    return vocab


def batchify(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """(n_rows, batch_size) array: column j is the j-th contiguous chunk of the stream."""
    n_rows = len(ids) // batch_size
    return np.asarray(ids[: n_rows * batch_size]).reshape(batch_size, n_rows).T


def corpus_batches(
    valid_lines: list[str],
    test_lines: list[str],
    batch_size: int = 50,
    bptt: int = 70,
) -> tuple[np.ndarray, int]:
    """The batchified test split (rows x batch_size) and the dictionary size."""
    vocab = build_dictionary([valid_lines, test_lines])
    ids = np.array([vocab[w] for w in words(test_lines)], dtype=np.int64)
    data = batchify(ids, batch_size)
    if data.shape[0] < bptt:
        raise ValueError(f"test split gives only {data.shape[0]} rows, need bptt={bptt}")
    return data, len(vocab)


def input_batch(data: np.ndarray, index: int = 0, bptt: int = 70) -> np.ndarray:
    """Batch ``index`` (0 = the paper's: the first ``bptt`` rows) of a batchified split."""
    start = index * bptt
    if start + bptt > data.shape[0]:
        raise ValueError(
            f"batch {index} needs rows {start}..{start + bptt}, split has {data.shape[0]}"
        )
    return data[start : start + bptt]


def target_batch(data: np.ndarray, index: int = 0, bptt: int = 70) -> np.ndarray:
    """The next token of every token of :func:`input_batch` (the language model's targets)."""
    start = index * bptt + 1
    if start + bptt > data.shape[0]:
        raise ValueError(
            f"targets of batch {index} need rows {start}..{start + bptt}, split has "
            f"{data.shape[0]}"
        )
    return data[start : start + bptt]
