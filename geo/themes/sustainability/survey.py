"""Survey statistics and the ``indicators_by_town`` layer.

Checks the survey table (share ranges, group sums, sample sizes), derives the
town shares, their 95 % Wilson intervals, the per-town sample sizes and the
pairwise significance tests, and builds the towns layer with its popup charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import IndicatorError
from geo.i18n import PROVENANCE, fill, text, tr
from geo.models.indicators import (
    check_group_sums,
    check_share_range,
    match_names,
    normal_moe,
    normalise_name,
    pairwise_significance,
    town_sample_sizes,
    wilson_interval,
)
from geo.results import VectorLayer
from geo.symbology import FieldSpec, Graduated, ramp
from geo.themes.base import ThemeInputs
from geo.themes.common import require_columns, unit
from geo.themes.sustainability.charts import Choropleth, _popup_html, classify
from geo.themes.sustainability.composite import IndexValues
from geo.themes.sustainability.labels import ANSWER_LABELS, PAPERS, T
from geo.themes.sustainability.mining import Geometries
from geo.themes.sustainability.settings import IndicatorEntry, SustainabilitySettings

__all__ = ["Survey", "read_survey", "town_geometry", "towns_layer"]


@dataclass(frozen=True)
class Survey:
    """The survey checked: sample size, town shares, derived sample sizes, tests, intervals.

    Parameters
    ----------
    n_total : int
        Respondents (the largest ``n`` of the table).
    shares : dict
        Town question's answer → published share (%).
    derived_n : dict
        Answer → derived per-town sample size (largest remainder).
    sig : DataFrame
        Pairwise significance tests of every question.
    survey_ci : DataFrame
        The survey table with its Wilson interval (``ci_lo``, ``ci_hi``, %).
    town_of_answer : dict
        Town question's answer → recipe town.
    """

    n_total: int
    shares: dict[str, float]
    derived_n: dict[str, int]
    sig: pd.DataFrame
    survey_ci: pd.DataFrame
    town_of_answer: dict[str, str]


def town_geometry(ctx: ThemeInputs, settings: SustainabilitySettings) -> gpd.GeoDataFrame:
    """Geometries of the recipe's towns, one row each, with ``town``, ``name_kk``, ``name_ru``."""
    names, which, at = list(settings.towns.names), settings.towns.geometry, settings.at
    gdf = ctx.layer(which)
    col = "town" if "town" in gdf.columns else "name"
    try:
        found = match_names(
            names,
            [str(v) for v in gdf[col]],
            table=f"recipe {at.path}",
            field="area.towns",
            layer=which,
        )
    except IndicatorError as exc:
        raise at.error("area.towns", str(exc).split(": ", 1)[-1]) from None
    rows = []
    for name in names:
        feat = gdf[gdf[col].astype(str) == found[name]].iloc[0]
        own = ANSWER_LABELS.get(("town", normalise_name(name)), text(name, name, name))
        row: dict[str, Any] = {"town": name, "geometry": feat.geometry}
        for lang in ("kk", "ru"):
            value = feat.get(f"name_{lang}")
            # the layer's own translation, else the toolkit's, else the English name
            row[f"name_{lang}"] = str(value) if isinstance(value, str) and value else tr(own, lang)
            row[f"town_{lang}"] = row[f"name_{lang}"]  # the town field shown in the language
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=gdf.crs)


