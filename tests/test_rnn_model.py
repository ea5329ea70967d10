"""The fused model and the shared passes against a plain reference written from the spec."""

import numpy as np
import pytest
import torch
from rnn_reference import reference_forward

from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.model import ModelShape, build_model
from nasmetrics.rnn.passes import NOISE_AMPLITUDES, in_mode, run_passes
from nasmetrics.rnn.recipe import parse_recipe
from nasmetrics.scores import agreement_kernel

# Every op, a linear fed by another linear, a node reading the same input twice, and a dead
# (unused) node.
RECIPE = {
    "a": {"op": "linear", "input": ["x", "h_prev_0", "h_prev_1"]},
    "b": {"op": "linear", "input": ["h_prev_0", "a"]},
    "a_act": {"op": "activation_sigm", "input": ["a"]},
    "b_act": {"op": "activation_leaky_relu", "input": ["b"]},
    "c": {"op": "linear", "input": ["x", "h_prev_1", "h_prev_1"]},
    "c_act": {"op": "activation_tanh", "input": ["c"]},
    "dead": {"op": "linear", "input": ["h_prev_0"]},
    "s": {"op": "elementwise_sum", "input": ["b_act", "c_act"]},
    "p": {"op": "elementwise_prod", "input": ["s", "a_act"]},
    "h_new_1": {"op": "blend", "input": ["a_act", "p", "h_prev_1"]},
    "h_new_0": {"op": "activation_tanh", "input": ["h_new_1"]},
}
SHAPE = ModelShape(ntokens=30, emsize=6, nhid=8, nlayers=3)
T, B = 5, 4


@pytest.fixture
def model():
    return build_model(parse_recipe(RECIPE), SHAPE, seed=0).double()


@pytest.fixture
def ids():
    return torch.randint(0, SHAPE.ntokens, (T, B), generator=torch.Generator().manual_seed(3))


def test_parameter_count_by_formula(model):
    # embedding + decoder bias + per layer: each linear node = weights per input + one bias
    expected = SHAPE.ntokens * 6 + SHAPE.ntokens
    for inp, hid in [(6, 8), (8, 8), (8, 6)]:
        expected += (hid * inp + 2 * hid * hid + hid)  # a
        expected += (2 * hid * hid + hid)  # b
        expected += (hid * inp + 2 * hid * hid + hid)  # c
        expected += (hid * hid + hid)  # dead
    assert model.num_params() == expected


def test_init_ranges(model):
    assert model.embedding.weight.abs().max() <= 0.1
    assert torch.all(model.decoder_bias == 0)
    for cell in model.cells:
        bound = 1 / np.sqrt(cell.hidden_size)
        assert all(p.abs().max() <= bound for p in cell.parameters())


def test_fused_forward_equals_reference(model, ids):
    emb = model.embedding(ids)
    y, states = model.forward_from_embedding(emb)
    y_ref, states_ref = reference_forward(model, emb)
    torch.testing.assert_close(y, y_ref)
    for layer, layer_ref in zip(states, states_ref, strict=True):
        torch.testing.assert_close(torch.stack(layer), torch.stack(layer_ref))


