import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.benchmark import TASKS  # noqa: E402
from nasmetrics.bert.metrics import BERT_METRICS  # noqa: E402
from nasmetrics.correlate import correlation_table  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
scores = pd.read_parquet(inp.scores)
tasks = pd.read_parquet(inp.archs)[["arch_id", *TASKS]]
# every registered metric the table holds (the proxies: corrected mode, bert.proxies on)
metrics = [m for m in BERT_METRICS.names() if m in scores.columns]
joined = scores.merge(tasks, on="arch_id", how="left")
by_task = {t: correlation_table(joined, metrics, t) for t in ["glue", *TASKS]}
write_csv(by_task["glue"], out.glue)
write_csv(pd.concat([t.assign(task=task) for task, t in by_task.items()], ignore_index=True),
          out.by_task)
