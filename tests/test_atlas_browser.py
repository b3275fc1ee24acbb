"""The real atlas (``build_atlas`` on the embedded data) opened in headless Chromium.

One build per language (English and Kazakh) is shared by every test here. Each
theme page and the index must draw offline without console errors, with every
raster overlay decoded, vector paths drawn, labels not overlapping, and a
sample of every layer's popups and tooltips opened. Without Chromium the tests
skip, except on CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest_browser import start_browser
from latin import english_words

from geo.build import build_atlas
from geo.writers.offline import check_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

THEMES = (
    "pollution",
    "land_suitability",
    "residential_expansion",
    "infrastructure_wear",
    "sustainability",
)
KAZAKH = set("әғқңөұүһі")
SAMPLE = 12  # features per layer whose tooltip and popup are opened


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start_browser(tmp_path_factory, "the atlas pages")
    yield b
    b.close()


_BUILDS: dict[str, Path] = {}


@pytest.fixture(scope="session")
def atlas_dir(tmp_path_factory):
    """``atlas_dir(lang)``: the atlas built once per language and session."""

    def get(lang: str) -> Path:
        if lang not in _BUILDS:
            out = tmp_path_factory.mktemp(f"atlas-{lang}") / "atlas"
            build_atlas(out, lang=lang)
            _BUILDS[lang] = out
        return _BUILDS[lang]

    return get


def _open(browser, path: Path):
    return browser.open(path.resolve().as_uri(), width=1600, height=1000)


STATE = """(() => {
  const A = window.__atlas, ids = Object.keys(A.layers);
  const theme = ids.filter(id => id.startsWith('g1v'));
  const view = A.map.getBounds();
  let inView = 0;
  theme.forEach(id => { if (A.map.hasLayer(A.layers[id])) A.layers[id].eachLayer(f => {
    const b = f.getBounds ? f.getBounds() : L.latLngBounds([f.getLatLng(), f.getLatLng()]);
    if (view.intersects(b)) inView += 1; }); });
  const boxes = Array.from(document.querySelectorAll('.atlas-label span'))
    .filter(s => s.style.visibility !== 'hidden').map(s => s.getBoundingClientRect())
    .filter(r => r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight);
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps += 1;
  }
  return {
    leaflet: typeof L === 'object' && L.version,
    paths: document.querySelectorAll('path.leaflet-interactive').length,
    themeInView: inView,
    labels: boxes.length, overlaps: overlaps,
    title: document.title, h1: document.querySelector('#atlas-title h1').textContent,
    panel: document.querySelector('.atlas-layers').textContent,
    legend: (document.querySelector('.atlas-legend') || {textContent: ''}).textContent,
  };
})()"""

ALL_ON = """(async () => {
  document.querySelectorAll('.atlas-layers input').forEach(cb => {
    if (!cb.checked && cb.getAttribute('data-layer') !== 'online') cb.click(); });
  const imgs = Array.from(document.querySelectorAll('img.leaflet-image-layer'));
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => i.complete && i.naturalWidth > 0);
})()"""

OPEN_SAMPLE = """((n) => {
  const A = window.__atlas, out = [];
  Object.keys(A.layers).forEach(id => {
    const layer = A.layers[id];
    if (!layer.eachLayer || !A.map.hasLayer(layer)) return;
    const feats = layer.getLayers(), step = Math.max(1, Math.floor(feats.length / n));
    const rec = {id: id, features: feats.length, tooltips: 0, popups: 0, empty: 0};
    for (let i = 0; i < feats.length && rec.popups < n; i += step) {
      const f = feats[i];
      f.openTooltip(); const t = f.getTooltip().getElement();
      if (t && t.textContent.trim()) rec.tooltips += 1; else rec.empty += 1;
      f.closeTooltip();
      f.openPopup(); const p = f.getPopup().getElement();
      if (p && p.querySelector('.atlas-popup-title').textContent.trim()) rec.popups += 1; else rec.empty += 1;
      f.closePopup();
    }
    out.push(rec);
  });
  return out;
})"""


@pytest.mark.parametrize("name", THEMES)
def test_every_theme_page_draws_offline_and_every_popup_opens(browser, atlas_dir, name):
    path = atlas_dir("en") / f"{name}.html"
    check_offline(path.read_text(encoding="utf-8"), where=path.name)
    page = _open(browser, path)
    state = page.eval(STATE)
    assert state["leaflet"] == "1.9.3"
    assert state["paths"] > 0
    # the page opens on the theme: some of its features are in view
    assert state["themeInView"] > 0, "the initial view shows none of the theme's features"
    assert state["overlaps"] == 0, f"{state['overlaps']} pairs of labels overlap"
    decoded = page.eval(ALL_ON)
    assert decoded and all(decoded), f"raster overlays not decoded: {decoded}"
    sample = page.eval(OPEN_SAMPLE + f"({SAMPLE})")
    theme_layers = [r for r in sample if r["id"].startswith("g1v")]
    assert theme_layers, "no theme vector layer on the page"
    for rec in sample:
        assert rec["features"] > 0, rec
        assert rec["popups"] == min(SAMPLE, rec["features"]) or rec["popups"] >= SAMPLE, rec
        assert rec["tooltips"] == rec["popups"] and rec["empty"] == 0, rec
    page.b.pump(0.2)
    assert page.errors() == []
    assert page.remote_requests() == []
    page.close()


def test_index_links_every_theme_and_stays_offline(browser, atlas_dir):
    out = atlas_dir("en")
    path = out / "index.html"
    check_offline(path.read_text(encoding="utf-8"), where=path.name)
    page = _open(browser, path)
    info = page.eval(
        "(() => ({links: Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href')),"
        " cards: document.querySelectorAll('.atlas-card').length,"
        " desc: Array.from(document.querySelectorAll('.atlas-card p')).map(p => p.textContent)}))()"
    )
    # every map, its sheet, the GeoPackage and the manifest
    expected = [f"{t}.html" for t in THEMES] + [f"sheets/{t}.png" for t in THEMES]
    assert sorted(info["links"]) == sorted([*expected, "atlas.gpkg", "manifest.json"])
    assert all((out / link).is_file() for link in info["links"])
    assert info["cards"] == len(THEMES) and len(info["desc"]) == len(THEMES)
    # the overview map: the oblast, a box per theme (a click opens its map), the modelled towns
    drawn = page.eval(
        "(() => { const m = window.__overview, out = {boxes: 0, towns: []};"
        " m.eachLayer((l) => { if (l instanceof L.Rectangle) out.boxes++;"
        "   else if (l instanceof L.CircleMarker) out.towns.push(l.getTooltip().getContent().textContent); });"
        " return out; })()"
    )
    assert drawn["boxes"] == len(THEMES)
    assert sorted(drawn["towns"]) == ["Karatau", "Shu", "Zhanatas"]
    assert all(len(d) > 20 for d in info["desc"])
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_atlas_html_is_under_10_mb(atlas_dir):
    total = sum(p.stat().st_size for p in atlas_dir("en").glob("*.html"))
    assert 500_000 < total < 10_000_000


@pytest.mark.parametrize("name", THEMES)
def test_kazakh_build_shows_kazakh_titles(browser, atlas_dir, name):
    out = atlas_dir("kk")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = manifest["themes"][name]["title"]["kk"]
    path = out / f"{name}.html"
    check_offline(path.read_text(encoding="utf-8"), where=path.name)
    page = _open(browser, path)
    state = page.eval(STATE)
    assert state["title"] == state["h1"] == expected
    assert page.eval("document.documentElement.lang") == "kk"
    assert KAZAKH & set(state["h1"] + state["panel"] + state["legend"])
    assert "Base layers" not in state["panel"] and "Legend" not in state["legend"]
    assert state["paths"] > 0 and state["overlaps"] == 0
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_kazakh_index(browser, atlas_dir):
    out = atlas_dir("kk")
    page = _open(browser, out / "index.html")
    text = page.eval("document.body.textContent")
    assert KAZAKH & set(text)
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

OPEN_EVERYTHING = """(() => {
  const A = window.__atlas, texts = [];
  document.querySelectorAll('.atlas-layers input').forEach(cb => {
    if (!cb.checked && cb.getAttribute('data-layer') !== 'online') cb.click(); });
  // every feature of every layer small enough to open one by one (the payload is in the towns layer)
  Object.values(A.layers).forEach(layer => layer.eachLayer && layer.getLayers().length < 300 && layer.eachLayer(f => {
    if (f.getTooltip && f.getTooltip()) { f.openTooltip(); texts.push(f.getTooltip().getElement().textContent); f.closeTooltip(); }
    if (f.getPopup && f.getPopup()) { f.openPopup(); texts.push(f.getPopup().getElement().textContent); f.closePopup(); }
  }));
  texts.push(...Array.from(document.querySelectorAll('.atlas-label span')).map(s => s.textContent));
  return {texts: texts, injected: document.querySelectorAll('img[src="x"], #map script').length};
})()"""


def test_user_layer_with_script_payloads_runs_nothing(browser, tmp_path):
    """A user's layer (through ``geo map --layer``) whose names carry script payloads runs none."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.catalog import Catalog
    from geo.cli import main

    towns = Catalog().read("towns")
    evil = gpd.GeoDataFrame(
        {
            "name": [PAYLOAD],
            "admin1code": ["17"],
            "population": [1000],
            "alternatenames": [PAYLOAD],
        },
        geometry=[Point(69.9, 43.5)],
        crs=4326,
    )
    path = tmp_path / "towns.geojson"
    gpd.GeoDataFrame(pd_concat([towns, evil]), crs=4326).to_file(path)
    out = tmp_path / "wear"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "map",
                "maps/infrastructure_wear.toml",
                "--out",
                str(out),
                "--layer",
                f"towns={path}",
                "-q",
            ]
        )
        raise SystemExit(0)
    assert exc.value.code in (0, None)
    page = _open(browser, out / "infrastructure_wear.html")
    got = page.eval(OPEN_EVERYTHING)
    page.b.pump(0.5)
    assert page.eval("typeof window.__xss") == "undefined"
    assert got["injected"] == 0
    assert any(PAYLOAD in t for t in got["texts"])  # shown as text
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


