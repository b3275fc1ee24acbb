"""What the map page needs to recompute the suitability in the browser (:class:`~geo.results.WhatIf`).

The quantised factors the build aggregated, the cells each constraint
excludes, the exact coverage of every zone's cells (the ``by_zone`` table's
exactextract fractions), the AHP matrix, and the recipe written back as TOML
without the parts the panel changes (weights, aggregation, constraints).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.models.ahp import RANDOM_INDEX
from geo.raster import Raster
from geo.results import WhatIf, WhatIfConstraint, WhatIfCriterion, WhatIfZone
from geo.themes.suitability.constraints import Constraints
from geo.themes.suitability.criteria import Criteria, Weighting
from geo.themes.suitability.settings import SuitabilitySettings

__all__ = ["WHATIF_MAX_CELLS", "toml_document", "toml_value", "whatif", "whatif_left_out"]

WHATIF_MAX_CELLS = 2_000_000
"""Largest grid (cells) a map page carries a What-if panel for: its factors, masks and zone
cells add about 0.85 MB per million cells to the page (1.6 MB at the 25 m grid of
Zhanatas, 1.9 M cells: ``bench/bench_whatif.py``), within the 3 MB a page may weigh; and a
build above it keeps no factors of the whole grid in memory."""

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_CHANGED = ("weights", "aggregation")
"""Top-level tables the panel writes itself."""


def whatif_left_out(cells: int) -> Text:
    """The note of a map page whose grid is too large for the What-if panel."""
    m, limit = f"{cells / 1e6:.1f}", f"{WHATIF_MAX_CELLS / 1e6:g}"
    return text(
        f"No What-if panel on this map: the grid has {m} million cells, more than the {limit} million a page can recompute; rebuild with a larger cell_size_m in [area] to get one.",
        f"Бұл картада «Егер…» панелі жоқ: торда {m.replace('.', ',')} млн ұяшық бар, бұл бет қайта есептей алатын {limit} млн-нан көп; панель алу үшін [area] бөліміндегі cell_size_m мәнін үлкейтіп, қайта құрастырыңыз.",
        f"На этой карте нет панели «Что если»: в сетке {m.replace('.', ',')} млн ячеек, больше {limit} млн, которые страница может пересчитать; чтобы получить её, пересоберите с большим cell_size_m в [area].",
    )


def whatif(
    settings: SuitabilitySettings,
    grid: AnalysisGrid,
    criteria: Criteria,
    weighting: Weighting,
    constraints: Constraints,
    ev: mcda.Evaluation,
    class_r: Raster,
    zones: gpd.GeoDataFrame | None,
) -> WhatIf:
    """The :class:`WhatIf` of a built suitability model (*ev* evaluated with a quantum).

    The grid has at most :data:`WHATIF_MAX_CELLS` cells, so its class raster is read whole.
    """
    assert ev.factors is not None  # the theme evaluates with mcda.QUANTUM
    crit = tuple(
        WhatIfCriterion(c, settings.criteria[c].title, float(w), ev.factors[j])
        for j, (c, w) in enumerate(zip(criteria.used, weighting.used.tolist(), strict=True))
    )
    cons_data = dict(settings.recipe_data.get("constraints", {}))
    cons = tuple(
        WhatIfConstraint(
            c.id,
            c.kind,
            c.optional,
            constraints.excluded[c.id],
            _table(f"constraints.{_key(c.id)}", cons_data.get(c.id, {})),
            c.title,
        )
        for c in settings.constraints
        if c.id in constraints.excluded
    )
    return WhatIf(
        classes=class_r,
        raster="class",
        quantum=mcda.QUANTUM,
        no_factor=mcda.NO_FACTOR,
        criteria=crit,
        constraints=cons,
        breaks=settings.breaks,
        order_weights=None if weighting.order is None else tuple(weighting.order),
        ahp=_ahp(settings, criteria),
        zones=() if zones is None else _zone_cells(zones, class_r),
        cell_ha=grid.cell_area_ha,
        recipe_file=f"{settings.name}.toml",
        recipe_head=_head(settings.recipe_data, {c.id for c in cons}),
        recipe_tables={
            k: _table(k, settings.recipe_data[k])
            if isinstance(settings.recipe_data.get(k), Mapping)
            else ""
            for k in _CHANGED
        },
        recipe_ids=tuple(settings.ids),
    )


def _ahp(settings: SuitabilitySettings, criteria: Criteria) -> dict[str, Any] | None:
    """The pairwise matrix in criterion order, when AHP weighs all the recipe's criteria."""
    rec = settings.weights_record
    if "matrix" not in rec or criteria.skipped:
        return None
    order = list(rec["criteria"])
    idx = [order.index(c) for c in criteria.used]
    matrix = [[float(rec["matrix"][i][j]) for j in idx] for i in idx]
    table = str(rec.get("ri_table", "saaty1980"))
    return {
        "matrix": matrix,
        "ri_table": table,
        "ri": list(RANDOM_INDEX[table]),
        "max_cr": float(rec.get("max_cr", 0.10)),
        "cr": float(rec.get("cr", 0.0)),
    }


