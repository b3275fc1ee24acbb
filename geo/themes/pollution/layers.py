"""Vector layers of the pollution theme.

The sources styled by kind, the sanitary zones by hazard class, the SPZ
conflicts and the exposure by zone, each with its translated title, fields,
description and source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd

from geo.i18n import PROVENANCE, fill, text
from geo.results import VectorLayer
from geo.symbology import Categorized, Category, FieldSpec, Graduated, ramp
from geo.themes.common import unit
from geo.themes.pollution.labels import (
    AREA_KINDS,
    CLASS_COLOURS,
    INDEX_UNIT,
    KIND_COLOURS,
    KIND_TEXT,
    STACK_KINDS,
    _pollutant_text,
)
from geo.themes.pollution.settings import Pollutant

_NAME_F = FieldSpec("name", text("Name", "Атауы", "Название"))


_CLASS_F = FieldSpec("hazard_class", text("Hazard class", "Қауіптілік сыныбы", "Класс опасности"))


def _vectors(
    src: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    conflicts: gpd.GeoDataFrame,
    exposure: gpd.GeoDataFrame,
    pollutants: Sequence[Pollutant],
    provenance: Mapping[str, Mapping[str, Any]],
) -> list[VectorLayer]:
    """The sources, sanitary zones, SPZ conflicts and exposure layers, in drawing order.

    *provenance* (catalog id → source, licence, synthetic flag) says whether the
    sources and the zones they fall on are the atlas's synthetic ones or given.
    """
    ent = provenance["enterprises"]
    syn = bool(ent["synthetic"])
    zones_syn = syn or bool(provenance["micro_districts"]["synthetic"])
    given = fill(PROVENANCE["layer_source"], layer="enterprises", source=ent["source"])
    layers = [
        _source_layer(src, pollutants),
        _zones_layer(zones),
        _conflicts_layer(conflicts),
        _exposure_layer(exposure, pollutants),
    ]
    flags = (syn, syn, zones_syn, zones_syn)
    for layer, flag in zip(layers, flags, strict=True):
        layer.synthetic = flag
    if not syn:  # name the user's or the fetched sources, not the synthetic ones
        layers[0].source = given
        layers[1].source = fill("layers/tables/spz_widths.csv; {given}", given=given)
    return layers


def _source_layer(src: gpd.GeoDataFrame, pollutants: Sequence[Pollutant]) -> VectorLayer:
    """The sources styled by kind, with emission rates and each source's own cm / MPC."""
    kinds = tuple(Category(k, KIND_COLOURS[k], KIND_TEXT[k]) for k in STACK_KINDS + AREA_KINDS)
    src_fields = (
        _NAME_F,
        FieldSpec("kind", text("Kind", "Түрі", "Вид")),
        _CLASS_F,
        FieldSpec("height_m", text("Height", "Биіктігі", "Высота"), unit("m"), 0),
        *(
            FieldSpec(
                f"m_{p.id}_g_s",
                _pollutant_text(p, "{} emission", "{} шығарындысы", "выброс: {}"),
                unit("g/s"),
                2,
            )
            for p in pollutants
        ),
        *(
            FieldSpec(
                f"cm_{p.id}_mpc",
                _pollutant_text(
                    p,
                    "{}: the source's own maximum, share of the MPC",
                    "{}: көздің өз ең жоғары шоғырлануы, ШРК үлесі",
                    "{}: собственный максимум источника, доля ПДК",
                ),
                "",
                2,
            )
            for p in pollutants
        ),
    )
    return VectorLayer(
        name="enterprises",
        title=text("Pollution sources", "Ластау көздері", "Источники загрязнения"),
        data=src,
        style=Categorized("kind", kinds),
        fields=src_fields,
        description=text(
            "Stacks and area sources with emission rates and each source's own maximum one-time concentration (cm) over MPC.",
            "Шығарынды қарқыны және әр көздің ең жоғары бір реттік шоғырлануы (См) / ШРК көрсетілген мұржалар мен алаңдық көздер.",
            "Трубы и площадные источники с мощностью выбросов и максимальной разовой концентрацией (См) каждого источника / ПДК.",
        ),
        source=text(
            "SYNTHETIC: layer `enterprises` (kinds and names from papers 000, 001)",
            "СИНТЕТИКАЛЫҚ: `enterprises` қабаты (түрлері мен атаулары 000, 001 мақалалардан)",
            "СИНТЕТИЧЕСКИЕ: слой `enterprises` (виды и названия из статей 000, 001)",
        ),
        synthetic=True,
        label_field=None,
        aliases={
            f"cm_{p.id}_mg_m3": _pollutant_text(
                p, "{}: source cm (mg/m³)", "{}: көздің См (мг/м³)", "{}: См источника (мг/м³)"
            )
            for p in pollutants
        },
    )


