"""Seconds per architecture and peak memory of the RNN metrics at the paper's settings.

Paper settings: PTB input batch 70 x 50, emsize 400 / nhid 600 / 3 layers, all 13 metrics
from one shared set of passes (faithful mode). Reference: the paper's own code takes 7 to
21 s per architecture on one core of this machine kind (docs/rnn.md).

    python benchmarks/rnn_speed.py --n 20 [--threads 1] [--mirror FOLDER]

Prints a table and writes benchmarks/results/rnn_speed.{csv,md}. The first architecture is
scored twice and only its second run is timed (the first pays one-off start-up costs).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd
from common import parse, rnn_sample  # benchmarks/common.py

from nasmetrics.rnn.score import VOCAB_SIZES, score_architecture

PAPER_SECONDS = (7.0, 21.0)  # the paper's code, one architecture, one thread, this machine kind
HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20, help="architectures to time")
    ap.add_argument("--device", default="cpu")
    args, mirror = parse(ap)
    picks, ids = rnn_sample(mirror, args.n)

    rows = []
    for i, arch in enumerate(picks.itertuples()):
        if i == 0:  # warm-up, untimed
            score_architecture(arch.recipe, ids, VOCAB_SIZES["ptb"], device=args.device)
        start = time.perf_counter()
        score_architecture(arch.recipe, ids, VOCAB_SIZES["ptb"], device=args.device)
        secs = time.perf_counter() - start
        rows.append({"arch_id": arch.arch_id, "n_nodes": arch.n_nodes, "seconds": secs})
        print(f"arch {arch.arch_id} ({arch.n_nodes} nodes): {secs:.2f} s", flush=True)

    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    df = pd.DataFrame(rows)
    s = df["seconds"]
    summary = pd.DataFrame([
        {"quantity": "architectures timed", "value": f"{len(df)}"},
        {"quantity": "threads", "value": f"{args.threads}"},
        {"quantity": "seconds per architecture: mean", "value": f"{s.mean():.2f}"},
        {"quantity": "seconds per architecture: min / median / max",
         "value": f"{s.min():.2f} / {s.median():.2f} / {s.max():.2f}"},
        {"quantity": "paper's code (docs/rnn.md): min / max",
         "value": f"{PAPER_SECONDS[0]:.0f} / {PAPER_SECONDS[1]:.0f}"},
        {"quantity": "speed-up, fastest vs fastest / slowest vs slowest",
         "value": f"{PAPER_SECONDS[0] / s.min():.1f}x / {PAPER_SECONDS[1] / s.max():.1f}x"},
        {"quantity": "peak memory (max RSS), GB", "value": f"{peak_gb:.2f}"},
    ])
    print()
    print(summary.to_string(index=False))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    df.to_csv(out / "rnn_speed.csv", index=False)
    (out / "rnn_speed.md").write_text(summary.to_markdown(index=False) if _has_tabulate()
                                      else summary.to_string(index=False))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
