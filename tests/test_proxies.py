"""The zero-cost proxies: reductions on hand-checkable cases, and the RNN proxy passes against
straightforward autograd on the whole batch."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from rnn_reference import lm_loss

from nasmetrics import proxies
from nasmetrics.bert.metrics import BERT_METRICS
from nasmetrics.corpus import input_batch, target_batch
from nasmetrics.rnn.metrics import RNN_METRICS
from nasmetrics.rnn.model import build_model
from nasmetrics.rnn.passes import in_mode, run_passes
from nasmetrics.rnn.proxy_passes import flops, proxy_weights, run_proxy_passes
from nasmetrics.rnn.recipe import parse_recipe
from nasmetrics.rnn.score import score_table
from tests.test_rnn_model import RECIPE, SHAPE

W = torch.tensor([[1.0, -2.0, 0.5], [3.0, 4.0, -1.0]])
X = torch.tensor([2.0, -1.0, 3.0])


def one_linear_grad():
    """L = sum(W x): dL/dW = 1 x^T, every row is x."""
    w = W.clone().requires_grad_(True)
    (g,) = torch.autograd.grad((w @ X).sum(), [w])
    return g


def test_gradient_proxies_of_one_linear_by_hand():
    g = one_linear_grad()
    assert torch.equal(g, torch.stack([X, X]))
    # W * g = [[2, 2, 1.5], [6, -4, -3]]
    assert proxies.plain([W], [g]) == pytest.approx(2 + 2 + 1.5 + 6 - 4 - 3)
    assert proxies.snip([W], [g]) == pytest.approx(2 + 2 + 1.5 + 6 + 4 + 3)
    assert proxies.grad_norm([g]) == pytest.approx(math.sqrt(2 * (4 + 1 + 9)))
    assert proxies.l2_norm([W]) == pytest.approx(math.sqrt(1 + 4 + 0.25 + 9 + 16 + 1))
    # a weight no loss reaches (gradient None) adds nothing
    assert proxies.snip([W, W], [g, None]) == proxies.snip([W], [g])


def test_synflow_of_one_linear_is_the_sum_of_abs_weights():
    # |W| applied to an all-ones input, R = sum of outputs: dR/dW = 1, so synflow = sum |W|
    w = W.abs().double().requires_grad_(True)
    (g,) = torch.autograd.grad((w @ torch.ones(3, dtype=torch.float64)).sum(), [w])
    assert proxies.synflow([w], [g]) == pytest.approx(float(W.abs().sum()))


def test_zico_on_constructed_gradients():
    # weight 1: batches [1, 2, 3] and [3, 2, 1]: std (population) [1, 0, 1], mean |g| [2, 2, 2]
    # -> the zero-std entry is left out, sum 2/1 + 2/1 = 4; weight 2 is all zero: no term
    a = [torch.tensor([1.0, 2.0, 3.0]), torch.zeros(2)]
    b = [torch.tensor([3.0, 2.0, 1.0]), torch.zeros(2)]
    assert proxies.zico([a, b]) == pytest.approx(math.log(4.0))
    # signs do not matter to |g| but do to the deviation: [1, -1] has std 1, mean |g| 1
    assert proxies.zico([[torch.tensor([1.0])], [torch.tensor([-1.0])]]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="2\\+ batches"):
        proxies.zico([a])
    # three batches [1], [2], [3]: mean |g| 2, population std sqrt(2/3)
    three = [[torch.tensor([1.0])], [torch.tensor([2.0])], [torch.tensor([3.0])]]
    assert proxies.zico(three) == pytest.approx(math.log(2 / math.sqrt(2 / 3)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_zico_two_batch_ratio_equals_the_written_out_formula(dtype):
    # (|a| + |b|) / |a - b| per entry, the zero-deviation entries left out; the code forms
    # |a| + |b| as max(|a + b|, |a - b|), which must be the same number to the bit
    gen = torch.Generator().manual_seed(5)
    a = torch.randn(10_000, generator=gen, dtype=dtype)
    b = torch.randn(10_000, generator=gen, dtype=dtype) * torch.logspace(-8, 8, 10_000,
                                                                           dtype=dtype)
    b[:100] = a[:100]  # no deviation
    b[100:200] = -a[100:200]
    a[200:300] = 0
    dev = (a - b).abs()
    assert torch.equal(torch.maximum((a + b).abs(), dev), a.abs() + b.abs())
    a, b = a.double(), b.double()  # zico's sums are float64
    dev = (a - b).abs()
    expect = float(((a.abs() + b.abs()) / dev).masked_fill(dev == 0, 0).sum())
    assert proxies.zico([[a], [b]]) == math.log(expect)


def test_pass_values_zico_reads_each_half_as_its_own_mean_loss():
    # equal halves: each half's part of the batch mean is half its own mean loss, and zico
    # of the parts equals zico of the halves' own gradients (the ratio ignores one common
    # factor); unequal halves (3 and 1 terms) are scaled each by its own factor
    a = [torch.tensor([1.0, 2.0, -0.5])]
    b = [torch.tensor([3.0, 2.5, 0.25])]
    w = [torch.ones(3)]
    values = proxies.pass_values(w, [a, b], [torch.zeros(3)], [2, 2], [torch.ones(1, 1)], 4)
    assert values["zico"] == proxies.zico([[2 * a[0]], [2 * b[0]]])
    values = proxies.pass_values(w, [a, b], [torch.zeros(3)], [3, 1], [torch.ones(1, 1)], 4)
    assert values["zico"] == pytest.approx(proxies.zico([[a[0] * 4 / 3], [b[0] * 4]]),
                                           rel=1e-12)
    assert values["zico"] != pytest.approx(proxies.zico([a, b]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("terms", [[5, 5], [7, 3]])
@pytest.mark.parametrize("block", [None, 6])
def test_pass_sums_weight_by_weight_equal_the_whole_list_functions(dtype, terms, block,
                                                                   monkeypatch):
    # the running sums must give the list functions' values to the bit: same operations,
    # same order; float64 halves take zico's shortcut through the batch gradient; a weight
    # without gradient (None) counts in l2_norm only; entries equal in both halves have no
    # deviation (zico leaves them out). With blocks of 6 entries the 4 x 5 weight is read
    # row by row (sums of blocks, in both)
    if block is not None:
        monkeypatch.setattr(proxies, "BLOCK_ELEMENTS", block)
    gen = torch.Generator().manual_seed(3)
    weights = [torch.randn(4, 5, generator=gen), torch.randn(7, generator=gen),
               torch.randn(2, 3, generator=gen)]
    halves = [[torch.randn(w.shape, generator=gen, dtype=dtype) for w in weights]
              for _ in range(2)]
    halves[1][0][0] = halves[0][0][0]
    halves[0][2] = halves[1][2] = None
    hessian = [torch.randn(w.shape, generator=gen) for w in weights[:2]] + [None]
    acts = [torch.randn(3, 4, generator=gen)]
    total = proxies.batch_gradient(halves)
    scaled = [[g * (sum(terms) / n) for g in h[:2]] for h, n in zip(halves, terms, strict=True)]
    expect = {
        "grad_norm": proxies.grad_norm(total),
        "snip": proxies.snip(weights, total),
        "plain": proxies.plain(weights, total),
        "grasp": proxies.grasp(weights, hessian),
        "fisher": proxies.fisher(acts, 3),
        "zico": proxies.zico(scaled if terms[0] != terms[1] else halves),
        "l2_norm": proxies.l2_norm(weights),
    }
    sums = proxies.PassSums(terms)
    got_totals = [sums.add(w, [h[i] for h in halves]) for i, w in enumerate(weights)]
    for w, hg in zip(weights, hessian, strict=True):
        sums.add_hessian(w, hg)
    assert sums.values(acts, 3) == expect
    assert got_totals[2] is None
    assert all(torch.equal(a, b) for a, b in zip(got_totals[:2], total[:2], strict=True))
    # the deviation-free entry: its ratio would be inf, it adds nothing
    assert math.isfinite(expect["zico"])
    # a half without loss terms: no zico
    assert math.isnan(proxies.PassSums([4, 0]).values([], 1)["zico"])


@pytest.mark.parametrize("block", [None, 6])
@pytest.mark.parametrize("terms", [[5, 5], [7, 3]])
def test_add_rows_equals_add(block, terms, monkeypatch):
    # float64 halves handed over block by block (the RNN side's) give add's values and batch
    # gradient to the bit, each block of rows asked for once; halves of unequal loss terms
    # are asked for whole; a weight without gradient adds its l2_norm only
    if block is not None:
        monkeypatch.setattr(proxies, "BLOCK_ELEMENTS", block)
    gen = torch.Generator().manual_seed(5)
    weights = [torch.randn(4, 5, generator=gen), torch.randn(7, generator=gen),
               torch.randn(2, 3, generator=gen)]
    halves = [[torch.randn(w.shape, generator=gen, dtype=torch.float64) for w in weights]
              for _ in range(2)]
    halves[1][0][1] = halves[0][0][1]
    halves[0][2] = halves[1][2] = None
    by_add, by_rows = proxies.PassSums(terms), proxies.PassSums(terms)
    for i, w in enumerate(weights):
        expect = by_add.add(w, [h[i] for h in halves])
        asked = []

        def halves_of(rows, i=i, asked=asked):
            asked.append(rows)
            return None if halves[0][i] is None else [h[i][rows].clone() for h in halves]

        got = by_rows.add_rows(w, halves_of)
        if expect is None:
            assert got is None
        else:
            assert got.dtype == w.dtype and torch.equal(got, expect.to(w.dtype))
        blocks = proxies.row_blocks(w) if terms[0] == terms[1] else [slice(None)]
        assert asked == (blocks if expect is not None else blocks[:1])
    assert by_rows.values([], 1) == by_add.values([], 1)
    assert len(proxies.row_blocks(weights[0])) == (4 if block else 1)


def test_row_blocks_cut_rows_below_the_block_size(monkeypatch):
    monkeypatch.setattr(proxies, "BLOCK_ELEMENTS", 10)
    assert proxies.row_blocks(torch.zeros(7, 3)) == [slice(0, 3), slice(3, 6), slice(6, 9)]
    assert proxies.row_blocks(torch.zeros(2, 5)) == [slice(None)]
    # a row larger than a block is a block of its own
    assert proxies.row_blocks(torch.zeros(2, 11)) == [slice(0, 1), slice(1, 2)]
    assert proxies.row_blocks(torch.tensor(3.0)) == [slice(None)]


def test_fisher_on_constructed_sums():
    # 1/2 mean over 2 samples of the squares, summed over features and activations
    sums = [torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0], [1.0]])]
    assert proxies.fisher(sums, 2) == pytest.approx(0.5 * (1 + 4 + 9 + 16 + 1 + 1) / 2)


def test_meco_layer_least_eigenvalue():
    # two features with correlation 0.6: eigenvalues 1 -+ 0.6
    rows = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 4.0, 3.0]])
    assert proxies.meco_layer(rows) == pytest.approx(0.4)
    # a constant feature: zero row and column (as the reference), so an eigenvalue 0
    with_constant = np.vstack([rows, np.full(4, 5.0)])
    assert proxies.meco_layer(with_constant) == pytest.approx(0.0, abs=1e-12)


@pytest.fixture
def model():
    return build_model(parse_recipe(RECIPE), SHAPE, seed=0).double()


@pytest.fixture
def tokens():
    g = torch.Generator().manual_seed(5)
    return torch.randint(0, SHAPE.ntokens, (6, 5), generator=g)  # steps + 1 rows, 5 columns


def whole_batch_gradient(model, ids, targets):
    weights = [w for _, w in proxy_weights(model)]
    loss = lm_loss(model, ids, targets, ids.numel())
    return weights, torch.autograd.grad(loss, weights, allow_unused=True), loss


def test_rnn_gradient_proxies_equal_the_whole_batch_gradient(model, tokens):
    ids, targets = tokens[:-1], tokens[1:]
    # tiny chunks: halves of 3 and 2 columns cut into single columns
    cap = run_proxy_passes(model, ids, targets, chunk_elements=1)
    weights, grads, loss = whole_batch_gradient(model, ids, targets)
    expected = F.cross_entropy(model.decode(model.forward_from_embedding(model.embedding(ids))[0])
                               .reshape(-1, SHAPE.ntokens), targets.reshape(-1))
    # the mean next-token loss
    assert float(loss.detach()) == pytest.approx(float(expected.detach()))
    assert cap.values["grad_norm"] == pytest.approx(proxies.grad_norm(grads), rel=1e-10)
    assert cap.values["snip"] == pytest.approx(proxies.snip(weights, grads), rel=1e-10)
    assert cap.values["plain"] == pytest.approx(proxies.plain(weights, grads), rel=1e-10)
    assert cap.values["l2_norm"] == pytest.approx(proxies.l2_norm(weights), rel=1e-12)
    cells = sum(w.numel() for _, w in proxy_weights(model)[1:])
    assert cap.values["flops"] == cells + SHAPE.ntokens * SHAPE.emsize == flops(model)


def test_rnn_grasp_against_autograd_hvp(model, tokens):
    ids, targets = tokens[:-1], tokens[1:]
    cap = run_proxy_passes(model, ids, targets, chunk_elements=1)
    weights, grads, _ = whole_batch_gradient(model, ids, targets)
    params = tuple(w.detach() for w in weights)

    def loss_of(*ws):
        saved = [w.data for w in weights]
        try:
            for w, new in zip(weights, ws, strict=True):
                w.data = new
            return _functional_loss(model, weights, ws, ids, targets)
        finally:
            for w, old in zip(weights, saved, strict=True):
                w.data = old

    _, hg = torch.autograd.functional.hvp(loss_of, params, tuple(g.detach() for g in grads))
    assert cap.values["grasp"] == pytest.approx(-proxies.plain(params, hg), rel=1e-8)


def _functional_loss(model, weights, ws, ids, targets):
    # the loss as a function of the given weight tensors (swapped into the modules)
    originals = {}
    for w, new in zip(weights, ws, strict=True):
        for module in model.modules():
            for name, p in list(module.named_parameters(recurse=False)):
                if p is w:
                    originals[(module, name)] = p
                    module._parameters[name] = new
    try:
        return lm_loss(model, ids, targets, ids.numel())
    finally:
        for (module, name), p in originals.items():
            module._parameters[name] = p


def test_rnn_proxy_passes_time_each_pass(model, tokens):
    # the laps cover the whole call, pass by pass, in the order they run
    cap = run_proxy_passes(model, tokens[:-1], tokens[1:])
    assert list(cap.laps) == ["forward", "decoder_gradients", "first_backward",
                              "halves_difference", "halves_and_activation_sums",
                              "tangent_forward", "decoder_hessian", "tangent_backward", "sums",
                              "synflow"]
    assert all(v >= 0 for v in cap.laps.values())
    assert 0 <= cap.seconds - sum(cap.laps.values()) < 0.01


def test_rnn_zico_reads_the_two_halves(model, tokens):
    ids, targets = tokens[:-1], tokens[1:]
    cap = run_proxy_passes(model, ids, targets)
    per_half = []
    for cols in (slice(0, 3), slice(3, 5)):  # tensor_split of 5 columns: 3 and 2
        weights = [w for _, w in proxy_weights(model)]
        loss = lm_loss(model, ids[:, cols], targets[:, cols], ids[:, cols].numel())
        per_half.append(torch.autograd.grad(loss, weights, allow_unused=True))
    assert cap.values["zico"] == pytest.approx(proxies.zico(per_half), rel=1e-9)


def test_rnn_fisher_against_per_column_activation_gradients(model, tokens):
    ids, targets = tokens[:-1], tokens[1:]
    cap = run_proxy_passes(model, ids, targets)
    outs = {}
    loss = lm_loss(model, ids, targets, ids.numel(),
                   lambda layer, node, out: outs.setdefault((layer, node), []).append(out))
    keys = list(outs)
    flat = [a for k in keys for a in outs[k]]
    grads = torch.autograd.grad(loss, flat, allow_unused=True)
    total, i = 0.0, 0
    for k in keys:
        n = len(outs[k])
        terms = [a.detach() * g for a, g in zip(outs[k], grads[i:i + n], strict=True)
                 if g is not None]
        if terms:
            total += float((torch.stack(terms).sum(0) ** 2).sum())
        i += n
    assert cap.values["fisher"] == pytest.approx(0.5 * total / ids.shape[1], rel=1e-9)


def test_rnn_proxies_deterministic_and_finite(tokens):
    ids, targets = tokens[:-1], tokens[1:]
    runs = [run_proxy_passes(build_model(parse_recipe(RECIPE), SHAPE, seed=0), ids, targets)
            for _ in range(2)]
    assert runs[0].values == runs[1].values
    assert all(math.isfinite(v) for v in runs[0].values.values())
    assert runs[0].seconds > 0


def test_rnn_synflow_of_the_abs_network(model):
    # by definition: sum |W * dR/dW| of the float64 |W| copy on an all-ones input
    cap = run_proxy_passes(model, torch.zeros(4, 2, dtype=torch.long),
                           torch.zeros(4, 2, dtype=torch.long))
    net = build_model(parse_recipe(RECIPE), SHAPE, seed=0).double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    weights = [w for _, w in proxy_weights(net)]
    y, _ = net.forward_from_embedding(torch.ones(4, 1, SHAPE.emsize, dtype=torch.float64))
    grads = torch.autograd.grad(net.decode(y).sum(), weights, allow_unused=True)
    assert cap.values["synflow"] == pytest.approx(proxies.synflow(weights, grads), rel=1e-12)
    assert all(bool((w >= 0).all()) for w in weights)


def test_aliases_read_the_paper_metric(model, tokens):
    ids = tokens[:-1]
    cap = run_passes(model, ids)
    nwot = RNN_METRICS.get("nwot")
    assert nwot.alias_of == "activation_distance" and nwot.family == "proxy"
    for mode in ("faithful", "corrected"):
        c = in_mode(cap, mode)
        assert RNN_METRICS.get("nwot").fn(c) == RNN_METRICS.get("activation_distance").fn(
            in_mode(cap, "corrected"))
        assert RNN_METRICS.get("jacov").fn(c) == RNN_METRICS.get("jacobian_cov").fn(c)
    # the corrected activation distance is computed once per capture and shared with nwot
    assert ("logdet",) in cap.extra


def test_nwot_on_a_known_kernel():
    # codes [[1, 0], [0, 1]]: K = b b^T + (1-b)(1-b)^T = 2 I, log det = 2 ln 2
    from nasmetrics.scores import agreement_kernel, logdet

    assert logdet(agreement_kernel(np.eye(2))) == pytest.approx(2 * math.log(2))


def test_proxy_needs_its_passes(model, tokens):
    cap = run_passes(model, tokens[:-1])
    with pytest.raises(ValueError, match="proxy 'snip' needs the proxy passes"):
        RNN_METRICS.get("snip").fn(cap)


def test_target_batch_is_the_next_token():
    data = np.arange(30).reshape(10, 3)
    assert np.array_equal(target_batch(data, 0, 4), data[1:5])
    assert np.array_equal(target_batch(data, 1, 4), input_batch(data, 1, 4) + 3)
    with pytest.raises(ValueError, match="targets of batch 2 need rows 9..13"):
        target_batch(data, 2, 4)


def test_score_table_with_and_without_proxies():
    recipe = {"h_new_0": {"op": "linear", "input": ["x", "h_prev_0"]}}
    rows = pd.DataFrame({"arch_id": [1], "recipe": [recipe], "test_loss": [4.5],
                         "status": ["ok"], "error": [""]})
    data = np.random.default_rng(0).integers(0, 50, size=(5, 4))
    with_proxies = score_table(rows, data[:4], 50, ("faithful", "corrected"),
                               targets=data[1:5], log=lambda s: None)
    paper_only = score_table(rows, data[:4], 50, ("faithful",), log=lambda s: None)
    for table in with_proxies.values():
        assert list(table.columns) == ["arch_id", "test_loss", *RNN_METRICS.names(),
                                       "proxy_seconds", "status", "error", "seconds"]
        # (a cell with no activation has no activation-distance kernel: nonfinite_metric)
        assert table.at[0, "proxy_seconds"] > 0
        computed = [n for n in RNN_METRICS.names("proxy") if n != "nwot"]  # nwot: no codes
        assert np.isfinite(table.loc[0, computed].astype(float)).all()
        assert table.at[0, "nwot"] == -np.inf
    assert list(paper_only["faithful"].columns) == [
        "arch_id", "test_loss", *RNN_METRICS.names("paper"), "status", "error", "seconds"]
    # the proxies are the same in both modes (they do not depend on the mode)
    proxy_names = RNN_METRICS.names("proxy")
    assert with_proxies["faithful"][proxy_names].equals(with_proxies["corrected"][proxy_names])


def test_workflow_with_proxies(mirror, tmp_path):
    """rnn.proxies and bert.proxies put every proxy in the scores, correlations, summary and
    figures (the transformer side: corrected mode)."""
    from tests.conftest import copy_workflow, snakemake

    work = copy_workflow(tmp_path / "proxies")
    (work / "config" / "test.yaml").write_text(
        "rnn:\n  proxies: true\n  corpora: [ptb]\n  modes: [faithful]\n  limit: 4\n"
        "  shard_size: 2\n  batch_size: 6\n  bptt: 8\n  ablation:\n    enabled: false\n"
        "bert:\n  proxies: true\n  modes: [corrected]\n  limit: 3\n  n_texts: 4\n"
        "  seq_len: 24\n  ablation:\n    enabled: false\n")
    targets = ["results/rnn/summary.md", "results/figures/rnn/tau_bars.png",
               "results/figures/rnn/faithful/ptb/scatter_zico.png",
               "results/bert/corrected/correlations_by_task.csv",
               "results/figures/bert/corrected/scatter_meco.png",
               "results/figures/bert/tau_bars.png"]
    snakemake(work, *targets, mirror=mirror)
    bert = pd.read_parquet(work / "results/bert/corrected/scores.parquet")
    assert list(bert.columns) == ["arch_id", "glue", *BERT_METRICS.names(), "proxy_seconds",
                                  "status", "error", "seconds"]
    assert len(bert) == 3 and (bert["proxy_seconds"] > 0).all()
    bert_corr = pd.read_csv(work / "results/bert/corrected/correlations.csv")
    assert bert_corr["metric"].tolist() == BERT_METRICS.names()
    scores = pd.read_parquet(work / "results/rnn/faithful/ptb/scores.parquet")
    assert list(scores.columns) == ["arch_id", "test_loss", *RNN_METRICS.names(),
                                    "proxy_seconds", "status", "error", "seconds"]
    assert len(scores) == 4 and (scores["proxy_seconds"] > 0).all()
    assert (scores["proxy_seconds"] < scores["seconds"]).all()
    correlations = pd.read_csv(work / "results/rnn/faithful/ptb/correlations.csv")
    assert correlations["metric"].tolist() == RNN_METRICS.names()
    summary = (work / "results/rnn/summary.md").read_text()
    assert "| ZiCo |" in summary and "| GraSP |" in summary
    for target in targets[1:]:
        assert (work / target).stat().st_size > 0
