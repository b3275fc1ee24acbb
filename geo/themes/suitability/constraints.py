"""Constraints of the land-suitability theme: the cells no use may take.

Each constraint of the recipe (near or inside a layer, slope or elevation
above a value, sanitary protection zones, pollution index above a value)
excludes cells; the excluded area of each is recorded for the manifest.
Sanitary zones come from the pollution theme or, when the recipe gives widths,
from buffers of the ``enterprises`` layer by hazard class.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np

from geo.crs import to_crs
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.recipe import Recipe
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data
from geo.themes.suitability.inputs import (
    _known_layer,
    _read,
    _select,
    _terrain,
    _warp_checked,
)

log = logging.getLogger(__name__)


def _constraints(
    recipe: Recipe,
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    slope: np.ndarray | None,
    dem: np.ndarray | None,
    pol: Any,
    notes: list[Text],
    params: dict[str, Any],
) -> np.ndarray:
    """Cells no constraint excludes; each constraint's record (excluded ha) goes into *params*.

    A constraint whose input is unavailable is refused unless it is
    ``optional``, in which case it is skipped with a note. Keys and kinds were
    checked by :func:`_settings`.
    """
    allowed = np.ones(grid.shape, dtype=bool)
    for cid, spec in recipe.get("constraints", {}).items():
        key = f"constraints.{cid}"
        excl = _exclusion(recipe, ctx, grid, spec, key, slope, dem, pol)
        if excl is None:
            if not spec.get("optional", False):
                raise recipe.error(
                    key,
                    "its input is unavailable; build the pollution theme first or mark it optional = true",
                )
            notes.append(
                text(
                    f"Constraint {cid} skipped: its input is not available in this build.",
                    f"{cid} шектеуі өткізілді: оның деректері бұл құрастыруда жоқ.",
                    f"Ограничение {cid} пропущено: его данных нет в этой сборке.",
                )
            )
            log.info("constraint %s skipped (input unavailable)", cid)
            params[cid] = {"kind": spec.get("kind"), "skipped": True}
            continue
        excl = np.asarray(excl, dtype=bool)
        params[cid] = {
            **{k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.items()},
            "excluded_ha": round(float(excl.sum()) * grid.cell_area_ha, 1),
        }
        allowed &= ~excl
    return allowed


def _exclusion(
    recipe: Recipe,
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    spec: Mapping[str, Any],
    key: str,
    slope: np.ndarray | None,
    dem: np.ndarray | None,
    pol: Any,
) -> np.ndarray | None:
    """Cells excluded by one constraint, or None when its input is unavailable."""
    kind = spec.get("kind")
    if kind in ("slope_above", "elevation_above"):
        if "value" not in spec:
            raise recipe.error(key, "needs value = <degrees or metres>")
        base = slope if kind == "slope_above" else dem
        if base is None:
            base = _terrain(ctx, grid, recipe, key, slope=kind == "slope_above")
        return base > float(spec["value"])  # type: ignore[no-any-return]
    if kind in ("near_layer", "inside_layer"):
        layer = _known_layer(recipe, ctx, f"{key}.layer", spec.get("layer"))
        gdf = _read(ctx, layer, recipe, key)
        if gdf is None:
            return None
        gdf = _select(gdf, spec.get("where"), recipe, f"{key}.where")
        d = float(spec.get("distance_m", 0.0))
        if kind == "near_layer":
            return grid.distance_to(gdf, cap=d + grid.cell_size, what=f"layer {layer!r}") <= d  # type: ignore[no-any-return]
        g = gdf if d == 0 else to_crs(gdf, grid.crs).buffer(d).to_frame("geometry")
        return grid.mask(g, what=f"layer {layer!r}")
    if kind == "sanitary_zones":
        zones = layer_data(pol, "sanitary_zones")
        if zones is None and spec.get("widths_m"):
            zones = _spz_from_enterprises(ctx, spec, recipe, key, grid)
        return None if zones is None else grid.mask(zones, what="sanitary zones")
    # pollution_above
    r = layer_data(pol, "pollution_index", raster=True)
    if r is None:
        return None
    with np.errstate(invalid="ignore"):
        return _warp_checked(grid, r, recipe, key, "the pollution_index raster") > float(  # type: ignore[no-any-return]
            spec.get("value", 1.0)
        )


def _spz_from_enterprises(
    ctx: ThemeInputs, spec: Mapping[str, Any], recipe: Recipe, key: str, grid: AnalysisGrid
) -> gpd.GeoDataFrame | None:
    ent = _read(ctx, spec.get("layer", "enterprises"), recipe, key)
    if ent is None:
        return None
    widths = spec["widths_m"]
    field = spec.get("field", "hazard_class")
    if field not in ent:
        raise recipe.error(f"{key}.field", f"enterprises have no field {field!r}")
    w = ent[field].astype(str).map(lambda v: float(widths.get(v, 0.0)))
    utm = to_crs(ent, grid.crs, what="enterprises")
    buf = utm.geometry.buffer(w.to_numpy())
    return gpd.GeoDataFrame({"width_m": w.to_numpy()}, geometry=buf.to_numpy(), crs=grid.crs)
