"""Real data for a study area: ``geo fetch`` downloads layers into a cache folder.

:func:`fetch` resolves the area with :mod:`geo.area` (towns, a box or a polygon, with
a buffer), then for each source asked for:

* ``osm`` — OpenStreetMap through osmnx (one Overpass query per town, or one for a box
  or polygon), mapped onto ``town_boundaries``, ``micro_districts``, ``enterprises``
  and ``utility_networks`` (:mod:`geo.fetch.mapping`);
* ``dem`` — Copernicus DEM GLO-30 over the area's window (catalog layer ``dem``);
* ``landcover`` — ESA WorldCover 10 m (``landcover.tif``, catalog layer ``landcover``);
* ``soil`` — SoilGrids 2.0 properties at 0–5 cm: ``soil_organic_carbon.tif`` (g/kg) and
  ``soil_ph.tif`` (pH), catalog layers, and ``soil_clay.tif`` (g/kg).

Each file is written whole or not at all and recorded in ``fetch.json``
(:mod:`geo.fetch.cache`) with its source, licence, date, sha256 and counts. A second
fetch of the same area keeps every layer whose file still has its recorded sha256;
``offline=True`` never connects and refuses a layer the cache lacks. Every fetched
vector layer passes the catalog's checks (``geo validate FILE --as ID``) before it is
recorded. ``geo build --data DIR`` reads the folder (:func:`fetched_layers`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import requests
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from geo.area import AreaRequest, StudyArea, resolve_area
from geo.catalog import PROVENANCE_SIDECAR, Catalog
from geo.crs import WGS84, to_crs
from geo.errors import (
    FetchCacheError,
    FetchConnectionError,
    FetchGarbageError,
    FetchTooLargeError,
    OutputError,
    OutputExistsError,
)
from geo.fetch import mapping, osm, rasters
from geo.fetch.cache import LOCK, FetchRecord, fetched_layers, folder_lock, read_record
from geo.fetch.sources import (
    DEFAULT_BUFFER_M,
    MAX_AREA_KM2,
    SOIL_PROPERTIES,
    SOURCES,
    TIMEOUT_S,
    base_url,
)

__all__ = [
    "DEFAULT_BUFFER_M",
    "SOURCE_LAYERS",
    "FetchReport",
    "fetch",
    "fetched_layers",
]

log = logging.getLogger(__name__)

SOURCE_LAYERS: dict[str, tuple[str, ...]] = {
    "osm": ("town_boundaries", "micro_districts", "enterprises", "utility_networks"),
    "dem": ("dem",),
    "landcover": ("landcover",),
    "soil": tuple(v[2] for v in SOIL_PROPERTIES.values()),
}
"""The layers each source provides (files ``<id>.gpkg`` or ``<id>.tif``)."""

OSM_CACHE = "osm-cache"
"""Sub-folder of the fetch folder where osmnx keeps the Overpass answers."""

_geod = Geod(ellps="WGS84")


@dataclass
class FetchReport:
    """What a fetch did: the folder, the layers fetched, those kept from the cache, the notes."""

    folder: Path
    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def record(self) -> Path:
        """The folder's ``fetch.json``."""
        return self.folder / PROVENANCE_SIDECAR


Progress = Callable[[str], None]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _area_km2(geom: BaseGeometry) -> float:
    return abs(float(_geod.geometry_area_perimeter(geom)[0])) / 1e6


def _query_polygons(
    area: StudyArea, points: Mapping[str, BaseGeometry]
) -> list[tuple[str, BaseGeometry]]:
    """(label, polygon in degrees) of each query: one per town, or the box or polygon.

    Towns whose buffered outlines meet share one query.
    """
    buffered = to_crs(gpd.GeoDataFrame(geometry=area.projected(), crs=area.crs), WGS84).geometry
    whole = shapely.union_all(list(buffered.values))
    if area.request.kind != "towns":
        return [(area.label, whole)]
    out: list[tuple[str, BaseGeometry]] = []
    for part in getattr(whole, "geoms", [whole]):
        inside = [t for t in area.towns if part.intersects(points[t])]
        if inside:
            out.append((", ".join(inside), part))
    return out


