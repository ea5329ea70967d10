import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.compare import published_comparison, relative_spread
from nasmetrics.correlate import CORRELATION_COLUMNS, correlation_table
from nasmetrics.registry import Registry, UnknownMetricError
from nasmetrics.rnn.metrics import RNN_METRICS


def test_rnn_metric_names():
    assert RNN_METRICS.names() == [
        "activation_distance", "synaptic_saliency", "jacobian_cov", "jacobian_cos",
        "large_noise_jacobian", "large_noise_jacobian_cos", "more_noised_jacobian",
        "more_noised_jacobian_cos", "hidden_synaptic_saliency", "hidden_cov_l1",
        "hidden_cov_l2", "hidden_cov_l3", "num_params",
        # the zero-cost proxies
        "grad_norm", "snip", "grasp", "fisher", "synflow", "zico", "plain", "l2_norm", "flops",
        "nwot", "jacov", "meco"]
    assert RNN_METRICS.names("paper") == RNN_METRICS.names()[:13]
    assert RNN_METRICS.names("proxy") == RNN_METRICS.names()[13:]


def test_bert_metric_names():
    pairs = ["synaptic_diversity", "synaptic_saliency", "activation_distance"]
    assert BERT_METRICS.names() == [
        *[n for m in pairs for n in (m, f"{m}_normalized")], "jacobian_cov", "jacobian_cos",
        "head_importance", "head_importance_normalized", "head_confidence",
        "head_confidence_normalized", "head_softmax_confidence",
        "head_softmax_confidence_normalized", "num_params",
        "grad_norm", "snip", "grasp", "fisher", "synflow", "zico", "plain", "l2_norm", "flops",
        "nwot", "jacov", "meco"]
    assert BERT_METRICS.names("proxy") == RNN_METRICS.names("proxy")  # the same proxies


def test_registry_metadata():
    # every published column of the paper's files maps to exactly one metric
    assert RNN_METRICS.published_columns()["Hidden Synflow Saliency"] == (
        "hidden_synaptic_saliency")
    assert "Number of Parameters" not in RNN_METRICS.published_columns()
    bert = BERT_METRICS.published_columns()
    assert bert["Jacobian Score Normalized"] == "jacobian_cos"
    assert len(bert) == len(BERT_METRICS.names("paper"))  # each has its one column
    # normalized partners: every sum metric names its mean, which is registered
    pairs = {m.name: m.normalized for m in BERT_METRICS.metrics() if m.normalized}
    assert pairs == {m: f"{m}_normalized" for m in (
        "synaptic_diversity", "synaptic_saliency", "activation_distance", "head_importance",
        "head_confidence", "head_softmax_confidence")}
    # what reads a backward pass
    assert [m.name for m in RNN_METRICS.metrics() if not m.needs_gradient] == [
        "activation_distance", "hidden_cov_l1", "hidden_cov_l2", "hidden_cov_l3",
        "num_params", "l2_norm", "flops", "nwot", "meco"]
    # aliases: the literature's names of paper metrics, computed once
    assert {m.name: m.alias_of for m in RNN_METRICS.metrics() if m.alias_of} == {
        "nwot": "activation_distance", "jacov": "jacobian_cov"}
    # the data-independent proxies: synflow reads an all-ones input, flops only the shapes
    assert {m.name for m in RNN_METRICS.metrics() if not m.varies_with_replicate} == {
        "num_params", "flops"}
    assert [m.name for m in RNN_METRICS.metrics() if not m.needs_data] == [
        "num_params", "synflow", "l2_norm", "flops"]
    assert {m.name for m in BERT_METRICS.metrics() if m.needs_gradient} == {
        "synaptic_diversity", "synaptic_diversity_normalized", "synaptic_saliency",
        "synaptic_saliency_normalized", "jacobian_cov", "jacobian_cos", "head_importance",
        "head_importance_normalized", "grad_norm", "snip", "grasp", "fisher", "synflow",
        "zico", "plain", "jacov"}
    # only the parameter count is the same for every input batch and seed
    for reg in (RNN_METRICS, BERT_METRICS):
        paper = reg.names("paper")
        assert set(paper) - set(reg.replicate_names("paper")) == {"num_params"}
    lower = [m.name for r in (RNN_METRICS, BERT_METRICS) for m in r.metrics()
             if not m.higher_is_better]
    assert lower == ["more_noised_jacobian"]


@pytest.mark.parametrize("side, registry", [("rnn", RNN_METRICS), ("bert", BERT_METRICS)])
def test_every_metric_has_a_row_in_the_docs(side, registry):
    text = (Path(__file__).parent.parent / "docs" / f"{side}.md").read_text()
    missing = [m for m in registry.names() if f"| `{m}`" not in text]
    assert missing == []


def test_registry_errors():
    reg = Registry("toy")
    reg.register("a", "A")(lambda cap: 1.0)
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("a", "A")(lambda cap: 2.0)
    with pytest.raises(UnknownMetricError, match="unknown toy metric 'b'; valid names: a"):
        reg.get("b")
    with pytest.raises(ValueError, match="family must be one of"):
        reg.register("c", "C", family="other")
    reg.register("d", "D", published=("D column", "D alias"), needs_data=False,
                 needs_init=False)(lambda cap: 3.0)
    assert reg.published_columns() == {"A": "a", "D column": "d", "D alias": "d"}
    assert reg.replicate_names() == ["a"]
    assert reg.compute(None) == {"a": 1.0, "d": 3.0}


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


