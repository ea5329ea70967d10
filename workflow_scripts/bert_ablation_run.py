import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nasmetrics.bert.score import ablation_runs  # noqa: E402
from nasmetrics.job import scoring_job  # noqa: E402

progress, log = scoring_job(snakemake)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
chosen = pd.read_csv(inp.archs)
row = chosen[chosen["rank"] == int(wc.rank)].iloc[0].to_dict()
batches = np.load(inp.inputs)
n = p.n_batches if wc.kind == "batch" else p.n_seeds
mlm = (batches["mlm_input_ids"], batches["mlm_labels"]) if wc.mode == "corrected" else None
table = ablation_runs(row, batches["input_ids"], batches["attention_mask"], wc.kind, n, wc.mode,
                      p.device, log=log, progress=progress, mlm=mlm)
table.insert(0, "rank", int(wc.rank))
progress.finish({snakemake.output[0]: table})  # noqa: F821
