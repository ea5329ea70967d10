import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821

import pandas as pd  # noqa: E402

from nasmetrics.atomic import write_text  # noqa: E402
from nasmetrics.report import held_out_statement, summary_table  # noqa: E402

inp, p = snakemake.input, snakemake.params  # noqa: F821
tables = {s: pd.read_csv(path) for s, path in zip(p.settings, inp.correlations, strict=True)}
comparison = pd.read_csv(inp.comparison[0]) if inp.comparison else None
text = (f"{p.title}. |Kendall tau|; \"(reversed)\": tau's sign says the metric ranks "
        "the architectures opposite to the direction its definition intends (the registry's "
        "higher_is_better; signed values in correlations.csv); agreement = Spearman "
        "between our faithful and the published per-architecture values on the same ids.\n\n"
        + summary_table(tables, comparison, p.labels, p.families, p.intended_sign))
lines = []
for setting, ens, scores in zip(p.settings, inp.ensembles, inp.scores, strict=True):
    table = pd.read_parquet(scores)
    proxy_seconds = table["proxy_seconds"].median() if "proxy_seconds" in table else None
    lines.append(held_out_statement(setting, pd.read_csv(ens), p.target,
                                    table["seconds"].median(), proxy_seconds))
text += ("\nLearned combinations and the architecture's own description, judged on held-out "
         "architectures (ensembles.csv, docs/evaluation.md):\n" + "\n".join(lines) + "\n")
if p.train_column:
    train = pd.read_parquet(inp.archs, columns=[p.train_column])[p.train_column].median()
    text += (f"\nTraining one architecture, for comparison ({p.train_note}): median "
             f"{train / 3600:.1f} hours.\n")
write_text(text, snakemake.output[0])  # noqa: F821
