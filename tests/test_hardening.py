"""Hostile and careless values: one line, exit 2, nothing written."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from geo.recipe import default_maps_dir
from tests.cli import run_cli
from tests.recipes import edited_recipe

MAPS = default_maps_dir()
STACK = ["--diameter", "1.4", "--velocity", "7", "--gas-temp", "125", "--air-temp", "25"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--height", "1e308", "--rate", "12"], "the method gives no finite xm_m"),
        (["--height", "inf", "--rate", "12"], "--height: inf is not a finite number"),
        (["--height", "35", "--rate", "nan"], "--rate: nan is not a finite number"),
    ],
)
def test_dispersion_never_prints_what_json_cannot_hold(args, message, capsys) -> None:
    code, out, err = run_cli(["dispersion", *STACK, *args, "--json"], capsys)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_dispersion_json_is_strict(capsys) -> None:
    code, out, _ = run_cli(
        ["dispersion", *STACK, "--height", "35", "--rate", "12", "--json"], capsys
    )
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))


def test_a_recipe_not_in_utf8_is_named_with_its_line(tmp_path: Path, capsys) -> None:
    p = tmp_path / "r.toml"
    p.write_bytes('theme = "pollution"\n# Жанатас\n'.encode("cp1251"))
    code, _, err = run_cli(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert (
        code == 2
        and err.strip()
        == f"error: {p}:2: not UTF-8 (it reads as Windows-1251); save the recipe as UTF-8"
    )


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('name = "../../outside"', "name"),
        ('name = "a/b"', "name"),
        ('output_prefix = "/tmp/abs"', "output_prefix"),
        ('output_prefix = "' + "x" * 60 + '"', "output_prefix"),
        ("name = 5", "name"),
    ],
)
def test_names_that_become_files_keep_to_a_safe_alphabet(tmp_path: Path, capsys, line, key) -> None:
    p = tmp_path / "r.toml"
    p.write_text(f'theme = "pollution"\n{line}\n', encoding="utf-8")
    code, _, err = run_cli(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and f"r.toml:2: {key}: " in err and "cannot name files and tables" in err
    assert sorted(q.name for q in tmp_path.iterdir()) == ["r.toml"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("100000000", "monte_carlo.draws: must be ≤ 100000"),
        ('"many"', "monte_carlo.draws: must be a number, got 'many'"),
        ("nan", "monte_carlo.draws: must be a number, got nan"),
        ("1.5", "monte_carlo.draws: must be a whole number"),
    ],
)
def test_monte_carlo_draws_are_bounded_before_any_work(tmp_path: Path, capsys, value, message):
    p = edited_recipe(
        MAPS / "land_suitability.toml", tmp_path / "r.toml", [("draws = 200", f"draws = {value}")]
    )
    code, _, err = run_cli(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# -- plausibility checks shared by geo validate and the build ---------------------------------


def _enterprises(tmp_path: Path, **change: object) -> Path:
    from geo.catalog import Catalog

    gdf = Catalog().read("enterprises").copy()
    for col, value in change.items():
        gdf.loc[0, col] = value
    p = tmp_path / "ent.gpkg"
    gdf.to_file(p, engine="pyogrio")
    return p


def _validate(path: Path, layer: str, capsys) -> tuple[int, str]:
    code, out, err = run_cli(["validate", str(path), "--as", layer], capsys)
    return code, out + err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"height_m": -5.0}, "field 'height_m': -5 is outside 0.5–400"),
        ({"m_so2_g_s": float("inf")}, "field 'm_so2_g_s': inf is outside 0–100000"),
        ({"m_co_g_s": float("nan")}, "field 'm_co_g_s': empty is not a finite number"),
        ({"source_id": "ZH-PLANT-02"}, "'ZH-PLANT-02' is also the source_id of feature"),
    ],
)
def test_implausible_sources_are_refused_by_validate_and_the_build(
    tmp_path: Path, capsys, change, message
) -> None:
    path = _enterprises(tmp_path, **change)
    code, text = _validate(path, "enterprises", capsys)
    assert code == 2 and message in text
    out = tmp_path / "o"
    code, _, err = run_cli(
        ["map", str(MAPS / "pollution.toml"), "--out", str(out), "--layer", f"enterprises={path}"],
        capsys,
    )
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_a_future_install_year_is_refused(tmp_path: Path, capsys) -> None:
    from geo.catalog import Catalog

    gdf = Catalog().read("utility_networks").copy()
    gdf.loc[3, "install_year"] = 3000
    p = tmp_path / "net.gpkg"
    gdf.to_file(p, engine="pyogrio")
    code, text = _validate(p, "utility_networks", capsys)
    assert code == 2 and "field 'install_year': 3000 is outside 1850–2100" in text


def test_metres_declared_as_degrees_and_swapped_axes(tmp_path: Path, capsys) -> None:
    import shapely

    from geo.catalog import Catalog

    towns = Catalog().read("town_boundaries")
    metres = towns.to_crs(32642).set_crs(4326, allow_override=True)
    p = tmp_path / "metres.gpkg"
    metres.to_file(p, engine="pyogrio")
    code, text = _validate(p, "town_boundaries", capsys)
    assert code == 2 and "are not degrees, though the CRS says WGS 84" in text
    swapped = towns.copy()
    swapped["geometry"] = shapely.transform(swapped.geometry.values, lambda xy: xy[:, ::-1])
    p = tmp_path / "swapped.gpkg"
    swapped.to_file(p, engine="pyogrio")
    code, text = _validate(p, "town_boundaries", capsys)
    assert code == 2 and "longitude and latitude look swapped" in text


def test_a_dem_of_one_cell_is_refused(tmp_path: Path, capsys) -> None:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    p = tmp_path / "dem1.tif"
    with rasterio.open(
        p, "w", driver="GTiff", width=1, height=1, count=1, dtype="float32", crs="EPSG:4326",
        transform=from_origin(69.7, 43.6, 0.01, 0.01),
    ) as ds:  # fmt: skip
        ds.write(np.full((1, 1), 500, "float32"), 1)
    code, text = _validate(p, "dem", capsys)
    assert code == 2 and "1 × 1 cells; a raster needs at least 3 × 3" in text


# -- well-formed QGIS documents whatever the text -------------------------------------------


def test_qgis_documents_stay_well_formed_with_hostile_titles(tmp_path: Path, capsys) -> None:
    import io
    import sqlite3
    import xml.etree.ElementTree as ET
    import zipfile

    recipe = edited_recipe(
        MAPS / "land_suitability.toml",
        tmp_path / "r.toml",
        [
            ('title = { en = "Land suitability for agriculture (food belt)"',
             'title = { en = "Food belt \\u0001 <b>&amp; \\"q\\" ]]> \\u0008"'),
            ("cell_size_m = 100", "cell_size_m = 500"),
            ("draws = 200", "draws = 5"),
        ],
    )  # fmt: skip
    out = tmp_path / "o"
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # as outside pytest: the CLI prints the warning
        code, _, err = run_cli(["map", str(recipe), "--out", str(out)], capsys)
    assert code == 0, err
    said = [line for line in err.splitlines() if "XML cannot carry" in line]
    assert len(said) == 1, err  # said, not dropped, and once for all the build's documents
    with sqlite3.connect(out / "atlas.gpkg") as db:
        styles = [r[0] for r in db.execute("SELECT styleQML FROM layer_styles")]
        (content,) = db.execute("SELECT content FROM qgis_projects").fetchone()
    project = zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))).read("atlas.qgs").decode()
    for doc in [*styles, project]:
        ET.fromstring(doc.split("\n", 1)[1])  # well-formed (after the DOCTYPE line)
    assert "\x01" not in project and "<b>&amp;" not in project  # markup escaped, not injected
    tips = [s for s in styles if "<mapTip>" in s]
    assert tips and any("replace(" in t for t in tips)
    assert not any('[% "' in t for t in tips)  # every field value is escaped in the map tips


def test_a_raster_declaring_too_many_cells_is_refused_before_reading(tmp_path: Path, capsys):
    import rasterio
    from rasterio.transform import from_origin

    p = tmp_path / "huge.tif"
    with rasterio.open(
        p, "w", driver="GTiff", width=200_000, height=200_000, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(69, 44, 1e-4, 1e-4), tiled=True,
        compress="deflate", sparse_ok=True,
    ):  # fmt: skip
        pass  # a header of 200 000 × 200 000 cells, a few MB on disk
    code, text = _validate(p, "dem", capsys)
    assert code == 2 and "declares 200,000 × 200,000 cells (160 GB as float32)" in text


def test_a_zipped_shapefile_without_its_shx_is_one_line(tmp_path: Path, capsys) -> None:
    import zipfile

    from geo.catalog import Catalog

    Catalog().read("districts").to_file(tmp_path / "d.shp", engine="pyogrio")
    z = tmp_path / "d.zip"
    with zipfile.ZipFile(z, "w") as f:
        for ext in ("shp", "dbf", "prj"):
            f.write(tmp_path / f"d.{ext}", f"d.{ext}")
    code, _, err = run_cli(
        ["map", str(MAPS / "sustainability.toml"), "--out", str(tmp_path / "o"),
         "--layer", f"districts={z}"],
        capsys,
    )  # fmt: skip
    assert code == 2 and "a zipped shapefile needs its .shp, .shx, .dbf and .prj" in err


def test_hostile_names_in_a_users_layer_stay_text_everywhere(tmp_path: Path, capsys) -> None:
    """District names with markup, quotes, CDATA ends and control characters: inert in every output."""
    import io
    import sqlite3
    import xml.etree.ElementTree as ET
    import zipfile

    from geo.catalog import Catalog

    payload = "<script>alert(1)</script>\" ' ]]> &amp; \x01"
    d = Catalog().read("districts").copy()
    d["name_ru"] = [f"{n} {payload}" for n in d["name_ru"]]
    d["name_kk"] = [f"{n} {payload}" for n in d["name_kk"]]
    path = tmp_path / "districts.gpkg"
    d.to_file(path, engine="pyogrio")
    out = tmp_path / "o"
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code, _, err = run_cli(
            ["map", str(MAPS / "sustainability.toml"), "--out", str(out), "--lang", "ru",
             "--layer", f"districts={path}"],
            capsys,
        )  # fmt: skip
    assert code == 0, err
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html, page.name  # never markup in a page
    with sqlite3.connect(out / "atlas.gpkg") as db:
        styles = [r[0] for r in db.execute("SELECT styleQML FROM layer_styles")]
        (content,) = db.execute("SELECT content FROM qgis_projects").fetchone()
        names = {r[0] for r in db.execute("SELECT name_ru FROM districts")}
    assert any(payload.replace("\x01", "") in n or payload in n for n in names)  # kept as data
    project = zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))).read("atlas.qgs").decode()
    for doc in [*styles, project]:
        ET.fromstring(doc.split("\n", 1)[1])
