import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.search import search_table  # noqa: E402
from nasmetrics.topk import topk_table  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
scores = pd.read_parquet(inp.scores)
if "archs" in inp.keys():  # the transformer side: each GLUE task is a target too
    tasks = [t for t in p.targets if t not in scores.columns]
    scores = scores.merge(pd.read_parquet(inp.archs)[["arch_id", *tasks]], on="arch_id",
                          how="left")
# every registered metric the table holds (the proxies only where they were scored)
metrics = [m for m in p.metrics if m in scores.columns]
topk, search = [], []
for target in p.targets:
    topk.append(topk_table(scores, metrics, p.higher, target, p.target_higher)
                .assign(target=target))
    search.append(search_table(scores, metrics, p.higher, target, p.target_higher)
                  .assign(target=target))
for tables, path in ((topk, out.topk), (search, out.search)):
    table = pd.concat(tables, ignore_index=True)
    write_csv(table[["target", *table.columns[:-1]]], path)