_CODE = re.compile(r"^[A-Z]{2,3}-[A-Z]+-\d+$")  # source and segment ids (KR-BOILER-01)


def _shown_texts(page: str) -> dict[str, str]:
    """What a map page puts on screen from its payload: titles, legends, values, labels, notes."""
    d = json.loads(re.search(r'id="atlas-data">(.*?)</script>', page, re.S).group(1))
    out = {
        "title": d["title"],
        "subtitle": d["subtitle"],
        **{f"ui.{k}": v for k, v in d["ui"].items()},
    }
    out |= {f"note {i}": n for i, n in enumerate(d["notes"])}
    out |= {f"group {g['title']}": g["title"] for g in d["groups"]}
    for lg in d["legends"]:
        out[f"legend {lg['title']}"] = lg["title"]
        out |= {f"legend {lg['title']}: {it[1]}": it[1] for it in lg.get("items", [])}
    for layer in d["layers"]:
        out[f"layer {layer['title']}"] = layer["title"]
        out |= {f"{layer['title']}: field {f}": f for f in layer.get("fields", [])}
        for ft in layer.get("data", {}).get("features", []):
            p = ft["properties"]
            for v in [*p.get("v", []), p.get("l")]:
                if v is not None and not _CODE.match(str(v)):
                    out[f"{layer['title']}: {v}"] = str(v)
    return out


