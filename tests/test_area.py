"""Any study area: towns, boxes and polygons for every theme, honest when data runs out."""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from geo.area import AreaRequest, area_crs, check_bbox, resolve_area
from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.cli import main
from geo.errors import InputError
from geo.recipe import default_maps_dir, load_recipe
from geo.synthetic.table import study_towns
from tests.cli import run_cli
from tests.recipes import edited_recipe

MAPS = default_maps_dir()
TARAZ = 1516905


def fast_suitability(tmp_path: Path, name: str = "land_suitability.toml") -> Path:
    """The food-belt recipe on 500 m cells with 20 Monte Carlo draws (fast)."""
    return edited_recipe(
        MAPS / "land_suitability.toml",
        tmp_path / name,
        [("cell_size_m = 100", "cell_size_m = 500"), ("draws = 200", "draws = 20")],
    )


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli([*argv, "-q"], capsys)


def pollution_recipe(tmp_path: Path, towns: str, *edits: tuple[str, str]) -> Path:
    """The pollution recipe for *towns* (a TOML list) with further *edits*."""
    return edited_recipe(
        MAPS / "pollution.toml",
        tmp_path / "pollution.toml",
        [('towns = ["Zhanatas", "Karatau"]', f"towns = {towns}"), *edits],
    )


def suitability_map(
    tmp_path: Path, out: Path, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """``geo map`` of the fast food-belt recipe into *out* with the extra *args*."""
    return run(["map", str(fast_suitability(tmp_path)), "--out", str(out), *args], capsys)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# -- the area and its CRS -------------------------------------------------------------------


def test_crs_follows_the_area() -> None:
    cat = Catalog()
    zh = resolve_area(cat, AreaRequest(towns=("Zhanatas", "Karatau")))
    shu = resolve_area(cat, AreaRequest(towns=("Shu",)))
    both = resolve_area(cat, AreaRequest(towns=("Zhanatas", "Shu")))
    assert zh.crs.to_epsg() == 32642 and shu.crs.to_epsg() == 32643
    assert both.crs.name.startswith("WGS 84 / Albers")  # two zones: the basin's conic
    assert both.town_crs("Shu").to_epsg() == 32643 and both.town_crs("Zhanatas").to_epsg() == 32642
    basin = resolve_area(cat, AreaRequest(bbox=(68.5, 42.5, 75.5, 44.7)))
    assert basin.crs.name.startswith("WGS 84 / Albers")
    assert {"Zhanatas", "Karatau", "Shu", "Taraz"} <= set(basin.towns)
    assert area_crs([], (69.0, 43.0, 69.5, 43.5)).to_epsg() == 32642


def test_a_box_takes_in_the_towns_inside_it_above_the_population_floor() -> None:
    cat = Catalog()
    a = resolve_area(cat, AreaRequest(bbox=(69.5, 43.4, 70.0, 43.7)))
    assert a.towns == ("Zhanatas",)
    none = resolve_area(cat, AreaRequest(bbox=(69.5, 43.4, 70.0, 43.7), min_population=10**6))
    assert none.towns == ()
    g = a.grid(1000)
    assert g.crs.to_epsg() == 32642 and g.width * g.height > 100


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ("70,43,69,44", "west (70) must be less than east (69)"),
        ("69,44,70,43", "south (44) must be less than north (43)"),
        ("69,43,70", "four numbers"),
        ("690000,4800000,700000,4900000", "not in degrees"),
    ],
)
def test_bad_boxes_are_refused_in_one_line(bbox: str, message: str) -> None:
    with pytest.raises(InputError, match="^--bbox: .*" + re.escape(message)):
        check_bbox(bbox, "--bbox")


def test_a_box_outside_kazakhstan_is_refused(tmp_path: Path, capsys) -> None:
    code, out, err = suitability_map(tmp_path, tmp_path / "o", "--bbox", "2,48,3,49", capsys=capsys)
    assert code == 2 and out == "" and "--bbox" in err and "Kazakhstan" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    assert not list(tmp_path.glob(".o.*"))  # no temporary folder left behind


