"""The pollution theme: recipe, rasters, zones, conflicts, exposure, bad input."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS
from shapely.geometry import box

from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.errors import InputError, RecipeError
from geo.grid import AnalysisGrid
from geo.models.dispersion import max_concentration
from geo.recipe import default_maps_dir, load_recipe
from geo.results import ThemeResult
from geo.symbology import RasterRamp
from geo.themes import pollution

RECIPE = default_maps_dir() / "pollution.toml"


def small_recipe(tmp_path: Path, **replace: str) -> Path:
    """The shipped recipe on a coarse grid with a light wind scan (fast), plus edits."""
    text = RECIPE.read_text(encoding="utf-8")
    edits = {
        r"cell_size_m = \d+": "cell_size_m = 500",
        r"directions = \[[^\]]*\]": "directions = [0, 90, 180, 270]",
        r"frequencies = \[[^\]]*\]": "frequencies = [0.4, 0.2, 0.1, 0.3]",
        r"speeds = \[[^\]]*\]": "speeds = [0.5, 2.0]",
        r"area_source_points = \d+": "area_source_points = 2",
    } | replace
    for pattern, new in edits.items():
        text, n = re.subn(pattern, new, text, count=1)
        assert n == 1, pattern
    p = tmp_path / "pollution.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ThemeResult:
    path = small_recipe(tmp_path_factory.mktemp("recipe"))
    return run_recipe(BuildContext(Catalog()), load_recipe(path))


def raster(res: ThemeResult, name: str) -> np.ndarray:
    return next(r.raster.array for r in res.rasters if r.name == name)


def vector(res: ThemeResult, name: str) -> gpd.GeoDataFrame:
    return next(v.data for v in res.vectors if v.name == name)


def test_shipped_recipe_is_complete() -> None:
    r = load_recipe(RECIPE)
    assert r.theme == "pollution"
    assert (
        r.get("method.A") == 200 and r.get("method.name") == "ond86" and r.get("method.eta") == 1.0
    )
    assert sum(r.get("wind.frequencies")) == pytest.approx(1.0)
    assert len(r.get("wind.directions")) == 16


def test_outputs(built: ThemeResult) -> None:
    names = [r.name for r in built.rasters]
    assert names[:5] == [f"concentration_{p}" for p in ("so2", "co", "dust", "hf", "nh3")]
    assert "pollution_index" in names
    assert [v.name for v in built.vectors] == [
        "enterprises",
        "sanitary_zones",
        "spz_conflicts",
        "exposure_by_zone",
    ]
    for r in built.rasters:
        assert isinstance(r.style, RasterRamp)
        assert r.synthetic
        assert r.raster.crs.to_epsg() == 32642 and r.raster.res == (500.0, 500.0)
        a = r.raster.array
        # two windows (Zhanatas, Karatau): cells between them are not modelled (NaN)
        assert 0.2 < np.isfinite(a).mean() < 1 and (a[np.isfinite(a)] >= 0).all()
    so2 = next(r for r in built.rasters if r.name == "concentration_so2")
    assert so2.style.values[3] == 0.5  # the ramp's MPC stop
    json.dumps(built.parameters)  # manifest-ready
    assert built.parameters["A"] == 200 and built.parameters["method"] == "ond86"
    assert built.parameters["spz_table"]["widths_m"]["I"] == 1000
    assert any("ҚР ДСМ-70" in str(p["citation"]) for p in built.parameters["pollutants"])


def test_notes_state_eta_and_synthetic_sources(built: ThemeResult) -> None:
    joined = {lang: " ".join(n[lang] for n in built.notes) for lang in ("en", "kk", "ru")}
    assert "η = 1" in joined["en"] and "η = 1" in joined["kk"] and "η = 1" in joined["ru"]
    assert (
        "SYNTHETIC" in joined["en"]
        and "СИНТЕТИКАЛЫҚ" in joined["kk"]
        and "СИНТЕТИЧЕСКИЕ" in joined["ru"]
    )


def test_index_bounds(built: ThemeResult) -> None:
    # per wind case Σ C/MPC ≥ each C/MPC, and the max of a sum ≤ the sum of the maxima
    mpc = {p["id"]: p["mpc"] for p in built.parameters["pollutants"]}
    ratios = np.stack([raster(built, f"concentration_{p}") / m for p, m in mpc.items()]).astype(
        float
    )
    index = raster(built, "pollution_index").astype(float)
    ok = np.isfinite(index)
    assert (np.isfinite(ratios).all(axis=0) == ok).all()  # the same cells are modelled
    ratios, index = ratios[:, ok], index[ok]
    assert (index >= ratios.max(axis=0) * (1 - 1e-5) - 1e-9).all()
    assert (index <= ratios.sum(axis=0) * (1 + 1e-5) + 1e-9).all()
    assert float(index.max()) > 0.1
    rose = raster(built, "pollution_index_rose").astype(float)[ok]
    assert (rose <= index * (1 + 1e-5) + 1e-9).all()


def test_source_cm_matches_the_single_stack_method(built: ThemeResult) -> None:
    src = vector(built, "enterprises")
    chp = src[src["source_id"] == "ZH-CHP-01"].iloc[0]
    r = max_concentration(chp["height_m"], chp["diameter_m"], chp["velocity_m_s"], chp["gas_temp_c"], 31.9,
                          rate=chp["m_so2_g_s"])  # fmt: skip
    assert chp["cm_so2_mg_m3"] == pytest.approx(float(r.cm[0]))
    assert chp["cm_so2_mpc"] == pytest.approx(float(r.cm[0]) / 0.5)
    boiler = src[src["source_id"] == "ZH-BOILER-01"].iloc[
        0
    ]  # heating-only: January air temperature
    rb = max_concentration(boiler["height_m"], boiler["diameter_m"], boiler["velocity_m_s"], boiler["gas_temp_c"], -10.4,
                           rate=boiler["m_dust_g_s"], F=3.0)  # fmt: skip
    assert boiler["cm_dust_mg_m3"] == pytest.approx(float(rb.cm[0]))
    # the whole field is the sum over sources, so it can exceed no sum of their cm
    assert float(np.nanmax(raster(built, "concentration_so2"))) <= src["cm_so2_mg_m3"].sum() * (
        1 + 1e-6
    )


def test_sanitary_zones_and_conflicts(built: ThemeResult) -> None:
    zones = vector(built, "sanitary_zones")
    src = vector(built, "enterprises")
    assert len(zones) == len(src)
    plant = zones[zones["source_id"] == "ZH-PLANT-01"].iloc[0]
    area = float(src.loc[src["source_id"] == "ZH-PLANT-01", "area_m2"].iloc[0])
    r = math.sqrt(area / math.pi) + 500
    assert plant["width_m"] == 500 and plant["zone_area_ha"] == pytest.approx(
        math.pi * r**2 / 1e4, rel=2e-3
    )
    conflicts = vector(built, "spz_conflicts")
    assert set(conflicts["conflict"]) == {"residential", "agricultural"}
    assert (conflicts["overlap_ha"] > 0).all()
    # every overlap lies inside its zone
    zmap = zones.set_index("source_id").geometry
    for _, row in conflicts.iterrows():
        assert row.geometry.area / 1e4 == pytest.approx(row["overlap_ha"])
        assert zmap[row["source_id"]].buffer(1).contains(row.geometry)


def test_exposure_layer(built: ThemeResult) -> None:
    ex = vector(built, "exposure_by_zone")
    assert set(ex["level"]) == {"micro_district", "town"}
    assert {"zhanatas", "karatau"} <= set(ex["zone_id"])
    assert (ex["index_max"] >= ex["index_mean"]).all()
    assert (ex["pop_above_mpc"] <= ex["population"]).all()
    assert (ex["cells"] > 0).all()


def test_zone_exposure_on_a_hand_made_grid() -> None:
    grid = AnalysisGrid.from_bounds((0, 0, 400, 400), CRS.from_epsg(32642), 100)  # 4 × 4 cells
    so2 = np.array(
        [[0.2, 0.4, 1.5, 3.0], [0.1, 0.1, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]]
    )
    dust = np.zeros((4, 4))
    dust[1, 0] = 1.2  # a second pollutant above 1 MPC in another cell
    index = so2 + dust
    zones = gpd.GeoDataFrame(
        {"zone_id": ["north", "west_half", "tiny"], "population": [1000, 600, 10]},
        geometry=[box(0, 200, 400, 400), box(0, 0, 200, 400), box(310, 10, 320, 20)],
        crs=32642,
    )
    out = pollution.zone_exposure(grid, zones, {"so2": so2, "dust": dust}, index)
    north, west, tiny = (out.iloc[i] for i in range(3))
    # north = the top two rows: so2 max 3.0, mean (0.2+0.4+1.5+3.0+0.1+0.1+0.5+0.5)/8 = 0.7875
    assert (
        north["cells"] == 8
        and north["max_so2"] == 3.0
        and north["mean_so2"] == pytest.approx(0.7875)
    )
    # cells above 1 MPC in the north: (0,2), (0,3), (1,0 by dust) → 3 of 8 → 375 people
    assert north["share_above_mpc_pct"] == pytest.approx(37.5) and north["pop_above_mpc"] == 375
    assert north["index_max"] == pytest.approx(3.0) and north["max_dust"] == pytest.approx(1.2)
    # west half: columns 0-1: above in (1,0) dust and (3,0) so2 → 2 of 8 → 150 people
    assert west["cells"] == 8 and west["pop_above_mpc"] == 150 and west["max_so2"] == 2.0
    # a zone smaller than a cell takes the cell under it (row 3, col 3)
    assert tiny["cells"] == 1 and tiny["max_so2"] == 0.0 and tiny["pop_above_mpc"] == 0


def test_mrr2017_variant_builds(tmp_path: Path) -> None:
    path = small_recipe(
        tmp_path,
        **{r'name = "ond86"': 'name = "mrr2017"', r"cell_size_m = \d+": "cell_size_m = 2000"},
    )
    res = run_recipe(BuildContext(Catalog()), load_recipe(path))
    assert res.parameters["method"] == "mrr2017"
    assert float(np.nanmax(raster(res, "pollution_index"))) > 0


# -- bad input ---------------------------------------------------------------------------------
def build_with(tmp_path: Path, **replace: str) -> ThemeResult:
    return run_recipe(BuildContext(Catalog()), load_recipe(small_recipe(tmp_path, **replace)))


def test_unknown_pollutant(tmp_path: Path) -> None:
    with pytest.raises(
        RecipeError, match=r"pollution\.toml:\d+: pollutants\.ids: unknown pollutant 'pb'"
    ):
        build_with(tmp_path, **{r'ids = \["so2"': 'ids = ["pb", "so2"'})


def test_pollutant_without_mpc(tmp_path: Path) -> None:
    recipe = load_recipe(small_recipe(tmp_path))
    mpc = pd.DataFrame(
        {"pollutant": ["so2", "h2s"], "mpc_max_mg_m3": [0.5, np.nan], "citation": ["x", "y"]}
    )
    recipe.data["pollutants"]["ids"] = ["so2", "h2s"]
    from geo.themes.pollution.settings import _pollutants

    with pytest.raises(
        RecipeError, match=r"pollutants\.ids: pollutant 'h2s' has no max one-time MPC in mpc\.csv"
    ):
        _pollutants(recipe, mpc, "mpc.csv")


def test_wind_frequencies_not_summing_to_one(tmp_path: Path) -> None:
    with pytest.raises(
        RecipeError,
        match=r"pollution\.toml:\d+: wind\.frequencies: frequencies sum to 0\.9000, not 1",
    ):
        build_with(tmp_path, **{r"frequencies = \[[^\]]*\]": "frequencies = [0.4, 0.2, 0.1, 0.2]"})


def test_unknown_method_and_key(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"method\.name: 'gauss' is not a method"):
        build_with(tmp_path, **{r'name = "ond86"': 'name = "gauss"'})
    with pytest.raises(RecipeError, match=r"method\.Aa: unknown key"):
        build_with(tmp_path, **{r"\nA = 200": "\nAa = 200"})


def bad_sources(tmp_path: Path, change: dict[str, object], sid: str) -> Path:
    gdf = Catalog().read("enterprises").drop(columns=["synthetic", "data_note"])
    for col, value in change.items():
        gdf.loc[gdf["source_id"] == sid, col] = value
    path = tmp_path / "enterprises.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


@pytest.mark.parametrize(
    ("change", "sid", "fragment"),
    [
        (
            {"hazard_class": "VI"},
            "KR-PLANT-01",
            "source KR-PLANT-01: hazard_class 'VI' is not one of I, II, III, IV, V",
        ),
        (
            {"height_m": 0.0},
            "ZH-CHP-01",
            "(source_id 'ZH-CHP-01'), field 'height_m': 0 is outside 0.5–400",
        ),
        (
            {"diameter_m": -1.0},
            "ZH-PLANT-02",
            "(source_id 'ZH-PLANT-02'), field 'diameter_m': -1 is outside 0.05–20",
        ),
        (
            {"gas_temp_c": 20.0},
            "KR-CHP-01",
            "source KR-CHP-01: gas_temp_c 20 °C is below the air temperature 31.9 °C",
        ),
        (
            {"m_so2_g_s": -2.0},
            "ZH-CHP-01",
            "(source_id 'ZH-CHP-01'), field 'm_so2_g_s': -2 is outside 0–100000",
        ),
    ],
)
def test_bad_sources(tmp_path: Path, change: dict[str, object], sid: str, fragment: str) -> None:
    path = bad_sources(tmp_path, change, sid)
    ctx = BuildContext(Catalog(overrides={"enterprises": path}))
    with pytest.raises(InputError, match=re.escape(fragment)) as exc:
        run_recipe(ctx, load_recipe(small_recipe(tmp_path)))
    assert "\n" not in str(exc.value)


def test_missing_emission_column(tmp_path: Path) -> None:
    gdf = Catalog().read("enterprises").drop(columns=["synthetic", "data_note", "m_hf_g_s"])
    path = tmp_path / "e.gpkg"
    gdf.to_file(path, driver="GPKG")
    ctx = BuildContext(Catalog(overrides={"enterprises": path}))
    with pytest.raises(InputError, match="field 'm_hf_g_s'"):
        run_recipe(ctx, load_recipe(small_recipe(tmp_path)))


def test_unverified_coefficients_come_from_the_recipe(tmp_path: Path, built: ThemeResult) -> None:
    # filter fields (NH3 only) are cold fugitive releases: cm ∝ m' (0.9 by default, ○)
    path = small_recipe(
        tmp_path, **{r"\[wind\]": "[method.coefficients]\nm_prime_cold = 1.0\n\n[wind]"}
    )
    res = run_recipe(BuildContext(Catalog()), load_recipe(path))
    assert res.parameters["coefficients"]["m_prime_cold"] == 1.0
    assert built.parameters["coefficients"]["m_prime_cold"] == 0.9
    new, old = vector(res, "enterprises"), vector(built, "enterprises")
    ff = new["kind"] == "filter_field"
    np.testing.assert_allclose(
        new.loc[ff, "cm_nh3_mg_m3"], old.loc[ff, "cm_nh3_mg_m3"] / 0.9, rtol=1e-12
    )
    # the field follows (up to the shift of the scanned group dangerous speed)
    ratio = float(np.nanmax(raster(res, "concentration_nh3"))) / float(
        np.nanmax(raster(built, "concentration_nh3"))
    )
    assert ratio == pytest.approx(1.0 / 0.9, rel=5e-3)


def test_a_minimal_user_layer(tmp_path: Path) -> None:
    # only the documented fields a stack needs; source_type and area_m2 follow from kind
    gdf = gpd.GeoDataFrame(
        {
            "source_id": ["my-1", "my-2"],
            "name": ["Boiler A", "Boiler B"],
            "kind": ["boiler", "boiler"],
            "hazard_class": ["IV", "V"],
            "height_m": [35.0, 20.0],
            "diameter_m": [1.4, 0.6],
            "velocity_m_s": [7.0, 5.0],
            "gas_temp_c": [125.0, 150.0],
            **{c: [0.0, 0.0] for c in ("m_co_g_s", "m_dust_g_s", "m_hf_g_s", "m_nh3_g_s")},
            "m_so2_g_s": [12.0, 1.0],
        },
        geometry=gpd.points_from_xy([69.75, 69.72], [43.57, 43.55]),
        crs=4326,
    )
    path = tmp_path / "mine.gpkg"
    gdf.to_file(path, driver="GPKG")
    res = run_recipe(
        BuildContext(Catalog(overrides={"enterprises": path})), load_recipe(small_recipe(tmp_path))
    )
    zones = vector(res, "sanitary_zones")
    assert list(zones["width_m"]) == [100.0, 50.0]
    assert float(np.nanmax(raster(res, "concentration_dust"))) == 0.0
    src = vector(res, "enterprises")
    r = max_concentration(35, 1.4, 7, 125, 31.9, rate=12.0)
    assert float(src["cm_so2_mg_m3"].iloc[0]) == pytest.approx(float(r.cm[0]))


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from geo.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err.strip()


def test_cli_bad_stack_exits_2_naming_file_source_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bad_sources(tmp_path, {"height_m": 0.0}, "ZH-CHP-01")
    out = tmp_path / "out"
    code, err = _cli(
        ["map", str(small_recipe(tmp_path)), "--out", str(out), "--layer", f"enterprises={path}"],
        capsys,
    )
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert (
        f"{path}: feature " in err
        and "(source_id 'ZH-CHP-01'), field 'height_m': 0 is outside" in err
    )
    assert not out.exists()


def test_cli_wind_rose_not_summing_to_one_names_the_recipe_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = small_recipe(
        tmp_path, **{r"frequencies = \[[^\]]*\]": "frequencies = [0.4, 0.2, 0.1, 0.2]"}
    )
    line = next(
        i for i, t in enumerate(recipe.read_text(encoding="utf-8").splitlines(), 1)
        if t.startswith("frequencies")
    )  # fmt: skip
    code, err = _cli(["map", str(recipe), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert f"{recipe}:{line}: wind.frequencies: frequencies sum to 0.9000, not 1" in err


def test_description_and_translated_units(built: ThemeResult) -> None:
    from geo.i18n import check_text

    check_text(built.description, "pollution description")
    assert "OND-86" in built.description["en"]
    zones = next(v for v in built.vectors if v.name == "sanitary_zones")
    units = {f.name: f.unit for f in zones.fields}
    assert units["width_m"] == {"en": "m", "kk": "м", "ru": "м"}
    assert units["zone_area_ha"] == {"en": "ha", "kk": "га", "ru": "га"}
    sources = next(v for v in built.vectors if v.name == "enterprises")
    assert next(f.unit for f in sources.fields if f.name == "m_so2_g_s")["ru"] == "г/с"


def test_settings_are_read_once_into_frozen_typed_values(tmp_path: Path) -> None:
    import dataclasses

    from geo.themes.pollution import read_settings

    s = read_settings(load_recipe(small_recipe(tmp_path)))
    assert s.area.towns == ("Zhanatas", "Karatau") and s.area.cell_size_m == 500.0
    assert [p.id for p in s.pollutants] == ["so2", "co", "dust", "hf", "nh3"]
    assert s.pollutants[0].mpc == pytest.approx(0.5)  # SO2 max one-time MPC from the cited table
    assert (
        s.spz.table.name == "spz_widths.csv" and s.spz.table_shown == "layers/tables/spz_widths.csv"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.A = 100.0  # type: ignore[misc]


def test_a_typo_inside_a_table_is_refused_with_its_line(tmp_path: Path) -> None:
    from geo.errors import RecipeError

    path = small_recipe(tmp_path, **{r"cell_size_m = 500": "cell_sise = 500"})
    line = next(
        i
        for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "cell_sise" in t
    )
    with pytest.raises(RecipeError, match=rf"pollution\.toml:{line}: area\.cell_sise: unknown key"):
        run_recipe(BuildContext(Catalog()), load_recipe(path))


def test_two_pollution_recipes_build_in_one_atlas(tmp_path: Path) -> None:
    import rasterio

    from geo.build import build_atlas

    (tmp_path / "winter").mkdir()
    summer = small_recipe(tmp_path)
    winter = small_recipe(
        tmp_path / "winter",
        **{
            r"air_temp_c = [-\d.]+": "air_temp_c = -10.4",
            r'name = "pollution"': 'name = "pollution_winter"',
        },
    )
    report = build_atlas(tmp_path / "atlas", recipes=[summer, winter])
    files = set(report.files)
    assert {"pollution.html", "pollution_winter.html"} <= files
    assert {"rasters/pollution_index.tif", "rasters/pollution_winter_pollution_index.tif"} <= files
    with (
        rasterio.open(tmp_path / "atlas/rasters/concentration_so2.tif") as a,
        rasterio.open(tmp_path / "atlas/rasters/pollution_winter_concentration_so2.tif") as b,
    ):
        hot, cold = a.read(1, masked=True).max(), b.read(1, masked=True).max()
    assert hot > 0 and cold > 0 and hot != pytest.approx(cold, rel=1e-6)
    params = report.manifest["themes"]
    assert params["pollution"]["parameters"]["air_temp_c"] == pytest.approx(31.9)
    assert params["pollution_winter"]["parameters"]["air_temp_c"] == pytest.approx(-10.4)


def test_the_notes_say_synthetic_only_for_the_synthetic_sources() -> None:
    from geo.themes.pollution.report import source_notes

    desc, notes = source_notes({"synthetic": True, "source": "SYNTHETIC: ..."})
    assert any(n["en"].startswith("SYNTHETIC sources") for n in notes)
    assert "synthetic" in desc["en"]
    desc, notes = source_notes({"synthetic": False, "source": "OpenStreetMap (Overpass), fetched"})
    assert not any("SYNTHETIC" in n["en"] or "СИНТЕТ" in n["ru"] for n in notes)
    assert "synthetic" not in desc["en"]
    given = next(n for n in notes if "enterprises layer" in n["en"])
    assert "OpenStreetMap (Overpass), fetched" in given["kk"] and "{source}" not in given["ru"]
