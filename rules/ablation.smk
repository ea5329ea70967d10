rule rnn_ablation_archs:
    """The ablation architectures: spread over the loss range by a fixed rule (docs/rnn.md)."""
    input:
        archs="results/rnn/archs.parquet",
    output:
        "results/rnn/ablation/archs.csv",
    log:
        "logs/rnn/ablation/archs.log",
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
    threads: 1
    resources:
        mem_mb=500,
    script:
        "../workflow_scripts/concat_tables.py"
