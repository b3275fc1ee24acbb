"""Infrastructure wear: from a pipe and cable inventory to a reconstruction map by micro-district.

Recipe ``maps/infrastructure_wear.toml`` (theme ``infrastructure_wear``)::

    [wear]
    method = "linear"          # linear | ross
    reference_year = 2023      # ages are counted to this year (never the clock)
    replace_at_pct = 75        # segments at or above this wear are due for replacement
    [tables]                   # paths relative to the layers folder, or absolute
    normative_life = "tables/normative_life.csv"
    inspection_grades = "tables/inspection_grades.csv"
    unit_costs = "tables/unit_costs.csv"     # optional: leave out for no costs
    [classes]
    breaks = [0, 25, 50, 75, 100]
    [priority]
    wear = 0.6
    population = 0.4
    [zones]
    towns = ["Zhanatas", "Karatau", "Shu"]   # optional filter

Layers: ``network_wear`` (segments coloured by wear, with the source of each
value, remaining life and end-of-life year) and ``wear_by_zone``
(micro-districts and towns with length-weighted wear, kilometres per wear
class, replacement length and cost, priority rank and the study's planning
status). The models are in :mod:`geo.models.wear`.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.catalog import Catalog
from geo.errors import DataError
from geo.i18n import Text, text
from geo.io import read_table
from geo.models import wear as W
from geo.recipe import Recipe
from geo.results import ThemeResult, VectorLayer
from geo.symbology import FieldSpec, Graduated, ramp
from geo.themes.base import ThemeInputs, ThemeSpec
from geo.themes.common import check_tables, json_records, layer_where, table_path, unit

__all__ = ["build"]

log = logging.getLogger(__name__)

THEME = "infrastructure_wear"
TITLE = text(
    "Infrastructure wear: utility networks",
    "Инженерлік желілердің тозуы",
    "Износ инженерных сетей",
)
_NETWORK_TEXT: dict[str, Text] = {
    "water": text("Water wear", "Су құбырының тозуы", "Износ водопровода"),
    "sewage": text("Sewage wear", "Кәріздің тозуы", "Износ канализации"),
    "heating": text("Heating wear", "Жылу желісінің тозуы", "Износ теплосети"),
    "power": text("Power wear", "Электр желісінің тозуы", "Износ электросети"),
}
_STATUS_COL = {"en": "status_en", "kk": "status_kk", "ru": "status_ru"}
_NAME_COL = {"en": "name", "kk": "name_kk", "ru": "name_ru"}
_DEFAULT_TABLES = {
    "normative_life": "tables/normative_life.csv",
    "inspection_grades": "tables/inspection_grades.csv",
}


# -- recipe ---------------------------------------------------------------------------------
def _settings(recipe: Recipe) -> dict[str, Any]:
    """Read and check the recipe's parameters; errors name the recipe line."""
    check_tables(
        recipe,
        {
            "wear": ("method", "reference_year", "replace_at_pct"),
            "tables": ("normative_life", "inspection_grades", "unit_costs"),
            "classes": ("breaks",),
            "priority": ("wear", "population"),
            "zones": ("towns",),
        },
    )
    method = recipe.get("wear.method", "linear")
    if method not in W.METHODS:
        raise recipe.error(
            "wear.method", f"{method!r} is not a wear curve; use one of {', '.join(W.METHODS)}"
        )
    year = recipe.get("wear.reference_year", 2023)
    if not _is_number(year, int) or not W.MIN_INSTALL_YEAR <= year <= 2100:
        raise recipe.error(
            "wear.reference_year", f"{year!r} is not a year; write e.g. 2023 (the survey year)"
        )
    replace_at = recipe.get("wear.replace_at_pct", 75)
    if not _is_number(replace_at) or not 0 <= replace_at <= 100:
        raise recipe.error("wear.replace_at_pct", f"{replace_at!r} must be a percentage 0–100")
    breaks = recipe.get("classes.breaks", list(W.DEFAULT_BREAKS))
    try:
        if not isinstance(breaks, list) or not all(isinstance(b, int | float) for b in breaks):
            raise ValueError(f"got {breaks!r}")
        classes = W.WearClasses(tuple(float(b) for b in breaks))
    except ValueError as exc:
        raise recipe.error("classes.breaks", f"{exc}; e.g. [0, 25, 50, 75, 100]") from None
    weights: dict[str, float] = {}
    for key, default in (("wear", 0.6), ("population", 0.4)):
        v = recipe.get(f"priority.{key}", default)
        if not _is_number(v) or v < 0:
            raise recipe.error(f"priority.{key}", f"{v!r} must be a number ≥ 0")
        weights[key] = float(v)
    if sum(weights.values()) <= 0:
        raise recipe.error(
            "priority.wear", "the priority weights are all zero; give wear or population a weight"
        )
    towns = recipe.get("zones.towns", None)
    if towns is not None and (
        not isinstance(towns, list) or not all(isinstance(t, str) for t in towns)
    ):
        raise recipe.error("zones.towns", f"{towns!r} must be a list of town names")
    return {
        "method": str(method),
        "reference_year": int(year),
        "replace_at_pct": float(replace_at),
        "classes": classes,
        "weights": weights,
        "towns": towns,
    }


