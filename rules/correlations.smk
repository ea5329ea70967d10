rule rnn_correlations:
    """Kendall / Spearman / Pearson of every metric against test loss."""
    input:
        "results/rnn/{corpus}/scores.parquet",
    output:
        "results/rnn/{corpus}/correlations.csv",
    log:
        "logs/rnn/{corpus}/correlations.log",
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=RNN_METRIC_NAMES,
    script:
        "../workflow_scripts/rnn_correlations.py"


rule rnn_published_comparison:
    """Ours vs the published PTB values, on the same architecture ids."""
    input:
        scores="results/rnn/ptb/scores.parquet",
        published="results/rnn/published.parquet",
    output:
        "results/rnn/ptb/published_comparison.csv",
    log:
        "logs/rnn/ptb/published_comparison.log",
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=RNN_METRIC_NAMES,
        target="test_loss",
    script:
        "../workflow_scripts/published_comparison.py"


rule rnn_summary:
    """A markdown table of every metric's |tau| on each corpus and against the published."""
    input:
        correlations=expand(
            "results/rnn/{corpus}/correlations.csv", corpus=RNN["corpora"]
        ),
        comparison=(
            ["results/rnn/ptb/published_comparison.csv"]
            if "ptb" in RNN["corpora"]
            else []
        ),
    output:
        "results/rnn/summary.md",
    log:
        "logs/rnn/summary.log",
    threads: 1
    resources:
        mem_mb=500,
    params:
        corpora=RNN["corpora"],
        fidelity=config["fidelity"],
    script:
        "../workflow_scripts/rnn_summary.py"


rule bert_correlations:
    """Every metric against GLUE, and (long format) against each GLUE task."""
    input:
        scores="results/bert/{mode}/scores.parquet",
        archs="results/bert/archs.parquet",
    output:
        glue="results/bert/{mode}/correlations.csv",
        by_task="results/bert/{mode}/correlations_by_task.csv",
    log:
        "logs/bert/{mode}/correlations.log",
    threads: 1
    resources:
        mem_mb=500,
    script:
        "../workflow_scripts/bert_correlations.py"


rule bert_published_comparison:
    """Ours (faithful) vs the published values, on the same ids, against GLUE."""
    input:
        scores="results/bert/faithful/scores.parquet",
        published="results/bert/published.parquet",
    output:
        "results/bert/published_comparison.csv",
    log:
        "logs/bert/published_comparison.log",
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=BERT_METRIC_NAMES,
        target="glue",
    script:
        "../workflow_scripts/published_comparison.py"
