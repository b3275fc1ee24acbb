"""Synthetic enterprises and pollution sources of Zhanatas, Karatau and Shu.

Every feature is invented, although the *kinds* of source and the enterprise
names come from the study: paper 001 names the sources of harm in Zhanatas
(ash heaps, the sewage filter fields near the city, the heaps and waste stores
of the mining enterprises, many small solid-fuel boilers, the CHP plant and
large boilers) and the pollutants (SO2, CO and particulates, about 98 % of
emissions; also hydrogen fluoride and ammonia, among others); paper 000
names Kazphosphate LLP, Karatau LLP and EuroChem-Udobrenia LLP. Positions are
offsets (metres east/north, in the town's UTM zone) from each town's point in
the ``towns`` layer (GeoNames by default, matched by its English, Russian or
Kazakh spelling, so a user's places layer works too); small boilers are scattered inside the towns by a fixed
:func:`numpy.random.default_rng` seeded by the town's own ``enterprise_seed`` in the
towns table (their number is its ``boilers``), so the layer never changes and adding a
town changes no other town's sources.
Stack parameters, emission rates and hazard classes are plausible, invented
values; hazard classes were not looked up in Appendix 1 of order ҚР ДСМ-2 (2022).

Schema (one point per source; EPSG:4326 once read through the catalog)
----------------------------------------------------------------------
source_id : str
    Unique id, ``<town>-<kind>-<nn>`` (``ZH-PLANT-01``).
name, name_kk, name_ru : str
    Source name in English, Kazakh and Russian.
operator : str
    Enterprise (as named in the study) or ``municipal``.
town : str
    ``Zhanatas``, ``Karatau`` or ``Shu``.
kind : str
    Point stacks: ``plant`` (processing plant), ``chp`` (combined heat and power
    plant), ``boiler`` (boiler house). Area sources: ``mining_heap``
    (overburden and waste heaps), ``ash_heap``, ``filter_field`` (sewage filter
    fields).
source_type : str
    ``stack`` or ``area``.
hazard_class : str
    Sanitary hazard class of the site, ``I`` … ``V`` (drives the SPZ width).
height_m : float
    Stack height; for area sources the release height (heap height, 2 m for
    filter fields).
diameter_m, velocity_m_s, gas_temp_c : float
    Stack mouth diameter, exit velocity and gas temperature; NaN for area
    sources (treated as cold fugitive releases, ``w0 = 0``).
heating_only : bool
    Heating-season boilers: the method's air temperature is then the coldest
    month's (◐), not the hottest month's.
area_m2 : float
    Footprint of the site: the emitting surface of area sources, the industrial
    site of stacks (the SPZ is measured from the edge of a disc of this area).
m_so2_g_s, m_co_g_s, m_dust_g_s, m_hf_g_s, m_nh3_g_s : float
    Emission rates (g/s) of sulphur dioxide, carbon monoxide, particulates
    (suspended dust), hydrogen fluoride and ammonia; 0 when not emitted.
f_dust : float
    Settling coefficient F of the dust emission (2 / 2.5 / 3 by cleaning
    efficiency); gases use F = 1.
data_note : str
    What is invented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.crs import WGS84, to_crs, utm_crs_for
from geo.synthetic.table import StudyTown, study_towns
from geo.synthetic.towns import find_towns

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["POLLUTANT_COLUMNS", "enterprises"]

POLLUTANT_COLUMNS = ("m_so2_g_s", "m_co_g_s", "m_dust_g_s", "m_hf_g_s", "m_nh3_g_s")
"""Emission-rate columns, in g/s."""

_KIND_NAMES = {
    "plant": (
        "processing plant stack",
        "өңдеу зауытының мұржасы",
        "труба перерабатывающего завода",
    ),
    "chp": ("CHP plant stack", "ЖЭО мұржасы", "труба ТЭЦ"),
    "boiler": ("boiler house", "қазандық", "котельная"),
    "mining_heap": ("mining waste heap", "тау-кен үйіндісі", "отвал горных пород"),
    "ash_heap": ("ash heap", "күл үйіндісі", "золоотвал"),
    "filter_field": ("sewage filter fields", "сүзу алаңдары", "поля фильтрации"),
}

_OPERATOR_NAMES = {
    "EuroChem-Udobrenia LLP": ("«ЕвроХим-Удобрения» ЖШС", "ТОО «ЕвроХим-Удобрения»"),
    "Karatau LLP": ("«Қаратау» ЖШС", "ТОО «Каратау»"),
    "Kazphosphate LLP": ("«Қазфосфат» ЖШС", "ТОО «Казфосфат»"),
}
"""The operators the study names, in Kazakh and Russian (their legal form: ЖШС / ТОО = LLP)."""

# (town, kind, operator, east_m, north_m, hazard class, H, D, w0, Tg, area m², so2, co, dust, hf, nh3, F_dust)
_SOURCES: tuple[tuple[object, ...], ...] = (
    ("Zhanatas", "plant", "Kazphosphate LLP", 2600, -1800, "II", 45, 2.0, 12, 110, 250_000, 3.0, 5.0, 6.0, 0.05, 0.0, 2.5),
    ("Zhanatas", "plant", "EuroChem-Udobrenia LLP", 4200, -900, "II", 30, 1.2, 10, 45, 150_000, 0.0, 0.5, 4.0, 0.0, 0.0, 2.0),
    ("Zhanatas", "chp", "municipal", 1900, 600, "III", 60, 2.5, 14, 150, 60_000, 15.0, 8.0, 5.0, 0.0, 0.0, 2.0),
    ("Zhanatas", "mining_heap", "Kazphosphate LLP", -1500, -7500, "III", 15, np.nan, np.nan, np.nan, 600_000, 0.0, 0.0, 1.5, 0.0, 0.0, 3.0),
    ("Zhanatas", "mining_heap", "EuroChem-Udobrenia LLP", 3500, -6500, "III", 12, np.nan, np.nan, np.nan, 400_000, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0),
    ("Zhanatas", "ash_heap", "municipal", 2900, 1700, "III", 5, np.nan, np.nan, np.nan, 80_000, 0.0, 0.0, 0.6, 0.0, 0.0, 3.0),
    ("Zhanatas", "filter_field", "municipal", -2800, 2900, "II", 2, np.nan, np.nan, np.nan, 350_000, 0.0, 0.0, 0.0, 0.0, 0.25, 1.0),
    ("Karatau", "plant", "Karatau LLP", 3000, 1500, "II", 40, 1.8, 11, 100, 200_000, 2.5, 4.0, 5.0, 0.04, 0.0, 2.5),
    ("Karatau", "chp", "municipal", -1200, 2200, "III", 50, 2.0, 12, 140, 50_000, 8.0, 5.0, 3.0, 0.0, 0.0, 2.0),
    ("Karatau", "mining_heap", "Karatau LLP", 2000, -6000, "III", 15, np.nan, np.nan, np.nan, 500_000, 0.0, 0.0, 1.2, 0.0, 0.0, 3.0),
    ("Karatau", "ash_heap", "municipal", -2500, 2800, "III", 5, np.nan, np.nan, np.nan, 60_000, 0.0, 0.0, 0.5, 0.0, 0.0, 3.0),
    ("Karatau", "filter_field", "municipal", 800, 3600, "II", 2, np.nan, np.nan, np.nan, 250_000, 0.0, 0.0, 0.0, 0.0, 0.2, 1.0),
    ("Shu", "chp", "municipal", 1500, -1500, "III", 45, 1.8, 10, 140, 50_000, 6.0, 4.0, 2.5, 0.0, 0.0, 2.0),
    ("Shu", "filter_field", "municipal", -3000, 2500, "II", 2, np.nan, np.nan, np.nan, 300_000, 0.0, 0.0, 0.0, 0.0, 0.2, 1.0),
)  # fmt: skip

# small solid-fuel boilers (paper 001: "many small boilers burning solid fuel"): their number
# and the seed scattering them are the town's `boilers` and `enterprise_seed` in the towns table
_BOILER_SPREAD_M = 1500.0


class _Release(NamedTuple):
    """What a source releases and how: stack H, D, w0, Tg, area, rates (g/s) and dust F."""

    h: float
    d: float
    w0: float
    tg: float
    area: float
    rates: tuple[float, ...]
    f_dust: float
    heating_only: bool = False


def _row(
    facts: StudyTown, kind: str, operator: str, nn: int, cls: str, rel: _Release
) -> dict[str, object]:
    en, kk, ru = _KIND_NAMES[kind]
    town = facts.town
    stack = kind in ("plant", "chp", "boiler")
    who_kk, who_ru = _OPERATOR_NAMES.get(operator, (operator, operator))
    who = (f"{operator}, ", f"{who_kk}, ", f"{who_ru}, ") if operator != "municipal" else ("",) * 3
    return {
        "source_id": f"{facts.enterprise_code}-{kind.upper().replace('_', '')}-{nn:02d}",
        "name": f"{town}: {who[0]}{en} {nn}",
        "name_kk": f"{facts.name_kk or town}: {who[1]}{kk} {nn}",
        "name_ru": f"{facts.name_ru or town}: {who[2]}{ru} {nn}",
        "operator": operator,
        "town": town,
        "kind": kind,
        "source_type": "stack" if stack else "area",
        "hazard_class": cls,
        "height_m": float(rel.h),
        "diameter_m": float(rel.d),
        "velocity_m_s": float(rel.w0),
        "gas_temp_c": float(rel.tg),
        "heating_only": rel.heating_only,
        "area_m2": float(rel.area),
        **dict(zip(POLLUTANT_COLUMNS, (float(r) for r in rel.rates), strict=True)),
        "f_dust": float(rel.f_dust),
    }


def enterprises(catalog: Catalog) -> gpd.GeoDataFrame:
    """Build the synthetic ``enterprises`` layer (catalog id ``enterprises``).

    Parameters
    ----------
    catalog : Catalog
        Used to read the GeoNames ``towns`` layer the sources are placed around.

    Returns
    -------
    GeoDataFrame
        One point per source (schema in the module docstring), in EPSG:4326.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> gdf = enterprises(Catalog())
    >>> sorted(gdf["source_type"].unique())
    ['area', 'stack']
    >>> gdf["source_id"].is_unique
    True
    """
    study = study_towns(catalog)
    anchors = _town_anchors(catalog.read("towns"), study)
    rows: list[dict[str, object]] = []
    points: list[Point] = []
    counters: dict[tuple[str, str], int] = {}
    for town, facts in study.items():
        rng = np.random.default_rng(facts.enterprise_seed)
        p = anchors[town]
        crs = utm_crs_for(p.x, p.y)
        centre = to_crs(gpd.GeoDataFrame(geometry=[p], crs=WGS84), crs).geometry.iloc[0]
        entries = [s for s in _SOURCES if s[0] == town]
        for _t, kind, operator, de, dn, cls, h, d, w0, tg, area, *rest in entries:
            key = (town, str(kind))
            counters[key] = counters.get(key, 0) + 1
            v = [float(x) for x in (h, d, w0, tg, area, *rest)]  # type: ignore[arg-type]
            rel = _Release(v[0], v[1], v[2], v[3], v[4], tuple(v[5:10]), v[10])
            rows.append(_row(facts, str(kind), str(operator), counters[key], str(cls), rel))
            points.append(Point(centre.x + float(de), centre.y + float(dn)))  # type: ignore[arg-type]
        for nn in range(1, facts.boilers + 1):
            de, dn = rng.uniform(-_BOILER_SPREAD_M, _BOILER_SPREAD_M, 2)
            h = float(np.round(rng.uniform(12, 25)))
            d = float(np.round(rng.uniform(0.4, 0.8), 2))
            w0 = float(np.round(rng.uniform(4, 8), 1))
            tg = float(np.round(rng.uniform(140, 200)))
            so2, co, dust = (
                float(np.round(rng.uniform(a, b), 2))
                for a, b in ((0.2, 1.0), (0.5, 3.0), (0.2, 1.0))
            )
            rel = _Release(h, d, w0, tg, 2_000.0, (so2, co, dust, 0.0, 0.0), 3.0, heating_only=True)
            rows.append(_row(facts, "boiler", "municipal", nn, "IV", rel))
            points.append(Point(centre.x + float(de), centre.y + float(dn)))
    df = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(df, geometry=points, crs=None)
    # points were built in each town's UTM zone; convert per town to WGS 84
    out = []
    for town, part in gdf.groupby("town", sort=False):
        p = anchors[str(town)]
        out.append(to_crs(part.set_crs(utm_crs_for(p.x, p.y)), WGS84, what="enterprises"))
    result = gpd.GeoDataFrame(pd.concat(out, ignore_index=True), crs="EPSG:4326")
    result["data_note"] = (
        "SYNTHETIC: source kinds and enterprise names from the study (papers 000, 001); positions, "
        "stack parameters, emission rates and hazard classes invented (classes not checked against "
        "Appendix 1 of order ҚР ДСМ-2, 2022)"
    )
    return result.sort_values("source_id", kind="stable").reset_index(drop=True)


def _town_anchors(towns: gpd.GeoDataFrame, study: dict[str, StudyTown]) -> dict[str, Point]:
    """The point of each town in the ``towns`` layer (the most populous match of its spellings)."""
    found = find_towns(towns, study, purpose="the synthetic pollution sources of {town}")
    return {town: point for town, (point, _pop) in found.items()}
