import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.bert.benchmark import arch_table, read_published  # noqa: E402
from nasmetrics.bert.score import ablation_ids  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
# The published ablations name their 10 architectures; all are in the benchmark. The whole
# benchmark is read here (not archs.parquet), so bert.limit does not remove them.
ids = ablation_ids(read_published(Path(inp.published_batch).read_text(encoding="utf-8")))
seed_ids = ablation_ids(read_published(Path(inp.published_seed).read_text(encoding="utf-8")))
if ids != seed_ids:
    raise ValueError(f"the published ablations name different architectures: {ids} vs {seed_ids}")
if p.n_archs > len(ids):
    raise ValueError(f"bert.ablation.n_archs is {p.n_archs}; the published ablations have "
                     f"{len(ids)} architectures")
archs = arch_table(json.loads(Path(inp.benchmark).read_text(encoding="utf-8")))
missing = sorted(set(ids) - set(archs["arch_id"]))
if missing:
    raise ValueError(f"{inp.benchmark}: ablation architectures {missing} are not in it")
chosen = archs.set_index("arch_id").loc[ids[: p.n_archs]].reset_index()
chosen.insert(0, "rank", range(len(chosen)))
write_csv(chosen[["rank", "arch_id", "architecture", "glue"]], snakemake.output[0])  # noqa: F821
print(chosen[["rank", "arch_id", "glue"]].to_string(index=False), file=sys.stderr)
