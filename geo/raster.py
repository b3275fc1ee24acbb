"""Rasters: an array with its georeferencing.

Models take and return :class:`Raster` (or plain arrays with an
:class:`~geo.grid.AnalysisGrid`); only the writers touch files. A result too
large to hold whole is a :class:`StoredArray`: a raw file of the build's scratch
folder that :mod:`geo.chunks` fills chunk by chunk and the writers read by
windows (it slices like a numpy array, and :meth:`StoredArray.dataset` opens it
in GDAL), so the process never holds the whole grid. :class:`Mapped` is a value
computed from an array window by window (no copy of the whole).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from affine import Affine
from pyproj import CRS

__all__ = [
    "BAND_CELLS",
    "MEMORY_CELLS",
    "READ_CACHE_MB",
    "Mapped",
    "Raster",
    "StoredArray",
    "WindowedArray",
    "bands",
    "finite_range",
    "is_whole",
    "mapped",
    "nanmax",
    "thinned",
]

BAND_CELLS = 4_000_000
"""Cells of one band of rows read or written at a time from a stored or mapped array."""

READ_CACHE_MB = 256
"""GDAL's block cache (MB) while it reads a stored array through its VRT
(:meth:`StoredArray.dataset`); by default GDAL's grows to 5 % of the machine's memory."""

MEMORY_CELLS = int(os.environ.get("GEO_MEMORY_CELLS", "4000000"))
"""A raster of more cells is not taken whole (``GEO_MEMORY_CELLS`` in the environment changes
it, for this process and the worker processes it starts): a grid result of more is stored
(:func:`geo.chunks.grid_array`), a source of more is read by the window a tile needs
(:meth:`geo.grid.AnalysisGrid.warp`), one shown of more is thinned for display
(:func:`thinned`: at most a few times the cells shown), an input raster of more stays in
its file (:class:`geo.io.RasterFile`). Smaller ones are held and read whole."""


@dataclass(frozen=True)
class Raster:
    """A single-band raster.

    Parameters
    ----------
    array : numpy.ndarray
        2-D values, row 0 at the top (north-up). Floating arrays use NaN for
        "no data"; integer arrays use :attr:`nodata`. A result of a large grid is a
        :class:`StoredArray` (or a :class:`Mapped` value of one), a large input raster a
        :class:`geo.io.RasterFile`: each slices like a numpy array, and the writers read
        it by :func:`bands`.
    transform : affine.Affine
        Maps (col, row) to (x, y) of the cell's upper-left corner.
    crs : pyproj.CRS
        Coordinate reference system of the transform.
    nodata : float or int, optional
        Value that marks missing cells in integer arrays.
    tags : dict, optional
        Free metadata (units, method, parameters) written into the file tags.
    """

    array: np.ndarray
    transform: Affine
    crs: CRS
    nodata: float | int | None = None
    tags: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.array.ndim != 2:
            msg = f"Raster needs a 2-D array, got shape {self.array.shape}"
            raise ValueError(msg)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return (int(self.array.shape[0]), int(self.array.shape[1]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in CRS units."""
        rows, cols = self.shape
        x0, y0 = self.transform * (0, 0)
        x1, y1 = self.transform * (cols, rows)
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    @property
    def res(self) -> tuple[float, float]:
        """Cell size (x, y), positive."""
        return (abs(self.transform.a), abs(self.transform.e))

    def valid_mask(self) -> np.ndarray:
        """Boolean array, True where the cell holds data."""
        a = self.array
        mask = np.isfinite(a) if np.issubdtype(a.dtype, np.floating) else np.ones(a.shape, bool)
        if self.nodata is not None and not (
            isinstance(self.nodata, float) and np.isnan(self.nodata)
        ):
            mask &= a != self.nodata
        return mask


_GDAL_TYPES = {
    "uint8": "Byte", "uint16": "UInt16", "int16": "Int16", "uint32": "UInt32",
    "int32": "Int32", "float32": "Float32", "float64": "Float64",
}  # fmt: skip


class WindowedArray:
    """What an array read by windows shares: its shape, dtype, size, and a whole read.

    Subclasses give ``shape``, ``dtype`` and ``__getitem__`` of two slices (steps allowed)
    returning a new numpy array; ``np.asarray`` of one reads it whole.
    """

    ndim = 2
    shape: tuple[int, int]
    dtype: np.dtype[Any]

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.shape[0] * self.shape[1]

    def __getitem__(self, key: Any) -> np.ndarray:
        raise NotImplementedError

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self[:, :]
        return whole if dtype is None else whole.astype(dtype)


