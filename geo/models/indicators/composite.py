"""Composite index: normalisation, aggregation, ranks and missing values.

Follows the OECD/JRC Handbook on Constructing Composite Indicators (2008) [1]_:
:func:`normalise` (min–max, z-score, distance to a reference, each with the
indicator's direction), :func:`composite_index` (indicators → factor groups
→ index, linear or geometric aggregation, configured by :class:`IndexConfig`),
:func:`rank_units` and :func:`prepare_values` (explicit treatment of missing
values). Pure functions on arrays and DataFrames; nothing here opens a file.

References
----------
.. [1] Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffmann, A.,
   Giovannini, E. (2008). Handbook on Constructing Composite Indicators:
   Methodology and User Guide. OECD/JRC, ISBN 978-92-64-04345-9.

Examples
--------
>>> import numpy as np
>>> from geo.models.indicators.composite import normalise
>>> normalise(np.array([1.0, 2.0, 3.0]), "minmax", -1).tolist()
[1.0, 0.5, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.errors import IndicatorError
from geo.models.indicators.schema import GROUPS, IndicatorSpec

NORMALISATIONS: tuple[str, ...] = ("minmax", "zscore", "distance")
"""Normalisation methods of the OECD/JRC Handbook offered here."""


AGGREGATIONS: tuple[str, ...] = ("linear", "geometric")
"""Aggregation rules: linear (fully compensatory) or geometric (partly compensatory)."""


# -- composite index -----------------------------------------------------------------
@dataclass(frozen=True)
class IndexConfig:
    """How the composite index is built.

    Attributes
    ----------
    normalisation : str
        ``"minmax"``, ``"zscore"`` or ``"distance"`` (see :func:`normalise`).
    aggregation : str
        ``"linear"`` (weighted arithmetic mean) or ``"geometric"`` (weighted
        geometric mean), used within groups and across groups.
    group_weights : mapping
        Weight of each factor group (normalised over the groups present).
    role_weights : mapping
        Multiplier of each role (main / inhibiting / additional) applied to the
        indicator weights within a group.
    geometric_floor : float
        Geometric aggregation needs positive scores: min–max and z-scores are
        mapped onto [floor, 1] and ratios are clipped below at floor.
    """

    normalisation: str = "minmax"
    aggregation: str = "linear"
    group_weights: Mapping[str, float] = field(
        default_factory=lambda: {"economy": 1.0, "social": 1.0, "ecology": 1.0}
    )
    role_weights: Mapping[str, float] = field(
        default_factory=lambda: {"main": 1.0, "inhibiting": 1.0, "additional": 0.5}
    )
    geometric_floor: float = 0.1

    def __post_init__(self) -> None:
        if self.normalisation not in NORMALISATIONS:
            msg = f"normalisation {self.normalisation!r} is not one of {', '.join(NORMALISATIONS)}"
            raise IndicatorError(msg)
        if self.aggregation not in AGGREGATIONS:
            msg = f"aggregation {self.aggregation!r} is not one of {', '.join(AGGREGATIONS)}"
            raise IndicatorError(msg)
        if not 0.0 < self.geometric_floor < 1.0:
            msg = f"geometric_floor {self.geometric_floor!r} must lie strictly between 0 and 1"
            raise IndicatorError(msg)


def normalise(
    x: np.ndarray, method: str, direction: int, reference: float | None = None, *, name: str = ""
) -> np.ndarray:
    """Normalise one indicator across units, so that higher always means better.

    Parameters
    ----------
    x : ndarray
        Values of the units (no NaN: treat missing values first).
    method : str
        ``"minmax"``: ``(x − min)/(max − min)``, reversed ``(max − x)/(max − min)``
        for direction −1. ``"zscore"``: ``direction · (x − mean)/sd`` (population
        sd). ``"distance"``: ratio to a reference, ``x/ref`` for +1 and
        ``ref/x`` for −1 (``ref`` defaults to the mean of the units).
    direction : int
        +1 or −1.
    reference : float, optional
        Reference for ``"distance"``.
    name : str
        Indicator id for messages.

    Returns
    -------
    ndarray

    Raises
    ------
    IndicatorError
        Constant indicator (min–max or z-score undefined), or a ratio that
        would divide by zero.
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        msg = f"indicator {name!r}: missing values must be treated before normalising"
        raise IndicatorError(msg)
    if method == "minmax":
        span = float(x.max() - x.min())
        if span == 0.0:
            msg = (
                f"indicator {name!r}: every unit has the same value; drop it (it cannot rank units)"
            )
            raise IndicatorError(msg)
        return np.asarray((x - x.min()) / span if direction > 0 else (x.max() - x) / span)
    if method == "zscore":
        sd = float(x.std())
        if sd == 0.0:
            msg = (
                f"indicator {name!r}: every unit has the same value; drop it (it cannot rank units)"
            )
            raise IndicatorError(msg)
        return np.asarray(direction * (x - x.mean()) / sd)
    if method == "distance":
        ref = float(x.mean()) if reference is None else float(reference)
        if ref <= 0.0:
            msg = (
                f"indicator {name!r}: distance to reference needs a positive reference, got {ref:g}"
            )
            raise IndicatorError(msg)
        if direction > 0:
            return x / ref
        if (x <= 0).any():
            msg = f"indicator {name!r}: distance to reference with direction '-' needs positive values (ref/x)"
            raise IndicatorError(msg)
        return ref / x
    msg = f"normalisation {method!r} is not one of {', '.join(NORMALISATIONS)}"
    raise IndicatorError(msg)


