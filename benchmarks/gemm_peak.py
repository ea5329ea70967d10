"""This machine's float32 matrix-product rate on the passes' own shapes, on every path torch
and numpy offer here: MKL as torch ships it, MKL's Intel dispatch (nasmetrics/gemm_path.py's
shim preloaded), oneDNN (torch's ``mkldnn._linear_pointwise`` on a pre-packed weight) and
OpenBLAS (numpy's). Every efficiency figure in the docs is against the best of these.

Each path runs in its own process (a preload is read when a process starts), one thread, all
shapes best of 5 timed runs of about 0.2 s each; the paths take turns for ``--rounds`` rounds,
in an order that turns with the rounds, and each (path, shape) keeps its best round, so a
load that comes and goes weighs on every path alike.

    python benchmarks/gemm_peak.py [--rounds 2] [--paths mkl_shipped,mkl_intel,onednn,openblas]

Writes benchmarks/results/gemm_peak.{csv,md}. Run without arguments as a path's worker:
``python benchmarks/gemm_peak.py --worker PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# (name, rows m, inner k, columns n): F.linear of an (m, k) input with an (n, k) weight
SHAPES = (
    ("rnn step: 600-wide state x 4 stacked nodes", 50, 600, 2400),
    ("rnn step backward: input gradient", 50, 2400, 600),
    ("rnn step backward: weight gradient", 600, 50, 2400),
    ("rnn sequence: 70 x 50 inputs x 6 stacked nodes", 3500, 400, 2400),
    ("rnn decoder logits: 360 tokens x 33,278 words", 360, 400, 33278),
    ("rnn decoder input gradient", 360, 33278, 400),
    ("transformer linear: 32 x 128 tokens, 512 -> 2048", 4096, 512, 2048),
    ("transformer attention scores: 128 x 64 x 128", 128, 64, 128),
    ("square 2048", 2048, 2048, 2048),
)
PATHS = ("mkl_shipped", "mkl_intel", "onednn", "openblas")


def _timed(fn, flops: float) -> float:
    fn()
    reps = 1
    while True:  # about 0.2 s per timed run
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        if time.perf_counter() - start > 0.05:
            break
        reps *= 4
    reps = max(1, int(reps * 0.2 / (time.perf_counter() - start)))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - start) / reps)
    return flops / best / 1e9


def worker(path: str) -> None:
    """One path's GFLOP/s on every shape, as one JSON line."""
    import numpy as np
    import torch

    from nasmetrics import gemm_path

    torch.set_num_threads(1)
    out = {"describe": gemm_path.describe(), "gflops": {}}
    for name, m, k, n in SHAPES:
        gen = torch.Generator().manual_seed(0)
        a, w = torch.randn(m, k, generator=gen), torch.randn(n, k, generator=gen)
        if path == "onednn":
            if not torch.backends.mkldnn.is_available():
                out["gflops"][name] = None
                continue
            packed = torch.ops.mkldnn._reorder_linear_weight(w, m)

            def fn(a=a, packed=packed):
                torch.ops.mkldnn._linear_pointwise(a, packed, None, "none", [], "")
        elif path == "openblas":
            an, wt = a.numpy(), np.ascontiguousarray(w.numpy().T)

            def fn(an=an, wt=wt):
                an @ wt
        else:
            def fn(a=a, w=w):
                torch.nn.functional.linear(a, w)
        out["gflops"][name] = _timed(fn, 2.0 * m * k * n)
    print(json.dumps(out), flush=True)


def path_env(path: str, shim_dir: Path) -> dict[str, str] | None:
    """The environment a path's worker starts with (None: the path cannot be set up here)."""
    from nasmetrics import gemm_path

    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=str(HERE.parent))
    env.pop("LD_PRELOAD", None)
    if path == "mkl_intel":
        env[gemm_path.SWITCH] = "intel"
        gemm_path.set_gemm_env(shim_dir, env)
        if gemm_path.SHIM_NAME not in env.get("LD_PRELOAD", ""):
            return None
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--paths", default=",".join(PATHS))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return

    import pandas as pd
    from common import cpu_name, save_results

    from nasmetrics import gemm_path

    paths = args.paths.split(",")
    best: dict[tuple[str, str], float] = {}
    described: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        envs = {p: path_env(p, Path(tmp)) for p in paths}
        for r in range(args.rounds):
            order = paths[r % len(paths):] + paths[:r % len(paths)]
            for path in order:
                if envs[path] is None:
                    continue
                res = subprocess.run([sys.executable, __file__, "--worker", path],
                                     env=envs[path], capture_output=True, text=True, check=True)
                got = json.loads(res.stdout.strip().splitlines()[-1])
                described[path] = got["describe"]
                for name, rate in got["gflops"].items():
                    if rate is not None:
                        best[path, name] = max(best.get((path, name), 0.0), rate)
                print(f"round {r + 1}, {path}: " + ", ".join(
                    f"{rate:.0f}" for rate in got["gflops"].values() if rate is not None),
                    flush=True)
    rows = [{"shape": name, "m": m, "k": k, "n": n,
             **{p: best.get((p, name)) for p in paths}} for name, m, k, n in SHAPES]
    df = pd.DataFrame(rows)
    rates = df[[p for p in paths if p in df]]
    df["best_path"] = rates.idxmax(axis=1)
    df["best_gflops"] = rates.max(axis=1)
    cpu = gemm_path.read_cpu()
    chosen = gemm_path.wants_intel_dispatch(cpu)[1]
    print(df.to_string(index=False, float_format="%.1f"))
    notes = [
        f"GFLOP/s of one thread, best of {args.rounds} rounds x 5 runs; CPU {cpu_name()} "
        f"(vendor {cpu.vendor}, AVX-512: {'yes' if cpu.avx512 else 'no'}).",
        "Paths: " + "; ".join(f"{p}: {described.get(p, 'not available here')}" for p in paths),
        f"What the workflow chooses on this machine: {chosen}.",
        "Unavailable paths: " + (", ".join(p for p in paths if envs[p] is None) or "none"),
    ]
    save_results("gemm_peak", df, *notes, df.to_markdown(index=False, floatfmt=".1f"))


if __name__ == "__main__":
    main()
