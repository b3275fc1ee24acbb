"""Every bad input of issue 2 gets a one-line error naming the file and the fix, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.affinity import translate
from shapely.geometry import LineString, Point, Polygon

from geo.catalog import Catalog
from geo.errors import CRSError, DataError, GeometryError, IndicatorError, RepairWarning
from tests.cli import run_cli


def district_frame(**kw) -> gpd.GeoDataFrame:
    """One district; geometries given around (0, 0) are moved to Zhanatas in UTM 42N."""
    sq = Polygon([(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000)])
    data = {"district": ["A"], "name_kk": ["А"], "name_ru": ["А"], "centre": ["a"]}
    data.update(kw.pop("data", {}))
    crs = kw.pop("crs", 32642)
    geoms = kw.pop("geometry", [sq])
    if crs == 32642:
        geoms = [translate(g, ZHANATAS_UTM[0], ZHANATAS_UTM[1]) for g in geoms]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


ZHANATAS_UTM = (555_000.0, 4_820_000.0)
"""Where the hand-made test geometries are placed (UTM 42N, by Zhanatas)."""


def override(layer_id: str, path: Path):
    return Catalog(overrides={layer_id: path}).read(layer_id)


def one_line(msg: str, *needles: str) -> None:
    assert "\n" not in msg.strip(), msg
    for n in needles:
        assert n in msg, (n, msg)


def test_missing_crs(tmp_path: Path) -> None:
    p = tmp_path / "nocrs.geojson"
    p.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},'
        '"geometry":{"type":"Point","coordinates":[1,2]}}]}'
    )
    shp = tmp_path / "nocrs.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # geopandas warns that no CRS is written
        gpd.read_file(p).set_crs(None, allow_override=True).to_file(shp)
    (tmp_path / "nocrs.prj").unlink(missing_ok=True)
    with pytest.raises(CRSError) as e:
        override("towns", shp)
    one_line(str(e.value), str(shp), "no CRS", "prj")


def test_not_geodata_and_truncated(tmp_path: Path) -> None:
    junk = tmp_path / "notes.gpkg"
    junk.write_text("this is not a GeoPackage")
    with pytest.raises(DataError) as e:
        override("districts", junk)
    one_line(str(e.value), str(junk), "not a readable vector file")
    good = tmp_path / "d.geojson"
    district_frame().to_crs(4326).to_file(good)
    cut = tmp_path / "cut.geojson"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(DataError) as e:
        override("districts", cut)
    one_line(str(e.value), str(cut))


def test_empty_layer(tmp_path: Path) -> None:
    p = tmp_path / "empty.gpkg"
    district_frame().iloc[:0].to_file(p)
    with pytest.raises(DataError) as e:
        override("districts", p)
    one_line(str(e.value), str(p), "no features")


def test_wrong_geometry_type(tmp_path: Path) -> None:
    p = tmp_path / "points.gpkg"
    district_frame(geometry=[Point(0, 0)]).to_file(p)
    with pytest.raises(GeometryError) as e:
        override("districts", p)
    one_line(str(e.value), str(p), "Point", "needs Polygon")


def test_missing_required_field(tmp_path: Path) -> None:
    p = tmp_path / "nofield.gpkg"
    district_frame().drop(columns=["name_kk"]).to_file(p)
    with pytest.raises(DataError) as e:
        override("districts", p)
    one_line(str(e.value), str(p), "'name_kk'", "add it")


def test_invalid_geometry_repaired_with_count(tmp_path: Path) -> None:
    bowtie = Polygon([(0, 0), (10_000, 10_000), (10_000, 0), (0, 10_000)])
    p = tmp_path / "bowtie.gpkg"
    district_frame(geometry=[bowtie]).to_file(p)
    with pytest.warns(RepairWarning, match="repaired 1 invalid geometry"):
        gdf = override("districts", p)
    assert gdf.is_valid.all() and gdf.geom_type.iloc[0] in {"Polygon", "MultiPolygon"}


def test_invalid_geometry_refused_when_repair_changes_meaning(tmp_path: Path) -> None:
    flat = Polygon(
        [(0, 0), (10_000, 0), (20_000, 0), (0, 0)]
    )  # zero-area ring: make_valid gives a line
    p = tmp_path / "flat.gpkg"
    district_frame(geometry=[flat]).to_file(p)
    with pytest.raises(GeometryError) as e:
        override("districts", p)
    one_line(str(e.value), str(p), "cannot be repaired")


def test_indicator_row_naming_unknown_town(tmp_path: Path) -> None:
    df = pd.read_csv(Catalog().layers_dir / "tables" / "town_facts.csv")
    df.loc[3, "town"] = "Zhanatass"
    p = tmp_path / "facts.csv"
    df.to_csv(p, index=False)
    with pytest.raises(IndicatorError) as e:
        override("town_facts", p)
    one_line(str(e.value), str(p), "row 4 (line 5)", "'town'", "did you mean 'Zhanatas'")


def test_percentage_outside_0_100(tmp_path: Path) -> None:
    df = pd.read_csv(Catalog().layers_dir / "tables" / "survey_2023.csv")
    df.loc[2, "percent"] = 122.4
    p = tmp_path / "survey.csv"
    df.to_csv(p, index=False)
    with pytest.raises(IndicatorError) as e:
        override("survey_2023", p)
    one_line(str(e.value), str(p), "row 3 (line 4)", "'percent'", "122.4", "0–100")


def test_shares_that_do_not_sum(tmp_path: Path) -> None:
    p = tmp_path / "mining.csv"
    pd.DataFrame(
        {"district": ["Sarysu", "Talas"], "share_pct": [63.8, 12.1], "paper": ["000", "000"]}
    ).to_csv(p, index=False)
    with pytest.raises(IndicatorError) as e:
        override("mining_share", p)
    one_line(str(e.value), str(p), "sums to 75.9")


def test_raster_with_nodata_only(make_raster) -> None:
    p = make_raster(np.full((5, 5), -9999, dtype="float32"), nodata=-9999)
    with pytest.raises(DataError) as e:
        override("dem", p)
    one_line(str(e.value), str(p), "only 'no data'")


def test_raster_without_crs(make_raster) -> None:
    p = make_raster(np.ones((5, 5), dtype="float32"), crs=None)
    with pytest.raises(CRSError) as e:
        override("dem", p)
    one_line(str(e.value), str(p), "no CRS")


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "junk.geojson"
    junk.write_text("{not json")
    code, out, err = run_cli(
        ["build", "--out", str(tmp_path / "atlas"), "--layer", f"districts={junk}"], capsys
    )
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(junk) in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "atlas").exists()
    assert list(tmp_path.iterdir()) == [junk]  # no temporary folder left behind


def test_cli_unknown_layer_and_bad_layer_syntax(tmp_path: Path, capsys) -> None:
    code, _, err = run_cli(
        ["build", "--out", str(tmp_path / "a"), "--layer", "roads=x.shp"], capsys
    )
    assert code == 2 and "unknown layer 'roads'" in err and "Traceback" not in err
    code, _, err = run_cli(["build", "--out", str(tmp_path / "a"), "--layer", "districts"], capsys)
    assert code == 2 and "ID=PATH" in err


def test_existing_output_needs_overwrite(tmp_path: Path, capsys) -> None:
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    code, _, err = run_cli(["build", "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err
    assert (out / "keep.txt").read_text() == "precious"


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"\x00" * 100)
    r = subprocess.run(
        [sys.executable, "-m", "geo.cli", "validate", str(bad), "--as", "districts"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert str(bad) in r.stdout + r.stderr


def test_validate_reports_every_problem(tmp_path: Path, capsys) -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf = gpd.GeoDataFrame(
        {"district": ["A", "B", "C"], "name_ru": ["а", "б", "в"]},
        geometry=[
            translate(g, *ZHANATAS_UTM)
            for g in (bowtie, LineString([(0, 0), (1, 1)]), Polygon([(0, 0), (1, 0), (1, 1)]))
        ],
        crs=32642,
    )
    p = tmp_path / "mixed.gpkg"
    gdf.to_file(p)
    code, out, _ = run_cli(["validate", str(p), "--as", "districts", "--chunk-size", "1"], capsys)
    assert code == 2
    assert "required field 'name_kk'" in out and "required field 'name_ru'" not in out
    assert "LineString" in out and "invalid geometr" in out


def test_validate_accepts_a_good_file_in_another_crs(
    tmp_path: Path, capsys, districts_file: Path
) -> None:
    code, out, _ = run_cli(["validate", str(districts_file), "--as", "districts"], capsys)
    assert code == 0, out
    assert "OK as layer 'districts'" in out


def test_validate_tables_and_rasters(tmp_path: Path, capsys, make_raster) -> None:
    df = pd.read_csv(Catalog().layers_dir / "tables" / "survey_2023.csv")
    good = tmp_path / "survey.csv"
    df.to_csv(good, index=False)
    code, out, _ = run_cli(["validate", str(good), "--as", "survey_2023"], capsys)
    assert code == 0 and "OK as layer 'survey_2023'" in out
    df.loc[0, "percent"] = -5
    bad = tmp_path / "bad_survey.csv"
    df.to_csv(bad, index=False)
    code, out, _ = run_cli(["validate", str(bad), "--as", "survey_2023"], capsys)
    assert code == 2 and "row 1 (line 2), field 'percent': -5 is outside 0–100" in out
    empty = make_raster(np.full((4, 4), -1, dtype="float32"), nodata=-1, name="dem.tif")
    code, out, _ = run_cli(["validate", str(empty), "--as", "dem"], capsys)
    assert code == 2 and "only 'no data'" in out
    dem = make_raster(np.full((4, 4), 9999, dtype="float32"), name="high.tif")
    code, out, _ = run_cli(["validate", str(dem), "--as", "dem"], capsys)
    assert code == 2 and "outside -150–7100" in out
