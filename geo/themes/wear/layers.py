"""The vector layers of the infrastructure-wear theme: styles, popup fields, provenance.

``wear_by_zone`` (micro-districts and towns, drawn under) and ``network_wear``
(segments), both graduated by wear over the recipe's classes.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd

from geo.i18n import Text, fill, text
from geo.models import wear as W
from geo.results import VectorLayer
from geo.symbology import FieldSpec, Graduated, ramp
from geo.themes.common import unit
from geo.themes.wear.inputs import WearInputs
from geo.themes.wear.labels import (
    NETWORK_TEXT,
    NO_KNOWN_WEAR,
    SEGMENTS_TITLE,
    THEME,
    UNKNOWN_WEAR,
    ZONES_DESCRIPTION,
    ZONES_TITLE,
    segments_description,
)
from geo.themes.wear.settings import WearSettings

__all__ = ["vectors"]


def _segment_fields(currency: str | None) -> tuple[FieldSpec, ...]:
    """Popup fields of ``network_wear``."""
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
    """Popup fields of ``wear_by_zone``.

    Long only because it lists the fields, each with its three translations.
    """
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
        *(FieldSpec(f"wear_{n}_pct", NETWORK_TEXT[n], "%", 1) for n in W.NETWORKS),
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


def _style(field: str, classes: W.WearClasses, nan_label: Text | None = None) -> Graduated:
    """Graduated wear colours over the *classes*."""
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


_ZONES_SOURCE = text(
    f"Computed from the `{THEME}` recipe over: {{networks}}; micro-districts: {{zones}}",
    f"`{THEME}` рецептісі бойынша есептелген, кіріс деректері: {{networks}}; шағын аудандар: {{zones}}",
    f"Рассчитано по рецепту `{THEME}` на основе: {{networks}}; микрорайоны: {{zones}}",
)
"""The source of ``wear_by_zone``: the networks' and the micro-districts' sources fill it."""


def vectors(
    inputs: WearInputs,
    settings: WearSettings,
    segments: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
) -> list[VectorLayer]:
    """The ``wear_by_zone`` (below) and ``network_wear`` layers."""
    classes, currency = settings.classes, settings.tables.currency
    prov, md_prov = inputs.networks_provenance, inputs.districts_provenance
    synthetic = inputs.synthetic
    by_segment = VectorLayer(
        name="network_wear",
        title=SEGMENTS_TITLE,
        data=segments,
        style=_style("wear_pct", classes, UNKNOWN_WEAR),
        fields=_segment_fields(currency),
        description=segments_description(settings.method, settings.reference_year),
        source=prov["source"],
        licence=prov["licence"],
        synthetic=synthetic,
        label_field=None,
        show=True,
        metadata={"catalog_id": "utility_networks", "attribution": prov.get("attribution", "")},
    )
    by_zone = VectorLayer(
        name="wear_by_zone",
        title=ZONES_TITLE,
        data=zones,
        style=dataclasses.replace(_style("wear_pct", classes, NO_KNOWN_WEAR), fill_opacity=0.25),
        fields=_zone_fields(classes, settings.replace_at_pct, currency),
        description=ZONES_DESCRIPTION,
        source=fill(_ZONES_SOURCE, networks=prov["source"], zones=md_prov["source"]),
        licence=prov["licence"],
        synthetic=synthetic or bool(md_prov["synthetic"]),
        label_field="name",  # already in the build's language
        show=True,
        metadata={"inputs": ["utility_networks", "micro_districts", "town_boundaries"]},
    )
    return [by_zone, by_segment]  # zones under the segments
