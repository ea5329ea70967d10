rule rnn_archs:
    """NAS-Bench-NLP logs + the paper's tables -> one row per architecture."""
    input:
        wt2_logs=raw("nas-bench-nlp/train_logs_wikitext-2.zip"),
        results=raw("training-free-nas/RNN_results.csv"),
        parameters=raw("training-free-nas/RNN_parameters.csv"),
    output:
        archs="results/rnn/archs.parquet",
        published="results/rnn/published.parquet",
    log:
        "logs/rnn/archs.log",
    threads: 1
    resources:
        mem_mb=2000,
    params:
        ptb_logs=RNN["ptb_logs"],
        code=RNN_TABLE_CODE,
    script:
        "../workflow_scripts/rnn_archs.py"


rule rnn_inputs:
    """The batchified test split of a corpus (dictionary from valid, then test)."""
    input:
        unpack(corpus_files),
    output:
        "results/rnn/{corpus}/inputs.npz",
    log:
        "logs/rnn/{corpus}/inputs.log",
    threads: 1
    resources:
        mem_mb=1000,
    params:
        batch_size=RNN["batch_size"],
    script:
        "../workflow_scripts/rnn_inputs.py"


checkpoint rnn_shard_index:
    """Which architectures each scoring job takes (arch_id -> shard)."""
    input:
        archs="results/rnn/archs.parquet",
    output:
        "results/rnn/{corpus}/shards.tsv",
    log:
        "logs/rnn/{corpus}/shard_index.log",
    threads: 1
    resources:
        mem_mb=500,
    params:
        shard_size=RNN["shard_size"],
        limit=RNN["limit"],
    script:
        "../workflow_scripts/rnn_shard_index.py"
