"""NAS-Bench-NLP logs and the published tables: exact parameter counts, messy files, bad logs."""

import io
import json
import math
import zipfile

import pandas as pd
import pytest
import torch

from nasmetrics.rnn import benchmark as bm
from nasmetrics.rnn.model import ModelShape, RNNModel
from nasmetrics.rnn.recipe import parse_recipe
from nasmetrics.rnn.score import VOCAB_SIZES


@pytest.fixture(scope="module")
def tables(mirror):
    wt2 = bm.combine_runs(bm.log_records(bm.iter_log_files(
        mirror / "nas-bench-nlp" / "train_logs_wikitext-2.zip")))
    tfn = mirror / "training-free-nas"
    published = bm.read_published_results((tfn / "RNN_results.csv").read_text(encoding="utf-8"))
    params = bm.read_published_parameters((tfn / "RNN_parameters.csv").read_text(encoding="utf-8"))
    return wt2, published, params, bm.build_arch_table(wt2, published, params)


def count_params(recipe: str, ntokens: int) -> int:
    # Built on the meta device: the real module structure, no memory, no init cost.
    with torch.device("meta"):
        model = RNNModel(parse_recipe(recipe), ModelShape(ntokens=ntokens))
    return model.num_params()


def test_arch_table_shape(tables):
    _, published, _, archs = tables
    assert len(archs) == 344 and archs["arch_id"].is_unique
    assert int(archs["has_wt2"].sum()) == 344
    assert int(archs["has_ptb"].sum()) == 275
    assert len(published) == 8794
    assert archs["status"].value_counts().to_dict() == {"ok": 340, "nonfinite_loss": 4}
    dup = archs.set_index("arch_id").loc[1002429]
    assert dup["n_runs"] == 2
    assert dup["wt2_test_loss"] == pytest.approx((5.67550444792303 + 5.678950951944614) / 2)


def test_every_wikitext2_parameter_count_is_exact(tables):
    archs = tables[3]
    wrong = [(r.arch_id, count_params(r.recipe, VOCAB_SIZES["wikitext2"]), r.wt2_num_params)
             for r in archs.itertuples()]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert wrong == [], f"{len(wrong)} WikiText-2 counts differ, e.g. {wrong[:3]}"


def test_every_ptb_parameter_count_is_exact(tables):
    archs = tables[3]
    ptb = archs[archs["has_ptb"]]
    assert len(ptb) == 275 and ptb["ptb_num_params"].notna().all()
    wrong = [(r.arch_id, count_params(r.recipe, VOCAB_SIZES["ptb"]), r.ptb_num_params)
             for r in ptb.itertuples()]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert wrong == [], f"{len(wrong)} PTB counts differ, e.g. {wrong[:3]}"


def test_messy_parameter_file():
    text = (
        "log name,loss,perplexity,bits per word,trainable paramters,total paramters\n"
        "log_stats_model_7_2020-04-14_18-43-13_1.json,4.9,146.0,7.1,100,100\n"
        "logs.zip,nan,nan,nan,nan,nan\n"
        "log_stats_model_8_2020-04-14_18-43-13_2.json,4.8,123.2,6.9,200,200"
        "log name,loss,perplexity,trainable paramters,total paramters\n"
        "log_stats_model_7_2020-04-14_18-43-13_1.json,nan,nan,nan,nan,nan\n"
    )
    df = bm.read_published_parameters(text)
    assert df.to_dict("list") == {"arch_id": [7, 8], "ptb_loss": [4.9, 4.8],
                                  "ptb_num_params": [100, 200]}


