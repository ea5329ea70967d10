import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.bert.audit import quirk_audit  # noqa: E402
from nasmetrics.bert.pretraining import checkpoint_table  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
scores = {mode: pd.read_parquet(path) for mode, path in zip(p.modes, inp.scores, strict=True)}
ckpts = checkpoint_table(json.loads(Path(inp.train).read_text(encoding="utf-8")))
audit = quirk_audit(scores.get("faithful"), scores.get("corrected"),
                    pd.read_parquet(inp.published), ckpts)
audit.to_csv(snakemake.output[0], index=False)  # noqa: F821
print(audit.to_string(index=False), file=sys.stderr)
