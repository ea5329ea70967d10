import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.audit import gradient_signal, quirk_audit  # noqa: E402
from nasmetrics.bert.pretraining import checkpoint_table  # noqa: E402
from nasmetrics.bert.space import from_config  # noqa: E402

# one thread, like the scoring jobs: the backward-of-ones residue depends on the op order
torch.set_num_threads(snakemake.threads)  # noqa: F821
inp, p = snakemake.input, snakemake.params  # noqa: F821
scores = {mode: pd.read_parquet(path) for mode, path in zip(p.modes, inp.scores, strict=True)}
ckpts = checkpoint_table(json.loads(Path(inp.train).read_text(encoding="utf-8")))
archs = pd.read_parquet(inp.archs)
arch0 = from_config(json.loads(archs.loc[archs["arch_id"] == 0, "architecture"].iloc[0]))
batch = np.load(inp.inputs)
mlm = (batch["mlm_input_ids"][0], batch["mlm_labels"][0])
signal = {mode: gradient_signal(arch0, batch["input_ids"][0], batch["attention_mask"][0], mode,
                                mlm=mlm)
          for mode in p.modes}
audit = quirk_audit(scores.get("faithful"), scores.get("corrected"),
                    pd.read_parquet(inp.published), ckpts, signal)
write_csv(audit, snakemake.output[0])  # noqa: F821
print(audit.to_string(index=False), file=sys.stderr)
