"""Time the wear models on the synthetic inventory, enlarged to a city-sized one.

The synthetic ``utility_networks`` (about 3 700 segments) is copied ``--copies``
times with new ids (about 37 000 segments by default). Timed, in one run:

* ``wear``: :func:`geo.models.wear.segment_wear` (checks + per-segment wear);
* ``split + rollup``: :func:`measure_lengths`, :func:`split_by_zones` with the
  27 micro-districts and :func:`rollup` by zone and network;
* peer: a bare ``geopandas.overlay`` of the same lines with the same polygons
  in UTM 42N (the floor any zone split pays).

Prints medians over ``--runs`` and the ratio to the peer. Machines are shared
and noisy: compare medians and ratios, not single runs.

Usage::

    python bench/bench_wear.py [--runs 5] [--copies 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import pandas as pd

from geo.catalog import Catalog, default_layers_dir
from geo.crs import utm_crs_for
from geo.models import wear as W


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    cat = Catalog()
    base = cat.read("utility_networks")
    mds = cat.read("micro_districts")
    parts = []
    for k in range(args.copies):
        c = base.copy()
        c["segment_id"] = c["segment_id"] + f"-{k}"
        parts.append(c)
    seg = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    lives = W.check_life_table(pd.read_csv(default_layers_dir() / "tables/normative_life.csv"))
    grades = W.check_grade_table(pd.read_csv(default_layers_dir() / "tables/inspection_grades.csv"))
    import logging

    logging.disable(logging.WARNING)
    t_wear, t_split, t_peer = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        out, _warnings = W.segment_wear(seg, lives, reference_year=2023, grades=grades)
        t1 = time.perf_counter()
        out["length_m"] = W.measure_lengths(out, crs_for=utm_crs_for)
        pieces = W.split_by_zones(out, mds, crs_for=utm_crs_for)
        W.rollup(pieces, ["zone_id", "network"])
        t2 = time.perf_counter()
        gpd.overlay(
            seg.to_crs(32642), mds[["zone_id", "geometry"]].to_crs(32642), keep_geom_type=True
        )
        t3 = time.perf_counter()
        t_wear.append(t1 - t0)
        t_split.append(t2 - t1)
        t_peer.append(t3 - t2)
    mw, ms, mp = (statistics.median(x) for x in (t_wear, t_split, t_peer))
    print(f"{len(seg)} segments, {len(mds)} micro-districts, {args.runs} runs")
    print(f"segment_wear:           median {mw:.3f} s  ({mw / mp:.2f}x peer)")
    print(f"lengths + split + rollup: median {ms:.3f} s  ({ms / mp:.2f}x peer)")
    print(f"peer, bare gpd.overlay in UTM: median {mp:.3f} s")


if __name__ == "__main__":
    main()
