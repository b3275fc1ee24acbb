"""Land suitability: a multi-criteria model driven entirely by a recipe.

``maps/land_suitability.toml`` (agriculture, Zhanatas's food belt) and
``maps/residential_expansion.toml`` use this module. The recipe names the
study area, the criteria (each a raw layer value turned into a 0–1 factor by
a fuzzy membership or a reclassification table), the weights (direct or an
AHP pairwise matrix), the aggregation (WLC or OWA), the constraints, the FAO
class breaks and the Monte Carlo settings. Outputs are prefixed with the
recipe's ``output_prefix`` (default: its ``name``):

* rasters ``<prefix>_score`` (0–1), ``<prefix>_class`` (S1/S2/S3/N) and
  ``<prefix>_stability`` (probability of keeping the class);
* vectors ``<prefix>_classes`` (class polygons) and ``<prefix>_by_zone``
  (areas in ha and % of each class for every town, micro-district and
  district intersecting the grid, exact cell coverage, UTM areas).

When the pollution theme's result is available (built earlier in the run, or
built on demand), its ``pollution_index`` raster can be a criterion and
constraint and its ``sanitary_zones`` a constraint; otherwise those optional
criteria/constraints are skipped with a note (sanitary zones then fall back to
buffers of the ``enterprises`` layer by hazard class when the recipe asks).

The theme is split by concern; :func:`build` runs the steps in order:

:mod:`~geo.themes.suitability.settings`
    :func:`read_settings`: the recipe read and checked into a frozen
    :class:`SuitabilitySettings` (area, criteria, weights, classes, Monte
    Carlo, constraints, zones, report); :func:`build` never reads the recipe.
:mod:`~geo.themes.suitability.inputs`
    The analysis grid, catalog layers, rasters checked against the area and the
    pollution theme.
:mod:`~geo.themes.suitability.criteria`
    What each criterion reads (:class:`Criteria`) and the weights used with
    the OWA order weights (:class:`Weighting`).
:mod:`~geo.themes.suitability.constraints`
    What each constraint reads, and the cells it excluded (:class:`Constraints`).
:mod:`~geo.themes.suitability.cells`
    The model on a window of the grid (criteria, constraints, memberships,
    aggregation, classes, Monte Carlo), run over dask chunks on the build's
    scheduler: the process holds the results, never a criterion of the whole grid.
:mod:`~geo.themes.suitability.layers`
    The score, class and stability rasters, class polygons and zone layer.
:mod:`~geo.themes.suitability.zones`
    The zones intersecting the grid and their class areas.
:mod:`~geo.themes.suitability.report`
    Manifest parameters and the report town's modelled share.
:mod:`~geo.themes.suitability.whatif`
    What the map page's What-if panel needs (:class:`geo.results.WhatIf`): the
    quantised factors, constraint masks, zone cell coverage, the recipe as TOML.

Each membership is quantised to ``round(x·1000)`` and the score aggregated in
float64 in the criteria's order (:func:`geo.models.mcda.quantised_score`), so
the browser recomputes the same classes cell for cell.
"""

from __future__ import annotations

from geo.area import resolve_area
from geo.catalog import Catalog
from geo.cost import CostEstimate
from geo.cost import estimate as cost_estimate
from geo.i18n import Text, text
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.suitability.cells import CellModel, run_cells
from geo.themes.suitability.constraints import Constraints, _prepare_constraints
from geo.themes.suitability.coverage import check_coverage, check_filled
from geo.themes.suitability.criteria import Criteria, Weighting, _prepare_criteria, _weighting
from geo.themes.suitability.inputs import _area_grid, _pollution
from geo.themes.suitability.layers import CLASS_TEXT, _by_zone_layer, _classes_layer, _rasters
from geo.themes.suitability.report import _parameters, _town_report
from geo.themes.suitability.settings import (
    Constraint,
    Criterion,
    SuitabilitySettings,
    read_settings,
)
from geo.themes.suitability.whatif import WHATIF_MAX_CELLS, whatif, whatif_left_out
from geo.themes.suitability.zones import _with_suburbs, _zone_table, _zones

__all__ = [
    "CLASS_TEXT",
    "SPEC",
    "Constraint",
    "Constraints",
    "Criteria",
    "Criterion",
    "SuitabilitySettings",
    "Weighting",
    "build",
    "estimate",
    "read_settings",
]


SPEC = ThemeSpec(
    id="land_suitability",
    recipe_keys=(
        "area", "criteria", "weights", "aggregation", "constraints", "classes", "monte_carlo",
        "zones", "pollution", "report",
    ),
    requires=("pollution",),
    default_recipe="land_suitability",
    layer_prefix="land_suitability",
)  # fmt: skip
"""Reads the pollution theme's index and sanitary zones when the recipe uses them."""

