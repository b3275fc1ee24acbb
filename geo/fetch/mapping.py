"""OpenStreetMap features mapped onto the catalog's layer schemas.

Pure functions from the features osmnx returns (:func:`geo.fetch.osm.download_features`)
and the area's towns to the layers ``town_boundaries``, ``micro_districts``,
``enterprises`` and ``utility_networks``. Each feature says it is derived from
OpenStreetMap, which OSM element it comes from, and what was inferred or assumed:
OSM maps what is there, it is not a register of sources, districts or pipes.

What OSM cannot tell is filled only where the schema (or the theme reading the layer)
needs a value, and is named in ``data_note`` and ``assumed_fields``:

* towns: name, Kazakh and Russian names, population and type come from the towns
  table and GeoNames (as in the catalog), the outline from OSM;
* micro-districts: no planning status in OSM (``existing`` assumed); population is the
  town's GeoNames population split by building footprint (by area without buildings);
* candidate pollution sources: the kind is inferred from the tags (named); hazard
  class, stack parameters and emission rates are assumed typical values of the kind
  (:data:`ASSUMED_RELEASE`), not measurements;
* networks: install year from ``start_date`` (else missing: wear 'unknown'); a
  material OSM does not give is assumed (:data:`DEFAULT_MATERIAL`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84, to_crs, utm_crs_for

__all__ = [
    "ASSUMED_RELEASE",
    "DEFAULT_MATERIAL",
    "DERIVED",
    "MappedLayer",
    "TownFacts",
    "enterprises",
    "micro_districts",
    "osm_ref",
    "town_boundaries",
    "utility_networks",
]

DERIVED = "derived from OpenStreetMap"
"""The words every feature mapped from OSM starts its ``data_note`` with."""

_POLYGONS = ("Polygon", "MultiPolygon")

POLLUTANTS = ("so2", "co", "dust", "hf", "nh3")

# kind: (hazard class, height m, diameter m, exit m/s, gas °C, site m², rates so2, co, dust, hf, nh3 g/s)
ASSUMED_RELEASE: dict[str, tuple[Any, ...]] = {
    "plant": ("II", 30.0, 1.5, 10.0, 100.0, 100_000.0, (1.0, 2.0, 3.0, 0.0, 0.0)),
    "chp": ("III", 50.0, 2.0, 12.0, 140.0, 50_000.0, (8.0, 5.0, 3.0, 0.0, 0.0)),
    "boiler": ("IV", 18.0, 0.6, 6.0, 170.0, 2_000.0, (0.5, 1.5, 0.5, 0.0, 0.0)),
    "mining_heap": ("III", 12.0, math.nan, math.nan, math.nan, 0.0, (0.0, 0.0, 1.0, 0.0, 0.0)),
    "ash_heap": ("III", 5.0, math.nan, math.nan, math.nan, 0.0, (0.0, 0.0, 0.5, 0.0, 0.0)),
    "filter_field": ("II", 2.0, math.nan, math.nan, math.nan, 0.0, (0.0, 0.0, 0.0, 0.0, 0.2)),
}
"""Typical values of each source kind, of the order of the toolkit's synthetic sources: ASSUMED."""

DEFAULT_MATERIAL = {"water": "steel", "sewage": "cast_iron", "heating": "steel"}
"""Material assumed for a pipeline OSM gives none for (one the normative-life table knows)."""

_MATERIALS = {
    "water": {"steel", "galvanized_steel", "cast_iron", "asbestos_cement", "polyethylene"},
    "sewage": {"cast_iron", "ceramic", "polyethylene", "asbestos_cement", "concrete"},
    "heating": {"steel", "preinsulated_steel"},
}
_MATERIAL_TAGS = {
    "steel": "steel", "cast_iron": "cast_iron", "iron": "cast_iron", "plastic": "polyethylene",
    "polyethylene": "polyethylene", "pe": "polyethylene", "hdpe": "polyethylene",
    "concrete": "concrete", "asbestos": "asbestos_cement", "asbestos_cement": "asbestos_cement",
    "ceramic": "ceramic", "clay": "ceramic",
}  # fmt: skip
_SUBSTANCE = {
    "water": "water", "drinking_water": "water", "sewage": "sewage", "wastewater": "sewage",
    "hot_water": "heating", "heat": "heating", "steam": "heating",
}  # fmt: skip


