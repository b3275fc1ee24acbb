"""CRS policy, in one place.

* Town-scale analysis runs in the local UTM zone: Zhanatas and Karatau are in
  EPSG:32642 (UTM 42N), Shu in EPSG:32643 (UTM 43N). :func:`utm_crs_for`
  picks the zone from a point and logs the choice.
* Areas and basin-wide work use :data:`EQUAL_AREA`, an Albers equal-area conic
  fitted to southern Kazakhstan (standard parallels 42° and 46° N).
* Web maps use EPSG:4326 for vectors and EPSG:3857 for raster overlays.
* Reprojection always asks PROJ for the most accurate operation available and
  refuses "ballpark" ones: Soviet Pulkovo 1942 inputs go through a real datum
  shift (e.g. "Pulkovo 1942 to WGS 84 (20)", about ±3 m), which is logged
  with its stated accuracy.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import AlbersEqualAreaConversion
from pyproj.transformer import TransformerGroup

from geo.errors import CRSError

__all__ = [
    "EQUAL_AREA",
    "REGION",
    "WGS84",
    "best_transformer",
    "crs_label",
    "to_crs",
    "utm_crs_for",
]

log = logging.getLogger(__name__)


def crs_label(crs: CRS) -> str:
    """``EPSG:<code>`` for a CRS with one, else its name (as in a manifest or a log line).

    Examples
    --------
    >>> crs_label(WGS84), crs_label(EQUAL_AREA)
    ('EPSG:4326', 'WGS 84 / Albers Equal Area Shu-Talas (42 N, 46 N; 72 E)')
    """
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


WGS84 = CRS.from_epsg(4326)
EQUAL_AREA = ProjectedCRS(
    name="WGS 84 / Albers Equal Area Shu-Talas (42 N, 46 N; 72 E)",
    conversion=AlbersEqualAreaConversion(
        latitude_first_parallel=42,
        latitude_second_parallel=46,
        latitude_false_origin=44,
        longitude_false_origin=72,
    ),
    geodetic_crs=GeographicCRS(datum="WGS84"),
)
"""Albers equal-area conic for the Shu-Talas basin (the one PROVENANCE.md uses)."""


REGION = (40.0, 35.0, 92.0, 60.0)
"""Kazakhstan and its neighbours (west, south, east, north, degrees): the places of the
``towns`` layer span 46.5–87.3 E, 40.6–55.4 N; a feature far outside is a CRS or axis error."""


def utm_crs_for(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM CRS of the zone holding (*lon*, *lat*).

    Examples
    --------
    >>> utm_crs_for(69.73, 43.56).to_epsg()  # Zhanatas
    32642
    >>> utm_crs_for(73.76, 43.61).to_epsg()  # Shu
    32643
    """
    if not (-180 <= lon <= 180 and -80 <= lat <= 84):
        msg = f"({lon}, {lat}) is outside the UTM domain; pass a projected CRS explicitly"
        raise CRSError(msg)
    zone = math.floor((lon + 180) / 6) + 1
    epsg = (32600 if lat >= 0 else 32700) + zone
    crs = CRS.from_epsg(epsg)
    log.debug("chose %s (EPSG:%d) for (%.4f, %.4f)", crs.name, epsg, lon, lat)
    return crs


def best_transformer(src: Any, dst: Any, bounds: tuple[float, ...] | None = None) -> Transformer:
    """Return the most accurate available transformer from *src* to *dst*.

    Transformers are cached per (source, target, area rounded to whole
    degrees), so repeated reprojections reuse one object. A datum shift is
    logged at INFO with its stated accuracy; pure projection changes at DEBUG.

    Parameters
    ----------
    src, dst : anything :meth:`pyproj.CRS.from_user_input` accepts
    bounds : (west, south, east, north) in degrees, optional
        Area of use; narrows the candidate operations.

    Raises
    ------
    CRSError
        If only ballpark operations exist (e.g. a datum shift grid is missing).
    """
    s, d = CRS.from_user_input(src), CRS.from_user_input(dst)
    key = None
    if bounds:
        key = (
            math.floor(bounds[0]),
            math.floor(bounds[1]),
            math.ceil(bounds[2]),
            math.ceil(bounds[3]),
        )
    return _best_transformer(s.to_wkt(), d.to_wkt(), key)


@functools.lru_cache(maxsize=256)
def _best_transformer(
    src_wkt: str, dst_wkt: str, bounds: tuple[int, int, int, int] | None
) -> Transformer:
    s, d = CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt)
    aoi = AreaOfInterest(*bounds) if bounds else None
    group = TransformerGroup(
        s,
        d,
        always_xy=True,
        area_of_interest=aoi,  # type: ignore[arg-type]
        allow_ballpark=False,
    )
    if not group.transformers:
        msg = (
            f"no accurate transformation from {s.name} to {d.name} is available "
            "(only ballpark ones); install the PROJ grids or give the data in another CRS"
        )
        raise CRSError(msg)

    def _acc(tr: Transformer) -> float:
        return tr.accuracy if tr.accuracy is not None and tr.accuracy >= 0 else math.inf

    # PROJ sorts by relevance to the area; take the most accurate of the usable ones.
    t = min(group.transformers, key=_acc)
    if not s.equals(d):
        acc = t.accuracy if t.accuracy is not None and t.accuracy >= 0 else "unknown"
        level = logging.DEBUG if acc == 0 else logging.INFO
        log.log(
            level, "transform %s -> %s via %s (accuracy %s m)", s.name, d.name, t.description, acc
        )
    return t


def to_crs(gdf: gpd.GeoDataFrame, dst: Any, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Reproject *gdf* to *dst* with the best available operation.

    Unlike :meth:`GeoDataFrame.to_crs`, which lets PROJ fall back to a
    ballpark transformation, this refuses inaccurate datum shifts and logs the
    operation used.

    Raises
    ------
    CRSError
        If *gdf* has no CRS.
    """
    if gdf.crs is None:
        msg = f"{what} has no CRS; set one (e.g. gdf.set_crs('EPSG:4326')) or fix the file's .prj"
        raise CRSError(msg)
    dst_crs = CRS.from_user_input(dst)
    if CRS.from_user_input(gdf.crs).equals(dst_crs):
        return gdf
    if gdf.empty:
        return gdf.to_crs(dst_crs)
    b = gdf.to_crs(WGS84).total_bounds if not CRS(gdf.crs).is_geographic else gdf.total_bounds
    bounds = (
        max(-180.0, float(b[0])),
        max(-90.0, float(b[1])),
        min(180.0, float(b[2])),
        min(90.0, float(b[3])),
    )
    t = best_transformer(gdf.crs, dst_crs, bounds)
    geoms = shapely.transform(
        gdf.geometry.values, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
    )
    out = gdf.copy()
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=dst_crs))
