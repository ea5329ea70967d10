import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nasmetrics.compare import published_comparison, relative_spread
from nasmetrics.correlate import CORRELATION_COLUMNS, correlation_table
from nasmetrics.registry import Registry, UnknownMetricError
from nasmetrics.rnn.metrics import RNN_METRICS


def test_rnn_metric_names():
    assert RNN_METRICS.names() == [
        "activation_distance", "synaptic_saliency", "jacobian_cov", "jacobian_cos",
        "large_noise_jacobian", "large_noise_jacobian_cos", "more_noised_jacobian",
        "more_noised_jacobian_cos", "hidden_synaptic_saliency", "hidden_cov_l1",
        "hidden_cov_l2", "hidden_cov_l3", "num_params"]


def test_registry_errors():
    reg = Registry("toy")
    reg.register("a", "A")(lambda cap: 1.0)
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("a", "A")(lambda cap: 2.0)
    with pytest.raises(UnknownMetricError, match="unknown toy metric 'b'; valid names: a"):
        reg.get("b")


def test_correlation_table_against_scipy_and_nan_rows():
    df = pd.DataFrame({"m": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0],
                       "loss": [2.0, 1.0, 4.0, 3.0, 1.0, np.inf],
                       "const": [1.0] * 6})
    t = correlation_table(df, ["m", "const"], "loss").set_index("metric")
    assert list(t.reset_index().columns) == CORRELATION_COLUMNS
    assert t.loc["m", "n"] == 4
    x, y = [1, 2, 3, 4], [2, 1, 4, 3]
    assert t.loc["m", "kendall_tau"] == pytest.approx(stats.kendalltau(x, y).statistic)
    assert t.loc["m", "spearman_rho"] == pytest.approx(0.6)
    assert t.loc["m", "pearson_r"] == pytest.approx(stats.pearsonr(x, y).statistic)
    assert math.isnan(t.loc["const", "kendall_tau"]) and t.loc["const", "n"] == 5


def test_published_comparison_same_ids():
    ours = pd.DataFrame({"arch_id": [1, 2, 3, 4], "test_loss": [1.0, 2.0, 3.0, 4.0],
                         "m": [4.0, 3.0, 2.0, 1.0]})
    pub = pd.DataFrame({"arch_id": [1, 2, 3, 4, 5], "test_loss": [1.0, 2.0, 3.0, 4.0, 5.0],
                        "m": [40.0, 20.0, 30.0, 10.0, 50.0]})
    row = published_comparison(ours, pub, ["m"], "test_loss").iloc[0]
    assert row["n"] == 4
    assert row["kendall_tau_ours"] == pytest.approx(-1.0)
    assert row["kendall_tau_published"] == pytest.approx(stats.kendalltau(
        [40, 20, 30, 10], [1, 2, 3, 4]).statistic)
    assert row["agreement_spearman"] == pytest.approx(0.8)
    assert row["n_published_all"] == 5


def test_relative_spread():
    df = pd.DataFrame({"arch_id": [1, 1, 2, 2], "m": [1.0, 3.0, 11.0, 13.0]})
    t = relative_spread(df, ["m"])
    # within std sqrt(2) for both; between std of means (2, 12) = sqrt(50)
    assert t["relative_spread"].tolist() == pytest.approx([math.sqrt(2 / 50)] * 2)
