"""Infrastructure wear: from a pipe and cable inventory to a reconstruction map by micro-district.

Recipe ``maps/infrastructure_wear.toml`` (theme ``infrastructure_wear``)::

    [wear]
    method = "linear"          # linear | ross
    reference_year = 2023      # ages are counted to this year (never the clock)
    replace_at_pct = 75        # segments at or above this wear are due for replacement
    [tables]                   # paths relative to the layers folder, or absolute
    normative_life = "tables/normative_life.csv"
    inspection_grades = "tables/inspection_grades.csv"
    unit_costs = "tables/unit_costs.csv"     # optional: leave out for no costs
    [classes]
    breaks = [0, 25, 50, 75, 100]
    [priority]
    wear = 0.6
    population = 0.4
    [zones]
    towns = ["Zhanatas", "Karatau", "Shu"]   # optional filter

Layers: ``network_wear`` (segments coloured by wear, with the source of each
value, remaining life and end-of-life year) and ``wear_by_zone``
(micro-districts and towns with length-weighted wear, kilometres per wear
class, replacement length and cost, priority rank and the study's planning
status). The models are in :mod:`geo.models.wear`; they only compute, and the
theme chooses the CRS (:func:`geo.crs.utm_crs_for`) and reports the warnings.

The theme is split by concern; :func:`read_settings` turns the recipe into a
frozen :class:`~geo.themes.wear.settings.WearSettings` and :func:`build` runs
the steps in order, each taking typed values and returning a small frozen
result (``WearInputs``, ``SegmentWear``, ``ZoneWear``):

:mod:`~geo.themes.wear.settings`
    Reading and checking the recipe and its three cited tables.
:mod:`~geo.themes.wear.inputs`
    The catalog layers (networks, micro-districts, town boundaries, town
    facts), kept to the recipe's towns.
:mod:`~geo.themes.wear.segments`
    Wear, length, replacement cost and priority per segment.
:mod:`~geo.themes.wear.zones`
    Segments split by micro-district and town, rolled up and ranked.
:mod:`~geo.themes.wear.layers`
    The vector layers with their styles and fields.
:mod:`~geo.themes.wear.report`
    Manifest parameters and map notes.
:mod:`~geo.themes.wear.labels`
    Translated titles, description, network names and notes.
"""

from __future__ import annotations

import logging

import geopandas as gpd

from geo.catalog import Catalog
from geo.cost import CostEstimate
from geo.cost import estimate as cost_estimate
from geo.recipe import Recipe
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.wear import settings as _settings
from geo.themes.wear.inputs import INPUTS, read_inputs
from geo.themes.wear.labels import DESCRIPTION, THEME, TITLE
from geo.themes.wear.layers import vectors
from geo.themes.wear.report import notes, parameters
from geo.themes.wear.segments import segment_priority, segment_wear
from geo.themes.wear.settings import WearSettings
from geo.themes.wear.zones import zone_wear

__all__ = [
    "SPEC",
    "WearSettings",
    "build",
    "estimate",
    "read_settings",
]

log = logging.getLogger(__name__)


SPEC = ThemeSpec(
    id=THEME,
    recipe_keys=("wear", "tables", "classes", "priority", "area"),
    default_recipe=THEME,
)


def read_settings(recipe: Recipe, catalog: Catalog) -> WearSettings:
    """The recipe parsed and checked into frozen settings, its cited tables read.

    The build has checked the top-level keys against :data:`SPEC`; every
    table's keys and values are checked here, each complaint naming the recipe
    line. *catalog* is not read: the towns are checked against the data while
    building.
    """
    return _settings.read_settings(recipe)


def estimate(settings: WearSettings, catalog: Catalog) -> tuple[CostEstimate, str]:
    """The cost of building the theme: no grid, a fixed small amount."""
    return cost_estimate(SPEC.id, cells=0), settings.area.at("towns")


def build(inputs: ThemeInputs, settings: WearSettings) -> ThemeResult:
    """Wear per segment and per micro-district and town, with priority ranks.

    Parameters
    ----------
    inputs : ThemeInputs
        Supplies ``utility_networks``, ``micro_districts``, ``town_boundaries``
        and ``town_facts`` (for the study's wear figure).
    settings : WearSettings
        From :func:`read_settings` of ``maps/infrastructure_wear.toml`` or a
        user's copy (see the module docstring).

    Returns
    -------
    ThemeResult
        Layers ``network_wear`` and ``wear_by_zone``; parameters (method,
        reference year, tables with their citations, classes, weights,
        network-wide wear per town) and notes.

    Raises
    ------
    RecipeError
        ``area.towns`` does not match the data (file:line named).
    DataError
        A bad inventory (file or segment id named).
    """
    data = read_inputs(inputs, settings)
    segments = segment_wear(data, settings)
    zones = zone_wear(inputs.lang, data, segments, settings)
    seg_out = segment_priority(segments, zones.md_pieces, data.micro_districts, settings)
    params = parameters(settings, data, segments, zones)
    params["area"] = data.area.record()
    log.info(
        "%s: %d segments, wear by town %s",
        THEME,
        len(segments.table),
        ", ".join(f"{k} {v['wear_pct']}%" for k, v in params["wear_by_town"].items()),
    )
    return ThemeResult(
        theme=THEME,
        title=TITLE,
        vectors=vectors(data, settings, seg_out, zones.table),
        parameters=params,
        notes=notes(settings, data, params["segments_unknown"]),
        inputs=list(INPUTS),
        description=DESCRIPTION,
        map_focus=_focus(data.towns, data.area.towns[0]),
    )


def _focus(towns: gpd.GeoDataFrame, first: str) -> tuple[float, float, float, float]:
    """Where the map opens: on the area's first town (the HTML map reaches every town)."""
    focus_town = towns[towns["town"] == first] if (towns["town"] == first).any() else towns
    w, s, e, n = (round(float(v), 4) for v in focus_town.total_bounds)
    return w, s, e, n
