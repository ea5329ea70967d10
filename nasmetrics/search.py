"""Search simulation: draw N architectures, keep the one a metric scores best.

For each N, ``n_draws`` seeded draws of N distinct architectures among those with a finite
target (the same draws for every method, so methods are compared on the same candidate
sets). A metric picks its best candidate (its sign fixed by the registry; ties: the first
drawn; a candidate the metric could not score, NaN, counts as its worst); the outcome is the
picked architecture's target value, its regret (how much worse than the best of the N: loss
above the lowest, or GLUE below the highest) and its rank percentile among the N (the share
of the other N - 1 that are better: 0 = the best of the N, 1 = the worst). References on the
same draws: ``random`` (a seeded uniform pick among the N), ``oracle`` (the best of the N:
regret 0) and, as a metric, the parameter count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SIZES = (10, 50, 100)
N_DRAWS = 1000
SEARCH_COLUMNS = ["method", "n_candidates", "n_draws", "n", "mean_value", "mean_regret",
                  "median_regret", "mean_percentile"]


def draws(n: int, size: int, n_draws: int, seed: int) -> np.ndarray:
    """(n_draws, size) indices of distinct rows, from one seeded generator."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(n, size=size, replace=False) for _ in range(n_draws)])


def _outcomes(target: np.ndarray, picks: np.ndarray, cand: np.ndarray,
              target_higher: bool) -> dict[str, float]:
    """picks: (draws,) chosen row per draw; cand: (draws, N) the candidates."""
    values = target[cand]
    best = values.max(axis=1) if target_higher else values.min(axis=1)
    picked = target[picks]
    regret = best - picked if target_higher else picked - best
    better = (values > picked[:, None]) if target_higher else (values < picked[:, None])
    percentile = better.sum(axis=1) / (cand.shape[1] - 1)
    return {"mean_value": float(picked.mean()), "mean_regret": float(regret.mean()),
            "median_regret": float(np.median(regret)), "mean_percentile": float(percentile.mean())}


def search_table(df: pd.DataFrame, metrics: list[str], higher: dict[str, bool], target: str,
                 target_higher: bool, sizes=SIZES, n_draws: int = N_DRAWS,
                 seed: int = 0) -> pd.DataFrame:
    """Rows (method, n_candidates): SEARCH_COLUMNS. ``n``: the architectures with a finite
    target, the pool every draw comes from; an N larger than the pool is left out."""
    finite = np.isfinite(df[target].to_numpy(float))
    target_v = df[target].to_numpy(float)[finite]
    n = len(target_v)
    rows = []
    for size in sizes:
        if size > n or size < 2:
            continue
        cand = draws(n, size, n_draws, seed + size)
        every = np.arange(n_draws)
        values = target_v[cand]
        best = values.argmax(axis=1) if target_higher else values.argmin(axis=1)
        random = np.random.default_rng(seed + 10_000 + size).integers(0, size, n_draws)
        picks = {"random": cand[every, random], "oracle": cand[every, best]}
        for m in metrics:
            scores = df[m].to_numpy(float)[finite][cand]
            worst = -np.inf if higher[m] else np.inf
            scores = np.where(np.isnan(scores), worst, scores)
            choice = scores.argmax(axis=1) if higher[m] else scores.argmin(axis=1)
            picks[m] = cand[every, choice]
        for method, picked in picks.items():
            rows.append({"method": method, "n_candidates": size, "n_draws": n_draws, "n": n,
                         **_outcomes(target_v, picked, cand, target_higher)})
    return pd.DataFrame(rows, columns=SEARCH_COLUMNS)
