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


def _recipe_list(recipe: Recipe, key: str, default: Sequence[Any]) -> list[Any]:
    value = recipe.get(key, list(default))
    if not isinstance(value, list):
        raise recipe.error(key, 'must be a list, e.g. ["a", "b"]')
    return value


def _recipe_choice(recipe: Recipe, key: str, default: str, allowed: Sequence[str]) -> str:
    value = str(recipe.get(key, default))
    if value not in allowed:
        raise recipe.error(key, f"{value!r} is not one of {', '.join(allowed)}; use one of them")
    return value


def _recipe_number(recipe: Recipe, key: str, default: float, lo: float, hi: float) -> float:
    value = recipe.get(key, default)
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise recipe.error(key, f"{value!r} is not a number") from None
    if not lo <= f <= hi:
        raise recipe.error(key, f"{f:g} is outside {lo:g}–{hi:g}")
    return f


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
    for f in ("town", "indicator_id", "value", "unit", "derivation", "source"):
        if f not in df.columns:
            msg = f"{path}: required column {f!r} is missing for table 'town_indicators'; add it"
            raise IndicatorError(msg)
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
    members = [str(m) for m in _recipe_list(recipe, "mining.group_members", [])]
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
    lang = ctx.lang
    # --- settings
    town_names = [
        str(t) for t in _recipe_list(recipe, "towns.names", ["Zhanatas", "Karatau", "Shu"])
    ]
    geometry_layer = _recipe_choice(
        recipe, "towns.geometry", "town_boundaries", ["town_boundaries", "towns"]
    )
    style_field = str(recipe.get("towns.style_field", "survey_share_pct"))
    survey_table = str(recipe.get("survey.table", "survey_2023"))
    town_q = str(recipe.get("survey.town_question", "town"))
    single = [str(q) for q in _recipe_list(recipe, "survey.single_choice", [])]
    complete = [str(q) for q in _recipe_list(recipe, "survey.complete", [])]
    tol = _recipe_number(recipe, "survey.sum_tolerance", 0.5, 0.0, 10.0)
    alpha = _recipe_number(recipe, "survey.alpha", 0.05, 1e-6, 0.5)
    chart_qs = [str(q) for q in _recipe_list(recipe, "survey.chart_questions", ["economy"])]
    for q in chart_qs:
        if q not in QUESTION_LABELS:
            raise recipe.error(
                "survey.chart_questions",
                f"{q!r} has no toolkit label; chart one of {', '.join(QUESTION_LABELS)}",
            )
    group_imputation = _recipe_choice(
        recipe, "mining.group_imputation", "equal_split", ["equal_split", "none"]
    )
    config = IndexConfig(
        normalisation=_recipe_choice(recipe, "index.normalisation", "minmax", NORMALISATIONS),
        aggregation=_recipe_choice(recipe, "index.aggregation", "linear", AGGREGATIONS),
        group_weights={
            g: _recipe_number(recipe, f"index.group_weights.{g}", 1.0, 0.0, 1e6) for g in GROUPS
        },
        role_weights={
            r: _recipe_number(recipe, f"index.role_weights.{r}", d, 0.0, 1e6)
            for r, d in (("main", 1.0), ("inhibiting", 1.0), ("additional", 0.5))
        },
        geometric_floor=_recipe_number(recipe, "index.geometric_floor", 0.1, 1e-6, 0.999),
    )
    missing_policy = _recipe_choice(
        recipe, "index.missing", "drop_indicator", ["drop_indicator", "mean", "drop_unit"]
    )
    entries = _indicator_entries(recipe)
    mc_runs = int(_recipe_number(recipe, "monte_carlo.runs", 1000, 1, 1_000_000))
    mc_seed = int(_recipe_number(recipe, "monte_carlo.seed", 20231, 0, 2**32 - 1))
    mc_norms = [
        str(m) for m in _recipe_list(recipe, "monte_carlo.normalisations", [config.normalisation])
    ]
    mc_aggs = [
        str(a) for a in _recipe_list(recipe, "monte_carlo.aggregations", [config.aggregation])
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
    spread = _recipe_number(recipe, "monte_carlo.weight_spread", 0.5, 0.0, 0.99)
    interval = _recipe_list(recipe, "monte_carlo.interval", [5, 95])
    if len(interval) != 2 or not 0 <= float(interval[0]) < float(interval[1]) <= 100:
        raise recipe.error("monte_carlo.interval", "give two percentiles like [5, 95]")
    scheme = _recipe_choice(recipe, "classification.scheme", "natural_breaks", list(SCHEMES))
    k = int(_recipe_number(recipe, "classification.k", 3, 1, 9))
    ramps = {}
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

    towns = _town_geometry(ctx, recipe, town_names, geometry_layer)

    # --- survey
    survey = ctx.layer(survey_table)
    for f in ("question_id", "answer_id", "percent", "n"):
        if f not in survey.columns:
            msg = f"table {survey_table!r}: required column {f!r} is missing; add it"
            raise IndicatorError(msg)
    check_share_range(survey, table=survey_table, field="percent")
    check_group_sums(
        survey,
        table=survey_table,
        group_field="question_id",
        value_field="percent",
        groups=complete,
        tolerance=tol,
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
        town_names,
        table=survey_table,
        field="answer_id",
        layer="towns",
        skip=[a for a in shares if normalise_name(a) in ("notstated", "none", "other", "unknown")],
        rows=tq_rows,
    )
    derived_n = town_sample_sizes(shares, n_total)
    sig = pairwise_significance(survey, single_choice=single, alpha=alpha)
    p_all = survey["percent"].to_numpy(dtype=float) / 100.0
    lo_all, hi_all = wilson_interval(p_all, n_values.to_numpy(dtype=float))
    survey_ci = survey.assign(ci_lo=lo_all * 100.0, ci_hi=hi_all * 100.0)

    # --- geometries
    town_prov = ctx.catalog.provenance(geometry_layer)
    districts = ctx.layer("districts")
    dist_prov = ctx.catalog.provenance("districts")
    name_col, kk_col, ru_col = _district_names(districts)

    # --- mining shares by district
    mining = ctx.layer(str(recipe.get("mining.table", "mining_share")))
    by_district, mining_info = _mining_by_district(recipe, mining, districts, name_col)
    town_district = _town_districts(towns, districts, name_col)

    # --- indicator values
    town_ind, town_ind_where = _read_town_indicators(ctx)
    facts = ctx.layer("town_facts")
    values = pd.DataFrame(index=pd.Index(town_names, name="town"), dtype=float)
    bounds: dict[tuple[str, str], tuple[float, float]] = {}
    imputed_cells: list[dict[str, Any]] = []
    share_of = dict(
        zip(
            by_district["district"],
            zip(by_district["share_pct"], by_district["reporting"], strict=True),
            strict=True,
        )
    )
    group = mining_info["group"]
    for e in entries:
        col = pd.Series(np.nan, index=values.index, dtype=float)
        if e.source == "mining_share":
            for t in town_names:
                d = town_district.get(t)
                if d is None or d not in share_of:
                    continue
                share, reporting = share_of[d]
                if reporting == "individual":
                    col[t] = share
                elif reporting == "group" and group_imputation == "equal_split":
                    col[t] = group["share_pct"] / group["size"]
                    bounds[(t, e.spec.id)] = (0.0, float(group["share_pct"]))
                    imputed_cells.append(
                        {
                            "town": t,
                            "indicator": e.spec.id,
                            "value": round(float(col[t]), 4),
                            "method": f"equal split of the {group['row']!r} share {group['share_pct']:g} % over {group['size']} districts; Monte Carlo draws U(0, {group['share_pct']:g})",
                        }
                    )
        else:
            df, tname = (
                (town_ind, "town_indicators")
                if e.source == "town_indicators"
                else (facts, "town_facts")
            )
            found_values = _long_values(df, tname, town_names, e.table_id)
            if not found_values:
                known = sorted({str(v) for v in df["indicator_id"]})
                close = closest_name(e.table_id, known)
                raise recipe.error(
                    "index.indicators",
                    f"indicator {e.spec.id!r}: table {tname!r} has no rows with indicator_id "
                    f"{e.table_id!r}; did you mean {close!r}?",
                )
            for t, v in found_values.items():
                col[t] = v
        values[e.spec.id] = col
    specs = [e.spec for e in entries]
    clean, kept, dropped, imputed = prepare_values(values, specs, missing_policy)
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
        runs=mc_runs,
        seed=mc_seed,
        normalisations=mc_norms,
        aggregations=mc_aggs,
        weight_spread=spread,
        bounds=mc_bounds,
        interval=(float(interval[0]), float(interval[1])),
    )
    mc, avg_shift = mc_result.ranks, mc_result.average_shift

    # --- layer: indicators_by_town
    by_town = towns.copy()
    by_town["survey_share_pct"] = np.nan
    by_town["survey_share_lo"] = np.nan
    by_town["survey_share_hi"] = np.nan
    by_town["survey_n_derived"] = pd.array([pd.NA] * len(by_town), dtype="Int64")
    by_town["moe_pp_at_50"] = np.nan
    by_town["not_significant_vs"] = ""
    answer_of_town = {v: k for k, v in town_of_answer.items()}
    tsig = sig[sig["question_id"] == town_q]
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
    by_town["district"] = [town_district.get(t) or "" for t in by_town["town"]]
    for e in entries:
        by_town[e.spec.id] = values[e.spec.id].reindex(by_town["town"]).to_numpy()
    by_town["chart_html"] = [
        _popup_html(t, by_town.iloc[i], survey_ci, chart_qs, lang, n_total)
        for i, t in enumerate(by_town["town"])
    ]
    by_town["synthetic"] = bool(town_prov["synthetic"])
    by_town["data_note"] = (
        "SYNTHETIC outline; survey figures published (paper 000), sample sizes derived"
        if town_prov["synthetic"]
        else "GeoNames point; survey figures published (paper 000), sample sizes derived"
    )
    town_breaks, town_labels, _ = classify(
        by_town[style_field].to_numpy(dtype=float) if style_field in by_town else [], scheme, k
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
        FieldSpec("moe_pp_at_50", T["moe_town"], "pp", 1),
        FieldSpec("not_significant_vs", T["not_sig"]),
        FieldSpec("district", T["district"]),
        *(FieldSpec(e.spec.id, e.title, e.unit, 1) for e in entries),
    )
    vec_towns = VectorLayer(
        name="indicators_by_town",
        title=T["by_town_title"],
        data=by_town,
        style=Graduated(
            style_field,
            town_breaks,
            ramp(ramps["ramp_towns"], len(town_breaks) - 1),
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
        metadata={"inputs": [survey_table, geometry_layer, "town_facts", "town_indicators"]},
    )

    # --- layer: indicators_by_district
    dist = districts[[name_col, *(c for c in (kk_col, ru_col) if c), "geometry"]].copy()
    dist = dist.rename(
        columns={
            name_col: "district",
            **({kk_col: "name_kk"} if kk_col else {}),
            **({ru_col: "name_ru"} if ru_col else {}),
        }
    )
    dist = dist.merge(by_district, on="district", how="left")
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
    d_breaks, d_labels, _ = classify(dist["share_pct"].to_numpy(dtype=float), scheme, k)
    vec_dist = VectorLayer(
        name="indicators_by_district",
        title=T["by_district_title"],
        data=dist,
        style=Graduated(
            "share_pct",
            d_breaks,
            ramp(ramps["ramp_mining"], len(d_breaks) - 1),
            unit="%",
            labels=tuple(f"{lab} %" for lab in d_labels),
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
        metadata={"mining": mining_info},
    )
    members = dist[dist["reporting"] == "group"]
    vectors = [vec_towns, vec_dist]
    if len(members):
        grp = gpd.GeoDataFrame(
            {
                "reporting_unit": [tr(_fmt(T["group"], size=gsize), lang)],
                "unit_share_pct": [float(group["share_pct"])],
                "districts": [", ".join(sorted(members["district"]))],
                "label": [tr(_fmt(T["group_note"], share=gshare, size=gsize), lang)],
                "synthetic": [bool(dist_prov["synthetic"])],
                "data_note": ["group outline of the districts published together (paper 000)"],
            },
            geometry=[shapely.union_all(members.geometry.values)],
            crs=dist.crs,
        )
        vectors.append(
            VectorLayer(
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
        )

    # --- layer: sustainability_index
    idx = towns[towns["town"].isin(list(clean.index))].copy()
    idx["index"] = [round(float(result.index[t]), 6) for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi", "rank_median", "p_rank1", "mean_abs_shift"):
        idx[c] = [mc.loc[t, c] for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi"):
        idx[c] = idx[c].astype(int)
    for g in GROUPS:
        idx[f"score_{g}"] = [
            float(result.groups[g][t]) if g in result.groups else np.nan for t in idx["town"]
        ]
    idx["indicators_used"] = ", ".join(s.id for s in kept)
    idx["imputed"] = [
        ", ".join(
            c["indicator"]
            for c in imputed_cells
            if c["town"] == t and c["indicator"] in clean.columns
        )
        for t in idx["town"]
    ]
    idx["synthetic"] = bool(town_prov["synthetic"])
    idx["data_note"] = by_town["data_note"].iloc[0]
    i_breaks, i_labels, _ = classify(idx["index"].to_numpy(dtype=float), scheme, k)
    vec_idx = VectorLayer(
        name="sustainability_index",
        title=T["index_title"],
        data=idx,
        style=Graduated(
            "index", i_breaks, ramp(ramps["ramp_index"], len(i_breaks) - 1), labels=i_labels
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
    vectors.append(vec_idx)

    # --- parameters and notes
    parameters: dict[str, Any] = {
        "recipe": str(recipe.path),
        "tables": {
            survey_table: PAPER_000,
            str(mining_info["table"]): PAPER_000,
            "town_facts": PAPER_001,
            "town_indicators": f"{town_ind_where} (each row cites its source and derivation)",
        },
        "geometry": {
            "towns": geometry_layer,
            "districts": "districts",
            "districts_name_field": name_col,
        },
        "survey": {
            "n": n_total,
            "confidence": 0.95,
            "z": Z95,
            "interval": "Wilson score (Wilson 1927)",
            "moe_normal_pp_at_50": round(normal_moe(0.5, n_total) * 100, 2),
            "town_shares_pct": shares,
            "town_n_derived": derived_n,
            "town_n_method": "largest remainder (Hamilton) rounding of n × share / 100; derived, not published",
            "significance": {
                "alpha": alpha,
                "single_choice": "z-test for two answers of one multinomial sample: Var(p1 − p2) = (p1 + p2 − (p1 − p2)²)/n",
                "multiple_response": "significant only if the 95 % Wilson intervals do not overlap (conservative)",
                "single_choice_questions": single,
                "pairs": sig.replace({np.nan: None}).to_dict(orient="records"),
            },
            "wilson_intervals_pct": [
                {
                    "question_id": str(r.question_id),
                    "answer_id": str(r.answer_id),
                    "percent": float(r.percent),
                    "lo": round(float(r.ci_lo), 3),
                    "hi": round(float(r.ci_hi), 3),
                }
                for r in survey_ci.itertuples()
            ],
            "citation": PAPER_000,
        },
        "mining": {
            **mining_info,
            "group_imputation": group_imputation,
            "town_districts": town_district,
        },
        "index": {
            "method": "OECD/JRC Handbook on Constructing Composite Indicators (Nardo et al. 2008)",
            "normalisation": config.normalisation,
            "aggregation": config.aggregation,
            "geometric_floor": config.geometric_floor,
            "group_weights": dict(config.group_weights),
            "role_weights": dict(config.role_weights),
            "missing": missing_policy,
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
                        t: (None if pd.isna(v) else float(v)) for t, v in values[e.spec.id].items()
                    },
                    "used": e.spec.id in clean.columns,
                    "dropped_because": dropped.get(e.spec.id),
                }
                for e in entries
            ],
            "effective_weights": result.weights,
            "imputed": imputed_cells,
            "index": {str(t): float(v) for t, v in result.index.items()},
            "rank": {str(t): int(v) for t, v in result.rank.items()},
        },
        "monte_carlo": {
            "runs": mc_runs,
            "seed": mc_seed,
            "normalisations": mc_norms,
            "aggregations": mc_aggs,
            "weight_spread": spread,
            "interval_percentiles": [float(interval[0]), float(interval[1])],
            "average_rank_shift": avg_shift,
            "ranks": {str(t): {c: float(mc.loc[t, c]) for c in mc.columns} for t in mc.index},
            "sensitivity_first_order": {
                factor: {
                    str(t): (None if pd.isna(v) else round(float(v), 4))
                    for t, v in mc_result.sensitivity.loc[factor].items()
                }
                for factor in mc_result.sensitivity.index
            },
            "sensitivity_method": "first-order index S = V[E(rank|input)]/V(rank), given-data estimator (10 equal-count bins for continuous inputs); NaN/None where a rank never changes",
            "citation": "Saisana, Saltelli & Tarantola 2005, JRSS A 168:307–323",
        },
        "classification": {
            "scheme": scheme,
            "mapclassify": SCHEMES[scheme],
            "k": k,
            "breaks": {
                "indicators_by_town": list(town_breaks),
                "indicators_by_district": list(d_breaks),
                "sustainability_index": list(i_breaks),
            },
        },
    }
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
        _fmt(NOTES["group"], share=gshare, size=gsize),
    ]
    if town_prov["synthetic"]:
        notes.append(NOTES["synthetic_towns"])
    if dist_prov["synthetic"]:
        notes.append(NOTES["synthetic_districts"])
    for ans, town in sorted(town_of_answer.items(), key=lambda kv: kv[1]):
        if counts_matching_share(shares[ans], n_total):
            continue
        k0 = math.floor(n_total * shares[ans] / 100.0)
        label = ANSWER_LABELS.get((town_q, ans))
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
        notes.append(_dropped_note(dropped, entries))
    if mining_info["not_in_breakdown"]:
        notes.append(_not_covered_note(mining_info["not_in_breakdown"]))
    town_label = {
        "en": {t: t for t in towns["town"]},
        "kk": dict(zip(towns["town"], towns["name_kk"], strict=True)),
        "ru": dict(zip(towns["town"], towns["name_ru"], strict=True)),
    }
    notes.append(_robustness_note(mc, mc_result.sensitivity, interval, town_label))
    log.info(
        "sustainability: %d indicators used (%d dropped), ranks %s, MC %d runs (average rank shift %.3f)",
        len(kept),
        len(dropped),
        dict(result.rank),
        mc_runs,
        avg_shift,
    )
    return ThemeResult(
        theme=THEME,
        title=TITLE,
        vectors=vectors,
        parameters=parameters,
        notes=notes,
        inputs=sorted(
            {survey_table, str(mining_info["table"]), "town_facts", "districts", geometry_layer}
        ),
    )


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
