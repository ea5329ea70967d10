import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_parquet  # noqa: E402
from nasmetrics.bert.benchmark import arch_table, read_published, sampled_table  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
benchmark = json.loads(Path(inp.benchmark).read_text(encoding="utf-8"))
if len(benchmark) != p.expected:
    raise ValueError(f"{inp.benchmark}: {len(benchmark)} architectures, expected {p.expected}")
archs = arch_table(benchmark)
if p.limit:
    archs = archs.head(p.limit)
if p.sample:
    space = json.loads(Path(inp.space).read_text(encoding="utf-8"))
    archs = pd.concat([archs, sampled_table(space, p.expected, p.sample)], ignore_index=True)
write_parquet(archs, out.archs)
write_parquet(read_published(Path(inp.published).read_text(encoding="utf-8")), out.published)
print(f"{len(archs)} architectures ({p.sample} sampled)", file=sys.stderr)
