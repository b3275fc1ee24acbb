"""Study-area grid and input layers of the land-suitability theme.

The analysis grid around the recipe's towns, catalog layers read for a
criterion, constraint or zone (with the recipe's ``where`` selection), rasters
checked against the study area (an error naming the recipe line when one
misses it), and the pollution theme's result when the recipe uses it. Errors found in the data are built by the settings'
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
from geo.raster import Raster, thinned
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


OVERLAP_CHECK_CELLS = 256
"""Cells per side of the coarse grid a raster is warped to, to check that it meets the area."""


def _check_overlap(
    grid: AnalysisGrid,
    r: Raster,
    error: RecipeErrors,
    key: str,
    what: str,
    *,
    resampling: str = "bilinear",
) -> None:
    """Refuse a raster with no data on the study area, before any cell is computed.

    The raster is warped to a coarse copy of the grid (at most
    :data:`OVERLAP_CHECK_CELLS` cells a side), so the check costs nothing on any grid; a
    large raster is thinned first (:func:`geo.raster.thinned`), never read whole.
    """
    cell = max(grid.cell_size, max(grid.width, grid.height) * grid.cell_size / OVERLAP_CHECK_CELLS)
    coarse = AnalysisGrid.from_bounds(grid.bounds, grid.crs, cell)
    if np.isfinite(
        coarse.warp(thinned(r, coarse.width * coarse.height), resampling=resampling)
    ).any():
        return
    raise error(
        key,
        f"{what} does not overlap the study area (raster bounds {tuple(round(b, 3) for b in r.bounds)} "
        f"in {r.crs.name}); give a raster covering the grid {tuple(round(b) for b in grid.bounds)} "
        f"in {grid.crs.name}",
    )


def _checked_layer(
    ctx: ThemeInputs, grid: AnalysisGrid, error: RecipeErrors, layer: str, key: str
) -> Raster:
    """Catalog raster *layer*, refused at ``<key>.layer`` if it misses the study area."""
    r = _read(ctx, layer)
    if not isinstance(r, Raster):
        raise error(f"{key}.layer", f"layer {layer!r} is not a raster")
    _check_overlap(grid, r, error, f"{key}.layer", f"layer {layer!r}")
    return r


def check_classes(
    raster: Any, grid: AnalysisGrid, error: RecipeErrors, key: str, layer: str
) -> Raster:
    """A categorical raster of class codes that meets the study area, else a refusal.

    Its cells are resampled to the grid by the most frequent class of the cells each
    grid cell takes in (``mode``), never averaged: a mean of land-cover codes is no class.
    """
    if not isinstance(raster, Raster):
        raise error(key, f"layer {layer!r} is not a raster of class codes")
    _check_overlap(grid, raster, error, key, f"layer {layer!r}", resampling="mode")
    return raster


def _read(ctx: ThemeInputs, layer: str) -> Any:
    try:
        return ctx.layer(layer)
    except ModuleNotFoundError as exc:
        # a generator of a synthetic layer not installed yet
        log.warning("layer %s unavailable (%s)", layer, exc)
        return None
