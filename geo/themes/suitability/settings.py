"""Reading and checking a land-suitability recipe.

Everything in the recipe is read and checked before any heavy work: the top
level keys, the criteria (source, layer, field, fuzzy membership, weight), the
weights (direct, or an AHP pairwise matrix with its consistency ratio), the
FAO class breaks, the aggregation (WLC or OWA), the Monte Carlo settings and
the constraint kinds. Errors name the recipe file, line and fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from geo.i18n import text
from geo.models import mcda
from geo.models.ahp import AHPError, ahp_weights
from geo.models.fuzzy import Membership, MembershipError
from geo.recipe import Recipe
from geo.themes.base import ThemeInputs
from geo.themes.common import recipe_text
from geo.themes.suitability.inputs import _known_layer

SOURCES = ("slope", "elevation", "distance", "categorical", "field", "raster", "pollution_index")
CONSTRAINT_KINDS = (
    "near_layer",
    "inside_layer",
    "slope_above",
    "elevation_above",
    "sanitary_zones",
    "pollution_above",
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
    "widths_m",
    "field",
)
DESCRIPTION = text(
    "How suitable the land is for the use in the recipe, from 0 to 1 and in the FAO classes S1–S3 and N, with the share of each town, micro-district and district in every class. The criteria, weights and constraints are design judgements on partly synthetic layers; the stability map shows where the class holds when the weights change.",
    "Рецепттегі пайдалануға жердің жарамдылығы: 0-ден 1-ге дейін және FAO S1–S3, N кластары бойынша, әр қала, шағын аудан мен аудан үшін әр кластың үлесі. Критерийлер, салмақтар мен шектеулер ішінара синтетикалық қабаттарға негізделген сараптамалық шешімдер; тұрақтылық картасы салмақтар өзгергенде класс қай жерде сақталатынын көрсетеді.",
    "Пригодность земель для указанного в рецепте использования: от 0 до 1 и по классам FAO S1–S3 и N, с долей каждого класса в городах, микрорайонах и районах. Критерии, веса и ограничения — экспертные решения на частично синтетических слоях; карта устойчивости показывает, где класс сохраняется при изменении весов.",
)
_TOP_KEYS = (
    "theme", "name", "output_prefix", "title", "description", "area", "criteria", "weights",
    "aggregation", "constraints", "classes", "monte_carlo", "zones", "pollution", "report",
)  # fmt: skip


def _settings(recipe: Recipe, ctx: ThemeInputs) -> dict[str, Any]:
    """Read and check everything in the recipe before any heavy work."""
    recipe.require_keys("", _TOP_KEYS)
    s: dict[str, Any] = {
        "prefix": ctx.prefix,
        "title": recipe_text(
            recipe, "title", text("Land suitability", "Жердің жарамдылығы", "Пригодность земель")
        ),
        # what the map shows and how sure it is (index.html); the recipe may say it for its use
        "description": recipe_text(recipe, "description", DESCRIPTION),
    }
    s["crit"] = crit = _criteria(recipe, ctx)
    s["ids"] = ids = list(crit)
    s["weights"], s["wparams"] = _weights(recipe, ids, crit)
    try:
        s["breaks"] = mcda.check_breaks(recipe.get("classes.breaks", list(mcda.DEFAULT_BREAKS)))
    except mcda.MCDAError as exc:
        raise recipe.error("classes.breaks", str(exc)) from None
    s["agg"] = agg = recipe.get("aggregation.method", "wlc")
    s["order_w"] = None
    if agg == "owa":
        s["order_w"] = recipe.get("aggregation.order_weights")
    elif agg != "wlc":
        raise recipe.error("aggregation.method", f'unknown aggregation {agg!r}; use "wlc" or "owa"')
    mc_cfg = recipe.get("monte_carlo", {})
    s["mc"] = None
    if mc_cfg.get("draws", 0):
        try:
            s["mc"] = mcda.MonteCarlo(
                draws=int(mc_cfg["draws"]),
                weight_spread=float(mc_cfg.get("weight_spread", 0.2)),
                control_point_spread=float(mc_cfg.get("control_point_spread", 0.0)),
                seed=int(mc_cfg.get("seed", 20231)),
            )
        except mcda.MCDAError as exc:
            raise recipe.error("monte_carlo", str(exc)) from None
    s["stable_thr"] = float(mc_cfg.get("stable_threshold", 0.9))
    for cid, spec in recipe.get("constraints", {}).items():
        recipe.require_keys(f"constraints.{cid}", _CONSTRAINT_KEYS)
        if spec.get("kind") not in CONSTRAINT_KINDS:
            raise recipe.error(
                f"constraints.{cid}.kind",
                f"unknown constraint kind {spec.get('kind')!r}; use one of {', '.join(CONSTRAINT_KINDS)}",
            )
    return s


def _criteria(recipe: Recipe, ctx: ThemeInputs) -> dict[str, dict[str, Any]]:
    crit = recipe.get("criteria")
    if not isinstance(crit, dict) or not crit:
        raise recipe.error("criteria", "add at least one [criteria.<id>] table")
    out: dict[str, dict[str, Any]] = {}
    for cid, spec in crit.items():
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
        if source in ("distance", "categorical", "field", "raster") and layer is None:
            raise recipe.error(key, f'source {source!r} needs layer = "<catalog id>"')
        if layer is not None:
            _known_layer(recipe, ctx, f"{key}.layer", layer)
        if source in ("categorical", "field") and "field" not in spec:
            raise recipe.error(key, f'source {source!r} needs field = "<attribute>"')
        m = spec.get("membership")
        if not isinstance(m, dict) or "kind" not in m:
            raise recipe.error(
                f"{key}.membership", 'give membership = { kind = "linear", a = …, b = … }'
            )
        params = {k: v for k, v in m.items() if k != "kind"}
        try:
            membership = Membership(str(m["kind"]), params)
        except MembershipError as exc:
            raise recipe.error(f"{key}.membership", f"{exc}") from None
        if source == "categorical" and membership.kind != "reclass":
            raise recipe.error(
                f"{key}.membership", 'a categorical criterion needs kind = "reclass" with a table'
            )
        title = recipe_text(recipe, f"{key}.title", text(cid, cid, cid))
        out[cid] = {
            "id": cid,
            "source": source,
            "layer": layer,
            "field": spec.get("field"),
            "where": spec.get("where"),
            "membership": membership,
            "weight": spec.get("weight"),
            "optional": bool(spec.get("optional", False)),
            "unit": str(spec.get("unit", "")),
            "title": title,
            "outside": None if spec.get("outside") is None else float(spec["outside"]),
        }
    return out


def _weights(
    recipe: Recipe, ids: list[str], crit: Mapping[str, Mapping[str, Any]]
) -> tuple[np.ndarray, dict[str, Any]]:
    method = recipe.get("weights.method", "direct")
    if method == "direct":
        values = recipe.get("weights.values", None)
        if values is None:
            values = {c: crit[c]["weight"] for c in ids}
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
        try:
            res = ahp_weights(
                matrix,
                ri_table=str(recipe.get("weights.ri_table", "saaty1980")),
                max_cr=float(recipe.get("weights.max_cr", 0.10)),
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
