"""Age-wear curves and wear classes.

Pure functions on arrays; nothing here opens a file.

:func:`linear_wear` ``W = min(100, 100·t/T)`` and :func:`ross_wear`
``W = min(100, 50·(t/T + (t/T)²))`` (``t`` age, ``T`` normative life),
:func:`age_wear` choosing between them by name, and their inverse
:func:`life_fraction_from_wear` (used to turn an inspection's wear into a
remaining life). :class:`WearClasses` sorts wear values into classes
(default < 25, 25–50, 50–75, ≥ 75 %; NaN is ``"unknown"``).

The formulas and check values are in ``methods-and-anchors.md`` §2.7: for
``T = 25`` years, ``t = 10`` gives 40 % (linear) and 28 % (Ross), ``t = 20``
gives 80 % and 72 %.

Examples
--------
>>> from geo.models.wear.curves import linear_wear, ross_wear
>>> linear_wear([10, 20], 25).tolist(), ross_wear([10, 20], 25).round(6).tolist()
([40.0, 80.0], [28.0, 72.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike, NDArray

METHODS: tuple[str, ...] = ("linear", "ross")
"""Age-wear curves: :func:`linear_wear` and :func:`ross_wear`."""

DEFAULT_BREAKS: tuple[float, ...] = (0.0, 25.0, 50.0, 75.0, 100.0)
"""Default wear classes (%): < 25, 25–50, 50–75, ≥ 75."""

UNKNOWN = "unknown"


# -- age-based wear ------------------------------------------------------------------
def linear_wear(age: ArrayLike, life: ArrayLike) -> NDArray[np.float64]:
    """Linear age wear ``W = min(100, 100·t/T)`` in percent.

    Parameters
    ----------
    age : array_like
        Age ``t`` in years (≥ 0; NaN stays NaN).
    life : array_like
        Normative service life ``T`` in years (> 0).

    Returns
    -------
    ndarray
        Wear in percent, 0–100.

    Examples
    --------
    >>> linear_wear([10, 20, 25, 40], 25).tolist()
    [40.0, 80.0, 100.0, 100.0]
    """
    t = np.asarray(age, dtype=float)
    T = np.asarray(life, dtype=float)
    return np.asarray(np.minimum(100.0, 100.0 * t / T), dtype=np.float64)


def ross_wear(age: ArrayLike, life: ArrayLike) -> NDArray[np.float64]:
    """Ross age wear ``W = 50·(t/T + (t/T)²)``, capped at 100 %.

    Parameters
    ----------
    age : array_like
        Age ``t`` in years (≥ 0; NaN stays NaN).
    life : array_like
        Normative service life ``T`` in years (> 0).

    Returns
    -------
    ndarray
        Wear in percent, 0–100; equals the linear value at ``t = 0`` and ``t = T``.

    Examples
    --------
    >>> ross_wear([10, 20, 25], 25).round(6).tolist()
    [28.0, 72.0, 100.0]
    """
    r = np.asarray(age, dtype=float) / np.asarray(life, dtype=float)
    return np.asarray(np.minimum(100.0, 50.0 * (r + r * r)), dtype=np.float64)


def age_wear(age: ArrayLike, life: ArrayLike, method: str = "linear") -> NDArray[np.float64]:
    """Age wear by *method* (``"linear"`` or ``"ross"``).

    Raises
    ------
    ValueError
        Unknown method.
    """
    if method == "linear":
        return linear_wear(age, life)
    if method == "ross":
        return ross_wear(age, life)
    msg = f"unknown wear method {method!r}; use one of {', '.join(METHODS)}"
    raise ValueError(msg)


def life_fraction_from_wear(wear: ArrayLike, method: str = "linear") -> NDArray[np.float64]:
    """Share of the normative life used up (``t/T``) that gives *wear* under *method*.

    The inverse of the age curves, used to turn an inspection's wear into a
    remaining life: linear ``t/T = W/100``; Ross ``t/T = (√(1 + 0.08·W) − 1)/2``.

    Examples
    --------
    >>> life_fraction_from_wear([40.0, 100.0], "linear").tolist()
    [0.4, 1.0]
    >>> life_fraction_from_wear([28.0, 72.0], "ross").round(6).tolist()
    [0.4, 0.8]
    """
    w = np.clip(np.asarray(wear, dtype=float), 0.0, 100.0)
    if method == "linear":
        return np.asarray(w / 100.0, dtype=np.float64)
    if method == "ross":
        return np.asarray((np.sqrt(1.0 + 0.08 * w) - 1.0) / 2.0, dtype=np.float64)
    msg = f"unknown wear method {method!r}; use one of {', '.join(METHODS)}"
    raise ValueError(msg)


# -- wear classes ----------------------------------------------------------------------
@dataclass(frozen=True)
class WearClasses:
    """Wear classes as ascending breaks in percent: class *i* is ``breaks[i] ≤ W < breaks[i+1]``.

    The last class includes 100 %. ``DEFAULT_BREAKS`` gives < 25, 25–50, 50–75, ≥ 75.

    Examples
    --------
    >>> c = WearClasses()
    >>> c.labels
    ('0–25', '25–50', '50–75', '75–100')
    >>> c.classify([10.0, 25.0, 99.0, 100.0, float("nan")]).tolist()
    ['0–25', '25–50', '75–100', '75–100', 'unknown']
    """

    breaks: tuple[float, ...] = DEFAULT_BREAKS

    def __post_init__(self) -> None:
        b = [float(x) for x in self.breaks]
        if len(b) < 2 or any(y <= x for x, y in pairwise(b)):
            msg = f"wear class breaks must be two or more strictly ascending numbers, got {list(self.breaks)}"
            raise ValueError(msg)
        if b[0] != 0.0 or b[-1] != 100.0:
            msg = f"wear class breaks must start at 0 and end at 100 (percent), got {list(self.breaks)}"
            raise ValueError(msg)
        object.__setattr__(self, "breaks", tuple(b))

    @property
    def labels(self) -> tuple[str, ...]:
        """Class labels such as ``"25–50"``."""
        return tuple(
            f"{_num(a)}–{_num(b)}" for a, b in zip(self.breaks, self.breaks[1:], strict=False)
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Roll-up column names: kilometres in each class (``km_25_50``)."""
        return tuple(
            f"km_{_num(a)}_{_num(b)}".replace(".", "p")
            for a, b in zip(self.breaks, self.breaks[1:], strict=False)
        )

    def index(self, wear: ArrayLike) -> NDArray[np.int64]:
        """Class index of each value (−1 for NaN)."""
        w = np.asarray(wear, dtype=float)
        idx = np.searchsorted(np.asarray(self.breaks[1:-1]), w, side="right")
        return np.where(np.isnan(w), -1, idx).astype(np.int64)

    def classify(self, wear: ArrayLike) -> NDArray[np.object_]:
        """Class label of each value; ``"unknown"`` for NaN."""
        idx = self.index(wear)
        labels = np.array([*self.labels, UNKNOWN], dtype=object)
        return labels[np.where(idx < 0, len(self.labels), idx)]


def _num(v: float) -> str:
    return f"{v:g}"
