import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.timings import timing_row, timings_table  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
rows = []
for (rule, job), out, bench in zip(p.jobs, inp.outputs, inp.benchmarks, strict=True):
    n = len(pd.read_parquet(out, columns=["arch_id"]))
    rows.append(timing_row(rule, job, n, pd.read_csv(bench, sep="\t")))
table = timings_table(rows)
write_csv(table, snakemake.output[0])  # noqa: F821
print(table.groupby("rule")[["seconds_per_arch", "max_rss_mb"]].describe().to_string(),
      file=sys.stderr)
