"""Cloud-Optimized GeoTIFF writer.

Every raster of the atlas is written once as a COG in ``DIR/rasters/``: the
canonical analysis copy, readable by any GIS and by HTTP range requests. The
file is written by GDAL's COG driver (through rasterio) with DEFLATE
compression, a predictor, internal overviews and the no-data value set, first
under a temporary name and then renamed, so a crash never leaves a half
written ``.tif`` behind.

The array is streamed: it is written band of rows by band of rows into a plain
tiled GeoTIFF beside the output, compressed like it (a dask array one row of its chunks at a time,
computed on dask's current scheduler; a numpy array :data:`STREAM_ROWS` rows at a
time), which GDAL's COG driver then copies tile by tile. The array is never held
whole, nor copied whole, and the bytes are those of writing it in one piece.

The bytes depend only on the input: GDAL writes no timestamp unless asked, and
the tags are written in sorted order.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from geo.errors import CRSError, DataError, InputError
from geo.i18n import tr
from geo.raster import Raster
from geo.results import RasterLayer, ThemeResult
from geo.symbology import RasterClasses, RasterRamp

__all__ = [
    "RASTERS_DIR",
    "cog_profile",
    "compression_threads",
    "gdal_output",
    "raster_for_writing",
    "raster_paths",
    "raster_tags",
    "write_cog",
    "write_rasters",
    "writing_type",
]

RASTERS_DIR = "rasters"
"""Folder of the COGs inside the atlas folder."""

log = logging.getLogger(__name__)

#: Block (tile) size of the COGs, in pixels.
BLOCKSIZE = 256

STREAM_ROWS = 4 * BLOCKSIZE
"""Rows of a numpy array written at a time (a dask array: the rows of one row of chunks)."""

COPY_CACHE_MB = 256
"""GDAL's block cache while the COG is copied from the streamed GeoTIFF (MB)."""


@contextlib.contextmanager
def compression_threads(threads: int) -> Iterator[None]:
    """Inside, GDAL compresses the tiles of every GeoTIFF written on *threads* threads.

    GDAL writes the compressed tiles in their order whatever the number of threads, so
    the bytes do not change; the COGs of a large grid are written about that many times
    faster. The build sets it to :meth:`geo.chunks.Execution.local_threads`.

    Examples
    --------
    >>> with compression_threads(2):
    ...     rasterio.env.getenv()["GDAL_NUM_THREADS"]
    '2'
    """
    with rasterio.Env(GDAL_NUM_THREADS=str(max(1, int(threads)))):
        yield


def raster_for_writing(raster: Raster) -> tuple[np.ndarray, float | int | None]:
    """Return the array to write and its no-data value.

    Floating arrays are written as float32 (float64 is kept) with NaN as
    no-data; booleans become uint8 (0/1, no no-data); integers keep their type
    and :attr:`~geo.raster.Raster.nodata`.

    Parameters
    ----------
    raster : Raster
        The raster to write.

    Returns
    -------
    array : numpy.ndarray
        Values ready for GDAL.
    nodata : float, int or None
        The no-data value to declare.
    """
    dtype, nodata = writing_type(raster)
    return _block_for_writing(np.asarray(raster.array), raster.nodata, dtype), nodata


def writing_type(raster: Raster) -> tuple[str, float | int | None]:
    """The data type a raster is written as and its no-data value (see :func:`raster_for_writing`).

    Raises
    ------
    DataError
        An array type GDAL cannot write.
    """
    dt = np.dtype(raster.array.dtype)
    if dt == np.bool_:
        return "uint8", None
    if np.issubdtype(dt, np.floating):
        return ("float64" if dt == np.float64 else "float32"), float("nan")
    if np.issubdtype(dt, np.integer):
        nodata = raster.nodata
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            return str(dt), int(nodata)
        return str(dt), None
    msg = f"cannot write a raster of dtype {dt}; convert it to a number type first"
    raise DataError(msg)


