"""Every check of a layer, in one place: the build and ``geo validate`` call the same code.

The checks are generators of :class:`Problem` over (data, spec, resolver):

* :func:`frame_problems` — a vector layer (or a chunk of one): geometry type,
  required fields, ranges, references, invalid and unrepairable geometries;
* :func:`table_problems` — a CSV table: required columns, ranges, sums,
  references;
* :func:`raster_problems` — a raster: values within the layer's range.

A *resolver* is anything with ``read(layer_id)`` (the :class:`~geo.catalog.Catalog`
passes itself): reference checks read the referenced layer through it.

Two ways to use them:

* :func:`prepare_vector`, :func:`check_table`, :func:`check_raster` run when a
  layer is loaded (catalog or ``--layer`` override) and raise on the first
  blocking problem, repairing invalid geometries where that is safe (with a
  warning that counts them).
* :func:`validate_file` backs ``geo validate``: it reads a vector file in one
  pass with fiona's record iterator, ``chunk_size`` records at a time (so a
  large file is never loaded whole, whatever feature count the driver
  reports), runs the same checks on each chunk and reports *every* problem; a
  corrupt record is reported with its index and the scan goes on.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# shapely first, so its GEOS is loaded before the GDAL-bearing wheels (pyogrio; fiona, lazily)
import shapely
import shapely.geometry

import geopandas as gpd  # isort: skip
import numpy as np
import pandas as pd

from geo.errors import (
    AtlasError,
    CRSError,
    DataError,
    GeometryError,
    IndicatorError,
    RepairWarning,
)
from geo.layerspec import GEOMETRY_FAMILIES, LayerSpec
from geo.raster import Raster, finite_range

__all__ = [
    "LayerResolver",
    "Problem",
    "check_raster",
    "check_table",
    "frame_problems",
    "prepare_vector",
    "raster_problems",
    "repair_geometries",
    "table_problems",
    "validate_file",
]

log = logging.getLogger(__name__)

_TYPES = {"str": "text", "int": "integer", "float": "number", "bool": "boolean"}

_ONCE_PER_FILE = ("field", "geometry-type")
"""Problem kinds that :func:`validate_file` reports once per file, not once per chunk."""


class LayerResolver(Protocol):
    """What reference checks need: a way to read the referenced layer (the Catalog)."""

    def read(self, layer_id: str) -> Any:
        """The layer *layer_id* (a GeoDataFrame or a DataFrame)."""
        ...


@dataclass(frozen=True)
class Problem:
    """One finding of a check.

    Attributes
    ----------
    severity : str
        ``"error"`` (the build refuses the data) or ``"warning"``.
    message : str
        One line naming the file, the feature or row, and the fix.
    error : type of AtlasError
        The exception the build raises for it.
    kind : str
        What was checked (``field``, ``geometry-type``, ``range``, ``reference``, ...).
    """

    severity: str
    message: str
    error: type[AtlasError] = DataError
    kind: str = ""

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _position(index: Any, *, table: bool) -> str:
    """Name a record by its 0-based index: "row 3 (line 4)" in a CSV table, "feature 2" in a layer."""
    return f"row {index + 1} (line {index + 2})" if table else f"feature {index}"


def _named(df: pd.DataFrame, spec: LayerSpec, i: int, *, table: bool) -> str:
    """The record at position *i*, with its id where the layer has one ("feature 3 (source_id 'ZH-CHP-01')")."""
    where = _position(df.index[i], table=table)
    uid = spec.unique[0] if spec.unique else None
    if uid and uid in df.columns and not table:
        where += f" ({uid} {df[uid].iloc[i]!r})"
    return where


def _raise_first(problems: list[Problem], hint: str = "") -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        more = (
            f" (and {len(errors) - 1} more problem(s); {hint})" if hint and len(errors) > 1 else ""
        )
        raise errors[0].error(errors[0].message + more)


# -- the checks (yield every problem) ----------------------------------------------
MIN_RASTER_CELLS = 3
"""Fewest rows and columns a raster layer may have."""


def frame_problems(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str, resolver: LayerResolver
) -> Iterator[Problem]:
    """Every problem of a vector layer (or a chunk of one) against its catalog entry.

    Features are named by their index in *gdf* (the position in the file).
    """
    family = GEOMETRY_FAMILIES.get(spec.geometry or "", set())
    types = gdf.geometry.geom_type
    wrong = types[~types.isin(family) & types.notna()]
    if family and len(wrong):
        yield Problem(
            "error",
            f"{where}: {len(wrong)} feature(s) are {wrong.iloc[0]} but layer {spec.id!r} needs "
            f"{spec.geometry} geometries; export the right layer or convert the geometries",
            GeometryError,
            "geometry-type",
        )
    for f in spec.fields:
        if f not in gdf.columns:
            yield Problem(
                "error",
                f"{where}: required field {f!r} ({_TYPES.get(spec.fields[f], spec.fields[f])}) "
                f"is missing for layer {spec.id!r}; add it or rename the matching column",
                DataError,
                "field",
            )
    yield from _range_problems(gdf, spec, where, table=False)
    yield from _finite_problems(gdf, spec, where)
    yield from _unique_problems(gdf, spec, where)
    yield from _reference_problems(gdf, spec, where, resolver, table=False)
    yield from _coordinate_problems(gdf, spec, where)
    yield from _repaired(gdf, spec, where)[2]
    yield from _geometry_warnings(gdf, where)


def _finite_problems(df: pd.DataFrame, spec: LayerSpec, where: str) -> Iterator[Problem]:
    """Fields that must be finite numbers: no NaN, no infinity (it would reach the GeoPackage)."""
    for name in spec.finite:
        if name not in df.columns:
            continue
        values = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(values) | (np.isinf(values) & (name not in spec.ranges))  # ranged: above
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            shown = "empty" if pd.isna(df[name].iloc[i]) else f"{float(values[i]):g}"
            yield Problem(
                "error",
                f"{where}: {_named(df, spec, i, table=False)}, field {name!r}: "
                f"{shown} is not a finite number; give the measured value",
                DataError,
                "finite",
            )


def _unique_problems(df: pd.DataFrame, spec: LayerSpec, where: str) -> Iterator[Problem]:
    """Identifying fields: no two features may share a value."""
    for name in spec.unique:
        if name not in df.columns:
            continue
        dup = df[name].duplicated(keep="first").to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            value = df[name].iloc[i]
            first = df.index[int(np.flatnonzero((df[name] == value).to_numpy())[0])]
            yield Problem(
                "error",
                f"{where}: {_position(df.index[i], table=False)}, field {name!r}: {value!r} "
                f"is also the {name} of feature {first}; each feature needs its own",
                DataError,
                "unique",
            )


def _coordinate_problems(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> Iterator[Problem]:
    """Coordinates that cannot be what the CRS says, or lie far from the region of the atlas."""
    from pyproj import CRS

    from geo.crs import REGION, WGS84, to_crs

    geoms = gdf.geometry
    if gdf.crs is None or geoms.isna().all() or geoms.is_empty.all():
        return
    w, s, e, n = (float(v) for v in geoms.total_bounds)
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic and (w < -180 or e > 180 or s < -90 or n > 90):
        yield Problem(
            "error",
            f"{where}: coordinates up to {max(abs(w), abs(e), abs(s), abs(n)):.0f} are not degrees, "
            f"though the CRS says {crs.name}; they look like metres: set the file's real CRS",
            CRSError,
            "crs",
        )
        return
    pts = gpd.GeoSeries(geoms.representative_point(), crs=gdf.crs)  # points only: cheap
    if not crs.is_geographic or not crs.equals(WGS84):
        try:
            pts = to_crs(gpd.GeoDataFrame(geometry=pts), WGS84, what=where).geometry
        except (DataError, ValueError):
            return
    rw, rs, re_, rn = REGION
    outside = ~((pts.x >= rw) & (pts.x <= re_) & (pts.y >= rs) & (pts.y <= rn)).to_numpy()
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        x, y = float(pts.x.iloc[i]), float(pts.y.iloc[i])
        swapped = rw <= y <= re_ and rs <= x <= rn
        hint = (
            "longitude and latitude look swapped: swap the axes or fix the CRS"
            if swapped
            else "is the CRS right? (or give features of the region)"
        )
        yield Problem(
            "error",
            f"{where}: {int(outside.sum())} feature(s) lie outside Kazakhstan and its neighbours "
            f"(first: feature {gdf.index[i]} at {x:.4g} E, {y:.4g} N); {hint}",
            CRSError,
            "region",
        )


def _geometry_warnings(gdf: gpd.GeoDataFrame, where: str) -> Iterator[Problem]:
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if invalid.any():
        first = gdf.index[int(np.flatnonzero(invalid)[0])]
        reason = shapely.is_valid_reason(geoms[invalid][0])
        yield Problem(
            "warning",
            f"{where}: {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(first: feature {first}, {reason}); they will be repaired with make_valid",
            GeometryError,
            "invalid",
        )
    nulls = int(shapely.is_missing(geoms).sum())
    if nulls:
        yield Problem(
            "warning",
            f"{where}: {nulls} feature(s) have no geometry and will be ignored",
            GeometryError,
            "empty-geometry",
        )


def _repaired(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str
) -> tuple[Any, list[Any], list[Problem]]:
    """The invalid mask, the repaired geometries, and the repairs refused (kind would change)."""
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not invalid.any():
        return invalid, [], []
    family = GEOMETRY_FAMILIES.get(spec.geometry or "", set())
    kept, refused = [], []
    for i, g in zip(np.flatnonzero(invalid), shapely.make_valid(geoms[invalid]), strict=True):
        if g.geom_type == "GeometryCollection":
            parts = [p for p in g.geoms if p.geom_type in family]
            g = shapely.union_all(parts) if parts else g
        if family and g.geom_type not in family:
            refused.append(
                Problem(
                    "error",
                    f"{where}: feature {gdf.index[i]} has an invalid geometry that cannot be repaired "
                    f"without becoming a {g.geom_type}; fix it in a GIS (e.g. QGIS 'Fix geometries')",
                    GeometryError,
                    "repair",
                )
            )
        kept.append(g)
    return invalid, kept, refused


def _range_problems(
    df: pd.DataFrame, spec: LayerSpec, where: str, *, table: bool
) -> Iterator[Problem]:
    error = IndicatorError if table else DataError
    for name, (lo, hi) in spec.ranges.items():
        if name not in df.columns:
            continue
        values = pd.to_numeric(df[name], errors="coerce")
        bad_type = values.isna() & df[name].notna()
        if bad_type.any():
            i = int(np.flatnonzero(bad_type.to_numpy())[0])
            yield Problem(
                "error",
                f"{where}: {_named(df, spec, i, table=table)}, field {name!r}: "
                f"{df[name].iloc[i]!r} is not a number",
                error,
                "range",
            )
        out = (values < lo) | (values > hi)
        if out.any():
            i = int(np.flatnonzero(out.to_numpy())[0])
            fix = "percentages are 0–100" if (lo, hi) == (0, 100) else "correct the value"
            yield Problem(
                "error",
                f"{where}: {_named(df, spec, i, table=table)}, field {name!r}: "
                f"{values.iloc[i]:g} is outside {lo:g}–{hi:g}; {fix}",
                error,
                "range",
            )


def _reference_problems(
    df: pd.DataFrame, spec: LayerSpec, where: str, resolver: LayerResolver, *, table: bool
) -> Iterator[Problem]:
    """Every value of a referencing column must name a feature of the referenced layer."""
    for column, target in spec.references.items():
        if column not in df.columns:
            continue  # reported as a missing field
        layer_id, _, target_field = target.partition(".")
        known = sorted({str(v) for v in resolver.read(layer_id)[target_field]})
        for index, value in zip(df.index, df[column].astype(str), strict=True):
            if value not in known:
                close = difflib.get_close_matches(value, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
                yield Problem(
                    "error",
                    f"{where}: {_position(index, table=table)}, field {column!r}: {value!r} "
                    f"matches no {layer_id} feature; {hint}",
                    IndicatorError if table else DataError,
                    "reference",
                )


def table_problems(
    df: pd.DataFrame, spec: LayerSpec, where: str, resolver: LayerResolver
) -> Iterator[Problem]:
    """Every problem of a CSV table: required columns, ranges, sums and references."""
    for f in spec.fields:
        if f not in df.columns:
            yield Problem(
                "error",
                f"{where}: required column {f!r} is missing for table {spec.id!r}; add it",
                IndicatorError,
                "field",
            )
    yield from _range_problems(df, spec, where, table=True)
    if spec.sums_to and spec.sums_to["field"] in df.columns:
        col, total, tol = (
            spec.sums_to["field"],
            float(spec.sums_to["total"]),
            float(spec.sums_to["tolerance"]),
        )
        s = float(pd.to_numeric(df[col], errors="coerce").sum())
        if abs(s - total) > tol:
            yield Problem(
                "error",
                f"{where}: {col!r} sums to {s:g}, not {total:g} (±{tol:g}); the shares must add up",
                IndicatorError,
                "sum",
            )
    yield from _reference_problems(df, spec, where, resolver, table=True)


def raster_problems(r: Raster, spec: LayerSpec, where: str) -> Iterator[Problem]:
    """Too few cells to work with, and values outside the layer's ``value`` range."""
    if min(r.shape) < MIN_RASTER_CELLS:
        yield Problem(
            "error",
            f"{where}: {r.shape[1]} × {r.shape[0]} cells; a raster needs at least "
            f"{MIN_RASTER_CELLS} × {MIN_RASTER_CELLS} (slope reads a 3 × 3 window): give the whole raster",
            DataError,
            "size",
        )
        return
    lo, hi = spec.ranges.get("value", (-np.inf, np.inf))
    found = finite_range(r.array)
    if found is not None and (found[0] < lo or found[1] > hi):
        yield Problem(
            "error",
            f"{where}: values {found[0]:g}–{found[1]:g} fall outside {lo:g}–{hi:g}",
            DataError,
            "range",
        )


