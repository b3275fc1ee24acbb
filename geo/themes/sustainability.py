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
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely

from geo.errors import IndicatorError, LayerNotFoundError, RecipeError
from geo.i18n import LANGUAGES, Text, check_text, text, tr
from geo.models.indicators import (
    AGGREGATIONS,
    GROUPS,
    NORMALISATIONS,
    Z95,
    IndexConfig,
    IndicatorSpec,
    check_group_sums,
    check_share_range,
    closest_name,
    composite_index,
    counts_matching_share,
    match_names,
    monte_carlo_ranks,
    normal_moe,
    normalise_name,
    pairwise_significance,
    parse_indicator_specs,
    prepare_values,
    town_sample_sizes,
    wilson_interval,
)
from geo.recipe import Recipe
from geo.symbology import FieldSpec, Graduated, Single, ramp
from geo.themes.base import BuildContext, ThemeResult, VectorLayer
from geo.themes.common import (
    recipe_choice,
    recipe_list,
    recipe_number,
    require_columns,
    unit,
)

__all__ = ["SCHEMES", "build", "classify", "survey_chart_svg"]

log = logging.getLogger(__name__)

THEME = "sustainability"
TITLE = text(
    "Sustainability of the small towns: indicators and index",
    "Шағын қалалардың тұрақтылығы: көрсеткіштер мен индекс",
    "Устойчивость малых городов: показатели и индекс",
)

SCHEMES: dict[str, str] = {
    "natural_breaks": "FisherJenks",
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
}
"""Recipe scheme names → mapclassify classifiers (Fisher–Jenks is the exact, deterministic natural breaks)."""

PAPER_000 = (
    "Paper 000: socio-economic assessment of Zhanatas, Karatau and Shu (grant AP14870750), "
    "survey of 2023, n = 499, and oblast statistics"
)
PAPER_001 = "Paper 001: post-industrial development of the mono-town Zhanatas (grant AP14870750)"

# -- the toolkit's own translated labels (the only text allowed in the SVG charts) --------
QUESTION_LABELS: dict[str, Text] = {
    "town": text("Town of residence", "Тұратын қаласы", "Город проживания"),
    "age": text("Age", "Жасы", "Возраст"),
    "years_in_town": text(
        "Years lived in the town", "Қалада тұрған жылдары", "Сколько лет живёт в городе"
    ),
    "income": text("Monthly income", "Айлық табыс", "Ежемесячный доход"),
    "development_start": text(
        "Where town development should start",
        "Қаланың дамуын неден бастау керек",
        "С чего начинать развитие города",
    ),
    "economy": text(
        "How to improve the economy",
        "Экономиканы қалай жақсартуға болады",
        "Как улучшить экономику",
    ),
    "ecology": text(
        "How to improve the ecology", "Экологияны қалай жақсартуға болады", "Как улучшить экологию"
    ),
    "future": text("Future", "Болашақ", "Будущее"),
}

ANSWER_LABELS: dict[tuple[str, str], Text] = {
    ("town", "shu"): text("Shu", "Шу", "Шу"),
    ("town", "karatau"): text("Karatau", "Қаратау", "Каратау"),
    ("town", "zhanatas"): text("Zhanatas", "Жаңатас", "Жанатас"),
    ("town", "not_stated"): text("Not stated", "Көрсетілмеген", "Не указан"),
    ("age", "18_28"): text("18–28", "18–28", "18–28"),
    ("age", "29_38"): text("29–38", "29–38", "29–38"),
    ("age", "39_48"): text("39–48", "39–48", "39–48"),
    ("age", "49_58"): text("49–58", "49–58", "49–58"),
    ("age", "59_68"): text("59–68", "59–68", "59–68"),
    ("age", "69_plus"): text("69+", "69+", "69+"),
    ("years_in_town", "over_30"): text("Over 30 years", "30 жылдан астам", "Более 30 лет"),
    ("income", "100_200k"): text("100–200 k tenge", "100–200 мың теңге", "100–200 тыс. тенге"),
    ("income", "60_100k"): text("60–100 k tenge", "60–100 мың теңге", "60–100 тыс. тенге"),
    ("income", "above_national_avg"): text(
        "Above national average", "Республикалық орташадан жоғары", "Выше средней по стране"
    ),
    ("income", "oblast_avg"): text("Oblast average", "Облыстық орташа", "Средняя по области"),
    ("development_start", "jobs"): text("Jobs", "Жұмыс орындары", "Рабочие места"),
    ("development_start", "street_repair"): text(
        "Street repair", "Көшелерді жөндеу", "Ремонт улиц"
    ),
    ("development_start", "recreation"): text("Recreation", "Демалыс орындары", "Места отдыха"),
    ("development_start", "education"): text("Education", "Білім беру", "Образование"),
    ("economy", "more_jobs"): text("More jobs", "Жұмыс орындарын көбейту", "Больше рабочих мест"),
    ("economy", "end_corruption"): text(
        "End corruption", "Сыбайлас жемқорлықты жою", "Искоренить коррупцию"
    ),
    ("economy", "housing"): text("Housing", "Тұрғын үй", "Жильё"),
    ("economy", "cheaper_credit"): text("Cheaper credit", "Арзан несие", "Доступный кредит"),
    ("ecology", "stop_littering"): text("Stop littering", "Қоқыс тастамау", "Не мусорить"),
    ("ecology", "eco_education"): text(
        "Eco-education from childhood",
        "Балалықтан экологиялық тәрбие",
        "Экологическое воспитание с детства",
    ),
    ("future", "links_future_with_town"): text(
        "Links future with the town",
        "Болашағын қаламен байланыстырады",
        "Связывает будущее с городом",
    ),
    ("future", "cannot_risk_moving"): text(
        "Cannot risk moving", "Көшуге тәуекел ете алмайды", "Не может рискнуть переездом"
    ),
    ("future", "plans_to_move"): text("Plans to move", "Көшуді жоспарлайды", "Планирует переехать"),
}

GROUP_LABELS: dict[str, Text] = {
    "economy": text("Economy", "Экономика", "Экономика"),
    "social": text("Social sphere", "Әлеуметтік сала", "Социальная сфера"),
    "ecology": text("Ecology", "Экология", "Экология"),
}

DESCRIPTION = text(
    "The published survey (499 respondents, 2023) and statistics of Zhanatas, Karatau and Shu on town and district outlines, with 95 % intervals, and a composite sustainability index with the rank interval each town keeps when weights and methods vary. The figures are published or derived as stated; the outlines are synthetic, and with three towns and a street sample the ranking is indicative.",
    "Жаңатас, Қаратау және Шудың жарияланған сауалнамасы (499 респондент, 2023) мен статистикасы қала және аудан шекараларында, 95 % аралықтарымен, және құрама тұрақтылық индексі: салмақтар мен әдістер өзгергенде әр қаланың орын аралығы. Сандар жарияланған немесе көрсетілгендей есептелген; шекаралар синтетикалық, үш қала мен көшедегі іріктеме кезінде рейтинг шамамен ғана.",
    "Опубликованные данные опроса (499 респондентов, 2023) и статистики по Жанатасу, Каратау и Шу на контурах городов и районов, с 95 % интервалами, и составной индекс устойчивости с интервалом места каждого города при изменении весов и методов. Цифры опубликованы или рассчитаны, как указано; контуры синтетические, а при трёх городах и уличной выборке рейтинг ориентировочный.",
)