def _check_size(polygons: Sequence[tuple[str, BaseGeometry]]) -> None:
    for label, g in polygons:
        km2 = _area_km2(g)
        if km2 > MAX_AREA_KM2:
            msg = (
                f"the area {label} with its buffer covers {km2:,.0f} km², more than the "
                f"{MAX_AREA_KM2:,.0f} km² one Overpass query may cover; give a smaller --bbox or "
                "--area, or fetch the towns one --town at a time"
            )
            raise FetchTooLargeError(msg)


def _prepare_folder(out: Path, area_record: Mapping[str, Any], overwrite: bool) -> FetchRecord:
    """The folder's record for this area: kept for the same area, replaced with *overwrite*."""
    for stale in sorted(out.glob("*.part*")):
        stale.unlink()
    data = read_record(out) if not overwrite else None
    if (
        data is None
        and not overwrite
        and any(p for p in out.iterdir() if p.name not in (OSM_CACHE, LOCK))
    ):
        msg = f"--out {out}: the folder holds files but no {PROVENANCE_SIDECAR}; give a new or empty folder"
        raise OutputExistsError(msg)
    if data is not None and data.get("area") != dict(area_record):
        msg = (
            f"--out {out}: holds a fetch of another area ({data['area'].get('label', '?')}); give "
            "--overwrite to replace it, or another folder"
        )
        raise OutputExistsError(msg)
    if overwrite:
        _clear(out)
    record = FetchRecord(out, area_record, data)
    for lid in sorted(record.layers):  # a file gone or edited: forgotten, fetched again
        if not record.valid(lid):
            record.drop(lid)
    return record


def _clear(out: Path) -> None:
    """Remove what an earlier fetch wrote (its record's files and the osmnx cache), nothing else."""
    old = None
    try:
        old = read_record(out)
    except FetchCacheError:
        old = None
    for rec in (old or {}).get("layers", {}).values():
        if rec.get("file"):
            (out / str(rec["file"])).unlink(missing_ok=True)
    (out / PROVENANCE_SIDECAR).unlink(missing_ok=True)
    shutil.rmtree(out / OSM_CACHE, ignore_errors=True)


def _area_record(area: StudyArea, buffer_m: float) -> dict[str, Any]:
    rec = area.record()
    rec.pop("crs", None)
    rec.pop("town_crs", None)
    rec["label"] = area.label
    rec["buffer_m"] = buffer_m
    return rec


