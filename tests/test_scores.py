import math

import numpy as np
import pytest

from nasmetrics.scores import agreement_kernel, cosine_score, covariance_score, logdet


def test_covariance_score_matches_direct_numpy():
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(6, 40))
    v = np.linalg.eigvals(np.corrcoef(rows)).real
    k = 1e-5
    expected = -np.sum(np.log(v + k) + 1 / (v + k))
    assert covariance_score(rows) == pytest.approx(expected, rel=1e-10)


def test_covariance_score_identity_correlation():
    # Orthogonal centred rows: C = I, every eigenvalue 1: score = -n (log(1+k) + 1/(1+k)).
    rows = np.array([[1.0, -1, 0, 0], [0, 0, 1, -1], [1, 1, -1, -1]])
    k = 1e-5
    assert covariance_score(rows) == pytest.approx(-3 * (math.log(1 + k) + 1 / (1 + k)))


def test_covariance_score_constant_row_is_nan_not_error():
    rows = np.array([[1.0, 2, 3], [5.0, 5, 5], [0, 1, 0]])
    assert math.isnan(covariance_score(rows))


def test_cosine_score_matches_direct_loops():
    rng = np.random.default_rng(2)
    rows = rng.normal(size=(5, 7))
    n = len(rows)
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i != j:
                c = rows[i] @ rows[j] / np.linalg.norm(rows[i]) / np.linalg.norm(rows[j])
                total += abs(c) ** (1 / 20)
    assert cosine_score(rows) == pytest.approx(1 - total / 2 / (n * n - n), rel=1e-12)


def test_cosine_score_parallel_rows_is_one_half():
    rows = np.array([[1.0, 2.0], [2.0, 4.0], [-3.0, -6.0]])
    assert cosine_score(rows) == pytest.approx(0.5)


def test_activation_distance_known_binary_pattern():
    codes = np.array([[1, 0], [0, 1], [1, 1]])
    kernel = agreement_kernel(codes)
    # agreements per pair of samples, counted by hand
    np.testing.assert_array_equal(kernel, [[2, 0, 1], [0, 2, 1], [1, 1, 2]])
    assert logdet(kernel) == pytest.approx(math.log(4))
    # the paper's doubled kernel adds batch * ln 2
    assert logdet(2 * kernel) == pytest.approx(math.log(4) + 3 * math.log(2))


def test_activation_distance_singular_kernel():
    codes = np.array([[1, 0], [1, 0]])
    assert logdet(agreement_kernel(codes)) == -math.inf
