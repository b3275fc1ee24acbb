"""folium's plugins on the atlas maps, used in Chromium as a planner would: search, measure, locate,
the overview map and the raster opacity sliders (offline, translated, no console errors)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest_browser import XSS_IMG, rendered_demo, start_browser
from pyproj import Geod
from test_atlas_browser import atlas_dir  # noqa: F401 - the atlas built once per language and session

from geo.writers.html import render_theme_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LATIN = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start_browser(tmp_path_factory, "the map controls")
    yield b
    b.close()


def _open(browser, path: Path, width: int = 1366, height: int = 768):
    return browser.open(path.resolve().as_uri(), width=width, height=height)


def _click(page, x: float, y: float) -> None:
    for kind in ("mousePressed", "mouseReleased"):
        page.b.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            session=page.session,
        )


def _centre(page, selector: str) -> tuple[float, float]:
    r = page.eval(
        f"(() => {{ const b = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
        " return [b.left + b.width / 2, b.top + b.height / 2]; })()"
    )
    return r[0], r[1]


def _key(page, key: str, code: int) -> None:
    for kind in ("keyDown", "keyUp"):
        page.b.send(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code},
            session=page.session,
        )


def _data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="atlas-data">(.*?)</script>', text, re.S).group(1))


def _feature(data: dict, name: str) -> tuple[str, int]:
    """The searchable layer and feature index carrying *name*."""
    for layer in data["layers"]:
        for i, names in enumerate(layer.get("search") or []):
            if name in names:
                return layer["id"], i
    raise AssertionError(f"{name!r} is not in the search index")


SEARCH = """((text) => new Promise((ok) => {
  const A = window.__atlas, map = A.map;
  map.setView([45.2, 74.9], 9, {animate: false});  // far from the towns
  A.found = null;
  A.search.searchText(text);
  setTimeout(() => {
    const tips = Array.from(document.querySelectorAll('.leaflet-control-search .search-tip'));
    const first = tips[0].getBoundingClientRect();
    ok({tips: tips.map((t) => t.firstChild.textContent), x: first.left + 8, y: first.top + first.height / 2});
  }, 500);
}))"""

WHERE = """((layer, index) => {
  const A = window.__atlas, c = A.map.getCenter();
  const f = A.data.layers.find((l) => l.id === layer).data.features[index];
  const b = L.geoJSON(f).getBounds().pad(0.05);
  return {inside: b.contains(c), found: A.found, zoom: A.map.getZoom(),
          highlighted: document.querySelectorAll('.leaflet-atlas-labels-pane path').length};
})"""


@pytest.mark.parametrize(
    "names",
    [
        ("Жаңатас", "Жанатас", "Zhanatas"),
        ("Қаратау, 7-шағын аудан", "Каратау, микрорайон 7", "Karatau, micro-district 7"),
    ],
    ids=["town", "micro-district"],
)
def test_search_finds_a_place_by_any_of_its_names_and_pans_there(browser, atlas_dir, names):  # noqa: F811
    path = atlas_dir("kk") / "pollution.html"
    layer, index = _feature(_data(path), names[0])
    page = _open(browser, path)
    for name in names:
        typed = name[:-1]  # an unfinished word: the tips offer the place
        tips = page.eval(f"{SEARCH}({json.dumps(typed)})")
        assert name in tips["tips"], (typed, tips["tips"])
        page.eval(f"{SEARCH}({json.dumps(name)})")
        pick = page.eval(
            "Array.from(document.querySelectorAll('.leaflet-control-search .search-tip'))"
            f".findIndex((t) => t.firstChild.textContent === {json.dumps(name)})"
        )
        box = page.eval(
            "(() => { const b = document.querySelectorAll('.leaflet-control-search .search-tip')"
            f"[{pick}].getBoundingClientRect(); return [b.left + 8, b.top + b.height / 2]; }})()"
        )
        _click(page, *box)
        page.b.pump(1.2)
        where = page.eval(f"{WHERE}({json.dumps(layer)}, {index})")
        assert where["inside"] and where["zoom"] >= 12, (name, where)
        assert where["found"]["text"] == name and where["found"]["layer"] == layer
        assert where["highlighted"] >= 1  # the place is outlined
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


@pytest.mark.parametrize(("lang", "name"), [("ru", "Шу"), ("en", "Shu")])
def test_search_in_russian_and_english(browser, tmp_path, lang, name):
    path = tmp_path / f"{lang}.html"
    path.write_text(rendered_demo(False, lang), encoding="utf-8")
    layer, index = _feature(_data(path), name)
    page = _open(browser, path)
    tips = page.eval(f"{SEARCH}({json.dumps(name)})")
    assert tips["tips"][0] == name
    placeholder = page.eval("document.querySelector('.leaflet-control-search input').placeholder")
    assert placeholder == {"ru": "Найти место", "en": "Find a place"}[lang]
    _click(page, tips["x"], tips["y"])
    page.b.pump(1.2)
    assert page.eval(f"{WHERE}({json.dumps(layer)}, {index})")["inside"]
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_search_shows_names_as_text(browser, tmp_path):
    from conftest_browser import make_theme, real_base

    base = real_base()
    districts = next(v for v in base.vectors if v.name == "micro_districts")
    data = districts.data.copy()
    data.loc[data.index[0], "name_kk"] = "Жаңатас " + XSS_IMG
    hostile = dataclasses.replace(
        base,
        vectors=[dataclasses.replace(v, data=data) if v is districts else v for v in base.vectors],
    )
    path = tmp_path / "hostile.html"
    path.write_text(render_theme_map(make_theme(), hostile, lang="kk"), encoding="utf-8")
    page = _open(browser, path)
    tips = page.eval(f"{SEARCH}('onerror')")
    assert tips["tips"] == ["Жаңатас " + XSS_IMG]  # the tip is the name, as text
    _click(page, tips["x"], tips["y"])
    page.b.pump(1.0)
    assert (
        page.eval("window.__xss === undefined && document.querySelectorAll('img[src=x]').length")
        == 0
    )
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_measure_gives_distance_and_area_in_metres_and_hectares(browser, atlas_dir):  # noqa: F811
    page = _open(browser, atlas_dir("kk") / "land_suitability.html")
    _click(page, *_centre(page, ".leaflet-control-measure-toggle"))
    page.b.pump(0.3)
    panel = page.eval("document.querySelector('.leaflet-control-measure').innerText")
    assert "Қашықтық пен ауданды өлшеу" in panel and "Жаңа өлшеу" in panel
    _click(page, *_centre(page, ".leaflet-control-measure a.start"))
    page.b.pump(0.3)
    points = [(500, 330), (720, 330), (720, 520)]
    for xy in points:
        _click(page, *xy)
        page.b.pump(0.4)
    latlngs = page.eval(
        "JSON.stringify("
        + json.dumps(points)
        + ".map((p) => window.__atlas.map.containerPointToLatLng(p)))"
    )
    results = page.eval("document.querySelector('.leaflet-control-measure .results').innerText")
    assert "Соңғы нүкте" in results and "с. е." in results and "ш. б." in results
    _click(page, *_centre(page, ".leaflet-control-measure a.finish"))
    page.b.pump(0.5)
    popup = page.eval("document.querySelector('.leaflet-measure-resultpopup').innerText")
    assert "Өлшенген аудан" in popup and "(периметрі)" in popup
    shown = LATIN.findall(panel + results + popup)
    assert shown == [], shown  # nothing in English
    ll = json.loads(latlngs)
    area, perimeter = Geod(ellps="WGS84").polygon_area_perimeter(
        [p["lng"] for p in ll], [p["lat"] for p in ll]
    )
    ha = float(re.search(r"([\d\u202f]+\.\d\d) га", popup).group(1).replace("\u202f", ""))
    metres = float(re.search(r"([\d\u202f]+) м \(", popup).group(1).replace("\u202f", ""))
    assert ha == pytest.approx(abs(area) / 10_000, rel=0.01)
    assert metres == pytest.approx(perimeter, rel=0.01)
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_the_overview_map_is_the_pages_own_hillshade(browser, atlas_dir):  # noqa: F811
    page = _open(browser, atlas_dir("kk") / "pollution.html")
    page.b.pump(0.5)
    mini = page.eval(
        """(() => { const A = window.__atlas, layers = [];
          A.minimap._miniMap.eachLayer((l) => layers.push(l instanceof L.ImageOverlay ? 'image'
            : l instanceof L.Rectangle ? 'view' : l instanceof L.Renderer ? 'renderer' : 'other'));
          const hill = A.data.layers.find((l) => l.pane === 'atlas-base-raster');
          const img = document.querySelector('.leaflet-control-minimap img.leaflet-image-layer');
          return {layers: layers, same: A.minimap._layer._url === hill.url, src: img.src.slice(0, 22),
                  width: img.naturalWidth, title: document.querySelector('.leaflet-control-minimap-toggle-display').title}; })()"""
    )
    # the hillshade and the minimap's own rectangles of the main map's view: no tiles
    assert (
        set(mini["layers"]) <= {"image", "view", "renderer"} and mini["layers"].count("image") == 1
    )
    assert mini["same"]
    assert mini["src"] == "data:image/png;base64," and mini["width"] > 100
    assert mini["title"] == "Шолу картасын жасыру"
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


@pytest.mark.parametrize(
    ("lang", "setting", "message"),
    [
        ("kk", "denied", "Орныңыз көрсетілмеді: браузерге оны анықтауға рұқсат берілмеген."),
        ("ru", "denied", "Местоположение не показано: браузеру не разрешено его определять."),
        ("kk", "unavailable", "Бұл құрылғыда немесе байланыссыз орныңызды анықтау мүмкін емес."),
    ],
)
def test_locate_says_why_it_cannot_without_a_dialog(browser, tmp_path, lang, setting, message):
    path = tmp_path / f"{lang}.html"
    path.write_text(rendered_demo(False, lang), encoding="utf-8")
    grant = "denied" if setting == "denied" else "granted"
    browser.send("Browser.setPermission", {"permission": {"name": "geolocation"}, "setting": grant})
    try:
        page = _open(browser, path)
        if setting == "unavailable":  # no position: offline, or a device without positioning
            browser.send("Emulation.setGeolocationOverride", {}, session=page.session)
        button = page.eval("document.querySelector('.leaflet-control-locate a').title")
        assert button == {"kk": "Менің орнымды көрсету", "ru": "Показать моё местоположение"}[lang]
        _click(page, *_centre(page, ".leaflet-control-locate a"))
        page.b.pump(1.5)
        notice = page.eval("(document.querySelector('.atlas-notice') || {}).textContent")
        assert notice == message
        dialogs = [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
        assert dialogs == []
        assert (
            page.eval(
                "document.querySelector('.leaflet-control-locate').className.includes('active')"
            )
            is False
        )
        assert page.errors() == [] and page.remote_requests() == []
        page.close()
    finally:
        browser.send("Browser.resetPermissions")


def test_locate_shows_where_the_reader_is(browser, tmp_path):
    path = tmp_path / "ru.html"
    path.write_text(rendered_demo(False, "ru"), encoding="utf-8")
    browser.send(
        "Browser.setPermission", {"permission": {"name": "geolocation"}, "setting": "granted"}
    )
    try:
        page = _open(browser, path)
        browser.send(
            "Emulation.setGeolocationOverride",
            {"latitude": 43.5731, "longitude": 69.7512, "accuracy": 40},
            session=page.session,
        )
        _click(page, *_centre(page, ".leaflet-control-locate a"))
        page.b.pump(1.5)
        c = page.eval("JSON.stringify(window.__atlas.map.getCenter())")
        centre = json.loads(c)
        assert centre["lat"] == pytest.approx(43.5731, abs=1e-3)
        assert centre["lng"] == pytest.approx(69.7512, abs=1e-3)
        popup = page.eval(
            "(() => { const c = Object.values(window).find((v) => v instanceof L.Control.Locate);"
            " c._marker.openPopup(); return document.querySelector('.leaflet-popup-content').textContent; })()"
        )
        assert re.fullmatch(r"Вы в радиусе \d+ м от этой точки", popup), popup
        assert page.errors() == [] and page.remote_requests() == []
        page.close()
    finally:
        browser.send("Browser.resetPermissions")


def test_the_opacity_slider_changes_the_raster_overlay(browser, atlas_dir):  # noqa: F811
    page = _open(browser, atlas_dir("kk") / "land_suitability.html")
    before = page.eval(
        """(() => { const input = document.querySelector('.atlas-opacity input'), A = window.__atlas;
          const lyr = A.layers[input.getAttribute('data-opacity')];
          if (!A.map.hasLayer(lyr)) { document.querySelector('.atlas-layers input[data-layer="'
            + input.getAttribute('data-opacity') + '"]').click(); }
          input.focus();
          return {value: Number(input.value), label: input.getAttribute('aria-label'),
                  opacity: Number(lyr.getElement().style.opacity)}; })()"""
    )
    assert before["label"].startswith("Мөлдірсіздігі: ")
    assert before["opacity"] == pytest.approx(before["value"] / 100)
    for _ in range(3):
        _key(page, "ArrowLeft", 37)
    page.b.pump(0.2)
    after = page.eval(
        """(() => { const input = document.querySelector('.atlas-opacity input'), A = window.__atlas;
          const lyr = A.layers[input.getAttribute('data-opacity')];
          return {value: Number(input.value), shown: input.parentNode.textContent,
                  opacity: Number(lyr.getElement().style.opacity)}; })()"""
    )
    assert after["value"] == before["value"] - 15
    assert after["opacity"] == pytest.approx(after["value"] / 100)
    assert after["shown"].endswith(f"{after['value']} %")
    assert page.errors() == [] and page.remote_requests() == []
    page.close()
