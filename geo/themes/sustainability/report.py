"""Manifest parameters and map notes of the sustainability theme.

Records every parameter with its citation (survey, composite index, Monte
Carlo analysis) for ``manifest.json`` and writes the sampling-error, data and
robustness notes shown on the map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.i18n import LANGUAGES, Text, text, tr
from geo.models.indicators import Z95, counts_matching_share, normal_moe
from geo.recipe import shown_path
from geo.themes.sustainability.charts import _fmt
from geo.themes.sustainability.composite import IndexValues
from geo.themes.sustainability.labels import (
    ANSWER_LABELS,
    FACTOR_LABELS,
    NOTES,
    PAPER_000,
    PAPER_001,
    SCHEMES,
)
from geo.themes.sustainability.mining import Geometries
from geo.themes.sustainability.settings import IndicatorEntry, SustainabilitySettings
from geo.themes.sustainability.survey import Survey

__all__ = ["notes", "parameters"]


def parameters(
    settings: SustainabilitySettings,
    survey: Survey,
    geo: Geometries,
    iv: IndexValues,
    breaks: dict[str, tuple[float, ...]],
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``; *breaks* are the class breaks by layer."""
    cls = settings.classification
    return {
        "recipe": shown_path(settings.at.path),
        "tables": {
            settings.survey.table: PAPER_000,
            str(geo.mining_info["table"]): PAPER_000,
            "town_facts": PAPER_001,
            "town_indicators": f"{iv.town_ind_where} (each row cites its source and derivation)",
        },
        "geometry": {
            "towns": settings.towns.geometry,
            "districts": "districts",
            "districts_name_field": geo.name_col,
        },
        "survey": _survey_parameters(settings, survey),
        "mining": {
            **geo.mining_info,
            "group_imputation": settings.mining.group_imputation,
            "town_districts": geo.town_district,
        },
        "index": _index_parameters(settings, iv),
        "monte_carlo": _monte_carlo_parameters(settings, iv),
        "classification": {
            "scheme": cls.scheme,
            "mapclassify": SCHEMES[cls.scheme],
            "k": cls.k,
            "breaks": {name: list(b) for name, b in breaks.items()},
        },
    }


def _survey_parameters(settings: SustainabilitySettings, survey: Survey) -> dict[str, Any]:
    """The survey's sample size, intervals, town shares and significance tests."""
    return {
        "n": survey.n_total,
        "confidence": 0.95,
        "z": Z95,
        "interval": "Wilson score (Wilson 1927)",
        "moe_normal_pp_at_50": round(normal_moe(0.5, survey.n_total) * 100, 2),
        "town_shares_pct": survey.shares,
        "town_n_derived": survey.derived_n,
        "town_n_method": "largest remainder (Hamilton) rounding of n × share / 100; derived, not published",
        "significance": {
            "alpha": settings.survey.alpha,
            "single_choice": "z-test for two answers of one multinomial sample: Var(p1 − p2) = (p1 + p2 − (p1 − p2)²)/n",
            "multiple_response": "significant only if the 95 % Wilson intervals do not overlap (conservative)",
            "single_choice_questions": list(settings.survey.single_choice),
            "pairs": survey.sig.replace({np.nan: None}).to_dict(orient="records"),
        },
        "wilson_intervals_pct": [
            {
                "question_id": str(r.question_id),
                "answer_id": str(r.answer_id),
                "percent": float(r.percent),
                "lo": round(float(r.ci_lo), 3),
                "hi": round(float(r.ci_hi), 3),
            }
            for r in _rows(survey.survey_ci)
        ],
        "citation": PAPER_000,
    }


def _rows(df: pd.DataFrame) -> list[Any]:
    """The rows of *df* as named tuples (fields read by name)."""
    return list(df.itertuples())


