"""Per-town windows of the dispersion grid: towns far apart are modelled on their own windows.

The grid spans every town of the area; the dispersion is computed on the window
of each town (its boundary plus the area's buffer, in the grid's cells) and
windows that meet are merged. Cells outside every window are not modelled:
they stay no-data (NaN) on the maps, never a silent zero. Every source of the
area is summed in every window, so a window's values are those the whole grid
would have there.
"""

from __future__ import annotations

import math

from geo.area import StudyArea, town_polygons
from geo.catalog import Catalog
from geo.crs import to_crs
from geo.grid import AnalysisGrid

__all__: list[str] = []

Window = tuple[slice, slice]
"""Rows and columns of a window of the grid."""


def town_windows(catalog: Catalog, area: StudyArea, grid: AnalysisGrid) -> list[Window]:
    """The windows of the grid holding the area's towns with the buffer, merged where they meet.

    A box or polygon area is one window: the whole grid.
    """
    whole = (slice(0, grid.height), slice(0, grid.width))
    if area.request.kind != "towns" or len(area.towns) < 2:
        return [whole]
    polys = to_crs(town_polygons(catalog, area.towns), grid.crs, what="town boundaries")
    boxes = [
        _cells(grid, tuple(float(v) for v in g.buffer(area.request.buffer_m).bounds))
        for g in polys.geometry
    ]
    merged = _merge(boxes)
    return [(slice(r0, r1), slice(c0, c1)) for r0, r1, c0, c1 in merged]


MARGIN_CELLS = 2
"""Cells added around each window, so a layer warped from it onto a finer grid keeps its edge."""


def _cells(grid: AnalysisGrid, bounds: tuple[float, ...]) -> tuple[int, int, int, int]:
    """(row0, row1, col0, col1) of the cells meeting *bounds* (grid CRS), with the margin, clipped."""
    left, top, size, m = grid.transform.c, grid.transform.f, grid.cell_size, MARGIN_CELLS
    c0 = max(0, math.floor((bounds[0] - left) / size) - m)
    c1 = min(grid.width, math.ceil((bounds[2] - left) / size) + m)
    r0 = max(0, math.floor((top - bounds[3]) / size) - m)
    r1 = min(grid.height, math.ceil((top - bounds[1]) / size) + m)
    return (r0, r1, c0, c1)


def _merge(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Boxes that overlap or touch merged into their bounding box, until none meet; sorted.

    Examples
    --------
    >>> _merge([(0, 10, 0, 10), (5, 20, 5, 20), (30, 40, 30, 40)])
    [(0, 20, 0, 20), (30, 40, 30, 40)]
    """
    out = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if a[0] <= b[1] and b[0] <= a[1] and a[2] <= b[3] and b[2] <= a[3]:
                    out[i] = (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))
                    del out[j]
                    changed = True
                    break
            if changed:
                break
    return sorted(out)
