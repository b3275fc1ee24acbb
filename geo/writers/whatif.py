"""The What-if panel of a land-suitability map: weights, constraints and areas recomputed offline.

A theme whose result carries a :class:`~geo.results.WhatIf` gets, on its HTML
map, a panel (``geo/assets/atlas/whatif.js``) with a slider per criterion, a
switch per constraint, the AHP matrix with its consistency ratio, the OWA order
weights, the class areas of every zone, a permalink and "Download as recipe".

What the page needs is embedded as JSON in a ``<script type="application/json">``
(never evaluated); the arrays inside it are little-endian typed arrays,
zlib-deflated and base64-encoded (the page inflates them with the browser's
``DecompressionStream``):

* ``factors``: the quantised memberships (uint16, ``k`` planes of the grid), each
  row delta-coded (cell minus the cell to its left, modulo 2¹⁶);
* ``masks``: one uint8 plane per constraint, 1 where it excludes the cell;
* ``zone_cells`` (uint32, delta-coded per zone) and ``zone_cover`` (float64):
  each zone's cells and the exact fraction of each inside it;
* ``display``: for each pixel of the Web Mercator image the grid cell it shows
  (int32, −1 outside; nearest neighbour, as the class raster's own overlay),
  row delta-coded.

Every string is put on screen with ``textContent``; numbers from the fragment
of the URL are parsed with ``Number`` and checked.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from affine import Affine
from branca.element import MacroElement
from jinja2 import Template
from pyproj import CRS, Transformer
from rasterio.warp import Resampling, reproject, transform_bounds

from geo.crs import WGS84
from geo.i18n import WHATIF, tr
from geo.results import ThemeResult, WhatIf
from geo.symbology import RasterClasses
from geo.writers.offline import ASSETS_DIR
from geo.writers.offline import json_for_script as _json_for_script

__all__ = ["MAX_DISPLAY_PX", "WhatIfPanel", "add_whatif", "whatif_payload"]

MAX_DISPLAY_PX = 1024
"""Longest side of the redrawn class image (as the HTML writer's raster overlays)."""


def _packed(arr: np.ndarray) -> str:
    """*arr* as little-endian bytes, zlib-deflated (level 9), base64."""
    data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def _row_delta(a: np.ndarray) -> np.ndarray:
    """Each cell minus the one to its left (the first of a row as it is), in *a*'s dtype."""
    out = a.copy()
    out[..., 1:] = a[..., 1:] - a[..., :-1]
    return out


def _display(w: WhatIf, max_px: int) -> dict[str, Any]:
    """The Web Mercator image the panel draws: size, corners and each pixel's grid cell."""
    r = w.classes
    dst = CRS.from_epsg(3857)
    left, bottom, right, top = transform_bounds(r.crs, dst, *r.bounds, densify_pts=21)
    rows, cols = r.shape
    aspect = (right - left) / (top - bottom)
    long_px = min(max_px, max(rows, cols))
    if aspect >= 1:
        width, height = long_px, max(1, round(long_px / aspect))
    else:
        width, height = max(1, round(long_px * aspect)), long_px
    transform = Affine((right - left) / width, 0, left, 0, -(top - bottom) / height, top)
    ids = np.arange(rows * cols, dtype="float64").reshape(rows, cols)
    out = np.full((height, width), np.nan, dtype="float64")
    reproject(
        ids,
        out,
        src_transform=r.transform,
        src_crs=r.crs,
        src_nodata=np.nan,
        dst_transform=transform,
        dst_crs=dst,
        dst_nodata=np.nan,
        resampling=Resampling.nearest,
    )
    index = np.where(np.isfinite(out), out, -1).astype("int32")
    to_ll = Transformer.from_crs(dst, WGS84, always_xy=True)
    west, south = to_ll.transform(left, bottom)
    east, north = to_ll.transform(right, top)
    return {
        "width": width,
        "height": height,
        "bounds": [[round(south, 6), round(west, 6)], [round(north, 6), round(east, 6)]],
        "index": _packed(_row_delta(index)),
    }


def _zones(w: WhatIf, lang: str) -> dict[str, Any]:
    cells, cover, rows = [], [], []
    for z in w.zones:
        ids = z.cells.astype("uint32")
        delta = ids.copy()
        delta[1:] = ids[1:] - ids[:-1]
        cells.append(delta)
        cover.append(z.coverage.astype("float64"))
        rows.append({"id": z.id, "name": tr(z.name, lang), "kind": z.kind, "n": len(ids)})
    return {
        "zones": rows,
        "zone_cells": _packed(np.concatenate(cells) if cells else np.zeros(0, "uint32")),
        "zone_cover": _packed(np.concatenate(cover) if cover else np.zeros(0, "float64")),
    }


def _class_style(result: ThemeResult, w: WhatIf) -> tuple[list[str], float]:
    layer = next(r for r in result.rasters if r.raster is w.classes)
    style = layer.style
    assert isinstance(style, RasterClasses)  # the theme's class raster
    return list(style.colors), float(style.opacity)


def whatif_payload(
    result: ThemeResult, lang: str, *, max_px: int = MAX_DISPLAY_PX
) -> dict[str, Any]:
    """What ``whatif.js`` needs for *result*'s panel in *lang* (see the module's docstring)."""
    w = result.whatif
    assert w is not None
    rows, cols = w.classes.shape
    factors = np.stack([c.factor for c in w.criteria]).astype("uint16")
    masks = (
        np.stack([c.excluded for c in w.constraints]).astype("uint8")
        if w.constraints
        else np.zeros((0, rows, cols), "uint8")
    )
    colours, opacity = _class_style(result, w)
    return {
        "ui": {k: tr(v, lang) for k, v in WHATIF.items()},
        "rows": rows,
        "cols": cols,
        "cell_ha": w.cell_ha,
        "quantum": w.quantum,
        "no_factor": w.no_factor,
        "criteria": [
            {"id": c.id, "title": tr(c.title, lang), "weight": c.weight} for c in w.criteria
        ],
        "factors": _packed(_row_delta(factors)),
        "constraints": [
            {
                "id": c.id,
                "title": c.id if c.title is None else tr(c.title, lang),
                "kind": tr(WHATIF.get(f"kind_{c.kind}", WHATIF["kind_other"]), lang),
                "optional": c.optional,
                "toml": c.toml,
            }
            for c in w.constraints
        ],
        "masks": _packed(masks),
        "breaks": list(w.breaks),
        "order_weights": None if w.order_weights is None else list(w.order_weights),
        "ahp": w.ahp,
        "colours": colours,
        "opacity": opacity,
        "classes": ["S1", "S2", "S3", "N"],
        "recipe": _recipe(w),
        "display": _display(w, max_px),
        **_zones(w, lang),
    }


def _recipe(w: WhatIf) -> dict[str, Any]:
    """The TOML pieces the panel assembles (every string from the recipe is pre-written here)."""
    used = [c.id for c in w.criteria]
    ids = list(w.recipe_ids) or used
    return {
        "file": w.recipe_file,
        "head": w.recipe_head,
        "weights": w.recipe_tables.get("weights", ""),
        "aggregation": w.recipe_tables.get("aggregation", ""),
        "keys": [[_toml_key(c), used.index(c) if c in used else -1] for c in ids],
        "names": [json.dumps(c, ensure_ascii=False) for c in used],
    }


def _toml_key(k: str) -> str:
    bare = all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in k) and k
    return k if bare else json.dumps(k, ensure_ascii=False)


def _asset(name: str) -> str:
    return (ASSETS_DIR / "atlas" / name).read_text(encoding="utf-8")


class WhatIfPanel(MacroElement):
    """The What-if panel on a folium map, drawn by ``whatif.js`` from its JSON payload."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        '{% macro html(this, kwargs) %}<script type="application/json" id="whatif-data">'
        "{{ this.payload }}</script>{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}\n"
        "atlasWhatIf({{ this._parent.get_name() }}, "
        "JSON.parse(document.getElementById('whatif-data').textContent));{% endmacro %}"
    )

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "WhatIfPanel"
        self._id = "whatif"
        self.payload = _json_for_script(dict(payload))
        self.css = _asset("whatif.css")
        self.js = _asset("whatif.js")


def add_whatif(m: Any, result: ThemeResult, lang: str) -> None:
    """Add the What-if panel of *result* to folium map *m* (nothing when it has no scenario)."""
    if result.whatif is not None and result.whatif.criteria:
        WhatIfPanel(whatif_payload(result, lang)).add_to(m)
