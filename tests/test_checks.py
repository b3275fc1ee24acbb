"""One place for every layer check: `geo validate` refuses exactly what the build refuses.

Each bad file is given to both paths — the build's loading
(``Catalog(overrides=...).read``) and ``geo validate FILE --as ID`` — and both
must refuse it; the good files both must accept.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, Polygon

from geo.catalog import Catalog
from geo.cli import cli
from geo.errors import AtlasError

X0, Y0 = 560_000, 4_820_000
"""South-west corner of the test squares (UTM 42N, near Zhanatas)."""


def square(i: int) -> Polygon:
    x = X0 + i * 10_000
    return Polygon([(x, Y0), (x + 10_000, Y0), (x + 10_000, Y0 + 10_000), (x, Y0 + 10_000)])


def soils(n: int = 3, **columns: list[object]) -> gpd.GeoDataFrame:
    """*n* soil polygons (layer 'soils': soil_type, humus_pct in 0–20)."""
    data: dict[str, list[object]] = {
        "soil_type": [f"s{i}" for i in range(n)],
        "humus_pct": [1.5 + i for i in range(n)],
    }
    data.update(columns)
    geometry = data.pop("geometry", [square(i) for i in range(n)])
    return gpd.GeoDataFrame(data, geometry=geometry, crs=32642)


def build_refuses(layer_id: str, path: Path) -> str | None:
    """The build's loading of *path* as *layer_id*: the error message, or None when accepted."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Catalog(overrides={layer_id: path}).read(layer_id)
    except AtlasError as exc:
        return str(exc)
    return None


def validate(layer_id: str, path: Path, *extra: str) -> tuple[int, str]:
    """``geo validate PATH --as ID``: exit code and output."""
    r = CliRunner().invoke(cli, ["validate", str(path), "--as", layer_id, *extra])
    assert "Traceback" not in r.output, r.output
    return r.exit_code, r.output


def assert_both_refuse(layer_id: str, path: Path, needle: str, *extra: str) -> str:
    msg = build_refuses(layer_id, path)
    assert msg is not None, f"the build accepted {path}"
    assert needle in msg, msg
    code, out = validate(layer_id, path, *extra)
    assert code == 2, out
    assert needle in out, out
    return out


def assert_both_accept(layer_id: str, path: Path, *extra: str) -> None:
    assert build_refuses(layer_id, path) is None
    code, out = validate(layer_id, path, *extra)
    assert code == 0, out
    assert f"OK as layer {layer_id!r}" in out


def write_gml(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path, driver="GML", engine="pyogrio")
    return path


# -- the same bad files, both paths -----------------------------------------------
def test_town_facts_naming_an_unknown_town(tmp_path: Path) -> None:
    df = pd.read_csv(Catalog().layers_dir / "tables" / "town_facts.csv")
    good = tmp_path / "good_facts.csv"
    df.to_csv(good, index=False)
    assert_both_accept("town_facts", good)
    df.loc[3, "town"] = "Zhanatass"
    bad = tmp_path / "facts.csv"
    df.to_csv(bad, index=False)
    out = assert_both_refuse("town_facts", bad, "row 4 (line 5), field 'town'")
    assert "did you mean 'Zhanatas'" in out


BadFrame = Callable[[], gpd.GeoDataFrame]

BAD_POLYGON_LAYERS: dict[str, tuple[BadFrame, str]] = {
    "missing field": (lambda: soils().drop(columns=["humus_pct"]), "required field 'humus_pct'"),
    "out of range": (lambda: soils(humus_pct=[1.0, 35.0, 2.0]), "feature 1, field 'humus_pct'"),
    "not a number": (lambda: soils(humus_pct=["1", "lots", "2"]), "'lots' is not a number"),
    "wrong geometry": (
        lambda: soils(geometry=[Point(X0, Y0), square(1), square(2)]),
        "needs Polygon",
    ),
    "unrepairable": (
        lambda: soils(
            geometry=[square(0), Polygon([(X0, Y0), (X0 + 1, Y0), (X0 + 2, Y0)]), square(2)]
        ),
        "feature 1 has an invalid geometry that cannot be repaired",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_POLYGON_LAYERS))
