"""Zonal class areas with exact coverage, against polygons of known area."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from pyproj import CRS
from shapely.geometry import Point, Polygon, box

from geo.errors import CRSError, DataError
from geo.models.zonal import class_areas, zonal_mean
from geo.raster import Raster

UTM = CRS.from_epsg(32642)
X0, Y0 = 560_000.0, 4_830_000.0  # upper-left corner
LABELS = {1: "S1", 2: "S2", 3: "S3", 4: "N"}


def _classes() -> Raster:
    """100 × 100 cells of 10 m: left half S1, right half N, one nodata row at the bottom."""
    a = np.full((100, 100), 1, dtype="uint8")
    a[:, 50:] = 4
    a[99, :] = 0
    return Raster(a, Affine(10, 0, X0, 0, -10, Y0), UTM, nodata=0)


def _zones(*geoms: Polygon) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=UTM
    )


def test_square_split_by_classes_with_fractional_cells() -> None:
    # 123 m × 77 m square straddling the class edge at x = X0 + 500, cutting cells
    sq = box(X0 + 500 - 41.5, Y0 - 300.3, X0 + 500 + 81.5, Y0 - 223.3)
    t = class_areas(_classes(), _zones(sq), LABELS)
    row = t.iloc[0]
    assert row["zone_area_ha"] == pytest.approx(123 * 77 / 1e4)
    assert row["S1_ha"] == pytest.approx(41.5 * 77 / 1e4, rel=1e-6)
    assert row["N_ha"] == pytest.approx(81.5 * 77 / 1e4, rel=1e-6)
    assert row["S1_pct"] == pytest.approx(100 * 41.5 / 123, rel=1e-6)
    assert row["S2_ha"] == 0.0 and row["grid_coverage"] == pytest.approx(1.0)


def test_circle_area_is_exact() -> None:
    c = Point(X0 + 250, Y0 - 400).buffer(137.0, quad_segs=256)
    t = class_areas(_classes(), _zones(c), LABELS)
    assert t.loc[0, "S1_ha"] == pytest.approx(c.area / 1e4, rel=1e-6)
    assert t.loc[0, "S1_ha"] == pytest.approx(math.pi * 137**2 / 1e4, rel=1e-3)
    assert t.loc[0, "S1_pct"] == pytest.approx(100.0)


def test_zone_partly_outside_grid_and_nodata() -> None:
    # half of it west of the grid; its bottom strip lies on the nodata row
    z = box(X0 - 100, Y0 - 1000, X0 + 100, Y0 - 900)
    t = class_areas(_classes(), _zones(z), LABELS).iloc[0]
    assert t["zone_area_ha"] == pytest.approx(2.0)
    assert t["grid_coverage"] == pytest.approx(0.5)
    assert t["classified_ha"] == pytest.approx(100 * 90 / 1e4)  # 100 m wide × 90 m of data
    assert t["S1_pct"] == pytest.approx(100.0)


def test_reprojected_zones_and_several_zones() -> None:
    a = box(X0 + 10, Y0 - 60, X0 + 60, Y0 - 10)
    b = box(X0 + 700, Y0 - 60, X0 + 800, Y0 - 10)
    z = _zones(a, b).to_crs(4326)
    t = class_areas(_classes(), z, LABELS)
    assert t["zone_id"].tolist() == ["z0", "z1"]
    assert t.loc[0, "S1_ha"] == pytest.approx(0.25, rel=1e-6)
    assert t.loc[1, "N_ha"] == pytest.approx(0.5, rel=1e-6)


def test_zonal_mean_weights_by_coverage() -> None:
    v = np.zeros((100, 100), dtype="float32")
    v[:, 50:] = 1.0
    v[0, 0] = np.nan
    r = Raster(v, Affine(10, 0, X0, 0, -10, Y0), UTM)
    m = zonal_mean(r, _zones(box(X0 + 470, Y0 - 500, X0 + 510, Y0 - 400)))
    assert m.iloc[0] == pytest.approx(0.25)


def test_errors_name_the_problem() -> None:
    geo = Raster(
        np.ones((2, 2), "uint8"), Affine(0.1, 0, 69, 0, -0.1, 44), CRS.from_epsg(4326), nodata=0
    )
    with pytest.raises(CRSError, match="projected CRS"):
        class_areas(
            geo, _zones(box(69, 43.8, 69.1, 43.9)).set_crs(4326, allow_override=True), LABELS
        )
    dup = gpd.GeoDataFrame(
        {"zone_id": ["a", "a"]}, geometry=[box(X0, Y0 - 20, X0 + 20, Y0)] * 2, crs=UTM
    )
    with pytest.raises(DataError, match="appears twice"):
        class_areas(_classes(), dup, LABELS)
    with pytest.raises(DataError, match="no field 'code'"):
        class_areas(_classes(), _zones(box(X0, Y0 - 20, X0 + 20, Y0)), LABELS, id_field="code")
