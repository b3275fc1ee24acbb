"""Recipe reading for the sustainability theme.

Reads and checks ``maps/sustainability.toml`` (or a user's copy): towns,
survey, mining, the composite index configuration, the indicator entries, the
Monte Carlo settings and the classification ramps. Every bad value raises a
:class:`~geo.errors.RecipeError` naming the recipe file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.errors import IndicatorError, RecipeError
from geo.i18n import LANGUAGES, Text, check_text
from geo.models.indicators import (
    AGGREGATIONS,
    GROUPS,
    NORMALISATIONS,
    IndexConfig,
    IndicatorSpec,
    parse_indicator_specs,
)
from geo.recipe import Recipe
from geo.symbology import ramp
from geo.themes.common import recipe_choice, recipe_list, recipe_number
from geo.themes.sustainability.labels import QUESTION_LABELS, SCHEMES


@dataclass(frozen=True)
class _IndicatorEntry:
    """Recipe entry of an indicator: its spec plus where its values come from."""

    spec: IndicatorSpec
    source: str
    table_id: str
    title: Text
    unit: str
    citation: str


INDICATOR_KEYS = (
    "id",
    "source",
    "indicator_id",
    "group",
    "role",
    "direction",
    "weight",
    "reference",
    "unit",
    "title",
    "citation",
)


SOURCES = ("mining_share", "town_indicators", "town_facts")


def _indicator_entries(recipe: Recipe) -> list[_IndicatorEntry]:
    raw = recipe.get("index.indicators", None)
    if not isinstance(raw, list) or not raw:
        raise recipe.error("index.indicators", "list the indicators as [[index.indicators]] tables")
    headers = [
        n + 1
        for n, line in enumerate(recipe.text.splitlines())
        if line.strip().startswith("[[index.indicators]]")
    ]
    for i, e in enumerate(raw):
        line = headers[i] if i < len(headers) else None
        at = f"{recipe.path}:{line}" if line else str(recipe.path)
        if not isinstance(e, dict):
            msg = f"{at}: table 'index.indicators' row {i + 1}: must be a table; write [[index.indicators]]"
            raise IndicatorError(msg)
        try:
            parse_indicator_specs([e], table="index.indicators")
        except IndicatorError as exc:
            detail = str(exc).replace("row 1", f"row {i + 1}", 1)
            raise IndicatorError(f"{at}: {detail}") from None
    where = f"{recipe.path} [[index.indicators]]"
    try:
        specs = parse_indicator_specs(raw, table="index.indicators")
    except IndicatorError as exc:
        raise IndicatorError(f"{recipe.path}: {exc}") from None
    out = []
    for i, (e, spec) in enumerate(zip(raw, specs, strict=True)):
        unknown = [k for k in e if k not in INDICATOR_KEYS]
        if unknown:
            msg = f"{where} #{i + 1} ({spec.id}): unknown key {unknown[0]!r}; expected one of {', '.join(INDICATOR_KEYS)}"
            raise RecipeError(msg)
        source = str(e.get("source", ""))
        if source not in SOURCES:
            msg = f"{where} #{i + 1} ({spec.id}) field 'source': {source!r} is not one of {', '.join(SOURCES)}"
            raise RecipeError(msg)
        title = e.get("title", {"en": spec.id, "kk": spec.id, "ru": spec.id})
        if isinstance(title, str):
            title = dict.fromkeys(LANGUAGES, title)
        try:
            check_text(title, f"{where} #{i + 1} ({spec.id}) title")
        except ValueError as exc:
            raise RecipeError(str(exc)) from None
        out.append(
            _IndicatorEntry(
                spec,
                source,
                str(e.get("indicator_id", spec.id)),
                dict(title),
                str(e.get("unit", "")),
                str(e.get("citation", "")),
            )
        )
    return out


def _settings(recipe: Recipe) -> dict[str, Any]:
    """Read and check the recipe's settings: towns, survey, mining, index, Monte Carlo, classes.

    Returns ``alpha``, ``chart_qs``, ``complete``, ``config``, ``entries``,
    ``geometry_layer``, ``group_imputation``, ``interval``, ``k``, ``mc_aggs``,
    ``mc_norms``, ``mc_runs``, ``mc_seed``, ``missing_policy``, ``ramps``, ``scheme``,
    ``single``, ``spread``, ``style_field``, ``survey_table``, ``tol``, ``town_names``,
    ``town_q``.
    """
    town_names = [
        str(t) for t in recipe_list(recipe, "towns.names", ["Zhanatas", "Karatau", "Shu"])
    ]
    geometry_layer = recipe_choice(
        recipe, "towns.geometry", "town_boundaries", ["town_boundaries", "towns"]
    )
    style_field = str(recipe.get("towns.style_field", "survey_share_pct"))
    survey_table = str(recipe.get("survey.table", "survey_2023"))
    town_q = str(recipe.get("survey.town_question", "town"))
    single = [str(q) for q in recipe_list(recipe, "survey.single_choice", [])]
    complete = [str(q) for q in recipe_list(recipe, "survey.complete", [])]
    tol = recipe_number(recipe, "survey.sum_tolerance", 0.5, lo=0.0, hi=10.0, strict=False)
    alpha = recipe_number(recipe, "survey.alpha", 0.05, lo=1e-6, hi=0.5, strict=False)
    chart_qs = [str(q) for q in recipe_list(recipe, "survey.chart_questions", ["economy"])]
    for q in chart_qs:
        if q not in QUESTION_LABELS:
            raise recipe.error(
                "survey.chart_questions",
                f"{q!r} has no toolkit label; chart one of {', '.join(QUESTION_LABELS)}",
            )
    group_imputation = recipe_choice(
        recipe, "mining.group_imputation", "equal_split", ["equal_split", "none"]
    )
    config = _index_config(recipe)
    missing_policy = recipe_choice(
        recipe, "index.missing", "drop_indicator", ["drop_indicator", "mean", "drop_unit"]
    )
    entries = _indicator_entries(recipe)
    mc_runs, mc_seed, mc_norms, mc_aggs, spread, interval = _monte_carlo_settings(recipe, config)
    scheme = recipe_choice(recipe, "classification.scheme", "natural_breaks", list(SCHEMES))
    k = int(recipe_number(recipe, "classification.k", 3, lo=1, hi=9, strict=False))
    ramps = _ramps(recipe)
    return {
        "alpha": alpha,
        "chart_qs": chart_qs,
        "complete": complete,
        "config": config,
        "entries": entries,
        "geometry_layer": geometry_layer,
        "group_imputation": group_imputation,
        "interval": interval,
        "k": k,
        "mc_aggs": mc_aggs,
        "mc_norms": mc_norms,
        "mc_runs": mc_runs,
        "mc_seed": mc_seed,
        "missing_policy": missing_policy,
        "ramps": ramps,
        "scheme": scheme,
        "single": single,
        "spread": spread,
        "style_field": style_field,
        "survey_table": survey_table,
        "tol": tol,
        "town_names": town_names,
        "town_q": town_q,
    }


def _index_config(recipe: Recipe) -> IndexConfig:
    """Normalisation, aggregation and weights of the composite index (``[index]``)."""
    return IndexConfig(
        normalisation=recipe_choice(recipe, "index.normalisation", "minmax", NORMALISATIONS),
        aggregation=recipe_choice(recipe, "index.aggregation", "linear", AGGREGATIONS),
        group_weights={
            g: recipe_number(recipe, f"index.group_weights.{g}", 1.0, lo=0.0, hi=1e6, strict=False)
            for g in GROUPS
        },
        role_weights={
            r: recipe_number(recipe, f"index.role_weights.{r}", d, lo=0.0, hi=1e6, strict=False)
            for r, d in (("main", 1.0), ("inhibiting", 1.0), ("additional", 0.5))
        },
        geometric_floor=recipe_number(
            recipe, "index.geometric_floor", 0.1, lo=1e-6, hi=0.999, strict=False
        ),
    )


def _monte_carlo_settings(
    recipe: Recipe, config: IndexConfig
) -> tuple[int, int, list[str], list[str], float, list[Any]]:
    """``[monte_carlo]``: runs, seed, normalisations, aggregations, weight spread, interval."""
    mc_runs = int(recipe_number(recipe, "monte_carlo.runs", 1000, lo=1, hi=1_000_000, strict=False))
    mc_seed = int(
        recipe_number(recipe, "monte_carlo.seed", 20231, lo=0, hi=2**32 - 1, strict=False)
    )
    mc_norms = [
        str(m) for m in recipe_list(recipe, "monte_carlo.normalisations", [config.normalisation])
    ]
    mc_aggs = [
        str(a) for a in recipe_list(recipe, "monte_carlo.aggregations", [config.aggregation])
    ]
    for m in mc_norms:
        if m not in NORMALISATIONS:
            raise recipe.error(
                "monte_carlo.normalisations", f"{m!r} is not one of {', '.join(NORMALISATIONS)}"
            )
    for a in mc_aggs:
        if a not in AGGREGATIONS:
            raise recipe.error(
                "monte_carlo.aggregations", f"{a!r} is not one of {', '.join(AGGREGATIONS)}"
            )
    spread = recipe_number(recipe, "monte_carlo.weight_spread", 0.5, lo=0.0, hi=0.99, strict=False)
    interval = recipe_list(recipe, "monte_carlo.interval", [5, 95])
    if len(interval) != 2 or not 0 <= float(interval[0]) < float(interval[1]) <= 100:
        raise recipe.error("monte_carlo.interval", "give two percentiles like [5, 95]")
    return mc_runs, mc_seed, mc_norms, mc_aggs, spread, interval


def _ramps(recipe: Recipe) -> dict[str, str]:
    """Colour ramps of the three choropleths (``[classification]``), checked to exist."""
    ramps: dict[str, str] = {}
    for key, default in (
        ("ramp_index", "RdYlGn"),
        ("ramp_mining", "YlOrRd"),
        ("ramp_towns", "Blues"),
    ):
        name = str(recipe.get(f"classification.{key}", default))
        try:
            ramp(name, 2)
        except KeyError as exc:
            raise recipe.error(f"classification.{key}", str(exc).strip("'\"")) from None
        ramps[key] = name
    return ramps
