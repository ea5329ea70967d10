"""Scoring functions shared by the RNN and transformer sides."""

from __future__ import annotations

import numpy as np

COV_K = 1e-5  # the paper's regulariser on the eigenvalues


def correlation_spectrum(rows: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """(eigenvalues ascending, whether a row is constant) of the rows' Pearson correlation matrix,
    ``numpy.corrcoef`` semantics: ``rows`` is (n_variables, n_observations).

    A constant row (centring to exactly zero) has no defined correlation; its row and column
    of the matrix are zero (diagonal included), as the MeCo reference code sets the NaN
    entries of ``torch.corrcoef`` to 0. Eigenvalues None: a row is not finite.
    """
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] < 2:
        raise ValueError(f"a correlation matrix needs a 2-D array with 2+ rows, got {rows.shape}")
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    if not np.all(np.isfinite(norms)):
        return None, False
    constant = bool(np.any(norms == 0))
    if constant:
        norms = np.where(norms == 0, np.inf, norms)  # unit row 0: a zero row and column
    unit = centred / norms[:, None]
    corr = unit @ unit.T
    return np.linalg.eigvalsh(corr), constant


def correlation_eigenvalues(rows: np.ndarray, constant: str = "nan") -> np.ndarray | None:
    """The eigenvalues of :func:`correlation_spectrum`; with ``constant="nan"`` None when a
    row is constant (its correlation is undefined), with ``"zero"`` its row and column zero."""
    v, has_constant = correlation_spectrum(rows)
    return None if has_constant and constant == "nan" else v


def covariance_score(rows: np.ndarray, k: float = COV_K) -> float:
    """-sum(log(v + k) + 1/(v + k)) over the eigenvalues v of the rows' correlation matrix.

    ``rows`` is (n_vectors, n_observations), ``numpy.corrcoef`` semantics. A row that is
    constant makes the correlation matrix undefined: the score is then NaN (never an
    exception), so one degenerate architecture cannot stop a shard.
    """
    v = correlation_eigenvalues(rows)
    return covariance_from_eigenvalues(v, k)


def covariance_from_eigenvalues(v: np.ndarray | None, k: float = COV_K) -> float:
    """The covariance score of eigenvalues from :func:`correlation_eigenvalues` (None: NaN)."""
    if v is None:
        return float("nan")
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)))


def cosine_score(rows: np.ndarray) -> float:
    """1 - sum(|c|^(1/20)) / 2 / (n^2 - n), c = pairwise cosine similarity of the rows.

    The diagonal of c is set to exactly zero: the definition subtracts the identity, and a
    rounding residue of 1e-8 there would add 1e-8^(1/20) = 0.4 per row.
    """
    rows = np.asarray(rows, dtype=np.float64)
    n = rows.shape[0]
    if rows.ndim != 2 or n < 2:
        raise ValueError(f"cosine_score needs a 2-D array with 2+ rows, got {rows.shape}")
    norms = np.linalg.norm(rows, axis=1)
    if np.any(norms == 0) or not np.all(np.isfinite(norms)):
        return float("nan")
    unit = rows / norms[:, None]
    c = unit @ unit.T
    np.fill_diagonal(c, 0.0)
    return float(1.0 - np.sum(np.abs(c) ** (1.0 / 20.0)) / 2.0 / (n * n - n))


def logdet(kernel: np.ndarray) -> float:
    """log|det K| of a (batch x batch) agreement kernel: the NASWOT score, the RNN side's
    activation distance; -inf for a singular K."""
    sign, logdet = np.linalg.slogdet(np.asarray(kernel, dtype=np.float64))
    return float(logdet) if sign != 0 else float("-inf")


def agreement_kernel(codes: np.ndarray) -> np.ndarray:
    """K = b b^T + (1-b)(1-b)^T for binary codes b (batch x features): agreements per pair."""
    b = np.asarray(codes, dtype=np.float64)
    return b @ b.T + (1.0 - b) @ (1.0 - b).T
