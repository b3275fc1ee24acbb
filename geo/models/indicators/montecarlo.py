"""Monte Carlo uncertainty and sensitivity analysis of composite-index ranks.

:func:`monte_carlo_ranks` (OECD/JRC Handbook step 7) perturbs weights,
normalisation, aggregation and imputed values with a fixed seed and reports
every unit's rank interval; :func:`first_order_sensitivity` estimates the
first-order sensitivity index of each rank to each uncertain input [1]_.
Pure functions on arrays and DataFrames; nothing here opens a file.

References
----------
.. [1] Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and
   sensitivity analysis techniques as tools for the quality assessment of
   composite indicators. JRSS A 168(2), 307–323.

Examples
--------
>>> import numpy as np
>>> from geo.models.indicators.montecarlo import first_order_sensitivity
>>> x = np.array(["a", "a", "b", "b"])
>>> first_order_sensitivity(x, np.array([1.0, 1.0, 3.0, 3.0])).tolist()
[1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import IndicatorError
from geo.models.indicators.composite import (
    AGGREGATIONS,
    NORMALISATIONS,
    IndexConfig,
    _index_arrays,
    _ranks,
    composite_index,
)
from geo.models.indicators.schema import GROUPS, IndicatorSpec


@dataclass
class MonteCarloResult:
    """Outcome of :func:`monte_carlo_ranks`.

    Attributes
    ----------
    ranks : DataFrame
        Per unit: ``rank`` (reference), ``rank_median``, ``rank_lo``, ``rank_hi``
        (the interval percentiles), ``rank_min``, ``rank_max``, ``p_rank1``
        (share of runs ranked first) and ``mean_abs_shift``.
    average_shift : float
        Average shift in ranks ``R̄_S = mean over runs and units of |rank_ref − rank|``.
    sensitivity : DataFrame
        First-order sensitivity index of each unit's rank (columns) to each
        uncertain input (rows: ``normalisation``, ``aggregation``,
        ``weight:<indicator>``, ``group_weight:<group>``, ``value:<unit>/<indicator>``).
    """

    ranks: pd.DataFrame
    average_shift: float
    sensitivity: pd.DataFrame


def monte_carlo_ranks(  # noqa: PLR0913 - the OECD/JRC step-7 options, each with its default
    values: pd.DataFrame,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    *,
    runs: int = 1000,
    seed: int = 20231,
    normalisations: Sequence[str] | None = None,
    aggregations: Sequence[str] | None = None,
    weight_spread: float = 0.5,
    bounds: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    interval: tuple[float, float] = (5.0, 95.0),
) -> MonteCarloResult:
    """Uncertainty and sensitivity analysis of the ranks (OECD/JRC step 7).

    Each run draws, independently:

    * every indicator weight and group weight multiplied by ``U(1 − s, 1 + s)``
      with ``s = weight_spread`` (then renormalised);
    * the normalisation, uniformly from *normalisations*;
    * the aggregation, uniformly from *aggregations*;
    * every uncertain value (``bounds[(unit, indicator)] = (lo, hi)``, e.g. an
      imputed share) uniformly within its bounds.

    Parameters
    ----------
    values : DataFrame
        Units × indicators (point values, complete).
    specs : sequence of IndicatorSpec
    config : IndexConfig
        The reference configuration (its ranks are ``rank``).
    runs : int
        Number of Monte Carlo runs.
    seed : int
        Seed of ``numpy.random.default_rng`` (results are reproducible).
    normalisations, aggregations : sequence of str, optional
        Alternatives to sample; the reference's alone by default.
    weight_spread : float
        Relative half-width of the weight perturbation, 0 ≤ s < 1.
    bounds : mapping, optional
        Value intervals of uncertain cells.
    interval : (float, float)
        Percentiles of the reported rank interval.

    Returns
    -------
    MonteCarloResult
        Rank statistics per unit, the average rank shift and the first-order
        sensitivity of each unit's rank to each uncertain input.
    """
    if not 0.0 <= weight_spread < 1.0:
        msg = f"Monte Carlo weight_spread {weight_spread!r} must lie in [0, 1)"
        raise IndicatorError(msg)
    if runs < 1:
        msg = f"Monte Carlo runs {runs!r} must be ≥ 1"
        raise IndicatorError(msg)
    norms = list(normalisations or [config.normalisation])
    aggs = list(aggregations or [config.aggregation])
    for m in norms:
        if m not in NORMALISATIONS:
            msg = f"Monte Carlo normalisation {m!r} is not one of {', '.join(NORMALISATIONS)}"
            raise IndicatorError(msg)
    for a in aggs:
        if a not in AGGREGATIONS:
            msg = f"Monte Carlo aggregation {a!r} is not one of {', '.join(AGGREGATIONS)}"
            raise IndicatorError(msg)
    ref = composite_index(values, specs, config)
    rng = np.random.default_rng(seed)
    units = list(values.index)
    cols = [s.id for s in specs]
    x0 = values[cols].to_numpy(dtype=float)
    cells = []
    for (unit, ind), (lo, hi) in sorted(
        (bounds or {}).items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))
    ):
        if unit in units and ind in cols:
            cells.append((units.index(unit), cols.index(ind), float(lo), float(hi)))
    configs = {
        (m, a): IndexConfig(m, a, config.group_weights, config.role_weights, config.geometric_floor)
        for m in norms
        for a in aggs
    }
    ranks = np.empty((runs, len(units)), dtype=float)
    draws: dict[str, list[Any]] = {}
    for r in range(runs):
        wf = {s.id: float(rng.uniform(1 - weight_spread, 1 + weight_spread)) for s in specs}
        gf = {g: float(rng.uniform(1 - weight_spread, 1 + weight_spread)) for g in GROUPS}
        norm = norms[int(rng.integers(len(norms)))]
        agg = aggs[int(rng.integers(len(aggs)))]
        x = x0
        if cells:
            x = x0.copy()
            for i, j, lo, hi in cells:
                x[i, j] = rng.uniform(lo, hi)
                draws.setdefault(f"value:{units[i]}/{cols[j]}", []).append(float(x[i, j]))
        draws.setdefault("normalisation", []).append(norm)
        draws.setdefault("aggregation", []).append(agg)
        for k, v in wf.items():
            draws.setdefault(f"weight:{k}", []).append(v)
        for g in sorted({sp.group for sp in specs}):
            draws.setdefault(f"group_weight:{g}", []).append(gf[g])
        index, _, _, _ = _index_arrays(x, specs, configs[(norm, agg)], wf, gf)
        ranks[r] = _ranks(index)
    ref_rank = ref.rank.loc[units].to_numpy(dtype=float)
    shift = np.abs(ranks - ref_rank)
    out = pd.DataFrame(
        {
            "rank": ref_rank.astype(int),
            "rank_median": np.median(ranks, axis=0),
            "rank_lo": np.percentile(ranks, interval[0], axis=0, method="lower"),
            "rank_hi": np.percentile(ranks, interval[1], axis=0, method="higher"),
            "rank_min": ranks.min(axis=0),
            "rank_max": ranks.max(axis=0),
            "p_rank1": (ranks == 1).mean(axis=0),
            "mean_abs_shift": shift.mean(axis=0),
        },
        index=values.index,
    )
    sens = pd.DataFrame(
        {factor: first_order_sensitivity(np.asarray(x), ranks) for factor, x in draws.items()},
        index=values.index,
    ).T
    return MonteCarloResult(out, float(shift.mean()), sens)


def first_order_sensitivity(x: np.ndarray, y: np.ndarray, bins: int = 10) -> np.ndarray:
    """First-order sensitivity index ``S = V[E(Y|X)] / V(Y)`` estimated from Monte Carlo draws.

    Parameters
    ----------
    x : ndarray, shape (runs,)
        Draws of one input: categories (strings) are grouped as they are,
        numbers in *bins* equal-count bins.
    y : ndarray, shape (runs,) or (runs, units)
        Outputs (e.g. the rank of every unit).
    bins : int
        Bins for a continuous input.

    Returns
    -------
    ndarray
        S per output column, in 0–1; NaN where the output never varies.

    Notes
    -----
    The "given data" estimator of Saisana, Saltelli & Tarantola (2005): the
    variance of the conditional means over the groups of *x*, weighted by
    group size, divided by the total variance. Binning biases it slightly
    upwards for pure noise (about (bins − 1)/runs).
    """
    y2 = np.asarray(y, dtype=float)
    y2 = y2.reshape(len(y2), -1)
    if x.dtype.kind in "fiu":
        order = np.argsort(x, kind="stable")
        groups = np.empty(len(x), dtype=int)
        groups[order] = np.arange(len(x)) * bins // len(x)
    else:
        _, groups = np.unique(x, return_inverse=True)
    total = y2.var(axis=0)
    mean = y2.mean(axis=0)
    between = np.zeros(y2.shape[1])
    for g in np.unique(groups):
        sel = groups == g
        between += sel.sum() * (y2[sel].mean(axis=0) - mean) ** 2
    between /= len(y2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, between / np.where(total > 0, total, 1.0), np.nan)
    return np.clip(out, 0.0, 1.0)
