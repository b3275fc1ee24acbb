"""Exposure by zone.

Maximum and mean C/MPC of each pollutant and of the index per zone, and the
population above 1 MPC (people spread evenly over a zone's cells), for the
micro-districts and towns of the recipe.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import geo.raster as raster_module
from geo.crs import to_crs
from geo.grid import AnalysisGrid, Window
from geo.themes.base import ThemeInputs


def zone_exposure(
    grid: AnalysisGrid,
    zones: gpd.GeoDataFrame,
    ratios: dict[str, np.ndarray],
    index: np.ndarray,
    *,
    population_field: str = "population",
) -> gpd.GeoDataFrame:
    """Per zone: max and mean C/MPC of each pollutant and of the index; population above 1 MPC.

    Cells belong to a zone when their centre lies inside it (a zone smaller
    than a cell takes the cell under its representative point). People are
    assumed spread evenly over a zone's cells: the population above 1 MPC is
    the population times the share of cells where some pollutant exceeds its MPC.

    Parameters
    ----------
    grid : AnalysisGrid
    zones : GeoDataFrame
        Polygons with an optional population field.
    ratios : dict
        Pollutant id → grid-shaped array of C/MPC.
    index : ndarray
        Grid-shaped combined index.

    Returns
    -------
    GeoDataFrame
        The zones with ``max_<p>``, ``mean_<p>``, ``index_max``, ``index_mean``,
        ``cells``, ``share_above_mpc_pct`` and ``pop_above_mpc``.
    """
    z = to_crs(zones, grid.crs, what="zones").reset_index(drop=True)
    arrays = [*ratios.values(), index]  # the pollutants' C/MPC, then the index
    maxima: list[list[float]] = [[] for _ in arrays]
    means: list[list[float]] = [[] for _ in arrays]
    cells, shares = [], []
    for i in range(len(z)):  # one zone at a time: zones may overlap (towns hold micro-districts)
        win, m = _zone_cells(grid, z.iloc[[i]])
        cells.append(int(m.sum()))
        above = np.zeros(int(m.sum()), bool)
        for j, arr in enumerate(arrays):
            top, mean, over = _zone_stats(arr, win, m)
            maxima[j].append(top)
            means[j].append(mean)
            if j < len(ratios):  # the pollutants' C/MPC, not the index
                above |= over
        shares.append(float(above.mean()) if m.any() else np.nan)
    out = z.copy()
    for j, p in enumerate(ratios):
        out[f"max_{p}"], out[f"mean_{p}"] = np.array(maxima[j]), np.array(means[j])
    out["index_max"], out["index_mean"] = np.array(maxima[-1]), np.array(means[-1])
    share = np.array(shares)
    out["cells"] = np.array(cells)
    out["share_above_mpc_pct"] = 100.0 * share
    if population_field in out.columns:
        pop = pd.to_numeric(out[population_field], errors="coerce").to_numpy(dtype=float)
        out["pop_above_mpc"] = np.round(pop * share)
    else:
        out["pop_above_mpc"] = np.nan
    return out


def _zone_stats(arr: Any, win: Window, m: np.ndarray) -> tuple[float, float, Any]:
    """Max and mean of *arr*'s cells *m* of window *win* (NaN ignored), and where they exceed 1.

    A window of more than :data:`geo.raster.MEMORY_CELLS` cells is read band by band of rows:
    the maximum is exact, the mean sums the bands' sums in order (the same whatever holds
    the array). The last value is a bool array over the zone's cells (for C/MPC above 1).
    """
    if not m.any():
        return np.nan, np.nan, np.zeros(0, bool)
    rows, cols = win
    if m.size <= raster_module.MEMORY_CELLS:
        values = np.asarray(arr[win])[m]
        return float(np.nanmax(values)), float(np.nanmean(values)), values > 1.0
    step = max(1, raster_module.BAND_CELLS // m.shape[1])
    top, total, count, over = -np.inf, 0.0, 0, []
    for r0 in range(0, m.shape[0], step):
        inside = m[r0 : r0 + step]
        band = rows.start + r0
        values = np.asarray(arr[band : band + inside.shape[0], cols])[inside]
        finite = values[~np.isnan(values)]
        if finite.size:
            top = max(top, float(finite.max()))
            total += float(finite.sum())
            count += finite.size
        over.append(values > 1.0)
    if not count:
        return np.nan, np.nan, np.concatenate(over)
    return top, total / count, np.concatenate(over)


def _zone_cells(grid: AnalysisGrid, zone: gpd.GeoDataFrame) -> tuple[Window, np.ndarray]:
    """The window of the grid around *zone* and its cells there (centres inside the zone).

    A zone smaller than a cell takes the cell under its representative point; a zone off
    the grid has no cell. The mask is the whole grid's (:meth:`AnalysisGrid.mask` by tiles).
    """
    inv = ~grid.transform
    left, bottom, right, top = zone.total_bounds
    if not np.isfinite([left, bottom, right, top]).all():  # an empty geometry
        return (slice(0, 0), slice(0, 0)), np.zeros((0, 0), bool)
    cs, rs = zip(*(inv * (x, y) for x in (left, right) for y in (bottom, top)), strict=True)
    r0, r1 = max(math.floor(min(rs)) - 1, 0), min(math.ceil(max(rs)) + 1, grid.height)
    c0, c1 = max(math.floor(min(cs)) - 1, 0), min(math.ceil(max(cs)) + 1, grid.width)
    if r1 <= r0 or c1 <= c0:
        return (slice(0, 0), slice(0, 0)), np.zeros((0, 0), bool)
    win = (slice(r0, r1), slice(c0, c1))
    m = grid.mask(zone, what="zones", window=win)
    if not m.any():
        p = zone.geometry.iloc[0].representative_point()
        col, row = inv * (p.x, p.y)
        r, c = math.floor(row), math.floor(col)
        if r0 <= r < r1 and c0 <= c < c1:
            m[r - r0, c - c0] = True
    return win, m


def _named(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """*gdf* with ``name_kk`` / ``name_ru`` (its *name* where a user's layer has none)."""
    return gdf.assign(**{c: gdf[c] if c in gdf else gdf[name] for c in ("name_kk", "name_ru")})


def _exposure(
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    towns: Any,
    ratios: dict[str, np.ndarray],
    index: np.ndarray,
) -> gpd.GeoDataFrame:
    """Exposure of the micro-districts and the towns of *towns* (see :func:`zone_exposure`)."""
    cols = ["zone_id", "town", "name", "name_kk", "name_ru", "level", "population", "geometry"]
    md = _named(ctx.layer("micro_districts"), "name")
    md = md[md["town"].isin(towns)]
    tb = _named(ctx.layer("town_boundaries"), "town")
    tb = tb[tb["town"].isin(towns)]
    zones = pd.concat(
        [
            md.assign(level="micro_district")[cols],
            tb.assign(level="town", zone_id=tb["town"].str.lower(), name=tb["town"])[cols],
        ],
        ignore_index=True,
    )
    return zone_exposure(grid, gpd.GeoDataFrame(zones, crs=md.crs), ratios, index)
