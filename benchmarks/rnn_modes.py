"""RNN scoring time with both modes against one mode: the second mode must cost (almost) nothing.

Both modes come from one set of passes per architecture (nasmetrics.rnn.passes); the modes
differ only in how two metrics reduce the capture. This times score_architecture with
modes=[faithful] and with modes=[faithful, corrected] on the same architectures, one thread,
alternating which goes first per architecture so drift in the machine's speed hits both alike.

    python benchmarks/rnn_modes.py --n 8 [--mirror FOLDER]

Writes benchmarks/results/rnn_modes.{csv,txt}.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

import pandas as pd
from common import cpu_name, parse, rnn_sample  # benchmarks/common.py

from nasmetrics.rnn.score import VOCAB_SIZES, score_architecture

HERE = Path(__file__).resolve().parent
SETTINGS = {"one mode": ["faithful"], "both modes": ["faithful", "corrected"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8, help="architectures to time")
    args, mirror = parse(ap)
    picks, ids = rnn_sample(mirror, args.n)
    score_architecture(picks.iloc[0].recipe, ids, VOCAB_SIZES["ptb"])  # warm-up, untimed

    rows = []
    for i, arch in enumerate(picks.itertuples()):
        order = list(SETTINGS) if i % 2 == 0 else list(SETTINGS)[::-1]
        for setting in order:
            start = time.perf_counter()
            score_architecture(arch.recipe, ids, VOCAB_SIZES["ptb"], SETTINGS[setting])
            secs = time.perf_counter() - start
            rows.append({"arch_id": arch.arch_id, "n_nodes": arch.n_nodes, "setting": setting,
                         "seconds": secs})
            print(f"arch {arch.arch_id} ({arch.n_nodes} nodes), {setting}: {secs:.2f} s",
                  flush=True)
    df = pd.DataFrame(rows)
    wide = df.pivot(index="arch_id", columns="setting", values="seconds")
    ratio = wide["both modes"].sum() / wide["one mode"].sum()
    summary = pd.DataFrame([
        {"quantity": "architectures (PTB input 70 x 50, one thread)", "value": f"{len(wide)}"},
        {"quantity": "seconds, one mode (faithful): total", "value":
         f"{wide['one mode'].sum():.1f}"},
        {"quantity": "seconds, both modes: total", "value": f"{wide['both modes'].sum():.1f}"},
        {"quantity": "both / one, total", "value": f"{ratio:.3f}"},
        {"quantity": "both / one, per architecture: min / max", "value":
         f"{(wide['both modes'] / wide['one mode']).min():.3f} / "
         f"{(wide['both modes'] / wide['one mode']).max():.3f}"},
        {"quantity": "machine, date", "value":
         f"{cpu_name()}, {os.cpu_count()} cores, {date.today()}"},
    ])
    print()
    print(summary.to_string(index=False))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    df.to_csv(out / "rnn_modes.csv", index=False)
    (out / "rnn_modes.txt").write_text(summary.to_string(index=False) + "\n")


if __name__ == "__main__":
    main()
