"""Synthetic utility-network inventory (water, sewage, heating, power) of the three towns.

Nothing here is measured. The layer exists so the infrastructure-wear theme
runs end to end on the embedded data; a utility's real inventory replaces it
with ``geo build --layer utility_networks=FILE``.

How the lines are laid
    In each town boundary (``town_boundaries``, in the town's UTM zone) a
    street grid of :data:`STREET_SPACING_M` metres is clipped to the outline and
    cut into block-long street edges. Each network runs along the edges at a
    fixed offset from the street axis (water +5 m, sewage −5 m, heating +10 m,
    power −10 m): water and power on every street, sewage on 85 % of them and
    district heating on 60 % (drawn with the town's fixed seed).

How the attributes are drawn (each town's own ``network_seed`` and install-year
profile in the towns table, ``layers/tables/towns.csv``)
    Each segment is either *original* or *replaced*. Original segments take
    the Soviet-era materials (water: steel, cast iron, asbestos cement; sewage:
    cast iron, ceramic, asbestos cement; heating: channel-laid steel; power:
    aluminium cable or overhead line) and an install year drawn from a normal
    distribution around the town's construction period; replaced segments
    take modern materials (polyethylene, pre-insulated steel, XLPE cable) and a
    year in 2005–2021. Diameters are drawn from typical street sizes (for power
    cables, ``diameter_mm`` is the cable's outer diameter).

Why Zhanatas comes out near the study's 95 %
    Paper 001 reports that the wear of Zhanatas's water, sewage, heating and
    power networks "has reached 95 %". Zhanatas was founded in 1964 for
    phosphorite mining (a town in 1969, a city in 1971), so its original
    networks are drawn around 1970 (σ = 3 years, clipped to 1964–1978): by
    2023 they are 45–59 years old, beyond the 20–40-year normative lives of
    steel, cast iron, asbestos cement, heating steel and cables in
    ``layers/tables/normative_life.csv`` (100 % worn under the linear curve)
    and at 75–98 % for ceramic sewers (60 years). Only 3.5 % of the segments
    are drawn as replaced (the town shrank threefold and little was renewed).
    Their 3–60 % wear (ages 2–18 years), the ceramic sewers and the
    inspection grades (grade 5 means 90 %, grade 4 70 %) pull the
    length-weighted mean down to 94.6 % under the default recipe (linear
    curve, reference year 2023; 94.0 % with the Ross curve);
    ``tests/test_wear.py`` checks it stays within 1.5 points of 95 %. About
    6 % of the segments carry an inspection grade consistent with their age
    (old: 4 or 5; replaced: 1 or 2), and four segments per town have no
    install year (to exercise the "unknown" path). Karatau (original years
    around 1975, 25 % replaced) and Shu (around 1978, 30 % replaced) are not
    given in the study; their lower wear is invented for contrast.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import LineString

from geo.crs import to_crs, utm_crs_for
from geo.errors import DataError
from geo.synthetic.table import StudyTown, study_towns

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["STREET_SPACING_M", "utility_networks"]

STREET_SPACING_M = 300.0
"""Spacing of the synthetic street grid (metres)."""

_MIN_EDGE_M = 30.0

# network -> (code, offset from the street axis in m, share of streets served)
_NETWORKS: dict[str, tuple[str, float, float]] = {
    "water": ("W", 5.0, 1.0),
    "sewage": ("S", -5.0, 0.85),
    "heating": ("H", 10.0, 0.60),
    "power": ("P", -10.0, 1.0),
}

# network -> ((original materials, probabilities), replacement material, diameters, probabilities)
_MATERIALS: dict[
    str, tuple[tuple[tuple[str, ...], tuple[float, ...]], str, tuple[float, ...], tuple[float, ...]]
] = {
    "water": (
        (("steel", "cast_iron", "asbestos_cement"), (0.6, 0.25, 0.15)),
        "polyethylene",
        (100.0, 150.0, 200.0, 250.0, 300.0),
        (0.3, 0.3, 0.2, 0.1, 0.1),
    ),
    "sewage": (
        (("cast_iron", "ceramic", "asbestos_cement"), (0.4, 0.35, 0.25)),
        "polyethylene",
        (150.0, 200.0, 250.0, 300.0, 400.0),
        (0.3, 0.3, 0.2, 0.1, 0.1),
    ),
    "heating": (
        (("steel",), (1.0,)),
        "preinsulated_steel",
        (80.0, 100.0, 150.0, 200.0, 300.0),
        (0.2, 0.3, 0.25, 0.15, 0.1),
    ),
    "power": (
        (("aluminium_cable", "overhead_line"), (0.6, 0.4)),
        "xlpe_cable",
        (35.0, 45.0, 55.0),
        (0.4, 0.4, 0.2),
    ),
}


def _street_edges(outline: object, spacing: float) -> list[tuple[str, float, float, float]]:
    """Block-long street edges of a grid clipped to *outline*: (axis, fixed, start, end)."""
    from shapely.geometry.base import BaseGeometry

    assert isinstance(outline, BaseGeometry)
    x0, y0, x1, y1 = outline.bounds
    gx = np.arange(np.floor(x0 / spacing) * spacing, x1 + spacing, spacing)
    gy = np.arange(np.floor(y0 / spacing) * spacing, y1 + spacing, spacing)
    edges: list[tuple[str, float, float, float]] = []
    for axis, fixed_values, cuts in (("h", gy, gx), ("v", gx, gy)):
        for f in fixed_values:
            if axis == "h":
                line = LineString([(x0 - 1, f), (x1 + 1, f)])
            else:
                line = LineString([(f, y0 - 1), (f, y1 + 1)])
            inter = outline.intersection(line)
            parts = getattr(inter, "geoms", [inter])
            for part in parts:
                if part.is_empty or part.geom_type != "LineString":
                    continue
                coords = np.asarray(part.coords)
                k = 0 if axis == "h" else 1
                a, b = sorted((float(coords[0, k]), float(coords[-1, k])))
                inner = [c for c in cuts if a < c < b]
                stops = [a, *inner, b]
                for s, e in pairwise(stops):
                    if e - s >= _MIN_EDGE_M:
                        edges.append((axis, float(f), s, e))
    return edges


def _town_segments(facts: StudyTown, outline: object, utm: CRS) -> gpd.GeoDataFrame:
    town = facts.town
    mean, sd, lo, hi = facts.install_year
    rng = np.random.default_rng(facts.network_seed)
    edges = _street_edges(outline, STREET_SPACING_M)
    rows = []
    for network, (code, offset, served) in _NETWORKS.items():
        (orig, orig_p), new_mat, diams, diam_p = _MATERIALS[network]
        n = 0
        for axis, f, s, e in edges:
            if rng.random() >= served:
                continue
            if axis == "h":
                geom = LineString([(s, f + offset), (e, f + offset)])
            else:
                geom = LineString([(f + offset, s), (f + offset, e)])
            replaced = rng.random() < facts.replaced_share
            if replaced:
                material = new_mat
                year = int(rng.integers(2005, 2022))
            else:
                material = str(rng.choice(orig, p=orig_p))
                year = int(np.clip(round(rng.normal(mean, sd)), lo, hi))
            diameter = float(rng.choice(diams, p=diam_p))
            grade: int | None = None
            date: str | None = None
            if rng.random() < facts.inspected_share:
                grade = (
                    int(rng.choice((1, 2))) if replaced else int(rng.choice((4, 5), p=(0.3, 0.7)))
                )
                date = f"{int(rng.integers(2019, 2024))}-{int(rng.integers(4, 11)):02d}-{int(rng.integers(1, 29)):02d}"
            n += 1
            rows.append(
                {
                    "segment_id": f"{facts.network_code}-{code}-{n:04d}",
                    "town": town,
                    "network": network,
                    "material": material,
                    "diameter_mm": diameter,
                    "install_year": year,
                    "inspection_grade": grade,
                    "inspection_date": date,
                    "geometry": geom,
                }
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=utm)
    # a few segments without install year (and without an inspection), spread over the networks
    candidates = np.flatnonzero(gdf["inspection_grade"].isna().to_numpy())
    missing = rng.choice(candidates, size=facts.segments_without_year, replace=False)
    gdf["install_year"] = gdf["install_year"].astype("Int64")
    gdf.loc[gdf.index[np.sort(missing)], "install_year"] = pd.NA
    gdf["inspection_grade"] = gdf["inspection_grade"].astype("Int64")
    return gdf


def utility_networks(catalog: Catalog) -> gpd.GeoDataFrame:
    """Synthetic inventory of water, sewage, heating and power lines in each town.

    Parameters
    ----------
    catalog : Catalog
        Supplies ``town_boundaries``.

    Returns
    -------
    GeoDataFrame
        LineStrings in EPSG:4326 with ``segment_id``, ``town``, ``network``,
        ``material``, ``diameter_mm``, ``install_year`` (nullable integer),
        ``inspection_grade`` (nullable integer, 1–5) and ``inspection_date``
        (ISO date or empty), plus ``data_note``. Deterministic: the same
        boundaries give the same inventory.
    """
    study = study_towns(catalog)
    boundaries = catalog.read("town_boundaries")
    parts = []
    for town, facts in study.items():
        rows = boundaries[boundaries["town"].astype(str) == town]
        if rows.empty:
            continue  # a user's boundary file without this town: no network to lay out
        t = rows.iloc[0]
        pt = t.geometry.representative_point()
        utm = utm_crs_for(pt.x, pt.y)
        outline = to_crs(
            gpd.GeoDataFrame(geometry=[t.geometry], crs=4326), utm, what="town boundary"
        ).geometry.iloc[0]
        seg = _town_segments(facts, outline, utm)
        parts.append(to_crs(seg, CRS.from_epsg(4326), what="synthetic networks"))
    if not parts:
        msg = (
            "layer 'town_boundaries' holds none of the towns table's towns "
            f"({', '.join(study)}); supply your own networks with --layer utility_networks=FILE"
        )
        raise DataError(msg)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    out["install_year"] = out["install_year"].astype("Int64")
    out["inspection_grade"] = out["inspection_grade"].astype("Int64")
    out["data_note"] = (
        "SYNTHETIC: segments laid on an invented street grid; materials, diameters, install years and "
        "inspection grades drawn so Zhanatas's network-wide wear is near the 95 % of paper 001"
    )
    return out
