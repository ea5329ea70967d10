rule rnn_score_shard:
    """Score one shard of architectures: every metric from one shared set of passes."""
    input:
        archs="results/rnn/archs.parquet",
        index="results/rnn/{corpus}/shards.tsv",
        inputs="results/rnn/{corpus}/inputs.npz",
    output:
        "results/rnn/{corpus}/shards/{shard}.parquet",
    log:
        "logs/rnn/{corpus}/shards/{shard}.log",
    benchmark:
        "results/benchmarks/rnn/{corpus}/shard_{shard}.tsv"
    conda:
        "../environment.yml"
    # One thread per job: the passes are single-stream GEMMs; two jobs on two cores beat
    # one job on two threads.
    threads: 1
    resources:
        **scoring_resources(),
    params:
        fidelity=config["fidelity"],
        code=RNN_CODE,
        device=config["device"],
        bptt=RNN["bptt"],
    script:
        "../workflow_scripts/rnn_score_shard.py"


rule rnn_merge_scores:
    """All shards of a corpus -> results/rnn/{corpus}/scores.parquet."""
    input:
        shards=rnn_shards,
    output:
        "results/rnn/{corpus}/scores.parquet",
    log:
        "logs/rnn/{corpus}/merge.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../workflow_scripts/merge_scores.py"


rule bert_score_shard:
    """Score one shard of transformer architectures in one mode."""
    input:
        archs="results/bert/archs.parquet",
        inputs="results/bert/inputs.npz",
    output:
        "results/bert/{mode}/shards/{shard}.parquet",
    log:
        "logs/bert/{mode}/shards/{shard}.log",
    benchmark:
        "results/benchmarks/bert/{mode}/shard_{shard}.tsv"
    conda:
        "../environment.yml"
    threads: 1
    resources:
        **scoring_resources(),
    params:
        shard_size=BERT["shard_size"],
        device=config["device"],
        code=BERT_CODE,
    script:
        "../workflow_scripts/bert_score_shard.py"


rule bert_merge_scores:
    """All shards of a mode -> results/bert/{mode}/scores.parquet."""
    input:
        shards=bert_shards,
    output:
        "results/bert/{mode}/scores.parquet",
    log:
        "logs/bert/{mode}/merge.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../workflow_scripts/merge_scores.py"
