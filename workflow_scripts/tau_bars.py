import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.compare import abs_tau_table  # noqa: E402

inp, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
correlations = {f"ours, {source}": pd.read_csv(path)
                for source, path in zip(p.sources, inp.correlations, strict=True)}
table = abs_tau_table(correlations, pd.read_parquet(inp.published), p.metrics, p.target,
                      p.published_source)
fig = plots.tau_bars(table, p.metrics, p.title, p.families, p.intended_sign)
plots.save(fig, out.png, out.pdf)
