"""Analytic Hierarchy Process (Saaty): weights from a pairwise comparison matrix.

The weights are the principal right eigenvector of the matrix (``A·w =
λmax·w``, normalised to sum 1), found by power iteration in plain float64
(:func:`principal_eigen`, reproduced to the bit by the map's What-if panel). Consistency: ``CI = (λmax − n)/(n − 1)``,
``CR = CI / RI(n)`` with a random-index table chosen by name (Saaty 1980 by
default; the table used is recorded). A matrix with ``CR > 0.10`` is refused,
naming the CR and the judgement that deviates most from the weights, i.e. the
pair ``(i, j)`` maximising ``|ln(a_ij · w_j / w_i)|``.

Check values (methods-and-anchors §2.1, T6–T7): ``[[1,3,5],[1/3,1,3],[1/5,1/3,1]]``
gives w = (0.6370, 0.2583, 0.1047), CR = 0.0332.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo.errors import InputError

__all__ = [
    "RANDOM_INDEX",
    "AHPError",
    "AHPInconsistentError",
    "AHPResult",
    "ahp_weights",
    "check_matrix",
    "principal_eigen",
]

RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # n = 1 ... 15
    "saaty1980": (
        0.0,
        0.0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
        1.51,
        1.48,
        1.56,
        1.57,
        1.59,
    ),
    # the set seen in code corpora, consistent with Alonso & Lamata (2006) (unverified, ○)
    "alonso_lamata2006": (0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49),
}
"""Random consistency indices RI(n) by table name (methods-and-anchors §2.1)."""

RI_SOURCES: dict[str, str] = {
    "saaty1980": "Saaty (1980) The Analytic Hierarchy Process, RI for n = 1..15",
    "alonso_lamata2006": "Alonso & Lamata (2006) as reproduced in public code; unverified",
}


class AHPError(InputError):
    """A pairwise comparison matrix is malformed (not square, not reciprocal, ...)."""


class AHPInconsistentError(AHPError):
    """The matrix is too inconsistent (CR above the limit).

    Attributes
    ----------
    cr : float
        The consistency ratio.
    pair : tuple of int
        ``(i, j)`` of the most inconsistent judgement.
    """

    def __init__(self, message: str, cr: float, pair: tuple[int, int]) -> None:
        super().__init__(message)
        self.cr = cr
        self.pair = pair


@dataclass(frozen=True)
class AHPResult:
    """Weights and consistency of a pairwise matrix.

    Attributes
    ----------
    weights : numpy.ndarray
        Principal eigenvector normalised to sum 1.
    lambda_max, ci, cr, ri : float
        Principal eigenvalue, consistency index, consistency ratio and the
        random index used (CR is 0 when RI is 0, i.e. n ≤ 2).
    ri_table : str
        Name of the random-index table.
    worst_pair : tuple of int
        ``(i, j)`` (i < j) whose judgement deviates most from ``w_i / w_j``.
    worst_ratio : float
        ``a_ij / (w_i / w_j)`` for that pair (1 means perfectly consistent).
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    ri: float
    ri_table: str
    worst_pair: tuple[int, int]
    worst_ratio: float

    def as_dict(self, labels: Sequence[str] | None = None) -> dict[str, Any]:
        """JSON-serialisable record (for ``manifest.json``)."""
        n = len(self.weights)
        names = list(labels) if labels is not None else [str(i) for i in range(n)]
        i, j = self.worst_pair
        return {
            "method": "principal eigenvector",
            "weights": {names[k]: round(float(self.weights[k]), 6) for k in range(n)},
            "lambda_max": round(self.lambda_max, 6),
            "ci": round(self.ci, 6),
            "cr": round(self.cr, 6),
            "ri": self.ri,
            "ri_table": self.ri_table,
            "ri_source": RI_SOURCES.get(self.ri_table, ""),
            "most_inconsistent": [names[i], names[j]] if n > 1 else [],
            "most_inconsistent_ratio": round(self.worst_ratio, 6),
        }


def check_matrix(matrix: Any, *, tol: float = 0.01) -> np.ndarray:
    """Return *matrix* as a float array after checking it is a valid pairwise matrix.

    Checks: square, every entry positive and finite, ones on the diagonal,
    reciprocal (``a_ij · a_ji = 1`` within *tol*, so 0.333 for 1/3 passes).

    Raises
    ------
    AHPError
        One line naming the first offending entry and the fix.
    """
    if isinstance(matrix, list | tuple) and all(isinstance(r, list | tuple) for r in matrix):
        n = len(matrix)
        for i, row in enumerate(matrix):
            if len(row) != n:
                msg = (
                    f"pairwise matrix must be square: row {i + 1} has {len(row)} numbers, "
                    f"expected {n} (one per criterion)"
                )
                raise AHPError(msg)
    try:
        a = np.asarray(matrix, dtype="float64")
    except (TypeError, ValueError):
        msg = "pairwise matrix must be a list of rows of numbers, all rows the same length"
        raise AHPError(msg) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        msg = f"pairwise matrix must be square (n rows of n numbers), got shape {a.shape}"
        raise AHPError(msg)
    n = a.shape[0]
    if n == 0:
        msg = "pairwise matrix is empty; give one row per criterion"
        raise AHPError(msg)
    bad = np.argwhere(~np.isfinite(a) | (a <= 0))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        msg = f"pairwise matrix entry [{i + 1}][{j + 1}] = {a[i, j]} must be positive (Saaty scale 1/9 … 9)"
        raise AHPError(msg)
    for k in range(n):
        if abs(a[k, k] - 1.0) > 1e-9:
            msg = f"pairwise matrix diagonal [{k + 1}][{k + 1}] = {a[k, k]} must be 1"
            raise AHPError(msg)
    prod = a * a.T
    bad = np.argwhere(np.abs(prod - 1.0) > tol)
    if bad.size:
        i, j = (int(v) for v in bad[0])
        msg = (
            f"pairwise matrix is not reciprocal: [{i + 1}][{j + 1}] = {a[i, j]:g} but "
            f"[{j + 1}][{i + 1}] = {a[j, i]:g}; set [{j + 1}][{i + 1}] = 1/{a[i, j]:g}"
        )
        raise AHPError(msg)
    return a


