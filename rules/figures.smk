rule rnn_scatter:
    """Every scored metric against test loss in one setting, one scatter per metric, tau and
    rho in each title (one job per setting: importing the plotting stack costs more than a
    figure)."""
    input:
        scores="results/rnn/{mode}/{corpus}/scores.parquet",
        correlations="results/rnn/{mode}/{corpus}/correlations.csv",
    output:
        png=scatter_figures(
            "results/figures/rnn/{{mode}}/{{corpus}}/scatter_{metric}.png",
            RNN_SCORED,
            caption="../report/rnn_scatter.rst",
            category="RNN",
            subcategory="{mode}, {corpus}: metric vs test loss",
            labels={"mode": "{mode}", "corpus": "{corpus}"},
        ),
        pdf=expand(
            "results/figures/rnn/{{mode}}/{{corpus}}/scatter_{metric}.pdf",
            metric=RNN_SCORED,
        ),
    log:
        "logs/figures/rnn/{mode}/{corpus}/scatter.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        settings=lambda wc: [f"{wc.mode}, {wc.corpus}"],
        figures=[[0, metric, RNN_METRICS.get(metric).label] for metric in RNN_SCORED],
        target="test_loss",
        target_label="test loss",
        code=code_version("scatter"),
    script:
        "../workflow_scripts/scatter.py"


rule rnn_tau_bars:
    """|tau| of every metric per mode and corpus beside the published PTB values."""
    input:
        correlations=correlation_files("rnn"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sources=setting_labels("rnn"),
        metrics=RNN_SCORED,
        families=[RNN_METRICS.get(m).family for m in RNN_SCORED],
        intended_sign=intended_signs("rnn"),
        target="test_loss",
        published_source="published, ptb",
        title="Metric vs test loss",
        code=code_version("tau_bars"),
    script:
        "../workflow_scripts/tau_bars.py"


rule rnn_ablation_figure:
    """Per-architecture spread relative to between-architecture spread, ours vs published."""
    input:
        batch="results/rnn/{mode}/ablation/batch.parquet",
        seed="results/rnn/{mode}/ablation/seed.parquet",
        published_batch=raw("training-free-nas/RNN_batch_ablation.csv"),
        published_seed=raw("training-free-nas/RNN_initialization_ablation.csv"),
    output:
        png=report(
            "results/figures/rnn/{mode}/ablation.png",
            caption="../report/rnn_ablation.rst",
            category="RNN",
            labels={"figure": "ablations, {mode}"},
        ),
        pdf="results/figures/rnn/{mode}/ablation.pdf",
        table="results/rnn/{mode}/ablation/spread.csv",
    log:
        "logs/figures/rnn/{mode}/ablation.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=RNN_METRICS.replicate_names("paper"),
        side="rnn",
        title=lambda wc: f"Ablation spread, {wc.mode}",
        code=code_version("ablation_figure"),
    script:
        "../workflow_scripts/ablation_figure.py"


rule bert_scatter:
    """Every scored metric against GLUE in every mode (the proxies: corrected mode only), one
    scatter per metric, tau and rho in each title; one job for all."""
    input:
        scores=expand("results/bert/{mode}/scores.parquet", mode=BERT["modes"]),
        correlations=expand("results/bert/{mode}/correlations.csv", mode=BERT["modes"]),
    output:
        png=[
            png
            for mode in BERT["modes"]
            for png in scatter_figures(
                f"results/figures/bert/{mode}/scatter_{{metric}}.png",
                bert_scored(mode),
                caption="../report/bert_scatter.rst",
                category="Transformers",
                subcategory=f"{mode}: metric vs GLUE",
                labels={"mode": mode},
            )
        ],
        pdf=[
            f"results/figures/bert/{mode}/scatter_{metric}.pdf"
            for mode in BERT["modes"]
            for metric in bert_scored(mode)
        ],
    log:
        "logs/figures/bert/scatter.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        settings=BERT["modes"],
        figures=[
            [i, metric, BERT_METRICS.get(metric).label]
            for i, mode in enumerate(BERT["modes"])
            for metric in bert_scored(mode)
        ],
        target="glue",
        target_label="GLUE score",
        code=code_version("scatter"),
    script:
        "../workflow_scripts/scatter.py"


rule bert_tau_bars:
    """|tau| against GLUE of every metric: each mode beside the published values."""
    input:
        correlations=correlation_files("bert"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sources=setting_labels("bert"),
        metrics=BERT_SCORED,
        families=[BERT_METRICS.get(m).family for m in BERT_SCORED],
        intended_sign=intended_signs("bert"),
        target="glue",
        published_source="published",
        title="Metric vs GLUE",
        code=code_version("tau_bars"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        benchmark_size=BERT_BENCHMARK_SIZE,
        code=code_version("bert_search_space"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        metrics=BERT_METRICS.replicate_names(),
        side="bert",
        # the paper's seed changed only the dropout masks (models were built after seed 0)
        title=lambda wc: f"Ablation spread, {wc.mode}"
        + (
            " (seed = dropout masks)"
            if wc.mode == "faithful"
            else " (seed = initialisation)"
        ),
        code=code_version("ablation_figure"),
    script:
        "../workflow_scripts/ablation_figure.py"


rule regret_figure:
    """Median regret of each metric's best-of-N pick against N, per setting of one side."""
    input:
        search=lambda wc: sibling_files(wc.side, "search.csv"),
    output:
        png=report(
            "results/figures/{side}/regret.png",
            caption="../report/regret.rst",
            category="Search simulation",
            labels={"figure": "{side} regret vs N"},
        ),
        pdf="results/figures/{side}/regret.pdf",
    log:
        "logs/figures/{side}/regret.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        settings=lambda wc: setting_labels(wc.side),
        labels=lambda wc: labels(wc.side),
        target=lambda wc: "test_loss" if wc.side == "rnn" else "glue",
        ylabel=lambda wc: (
            "median regret (test loss above the best of N)"
            if wc.side == "rnn"
            else "median regret (GLUE below the best of N)"
        ),
        title=lambda wc: (
            "Best-of-N search, RNN: pick the metric's best of N"
            if wc.side == "rnn"
            else "Best-of-N search, transformers: pick the metric's best of N"
        ),
        code=code_version("regret_figure"),
    script:
        "../workflow_scripts/regret_figure.py"


rule ensemble_figures:
    """Held-out tau of the learned combinations beside the best single metric; the learning
    curve."""
    input:
        ensembles=lambda wc: sibling_files(wc.side, "ensembles.csv"),
        curves=lambda wc: sibling_files(wc.side, "learning_curve.csv"),
    output:
        bars_png=report(
            "results/figures/{side}/ensembles.png",
            caption="../report/ensembles.rst",
            category="Learned combinations",
            labels={"figure": "{side} held-out tau"},
        ),
        bars_pdf="results/figures/{side}/ensembles.pdf",
        curve_png=report(
            "results/figures/{side}/learning_curve.png",
            caption="../report/learning_curve.rst",
            category="Learned combinations",
            labels={"figure": "{side} learning curve"},
        ),
        curve_pdf="results/figures/{side}/learning_curve.pdf",
    log:
        "logs/figures/{side}/ensembles.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        settings=lambda wc: setting_labels(wc.side),
        target=lambda wc: "test_loss" if wc.side == "rnn" else "glue",
        what=lambda wc: "test loss" if wc.side == "rnn" else "GLUE",
        code=code_version("ensemble_figures"),
    script:
        "../workflow_scripts/ensemble_figures.py"
