"""Recipe reading for the sustainability theme.

Reads and checks ``maps/sustainability.toml`` (or a user's copy): towns,
survey, mining, the composite index configuration, the indicator entries, the
Monte Carlo settings and the classification ramps. Every bad value raises a
:class:`~geo.errors.RecipeError` naming the recipe file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.area import AreaRequest, read_area
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
from geo.themes.common import check_tables, recipe_choice, recipe_list, recipe_number
from geo.themes.sustainability.labels import QUESTION_LABELS, SCHEMES

__all__ = [
    "ClassSettings",
    "IndicatorEntry",
    "MiningSettings",
    "MonteCarloSettings",
    "RecipeAt",
    "SurveySettings",
    "SustainabilitySettings",
    "TownSettings",
    "read_settings",
]


@dataclass(frozen=True)
class IndicatorEntry:
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


def _indicator_entries(recipe: Recipe) -> list[IndicatorEntry]:
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
            IndicatorEntry(
                spec,
                source,
                str(e.get("indicator_id", spec.id)),
                dict(title),
                str(e.get("unit", "")),
                str(e.get("citation", "")),
            )
        )
    return out


TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "towns": ("geometry", "style_field"),
    "survey": (
        "table",
        "town_question",
        "single_choice",
        "complete",
        "sum_tolerance",
        "alpha",
        "chart_questions",
    ),
    "mining": ("table", "group_row", "group_members", "group_size_published", "group_imputation"),
    "index": (
        "normalisation",
        "aggregation",
        "missing",
        "geometric_floor",
        "group_weights",
        "role_weights",
        "indicators",
    ),
    "monte_carlo": (
        "runs",
        "seed",
        "normalisations",
        "aggregations",
        "weight_spread",
        "interval",
    ),
    "classification": ("scheme", "k", "ramp_index", "ramp_mining", "ramp_towns"),
}
"""Keys each recipe table may hold; anything else is a typo, refused with its line."""

ROLES = ("main", "inhibiting", "additional")

_LOCATED = (
    "area.towns",
    "towns.style_field",
    "survey.town_question",
    "mining.group_members",
    "index.indicators",
)
"""Recipe keys whose values are checked against the data while building."""


@dataclass(frozen=True)
class RecipeAt:
    """Where the recipe's keys are, for errors found only against the data.

    Parameters
    ----------
    path : str
        The recipe file.
    lines : mapping
        Dotted key → its 1-based line (keys checked while building).
    """

    path: str
    lines: Mapping[str, int | None]

    def error(self, dotted: str, message: str) -> RecipeError:
        """A :class:`RecipeError` naming the file, line and key (as :meth:`Recipe.error`)."""
        line = self.lines.get(dotted)
        where = f"{self.path}:{line}" if line else self.path
        return RecipeError(f"{where}: {dotted}: {message}")


@dataclass(frozen=True)
class TownSettings:
    """The towns (``[area]``, resolved by the build), their geometry layer and choropleth field."""

    area: AreaRequest
    geometry: str
    style_field: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveySettings:
    """``[survey]``: the table, its town question, single-choice and complete questions, tests, charts."""

    table: str
    town_question: str
    single_choice: tuple[str, ...]
    complete: tuple[str, ...]
    sum_tolerance: float
    alpha: float
    chart_questions: tuple[str, ...]


@dataclass(frozen=True)
class MiningSettings:
    """``[mining]``: the table, the row of the districts published together and their imputation."""

    table: str
    group_row: str
    group_members: tuple[str, ...]
    group_size: int
    group_imputation: str


@dataclass(frozen=True)
class MonteCarloSettings:
    """``[monte_carlo]``: runs, seed, alternatives sampled, weight spread, reported percentiles."""

    runs: int
    seed: int
    normalisations: tuple[str, ...]
    aggregations: tuple[str, ...]
    weight_spread: float
    interval: tuple[Any, Any]


@dataclass(frozen=True)
class ClassSettings:
    """``[classification]``: scheme, number of classes, ramps of the three choropleths."""

    scheme: str
    k: int
    ramp_index: str
    ramp_mining: str
    ramp_towns: str


@dataclass(frozen=True)
class SustainabilitySettings:
    """Everything the theme reads from its recipe, checked.

    Parameters
    ----------
    towns, survey, mining, monte_carlo, classification
        The recipe's tables of the same names.
    index : IndexConfig
        Normalisation, aggregation and weights of the composite index.
    missing : str
        ``index.missing``: ``drop_indicator``, ``mean`` or ``drop_unit``.
    indicators : tuple of IndicatorEntry
        The ``[[index.indicators]]`` entries, in recipe order.
    at : RecipeAt
        The recipe file and the lines of the keys checked against the data.
    """

    towns: TownSettings
    survey: SurveySettings
    mining: MiningSettings
    index: IndexConfig
    missing: str
    indicators: tuple[IndicatorEntry, ...]
    monte_carlo: MonteCarloSettings
    classification: ClassSettings
    at: RecipeAt

    @property
    def inputs(self) -> list[str]:
        """Catalog layers and tables the theme reads, sorted."""
        return sorted(
            {self.survey.table, self.mining.table, "town_facts", "districts", self.towns.geometry}
        )


def read_settings(recipe: Recipe) -> SustainabilitySettings:
    """Read and check the recipe: towns, survey, mining, index, Monte Carlo, classes.

    The top-level keys are checked by the build (the theme's ``SPEC``); every
    table's keys are checked here.

    Raises
    ------
    RecipeError
        An unknown key or a bad value, naming the recipe file and line.
    IndicatorError
        An ``[[index.indicators]]`` entry breaks the indicator schema.
    """
    check_tables(recipe, TABLE_KEYS)
    for key, allowed in (("index.group_weights", GROUPS), ("index.role_weights", ROLES)):
        if recipe.get(key, None) is not None:
            recipe.require_keys(key, allowed)
    config = _index_config(recipe)
    return SustainabilitySettings(
        towns=_towns(recipe),
        survey=_survey(recipe),
        mining=_mining(recipe),
        index=config,
        missing=recipe_choice(
            recipe, "index.missing", "drop_indicator", ["drop_indicator", "mean", "drop_unit"]
        ),
        indicators=tuple(_indicator_entries(recipe)),
        monte_carlo=_monte_carlo_settings(recipe, config),
        classification=_classification(recipe),
        at=RecipeAt(str(recipe.path), {k: recipe.line_of(k) for k in _LOCATED}),
    )


def _towns(recipe: Recipe) -> TownSettings:
    return TownSettings(
        area=read_area(recipe, buffer_m=0.0),
        geometry=recipe_choice(
            recipe, "towns.geometry", "town_boundaries", ["town_boundaries", "towns"]
        ),
        style_field=str(recipe.get("towns.style_field", "survey_share_pct")),
    )


def _survey(recipe: Recipe) -> SurveySettings:
    chart_qs = tuple(str(q) for q in recipe_list(recipe, "survey.chart_questions", ["economy"]))
    for q in chart_qs:
        if q not in QUESTION_LABELS:
            raise recipe.error(
                "survey.chart_questions",
                f"{q!r} has no toolkit label; chart one of {', '.join(QUESTION_LABELS)}",
            )
    return SurveySettings(
        table=str(recipe.get("survey.table", "survey_2023")),
        town_question=str(recipe.get("survey.town_question", "town")),
        single_choice=tuple(str(q) for q in recipe_list(recipe, "survey.single_choice", [])),
        complete=tuple(str(q) for q in recipe_list(recipe, "survey.complete", [])),
        sum_tolerance=recipe_number(
            recipe, "survey.sum_tolerance", 0.5, lo=0.0, hi=10.0, strict=False
        ),
        alpha=recipe_number(recipe, "survey.alpha", 0.05, lo=1e-6, hi=0.5, strict=False),
        chart_questions=chart_qs,
    )


def _mining(recipe: Recipe) -> MiningSettings:
    members = tuple(str(m) for m in recipe_list(recipe, "mining.group_members", []))
    size = int(recipe.get("mining.group_size_published", len(members)))
    if len(members) != size:
        raise recipe.error(
            "mining.group_members",
            f"lists {len(members)} districts but the paper's group has {size}; list exactly the group's districts",
        )
    return MiningSettings(
        table=str(recipe.get("mining.table", "mining_share")),
        group_row=str(recipe.get("mining.group_row", "Other districts")),
        group_members=members,
        group_size=size,
        group_imputation=recipe_choice(
            recipe, "mining.group_imputation", "equal_split", ["equal_split", "none"]
        ),
    )


def _classification(recipe: Recipe) -> ClassSettings:
    ramps = _ramps(recipe)
    return ClassSettings(
        scheme=recipe_choice(recipe, "classification.scheme", "natural_breaks", list(SCHEMES)),
        k=int(recipe_number(recipe, "classification.k", 3, lo=1, hi=9, strict=False)),
        ramp_index=ramps["ramp_index"],
        ramp_mining=ramps["ramp_mining"],
        ramp_towns=ramps["ramp_towns"],
    )


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
            for r, d in zip(ROLES, (1.0, 1.0, 0.5), strict=True)
        },
        geometric_floor=recipe_number(
            recipe, "index.geometric_floor", 0.1, lo=1e-6, hi=0.999, strict=False
        ),
    )


def _monte_carlo_settings(recipe: Recipe, config: IndexConfig) -> MonteCarloSettings:
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
    return MonteCarloSettings(
        mc_runs, mc_seed, tuple(mc_norms), tuple(mc_aggs), spread, (interval[0], interval[1])
    )


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
