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
4. :func:`split_by_zones` cuts segments by zone polygons (in UTM) and shares
   each segment's length between zones in proportion to the length inside.
5. :func:`rollup` sums pieces per zone (and network): length-weighted wear,
   kilometres per wear class, unknown kilometres, replacement length and cost.
6. :func:`priority_scores` and :func:`rank_descending` weigh wear against the
   population served.

Warnings are *logged* (logger ``geo.models.wear``), never raised as Python
warnings, so a build on data with a few unknown years runs to the end; the
count of unknown segments is also carried in the outputs.

The age formulas and check values are in ``methods-and-anchors.md`` §2.7:
for ``T = 25`` years, ``t = 10`` gives 40 % (linear) and 28 % (Ross), ``t = 20``
gives 80 % and 72 %.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS

from geo.crs import to_crs, utm_crs_for
from geo.errors import DataError

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

log = logging.getLogger(__name__)

NETWORKS: tuple[str, ...] = ("water", "sewage", "heating", "power")
"""Networks of the ``utility_networks`` layer."""

METHODS: tuple[str, ...] = ("linear", "ross")
"""Age-wear curves: :func:`linear_wear` and :func:`ross_wear`."""

WEAR_SOURCES: tuple[str, ...] = ("age-linear", "age-ross", "inspection", "unknown")
"""Values of the ``wear_source`` column."""

DEFAULT_BREAKS: tuple[float, ...] = (0.0, 25.0, 50.0, 75.0, 100.0)
"""Default wear classes (%): < 25, 25–50, 50–75, ≥ 75."""

MIN_INSTALL_YEAR = 1900
"""Install years before this are refused as typing errors."""

UNKNOWN = "unknown"
_MAX_IDS = 5


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
    return np.minimum(100.0, 100.0 * t / T)


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
    return np.minimum(100.0, 50.0 * (r + r * r))


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
        return w / 100.0
    if method == "ross":
        return (np.sqrt(1.0 + 0.08 * w) - 1.0) / 2.0
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


