"""Coverage: which criteria and constraints the catalog's layers can serve in the study area.

Before any raster work, every layer a criterion or constraint reads is compared
with the study area (:meth:`geo.catalog.Catalog.extent`, :func:`geo.area.covered_share`):

* a layer that does not reach the area stops the build when its criterion or
  constraint is required, naming the layer, the area and how to supply it;
* an optional one is left out, with a note on the map and a record in the manifest;
* a layer covering part of the area is noted with its share (raster cells beyond it
  are no-data, and :func:`check_filled` refuses a score that is mostly no-data; beyond a
  vector layer's extent its features are not mapped, which the note says).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.area import StudyArea, coverage_error, layer_coverage
from geo.errors import InputError
from geo.i18n import Text, text
from geo.themes.base import ThemeInputs
from geo.themes.suitability.settings import RASTER_SOURCES, SuitabilitySettings

__all__: list[str] = []

log = logging.getLogger(__name__)

_TERRAIN = {"slope_above", "elevation_above"}

MOSTLY_NO_DATA = 0.5
"""A score with data on less than this share of the grid is refused, not mapped."""


@dataclass(frozen=True)
class Coverage:
    """Criteria and constraints left out (recipe key → layer), notes, and the manifest record."""

    left_out: Mapping[str, str]
    notes: tuple[Text, ...]
    record: Mapping[str, Any]


def _inputs(settings: SuitabilitySettings) -> list[tuple[str, str, bool]]:
    """(recipe key, layer, optional) of every criterion and constraint reading a layer.

    Rasters first: a DEM that misses the area is named before the layers derived from it
    (the synthetic soils take their elevations from it).
    """
    crit = sorted(
        settings.criteria.values(),
        key=lambda c: c.source not in RASTER_SOURCES,
    )
    out = [
        (f"criteria.{c.id}", c.layer, c.optional)
        for c in crit
        if c.layer and c.source != "pollution_index"
    ]
    for k in settings.constraints:
        layer = "dem" if k.kind in _TERRAIN else k.layer
        if layer and k.kind not in ("pollution_above",):
            out.append((f"constraints.{k.id}", layer, k.optional))
    return out


def check_coverage(ctx: ThemeInputs, settings: SuitabilitySettings, area: StudyArea) -> Coverage:
    """Compare each input layer with *area*; refuse a required one that misses it.

    Raises
    ------
    RecipeError
        A required criterion or constraint whose layer does not reach the area.
    """
    left_out: dict[str, str] = {}
    notes: list[Text] = []
    record: dict[str, Any] = {}
    partial: dict[str, float] = {}
    for key, layer, optional in _inputs(settings):
        share = layer_coverage(ctx.catalog, layer, area)
        record[key] = {"layer": layer, "covered_pct": round(100 * share, 1)}
        if share > 0:
            if share < 1:
                partial[layer] = share
            continue
        present = ctx.catalog.available(layer)
        if not optional and not present:
            raise settings.error(key, str(ctx.catalog.unavailable_error(layer)))
        if not optional:
            raise settings.error(key, coverage_error(layer, area, ctx.catalog.extent(layer)))
        left_out[key] = layer
        record[key]["left_out"] = True
        cid = key.split(".", 1)[1]
        if present:
            notes.append(_left_out_note(cid, layer, area.label))
            log.info("%s left out: layer %s does not cover %s", key, layer, area.label)
        else:
            notes.append(_not_fetched_note(cid, layer, str(ctx.catalog.spec(layer).fetch)))
            log.info("%s left out: layer %s is not in this build", key, layer)
    notes += [
        _partial_note(layer, 100 * share, raster=ctx.catalog.spec(layer).kind == "raster")
        for layer, share in sorted(partial.items())
    ]
    notes += _resolution_notes(ctx, settings, area, {layer for _k, layer, _o in _inputs(settings)})
    return Coverage(left_out, tuple(notes), record)


FINER_THAN_DATA = 10.0
"""Cells this many times finer than a raster input are noted: they add no detail it lacks."""


def _resolution_notes(
    ctx: ThemeInputs, settings: SuitabilitySettings, area: StudyArea, layers: set[str]
) -> list[Text]:
    """A note (and a warning) for each raster input much coarser than the grid's cells."""
    from geo.raster import Raster

    notes = []
    cell = settings.area.cell_size_m
    lat = (area.bounds[1] + area.bounds[3]) / 2
    for layer in sorted(layers):
        if ctx.catalog.spec(layer).kind != "raster" or not ctx.catalog.available(layer):
            continue
        r = ctx.catalog.read(layer)
        assert isinstance(r, Raster)
        rx, ry = r.res
        if r.crs.is_geographic:  # degrees to metres at the area's latitude
            rx, ry = rx * 111_320.0 * math.cos(math.radians(lat)), ry * 111_320.0
        res = max(rx, ry)
        ratio = res / cell
        if ratio >= FINER_THAN_DATA:
            log.warning(
                "cells of %g m are %.0f× finer than layer %s (about %.0f m): they add no detail it "
                "lacks; use coarser cells or a finer %s (--layer %s=FILE)",
                cell, ratio, layer, res, layer, layer,
            )  # fmt: skip
            notes.append(_resolution_note(layer, cell, ratio, res))
    return notes


