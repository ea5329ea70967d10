import json

import numpy as np
import pytest

from nasmetrics.bert.benchmark import arch_table, read_published
from nasmetrics.bert.inputs import encode, plain_texts, wikitext_paragraphs
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.mlm import mlm_mask
from nasmetrics.bert.score import score_architecture
from nasmetrics.bert.space import Architecture, Layer
from nasmetrics.bert.tokenizer import load_tokenizer


def test_tables(mirror):
    tfn = mirror / "training-free-nas"
    archs = arch_table(json.loads((tfn / "BERT_benchmark.json").read_text()))
    assert len(archs) == 500 and archs["arch_id"].tolist() == list(range(500))
    row = archs.iloc[0]
    assert row["hidden_size"] == 256 and row["n_layers"] == 4
    assert list(row["type"]) == ["SA", "LT", "SA", "SA"]
    assert list(row["parameter"]) == ["WMA", "DCT", "SDP", "SDP"]
    assert row["glue"] == pytest.approx(74.73375)
    means = archs.groupby("n_layers")["glue"].mean()
    assert round(means[4], 1) == 71.7 and round(means[2], 1) == 65.8
    published = read_published((tfn / "BERT_results_activation.csv").read_text())
    assert len(published) == 500
    assert {"jacobian_cov", "jacobian_cos", "head_softmax_confidence_normalized"} <= set(
        published.columns)
    assert set(published.columns) - {"arch_id", "glue"} <= set(BERT_METRICS.names())


def test_wikitext_paragraphs_are_deterministic():
    lines = ["", " = Title = ", "short line", " " + "word " * 25, " = = Sub = = ",
             " " + "other " * 30]
    assert wikitext_paragraphs(lines, 2) == [("word " * 25).strip(), ("other " * 30).strip()]
    with pytest.raises(ValueError, match="only 2 paragraphs"):
        wikitext_paragraphs(lines, 3)
    assert plain_texts(["a", "", "b"], 2) == ["a", "b"]


def test_encode_and_score_both_modes(mirror):
    tok = load_tokenizer(mirror / "tokenizers" / "bert-base-uncased" / "vocab.txt")
    ids, mask = encode(tok, ["hello world", "a longer text about the world " * 3], 10)
    assert ids.shape == (2, 10) and ids[0, :4].tolist() == [101, 7592, 2088, 102]
    assert mask[0].tolist() == [1] * 4 + [0] * 6 and mask[1].sum() == 10
    arch = Architecture(128, (Layer("SA", "SDP", 2, 512, 1),))
    faithful = score_architecture(arch, ids, mask, "faithful")
    mlm = mlm_mask(ids, mask, tok.all_special_ids, tok.mask_token_id)
    assert (mlm[1] >= 0).sum() == round(0.15 * 10)  # 2 + 8 real words, no special token
    corrected = score_architecture(arch, ids, mask, "corrected", mlm=mlm)
    assert faithful["num_params"] != corrected["num_params"]
    assert all(np.isfinite(v) for v in faithful.values())
    assert all(np.isfinite(v) for v in corrected.values())
    assert faithful == score_architecture(arch, ids, mask, "faithful")


def test_broken_architecture_is_a_status_row_and_the_shard_finishes():
    import pandas as pd

    from nasmetrics.bert.benchmark import arch_row
    from nasmetrics.bert.score import score_table

    good = Architecture(128, (Layer("LT", "DFT", 2, 512, 1),))
    rows = pd.DataFrame([
        {**arch_row(0, Architecture(128, (Layer("SA", "SDP", 3, 512, 1),))), "glue": 60.0},
        {**arch_row(1, Architecture(128, (Layer("CNN", "x", 2, 512, 1),))), "glue": 61.0},
        {**arch_row(2, good), "glue": 62.0},
    ])
    ids = np.random.default_rng(0).integers(1000, 5000, size=(2, 8))
    mask = np.ones((2, 8), dtype=np.int64)
    mlm = mlm_mask(ids, mask, [], 103)
    t = score_table(rows, ids, mask, "corrected", log=lambda _: None, mlm=mlm).set_index(
        "arch_id")
    assert t["status"].tolist()[:2] == ["invalid_architecture", "invalid_architecture"]
    assert "3 heads do not divide hidden size 128" in t.loc[0, "error"]
    assert "unknown operation CNN/x" in t.loc[1, "error"]
    # the good one is scored, its gradient metrics from the MLM loss: every metric defined
    assert t.loc[2, "glue"] == 62.0
    assert t.loc[2, "num_params"] > 0
    assert t.loc[2, "status"] == "ok", t.loc[2, "error"]


def test_sampled_architectures_get_proxies_and_stay_out_of_correlations():
    import pandas as pd

    from nasmetrics.bert.benchmark import arch_row
    from nasmetrics.bert.score import score_table
    from nasmetrics.correlate import correlation_table

    archs = [Architecture(128, (Layer("SA", "SDP", 2, 512, 1),)),
             Architecture(128, (Layer("LT", "DFT", 2, 512, 1),)),
             Architecture(128, (Layer("SA", "SDP", 4, 1024, 1), Layer("LT", "DCT", 2, 512, 1))),
             Architecture(128, (Layer("SA", "WMA", 2, 512, 1),))]
    # three benchmark rows with GLUE and one sampled row (no GLUE, as bert.sample adds them)
    rows = pd.DataFrame([{**arch_row(i, a), "glue": 60.0 + i} for i, a in enumerate(archs[:3])]
                        + [arch_row(3, archs[3])])
    # with two texts zico (one text per half) and jacov are undefined; four suffice
    ids = np.random.default_rng(0).integers(1000, 5000, size=(4, 16))
    mask = np.ones((4, 16), dtype=np.int64)
    t = score_table(rows, ids, mask, "corrected", log=lambda _: None,
                    mlm=mlm_mask(ids, mask, [], 103), proxies=True)
    proxies = [m for m in BERT_METRICS.names() if BERT_METRICS.get(m).family == "proxy"]
    assert t["status"].tolist() == ["ok"] * 4
    assert np.isnan(t.loc[3, "glue"])
    assert np.isfinite(t.loc[3, proxies].to_numpy(float)).all()
    assert t.loc[3, "proxy_seconds"] > 0
    c = correlation_table(t, proxies, "glue", intervals=False)
    assert c["n"].tolist() == [3] * len(proxies)