# -- loading-time checks (raise on the first error) -------------------------------
def prepare_vector(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str, resolver: LayerResolver
) -> gpd.GeoDataFrame:
    """Check *gdf* against *spec* and repair invalid geometries where safe.

    Raises
    ------
    GeometryError
        Wrong geometry type, or invalid geometries whose repair would change
        their kind (a polygon collapsing to a line).
    DataError
        A required field is missing, a value is out of range, or a reference
        names no feature of the referenced layer.
    """
    problems = list(frame_problems(gdf, spec, where, resolver))
    _raise_first(problems, f"run `geo validate {where} --as {spec.id}`")
    return repair_geometries(gdf, spec, where)


def repair_geometries(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    """Make invalid geometries valid, refusing repairs that change the geometry's kind."""
    invalid, kept, refused = _repaired(gdf, spec, where)
    _raise_first(refused)
    if not invalid.any():
        return gdf
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


def check_table(df: pd.DataFrame, spec: LayerSpec, where: str, resolver: LayerResolver) -> None:
    """Check a table's required fields, ranges, sums and references; raise on the first problem."""
    _raise_first(list(table_problems(df, spec, where, resolver)))


def check_raster(r: Raster, spec: LayerSpec, where: str) -> None:
    """Check a raster's values against the layer's range; raise on the first problem."""
    _raise_first(list(raster_problems(r, spec, where)))


# -- geo validate (report everything, one pass) -------------------------------------
def validate_file(
    path: str | Path,
    spec: LayerSpec,
    resolver: LayerResolver,
    *,
    layer: str | None = None,
    chunk_size: int = 10_000,
) -> list[Problem]:
    """Check a user's file against the catalog entry *spec*, with the build's own checks.

    Returns every problem found (an empty list means the build accepts the
    file). A vector file is read once with fiona's record iterator,
    ``chunk_size`` records at a time, so memory stays bounded whatever the
    file's size and whatever feature count its driver reports (GML: -1).
    """
    from geo.io import read_raster, read_table

    p = Path(path)
    where = str(p)
    if not p.exists():
        return [Problem("error", f"{where}: file not found; check the path")]
    try:
        if spec.kind == "table":
            return list(
                table_problems(read_table(p, what=f"layer {spec.id!r}"), spec, where, resolver)
            )
        if spec.kind == "raster":
            return list(raster_problems(read_raster(p, what=f"layer {spec.id!r}"), spec, where))
        return _scan_vector(p, spec, resolver, layer, chunk_size)
    except AtlasError as exc:
        return [Problem("error", _first_line(exc), type(exc))]


def _scan_vector(
    p: Path, spec: LayerSpec, resolver: LayerResolver, layer: str | None, chunk_size: int
) -> list[Problem]:
    import fiona  # only `geo validate` needs it; the build never loads fiona's GDAL

    where = str(p)
    try:
        if layer is not None and layer not in (names := fiona.listlayers(p)):
            known = ", ".join(repr(n) for n in names) or "none"
            msg = (
                f"{where}: has no layer {layer!r} (its layers: {known}); give one with --layer-name"
            )
            return [Problem("error", msg)]
        src = fiona.open(p, layer=layer)
    except (fiona.errors.FionaError, OSError, ValueError) as exc:
        return [
            Problem(
                "error", f"{where}: not a readable vector file or truncated ({_first_line(exc)})"
            )
        ]
    problems: list[Problem] = []
    with src:
        if src.schema.get("geometry") in (None, "None"):
            msg = f"{where}: has no geometry column; give a spatial file for layer {spec.id!r}"
            return [Problem("error", msg)]
        if not src.crs_wkt:
            problems.append(Problem("error", f"{where}: no CRS; add a .prj or re-save with a CRS"))
        columns = list(src.schema["properties"])
        renames = {col: name for name, col in spec.field_sources(columns).items() if col != name}
        count, seen = 0, set()
        for chunk in _chunks(src, where, chunk_size, problems):
            count += len(chunk)
            for prob in frame_problems(chunk.rename(columns=renames), spec, where, resolver):
                key = prob.kind if prob.kind == "geometry-type" else prob.message
                if prob.kind in _ONCE_PER_FILE:
                    if key in seen:
                        continue
                    seen.add(key)
                problems.append(prob)
    if count == 0 and not any(p.kind == "corrupt" for p in problems):
        problems.append(Problem("error", f"{where}: the layer has no features"))
    return problems


def _chunks(
    src: Any, where: str, chunk_size: int, problems: list[Problem]
) -> Iterator[gpd.GeoDataFrame]:
    """GeoDataFrames of up to *chunk_size* records, indexed by position in the file."""
    crs = src.crs_wkt or None
    columns = list(src.schema["properties"])
    index: list[int] = []
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for i, props, geom in _records(src, where, problems):
        index.append(i)
        rows.append(props)
        geoms.append(geom)
        if len(index) == chunk_size:
            yield _frame(index, rows, geoms, columns, crs)
            index, rows, geoms = [], [], []
    if index:
        yield _frame(index, rows, geoms, columns, crs)


def _frame(
    index: list[int],
    rows: list[dict[str, Any]],
    geoms: list[Any],
    columns: list[str],
    crs: str | None,
) -> gpd.GeoDataFrame:
    df = pd.DataFrame.from_records(rows, index=index, columns=columns)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=index, crs=crs))


def _records(
    src: Any, where: str, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any], Any]]:
    """(index, properties, shapely geometry) of every record; a corrupt one becomes a problem."""
    records = iter(src)
    i = 0
    while True:
        try:
            feature = next(records)
            props = dict(feature.properties)
            geom = shapely.geometry.shape(feature.geometry) if feature.geometry else None
        except StopIteration:
            return
        except Exception as exc:  # one corrupt record must not end the scan
            problems.append(
                Problem(
                    "error",
                    f"{where}: feature {i} cannot be read ({_first_line(exc)}); "
                    "fix or delete it in a GIS",
                    GeometryError,
                    "corrupt",
                )
            )
        else:
            yield i, props, geom
        i += 1
