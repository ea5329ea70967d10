"""The workflow's allocator settings (nasmetrics/allocator.py) against the defaults: the same
code, two worker processes, one started without the settings and one with them, scoring the
same architecture one after the other, the order alternating, after one untimed warm-up.

Three kinds of job, one thread each: the RNN paper metrics and the RNN zero-cost proxies on
the WikiText-2 input (70 x 50, its vocabulary; the named RNN architectures below, or
--archs), and transformers in corrected mode with the proxies at the default input (32 x
128; architectures 0..--bert-n - 1). Per kind: mean seconds per architecture, the workers'
peak memory (max RSS), and the largest relative difference of a value (the settings must
not change any).

    python benchmarks/allocator_env.py [--archs ID ...] [--bert-n 6] [--kinds ...]
                                       [--base default|workflow] [--set KEY=VALUE ...]
                                       [--threads 1] [--mirror F]

--set tries other values of the settings (the second worker's), --base workflow compares
them with the workflow's own instead of the defaults.

Writes benchmarks/results/allocator_env.{csv,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

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
)
from rnn_speed import WARM_UP

from nasmetrics.allocator import ALLOCATOR_ENV
from nasmetrics.rnn.score import VOCAB_SIZES

# small, medium and the largest cells of the speed benchmark's named set
ARCHS = (1006290, 1002853, 1008033, 1013398, 1004930, 1008799)
KINDS = ("rnn_paper", "rnn_proxies", "bert_proxies")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", type=int, nargs="+", default=list(ARCHS))
    ap.add_argument("--bert-n", type=int, default=6)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    ap.add_argument("--base", choices=("default", "workflow"), default="default",
                    help="compare with the allocator's defaults or the workflow's settings")
    ap.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                    help="the second worker's settings: the workflow's with these changed")
    args, mirror = parse(ap)
    tried = dict(ALLOCATOR_ENV, **dict(kv.split("=", 1) for kv in args.set))
    default = {k: v for k, v in os.environ.items() if k not in tried}
    base = default if args.base == "default" else {**default, **ALLOCATOR_ENV}
    environs = {args.base: base, "tried": {**default, **tried}}
    b = args.base
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jobs = {}
        if {"rnn_paper", "rnn_proxies"} & set(args.kinds):
            archs = rnn_recipes(mirror)
            ids, targets = save_rnn_batch(mirror, "wikitext2", tmp)
            rnn_args = [ids, VOCAB_SIZES["wikitext2"]]
            recipe = {a: {"recipe": archs.at[a, "recipe"]} for a in [WARM_UP, *args.archs]}
            if "rnn_paper" in args.kinds:
                jobs["rnn_paper"] = ("rnn_speed_worker.py", rnn_args, recipe)
            if "rnn_proxies" in args.kinds:
                jobs["rnn_proxies"] = ("rnn_speed_worker.py", [*rnn_args, targets], recipe)
        if "bert_proxies" in args.kinds:
            bench = json.loads((mirror / "training-free-nas" / "BERT_benchmark.json").read_text())
            save_bert_input(mirror, 32, 128, tmp / "input.npz")
            entries = {e["id"]: e for e in [bench[-1], *bench[:args.bert_n]]}
            jobs["bert_proxies"] = ("bert_speed_worker.py", [tmp / "input.npz"], {
                i: {"overrides": e["hparams"]["model_hparam_overrides"], "mode": "corrected",
                    "proxies": True} for i, e in entries.items()})
        for kind, (script, worker_args, asks) in jobs.items():
            workers = {name: Worker(script, ROOT, worker_args, args.threads, env)
                       for name, env in environs.items()}
            warm, *timed = asks
            for worker in workers.values():
                worker.ask(asks[warm])
            for i, arch_id in enumerate(timed):
                order = list(workers) if i % 2 == 0 else list(workers)[::-1]
                got = {name: workers[name].ask(asks[arch_id]) for name in order}
                # every value but the timings the scores tables carry (proxy_seconds)
                diff = max(relative_difference(got[b]["values"][m], v)
                           for m, v in got["tried"]["values"].items()
                           if not m.endswith("seconds"))
                rows.append({"kind": kind, "arch_id": arch_id,
                             **{f"{n}_seconds": got[n]["seconds"] for n in workers},
                             **{f"{n}_peak_gb": got[n]["peak_gb"] for n in workers},
                             "max_rel_diff": diff})
                print(f"{kind} arch {arch_id}: " + ", ".join(
                    f"{n} {got[n]['seconds']:.2f} s / {got[n]['peak_gb']:.2f} GB"
                    for n in order) + f"; values differ by <= {diff:.1e}", flush=True)
            for worker in workers.values():
                worker.close()

    df = pd.DataFrame(rows)
    summary = pd.DataFrame([{
        "job": kind, "architectures": len(g),
        f"seconds, {b} / tried": f"{g[f'{b}_seconds'].mean():.2f} / "
                                 f"{g.tried_seconds.mean():.2f}",
        "speed-up": f"{g[f'{b}_seconds'].mean() / g.tried_seconds.mean():.2f}x",
        f"peak GB (max RSS), {b} / tried": f"{g[f'{b}_peak_gb'].max():.2f} / "
                                           f"{g.tried_peak_gb.max():.2f}",
        "values, max rel. diff": f"{g.max_rel_diff.max():.1e}",
    } for kind, g in df.groupby("kind", sort=False)])
    settings = (f"Tried: {', '.join(f'`{k}={v}`' for k, v in tried.items())}; against "
                + ("the allocators' defaults." if b == "default" else "the workflow's settings."))
    print("\n" + summary.to_string(index=False))
    save_results("allocator_env", df, settings, summary.to_markdown(index=False))


if __name__ == "__main__":
    main()
