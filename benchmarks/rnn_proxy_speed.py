"""RNN zero-cost proxies: seconds per architecture of their passes, this checkout against an
earlier commit, side by side, on both corpora.

The paper's input batch of each corpus (70 steps x 50 columns, the next tokens as targets) and
its vocabulary, emsize 400 / nhid 600 / 3 layers, every proxy (run_proxy_passes), one thread.
The architectures are the first N of rnn_speed.py's named set (ARCH_IDS: the speed issue's 8
recipes and the 3 largest cells). As in rnn_speed.py, two worker processes (one per code
version, benchmarks/rnn_speed_worker.py in its proxies mode) score the same architecture one
after the other, the order alternating, after one untimed warm-up; the values are compared,
and this checkout's time is broken down by pass (the laps of run_proxy_passes: the forward,
the decoder's gradients, the first backward, the halves' difference, the float64 halves with
the gradient proxies' sums and fisher's, the cells' part of H g, the decoder's part, the
backward of that through the cells, GraSP's sums, SynFlow).

    python benchmarks/rnn_proxy_speed.py [--base 85789d0] [--n 4 | --archs ID ...]
                                         [--threads 1] [--mirror F]

Writes benchmarks/results/rnn_proxy_speed.{csv,md}.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from common import (
    CORPUS_DIRS,
    ROOT,
    Worker,
    extract,
    parse,
    relative_difference,
    rnn_recipes,
    save_results,
    save_rnn_batch,
    worker_env,
)
from rnn_speed import ARCH_IDS, WARM_UP

from nasmetrics.rnn.score import VOCAB_SIZES

# the last commit whose proxy passes ran the decoder through autograd, column chunk by chunk
BASE = "85789d0"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=BASE, help="the commit to compare with")
    ap.add_argument("--n", type=int, default=4, help="time the first N of ARCH_IDS")
    ap.add_argument("--archs", type=int, nargs="+",
                    help="time these architecture ids instead (e.g. the cells with the largest "
                         "proxy memory: 1008799 1008823 1011619)")
    args, mirror = parse(ap)
    archs = rnn_recipes(mirror)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base_root = tmp / "base"
        base_root.mkdir()
        extract(args.base, base_root)
        for corpus in CORPUS_DIRS:
            ids, targets = save_rnn_batch(mirror, corpus, tmp)
            worker_args = [ids, VOCAB_SIZES[corpus], targets]
            workers = {name: Worker("rnn_speed_worker.py", root, worker_args, args.threads,
                                    worker_env(name))
                       for name, root in (("base", base_root), ("this", ROOT))}
            for worker in workers.values():
                worker.ask({"recipe": archs.at[WARM_UP, "recipe"]})
            for i, arch_id in enumerate(args.archs or ARCH_IDS[:args.n]):
                recipe = archs.at[arch_id, "recipe"]
                order = ["base", "this"] if i % 2 == 0 else ["this", "base"]
                got = {name: workers[name].ask({"recipe": recipe}) for name in order}
                diffs = {m: relative_difference(got["base"]["values"][m], v)
                         for m, v in got["this"]["values"].items()}
                row = {"corpus": corpus, "arch_id": arch_id,
                       "base_seconds": got["base"]["seconds"], "seconds": got["this"]["seconds"],
                       "base_peak_gb": got["base"]["peak_gb"], "peak_gb": got["this"]["peak_gb"],
                       **{f"rel_diff_{m}": d for m, d in diffs.items()}}
                row["speedup"] = row["base_seconds"] / row["seconds"]
                row.update({f"{name}_seconds": v for name, v in got["this"]["passes"].items()})
                rows.append(row)
                print(f"{corpus} arch {arch_id}: {args.base} {row['base_seconds']:.2f} s, this "
                      f"{row['seconds']:.2f} s ({row['speedup']:.2f}x); values differ by <= "
                      f"{max(diffs.values()):.1e} ({max(diffs, key=diffs.get)})", flush=True)
            for worker in workers.values():
                worker.close()

    df = pd.DataFrame(rows)
    diff_cols = [c for c in df if c.startswith("rel_diff_")]
    summary = pd.DataFrame([
        ("architectures", f"{df['arch_id'].nunique()} "
                          f"({', '.join(map(str, df['arch_id'].unique()))})"),
        ("threads", f"{args.threads}"),
        *[(f"{corpus}: mean seconds per architecture, {args.base} / this checkout",
           f"{g['base_seconds'].mean():.2f} / {g['seconds'].mean():.2f} "
           f"({g['base_seconds'].mean() / g['seconds'].mean():.2f}x)")
          for corpus, g in df.groupby("corpus", sort=False)],
        *[(f"{corpus}: peak memory (max RSS) of a worker, {args.base} / this",
           f"{g['base_peak_gb'].max():.2f} / {g['peak_gb'].max():.2f} GB")
          for corpus, g in df.groupby("corpus", sort=False)],
        *[(f"largest relative difference: {c.removeprefix('rel_diff_')}", f"{df[c].max():.1e}")
          for c in diff_cols],
    ], columns=["quantity", "value"])
    # where this checkout's time goes: mean seconds of each pass per corpus
    pass_cols = [c for c in df if c.endswith("_seconds") and c not in ("seconds", "base_seconds")]
    breakdown = df.groupby("corpus", sort=False)[pass_cols].mean().T
    breakdown.index = [c.removesuffix("_seconds") for c in pass_cols]
    breakdown.index.name = "pass"
    for corpus in list(breakdown.columns):
        breakdown[f"{corpus} share"] = breakdown[corpus] / df.loc[df["corpus"] == corpus,
                                                                   "seconds"].mean()
    print()
    print(summary.to_string(index=False))
    print()
    print(breakdown.to_string(float_format="{:.3f}".format))
    save_results("rnn_proxy_speed", df, summary.to_markdown(index=False),
                 breakdown.to_markdown(floatfmt=".3f"))


if __name__ == "__main__":
    main()
