rule rnn_correlations:
    """Kendall / Spearman / Pearson of every metric against test loss."""
    input:
        "results/rnn/{mode}/{corpus}/scores.parquet",
    output:
        report(
            "results/rnn/{mode}/{corpus}/correlations.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "RNN correlations, {mode}, {corpus}"},
        ),
    log:
        "logs/rnn/{mode}/{corpus}/correlations.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=RNN_SCORED,
        code=code_version("rnn_correlations"),
    script:
        "../workflow_scripts/rnn_correlations.py"


rule rnn_published_comparison:
    """Ours vs the published PTB values, on the same architecture ids."""
    input:
        scores="results/rnn/{mode}/ptb/scores.parquet",
        published="results/rnn/published.parquet",
    output:
        report(
            "results/rnn/{mode}/ptb/published_comparison.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "RNN published comparison, {mode}, ptb"},
        ),
    log:
        "logs/rnn/{mode}/ptb/published_comparison.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=RNN_SCORED,
        target="test_loss",
        code=code_version("published_comparison"),
    script:
        "../workflow_scripts/published_comparison.py"


rule rnn_summary:
    """A markdown table of every metric's |tau| per mode and corpus and against the published."""
    input:
        correlations=correlation_files("rnn"),
        comparison=comparison_file("rnn"),
        ensembles=sibling_files("rnn", "ensembles.csv"),
        scores=sibling_files("rnn", "scores.parquet"),
        archs="results/rnn/archs.parquet",
    output:
        "results/rnn/summary.md",
    log:
        "logs/rnn/summary.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        settings=setting_labels("rnn"),
        labels=labels("rnn"),
        families={m.name: m.family for m in RNN_METRICS.metrics()},
        intended_sign=intended_signs("rnn"),
        title="RNN metrics vs test loss",
        target="test_loss",
        train_column="wt2_train_seconds",
        train_note=(
            "the NAS-Bench-NLP WikiText-2 logs: the sum of the 50 epochs' wall times, "
            "on the benchmark's GPU"
        ),
        code=code_version("summary"),
    script:
        "../workflow_scripts/summary.py"


