"""Wear by micro-district and town: segments split by zone, rolled up and ranked.

The split runs in the UTM zone of each zone polygon
(:func:`geo.crs.utm_crs_for`); a segment crossing zones gives each the share
of its length inside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import utm_crs_for
from geo.models import wear as W
from geo.themes.wear.inputs import WearInputs
from geo.themes.wear.labels import NAME_COL, STATUS_COL
from geo.themes.wear.segments import SegmentWear
from geo.themes.wear.settings import WearSettings

__all__ = ["ZoneWear", "zone_wear"]

_ZONE_COLS = [
    "zone_id", "level", "town", "number", "name", "status", "status_text", "population",
    "length_km", "known_km", "unknown_km", "n_segments", "n_unknown", "wear_pct", "study_wear_pct",
    *(f"wear_{n}_pct" for n in W.NETWORKS),
]  # fmt: skip
_ZONE_TAIL = ["replace_km", "replace_cost", "priority_score", "priority_rank"]


@dataclass(frozen=True)
class ZoneWear:
    """Segment pieces and roll-ups by micro-district and town, and the ``wear_by_zone`` table.

    Parameters
    ----------
    md_pieces, town_pieces : DataFrame
        Segment pieces per micro-district (``zone_id``) and per town.
    town_roll : DataFrame
        All-network roll-up per town, with a wear column per network.
    table : GeoDataFrame
        Micro-districts and towns with roll-up, study figure, status and priority.
    outside_km : float
        Network length outside every chosen town.
    """

    md_pieces: pd.DataFrame
    town_pieces: pd.DataFrame
    town_roll: pd.DataFrame
    table: gpd.GeoDataFrame
    outside_km: float


def _wide(pieces: pd.DataFrame, key: str, settings: WearSettings) -> pd.DataFrame:
    """All-network roll-up per zone plus one wear column per network."""
    classes, replace_at = settings.classes, settings.replace_at_pct
    total = W.rollup(pieces, [key], classes=classes, replace_at_pct=replace_at)
    per = W.rollup(pieces, [key, "network"], classes=classes, replace_at_pct=replace_at)
    for net in W.NETWORKS:
        sub = per[per["network"] == net].set_index(key)["wear_pct"]
        total[f"wear_{net}_pct"] = total[key].map(sub).astype(float)
    if settings.tables.unit_costs is None:
        total["replace_cost"] = np.nan
    return total


def _ranked(tab: pd.DataFrame, settings: WearSettings) -> None:
    """Add the priority score and rank to a zone table (in place)."""
    tab["priority_score"] = W.priority_scores(
        tab["wear_pct"], tab["population"], settings.weights.as_dict()
    )
    tab["priority_rank"] = W.rank_descending(tab["priority_score"])


def _md_table(
    lang: str, mds: gpd.GeoDataFrame, md_roll: pd.DataFrame, settings: WearSettings
) -> pd.DataFrame:
    """Micro-districts with their roll-up, name and status in *lang*, and priority."""
    md_tab = mds.drop(columns=[c for c in ("synthetic", "data_note") if c in mds]).merge(
        md_roll, on="zone_id", how="left"
    )
    md_tab["level"] = "micro_district"
    name_col = NAME_COL.get(lang, "name")
    md_tab["name"] = mds[name_col].to_numpy() if name_col in mds else mds["zone_id"].to_numpy()
    status_col = STATUS_COL.get(lang, "status_en")
    md_tab["status_text"] = (
        mds[status_col].to_numpy() if status_col in mds else mds["status"].to_numpy()
    )
    _ranked(md_tab, settings)
    return cast(pd.DataFrame, md_tab)


def _town_table(
    lang: str,
    towns: gpd.GeoDataFrame,
    town_roll: pd.DataFrame,
    facts: Mapping[str, float],
    settings: WearSettings,
) -> pd.DataFrame:
    """Towns with their roll-up, name in *lang*, the study's wear and priority."""
    town_tab = towns[["town", "population", towns.geometry.name]].merge(
        town_roll, on="town", how="left"
    )
    town_tab["zone_id"] = town_tab["town"].str.lower()
    town_tab["level"] = "town"
    town_name = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    town_tab["name"] = (
        towns[town_name].to_numpy()
        if town_name and town_name in towns
        else towns["town"].to_numpy()
    )
    town_tab["status"] = ""
    town_tab["status_text"] = ""
    town_tab["study_wear_pct"] = town_tab["town"].map(facts).astype(float)
    _ranked(town_tab, settings)
    return cast(pd.DataFrame, town_tab)


def zone_wear(
    lang: str, inputs: WearInputs, segments: SegmentWear, settings: WearSettings
) -> ZoneWear:
    """Split the segments by micro-district and town, roll up and rank them.

    Parameters
    ----------
    lang : str
        Language of the zone names and planning status.
    inputs : WearInputs
        Micro-districts, towns and the study's wear figures.
    segments : SegmentWear
        Segments with wear and length (:func:`~geo.themes.wear.segments.segment_wear`).
    settings : WearSettings
        Classes, replacement threshold and priority weights.
    """
    seg, mds, towns = segments.table, inputs.micro_districts, inputs.towns
    md_pieces = W.split_by_zones(seg, mds, "zone_id", crs_for=utm_crs_for)
    town_pieces = W.split_by_zones(seg, towns, "town", crs_for=utm_crs_for)
    md_roll = _wide(md_pieces, "zone_id", settings)
    town_roll = _wide(town_pieces, "town", settings)
    outside_km = float(seg["length_m"].sum() - town_pieces["length_m"].sum()) / 1000.0
    md_tab = _md_table(lang, mds, md_roll, settings)
    town_tab = _town_table(lang, towns, town_roll, inputs.study_wear, settings)
    md_tab["study_wear_pct"] = np.nan
    cols = [*_ZONE_COLS, *settings.classes.columns, *_ZONE_TAIL, "geometry"]
    town_tab["number"] = pd.NA
    table = pd.concat([md_tab[cols], town_tab[cols]], ignore_index=True)
    table["number"] = table["number"].astype("Int64")
    zones = gpd.GeoDataFrame(table, geometry="geometry", crs=4326)
    return ZoneWear(md_pieces, town_pieces, town_roll, zones, outside_km)
