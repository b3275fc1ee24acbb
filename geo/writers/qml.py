"""QGIS styles (QML) built from the atlas symbology, without QGIS.

One :mod:`geo.symbology` object drives the HTML maps, the PNG sheets and the
QGIS styles written here, so a class break or a colour is defined once:

- :class:`~geo.symbology.Single` → ``singleSymbol`` renderer;
- :class:`~geo.symbology.Categorized` → ``categorizedSymbol`` (plus an
  "all other values" class in ``other_color``);
- :class:`~geo.symbology.Graduated` → ``graduatedSymbol`` with the same breaks
  and colours. QGIS ranges include both ends (a value on a break falls in the
  lower class) while the atlas classes are ``lower <= v < upper``; when a layer
  holds a value exactly on an inner break, or missing/out-of-range values
  (drawn in ``nan_color`` on the HTML map), a ``RuleRenderer`` with the exact
  half-open filters is written instead, so QGIS colours every feature as the
  HTML map does;
- :class:`~geo.symbology.RasterRamp` → ``singlebandpseudocolor`` pipe,
  :class:`~geo.symbology.RasterClasses` → ``paletted`` pipe.

Labels come from :attr:`VectorLayer.label_field`, field aliases (in the
build's language, with units) from :attr:`VectorLayer.fields`. Widths and
sizes are given in Leaflet pixels by the symbology and converted to
millimetres (1 px = 0.26 mm at 96 dpi).

The XML follows what QGIS 3.22 writes (checked by loading every style in
QGIS in ``tests/test_qgis.py``); only the elements the atlas needs are
written, QGIS fills the rest with its defaults.
"""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from geo.errors import RepairWarning
from geo.i18n import field_alias, message, text, tr
from geo.results import VectorLayer
from geo.symbology import (
    Categorized,
    Graduated,
    RasterClasses,
    RasterRamp,
    Single,
    VectorStyle,
)
from geo.writers.geometry import layer_family
from geo.writers.legend import (
    code_map,
    code_text,
    fades_to_transparent,
    is_year,
    local_column,
    nan_label,
)

__all__ = [
    "QGIS_VERSION",
    "field_aliases",
    "field_widgets",
    "geometry_kind",
    "qgis_color",
    "raster_pipe",
    "raster_qml",
    "renderer_type",
    "to_xml",
    "vector_qml",
    "vector_style_elements",
    "xml_safe",
]

#: Version string written into the QML/QGS root (the oldest QGIS the files were checked with).
QGIS_VERSION = "3.22.16-Białowieża"

#: Millimetres per Leaflet pixel (96 dpi).
MM_PER_PX = 0.26

OTHER = text("other values", "басқа мәндер", "прочие значения")

_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"


# --------------------------------------------------------------------------- helpers


def qgis_color(color: str, alpha: float = 1.0) -> str:
    """Convert ``#rrggbb`` (or ``#rgb``/``#rrggbbaa``) and an opacity to QGIS ``r,g,b,a``.

    Examples
    --------
    >>> qgis_color("#ff8000", 0.5)
    '255,128,0,128'
    """
    c = color.strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) not in (6, 8) or any(ch not in "0123456789abcdefABCDEF" for ch in c):
        msg = f"colour {color!r} is not #rrggbb; write it as a hex colour like '#1a9850'"
        raise ValueError(msg)
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    base_alpha = int(c[6:8], 16) / 255 if len(c) == 8 else 1.0
    a = round(max(0.0, min(1.0, alpha * base_alpha)) * 255)
    return f"{r},{g},{b},{a}"


def _hex(color: str) -> str:
    r, g, b, _ = qgis_color(color).split(",")
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def _num(v: float) -> str:
    """Shortest exact text of a number (``1``, ``1.5``, ``0.1``)."""
    f = float(v)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _mm(px: float) -> str:
    return _num(round(px * MM_PER_PX, 4))