def _block_for_writing(block: np.ndarray, nodata: float | int | None, dtype: str) -> np.ndarray:
    """A block of a raster's array as written: its type, no data as NaN in floats."""
    if block.dtype == bool:
        return block.astype("uint8")
    if np.issubdtype(block.dtype, np.floating):
        out = block.astype(dtype, copy=True)
        invalid = ~np.isfinite(block)
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            invalid |= block == nodata
        out[invalid] = np.nan
        return out
    return block


def _bands(array: Any) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, values) of successive bands of rows of *array*, never the whole of it.

    A dask array goes by its row chunks, each computed on dask's current scheduler;
    anything else by :data:`STREAM_ROWS` rows.
    """
    rows = int(array.shape[0])
    chunks = getattr(array, "chunks", None)
    if chunks is not None and hasattr(array, "compute"):
        r0 = 0
        for height in chunks[0]:
            yield r0, np.asarray(array[r0 : r0 + height].compute())
            r0 += height
        return
    for r0 in range(0, rows, STREAM_ROWS):
        yield r0, np.asarray(array[r0 : r0 + STREAM_ROWS])


def cog_profile(
    raster: Raster, dtype: str, nodata: float | int | None, *, categorical: bool
) -> dict[str, Any]:
    """GDAL COG creation profile for *raster* (rasterio keyword arguments).

    Parameters
    ----------
    raster : Raster
        Source of the shape, transform and CRS.
    dtype : str
        Data type to write.
    nodata : float, int or None
        No-data value.
    categorical : bool
        Class values: overviews by nearest neighbour instead of averaging.

    Returns
    -------
    dict
        Keyword arguments for :func:`rasterio.open`.
    """
    rows, cols = raster.shape
    floating = np.issubdtype(np.dtype(dtype), np.floating)
    return {
        "driver": "COG",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": dtype,
        "crs": rasterio.crs.CRS.from_wkt(raster.crs.to_wkt()),
        "transform": raster.transform,
        "nodata": nodata,
        "compress": "DEFLATE",
        # horizontal differencing for integers, floating-point predictor for floats
        "predictor": "FLOATING_POINT" if floating else "STANDARD",
        "blocksize": BLOCKSIZE,
        "overviews": "AUTO",
        "overview_resampling": "nearest" if categorical else "average",
        "resampling": "nearest" if categorical else "average",
        "bigtiff": "IF_SAFER",
    }


class _Held(logging.Handler):
    """Keeps the records it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _hold_stderr() -> tuple[int, int] | None:
    """Point file descriptor 2 at a file in memory: (that file, the saved stderr), or None."""
    try:
        held = os.memfd_create("gdal-stderr", os.MFD_CLOEXEC)
    except (AttributeError, OSError):  # not Linux: what the C libraries print goes through
        return None
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(held, 2)
    return held, saved


