"""``atlas.gpkg``: every layer of the atlas in one GeoPackage that opens styled in QGIS.

What the file holds (checked with GDAL's ``validate_gpkg.py`` and QGIS 3.22 in
``tests/test_gpkg.py`` and ``tests/test_qgis.py``):

- one table per :class:`~geo.themes.base.VectorLayer`: ASCII snake_case name
  (unique across themes: a later duplicate is prefixed with its theme id),
  geometry column ``geom``, spatial index, lines and polygons always
  multi-part (points when the layer mixes Point and MultiPoint), the human
  title and description in ``gpkg_contents.identifier``/``description`` in
  the build's language; GeoPackage version 1.2 (QGIS 3.22/GDAL 3.6 warn on 1.4);
- one raster table per :class:`~geo.themes.base.RasterLayer`, as an OGC 2D
  gridded coverage (Float32 with NaN no-data for continuous values,
  UInt16/Int16 with ``data_null`` for classes and 8/16-bit values), so QGIS
  reads the values, not colours, and styles them from the project. The COGs
  in ``rasters/`` hold the same grids;
- ``layer_styles``: one QML style per vector table (QGIS's own schema,
  ``f_table_schema = ''``, ``f_geometry_column = 'geom'``, exactly one
  ``useAsDefault`` row per table), registered in ``gpkg_contents`` as
  attributes. QGIS applies it when the layer is added from the file;
- metadata per layer in ``gpkg_metadata``/``gpkg_metadata_reference``: the
  QGIS metadata document (``md_standard_uri = 'http://mrcc.com/qgis.dtd'``,
  shown by QGIS in Layer Properties → Metadata: title, abstract, theme and
  synthetic keywords, source/method/parameters as history, licence) and, for
  vector tables, GDAL metadata items (``SOURCE``, ``LICENCE``, ``SYNTHETIC``,
  ``METHOD``, ``PARAMETERS``, read by ``ogrinfo``);
- ``qgis_projects``: the project ``atlas`` (layer tree grouped by theme, base
  layers at the bottom, raster colour ramps set, sources relative to the
  GeoPackage), see :mod:`geo.writers.qgis_project`.

No QGIS is needed: pyogrio writes the vector tables, rasterio the coverages,
:mod:`sqlite3` the styles, metadata and project. Timestamps inside the file are
fixed (``SOURCE_DATE_EPOCH`` when set, else 2000-01-01) so the same inputs
give the same bytes. The file is written under a temporary name next to
*path* and renamed at the end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
from pyproj import CRS
from rasterio.windows import Window

from geo.errors import CRSError, DataError, GeometryError, InputError
from geo.i18n import LANGUAGES, Text, message, tr
from geo.raster import BAND_CELLS, Raster, bands
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import RasterClasses
from geo.writers.geometry import MULTI_TYPES, geom_types, multi_type
from geo.writers.legend import id_names, id_value_maps
from geo.writers.qgis_project import (
    LayerMeta,
    ProjectGroup,
    ProjectLayer,
    layer_metadata_element,
    project_xml,
    qgz_bytes,
    store_project,
)
from geo.writers.qml import geometry_kind, raster_pipe, to_xml, vector_qml, vector_style_elements

__all__ = [
    "GEOMETRY_COLUMN",
    "PROJECT_NAME",
    "TableEntry",
    "plan_tables",
    "write_geopackage",
]

log = logging.getLogger(__name__)

#: Geometry column of every vector table.
GEOMETRY_COLUMN = "geom"
#: Name of the embedded QGIS project.
PROJECT_NAME = "atlas"
#: GeoPackage version written (QGIS 3.22 / GDAL 3.6 warn on 1.4).
GPKG_VERSION = "1.2"
#: Tables the writer creates itself; layers may not use these names.
RESERVED = frozenset({"layer_styles", "qgis_projects", "sqlite_sequence"})

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_QGS_GEOMETRY = {"point": "Point", "line": "Line", "polygon": "Polygon"}
_LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_METADATA_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,"
    "md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,"
    "mime_type TEXT NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL,"
    "table_name TEXT,column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,"
    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),"
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
)
_METADATA_EXT = "http://www.geopackage.org/spec120/#extension_metadata"


@dataclass
class TableEntry:
    """One layer planned into the GeoPackage: its theme, layer and final table name."""

    result: ThemeResult
    layer: VectorLayer | RasterLayer
    table: str
    identifier: str = ""
    """``gpkg_contents.identifier``: the title in the build's language, unique in the file."""

    @property
    def is_raster(self) -> bool:
        """True for raster layers."""
        return isinstance(self.layer, RasterLayer)


