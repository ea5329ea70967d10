import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.correlate import correlation_table  # noqa: E402

scores = pd.read_parquet(snakemake.input[0])  # noqa: F821
table = correlation_table(scores, snakemake.params.metrics, "test_loss")  # noqa: F821
write_csv(table, snakemake.output[0])  # noqa: F821