def read_survey(ctx: ThemeInputs, settings: SustainabilitySettings) -> Survey:
    """The survey table checked, with Wilson intervals, the town shares and the derived per-town sample sizes."""
    conf = settings.survey
    complete = list(conf.complete)
    single = list(conf.single_choice)
    survey_table = conf.table
    town_q = conf.town_question
    survey = ctx.layer(survey_table)
    require_columns(
        survey, ("question_id", "answer_id", "percent", "n"), f"table {survey_table!r}",
        error=IndicatorError,
    )  # fmt: skip
    check_share_range(survey, table=survey_table, field="percent")
    check_group_sums(
        survey,
        table=survey_table,
        group_field="question_id",
        value_field="percent",
        groups=complete,
        tolerance=conf.sum_tolerance,
        at_most=[q for q in single if q not in complete],
    )
    n_values = pd.to_numeric(survey["n"], errors="coerce")
    if n_values.isna().any() or (n_values <= 0).any():
        i = int(np.flatnonzero((n_values.isna() | (n_values <= 0)).to_numpy())[0])
        msg = f"table {survey_table!r} row {i + 1} (line {i + 2}) field 'n': {survey['n'].iloc[i]!r} is not a positive sample size"
        raise IndicatorError(msg)
    n_total = int(n_values.max())
    tq_mask = (survey["question_id"].astype(str) == town_q).to_numpy()
    if not tq_mask.any():
        raise settings.at.error(
            "survey.town_question", f"no rows for question {town_q!r} in table {survey_table!r}"
        )
    tq_rows = [int(i) for i in np.flatnonzero(tq_mask)]
    tq = survey.iloc[tq_rows]
    shares = {str(a): float(p) for a, p in zip(tq["answer_id"], tq["percent"], strict=True)}
    town_of_answer = match_names(
        list(shares),
        list(settings.towns.names),
        table=survey_table,
        field="answer_id",
        layer="towns",
        skip=[a for a in shares if normalise_name(a) in ("notstated", "none", "other", "unknown")],
        rows=tq_rows,
    )
    derived_n = town_sample_sizes(shares, n_total)
    sig = pairwise_significance(survey, single_choice=single, alpha=conf.alpha)
    p_all = survey["percent"].to_numpy(dtype=float) / 100.0
    lo_all, hi_all = wilson_interval(p_all, n_values.to_numpy(dtype=float))
    survey_ci = survey.assign(ci_lo=lo_all * 100.0, ci_hi=hi_all * 100.0)
    return Survey(n_total, shares, derived_n, sig, survey_ci, town_of_answer)


def _town_survey_columns(
    towns: gpd.GeoDataFrame,
    shares: dict[str, float],
    town_of_answer: dict[str, str],
    derived_n: dict[str, int],
    tsig: pd.DataFrame,
    n_total: int,
) -> gpd.GeoDataFrame:
    """*towns* with their survey columns: share of respondents and its Wilson interval.

    Also the derived sample size, its margin of error at 50 % and the towns
    whose share does not differ significantly.
    """
    by_town = towns.copy()
    by_town["survey_share_pct"] = np.nan
    by_town["survey_share_lo"] = np.nan
    by_town["survey_share_hi"] = np.nan
    by_town["survey_n_derived"] = pd.array([pd.NA] * len(by_town), dtype="Int64")
    by_town["moe_pp_at_50"] = np.nan
    by_town["not_significant_vs"] = ""
    local = {
        lang: dict(zip(by_town["town"], by_town[f"name_{lang}"], strict=True))
        for lang in ("kk", "ru")
        if f"name_{lang}" in by_town
    }
    for lang in local:
        by_town[f"not_significant_vs_{lang}"] = ""
    answer_of_town = {v: k for k, v in town_of_answer.items()}
    for i, t in enumerate(by_town["town"]):
        ans = answer_of_town.get(t)
        if ans is None:
            continue
        p = shares[ans] / 100.0
        lo, hi = wilson_interval(p, n_total)
        by_town.loc[
            by_town.index[i], ["survey_share_pct", "survey_share_lo", "survey_share_hi"]
        ] = [
            shares[ans],
            round(float(lo) * 100, 2),
            round(float(hi) * 100, 2),
        ]
        by_town.loc[by_town.index[i], "survey_n_derived"] = derived_n[ans]
        by_town.loc[by_town.index[i], "moe_pp_at_50"] = round(
            normal_moe(0.5, derived_n[ans]) * 100, 2
        )
        others = []
        for _, r in tsig.iterrows():
            if ans in (r["answer_a"], r["answer_b"]) and not r["significant"]:
                other = r["answer_b"] if r["answer_a"] == ans else r["answer_a"]
                if other in town_of_answer:
                    others.append(town_of_answer[other])
        by_town.loc[by_town.index[i], "not_significant_vs"] = ", ".join(others)
        for lang, names in local.items():  # the same towns named in each language
            by_town.loc[by_town.index[i], f"not_significant_vs_{lang}"] = ", ".join(
                names.get(o, o) for o in others
            )
    return by_town


