"""The helpers every theme shares: recipe values, cited tables, units, layer names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.catalog import Catalog
from geo.errors import DataError, IndicatorError, RecipeError
from geo.i18n import LANGUAGES
from geo.recipe import Recipe
from geo.themes.base import ThemeInputs
from geo.themes.common import (
    UNITS,
    json_records,
    layer_where,
    recipe_number,
    recipe_text,
    require_columns,
    table_path,
    unit,
)


def _recipe(tmp_path: Path, text: str) -> Recipe:
    import tomllib

    p = tmp_path / "r.toml"
    p.write_text(text, encoding="utf-8")
    return Recipe(tomllib.loads(text), p, text)


def test_units_differ_by_language_and_symbols_stay_plain() -> None:
    for name, t in UNITS.items():
        assert set(t) == set(LANGUAGES) and all(t.values()), name
    assert unit("km") == {"en": "km", "kk": "км", "ru": "км"}
    assert unit("y") == unit("years") == {"en": "years", "kk": "жыл", "ru": "лет"}
    assert unit("KZT")["ru"] == "тенге" and unit("persons")["kk"] == "адам"
    assert unit("%") == "%" and unit("°") == "°" and unit("") == ""


def test_recipe_number_names_the_line(tmp_path: Path) -> None:
    r = _recipe(tmp_path, 'theme = "x"\n[m]\na = true\nb = -3\nc = "2.5"\n')
    with pytest.raises(RecipeError, match=r"r\.toml:3: m\.a: must be a number, got True"):
        recipe_number(r, "m.a", 1.0)
    with pytest.raises(RecipeError, match=r"r\.toml:4: m\.b: must be ≥ 0.0, got -3"):
        recipe_number(r, "m.b", 1.0, lo=0.0)
    assert recipe_number(r, "m.c", 1.0, lo=0, hi=5, strict=False) == 2.5
    with pytest.raises(RecipeError, match=r"m\.b: -3 is outside 0–5"):
        recipe_number(r, "m.b", 1.0, lo=0, hi=5, strict=False)
    assert recipe_number(r, "m.missing", 7, lo=0) == 7.0


def test_recipe_text_needs_every_language(tmp_path: Path) -> None:
    r = _recipe(tmp_path, 'theme = "x"\ntitle = { en = "A", kk = "Ә" }\nname = "plain"\n')
    with pytest.raises(RecipeError, match=r"r\.toml:2: title: .*missing translation\(s\) ru"):
        recipe_text(r, "title", {"en": "d", "kk": "d", "ru": "d"})
    with pytest.raises(RecipeError, match=r"r\.toml:3: name: must be a table"):
        recipe_text(r, "name", {"en": "d", "kk": "d", "ru": "d"})


def test_table_path_resolves_against_the_layers_folder(tmp_path: Path) -> None:
    absolute = tmp_path / "t.csv"
    absolute.write_text("a\n1\n", encoding="utf-8")
    r = _recipe(tmp_path, f'theme = "x"\n[tables]\nmine = "{absolute}"\nbad = "no.csv"\n')
    assert table_path(r, "tables.mine", None) == absolute
    assert table_path(r, "tables.other", None) is None
    shipped = table_path(r, "tables.other", "tables/spz_widths.csv")
    assert shipped is not None and shipped.is_file()
    with pytest.raises(RecipeError, match=r"r\.toml:4: tables\.bad: .*no\.csv not found"):
        table_path(r, "tables.bad", None)


def test_require_columns_raises_the_given_error() -> None:
    df = pd.DataFrame({"a": [1]})
    require_columns(df, ["a"], "t.csv")
    with pytest.raises(DataError, match=r"^t\.csv: required column 'b' is missing; add it$"):
        require_columns(df, ["a", "b"], "t.csv")
    with pytest.raises(IndicatorError, match="add it to table 'x'"):
        require_columns(df, ["c"], "t.csv", hint="add it to table 'x'", error=IndicatorError)


def test_json_records_are_plain_python() -> None:
    df = pd.DataFrame(
        {"f": [1.234567, np.nan], "i": np.array([1, 2], dtype="int64"), "s": ["x", None]}
    )
    rows = json_records(df)
    assert rows == [{"f": 1.2346, "i": 1, "s": "x"}, {"f": None, "i": 2, "s": None}]
    assert type(rows[0]["i"]) is int


def test_layer_where_names_the_users_file(tmp_path: Path) -> None:
    assert layer_where(ThemeInputs(Catalog()), "enterprises") == "layer 'enterprises'"
    path = tmp_path / "mine.gpkg"
    ctx = ThemeInputs(Catalog(overrides={"enterprises": path}))
    assert layer_where(ctx, "enterprises") == f"{path} (layer 'enterprises')"
