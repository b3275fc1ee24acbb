"""PNG map sheets for reports: one per theme, from the same symbology as the HTML maps.

A sheet (A4 landscape, 150 dpi) has the theme's title, the map in the UTM
zone of its centre (so the scale bar is true to within 0.1 %), a legend for
the theme's layers and the visible base layers, a scale bar, a north arrow,
the theme's limitations and the sources with licences, all in the chosen
language. Matplotlib's Agg canvas is used directly (no pyplot state), and
PNG metadata carries no software version or time, so the same inputs give
the same bytes.
"""

from __future__ import annotations

import logging
import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import geopandas as gpd
import numpy as np
from affine import Affine
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path
from pyproj import CRS
from rasterio.warp import transform_bounds
from shapely.geometry import box

from geo.crs import WGS84, to_crs, utm_crs_for
from geo.errors import DataError
from geo.i18n import message, tr
from geo.layerspec import geometry_family
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import RasterClasses, Single
from geo.writers.framing import layer_bounds, raster_bounds, theme_focus, union_bounds
from geo.writers.html import _check_lang
from geo.writers.legend import (
    LegendItem,
    LegendSpec,
    feature_colors,
    format_number,
    hex_color,
    is_missing,
    legend_for,
    local_value,
    short_title,
    ui,
)
from geo.writers.render import display_rgba

__all__ = ["SHEET_DPI", "SHEET_SIZE_IN", "nice_scale_length", "write_map_sheet"]

log = logging.getLogger(__name__)

SHEET_SIZE_IN = (11.69, 8.27)
"""A4 landscape, inches."""

SHEET_DPI = 150

MAP_BOX = (0.02, 0.17, 0.66, 0.72)
"""Map axes in figure fractions (left, bottom, width, height), when the notes are short."""

MAX_MAP_BOTTOM = 0.36
"""Highest the map's bottom edge moves up to make room for long notes and sources."""

_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


