"""Bootstrap intervals of Kendall's tau-b and Spearman's rho, all resamples at once.

A bootstrap resample of n pairs is a vector of multiplicities w (how often each pair was
drawn). Both statistics of the resampled pairs are then closed forms in w, so thousands of
resamples are a few matrix products instead of thousands of calls:

- tau-b: concordant minus discordant pairs = 1/2 w^T S w with S_ij = sign(x_i - x_j)
  sign(y_i - y_j) (a pair drawn twice is a tie in both: S_ii = 0); the pairs tied in x are
  sum over the distinct x values of c(c - 1)/2, c the drawn count of that value; tau-b =
  (C - D) / sqrt((N0 - Tx)(N0 - Ty)), N0 = N(N - 1)/2, as scipy.stats.kendalltau computes it.
- rho: the average rank of a value among the drawn pairs is (drawn pairs with a smaller
  value) + (drawn pairs with this value + 1) / 2; rho is the Pearson correlation of the two
  ranks over the drawn pairs (weights w), as scipy.stats.spearmanr computes it.

scipy.stats.bootstrap draws the resamples (of pair indices) and forms the interval; these
functions only evaluate the statistics. Tests check them against scipy on explicit resamples.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

N_RESAMPLES = 2000
CONFIDENCE = 0.95
METHOD = "BCa"


def _counts(idx: np.ndarray, n: int) -> np.ndarray:
    """(resamples, k) drawn indices -> (resamples, n) multiplicities."""
    idx = np.asarray(idx)
    idx = idx.reshape(-1, idx.shape[-1])
    flat = (idx + n * np.arange(len(idx))[:, None]).ravel()
    return np.bincount(flat, minlength=n * len(idx)).reshape(len(idx), n).astype(np.float64)


def _groups(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs sorted by value, where each run of equal values starts, and each pair's run."""
    order = np.argsort(v, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(v[order]) != 0])
    run = np.empty(len(v), dtype=np.intp)
    run[order] = np.cumsum(np.r_[True, np.diff(v[order]) != 0]) - 1
    return order, starts, run


def _group_counts(w: np.ndarray, groups) -> np.ndarray:
    """(resamples, runs): how many drawn pairs hold each distinct value."""
    order, starts, _ = groups
    return np.add.reduceat(w[:, order], starts, axis=1)


class PairStatistics:
    """tau-b and rho of resamples of the pairs (x_i, y_i), given as multiplicities."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.n = len(self.x)
        self.sign = np.sign(self.x[:, None] - self.x[None, :]) * np.sign(
            self.y[:, None] - self.y[None, :])
        self.gx = _groups(self.x)
        self.gy = _groups(self.y)

    def kendall_tau(self, w: np.ndarray) -> np.ndarray:
        n_total = w.sum(axis=1)
        n0 = n_total * (n_total - 1) / 2
        score = 0.5 * np.einsum("ri,ri->r", w @ self.sign, w)
        ties = []
        for groups in (self.gx, self.gy):
            c = _group_counts(w, groups)
            ties.append((c * (c - 1) / 2).sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            return score / np.sqrt((n0 - ties[0]) * (n0 - ties[1]))

    def spearman_rho(self, w: np.ndarray) -> np.ndarray:
        ranks = []
        for groups in (self.gx, self.gy):
            c = _group_counts(w, groups)
            group_rank = np.cumsum(c, axis=1) - c + (c + 1) / 2
            ranks.append(group_rank[:, groups[2]])
        rx, ry = ranks
        n_total = w.sum(axis=1, keepdims=True)
        mx = (w * rx).sum(axis=1, keepdims=True) / n_total
        my = (w * ry).sum(axis=1, keepdims=True) / n_total
        cov = (w * (rx - mx) * (ry - my)).sum(axis=1)
        vx = (w * (rx - mx) ** 2).sum(axis=1)
        vy = (w * (ry - my) ** 2).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return cov / np.sqrt(vx * vy)

    def both(self, idx: np.ndarray, axis: int = -1) -> np.ndarray:
        """scipy.stats.bootstrap's vectorized statistic: drawn pair indices on ``axis``."""
        idx = np.moveaxis(np.asarray(idx), axis, -1)
        shape = idx.shape[:-1]
        w = _counts(idx, self.n)
        out = np.stack([self.kendall_tau(w), self.spearman_rho(w)])
        return out.reshape(2, *shape)


def tau_rho_intervals(x: np.ndarray, y: np.ndarray, seed: int = 0,
                      n_resamples: int = N_RESAMPLES) -> dict[str, float]:
    """95% bootstrap intervals (BCa, pairs resampled, ``n_resamples`` drawn from ``seed``) of
    Kendall tau-b and Spearman rho of finite pairs: kendall_tau_low/high,
    spearman_rho_low/high. NaN with fewer than 3 pairs, a constant column, or where BCa is
    undefined; where every resample gives the same value (a perfectly ranked set) the
    interval is that value."""
    out = dict.fromkeys(["kendall_tau_low", "kendall_tau_high", "spearman_rho_low",
                         "spearman_rho_high"], float("nan"))
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    pairs = PairStatistics(x, y)
    # where BCa is undefined (a handful of pairs: every resample gives the same value) scipy
    # warns and returns NaN: the NaN is the documented answer
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        res = stats.bootstrap((np.arange(len(x)),), pairs.both, vectorized=True,
                              n_resamples=n_resamples, confidence_level=CONFIDENCE,
                              method=METHOD, random_state=np.random.default_rng(seed),
                              batch=200)
    low, high = np.array(res.confidence_interval.low), np.array(res.confidence_interval.high)
    # every resample gave the same value (a perfectly ranked set: tau = rho = 1 in each): BCa
    # is undefined, the interval is that value
    dist = res.bootstrap_distribution
    constant = np.all(dist == dist[:, :1], axis=1)
    low = np.where(constant, dist[:, 0], low)
    high = np.where(constant, dist[:, 0], high)
    out.update(kendall_tau_low=float(low[0]), kendall_tau_high=float(high[0]),
               spearman_rho_low=float(low[1]), spearman_rho_high=float(high[1]))
    return out
