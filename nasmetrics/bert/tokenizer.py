"""The uncased WordPiece tokenizer, loaded offline from a vocab.txt.

transformers 5.x silently ignores ``BertTokenizer(vocab_file=path)`` (every word becomes
[UNK]); ``vocab=path`` loads the file. The loaded size is checked so that mistake cannot pass.
"""

from __future__ import annotations

from transformers import BertTokenizer


def load_tokenizer(vocab_path: str, expected_size: int | None = 30_522) -> BertTokenizer:
    tok = BertTokenizer(vocab=str(vocab_path), do_lower_case=True)
    if expected_size is not None and len(tok) != expected_size:
        raise ValueError(
            f"{vocab_path}: tokenizer has {len(tok)} entries, expected {expected_size}")
    return tok
