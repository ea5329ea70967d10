import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402

from nasmetrics.atomic import savez  # noqa: E402
from nasmetrics.bert.inputs import encode, text_batches  # noqa: E402
from nasmetrics.bert.mlm import mlm_mask  # noqa: E402
from nasmetrics.bert.tokenizer import load_tokenizer  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
lines = Path(inp.text).read_text(encoding="utf-8").splitlines()
tok = load_tokenizer(inp.vocab)
# (n_batches, n_texts, seq_len): the main input is batch 0, the input-batch ablation uses all
encoded = [encode(tok, texts, p.seq_len)
           for texts in text_batches(lines, p.n_texts, p.n_batches, p.own_text)]
ids = np.stack([e[0] for e in encoded])
mask = np.stack([e[1] for e in encoded])
# corrected mode's MLM input: batch b masked by a generator seeded with b
masked = [mlm_mask(i, m, tok.all_special_ids, tok.mask_token_id, seed=b)
          for b, (i, m) in enumerate(zip(ids, mask, strict=True))]
savez(snakemake.output[0], input_ids=ids, attention_mask=mask,  # noqa: F821
      mlm_input_ids=np.stack([m[0] for m in masked]), mlm_labels=np.stack([m[1] for m in masked]))
print(f"{p.n_batches} batch(es) of {p.n_texts} texts x {p.seq_len} tokens; "
      f"{int(mask.sum())} real tokens, {int((masked[0][1] >= 0).sum())} of batch 0 masked for "
      "the MLM loss", file=sys.stderr)