# --------------------------------------------------------------------------- planning


def plan_tables(results: list[ThemeResult], lang: str = "en") -> list[TableEntry]:
    """Give every layer a unique table name and identifier, in the order of *results*.

    A name already taken by an earlier theme is prefixed with the layer's
    theme id (``land_suitability_towns``), then numbered if still taken; the
    rename is logged. A title already used (the same theme built from two
    recipes) gets the recipe's name after it, since GeoPackage identifiers
    must be unique.

    Raises
    ------
    DataError
        If a layer name is not ASCII snake_case or is reserved.
    """
    used: set[str] = set()
    titles: set[str] = set()
    out: list[TableEntry] = []
    for res in results:
        layers: list[VectorLayer | RasterLayer] = [*res.vectors, *res.rasters]
        for layer in layers:
            name = layer.name
            if (
                not _NAME_RE.match(name)
                or name.startswith(("gpkg_", "rtree_", "sqlite_"))
                or name in RESERVED
            ):
                msg = (
                    f"theme {res.theme!r}: layer name {name!r} cannot be a GeoPackage table; "
                    "use ASCII snake_case (a-z, 0-9, _; starting with a letter, not gpkg_/rtree_)"
                )
                raise DataError(msg)
            table = name
            if table in used:
                theme_id = re.sub(r"[^a-z0-9_]", "_", res.theme.lower())
                table = f"{theme_id}_{name}"
                n = 2
                while table in used:
                    table = f"{theme_id}_{name}_{n}"
                    n += 1
                log.info(
                    "table %r already used by an earlier theme; theme %r writes it as %r",
                    name,
                    res.theme,
                    table,
                )
            used.add(table)
            identifier = tr(layer.title, lang)
            if identifier in titles:
                identifier = f"{identifier} ({res.key})"
            n = 2
            while identifier in titles:
                identifier = f"{tr(layer.title, lang)} ({res.key} {n})"
                n += 1
            titles.add(identifier)
            out.append(TableEntry(res, layer, table, identifier))
    return out


# --------------------------------------------------------------------------- timestamps