@dataclass
class CompositeResult:
    """A composite index and its parts.

    Attributes
    ----------
    index : Series
        Index per unit (higher is better).
    rank : Series
        Rank per unit, 1 = highest index (ties share the best rank).
    groups : DataFrame
        Score of each factor group per unit.
    normalised : DataFrame
        Normalised indicator scores (higher is better).
    weights : dict
        Effective weights: ``indicators`` (within group, summing to 1 per group)
        and ``groups`` (summing to 1).
    """

    index: pd.Series
    rank: pd.Series
    groups: pd.DataFrame
    normalised: pd.DataFrame
    weights: dict[str, dict[str, float]]


def rank_units(index: pd.Series) -> pd.Series:
    """Rank 1 for the highest value; ties share the best rank (``method="min"``)."""
    return pd.Series(_ranks(index.to_numpy(dtype=float)), index=index.index, name="rank")


def _wmean(scores: np.ndarray, w: np.ndarray, how: str) -> np.ndarray:
    """Weighted mean of columns (units × items) with weights summing to 1."""
    if how == "linear":
        return np.asarray(scores @ w)
    return np.asarray(np.exp(np.log(scores) @ w))


def _index_arrays(
    x: np.ndarray,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    weight_factors: Mapping[str, float] | None = None,
    group_factors: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, dict[str, dict[str, float]]]:
    """Core of :func:`composite_index` on a units × indicators array (columns in *specs* order)."""
    norm = np.empty_like(x, dtype=float)
    for j, s in enumerate(specs):
        v = normalise(x[:, j], config.normalisation, s.direction, s.reference, name=s.id)
        if config.aggregation == "geometric":
            floor = config.geometric_floor
            if config.normalisation == "distance":
                v = np.maximum(v, floor)
            else:
                span = float(v.max() - v.min())
                v = floor + (1.0 - floor) * (v - v.min()) / span
        norm[:, j] = v
    wf = weight_factors or {}
    gf = group_factors or {}
    group_scores: dict[str, np.ndarray] = {}
    ind_weights: dict[str, float] = {}
    for g in GROUPS:
        cols = [j for j, s in enumerate(specs) if s.group == g]
        if not cols:
            continue
        w = np.array(
            [
                specs[j].weight
                * float(config.role_weights.get(specs[j].role, 1.0))
                * wf.get(specs[j].id, 1.0)
                for j in cols
            ]
        )
        if w.sum() <= 0:
            continue
        w = w / w.sum()
        for j, wi in zip(cols, w, strict=True):
            ind_weights[specs[j].id] = float(wi)
        group_scores[g] = _wmean(norm[:, cols], w, config.aggregation)
    if not group_scores:
        msg = "composite index: every indicator has weight 0; give some a positive weight"
        raise IndicatorError(msg)
    names = list(group_scores)
    gw = np.array([float(config.group_weights.get(g, 0.0)) * gf.get(g, 1.0) for g in names])
    if gw.sum() <= 0:
        msg = f"composite index: the groups with indicators ({', '.join(names)}) all have weight 0"
        raise IndicatorError(msg)
    gw = gw / gw.sum()
    index = _wmean(np.column_stack([group_scores[g] for g in names]), gw, config.aggregation)
    weights = {
        "indicators": ind_weights,
        "groups": {g: float(w) for g, w in zip(names, gw, strict=True)},
    }
    return index, group_scores, norm, weights


