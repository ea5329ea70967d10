import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

from nasmetrics.atomic import savez  # noqa: E402
from nasmetrics.corpus import corpus_batches  # noqa: E402

inp = snakemake.input  # noqa: F821
lines = [Path(p).read_text(encoding="utf-8").splitlines() for p in (inp.valid, inp.test)]
data, n_words = corpus_batches(*lines, batch_size=snakemake.params.batch_size)  # noqa: F821
savez(snakemake.output[0], data=data, n_words=n_words)  # noqa: F821
print(f"test split: {data.shape[0]} rows x {data.shape[1]} columns; dictionary {n_words} words",
      file=sys.stderr)
