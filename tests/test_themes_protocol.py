"""Every theme in one shape: recipes checked against the theme's spec, build order, layer names."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.build import BuildContext, order_recipes, run_recipe, theme_of
from geo.catalog import Catalog
from geo.errors import InputError, RecipeError
from geo.recipe import default_maps_dir, load_recipe
from geo.themes import THEMES
from geo.themes.base import ThemeSpec, layer_prefix

SHIPPED = sorted(default_maps_dir().glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_top_level_typo_is_refused_with_its_line_for_every_theme(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    # a misspelt table after the first one, e.g. "[clases]"
    lines.append("")
    lines.append("[clases]")
    lines.append("breaks = [25, 50, 75]")
    bad = tmp_path / path.name
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RecipeError) as err:
        run_recipe(BuildContext(Catalog()), load_recipe(bad))
    msg = str(err.value)
    assert msg.startswith(f"{bad}:{len(lines) - 1}: clases: unknown key"), msg
    assert "\n" not in msg


def test_an_unknown_theme_is_refused_with_a_suggestion(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('theme = "polution"\n', encoding="utf-8")
    with pytest.raises(
        RecipeError, match=r"x\.toml:1: theme: unknown theme 'polution'; did you mean 'pollution'\?"
    ):
        theme_of(load_recipe(bad))


def test_themes_are_built_after_the_themes_they_require():
    land, pol, wear = (
        load_recipe(n) for n in ("land_suitability", "pollution", "infrastructure_wear")
    )
    assert [r.name for r in order_recipes([land, wear, pol])] == [
        "infrastructure_wear", "pollution", "land_suitability",
    ]  # fmt: skip
    for theme in THEMES:
        spec = theme_of(load_recipe(theme)).SPEC  # the shipped recipe of each theme
        assert set(spec.requires) <= set(THEMES) and spec.id not in spec.requires


def test_two_recipes_with_one_name_are_refused(tmp_path):
    from geo.build import build_atlas

    copy = tmp_path / "copy.toml"
    copy.write_text(
        (default_maps_dir() / "pollution.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="recipe name 'pollution' is taken by"):
        build_atlas(tmp_path / "out", recipes=["pollution", copy])
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["copy.toml"]


def test_layer_names_take_the_recipe_name_in_one_place():
    from geo.recipe import Recipe

    spec = ThemeSpec("land_suitability", (), layer_prefix="land_suitability")
    assert layer_prefix(spec, Recipe({}, Path("land_suitability.toml"))) == "land_suitability"
    assert layer_prefix(spec, Recipe({}, Path("shu_homes.toml"))) == "shu_homes"
    assert layer_prefix(spec, Recipe({"output_prefix": "x"}, Path("shu_homes.toml"))) == "x"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_theme_estimates_its_cost_and_names_the_key_to_change(path):
    """The estimate the build checks before any work: cells of the recipe's own grid."""
    recipe = load_recipe(path)
    theme = theme_of(recipe)
    cat = Catalog()
    est, where = theme.estimate(theme.read_settings(recipe, cat), cat)
    assert est.theme == recipe.theme and est.peak_bytes > 0 and est.seconds > 0
    assert where.startswith(f"{path}:") and "area." in where
    gridded = recipe.theme in ("land_suitability", "pollution")
    assert (est.cells > 10_000) if gridded else est.cells == 0
