import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.benchmark import ablation_choice, arch_table, read_published  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
# the whole benchmark, not archs.parquet: bert.limit must not remove the ablation ids
archs = arch_table(json.loads(Path(inp.benchmark).read_text(encoding="utf-8")))
chosen = ablation_choice(archs,
                         read_published(Path(inp.published_batch).read_text(encoding="utf-8")),
                         read_published(Path(inp.published_seed).read_text(encoding="utf-8")),
                         p.n_archs)
write_csv(chosen, snakemake.output[0])  # noqa: F821
print(chosen[["rank", "arch_id", "glue"]].to_string(index=False), file=sys.stderr)
