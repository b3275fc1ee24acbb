"""Wear of each segment: age-based or from an inspection grade.

Pure functions on DataFrames and GeoDataFrames; nothing here opens a file.

:func:`segment_wear` checks the inventory (:func:`~geo.models.wear.inventory.check_inventory`)
and gives each segment its wear: age-based (linear or Ross curve, normative
life by network and material), replaced by the inspection grade's wear where
a grade exists; the ``wear_source`` column says which (:data:`WEAR_SOURCES`).
It adds remaining life and the year the segment reaches the end of its life.

Warnings (missing install years) are *returned* beside the table, never
logged or raised as Python warnings, so a build on data with a few unknown
years runs to the end and the caller decides how to report them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.models.wear.curves import (
    METHODS,
    UNKNOWN,
    WearClasses,
    age_wear,
    life_fraction_from_wear,
)
from geo.models.wear.inventory import check_inventory
from geo.models.wear.tables import check_life_table  # noqa: F401  (used by the segment_wear doctest)

__all__ = ["WEAR_SOURCES", "segment_wear"]

WEAR_SOURCES: tuple[str, ...] = ("age-linear", "age-ross", "inspection", "unknown")
"""Values of the ``wear_source`` column."""


# -- per-segment wear ----------------------------------------------------------------------
def segment_wear(
    segments: pd.DataFrame,
    lives: pd.DataFrame,
    *,
    reference_year: int,
    method: str = "linear",
    grades: pd.DataFrame | None = None,
    classes: WearClasses | None = None,
    where: str = "utility_networks",
) -> tuple[pd.DataFrame, list[str]]:
    """Wear, its source, remaining life and end-of-life year for each segment.

    The inventory is checked first (:func:`check_inventory`): errors raise,
    warnings are returned for the caller to report.

    Parameters
    ----------
    segments : DataFrame or GeoDataFrame
        The inventory (see :func:`check_inventory`).
    lives : DataFrame
        Normative lives by network and material (:func:`check_life_table`).
    reference_year : int
        Year the ages are counted to (a recipe parameter, never the clock).
    method : {"linear", "ross"}
        Age-wear curve.
    grades : DataFrame, optional
        Inspection grade → wear table (:func:`check_grade_table`). A segment
        with a grade takes the grade's wear instead of the age-based one.
    classes : WearClasses, optional
        Wear classes for the ``wear_class`` column.
    where : str
        Layer named in messages.

    Returns
    -------
    table : DataFrame or GeoDataFrame
        A copy of *segments* with ``life_years``, ``life_citation``,
        ``age_years``, ``age_wear_pct``, ``inspection_wear_pct``, ``wear_pct``,
        ``wear_source``, ``wear_class``, ``remaining_life_years`` and
        ``end_of_life_year``. Segments with neither an install year nor a
        grade get NaN wear, source and class ``"unknown"``.
    warnings : list of str
        The inventory's warnings (:func:`check_inventory`), one line each.

    Notes
    -----
    Remaining life is ``max(0, T − t)``; for an inspected segment ``t`` is the
    age the curve needs to reach the inspected wear (the inverse,
    :func:`life_fraction_from_wear`). The end-of-life year is
    ``install_year + T`` for age-based values (it may lie in the past: the
    segment is overdue) and ``reference_year + remaining life`` for
    inspected ones.

    Examples
    --------
    >>> import pandas as pd
    >>> lives = check_life_table(pd.DataFrame({"network": ["water"], "material": ["steel"],
    ...     "life_years": [25], "citation": ["test"], "status": ["○"]}))
    >>> seg = pd.DataFrame({"segment_id": ["a", "b"], "network": "water", "material": "steel",
    ...     "diameter_mm": 100.0, "install_year": [2013, 1998]})
    >>> table, warnings = segment_wear(seg, lives, reference_year=2023)
    >>> table["wear_pct"].tolist(), warnings
    ([40.0, 100.0], [])
    """
    if method not in METHODS:
        msg = f"unknown wear method {method!r}; use one of {', '.join(METHODS)}"
        raise ValueError(msg)
    classes = classes or WearClasses()
    warnings = check_inventory(
        segments, lives, reference_year=reference_year, grades=grades, where=where
    )
    out = segments.copy()
    net = out["network"].astype(str).str.strip().str.lower()
    mat = out["material"].astype(str).str.strip().str.lower()
    out["network"], out["material"] = net, mat
    table = lives.set_index(["network", "material"])
    keys = pd.MultiIndex.from_arrays([net, mat])
    life = table["life_years"].reindex(keys).to_numpy(dtype=float)
    out["life_years"] = life
    out["life_citation"] = table["citation"].reindex(keys).astype(str).to_numpy()
    year = pd.to_numeric(out["install_year"], errors="coerce").to_numpy(dtype=float)
    age = reference_year - year
    out["age_years"] = age
    age_w = age_wear(age, life, method)
    out["age_wear_pct"] = age_w

    insp = np.full(len(out), np.nan)
    if grades is not None and "inspection_grade" in out:
        g = pd.to_numeric(out["inspection_grade"], errors="coerce")
        lookup = grades.set_index("grade")["wear_pct"]
        insp = g.map(lookup).to_numpy(dtype=float)
    out["inspection_wear_pct"] = insp
    inspected = ~np.isnan(insp)
    wear = np.where(inspected, insp, age_w)
    out["wear_pct"] = wear
    source = np.where(inspected, "inspection", np.where(np.isnan(age_w), UNKNOWN, f"age-{method}"))
    out["wear_source"] = source.astype(object)
    out["wear_class"] = classes.classify(wear)

    used = np.where(inspected, life_fraction_from_wear(insp, method) * life, age)
    remaining = np.maximum(0.0, life - used)
    out["remaining_life_years"] = remaining
    out["end_of_life_year"] = np.where(inspected, reference_year + remaining, year + life)
    return out, warnings
