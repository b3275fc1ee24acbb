"""Roll-up per zone, replacement costs and priority.

Pure functions on arrays and DataFrames; nothing here opens a file.

:func:`unit_costs_for` looks up each segment's replacement cost per metre;
:func:`rollup` sums segment pieces per zone (and network): length-weighted
wear, kilometres per wear class, unknown kilometres, replacement length and
cost; :func:`priority_scores` and :func:`rank_descending` weigh wear against
the population served.

Examples
--------
>>> from geo.models.wear.aggregate import priority_scores, rank_descending
>>> rank_descending(priority_scores([80.0, 40.0], [100, 1000], {"wear": 1, "population": 1})).tolist()
[2.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.models.wear.curves import WearClasses


# -- costs -----------------------------------------------------------------------------------
def unit_costs_for(segments: pd.DataFrame, costs: pd.DataFrame) -> NDArray[np.float64]:
    """Replacement cost per metre of each segment from a checked cost table.

    A row applies when the network matches and ``diameter_min_mm ≤ d <
    diameter_max_mm``; the first matching row wins. Segments no row covers get
    NaN (the caller reports them).

    Examples
    --------
    >>> import pandas as pd
    >>> costs = pd.DataFrame({"network": ["water", "water"], "diameter_min_mm": [0, 200],
    ...     "diameter_max_mm": [200, 2000], "cost_per_m": [10.0, 20.0]})
    >>> seg = pd.DataFrame({"network": ["water", "water", "power"], "diameter_mm": [150, 200, 40]})
    >>> unit_costs_for(seg, costs).tolist()
    [10.0, 20.0, nan]
    """
    net = segments["network"].astype(str).str.lower().to_numpy()
    d = pd.to_numeric(segments["diameter_mm"], errors="coerce").to_numpy(dtype=float)
    out = np.full(len(segments), np.nan)
    rows = zip(
        costs["network"].astype(str),
        costs["diameter_min_mm"].to_numpy(dtype=float),
        costs["diameter_max_mm"].to_numpy(dtype=float),
        costs["cost_per_m"].to_numpy(dtype=float),
        strict=True,
    )
    for network, lo, hi, cost in rows:
        hit = np.isnan(out) & (net == network) & (d >= lo) & (d < hi)
        out[hit] = cost
    return out


# -- roll-up -----------------------------------------------------------------------------------
def rollup(
    pieces: pd.DataFrame,
    by: Sequence[str],
    *,
    classes: WearClasses | None = None,
    replace_at_pct: float = 75.0,
    length_column: str = "length_m",
) -> pd.DataFrame:
    """Sum segment pieces per group: lengths, length-weighted wear, classes, replacement.

    Parameters
    ----------
    pieces : DataFrame
        Rows with *length_column* (metres), ``segment_id``, ``wear_pct``
        (NaN = unknown) and optionally ``unit_cost`` (per metre).
    by : sequence of str
        Grouping columns (``["zone_id"]`` or ``["zone_id", "network"]``).
    classes : WearClasses, optional
        Classes whose kilometres are reported (columns ``km_0_25``...).
    replace_at_pct : float
        Segments at or above this wear are due for replacement.
    length_column : str
        Column holding lengths in metres.

    Returns
    -------
    DataFrame
        One row per group: ``length_km``, ``known_km``, ``unknown_km``,
        ``n_segments``, ``n_unknown``, ``wear_pct`` (Σ L·W / Σ L over known
        lengths; NaN when nothing is known), one column per class,
        ``replace_km`` and, when ``unit_cost`` is present, ``replace_cost``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"zone_id": ["a", "a"], "segment_id": ["s1", "s2"],
    ...     "length_m": [1000.0, 3000.0], "wear_pct": [100.0, 20.0]})
    >>> float(rollup(p, ["zone_id"])["wear_pct"].iloc[0])
    40.0
    """
    classes = classes or WearClasses()
    df = pd.DataFrame(pieces).copy()
    length = df[length_column].to_numpy(dtype=float)
    wear = df["wear_pct"].to_numpy(dtype=float)
    known = ~np.isnan(wear)
    df["_km"] = length / 1000.0
    df["_known_km"] = np.where(known, length / 1000.0, 0.0)
    df["_unknown_km"] = np.where(known, 0.0, length / 1000.0)
    df["_lw"] = np.where(known, length * wear, 0.0)
    df["_lk"] = np.where(known, length, 0.0)
    idx = classes.index(wear)
    for i, col in enumerate(classes.columns):
        df[col] = np.where(idx == i, length / 1000.0, 0.0)
    replace = known & (wear >= replace_at_pct)
    df["replace_km"] = np.where(replace, length / 1000.0, 0.0)
    has_cost = "unit_cost" in df
    if has_cost:
        df["replace_cost"] = np.where(replace, length * df["unit_cost"].to_numpy(dtype=float), 0.0)
    df["_unknown_seg"] = df["segment_id"].astype(str).where(~known)
    agg: dict[str, tuple[str, str]] = {
        "length_km": ("_km", "sum"),
        "known_km": ("_known_km", "sum"),
        "unknown_km": ("_unknown_km", "sum"),
        "n_segments": ("segment_id", "nunique"),
        "n_unknown": ("_unknown_seg", "nunique"),
        "_lw": ("_lw", "sum"),
        "_lk": ("_lk", "sum"),
        **{c: (c, "sum") for c in classes.columns},
        "replace_km": ("replace_km", "sum"),
    }
    if has_cost:
        agg["replace_cost"] = ("replace_cost", "sum")
    g = df.groupby(list(by), sort=True, dropna=False).agg(**agg).reset_index()
    lk = g["_lk"].to_numpy(dtype=float)
    g.insert(
        len(by) + 5,
        "wear_pct",
        np.divide(g["_lw"].to_numpy(dtype=float), lk, out=np.full(len(g), np.nan), where=lk > 0),
    )
    return g.drop(columns=["_lw", "_lk"])


# -- priority ------------------------------------------------------------------------------------
def priority_scores(
    wear_pct: ArrayLike,
    population: ArrayLike,
    weights: Mapping[str, float],
) -> NDArray[np.float64]:
    """Priority score 0–1 weighing wear against the population served.

    ``score = w_wear · W/100 + w_pop · P/max(P)`` with the weights normalised to
    sum to 1. NaN wear gives a NaN score (not ranked); a population of NaN
    counts as 0.

    Parameters
    ----------
    wear_pct : array_like
        Length-weighted wear per unit (%).
    population : array_like
        People served by each unit.
    weights : mapping
        ``{"wear": w1, "population": w2}``, non-negative, not both zero.

    Examples
    --------
    >>> priority_scores([100.0, 50.0], [0, 1000], {"wear": 0.5, "population": 0.5}).tolist()
    [0.5, 0.75]
    """
    ww, wp = float(weights.get("wear", 0.0)), float(weights.get("population", 0.0))
    if ww < 0 or wp < 0 or ww + wp <= 0:
        msg = f"priority weights must be ≥ 0 and not all zero, got wear={ww:g}, population={wp:g}"
        raise ValueError(msg)
    ww, wp = ww / (ww + wp), wp / (ww + wp)
    w = np.asarray(wear_pct, dtype=float)
    p = np.nan_to_num(np.asarray(population, dtype=float), nan=0.0)
    pmax = float(p.max()) if p.size else 0.0
    pn = p / pmax if pmax > 0 else np.zeros_like(p)
    return np.asarray(ww * w / 100.0 + wp * pn, dtype=np.float64)


def rank_descending(scores: ArrayLike) -> NDArray[np.float64]:
    """Rank 1 = highest score; ties share the lower rank ("min"); NaN stays NaN.

    Examples
    --------
    >>> rank_descending([0.2, 0.9, float("nan"), 0.9]).tolist()
    [3.0, 1.0, nan, 1.0]
    """
    s = pd.Series(np.asarray(scores, dtype=float))
    ranks = s.rank(ascending=False, method="min").to_numpy(dtype=np.float64)
    return np.asarray(ranks, dtype=np.float64)