@pytest.mark.parametrize("suffix", [".gpkg", ".gml"])
def test_bad_polygon_layer_refused_by_both(tmp_path: Path, case: str, suffix: str) -> None:
    make, needle = BAD_POLYGON_LAYERS[case]
    path = tmp_path / f"soils{suffix}"
    if suffix == ".gml":
        write_gml(make(), path)
    else:
        make().to_file(path)
    assert_both_refuse("soils", path, needle, "--chunk-size", "1")


@pytest.mark.parametrize("suffix", [".gpkg", ".gml", ".geojson"])
def test_good_polygon_layer_accepted_by_both(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"soils{suffix}"
    if suffix == ".gml":
        write_gml(soils(), path)
    else:
        soils().to_file(path)
    assert_both_accept("soils", path)
    assert_both_accept("soils", path, "--chunk-size", "2")


def test_gml_whose_driver_reports_no_count_is_read_whole(tmp_path: Path) -> None:
    """GML reports -1 features; the one-pass scan still reaches the bad last feature."""
    gdf = soils(5, humus_pct=[1.0, 2.0, 3.0, 4.0, 99.0])
    path = write_gml(gdf, tmp_path / "soils.gml")
    assert pyogrio.read_info(path)["features"] == -1
    out = assert_both_refuse("soils", path, "feature 4, field 'humus_pct': 99", "--chunk-size", "2")
    assert "outside 0–20" in out


def test_raster_out_of_range_refused_by_both(make_raster) -> None:
    high = make_raster(np.full((4, 4), 9999, dtype="float32"), name="high.tif")
    assert_both_refuse("dem", high, "outside -150–7100")
    ok = make_raster(np.full((4, 4), 300, dtype="float32"), name="ok.tif")
    assert_both_accept("dem", ok)


# -- a corrupt record: reported by index, the scan goes on ---------------------------
CORRUPT = """{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"soil_type": "a", "humus_pct": 1.0},
 "geometry": {"type": "Polygon", "coordinates": [[[70, 43], [70.1, 43], [70.1, 43.1], [70, 43]]]}},
{"type": "Feature", "properties": {"soil_type": "b", "humus_pct": 2.0},
 "geometry": {"type": "Polygon", "coordinates": [[[70, 43], [70.1, 43.1]]]}},
{"type": "Feature", "properties": {"soil_type": "c", "humus_pct": 50.0},
 "geometry": {"type": "Polygon", "coordinates": [[[71, 43], [71.1, 43], [71.1, 43.1], [71, 43]]]}}
]}"""


def test_corrupt_record_reported_by_index_and_the_scan_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "soils.geojson"
    path.write_text(CORRUPT, encoding="utf-8")
    msg = build_refuses("soils", path)
    assert msg is not None and "corrupt geometry" in msg and "\n" not in msg
    code, out = validate("soils", path, "--chunk-size", "1")
    assert code == 2
    assert "feature 1 cannot be read" in out
    assert "feature 2, field 'humus_pct': 50 is outside 0–20" in out  # read after the corrupt one


def test_ranges_checked_under_an_alias(tmp_path: Path) -> None:
    """A field given under an alias ('pop' for population) is checked like the field itself."""
    towns = gpd.GeoDataFrame(
        {"NAME": ["Zhanatas", "Karatau"], "pop": [22_000, -5]},
        geometry=[Point(X0, Y0), Point(X0 + 1_000, Y0)],
        crs=32642,
    )
    bad = tmp_path / "towns.gpkg"
    towns.to_file(bad)
    assert_both_refuse("towns", bad, "feature 1, field 'population': -5 is outside")
    good = tmp_path / "good_towns.gpkg"
    towns.assign(pop=[22_000, 27_000]).to_file(good)
    assert_both_accept("towns", good)