def random_index(n: int, table: str = "saaty1980") -> float:
    """RI(n) from the named table.

    Raises
    ------
    AHPError
        Unknown table, or *n* beyond the table.
    """
    try:
        values = RANDOM_INDEX[table]
    except KeyError:
        msg = f"unknown random-index table {table!r}; use one of {', '.join(RANDOM_INDEX)}"
        raise AHPError(msg) from None
    if n > len(values):
        msg = f"random-index table {table!r} covers n ≤ {len(values)}, got {n} criteria; merge criteria or use saaty1980"
        raise AHPError(msg)
    return values[n - 1]


def ahp_weights(
    matrix: Any,
    *,
    ri_table: str = "saaty1980",
    max_cr: float | None = 0.10,
    labels: Sequence[str] | None = None,
) -> AHPResult:
    """Weights, λmax, CI and CR of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : array_like
        n × n pairwise judgements, ``a_ij`` = importance of i over j.
    ri_table : str
        Key of :data:`RANDOM_INDEX`.
    max_cr : float or None
        Refuse matrices with a larger CR (None accepts any).
    labels : sequence of str, optional
        Criterion names, used in the refusal message.

    Returns
    -------
    AHPResult

    Raises
    ------
    AHPError
        Malformed matrix.
    AHPInconsistentError
        ``CR > max_cr``; the message names the CR and the worst judgement.

    Examples
    --------
    >>> r = ahp_weights([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]])
    >>> [round(float(w), 4) for w in r.weights], round(r.cr, 4)
    ([0.637, 0.2583, 0.1047], 0.0332)
    """
    a = check_matrix(matrix)
    n = a.shape[0]
    ri = random_index(n, ri_table)
    if n == 1:
        w = np.ones(1)
        lam = 1.0
    else:
        w, lam = principal_eigen(a)
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ci = max(ci, 0.0) if abs(ci) < 1e-12 else ci
    cr = ci / ri if ri > 0 else 0.0
    if abs(cr) < 1e-12:
        cr = 0.0
    # most inconsistent judgement: largest |ln(a_ij w_j / w_i)|
    dev = np.abs(np.log(a * w[None, :] / w[:, None]))
    iu = np.triu_indices(n, 1)
    if n > 1:
        m = int(np.argmax(dev[iu]))
        i, j = int(iu[0][m]), int(iu[1][m])
        ratio = float(a[i, j] * w[j] / w[i])
    else:
        i, j, ratio = 0, 0, 1.0
    result = AHPResult(w, lam, ci, cr, ri, ri_table, (i, j), ratio)
    if max_cr is not None and cr > max_cr:
        names = list(labels) if labels is not None else [str(k + 1) for k in range(n)]
        implied = w[i] / w[j]
        msg = (
            f"pairwise matrix is inconsistent: CR = {cr:.4f} > {max_cr:g} "
            f"(λmax = {lam:.4f}, RI = {ri} from {ri_table}); the most inconsistent judgement is "
            f"{names[i]} vs {names[j]} = {_judgement(a[i, j])}, the other judgements imply about "
            f"{_judgement(implied)}; revise it"
        )
        raise AHPInconsistentError(msg, cr, (i, j))
    return result


POWER_ITERATIONS = 1000
"""Most power iterations of :func:`principal_eigen` (a positive matrix converges in far fewer)."""


def principal_eigen(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal eigenvector (summing to 1) and eigenvalue of a positive matrix, by power iteration.

    ``w ← A·w / Σ(A·w)`` from the uniform vector until no entry moves by more than
    1e-15 (at most :data:`POWER_ITERATIONS` times), then ``λmax = mean_i (A·w)_i / w_i``.
    Every sum runs left to right in float64 (no BLAS), so the What-if panel of the
    HTML map (``geo/assets/atlas/whatif.js``) gets the same weights and CR to the
    last bit. Perron–Frobenius: a positive matrix has one dominant real eigenvalue,
    to which the iteration converges.

    Examples
    --------
    >>> w, lam = principal_eigen(np.array([[1.0, 2.0], [0.5, 1.0]]))
    >>> [round(v, 6) for v in w.tolist()], round(lam, 6)
    ([0.666667, 0.333333], 2.0)
    """
    rows = np.asarray(a, dtype="float64").tolist()
    n = len(rows)
    w = [1 / n] * n
    for _ in range(POWER_ITERATIONS):
        y = []
        for i in range(n):
            t = 0.0
            for j in range(n):
                t += rows[i][j] * w[j]
            y.append(t)
        s = 0.0
        for v in y:
            s += v
        diff = 0.0
        for i in range(n):
            y[i] = y[i] / s
            diff = max(diff, abs(y[i] - w[i]))
        w = y
        if diff <= 1e-15:
            break
    lam = 0.0
    for i in range(n):
        u = 0.0
        for j in range(n):
            u += rows[i][j] * w[j]
        lam += u / w[i]
    return np.array(w, dtype="float64"), lam / n


def _judgement(v: float) -> str:
    """Format a Saaty judgement: 3 → "3", 0.333 → "1/3"."""
    if v >= 1 or v <= 0:
        return f"{v:.3g}"
    inv = 1 / v
    return f"1/{round(inv)}" if math.isclose(inv, round(inv), rel_tol=0.02) else f"1/{inv:.3g}"
