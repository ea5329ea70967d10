import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.compare import published_comparison  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
scores = pd.read_parquet(inp.scores)
published = pd.read_parquet(inp.published)
table = published_comparison(scores, published, p.metrics, p.target)
write_csv(table, snakemake.output[0])  # noqa: F821