def _zones_layer(zones: gpd.GeoDataFrame) -> VectorLayer:
    """Sanitary protection zones styled by hazard class."""
    classes = tuple(
        Category(c, CLASS_COLOURS[c], text(f"class {c}", f"{c} сынып", f"класс {c}"))
        for c in CLASS_COLOURS
    )
    width_f = FieldSpec("width_m", text("SPZ width", "СҚА ені", "Ширина СЗЗ"), unit("m"), 0)
    return VectorLayer(
        name="sanitary_zones",
        title=text(
            "Sanitary protection zones",
            "Санитариялық-қорғаныш аймақтары",
            "Санитарно-защитные зоны",
        ),
        data=zones,
        style=Categorized("hazard_class", classes, fill_opacity=0.15),
        fields=(
            _NAME_F,
            _CLASS_F,
            width_f,
            FieldSpec("zone_area_ha", text("Area", "Ауданы", "Площадь"), unit("ha"), 1),
        ),
        description=text(
            "Site footprint buffered by the preliminary SPZ width of its hazard class (order ҚР ДСМ-2, 2022; widths unverified).",
            "Қауіптілік сыныбының алдын ала СҚА ені бойынша буферленген алаң (ҚР ДСМ-2, 2022; ендері тексерілмеген).",
            "Площадка, обведённая буфером предварительной ширины СЗЗ её класса (ҚР ДСМ-2, 2022; ширины не проверены).",
        ),
        value_maps={"kind": dict(KIND_TEXT)},
        source=text(
            "layers/tables/spz_widths.csv; SYNTHETIC sources",
            "layers/tables/spz_widths.csv; СИНТЕТИКАЛЫҚ көздер",
            "layers/tables/spz_widths.csv; СИНТЕТИЧЕСКИЕ источники",
        ),
        synthetic=True,
    )


def _conflicts_layer(conflicts: gpd.GeoDataFrame) -> VectorLayer:
    """Overlaps of the sanitary zones with residential and agricultural land."""
    conflict_cats = (
        Category("residential", "#e31a1c", text("residential area", "тұрғын аймақ", "жилая зона")),
        Category(
            "agricultural",
            "#33a02c",
            text("agricultural land", "ауыл шаруашылығы жері", "сельхозземли"),
        ),
    )
    return VectorLayer(
        name="spz_conflicts",
        title=text("SPZ conflicts", "СҚА қайшылықтары", "Конфликты СЗЗ"),
        data=conflicts,
        style=Categorized("conflict", conflict_cats, fill_opacity=0.6),
        fields=(
            FieldSpec("source_id", text("Source", "Көз", "Источник")),
            _CLASS_F,
            FieldSpec("conflict", text("Conflict with", "Қайшылық", "Конфликт с")),
            FieldSpec("target_name", text("Area", "Аймақ", "Территория")),
            FieldSpec("overlap_ha", text("Overlap", "Қабаттасу", "Перекрытие"), unit("ha"), 1),
            FieldSpec(
                "target_share_pct",
                text("Share of the area", "Аймақтың үлесі", "Доля территории"),
                "%",
                1,
            ),
        ),
        description=text(
            "Parts of sanitary zones lying on residential micro-districts or on agricultural land (areas in UTM).",
            "Тұрғын шағын аудандарға немесе ауыл шаруашылығы жеріне түсетін санитариялық аймақ бөліктері (аудандар UTM-да).",
            "Части санитарно-защитных зон на жилых микрорайонах или сельхозземлях (площади в UTM).",
        ),
        source=text(
            "derived: sanitary_zones × micro_districts, soils",
            "есептелген: санитариялық-қорғаныш аймақтары × шағын аудандар, топырақ",
            "рассчитано: санитарно-защитные зоны × микрорайоны, почвы",
        ),
        synthetic=True,
    )


