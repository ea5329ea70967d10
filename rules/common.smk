import os
import re

from snakemake.utils import validate

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.fetch import resolve_mirror
from nasmetrics.sources import SOURCES

validate(config, schema="../config/schema.yaml")

RNN = config["rnn"]
RNN_METRIC_NAMES = RNN_METRICS.names()
BERT_METRIC_NAMES = BERT_METRICS.names()
BERT = config["bert"]
_extra_modes = sorted(set(BERT["ablation"]["modes"]) - set(BERT["modes"]))
if BERT["enabled"] and BERT["ablation"]["enabled"] and _extra_modes:
    raise ValueError(
        f"config bert.ablation.modes has {_extra_modes}, which bert.modes does not list"
    )
# architectures in BERT_benchmark.json (rule bert_archs checks it)
BERT_BENCHMARK_SIZE = 500
CORPUS_DIRS = {"ptb": "ptb", "wikitext2": "wikitext-2"}


# Checked once at parse time, so a wrong mirror fails before any job starts. Where the files
# come from is not a job parameter, since the hash check makes every origin equivalent.
MIRROR = resolve_mirror(config.get("mirror"))
if MIRROR:
    _missing = [p for p in SOURCES if not os.path.isfile(os.path.join(MIRROR, p))]
    if _missing:
        raise FileNotFoundError(
            f"mirror {MIRROR!r} lacks {len(_missing)} input(s): {', '.join(_missing)}"
        )


def check_device():
    """device: cuda needs a GPU where jobs run. Checked when a local run starts (a cluster's
    submit host may have none, so cluster runs are checked in their jobs)."""
    if config["device"] != "cuda" or not workflow.local_exec:
        return
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError(
            "config key 'device' is 'cuda', but torch finds no GPU on this machine "
            f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}): install a "
            "CUDA build of torch or set device: cpu"
        )


onstart:
    check_device()


def raw(path):
    return f"data/raw/{path}"


def corpus_files(wildcards):
    d = CORPUS_DIRS[wildcards.corpus]
    return {
        "valid": raw(f"corpora/{d}/valid.txt"),
        "test": raw(f"corpora/{d}/test.txt"),
    }


def rnn_shard_files(corpus):
    """Shard files of a corpus, known once the shard index (a checkpoint) exists."""
    index = checkpoints.rnn_shard_index.get(corpus=corpus).output[0]
    with open(index) as fh:
        n = int(fh.readline().split("\t")[1])
    return [f"results/rnn/{corpus}/shards/{i}.parquet" for i in range(n)]


def rnn_shards(wildcards):
    return rnn_shard_files(wildcards.corpus)