def _ranks(index: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest value; ties share the best rank."""
    return np.asarray(1 + (index[None, :] > index[:, None]).sum(axis=1))


def composite_index(
    values: pd.DataFrame,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    *,
    weight_factors: Mapping[str, float] | None = None,
    group_factors: Mapping[str, float] | None = None,
) -> CompositeResult:
    """Build a two-level composite index: indicators → factor groups → index.

    Parameters
    ----------
    values : DataFrame
        Units (index) × indicator ids (columns), no missing values.
    specs : sequence of IndicatorSpec
        The indicators to use (each must be a column of *values*).
    config : IndexConfig
        Normalisation, aggregation and weights.
    weight_factors, group_factors : mapping, optional
        Multipliers of indicator and group weights (used by the Monte Carlo).

    Returns
    -------
    CompositeResult

    Notes
    -----
    Within a group, an indicator's weight is ``weight × role_weights[role]``,
    normalised to sum to 1; groups are weighted by ``group_weights``,
    normalised over the groups that have at least one indicator. Linear
    aggregation is the weighted arithmetic mean (full compensability), geometric
    the weighted geometric mean (partial compensability; scores made positive
    as described in :class:`IndexConfig`).
    """
    if not specs:
        msg = "composite index: no indicators left; add indicators with values for every unit"
        raise IndicatorError(msg)
    missing = [s.id for s in specs if s.id not in values.columns]
    if missing:
        msg = f"composite index: no values for indicator(s) {', '.join(missing)}"
        raise IndicatorError(msg)
    x = values[[s.id for s in specs]].to_numpy(dtype=float)
    index, groups, norm, weights = _index_arrays(x, specs, config, weight_factors, group_factors)
    return CompositeResult(
        index=pd.Series(index, index=values.index, name="index"),
        rank=pd.Series(_ranks(index), index=values.index, name="rank"),
        groups=pd.DataFrame(groups, index=values.index),
        normalised=pd.DataFrame(norm, index=values.index, columns=[s.id for s in specs]),
        weights=weights,
    )


def prepare_values(
    values: pd.DataFrame, specs: Sequence[IndicatorSpec], policy: str = "drop_indicator"
) -> tuple[pd.DataFrame, list[IndicatorSpec], dict[str, str], pd.DataFrame]:
    """Treat missing values explicitly and drop indicators that cannot rank units.

    Parameters
    ----------
    values : DataFrame
        Units × indicators, NaN where no value was published.
    specs : sequence of IndicatorSpec
    policy : str
        ``"drop_indicator"`` (default): an indicator missing for any unit is left
        out of the index. ``"mean"``: a missing value is replaced by the mean of
        the units that have one (recorded as imputed). ``"drop_unit"``: units
        with any missing value are left out.

    Returns
    -------
    values : DataFrame
        Complete values for the indicators kept.
    specs : list of IndicatorSpec
        Indicators kept.
    dropped : dict
        Indicator id → reason it was left out.
    imputed : DataFrame of bool
        True where a value was imputed.
    """
    if policy not in ("drop_indicator", "mean", "drop_unit"):
        msg = f"missing-value policy {policy!r} is not one of drop_indicator, mean, drop_unit"
        raise IndicatorError(msg)
    v = values[[s.id for s in specs]].astype(float).copy()
    imputed = pd.DataFrame(False, index=v.index, columns=v.columns)
    dropped: dict[str, str] = {}
    if policy == "drop_unit":
        v = v.dropna(axis=0, how="any")
        imputed = imputed.loc[v.index]
    for s in specs:
        col = v[s.id]
        n_obs = int(col.notna().sum())
        if n_obs < len(col):
            missing_units = ", ".join(str(u) for u in col.index[col.isna()])
            if policy == "drop_indicator" or n_obs < 2:
                dropped[s.id] = f"no value for {missing_units}"
                continue
            imputed.loc[col.isna(), s.id] = True
            v[s.id] = col.fillna(col.mean())
        if v[s.id].nunique() < 2:
            dropped[s.id] = "the same value for every unit (cannot rank)"
    kept = [s for s in specs if s.id not in dropped]
    return v[[s.id for s in kept]], kept, dropped, imputed[[s.id for s in kept]]
