"""Rasters read over HTTP for the area's window only: Copernicus DEM, WorldCover, SoilGrids.

Each source is a set of cloud-optimised GeoTIFF tiles (a VRT for SoilGrids) named by a
public URL pattern under a configurable base URL (:mod:`geo.fetch.sources`). Every tile
is first asked for its first bytes with ``requests`` (so an unreachable server, a
missing tile or an answer that is not a raster is one clear line), then opened by
GDAL through ``/vsicurl/``, which reads only the blocks of the window (HTTP range
requests). The window is mosaicked and written to ``*.part``, renamed when complete.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import requests
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.merge import merge
from rasterio.vrt import WarpedVRT

from geo.errors import FetchConnectionError, FetchGarbageError, FetchServerError, FetchTooLargeError

__all__ = [
    "MAX_CELLS",
    "RasterSpec",
    "dem_tiles",
    "fetch_raster",
    "soil_urls",
    "worldcover_tiles",
]

MAX_CELLS = 60_000_000
"""Most cells one fetched raster may hold (an area of about 70 × 70 km at 10 m)."""

_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+", b"<VRTD")


@dataclass(frozen=True)
class RasterSpec:
    """What to read: the tile URLs, the cell size in degrees, the data type and no-data value."""

    what: str
    urls: tuple[str, ...]
    res_deg: float
    dtype: str
    nodata: float | int | None
    resampling: Resampling = Resampling.nearest
    scale: float = 1.0
    """Factor from the source's integers to the unit stored (then float32, no data -9999)."""


def _lat_lon(lat: int, lon: int, width: int = 2) -> tuple[str, str]:
    ns = f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}"
    ew = f"{'E' if lon >= 0 else 'W'}{abs(lon):03d}"
    return ns, ew


def dem_tiles(base: str, bounds: tuple[float, float, float, float]) -> tuple[str, ...]:
    """URLs of the Copernicus GLO-30 tiles (1° × 1°) covering *bounds*.

    Examples
    --------
    >>> dem_tiles("https://x", (69.6, 43.4, 69.9, 43.7))[0].rsplit("/", 1)[1]
    'Copernicus_DSM_COG_10_N43_00_E069_00_DEM.tif'
    """
    w, s, e, n = bounds
    out = []
    for lat in range(math.floor(s), math.ceil(n)):
        for lon in range(math.floor(w), math.ceil(e)):
            ns, ew = _lat_lon(lat, lon)
            name = f"Copernicus_DSM_COG_10_{ns}_00_{ew}_00_DEM"
            out.append(f"{base}/{name}/{name}.tif")
    return tuple(out)


def worldcover_tiles(base: str, bounds: tuple[float, float, float, float]) -> tuple[str, ...]:
    """URLs of the ESA WorldCover 2021 tiles (3° × 3°) covering *bounds*.

    Examples
    --------
    >>> worldcover_tiles("https://x", (69.6, 43.4, 69.9, 43.7))[0].rsplit("/", 1)[1]
    'ESA_WorldCover_10m_2021_v200_N42E069_Map.tif'
    """
    w, s, e, n = bounds
    out = []
    for lat in range(math.floor(s / 3) * 3, math.ceil(n / 3) * 3, 3):
        for lon in range(math.floor(w / 3) * 3, math.ceil(e / 3) * 3, 3):
            ns, ew = _lat_lon(lat, lon)
            out.append(f"{base}/ESA_WorldCover_10m_2021_v200_{ns}{ew}_Map.tif")
    return tuple(out)


def soil_urls(base: str, prop: str) -> tuple[str, ...]:
    """The SoilGrids 2.0 mosaic of *prop* at 0–5 cm (mean), one VRT over its COG tiles."""
    return (f"{base}/{prop}/{prop}_0-5cm_mean.vrt",)


def _check_url(url: str, what: str, timeout: float) -> None:
    """Ask for the first bytes of *url*: reachable, there, and a raster."""
    try:
        r = requests.get(url, headers={"Range": "bytes=0-15"}, timeout=timeout)
    except requests.Timeout:
        msg = f"{what} {url}: no answer within {timeout:g} s; check the internet connection, or use --offline to work from the cache"
        raise FetchConnectionError(msg) from None
    except requests.RequestException as exc:
        msg = f"{what} {url}: cannot connect ({type(exc).__name__}); check the internet connection, or use --offline to work from the cache"
        raise FetchConnectionError(msg) from None
    if r.status_code not in (200, 206):
        msg = (
            f"{what} {url}: HTTP {r.status_code} {r.reason}; check the base URL, or try again later"
        )
        raise FetchServerError(msg)
    if not r.content[:5].startswith(_MAGIC):
        shown = r.content[:20].decode("utf-8", "replace").strip()
        msg = f"{what} {url}: the answer is not a GeoTIFF ({shown!r}…); check the base URL"
        raise FetchGarbageError(msg)