_NO_ZONES = text(
    "No zone layer intersects the grid: areas by zone are not available.",
    "Торға бірде-бір аймақ қабаты қиылыспайды: аймақтар бойынша аудандар жоқ.",
    "Ни один слой зон не пересекает сетку: площади по зонам недоступны.",
)


def estimate(settings: SuitabilitySettings, catalog: Catalog) -> tuple[CostEstimate, str]:
    """The cost of building *settings* (grid cells, criteria, Monte Carlo draws), before any work."""
    grid = resolve_area(catalog, settings.area).grid()
    mc = settings.monte_carlo
    est = cost_estimate(
        SPEC.id,
        cells=grid.width * grid.height,
        criteria=len(settings.ids),
        draws=mc.draws if mc is not None else 0,
        cell_size_m=grid.cell_size,
    )
    return est, settings.area.at("cell_size_m")


def build(ctx: ThemeInputs, settings: SuitabilitySettings) -> ThemeResult:
    """Build a land-suitability theme from its *settings*.

    Parameters
    ----------
    ctx : ThemeInputs
        Catalog, language and earlier results (``pollution`` is used when present).
    settings : SuitabilitySettings
        A ``theme = "land_suitability"`` recipe read by :func:`read_settings`
        (see ``maps/land_suitability.toml``).

    Returns
    -------
    ThemeResult
        Score, class and stability rasters, class polygons, zone × class areas,
        and every parameter (weights, CR, memberships, constraints, breaks,
        Monte Carlo settings, the modelled town share beside the study's).

    Raises
    ------
    RecipeError
        What only the data can tell (a missing field, a raster missing the
        study area), naming the recipe line and the fix.
    """
    area, grid = _area_grid(ctx, settings.area)
    coverage = check_coverage(ctx, settings, area)
    pol = _pollution(ctx, settings.use_pollution, area)
    criteria = _prepare_criteria(ctx, settings, grid, pol, coverage.left_out)
    weighting = _weighting(settings, criteria)
    prepared = _prepare_constraints(ctx, settings, grid, pol, coverage.left_out)
    model = CellModel(
        grid=grid,
        criteria=criteria.sources,
        memberships=tuple(settings.criteria[c].membership for c in criteria.used),
        weights=weighting.used,
        order_weights=None if weighting.order is None else tuple(weighting.order),
        constraints=prepared.sources,
        breaks=settings.breaks,
        monte_carlo=settings.monte_carlo,
    )
    panel = grid.width * grid.height <= WHATIF_MAX_CELLS
    cells = run_cells(model, ctx.execution, criteria_ids=criteria.used, factors=panel)
    ev = cells.evaluation
    criteria = criteria.with_filled(cells.filled, settings, grid)
    constraints = prepared.applied(cells.excluded_cells, cells.excluded, grid)
    filled = check_filled(cells.scored, grid.width * grid.height, settings, area)
    rasters, class_r = _rasters(grid, ev, settings)
    vectors = [_classes_layer(class_r, settings)]
    notes: list[Text] = [*coverage.notes, *criteria.notes, *constraints.notes]
    if not panel:
        notes.append(whatif_left_out(grid.width * grid.height))
    zones = _with_suburbs(_zones(ctx, settings.zone_layers, grid), settings.report, grid)
    table = None
    if zones is not None:
        table = _zone_table(grid, class_r, ev, zones, settings.stable_threshold)
        vectors.append(_by_zone_layer(grid, zones, table, settings, ev.stability is not None))
    else:
        notes.append(_NO_ZONES)
    params = _parameters(settings, ctx.prefix, grid, criteria, weighting, constraints, cells)
    params["area"] = area.record()
    params["coverage"] = {**coverage.record, "score_cells_with_data_pct": round(100 * filled, 1)}
    params["town_share"], town_notes = _town_report(settings.report, table, _town_names(ctx))
    notes.extend(town_notes)
    if table is not None:
        params["zones"] = len(vectors[-1].data)
    if criteria.skipped:
        params["skipped_criteria"] = list(criteria.skipped)
    crit = settings.criteria
    inputs = sorted(
        {str(crit[c].layer) for c in criteria.used if crit[c].layer}
        | constraints.layers
        | set(settings.zone_layers)
    )
    return ThemeResult(
        theme=settings.theme,
        title=settings.title,
        vectors=vectors,
        rasters=rasters,
        parameters=params,
        notes=notes,
        inputs=inputs,
        description=settings.description,
        whatif=whatif(settings, grid, criteria, weighting, constraints, ev, class_r, zones)
        if panel
        else None,
    )


def _town_names(ctx: ThemeInputs) -> dict[str, tuple[str, str]]:
    """Each town's Kazakh and Russian names, from the ``town_boundaries`` layer."""
    towns = ctx.layer("town_boundaries")
    return {
        str(r["town"]): (str(r.get("name_kk", r["town"])), str(r.get("name_ru", r["town"])))
        for _, r in towns.iterrows()
    }
