"""Fuzzy membership functions: turn a criterion into a 0–1 suitability.

Two families are offered, both vectorised and NaN-preserving (a NaN input
gives a NaN membership):

* the QGIS *Fuzzify raster* functions (``qgsalgorithmfuzzifyraster.cpp``):
  :func:`linear`, :func:`power`, :func:`large`, :func:`small`,
  :func:`gaussian`, :func:`near` (same formulas and defaults as QGIS, so
  ``large(100, 50, 5) == 0.969697``);
* the IDRISI/TerrSet FUZZY shapes with control points ``a ≤ b ≤ c ≤ d``:
  :func:`sigmoidal` (cosine-squared) and :func:`j_shaped`, monotonically
  increasing (uses ``a, b``), decreasing (uses ``c, d``) or symmetric (all
  four), in the forms commonly cited after Eastman (2001). The exact TerrSet
  formulas were not available (methods-and-anchors §5 item 5), so treat the
  shapes as documented here, not as a TerrSet replica.

Categorical layers (soil types) use :func:`reclassify` with a table.

:class:`Membership` bundles a function name with its parameters; it checks
them, evaluates, reports where the function saturates (so distance criteria
can be capped there) and returns perturbed copies for Monte Carlo runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.errors import InputError

__all__ = [
    "FUNCTIONS",
    "Membership",
    "MembershipError",
    "gaussian",
    "j_shaped",
    "large",
    "linear",
    "near",
    "power",
    "reclassify",
    "sigmoidal",
    "small",
]

SHAPES = ("increasing", "decreasing", "symmetric")


class MembershipError(InputError):
    """A membership function got parameters it cannot use."""


def _f(x: Any) -> np.ndarray:
    """Input as a float array (float32 stays float32, everything else float64)."""
    a = np.asarray(x)
    if a.dtype == np.float32:
        return a
    return a.astype("float64", copy=False)


def linear(x: Any, a: float, b: float) -> np.ndarray:
    """Linear membership, as QGIS: ``clamp((x − a)/(b − a), 0, 1)``.

    Parameters
    ----------
    x : array_like
        Criterion values.
    a : float
        Value with membership 0.
    b : float
        Value with membership 1. ``a > b`` gives a decreasing function.

    Examples
    --------
    >>> float(linear(5.0, 0.0, 10.0)), float(linear(5.0, 10.0, 0.0))
    (0.5, 0.5)
    """
    if a == b:
        msg = f"linear membership needs a != b (got a = b = {a}); spread the two control points"
        raise MembershipError(msg)
    v = _f(x)
    with np.errstate(invalid="ignore"):
        return np.clip((v - a) / (b - a), 0.0, 1.0)


def power(x: Any, a: float, b: float, p: float = 2.0) -> np.ndarray:
    """Power membership, as QGIS: ``clamp((x − a)/(b − a))^p``.

    Examples
    --------
    >>> float(power(5.0, 0.0, 10.0, 2.0))
    0.25
    """
    if p <= 0:
        msg = f"power membership needs exponent p > 0 (got {p})"
        raise MembershipError(msg)
    return np.asarray(np.power(linear(x, a, b), p))


def large(x: Any, midpoint: float, spread: float = 5.0) -> np.ndarray:
    """Fuzzy Large (QGIS, ArcGIS): ``1 / (1 + (x / midpoint)^(−spread))``, 0 for x ≤ 0.

    Examples
    --------
    >>> round(float(large(100.0, 50.0, 5.0)), 6)
    0.969697
    """
    _positive(midpoint, "large", "midpoint")
    _positive(spread, "large", "spread")
    v = _f(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.where(v > 0, v / midpoint, np.nan)
        out = 1.0 / (1.0 + np.power(r, -spread))
    return np.where(np.isnan(v), np.nan, np.where(v > 0, out, 0.0)).astype(v.dtype)


def small(x: Any, midpoint: float, spread: float = 5.0) -> np.ndarray:
    """Fuzzy Small (QGIS, ArcGIS): ``1 / (1 + (x / midpoint)^spread)``, 1 for x ≤ 0.

    Examples
    --------
    >>> round(float(small(100.0, 50.0, 5.0)), 6)
    0.030303
    """
    _positive(midpoint, "small", "midpoint")
    _positive(spread, "small", "spread")
    v = _f(x)
    with np.errstate(invalid="ignore", over="ignore"):
        r = np.where(v > 0, v / midpoint, 0.0)
        out = 1.0 / (1.0 + np.power(r, spread))
    return np.where(np.isnan(v), np.nan, out).astype(v.dtype)


def gaussian(x: Any, midpoint: float, spread: float = 0.1) -> np.ndarray:
    """Fuzzy Gaussian: ``exp(−spread · (x − midpoint)²)``.

    QGIS's default spread is 0.01, ArcGIS's 0.1; give it explicitly.

    Examples
    --------
    >>> round(float(gaussian(12.0, 10.0, 0.1)), 6)
    0.67032
    """
    _positive(spread, "gaussian", "spread")
    v = _f(x)
    return np.exp(-spread * (v - midpoint) ** 2)


def near(x: Any, midpoint: float, spread: float = 0.1) -> np.ndarray:
    """Fuzzy Near: ``1 / (1 + spread · (x − midpoint)²)``.

    Examples
    --------
    >>> round(float(near(12.0, 10.0, 0.1)), 6)
    0.714286
    """
    _positive(spread, "near", "spread")
    v = _f(x)
    return 1.0 / (1.0 + spread * (v - midpoint) ** 2)


def _check_points(kind: str, shape: str, a: float, b: float, c: float, d: float) -> None:
    if shape not in SHAPES:
        msg = f"{kind} membership: shape must be one of {', '.join(SHAPES)} (got {shape!r})"
        raise MembershipError(msg)
    pts = {"increasing": (a, b), "decreasing": (c, d), "symmetric": (a, b, c, d)}[shape]
    if any(math.isnan(p) for p in pts):
        need = {"increasing": "a, b", "decreasing": "c, d", "symmetric": "a, b, c, d"}[shape]
        msg = f"{kind} membership ({shape}) needs control points {need}"
        raise MembershipError(msg)
    if any(p1 < p0 for p0, p1 in itertools.pairwise(pts)):
        msg = f"{kind} membership: control points must ascend (a ≤ b ≤ c ≤ d), got {pts}"
        raise MembershipError(msg)
    if shape in ("increasing", "symmetric") and a == b:
        msg = f"{kind} membership: a and b must differ (got {a}); spread them"
        raise MembershipError(msg)
    if shape in ("decreasing", "symmetric") and c == d:
        msg = f"{kind} membership: c and d must differ (got {c}); spread them"
        raise MembershipError(msg)


def sigmoidal(
    x: Any,
    a: float = math.nan,
    b: float = math.nan,
    c: float = math.nan,
    d: float = math.nan,
    *,
    shape: str = "increasing",
) -> np.ndarray:
    """IDRISI sigmoidal (cosine-squared) membership.

    Rising limb between ``a`` (0) and ``b`` (1):
    ``cos²((1 − (x − a)/(b − a)) · π/2)``; falling limb between ``c`` (1)
    and ``d`` (0): ``cos²((x − c)/(d − c) · π/2)``.

    Parameters
    ----------
    x : array_like
        Criterion values.
    a, b, c, d : float
        Control points, ascending; ``increasing`` uses a, b, ``decreasing``
        c, d, ``symmetric`` all four (1 between b and c).
    shape : {"increasing", "decreasing", "symmetric"}
        Monotonicity.

    Examples
    --------
    >>> round(float(sigmoidal(5.0, 0.0, 10.0)), 12)
    0.5
    >>> float(sigmoidal(0.0, c=0.0, d=10.0, shape="decreasing"))
    1.0
    """
    _check_points("sigmoidal", shape, a, b, c, d)
    v = _f(x)
    out = np.ones_like(v)
    if shape in ("increasing", "symmetric"):
        t = np.clip((v - a) / (b - a), 0.0, 1.0)
        out = out * np.sin(t * np.pi / 2) ** 2  # = cos²((1 − t)·π/2), exact at the ends
    if shape in ("decreasing", "symmetric"):
        t = np.clip((v - c) / (d - c), 0.0, 1.0)
        out = out * np.sin((1.0 - t) * np.pi / 2) ** 2  # = cos²(t·π/2)
    return np.where(np.isnan(v), np.nan, out).astype(v.dtype)


def j_shaped(
    x: Any,
    a: float = math.nan,
    b: float = math.nan,
    c: float = math.nan,
    d: float = math.nan,
    *,
    shape: str = "increasing",
) -> np.ndarray:
    """IDRISI J-shaped membership.

    Rising limb: ``1 / (1 + ((x − b)/(b − a))²)`` below ``b`` (0.5 at ``a``,
    approaching 0 far below); falling limb: ``1 / (1 + ((x − c)/(d − c))²)``
    above ``c`` (0.5 at ``d``).

    Examples
    --------
    >>> float(j_shaped(0.0, 0.0, 10.0)), float(j_shaped(12.0, 0.0, 10.0))
    (0.5, 1.0)
    """
    _check_points("j_shaped", shape, a, b, c, d)
    v = _f(x)
    out = np.ones_like(v)
    if shape in ("increasing", "symmetric"):
        t = np.where(v < b, (v - b) / (b - a), 0.0)
        out = out / (1.0 + t**2)
    if shape in ("decreasing", "symmetric"):
        t = np.where(v > c, (v - c) / (d - c), 0.0)
        out = out / (1.0 + t**2)
    return np.where(np.isnan(v), np.nan, out).astype(v.dtype)


def reclassify(values: Any, table: Mapping[Any, float], default: float = math.nan) -> np.ndarray:
    """Map categorical values (soil types, land-use codes) to memberships.

    Parameters
    ----------
    values : array_like
        Categories (strings or integers); ``None``/NaN become NaN.
    table : mapping
        Category → membership in [0, 1].
    default : float
        Membership of categories missing from *table* (NaN by default, i.e.
        "no data"; give 0 to treat them as unsuitable).

    Examples
    --------
    >>> reclassify(["a", "b", "z"], {"a": 1.0, "b": 0.5}, default=0.0).tolist()
    [1.0, 0.5, 0.0]
    """
    for key, val in table.items():
        if not (0.0 <= float(val) <= 1.0):
            msg = f"reclass table: {key!r} = {val} is outside 0–1; memberships must lie in 0–1"
            raise MembershipError(msg)
    arr = np.asarray(values, dtype=object)
    flat = arr.ravel()
    missing = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in flat], bool)
    res = np.full(flat.shape, default, dtype="float64")
    if (~missing).any():
        keys = np.array([str(v) for v in flat[~missing]])
        uniq, inverse = np.unique(keys, return_inverse=True)
        lookup = {str(k): float(v) for k, v in table.items()}
        vals = np.array([lookup.get(str(u), default) for u in uniq], dtype="float64")
        res[~missing] = vals[inverse]
    res[missing] = np.nan
    return res.reshape(arr.shape)


def _positive(v: float, kind: str, name: str) -> None:
    if not (v > 0):
        msg = f"{kind} membership needs {name} > 0 (got {v})"
        raise MembershipError(msg)


FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "linear": linear,
    "power": power,
    "large": large,
    "small": small,
    "gaussian": gaussian,
    "near": near,
    "sigmoidal": sigmoidal,
    "j_shaped": j_shaped,
}
"""Membership functions by recipe name."""

PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required, optional)
    "linear": (("a", "b"), ()),
    "power": (("a", "b"), ("p",)),
    "large": (("midpoint",), ("spread",)),
    "small": (("midpoint",), ("spread",)),
    "gaussian": (("midpoint", "spread"), ()),
    "near": (("midpoint", "spread"), ()),
    "sigmoidal": ((), ("a", "b", "c", "d", "shape")),
    "j_shaped": ((), ("a", "b", "c", "d", "shape")),
}
"""Required and optional parameters of each function (QGIS names where QGIS has them)."""

_LOCATION = ("a", "b", "c", "d", "midpoint")


@dataclass(frozen=True)
class Membership:
    """A membership function with its parameters, as written in a recipe.

    Parameters
    ----------
    kind : str
        A key of :data:`FUNCTIONS`, or ``"reclass"`` for categorical tables
        (then *params* holds ``table`` and optional ``default``).
    params : dict
        Keyword parameters of the function.

    Examples
    --------
    >>> m = Membership("linear", {"a": 8.0, "b": 2.0})  # slope: 2° best, 8° worst
    >>> m(np.array([1.0, 5.0, 9.0])).tolist()
    [1.0, 0.5, 0.0]
    >>> m.saturation()
    (2.0, 8.0)
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "reclass":
            if not isinstance(self.params.get("table"), Mapping):
                msg = "reclass membership needs a table {category = membership}"
                raise MembershipError(msg)
            reclassify([], self.params["table"])
            return
        if self.kind not in FUNCTIONS:
            known = ", ".join([*FUNCTIONS, "reclass"])
            msg = f"unknown membership kind {self.kind!r}; use one of {known}"
            raise MembershipError(msg)
        required, optional = PARAMETERS[self.kind]
        missing = [k for k in required if k not in self.params]
        if missing:
            msg = f"{self.kind} membership needs parameter(s) {', '.join(missing)}"
            raise MembershipError(msg)
        unknown = [k for k in self.params if k not in required + optional]
        if unknown:
            msg = (
                f"{self.kind} membership: unknown parameter(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(required + optional)}"
            )
            raise MembershipError(msg)
        for k, v in self.params.items():
            if k == "shape":
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                msg = f"{self.kind} membership: parameter {k} must be a finite number, got {v!r}"
                raise MembershipError(msg)
        # evaluate once: raises for bad parameter values (a == b, negative spread ...)
        self(np.array([0.0]))

    def __call__(self, x: Any) -> np.ndarray:
        """Evaluate the membership on *x* (NaN stays NaN)."""
        if self.kind == "reclass":
            return reclassify(x, self.params["table"], self.params.get("default", math.nan))
        return FUNCTIONS[self.kind](x, **self.params)

    def saturation(self, tol: float = 1e-4) -> tuple[float, float]:
        """Return ``(lo, hi)``: outside this interval the membership changes by less than *tol*.

        Distance criteria are capped at ``hi``: computing distances beyond it
        cannot change the result, which bounds the halo a chunk of the grid reads.
        Unbounded sides are ``±inf``.
        """
        p = self.params
        k = self.kind
        if k in ("linear", "power"):
            return (min(p["a"], p["b"]), max(p["a"], p["b"]))
        if k == "large":
            s = p.get("spread", 5.0)
            return (0.0, p["midpoint"] * (tol / (1 - tol)) ** (-1.0 / s))
        if k == "small":
            s = p.get("spread", 5.0)
            return (0.0, p["midpoint"] * ((1 - tol) / tol) ** (1.0 / s))
        if k == "gaussian":
            h = math.sqrt(-math.log(tol) / p["spread"])
            return (p["midpoint"] - h, p["midpoint"] + h)
        if k == "near":
            h = math.sqrt((1 / tol - 1) / p["spread"])
            return (p["midpoint"] - h, p["midpoint"] + h)
        if k in ("sigmoidal", "j_shaped"):
            shape = p.get("shape", "increasing")
            a, b, c, d = (float(p.get(n, math.nan)) for n in "abcd")
            if k == "j_shaped":
                lo = a - (b - a) * math.sqrt(1 / tol) if shape != "decreasing" else c
                hi = d + (d - c) * math.sqrt(1 / tol) if shape != "increasing" else b
                return (lo, hi)
            lo = a if shape != "decreasing" else c
            hi = d if shape != "increasing" else b
            return (lo, hi)
        return (-math.inf, math.inf)

    def location_parameters(self) -> list[str]:
        """Names of the parameters that are positions on the criterion axis (control points)."""
        return [n for n in _LOCATION if n in self.params]

    def shifted(self, delta: float) -> Membership:
        """A copy with every control point moved by *delta* (order is kept).

        Used for the Monte Carlo perturbation of control points; categorical
        tables are returned unchanged.
        """
        if self.kind == "reclass":
            return self
        new = dict(self.params)
        for n in self.location_parameters():
            new[n] = float(new[n]) + delta
        return Membership(self.kind, new)

    def span(self) -> float:
        """Scale of the control points (their range, or |midpoint|), for relative perturbations."""
        locs = [float(self.params[n]) for n in self.location_parameters()]
        if not locs:
            return 0.0
        if len(locs) == 1:
            return abs(locs[0])
        return max(locs) - min(locs)

    def describe(self) -> dict[str, Any]:
        """JSON-serialisable record of the function and its parameters."""
        params = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.params.items()}
        return {"kind": self.kind, **params}
