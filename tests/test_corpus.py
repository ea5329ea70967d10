import numpy as np
import pytest

from nasmetrics.corpus import batchify, build_dictionary, corpus_batches, input_batch, words


def test_words_and_dictionary_order():
    assert words(["a b", "c"]) == ["a", "b", "<eos>", "c", "<eos>"]
    vocab = build_dictionary([["b a"], ["a c"]])
    assert vocab == {"b": 0, "a": 1, "<eos>": 2, "c": 3}


def test_batchify_columns_are_contiguous_chunks():
    data = batchify(np.arange(11), 3)
    np.testing.assert_array_equal(data, [[0, 3, 6], [1, 4, 7], [2, 5, 8]])


def test_input_batches():
    data, n = corpus_batches(["x y"], ["x y z"] * 10, batch_size=2, bptt=3)
    assert n == 4 and data.shape == (20, 2)
    np.testing.assert_array_equal(input_batch(data, 1, 3), data[3:6])
    with pytest.raises(ValueError, match="batch 9 needs rows"):
        input_batch(data, 9, 3)


def test_paper_batch_shapes(mirror):
    for folder, limit in (("ptb", 10_000), ("wikitext-2", 33_278)):
        lines = [(mirror / "corpora" / folder / f"{s}.txt").read_text().splitlines()
                 for s in ("valid", "test")]
        data, n_words = corpus_batches(*lines)
        assert input_batch(data).shape == (70, 50)
        assert n_words <= limit and data.max() < limit
