"""CRS policy and the analysis grid."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS
from shapely.geometry import LineString, Point, box

from geo.crs import EQUAL_AREA, to_crs, utm_crs_for
from geo.errors import CRSError
from geo.grid import AnalysisGrid
from geo.raster import Raster


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (69.73209, 43.56274, 32642),
        (70.4592, 43.17959, 32642),
        (73.76221, 43.60507, 32643),
        (72.0, 43.0, 32643),
    ],
)
def test_utm_zone_of_the_towns(lon: float, lat: float, epsg: int) -> None:
    assert utm_crs_for(lon, lat).to_epsg() == epsg


def test_pulkovo_is_shifted_with_the_best_operation(caplog) -> None:
    # a point near Zhanatas in Pulkovo 1942 / Gauss-Kruger zone 12 (EPSG:28412)
    gdf = gpd.GeoDataFrame(geometry=[Point(12_560_000, 4_830_000)], crs=28412)
    with caplog.at_level(logging.INFO, logger="geo.crs"):
        out = to_crs(gdf, 4326)
    assert "Pulkovo 1942 to WGS 84 (20)" in caplog.text and "accuracy 3.0 m" in caplog.text
    # the ballpark (no datum shift) answer differs by ~100 m; ours must not be it
    ballpark = gdf.to_crs("+proj=longlat +ellps=krass +no_defs").geometry.iloc[0]
    shift_m = (
        abs(out.geometry.iloc[0].x - ballpark.x) * 80_000
        + abs(out.geometry.iloc[0].y - ballpark.y) * 111_000
    )
    assert shift_m > 20


def test_layer_without_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="has no CRS; set one"):
        to_crs(gpd.GeoDataFrame(geometry=[Point(0, 0)]), 4326)


def test_equal_area_areas() -> None:
    sq = gpd.GeoDataFrame(geometry=[box(72, 44, 72.1, 44.1)], crs=4326)
    a = to_crs(sq, EQUAL_AREA).area.iloc[0]
    b = to_crs(sq, "+proj=cea +datum=WGS84").area.iloc[0]
    assert a == pytest.approx(b, rel=1e-4)


def test_grid_rasterize_and_distance() -> None:
    g = AnalysisGrid.from_bounds((0, 0, 1000, 1000), CRS.from_epsg(32642), 10)
    assert g.shape == (100, 100) and g.cell_area_ha == 0.01
    poly = gpd.GeoDataFrame(geometry=[box(200, 200, 400, 600)], crs=32642)
    m = g.mask(poly)
    assert m.sum() == 20 * 40
    line = gpd.GeoDataFrame(geometry=[LineString([(500, 0), (500, 1000)])], crs=32642)
    d = g.distance_to(line)
    x, _ = g.cell_centres()
    expect = np.abs(x - 500)
    assert np.abs(d - expect).max() <= 10.0 + 1e-6  # within a cell of the exact distance
    capped = g.distance_to(line, cap=100)
    assert capped.max() == 100


def test_distance_sees_features_outside_the_grid() -> None:
    g = AnalysisGrid.from_bounds((0, 0, 100, 100), CRS.from_epsg(32642), 10)
    far = gpd.GeoDataFrame(geometry=[Point(150, 50)], crs=32642)
    d = g.distance_to(far, cap=500)
    assert d[5, 9] == pytest.approx(60, abs=10)


def test_warp_reprojects_a_geographic_raster() -> None:
    from affine import Affine

    arr = np.arange(100, dtype="float32").reshape(10, 10)
    r = Raster(arr, Affine(0.01, 0, 69.7, 0, -0.01, 43.6), CRS.from_epsg(4326))
    g = AnalysisGrid.from_bounds(
        (560_000, 4_820_000, 565_000, 4_825_000), CRS.from_epsg(32642), 500
    )
    out = g.warp(r, resampling="nearest")
    assert out.shape == g.shape
    assert np.isfinite(out).sum() > 0
    assert set(np.unique(out[np.isfinite(out)])) <= set(arr.ravel())


def test_capped_distances_equal_the_distance_transform_on_any_window(monkeypatch) -> None:
    """The k-d tree of edge cells gives the capped distance transform, window by window."""
    import geopandas as gpd
    from scipy import ndimage
    from shapely.geometry import LineString, Point

    from geo import grid as grid_module

    g = AnalysisGrid.from_bounds((500_000, 4_800_000, 520_000, 4_815_000), CRS.from_epsg(32642), 50)
    rng = np.random.default_rng(1)
    lines = [
        LineString(rng.uniform([495_000, 4_795_000], [525_000, 4_820_000], (4, 2)))
        for _ in range(6)
    ]
    gdf = gpd.GeoDataFrame(geometry=[*lines, Point(510_000, 4_807_000).buffer(1500)], crs=32642)
    cap = 3000.0
    pad = int(np.ceil(cap / 50))
    big = g.window(slice(-pad, g.height + pad), slice(-pad, g.width + pad))
    burnt = big.mask(gdf, all_touched=True)
    edt = ndimage.distance_transform_edt(~burnt, sampling=(50.0, 50.0))
    want = np.minimum(np.asarray(edt, dtype="float32")[pad:-pad, pad:-pad], cap)
    got = g.distance_to(gdf, cap=cap)
    np.testing.assert_array_equal(got, want)
    assert 0 < (got < cap).mean() < 1 and (got == 0).any()
    monkeypatch.setattr(grid_module, "TILE", 32)  # several tiles, and a pad beyond one
    whole = g.distance_to(gdf, cap=cap)
    np.testing.assert_array_equal(whole, want)
    for w in [(slice(17, 250), slice(3, 301)), (slice(0, 1), slice(399, 400))]:
        np.testing.assert_array_equal(g.distance_to(gdf, cap=cap, window=w), want[w])
