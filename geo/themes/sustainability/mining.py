"""District mining shares and the mining-share choropleth.

Matches the published mining shares to the district geometries, finds the
district of each town, and builds the ``indicators_by_district`` layer and the
``mining_share_other_districts`` outline of the districts published only together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import IndicatorError
from geo.i18n import PROVENANCE, Text, fill, tr
from geo.models.indicators import (
    check_group_sums,
    check_share_range,
    closest_name,
    match_names,
    normalise_name,
)
from geo.results import VectorLayer
from geo.symbology import FieldSpec, Graduated, Single, ramp
from geo.themes.base import ThemeInputs
from geo.themes.sustainability.charts import Choropleth, _fmt, classify
from geo.themes.sustainability.labels import PAPERS, T
from geo.themes.sustainability.settings import SustainabilitySettings

__all__ = ["DistrictLayers", "Geometries", "district_layers", "mining_column", "read_geometries"]


@dataclass(frozen=True)
class Geometries:
    """The districts, their mining shares and the district of each town.

    Parameters
    ----------
    districts : GeoDataFrame
        The ``districts`` layer as read.
    name_col, kk_col, ru_col : str
        Its fields of the English, Kazakh and Russian names (the last two may be absent).
    by_district : DataFrame
        Per district: its individual share, its reporting unit's share, how it was reported.
    mining_info : dict
        The table, the individual shares, the group, the name field, the districts not covered.
    town_district : dict
        Town → the district containing it (``None`` outside every district).
    town_prov, dist_prov : dict
        Catalog provenance of the town geometry and of the districts.
    """

    districts: gpd.GeoDataFrame
    name_col: str
    kk_col: str | None
    ru_col: str | None
    by_district: pd.DataFrame
    mining_info: dict[str, Any]
    town_district: dict[str, str | None]
    town_prov: dict[str, Any]
    dist_prov: dict[str, Any]

    @property
    def group(self) -> dict[str, Any]:
        """The districts published only together: row, share, members, size."""
        group: dict[str, Any] = self.mining_info["group"]
        return group


@dataclass(frozen=True)
class DistrictLayers:
    """The mining choropleth and, when some districts were published together, their outline."""

    choropleth: Choropleth
    group_outline: VectorLayer | None


def _district_names(districts: gpd.GeoDataFrame) -> tuple[str, str | None, str | None]:
    """Columns holding the English, Kazakh and Russian district names (catalog or geoBoundaries/geokz style)."""
    for en in ("district", "ADM2_EN", "name_en", "shapeName", "NAME_2", "name"):
        if en in districts.columns:
            kk = next((c for c in ("name_kk", "ADM2_KK") if c in districts.columns), None)
            ru = next((c for c in ("name_ru", "ADM2_RU") if c in districts.columns), None)
            return en, kk, ru
    msg = (
        "layer 'districts': no district name field (district, ADM2_EN, name_en, shapeName, NAME_2 or name); "
        "add one holding the English district names"
    )
    raise IndicatorError(msg)


def _mining_by_district(
    settings: SustainabilitySettings,
    mining: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    name_col: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per district: its individual share, or its group and the group's share, or nothing."""
    conf, at = settings.mining, settings.at
    table = conf.table
    check_share_range(mining, table=table, field="share_pct")
    check_group_sums(
        mining.assign(_all="all"),
        table=table,
        group_field="_all",
        value_field="share_pct",
        groups=["all"],
        total=100.0,
        tolerance=settings.survey.sum_tolerance,
    )
    group_row = conf.group_row
    members = list(conf.group_members)
    size = conf.group_size
    layer_names = [str(v) for v in districts[name_col]]
    names = [str(v) for v in mining["district"]]
    found = match_names(
        names, layer_names, table=table, field="district", layer="districts", skip=[group_row]
    )
    try:
        found_members = match_names(
            members,
            layer_names,
            table=f"recipe {at.path}",
            field="mining.group_members",
            layer="districts",
        )
    except IndicatorError as exc:
        raise at.error("mining.group_members", str(exc).split(": ", 1)[-1]) from None
    overlap = set(found.values()) & set(found_members.values())
    if overlap:
        raise at.error(
            "mining.group_members",
            f"{', '.join(sorted(overlap))} has its own share in table {table!r}; remove it from the group",
        )
    group_mask = mining["district"].astype(str).map(normalise_name) == normalise_name(group_row)
    if not group_mask.any():
        msg = f"table {table!r} field 'district': no row {group_row!r} (the group of the other districts); add it or fix mining.group_row"
        raise IndicatorError(msg)
    group_share = float(mining.loc[group_mask, "share_pct"].iloc[0])
    individual = {
        found[n]: float(v) for n, v in zip(names, mining["share_pct"], strict=True) if n in found
    }
    member_set = set(found_members.values())
    rows = []
    unmatched = []
    reported = list(found.values()) + list(found_members.values())
    for d in layer_names:
        if d in individual:
            rows.append((d, individual[d], individual[d], "individual", 1))
        elif d in member_set:
            rows.append((d, float("nan"), group_share, "group", size))
        else:
            rows.append((d, float("nan"), float("nan"), "not_covered", 0))
            unmatched.append(
                {"district": d, "closest_published": closest_name(d, [*reported, group_row])}
            )
    df = pd.DataFrame(
        rows, columns=["district", "share_pct", "unit_share_pct", "reporting", "unit_size"]
    )
    info = {
        "table": table,
        "individual": individual,
        "group": {
            "row": group_row,
            "share_pct": group_share,
            "members": sorted(member_set),
            "size": size,
        },
        "name_field": name_col,
        "not_in_breakdown": unmatched,
    }
    return df, info


