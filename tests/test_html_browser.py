"""HTML maps in a real headless Chromium: they draw, stay offline, run no injected code, speak Kazakh.

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe``
(``tests/conftest_browser.py``; no Python package needed). Without Chromium the
tests skip, except on CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest_browser import (
    XSS_IMG,
    XSS_SCRIPT,
    make_theme,
    real_base,
    rendered_demo,
    start_browser,
)
from PIL import Image

from geo.results import ThemeResult
from geo.writers.html import write_index, write_theme_map

pytestmark = pytest.mark.browser

KAZAKH = set("әғқңөұүһі")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start_browser(tmp_path_factory, "the HTML maps")
    yield b
    b.close()


@pytest.fixture(scope="module")
def base():
    return real_base()


@pytest.fixture(scope="module")
def site(tmp_path_factory, base):
    """An atlas folder: the demo theme in three languages, the XSS theme, a base-only theme, an index."""
    out = tmp_path_factory.mktemp("atlas")
    for lang in ("en", "kk", "ru"):
        (out / f"demo_{lang}.html").write_text(rendered_demo(False, lang), encoding="utf-8")
    (out / "xss.html").write_text(rendered_demo(True, "en"), encoding="utf-8")
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    write_theme_map(empty, base, out / "base_only.html", lang="ru")
    write_index(
        [make_theme(xss=True)], out / "index.html", lang="kk", links={"demo": "demo_kk.html"}
    )
    return out


def _open(browser, path: Path):
    return browser.open(path.resolve().as_uri())


DRAW_STATE = """(() => ({
  leaflet: typeof window.L === 'object' && window.L.version,
  paths: document.querySelectorAll('path.leaflet-interactive').length,
  images: Array.from(document.querySelectorAll('img.leaflet-image-layer')).map(i => i.complete && i.naturalWidth > 0),
  layerRows: document.querySelectorAll('.atlas-layers input[type=checkbox]').length,
  legendRows: document.querySelectorAll('.atlas-legend .atlas-legend-row').length,
  rampBars: document.querySelectorAll('.atlas-legend .atlas-ramp-bar').length,
  notes: Array.from(document.querySelectorAll('.atlas-notes li')).map(li => li.textContent),
  title: document.title,
  h1: document.querySelector('#atlas-title h1').textContent,
  scale: document.querySelector('.leaflet-control-scale-line').textContent,
  online: Object.values(window.__atlas.layers).some(l => l instanceof L.TileLayer && window.__atlas.map.hasLayer(l)),
}))()"""


@pytest.mark.parametrize("name", ["demo_en.html", "demo_kk.html", "demo_ru.html", "base_only.html"])
def test_every_map_draws_offline_without_errors(browser, site, name):
    page = _open(browser, site / name)
    state = page.eval(DRAW_STATE)
    assert state["leaflet"] == "1.9.3"
    assert state["paths"] > 0  # vector features drawn as SVG paths
    assert state["images"] and all(state["images"])  # hillshade (and theme raster) decoded
    assert state["layerRows"] >= 10
    assert not state["online"]  # the online tiles are an extra, off by default
    assert page.errors() == []
    assert page.remote_requests() == []
    page.close()


def test_demo_map_shows_theme_legend_notes_and_scale(browser, site, tmp_path):
    page = _open(browser, site / "demo_en.html")
    state = page.eval(DRAW_STATE)
    # Suitability 3 + Zones 3 + no data + Networks 2 + Sources 1 = 10 rows; Index is hidden
    assert state["legendRows"] == 10
    assert state["notes"] == ["Test data only."]
    assert state["scale"].endswith(("km", "m"))
    # turning the ramp layer on shows its colour bar
    page.eval(
        "document.querySelectorAll('.atlas-layers input').forEach(cb => {"
        " if (!cb.checked && cb.parentNode.textContent.includes('Index')) cb.click(); })"
    )
    assert page.eval(DRAW_STATE)["rampBars"] == 1
    shot = page.screenshot(tmp_path / "demo.png")
    img = np.asarray(Image.open(io.BytesIO(shot.read_bytes())).convert("RGB"))
    assert img.shape == (820, 1280, 3)
    # not a blank page: the class raster's green/yellow/red and a white legend panel are there
    colours = {tuple(int(c) for c in px) for px in img.reshape(-1, 3)[::97]}
    assert len(colours) > 200
    assert page.errors() == []
    page.close()


def test_kazakh_build_shows_kazakh_titles(browser, site):
    page = _open(browser, site / "demo_kk.html")
    state = page.eval(DRAW_STATE)
    assert state["title"] == state["h1"] == "Сынақ тақырыбы"
    texts = page.eval(
        "(() => [document.documentElement.lang,"
        " document.querySelector('.atlas-legend summary').textContent,"
        " document.querySelector('.atlas-layers summary').textContent,"
        " Array.from(document.querySelectorAll('.atlas-group')).map(g => g.textContent),"
        " document.querySelector('.leaflet-control-zoom-in').title])()"
    )
    assert texts[:3] == ["kk", "Шартты белгілер", "Қабаттар"]
    assert texts[3] == ["Сынақ тақырыбы", "Негізгі қабаттар"]
    assert texts[4] == "Үлкейту"
    assert state["scale"].endswith(("км", "м"))
    assert KAZAKH & set("".join(state["notes"]) + state["title"])
    page.close()


OPEN_ALL = """(() => {
  const A = window.__atlas, out = {popups: [], tooltips: []};
  // every layer on, so every feature exists in the DOM
  document.querySelectorAll('.atlas-layers input').forEach(cb => { if (!cb.checked && cb.getAttribute('data-layer') !== 'online') cb.click(); });
  A.map.setZoom(12);
  Object.values(A.layers).forEach(layer => {
    if (!layer.eachLayer) return;
    layer.eachLayer(f => {
      if (f.getTooltip && f.getTooltip()) { f.openTooltip(); out.tooltips.push(f.getTooltip().getElement().textContent); f.closeTooltip(); }
      if (f.getPopup && f.getPopup()) { f.openPopup(); out.popups.push(f.getPopup().getElement().textContent); f.closePopup(); }
    });
  });
  out.labels = Array.from(document.querySelectorAll('.atlas-label span')).map(s => s.textContent);
  out.panel = document.querySelector('.atlas-layers').textContent + document.querySelector('.atlas-legend').textContent
            + document.querySelector('.atlas-info').textContent + document.querySelector('#atlas-title').textContent;
  out.injected = document.querySelectorAll('img[src="x"], #map script, .atlas-popup svg[onload]').length;
  return out;
})()"""


def test_script_payloads_in_data_run_nowhere(browser, site):
    page = _open(browser, site / "xss.html")
    out = page.eval(OPEN_ALL)
    page.b.pump(0.5)  # give any injected handler time to fire
    assert page.eval("typeof window.__xss") == "undefined"
    assert out["injected"] == 0
    # the payloads are shown, as text, in popups, tooltips, labels, legend, layer list, notes and title
    assert len(out["popups"]) > 20 and len(out["tooltips"]) > 20
    joined = " ".join(out["popups"] + out["tooltips"])
    assert XSS_IMG in joined and XSS_SCRIPT in joined
    assert '<svg onload="window.__xss=1">' in joined  # an unsafe chart is shown as text
    assert any(XSS_IMG in lab for lab in out["labels"])
    assert XSS_IMG in out["panel"] and XSS_SCRIPT in out["panel"]
    assert page.errors() == []
    assert page.remote_requests() == []
    page.close()


def test_popup_shows_aliases_units_synthetic_label_source_and_chart(browser, site):
    page = _open(browser, site / "demo_ru.html")
    info = page.eval(
        """(() => {
      const A = window.__atlas; let zone = null;
      Object.values(A.layers).forEach(l => l.eachLayer && l.eachLayer(f => {
        if (f.feature && f.feature.properties.l === 'Zone A') zone = f; }));
      zone.openPopup();
      const el = zone.getPopup().getElement();
      return {text: el.textContent, rects: el.querySelectorAll('.atlas-chart svg rect').length,
              rows: Array.from(el.querySelectorAll('tr')).map(r => [r.cells[0].textContent, r.cells[1].textContent])};
    })()"""
    )
    assert info["rows"] == [
        ["Название", "Zone A"],
        ["Балл", "12.5 %"],
        ["Статус", "существующий"],
    ]  # the code shown in the language
    assert info["rects"] == 3  # the toolkit's bar chart
    assert "СИНТЕТИЧЕСКИЕ" in info["text"] and "generated" in info["text"]
    assert "Источник: Synthetic test zones" in info["text"]
    page.close()


def test_index_opens_offline_and_escapes_titles(browser, site):
    page = _open(browser, site / "index.html")
    out = page.eval(
        "(() => ({links: Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href')),"
        " h2: document.querySelector('h2').textContent, lang: document.documentElement.lang}))()"
    )
    assert out == {"links": ["demo_kk.html"], "h2": "Сынақ тақырыбы" + XSS_IMG, "lang": "kk"}
    assert page.eval("typeof window.__xss") == "undefined"
    assert page.errors() == [] and page.remote_requests() == []
    page.close()
