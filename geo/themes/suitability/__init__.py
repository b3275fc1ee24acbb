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
    Reading and checking the recipe (criteria, weights, classes, Monte Carlo).
:mod:`~geo.themes.suitability.inputs`
    The analysis grid, catalog layers, warped rasters and the pollution theme.
:mod:`~geo.themes.suitability.criteria`
    Criterion values on the grid and the OWA order weights.
:mod:`~geo.themes.suitability.constraints`
    The cells each constraint excludes.
:mod:`~geo.themes.suitability.layers`
    The score, class and stability rasters, class polygons and zone layer.
:mod:`~geo.themes.suitability.zones`
    The zones intersecting the grid and their class areas.
:mod:`~geo.themes.suitability.report`
    Manifest parameters and the report town's modelled share.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from geo.catalog import Catalog
from geo.i18n import Text, text
from geo.models import mcda
from geo.models.terrain import slope_degrees
from geo.recipe import Recipe
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.suitability.constraints import _constraints
from geo.themes.suitability.criteria import _compute_criteria, _order_weights
from geo.themes.suitability.inputs import _area_grid, _pollution
from geo.themes.suitability.layers import CLASS_TEXT, _by_zone_layer, _classes_layer, _rasters
from geo.themes.suitability.report import _parameters, _town_report
from geo.themes.suitability.settings import _settings
from geo.themes.suitability.zones import DEFAULT_ZONE_LAYERS, _with_suburbs, _zone_table, _zones

__all__ = ["CLASS_TEXT", "SPEC", "build", "read_settings"]


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


def read_settings(recipe: Recipe, catalog: Catalog) -> Recipe:
    """The recipe, whose top-level keys the build has checked against :data:`SPEC`.

    The theme still reads its values while building; they become a frozen
    settings dataclass when the theme is reshaped.
    """
    return recipe


def build(ctx: ThemeInputs, recipe: Recipe) -> ThemeResult:
    """Build a land-suitability theme from *recipe*.

    Parameters
    ----------
    ctx : ThemeInputs
        Catalog, language and earlier results (``pollution`` is used when present).
    recipe : Recipe
        A ``theme = "land_suitability"`` recipe (see ``maps/land_suitability.toml``).

    Returns
    -------
    ThemeResult
        Score, class and stability rasters, class polygons, zone × class areas,
        and every parameter (weights, CR, memberships, constraints, breaks,
        Monte Carlo settings, the modelled town share beside the study's).

    Raises
    ------
    RecipeError
        Any bad recipe value, with the file, line and the fix.
    """
    s = _settings(recipe, ctx)
    crit, ids = s["crit"], s["ids"]
    grid = _area_grid(ctx, recipe)
    notes: list[Text] = []
    pol = _pollution(ctx, recipe, notes)
    cache: dict[str, Any] = {}
    raws, used, skipped = _compute_criteria(ctx, recipe, grid, s, pol, cache, notes)
    w_used = np.array([s["weights"][ids.index(c)] for c in used])
    w_used = w_used / w_used.sum()
    order_w, owa_info = _order_weights(recipe, s["order_w"], len(ids), len(used), bool(skipped))
    dem = cache.get("demdem")
    slope = slope_degrees(dem, grid.cell_size) if dem is not None else None
    cparams: dict[str, Any] = {}
    allowed = _constraints(recipe, ctx, grid, slope, dem, pol, notes, cparams)

    ev = mcda.evaluate(
        [np.asarray(r) for r in raws],
        [crit[c]["membership"] for c in used],
        w_used,
        order_weights=order_w,
        allowed=allowed,
        breaks=s["breaks"],
        monte_carlo=s["mc"],
    )
    rasters, class_r = _rasters(grid, ev, s)
    vectors = [_classes_layer(class_r, s)]
    zones = _with_suburbs(_zones(ctx, recipe, grid), recipe, grid)
    table = None
    if zones is not None:
        table = _zone_table(grid, class_r, ev, zones, s["stable_thr"])
        vectors.append(_by_zone_layer(grid, zones, table, s, ev.stability is not None))
    else:
        notes.append(
            text(
                "No zone layer intersects the grid: areas by zone are not available.",
                "Торға бірде-бір аймақ қабаты қиылыспайды: аймақтар бойынша аудандар жоқ.",
                "Ни один слой зон не пересекает сетку: площади по зонам недоступны.",
            )
        )
    params = _parameters(
        recipe,
        grid,
        s,
        used,
        skipped,
        w_used,
        order_w,
        owa_info,
        cache.get("filled", {}),
        cparams,
        ev,
    )
    params["town_share"] = _town_report(recipe, table, notes)
    if table is not None:
        params["zones"] = len(vectors[-1].data)
    if skipped:
        params["skipped_criteria"] = skipped
    inputs = sorted(
        {str(crit[c]["layer"]) for c in used if crit[c]["layer"]}
        | {str(v["layer"]) for v in cparams.values() if v.get("layer") and not v.get("skipped")}
        | set(recipe.get("zones.layers", DEFAULT_ZONE_LAYERS))
    )
    return ThemeResult(
        theme=recipe.theme,
        title=s["title"],
        vectors=vectors,
        rasters=rasters,
        parameters=params,
        notes=notes,
        inputs=inputs,
        description=s["description"],
    )
