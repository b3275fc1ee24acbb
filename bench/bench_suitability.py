"""Benchmark of the land-suitability models (issue 3), each against a peer measured in the same run.

Run:  python bench/bench_suitability.py [--quick] [--only 1,2,3]

1. Slope (Horn) on a synthetic 4000 × 4000 float32 DEM: ``geo.models.terrain.slope_degrees`` on
   the whole array, and the same kernel in dask chunks of 1024 cells with a one-cell halo
   (``geo.chunks.map_cells(..., halo=1)`` on ``dask.array.from_array``, dask's threaded
   scheduler), vs ``gdaldem slope -compute_edges`` (GDAL's command-line tool; its time includes
   reading and writing the GeoTIFF, so ``slope_degrees`` is also timed with rasterio read + write).
   Agreement on interior cells must be within 0.001° for both of ours.
2. Zonal class areas with exact coverage on the 4000² grid and 2000 Voronoi zones:
   ``geo.models.zonal.class_areas`` vs a bare ``exactextract`` call. Our function *uses*
   exactextract, so the ratio measures only our overhead; rasterstats is not installed in
   this environment, so the non-exact peer is a centre-of-cell count (rasterise + bincount),
   whose area error is also printed.
3. Weighted overlay (WLC of five float32 factors) vs one numpy pass over its inputs
   (``out += f`` for each factor): the memory-bandwidth floor. Target: within 5×.
4. The whole pipeline now lives in ``bench/bench_chunks.py`` (the whole land-suitability and
   pollution themes in chunks, wall time and peak memory of the process tree).

Medians of 3 repeated runs are printed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

CELL = 30.0
X0, Y0 = 500_000.0, 4_850_000.0


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
SLOPE_CHUNK = 1024


def bench_slope(n: int, repeat: int) -> dict[str, float]:
    import dask.array as da

    from geo.chunks import map_cells
    from geo.models.terrain import slope_degrees

    gdaldem = shutil.which("gdaldem")
    dem = synthetic_dem(n)

    def chunked() -> np.ndarray:
        lazy = map_cells(
            lambda a: slope_degrees(a, CELL), da.from_array(dem, chunks=SLOPE_CHUNK), halo=1
        )
        return np.asarray(lazy.compute(scheduler="threads"))

    out: dict[str, float] = {}
    out["slope_degrees_s"] = _median_time(lambda: slope_degrees(dem, CELL), repeat)
    out["map_cells_threads_s"] = _median_time(chunked, repeat)
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
            s = slope_degrees(z, CELL)
            with rasterio.open(ours_tif, "w", **profile) as ds:
                ds.write(s, 1)

        out["gdaldem_s"] = _median_time(run_gdal, repeat)
        out["slope_degrees_with_io_s"] = _median_time(run_ours_io, repeat)
        with rasterio.open(dst) as ds:
            ref = ds.read(1).astype("float64")[1:-1, 1:-1]
    whole = slope_degrees(dem, CELL).astype("float64")[1:-1, 1:-1]
    chunks = chunked().astype("float64")[1:-1, 1:-1]
    out["max_abs_diff_interior_deg"] = float(np.abs(whole - ref).max())
    out["max_abs_diff_interior_chunks_deg"] = float(np.abs(chunks - ref).max())
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grids (1000²) for a smoke run")
    ap.add_argument("--only", default="1,2,3", help="sections to run, e.g. 2,3")
    a = ap.parse_args()
    n = 1000 if a.quick else 4000
    repeat = 3
    only = {int(v) for v in a.only.split(",")}
    if 1 in only:
        print(
            f"== 1. slope, {n}² float32 DEM, {CELL:g} m cells; chunks of {SLOPE_CHUNK} on dask "
            f"threads (median of {repeat})"
        )
        s = bench_slope(n, repeat)
        for k, v in s.items():
            print(f"  {k:32s} {v:.6g}")
        if "gdaldem_s" in s:
            ok = max(s["max_abs_diff_interior_deg"], s["max_abs_diff_interior_chunks_deg"]) < 1e-3
            print(
                f"  ratio ours/gdaldem: slope_degrees {s['slope_degrees_s'] / s['gdaldem_s']:.2f}, "
                f"map_cells {s['map_cells_threads_s'] / s['gdaldem_s']:.2f}, "
                f"slope_degrees with I/O {s['slope_degrees_with_io_s'] / s['gdaldem_s']:.2f}"
                f"  (agreement, whole and chunks: {'OK' if ok else 'FAILED'} < 0.001°)"
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


if __name__ == "__main__":
    main()
