"""Rasters fetched over HTTP for the area's window only (loopback server, GDAL /vsicurl/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from cli import run_cli
from fetch_server import FetchServer, geotiff

from geo.area import AreaRequest
from geo.catalog import Catalog, file_sha256
from geo.errors import FetchConnectionError, FetchGarbageError, FetchServerError, FetchTooLargeError
from geo.fetch import fetch
from geo.validate import validate_file

ZHANATAS = AreaRequest(towns=("Zhanatas",), buffer_m=5000)
DEM_TILE = (
    "/dem/Copernicus_DSM_COG_10_N43_00_E069_00_DEM/Copernicus_DSM_COG_10_N43_00_E069_00_DEM.tif"
)
WC_TILE = "/wc/ESA_WorldCover_10m_2021_v200_N42E069_Map.tif"


def _elevation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 300 + 1000 * (y - 43) + 100 * (x - 69)


@pytest.fixture
def server() -> Iterator[FetchServer]:
    srv = FetchServer()
    srv.files[DEM_TILE] = geotiff((69, 43, 70, 44), 0.002, _elevation)
    srv.files[WC_TILE] = geotiff(
        (69, 42, 72, 45), 0.01, lambda x, y: np.where(x < 69.73, 10, 50), "uint8", nodata=0
    )
    for prop, value in (
        ("soc", 123),
        ("phh2o", 78),
        ("clay", 250),
    ):  # in UTM 42N: warped on reading
        srv.files[f"/soil/{prop}/{prop}_0-5cm_mean.vrt"] = geotiff(
            (530_000, 4_795_000, 600_000, 4_850_000), 250, lambda x, y, v=value: np.full(x.shape, v),
            "int16", crs="EPSG:32642", nodata=-32768,
        )  # fmt: skip
    yield srv
    srv.close()


def _sample(path: Path, x: float, y: float) -> float:
    with rasterio.open(path) as src:
        return float(next(src.sample([(x, y)]))[0])


def test_the_dem_is_read_for_the_window_only_and_recorded(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    report = fetch(out, ZHANATAS, sources=("dem",), urls=server.urls(), timeout=10)
    assert report.fetched == ["dem"]
    rec = json.loads((out / "fetch.json").read_text(encoding="utf-8"))
    dem = rec["layers"]["dem"]
    w, s, e, n = rec["area"]["bounds"]
    with rasterio.open(out / "dem.tif") as src:
        assert src.crs.to_epsg() == 4326 and src.res == pytest.approx((1 / 3600, 1 / 3600))
        got = (src.bounds.left, src.bounds.bottom, src.bounds.right, src.bounds.top)
        assert got == pytest.approx((w, s, e, n), abs=1 / 3600)  # the area's window, not the tile
    assert _sample(out / "dem.tif", 69.73, 43.56) == pytest.approx(300 + 560 + 73, abs=1.0)
    assert server.sent[DEM_TILE] < 0.4 * len(server.files[DEM_TILE])  # range requests, not the tile
    assert "© DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH 2014-2018" in dem["licence"]
    assert dem["synthetic"] is False and dem["sha256"] == file_sha256(out / "dem.tif")
    assert dem["url"] == [server.urls()["dem"] + DEM_TILE.removeprefix("/dem")]
    catalog = Catalog()
    assert [
        p
        for p in validate_file(out / "dem.tif", catalog.spec("dem"), catalog)
        if p.severity == "error"
    ] == []
    again = fetch(out, ZHANATAS, sources=("dem",), urls=server.urls(), timeout=10)
    assert again.cached == ["dem"]


def test_land_cover_and_soil_windows(server: FetchServer, tmp_path: Path) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("landcover", "soil"), urls=server.urls(), timeout=10)
    assert _sample(out / "landcover.tif", 69.70, 43.56) == 10
    assert _sample(out / "landcover.tif", 69.76, 43.56) == 50
    with rasterio.open(out / "landcover.tif") as src:
        assert src.res == pytest.approx((1 / 12000, 1 / 12000)) and src.dtypes[0] == "uint8"
    rec = json.loads((out / "fetch.json").read_text(encoding="utf-8"))["layers"]
    assert rec["landcover"]["licence"] == "CC BY 4.0"
    # SoilGrids publishes dg/kg and pH × 10: stored as g/kg and pH, the catalog's units
    for lid, value in (("soil_organic_carbon", 12.3), ("soil_ph", 7.8), ("soil_clay", 250.0)):
        with rasterio.open(out / f"{lid}.tif") as src:
            assert src.crs.to_epsg() == 4326
            arr = src.read(1)
            nodata = src.nodata
        assert np.unique(arr[arr != nodata]) == pytest.approx([value])
        assert rec[lid]["licence"] == "CC BY 4.0" and rec[lid]["depth"] == "0-5 cm"
    from geo.fetch.cache import fetched_layers

    provided = fetched_layers(out)
    assert {"landcover", "soil_organic_carbon", "soil_ph"} <= set(provided)
    assert "soil_clay" not in provided  # not a catalog layer


def test_a_missing_or_garbage_tile_is_one_line_and_leaves_nothing(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    del server.files[DEM_TILE]
    with pytest.raises(
        FetchServerError, match=r"Copernicus DEM http://127\.0\.0\.1:\d+/dem/\S+: HTTP 404"
    ):
        fetch(out, ZHANATAS, sources=("dem",), urls=server.urls(), timeout=10)
    server.files[DEM_TILE] = b"<html>Access denied</html>"
    with pytest.raises(FetchGarbageError, match="the answer is not a GeoTIFF"):
        fetch(out, ZHANATAS, sources=("dem",), urls=server.urls(), timeout=10)
    assert sorted(p.name for p in out.iterdir()) == []


def test_a_tile_download_broken_off_writes_nothing_and_a_second_fetch_resumes(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("landcover",), urls=server.urls(), timeout=10)
    server.break_files = True
    with pytest.raises(FetchConnectionError, match="the read broke off") as exc:
        fetch(out, ZHANATAS, sources=("landcover", "dem"), urls=server.urls(), timeout=5)
    assert "\n" not in str(exc.value) and "fetch again to resume" in str(exc.value)
    assert sorted(p.name for p in out.iterdir()) == ["fetch.json", "landcover.tif"]  # no part file
    assert sorted(json.loads((out / "fetch.json").read_text(encoding="utf-8"))["layers"]) == [
        "landcover"
    ]
    server.break_files = False
    report = fetch(out, ZHANATAS, sources=("landcover", "dem"), urls=server.urls(), timeout=10)
    assert report.cached == ["landcover"] and report.fetched == ["dem"]


def test_a_dem_too_large_is_refused_with_the_limit(server: FetchServer, tmp_path: Path) -> None:
    with pytest.raises(
        FetchTooLargeError, match="more than the 60,000,000 a fetched raster may hold"
    ):
        fetch(
            tmp_path / "big",
            AreaRequest(bbox=(69.0, 43.0, 71.5, 45.0)),
            sources=("dem",),
            urls=server.urls(),
        )
    assert server.hits[DEM_TILE] == 0


@pytest.mark.slow
def test_a_map_on_the_fetched_dem_and_osm_layers(
    server: FetchServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("GEO_OVERPASS_URL", server.urls()["osm"])
    monkeypatch.setenv("GEO_COPERNICUS_DEM_URL", server.urls()["dem"])
    data = tmp_path / "data"
    code, _, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(data), "--source", "osm", "--source", "dem",
         "--buffer", "16000", "-q"], capsys,
    )  # fmt: skip
    assert code == 0 and err == "", err
    out = tmp_path / "suitability"
    code, _, err = run_cli(
        ["map", "maps/land_suitability.toml", "--out", str(out), "--data", str(data), "--town", "Zhanatas", "-q"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["layers"]["dem"]["licence"].startswith("Copernicus DEM licence")
    assert m["layers"]["dem"]["source"].startswith("Copernicus DEM GLO-30")
    assert m["layers"]["enterprises"]["licence"].startswith("ODbL")


def test_the_real_data_recipe_on_fetched_land_cover_and_soils(
    server: FetchServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    for var, key in (("GEO_COPERNICUS_DEM_URL", "dem"), ("GEO_WORLDCOVER_URL", "landcover"),
                     ("GEO_SOILGRIDS_URL", "soil")):  # fmt: skip
        monkeypatch.setenv(var, server.urls()[key])
    data = tmp_path / "data"
    code, _, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(data), "--source", "dem", "--source", "landcover",
         "--source", "soil", "--buffer", "16000", "-q"], capsys,
    )  # fmt: skip
    assert code == 0 and err == "", err
    out = tmp_path / "real"
    recipe = "maps/real_data/land_suitability_real.toml"
    code, _, err = run_cli(["map", recipe, "--out", str(out), "--data", str(data), "-q"], capsys)
    assert code == 0, err
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for lid in ("landcover", "soil_organic_carbon", "soil_ph"):
        assert m["layers"][lid]["licence"] == "CC BY 4.0", lid
        assert m["layers"][lid]["overridden_by_user"] is True
    assert "WorldCover" in m["layers"]["landcover"]["source"]
    params = m["themes"]["land_suitability_real"]["parameters"]
    # the served land cover holds built-up land (class 50): the constraint excludes it
    assert params["constraints"]["not_farmland"]["excluded_ha"] > 0
