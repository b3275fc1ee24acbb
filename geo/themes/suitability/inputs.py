"""Study-area grid and input layers of the land-suitability theme.

The analysis grid around the recipe's towns, catalog layers read for a
criterion, constraint or zone (with the recipe's ``where`` selection), rasters
warped onto the grid (an error naming the recipe line when one misses the
study area), the DEM and its slope, and the pollution theme's result when the
recipe uses it. Errors found in the data are built by the settings'
``error`` (the recipe line), never by reading the recipe again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np

from geo.area import AreaRequest, StudyArea, resolve_area
from geo.errors import RecipeError
from geo.grid import AnalysisGrid
from geo.models.terrain import slope_degrees
from geo.raster import Raster
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs

__all__: list[str] = []

log = logging.getLogger(__name__)

RecipeErrors = Callable[[str, str], RecipeError]
"""Builds an error naming a recipe key's line (``recipe.error``)."""


def _area_grid(ctx: ThemeInputs, area: AreaRequest) -> tuple[StudyArea, AnalysisGrid]:
    """The recipe's study area and its analysis grid."""
    study = resolve_area(ctx.catalog, area)
    return study, study.grid()


def _select(
    gdf: gpd.GeoDataFrame, where: Mapping[str, Any] | None, error: RecipeErrors, key: str
) -> gpd.GeoDataFrame:
    if not where:
        return gdf
    for field, values in where.items():
        if field not in gdf:
            raise error(
                key, f"layer has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}"
            )
        vals = values if isinstance(values, list) else [values]
        gdf = gdf[gdf[field].isin(vals)]
    return gdf


def _pollution(ctx: ThemeInputs, use: bool, area: StudyArea) -> ThemeResult | None:
    """The pollution theme's result when the recipe uses it and it covers the area.

    A pollution model of other towns (its ``extent`` misses this area) counts
    as not available: its criteria and constraints are skipped with a note,
    never read as zeros.
    """
    if not use:
        return None
    res = ctx.results.get("pollution")
    if res is None:
        log.info("pollution theme not available: its criteria and constraints are skipped")
    elif not res.covers(area.bounds):
        log.info(
            "the pollution theme (%s) does not cover %s: its criteria and constraints are skipped",
            ", ".join(res.parameters.get("area", {}).get("towns", [])),
            area.label,
        )
        return None
    return res


def _warp_checked(
    grid: AnalysisGrid, r: Raster, error: RecipeErrors, key: str, what: str
) -> np.ndarray:
    arr = grid.warp(r)
    if not np.isfinite(arr).any():
        raise error(
            key,
            f"{what} does not overlap the study area (raster bounds {tuple(round(b, 3) for b in r.bounds)} "
            f"in {r.crs.name}); give a raster covering the grid {tuple(round(b) for b in grid.bounds)} "
            f"in {grid.crs.name}",
        )
    return arr


def _warp_layer(
    ctx: ThemeInputs, grid: AnalysisGrid, error: RecipeErrors, layer: str, key: str
) -> np.ndarray:
    """Catalog raster *layer* warped to the grid; an error at ``<key>.layer`` if it misses it."""
    return _warp_checked(grid, _read(ctx, layer), error, f"{key}.layer", f"layer {layer!r}")


def class_grid(
    raster: Raster, grid: AnalysisGrid, error: RecipeErrors, key: str, layer: str
) -> np.ndarray:
    """Class codes of a categorical raster on the grid (float, NaN where it has none).

    Resampled by the most frequent class of the cells each grid cell takes in
    (``mode``), never averaged: a mean of land-cover codes is no class.
    """
    if not isinstance(raster, Raster):
        raise error(key, f"layer {layer!r} is not a raster of class codes")
    arr = grid.warp(raster, resampling="mode")
    if not np.isfinite(arr).any():
        return _warp_checked(grid, raster, error, key, f"layer {layer!r}")  # raises
    return arr


def class_codes(
    raster: Raster, grid: AnalysisGrid, error: RecipeErrors, key: str, layer: str
) -> np.ndarray:
    """:func:`class_grid` as strings ("40"), None where no data: the keys of a reclass table."""
    arr = class_grid(raster, grid, error, key, layer)
    out = np.full(arr.shape, None, dtype=object)
    ok = np.isfinite(arr)
    out[ok] = [str(int(v)) for v in arr[ok]]
    return out


def _read(ctx: ThemeInputs, layer: str) -> Any:
    try:
        return ctx.layer(layer)
    except ModuleNotFoundError as exc:
        # a generator of a synthetic layer not installed yet
        log.warning("layer %s unavailable (%s)", layer, exc)
        return None


def _terrain(
    ctx: ThemeInputs, grid: AnalysisGrid, error: RecipeErrors, key: str, *, slope: bool
) -> np.ndarray:
    dem = _warp_checked(grid, ctx.layer("dem"), error, key, "layer 'dem'")
    return slope_degrees(dem, grid.cell_size) if slope else dem
