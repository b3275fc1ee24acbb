"""Planner HTML maps: one self-contained folium map per theme, and an index.

:func:`folium_map` returns a theme's map as an :class:`AtlasMap` (a
``folium.Map``) holding one :class:`AtlasLayers` element: the payload of
layers, legends and panels that ``geo/assets/atlas/map.js`` draws on the
map. The atlas pages are these maps written by :func:`offline_page`; an
analyst may add folium elements first. Each page is a single file that opens
without a network connection:

* Leaflet (and the full-screen button) are vendored in ``geo/assets`` and
  inlined by :mod:`geo.writers.offline`; a build fails if anything remote is
  left (:class:`~geo.writers.offline.OfflineAssetError`).
* folium's own plugins serve the planner (:func:`add_map_controls`): a search
  over the base layers' place and micro-district names in every language
  (``Search``'s leaflet-search), measuring in m, km and ha (``MeasureControl``),
  the reader's location (``LocateControl``; denied or offline, a message on the
  map), and an overview map on the page's own hillshade (``MiniMap``, no tiles);
  each raster overlay has an opacity slider in the layer list.
* The base (hillshade, rivers, boundaries, towns) comes from the ``base``
  :class:`~geo.themes.base.ThemeResult`, drawn from local data; an
  OpenStreetMap tile layer is offered as an extra, hidden by default.
* Vector layers are simplified in a metric CRS (topology preserved) and
  rounded to 5 decimals (about 1 m); only the shown fields are embedded.
  Rasters are reprojected to EPSG:3857, coloured by their style and embedded
  as PNG overlays no larger than 1024 px, with transparent no data.
* Every string from the data reaches the page as JSON and is put on screen
  with ``textContent``: a feature named ``<img src=x onerror=alert(1)>`` is
  shown as that text. The only HTML taken from data is the chart column
  named by ``VectorLayer.popup_html``, and only if :func:`sanitize_svg`
  accepts it (plain SVG shapes and text, no scripts, no event handlers, no
  links); otherwise it is shown as text.
* Titles, legends, aliases and interface strings are in the chosen language
  (``en``, ``kk`` or ``ru``).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import logging
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template as FoliumTemplate
from jinja2 import Template
from PIL import Image
from pyproj import CRS, Transformer
from rasterio.warp import transform_bounds

from geo.crs import WGS84
from geo.errors import DataError, InputError
from geo.i18n import LANGUAGE_NAMES, LANGUAGES, UNITS, message, tr
from geo.layerspec import geometry_family
from geo.raster import Raster
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import Categorized, RasterClasses, RasterRamp, Single
from geo.writers.framing import layer_bounds, theme_focus, union_bounds
from geo.writers.geometry import COORD_DECIMALS, prepare_geometries, shape_of
from geo.writers.legend import (
    LegendSpec,
    code_map,
    feature_colors,
    format_number,
    hex_color,
    id_names,
    id_value_maps,
    is_missing,
    is_year,
    legend_for,
    local_value,
    short_title,
    ui,
)
from geo.writers.offline import ASSETS_DIR, check_offline, inline_assets, load_manifest
from geo.writers.offline import json_for_script as _json_for_script
from geo.writers.render import display_rgba
from geo.writers.whatif import add_whatif

__all__ = [
    "MAX_OVERLAY_PX",
    "ONLINE_TILES",
    "AtlasLayers",
    "AtlasMap",
    "AtlasMiniMap",
    "AtlasSearch",
    "add_map_controls",
    "folium_map",
    "offline_page",
    "prepare_geometries",
    "raster_overlay",
    "render_index",
    "render_theme_map",
    "sanitize_svg",
    "theme_payload",
    "write_index",
    "write_theme_map",
]

log = logging.getLogger(__name__)

MAX_OVERLAY_PX = 1024
"""Longest side, in pixels, of a raster overlay embedded in a page."""

ONLINE_TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": "© OpenStreetMap contributors (ODbL)",
}
"""The optional online base layer (off when the page opens; needs internet)."""

LEAFLET_JS = "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://unpkg.com/leaflet@1.9.3/dist/leaflet.css"
FULLSCREEN_JS = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.js"
FULLSCREEN_CSS = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css"

# pane name, z-index, non-interactive
PANES = (
    ("atlas-base-raster", 210, True),
    ("atlas-raster", 220, True),
    ("atlas-base", 400, False),
    ("atlas-theme", 410, False),
    ("atlas-theme-line", 420, False),
    ("atlas-base-point", 430, False),
    ("atlas-theme-point", 440, False),
    ("atlas-labels", 450, True),
)


# --------------------------------------------------------------------------- helpers


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        msg = f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)} (--lang)"
        raise InputError(msg)


_SVG_TAGS = {
    "svg", "g", "rect", "line", "polyline", "polygon", "path", "circle", "ellipse", "text", "tspan",
}  # fmt: skip
# no title/desc/foreignObject: they are HTML integration points inside SVG
_SVG_ATTRS = {
    "xmlns", "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r",
    "rx", "ry", "d", "points", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-opacity", "stroke-dasharray", "opacity", "font-size", "font-family",
    "font-weight", "text-anchor", "dominant-baseline", "transform", "class", "role",
    "aria-label", "preserveaspectratio", "dx", "dy", "shape-rendering",
}  # fmt: skip
_KNOWN_ENTITIES = re.compile(r"&(amp|lt|gt|quot|apos|#39|#x27);")
_SAFE_VALUE = re.compile(r"^[^<>&\"'`\\]*$")


def sanitize_svg(markup: Any) -> str | None:
    """Return *markup* if it is a plain SVG chart, else None.

    Accepted: a single ``<svg>`` element of shapes and text, with presentation
    attributes only. Rejected: scripts, ``foreignObject``, event handlers
    (``on*``), links (``href``), ``style`` and entity tricks.

    Examples
    --------
    >>> sanitize_svg('<svg width="10" height="4"><rect width="5" height="4" fill="#c00"/></svg>') is not None
    True
    >>> sanitize_svg('<svg onload="alert(1)"></svg>') is None
    True
    """
    if not isinstance(markup, str) or not markup.strip().startswith("<svg"):
        return None
    if "<!" in markup or "<?" in markup or "&" in _KNOWN_ENTITIES.sub("", markup):
        return None
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return None
    for node in root.iter():
        tag = node.tag.rsplit("}", 1)[-1].lower()
        if tag not in _SVG_TAGS:
            return None
        for key, value in node.attrib.items():
            name = key.rsplit("}", 1)[-1].lower()
            if name not in _SVG_ATTRS or not _SAFE_VALUE.match(value):
                return None
            if "url(" in value.lower() or "javascript" in value.lower():
                return None
    return markup.strip()


def _format_value(
    value: Any,
    *,
    digits: int | None,
    unit: Any,
    lang: str,
    labels: Mapping[Any, str],
    year: bool = False,
) -> str:
    if is_missing(value):
        return message("no_data", lang)
    if isinstance(value, np.generic):
        value = value.item()
    if labels and (value in labels or str(value) in labels):
        return labels.get(value, labels.get(str(value), str(value)))
    if isinstance(value, bool):
        out = message("yes" if value else "no", lang)
    elif year and isinstance(value, int | float) and float(value).is_integer():
        out = str(int(value))  # 1968, never "1 968"
    elif isinstance(value, int | float):
        out = format_number(value, digits)
    else:
        out = str(value)
    unit_text = tr(unit, lang) if unit else ""  # a plain string, or a text in every language
    return f"{out} {unit_text}" if unit_text else out


def raster_overlay(
    raster: Raster, style: RasterRamp | RasterClasses, *, max_px: int = MAX_OVERLAY_PX
) -> tuple[bytes, tuple[tuple[float, float], tuple[float, float]]]:
    """Colour a raster and reproject it to EPSG:3857 for a Leaflet image overlay.

    Parameters
    ----------
    raster : Raster
        Any CRS; no-data cells (NaN or ``nodata``) become transparent.
    style : RasterRamp or RasterClasses
        Colours (see :func:`geo.writers.legend.ramp_rgba`).
    max_px : int
        Longest side of the image; the source resolution is kept when smaller.

    Returns
    -------
    png : bytes
        Compressed PNG (palette mode for class rasters and grey ramps).
    bounds : ((south, west), (north, east))
        Corners in degrees, as Leaflet wants them.
    """
    dst_crs = CRS.from_epsg(3857)
    left, bottom, right, top = transform_bounds(raster.crs, dst_crs, *raster.bounds, densify_pts=21)
    rows, cols = raster.shape
    # keep about the source cell count along the longer side, capped at max_px
    long_src = max(rows, cols)
    aspect = (right - left) / (top - bottom)
    long_px = min(max_px, long_src)
    if aspect >= 1:
        width, height = long_px, max(1, round(long_px / aspect))
    else:
        width, height = max(1, round(long_px * aspect)), long_px
    dst_transform = Affine((right - left) / width, 0, left, 0, -(top - bottom) / height, top)
    rgba = display_rgba(raster, style, dst_crs, dst_transform, (height, width))
    img = _compact_image(rgba)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6)  # level 9 / optimize: 5x slower, 2 % smaller
    to_ll = Transformer.from_crs(dst_crs, WGS84, always_xy=True)
    w, s = to_ll.transform(left, bottom)
    e, n = to_ll.transform(right, top)
    return buf.getvalue(), ((round(s, 6), round(w, 6)), (round(n, 6), round(e, 6)))


def _compact_image(rgba: np.ndarray) -> Image.Image:
    """Smallest exact PNG mode for *rgba*: palette if it has at most 255 opaque colours."""
    flat = rgba.reshape(-1, 4)
    alpha = flat[:, 3]
    if not np.isin(alpha, (0, 255)).all():
        return Image.fromarray(rgba, mode="RGBA")
    opaque = alpha == 255
    key = (flat[:, 0].astype("uint32") << 16) | (flat[:, 1].astype("uint32") << 8) | flat[:, 2]
    colours = np.unique(key[opaque])
    if len(colours) > 255:
        return Image.fromarray(rgba, mode="RGBA")
    idx = np.zeros(flat.shape[0], dtype="uint8")
    idx[opaque] = (np.searchsorted(colours, key[opaque]) + 1).astype("uint8")
    img = Image.fromarray(idx.reshape(rgba.shape[:2]), mode="P")
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=-1)
    img.putpalette([0, 0, 0, *rgb.astype("uint8").ravel().tolist()])
    img.info["transparency"] = 0
    return img


# --------------------------------------------------------------------------- payload


def _value_labels(
    layer: VectorLayer, field: str, lang: str, ids: Mapping[str, Mapping[str, str]]
) -> dict[Any, str]:
    """Labels in *lang* of a coded *field* (the QGIS value maps' own) and names of the ids it holds."""
    labels: dict[Any, str] = dict(ids.get(field, {}))
    labels.update(code_map(layer, field, lang))
    style = layer.style
    if isinstance(style, Categorized) and style.field == field:
        labels.update({c.value: tr(c.label, lang) for c in style.categories})
    return labels


def _label_zoom(gdf: gpd.GeoDataFrame, shape: str) -> int:
    """Zoom from which a layer's labels are shown: when a typical feature is ~80 px wide.

    Points: always when there are at most 15, else from zoom 10.
    """
    if gdf.empty:
        return 0
    if shape == "point":
        return 0 if len(gdf) <= 15 else 10
    b = gdf.geometry.bounds
    lat = float(np.radians((b["miny"] + b["maxy"]).median() / 2))
    width_m = (
        float(np.median(np.hypot((b["maxx"] - b["minx"]) * math.cos(lat), b["maxy"] - b["miny"])))
        * 111_320
    )
    if width_m <= 0:
        return 12
    z = math.log2(80 * 156_543.03 * math.cos(lat) / width_m)
    return int(min(18, max(0, math.ceil(z))))


def _clusters(
    boxes: list[tuple[float, float, float, float]], gap: float = 0.15
) -> list[tuple[float, float, float, float]]:
    """Merge boxes (w, s, e, n in degrees) closer than *gap* into clusters, largest first."""
    out: list[list[float]] = []
    counts: list[int] = []
    for b in sorted(boxes):
        for i, o in enumerate(out):
            if (
                b[0] <= o[2] + gap
                and o[0] <= b[2] + gap
                and b[1] <= o[3] + gap
                and o[1] <= b[3] + gap
            ):
                out[i] = [min(o[0], b[0]), min(o[1], b[1]), max(o[2], b[2]), max(o[3], b[3])]
                counts[i] += 1
                break
        else:
            out.append(list(b))
            counts.append(1)
    changed = True
    while changed:  # merging can bring clusters together
        changed = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, c = out[i], out[j]
                if (
                    c[0] <= a[2] + gap
                    and a[0] <= c[2] + gap
                    and c[1] <= a[3] + gap
                    and a[1] <= c[3] + gap
                ):
                    out[i] = [min(a[0], c[0]), min(a[1], c[1]), max(a[2], c[2]), max(a[3], c[3])]
                    counts[i] += counts.pop(j)
                    out.pop(j)
                    changed = True
                    break
            if changed:
                break
    order = sorted(range(len(out)), key=lambda k: (-counts[k], out[k]))
    return [(out[k][0], out[k][1], out[k][2], out[k][3]) for k in order]


def _place_names(
    clusters: list[tuple[float, float, float, float]], named: list[tuple[int, str, float, float]]
) -> list[str | None]:
    """Name each cluster after the labelled feature inside it from the layer with fewest features."""
    names: list[str | None] = []
    for w, s, e, n in clusters:
        inside = [c for c in named if w - 0.05 <= c[3] <= e + 0.05 and s - 0.05 <= c[2] <= n + 0.05]
        names.append(min(inside, key=lambda c: c[0])[1] if inside else None)
    return names


def _check_layer(layer: VectorLayer) -> None:
    """Fail early, naming the layer and the fix, if a column the layer shows is missing."""
    where = f"{layer.name!r}"
    for spec in layer.fields:
        if spec.name not in layer.data.columns:
            msg = f"layer {where}: field {spec.name!r} is not in the data (columns: {', '.join(map(str, layer.data.columns))}); fix the FieldSpec or add the column"
            raise DataError(msg)
    for col in (layer.label_field, layer.popup_html):
        if col and col not in layer.data.columns:
            msg = f"layer {where}: column {col!r} is not in the data; fix label_field/popup_html or add the column"
            raise DataError(msg)
    if not isinstance(layer.style, Single) and layer.style.field not in layer.data.columns:
        msg = f"layer {where}: the style uses field {layer.style.field!r}, which is not in the data; fix the style or add the column"
        raise DataError(msg)
    feature_colors(layer.style, pd.DataFrame(layer.data.iloc[:0]), where)  # validates the colours
    hex_color(layer.style.outline, where)


class _FeatureContext(NamedTuple):
    """What every feature of a layer's payload is written with."""

    layer: VectorLayer
    lang: str
    classes: list[int]
    value_labels: dict[str, Any]
    layer_note: str | None


def _label_props(row: Any, layer: VectorLayer, lang: str) -> dict[str, Any]:
    """The feature's label text and where it stands (a point, a line's middle, inside a polygon)."""
    lv = local_value(row, layer.label_field, lang) if layer.label_field else None
    if not layer.label_field or is_missing(lv) or not str(lv).strip():
        return {}
    geom = row.geometry
    text = (
        format_number(lv)
        if isinstance(lv, int | float | np.number) and not isinstance(lv, bool)
        else str(lv)
    )
    if geom.geom_type == "Point":
        lp = geom
    elif geometry_family(geom.geom_type) == "line":
        lp = geom.interpolate(0.5, normalized=True)
    else:
        lp = geom.representative_point()
    return {"l": text, "lp": [round(lp.y, COORD_DECIMALS), round(lp.x, COORD_DECIMALS)]}


def _feature_props(row: Any, i: int, ctx: _FeatureContext) -> dict[str, Any]:
    """A feature's properties in the page: class, values, label, synthetic note, chart."""
    layer, lang = ctx.layer, ctx.lang
    props: dict[str, Any] = {"k": ctx.classes[i]}
    props["v"] = [
        _format_value(
            local_value(row, f.name, lang),
            digits=f.digits,
            unit=f.unit,
            lang=lang,
            labels=ctx.value_labels[f.name],
            year=is_year(f.name),
        )
        for f in layer.fields
    ]
    props.update(_label_props(row, layer, lang))
    if "synthetic" in row.index and not is_missing(row["synthetic"]) and bool(row["synthetic"]):
        props["s"] = 1
        if ctx.layer_note is None and "data_note" in row.index and not is_missing(row["data_note"]):
            props["n"] = str(row["data_note"])
    if layer.popup_html and not is_missing(row[layer.popup_html]):
        raw = row[layer.popup_html]
        safe = sanitize_svg(raw)
        if safe is None:
            log.warning("layer %s: popup chart is not a plain SVG; shown as text", layer.name)
            props["v"].append(str(raw))
        else:
            props["h"] = safe
    return props


def _vector_legend(
    style: Any, title: str, lang: str, types: set[str], gdf: gpd.GeoDataFrame, where: str
) -> LegendSpec:
    """The legend of a theme's vector layer (an outline-only layer: an empty box in its colour)."""
    legend = legend_for(style, title, lang, geom_types=types, data=gdf, where=where)
    if isinstance(style, Single) and not style.fill and legend.shape == "polygon":
        # an outline-only layer: an empty box in its outline colour, as in the layer list
        legend = dataclasses.replace(
            legend,
            items=tuple(dataclasses.replace(it, color="") for it in legend.items),
            outline=hex_color(style.outline, where),
        )
    return legend


def _search_names(gdf: gpd.GeoDataFrame, lang: str) -> list[list[str]] | None:
    """Each feature's names for the search, the page's language first (``name``, else ``label``)."""
    col = "name" if "name" in gdf.columns else "label" if "label" in gdf.columns else None
    if col is None:
        return None
    out: list[list[str]] = []
    for _, row in gdf.iterrows():
        names: dict[str, None] = {}
        for other in (lang, *(lg for lg in LANGUAGES if lg != lang)):
            value = local_value(row, col, other)
            if not is_missing(value) and str(value).strip():
                names.setdefault(str(value).strip(), None)
        out.append(list(names))
    return out if any(out) else None


def _vector_payload(
    layer: VectorLayer,
    lang: str,
    lid: str,
    *,
    base: bool,
    theme_title: str = "",
    names: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[str, Any], LegendSpec | None, np.ndarray]:
    where = f"{layer.name!r}"
    gdf = prepare_geometries(layer.data, what=f"layer {layer.name}")
    palette, index = feature_colors(layer.style, gdf, where)
    types = set(gdf.geom_type) if len(gdf) else set()
    shape = shape_of(types)
    style = layer.style
    s = {
        "outline": hex_color(style.outline, where),
        "width": float(style.width),
        "fill_opacity": float(style.fill_opacity),
        "radius": float(style.radius),
        "dash": style.dash if isinstance(style, Single) else None,
        "fill": bool(style.fill) if isinstance(style, Single) else True,
    }
    ids = id_value_maps(layer, names or {})
    value_labels = {f.name: _value_labels(layer, f.name, lang, ids) for f in layer.fields}
    notes: set[str] = set()
    if "data_note" in gdf.columns:
        notes = {str(v) for v in gdf["data_note"] if not is_missing(v)}
    layer_note = next(iter(notes)) if len(notes) == 1 else None
    ctx = _FeatureContext(layer, lang, index, value_labels, layer_note)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(row.geometry),
            "properties": _feature_props(row, i, ctx),
        }
        for i, (_, row) in enumerate(gdf.iterrows())
    ]
    aliases = [tr(f.alias, lang) for f in layer.fields]
    if layer.popup_html and any(len(f["properties"]["v"]) > len(aliases) for f in features):
        aliases.append(ui("value", lang))
        for f in features:
            f["properties"]["v"] += [""] * (len(aliases) - len(f["properties"]["v"]))
    title = short_title(tr(layer.title, lang), theme_title)
    pane = (
        {"point": "atlas-base-point", "line": "atlas-base", "polygon": "atlas-base"}[shape]
        if base
        else {"point": "atlas-theme-point", "line": "atlas-theme-line", "polygon": "atlas-theme"}[
            shape
        ]
    )
    # the layer-list swatch: the colour most features have (not a pale first class)
    common = max(set(index), key=lambda k: (index.count(k), -k)) if index else 0
    sw_colour = palette[common] if (shape != "polygon" or s["fill"]) else None
    payload = {
        "id": lid,
        "kind": "vector",
        "title": title,
        "show": bool(layer.show),
        "pane": pane,
        "style": s,
        "palette": palette,
        "fields": aliases,
        "synthetic": bool(layer.synthetic),
        "note": layer_note,
        "source": tr(layer.source, lang),
        "label_zoom": _label_zoom(gdf, shape),
        "swatch": [shape, sw_colour, s["outline"]],
        "data": {"type": "FeatureCollection", "features": features},
    }
    if base:
        payload["search"] = _search_names(gdf, lang)
    legend = None if base else _vector_legend(style, title, lang, types, gdf, where)
    boxes = gdf.geometry.bounds.to_numpy(dtype="float64") if len(gdf) else np.zeros((0, 4))
    return payload, legend, boxes