def _resolution_note(layer: str, cell: float, ratio: float, res: float) -> Text:
    return text(
        f"Cells of {cell:g} m are {ratio:.0f}× finer than layer {layer} (about {res:.0f} m): the map has no detail finer than {layer}.",
        f"{cell:g} м ұяшықтар {layer} қабатынан {ratio:.0f} есе ұсақ (шамамен {res:.0f} м): картада {layer} қабатынан ұсақ егжей жоқ.",
        f"Ячейки {cell:g} м в {ratio:.0f} раз мельче слоя {layer} (около {res:.0f} м): деталей мельче {layer} на карте нет.",
    )


def check_filled(scored: int, cells: int, settings: SuitabilitySettings, area: StudyArea) -> float:
    """The share of the grid's *cells* with a score (*scored*); refuse a score mostly no-data.

    Raises
    ------
    InputError
        Less than :data:`MOSTLY_NO_DATA` of the cells have a score.
    """
    share = scored / cells if cells else 0.0
    if share < MOSTLY_NO_DATA:
        msg = (
            f"{settings.name}: the suitability score has data on only {100 * share:.0f} % of "
            f"{area.label}: its layers do not cover the area; supply them with --layer ID=FILE "
            "or choose an area they cover (manifest: coverage)"
        )
        raise InputError(msg)
    return share


def _left_out_note(cid: str, layer: str, where: str) -> Text:
    return text(
        f"{cid} left out: layer {layer} does not cover {where}; the other weights were rescaled to sum 1.",
        f"{cid} алынып тасталды: {layer} қабаты {where} аумағын қамтымайды; қалған салмақтар қосындысы 1 болатындай қайта есептелді.",
        f"{cid} исключён: слой {layer} не покрывает {where}; остальные веса пересчитаны к сумме 1.",
    )


def _not_fetched_note(cid: str, layer: str, source: str) -> Text:
    return text(
        f"{cid} left out: layer {layer} is not in this build (the atlas does not embed it; `geo fetch --source {source}` gets it for the area).",
        f"{cid} алынып тасталды: {layer} қабаты бұл құрастыруда жоқ (атласқа енгізілмеген; оны аумақ үшін `geo fetch --source {source}` алады).",
        f"{cid} исключён: слоя {layer} нет в этой сборке (атлас его не содержит; `geo fetch --source {source}` загрузит его для области).",
    )


def _partial_note(layer: str, pct: float, *, raster: bool) -> Text:
    """The note on a layer covering *pct* % of the area.

    A raster's cells beyond it are no data; a vector layer's features beyond it are not
    mapped, so the values there count only those within.
    """
    if raster:
        return text(
            f"Layer {layer} covers about {pct:.0f} % of the study area; beyond it the map has no data.",
            f"{layer} қабаты зерттеу аумағының шамамен {pct:.0f} % қамтиды; одан тыс картада дерек жоқ.",
            f"Слой {layer} покрывает около {pct:.0f} % области исследования; за его пределами данных нет.",
        )
    return text(
        f"Layer {layer} covers about {pct:.0f} % of the study area; its features beyond it are not mapped, so values there count only the features within it.",
        f"{layer} қабаты зерттеу аумағының шамамен {pct:.0f} % қамтиды; одан тыс нысандары картаға түсірілмеген, сондықтан ондағы мәндер тек қабат ішіндегі нысандар бойынша есептеледі.",
        f"Слой {layer} покрывает около {pct:.0f} % области исследования; его объекты за этими пределами не нанесены, поэтому значения там учитывают только объекты внутри него.",
    )