def _zip(logs: dict[str, object]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in logs.items():
            zf.writestr(name, content if isinstance(content, str) else json.dumps(content))
    buf.seek(0)
    return buf


GOOD = {"h_new_0": {"op": "activation_tanh", "input": ["n"]},
        "n": {"op": "linear", "input": ["x", "h_prev_0"]}}


def _log(recipe, rid, loss=5.0, status="OK"):
    return {"recepie": json.dumps(recipe), "recepie_id": rid, "num_params": 1,
            "test_losses": [6.0, loss], "status": status}


def test_bad_logs_become_status_rows():
    logs = {
        "log_stats_model_1_a.json": _log(GOOD, 1),
        "log_stats_model_2_a.json": _log({"h_new_0": {"op": "magic", "input": ["x"]}}, 2),
        "log_stats_model_3_a.json": _log(
            {"h_new_0": {"op": "linear", "input": ["m"]},
             "m": {"op": "linear", "input": ["h_new_0"]}}, 3),
        "log_stats_model_4_a.json": _log(GOOD, 4, loss=float("nan"), status="loss is nan!"),
        "log_stats_model_5_a.json": "{truncated",
    }
    rec = bm.log_records(bm.iter_log_files(_zip(logs))).set_index("arch_id")
    assert rec["status"].to_dict() == {1: "ok", 2: "invalid_recipe", 3: "invalid_recipe",
                                       4: "nonfinite_loss", 5: "bad_log"}
    assert "unknown op 'magic'" in rec.loc[2, "error"]
    assert "cycle" in rec.loc[3, "error"]
    assert "loss is nan!" in rec.loc[4, "error"]
    assert "log_stats_model_5_a.json" in rec.loc[5, "error"]
    assert math.isnan(rec.loc[4, "test_loss"])
    assert math.isnan(rec.loc[1, "train_seconds"])  # these logs carry no wall times


def test_training_seconds_are_the_logs_wall_times_summed(tables):
    logs = {"log_stats_model_1_a.json": {**_log(GOOD, 1), "wall_times": [100.5, 99.5, 50.0]},
            "log_stats_model_2_a.json": {**_log(GOOD, 2), "wall_times": ["x"]}}
    rec = bm.log_records(bm.iter_log_files(_zip(logs))).set_index("arch_id")
    assert rec.loc[1, "train_seconds"] == 250.0 and math.isnan(rec.loc[2, "train_seconds"])
    archs = tables[3].set_index("arch_id")
    # recipe 1000000's WikiText-2 log: 50 epochs of about 140 s each
    assert 6_500 < archs.loc[1000000, "wt2_train_seconds"] < 7_500
    assert archs["wt2_train_seconds"].notna().all()


def test_published_columns_snake_case(tables):
    published = tables[1]
    for col in ("arch_id", "test_loss", "hidden_cov_l1", "hidden_cov_l3", "jacobian_cos",
                "large_noise_jacobian", "hidden_synaptic_saliency"):
        assert col in published.columns
    assert published["arch_id"].notna().all()


def test_ptb_logs_folder_adds_architectures(tmp_path, tables):
    wt2, published, params, _ = tables
    folder = tmp_path / "ptb_logs"
    folder.mkdir()
    (folder / "log_stats_model_99_x.json").write_text(json.dumps(_log(GOOD, 99, loss=4.5)))
    own = int(wt2["arch_id"].iloc[0])
    (folder / f"log_stats_model_{own}_x.json").write_text(json.dumps(_log(GOOD, own, 4.2)))
    ptb = bm.combine_runs(bm.log_records(bm.iter_ptb_logs(str(folder))))
    archs = bm.build_arch_table(wt2, published, params, ptb).set_index("arch_id")
    assert int(archs["has_ptb"].sum()) == 2
    assert archs.loc[99, "ptb_test_loss"] == 4.5 and not archs.loc[99, "has_wt2"]
    assert archs.loc[own, "ptb_test_loss"] == 4.2
    with pytest.raises(FileNotFoundError, match="rnn.ptb_logs"):
        list(bm.iter_ptb_logs(str(tmp_path / "missing")))


def test_arch_table_dtypes(tables):
    archs = tables[3]
    assert archs["arch_id"].dtype == "int64"
    assert str(archs["wt2_num_params"].dtype) == "Int64"
    assert archs["wt2_test_loss"].dtype == "float64"
    assert pd.api.types.is_string_dtype(archs["recipe"])
