"""QML styles: the same classes, colours, labels and aliases as the symbology."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely

from geo.i18n import CODES, FIELDS, check_text, text
from geo.results import VectorLayer
from geo.symbology import (
    Categorized,
    Category,
    FieldSpec,
    Graduated,
    RasterClasses,
    RasterRamp,
    Single,
)
from geo.writers.qml import (
    field_aliases,
    field_widgets,
    geometry_kind,
    qgis_color,
    raster_qml,
    renderer_type,
    vector_qml,
)

STATUS = Categorized(
    "status",
    (
        Category("existing", "#9ecae1", text("existing", "бар", "существующий")),
        Category("destroyed", "#969696", text("destroyed", "қираған", "разрушен")),
    ),
    fill_opacity=0.5,
)
SCORE = Graduated("score", (0.0, 0.3, 0.6, 1.0), ("#d73027", "#fee08b", "#1a9850"), unit="pt")


def _layer(style, values=(0.1, 0.5, 0.9), geoms=None, label=None) -> VectorLayer:
    geoms = geoms or [shapely.box(i, 0, i + 1, 1) for i in range(len(values))]
    gdf = gpd.GeoDataFrame(
        {
            "status": ["existing", "destroyed", "other"][: len(values)],
            "score": list(values),
            "name": ["a", "b", "c"][: len(values)],
        },
        geometry=geoms,
        crs=32642,
    )
    return VectorLayer(
        "zones",
        text("Zones", "Аймақтар", "Зоны"),
        gdf,
        style,
        fields=(
            FieldSpec("score", text("Score", "Балл", "Балл"), unit="pt"),
            FieldSpec("name", text("Name", "Атауы", "Название")),
        ),
        label_field=label,
    )


def _parse(qml: str) -> ET.Element:
    assert qml.startswith("<!DOCTYPE qgis")
    return ET.fromstring(qml.split("\n", 1)[1])


def test_qgis_color() -> None:
    assert qgis_color("#1a9850") == "26,152,80,255"
    assert qgis_color("#fff", 0.5) == "255,255,255,128"
    with pytest.raises(ValueError, match="hex colour"):
        qgis_color("red")


def test_single_polygon_fill_outline_and_dash() -> None:
    root = _parse(
        vector_qml(
            _layer(Single("#ff0000", outline="#0000ff", width=2.0, fill_opacity=0.25, dash="4 4")),
            "en",
        )
    )
    r = root.find("renderer-v2")
    assert r is not None and r.get("type") == "singleSymbol"
    props = {p.get("k"): p.get("v") for p in root.iter("prop")}
    assert props["color"] == "255,0,0,64"
    assert props["outline_color"] == "0,0,255,255"
    assert props["outline_width"] == "0.52"  # 2 px × 0.26 mm
    assert props["outline_style"] == "dash"


def test_single_line_and_point_symbols() -> None:
    line = _layer(
        Single("#2171b5", width=2.0, fill=False, dash="6 4"),
        geoms=[shapely.LineString([(0, 0), (1, 1)])] * 3,
    )
    root = _parse(vector_qml(line, "en"))
    props = {p.get("k"): p.get("v") for p in root.iter("prop")}
    assert root.find(".//symbol").get("type") == "line"
    assert (props["line_color"], props["use_custom_dash"], props["customdash"]) == (
        "33,113,181,255",
        "1",
        "1.56;1.04",
    )
    pts = _layer(Single("#d7301f", radius=4.0), geoms=[shapely.Point(0, 0)] * 3)
    props = {p.get("k"): p.get("v") for p in _parse(vector_qml(pts, "en")).iter("prop")}
    assert (props["name"], props["size"]) == ("circle", "2.08")


def test_categorized_values_labels_in_language_and_other_class() -> None:
    root = _parse(vector_qml(_layer(STATUS), "kk"))
    r = root.find("renderer-v2")
    assert r.get("type") == "categorizedSymbol" and r.get("attr") == "status"
    cats = [(c.get("value"), c.get("label")) for c in r.iter("category")]
    assert cats == [("existing", "бар"), ("destroyed", "қираған"), ("", "басқа мәндер")]
    colours = [s.find("layer/prop[@k='color']").get("v") for s in r.find("symbols")]
    assert colours == ["158,202,225,128", "150,150,150,128", "187,187,187,128"]


def test_graduated_same_breaks_and_colours() -> None:
    root = _parse(vector_qml(_layer(SCORE, values=(0.1, 0.5, 0.9)), "ru"))
    r = root.find("renderer-v2")
    assert r.get("type") == "graduatedSymbol"
    ranges = [
        (float(x.get("lower")), float(x.get("upper")), x.get("label")) for x in r.iter("range")
    ]
    assert ranges == [
        (0.0, 0.3, "0 – 0.30 pt"),
        (0.3, 0.6, "0.30 – 0.60 pt"),
        (0.6, 1.0, "0.60 – 1 pt"),
    ]
    colours = [s.find("layer/prop[@k='color']").get("v") for s in r.find("symbols")]
    assert colours == ["215,48,39,178", "254,224,139,178", "26,152,80,178"]  # 0.7 opacity


def test_graduated_becomes_rules_when_a_value_sits_on_a_break() -> None:
    assert renderer_type(SCORE, [0.1, 0.5]) == "graduatedSymbol"
    assert renderer_type(SCORE, [0.3]) == "RuleRenderer"  # QGIS would put 0.3 in the lower class
    assert renderer_type(SCORE, [float("nan")]) == "RuleRenderer"  # missing → nan_color
    assert renderer_type(SCORE, [1.5]) == "RuleRenderer"
    root = _parse(vector_qml(_layer(SCORE, values=(0.1, 0.3, 1.0)), "en"))
    rules = [(x.get("filter"), x.get("label")) for x in root.iter("rule")]
    assert rules == [
        ('"score" >= 0 AND "score" < 0.3', "0 – 0.30 pt"),
        ('"score" >= 0.3 AND "score" < 0.6', "0.30 – 0.60 pt"),
        ('"score" >= 0.6 AND "score" <= 1', "0.60 – 1 pt"),
        ("ELSE", "no data"),
    ]


def test_labels_aliases_and_map_tip() -> None:
    root = _parse(vector_qml(_layer(STATUS, label="name"), "kk"))
    assert root.get("labelsEnabled") == "1"
    ts = root.find("labeling/settings/text-style")
    assert ts.get("fieldName") == "name"
    assert root.find("labeling/settings/placement").get("layerType") == "PolygonGeometry"
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    # the layer's own fields, then the shared alias of a column it does not list
    assert aliases == {"score": "Балл (pt)", "name": "Атауы", "status": "Жоспарлау мәртебесі"}
    assert root.findtext("previewExpression") == '"name"'
    assert "Аймақтар" in root.findtext("mapTip")


def test_style_field_missing_is_named() -> None:
    with pytest.raises(KeyError, match="style field 'nope'"):
        vector_qml(_layer(Categorized("nope", ())), "en")


def test_geometry_kind() -> None:
    assert geometry_kind(["Point", "MultiPoint"]) == "point"
    assert geometry_kind(["MultiLineString"]) == "line"
    with pytest.raises(ValueError, match="mixes geometry types"):
        geometry_kind(["Point", "Polygon"])


def test_raster_styles() -> None:
    pal = _parse(
        raster_qml(
            RasterClasses((1, 2), ("#ff0000", "#00ff00"), (text("low", "төмен", "низкий"), "high")),
            "kk",
        )
    )
    rr = pal.find("pipe/rasterrenderer")
    assert rr.get("type") == "paletted"
    assert [(e.get("value"), e.get("color"), e.get("label")) for e in rr.iter("paletteEntry")] == [
        ("1", "#ff0000", "төмен"),
        ("2", "#00ff00", "high"),
    ]
    ramp = _parse(
        raster_qml(
            RasterRamp(
                (0.0, 0.5, 2.0), ("#ffffb2", "#fd8d3c", "#bd0026"), unit="mg/m³", opacity=0.6
            ),
            "en",
        )
    )
    rr = ramp.find("pipe/rasterrenderer")
    assert (rr.get("type"), rr.get("opacity"), rr.get("classificationMax")) == (
        "singlebandpseudocolor",
        "0.6",
        "2",
    )
    items = [(i.get("value"), i.get("color"), i.get("alpha")) for i in rr.iter("item")]
    # a light-to-dark ramp fades out at its first stop, as on the HTML map and the sheets
    assert items == [("0", "#ffffb2", "0"), ("0.5", "#fd8d3c", "255"), ("2", "#bd0026", "255")]
    assert rr.find(".//colorrampshader").get("colorRampType") == "INTERPOLATED"
    diverging = _parse(raster_qml(RasterRamp((0.0, 1.0), ("#d73027", "#1a9850")), "en"))
    assert [i.get("alpha") for i in diverging.iter("item")] == ["255", "255"]


def test_nan_label_and_text_units() -> None:
    style = Graduated(
        "score",
        (0.0, 0.3, 0.6, 1.0),
        ("#d73027", "#fee08b", "#1a9850"),
        nan_label=text("not surveyed", "зерттелмеген", "не обследовано"),
    )
    layer = _layer(style, values=(0.1, float("nan")))
    layer.fields = (
        FieldSpec("score", text("Score", "Балл", "Балл"), unit=text("points", "ұпай", "баллы")),
    )
    root = _parse(vector_qml(layer, "kk"))
    rules = [(x.get("filter"), x.get("label")) for x in root.iter("rule")]
    assert rules[-1] == ("ELSE", "зерттелмеген")
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["score"] == "Балл (ұпай)"


def test_labels_use_the_name_in_the_build_language() -> None:
    layer = _layer(SCORE, label="name")
    layer.data["name_kk"] = ["а", "ә", None]
    ts = _parse(vector_qml(layer, "kk")).find("labeling/settings/text-style")
    assert (ts.get("fieldName"), ts.get("isExpression")) == ('coalesce("name_kk", "name")', "1")
    ts = _parse(vector_qml(layer, "ru")).find("labeling/settings/text-style")
    assert (ts.get("fieldName"), ts.get("isExpression")) == ("name", "0")


# --------------------------------------------------------------------------- fields in QGIS


def _coded_layer() -> VectorLayer:
    gdf = gpd.GeoDataFrame(
        {
            "material": ["cast_iron", "steel", "bamboo"],
            "status": ["existing", "destroyed", "existing"],
            "kind": ["a", "b", "a"],
            "kind_ru": ["вид А", "вид Б", "вид А"],
            "install_year": [1968.0, float("nan"), 2001.0],
            "synthetic": [True, True, False],
            "note": ["x", "y", "z"],
            "custom": ["p", "q", "p"],
        },
        geometry=[shapely.Point(i, 0) for i in range(3)],
        crs=4326,
    )
    return VectorLayer(
        "pipes",
        text("Pipes", "Құбырлар", "Трубы"),
        gdf,
        STATUS,
        aliases={"note": text("Note", "Ескертпе", "Примечание")},
        value_maps={"custom": {"p": text("P", "П (kk)", "П (ru)")}},
    )


def test_every_column_gets_an_alias_from_its_layer_or_the_shared_glossary() -> None:
    layer = _coded_layer()
    cols = [c for c in layer.data.columns if c != "geometry"]
    aliases = field_aliases(layer, "ru", cols)
    assert aliases["material"] == "Материал" and aliases["install_year"] == "Год прокладки"
    assert aliases["note"] == "Примечание"  # the layer's own alias of a column not in popups
    assert aliases["synthetic"] == "Синтетические"
    # no translation anywhere: no alias (QGIS shows the column name), caught by the atlas test
    assert "custom" not in aliases
    assert aliases["kind_ru"] == "Вид (по-русски)"  # a column of values in one language


def test_coded_columns_get_value_maps_in_the_language() -> None:
    layer = _coded_layer()
    cols = [c for c in layer.data.columns if c != "geometry"]
    w = field_widgets(layer, "kk", cols)
    # "kind" pairs with kind_ru only: a map in a Russian build, none in a Kazakh one
    assert set(w) == {"material", "status", "install_year", "synthetic", "custom"}
    material = {code: label for label, code in w["material"][1]["map"]}
    # every shared code, and a code of the data the glossary does not know keeps its text
    assert material["cast_iron"] == "шойын" and material["bamboo"] == "bamboo"
    assert set(material) == set(CODES["material"]) | {"bamboo"}
    status = {code: label for label, code in w["status"][1]["map"]}
    assert status["destroyed"] == "қираған"  # the layer's own classes beat the shared labels
    assert {c: lab for lab, c in field_widgets(layer, "ru", cols)["kind"][1]["map"]} == {
        "a": "вид А",
        "b": "вид Б",
    }  # from the column beside it in the build's language
    assert w["custom"] == ("ValueMap", {"map": [("П (kk)", "p"), ("q", "q")]})
    assert w["synthetic"] == ("ValueMap", {"map": [("иә", "true"), ("жоқ", "false")]})
    # years drawn as 1968, not with the locale's thousands separator
    assert w["install_year"] == ("DateTime", {"display_format": "yyyy", "field_format": "yyyy"})


def test_value_maps_and_aliases_reach_the_qml() -> None:
    root = _parse(vector_qml(_coded_layer(), "ru"))
    fields = {f.get("name"): f.find("editWidget") for f in root.iter("field")}
    material = fields["material"]
    assert material.get("type") == "ValueMap"
    entries = {
        o.get("value"): o.get("name")
        for o in material.findall("config/Option/Option/Option/Option")
    }
    assert entries["cast_iron"] == "чугун" and entries["asbestos_cement"] == "асбестоцемент"
    year = {o.get("name"): o.get("value") for o in fields["install_year"].iter("Option")}
    assert fields["install_year"].get("type") == "DateTime" and year["display_format"] == "yyyy"
    assert "Forms" in root.get("styleCategories").split("|")
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["material"] == "Материал"


def test_integer_ids_are_never_grouped_by_thousands_in_qgis() -> None:
    """A GeoNames id or an EPSG code shows as its digits (1516788), as QGIS 3.22 cannot be told
    to leave out the locale's group separator for an integer column otherwise."""
    gdf = gpd.GeoDataFrame(
        {
            "geonameid": [1516788, 1522751, 1516788],
            "utm_epsg": [32642, 32642, 32643],
            "population": [21000, 27000, 35000],  # a count: grouped as the locale says
            "number": [1, 2, 3],
        },
        geometry=[shapely.Point(i, 0) for i in range(3)],
        crs=4326,
    )
    layer = VectorLayer("towns", text("Towns", "Қалалар", "Города"), gdf, Single("#000000"))
    root = _parse(vector_qml(layer, "kk"))
    widgets = {f.get("name"): f.find("editWidget") for f in root.iter("field")}
    assert {n: w.get("type") for n, w in widgets.items()} == {
        "geonameid": "ValueMap",
        "utm_epsg": "ValueMap",
    }
    for name, codes in (("geonameid", {"1516788", "1522751"}), ("utm_epsg", {"32642", "32643"})):
        entries = {
            o.get("value"): o.get("name")
            for o in widgets[name].findall("config/Option/Option/Option/Option")
        }
        assert entries == {c: c for c in codes}, name


def test_shared_glossary_is_translated_in_every_language() -> None:
    for name, alias in FIELDS.items():
        check_text(alias, f"field {name}")
    for column, codes in CODES.items():
        for code, label in codes.items():
            check_text(label, f"code {column}={code}")
    assert FIELDS["install_year"]["kk"] == "Салынған жылы"
