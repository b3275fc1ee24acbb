"""Catalog layers of the infrastructure-wear theme.

``utility_networks`` (the segment inventory), ``micro_districts``,
``town_boundaries`` and ``town_facts`` (the study's wear figure per town),
kept to the towns of the recipe's area (``[area]``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo.area import StudyArea, resolve_area
from geo.errors import DataError
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_where
from geo.themes.wear.settings import WearSettings

__all__ = ["INPUTS", "WearInputs", "read_inputs"]

log = logging.getLogger("geo.themes.wear")

INPUTS = ["utility_networks", "micro_districts", "town_boundaries", "town_facts"]
"""Catalog layers the theme reads."""


@dataclass(frozen=True)
class WearInputs:
    """The theme's catalog layers, kept to the recipe's towns.

    Parameters
    ----------
    segments : GeoDataFrame
        ``utility_networks`` segments touching the chosen towns.
    micro_districts, towns : GeoDataFrame
        ``micro_districts`` and ``town_boundaries`` of the chosen towns.
    study_wear : mapping
        The study's network-wear figure per town (``town_facts``).
    where : str
        How messages name the inventory (file and layer).
    user_inventory : bool
        Whether the inventory is the user's (``--layer utility_networks=...``).
    networks_provenance, districts_provenance : mapping
        Catalog provenance of ``utility_networks`` and ``micro_districts``.
    area : StudyArea
        The recipe's area, resolved (its towns in the order named).
    """

    segments: gpd.GeoDataFrame
    micro_districts: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    study_wear: Mapping[str, float]
    where: str
    user_inventory: bool
    networks_provenance: Mapping[str, Any]
    districts_provenance: Mapping[str, Any]
    area: StudyArea

    @property
    def synthetic(self) -> bool:
        """Whether the inventory is synthetic."""
        return bool(self.networks_provenance["synthetic"])


def _select_towns(
    settings: WearSettings,
    chosen: tuple[str, ...],
    segments: gpd.GeoDataFrame,
    mds: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Keep the area's towns, their micro-districts and the segments touching them."""
    if not chosen:
        raise settings.towns_error(
            "the area holds no town; the wear map is drawn town by town: name a town"
        )
    towns = towns[towns["town"].isin(chosen)]
    mds = mds[mds["town"].isin(chosen)]
    # keep the segments touching the chosen towns (the inventory may cover more)
    segments = segments[segments.intersects(towns.geometry.union_all())]
    if segments.empty:
        raise settings.towns_error(f"no utility_networks segment lies in {', '.join(chosen)}")
    return segments, mds, towns


def _study_wear(ctx: ThemeInputs) -> dict[str, float]:
    """The study's network-wear figure per town (``town_facts``, indicator ``network_wear``)."""
    try:
        facts = ctx.layer("town_facts")
    except DataError as exc:
        log.warning("town_facts unavailable (%s); the study's wear figure is not shown", exc)
        return {}
    rows = facts[facts["indicator_id"] == "network_wear"]
    return {str(r["town"]): float(r["value"]) for _, r in rows.iterrows()}


def read_inputs(ctx: ThemeInputs, settings: WearSettings) -> WearInputs:
    """Read the catalog layers and keep the recipe's towns.

    Raises
    ------
    RecipeError
        ``area.towns`` names an unknown town, or no segment lies in the towns.
    DataError
        A layer cannot be read.
    """
    area = resolve_area(ctx.catalog, settings.area)
    segments, mds, towns = _select_towns(
        settings,
        area.towns,
        ctx.layer("utility_networks"),
        ctx.layer("micro_districts"),
        ctx.layer("town_boundaries"),
    )
    return WearInputs(
        segments=segments,
        micro_districts=mds,
        towns=towns,
        study_wear=_study_wear(ctx),
        where=layer_where(ctx, "utility_networks"),
        user_inventory=ctx.catalog.is_overridden("utility_networks"),
        networks_provenance=ctx.catalog.provenance("utility_networks"),
        districts_provenance=ctx.catalog.provenance("micro_districts"),
        area=area,
    )