def subelement(
    parent: ET.Element, tag: str, attrib: dict[str, str] | None = None, txt: str | None = None
) -> ET.Element:
    """Append a child element (with optional text) to *parent*; shared by the project writer."""
    el = ET.SubElement(parent, tag, attrib or {})
    if txt is not None:
        el.text = txt
    return el


def _props(layer: ET.Element, props: dict[str, str]) -> None:
    """Write symbol-layer properties both as ``<Option>`` map (QGIS ≥ 3.20) and ``<prop>`` (older)."""
    opt = subelement(layer, "Option", {"type": "Map"})
    for k in sorted(props):
        subelement(opt, "Option", {"type": "QString", "name": k, "value": props[k]})
    for k in sorted(props):
        subelement(layer, "prop", {"k": k, "v": props[k]})


def _quote_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF)."""


def xml_safe(text: str) -> str:
    """*text* without the characters XML cannot carry (each becomes U+FFFD).

    Examples
    --------
    >>> xml_safe("Zhanatas\x01 <map> & \x08")
    'Zhanatas\ufffd <map> & \ufffd'
    """
    return _NOT_XML.sub("\ufffd", text)


def to_xml(element: ET.Element) -> str:
    """Serialise *element* as a QGIS document (DOCTYPE + indented XML).

    Text from recipes and data may hold characters XML cannot carry (U+0001 in a
    title): they are replaced by U+FFFD, with a warning, so every document stays
    well-formed and loads in QGIS. Markup characters are escaped by the serialiser.
    """
    replaced = 0
    for el in element.iter():
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if value and _NOT_XML.search(value):
                replaced += len(_NOT_XML.findall(value))
                setattr(el, attr, xml_safe(value))
        for key, value in el.attrib.items():
            if _NOT_XML.search(value):
                replaced += len(_NOT_XML.findall(value))
                el.attrib[key] = xml_safe(value)
    if replaced:
        warnings.warn(
            "replaced the characters XML cannot carry (control characters) in the QGIS "
            "styles and project with U+FFFD; remove them from the recipe or layer text",
            RepairWarning,
            stacklevel=2,
        )
    ET.indent(element, "  ")
    return _DOCTYPE + ET.tostring(element, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- geometry


def geometry_kind(data: Any) -> str:
    """Return ``"point"``, ``"line"`` or ``"polygon"`` for a GeoDataFrame (or geometry types).

    Empty layers and layers without geometries count as polygons (see
    :func:`geo.writers.geometry.layer_family`).

    Raises
    ------
    ValueError
        If the layer mixes geometry families (points with polygons...).
    """
    return layer_family(data)


# --------------------------------------------------------------------------- symbols


class _Look(NamedTuple):
    """How a symbol is drawn besides its colour (taken from the layer's style)."""

    outline: str
    width: float
    fill_opacity: float
    radius: float
    dash: str | None = None
    fill: bool = True


def _symbol(kind: str, name: str, color: str, look: _Look) -> ET.Element:
    """One QGIS symbol (fill, line or marker) in the atlas look."""
    outline, width, fill_opacity, radius, dash, fill = look
    sym_type = {"polygon": "fill", "line": "line", "point": "marker"}[kind]
    sym = ET.Element(
        "symbol",
        {"alpha": "1", "clip_to_extent": "1", "force_rhr": "0", "name": name, "type": sym_type},
    )
    if kind == "polygon":
        layer = subelement(
            sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
        )
        _props(
            layer,
            {
                "color": qgis_color(color, fill_opacity if fill else 0.0),
                "style": "solid" if fill else "no",
                "outline_color": qgis_color(outline),
                "outline_style": "dash" if dash else "solid",
                "outline_width": _mm(width),
                "outline_width_unit": "MM",
                "joinstyle": "round",
                "offset": "0,0",
                "offset_unit": "MM",
            },
        )
    elif kind == "line":
        layer = subelement(
            sym, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"}
        )
        props = {
            "line_color": qgis_color(color),
            "line_style": "solid",
            "line_width": _mm(width),
            "line_width_unit": "MM",
            "capstyle": "round",
            "joinstyle": "round",
            "use_custom_dash": "0",
            "customdash": "5;2",
            "customdash_unit": "MM",
            "offset": "0",
            "offset_unit": "MM",
        }
        if dash:
            parts = [float(p) for p in dash.replace(",", " ").split()]
            props["use_custom_dash"] = "1"
            props["customdash"] = ";".join(_mm(p) for p in parts)
        _props(layer, props)
    else:
        layer = subelement(
            sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"}
        )
        _props(
            layer,
            {
                "name": "circle",
                "color": qgis_color(color, fill_opacity),
                "outline_color": qgis_color(outline),
                "outline_style": "solid",
                "outline_width": _mm(width),
                "outline_width_unit": "MM",
                "size": _mm(2 * radius),
                "size_unit": "MM",
                "scale_method": "diameter",
                "angle": "0",
                "offset": "0,0",
                "offset_unit": "MM",
                "horizontal_anchor_point": "1",
                "vertical_anchor_point": "1",
                "joinstyle": "bevel",
            },
        )
    return sym


def _class_symbol(style: Categorized | Graduated, kind: str, name: str, color: str) -> ET.Element:
    return _symbol(
        kind, name, color, _Look(style.outline, style.width, style.fill_opacity, style.radius)
    )


def _category_value(v: Any) -> str:
    """Text QGIS compares a category against (``QVariant::toString``)."""
    return code_text(v)


# --------------------------------------------------------------------------- renderers


def _graduated_needs_rules(style: Graduated, values: Sequence[Any] | None) -> bool:
    """True when QGIS's inclusive ranges would colour some value differently."""
    if values is None:
        return False
    arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)
    if np.isnan(arr).any():
        return True
    lo, hi = style.breaks[0], style.breaks[-1]
    if ((arr < lo) | (arr > hi)).any():
        return True
    inner = np.asarray(style.breaks[1:-1], dtype=float)
    return bool(np.isin(arr, inner).any())


