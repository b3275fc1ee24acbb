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
    from folium.plugins import MiniMap

    m = folium_map(make_theme(), real_base(), lang="en")
    MiniMap().add_to(m)
    with pytest.raises(OfflineAssetError, match=r"https://"):
        m.save(str(tmp_path / "x.html"))
    assert not (tmp_path / "x.html").exists()


def test_theme_map_builds_a_recipe_into_a_folium_map(tmp_path: Path) -> None:
    m = geo.theme_map(ROOT / "maps" / "infrastructure_wear.toml", lang="ru")
    assert isinstance(m, folium.Map)
    folium.CircleMarker([43.56, 69.73], radius=6, tooltip="Насосная станция").add_to(m)
    m.save(str(tmp_path / "wear.html"))
    page = (tmp_path / "wear.html").read_text(encoding="utf-8")
    assert "Насосная станция" in page and "Износ инженерных сетей" in page
    with pytest.raises(geo.InputError, match="language 'de'"):
        geo.theme_map(ROOT / "maps" / "infrastructure_wear.toml", lang="de")