def _release_stderr(fds: tuple[int, int] | None) -> list[str]:
    """Give file descriptor 2 back; the lines printed on it meanwhile."""
    if fds is None:
        return []
    held, saved = fds
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)
    os.lseek(held, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(held, 1 << 16):
        chunks.append(chunk)
    os.close(held)
    return [line for line in b"".join(chunks).decode(errors="replace").splitlines() if line]


@contextlib.contextmanager
def gdal_output(what: str) -> Iterator[None]:
    """Hold what GDAL and libtiff say while writing *what*; a failure's lines go to ``-v``.

    libtiff prints some errors straight to stderr (``_tiffWriteProc: File too large.``)
    and rasterio logs GDAL's warnings (``CPLE_AppDefined ...``) before the write raises;
    the build turns that failure into one refusal line (:mod:`geo.staging`), so after a
    failure these lines are logged at INFO, shown with ``-v`` only, and a failure they
    name as a full disk, a quota or the file-size limit is raised as the :class:`OSError`
    of that errno (the cause kept), so the refusal does not have to guess it. So is a write
    that returned but where such a line was printed (with several compression threads
    GDAL may not raise it). After a success they are said as they would have been
    (rasterio's records at their level, the rest as warnings).
    """
    rio = logging.getLogger("rasterio")
    held = _Held()
    rio.addHandler(held)
    propagate, rio.propagate = rio.propagate, False
    fds = _hold_stderr()

    def release() -> list[str]:
        """Give stderr and rasterio's records back; the lines printed meanwhile."""
        printed = _release_stderr(fds)
        rio.removeHandler(held)
        rio.propagate = propagate
        return printed

    def say(printed: list[str], ok: bool) -> list[str]:
        for record in held.records:
            if not ok:
                log.info("GDAL, writing %s: %s", what, record.getMessage())
            elif logging.getLogger(record.name).isEnabledFor(record.levelno):
                logging.getLogger(record.name).handle(record)
        for line in printed:
            log.log(logging.WARNING if ok else logging.INFO, "GDAL, writing %s: %s", what, line)
        return [*printed, *(r.getMessage() for r in held.records)]

    try:
        yield
    except Exception as exc:
        code = _storage_errno([*say(release(), ok=False), str(exc)])
        if code is None:
            raise
        raise OSError(code, os.strerror(code), what) from exc
    except BaseException:
        say(release(), ok=False)
        raise
    printed = release()
    # compressing on several threads, GDAL may print libtiff's failed write and return
    code = _storage_errno([*printed, *(r.getMessage() for r in held.records)])
    say(printed, ok=code is None)
    if code is not None:
        raise OSError(code, os.strerror(code), what)


_STORAGE_ERRNOS = {
    os.strerror(errno.ENOSPC): errno.ENOSPC,
    os.strerror(errno.EDQUOT): errno.EDQUOT,
    os.strerror(errno.EFBIG): errno.EFBIG,
}
"""The C library's words for a full disk, a quota and the file-size limit, and their errno."""


def _storage_errno(said: list[str]) -> int | None:
    """The errno of a full disk, quota or size limit that GDAL or libtiff named, else None."""
    for line in said:
        for words, code in _STORAGE_ERRNOS.items():
            if words in line:
                return code
    return None


def _tag_value(v: Any) -> str:
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def _hex_rgba(color: str) -> tuple[int, int, int, int]:
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    a = int(c[6:8], 16) if len(c) == 8 else 255
    return (r, g, b, a)


def write_cog(
    raster: Raster,
    path: Path,
    *,
    tags: dict[str, Any] | None = None,
    style: RasterRamp | RasterClasses | None = None,
) -> None:
    """Write *raster* as a Cloud-Optimized GeoTIFF at *path*.

    Parameters
    ----------
    raster : Raster
        Single-band raster with a CRS. Float arrays use NaN for no data.
    path : Path
        Output file (``.tif``). Written under a temporary name in the same
        folder and renamed at the end.
    tags : dict, optional
        Extra dataset tags (source, licence, method...). They are merged over
        ``raster.tags``; non-string values are written as JSON.
    style : RasterRamp or RasterClasses, optional
        How the layer is shown. :class:`~geo.symbology.RasterClasses` makes
        overviews by nearest neighbour (class values stay class values) and,
        for 8/16-bit unsigned data, embeds a colour table; otherwise overviews
        are averaged.

    Raises
    ------
    CRSError
        If the raster has no CRS.
    DataError
        If the array type cannot be written.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from affine import Affine
    >>> from pyproj import CRS
    >>> r = Raster(np.ones((4, 4), "float32"), Affine(10, 0, 0, 0, -10, 40), CRS(32642))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_cog(r, pathlib.Path(d) / "one.tif")
    ...     rasterio.open(pathlib.Path(d) / "one.tif").driver
    'GTiff'
    """
    path = Path(path)
    if raster.crs is None:
        msg = f"{path.name}: the raster has no CRS; give Raster(..., crs=...) before writing"
        raise CRSError(msg)
    dtype, nodata = writing_type(raster)
    categorical = isinstance(style, RasterClasses)
    profile = cog_profile(raster, dtype, nodata, categorical=categorical)
    all_tags = {str(k): _tag_value(v) for k, v in {**raster.tags, **(tags or {})}.items()}
    src = path.with_name(f".{path.name}.src-{os.getpid()}")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with gdal_output(path.name):
            with rasterio.open(src, "w", **_streamed_profile(profile)) as dst:
                for r0, block in _bands(raster.array):
                    values = _block_for_writing(block, raster.nodata, dtype)
                    dst.write(values, 1, window=Window(0, r0, values.shape[1], values.shape[0]))
            # tags set on the open dataset, not read back from the file: GDAL drops the
            # empty ones on reading, and a copy from the open dataset keeps them all
            with rasterio.open(src, "r+") as ds:
                if all_tags:
                    ds.update_tags(**dict(sorted(all_tags.items())))
                units = all_tags.get("units")
                if units:
                    ds.set_band_unit(1, units)
                if categorical and dtype in ("uint8", "uint16"):
                    assert isinstance(style, RasterClasses)
                    colours = zip(style.values, style.colors, strict=True)
                    ds.write_colormap(1, {int(v): _hex_rgba(c) for v, c in colours})
                options = {k: v for k, v in profile.items() if k not in (*_DATASET, "driver")}
                with rasterio.Env(GDAL_CACHEMAX=COPY_CACHE_MB):
                    rasterio.shutil.copy(ds, tmp, driver="COG", **options)
        os.replace(tmp, path)
    finally:
        for leftover in (src, tmp):
            if leftover.exists():
                leftover.unlink()
    log.debug("wrote COG %s (%s, %dx%d)", path, dtype, *raster.shape)


_DATASET = ("width", "height", "count", "dtype", "crs", "transform", "nodata")
"""Keys of a COG profile that describe the grid, not the COG driver's options."""


def _streamed_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The plain tiled GeoTIFF a COG is streamed into before GDAL copies it (same grid and type)."""
    return {
        **{k: profile[k] for k in _DATASET},
        "driver": "GTiff",
        "tiled": True,
        "blockxsize": BLOCKSIZE,
        "blockysize": BLOCKSIZE,
        # compressed like the COG (at a fast level): the file on disk stays about its size
        "compress": profile["compress"],
        "predictor": 3 if profile["predictor"] == "FLOATING_POINT" else 2,  # GTiff's numbers
        "zlevel": 1,
        "bigtiff": "IF_SAFER",
    }


def raster_tags(layer: RasterLayer) -> dict[str, str]:
    """The dataset tags of a raster layer's COG: its raster's tags, title, source, licence."""
    tags = {str(k): str(v) for k, v in layer.raster.tags.items()}
    tags.update(
        {
            "title": layer.title.get("en", layer.name),
            "source": tr(layer.source, "en"),
            "licence": tr(layer.licence, "en"),
        }
    )
    tags["synthetic"] = "true" if layer.synthetic else "false"
    return tags


def raster_paths(results: list[ThemeResult]) -> dict[str, Path]:
    """Layer name → ``rasters/<name>.tif`` (relative to the atlas folder), for every raster layer.

    Raises
    ------
    InputError
        If two layers would write the same file.
    """
    paths: dict[str, Path] = {}
    for res in results:
        for rl in res.rasters:
            if rl.name in paths:
                msg = f"two layers write rasters/{rl.name}.tif; give the recipes distinct names"
                raise InputError(msg)
            paths[rl.name] = Path(RASTERS_DIR) / f"{rl.name}.tif"
    return paths


def write_rasters(results: list[ThemeResult], folder: Path) -> list[Path]:
    """Write one COG per raster layer of *results* into ``folder/rasters``; return the paths."""
    paths = raster_paths(results)
    (folder / RASTERS_DIR).mkdir()
    layers = [rl for res in results for rl in res.rasters]
    for rl in layers:
        write_cog(rl.raster, folder / paths[rl.name], tags=raster_tags(rl), style=rl.style)
    return [folder / paths[rl.name] for rl in layers]
