import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402

from nasmetrics.bert.inputs import encode, plain_texts, wikitext_paragraphs  # noqa: E402
from nasmetrics.bert.tokenizer import load_tokenizer  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
lines = Path(inp.text).read_text(encoding="utf-8").splitlines()
texts = plain_texts(lines, p.n_texts) if p.own_text else wikitext_paragraphs(lines, p.n_texts)
ids, mask = encode(load_tokenizer(inp.vocab), texts, p.seq_len)
np.savez(snakemake.output[0], input_ids=ids, attention_mask=mask)  # noqa: F821
print(f"{len(texts)} texts x {p.seq_len} tokens; {int(mask.sum())} real tokens",
      file=sys.stderr)
