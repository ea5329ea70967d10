# nasmetrics: training-free NAS metrics for RNNs (NAS-Bench-NLP) and transformers
# (NAS-Bench-BERT), reproduced and extended. Serianni & Kalita, "Training-free Neural
# Architecture Search for RNNs and Transformers", ACL 2023.
# Run: snakemake --cores 2  (README.md: presets, targets, profiles).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"


wildcard_constraints:
    corpus="ptb|wikitext2",
    shard=r"\d+",
    kind="batch|seed",
    side="rnn|bert",
    mode="faithful|corrected",
    # a side's setting: mode/corpus on the RNN side, mode on the transformer side
    setting="(faithful|corrected)(/(ptb|wikitext2))?",
    rank=r"\d+",
    metric="|".join(sorted(set(RNN_METRICS.names()) | set(BERT_METRICS.names()))),
    ext="png|pdf",
    path="|".join(re.escape(p) for p in SOURCES),


# Stages, in DAG order. Rules marked `localrule: True` run on the submitting host under a
# cluster profile: downloads need the internet, which compute nodes often lack, and table or
# figure jobs take seconds, less than a queue slot would. Jobs that build models or parse the
# benchmarks are cluster jobs.
include: "rules/fetch.smk"
include: "rules/prepare.smk"
include: "rules/scoring.smk"
include: "rules/ablation.smk"
include: "rules/analysis.smk"
include: "rules/figures.smk"
include: "rules/timings.smk"


rule all:
    default_target: True
    input:
        static_outputs,
        final_outputs,
    localrule: True
