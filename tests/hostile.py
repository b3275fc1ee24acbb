"""Hostile copies of every replaceable vector layer and of every shipped recipe, made in code.

Free-text fields and recipe texts carry markup, script, quotes, a CDATA end, control
characters and a ``javascript:`` URL; the fields the themes read as codes (town names
that join tables, enumerations such as ``kind`` or ``hazard_class``) keep their valid
values, so every theme still does its real work on the hostile layers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.recipes import edited_recipe

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "</script><script>window.__pwned=1</script>"
QUOTES = "\"'&]]>"
CONTROL = "\u0001\u0008"
JS_URL = "javascript:window.__pwned=1"
DIALOG = "<svg/onload=alert(1)>"
PAYLOAD = " ".join(("", IMG, SCRIPT, QUOTES, CONTROL, JS_URL, DIALOG))
"""Appended to every free-text value (a leading space keeps the original value readable)."""

SHOWN = PAYLOAD.replace(CONTROL, "")
"""What of the payload must survive as text anywhere (control characters may be dropped)."""

VECTOR_LAYERS = (
    "districts",
    "town_boundaries",
    "micro_districts",
    "enterprises",
    "utility_networks",
    "soils",
    "rivers",
    "karatau_range",
    "oblast",
    "basin",
    "towns",
)
"""Every vector layer of the catalog a user may replace with ``--layer ID=FILE``."""

CODES = {
    "districts": {"district"},  # joins the mining-share table
    "town_boundaries": {"town", "town_type"},  # joins the town tables
    "micro_districts": {"town", "status"},
    "enterprises": {"town", "kind", "source_type", "hazard_class"},
    "utility_networks": {"town", "network", "material"},
    "soils": {"town", "soil_type"},
    "towns": {"name", "countrycode", "admin1code", "study_type"},  # names find the study towns
}
"""Fields read as codes: kept valid (every other text field is made hostile)."""

FILE_NAME = '<img src=x onerror="window.__pwned=2"> {layer}.gpkg'
"""The user's file name is shown as the layer's source: hostile too (no ``/`` in a name)."""


def hostile_layers(folder: Path) -> dict[str, Path]:
    """Write a hostile copy of every replaceable vector layer into *folder*: layer id → file."""
    from geo.catalog import Catalog

    catalog = Catalog()
    out = {}
    for layer_id in VECTOR_LAYERS:
        gdf = catalog.read(layer_id).copy()
        keep = CODES.get(layer_id, set())
        for col in gdf.columns:
            if col == "geometry" or col in keep or not pd.api.types.is_string_dtype(gdf[col]):
                continue
            gdf[col] = [v + PAYLOAD if isinstance(v, str) else v for v in gdf[col]]
        path = folder / FILE_NAME.format(layer=layer_id)
        gdf.to_file(path, layer=layer_id, engine="pyogrio")
        out[layer_id] = path
    return out


def _toml(text: str) -> str:
    """*text* as a TOML basic string (JSON escapes are TOML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _text(label: str) -> str:
    """A TOML inline table ``{ en, kk, ru }`` whose every language carries the payload."""
    return "{ " + ", ".join(f"{k} = {_toml(label + PAYLOAD)}" for k in ("en", "kk", "ru")) + " }"


def _title_lines(name: str) -> tuple[str, str]:
    return (
        f'name = "{name}"',
        f'name = "{name}"\ntitle = {_text("Title")}\ndescription = {_text("Description")}',
    )


RECIPE_EDITS: dict[str, list[tuple[str, str]]] = {
    "pollution.toml": [_title_lines("pollution"), ("cell_size_m = 150", "cell_size_m = 500")],
    "infrastructure_wear.toml": [_title_lines("infrastructure_wear")],
    "sustainability.toml": [
        _title_lines("sustainability"),
        ("runs = 2000", "runs = 100"),
        (
            'title = { en = "Population (GeoNames)", kk = "Халық саны (GeoNames)", '
            'ru = "Население (GeoNames)" }',
            f"title = {_text('Population')}",
        ),
        (
            'citation = "Paper 001 (Zhanatas only)"',
            f"citation = {_toml('Paper 001' + PAYLOAD)}",
        ),
    ],
    "land_suitability.toml": [
        ("cell_size_m = 100", "cell_size_m = 400"),
        ("draws = 200", "draws = 10"),
        ('title = { en = "Soil", kk = "Топырақ", ru = "Почва" }', f"title = {_text('Soil')}"),
        (
            'study_source = "paper 001: 38.3 % of the city area is suitable for agriculture"',
            f"study_source = {_toml('paper 001' + PAYLOAD)}",
        ),
    ],
    "residential_expansion.toml": [
        ("cell_size_m = 100", "cell_size_m = 400"),
        ("draws = 100", "draws = 10"),
    ],
}
"""Hostile texts in every recipe text a theme shows, and a coarser grid to keep the build fast."""


def hostile_recipes(folder: Path) -> list[Path]:
    """Hostile copies of every shipped recipe in *folder*."""
    from geo.recipe import default_maps_dir

    maps = default_maps_dir()
    out = []
    for name, edits in RECIPE_EDITS.items():
        path = edited_recipe(maps / name, folder / name, edits)
        lines = path.read_text(encoding="utf-8").splitlines()
        top = next(i for i, line in enumerate(lines) if line.startswith("["))
        for i, line in enumerate(lines[:top]):  # the recipe's own title and description
            for key in ("title", "description"):
                if line.startswith(f"{key} = {{"):
                    lines[i] = f"{key} = {_text(key.capitalize())}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(path)
    return out
