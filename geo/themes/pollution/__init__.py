"""Pollution sources: sanitary protection zones and regulatory dispersion maps.

``maps/pollution.toml`` drives the theme. From the ``enterprises`` layer
(stacks and area sources with emission rates; SYNTHETIC) it builds

* rasters ``concentration_<pollutant>``: maximum one-time ground-level
  concentration (mg/m³) by OND-86 (or the MRR-2017 variant), summed over all
  sources for each wind direction and speed of the recipe's wind rose, then
  maximised; ``pollution_index``: the maximum over wind cases of
  ``Σ_p C_p / MPC_p`` (a screening index, see the recipe); and
  ``pollution_index_rose``: the wind-rose-weighted mean of the per-direction
  maxima of that index (how often a cell lies under the plumes; not an
  annual mean);
* vectors ``enterprises`` (styled by kind), ``sanitary_zones`` (by hazard
  class), ``spz_conflicts`` (overlaps with micro-districts and agricultural
  land, ha) and ``exposure_by_zone`` (max and mean C/MPC per micro-district
  and town, population above 1 MPC).

Area sources (heaps, filter fields) are split into equal sub-sources over a
disc of their area, each a cold fugitive release at the source's height
(OND-86 cold low-wind regime). Population above 1 MPC assumes people spread
evenly over a zone's cells.

The theme is split by concern; :func:`build` runs the steps in order:

:mod:`~geo.themes.pollution.settings`
    Reading and checking the recipe (method, wind rose, pollutants and their
    MPCs, index).
:mod:`~geo.themes.pollution.sources`
    The ``enterprises`` layer checked, area sources split into sub-sources,
    the stacks and their emission rates, each source's own maximum.
:mod:`~geo.themes.pollution.windows`
    The windows of the grid around the towns that are modelled.
:mod:`~geo.themes.pollution.field`
    The dispersion field, computed in chunks of the grid (:mod:`geo.chunks`: any
    chunk size and scheduler give the same bytes).
:mod:`~geo.themes.pollution.rasters`
    Concentration and index rasters.
:mod:`~geo.themes.pollution.zones`
    Sanitary protection zones and their conflicts with homes and farmland.
:mod:`~geo.themes.pollution.exposure`
    C/MPC and population above 1 MPC by micro-district and town.
:mod:`~geo.themes.pollution.layers`
    The vector layers with their styles and fields.
:mod:`~geo.themes.pollution.report`
    Manifest parameters, description and map notes.
:mod:`~geo.themes.pollution.labels`
    Translated titles, source kinds, colours and pollutant texts.
"""

from __future__ import annotations

import logging

from geo.area import resolve_area, town_polygons
from geo.catalog import Catalog
from geo.cost import CostEstimate
from geo.cost import estimate as cost_estimate
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.common import layer_where
from geo.themes.pollution.exposure import _exposure, zone_exposure
from geo.themes.pollution.field import dispersion_field
from geo.themes.pollution.labels import KIND_TEXT, TITLE
from geo.themes.pollution.layers import _vectors
from geo.themes.pollution.rasters import _rasters
from geo.themes.pollution.report import _parameters, source_notes
from geo.themes.pollution.settings import PollutionSettings, read_settings
from geo.themes.pollution.sources import (
    _source_maxima,
    _sources,
    _stacks,
    sources_in_area,
    split_area_sources,
)
from geo.themes.pollution.windows import town_windows
from geo.themes.pollution.zones import _spz

__all__ = [
    "KIND_TEXT",
    "SPEC",
    "build",
    "estimate",
    "read_settings",
    "split_area_sources",
    "zone_exposure",
]

log = logging.getLogger(__name__)


SPEC = ThemeSpec(
    id="pollution",
    recipe_keys=("method", "wind", "pollutants", "index", "spz", "area"),
    default_recipe="pollution",
)
"""Pollution needs no other theme; land suitability reads its index and zones."""


def estimate(s: PollutionSettings, catalog: Catalog) -> tuple[CostEstimate, str]:
    """The cost of the dispersion (cells × sub-sources × wind cases), before any work."""
    area = resolve_area(catalog, s.area)
    grid = area.grid()
    src = sources_in_area(catalog.read("enterprises"), area).grid
    sources = len(split_area_sources(src, s.area_source_points)[0])  # the sub-sources scanned
    speeds = len(set(s.wind.speeds)) + int(s.add_dangerous_speed)
    est = cost_estimate(
        SPEC.id,
        cells=grid.width * grid.height,
        sources=sources,
        wind_cases=len(s.wind.directions) * speeds,
        pollutants=len(s.pollutants),
        cell_size_m=grid.cell_size,
    )
    return est, s.area.at("cell_size_m")


def build(ctx: ThemeInputs, s: PollutionSettings) -> ThemeResult:
    """Build the pollution theme from its settings (``maps/pollution.toml`` read by :func:`read_settings`).

    Parameters
    ----------
    ctx : ThemeInputs
        Supplies ``enterprises``, ``towns``, ``town_boundaries``,
        ``micro_districts`` and the recipe's agricultural layer.
    s : PollutionSettings
        The recipe, read and checked.

    Returns
    -------
    ThemeResult
        Concentration and index rasters, the sources, sanitary zones, their
        conflicts and the exposure by zone, with every parameter.

    Raises
    ------
    InputError
        A bad source (its id and field named) or table (its path named).
    """
    area = resolve_area(ctx.catalog, s.area)
    if not area.towns:
        raise s.area.error(
            "towns",
            f"{area.label} holds no town with at least {s.area.min_population} people; "
            "the pollution sources are placed around towns: name a town or a larger area",
        )
    grid = area.grid()
    src = _sources(ctx, area, s.pollutants)
    rel = _stacks(src.grid, s, layer_where(ctx, "enterprises"))
    windows = town_windows(ctx.catalog, area, grid)
    field = dispersion_field(grid, windows, rel, s, ctx.execution)
    n_sub = len(rel.stacks)
    log.info("pollution: %d sub-sources, %s evaluations", n_sub, f"{field.evaluations:,}")

    src_out = _source_maxima(src.ll, rel, s)
    rasters, ratios = _rasters(grid, field, s)
    spz = _spz(ctx, s.spz, grid, src.grid)
    exposure = _exposure(ctx, grid, list(area.towns), ratios, field.index_max)
    prov = {lid: ctx.catalog.provenance(lid) for lid in ("enterprises", "micro_districts")}
    vectors = _vectors(src_out, spz.zones, spz.conflicts, exposure, s.pollutants, prov)
    parameters = _parameters(s, grid, field, n_sub, spz.record)
    parameters["area"] = area.record()
    parameters["windows"] = [[w[0].start, w[0].stop, w[1].start, w[1].stop] for w in windows]
    # maps open on the towns and their sources, not the whole (15 km wider) dispersion grid
    focus = [
        float(v)
        for v in town_polygons(ctx.catalog, area.towns)
        .to_crs(grid.crs)
        .buffer(5_000)
        .to_crs(4326)
        .total_bounds
    ]
    inputs = ["enterprises", "towns", "town_boundaries", "micro_districts"]
    description, notes = source_notes(ctx.catalog.provenance("enterprises"))
    if s.spz.agricultural_layer:
        inputs.append(s.spz.agricultural_layer)
    return ThemeResult(
        theme="pollution",
        title=TITLE,
        vectors=vectors,
        rasters=rasters,
        parameters=parameters,
        notes=notes,
        inputs=inputs,
        description=description,
        map_focus=(round(focus[0], 4), round(focus[1], 4), round(focus[2], 4), round(focus[3], 4)),
        extent=area.bounds,
    )