def fetch(
    out: str | Path,
    request: AreaRequest,
    *,
    sources: Sequence[str] = ("osm", "dem", "landcover", "soil"),
    offline: bool = False,
    overwrite: bool = False,
    urls: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_S,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch real layers for the area of *request* into the folder *out*.

    Parameters
    ----------
    out : path
        The cache folder (created); one file per layer and ``fetch.json``.
    request : AreaRequest
        The study area (towns, box or polygon) and its buffer.
    sources : ids of :data:`geo.fetch.sources.SOURCES`
        What to fetch.
    offline : bool
        Never connect: every layer asked for must be in the cache already.
    overwrite : bool
        Fetch everything again (replacing the folder's earlier fetch).
    urls : mapping, optional
        Source id → base URL, replacing the defaults and environment variables.
    timeout : float
        Seconds any request may take.
    progress : callable, optional
        Called with one line naming each step.

    Raises
    ------
    FetchError
        A source unreachable, refusing, answering garbage or breaking off; the area too
        large; a layer missing from the cache with *offline* (one line each).
    """
    say = progress or (lambda _msg: None)
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        msg = f"--source {unknown[0]}: unknown source; known: {', '.join(SOURCES)}"
        raise FetchCacheError(msg)
    folder = Path(out)
    catalog = Catalog()
    area = resolve_area(catalog, request)
    points = dict(zip(area.towns, _town_points(catalog, area.towns), strict=True))
    polygons = _query_polygons(area, points)
    if "osm" in sources:
        _check_size(polygons)
    if folder.exists() and not folder.is_dir():
        msg = f"--out {folder}: is a file; give a folder"
        raise OutputExistsError(msg)
    if offline and (not folder.is_dir() or read_record(folder) is None):
        msg = f"--offline: {folder} holds no fetch; fetch it once without --offline"
        raise FetchCacheError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder):
            record = _prepare_folder(folder, _area_record(area, request.buffer_m), overwrite)
            base = _Ctx(
                folder, record, catalog, area, polygons, "", timeout, say, FetchReport(folder)
            )
            return _run(record, sources, offline, base, urls)
    except requests.RequestException as exc:  # an OSError too: not the folder's fault
        msg = (
            f"a request failed ({type(exc).__name__}: {str(exc)[:120]}); check the internet "
            "connection, or use --offline to work from the cache"
        )
        raise FetchConnectionError(msg) from None
    except OSError as exc:
        msg = (
            f"--out {folder}: cannot write ({exc.strerror or type(exc).__name__}); give a folder "
            "you may write to, on a disk with room"
        )
        raise OutputError(msg) from None


def _run(
    record: FetchRecord,
    sources: Sequence[str],
    offline: bool,
    base: _Ctx,
    urls: Mapping[str, str] | None,
) -> FetchReport:
    """Fetch each source the cache does not hold (refused with *offline*)."""
    report, folder, say = base.report, base.folder, base.say
    for source in dict.fromkeys(sources):
        layers = SOURCE_LAYERS[source]
        if all(record.valid(lid) for lid in layers):
            say(f"{source}: in the cache ({', '.join(layers)})")
            report.cached.extend(layers)
            continue
        if offline:
            missing = [lid for lid in layers if not record.valid(lid)]
            msg = (
                f"--offline: {folder} has no valid {missing[0]} (source {source}); "
                "fetch it once without --offline"
            )
            raise FetchCacheError(msg)
        _FETCHERS[source](dataclasses.replace(base, url=base_url(source, urls)))
    return report


def _town_points(catalog: Catalog, towns: Sequence[str]) -> list[BaseGeometry]:
    b = catalog.read("town_boundaries")
    by = {str(t): g for t, g in zip(b["town"], b.geometry, strict=True)}
    return [by[t].representative_point() for t in towns]


@dataclass
class _Ctx:
    folder: Path
    record: FetchRecord
    catalog: Catalog
    area: StudyArea
    polygons: list[tuple[str, BaseGeometry]]
    url: str
    timeout: float
    say: Progress
    report: FetchReport

    def bounds(self) -> tuple[float, float, float, float]:
        w, s, e, n = shapely.union_all([g for _, g in self.polygons]).bounds
        return (float(w), float(s), float(e), float(n))


def _fetch_osm(ctx: _Ctx) -> None:
    import pandas as pd

    frames = []
    for label, poly in ctx.polygons:
        ctx.say(f"osm: {label}: asking Overpass ({ctx.url}) for {_area_km2(poly):,.0f} km²")
        frames.append(
            osm.download_features(
                poly, url=ctx.url, cache_folder=ctx.folder / OSM_CACHE, timeout=ctx.timeout
            )
        )
    raw = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    if len(raw):
        raw = (
            raw.drop_duplicates(subset=["element", "id"])
            .sort_values(["element", "id"])
            .reset_index(drop=True)
        )
    ctx.say(f"osm: mapping {len(raw)} features onto the catalog layers")
    towns = mapping.town_facts(ctx.catalog.read("town_boundaries"), ctx.area.towns)
    whole = shapely.union_all([g for _, g in ctx.polygons])
    tb = mapping.town_boundaries(raw, towns)
    layers = [
        tb,
        mapping.micro_districts(
            raw, tb.frame, [t for t in towns if t.town in set(tb.frame.get("town", []))] or towns
        ),
        mapping.enterprises(raw, towns),
        mapping.utility_networks(raw, towns, whole),
    ]
    query = {
        "url": ctx.url + "/interpreter",
        "tags": osm.overpass_query_note(),
        "polygons": [
            {"label": lab, "bounds": [round(v, 6) for v in g.bounds]} for lab, g in ctx.polygons
        ],
    }
    date = _now()
    for layer in layers:
        _write_vector(ctx, layer, query, date)


@contextlib.contextmanager
def _fixed_gpkg_date() -> Iterator[None]:
    """GeoPackages stamped with a fixed date: the same OSM answer gives the same bytes.

    ``SOURCE_DATE_EPOCH`` when set, else 2000-01-01 (the date fetched is in ``fetch.json``).
    """
    import time

    import pyogrio

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    secs = int(epoch) if epoch and epoch.isdigit() else 946684800
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(secs))
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _write_vector(
    ctx: _Ctx, layer: mapping.MappedLayer, query: Mapping[str, Any], date: str
) -> None:
    from geo.validate import validate_file

    lid, gdf = layer.layer_id, layer.frame
    for note in layer.notes:
        ctx.say(f"osm: {lid}: {note}")
        ctx.report.notes.append(f"{lid}: {note}")
    ctx.record.drop(lid)
    path = ctx.folder / f"{lid}.gpkg"
    path.unlink(missing_ok=True)
    src = SOURCES["osm"]
    record = {
        "source": (
            f"{mapping.DERIVED} (Overpass API {query['url']}, fetched {date}): {layer.inferred}; "
            "not an inventory"
        ),
        "url": query["url"],
        "query": dict(query),
        "licence": src.licence,
        "attribution": src.attribution,
        "fetched": date,
        "synthetic": False,
        "derived": True,
        "inferred": layer.inferred,
        "assumed_fields": list(layer.assumed_fields),
        "notes": list(layer.notes),
    }
    if gdf.empty:
        ctx.say(f"osm: {lid}: OSM holds nothing to map here; no file (the catalog's layer stays)")
        ctx.report.notes.append(f"{lid}: nothing in OSM for the area; no file")
        ctx.record.put_empty(lid, record)
        return
    part = path.with_name(f"{path.stem}.part{path.suffix}")
    try:
        with _fixed_gpkg_date():
            gdf.to_file(part, driver="GPKG", layer=lid, engine="pyogrio")
        spec = ctx.catalog.spec(lid)
        problems = [p for p in validate_file(part, spec, ctx.catalog) if p.severity == "error"]
        if problems:
            msg = (
                f"OpenStreetMap {lid}: the mapped layer fails the catalog's checks "
                f"({problems[0].message}); nothing was written"
            )
            raise FetchGarbageError(msg)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    ctx.record.put(lid, {**record, "file": path.name, "features": len(gdf)})
    ctx.say(f"osm: {lid}: {len(gdf)} feature(s) written to {path}")
    ctx.report.fetched.append(lid)


def _write_raster(
    ctx: _Ctx, lid: str, spec: rasters.RasterSpec, source: str, extra: Mapping[str, Any]
) -> None:
    ctx.record.drop(lid)
    path = ctx.folder / f"{lid}.tif"
    ctx.say(
        f"{source}: {lid}: reading the area's window of {len(spec.urls)} tile(s) from {ctx.url}"
    )
    stats = rasters.fetch_raster(spec, ctx.bounds(), path, timeout=ctx.timeout)
    if lid in ctx.catalog.ids:
        from geo.validate import validate_file

        problems = [
            p
            for p in validate_file(path, ctx.catalog.spec(lid), ctx.catalog)
            if p.severity == "error"
        ]
        if problems:
            path.unlink()
            msg = f"{spec.what}: the window fails the catalog's checks ({problems[0].message}); nothing was kept"
            raise FetchGarbageError(msg)
    src = SOURCES[source]
    date = _now()
    ctx.record.put(
        lid,
        {
            "file": path.name,
            "source": f"{src.title}: {', '.join(spec.urls)} (window {', '.join(f'{v:.4f}' for v in ctx.bounds())}, fetched {date})",
            "url": list(spec.urls),
            "licence": src.licence,
            "attribution": src.attribution,
            "fetched": date,
            "synthetic": False,
            "derived": False,
            "raster": stats,
            **extra,
        },
    )
    ctx.say(f"{source}: {lid}: {stats['width']} × {stats['height']} cells written to {path}")
    ctx.report.fetched.append(lid)


def _fetch_dem(ctx: _Ctx) -> None:
    _write_raster(ctx, "dem", rasters.dem_spec(ctx.url, ctx.bounds()), "dem", {"units": "m"})


def _fetch_landcover(ctx: _Ctx) -> None:
    extra = {"units": "ESA WorldCover class (10 tree cover … 100 moss and lichen)"}
    _write_raster(
        ctx, "landcover", rasters.worldcover_spec(ctx.url, ctx.bounds()), "landcover", extra
    )


def _fetch_soil(ctx: _Ctx) -> None:
    for prop, (what, units, lid, scale) in SOIL_PROPERTIES.items():
        extra = {"property": what, "depth": "0-5 cm", "units": units, "scale_from_source": scale}
        spec = rasters.soil_spec(ctx.url, prop, what, scale=scale)
        _write_raster(ctx, lid, spec, "soil", extra)


_FETCHERS: dict[str, Callable[[_Ctx], None]] = {
    "osm": _fetch_osm,
    "dem": _fetch_dem,
    "landcover": _fetch_landcover,
    "soil": _fetch_soil,
}
