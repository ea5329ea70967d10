rule rnn_scatter:
    """One scatter of a metric against test loss, tau and rho in the title."""
    input:
        scores="results/rnn/{corpus}/scores.parquet",
        correlations="results/rnn/{corpus}/correlations.csv",
    output:
        png="results/figures/rnn/{corpus}/scatter_{metric}.png",
        pdf="results/figures/rnn/{corpus}/scatter_{metric}.pdf",
    log:
        "logs/figures/rnn/{corpus}/scatter_{metric}.log",
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../workflow_scripts/rnn_scatter.py"


rule rnn_tau_bars:
    """|tau| of every metric on each corpus beside the published PTB values."""
    input:
        correlations=expand(
            "results/rnn/{corpus}/correlations.csv", corpus=RNN["corpora"]
        ),
        published="results/rnn/published.parquet",
    output:
        png="results/figures/rnn/tau_bars.png",
        pdf="results/figures/rnn/tau_bars.pdf",
    log:
        "logs/figures/rnn/tau_bars.log",
    threads: 1
    resources:
        mem_mb=1000,
    params:
        corpora=RNN["corpora"],
        metrics=RNN_METRIC_NAMES,
    script:
        "../workflow_scripts/rnn_tau_bars.py"


rule rnn_ablation_figure:
    """Per-architecture spread relative to between-architecture spread, ours vs published."""
    input:
        batch="results/rnn/ablation/batch.parquet",
        seed="results/rnn/ablation/seed.parquet",
        published_batch=raw("training-free-nas/RNN_batch_ablation.csv"),
        published_seed=raw("training-free-nas/RNN_initialization_ablation.csv"),
    output:
        png="results/figures/rnn/ablation.png",
        pdf="results/figures/rnn/ablation.pdf",
        table="results/rnn/ablation/spread.csv",
    log:
        "logs/figures/rnn/ablation.log",
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=RNN_METRIC_NAMES,
    script:
        "../workflow_scripts/rnn_ablation_figure.py"
