"""Multi-criteria aggregation: WLC, OWA, constraints, FAO classes, Monte Carlo stability.

Factors are fuzzy memberships in 0–1 (see :mod:`geo.models.fuzzy`); the
aggregation rules follow Eastman (IDRISI/TerrSet MCE), methods-and-anchors §2.3:

* **WLC** ``S = Σ_j w_j·x_j`` with Σw = 1, times Boolean constraints.
* **OWA** with criterion weights ``u_j`` and order weights ``v_r`` (rank 1 is
  the *lowest* factor of the cell, as TerrSet ranks):
  ``S = Σ_j u_j·v_r(j)·x_j / Σ_j u_j·v_r(j)``. Equal order weights give WLC.
* OWA character: ``ANDness = Σ_r (n − r)·v_r / (n − 1)``, ``ORness = 1 −
  ANDness``, ``TRADEOFF = 1 − sqrt(n·Σ_r (v_r − 1/n)² / (n − 1))``.
* FAO classes S1/S2/S3/N from editable breaks (default 0.75/0.50/0.25, a
  design choice, §2.4: FAO gives no numeric boundaries); constrained cells are N.
* Monte Carlo: the criterion weights (and optionally the control points of
  the memberships) are perturbed; each cell gets the probability of keeping
  its class. Deterministic for a given seed.

:func:`evaluate` runs all of it on the arrays it is given, cell by cell (the Monte Carlo
weights are drawn once from the seed, not per cell), so a window of the grid gets the
values of the whole grid: the land-suitability theme runs it over dask chunks
(:mod:`geo.themes.suitability.cells`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from geo.errors import InputError
from geo.models.fuzzy import Membership

__all__ = [
    "CLASS_CODES",
    "CLASS_LABELS",
    "DEFAULT_BREAKS",
    "QUANTUM",
    "Evaluation",
    "MCDAError",
    "MonteCarlo",
    "check_breaks",
    "check_weights",
    "classify",
    "evaluate",
    "normalised",
    "owa",
    "owa_measures",
    "quantise",
    "quantised_score",
    "wlc",
]

DEFAULT_BREAKS: tuple[float, float, float] = (0.25, 0.50, 0.75)
"""N < 0.25 ≤ S3 < 0.50 ≤ S2 < 0.75 ≤ S1 (design choice, methods-and-anchors §2.4)."""

CLASS_CODES: dict[str, int] = {"S1": 1, "S2": 2, "S3": 3, "N": 4}
"""Cell values of the class raster; 0 is "no data"."""

CLASS_LABELS: tuple[str, ...] = ("S1", "S2", "S3", "N")

QUANTUM = 1000
"""Steps of a quantised membership: each factor is stored as ``round(x·1000)``, 0 … 1000.

