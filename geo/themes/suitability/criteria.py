"""Criteria on the analysis grid and the OWA order weights.

Each criterion's raw values (slope, elevation, distance, categorical or
numeric field, raster, pollution index) are computed on the grid; a criterion
whose optional input is unavailable is skipped with a note, and the OWA order
weights are then reduced to the criteria actually used.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.models.fuzzy import Membership
from geo.models.terrain import slope_degrees
from geo.recipe import Recipe
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data
from geo.themes.suitability.inputs import _read, _select, _warp_checked, _warp_layer

log = logging.getLogger(__name__)
DISTANCE_CAP_MAX_M = 50_000.0
"""Upper bound of the distance cap (m), whatever the membership."""


def _compute_criteria(
    ctx: ThemeInputs,
    recipe: Recipe,
    grid: AnalysisGrid,
    s: dict[str, Any],
    pol: Any,
    cache: dict[str, Any],
    notes: list[Text],
) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Raw criterion values on the grid: ``(raws, used ids, skipped ids)``; notes the skipped ones."""
    crit, ids = s["crit"], s["ids"]
    # rasters first: a DEM that misses the study area is reported before anything derived from it
    order = sorted(
        ids, key=lambda c: (crit[c]["source"] not in ("slope", "elevation", "raster"), ids.index(c))
    )
    computed = {cid: _raw_criterion(crit[cid], ctx, grid, recipe, cache, pol) for cid in order}
    raws: list[np.ndarray] = []
    used: list[str] = []
    skipped: list[str] = []
    for cid in ids:
        raw = computed[cid]
        if raw is None:
            if not crit[cid]["optional"]:
                raise recipe.error(
                    f"criteria.{cid}",
                    "its input is unavailable; build the pollution theme first or mark it optional = true",
                )
            skipped.append(cid)
            notes.append(
                text(
                    f"Criterion {cid} skipped: its input is not available in this build; the other weights were rescaled to sum 1.",
                    f"{cid} критерийі өткізілді: оның деректері бұл құрастыруда жоқ; қалған салмақтар қосындысы 1 болатындай қайта есептелді.",
                    f"Критерий {cid} пропущен: его данных нет в этой сборке; остальные веса пересчитаны к сумме 1.",
                )
            )
            log.info("criterion %s skipped (input unavailable)", cid)
            continue
        raws.append(raw)
        used.append(cid)
    if not used:
        raise recipe.error("criteria", "no criterion could be computed; check the layers")
    for cid, n in sorted(cache.get("filled", {}).items()):
        if n:
            share = 100.0 * n / (grid.width * grid.height)
            v = crit[cid]["outside"]
            notes.append(
                text(
                    f"Criterion {cid}: {share:.1f} % of the cells lie outside its raster and take the recipe's value {v:g}.",
                    f"{cid} критерийі: ұяшықтардың {share:.1f} % растрдан тыс, оларға рецепттегі {v:g} мәні берілді.",
                    f"Критерий {cid}: {share:.1f} % ячеек вне его растра, им присвоено значение {v:g} из рецепта.",
                )
            )
    return raws, used, skipped


def _raw_criterion(
    c: Mapping[str, Any],
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    recipe: Recipe,
    cache: dict[str, Any],
    pol: Any,
) -> np.ndarray | None:
    """Raw values of criterion *c* on the grid (None when its optional input is unavailable).

    DEMs are warped once and kept in *cache* (``"dem<layer>"``); cells filled
    with the recipe's ``outside`` value are counted in ``cache["filled"]``.
    """
    key = f"criteria.{c['id']}"
    src = c["source"]
    m: Membership = c["membership"]
    if src in ("slope", "elevation"):
        if "dem" + c["layer"] not in cache:
            cache["dem" + c["layer"]] = _warp_layer(ctx, grid, recipe, c["layer"], key)
        dem = cache["dem" + c["layer"]]
        return slope_degrees(dem, grid.cell_size) if src == "slope" else dem
    if src in ("raster", "pollution_index"):
        if src == "raster":
            arr = _warp_layer(ctx, grid, recipe, c["layer"], key)
        else:
            r = layer_data(pol, "pollution_index", raster=True)
            if r is None:
                return None
            arr = _warp_checked(grid, r, recipe, key, "the pollution_index raster")
        if c["outside"] is not None:
            gaps = ~np.isfinite(arr)
            cache.setdefault("filled", {})[c["id"]] = int(gaps.sum())
            arr[gaps] = c["outside"]
        return arr
    gdf = _read(ctx, c["layer"], recipe, key)
    if gdf is None:
        return None
    gdf = _select(gdf, c["where"], recipe, f"{key}.where")
    if src == "distance":
        hi = m.saturation(1e-3)[1]
        cap = min(hi, DISTANCE_CAP_MAX_M) if math.isfinite(hi) and hi > 0 else DISTANCE_CAP_MAX_M
        return grid.distance_to(gdf, cap=cap, what=f"layer {c['layer']!r}")
    field = c["field"]
    if field not in gdf:
        raise recipe.error(
            f"{key}.field",
            f"layer {c['layer']!r} has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}",
        )
    if src == "categorical":
        cats = sorted({str(v) for v in gdf[field].dropna()})
        code = {v: i + 1 for i, v in enumerate(cats)}
        ids = grid.rasterize(
            gdf,
            [code.get(str(v), 0) for v in gdf[field]],
            fill=0,
            dtype="int32",
            what=f"layer {c['layer']!r}",
        )
        lut = np.array([None, *cats], dtype=object)
        return lut[ids]  # type: ignore[no-any-return]
    vals = pd.to_numeric(gdf[field], errors="coerce").to_numpy(dtype=float)
    return grid.rasterize(gdf, vals, fill=np.nan, dtype="float32", what=f"layer {c['layer']!r}")


def _order_weights(
    recipe: Recipe, order_w: Any, n_criteria: int, n_used: int, skipped: bool
) -> tuple[list[float] | None, dict[str, Any]]:
    """OWA order weights for the criteria used, and their measures (orness, trade-off)."""
    if order_w is None:
        return None, {}
    ow = list(order_w)
    if len(ow) != n_criteria:
        raise recipe.error(
            "aggregation.order_weights",
            f"{len(ow)} order weights for {n_criteria} criteria; give one per criterion",
        )
    if skipped:  # keep the ends (AND/OR character): drop middle ranks, renormalise
        ow = ow[: n_used - 1] + ow[-1:] if n_used > 1 else [1.0]
        total = sum(ow)
        ow = [v / total for v in ow] if total > 0 else [1.0 / n_used] * n_used
    try:
        measures = mcda.owa_measures(ow)
    except mcda.MCDAError as exc:
        raise recipe.error("aggregation.order_weights", str(exc)) from None
    return ow, {"measures": measures}