def _raster_payload(
    layer: RasterLayer, lang: str, lid: str, *, base: bool, theme_title: str = ""
) -> tuple[dict[str, Any], LegendSpec | None, tuple[float, ...]]:
    png, ((s, w), (n, e)) = raster_overlay(layer.raster, layer.style)
    title = short_title(tr(layer.title, lang), theme_title)
    payload = {
        "id": lid,
        "kind": "raster",
        "title": title,
        "show": bool(layer.show),
        "pane": "atlas-base-raster" if base else "atlas-raster",
        "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "bounds": [[s, w], [n, e]],
        "opacity": float(layer.style.opacity),
        "pixelated": isinstance(layer.style, RasterClasses),
        "synthetic": bool(layer.synthetic),
        "source": tr(layer.source, lang),
    }
    legend = None if base else legend_for(layer.style, title, lang, where=repr(layer.name))
    return payload, legend, (w, s, e, n)


def _legend_json(lid: str, lg: LegendSpec, *, synthetic: bool = False) -> dict[str, Any]:
    return {
        "layer": lid,
        "synthetic": synthetic,
        "title": lg.title,
        "kind": lg.kind,
        "shape": lg.shape,
        "unit": lg.unit
        if lg.unit and lg.unit not in lg.title and not any(lg.unit in it.label for it in lg.items)
        else "",
        "outline": lg.outline,
        "items": [[it.color, it.label] for it in lg.items],
        "stops": [list(s) for s in lg.stops],
        "ticks": [list(t) for t in lg.ticks],
    }


