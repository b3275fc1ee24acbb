"""Socio-economic indicators: survey uncertainty, schema checks and a composite index.

Pure functions on numbers, arrays and DataFrames; nothing here opens a file.
The package re-exports every public name of its modules, so
``from geo.models.indicators import wilson_interval`` works as before.

:mod:`~geo.models.indicators.survey`
    Survey uncertainty: :func:`wilson_interval` (95 % Wilson score interval
    for a proportion), :func:`normal_moe` (the textbook ±1.96·√(p(1−p)/n),
    used only as a check value: ±4.39 pp at p = 0.5, n = 499),
    :func:`town_sample_sizes` (per-town sample sizes *derived* from the
    published town shares by the largest remainder method) and
    :func:`pairwise_significance` (which differences between answers are
    statistically significant).
:mod:`~geo.models.indicators.schema`
    Schema checks and name matching: :func:`check_share_range`,
    :func:`check_group_sums`, :func:`match_names` and
    :func:`parse_indicator_specs` raise a one-line
    :class:`~geo.errors.IndicatorError` naming the table, the row and the field.
:mod:`~geo.models.indicators.composite`
    Composite index (OECD/JRC Handbook on Constructing Composite Indicators,
    2008): :func:`normalise` (min–max, z-score, distance to a reference, each
    with the indicator's direction), :func:`composite_index` (indicators →
    factor groups → index, linear or geometric aggregation) and
    :func:`prepare_values` (explicit treatment of missing values).
:mod:`~geo.models.indicators.montecarlo`
    :func:`monte_carlo_ranks` (uncertainty and sensitivity analysis over
    weights, normalisation, aggregation and imputed values, reporting every
    unit's rank interval with a fixed seed) and :func:`first_order_sensitivity`.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. JASA 22(158), 209–212.
.. [2] Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffmann, A.,
   Giovannini, E. (2008). Handbook on Constructing Composite Indicators:
   Methodology and User Guide. OECD/JRC, ISBN 978-92-64-04345-9.
.. [3] Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and
   sensitivity analysis techniques as tools for the quality assessment of
   composite indicators. JRSS A 168(2), 307–323.

Examples
--------
>>> from geo.models.indicators import Z95, normal_moe
>>> round(normal_moe(0.5, 499, Z95) * 100, 2)
4.39
"""

from __future__ import annotations

from geo.models.indicators.composite import (
    AGGREGATIONS,
    NORMALISATIONS,
    CompositeResult,
    IndexConfig,
    composite_index,
    normalise,
    prepare_values,
    rank_units,
)
from geo.models.indicators.montecarlo import (
    MonteCarloResult,
    first_order_sensitivity,
    monte_carlo_ranks,
)
from geo.models.indicators.schema import (
    DEFAULT_ALIASES,
    GROUPS,
    ROLES,
    IndicatorSpec,
    check_group_sums,
    check_share_range,
    closest_name,
    match_names,
    normalise_name,
    parse_indicator_specs,
)
from geo.models.indicators.survey import (
    Z95,
    counts_matching_share,
    normal_moe,
    pairwise_significance,
    same_question_z,
    town_sample_sizes,
    two_proportion_z,
    wilson_interval,
)

__all__ = [
    "AGGREGATIONS",
    "DEFAULT_ALIASES",
    "GROUPS",
    "NORMALISATIONS",
    "ROLES",
    "Z95",
    "CompositeResult",
    "IndexConfig",
    "IndicatorSpec",
    "MonteCarloResult",
    "check_group_sums",
    "check_share_range",
    "closest_name",
    "composite_index",
    "counts_matching_share",
    "first_order_sensitivity",
    "match_names",
    "monte_carlo_ranks",
    "normal_moe",
    "normalise",
    "normalise_name",
    "pairwise_significance",
    "parse_indicator_specs",
    "prepare_values",
    "rank_units",
    "same_question_z",
    "town_sample_sizes",
    "two_proportion_z",
    "wilson_interval",
]
