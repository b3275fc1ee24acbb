"""Zones of the land-suitability theme and their class areas.

The towns, micro-districts and districts intersecting the grid (or the
recipe's ``[zones]`` layers), the report town's "northern suburbs" ring, and
the zone × class table of areas (exact cell coverage, UTM areas) with the
mean class stability.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_crs
from geo.grid import AnalysisGrid
from geo.models import mcda
from geo.models.zonal import class_areas, zonal_mean
from geo.raster import Raster, mapped
from geo.themes.base import ThemeInputs
from geo.themes.suitability.inputs import _read
from geo.themes.suitability.settings import DEFAULT_ZONE_LAYERS

if TYPE_CHECKING:
    from geo.themes.suitability.settings import Report

__all__ = ["DEFAULT_ZONE_LAYERS"]


def _zones(ctx: ThemeInputs, layers: Sequence[str], grid: AnalysisGrid) -> gpd.GeoDataFrame | None:
    """The features of the zone *layers* (ids checked by the settings) intersecting the grid."""
    frame = gpd.GeoSeries([_box(grid.bounds)], crs=grid.crs)
    parts = []
    for layer in layers:
        gdf = _read(ctx, layer)
        if gdf is None:
            continue
        g = to_crs(gdf, grid.crs, what=f"layer {layer!r}")
        g = g[g.intersects(frame.iloc[0])]
        if g.empty:
            continue
        if layer == "town_boundaries":
            zid, name, kind = g["town"].astype(str), g["town"].astype(str), "town"
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        elif layer == "micro_districts":
            zid, name, kind = (
                g["zone_id"].astype(str),
                g.get("name", g["zone_id"]).astype(str),
                "micro_district",
            )
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        elif layer == "districts":
            zid, name, kind = (
                "district_" + g["district"].astype(str),
                g["district"].astype(str),
                "district",
            )
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        else:
            first = next(c for c in g.columns if c != g.geometry.name)
            zid, name, kind = f"{layer}_" + g[first].astype(str), g[first].astype(str), layer
            kk, ru = name, name
        parts.append(
            gpd.GeoDataFrame(
                {
                    "zone_id": zid.to_numpy(),
                    "zone_type": kind,
                    "name": name.to_numpy(),
                    "name_kk": np.asarray(kk),
                    "name_ru": np.asarray(ru),
                    "source_layer": layer,
                },
                geometry=g.geometry.to_numpy(),
                crs=grid.crs,
            )
        )
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=grid.crs)


def _with_suburbs(
    zones: gpd.GeoDataFrame | None, report: Report, grid: AnalysisGrid
) -> gpd.GeoDataFrame | None:
    """Add the "northern suburbs" of the report town: a ring of ``report.suburbs_m`` north of its centre.

    The study proposes Zhanatas's food belt in its northern suburbs (paper 001);
    this zone lets the table answer how suitable that land is.
    """
    town, width = report.town, report.suburbs_m
    if zones is None or town is None or width is None:
        return zones
    row = zones[(zones["zone_type"] == "town") & (zones["zone_id"] == town)]
    if row.empty:
        return zones
    poly = row.geometry.iloc[0]
    c = poly.centroid
    ring = poly.buffer(float(width)).difference(poly)
    left, _, right, top = ring.bounds
    north = ring.intersection(_box((left, c.y, right, top)))
    extra = gpd.GeoDataFrame(
        {
            "zone_id": [f"{town}_north_suburbs"],
            "zone_type": ["suburbs"],
            "name": [f"{town}: northern suburbs (0–{float(width) / 1000:g} km)"],
            "name_kk": [f"{row['name_kk'].iloc[0]}: солтүстік маңы (0–{float(width) / 1000:g} км)"],
            "name_ru": [
                f"{row['name_ru'].iloc[0]}: северные пригороды (0–{float(width) / 1000:g} км)"
            ],
            "source_layer": ["derived"],
        },
        geometry=[north],
        crs=grid.crs,
    )
    return gpd.GeoDataFrame(
        pd.concat([zones, extra], ignore_index=True), geometry="geometry", crs=grid.crs
    )


def _box(b: tuple[float, float, float, float]) -> Any:
    from shapely.geometry import box

    return box(*b)


def _zone_table(
    grid: AnalysisGrid,
    class_r: Raster,
    ev: mcda.Evaluation,
    zones: gpd.GeoDataFrame,
    stable_thr: float,
) -> pd.DataFrame:
    """Zone × class areas (ha, %), the mean stability and the share with a stable class."""
    labels = {v: k for k, v in mcda.CLASS_CODES.items()}
    table = class_areas(class_r, zones, labels)
    if ev.stability is not None:
        table["stability_mean"] = zonal_mean(grid.raster(ev.stability), zones).to_numpy()
        stable = mapped(ev.stability, functools.partial(_stable, threshold=stable_thr), "float32")
        table["stable_pct"] = 100 * zonal_mean(grid.raster(stable), zones).to_numpy()
    table["suitable_pct"] = table[["S1_pct", "S2_pct", "S3_pct"]].sum(axis=1, min_count=1)
    return table


def _stable(stability: np.ndarray, *, threshold: float) -> np.ndarray:
    """1 where the class is stable (probability at least *threshold*), 0 where not, NaN no data."""
    return np.where(np.isfinite(stability), (stability >= threshold).astype("float32"), np.nan)
