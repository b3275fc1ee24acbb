"""Physical wear of utility networks: from a segment inventory to zone roll-ups.

Pure functions on arrays, DataFrames and GeoDataFrames; nothing here opens a
file. The steps a theme chains are:

1. :func:`check_life_table`, :func:`check_grade_table`, :func:`check_cost_table`
   check the editable, cited tables (``layers/tables/*.csv``).
2. :func:`check_inventory` refuses impossible segments (install year in the
   future or before 1900, unknown network or material, negative length or
   diameter, unknown inspection grade) with a one-line
   :class:`~geo.errors.DataError` naming the segment id, and returns the
   warnings (missing install years) as one-line texts.
3. :func:`segment_wear` gives each segment its wear: age-based
   (:func:`linear_wear` ``W = min(100, 100·t/T)`` or :func:`ross_wear`
   ``W = min(100, 50·(t/T + (t/T)²))``, ``t`` age, ``T`` normative life by
   network and material), replaced by the inspection grade's wear where a
   grade exists; the ``wear_source`` column says which ("age-linear",
   "age-ross", "inspection" or "unknown"). It adds remaining life and the
   year the segment reaches the end of its life.
4. :func:`measure_lengths` and :func:`split_by_zones` measure segments and cut
   them by zone polygons in the projected CRS the caller chooses per feature
   (``crs_for``, e.g. :func:`geo.crs.utm_crs_for`), sharing each segment's
   length between zones in proportion to the length inside.
5. :func:`rollup` sums pieces per zone (and network): length-weighted wear,
   kilometres per wear class, unknown kilometres, replacement length and cost.
6. :func:`priority_scores` and :func:`rank_descending` weigh wear against the
   population served.

Warnings are *returned* to the caller (:func:`check_inventory`,
:func:`segment_wear`), never logged or raised as Python warnings, so a build
on data with a few unknown years runs to the end; the count of unknown
segments is also carried in the outputs. Nothing here logs or keeps state.

The age formulas and check values are in ``methods-and-anchors.md`` §2.7:
for ``T = 25`` years, ``t = 10`` gives 40 % (linear) and 28 % (Ross), ``t = 20``
gives 80 % and 72 %.

The package re-exports every public name of its modules, so
``from geo.models.wear import segment_wear`` works as before:

:mod:`~geo.models.wear.curves`
    Age-wear curves (:func:`linear_wear`, :func:`ross_wear`, :func:`age_wear`,
    :func:`life_fraction_from_wear`) and :class:`WearClasses`.
:mod:`~geo.models.wear.tables`
    :func:`check_life_table`, :func:`check_grade_table`, :func:`check_cost_table`.
:mod:`~geo.models.wear.inventory`
    :func:`check_inventory`.
:mod:`~geo.models.wear.segment`
    :func:`segment_wear`.
:mod:`~geo.models.wear.zones`
    :func:`measure_lengths`, :func:`split_by_zones`.
:mod:`~geo.models.wear.aggregate`
    :func:`unit_costs_for`, :func:`rollup`, :func:`priority_scores`,
    :func:`rank_descending`.

Examples
--------
>>> from geo.models.wear import linear_wear, ross_wear
>>> float(linear_wear(10, 25)), float(ross_wear(10, 25).round(6))
(40.0, 28.0)
"""

from __future__ import annotations

from geo.models.wear.aggregate import priority_scores, rank_descending, rollup, unit_costs_for
from geo.models.wear.curves import (
    DEFAULT_BREAKS,
    METHODS,
    WearClasses,
    age_wear,
    life_fraction_from_wear,
    linear_wear,
    ross_wear,
)

# ``UNKNOWN`` is not in ``__all__`` (as before the split) but is used as ``W.UNKNOWN``
from geo.models.wear.curves import UNKNOWN as UNKNOWN
from geo.models.wear.inventory import MIN_INSTALL_YEAR, check_inventory
from geo.models.wear.segment import WEAR_SOURCES, segment_wear
from geo.models.wear.tables import NETWORKS, check_cost_table, check_grade_table, check_life_table
from geo.models.wear.zones import measure_lengths, split_by_zones

__all__ = [
    "DEFAULT_BREAKS",
    "METHODS",
    "MIN_INSTALL_YEAR",
    "NETWORKS",
    "WEAR_SOURCES",
    "WearClasses",
    "age_wear",
    "check_cost_table",
    "check_grade_table",
    "check_inventory",
    "check_life_table",
    "life_fraction_from_wear",
    "linear_wear",
    "measure_lengths",
    "priority_scores",
    "rank_descending",
    "rollup",
    "ross_wear",
    "segment_wear",
    "split_by_zones",
    "unit_costs_for",
]
