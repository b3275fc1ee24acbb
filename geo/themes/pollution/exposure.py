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

from geo.crs import to_crs
from geo.grid import AnalysisGrid
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
    any_above = np.zeros(grid.shape, bool)
    for arr in ratios.values():
        any_above |= arr > 1.0
    inv = ~grid.transform
    masks: list[np.ndarray] = []
    for i in range(len(z)):  # one mask per zone: zones may overlap (towns hold micro-districts)
        m = grid.mask(z.iloc[[i]], what="zones")
        if not m.any():  # a zone smaller than a cell: the cell under its representative point
            p = z.geometry.iloc[i].representative_point()
            col, row = inv * (p.x, p.y)
            r, c = math.floor(row), math.floor(col)
            if 0 <= r < grid.height and 0 <= c < grid.width:
                m[r, c] = True
        masks.append(m)
    out = z.copy()
    cells = np.array([int(m.sum()) for m in masks])

    def stats(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mx = np.array([float(np.nanmax(arr[m])) if m.any() else np.nan for m in masks])
        mean = np.array([float(np.nanmean(arr[m])) if m.any() else np.nan for m in masks])
        return mx, mean

    for p, arr in ratios.items():
        out[f"max_{p}"], out[f"mean_{p}"] = stats(arr)
    out["index_max"], out["index_mean"] = stats(index)
    share = np.array([float(any_above[m].mean()) if m.any() else np.nan for m in masks])
    out["cells"] = cells
    out["share_above_mpc_pct"] = 100.0 * share
    if population_field in out.columns:
        pop = pd.to_numeric(out[population_field], errors="coerce").to_numpy(dtype=float)
        out["pop_above_mpc"] = np.round(pop * share)
    else:
        out["pop_above_mpc"] = np.nan
    return out


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
