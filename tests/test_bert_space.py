import json

import pytest

from nasmetrics.bert.space import from_config, sample
from nasmetrics.bert.tokenizer import load_tokenizer


def test_sampler_reproduces_all_500_benchmark_architectures(mirror):
    tfn = mirror / "training-free-nas"
    space = json.loads((tfn / "search_space.json").read_text())
    bench = json.loads((tfn / "BERT_benchmark.json").read_text())
    assert [b["id"] for b in bench] == list(range(500))
    drawn = sample(space, 500, seed=0)
    published = [from_config(b["hparams"]["model_hparam_overrides"]) for b in bench]
    mismatches = [i for i, (a, b) in enumerate(zip(drawn, published, strict=True)) if a != b]
    assert mismatches == []
    assert drawn[0].to_config() == bench[0]["hparams"]["model_hparam_overrides"]
    # more samples continue the same stream
    assert sample(space, 501, seed=0)[:500] == drawn


def test_tokenizer_offline_vocab(mirror):
    tok = load_tokenizer(mirror / "tokenizers" / "bert-base-uncased" / "vocab.txt")
    assert len(tok) == 30_522
    assert tok("hello world")["input_ids"] == [101, 7592, 2088, 102]
    assert tok("Hello WORLD")["input_ids"] == [101, 7592, 2088, 102]


def test_tokenizer_size_check(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n")
    with pytest.raises(ValueError, match="6 entries, expected 30522"):
        load_tokenizer(vocab)
