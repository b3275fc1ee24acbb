"""Segment lengths and the split of segments between zones.

Pure functions on GeoDataFrames; nothing here opens a file.

:func:`measure_lengths` gives each segment's length in metres (a
``length_m`` attribute wins; geometries are measured in their local UTM
zone). :func:`split_by_zones` cuts segments by zone polygons (in UTM) and
shares each segment's length between zones in proportion to the length
inside.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> from geo.models.wear.zones import measure_lengths
>>> g = gpd.GeoDataFrame(geometry=[LineString([(69.0, 43.0), (69.01, 43.0)])], crs=4326)
>>> round(float(measure_lengths(g)[0]))
815
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from geo.crs import to_crs, utm_crs_for
from geo.errors import DataError


# -- lengths and zones -----------------------------------------------------------------------
def _local_utm(gdf: gpd.GeoDataFrame) -> NDArray[np.int64]:
    """EPSG code of the UTM zone of each feature (by its representative point in WGS 84; 0 if empty)."""
    pts = to_crs(gdf[[gdf.geometry.name]], CRS.from_epsg(4326), what="segments").geometry
    pts = pts.representative_point()
    empty = pts.is_empty.to_numpy()
    lon = np.where(empty, 0.0, pts.x.to_numpy(dtype=float, na_value=0.0))
    lat = np.where(empty, 0.0, pts.y.to_numpy(dtype=float, na_value=0.0))
    zone = np.floor((lon + 180.0) / 6.0).astype(np.int64) + 1
    epsg = np.where(lat >= 0, 32600, 32700) + zone
    out = np.where(empty, 0, epsg).astype(np.int64)
    for code in sorted(set(out.tolist()) - {0}):  # validate and log once per zone
        i = int(np.flatnonzero(out == code)[0])
        utm_crs_for(float(lon[i]), float(lat[i]))
    return out


def measure_lengths(segments: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Length of each segment in metres.

    A ``length_m`` attribute wins where it is given (not NaN); otherwise the
    geometry is measured in its local UTM zone (a projected CRS is measured
    as is).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> g = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (300, 400)])], crs=32642)
    >>> measure_lengths(g).tolist()
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
        zones = _local_utm(segments)
        for epsg in sorted(set(zones.tolist()) - {0}):
            sel = zones == epsg
            part = to_crs(
                segments.loc[sel, [segments.geometry.name]],
                CRS.from_epsg(int(epsg)),
                what="segments",
            )
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
    length_column: str = "length_m",
) -> gpd.GeoDataFrame:
    """Cut segments by zone polygons and share each segment's length by the part inside.

    The overlay runs in the UTM zone of each zone polygon. A piece's length is
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
    >>> seg = gpd.GeoDataFrame({"segment_id": ["s"], "length_m": [1000.0]},
    ...     geometry=[LineString([(500_000, 0), (501_000, 0)])], crs=32642)
    >>> z = gpd.GeoDataFrame({"zone_id": ["a", "b"]},
    ...     geometry=[box(499_000, -10, 500_250, 10), box(500_250, -10, 502_000, 10)], crs=32642)
    >>> split_by_zones(seg, z).set_index("zone_id")["length_m"].round(6).to_dict()
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
    zone_epsg = _local_utm(zones_w)
    pieces = []
    for epsg in sorted(set(zone_epsg.tolist()) - {0}):
        utm = CRS.from_epsg(int(epsg))
        z = to_crs(zones_w[zone_epsg == epsg], utm, what="zones")
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
