"""A shard with broken architectures still finishes, with a status row for each."""

import json
import math

import numpy as np
import pandas as pd

from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.score import score_table
from nasmetrics.shard import score_rows

SMALL = json.dumps({"n": {"op": "linear", "input": ["x", "h_prev_0"]},
                    "h_new_0": {"op": "activation_tanh", "input": ["n"]}})


def test_score_table_keeps_going_and_reports_each_problem():
    rows = pd.DataFrame([
        {"arch_id": 1, "recipe": json.dumps({"h_new_0": {"op": "magic", "input": ["x"]}}),
         "test_loss": 5.0, "status": "ok", "error": ""},
        {"arch_id": 2, "recipe": json.dumps({"h_new_0": {"op": "linear", "input": ["m"]},
                                             "m": {"op": "linear", "input": ["h_new_0"]}}),
         "test_loss": 5.0, "status": "ok", "error": ""},
        {"arch_id": 3, "recipe": SMALL, "test_loss": math.nan, "status": "nonfinite_loss",
         "error": "log says: loss is nan!"},
        {"arch_id": 4, "recipe": SMALL, "test_loss": 5.1, "status": "ok", "error": ""},
    ])
    ids = np.random.default_rng(0).integers(0, 100, size=(6, 3))
    lines = []
    tables = score_table(rows, ids, ntokens=100, modes=["faithful", "corrected"],
                         log=lines.append)
    table = tables["faithful"]
    t = table.set_index("arch_id")
    assert t["status"].to_dict() == {1: "invalid_recipe", 2: "invalid_recipe",
                                     3: "nonfinite_loss", 4: "ok"}
    assert "unknown op 'magic'" in t.loc[1, "error"]
    assert "cycle" in t.loc[2, "error"]
    assert "loss is nan!" in t.loc[3, "error"]
    assert t.loc[[1, 2], RNN_METRICS.names("paper")].isna().all().all()
    # the architecture with no loss is still scored: its metrics are valid, only unranked
    assert np.isfinite(t.loc[3, "hidden_cov_l1"]) and np.isfinite(t.loc[4, "num_params"])
    assert list(table.columns) == ["arch_id", "test_loss", *RNN_METRICS.names("paper"), "status",
                                   "error", "seconds"]
    assert any("[4/4] arch 4: faithful ok, corrected ok" in line for line in lines)
    corrected = tables["corrected"]
    pd.testing.assert_frame_equal(corrected[["arch_id", "status", "error", "seconds"]],
                                  table[["arch_id", "status", "error", "seconds"]])
    # the modes differ only in the two metrics the paper's code reduced differently
    same = [m for m in RNN_METRICS.names("paper")
            if m not in ("activation_distance", "hidden_synaptic_saliency")]
    pd.testing.assert_frame_equal(corrected[same], table[same])


def test_exception_in_metric_becomes_metric_error():
    def scorer(item):
        if item["arch_id"] == 2:
            raise RuntimeError("out of memory on arch 2")
        return {"faithful": {"m": 1.0}}

    table = score_rows([{"arch_id": 1}, {"arch_id": 2}, {"arch_id": 3}], scorer, ["m"],
                       ["faithful"], log=lambda _: None)["faithful"]
    assert table["status"].tolist() == ["ok", "metric_error", "ok"]
    assert table.loc[1, "error"] == "RuntimeError: out of memory on arch 2"
    assert math.isnan(table.loc[1, "m"])


def test_nonfinite_metric_is_named():
    tables = score_rows([{"arch_id": 1}],
                        lambda item: {"faithful": {"a": 1.0, "b": math.nan},
                                      "corrected": {"a": 1.0, "b": 2.0}},
                        ["a", "b"], ["faithful", "corrected"], log=lambda _: None)
    assert tables["corrected"].loc[0, "status"] == "ok"  # each mode gets its own status
    table = tables["faithful"]
    assert table.loc[0, "status"] == "nonfinite_metric"
    assert table.loc[0, "error"] == "undefined for this architecture: b"
