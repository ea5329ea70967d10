rule rnn_correlations:
    """Kendall / Spearman / Pearson of every metric against test loss."""
    input:
        "results/rnn/{corpus}/scores.parquet",
    output:
        report(
            "results/rnn/{corpus}/correlations.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "RNN correlations, {corpus}"},
        ),
    log:
        "logs/rnn/{corpus}/correlations.log",
    conda:
        "../environment.yml"
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
        report(
            "results/rnn/ptb/published_comparison.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "RNN published comparison, ptb"},
        ),
    log:
        "logs/rnn/ptb/published_comparison.log",
    conda:
        "../environment.yml"
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
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        side="rnn",
        settings=RNN["corpora"],
        title=f"RNN metrics vs test loss, fidelity: {config['fidelity']}",
    script:
        "../workflow_scripts/summary.py"


rule bert_summary:
    """A markdown table of every metric's |tau| against GLUE in each mode and published."""
    input:
        correlations=expand("results/bert/{mode}/correlations.csv", mode=BERT["modes"]),
        comparison=(
            ["results/bert/published_comparison.csv"]
            if "faithful" in BERT["modes"]
            else []
        ),
    output:
        "results/bert/summary.md",
    log:
        "logs/bert/summary.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        side="bert",
        settings=BERT["modes"],
        title=(
            f"Transformer metrics vs GLUE, input {BERT['n_texts']} texts x "
            f"{BERT['seq_len']} tokens"
        ),
    script:
        "../workflow_scripts/summary.py"


rule bert_correlations:
    """Every metric against GLUE, and (long format) against each GLUE task."""
    input:
        scores="results/bert/{mode}/scores.parquet",
        archs="results/bert/archs.parquet",
    output:
        glue=report(
            "results/bert/{mode}/correlations.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "transformer correlations, {mode}"},
        ),
        by_task="results/bert/{mode}/correlations_by_task.csv",
    log:
        "logs/bert/{mode}/correlations.log",
    conda:
        "../environment.yml"
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
        report(
            "results/bert/published_comparison.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "transformer published comparison"},
        ),
    log:
        "logs/bert/published_comparison.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=BERT_METRIC_NAMES,
        target="glue",
    script:
        "../workflow_scripts/published_comparison.py"


rule bert_pretraining:
    """Pre-training ablation: checkpoint GLUE vs final GLUE, metrics vs GLUE per checkpoint."""
    input:
        train=raw("training-free-nas/BERT_benchmark_train_ablation.json"),
        archs="results/bert/archs.parquet",
        scores=expand("results/bert/{mode}/scores.parquet", mode=BERT["modes"]),
        published="results/bert/published.parquet",
    output:
        checkpoints="results/bert/pretraining/checkpoints.csv",
        metrics="results/bert/pretraining/metric_taus.csv",
        png=report(
            "results/figures/bert/pretraining.png",
            caption="../report/bert_pretraining.rst",
            category="Transformers",
            labels={"figure": "pre-training ablation"},
        ),
        pdf="results/figures/bert/pretraining.pdf",
    log:
        "logs/bert/pretraining.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        modes=BERT["modes"],
        metrics=BERT_METRIC_NAMES,
        plot_metrics=["num_params", "head_confidence", "activation_distance_normalized"],
    script:
        "../workflow_scripts/bert_pretraining.py"


rule bert_audit:
    """What each paper-code defect changes, measured: results/bert/audit.csv."""
    input:
        scores=expand("results/bert/{mode}/scores.parquet", mode=BERT["modes"]),
        published="results/bert/published.parquet",
        train=raw("training-free-nas/BERT_benchmark_train_ablation.json"),
        archs="results/bert/archs.parquet",
        inputs="results/bert/inputs.npz",
    output:
        report(
            "results/bert/audit.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "transformer quirk audit"},
        ),
    log:
        "logs/bert/audit.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        modes=BERT["modes"],
        code=BERT_CODE,
    script:
        "../workflow_scripts/bert_audit.py"
