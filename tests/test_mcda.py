"""Aggregation, classes, Monte Carlo (methods-and-anchors §2.3-§2.4, T8) and the benchmark's row blocks."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from scipy import ndimage

from geo.models import mcda, terrain
from geo.models.fuzzy import Membership
from geo.models.terrain import slope_degrees

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_suitability.py"


@pytest.fixture(scope="module")
def bench() -> Any:
    """``bench/bench_suitability.py`` (its row-block evaluation lives there, outside ``geo``)."""
    spec = importlib.util.spec_from_file_location("bench_suitability", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _factors(shape: tuple[int, int] = (40, 50), k: int = 4, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0, 1, shape).astype("float32") for _ in range(k)]


def test_wlc_matches_hand_sum() -> None:
    f = _factors()
    w = [0.4, 0.3, 0.2, 0.1]
    expect = sum(wi * fi.astype(float) for wi, fi in zip(w, f, strict=True))
    np.testing.assert_allclose(mcda.wlc(f, w), expect, rtol=1e-6)


def test_owa_equal_order_weights_is_wlc() -> None:
    f = _factors()
    w = [0.4, 0.3, 0.2, 0.1]
    np.testing.assert_allclose(mcda.owa(f, w, [0.25] * 4), mcda.wlc(f, w), rtol=1e-6, atol=1e-7)


def test_owa_and_or_are_min_max() -> None:
    f = _factors()
    w = [0.25] * 4
    np.testing.assert_allclose(mcda.owa(f, w, [1, 0, 0, 0]), np.min(f, axis=0), rtol=1e-6)
    np.testing.assert_allclose(mcda.owa(f, w, [0, 0, 0, 1]), np.max(f, axis=0), rtol=1e-6)


def test_owa_nan_and_constraint() -> None:
    f = _factors((2, 2), 2)
    f[0][0, 0] = np.nan
    allowed = np.array([[True, False], [True, True]])
    out = mcda.owa(f, [0.5, 0.5], [0.7, 0.3], constraint=allowed)
    assert np.isnan(out[0, 0]) and out[0, 1] == 0.0


@pytest.mark.parametrize(
    ("v", "expect"),
    [
        ([1, 0, 0, 0, 0, 0], (1.0, 0.0, 0.0)),
        ([0, 0, 0, 0, 0, 1], (0.0, 1.0, 0.0)),
        ([1 / 6] * 6, (0.5, 0.5, 1.0)),
        ([0.5, 0.3, 0.125, 0.05, 0.025, 0.0], (0.84, 0.16, 0.5199)),
    ],
)
def test_owa_measures_anchors(v: list[float], expect: tuple[float, float, float]) -> None:
    m = mcda.owa_measures(v)
    assert (m["andness"], m["orness"], m["tradeoff"]) == pytest.approx(expect, abs=1e-4)


def test_classify_and_breaks() -> None:
    s = np.array([0.0, 0.2499, 0.25, 0.5, 0.74, 0.75, 1.0, np.nan])
    assert mcda.classify(s).tolist() == [4, 4, 3, 2, 2, 1, 1, 0]
    assert mcda.classify(s, (0.1, 0.2, 0.3)).tolist() == [4, 2, 2, 1, 1, 1, 1, 0]
    with pytest.raises(mcda.MCDAError, match="must ascend"):
        mcda.check_breaks([0.5, 0.25, 0.75])
    with pytest.raises(mcda.MCDAError, match="need 3 values"):
        mcda.check_breaks([0.5, 0.75])
    with pytest.raises(mcda.MCDAError, match="in \\(0, 1\\]"):
        mcda.check_breaks([0.25, 0.5, 1.5])


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(mcda.MCDAError, match=r"sum to 0\.9, not 1; rescale"):
        mcda.check_weights([0.5, 0.4])
    with pytest.raises(mcda.MCDAError, match="≥ 0"):
        mcda.check_weights([1.5, -0.5])


def _model(k: int = 3) -> tuple[list[np.ndarray], list[Membership], list[float]]:
    rng = np.random.default_rng(5)
    raws = [rng.uniform(0, 100, (64, 37)).astype("float32") for _ in range(k)]
    raws[0][3, 4] = np.nan
    ms = [
        Membership("linear", {"a": 10.0, "b": 90.0}),
        Membership("sigmoidal", {"c": 20.0, "d": 80.0, "shape": "decreasing"}),
        Membership("gaussian", {"midpoint": 50.0, "spread": 0.001}),
    ][:k]
    return raws, ms, [0.5, 0.3, 0.2][:k]


def test_evaluate_blockwise_equals_whole_and_is_deterministic(bench: Any) -> None:
    raws, ms, w = _model()
    allowed = np.ones(raws[0].shape, bool)
    allowed[10:20, 5:9] = False
    srcs = [bench.array_source(r) for r in raws]
    mc = mcda.MonteCarlo(draws=50, weight_spread=0.3, seed=3)
    whole = mcda.evaluate(raws, ms, w, allowed=allowed, monte_carlo=mc)
    shape = raws[0].shape
    blocked = bench.array_source(allowed)
    small = bench.evaluate_blocks(
        srcs, ms, w, shape, allowed=blocked, monte_carlo=mc, block_cells=37 * 5
    )
    again = bench.evaluate_blocks(
        srcs, ms, w, shape, allowed=blocked, monte_carlo=mc, block_cells=37 * 7
    )
    np.testing.assert_array_equal(whole.score, small.score)
    np.testing.assert_array_equal(whole.classes, small.classes)
    np.testing.assert_allclose(whole.stability, small.stability, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(small.stability, again.stability, atol=1e-6, equal_nan=True)
    # score is the WLC of the memberships
    expect = mcda.wlc([m(r) for m, r in zip(ms, raws, strict=True)], w, constraint=allowed)
    np.testing.assert_allclose(whole.score, expect, rtol=1e-6, equal_nan=True)
    assert (
        np.isnan(whole.score[3, 4]) and whole.classes[3, 4] == 0 and np.isnan(whole.stability[3, 4])
    )
    assert (whole.classes[10:20, 5:9] == 4).all() and (whole.stability[10:20, 5:9] == 1).all()
    # some cells near class breaks are unstable, stability is a probability
    st = whole.stability[np.isfinite(whole.stability)]
    assert st.min() < 1.0 and st.max() == 1.0 and st.min() >= 0.0


def test_monte_carlo_stability_against_explicit_loop() -> None:
    raws, ms, w = _model()
    mc = mcda.MonteCarlo(draws=20, weight_spread=0.4, seed=11)
    ev = mcda.evaluate(raws, ms, w, monte_carlo=mc)
    wd, _ = mc.draw(np.asarray(w), 3)
    z = [m(r) for m, r in zip(ms, raws, strict=True)]
    same = np.zeros(raws[0].shape)
    for row in wd:
        same += mcda.classify(mcda.wlc(z, row / row.sum())) == ev.classes
    expect = same / 20
    ok = np.isfinite(ev.score)
    np.testing.assert_allclose(ev.stability[ok], expect[ok], atol=1e-6)


def test_zero_spread_is_fully_stable_and_owa_and_control_points_run() -> None:
    raws, ms, w = _model()
    ev = mcda.evaluate(
        raws,
        ms,
        w,
        monte_carlo=mcda.MonteCarlo(draws=5, weight_spread=0.0),
    )
    assert np.nanmin(ev.stability) == 1.0
    ow = [0.6, 0.3, 0.1]
    ev2 = mcda.evaluate(
        raws,
        ms,
        w,
        order_weights=ow,
        monte_carlo=mcda.MonteCarlo(draws=10, weight_spread=0.2, control_point_spread=0.1, seed=2),
    )
    np.testing.assert_allclose(
        ev2.score,
        mcda.owa([m(r) for m, r in zip(ms, raws, strict=True)], w, ow),
        rtol=1e-6,
        equal_nan=True,
    )
    assert 0 <= np.nanmin(ev2.stability) < 1


# -- slope (Horn) --------------------------------------------------------------------------
@pytest.mark.parametrize("angle", [5.0, 30.0, 45.0, 60.0])
def test_slope_of_planes(angle: float) -> None:
    cell = 25.0
    y, x = np.mgrid[0:20, 0:30] * cell
    az = np.radians(30.0)
    z = np.tan(np.radians(angle)) * (x * np.cos(az) + y * np.sin(az))
    s = slope_degrees(z, cell)
    np.testing.assert_allclose(s[1:-1, 1:-1], angle, atol=1e-6)  # interior cells


def test_slope_of_a_cone() -> None:
    cell = 10.0
    y, x = (np.mgrid[0:101, 0:101] - 50) * cell
    r = np.hypot(x, y)
    z = 1000 - r * np.tan(np.radians(20))
    s = slope_degrees(z, cell)
    ring = (r > 5 * cell) & (r < 45 * cell)
    np.testing.assert_allclose(s[ring], 20.0, atol=0.3)
    assert s[50, 50] < 1.0  # the apex is flat by symmetry


def test_slope_matches_gdaldem(tmp_path: Path) -> None:
    gdaldem = shutil.which("gdaldem")
    if gdaldem is None:
        pytest.skip("gdaldem (GDAL command-line tools) is not installed")
    rng = np.random.default_rng(0)
    dem = ndimage.gaussian_filter(rng.normal(0, 50, (120, 150)), 4) + 500
    src = tmp_path / "dem.tif"
    with rasterio.open(
        src,
        "w",
        driver="GTiff",
        width=150,
        height=120,
        count=1,
        dtype="float64",
        crs="EPSG:32642",
        transform=from_origin(560_000, 4_830_000, 30, 30),
    ) as ds:
        ds.write(dem, 1)
    out = tmp_path / "slope.tif"
    subprocess.run([gdaldem, "slope", "-compute_edges", "-q", str(src), str(out)], check=True)
    with rasterio.open(out) as ds:
        ref = ds.read(1).astype(float)
    ours = slope_degrees(dem, 30.0)
    assert np.abs(ours[1:-1, 1:-1] - ref[1:-1, 1:-1]).max() < 1e-3
    blocked = terrain.slope_blockwise(dem, 30.0, block_rows=17)
    assert np.abs(blocked[1:-1, 1:-1] - ref[1:-1, 1:-1]).max() < 1e-3
    assert ref[1:-1, 1:-1].max() > 5  # the surface is not flat


def test_slope_source_blockwise_equals_whole(bench: Any) -> None:
    rng = np.random.default_rng(2)
    dem = ndimage.gaussian_filter(rng.normal(0, 30, (50, 20)), 2)
    src = bench.slope_source(bench.array_source(dem), 30.0, 50)
    blocks = np.vstack([src(r, min(50, r + 7)) for r in range(0, 50, 7)])
    np.testing.assert_allclose(blocks, slope_degrees(dem, 30.0), atol=1e-4)
    threaded = terrain.slope_blockwise(dem, 30.0, block_rows=6, workers=2)
    np.testing.assert_array_equal(threaded, blocks)
    np.testing.assert_array_equal(
        terrain.slope_blockwise(dem, 30.0, block_rows=1000, workers=1), blocks
    )


def test_slope_blockwise_keeps_nan_like_terrain() -> None:
    dem = np.add.outer(np.arange(10.0), np.arange(12.0)) * 10
    dem[4, 5] = np.nan
    a = terrain.slope_blockwise(dem, 10.0, block_rows=3)
    b = slope_degrees(dem, 10.0)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], atol=1e-4)


def test_distance_source_blockwise_equals_whole_capped(bench: Any) -> None:
    rng = np.random.default_rng(3)
    feats = rng.uniform(0, 1, (80, 30)) > 0.995
    cap = 500.0
    src = bench.distance_source(bench.array_source(feats), 50.0, cap, 80)
    blocks = np.vstack([src(r, min(80, r + 9)) for r in range(0, 80, 9)])
    whole = np.minimum(ndimage.distance_transform_edt(~feats, sampling=(50.0, 50.0)), cap)
    np.testing.assert_allclose(blocks, whole, rtol=1e-6)


def test_evaluate_takes_arrays_on_one_grid() -> None:
    raws, ms, w = _model()
    with pytest.raises(mcda.MCDAError, match="one grid"):
        mcda.evaluate([raws[0], raws[1][:5], raws[2]], ms, w)
    with pytest.raises(mcda.MCDAError, match="one membership per criterion"):
        mcda.evaluate(raws, ms[:2], w)