def _union_bounds(bounds: list[tuple[float, ...]]) -> list[list[float]] | None:
    box = union_bounds(bounds)
    if box is None:
        return None
    w, s, e, n = box
    return [[round(s, 5), round(w, 5)], [round(n, 5), round(e, 5)]]


def _initial_view(
    result: ThemeResult,
    clusters: list[tuple[float, float, float, float]],
    bounds: list[list[float]],
) -> list[list[float]]:
    """Where the page opens (south-west and north-east corners).

    The theme's ``map_focus`` (west, south, east, north) if set and valid
    (:func:`geo.writers.framing.theme_focus`),
    else its main cluster of features when the theme is a few small areas far
    apart (they would be specks on a whole-oblast view), else the whole theme.
    """
    focus = theme_focus(result)
    if focus is not None:
        return _union_bounds([focus]) or bounds
    if len(clusters) > 1:
        (s0, w0), (n0, e0) = bounds
        whole = max((n0 - s0) * (e0 - w0), 1e-12)
        covered = sum((c[2] - c[0]) * (c[3] - c[1]) for c in clusters)
        if covered / whole < 0.4:
            return _union_bounds([clusters[0]]) or bounds
    return bounds


def _asset_text(name: str) -> str:
    return (ASSETS_DIR / "atlas" / name).read_text(encoding="utf-8")


