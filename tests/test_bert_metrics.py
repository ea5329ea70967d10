"""Transformer metrics from one forward + one backward: term counts, hand-checkable pieces."""

import numpy as np
import pytest
import torch

from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.model import Encoder
from nasmetrics.bert.passes import agreement_sum, confidence, run_passes
from nasmetrics.bert.space import Architecture, Layer
from nasmetrics.scores import agreement_kernel
from nasmetrics.seeding import seed_everything

# Architecture 0 of the benchmark: its published sum / normalized ratios are 14 (diversity),
# 14 (saliency), 10 (GELUs), 11 (head importance), 11 (confidence), 4 (softmax).
ARCH0 = Architecture(256, (
    Layer("SA", "WMA", 4, 1024, 3), Layer("LT", "DCT", 2, 512, 3),
    Layer("SA", "SDP", 4, 512, 3), Layer("SA", "SDP", 4, 1024, 1)))


def test_agreement_sum_matches_kernel():
    out = torch.tensor([[0.5, -1.0, 2.0], [-0.1, -0.2, 0.3], [1.0, 1.0, 1.0], [0.0, -3.0, 0.0]])
    b = (out > 0).numpy()
    assert agreement_sum(out) == pytest.approx(agreement_kernel(b).sum())


def test_confidence_is_mean_of_max_over_sequence():
    out = torch.tensor([[[1.0, 5.0], [3.0, 2.0]]])  # (batch 1, sequence 2, features 2)
    assert confidence(out, 1) == pytest.approx((3.0 + 5.0) / 2)


def test_term_counts_match_the_published_normalisation():
    seed_everything(0)
    model = Encoder(ARCH0, faithful=True)
    ids = torch.randint(1000, 2000, (2, 12), generator=torch.Generator().manual_seed(0))
    v = BERT_METRICS.compute(run_passes(model, ids), BERT_METRICS.names("paper"))
    ratios = {m: v[m] / v[f"{m}_normalized"] for m in (
        "synaptic_diversity", "synaptic_saliency", "activation_distance", "head_importance",
        "head_confidence", "head_softmax_confidence")}
    assert ratios == pytest.approx({"synaptic_diversity": 14, "synaptic_saliency": 14,
                                    "activation_distance": 10, "head_importance": 11,
                                    "head_confidence": 11, "head_softmax_confidence": 4})
    assert v["num_params"] == 13_330_176
    assert all(np.isfinite(x) for x in v.values())


def test_dsc_counts_and_seeded_determinism():
    arch = Architecture(128, (Layer("DSC", 5, 4, 512, 1), Layer("SA", "SDP", 2, 512, 1)))
    ids = torch.randint(1000, 2000, (2, 12), generator=torch.Generator().manual_seed(0))
    runs = []
    for _ in range(2):
        seed_everything(0)
        runs.append(BERT_METRICS.compute(run_passes(Encoder(arch, faithful=False), ids),
                                         BERT_METRICS.names("paper")))
    assert runs[0] == runs[1]  # seed 0 fixes init and dropout
    v = runs[0]
    # DSC: q, k, v, conv kernel, conv out, output dense + SA: q, k, v, dense
    assert v["synaptic_diversity"] / v["synaptic_diversity_normalized"] == pytest.approx(10)
    # head importance: linears with >= hidden/2 outputs: DSC q, k, v, conv out (64 each) and
    # SA q, k, v (128); not the DSC kernel generator (2 heads x kernel 5 = 10 outputs)
    assert v["head_importance"] / v["head_importance_normalized"] == pytest.approx(7)


@pytest.mark.parametrize("frozen", [False, True])
def test_passes_leave_the_word_embeddings_trainable_flag_as_found(frozen):
    # The capture skips the word embeddings' gradient; a caller's own setting must survive it.
    arch = Architecture(128, (Layer("SA", "SDP", 2, 512, 1),))
    seed_everything(0)
    model = Encoder(arch, faithful=True)
    weight = model.embeddings.word_embeddings.weight
    weight.requires_grad_(not frozen)
    ids = torch.randint(1000, 2000, (2, 8), generator=torch.Generator().manual_seed(0))
    run_passes(model, ids)
    assert weight.requires_grad is (not frozen)
    assert weight.grad is None
