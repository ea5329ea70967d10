rule rnn_ablation_archs:
    """The ablation architectures: spread over the loss range by a fixed rule (docs/rnn.md)."""
    input:
        archs="results/rnn/archs.parquet",
    output:
        "results/rnn/ablation/archs.csv",
    log:
        "logs/rnn/ablation/archs.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        n_archs=RNN["ablation"]["n_archs"],
        corpus=RNN["ablation"]["corpus"],
        limit=RNN["limit"],
        code=code_version("rnn_ablation_archs"),
    script:
        "../workflow_scripts/rnn_ablation_archs.py"


rule rnn_ablation_run:
    """One ablation architecture under every input batch (kind=batch) or seed (kind=seed),
    in every mode of rnn.ablation.modes from one set of passes per replicate."""
    input:
        archs="results/rnn/ablation/archs.csv",
        inputs=f"results/rnn/{RNN['ablation']['corpus']}/inputs.npz",
    output:
        expand(
            "results/rnn/{mode}/ablation/{{kind}}/{{rank}}.parquet",
            mode=RNN["ablation"]["modes"],
        ),
    log:
        "logs/rnn/ablation/{kind}/{rank}.log",
    benchmark:
        "results/benchmarks/rnn/ablation/{kind}_{rank}.tsv"
    conda:
        "../environment.yml"
    threads: 1
    resources:
        **scoring_resources("rnn"),
    params:
        corpus=RNN["ablation"]["corpus"],
        n_batches=RNN["ablation"]["n_batches"],
        n_seeds=RNN["ablation"]["n_seeds"],
        modes=RNN["ablation"]["modes"],
        code=code_version("rnn_ablation_run"),
        device=config["device"],
        bptt=RNN["bptt"],
    script:
        "../workflow_scripts/rnn_ablation_run.py"


rule bert_ablation_archs:
    """The 10 architectures the published BERT ablations name (all are in the benchmark)."""
    input:
        benchmark=raw("training-free-nas/BERT_benchmark.json"),
        published_batch=raw("training-free-nas/BERT_batch_ablation.csv"),
        published_seed=raw("training-free-nas/BERT_initialization_ablation.csv"),
    output:
        "results/bert/ablation/archs.csv",
    log:
        "logs/bert/ablation/archs.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        n_archs=BERT["ablation"]["n_archs"],
        code=code_version("bert_ablation_archs"),
    script:
        "../workflow_scripts/bert_ablation_archs.py"


rule bert_ablation_inputs:
    """n_batches disjoint input batches (batch 0 = the main input) for the batch ablation."""
    input:
        text=bert_text,
        vocab=raw("tokenizers/bert-base-uncased/vocab.txt"),
    output:
        "results/bert/ablation/inputs.npz",
    log:
        "logs/bert/ablation/inputs.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        own_text=bool(BERT["text"]),
        n_texts=BERT["n_texts"],
        seq_len=BERT["seq_len"],
        n_batches=BERT["ablation"]["n_batches"],
        code=code_version("bert_inputs"),
    script:
        "../workflow_scripts/bert_inputs.py"


rule bert_ablation_run:
    """One ablation architecture under every input batch (kind=batch) or seed (kind=seed)."""
    input:
        archs="results/bert/ablation/archs.csv",
        inputs="results/bert/ablation/inputs.npz",
    output:
        "results/bert/{mode}/ablation/{kind}/{rank}.parquet",
    log:
        "logs/bert/{mode}/ablation/{kind}/{rank}.log",
    benchmark:
        "results/benchmarks/bert/{mode}/ablation/{kind}_{rank}.tsv"
    conda:
        "../environment.yml"
    threads: 1
    resources:
        **scoring_resources("bert"),
    params:
        n_batches=BERT["ablation"]["n_batches"],
        n_seeds=BERT["ablation"]["n_seeds"],
        code=code_version("bert_ablation_run"),
        device=config["device"],
    script:
        "../workflow_scripts/bert_ablation_run.py"


rule ablation_merge:
    """The ablation architectures' tables of one side, mode and kind, in rank order."""
    input:
        lambda wc: expand(
            "results/{side}/{mode}/ablation/{kind}/{rank}.parquet",
            side=wc.side,
            mode=wc.mode,
            kind=wc.kind,
            rank=range(config[wc.side]["ablation"]["n_archs"]),
        ),
    output:
        "results/{side}/{mode}/ablation/{kind}.parquet",
    log:
        "logs/{side}/{mode}/ablation/{kind}_merge.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        code=code_version("concat_tables"),
    script:
        "../workflow_scripts/concat_tables.py"
