import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.rnn.metrics import RNN_METRICS  # noqa: E402

wc, inp, out = snakemake.wildcards, snakemake.input, snakemake.output  # noqa: F821
scores = pd.read_parquet(inp.scores)
corr = pd.read_csv(inp.correlations).set_index("metric").loc[wc.metric]
label = RNN_METRICS.get(wc.metric).label
title = (f"{label} ({wc.corpus})\n|tau| = {abs(corr.kendall_tau):.3f}, "
         f"|rho| = {abs(corr.spearman_rho):.3f}, n = {int(corr.n)}")
fig = plots.scatter(scores[wc.metric], scores["test_loss"], title, label, "test loss")
plots.save(fig, out.png, out.pdf)
