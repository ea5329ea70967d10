"""Ablations, the pre-training ablation, the search-space summary and the quirk audit."""

import json

import numpy as np
import pandas as pd
import pytest

from nasmetrics.bert.audit import hook_multipliers, quirk_audit
from nasmetrics.bert.benchmark import (
    TASKS,
    ablation_ids,
    arch_row,
    arch_table,
    read_published,
    search_space_long,
    search_space_summary,
)
from nasmetrics.bert.inputs import text_batches
from nasmetrics.bert.mlm import mlm_mask
from nasmetrics.bert.pretraining import checkpoint_agreement, checkpoint_table, metric_taus
from nasmetrics.bert.score import ablation_runs
from nasmetrics.bert.space import Architecture, Layer


def _entry(arch_id, glues):
    """A train-ablation entry whose tasks all equal the GLUE value of each step."""
    return {"id": arch_id, "scores": {
        str(step): {**dict.fromkeys(TASKS, g), "glue": g} for step, g in glues.items()}}


def test_checkpoint_table_flags_repeated_checkpoints():
    entries = [_entry(0, {0: 50.0, 50: 60.0, 100: 70.0, 500: 60.0, 1000: 70.0}),
               _entry(1, {0: 51.0, 50: 61.0, 100: 69.0, 500: 65.0, 1000: 72.0}),
               _entry(2, {0: 52.0, 50: 62.0, 100: 68.0, 500: 66.0, 1000: 73.0})]
    t = checkpoint_table(entries)
    assert len(t) == 15
    dup = t.dropna(subset=["duplicate_of"])
    assert dup[["arch_id", "step", "duplicate_of"]].values.tolist() == [[0, 500, 50],
                                                                         [0, 1000, 100]]
    bench = pd.Series({0: 75.0, 1: 74.0, 2: 73.0})
    agree = checkpoint_agreement(t, bench).set_index("step")
    assert agree.loc[1000, "n_duplicated"] == 1 and agree.loc[1000, "duplicate_of"] == "100"
    assert agree.loc[0, "n_duplicated"] == 0 and agree.loc[0, "duplicate_of"] == ""
    assert agree["last_clean_step"].iloc[0] == 100
    # step 0 rises with the id like the final GLUE; step 100 falls; the benchmark falls
    assert agree.loc[0, "kendall_tau_vs_final"] == pytest.approx(1.0)
    assert agree.loc[0, "kendall_tau_vs_last_clean"] == pytest.approx(-1.0)
    assert agree.loc[100, "kendall_tau_vs_last_clean"] == pytest.approx(1.0)
    assert agree.loc[1000, "kendall_tau_vs_benchmark"] == pytest.approx(-1.0)


def test_metric_taus_per_checkpoint():
    entries = [_entry(i, {0: float(i), 10: float(10 - i)}) for i in range(4)]
    t = checkpoint_table(entries)
    ours = pd.DataFrame({"arch_id": range(4), "glue": 0.0, "m": [1.0, 2.0, 3.0, 4.0]})
    taus = metric_taus(t, {"faithful": ours}, ["m", "absent"]).set_index("step")
    assert taus.loc[0, "kendall_tau"] == pytest.approx(1.0)
    assert taus.loc[10, "kendall_tau"] == pytest.approx(-1.0)
    assert taus["n"].tolist() == [4, 4] and not taus["duplicated"].any()


def test_published_pretraining_ablation_mixup(mirror):
    entries = json.loads(
        (mirror / "training-free-nas" / "BERT_benchmark_train_ablation.json").read_text())
    assert len(entries) == 20
    t = checkpoint_table(entries)
    # ids 10, 13, 14, 17 and 18 have no scores at all (two were still marked running)
    assert t["arch_id"].nunique() == 15 and t["step"].nunique() == 21
    assert sorted(set(range(20)) - set(t["arch_id"])) == [10, 13, 14, 17, 18]
    dup = t.dropna(subset=["duplicate_of"])
    assert sorted(dup.loc[dup["step"] == 500_000, "arch_id"]) == list(range(10))
    assert set(dup.loc[dup["step"] == 500_000, "duplicate_of"]) == {50_000}
    assert set(dup.loc[dup["step"] == 1_000_000, "duplicate_of"]) == {100_000}
    assert set(dup["step"]) == {500_000, 1_000_000}


def test_search_space_summary_matches_the_published_facts(mirror):
    archs = arch_table(json.loads(
        (mirror / "training-free-nas" / "BERT_benchmark.json").read_text()))
    s = search_space_summary(search_space_long(archs)).set_index(["factor", "level"])
    assert round(s.loc[("n_layers", "4"), "mean_glue"], 1) == 71.7
    assert round(s.loc[("n_layers", "2"), "mean_glue"], 1) == 65.8
    assert round(s.loc[("hidden_size", "256"), "mean_glue"], 1) == 70.4
    assert round(s.loc[("hidden_size", "128"), "mean_glue"], 1) == 67.4
    assert s.loc[("n_layers", "2"), "n"] + s.loc[("n_layers", "4"), "n"] == 500
    assert set(s.loc["operation_type"].index) == {"SA", "LT", "DSC"}


def test_text_batches_are_disjoint_and_batch0_is_the_main_input():
    lines = [f"text {i}" for i in range(7)]
    b = text_batches(lines, 3, 2, own_text=True)
    assert b == [["text 0", "text 1", "text 2"], ["text 3", "text 4", "text 5"]]
    assert text_batches(lines, 3, 1, own_text=True) == b[:1]
    with pytest.raises(ValueError, match="9 asked for"):
        text_batches(lines, 3, 3, own_text=True)


