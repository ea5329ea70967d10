"""What the benchmark scripts share: the input folder, one thread count, the RNN sample, the
stamped results files."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from nasmetrics import gemm_path
from nasmetrics.bert.inputs import encode, wikitext_paragraphs
from nasmetrics.bert.mlm import mlm_mask
from nasmetrics.bert.tokenizer import load_tokenizer
from nasmetrics.corpus import corpus_batches, input_batch, target_batch
from nasmetrics.rnn.benchmark import combine_runs, iter_log_files, log_records

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def parse(ap: argparse.ArgumentParser) -> tuple[argparse.Namespace, Path]:
    """Adds --threads and --mirror (a folder with the mirror's layout; default
    $NASMETRICS_MIRROR, else the workflow's data/raw), parses, sets torch's thread count."""
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--mirror", default=os.environ.get("NASMETRICS_MIRROR", "data/raw"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    return args, Path(args.mirror)


# the mirror's folder of each RNN corpus
CORPUS_DIRS = {"ptb": "ptb", "wikitext2": "wikitext-2"}


def rnn_recipes(mirror: Path) -> pd.DataFrame:
    """Every NAS-Bench-NLP architecture of the WikiText-2 logs, indexed by arch_id."""
    return combine_runs(log_records(iter_log_files(
        mirror / "nas-bench-nlp" / "train_logs_wikitext-2.zip"))).set_index("arch_id")


def save_rnn_batch(mirror: Path, corpus: str, folder: Path) -> tuple[Path, Path]:
    """The paper's input batch of ``corpus`` (70 steps x 50 columns) and its next tokens,
    saved as ``folder``/ids.npy and targets.npy; returns the two paths."""
    lines = [(mirror / "corpora" / CORPUS_DIRS[corpus] / f"{s}.txt").read_text().splitlines()
             for s in ("valid", "test")]
    data = corpus_batches(*lines)[0]
    paths = folder / "ids.npy", folder / "targets.npy"
    np.save(paths[0], input_batch(data))
    np.save(paths[1], target_batch(data))
    return paths


def save_bert_input(mirror: Path, n_texts: int, seq_len: int, path: Path) -> None:
    """``n_texts`` WikiText-2 paragraphs as ``seq_len`` tokens and their masked-language-model
    input (seed 0), saved as the .npz the transformer worker reads."""
    tok = load_tokenizer(mirror / "tokenizers" / "bert-base-uncased" / "vocab.txt")
    lines = (mirror / "corpora" / "wikitext-2" / "test.txt").read_text().splitlines()
    ids, mask = encode(tok, wikitext_paragraphs(lines, n_texts), seq_len)
    mlm_ids, labels = mlm_mask(ids, mask, tok.all_special_ids, tok.mask_token_id, seed=0)
    np.savez(path, input_ids=ids, attention_mask=mask, mlm_input_ids=mlm_ids,
             mlm_labels=labels)


def rnn_sample(mirror: Path, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` valid WikiText-2 recipes evenly spaced over the recipe ids (small and large cells
    alike), and the PTB input batch (70 x 50)."""
    archs = combine_runs(log_records(iter_log_files(
        mirror / "nas-bench-nlp" / "train_logs_wikitext-2.zip")))
    archs = archs[archs["status"] == "ok"]
    picks = archs.iloc[np.linspace(0, len(archs) - 1, n).astype(int)]
    lines = [(mirror / "corpora" / "ptb" / f"{s}.txt").read_text().splitlines()
             for s in ("valid", "test")]
    return picks, input_batch(corpus_batches(*lines)[0])


def save_results(name: str, table: pd.DataFrame, *markdown: str) -> None:
    """benchmarks/results/{name}.csv (``table``) and {name}.md: the date, core count and CPU,
    then the ``markdown`` parts."""
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    table.to_csv(out / f"{name}.csv", index=False)
    stamp = f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {cpu_name()}"
    (out / f"{name}.md").write_text(f"Measured {stamp}.\n\n" + "\n\n".join(markdown) + "\n")


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo), else the machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def worker_env(version: str) -> dict[str, str]:
    """The environment of a worker of ``version``: "this" checkout gets the matrix-product
    path the workflow would choose here (nasmetrics/gemm_path.py, which $NASMETRICS_GEMM
    steers), "base" (an earlier commit, which had no choice) MKL as shipped."""
    env = dict(os.environ)
    if version == "base":
        env[gemm_path.SWITCH] = "shipped"
    print(f"{version} worker: " + gemm_path.set_gemm_env(ROOT / ".nasmetrics" / "lib", env),
          flush=True)
    return env


class Worker:
    """A benchmark worker process (``script`` in benchmarks/, run with ``args``) that imports
    nasmetrics from ``code_root``: one JSON line in per job, one JSON line out."""

    def __init__(self, script: str, code_root: Path, args: list, threads: int,
                 environ: dict[str, str] | None = None):
        # ``environ``: the variables to start from instead of this process's environment
        env = dict(os.environ if environ is None else environ, PYTHONPATH=str(code_root),
                   OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                   OPENBLAS_NUM_THREADS=str(threads))
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / script), *map(str, args)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=code_root)
        self.module = json.loads(self.proc.stdout.readline())["nasmetrics"]
        if not self.module.startswith(str(code_root)):
            raise RuntimeError(f"worker for {code_root} imported nasmetrics from {self.module}")

    def ask(self, job: dict) -> dict:
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.module} died")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def extract(commit: str, folder: Path) -> None:
    """``nasmetrics`` of ``commit`` into ``folder``."""
    archive = subprocess.run(["git", "archive", commit, "nasmetrics"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def relative_difference(a: float, b: float) -> float:
    if np.isnan(a) and np.isnan(b) or a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))