# -- six areas nobody tuned for ---------------------------------------------------------


def test_a_town_outside_the_study_builds_every_gridded_theme(tmp_path: Path, capsys) -> None:
    """Taraz (Zhambyl oblast, not a study town): synthetic layers made for it, labelled so."""
    out = tmp_path / "taraz"
    code, _, err = suitability_map(tmp_path, out, "--town", "Taraz", capsys=capsys)
    assert code == 0, err
    p = manifest(out)["themes"]["land_suitability"]["parameters"]
    assert p["area"]["towns"] == ["Taraz"] and p["area"]["crs"] == "EPSG:32642"
    assert p["coverage"]["score_cells_with_data_pct"] > 95
    assert sum(p["class_area_ha"].values()) > 10_000
    tb = gpd.read_file(out / "atlas.gpkg", layer="town_boundaries")
    taraz = tb[tb["town"] == "Taraz"].iloc[0]
    assert bool(taraz["synthetic"]) and "SYNTHETIC" in taraz["data_note"]
    assert taraz["population"] == 358153 and taraz["town_type"] in ("", None)  # nothing invented


def test_shu_pollution_is_modelled_in_its_own_zone(tmp_path: Path) -> None:
    recipe = pollution_recipe(tmp_path, '["Shu"]', ("cell_size_m = 150", "cell_size_m = 600"))
    res = run_recipe(BuildContext(Catalog()), load_recipe(recipe))
    assert res.parameters["area"]["crs"] == "EPSG:32643"
    src = next(v.data for v in res.vectors if v.name == "enterprises")
    assert set(src["town"]) == {"Shu"}  # no zones for sources the grid does not model
    ex = next(v.data for v in res.vectors if v.name == "exposure_by_zone")
    assert set(ex["town"]) == {"Shu"} and np.isfinite(ex["index_max"]).all()


def test_a_polygon_in_a_projected_crs(tmp_path: Path, capsys) -> None:
    poly = gpd.GeoDataFrame(
        {"name": ["study area"]},
        geometry=[box(550_000, 4_812_000, 570_000, 4_832_000)],  # UTM 42N, around Zhanatas
        crs=32642,
    )
    path = tmp_path / "area.gpkg"
    poly.to_file(path, engine="pyogrio")
    out = tmp_path / "poly"
    code, _, err = suitability_map(tmp_path, out, "--area", str(path), capsys=capsys)
    assert code == 0, err
    a = manifest(out)["themes"]["land_suitability"]["parameters"]["area"]
    assert a["kind"] == "file" and a["crs"] == "EPSG:32642" and a["towns"] == ["Zhanatas"]
    w, _s, _e, n = a["bounds"]
    assert 69.4 < w < 69.5 and 43.75 < n < 43.8  # the polygon plus the recipe's 15 km


