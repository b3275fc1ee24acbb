"""The analysis grid: one raster frame that every criterion is aligned to.

A theme picks an area (towns plus a buffer, or a bounding box), a projected
CRS from :mod:`geo.crs` and a cell size; every vector is rasterised and every
raster warped onto that frame, so models work on plain aligned arrays.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import CRS
from rasterio import features
from rasterio.enums import Resampling
from rasterio.warp import reproject
from scipy import ndimage

from geo.crs import to_crs
from geo.errors import InputError
from geo.raster import Raster

__all__ = ["AnalysisGrid"]

log = logging.getLogger(__name__)


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

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return 2-D arrays (x, y) of cell-centre coordinates."""
        cols = np.arange(self.width) + 0.5
        rows = np.arange(self.height) + 0.5
        x = self.transform.c + cols * self.transform.a
        y = self.transform.f + rows * self.transform.e
        return np.meshgrid(x, y)

    def raster(self, array: np.ndarray, **kwargs: object) -> Raster:
        """Wrap *array* (shaped like the grid) as a :class:`Raster`."""
        if array.shape != self.shape:
            msg = f"array shape {array.shape} does not match the grid {self.shape}"
            raise ValueError(msg)
        return Raster(array, self.transform, self.crs, **kwargs)  # type: ignore[arg-type]

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
    ) -> np.ndarray:
        """Burn *gdf* into a grid-shaped array.

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
        """
        g = self._in_crs(gdf, what)
        g = g[~g.geometry.is_empty & g.geometry.notna()]
        if g.empty:
            return np.full(self.shape, fill, dtype=dtype)
        if values is None:
            vals: Iterable[float] = np.ones(len(g))
        elif isinstance(values, str):
            vals = g[values].to_numpy(dtype=float)
        else:
            vals = np.asarray(list(values), dtype=float)[: len(g)]
        shapes = zip(g.geometry.values, vals, strict=False)
        out = features.rasterize(
            shapes,
            out_shape=self.shape,
            transform=self.transform,
            fill=fill,
            all_touched=all_touched,
            dtype=dtype,
        )
        return np.asarray(out)

    def mask(
        self, gdf: gpd.GeoDataFrame, *, all_touched: bool = False, what: str = "layer"
    ) -> np.ndarray:
        """Boolean array, True inside *gdf*'s geometries."""
        return (
            self.rasterize(gdf, None, fill=0, all_touched=all_touched, dtype="uint8", what=what) > 0
        )

    def distance_to(
        self, gdf: gpd.GeoDataFrame, *, cap: float | None = None, what: str = "layer"
    ) -> np.ndarray:
        """Euclidean distance in metres from each cell centre to the nearest feature.

        Features are rasterised with ``all_touched=True`` so thin lines are not
        lost; distances are exact to within half a cell. *cap* clips the result
        (useful where a membership function saturates). Features outside the
        grid still count: the grid is padded to reach them, up to *cap*.
        """
        pad = 0
        if cap is not None:
            pad = math.ceil(cap / self.cell_size)
        big = AnalysisGrid(
            self.transform * Affine.translation(-pad, -pad),
            self.width + 2 * pad,
            self.height + 2 * pad,
            self.crs,
        )
        burnt = big.mask(gdf, all_touched=True, what=what)
        if not burnt.any():
            far = np.inf if cap is None else cap
            return np.full(self.shape, far, dtype="float32")
        dist = ndimage.distance_transform_edt(~burnt, sampling=(self.cell_size, self.cell_size))
        dist = np.asarray(dist, dtype="float32")[pad : pad + self.height, pad : pad + self.width]
        if cap is not None:
            np.minimum(dist, cap, out=dist)
        return dist

    # -- rasters -------------------------------------------------------------
    def warp(self, raster: Raster, *, resampling: str = "bilinear") -> np.ndarray:
        """Resample *raster* onto the grid (float32, NaN where it has no data)."""
        src = raster.array.astype("float32", copy=False)
        if raster.nodata is not None:
            src = np.where(src == raster.nodata, np.nan, src)
        dst = np.full(self.shape, np.nan, dtype="float32")
        reproject(
            source=src,
            destination=dst,
            src_transform=raster.transform,
            src_crs=raster.crs.to_wkt(),
            src_nodata=np.nan,
            dst_transform=self.transform,
            dst_crs=self.crs.to_wkt(),
            dst_nodata=np.nan,
            resampling=Resampling[resampling],
        )
        return dst
