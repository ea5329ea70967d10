import os
import re
import sys
from pathlib import Path

from snakemake.utils import validate

from nasmetrics.allocator import set_allocator_env
from nasmetrics.bert.benchmark import TASKS as BERT_TASKS
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.code_version import code_version as _code_version
from nasmetrics.fetch import resolve_mirror
from nasmetrics.gemm_path import set_gemm_env
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.runlock import release_stale_locks
from nasmetrics.shard_index import n_shards, read_shard_count
from nasmetrics.sources import SOURCES

validate(config, schema="../config/schema.yaml")

# every job process inherits the allocator settings (nasmetrics/allocator.py); a variable
# already in the environment is left as it is
set_allocator_env()
# and the matrix-product path chosen for this machine (nasmetrics/gemm_path.py): parsed again
# in every cluster job, so each node decides for its own processor
GEMM_PATH = set_gemm_env(Path.cwd() / ".nasmetrics" / "lib")
if workflow.is_main_process:
    print(f"nasmetrics: matrix products: {GEMM_PATH}", file=sys.stderr)

RNN = config["rnn"]
BERT = config["bert"]
METRICS = {"rnn": RNN_METRICS, "bert": BERT_METRICS}
# the RNN metrics every scores table holds: the paper's, and the proxies unless switched off
RNN_SCORED = RNN_METRICS.scored_names(RNN["proxies"])
# the transformer side scores the proxies in corrected mode only
BERT_SCORED = BERT_METRICS.scored_names(
    BERT["proxies"] and "corrected" in BERT["modes"]
)


def bert_scored(mode):
    """The metric columns of the transformer scores table of ``mode``."""
    return BERT_METRICS.scored_names(mode == "corrected" and BERT["proxies"])


for _side, _cfg in (("rnn", RNN), ("bert", BERT)):
    _extra = sorted(set(_cfg["ablation"]["modes"]) - set(_cfg["modes"]))
    if _cfg.get("enabled", True) and _cfg["ablation"]["enabled"] and _extra:
        raise ValueError(
            f"config {_side}.ablation.modes has {_extra}, which {_side}.modes does not list"
        )
# architectures in BERT_benchmark.json (rule bert_archs checks it)
BERT_BENCHMARK_SIZE = 500
CORPUS_DIRS = {"ptb": "ptb", "wikitext2": "wikitext-2"}
# the paper's published values come from its code: compared with the faithful mode
PUBLISHED_MODE = "faithful"


# Checked once at parse time, so a wrong mirror fails before any job starts. Where the files
# come from is not a job parameter, since the hash check makes every origin equivalent.
MIRROR = resolve_mirror(config.get("mirror"))
if MIRROR:
    _missing = [p for p in SOURCES if not os.path.isfile(os.path.join(MIRROR, p))]
    if _missing:
        raise FileNotFoundError(
            f"mirror {MIRROR!r} lacks {len(_missing)} input(s): {', '.join(_missing)}"
        )

