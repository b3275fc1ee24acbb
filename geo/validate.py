"""Check data against what the catalog expects of a layer.

Two entry points:

* :func:`prepare_vector` / :func:`check_table` run when a layer is loaded
  (catalog or ``--layer`` override) and raise on the first blocking problem,
  repairing invalid geometries where that is safe (with a warning that counts
  them).
* :func:`validate_file` backs ``geo validate``: it streams a file in chunks of
  features (so a large file is never loaded whole) and reports *every*
  problem it finds.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import DataError, GeometryError, IndicatorError, RepairWarning
from geo.layerspec import GEOMETRY_FAMILIES, LayerSpec

__all__ = ["Problem", "check_table", "prepare_vector", "validate_file"]

log = logging.getLogger(__name__)

_TYPES = {"str": "text", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`validate_file`."""

    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


# -- loading-time checks (raise) ------------------------------------------------
def prepare_vector(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    """Check *gdf* against *spec* and repair invalid geometries where safe.

    Raises
    ------
    GeometryError
        Wrong geometry type, or invalid geometries whose repair would change
        their kind (a polygon collapsing to a line).
    DataError
        A required field is missing, or a value is out of range.
    """
    problems = list(_frame_problems(gdf, spec, where, offset=0))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0].message
        more = (
            f" (and {len(errors) - 1} more problem(s); run `geo validate {where} --as {spec.id}`)"
            if len(errors) > 1
            else ""
        )
        exc = GeometryError if "geometr" in first else DataError
        raise exc(first + more)
    return repair_geometries(gdf, spec, where)


def repair_geometries(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    """Make invalid geometries valid, refusing repairs that change the geometry's kind."""
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not invalid.any():
        return gdf
    fixed = shapely.make_valid(geoms[invalid])
    family = GEOMETRY_FAMILIES.get(spec.geometry or "", set())
    kept = []
    for i, g in zip(np.flatnonzero(invalid), fixed, strict=True):
        if g.geom_type == "GeometryCollection":
            parts = [p for p in g.geoms if p.geom_type in family]
            g = shapely.union_all(parts) if parts else g
        if family and g.geom_type not in family:
            fid = gdf.index[i]
            msg = (
                f"{where}: feature {fid} has an invalid geometry that cannot be repaired "
                f"without becoming a {g.geom_type}; fix it in a GIS (e.g. QGIS 'Fix geometries')"
            )
            raise GeometryError(msg)
        kept.append(g)
    out = gdf.copy()
    new = out.geometry.values.copy()
    new[invalid] = kept
    out = out.set_geometry(gpd.GeoSeries(new, index=out.index, crs=out.crs))
    n = int(invalid.sum())
    warnings.warn(
        f"{where}: repaired {n} invalid geometr{'y' if n == 1 else 'ies'} with make_valid",
        RepairWarning,
        stacklevel=3,
    )
    return out


def _frame_problems(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str, offset: int
) -> Iterator[Problem]:
    family = GEOMETRY_FAMILIES.get(spec.geometry or "", set())
    types = gdf.geometry.geom_type
    wrong = types[~types.isin(family) & types.notna()]
    if family and len(wrong):
        yield Problem(
            "error",
            f"{where}: {len(wrong)} feature(s) are {wrong.iloc[0]} but layer {spec.id!r} needs "
            f"{spec.geometry} geometries; export the right layer or convert the geometries",
        )
    missing = [f for f in spec.fields if f not in gdf.columns]
    for f in missing:
        yield Problem(
            "error",
            f"{where}: required field {f!r} ({_TYPES.get(spec.fields[f], spec.fields[f])}) is missing "
            f"for layer {spec.id!r}; add it or rename the matching column",
        )
    yield from _range_problems(gdf, spec, where, offset)
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0]) + offset
        reason = shapely.is_valid_reason(geoms[invalid][0])
        yield Problem(
            "warning",
            f"{where}: {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(first: feature {first}, {reason}); they will be repaired with make_valid",
        )
    nulls = int(shapely.is_missing(geoms).sum())
    if nulls:
        yield Problem(
            "warning", f"{where}: {nulls} feature(s) have no geometry and will be ignored"
        )


def _position(i: int, *, table: bool) -> str:
    """Name the i-th record (0-based): "row 3 (line 4)" in a CSV table, "feature 2" in a layer."""
    return f"row {i + 1} (line {i + 2})" if table else f"feature {i}"