def _town_districts(
    towns: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, name_col: str
) -> dict[str, str | None]:
    """District of each town: the district containing the town's representative point."""
    pts = shapely.point_on_surface(towns.to_crs(districts.crs).geometry.values)
    geoms = districts.geometry.values
    out: dict[str, str | None] = {}
    for town, pt in zip(towns["town"], pts, strict=True):
        hits = np.flatnonzero(shapely.contains(geoms, pt))
        out[str(town)] = str(districts[name_col].iloc[int(hits[0])]) if hits.size else None
    return out


def read_geometries(
    ctx: ThemeInputs, settings: SustainabilitySettings, towns: gpd.GeoDataFrame
) -> Geometries:
    """District geometries and names, the mining share of each district and the district of each town."""
    town_prov = ctx.catalog.provenance(settings.towns.geometry)
    districts = ctx.layer("districts")
    dist_prov = ctx.catalog.provenance("districts")
    name_col, kk_col, ru_col = _district_names(districts)
    mining = ctx.layer(settings.mining.table)
    by_district, mining_info = _mining_by_district(settings, mining, districts, name_col)
    return Geometries(
        districts=districts,
        name_col=name_col,
        kk_col=kk_col,
        ru_col=ru_col,
        by_district=by_district,
        mining_info=mining_info,
        town_district=_town_districts(towns, districts, name_col),
        town_prov=town_prov,
        dist_prov=dist_prov,
    )


def mining_column(
    indicator: str,
    towns: pd.Index,
    town_district: dict[str, str | None],
    by_district: pd.DataFrame,
    group: dict[str, Any],
    *,
    equal_split: bool,
    bounds: dict[tuple[str, str], tuple[float, float]],
    imputed_cells: list[dict[str, Any]],
) -> pd.Series:
    """Mining share of each town's district; a grouped district gets an equal split when asked.

    Imputed values are appended to *imputed_cells* and their Monte Carlo
    range, U(0, group share), to *bounds*.
    """
    share_of = dict(
        zip(
            by_district["district"],
            zip(by_district["share_pct"], by_district["reporting"], strict=True),
            strict=True,
        )
    )
    col = pd.Series(np.nan, index=towns, dtype=float)
    for t in towns:
        d = town_district.get(t)
        if d is None or d not in share_of:
            continue
        share, reporting = share_of[d]
        if reporting == "individual":
            col[t] = share
        elif reporting == "group" and equal_split:
            col[t] = group["share_pct"] / group["size"]
            bounds[(t, indicator)] = (0.0, float(group["share_pct"]))
            imputed_cells.append(
                {
                    "town": t,
                    "indicator": indicator,
                    "value": round(float(col[t]), 4),
                    "method": f"equal split of the {group['row']!r} share {group['share_pct']:g} % over {group['size']} districts; Monte Carlo draws U(0, {group['share_pct']:g})",
                }
            )
    return col


