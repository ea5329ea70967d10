import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.correlate import correlation_table  # noqa: E402

inp, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
parts = []
for source, path in zip(p.sources, inp.correlations, strict=True):
    t = pd.read_csv(path)
    parts.append(pd.DataFrame({"metric": t.metric, "abs_tau": t.kendall_tau.abs(),
                               "source": f"ours, {source}"}))
published = pd.read_parquet(inp.published)
pub_metrics = [m for m in p.metrics if m in published.columns]
pub = correlation_table(published, pub_metrics, p.target)
parts.append(pd.DataFrame({"metric": pub.metric, "abs_tau": pub.kendall_tau.abs(),
                           "source": f"published{p.published_setting} (n={int(pub.n.max())})"}))
table = pd.concat(parts, ignore_index=True)
fig = plots.tau_bars(table, p.metrics, p.title)
plots.save(fig, out.png, out.pdf)