def _town_fields(entries: tuple[IndicatorEntry, ...]) -> tuple[FieldSpec, ...]:
    """Fields of the ``indicators_by_town`` popup and attribute table."""
    return (
        FieldSpec("town", T["town"]),
        FieldSpec("survey_share_pct", T["share"], "%", 1),
        FieldSpec("survey_share_lo", T["share_lo"], "%", 1),
        FieldSpec("survey_share_hi", T["share_hi"], "%", 1),
        FieldSpec("survey_n_derived", T["n_town"], "", 0),
        FieldSpec("moe_pp_at_50", T["moe_town"], unit("pp"), 1),
        FieldSpec("not_significant_vs", T["not_sig"]),
        FieldSpec("district", T["district"]),
        # counts of people are whole numbers: "33 492 persons", not "33 492.0"
        *(
            FieldSpec(e.spec.id, e.title, unit(e.unit), 0 if e.unit == "persons" else 1)
            for e in entries
        ),
    )


def towns_layer(
    settings: SustainabilitySettings,
    towns: gpd.GeoDataFrame,
    survey: Survey,
    geo: Geometries,
    values: IndexValues,
    lang: str,
) -> Choropleth:
    """The ``indicators_by_town`` layer: survey shares with Wilson intervals, indicator values, popup charts."""
    entries = settings.indicators
    n_total = survey.n_total
    sig = survey.sig
    style_field = settings.towns.style_field
    town_prov = geo.town_prov
    cls = settings.classification
    by_town = _town_survey_columns(
        towns,
        survey.shares,
        survey.town_of_answer,
        survey.derived_n,
        sig[sig["question_id"] == settings.survey.town_question],
        n_total,
    )
    by_town["district"] = [geo.town_district.get(t) or "" for t in by_town["town"]]
    for e in entries:
        by_town[e.spec.id] = values.values[e.spec.id].reindex(by_town["town"]).to_numpy()
    chart_qs = list(settings.survey.chart_questions)
    by_town["chart_html"] = [
        _popup_html(t, by_town.iloc[i], survey.survey_ci, chart_qs, lang, n_total)
        for i, t in enumerate(by_town["town"])
    ]
    by_town["synthetic"] = bool(town_prov["synthetic"])
    by_town["data_note"] = (
        "SYNTHETIC outline; survey figures published (paper 000), sample sizes derived"
        if town_prov["synthetic"]
        else "GeoNames point; survey figures published (paper 000), sample sizes derived"
    )
    town_breaks, town_labels, _ = classify(
        by_town[style_field].to_numpy(dtype=float) if style_field in by_town else [],
        cls.scheme,
        cls.k,
    )
    if style_field not in by_town.columns:
        raise settings.at.error(
            "towns.style_field",
            f"{style_field!r} is not a field of indicators_by_town; use survey_share_pct or an indicator id",
        )
    vec_towns = VectorLayer(
        name="indicators_by_town",
        title=T["by_town_title"],
        data=by_town,
        style=Graduated(
            style_field,
            town_breaks,
            ramp(cls.ramp_towns, len(town_breaks) - 1),
            unit="%" if style_field.endswith("_pct") else "",
            labels=town_labels,
        ),
        fields=_town_fields(entries),
        description=T["by_town_desc"],
        source=fill(PROVENANCE["with_geometry"], what=PAPERS["000"], geometry=town_prov["source"]),
        licence=fill(
            PROVENANCE["with_geometry"],
            what=PROVENANCE["published_figures"],
            geometry=town_prov["licence"],
        ),
        synthetic=bool(town_prov["synthetic"]),
        label_field="town",
        popup_html="chart_html",
        metadata={
            "inputs": [
                settings.survey.table,
                settings.towns.geometry,
                "town_facts",
                "town_indicators",
            ]
        },
    )
    return Choropleth(vec_towns, tuple(town_breaks))