@dataclass(frozen=True)
class TownFacts:
    """A town of the area as the catalog knows it: name, point and GeoNames facts."""

    town: str
    point: Point
    name_kk: str
    name_ru: str
    population: int
    town_type: str


@dataclass(frozen=True)
class MappedLayer:
    """A layer mapped from OSM, with what was inferred and what was left out."""

    layer_id: str
    frame: gpd.GeoDataFrame
    inferred: str
    assumed_fields: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def osm_ref(element: str, osm_id: Any) -> str:
    """``way/123``: the OSM element a feature comes from.

    Examples
    --------
    >>> osm_ref("relation", 42)
    'relation/42'
    """
    return f"{element}/{int(osm_id)}"


def _s(value: Any) -> str:
    """A tag's text; empty for a tag the feature does not have (None or NaN)."""
    return value if isinstance(value, str) else ""


def _tag(raw: gpd.GeoDataFrame, key: str) -> pd.Series:
    if key in raw.columns:
        col: pd.Series = raw[key].astype(object).where(raw[key].notna(), None)
        return col
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _has(raw: gpd.GeoDataFrame, key: str, values: Sequence[str]) -> np.ndarray:
    hit: np.ndarray = _tag(raw, key).isin(list(values)).to_numpy()
    return hit


def _polygons(raw: gpd.GeoDataFrame) -> np.ndarray:
    hit: np.ndarray = raw.geometry.geom_type.isin(_POLYGONS).to_numpy()
    return hit


def _utm(raw: gpd.GeoDataFrame, towns: Sequence[TownFacts]) -> Any:
    """The UTM zone of the towns (of the features, in an area without towns)."""
    if towns:
        c = shapely.centroid(shapely.union_all([t.point for t in towns]))
        x, y = float(c.x), float(c.y)
    else:
        w, s, e, n = (float(v) for v in raw.total_bounds) if len(raw) else (69.0, 43.0, 69.0, 43.0)
        x, y = (w + e) / 2, (s + n) / 2
    return utm_crs_for(x, y)


