"""The atlas's maps as folium maps an analyst extends: ``geo.theme_map`` and ``folium_map``."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest
from conftest_browser import make_theme, real_base, start_browser

import geo
from geo.writers.html import AtlasMap, folium_map, offline_page, render_theme_map
from geo.writers.offline import OfflineAssetError

ROOT = Path(__file__).resolve().parent.parent

SITE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Planned greenhouse site"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[69.70, 43.60], [69.74, 43.60], [69.74, 43.62], [69.70, 43.62], [69.70, 43.60]]
                ],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = start_browser(tmp_path_factory, "the folium maps")
    yield b
    b.close()


def test_the_atlas_page_is_the_folium_map_saved(tmp_path: Path) -> None:
    theme, base = make_theme(), real_base()
    m = folium_map(theme, base, lang="kk")
    assert isinstance(m, folium.Map) and isinstance(m, AtlasMap)
    m.save(str(tmp_path / "a.html"))
    saved = (tmp_path / "a.html").read_bytes().decode("utf-8")
    assert saved == render_theme_map(theme, base, lang="kk")  # the same page, byte for byte
    assert saved == offline_page(folium_map(theme, base, lang="kk"))  # and the same every time
    assert saved.startswith('<!DOCTYPE html>\n<html lang="kk">')
    assert "cdn.jsdelivr" not in saved and "code.jquery.com" not in saved


def test_an_analysts_layers_survive_the_offline_writer(browser, tmp_path: Path) -> None:
    m = folium_map(make_theme(), real_base(), lang="ru")
    folium.GeoJson(SITE, name="site", tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    folium.CircleMarker([43.56, 69.73], radius=9, color="#ff00ff", tooltip="Well 7").add_to(m)
    path = tmp_path / "extended.html"
    m.save(str(path))
    page = browser.open(path.resolve().as_uri())
    page.b.pump(0.5)
    found = page.eval(
        "(() => { var n = 0, names = [];"
        " window.__atlas.map.eachLayer(function (l) {"
        "   if (l.feature && l.feature.properties && l.feature.properties.name === 'Planned greenhouse site') { n++; }"
        "   if (l.options && l.options.color === '#ff00ff') { names.push(l.getTooltip().getContent()); } });"
        " return {site: n, marker: names, panels: document.querySelectorAll('.atlas-panel').length}; })()"
    )
    assert found["site"] == 1
    assert len(found["marker"]) == 1 and "Well 7" in found["marker"][0]
    assert found["panels"] >= 2  # the atlas's own layer panel and legend are there too
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_an_element_that_needs_the_network_is_refused_by_name(tmp_path: Path) -> None:
    from folium.plugins import MarkerCluster  # leaflet.markercluster is not vendored

    m = folium_map(make_theme(), real_base(), lang="en")
    MarkerCluster([[43.56, 69.73], [43.57, 69.74]]).add_to(m)
    with pytest.raises(OfflineAssetError, match=r"https://.*markercluster"):
        m.save(str(tmp_path / "x.html"))
    assert not (tmp_path / "x.html").exists()


def test_an_analysts_extra_plugin_goes_through_the_offline_writer(browser, tmp_path: Path) -> None:
    """folium's own Search over the analyst's layer: its library is the vendored one, inlined once."""
    from folium.plugins import Search

    m = folium_map(make_theme(), real_base(), lang="en")
    site = folium.GeoJson(SITE, name="site").add_to(m)
    Search(layer=site, search_label="name", geom_type="Polygon", placeholder="Find a site").add_to(
        m
    )
    page_html = offline_page(m)
    assert (
        page_html.count("/* leaflet-search 2.9.7 (MIT) */") == 2
    )  # its script and stylesheet, once
    assert "cdn.jsdelivr" not in page_html
    path = tmp_path / "search.html"
    m.save(str(path))
    page = browser.open(path.resolve().as_uri(), width=1366, height=768)
    controls = page.eval("document.querySelectorAll('.leaflet-control-search').length")
    assert controls == 2  # the atlas's place search and the analyst's
    found = page.eval(
        """(() => new Promise((ok) => {
          const input = Array.from(document.querySelectorAll('.leaflet-control-search input'))
            .find((i) => i.placeholder === 'Find a site');
          const ctl = Object.values(window).find((v) => v && v._input === input);
          const map = window.__atlas.map;
          map.setView([43.0, 71.0], 9, {animate: false});
          ctl.searchText('Planned green');
          setTimeout(() => {
            const tips = Array.from(ctl._tooltip.querySelectorAll('.search-tip')).map((t) => t.textContent);
            ctl._input.value = tips[0];
            ctl._handleSubmit();
            setTimeout(() => { const c = map.getCenter(); ok({tips: tips, lat: c.lat, lng: c.lng}); }, 1500);
          }, 600);
        }))()"""
    )
    assert found["tips"] == ["Planned greenhouse site"]
    assert (
        abs(found["lat"] - 43.61) < 0.01 and abs(found["lng"] - 69.72) < 0.01
    )  # flown to the site
    assert page.errors() == [] and page.remote_requests() == []
    page.close()


def test_theme_map_builds_a_recipe_into_a_folium_map(tmp_path: Path) -> None:
    m = geo.theme_map(ROOT / "maps" / "infrastructure_wear.toml", lang="ru")
    assert isinstance(m, folium.Map)
    folium.CircleMarker([43.56, 69.73], radius=6, tooltip="Насосная станция").add_to(m)
    m.save(str(tmp_path / "wear.html"))
    page = (tmp_path / "wear.html").read_text(encoding="utf-8")
    assert "Насосная станция" in page and "Износ инженерных сетей" in page
    with pytest.raises(geo.InputError, match="language 'de'"):
        geo.theme_map(ROOT / "maps" / "infrastructure_wear.toml", lang="de")
