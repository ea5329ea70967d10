import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.correlate import correlation_table  # noqa: E402

inp, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
parts = []
for corpus, path in zip(p.corpora, inp.correlations, strict=True):
    t = pd.read_csv(path)
    parts.append(pd.DataFrame({"metric": t.metric, "abs_tau": t.kendall_tau.abs(),
                               "source": f"ours, {corpus}"}))
published = pd.read_parquet(inp.published)
pub_metrics = [m for m in p.metrics if m in published.columns]
pub = correlation_table(published, pub_metrics, "test_loss")
parts.append(pd.DataFrame({"metric": pub.metric, "abs_tau": pub.kendall_tau.abs(),
                           "source": f"published, ptb (n={int(pub.n.max())})"}))
table = pd.concat(parts, ignore_index=True)
fig = plots.tau_bars(table, p.metrics, "Metric vs test loss")
plots.save(fig, out.png, out.pdf)
