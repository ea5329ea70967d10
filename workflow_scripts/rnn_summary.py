import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.report import rnn_summary  # noqa: E402
from nasmetrics.rnn.metrics import RNN_METRICS  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
tables = {c: pd.read_csv(path) for c, path in zip(p.corpora, inp.correlations, strict=True)}
comparison = pd.read_csv(inp.comparison[0]) if inp.comparison else None
labels = {m: RNN_METRICS.get(m).label for m in RNN_METRICS.names()}
text = (f"RNN metrics vs test loss, fidelity: {p.fidelity}. "
        "|Kendall tau|; agreement = Spearman between our and the published per-architecture "
        "values on the same ids.\n\n" + rnn_summary(tables, comparison, labels))
with open(snakemake.output[0], "w") as fh:  # noqa: F821
    fh.write(text)
