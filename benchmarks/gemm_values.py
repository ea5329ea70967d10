"""How far the metric values move between MKL as shipped and the matrix-product path the
workflow chooses on this machine (nasmetrics/gemm_path.py), the same code in both: two worker
processes score the same architectures, one thread each, and per metric this reports the
largest relative difference and Kendall's tau between the two paths' values.

RNN: the 11 recipes of benchmarks/rnn_speed.py, the 13 paper metrics in faithful mode on the
WikiText-2 batch, and with ``--proxies`` the zero-cost proxies on the PTB batch too.
Transformers: architectures 0..n-1 at 32 x 128 tokens, both modes (corrected with the proxies).

    python benchmarks/gemm_values.py [--rnn-n 11] [--bert-n 20] [--proxies]

Writes benchmarks/results/gemm_values.{csv,md}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from common import (
    ROOT,
    Worker,
    parse,
    relative_difference,
    rnn_recipes,
    save_bert_input,
    save_results,
    save_rnn_batch,
    worker_env,
)
from rnn_speed import ARCH_IDS
from scipy.stats import kendalltau

from nasmetrics import gemm_path
from nasmetrics.rnn.score import VOCAB_SIZES

PATHS = ("base", "this")  # MKL as shipped, the chosen path (worker_env's names)


def compare(rows: list[dict], side: str, got: dict[str, list[dict]]) -> None:
    """Per metric of ``got`` (path -> one value dict per architecture): the largest relative
    difference and Kendall's tau across the architectures."""
    for metric in got["this"][0]:
        if metric.endswith("seconds"):  # a timing, not a value
            continue
        a = np.array([v[metric] for v in got["base"]], dtype=float)
        b = np.array([v[metric] for v in got["this"]], dtype=float)
        ok = np.isfinite(a) & np.isfinite(b)
        tau = kendalltau(a[ok], b[ok]).statistic if ok.sum() > 2 else float("nan")
        diff = max(relative_difference(x, y) for x, y in zip(a, b, strict=True))
        rows.append({"side": side, "metric": metric, "n": int(ok.sum()),
                     "max_rel_diff": diff, "kendall_tau": tau})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rnn-n", type=int, default=len(ARCH_IDS))
    ap.add_argument("--bert-n", type=int, default=20)
    ap.add_argument("--proxies", action="store_true", help="the RNN proxies too (slow)")
    args, mirror = parse(ap)
    envs = {p: worker_env(p) for p in PATHS}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archs = rnn_recipes(mirror)
        batches = [("wikitext2", False)] + ([("ptb", True)] if args.proxies else [])
        for corpus, proxies in batches:
            ids, targets = save_rnn_batch(mirror, corpus, tmp)
            wargs = [ids, VOCAB_SIZES[corpus]] + ([targets] if proxies else [])
            workers = {p: Worker("rnn_speed_worker.py", ROOT, wargs, args.threads, envs[p])
                       for p in PATHS}
            got = {p: [] for p in PATHS}
            for arch_id in ARCH_IDS[:args.rnn_n]:
                for p in PATHS:
                    got[p].append(workers[p].ask({"recipe": archs.at[arch_id, "recipe"]})
                                  ["values"])
            compare(rows, f"rnn {corpus} " + ("proxies" if proxies else "paper metrics"), got)
            for w in workers.values():
                w.close()
        save_bert_input(mirror, 32, 128, tmp / "input.npz")
        bench = json.loads((mirror / "training-free-nas" / "BERT_benchmark.json").read_text())
        workers = {p: Worker("bert_speed_worker.py", ROOT, [tmp / "input.npz"], args.threads,
                             envs[p]) for p in PATHS}
        for mode in ("faithful", "corrected"):
            got = {p: [] for p in PATHS}
            for entry in bench[:args.bert_n]:
                job = {"overrides": entry["hparams"]["model_hparam_overrides"], "mode": mode,
                       "proxies": mode == "corrected"}
                for p in PATHS:
                    got[p].append(workers[p].ask(job)["values"])
            compare(rows, f"transformer {mode}", got)
        for w in workers.values():
            w.close()
    df = pd.DataFrame(rows)
    print(df.to_string(index=False))
    chosen = gemm_path.wants_intel_dispatch(gemm_path.read_cpu())[1]
    save_results("gemm_values", df,
                 f"MKL as shipped against the chosen path ({chosen}), the same code "
                 f"({ROOT.name} checkout), one thread; RNN recipes {list(ARCH_IDS[:args.rnn_n])}, "
                 f"transformer ids 0-{args.bert_n - 1} at 32 x 128 tokens.",
                 df.to_markdown(index=False, floatfmt=".3g"))


if __name__ == "__main__":
    main()
