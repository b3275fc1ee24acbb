"""Finding English left in Kazakh or Russian text: what the kk and ru outputs may show in Latin script.

The atlas's pages, QGIS metadata and ``geo layers --lang`` are scanned with :func:`english_words`:
every Latin word is English left untranslated unless it is a code, an acronym, a command, an
identifier (DOI, URL, commit, `quoted` name) or the proper name of a source.
"""

from __future__ import annotations

import re

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*")
COMMANDS = re.compile(
    r"--[\w-]+(=\S+)?|\b\w+=FILE\b|[\w./-]+\.(csv|toml|tif|gpkg|geojson|json)\b|`[^`]*`"
)
"""Command-line options, file names and quoted commands: the same in every language."""
ALLOWED_LATIN = frozenset(
    {"I", "II", "III", "IV", "V", "S1", "S2", "S3", "N", "FAO", "OECD", "JRC", "AHP", "OWA", "WLC"}
    | {"PNG", "GeoNames", "OpenStreetMap", "OSM", "GEBCO", "GSHHG", "Leaflet", "Monte", "Carlo"}
    | {
        "n",
        "C",
        "CR",
        "UTM",
        "EPSG",
        "ISO",
        "km",
        "m",
        "ha",
        "mg",
        "pH",
        "OND",
        "MRR",
        "SanPiN",
        "SPZ",
    }
)
"""Latin words a Kazakh or Russian page may show: class codes, acronyms, names of sources and methods."""
SOURCE_NAMES = frozenset(
    {"GeoNames", "OpenStreetMap", "GEBCO", "GSHHG", "WDB", "ESA", "WorldCover", "GeoTIFF", "v200"}
    | {"ISRIC", "SoilGrids", "Copernicus", "geokz", "OCHA", "HDX", "COD", "AB", "KZ31", "PyPI"}
    | {"Debian", "GMT", "HOT", "Zanaga", "Poggio", "AP14870750", "CC", "BY", "CC0", "ODbL", "MIT"}
)
"""Proper names a source, licence or credit names in every language: data sets, their makers and
authors, the packages they came through, the study's grant, licences."""
VERBATIM = (
    "© OpenStreetMap contributors",
    "© ESA WorldCover project 2021 / Contains modified Copernicus Sentinel data (2021) processed by "
    "ESA WorldCover consortium",
    "ISRIC — World Soil Information",
    "GEBCO Compilation Group (2023) GEBCO 2023 Grid",
    "GEBCO 2023 Grid",
    "© 2025 Aidos Makhanov, WaterHydro-Kazakhstan-Portal (MIT)",
    "WaterHydro-Kazakhstan-Portal",
    "Wessel & Smith",
    "«Kazakhstan populated places (points)»",
    "LGPL-3.0-or-later",
    "H₂O",
)
"""Credits the licences require word for word, titles of data sets, licence identifiers, formulas."""
IDENTIFIERS = re.compile(r"doi:\S+|https?://\S+|\b[\w.-]+\.(org|com|net)\b|\b[0-9a-f]{40}\b")
"""DOIs, URLs, domains and commits: the same in every language."""


def english_words(shown: str) -> set[str]:
    """Latin words of *shown* beyond codes, commands, identifiers and the names of sources."""
    plain = COMMANDS.sub(" ", IDENTIFIERS.sub(" ", shown))
    for phrase in VERBATIM:
        plain = plain.replace(phrase, " ")
    allowed = ALLOWED_LATIN | SOURCE_NAMES
    return {w for w in LATIN_WORD.findall(plain) if w not in allowed}