T: dict[str, Text] = {
    "answer": text("answer", "жауап", "ответ"),
    "pooled": text(
        "All three towns pooled, n = 499; whiskers: 95 % Wilson interval",
        "Үш қала бірге, n = 499; мұрттар: 95 % Уилсон аралығы",
        "Три города вместе, n = 499; усы: 95 % интервал Уилсона",
    ),
    "town": text("Town", "Қала", "Город"),
    "district": text("District", "Аудан", "Район"),
    "share": text("Respondents from the town", "Қаладан респонденттер", "Респонденты из города"),
    "share_lo": text("95 % interval, lower", "95 % аралық, төменгі", "95 % интервал, нижняя"),
    "share_hi": text("95 % interval, upper", "95 % аралық, жоғарғы", "95 % интервал, верхняя"),
    "n_town": text(
        "Respondents (derived from the share)",
        "Респонденттер (үлестен есептелген)",
        "Респонденты (рассчитано по доле)",
    ),
    "moe_town": text(
        "Margin of error of a per-town share at 50 %",
        "Қала бойынша үлестің 50 % кезіндегі қателігі",
        "Погрешность доли по городу при 50 %",
    ),
    "not_sig": text(
        "Not significantly different from",
        "Статистикалық тұрғыдан айырмашылығы жоқ",
        "Статистически не отличается от",
    ),
    "mining_share": text(
        "Mining output, % of the oblast", "Тау-кен өнімі, облыстың %", "Горнодобыча, % от области"
    ),
    "reporting_unit_share": text(
        "Share of the published unit, %",
        "Жарияланған бірліктің үлесі, %",
        "Доля опубликованной единицы, %",
    ),
    "reporting_unit": text("Published for", "Кімге жарияланған", "Опубликовано для"),
    "index": text("Sustainability index", "Тұрақтылық индексі", "Индекс устойчивости"),
    "rank": text("Rank", "Орны", "Место"),
    "rank_lo": text("Rank interval, best", "Орын аралығы, ең жақсы", "Интервал места, лучшее"),
    "rank_hi": text("Rank interval, worst", "Орын аралығы, ең нашар", "Интервал места, худшее"),
    "p_rank1": text(
        "Share of Monte Carlo runs ranked first",
        "Бірінші орын алған Монте-Карло үлесі",
        "Доля прогонов Монте-Карло на первом месте",
    ),
    "imputed": text("Imputed values", "Толтырылған мәндер", "Вмененные значения"),
    "group_note": text(
        "{size} districts: {share} % together (no individual shares published)",
        "{size} аудан: бірге {share} % (жеке үлестер жарияланбаған)",
        "{size} районов: вместе {share} % (отдельные доли не опубликованы)",
    ),
    "individual": text("this district", "осы аудан", "этот район"),
    "nan_group": text(
        "published only together: {share} %",
        "тек бірге жарияланған: {share} %",
        "опубликовано только вместе: {share} %",
    ),
    "nan_mixed": text(
        "no own share published ({size} districts together: {share} %)",
        "жеке үлесі жарияланбаған ({size} аудан бірге: {share} %)",
        "своя доля не опубликована ({size} районов вместе: {share} %)",
    ),
    "group": text(
        "the other {size} districts together",
        "қалған {size} аудан бірге",
        "остальные {size} районов вместе",
    ),
    "not_covered": text(
        "not in the published breakdown",
        "жарияланған бөліністе жоқ",
        "нет в опубликованной разбивке",
    ),
    "by_town_title": text(
        "Survey and indicators by town",
        "Қалалар бойынша сауалнама мен көрсеткіштер",
        "Опрос и показатели по городам",
    ),
    "by_town_desc": text(
        "Share of the 499 respondents living in each town with its 95 % Wilson interval; per-town sample sizes are derived from these shares. Outlines are synthetic; the figures are published (paper 000) or derived as stated.",
        "499 респонденттің әр қаладағы үлесі және оның 95 % Уилсон аралығы; қала бойынша іріктеме көлемі осы үлестерден есептелген. Шекаралар синтетикалық; сандар жарияланған (000 мақала) немесе көрсетілгендей есептелген.",
        "Доля из 499 респондентов, живущих в каждом городе, с 95 % интервалом Уилсона; объёмы выборки по городам рассчитаны по этим долям. Контуры синтетические; цифры опубликованы (статья 000) или рассчитаны как указано.",
    ),
    "by_district_title": text(
        "Mining output by district", "Аудандар бойынша тау-кен өнімі", "Горнодобыча по районам"
    ),
    "by_district_desc": text(
        "Share of the oblast's mining output (paper 000). Districts with their own published share are coloured; the other {size} districts were published only together ({share} %), so they are grey here and outlined together.",
        "Облыстың тау-кен өніміндегі үлес (000 мақала). Жеке үлесі жарияланған аудандар боялған; қалған {size} аудан тек бірге жарияланған ({share} %), сондықтан мұнда сұр түсті және бірге қоршалған.",
        "Доля в горнодобыче области (статья 000). Районы с опубликованной собственной долей окрашены; остальные {size} районов опубликованы только вместе ({share} %), поэтому здесь они серые и обведены общим контуром.",
    ),
    "group_title": text(
        "Other {size} districts ({share} % together)",
        "Қалған {size} аудан (бірге {share} %)",
        "Остальные {size} районов (вместе {share} %)",
    ),
    "index_title": text(
        "Sustainability index (OECD/JRC method)",
        "Тұрақтылық индексі (OECD/JRC әдісі)",
        "Индекс устойчивости (метод OECD/JRC)",
    ),
    "index_desc": text(
        "Composite index of the indicators in maps/sustainability.toml (higher is better), with the rank and its 5–95 % interval from a Monte Carlo over weights, normalisation, aggregation and imputed values.",
        "maps/sustainability.toml көрсеткіштерінің құрама индексі (жоғары болса жақсы), орны және салмақтар, нормалау, біріктіру және толтырылған мәндер бойынша Монте-Карлодан алынған 5–95 % аралығы.",
        "Составной индекс показателей из maps/sustainability.toml (больше — лучше), с местом и его 5–95 % интервалом по Монте-Карло над весами, нормировкой, агрегированием и вмененными значениями.",
    ),
}