def test_summary_table_takes_every_setting_s_metrics():
    from nasmetrics.report import summary_table

    def corr(metrics, taus):
        return pd.DataFrame({"metric": metrics, "n": 10, "kendall_tau": taus})

    tables = {"faithful": corr(["a"], [-0.5]), "corrected": corr(["a", "p"], [0.25, -0.125])}
    comparison = pd.DataFrame({"metric": ["a"], "n": [10], "kendall_tau_published": [0.4],
                               "agreement_spearman": [0.9], "n_published_all": [500],
                               "published_kendall_tau_all": [-0.3]})
    text = summary_table(tables, comparison, {"a": "A", "p": "P"}, {"a": "paper", "p": "proxy"})
    lines = text.splitlines()
    assert lines[0] == ("| metric | family | \\|tau\\| faithful (n=10) [95% interval] | "
                        "\\|tau\\| corrected (n=10) [95% interval] | \\|tau\\| published, "
                        "same ids (n=10) | agreement with published (Spearman) | \\|tau\\| "
                        "published, all 500 |")
    assert lines[2] == "| A | paper | 0.500 | 0.250 | 0.400 | 0.900 | 0.300 |"
    # a proxy the faithful mode does not score, with no published value
    assert lines[3] == "| P | proxy | – | 0.125 | – | – | – |"
    assert lines[6] == "- faithful: highest \\|tau\\| A (0.500; no interval)."


def test_summary_names_no_winner_where_intervals_overlap():
    from nasmetrics.report import summary_table

    # tau -.5 [-.6, -.4] -> |tau| .5 [.4, .6]; b: |tau| .45 [.35, .55] overlaps it; c does
    # not (.1 [.0, .3]: its tau interval holds 0, so |tau| runs from 0)
    t = pd.DataFrame({"metric": ["a", "b", "c"], "n": 50, "kendall_tau": [-0.5, 0.45, 0.1],
                      "kendall_tau_low": [-0.6, 0.35, -0.1],
                      "kendall_tau_high": [-0.4, 0.55, 0.3]})
    lines = summary_table({"ptb": t}, None, {"a": "A", "b": "B", "c": "C"}).splitlines()
    assert lines[2] == "| A | 0.500 [0.400, 0.600] |"
    assert lines[4] == "| C | 0.100 [0.000, 0.300] |"
    assert lines[-1] == ("- ptb: highest \\|tau\\| A (0.500, 95% interval 0.400 to 0.600); "
                         "not distinguishable from it (intervals overlap): B.")
    t.loc[1, "kendall_tau_low"] = 0.2
    t.loc[1, "kendall_tau_high"] = 0.39
    lines = summary_table({"ptb": t}, None, {}).splitlines()
    assert lines[-1].endswith("its interval overlaps no other metric's.")


def test_summary_marks_a_tau_against_the_definition_s_direction():
    from nasmetrics.report import summary_table

    # against a loss: a higher-is-better metric should have tau < 0; "a" does, "b" does not;
    # "c" (lower is better) should have tau > 0 and does not; "d" has no intended sign
    t = pd.DataFrame({"metric": ["a", "b", "c", "d"], "n": 50,
                      "kendall_tau": [-0.5, 0.45, -0.2, 0.3]})
    intended = {"a": -1, "b": -1, "c": 1}
    lines = summary_table({"ptb": t}, None, {}, None, intended).splitlines()
    assert lines[2:6] == ["| a | 0.500 |", "| b | 0.450 (reversed) |",
                          "| c | 0.200 (reversed) |", "| d | 0.300 |"]
    t["kendall_tau"] = [0.5, 0.45, -0.2, 0.3]
    lines = summary_table({"ptb": t}, None, {"a": "A"}, None, intended).splitlines()
    assert lines[-1] == "- ptb: highest \\|tau\\| A (reversed) (0.500; no interval)."


def test_tau_bars_hatch_the_bars_that_rank_against_the_definition():
    from matplotlib.container import BarContainer

    from nasmetrics import plots
    from nasmetrics.compare import abs_tau_table

    def corr(taus):
        return pd.DataFrame({"metric": ["a", "b"], "n": 40, "kendall_tau": taus,
                             "kendall_tau_low": [t - 0.1 for t in taus],
                             "kendall_tau_high": [t + 0.1 for t in taus]})

    # against a loss both metrics (higher is better) should have tau < 0: "b" does not in
    # source s1, "a" does not in s2; the published source is never hatched (no signed tau)
    rng = np.random.default_rng(0)
    published = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30),
                              "test_loss": rng.normal(size=30)})
    table = abs_tau_table({"s1": corr([-0.3, 0.2]), "s2": corr([0.25, -0.1])}, published,
                          ["a", "b"], "test_loss", "published")
    assert table["tau"].tolist()[:4] == [-0.3, 0.2, 0.25, -0.1]
    assert table["tau"].iloc[4:].isna().all()
    fig = plots.tau_bars(table, ["a", "b"], "t", intended_sign={"a": -1, "b": -1})
    ax = fig.axes[0]
    bar_sets = [c for c in ax.containers if isinstance(c, BarContainer)]  # not the whiskers
    hatched = [[bool(bar.get_hatch()) for bar in bars] for bars in bar_sets]
    assert hatched == [[False, True], [True, False], [False, False]]
    assert ax.get_legend().get_texts()[-1].get_text().startswith("hatched")
    fig = plots.tau_bars(table, ["a", "b"], "t")
    assert not any(bar.get_hatch() for bars in fig.axes[0].containers
                   if isinstance(bars, BarContainer) for bar in bars)