rule bert_summary:
    """A markdown table of every metric's |tau| against GLUE in each mode and published."""
    input:
        correlations=correlation_files("bert"),
        comparison=comparison_file("bert"),
        ensembles=sibling_files("bert", "ensembles.csv"),
        scores=sibling_files("bert", "scores.parquet"),
        archs="results/bert/archs.parquet",
    output:
        "results/bert/summary.md",
    log:
        "logs/bert/summary.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        settings=setting_labels("bert"),
        labels=labels("bert"),
        families={m.name: m.family for m in BERT_METRICS.metrics()},
        intended_sign=intended_signs("bert"),
        target="glue",
        train_column="train_seconds",
        train_note="the benchmark's time_to_train, on its TPU",
        title=(
            f"Transformer metrics vs GLUE, input {BERT['n_texts']} texts x "
            f"{BERT['seq_len']} tokens"
        ),
        code=code_version("summary"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        code=code_version("bert_correlations"),
    script:
        "../workflow_scripts/bert_correlations.py"


rule bert_published_comparison:
    """Ours vs the published values, on the same ids, against GLUE."""
    input:
        scores="results/bert/{mode}/scores.parquet",
        published="results/bert/published.parquet",
    output:
        report(
            "results/bert/{mode}/published_comparison.csv",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "transformer published comparison, {mode}"},
        ),
    log:
        "logs/bert/{mode}/published_comparison.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=BERT_METRICS.names("paper"),
        target="glue",
        code=code_version("published_comparison"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        modes=BERT["modes"],
        metrics=BERT_METRICS.names("paper"),
        # the figure's right panel: the parameter count and the two strongest forward
        # metrics (checked against the registry when the workflow is parsed)
        plot_metrics=[
            BERT_METRICS.get(m).name
            for m in (
                "num_params",
                "head_confidence",
                "activation_distance_normalized",
            )
        ],
        code=code_version("bert_pretraining"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        modes=BERT["modes"],
        code=code_version("bert_audit"),
    script:
        "../workflow_scripts/bert_audit.py"


rule rnn_decisions:
    """Top-k quality and best-of-N search simulation of every metric against test loss."""
    input:
        scores="results/rnn/{mode}/{corpus}/scores.parquet",
    output:
        topk=report(
            "results/rnn/{mode}/{corpus}/topk.csv",
            caption="../report/topk.rst",
            category="Tables",
            labels={"table": "RNN top-k, {mode}, {corpus}"},
        ),
        search=report(
            "results/rnn/{mode}/{corpus}/search.csv",
            caption="../report/search.rst",
            category="Tables",
            labels={"table": "RNN search simulation, {mode}, {corpus}"},
        ),
    log:
        "logs/rnn/{mode}/{corpus}/decisions.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        metrics=RNN_SCORED,
        higher={m.name: m.higher_is_better for m in RNN_METRICS.metrics()},
        targets=["test_loss"],
        target_higher=TARGET_HIGHER["rnn"],
        code=code_version("decisions"),
    script:
        "../workflow_scripts/decisions.py"


rule bert_decisions:
    """Top-k quality and best-of-N search simulation against GLUE and each task."""
    input:
        scores="results/bert/{mode}/scores.parquet",
        archs="results/bert/archs.parquet",
    output:
        topk=report(
            "results/bert/{mode}/topk.csv",
            caption="../report/topk.rst",
            category="Tables",
            labels={"table": "transformer top-k, {mode}"},
        ),
        search=report(
            "results/bert/{mode}/search.csv",
            caption="../report/search.rst",
            category="Tables",
            labels={"table": "transformer search simulation, {mode}"},
        ),
    log:
        "logs/bert/{mode}/decisions.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=BERT_METRICS.names(),
        higher={m.name: m.higher_is_better for m in BERT_METRICS.metrics()},
        targets=["glue", *BERT_TASKS],
        target_higher=TARGET_HIGHER["bert"],
        code=code_version("decisions"),
    script:
        "../workflow_scripts/decisions.py"


rule ensembles:
    """Learned combinations of the metrics, the architecture's description, and both, judged
    on held-out architectures; the learning curve from 25, 50, 100 labelled ones."""
    input:
        scores="results/{side}/{setting}/scores.parquet",
        archs="results/{side}/archs.parquet",
    output:
        ensembles=report(
            "results/{side}/{setting}/ensembles.csv",
            caption="../report/ensembles.rst",
            category="Tables",
            labels={"table": "{side} learned combinations, {setting}"},
        ),
        curve="results/{side}/{setting}/learning_curve.csv",
    log:
        "logs/{side}/{setting}/ensembles.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        side="{side}",
        metrics=lambda wc: RNN_SCORED if wc.side == "rnn" else BERT_SCORED,
        target=lambda wc: "test_loss" if wc.side == "rnn" else "glue",
        target_higher=lambda wc: TARGET_HIGHER[wc.side],
        transfer_targets=lambda wc: [] if wc.side == "rnn" else BERT_TASKS,
        code=code_version("ensembles"),
    script:
        "../workflow_scripts/ensembles.py"


rule rnn_transfer:
    """Fit on PTB losses, judge on WikiText-2 losses of held-out shared recipes."""
    input:
        source="results/rnn/{mode}/ptb/scores.parquet",
        dest="results/rnn/{mode}/wikitext2/scores.parquet",
        archs="results/rnn/archs.parquet",
    output:
        report(
            "results/rnn/{mode}/transfer.csv",
            caption="../report/transfer.rst",
            category="Tables",
            labels={"table": "RNN transfer PTB to WikiText-2, {mode}"},
        ),
    log:
        "logs/rnn/{mode}/transfer.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=RNN_SCORED,
        source="ptb",
        dest="wikitext2",
        code=code_version("rnn_transfer"),
    script:
        "../workflow_scripts/rnn_transfer.py"
