"""Legends and per-feature colours derived from a :mod:`geo.symbology` style.

The HTML maps and the PNG sheets both ask this module which colour a feature
gets and what the legend shows, so the two never disagree. Colours are
validated (and normalised to ``#rrggbb``) here: a bad colour string in a
style raises :class:`~geo.errors.DataError` naming the layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgba

from geo.errors import DataError
from geo.i18n import UNITS, code_labels, message, tr
from geo.results import VectorLayer
from geo.symbology import (
    Categorized,
    Graduated,
    RasterClasses,
    RasterRamp,
    Single,
    Style,
    VectorStyle,
)
from geo.writers.geometry import shape_of

__all__ = [
    "ID_COLUMNS",
    "LegendItem",
    "LegendSpec",
    "code_map",
    "code_text",
    "fades_to_transparent",
    "feature_colors",
    "format_number",
    "hex_color",
    "id_names",
    "id_value_maps",
    "legend_for",
    "local_column",
    "local_value",
    "nan_label",
    "ramp_rgba",
    "short_title",
    "ui",
]


def ui(key: str, lang: str) -> str:
    """Interface string *key* in *lang*: a unit of :data:`geo.i18n.UNITS` (``km``, ``m``) or a message.

    Examples
    --------
    >>> ui("km", "kk"), ui("zoom_in", "ru")
    ('км', 'Приблизить')
    """
    if key in ("km", "m"):
        return tr(UNITS[key], lang)
    return message(key, lang)


def local_column(columns: Any, name: str, lang: str) -> str | None:
    """The column holding *name* in *lang* (``name_kk``, ``name_ru``, ``name_en``), if any.

    Layers such as the towns carry ``name`` (English transliteration) beside
    ``name_kk`` and ``name_ru``: labels and popups use the build's language.

    Examples
    --------
    >>> local_column(["name", "name_kk"], "name", "kk"), local_column(["name"], "name", "ru")
    ('name_kk', None)
    """
    col = f"{name}_{lang}"
    return col if col in set(map(str, columns)) else None


def local_value(row: Any, name: str, lang: str) -> Any:
    """``row[name]`` in *lang*: from ``name_<lang>`` where that column exists and is filled."""
    col = local_column(row.index, name, lang)
    if col is not None and not is_missing(row[col]) and str(row[col]).strip():
        return row[col]
    return row[name]


def code_text(value: Any) -> str:
    """A code as text, as QGIS compares it (``QVariant::toString``): ``true``, ``2``, ``2.5``.

    Examples
    --------
    >>> code_text(True), code_text(2.0), code_text(np.float32(2.5)), code_text("cast_iron")
    ('true', '2', '2.5', 'cast_iron')
    """
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(value)


_FREE_TEXT = frozenset({"name", "label"})
"""Columns that pair with ``<column>_<lang>`` but hold names, not codes."""


def _pair_labels(layer: VectorLayer, col: str, lang: str) -> dict[str, str]:
    """Code → label from the layer's own ``<col>_<lang>`` column, when one label goes with each code."""
    data = layer.data
    local = local_column(data.columns, col, lang)
    if local is None or col in _FREE_TEXT:
        return {}
    pairs = data[[col, local]].dropna().astype(str).drop_duplicates()
    if pairs[col].duplicated().any():
        return {}
    return dict(zip(pairs[col], pairs[local], strict=True))


_YEAR = re.compile(r"(^|_)year$")


def is_year(column: str) -> bool:
    """True for a column holding years (``year``, ``install_year``): shown without grouping.

    >>> is_year("install_year"), is_year("years_left")
    (True, False)
    """
    return bool(_YEAR.search(column))


def code_map(layer: VectorLayer, column: str, lang: str) -> dict[str, str]:
    """Code → label in *lang* of a coded *column* (empty when it is not coded).

    From, each over the one before: :data:`geo.i18n.CODES`, a ``<column>_<lang>``
    column beside it (``status`` / ``status_ru``), the classes of a Categorized
    style on it, the layer's own ``value_maps``. QGIS value maps, and any map
    showing a code, read the same labels.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geo.i18n import text
    >>> from geo.symbology import Single
    >>> gdf = gpd.GeoDataFrame({"material": ["cast_iron"]}, geometry=[shapely.Point(0, 0)])
    >>> lyr = VectorLayer("p", text("P", "P", "P"), gdf, Single("#ff0000"))
    >>> code_map(lyr, "material", "ru")["cast_iron"], code_map(lyr, "name", "ru")
    ('чугун', {})
    """
    labels = {k: tr(v, lang) for k, v in code_labels(column).items()}
    labels.update(_pair_labels(layer, column, lang))
    style = layer.style
    if isinstance(style, Categorized) and style.field == column:
        labels.update({code_text(c.value): tr(c.label, lang) for c in style.categories})
    labels.update({str(k): tr(v, lang) for k, v in layer.value_maps.get(column, {}).items()})
    return labels


