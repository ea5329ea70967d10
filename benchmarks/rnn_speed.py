"""RNN metrics: seconds per architecture, this checkout against an earlier commit, side by side,
with a per-pass breakdown of this checkout's time.

Settings are the paper's: the WikiText-2 input batch (70 steps x 50 columns) and vocabulary,
emsize 400 / nhid 600 / 3 layers, the 13 paper metrics in faithful mode, one thread. The
architectures are a fixed, named set (ARCH_IDS): the 8 recipes the speed issue timed against
the paper's own code and the 3 largest cells of the benchmark (most cell weights).

The earlier commit's ``nasmetrics`` is extracted with ``git archive`` into a temporary folder.
Two worker processes (benchmarks/rnn_speed_worker.py), one per code version, score the same
architecture one after the other, the order alternating from one architecture to the next, so
whatever else loads the machine weighs on both alike; each architecture is scored once by
each, after one untimed warm-up architecture. The metric values of both are compared.

Where the time goes: each pass's seconds, and its multiply-adds counted from the cell weights
(a forward of the 50 clean columns is one unit: 2 x cell weights x steps x columns flops; the
passes are 1 clean forward, 1 Jacobian backward, 2 for the saliency backward with its weight
gradients, 3 noised forwards and 3 noised backwards), beside this core's matrix-product rate
at the passes' shapes, measured in this checkout's worker (so on the matrix-product path the
workflow chooses here; benchmarks/gemm_peak.py measures every path): the time the products
alone would take at that rate is the floor of these passes on that path.

    python benchmarks/rnn_speed.py [--base ae9ec29] [--n 11] [--threads 1] [--mirror FOLDER]

Writes benchmarks/results/rnn_speed.{csv,md}.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import (
    ROOT,
    Worker,
    extract,
    parse,
    relative_difference,
    rnn_recipes,
    save_results,
    worker_env,
)

from nasmetrics.corpus import corpus_batches, input_batch
from nasmetrics.rnn.model import ModelShape, RNNModel
from nasmetrics.rnn.passes import PASS_NAMES
from nasmetrics.rnn.recipe import parse_recipe
from nasmetrics.rnn.score import VOCAB_SIZES

# the speed issue's 8 (timed there against the paper's code), then the 3 largest cells
ARCH_IDS = (1006290, 1002853, 1008033, 1013398, 1000692, 1001551, 1010717, 1001749,
            1004930, 1008985, 1006801)
WARM_UP = 1000000
# the speed issue's starting commit
BASE = "ae9ec29"
# forward-units of products per pass (see the module docstring)
PASS_UNITS = {"clean_forward": 1, "jacobian_backward": 1, "saliency_backward": 2,
              "noised_forward": 3, "noised_backward": 3}


def gemm_rate(batch: int = 50, width: int = 600, out: int = 2400, repeat: int = 200) -> float:
    """GFLOP/s of this core on a (batch x width) @ (width x out) product, best of 10 runs
    (the driver takes the better of a measurement before and one after the timed runs: the
    core's clock moves with the load)."""
    a, w = torch.randn(batch, width), torch.randn(out, width)
    best = float("inf")
    for _ in range(10):
        start = time.perf_counter()
        for _ in range(repeat):
            torch.nn.functional.linear(a, w)
        best = min(best, (time.perf_counter() - start) / repeat)
    return 2 * batch * width * out / best / 1e9


def cell_weights(recipe: str) -> int:
    with torch.device("meta"):
        model = RNNModel(parse_recipe(recipe), ModelShape(ntokens=10))
    return sum(w.numel() for cell in model.cells for lin in cell.linears.values()
               for w in lin.weights)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=BASE, help="the commit to compare with")
    ap.add_argument("--n", type=int, default=len(ARCH_IDS),
                    help="time only the first N of ARCH_IDS (a quick check)")
    args, mirror = parse(ap)
    archs = rnn_recipes(mirror)
    lines = [(mirror / "corpora" / "wikitext-2" / f"{s}.txt").read_text().splitlines()
             for s in ("valid", "test")]
    ids = input_batch(corpus_batches(*lines)[0])
    steps, batch = ids.shape

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        np.save(tmp / "ids.npy", ids)
        base_root = tmp / "base"
        base_root.mkdir()
        extract(args.base, base_root)
        worker_args = [tmp / "ids.npy", VOCAB_SIZES["wikitext2"]]
        workers = {"base": Worker("rnn_speed_worker.py", base_root, worker_args, args.threads,
                                  worker_env("base")),
                   "this": Worker("rnn_speed_worker.py", ROOT, worker_args, args.threads,
                                  worker_env("this"))}
        for worker in workers.values():
            worker.ask({"recipe": archs.at[WARM_UP, "recipe"]})
        # the rate of this checkout's matrix-product path, in its worker's own process
        rate = workers["this"].ask({"gemm_rate": batch})["gflops"]
        print(f"this core's product rate at {batch} rows, this checkout's path: {rate:.1f} "
              "GFLOP/s", flush=True)
        rows = []
        for i, arch_id in enumerate(ARCH_IDS[:args.n]):
            recipe = archs.at[arch_id, "recipe"]
            order = ["base", "this"] if i % 2 == 0 else ["this", "base"]
            got = {name: workers[name].ask({"recipe": recipe}) for name in order}
            units = 2 * cell_weights(recipe) * steps * batch / 1e9
            row = {"arch_id": arch_id, "n_nodes": parse_recipe(recipe).n_nodes,
                   "cell_weights": cell_weights(recipe),
                   "base_seconds": got["base"]["seconds"], "seconds": got["this"]["seconds"],
                   **{f"{k}_seconds": v for k, v in got["this"]["passes"].items()},
                   "gflop_passes": units * sum(PASS_UNITS.values()),
                   "max_rel_diff": max(relative_difference(got["base"]["values"][m], v)
                                       for m, v in got["this"]["values"].items()),
                   "worst_metric": max(got["this"]["values"], key=lambda m: relative_difference(
                       got["base"]["values"][m], got["this"]["values"][m]))}
            row["speedup"] = row["base_seconds"] / row["seconds"]
            rows.append(row)
            print(f"arch {arch_id}: {args.base} {row['base_seconds']:.2f} s, this "
                  f"{row['seconds']:.2f} s ({row['speedup']:.2f}x), "
                  f"{row['gflop_passes']:.0f} GFLOP of products; values differ by <= "
                  f"{row['max_rel_diff']:.1e}", flush=True)
        peaks = {name: w.ask({"recipe": archs.at[WARM_UP, "recipe"]})["peak_gb"]
                 for name, w in workers.items()}
        rate = max(rate, workers["this"].ask({"gemm_rate": batch})["gflops"])
        for worker in workers.values():
            worker.close()

    df = pd.DataFrame(rows)
    df["floor_seconds"] = df["gflop_passes"] / rate
    pass_cols = [f"{p}_seconds" for p in ("build", *PASS_NAMES, "metrics")]
    breakdown = pd.DataFrame({
        "step": [c.removesuffix("_seconds") for c in pass_cols],
        "mean seconds": [df[c].mean() for c in pass_cols],
        "share": [df[c].sum() / df["seconds"].sum() for c in pass_cols],
        "product units": [PASS_UNITS.get(c.removesuffix("_seconds"), 0) for c in pass_cols],
    })
    summary = pd.DataFrame([
        ("architectures", f"{len(df)} ({', '.join(map(str, df['arch_id']))})"),
        ("threads", f"{args.threads}"),
        (f"mean seconds per architecture, {args.base}", f"{df['base_seconds'].mean():.2f}"),
        ("mean seconds per architecture, this checkout", f"{df['seconds'].mean():.2f}"),
        ("speed-up of the means", f"{df['base_seconds'].mean() / df['seconds'].mean():.2f}x"),
        ("speed-up per architecture: min / max",
         f"{df['speedup'].min():.2f}x / {df['speedup'].max():.2f}x"),
        ("this core's product rate (50-row GEMM, this checkout's path; "
         "benchmarks/gemm_peak.py has every path)", f"{rate:.1f} GFLOP/s"),
        ("mean seconds the passes' products alone take at that rate",
         f"{df['floor_seconds'].mean():.2f}"),
        ("largest relative difference of a metric value", f"{df['max_rel_diff'].max():.1e}"),
        ("peak memory (max RSS) of a worker, base / this",
         f"{peaks['base']:.2f} / {peaks['this']:.2f} GB"),
    ], columns=["quantity", "value"])
    print()
    print(summary.to_string(index=False))
    print()
    print(breakdown.to_string(index=False))
    save_results("rnn_speed", df, summary.to_markdown(index=False),
                 breakdown.to_markdown(index=False, floatfmt=".3f"))


if __name__ == "__main__":
    main()