def nice_scale_length(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k m) near a fifth of *width_m*.

    Examples
    --------
    >>> nice_scale_length(47_000)
    5000.0
    >>> nice_scale_length(3_200)
    500.0
    """
    target = max(width_m / 5.0, 1e-9)
    exp = math.floor(math.log10(target))
    best = 1.0 * 10**exp
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10**exp <= target:
            best = m * 10**exp
    return float(best)


def _extent(
    result: ThemeResult, base: ThemeResult
) -> tuple[tuple[float, float, float, float], CRS]:
    """Lon/lat bounds of the sheet, and the UTM CRS of their centre.

    In order of preference: the theme's ``map_focus`` (west, south, east,
    north in degrees, :func:`geo.writers.framing.theme_focus`), the extent
    of its rasters (the analysis area), the extent of its vector layers, and
    finally the base map's.
    """
    focus = theme_focus(result)
    bounds = [focus] if focus else [raster_bounds(r.raster) for r in result.rasters]
    for res in (result, base) if not bounds else ():
        bounds = layer_bounds(res)
        if bounds:
            break
    box = union_bounds(bounds)
    if box is None:
        msg = f"theme {result.theme!r} has no layers to draw; nothing to put on a map sheet"
        raise DataError(msg)
    w, s, e, n = box
    return (w, s, e, n), utm_crs_for((w + e) / 2, (s + n) / 2)


def _map_window(
    ll_bounds: tuple[float, float, float, float], crs: CRS, aspect: float
) -> tuple[float, float, float, float]:
    """Projected window around *ll_bounds*, padded 6 % and widened to *aspect* (w/h)."""
    x0, y0, x1, y1 = transform_bounds(WGS84, crs, *ll_bounds, densify_pts=21)
    w, h = max(x1 - x0, 500.0), max(y1 - y0, 500.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * 1.12, h * 1.12
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _draw_raster(ax: Any, layer: RasterLayer, window: tuple[float, ...], crs: CRS, px: int) -> None:
    x0, y0, x1, y1 = window
    width = px
    height = max(1, round(px * (y1 - y0) / (x1 - x0)))
    transform = Affine((x1 - x0) / width, 0, x0, 0, -(y1 - y0) / height, y1)
    rgba = display_rgba(layer.raster, layer.style, crs, transform, (height, width)) / 255.0
    rgba[..., 3] *= float(layer.style.opacity)
    ax.imshow(
        rgba,
        extent=(x0, x1, y0, y1),
        origin="upper",
        interpolation="nearest" if isinstance(layer.style, RasterClasses) else "antialiased",
        zorder=1,
    )


def _draw_vector(
    ax: Any, layer: VectorLayer, window: tuple[float, ...], crs: CRS, zorder: float, lang: str
) -> list[Any]:
    """Draw a vector layer; returns its label annotations (for :func:`_declutter`)."""
    labels: list[Any] = []
    d = layer.data[layer.data.geometry.notna() & ~layer.data.geometry.is_empty]
    if d.empty:
        return labels
    gdf = to_crs(d, crs, what=f"layer {layer.name}")
    gdf = gdf[gdf.intersects(box(window[0], window[1], window[2], window[3]))]
    if gdf.empty:
        return labels
    style = layer.style
    palette, index = feature_colors(style, gdf, repr(layer.name))
    colours = [palette[i] for i in index]
    outline = hex_color(style.outline, repr(layer.name))
    dash = (
        (0, tuple(float(v) for v in style.dash.split()))
        if isinstance(style, Single) and style.dash
        else None
    )
    fill = style.fill if isinstance(style, Single) else True
    lw = style.width * 0.6
    linestyle: Any = dash or "solid"
    polys: list[Path] = []
    faces: list[Any] = []
    lines: list[np.ndarray] = []
    line_colours: list[str] = []
    pts: list[tuple[float, float]] = []
    pt_colours: list[str] = []
    for geom, colour in zip(gdf.geometry.values, colours, strict=True):
        for part in getattr(geom, "geoms", [geom]):
            kind = geometry_family(part.geom_type)
            if kind == "polygon":
                rings = [np.asarray(part.exterior.coords)] + [
                    np.asarray(r.coords) for r in part.interiors
                ]
                polys.append(Path.make_compound_path(*[Path(r, closed=True) for r in rings]))
                faces.append((*_rgb(colour), style.fill_opacity) if fill else "none")
            elif kind == "line":
                lines.append(np.asarray(part.coords))
                line_colours.append(colour)
            elif kind == "point":
                pts.append((part.x, part.y))
                pt_colours.append(colour)
    if polys:
        ax.add_collection(
            PathCollection(
                polys,
                facecolors=faces,
                edgecolors=outline,
                linewidths=lw,
                linestyles=linestyle,
                zorder=zorder,
            )
        )
    if lines:
        ax.add_collection(
            LineCollection(
                lines, colors=line_colours, linewidths=lw, linestyles=linestyle, zorder=zorder + 0.1
            )
        )
    if pts:
        xy = np.asarray(pts)
        ax.scatter(
            xy[:, 0], xy[:, 1], s=(style.radius * 1.6) ** 2, c=pt_colours, edgecolors=outline,
            linewidths=0.5, zorder=zorder + 0.2,
        )  # fmt: skip
    return _draw_labels(ax, layer, gdf, window, lang)


def _draw_labels(
    ax: Any, layer: VectorLayer, gdf: gpd.GeoDataFrame, window: tuple[float, ...], lang: str
) -> list[Any]:
    """Label the features of a layer that are big enough at this scale (at most 40 of them)."""
    labels: list[Any] = []
    if not (layer.label_field and layer.label_field in gdf.columns and len(gdf) <= 40):
        return labels
    for _, row in gdf.iterrows():
        value = local_value(row, layer.label_field, lang)
        if is_missing(value) or not str(value).strip():
            continue
        g = row.geometry
        if g.geom_type != "Point":
            gx0, gy0, gx1, gy1 = g.bounds
            if max(gx1 - gx0, gy1 - gy0) < 0.04 * (window[2] - window[0]):
                continue  # too small at this scale: a label would hide the map
        p = g if g.geom_type == "Point" else g.representative_point()
        if not box(window[0], window[1], window[2], window[3]).contains(p):
            continue
        label = format_number(value) if isinstance(value, int | float | np.number) else str(value)
        off = (4, 4) if g.geom_type == "Point" else (0, 0)
        ann = ax.annotate(
            _plain(label),
            (p.x, p.y),
            xytext=off,
            textcoords="offset points",
            fontsize=6.5,
            ha="left" if off[0] else "center",
            va="bottom" if off[1] else "center",
            path_effects=_HALO,
            zorder=20,
            annotation_clip=True,
        )
        labels.append(ann)
    return labels


def _declutter(labels: list[Any], keep_clear: list[Any], renderer: Any) -> None:
    """Remove every label that would overlap one placed before it (or *keep_clear* artists)."""
    kept = [a.get_window_extent(renderer) for a in keep_clear]
    for ann in labels:
        bb = ann.get_window_extent(renderer).expanded(1.04, 1.1)
        if any(bb.overlaps(k) for k in kept):
            ann.remove()
        else:
            kept.append(bb)


def _rgb(colour: str) -> tuple[float, float, float]:
    h = colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def _legend_handles(lg: LegendSpec, *, fill: bool = True, dash: bool = False) -> list[Any]:
    handles: list[Any] = []
    for it in lg.items:
        if lg.shape == "line":
            handles.append(
                Line2D(
                    [],
                    [],
                    color=it.color,
                    linewidth=2,
                    linestyle="--" if dash else "-",
                    label=it.label,
                )
            )
        elif lg.shape == "point":
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="none",
                    markerfacecolor=it.color,
                    markeredgecolor=lg.outline,
                    markersize=7,
                    label=it.label,
                )
            )
        else:
            handles.append(
                Patch(
                    facecolor=it.color if fill else "none",
                    edgecolor=lg.outline if lg.shape != "raster" else "#555555",
                    linestyle="--" if dash else "-",
                    label=it.label,
                )
            )
    return handles


def _draw_ramp(
    fig: Figure, lg: LegendSpec, y_top: float, *, x: float = 0.72, h: float = 0.16, fs: float = 7
) -> tuple[Any, float]:
    """A vertical colour bar with ticks; returns its axes and the y below it."""
    ax = fig.add_axes((x, y_top - h, 0.018, h))
    grad = np.linspace(0, 1, 256)
    stops = np.array([s[0] for s in lg.stops])
    rgb = np.array([_rgb(s[1]) for s in lg.stops])
    img = np.stack([np.interp(grad, stops, rgb[:, c]) for c in range(3)], axis=-1)[:, None, :]
    ax.imshow(img, origin="lower", aspect="auto", extent=(0, 1, 0, 1))
    ax.set_xticks([])
    ax.yaxis.tick_right()
    ax.set_yticks([t[0] for t in lg.ticks], [t[1] for t in lg.ticks], fontsize=fs)
    for s in ax.spines.values():
        s.set_linewidth(0.5)
    return ax, y_top - h - 0.02


def _draw_scale_bar(ax: Any, window: tuple[float, ...], lang: str) -> None:
    x0, y0, x1, y1 = window
    length = nice_scale_length(x1 - x0)
    sx, sy = x0 + 0.04 * (x1 - x0), y0 + 0.045 * (y1 - y0)
    hgt = 0.012 * (y1 - y0)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (sx + i * length / 4, sy),
                length / 4,
                hgt,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=30,
            )
        )
    km = length >= 1000
    label = f"{format_number(length / 1000 if km else length)} {ui('km' if km else 'm', lang)}"
    for frac, txt in ((0.0, "0"), (1.0, label)):
        ax.text(
            sx + frac * length, sy + hgt * 1.6, txt, fontsize=7, ha="center", va="bottom",
            path_effects=_HALO, zorder=30,
        )  # fmt: skip


def _draw_north_arrow(ax: Any, lang: str) -> None:
    ax.annotate(
        message("north", lang),
        xy=(0.95, 0.95),
        xytext=(0.95, 0.85),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": "white",
            "edgecolor": "#888888",
            "alpha": 0.85,
        },
        arrowprops={
            "facecolor": "black",
            "edgecolor": "black",
            "width": 3,
            "headwidth": 10,
            "headlength": 10,
        },
        path_effects=_HALO,
        zorder=30,
    )


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters (tab and newline aside): no font has a glyph for them."""


