import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.benchmark import search_space_long, search_space_summary  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
archs = pd.read_parquet(inp.archs)
archs = archs[archs["arch_id"] < snakemake.params.benchmark_size]  # noqa: F821 (sampled: no GLUE)
long = search_space_long(archs)
summary = search_space_summary(long)
write_csv(summary, out.table)
print(summary.to_string(index=False), file=sys.stderr)
fig = plots.factor_boxes(long, "glue", "GLUE score by search-space choice")
plots.save(fig, out.png, out.pdf)
