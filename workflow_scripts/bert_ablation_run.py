import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from nasmetrics.bert.score import ablation_runs  # noqa: E402
from nasmetrics.partial import PartialRows, fingerprint  # noqa: E402

torch.set_num_threads(snakemake.threads)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
# finished architectures survive a kill: the rerun resumes from them (nasmetrics/partial.py)
progress = PartialRows.beside(snakemake.output[0], fingerprint(  # noqa: F821
    {**dict(p.items()), **dict(wc.items())}, list(inp)))
chosen = pd.read_csv(inp.archs)
row = chosen[chosen["rank"] == int(wc.rank)].iloc[0].to_dict()
batches = np.load(inp.inputs)
n = p.n_batches if wc.kind == "batch" else p.n_seeds
table = ablation_runs(row, batches["input_ids"], batches["attention_mask"], wc.kind, n, wc.mode,
                      p.device, log=lambda m: print(m, file=sys.stderr), progress=progress)
table.insert(0, "rank", int(wc.rank))
progress.finish(table, snakemake.output[0])  # noqa: F821
