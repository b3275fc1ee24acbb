"""Land suitability over the whole Shu-Talas basin: a build at 30 m finishes on this machine.

The basin (``layers/data/basin.geojson``, about 161,000 km²) is the study area (``--area``).
Two of the recipe's layers do not cover it, so this benchmark makes them, SYNTHETIC and for
the benchmark alone:

* ``dem``: the embedded DEM stops at 44.7° N and the basin reaches 46° N; a smooth synthetic
  terrain (plains rising to ridges, 200-1,800 m) on a 0.0025° lattice over the basin's box;
* ``soils``: the synthetic soils are generated around the study's towns only; the basin's box
  is cut into squares of 0.5° that take the recipe's soil types in turn.

The other layers are the embedded ones (rivers, towns, enterprises, the pollution theme's index
computed over the basin at its recipe's 150 m). ``geo map maps/land_suitability.toml`` runs in
a subprocess at each ``--cells`` size (m) with every writer, on the default scheduler; the
parent measures the wall time and the peak resident memory of the whole process tree (polled
every 20 ms), and the grid's cells from the manifest. The ``memory`` peer (the whole grid at
once) cannot hold this grid, so the peer in the same run is the same build at a coarser cell.

Measured (2 shared cores, 3 December 2026, chunks of 512; the 30 m grid is the basin's box)::

    cell m         cells   wall s  peak GB chunked s  score %
      1000       334,356     47.7     0.91      34.5     99.7
        30   369,853,617   1883.9     0.79    1729.9     99.8

Usage::

    python bench/bench_basin.py [--cells 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine
from shapely.geometry import box

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench_chunks import chunked_seconds, run_measured  # noqa: E402 - the same measures

BASIN = REPO / "layers" / "data" / "basin.geojson"
STEP_DEG = 0.0025
"""Spacing of the synthetic DEM (degrees, about 250 m)."""
SOIL_SQUARE_DEG = 0.5
SOIL_TYPES = ("dark chestnut", "light chestnut", "sierozem (grey)", "grey-brown desert")


def synthetic_dem(path: Path, bounds: tuple[float, float, float, float]) -> None:
    """A smooth synthetic terrain over *bounds* (degrees), float32, EPSG:4326."""
    w, s, e, n = bounds
    cols, rows = round((e - w) / STEP_DEG), round((n - s) / STEP_DEG)
    lon = w + (np.arange(cols) + 0.5) * STEP_DEG
    lat = n - (np.arange(rows) + 0.5) * STEP_DEG
    x, y = np.meshgrid(lon, lat)
    ridge = np.exp(-(((y - 43.4) - 0.35 * (x - 70.0)) ** 2) / 0.08)  # a Karatau-like ridge
    rolling = 0.5 + 0.25 * np.sin(x * 3.1) * np.cos(y * 2.3) + 0.25 * np.sin(x * 11.0 + y * 7.0)
    z = (200.0 + 400.0 * rolling + 1200.0 * ridge).astype("float32")
    profile = {
        "driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(STEP_DEG, 0, w, 0, -STEP_DEG, n),
        "tiled": True, "compress": "DEFLATE", "nodata": float("nan"),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z, 1)
        dst.update_tags(synthetic="true", source="bench/bench_basin.py: synthetic terrain")


def synthetic_soils(path: Path, bounds: tuple[float, float, float, float]) -> None:
    """*bounds* (degrees) cut into squares of :data:`SOIL_SQUARE_DEG` taking the soil types in turn."""
    w, s, e, n = bounds
    squares = [
        box(x, y, x + SOIL_SQUARE_DEG, y + SOIL_SQUARE_DEG)
        for y in np.arange(s, n, SOIL_SQUARE_DEG)
        for x in np.arange(w, e, SOIL_SQUARE_DEG)
    ]
    cells = gpd.GeoDataFrame(geometry=squares, crs="EPSG:4326")
    cells["unit_id"] = [f"bench-{i}" for i in range(len(cells))]
    cells["soil_type"] = [SOIL_TYPES[i % len(SOIL_TYPES)] for i in range(len(cells))]
    cells["humus_pct"] = [1.0 + 0.5 * (i % 4) for i in range(len(cells))]
    cells["synthetic"] = True
    cells.to_file(path, driver="GPKG")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", default="1000,30", help="cell sizes (m), coarse peer first")
    ap.add_argument("--keep", type=Path, help="keep the last atlas in this folder")
    args = ap.parse_args()
    basin = gpd.read_file(BASIN)
    w, s, e, n = (float(v) for v in basin.total_bounds)
    print(f"land suitability over the Shu-Talas basin ({float(basin['area_km2'].iloc[0]):,.0f} km²), "
          "every writer, default scheduler; synthetic dem and soils")  # fmt: skip
    print(
        f"{'cell m':>7} {'cells':>13} {'wall s':>8} {'peak GB':>8} {'chunked s':>9} {'score %':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dem, soils = folder / "dem.tif", folder / "soils.gpkg"
        synthetic_dem(dem, (w - 0.3, s - 0.3, e + 0.3, n + 0.3))
        synthetic_soils(soils, (w - 0.3, s - 0.3, e + 0.3, n + 0.3))
        text = (REPO / "maps" / "land_suitability.toml").read_text(encoding="utf-8")
        for size in (float(c) for c in args.cells.split(",") if c):
            recipe = folder / f"land_suitability_{size:g}.toml"
            recipe.write_text(
                re.sub(r"cell_size_m = \d+", f"cell_size_m = {size:g}", text), "utf-8"
            )
            out = args.keep or folder / "atlas"
            cmd = [
                sys.executable, "-c", "from geo.cli import main; main()", "map", str(recipe),
                "--out", str(out), "--overwrite", "--area", str(BASIN),
                "--layer", f"dem={dem}", "--layer", f"soils={soils}", "-v",
            ]  # fmt: skip
            seconds, peak, done = run_measured(cmd)
            if done.returncode != 0:
                lines = done.stderr.strip().splitlines()
                raise SystemExit(f"geo map failed: {lines[-1] if lines else done.returncode}")
            chunked = chunked_seconds(done.stderr)
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            parameters = manifest["themes"]["land_suitability"]["parameters"]
            rows, cols = parameters["grid"]["shape"]
            share = float(parameters["coverage"]["score_cells_with_data_pct"])
            print(f"{size:>7g} {rows * cols:>13,} {seconds:>8.1f} {peak / 1e9:>8.2f} "
                  f"{chunked:>9.1f} {share:>8.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