def _index_parameters(settings: SustainabilitySettings, iv: IndexValues) -> dict[str, Any]:
    """The composite index: method, weights, indicators with their values, index and ranks."""
    return {
        "method": "OECD/JRC Handbook on Constructing Composite Indicators (Nardo et al. 2008)",
        "normalisation": settings.index.normalisation,
        "aggregation": settings.index.aggregation,
        "geometric_floor": settings.index.geometric_floor,
        "group_weights": dict(settings.index.group_weights),
        "role_weights": dict(settings.index.role_weights),
        "missing": settings.missing,
        "indicators": [
            {
                "id": e.spec.id,
                "source": e.source,
                "group": e.spec.group,
                "role": e.spec.role,
                "direction": "+" if e.spec.direction > 0 else "-",
                "weight": e.spec.weight,
                "reference": e.spec.reference,
                "unit": e.unit,
                "citation": e.citation,
                "values": {
                    t: (None if pd.isna(v) else float(v)) for t, v in iv.values[e.spec.id].items()
                },
                "used": e.spec.id in iv.clean.columns,
                "dropped_because": iv.dropped.get(e.spec.id),
            }
            for e in settings.indicators
        ],
        "effective_weights": iv.result.weights,
        "imputed": iv.imputed_cells,
        "index": {str(t): float(v) for t, v in iv.result.index.items()},
        "rank": {str(t): int(v) for t, v in iv.result.rank.items()},
    }


def _monte_carlo_parameters(settings: SustainabilitySettings, iv: IndexValues) -> dict[str, Any]:
    """The Monte Carlo uncertainty and sensitivity analysis and its results."""
    mcs = settings.monte_carlo
    ranks = iv.mc.ranks
    return {
        "runs": mcs.runs,
        "seed": mcs.seed,
        "normalisations": list(mcs.normalisations),
        "aggregations": list(mcs.aggregations),
        "weight_spread": mcs.weight_spread,
        "interval_percentiles": [float(mcs.interval[0]), float(mcs.interval[1])],
        "average_rank_shift": iv.mc.average_shift,
        "ranks": {str(t): {c: float(ranks.loc[t, c]) for c in ranks.columns} for t in ranks.index},
        "sensitivity_first_order": {
            factor: {
                str(t): (None if pd.isna(v) else round(float(v), 4))
                for t, v in iv.mc.sensitivity.loc[factor].items()
            }
            for factor in iv.mc.sensitivity.index
        },
        "sensitivity_method": "first-order index S = V[E(rank|input)]/V(rank), given-data estimator (10 equal-count bins for continuous inputs); NaN/None where a rank never changes",
        "citation": "Saisana, Saltelli & Tarantola 2005, JRSS A 168:307–323",
    }


def notes(
    settings: SustainabilitySettings,
    towns: gpd.GeoDataFrame,
    survey: Survey,
    geo: Geometries,
    iv: IndexValues,
) -> list[Text]:
    """Sampling-error, data and robustness notes shown on the map."""
    derived_n = survey.derived_n
    dropped = iv.dropped
    mining_info = geo.mining_info
    n_total = survey.n_total
    shares = survey.shares
    town_of_answer = survey.town_of_answer
    town_ns = [derived_n[a] for a in town_of_answer]
    out: list[Text] = [
        _fmt(
            NOTES["moe"],
            n=n_total,
            moe=normal_moe(0.5, n_total) * 100,
            moe_lo=normal_moe(0.5, max(town_ns)) * 100,
            moe_hi=normal_moe(0.5, min(town_ns)) * 100,
            n_hi=max(town_ns),
            n_lo=min(town_ns),
        ),
        NOTES["pooled"],
        _fmt(NOTES["group"], share=float(geo.group["share_pct"]), size=int(geo.group["size"])),
    ]
    if geo.town_prov["synthetic"]:
        out.append(NOTES["synthetic_towns"])
    if geo.dist_prov["synthetic"]:
        out.append(NOTES["synthetic_districts"])
    for ans, town in sorted(town_of_answer.items(), key=lambda kv: kv[1]):
        if counts_matching_share(shares[ans], n_total):
            continue
        k0 = math.floor(n_total * shares[ans] / 100.0)
        label = ANSWER_LABELS.get((settings.survey.town_question, ans))
        for_lang = {
            lang: _fmt(
                NOTES["inconsistent_share"],
                n=n_total,
                share=shares[ans],
                town=tr(label, lang) if label else town,
                k0=k0,
                p0=100.0 * k0 / n_total,
                k1=k0 + 1,
                p1=100.0 * (k0 + 1) / n_total,
                k=derived_n[ans],
            )[lang]
            for lang in LANGUAGES
        }
        out.append(for_lang)
    if dropped:
        out.append(NOTES["few_units"])
        out.append(_dropped_note(dropped, list(settings.indicators)))
    if mining_info["not_in_breakdown"]:
        out.append(_not_covered_note(mining_info["not_in_breakdown"], geo))
    town_label = {
        "en": {t: t for t in towns["town"]},
        "kk": dict(zip(towns["town"], towns["name_kk"], strict=True)),
        "ru": dict(zip(towns["town"], towns["name_ru"], strict=True)),
    }
    out.append(
        _robustness_note(iv.mc.ranks, iv.mc.sensitivity, settings.monte_carlo.interval, town_label)
    )
    return out


