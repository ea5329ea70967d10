import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.rnn.benchmark import ablation_choice  # noqa: E402

p = snakemake.params  # noqa: F821
chosen = ablation_choice(pd.read_parquet(snakemake.input.archs), p.corpus, p.n_archs, p.limit)  # noqa: F821
write_csv(chosen, snakemake.output[0])  # noqa: F821
print(chosen[["rank", "arch_id", "test_loss"]].to_string(index=False), file=sys.stderr)
