"""Sanitary protection zones and their conflicts.

Buffers the sources by the SPZ width of their hazard class (from the recipe's
SPZ table) and intersects the zones with the residential layer and the
recipe's agricultural land outside the towns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely

from geo.crs import to_crs
from geo.grid import AnalysisGrid
from geo.io import read_table
from geo.models.spz import spz_conflicts, spz_widths
from geo.themes.base import ThemeInputs
from geo.themes.common import zones_by_utm
from geo.themes.pollution.settings import SpzSettings


@dataclass(frozen=True)
class SanitaryZones:
    """Sanitary protection zones, their conflicts with homes and farmland, the table's record."""

    zones: gpd.GeoDataFrame
    conflicts: gpd.GeoDataFrame
    record: dict[str, Any]


def _spz(
    ctx: ThemeInputs, spz: SpzSettings, grid: AnalysisGrid, src: gpd.GeoDataFrame
) -> SanitaryZones:
    """Sanitary protection zones of *src*, their conflicts, and the SPZ table's record."""
    spz_path = spz.table
    spz_table = read_table(spz_path, what="SPZ table")
    widths = spz_widths(spz_table, where=str(spz_path))
    citation = "; ".join(sorted(set(spz_table["citation"].astype(str))))[:500]
    zones = zones_by_utm(
        src, widths, grid, citation="order ҚР ДСМ-2 (2022), Appendix 1 (widths unverified)"
    )
    residential = ctx.layer(spz.residential_layer)
    agri, id_field = _agricultural(ctx, spz, grid)
    conflicts = spz_conflicts(
        zones, residential, agri, residential_id="zone_id", agricultural_id=id_field
    )
    info = {"path": spz.table_shown, "widths_m": widths, "citation": citation}
    return SanitaryZones(zones, conflicts, info)


def _agricultural(
    ctx: ThemeInputs, spz: SpzSettings, grid: AnalysisGrid
) -> tuple[gpd.GeoDataFrame | None, str | None]:
    """The recipe's agricultural land outside the towns (in the grid's CRS) and its id field."""
    agri_layer, fld = spz.agricultural_layer, spz.agricultural_field
    if not agri_layer:
        return None, None
    agri = ctx.layer(agri_layer)
    if fld:
        if fld not in agri.columns:
            raise spz.field_error(f"layer {agri_layer!r} has no field {fld!r}")
        agri = agri[agri[fld].isin(list(spz.agricultural_values))]
    towns_poly = to_crs(ctx.layer("town_boundaries"), grid.crs, what="town boundaries")
    agri = to_crs(agri, grid.crs, what=f"layer {agri_layer!r}")
    agri = agri.set_geometry(
        shapely.difference(agri.geometry.values, shapely.union_all(towns_poly.geometry.values))
    )
    agri = agri[~agri.geometry.is_empty]
    id_field = "unit_id" if "unit_id" in agri.columns else None
    if "soil_type" in agri.columns and "name" not in agri.columns:
        local = {
            f"name_{lang}": agri[f"soil_type_{lang}"]
            for lang in ("kk", "ru")
            if f"soil_type_{lang}" in agri.columns
        }
        agri = agri.assign(name=agri["soil_type"], **local)
    return agri, id_field
