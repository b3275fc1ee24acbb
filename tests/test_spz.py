"""Sanitary protection zones: the cited width table, buffers, conflicts; the enterprises layer."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.catalog import Catalog, default_layers_dir
from geo.errors import DataError, InputError
from geo.io import read_table
from geo.models.spz import (
    HAZARD_CLASSES,
    check_hazard_classes,
    sanitary_zones,
    spz_conflicts,
    spz_widths,
)
from geo.synthetic.enterprises import POLLUTANT_COLUMNS, enterprises

UTM = 32642
X0, Y0 = 500_000.0, 4_800_000.0
WIDTHS = {"I": 1000.0, "II": 500.0, "III": 300.0, "IV": 100.0, "V": 50.0}


def table(change: dict[tuple[int, str], object] | None = None) -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "hazard_class": list(HAZARD_CLASSES),
            "width_m": [1000, 500, 300, 100, 50],
            "citation": ["ҚР ДСМ-2"] * 5,
        },
        dtype=object,
    )
    for (i, col), v in (change or {}).items():
        t.loc[i, col] = v
    return t


def test_shipped_width_table_is_cited_and_marked_unverified() -> None:
    t = read_table(default_layers_dir() / "tables/spz_widths.csv")
    assert spz_widths(t) == WIDTHS
    assert t["citation"].str.contains("ҚР ДСМ-2").all()
    assert (t["status"] == "unverified").all()


def test_shipped_mpc_table() -> None:
    t = read_table(default_layers_dir() / "tables/mpc_ambient_air.csv").set_index("pollutant")
    assert t.loc["so2", "mpc_max_mg_m3"] == 0.5 and t.loc["so2", "mpc_daily_mg_m3"] == 0.05
    assert t.loc["co", "mpc_max_mg_m3"] == 5.0
    assert t.loc["dust", "mpc_max_mg_m3"] == 0.5
    assert t.loc["hf", "mpc_max_mg_m3"] == 0.02
    assert t["citation"].str.len().min() > 20
    for lang in ("en", "kk", "ru"):
        assert t[f"name_{lang}"].str.len().min() > 0


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (
            table({(2, "hazard_class"): "VI"}),
            "t.csv:4: hazard_class 'VI' is not one of I, II, III, IV, V",
        ),
        (table({(1, "width_m"): -5}), "t.csv:3: width_m -5 for class II must be a positive number"),
        (table({(0, "citation"): ""}), "t.csv:2: class I has no citation"),
        (table().iloc[:4], "t.csv: no width for class(es) V"),
        (table({(4, "hazard_class"): "IV"}), "t.csv:6: hazard_class IV appears twice"),
        (table().drop(columns="citation"), "t.csv: column 'citation' is missing"),
    ],
)
def test_width_table_errors(frame: pd.DataFrame, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        spz_widths(frame, where="t.csv")


def sources(**cols: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(cols.values())))
    pts = cols.pop("geometry", [Point(X0 + 5000 * i, Y0) for i in range(n)])
    return gpd.GeoDataFrame(cols, geometry=pts, crs=UTM)  # type: ignore[arg-type]


def test_zone_widths_per_class() -> None:
    src = sources(source_id=list("abcde"), hazard_class=list(HAZARD_CLASSES), area_m2=[0.0] * 5)
    z = sanitary_zones(src, WIDTHS, crs=UTM)
    assert list(z["width_m"]) == [1000, 500, 300, 100, 50]
    expected = [math.pi * w**2 / 10_000 for w in (1000, 500, 300, 100, 50)]
    np.testing.assert_allclose(z["zone_area_ha"], expected, rtol=2e-3)
    assert z.crs.to_epsg() == UTM


def test_zone_measured_from_the_site_disc() -> None:
    # a site of π·200² m² and class V: a disc of radius 200 + 50 m
    src = sources(source_id=["heap"], hazard_class=["V"], area_m2=[math.pi * 200**2])
    z = sanitary_zones(src, WIDTHS, crs=UTM)
    assert float(z["zone_area_ha"].iloc[0]) == pytest.approx(math.pi * 250**2 / 10_000, rel=2e-3)


def test_zones_in_geographic_input_are_buffered_in_utm() -> None:
    src = gpd.GeoDataFrame(
        {"source_id": ["zh"], "hazard_class": ["IV"]},
        geometry=[Point(69.73209, 43.56274)],
        crs=4326,
    )
    z = sanitary_zones(src, WIDTHS, crs=UTM)
    assert z.crs.to_epsg() == 32642
    assert float(z["zone_area_ha"].iloc[0]) == pytest.approx(math.pi, rel=2e-3)


@pytest.mark.parametrize("bad", ["VI", "3", "", "iv"])
def test_hazard_class_outside_I_V(bad: str) -> None:
    src = sources(source_id=["ok", "KR-PLANT-01"], hazard_class=["II", bad])
    with pytest.raises(InputError, match="source KR-PLANT-01: hazard_class") as exc:
        check_hazard_classes(src)
    assert "\n" not in str(exc.value)
    with pytest.raises(InputError, match="KR-PLANT-01"):
        sanitary_zones(src, WIDTHS, crs=UTM)


def test_conflicts_against_hand_made_polygons() -> None:
    src = sources(source_id=["b1"], hazard_class=["IV"], area_m2=[0.0], geometry=[Point(X0, Y0)])
    zones = sanitary_zones(src, WIDTHS, crs=UTM)
    residential = gpd.GeoDataFrame(
        {"zone_id": ["east", "far"], "name": ["East side", "Far away"]},
        geometry=[
            box(X0, Y0 - 1000, X0 + 1000, Y0 + 1000),
            box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000),
        ],
        crs=UTM,
    )
    agricultural = gpd.GeoDataFrame(
        {"unit_id": ["strip"]}, geometry=[box(X0 - 50, Y0 - 1000, X0 + 50, Y0 + 1000)], crs=UTM
    ).to_crs(4326)  # any CRS: reprojected to the zones'
    c = spz_conflicts(zones, residential, agricultural, agricultural_id="unit_id")
    assert list(c["conflict"]) == ["residential", "agricultural"]
    res = c.iloc[0]
    assert res["target_id"] == "east" and res["target_name"] == "East side"
    half_disc_ha = math.pi * 100**2 / 2 / 10_000  # 1.5708 ha
    assert res["overlap_ha"] == pytest.approx(half_disc_ha, rel=2e-3)
    assert res["target_share_pct"] == pytest.approx(100 * half_disc_ha / 200, rel=2e-3)
    # the disc inside |x| ≤ 50: 2 (a √(r² − a²) + r² asin(a/r)) = 19 132 m²
    strip = 2 * (50 * math.sqrt(100**2 - 50**2) + 100**2 * math.asin(0.5)) / 10_000
    assert c.iloc[1]["overlap_ha"] == pytest.approx(strip, rel=2e-3)
    assert c.iloc[1]["target_id"] == "strip"
    assert c.crs.to_epsg() == UTM


def test_no_conflict_gives_an_empty_layer_with_columns() -> None:
    zones = sanitary_zones(sources(source_id=["a"], hazard_class=["V"]), WIDTHS, crs=UTM)
    far = gpd.GeoDataFrame(
        {"zone_id": ["x"]}, geometry=[box(X0 + 9000, Y0, X0 + 9100, Y0 + 100)], crs=UTM
    )
    c = spz_conflicts(zones, far, None)
    assert c.empty and "overlap_ha" in c.columns


def test_conflicts_need_projected_zones() -> None:
    zones = sanitary_zones(sources(source_id=["a"], hazard_class=["V"]), WIDTHS, crs=UTM).to_crs(
        4326
    )
    with pytest.raises(InputError, match="projected CRS"):
        spz_conflicts(zones, None, None)


# -- the synthetic enterprises layer -----------------------------------------------------------
@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return Catalog().read("enterprises")


def test_enterprises_schema_and_labels(layer: gpd.GeoDataFrame) -> None:
    for col in (
        "source_id",
        "name",
        "kind",
        "hazard_class",
        "source_type",
        "height_m",
        "area_m2",
        *POLLUTANT_COLUMNS,
    ):
        assert col in layer.columns
    assert layer["source_id"].is_unique
    check_hazard_classes(layer)
    assert set(layer["kind"]) == {
        "plant",
        "chp",
        "boiler",
        "mining_heap",
        "ash_heap",
        "filter_field",
    }
    assert layer["synthetic"].all() and layer["data_note"].str.startswith("SYNTHETIC").all()
    assert layer.crs.to_epsg() == 4326
    stacks = layer[layer["source_type"] == "stack"]
    assert (stacks[["height_m", "diameter_m", "velocity_m_s"]] > 0).all().all()
    assert (stacks["gas_temp_c"] > 31.9).all()
    areas = layer[layer["source_type"] == "area"]
    assert (areas["area_m2"] > 0).all() and areas["diameter_m"].isna().all()
    # the study's enterprises and pollutants
    assert {"Kazphosphate LLP", "EuroChem-Udobrenia LLP", "Karatau LLP"} <= set(layer["operator"])
    assert (layer["m_hf_g_s"] > 0).any() and (layer[list(POLLUTANT_COLUMNS)] >= 0).all().all()
    assert (layer["kind"] == "boiler").sum() >= 10  # "many small boilers"


def test_enterprises_lie_near_their_towns(layer: gpd.GeoDataFrame) -> None:
    towns = {
        "Zhanatas": (69.73209, 43.56274),
        "Karatau": (70.4592, 43.17959),
        "Shu": (73.76221, 43.60507),
    }
    for town, (lon, lat) in towns.items():
        part = layer[layer["town"] == town]
        assert len(part) > 0
        dlon = (part.geometry.x - lon) * 111.32 * math.cos(math.radians(lat))
        dlat = (part.geometry.y - lat) * 110.57
        assert float(np.hypot(dlon, dlat).max()) < 10.0  # km


def test_enterprises_deterministic() -> None:
    a, b = enterprises(Catalog()), enterprises(Catalog())
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.equals(b.geometry)
