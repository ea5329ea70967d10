"""One code version's RNN scoring, driven line by line by benchmarks/rnn_speed.py.

Imports ``nasmetrics`` from PYTHONPATH (the driver points it at this checkout or at an
extracted older commit), reads the input batch from argv[1] (a .npy file) and the vocabulary
size from argv[2], then for each JSON line {"recipe": ...} on stdin scores the 13 paper
metrics in faithful mode on one thread and answers one JSON line: seconds, the metric values
and, where this version records them, the seconds of each pass. With a target batch in
argv[3] (benchmarks/rnn_proxy_speed.py) it runs the zero-cost proxies' passes instead.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import torch

import nasmetrics
from nasmetrics.rnn import passes, score
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.model import ModelShape, build_model
from nasmetrics.rnn.recipe import parse_recipe


def score_new(recipe: str, ids: np.ndarray, ntokens: int) -> tuple[dict, dict]:
    """Today's code, step by step as score_architecture runs it, each step timed."""
    laps = {}
    start = time.perf_counter()
    model = build_model(parse_recipe(recipe), ModelShape(ntokens=ntokens))
    laps["build"] = time.perf_counter() - start
    capture = passes.run_passes(model, torch.as_tensor(ids))
    laps.update(capture.seconds)
    start = time.perf_counter()
    values = RNN_METRICS.compute(passes.in_mode(capture, "faithful"), RNN_METRICS.names("paper"))
    laps["metrics"] = time.perf_counter() - start
    return values, laps


def score_proxies(recipe: str, ids: np.ndarray, targets: np.ndarray,
                  ntokens: int) -> tuple[dict, dict]:
    # imported here: the paper metrics' starting commit (ae9ec29) has no proxy passes
    from nasmetrics.rnn.proxy_passes import run_proxy_passes

    model = build_model(parse_recipe(recipe), ModelShape(ntokens=ntokens))
    capture = run_proxy_passes(model, torch.as_tensor(ids), torch.as_tensor(targets))
    # versions before the per-pass laps report the total only
    return capture.values, getattr(capture, "laps", None) or {"proxy_passes": capture.seconds}


def main() -> None:
    torch.set_num_threads(1)
    ids = np.load(sys.argv[1])
    ntokens = int(sys.argv[2])
    targets = np.load(sys.argv[3]) if len(sys.argv) > 3 else None
    timed_passes = hasattr(passes, "PASS_NAMES")
    print(json.dumps({"nasmetrics": nasmetrics.__file__}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        if "gemm_rate" in job:  # the driver's rate, measured on this process's path
            from rnn_speed import gemm_rate

            print(json.dumps({"gflops": gemm_rate(job["gemm_rate"])}), flush=True)
            continue
        recipe = job["recipe"]
        start = time.perf_counter()
        if targets is not None:
            values, laps = score_proxies(recipe, ids, targets, ntokens)
        elif timed_passes:
            values, laps = score_new(recipe, ids, ntokens)
        else:  # the starting commit: one call, faithful mode by default
            values, laps = score.score_architecture(recipe, ids, ntokens), {}
        seconds = time.perf_counter() - start
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(json.dumps({"seconds": seconds, "values": values, "passes": laps,
                          "peak_gb": peak_gb}), flush=True)


if __name__ == "__main__":
    main()
