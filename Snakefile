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


# On a cluster (profiles/slurm) these run on the submitting host, not as sbatch jobs: fetching
# needs the internet, which compute nodes often lack, and the rest are table or figure jobs of
# a few seconds each, for which queueing would cost more than the work. What stays a cluster
# job is what builds models or parses the benchmarks: inputs, archs tables, scoring, ablations.
localrules:
    fetch,
    rnn_shard_index,
    rnn_merge_scores,
    bert_merge_scores,
    rnn_ablation_archs,
    rnn_ablation_merge,
    bert_ablation_archs,
    bert_ablation_merge,
    rnn_correlations,
    rnn_published_comparison,
    bert_correlations,
    bert_published_comparison,
    bert_pretraining,
    bert_audit,
    rnn_summary,
    bert_summary,
    rnn_scatter,
    rnn_tau_bars,
    rnn_ablation_figure,
    bert_scatter,
    bert_tau_bars,
    bert_search_space,
    bert_ablation_figure,
    timings,
    all,


rule all:
    default_target: True
    input:
        static_outputs,
        final_outputs,
