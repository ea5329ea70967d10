"""Transformer metrics: seconds per architecture and peak memory per mode, this checkout against
an earlier commit, side by side.

    python benchmarks/bert_speed.py --n 10 --n-texts 32 --seq-len 128     # the default preset
    python benchmarks/bert_speed.py --n 1 --n-texts 128 --seq-len 512 --modes faithful \
        --base none                                                      # the paper's input

The earlier commit's ``nasmetrics`` (default ae9ec29, the speed issue's starting commit) is
extracted with ``git archive`` into a temporary folder. Two worker processes
(benchmarks/bert_speed_worker.py), one per code version, score the same architecture (ids
0..n-1, WikiText-2 texts) in the same mode one after the other, the order alternating, so
whatever else loads the machine weighs on both alike; one untimed warm-up architecture each
first. Faithful mode is the same computation in both versions (the values are compared);
corrected mode at ae9ec29 took the backward of ones, now the masked-language-model loss (the
masked input below), so there the values differ by design and only the time is compared.
Reference: the paper's own code takes about 116 s for architecture 0 on one core of this
machine kind at 128 x 512 (docs/bert.md). ``--base none`` times this checkout alone.

Writes benchmarks/results/bert_speed_<texts>x<len>.{csv,md}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import pandas as pd
from common import (
    ROOT,
    Worker,
    extract,
    parse,
    relative_difference,
    save_bert_input,
    save_results,
    worker_env,
)

PAPER_SECONDS_ARCH0 = 116.0
# the speed issue's starting commit
BASE = "ae9ec29"
WARM_UP = -1  # the benchmark's last architecture, outside any timed set


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10, help="architectures (ids 0..n-1)")
    ap.add_argument("--n-texts", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--modes", nargs="+", default=["faithful", "corrected"],
                    choices=["faithful", "corrected"])
    ap.add_argument("--base", default=BASE, help="the commit to compare with ('none': skip)")
    args, mirror = parse(ap)
    bench = json.loads((mirror / "training-free-nas" / "BERT_benchmark.json").read_text())
    versions = ["this"] if args.base == "none" else ["base", "this"]

    rows, peaks = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        save_bert_input(mirror, args.n_texts, args.seq_len, tmp / "input.npz")
        roots = {"this": ROOT}
        if "base" in versions:
            roots["base"] = tmp / "base"
            roots["base"].mkdir()
            extract(args.base, roots["base"])
        workers = {v: Worker("bert_speed_worker.py", roots[v], [tmp / "input.npz"],
                             args.threads, worker_env(v)) for v in versions}
        warm = bench[WARM_UP]["hparams"]["model_hparam_overrides"]
        for mode in args.modes:
            for worker in workers.values():
                worker.ask({"overrides": warm, "mode": mode})
            for i, entry in enumerate(bench[: args.n]):
                job = {"overrides": entry["hparams"]["model_hparam_overrides"], "mode": mode}
                order = versions if i % 2 == 0 else versions[::-1]
                got = {v: workers[v].ask(job) for v in order}
                row = {"mode": mode, "arch_id": entry["id"], "seconds": got["this"]["seconds"]}
                if "base" in got:
                    row["base_seconds"] = got["base"]["seconds"]
                    row["speedup"] = row["base_seconds"] / row["seconds"]
                    if mode == "faithful":
                        row["max_rel_diff"] = max(
                            relative_difference(got["base"]["values"][m], v)
                            for m, v in got["this"]["values"].items())
                rows.append(row)
                # max RSS so far: the last answer of a mode holds the mode's peak
                peaks.update({(v, mode): got[v]["peak_gb"] for v in versions})
                print(f"{mode} arch {entry['id']}: " + ", ".join(
                    f"{v} {got[v]['seconds']:.2f} s" for v in versions), flush=True)
        for worker in workers.values():
            worker.close()

    df = pd.DataFrame(rows).assign(n_texts=args.n_texts, seq_len=args.seq_len)
    compared = "this checkout" if args.base == "none" else \
        f"{args.base} and this checkout alternating"
    header = (f"Input {args.n_texts} x {args.seq_len} tokens, architectures 0-{args.n - 1}, "
              f"{args.threads} thread(s), {compared}.")
    columns = ["mode", "mean seconds per architecture", "range"]
    if "base" in versions:
        columns += [f"mean, {args.base}", f"speed-up over {args.base}",
                    "faithful values vs base, max rel. diff"]
    table = ["| " + " | ".join(columns + ["peak memory so far (max RSS), per worker"]) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for mode, g in df.groupby("mode", sort=False):
        cells = [mode, f"{g.seconds.mean():.2f}", f"{g.seconds.min():.2f}-{g.seconds.max():.2f}"]
        if "base" in versions:
            diff = f"{g.max_rel_diff.max():.1e}" if mode == "faithful" else "(another loss)"
            cells += [f"{g.base_seconds.mean():.2f}",
                      f"{g.base_seconds.mean() / g.seconds.mean():.2f}x", diff]
        cells.append(", ".join(f"{v} {peaks[v, mode]:.2f} GB" for v in versions))
        table.append("| " + " | ".join(cells) + " |")
    parts = [header, "\n".join(table)]
    if (args.n_texts, args.seq_len) == (128, 512) and "faithful" in args.modes:
        arch0 = df[(df["mode"] == "faithful") & (df.arch_id == 0)].seconds.iloc[0]
        parts.append(f"Faithful architecture 0: {arch0:.1f} s (the paper's code at 128 x 512: "
                     f"about {PAPER_SECONDS_ARCH0:.0f} s).")
    print("\n" + "\n\n".join(parts))
    save_results(f"bert_speed_{args.n_texts}x{args.seq_len}", df, *parts)

if __name__ == "__main__":
    main()
