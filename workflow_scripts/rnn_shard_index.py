import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.rnn.benchmark import shard_index  # noqa: E402
from nasmetrics.shard_index import write_shard_index  # noqa: E402

archs = pd.read_parquet(snakemake.input.archs)  # noqa: F821
p = snakemake.params  # noqa: F821
index = shard_index(archs, snakemake.wildcards.corpus, p.shard_size, p.limit)  # noqa: F821
# read when the DAG is built (rules/common.smk): how many shard jobs this corpus has
n_shards = write_shard_index(index, snakemake.output[0])  # noqa: F821
print(f"{len(index)} architectures in {n_shards} shards", file=sys.stderr)
