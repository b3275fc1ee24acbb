"""HTML map writer without a browser: offline assets, escaping, languages, rasters, geometry, size."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from conftest_browser import (
    XSS_IMG,
    XSS_SCRIPT,
    bar_chart_svg,
    make_theme,
    real_base,
    rendered_demo,
)
from PIL import Image
from pyproj import CRS, Transformer
from shapely.geometry import Point, Polygon

from geo.errors import DataError, InputError
from geo.i18n import LANGUAGES, MESSAGES, UNITS
from geo.raster import Raster
from geo.results import ThemeResult, VectorLayer
from geo.symbology import Categorized, Category, FieldSpec, Graduated, RasterClasses, RasterRamp
from geo.writers import html as H
from geo.writers.legend import legend_for, ramp_rgba
from geo.writers.offline import (
    ASSETS_DIR,
    AssetManifest,
    OfflineAssetError,
    check_offline,
    inline_assets,
    load_manifest,
)

KAZAKH = set("әғқңөұүһі")


@pytest.fixture(scope="module")
def base():
    return real_base()


@pytest.fixture(scope="module")
def render(base):
    """Render the demo theme once per (xss, lang) in this module."""

    def get(*, xss: bool = False, lang: str = "en") -> str:
        return rendered_demo(xss, lang)

    return get


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


# ------------------------------------------------------------------ vendored assets


def test_manifest_pins_every_asset_with_hash_licence_and_source():
    doc = json.loads((ASSETS_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    names = {e["name"]: e["version"] for e in doc["assets"]}
    assert names == {
        "leaflet": "1.9.3", "leaflet.fullscreen": "3.0.0", "leaflet-minimap": "3.6.1",
        "leaflet-measure": "2.1.7", "leaflet-search": "2.9.7", "leaflet.locatecontrol": "0.66.2",
    }  # fmt: skip
    for e in doc["assets"]:
        data = (ASSETS_DIR / e["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"], e["file"]
        assert e["licence"] in {"BSD-2-Clause", "MIT"}
        assert (ASSETS_DIR / e["licence_file"]).is_file()
        assert e["source"].startswith("https://registry.npmjs.org/")
    assert "Vladimir Agafonkin" in (ASSETS_DIR / "leaflet/LICENSE").read_text(encoding="utf-8")


def test_altered_asset_fails_the_build(tmp_path):
    shutil.copytree(ASSETS_DIR, tmp_path / "assets")
    js = tmp_path / "assets/leaflet/leaflet.js"
    js.write_bytes(js.read_bytes() + b"\n// tampered")
    doc = json.loads((tmp_path / "assets/MANIFEST.json").read_text(encoding="utf-8"))
    manifest = AssetManifest(tmp_path / "assets", doc["assets"])
    with pytest.raises(OfflineAssetError, match=r"leaflet\.js does not match its sha256"):
        inline_assets(
            '<script src="https://unpkg.com/leaflet@1.9.3/dist/leaflet.js"></script>', manifest
        )


def test_inliner_replaces_cdn_links_and_css_urls_by_content():
    page = (
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    )
    out, used = inline_assets(page)
    assert used == ["leaflet/leaflet.js", "leaflet/leaflet.css"]
    assert 'version="1.9.3"' in out  # Leaflet's own source is in the page
    assert "<script src" not in out and "<link" not in out and "url(images/" not in out
    # leaflet.css's images/layers.png became a data URI with the file's bytes
    png = (ASSETS_DIR / "leaflet/images/layers.png").read_bytes()
    import base64

    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in out
    check_offline(out)


def test_inliner_makes_a_pruned_folium_map_self_contained():
    folium = pytest.importorskip("folium")
    m = folium.Map(location=(43.6, 69.7), zoom_start=10, tiles=None)
    m.default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
    m.default_css = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]
    assert folium.Map.default_js != m.default_js  # per instance, the class list is untouched
    rendered = m.get_root().render()
    with pytest.raises(OfflineAssetError):
        check_offline(rendered)
    out, used = inline_assets(rendered)
    assert set(used) == {"leaflet/leaflet.js", "leaflet/leaflet.css"}
    check_offline(out)


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ('<script src="https://cdn.example.org/x.js"></script>', "<script src="),
        ("<script src=lib/local.js></script>", "<script src="),
        ('<link rel="stylesheet" href="http://cdn.example.org/a.css">', "<link href="),
        ('<link rel="icon" href="//cdn.example.org/favicon.ico">', "<link href="),
        ("<style>.a{background:url(https://t.example.org/a.png)}</style>", "CSS url("),
        ("<style>@import 'https://fonts.example.org/f.css';</style>", "CSS @import"),
        ("<div style=\"background-image: url('//x.example.org/b.png')\"></div>", "CSS url("),
        ('<img src="https://x.example.org/a.png">', "<img src="),
    ],
)
def test_check_offline_rejects_every_remote_reference(snippet, what):
    with pytest.raises(OfflineAssetError, match=re.escape(what)):
        check_offline(f"<html><head></head><body>{snippet}</body></html>", where="test page")


def test_check_offline_accepts_data_uris_and_javascript_strings():
    check_offline(
        "<style>.a{background:url(data:image/png;base64,AAAA)} .b{behavior:url(#default#VML)}</style>"
        "<script>var u = '<script src=\"https://x.org/a.js\"></' + 'script>'; url('https://t.org')</script>"
    )


def test_unknown_cdn_script_is_refused_by_the_inliner():
    with pytest.raises(OfflineAssetError, match="not vendored"):
        inline_assets('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>')


# ------------------------------------------------------------------ theme page


def test_theme_page_is_self_contained_and_carries_every_layer(render):
    page = render(lang="en")
    check_offline(page)
    data = _data(page)
    assert data["title"] == "Demo theme"
    kinds = [(lyr["title"], lyr["kind"]) for lyr in data["layers"]]
    assert ("Zones", "vector") in kinds and ("Suitability", "raster") in kinds
    assert ("Relief (hillshade)", "raster") in kinds  # base from local data
    online = next(lyr for lyr in data["layers"] if lyr["kind"] == "tiles")
    assert online["show"] is False  # the online extra is off when the page opens
    assert [g["title"] for g in data["groups"]] == ["Demo theme", "Base layers"]
    assert data["notes"] == ["Test data only."]
    # legends only for the theme: classes, graduated with "no data", categorised
    legends = {lg["title"]: lg for lg in data["legends"]}
    assert set(legends) == {"Zones", "Networks", "Sources", "Suitability", "Index"}
    assert legends["Zones"]["items"][-1] == ["#cccccc", "no data"]
    assert legends["Index"]["kind"] == "ramp"
    # ramp stops evenly spaced on the bar (0, 50, 100 → 0, 0.5, 1); the unit in the title
    assert legends["Index"]["ticks"] == [[0.0, "0"], [0.5, "50"], [1.0, "100"]]
    assert legends["Index"]["unit"] == "µg/m³"
    assert legends["Zones"]["unit"] == ""  # already in every class label
    zones = next(lyr for lyr in data["layers"] if lyr["title"] == "Zones")
    assert zones["fields"] == ["Name", "Score", "Status"]
    values = [f["properties"]["v"] for f in zones["data"]["features"]]
    assert values[0] == ["Zone A", "12.5 %", "existing"]
    assert values[2][1] == "no data"
    assert zones["synthetic"] is True and zones["note"] == "generated"
    # graduated colours: 12.5 → class 0, 67.25 → class 2, NaN → nan colour
    assert [zones["palette"][f["properties"]["k"]] for f in zones["data"]["features"]] == [
        "#fee08b",
        "#d73027",
        "#cccccc",
    ]
    assert zones["data"]["features"][0]["properties"]["h"] == bar_chart_svg([20, 80, 55])


def test_theme_page_in_kazakh_and_russian(render):
    kk = render(lang="kk")
    assert '<html lang="kk">' in kk
    assert "<title>Сынақ тақырыбы</title>" in kk
    d = _data(kk)
    assert d["ui"]["legend"] == "Шартты белгілер"
    assert d["groups"][1]["title"] == "Негізгі қабаттар"
    zones = next(lyr for lyr in d["layers"] if lyr["title"] == "Аймақтар")
    assert zones["fields"] == ["Атауы", "Балл", "Мәртебесі"]
    assert zones["data"]["features"][2]["properties"]["v"][1] == "дерек жоқ"
    assert any(KAZAKH & set(s) for s in d["ui"].values())
    ru = _data(render(lang="ru"))
    assert ru["title"] == "Тестовая тема" and ru["ui"]["layers"] == "Слои"


def test_every_interface_string_exists_in_every_language():
    catalog = {**MESSAGES, **UNITS}
    for key, value in catalog.items():
        assert set(value) == set(LANGUAGES), key
        assert all(v.strip() for v in value.values()), key
    assert KAZAKH & set("".join(v["kk"] for v in MESSAGES.values()))


def test_unknown_language_is_refused(base):
    with pytest.raises(InputError, match="--lang"):
        H.render_theme_map(make_theme(), base, lang="de")


def test_data_strings_never_reach_the_markup_unescaped(render):
    page = render(xss=True, lang="en")
    assert "onerror" in page  # the payload is there, as data...
    assert XSS_IMG not in page and XSS_SCRIPT not in page  # ...never as markup
    assert "<img" not in page and "window.__xss=1</script>" not in page
    check_offline(page)
    d = _data(page)
    assert d["title"] == "Demo theme" + XSS_IMG  # shown verbatim, as text
    zones = next(lyr for lyr in d["layers"] if lyr["title"].startswith("Zones"))
    assert zones["data"]["features"][0]["properties"]["l"] == "Zone A" + XSS_IMG
    # a chart that is not a plain SVG is shown as text, not inserted as HTML
    feat = zones["data"]["features"][1]["properties"]
    assert "h" not in feat and feat["v"][-1].startswith("<svg onload")


@pytest.mark.parametrize(
    "svg",
    [
        '<svg onload="alert(1)"></svg>',
        "<svg><script>alert(1)</script></svg>",
        '<svg><a href="javascript:alert(1)"><rect/></a></svg>',
        '<svg><foreignObject><img src=x onerror="alert(1)"/></foreignObject></svg>',
        '<svg><rect style="fill:url(https://x.org/a)"/></svg>',
        '<svg><rect fill="url(#a)"/></svg>',
        '<!DOCTYPE svg [<!ENTITY a "x">]><svg>&a;</svg>',
        "<svg><rect></svg>",
        "<svg><title>&lt;img src=x onerror=alert(1)&gt;</title></svg>",
        "<svg><text>&#60;script&#62;</text></svg>",
        "<div>not svg</div>",
        None,
    ],
)
def test_sanitize_svg_rejects_anything_but_plain_shapes(svg):
    assert H.sanitize_svg(svg) is None


def test_sanitize_svg_keeps_toolkit_charts():
    svg = bar_chart_svg([10, 50, 90])
    assert H.sanitize_svg(svg) == svg
    text = '<svg width="90" height="12"><text x="0" y="10">&quot;Yes&quot; &lt;50 &amp; more</text></svg>'
    assert H.sanitize_svg(text) == text


def test_missing_field_is_a_one_line_error_naming_layer_and_field(base):
    theme = make_theme()
    theme.vectors[0].fields = (FieldSpec("wear_pct", {"en": "Wear", "kk": "Тозу", "ru": "Износ"}),)
    with pytest.raises(DataError, match=r"layer 'zones': field 'wear_pct' is not in the data.*fix"):
        H.render_theme_map(theme, base, lang="en")


def test_bad_colour_is_a_data_error_naming_the_layer(base):
    theme = make_theme()
    theme.vectors[1].style = Categorized("kind", (Category("water", "bluish", "w"),))
    with pytest.raises(DataError, match=r"'networks'.*'bluish' is not a colour"):
        H.render_theme_map(theme, base, lang="en")


def test_same_inputs_same_page(base, render):
    assert H.render_theme_map(make_theme(), base, lang="ru") == render(lang="ru")


def test_page_with_real_base_stays_within_the_size_budget(render):
    """Four theme pages and an index must fit in 10 MB together: 2.4 MB each at most."""
    page = render(lang="kk")
    size = len(page.encode("utf-8"))
    assert size < 2_400_000, size
    d = _data(page)
    hill = next(lyr for lyr in d["layers"] if lyr["title"] == "Бедер (көлеңкелеу)")
    img = Image.open(io.BytesIO(__import__("base64").b64decode(hill["url"].split(",", 1)[1])))
    assert max(img.size) <= H.MAX_OVERLAY_PX
    # every coordinate has at most 5 decimals
    coords = re.findall(r"-?\d+\.(\d+)", json.dumps([lyr.get("data") for lyr in d["layers"]]))
    assert coords and max(len(c) for c in coords) <= 5


# ------------------------------------------------------------------ geometry and rasters


def test_prepare_geometries_simplifies_in_metres_and_rounds():
    # a circle of radius 5 km with 4000 vertices around Zhanatas
    t = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    utm = CRS.from_epsg(32642)
    ring = Polygon(np.column_stack([576_000 + 5000 * np.cos(t), 4_823_000 + 5000 * np.sin(t)]))
    gdf = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[ring, Point(576_000, 4_823_000)], crs=utm)
    out = H.prepare_geometries(gdf)
    assert out.crs.to_epsg() == 4326
    poly = out.geometry.iloc[0]
    n = len(poly.exterior.coords)
    assert 20 < n < 400  # tolerance 10 km diagonal / 3000 ≈ 4.7 m
    assert poly.is_valid
    xy = np.asarray(poly.exterior.coords)
    assert np.allclose(xy, np.round(xy, 5))
    # area kept within 0.5 % after simplification
    area = gpd.GeoSeries([poly], crs=4326).to_crs(utm).area.iloc[0]
    assert area == pytest.approx(np.pi * 5000**2, rel=5e-3)
    pt = out.geometry.iloc[1]
    lon, lat = Transformer.from_crs(utm, 4326, always_xy=True).transform(576_000, 4_823_000)
    assert (pt.x, pt.y) == (round(lon, 5), round(lat, 5))


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_raster_overlay_is_reprojected_to_web_mercator_with_transparent_no_data():
    # two classes split at 45° N on a 40–50° N grid; a hole of no data
    rows, cols = 500, 100
    arr = np.where(np.arange(rows)[:, None] < rows // 2, 1.0, 2.0) * np.ones((1, cols))
    arr[25:50, 10:20] = np.nan
    r = Raster(arr, Affine(0.02, 0, 69.0, 0, -0.02, 50.0), CRS.from_epsg(4326))
    style = RasterClasses((1, 2), ("#ff0000", "#0000ff"), ("a", "b"))
    png, ((s, w), (n, e)) = H.raster_overlay(r, style)
    assert (s, w, n, e) == pytest.approx((40.0, 69.0, 50.0, 71.0), abs=1e-6)
    img = _decode(png)
    h = img.shape[0]
    red_rows = int((img[:, img.shape[1] // 2, 0] == 255).sum())
    merc = Transformer.from_crs(4326, 3857, always_xy=True)
    y40, y45, y50 = (merc.transform(69.5, lat)[1] for lat in (40, 45, 50))
    expected = h * (y50 - y45) / (y50 - y40)  # Mercator stretches the north: not h / 2
    assert red_rows == pytest.approx(expected, abs=1.5)
    assert abs(expected - h / 2) > 2  # the test can tell a linear stretch from a reprojection
    # the hole is transparent, data is opaque
    hole = img[int(0.08 * h), int(0.15 * img.shape[1])]
    assert hole[3] == 0
    assert img[h - 5, 5, 3] == 255 and tuple(img[h - 5, 5, :3]) == (0, 0, 255)


def test_raster_overlay_is_capped_and_keeps_small_rasters():
    big = Raster(
        np.random.default_rng(7).random((1500, 3000)),
        Affine(0.001, 0, 69, 0, -0.001, 44),
        CRS.from_epsg(4326),
    )
    png, _ = H.raster_overlay(big, RasterRamp((0.0, 1.0), ("#000000", "#ffffff")))
    assert max(Image.open(io.BytesIO(png)).size) == H.MAX_OVERLAY_PX
    small = Raster(np.ones((30, 40)), Affine(0.01, 0, 69, 0, -0.01, 44), CRS.from_epsg(4326))
    png, _ = H.raster_overlay(small, RasterRamp((0.0, 1.0), ("#000000", "#ffffff")))
    assert max(Image.open(io.BytesIO(png)).size) == 40


def test_ramp_colours_interpolate_and_clamp():
    style = RasterRamp((0.0, 10.0), ("#000000", "#ffffff"))
    rgba = ramp_rgba(style, np.array([[0.0, 5.0, 10.0, 20.0, np.nan]]))
    assert rgba[0, :, 0].tolist() == [0, 128, 255, 255, 0]
    assert rgba[0, :, 3].tolist() == [255, 255, 255, 255, 0]


def test_legend_shows_other_and_no_data_only_when_needed():
    import pandas as pd

    cat = Categorized("k", (Category("a", "#ff0000", {"en": "A", "kk": "А", "ru": "А"}),))
    with_other = legend_for(cat, "t", "kk", data=pd.DataFrame({"k": ["a", "zzz"]}))
    assert [i.label for i in with_other.items] == ["А", "басқа"]
    assert len(legend_for(cat, "t", "en", data=pd.DataFrame({"k": ["a"]})).items) == 1
    grad = Graduated("v", (0.0, 1.0, 2.0), ("#000000", "#ffffff"), unit="ha")
    assert [
        i.label for i in legend_for(grad, "t", "ru", data=pd.DataFrame({"v": [0.5, np.nan]})).items
    ] == [
        "0 – 1 ha",
        "1 – 2 ha",
        "нет данных",
    ]


# ------------------------------------------------------------------ index


def test_index_links_every_theme_in_the_chosen_language(tmp_path):
    theme = make_theme(xss=True)
    other = ThemeResult(theme="wear", title={"en": "Wear", "kk": "Тозу", "ru": "Износ"})
    path = tmp_path / "index.html"
    H.write_index([theme, other], path, lang="kk", links={"demo": "demo.html", "wear": "wear.html"})
    page = path.read_text(encoding="utf-8")
    check_offline(page)
    assert '<html lang="kk">' in page
    assert 'href="demo.html"' in page and 'href="wear.html"' in page
    assert "Картаны ашу" in page and "Тозу" in page
    assert "<p>Аймақтар</p>" in page  # short description: the first layer's
    assert XSS_IMG not in page and "&lt;img src=x onerror=" in page


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "https://evil.example/x.html", "../up.html", "/abs.html"]
)
def test_index_refuses_unsafe_links(tmp_path, link):
    with pytest.raises(InputError, match=r"relative \.html"):
        H.write_index([make_theme()], tmp_path / "i.html", lang="en", links={"demo": link})


def test_layer_without_geometries_still_renders(base):
    empty = VectorLayer(
        name="none",
        title={"en": "Empty", "kk": "Бос", "ru": "Пусто"},
        data=gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326),
        style=make_theme().vectors[2].style,
    )
    theme = ThemeResult(theme="e", title={"en": "E", "kk": "Е", "ru": "Е"}, vectors=[empty])
    d = _data(H.render_theme_map(theme, base, lang="en"))
    assert next(lyr for lyr in d["layers"] if lyr["title"] == "Empty")["data"]["features"] == []


def test_load_manifest_is_the_package_one():
    assert load_manifest().root == ASSETS_DIR
    assert Path(ASSETS_DIR / "atlas" / "map.js").is_file()


def test_units_given_as_texts_are_translated():
    theme = make_theme()
    alias = {"en": "Length", "kk": "Ұзындығы", "ru": "Длина"}
    theme.vectors[1].fields = (
        FieldSpec("wear", alias, unit={"en": "km", "kk": "км", "ru": "км"}, digits=0),
    )
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    d = _data(H.render_theme_map(theme, empty, lang="kk"))
    nets = next(lyr for lyr in d["layers"] if lyr["title"] == "Желілер")
    assert [f["properties"]["v"] for f in nets["data"]["features"]] == [["35 км"], ["90 км"]]


# ------------------------------------------------------------------ legends, view, index text


def test_nan_label_names_the_no_data_class():
    import pandas as pd

    not_built = {"en": "not built yet", "kk": "әлі салынбаған", "ru": "ещё не построено"}
    grad = Graduated("v", (0.0, 1.0, 2.0), ("#000000", "#ffffff"), unit="ha", nan_label=not_built)
    data = pd.DataFrame({"v": [0.5, np.nan]})
    assert legend_for(grad, "t", "kk", data=data).items[-1].label == "әлі салынбаған"
    plain = Graduated("v", (0.0, 1.0, 2.0), ("#000000", "#ffffff"), nan_label="closed")
    assert legend_for(plain, "t", "ru", data=data).items[-1].label == "closed"
    # on the page, the class of the feature with NaN
    theme = make_theme()
    theme.vectors[0].style = Graduated(
        "score", (0.0, 25.0, 50.0, 100.0), ("#fee08b", "#fc8d59", "#d73027"), nan_label=not_built
    )
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    d = _data(H.render_theme_map(theme, empty, lang="ru"))
    zones = next(lg for lg in d["legends"] if lg["title"] == "Зоны")
    assert zones["items"][-1] == ["#cccccc", "ещё не построено"]


def test_light_ramp_fades_to_transparent_at_its_first_stop():
    light = RasterRamp((0.0, 0.5, 1.0, 2.0), ("#ffffb2", "#feb24c", "#f03b20", "#bd0026"))
    rgba = ramp_rgba(light, np.array([[0.0, 0.25, 0.5, 1.5, 9.0, np.nan]]))
    assert rgba[0, :, 3].tolist() == [0, 128, 255, 255, 255, 0]
    dark = RasterRamp((0.0, 0.5, 1.0), ("#d73027", "#fee08b", "#1a9850"))  # diverging: opaque
    assert ramp_rgba(dark, np.array([[0.0, 0.25]]))[0, :, 3].tolist() == [255, 255]


def test_unit_is_not_repeated_when_the_title_carries_it():
    theme = make_theme()
    theme.rasters[1].title = {"en": "Index, µg/m³", "kk": "Индекс, µg/m³", "ru": "Индекс, µg/m³"}
    theme.rasters[1].show = True
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    d = _data(H.render_theme_map(theme, empty, lang="en"))
    lg = next(lg for lg in d["legends"] if lg["title"] == "Index, µg/m³")
    assert lg["unit"] == ""


def test_initial_view_is_the_focus_or_the_main_cluster():
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    theme = make_theme()
    d = _data(H.render_theme_map(theme, empty, lang="en"))
    assert d["view"] == d["bounds"]  # one area: the whole theme
    theme.map_focus = (69.7, 43.5, 69.8, 43.6)
    d = _data(H.render_theme_map(theme, empty, lang="en"))
    assert d["view"] == [[43.5, 69.7], [43.6, 69.8]]
    # a second small area 300 km east: the page opens on the main one, "whole map" shows both
    theme = make_theme()
    far = theme.vectors[2].data.copy()
    far["geometry"] = far.geometry.translate(300_000, 0)
    theme.vectors.append(
        VectorLayer(name="far", title={"en": "Far", "kk": "Алыс", "ru": "Далеко"}, data=far.iloc[:1],
                    style=theme.vectors[2].style)
    )  # fmt: skip
    d = _data(H.render_theme_map(theme, empty, lang="en"))
    (_, w), (_, e) = d["view"]
    (_, bw), (_, be) = d["bounds"]
    assert e - w < (be - bw) / 4 and w == bw  # Zhanatas, the cluster with most features
    assert len(d["places"]) == 2  # "Go to" buttons for both areas


def test_index_uses_the_theme_description_in_the_chosen_language(tmp_path):
    theme = make_theme()
    theme.description = {
        "en": "Where the food belt can grow.",
        "kk": "Азық-түлік белдеуі қай жерде өсе алады.",
        "ru": "Где может расти продовольственный пояс.",
    }
    page = H.render_index([theme], lang="kk", links={"demo": "demo.html"})
    assert "<p>Азық-түлік белдеуі қай жерде өсе алады.</p>" in page
    assert "<p>Аймақтар</p>" not in page  # the fallback is not used


def test_labels_and_names_in_the_build_language_and_short_layer_titles():
    theme = make_theme()
    zones = theme.vectors[0]
    zones.data = zones.data.assign(name_kk=["А аймағы", None, "С аймағы"])
    zones.title = {
        "en": "Demo theme: zones",
        "kk": "Сынақ тақырыбы: аймақтар",
        "ru": "Тестовая тема: зоны",
    }
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    d = _data(H.render_theme_map(theme, empty, lang="kk"))
    layer = next(lyr for lyr in d["layers"] if lyr["title"] == "Аймақтар")  # theme title dropped
    props = [f["properties"] for f in layer["data"]["features"]]
    assert [p["l"] for p in props] == ["А аймағы", "Zone B", "С аймағы"]  # falls back to name
    assert props[0]["v"][0] == "А аймағы"
    assert any(lg["title"] == "Аймақтар" for lg in d["legends"])


def test_outline_only_polygons_get_an_empty_legend_box():
    from geo.symbology import Single

    theme = make_theme()
    theme.vectors[0].style = Single("#222222", outline="#aa0000", fill=False)
    empty = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})
    d = _data(H.render_theme_map(theme, empty, lang="en"))
    zones = next(lg for lg in d["legends"] if lg["title"] == "Zones")
    assert zones["items"] == [["", "Zones"]] and zones["outline"] == "#aa0000"