def _plain(text: str) -> str:
    """Text from data drawn as is: a ``$`` must not switch matplotlib to mathtext.

    Control characters are dropped: they draw as nothing in any font (matplotlib would
    draw a missing-glyph box and warn once per character); the QGIS documents of the
    same build warn about them.
    """
    return _CONTROL.sub("", text).replace("$", r"\$")


def _wrap(text: str, width: int) -> str:
    return (
        "\n".join(textwrap.wrap(_plain(text), width=width, break_long_words=True)) if text else ""
    )


def _text_blocks(result: ThemeResult, base: ThemeResult, lang: str) -> tuple[list[str], str]:
    """The notes (limitations, synthetic label) and the sources line of a sheet.

    Layers sharing a source and licence are listed together, so the sources
    line names each source once.
    """
    lines: list[str] = []
    if result.notes:
        lines.append(
            message("limitations", lang) + ": " + " ".join(tr(n, lang) for n in result.notes)
        )
    if any(v.synthetic for v in result.vectors) or any(r.synthetic for r in result.rasters):
        lines.append(message("synthetic_note", lang))
    grouped: dict[tuple[str, str], list[str]] = {}
    for res in (result, base):
        layers: list[RasterLayer | VectorLayer] = [*res.rasters, *res.vectors]
        for lyr in layers:
            if not lyr.show or not lyr.source:
                continue
            titles = grouped.setdefault((tr(lyr.source, lang), tr(lyr.licence, lang)), [])
            title = short_title(tr(lyr.title, lang), tr(result.title, lang))
            if title not in titles:
                titles.append(title)
    entries = [
        f"{', '.join(titles)}: {source}" + (f" ({licence})" if licence else "")
        for (source, licence), titles in grouped.items()
    ]
    return lines, message("sources", lang) + ": " + " · ".join(entries)