def _in_utm(gdf: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    return to_crs(gdf, crs, what="OpenStreetMap features")


def _nearest_town(geoms: gpd.GeoSeries, towns: Sequence[TownFacts], crs: Any) -> list[str]:
    """The town nearest each geometry ("" in an area without towns)."""
    if not towns:
        return [""] * len(geoms)
    pts = _in_utm(gpd.GeoDataFrame(geometry=[t.point for t in towns], crs=WGS84), crs).geometry
    g = _in_utm(gpd.GeoDataFrame(geometry=geoms), crs).geometry
    out = []
    for geom in g:
        d = [geom.distance(p) for p in pts]
        out.append(towns[int(np.argmin(d))].town)
    return out


def _frame(rows: list[dict[str, Any]], geoms: list[BaseGeometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)


# -- town outlines ------------------------------------------------------------------------

_RESIDENTIAL_REACH_M = 10_000.0
_GAP_M = 150.0


def _outline_of(
    raw: gpd.GeoDataFrame, town: TownFacts, crs: Any
) -> tuple[BaseGeometry, str, str] | None:
    """(polygon, basis, OSM refs) of a town: its place polygon, admin boundary or housing."""
    poly = _polygons(raw)
    contains = raw.geometry.contains(town.point).to_numpy()
    for key, values, what in (
        ("place", ("city", "town", "village"), "place"),
        ("admin_level", ("7", "8", "9"), "administrative boundary"),
    ):
        hit = raw[poly & contains & _has(raw, key, values)]
        if key == "admin_level" and len(hit):
            area = _in_utm(hit, crs).geometry.area.to_numpy()
            hit = hit[area <= 1_000e6]  # a town's boundary, not a district's or the oblast's
        if len(hit):
            area = _in_utm(hit, crs).geometry.area.to_numpy()
            best = hit.iloc[int(np.argmin(area))]
            tag = (
                f"place={best['place']}"
                if key == "place"
                else f"{what} admin_level={best.get('admin_level')}"
            )
            return (
                best.geometry,
                f"the {tag} polygon containing the town's point",
                osm_ref(best["element"], best["id"]),
            )
    res = raw[poly & _has(raw, "landuse", ("residential",))]
    if res.empty:
        return None
    res_m = _in_utm(res, crs)
    p = _in_utm(gpd.GeoDataFrame(geometry=[town.point], crs=WGS84), crs).geometry.iloc[0]
    near = res_m[res_m.geometry.distance(p).to_numpy() <= _RESIDENTIAL_REACH_M]
    if near.empty:
        return None
    merged = shapely.union_all(np.asarray(near.geometry.buffer(_GAP_M).values)).buffer(-_GAP_M)
    parts = list(getattr(merged, "geoms", [merged]))
    part = min(parts, key=lambda g: g.distance(p))
    outline = to_crs(gpd.GeoDataFrame(geometry=[part], crs=crs), WGS84).geometry.iloc[0]
    refs = ", ".join(
        osm_ref(e, i) for e, i in list(zip(near["element"], near["id"], strict=True))[:5]
    )
    more = f" and {len(near) - 5} more" if len(near) > 5 else ""
    basis = (
        f"the union of {len(near)} landuse=residential polygon(s) within "
        f"{_RESIDENTIAL_REACH_M / 1000:g} km of the town's point, gaps under {2 * _GAP_M:g} m closed "
        "(no place or administrative polygon holds the point)"
    )
    return outline, basis, refs + more


def town_boundaries(raw: gpd.GeoDataFrame, towns: Sequence[TownFacts]) -> MappedLayer:
    """Town outlines: the place polygon, else the town's administrative boundary, else housing."""
    crs = _utm(raw, towns)
    rows, geoms, notes = [], [], []
    for t in towns:
        found = _outline_of(raw, t, crs)
        if found is None:
            notes.append(
                f"{t.town}: OSM holds no place, boundary or residential polygon near it; left out"
            )
            continue
        geom, basis, refs = found
        rows.append(
            {
                "town": t.town, "name_kk": t.name_kk, "name_ru": t.name_ru,
                "population": int(t.population), "town_type": t.town_type, "osm_id": refs,
                "basis": basis, "synthetic": False,
                "data_note": (
                    f"{DERIVED} ({refs}): outline of {t.town} from {basis}; name, Kazakh and "
                    "Russian names, population and type from GeoNames and the towns table, not OSM"
                ),
            }
        )  # fmt: skip
        geoms.append(geom)
    inferred = "outline: place polygon, else administrative boundary, else the union of residential land use; names and population from GeoNames"
    return MappedLayer("town_boundaries", _frame(rows, geoms), inferred, (), tuple(notes))


# -- micro-districts ----------------------------------------------------------------------


def _largest_remainder(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to *weights* that add up to *total*.

    Examples
    --------
    >>> _largest_remainder(10, np.array([1.0, 1.0, 1.0]))
    [4, 3, 3]
    """
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(int)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return [int(v) for v in base]


_MAX_DISTRICTS = 99
"""Most micro-districts per town (``number`` ranges 1 to 99 in the catalog)."""


def _district_parts(raw: gpd.GeoDataFrame, outline: BaseGeometry) -> tuple[gpd.GeoDataFrame, str]:
    """Polygons dividing a town: OSM neighbourhoods, else its residential land use."""
    poly = _polygons(raw)
    inside = raw.geometry.representative_point().within(outline).to_numpy()
    places = raw[poly & inside & _has(raw, "place", ("neighbourhood", "quarter", "suburb"))]
    if len(places):
        return places, "OSM place=neighbourhood|quarter|suburb polygons"
    res = raw[poly & inside & _has(raw, "landuse", ("residential",))]
    return res, (
        "OSM landuse=residential polygons (OSM holds no neighbourhood polygons here: "
        "each housing area stands for a micro-district)"
    )


def micro_districts(
    raw: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame, towns: Sequence[TownFacts]
) -> MappedLayer:
    """Micro-districts of each town, with the town's population split by building footprint."""
    crs = _utm(raw, towns)
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    notes: list[str] = []
    buildings = raw[_polygons(raw) & _tag(raw, "building").notna().to_numpy()]
    bld_m = _in_utm(buildings, crs).geometry if len(buildings) else gpd.GeoSeries([], crs=crs)
    for _, b in boundaries.iterrows():
        parts, basis = _district_parts(raw, b.geometry)
        if parts.empty:
            notes.append(f"{b['town']}: no neighbourhood or residential polygon inside its outline")
            continue
        if len(parts) > _MAX_DISTRICTS:  # the catalog numbers micro-districts 1 to 99
            area = _in_utm(parts, crs).geometry.area.to_numpy()
            parts = parts.iloc[np.sort(np.argsort(-area, kind="stable")[:_MAX_DISTRICTS])]
            notes.append(
                f"{b['town']}: the {_MAX_DISTRICTS} largest of its polygons kept as micro-districts "
                "(the catalog numbers them 1 to 99); the smaller ones left out"
            )
        pts = parts.geometry.representative_point()
        order = np.lexsort((pts.x.to_numpy(), -pts.y.to_numpy()))  # north to south, west to east
        parts = parts.iloc[order]
        geom_m = _in_utm(parts, crs).geometry.intersection(
            _in_utm(gpd.GeoDataFrame(geometry=[b.geometry], crs=WGS84), crs).geometry.iloc[0]
        )
        if len(bld_m):
            weights = np.array([float(bld_m.intersection(g).area.sum()) for g in geom_m])
            how = "building footprint (OSM building=*) in each"
        else:
            weights = np.zeros(len(parts))
        if weights.sum() <= 0:
            weights = geom_m.area.to_numpy()
            how = "area (OSM maps no buildings here)"
        pops = _largest_remainder(int(b["population"]), weights)
        for n, ((_, p), g, pop) in enumerate(zip(parts.iterrows(), geom_m, pops, strict=True), 1):
            ref = osm_ref(p["element"], p["id"])
            name = p.get("name")
            rows.append(
                {
                    "zone_id": f"{str(b['town']).lower()}_{n}", "town": b["town"], "number": n,
                    "name": str(name) if isinstance(name, str) else f"{b['town']}, area {n}",
                    "osm_id": ref, "status": "existing",
                    "status_source": "assumed existing (OSM maps what is there, not a planning status)",
                    "population": pop, "synthetic": False,
                    "data_note": (
                        f"{DERIVED} ({ref}): from {basis}; status assumed 'existing'; population "
                        f"ASSUMED: the town's GeoNames population split by {how}"
                    ),
                }
            )  # fmt: skip
            geoms.append(to_crs(gpd.GeoDataFrame(geometry=[g], crs=crs), WGS84).geometry.iloc[0])
    inferred = "micro-districts from neighbourhood polygons (else residential land use); population split by building footprint"
    return MappedLayer(
        "micro_districts", _frame(rows, geoms), inferred, ("status", "population"), tuple(notes)
    )


# -- candidate pollution sources --------------------------------------------------------------

_KIND_LABEL = {
    "plant": "works", "chp": "power plant", "boiler": "chimney", "mining_heap": "spoil heap or landfill",
    "ash_heap": "ash heap", "filter_field": "wastewater plant",
}  # fmt: skip


def _height(value: Any) -> float | None:
    """Metres from an OSM ``height`` tag (``45``, ``45 m``, ``45.5``); None when unreadable.

    Examples
    --------
    >>> _height("45 m"), _height("tall")
    (45.0, None)
    """
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(m)?\s*$", value)
    if not m:
        return None
    h = float(m.group(1))
    return h if 0.5 <= h <= 400 else None


def _source_kind(row: pd.Series, sites: gpd.GeoDataFrame) -> tuple[str, str] | None:
    """(kind, the rule that gave it) of a candidate source, or None when it emits nothing kept."""
    man_made, landuse, power = row.get("man_made"), row.get("landuse"), row.get("power")
    if power == "plant":
        fuel = _s(row.get("plant:source"))
        if fuel and not set(fuel.split(";")) & {"coal", "gas", "oil", "diesel", "biomass"}:
            return None
        return "chp", f"power=plant (plant:source={fuel or 'not given'})"
    if man_made == "chimney":
        within = sites[sites.geometry.contains(row.geometry)]
        if (within.get("power") == "plant").any():
            return "chp", "man_made=chimney inside a power=plant"
        if len(within):
            return "plant", "man_made=chimney inside a works or industrial site"
        return "boiler", "man_made=chimney outside any works or plant (a boiler house assumed)"
    if man_made == "works" or landuse == "industrial":
        return "plant", f"{'man_made=works' if man_made == 'works' else 'landuse=industrial'}"
    if man_made == "wastewater_plant":
        return "filter_field", "man_made=wastewater_plant (sewage fields assumed)"
    if landuse == "landfill" and "ash" in _s(row.get("landfill:waste")):
        return "ash_heap", "landuse=landfill with landfill:waste=ash"
    if landuse == "landfill" or man_made == "spoil_heap":
        tag = "landuse=landfill" if landuse == "landfill" else "man_made=spoil_heap"
        return "mining_heap", f"{tag} (a waste heap: the nearest kind the pollution model knows)"
    return None


def _candidates(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(candidate features, site polygons) among the OSM features."""
    keep = (
        _has(raw, "man_made", ("chimney", "works", "wastewater_plant", "spoil_heap"))
        | _has(raw, "landuse", ("industrial", "landfill"))
        | _has(raw, "power", ("plant",))
    )
    cand = raw[keep]
    sites = cand[_polygons(cand) & (
        _has(cand, "man_made", ("works",)) | _has(cand, "landuse", ("industrial",)) | _has(cand, "power", ("plant",))
    )]  # fmt: skip
    # a site holding a chimney or works of its own is represented by them, not twice
    inner = cand[_has(cand, "man_made", ("chimney", "works")) | _has(cand, "power", ("plant",))]
    drop = set()
    for idx, s in sites.iterrows():
        others = inner.drop(index=idx, errors="ignore")
        if len(others) and others.geometry.representative_point().within(s.geometry).any():
            drop.add(idx)
    return cand.drop(index=sorted(drop)), sites


def enterprises(raw: gpd.GeoDataFrame, towns: Sequence[TownFacts]) -> MappedLayer:
    """Candidate pollution sources: chimneys, works, industrial land, landfills, plants."""
    crs = _utm(raw, towns)
    cand, sites = _candidates(raw)
    rows, geoms, skipped = [], [], 0
    near = _nearest_town(cand.geometry, towns, crs) if len(cand) else []
    for (_, r), town in zip(cand.iterrows(), near, strict=True):
        found = _source_kind(r, sites)
        if found is None:
            skipped += 1
            continue
        kind, rule = found
        ref = osm_ref(r["element"], r["id"])
        cls, h, d, w0, tg, site, rates = ASSUMED_RELEASE[kind]
        geom_m = _in_utm(gpd.GeoDataFrame(geometry=[r.geometry], crs=WGS84), crs).geometry.iloc[0]
        area = float(geom_m.area) if r.geometry.geom_type in _POLYGONS else float(site)
        osm_h = _height(r.get("height"))
        name = r.get("name")
        where = f"{town}: " if town else ""
        label = str(name) if isinstance(name, str) else f"{where}{_KIND_LABEL[kind]} ({ref})"
        stack = kind in ("plant", "chp", "boiler")
        rows.append(
            {
                "source_id": f"OSM-{r['element'][0].upper()}{int(r['id'])}", "name": label,
                "name_kk": _s(r.get("name:kk")) or label, "name_ru": _s(r.get("name:ru")) or label,
                "operator": _s(r.get("operator")), "town": town, "kind": kind,
                "source_type": "stack" if stack else "area", "hazard_class": cls,
                "height_m": osm_h if osm_h is not None else h, "diameter_m": d, "velocity_m_s": w0,
                "gas_temp_c": tg, "heating_only": False, "area_m2": area,
                **{f"m_{p}_g_s": float(v) for p, v in zip(POLLUTANTS, rates, strict=True)},
                "osm_id": ref, "kind_rule": rule, "synthetic": False,
                "data_note": (
                    f"{DERIVED} ({ref}): a CANDIDATE source, not an emission inventory; position and "
                    f"name from OSM; kind {kind!r} inferred from {rule}; height_m "
                    f"{'from OSM height=' + str(r.get('height')) if osm_h is not None else 'ASSUMED'}; "
                    "hazard class, stack diameter, exit velocity, gas temperature and emission rates "
                    "ASSUMED (typical values of the kind, not measured)"
                ),
            }
        )  # fmt: skip
        geoms.append(r.geometry.representative_point())
    notes = (
        (f"{skipped} power plant(s) of a fuel that emits no smoke (solar, wind, hydro) left out",)
        if skipped
        else ()
    )
    assumed = (
        "hazard_class",
        "height_m",
        "diameter_m",
        "velocity_m_s",
        "gas_temp_c",
        *(f"m_{p}_g_s" for p in POLLUTANTS),
    )
    inferred = "candidate sources from man_made=chimney|works|wastewater_plant|spoil_heap, landuse=industrial|landfill, power=plant; kind from the tags; emissions and stacks assumed"
    return MappedLayer("enterprises", _frame(rows, geoms), inferred, assumed, notes)


# -- utility networks ---------------------------------------------------------------------


def _year(value: Any) -> float:
    """The year of an OSM ``start_date`` (``1968``, ``1968-05``, ``~1970``); NaN when not given.

    Examples
    --------
    >>> _year("1968-05"), math.isnan(_year(None))
    (1968.0, True)
    """
    m = re.match(r"^\D{0,2}(\d{4})", value) if isinstance(value, str) else None
    year = float(m.group(1)) if m else math.nan
    return year if 1850 <= year <= 2100 else math.nan


def _diameter(value: Any) -> float:
    try:
        d = float(str(value).removesuffix("mm").strip())
    except ValueError:
        return math.nan
    return d if 5 <= d <= 3000 else math.nan


def _network_of(row: pd.Series) -> tuple[str, str, str] | None:
    """(network, material, how the material was known) of a line, or None when not kept."""
    if row.get("power") in ("line", "minor_line"):
        return (
            "power",
            "overhead_line",
            f"power={row.get('power')} (an overhead line by definition)",
        )
    if row.get("man_made") != "pipeline":
        return None
    network = _SUBSTANCE.get(_s(row.get("substance")) or _s(row.get("type")))
    if network is None:
        return None
    material = _MATERIAL_TAGS.get(_s(row.get("material")).lower())
    if material in _MATERIALS[network]:
        return network, str(material), f"material={row.get('material')}"
    return (
        network,
        DEFAULT_MATERIAL[network],
        f"ASSUMED {DEFAULT_MATERIAL[network]!r} (OSM gives no material the wear table knows)",
    )


def utility_networks(
    raw: gpd.GeoDataFrame, towns: Sequence[TownFacts], area: BaseGeometry
) -> MappedLayer:
    """Power lines and water, sewage and heating pipelines, clipped to the area."""
    crs = _utm(raw, towns)
    lines = raw[raw.geometry.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()]
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    left_out: dict[str, int] = {}
    near = _nearest_town(lines.geometry, towns, crs) if len(lines) else []
    for (_, r), town in zip(lines.iterrows(), near, strict=True):
        got = _network_of(r)
        if got is None:
            if r.get("man_made") == "pipeline":
                what = _s(r.get("substance")) or "no substance tag"
                left_out[what] = left_out.get(what, 0) + 1
            continue
        clipped = r.geometry.intersection(area)
        if clipped.is_empty or clipped.geom_type not in ("LineString", "MultiLineString"):
            continue
        network, material, how = got
        ref = osm_ref(r["element"], r["id"])
        year = _year(r.get("start_date"))
        rows.append(
            {
                "segment_id": f"OSM-{r['element'][0].upper()}{int(r['id'])}", "town": town,
                "network": network, "material": material,
                "diameter_mm": _diameter(r.get("diameter")) if network != "power" else math.nan,
                "install_year": year, "inspection_grade": math.nan, "inspection_date": "",
                "voltage": _s(r.get("voltage")), "osm_id": ref,
                "synthetic": False,
                "data_note": (
                    f"{DERIVED} ({ref}), clipped to the fetched area: not a utility inventory; network "
                    f"from {'power' if network == 'power' else 'substance'}=; material {how}; install year "
                    f"{'from start_date' if not math.isnan(year) else 'unknown (no start_date): wear unknown'}"
                ),
            }
        )  # fmt: skip
        geoms.append(clipped)
    notes = tuple(
        f"{n} pipeline(s) of {what} left out (the wear model has no normative life for them)"
        for what, n in sorted(left_out.items())
    )
    inferred = "networks from power=line|minor_line (overhead) and man_made=pipeline (substance → water, sewage, heating); material assumed where OSM has none; install year from start_date"
    return MappedLayer("utility_networks", _frame(rows, geoms), inferred, ("material",), notes)


def town_facts(boundaries: gpd.GeoDataFrame, names: Sequence[str]) -> list[TownFacts]:
    """The catalog's facts of the towns *names* (their point: inside their catalog outline)."""
    out = []
    by_name: Mapping[str, Any] = {str(r["town"]): r for _, r in boundaries.iterrows()}
    for n in names:
        r = by_name[n]
        out.append(
            TownFacts(
                n, r.geometry.representative_point(), str(r["name_kk"]), str(r["name_ru"]),
                int(r["population"]), str(r["town_type"]),
            )
        )  # fmt: skip
    return out