def _software_credit(files: list[str]) -> str:
    manifest = load_manifest()
    return "; ".join(f"{a.name} {a.version} ({a.licence})" for a in manifest.licences(files))


_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: https://tile.openstreetmap.org; font-src data:"
)
"""The pages' Content-Security-Policy: nothing but what the page carries (and the optional OSM tiles).

``'unsafe-eval'``: leaflet-measure (folium's ``MeasureControl``, 2.1.7 and 3.x alike) compiles its
own HTML templates with ``new Function`` when it loads; no string from data is ever evaluated.
"""


class AtlasMap(folium.Map):
    """A ``folium.Map`` whose scripts and styles are the vendored ones, inlined when saved.

    folium's own defaults (jQuery, Bootstrap, Font Awesome from CDNs) are not
    loaded: the atlas needs Leaflet and its full-screen control alone, and a
    page must open offline. :meth:`save` writes the self-contained page
    (:func:`offline_page`); elements an analyst adds that need only Leaflet
    (GeoJSON, markers, polylines, popups) work as they are, so do the folium
    plugins whose libraries are vendored (``MiniMap``, ``MeasureControl``,
    ``Search``, ``LocateControl``, ``Fullscreen``), and one that loads a
    script from the network is refused by name.
    """

    default_js = [  # noqa: RUF012 - folium's own class attributes, replaced
        ("leaflet", LEAFLET_JS),
        ("leaflet_fullscreen", FULLSCREEN_JS),
    ]
    default_css = [  # noqa: RUF012
        ("leaflet_css", LEAFLET_CSS),
        ("leaflet_fullscreen_css", FULLSCREEN_CSS),
    ]

    def __init__(self, lang: str, title: str, **kwargs: Any) -> None:
        super().__init__(tiles=None, zoom_control=False, zoom_snap=0.25, **kwargs)
        self._id = "atlas"  # the page's variable name: fixed, so the same map gives the same bytes
        self.lang, self.title = lang, title
        figure = folium.Figure(title=html.escape(title))
        figure._id = "atlas_page"
        figure.header.add_child(
            folium.Element(f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'),
            name="csp",
        )
        figure.add_child(self, name="atlas")

    def save(self, outfile: Any, close_file: bool = True, **kwargs: Any) -> None:
        """Write the self-contained page (every asset inlined; nothing loaded from the network)."""
        page = offline_page(self)
        if isinstance(outfile, str | Path):
            Path(outfile).write_text(page, encoding="utf-8")
        else:
            outfile.write(page.encode("utf-8") if "b" in getattr(outfile, "mode", "") else page)


class AtlasLayers(MacroElement):
    """The atlas's layers, panels, legends and Go-to buttons on a folium map, from a payload.

    The payload is JSON in a ``<script type="application/json">`` element
    (never evaluated); ``map.js`` puts every string from it on screen with
    ``textContent``.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        '{% macro html(this, kwargs) %}<div id="atlas-title" class="atlas-title"></div>\n'
        '<script type="application/json" id="atlas-data">{{ this.payload }}</script>'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}\n"
        "atlasMap({{ this._parent.get_name() }}, "
        "JSON.parse(document.getElementById('atlas-data').textContent));{% endmacro %}"
    )

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "AtlasLayers"
        self._id = "layers"
        self.payload = _json_for_script(dict(payload))
        self.css = _asset_text("map.css")
        self.js = "\n".join((_default_icon_js(), _asset_text("map.js"), _asset_text("controls.js")))


def _default_icon_js() -> str:
    """Leaflet's default marker as data URIs (a marker of the measure tool or an analyst's ``folium.Marker``).

    Leaflet finds its marker images next to ``leaflet.css``; inlined, there is no such place.
    """
    manifest = load_manifest()
    urls = {
        "iconUrl": manifest.data_uri("leaflet/images/marker-icon.png"),
        "iconRetinaUrl": manifest.data_uri("leaflet/images/marker-icon-2x.png"),
        "shadowUrl": manifest.data_uri("leaflet/images/marker-shadow.png"),
    }
    return f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({json.dumps(urls)});"


class AtlasMiniMap(folium.plugins.MiniMap):
    """folium's ``MiniMap`` on the page's own hillshade (its base raster overlay): no tiles, no network.

    ``controls.js`` makes the control from the image the page already embeds,
    on screens at least 900 px wide (a phone's map has no room for it).
    """

    _template = FoliumTemplate(
        "{% macro script(this, kwargs) %}"
        "atlasControls.minimap({{ this._parent.get_name() }}, {{ this.options|tojavascript }});"
        "{% endmacro %}"
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._name = "AtlasMiniMap"
        self.tile_layer = None  # type: ignore[assignment]  # the base is the page's hillshade


class AtlasSearch(JSCSSMixin, MacroElement):
    """A search over the names of the base layers' features, with folium's ``Search`` library.

    folium's ``Search`` indexes one folium layer; the atlas's layers are drawn
    by ``map.js``, so ``controls.js`` feeds leaflet-search the names the
    payload carries (every language, matched without case or Kazakh letters)
    and shows its tips as text.
    """

    default_js = folium.plugins.Search.default_js
    default_css = folium.plugins.Search.default_css
    _template = FoliumTemplate(
        "{% macro script(this, kwargs) %}"
        "atlasControls.search({{ this._parent.get_name() }}, {{ this.options|tojavascript }});"
        "{% endmacro %}"
    )

    def __init__(self, position: str = "topleft") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "AtlasSearch"
        self.options = {"position": position}


_M = TypeVar("_M", bound=folium.Map)


def add_map_controls(m: _M) -> _M:
    """Add folium's plugins a planner uses to an atlas map, after its :class:`AtlasLayers`.

    Search (names of places and micro-districts), measure (m, km, ha), locate
    and an overview map on the hillshade. ``atlasMap`` (``map.js``) makes the
    page's language their default strings, so they are configured here by
    position and units alone.
    """
    controls = [
        AtlasSearch(),
        folium.plugins.MeasureControl(  # type: ignore[no-untyped-call]
            position="topleft",
            primary_length_unit="meters",
            secondary_length_unit="kilometers",
            primary_area_unit="hectares",
            secondary_area_unit="sqmeters",
            active_color="#d7301f",
            completed_color="#fc8d59",
        ),
        # LocateControl hands its options to Leaflet as they are spelt (tojson, not camelised)
        folium.plugins.LocateControl(  # type: ignore[no-untyped-call]
            position="topleft", locateOptions={"maxZoom": 15}
        ),
        AtlasMiniMap(
            position="bottomleft", width=200, height=110, zoom_level_offset=-5, toggle_display=True
        ),
    ]
    for i, control in enumerate(controls):
        control._id = f"atlas{i}"  # fixed names: the same map gives the same bytes
        control.add_to(m)
    return m


def offline_page(m: folium.Map, *, where: str = "map") -> str:
    """The HTML of folium map *m* with every script, style and image inlined; checked offline.

    Raises
    ------
    OfflineAssetError
        If an element of the map loads something the vendored assets do not hold.
    """
    page, used = inline_assets(m.get_root().render())
    lang = getattr(m, "lang", "")
    if lang:
        page = page.replace("<html>", f'<html lang="{html.escape(lang)}">', 1)
    page = page.replace(SOFTWARE_MARK, _json_for_script(_software_credit(used))[1:-1])
    check_offline(page, where=where)
    return page


SOFTWARE_MARK = "@@atlas-software@@"
"""Stands for the credit of the inlined libraries in the payload until they are known."""


# --------------------------------------------------------------------------- public API


@dataclass
class _PageParts:
    """The layers, legends, groups and sources of a page, gathered group by group."""

    layers: list[dict[str, Any]] = field(default_factory=list)
    legends: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    sources: list[list[Any]] = field(default_factory=list)
    theme_bounds: list[tuple[float, ...]] = field(default_factory=list)
    base_bounds: list[tuple[float, ...]] = field(default_factory=list)
    feature_boxes: list[tuple[float, ...]] = field(default_factory=list)
    named: list[tuple[int, str, float, float]] = field(default_factory=list)
    seen_sources: set[tuple[str, str, str]] = field(default_factory=set)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Id column → id → name in the page's language (:func:`~geo.writers.legend.id_names`)."""

    def add_source(self, title: str, source: str, licence: str, synthetic: bool) -> None:
        """List a layer's source once."""
        key = (title, source, licence)
        if source and key not in self.seen_sources:
            self.seen_sources.add(key)
            self.sources.append([title, source, licence, synthetic])

    def add_group(self, gi: int, res: ThemeResult, is_base: bool, lang: str) -> None:
        """The rasters, then the vectors of *res* (and the online tiles under the base)."""
        ids: list[str] = []
        group_title = "" if is_base else tr(res.title, lang)
        for j, r in enumerate(res.rasters):
            lid = f"g{gi}r{j}"
            payload, legend, b = _raster_payload(
                r, lang, lid, base=is_base, theme_title=group_title
            )
            self.layers.append(payload)
            ids.append(lid)
            (self.base_bounds if is_base else self.theme_bounds).append(b)
            if not is_base:
                self.feature_boxes.append((b[0], b[1], b[2], b[3]))
            if legend is not None:
                self.legends.append(_legend_json(lid, legend, synthetic=r.synthetic))
            self.add_source(payload["title"], tr(r.source, lang), tr(r.licence, lang), r.synthetic)
        for j, v in enumerate(res.vectors):
            lid = f"g{gi}v{j}"
            self._add_vector(v, lid, is_base, group_title, lang)
            ids.append(lid)
        if is_base:
            self.layers.append(
                {
                    "id": "online",
                    "kind": "tiles",
                    "title": ui("online_tiles", lang),
                    "show": False,
                    **ONLINE_TILES,
                }
            )
            ids.append("online")
        # raster layers under vector ones in the control, like on the map
        self.groups.append(
            {"title": ui("base_layers", lang) if is_base else tr(res.title, lang), "layers": ids}
        )

    def _add_vector(
        self, v: VectorLayer, lid: str, is_base: bool, group_title: str, lang: str
    ) -> None:
        vp, vlegend, vboxes = _vector_payload(
            v, lang, lid, base=is_base, theme_title=group_title, names=self.names
        )
        self.layers.append(vp)
        if len(vboxes):
            total = (
                float(vboxes[:, 0].min()),
                float(vboxes[:, 1].min()),
                float(vboxes[:, 2].max()),
                float(vboxes[:, 3].max()),
            )
            (self.base_bounds if is_base else self.theme_bounds).append(total)
            if not is_base:
                self.feature_boxes += [tuple(float(x) for x in row) for row in vboxes]
        n_feat = len(vp["data"]["features"])
        self.named += [
            (n_feat, f["properties"]["l"], f["properties"]["lp"][0], f["properties"]["lp"][1])
            for f in vp["data"]["features"]
            if "lp" in f["properties"]
        ]
        if vlegend is not None:
            self.legends.append(_legend_json(lid, vlegend, synthetic=v.synthetic))
        self.add_source(vp["title"], tr(v.source, lang), tr(v.licence, lang), v.synthetic)


_PAGE_UI = (
    "layers", "legend", "limitations", "about", "sources", "source", "licence", "software",
    "synthetic", "synthetic_note", "zoom_in", "zoom_out", "fullscreen", "exit_fullscreen", "km",
    "m", "go_to", "whole_theme", "print", "map_sheet",
    # map controls (controls.js)
    "search_placeholder", "search_not_found", "search_clear", "measure", "measure_title",
    "measure_new", "measure_start", "measure_finish", "measure_last_point", "measure_area",
    "measure_perimeter", "measure_point", "measure_area_title", "measure_line_title",
    "measure_distance", "measure_centre_area", "measure_centre_line", "measure_centre_point",
    "measure_cancel", "measure_delete", "sq_m", "lat_north", "lat_south", "lon_east", "lon_west",
    "locate_title", "locate_popup", "locate_outside", "locate_denied", "locate_unavailable",
    "minimap_show", "minimap_hide", "opacity",
)  # fmt: skip
"""Interface strings the page's script shows."""


def _places(
    clusters: list[tuple[float, float, float, float]],
    named: list[tuple[int, str, float, float]],
    lang: str,
) -> list[list[Any]]:
    """The "Go to" buttons: one per cluster of features (2 to 8 of them), west to east."""
    places: list[list[Any]] = []
    if 1 < len(clusters) <= 8:
        for k, (name, c) in enumerate(zip(_place_names(clusters, named), clusters, strict=True)):
            places.append([name or f"{ui('area', lang)} {k + 1}", _union_bounds([c])])
        places.sort(key=lambda p: (p[1][0][1], p[1][0][0]))  # west to east
    return places


def theme_payload(
    result: ThemeResult, base: ThemeResult, *, lang: str, sheet: str | None = None
) -> dict[str, Any]:
    """What ``map.js`` draws for a theme: layers, legends, groups, sources, places, view."""
    _check_lang(lang)
    for v in [*result.vectors, *base.vectors]:
        _check_layer(v)
    parts = _PageParts(names=id_names([*base.vectors, *result.vectors], lang))
    for gi, (res, is_base) in enumerate(((base, True), (result, False))):
        parts.add_group(gi, res, is_base, lang)
    layers, legends, groups, sources = parts.layers, parts.legends, parts.groups, parts.sources
    theme_bounds, base_bounds = parts.theme_bounds, parts.base_bounds
    feature_boxes, named = parts.feature_boxes, parts.named
    groups.reverse()  # the theme first
    bounds = (
        _union_bounds(theme_bounds) or _union_bounds(base_bounds) or [[42.5, 68.5], [44.8, 75.5]]
    )
    clusters = _clusters([(b[0], b[1], b[2], b[3]) for b in feature_boxes])
    places = _town_places(result, base, lang) or _places(clusters, named, lang)
    view = _initial_view(result, clusters, bounds)
    title = tr(result.title, lang)
    has_synthetic = any(v.synthetic for v in result.vectors) or any(
        r.synthetic for r in result.rasters
    )
    payload = {
        "lang": lang,
        "title": title,
        "subtitle": f"{message('atlas_title', lang)}"
        + (f" · {message('built_with', lang)}" if has_synthetic else ""),
        "ui": {**{k: ui(k, lang) for k in _PAGE_UI}, "ha": tr(UNITS["ha"], lang)},
        "places": places,
        "panes": [list(p) for p in PANES],
        "groups": groups,
        "layers": layers,
        "legends": legends,
        "notes": [tr(n, lang) for n in result.notes],
        "sources": sources,
        "bounds": bounds,
        "view": view,
        "sheet": None if sheet is None else _checked_link(sheet, f"the sheet of {result.key!r}"),
        "credits": _credits(result, base, lang),
    }
    payload["software"] = SOFTWARE_MARK
    return payload


def folium_map(
    result: ThemeResult, base: ThemeResult, *, lang: str, sheet: str | None = None
) -> AtlasMap:
    """The map of a theme as a ``folium.Map``: its layers over the base, legends, panels, Go-to.

    An analyst may add any folium element that needs Leaflet alone and save
    the map (:meth:`AtlasMap.save` writes the same self-contained page as the
    atlas).

    Examples
    --------
    >>> import folium
    >>> from geo.results import ThemeResult
    >>> empty = ThemeResult(theme="demo", title={"en": "Demo", "kk": "Demo", "ru": "Demo"})
    >>> m = folium_map(empty, empty, lang="en")
    >>> _ = folium.CircleMarker([43.56, 69.73], radius=6, tooltip="Site A").add_to(m)
    >>> "Site A" in offline_page(m)
    True
    """
    payload = theme_payload(result, base, lang=lang, sheet=sheet)
    m = AtlasMap(lang, str(payload["title"]), location=_centre(payload["bounds"]), zoom_start=9)
    AtlasLayers(payload).add_to(m)
    add_whatif(m, result, lang)
    return add_map_controls(m)


def _centre(bounds: list[list[float]]) -> list[float]:
    (s, w), (n, e) = bounds
    return [round((s + n) / 2, 5), round((w + e) / 2, 5)]


def _base_layer(base: ThemeResult, name: str) -> VectorLayer | None:
    """The base map's vector layer *name* (``town_boundaries``, ``oblast``), if drawn."""
    return next((v for v in base.vectors if v.name == name), None)


def _town_places(result: ThemeResult, base: ThemeResult, lang: str) -> list[list[Any]]:
    """A "Go to" button for every town the theme modelled, on its outline, west to east."""
    towns = [str(t) for t in result.parameters.get("area", {}).get("towns", [])]
    outlines = _base_layer(base, "town_boundaries")
    if len(towns) < 2 or outlines is None or "town" not in outlines.data:
        return []
    gdf = outlines.data.to_crs(WGS84) if outlines.data.crs else outlines.data
    out = []
    for town in towns:
        rows = gdf[gdf["town"].astype(str) == town]
        if rows.empty:
            continue
        w, s, e, n = (float(v) for v in rows.total_bounds)
        pad_x, pad_y = max(0.05, (e - w) * 0.5), max(0.04, (n - s) * 0.5)  # the town and its edge
        name = str(local_value(rows.iloc[0], "name", lang)) if "name" in rows else town
        box = [
            [round(s - pad_y, 5), round(w - pad_x, 5)],
            [round(n + pad_y, 5), round(e + pad_x, 5)],
        ]
        out.append([name, box])
    out.sort(key=lambda p: (p[1][0][1], p[1][0][0]))
    return out


def _credits(result: ThemeResult, base: ThemeResult, lang: str) -> str:
    """The attributions the licences of the map's inputs require, once each, in *lang*."""
    seen: dict[str, str] = {}  # in *lang* → in English
    for res in (result, base):
        credits = [prov.get("attribution") for prov in res.provenance.values()]
        layers: list[VectorLayer | RasterLayer] = [*res.vectors, *res.rasters]
        credits += [layer.metadata.get("attribution") for layer in layers]
        for value in credits:
            a = tr(value or "", lang).strip()
            if a:
                seen.setdefault(a, tr(value or "", "en"))
    # the toolkit's own and the study's credits are in the sources list: these are the others'
    own = ("Shu-Talas Atlas", "Study AP")
    return " · ".join(a for a, en in seen.items() if not en.startswith(own))


def render_theme_map(
    result: ThemeResult, base: ThemeResult, *, lang: str, sheet: str | None = None
) -> str:
    """The HTML page of a theme map, as a string (see :func:`write_theme_map`)."""
    m = folium_map(result, base, lang=lang, sheet=sheet)
    return offline_page(m, where=f"map of theme {result.theme!r}")


def write_theme_map(
    result: ThemeResult, base: ThemeResult, path: Path, *, lang: str, sheet: str | None = None
) -> None:
    """Write one self-contained HTML map of a theme.

    Parameters
    ----------
    result : ThemeResult
        The theme's layers (its group in the layer control), notes and title.
    base : ThemeResult
        Base layers drawn under the theme (hillshade, rivers, boundaries,
        towns), grouped as "base layers".
    path : Path
        Output file (``<theme>.html``).
    lang : str
        ``en``, ``kk`` or ``ru``: every visible string is in that language.
    sheet : str, optional
        The theme's PNG sheet, relative to the page (``sheets/pollution.png``), linked from the title.

    Raises
    ------
    OfflineAssetError
        If the page would load anything from the network.
    DataError
        If a field, label or chart column named by a layer is missing, or a
        style colour is invalid.
    """
    page = render_theme_map(result, base, lang=lang, sheet=sheet)
    Path(path).write_text(page, encoding="utf-8")
    log.info("wrote %s (%.0f kB)", path, len(page.encode("utf-8")) / 1024)


def _description(result: ThemeResult, lang: str, limit: int = 900) -> str:
    """Short description: the theme's ``description``, else the first layer's description."""
    desc = result.description
    if isinstance(desc, dict) and lang in desc:
        out = str(desc[lang])
    elif isinstance(desc, str):
        out = desc
    else:
        layers: list[VectorLayer | RasterLayer] = [*result.vectors, *result.rasters]
        first = next((lyr.description for lyr in layers if lyr.description), None)
        out = tr(first, lang) if first else ""
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"
    return out


def _link_key(res: ThemeResult, links: dict[str, str]) -> str | None:
    """The key of *res* in *links*: its recipe name, else its theme id."""
    if res.key in links:
        return res.key
    return res.theme if res.theme in links else None


_SAFE_LINK = re.compile(r"^[A-Za-z0-9_.\-/]+\.html?$")
_SAFE_FILE = re.compile(r"^(\.\./[a-z]{2}/)?[A-Za-z0-9_\-/]+\.(html|png|gpkg|json)$")


def _checked_link(link: str, what: str) -> str:
    """*link* if it is a relative file of the atlas (a sibling language's ``../kk/...`` too)."""
    parts = link.split("/")
    inner = parts[2:] if link.startswith("../") else parts
    if not _SAFE_FILE.match(link) or link.startswith("/") or ".." in inner:
        msg = f"index: link {link!r} for {what} is not a relative file of the atlas"
        raise InputError(msg)
    return link


def _index_extras(lang: str, downloads: Mapping[str, str], languages: Mapping[str, str]) -> str:
    """The index's list of the atlas's files and its links to the other languages."""
    esc = html.escape
    out = ""
    if downloads:
        items = "".join(
            f'<li><a href="{esc(_checked_link(href, key), quote=True)}">{esc(message(key, lang))}</a></li>'
            for key, href in downloads.items()
        )
        out += f'<section class="atlas-files"><h2>{esc(message("downloads", lang))}</h2><ul>{items}</ul></section>'
    if languages:
        items = "".join(
            f'<li><a hreflang="{esc(other)}" lang="{esc(other)}" '
            f'href="{esc(_checked_link(href, other), quote=True)}">{esc(LANGUAGE_NAMES[other])}</a></li>'
            for other, href in languages.items()
        )
        out += f'<nav class="atlas-languages"><h2>{esc(message("other_languages", lang))}</h2><ul>{items}</ul></nav>'
    return out


def render_index(
    results: list[ThemeResult],
    *,
    lang: str,
    links: dict[str, str],
    sheets: Mapping[str, str] | None = None,
    downloads: Mapping[str, str] | None = None,
    languages: Mapping[str, str] | None = None,
    base: ThemeResult | None = None,
) -> str:
    """The atlas index page, as a string (see :func:`write_index`)."""
    _check_lang(lang)
    esc = html.escape
    cards = []
    for res in results:
        key = _link_key(res, links)
        link = links.get(key) if key is not None else None
        if link is None:
            msg = f"index: no link for theme {res.theme!r}; pass links={{'{res.theme}': '{res.theme}.html'}}"
            raise InputError(msg)
        if not _SAFE_LINK.match(link) or link.startswith("/") or ".." in link.split("/"):
            msg = f"index: link {link!r} for theme {res.theme!r} is not a relative .html file name; use e.g. '{res.theme}.html'"
            raise InputError(msg)
        theme_title = tr(res.title, lang)
        all_layers: list[VectorLayer | RasterLayer] = [*res.vectors, *res.rasters]
        layer_titles = [short_title(tr(lyr.title, lang), theme_title) for lyr in all_layers]
        synthetic = any(v.synthetic for v in res.vectors) or any(r.synthetic for r in res.rasters)
        notes = "".join(f"<li>{esc(tr(n, lang))}</li>" for n in res.notes)
        desc = _description(res, lang)
        desc_html = f"<p>{esc(desc)}</p>" if desc else ""
        cards.append(
            '<section class="atlas-card">'
            f"<h2>{esc(tr(res.title, lang))}</h2>"
            f"{desc_html}"
            f'<div class="atlas-layers">{esc(ui("layers_of_map", lang))}: {esc(", ".join(layer_titles))}</div>'
            + (
                f'<div class="atlas-note">{esc(message("synthetic_note", lang))}</div>'
                if synthetic
                else ""
            )
            + (
                f"<details><summary>{esc(message('limitations', lang))}</summary><ul>{notes}</ul></details>"
                if notes
                else ""
            )
            + f'<a class="atlas-open" href="{esc(link, quote=True)}">{esc(message("open_map", lang))} →</a>'
            + _sheet_link(res, sheets or {}, lang)
            + "</section>"
        )
    title = message("atlas_title", lang)
    overview = "" if base is None else _overview(results, base, lang, links)
    head, csp = "", "default-src 'none'; style-src 'unsafe-inline'"
    if overview:
        head, _used = inline_assets(
            f'<link rel="stylesheet" href="{LEAFLET_CSS}">\n<script src="{LEAFLET_JS}"></script>\n'
        )
        csp += "; script-src 'unsafe-inline'; img-src data:"
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        f"<title>{esc(title)}</title>\n{head}<style>{_asset_text('index.css')}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{esc(title)}</h1>\n<div class="atlas-sub">{esc(message("theme_maps", lang))}</div>\n'
        + overview
        + "\n".join(cards)
        + _index_extras(lang, downloads or {}, languages or {})
        + f"\n<footer>{esc(message('built_with', lang))}</footer>\n</main>\n</body>\n</html>\n"
    )
    check_offline(page, where="index")
    return page