def _range_problems(
    df: pd.DataFrame, spec: LayerSpec, where: str, offset: int, *, table: bool = False
) -> Iterator[Problem]:
    for name, (lo, hi) in spec.ranges.items():
        if name not in df.columns:
            continue
        values = pd.to_numeric(df[name], errors="coerce")
        bad_type = values.isna() & df[name].notna()
        if bad_type.any():
            i = int(np.flatnonzero(bad_type.to_numpy())[0])
            yield Problem(
                "error",
                f"{where}: {_position(i + offset, table=table)}, field {name!r}: "
                f"{df[name].iloc[i]!r} is not a number",
            )
        out = (values < lo) | (values > hi)
        if out.any():
            i = int(np.flatnonzero(out.to_numpy())[0])
            fix = "percentages are 0–100" if (lo, hi) == (0, 100) else "correct the value"
            yield Problem(
                "error",
                f"{where}: {_position(i + offset, table=table)}, field {name!r}: "
                f"{values.iloc[i]:g} is outside {lo:g}–{hi:g}; {fix}",
            )


def check_table(df: pd.DataFrame, spec: LayerSpec, where: str) -> None:
    """Check a table's required fields, ranges and sums; raise on the first problem."""
    for f in spec.fields:
        if f not in df.columns:
            msg = f"{where}: required column {f!r} is missing for table {spec.id!r}; add it"
            raise IndicatorError(msg)
    for p in _range_problems(df, spec, where, offset=0, table=True):
        raise IndicatorError(p.message)
    if spec.sums_to:
        col, total, tol = (
            spec.sums_to["field"],
            float(spec.sums_to["total"]),
            float(spec.sums_to["tolerance"]),
        )
        s = float(pd.to_numeric(df[col], errors="coerce").sum())
        if abs(s - total) > tol:
            msg = (
                f"{where}: {col!r} sums to {s:g}, not {total:g} (±{tol:g}); the shares must add up"
            )
            raise IndicatorError(msg)


# -- geo validate (report everything, stream) ------------------------------------
def validate_file(
    path: str | Path, spec: LayerSpec, *, layer: str | None = None, chunk_size: int = 10_000
) -> list[Problem]:
    """Check a user's file against the catalog entry *spec*, reading it in chunks.

    Returns every problem found (an empty list means the file is usable). The
    file is read ``chunk_size`` features at a time with pyogrio, so memory
    stays bounded whatever the file's size.
    """
    p = Path(path)
    where = str(p)
    problems: list[Problem] = []
    if not p.exists():
        return [Problem("error", f"{where}: file not found; check the path")]
    if spec.kind == "table":
        try:
            df = pd.read_csv(p, encoding="utf-8")
            check_table(df, spec, where)
        except (IndicatorError, ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem("error", str(exc).splitlines()[0]))
        return problems
    if spec.kind == "raster":
        from geo.io import read_raster

        try:
            r = read_raster(p, what=f"layer {spec.id!r}")
        except DataError as exc:
            return [Problem("error", str(exc))]
        lo, hi = spec.ranges.get("value", (-np.inf, np.inf))
        vals = r.array[np.isfinite(r.array)]
        if vals.size and (vals.min() < lo or vals.max() > hi):
            problems.append(
                Problem(
                    "error",
                    f"{where}: values {vals.min():g}–{vals.max():g} fall outside {lo:g}–{hi:g}",
                )
            )
        return problems
    try:
        info = pyogrio.read_info(p, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        return [
            Problem(
                "error",
                f"{where}: not a readable vector file or truncated ({str(exc).splitlines()[0]})",
            )
        ]
    if not info.get("crs"):
        problems.append(Problem("error", f"{where}: no CRS; add a .prj or re-save with a CRS"))
    total = int(info.get("features") or 0)
    if total == 0:
        problems.append(Problem("error", f"{where}: the layer has no features"))
        return problems
    sources = spec.field_sources(list(info.get("fields", [])))
    for f in spec.fields:
        if f not in sources:
            problems.append(
                Problem(
                    "error",
                    f"{where}: required field {f!r} ({_TYPES.get(spec.fields[f], spec.fields[f])}) is missing; add it",
                )
            )
    seen_type_error = False
    for start in range(0, total, chunk_size):
        try:
            chunk = pyogrio.read_dataframe(
                p, layer=layer, skip_features=start, max_features=chunk_size
            )
        except Exception as exc:
            problems.append(
                Problem(
                    "error",
                    f"{where}: reading failed at feature {start} ({str(exc).splitlines()[0]}); the file may be truncated",
                )
            )
            break
        for prob in _frame_problems(chunk, spec, where, offset=start):
            if "required field" in prob.message:
                continue  # reported once above
            if "geometries; export" in prob.message:
                if seen_type_error:
                    continue
                seen_type_error = True
            problems.append(prob)
    return problems
