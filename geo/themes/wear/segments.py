"""Wear per segment: the model's wear, length, replacement cost and priority.

The inventory's warnings (missing install years, segments no unit cost
covers) are logged here, as warnings for a user's inventory and as
information for the embedded synthetic one, and recorded in the manifest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import utm_crs_for
from geo.models import wear as W
from geo.themes.wear.inputs import WearInputs
from geo.themes.wear.settings import WearSettings

__all__ = ["SEGMENT_COLUMNS", "SegmentWear", "segment_priority", "segment_wear"]

log = logging.getLogger("geo.themes.wear")

SEGMENT_COLUMNS = [
    "segment_id", "town", "zone_id", "network", "material", "diameter_mm", "install_year",
    "inspection_grade", "inspection_date", "length_m", "life_years", "age_years", "age_wear_pct",
    "inspection_wear_pct", "wear_pct", "wear_class", "wear_source", "remaining_life_years",
    "end_of_life_year", "replace_cost", "zone_population", "priority_score", "priority_rank",
    "life_citation", "synthetic", "data_note",
]  # fmt: skip
"""Columns of the ``network_wear`` layer, in order (those present)."""


@dataclass(frozen=True)
class SegmentWear:
    """Segments with their wear, length (m) and replacement cost, and the inventory's warnings."""

    table: gpd.GeoDataFrame
    warnings: tuple[str, ...]


def _costs(seg: gpd.GeoDataFrame, settings: WearSettings) -> str | None:
    """Add ``replace_cost`` (and ``unit_cost``); the warning on segments without a unit cost."""
    costs = settings.tables.unit_costs
    if costs is None:
        seg["replace_cost"] = np.nan
        return None
    replace = (seg["wear_pct"] >= settings.replace_at_pct).to_numpy()
    seg["unit_cost"] = W.unit_costs_for(seg, costs.data)
    no_cost = seg["unit_cost"].isna().to_numpy()
    seg["replace_cost"] = np.where(replace, seg["length_m"] * seg["unit_cost"], 0.0)
    if not no_cost.any():
        return None
    ids = list(seg.loc[no_cost, "segment_id"].astype(str))
    return (
        f"{costs.path}: no unit cost covers {len(ids)} segment(s) ({', '.join(ids[:5])}"
        f"{' …' if len(ids) > 5 else ''}); their replacement cost is left empty; add a row for their network and diameter"
    )


def segment_wear(inputs: WearInputs, settings: WearSettings) -> SegmentWear:
    """Wear, length and replacement cost per segment, and the inventory's warnings.

    Lengths are measured in the UTM zone of each segment (:func:`geo.crs.utm_crs_for`).
    """
    seg, warnings = W.segment_wear(
        inputs.segments,
        settings.tables.normative_life.data,
        reference_year=settings.reference_year,
        method=settings.method,
        grades=settings.tables.inspection_grades.data,
        classes=settings.classes,
        where=inputs.where,
    )
    # the user's inventory: a warning they can act on; the embedded synthetic one: information
    level = logging.WARNING if inputs.user_inventory else logging.INFO
    for w in warnings:
        log.log(level, w)
    seg["length_m"] = W.measure_lengths(seg, crs_for=utm_crs_for)
    cost_warning = _costs(seg, settings)
    if cost_warning:
        log.warning(cost_warning)
        warnings.append(cost_warning)
    return SegmentWear(seg, tuple(warnings))


def segment_priority(
    segments: SegmentWear,
    md_pieces: pd.DataFrame,
    mds: gpd.GeoDataFrame,
    settings: WearSettings,
) -> gpd.GeoDataFrame:
    """Segments with the priority of their wear against the population of their main micro-district.

    A segment's micro-district is the one holding most of its length.
    """
    seg = segments.table.copy()
    main_zone = (
        md_pieces.sort_values(["segment_id", "length_m"], ascending=[True, False], kind="stable")
        .drop_duplicates("segment_id")
        .set_index("segment_id")["zone_id"]
    )
    seg["zone_id"] = seg["segment_id"].astype(str).map(main_zone)
    pop = seg["zone_id"].map(mds.set_index("zone_id")["population"]).astype(float)
    seg["zone_population"] = pop
    seg["priority_score"] = W.priority_scores(seg["wear_pct"], pop, settings.weights.as_dict())
    seg["priority_rank"] = W.rank_descending(seg["priority_score"])
    return gpd.GeoDataFrame(
        seg[[c for c in SEGMENT_COLUMNS if c in seg] + [seg.geometry.name]],
        geometry=seg.geometry.name,
        crs=seg.crs,
    )