def _dropped_note(dropped: dict[str, str], entries: list[IndicatorEntry]) -> Text:
    titles = {e.spec.id: e.title for e in entries}
    parts = {lang: "; ".join(tr(titles[k], lang) for k in sorted(dropped)) for lang in LANGUAGES}
    return text(
        f"Left out of the index (not published for every town): {parts['en']}.",
        f"Индекске кірмеді (әр қалаға жарияланбаған): {parts['kk']}.",
        f"Не вошли в индекс (опубликованы не для всех городов): {parts['ru']}.",
    )


def _robustness_note(
    mc: pd.DataFrame,
    sensitivity: pd.DataFrame,
    interval: Sequence[Any],
    names: dict[str, dict[str, str]],
) -> Text:
    """Each town's rank interval and the input that moves the ranks most."""
    spans = {
        lang: ", ".join(
            f"{names[lang].get(str(t), str(t))} {int(r.rank_lo)}"
            + (f"–{int(r.rank_hi)}" if r.rank_lo != r.rank_hi else "")
            for t, r in mc.iterrows()
        )
        for lang in LANGUAGES
    }
    best: tuple[float, str] = (-1.0, "")
    for factor in sensitivity.index:
        factor_kind = str(factor).split(":", 1)[0].replace("group_weight", "weight")
        v = sensitivity.loc[factor].max()
        if pd.notna(v) and float(v) > best[0]:
            best = (float(v), factor_kind)
    lo, hi = int(float(interval[0])), int(float(interval[1]))
    if not best[1]:
        return text(
            f"Rank intervals ({lo}–{hi} % of the Monte Carlo runs): {spans['en']}; no input changes the ranks.",
            f"Орын аралықтары (Монте-Карлоның {lo}–{hi} %): {spans['kk']}; ешбір кіріс орындарды өзгертпейді.",
            f"Интервалы мест ({lo}–{hi} % прогонов Монте-Карло): {spans['ru']}; ни один вход не меняет места.",
        )
    share = round(best[0] * 100)
    kind = FACTOR_LABELS[best[1]]
    return text(
        f"Rank intervals ({lo}–{hi} % of the Monte Carlo runs): {spans['en']}. The input that moves the ranks most is {kind['en']} (first-order index up to {share} %).",
        f"Орын аралықтары (Монте-Карлоның {lo}–{hi} %): {spans['kk']}. Орындарға ең көп әсер ететін кіріс — {kind['kk']} (бірінші ретті индекс {share} %-ға дейін).",
        f"Интервалы мест ({lo}–{hi} % прогонов Монте-Карло): {spans['ru']}. Сильнее всего на места влияет {kind['ru']} (индекс первого порядка до {share} %).",
    )


def _not_covered_note(items: list[dict[str, Any]], geo: Geometries) -> Text:
    d = geo.districts
    local = {
        lang: dict(zip(d[geo.name_col].astype(str), d[col].astype(str), strict=True))
        for lang, col in (("kk", geo.kk_col), ("ru", geo.ru_col))
        if col and col in d
    }

    def names(lang: str) -> str:
        return ", ".join(
            local.get(lang, {}).get(str(i["district"]), str(i["district"])) for i in items
        )

    return text(
        f"Not in the published mining breakdown: {names('en')}.",
        f"Тау-кен өнімінің жарияланған бөлінісінде жоқ: {names('kk')}.",
        f"Нет в опубликованной разбивке горнодобычи: {names('ru')}.",
    )