def test_ablation_ids_are_the_published_ones(mirror):
    tfn = mirror / "training-free-nas"
    batch = ablation_ids(read_published((tfn / "BERT_batch_ablation.csv").read_text()))
    seed = ablation_ids(read_published((tfn / "BERT_initialization_ablation.csv").read_text()))
    assert batch == seed and len(batch) == 10 and batch[0] == 285
    assert max(batch) < 500


def test_ablation_runs_seed_moves_only_dropout_in_faithful_mode():
    arch = Architecture(128, (Layer("SA", "SDP", 2, 512, 1),))
    row = {**arch_row(7, arch), "glue": 70.0}
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 5000, size=(2, 2, 8))
    mask = np.ones_like(ids)
    quiet = {"log": lambda _: None}
    seeds = ablation_runs(row, ids, mask, "seed", 2, "faithful", **quiet)
    assert seeds["replicate"].tolist() == [0, 1] and (seeds["status"] == "ok").all()
    # same initialisation (seed 0) in both: the parameter count and nothing else is fixed
    assert seeds["num_params"].nunique() == 1
    assert seeds["head_confidence"].nunique() == 2
    mlm = [mlm_mask(ids[b], mask[b], [101, 102, 0], 103, seed=b) for b in range(2)]
    mlm = (np.stack([m[0] for m in mlm]), np.stack([m[1] for m in mlm]))
    batches = ablation_runs(row, ids, mask, "batch", 2, "corrected", mlm=mlm, **quiet)
    assert batches["glue"].tolist() == [70.0, 70.0]
    assert batches["synaptic_saliency"].nunique() == 2
    # corrected mode has no dropout: the seed sets the initialisation
    init = ablation_runs(row, ids, mask, "seed", 2, "corrected", mlm=mlm, **quiet)
    assert init["synaptic_diversity"].nunique() == 2
    with pytest.raises(ValueError, match="3 input batches"):
        ablation_runs(row, ids, mask, "batch", 3, "faithful", **quiet)


def test_hook_multiplier_and_audit_rows():
    ours = pd.DataFrame({"arch_id": [0, 1, 2], "glue": [60.0, 70.0, 65.0],
                         "activation_distance": [20.0, 30.0, 40.0],
                         "activation_distance_normalized": [2.0, 3.0, 4.0],  # 10 GELUs each
                         "num_params": [5.0, 7.0, 6.0], "jacobian_cos": [0.1, 0.3, 0.2],
                         "jacobian_cov": [-3.0, -1.0, -2.0]})
    # published: true mean 1.5, counted 30, 34, 40 times over 10 GELUs
    published = pd.DataFrame({"arch_id": [0, 1, 2], "glue": [60.0, 70.0, 65.0],
                              "activation_distance": [1.5 * 10 * 30, 1.5 * 10 * 34,
                                                      1.5 * 10 * 40],
                              "activation_distance_normalized": [1.5, 1.5, 1.5],
                              "num_params": [5.0, 7.0, 6.0], "jacobian_cos": [0.1, 0.3, 0.2]})
    m = hook_multipliers(ours, published)
    assert m["multiplier"].tolist() == pytest.approx([30, 34, 40])
    assert m["n_gelu"].tolist() == [10, 10, 10]
    audit = quirk_audit(ours, None, published).set_index("quantity")
    assert audit.loc["share of architectures whose hook multiplier is an integer",
                     "faithful"] == 1.0
    restarts = audit.loc["restarts of the hook multiplier (it otherwise grows with the id)"]
    assert restarts["faithful"] == 0 and restarts["note"] == "grows from 30 (id 0) to 40 (id 2)"
    row = audit.loc["architectures whose num_params equals the published count"]
    assert row["faithful"] == 3 and np.isnan(row["corrected"]) and row["published"] == 3
    assert audit.loc["num_params kendall tau vs GLUE", "faithful"] == pytest.approx(1.0)
    jac = "published 'Jacobian Score Normalized' vs our jacobian_cos (Spearman)"
    assert audit.loc[jac, "faithful"] == pytest.approx(1.0)


def test_backward_of_ones_leaves_only_rounding_residue():
    from nasmetrics.bert.audit import gradient_signal

    arch = Architecture(128, (Layer("SA", "SDP", 2, 512, 1), Layer("LT", "DFT", 2, 512, 1)))
    ids = np.random.default_rng(0).integers(1000, 5000, size=(2, 16))
    for mode in ("faithful", "corrected"):
        s = gradient_signal(arch, ids, np.ones_like(ids), mode)
        # a LayerNorm maps a constant gradient to exactly zero: what is left is float noise
        assert s["normal"] > 1e-3 and s["ones"] < 1e-5 * s["normal"]


def test_hook_multiplier_restart_is_reported():
    ours = pd.DataFrame({"arch_id": [0, 1, 2], "glue": [60.0, 70.0, 65.0],
                         "activation_distance": [20.0, 30.0, 40.0],
                         "activation_distance_normalized": [2.0, 3.0, 4.0],
                         "num_params": [5.0, 7.0, 6.0], "jacobian_cos": [0.1, 0.3, 0.2],
                         "jacobian_cov": [-3.0, -1.0, -2.0]})
    # like the published file at id 365: a new session, the count starts again
    published = ours.assign(activation_distance=[1.5 * 10 * 30, 1.5 * 10 * 34, 1.5 * 10 * 4],
                            activation_distance_normalized=1.5)
    audit = quirk_audit(ours, None, published).set_index("quantity")
    row = audit.loc["restarts of the hook multiplier (it otherwise grows with the id)"]
    assert row["faithful"] == 1
    assert row["note"] == ("grows from 30 (id 0) to 34 (id 1); restarts at id 2 "
                           "(a new session: a fresh shared GELU module)")
