import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402
from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.pretraining import (  # noqa: E402
    checkpoint_agreement,
    checkpoint_table,
    metric_taus,
)

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
ckpts = checkpoint_table(json.loads(Path(inp.train).read_text(encoding="utf-8")))
archs = pd.read_parquet(inp.archs)
agreement = checkpoint_agreement(ckpts, archs.set_index("arch_id")["glue"])
write_csv(agreement, out.checkpoints)
sources = {mode: pd.read_parquet(path) for mode, path in zip(p.modes, inp.scores, strict=True)}
sources["published"] = pd.read_parquet(inp.published)
taus = metric_taus(ckpts, sources, p.metrics)
write_csv(taus, out.metrics)
print(agreement.to_string(index=False), file=sys.stderr)
fig = plots.checkpoint_taus(agreement, taus, p.plot_metrics)
plots.save(fig, out.png, out.pdf)
