import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402

wc, inp, out, p = snakemake.wildcards, snakemake.input, snakemake.output, snakemake.params  # noqa: F821
scores = pd.read_parquet(inp.scores)
corr = pd.read_csv(inp.correlations).set_index("metric").loc[wc.metric]
title = (f"{p.label} ({p.setting})\n|tau| = {abs(corr.kendall_tau):.3f}, "
         f"|rho| = {abs(corr.spearman_rho):.3f}, n = {int(corr.n)}")
fig = plots.scatter(scores[wc.metric], scores[p.target], title, p.label, p.target_label)
plots.save(fig, out.png, out.pdf)