NOTES: dict[str, Text] = {
    "moe": text(
        "Survey sampling error: with n = {n} a share of 50 % is uncertain by ±{moe} pp (95 %); per-town shares of answers would be uncertain by ±{moe_lo} pp (n ≈ {n_hi}) to ±{moe_hi} pp (n ≈ {n_lo}). Respondents were approached in streets and public places, so the error of this convenience sample may be larger.",
        "Сауалнаманың іріктеме қателігі: n = {n} кезінде 50 % үлес ±{moe} п.т. (95 %) дәлдікпен анықталады; қала бойынша жауап үлестері ±{moe_lo} п.т. (n ≈ {n_hi}) мен ±{moe_hi} п.т. (n ≈ {n_lo}) аралығында болар еді. Респонденттер көшеде және қоғамдық орындарда сұралды, сондықтан қателік бұдан да үлкен болуы мүмкін.",
        "Ошибка выборки опроса: при n = {n} доля 50 % известна с точностью ±{moe} п.п. (95 %); доли ответов по городам — от ±{moe_lo} п.п. (n ≈ {n_hi}) до ±{moe_hi} п.п. (n ≈ {n_lo}). Респондентов опрашивали на улицах и в общественных местах, поэтому ошибка такой выборки может быть больше.",
    ),
    "pooled": text(
        "Per-town answers were published only as figures; the charts show all three towns pooled.",
        "Қалалар бойынша жауаптар тек суретте жарияланған; диаграммалар үш қаланы бірге көрсетеді.",
        "Ответы по городам опубликованы только на рисунках; диаграммы показывают три города вместе.",
    ),
    "synthetic_towns": text(
        "Town outlines are synthetic (not legal boundaries); the figures on them are published or derived as documented.",
        "Қала шекаралары синтетикалық (заңды шекаралар емес); олардағы сандар жарияланған немесе құжатталғандай есептелген.",
        "Контуры городов синтетические (не юридические границы); цифры на них опубликованы или рассчитаны, как описано.",
    ),
    "synthetic_districts": text(
        "The district outlines are synthetic (not the legal boundaries; pass real ones with --layer districts=PATH); the shares on them are published.",
        "Аудан шекаралары синтетикалық (заңды шекаралар емес; нақтыларын --layer districts=PATH арқылы беріңіз); олардағы үлестер жарияланған.",
        "Границы районов синтетические (не юридические; реальные задайте через --layer districts=PATH); доли на них опубликованы.",
    ),
    "group": text(
        "Mining output of the other {size} districts was published only together ({share} %); no district of that group is given an individual value.",
        "Қалған {size} ауданның тау-кен өнімі тек бірге жарияланған ({share} %); ол топтың ешбір ауданына жеке мән берілмейді.",
        "Горнодобыча остальных {size} районов опубликована только вместе ({share} %); ни одному району этой группы не приписано отдельное значение.",
    ),
    "inconsistent_share": text(
        "No whole number of the {n} respondents gives the published {share} % for {town} ({k0} → {p0} %, {k1} → {p1} %); the derived n = {k} is the nearest.",
        "{n} респонденттің ешбір бүтін саны {town} үшін жарияланған {share} %-ды бермейді ({k0} → {p0} %, {k1} → {p1} %); есептелген n = {k} ең жақыны.",
        "Никакое целое число из {n} респондентов не даёт опубликованные {share} % для {town} ({k0} → {p0} %, {k1} → {p1} %); рассчитанное n = {k} — ближайшее.",
    ),
    "few_units": text(
        "The index compares the towns on the few indicators published (or derived) for all of them; indicators missing for a town are shown but left out of the index.",
        "Индекс қалаларды барлығына жарияланған (немесе есептелген) бірнеше көрсеткіш бойынша салыстырады; бір қалаға жоқ көрсеткіштер көрсетіледі, бірақ индекске кірмейді.",
        "Индекс сравнивает города по немногим показателям, опубликованным (или рассчитанным) для всех; показатели, отсутствующие для какого-либо города, показаны, но в индекс не входят.",
    ),
}


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


# -- small helpers -----------------------------------------------------------------------
def classify(
    values: Sequence[float] | np.ndarray, scheme: str, k: int
) -> tuple[tuple[float, ...], tuple[str, ...], np.ndarray]:
    """Classify *values* with mapclassify and express the classes as ``Graduated`` breaks.

    Parameters
    ----------
    values : array-like
        Values (NaN ignored).
    scheme : str
        ``"natural_breaks"`` (Fisher–Jenks), ``"quantiles"`` or ``"equal_interval"``.
    k : int
        Wanted number of classes (reduced to the number of distinct values).

    Returns
    -------
    breaks : tuple of float
        ``Graduated`` breaks (left-closed classes), one more than the classes.
        ``breaks[i]`` is the smallest value of class *i*, so the colours match
        mapclassify's (right-closed) classes exactly; empty classes are dropped.
    labels : tuple of str
        Legend labels from mapclassify's bins (``"9.5 – 12.1"``).
    yb : ndarray
        mapclassify class of each finite value.
    """
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return (0.0, 1.0), ("—",), np.array([], dtype=int)
    uniq = np.unique(y)
    k_eff = max(1, min(int(k), uniq.size))
    if k_eff == 1:
        v = float(uniq[0]) if uniq.size == 1 else float(y.min())
        return (
            (v, float(y.max())),
            (_num(v) if uniq.size == 1 else f"{_num(y.min())} – {_num(y.max())}",),
            np.zeros(y.size, dtype=int),
        )
    with warnings.catch_warnings():
        # mapclassify warns that numba is absent (pure-Python Fisher–Jenks is exact, just slower)
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*", category=UserWarning)
        cls = getattr(mapclassify, SCHEMES[scheme])(y, k=k_eff)
    yb = np.asarray(cls.yb, dtype=int)
    bins = np.asarray(cls.bins, dtype=float)
    occupied = sorted(set(yb.tolist()))
    breaks = [float(y[yb == c].min()) for c in occupied] + [float(y.max())]
    labels = []
    for c in occupied:
        upper = min(float(bins[c]), float(y.max()))
        if c == 0:
            lower = float(y.min())
            labels.append(_num(lower) if lower == upper else f"{_num(lower)} – {_num(upper)}")
        else:
            labels.append(f"> {_num(float(bins[c - 1]))} – {_num(upper)}")
    return tuple(breaks), tuple(labels), yb


def _fmt(template: Text, **values: float | int | str) -> Text:
    """Fill a translated template; numbers get a decimal comma in Kazakh and Russian."""
    out = {}
    for lang in LANGUAGES:
        filled = {
            k: (f"{v:.1f}".replace(".", ",") if lang != "en" else f"{v:.1f}")
            if isinstance(v, float)
            else str(v)
            for k, v in values.items()
        }
        out[lang] = template[lang].format(**filled)
    return out


def _num(v: float) -> str:
    """Compact number for legends and charts."""
    if not math.isfinite(v):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}".replace(",", " ")
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.2f}"


def survey_chart_svg(
    charts: Sequence[tuple[str, Sequence[tuple[str, float, float, float]]]],
    *,
    header: str = "",
    note: str = "",
    width: int = 300,
) -> str:
    """Horizontal bar charts of survey answers, stacked in one inline SVG.

    Parameters
    ----------
    charts : sequence of (title, bars)
        One chart per question; *bars* holds ``(label, percent, lower, upper)``
        per answer: the toolkit's translated label, the published percentage
        and its 95 % interval (percent), drawn as a bar with a whisker.
    header : str
        Line above the charts (a toolkit string with numbers).
    note : str
        Footnote (toolkit string).
    width : int
        Width in pixels.

    Returns
    -------
    str
        A single ``<svg>`` element of rectangles, lines and text (what the HTML
        writer's sanitiser accepts). Every text is XML-escaped and every number
        is formatted from floats, so nothing from the data can inject markup.
    """
    row_h, head_h, label_w = 18, 18, 130
    plot_w = width - label_w - 40
    body: list[str] = []
    y = 0.0
    if header:
        body.append(f'<text x="0" y="{y + 12:.0f}" font-weight="bold">{escape(header)}</text>')
        y += head_h + 4
    for title, bars in charts:
        body.append(f'<text x="0" y="{y + 12:.0f}" font-weight="bold">{escape(title)}</text>')
        y += head_h
        for label, pct, lo, hi in bars:
            pct_f, lo_f, hi_f = (min(max(float(v), 0.0), 100.0) for v in (pct, lo, hi))
            w = plot_w * pct_f / 100.0
            x_lo, x_hi = label_w + plot_w * lo_f / 100.0, label_w + plot_w * hi_f / 100.0
            mid = y + row_h / 2
            body.append(
                f'<text x="{label_w - 4}" y="{y + 12:.0f}" text-anchor="end">{escape(label[:30])}</text>'
                f'<rect x="{label_w}" y="{y + 3:.0f}" width="{w:.1f}" height="{row_h - 6}" fill="#3182bd"/>'
                f'<line x1="{x_lo:.1f}" y1="{mid:.1f}" x2="{x_hi:.1f}" y2="{mid:.1f}" stroke="#222222" stroke-width="1"/>'
                f'<line x1="{x_lo:.1f}" y1="{y + 5:.0f}" x2="{x_lo:.1f}" y2="{y + row_h - 5:.0f}" stroke="#222222"/>'
                f'<line x1="{x_hi:.1f}" y1="{y + 5:.0f}" x2="{x_hi:.1f}" y2="{y + row_h - 5:.0f}" stroke="#222222"/>'
                f'<text x="{x_hi + 3:.1f}" y="{y + 12:.0f}">{pct_f:.0f} %</text>'
            )
            y += row_h
        y += 6
    if note:
        body.append(
            f'<text x="0" y="{y + 10:.0f}" font-size="8" fill="#555555">{escape(note)}</text>'
        )
        y += 14
    height = math.ceil(y)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">'
        + "".join(body)
        + "</svg>"
    )


