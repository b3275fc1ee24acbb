"""Reading files: the only place (with :mod:`geo.writers`) that opens data files.

Every failure becomes a one-line :class:`~geo.errors.DataError` that names the
file and the fix: missing file, not geodata, truncated, empty, no CRS, a
raster holding only "no data".
"""

from __future__ import annotations

import logging
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely.errors
from pyproj import CRS
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

import geo.raster as raster_module
from geo.errors import CRSError, DataError
from geo.raster import Raster

__all__ = ["read_raster", "read_table", "read_vector"]

log = logging.getLogger(__name__)


def _check_exists(path: Path, what: str) -> None:
    if not path.exists():
        msg = f"{path}: file not found ({what}); check the path"
        raise DataError(msg)
    if path.is_file() and path.stat().st_size == 0:
        msg = f"{path}: file is empty (0 bytes); re-export the {what}"
        raise DataError(msg)


def _check_zip(path: Path) -> None:
    """Refuse a ``.zip`` that is no zip archive or is damaged, before GDAL reads it.

    GDAL says such a file "does not exist in the file system"; the user needs to hear
    that the archive is broken and what a zipped layer holds.
    """
    if path.suffix.lower() != ".zip" or not path.is_file():
        return
    try:
        with zipfile.ZipFile(path) as z:
            member = z.testzip()
        why = None if member is None else f"its {member} is damaged"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        why = "not a zip, or truncated"
    if why is not None:
        msg = (
            f"{path}: not a readable zip archive ({why}); zip the layer's files again "
            "(a shapefile's .shp, .shx, .dbf and .prj, or a .gpkg)"
        )
        raise DataError(msg)