def spans(key: Any, shape: tuple[int, int]) -> tuple[range, range, slice, slice]:
    """The rows and columns *key* (two slices, or one for the rows) picks of *shape*.

    Returns the row and column ranges, the contiguous column span holding the columns
    (``c0:c1``), and the slice picking them, in order and step, out of that span.

    Examples
    --------
    >>> rows, cols, span, picked = spans((slice(1, 5, 2), slice(8, 2, -3)), (6, 10))
    >>> list(rows), list(cols), span, list(range(10))[span][picked]
    ([1, 3], [8, 5], slice(5, 9, None), [8, 5])
    """
    rs, cs = key if isinstance(key, tuple) else (key, slice(None))
    if not isinstance(rs, slice) or not isinstance(cs, slice):
        msg = f"an array read by windows takes two slices, not {key!r}"
        raise IndexError(msg)
    rows = range(*rs.indices(shape[0]))
    cols = range(*cs.indices(shape[1]))
    if not cols:
        return rows, cols, slice(0, 0), slice(0, 0)
    c0, c1 = min(cols[0], cols[-1]), max(cols[0], cols[-1]) + 1
    picked = slice(cols[0] - c0, None if cols.stop < c0 else cols.stop - c0, cols.step)
    return rows, cols, slice(c0, c1), picked


class StoredArray(WindowedArray):
    """A 2-D array in a raw file (rows one after another), read and written by windows.

    It slices like a numpy array (``a[rows, cols]`` with steps gives a new numpy
    array, reading only the rows it needs) and takes chunks by assignment
    (``a[rows, cols] = block``); ``np.asarray(a)`` reads it whole. Reads and writes
    go through the file, never a memory map, so the process holds only the window:
    the file's pages are the system's cache, not the process's memory. The file
    (in *folder*, the build's scratch folder, else the system's temporary folder)
    is removed when the array is garbage-collected, or with its folder.

    Parameters
    ----------
    shape : (rows, cols)
    dtype : numpy dtype
    folder : path, optional
    fill : number, optional
        Value of every cell before any is written (the file is sparse until then).
    """

    def __init__(
        self,
        shape: tuple[int, int],
        dtype: Any,
        folder: str | Path | None = None,
        fill: float | int | None = None,
    ) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        where = Path(folder) if folder is not None else Path(tempfile.gettempdir())
        self.path = where / f"geo-{uuid.uuid4().hex}.raw"
        with open(self.path, "wb") as f:
            f.truncate(self.nbytes)
        self._remove = weakref.finalize(self, _unlink, self.path)
        if fill is not None and fill != 0:
            row = np.full(self.shape[1], fill, dtype=self.dtype)
            for r0, n in _row_bands(self.shape):
                self[r0 : r0 + n, :] = np.broadcast_to(row, (n, self.shape[1]))

    @property
    def nbytes(self) -> int:
        """Bytes of the file."""
        return self.size * int(self.dtype.itemsize)

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"StoredArray({self.shape}, {self.dtype}, {self.path.name})"

    def __reduce__(self) -> Any:
        """Pickled as a view of the same file, which the copy never removes.

        For worker processes on this machine, or a cluster sharing the scratch folder's
        file system.
        """
        return (_view, (str(self.path), self.shape, self.dtype.str))

    def __getitem__(self, key: Any) -> np.ndarray:
        rows, cols, span, picked = spans(key, self.shape)
        out = np.empty((len(rows), len(cols)), dtype=self.dtype)
        if not rows or not cols:
            return out
        width, item = self.shape[1], self.dtype.itemsize
        with open(self.path, "rb", buffering=0) as f:
            if rows.step == 1 and cols.step == 1 and span == slice(0, width):
                _read_into(f, out, rows[0] * width * item)
                return out
            line = np.empty(span.stop - span.start, dtype=self.dtype)
            for i, r in enumerate(rows):
                _read_into(f, line, (r * width + span.start) * item)
                out[i] = line[picked]
        return out

    def __setitem__(self, key: Any, value: Any) -> None:
        rows, cols, _, _ = spans(key, self.shape)
        if rows.step != 1 or cols.step != 1:
            msg = "a StoredArray is written by windows without steps"
            raise IndexError(msg)
        if not rows or not cols:
            return
        r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
        block = np.ascontiguousarray(np.broadcast_to(value, (r1 - r0, c1 - c0)), self.dtype)
        width, item = self.shape[1], self.dtype.itemsize
        fd = os.open(self.path, os.O_WRONLY)
        try:
            if c0 == 0 and c1 == width:
                _write(fd, block, r0 * width * item)
            else:
                for i in range(r1 - r0):
                    _write(fd, block[i], ((r0 + i) * width + c0) * item)
        finally:
            os.close(fd)

    def dataset(self, transform: Affine, crs: CRS, nodata: float | int | None = None) -> str:
        """The path of a GDAL VRT reading this file as a georeferenced raster."""
        vrt = self.path.with_suffix(".vrt")
        rows, cols = self.shape
        item = self.dtype.itemsize
        nd = "" if nodata is None else f"<NoDataValue>{nodata}</NoDataValue>"
        gt = ", ".join(repr(float(v)) for v in transform.to_gdal())
        vrt.write_text(
            f'<VRTDataset rasterXSize="{cols}" rasterYSize="{rows}">'
            f"<SRS>{_xml(crs.to_wkt())}</SRS><GeoTransform>{gt}</GeoTransform>"
            f'<VRTRasterBand dataType="{_GDAL_TYPES[self.dtype.name]}" band="1" '
            f'subClass="VRTRawRasterBand">{nd}'
            f'<SourceFilename relativetoVRT="1">{self.path.name}</SourceFilename>'
            f"<ImageOffset>0</ImageOffset><PixelOffset>{item}</PixelOffset>"
            f"<LineOffset>{item * cols}</LineOffset><ByteOrder>LSB</ByteOrder>"
            "</VRTRasterBand></VRTDataset>",
            encoding="utf-8",
        )
        weakref.finalize(self, _unlink, vrt)
        return str(vrt)