# -- recipe --------------------------------------------------------------------------------
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


# -- data ------------------------------------------------------------------------------------
def _read_town_indicators(ctx: BuildContext) -> tuple[pd.DataFrame, str]:
    """The per-town indicator table: from the catalog if registered, else the shipped CSV."""
    try:
        ctx.catalog.spec("town_indicators")
    except LayerNotFoundError:
        registered = False
    else:
        registered = True
    if registered:
        return ctx.layer("town_indicators"), "catalog:town_indicators"
    from geo.io import read_table

    path = ctx.catalog.layers_dir / "tables" / "town_indicators.csv"
    df = read_table(path, what="table 'town_indicators'")
    require_columns(
        df,
        ("town", "indicator_id", "value", "unit", "derivation", "source"),
        str(path),
        hint="add it to table 'town_indicators'",
        error=IndicatorError,
    )
    return df, str(path)


def _town_geometry(
    ctx: BuildContext, recipe: Recipe, names: list[str], which: str
) -> gpd.GeoDataFrame:
    """Geometries of the recipe's towns, one row each, with ``town``, ``name_kk``, ``name_ru``."""
    gdf = ctx.layer(which)
    col = "town" if "town" in gdf.columns else "name"
    try:
        found = match_names(
            names,
            [str(v) for v in gdf[col]],
            table=f"recipe {recipe.path}",
            field="towns.names",
            layer=which,
        )
    except IndicatorError as exc:
        raise recipe.error("towns.names", str(exc).split(": ", 1)[-1]) from None
    rows = []
    for name in names:
        feat = gdf[gdf[col].astype(str) == found[name]].iloc[0]
        own = ANSWER_LABELS.get(("town", normalise_name(name)), text(name, name, name))
        row: dict[str, Any] = {"town": name, "geometry": feat.geometry}
        for lang in ("kk", "ru"):
            value = feat.get(f"name_{lang}")
            # the layer's own translation, else the toolkit's, else the English name
            row[f"name_{lang}"] = str(value) if isinstance(value, str) and value else tr(own, lang)
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=gdf.crs)


def _district_names(districts: gpd.GeoDataFrame) -> tuple[str, str | None, str | None]:
    """Columns holding the English, Kazakh and Russian district names (catalog or geoBoundaries/geokz style)."""
    for en in ("district", "ADM2_EN", "name_en", "shapeName", "NAME_2", "name"):
        if en in districts.columns:
            kk = next((c for c in ("name_kk", "ADM2_KK") if c in districts.columns), None)
            ru = next((c for c in ("name_ru", "ADM2_RU") if c in districts.columns), None)
            return en, kk, ru
    msg = (
        "layer 'districts': no district name field (district, ADM2_EN, name_en, shapeName, NAME_2 or name); "
        "add one holding the English district names"
    )
    raise IndicatorError(msg)


