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
    script:
        "../workflow_scripts/rnn_published_comparison.py"


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
