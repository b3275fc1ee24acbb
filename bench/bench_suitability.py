"""Benchmark of the land-suitability models (issue 3), each against a peer measured in the same run.

Run:  python bench/bench_suitability.py [--quick] [--sizes 1000,4000,10000]

1. Slope (Horn) on a synthetic 4000 × 4000 DEM: ``geo.models.terrain.slope_blockwise`` (row
   blocks, float32, two threads; ``geo.models.terrain.slope_degrees`` timed too)
   vs ``gdaldem slope -compute_edges`` (GDAL's command-line tool; its time includes
   reading and writing the GeoTIFF, so ours is also timed with rasterio read + write).
   Agreement on interior cells must be within 0.001°.
2. Zonal class areas with exact coverage on the 4000² grid and 2000 Voronoi zones:
   ``geo.models.zonal.class_areas`` vs a bare ``exactextract`` call. Our function *uses*
   exactextract, so the ratio measures only our overhead; rasterstats is not installed in
   this environment, so the non-exact peer is a centre-of-cell count (rasterise + bincount),
   whose area error is also printed.
3. Weighted overlay (WLC of five float32 factors) vs one numpy pass over its inputs
   (``out += f`` for each factor): the memory-bandwidth floor. Target: within 5×.
4. The whole block-wise pipeline (``evaluate_blocks`` here: ``mcda.evaluate`` per row block; five criteria derived per block: slope with a one-row
   halo, a capped distance with its halo, three analytic fields; memberships, WLC, two
   constraints, FAO classes, 20 Monte Carlo draws) at 1000², 4000² and 10000² cells, each
   size in a fresh subprocess reporting wall time and peak RSS (``VmHWM`` of the process).
   Target: 10000² under 2 GB.

Medians of repeated runs are printed (3 repeats, 1 for the scaling runs).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

CELL = 30.0
X0, Y0 = 500_000.0, 4_850_000.0


# -- row-block evaluation (the benchmark's; a build holds its arrays whole) ------------------------
BlockSource = Callable[[int, int], np.ndarray]
"""A criterion read by rows: ``source(r0, r1)`` returns rows ``r0:r1`` of the grid."""


def array_source(array: np.ndarray) -> BlockSource:
    """A :data:`BlockSource` over an in-memory array."""

    def read(r0: int, r1: int) -> np.ndarray:
        return array[r0:r1]

    return read


def slope_source(dem: BlockSource, cell_size: float, height: int) -> BlockSource:
    """Slope in degrees (Horn) per block, reading one halo row above and below.

    Same values as :func:`geo.models.terrain.slope_degrees` on the whole grid.
    """
    from geo.models.terrain import horn_slope_rows

    def read(r0: int, r1: int) -> np.ndarray:
        h0, h1 = max(0, r0 - 1), min(height, r1 + 1)
        return horn_slope_rows(dem(h0, h1), h0 < r0, h1 > r1, cell_size)

    return read


def distance_source(
    features: BlockSource, cell_size: float, cap: float, height: int
) -> BlockSource:
    """Euclidean distance (m) to cells where *features* is True, capped at *cap*, per block.

    Each block reads a halo of ``ceil(cap / cell_size)`` rows on both sides, so
    the capped result equals a whole-grid distance transform.
    """
    from scipy import ndimage

    if not (cap > 0 and math.isfinite(cap)):
        msg = f"distance cap must be a positive finite number of metres, got {cap}"
        raise ValueError(msg)
    halo = math.ceil(cap / cell_size)

    def read(r0: int, r1: int) -> np.ndarray:
        h0, h1 = max(0, r0 - halo), min(height, r1 + halo)
        m = np.asarray(features(h0, h1), dtype=bool)
        if not m.any():
            return np.full((r1 - r0, m.shape[1]), cap, dtype="float32")
        d = ndimage.distance_transform_edt(~m, sampling=(cell_size, cell_size))
        d = np.asarray(d[r0 - h0 : r0 - h0 + (r1 - r0)], dtype="float32")
        np.minimum(d, cap, out=d)
        return d

    return read


def evaluate_blocks(
    sources, memberships, weights, shape, *, allowed=None, block_cells: int = 1 << 20, **kw
):
    """:func:`geo.models.mcda.evaluate` by row blocks of about *block_cells* cells.

    Each block is evaluated whole; the Monte Carlo draws depend only on the
    seed, so the result equals one whole-grid evaluation.
    """
    from geo.models import mcda

    rows, cols = shape
    score = np.full(shape, np.nan, dtype="float32")
    classes = np.zeros(shape, dtype="uint8")
    stability = np.full(shape, np.nan, dtype="float32") if kw.get("monte_carlo") else None
    step = max(1, block_cells // max(cols, 1))
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        ok = None if allowed is None else allowed(r0, r1)
        ev = mcda.evaluate([src(r0, r1) for src in sources], memberships, weights, allowed=ok, **kw)
        score[r0:r1], classes[r0:r1] = ev.score, ev.classes
        if stability is not None and ev.stability is not None:
            stability[r0:r1] = ev.stability
    return mcda.Evaluation(score, classes, stability)


def _median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _paired_times(fa, fb, repeat: int = 3) -> tuple[float, float]:
    """Median times of *fa* and *fb* run alternately (so both see the same machine state)."""
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        fa()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        fb()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def synthetic_dem(n: int) -> np.ndarray:
    """Smooth hills on a tilted plane, metres (deterministic)."""
    y, x = np.mgrid[0:n, 0:n].astype("float32") * CELL
    return (
        500
        + 0.01 * y
        + 120 * np.sin(x / 2900.0) * np.cos(y / 3700.0)
        + 15 * np.sin(x / 310.0 + y / 270.0)
    ).astype("float32")


# -- 1. slope -----------------------------------------------------------------------------
def bench_slope(n: int, repeat: int) -> dict[str, float]:
    from geo.models.terrain import slope_blockwise, slope_degrees

    gdaldem = shutil.which("gdaldem")
    dem = synthetic_dem(n)
    out: dict[str, float] = {}
    out["ours_compute_s"] = _median_time(lambda: slope_blockwise(dem, CELL), repeat)
    out["terrain_slope_degrees_s"] = _median_time(lambda: slope_degrees(dem, CELL), repeat)
    if gdaldem is None:
        print("  gdaldem not installed: no peer for slope")
        return out
    with tempfile.TemporaryDirectory() as d:
        src, dst, ours_tif = Path(d) / "dem.tif", Path(d) / "slope.tif", Path(d) / "ours.tif"
        profile = {
            "driver": "GTiff",
            "width": n,
            "height": n,
            "count": 1,
            "dtype": "float32",
            "crs": "EPSG:32642",
            "transform": from_origin(X0, Y0, CELL, CELL),
        }
        with rasterio.open(src, "w", **profile) as ds:
            ds.write(dem, 1)

        def run_gdal() -> None:
            subprocess.run(
                [gdaldem, "slope", "-compute_edges", "-q", str(src), str(dst)], check=True
            )

        def run_ours_io() -> None:
            with rasterio.open(src) as ds:
                z = ds.read(1)
            s = slope_blockwise(z, CELL)
            with rasterio.open(ours_tif, "w", **profile) as ds:
                ds.write(s, 1)

        out["gdaldem_s"] = _median_time(run_gdal, repeat)
        out["ours_with_io_s"] = _median_time(run_ours_io, repeat)
        with rasterio.open(dst) as ds:
            ref = ds.read(1).astype("float64")
    ours = slope_blockwise(dem, CELL).astype("float64")
    out["max_abs_diff_interior_deg"] = float(np.abs(ours[1:-1, 1:-1] - ref[1:-1, 1:-1]).max())
    return out


# -- 2. zonal ------------------------------------------------------------------------------
def bench_zonal(n: int, zones_n: int, repeat: int) -> dict[str, float]:
    import geopandas as gpd
    import shapely
    from affine import Affine
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource
    from pyproj import CRS
    from shapely.geometry import MultiPoint, box

    from geo.grid import AnalysisGrid
    from geo.models.zonal import class_areas
    from geo.raster import Raster

    crs = CRS.from_epsg(32642)
    rng = np.random.default_rng(42)
    cls = (
        rng.integers(1, 5, (n // 20 + 1, n // 20 + 1))
        .astype("uint8")
        .repeat(20, 0)
        .repeat(20, 1)[:n, :n]
    )
    r = Raster(np.ascontiguousarray(cls), Affine(CELL, 0, X0, 0, -CELL, Y0), crs, nodata=0)
    frame = box(*r.bounds)
    pts = np.column_stack(
        [
            rng.uniform(frame.bounds[0], frame.bounds[2], zones_n),
            rng.uniform(frame.bounds[1], frame.bounds[3], zones_n),
        ]
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame))
    polys = [c.intersection(frame) for c in cells]
    zones = gpd.GeoDataFrame(
        {"zone_id": [f"z{i}" for i in range(len(polys))]}, geometry=polys, crs=crs
    )
    labels = {1: "S1", 2: "S2", 3: "S3", 4: "N"}
    out: dict[str, float] = {}
    src = NumPyRasterSource(r.array, *r.bounds, nodata=0, srs_wkt=crs.to_wkt())
    out["ours_class_areas_s"], out["exactextract_s"] = _paired_times(
        lambda: class_areas(r, zones, labels),
        lambda: exact_extract(src, zones, ["unique", "frac", "count"], output="pandas"),
        repeat,
    )
    grid = AnalysisGrid(r.transform, n, n, crs)

    def centre_count() -> np.ndarray:
        ids = grid.rasterize(zones, np.arange(len(zones)), fill=-1, dtype="int32")
        ok = ids >= 0
        key = ids[ok].astype("int64") * 5 + r.array[ok]
        return np.bincount(key, minlength=len(zones) * 5).reshape(len(zones), 5)

    out["centre_count_s"] = _median_time(centre_count, repeat)
    exact = class_areas(r, zones, labels)
    approx = centre_count() * CELL * CELL / 1e4
    diff = np.abs(
        approx[:, 1:].sum(axis=1)
        - exact[[f"{v}_ha" for v in labels.values()]].sum(axis=1).to_numpy()
    )
    out["centre_count_median_abs_err_ha"] = float(np.median(diff))
    out["exact_total_vs_grid_ha_rel_err"] = float(
        abs(exact["classified_ha"].sum() - n * n * CELL * CELL / 1e4) / (n * n * CELL * CELL / 1e4)
    )
    return out


# -- 3. weighted overlay ---------------------------------------------------------------------
def bench_overlay(n: int, repeat: int) -> dict[str, float]:
    from geo.models.mcda import wlc

    rng = np.random.default_rng(1)
    factors = [rng.random((n, n), dtype="float32") for _ in range(5)]
    w = [0.3, 0.25, 0.2, 0.15, 0.1]

    def one_pass() -> np.ndarray:
        out = np.zeros((n, n), dtype="float32")
        for f in factors:
            np.add(out, f, out=out)
        return out

    out: dict[str, float] = {}
    out["numpy_one_pass_s"] = _median_time(one_pass, repeat)
    out["wlc_s"] = _median_time(lambda: wlc(factors, w), repeat)
    out["ratio_wlc_over_floor"] = out["wlc_s"] / out["numpy_one_pass_s"]
    return out


# -- 4. block-wise pipeline, one size per subprocess -----------------------------------------------
def pipeline(n: int, draws: int) -> dict[str, float]:
    """Run the whole model on an n × n grid of 100 m cells, criteria generated per block."""
    from geo.models import mcda
    from geo.models.fuzzy import Membership

    cell = 100.0
    cap = 3000.0

    def dem(r0: int, r1: int) -> np.ndarray:
        y, x = np.mgrid[r0:r1, 0:n].astype("float32") * cell
        return (
            500
            + 0.002 * y
            + 150 * np.sin(x / 9000.0) * np.cos(y / 7000.0)
            + 20 * np.sin(x / 900.0 + y / 700.0)
        ).astype("float32")

    def rivers(r0: int, r1: int) -> np.ndarray:
        rows = np.arange(r0, r1)[:, None]
        cols = np.arange(n)[None, :]
        return ((rows + cols // 3) % 347 == 0) | ((cols + rows // 5) % 419 == 0)

    def field(freq: float, phase: float):
        def read(r0: int, r1: int) -> np.ndarray:
            y, x = np.mgrid[r0:r1, 0:n].astype("float32")
            return (0.5 + 0.5 * np.sin(x * freq + phase) * np.cos(y * freq * 0.7)).astype("float32")

        return read

    slope = slope_source(dem, cell, n)
    water = distance_source(rivers, cell, cap, n)
    sources = [slope, water, dem, field(0.013, 0.3), field(0.007, 1.1)]
    ms = [
        Membership("linear", {"a": 8.0, "b": 2.0}),
        Membership("small", {"midpoint": 1000.0, "spread": 3.0}),
        Membership("sigmoidal", {"c": 550.0, "d": 800.0, "shape": "decreasing"}),
        Membership("linear", {"a": 0.0, "b": 1.0}),
        Membership("gaussian", {"midpoint": 0.6, "spread": 5.0}),
    ]

    def allowed(r0: int, r1: int) -> np.ndarray:
        return (slope(r0, r1) <= 15.0) & ~rivers(r0, r1)

    t = time.perf_counter()
    ev = evaluate_blocks(
        sources,
        ms,
        [0.3, 0.2, 0.1, 0.25, 0.15],
        (n, n),
        allowed=allowed,
        monte_carlo=mcda.MonteCarlo(draws=draws, weight_spread=0.2, seed=1) if draws else None,
    )
    elapsed = time.perf_counter() - t
    peak_kb = _peak_rss_kb()
    return {
        "n": n,
        "time_s": elapsed,
        "peak_rss_mb": peak_kb / 1024,
        "s1_share": float((ev.classes == 1).mean()),
        "mean_stability": float(np.nanmean(ev.stability)) if ev.stability is not None else math.nan,
    }


def _peak_rss_kb() -> float:
    """Peak resident set of this process image (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _run_child(n: int, draws: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(n), "--draws", str(draws)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grids (1000²) for a smoke run")
    ap.add_argument("--sizes", default="1000,4000,10000")
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--only", default="1,2,3,4", help="sections to run, e.g. 2,3")
    ap.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(pipeline(a.child, a.draws)))
        return
    n = 1000 if a.quick else 4000
    repeat = 3
    only = {int(v) for v in a.only.split(",")}
    if 1 in only:
        print(f"== 1. slope, {n}² float32 DEM, {CELL:g} m cells (median of {repeat})")
        s = bench_slope(n, repeat)
        for k, v in s.items():
            print(f"  {k:32s} {v:.6g}")
        if "gdaldem_s" in s:
            print(
                f"  ratio ours/gdaldem: compute {s['ours_compute_s'] / s['gdaldem_s']:.2f}, with I/O {s['ours_with_io_s'] / s['gdaldem_s']:.2f}"
                f"  (agreement {'OK' if s['max_abs_diff_interior_deg'] < 1e-3 else 'FAILED'} < 0.001°)"
            )
    if 2 in only:
        print(f"== 2. zonal class areas, {n}², 2000 zones (median of {repeat})")
        z = bench_zonal(n, 2000, repeat)
        for k, v in z.items():
            print(f"  {k:32s} {v:.6g}")
        print(
            f"  ratio ours/exactextract {z['ours_class_areas_s'] / z['exactextract_s']:.2f} (ours calls exactextract; rasterstats not installed)"
        )
    if 3 in only:
        print(f"== 3. weighted overlay, five {n}² float32 factors (median of {repeat})")
        o = bench_overlay(n, repeat)
        for k, v in o.items():
            print(f"  {k:32s} {v:.6g}")
        print(f"  target ≤ 5×: {'OK' if o['ratio_wlc_over_floor'] <= 5 else 'MISSED'}")
    if 4 in only:
        sizes = [1000] if a.quick else [int(v) for v in a.sizes.split(",")]
        print(
            f"== 4. block-wise pipeline (5 criteria, 2 constraints, classes, {a.draws} Monte Carlo draws), subprocess each"
        )
        print(f"  {'cells':>12s} {'time s':>9s} {'peak RSS MB':>12s} {'ns/cell':>9s}")
        for size in sizes:
            r = _run_child(size, a.draws)
            print(
                f"  {size:>6d}²      {r['time_s']:9.2f} {r['peak_rss_mb']:12.0f} {1e9 * r['time_s'] / size**2:9.1f}"
            )
        print("  target: 10000² under 2048 MB peak RSS")


if __name__ == "__main__":
    main()