def bert_shard_files(mode):
    """BERT shards are static: the architecture count follows from the config alone."""
    n = (BERT["limit"] or BERT_BENCHMARK_SIZE) + BERT["sample"]
    n_shards = -(-n // BERT["shard_size"])
    return [f"results/bert/{mode}/shards/{i}.parquet" for i in range(n_shards)]


def bert_shards(wildcards):
    return bert_shard_files(wildcards.mode)


def bert_text(wildcards):
    return BERT["text"] or raw("corpora/wikitext-2/test.txt")


def scoring_resources():
    res = {"mem_mb": 4000}  # measured peak < 2 GB per job at batch 50 x 70 steps
    if config["device"] == "cuda":
        res["gpu"] = 1
    return res


def final_outputs(wildcards):
    """Every result, and every shard: Snakemake does not remake a deleted intermediate file
    whose downstream outputs are up to date, so the shards are targets of their own; a
    deleted shard is then rebuilt alone, and what depends on it after it.

    Only what needs the RNN shard index (a checkpoint) is here; everything else is in
    static_outputs, so a dry run of a new directory already shows the whole BERT DAG."""
    outs = []
    for corpus in RNN["corpora"]:
        outs += [
            f"results/rnn/{corpus}/scores.parquet",
            f"results/rnn/{corpus}/correlations.csv",
        ]
        outs += expand(
            "results/figures/rnn/{corpus}/scatter_{metric}.{ext}",
            corpus=corpus,
            metric=RNN_METRIC_NAMES,
            ext=["png", "pdf"],
        )
    if "ptb" in RNN["corpora"]:
        outs.append("results/rnn/ptb/published_comparison.csv")
    outs.append("results/rnn/summary.md")
    outs += expand("results/figures/rnn/tau_bars.{ext}", ext=["png", "pdf"])
    outs.append("results/timings.csv")
    for corpus in RNN["corpora"]:
        outs += rnn_shard_files(corpus)
    return outs


def static_outputs(wildcards):
    """The final outputs known from the config alone (see final_outputs)."""
    outs = []
    if BERT["enabled"]:
        for mode in BERT["modes"]:
            outs += bert_shard_files(mode)
            outs += [
                f"results/bert/{mode}/scores.parquet",
                f"results/bert/{mode}/correlations.csv",
                f"results/bert/{mode}/correlations_by_task.csv",
            ]
            outs += expand(
                "results/figures/bert/{mode}/scatter_{metric}.{ext}",
                mode=mode,
                metric=BERT_METRIC_NAMES,
                ext=["png", "pdf"],
            )
        if "faithful" in BERT["modes"]:
            outs.append("results/bert/published_comparison.csv")
        outs += [
            "results/bert/summary.md",
            "results/bert/audit.csv",
            "results/bert/search_space.csv",
            "results/bert/pretraining/checkpoints.csv",
            "results/bert/pretraining/metric_taus.csv",
        ]
        outs += expand(
            "results/figures/bert/{name}.{ext}",
            name=["tau_bars", "search_space", "pretraining"],
            ext=["png", "pdf"],
        )
        abl = BERT["ablation"]
        if abl["enabled"]:
            for mode in abl["modes"]:
                outs += expand(
                    "results/bert/{mode}/ablation/{kind}/{rank}.parquet",
                    mode=mode,
                    kind=["batch", "seed"],
                    rank=range(abl["n_archs"]),
                )
                outs += expand(
                    "results/figures/bert/{mode}/ablation.{ext}",
                    mode=mode,
                    ext=["png", "pdf"],
                )
    if RNN["ablation"]["enabled"]:
        outs += expand("results/rnn/ablation/{kind}.parquet", kind=["batch", "seed"])
        outs += expand(
            "results/rnn/ablation/{kind}/{rank}.parquet",
            kind=["batch", "seed"],
            rank=range(RNN["ablation"]["n_archs"]),
        )
        outs += expand("results/figures/rnn/ablation.{ext}", ext=["png", "pdf"])
    return outs


def scoring_jobs():
    """(rule, job, output, benchmark record) of every scoring job the config asks for."""
    jobs = []
    for corpus in RNN["corpora"]:
        for path in rnn_shard_files(corpus):
            shard = Path(path).stem
            bench = f"results/benchmarks/rnn/{corpus}/shard_{shard}.tsv"
            jobs.append(("rnn_score_shard", f"{corpus}/{shard}", path, bench))
    if RNN["ablation"]["enabled"]:
        for kind in ("batch", "seed"):
            for rank in range(RNN["ablation"]["n_archs"]):
                out = f"results/rnn/ablation/{kind}/{rank}.parquet"
                bench = f"results/benchmarks/rnn/ablation/{kind}_{rank}.tsv"
                jobs.append(("rnn_ablation_run", f"{kind}/{rank}", out, bench))
    if BERT["enabled"]:
        for mode in BERT["modes"]:
            for path in bert_shard_files(mode):
                shard = Path(path).stem
                bench = f"results/benchmarks/bert/{mode}/shard_{shard}.tsv"
                jobs.append(("bert_score_shard", f"{mode}/{shard}", path, bench))
        if BERT["ablation"]["enabled"]:
            for mode in BERT["ablation"]["modes"]:
                for kind in ("batch", "seed"):
                    for rank in range(BERT["ablation"]["n_archs"]):
                        out = f"results/bert/{mode}/ablation/{kind}/{rank}.parquet"
                        bench = (
                            f"results/benchmarks/bert/{mode}/ablation/{kind}_{rank}.tsv"
                        )
                        jobs.append(
                            ("bert_ablation_run", f"{mode}/{kind}/{rank}", out, bench)
                        )
    return jobs


def code_version(*parts):
    """Hash of the nasmetrics sources a rule's results depend on.

    Given as a rule param, so that changing a metric's code re-runs exactly the jobs it
    affects (Snakemake tracks params, not imported library code).
    """
    import hashlib
    from pathlib import Path

    root = Path(workflow.basedir) / "nasmetrics"
    h = hashlib.sha256()
    for part in parts:
        target = root / part
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for f in files:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


# What the RNN scores depend on: the model, passes, metrics and the shared scoring code.
RNN_CODE = code_version(
    "rnn/recipe.py",
    "rnn/model.py",
    "rnn/passes.py",
    "rnn/metrics.py",
    "rnn/score.py",
    "scores.py",
    "registry.py",
    "seeding.py",
    "corpus.py",
    "shard.py",
)
RNN_TABLE_CODE = code_version("rnn/benchmark.py", "rnn/recipe.py")


# What the BERT scores depend on.
BERT_CODE = code_version(
    "bert/model.py",
    "bert/passes.py",
    "bert/metrics.py",
    "bert/score.py",
    "bert/space.py",
    "scores.py",
    "registry.py",
    "seeding.py",
    "shard.py",
)