def test_a_box_with_no_town_refuses_the_town_anchored_layers(tmp_path: Path, capsys) -> None:
    out = tmp_path / "empty"
    code, stdout, err = suitability_map(
        tmp_path, out, "--bbox", "71.0,44.0,71.5,44.4", capsys=capsys
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "criteria.soil: layer 'soils' does not cover bbox 71,44,71.5,44.4" in err
    assert "--layer soils=FILE" in err and not out.exists()


def test_a_town_beyond_the_dem_is_refused_naming_the_dem(tmp_path: Path, capsys) -> None:
    """A user's town far east of the embedded DEM: slope cannot be computed there."""
    far = gpd.GeoDataFrame(
        {"town": ["Farville"], "name_kk": ["Farville"], "name_ru": ["Farville"],
         "population": [20000], "town_type": [""]},
        geometry=[Point(80.0, 50.0).buffer(0.03)],
        crs=4326,
    )  # fmt: skip
    path = tmp_path / "far.gpkg"
    far.to_file(path, engine="pyogrio")
    code, _, err = suitability_map(
        tmp_path,
        tmp_path / "far",
        "--layer",
        f"town_boundaries={path}",
        "--town",
        "Farville",
        capsys=capsys,
    )
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "layer 'dem' does not cover Farville" in err and "--layer dem=FILE" in err


def test_an_optional_input_that_misses_the_area_is_left_out_with_a_note(tmp_path: Path) -> None:
    """The Shu recipe reads the pollution model of Zhanatas and Karatau: not Shu's, so not used."""
    ctx = BuildContext(Catalog())
    run_recipe(ctx, load_recipe("pollution"))
    recipe = edited_recipe(
        MAPS / "residential_expansion.toml",
        tmp_path / "residential_expansion.toml",
        [("cell_size_m = 100", "cell_size_m = 400"), ("draws = 100", "draws = 10")],
    )
    res = run_recipe(ctx, load_recipe(recipe))
    sz = res.parameters["constraints"]["sanitary_zones"]
    assert sz["excluded_ha"] > 0  # drawn from Shu's own enterprises, not from a model elsewhere
    alone = run_recipe(BuildContext(Catalog()), load_recipe(recipe))  # no pollution model at all
    assert alone.parameters["constraints"]["sanitary_zones"] == sz
    assert alone.parameters["class_area_ha"] == res.parameters["class_area_ha"]
    # the food belt pointed at Shu: its optional pollution criterion is left out, with a note
    food = edited_recipe(
        fast_suitability(tmp_path),
        tmp_path / "food_shu.toml",
        [('towns = ["Zhanatas"]', 'towns = ["Shu"]')],
    )
    res = run_recipe(ctx, load_recipe(food))
    assert res.parameters["skipped_criteria"] == ["pollution_index"]
    assert any(n["en"].startswith("Criterion pollution_index skipped") for n in res.notes)
    assert res.parameters["criteria"]["pollution_index"]["weight"] is None


def test_sustainability_refuses_towns_outside_its_survey(tmp_path: Path, capsys) -> None:
    code, _, err = run(
        ["map", str(MAPS / "sustainability.toml"), "--out", str(tmp_path / "s"), "--town", "Taraz"],
        capsys,
    )
    assert code == 2 and err.startswith("error: --town: the sustainability index compares")


# -- synthetic layers for any town ------------------------------------------------------


SYNTHETIC = ("town_boundaries", "micro_districts", "enterprises", "utility_networks", "soils")


def test_adding_a_town_leaves_every_other_town_unchanged() -> None:
    alone, more = Catalog(), Catalog()
    more.include_towns([TARAZ])
    assert "Taraz" in study_towns(more) and "Taraz" not in study_towns(alone)
    for layer in SYNTHETIC:
        a = alone.read(layer)
        b = more.read(layer)
        assert "Taraz" in set(b["town"]), layer
        b = b[b["town"] != "Taraz"].reset_index(drop=True)
        assert list(a.columns) == list(b.columns), layer
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry")), layer
        assert list(a.geometry.to_wkb()) == list(b.geometry.to_wkb()), layer


def test_a_new_town_gets_generic_sources_said_to_be_generic() -> None:
    cat = Catalog()
    cat.include_towns([TARAZ])
    ent = cat.read("enterprises")
    taraz = ent[ent["town"] == "Taraz"]
    assert set(taraz["kind"]) == {"boiler"} and len(taraz) == 6
    assert taraz["source_id"].str.startswith(f"G{TARAZ}-").all()
    assert taraz["synthetic"].all()


def test_the_command_line_overrides_the_recipe_and_errors_name_the_flag(
    tmp_path: Path, capsys
) -> None:
    code, _, err = suitability_map(tmp_path, tmp_path / "x", "--town", "Atlantis", capsys=capsys)
    assert code == 2 and err.startswith("error: --town: ") and "Atlantis" in err
    code, _, err = suitability_map(
        tmp_path, tmp_path / "x", "--town", "Shu", "--bbox", "69,43,70,44", capsys=capsys
    )
    assert code == 2 and "--town and --bbox" in err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: gpd.GeoDataFrame(geometry=[Point(69.7, 43.6)], crs=4326), "holds no polygon"),
        (lambda p: gpd.GeoDataFrame(geometry=[box(69.6, 43.5, 69.8, 43.7)]), "has no CRS"),
    ],
)
def test_bad_area_files(tmp_path: Path, capsys, make, message: str) -> None:
    path = tmp_path / "area.geojson"
    gdf = make(path)
    if gdf.crs is None:
        path = tmp_path / "area.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": the point here
        gdf.to_file(path, engine="pyogrio")
    code, _, err = suitability_map(tmp_path, tmp_path / "x", "--area", str(path), capsys=capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_declared_extents_are_where_the_data_lie() -> None:
    """A declared extent is the window the real layer was cut to: its data fill it."""
    from geo.raster import Raster

    cat = Catalog()
    declared = [s for s in cat if s.extent is not None]
    assert {s.id for s in declared} >= {"dem", "dem_karatau", "rivers", "karatau_range"}
    for spec in declared:
        assert not spec.synthetic, spec.id
        data = cat.read(spec.id)
        if isinstance(data, Raster):
            bounds = data.bounds
        else:
            bounds = tuple(float(v) for v in data.total_bounds)
        w, s, e, n = spec.extent
        assert w - 0.01 <= bounds[0] and bounds[2] <= e + 0.01, spec.id
        assert s - 0.01 <= bounds[1] and bounds[3] <= n + 0.01, spec.id
        assert (bounds[2] - bounds[0]) > 0.5 * (e - w), spec.id  # the data fill the window


def test_geo_layers_says_what_each_layer_covers(capsys) -> None:
    code, out, _ = run(["layers", "--json"], capsys)
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and rows["dem"]["extent"] == [68.5, 42.5, 75.5, 44.7125]
    assert rows["soils"]["towns"] == ["Karatau", "Shu", "Zhanatas"]
    assert rows["survey_2023"]["extent"] is None


# -- the cost estimate before the build -------------------------------------------------


def test_a_grid_that_would_not_fit_is_refused_before_anything_is_written(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # results beyond 4 M cells are stored, so memory grows slowly: 0.5 m around Zhanatas
    # (4.7 G cells) is what no longer fits in 8 GiB (the machine's memory pinned to that)
    import geo.cost

    monkeypatch.setattr(geo.cost, "available_memory", lambda: 8 * 2**30)
    recipe = edited_recipe(
        MAPS / "land_suitability.toml",
        tmp_path / "fine.toml",
        [("cell_size_m = 100", "cell_size_m = 0.5")],
    )
    out = tmp_path / "fine"
    code, stdout, err = run(["map", str(recipe), "--out", str(out)], capsys)
    line = next(
        i for i, t in enumerate(recipe.read_text().splitlines(), 1) if "cell_size_m = 0.5" in t
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
    assert f"fine.toml:{line}: area.cell_size_m: " in err and "GB peak" in err
    assert re.search(r"use cells of \d+ m or coarser", err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.toml"]  # nothing else, no tmp


def test_a_disk_too_small_for_the_stored_results_is_refused_before_any_work(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 5 m around Zhanatas: about 47 M cells, whose score, classes and stability (9 B a cell,
    # about 0.43 GB) are stored beside the output; the disk pinned to 100 MB free
    import geo.build

    monkeypatch.setattr(geo.build, "_disk_free", lambda out: 100 * 2**20)
    recipe = edited_recipe(
        MAPS / "land_suitability.toml",
        tmp_path / "fine.toml",
        [("cell_size_m = 100", "cell_size_m = 5")],
    )
    out = tmp_path / "fine"
    started = time.perf_counter()
    code, stdout, err = run(["map", str(recipe), "--out", str(out)], capsys)
    line = next(
        i for i, t in enumerate(recipe.read_text().splitlines(), 1) if "cell_size_m = 5" in t
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
    assert f"fine.toml:{line}: area.cell_size_m: land_suitability+pollution: " in err
    gb = float(re.search(r"take about ([\d.]+) GB on disk", err).group(1))  # type: ignore[union-attr]
    assert 0.4 < gb < 0.5 and "has 0.10 GB free" in err and "larger disk" in err
    assert time.perf_counter() - started < 30  # refused up front, not after the chunks
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.toml"]


def test_the_estimate_is_logged_and_fine_cells_are_noted(tmp_path: Path, capsys) -> None:
    recipe = edited_recipe(
        MAPS / "land_suitability.toml",
        tmp_path / "ls.toml",
        [("cell_size_m = 100", "cell_size_m = 30"), ("draws = 200", "draws = 5"),
         ("buffer_m = 15000", "buffer_m = 1000")],
    )  # fmt: skip
    with pytest.raises(SystemExit):
        main(["map", str(recipe), "--out", str(tmp_path / "o"), "-v"])
        raise SystemExit(0)
    _out, err = capsys.readouterr()
    assert re.search(r"INFO: estimate for the run: .* cells, about [\d.]+ GB peak", err)
    assert "cells of 30 m are 15× finer than layer dem (about 464 m)" in err
    notes = manifest(tmp_path / "o")["themes"]["land_suitability"]["notes"]
    assert any("15× finer than layer dem" in n["en"] for n in notes)


def test_towns_far_apart_are_modelled_on_their_own_windows(tmp_path: Path) -> None:
    """Zhanatas and Shu: one grid across two UTM zones (the conic), two windows, no-data between."""
    recipe = pollution_recipe(
        tmp_path,
        '["Zhanatas", "Shu"]',
        ("cell_size_m = 150", "cell_size_m = 1000"),
        ("buffer_m = 15000", "buffer_m = 5000"),
    )
    res = run_recipe(BuildContext(Catalog()), load_recipe(recipe))
    p = res.parameters
    assert p["area"]["crs"].startswith("WGS 84 / Albers") and len(p["windows"]) == 2
    index = next(r.raster.array for r in res.rasters if r.name == "pollution_index")
    modelled = np.isfinite(index)
    assert 0.02 < modelled.mean() < 0.2  # two towns of a 330 km wide grid
    (r0, r1, c0, c1), (s0, s1, d0, d1) = p["windows"]
    assert modelled[r0:r1, c0:c1].all() and modelled[s0:s1, d0:d1].all()
    ex = next(v.data for v in res.vectors if v.name == "exposure_by_zone").set_index("zone_id")
    assert np.isfinite(ex.loc[["zhanatas", "shu"], "index_max"]).all()
    assert ex.loc["shu", "index_max"] > 0


def test_a_users_boundary_file_with_more_towns_builds(tmp_path: Path, capsys) -> None:
    """The user's own outlines (validated first) of five towns, in UTM: networks laid in each."""
    rows = [("Zhanatas", 69.732, 43.563), ("Karatau", 70.459, 43.18), ("Shu", 73.762, 43.605),
            ("Taraz", 71.373, 42.898), ("Kentau", 68.505, 43.517)]  # fmt: skip
    gdf = gpd.GeoDataFrame(
        {"town": [r[0] for r in rows], "name_kk": [r[0] for r in rows],
         "name_ru": [r[0] for r in rows], "population": [30000] * 5, "town_type": [""] * 5},
        geometry=[Point(r[1], r[2]).buffer(0.03) for r in rows],
        crs=4326,
    ).to_crs(32642)  # fmt: skip
    path = tmp_path / "my_towns.gpkg"
    gdf.to_file(path, engine="pyogrio")
    code, _out, err = run(["validate", str(path), "--as", "town_boundaries"], capsys)
    assert code == 0, err
    out_dir = tmp_path / "wear"
    code, _, err = run(
        ["map", str(MAPS / "infrastructure_wear.toml"), "--out", str(out_dir),
         "--layer", f"town_boundaries={path}", "--town", "Taraz", "--town", "Kentau"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    seg = gpd.read_file(out_dir / "atlas.gpkg", layer="network_wear")
    assert set(seg["town"]) == {"Taraz", "Kentau"} and seg["synthetic"].all()
