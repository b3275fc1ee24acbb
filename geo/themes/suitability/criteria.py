"""Criteria of the land-suitability theme and the OWA order weights.

Each criterion's input (the DEM for slope and elevation, a raster, a vector
layer's features for a distance or a categorical or numeric field, the
pollution index) is read and checked once (:class:`~geo.themes.suitability.cells.CriterionSource`);
its raw values are computed window by window by :mod:`~geo.themes.suitability.cells`.
A criterion whose optional input is unavailable is skipped with a note, and the
OWA order weights are then reduced to the criteria actually used.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.crs import to_crs
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.raster import Raster
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_data
from geo.themes.suitability.cells import CriterionSource
from geo.themes.suitability.inputs import (
    RecipeErrors,
    _check_overlap,
    _checked_layer,
    _read,
    _select,
    check_classes,
)
from geo.themes.suitability.settings import RASTER_SOURCES, Criterion, SuitabilitySettings

__all__ = ["Criteria", "Weighting"]

log = logging.getLogger(__name__)
DISTANCE_CAP_MAX_M = 50_000.0
"""Upper bound of the distance cap (m), whatever the membership."""


@dataclass(frozen=True)
class Criteria:
    """The criteria of a build, ready to be computed on any window of the grid.

    Attributes
    ----------
    sources : tuple of CriterionSource
        What each criterion used reads, in recipe order.
    used, skipped : tuple of str
        Ids of the criteria used, and of the optional ones whose input is unavailable.
    filled : mapping
        Criterion id → cells filled with its ``outside`` value (known once the model ran:
        :meth:`with_filled`).
    notes : tuple of Text
        One note per skipped criterion and per criterion with filled cells.
    """

    sources: tuple[CriterionSource, ...]
    used: tuple[str, ...]
    skipped: tuple[str, ...]
    filled: Mapping[str, int]
    notes: tuple[Text, ...]

    def with_filled(
        self, filled: Mapping[str, int], settings: SuitabilitySettings, grid: AnalysisGrid
    ) -> Criteria:
        """These criteria with the cells the model filled, and a note for each."""
        notes = [
            _filled_note(cid, 100.0 * n / (grid.width * grid.height), settings.criteria[cid])
            for cid, n in sorted(filled.items())
            if n
        ]
        return dataclasses.replace(self, filled=dict(filled), notes=(*self.notes, *notes))


@dataclass(frozen=True)
class Weighting:
    """The weights of the criteria used and the OWA order weights with their measures."""

    used: np.ndarray
    order: list[float] | None
    owa: Mapping[str, Any]


def _prepare_criteria(
    ctx: ThemeInputs,
    settings: SuitabilitySettings,
    grid: AnalysisGrid,
    pol: ThemeResult | None,
    left_out: Mapping[str, str],
) -> Criteria:
    """What each criterion reads, the used and skipped ids, and the notes of the skipped.

    Criteria in *left_out* (their layer does not cover the area; noted by the
    coverage check) are skipped without being read. A raster that misses the study
    area is refused here, before any cell is computed.
    """
    crit, ids = settings.criteria, settings.ids
    # rasters first: a DEM that misses the study area is reported before anything derived from it
    order = sorted(ids, key=lambda c: (crit[c].source not in RASTER_SOURCES, ids.index(c)))
    checked: dict[str, Raster] = {}
    prepared = {
        cid: None
        if f"criteria.{cid}" in left_out
        else _source(crit[cid], ctx, grid, settings.error, checked, pol)
        for cid in order
    }
    notes: list[Text] = []
    skipped = [cid for cid in ids if prepared[cid] is None]
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
    used = [cid for cid in ids if prepared[cid] is not None]
    if not used:
        raise settings.error("criteria", "no criterion could be computed; check the layers")
    sources = tuple(src for c in used if (src := prepared[c]) is not None)
    return Criteria(sources, tuple(used), tuple(skipped), {}, tuple(notes))


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


def _source(
    c: Criterion,
    ctx: ThemeInputs,
    grid: AnalysisGrid,
    error: RecipeErrors,
    checked: dict[str, Raster],
    pol: ThemeResult | None,
) -> CriterionSource | None:
    """What criterion *c* reads (None when its optional input is unavailable).

    Raster layers are read and checked against the study area once, kept in
    *checked* by layer id.
    """
    key = f"criteria.{c.id}"
    src = c.source
    if src in ("slope", "elevation", "raster"):
        assert c.layer is not None  # settings require it (slope and elevation: "dem")
        if c.layer not in checked:
            checked[c.layer] = _checked_layer(ctx, grid, error, c.layer, key)
        outside = c.outside if src == "raster" else None
        return CriterionSource(c.id, src, raster=checked[c.layer], outside=outside)
    if src == "raster_classes":
        assert c.layer is not None  # settings require it
        r = _read(ctx, c.layer)
        check_classes(r, grid, error, f"{key}.layer", c.layer)
        return CriterionSource(c.id, src, raster=r)
    if src == "pollution_index":
        r = layer_data(pol, "pollution_index", raster=True)
        if r is None:
            return None
        _check_overlap(grid, r, error, key, "the pollution_index raster")
        return CriterionSource(c.id, src, raster=r, outside=c.outside)
    return _vector_source(c, ctx, grid, error, key)


def _vector_source(
    c: Criterion, ctx: ThemeInputs, grid: AnalysisGrid, error: RecipeErrors, key: str
) -> CriterionSource | None:
    """Distance to, category of, or numeric field of a vector layer's features."""
    assert c.layer is not None  # settings require it
    gdf = _read(ctx, c.layer)
    if gdf is None:
        return None
    gdf = to_crs(_select(gdf, c.where, error, f"{key}.where"), grid.crs, what=f"layer {c.layer!r}")
    if c.source == "distance":
        hi = c.membership.saturation(1e-3)[1]
        cap = min(hi, DISTANCE_CAP_MAX_M) if math.isfinite(hi) and hi > 0 else DISTANCE_CAP_MAX_M
        near = grid.nearest(gdf, cap=cap, what=f"layer {c.layer!r}")
        return CriterionSource(c.id, c.source, near=near)
    field = c.field
    if field not in gdf:
        raise error(
            f"{key}.field",
            f"layer {c.layer!r} has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}",
        )
    if c.source == "categorical":
        cats = sorted({str(v) for v in gdf[field].dropna()})
        code = {v: i + 1 for i, v in enumerate(cats)}
        codes = np.array([code.get(str(v), 0) for v in gdf[field]], dtype=float)
        return CriterionSource(c.id, c.source, frame=gdf, values=codes, categories=tuple(cats))
    vals = pd.to_numeric(gdf[field], errors="coerce").to_numpy(dtype=float)
    return CriterionSource(c.id, c.source, frame=gdf, values=vals)


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
