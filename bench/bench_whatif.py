"""The What-if panel in Chromium: time from a slider change to the redrawn map, and the page size it adds.

For the default atlas's land-suitability recipe (100 m cells) and the same recipe
on a 4× finer grid (25 m cells, 16× the cells), the page is rendered with and
without its :class:`~geo.results.WhatIf` (the difference is the panel's size),
opened in headless Chromium, and a criterion slider is moved through the page's
own control ``--runs`` times. Each run is timed from the ``input`` event to the
second animation frame after it (the redrawn canvas on screen); the panel's own
compute-and-draw time is reported beside it. Goals: under 100 ms (default) and
500 ms (finer grid), under 1.5 MB added to the default page. Medians and maxima;
machines are noisy.

Usage::

    python bench/bench_whatif.py [--runs 15] [--cells 100,25]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

MOVE = """(async (pct) => {
  const s = document.querySelector('input[data-criterion="soil"]');
  return await new Promise((done) => {
    const t0 = performance.now();
    s.value = String(pct);
    s.dispatchEvent(new Event('input', {bubbles: true}));
    requestAnimationFrame(() => requestAnimationFrame(() =>
      done([performance.now() - t0, window.__atlasWhatIf.ms])));
  });
})(%s)"""


def _result(cell: int):
    from recipes import edited_recipe

    from geo.build import BuildContext, run_recipe
    from geo.catalog import Catalog
    from geo.recipe import load_recipe
    from geo.themes.base import ThemeInputs
    from geo.themes.base_layers import base_result

    cat = Catalog()
    ctx = BuildContext(cat)
    pol = run_recipe(ctx, load_recipe(ROOT / "maps" / "pollution.toml"))
    src = ROOT / "maps" / "land_suitability.toml"
    with tempfile.TemporaryDirectory() as tmp:
        recipe = edited_recipe(
            src,
            Path(tmp) / "land_suitability.toml",
            [("cell_size_m = 100", f"cell_size_m = {cell}")] if cell != 100 else [],
        )
        t0 = time.perf_counter()
        res = run_recipe(BuildContext(cat, results={"pollution": pol}), load_recipe(recipe))
        built = time.perf_counter() - t0
    return res, base_result(ThemeInputs(cat)), built


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cells", default="100,25", help="cell sizes in metres, comma-separated")
    args = ap.parse_args()
    from conftest_browser import Browser, find_chromium

    from geo.writers.html import render_theme_map

    exe = find_chromium()
    if exe is None:
        sys.exit("Chromium is not installed (apt install chromium)")
    browser = Browser(exe, Path(tempfile.mkdtemp(prefix="bench-whatif-")))
    try:
        for cell in (int(c) for c in args.cells.split(",")):
            res, base, built = _result(cell)
            assert res.whatif is not None
            rows, cols = res.whatif.classes.shape
            page = render_theme_map(res, base, lang="en")
            plain = render_theme_map(dataclasses.replace(res, whatif=None), base, lang="en")
            added = len(page.encode("utf-8")) - len(plain.encode("utf-8"))
            path = Path(tempfile.mkdtemp(prefix="bench-whatif-")) / "land_suitability.html"
            path.write_text(page, encoding="utf-8")
            tab = browser.open(path.as_uri(), width=1400, height=900)
            while not tab.eval("!!(window.__atlasWhatIf && window.__atlasWhatIf.ready)"):
                time.sleep(0.02)
            ready = tab.eval("window.__atlasWhatIf.readyAt") / 1000  # since navigation
            tab.eval("document.querySelector('details.whatif-panel summary').click()")
            tab.b.pump(0.5)  # the opened panel and its overlay drawn once
            frames, own = [], []
            for i in range(args.runs):
                f, o = tab.eval(MOVE % (10 + (i % 2) * 30))
                frames.append(f)
                own.append(o)
            errors = tab.errors()
            print("  moves (ms):", " ".join(f"{f:.0f}" for f in frames))
            tab.close()
            print(
                f"{cell} m cells ({rows}×{cols} = {rows * cols:,} cells, "
                f"{len(res.whatif.criteria)} criteria): build {built:.1f} s; "
                f"page {len(page.encode('utf-8')) / 1e6:.2f} MB, What-if adds {added / 1e6:.2f} MB; "
                f"panel ready {ready:.2f} s after the page began loading"
            )
            print(
                f"  slider → redrawn map: median {statistics.median(frames):.1f} ms, "
                f"max {max(frames):.1f} ms (compute and draw: median "
                f"{statistics.median(own):.1f} ms) over {args.runs} moves"
                + (f"; page errors: {errors}" if errors else "")
            )
    finally:
        browser.close()


if __name__ == "__main__":
    main()
