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

The theme is split by concern; :func:`read_settings` turns the recipe into a
frozen :class:`~geo.themes.sustainability.settings.SustainabilitySettings` and
:func:`build` runs the steps in order, each taking typed values and returning
a small frozen result (``Survey``, ``Geometries``, ``IndexValues``,
``Choropleth``):

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
from dataclasses import replace

from geo.area import resolve_area
from geo.catalog import Catalog
from geo.cost import CostEstimate
from geo.cost import estimate as cost_estimate
from geo.recipe import Recipe
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.sustainability import settings as _settings
from geo.themes.sustainability.charts import classify, survey_chart_svg
from geo.themes.sustainability.composite import index_layer, index_values
from geo.themes.sustainability.labels import DESCRIPTION, SCHEMES, THEME, TITLE
from geo.themes.sustainability.mining import district_layers, read_geometries
from geo.themes.sustainability.report import notes, parameters
from geo.themes.sustainability.settings import SustainabilitySettings
from geo.themes.sustainability.survey import read_survey, town_geometry, towns_layer

__all__ = [
    "SCHEMES",
    "SPEC",
    "SustainabilitySettings",
    "build",
    "classify",
    "estimate",
    "read_settings",
    "survey_chart_svg",
]


log = logging.getLogger(__name__)


SPEC = ThemeSpec(
    id="sustainability",
    recipe_keys=("area", "towns", "survey", "mining", "index", "monte_carlo", "classification"),
    default_recipe="sustainability",
)


def read_settings(recipe: Recipe, catalog: Catalog) -> SustainabilitySettings:
    """The recipe parsed and checked into frozen settings.

    The build has checked the top-level keys against :data:`SPEC`; every
    table's keys and values are checked here, each complaint naming the recipe
    line. *catalog* is not read: the data are checked while building.
    """
    return _settings.read_settings(recipe)


def _check_survey_towns(
    ctx: ThemeInputs, settings: SustainabilitySettings, towns: tuple[str, ...]
) -> None:
    """Refuse an area whose towns are not the survey's: the index compares the survey's towns.

    Raises
    ------
    RecipeError
        Naming the towns outside the survey, the survey's towns and the fix.
    """
    from geo.models.indicators.schema import normalise_name

    conf = settings.survey
    survey = ctx.layer(conf.table)
    answers = survey.loc[survey["question_id"].astype(str) == conf.town_question, "answer_id"]
    known = [normalise_name(str(a)) for a in answers if normalise_name(str(a)) != "notstated"]
    if sorted(known) != sorted(normalise_name(t) for t in towns):
        covered = ", ".join(str(a) for a in answers if normalise_name(str(a)) != "notstated")
        raise settings.towns.area.error(
            "towns",
            f"the sustainability index compares the towns of the survey {conf.table!r} "
            f"({covered}) together, not {', '.join(towns) or 'this area'}: name those towns, "
            f"or supply a survey of your towns with --layer {conf.table}=FILE",
        )


def estimate(settings: SustainabilitySettings, catalog: Catalog) -> tuple[CostEstimate, str]:
    """The cost of building the theme: no grid, a fixed small amount."""
    return cost_estimate(SPEC.id, cells=0), settings.towns.area.at("towns")


def build(ctx: ThemeInputs, settings: SustainabilitySettings) -> ThemeResult:
    """Build the sustainability theme from its settings.

    Parameters
    ----------
    ctx : ThemeInputs
        Catalog (with ``--layer`` overrides), language, earlier results.
    settings : SustainabilitySettings
        From :func:`read_settings` of ``maps/sustainability.toml`` or a user's copy.

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
        A recipe value does not match the data (names the file and line).
    IndicatorError
        A table breaks its schema (names the table, row and field).
    """
    area = resolve_area(ctx.catalog, settings.towns.area)
    _check_survey_towns(ctx, settings, area.towns)
    settings = replace(settings, towns=replace(settings.towns, names=area.towns))
    towns = town_geometry(ctx, settings)
    survey = read_survey(ctx, settings)
    geo = read_geometries(ctx, settings, towns)
    values = index_values(ctx, settings, geo)
    by_town = towns_layer(settings, towns, survey, geo, values, ctx.lang)
    by_district = district_layers(settings, geo, ctx.lang)
    index = index_layer(settings, towns, values, by_town.layer, geo.town_prov)
    breaks = {
        "indicators_by_town": by_town.breaks,
        "indicators_by_district": by_district.choropleth.breaks,
        "sustainability_index": index.breaks,
    }
    outline = [by_district.group_outline] if by_district.group_outline else []
    vectors = [by_town.layer, by_district.choropleth.layer, *outline, index.layer]
    log.info(
        "sustainability: %d indicators used (%d dropped), ranks %s, MC %d runs (average rank shift %.3f)",
        len(values.kept),
        len(values.dropped),
        dict(values.result.rank),
        settings.monte_carlo.runs,
        values.mc.average_shift,
    )
    return ThemeResult(
        theme=THEME,
        title=TITLE,
        description=DESCRIPTION,
        vectors=vectors,
        parameters={**parameters(settings, survey, geo, values, breaks), "area": area.record()},
        notes=notes(settings, towns, survey, geo, values),
        inputs=settings.inputs,
    )
