"""Synthetic town boundaries and micro-districts of the towns in the towns table.

Every per-town fact (spellings, names, type, azimuth, seed, statuses) comes
from ``layers/tables/towns.csv`` (:mod:`geo.synthetic.table`).

``town_boundaries``
    Around each town's GeoNames point, in its UTM zone, a smooth irregular
    outline whose area is the GeoNames population over a small-town density
    of 2 500 people per km² (an editable assumption, :data:`DENSITY_PER_KM2`),
    elongated along the valley and perturbed by three fixed harmonics.
``micro_districts``
    Each boundary cut into a 3 × 3 grid of its bounding box, numbered so that
    7, 8 and 9 lie in the south-east. Statuses come from the towns table
    (Zhanatas: 7, 8, 9 completely destroyed and 1, 4, 5, 6 to be
    reconstructed, paper 001); units the table does not name, and towns it
    does not hold (a user's boundary file), are "existing" (assumed).
    Population is the town's split by area over the inhabited units
    (destroyed ones hold none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon, box

from geo.crs import utm_crs_for
from geo.synthetic.table import StudyTown, study_towns

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["DENSITY_PER_KM2", "find_towns", "micro_districts", "town_boundaries"]

DENSITY_PER_KM2 = 2500.0
"""Assumed gross density of a Kazakh small town (persons per km²) used to size boundaries."""

# position in the 3 x 3 grid (row from north, col from west) -> micro-district number
_NUMBERING = {
    (0, 0): 1, (0, 1): 2, (0, 2): 3,
    (1, 0): 4, (1, 1): 5, (2, 0): 6,
    (1, 2): 7, (2, 1): 8, (2, 2): 9,
}  # fmt: skip
_STATUS_TEXT = {
    "existing": ("existing", "бар", "существующий"),
    "destroyed": ("completely destroyed", "толық қираған", "полностью разрушен"),
    "reconstruction": ("to be reconstructed", "қайта жаңартылады", "подлежит реконструкции"),
}


def _outline(centre: Point, area_m2: float, azimuth: float, seed: int) -> Polygon:
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * np.pi, 3)
    amps = (0.08, 0.05, 0.03)
    t = np.linspace(0, 2 * np.pi, 181)[:-1]
    r = 1 + sum(
        a * np.cos((k + 2) * t + p) for k, (a, p) in enumerate(zip(amps, phases, strict=True))
    )
    a_axis, b_axis = 1.35, 1 / 1.35  # elongation along the azimuth
    x, y = a_axis * r * np.cos(t), b_axis * r * np.sin(t)
    rot = np.radians(90 - azimuth)
    xr = x * np.cos(rot) - y * np.sin(rot)
    yr = x * np.sin(rot) + y * np.cos(rot)
    unit = Polygon(np.column_stack([xr, yr]))
    scale = np.sqrt(area_m2 / unit.area)
    return Polygon(np.column_stack([centre.x + xr * scale, centre.y + yr * scale]))


def find_towns(
    towns: gpd.GeoDataFrame, study: dict[str, StudyTown], *, purpose: str
) -> dict[str, tuple[Point, int]]:
    """Locate the study towns in a places layer, by any of their spellings.

    By the town's GeoNames id where the layer has one (the embedded layer);
    else in ``name``, ``name:en``, ``name:ru``, ``name:kk`` and GeoNames'
    ``alternatenames``, where several places match, the most populous winning.

    Parameters
    ----------
    towns : GeoDataFrame
        A places layer (the catalog's ``towns`` or a user's replacement).
    study : dict
        The towns table (:func:`geo.synthetic.table.study_towns`).
    purpose : str
        What the towns anchor, for the error message.

    Returns
    -------
    dict
        Town → (point, population; 0 where the layer has none).

    Raises
    ------
    DataError
        A town is not in the layer.
    """
    from geo.errors import DataError

    columns = [c for c in ("name", "name:en", "name:ru", "name:kk", "alternatenames") if c in towns]
    ids = (
        pd.to_numeric(towns["geonameid"], errors="coerce").to_numpy()
        if "geonameid" in towns
        else np.full(len(towns), np.nan)
    )
    out = {}
    for town, facts in study.items():
        spellings = facts.spellings
        hit = ids == facts.geonameid
        if not hit.any():  # a user's places layer: by any spelling
            for col in columns:
                names = towns[col].fillna("").astype(str).str.lower().str.split("|")
                hit |= names.apply(lambda ns, sp=spellings: bool(sp.intersection(ns))).to_numpy()
        rows = towns[hit]
        if rows.empty:
            msg = (
                f"layer 'towns' has no feature named {town} ({', '.join(sorted(spellings))}); "
                f"it anchors {purpose.format(town=town)}: add the town to the layer"
            )
            raise DataError(msg)
        pops = pd.to_numeric(rows.get("population", 0), errors="coerce")
        pops = pd.Series(pops, index=rows.index).fillna(0)
        best = rows.loc[pops.idxmax()]
        point = best.geometry
        if point.geom_type != "Point":
            point = point.representative_point()
        out[town] = (point, int(pops.max()))
    return out


def town_boundaries(catalog: Catalog) -> gpd.GeoDataFrame:
    """Synthetic boundaries of the towns table's towns (one polygon each, EPSG:4326)."""
    study = study_towns(catalog)
    parts = []
    for town, (pt, pop) in find_towns(
        catalog.read("towns"), study, purpose="the {town} boundary"
    ).items():
        facts = study[town]
        utm = utm_crs_for(pt.x, pt.y)
        c = gpd.GeoSeries([pt], crs=4326).to_crs(utm).iloc[0]
        poly = _outline(
            c, pop / DENSITY_PER_KM2 * 1e6, facts.outline_azimuth_deg, seed=facts.outline_seed
        )
        g = gpd.GeoDataFrame(
            {
                "town": [town],
                "name_kk": [facts.name_kk],
                "name_ru": [facts.name_ru],
                "geonames_name": [facts.geonames_name],
                "population": [pop],
                "population_source": ["GeoNames (varying date, not census)"],
                "town_type": [facts.town_type],
                "utm_epsg": [utm.to_epsg()],
            },
            geometry=[poly],
            crs=utm,
        ).to_crs(4326)
        g["area_km2"] = round(poly.area / 1e6, 2)
        parts.append(g)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    out["data_note"] = (
        f"SYNTHETIC: outline sized from GeoNames population at {DENSITY_PER_KM2:g} persons/km²"
    )
    return out