def _exposure_layer(exposure: gpd.GeoDataFrame, pollutants: Sequence[Pollutant]) -> VectorLayer:
    """Maximum and mean C/MPC per micro-district and town, population above 1 MPC."""
    ex_fields = (
        _NAME_F,
        FieldSpec("level", text("Level", "Деңгей", "Уровень")),
        FieldSpec("population", text("Population", "Халқы", "Население"), "", 0),
        FieldSpec("index_max", text("Max Σ C/MPC", "Ең жоғары Σ C/ШРК", "Макс. Σ C/ПДК"), "", 2),
        FieldSpec("index_mean", text("Mean Σ C/MPC", "Орташа Σ C/ШРК", "Средн. Σ C/ПДК"), "", 2),
        *(
            FieldSpec(
                f"max_{p.id}",
                _pollutant_text(p, "{}: max C/MPC", "{}: ең жоғары C/ШРК", "{}: макс. C/ПДК"),
                "",
                2,
            )
            for p in pollutants
        ),
        FieldSpec(
            "share_above_mpc_pct",
            text("Area above 1 MPC", "1 ШРК-дан жоғары аудан", "Площадь выше 1 ПДК"),
            "%",
            1,
        ),
        FieldSpec(
            "pop_above_mpc",
            text("Population above 1 MPC", "1 ШРК-дан жоғары халық", "Население выше 1 ПДК"),
            "",
            0,
        ),
    )
    return VectorLayer(
        name="exposure_by_zone",
        title=text("Exposure by zone", "Аймақтар бойынша әсер", "Воздействие по зонам"),
        data=exposure,
        style=Graduated(
            "index_max",
            (0.0, 0.5, 1.0, 2.0, 5.0, 1e6),
            ramp("YlOrRd", 5),
            unit=INDEX_UNIT,
            fill_opacity=0.35,
            labels=(
                text("below 0.5", "0,5-тен төмен", "ниже 0,5"),
                "0.5 – 1",
                "1 – 2",
                "2 – 5",
                text("above 5", "5-тен жоғары", "выше 5"),
            ),
        ),
        fields=ex_fields,
        description=text(
            "Maximum and mean C/MPC per micro-district and town; population above 1 MPC assumes an even spread over the zone.",
            "Шағын аудан және қала бойынша ең жоғары және орташа C/ШРК; 1 ШРК-дан жоғары халық біркелкі таралу болжамымен.",
            "Максимальное и среднее C/ПДК по микрорайонам и городам; население выше 1 ПДК при равномерном расселении.",
        ),
        source=text(
            "derived: concentration rasters × micro_districts, town_boundaries (SYNTHETIC)",
            "есептелген: шоғырлану растрлары × шағын аудандар, қала шекаралары (СИНТЕТИКАЛЫҚ)",
            "рассчитано: растры концентраций × микрорайоны, границы городов (СИНТЕТИЧЕСКИЕ)",
        ),
        synthetic=True,
        label_field="name",
        aliases={
            f"mean_{p.id}": _pollutant_text(
                p, "{}: mean C/MPC", "{}: орташа C/ШРК", "{}: средн. C/ПДК"
            )
            for p in pollutants
        },
    )
