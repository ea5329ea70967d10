import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics import plots  # noqa: E402

inp, out, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821


def tables(paths):
    out = {}
    for setting, path in zip(p.settings, paths, strict=True):
        t = pd.read_csv(path)
        out[setting] = t[t["target"] == p.target]
    return out


fig = plots.ensemble_bars(tables(inp.ensembles), f"Learned combinations, held out ({p.what})")
plots.save(fig, out.bars_png, out.bars_pdf)
fig = plots.learning_curves(tables(inp.curves), f"Learning curve ({p.what})")
plots.save(fig, out.curve_png, out.curve_pdf)
