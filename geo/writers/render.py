"""Raster rendering shared by the HTML and PNG writers: warp for display, then colour.

A raster is warped onto the display grid (Web Mercator for a page, UTM for a
sheet) by nearest neighbour when it holds classes and bilinearly otherwise,
with no data as NaN, and coloured by its style with
:func:`geo.writers.legend.ramp_rgba`.
"""

from __future__ import annotations

import numpy as np
from affine import Affine
from pyproj import CRS
from rasterio.warp import Resampling, reproject

from geo.raster import Raster, thinned
from geo.symbology import RasterClasses, RasterRamp
from geo.writers.legend import ramp_rgba

__all__ = ["display_rgba", "resampling_for", "warp_for_display"]


def resampling_for(style: RasterRamp | RasterClasses) -> Resampling:
    """Nearest neighbour for class rasters (a class stays a class), bilinear for ramps."""
    return Resampling.nearest if isinstance(style, RasterClasses) else Resampling.bilinear


def warp_for_display(
    raster: Raster,
    style: RasterRamp | RasterClasses,
    dst_crs: CRS,
    dst_transform: Affine,
    shape: tuple[int, int],
) -> np.ndarray:
    """*raster* warped onto the grid (*dst_crs*, *dst_transform*, *shape*) as float64, NaN = no data.

    A raster of more than :data:`geo.raster.MEMORY_CELLS` cells and more than 4 times the
    display's is first thinned to every k-th cell of every k-th row (:func:`geo.raster.thinned`,
    read band by band from a stored raster), keeping at least 4 source cells per display pixel.
    """
    shown = thinned(raster, shape[0] * shape[1])
    src = np.where(shown.valid_mask(), shown.array, np.nan).astype("float64")
    dst = np.full(shape, np.nan, dtype="float64")
    reproject(
        src,
        dst,
        src_transform=shown.transform,
        src_crs=raster.crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=resampling_for(style),
    )
    return dst


def display_rgba(
    raster: Raster,
    style: RasterRamp | RasterClasses,
    dst_crs: CRS,
    dst_transform: Affine,
    shape: tuple[int, int],
) -> np.ndarray:
    """*raster* warped for display and coloured by *style*: RGBA uint8, no data transparent."""
    return ramp_rgba(style, warp_for_display(raster, style, dst_crs, dst_transform, shape))
