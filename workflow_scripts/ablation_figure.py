import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.benchmark import read_published  # noqa: E402
from nasmetrics.compare import relative_spread  # noqa: E402
from nasmetrics.rnn.benchmark import read_published_results  # noqa: E402

inp, p, out = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
reader = {"rnn": read_published_results, "bert": read_published}[p.side]
parts = []
for kind, ours_path, pub_path in (("batch", inp.batch, inp.published_batch),
                                  ("seed", inp.seed, inp.published_seed)):
    ours = relative_spread(pd.read_parquet(ours_path), p.metrics)
    pub = relative_spread(reader(Path(pub_path).read_text(encoding="utf-8")), p.metrics)
    parts += [ours.assign(kind=kind, source="ours"), pub.assign(kind=kind, source="published")]
table = pd.concat(parts, ignore_index=True)
write_csv(table, out.table)
fig = plots.spread_boxes(table, p.metrics, p.title)
plots.save(fig, out.png, out.pdf)
