import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.description import rnn_description  # noqa: E402
from nasmetrics.ensembles import feature_sets, transfer  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
described = rnn_description(pd.read_parquet(inp.archs))


def side(path):
    scores = pd.read_parquet(path).set_index("arch_id")
    scores = scores[scores["status"].isin(["ok", "nonfinite_metric"])]
    return (feature_sets(scores[[m for m in p.metrics if m in scores.columns]], described),
            scores["test_loss"])


src, src_loss = side(inp.source)
dst, dst_loss = side(inp.dest)
table = transfer(src, src_loss.rename(f"{p.source} test_loss"), dst,
                 dst_loss.rename(f"{p.dest} test_loss"), target_higher=False)
print(f"{int(table['n'].max()) if len(table) else 0} shared architectures", file=sys.stderr)
write_csv(table, out[0])
