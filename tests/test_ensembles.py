"""Learned combinations: what each method chooses comes from its training set only, and the
held-out figures on constructed data where the answer is known."""

import numpy as np
import pandas as pd
import pytest

from nasmetrics.description import bert_description, rnn_description
from nasmetrics.ensembles import (
    ENSEMBLE_COLUMNS,
    METHODS,
    BestSingle,
    QuantileMap,
    RankSum,
    cross_validated,
    learning_curve,
    make,
)


def data(n=120, seed=0):
    """loss = -signal + noise; 'good' tracks the signal, 'flipped' is its negative, 'noise'
    is unrelated, 'holey' is good with a third missing."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    loss = -signal + 0.3 * rng.normal(size=n)
    holey = signal + 0.1 * rng.normal(size=n)
    holey[::3] = np.nan
    x = pd.DataFrame({"good": signal + 0.2 * rng.normal(size=n),
                      "flipped": -signal + 0.2 * rng.normal(size=n),
                      "noise": rng.normal(size=n), "holey": holey})
    return x, pd.Series(loss, name="test_loss")


def test_quantile_map_uses_training_values_only():
    q = QuantileMap().fit(np.array([[1.0], [2.0], [3.0], [4.0]]))
    out = q.transform(np.array([[0.0], [2.0], [2.5], [10.0], [np.nan]]))
    assert out[:, 0].tolist() == [0.0, 0.5, 0.5, 1.0, 0.5]


def test_best_single_and_rank_sum_choose_and_sign_on_training_data():
    x, loss = data()
    good = -loss.to_numpy()
    b = BestSingle().fit(x.to_numpy(), good)
    assert x.columns[b.j] in ("good", "flipped", "holey")
    r = RankSum().fit(x.to_numpy(), good)
    chosen = {x.columns[j]: r.signs[j] for j in r.order[:r.k]}
    assert "noise" not in chosen or r.k == 4
    if "flipped" in chosen:  # signed by its training tau: negatively
        assert chosen["flipped"] == -1.0
    assert chosen.get("good", 1.0) == 1.0


def test_cross_validated_contract_and_known_answer():
    x, loss = data()
    features = {"all": x, "noise only": x[["noise"]]}
    t = cross_validated(features, loss, target_higher=False)
    assert list(t.columns) == ["target", *ENSEMBLE_COLUMNS]
    assert len(t) == len(METHODS) * 2 and (t["n"] == 120).all()
    assert (t["target"] == "test_loss").all()
    good = t[t["features"] == "all"].set_index("method")
    noise = t[t["features"] == "noise only"].set_index("method")
    # oriented: a positive held-out tau means lower predicted loss is lower loss
    assert (good["kendall_tau"] > 0.6).all()
    assert (noise["kendall_tau"].abs() < 0.2).all()
    assert (t["search_n"] == 60).all()  # each held-out half has 60: N = min(100, 60)


def test_transfer_rows_judge_the_same_models_on_other_targets():
    x, loss = data()
    also = {"same": loss * 2.0, "reversed": -loss}
    t = cross_validated({"all": x}, loss, False, methods=("ridge",), also_judge=also)
    taus = t.set_index("target")["kendall_tau"]
    assert taus["same"] == pytest.approx(taus["test_loss"])  # a monotone copy of the target
    assert taus["reversed"] == pytest.approx(-taus["test_loss"])
    assert t.set_index("target").loc["same", "scheme"].endswith("fitted on test_loss")


def test_small_tables_are_empty_and_learning_curve_sizes():
    x, loss = data(n=12)
    assert cross_validated({"all": x}, loss, False).empty
    x, loss = data(n=80)
    curve = learning_curve({"all": x}, loss, False, methods=("ridge", "boosted_trees"),
                           sizes=(25, 50, 100), repeats=3)
    assert sorted(set(curve["n_train"])) == [25, 50]  # 100 does not fit in 80
    assert (curve["n_test"] == 80 - curve["n_train"]).all()
    assert (curve["kendall_tau"] > 0.4).all()  # trees included: 25 suffice for this signal


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown method 'lasso'"):
        make("lasso")


def test_description_features_by_hand():
    rnn = pd.DataFrame({"arch_id": [7], "recipe": [
        '{"a": {"op": "linear", "input": ["x", "h_prev_0"]},'
        ' "h_new_0": {"op": "activation_tanh", "input": ["a"]}}']})
    row = rnn_description(rnn).loc[7]
    assert row["n_linear"] == 1 and row["n_activation_tanh"] == 1 and row["n_nodes"] == 2
    assert row["n_linear_inputs"] == 2 and row["n_inputs_x"] == 1
    assert row["n_inputs_h_prev"] == 1 and row["hidden_tuple_size"] == 1
    bert = pd.DataFrame({"arch_id": [3], "hidden_size": [256], "n_layers": [2],
                         "type": [["SA", "DSC"]], "parameter": [["WMA", 9]],
                         "heads": [[4, 2]], "ff_dim": [[1024, 512]], "ff_layers": [[3, 1]]})
    row = bert_description(bert).loc[3]
    assert row["n_SA"] == 1 and row["n_SA_WMA"] == 1 and row["n_DSC_9"] == 1
    assert row["n_LT"] == 0 and row["sum_heads"] == 6 and row["mean_ff_dim"] == 768


def test_held_out_statement_says_what_the_metrics_add():
    from nasmetrics.report import held_out_statement

    def row(method, features, tau, sd=0.01):
        return {"target": "glue", "method": method, "features": features,
                "kendall_tau": tau, "kendall_tau_sd": sd}

    t = pd.DataFrame([row("best_single", "metrics", 0.60), row("ridge", "metrics", 0.70),
                      row("ridge", "description", 0.74), row("ridge", "metrics+description",
                                                             0.745)])
    line = held_out_statement("corrected", t, "glue", 7.04)
    assert "best single metric 0.600 ± 0.010" in line
    assert "best combination of the metrics (ridge) 0.700 ± 0.010" in line
    assert "add nothing the description does not already give" in line
    assert line.endswith("Scoring: 7.0 s per architecture (median).")
    line = held_out_statement("corrected", t, "glue", 7.04, 5.27)
    assert line.endswith("Scoring: 7.0 s per architecture (median), of which the proxies' "
                         "passes 5.3 s (median).")
    t.loc[3, "kendall_tau"] = 0.80
    assert "the metrics add +0.060" in held_out_statement("x", t, "glue")
    assert "too few architectures" in held_out_statement("x", t.iloc[:0], "glue")


def test_transfer_fits_on_one_target_and_judges_another():
    from nasmetrics.ensembles import transfer

    x, loss = data(n=100)
    # the destination's features are shifted and scaled (another vocabulary) and its loss is
    # a monotone copy; the 10 rows only the source holds are left out
    src = {"all": x}
    dst_x = (x * 3.0 + 50.0).iloc[:90]
    dst = {"all": dst_x}
    t = transfer(src, loss.rename("ptb"), dst, (loss.iloc[:90] * 1.5 + 2).rename("wt2"),
                 target_higher=False, methods=("ridge", "boosted_trees"))
    assert list(t.columns) == ["target", *ENSEMBLE_COLUMNS]
    assert (t["n"] == 90).all() and (t["target"] == "wt2").all()
    assert (t["kendall_tau"] > 0.6).all()
    assert t["scheme"].str.endswith("fitted on ptb").all()


def test_nested_evaluation_never_fits_on_a_held_out_fold(monkeypatch):
    import nasmetrics.ensembles as ens

    x, loss = data(n=60)
    seen = []

    class Spy:
        def fit(self, xs, ys):
            seen.append(("fit", set(np.round(-ys, 12))))
            return self

        def predict(self, xs):
            seen.append(("predict", len(xs)))
            return xs[:, 0]

    monkeypatch.setattr(ens, "make", lambda method, seed=0: Spy())
    ens.cross_validated({"all": x}, loss, False, methods=("spy",), splits=2, repeats=2)
    fits = [s for kind, s in seen if kind == "fit"]
    predicted = [k for kind, k in seen if kind == "predict"]
    everyone = set(np.round(loss.to_numpy(), 12))
    assert len(fits) == 4 and predicted == [30, 30, 30, 30]
    for fit_labels in fits:  # each fit saw one half's labels; the other half was judged
        assert len(fit_labels) == 30 and fit_labels < everyone


def test_planted_label_leak_is_not_used():
    # 'leak' equals the target on the architectures that will be judged and is noise on the
    # ones the method trains on: a method that chose features by looking at the judged labels
    # would pick it and score tau 1; an honest one finds it useless on its training set.
    from nasmetrics.ensembles import learning_curve

    x, loss = data(n=120)
    size, seed = 50, 0
    train = np.random.default_rng(seed + size).choice(120, size=size, replace=False)
    leak = -loss.to_numpy().copy()  # oriented: higher is better, as "good"
    leak[train] = np.random.default_rng(1).normal(size=size)
    x = x.assign(leak=leak)
    curve = learning_curve({"all": x}, loss, False, methods=("best_single", "rank_sum"),
                           sizes=(size,), repeats=1, seed=seed)
    assert (curve["kendall_tau"] < 0.9).all()
    # with the leak on the training rows too it is the best feature, and it is used
    x.loc[x.index[train], "leak"] = -loss.to_numpy()[train]
    curve = learning_curve({"all": x}, loss, False, methods=("best_single",),
                           sizes=(size,), repeats=1, seed=seed)
    assert curve["kendall_tau"].iloc[0] > 0.95


def test_tables_are_identical_across_runs():
    x, loss = data(n=80)
    a = cross_validated({"all": x}, loss, False)
    b = cross_validated({"all": x}, loss, False)
    pd.testing.assert_frame_equal(a, b)
