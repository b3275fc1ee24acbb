"""Manifest parameters, description and map notes of the pollution theme.

Everything recorded in ``manifest.json`` (method, wind rose, MPCs, SPZ table,
grid, maxima), the theme's description and the limitations shown on every
pollution map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.crs import crs_label
from geo.grid import AnalysisGrid
from geo.i18n import Text, text, tr
from geo.raster import nanmax
from geo.recipe import shown_path
from geo.themes.pollution.settings import PollutionSettings

DESCRIPTION = text(
    "Where the emissions of the sources could reach at worst: maximum one-time ground-level concentrations by the regulatory OND-86 method, sanitary protection zones and their overlaps with homes and farmland. The sources are synthetic, so the map shows the method, not measured pollution.",
    "Көздер шығарындылары ең нашар жағдайда қайда жетуі мүмкін: ОНД-86 нормативтік әдісі бойынша жер бетіндегі ең жоғары бір реттік шоғырлану, санитариялық-қорғаныш аймақтары және олардың тұрғын үйлер мен егістікпен қабаттасуы. Көздер синтетикалық, сондықтан карта өлшенген ластануды емес, әдісті көрсетеді.",
    "Куда в худшем случае могут доходить выбросы источников: максимальные разовые приземные концентрации по нормативной методике ОНД-86, санитарно-защитные зоны и их наложение на жильё и сельхозземли. Источники синтетические, поэтому карта показывает методику, а не измеренное загрязнение.",
)


NOTES: tuple[Text, ...] = (
    text(
        "Terrain coefficient η = 1 (flat terrain) is assumed everywhere; near the Karatau range OND-86 §4 may require η > 1, which would raise the concentrations.",
        "Жер бедері коэффициенті η = 1 (тегіс жер) барлық жерде қабылданған; Қаратау жотасы маңында ОНД-86 §4 бойынша η > 1 болуы мүмкін, бұл шоғырлануды арттырады.",
        "Коэффициент рельефа η = 1 (ровная местность) принят везде; у хребта Каратау по ОНД-86 §4 может требоваться η > 1, что повысит концентрации.",
    ),
    text(
        "The wind rose is uniform (no measured rose embedded); it affects only the wind-rose-weighted index. MPC values are the Russian SanPiN 1.2.3685-21 ones; Kazakh values (order ҚР ДСМ-70, 2022) and SPZ widths (ҚР ДСМ-2, 2022) are not verified.",
        "Жел раушаны біркелкі (өлшенген раушан жоқ); ол тек жел раушаны бойынша өлшенген индекске әсер етеді. ШРК мәндері — Ресейдің СанПиН 1.2.3685-21 мәндері; Қазақстан мәндері (ҚР ДСМ-70, 2022) және СҚА ендері (ҚР ДСМ-2, 2022) тексерілмеген.",
        "Роза ветров равномерная (измеренной нет); она влияет только на индекс, взвешенный по розе ветров. ПДК — российские по СанПиН 1.2.3685-21; казахстанские значения (ҚР ДСМ-70, 2022) и ширины СЗЗ (ҚР ДСМ-2, 2022) не проверены.",
    ),
    text(
        "Σ C/MPC is a screening index: OND-86 adds C/MPC only within summation groups. Area sources are modelled as cold fugitive releases split over their footprint; population above 1 MPC assumes an even spread over each zone.",
        "Σ C/ШРК — скринингтік индекс: ОНД-86 C/ШРК-ны тек суммациялық топтар ішінде қосады. Алаңдық көздер ауданына бөлінген суық ұйымдаспаған шығарындылар ретінде модельденген; 1 ШРК-дан жоғары халық аймақта біркелкі орналасқан деп есептеледі.",
        "Σ C/ПДК — скрининговый индекс: ОНД-86 суммирует C/ПДК только внутри групп суммации. Площадные источники смоделированы как холодные неорганизованные выбросы, распределённые по площади; население выше 1 ПДК рассчитано при равномерном расселении по зоне.",
    ),
)
"""Limitations shown on every pollution map."""

SYNTHETIC_SOURCES_NOTE: Text = text(
    "SYNTHETIC sources: the kinds of source and the enterprise names come from the study; positions, stacks, emission rates and hazard classes are invented. The maps show the method, not measured pollution.",
    "СИНТЕТИКАЛЫҚ көздер: көз түрлері мен кәсіпорын атаулары зерттеуден алынған; орналасуы, мұржалары, шығарындылары мен қауіптілік сыныптары ойдан жасалған. Карталар әдісті көрсетеді, өлшенген ластануды емес.",
    "СИНТЕТИЧЕСКИЕ источники: виды источников и названия предприятий взяты из исследования; расположение, трубы, выбросы и классы опасности вымышлены. Карты показывают методику, а не измеренное загрязнение.",
)
"""Shown when the sources are the atlas's synthetic ones."""