def _timestamp() -> str:
    """Fixed build timestamp: ``SOURCE_DATE_EPOCH`` when set, else 2000-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    secs = int(epoch) if epoch and epoch.isdigit() else 946684800
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(secs))


@contextmanager
def _gdal_options(ts: str) -> Iterator[None]:
    """Make pyogrio's and rasterio's GDAL stamp *ts* instead of "now".

    SQLite syncs are switched off too: the file is a temporary one, renamed
    only once complete, so a crash cannot leave a half-written atlas behind.
    Every option is given back the value it had before (unset stays unset).
    """
    options = {"OGR_CURRENT_DATE": ts, "OGR_SQLITE_SYNCHRONOUS": "OFF"}
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        with rasterio.Env(**options):  # rasterio.Env restores its own options on exit
            yield
    finally:  # the caller's values come back, set or unset as they were
        pyogrio.set_gdal_config_options(before)


# --------------------------------------------------------------------------- vectors


def _prepare_frame(layer: VectorLayer, table: str) -> tuple[gpd.GeoDataFrame, str, bool]:
    """Frame ready for OGR, its geometry family and whether to promote to multi."""
    gdf = layer.data
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"layer {layer.name!r}: data is a {type(gdf).__name__}, not a GeoDataFrame; give the layer geometries"
        raise DataError(msg)
    if gdf.crs is None:
        msg = f"layer {layer.name!r} has no CRS; set one with gdf.set_crs(...) before writing"
        raise CRSError(msg)
    try:
        kind = geometry_kind(gdf)
    except ValueError as exc:
        raise GeometryError(f"layer {layer.name!r} {exc}") from None
    gdf = gdf.copy()
    geom_name = gdf.geometry.name
    if geom_name != GEOMETRY_COLUMN:
        if GEOMETRY_COLUMN in gdf.columns:
            gdf = gdf.rename(columns={GEOMETRY_COLUMN: f"{GEOMETRY_COLUMN}_1"})
        gdf = gdf.rename_geometry(GEOMETRY_COLUMN)
    if "fid" in gdf.columns:
        gdf = gdf.rename(columns={"fid": "fid_1"})
        log.info("layer %r: column 'fid' renamed to 'fid_1' (the GeoPackage feature id)", table)
    for col in gdf.columns:
        if col == GEOMETRY_COLUMN:
            continue
        s = gdf[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            gdf[col] = s.astype(str).where(s.notna(), None)
        elif s.dtype == object and s.map(lambda v: isinstance(v, list | tuple | dict | set)).any():
            gdf[col] = s.map(
                lambda v: (
                    json.dumps(
                        sorted(v) if isinstance(v, set) else v, ensure_ascii=False, default=str
                    )
                    if isinstance(v, list | tuple | dict | set)
                    else v
                )
            )
    return gdf, kind, multi_type(gdf, kind) is not None


def _wkb_type(gdf: gpd.GeoDataFrame, kind: str, promote: bool) -> str:
    types = sorted(geom_types(gdf))
    if promote:
        return MULTI_TYPES[kind]
    return types[0] if len(types) == 1 else "Unknown"


def _json(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def _data_notes(layer: VectorLayer) -> list[str]:
    if "data_note" not in layer.data.columns:
        return []
    return sorted({str(v) for v in layer.data["data_note"].dropna().unique()})


def _description(layer: VectorLayer | RasterLayer, lang: str) -> str:
    desc = tr(layer.description, lang) if layer.description is not None else ""
    if layer.synthetic:
        note = message("synthetic_note", lang)
        desc = f"{desc} ({note})" if desc else note
    return desc


def _method(entry: TableEntry) -> str:
    layer = entry.layer
    method = layer.metadata.get("method")
    if method is None and isinstance(layer, RasterLayer):
        method = layer.raster.tags.get("method")
    return str(method) if method is not None else ""


def _abstract(layer: VectorLayer | RasterLayer, lang: str) -> str:
    """The metadata abstract: the description, then whether the data are synthetic."""
    if layer.synthetic:
        return _description(layer, lang)
    desc = tr(layer.description, lang) if layer.description is not None else tr(layer.title, lang)
    return f"{desc} ({message('not_synthetic_note', lang)})"


def _licences(entry: TableEntry, lang: str) -> tuple[str, ...]:
    """The layer's licence; a computed layer without one: each input's licence, by input."""
    layer = entry.layer
    if layer.licence:
        return (tr(layer.licence, lang),)
    prov = entry.result.provenance
    if not prov:
        return (f"{message('licence', lang)}: {message('unknown', lang)}",)
    return (
        message("derived_from", lang),
        *(
            f"{lid}: {tr(p.get('licence') or message('unknown', lang), lang)}"
            for lid, p in prov.items()
        ),
    )


def _rights(entry: TableEntry, lang: str) -> tuple[str, ...]:
    """Source and attribution: the layer's own, and each input's for a derived layer."""
    layer = entry.layer
    out = [f"{message('source', lang)}: {tr(layer.source, lang)}"] if layer.source else []
    own = layer.metadata.get("attribution")
    if own:
        out.append(tr(own, lang))
    if not layer.licence:
        out.extend(
            f"{lid}: {tr(p['attribution'], lang)}"
            for lid, p in entry.result.provenance.items()
            if p.get("attribution")
        )
    return tuple(out)


def _layer_meta(
    entry: TableEntry,
    lang: str,
    crs: CRS,
    bounds: tuple[float, float, float, float] | None,
    ts: str,
) -> LayerMeta:
    layer = entry.layer
    res = entry.result
    title = tr(layer.title, lang)
    created = f"{ts[:19]}Z"
    lines = [
        f"{message('source', lang)}: {tr(layer.source or message('unknown', lang), lang)}",
        f"{message('created', lang)}: {created}",
    ]
    method = _method(entry)
    if method:
        lines.append(f"method: {method}")
    extra = {k: v for k, v in layer.metadata.items() if k not in ("method", "attribution")}
    if extra:
        lines.append(f"layer: {_json(extra)}")
    if res.parameters:
        lines.append(f"parameters ({res.theme}): {_json(res.recorded_parameters())}")
    if isinstance(layer, VectorLayer):
        lines.extend(f"data_note: {n}" for n in _data_notes(layer))
    return LayerMeta(
        identifier=entry.table,
        title=title,
        abstract=_abstract(layer, lang),
        language=lang,
        keywords={
            "theme": (res.theme, tr(res.title, lang)),
            "synthetic": ("true" if layer.synthetic else "false",),
        },
        history=tuple(lines),
        licenses=_licences(entry, lang),
        rights=_rights(entry, lang),
        crs=crs,
        bounds=bounds,
        created=created,
    )


def _gdal_metadata(entry: TableEntry) -> dict[str, str]:
    layer = entry.layer
    md = {
        "THEME": entry.result.theme,
        "SOURCE": tr(layer.source, "en"),
        "LICENCE": tr(layer.licence, "en"),
        "SYNTHETIC": "true" if layer.synthetic else "false",
        "METHOD": _method(entry),
        "PARAMETERS": _json(entry.result.recorded_parameters()),
    }
    if layer.metadata:
        md["LAYER_METADATA"] = _json(layer.metadata)
    return {k: v for k, v in md.items() if v}


def _with_names(
    layer: VectorLayer, gdf: gpd.GeoDataFrame, names: dict[str, dict[str, str]]
) -> VectorLayer:
    """*layer* over *gdf*, its id columns mapped to names (its own value maps first)."""
    styled = dataclasses.replace(layer, data=gdf)
    maps: dict[str, dict[str, Text | str]] = {
        key: dict(found.items()) for key, found in id_value_maps(styled, names).items()
    }
    return dataclasses.replace(styled, value_maps={**maps, **layer.value_maps})


def _write_vector(
    entry: TableEntry, tmp: Path, lang: str, first: bool, ctx: tuple[str, dict[str, dict[str, str]]]
) -> tuple[ProjectLayer, str]:
    ts, names = ctx
    layer = entry.layer
    assert isinstance(layer, VectorLayer)
    gdf, kind, promote = _prepare_frame(layer, entry.table)
    pyogrio.write_dataframe(
        gdf,
        tmp,
        layer=entry.table,
        driver="GPKG",
        promote_to_multi=promote,
        layer_options={
            "IDENTIFIER": entry.identifier,
            "DESCRIPTION": _description(layer, lang),
            "GEOMETRY_NAME": GEOMETRY_COLUMN,
            "FID": "fid",
            "SPATIAL_INDEX": "YES",
        },
        dataset_options={"VERSION": GPKG_VERSION} if first else None,
        layer_metadata=_gdal_metadata(entry),
    )
    bounds = None
    if len(gdf) and not gdf.geometry.is_empty.all():
        b = gdf.total_bounds
        if np.isfinite(b).all():
            bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    styled = _with_names(layer, gdf, names)
    labels = bool(layer.label_field and layer.label_field in gdf.columns)
    crs = CRS.from_user_input(gdf.crs)
    return ProjectLayer(
        table=entry.table,
        kind="vector",
        title=tr(layer.title, lang),
        crs=crs,
        style=vector_style_elements(styled, lang, kind),
        meta=_layer_meta(entry, lang, crs, bounds, ts),
        bounds=bounds,
        geometry=_QGS_GEOMETRY[kind],
        wkb_type=_wkb_type(gdf, kind, promote),
        visible=layer.show,
        labels=labels,
    ), vector_qml(styled, lang, kind)


# --------------------------------------------------------------------------- rasters


def _coverage_type(raster: Raster) -> tuple[str, float | int | None]:
    """Type and no-data value of a GPKG 2D gridded coverage (Float32/UInt16/Int16).

    The range of an integer raster is read band by band, so a stored raster is never
    held whole.
    """
    dt = np.dtype(raster.array.dtype)
    if dt != np.bool_ and not np.issubdtype(dt, np.integer):
        return "float32", None
    lo = hi = None
    values: list[np.ndarray] = []
    for _, band in bands(raster.array):
        vals = band[_valid(band, raster.nodata)]
        if vals.size:
            lo = vals.min() if lo is None else min(lo, vals.min())
            hi = vals.max() if hi is None else max(hi, vals.max())
            values.append(np.unique(vals))
    lo, hi = int(lo or 0), int(hi or 0)
    if lo >= 0 and hi < 65535:
        nd = raster.nodata
        nodata = int(nd) if nd is not None and 0 <= int(nd) <= 65535 else 65535
        if any((v == nodata).any() for v in values):
            nodata = 65535
        return "uint16", nodata
    if lo > -32768 and hi <= 32767:
        return "int16", -32768
    return "float32", None


def _coverage_block(
    block: np.ndarray, raster: Raster, dtype: str, nodata: float | int | None
) -> np.ndarray:
    """A band of rows of *raster* as written into the coverage of *dtype* (no data as *nodata*)."""
    valid = _valid(block, raster.nodata)
    if block.dtype == bool:
        block = block.astype("uint8")
    if dtype == "float32":
        out = block.astype("float32")
        out[~valid] = np.nan
        return out
    assert nodata is not None
    return np.where(valid, block, nodata).astype(dtype)


def _band_rows(cols: int) -> int:
    """Rows written at a time: whole rows of the coverage's 256-pixel tiles, about 4 M cells."""
    return max(1, BAND_CELLS // (256 * max(cols, 1))) * 256


def _valid(block: np.ndarray, nodata: float | int | None) -> np.ndarray:
    """Where *block* (a band of a raster's rows) holds data, as :meth:`Raster.valid_mask`."""
    mask: np.ndarray = (
        np.isfinite(block)
        if np.issubdtype(block.dtype, np.floating)
        else np.ones(block.shape, bool)
    )
    if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
        mask &= block != nodata
    return mask


def _write_raster(
    entry: TableEntry, tmp: Path, lang: str, exists: bool, ts: str
) -> tuple[ProjectLayer, float | int | None]:
    layer = entry.layer
    assert isinstance(layer, RasterLayer)
    r = layer.raster
    if r.crs is None:
        msg = f"raster layer {layer.name!r} has no CRS; give Raster(..., crs=...)"
        raise CRSError(msg)
    dtype, nodata = _coverage_type(r)
    rows, cols = r.shape
    opts = {
        "RASTER_TABLE": entry.table,
        "RASTER_IDENTIFIER": entry.identifier,
        "RASTER_DESCRIPTION": _description(layer, lang),
        "TILE_FORMAT": "TIFF" if dtype == "float32" else "PNG",
    }
    if exists:
        opts["APPEND_SUBDATASET"] = "YES"
    else:
        opts["VERSION"] = GPKG_VERSION
    with rasterio.open(
        tmp,
        "w",
        driver="GPKG",
        width=cols,
        height=rows,
        count=1,
        dtype=dtype,
        crs=rasterio.crs.CRS.from_wkt(r.crs.to_wkt()),
        transform=r.transform,
        **opts,
    ) as dst:
        for r0, block in bands(r.array, rows=_band_rows(cols)):
            values = _coverage_block(block, r, dtype, nodata)
            dst.write(values, 1, window=Window(0, r0, cols, values.shape[0]))
        dst.update_tags(**_gdal_metadata(entry))
    return (
        ProjectLayer(
            table=entry.table,
            kind="raster",
            title=tr(layer.title, lang),
            crs=r.crs,
            style=[raster_pipe(layer.style, lang)],
            meta=_layer_meta(entry, lang, r.crs, r.bounds, ts),
            bounds=r.bounds,
            visible=layer.show,
        ),
        nodata,
    )


# --------------------------------------------------------------------------- sqlite post-processing


def _ensure_metadata_tables(db: sqlite3.Connection) -> None:
    for ddl in _METADATA_DDL:
        db.execute(ddl)
    for table in ("gpkg_metadata", "gpkg_metadata_reference"):
        row = db.execute(
            "SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_metadata'",
            (table,),
        ).fetchone()
        if row is None:
            db.execute(
                "INSERT INTO gpkg_extensions(table_name, column_name, extension_name, definition, scope) "
                "VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                (table, _METADATA_EXT),
            )


def _add_metadata(db: sqlite3.Connection, table: str, meta: LayerMeta, ts: str) -> None:
    doc = to_xml(layer_metadata_element(meta, "qgis"))
    cur = db.execute(
        "INSERT INTO gpkg_metadata(md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', ?, 'text/xml', ?)",
        ("http://mrcc.com/qgis.dtd", doc),
    )
    db.execute(
        "INSERT INTO gpkg_metadata_reference(reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id, md_parent_id) "
        "VALUES ('table', ?, NULL, NULL, ?, ?, NULL)",
        (table, ts, cur.lastrowid),
    )


def _add_styles(
    db: sqlite3.Connection, styles: list[tuple[str, str, str]], ts: str, lang: str
) -> None:
    db.execute(_LAYER_STYLES_DDL)
    for table, title, qml in styles:
        db.execute(
            'INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "styleName", '
            '"styleQML", "styleSLD", "useAsDefault", description, owner, ui, update_time) '
            "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, ?)",
            (table, GEOMETRY_COLUMN, table, qml, title, ts),
        )
    db.execute(
        "INSERT INTO gpkg_contents(table_name, data_type, identifier, description, last_change, srs_id) "
        "VALUES ('layer_styles', 'attributes', 'layer_styles', ?, ?, 0)",
        (f"QGIS layer styles ({lang})", ts),
    )


def _set_data_null(
    db: sqlite3.Connection, table: str, nodata: float | int | None, unit: str, title: str
) -> None:
    db.execute(
        "UPDATE gpkg_2d_gridded_coverage_ancillary SET data_null = ?, uom = ?, field_name = ?, quantity_definition = ? "
        "WHERE tile_matrix_set_name = ?",
        (nodata, unit or None, table, title, table),
    )


def _project_crs(entries: list[tuple[TableEntry, ProjectLayer]]) -> CRS:
    for entry, pl in entries:
        if entry.is_raster:
            return pl.crs
    counts = Counter(pl.crs.to_wkt() for _, pl in entries)
    if counts:
        return CRS.from_wkt(counts.most_common(1)[0][0])
    return CRS.from_epsg(4326)


_KIND_ORDER = {"Point": 0, "Line": 1, "Polygon": 2}


def _groups(
    results: list[ThemeResult], done: list[tuple[TableEntry, ProjectLayer]], lang: str
) -> list[ProjectGroup]:
    """Layer tree: themes in build order, the base map last (drawn underneath)."""
    by_theme: dict[int, list[tuple[TableEntry, ProjectLayer]]] = {}
    for entry, pl in done:
        by_theme.setdefault(id(entry.result), []).append((entry, pl))
    themes = [r for r in results if r.theme != "base"] + [r for r in results if r.theme == "base"]
    groups = []
    first_theme = True
    for res in themes:
        items = by_theme.get(id(res), [])
        if not items:
            continue
        vec = [pl for e, pl in items if not e.is_raster]
        vec.sort(key=lambda pl: _KIND_ORDER.get(pl.geometry or "Polygon", 3))
        ras = [pl for e, pl in items if e.is_raster]
        is_base = res.theme == "base"
        groups.append(
            ProjectGroup(
                name=tr(res.title, lang),
                layers=vec + ras,
                checked=is_base or first_theme,
                expanded=not is_base,
            )
        )
        if not is_base:
            first_theme = False
    return groups


# --------------------------------------------------------------------------- entry point


def write_geopackage(
    results: list[ThemeResult],
    path: Path,
    *,
    lang: str,
    rasters: dict[str, Path],
) -> None:
    """Write every layer of *results* into one GeoPackage that opens styled in QGIS.

    Parameters
    ----------
    results : list of ThemeResult
        The base map (theme ``"base"``: hillshade and reference layers) and
        the theme results, in build order.
    path : Path
        Output ``.gpkg``; written under a temporary name and renamed.
    lang : str
        Language of titles, descriptions, legends, aliases (``en``, ``kk``, ``ru``).
    rasters : dict
        Raster layer name → COG path relative to the GeoPackage's folder
        (``rasters/dem.tif``), recorded in the layer metadata.

    Raises
    ------
    InputError
        Unknown language.
    DataError, CRSError, GeometryError
        A layer that cannot be written (bad name, no CRS, mixed geometries),
        named in the message.
    """
    path = Path(path)
    if lang not in LANGUAGES:
        msg = f"language {lang!r} is not one of {', '.join(LANGUAGES)}; pass --lang en, kk or ru"
        raise InputError(msg)
    entries = plan_tables(results, lang)
    ts = _timestamp()
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.gpkg")
    for p in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal")):
        p.unlink(missing_ok=True)
    done: list[tuple[TableEntry, ProjectLayer]] = []
    styles: list[tuple[str, str, str]] = []
    nodata: dict[str, tuple[float | int | None, str, str]] = {}
    try:
        with _gdal_options(ts):
            exists = False
            names = id_names([e.layer for e in entries if isinstance(e.layer, VectorLayer)], lang)
            for entry in entries:
                if entry.is_raster:
                    continue
                pl, qml = _write_vector(entry, tmp, lang, not exists, (ts, names))
                exists = True
                done.append((entry, pl))
                styles.append((entry.table, pl.title, qml))
            for entry in entries:
                if not entry.is_raster:
                    continue
                pl_r, nd = _write_raster(entry, tmp, lang, exists, ts)
                exists = True
                done.append((entry, pl_r))
                style = entry.layer.style
                unit = (
                    "" if isinstance(style, RasterClasses) else tr(getattr(style, "unit", ""), lang)
                )
                nodata[entry.table] = (nd, unit, pl_r.title)
                cog = rasters.get(entry.layer.name)
                if cog is not None:
                    pl_r.meta = dataclasses.replace(
                        pl_r.meta, history=(*pl_r.meta.history, f"COG: {Path(cog).as_posix()}")
                    )
        if not exists:
            msg = f"{path.name}: no layer to write; the build produced no vector or raster layer"
            raise DataError(msg)
        groups = _groups(results, done, lang)
        crs = _project_crs(done)
        title = message("atlas_title", lang)
        xml = project_xml(
            groups,
            gpkg_name=path.name,
            title=title,
            abstract=message("built_with", lang),
            crs=crs,
            lang=lang,
        )
        db = sqlite3.connect(tmp)
        try:
            with db:
                for table, (nd, unit, ttl) in nodata.items():
                    _set_data_null(db, table, nd, unit, ttl)
                if styles:
                    _add_styles(db, styles, ts, lang)
                _ensure_metadata_tables(db)
                for entry, pl in done:
                    _add_metadata(db, entry.table, pl.meta, ts)
                store_project(db, PROJECT_NAME, qgz_bytes(xml), timestamp=ts[:19])
        finally:
            db.close()
        os.replace(tmp, path)
    finally:
        for p in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal")):
            p.unlink(missing_ok=True)
    log.info("wrote %s: %d tables, project %r", path, len(done), PROJECT_NAME)
