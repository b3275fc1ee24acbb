"""Sanitary protection zones (SPZ, санитарно-защитная зона) by hazard class.

Kazakhstan sets preliminary SPZ widths by the hazard class of the site
(order ҚР ДСМ-2 of 11 January 2022, Appendix 1; methods-and-anchors.md §2.5.7).
The widths are data, not constants: :func:`spz_widths` reads them from an
editable, cited table (``layers/tables/spz_widths.csv``, status "unverified"
until checked against the order's text). A zone is the site footprint buffered
by its width; the footprint of a source given as a point is a disc of its
``area_m2`` (the point itself when the area is 0 or missing), because the
layer carries no site outlines. :func:`spz_conflicts` reports every zone that
overlaps residential micro-districts or agricultural land, with the overlap in
hectares computed in a projected (UTM) CRS.

Pure functions on GeoDataFrames; they never touch files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import to_crs
from geo.errors import DataError, InputError

__all__ = [
    "HAZARD_CLASSES",
    "check_hazard_classes",
    "footprints",
    "sanitary_zones",
    "spz_conflicts",
    "spz_widths",
]

HAZARD_CLASSES = ("I", "II", "III", "IV", "V")
"""Sanitary hazard classes, most hazardous first."""


def spz_widths(table: pd.DataFrame, *, where: str = "SPZ table") -> dict[str, float]:
    """Class → width (m) from a table with ``hazard_class``, ``width_m`` and ``citation``.

    Raises
    ------
    DataError
        A missing column, a class outside I–V, a repeated class, a width that is
        not a positive number, an empty citation, or a class missing.

    Examples
    --------
    >>> t = pd.DataFrame({"hazard_class": list(HAZARD_CLASSES), "width_m": [1000, 500, 300, 100, 50],
    ...                   "citation": ["x"] * 5})
    >>> spz_widths(t)["III"]
    300.0
    """
    for col in ("hazard_class", "width_m", "citation"):
        if col not in table.columns:
            msg = f"{where}: column {col!r} is missing; columns are hazard_class, width_m, citation, status"
            raise DataError(msg)
    out: dict[str, float] = {}
    for i, row in table.reset_index(drop=True).iterrows():
        line = int(str(i)) + 2  # header is line 1
        cls = str(row["hazard_class"]).strip()
        if cls not in HAZARD_CLASSES:
            msg = f"{where}:{line}: hazard_class {cls!r} is not one of {', '.join(HAZARD_CLASSES)}"
            raise DataError(msg)
        if cls in out:
            msg = f"{where}:{line}: hazard_class {cls} appears twice; keep one row per class"
            raise DataError(msg)
        try:
            width = float(row["width_m"])
        except (TypeError, ValueError):
            width = math.nan
        if not math.isfinite(width) or width <= 0:
            msg = f"{where}:{line}: width_m {row['width_m']!r} for class {cls} must be a positive number of metres"
            raise DataError(msg)
        if not str(row["citation"]).strip() or str(row["citation"]) == "nan":
            msg = f"{where}:{line}: class {cls} has no citation; say where the width comes from"
            raise DataError(msg)
        out[cls] = width
    missing = [c for c in HAZARD_CLASSES if c not in out]
    if missing:
        msg = f"{where}: no width for class(es) {', '.join(missing)}; add a row per class I–V"
        raise DataError(msg)
    return out


def check_hazard_classes(sources: gpd.GeoDataFrame, *, what: str = "enterprises") -> None:
    """Raise :class:`InputError` naming the first source whose ``hazard_class`` is not I–V."""
    if "hazard_class" not in sources.columns:
        msg = f"{what}: field hazard_class is missing; give I, II, III, IV or V per source"
        raise InputError(msg)
    ids = (
        sources["source_id"]
        if "source_id" in sources.columns
        else pd.Series(sources.index.astype(str))
    )
    for sid, cls in zip(ids, sources["hazard_class"], strict=True):
        if str(cls).strip() not in HAZARD_CLASSES:
            msg = (
                f"{what}: source {sid}: hazard_class {cls!r} is not one of "
                f"{', '.join(HAZARD_CLASSES)} (roman numerals); fix the field"
            )
            raise InputError(msg)


def footprints(sources: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoSeries:
    """Site footprints: discs of ``area_m2`` around points (points when no area), in *crs*.

    Polygons in the input are kept as they are. *crs* is the projected CRS
    the caller works in (the CRS policy of :mod:`geo.crs` chooses it).
    """
    dst = CRS.from_user_input(crs)
    g = to_crs(sources, dst, what="sources")
    area = (
        pd.to_numeric(g["area_m2"], errors="coerce").fillna(0.0).to_numpy()
        if "area_m2" in g.columns
        else np.zeros(len(g))
    )
    radius = np.sqrt(np.clip(area, 0, None) / np.pi)
    geoms = g.geometry.values
    is_point = shapely.get_type_id(geoms) == 0
    out = np.where(is_point & (radius > 0), shapely.buffer(geoms, radius, quad_segs=32), geoms)
    return gpd.GeoSeries(out, index=g.index, crs=dst)


def sanitary_zones(
    sources: gpd.GeoDataFrame,
    widths: Mapping[str, float],
    *,
    crs: CRS,
    citation: str = "",
) -> gpd.GeoDataFrame:
    """Sanitary protection zones: site footprints buffered by their class width.

    Parameters
    ----------
    sources : GeoDataFrame
        With ``source_id``, ``hazard_class`` (I–V) and optionally ``area_m2``, ``name``, ``kind``.
    widths : mapping
        Class → width in metres (:func:`spz_widths`).
    crs : pyproj.CRS
        Projected CRS to buffer in, chosen by the caller (the sources' UTM
        zone under the CRS policy of :mod:`geo.crs`).
    citation : str
        Stored in each zone's ``citation`` field.

    Returns
    -------
    GeoDataFrame
        ``source_id, name, kind, hazard_class, width_m, zone_area_ha, citation``
        and the zone polygon, in the projected CRS.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> src = gpd.GeoDataFrame({"source_id": ["a"], "hazard_class": ["IV"], "area_m2": [0.0]},
    ...                        geometry=[Point(500000, 4800000)], crs=32642)
    >>> z = sanitary_zones(src, {"I": 1000, "II": 500, "III": 300, "IV": 100, "V": 50}, crs=src.crs)
    >>> round(float(z["zone_area_ha"].iloc[0]), 2)  # π · 100² m² = 3.14 ha
    3.14
    """
    check_hazard_classes(sources)
    dst = CRS.from_user_input(crs)
    fp = footprints(sources, dst)
    cls = sources["hazard_class"].astype(str).str.strip().to_numpy()
    width = np.array([float(widths[c]) for c in cls])
    zones = shapely.buffer(fp.values, width, quad_segs=32)
    out = gpd.GeoDataFrame(
        {
            "source_id": sources["source_id"].astype(str).to_numpy(),
            "name": sources["name"].astype(str).to_numpy()
            if "name" in sources
            else sources["source_id"].astype(str).to_numpy(),
            **{
                col: sources[col].astype(str).to_numpy()
                for col in ("name_kk", "name_ru")
                if col in sources
            },
            "kind": sources["kind"].astype(str).to_numpy() if "kind" in sources else "",
            "hazard_class": cls,
            "width_m": width,
        },
        geometry=zones,
        crs=dst,
    )
    out["zone_area_ha"] = out.geometry.area / 10_000
    out["citation"] = citation
    return out


def spz_conflicts(
    zones: gpd.GeoDataFrame,
    residential: gpd.GeoDataFrame | None = None,
    agricultural: gpd.GeoDataFrame | None = None,
    *,
    residential_id: str = "zone_id",
    agricultural_id: str | None = None,
    min_area_m2: float = 1.0,
) -> gpd.GeoDataFrame:
    """Overlaps of sanitary zones with residential areas and agricultural land.

    Parameters
    ----------
    zones : GeoDataFrame
        From :func:`sanitary_zones` (projected CRS).
    residential, agricultural : GeoDataFrame, optional
        Polygons in any CRS (reprojected to the zones' CRS).
    residential_id, agricultural_id : str
        Id field of each target layer (the row index when missing).
    min_area_m2 : float
        Overlaps smaller than this (slivers) are dropped.

    Returns
    -------
    GeoDataFrame
        One row per (zone, target feature) with ``source_id, hazard_class, width_m,
        conflict`` (``residential`` | ``agricultural``), ``target_id, target_name,
        target_name_kk, target_name_ru, overlap_ha, target_share_pct`` (the
        target's Kazakh and Russian names where it has them, else its name) and
        the overlap polygon. Areas are computed in the zones' projected CRS.

    Raises
    ------
    InputError
        The zones are not in a projected CRS.
    """
    if zones.crs is None or not CRS(zones.crs).is_projected:
        msg = "sanitary zones must be in a projected CRS (metres) to measure overlaps; use sanitary_zones()"
        raise InputError(msg)
    rows: list[dict[str, object]] = []
    geoms: list[object] = []
    for conflict, target, id_field in (
        ("residential", residential, residential_id),
        ("agricultural", agricultural, agricultural_id),
    ):
        if target is None or target.empty:
            continue
        t = to_crs(target, zones.crs, what=f"{conflict} land")
        t = t[t.geometry.notna() & ~t.geometry.is_empty]
        tid = (
            t[id_field].astype(str).to_numpy()
            if id_field and id_field in t
            else t.index.astype(str).to_numpy()
        )
        tname = t["name"].astype(str).to_numpy() if "name" in t else tid
        local = {
            lang: t[f"name_{lang}"].astype(str).to_numpy() if f"name_{lang}" in t else tname
            for lang in ("kk", "ru")
        }
        tarea = t.geometry.area.to_numpy()
        zi, ti = t.sindex.query(zones.geometry.values, predicate="intersects")
        inter = shapely.intersection(zones.geometry.values[zi], t.geometry.values[ti])
        area = shapely.area(inter)
        for k in np.argsort(zi * len(t) + ti, kind="stable"):
            if area[k] < min_area_m2:
                continue
            z = zones.iloc[int(zi[k])]
            j = int(ti[k])
            rows.append(
                {
                    "source_id": z["source_id"],
                    "hazard_class": z["hazard_class"],
                    "width_m": float(z["width_m"]),
                    "conflict": conflict,
                    "target_id": tid[j],
                    "target_name": tname[j],
                    "target_name_kk": local["kk"][j],
                    "target_name_ru": local["ru"][j],
                    "overlap_ha": float(area[k]) / 10_000,
                    "target_share_pct": 100.0 * float(area[k]) / float(tarea[j])
                    if tarea[j] > 0
                    else np.nan,
                }
            )
            geoms.append(inter[k])
    cols = [
        "source_id",
        "hazard_class",
        "width_m",
        "conflict",
        "target_id",
        "target_name",
        "target_name_kk",
        "target_name_ru",
        "overlap_ha",
        "target_share_pct",
    ]
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=zones.crs)
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=geoms, crs=zones.crs)
