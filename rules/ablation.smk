rule rnn_ablation_archs:
    """The ablation architectures: spread over the loss range by a fixed rule (docs/rnn.md)."""
    input:
        archs="results/rnn/archs.parquet",
    output:
        "results/rnn/ablation/archs.csv",
    log:
        "logs/rnn/ablation/archs.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        n_archs=RNN["ablation"]["n_archs"],
        corpus=RNN["ablation"]["corpus"],
        limit=RNN["limit"],
    script:
        "../workflow_scripts/rnn_ablation_archs.py"


rule rnn_ablation_run:
    """One ablation architecture under every input batch (kind=batch) or seed (kind=seed)."""
    input:
        archs="results/rnn/ablation/archs.csv",
        inputs=f"results/rnn/{RNN['ablation']['corpus']}/inputs.npz",
    output:
        "results/rnn/ablation/{kind}/{rank}.parquet",
    log:
        "logs/rnn/ablation/{kind}/{rank}.log",
    benchmark:
        "results/benchmarks/rnn/ablation/{kind}_{rank}.tsv"
    conda:
        "../environment.yml"
    threads: 1
    resources:
        **scoring_resources(),
    params:
        corpus=RNN["ablation"]["corpus"],
        n_batches=RNN["ablation"]["n_batches"],
        n_seeds=RNN["ablation"]["n_seeds"],
        fidelity=config["fidelity"],
        code=RNN_CODE,
        device=config["device"],
        bptt=RNN["bptt"],
    script:
        "../workflow_scripts/rnn_ablation_run.py"


rule rnn_ablation_merge:
    input:
        expand(
            "results/rnn/ablation/{{kind}}/{rank}.parquet",
            rank=range(RNN["ablation"]["n_archs"]),
        ),
    output:
        "results/rnn/ablation/{kind}.parquet",
    log:
        "logs/rnn/ablation/{kind}_merge.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    script:
        "../workflow_scripts/concat_tables.py"


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
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        n_archs=BERT["ablation"]["n_archs"],
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
        **scoring_resources(),
    params:
        n_batches=BERT["ablation"]["n_batches"],
        n_seeds=BERT["ablation"]["n_seeds"],
        code=BERT_CODE,
        device=config["device"],
    script:
        "../workflow_scripts/bert_ablation_run.py"


rule bert_ablation_merge:
    input:
        expand(
            "results/bert/{{mode}}/ablation/{{kind}}/{rank}.parquet",
            rank=range(BERT["ablation"]["n_archs"]),
        ),
    output:
        "results/bert/{mode}/ablation/{kind}.parquet",
    log:
        "logs/bert/{mode}/ablation/{kind}_merge.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    script:
        "../workflow_scripts/concat_tables.py"