def renderer_type(style: VectorStyle, values: Sequence[Any] | None = None) -> str:
    """Name of the QGIS renderer written for *style* (and the layer's field *values*).

    Examples
    --------
    >>> renderer_type(Single("#ff0000"))
    'singleSymbol'
    >>> g = Graduated("v", (0, 1, 2), ("#ffffff", "#000000"))
    >>> renderer_type(g, [0.5, 1.5]), renderer_type(g, [0.5, 1.0])
    ('graduatedSymbol', 'RuleRenderer')
    """
    if isinstance(style, Single):
        return "singleSymbol"
    if isinstance(style, Categorized):
        return "categorizedSymbol"
    if isinstance(style, Graduated):
        return "RuleRenderer" if _graduated_needs_rules(style, values) else "graduatedSymbol"
    msg = f"no QGIS renderer for style {type(style).__name__}"
    raise TypeError(msg)


def _renderer(style: VectorStyle, kind: str, lang: str, values: Sequence[Any] | None) -> ET.Element:
    rtype = renderer_type(style, values)
    r = ET.Element(
        "renderer-v2",
        {
            "type": rtype,
            "symbollevels": "0",
            "forceraster": "0",
            "enableorderby": "0",
            "referencescale": "-1",
        },
    )
    if isinstance(style, Single):
        symbols = subelement(r, "symbols")
        look = _Look(
            style.outline, style.width, style.fill_opacity, style.radius, style.dash, style.fill
        )
        symbols.append(_symbol(kind, "0", style.color, look))
    elif isinstance(style, Categorized):
        _categories(r, style, kind, lang)
    elif isinstance(style, Graduated):
        r.set("attr", style.field)
        if rtype == "graduatedSymbol":
            _ranges(r, style, kind, lang)
        else:
            _rules(r, style, kind, lang)
    subelement(r, "rotation")
    subelement(r, "sizescale")
    return r


