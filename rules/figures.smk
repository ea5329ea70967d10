rule rnn_scatter:
    """One scatter of a metric against test loss, tau and rho in the title."""
    input:
        scores="results/rnn/{corpus}/scores.parquet",
        correlations="results/rnn/{corpus}/correlations.csv",
    output:
        png=report(
            "results/figures/rnn/{corpus}/scatter_{metric}.png",
            caption="../report/rnn_scatter.rst",
            category="RNN",
            subcategory="{corpus}: metric vs test loss",
            labels={"corpus": "{corpus}", "metric": "{metric}"},
        ),
        pdf="results/figures/rnn/{corpus}/scatter_{metric}.pdf",
    log:
        "logs/figures/rnn/{corpus}/scatter_{metric}.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        label=lambda wc: RNN_METRICS.get(wc.metric).label,
        setting=lambda wc: wc.corpus,
        target="test_loss",
        target_label="test loss",
    script:
        "../workflow_scripts/scatter.py"


rule rnn_tau_bars:
    """|tau| of every metric on each corpus beside the published PTB values."""
    input:
        correlations=expand(
            "results/rnn/{corpus}/correlations.csv", corpus=RNN["corpora"]
        ),
        published="results/rnn/published.parquet",
    output:
        png=report(
            "results/figures/rnn/tau_bars.png",
            caption="../report/rnn_tau_bars.rst",
            category="RNN",
            labels={"figure": "tau bars"},
        ),
        pdf="results/figures/rnn/tau_bars.pdf",
    log:
        "logs/figures/rnn/tau_bars.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sources=RNN["corpora"],
        metrics=RNN_METRIC_NAMES,
        target="test_loss",
        published_setting=", ptb",
        title="Metric vs test loss",
    script:
        "../workflow_scripts/tau_bars.py"


rule rnn_ablation_figure:
    """Per-architecture spread relative to between-architecture spread, ours vs published."""
    input:
        batch="results/rnn/ablation/batch.parquet",
        seed="results/rnn/ablation/seed.parquet",
        published_batch=raw("training-free-nas/RNN_batch_ablation.csv"),
        published_seed=raw("training-free-nas/RNN_initialization_ablation.csv"),
    output:
        png=report(
            "results/figures/rnn/ablation.png",
            caption="../report/rnn_ablation.rst",
            category="RNN",
            labels={"figure": "ablations"},
        ),
        pdf="results/figures/rnn/ablation.pdf",
        table="results/rnn/ablation/spread.csv",
    log:
        "logs/figures/rnn/ablation.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=RNN_METRIC_NAMES,
        side="rnn",
        title="Ablation spread",
    script:
        "../workflow_scripts/ablation_figure.py"


rule bert_scatter:
    """One scatter of a metric against GLUE in one mode, tau and rho in the title."""
    input:
        scores="results/bert/{mode}/scores.parquet",
        correlations="results/bert/{mode}/correlations.csv",
    output:
        png=report(
            "results/figures/bert/{mode}/scatter_{metric}.png",
            caption="../report/bert_scatter.rst",
            category="Transformers",
            subcategory="{mode}: metric vs GLUE",
            labels={"mode": "{mode}", "metric": "{metric}"},
        ),
        pdf="results/figures/bert/{mode}/scatter_{metric}.pdf",
    log:
        "logs/figures/bert/{mode}/scatter_{metric}.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        label=lambda wc: BERT_METRICS.get(wc.metric).label,
        setting=lambda wc: wc.mode,
        target="glue",
        target_label="GLUE score",
    script:
        "../workflow_scripts/scatter.py"


rule bert_tau_bars:
    """|tau| against GLUE of every metric: each mode beside the published values."""
    input:
        correlations=expand("results/bert/{mode}/correlations.csv", mode=BERT["modes"]),
        published="results/bert/published.parquet",
    output:
        png=report(
            "results/figures/bert/tau_bars.png",
            caption="../report/bert_tau_bars.rst",
            category="Transformers",
            labels={"figure": "tau bars"},
        ),
        pdf="results/figures/bert/tau_bars.pdf",
    log:
        "logs/figures/bert/tau_bars.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sources=BERT["modes"],
        metrics=BERT_METRIC_NAMES,
        target="glue",
        published_setting="",
        title="Metric vs GLUE",
    script:
        "../workflow_scripts/tau_bars.py"


rule bert_search_space:
    """GLUE by layer count, hidden size and operation type (table and box plots)."""
    input:
        archs="results/bert/archs.parquet",
    output:
        table="results/bert/search_space.csv",
        png=report(
            "results/figures/bert/search_space.png",
            caption="../report/bert_search_space.rst",
            category="Transformers",
            labels={"figure": "search space"},
        ),
        pdf="results/figures/bert/search_space.pdf",
    log:
        "logs/figures/bert/search_space.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        benchmark_size=BERT_BENCHMARK_SIZE,
    script:
        "../workflow_scripts/bert_search_space.py"


rule bert_ablation_figure:
    """Per-architecture spread relative to between-architecture spread, ours vs published."""
    input:
        batch="results/bert/{mode}/ablation/batch.parquet",
        seed="results/bert/{mode}/ablation/seed.parquet",
        published_batch=raw("training-free-nas/BERT_batch_ablation.csv"),
        published_seed=raw("training-free-nas/BERT_initialization_ablation.csv"),
    output:
        png=report(
            "results/figures/bert/{mode}/ablation.png",
            caption="../report/bert_ablation.rst",
            category="Transformers",
            labels={"figure": "ablations, {mode}"},
        ),
        pdf="results/figures/bert/{mode}/ablation.pdf",
        table="results/bert/{mode}/ablation/spread.csv",
    log:
        "logs/figures/bert/{mode}/ablation.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=BERT_METRIC_NAMES,
        side="bert",
        # the paper's seed changed only the dropout masks (models were built after seed 0)
        title=lambda wc: f"Ablation spread, {wc.mode}"
        + (
            " (seed = dropout masks)"
            if wc.mode == "faithful"
            else " (seed = initialisation)"
        ),
    script:
        "../workflow_scripts/ablation_figure.py"