# A run killed with SIGKILL leaves Snakemake's lock behind; the next run releases it when no
# live run of this workflow holds it (nasmetrics/runlock.py), so resuming is the same command.
# Only the main process: cluster jobs parse this file too, and must never touch the lock.
if workflow.is_main_process:
    _stale = release_stale_locks(os.getcwd())
    if _stale:
        print(
            f"nasmetrics: released a stale lock left by a killed run ({', '.join(_stale)})",
            file=sys.stderr,
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


def code_version(script):
    """Hash of the nasmetrics modules workflow_scripts/<script>.py imports (transitively).
    Every rule gets it as its `code` param, since Snakemake reruns a job whose params changed but
    does not see library code.
    """
    return _code_version(
        Path(workflow.basedir) / "workflow_scripts" / f"{script}.py", workflow.basedir
    )


def raw(path):
    return f"data/raw/{path}"


def corpus_files(wildcards):
    d = CORPUS_DIRS[wildcards.corpus]
    return {
        "valid": raw(f"corpora/{d}/valid.txt"),
        "test": raw(f"corpora/{d}/test.txt"),
    }


def rnn_shard_count(corpus):
    """Known once the shard index (a checkpoint) exists."""
    return read_shard_count(checkpoints.rnn_shard_index.get(corpus=corpus).output[0])


def rnn_shard_files(corpus, mode):
    n = rnn_shard_count(corpus)
    return [f"results/rnn/{mode}/{corpus}/shards/{i}.parquet" for i in range(n)]


def bert_shard_files(mode):
    """BERT shards are static: the architecture count follows from the config alone."""
    n = (BERT["limit"] or BERT_BENCHMARK_SIZE) + BERT["sample"]
    n = n_shards(n, BERT["shard_size"])
    return [f"results/bert/{mode}/shards/{i}.parquet" for i in range(n)]


def bert_text(wildcards):
    return BERT["text"] or raw("corpora/wikitext-2/test.txt")


# Peak memory of one scoring job, in MB, as a function of the tokens in its input batch:
# measured peaks (results/timings.csv, benchmarks/bert_speed.py) were 1.9 GB for the largest
# RNN cells at 50 x 70 tokens, and 1.9 GB / 12.8 GB for transformers at 32 x 128 / 128 x 512
# tokens (a shard job of 50 architectures / one architecture); a line through them, times 1.3
# for headroom. A cluster kills a job that exceeds its request, and a local run with
# --resources mem_mb uses it to decide what runs side by side.
MEM_MODEL = {"rnn": (400, 0.43), "bert": (1170, 0.178)}  # (MB, MB per token)


def memory_request(base, per_token, tokens):
    """MB for a job measured at ``base + per_token * tokens`` MB: times 1.3, rounded up to
    100 MB."""
    return 100 * -(-int(1.3 * (base + per_token * tokens)) // 100)


def scoring_resources(side):
    tokens = (
        RNN["batch_size"] * RNN["bptt"]
        if side == "rnn"
        else BERT["n_texts"] * BERT["seq_len"]
    )
    res = {"mem_mb": memory_request(*MEM_MODEL[side], tokens)}
    if side == "rnn" and RNN["proxies"]:
        # the proxies' passes at 70 x 50 tokens: 1.87-2.06 GB measured for the shards with the
        # largest cells as jobs, 2.06 GB for a benchmark worker that scored the largest cell,
        # 1004930 (docs/rnn.md, "Toward 2 GB per job"); 2.1 GB times 1.3
        res["mem_mb"] = max(res["mem_mb"], 2700)
    if side == "bert" and BERT["proxies"]:
        # 1.95 GB measured for a corrected-mode shard job with the proxies at 32 x 128 tokens
        # (one point: the per-token slope from a base of 530 MB), times 1.3
        res["mem_mb"] = max(res["mem_mb"], memory_request(530, 0.334, tokens))
    if config["device"] == "cuda":
        res["gpu"] = 1
    return res


def setting_labels(side):
    """What the summaries and tau bars put side by side: (mode, corpus) pairs of the RNN
    side, modes of the transformer side, as labels."""
    if side == "rnn":
        return [f"{m}, {c}" for m in RNN["modes"] for c in RNN["corpora"]]
    return list(BERT["modes"])


def scatter_figures(pattern, metrics, caption, category, subcategory, labels):
    """One scatter per metric (``pattern``'s {metric}), each marked for the report with its
    metric among the labels: a scatter job draws a whole setting's metrics."""
    marks = dict(caption=caption, category=category, subcategory=subcategory)
    figures = []
    for m in metrics:
        # not report(...) at the start of a line: Snakemake would read its report keyword
        path, labelled = pattern.format(metric=m), {**labels, "metric": m}
        marked = report(path, **marks, labels=labelled)
        figures.append(marked)
    return figures


def correlation_files(side):
    """The correlations.csv of each of setting_labels(side), in the same order."""
    if side == "rnn":
        return [
            f"results/rnn/{m}/{c}/correlations.csv"
            for m in RNN["modes"]
            for c in RNN["corpora"]
        ]
    return [f"results/bert/{m}/correlations.csv" for m in BERT["modes"]]


def sibling_files(side, name):
    """The file ``name`` beside each of correlation_files(side), in the same order."""
    return [f.replace("correlations.csv", name) for f in correlation_files(side)]


def comparison_file(side):
    """The published comparison a summary shows, if the config produces one."""
    if side == "rnn":
        if PUBLISHED_MODE in RNN["modes"] and "ptb" in RNN["corpora"]:
            return [f"results/rnn/{PUBLISHED_MODE}/ptb/published_comparison.csv"]
        return []
    if PUBLISHED_MODE in BERT["modes"]:
        return [f"results/bert/{PUBLISHED_MODE}/published_comparison.csv"]
    return []


def labels(side):
    return {m.name: m.label for m in METRICS[side].metrics()}


# Each side's target direction: a lower RNN test loss and a higher GLUE score are better.
TARGET_HIGHER = {"rnn": False, "bert": True}


def intended_signs(side):
    """Per metric, the sign of its tau against the side's target that means it ranks the
    architectures the way its definition (higher_is_better) intends."""
    return {
        m.name: 1 if m.higher_is_better == TARGET_HIGHER[side] else -1
        for m in METRICS[side].metrics()
    }


def final_outputs(wildcards):
    """Every result, and every shard: Snakemake does not remake a deleted intermediate file
    whose downstream outputs are up to date, so the shards are targets of their own; a
    deleted shard is then rebuilt alone, and what depends on it after it.

    Only what needs the RNN shard index (a checkpoint) is here; everything else is in
    static_outputs, so a dry run of a new directory already shows the whole BERT DAG."""
    outs = []
    for mode in RNN["modes"]:
        for corpus in RNN["corpora"]:
            outs += [
                f"results/rnn/{mode}/{corpus}/scores.parquet",
                f"results/rnn/{mode}/{corpus}/correlations.csv",
                f"results/rnn/{mode}/{corpus}/topk.csv",
                f"results/rnn/{mode}/{corpus}/search.csv",
                f"results/rnn/{mode}/{corpus}/ensembles.csv",
                f"results/rnn/{mode}/{corpus}/learning_curve.csv",
            ]
            outs += expand(
                "results/figures/rnn/{mode}/{corpus}/scatter_{metric}.{ext}",
                mode=mode,
                corpus=corpus,
                metric=RNN_SCORED,
                ext=["png", "pdf"],
            )
            outs += rnn_shard_files(corpus, mode)
    outs += comparison_file("rnn")
    if {"ptb", "wikitext2"} <= set(RNN["corpora"]):
        outs += [f"results/rnn/{mode}/transfer.csv" for mode in RNN["modes"]]
    outs.append("results/rnn/summary.md")
    outs += expand(
        "results/figures/rnn/{name}.{ext}",
        name=["tau_bars", "regret", "ensembles", "learning_curve"],
        ext=["png", "pdf"],
    )
    outs.append("results/timings.csv")
    return outs


def ablation_outputs(side, cfg):
    abl = cfg["ablation"]
    outs = []
    for mode in abl["modes"]:
        outs += expand(
            "results/{side}/{mode}/ablation/{kind}/{rank}.parquet",
            side=side,
            mode=mode,
            kind=["batch", "seed"],
            rank=range(abl["n_archs"]),
        )
        outs += expand(
            "results/figures/{side}/{mode}/ablation.{ext}",
            side=side,
            mode=mode,
            ext=["png", "pdf"],
        )
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
                f"results/bert/{mode}/topk.csv",
                f"results/bert/{mode}/search.csv",
                f"results/bert/{mode}/ensembles.csv",
                f"results/bert/{mode}/learning_curve.csv",
            ]
            outs += expand(
                "results/figures/bert/{mode}/scatter_{metric}.{ext}",
                mode=mode,
                metric=bert_scored(mode),
                ext=["png", "pdf"],
            )
        outs += comparison_file("bert")
        outs += [
            "results/bert/summary.md",
            "results/bert/audit.csv",
            "results/bert/search_space.csv",
            "results/bert/pretraining/checkpoints.csv",
            "results/bert/pretraining/metric_taus.csv",
        ]
        outs += expand(
            "results/figures/bert/{name}.{ext}",
            name=[
                "tau_bars",
                "regret",
                "ensembles",
                "learning_curve",
                "search_space",
                "pretraining",
            ],
            ext=["png", "pdf"],
        )
        if BERT["ablation"]["enabled"]:
            outs += ablation_outputs("bert", BERT)
    if RNN["ablation"]["enabled"]:
        outs += ablation_outputs("rnn", RNN)
    return outs


def scoring_jobs():
    """(rule, job, output, benchmark record) of every scoring job the config asks for; the
    output is the job's first (an RNN job writes one per mode, all with the same rows).
    """
    jobs = []
    first = RNN["modes"][0]
    for corpus in RNN["corpora"]:
        for shard in range(rnn_shard_count(corpus)):
            out = f"results/rnn/{first}/{corpus}/shards/{shard}.parquet"
            bench = f"results/benchmarks/rnn/{corpus}/shard_{shard}.tsv"
            jobs.append(("rnn_score_shard", f"{corpus}/{shard}", out, bench))
    if RNN["ablation"]["enabled"]:
        first = RNN["ablation"]["modes"][0]
        for kind in ("batch", "seed"):
            for rank in range(RNN["ablation"]["n_archs"]):
                out = f"results/rnn/{first}/ablation/{kind}/{rank}.parquet"
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