def _categories(r: ET.Element, style: Categorized, kind: str, lang: str) -> None:
    """A categorized renderer's categories and symbols, with QGIS's "all other values" class."""
    r.set("attr", style.field)
    cats = subelement(r, "categories")
    symbols = subelement(r, "symbols")
    for i, cat in enumerate(style.categories):
        subelement(
            cats,
            "category",
            {
                "value": _category_value(cat.value),
                "label": tr(cat.label, lang),
                "render": "true",
                "symbol": str(i),
            },
        )
        symbols.append(_class_symbol(style, kind, str(i), cat.color))
    n = len(style.categories)
    # an empty value is QGIS's "all other values" class
    subelement(
        cats,
        "category",
        {"value": "", "label": tr(OTHER, lang), "render": "true", "symbol": str(n)},
    )
    symbols.append(_class_symbol(style, kind, str(n), style.other_color))


def _ranges(r: ET.Element, style: Graduated, kind: str, lang: str) -> None:
    """A graduated renderer's ranges (when QGIS's inclusive ranges colour every value right)."""
    labels = style.class_labels(lang)
    symbols = subelement(r, "symbols")
    r.set("graduatedMethod", "GraduatedColor")
    ranges = subelement(r, "ranges")
    for i, color in enumerate(style.colors):
        subelement(
            ranges,
            "range",
            {
                "lower": _num(style.breaks[i]),
                "upper": _num(style.breaks[i + 1]),
                "label": labels[i],
                "render": "true",
                "symbol": str(i),
            },
        )
        symbols.append(_class_symbol(style, kind, str(i), color))
    subelement(r, "classificationMethod", {"id": "Custom"})


def _rules(r: ET.Element, style: Graduated, kind: str, lang: str) -> None:
    """Graduated classes as rules (half-open intervals, and an ELSE rule for no data)."""
    labels = style.class_labels(lang)
    symbols = subelement(r, "symbols")
    rules = subelement(r, "rules", {"key": "root"})
    f = _quote_field(style.field)
    last = len(style.colors) - 1
    for i, color in enumerate(style.colors):
        lo, hi = _num(style.breaks[i]), _num(style.breaks[i + 1])
        op = "<=" if i == last else "<"
        subelement(
            rules,
            "rule",
            {
                "key": f"class_{i}",
                "filter": f"{f} >= {lo} AND {f} {op} {hi}",
                "label": labels[i],
                "symbol": str(i),
            },
        )
        symbols.append(_class_symbol(style, kind, str(i), color))
    subelement(
        rules,
        "rule",
        {
            "key": "else",
            "filter": "ELSE",
            "label": nan_label(style, lang),
            "symbol": str(last + 1),
        },
    )
    symbols.append(_class_symbol(style, kind, str(last + 1), style.nan_color))


# --------------------------------------------------------------------------- labels, fields


def _labeling(field: str, kind: str, local: str | None = None) -> ET.Element:
    lab = ET.Element("labeling", {"type": "simple"})
    settings = subelement(lab, "settings", {"calloutType": "simple"})
    # the name in the build's language (name_kk ...) where the layer has it
    expr = f"coalesce({_quote_field(local)}, {_quote_field(field)})" if local else field
    style = subelement(
        settings,
        "text-style",
        {
            "fieldName": expr,
            "isExpression": "1" if local else "0",
            "fontSize": "9" if kind != "point" else "8",
            "fontSizeUnit": "Point",
            "fontWeight": "50",
            "namedStyle": "Regular",
            "textColor": "40,40,40,255",
            "textOpacity": "1",
            "multilineHeight": "1",
            "capitalization": "0",
            "allowHtml": "0",
        },
    )
    subelement(
        style,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.8",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "0.85",
            "bufferNoFill": "1",
            "bufferJoinStyle": "128",
        },
    )
    # 6 = cartographic positions around a point, 2 = parallel to lines, 1 = over the centroid
    placement = {"point": "6", "line": "2", "polygon": "1"}[kind]
    layer_type = {"point": "PointGeometry", "line": "LineGeometry", "polygon": "PolygonGeometry"}[
        kind
    ]
    subelement(
        settings,
        "placement",
        {
            "placement": placement,
            "placementFlags": "10",
            "dist": "1" if kind == "point" else "0",
            "distUnits": "MM",
            "layerType": layer_type,
            "centroidInside": "1",
            "priority": "5",
            "offsetType": "0",
            "quadOffset": "4",
        },
    )
    subelement(
        settings,
        "rendering",
        {
            "drawLabels": "1",
            "obstacle": "1",
            "obstacleFactor": "1",
            "obstacleType": "1",
            "displayAll": "0",
            "upsidedownLabels": "0",
            "labelPerPart": "0",
            "mergeLines": "1" if kind == "line" else "0",
            "limitNumLabels": "0",
            "maxNumLabels": "2000",
            "minFeatureSize": "0",
            "scaleVisibility": "0",
            "fontLimitPixelSize": "0",
            "zIndex": "0",
        },
    )
    return lab


