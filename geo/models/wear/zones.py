"""Segment lengths and the split of segments between zones.

Pure functions on GeoDataFrames; nothing here opens a file.

:func:`measure_lengths` gives each segment's length in metres (a
``length_m`` attribute wins; geometries are measured in a projected CRS).
:func:`split_by_zones` cuts segments by zone polygons (in a projected CRS) and
shares each segment's length between zones in proportion to the length
inside.

Neither chooses a CRS: the caller passes *crs_for*, a function giving the
projected CRS of a feature from the longitude and latitude (WGS 84) of its
representative point, e.g. :func:`geo.crs.utm_crs_for`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> from geo.crs import utm_crs_for
>>> from geo.models.wear.zones import measure_lengths
>>> g = gpd.GeoDataFrame(geometry=[LineString([(69.0, 43.0), (69.01, 43.0)])], crs=4326)
>>> round(float(measure_lengths(g, crs_for=utm_crs_for)[0]))
815
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from geo.crs import to_crs
from geo.errors import DataError

__all__ = ["CrsFor", "measure_lengths", "split_by_zones"]

CrsFor = Callable[[float, float], CRS]
"""A feature's projected CRS from its representative point's (longitude, latitude) in WGS 84."""


# -- lengths and zones -----------------------------------------------------------------------
def _feature_crs(gdf: gpd.GeoDataFrame, crs_for: CrsFor) -> tuple[list[CRS], NDArray[np.int64]]:
    """The distinct CRSs *crs_for* gives the features and, per feature, the index of its CRS.

    Features with an empty geometry get -1. The CRSs are ordered by EPSG code
    (then by WKT), so the pieces come out in the same order on every run.
    """
    pts = to_crs(gdf[[gdf.geometry.name]], CRS.from_epsg(4326), what="segments").geometry
    pts = pts.representative_point()
    empty = pts.is_empty.to_numpy()
    lon = pts.x.to_numpy(dtype=float, na_value=0.0)
    lat = pts.y.to_numpy(dtype=float, na_value=0.0)
    chosen: dict[str, CRS] = {}
    keys: list[str | None] = []
    for i in range(len(gdf)):
        if empty[i]:
            keys.append(None)
            continue
        crs = crs_for(float(lon[i]), float(lat[i]))
        key = crs.to_wkt()
        chosen.setdefault(key, crs)
        keys.append(key)
    order = sorted(chosen, key=lambda k: (chosen[k].to_epsg() or 0, k))
    where = {k: n for n, k in enumerate(order)}
    index = np.array([-1 if k is None else where[k] for k in keys], dtype=np.int64)
    return [chosen[k] for k in order], index


def measure_lengths(segments: gpd.GeoDataFrame, *, crs_for: CrsFor) -> NDArray[np.float64]:
    """Length of each segment in metres.

    A ``length_m`` attribute wins where it is given (not NaN); otherwise the
    geometry is measured in the CRS *crs_for* gives it (a projected CRS is
    measured as is).

    Parameters
    ----------
    segments : GeoDataFrame
        Lines, with an optional ``length_m`` column.
    crs_for : callable
        ``(lon, lat) -> CRS``: the projected CRS of a feature (the caller's
        choice, e.g. :func:`geo.crs.utm_crs_for`).

    Returns
    -------
    ndarray
        Length in metres, NaN for an empty geometry without ``length_m``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from geo.crs import utm_crs_for
    >>> g = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (300, 400)])], crs=32642)
    >>> measure_lengths(g, crs_for=utm_crs_for).tolist()
    [500.0]
    """
    geom_len = np.full(len(segments), np.nan)
    crs = CRS.from_user_input(segments.crs) if segments.crs is not None else None
    if crs is None:
        msg = "segments have no CRS; set one before measuring lengths"
        raise DataError(msg)
    if crs.is_projected:
        geom_len = segments.geometry.length.to_numpy(dtype=float)
    else:
        crss, index = _feature_crs(segments, crs_for)
        for n, local in enumerate(crss):
            sel = index == n
            part = to_crs(segments.loc[sel, [segments.geometry.name]], local, what="segments")
            geom_len[sel] = part.geometry.length.to_numpy(dtype=float)
    if "length_m" in segments:
        attr = pd.to_numeric(segments["length_m"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isnan(attr), geom_len, attr)
    return geom_len


def split_by_zones(
    segments: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    zone_field: str = "zone_id",
    *,
    crs_for: CrsFor,
    length_column: str = "length_m",
) -> gpd.GeoDataFrame:
    """Cut segments by zone polygons and share each segment's length by the part inside.

    The overlay runs in the CRS *crs_for* gives each zone polygon. A piece's length is
    ``length × (piece length / segment length)``, with the segment's length
    taken from *length_column* (e.g. from :func:`measure_lengths`), so a
    segment half in one zone and half in another gives half its length to
    each. Parts outside every zone are dropped (the caller can compare sums).

    Parameters
    ----------
    segments : GeoDataFrame
        Lines with a ``segment_id`` and *length_column*.
    zones : GeoDataFrame
        Polygons with *zone_field*.
    zone_field : str
        Zone identifier column.
    crs_for : callable
        ``(lon, lat) -> CRS``: the projected CRS of a zone polygon (the
        caller's choice, e.g. :func:`geo.crs.utm_crs_for`).
    length_column : str
        Column holding each segment's full length in metres.

    Returns
    -------
    GeoDataFrame
        One row per (segment, zone) piece, in EPSG:4326, with the segment's
        columns, *zone_field*, ``share`` (0–1) and *length_column* replaced by
        the piece's length. A *zone_field* column of *segments* is replaced by
        the zone's value.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> from geo.crs import utm_crs_for
    >>> seg = gpd.GeoDataFrame({"segment_id": ["s"], "length_m": [1000.0]},
    ...     geometry=[LineString([(500_000, 0), (501_000, 0)])], crs=32642)
    >>> z = gpd.GeoDataFrame({"zone_id": ["a", "b"]},
    ...     geometry=[box(499_000, -10, 500_250, 10), box(500_250, -10, 502_000, 10)], crs=32642)
    >>> split_by_zones(seg, z, crs_for=utm_crs_for).set_index("zone_id")["length_m"].round(6).to_dict()
    {'a': 250.0, 'b': 750.0}
    """
    if "segment_id" not in segments or length_column not in segments:
        msg = f"segments need 'segment_id' and {length_column!r} columns to be split by zone"
        raise DataError(msg)
    if zone_field not in zones:
        msg = f"zones have no {zone_field!r} column; name the zone id field"
        raise DataError(msg)
    wgs = CRS.from_epsg(4326)
    zones_w = to_crs(zones[[zone_field, zones.geometry.name]], wgs, what="zones")
    # the zone's value wins for a piece (a segment's own ``town`` would clash with the zones')
    seg_w = to_crs(segments.drop(columns=[zone_field], errors="ignore"), wgs, what="segments")
    crss, index = _feature_crs(zones_w, crs_for)
    pieces = []
    for n, utm in enumerate(crss):
        z = to_crs(zones_w[index == n], utm, what="zones")
        s = to_crs(seg_w, utm, what="segments")
        s = s.assign(_full_m=s.geometry.length.to_numpy(dtype=float))
        cut = gpd.overlay(s, z, how="intersection", keep_geom_type=True)
        if cut.empty:
            continue
        piece_len = cut.geometry.length.to_numpy(dtype=float)
        full = cut["_full_m"].to_numpy(dtype=float)
        share = np.divide(piece_len, full, out=np.zeros_like(piece_len), where=full > 0)
        cut["share"] = share
        cut[length_column] = cut[length_column].to_numpy(dtype=float) * share
        pieces.append(to_crs(cut.drop(columns="_full_m"), wgs, what="pieces"))
    if not pieces:
        cols = [*segments.columns.drop(segments.geometry.name), zone_field, "share"]
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=wgs)
    out = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), geometry="geometry", crs=wgs)
    return out.sort_values(["segment_id", zone_field], kind="stable").reset_index(drop=True)
