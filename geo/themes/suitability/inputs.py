"""Study-area grid and input layers of the land-suitability theme.

The analysis grid around the recipe's towns, catalog layers read for a
criterion, constraint or zone (with the recipe's ``where`` selection), rasters
warped onto the grid (an error naming the recipe line when one misses the
study area), the DEM and its slope, and the pollution theme's result when the
recipe uses it.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np

from geo.area import town_grid
from geo.errors import InputError
from geo.grid import AnalysisGrid
from geo.i18n import Text
from geo.models.terrain import slope_degrees
from geo.raster import Raster
from geo.recipe import Recipe
from geo.themes.base import ThemeInputs

log = logging.getLogger(__name__)


def _area_grid(ctx: ThemeInputs, recipe: Recipe) -> AnalysisGrid:
    towns = list(recipe.get("area.towns", ["Zhanatas"]))
    buffer_m = float(recipe.get("area.buffer_m", 15_000))
    cell = float(recipe.get("area.cell_size_m", 100))
    if cell <= 0 or buffer_m < 0:
        raise recipe.error("area", "cell_size_m must be > 0 and buffer_m ≥ 0")
    try:
        return town_grid(ctx.catalog, towns, buffer_m=buffer_m, cell_size=cell)
    except InputError as exc:
        raise recipe.error("area.towns", str(exc)) from None


def _select(gdf: gpd.GeoDataFrame, where: Any, recipe: Recipe, key: str) -> gpd.GeoDataFrame:
    if not where:
        return gdf
    if not isinstance(where, dict):
        raise recipe.error(key, "where must be a table {field = [values]}")
    for field, values in where.items():
        if field not in gdf:
            raise recipe.error(
                key, f"layer has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}"
            )
        vals = values if isinstance(values, list) else [values]
        gdf = gdf[gdf[field].isin(vals)]
    return gdf


def _pollution(ctx: ThemeInputs, recipe: Recipe, notes: list[Text]) -> Any:
    """The pollution theme's result when the recipe uses it (the build supplies it)."""
    if not recipe.get("pollution.use", True):
        return None
    res = ctx.results.get("pollution")
    if res is None:
        log.info("pollution theme not available: its criteria and constraints are skipped")
    return res


def _warp_checked(grid: AnalysisGrid, r: Raster, recipe: Recipe, key: str, what: str) -> np.ndarray:
    arr = grid.warp(r)
    if not np.isfinite(arr).any():
        raise recipe.error(
            key,
            f"{what} does not overlap the study area (raster bounds {tuple(round(b, 3) for b in r.bounds)} "
            f"in {r.crs.name}); give a raster covering the grid {tuple(round(b) for b in grid.bounds)} "
            f"in {grid.crs.name}",
        )
    return arr


def _warp_layer(
    ctx: ThemeInputs, grid: AnalysisGrid, recipe: Recipe, layer: str, key: str
) -> np.ndarray:
    """Catalog raster *layer* warped to the grid; an error at ``<key>.layer`` if it misses it."""
    return _warp_checked(
        grid, _read(ctx, layer, recipe, key), recipe, f"{key}.layer", f"layer {layer!r}"
    )


def _read(ctx: ThemeInputs, layer: str, recipe: Recipe, key: str) -> Any:
    try:
        return ctx.layer(layer)
    except ModuleNotFoundError as exc:
        # a generator of a synthetic layer not installed yet
        log.warning("layer %s unavailable (%s)", layer, exc)
        return None


def _known_layer(recipe: Recipe, ctx: ThemeInputs, key: str, layer: Any) -> str:
    """*layer* if the catalog knows it; else an error at *key* listing the known ids."""
    if layer not in ctx.catalog.ids:
        raise recipe.error(
            key, f"unknown layer {layer!r}; known layers: {', '.join(ctx.catalog.ids)}"
        )
    return str(layer)


def _terrain(
    ctx: ThemeInputs, grid: AnalysisGrid, recipe: Recipe, key: str, *, slope: bool
) -> np.ndarray:
    dem = _warp_checked(grid, ctx.layer("dem"), recipe, key, "layer 'dem'")
    return slope_degrees(dem, grid.cell_size) if slope else dem
