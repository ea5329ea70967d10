import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nasmetrics.job import scoring_job  # noqa: E402
from nasmetrics.rnn.score import VOCAB_SIZES, ablation_runs  # noqa: E402

progress, log = scoring_job(snakemake)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
chosen = pd.read_csv(inp.archs)
arch = chosen[chosen["rank"] == int(wc.rank)].iloc[0].to_dict()
n = p.n_batches if wc.kind == "batch" else p.n_seeds
tables = ablation_runs(arch, np.load(inp.inputs)["data"], VOCAB_SIZES[p.corpus], wc.kind, n,
                       p.bptt, p.modes, p.device, log=log, progress=progress)
for table in tables.values():
    table.insert(0, "rank", int(wc.rank))
progress.finish({out: tables[m] for m, out in zip(p.modes, snakemake.output, strict=True)})  # noqa: F821