def _alias(layer: VectorLayer, lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in layer.fields:
        alias = tr(spec.alias, lang)
        unit = tr(spec.unit, lang) if spec.unit else ""  # a plain string or a text
        out[spec.name] = f"{alias} ({unit})" if unit else alias
    return out


def field_aliases(layer: VectorLayer, lang: str, columns: Sequence[str]) -> dict[str, str]:
    """Alias of each of *columns* in *lang*: the layer's FieldSpec, its ``aliases``, else the shared one.

    A column with none of these gets no alias (QGIS then shows the column name);
    ``tests/test_qgis_atlas.py`` fails on such a column of the atlas.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"install_year": [1968]}, geometry=[shapely.Point(0, 0)], crs=4326)
    >>> lyr = VectorLayer("p", text("P", "P", "P"), gdf, Single("#ff0000"))
    >>> field_aliases(lyr, "ru", ["install_year", "odd"])
    {'install_year': 'Год прокладки'}
    """
    own = _alias(layer, lang)
    out: dict[str, str] = {}
    for col in map(str, columns):
        found = _one_alias(layer, own, col, lang)
        if found is None and col[-3:] in _IN_LANGUAGE:  # town_kk: "Town (in Kazakh)"
            base = _one_alias(layer, own, col[:-3], lang)
            if base is not None:
                found = f"{base} ({tr(_IN_LANGUAGE[col[-3:]], lang)})"
        if found is not None:
            out[col] = found
    return out


_IN_LANGUAGE = {
    "_kk": text("in Kazakh", "қазақша", "по-казахски"),
    "_ru": text("in Russian", "орысша", "по-русски"),
    "_en": text("in English", "ағылшынша", "по-английски"),
}
"""The words for a column holding another's values in one language (``town_kk``)."""


def _one_alias(layer: VectorLayer, own: Mapping[str, str], col: str, lang: str) -> str | None:
    if col in own:
        return own[col]
    if col in layer.aliases:
        return tr(layer.aliases[col], lang)
    shared = field_alias(col)
    return None if shared is None else tr(shared, lang)


_INTEGER_ID = re.compile(r"(^|_)(id|epsg|geonameid)$")
"""Integer columns that identify something (never grouped by thousands)."""


def field_widgets(
    layer: VectorLayer, lang: str, columns: Sequence[str]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """QGIS editor widget of each coded, yes/no or year column: ``(type, config)``.

    - a coded column gets a ``ValueMap`` (code → label in *lang*): the layer's
      ``value_maps``, its Categorized classes, a ``<column>_<lang>`` column beside
      it, or :data:`geo.i18n.CODES`; values in the data without a label keep
      their own text, so every value shows;
    - a boolean column a ``ValueMap`` of yes/no;
    - a year (``install_year``) a ``DateTime`` widget showing ``yyyy``: with
      *Show group separator* on (Options → General → Locale), QGIS 3.22 draws
      numbers with the locale's thousands separator ("1 968") and its Range
      widget cannot switch that off;
    - an integer id or code (``geonameid``, ``utm_epsg``, ``*_id``) a ``ValueMap``
      of each of its values to its own digits, for the same reason (1516788,
      not "1 516 788"): no other widget of QGIS 3.22 shows an integer unformatted.

    Returns
    -------
    dict
        Column → (widget type, config as plain values) in column order; the
        ``map`` of a ValueMap is a list of (label, code) pairs in code order.
    """
    data = layer.data
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for col in map(str, columns):
        series = data[col]
        if pd.api.types.is_bool_dtype(series):
            yes, no = message("yes", lang), message("no", lang)
            out[col] = ("ValueMap", {"map": [(yes, "true"), (no, "false")]})
            continue
        if is_year(col) and pd.api.types.is_numeric_dtype(series):
            out[col] = ("DateTime", {"field_format": "yyyy", "display_format": "yyyy"})
            continue
        if _INTEGER_ID.search(col) and pd.api.types.is_integer_dtype(series):
            digits = [str(v) for v in sorted({int(v) for v in series.dropna()})]
            out[col] = ("ValueMap", {"map": [(d, d) for d in digits]})
            continue
        labels = code_map(layer, col, lang)
        if not labels:
            continue
        present = [_category_value(v) for v in series.dropna().unique()]
        for code in sorted(set(present) - set(labels)):
            labels[code] = code
        pairs = [(labels[code], code) for code in sorted(labels)]
        out[col] = ("ValueMap", {"map": pairs})
    return out


def _option(parent: ET.Element, value: Any, name: str | None = None) -> None:
    attrs = {"name": name} if name is not None else {}
    if isinstance(value, bool):
        subelement(
            parent, "Option", {**attrs, "type": "bool", "value": "true" if value else "false"}
        )
    else:
        subelement(parent, "Option", {**attrs, "type": "QString", "value": str(value)})


def _field_configuration(widgets: dict[str, tuple[str, dict[str, Any]]]) -> ET.Element:
    """``<fieldConfiguration>`` with the editor widget of each column that has one."""
    fc = ET.Element("fieldConfiguration")
    for col, (wtype, config) in widgets.items():
        f = subelement(fc, "field", {"configurationFlags": "None", "name": col})
        ew = subelement(f, "editWidget", {"type": wtype})
        opt = subelement(subelement(ew, "config"), "Option", {"type": "Map"})
        for key in sorted(config):
            value = config[key]
            if key == "map" and wtype == "ValueMap":
                lst = subelement(opt, "Option", {"type": "List", "name": "map"})
                for label, code in value:
                    _option(subelement(lst, "Option", {"type": "Map"}), code, label)
            else:
                _option(opt, value, key)
    return fc


def _map_tip(layer: VectorLayer, lang: str, columns: Sequence[str]) -> str:
    aliases = _alias(layer, lang)
    rows = []
    for spec in layer.fields:
        if spec.name in columns:
            value = f"[% {_html_escaped(_quote_field(spec.name))} %]"
            if spec.digits is not None:
                value = f'[% format_number("{spec.name}", {int(spec.digits)}) %]'
            rows.append(
                f"<tr><th align='left'>{_esc(aliases[spec.name])}</th><td>{value}</td></tr>"
            )
    head = f"<b>{_esc(tr(layer.title, lang))}</b>"
    return head + ("<table>" + "".join(rows) + "</table>" if rows else "")


def _html_escaped(expr: str) -> str:
    """A QGIS expression giving *expr* with ``&``, ``<`` and ``>`` escaped (map tips are HTML).

    Examples
    --------
    >>> print(_html_escaped('"name"'))
    replace("name", array('&', '<', '>'), array('&amp;', '&lt;', '&gt;'))
    """
    return f"replace({expr}, array('&', '<', '>'), array('&amp;', '&lt;', '&gt;'))"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vector_style_elements(
    layer: VectorLayer, lang: str, kind: str | None = None
) -> list[ET.Element]:
    """Children of a QGIS vector layer style: renderer, labels, aliases, map tip.

    The same elements go into the QML stored in ``layer_styles`` and into the
    ``<maplayer>`` of the embedded project.

    Parameters
    ----------
    layer : VectorLayer
        The layer (its style, fields, label field and data).
    lang : str
        Language of labels and aliases.
    kind : {"point", "line", "polygon"}, optional
        Geometry family; derived from ``layer.data`` when omitted.

    Returns
    -------
    list of xml.etree.ElementTree.Element
    """
    data = layer.data
    kind = kind or geometry_kind(data)
    columns = (
        [c for c in data.columns if c != data.geometry.name]
        if hasattr(data, "geometry")
        else list(data.columns)
    )
    values = None
    if isinstance(layer.style, Graduated | Categorized):
        if layer.style.field not in columns:
            msg = (
                f"layer {layer.name!r}: style field {layer.style.field!r} is not a column "
                f"(columns: {', '.join(map(str, columns))}); fix the style or the data"
            )
            raise KeyError(msg)
        values = list(data[layer.style.field])
    out = [_renderer(layer.style, kind, lang, values)]
    label = layer.label_field if layer.label_field in columns else None
    if label:
        out.append(_labeling(label, kind, local_column(columns, label, lang)))
    out.append(_field_configuration(field_widgets(layer, lang, columns)))
    aliases = field_aliases(layer, lang, columns)
    el = ET.Element("aliases")
    for col in columns:
        if col in aliases:
            subelement(el, "alias", {"field": str(col), "name": aliases[col]})
    out.append(el)
    display = label or next((f.name for f in layer.fields if f.name in columns), None)
    out.append(_el("previewExpression", _quote_field(display) if display else ""))
    out.append(_el("mapTip", _map_tip(layer, lang, columns)))
    out.append(_el("blendMode", "0"))
    out.append(_el("featureBlendMode", "0"))
    out.append(_el("layerOpacity", "1"))
    legend = ET.Element("legend", {"type": "default-vector", "showLabelLegend": "0"})
    out.append(legend)
    return out


def _el(tag: str, txt: str) -> ET.Element:
    el = ET.Element(tag)
    el.text = txt
    return el


def vector_qml(layer: VectorLayer, lang: str, kind: str | None = None) -> str:
    """Complete QML document for *layer* (what QGIS's "Save Style…" writes).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geo.i18n import text
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326)
    >>> lyr = VectorLayer("p", text("P", "P", "P"), gdf, Single("#ff0000"))
    >>> 'type="singleSymbol"' in vector_qml(lyr, "en")
    True
    """
    kind = kind or geometry_kind(layer.data)
    root = ET.Element(
        "qgis",
        {
            "version": QGIS_VERSION,
            "styleCategories": "Symbology|Labeling|Fields|Forms|MapTips|Rendering",
            "labelsEnabled": "1"
            if layer.label_field and layer.label_field in layer.data.columns
            else "0",
            "hasScaleBasedVisibilityFlag": "0",
            "minScale": "100000000",
            "maxScale": "0",
        },
    )
    root.extend(vector_style_elements(layer, lang, kind))
    return to_xml(root)


# --------------------------------------------------------------------------- rasters


def _min_max_origin(parent: ET.Element) -> None:
    mmo = subelement(parent, "minMaxOrigin")
    subelement(mmo, "limits", txt="None")
    subelement(mmo, "extent", txt="WholeRaster")
    subelement(mmo, "statAccuracy", txt="Estimated")
    subelement(mmo, "cumulativeCutLower", txt="0.02")
    subelement(mmo, "cumulativeCutUpper", txt="0.98")
    subelement(mmo, "stdDevFactor", txt="2")


def raster_pipe(style: RasterRamp | RasterClasses, lang: str) -> ET.Element:
    """The ``<pipe>`` of a raster layer: pseudocolour ramp or paletted classes.

    Long (about 100 lines) because it spells out QGIS's pipe element by
    element, in the order QGIS 3.22 writes it; there is no logic to split.

    Parameters
    ----------
    style : RasterRamp or RasterClasses
        Colour stops or classes of the layer.
    lang : str
        Language of class labels.

    Returns
    -------
    xml.etree.ElementTree.Element
    """
    pipe = ET.Element("pipe")
    classes = isinstance(style, RasterClasses)
    method = "nearestNeighbour" if classes else "bilinear"
    prov = subelement(pipe, "provider")
    subelement(
        prov,
        "resampling",
        {
            "enabled": "false",
            "maxOversampling": "2",
            "zoomedInResamplingMethod": "nearestNeighbour",
            "zoomedOutResamplingMethod": "nearestNeighbour",
        },
    )
    if isinstance(style, RasterClasses):
        rr = subelement(
            pipe,
            "rasterrenderer",
            {
                "type": "paletted",
                "band": "1",
                "opacity": _num(style.opacity),
                "alphaBand": "-1",
                "nodataColor": "",
            },
        )
        subelement(rr, "rasterTransparency")
        _min_max_origin(rr)
        pal = subelement(rr, "colorPalette")
        for v, c, lab in zip(style.values, style.colors, style.labels, strict=True):
            subelement(
                pal,
                "paletteEntry",
                {"value": _num(v), "color": _hex(c), "alpha": "255", "label": tr(lab, lang)},
            )
    else:
        vmin, vmax = _num(style.values[0]), _num(style.values[-1])
        rr = subelement(
            pipe,
            "rasterrenderer",
            {
                "type": "singlebandpseudocolor",
                "band": "1",
                "opacity": _num(style.opacity),
                "alphaBand": "-1",
                "nodataColor": "",
                "classificationMin": vmin,
                "classificationMax": vmax,
            },
        )
        subelement(rr, "rasterTransparency")
        _min_max_origin(rr)
        shader = subelement(rr, "rastershader")
        span = abs(float(style.values[-1]) - float(style.values[0])) or 1.0
        precision = max(0, min(6, 2 - math.floor(math.log10(span))))
        crs_ = subelement(
            shader,
            "colorrampshader",
            {
                "colorRampType": "INTERPOLATED",
                "classificationMode": "1",
                "clip": "0",
                "minimumValue": vmin,
                "maximumValue": vmax,
                "labelPrecision": str(precision),
            },
        )
        unit = f" {tr(style.unit, lang)}" if style.unit else ""
        # as on the HTML map and the sheets: a sequential ramp starts transparent at its
        # first stop (clean air, zero cost) and reaches full colour at the second
        fade = fades_to_transparent(style)
        for i, (stop, colour) in enumerate(zip(style.values, style.colors, strict=True)):
            label = f"{float(stop):.{precision}f}{unit}"
            alpha = "0" if fade and i == 0 else "255"
            subelement(
                crs_,
                "item",
                {"value": _num(stop), "color": _hex(colour), "alpha": alpha, "label": label},
            )
    subelement(pipe, "brightnesscontrast", {"brightness": "0", "contrast": "0", "gamma": "1"})
    subelement(
        pipe,
        "huesaturation",
        {
            "saturation": "0",
            "grayscaleMode": "0",
            "invertColors": "0",
            "colorizeOn": "0",
            "colorizeRed": "255",
            "colorizeGreen": "128",
            "colorizeBlue": "128",
            "colorizeStrength": "100",
        },
    )
    subelement(
        pipe,
        "rasterresampler",
        {"maxOversampling": "2", "zoomedInResampler": method}
        if not classes
        else {"maxOversampling": "2"},
    )
    subelement(pipe, "resamplingStage", txt="resamplingFilter")
    return pipe


def raster_qml(style: RasterRamp | RasterClasses, lang: str) -> str:
    """Complete QML document for a raster layer styled by *style*."""
    root = ET.Element(
        "qgis",
        {
            "version": QGIS_VERSION,
            "styleCategories": "Symbology|Rendering",
            "hasScaleBasedVisibilityFlag": "0",
            "minScale": "1e+08",
            "maxScale": "0",
        },
    )
    root.append(raster_pipe(style, lang))
    subelement(root, "blendMode", txt="0")
    return to_xml(root)
