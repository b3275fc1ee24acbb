"""Checks of a utility-network segment inventory.

Pure functions on DataFrames; nothing here opens a file.

:func:`check_inventory` refuses impossible segments (install year in the
future or before 1900, unknown network or material, negative length or
diameter, unknown inspection grade) with a one-line
:class:`~geo.errors.DataError` naming the segment id, and returns the
warnings (missing install years) as one-line texts.

Examples
--------
>>> import pandas as pd
>>> from geo.models.wear.inventory import check_inventory
>>> lives = pd.DataFrame({"network": ["water"], "material": ["steel"]})
>>> seg = pd.DataFrame({"segment_id": ["a", "b"], "network": "water", "material": "steel",
...     "diameter_mm": 100.0, "install_year": [2013, None]})
>>> len(check_inventory(seg, lives, reference_year=2023))
1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.errors import DataError
from geo.models.wear.tables import NETWORKS, _require_columns, _show

MIN_INSTALL_YEAR = 1900
"""Install years before this are refused as typing errors."""

_MAX_IDS = 5


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
