"""Synthetic soil land units around Zhanatas, Karatau and Shu.

Every feature is invented. Around each town (a point inside its
``town_boundaries`` polygon), a square window
(:data:`WINDOW_M` each side of the town, in the town's UTM zone) is cut into
land units: Voronoi cells of seeded random points (a fixed
:func:`numpy.random.default_rng` seed per town, so the partition never
changes). Each unit takes the mean GEBCO elevation over its area and, by
elevation band (:data:`SOIL_BANDS`, an editable assumption), a soil type among
those the study names for Zhanatas (paper 001: light chestnut, dark or grey
soils; humus horizon up to 18 cm, transitional 10–20 cm, carbonate horizon
45–85 cm; 2.5 % humus in the upper layers) plus the grey-brown desert soils of
the lowest plain. A few low units near the bottom of each window are marked
saline (solonchak) by the same seeded generator. Humus and horizon depths
vary around the band's typical value.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, box

from geo.crs import utm_crs_for
from geo.grid import AnalysisGrid
from geo.synthetic.table import study_towns

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["SOIL_BANDS", "SOIL_TYPES", "WINDOW_M", "soils"]

log = logging.getLogger(__name__)

WINDOW_M = 20_000.0
"""Half-width of the square window of land units around each town (m)."""

UNITS_PER_WINDOW = 90
"""Land units (Voronoi cells) per town window of :data:`WINDOW_M`."""

MARGIN_M = 15_000.0
"""The window reaches at least this far beyond the town's boundary (a large town's window
grows, with proportionally more units, so the recipes' 15 km buffers stay covered)."""

# soil type -> (kk, ru, typical humus %, humus horizon cm, transitional cm, carbonate depth cm)
SOIL_TYPES: dict[str, tuple[str, str, float, float, float, float]] = {
    "grey-brown desert": ("сұр-қоңыр шөл топырағы", "серо-бурые пустынные", 0.8, 8.0, 10.0, 45.0),
    "solonchak (saline)": ("сортаң", "солончак", 0.5, 5.0, 10.0, 45.0),
    "sierozem (grey)": ("боз топырақ (сұр)", "серозём (серые)", 1.5, 12.0, 15.0, 60.0),
    "light chestnut": ("ашық қоңыр топырақ", "светло-каштановые", 2.5, 16.0, 18.0, 70.0),
    "dark chestnut": ("күңгірт қоңыр топырақ", "тёмно-каштановые", 3.5, 18.0, 20.0, 85.0),
}
"""Soil types with typical properties (humus 2.5 % and horizon ranges from paper 001)."""

SOIL_BANDS: tuple[tuple[float, str], ...] = (
    (420.0, "grey-brown desert"),
    (560.0, "sierozem (grey)"),
    (800.0, "light chestnut"),
    (float("inf"), "dark chestnut"),
)
"""(upper elevation in m, soil type) bands: an editable assumption, not a survey."""


def _band(elevation: float) -> str:
    for upper, soil in SOIL_BANDS:
        if elevation < upper:
            return soil
    return SOIL_BANDS[-1][1]