def _line_h(fs: float) -> float:
    """Height of one text line of *fs* points, in figure fractions."""
    return fs * 1.25 / (SHEET_SIZE_IN[1] * 72)


def _footer_layout(
    notes: list[str], sources: str, lang: str
) -> tuple[float, str, float, str, float]:
    """Fit notes and sources under the map: (map bottom, notes, notes pt, sources, sources pt).

    The map gives up height (down to :data:`MIN_MAP_BOTTOM`) before text is made
    smaller; only if the smallest type still does not fit are lines cut, ending
    with a pointer to the complete lists.
    """
    for fs_n, fs_s in ((6.5, 5.5), (6.0, 5.0), (5.5, 4.8), (5.0, 4.5)):
        n_txt = "\n".join(_wrap(t, int(880 / fs_n)) for t in notes)
        s_txt = _wrap(sources, int(975 / fs_s))
        n_lines = n_txt.count("\n") + 1 if n_txt else 0
        need = n_lines * _line_h(fs_n) + (s_txt.count("\n") + 1) * _line_h(fs_s) + 0.03
        bottom = max(MAP_BOX[1], need)
        if bottom <= MAX_MAP_BOTTOM:
            return bottom, n_txt, fs_n, s_txt, fs_s
    # last resort: cut both, say where the complete texts are
    room = MAX_MAP_BOTTOM - 0.03
    more = " … " + ui("full_list", lang)
    n_all = n_txt.split("\n") if n_txt else []
    s_all = s_txt.split("\n")
    n_max = max(0, int(room * 0.6 / _line_h(fs_n)))
    if len(n_all) > n_max:
        n_all = [*n_all[: max(0, n_max - 1)], _wrap(ui("full_notes", lang), int(880 / fs_n))]
    s_max = max(1, int((room - len(n_all) * _line_h(fs_n)) / _line_h(fs_s)))
    if len(s_all) > s_max:
        s_all = [*s_all[: s_max - 1], s_all[s_max - 1] + more]
    return MAX_MAP_BOTTOM, "\n".join(n_all), fs_n, "\n".join(s_all), fs_s


@dataclass
class _Block:
    """One legend entry to place: a colour ramp or a section of swatches."""

    title: str
    ramp: LegendSpec | None = None
    handles: list[Any] = field(default_factory=list)
    base: bool = False


LEGEND_TOP = 0.85
"""Top of the legend's first section, figure fraction."""


