rule rnn_score_shard:
    """Score one shard of RNN architectures: every metric from one shared set of passes,
    reduced in each of rnn.modes (one output per mode, one set of passes for all)."""
    input:
        archs="results/rnn/archs.parquet",
        index="results/rnn/{corpus}/shards.tsv",
        inputs="results/rnn/{corpus}/inputs.npz",
    output:
        expand(
            "results/rnn/{mode}/{{corpus}}/shards/{{shard}}.parquet", mode=RNN["modes"]
        ),
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
        **scoring_resources("rnn"),
    params:
        modes=RNN["modes"],
        proxies=RNN["proxies"],
        code=code_version("rnn_score_shard"),
        device=config["device"],
        bptt=RNN["bptt"],
    script:
        "../workflow_scripts/rnn_score_shard.py"


rule rnn_merge_scores:
    """All shards of a corpus in one mode -> scores.parquet."""
    input:
        shards=lambda wc: rnn_shard_files(wc.corpus, wc.mode),
    output:
        "results/rnn/{mode}/{corpus}/scores.parquet",
    log:
        "logs/rnn/{mode}/{corpus}/merge.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        code=code_version("merge_scores"),
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
        **scoring_resources("bert"),
    params:
        shard_size=BERT["shard_size"],
        device=config["device"],
        proxies=BERT["proxies"],
        code=code_version("bert_score_shard"),
    script:
        "../workflow_scripts/bert_score_shard.py"


rule bert_merge_scores:
    """All shards of a mode -> results/bert/{mode}/scores.parquet."""
    input:
        shards=lambda wc: bert_shard_files(wc.mode),
    output:
        "results/bert/{mode}/scores.parquet",
    log:
        "logs/bert/{mode}/merge.log",
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        code=code_version("merge_scores"),
    script:
        "../workflow_scripts/merge_scores.py"
