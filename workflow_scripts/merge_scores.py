import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_parquet  # noqa: E402

shards = [pd.read_parquet(p) for p in snakemake.input.shards]  # noqa: F821
scores = pd.concat(shards, ignore_index=True).sort_values("arch_id", kind="stable")
dup = scores["arch_id"][scores["arch_id"].duplicated()]
if len(dup):
    raise ValueError(f"architectures scored twice across shards: {sorted(dup.unique())[:10]}")
write_parquet(scores.reset_index(drop=True), snakemake.output[0])  # noqa: F821
print(scores["status"].value_counts().to_string(), file=sys.stderr)
