"""The analysis grid: one raster frame that every criterion is aligned to.

A theme picks an area (towns plus a buffer, or a bounding box), a projected
CRS from :mod:`geo.crs` and a cell size; every vector is rasterised and every
raster warped onto that frame, so models work on plain aligned arrays.

Rasterising, warping and distances work on a **window** of the grid (row and
column slices; the whole grid by default) and always **tile by tile** of a fixed
lattice of :data:`TILE` cells anchored at the grid's upper-left corner: GDAL's
warper interpolates its transformation along each destination block and its
rasteriser works in the block's own pixel frame, so a cell's value could depend on
the block it was computed in. Computed by fixed tiles, it depends on the cell alone,
and a window of the grid (a dask chunk, :mod:`geo.chunks`) gets exactly the values of
the whole grid. A grid of up to ``TILE`` cells a side is one tile.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import CRS
from rasterio import features
from rasterio.enums import Resampling
from rasterio.warp import reproject
from scipy import ndimage

import geo.raster as raster_module
from geo.crs import to_crs
from geo.errors import InputError
from geo.raster import Raster

__all__ = ["TILE", "AnalysisGrid", "NearestFeatures", "Window"]

log = logging.getLogger(__name__)

TILE = 1024
"""Side (cells) of the fixed tiles the grid is rasterised, warped and measured by."""

_GDAL_MEMORY = threading.Lock()
"""Held while GDAL builds in-memory datasets for a warp or a burn: rasterio creating two at
once in two threads reports a spurious NotGeoreferencedWarning (and GDAL's work on a tile is
short beside the model's)."""

Window = tuple[slice, slice]
"""Rows and columns of a grid: ``(slice(r0, r1), slice(c0, c1))``."""


@dataclass(frozen=True)
class AnalysisGrid:
    """A north-up raster frame in a projected CRS.

    Parameters
    ----------
    transform : affine.Affine
        Upper-left corner and cell size.
    width, height : int
        Columns and rows.
    crs : pyproj.CRS
        A projected CRS in metres.
    """

    transform: Affine
    width: int
    height: int
    crs: CRS

    @classmethod
    def from_bounds(
        cls, bounds: tuple[float, float, float, float], crs: CRS, cell_size: float
    ) -> AnalysisGrid:
        """Build the grid covering *bounds* (in *crs* units), snapped to *cell_size*.

        Examples
        --------
        >>> from pyproj import CRS
        >>> g = AnalysisGrid.from_bounds((0, 0, 1000, 500), CRS.from_epsg(32642), 100)
        >>> (g.width, g.height)
        (10, 5)
        """
        if cell_size <= 0:
            msg = f"cell size must be positive, got {cell_size}"
            raise InputError(msg)
        left = math.floor(bounds[0] / cell_size) * cell_size
        bottom = math.floor(bounds[1] / cell_size) * cell_size
        right = math.ceil(bounds[2] / cell_size) * cell_size
        top = math.ceil(bounds[3] / cell_size) * cell_size
        width = max(1, round((right - left) / cell_size))
        height = max(1, round((top - bottom) / cell_size))
        return cls(Affine(cell_size, 0, left, 0, -cell_size, top), width, height, CRS(crs))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return (self.height, self.width)

    @property
    def cell_size(self) -> float:
        """Cell edge length in metres."""
        return float(self.transform.a)

    @property
    def cell_area_ha(self) -> float:
        """Area of one cell in hectares."""
        return self.cell_size**2 / 10_000

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top)."""
        left, top = self.transform.c, self.transform.f
        return (left, top - self.height * self.cell_size, left + self.width * self.cell_size, top)

    def cell_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """The x of the cell centres of a row and the y of those of a column (1-D, float64).

        Examples
        --------
        >>> from pyproj import CRS
        >>> g = AnalysisGrid.from_bounds((0, 0, 300, 200), CRS.from_epsg(32642), 100)
        >>> [a.tolist() for a in g.cell_axes()]
        [[50.0, 150.0, 250.0], [150.0, 50.0]]
        """
        cols = np.arange(self.width) + 0.5
        rows = np.arange(self.height) + 0.5
        return (
            self.transform.c + cols * self.transform.a,
            self.transform.f + rows * self.transform.e,
        )

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return 2-D arrays (x, y) of cell-centre coordinates (the whole grid: see :meth:`cell_axes`)."""
        return np.meshgrid(*self.cell_axes())

    def raster(self, array: np.ndarray, **kwargs: object) -> Raster:
        """Wrap *array* (shaped like the grid) as a :class:`Raster`."""
        if array.shape != self.shape:
            msg = f"array shape {array.shape} does not match the grid {self.shape}"
            raise ValueError(msg)
        return Raster(array, self.transform, self.crs, **kwargs)  # type: ignore[arg-type]

    def window(self, rows: slice, cols: slice) -> AnalysisGrid:
        """The grid of the cells *rows* × *cols* (which may reach beyond this grid's edges).

        Examples
        --------
        >>> from pyproj import CRS
        >>> g = AnalysisGrid.from_bounds((0, 0, 1000, 500), CRS.from_epsg(32642), 100)
        >>> w = g.window(slice(1, 3), slice(-2, 4))
        >>> w.shape, w.bounds
        ((2, 6), (-200.0, 200.0, 400.0, 400.0))
        """
        return AnalysisGrid(
            self.transform * Affine.translation(cols.start, rows.start),
            cols.stop - cols.start,
            rows.stop - rows.start,
            self.crs,
        )

    def _whole(self, window: Window | None) -> Window:
        return window or (slice(0, self.height), slice(0, self.width))

    def _by_tiles(
        self,
        window: Window | None,
        tile: Callable[[AnalysisGrid], np.ndarray],
        dtype: str,
        side: int | None = None,
    ) -> np.ndarray:
        """``tile(grid of one tile)`` over *window*, tile by tile of the fixed lattice.

        Tiles are *side* cells a side (:data:`TILE` by default), cut to this grid's
        edges, so a grid of up to that many cells a side is one call on the whole grid.
        """
        rows, cols = self._whole(window)
        r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
        if not (0 <= r0 <= r1 <= self.height and 0 <= c0 <= c1 <= self.width):
            msg = f"window rows {r0}:{r1}, columns {c0}:{c1} lie outside the grid {self.shape}"
            raise ValueError(msg)
        out = np.empty((r1 - r0, c1 - c0), dtype=dtype)
        t = side or TILE
        for tr in range(r0 // t, math.ceil(r1 / t)):
            a0, a1 = tr * t, min((tr + 1) * t, self.height)
            for tc in range(c0 // t, math.ceil(c1 / t)):
                b0, b1 = tc * t, min((tc + 1) * t, self.width)
                values = tile(self.window(slice(a0, a1), slice(b0, b1)))
                i0, i1, j0, j1 = max(r0, a0), min(r1, a1), max(c0, b0), min(c1, b1)
                out[i0 - r0 : i1 - r0, j0 - c0 : j1 - c0] = values[
                    i0 - a0 : i1 - a0, j0 - b0 : j1 - b0
                ]
        return out

    # -- vectors -------------------------------------------------------------
    def _in_crs(self, gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
        return to_crs(gdf, self.crs, what=what)

    def rasterize(
        self,
        gdf: gpd.GeoDataFrame,
        values: Iterable[float] | str | None = None,
        *,
        fill: float = 0,
        all_touched: bool = False,
        dtype: str = "float32",
        what: str = "layer",
        window: Window | None = None,
    ) -> np.ndarray:
        """Burn *gdf* into a grid-shaped array (or the cells of *window*).

        Parameters
        ----------
        gdf : GeoDataFrame
            Any CRS; reprojected to the grid's.
        values : column name, iterable or None
            Value per feature; 1 when None.
        fill : float
            Value of cells no feature touches.
        all_touched : bool
            Burn every cell a geometry touches, not just those whose centre it covers.
        window : (rows, cols), optional
            The cells to burn; the whole grid when None. Burnt tile by tile, so a
            window gets the values of the whole grid.
        """
        g = self._in_crs(gdf, what)
        keep = (~g.geometry.is_empty & g.geometry.notna()).to_numpy()
        if values is None:
            vals = np.ones(len(g))
        elif isinstance(values, str):
            vals = g[values].to_numpy(dtype=float)
        else:
            vals = np.asarray(list(values), dtype=float)[: len(g)]
        geoms = g.geometry.values[keep]
        return self._burn(
            geoms, vals[keep[: len(vals)]], window, fill, all_touched=all_touched, dtype=dtype
        )

    def _burn(
        self,
        geoms: Any,
        vals: np.ndarray,
        window: Window | None,
        fill: float,
        *,
        all_touched: bool,
        dtype: str,
        side: int | None = None,
    ) -> np.ndarray:
        """Geometries already in the grid's CRS burnt with *vals* on *window*, tile by tile."""
        rows, cols = self._whole(window)
        if len(geoms) == 0:
            return np.full((rows.stop - rows.start, cols.stop - cols.start), fill, dtype=dtype)

        def burn(tile: AnalysisGrid) -> np.ndarray:
            with _GDAL_MEMORY:
                out = features.rasterize(
                    zip(geoms, vals, strict=False),
                    out_shape=tile.shape,
                    transform=tile.transform,
                    fill=fill,
                    all_touched=all_touched,
                    dtype=dtype,
                )
            return np.asarray(out)

        return self._by_tiles(window, burn, dtype, side)

    def mask(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        all_touched: bool = False,
        what: str = "layer",
        window: Window | None = None,
    ) -> np.ndarray:
        """Boolean array, True inside *gdf*'s geometries (on *window*, or the whole grid)."""
        burnt = self.rasterize(
            gdf, None, fill=0, all_touched=all_touched, dtype="uint8", what=what, window=window
        )
        return burnt > 0

    def distance_to(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        cap: float | None = None,
        what: str = "layer",
        window: Window | None = None,
    ) -> np.ndarray:
        """Euclidean distance in metres from each cell centre to the nearest feature.

        Features are rasterised with ``all_touched=True`` so thin lines are not
        lost; distances are exact to within half a cell. *cap* clips the result
        (useful where a membership function saturates). Features outside the
        grid still count: the grid is padded to reach them, up to *cap*.

        With a *cap*, the distances come from :meth:`nearest` (the same values for a
        *window* as for the whole grid); without one, from a distance transform of the
        whole grid.
        """
        if cap is not None:
            return self.nearest(gdf, cap=cap, what=what).distances(window)
        if window is not None:
            msg = "distances on a window of the grid need a cap"
            raise ValueError(msg)
        burnt = self.mask(gdf, all_touched=True, what=what)
        if not burnt.any():
            return np.full(self.shape, np.inf, dtype="float32")
        dist = ndimage.distance_transform_edt(~burnt, sampling=(self.cell_size, self.cell_size))
        return np.asarray(dist, dtype="float32")

    def nearest(self, gdf: gpd.GeoDataFrame, *, cap: float, what: str = "layer") -> NearestFeatures:
        """The features of *gdf* ready to measure distances up to *cap* on any window.

        The grid, padded by *cap* so that features beyond its edge count, is burnt
        tile by tile (``all_touched``); the burnt cells on the edge of a burnt area
        (the nearest burnt cell of an unburnt cell always is one) go into a k-d tree.
        Memory grows with those edge cells, never with the grid.
        """
        pad = math.ceil(cap / self.cell_size)
        big = self.window(slice(-pad, self.height + pad), slice(-pad, self.width + pad))
        g = self._in_crs(gdf, what)
        geoms = g.geometry.values[(~g.geometry.is_empty & g.geometry.notna()).to_numpy()]
        # a grid of up to TILE cells a side with a pad of up to TILE burns in one piece; a larger
        # pad is burnt by tiles of TILE, so the memory never follows the padded grid
        side = TILE + 2 * pad if pad <= TILE else TILE
        edges: list[np.ndarray] = []
        if len(geoms):
            ones = np.ones(len(geoms))
            for r0 in range(0, big.height, side):
                for c0 in range(0, big.width, side):
                    w = (
                        slice(r0, min(r0 + side, big.height)),
                        slice(c0, min(c0 + side, big.width)),
                    )
                    burnt = big._burn(
                        geoms, ones, w, 0, all_touched=True, dtype="uint8", side=side
                    ).astype(bool)
                    edges.append(_edge_cells(burnt) + np.array([r0 - pad, c0 - pad]))
        cells = np.concatenate(edges) if edges else np.empty((0, 2), dtype="int64")
        return NearestFeatures(self, geoms, cells, float(cap))

    # -- rasters -------------------------------------------------------------
    def warp(
        self,
        raster: Raster,
        *,
        resampling: str = "bilinear",
        window: Window | None = None,
        halo: int = 0,
    ) -> np.ndarray:
        """Resample *raster* onto the grid (float32, NaN where it has no data).

        On *window* (the whole grid when None), warped tile by tile; with a *halo*
        the window grows by that many cells on each side, and cells beyond the grid's
        edge repeat its edge cells (as a 3×3 kernel on the whole grid reads them).
        """
        held = raster.shape[0] * raster.shape[1] <= raster_module.MEMORY_CELLS
        whole = _warp_source(raster, slice(None), slice(None)) if held else None
        src_crs = raster.crs.to_wkt()
        dst_crs = self.crs.to_wkt()

        def resample(tile: AnalysisGrid) -> np.ndarray:
            dst = np.full(tile.shape, np.nan, dtype="float32")
            if whole is not None:
                src, src_transform = whole, raster.transform
            else:
                part = _source_window(raster, tile)
                if part is None:
                    return dst
                src = _warp_source(raster, *part)
                src_transform = raster.transform * Affine.translation(part[1].start, part[0].start)
            with _GDAL_MEMORY:
                reproject(
                    source=src,
                    destination=dst,
                    src_transform=src_transform,
                    src_crs=src_crs,
                    src_nodata=np.nan,
                    dst_transform=tile.transform,
                    dst_crs=dst_crs,
                    dst_nodata=np.nan,
                    resampling=Resampling[resampling],
                )
            return dst

        if halo <= 0:
            return self._by_tiles(window, resample, "float32")
        rows, cols = self._whole(window)
        r0, r1 = max(rows.start - halo, 0), min(rows.stop + halo, self.height)
        c0, c1 = max(cols.start - halo, 0), min(cols.stop + halo, self.width)
        inner = self._by_tiles((slice(r0, r1), slice(c0, c1)), resample, "float32")
        widths = (
            (r0 - (rows.start - halo), rows.stop + halo - r1),
            (c0 - (cols.start - halo), cols.stop + halo - c1),
        )
        return np.pad(inner, widths, mode="edge") if any(map(any, widths)) else inner


SOURCE_MARGIN = 8
"""Source cells read beyond a tile's footprint when a large source is warped by windows
(the resampling kernels reach at most a few cells)."""


def _warp_source(raster: Raster, rows: slice, cols: slice) -> np.ndarray:
    """The cells *rows* × *cols* of *raster* as float32, NaN where no data."""
    src = np.asarray(raster.array[rows, cols]).astype("float32", copy=False)
    if raster.nodata is not None:
        src = np.where(src == raster.nodata, np.nan, src)
    return src


def _source_window(raster: Raster, tile: AnalysisGrid) -> Window | None:
    """The cells of *raster* a warp onto *tile* reads, with a margin (None: it misses the tile)."""
    from rasterio.warp import transform_bounds

    left, bottom, right, top = transform_bounds(tile.crs, raster.crs, *tile.bounds, densify_pts=21)
    inv = ~raster.transform
    xs, ys = zip(*(inv * (x, y) for x in (left, right) for y in (bottom, top)), strict=True)
    rows, cols = raster.shape
    r0 = max(math.floor(min(ys)) - SOURCE_MARGIN, 0)
    r1 = min(math.ceil(max(ys)) + SOURCE_MARGIN, rows)
    c0 = max(math.floor(min(xs)) - SOURCE_MARGIN, 0)
    c1 = min(math.ceil(max(xs)) + SOURCE_MARGIN, cols)
    if r1 <= r0 or c1 <= c0:
        return None
    return slice(r0, r1), slice(c0, c1)


def _edge_cells(burnt: np.ndarray) -> np.ndarray:
    """(row, col) of the burnt cells with an unburnt 4-neighbour, or on the array's edge."""
    inner = burnt.copy()
    inner[1:, :] &= burnt[:-1, :]
    inner[:-1, :] &= burnt[1:, :]
    inner[:, 1:] &= burnt[:, :-1]
    inner[:, :-1] &= burnt[:, 1:]
    inner[[0, -1], :] = False
    inner[:, [0, -1]] = False
    return np.argwhere(burnt & ~inner)


@dataclass(frozen=True)
class NearestFeatures:
    """Distances to a layer's features on any window of a grid (:meth:`AnalysisGrid.nearest`).

    Attributes
    ----------
    grid : AnalysisGrid
        The grid measured.
    geoms : array of geometries
        The features, in the grid's CRS.
    cells : array (n, 2)
        Grid row and column of every burnt cell on the edge of a burnt area.
    cap : float
        Distances stop here (m).
    """

    grid: AnalysisGrid
    geoms: Any
    cells: np.ndarray
    cap: float

    @functools.cached_property
    def _tree(self) -> Any:
        from scipy.spatial import cKDTree

        return cKDTree(self.cells) if len(self.cells) else None

    def distances(self, window: Window | None = None) -> np.ndarray:
        """Distance (m, float32, at most the cap) from each cell centre of *window*.

        The nearest edge cell's offset ``(dr, dc)`` gives ``sqrt((dr·s)² + (dc·s)²)``
        (cell size *s*), the arithmetic of :func:`scipy.ndimage.distance_transform_edt`;
        burnt cells are at 0. Row bands of at most a million cells are measured at once.
        """
        rows, cols = self.grid._whole(window)
        shape = (rows.stop - rows.start, cols.stop - cols.start)
        out = np.full(shape, self.cap, dtype="float32")
        if self._tree is None:
            return out
        s = self.grid.cell_size
        band = max(1, 1_000_000 // max(shape[1], 1))
        cc = np.arange(cols.start, cols.stop)
        for b0 in range(rows.start, rows.stop, band):
            b1 = min(b0 + band, rows.stop)
            rr, cg = np.meshgrid(np.arange(b0, b1), cc, indexing="ij")
            pts = np.column_stack([rr.ravel(), cg.ravel()])
            dist, idx = self._tree.query(pts, k=1, distance_upper_bound=self.cap / s + 1.0)
            found = np.isfinite(dist)
            d = np.full(len(pts), self.cap, dtype="float64")
            near = self.cells[idx[found]]
            dr = (near[:, 0] - pts[found, 0]).astype("float64") * s
            dc = (near[:, 1] - pts[found, 1]).astype("float64") * s
            d[found] = np.sqrt(dr * dr + dc * dc)
            out[b0 - rows.start : b1 - rows.start] = np.minimum(
                d.astype("float32"), np.float32(self.cap)
            ).reshape(b1 - b0, len(cc))
        inside = self.grid._burn(
            self.geoms, np.ones(len(self.geoms)), (rows, cols), 0, all_touched=True, dtype="uint8"
        )  # the window's own cells, by the grid's tiles: no padded tile is burnt again
        out[inside > 0] = 0.0
        return out