def _zip_members(path: Path) -> str:
    """What a zip holds, for a message: ``a.txt, b.csv`` (at most five names)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return ""
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f" (it holds {shown})" if names else " (it is empty)"


def _unreadable(p: Path, exc: BaseException) -> str:
    """One line for a vector file GDAL cannot open: a folder, a zip of other files, junk."""
    if p.is_dir():
        return (
            f"{p}: is a folder GDAL cannot read as a layer; give the layer's file "
            "(a folder is read only when it is a File Geodatabase or holds shapefiles)"
        )
    if p.suffix.lower() == ".zip":
        return (
            f"{p}: holds no layer GDAL can read{_zip_members(p)}; a zipped layer needs "
            "a shapefile's .shp, .shx, .dbf and .prj, or a .gpkg or .geojson"
        )
    detail = _first_line(exc).replace(f"'{p}' ", "")  # the path is said once, first
    return f"{p}: not a readable vector file or truncated ({detail}); re-export it from the source"


def read_vector(
    path: str | Path, *, layer: str | int | None = None, what: str = "layer"
) -> gpd.GeoDataFrame:
    """Read a vector file in any GDAL format.

    Parameters
    ----------
    path : str or Path
        File to read (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, ...).
    layer : str or int, optional
        Layer inside a multi-layer file; the first by default.
    what : str
        Name used in error messages (e.g. ``"layer 'districts'"``).

    Raises
    ------
    DataError
        Unreadable, truncated or empty file.
    CRSError
        The file carries no CRS.
    """
    p = Path(path)
    _check_exists(p, what)
    _check_zip(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(p, layer=layer, engine="pyogrio")
    except pyogrio.errors.DataLayerError as exc:
        msg = (
            f"{p}: cannot read layer {layer!r} ({_first_line(exc)}); list layers with `ogrinfo {p}`"
        )
        raise DataError(msg) from None
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.FieldError,
    ) as exc:
        raise DataError(_unreadable(p, exc)) from None
    except shapely.errors.ShapelyError as exc:
        msg = (
            f"{p}: a feature has a corrupt geometry ({_first_line(exc)}); "
            f"find it with `geo validate {p}` and fix or delete it in a GIS"
        )
        raise DataError(msg) from None
    except (ValueError, OSError) as exc:
        msg = f"{p}: cannot read as vector data ({_first_line(exc)}); check the format"
        raise DataError(msg) from None
    except IndexError:  # GDAL opened it but found no layer (a zip without the .shx, say)
        parts = (
            " (a zipped shapefile needs its .shp, .shx, .dbf and .prj)"
            if p.suffix == ".zip"
            else ""
        )
        msg = f"{p}: holds no layer GDAL can read{parts}; re-export it from the source"
        raise DataError(msg) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        msg = f"{p}: has no geometry column; give a spatial file for the {what}"
        raise DataError(msg)
    if gdf.empty:
        msg = f"{p}: {what} has no features; give a file with at least one feature"
        raise DataError(msg)
    if gdf.crs is None:
        msg = (
            f"{p}: {what} has no CRS; add a .prj or re-save with a CRS "
            "(e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg in.shp`)"
        )
        raise CRSError(msg)
    return gdf


MAX_RASTER_CELLS = 400_000_000
"""Most cells a raster layer may declare (1.6 GB as float32): larger ones are cut to the area first."""


def _check_raster_size(p: Path, what: str, width: int, height: int) -> None:
    """Refuse a raster whose header declares more cells than can be read whole, before reading."""
    cells = width * height
    if cells > MAX_RASTER_CELLS:
        gb = cells * 4 / 1e9
        msg = (
            f"{p}: {what} declares {width:,} × {height:,} cells ({gb:,.0f} GB as float32), more "
            f"than the {MAX_RASTER_CELLS:,} a layer may hold; cut it to the study area first "
            "(e.g. gdal_translate -projwin W N E S) or check a damaged header"
        )
        raise DataError(msg)


def read_raster(path: str | Path, *, what: str = "raster") -> Raster:
    """Read band 1 of a raster as a float32 :class:`Raster` (NaN for no data).

    Raises
    ------
    DataError
        Unreadable file, or a raster whose cells are all "no data".
    CRSError
        The raster has no CRS.
    """
    p = Path(path)
    _check_exists(p, what)
    try:
        with rasterio.open(p) as src:
            if src.crs is None:
                msg = f"{p}: {what} has no CRS; assign one (e.g. `gdal_edit.py -a_srs EPSG:4326 {p.name}`)"
                raise CRSError(msg)
            _check_raster_size(p, what, src.width, src.height)
            transform, crs_wkt, tags = src.transform, src.crs.to_wkt(), src.tags()
            shape = (src.height, src.width)
        data: Any = RasterFile(p, shape)
        if shape[0] * shape[1] <= raster_module.MEMORY_CELLS:
            data = data[:, :]
        some = any(np.isfinite(band).any() for _, band in raster_module.bands(data))
    except RasterioIOError as exc:
        detail = _first_line(exc).replace(f"'{p}' ", "")
        msg = f"{p}: not a readable raster or truncated ({detail}); re-export it"
        raise DataError(msg) from None
    if not some:
        msg = f"{p}: {what} holds only 'no data' cells; check the nodata value or the extent"
        raise DataError(msg)
    return Raster(data, transform, CRS.from_wkt(crs_wkt), nodata=None, tags=dict(tags))


class RasterFile(raster_module.WindowedArray):
    """Band 1 of a raster file, read by windows as float32 (NaN for no data).

    A raster of more than :data:`geo.raster.MEMORY_CELLS` cells stays in its file
    (:func:`read_raster`): it slices like a numpy array, reading only the window,
    so warping it onto a grid reads what each tile needs (:meth:`geo.grid.AnalysisGrid.warp`).
    """

    def __init__(self, path: Path, shape: tuple[int, int]) -> None:
        self.path = path.resolve()
        self.shape = shape
        self.dtype = np.dtype("float32")

    def __getitem__(self, key: Any) -> np.ndarray:
        r, c, span, picked = raster_module.spans(key, self.shape)
        out = np.empty((len(r), len(c)), dtype="float32")
        if not r or not c:
            return out
        c0, c1 = span.start, span.stop
        wanted = sorted(r)
        band = max(1, raster_module.BAND_CELLS // (c1 - c0))
        at = {row: i for i, row in enumerate(r)}
        with rasterio.open(self.path) as src:
            i = 0
            while i < len(wanted):  # bands of rows, each read once, never the whole window
                r0 = wanted[i]
                r1 = min(r0 + band, wanted[-1] + 1)
                arr = src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
                block = np.ma.filled(arr.astype("float32"), np.nan)[:, picked]
                while i < len(wanted) and wanted[i] < r1:
                    out[at[wanted[i]]] = block[wanted[i] - r0]
                    i += 1
        return out


def read_table(path: str | Path, *, what: str = "table") -> pd.DataFrame:
    """Read a CSV table (UTF-8) with a clear error on failure."""
    p = Path(path)
    _check_exists(p, what)
    try:
        df = pd.read_csv(p, encoding="utf-8", dtype={"paper": str})
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        msg = f"{p}: not a readable UTF-8 CSV ({_first_line(exc)}); save it as CSV in UTF-8"
        raise DataError(msg) from None
    if df.empty:
        msg = f"{p}: {what} has no rows"
        raise DataError(msg)
    return df


_GDAL_ADVICE = re.compile(r"[;.]*\s*It might help to specify the correct driver.*$")
_SQLITE = re.compile(r"sqlite3_\w+\(.*?\) failed: ([^;]*)")
DETAIL_MAX = 160
"""Longest library detail quoted in a one-line error."""


def _first_line(exc: BaseException) -> str:
    """The library's own words, short: first line, GDAL's driver advice and SQL left out."""
    text = str(exc).strip().splitlines()
    if not text:
        return type(exc).__name__
    line = _GDAL_ADVICE.sub("", text[0]).rstrip("; ")
    sqlite = _SQLITE.search(line)
    if sqlite:
        line = f"SQLite: {sqlite.group(1).strip()}"
    if len(line) > DETAIL_MAX:
        line = line[: DETAIL_MAX - 1].rsplit(" ", 1)[0] + "…"
    return line
