# nasmetrics: training-free NAS metrics for RNNs (NAS-Bench-NLP), reproduced and extended.
# Serianni & Kalita, "Training-free Neural Architecture Search for RNNs and Transformers",
# ACL 2023. Run: snakemake --cores 2  (see README.md for presets, targets and profiles).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"


wildcard_constraints:
    corpus="ptb|wikitext2",
    shard=r"\d+",
    kind="batch|seed",
    mode="faithful|corrected",
    rank=r"\d+",
    metric="|".join(sorted(set(RNN_METRIC_NAMES) | set(BERT_METRIC_NAMES))),
    ext="png|pdf",
    path="|".join(re.escape(p) for p in SOURCES),


include: "rules/data.smk"
include: "rules/benchmark.smk"
include: "rules/scoring.smk"
include: "rules/correlations.smk"
include: "rules/ablation.smk"
include: "rules/figures.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        static_outputs,
        final_outputs,
