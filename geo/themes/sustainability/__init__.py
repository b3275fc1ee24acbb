"""Theme "sustainability": socio-economic indicators by town and district, and a composite index.

Reads the study's published tables (``survey_2023``, ``mining_share``,
``town_facts`` and ``town_indicators``), checks them against the geometries
(town and district names, shares within 0–100, groups summing to 100), and
returns four vector layers:

``indicators_by_town``
    The towns with the survey's town shares, their 95 % Wilson intervals, the
    per-town sample sizes derived from those shares, the indicator values and
    a popup of inline SVG bar charts of the survey answers (pooled, with
    Wilson whiskers).
``indicators_by_district``
    Mining output by district (paper 000). Sarysu, Talas and Moiynkum have
    individual shares; the other 7 districts were published only *together*
    (14.6 %), so they carry no individual value (grey) and a note.
``mining_share_other_districts``
    The outline of those 7 districts as one unit labelled with their common 14.6 %.
``sustainability_index``
    Per town: the composite index, its rank, the Monte Carlo rank interval
    and the score of each factor group.

The index follows the OECD/JRC Handbook (see :mod:`geo.models.indicators`);
every choice (indicators, directions, groups, normalisation, weights,
aggregation, missing values, Monte Carlo) comes from ``maps/sustainability.toml``
and is recorded in the manifest with its citation.

The theme is split by concern; :func:`build` runs the steps in order on one
build *state* dictionary:

:mod:`~geo.themes.sustainability.settings`
    Reading and checking the recipe.
:mod:`~geo.themes.sustainability.survey`
    Town geometries, survey statistics and the ``indicators_by_town`` layer.
:mod:`~geo.themes.sustainability.mining`
    District mining shares and their choropleth.
:mod:`~geo.themes.sustainability.composite`
    Indicator values, the composite index and its layer.
:mod:`~geo.themes.sustainability.report`
    Manifest parameters and map notes.
:mod:`~geo.themes.sustainability.charts`
    Classification, number formatting and the SVG survey charts.
:mod:`~geo.themes.sustainability.labels`
    The toolkit's own translated titles, labels and notes.
"""

from __future__ import annotations

import logging
from typing import Any

from geo.catalog import Catalog
from geo.recipe import Recipe
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.sustainability.charts import classify, survey_chart_svg
from geo.themes.sustainability.composite import _index_layer, _index_values
from geo.themes.sustainability.labels import DESCRIPTION, SCHEMES, THEME, TITLE
from geo.themes.sustainability.mining import _district_layers, _geometries
from geo.themes.sustainability.report import _notes, _parameters
from geo.themes.sustainability.settings import _settings
from geo.themes.sustainability.survey import _survey, _town_geometry, _towns_layer

__all__ = ["SCHEMES", "SPEC", "build", "classify", "read_settings", "survey_chart_svg"]


log = logging.getLogger(__name__)


SPEC = ThemeSpec(
    id="sustainability",
    recipe_keys=("towns", "survey", "mining", "index", "monte_carlo", "classification"),
    default_recipe="sustainability",
)


def read_settings(recipe: Recipe, catalog: Catalog) -> Recipe:
    """The recipe, whose top-level keys the build has checked against :data:`SPEC`.

    The theme still reads its values while building; they become a frozen
    settings dataclass when the theme is reshaped.
    """
    return recipe


def build(ctx: ThemeInputs, recipe: Recipe) -> ThemeResult:
    """Build the sustainability theme from its recipe.

    Parameters
    ----------
    ctx : ThemeInputs
        Catalog (with ``--layer`` overrides), language, earlier results.
    recipe : Recipe
        ``maps/sustainability.toml`` or a user's copy.

    Returns
    -------
    ThemeResult
        Layers ``indicators_by_town``, ``indicators_by_district``,
        ``mining_share_other_districts`` and ``sustainability_index``, every
        parameter with its citation, and the notes on sampling error and
        synthetic geometries.

    Raises
    ------
    RecipeError
        A recipe value is missing or invalid (names the file and line).
    IndicatorError
        A table breaks its schema (names the table, row and field).
    """
    recipe.require_keys(
        "",
        [
            "theme",
            "name",
            "title",
            "towns",
            "survey",
            "mining",
            "index",
            "monte_carlo",
            "classification",
        ],
    )
    state: dict[str, Any] = {"lang": ctx.lang}
    state |= _settings(recipe)
    state["towns"] = _town_geometry(ctx, recipe, state["town_names"], state["geometry_layer"])
    state |= _survey(ctx, recipe, state)
    state |= _geometries(ctx, recipe, state)
    state |= _index_values(ctx, recipe, state)
    state |= _towns_layer(recipe, state)
    state |= _district_layers(state)
    state |= _index_layer(state)
    state |= _parameters(recipe, state)
    state |= _notes(state)
    log.info(
        "sustainability: %d indicators used (%d dropped), ranks %s, MC %d runs (average rank shift %.3f)",
        len(state["kept"]),
        len(state["dropped"]),
        dict(state["result"].rank),
        state["mc_runs"],
        state["avg_shift"],
    )
    return ThemeResult(
        theme=THEME,
        title=TITLE,
        description=DESCRIPTION,
        vectors=state["vectors"],
        parameters=state["parameters"],
        notes=state["notes"],
        inputs=sorted(
            {
                state["survey_table"],
                str(state["mining_info"]["table"]),
                "town_facts",
                "districts",
                state["geometry_layer"],
            }
        ),
    )
