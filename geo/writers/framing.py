"""Map framing shared by the HTML and PNG writers: which part of the world a theme shows.

A page and a sheet frame a theme by the same rule: the theme's ``map_focus``
when it is a valid (west, south, east, north) box in degrees, else the extent
of its own layers, else the base map's. The page then opens on the frame and
keeps the full bounds for "whole theme"; the sheet draws the frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from rasterio.warp import transform_bounds

from geo.crs import WGS84
from geo.raster import Raster
from geo.results import ThemeResult
from geo.writers.geometry import lonlat_bounds

__all__ = ["Box", "layer_bounds", "raster_bounds", "theme_focus", "union_bounds"]

Box = tuple[float, float, float, float]
"""(west, south, east, north) in degrees."""


def theme_focus(result: ThemeResult) -> Box | None:
    """The theme's ``map_focus`` as a box, or None when it is unset or not a valid box.

    Examples
    --------
    >>> from geo.results import ThemeResult
    >>> theme_focus(ThemeResult("t", {}, map_focus=(70, 42, 71, 43)))
    (70.0, 42.0, 71.0, 43.0)
    >>> theme_focus(ThemeResult("t", {}, map_focus=(71, 42, 70, 43))) is None
    True
    """
    focus = result.map_focus
    if not (isinstance(focus, list | tuple) and len(focus) == 4):
        return None
    try:
        w, s, e, n = (float(v) for v in focus)
    except (TypeError, ValueError):
        return None
    if all(math.isfinite(v) for v in (w, s, e, n)) and w < e and s < n:
        return (w, s, e, n)
    return None


def union_bounds(boxes: Iterable[Sequence[float]]) -> Box | None:
    """The box holding every (west, south, east, north) box, or None for none."""
    found = list(boxes)
    if not found:
        return None
    return (
        min(b[0] for b in found),
        min(b[1] for b in found),
        max(b[2] for b in found),
        max(b[3] for b in found),
    )


def raster_bounds(raster: Raster) -> Box:
    """The raster's bounds in degrees."""
    w, s, e, n = transform_bounds(raster.crs, WGS84, *raster.bounds)
    return (float(w), float(s), float(e), float(n))


def layer_bounds(result: ThemeResult, *, vectors: bool = True) -> list[Box]:
    """Degree boxes of the result's vector layers (when *vectors*) and raster layers."""
    boxes: list[Box] = []
    for v in result.vectors if vectors else ():
        b = lonlat_bounds(v.data, f"layer {v.name}")
        if b is not None:
            boxes.append(b)
    boxes += [raster_bounds(r.raster) for r in result.rasters]
    return boxes