GIVEN_SOURCES_NOTE = text(
    "The sources are those of the enterprises layer given for this build ({source}); where it does not give a stack, an emission rate or a hazard class, the value is an assumption stated in the source's note. The maps show regulatory worst cases, not measured pollution.",
    "Көздер осы құрастыруға берілген кәсіпорындар қабатынан алынған ({source}); қабатта мұржа, шығарынды немесе қауіптілік сыныбы болмаса, мәні көздің ескертпесінде айтылған болжам. Карталар өлшенген ластануды емес, нормативтік ең нашар жағдайды көрсетеді.",
    "Источники — из слоя предприятий, заданного для этой сборки ({source}); где слой не даёт трубу, выброс или класс опасности, значение — допущение, указанное в примечании источника. Карты показывают нормативный худший случай, а не измеренное загрязнение.",
)
"""Shown when the sources come from a user's file or a fetch (OpenStreetMap)."""

GIVEN_DESCRIPTION = text(
    "Where the emissions of the sources could reach at worst: maximum one-time ground-level concentrations by the regulatory OND-86 method, sanitary protection zones and their overlaps with homes and farmland, for the sources of the enterprises layer given for this build.",
    "Көздер шығарындылары ең нашар жағдайда қайда жетуі мүмкін: ОНД-86 нормативтік әдісі бойынша жер бетіндегі ең жоғары бір реттік шоғырлану, санитариялық-қорғаныш аймақтары және олардың тұрғын үйлер мен егістікпен қабаттасуы, осы құрастыруға берілген кәсіпорындар қабатының көздері үшін.",
    "Куда в худшем случае могут доходить выбросы источников: максимальные разовые приземные концентрации по нормативной методике ОНД-86, санитарно-защитные зоны и их наложение на жильё и сельхозземли — для источников слоя предприятий, заданного для этой сборки.",
)


def source_notes(provenance: Mapping[str, Any]) -> tuple[Text, list[Text]]:
    """The description and notes of a pollution map, by where its sources come from."""
    if provenance.get("synthetic", True):
        return DESCRIPTION, [NOTES[0], SYNTHETIC_SOURCES_NOTE, *NOTES[1:]]
    src = provenance.get("source", "")
    given = {k: v.format(source=tr(src, k)[:160]) for k, v in GIVEN_SOURCES_NOTE.items()}
    return GIVEN_DESCRIPTION, [NOTES[0], given, *NOTES[1:]]


def _parameters(
    s: PollutionSettings,
    grid: AnalysisGrid,
    field: Any,
    n_sub_sources: int,
    spz_info: dict[str, Any],
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``: method, wind rose, MPCs, SPZ table, grid, maxima."""
    pollutants = s.pollutants
    return {
        "method": s.method,
        "A": s.A,
        "eta": s.eta,
        "coefficients": s.coefficients.as_dict(),
        "air_temp_c": s.air_temp_c,
        "air_temp_heating_c": s.air_temp_heating_c,
        "air_temp_citation": "paper 001: July mean +31.9 °C, January mean −10.4 °C (Zhanatas); OND-86 asks for the mean maximum of the hottest month",
        "area_source_points": s.area_source_points,
        "s2_floor": s.s2_floor,
        "max_distance_m": s.max_distance,
        "dtype": s.dtype,
        "wind_rose": {
            "directions_from_deg": list(s.wind.directions),
            "frequencies": list(s.wind.frequencies),
            "speeds_m_s": list(field.speeds),
            "note": "uniform default: no measured wind rose embedded",
        },
        "pollutants": [p.record() for p in pollutants],
        "mpc_table": shown_path(s.mpc_path),
        "index": {
            "method": "sum_ratio",
            "pollutants": list(s.index_ids),
            "caveat": "screening index; OND-86 sums C/MPC only within summation groups",
        },
        "spz_table": spz_info,
        "grid": {
            "crs": crs_label(grid.crs),
            "cell_size_m": grid.cell_size,
            "width": grid.width,
            "height": grid.height,
        },
        "evaluations": int(field.evaluations),
        "sub_sources": n_sub_sources,
        "max_concentration_mg_m3": {p.id: nanmax(field.max[j]) for j, p in enumerate(pollutants)},
    }