def district_layers(settings: SustainabilitySettings, geo: Geometries, lang: str) -> DistrictLayers:
    """The ``indicators_by_district`` layer and the outline of the districts published only together."""
    dist_prov = geo.dist_prov
    group = geo.group
    kk_col, name_col, ru_col = geo.kk_col, geo.name_col, geo.ru_col
    cls = settings.classification
    dist = geo.districts[[name_col, *(c for c in (kk_col, ru_col) if c), "geometry"]].copy()
    dist = dist.rename(
        columns={
            name_col: "district",
            **({kk_col: "name_kk"} if kk_col else {}),
            **({ru_col: "name_ru"} if ru_col else {}),
        }
    )
    dist = dist.merge(geo.by_district, on="district", how="left")
    gshare, gsize = float(group["share_pct"]), int(group["size"])
    label_of = {
        "individual": T["individual"],
        "group": _fmt(T["group"], size=gsize),
        "not_covered": T["not_covered"],
    }
    dist["reporting_unit"] = [tr(label_of[r], lang) for r in dist["reporting"]]
    # map labels only where a district has its own share; the group's outline carries its label
    dist["share_label"] = [
        (f"{v:.1f}".replace(".", ",") if lang != "en" else f"{v:.1f}") + " %"
        if r == "individual"
        else ""
        for v, r in zip(dist["share_pct"], dist["reporting"], strict=True)
    ]
    dist["synthetic"] = bool(dist_prov["synthetic"])
    dist["data_note"] = (
        "SYNTHETIC district outline; shares published (paper 000)"
        if dist_prov["synthetic"]
        else "shares published (paper 000)"
    )
    d_breaks, d_labels, _ = classify(dist["share_pct"].to_numpy(dtype=float), cls.scheme, cls.k)
    vec_dist = VectorLayer(
        name="indicators_by_district",
        title=T["by_district_title"],
        data=dist,
        style=Graduated(
            "share_pct",
            d_breaks,
            ramp(cls.ramp_mining, len(d_breaks) - 1),
            unit="%",
            labels=tuple(f"{lab} %" for lab in d_labels),
            nan_label=_district_nan_label(dist["reporting"], gshare, gsize),
        ),
        fields=(
            FieldSpec("district", T["district"]),
            FieldSpec("share_pct", T["mining_share"], "%", 1),
            FieldSpec("reporting_unit", T["reporting_unit"]),
            FieldSpec("unit_share_pct", T["reporting_unit_share"], "%", 1),
        ),
        description=_fmt(T["by_district_desc"], share=gshare, size=gsize),
        source=fill(
            PROVENANCE["with_geometry"],
            what=PAPERS["000_statistics"],
            geometry=dist_prov["source"],
        ),
        licence=_published_licence(dist_prov),
        synthetic=bool(dist_prov["synthetic"]),
        label_field="share_label",
        metadata={"mining": geo.mining_info},
    )
    members = dist[dist["reporting"] == "group"]
    outline = (
        _group_outline_layer(members, gshare, gsize, lang, dist_prov) if len(members) else None
    )
    return DistrictLayers(Choropleth(vec_dist, tuple(d_breaks)), outline)


def _group_outline_layer(
    members: gpd.GeoDataFrame, gshare: float, gsize: int, lang: str, dist_prov: dict[str, Any]
) -> VectorLayer:
    """One outline around the districts whose mining share was published only together."""
    grp = gpd.GeoDataFrame(
        {
            "reporting_unit": [tr(_fmt(T["group"], size=gsize), lang)],
            "unit_share_pct": [gshare],
            "districts": [", ".join(sorted(members["district"]))],
            "label": [tr(_fmt(T["group_note"], share=gshare, size=gsize), lang)],
            "synthetic": [bool(dist_prov["synthetic"])],
            "data_note": ["group outline of the districts published together (paper 000)"],
        },
        geometry=[shapely.union_all(members.geometry.values)],
        crs=members.crs,
    )
    return VectorLayer(
        name="mining_share_other_districts",
        title=_fmt(T["group_title"], share=gshare, size=gsize),
        data=grp,
        style=Single(
            "#666666",
            outline="#222222",
            width=2.0,
            fill_opacity=0.0,
            dash="6 4",
            fill=False,
        ),
        fields=(
            FieldSpec("reporting_unit", T["reporting_unit"]),
            FieldSpec("unit_share_pct", T["reporting_unit_share"], "%", 1),
        ),
        description=_fmt(T["group_note"], share=gshare, size=gsize),
        source=fill(PROVENANCE["with_geometry"], what=PAPERS["000"], geometry=dist_prov["source"]),
        licence=_published_licence(dist_prov),
        synthetic=bool(dist_prov["synthetic"]),
        label_field="label",
    )


def _published_licence(geometry_provenance: dict[str, Any]) -> Text | str:
    """The licence of published figures drawn on the geometry of a catalog layer."""
    return fill(
        PROVENANCE["with_geometry"],
        what=PROVENANCE["published_figures"],
        geometry=geometry_provenance["licence"],
    )


def _district_nan_label(reporting: pd.Series, group_share: float, group_size: int) -> Text:
    """Legend text of the districts without an individual share.

    They are the group published only together when every such district
    belongs to it; otherwise some (e.g. the city of Taraz) are simply not in
    the published breakdown, and the label says both.
    """
    without = set(reporting[reporting != "individual"])
    if without <= {"group"}:
        return _fmt(T["nan_group"], share=group_share)
    return _fmt(T["nan_mixed"], share=group_share, size=group_size)