def _zone_cells(zones: gpd.GeoDataFrame, class_r: Raster) -> tuple[WhatIfZone, ...]:
    """Each zone's cells and their exact covered fractions (exactextract, as ``class_areas``)."""
    z = zones[zones.geometry.notna() & ~zones.geometry.is_empty].reset_index(drop=True)
    if z.empty:
        return ()
    left, bottom, right, top = class_r.bounds
    src = NumPyRasterSource(
        np.asarray(class_r.array, dtype="float64"),
        left,
        bottom,
        right,
        top,
        nodata=None,
        name="cells",
        srs_wkt=class_r.crs.to_wkt(),
    )
    res = exact_extract(
        src, z[["zone_id", z.geometry.name]], ["cell_id", "coverage"], output="pandas"
    )
    out = []
    for i, row in z.iterrows():
        ids = np.asarray(res["cell_id"].iloc[i], dtype="int64")
        cov = np.asarray(res["coverage"].iloc[i], dtype="float64")
        keep = cov > 0
        name = {
            "en": str(row["name"]),
            "kk": str(row.get("name_kk", row["name"])),
            "ru": str(row.get("name_ru", row["name"])),
        }
        out.append(
            WhatIfZone(str(row["zone_id"]), name, str(row["zone_type"]), ids[keep], cov[keep])
        )
    return tuple(out)


# -- the recipe written back ---------------------------------------------------------------
def _head(data: Mapping[str, Any], switchable: set[str]) -> str:
    """The recipe without the tables the panel writes; empty if it does not read back the same."""
    head = {k: v for k, v in data.items() if k not in (*_CHANGED, "constraints")}
    kept = {k: v for k, v in dict(data.get("constraints", {})).items() if k not in switchable}
    if kept:
        head["constraints"] = kept
    try:
        text = toml_document(head)
        whole = text + "".join(
            "\n" + _table(k, v) for k, v in data.items() if k in _CHANGED and isinstance(v, Mapping)
        )
        whole += "".join(
            "\n" + _table(f"constraints.{_key(str(k))}", v)
            for k, v in dict(data.get("constraints", {})).items()
            if k in switchable
        )
        same = tomllib.loads(whole) == _plain(data)
    except (ValueError, tomllib.TOMLDecodeError):
        return ""
    return text if same else ""


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def toml_value(v: Any) -> str:
    """*v* (str, bool, int, float, list, table) as a TOML value.

    Examples
    --------
    >>> toml_value({"a b": [1, 2.5, "x"], "c": True})
    '{ "a b" = [1, 2.5, "x"], c = true }'

    Raises
    ------
    ValueError
        A value TOML cannot hold as written (a date, None).
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {toml_value(x)}" for k, x in v.items())
        return "{ " + inner + " }" if inner else "{}"
    msg = f"cannot write {type(v).__name__} {v!r} as TOML"
    raise ValueError(msg)


def _table(path: str, data: Mapping[str, Any]) -> str:
    """``[path]`` with its values, then its sub-tables (dotted headers)."""
    lines = [f"[{path}]"]
    subs = []
    for k, v in data.items():
        if isinstance(v, Mapping):
            subs.append(_table(f"{path}.{_key(str(k))}", v))
        else:
            lines.append(f"{_key(str(k))} = {toml_value(v)}")
    return "\n".join(lines) + "\n" + "".join("\n" + s for s in subs)


def toml_document(data: Mapping[str, Any]) -> str:
    """*data* as a TOML document: top-level values first, then one table per mapping.

    Examples
    --------
    >>> print(toml_document({"name": "x", "area": {"towns": ["A"], "grid": {"m": 100}}}), end="")
    name = "x"
    <BLANKLINE>
    [area]
    towns = ["A"]
    <BLANKLINE>
    [area.grid]
    m = 100
    """
    top = [
        f"{_key(str(k))} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, Mapping)
    ]
    tables = [_table(_key(str(k)), v) for k, v in data.items() if isinstance(v, Mapping)]
    return "\n".join(top) + "\n" + "".join("\n" + t for t in tables)