def _is_number(value: Any, kind: type | tuple[type, ...] = (int, float)) -> bool:
    """True for a TOML number of *kind* (booleans are not numbers here)."""
    return isinstance(value, kind) and not isinstance(value, bool)


def _read(recipe: Recipe, key: str, required: bool) -> tuple[pd.DataFrame | None, Path | None]:
    """The checked table at ``tables.<key>`` and its path (None, None for an absent optional one)."""
    path = table_path(recipe, f"tables.{key}", _DEFAULT_TABLES.get(key) if required else None)
    if path is None:
        return None, None
    df = read_table(path, what=f"{key} table")
    check = {
        "normative_life": W.check_life_table,
        "inspection_grades": W.check_grade_table,
        "unit_costs": W.check_cost_table,
    }[key]
    return check(df, str(path)), path


# -- assembly ---------------------------------------------------------------------------------
def _wide(pieces: pd.DataFrame, key: str, s: dict[str, Any], has_cost: bool) -> pd.DataFrame:
    """All-network roll-up per zone plus one wear column per network."""
    total = W.rollup(pieces, [key], classes=s["classes"], replace_at_pct=s["replace_at_pct"])
    per = W.rollup(
        pieces, [key, "network"], classes=s["classes"], replace_at_pct=s["replace_at_pct"]
    )
    for net in W.NETWORKS:
        sub = per[per["network"] == net].set_index(key)["wear_pct"]
        total[f"wear_{net}_pct"] = total[key].map(sub).astype(float)
    if not has_cost:
        total["replace_cost"] = np.nan
    return total


def _segment_fields(classes: W.WearClasses, currency: str | None) -> tuple[FieldSpec, ...]:
    fields = [
        FieldSpec("segment_id", text("Segment", "Учаске", "Участок")),
        FieldSpec("town", text("Town", "Қала", "Город")),
        FieldSpec("zone_id", text("Micro-district", "Шағын аудан", "Микрорайон")),
        FieldSpec("network", text("Network", "Желі", "Сеть")),
        FieldSpec("material", text("Material", "Материал", "Материал")),
        FieldSpec("diameter_mm", text("Diameter", "Диаметрі", "Диаметр"), unit("mm"), 0),
        FieldSpec("install_year", text("Install year", "Салынған жылы", "Год прокладки"), "", 0),
        FieldSpec("length_m", text("Length", "Ұзындығы", "Длина"), unit("m"), 0),
        FieldSpec(
            "life_years",
            text("Normative life", "Нормативтік қызмет мерзімі", "Нормативный срок службы"),
            unit("years"),
            0,
        ),
        FieldSpec("age_years", text("Age", "Жасы", "Возраст"), unit("years"), 0),
        FieldSpec("wear_pct", text("Wear", "Тозуы", "Износ"), "%", 0),
        FieldSpec("wear_class", text("Wear class", "Тозу класы", "Класс износа"), "%"),
        FieldSpec(
            "wear_source",
            text("Source of the wear value", "Тозу мәнінің көзі", "Источник значения износа"),
        ),
        FieldSpec(
            "inspection_grade",
            text("Inspection grade", "Тексеру бағасы", "Оценка обследования"),
            "",
            0,
        ),
        FieldSpec(
            "remaining_life_years",
            text("Remaining life", "Қалған қызмет мерзімі", "Остаточный срок службы"),
            unit("years"),
            0,
        ),
        FieldSpec(
            "end_of_life_year",
            text("End-of-life year", "Қызмет мерзімі аяқталатын жыл", "Год окончания срока службы"),
            "",
            0,
        ),
        *_cost_fields(currency),
        _PRIORITY_RANK,
    ]
    return tuple(fields)