def _mining_by_district(
    recipe: Recipe, mining: pd.DataFrame, districts: gpd.GeoDataFrame, name_col: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per district: its individual share, or its group and the group's share, or nothing."""
    table = str(recipe.get("mining.table", "mining_share"))
    check_share_range(mining, table=table, field="share_pct")
    check_group_sums(
        mining.assign(_all="all"),
        table=table,
        group_field="_all",
        value_field="share_pct",
        groups=["all"],
        total=100.0,
        tolerance=float(recipe.get("survey.sum_tolerance", 0.5)),
    )
    group_row = str(recipe.get("mining.group_row", "Other districts"))
    members = [str(m) for m in recipe_list(recipe, "mining.group_members", [])]
    size = int(recipe.get("mining.group_size_published", len(members)))
    if len(members) != size:
        raise recipe.error(
            "mining.group_members",
            f"lists {len(members)} districts but the paper's group has {size}; list exactly the group's districts",
        )
    layer_names = [str(v) for v in districts[name_col]]
    names = [str(v) for v in mining["district"]]
    found = match_names(
        names, layer_names, table=table, field="district", layer="districts", skip=[group_row]
    )
    try:
        found_members = match_names(
            members,
            layer_names,
            table=f"recipe {recipe.path}",
            field="mining.group_members",
            layer="districts",
        )
    except IndicatorError as exc:
        raise recipe.error("mining.group_members", str(exc).split(": ", 1)[-1]) from None
    overlap = set(found.values()) & set(found_members.values())
    if overlap:
        raise recipe.error(
            "mining.group_members",
            f"{', '.join(sorted(overlap))} has its own share in table {table!r}; remove it from the group",
        )
    group_mask = mining["district"].astype(str).map(normalise_name) == normalise_name(group_row)
    if not group_mask.any():
        msg = f"table {table!r} field 'district': no row {group_row!r} (the group of the other districts); add it or fix mining.group_row"
        raise IndicatorError(msg)
    group_share = float(mining.loc[group_mask, "share_pct"].iloc[0])
    individual = {
        found[n]: float(v) for n, v in zip(names, mining["share_pct"], strict=True) if n in found
    }
    member_set = set(found_members.values())
    rows = []
    unmatched = []
    reported = list(found.values()) + list(found_members.values())
    for d in layer_names:
        if d in individual:
            rows.append((d, individual[d], individual[d], "individual", 1))
        elif d in member_set:
            rows.append((d, float("nan"), group_share, "group", size))
        else:
            rows.append((d, float("nan"), float("nan"), "not_covered", 0))
            unmatched.append(
                {"district": d, "closest_published": closest_name(d, [*reported, group_row])}
            )
    df = pd.DataFrame(
        rows, columns=["district", "share_pct", "unit_share_pct", "reporting", "unit_size"]
    )
    info = {
        "table": table,
        "individual": individual,
        "group": {
            "row": group_row,
            "share_pct": group_share,
            "members": sorted(member_set),
            "size": size,
        },
        "name_field": name_col,
        "not_in_breakdown": unmatched,
    }
    return df, info


def _town_districts(
    towns: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, name_col: str
) -> dict[str, str | None]:
    """District of each town: the district containing the town's representative point."""
    pts = shapely.point_on_surface(towns.to_crs(districts.crs).geometry.values)
    geoms = districts.geometry.values
    out: dict[str, str | None] = {}
    for town, pt in zip(towns["town"], pts, strict=True):
        hits = np.flatnonzero(shapely.contains(geoms, pt))
        out[str(town)] = str(districts[name_col].iloc[int(hits[0])]) if hits.size else None
    return out


def _long_values(
    df: pd.DataFrame, table: str, towns: list[str], indicator_id: str
) -> dict[str, float]:
    """Values of one indicator from a long table (town, indicator_id, value)."""
    sub_mask = (df["indicator_id"].astype(str) == indicator_id).to_numpy()
    rows = [int(i) for i in np.flatnonzero(sub_mask)]
    names = [str(df["town"].iloc[i]) for i in rows]
    found = match_names(names, towns, table=table, field="town", layer="towns", rows=rows)
    out: dict[str, float] = {}
    for i, name in zip(rows, names, strict=True):
        town = found[name]
        if town in out:
            msg = f"table {table!r} row {i + 1} (line {i + 2}) field 'town': {name!r} has indicator {indicator_id!r} twice; keep one row"
            raise IndicatorError(msg)
        v = pd.to_numeric(pd.Series([df["value"].iloc[i]]), errors="coerce").iloc[0]
        if pd.isna(v):
            msg = f"table {table!r} row {i + 1} (line {i + 2}) field 'value': {df['value'].iloc[i]!r} is not a number"
            raise IndicatorError(msg)
        out[town] = float(v)
    return out


# -- build ------------------------------------------------------------------------------------
def build(ctx: BuildContext, recipe: Recipe) -> ThemeResult:
    """Build the sustainability theme from its recipe.

    Parameters
    ----------
    ctx : BuildContext
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


def _survey(ctx: BuildContext, recipe: Recipe, state: dict[str, Any]) -> dict[str, Any]:
    """The survey table checked, with Wilson intervals, the town shares and the derived per-town sample sizes.

    Reads ``alpha``, ``complete``, ``single``, ``survey_table``, ``tol``, ``town_names``,
    ``town_q`` from the build *state*;
    returns ``derived_n``, ``n_total``, ``shares``, ``sig``, ``survey_ci``, ``town_of_answer``.
    """
    complete = state["complete"]
    single = state["single"]
    survey_table = state["survey_table"]
    town_q = state["town_q"]
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
        tolerance=state["tol"],
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
        raise recipe.error(
            "survey.town_question", f"no rows for question {town_q!r} in table {survey_table!r}"
        )
    tq_rows = [int(i) for i in np.flatnonzero(tq_mask)]
    tq = survey.iloc[tq_rows]
    shares = {str(a): float(p) for a, p in zip(tq["answer_id"], tq["percent"], strict=True)}
    town_of_answer = match_names(
        list(shares),
        state["town_names"],
        table=survey_table,
        field="answer_id",
        layer="towns",
        skip=[a for a in shares if normalise_name(a) in ("notstated", "none", "other", "unknown")],
        rows=tq_rows,
    )
    derived_n = town_sample_sizes(shares, n_total)
    sig = pairwise_significance(survey, single_choice=single, alpha=state["alpha"])
    p_all = survey["percent"].to_numpy(dtype=float) / 100.0
    lo_all, hi_all = wilson_interval(p_all, n_values.to_numpy(dtype=float))
    survey_ci = survey.assign(ci_lo=lo_all * 100.0, ci_hi=hi_all * 100.0)
    return {
        "derived_n": derived_n,
        "n_total": n_total,
        "shares": shares,
        "sig": sig,
        "survey_ci": survey_ci,
        "town_of_answer": town_of_answer,
    }


def _geometries(ctx: BuildContext, recipe: Recipe, state: dict[str, Any]) -> dict[str, Any]:
    """District geometries and names, the mining share of each district and the district of each town.

    Reads ``geometry_layer``, ``towns`` from the build *state*;
    returns ``by_district``, ``dist_prov``, ``districts``, ``kk_col``, ``mining_info``,
    ``name_col``, ``ru_col``, ``town_district``, ``town_prov``.
    """
    town_prov = ctx.catalog.provenance(state["geometry_layer"])
    districts = ctx.layer("districts")
    dist_prov = ctx.catalog.provenance("districts")
    name_col, kk_col, ru_col = _district_names(districts)

    # --- mining shares by district
    mining = ctx.layer(str(recipe.get("mining.table", "mining_share")))
    by_district, mining_info = _mining_by_district(recipe, mining, districts, name_col)
    town_district = _town_districts(state["towns"], districts, name_col)
    return {
        "by_district": by_district,
        "dist_prov": dist_prov,
        "districts": districts,
        "kk_col": kk_col,
        "mining_info": mining_info,
        "name_col": name_col,
        "ru_col": ru_col,
        "town_district": town_district,
        "town_prov": town_prov,
    }


def _mining_column(
    indicator: str,
    towns: pd.Index,
    town_district: dict[str, str | None],
    by_district: pd.DataFrame,
    group: dict[str, Any],
    *,
    equal_split: bool,
    bounds: dict[tuple[str, str], tuple[float, float]],
    imputed_cells: list[dict[str, Any]],
) -> pd.Series:
    """Mining share of each town's district; a grouped district gets an equal split when asked.

    Imputed values are appended to *imputed_cells* and their Monte Carlo
    range, U(0, group share), to *bounds*.
    """
    share_of = dict(
        zip(
            by_district["district"],
            zip(by_district["share_pct"], by_district["reporting"], strict=True),
            strict=True,
        )
    )
    col = pd.Series(np.nan, index=towns, dtype=float)
    for t in towns:
        d = town_district.get(t)
        if d is None or d not in share_of:
            continue
        share, reporting = share_of[d]
        if reporting == "individual":
            col[t] = share
        elif reporting == "group" and equal_split:
            col[t] = group["share_pct"] / group["size"]
            bounds[(t, indicator)] = (0.0, float(group["share_pct"]))
            imputed_cells.append(
                {
                    "town": t,
                    "indicator": indicator,
                    "value": round(float(col[t]), 4),
                    "method": f"equal split of the {group['row']!r} share {group['share_pct']:g} % over {group['size']} districts; Monte Carlo draws U(0, {group['share_pct']:g})",
                }
            )
    return col


def _table_column(
    recipe: Recipe, e: _IndicatorEntry, df: pd.DataFrame, tname: str, towns: pd.Index
) -> pd.Series:
    """Values of indicator *e* per town from the long table *df* (town, indicator_id, value)."""
    found_values = _long_values(df, tname, list(towns), e.table_id)
    if not found_values:
        known = sorted({str(v) for v in df["indicator_id"]})
        close = closest_name(e.table_id, known)
        raise recipe.error(
            "index.indicators",
            f"indicator {e.spec.id!r}: table {tname!r} has no rows with indicator_id "
            f"{e.table_id!r}; did you mean {close!r}?",
        )
    col = pd.Series(np.nan, index=towns, dtype=float)
    for t, v in found_values.items():
        col[t] = v
    return col


def _index_values(ctx: BuildContext, recipe: Recipe, state: dict[str, Any]) -> dict[str, Any]:
    """Indicator values per town (imputed where the recipe says), the composite index and its Monte Carlo ranks.

    Reads ``by_district``, ``config``, ``entries``, ``group_imputation``, ``interval``,
    ``mc_aggs``, ``mc_norms``, ``mc_runs``, ``mc_seed``, ``mining_info``,
    ``missing_policy``, ``spread``, ``town_district``, ``town_names`` from the build
    *state*;
    returns ``avg_shift``, ``clean``, ``dropped``, ``group``, ``imputed_cells``, ``kept``,
    ``mc``, ``mc_result``, ``result``, ``town_ind_where``, ``values``.
    """
    config = state["config"]
    entries = state["entries"]
    interval = state["interval"]
    town_ind, town_ind_where = _read_town_indicators(ctx)
    facts = ctx.layer("town_facts")
    values = pd.DataFrame(index=pd.Index(state["town_names"], name="town"), dtype=float)
    bounds: dict[tuple[str, str], tuple[float, float]] = {}
    imputed_cells: list[dict[str, Any]] = []
    group = state["mining_info"]["group"]
    for e in entries:
        if e.source == "mining_share":
            values[e.spec.id] = _mining_column(
                e.spec.id, values.index, state["town_district"], state["by_district"], group,
                equal_split=state["group_imputation"] == "equal_split", bounds=bounds,
                imputed_cells=imputed_cells,
            )  # fmt: skip
        elif e.source == "town_indicators":
            values[e.spec.id] = _table_column(recipe, e, town_ind, "town_indicators", values.index)
        else:
            values[e.spec.id] = _table_column(recipe, e, facts, "town_facts", values.index)
    specs = [e.spec for e in entries]
    clean, kept, dropped, imputed = prepare_values(values, specs, state["missing_policy"])
    for ind in imputed.columns:
        for t in imputed.index[imputed[ind]]:
            obs = values[ind].dropna()
            bounds[(str(t), ind)] = (float(obs.min()), float(obs.max()))
            imputed_cells.append(
                {
                    "town": str(t),
                    "indicator": ind,
                    "value": float(clean.loc[t, ind]),
                    "method": "mean of the other towns; Monte Carlo draws U(min, max) of them",
                }
            )
    if len(clean) < 2 or not kept:
        msg = (
            f"sustainability index: only {len(clean)} town(s) and {len(kept)} indicator(s) have complete values "
            f'(dropped: {", ".join(f"{k} ({v})" for k, v in dropped.items())}); add values or use index.missing = "mean"'
        )
        raise IndicatorError(msg)
    mc_bounds = {
        key: b for key, b in bounds.items() if key[1] in clean.columns and key[0] in clean.index
    }
    result = composite_index(clean, kept, config)
    mc_result = monte_carlo_ranks(
        clean,
        kept,
        config,
        runs=state["mc_runs"],
        seed=state["mc_seed"],
        normalisations=state["mc_norms"],
        aggregations=state["mc_aggs"],
        weight_spread=state["spread"],
        bounds=mc_bounds,
        interval=(float(interval[0]), float(interval[1])),
    )
    mc, avg_shift = mc_result.ranks, mc_result.average_shift
    return {
        "avg_shift": avg_shift,
        "clean": clean,
        "dropped": dropped,
        "group": group,
        "imputed_cells": imputed_cells,
        "kept": kept,
        "mc": mc,
        "mc_result": mc_result,
        "result": result,
        "town_ind_where": town_ind_where,
        "values": values,
    }


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
    return by_town


def _towns_layer(recipe: Recipe, state: dict[str, Any]) -> dict[str, Any]:
    """The ``indicators_by_town`` layer: survey shares with Wilson intervals, indicator values, popup charts.

    Reads ``chart_qs``, ``derived_n``, ``entries``, ``geometry_layer``, ``k``, ``lang``,
    ``n_total``, ``ramps``, ``scheme``, ``shares``, ``sig``, ``style_field``, ``survey_ci``,
    ``survey_table``, ``town_district``, ``town_of_answer``, ``town_prov``, ``town_q``,
    ``towns``, ``values`` from the build *state*;
    returns ``by_town``, ``town_breaks``, ``vec_towns``.
    """
    entries = state["entries"]
    n_total = state["n_total"]
    sig = state["sig"]
    style_field = state["style_field"]
    town_prov = state["town_prov"]
    by_town = _town_survey_columns(
        state["towns"],
        state["shares"],
        state["town_of_answer"],
        state["derived_n"],
        sig[sig["question_id"] == state["town_q"]],
        n_total,
    )
    by_town["district"] = [state["town_district"].get(t) or "" for t in by_town["town"]]
    for e in entries:
        by_town[e.spec.id] = state["values"][e.spec.id].reindex(by_town["town"]).to_numpy()
    by_town["chart_html"] = [
        _popup_html(
            t, by_town.iloc[i], state["survey_ci"], state["chart_qs"], state["lang"], n_total
        )
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
        state["scheme"],
        state["k"],
    )
    if style_field not in by_town.columns:
        raise recipe.error(
            "towns.style_field",
            f"{style_field!r} is not a field of indicators_by_town; use survey_share_pct or an indicator id",
        )
    town_fields = (
        FieldSpec("town", T["town"]),
        FieldSpec("survey_share_pct", T["share"], "%", 1),
        FieldSpec("survey_share_lo", T["share_lo"], "%", 1),
        FieldSpec("survey_share_hi", T["share_hi"], "%", 1),
        FieldSpec("survey_n_derived", T["n_town"], "", 0),
        FieldSpec("moe_pp_at_50", T["moe_town"], unit("pp"), 1),
        FieldSpec("not_significant_vs", T["not_sig"]),
        FieldSpec("district", T["district"]),
        *(FieldSpec(e.spec.id, e.title, unit(e.unit), 1) for e in entries),
    )
    vec_towns = VectorLayer(
        name="indicators_by_town",
        title=T["by_town_title"],
        data=by_town,
        style=Graduated(
            style_field,
            town_breaks,
            ramp(state["ramps"]["ramp_towns"], len(town_breaks) - 1),
            unit="%" if style_field.endswith("_pct") else "",
            labels=town_labels,
        ),
        fields=town_fields,
        description=T["by_town_desc"],
        source=f"{PAPER_000}; geometry: {town_prov['source']}",
        licence=f"Published figures, cited; geometry: {town_prov['licence']}",
        synthetic=bool(town_prov["synthetic"]),
        label_field="town",
        popup_html="chart_html",
        metadata={
            "inputs": [
                state["survey_table"],
                state["geometry_layer"],
                "town_facts",
                "town_indicators",
            ]
        },
    )
    return {"by_town": by_town, "town_breaks": town_breaks, "vec_towns": vec_towns}


def _district_layers(state: dict[str, Any]) -> dict[str, Any]:
    """The ``indicators_by_district`` layer and the outline of the districts published only together.

    Reads ``by_district``, ``dist_prov``, ``districts``, ``group``, ``k``, ``kk_col``,
    ``lang``, ``mining_info``, ``name_col``, ``ramps``, ``ru_col``, ``scheme``,
    ``vec_towns`` from the build *state*;
    returns ``d_breaks``, ``gshare``, ``gsize``, ``vectors``.
    """
    dist_prov = state["dist_prov"]
    group = state["group"]
    kk_col = state["kk_col"]
    lang = state["lang"]
    name_col = state["name_col"]
    ru_col = state["ru_col"]
    dist = state["districts"][[name_col, *(c for c in (kk_col, ru_col) if c), "geometry"]].copy()
    dist = dist.rename(
        columns={
            name_col: "district",
            **({kk_col: "name_kk"} if kk_col else {}),
            **({ru_col: "name_ru"} if ru_col else {}),
        }
    )
    dist = dist.merge(state["by_district"], on="district", how="left")
    gshare, gsize = float(group["share_pct"]), int(group["size"])
    label_of = {
        "individual": T["individual"],
        "group": _fmt(T["group"], size=gsize),
        "not_covered": T["not_covered"],
    }
    dist["reporting_unit"] = [tr(label_of[r], lang) for r in dist["reporting"]]
    # map labels only where a district has its own share; the group's outline carries its label
    dist["share_label"] = [
        (f"{v:.1f}".replace(".", ",") if lang != "en" else f"{v:.1f}") + " %"
        if r == "individual"
        else ""
        for v, r in zip(dist["share_pct"], dist["reporting"], strict=True)
    ]
    dist["synthetic"] = bool(dist_prov["synthetic"])
    dist["data_note"] = (
        "SYNTHETIC district outline; shares published (paper 000)"
        if dist_prov["synthetic"]
        else "shares published (paper 000)"
    )
    d_breaks, d_labels, _ = classify(
        dist["share_pct"].to_numpy(dtype=float), state["scheme"], state["k"]
    )
    vec_dist = VectorLayer(
        name="indicators_by_district",
        title=T["by_district_title"],
        data=dist,
        style=Graduated(
            "share_pct",
            d_breaks,
            ramp(state["ramps"]["ramp_mining"], len(d_breaks) - 1),
            unit="%",
            labels=tuple(f"{lab} %" for lab in d_labels),
            nan_label=_district_nan_label(dist["reporting"], gshare, gsize),
        ),
        fields=(
            FieldSpec("district", T["district"]),
            FieldSpec("share_pct", T["mining_share"], "%", 1),
            FieldSpec("reporting_unit", T["reporting_unit"]),
            FieldSpec("unit_share_pct", T["reporting_unit_share"], "%", 1),
        ),
        description=_fmt(T["by_district_desc"], share=gshare, size=gsize),
        source=f"{PAPER_000} (Bureau of National Statistics 2023); geometry: {dist_prov['source']}",
        licence=f"Published figures, cited; geometry: {dist_prov['licence']}",
        synthetic=bool(dist_prov["synthetic"]),
        label_field="share_label",
        metadata={"mining": state["mining_info"]},
    )
    members = dist[dist["reporting"] == "group"]
    vectors = [state["vec_towns"], vec_dist]
    if len(members):
        vectors.append(_group_outline_layer(members, gshare, gsize, lang, dist_prov))
    return {"d_breaks": d_breaks, "gshare": gshare, "gsize": gsize, "vectors": vectors}


def _group_outline_layer(
    members: gpd.GeoDataFrame, gshare: float, gsize: int, lang: str, dist_prov: dict[str, Any]
) -> VectorLayer:
    """One outline around the districts whose mining share was published only together."""
    grp = gpd.GeoDataFrame(
        {
            "reporting_unit": [tr(_fmt(T["group"], size=gsize), lang)],
            "unit_share_pct": [gshare],
            "districts": [", ".join(sorted(members["district"]))],
            "label": [tr(_fmt(T["group_note"], share=gshare, size=gsize), lang)],
            "synthetic": [bool(dist_prov["synthetic"])],
            "data_note": ["group outline of the districts published together (paper 000)"],
        },
        geometry=[shapely.union_all(members.geometry.values)],
        crs=members.crs,
    )
    return VectorLayer(
        name="mining_share_other_districts",
        title=_fmt(T["group_title"], share=gshare, size=gsize),
        data=grp,
        style=Single(
            "#666666",
            outline="#222222",
            width=2.0,
            fill_opacity=0.0,
            dash="6 4",
            fill=False,
        ),
        fields=(
            FieldSpec("reporting_unit", T["reporting_unit"]),
            FieldSpec("unit_share_pct", T["reporting_unit_share"], "%", 1),
        ),
        description=_fmt(T["group_note"], share=gshare, size=gsize),
        source=f"{PAPER_000}; geometry: {dist_prov['source']}",
        licence=f"Published figures, cited; geometry: {dist_prov['licence']}",
        synthetic=bool(dist_prov["synthetic"]),
        label_field="label",
    )


def _index_layer(state: dict[str, Any]) -> dict[str, Any]:
    """The ``sustainability_index`` layer: index, rank, Monte Carlo rank interval, group scores.

    Reads ``by_town``, ``clean``, ``imputed_cells``, ``k``, ``kept``, ``mc``, ``ramps``,
    ``result``, ``scheme``, ``town_prov``, ``towns``, ``vectors`` from the build *state*;
    returns ``i_breaks``.
    """
    clean = state["clean"]
    result = state["result"]
    town_prov = state["town_prov"]
    towns = state["towns"]
    idx = towns[towns["town"].isin(list(clean.index))].copy()
    idx["index"] = [round(float(result.index[t]), 6) for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi", "rank_median", "p_rank1", "mean_abs_shift"):
        idx[c] = [state["mc"].loc[t, c] for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi"):
        idx[c] = idx[c].astype(int)
    for g in GROUPS:
        idx[f"score_{g}"] = [
            float(result.groups[g][t]) if g in result.groups else np.nan for t in idx["town"]
        ]
    idx["indicators_used"] = ", ".join(s.id for s in state["kept"])
    idx["imputed"] = [
        ", ".join(
            c["indicator"]
            for c in state["imputed_cells"]
            if c["town"] == t and c["indicator"] in clean.columns
        )
        for t in idx["town"]
    ]
    idx["synthetic"] = bool(town_prov["synthetic"])
    idx["data_note"] = state["by_town"]["data_note"].iloc[0]
    i_breaks, i_labels, _ = classify(
        idx["index"].to_numpy(dtype=float), state["scheme"], state["k"]
    )
    vec_idx = VectorLayer(
        name="sustainability_index",
        title=T["index_title"],
        data=idx,
        style=Graduated(
            "index",
            i_breaks,
            ramp(state["ramps"]["ramp_index"], len(i_breaks) - 1),
            labels=i_labels,
        ),
        fields=(
            FieldSpec("town", T["town"]),
            FieldSpec("index", T["index"], "", 3),
            FieldSpec("rank", T["rank"], "", 0),
            FieldSpec("rank_lo", T["rank_lo"], "", 0),
            FieldSpec("rank_hi", T["rank_hi"], "", 0),
            FieldSpec("p_rank1", T["p_rank1"], "", 2),
            *(
                FieldSpec(f"score_{g}", GROUP_LABELS[g], "", 3)
                for g in GROUPS
                if g in result.groups
            ),
            FieldSpec("imputed", T["imputed"]),
        ),
        description=T["index_desc"],
        source=f"Computed by the toolkit from the cited indicator tables ({PAPER_000}; {PAPER_001}; GeoNames)",
        licence="CC0 (computed); inputs as cited",
        synthetic=bool(town_prov["synthetic"]),
        label_field="town",
    )
    state["vectors"].append(vec_idx)
    return {"i_breaks": i_breaks}


def _parameters(recipe: Recipe, state: dict[str, Any]) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``.

    Reads ``alpha``, ``avg_shift``, ``clean``, ``config``, ``d_breaks``, ``derived_n``,
    ``dropped``, ``entries``, ``geometry_layer``, ``group_imputation``, ``i_breaks``,
    ``imputed_cells``, ``interval``, ``k``, ``mc``, ``mc_aggs``, ``mc_norms``,
    ``mc_result``, ``mc_runs``, ``mc_seed``, ``mining_info``, ``missing_policy``,
    ``n_total``, ``name_col``, ``result``, ``scheme``, ``shares``, ``sig``, ``single``,
    ``spread``, ``survey_ci``, ``survey_table``, ``town_breaks``, ``town_district``,
    ``town_ind_where``, ``values`` from the build *state*;
    returns ``parameters``.
    """
    parameters: dict[str, Any] = {
        "description": DESCRIPTION,
        "recipe": str(recipe.path),
        "tables": {
            state["survey_table"]: PAPER_000,
            str(state["mining_info"]["table"]): PAPER_000,
            "town_facts": PAPER_001,
            "town_indicators": f"{state['town_ind_where']} (each row cites its source and derivation)",
        },
        "geometry": {
            "towns": state["geometry_layer"],
            "districts": "districts",
            "districts_name_field": state["name_col"],
        },
        "survey": _survey_parameters(state),
        "mining": {
            **state["mining_info"],
            "group_imputation": state["group_imputation"],
            "town_districts": state["town_district"],
        },
        "index": _index_parameters(state),
        "monte_carlo": _monte_carlo_parameters(state),
        "classification": {
            "scheme": state["scheme"],
            "mapclassify": SCHEMES[state["scheme"]],
            "k": state["k"],
            "breaks": {
                "indicators_by_town": list(state["town_breaks"]),
                "indicators_by_district": list(state["d_breaks"]),
                "sustainability_index": list(state["i_breaks"]),
            },
        },
    }
    return {"parameters": parameters}


def _survey_parameters(state: dict[str, Any]) -> dict[str, Any]:
    """The survey's sample size, intervals, town shares and significance tests."""
    return {
        "n": state["n_total"],
        "confidence": 0.95,
        "z": Z95,
        "interval": "Wilson score (Wilson 1927)",
        "moe_normal_pp_at_50": round(normal_moe(0.5, state["n_total"]) * 100, 2),
        "town_shares_pct": state["shares"],
        "town_n_derived": state["derived_n"],
        "town_n_method": "largest remainder (Hamilton) rounding of n × share / 100; derived, not published",
        "significance": {
            "alpha": state["alpha"],
            "single_choice": "z-test for two answers of one multinomial sample: Var(p1 − p2) = (p1 + p2 − (p1 − p2)²)/n",
            "multiple_response": "significant only if the 95 % Wilson intervals do not overlap (conservative)",
            "single_choice_questions": state["single"],
            "pairs": state["sig"].replace({np.nan: None}).to_dict(orient="records"),
        },
        "wilson_intervals_pct": [
            {
                "question_id": str(r.question_id),
                "answer_id": str(r.answer_id),
                "percent": float(r.percent),
                "lo": round(float(r.ci_lo), 3),
                "hi": round(float(r.ci_hi), 3),
            }
            for r in state["survey_ci"].itertuples()
        ],
        "citation": PAPER_000,
    }


def _index_parameters(state: dict[str, Any]) -> dict[str, Any]:
    """The composite index: method, weights, indicators with their values, index and ranks."""
    return {
        "method": "OECD/JRC Handbook on Constructing Composite Indicators (Nardo et al. 2008)",
        "normalisation": state["config"].normalisation,
        "aggregation": state["config"].aggregation,
        "geometric_floor": state["config"].geometric_floor,
        "group_weights": dict(state["config"].group_weights),
        "role_weights": dict(state["config"].role_weights),
        "missing": state["missing_policy"],
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
                    t: (None if pd.isna(v) else float(v))
                    for t, v in state["values"][e.spec.id].items()
                },
                "used": e.spec.id in state["clean"].columns,
                "dropped_because": state["dropped"].get(e.spec.id),
            }
            for e in state["entries"]
        ],
        "effective_weights": state["result"].weights,
        "imputed": state["imputed_cells"],
        "index": {str(t): float(v) for t, v in state["result"].index.items()},
        "rank": {str(t): int(v) for t, v in state["result"].rank.items()},
    }