def _utm_of(town: pd.Series) -> str:
    """The UTM zone of a boundary: its ``utm_epsg`` field, else the zone of its interior point."""
    epsg = town.get("utm_epsg")
    if epsg is not None and not pd.isna(epsg):
        return f"EPSG:{int(epsg)}"
    pt = town.geometry.representative_point()
    return f"EPSG:{utm_crs_for(pt.x, pt.y).to_epsg()}"


def micro_districts(catalog: Catalog) -> gpd.GeoDataFrame:
    """Synthetic micro-districts: a numbered 3 × 3 partition of each town boundary."""
    study = study_towns(catalog)
    rows = []
    for _, t in catalog.read("town_boundaries").iterrows():
        utm = _utm_of(t)
        outline = gpd.GeoSeries([t.geometry], crs=4326).to_crs(utm).iloc[0]
        x0, y0, x1, y1 = outline.bounds
        dx, dy = (x1 - x0) / 3, (y1 - y0) / 3
        cells = {}
        for (r, c), number in _NUMBERING.items():
            cell = box(x0 + c * dx, y1 - (r + 1) * dy, x0 + (c + 1) * dx, y1 - r * dy)
            cells[number] = outline.intersection(cell)
        facts = study.get(str(t["town"]))
        named = facts.micro_district_status if facts else {}
        statuses = {n: named.get(n, "existing") for n in cells}
        inhabited = sum(g.area for n, g in cells.items() if statuses[n] != "destroyed")
        for number in sorted(cells):
            geom, status = cells[number], statuses[number]
            share = 0.0 if status == "destroyed" else geom.area / inhabited
            en, kk, ru = _STATUS_TEXT[status]
            rows.append(
                {
                    "zone_id": f"{t['town'].lower()}_{number}",
                    "town": t["town"],
                    "number": number,
                    "name": f"{t['town']}, micro-district {number}",
                    "name_kk": f"{t['name_kk']}, {number}-шағын аудан",
                    "name_ru": f"{t['name_ru']}, микрорайон {number}",
                    "status": status,
                    "status_en": en,
                    "status_kk": kk,
                    "status_ru": ru,
                    "status_source": facts.micro_district_status_source
                    if facts
                    else "assumed existing",
                    "population": round(t["population"] * share),
                    "geometry": gpd.GeoSeries([geom], crs=utm).to_crs(4326).iloc[0],
                }
            )
    gdf = gpd.GeoDataFrame(rows, crs=4326)
    gdf["data_note"] = (
        "SYNTHETIC: 3 × 3 partition of the synthetic town boundary; statuses of Zhanatas 1, 4-9 "
        "from paper 001; population split by area"
    )
    return gdf
