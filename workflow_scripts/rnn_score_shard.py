import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from nasmetrics.corpus import input_batch  # noqa: E402
from nasmetrics.partial import PartialRows, fingerprint  # noqa: E402
from nasmetrics.rnn.score import VOCAB_SIZES, corpus_rows, score_table  # noqa: E402

torch.set_num_threads(snakemake.threads)  # noqa: F821
inp, p, wc = snakemake.input, snakemake.params, snakemake.wildcards  # noqa: F821
# finished architectures survive a kill: the rerun resumes from them (nasmetrics/partial.py)
progress = PartialRows.beside(snakemake.output[0], fingerprint(  # noqa: F821
    {**dict(p.items()), **dict(wc.items())}, list(inp)))

index = pd.read_csv(inp.index, sep="\t", skiprows=1)
wanted = index.loc[index["shard"] == int(wc.shard), "arch_id"]
rows = corpus_rows(pd.read_parquet(inp.archs), wc.corpus)
rows = rows[rows["arch_id"].isin(wanted)].reset_index(drop=True)
ids = input_batch(np.load(inp.inputs)["data"], 0, p.bptt)
table = score_table(rows, ids, VOCAB_SIZES[wc.corpus], p.fidelity, p.device,
                    log=lambda m: print(m, file=sys.stderr), progress=progress)
progress.finish(table, snakemake.output[0])  # noqa: F821
