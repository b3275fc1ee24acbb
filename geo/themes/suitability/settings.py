"""Reading and checking a land-suitability recipe.

Everything in the recipe is read and checked before any heavy work, into a
frozen :class:`SuitabilitySettings` (the top-level keys are checked by the
build against the theme's ``SPEC``): the area, the criteria (source, layer,
field, fuzzy membership, weight), the weights (direct, or an AHP pairwise
matrix with its consistency ratio), the FAO class breaks, the aggregation (WLC
or OWA), the Monte Carlo settings, the constraints (sanitary-zone widths from
the cited table), the zone layers and the report town. Errors name the recipe
file, line and fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.area import AreaRequest, read_area
from geo.errors import InputError, RecipeError
from geo.i18n import Text, text
from geo.io import read_table
from geo.models import mcda
from geo.models.ahp import AHPError, ahp_weights
from geo.models.fuzzy import Membership, MembershipError
from geo.models.spz import spz_widths
from geo.recipe import Recipe
from geo.themes.common import recipe_number, recipe_text, table_path

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = [
    "CONSTRAINT_KINDS",
    "DEFAULT_ZONE_LAYERS",
    "SOURCES",
    "SPZ_TABLE",
    "Constraint",
    "Criterion",
    "Report",
    "SuitabilitySettings",
    "read_settings",
]

SOURCES = (
    "slope", "elevation", "distance", "categorical", "field", "raster", "raster_classes",
    "pollution_index",
)  # fmt: skip
RASTER_SOURCES = ("slope", "elevation", "raster", "raster_classes")
"""Criteria read from a raster layer (warped to the grid before the vector ones)."""
CONSTRAINT_KINDS = (
    "near_layer",
    "inside_layer",
    "slope_above",
    "elevation_above",
    "sanitary_zones",
    "pollution_above",
    "raster_classes",
)
_CRITERION_KEYS = (
    "source",
    "layer",
    "field",
    "where",
    "membership",
    "weight",
    "optional",
    "unit",
    "title",
    "outside",
)
_CONSTRAINT_KEYS = (
    "kind",
    "layer",
    "where",
    "distance_m",
    "value",
    "optional",
    "table",
    "field",
    "classes",
    "title",
)
MAX_DRAWS = 100_000
"""Most Monte Carlo draws a recipe may ask for (a class stability settles long before)."""

_MC_KEYS = ("draws", "weight_spread", "control_point_spread", "seed", "stable_threshold")
DESCRIPTION = text(
    "How suitable the land is for the use in the recipe, from 0 to 1 and in the FAO classes S1–S3 and N, with the share of each town, micro-district and district in every class. The criteria, weights and constraints are design judgements on partly synthetic layers; the stability map shows where the class holds when the weights change.",
    "Рецепттегі пайдалануға жердің жарамдылығы: 0-ден 1-ге дейін және FAO S1–S3, N кластары бойынша, әр қала, шағын аудан мен аудан үшін әр кластың үлесі. Критерийлер, салмақтар мен шектеулер ішінара синтетикалық қабаттарға негізделген сараптамалық шешімдер; тұрақтылық картасы салмақтар өзгергенде класс қай жерде сақталатынын көрсетеді.",
    "Пригодность земель для указанного в рецепте использования: от 0 до 1 и по классам FAO S1–S3 и N, с долей каждого класса в городах, микрорайонах и районах. Критерии, веса и ограничения — экспертные решения на частично синтетических слоях; карта устойчивости показывает, где класс сохраняется при изменении весов.",
)
DEFAULT_ZONE_LAYERS = ("town_boundaries", "micro_districts", "districts")
"""Zones whose class areas are reported, when the recipe has no [zones] table."""
SPZ_TABLE = "tables/spz_widths.csv"
"""The cited sanitary-zone widths by hazard class (fallback buffers of ``enterprises``)."""


@dataclass(frozen=True)
class Criterion:
    """One ``[criteria.<id>]`` table, checked.

    Parameters
    ----------
    id : str
        The criterion id (its table name).
    source : str
        One of :data:`SOURCES`.
    layer : str or None
        Catalog layer id (``dem`` by default for slope and elevation).
    field : str or None
        Attribute of *layer* (categorical and field sources).
    where : mapping or None
        Selection ``{field = [values]}`` of *layer*'s features.
    membership : Membership
        Turns the raw value into a 0–1 factor.
    weight : float or None
        Direct weight, when the recipe gives it here.
    optional : bool
        Skip the criterion (with a note) when its input is unavailable.
    unit : str
        Unit of the raw value.
    title : Text
        Translated title.
    outside : float or None
        Value of cells outside the criterion's raster.
    """

    id: str
    source: str
    layer: str | None
    field: str | None
    where: Mapping[str, Any] | None
    membership: Membership
    weight: float | None
    optional: bool
    unit: str
    title: Text
    outside: float | None


@dataclass(frozen=True)
class Constraint:
    """One ``[constraints.<id>]`` table, checked.

    Parameters
    ----------
    id : str
        The constraint id (its table name).
    kind : str
        One of :data:`CONSTRAINT_KINDS`.
    layer : str or None
        Catalog layer id (near, inside, and the sanitary fallback).
    where : mapping or None
        Selection of *layer*'s features.
    distance_m : float
        Distance from (near) or buffer around (inside) the layer.
    value : float or None
        Threshold of slope, elevation or pollution index.
    optional : bool
        Skip the constraint (with a note) when its input is unavailable.
    field : str
        Hazard-class attribute of the enterprises (sanitary fallback).
    widths_m : mapping or None
        Sanitary-zone width by hazard class, from the cited table.
    classes : tuple of int
        Class codes of a categorical raster (land cover) that are excluded.
    title : Text or None
        Its name in every language (the What-if panel's switch), when the recipe gives one.
    record : mapping
        What the manifest records of it (the recipe's table, widths as read).
    """

    id: str
    kind: str
    layer: str | None
    where: Mapping[str, Any] | None
    distance_m: float
    value: float | None
    optional: bool
    field: str
    widths_m: Mapping[str, float] | None
    record: Mapping[str, Any]
    classes: tuple[int, ...] = ()
    title: Text | None = None


@dataclass(frozen=True)
class Report:
    """The report town, its northern-suburbs ring and the study's figure to show beside."""

    town: str | None = None
    suburbs_m: float | None = None
    study_suitable_pct: float | None = None
    study_source: str = ""


@dataclass(frozen=True)
class SuitabilitySettings:
    """A land-suitability recipe, read and checked (see ``maps/land_suitability.toml``).

    ``error`` builds a :class:`~geo.errors.RecipeError` naming a recipe line,
    for what only the data can tell (a field missing from a layer, a raster
    missing the study area).
    """

    name: str
    theme: str
    title: Text
    description: Text
    area: AreaRequest
    criteria: Mapping[str, Criterion]
    weights: np.ndarray
    weights_record: Mapping[str, Any]
    aggregation: str
    order_weights: tuple[float, ...] | None
    breaks: tuple[float, float, float]
    monte_carlo: mcda.MonteCarlo | None
    stable_threshold: float
    constraints: tuple[Constraint, ...]
    zone_layers: tuple[str, ...]
    use_pollution: bool
    report: Report
    error: Callable[[str, str], RecipeError] = dc_field(repr=False, compare=False)
    recipe_data: Mapping[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)
    """The recipe as read (the area as the command line may have replaced it): the What-if
    panel writes it back with the planner's weights and constraints."""

    @property
    def ids(self) -> list[str]:
        """Criterion ids in recipe order."""
        return list(self.criteria)


def read_settings(recipe: Recipe, catalog: Catalog) -> SuitabilitySettings:
    """Read and check everything in *recipe* before any heavy work.

    Top-level keys are checked by :func:`geo.build.run_recipe` against the
    theme's ``SPEC``; every other key, kind, layer id (against *catalog*),
    weight, break and Monte Carlo setting is checked here.

    Raises
    ------
    RecipeError
        Any bad value, naming the recipe file, line and the fix.
    """
    crit = _criteria(recipe, catalog)
    ids = list(crit)
    weights, wrecord = _weights(recipe, ids, crit)
    try:
        breaks = mcda.check_breaks(recipe.get("classes.breaks", list(mcda.DEFAULT_BREAKS)))
    except mcda.MCDAError as exc:
        raise recipe.error("classes.breaks", str(exc)) from None
    agg, order_w = _aggregation(recipe, len(ids))
    mc, stable = _monte_carlo(recipe)
    return SuitabilitySettings(
        name=recipe.name,
        theme=recipe.theme,
        title=recipe_text(
            recipe, "title", text("Land suitability", "Жердің жарамдылығы", "Пригодность земель")
        ),
        # what the map shows and how sure it is (index.html); the recipe may say it for its use
        description=recipe_text(recipe, "description", DESCRIPTION),
        area=read_area(recipe, buffer_m=15_000, cell_size_m=100),
        criteria=crit,
        weights=weights,
        weights_record=wrecord,
        aggregation=agg,
        order_weights=order_w,
        breaks=breaks,
        monte_carlo=mc,
        stable_threshold=stable,
        constraints=tuple(_constraints(recipe, catalog)),
        zone_layers=tuple(
            _known_layer(recipe, catalog, "zones.layers", layer)
            for layer in recipe.get("zones.layers", DEFAULT_ZONE_LAYERS)
        ),
        use_pollution=bool(recipe.get("pollution.use", True)),
        report=_report(recipe),
        error=recipe.error,
        recipe_data=MappingProxyType(dict(recipe.data)),
    )


def _aggregation(recipe: Recipe, n_criteria: int) -> tuple[str, tuple[float, ...] | None]:
    agg = recipe.get("aggregation.method", "wlc")
    if agg == "wlc":
        return agg, None
    if agg != "owa":
        raise recipe.error("aggregation.method", f'unknown aggregation {agg!r}; use "wlc" or "owa"')
    ow = recipe.get("aggregation.order_weights", None)
    if not isinstance(ow, list) or not all(isinstance(v, int | float) for v in ow):
        raise recipe.error(
            "aggregation.order_weights", "give one order weight (a number) per criterion"
        )
    if len(ow) != n_criteria:
        raise recipe.error(
            "aggregation.order_weights",
            f"{len(ow)} order weights for {n_criteria} criteria; give one per criterion",
        )
    return agg, tuple(ow)


def _monte_carlo(recipe: Recipe) -> tuple[mcda.MonteCarlo | None, float]:
    if "monte_carlo" in recipe.data:
        recipe.require_keys("monte_carlo", _MC_KEYS)
    stable = recipe_number(recipe, "monte_carlo.stable_threshold", 0.9, lo=0.0, hi=1.0)
    draws = recipe_number(recipe, "monte_carlo.draws", 0, lo=0, hi=MAX_DRAWS)
    if draws != int(draws):
        raise recipe.error("monte_carlo.draws", f"must be a whole number, got {draws:g}")
    if not draws:
        return None, stable
    try:
        mc = mcda.MonteCarlo(
            draws=int(draws),
            weight_spread=recipe_number(recipe, "monte_carlo.weight_spread", 0.2, lo=0.0),
            control_point_spread=recipe_number(
                recipe, "monte_carlo.control_point_spread", 0.0, lo=0.0
            ),
            seed=_whole(recipe, "monte_carlo.seed", 20231, hi=2**63 - 1),
        )
    except mcda.MCDAError as exc:
        raise recipe.error("monte_carlo", str(exc)) from None
    return mc, stable


def _whole(recipe: Recipe, key: str, default: int, *, hi: float) -> int:
    """A whole number ≥ 0 at *key* (a seed): 1.5 is refused, not truncated."""
    value = recipe_number(recipe, key, default, lo=0, hi=hi)
    if value != int(value):
        raise recipe.error(key, f"must be a whole number, got {value:g}")
    return int(value)


def _report(recipe: Recipe) -> Report:
    town = recipe.get("report.town", None)
    width = recipe.get("report.suburbs_m", None)
    study = recipe.get("report.study_suitable_pct", None)
    return Report(
        town=None if town is None else str(town),
        suburbs_m=None if width is None else float(width),
        study_suitable_pct=study,
        study_source=str(recipe.get("report.study_source", "")),
    )


def _criteria(recipe: Recipe, catalog: Catalog) -> dict[str, Criterion]:
    crit = recipe.get("criteria")
    if not isinstance(crit, dict) or not crit:
        raise recipe.error("criteria", "add at least one [criteria.<id>] table")
    return {cid: _criterion(recipe, catalog, cid, spec) for cid, spec in crit.items()}


def _criterion(recipe: Recipe, catalog: Catalog, cid: str, spec: Any) -> Criterion:
    key = f"criteria.{cid}"
    if not isinstance(spec, dict):
        raise recipe.error(key, "must be a table with source and membership")
    recipe.require_keys(key, _CRITERION_KEYS)
    source = spec.get("source")
    if source not in SOURCES:
        raise recipe.error(
            f"{key}.source", f"unknown source {source!r}; use one of {', '.join(SOURCES)}"
        )
    layer = spec.get("layer", "dem" if source in ("slope", "elevation") else None)
    if source in ("distance", "categorical", "field", "raster", "raster_classes") and layer is None:
        raise recipe.error(key, f'source {source!r} needs layer = "<catalog id>"')
    if layer is not None:
        _known_layer(recipe, catalog, f"{key}.layer", layer)
    if source in ("categorical", "field") and "field" not in spec:
        raise recipe.error(key, f'source {source!r} needs field = "<attribute>"')
    membership = _membership(recipe, key, spec.get("membership"))
    if source in ("categorical", "raster_classes") and membership.kind != "reclass":
        raise recipe.error(
            f"{key}.membership", f'a {source} criterion needs kind = "reclass" with a table'
        )
    if source == "raster_classes":
        _class_codes(recipe, f"{key}.membership.table", list(membership.params.get("table", {})))
    return Criterion(
        id=cid,
        source=source,
        layer=layer,
        field=spec.get("field"),
        where=_where(recipe, f"{key}.where", spec.get("where")),
        membership=membership,
        weight=spec.get("weight"),
        optional=bool(spec.get("optional", False)),
        unit=str(spec.get("unit", "")),
        title=recipe_text(recipe, f"{key}.title", text(cid, cid, cid)),
        outside=None if spec.get("outside") is None else float(spec["outside"]),
    )


def _membership(recipe: Recipe, key: str, m: Any) -> Membership:
    if not isinstance(m, dict) or "kind" not in m:
        raise recipe.error(
            f"{key}.membership", 'give membership = { kind = "linear", a = …, b = … }'
        )
    params = {k: v for k, v in m.items() if k != "kind"}
    try:
        return Membership(str(m["kind"]), params)
    except MembershipError as exc:
        raise recipe.error(f"{key}.membership", f"{exc}") from None


def _where(recipe: Recipe, key: str, where: Any) -> Mapping[str, Any] | None:
    if not where:
        return None
    if not isinstance(where, dict):
        raise recipe.error(key, "where must be a table {field = [values]}")
    return MappingProxyType(dict(where))


def _constraints(recipe: Recipe, catalog: Catalog) -> list[Constraint]:
    table = recipe.get("constraints", {})
    if not isinstance(table, dict):
        raise recipe.error("constraints", "must hold [constraints.<id>] tables")
    return [_constraint(recipe, catalog, cid, spec) for cid, spec in table.items()]


def _constraint(recipe: Recipe, catalog: Catalog, cid: str, spec: Any) -> Constraint:
    key = f"constraints.{cid}"
    if not isinstance(spec, dict):
        raise recipe.error(key, "must be a table with kind = …")
    if "widths_m" in spec:
        raise recipe.error(
            f"{key}.widths_m",
            f'the widths are read from the cited table ({SPZ_TABLE}); remove widths_m or give table = "<path>"',
        )
    recipe.require_keys(key, _CONSTRAINT_KEYS)
    kind = spec.get("kind")
    if kind not in CONSTRAINT_KINDS:
        raise recipe.error(
            f"{key}.kind",
            f"unknown constraint kind {kind!r}; use one of {', '.join(CONSTRAINT_KINDS)}",
        )
    if kind in ("slope_above", "elevation_above") and "value" not in spec:
        raise recipe.error(key, "needs value = <degrees or metres>")
    if kind == "raster_classes" and ("layer" not in spec or "classes" not in spec):
        raise recipe.error(key, 'needs layer = "<catalog raster>" and classes = [<codes>]')
    layer = spec.get("layer", "enterprises" if kind == "sanitary_zones" else None)
    if kind in ("near_layer", "inside_layer", "raster_classes") or layer is not None:
        _known_layer(recipe, catalog, f"{key}.layer", layer)
    widths = _spz_widths(recipe, f"{key}.table") if kind == "sanitary_zones" else None
    record = {k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.items()}
    if widths is not None:
        record["widths_m"] = {c: int(w) if float(w).is_integer() else w for c, w in widths.items()}
    value = spec.get("value", 1.0 if kind == "pollution_above" else None)
    return Constraint(
        id=cid,
        kind=kind,
        layer=None if layer is None else str(layer),
        where=_where(recipe, f"{key}.where", spec.get("where")),
        distance_m=float(spec.get("distance_m", 0.0)),
        value=None if value is None else float(value),
        optional=bool(spec.get("optional", False)),
        field=str(spec.get("field", "hazard_class")),
        widths_m=None if widths is None else MappingProxyType(widths),
        record=MappingProxyType(record),
        classes=_class_codes(recipe, f"{key}.classes", spec.get("classes", [])),
        title=recipe_text(recipe, f"{key}.title", text(cid, cid, cid)) if "title" in spec else None,
    )


def _class_codes(recipe: Recipe, key: str, codes: Any) -> tuple[int, ...]:
    """Class codes of a categorical raster: whole numbers (given as numbers or digit strings)."""
    if not isinstance(codes, list):
        raise recipe.error(key, "give a list of class codes, e.g. [50, 80]")
    out = []
    for c in codes:
        ok = (isinstance(c, int) and not isinstance(c, bool)) or (
            isinstance(c, str) and c.strip().isdigit()
        )
        if not ok:
            raise recipe.error(key, f'class code {c!r} is not a whole number (e.g. 40 or "40")')
        out.append(int(c))
    return tuple(out)


def _known_layer(recipe: Recipe, catalog: Catalog, key: str, layer: Any) -> str:
    """*layer* if the catalog knows it; else an error at *key* listing the known ids."""
    if layer not in catalog.ids:
        raise recipe.error(key, f"unknown layer {layer!r}; known layers: {', '.join(catalog.ids)}")
    return str(layer)


def _spz_widths(recipe: Recipe, key: str) -> dict[str, float] | None:
    """Widths by hazard class from the cited table at *key* (None when given as ``""``)."""
    path = table_path(recipe, key, SPZ_TABLE)
    if path is None:
        return None
    try:
        return spz_widths(read_table(path, what="SPZ table"), where=str(path))
    except InputError as exc:
        raise recipe.error(key, str(exc)) from None


def _weights(
    recipe: Recipe, ids: list[str], crit: Mapping[str, Criterion]
) -> tuple[np.ndarray, dict[str, Any]]:
    method = recipe.get("weights.method", "direct")
    if method == "direct":
        values = recipe.get("weights.values", None)
        if values is None:
            values = {c: crit[c].weight for c in ids}
            missing = [c for c, v in values.items() if v is None]
            if missing:
                raise recipe.error(
                    f"criteria.{missing[0]}",
                    "no weight; add weight = … or a [weights] values table",
                )
            where = f"criteria.{ids[0]}.weight"
        else:
            where = "weights.values"
            _same_criteria(recipe, where, list(values), ids, "no weight for criterion {!r}; add it")
        w = np.array([float(values[c]) for c in ids])
        try:
            w = mcda.check_weights(w)
        except mcda.MCDAError as exc:
            raise recipe.error(where, str(exc)) from None
        return w, {"method": "direct", "values": {c: float(v) for c, v in zip(ids, w, strict=True)}}
    if method == "ahp":
        order = recipe.get("weights.criteria")
        _same_criteria(
            recipe, "weights.criteria", order, ids,
            "criterion {!r} is not in the AHP list; add it and its row",
        )  # fmt: skip
        matrix = _matrix(recipe.get("weights.matrix"), recipe)
        max_cr = recipe_number(recipe, "weights.max_cr", 0.10, lo=1e-9, hi=1.0)
        try:
            res = ahp_weights(
                matrix,
                ri_table=str(recipe.get("weights.ri_table", "saaty1980")),
                max_cr=max_cr,
                labels=order,
            )
        except AHPError as exc:
            raise recipe.error("weights.matrix", str(exc)) from None
        if len(res.weights) != len(order):
            raise recipe.error(
                "weights.matrix",
                f"{len(res.weights)} rows for {len(order)} criteria; one row per criterion",
            )
        by_id = dict(zip(order, res.weights, strict=True))
        w = np.array([by_id[c] for c in ids])
        return w, {
            "method": "ahp",
            "criteria": list(order),
            "matrix": [[float(v) for v in r] for r in matrix],
            "max_cr": max_cr,
            **res.as_dict(order),
        }
    raise recipe.error("weights.method", f'unknown method {method!r}; use "direct" or "ahp"')


def _same_criteria(
    recipe: Recipe, key: str, named: list[str], ids: list[str], missing_msg: str
) -> None:
    """Refuse a weights table at *key* naming an unknown criterion or leaving one out."""
    unknown = [c for c in named if c not in ids]
    if unknown:
        raise recipe.error(key, f"unknown criterion {unknown[0]!r}; criteria are {', '.join(ids)}")
    missing = [c for c in ids if c not in named]
    if missing:
        raise recipe.error(key, missing_msg.format(missing[0]))


def _matrix(rows: Any, recipe: Recipe) -> list[list[float]]:
    """Pairwise matrix with entries as numbers or "1/3"-style strings."""
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise recipe.error("weights.matrix", 'must be a list of rows, e.g. [[1, 3], ["1/3", 1]]')
    out = []
    for row in rows:
        vals = []
        for v in row:
            try:
                vals.append(float(Fraction(v)) if isinstance(v, str) else float(v))
            except (ValueError, ZeroDivisionError):
                raise recipe.error(
                    "weights.matrix", f'entry {v!r} is not a number or a fraction like "1/3"'
                ) from None
        out.append(vals)
    return out
