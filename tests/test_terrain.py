"""Terrain derivatives against analytic surfaces and against gdaldem."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.chunks import map_cells
from geo.models.terrain import hillshade, slope_degrees, slope_percent
from tests.conftest import in_ci


def cone(n: int = 41, cell: float = 10.0, height: float = 300.0) -> np.ndarray:
    y, x = np.mgrid[0:n, 0:n].astype(float)
    r = np.hypot(x - n // 2, y - n // 2) * cell
    return np.maximum(0.0, height - 0.8 * r)  # flanks rise 0.8 m per m: 38.66°


def test_slope_on_planes_and_a_cone() -> None:
    plane = np.add.outer(np.arange(20.0) * 5.0, np.zeros(20))  # 5 m per 10 m cell: 26.565°
    assert slope_degrees(plane, 10.0)[5:15, 5:15] == pytest.approx(
        np.degrees(np.arctan(0.5)), abs=1e-4
    )
    assert slope_percent(plane, 10.0)[10, 10] == pytest.approx(50.0, abs=1e-4)
    c = slope_degrees(cone(), 10.0)
    ring = np.hypot(*(np.mgrid[0:41, 0:41] - 20)) * 10
    flank = (ring > 30) & (ring < 150)
    # Horn on a discretised cone: within 1° of the true 38.66° away from the apex, 0.1° on average
    err = np.abs(c[flank] - np.degrees(np.arctan(0.8)))
    assert err.max() < 1.0 and err.mean() < 0.1
    chunked = map_cells(lambda z: slope_degrees(z, 10.0), da.from_array(cone(), chunks=7), halo=1)
    np.testing.assert_array_equal(chunked.compute(scheduler="threads"), c)


def test_hillshade_faces_the_light() -> None:
    north_up = np.add.outer(np.arange(9.0) * 10, np.zeros(9))  # rises southwards: faces north-ish
    south_up = north_up[::-1]
    # light from the north-west (315°): a slope facing north is brighter than one facing south
    assert hillshade(north_up, 10.0)[4, 4] > hillshade(south_up, 10.0)[4, 4]
    dem = cone().astype(float)
    dem[0, 0] = np.nan
    assert hillshade(dem, 10.0)[0, 0] == 0


def _gdaldem(kind: str, dem: np.ndarray, tmp_path: Path) -> np.ndarray:
    if shutil.which("gdaldem") is None:
        if in_ci():
            pytest.fail("gdaldem is missing on CI (apt gdal-bin)")
        pytest.skip("gdaldem is not installed (Debian gdal-bin)")
    src, dst = tmp_path / "dem.tif", tmp_path / f"{kind}.tif"
    with rasterio.open(
        src,
        "w",
        driver="GTiff",
        width=dem.shape[1],
        height=dem.shape[0],
        count=1,
        dtype="float32",
        crs="EPSG:32642",
        transform=from_origin(500_000, 4_800_000, 10, 10),
    ) as f:
        f.write(dem.astype("float32"), 1)
    subprocess.run(["gdaldem", kind, "-q", str(src), str(dst)], check=True)
    with rasterio.open(dst) as f:
        return f.read(1)


def test_slope_and_hillshade_match_gdaldem(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    dem = cone() + rng.normal(0, 3, (41, 41))
    ours_s = slope_degrees(dem.astype("float32"), 10.0)
    ref_s = _gdaldem("slope", dem, tmp_path)
    assert np.abs(ours_s[1:-1, 1:-1] - ref_s[1:-1, 1:-1]).max() < 0.001
    ours_h = hillshade(dem.astype("float32"), 10.0)
    ref_h = _gdaldem("hillshade", dem, tmp_path)
    assert (ours_h[1:-1, 1:-1] == ref_h[1:-1, 1:-1]).all()  # rounded like GDAL: cell for cell
