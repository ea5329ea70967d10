import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import description  # noqa: E402
from nasmetrics.atomic import write_csv  # noqa: E402
from nasmetrics.ensembles import cross_validated, feature_sets, learning_curve  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
scores = pd.read_parquet(inp.scores).set_index("arch_id")
archs = pd.read_parquet(inp.archs)
described = getattr(description, f"{p.side}_description")(archs).reindex(scores.index)
# only architectures that were scored: a failed one has no metric to learn from
scores = scores[scores["status"].isin(["ok", "nonfinite_metric"])]
features = feature_sets(scores[[m for m in p.metrics if m in scores.columns]], described)
target = scores[p.target] if p.target in scores.columns else archs.set_index(
    "arch_id").loc[scores.index, p.target]
also = {t: archs.set_index("arch_id").loc[scores.index, t] for t in p.transfer_targets}
print(f"{len(scores)} architectures; features: "
      + ", ".join(f"{k} {v.shape[1]}" for k, v in features.items()), file=sys.stderr)
write_csv(cross_validated(features, target.rename(p.target), p.target_higher, also_judge=also),
          out.ensembles)
curve = learning_curve(features, target, p.target_higher)
write_csv(curve.assign(target=p.target)[["target", *curve.columns]], out.curve)
