"""NAS-Bench-BERT encoder: exact parameter counts, operations, DCT, broken architectures."""

import csv
import json

import numpy as np
import pytest
import scipy.fft
import torch

from nasmetrics.bert.model import ArchitectureError, Encoder, EncoderLayer, dct_ii
from nasmetrics.bert.space import Architecture, Layer, from_config


@pytest.fixture(scope="module")
def benchmark(mirror):
    tfn = mirror / "training-free-nas"
    bench = json.loads((tfn / "BERT_benchmark.json").read_text())
    with open(tfn / "BERT_results_activation.csv", encoding="utf-8") as fh:
        published = {int(r["ID"]): int(float(r["Number of Parameters"]))
                     for r in csv.DictReader(fh)}
    return [(b["id"], from_config(b["hparams"]["model_hparam_overrides"])) for b in bench], \
        published


def test_faithful_parameter_count_equals_published_for_all_500(benchmark):
    archs, published = benchmark
    wrong = []
    for arch_id, arch in archs:
        with torch.device("meta"):
            n = Encoder(arch, faithful=True).num_params()
        if n != published[arch_id]:
            wrong.append((arch_id, n, published[arch_id]))
    assert wrong == []


def lin(i, o, bias=True):
    return i * o + (o if bias else 0)


EMB = 30522 * 128 + 512 * 128 + 2 * 128 + 2 * 128


def test_corrected_counts_by_hand():
    # architecture 0 at its own sizes (hidden 256; ff 1024, 512, 512, 1024): 9,657,088
    arch0 = Architecture(256, (
        Layer("SA", "WMA", 4, 1024, 3), Layer("LT", "DCT", 2, 512, 3),
        Layer("SA", "SDP", 4, 512, 3), Layer("SA", "SDP", 4, 1024, 1)))
    with torch.device("meta"):
        assert Encoder(arch0, faithful=False).num_params() == 9_657_088
    # hidden 128, one DSC layer (kernel 9, 4 heads -> 2 conv heads, head width 32), ff 512 x 1
    h, ah, nh, k, ff = 128, 64, 2, 9, 512
    dsc = (3 * lin(h, ah) + h * k + h * ah + ah + lin(ah, nh * k) + lin(h, ah)
           + lin(h, h) + 2 * h)
    ffn = lin(h, ff) + lin(ff, h) + 2 * h
    arch = Architecture(h, (Layer("DSC", 9, 4, ff, 1),))
    with torch.device("meta"):
        assert Encoder(arch, faithful=False).num_params() == EMB + lin(128, h) + dsc + ffn


@pytest.mark.parametrize("layer", [
    Layer("SA", "SDP", 2, 512, 1), Layer("SA", "WMA", 4, 512, 3), Layer("LT", "DFT", 2, 512, 1),
    Layer("LT", "DCT", 4, 512, 1), Layer("DSC", 5, 2, 512, 1), Layer("DSC", 9, 4, 1024, 3)])
def test_operation_output_shapes(layer):
    torch.manual_seed(0)
    op = EncoderLayer(layer, hidden=128, ff=layer.feed_forward_dimension).eval()
    x = torch.randn(3, 11, 128)
    y = op(x, None)
    assert y.shape == (3, 11, 128) and torch.isfinite(y).all()


def test_dct_matches_scipy():
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    t = torch.as_tensor(x)
    ours = dct_ii(dct_ii(t, -2), -1).numpy()
    np.testing.assert_allclose(ours, scipy.fft.dctn(x, type=2, axes=(-2, -1)), rtol=1e-10,
                               atol=1e-10)
    np.testing.assert_allclose(dct_ii(t, 2).numpy(), scipy.fft.dct(x, type=2, axis=2),
                               atol=1e-10)


def test_dft_mixer_is_real_part_of_fft2():
    torch.manual_seed(0)
    op = EncoderLayer(Layer("LT", "DFT", 2, 512, 1), 8, 16).mixer
    x = torch.randn(1, 5, 8)
    y = op.dense(x).view(1, 5, 2, 4).transpose(1, 2)
    expected = torch.fft.fft2(y).real.transpose(1, 2).reshape(1, 5, 8)
    torch.testing.assert_close(op(x, None), expected)


@pytest.mark.parametrize(("layer", "message"), [
    (Layer("RNN", "LSTM", 2, 512, 1), "unknown operation RNN/LSTM"),
    (Layer("SA", "SDP", 3, 512, 1), "3 heads do not divide hidden size 128"),
    (Layer("DSC", 7, 2, 512, 1), "unknown operation DSC/7"),
])
def test_broken_architectures(layer, message):
    with pytest.raises(ArchitectureError, match=message):
        Encoder(Architecture(128, (layer,)), faithful=False)
