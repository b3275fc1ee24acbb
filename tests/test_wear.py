"""Wear models (geo.models.wear) and the synthetic inventory, on hand-computed inventories."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, box

from geo.crs import utm_crs_for
from geo.errors import DataError
from geo.models import wear as W

REF = 2023


def lives_table() -> pd.DataFrame:
    return W.check_life_table(
        pd.DataFrame(
            {
                "network": ["water", "water", "sewage", "heating"],
                "material": ["steel", "cast_iron", "ceramic", "steel"],
                "life_years": [25, 40, 60, 25],
                "citation": ["test"] * 4,
                "status": ["○"] * 4,
            }
        )
    )


def grades_table() -> pd.DataFrame:
    return W.check_grade_table(
        pd.DataFrame(
            {
                "grade": [1, 2, 3, 4, 5],
                "wear_pct": [10, 30, 50, 70, 90],
                "citation": ["test"] * 5,
                "status": ["○"] * 5,
            }
        )
    )


def inventory(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {
        "segment_id": [f"s{i + 1}" for i in range(n)],
        "network": ["water"] * n,
        "material": ["steel"] * n,
        "diameter_mm": [100.0] * n,
        "install_year": [2000] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


def utm_lines(
    coords: list[tuple[tuple[float, float], tuple[float, float]]], **cols
) -> gpd.GeoDataFrame:
    df = (
        inventory(**cols)
        if cols
        else inventory(segment_id=[f"s{i + 1}" for i in range(len(coords))])
    )
    return gpd.GeoDataFrame(df, geometry=[LineString(c) for c in coords], crs=32642)


# -- formulas -----------------------------------------------------------------------
def test_linear_anchors_and_normative_life_is_100_percent():
    assert W.linear_wear([10, 20], 25).tolist() == [40.0, 80.0]
    assert W.linear_wear(25, 25) == 100.0
    assert W.linear_wear(60, 25) == 100.0  # capped
    out, _ = W.segment_wear(inventory(install_year=[REF - 25]), lives_table(), reference_year=REF)
    row = out.iloc[0]
    assert row["wear_pct"] == 100.0
    assert row["wear_source"] == "age-linear"
    assert row["remaining_life_years"] == 0.0
    assert row["end_of_life_year"] == REF


def test_ross_anchors():
    np.testing.assert_allclose(W.ross_wear([10, 20, 25, 50], 25), [28.0, 72.0, 100.0, 100.0])
    out, _ = W.segment_wear(
        inventory(install_year=[REF - 10, REF - 20]),
        lives_table(),
        reference_year=REF,
        method="ross",
    )
    np.testing.assert_allclose(out["wear_pct"], [28.0, 72.0])
    assert set(out["wear_source"]) == {"age-ross"}
    np.testing.assert_allclose(out["remaining_life_years"], [15.0, 5.0])
    np.testing.assert_allclose(out["end_of_life_year"], [REF + 15, REF + 5])


def test_inverse_of_the_curves():
    np.testing.assert_allclose(W.life_fraction_from_wear([28.0, 72.0], "ross"), [0.4, 0.8])
    np.testing.assert_allclose(W.life_fraction_from_wear([40.0, 80.0], "linear"), [0.4, 0.8])


def test_material_lives_differ():
    inv = inventory(
        network=["water", "water", "sewage"],
        material=["steel", "cast_iron", "ceramic"],
        install_year=[REF - 20, REF - 20, REF - 20],
    )
    out, _ = W.segment_wear(inv, lives_table(), reference_year=REF)
    np.testing.assert_allclose(out["wear_pct"], [80.0, 50.0, 100 * 20 / 60])
    np.testing.assert_allclose(out["end_of_life_year"], [2028, 2043, 2063])


# -- inspection --------------------------------------------------------------------------
def test_inspection_grade_overrides_age():
    inv = inventory(
        install_year=[REF - 10, REF - 10, pd.NA],
        inspection_grade=[5, pd.NA, 2],
    )
    out, _ = W.segment_wear(inv, lives_table(), reference_year=REF, grades=grades_table())
    np.testing.assert_allclose(out["age_wear_pct"], [40.0, 40.0, np.nan])
    np.testing.assert_allclose(out["wear_pct"], [90.0, 40.0, 30.0])
    assert out["wear_source"].tolist() == ["inspection", "age-linear", "inspection"]
    # grade 5 = 90 % on the linear curve: 0.9·25 = 22.5 years used, 2.5 left
    np.testing.assert_allclose(out["remaining_life_years"], [2.5, 15.0, 17.5])
    np.testing.assert_allclose(out["end_of_life_year"], [REF + 2.5, 2038, REF + 17.5])
    assert out["wear_class"].tolist() == ["75–100", "25–50", "25–50"]


# -- unknown install years -------------------------------------------------------------------
def test_missing_install_year_is_unknown_never_new(caplog):
    gdf = utm_lines(
        [((500_000, 0), (501_000, 0)), ((500_000, 100), (503_000, 100))],
        install_year=[REF - 30, pd.NA],
    )
    with caplog.at_level(logging.DEBUG):
        out, warnings = W.segment_wear(gdf, lives_table(), reference_year=REF)
    assert not caplog.records  # the model returns its warnings; it never logs
    assert len(warnings) == 1
    msg = warnings[0]
    assert "s2" in msg and "install_year" in msg and "\n" not in msg
    assert out["wear_source"].tolist() == ["age-linear", "unknown"]
    assert out["wear_class"].tolist() == ["75–100", "unknown"]
    assert np.isnan(out["wear_pct"].iloc[1]) and np.isnan(out["remaining_life_years"].iloc[1])
    out["length_m"] = W.measure_lengths(out, crs_for=utm_crs_for)
    out["zone"] = "z"
    r = W.rollup(out, ["zone"]).iloc[0]
    assert r["wear_pct"] == 100.0  # not (100 + 0)/2: the unknown segment is not "new"
    assert r["unknown_km"] == pytest.approx(3.0)
    assert r["known_km"] == pytest.approx(1.0)
    assert r["n_unknown"] == 1 and r["n_segments"] == 2


def test_check_inventory_returns_warning_for_missing_years():
    warnings = W.check_inventory(
        inventory(install_year=[pd.NA, 1990, None]), lives_table(), reference_year=REF
    )
    assert len(warnings) == 1
    assert "2 segment(s)" in warnings[0] and "s1, s3" in warnings[0]


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cols", "expected"),
    [
        (
            {"install_year": [1990, 2031]},
            "segment s2: install_year 2031 is after the reference year 2023",
        ),
        ({"install_year": [1850, 1990]}, "segment s1: install_year 1850 is before 1900"),
        ({"install_year": [1990, "nineteen"]}, "segment s2: install_year 'nineteen' is not a year"),
        (
            {"material": ["steel", "asbestos"]},
            "segment s2: material 'asbestos' has no normative life for network 'water'; known materials for water: cast_iron, steel",
        ),
        (
            {"network": ["water", "gas"]},
            "segment s2: network 'gas' is unknown; use one of water, sewage, heating, power",
        ),
        ({"diameter_mm": [-100.0, 100.0]}, "segment s1: diameter_mm -100 is negative"),
        ({"length_m": [10.0, -5.0]}, "segment s2: length_m -5 is negative"),
        (
            {"inspection_grade": [7, pd.NA]},
            "segment s1: inspection_grade 7 is not in the grade table; known grades: 1, 2, 3, 4, 5",
        ),
        ({"segment_id": ["a", "a"]}, "segment a: segment_id appears twice"),
    ],
)
def test_bad_inventory_is_a_one_line_error_naming_the_segment(cols, expected):
    inv = inventory(**{"install_year": [1990, 1990], **cols})
    with pytest.raises(DataError) as err:
        W.segment_wear(
            inv, lives_table(), reference_year=REF, grades=grades_table(), where="inv.gpkg"
        )
    text = str(err.value)
    assert text.startswith("inv.gpkg: ")
    assert expected in text
    assert "\n" not in text


def test_error_counts_further_offenders():
    inv = inventory(install_year=[2030, 2031, 2032])
    with pytest.raises(
        DataError, match=r"segment s1: .*\(and 2 more segment\(s\)\); correct the year"
    ):
        W.check_inventory(inv, lives_table(), reference_year=REF)


def test_grade_without_table_is_an_error():
    with pytest.raises(DataError, match="segment s1: has an inspection_grade but no grade table"):
        W.check_inventory(inventory(inspection_grade=[3]), lives_table(), reference_year=REF)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"life_years": [25, -1, 60, 25]}, "row 3: life_years = -1 is not a positive number"),
        ({"network": ["water", "water", "gas", "heating"]}, "row 4: network 'gas' is not one of"),
        ({"status": ["○", "x", "○", "○"]}, "row 3: status 'x' must be ✔, ◐ or ○"),
        ({"material": ["steel", "steel", "ceramic", "steel"]}, "row 3: water/steel appears twice"),
    ],
)
def test_life_table_errors(change, expected):
    df = pd.DataFrame(
        {
            "network": ["water", "water", "sewage", "heating"],
            "material": ["steel", "cast_iron", "ceramic", "steel"],
            "life_years": [25, 40, 60, 25],
            "citation": ["c"] * 4,
            "status": ["○"] * 4,
        }
    )
    df = df.assign(**change)
    with pytest.raises(
        DataError, match="^life.csv: " + expected.replace("(", r"\(").replace(")", r"\)")
    ):
        W.check_life_table(df, "life.csv")


def test_life_table_missing_column():
    with pytest.raises(DataError, match=r"life\.csv: missing column"):
        W.check_life_table(pd.DataFrame({"network": ["water"], "material": ["steel"]}), "life.csv")


# -- lengths, zones, roll-up ---------------------------------------------------------------------
def test_length_weighting_across_segments_of_different_length():
    # 1 km at 100 % (age 40 of 25) and 3 km at 20 % (age 5 of 25): 0.25·100 + 0.75·20 = 40 %
    gdf = utm_lines(
        [((500_000, 0), (501_000, 0)), ((500_000, 50), (503_000, 50))],
        install_year=[REF - 40, REF - 5],
    )
    seg, _ = W.segment_wear(gdf, lives_table(), reference_year=REF)
    seg["length_m"] = W.measure_lengths(seg, crs_for=utm_crs_for)
    np.testing.assert_allclose(seg["length_m"], [1000.0, 3000.0])
    zones = gpd.GeoDataFrame(
        {"zone_id": ["z"]}, geometry=[box(499_000, -500, 504_000, 500)], crs=32642
    )
    r = W.rollup(W.split_by_zones(seg, zones, crs_for=utm_crs_for), ["zone_id"]).iloc[0]
    assert r["wear_pct"] == pytest.approx(40.0)
    assert r["length_km"] == pytest.approx(4.0)
    assert r["km_0_25"] == pytest.approx(3.0) and r["km_75_100"] == pytest.approx(1.0)
    assert r["km_25_50"] == 0 and r["km_50_75"] == 0
    assert r["replace_km"] == pytest.approx(1.0)


def test_segment_crossing_two_zones_is_split_by_length():
    # a 1 km line, 250 m in zone a and 750 m in zone b; a second 400 m line all in b
    gdf = utm_lines(
        [((500_000, 0), (501_000, 0)), ((500_500, 100), (500_900, 100))],
        install_year=[REF - 50, REF - 10],
    )
    seg, _ = W.segment_wear(gdf, lives_table(), reference_year=REF)
    seg["length_m"] = W.measure_lengths(seg, crs_for=utm_crs_for)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[box(499_000, -500, 500_250, 500), box(500_250, -500, 502_000, 500)],
        crs=32642,
    )
    pieces = W.split_by_zones(seg, zones, crs_for=utm_crs_for)
    by = pieces.groupby(["segment_id", "zone_id"])["length_m"].sum()
    assert by[("s1", "a")] == pytest.approx(250.0)
    assert by[("s1", "b")] == pytest.approx(750.0)
    assert by[("s2", "b")] == pytest.approx(400.0)
    r = W.rollup(pieces, ["zone_id"]).set_index("zone_id")
    assert r.loc["a", "length_km"] == pytest.approx(0.25)
    assert r.loc["b", "length_km"] == pytest.approx(1.15)
    # zone b: 750 m at 100 % and 400 m at 40 % -> (750·100 + 400·40)/1150
    assert r.loc["b", "wear_pct"] == pytest.approx((750 * 100 + 400 * 40) / 1150)
    assert r.loc["a", "n_segments"] == 1 and r.loc["b", "n_segments"] == 2


def test_split_in_wgs84_measures_in_utm_and_attribute_length_is_shared():
    # the same 1 km crossing, given in EPSG:4326; the declared length_m (1200 m) is shared 25/75
    gdf = utm_lines([((500_000, 4_800_000), (501_000, 4_800_000))]).to_crs(4326)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[
            box(499_000, 4_799_500, 500_250, 4_800_500),
            box(500_250, 4_799_500, 502_000, 4_800_500),
        ],
        crs=32642,
    ).to_crs(4326)
    measured = W.measure_lengths(gdf, crs_for=utm_crs_for)
    line = gdf.geometry.iloc[0]
    geodesic = Geod(ellps="WGS84").geometry_length(line)
    assert measured[0] == pytest.approx(1000.0, abs=0.01)
    assert measured[0] == pytest.approx(
        geodesic, rel=1e-3
    )  # UTM scale factor near the central meridian
    gdf["length_m"] = [1200.0]
    assert W.measure_lengths(gdf, crs_for=utm_crs_for).tolist() == [1200.0]
    pieces = W.split_by_zones(gdf, zones, crs_for=utm_crs_for).set_index("zone_id")
    assert pieces.loc["a", "length_m"] == pytest.approx(300.0, rel=1e-4)
    assert pieces.loc["b", "length_m"] == pytest.approx(900.0, rel=1e-4)
    assert pieces.crs.to_epsg() == 4326


def test_rollup_by_network_and_costs():
    p = pd.DataFrame(
        {
            "zone": ["z", "z", "z"],
            "network": ["water", "water", "heating"],
            "segment_id": ["a", "b", "c"],
            "length_m": [100.0, 300.0, 200.0],
            "wear_pct": [90.0, 10.0, 80.0],
            "unit_cost": [1000.0, 1000.0, 5000.0],
        }
    )
    r = W.rollup(p, ["zone", "network"], replace_at_pct=75).set_index("network")
    assert r.loc["water", "wear_pct"] == pytest.approx((100 * 90 + 300 * 10) / 400)
    assert r.loc["heating", "wear_pct"] == pytest.approx(80.0)
    assert r.loc["water", "replace_cost"] == pytest.approx(100_000.0)
    assert r.loc["heating", "replace_cost"] == pytest.approx(1_000_000.0)
    costs = W.check_cost_table(
        pd.DataFrame(
            {
                "network": ["water", "water"],
                "diameter_min_mm": [0, 200],
                "diameter_max_mm": [200, 5000],
                "cost_per_m": [10.0, 20.0],
                "currency": ["KZT", "KZT"],
                "citation": ["x", "x"],
                "status": ["○", "○"],
            }
        )
    )
    seg = pd.DataFrame(
        {"network": ["water", "water", "sewage"], "diameter_mm": [199.0, 200.0, 100.0]}
    )
    np.testing.assert_array_equal(W.unit_costs_for(seg, costs), [10.0, 20.0, np.nan])


def test_wear_classes_editable():
    c = W.WearClasses((0, 60, 80, 100))
    assert c.labels == ("0–60", "60–80", "80–100")
    assert c.columns == ("km_0_60", "km_60_80", "km_80_100")
    assert c.classify([59.9, 60.0, 80.0, 100.0]).tolist() == ["0–60", "60–80", "80–100", "80–100"]
    with pytest.raises(ValueError, match="ascending"):
        W.WearClasses((0, 50, 40, 100))
    with pytest.raises(ValueError, match="start at 0 and end at 100"):
        W.WearClasses((0, 50, 90))


def test_priority_weighs_wear_against_population():
    wear = [95.0, 60.0, 95.0, np.nan]
    pop = [0, 8000, 4000, 5000]
    s = W.priority_scores(wear, pop, {"wear": 0.6, "population": 0.4})
    np.testing.assert_allclose(s[:3], [0.57, 0.76, 0.77])
    assert np.isnan(s[3])
    assert W.rank_descending(s).tolist()[:3] == [3.0, 2.0, 1.0]
    # weights are normalised: (3, 2) == (0.6, 0.4)
    np.testing.assert_allclose(W.priority_scores(wear, pop, {"wear": 3, "population": 2}), s)
    with pytest.raises(ValueError, match="not all zero"):
        W.priority_scores(wear, pop, {"wear": 0, "population": 0})


# -- the synthetic inventory ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic(catalog):
    return catalog.read("utility_networks")


def test_synthetic_inventory_schema_and_determinism(catalog, synthetic):
    from geo.synthetic.networks import utility_networks

    assert set(synthetic["network"]) == set(W.NETWORKS)
    assert set(synthetic["town"]) == {"Zhanatas", "Karatau", "Shu"}
    assert synthetic["segment_id"].is_unique
    assert set(synthetic.geom_type) == {"LineString"}
    assert synthetic["synthetic"].all()
    assert synthetic["install_year"].isna().sum() == 12  # four per town
    assert synthetic["inspection_grade"].notna().sum() > 100
    again = utility_networks(catalog)
    pd.testing.assert_series_equal(
        again["install_year"].reset_index(drop=True),
        synthetic["install_year"].reset_index(drop=True),
    )
    assert (
        again.geometry.reset_index(drop=True)
        .geom_equals_exact(synthetic.geometry.reset_index(drop=True), 1e-9)
        .all()
    )
    # every segment lies (essentially) inside its town
    towns = catalog.read("town_boundaries").set_index("town")
    for town, grp in synthetic.groupby("town"):
        inside = grp.geometry.intersects(towns.loc[town, "geometry"])
        assert inside.all(), town


def test_synthetic_zhanatas_network_wide_wear_near_95_percent(synthetic):
    from geo.catalog import default_layers_dir

    lives = W.check_life_table(pd.read_csv(default_layers_dir() / "tables/normative_life.csv"))
    grades = W.check_grade_table(pd.read_csv(default_layers_dir() / "tables/inspection_grades.csv"))
    zh = synthetic[synthetic["town"] == "Zhanatas"]
    seg, _ = W.segment_wear(zh, lives, reference_year=2023, grades=grades)
    seg["length_m"] = W.measure_lengths(seg, crs_for=utm_crs_for)
    seg["all"] = "Zhanatas"
    r = W.rollup(seg, ["all"]).iloc[0]
    # paper 001: "wear ... has reached 95 %"; tolerance ±1.5 percentage points
    assert r["wear_pct"] == pytest.approx(95.0, abs=1.5)
    assert r["n_unknown"] == 4
    per_net = W.rollup(seg, ["network"]).set_index("network")["wear_pct"]
    assert (per_net > 88).all()
    # the other towns are not in the study and are generated less worn
    others = synthetic[synthetic["town"] != "Zhanatas"]
    o, _ = W.segment_wear(others, lives, reference_year=2023, grades=grades)
    o["length_m"] = W.measure_lengths(o, crs_for=utm_crs_for)
    ro = W.rollup(o, ["town"]).set_index("town")["wear_pct"]
    assert (ro < 85).all()