def test_shared_passes_equal_six_separate_passes(model, ids):
    torch.manual_seed(0)
    noise = np.random.default_rng(5).normal(size=(T, B, SHAPE.emsize))
    cap = run_passes(model, ids, noise=noise)

    emb = model.embedding(ids).detach()
    var = emb.var(dim=1, unbiased=False, keepdim=True)
    hidden_total = 0.0
    for amp in (0.0, *NOISE_AMPLITUDES):
        e = (emb + amp * var * torch.as_tensor(noise)).requires_grad_(True)
        y, states = reference_forward(model, e)
        hs = [h for layer in states for h in layer[1:]]
        g = torch.autograd.grad(y.sum(), [e, *hs], allow_unused=True)
        jac = g[0].permute(1, 0, 2).reshape(B, -1).numpy()
        np.testing.assert_allclose(cap.jacobians[amp], jac, rtol=1e-9, atol=1e-12)
        pairs = zip(hs, g[1:], strict=True)
        hidden_total += sum(float((h * gh).detach().abs().sum()) for h, gh in pairs
                            if gh is not None)

    acts = []
    model.zero_grad()
    emb_g = model.embedding(ids)
    y, states = reference_forward(model, emb_g, acts)
    hs = [h for layer in states for h in layer[1:]]
    for h in hs:
        h.retain_grad()
    (0.5 * (y**2).sum()).backward()
    sal = float((model.embedding.weight * model.embedding.weight.grad).detach().abs().sum())
    for cell in model.cells:
        for lin in cell.linears.values():
            for w in list(lin.weights)[1:]:
                sal += float((w * w.grad).detach().abs().sum())
    assert cap.decoder_saliency + cap.linear_saliency == pytest.approx(sal, rel=1e-10)
    hidden_sal = sum(float((h * h.grad).detach().abs().sum()) for h in hs if h.grad is not None)
    assert cap.hidden_saliency["saliency"] == pytest.approx(hidden_sal, rel=1e-10)
    assert sum(cap.hidden_saliency.values()) == pytest.approx(hidden_total + hidden_sal,
                                                              rel=1e-10)

    codes = torch.cat([a.reshape(B, -1) for a in acts], dim=1).numpy()
    np.testing.assert_allclose(cap.agreement_kernel, agreement_kernel(codes))
    for layer, rows in enumerate(cap.hidden_rows):
        ref = torch.stack(states[layer]).detach().reshape(T * B, -1).T.numpy()
        np.testing.assert_allclose(rows, ref, rtol=1e-12)


def test_faithful_and_corrected_differ_only_where_documented(model, ids):
    noise = np.random.default_rng(5).normal(size=(T, B, SHAPE.emsize))
    cap = run_passes(model, ids, noise=noise)
    faithful = RNN_METRICS.compute(in_mode(cap, "faithful"), RNN_METRICS.names("paper"))
    corrected = RNN_METRICS.compute(in_mode(cap, "corrected"), RNN_METRICS.names("paper"))
    differ = {m for m in faithful if faithful[m] != corrected[m]}
    assert differ == {"activation_distance", "hidden_synaptic_saliency"}
    assert faithful["activation_distance"] - corrected["activation_distance"] == pytest.approx(
        B * np.log(2))


def test_hidden_cov_is_nan_for_constant_unit(model, ids):
    noise = np.zeros((T, B, SHAPE.emsize))
    cap = run_passes(model, ids, noise=noise)
    cap.hidden_rows[1][3, :] = 0.25  # one unit of layer 2 constant over all columns
    values = RNN_METRICS.compute(cap, RNN_METRICS.names("paper"))
    assert np.isnan(values["hidden_cov_l2"])
    assert np.isfinite(values["hidden_cov_l1"])


def test_seed_makes_models_identical_and_different():
    r = parse_recipe(RECIPE)
    a = build_model(r, SHAPE, seed=0)
    b = build_model(r, SHAPE, seed=0)
    c = build_model(r, SHAPE, seed=1)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.embedding.weight, c.embedding.weight)


def _node_kinds(y: torch.Tensor) -> dict[str, int]:
    kinds: dict[str, int] = {}
    seen, todo = set(), [y.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        kinds[type(node).__name__] = kinds.get(type(node).__name__, 0) + 1
        todo.extend(next_fn for next_fn, _ in node.next_functions)
    return kinds


def test_weights_are_transposed_once_per_forward_not_once_per_step(model, ids):
    # A transpose node per step would make the proxies' double backward hold a weight-sized
    # gradient per step until the pass reaches it (docs/rnn.md, "Memory"): one per weight
    # matrix, whatever the number of steps.
    n_weights = sum(len(lin.weights) for cell in model.cells for lin in cell.linears.values())
    assert n_weights == 9 * SHAPE.nlayers
    for steps in (2, T):
        y, _ = model.forward_from_embedding(model.embedding(ids[:steps]))
        assert _node_kinds(y)["TBackward0"] == n_weights