def _zone_fields(
    classes: W.WearClasses, replace_at: float, currency: str | None
) -> tuple[FieldSpec, ...]:
    fields = [
        FieldSpec("name", text("Name", "Атауы", "Название")),
        FieldSpec("level", text("Unit", "Бірлік", "Единица")),
        FieldSpec(
            "status_text",
            text(
                "Planning status (study)",
                "Жоспарлау мәртебесі (зерттеу)",
                "Планировочный статус (исследование)",
            ),
        ),
        FieldSpec("population", text("Population", "Халқы", "Население"), "", 0),
        FieldSpec(
            "length_km",
            text("Network length", "Желілер ұзындығы", "Протяжённость сетей"),
            unit("km"),
            1,
        ),
        FieldSpec(
            "wear_pct",
            text(
                "Length-weighted wear",
                "Ұзындық бойынша орташа тозу",
                "Средневзвешенный по длине износ",
            ),
            "%",
            1,
        ),
        FieldSpec(
            "study_wear_pct",
            text(
                "Wear in the study (paper 001)",
                "Зерттеудегі тозу (001 мақала)",
                "Износ по исследованию (статья 001)",
            ),
            "%",
            0,
        ),
        *(FieldSpec(f"wear_{n}_pct", _NETWORK_TEXT[n], "%", 1) for n in W.NETWORKS),
        *(
            FieldSpec(
                col,
                text(f"Km with wear {lab} %", f"Тозуы {lab} % км", f"Км с износом {lab} %"),
                unit("km"),
                1,
            )
            for col, lab in zip(classes.columns, classes.labels, strict=True)
        ),
        FieldSpec(
            "unknown_km",
            text("Km of unknown wear", "Тозуы белгісіз км", "Км с неизвестным износом"),
            unit("km"),
            1,
        ),
        FieldSpec(
            "n_unknown",
            text(
                "Segments of unknown wear",
                "Тозуы белгісіз учаскелер",
                "Участков с неизвестным износом",
            ),
            "",
            0,
        ),
        FieldSpec(
            "replace_km",
            text(
                f"Km to replace (wear ≥ {replace_at:g} %)",
                f"Ауыстырылатын км (тозу ≥ {replace_at:g} %)",
                f"Км к замене (износ ≥ {replace_at:g} %)",
            ),
            unit("km"),
            1,
        ),
        *_cost_fields(currency),
        FieldSpec(
            "priority_score", text("Priority score", "Басымдық ұпайы", "Балл приоритета"), "", 3
        ),
        _PRIORITY_RANK,
    ]
    return tuple(fields)


_PRIORITY_RANK = FieldSpec(
    "priority_rank", text("Priority rank", "Басымдық реті", "Ранг приоритета"), "", 0
)


def _cost_fields(currency: str | None) -> tuple[FieldSpec, ...]:
    """The replacement-cost field when a unit-cost table gives a *currency*."""
    if not currency:
        return ()
    alias = text(
        "Replacement cost (illustrative)", "Ауыстыру құны (шартты)", "Стоимость замены (условная)"
    )
    return (FieldSpec("replace_cost", alias, unit(currency), 0),)


