"""atlas.gpkg: tables, styles, metadata, rasters and the embedded project (no QGIS needed)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS

from geo.errors import CRSError, DataError, GeometryError
from geo.i18n import message, text
from geo.raster import Raster
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import (
    Categorized,
    Category,
    FieldSpec,
    Graduated,
    RasterClasses,
    RasterRamp,
    Single,
)
from geo.writers.cog import raster_tags, write_cog
from geo.writers.gpkg import plan_tables, write_geopackage

UTM42 = CRS.from_epsg(32642)
X0, Y0 = 560_000.0, 4_780_000.0  # near Zhanatas, UTM 42N


def _t(en: str) -> dict[str, str]:
    return text(en, en + " (kk)", en + " (ru)")


def make_results() -> list[ThemeResult]:
    """A base map and two themes with every style kind and both raster kinds."""
    rng = np.random.default_rng(8)
    # base: hillshade (uint8, nodata 0) + towns (points) + river (line)
    hs = (rng.integers(1, 255, size=(40, 50))).astype("uint8")
    hs[:3, :3] = 0
    grid_t = Affine(200.0, 0, X0, 0, -200.0, Y0 + 8000)
    towns = gpd.GeoDataFrame(
        {"name": ["Zhanatas", "Karatau"], "population": [21000, 27000]},
        geometry=[shapely.Point(X0 + 2000, Y0 + 2000), shapely.Point(X0 + 7000, Y0 + 6000)],
        crs=UTM42,
    )
    river = gpd.GeoDataFrame(
        {"name": ["Asa"]},
        geometry=[shapely.LineString([(X0, Y0), (X0 + 5000, Y0 + 3000), (X0 + 9000, Y0 + 7000)])],
        crs=UTM42,
    ).to_crs(4326)
    base = ThemeResult(
        theme="base",
        title=_t("Base map"),
        vectors=[
            VectorLayer(
                "towns",
                _t("Towns"),
                towns,
                Single("#d7301f", outline="#7f0000", radius=4.0, fill_opacity=0.9),
                fields=(
                    FieldSpec("name", _t("Name")),
                    FieldSpec("population", _t("Population"), digits=0),
                ),
                source="GeoNames",
                licence="CC-BY 4.0",
                label_field="name",
            ),
            VectorLayer(
                "rivers",
                _t("Rivers"),
                river,
                Single("#2171b5", width=2.0, fill=False, dash="4 4"),
                source="OSM",
                licence="ODbL",
            ),
        ],
        rasters=[
            RasterLayer(
                "hillshade",
                _t("Relief"),
                Raster(hs, grid_t, UTM42, nodata=0, tags={"method": "Horn"}),
                RasterRamp((1.0, 255.0), ("#000000", "#ffffff"), opacity=0.45),
                source="GEBCO",
                licence="public domain",
            )
        ],
    )
    # theme 1: categorized polygons (single + multi mixed), graduated polygons, float raster
    cells = [
        shapely.box(X0 + i * 2000, Y0 + j * 2000, X0 + (i + 1) * 2000, Y0 + (j + 1) * 2000)
        for i in range(4)
        for j in range(3)
    ]
    multi = shapely.MultiPolygon(
        [
            shapely.box(X0 + 8000, Y0, X0 + 8500, Y0 + 500),
            shapely.box(X0 + 8600, Y0, X0 + 9000, Y0 + 500),
        ]
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": [f"z{i}" for i in range(13)],
            "status": ["existing", "destroyed", "reconstruction", "unknown_status"] * 3
            + ["existing"],
            "score": np.r_[np.linspace(0.05, 0.95, 12), 0.5],
            "synthetic": True,
            "data_note": "made up for the test",
        },
        geometry=[*cells, multi],
        crs=UTM42,
    )
    status = Categorized(
        "status",
        (
            Category("existing", "#9ecae1", _t("existing")),
            Category("destroyed", "#969696", _t("destroyed")),
            Category("reconstruction", "#fdae61", _t("reconstruction")),
        ),
    )
    grad = Graduated("score", (0.0, 0.3, 0.6, 1.0), ("#d73027", "#fee08b", "#1a9850"), unit="")
    conc = rng.random((30, 40)).astype("float32") * 2.0
    conc[0, :] = np.nan
    t1 = ThemeResult(
        theme="land_suitability",
        title=_t("Land suitability"),
        vectors=[
            VectorLayer(
                "zones",
                _t("Zones by status"),
                zones,
                status,
                fields=(FieldSpec("status", _t("Status")),),
                source="synthetic",
                licence="CC0",
                synthetic=True,
                label_field="zone_id",
            ),
            VectorLayer(
                "suitability",
                _t("Suitability score"),
                zones,
                grad,
                fields=(FieldSpec("score", _t("Score"), unit="0-1", digits=2),),
                description=_t("Weighted sum"),
                source="computed",
                licence="CC-BY 4.0",
                metadata={"method": "WLC"},
            ),
        ],
        rasters=[
            RasterLayer(
                "concentration",
                _t("Dust concentration"),
                Raster(
                    conc, Affine(250.0, 0, X0, 0, -250.0, Y0 + 7500), UTM42, tags={"units": "mg/m3"}
                ),
                RasterRamp((0.0, 1.0, 2.0), ("#ffffb2", "#fd8d3c", "#bd0026"), unit="mg/m³"),
                source="OND-86 model",
                licence="CC-BY 4.0",
                metadata={"method": "OND-86"},
            ),
        ],
        parameters={"weights": {"slope": 0.4, "distance": 0.6}, "cr": 0.03},
    )
    classes = (np.arange(30 * 40).reshape(30, 40) % 3 + 1).astype("uint8")
    classes[-1, -5:] = 0
    # theme 2: graduated with a value exactly on a break (rule-based), class raster, duplicate name
    wear = gpd.GeoDataFrame(
        {"wear_pct": [10.0, 40.0, 75.0, 90.0]},
        geometry=[
            shapely.LineString([(X0 + i * 1000, Y0 + 500), (X0 + i * 1000 + 900, Y0 + 1500)])
            for i in range(4)
        ],
        crs=UTM42,
    )
    t2 = ThemeResult(
        theme="infrastructure_wear",
        title=_t("Infrastructure wear"),
        vectors=[
            VectorLayer(
                "networks",
                _t("Network wear"),
                wear,
                Graduated(
                    "wear_pct", (0, 40, 60, 100), ("#1a9850", "#fee08b", "#d73027"), unit="%"
                ),
                fields=(FieldSpec("wear_pct", _t("Wear"), unit="%"),),
                source="synthetic",
                synthetic=True,
            ),
            VectorLayer("towns", _t("Towns again"), towns, Single("#000000"), source="GeoNames"),
        ],
        rasters=[
            RasterLayer(
                "wear_classes",
                _t("Wear classes"),
                Raster(classes, Affine(250.0, 0, X0, 0, -250.0, Y0 + 7500), UTM42, nodata=0),
                RasterClasses(
                    (1, 2, 3),
                    ("#1a9850", "#fee08b", "#d73027"),
                    (_t("low"), _t("medium"), _t("high")),
                ),
                source="computed",
                licence="CC-BY 4.0",
            ),
        ],
    )
    return [base, t1, t2]


def build_atlas_dir(out: Path, lang: str = "en", results: list[ThemeResult] | None = None) -> Path:
    """Write the COGs and atlas.gpkg as the build does; return the gpkg path."""
    results = results or make_results()
    (out / "rasters").mkdir(parents=True, exist_ok=True)
    rasters = {}
    for res in results:
        for rl in res.rasters:
            write_cog(rl.raster, out / "rasters" / f"{rl.name}.tif", style=rl.style)
            rasters[rl.name] = Path("rasters") / f"{rl.name}.tif"
    gpkg = out / "atlas.gpkg"
    write_geopackage(results, gpkg, lang=lang, rasters=rasters)
    return gpkg


# --------------------------------------------------------------------------- helpers


def _validator_cmd() -> list[str] | None:
    """GDAL's validate_gpkg.py from gdal-utils, run by Debian's python3 (with osgeo) when possible."""
    import importlib.util

    spec = importlib.util.find_spec("osgeo_utils")
    if spec is None or spec.submodule_search_locations is None:
        return None
    script = Path(next(iter(spec.submodule_search_locations))) / "samples" / "validate_gpkg.py"
    if not script.exists():
        return None
    py = shutil.which("python3", path="/usr/bin")
    if (
        py
        and subprocess.run([py, "-c", "from osgeo import ogr"], capture_output=True).returncode == 0
    ):
        return [py, str(script)]
    return [sys.executable, str(script)]  # sqlite checks only (no geometry/tile decoding)


def _project_xml(gpkg: Path) -> ET.Element:
    with sqlite3.connect(gpkg) as db:
        name, meta, content = db.execute(
            "SELECT name, metadata, content FROM qgis_projects"
        ).fetchone()
    assert name == "atlas"
    assert json.loads(meta)["last_modified_time"] == "2000-01-01T00:00:00"
    z = zipfile.ZipFile(io.BytesIO(bytes.fromhex(content)))
    assert z.namelist() == ["atlas.qgs"]
    return ET.fromstring(z.read("atlas.qgs").decode().split("\n", 1)[1])


@pytest.fixture(scope="module")
def atlas_kk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_atlas_dir(tmp_path_factory.mktemp("atlas_kk"), lang="kk")


VECTORS = ["towns", "rivers", "zones", "suitability", "networks", "infrastructure_wear_towns"]
RASTERS = ["hillshade", "concentration", "wear_classes"]


# --------------------------------------------------------------------------- tests


def test_gdal_validator_passes(atlas_kk: Path) -> None:
    cmd = _validator_cmd()
    if cmd is None:
        reason = "GDAL's validate_gpkg.py not found: pip install --no-deps gdal-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    res = subprocess.run([*cmd, "-k", "--extra", str(atlas_kk)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip() == ""


def test_contents_titles_version_and_spatial_index(atlas_kk: Path) -> None:
    with sqlite3.connect(atlas_kk) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        rows = {
            r[0]: r[1:]
            for r in db.execute(
                "SELECT table_name, data_type, identifier, description FROM gpkg_contents"
            )
        }
        assert set(rows) == {*VECTORS, *RASTERS, "layer_styles"}
        assert rows["towns"] == ("features", "Towns (kk)", "")
        assert rows["zones"][2] == "СИНТЕТИКАЛЫҚ: құралмен жасалған, өлшенбеген"
        assert rows["suitability"][1:] == ("Suitability score (kk)", "Weighted sum (kk)")
        assert rows["concentration"][0] == "2d-gridded-coverage"
        assert rows["layer_styles"][0] == "attributes"
        geoms = dict(db.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
        cols = {r[0] for r in db.execute("SELECT DISTINCT column_name FROM gpkg_geometry_columns")}
        rtrees = {
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%_geom'")
        }
        last = {r[0] for r in db.execute("SELECT DISTINCT last_change FROM gpkg_contents")}
    assert cols == {"geom"}
    assert geoms["towns"] == "POINT"
    assert geoms["zones"] == "MULTIPOLYGON"  # single + multi mixed → multi
    assert geoms["rivers"] == "MULTILINESTRING"
    assert rtrees == {f"rtree_{t}_geom" for t in VECTORS}
    assert last == {"2000-01-01T00:00:00.000Z"}


def test_layer_styles_one_default_per_table(atlas_kk: Path) -> None:
    with sqlite3.connect(atlas_kk) as db:
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert sorted(r[2] for r in rows) == sorted(VECTORS)
    assert {(r[0], r[1], r[3], r[4]) for r in rows} == {("", "", "geom", 1)}
    qml = {r[2]: ET.fromstring(r[5].split("\n", 1)[1]) for r in rows}
    assert qml["zones"].find("renderer-v2").get("type") == "categorizedSymbol"
    assert qml["suitability"].find("renderer-v2").get("type") == "graduatedSymbol"
    assert qml["networks"].find("renderer-v2").get("type") == "RuleRenderer"  # 40.0 sits on a break
    assert {a.get("field"): a.get("name") for a in qml["suitability"].iter("alias")} == {
        "score": "Score (kk) (0-1)",
        "zone_id": "Аймақ",
        "status": "Жоспарлау мәртебесі",
        "synthetic": "Синтетикалық",
        "data_note": "Деректер туралы ескертпе",
    }


def test_unique_names_and_plan(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="geo.writers.gpkg"):
        entries = plan_tables(make_results())
    assert "theme 'infrastructure_wear' writes it as 'infrastructure_wear_towns'" in caplog.text
    assert [e.table for e in entries] == [
        "towns",
        "rivers",
        "hillshade",
        "zones",
        "suitability",
        "concentration",
        "networks",
        "infrastructure_wear_towns",
        "wear_classes",
    ]


def test_metadata_per_layer(atlas_kk: Path) -> None:
    info = pyogrio.read_info(atlas_kk, layer="suitability")
    md = info["layer_metadata"]
    assert (
        md["SOURCE"] == "computed" and md["LICENCE"] == "CC-BY 4.0" and md["SYNTHETIC"] == "false"
    )
    assert md["METHOD"] == "WLC"
    assert json.loads(md["PARAMETERS"]) == {"cr": 0.03, "weights": {"distance": 0.6, "slope": 0.4}}
    with sqlite3.connect(atlas_kk) as db:
        refs = db.execute(
            "SELECT r.table_name, m.metadata FROM gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
            "WHERE m.md_standard_uri = 'http://mrcc.com/qgis.dtd' AND r.reference_scope = 'table'"
        ).fetchall()
    docs = {t: ET.fromstring(x.split("\n", 1)[1]) for t, x in refs}
    assert set(docs) == {*VECTORS, *RASTERS}
    zones = docs["zones"]
    assert zones.findtext("title") == "Zones by status (kk)"
    assert zones.find("keywords[@vocabulary='synthetic']/keyword").text == "true"
    assert zones.findtext("license") == "CC0"
    assert "data_note: made up for the test" in [h.text for h in zones.iter("history")]
    conc = [h.text for h in docs["concentration"].iter("history")]
    assert "method: OND-86" in conc and "COG: rasters/concentration.tif" in conc


def _qgis_metadata(gpkg: Path) -> dict[str, ET.Element]:
    with sqlite3.connect(gpkg) as db:
        refs = db.execute(
            "SELECT r.table_name, m.metadata FROM gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
            "WHERE m.md_standard_uri = 'http://mrcc.com/qgis.dtd' AND r.reference_scope = 'table'"
        ).fetchall()
    return {t: ET.fromstring(x.split("\n", 1)[1]) for t, x in refs}


def test_metadata_crs_extent_date_and_synthetic_flag(atlas_kk: Path) -> None:
    docs = _qgis_metadata(atlas_kk)
    for table, doc in docs.items():
        assert doc.findtext("abstract"), table
        assert doc.findtext("crs/spatialrefsys/wkt"), table
        assert doc.find("dates/date[@type='Created']").get("value") == "2000-01-01T00:00:00Z"
        assert "Жасалған күні: 2000-01-01T00:00:00Z" in [h.text for h in doc.iter("history")]
    spatial = docs["rivers"].find("extent/spatial")
    assert spatial.get("crs") == "EPSG:4326"
    river = gpd.read_file(atlas_kk, layer="rivers").total_bounds
    got = [float(spatial.get(k)) for k in ("minx", "miny", "maxx", "maxy")]
    assert got == pytest.approx(list(river))
    assert docs["concentration"].findtext("crs/spatialrefsys/authid") == "EPSG:32642"
    assert docs["concentration"].find("extent/spatial").get("minx") == repr(X0)
    # not synthetic is said as plainly as synthetic
    assert docs["rivers"].findtext("abstract") == (
        "Rivers (kk) (Синтетикалық емес: көрсетілген дереккөздерден)"
    )
    assert docs["zones"].findtext("abstract") == "СИНТЕТИКАЛЫҚ: құралмен жасалған, өлшенбеген"


def test_computed_layers_list_the_licences_of_their_inputs(tmp_path: Path) -> None:
    results = make_results()
    results[2].provenance = {
        "towns": {
            "source": "GeoNames",
            "licence": "CC BY 4.0",
            "attribution": "GeoNames (geonames.org)",
            "synthetic": False,
        },
        "utility_networks": {
            "source": "generated",
            "licence": "CC0",
            "attribution": "",
            "synthetic": True,
        },
    }
    gpkg = build_atlas_dir(tmp_path / "atlas", lang="ru", results=results)
    docs = _qgis_metadata(gpkg)
    # "networks" has no licence of its own: each input's licence, by input, and its attribution
    assert [e.text for e in docs["networks"].iter("license")] == [
        "Рассчитано программой по входным данным темы, на условиях их лицензий",
        "towns: CC BY 4.0",
        "utility_networks: CC0",
    ]
    assert [e.text for e in docs["networks"].iter("rights")] == [
        "Источник: synthetic",
        "towns: GeoNames (geonames.org)",
    ]
    assert [e.text for e in docs["wear_classes"].iter("license")] == ["CC-BY 4.0"]  # its own
    assert [e.text for e in docs["rivers"].iter("license")] == ["ODbL"]
    # a computed layer of unknown inputs says so instead of staying blank
    results[2].provenance = {}
    again = build_atlas_dir(tmp_path / "again", lang="ru", results=results)
    assert [e.text for e in _qgis_metadata(again)["networks"].iter("license")] == [
        "Лицензия: неизвестно"
    ]


def test_ids_are_named_in_the_build_language_from_the_layer_naming_them(tmp_path: Path) -> None:
    results = make_results()
    towns = results[0].vectors[0]
    towns.data = towns.data.assign(town=["zhanatas", "karatau"], name_ru=["Жанатас", "Каратау"])
    wear = results[2].vectors[0]
    wear.data = wear.data.assign(town=["karatau", "zhanatas", "karatau", "shu"])
    gpkg = build_atlas_dir(tmp_path / "atlas", lang="ru", results=results)
    with sqlite3.connect(gpkg) as db:
        qml = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    root = ET.fromstring(qml["networks"].split("\n", 1)[1])
    field = next(f for f in root.iter("field") if f.get("name") == "town")
    entries = {
        o.get("value"): o.get("name")
        for o in field.findall("editWidget/config/Option/Option/Option/Option")
    }
    # "shu" is named by no layer: it keeps its code rather than a guess
    assert entries == {"karatau": "Каратау", "zhanatas": "Жанатас", "shu": "shu"}


def test_rasters_inside_the_geopackage_match_the_cogs(atlas_kk: Path) -> None:
    for name in RASTERS:
        with (
            rasterio.open(f"GPKG:{atlas_kk}:{name}") as g,
            rasterio.open(atlas_kk.parent / "rasters" / f"{name}.tif") as c,
        ):
            assert g.count == 1 and g.transform == c.transform and g.crs == c.crs
            a, b = g.read(1), c.read(1)
            if name == "concentration":
                assert g.dtypes[0] == "float32"
                np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
                np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)])
            else:
                assert g.dtypes[0] == "uint16" and g.nodata == 0
                np.testing.assert_array_equal(a, b)


def test_embedded_project_tree_sources_and_styles(atlas_kk: Path) -> None:
    root = _project_xml(atlas_kk)
    groups = root.findall("layer-tree-group/layer-tree-group")
    assert [g.get("name") for g in groups] == [
        "Land suitability (kk)",
        "Infrastructure wear (kk)",
        "Base map (kk)",
    ]
    assert [g.get("checked") for g in groups] == ["Qt::Checked", "Qt::Unchecked", "Qt::Checked"]
    base = [lyr.get("source") for lyr in groups[2].findall("layer-tree-layer")]
    assert base == [
        "./atlas.gpkg|layername=towns",
        "./atlas.gpkg|layername=rivers",
        "GPKG:./atlas.gpkg:hillshade",
    ]
    layers = {m.findtext("datasource"): m for m in root.iter("maplayer")}
    assert len(layers) == len(VECTORS) + len(RASTERS)
    assert all(s.startswith(("./atlas.gpkg|", "GPKG:./atlas.gpkg:")) for s in layers)
    pal = layers["GPKG:./atlas.gpkg:wear_classes"].find("pipe/rasterrenderer")
    assert pal.get("type") == "paletted"
    assert [e.get("label") for e in pal.iter("paletteEntry")] == [
        "low (kk)",
        "medium (kk)",
        "high (kk)",
    ]
    ramp = layers["GPKG:./atlas.gpkg:concentration"].find("pipe/rasterrenderer")
    assert [i.get("color") for i in ramp.iter("item")] == ["#ffffb2", "#fd8d3c", "#bd0026"]
    assert root.find("projectCrs/spatialrefsys/authid").text == "EPSG:32642"
    assert root.find("properties/Paths/Absolute").text == "false"


def test_same_input_same_bytes_and_no_temp_left(tmp_path: Path) -> None:
    a = build_atlas_dir(tmp_path / "a")
    b = build_atlas_dir(tmp_path / "b")
    assert hashlib.sha256(a.read_bytes()).hexdigest() == hashlib.sha256(b.read_bytes()).hexdigest()
    build_atlas_dir(tmp_path / "a")  # overwrite in place
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["atlas.gpkg", "rasters"]


def test_bad_layers_are_named(tmp_path: Path) -> None:
    def one(layer: VectorLayer) -> list[ThemeResult]:
        return [ThemeResult("t", text("T", "T", "T"), vectors=[layer])]

    pts = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(DataError, match=r"'Bad-Name'.*snake_case"):
        write_geopackage(
            one(VectorLayer("Bad-Name", text("a", "a", "a"), pts, Single("#000000"))),
            tmp_path / "x.gpkg",
            lang="en",
            rasters={},
        )
    with pytest.raises(CRSError, match="'nocrs' has no CRS"):
        write_geopackage(
            one(
                VectorLayer(
                    "nocrs",
                    text("a", "a", "a"),
                    pts.set_crs(None, allow_override=True),
                    Single("#000000"),
                )
            ),
            tmp_path / "x.gpkg",
            lang="en",
            rasters={},
        )
    mixed = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), shapely.box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(GeometryError, match="'mixed' mixes geometry types"):
        write_geopackage(
            one(VectorLayer("mixed", text("a", "a", "a"), mixed, Single("#000000"))),
            tmp_path / "x.gpkg",
            lang="en",
            rasters={},
        )
    assert not list(tmp_path.iterdir())


def test_gdal_options_are_restored(tmp_path: Path) -> None:
    """Every GDAL option the writer changes has its earlier value (or none) afterwards."""
    pts = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(0, 0)], crs=4326)
    res = [
        ThemeResult(
            "t",
            text("T", "T", "T"),
            vectors=[VectorLayer("pts", text("a", "a", "a"), pts, Single("#000000"))],
        )
    ]
    keys = ("OGR_CURRENT_DATE", "OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL", "OGR_CURRENT_DATE": None})
    try:
        before = {k: pyogrio.get_gdal_config_option(k) for k in keys}
        write_geopackage(res, tmp_path / "x.gpkg", lang="en", rasters={})
        assert {k: pyogrio.get_gdal_config_option(k) for k in keys} == before
        assert before == {"OGR_CURRENT_DATE": None, "OGR_SQLITE_SYNCHRONOUS": "NORMAL"}
        with rasterio.Env() as env:
            assert not set(keys) & set(env.options)
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(keys))


# --------------------------------------------------------------------------- the real base map


def real_atlas(tmp_path_factory: pytest.TempPathFactory, catalog: object) -> Path:
    """atlas.gpkg with the lead's real base map (catalog layers + hillshade) and the test themes.

    Built once per session (the second caller reuses the file).
    """
    base_layers = pytest.importorskip("geo.themes.base_layers")
    out = tmp_path_factory.getbasetemp() / "real_atlas"
    gpkg = out / "atlas.gpkg"
    if not gpkg.exists():
        from geo.themes.base import ThemeInputs

        ctx = ThemeInputs(catalog, lang="kk")  # type: ignore[arg-type]
        base = base_layers.base_result(ctx)
        build_atlas_dir(out, lang="kk", results=[base, *make_results()[1:]])
    return gpkg


def test_real_base_map_is_valid_and_styled(
    tmp_path_factory: pytest.TempPathFactory, catalog: object
) -> None:
    gpkg = real_atlas(tmp_path_factory, catalog)
    cmd = _validator_cmd()
    if cmd is not None:
        res = subprocess.run([*cmd, "-k", str(gpkg)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
    with sqlite3.connect(gpkg) as db:
        styled = {
            r[0] for r in db.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault = 1")
        }
        contents = dict(db.execute("SELECT table_name, identifier FROM gpkg_contents"))
        synthetic = dict(
            db.execute(
                "SELECT r.table_name, m.metadata LIKE '%<keywords vocabulary=\"synthetic\">%<keyword>true</keyword>%' "
                "FROM gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
                "WHERE m.md_standard_uri = 'http://mrcc.com/qgis.dtd'"
            )
        )
    assert {
        "oblast",
        "districts",
        "rivers",
        "towns",
        "micro_districts",
        "town_boundaries",
    } <= styled
    assert contents["rivers"] == "Өзендер (Шу, Талас, Арыс)"
    assert synthetic["micro_districts"] == 1 and synthetic["rivers"] == 0
    with rasterio.open(f"GPKG:{gpkg}:hillshade") as ds:
        assert ds.count == 1 and ds.nodata == 0 and ds.read(1).max() > 200


def test_layer_metadata_gives_sources_licences_and_credits_in_the_build_language(
    tmp_path: Path,
) -> None:
    """QGIS metadata (tables and the project's rasters) in the build's language; plain strings as is."""
    results = make_results()
    rivers = results[0].vectors[1]
    rivers.source = text("GSHHG rivers", "GSHHG өзендері", "Реки GSHHG")
    rivers.licence = text("Public domain", "Қоғамдық игілік", "Общественное достояние")
    rivers.metadata = {
        "attribution": text(
            "Wessel & Smith (rivers)", "Wessel & Smith (өзендер)", "Wessel & Smith (реки)"
        )
    }
    conc = results[1].rasters[0]
    conc.source = text("OND-86 model", "ОНД-86 моделі", "Модель ОНД-86")
    conc.licence = text("CC0 (computed)", "CC0 (есептелген)", "CC0 (рассчитано)")
    results[2].provenance = {
        "towns": {
            "source": "GeoNames",
            "licence": text("CC BY 4.0 (names)", "CC BY 4.0 (атаулар)", "CC BY 4.0 (названия)"),
            "attribution": text("GeoNames; names", "GeoNames; атаулары", "GeoNames; названия"),
            "synthetic": False,
        },
    }
    gpkg = build_atlas_dir(tmp_path / "atlas", lang="ru", results=results)
    docs = _qgis_metadata(gpkg)
    assert [e.text for e in docs["rivers"].iter("license")] == ["Общественное достояние"]
    assert [e.text for e in docs["rivers"].iter("rights")] == [
        "Источник: Реки GSHHG",
        "Wessel & Smith (реки)",
    ]
    history = [e.text for e in docs["rivers"].iter("history")]
    assert history[0] == "Источник: Реки GSHHG" and not any("rivers)" in h for h in history)
    # "networks" has no licence of its own: its inputs' licences and credits, in Russian
    assert [e.text for e in docs["networks"].iter("license")] == [
        message("derived_from", "ru"),
        "towns: CC BY 4.0 (названия)",
    ]
    assert "towns: GeoNames; названия" in [e.text for e in docs["networks"].iter("rights")]
    # plain strings (a user's, a name) are shown as they are
    assert [e.text for e in docs["towns"].iter("license")] == ["CC-BY 4.0"]
    # the project's raster layers carry the same metadata
    project = _project_xml(gpkg)
    layer = next(
        m
        for m in project.iter("maplayer")
        if m.findtext("datasource") == "GPKG:./atlas.gpkg:concentration"
    )
    md = layer.find("resourceMetadata")
    assert [e.text for e in md.iter("license")] == ["CC0 (рассчитано)"]
    assert [e.text for e in md.iter("rights")] == ["Источник: Модель ОНД-86"]
    # machine-readable tags stay English, like the COG's title
    assert raster_tags(conc)["source"] == "OND-86 model"
    assert pyogrio.read_info(gpkg, layer="rivers")["layer_metadata"]["SOURCE"] == "GSHHG rivers"
