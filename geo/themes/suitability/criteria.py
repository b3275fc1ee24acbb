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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.models.terrain import slope_degrees
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data
from geo.themes.suitability.inputs import (
    RecipeErrors,
    _read,
    _select,
    _warp_checked,
    _warp_layer,
    class_codes,
)
from geo.themes.suitability.settings import RASTER_SOURCES, Criterion, SuitabilitySettings

__all__ = ["Criteria", "Weighting"]

log = logging.getLogger(__name__)
DISTANCE_CAP_MAX_M = 50_000.0
"""Upper bound of the distance cap (m), whatever the membership."""


@dataclass(frozen=True)
class Criteria:
    """Criterion values on the grid.

    Attributes
    ----------
    raws : tuple of arrays
        Raw values of the criteria used, in recipe order.
    used, skipped : tuple of str
        Ids of the criteria computed, and of the optional ones whose input is unavailable.
    filled : mapping
        Criterion id → cells filled with its ``outside`` value.
    dems : mapping
        DEM layer id → the DEM warped to the grid (read once, reused by constraints).
    notes : tuple of Text
        One note per skipped criterion and per criterion with filled cells.
    """

    raws: tuple[np.ndarray, ...]
    used: tuple[str, ...]
    skipped: tuple[str, ...]
    filled: Mapping[str, int]
    dems: Mapping[str, np.ndarray]
    notes: tuple[Text, ...]


@dataclass(frozen=True)
class Weighting:
    """The weights of the criteria used and the OWA order weights with their measures."""

    used: np.ndarray
    order: list[float] | None
    owa: Mapping[str, Any]


def _compute_criteria(
    ctx: ThemeInputs,
    settings: SuitabilitySettings,
    grid: AnalysisGrid,
    pol: ThemeResult | None,
    left_out: Mapping[str, str],
) -> Criteria:
    """Raw criterion values on the grid, the used and skipped ids, and their notes.

    Criteria in *left_out* (their layer does not cover the area; noted by the
    coverage check) are skipped without being computed.
    """
    crit, ids = settings.criteria, settings.ids
    # rasters first: a DEM that misses the study area is reported before anything derived from it
    order = sorted(ids, key=lambda c: (crit[c].source not in RASTER_SOURCES, ids.index(c)))
    dems: dict[str, np.ndarray] = {}
    filled: dict[str, int] = {}
    computed = {
        cid: None
        if f"criteria.{cid}" in left_out
        else _raw_criterion(crit[cid], ctx, grid, settings.error, dems, filled, pol)
        for cid in order
    }
    notes: list[Text] = []
    skipped = [cid for cid in ids if computed[cid] is None]
    for cid in skipped:
        if f"criteria.{cid}" in left_out:
            continue
        if not crit[cid].optional:
            raise settings.error(
                f"criteria.{cid}",
                "its input is unavailable; build the pollution theme first or mark it optional = true",
            )
        notes.append(_skipped_note(cid))
        log.info("criterion %s skipped (input unavailable)", cid)
    used = [cid for cid in ids if computed[cid] is not None]
    if not used:
        raise settings.error("criteria", "no criterion could be computed; check the layers")
    for cid, n in sorted(filled.items()):
        if n:
            notes.append(_filled_note(cid, 100.0 * n / (grid.width * grid.height), crit[cid]))
    raws = tuple(np.asarray(computed[c]) for c in used)
    return Criteria(raws, tuple(used), tuple(skipped), filled, dems, tuple(notes))


def _skipped_note(cid: str) -> Text:
    return text(
        f"Criterion {cid} skipped: its input is not available in this build; the other weights were rescaled to sum 1.",
        f"{cid} критерийі өткізілді: оның деректері бұл құрастыруда жоқ; қалған салмақтар қосындысы 1 болатындай қайта есептелді.",
        f"Критерий {cid} пропущен: его данных нет в этой сборке; остальные веса пересчитаны к сумме 1.",
    )


def _filled_note(cid: str, share: float, c: Criterion) -> Text:
    v = c.outside
    return text(
        f"Criterion {cid}: {share:.1f} % of the cells lie outside its raster and take the recipe's value {v:g}.",
        f"{cid} критерийі: ұяшықтардың {share:.1f} % растрдан тыс, оларға рецепттегі {v:g} мәні берілді.",
        f"Критерий {cid}: {share:.1f} % ячеек вне его растра, им присвоено значение {v:g} из рецепта.",
    )