DESCRIPTION = text(
    "How worn the water, sewage, heating and power networks are, segment by segment and per micro-district and town, and where to rebuild first. Wear follows from age and normative life unless an inspection grade is given; the inventory is synthetic, generated so that Zhanatas comes out near the study's 95 %.",
    "Су, кәріз, жылу және электр желілерінің учаскелер, шағын аудандар мен қалалар бойынша тозуы және алдымен қай жерді қайта салу керегі. Тозу жас пен нормативтік мерзімнен есептеледі, тексеру бағасы болса, сол алынады; тізілім синтетикалық, Жаңатас зерттеудегі 95 %-ға жақын болатындай жасалған.",
    "Износ водопровода, канализации, теплосети и электросети по участкам, микрорайонам и городам и очерёдность реконструкции. Износ рассчитан по возрасту и нормативному сроку службы, если нет оценки обследования; реестр синтетический, создан так, чтобы износ Жанатаса был близок к 95 % из исследования.",
)
_UNKNOWN_WEAR = text(
    "unknown (no install year or inspection)",
    "белгісіз (салынған жылы мен тексеруі жоқ)",
    "неизвестно (нет года прокладки и обследования)",
)
_NO_KNOWN_WEAR = text(
    "no segment of known wear", "тозуы белгілі учаске жоқ", "нет участков с известным износом"
)


def _style(field: str, classes: W.WearClasses, nan_label: Text | None = None) -> Graduated:
    n = len(classes.labels)
    return Graduated(
        field=field,
        breaks=classes.breaks,
        colors=ramp("YlOrRd", n),
        unit="%",
        labels=tuple(f"{lab} %" for lab in classes.labels),
        width=2.0,
        nan_label=nan_label,
    )


