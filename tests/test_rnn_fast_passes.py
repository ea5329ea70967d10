"""The fast RNN passes against the straightforward ones (tests/rnn_reference.py) on real
NAS-Bench-NLP recipes at the benchmark's model sizes, both corpora: every paper metric in both
modes agrees to 1e-6 relative.

In float64, so what is compared is the arithmetic, not the rounding: in float32 (as scored)
any two summation orders of the same products, the starting code's fused passes against these
straightforward ones included, move the Jacobian log-determinant metrics by up to 2e-5
relative (measured on these recipes); the other metrics agree to 1e-7."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rnn_reference import reference_capture, reference_proxies

from nasmetrics.corpus import corpus_batches, input_batch
from nasmetrics.rnn import benchmark as bm
from nasmetrics.rnn import passes
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.model import ModelShape, build_model
from nasmetrics.rnn.passes import in_mode, run_passes
from nasmetrics.rnn.proxy_passes import run_proxy_passes
from nasmetrics.rnn.recipe import OPS, parse_recipe
from nasmetrics.rnn.score import VOCAB_SIZES

# a shorter sequence and batch than the paper's 70 x 50 keep the straightforward passes quick;
# the model sizes (emsize 400, nhid 600, 3 layers, the corpus vocabulary) are the benchmark's
STEPS, BATCH = 8, 12
CORPUS_DIRS = {"ptb": "ptb", "wikitext2": "wikitext-2"}


@pytest.fixture(scope="module")
def recipes(mirror) -> list[str]:
    """Recipes that between them use every op: the lowest arch ids that add an op."""
    archs = bm.combine_runs(bm.log_records(bm.iter_log_files(
        mirror / "nas-bench-nlp" / "train_logs_wikitext-2.zip")))
    archs = archs[archs["status"] == "ok"].sort_values("arch_id")
    parsed = [parse_recipe(r) for r in archs["recipe"]]
    chosen, seen = [], set()
    for i, recipe in enumerate(parsed):
        ops = {n.op for n in recipe.nodes}
        if not ops <= seen:
            chosen.append(i)
            seen |= ops
        if seen == set(OPS):
            break
    assert seen == set(OPS)
    return [archs["recipe"].iloc[i] for i in chosen]


def corpus_ids(mirror, corpus: str, rows: int = STEPS) -> torch.Tensor:
    folder = mirror / "corpora" / CORPUS_DIRS[corpus]
    lines = [(folder / f"{split}.txt").read_text().splitlines() for split in ("valid", "test")]
    data, _ = corpus_batches(*lines)
    return torch.as_tensor(input_batch(data)[:rows, :BATCH])


@pytest.mark.slow
@pytest.mark.parametrize(("corpus", "large_above"), [("ptb", None), ("wikitext2", 0)])
def test_fast_passes_equal_straightforward(mirror, recipes, corpus, large_above, monkeypatch):
    # on WikiText-2 every cell runs as a large one (the noised copies in two forwards), on
    # PTB as its size has it (the 10- and 13-node recipes large, the others not)
    if large_above is not None:
        monkeypatch.setattr(passes, "LARGE_CELL_NODES", large_above)
    ids = corpus_ids(mirror, corpus)
    names = RNN_METRICS.names("paper")
    for recipe in recipes:
        parsed = parse_recipe(recipe)
        model = build_model(parsed, ModelShape(ntokens=VOCAB_SIZES[corpus])).double()
        noise = np.random.default_rng(0).normal(size=(STEPS, BATCH, model.shape.emsize))
        fast = run_passes(model, ids, noise=noise)
        # the noised passes froze the weights; the proxies' passes need them back
        assert all(p.requires_grad for p in model.parameters())
        slow = reference_capture(model, ids, noise)
        for mode in ("faithful", "corrected"):
            got = RNN_METRICS.compute(in_mode(fast, mode), names)
            want = RNN_METRICS.compute(in_mode(slow, mode), names)
            for name in names:
                np.testing.assert_allclose(
                    got[name], want[name], rtol=1e-6,
                    err_msg=f"{corpus} {mode} {name}: recipe {recipe[:80]}")


def test_large_cells_run_the_noised_copies_in_two_forwards(recipes):
    # more than 8 nodes per step: two copies side by side, then the third
    parsed = [parse_recipe(r) for r in recipes]
    assert {len(p.nodes): passes.noised_copies_side_by_side(p) for p in parsed} == {
        2: 3, 8: 3, 10: 2, 13: 2}
    assert [passes.is_large_cell(p) for p in parsed] == [len(p.nodes) > 8 for p in parsed]


@pytest.mark.slow
def test_fast_proxy_passes_equal_straightforward(mirror, recipes):
    """The proxies' passes (the cells run once per pass, the decoder's first and second
    derivatives written out and run in chunks of tokens) against plain autograd through the
    decoder and double backward, on recipes of every op kind. One corpus: the vocabulary
    only sets the decoder's size (WikiText-2's triples the time)."""
    corpus = "ptb"
    tokens = corpus_ids(mirror, corpus, rows=5)[:, :4]  # 4 steps x 4 columns: the
    ids, targets = tokens[:-1], tokens[1:]                # reference's double backward is slow
    for recipe in recipes:
        model = build_model(parse_recipe(recipe),
                            ModelShape(ntokens=VOCAB_SIZES[corpus])).double()
        # 3 tokens per decoder chunk: chunks end inside a step and inside a half
        fast = run_proxy_passes(model, ids, targets,
                                chunk_elements=3 * VOCAB_SIZES[corpus]).values
        slow = reference_proxies(model, ids, targets)
        for name, want in slow.items():
            # zico divides by the difference of the two halves' gradients, which for the
            # embedding rows of unseen words agree to 1e-6 relative or closer: even in float64
            # it moves with the summation order by up to 1e-7 relative
            np.testing.assert_allclose(fast[name], want, rtol=1e-6 if name == "zico" else 1e-9,
                                       err_msg=f"{corpus} {name}: recipe {recipe[:80]}")


def test_agreement_kernel_equals_both_products():
    # 0/1 codes with whole rows of zeros and of ones: the kernel counts agreeing features
    gen = torch.Generator().manual_seed(0)
    codes = (torch.rand(9, 4000, generator=gen) > 0.3).to(torch.float32)
    codes[0], codes[1] = 0, 1
    want = (codes.double() @ codes.double().T
            + (1 - codes.double()) @ (1 - codes.double()).T)
    got = passes.agreement_kernel(codes)
    assert got.dtype == torch.float64
    assert torch.equal(got, want)
    assert got[0, 1] == 0 and got[0, 0] == got[1, 1] == 4000


def test_decoder_saliency_over_the_selected_rows_equals_the_whole_weight():
    # the straightforward sum: the input gradient scattered onto the whole (vocab x emsize)
    # weight, zero rows included; ids repeat, so rows gather several gradients
    gen = torch.Generator().manual_seed(1)
    weight = torch.rand(1000, 16, generator=gen) - 0.5
    ids = torch.randint(0, 40, (7, 5), generator=gen)
    grad_emb = torch.randn(7, 5, 16, generator=gen)
    full = torch.zeros(1000, 16, dtype=torch.float64)
    full.index_add_(0, ids.reshape(-1), grad_emb.reshape(-1, 16).double())
    want = float((weight.double() * full).abs().sum())
    assert passes.decoder_saliency(weight, ids, grad_emb) == pytest.approx(want, rel=1e-14)
