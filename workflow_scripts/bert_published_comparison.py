import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.bert.metrics import BERT_METRICS  # noqa: E402
from nasmetrics.compare import published_comparison  # noqa: E402

scores = pd.read_parquet(snakemake.input.scores)  # noqa: F821
published = pd.read_parquet(snakemake.input.published)  # noqa: F821
table = published_comparison(scores, published, BERT_METRICS.names(), "glue")
table.to_csv(snakemake.output[0], index=False)  # noqa: F821
