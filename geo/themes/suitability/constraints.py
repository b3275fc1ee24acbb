"""Constraints of the land-suitability theme: the cells no use may take.

Each constraint of the recipe (near or inside a layer, slope or elevation
above a value, sanitary protection zones, pollution index above a value)
excludes cells; the excluded area of each is recorded for the manifest.
Sanitary zones come from the pollution theme or, when it is not available,
from buffers of the ``enterprises`` layer by hazard class with the widths of
the cited table (``layers/tables/spz_widths.csv``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from geo.crs import to_crs
from geo.errors import InputError
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data, zones_by_utm
from geo.themes.suitability.inputs import (
    RecipeErrors,
    _read,
    _select,
    _terrain,
    _warp_checked,
    class_grid,
)
from geo.themes.suitability.settings import Constraint, SuitabilitySettings

__all__ = ["Constraints"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Constraints:
    """What the constraints leave open.

    Attributes
    ----------
    allowed : numpy.ndarray
        True where no constraint excludes the cell.
    params : mapping
        Constraint id → its manifest record (the recipe's table with the
        excluded ha, or ``skipped``).
    notes : tuple of Text
        One note per optional constraint skipped.
    """

    allowed: np.ndarray
    params: Mapping[str, Any]
    notes: tuple[Text, ...]
    excluded: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    """Constraint id → the cells it excludes, for each constraint applied (recipe order)."""

    @property
    def layers(self) -> set[str]:
        """Catalog layers the constraints applied read."""
        return {
            str(v["layer"]) for v in self.params.values() if v.get("layer") and not v.get("skipped")
        }


def _constraints(
    ctx: ThemeInputs,
    settings: SuitabilitySettings,
    grid: AnalysisGrid,
    dem: np.ndarray | None,
    pol: ThemeResult | None,
    left_out: Mapping[str, str],
) -> Constraints:
    """Cells no constraint excludes, each constraint's record (excluded ha) and notes.

    Constraints in *left_out* (their layer does not cover the area) are skipped;
    the coverage check has noted them.

    A constraint whose input is unavailable is refused unless it is
    ``optional``, in which case it is skipped with a note. *dem* is the DEM the
    criteria warped, if any (its slope is derived once).
    """
    from geo.models.terrain import slope_degrees

    slope = slope_degrees(dem, grid.cell_size) if dem is not None else None
    allowed = np.ones(grid.shape, dtype=bool)
    params: dict[str, Any] = {}
    notes: list[Text] = []
    excluded: dict[str, np.ndarray] = {}
    for c in settings.constraints:
        if f"constraints.{c.id}" in left_out:
            params[c.id] = {
                "kind": c.kind,
                "skipped": True,
                "left_out": "layer does not cover the area",
            }
            continue
        excl = _exclusion(ctx, grid, c, settings.error, slope, dem, pol)
        if excl is None:
            if not c.optional:
                raise settings.error(
                    f"constraints.{c.id}",
                    "its input is unavailable; build the pollution theme first or mark it optional = true",
                )
            notes.append(
                text(
                    f"Constraint {c.id} skipped: its input is not available in this build.",
                    f"{c.id} шектеуі өткізілді: оның деректері бұл құрастыруда жоқ.",
                    f"Ограничение {c.id} пропущено: его данных нет в этой сборке.",
                )
            )
            log.info("constraint %s skipped (input unavailable)", c.id)
            params[c.id] = {"kind": c.kind, "skipped": True}
            continue
        excl = np.asarray(excl, dtype=bool)
        params[c.id] = {
            **{k: (dict(v) if isinstance(v, Mapping) else v) for k, v in c.record.items()},
            "excluded_ha": round(float(excl.sum()) * grid.cell_area_ha, 1),
        }
        allowed &= ~excl
        excluded[c.id] = excl
    return Constraints(allowed, params, tuple(notes), excluded)


def _exclusion(
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    c: Constraint,
    error: RecipeErrors,
    slope: np.ndarray | None,
    dem: np.ndarray | None,
    pol: ThemeResult | None,
) -> np.ndarray | None:
    """Cells excluded by one constraint, or None when its input is unavailable."""
    key = f"constraints.{c.id}"
    if c.kind in ("slope_above", "elevation_above"):
        assert c.value is not None  # settings require it
        base = slope if c.kind == "slope_above" else dem
        if base is None:
            base = _terrain(ctx, grid, error, key, slope=c.kind == "slope_above")
        return base > c.value
    if c.kind in ("near_layer", "inside_layer"):
        assert c.layer is not None  # settings require it
        gdf = _read(ctx, c.layer)
        if gdf is None:
            return None
        gdf = _select(gdf, c.where, error, f"{key}.where")
        d = c.distance_m
        if c.kind == "near_layer":
            return grid.distance_to(gdf, cap=d + grid.cell_size, what=f"layer {c.layer!r}") <= d
        g = gdf if d == 0 else to_crs(gdf, grid.crs).buffer(d).to_frame("geometry")
        return grid.mask(g, what=f"layer {c.layer!r}")
    if c.kind == "raster_classes":
        assert c.layer is not None  # settings require it
        classes = class_grid(_read(ctx, c.layer), grid, error, f"{key}.layer", c.layer)
        return np.isin(classes, np.asarray(c.classes, dtype="float32"))
    if c.kind == "sanitary_zones":
        zones = layer_data(pol, "sanitary_zones")
        if zones is None and c.widths_m:
            zones = _spz_from_enterprises(ctx, c, error, key, grid)
        return None if zones is None else grid.mask(zones, what="sanitary zones")
    # pollution_above
    r = layer_data(pol, "pollution_index", raster=True)
    if r is None:
        return None
    assert c.value is not None  # settings default it to 1
    with np.errstate(invalid="ignore"):
        return _warp_checked(grid, r, error, key, "the pollution_index raster") > c.value


def _spz_from_enterprises(
    ctx: ThemeInputs, c: Constraint, error: RecipeErrors, key: str, grid: AnalysisGrid
) -> gpd.GeoDataFrame | None:
    """Buffers of the enterprises by hazard class, widths from the cited table."""
    ent = _read(ctx, c.layer or "enterprises")
    if ent is None:
        return None
    widths = c.widths_m or {}
    if c.field not in ent:
        raise error(f"{key}.field", f"enterprises have no field {c.field!r}")
    src = ent.rename(columns={c.field: "hazard_class"}) if c.field != "hazard_class" else ent
    if "source_id" not in src:
        src = src.assign(source_id=[str(i + 1) for i in range(len(src))])
    try:
        return zones_by_utm(src, widths, grid, citation="widths from the cited SPZ table")
    except InputError as exc:
        raise error(key, str(exc)) from None