def _monte_carlo_parameters(state: dict[str, Any]) -> dict[str, Any]:
    """The Monte Carlo uncertainty and sensitivity analysis and its results."""
    return {
        "runs": state["mc_runs"],
        "seed": state["mc_seed"],
        "normalisations": state["mc_norms"],
        "aggregations": state["mc_aggs"],
        "weight_spread": state["spread"],
        "interval_percentiles": [float(state["interval"][0]), float(state["interval"][1])],
        "average_rank_shift": state["avg_shift"],
        "ranks": {
            str(t): {c: float(state["mc"].loc[t, c]) for c in state["mc"].columns}
            for t in state["mc"].index
        },
        "sensitivity_first_order": {
            factor: {
                str(t): (None if pd.isna(v) else round(float(v), 4))
                for t, v in state["mc_result"].sensitivity.loc[factor].items()
            }
            for factor in state["mc_result"].sensitivity.index
        },
        "sensitivity_method": "first-order index S = V[E(rank|input)]/V(rank), given-data estimator (10 equal-count bins for continuous inputs); NaN/None where a rank never changes",
        "citation": "Saisana, Saltelli & Tarantola 2005, JRSS A 168:307–323",
    }


def _notes(state: dict[str, Any]) -> dict[str, Any]:
    """Sampling-error, data and robustness notes shown on the map.

    Reads ``derived_n``, ``dist_prov``, ``dropped``, ``entries``, ``gshare``, ``gsize``,
    ``interval``, ``mc``, ``mc_result``, ``mining_info``, ``n_total``, ``shares``,
    ``town_of_answer``, ``town_prov``, ``town_q``, ``towns`` from the build *state*;
    returns ``notes``.
    """
    derived_n = state["derived_n"]
    dropped = state["dropped"]
    mining_info = state["mining_info"]
    n_total = state["n_total"]
    shares = state["shares"]
    town_of_answer = state["town_of_answer"]
    towns = state["towns"]
    town_ns = [derived_n[a] for a in town_of_answer]
    notes = [
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
        _fmt(NOTES["group"], share=state["gshare"], size=state["gsize"]),
    ]
    if state["town_prov"]["synthetic"]:
        notes.append(NOTES["synthetic_towns"])
    if state["dist_prov"]["synthetic"]:
        notes.append(NOTES["synthetic_districts"])
    for ans, town in sorted(town_of_answer.items(), key=lambda kv: kv[1]):
        if counts_matching_share(shares[ans], n_total):
            continue
        k0 = math.floor(n_total * shares[ans] / 100.0)
        label = ANSWER_LABELS.get((state["town_q"], ans))
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
        notes.append(for_lang)
    if dropped:
        notes.append(NOTES["few_units"])
        notes.append(_dropped_note(dropped, state["entries"]))
    if mining_info["not_in_breakdown"]:
        notes.append(_not_covered_note(mining_info["not_in_breakdown"]))
    town_label = {
        "en": {t: t for t in towns["town"]},
        "kk": dict(zip(towns["town"], towns["name_kk"], strict=True)),
        "ru": dict(zip(towns["town"], towns["name_ru"], strict=True)),
    }
    notes.append(
        _robustness_note(state["mc"], state["mc_result"].sensitivity, state["interval"], town_label)
    )
    return {"notes": notes}


