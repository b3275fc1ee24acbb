"""Synthetic administrative layers: districts and the Shu-Talas basin.

``districts``
    Voronoi cells of the ten district centres (GeoNames coordinates of the
    district seats) clipped to the oblast outline, with Taraz city carved out
    as a disc of 12 km radius. The Shu district's seat (Tole Bi) is not in
    GeoNames' list here, so Shu town stands in for it. These are *not* the
    legal boundaries: pass the real ones with ``--layer districts=PATH``.
``basin``
    The part of the DEM window below 2000 m lying north-east of the Karatau
    crest line (the divide with the Syr Darya basin), largest connected part,
    simplified. The study's 64.3 thousand km² uses another definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from rasterio import features
from shapely.geometry import LineString, Point, Polygon, shape

from geo.crs import EQUAL_AREA, WGS84

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["DISTRICT_SEATS", "basin", "districts"]

# district (English, as in the geokz ADM2_EN names) -> (kk, ru, seat, lon, lat)
DISTRICT_SEATS: dict[str, tuple[str, str, str, float, float]] = {
    "Bayzak": ("Байзақ", "Байзакский", "Sarykemer", 71.510, 43.009),
    "Zhambyl": ("Жамбыл", "Жамбылский", "Asa", 71.147, 43.037),
    "Zhualy": ("Жуалы", "Жуалынский", "Bauyrzhan Momyshuly", 70.770, 42.614),
    "Korday": ("Қордай", "Кордайский", "Korday", 74.713, 43.039),
    "Turar Ryskulov": ("Тұрар Рысқұлов", "Турар Рыскулов", "Kulan", 72.716, 42.910),
    "Merke": ("Мерке", "Меркенский", "Merke", 73.196, 42.872),
    "Moiynkum": ("Мойынқұм", "Мойынкумский", "Moyynkum", 72.944, 44.283),
    "Sarysu": ("Сарысу", "Сарысуский", "Zhanatas", 69.732, 43.563),
    "Talas": ("Талас", "Таласский", "Karatau", 70.459, 43.180),
    "Shu": ("Шу", "Шуский", "Shu (stands in for Tole Bi)", 73.762, 43.605),
}
TARAZ = (71.373, 42.898)


def districts(catalog: Catalog) -> gpd.GeoDataFrame:
    """Approximate districts: Voronoi of the seats within the oblast, Taraz carved out."""
    oblast = catalog.read("oblast").to_crs(EQUAL_AREA)
    outline = shapely.union_all(oblast.geometry.values)
    names = list(DISTRICT_SEATS)
    seats = gpd.GeoSeries(
        [Point(DISTRICT_SEATS[n][3], DISTRICT_SEATS[n][4]) for n in names], crs=WGS84
    ).to_crs(EQUAL_AREA)
    taraz = gpd.GeoSeries([Point(*TARAZ)], crs=WGS84).to_crs(EQUAL_AREA).iloc[0].buffer(12_000)
    cells = shapely.voronoi_polygons(
        shapely.multipoints(seats.values), extend_to=outline.buffer(50_000)
    )
    rows = []
    for cell in cells.geoms:
        idx = next(i for i, s in enumerate(seats.values) if cell.contains(s))
        name = names[idx]
        geom = cell.intersection(outline).difference(taraz)
        kk, ru, seat, _, _ = DISTRICT_SEATS[name]
        rows.append(
            {"district": name, "name_kk": kk, "name_ru": ru, "centre": seat, "geometry": geom}
        )
    rows.append(
        {
            "district": "Taraz",
            "name_kk": "Тараз",
            "name_ru": "Тараз",
            "centre": "Taraz",
            "geometry": taraz.intersection(outline),
        }
    )
    gdf = gpd.GeoDataFrame(rows, crs=EQUAL_AREA).sort_values("district").reset_index(drop=True)
    gdf["area_km2"] = (gdf.geometry.area / 1e6).round(1)
    gdf["data_note"] = (
        "SYNTHETIC: Voronoi cell of the district seat clipped to the oblast; not the legal boundary"
    )
    return gdf


def basin(catalog: Catalog) -> gpd.GeoDataFrame:
    """Approximate Shu-Talas basin from the DEM and the Karatau crest line."""
    dem = catalog.read("dem")
    low = np.isfinite(dem.array) & (dem.array < 2000)
    polys = [
        shape(g)
        for g, v in features.shapes(low.astype("uint8"), mask=low, transform=dem.transform)
        if v == 1
    ]
    area = shapely.union_all(polys)
    # Karatau crest, NW to SE (GEBCO ≥ 700 m outline's long axis), extended across the window
    crest = LineString([(66.0, 45.6), (68.4, 44.25), (70.9, 42.75), (71.6, 42.3)])
    left, bottom, right, top = dem.bounds
    ne_side = Polygon(
        [*crest.coords, (right + 1, bottom - 1), (right + 1, top + 1), (left - 1, top + 1)]
    )
    part = area.intersection(ne_side)
    if part.geom_type == "MultiPolygon":
        part = max(part.geoms, key=lambda g: g.area)  # type: ignore[attr-defined]
    part = shapely.simplify(part, 1 / 120, preserve_topology=True)
    gdf = gpd.GeoDataFrame(
        {
            "name": ["Shu-Talas basin (approximate)"],
            "name_kk": ["Шу-Талас алабы (шамамен)"],
            "name_ru": ["Бассейн Шу-Таласа (приблизительно)"],
        },
        geometry=[part],
        crs=dem.crs.to_wkt(),
    )
    gdf["area_km2"] = (gdf.to_crs(EQUAL_AREA).area / 1e6).round(0)
    gdf["data_note"] = (
        "SYNTHETIC: DEM window below 2000 m north-east of the Karatau crest; "
        "cut at the DEM window (44.71 N); not a hydrological delineation"
    )
    return gdf
