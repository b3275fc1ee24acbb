"""Symbology: one description of how a layer looks, shared by every writer.

The HTML maps (Leaflet), the QGIS styles (QML in ``layer_styles``) and the PNG
map sheets all render from these objects, so a class break or a colour is
defined once. Labels are translatable texts (:mod:`geo.i18n`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.i18n import Text

__all__ = [
    "Categorized",
    "Category",
    "Graduated",
    "RasterClasses",
    "RasterRamp",
    "Single",
    "Style",
    "VectorStyle",
    "ramp",
]

# Colour ramps (ColorBrewer, CC-BY-like permissive licence, colours as hex).
RAMPS: dict[str, tuple[str, ...]] = {
    "RdYlGn": ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850"),
    "YlOrRd": ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    "Blues": ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
    "Greens": ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"),
    "Purples": ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"),
    "terrain": ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c", "#ffffff"),
    "greys": ("#000000", "#ffffff"),
}


def ramp(name: str, n: int) -> tuple[str, ...]:
    """Return *n* colours sampled evenly from the named ramp.

    Examples
    --------
    >>> ramp("YlOrRd", 2)
    ('#ffffb2', '#bd0026')
    """
    try:
        colours = RAMPS[name]
    except KeyError:
        msg = f"unknown colour ramp {name!r}; known: {', '.join(sorted(RAMPS))}"
        raise KeyError(msg) from None
    if n <= 1:
        return (colours[-1],)
    idx = [round(i * (len(colours) - 1) / (n - 1)) for i in range(n)]
    return tuple(colours[i] for i in idx)


@dataclass(frozen=True)
class Single:
    """Every feature the same colour."""

    color: str
    outline: str = "#333333"
    width: float = 1.0
    fill_opacity: float = 0.5
    radius: float = 5.0  # points, in pixels
    dash: str | None = None  # e.g. "4 4" for dashed lines/outlines
    fill: bool = True


@dataclass(frozen=True)
class Category:
    """One class of a categorised style."""

    value: Any
    color: str
    label: Text | str


@dataclass(frozen=True)
class Categorized:
    """Colour by the value of *field*."""

    field: str
    categories: tuple[Category, ...]
    outline: str = "#333333"
    width: float = 1.0
    fill_opacity: float = 0.6
    radius: float = 6.0
    other_color: str = "#bbbbbb"


@dataclass(frozen=True)
class Graduated:
    """Colour by numeric *field* in classes ``breaks[i] <= v < breaks[i+1]``.

    ``breaks`` has one more item than ``colors``; the last class includes its
    upper edge. ``unit`` is shown in the legend; NaN gets ``nan_color`` and the
    legend entry ``nan_label`` (the interface's "no data" when None).
    """

    field: str
    breaks: tuple[float, ...]
    colors: tuple[str, ...]
    unit: Text | str = ""
    labels: tuple[Text | str, ...] | None = None
    outline: str = "#333333"
    width: float = 1.0
    fill_opacity: float = 0.7
    radius: float = 6.0
    nan_color: str = "#cccccc"
    nan_label: Text | str | None = None  # legend text for NaN; "no data" when None

    def __post_init__(self) -> None:
        if len(self.breaks) != len(self.colors) + 1:
            msg = f"Graduated needs len(breaks) == len(colors) + 1, got {len(self.breaks)}/{len(self.colors)}"
            raise ValueError(msg)
        if any(b1 < b0 for b0, b1 in zip(self.breaks, self.breaks[1:], strict=False)):
            msg = f"Graduated breaks must ascend: {self.breaks}"
            raise ValueError(msg)

    def class_of(self, value: float) -> int | None:
        """Index of the class holding *value*, or None (NaN or out of range)."""
        if value != value:  # NaN
            return None
        for i in range(len(self.colors)):
            lo, hi = self.breaks[i], self.breaks[i + 1]
            last = i == len(self.colors) - 1
            if lo <= value < hi or (last and value == hi):
                return i
        return None

    def class_labels(self, lang: str) -> list[str]:
        """Legend labels, "a – b unit" unless explicit labels were given."""
        from geo.i18n import tr

        if self.labels is not None:
            return [tr(label, lang) for label in self.labels]
        u = f" {tr(self.unit, lang)}" if self.unit else ""
        return [
            f"{_fmt(self.breaks[i])} – {_fmt(self.breaks[i + 1])}{u}"
            for i in range(len(self.colors))
        ]


def _fmt(v: float) -> str:
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}".replace(",", " ")
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.2f}"


VectorStyle = Single | Categorized | Graduated


@dataclass(frozen=True)
class RasterRamp:
    """Continuous colour ramp: ``colors[i]`` at ``values[i]``, linear between."""

    values: tuple[float, ...]
    colors: tuple[str, ...]
    unit: Text | str = ""
    opacity: float = 0.7

    def __post_init__(self) -> None:
        if len(self.values) != len(self.colors) or len(self.values) < 2:
            msg = "RasterRamp needs two or more stops, one colour per value"
            raise ValueError(msg)


@dataclass(frozen=True)
class RasterClasses:
    """Discrete raster classes: cell value ``values[i]`` is ``colors[i]``, ``labels[i]``."""

    values: tuple[int, ...]
    colors: tuple[str, ...]
    labels: tuple[Text | str, ...]
    opacity: float = 0.7


Style = VectorStyle | RasterRamp | RasterClasses


@dataclass(frozen=True)
class FieldSpec:
    """A field shown to users: its column, translated alias and unit."""

    name: str
    alias: Text | str
    unit: Text | str = ""  # a translatable text where the unit is a word ("km", "persons")
    digits: int | None = None
