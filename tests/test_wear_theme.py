"""The infrastructure-wear theme (geo.themes.wear) end to end on the catalog and user inventories."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.crs import to_crs
from geo.errors import DataError, RecipeError
from geo.i18n import check_text
from geo.recipe import default_maps_dir, load_recipe
from geo.symbology import Graduated

RECIPE = default_maps_dir() / "infrastructure_wear.toml"


def recipe_with(tmp_path: Path, text: str, name: str = "r.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_recipe(p)


@pytest.fixture(scope="module")
def result():
    return run_recipe(BuildContext(Catalog()), load_recipe(RECIPE))


def layer(res, name):
    return next(v for v in res.vectors if v.name == name)


def test_layers_styles_and_fields(result):
    assert result.theme == "infrastructure_wear"
    assert [v.name for v in result.vectors] == ["wear_by_zone", "network_wear"]  # zones drawn under
    for v in result.vectors:
        assert isinstance(v.style, Graduated)
        assert v.style.field == "wear_pct"
        assert v.style.breaks == (0.0, 25.0, 50.0, 75.0, 100.0)
        assert v.synthetic
        check_text(v.title, v.name)
        for f in v.fields:
            check_text(f.alias, f.name)  # kk, ru and en for every popup field
            assert f.name in v.data.columns, f.name
    seg = layer(result, "network_wear").data
    assert set(seg["wear_source"]) == {"age-linear", "inspection", "unknown"}
    assert (seg["wear_class"] == "unknown").sum() == 12
    assert seg.crs.to_epsg() == 4326


def test_zhanatas_network_wide_wear_and_planning_status(result):
    zones = layer(result, "wear_by_zone").data.set_index("zone_id")
    zh = zones.loc["zhanatas"]
    assert zh["level"] == "town"
    assert zh["wear_pct"] == pytest.approx(95.0, abs=1.5)  # paper 001: 95 %
    assert zh["study_wear_pct"] == 95.0
    assert zones.loc["karatau", "wear_pct"] < 85 and zones.loc["shu", "wear_pct"] < 85
    for n in (7, 8, 9):
        assert zones.loc[f"zhanatas_{n}", "status"] == "destroyed"
        assert zones.loc[f"zhanatas_{n}", "status_text"] == "completely destroyed"
    for n in (1, 4, 5, 6):
        assert zones.loc[f"zhanatas_{n}", "status"] == "reconstruction"
    mds = zones[zones["level"] == "micro_district"]
    assert len(mds) == 27
    # the micro-districts of a town add up to the town's length (all its network lies in them)
    zh_md_km = mds[mds["town"] == "Zhanatas"]["length_km"].sum()
    assert zh_md_km == pytest.approx(zh["length_km"], rel=1e-6)
    # town wear is the length-weighted mean of its micro-districts' wear over known km
    sub = mds[mds["town"] == "Zhanatas"]
    lw = (sub["wear_pct"] * sub["known_km"]).sum() / sub["known_km"].sum()
    assert lw == pytest.approx(zh["wear_pct"], rel=1e-9)
    km_cols = ["km_0_25", "km_25_50", "km_50_75", "km_75_100"]
    np.testing.assert_allclose(mds[km_cols].sum(axis=1) + mds["unknown_km"], mds["length_km"])
    # ranks 1..27 among micro-districts, 1..3 among towns
    assert sorted(mds["priority_rank"].astype(int)) == list(range(1, 28))
    assert sorted(zones[zones["level"] == "town"]["priority_rank"].astype(int)) == [1, 2, 3]


def test_parameters_are_json_and_cite_tables(result):
    p = json.loads(json.dumps(result.parameters))
    assert p["method"] == "linear" and p["reference_year"] == 2023
    lives = p["tables"]["normative_life"]["rows"]
    assert all(r["citation"] and r["status"] in ("✔", "◐", "○") for r in lives)
    assert {"network": "sewage", "material": "ceramic", "life_years": 60.0}.items() <= next(
        r for r in lives if r["material"] == "ceramic"
    ).items()
    assert p["tables"]["unit_costs"]["currency"] == "KZT"
    assert p["segments_unknown"] == 12
    assert p["wear_by_town"]["Zhanatas"]["study_wear_pct"] == 95.0
    assert any("install_year" in w for w in p["data_warnings"])
    notes = " ".join(n["en"] for n in result.notes)
    assert "SYNTHETIC" in notes and "ILLUSTRATIVE" in notes


def test_deterministic(result):
    again = run_recipe(BuildContext(Catalog()), load_recipe(RECIPE))
    a, b = layer(result, "wear_by_zone").data, layer(again, "wear_by_zone").data
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert json.dumps(result.parameters, sort_keys=True) == json.dumps(
        again.parameters, sort_keys=True
    )


def test_ross_recipe_and_no_costs(tmp_path, result):
    text = RECIPE.read_text(encoding="utf-8").replace('method = "linear"', 'method = "ross"')
    text = "\n".join(line for line in text.splitlines() if not line.startswith("unit_costs"))
    res = run_recipe(BuildContext(Catalog()), recipe_with(tmp_path, text))
    assert res.parameters["method"] == "ross"
    assert res.parameters["tables"]["unit_costs"] is None
    z = layer(res, "wear_by_zone").data.set_index("zone_id")
    z_lin = layer(result, "wear_by_zone").data.set_index("zone_id")
    # Ross ≤ linear for every age below the normative life; equal beyond it
    assert (z["wear_pct"] <= z_lin["wear_pct"] + 1e-9).all()
    assert z["replace_cost"].isna().all()
    assert "replace_cost" not in [f.name for f in layer(res, "wear_by_zone").fields]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'method = "linear"',
            'method = "exponential"',
            r"r\.toml:\d+: wear\.method: 'exponential' is not a wear curve",
        ),
        (
            "reference_year = 2023",
            'reference_year = "2023"',
            r"r\.toml:\d+: wear\.reference_year: '2023' is not a year",
        ),
        (
            "breaks = [0, 25, 50, 75, 100]",
            "breaks = [0, 50, 25, 100]",
            r"r\.toml:\d+: classes\.breaks: .*ascending",
        ),
        ("wear = 0.6", "wear = -1", r"r\.toml:\d+: priority\.wear: -1 must be a number ≥ 0"),
        (
            '"tables/unit_costs.csv"',
            '"tables/no_such.csv"',
            r"r\.toml:\d+: tables\.unit_costs: .*no_such\.csv not found",
        ),
        (
            'towns = ["Zhanatas", "Karatau", "Shu"]',
            'towns = ["Zhanatas", "Atlantis"]',
            r"r\.toml:\d+: area\.towns: .*Atlantis",
        ),
        (
            "replace_at_pct = 75",
            "replace_at_pct = 75\nspeed = 3",
            r"r\.toml:\d+: wear\.speed: unknown key",
        ),
    ],
)
def test_bad_recipe_names_the_line(tmp_path, old, new, expected):
    text = RECIPE.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(RecipeError, match=expected):
        run_recipe(BuildContext(Catalog()), recipe_with(tmp_path, text.replace(old, new, 1)))


def test_bad_table_names_the_file_and_row(tmp_path):
    bad = tmp_path / "life.csv"
    bad.write_text(
        "network,material,life_years,citation,status\nwater,steel,0,x,○\n", encoding="utf-8"
    )
    text = RECIPE.read_text(encoding="utf-8").replace('"tables/normative_life.csv"', f'"{bad}"')
    with pytest.raises(
        DataError, match=r"life\.csv: row 2: life_years = 0 is not a positive number"
    ):
        run_recipe(BuildContext(Catalog()), recipe_with(tmp_path, text))


# -- a user's inventory through the catalog override ---------------------------------------------
def _user_inventory(tmp_path: Path, years: list[object]) -> Path:
    """Two water segments in Zhanatas, in UTM 42N: one crossing from micro-district 1 into 2."""
    mds = Catalog().read("micro_districts")
    utm = to_crs(mds[mds["town"] == "Zhanatas"], "EPSG:32642").set_index("number")
    z1, z2 = utm.loc[1, "geometry"], utm.loc[2, "geometry"]
    x_edge = z1.bounds[2]  # the 3 x 3 partition: 1 and 2 share a vertical edge
    y = z1.intersection(z2.buffer(1)).centroid.y
    seg = gpd.GeoDataFrame(
        {
            "segment_id": ["U-1", "U-2"],
            "network": ["water", "water"],
            "material": ["steel", "steel"],
            "diameter_mm": [150.0, 150.0],
            "install_year": years,
        },
        geometry=[
            LineString([(x_edge - 300, y), (x_edge + 700, y)]),
            LineString([(x_edge + 100, y - 50), (x_edge + 300, y - 50)]),
        ],
        crs=32642,
    )
    p = tmp_path / "inventory.gpkg"
    seg.to_file(p, engine="pyogrio")
    return p


def test_user_inventory_split_across_micro_districts(tmp_path):
    path = _user_inventory(tmp_path, [2003, 2013])  # ages 20 and 10 of 20 years: 100 % and 50 %
    cat = Catalog(overrides={"utility_networks": path})
    text = RECIPE.read_text(encoding="utf-8").replace(
        'towns = ["Zhanatas", "Karatau", "Shu"]', 'towns = ["Zhanatas"]'
    )
    res = run_recipe(BuildContext(cat), recipe_with(tmp_path, text))
    assert not layer(res, "network_wear").synthetic
    assert res.notes and all("SYNTHETIC" not in n["en"] for n in res.notes)
    seg = layer(res, "network_wear").data.set_index("segment_id")
    assert seg.loc["U-1", "wear_pct"] == 100.0 and seg.loc["U-2", "wear_pct"] == 50.0
    assert seg.loc["U-1", "zone_id"] == "zhanatas_2"  # 700 of its 1000 m lie in 2
    zones = layer(res, "wear_by_zone").data.set_index("zone_id")
    assert zones.loc["zhanatas_1", "length_km"] == pytest.approx(0.3, abs=1e-3)
    assert zones.loc["zhanatas_2", "length_km"] == pytest.approx(0.9, abs=1e-3)
    assert zones.loc["zhanatas_1", "wear_pct"] == pytest.approx(100.0)
    # zhanatas_2: 700 m at 100 % and 200 m at 50 %
    assert zones.loc["zhanatas_2", "wear_pct"] == pytest.approx(
        (700 * 100 + 200 * 50) / 900, rel=1e-3
    )
    assert zones.loc["zhanatas", "length_km"] == pytest.approx(1.2, abs=1e-3)
    assert np.isnan(zones.loc["zhanatas_5", "wear_pct"])  # no network there: not ranked
    assert np.isnan(zones.loc["zhanatas_5", "priority_rank"])
    # replacement: U-1 (100 %) is due; unit cost 60 000 KZT/m for water < 200 mm (illustrative)
    assert zones.loc["zhanatas", "replace_km"] == pytest.approx(1.0, abs=1e-3)
    assert zones.loc["zhanatas", "replace_cost"] == pytest.approx(60_000 * 1000, rel=1e-3)


def test_user_inventory_with_future_year_is_refused(tmp_path):
    path = _user_inventory(tmp_path, [2003, 2029])
    cat = Catalog(overrides={"utility_networks": path})
    with pytest.raises(DataError) as err:
        run_recipe(BuildContext(cat), load_recipe(RECIPE))
    msg = str(err.value)
    assert (
        msg.startswith(f"{path} (layer 'utility_networks'): ")
        and "segment U-2: install_year 2029 is after the reference year 2023" in msg
    )
    assert "\n" not in msg


def test_cli_unknown_material_exits_2_with_one_line(tmp_path, capsys):
    from geo.cli import main

    path = tmp_path / "inv.gpkg"
    gpd.GeoDataFrame(
        {
            "segment_id": ["A-1", "A-2"],
            "network": ["water", "water"],
            "material": ["steel", "asbestos"],
            "diameter_mm": [100.0, 100.0],
            "install_year": [1970, 1980],
        },
        geometry=[
            LineString([(69.72, 43.56), (69.73, 43.56)]),
            LineString([(69.72, 43.565), (69.73, 43.565)]),
        ],
        crs=4326,
    ).to_file(path, engine="pyogrio")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["map", str(RECIPE), "--out", str(out), "--layer", f"utility_networks={path}", "-q"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "segment A-2: material 'asbestos' has no normative life for network 'water'" in err
    assert (
        "known materials for water: asbestos_cement, cast_iron, galvanized_steel, polyethylene, steel"
        in err
    )
    assert not out.exists()


def test_minimal_recipe_defaults_and_town_filter(result):
    from geo.recipe import Recipe

    r = Recipe({"theme": "infrastructure_wear", "area": {"towns": ["Zhanatas"]}}, Path("mini.toml"))
    res = run_recipe(BuildContext(Catalog()), r)
    # a recipe not named like its theme prefixes its layers with its name
    seg = layer(res, "mini_network_wear").data
    assert set(seg["town"]) == {"Zhanatas"}
    assert res.parameters["reference_year"] == 2023 and res.parameters["method"] == "linear"
    assert res.parameters["tables"]["unit_costs"] is None
    zones = layer(res, "mini_wear_by_zone").data
    assert set(zones["town"]) == {"Zhanatas"} and len(zones) == 10
    full = layer(result, "wear_by_zone").data.set_index("zone_id")
    assert zones.set_index("zone_id").loc["zhanatas", "wear_pct"] == pytest.approx(
        full.loc["zhanatas", "wear_pct"]
    )


def test_description_nan_labels_and_units(result):
    from geo.i18n import check_text, tr

    check_text(result.description, "wear description")
    seg = layer(result, "network_wear")
    assert tr(seg.style.nan_label, "en").startswith("unknown")
    units = {f.name: f.unit for f in seg.fields}
    assert units["age_years"] == {"en": "years", "kk": "жыл", "ru": "лет"}
    assert units["replace_cost"] == {"en": "tenge", "kk": "теңге", "ru": "тенге"}
    zones = layer(result, "wear_by_zone")
    assert {f.name: f.unit for f in zones.fields}["length_km"]["ru"] == "км"


# -- recipe typos and two wear recipes in one atlas ----------------------------------------------
def _line_of(text: str, start: str) -> int:
    return next(i + 1 for i, ln in enumerate(text.splitlines()) if ln.startswith(start))


def _one_line(exc: pytest.ExceptionInfo[RecipeError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def test_top_level_typo_refused_by_the_build(tmp_path):
    text = RECIPE.read_text(encoding="utf-8").replace("[classes]", "[clases]", 1)
    with pytest.raises(RecipeError) as exc:
        run_recipe(BuildContext(Catalog()), recipe_with(tmp_path, text))
    msg = _one_line(exc)
    assert f"r.toml:{_line_of(text, '[clases]')}: clases: unknown key" in msg
    assert "classes" in msg  # the keys the theme's SPEC accepts


def test_typo_inside_a_table_refused(tmp_path):
    text = RECIPE.read_text(encoding="utf-8").replace("breaks = [", "braeks = [", 1)
    with pytest.raises(RecipeError) as exc:
        run_recipe(BuildContext(Catalog()), recipe_with(tmp_path, text))
    msg = _one_line(exc)
    assert f"r.toml:{_line_of(text, 'braeks')}: classes.braeks: unknown key" in msg


def test_two_wear_recipes_in_one_atlas(tmp_path):
    import pyogrio
    from recipes import edited_recipe

    from geo.build import build_atlas

    copy = edited_recipe(
        RECIPE,
        tmp_path / "wear_2030.toml",
        [
            ('name = "infrastructure_wear"', 'name = "wear_2030"'),
            ("reference_year = 2023", "reference_year = 2030"),
        ],
    )
    out = tmp_path / "atlas"
    report = build_atlas(out, recipes=[RECIPE, copy])
    assert {"infrastructure_wear.html", "wear_2030.html"} <= set(report.files)
    layers = {str(name) for name, _ in pyogrio.list_layers(out / "atlas.gpkg")}
    for local in ("network_wear", "wear_by_zone"):
        assert local in layers and f"wear_2030_{local}" in layers
    now = gpd.read_file(out / "atlas.gpkg", layer="wear_by_zone").set_index("zone_id")
    later = gpd.read_file(out / "atlas.gpkg", layer="wear_2030_wear_by_zone").set_index("zone_id")
    known = now["wear_pct"].notna()
    assert (later.loc[known.index[known], "wear_pct"] >= now.loc[known, "wear_pct"] - 1e-9).all()
    assert later.loc["zhanatas", "wear_pct"] > now.loc["zhanatas", "wear_pct"]
    assert later.loc["karatau", "wear_pct"] > now.loc["karatau", "wear_pct"]


def test_shipped_table_paths_are_recorded_relative_to_the_repository(result):
    tables = result.parameters["tables"]
    assert tables["normative_life"]["path"] == "layers/tables/normative_life.csv"
    assert tables["inspection_grades"]["path"] == "layers/tables/inspection_grades.csv"
    assert tables["unit_costs"]["path"] == "layers/tables/unit_costs.csv"