def _raw_criterion(
    c: Criterion,
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    error: RecipeErrors,
    dems: dict[str, np.ndarray],
    filled: dict[str, int],
    pol: ThemeResult | None,
) -> np.ndarray | None:
    """Raw values of criterion *c* on the grid (None when its optional input is unavailable).

    DEMs are warped once and kept in *dems* by layer id; cells filled with the
    recipe's ``outside`` value are counted in *filled*.
    """
    key = f"criteria.{c.id}"
    src = c.source
    if src in ("slope", "elevation"):
        assert c.layer is not None  # settings default it to "dem"
        if c.layer not in dems:
            dems[c.layer] = _warp_layer(ctx, grid, error, c.layer, key)
        dem = dems[c.layer]
        return slope_degrees(dem, grid.cell_size) if src == "slope" else dem
    if src == "raster_classes":
        assert c.layer is not None  # settings require it
        return class_codes(_read(ctx, c.layer), grid, error, f"{key}.layer", c.layer)
    if src in ("raster", "pollution_index"):
        if src == "raster":
            assert c.layer is not None  # settings require it
            arr = _warp_layer(ctx, grid, error, c.layer, key)
        else:
            r = layer_data(pol, "pollution_index", raster=True)
            if r is None:
                return None
            arr = _warp_checked(grid, r, error, key, "the pollution_index raster")
        if c.outside is not None:
            gaps = ~np.isfinite(arr)
            filled[c.id] = int(gaps.sum())
            arr[gaps] = c.outside
        return arr
    return _vector_criterion(c, ctx, grid, error, key)


def _vector_criterion(
    c: Criterion, ctx: ThemeInputs, grid: AnalysisGrid, error: RecipeErrors, key: str
) -> np.ndarray | None:
    """Distance to, category of, or numeric field of a vector layer's features, on the grid."""
    assert c.layer is not None  # settings require it
    gdf = _read(ctx, c.layer)
    if gdf is None:
        return None
    gdf = _select(gdf, c.where, error, f"{key}.where")
    if c.source == "distance":
        hi = c.membership.saturation(1e-3)[1]
        cap = min(hi, DISTANCE_CAP_MAX_M) if math.isfinite(hi) and hi > 0 else DISTANCE_CAP_MAX_M
        return grid.distance_to(gdf, cap=cap, what=f"layer {c.layer!r}")
    field = c.field
    if field not in gdf:
        raise error(
            f"{key}.field",
            f"layer {c.layer!r} has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}",
        )
    if c.source == "categorical":
        cats = sorted({str(v) for v in gdf[field].dropna()})
        code = {v: i + 1 for i, v in enumerate(cats)}
        ids = grid.rasterize(
            gdf,
            [code.get(str(v), 0) for v in gdf[field]],
            fill=0,
            dtype="int32",
            what=f"layer {c.layer!r}",
        )
        lut = np.array([None, *cats], dtype=object)
        return lut[ids]  # type: ignore[no-any-return]
    vals = pd.to_numeric(gdf[field], errors="coerce").to_numpy(dtype=float)
    return grid.rasterize(gdf, vals, fill=np.nan, dtype="float32", what=f"layer {c.layer!r}")


def _weighting(settings: SuitabilitySettings, criteria: Criteria) -> Weighting:
    """Weights of the criteria used (rescaled to sum 1) and the OWA order weights for them."""
    ids = settings.ids
    w_used = mcda.normalised([settings.weights[ids.index(c)] for c in criteria.used])
    order, info = _order_weights(settings, len(criteria.used), skipped=bool(criteria.skipped))
    return Weighting(w_used, order, info)


def _order_weights(
    settings: SuitabilitySettings, n_used: int, *, skipped: bool
) -> tuple[list[float] | None, dict[str, Any]]:
    """OWA order weights for the criteria used, and their measures (orness, trade-off)."""
    if settings.order_weights is None:
        return None, {}
    ow = list(settings.order_weights)
    if skipped:  # keep the ends (AND/OR character): drop middle ranks, renormalise
        ow = ow[: n_used - 1] + ow[-1:] if n_used > 1 else [1.0]
        total = sum(ow)
        ow = [v / total for v in ow] if total > 0 else [1.0 / n_used] * n_used
    try:
        measures = mcda.owa_measures(ow)
    except mcda.MCDAError as exc:
        raise settings.error("aggregation.order_weights", str(exc)) from None
    return ow, {"measures": measures}
