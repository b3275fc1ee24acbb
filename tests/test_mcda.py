"""Aggregation, classes, Monte Carlo (methods-and-anchors §2.3-§2.4, T8), windows and slope in chunks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from scipy import ndimage

from geo.chunks import map_cells
from geo.models import mcda
from geo.models.fuzzy import Membership
from geo.models.terrain import slope_degrees


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


def _evaluate_windows(
    raws: list[np.ndarray],
    ms: list[Membership],
    w: list[float],
    allowed: np.ndarray,
    mc: mcda.MonteCarlo,
    rows: int,
    cols: int,
) -> mcda.Evaluation:
    """``mcda.evaluate`` on each *rows* × *cols* window of the inputs, stitched together."""
    shape = raws[0].shape
    score = np.full(shape, -1.0, dtype="float32")
    classes = np.full(shape, 255, dtype="uint8")
    stability = np.full(shape, -1.0, dtype="float32")
    for r0 in range(0, shape[0], rows):
        for c0 in range(0, shape[1], cols):
            win = np.s_[r0 : r0 + rows, c0 : c0 + cols]
            ev = mcda.evaluate([r[win] for r in raws], ms, w, allowed=allowed[win], monte_carlo=mc)
            assert ev.stability is not None
            score[win], classes[win], stability[win] = ev.score, ev.classes, ev.stability
    return mcda.Evaluation(score, classes, stability)


def test_evaluate_on_windows_equals_whole_and_is_deterministic() -> None:
    raws, ms, w = _model()
    allowed = np.ones(raws[0].shape, bool)
    allowed[10:20, 5:9] = False
    mc = mcda.MonteCarlo(draws=50, weight_spread=0.3, seed=3)
    whole = mcda.evaluate(raws, ms, w, allowed=allowed, monte_carlo=mc)
    assert whole.stability is not None
    # windows of 5 × 37 (row bands), 7 × 11 and 13 × 8 cells (ragged at the far edges)
    for rows, cols in [(5, 37), (7, 11), (13, 8)]:
        part = _evaluate_windows(raws, ms, w, allowed, mc, rows, cols)
        np.testing.assert_array_equal(part.score, whole.score)
        np.testing.assert_array_equal(part.classes, whole.classes)
        np.testing.assert_array_equal(part.stability, whole.stability)
    again = mcda.evaluate(raws, ms, w, allowed=allowed, monte_carlo=mc)
    np.testing.assert_array_equal(again.stability, whole.stability)
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
    chunked = map_cells(
        lambda a: slope_degrees(a, 30.0), da.from_array(dem, chunks=(17, 23)), halo=1
    ).compute(scheduler="threads")
    assert np.abs(chunked[1:-1, 1:-1] - ref[1:-1, 1:-1]).max() < 1e-3
    assert ref[1:-1, 1:-1].max() > 5  # the surface is not flat


def test_slope_in_chunks_equals_whole() -> None:
    rng = np.random.default_rng(2)
    dem = ndimage.gaussian_filter(rng.normal(0, 30, (50, 20)), 2)
    whole = slope_degrees(dem, 30.0)
    assert whole.max() > 1.0  # the surface is not flat
    for chunks in [(7, 20), (6, 5), (50, 20)]:
        lazy = map_cells(
            lambda a: slope_degrees(a, 30.0), da.from_array(dem, chunks=chunks), halo=1
        )
        for scheduler in ("threads", "synchronous"):
            np.testing.assert_array_equal(lazy.compute(scheduler=scheduler), whole)
    # a numpy array is the whole-array call
    np.testing.assert_array_equal(map_cells(lambda a: slope_degrees(a, 30.0), dem, halo=1), whole)


def test_slope_in_chunks_keeps_nan_like_terrain() -> None:
    dem = np.add.outer(np.arange(10.0), np.arange(12.0)) * 10
    dem[4, 5] = np.nan  # next to a chunk corner
    dem[0, 11] = np.nan  # on the grid's edge
    b = slope_degrees(dem, 10.0)
    a = map_cells(lambda z: slope_degrees(z, 10.0), da.from_array(dem, chunks=(3, 5)), halo=1)
    a = a.compute(scheduler="threads")
    np.testing.assert_array_equal(a, b)  # NaN in the same cells, the same values elsewhere
    # Horn reads the 8 neighbours, not the cell itself; at the edge the padding repeats the NaN
    ring = {(r, c) for r in (3, 4, 5) for c in (4, 5, 6)} - {(4, 5)}
    corner = {(0, 10), (0, 11), (1, 10), (1, 11)}
    assert {(int(r), int(c)) for r, c in np.argwhere(np.isnan(a))} == ring | corner
    assert a[8, 2] == pytest.approx(np.degrees(np.arctan(np.sqrt(2))), abs=1e-4)


def test_evaluate_takes_arrays_on_one_grid() -> None:
    raws, ms, w = _model()
    with pytest.raises(mcda.MCDAError, match="one grid"):
        mcda.evaluate([raws[0], raws[1][:5], raws[2]], ms, w)
    with pytest.raises(mcda.MCDAError, match="one membership per criterion"):
        mcda.evaluate(raws, ms[:2], w)
