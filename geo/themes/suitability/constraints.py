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
from geo.raster import Raster
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data, zones_by_utm
from geo.themes.suitability.cells import ConstraintSource
from geo.themes.suitability.inputs import (
    RecipeErrors,
    _check_overlap,
    _checked_layer,
    _read,
    _select,
    check_classes,
)
from geo.themes.suitability.settings import Constraint, SuitabilitySettings

__all__ = ["Constraints", "PreparedConstraints"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Constraints:
    """What the constraints leave open.

    Attributes
    ----------
    params : mapping
        Constraint id → its manifest record (the recipe's table with the
        excluded ha, or ``skipped``).
    notes : tuple of Text
        One note per optional constraint skipped.
    """

    params: Mapping[str, Any]
    notes: tuple[Text, ...]
    excluded: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    """Constraint id → the cells it excludes, for each constraint applied (recipe order), when
    the model kept them (for the What-if panel)."""

    @property
    def layers(self) -> set[str]:
        """Catalog layers the constraints applied read."""
        return {
            str(v["layer"]) for v in self.params.values() if v.get("layer") and not v.get("skipped")
        }


@dataclass(frozen=True)
class PreparedConstraints:
    """The constraints to apply (:class:`ConstraintSource`), before any cell is computed."""

    sources: tuple[ConstraintSource, ...]
    records: Mapping[str, Mapping[str, Any]]
    """Constraint id → its manifest record (the recipe's table, or ``skipped``)."""
    notes: tuple[Text, ...]

    def applied(
        self,
        excluded_cells: Mapping[str, int],
        excluded: Mapping[str, np.ndarray],
        grid: AnalysisGrid,
    ) -> Constraints:
        """The constraints once the model ran: the cells each excluded, their area."""
        params: dict[str, Any] = {}
        for cid, rec in self.records.items():
            params[cid] = dict(rec)
            if cid in excluded_cells:
                params[cid]["excluded_ha"] = round(
                    float(excluded_cells[cid]) * grid.cell_area_ha, 1
                )
        return Constraints(params, self.notes, dict(excluded))


def _prepare_constraints(
    ctx: ThemeInputs,
    settings: SuitabilitySettings,
    grid: AnalysisGrid,
    pol: ThemeResult | None,
    left_out: Mapping[str, str],
) -> PreparedConstraints:
    """What each constraint reads, each constraint's record and the notes of the skipped.

    Constraints in *left_out* (their layer does not cover the area) are skipped;
    the coverage check has noted them.

    A constraint whose input is unavailable is refused unless it is
    ``optional``, in which case it is skipped with a note.
    """
    sources: list[ConstraintSource] = []
    records: dict[str, Any] = {}
    notes: list[Text] = []
    dem: list[Raster] = []  # the DEM, read and checked once
    for c in settings.constraints:
        if f"constraints.{c.id}" in left_out:
            records[c.id] = {
                "kind": c.kind,
                "skipped": True,
                "left_out": "layer does not cover the area",
            }
            continue
        src = _source(ctx, grid, c, settings.error, dem, pol)
        if src is None:
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
            records[c.id] = {"kind": c.kind, "skipped": True}
            continue
        records[c.id] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in c.record.items()}
        sources.append(src)
    return PreparedConstraints(tuple(sources), records, tuple(notes))


def _source(
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    c: Constraint,
    error: RecipeErrors,
    dem: list[Raster],
    pol: ThemeResult | None,
) -> ConstraintSource | None:
    """What one constraint reads, or None when its input is unavailable."""
    key = f"constraints.{c.id}"
    if c.kind in ("slope_above", "elevation_above"):
        assert c.value is not None  # settings require it
        if not dem:
            dem.append(_checked_layer(ctx, grid, error, "dem", key))
        kind = "slope" if c.kind == "slope_above" else "elevation"
        return ConstraintSource(c.id, kind, raster=dem[0], value=float(c.value))
    if c.kind in ("near_layer", "inside_layer"):
        assert c.layer is not None  # settings require it
        gdf = _read(ctx, c.layer)
        if gdf is None:
            return None
        what = f"layer {c.layer!r}"
        gdf = to_crs(_select(gdf, c.where, error, f"{key}.where"), grid.crs, what=what)
        d = float(c.distance_m)
        if c.kind == "near_layer":
            near = grid.nearest(gdf, cap=d + grid.cell_size, what=what)
            return ConstraintSource(c.id, "near", near=near, distance=d)
        g = gdf if d == 0 else gdf.buffer(d).to_frame("geometry")
        return ConstraintSource(c.id, "inside", frame=g)
    if c.kind == "raster_classes":
        assert c.layer is not None  # settings require it
        r = check_classes(_read(ctx, c.layer), grid, error, f"{key}.layer", c.layer)
        return ConstraintSource(c.id, "classes", raster=r, classes=tuple(map(float, c.classes)))
    if c.kind == "sanitary_zones":
        zones = layer_data(pol, "sanitary_zones")
        if zones is None and c.widths_m:
            zones = _spz_from_enterprises(ctx, c, error, key, grid)
        if zones is None:
            return None
        return ConstraintSource(
            c.id, "inside", frame=to_crs(zones, grid.crs, what="sanitary zones")
        )
    # pollution_above
    r = layer_data(pol, "pollution_index", raster=True)
    if r is None:
        return None
    assert c.value is not None  # settings default it to 1
    _check_overlap(grid, r, error, key, "the pollution_index raster")
    return ConstraintSource(c.id, "above", raster=r, value=float(c.value))


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
