"""Translated labels of the pollution theme.

The theme's title, the kinds of source with their names and colours, the
hazard-class colours, the unit of the Σ C/MPC index and the helper that names
a pollutant in each language.
"""

from __future__ import annotations

from geo.i18n import Text, text
from geo.themes.pollution.settings import Pollutant

TITLE = text(
    "Pollution sources and sanitary protection zones",
    "Ластау көздері және санитариялық-қорғаныш аймақтары",
    "Источники загрязнения и санитарно-защитные зоны",
)


KIND_TEXT: dict[str, Text] = {
    "plant": text(
        "processing plant stack", "өңдеу зауытының мұржасы", "труба перерабатывающего завода"
    ),
    "chp": text("CHP plant stack", "ЖЭО мұржасы", "труба ТЭЦ"),
    "boiler": text("boiler house", "қазандық", "котельная"),
    "mining_heap": text("mining waste heap", "тау-кен үйіндісі", "отвал горных пород"),
    "ash_heap": text("ash heap", "күл үйіндісі", "золоотвал"),
    "filter_field": text("sewage filter fields", "сүзу алаңдары", "поля фильтрации"),
}


KIND_COLOURS = {
    "plant": "#7b3294",
    "chp": "#d7191c",
    "boiler": "#fdae61",
    "mining_heap": "#8c510a",
    "ash_heap": "#636363",
    "filter_field": "#2c7bb6",
}


CLASS_COLOURS = {"I": "#67000d", "II": "#cb181d", "III": "#fb6a4a", "IV": "#fcae91", "V": "#fee5d9"}


STACK_KINDS = ("plant", "chp", "boiler")


AREA_KINDS = ("mining_heap", "ash_heap", "filter_field")


INDEX_UNIT = text("Σ C/MPC", "Σ C/ШРК", "Σ C/ПДК")


def _pollutant_text(p: Pollutant, en: str, kk: str, ru: str, *, capitalize: bool = False) -> Text:
    """A text naming pollutant *p* in each language: ``"{}"`` in each template is its name."""
    names = {lang: p.names[lang] for lang in ("en", "kk", "ru")}
    if capitalize:
        names = {lang: n.capitalize() for lang, n in names.items()}
    return text(en.format(names["en"]), kk.format(names["kk"]), ru.format(names["ru"]))