def _place_legend(
    fig: Figure, renderer: Any, blocks: list[_Block], *, cols: int, fs: float, drop_base: bool
) -> bool:
    """Lay the legend out in *cols* columns; remove everything and return False if it overflows."""
    xs = (0.70,) if cols == 1 else (0.70, 0.848)
    wrap_title, wrap_label = (40, 44) if cols == 1 else (int(150 / fs), int(165 / fs))
    artists: list[Any] = []
    col, y = 0, LEGEND_TOP

    def undo() -> bool:
        for a in artists:
            a.remove()
        return False

    for block in blocks:
        if drop_base and block.base:
            continue
        while True:
            x = xs[col]
            placed: list[Any] = []
            if block.ramp is not None:
                title = _wrap(block.title, wrap_title)
                t = fig.text(x, y, title, fontsize=fs + 1, fontweight="bold", va="top")
                placed.append(t)
                y_t = t.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
                ax, bottom = _draw_ramp(
                    fig, block.ramp, y_t - 0.01, x=x + 0.02, h=0.16 if cols == 1 else 0.13, fs=fs
                )
                placed.append(ax)
            else:
                leg = fig.legend(
                    handles=block.handles,
                    labels=[_wrap(str(h.get_label()), wrap_label) for h in block.handles],
                    loc="upper left",
                    bbox_to_anchor=(x, y),
                    title=_wrap(block.title, wrap_title) or None,
                    title_fontproperties={"size": fs + 1, "weight": "bold"},
                    fontsize=fs,
                    frameon=False,
                    alignment="left",
                    borderaxespad=0,
                    handlelength=1.6,
                )
                placed.append(leg)
                bottom = leg.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
            if bottom >= 0.012:
                artists.extend(placed)
                y = bottom - 0.015
                break
            for a in placed:
                a.remove()
            if col + 1 < len(xs) and y < LEGEND_TOP:
                col, y = col + 1, LEGEND_TOP
                continue
            return undo()
    return True


def _legend_blocks(result: ThemeResult, base: ThemeResult, lang: str) -> list[_Block]:
    blocks: list[_Block] = []
    theme_title = tr(result.title, lang)
    for r in result.rasters:
        if not r.show:
            continue
        lg = legend_for(
            r.style, short_title(tr(r.title, lang), theme_title), lang, where=repr(r.name)
        )
        synth = f" ({message('synthetic', lang)})" if r.synthetic else ""
        if lg.kind == "ramp":
            unit = f", {lg.unit}" if lg.unit and lg.unit not in lg.title else ""
            blocks.append(_Block(lg.title + unit + synth, ramp=lg))
        else:
            blocks.append(_Block(lg.title + synth, handles=_legend_handles(lg)))
    for v in result.vectors:
        if not v.show:
            continue
        d = v.data[v.data.geometry.notna()]
        lg = legend_for(
            v.style,
            short_title(tr(v.title, lang), theme_title),
            lang,
            geom_types=set(d.geom_type),
            data=d,
            where=repr(v.name),
        )
        fill = v.style.fill if isinstance(v.style, Single) else True
        dash = bool(v.style.dash) if isinstance(v.style, Single) else False
        title = lg.title + (f" ({message('synthetic', lang)})" if v.synthetic else "")
        if isinstance(v.style, Single):
            items = tuple(LegendItem(it.color, title) for it in lg.items)
            spec = LegendSpec(title, "classes", lg.shape, items, outline=lg.outline)
            blocks.append(_Block("", handles=_legend_handles(spec, fill=fill, dash=dash)))
        else:
            blocks.append(_Block(title, handles=_legend_handles(lg, fill=fill, dash=dash)))
    base_handles: list[Any] = []
    for v in base.vectors:
        if not v.show:
            continue
        d = v.data[v.data.geometry.notna()]
        lg = legend_for(
            v.style,
            tr(v.title, lang),
            lang,
            geom_types=set(d.geom_type),
            data=d,
            where=repr(v.name),
        )
        fill = v.style.fill if isinstance(v.style, Single) else True
        dash = bool(v.style.dash) if isinstance(v.style, Single) else False
        if isinstance(v.style, Single):
            base_handles += _legend_handles(lg, fill=fill, dash=dash)
        else:
            base_handles += _legend_handles(
                LegendSpec(lg.title, "classes", lg.shape, lg.items[:1], outline=lg.outline),
                fill=fill,
            )
            base_handles[-1].set_label(lg.title)
    if base_handles:
        blocks.append(_Block(ui("base_layers", lang), handles=base_handles, base=True))
    return blocks


def _draw_map(
    ax: Any,
    themes: tuple[ThemeResult, ThemeResult],
    window: tuple[float, ...],
    crs: CRS,
    px: int,
    lang: str,
) -> None:
    """The map frame: rasters, then vectors (base under theme), scale bar, north arrow, CRS, labels."""
    result, base = themes
    renderer = ax.figure.canvas.get_renderer()
    for r in base.rasters:
        if r.show:
            _draw_raster(ax, r, window, crs, px)
    for r in result.rasters:
        if r.show:
            _draw_raster(ax, r, window, crs, px)
    base_labels: list[Any] = []
    theme_labels: list[Any] = []
    z = 5.0
    for v in base.vectors:
        if v.show:
            base_labels += _draw_vector(ax, v, window, crs, z, lang)
            z += 0.5
    z = 12.0
    for v in result.vectors:
        if v.show:
            theme_labels += _draw_vector(ax, v, window, crs, z, lang)
            z += 0.5
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_linewidth(0.8)
    _draw_scale_bar(ax, window, lang)
    _draw_north_arrow(ax, lang)
    ax.text(
        0.005, 0.005, f"{crs.name} (EPSG:{crs.to_epsg()})", transform=ax.transAxes, fontsize=5.5,
        ha="left", va="bottom", color="#444444", path_effects=_HALO, zorder=30,
    )  # fmt: skip
    # theme labels first; a base label that would collide with one (or the north arrow, scale bar) goes
    _declutter(theme_labels + base_labels, list(ax.texts[-4:]), renderer)