def _box(res: ThemeResult) -> tuple[float, float, float, float] | None:
    """Where a theme's map is about (west, south, east, north): its area, focus or layers."""
    return res.extent or theme_focus(res) or union_bounds(layer_bounds(res))


def _overview(
    results: list[ThemeResult], base: ThemeResult, lang: str, links: Mapping[str, str]
) -> str:
    """The index's overview map: the oblast, the towns with outlines, and each theme's area."""
    themes: list[dict[str, Any]] = []
    boxes: list[tuple[float, ...]] = []
    for res in results:
        box, key = _box(res), _link_key(res, dict(links))
        if box is None or key is None:
            continue
        w, s_, e, n = box
        boxes.append(box)
        themes.append({"title": tr(res.title, lang), "href": links[key],
                       "box": [[round(s_, 4), round(w, 4)], [round(n, 4), round(e, 4)]]})  # fmt: skip
    towns = []
    outlines = _base_layer(base, "town_boundaries")
    if outlines is not None and len(outlines.data):
        gdf = outlines.data.to_crs(WGS84)
        for _, row in gdf.iterrows():
            p = row.geometry.representative_point()
            name = local_value(row, "name", lang) if "name" in row.index else row.get("town", "")
            towns.append([str(name), round(p.y, 4), round(p.x, 4)])
    outline = None
    oblast = _base_layer(base, "oblast")
    if oblast is not None and len(oblast.data):
        geom = shapely.union_all(oblast.data.to_crs(WGS84).geometry.values).simplify(0.01)
        outline = shapely.geometry.mapping(shapely.set_precision(geom, 1e-4))
    if not themes:
        return ""
    w, s_, e, n = union_bounds(boxes) or (0.0, 0.0, 0.0, 0.0)
    bounds = [[round(s_, 4), round(w, 4)], [round(n, 4), round(e, 4)]]
    data = {"themes": themes, "towns": towns, "outline": outline, "bounds": bounds}
    return (
        '<div id="atlas-overview"></div>\n'
        f'<script type="application/json" id="atlas-overview-data">{_json_for_script(data)}</script>\n'
        f"<script>{_asset_text('index.js')}</script>\n"
    )


