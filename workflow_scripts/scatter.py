import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402

# params.figures: [setting index, metric, label] per figure, in the order of output.png/pdf;
# the setting index picks input.scores / input.correlations and params.settings
inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821


def paths(files):  # a named input or output of one file is that file's path, not a list
    return [files] if isinstance(files, str) else list(files)


scores = [pd.read_parquet(path) for path in paths(inp.scores)]
correlations = [pd.read_csv(path).set_index("metric") for path in paths(inp.correlations)]
for (i, metric, label), png, pdf in zip(p.figures, paths(out.png), paths(out.pdf),
                                         strict=True):
    corr = correlations[i].loc[metric]
    title = (f"{label} ({p.settings[i]})\n|tau| = {abs(corr.kendall_tau):.3f}, "
             f"|rho| = {abs(corr.spearman_rho):.3f}, n = {int(corr.n)}")
    fig = plots.scatter(scores[i][metric], scores[i][p.target], title, label, p.target_label)
    plots.save(fig, png, pdf)
    print(f"{png}: {label} ({p.settings[i]})", file=sys.stderr)
