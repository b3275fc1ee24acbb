"""Results too large to hold: stored arrays, read and written by windows, and what reads them."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS

from geo.chunks import Execution, grid_array, grid_each
from geo.raster import Mapped, Raster, StoredArray, bands

UTM = CRS.from_epsg(32642)
T = Affine(30.0, 0, 500_000.0, 0, -30.0, 4_800_000.0)


def _values(rows: int = 23, cols: int = 31) -> np.ndarray:
    return np.random.default_rng(5).normal(size=(rows, cols)).astype("float32")


@pytest.mark.parametrize(
    "key",
    [
        (slice(None), slice(None)),
        (slice(3, 17), slice(5, 29)),
        (slice(1, None, 4), slice(2, 30, 3)),
        (slice(None, None, -2), slice(25, 3, -5)),
        (slice(7, 7), slice(None)),
        (slice(0, 1), slice(30, 31)),
    ],
)
def test_a_stored_array_slices_as_numpy_does(key: tuple[slice, slice], tmp_path: Path) -> None:
    a = _values()
    s = StoredArray(a.shape, a.dtype, tmp_path)
    s[:, :] = a
    np.testing.assert_array_equal(s[key], a[key])
    assert s[key].dtype == a.dtype


def test_windows_written_in_any_order_make_the_array(tmp_path: Path) -> None:
    a = _values()
    s = StoredArray(a.shape, "float32", tmp_path, fill=np.nan)
    assert np.isnan(np.asarray(s)).all()
    for r0, c0 in [(10, 20), (0, 0), (10, 0), (0, 20)]:
        s[r0 : r0 + 13, c0 : c0 + 20] = a[r0 : r0 + 13, c0 : c0 + 20]
    np.testing.assert_array_equal(np.asarray(s), a)
    assert s.path.stat().st_size == a.nbytes
    assert [r0 for r0, _ in bands(s, rows=10)] == [0, 10, 20]
    np.testing.assert_array_equal(np.vstack([b for _, b in bands(s, rows=10)]), a)


def test_gdal_reads_the_stored_file_through_its_vrt(tmp_path: Path) -> None:
    a = (np.arange(23 * 31) % 5).astype("uint8").reshape(23, 31)
    s = StoredArray(a.shape, a.dtype, tmp_path)
    s[:, :] = a
    with rasterio.open(s.dataset(T, UTM, nodata=0)) as ds:
        np.testing.assert_array_equal(ds.read(1), a)
        assert ds.transform == T and ds.crs.to_epsg() == 32642 and ds.nodata == 0


def test_the_file_goes_with_the_array_and_a_pickled_copy_only_reads_it(tmp_path: Path) -> None:
    s = StoredArray((4, 5), "float32", tmp_path)
    s[:, :] = np.arange(20, dtype="float32").reshape(4, 5)
    vrt = Path(s.dataset(T, UTM))
    raw = s.path
    copy = pickle.loads(pickle.dumps(Mapped(s, np.negative, "float32")))
    np.testing.assert_array_equal(copy[1:3, ::2], -np.asarray(s)[1:3, ::2])
    del copy
    gc.collect()
    assert raw.exists()  # a copy never removes the owner's file
    del s
    gc.collect()
    assert not raw.exists() and not vrt.exists()


def test_grid_arrays_are_stored_only_above_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.raster as raster_module

    ex = Execution("threads", chunk_size=7, scratch=str(tmp_path))
    assert isinstance(grid_array((10, 10), "float32", ex), np.ndarray)
    assert isinstance(grid_array((10, 10), "float32", None), np.ndarray)
    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 99)
    out = grid_array((10, 10), "float32", ex)
    assert isinstance(out, StoredArray) and out.path.parent == tmp_path

    def kernel(rows: slice, cols: slice) -> np.ndarray:
        r, c = np.mgrid[rows, cols]
        return (r * 100 + c)[None].astype("float32")

    def sink(where: tuple[slice, ...], block: np.ndarray) -> None:
        out[where[1:]] = block[0]

    grid_each(kernel, (10, 10), 1, ex, sink, step="test", dtype="float32")
    np.testing.assert_array_equal(np.asarray(out), kernel(slice(0, 10), slice(0, 10))[0])


def test_a_mapped_value_is_computed_window_by_window(tmp_path: Path) -> None:
    a = _values()
    s = StoredArray(a.shape, a.dtype, tmp_path)
    s[:, :] = a
    m = Mapped(s, lambda x: x > 0, "uint8")
    np.testing.assert_array_equal(m[2:9, 4:11], (a[2:9, 4:11] > 0).astype("uint8"))
    assert np.asarray(m).shape == a.shape


def test_zonal_figures_and_display_of_a_stored_raster_equal_those_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    import geo.raster as raster_module
    import geo.writers.render as render
    from geo.models.zonal import class_areas, zonal_mean
    from geo.symbology import RasterClasses, RasterRamp

    rows, cols = 200, 300
    classes = (np.add.outer(np.arange(rows) // 40, np.arange(cols) // 70) % 4 + 1).astype("uint8")
    classes[:10] = 0
    values = _values(rows, cols)
    values[50:60, 100:120] = np.nan
    stored = {}
    for name, a in (("classes", classes), ("values", values)):
        stored[name] = StoredArray(a.shape, a.dtype, tmp_path)
        stored[name][:, :] = a
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[
            box(500_100, 4_795_000, 503_333, 4_799_500),
            box(504_000, 4_794_100, 509_500, 4_796_900),
        ],
        crs=UTM,
    )
    held = class_areas(
        Raster(classes, T, UTM, nodata=0), zones, {1: "S1", 2: "S2", 3: "S3", 4: "N"}
    )
    kept = class_areas(
        Raster(stored["classes"], T, UTM, nodata=0),
        zones,
        {1: "S1", 2: "S2", 3: "S3", 4: "N"},  # type: ignore[arg-type]
    )
    assert held.equals(kept) and held["classified_ha"].gt(100).all()
    mean_held = zonal_mean(Raster(values, T, UTM), zones)
    mean_kept = zonal_mean(Raster(stored["values"], T, UTM), zones)  # type: ignore[arg-type]
    assert mean_held.equals(mean_kept)
    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 1000)
    style = RasterClasses((1, 2, 3, 4), ("#000", "#111", "#222", "#333"), ("a", "b", "c", "d"))
    ramp = RasterRamp((0.0, 1.0), ("#000000", "#ffffff"))
    dst = Affine(90.0, 0, 500_000.0, 0, -90.0, 4_800_000.0)
    for st, a, s in ((style, classes, stored["classes"]), (ramp, values, stored["values"])):
        held_px = render.warp_for_display(Raster(a, T, UTM, nodata=0), st, UTM, dst, (30, 40))
        kept_px = render.warp_for_display(Raster(s, T, UTM, nodata=0), st, UTM, dst, (30, 40))  # type: ignore[arg-type]
        np.testing.assert_array_equal(held_px, kept_px)
    # thinned to every 3rd cell (200·300 / (4 · 30·40) → k = 3), the middle one of each
    # 3 × 3 block, which is one 90 m display pixel
    shown = render.warp_for_display(Raster(classes, T, UTM, nodata=0), style, UTM, dst, (30, 40))
    want = classes[1::3, 1::3][:30, :40].astype("float64")
    want[want == 0] = np.nan
    np.testing.assert_array_equal(shown, want)


def test_a_large_input_raster_stays_in_its_file_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.raster as raster_module
    from geo.errors import DataError
    from geo.io import RasterFile, read_raster
    from geo.raster import finite_range

    a = _values(40, 60) * 100 + 500
    a[:5, :7] = -9999
    path = tmp_path / "dem.tif"
    profile = {"driver": "GTiff", "width": 60, "height": 40, "count": 1, "dtype": "float32",
               "crs": "EPSG:32642", "transform": T, "nodata": -9999}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(a, 1)
    held = read_raster(path)
    assert isinstance(held.array, np.ndarray) and np.isnan(held.array[:5, :7]).all()
    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 100)
    kept = read_raster(path)
    assert isinstance(kept.array, RasterFile)
    for key in [
        (slice(None), slice(None)),
        (slice(3, 30, 4), slice(50, 2, -3)),
        (slice(9, 9), slice(None)),
    ]:
        np.testing.assert_array_equal(kept.array[key], held.array[key])
    assert finite_range(kept.array) == finite_range(held.array)
    assert finite_range(held.array) == (float(np.nanmin(held.array)), float(np.nanmax(held.array)))
    grid_crs = UTM
    from geo.grid import AnalysisGrid

    g = AnalysisGrid.from_bounds((500_100.0, 4_799_000.0, 501_500.0, 4_799_900.0), grid_crs, 20.0)
    np.testing.assert_array_equal(g.warp(kept), g.warp(held))
    empty = tmp_path / "empty.tif"
    with rasterio.open(empty, "w", **profile) as dst:
        dst.write(np.full((40, 60), -9999, "float32"), 1)
    with pytest.raises(DataError, match="only 'no data' cells"):
        read_raster(empty)


def test_exposure_of_a_zone_larger_than_the_memory_limit_is_read_by_bands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    import geo.raster as raster_module
    from geo.grid import AnalysisGrid
    from geo.themes.pollution.exposure import zone_exposure

    grid = AnalysisGrid.from_bounds((500_000.0, 4_790_000.0, 506_000.0, 4_794_000.0), UTM, 20.0)
    rng = np.random.default_rng(3)
    ratios = {p: rng.gamma(0.6, 1.2, grid.shape) for p in ("so2", "dust")}
    ratios["so2"][40:60] = np.nan
    index = ratios["so2"] + ratios["dust"]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["big", "small", "dot"], "population": [1000, 200, 5]},
        geometry=[
            box(500_500, 4_790_500, 505_700, 4_793_900),
            box(501_000, 4_791_000, 501_300, 4_791_200),
            Point(503_011, 4_792_013).buffer(3),
        ],
        crs=UTM,
    )
    whole = zone_exposure(grid, zones, ratios, index)
    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 5000)
    monkeypatch.setattr(raster_module, "BAND_CELLS", 3000)
    banded = zone_exposure(grid, zones, ratios, index)
    for col in (
        "max_so2",
        "max_dust",
        "index_max",
        "cells",
        "share_above_mpc_pct",
        "pop_above_mpc",
    ):
        np.testing.assert_array_equal(banded[col].to_numpy(), whole[col].to_numpy(), err_msg=col)
    for col in ("mean_so2", "mean_dust", "index_mean"):
        np.testing.assert_allclose(banded[col].to_numpy(), whole[col].to_numpy(), rtol=1e-12)
    assert whole["cells"].tolist()[2] == 1 and whole["cells"].iloc[0] > 5000