def soils(catalog: Catalog) -> gpd.GeoDataFrame:
    """Synthetic soil land units around the towns of the towns table (EPSG:4326).

    Parameters
    ----------
    catalog : Catalog
        Reads ``town_boundaries`` (window centres) and ``dem`` (GEBCO, EPSG:4326).

    Returns
    -------
    GeoDataFrame
        Fields ``unit_id``, ``town``, ``soil_type`` (+ ``soil_type_kk``,
        ``soil_type_ru``), ``humus_pct``, ``humus_horizon_cm``,
        ``transitional_cm``, ``carbonate_depth_cm``, ``elevation_m`` and
        ``data_note``.
    """
    boundaries = catalog.read("town_boundaries")
    dem = catalog.read("dem")
    parts = []
    for town, facts in study_towns(catalog).items():
        row = boundaries[boundaries["town"].astype(str).str.lower() == town.lower()]
        if row.empty:
            log.info("soils: no boundary of %s (a user's boundary file): no soils there", town)
            continue
        pt = row.geometry.iloc[0].representative_point()
        utm = utm_crs_for(pt.x, pt.y)
        c = gpd.GeoSeries([pt], crs=4326).to_crs(utm).iloc[0]
        outline = gpd.GeoSeries([row.geometry.iloc[0]], crs=4326).to_crs(utm).iloc[0]
        x0, y0, x1, y1 = outline.bounds
        reach = max(c.x - x0, x1 - c.x, c.y - y0, y1 - c.y) + MARGIN_M
        half = max(WINDOW_M, reach)
        n_units = round(UNITS_PER_WINDOW * (half / WINDOW_M) ** 2)
        frame = box(c.x - half, c.y - half, c.x + half, c.y + half)
        rng = np.random.default_rng(facts.soil_seed)
        xs = rng.uniform(frame.bounds[0], frame.bounds[2], n_units)
        ys = rng.uniform(frame.bounds[1], frame.bounds[3], n_units)
        cells = shapely.voronoi_polygons(MultiPoint(np.column_stack([xs, ys])), extend_to=frame)
        polys = [g.intersection(frame) for g in shapely.get_parts(cells)]
        polys = sorted(
            (p for p in polys if not p.is_empty), key=lambda p: (-p.centroid.y, p.centroid.x)
        )
        units = gpd.GeoDataFrame({"n": range(len(polys))}, geometry=polys, crs=utm)
        # mean elevation per unit on a 250 m grid
        grid = AnalysisGrid.from_bounds(frame.bounds, utm, 250.0)
        z = grid.warp(dem)
        ids = grid.rasterize(units, "n", fill=-1, dtype="int32")
        ok = (ids >= 0) & np.isfinite(z)
        total = np.bincount(ids[ok], weights=z[ok], minlength=len(units))
        count = np.bincount(ids[ok], minlength=len(units))
        elev = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        if not np.isfinite(elev).any():
            log.info("soils: layer 'dem' does not cover %s: no soils there", town)
            continue
        elev = np.where(np.isfinite(elev), elev, np.nanmean(elev))
        noise = rng.uniform(-1, 1, (len(units), 4))
        saline_draw = rng.uniform(0, 1, len(units))
        low = np.nanpercentile(elev, 15)
        rows = []
        for i, geom in enumerate(polys):
            e = float(elev[i])
            soil = _band(e)
            if e <= low and saline_draw[i] < 0.35:
                soil = "solonchak (saline)"
            kk, ru, humus, hh, tr, carb = SOIL_TYPES[soil]
            rows.append(
                {
                    "unit_id": f"{town.lower()}_soil_{i + 1:03d}",
                    "town": town,
                    "soil_type": soil,
                    "soil_type_kk": kk,
                    "soil_type_ru": ru,
                    "humus_pct": round(float(np.clip(humus * (1 + 0.2 * noise[i, 0]), 0.1, 20)), 2),
                    "humus_horizon_cm": round(float(np.clip(hh + 2 * noise[i, 1], 3, 18)), 1),
                    "transitional_cm": round(float(np.clip(tr + 3 * noise[i, 2], 10, 20)), 1),
                    "carbonate_depth_cm": round(float(np.clip(carb + 8 * noise[i, 3], 45, 85)), 1),
                    "elevation_m": round(e, 1),
                    "geometry": geom,
                }
            )
        parts.append(gpd.GeoDataFrame(rows, crs=utm).to_crs(4326))
    if not parts:
        columns = ["unit_id", "town", "soil_type", "soil_type_kk", "soil_type_ru", "humus_pct"]
        columns += ["humus_horizon_cm", "transitional_cm", "carbonate_depth_cm", "elevation_m"]
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=4326)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    out["data_note"] = (
        "SYNTHETIC: Voronoi land units with soil type by GEBCO elevation band; "
        "soil types and horizon ranges from paper 001, not a soil survey"
    )
    return out