ID_COLUMNS = ("town", "zone_id", "district")
"""Columns holding an id that some layer of the atlas names in every language."""


def id_names(layers: Any, lang: str) -> dict[str, dict[str, str]]:
    """Id column → id → name in *lang*, from the *layers* holding one name per id.

    ``zone_id`` ``zhanatas_8`` of the network segments reads "Жанатас,
    микрорайон 8" because ``micro_districts`` holds that id with its ``name_ru``
    (``name`` in English); the first layer naming an id wins.
    """
    out: dict[str, dict[str, str]] = {}
    for layer in layers:
        data = layer.data
        local = local_column(data.columns, "name", lang)
        if local is None and lang == "en" and "name" in data.columns:
            local = "name"
        if local is None:
            continue
        for key in ID_COLUMNS:
            if key not in data.columns:
                continue
            pairs = data[[key, local]].dropna().astype(str).drop_duplicates()
            if len(pairs) and not pairs[key].duplicated().any():
                names = out.setdefault(key, {})
                for code, name in zip(pairs[key], pairs[local], strict=True):
                    names.setdefault(code, name)
    return out


def id_value_maps(
    layer: VectorLayer, names: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """Value maps naming the ids of *layer* found in *names* (:func:`id_names`).

    A town-level zone is named by its town's id in lower case (``karatau``);
    an id no layer names keeps its code. Columns the layer maps itself are left out.
    """
    maps: dict[str, dict[str, str]] = {}
    towns = {code.lower(): name for code, name in names.get("town", {}).items()}
    for key, known in names.items():
        if key not in layer.data.columns or key in layer.value_maps:
            continue
        present = sorted({str(v) for v in layer.data[key].dropna().unique()})
        found = {c: known[c] for c in present if c in known}
        found.update(
            {c: towns[c.lower()] for c in present if c not in found and c.lower() in towns}
        )
        if found:
            maps[key] = found
    return maps


def short_title(title: str, theme_title: str) -> str:
    """A layer title without the theme title it repeats (it is already the group's name).

    Examples
    --------
    >>> short_title("Land suitability (Shu): class polygons", "Land suitability (Shu)")
    'Class polygons'
    >>> short_title("Rivers", "Land suitability")
    'Rivers'
    """
    for sep in (": ", " — ", " – "):
        prefix = theme_title + sep
        if theme_title and title.startswith(prefix) and len(title) > len(prefix):
            rest = title[len(prefix) :]
            return rest[:1].upper() + rest[1:]
    return title


def hex_color(value: str, where: str) -> str:
    """Normalise a colour to ``#rrggbb`` (matplotlib syntax), or raise naming *where*.

    Examples
    --------
    >>> hex_color("#ABC", "x")
    '#aabbcc'
    """
    try:
        return str(to_hex(value, keep_alpha=False))
    except (ValueError, TypeError):
        msg = f"{where}: {value!r} is not a colour; use '#rrggbb' or a CSS colour name"
        raise DataError(msg) from None


def format_number(value: Any, digits: int | None = None) -> str:
    """Format a number for people: thin grouping, sensible decimals.

    Examples
    --------
    >>> format_number(12345.678, 1)  # narrow no-break space between thousands
    '12\u202f345.7'
    >>> format_number(0.04321)
    '0.0432'
    """
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}".replace(",", "\u202f")
    v = float(value)
    if digits is None:
        if v.is_integer() or abs(v) >= 100:
            digits = 0
        elif abs(v) >= 1:
            digits = 2
        else:
            return f"{v:.3g}"
    return f"{v:,.{digits}f}".replace(",", "\u202f")


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a colour and its label (already translated)."""

    color: str
    label: str


@dataclass(frozen=True)
class LegendSpec:
    """A legend section, translated.

    ``kind`` is ``"classes"`` (swatches) or ``"ramp"`` (continuous bar with
    ``stops`` as (fraction, colour) and ``ticks`` as (fraction, label)).
    ``shape`` is ``"polygon"``, ``"line"``, ``"point"`` or ``"raster"``.
    """

    title: str
    kind: str
    shape: str
    items: tuple[LegendItem, ...] = ()
    stops: tuple[tuple[float, str], ...] = ()
    ticks: tuple[tuple[float, str], ...] = ()
    unit: str = ""
    outline: str = "#333333"


def _categorized_colors(
    style: Categorized, values: pd.Series, where: str
) -> tuple[list[str], list[int]]:
    palette = [hex_color(c.color, where) for c in style.categories]
    lookup: dict[Any, int] = {}
    for i, c in enumerate(style.categories):
        lookup.setdefault(c.value, i)
        lookup.setdefault(str(c.value), i)
    other = len(palette)
    palette.append(hex_color(style.other_color, where))
    idx: list[int] = []
    for v in values:
        key: Any = v.item() if isinstance(v, np.generic) else v
        try:
            hit = lookup.get(key)
        except TypeError:  # unhashable value
            hit = None
        if hit is None and not is_missing(key):
            hit = lookup.get(str(key))
        idx.append(other if hit is None else hit)
    return palette, idx


def feature_colors(
    style: VectorStyle, data: pd.DataFrame, where: str
) -> tuple[list[str], list[int]]:
    """Palette and, per feature, the index of its colour in the palette.

    Parameters
    ----------
    style : Single, Categorized or Graduated
    data : DataFrame
        The layer's attributes (the styled field must exist).
    where : str
        Name of the layer, for error messages.

    Returns
    -------
    palette : list of str
        ``#rrggbb`` colours. For Categorized the last one is ``other_color``;
        for Graduated the last one is ``nan_color``.
    index : list of int
        One palette index per row of *data*.

    Raises
    ------
    DataError
        If the styled field is missing or a colour is invalid.
    """
    n = len(data)
    if isinstance(style, Single):
        return [hex_color(style.color, where)], [0] * n
    if style.field not in data.columns:
        msg = f"layer {where}: the style uses field {style.field!r}, which is not in the data (columns: {', '.join(map(str, data.columns))}); fix the style or add the field"
        raise DataError(msg)
    if isinstance(style, Categorized):
        return _categorized_colors(style, data[style.field], where)
    palette = [hex_color(c, where) for c in style.colors]
    nan_i = len(palette)
    palette.append(hex_color(style.nan_color, where))
    vals = pd.to_numeric(data[style.field], errors="coerce").astype("float64")
    idx = []
    for v in vals:
        k = style.class_of(float(v))
        idx.append(nan_i if k is None else k)
    return palette, idx


def legend_for(
    style: Style,
    title: str,
    lang: str,
    *,
    geom_types: set[str] | None = None,
    data: pd.DataFrame | None = None,
    where: str = "layer",
) -> LegendSpec:
    """The translated legend of a style.

    Parameters
    ----------
    style : Style
        Any vector or raster style.
    title : str
        Section title (the layer's translated title).
    lang : str
        Language code.
    geom_types : set of str, optional
        Geometry types present (vector layers), to draw the right swatch.
    data : DataFrame, optional
        The layer's attributes: the "no data" and "other" rows are shown only
        when some feature needs them.
    where : str
        Layer name for error messages.
    """
    shape = (
        "raster" if isinstance(style, RasterRamp | RasterClasses) else shape_of(geom_types or set())
    )
    outline = hex_color(getattr(style, "outline", "#333333"), where)
    if isinstance(style, Single):
        col = style.color if (shape != "polygon" or style.fill) else style.outline
        return LegendSpec(
            title, "classes", shape, (LegendItem(hex_color(col, where), title),), outline=outline
        )
    if isinstance(style, Categorized):
        items = [LegendItem(hex_color(c.color, where), tr(c.label, lang)) for c in style.categories]
        if data is not None and style.field in data.columns:
            _, idx = _categorized_colors(style, data[style.field], where)
            if len(style.categories) in idx:
                items.append(LegendItem(hex_color(style.other_color, where), ui("other", lang)))
        return LegendSpec(title, "classes", shape, tuple(items), outline=outline)
    if isinstance(style, Graduated):
        labels = style.class_labels(lang)
        items = [
            LegendItem(hex_color(c, where), lab)
            for c, lab in zip(style.colors, labels, strict=True)
        ]
        if data is not None and style.field in data.columns:
            vals = pd.to_numeric(data[style.field], errors="coerce")
            if bool(vals.isna().any()):
                items.append(LegendItem(hex_color(style.nan_color, where), nan_label(style, lang)))
        unit = tr(style.unit, lang) if style.unit else ""
        return LegendSpec(title, "classes", shape, tuple(items), unit=unit, outline=outline)
    if isinstance(style, RasterClasses):
        items = [
            LegendItem(hex_color(c, where), tr(lab, lang))
            for c, lab in zip(style.colors, style.labels, strict=True)
        ]
        return LegendSpec(title, "classes", "raster", tuple(items))
    # RasterRamp: stops evenly spaced on the bar (each segment is linear in value), so
    # uneven stops such as 0, 0.5, 1, 2, 5, 10 stay readable; the unit goes in the title.
    n = len(style.values)
    stops = tuple((i / (n - 1), hex_color(c, where)) for i, c in enumerate(style.colors))
    ticks = tuple((i / (n - 1), format_number(float(v))) for i, v in enumerate(style.values))
    unit = tr(style.unit, lang) if style.unit else ""
    return LegendSpec(title, "ramp", "raster", stops=stops, ticks=ticks, unit=unit)


def nan_label(style: Graduated, lang: str) -> str:
    """Legend label of a graduated style's no-data class: ``nan_label``, else "no data".

    Examples
    --------
    >>> nan_label(Graduated("v", (0, 1), ("#000000",)), "ru")
    'нет данных'
    >>> from geo.i18n import text
    >>> nan_label(Graduated("v", (0, 1), ("#000000",), nan_label=text("not built", "салынбаған", "не застроено")), "kk")
    'салынбаған'
    """
    label = getattr(style, "nan_label", None)
    return tr(label, lang) if label else message("no_data", lang)


def ramp_rgba(style: RasterRamp | RasterClasses, array: np.ndarray) -> np.ndarray:
    """Colour a float array (NaN = no data) as RGBA uint8; no data is transparent.

    ``RasterRamp`` interpolates linearly between stops and clamps outside
    them; ``RasterClasses`` maps exact values, anything else is transparent.
    Opacity is left to the viewer: alpha is 255 where there is data, except
    that a ramp starting at a near-white colour fades to transparent towards
    its first stop (:func:`fades_to_transparent`).
    """
    a = np.asarray(array, dtype="float64")
    out = np.zeros((*a.shape, 4), dtype="uint8")
    valid = np.isfinite(a)
    if isinstance(style, RasterClasses):
        for v, c in zip(style.values, style.colors, strict=True):
            sel = valid & (a == v)
            out[sel] = (np.array(to_rgba(c)) * 255).round().astype("uint8")
            out[sel, 3] = 255
        return out
    xs = np.asarray(style.values, dtype="float64")
    rgb = np.array([to_rgba(c)[:3] for c in style.colors]) * 255
    vals = np.where(valid, a, xs[0])
    for ch in range(3):
        out[..., ch] = np.interp(vals, xs, rgb[:, ch]).round().astype("uint8")
    alpha = np.where(valid, 255.0, 0.0)
    if fades_to_transparent(style):
        # a light-to-dark ramp: its lowest stop means "little or nothing", so it fades out
        # towards that stop and the base map shows through instead of a pale wash
        alpha *= np.clip((vals - xs[0]) / (xs[1] - xs[0]), 0.0, 1.0)
    out[..., 3] = alpha.round().astype("uint8")
    return out


def fades_to_transparent(style: RasterRamp) -> bool:
    """True when a ramp starts at a near-white colour (a sequential ramp such as YlOrRd).

    Cells at the first stop are then drawn transparent, rising linearly to full
    opacity at the second stop; diverging ramps (RdYlGn) and the hillshade,
    which start dark, are drawn opaque throughout.

    Examples
    --------
    >>> fades_to_transparent(RasterRamp((0.0, 1.0), ("#ffffb2", "#bd0026")))
    True
    >>> fades_to_transparent(RasterRamp((0.0, 1.0), ("#d73027", "#1a9850")))
    False
    """
    r, g, b = to_rgba(style.colors[0])[:3]
    return bool(0.2126 * r + 0.7152 * g + 0.0722 * b >= 0.85 and style.values[1] > style.values[0])
