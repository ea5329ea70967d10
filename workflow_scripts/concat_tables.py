import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_parquet  # noqa: E402

tables = [pd.read_parquet(p) for p in snakemake.input]  # noqa: F821
write_parquet(pd.concat(tables, ignore_index=True), snakemake.output[0])  # noqa: F821