def _select_towns(
    recipe: Recipe,
    towns_filter: list[str] | None,
    segments: gpd.GeoDataFrame,
    mds: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Keep the recipe's towns (``zones.towns``), their micro-districts and the segments touching them."""
    if towns_filter is None:
        return segments, mds, towns
    known = sorted(str(t) for t in towns["town"])
    unknown = [t for t in towns_filter if t not in known]
    if unknown:
        raise recipe.error(
            "zones.towns", f"unknown town(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    towns = towns[towns["town"].isin(towns_filter)]
    mds = mds[mds["town"].isin(towns_filter)]
    # keep the segments touching the chosen towns (the inventory may cover more)
    segments = segments[segments.intersects(towns.geometry.union_all())]
    if segments.empty:
        raise recipe.error(
            "zones.towns", f"no utility_networks segment lies in {', '.join(towns_filter)}"
        )
    return segments, mds, towns


def _segment_wear(
    ctx: ThemeInputs,
    segments: gpd.GeoDataFrame,
    s: dict[str, Any],
    tables: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Wear, length and replacement cost per segment, and the inventory's warnings."""
    lives, grades, costs = tables["lives"], tables["grades"], tables["costs"]
    where = layer_where(ctx, "utility_networks")
    warnings = W.check_inventory(
        segments, lives, reference_year=s["reference_year"], grades=grades, where=where
    )
    # the user's inventory: a warning they can act on; the embedded synthetic one: information
    level = logging.WARNING if ctx.catalog.is_overridden("utility_networks") else logging.INFO
    for w in warnings:
        log.log(level, w)
    seg = W.segment_wear(
        segments,
        lives,
        reference_year=s["reference_year"],
        method=s["method"],
        grades=grades,
        classes=s["classes"],
        where=where,
        check=False,  # checked (and its warnings logged) just above
    )
    seg["length_m"] = W.measure_lengths(seg)
    replace = (seg["wear_pct"] >= s["replace_at_pct"]).to_numpy()
    if costs is None:
        seg["replace_cost"] = np.nan
        return seg, warnings
    seg["unit_cost"] = W.unit_costs_for(seg, costs)
    no_cost = seg["unit_cost"].isna().to_numpy()
    if no_cost.any():
        ids = list(seg.loc[no_cost, "segment_id"].astype(str))
        msg = (
            f"{tables['costs_path']}: no unit cost covers {len(ids)} segment(s) ({', '.join(ids[:5])}"
            f"{' …' if len(ids) > 5 else ''}); their replacement cost is left empty; add a row for their network and diameter"
        )
        log.warning(msg)
        warnings.append(msg)
    seg["replace_cost"] = np.where(replace, seg["length_m"] * seg["unit_cost"], 0.0)
    return seg, warnings


_ZONE_COLS = [
    "zone_id", "level", "town", "number", "name", "status", "status_text", "population",
    "length_km", "known_km", "unknown_km", "n_segments", "n_unknown", "wear_pct", "study_wear_pct",
    *(f"wear_{n}_pct" for n in W.NETWORKS),
]  # fmt: skip
_ZONE_TAIL = ["replace_km", "replace_cost", "priority_score", "priority_rank"]
_SEG_COLS = [
    "segment_id", "town", "zone_id", "network", "material", "diameter_mm", "install_year",
    "inspection_grade", "inspection_date", "length_m", "life_years", "age_years", "age_wear_pct",
    "inspection_wear_pct", "wear_pct", "wear_class", "wear_source", "remaining_life_years",
    "end_of_life_year", "replace_cost", "zone_population", "priority_score", "priority_rank",
    "life_citation", "synthetic", "data_note",
]  # fmt: skip


def _zone_table(
    lang: str,
    mds: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    md_roll: pd.DataFrame,
    town_roll: pd.DataFrame,
    facts: dict[str, float],
    s: dict[str, Any],
) -> gpd.GeoDataFrame:
    """Micro-districts and towns with their roll-up, study figures, status and priority."""
    md_tab = mds.drop(columns=[c for c in ("synthetic", "data_note") if c in mds]).merge(
        md_roll, on="zone_id", how="left"
    )
    md_tab["level"] = "micro_district"
    name_col = _NAME_COL.get(lang, "name")
    md_tab["name"] = mds[name_col].to_numpy() if name_col in mds else mds["zone_id"].to_numpy()
    status_col = _STATUS_COL.get(lang, "status_en")
    md_tab["status_text"] = (
        mds[status_col].to_numpy() if status_col in mds else mds["status"].to_numpy()
    )
    md_tab["priority_score"] = W.priority_scores(
        md_tab["wear_pct"], md_tab["population"], s["weights"]
    )
    md_tab["priority_rank"] = W.rank_descending(md_tab["priority_score"])

    town_tab = towns[["town", "population", towns.geometry.name]].merge(
        town_roll, on="town", how="left"
    )
    town_tab["zone_id"] = town_tab["town"].str.lower()
    town_tab["level"] = "town"
    town_name = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    town_tab["name"] = (
        towns[town_name].to_numpy()
        if town_name and town_name in towns
        else towns["town"].to_numpy()
    )
    town_tab["status"] = ""
    town_tab["status_text"] = ""
    town_tab["study_wear_pct"] = town_tab["town"].map(facts).astype(float)
    town_tab["priority_score"] = W.priority_scores(
        town_tab["wear_pct"], town_tab["population"], s["weights"]
    )
    town_tab["priority_rank"] = W.rank_descending(town_tab["priority_score"])
    md_tab["study_wear_pct"] = np.nan

    cols = [*_ZONE_COLS, *s["classes"].columns, *_ZONE_TAIL, "geometry"]
    town_tab["number"] = pd.NA
    zones = pd.concat([md_tab[cols], town_tab[cols]], ignore_index=True)
    zones["number"] = zones["number"].astype("Int64")
    return gpd.GeoDataFrame(zones, geometry="geometry", crs=4326)


def _segment_priority(
    seg: gpd.GeoDataFrame, md_pieces: pd.DataFrame, mds: gpd.GeoDataFrame, s: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Segments with the priority of their wear against the population of their main micro-district.

    A segment's micro-district is the one holding most of its length.
    """
    main_zone = (
        md_pieces.sort_values(["segment_id", "length_m"], ascending=[True, False], kind="stable")
        .drop_duplicates("segment_id")
        .set_index("segment_id")["zone_id"]
    )
    seg["zone_id"] = seg["segment_id"].astype(str).map(main_zone)
    pop = seg["zone_id"].map(mds.set_index("zone_id")["population"]).astype(float)
    seg["zone_population"] = pop
    seg["priority_score"] = W.priority_scores(seg["wear_pct"], pop, s["weights"])
    seg["priority_rank"] = W.rank_descending(seg["priority_score"])
    return gpd.GeoDataFrame(
        seg[[c for c in _SEG_COLS if c in seg] + [seg.geometry.name]],
        geometry=seg.geometry.name,
        crs=seg.crs,
    )


def _vectors(
    ctx: ThemeInputs,
    seg_out: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    s: dict[str, Any],
    currency: str | None,
) -> list[VectorLayer]:
    """The ``wear_by_zone`` (below) and ``network_wear`` layers."""
    classes: W.WearClasses = s["classes"]
    prov = ctx.catalog.provenance("utility_networks")
    md_prov = ctx.catalog.provenance("micro_districts")
    synthetic = bool(prov["synthetic"])
    segments = VectorLayer(
        name="network_wear",
        title=text(
            "Network wear by segment",
            "Учаскелер бойынша желілердің тозуы",
            "Износ сетей по участкам",
        ),
        data=seg_out,
        style=_style("wear_pct", classes, _UNKNOWN_WEAR),
        fields=_segment_fields(classes, currency),
        description=text(
            f"Wear of each segment: {s['method']} age curve over the normative life, replaced by the inspection grade where one exists; reference year {s['reference_year']}.",
            f"Әр учаскенің тозуы: нормативтік мерзімге қатысты {s['method']} жас қисығы, тексеру бағасы болса, соның мәні алынады; есептік жыл {s['reference_year']}.",
            f"Износ каждого участка: кривая {s['method']} по нормативному сроку службы, при наличии оценки обследования берётся она; расчётный год {s['reference_year']}.",
        ),
        source=str(prov["source"]),
        licence=str(prov["licence"]),
        synthetic=synthetic,
        label_field=None,
        show=True,
        metadata={"catalog_id": "utility_networks", "attribution": prov.get("attribution", "")},
    )
    by_zone = VectorLayer(
        name="wear_by_zone",
        title=text(
            "Length-weighted wear by micro-district and town",
            "Шағын аудандар мен қалалар бойынша ұзындыққа салмақталған тозу",
            "Средневзвешенный по длине износ по микрорайонам и городам",
        ),
        data=zones,
        style=dataclasses.replace(_style("wear_pct", classes, _NO_KNOWN_WEAR), fill_opacity=0.25),
        fields=_zone_fields(classes, s["replace_at_pct"], currency),
        description=text(
            "Segments split by zone in UTM; wear weighted by length; planning status of Zhanatas micro-districts from paper 001.",
            "Учаскелер UTM-де аймақтарға бөлінген; тозу ұзындық бойынша салмақталған; Жаңатас шағын аудандарының жоспарлау мәртебесі 001 мақаладан.",
            "Участки разделены по зонам в UTM; износ взвешен по длине; планировочный статус микрорайонов Жанатаса из статьи 001.",
        ),
        source=f"Computed from {THEME} recipe over: {prov['source']}; micro-districts: {md_prov['source']}",
        licence=str(prov["licence"]),
        synthetic=synthetic or bool(md_prov["synthetic"]),
        label_field="name",  # already in the build's language
        show=True,
        metadata={"inputs": ["utility_networks", "micro_districts", "town_boundaries"]},
    )
    return [by_zone, segments]  # zones under the segments


def _notes(synthetic: bool, has_costs: bool, n_unknown: int) -> list[Text]:
    """Limitations shown on the map."""
    notes: list[Text] = []
    if synthetic:
        notes.append(
            text(
                "The network inventory is SYNTHETIC: segments, materials and install years are invented so that Zhanatas's wear is near the study's 95 %; replace it with a utility inventory (--layer utility_networks=FILE).",
                "Желілер тізілімі СИНТЕТИКАЛЫҚ: учаскелер, материалдар мен салынған жылдар Жаңатастың тозуы зерттеудегі 95 %-ға жақын болатындай ойдан жасалған; оны коммуналдық кәсіпорынның тізілімімен ауыстырыңыз (--layer utility_networks=FILE).",
                "Реестр сетей СИНТЕТИЧЕСКИЙ: участки, материалы и годы прокладки придуманы так, чтобы износ Жанатаса был близок к 95 % из исследования; замените его реестром предприятия (--layer utility_networks=FILE).",
            )
        )
    notes.append(
        text(
            "Most normative lives are unverified (○) typical values; edit layers/tables/normative_life.csv.",
            "Нормативтік мерзімдердің көбі тексерілмеген (○) типтік мәндер; layers/tables/normative_life.csv файлын өңдеңіз.",
            "Большинство нормативных сроков — непроверенные (○) типовые значения; правьте layers/tables/normative_life.csv.",
        )
    )
    if has_costs:
        notes.append(
            text(
                "Replacement costs are ILLUSTRATIVE unit costs, not estimates.",
                "Ауыстыру құны — ШАРТТЫ бірлік бағалар, смета емес.",
                "Стоимость замены рассчитана по УСЛОВНЫМ удельным ценам, это не смета.",
            )
        )
    if n_unknown:
        notes.append(
            text(
                f"{n_unknown} segment(s) have no install year and no inspection: their wear is shown as unknown.",
                f"{n_unknown} учаскенің салынған жылы да, тексеруі де жоқ: тозуы белгісіз деп көрсетілген.",
                f"У {n_unknown} участков нет ни года прокладки, ни обследования: износ показан как неизвестный.",
            )
        )
    return notes


def _parameters(
    s: dict[str, Any],
    tables: dict[str, Any],
    seg: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    town_roll: pd.DataFrame,
    town_pieces: pd.DataFrame,
    facts: dict[str, float],
    outside_km: float,
    warnings: list[str],
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``."""
    classes: W.WearClasses = s["classes"]
    by_town = {
        str(r["town"]): {
            "length_km": round(float(r["length_km"]), 3),
            "wear_pct": None if pd.isna(r["wear_pct"]) else round(float(r["wear_pct"]), 2),
            "unknown_km": round(float(r["unknown_km"]), 3),
            "study_wear_pct": facts.get(str(r["town"])),
        }
        for _, r in town_roll.iterrows()
    }
    per_net = W.rollup(
        town_pieces, ["town", "network"], classes=classes, replace_at_pct=s["replace_at_pct"]
    )
    formula = (
        "W = min(100, 100·t/T)" if s["method"] == "linear" else "W = min(100, 50·(t/T + (t/T)²))"
    )
    grades, costs = tables["grades"], tables["costs"]
    return {
        "method": s["method"],
        "formula": formula,
        "reference_year": s["reference_year"],
        "replace_at_pct": s["replace_at_pct"],
        "wear_classes": {"breaks": list(classes.breaks), "labels": list(classes.labels)},
        "priority": {
            "weights": s["weights"],
            "score": "w_wear·W/100 + w_pop·P/max(P), weights normalised to sum to 1; rank 1 = first",
            "population": "micro_districts.population (destroyed micro-districts hold none)",
        },
        "wear_source_values": list(W.WEAR_SOURCES),
        "tables": {
            "normative_life": {
                "path": str(tables["lives_path"]),
                "rows": json_records(tables["lives"]),
            },
            "inspection_grades": None
            if grades is None
            else {"path": str(tables["grades_path"]), "rows": json_records(grades)},
            "unit_costs": None
            if costs is None
            else {
                "path": str(tables["costs_path"]),
                "currency": tables["currency"],
                "rows": json_records(costs),
            },
        },
        "segments": len(seg),
        "segments_inspected": int((seg["wear_source"] == "inspection").sum()),
        "segments_unknown": int((seg["wear_source"] == W.UNKNOWN).sum()),
        "length_outside_towns_km": round(outside_km, 3),
        "wear_by_town": by_town,
        "wear_by_town_and_network": json_records(
            per_net[["town", "network", "length_km", "wear_pct", "unknown_km", "replace_km"]]
        ),
        "data_warnings": warnings,
        "sources": {
            "age_formulas": "methods-and-anchors §2.7 (linear; Ross), ○ design formulas",
            "normative_lives": "VSN 58-88(r) Appendix 3 and others, per row of the table",
            "study_wear": "paper 001: wear of water, sewage, heating and power networks in Zhanatas has reached 95 %",
        },
    }


SPEC = ThemeSpec(
    id=THEME,
    recipe_keys=("wear", "tables", "classes", "priority", "zones"),
    default_recipe=THEME,
)


def read_settings(recipe: Recipe, catalog: Catalog) -> Recipe:
    """The recipe, whose top-level keys the build has checked against :data:`SPEC`.

    The theme still reads its values while building; they become a frozen
    settings dataclass when the theme is reshaped.
    """
    return recipe


def build(ctx: ThemeInputs, recipe: Recipe) -> ThemeResult:
    """Wear per segment and per micro-district and town, with priority ranks.

    Parameters
    ----------
    ctx : ThemeInputs
        Supplies ``utility_networks``, ``micro_districts``, ``town_boundaries``
        and ``town_facts`` (for the study's wear figure).
    recipe : Recipe
        ``maps/infrastructure_wear.toml`` or a user's copy (see the module docstring).

    Returns
    -------
    ThemeResult
        Layers ``network_wear`` and ``wear_by_zone``; parameters (method,
        reference year, tables with their citations, classes, weights,
        network-wide wear per town) and notes.

    Raises
    ------
    RecipeError
        A bad recipe value (file:line named).
    DataError
        A bad table or inventory (file or segment id named).
    """
    s = _settings(recipe)
    tables: dict[str, Any] = {}
    tables["lives"], tables["lives_path"] = _read(recipe, "normative_life", True)
    tables["grades"], tables["grades_path"] = _read(recipe, "inspection_grades", True)
    costs, tables["costs_path"] = _read(recipe, "unit_costs", False)
    assert tables["lives"] is not None
    tables["costs"] = costs
    currency = str(costs["currency"].iloc[0]) if costs is not None else None
    tables["currency"] = currency

    segments, mds, towns = _select_towns(
        recipe,
        s["towns"],
        ctx.layer("utility_networks"),
        ctx.layer("micro_districts"),
        ctx.layer("town_boundaries"),
    )
    seg, warnings = _segment_wear(ctx, segments, s, tables)

    # split by zones (UTM overlay) and roll up
    md_pieces = W.split_by_zones(seg, mds, "zone_id")
    town_pieces = W.split_by_zones(seg, towns, "town")
    md_roll = _wide(md_pieces, "zone_id", s, costs is not None)
    town_roll = _wide(town_pieces, "town", s, costs is not None)
    outside_km = float(seg["length_m"].sum() - town_pieces["length_m"].sum()) / 1000.0
    facts = _study_wear(ctx)
    zones = _zone_table(ctx.lang, mds, towns, md_roll, town_roll, facts, s)
    seg_out = _segment_priority(seg, md_pieces, mds, s)

    vectors = _vectors(ctx, seg_out, zones, s, currency)
    parameters = _parameters(
        s, tables, seg, towns, town_roll, town_pieces, facts, outside_km, warnings
    )
    synthetic = bool(ctx.catalog.provenance("utility_networks")["synthetic"])
    notes = _notes(synthetic, costs is not None, parameters["segments_unknown"])
    log.info(
        "%s: %d segments, wear by town %s",
        THEME,
        len(seg),
        ", ".join(f"{k} {v['wear_pct']}%" for k, v in parameters["wear_by_town"].items()),
    )
    return ThemeResult(
        theme=THEME,
        title=TITLE,
        vectors=vectors,
        parameters=parameters,
        notes=notes,
        inputs=["utility_networks", "micro_districts", "town_boundaries", "town_facts"],
        description=DESCRIPTION,
        map_focus=_focus(towns),
    )


def _focus(towns: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Where the map opens: on Zhanatas, the study's focus (the HTML map reaches every town)."""
    focus_town = (
        towns[towns["town"] == "Zhanatas"] if (towns["town"] == "Zhanatas").any() else towns
    )
    w, s, e, n = (round(float(v), 4) for v in focus_town.total_bounds)
    return w, s, e, n


def _study_wear(ctx: ThemeInputs) -> dict[str, float]:
    """The study's network-wear figure per town (``town_facts``, indicator ``network_wear``)."""
    try:
        facts = ctx.layer("town_facts")
    except DataError as exc:
        log.warning("town_facts unavailable (%s); the study's wear figure is not shown", exc)
        return {}
    rows = facts[facts["indicator_id"] == "network_wear"]
    return {str(r["town"]): float(r["value"]) for _, r in rows.iterrows()}
