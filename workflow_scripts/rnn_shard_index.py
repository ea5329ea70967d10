import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_text  # noqa: E402
from nasmetrics.rnn.score import shard_index  # noqa: E402

archs = pd.read_parquet(snakemake.input.archs)  # noqa: F821
p = snakemake.params  # noqa: F821
index = shard_index(archs, snakemake.wildcards.corpus, p.shard_size, p.limit)  # noqa: F821
n_shards = int(index["shard"].max()) + 1 if len(index) else 0
# first line: the shard count, read at DAG time by rules/common.smk
write_text(f"n_shards\t{n_shards}\n" + index.to_csv(sep="\t", index=False),
           snakemake.output[0])  # noqa: F821
print(f"{len(index)} architectures in {n_shards} shards", file=sys.stderr)
