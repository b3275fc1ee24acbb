"""The map pages on a phone, a tablet and a desktop, in every language, and on paper (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_browser import rendered_demo, start_browser

pytestmark = pytest.mark.browser

SIZES = [(390, 844), (768, 1024), (1366, 768)]
LANGS = ["kk", "ru", "en"]

CONTROLS = (
    ".leaflet-control-zoom, .leaflet-bar:has(> .leaflet-control-zoom-fullscreen), .leaflet-control-search, "
    ".leaflet-control-measure, .leaflet-control-locate, .leaflet-control-minimap"
)
"""Leaflet's and folium's plugins' controls (search, measure, locate, the overview map)."""

BOXES = (
    """(() => {
  const CONTROLS = '"""
    + CONTROLS
    + """';
  const r = (e) => { const b = e.getBoundingClientRect();
    return {l: b.left, t: b.top, r: b.right, b: b.bottom, w: b.width, h: b.height}; };
  const all = (sel) => Array.from(document.querySelectorAll(sel))
    .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed').map(r);
  return {controls: all(CONTROLS),
          title: all('.atlas-title'), panels: all('.leaflet-control.atlas-panel, .leaflet-control.atlas-drawer'),
          vw: innerWidth, vh: innerHeight};
})()"""
)

OPEN_ALL = "document.querySelectorAll('details').forEach((d) => { d.open = true; }); true"

TOOLTIP = """(() => {
  const A = window.__atlas; let f = null;
  Object.values(A.layers).forEach((l) => { if (!f && l.eachLayer && A.map.hasLayer(l)) {
    l.eachLayer((s) => { if (!f && s.getTooltip && s.getTooltip()) { f = s; } }); } });
  f.openTooltip(f.getLatLng ? f.getLatLng() : f.getBounds().getCenter());
  const t = document.querySelector('.leaflet-tooltip').getBoundingClientRect();
  f.closeTooltip();
  f.openPopup(f.getLatLng ? f.getLatLng() : f.getBounds().getCenter());
  return new Promise((ok) => setTimeout(() => {
    const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
    ok({tw: t.width, th: t.height, pl: p.left, pr: p.right, pw: p.width, vw: innerWidth});
  }, 600));
})()"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["l"] < b["r"] - 1 and b["l"] < a["r"] - 1 and a["t"] < b["b"] - 1 and b["t"] < a["b"] - 1
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start_browser(tmp_path_factory, "the page layout")
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    out = {}
    for lang in LANGS:
        out[lang] = folder / f"demo_{lang}.html"
        out[lang].write_text(rendered_demo(False, lang), encoding="utf-8")
    return out


def _check_boxes(boxes: dict, where: str) -> None:
    panels, fixed = boxes["panels"], boxes["controls"] + boxes["title"]
    assert panels, where
    for p in panels:
        assert p["l"] >= 0 and p["r"] <= boxes["vw"] + 1, (where, p)
        for c in fixed:
            assert not _overlap(p, c), (where, "a panel covers a control or the title", p, c)
    for i, a in enumerate(panels):
        for b in panels[i + 1 :]:
            assert not _overlap(a, b), (where, "two panels overlap", a, b)
    for i, c in enumerate(boxes["controls"]):
        assert c["l"] >= 0 and c["r"] <= boxes["vw"] + 1 and c["b"] <= boxes["vh"] + 1, (where, c)
        for t in boxes["title"]:
            assert not _overlap(c, t), (where, "the title covers a control", c, t)
        for d in boxes["controls"][i + 1 :]:
            assert not _overlap(c, d), (where, "two controls overlap", c, d)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_nothing_covers_the_controls_or_another_panel(browser, pages, lang, width, height) -> None:
    page = browser.open(pages[lang].resolve().as_uri(), width=width, height=height)
    where = f"{lang} {width}×{height}"
    boxes = page.eval(BOXES)
    _check_boxes(boxes, where)
    title = boxes["title"][0]
    assert title["w"] > 0.5 * min(width - 80, 700), (where, "title squeezed", title)
    page.eval(OPEN_ALL)
    page.b.pump(0.2)
    _check_boxes(page.eval(BOXES), where + " (panels opened)")
    drawer = page.eval("document.querySelectorAll('.atlas-drawer').length")
    assert drawer == (1 if width < 900 else 0), where
    # search, measure and locate everywhere; the overview map where there is room for it
    assert len(boxes["controls"]) == (5 if width < 900 else 6), (where, boxes["controls"])
    assert page.eval("document.querySelectorAll('.leaflet-control-minimap').length") == (
        width >= 900
    )
    assert page.errors() == []
    page.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_tooltips_are_one_liners_and_popups_fit_the_screen(browser, pages, width, height) -> None:
    page = browser.open(pages["ru"].resolve().as_uri(), width=width, height=height)
    r = page.eval(TOOLTIP)
    assert r["tw"] > 80 and r["th"] < 80, r  # not a strip of single letters
    assert r["pl"] >= 0 and r["pr"] <= r["vw"], r  # the popup panned into view
    assert page.errors() == []
    page.close()


def test_print_shows_the_map_title_and_legend_without_controls(browser, pages) -> None:
    page = browser.open(pages["kk"].resolve().as_uri(), width=1366, height=768)
    page.b.send("Emulation.setEmulatedMedia", {"media": "print"}, session=page.session)
    page.b.pump(0.2)
    shown = page.eval(
        "(() => { const v = (s) => Array.from(document.querySelectorAll(s))"
        ".some((e) => getComputedStyle(e).display !== 'none');"
        " return {zoom: v('.leaflet-control-zoom'), layers: v('.atlas-layers'), print: v('.atlas-print'),"
        " legend: v('.atlas-legend'), title: v('.atlas-title'), scale: v('.leaflet-control-scale'),"
        " info: v('.atlas-info'), search: v('.leaflet-control-search'), measure: v('.leaflet-control-measure'),"
        " locate: v('.leaflet-control-locate'), minimap: v('.leaflet-control-minimap'),"
        " opacity: v('.atlas-opacity'), fullscreen: v('.leaflet-bar:has(> .leaflet-control-zoom-fullscreen)')};"
        " })()"
    )
    assert shown == {
        "zoom": False, "layers": False, "print": False, "search": False, "measure": False,
        "locate": False, "minimap": False, "opacity": False, "fullscreen": False,
        "legend": True, "title": True, "scale": True, "info": True,
    }  # fmt: skip
    label = page.eval("document.querySelector('.atlas-print').textContent")
    assert label == "Басып шығару"
    page.close()
