"""The transformer side's MLM loss, its corrected-mode gradients and the zero-cost proxies."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from nasmetrics import proxies
from nasmetrics.bert import proxy_passes as bert_proxy_passes
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.bert.mlm import IGNORE, MLMHead, mlm_loss_sum, mlm_mask
from nasmetrics.bert.model import Encoder
from nasmetrics.bert.passes import agreement_matrix, run_passes
from nasmetrics.bert.proxy_passes import flops, proxy_weights, run_proxy_passes
from nasmetrics.bert.score import score_architecture
from nasmetrics.bert.space import Architecture, Layer
from nasmetrics.scores import agreement_kernel
from nasmetrics.seeding import seed_everything

CLS, SEP, PAD, MASK = 101, 102, 0, 103
# every operation kind: DSC, SA, LT
ARCH = Architecture(128, (Layer("DSC", 5, 4, 256, 1), Layer("SA", "SDP", 2, 256, 2),
                          Layer("LT", "DFT", 2, 256, 1)))


def batch(n_texts=4, seq_len=12, seed=0):
    """[CLS] words [SEP] then padding; text i has 6 + i words."""
    rng = np.random.default_rng(seed)
    ids = np.full((n_texts, seq_len), PAD, dtype=np.int64)
    mask = np.zeros((n_texts, seq_len), dtype=np.int64)
    for i in range(n_texts):
        n = min(6 + i, seq_len - 2)
        ids[i, : n + 2] = [CLS, *rng.integers(1000, 2000, n), SEP]
        mask[i, : n + 2] = 1
    return ids, mask


def test_mlm_mask_is_seeded_and_masks_only_real_tokens():
    ids, mask = batch()
    masked, labels = mlm_mask(ids, mask, [CLS, SEP, PAD], MASK, seed=0)
    again, labels_again = mlm_mask(ids, mask, [CLS, SEP, PAD], MASK, seed=0)
    assert np.array_equal(masked, again) and np.array_equal(labels, labels_again)
    chosen = labels != IGNORE
    eligible = (mask == 1) & ~np.isin(ids, [CLS, SEP, PAD])
    assert chosen.sum() == round(0.15 * eligible.sum())  # 15% of the 30 words: 4 or 5
    assert not (chosen & ~eligible).any()  # never special, never padding
    assert (masked[chosen] == MASK).all() and np.array_equal(labels[chosen], ids[chosen])
    assert np.array_equal(masked[~chosen], ids[~chosen])
    other = mlm_mask(ids, mask, [CLS, SEP, PAD], MASK, seed=1)[1]
    assert not np.array_equal(other, labels)
    with pytest.raises(ValueError, match="no maskable token"):
        mlm_mask(np.array([[CLS, SEP, PAD]]), np.array([[1, 1, 0]]), [CLS, SEP, PAD], MASK)


def corrected_scores(proxies_on=True):
    ids, mask = batch()
    # half the words masked: every text has a masked word, so every text has a gradient (a
    # text with none has a zero embedding gradient row, and jacov is then undefined)
    mlm = mlm_mask(ids, mask, [CLS, SEP, PAD], MASK, seed=0, rate=0.5)
    return score_architecture(ARCH, ids, mask, "corrected", mlm=mlm, proxies=proxies_on)


def test_corrected_gradient_metrics_are_finite_and_repeat():
    first, second = corrected_scores(), corrected_scores()
    first.pop("proxy_seconds"), second.pop("proxy_seconds")
    assert first == second
    assert list(first) == BERT_METRICS.names()
    assert all(math.isfinite(v) for v in first.values())
    # a real gradient: far above the rounding residue of the backward of ones
    assert first["synaptic_saliency"] > 1e-6
    paper_only = corrected_scores(False)
    assert list(paper_only) == BERT_METRICS.names("paper")
    assert {m: first[m] for m in paper_only} == paper_only  # proxies change no paper metric


def test_faithful_keeps_the_backward_of_ones():
    ids, mask = batch()
    values = score_architecture(ARCH, ids, mask, "faithful")
    seed_everything(0)
    model = Encoder(ARCH, faithful=True).train()
    expected = BERT_METRICS.compute(run_passes(model, torch.as_tensor(ids)),
                                    BERT_METRICS.names("paper"))
    assert values == expected
    with pytest.raises(ValueError, match="corrected mode only"):
        score_architecture(ARCH, ids, mask, "faithful", proxies=True)
    with pytest.raises(ValueError, match="needs the MLM input"):
        score_architecture(ARCH, ids, mask, "corrected")


def model_and_mlm():
    ids, mask = batch()
    masked, labels = mlm_mask(ids, mask, [CLS, SEP, PAD], MASK, seed=0, rate=0.5)
    seed_everything(0)
    model = Encoder(ARCH, faithful=False).eval()
    head = MLMHead(model.hidden_size)
    return model, head, torch.as_tensor(masked), torch.as_tensor(mask), torch.as_tensor(labels)


def test_gradient_proxies_equal_the_whole_batch_gradient():
    model, head, ids, mask, labels = model_and_mlm()
    cap = run_proxy_passes(model, head, ids, mask, labels)
    weights = proxy_weights(model)
    loss, n = mlm_loss_sum(model, head, model(ids, mask), labels)
    grads = torch.autograd.grad(loss / n, weights, allow_unused=True)
    assert cap.values["grad_norm"] == pytest.approx(proxies.grad_norm(grads), rel=1e-5)
    assert cap.values["snip"] == pytest.approx(proxies.snip(weights, grads), rel=1e-5)
    assert cap.values["plain"] == pytest.approx(proxies.plain(weights, grads), rel=1e-4)
    assert all(math.isfinite(v) for v in cap.values.values())
    # the weights counted: every linear and convolution of the encoder, not the MLM head
    n_linear = sum(isinstance(m, nn.Linear | nn.Conv1d) for m in model.modules())
    assert len(weights) == n_linear
    assert all(w is not head.project.weight for w in weights)


@pytest.mark.parametrize("chunk", [1, 4])
def test_grasp_in_chunks_of_texts_is_the_whole_batch_hessian_product(chunk, monkeypatch):
    # H g summed over chunks of 1 text (each half of 2 texts in two) or 4 (one per half) is
    # the whole batch's: the loss is a sum over texts, and so are its Hessian's products
    monkeypatch.setattr(bert_proxy_passes, "HESSIAN_CHUNK_TEXTS", chunk)
    model, head, ids, mask, labels = model_and_mlm()
    cap = run_proxy_passes(model, head, ids, mask, labels)
    weights = proxy_weights(model)
    loss, n = mlm_loss_sum(model, head, model(ids, mask), labels)
    grads = torch.autograd.grad(loss / n, weights, create_graph=True, allow_unused=True)
    pairs = [(g, g.detach()) for g in grads if g is not None]
    hg = torch.autograd.grad(sum((g * t).sum() for g, t in pairs), weights, allow_unused=True)
    assert cap.values["grasp"] == pytest.approx(proxies.grasp(weights, hg), rel=1e-5)
    assert cap.values["grasp"] != 0


def test_flops_of_attention_layers_by_hand():
    arch = Architecture(128, (Layer("SA", "SDP", 2, 256, 1), Layer("SA", "WMA", 4, 512, 2)))
    with torch.device("meta"):
        model = Encoder(arch, faithful=False)
    linears = (128 * 128  # embedding projection
               + 4 * 128 * 128 + 128 * 256 + 256 * 128  # SDP q, k, v, out; feed-forward
               + 5 * 128 * 128 + 128 * 512 + 512 * 512 + 512 * 128)  # WMA adds a square
    assert flops(model, 32) == linears + 2 * (2 * 32 * 128)


def test_proxy_reads_nwot_kernel_meco_and_jacov():
    model, head, ids, mask, labels = model_and_mlm()
    cap = run_passes(model, ids, mask, labels, head, proxy_reads=True)
    assert cap.agreement_kernel.shape == (4, 4)
    assert np.allclose(cap.agreement_kernel, cap.agreement_kernel.T)
    # the kernel's entries add up to the paper's activation-distance sum
    assert cap.agreement_kernel.sum() == pytest.approx(sum(cap.agreement_sums))
    assert len(cap.layer_meco) == len(ARCH.layers)
    assert cap.input_grad.shape == (4, 12 * 128) and np.abs(cap.input_grad).sum() > 0
    assert BERT_METRICS.get("nwot").fn(cap) == pytest.approx(
        np.linalg.slogdet(cap.agreement_kernel)[1])


def test_agreement_matrix_is_the_kernel_of_the_codes():
    out = torch.tensor([[[0.5, -1.0], [2.0, 0.0]], [[-0.1, 0.3], [1.0, 1.0]],
                        [[-1.0, -1.0], [-1.0, 2.0]]])
    b = (out > 0).reshape(3, -1).numpy()
    assert np.array_equal(agreement_matrix(out).numpy(), agreement_kernel(b))