The build aggregates ``q / QUANTUM`` in float64, criterion by criterion in the recipe's
order (:func:`quantised_score`); the What-if panel of the HTML map does the same IEEE
arithmetic on the same integers, so both give the same classes cell for cell."""
NO_FACTOR = 65535
"""A quantised factor without data (uint16)."""


class MCDAError(InputError):
    """Weights, order weights or class breaks that cannot be used."""


# -- checks -------------------------------------------------------------------
def check_weights(weights: Any, *, tol: float = 1e-3, what: str = "weights") -> np.ndarray:
    """Return *weights* as floats after checking they are ≥ 0 and sum to 1 (within *tol*).

    Raises
    ------
    MCDAError
        Negative weights, or a sum other than 1 (the message gives the sum).
    """
    w = np.asarray(weights, dtype="float64").ravel()
    if w.size == 0:
        msg = f"{what}: no weights given"
        raise MCDAError(msg)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        msg = f"{what} must be finite and ≥ 0, got {w.tolist()}"
        raise MCDAError(msg)
    s = _sum(w)
    if abs(s - 1.0) > tol:
        msg = f"{what} sum to {s:.4g}, not 1; rescale them (divide each by {s:.4g})"
        raise MCDAError(msg)
    return normalised(w)


def _sum(values: Any) -> float:
    """Sum of *values* in float64, left to right (the order the browser's What-if panel uses)."""
    total = 0.0
    for v in np.asarray(values, dtype="float64").ravel().tolist():
        total += v
    return total


def normalised(weights: Any) -> np.ndarray:
    """*weights* divided by their sum, summed left to right in float64.

    The What-if panel of the HTML map normalises its sliders the same way, so a
    recipe it writes gives the build the same weights to the last bit.

    Examples
    --------
    >>> normalised([1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    """
    w = np.asarray(weights, dtype="float64").ravel()
    total = _sum(w)
    if not total > 0:
        msg = f"weights sum to {total:g}; give at least one positive weight"
        raise MCDAError(msg)
    return np.array([v / total for v in w.tolist()], dtype="float64")


def check_breaks(breaks: Sequence[float]) -> tuple[float, float, float]:
    """Check the S3/S2/S1 lower bounds: three numbers ascending strictly inside (0, 1].

    Raises
    ------
    MCDAError
        Wrong count, out of range or out of order.
    """
    b = [float(v) for v in breaks]
    if len(b) != 3:
        msg = f"class breaks need 3 values (lower bounds of S3, S2, S1), got {len(b)}"
        raise MCDAError(msg)
    if not all(0.0 < v <= 1.0 for v in b):
        msg = f"class breaks must lie in (0, 1], got {b}"
        raise MCDAError(msg)
    if not (b[0] < b[1] < b[2]):
        msg = f"class breaks must ascend (S3 < S2 < S1), got {b}; e.g. [0.25, 0.5, 0.75]"
        raise MCDAError(msg)
    return (b[0], b[1], b[2])


# -- aggregation ---------------------------------------------------------------
def wlc(
    factors: Sequence[np.ndarray] | np.ndarray,
    weights: Any,
    *,
    constraint: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted linear combination ``Σ w_j·x_j`` (× constraint), float32.

    Parameters
    ----------
    factors : sequence of arrays or array (k, ...)
        Standardised factors in 0–1, all the same shape. NaN propagates.
    weights : array_like (k,)
        Summing to 1.
    constraint : bool array, optional
        True where the land may be used; False cells get 0.

    Examples
    --------
    >>> wlc([np.array([1.0]), np.array([0.0])], [0.75, 0.25]).tolist()
    [0.75]
    """
    w = check_weights(weights)
    if len(factors) != w.size:
        msg = f"{len(factors)} factors but {w.size} weights; give one weight per factor"
        raise MCDAError(msg)
    out = np.multiply(factors[0], np.float32(w[0]), dtype="float32")
    tmp = np.empty_like(out)
    for f, wj in zip(factors[1:], w[1:], strict=True):
        np.multiply(f, np.float32(wj), out=tmp, dtype="float32", casting="unsafe")
        out += tmp
    if constraint is not None:
        out[~constraint & np.isfinite(out)] = 0.0
    return np.asarray(out)


def _order_weights(order_weights: Any, k: int) -> np.ndarray:
    v = check_weights(order_weights, what="order weights")
    if v.size != k:
        msg = f"{v.size} order weights for {k} factors; give one order weight per factor"
        raise MCDAError(msg)
    return v


def _rank_weights(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Order weight of each factor at each cell (rank 1 = lowest value), shape of *z*."""
    k = z.shape[0]
    zz = np.where(np.isnan(z), np.inf, z)
    order = np.argsort(zz, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(k).reshape((k,) + (1,) * (z.ndim - 1)), axis=0)
    out: np.ndarray = v.astype(z.dtype)[ranks]
    return out


def owa(
    factors: Sequence[np.ndarray] | np.ndarray,
    weights: Any,
    order_weights: Any,
    *,
    constraint: np.ndarray | None = None,
) -> np.ndarray:
    """Ordered weighted average with criterion and order weights (TerrSet form), float32.

    ``S = Σ_j u_j·v_r(j)·x_j / Σ_j u_j·v_r(j)`` where ``r(j)`` is the rank of
    factor j at the cell, 1 for the lowest value.

    Parameters
    ----------
    factors : sequence of arrays or array (k, ...)
        Factors in 0–1.
    weights : array_like (k,)
        Criterion weights ``u``, summing to 1.
    order_weights : array_like (k,)
        ``v``, summing to 1; ``(1, 0, …)`` is AND (minimum), ``(…, 0, 1)`` OR
        (maximum), ``(1/k, …)`` WLC.
    constraint : bool array, optional
        True where the land may be used.

    Examples
    --------
    >>> f = [np.array([0.2]), np.array([0.8])]
    >>> round(float(owa(f, [0.5, 0.5], [1.0, 0.0])[0]), 6)  # AND: the minimum
    0.2
    >>> round(float(owa(f, [0.5, 0.5], [0.0, 1.0])[0]), 6)  # OR: the maximum
    0.8
    """
    u = check_weights(weights)
    z = np.asarray(np.stack([np.asarray(f, dtype="float32") for f in factors]))
    if z.shape[0] != u.size:
        msg = f"{z.shape[0]} factors but {u.size} weights; give one weight per factor"
        raise MCDAError(msg)
    v = _order_weights(order_weights, u.size)
    uv = _rank_weights(z, v) * u.astype("float32").reshape((-1,) + (1,) * (z.ndim - 1))
    num = (uv * z).sum(axis=0)
    den = uv.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0).astype("float32")
    out[np.isnan(z).any(axis=0)] = np.nan
    if constraint is not None:
        out[~constraint & np.isfinite(out)] = 0.0
    return out


def owa_measures(order_weights: Any) -> dict[str, float]:
    """ANDness, ORness and TRADEOFF of order weights (Eastman).

    Examples
    --------
    >>> m = owa_measures([0.5, 0.3, 0.125, 0.05, 0.025, 0.0])
    >>> round(m["andness"], 4), round(m["orness"], 4), round(m["tradeoff"], 4)
    (0.84, 0.16, 0.5199)
    """
    v = check_weights(order_weights, what="order weights")
    n = v.size
    if n == 1:
        return {"andness": 0.5, "orness": 0.5, "tradeoff": 1.0}
    r = np.arange(1, n + 1)
    andness = float(np.sum((n - r) * v) / (n - 1))
    tradeoff = float(1 - math.sqrt(n * float(np.sum((v - 1 / n) ** 2)) / (n - 1)))
    return {"andness": andness, "orness": 1 - andness, "tradeoff": tradeoff}


def classify(score: np.ndarray, breaks: Sequence[float] = DEFAULT_BREAKS) -> np.ndarray:
    """FAO classes as uint8 codes (:data:`CLASS_CODES`; 0 where *score* is NaN).

    Examples
    --------
    >>> classify(np.array([0.9, 0.6, 0.3, 0.1, np.nan])).tolist()
    [1, 2, 3, 4, 0]
    """
    b = check_breaks(breaks)
    s = np.asarray(score)
    level = _level(s, b)
    out = (4 - level).astype("uint8")
    out[np.isnan(s)] = 0
    return out


def _level(s: np.ndarray, b: tuple[float, float, float]) -> np.ndarray:
    """0 for N … 3 for S1 (NaN → 0)."""
    lv = (s >= b[0]).astype("int8")
    lv += s >= b[1]
    lv += s >= b[2]
    return lv


# -- quantised factors (the build and the browser's What-if compute alike) ----------
def quantise(factors: np.ndarray, quantum: int = QUANTUM) -> np.ndarray:
    """Factors in 0–1 as integers ``round(x·quantum)`` (uint16), :data:`NO_FACTOR` where NaN.

    Examples
    --------
    >>> quantise(np.array([0.0, 0.12345, 1.0, np.nan])).tolist()
    [0, 123, 1000, 65535]
    """
    if not 1 <= quantum < NO_FACTOR:
        msg = f"quantum must be in 1 … {NO_FACTOR - 1}, got {quantum}"
        raise MCDAError(msg)
    z = np.asarray(factors, dtype="float64")
    ok = np.isfinite(z)
    q = np.full(z.shape, NO_FACTOR, dtype="uint16")
    q[ok] = np.rint(np.clip(z[ok], 0.0, 1.0) * quantum).astype("uint16")
    return q


def quantised_score(
    q: np.ndarray,
    weights: Any,
    *,
    order_weights: Any = None,
    allowed: np.ndarray | None = None,
    quantum: int = QUANTUM,
) -> np.ndarray:
    """Score (float64) of quantised factors *q* ``(k, ...)``: WLC, or OWA with *order_weights*.

    Each factor is ``x_j = q_j / quantum``; the sums run over the criteria in
    their order, one IEEE float64 operation at a time (no BLAS, no fused
    multiply-add), so ``geo/assets/atlas/whatif.js`` reproduces them exactly:

    * WLC: ``S = ((w_1·x_1 + w_2·x_2) + …)``;
    * OWA: ``u_j·v_r(j)`` with ranks by ascending factor (ties by criterion order),
      ``S = Σ_j (u_j·v_r(j))·x_j / Σ_j u_j·v_r(j)`` (0 when the denominator is 0).

    NaN where any factor has no data; 0 where *allowed* is False.

    Examples
    --------
    >>> q = np.array([[900, 100], [700, 300]], dtype="uint16")
    >>> quantised_score(q, [0.5, 0.5]).tolist()
    [0.8, 0.2]
    """
    q = np.asarray(q)
    k = q.shape[0]
    w = np.asarray(weights, dtype="float64").ravel()
    if w.size != k:
        msg = f"{w.size} weights for {k} factors; give one weight per factor"
        raise MCDAError(msg)
    missing = (q == NO_FACTOR).any(axis=0)
    x = [q[j].astype("float64") / float(quantum) for j in range(k)]
    if order_weights is None:
        score = w[0] * x[0]
        for j in range(1, k):
            score = score + w[j] * x[j]
    else:
        v = np.asarray(order_weights, dtype="float64").ravel()
        ranks = np.empty(q.shape, dtype="intp")
        order = np.argsort(q, axis=0, kind="stable")
        np.put_along_axis(ranks, order, np.arange(k).reshape((k,) + (1,) * (q.ndim - 1)), axis=0)
        uv = [w[j] * v[ranks[j]] for j in range(k)]
        num, den = uv[0] * x[0], uv[0]
        for j in range(1, k):
            num = num + uv[j] * x[j]
            den = den + uv[j]
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    score = np.asarray(score, dtype="float64")
    score[missing] = np.nan
    if allowed is not None:
        score[~np.asarray(allowed, dtype=bool) & ~missing] = 0.0
    return score


# -- Monte Carlo -----------------------------------------------------------------
@dataclass(frozen=True)
class MonteCarlo:
    """Settings of the Monte Carlo perturbation.

    Parameters
    ----------
    draws : int
        Number of perturbed runs.
    weight_spread : float
        Each weight is multiplied by ``1 + weight_spread·U(−1, 1)`` and the
        set renormalised to sum 1 (0.2 = ±20 %).
    control_point_spread : float
        Each membership's control points are shifted together by
        ``control_point_spread·span·U(−1, 1)`` (span = range of its control
        points, or |midpoint|); 0 disables it.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    """

    draws: int = 100
    weight_spread: float = 0.2
    control_point_spread: float = 0.0
    seed: int = 20231

    def __post_init__(self) -> None:
        if self.draws < 1:
            msg = f"Monte Carlo draws must be ≥ 1, got {self.draws}"
            raise MCDAError(msg)
        if not (0 <= self.weight_spread < 1):
            msg = f"weight_spread must be in [0, 1), got {self.weight_spread}"
            raise MCDAError(msg)
        if self.control_point_spread < 0:
            msg = f"control_point_spread must be ≥ 0, got {self.control_point_spread}"
            raise MCDAError(msg)

    def draw(self, weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Perturbed weights ``(draws, k)`` and control-point shifts in spans ``(draws, k)``."""
        rng = np.random.default_rng(self.seed)
        w = weights[None, :] * (1 + self.weight_spread * rng.uniform(-1, 1, (self.draws, k)))
        w = w / w.sum(axis=1, keepdims=True)
        shifts = self.control_point_spread * rng.uniform(-1, 1, (self.draws, k))
        return w, shifts

    def describe(self) -> dict[str, Any]:
        """JSON-serialisable record."""
        return {
            "draws": self.draws,
            "weight_spread": self.weight_spread,
            "control_point_spread": self.control_point_spread,
            "seed": self.seed,
            "weight_perturbation": "w_j·(1 + spread·U(−1, 1)), renormalised to sum 1",
            "control_point_perturbation": "all control points of a membership shifted by spread·span·U(−1, 1)",
        }


# -- evaluation ---------------------------------------------------------
@dataclass
class Evaluation:
    """Output of :func:`evaluate`.

    Attributes
    ----------
    score : numpy.ndarray
        Aggregated suitability 0–1, float32, NaN where a factor has no data.
    classes : numpy.ndarray
        uint8 :data:`CLASS_CODES`, 0 for no data.
    stability : numpy.ndarray or None
        Probability (0–1, float32) that the cell keeps its class under the
        Monte Carlo perturbation; NaN where no data; None without Monte Carlo.
    factors : numpy.ndarray or None
        The quantised factors ``(k, rows, cols)`` (uint16, :func:`quantise`) the
        score was computed from, when :func:`evaluate` was given a *quantum*.
    """

    score: np.ndarray
    classes: np.ndarray
    stability: np.ndarray | None
    factors: np.ndarray | None = None


def evaluate(
    criteria: Sequence[np.ndarray],
    memberships: Sequence[Membership | None],
    weights: Any,
    *,
    order_weights: Any = None,
    allowed: np.ndarray | None = None,
    breaks: Sequence[float] = DEFAULT_BREAKS,
    monte_carlo: MonteCarlo | None = None,
    quantum: int | None = None,
) -> Evaluation:
    """Standardise, aggregate, constrain, classify and test the stability of a model.

    Parameters
    ----------
    criteria : sequence of arrays
        Raw criterion values on the grid (slope in degrees, distance in
        metres ...), all of one 2-D shape.
    memberships : sequence of Membership or None
        One per criterion: turns raw values into 0–1 factors; None where the
        criterion is given as its factor already (a categorical table looked up
        once per category; its control points are not perturbed).
    weights : array_like
        Criterion weights summing to 1.
    order_weights : array_like, optional
        OWA order weights; WLC when None.
    allowed : bool array, optional
        False where a constraint excludes the land (score 0, class N).
    breaks : sequence of 3 floats
        Lower bounds of S3, S2, S1.
    monte_carlo : MonteCarlo, optional
        Perturbation settings; no stability raster when None.
    quantum : int, optional
        Quantise each factor to ``round(x·quantum)`` and aggregate those in
        float64 in the criteria's order (:func:`quantised_score`): the classes
        then follow from integers and IEEE arithmetic alone, as the browser's
        What-if panel recomputes them. Float32 factors when None.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from geo.models.fuzzy import Membership
    >>> m = Membership("linear", {"a": 0.0, "b": 1.0})
    >>> ev = evaluate([np.array([[0.9, 0.1]]), np.array([[0.7, 0.3]])], [m, m], [0.5, 0.5])
    >>> ev.score.astype(float).round(2).tolist(), ev.classes.tolist()
    ([[0.8, 0.2]], [[1, 4]])
    """
    k = len(criteria)
    if k == 0 or len(memberships) != k:
        msg = f"{k} criteria but {len(memberships)} memberships; give one membership per criterion"
        raise MCDAError(msg)
    w = check_weights(weights)
    if w.size != k:
        msg = f"{w.size} weights for {k} criteria; give one weight per criterion"
        raise MCDAError(msg)
    v = None if order_weights is None else _order_weights(order_weights, k)
    b = check_breaks(breaks)
    raw = [np.asarray(x) for x in criteria]
    shape = raw[0].shape
    if any(x.shape != shape for x in raw):
        msg = f"criteria have shapes {sorted({x.shape for x in raw})}; give them on one grid"
        raise MCDAError(msg)
    z = np.empty((k, *shape), dtype="float32")
    for j, (x, m) in enumerate(zip(raw, memberships, strict=True)):
        z[j] = x if m is None else m(x)
    ok = None if allowed is None else np.asarray(allowed, dtype=bool)
    q = None
    if quantum is None:
        score = _aggregate(z, w, v)
        if ok is not None:
            score[~ok & np.isfinite(score)] = 0.0
    else:
        q = quantise(z, quantum)
        z = np.where(q == NO_FACTOR, np.nan, q / float(quantum)).astype("float32")
        score = quantised_score(q, w, order_weights=v, allowed=ok, quantum=quantum)
    stability = None
    if monte_carlo is not None:
        draws_w, shifts = monte_carlo.draw(w, k)
        model = _Model(z, raw, memberships, v, b)
        stability = _stability(model, score, ok, draws_w, shifts, monte_carlo)
    classes = classify(score, b)
    return Evaluation(score.astype("float32", copy=False), classes, stability, q)


def _aggregate(z: np.ndarray, w: np.ndarray, v: np.ndarray | None) -> np.ndarray:
    if v is None:
        return np.asarray(
            np.tensordot(w.astype("float32"), z, axes=1).astype("float32", copy=False)
        )
    return owa(list(z), w, v)


class _Model(NamedTuple):
    """The model being perturbed: factors, raw criteria, memberships, order weights, breaks."""

    z: np.ndarray
    raw: list[np.ndarray]
    memberships: Sequence[Membership | None]
    v: np.ndarray | None
    b: tuple[float, float, float]


def _weighted_sum(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``Σ_j w_j·x_j`` over the rows of *x*, one float32 operation at a time in row order.

    Cell by cell the same operations whatever the number of cells, so a chunk of the grid
    gets the bits of the whole (a matrix product may block and sum in another order).
    """
    out: np.ndarray = x[0] * w[0]
    for j in range(1, len(w)):
        out += x[j] * w[j]
    return out


def _stability(
    model: _Model,
    base: np.ndarray,
    ok: np.ndarray | None,
    draws_w: np.ndarray,
    shifts: np.ndarray,
    mc: MonteCarlo,
) -> np.ndarray:
    """Share of draws in which each cell keeps its class."""
    z, raw, memberships, v, b = model
    k = z.shape[0]
    shape = base.shape
    valid = np.isfinite(base)
    base_lv = _level(base, b).ravel()
    same = np.zeros(base_lv.shape, dtype="int32")
    if mc.control_point_spread == 0:
        zf = np.nan_to_num(z.reshape(k, -1), nan=0.0)
        if v is None:
            num, den = zf, None
        else:
            vw = _rank_weights(z, v).reshape(k, -1)
            num, den = vw * zf, vw
        for wi in draws_w.astype("float32"):
            s = _weighted_sum(wi, num)
            if den is not None:
                d = _weighted_sum(wi, den)
                s = np.divide(s, d, out=np.zeros_like(s), where=d > 0)
            same += _level(s, b) == base_lv
    else:
        for i in range(len(draws_w)):
            zi = np.empty_like(z)
            for j, (x, m) in enumerate(zip(raw, memberships, strict=True)):
                span = 0.0 if m is None else m.span()
                zi[j] = (
                    m.shifted(float(shifts[i, j]) * span)(x) if m is not None and span > 0 else z[j]
                )
            wi = draws_w[i] / draws_w[i].sum()
            s = _aggregate(zi, wi, v).ravel()
            same += _level(np.nan_to_num(s, nan=-1.0), b) == base_lv
    out = (same / len(draws_w)).astype("float32").reshape(shape)
    if ok is not None:
        out[~ok] = 1.0  # a constraint is not perturbed: the cell stays N
    out[~valid] = np.nan
    return out