def _district_nan_label(reporting: pd.Series, group_share: float, group_size: int) -> Text:
    """Legend text of the districts without an individual share.

    They are the group published only together when every such district
    belongs to it; otherwise some (e.g. the city of Taraz) are simply not in
    the published breakdown, and the label says both.
    """
    without = set(reporting[reporting != "individual"])
    if without <= {"group"}:
        return _fmt(T["nan_group"], share=group_share)
    return _fmt(T["nan_mixed"], share=group_share, size=group_size)


def _dropped_note(dropped: dict[str, str], entries: list[_IndicatorEntry]) -> Text:
    titles = {e.spec.id: e.title for e in entries}
    parts = {lang: "; ".join(tr(titles[k], lang) for k in sorted(dropped)) for lang in LANGUAGES}
    return text(
        f"Left out of the index (not published for every town): {parts['en']}.",
        f"Индекске кірмеді (әр қалаға жарияланбаған): {parts['kk']}.",
        f"Не вошли в индекс (опубликованы не для всех городов): {parts['ru']}.",
    )


FACTOR_LABELS: dict[str, Text] = {
    "normalisation": text("the normalisation", "нормалау әдісі", "способ нормировки"),
    "aggregation": text("the aggregation", "біріктіру әдісі", "способ агрегирования"),
    "weight": text("the weights", "салмақтар", "веса"),
    "value": text("the imputed values", "толтырылған мәндер", "вмененные значения"),
}


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