def _sheet_link(res: ThemeResult, sheets: Mapping[str, str], lang: str) -> str:
    href = sheets.get(res.key)
    if href is None:
        return ""
    esc = html.escape
    link = _checked_link(href, f"the sheet of {res.key!r}")
    return f' <a class="atlas-sheet" href="{esc(link, quote=True)}">{esc(message("sheet_link", lang))}</a>'


def render_language_index(languages: Sequence[str]) -> str:
    """The page at the top of an atlas built in several languages: a link to each."""
    esc = html.escape
    items = "".join(
        f'<li><a hreflang="{esc(lang)}" lang="{esc(lang)}" href="{esc(lang)}/index.html">'
        f"{esc(LANGUAGE_NAMES[lang])}: {esc(message('atlas_title', lang))}</a></li>"
        for lang in languages
    )
    title = " / ".join(message("atlas_title", lang) for lang in languages)
    heading = " · ".join(message("choose_language", lang) for lang in languages)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(languages[0])}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title)}</title>\n<style>{_asset_text('index.css')}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{esc(heading)}</h1>\n<nav class="atlas-languages"><ul>{items}</ul></nav>\n'
        "</main>\n</body>\n</html>\n"
    )
    check_offline(page, where="index")
    return page


def render_town_index(towns: Sequence[tuple[str, str]], lang: str) -> str:
    """The page at the top of an atlas built town by town: a link to each town's atlas.

    *towns* are (folder, name in *lang*) pairs, in the order shown.
    """
    esc = html.escape
    items = "".join(
        f'<li><a href="{esc(folder)}/index.html">{esc(name)}</a></li>' for folder, name in towns
    )
    title = f"{message('atlas_title', lang)}: {message('atlas_by_town', lang)}"
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title)}</title>\n<style>{_asset_text('index.css')}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{esc(title)}</h1>\n<p>{esc(message('choose_town', lang))}</p>\n"
        f'<nav class="atlas-towns"><ul>{items}</ul></nav>\n'
        "</main>\n</body>\n</html>\n"
    )
    check_offline(page, where="index")
    return page


