"""Bootstrap intervals of tau and rho: the closed forms against scipy on explicit resamples,
and the interval's contract."""

import math

import numpy as np
import pytest
from scipy import stats

from nasmetrics.bootstrap import PairStatistics, _counts, tau_rho_intervals


def test_multiplicities_of_drawn_indices():
    w = _counts(np.array([[0, 0, 2], [1, 2, 2]]), 4)
    assert w.tolist() == [[2, 0, 1, 0], [0, 1, 2, 0]]


def test_hand_case_one_pair_drawn_twice():
    # pairs (1,1) (2,3) (3,2); drawn: the first twice and the second once. Of the 3 drawn
    # pairs, the duplicate is tied in x and y; the other two are concordant: C - D = 2,
    # N0 = 3, Tx = Ty = 1, tau-b = 2 / sqrt(2 * 2) = 1.
    p = PairStatistics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0]))
    w = np.array([[2.0, 1.0, 0.0]])
    assert p.kendall_tau(w)[0] == pytest.approx(1.0)
    assert p.spearman_rho(w)[0] == pytest.approx(1.0)
    w = np.array([[1.0, 1.0, 1.0]])  # the original sample: one discordant pair of three
    assert p.kendall_tau(w)[0] == pytest.approx(1 / 3)


def test_closed_forms_equal_scipy_on_resamples_with_ties():
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(size=120), 1)  # rounded: many ties
    y = np.round(x + rng.normal(size=120), 1)
    p = PairStatistics(x, y)
    idx = rng.integers(0, 120, size=(25, 120))
    w = _counts(idx, 120)
    np.testing.assert_allclose(p.kendall_tau(w), [stats.kendalltau(x[i], y[i]).statistic
                                                  for i in idx], rtol=1e-12)
    np.testing.assert_allclose(p.spearman_rho(w), [stats.spearmanr(x[i], y[i]).statistic
                                                   for i in idx], rtol=1e-12)


def test_interval_holds_estimate_and_is_seeded():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = x + rng.normal(size=200)
    a = tau_rho_intervals(x, y, seed=0)
    assert a == tau_rho_intervals(x, y, seed=0)
    assert a != tau_rho_intervals(x, y, seed=1)
    tau, rho = stats.kendalltau(x, y).statistic, stats.spearmanr(x, y).statistic
    assert a["kendall_tau_low"] < tau < a["kendall_tau_high"]
    assert a["spearman_rho_low"] < rho < a["spearman_rho_high"]
    # n = 200: a tau interval about +-2 standard errors wide, well inside (0, 1)
    assert 0.05 < a["kendall_tau_high"] - a["kendall_tau_low"] < 0.2


def test_degenerate_inputs_give_nan():
    for x, y in (([1.0, 2.0], [2.0, 1.0]), ([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])):
        out = tau_rho_intervals(np.array(x), np.array(y))
        assert all(math.isnan(v) for v in out.values())


def test_perfectly_ranked_set_has_interval_one_one():
    x = np.arange(30.0)
    out = tau_rho_intervals(x, 2 * x + 1)
    assert out == {"kendall_tau_low": 1.0, "kendall_tau_high": 1.0,
                   "spearman_rho_low": 1.0, "spearman_rho_high": 1.0}
    out = tau_rho_intervals(x, -x)
    assert out["kendall_tau_low"] == out["kendall_tau_high"] == -1.0
