import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nasmetrics.bert.score import score_table  # noqa: E402
from nasmetrics.job import scoring_job  # noqa: E402
from nasmetrics.shard_index import shard_rows  # noqa: E402

progress, log = scoring_job(snakemake)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
archs = pd.read_parquet(inp.archs).sort_values("arch_id", kind="stable")
rows = shard_rows(archs, int(wc.shard), p.shard_size)
batch = np.load(inp.inputs)
corrected = wc.mode == "corrected"
mlm = (batch["mlm_input_ids"][0], batch["mlm_labels"][0]) if corrected else None
table = score_table(rows, batch["input_ids"][0], batch["attention_mask"][0], wc.mode, p.device,
                    log=log, progress=progress, mlm=mlm, proxies=corrected and p.proxies)
progress.finish({snakemake.output[0]: table})  # noqa: F821