def write_index(
    results: list[ThemeResult],
    path: Path,
    *,
    lang: str,
    links: dict[str, str],
    sheets: Mapping[str, str] | None = None,
    downloads: Mapping[str, str] | None = None,
    languages: Mapping[str, str] | None = None,
    base: ThemeResult | None = None,
) -> None:
    """Write ``index.html``: every theme with its title, description and a link.

    Parameters
    ----------
    results : list of ThemeResult
        Themes in the order shown.
    path : Path
        Output file.
    lang : str
        ``en``, ``kk`` or ``ru``.
    links : dict
        Recipe name (:attr:`ThemeResult.key`; the theme id for results
        built outside a recipe) → relative file name of its map (``{"pollution": "pollution.html"}``).
    sheets : mapping, optional
        Recipe name → its PNG sheet (``sheets/pollution.png``), linked from its card.
    downloads : mapping, optional
        Message key (``gpkg_link``, ``manifest_link``) → file of the atlas, listed under "Files".
    languages : mapping, optional
        Other language → the same atlas's index in it (``../ru/index.html``).
    base : ThemeResult, optional
        The base map: with it the index opens on an overview map of the oblast,
        the towns and each theme's area (a click opens that map).

    Raises
    ------
    InputError
        If a theme has no link, or a link is not a relative ``.html`` name.
    """
    page = render_index(
        results, lang=lang, links=links, sheets=sheets, downloads=downloads, languages=languages,
        base=base,
    )  # fmt: skip
    Path(path).write_text(page, encoding="utf-8")
