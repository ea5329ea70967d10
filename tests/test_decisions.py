"""Top-k quality and the best-of-N search simulation on hand-checkable cases."""

import math

import numpy as np
import pandas as pd
import pytest

from nasmetrics.search import SEARCH_COLUMNS, draws, search_table
from nasmetrics.topk import TOPK_COLUMNS, top_count, topk_row, topk_table


def test_top_counts():
    assert [top_count(0.05, n) for n in (20, 275, 340, 500)] == [1, 14, 17, 25]
    assert [top_count(0.10, n) for n in (20, 275, 340, 500)] == [2, 28, 34, 50]
    assert top_count(0.05, 3) == 1


def test_topk_hand_case():
    # 20 architectures, loss = 0..19 (0 best). The metric (higher is better) ranks
    # architecture 1 first, then 0, then 19, 18, ...: its top 1 misses the best, its top 2
    # holds both of the 2 best; among its 10 best, the best true rank is 1 (architecture 0).
    loss = np.arange(20.0)
    metric = np.array([19.0, 20.0] + list(range(18, 0, -1)), dtype=float)
    row = topk_row(metric, loss, metric_higher=True, target_higher=False)
    assert row["n"] == 20 and row["k_5"] == 1 and row["k_10"] == 2
    assert row["precision_at_5"] == 0.0
    assert row["precision_at_10"] == 1.0
    assert row["br_at_10"] == 1
    assert row["n_top_10"] == 2 and math.isnan(row["kendall_tau_top_10"])  # 2 < 3 pairs


def test_topk_sign_comes_from_the_registry_not_the_data():
    loss = np.arange(40.0)
    good = -loss  # higher is better, and it is
    row = topk_row(good, loss, metric_higher=True, target_higher=False)
    assert row["precision_at_10"] == 1.0 and row["br_at_10"] == 1
    assert row["kendall_tau_top_10"] == pytest.approx(-1.0)  # signed: metric up, loss down
    # the same values registered as lower-is-better pick the worst architectures
    row = topk_row(good, loss, metric_higher=False, target_higher=False)
    assert row["precision_at_10"] == 0.0 and row["br_at_10"] == 31


def test_topk_table_skips_nonfinite_rows():
    df = pd.DataFrame({"m": [1.0, np.nan, 3.0, 4.0], "glue": [0.1, 0.9, np.inf, 0.4]})
    t = topk_table(df, ["m"], {"m": True}, "glue", target_higher=True)
    assert list(t.columns) == TOPK_COLUMNS
    assert t.loc[0, "n"] == 2 and t.loc[0, "precision_at_5"] == 1.0


def test_draws_are_seeded_and_distinct():
    a = draws(30, 10, 50, seed=3)
    assert a.shape == (50, 10)
    assert all(len(set(row)) == 10 for row in a)
    assert (a == draws(30, 10, 50, seed=3)).all()
    assert not (a == draws(30, 10, 50, seed=4)).all()


def test_search_hand_cases():
    # every draw holds the whole pool (N = n = 10): the perfect metric always picks the best
    # (regret 0), the reversed one the worst (regret 9, percentile 1); a metric that could not
    # score the best architecture (NaN) picks the second best.
    loss = np.arange(10.0)
    df = pd.DataFrame({"loss": loss, "perfect": -loss, "reversed": loss,
                       "holes": np.r_[np.nan, -loss[1:]]})
    higher = {"perfect": True, "reversed": True, "holes": True}
    t = search_table(df, ["perfect", "reversed", "holes"], higher, "loss", False,
                     sizes=(10,), n_draws=20).set_index("method")
    assert list(t.reset_index().columns) == SEARCH_COLUMNS
    assert t.loc["oracle", "mean_regret"] == 0 and t.loc["perfect", "mean_regret"] == 0
    assert t.loc["perfect", "mean_percentile"] == 0
    assert t.loc["reversed", "median_regret"] == 9 and t.loc["reversed", "mean_percentile"] == 1
    assert t.loc["holes", "mean_value"] == 1
    assert t.loc["holes", "mean_percentile"] == pytest.approx(1 / 9)
    assert 0 <= t.loc["random", "mean_percentile"] <= 1
    assert (t["n"] == 10).all() and (t["n_draws"] == 20).all()


def test_search_random_pick_and_pool_limits():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"glue": rng.normal(size=200), "m": rng.normal(size=200)})
    df.loc[:4, "glue"] = np.nan  # 195 with a target: N = 100 still fits, 500 does not
    t = search_table(df, ["m"], {"m": True}, "glue", True, sizes=(10, 100, 500))
    assert sorted(set(t["n_candidates"])) == [10, 100]
    assert (t["n"] == 195).all()
    rand = t[t["method"] == "random"].set_index("n_candidates")
    # a uniform pick lands mid-field on average (1,000 draws: within a few points of .5)
    assert abs(rand.loc[100, "mean_percentile"] - 0.5) < 0.03
    again = search_table(df, ["m"], {"m": True}, "glue", True, sizes=(10, 100, 500))
    pd.testing.assert_frame_equal(t, again)


def test_random_metric_regret_matches_its_closed_form():
    # a uniform pick among the N has expected regret mean(pool) - E[min of N], with
    # E[min of N] = sum_i v_(i) C(n - i, N - 1) / C(n, N) over the sorted pool (draws without
    # replacement). The random pick, and random metrics on average, must match it.
    from math import comb

    rng = np.random.default_rng(7)
    n, size = 60, 10
    loss = np.sort(rng.gamma(2.0, size=n))
    noise = {f"noise_{i}": rng.permutation(n).astype(float) for i in range(200)}
    df = pd.DataFrame({"loss": loss, **noise})
    t = search_table(df, list(noise), dict.fromkeys(noise, True), "loss", False, sizes=(size,),
                     n_draws=2000).set_index("method")
    expected_min = sum(loss[i - 1] * comb(n - i, size - 1) for i in range(1, n + 1)) / comb(
        n, size)
    closed = loss.mean() - expected_min
    # 2,000 draws: the random pick's mean regret has a standard error of about 2% of it;
    # one random metric is biased by its own ranking (sd about 25%), 200 of them average out
    assert t.loc["random", "mean_regret"] == pytest.approx(closed, rel=0.06)
    assert t.loc[list(noise), "mean_regret"].mean() == pytest.approx(closed, rel=0.05)
    assert t.loc["oracle", "mean_regret"] == 0.0


def test_regret_figure_draws_every_method():
    # every method of the search table is one line, the random pick and the oracle in black
    # (their styles must not use up the metrics' colours: 12 metrics, as on the real tables)
    from nasmetrics import plots

    rng = np.random.default_rng(3)
    n = 120
    metrics = {f"m{i}": rng.normal(size=n) for i in range(12)}
    df = pd.DataFrame({"loss": rng.gamma(2.0, size=n), "num_params": rng.normal(size=n),
                       **metrics})
    names = [*metrics, "num_params"]
    t = search_table(df, names, dict.fromkeys(names, True), "loss", False, n_draws=50)
    fig = plots.regret_curves({"faithful": t, "corrected": t.iloc[:0]}, {}, "regret", "t")
    lines = fig.axes[0].get_lines()
    methods = list(dict.fromkeys(t["method"]))
    assert [line.get_label() for line in lines] == methods
    assert {"random", "oracle"} <= set(methods)
    black = [line.get_label() for line in lines if line.get_color() == "black"]
    assert black == [m for m in methods if m in ("random", "oracle")]
    assert len({line.get_color() for line in lines if line.get_color() != "black"}) == 13