def _not_covered_note(items: list[dict[str, Any]]) -> Text:
    names = ", ".join(str(i["district"]) for i in items)
    return text(
        f"Not in the published mining breakdown: {names}.",
        f"Тау-кен өнімінің жарияланған бөлінісінде жоқ: {names}.",
        f"Нет в опубликованной разбивке горнодобычи: {names}.",
    )


def _popup_html(
    town: str, row: pd.Series, survey: pd.DataFrame, questions: list[str], lang: str, n_total: int
) -> str:
    """The popup chart of a town: one SVG built from numbers and the toolkit's labels only."""
    header = ""
    share = row.get("survey_share_pct")
    if share is not None and pd.notna(share):
        header = (
            f"{tr(T['share'], lang)}: {float(share):.1f} % "
            f"({float(row['survey_share_lo']):.1f}–{float(row['survey_share_hi']):.1f} %), "
            f"n ≈ {int(row['survey_n_derived'])}"
        )
    charts = []
    for q in questions:
        sub = survey[survey["question_id"].astype(str) == q]
        if sub.empty:
            continue
        bars = []
        cols = zip(
            sub["answer_id"].astype(str),
            sub["percent"].to_numpy(dtype=float),
            sub["ci_lo"].to_numpy(dtype=float),
            sub["ci_hi"].to_numpy(dtype=float),
            strict=True,
        )
        for j, (answer, pct, lo, hi) in enumerate(cols):
            label = ANSWER_LABELS.get((q, answer))
            name = tr(label, lang) if label else f"{tr(T['answer'], lang)} {j + 1}"
            bars.append((name, float(pct), float(lo), float(hi)))
        charts.append((tr(QUESTION_LABELS[q], lang), bars))
    return survey_chart_svg(charts, header=header, note=tr(T["pooled"], lang))
