import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

from nasmetrics.atomic import write_parquet  # noqa: E402
from nasmetrics.rnn import benchmark as bm  # noqa: E402

inp, out, params = snakemake.input, snakemake.output, snakemake.params  # noqa: F821

wt2 = bm.combine_runs(bm.log_records(bm.iter_log_files(inp.wt2_logs)))
published = bm.read_published_results(Path(inp.results).read_text(encoding="utf-8"))
parameters = bm.read_published_parameters(Path(inp.parameters).read_text(encoding="utf-8"))
ptb_logs = None
if params.ptb_logs:
    ptb_logs = bm.combine_runs(bm.log_records(bm.iter_ptb_logs(params.ptb_logs)))
archs = bm.build_arch_table(wt2, published, parameters, ptb_logs)
write_parquet(archs, out.archs)
write_parquet(published, out.published)
print(archs["status"].value_counts().to_string(), file=sys.stderr)
print(f"{len(archs)} architectures, {int(archs.has_wt2.sum())} with WikiText-2 logs, "
      f"{int(archs.has_ptb.sum())} with a PTB loss", file=sys.stderr)
