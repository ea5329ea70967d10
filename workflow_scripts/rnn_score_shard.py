import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nasmetrics.corpus import input_batch, target_batch  # noqa: E402
from nasmetrics.job import scoring_job  # noqa: E402
from nasmetrics.rnn.benchmark import corpus_rows  # noqa: E402
from nasmetrics.rnn.score import VOCAB_SIZES, score_table  # noqa: E402
from nasmetrics.shard_index import shard_ids  # noqa: E402

progress, log = scoring_job(snakemake)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
wanted = shard_ids(inp.index, int(wc.shard))
rows = corpus_rows(pd.read_parquet(inp.archs), wc.corpus)
rows = rows[rows["arch_id"].isin(wanted)].reset_index(drop=True)
data = np.load(inp.inputs)["data"]
ids, targets = input_batch(data, 0, p.bptt), target_batch(data, 0, p.bptt)
# one set of passes per architecture serves every mode: one output per mode
tables = score_table(rows, ids, VOCAB_SIZES[wc.corpus], p.modes, p.device, log=log,
                     progress=progress, targets=targets if p.proxies else None)
progress.finish({out: tables[m] for m, out in zip(p.modes, snakemake.output, strict=True)})  # noqa: F821
