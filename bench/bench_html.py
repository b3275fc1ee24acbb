"""Time and size of an offline theme page against a plain folium page of the same layers.

Ours: ``geo.writers.html.render_theme_map`` on the real base map (hillshade,
rivers, boundaries, towns) plus a small theme, i.e. simplification, rounding,
raster reprojection and PNG encoding, inlined Leaflet included.
Peer, measured in the same run: folium 0.20 rendering the same vector layers
as ``GeoJson`` with tooltips and the same rasters as ``ImageOverlay``
(``mercator_project=True``), CDN links left as they are (so it would not open
offline). Medians of several runs and their ratio; machines are noisy.

Usage::

    python bench/bench_html.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def folium_page(theme, base) -> str:
    import folium

    from geo.crs import WGS84, to_crs

    m = folium.Map(location=(43.6, 70.5), zoom_start=8, tiles=None)
    for res in (base, theme):
        for r in res.rasters:
            arr = np.where(r.raster.valid_mask(), r.raster.array, np.nan).astype("float64")
            lo, hi = np.nanmin(arr), np.nanmax(arr)
            img = np.nan_to_num((arr - lo) / ((hi - lo) or 1.0))
            from rasterio.warp import transform_bounds

            w, s, e, n = transform_bounds(r.raster.crs, WGS84, *r.raster.bounds)
            folium.raster_layers.ImageOverlay(
                img, bounds=[[s, w], [n, e]], mercator_project=True, opacity=0.6
            ).add_to(m)
        for v in res.vectors:
            gdf = to_crs(v.data, WGS84)
            keep = [f.name for f in v.fields]
            gdf = gdf[[*keep, "geometry"]] if keep else gdf[["geometry"]]
            for c in keep:
                gdf[c] = gdf[c].astype(str)
            tooltip = folium.GeoJsonTooltip(fields=keep) if keep else None
            folium.GeoJson(gdf, name=v.name, tooltip=tooltip).add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from conftest_browser import make_theme, real_base

    from geo.writers.html import render_theme_map

    base, theme = real_base(), make_theme()
    ours, peer = [], []
    size_ours = size_peer = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        page = render_theme_map(theme, base, lang="kk")
        ours.append(time.perf_counter() - t0)
        size_ours = len(page.encode("utf-8"))
        t0 = time.perf_counter()
        fpage = folium_page(theme, base)
        peer.append(time.perf_counter() - t0)
        size_peer = len(fpage.encode("utf-8"))
    mo, mp = statistics.median(ours), statistics.median(peer)
    print(f"render_theme_map (offline, simplified): median {mo:.3f} s, {size_ours / 1e6:.2f} MB")
    print(f"folium peer (CDN links, raw geometry):  median {mp:.3f} s, {size_peer / 1e6:.2f} MB")
    print(f"time ratio ours/peer {mo / mp:.2f}; size ratio ours/peer {size_ours / size_peer:.2f}")


if __name__ == "__main__":
    main()