def _view(path: str, shape: tuple[int, int], dtype: str) -> StoredArray:
    """A StoredArray reading *path*, which another one owns (see :meth:`StoredArray.__reduce__`)."""
    view = StoredArray.__new__(StoredArray)
    view.shape, view.dtype, view.path = shape, np.dtype(dtype), Path(path)
    return view


class Mapped(WindowedArray):
    """``func(array[window])`` for any window: a value of an array computed window by window.

    Slices like a numpy array (two slices) and gives ``func`` of the same window of
    *array* (a numpy array, a :class:`StoredArray` or another :class:`Mapped`), so a
    derived raster of a large grid never exists whole.
    """

    def __init__(self, array: Any, func: Callable[[np.ndarray], np.ndarray], dtype: Any) -> None:
        self.array = array
        self.func = func
        self.dtype = np.dtype(dtype)
        self.shape = (int(array.shape[0]), int(array.shape[1]))

    def __getitem__(self, key: Any) -> np.ndarray:
        return np.asarray(self.func(np.asarray(self.array[key])), dtype=self.dtype)


def mapped(array: Any, func: Callable[[np.ndarray], np.ndarray], dtype: Any) -> np.ndarray:
    """``func(array)`` now for an array held whole, else a :class:`Mapped` computing it by windows."""
    if is_whole(array):
        return np.asarray(func(array), dtype=dtype)
    return cast(np.ndarray, Mapped(array, func, dtype))


def thinned(raster: Raster, cells: int) -> Raster:
    """*raster* in memory, thinned to every k-th cell of every k-th row when it is large.

    Thinned when it has more than :data:`MEMORY_CELLS` cells and more than 4 × *cells*:
    the cell nearest the centre of each k × k block stands for it (``transform`` scaled by
    k), keeping at least 4 × *cells*. Only the rows kept are read, so a stored raster is
    never read whole.
    """
    rows, cols = raster.shape
    k = int(math.sqrt(rows * cols / (4 * max(cells, 1))))
    if rows * cols <= MEMORY_CELLS or k < 2:
        return dataclasses.replace(raster, array=np.asarray(raster.array))
    off = k // 2
    return dataclasses.replace(
        raster,
        array=np.asarray(raster.array[off::k, off::k]),
        transform=raster.transform * Affine.scale(k),
    )


def is_whole(array: Any) -> bool:
    """Whether *array* is held whole in memory (a numpy array), not stored or mapped."""
    return isinstance(array, np.ndarray)


def bands(array: Any, rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, values) of successive bands of rows of a numpy, stored or mapped *array*.

    A band has *rows* rows, by default as many as make :data:`BAND_CELLS` cells.
    """
    for r0, n in _row_bands(array.shape, rows):
        yield r0, np.asarray(array[r0 : r0 + n, :])


def nanmax(array: Any) -> float:
    """The largest finite-or-not value of *array* ignoring NaN, read band by band (NaN if none)."""
    best = math.nan
    for _, band in bands(array):
        if band.size and not np.isnan(band).all():
            top = float(np.nanmax(band))
            best = top if math.isnan(best) else max(best, top)
    return best


def finite_range(array: Any) -> tuple[float, float] | None:
    """The smallest and largest finite values of *array*, read band by band (None if none)."""
    lo = hi = None
    for _, band in bands(array):
        vals = band[np.isfinite(band)]
        if vals.size:
            lo = float(vals.min()) if lo is None else min(lo, float(vals.min()))
            hi = float(vals.max()) if hi is None else max(hi, float(vals.max()))
    return None if lo is None or hi is None else (lo, hi)


def _row_bands(shape: tuple[int, ...], rows: int | None = None) -> Iterator[tuple[int, int]]:
    n = rows or max(1, BAND_CELLS // max(int(shape[1]), 1))
    for r0 in range(0, int(shape[0]), n):
        yield r0, min(n, int(shape[0]) - r0)


def _read_into(f: Any, out: np.ndarray, offset: int) -> None:
    view = memoryview(out.data).cast("B")
    f.seek(offset)
    got = 0
    while got < len(view):
        n = f.readinto(view[got:])
        if not n:
            msg = f"{f.name}: the stored array ends early (its scratch folder was removed?)"
            raise OSError(msg)
        got += n


def _write(fd: int, block: np.ndarray, offset: int) -> None:
    view = memoryview(np.ascontiguousarray(block).data).cast("B")
    done = 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], offset + done)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
