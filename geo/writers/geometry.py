"""Geometry preparation shared by the writers: families, multipart promotion, EPSG:4326.

Every writer that tells points, lines and polygons apart asks this module,
which asks :func:`geo.layerspec.geometry_family`; the HTML page, the PNG
sheet and the GeoPackage all drop missing geometries, reproject and promote
to multipart by the rules written here once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import WGS84, to_crs, utm_crs_for
from geo.layerspec import FAMILIES, families_of, geometry_family

__all__ = [
    "COORD_DECIMALS",
    "MULTI_TYPES",
    "drawable",
    "geom_types",
    "layer_family",
    "lonlat_bounds",
    "multi_type",
    "prepare_geometries",
    "shape_of",
]

COORD_DECIMALS = 5
"""Decimals kept in embedded coordinates (1e-5° is about 1.1 m here)."""

MULTI_TYPES = {"point": "MultiPoint", "line": "MultiLineString", "polygon": "MultiPolygon"}
"""The multipart geometry type of each family."""


def geom_types(data: Any) -> set[str]:
    """The geometry type names present in a GeoDataFrame (or an iterable of names)."""
    if hasattr(data, "geom_type"):
        return {str(t) for t in data.geom_type.dropna().unique()}
    return {str(t) for t in data}


def shape_of(types: Iterable[str]) -> str:
    """The family a layer is drawn as: ``point`` if it has points, else ``line``, else ``polygon``.

    Examples
    --------
    >>> shape_of({"Polygon", "LinearRing"}), shape_of(set())
    ('line', 'polygon')
    """
    found = families_of(types)
    return next((f for f in FAMILIES if f in found), "polygon")


def layer_family(data: Any) -> str:
    """``point``, ``line`` or ``polygon`` for a layer of one family (empty layers: polygon).

    Parameters
    ----------
    data : GeoDataFrame or iterable of str
        The layer, or its geometry type names.

    Raises
    ------
    ValueError
        If the layer mixes geometry families (points with polygons...).
    """
    kinds = {geometry_family(t) or t.lower() for t in geom_types(data)}
    if len(kinds) > 1:
        msg = f"mixes geometry types {sorted(kinds)}; split it into one layer per geometry type"
        raise ValueError(msg)
    return kinds.pop() if kinds else "polygon"


def multi_type(data: Any, family: str) -> str | None:
    """The multipart type to promote a layer to, or None to keep its types as they are.

    Lines and polygons are always written multipart; points only when the
    layer mixes Point and MultiPoint.
    """
    types = geom_types(data)
    if family in ("line", "polygon") or {"Point", "MultiPoint"} <= types:
        return MULTI_TYPES[family]
    return None


def drawable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of *gdf* with a geometry that is neither missing nor empty."""
    return gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]


def lonlat_bounds(gdf: gpd.GeoDataFrame, what: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the drawable geometries, or None when there are none."""
    d = drawable(gdf)
    if not len(d):
        return None
    w, s, e, n = to_crs(d, WGS84, what=what).total_bounds
    return (float(w), float(s), float(e), float(n))


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def prepare_geometries(gdf: gpd.GeoDataFrame, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Geometries ready for a web page: EPSG:4326, simplified, rounded.

    Lines and polygons are simplified with ``preserve_topology=True`` in the
    UTM zone of the layer's centre, with a tolerance of 1/3000 of the
    layer's diagonal (between 1 m and 250 m), then coordinates are rounded to
    :data:`COORD_DECIMALS` decimals. Empty and missing geometries are dropped.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any CRS.
    what : str
        Layer name for messages.
    """
    wgs = to_crs(drawable(gdf), WGS84, what=what)
    if wgs.empty:
        return wgs
    geoms = wgs.geometry.values
    if any(geometry_family(t) != "point" for t in set(wgs.geom_type)):
        w, s, e, n = wgs.total_bounds
        utm = utm_crs_for(float((w + e) / 2), float((s + n) / 2))
        metric = to_crs(wgs, utm, what=what)
        x0, y0, x1, y1 = metric.total_bounds
        tol = min(250.0, max(1.0, math.hypot(x1 - x0, y1 - y0) / 3000.0))
        simple = shapely.simplify(metric.geometry.values, tol, preserve_topology=True)
        back = to_crs(gpd.GeoDataFrame(geometry=simple, crs=utm), WGS84, what=what)
        geoms = back.geometry.values
    out = wgs.copy()
    out = out.set_geometry(
        gpd.GeoSeries(_round_coords(np.asarray(geoms)), index=out.index, crs=WGS84)
    )
    return out[~out.geometry.is_empty]
