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
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        ptb_logs=RNN["ptb_logs"],
        code=code_version("rnn_archs"),
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
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        batch_size=RNN["batch_size"],
        code=code_version("rnn_inputs"),
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
    localrule: True
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        shard_size=RNN["shard_size"],
        limit=RNN["limit"],
        code=code_version("rnn_shard_index"),
    script:
        "../workflow_scripts/rnn_shard_index.py"


rule bert_archs:
    """NAS-Bench-BERT: 500 architectures with GLUE scores (+ sampled ones), published values."""
    input:
        benchmark=raw("training-free-nas/BERT_benchmark.json"),
        space=raw("training-free-nas/search_space.json"),
        published=raw("training-free-nas/BERT_results_activation.csv"),
    output:
        archs="results/bert/archs.parquet",
        published="results/bert/published.parquet",
    log:
        "logs/bert/archs.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sample=BERT["sample"],
        limit=BERT["limit"],
        expected=BERT_BENCHMARK_SIZE,
        code=code_version("bert_archs"),
    script:
        "../workflow_scripts/bert_archs.py"


rule bert_inputs:
    """The input batch: texts cut deterministically, tokenised (ids and padding mask)."""
    input:
        text=bert_text,
        vocab=raw("tokenizers/bert-base-uncased/vocab.txt"),
    output:
        "results/bert/inputs.npz",
    log:
        "logs/bert/inputs.log",
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        own_text=bool(BERT["text"]),
        n_texts=BERT["n_texts"],
        seq_len=BERT["seq_len"],
        n_batches=1,
        code=code_version("bert_inputs"),
    script:
        "../workflow_scripts/bert_inputs.py"