def _gdal_env(timeout: float) -> rasterio.Env:
    return rasterio.Env(
        GDAL_HTTP_TIMEOUT=str(int(timeout)),
        GDAL_HTTP_MAX_RETRY="2",
        GDAL_HTTP_RETRY_DELAY="1",
        GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR",
        CPL_VSIL_CURL_ALLOWED_EXTENSIONS=".tif,.vrt",
    )


def _read_window(
    spec: RasterSpec, bounds: tuple[float, float, float, float], timeout: float
) -> tuple[np.ndarray, rasterio.Affine, dict[str, str]]:
    w, s, e, n = bounds
    cells = math.ceil((e - w) / spec.res_deg) * math.ceil((n - s) / spec.res_deg)
    if cells > MAX_CELLS:
        msg = (
            f"{spec.what}: the area would be {cells:,} cells at {spec.res_deg:g}°, more than the "
            f"{MAX_CELLS:,} a fetched raster may hold; give a smaller area (--bbox or one --town)"
        )
        raise FetchTooLargeError(msg)
    for url in spec.urls:
        _check_url(url, spec.what, timeout)
    try:
        with _gdal_env(timeout):
            opened = [rasterio.open("/vsicurl/" + u) for u in spec.urls]
            try:
                tags = dict(opened[0].tags())
                views = [
                    ds
                    if ds.crs and ds.crs.to_epsg() == 4326
                    else WarpedVRT(ds, crs="EPSG:4326", resampling=spec.resampling)
                    for ds in opened
                ]
                arr, transform = merge(
                    views, bounds=bounds, res=spec.res_deg, nodata=spec.nodata,
                    resampling=spec.resampling, dtype=spec.dtype,
                )  # fmt: skip
            finally:
                for ds in opened:
                    ds.close()
    except RasterioError as exc:
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        msg = (
            f"{spec.what} {spec.urls[0]}: the read broke off or the tile is damaged ({first}); "
            "nothing was written: fetch again to resume"
        )
        raise FetchConnectionError(msg) from None
    return arr[0], transform, tags


def fetch_raster(
    spec: RasterSpec, bounds: tuple[float, float, float, float], path: Path, *, timeout: float
) -> dict[str, float | int]:
    """Read *spec*'s window over *bounds* (degrees) and write it to *path* (via ``*.part``).

    Returns the raster's size and value range for the record.
    """
    arr, transform, _tags = _read_window(spec, bounds, timeout)
    valid = arr != spec.nodata if spec.nodata is not None else np.isfinite(arr)
    if not valid.any():
        msg = f"{spec.what} {spec.urls[0]}: the window over the area holds only 'no data'; check the area"
        raise FetchGarbageError(msg)
    part = path.with_name(f"{path.stem}.part{path.suffix}")
    dtype, nodata = spec.dtype, spec.nodata
    if spec.scale != 1.0:  # to the unit stored: float32, -9999 for no data
        arr = np.where(valid, arr.astype("float64") * spec.scale, -9999.0).astype("float32")
        dtype, nodata = "float32", -9999.0
    profile = {
        "driver": "GTiff", "height": arr.shape[0], "width": arr.shape[1], "count": 1,
        "dtype": dtype, "crs": "EPSG:4326", "transform": transform, "nodata": nodata,
        "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate",
    }  # fmt: skip
    try:
        with rasterio.open(part, "w", **profile) as dst:
            dst.write(arr, 1)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    vals = arr[valid]
    return {
        "width": int(arr.shape[1]),
        "height": int(arr.shape[0]),
        "min": float(vals.min()),
        "max": float(vals.max()),
        "res_deg": spec.res_deg,
    }


def dem_spec(base: str, bounds: tuple[float, float, float, float]) -> RasterSpec:
    """The Copernicus GLO-30 window: 1″ cells, float32, bilinear where tiles meet."""
    return RasterSpec(
        "Copernicus DEM",
        dem_tiles(base, bounds),
        1 / 3600,
        "float32",
        -32767.0,
        Resampling.bilinear,
    )


def worldcover_spec(base: str, bounds: tuple[float, float, float, float]) -> RasterSpec:
    """The WorldCover window: its 10 m (1/12000°) classes, uint8, 0 for no data."""
    return RasterSpec("ESA WorldCover", worldcover_tiles(base, bounds), 1 / 12000, "uint8", 0)


def soil_spec(base: str, prop: str, what: str, *, scale: float = 1.0) -> RasterSpec:
    """A SoilGrids property at 0–5 cm, warped from Homolosine to 0.0025° cells, int16 (× *scale*)."""
    return RasterSpec(
        f"SoilGrids {what}", soil_urls(base, prop), 0.0025, "int16", -32768, Resampling.nearest,
        scale,
    )  # fmt: skip
