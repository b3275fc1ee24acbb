"""The land-suitability theme end to end on the embedded layers, and its recipe errors."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.errors import RecipeError
from geo.i18n import LANGUAGES
from geo.models.terrain import slope_degrees
from geo.recipe import load_recipe
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import RasterRamp
from geo.themes.suitability import SuitabilitySettings, read_settings

MAPS = Path(__file__).resolve().parent.parent / "maps"
LAND = MAPS / "land_suitability.toml"
RESI = MAPS / "residential_expansion.toml"


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return Catalog()


NO_POLLUTION = {
    "pollution": ThemeResult(theme="pollution", title={"en": "-", "kk": "-", "ru": "-"})
}
"""An empty pollution result: keeps these tests independent of the (slow) pollution theme."""


def _ctx(cat: Catalog) -> BuildContext:
    return BuildContext(cat, results=dict(NO_POLLUTION))


@pytest.fixture(scope="module")
def land(cat: Catalog) -> ThemeResult:
    return run_recipe(_ctx(cat), load_recipe(LAND))


def _r(res: ThemeResult, name: str) -> RasterLayer:
    return next(r for r in res.rasters if r.name == name)


def _v(res: ThemeResult, name: str) -> VectorLayer:
    return next(v for v in res.vectors if v.name == name)


def test_outputs_and_values(land: ThemeResult) -> None:
    assert [r.name for r in land.rasters] == [
        "suitability_score",
        "suitability_class",
        "suitability_stability",
    ]
    assert [v.name for v in land.vectors] == ["suitability_classes", "suitability_by_zone"]
    score = _r(land, "suitability_score").raster
    cls = _r(land, "suitability_class").raster
    stab = _r(land, "suitability_stability").raster
    assert score.crs.to_epsg() == 32642 and score.res == (100.0, 100.0)
    assert np.nanmin(score.array) >= 0 and np.nanmax(score.array) <= 1
    assert set(np.unique(cls.array)) <= {0, 1, 2, 3, 4} and cls.nodata == 0
    assert {1, 2, 4} <= set(np.unique(cls.array))  # the model discriminates
    assert np.nanmin(stab.array) >= 0 and np.nanmax(stab.array) == 1.0 and np.nanmin(stab.array) < 1
    # classes follow the recorded breaks
    b = land.parameters["classes"]["breaks"]
    s = score.array
    assert (cls.array[s >= b[2]] == 1).all() and (cls.array[(s >= b[0]) & (s < b[1])] == 3).all()
    # polygons cover the classified cells
    polys = _v(land, "suitability_classes").data
    assert polys.area.sum() == pytest.approx((cls.array > 0).sum() * 1e4, rel=1e-9)
    assert set(polys["class"]) <= {"S1", "S2", "S3", "N"}


def test_parameters_recorded(land: ThemeResult) -> None:
    p = json.loads(json.dumps(land.parameters))
    w = p["weights"]
    assert (
        w["method"] == "principal eigenvector"
        and 0 <= w["cr"] < 0.1
        and w["ri_table"] == "saaty1980"
    )
    assert sum(w["weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert sum(p["weights_used"].values()) == pytest.approx(1.0, abs=1e-5)
    assert p["criteria"]["slope"]["membership"] == {"kind": "linear", "a": 8.0, "b": 2.0}
    assert p["criteria"]["soil"]["membership"]["table"]["light chestnut"] == 0.8
    assert p["monte_carlo"]["draws"] == 200 and p["monte_carlo"]["seed"] == 20231
    assert p["classes"]["breaks"] == [0.25, 0.5, 0.75]
    assert p["grid"]["crs"] == "EPSG:32642"
    share = p["town_share"]
    assert share["town"] == "Zhanatas" and share["study_suitable_pct"] == 38.3
    assert 0 <= share["modelled_suitable_pct"] <= 100


def test_zone_table(land: ThemeResult, cat: Catalog) -> None:
    z = _v(land, "suitability_by_zone").data
    assert {"Zhanatas", "zhanatas_1", "zhanatas_9"} <= set(z["zone_id"])
    assert set(z["zone_type"]) >= {"town", "micro_district", "district"}
    pct = z[["S1_pct", "S2_pct", "S3_pct", "N_pct"]].sum(axis=1)
    np.testing.assert_allclose(pct, 100.0, atol=0.05)
    # areas: the town lies wholly in the grid; its classified area is its polygon area
    town = z[z["zone_id"] == "Zhanatas"].iloc[0]
    tb = cat.read("town_boundaries").to_crs(32642)
    area_ha = tb[tb["town"] == "Zhanatas"].area.iloc[0] / 1e4
    assert town["grid_coverage"] == pytest.approx(1.0)
    assert town["zone_area_ha"] == pytest.approx(area_ha, rel=1e-4)
    assert town[["S1_ha", "S2_ha", "S3_ha", "N_ha"]].sum() == pytest.approx(area_ha, rel=1e-3)
    assert town["suitable_pct"] == pytest.approx(
        land.parameters["town_share"]["modelled_suitable_pct"], abs=0.06
    )
    sub = z[z["zone_id"] == "Zhanatas_north_suburbs"].iloc[0]
    town_geom = z[z["zone_id"] == "Zhanatas"].to_crs(32642).geometry.iloc[0]
    sub_geom = gpd.GeoSeries([sub.geometry], crs=z.crs).to_crs(32642).iloc[0]
    assert sub_geom.centroid.y > town_geom.centroid.y + 2000  # the food-belt ring lies north
    assert not sub_geom.intersection(town_geom).area > 1.0
    assert land.parameters["town_share"]["northern_suburbs_suitable_pct"] == pytest.approx(
        sub["suitable_pct"], abs=0.06
    )
    district = z[z["zone_type"] == "district"].iloc[0]
    assert 0 < district["grid_coverage"] < 1
    assert (z["stable_pct"].between(0, 100)).all()


def test_constraints_force_class_n(land: ThemeResult, cat: Catalog) -> None:
    cls = _r(land, "suitability_class").raster
    from geo.grid import AnalysisGrid

    g = AnalysisGrid(cls.transform, cls.shape[1], cls.shape[0], cls.crs)
    md = cat.read("micro_districts")
    built = g.mask(md[md["status"] == "existing"])
    assert built.any() and (cls.array[built] == 4).all()
    slope = slope_degrees(g.warp(cat.read("dem")), g.cell_size)
    assert (cls.array[slope > 15] == 4).all()
    assert land.parameters["constraints"]["built_up"]["excluded_ha"] == pytest.approx(
        built.sum() * 1.0
    )


def test_deterministic(cat: Catalog, land: ThemeResult) -> None:
    again = run_recipe(_ctx(cat), load_recipe(LAND))
    for a, b in zip(land.rasters, again.rasters, strict=True):
        np.testing.assert_array_equal(a.raster.array, b.raster.array)
    assert json.dumps(land.parameters, sort_keys=True) == json.dumps(
        again.parameters, sort_keys=True
    )


def test_pollution_result_is_used(cat: Catalog, land: ThemeResult) -> None:
    score = _r(land, "suitability_score").raster
    idx = np.full(score.shape, 0.2, dtype="float32")
    idx[:, :40] = 1.5  # a polluted western strip, above the MPC
    left, bottom, _, _ = score.bounds
    spz = gpd.GeoDataFrame(
        {"source_id": ["x"]},
        geometry=[box(left + 20_000, bottom + 10_000, left + 22_000, bottom + 12_000)],
        crs=score.crs,
    )
    pol = ThemeResult(
        theme="pollution",
        title={"en": "p", "kk": "p", "ru": "p"},
        rasters=[
            RasterLayer(
                "pollution_index",
                {"en": "i", "kk": "i", "ru": "i"},
                dataclasses.replace(score, array=idx),
                RasterRamp((0, 1), ("#fff", "#000")),
            )
        ],
        vectors=[VectorLayer("sanitary_zones", {"en": "z", "kk": "z", "ru": "z"}, spz, style=None)],  # type: ignore[arg-type]
    )
    res = run_recipe(BuildContext(cat, results={"pollution": pol}), load_recipe(LAND))
    p = res.parameters
    assert "pollution_index" in p["weights_used"] and "skipped_criteria" not in p
    cls = _r(res, "suitability_class").raster.array
    assert (cls[:, :40] == 4).all()  # C/MPC > 1 excluded
    assert p["constraints"]["sanitary_zones"]["excluded_ha"] == pytest.approx(400.0)
    assert (cls[-120:-100, 200:220] == 4).all()
    assert p["constraints"]["polluted"]["excluded_ha"] == pytest.approx(40 * score.shape[0])


def test_without_pollution_result_criterion_is_skipped_with_note(land: ThemeResult) -> None:
    p = land.parameters
    assert p["skipped_criteria"] == ["pollution_index"]
    assert any("pollution_index skipped" in n["en"] for n in land.notes)
    for n in land.notes:
        assert all(n[lang] for lang in LANGUAGES)


def test_settings_are_frozen_and_typed(cat: Catalog) -> None:
    s = read_settings(load_recipe(LAND), cat)
    assert isinstance(s, SuitabilitySettings)
    assert s.ids[:3] == ["soil", "slope", "water"]
    assert s.criteria["slope"].layer == "dem" and s.criteria["slope"].membership.kind == "linear"
    assert s.criteria["pollution_index"].optional and s.criteria["pollution_index"].outside == 0.0
    assert s.weights.sum() == pytest.approx(1.0) and "matrix" in s.weights_record
    assert s.breaks == (0.25, 0.5, 0.75) and s.monte_carlo is not None
    assert s.monte_carlo.draws == 200 and s.stable_threshold == 0.9
    assert [c.id for c in s.constraints] == [
        "river_banks", "steep", "built_up", "sanitary_zones", "polluted",
    ]  # fmt: skip
    assert s.area.towns == ("Zhanatas",) and s.area.cell_size_m == 100
    assert s.report.town == "Zhanatas" and s.report.suburbs_m == 5000
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.breaks = (0.1, 0.2, 0.3)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.criteria["slope"].weight = 1.0  # type: ignore[misc]


def test_sanitary_fallback_reads_the_cited_table(cat: Catalog, land: ThemeResult) -> None:
    """Without the pollution theme's zones, enterprises are buffered by the table's widths."""
    table = pd.read_csv(Path(__file__).resolve().parents[1] / "layers/tables/spz_widths.csv")
    widths = dict(zip(table["hazard_class"], table["width_m"], strict=True))
    for s in (read_settings(load_recipe(p), cat) for p in (LAND, RESI)):
        spz = next(c for c in s.constraints if c.kind == "sanitary_zones")
        assert dict(spz.widths_m or {}) == {k: float(v) for k, v in widths.items()}
    rec = land.parameters["constraints"]["sanitary_zones"]
    assert rec["widths_m"] == widths and rec["excluded_ha"] > 0
    assert "skipped" not in rec


def test_two_suitability_recipes_in_one_build(cat: Catalog) -> None:
    ctx = _ctx(cat)
    land = run_recipe(ctx, load_recipe(LAND))
    resi = run_recipe(ctx, load_recipe(RESI))
    assert ctx.results["land_suitability"] is land  # the theme id keeps the first recipe
    assert ctx.results["residential_expansion"] is resi
    names = [x.name for x in [*land.rasters, *land.vectors]]
    others = [x.name for x in [*resi.rasters, *resi.vectors]]
    assert names[0] == "suitability_score" and others[0] == "residential_expansion_score"
    assert not set(names) & set(others)
    assert land.parameters["grid"]["crs"] == "EPSG:32642"
    assert resi.parameters["grid"]["crs"] == "EPSG:32643"


def test_second_recipe_is_general(cat: Catalog, land: ThemeResult) -> None:
    res = run_recipe(_ctx(cat), load_recipe(RESI))
    names = [r.name for r in res.rasters] + [v.name for v in res.vectors]
    assert names == [
        "residential_expansion_score",
        "residential_expansion_class",
        "residential_expansion_stability",
        "residential_expansion_classes",
        "residential_expansion_by_zone",
    ]
    assert not set(names) & ({r.name for r in land.rasters} | {v.name for v in land.vectors})
    p = res.parameters
    assert p["grid"]["crs"] == "EPSG:32643"
    assert p["aggregation"]["method"] == "owa"
    assert p["aggregation"]["measures"]["andness"] == pytest.approx(0.6675)
    assert p["weights"]["method"] == "direct" and p["monte_carlo"]["control_point_spread"] == 0.1
    assert "Shu" in set(_v(res, "residential_expansion_by_zone").data["zone_id"])


# -- bad input ---------------------------------------------------------------------------------
def _edit(tmp_path: Path, old: str, new: str, src: Path = LAND) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    p = tmp_path / src.name
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def _line(path: Path, needle: str) -> int:
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "pattern"),
    [
        (
            'layer = "rivers"\nunit = "m"',
            'layer = "rivres"\nunit = "m"',
            'layer = "rivres"',
            "unknown layer 'rivres'; known layers: dem",
        ),
        (
            'source = "slope"',
            'source = "slop"',
            'source = "slop"',
            "unknown source 'slop'; use one of",
        ),
        (
            'criteria = ["soil", "slope"',
            'criteria = ["soil", "slopes"',
            "criteria = [",
            "unknown criterion 'slopes'",
        ),
        (
            "  [1,     2,     2,     2,     3,     5, 5],",
            "  [1,     2,     2,     2,     3,     5],",
            "matrix = [",
            "must be square",
        ),
        (
            '  ["1/2", 1,     2,     1,     2,     3, 3],',
            "  [2,     1,     2,     1,     2,     3, 3],",
            "matrix = [",
            "not reciprocal",
        ),
        (
            "  [1,     2,     2,     2,     3,     5, 5],",
            '  [1,     2,     2,     2,     3,     5, "1/9"],',
            "matrix = [",
            "inconsistent: CR = 0.3272 > 0.1 .* soil vs elevation = 1/9",
        ),
        ("breaks = [0.25, 0.50, 0.75]", "breaks = [0.25, 0.75, 0.50]", "breaks = [", "must ascend"),
        (
            'kind = "linear", a = 8.0, b = 2.0',
            'kind = "linear", a = 8.0, b = 8.0',
            "a = 8.0, b = 8.0",
            "a != b",
        ),
        ("value = 15.0", "valeu = 15.0", "valeu", "unknown key; expected one of"),
        # a top-level typo is refused by geo.build from the theme's SPEC
        (
            'output_prefix = "suitability"',
            'output_prefx = "suitability"',
            "output_prefx",
            "output_prefx: unknown key; expected one of",
        ),
        # a typo inside a criterion table
        (
            "optional = true\noutside = 0.0",
            "optionl = true\noutside = 0.0",
            "optionl = true",
            r"criteria\.pollution_index\.optionl: unknown key; expected one of",
        ),
        ("seed = 20231", "sede = 20231", "sede = 20231", r"monte_carlo\.sede: unknown key"),
        (
            'layers = ["town_boundaries", "micro_districts", "districts"]',
            'layers = ["town_boundaries", "micro_districts", "districs"]',
            'layers = ["town_boundaries"',
            "unknown layer 'districs'",
        ),
        (
            'field = "hazard_class"                 # layers',
            'widths_m = { I = 1000 }\nfield = "hazard_class"                 # layers',
            "widths_m = {",
            "read from the cited table",
        ),
        (
            "order_weights = [0.35, 0.25, 0.2, 0.12, 0.08]",
            "order_weights = [0.35, 0.25, 0.2, 0.2]",
            "order_weights = [",
            "4 order weights for 5 criteria",
        ),
    ],
)
def test_recipe_errors_name_the_line(
    tmp_path: Path, cat: Catalog, old: str, new: str, needle: str, pattern: str
) -> None:
    p = _edit(tmp_path, old, new, RESI if "order_weights" in old else LAND)
    if "1/9" in new:  # keep the matrix reciprocal: elevation vs soil = 9
        row7 = '  ["1/5", "1/3", "1/2", "1/3", "1/2", 1, 1],\n]'
        p.write_text(
            p.read_text(encoding="utf-8").replace(row7, row7.replace('"1/5"', "9"), 1),
            encoding="utf-8",
        )
    with pytest.raises(RecipeError, match=pattern) as exc:
        run_recipe(_ctx(cat), load_recipe(p))
    msg = str(exc.value)
    assert "\n" not in msg
    m = re.match(rf"{re.escape(str(p))}:(\d+): ", msg)
    assert m, msg
    assert int(m.group(1)) == _line(p, needle), msg


def test_direct_weights_not_summing_to_one(tmp_path: Path, cat: Catalog) -> None:
    p = _edit(tmp_path, "weight = 0.30", "weight = 0.40", RESI)
    with pytest.raises(RecipeError, match=r"sum to 1\.1, not 1; rescale") as exc:
        run_recipe(_ctx(cat), load_recipe(p))
    # the line of the first criterion's weight
    assert str(exc.value).startswith(f"{p}:{_line(p, 'weight = 0.25')}: criteria.slope.weight: ")


def test_direct_weights_table_unknown_criterion(tmp_path: Path, cat: Catalog) -> None:
    p = _edit(
        tmp_path,
        "[aggregation]",
        '[weights]\nmethod = "direct"\nvalues = { slope = 0.5, twon = 0.5 }\n\n[aggregation]',
        RESI,
    )
    with pytest.raises(RecipeError, match="unknown criterion 'twon'") as exc:
        run_recipe(_ctx(cat), load_recipe(p))
    assert f"{p}:{_line(p, 'values = {')}:" in str(exc.value)


def test_criterion_raster_outside_study_area(tmp_path: Path) -> None:
    far = tmp_path / "dem_far.tif"
    with rasterio.open(
        far,
        "w",
        driver="GTiff",
        width=20,
        height=20,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(10.0, 10.0, 0.01, 0.01),
    ) as ds:
        ds.write(np.full((20, 20), 300, dtype="float32"), 1)
    cat = Catalog(overrides={"dem": far})
    with pytest.raises(RecipeError, match="does not cover Zhanatas") as exc:
        run_recipe(_ctx(cat), load_recipe(LAND))
    msg = str(exc.value)
    assert "\n" not in msg and "supply it with --layer dem=FILE" in msg
    line = _line(LAND, "[criteria.slope]")
    assert msg.startswith(f"{LAND}:{line}: criteria.slope: layer 'dem' does not cover Zhanatas")


def test_numeric_field_criterion_and_weights_table(tmp_path: Path, cat: Catalog) -> None:
    extra = (
        '[criteria.humus]\nsource = "field"\nlayer = "soils"\nfield = "humus_pct"\n'
        'membership = { kind = "linear", a = 0.5, b = 2.5 }\n\n'
        '[weights]\nmethod = "direct"\n'
        "values = { slope = 0.2, town = 0.3, flood = 0.1, pollution_distance = 0.2, ground = 0.1, humus = 0.1 }\n\n"
        "[aggregation]"
    )
    p = _edit(tmp_path, "[aggregation]", extra, RESI)
    p.write_text(
        p.read_text(encoding="utf-8").replace('method = "owa"', 'method = "wlc"', 1),
        encoding="utf-8",
    )
    res = run_recipe(_ctx(cat), load_recipe(p))
    assert res.parameters["weights_used"]["humus"] == pytest.approx(0.1)
    assert res.parameters["criteria"]["humus"]["membership"] == {
        "kind": "linear",
        "a": 0.5,
        "b": 2.5,
    }
    assert np.isfinite(_r(res, "residential_expansion_score").raster.array).all()


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from geo.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "breaks = [0.25, 0.50, 0.75]",
            "breaks = [0.25, 0.75, 0.50]",
            "breaks = [",
            "classes.breaks: class breaks must ascend",
        ),
        (
            'layer = "rivers"',
            'layer = "rivres"',
            'layer = "rivres"',
            "criteria.water.layer: unknown layer 'rivres'; known layers: dem,",
        ),
    ],
)
def test_cli_bad_recipe_exits_2_with_the_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    needle: str,
    fragment: str,
) -> None:
    p = _edit(tmp_path, old, new)
    out = tmp_path / "out"
    code, err = _cli(["map", str(p), "--out", str(out), "-q"], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"{p}:{_line(p, needle)}: {fragment}" in err
    assert not out.exists()


def test_description_and_translated_units(land: ThemeResult) -> None:
    from geo.i18n import check_text

    check_text(land.description, "suitability description")
    assert "S1–S3" in land.description["en"]
    by_zone = _v(land, "suitability_by_zone")
    units = {f.name: f.unit for f in by_zone.fields}
    assert units["S1_ha"] == {"en": "ha", "kk": "га", "ru": "га"}
    assert units["suitable_pct"] == "%"


def test_partial_layers_are_noted_by_kind(cat: Catalog) -> None:
    """A box half beyond the DEM and the rivers: the DEM's cells there are no data, the rivers'
    features there are not mapped (distances count the rivers within the layer's extent)."""
    from types import SimpleNamespace

    from geo.area import AreaOverride, override_area, resolve_area
    from geo.themes.suitability.coverage import check_coverage

    recipe = override_area(
        load_recipe(MAPS / "land_suitability.toml"), AreaOverride(bbox=(68.0, 43.0, 69.0, 43.5))
    )
    settings = read_settings(recipe, cat)
    area = resolve_area(cat, settings.area)
    coverage = check_coverage(SimpleNamespace(catalog=cat), settings, area)  # type: ignore[arg-type]
    dem = coverage.record["criteria.elevation"]["covered_pct"]
    rivers = coverage.record["criteria.water"]["covered_pct"]
    assert 40 < dem < 60 and 40 < rivers < 60
    notes = {n["en"] for n in coverage.notes}
    assert (
        f"Layer dem covers about {dem:.0f} % of the study area; beyond it the map has no data."
        in notes
    )
    assert any(
        n.startswith(f"Layer rivers covers about {rivers:.0f} %") and "not mapped" in n
        for n in notes
    )
    assert not any(n.startswith("Layer rivers") and "no data" in n for n in notes)