def _draw_legend(
    fig: Figure, renderer: Any, result: ThemeResult, base: ThemeResult, lang: str
) -> None:
    """The legend panel: one column; two columns and smaller type when long; base layers dropped last."""
    fig.text(0.70, 0.89, message("legend", lang), fontsize=11, fontweight="bold", va="top")
    blocks = _legend_blocks(result, base, lang)
    for cols, fs, drop_base in ((1, 7.0, False), (2, 6.5, False), (2, 6.0, False), (2, 5.5, True)):
        if _place_legend(fig, renderer, blocks, cols=cols, fs=fs, drop_base=drop_base):
            break
    else:  # still too long: show what fits, then say the rest is on the HTML map
        kept = list(blocks)
        while kept and not _place_legend(fig, renderer, kept, cols=2, fs=5.5, drop_base=True):
            kept.pop()
        fig.text(0.70, 0.012, "… " + ui("legend_continued", lang), fontsize=6, va="bottom")


def render_map_sheet(result: ThemeResult, base: ThemeResult, *, lang: str) -> Figure:
    """The map sheet of a theme as a matplotlib figure (see :func:`write_map_sheet`)."""
    _check_lang(lang)
    fig = Figure(figsize=SHEET_SIZE_IN, dpi=SHEET_DPI, facecolor="white")
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes, sources = _text_blocks(result, base, lang)
    bottom, notes_text, fs_notes, src_text, fs_src = _footer_layout(notes, sources, lang)
    map_box = (MAP_BOX[0], bottom, MAP_BOX[2], MAP_BOX[1] + MAP_BOX[3] - bottom)
    ll_bounds, crs = _extent(result, base)
    fig_w, fig_h = SHEET_SIZE_IN
    aspect = (map_box[2] * fig_w) / (map_box[3] * fig_h)
    window = _map_window(ll_bounds, crs, aspect)
    ax = fig.add_axes(map_box)
    ax.set_facecolor("#f4f1ea")
    px = int(map_box[2] * fig_w * SHEET_DPI)
    _draw_map(ax, (result, base), window, crs, px, lang)

    # title
    fig.text(
        0.02,
        0.955,
        _plain(tr(result.title, lang)),
        fontsize=16,
        fontweight="bold",
        ha="left",
        va="center",
    )
    fig.text(
        0.02,
        0.915,
        message("atlas_title", lang),
        fontsize=9,
        color="#555555",
        ha="left",
        va="center",
    )

    _draw_legend(fig, renderer, result, base, lang)

    # notes and sources under the map
    y = bottom - 0.012
    if notes_text:
        t = fig.text(0.02, y, notes_text, fontsize=fs_notes, va="top", ha="left", color="#8a1c1c")
        y = t.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0 - 0.006
    fig.text(0.02, y, src_text, fontsize=fs_src, va="top", ha="left", color="#333333")
    return fig


def write_map_sheet(result: ThemeResult, base: ThemeResult, path: FilePath, *, lang: str) -> None:
    """Write the PNG map sheet of a theme.

    Parameters
    ----------
    result : ThemeResult
        The theme: its visible layers are drawn and listed in the legend.
    base : ThemeResult
        Base layers drawn underneath (hillshade, boundaries, rivers, towns).
    path : Path
        Output ``.png``.
    lang : str
        ``en``, ``kk`` or ``ru``.

    Raises
    ------
    DataError
        If neither the theme nor the base has anything to draw, or a style is
        inconsistent with the data.
    """
    fig = render_map_sheet(result, base, lang=lang)
    fig.savefig(
        FilePath(path), dpi=SHEET_DPI, format="png", metadata={"Software": None}, facecolor="white"
    )
    log.info("wrote map sheet %s", path)
