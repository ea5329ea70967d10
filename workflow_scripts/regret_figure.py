import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
tables = {}
for setting, path in zip(p.settings, inp.search, strict=True):
    t = pd.read_csv(path)
    tables[setting] = t[t["target"] == p.target]
fig = plots.regret_curves(tables, p.labels, p.ylabel, p.title)
plots.save(fig, out.png, out.pdf)
