"""COG writer: valid COGs (rio-cogeo and GDAL's validator), no data, overviews, determinism."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS
from rio_cogeo.cogeo import cog_validate

from geo.errors import CRSError
from geo.raster import Raster
from geo.symbology import RasterClasses, RasterRamp
from geo.writers.cog import compression_threads, write_cog

T = Affine(30.0, 0, 560_000.0, 0, -30.0, 4_790_000.0)
UTM = CRS.from_epsg(32642)


def _float_raster() -> Raster:
    rng = np.random.default_rng(3)
    a = rng.random((600, 700)).astype("float32") * 100
    a[:10, :10] = np.nan
    return Raster(a, T, UTM, tags={"units": "m", "params": {"k": 1}})


def _class_raster() -> Raster:
    a = (np.arange(600 * 700).reshape(600, 700) // 7 % 3 + 1).astype("uint8")
    a[-5:, -5:] = 0
    return Raster(a, T, UTM, nodata=0)


CLASSES = RasterClasses((1, 2, 3), ("#1a9850", "#fee08b", "#d73027"), ("low", "mid", "high"))


def gdal_cog_validator() -> list[str] | None:
    """Command running GDAL's validate_cloud_optimized_geotiff.py with Debian's osgeo, or None."""
    import importlib.util

    spec = importlib.util.find_spec("osgeo_utils")
    py = shutil.which("python3", path="/usr/bin")
    if spec is None or spec.submodule_search_locations is None or py is None:
        return None
    script = (
        Path(next(iter(spec.submodule_search_locations)))
        / "samples"
        / "validate_cloud_optimized_geotiff.py"
    )
    if not script.exists():
        return None
    if subprocess.run([py, "-c", "from osgeo import gdal"], capture_output=True).returncode != 0:
        return None
    return [py, str(script)]


def test_float_cog_is_valid_with_nan_nodata_and_average_overviews(tmp_path: Path) -> None:
    r = _float_raster()
    out = tmp_path / "dem.tif"
    write_cog(r, out, tags={"source": "test"}, style=RasterRamp((0, 100), ("#000000", "#ffffff")))
    assert cog_validate(str(out)) == (True, [], [])
    with rasterio.open(out) as ds:
        assert ds.dtypes[0] == "float32"
        assert np.isnan(ds.nodata)
        assert ds.overviews(1) == [2, 4]
        assert ds.tags()["source"] == "test"
        assert ds.tags()["params"] == '{"k": 1}'
        assert ds.units == ("m",)
        assert ds.profile["compress"] == "deflate"
        np.testing.assert_array_equal(ds.read(1), r.array)
        ov = ds.read(1, out_shape=(300, 350))  # first overview (average of 2×2 blocks)
    block = r.array[20:22, 20:22]
    assert ov[10, 10] == pytest.approx(float(block.mean()), rel=1e-5)
    assert [p.name for p in tmp_path.iterdir()] == ["dem.tif"]  # no temp file left


def test_class_cog_keeps_classes_in_overviews_and_has_colour_table(tmp_path: Path) -> None:
    out = tmp_path / "classes.tif"
    write_cog(_class_raster(), out, style=CLASSES)
    assert cog_validate(str(out))[0]
    with rasterio.open(out) as ds:
        assert ds.nodata == 0
        assert ds.colormap(1)[3] == (215, 48, 39, 255)
        ov = ds.read(1, out_shape=(150, 175))
    assert set(np.unique(ov)) <= {0, 1, 2, 3}  # nearest: no averaged classes


def test_cog_bytes_are_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.tif", tmp_path / "b.tif"
    write_cog(_float_raster(), a, tags={"source": "x"})
    write_cog(_float_raster(), b, tags={"source": "x"})
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    with rasterio.open(a) as ds:
        assert not any("DATETIME" in k for k in ds.tags())


@pytest.mark.parametrize("raster", [_float_raster, _class_raster])
def test_cog_bytes_do_not_depend_on_compression_threads(
    tmp_path: Path, raster: Callable[[], Raster]
) -> None:
    """GDAL compresses the tiles on several threads and writes them in their order."""
    digests = []
    for threads in (1, 2, 3):
        path = tmp_path / f"t{threads}.tif"
        with compression_threads(threads):
            assert rasterio.env.getenv()["GDAL_NUM_THREADS"] == str(threads)
            write_cog(raster(), path, style=CLASSES if raster is _class_raster else None)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(set(digests)) == 1


def test_cog_without_crs_is_refused(tmp_path: Path) -> None:
    r = Raster(np.ones((4, 4), "float32"), T, None)  # type: ignore[arg-type]
    with pytest.raises(CRSError, match="no CRS"):
        write_cog(r, tmp_path / "x.tif")


def test_gdal_cog_validator_accepts_both(tmp_path: Path) -> None:
    cmd = gdal_cog_validator()
    if cmd is None:
        reason = "GDAL's validate_cloud_optimized_geotiff.py needs gdal-utils (pip install --no-deps) and python3-gdal"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    write_cog(_float_raster(), tmp_path / "f.tif")
    write_cog(_class_raster(), tmp_path / "c.tif", style=CLASSES)
    for name in ("f.tif", "c.tif"):
        res = subprocess.run([*cmd, str(tmp_path / name)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "is a valid cloud optimized GeoTIFF" in res.stdout
