import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from nasmetrics.bert.score import score_table  # noqa: E402
from nasmetrics.partial import PartialRows, fingerprint  # noqa: E402

torch.set_num_threads(snakemake.threads)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
# finished architectures survive a kill: the rerun resumes from them (nasmetrics/partial.py)
progress = PartialRows.beside(snakemake.output[0], fingerprint(  # noqa: F821
    {**dict(p.items()), **dict(wc.items())}, list(inp)))
archs = pd.read_parquet(inp.archs).sort_values("arch_id", kind="stable")
start = int(wc.shard) * p.shard_size
rows = archs.iloc[start : start + p.shard_size].reset_index(drop=True)
batch = np.load(inp.inputs)
table = score_table(rows, batch["input_ids"][0], batch["attention_mask"][0], wc.mode, p.device,
                    log=lambda m: print(m, file=sys.stderr), progress=progress)
progress.finish(table, snakemake.output[0])  # noqa: F821