# -- tables ------------------------------------------------------------------------------
def _show(value: object) -> str:
    """``repr`` of a cell value as a user wrote it (no ``np.int64(...)`` wrappers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _require_columns(df: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = (
            f"{where}: missing column(s) {', '.join(missing)}; the table needs {', '.join(columns)}"
        )
        raise DataError(msg)


def _numeric(df: pd.DataFrame, column: str, where: str, *, positive: bool = False) -> pd.Series:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | (values <= 0 if positive else values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        need = "a positive number" if positive else "a number ≥ 0"
        msg = f"{where}: row {row + 2}: {column} = {_show(df[column].iloc[row])} is not {need}; correct it"
        raise DataError(msg)
    return values.astype(float)


def check_life_table(df: pd.DataFrame, where: str = "normative_life") -> pd.DataFrame:
    """Check the normative-life table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``network``, ``material``, ``life_years``, ``citation``,
        ``status`` (✔ read in source, ◐ corroborated, ○ unverified).
    where : str
        Name used in messages (the file path).

    Returns
    -------
    DataFrame
        With ``network`` and ``material`` stripped and lower-cased,
        ``life_years`` as float.

    Raises
    ------
    DataError
        Missing column, non-positive life, unknown network or status, a
        (network, material) pair given twice.
    """
    _require_columns(df, ("network", "material", "life_years", "citation", "status"), where)
    out = df.copy()
    out["network"] = out["network"].astype(str).str.strip().str.lower()
    out["material"] = out["material"].astype(str).str.strip().str.lower()
    out["life_years"] = _numeric(out, "life_years", where, positive=True)
    bad_net = ~out["network"].isin(NETWORKS)
    if bad_net.any():
        row = int(np.flatnonzero(bad_net.to_numpy())[0])
        msg = f"{where}: row {row + 2}: network {_show(out['network'].iloc[row])} is not one of {', '.join(NETWORKS)}"
        raise DataError(msg)
    bad_status = ~out["status"].astype(str).str.strip().isin(("✔", "◐", "○"))
    if bad_status.any():
        row = int(np.flatnonzero(bad_status.to_numpy())[0])
        msg = f"{where}: row {row + 2}: status {_show(out['status'].iloc[row])} must be ✔, ◐ or ○"
        raise DataError(msg)
    dup = out.duplicated(["network", "material"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        msg = (
            f"{where}: row {row + 2}: {out['network'].iloc[row]}/{out['material'].iloc[row]} "
            "appears twice; keep one life per network and material"
        )
        raise DataError(msg)
    return out


def check_grade_table(df: pd.DataFrame, where: str = "inspection_grades") -> pd.DataFrame:
    """Check the inspection grade → wear table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``grade`` (integer), ``wear_pct`` (0–100), ``citation``, ``status``.
    where : str
        Name used in messages.

    Raises
    ------
    DataError
        Missing column, non-integer or repeated grade, wear outside 0–100.
    """
    _require_columns(df, ("grade", "wear_pct", "citation", "status"), where)
    out = df.copy()
    grades = pd.to_numeric(out["grade"], errors="coerce")
    bad = grades.isna() | (grades != grades.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        msg = f"{where}: row {row + 2}: grade {_show(out['grade'].iloc[row])} is not an integer"
        raise DataError(msg)
    out["grade"] = grades.astype(int)
    out["wear_pct"] = _numeric(out, "wear_pct", where)
    over = out["wear_pct"] > 100
    if over.any():
        row = int(np.flatnonzero(over.to_numpy())[0])
        msg = f"{where}: row {row + 2}: wear_pct {out['wear_pct'].iloc[row]:g} is above 100; wear is a percentage"
        raise DataError(msg)
    if out["grade"].duplicated().any():
        g = int(out["grade"][out["grade"].duplicated()].iloc[0])
        msg = f"{where}: grade {g} appears twice; keep one wear per grade"
        raise DataError(msg)
    return out


def check_cost_table(df: pd.DataFrame, where: str = "unit_costs") -> pd.DataFrame:
    """Check the unit replacement-cost table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``network``, ``diameter_min_mm``, ``diameter_max_mm`` (the
        row covers ``min ≤ d < max``), ``cost_per_m``, ``currency``,
        ``citation``, ``status``.
    where : str
        Name used in messages.

    Raises
    ------
    DataError
        Missing column, negative cost, unknown network, ``max ≤ min``, or
        more than one currency.
    """
    cols = (
        "network",
        "diameter_min_mm",
        "diameter_max_mm",
        "cost_per_m",
        "currency",
        "citation",
        "status",
    )
    _require_columns(df, cols, where)
    out = df.copy()
    out["network"] = out["network"].astype(str).str.strip().str.lower()
    for c in ("diameter_min_mm", "diameter_max_mm", "cost_per_m"):
        out[c] = _numeric(out, c, where)
    bad_net = ~out["network"].isin(NETWORKS)
    if bad_net.any():
        row = int(np.flatnonzero(bad_net.to_numpy())[0])
        msg = f"{where}: row {row + 2}: network {_show(out['network'].iloc[row])} is not one of {', '.join(NETWORKS)}"
        raise DataError(msg)
    bad_range = out["diameter_max_mm"] <= out["diameter_min_mm"]
    if bad_range.any():
        row = int(np.flatnonzero(bad_range.to_numpy())[0])
        msg = f"{where}: row {row + 2}: diameter_max_mm must be greater than diameter_min_mm"
        raise DataError(msg)
    currencies = sorted(set(out["currency"].astype(str)))
    if len(currencies) != 1:
        msg = f"{where}: one currency per table, found {', '.join(currencies)}"
        raise DataError(msg)
    return out


# -- inventory checks --------------------------------------------------------------------
def _ids_text(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_MAX_IDS])
    more = f" and {len(ids) - _MAX_IDS} more" if len(ids) > _MAX_IDS else ""
    return shown + more


def _fail(where: str, ids: Sequence[str], what: str, fix: str) -> DataError:
    more = f" (and {len(ids) - 1} more segment(s))" if len(ids) > 1 else ""
    return DataError(f"{where}: segment {ids[0]}: {what}{more}; {fix}")


def check_inventory(
    segments: pd.DataFrame,
    lives: pd.DataFrame,
    *,
    reference_year: int,
    grades: pd.DataFrame | None = None,
    where: str = "utility_networks",
) -> list[str]:
    """Refuse impossible segments; return warnings for incomplete ones.

    Parameters
    ----------
    segments : DataFrame
        The inventory: ``segment_id``, ``network``, ``material``,
        ``diameter_mm``, ``install_year`` (may be missing), optional
        ``inspection_grade`` and ``length_m``.
    lives : DataFrame
        Checked normative-life table (:func:`check_life_table`).
    reference_year : int
        The year wear is computed for; later install years are errors.
    grades : DataFrame, optional
        Checked grade table (:func:`check_grade_table`); needed when any
        segment has an inspection grade.
    where : str
        Layer or file named in messages.

    Returns
    -------
    list of str
        One-line warnings (segments without an install year and without an
        inspection grade: their wear is "unknown").

    Raises
    ------
    DataError
        One line naming the first offending segment id and how many more
        share the problem: missing column, empty or repeated segment id,
        unknown network, unknown material (the known ones are named),
        install year after *reference_year* or before 1900, negative
        ``diameter_mm`` or ``length_m``, unknown inspection grade.
    """
    sid = _check_ids(segments, where)
    _check_networks_and_materials(segments, lives, sid, where)
    year = _check_years(segments, sid, reference_year, where)
    _check_sizes(segments, sid, where)
    has_grade = _check_grades(segments, grades, sid, where)

    warnings_: list[str] = []
    missing = np.isnan(year)
    unknown_wear = missing & ~has_grade
    if missing.any():
        n, nu = int(missing.sum()), int(unknown_wear.sum())
        ids_missing = list(sid[missing])
        warnings_.append(
            f"{where}: {n} segment(s) have no install_year ({_ids_text(ids_missing)}); "
            f"{nu} without an inspection grade are counted as wear 'unknown', never as new; "
            "add the years or inspection grades"
        )
    return warnings_


def _check_ids(segments: pd.DataFrame, where: str) -> np.ndarray:
    """The segment ids as text, refusing missing columns and empty or repeated ids."""
    _require_columns(
        segments, ("segment_id", "network", "material", "diameter_mm", "install_year"), where
    )
    ids = segments["segment_id"]
    if ids.isna().any() or (ids.astype(str).str.strip() == "").any():
        row = int(np.flatnonzero((ids.isna() | (ids.astype(str).str.strip() == "")).to_numpy())[0])
        msg = f"{where}: feature {row}: segment_id is empty; give every segment an id"
        raise DataError(msg)
    sid = ids.astype(str).to_numpy()
    dup = pd.Series(sid).duplicated().to_numpy()
    if dup.any():
        raise _fail(where, list(sid[dup]), "segment_id appears twice", "make the ids unique")
    return sid


def _check_networks_and_materials(
    segments: pd.DataFrame, lives: pd.DataFrame, sid: np.ndarray, where: str
) -> None:
    """Refuse an unknown network, or a material without a normative life for its network."""
    network = segments["network"].astype(str).str.strip().str.lower().to_numpy()
    bad = ~np.isin(network, NETWORKS)
    if bad.any():
        first = segments["network"].to_numpy()[bad][0]
        raise _fail(
            where,
            list(sid[bad]),
            f"network {_show(first)} is unknown",
            f"use one of {', '.join(NETWORKS)}",
        )

    material = segments["material"].astype(str).str.strip().str.lower().to_numpy()
    known = {(n, m) for n, m in zip(lives["network"], lives["material"], strict=True)}
    bad = np.array(
        [(n, m) not in known for n, m in zip(network, material, strict=True)], dtype=bool
    )
    if bad.any():
        net = network[bad][0]
        names = sorted(lives.loc[lives["network"] == net, "material"])
        raise _fail(
            where,
            list(sid[bad & (network == net)]),
            f"material {_show(segments['material'].to_numpy()[bad][0])} has no normative life for network {net!r}",
            f"known materials for {net}: {', '.join(names)}; correct the material or add a row to the normative-life table",
        )


def _check_years(
    segments: pd.DataFrame, sid: np.ndarray, reference_year: int, where: str
) -> np.ndarray:
    """Install years as floats (NaN where unknown), refusing text, future and pre-1900 years."""
    year_raw = segments["install_year"]
    year = pd.to_numeric(year_raw, errors="coerce").to_numpy(dtype=float)
    not_number = (
        np.isnan(year)
        & year_raw.notna().to_numpy()
        & (year_raw.astype(str).str.strip() != "").to_numpy()
    )
    if not_number.any():
        raise _fail(
            where,
            list(sid[not_number]),
            f"install_year {_show(year_raw.to_numpy()[not_number][0])} is not a year",
            "write a four-digit year or leave it empty if unknown",
        )
    future = year > reference_year
    if future.any():
        raise _fail(
            where,
            list(sid[future]),
            f"install_year {year[future][0]:g} is after the reference year {reference_year}",
            "correct the year or raise wear.reference_year in the recipe",
        )
    old = year < MIN_INSTALL_YEAR
    if old.any():
        raise _fail(
            where,
            list(sid[old]),
            f"install_year {year[old][0]:g} is before {MIN_INSTALL_YEAR}",
            "correct the year (a typing error?) or leave it empty if unknown",
        )
    return year


def _check_sizes(segments: pd.DataFrame, sid: np.ndarray, where: str) -> None:
    """Refuse a ``diameter_mm`` or ``length_m`` that is text or negative."""
    for column in ("diameter_mm", "length_m"):
        if column not in segments:
            continue
        raw = segments[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        text_bad = np.isnan(values) & raw.notna().to_numpy()
        if text_bad.any():
            raise _fail(
                where,
                list(sid[text_bad]),
                f"{column} {_show(raw.to_numpy()[text_bad][0])} is not a number",
                "correct it",
            )
        neg = values < 0
        if neg.any():
            raise _fail(
                where,
                list(sid[neg]),
                f"{column} {values[neg][0]:g} is negative",
                f"correct the sign ({column} is a size in {'mm' if column == 'diameter_mm' else 'm'})",
            )


def _check_grades(
    segments: pd.DataFrame, grades: pd.DataFrame | None, sid: np.ndarray, where: str
) -> np.ndarray:
    """Which segments have an inspection grade, refusing text grades and grades not in the table."""
    has_grade = np.zeros(len(segments), dtype=bool)
    if "inspection_grade" in segments:
        graw = segments["inspection_grade"]
        g = pd.to_numeric(graw, errors="coerce").to_numpy(dtype=float)
        has_grade = ~np.isnan(g)
        text_bad = (
            ~has_grade & graw.notna().to_numpy() & (graw.astype(str).str.strip() != "").to_numpy()
        )
        if text_bad.any():
            raise _fail(
                where,
                list(sid[text_bad]),
                f"inspection_grade {_show(graw.to_numpy()[text_bad][0])} is not a number",
                "write the grade as an integer or leave it empty",
            )
        if has_grade.any():
            if grades is None:
                raise _fail(
                    where,
                    list(sid[has_grade]),
                    "has an inspection_grade but no grade table was given",
                    "set tables.inspection_grades in the recipe",
                )
            allowed = set(grades["grade"].astype(int))
            unknown = has_grade & ~np.isin(g, list(allowed))
            if unknown.any():
                raise _fail(
                    where,
                    list(sid[unknown]),
                    f"inspection_grade {g[unknown][0]:g} is not in the grade table",
                    f"known grades: {', '.join(str(v) for v in sorted(allowed))}",
                )
    return has_grade


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
    log_warnings: bool = True,
) -> pd.DataFrame:
    """Wear, its source, remaining life and end-of-life year for each segment.

    The inventory is checked first (:func:`check_inventory`): errors raise,
    warnings are logged unless *log_warnings* is false (a caller that reports
    them itself).

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
    DataFrame or GeoDataFrame
        A copy of *segments* with ``life_years``, ``life_citation``,
        ``age_years``, ``age_wear_pct``, ``inspection_wear_pct``, ``wear_pct``,
        ``wear_source``, ``wear_class``, ``remaining_life_years`` and
        ``end_of_life_year``. Segments with neither an install year nor a
        grade get NaN wear, source and class ``"unknown"``.

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
    >>> segment_wear(seg, lives, reference_year=2023)["wear_pct"].tolist()
    [40.0, 100.0]
    """
    if method not in METHODS:
        msg = f"unknown wear method {method!r}; use one of {', '.join(METHODS)}"
        raise ValueError(msg)
    classes = classes or WearClasses()
    for w in check_inventory(
        segments, lives, reference_year=reference_year, grades=grades, where=where
    ):
        if log_warnings:
            log.warning(w)
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
    return out


# -- lengths and zones -----------------------------------------------------------------------
def _local_utm(gdf: gpd.GeoDataFrame) -> NDArray[np.int64]:
    """EPSG code of the UTM zone of each feature (by its representative point in WGS 84; 0 if empty)."""
    pts = to_crs(gdf[[gdf.geometry.name]], CRS.from_epsg(4326), what="segments").geometry
    pts = pts.representative_point()
    empty = pts.is_empty.to_numpy()
    lon = np.where(empty, 0.0, pts.x.to_numpy(dtype=float, na_value=0.0))
    lat = np.where(empty, 0.0, pts.y.to_numpy(dtype=float, na_value=0.0))
    zone = np.floor((lon + 180.0) / 6.0).astype(np.int64) + 1
    epsg = np.where(lat >= 0, 32600, 32700) + zone
    out = np.where(empty, 0, epsg).astype(np.int64)
    for code in sorted(set(out.tolist()) - {0}):  # validate and log once per zone
        i = int(np.flatnonzero(out == code)[0])
        utm_crs_for(float(lon[i]), float(lat[i]))
    return out


def measure_lengths(segments: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Length of each segment in metres.

    A ``length_m`` attribute wins where it is given (not NaN); otherwise the
    geometry is measured in its local UTM zone (a projected CRS is measured
    as is).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> g = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (300, 400)])], crs=32642)
    >>> measure_lengths(g).tolist()
    [500.0]
    """
    geom_len = np.full(len(segments), np.nan)
    crs = CRS.from_user_input(segments.crs) if segments.crs is not None else None
    if crs is None:
        msg = "segments have no CRS; set one before measuring lengths"
        raise DataError(msg)
    if crs.is_projected:
        geom_len = segments.geometry.length.to_numpy(dtype=float)
    else:
        zones = _local_utm(segments)
        for epsg in sorted(set(zones.tolist()) - {0}):
            sel = zones == epsg
            part = to_crs(
                segments.loc[sel, [segments.geometry.name]],
                CRS.from_epsg(int(epsg)),
                what="segments",
            )
            geom_len[sel] = part.geometry.length.to_numpy(dtype=float)
    if "length_m" in segments:
        attr = pd.to_numeric(segments["length_m"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isnan(attr), geom_len, attr)
    return geom_len


def split_by_zones(
    segments: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    zone_field: str = "zone_id",
    *,
    length_column: str = "length_m",
) -> gpd.GeoDataFrame:
    """Cut segments by zone polygons and share each segment's length by the part inside.

    The overlay runs in the UTM zone of each zone polygon. A piece's length is
    ``length × (piece length / segment length)``, with the segment's length
    taken from *length_column* (e.g. from :func:`measure_lengths`), so a
    segment half in one zone and half in another gives half its length to
    each. Parts outside every zone are dropped (the caller can compare sums).

    Parameters
    ----------
    segments : GeoDataFrame
        Lines with a ``segment_id`` and *length_column*.
    zones : GeoDataFrame
        Polygons with *zone_field*.
    zone_field : str
        Zone identifier column.
    length_column : str
        Column holding each segment's full length in metres.

    Returns
    -------
    GeoDataFrame
        One row per (segment, zone) piece, in EPSG:4326, with the segment's
        columns, *zone_field*, ``share`` (0–1) and *length_column* replaced by
        the piece's length. A *zone_field* column of *segments* is replaced by
        the zone's value.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> seg = gpd.GeoDataFrame({"segment_id": ["s"], "length_m": [1000.0]},
    ...     geometry=[LineString([(500_000, 0), (501_000, 0)])], crs=32642)
    >>> z = gpd.GeoDataFrame({"zone_id": ["a", "b"]},
    ...     geometry=[box(499_000, -10, 500_250, 10), box(500_250, -10, 502_000, 10)], crs=32642)
    >>> split_by_zones(seg, z).set_index("zone_id")["length_m"].round(6).to_dict()
    {'a': 250.0, 'b': 750.0}
    """
    if "segment_id" not in segments or length_column not in segments:
        msg = f"segments need 'segment_id' and {length_column!r} columns to be split by zone"
        raise DataError(msg)
    if zone_field not in zones:
        msg = f"zones have no {zone_field!r} column; name the zone id field"
        raise DataError(msg)
    wgs = CRS.from_epsg(4326)
    zones_w = to_crs(zones[[zone_field, zones.geometry.name]], wgs, what="zones")
    # the zone's value wins for a piece (a segment's own ``town`` would clash with the zones')
    seg_w = to_crs(segments.drop(columns=[zone_field], errors="ignore"), wgs, what="segments")
    zone_epsg = _local_utm(zones_w)
    pieces = []
    for epsg in sorted(set(zone_epsg.tolist()) - {0}):
        utm = CRS.from_epsg(int(epsg))
        z = to_crs(zones_w[zone_epsg == epsg], utm, what="zones")
        s = to_crs(seg_w, utm, what="segments")
        s = s.assign(_full_m=s.geometry.length.to_numpy(dtype=float))
        cut = gpd.overlay(s, z, how="intersection", keep_geom_type=True)
        if cut.empty:
            continue
        piece_len = cut.geometry.length.to_numpy(dtype=float)
        full = cut["_full_m"].to_numpy(dtype=float)
        share = np.divide(piece_len, full, out=np.zeros_like(piece_len), where=full > 0)
        cut["share"] = share
        cut[length_column] = cut[length_column].to_numpy(dtype=float) * share
        pieces.append(to_crs(cut.drop(columns="_full_m"), wgs, what="pieces"))
    if not pieces:
        cols = [*segments.columns.drop(segments.geometry.name), zone_field, "share"]
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=wgs)
    out = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), geometry="geometry", crs=wgs)
    return out.sort_values(["segment_id", zone_field], kind="stable").reset_index(drop=True)


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
    return ww * w / 100.0 + wp * pn


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