def _shown_provenance(page: str) -> dict[str, str]:
    """The sources, licences and credits a map page shows (sources panel, popups, attribution)."""
    d = json.loads(re.search(r'id="atlas-data">(.*?)</script>', page, re.S).group(1))
    out = {f"source of {title}": src for title, src, _lic, _syn in d["sources"]}
    out |= {f"licence of {title}": lic for title, _src, lic, _syn in d["sources"] if lic}
    out |= {f"popup source of {x['title']}": x["source"] for x in d["layers"] if x.get("source")}
    out["credits"] = d["credits"]
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_kazakh_and_russian_maps_show_no_english(atlas_dir, lang):
    """Every title, legend, field, value, label, source, licence and credit of every map in the
    language (beyond codes, identifiers and the proper names of sources)."""
    out = atlas_dir(lang)
    leftovers = {}
    provenance = 0
    for theme in THEMES:
        page = (out / f"{theme}.html").read_text(encoding="utf-8")
        shown_provenance = _shown_provenance(page)
        provenance += len(shown_provenance)
        for where, shown in {**_shown_texts(page), **shown_provenance}.items():
            words = english_words(shown)
            if words:
                leftovers[f"{theme} / {where}"] = sorted(words)
    assert leftovers == {}
    assert provenance > 100  # the sources panel, the popups' source lines and the credits were read


def test_the_english_maps_show_their_sources_in_english(atlas_dir):
    """The same scan reads the English sources: they are there, and in English."""
    page = (atlas_dir("en") / "pollution.html").read_text(encoding="utf-8")
    shown = _shown_provenance(page)
    assert any(w in english_words(shown["source of Districts"]) for w in ("districts", "division"))
    assert "derived" in english_words(" ".join(shown.values()))
