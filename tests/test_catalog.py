"""The layer catalog: every layer loads, carries provenance and matches its spec."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.catalog import Catalog
from geo.errors import LayerNotFoundError
from geo.i18n import LANGUAGES
from geo.raster import Raster

REQUIRED_IDS = {
    "dem", "rivers", "towns", "karatau_range", "oblast", "districts", "basin", "town_boundaries",
    "micro_districts", "enterprises", "utility_networks", "soils", "survey_2023", "oblast_statistics",
    "mining_share",
}  # fmt: skip


def test_catalog_lists_at_least_14_layers_with_provenance(catalog: Catalog) -> None:
    assert set(catalog.ids) >= REQUIRED_IDS
    assert len(catalog.ids) >= 14
    for spec in catalog:
        assert spec.source and spec.licence and spec.attribution, spec.id
        assert all(spec.title[lang].strip() for lang in LANGUAGES), spec.id


@pytest.mark.parametrize("layer_id", sorted(REQUIRED_IDS | {"dem_karatau", "town_facts"}))
def test_every_layer_loads_and_matches_its_spec(catalog: Catalog, layer_id: str) -> None:
    spec = catalog.spec(layer_id)
    value = catalog.read(layer_id)
    if spec.kind == "raster":
        assert isinstance(value, Raster)
        assert np.isfinite(value.array).any()
        return
    assert len(value) > 0
    for field in spec.fields:
        assert field in value.columns, f"{layer_id}: missing {field}"
    if spec.kind == "vector":
        assert value.crs.to_epsg() == 4326
        assert set(value.geom_type) <= {spec.geometry, f"Multi{spec.geometry}"}
        assert shapely.is_valid(value.geometry.values).all()
        if spec.synthetic:
            assert value["synthetic"].all()
            assert value["data_note"].str.startswith("SYNTHETIC").all()


def test_real_values_of_embedded_layers(catalog: Catalog) -> None:
    towns = catalog.read("towns")
    zh = towns[towns["name"] == "Zhangatas"].iloc[0]
    assert zh["population"] == 33492
    assert zh.geometry.x == pytest.approx(69.73209, abs=1e-5)
    dem = catalog.read("dem_karatau")
    assert dem.shape == (240, 408)
    assert 290 <= np.nanmin(dem.array) <= 300 and 1250 <= np.nanmax(dem.array) <= 1260
    oblast = catalog.read("oblast").to_crs("+proj=aea +lat_1=42 +lat_2=46 +lat_0=44 +lon_0=72")
    assert 135_000 < oblast.area.sum() / 1e6 < 150_000  # official 144.3 thousand km²


def test_synthetic_micro_districts_follow_the_study(catalog: Catalog) -> None:
    md = catalog.read("micro_districts")
    zh = md[md["town"] == "Zhanatas"].set_index("number")
    assert sorted(zh.index) == list(range(1, 10))
    assert set(zh.loc[[7, 8, 9], "status"]) == {"destroyed"}
    assert set(zh.loc[[1, 4, 5, 6], "status"]) == {"reconstruction"}
    assert (zh.loc[[7, 8, 9], "population"] == 0).all()
    # 7, 8, 9 lie in the south-east: their centroid is south and east of the town's
    utm = md.to_crs(32642)
    town = utm[utm["town"] == "Zhanatas"].union_all().centroid
    se = utm[(utm["town"] == "Zhanatas") & utm["number"].isin([7, 8, 9])].union_all().centroid
    assert se.x > town.x and se.y < town.y
    # each town's units tile its boundary
    tb = catalog.read("town_boundaries").to_crs(32642)
    for town_name in ("Zhanatas", "Karatau"):
        whole = tb[tb["town"] == town_name].area.sum()
        parts = utm[utm["town"] == town_name].area.sum()
        assert parts == pytest.approx(whole, rel=1e-6)


def test_generators_are_deterministic() -> None:
    a, b = Catalog(), Catalog()
    for layer_id in ("districts", "basin", "town_boundaries", "micro_districts"):
        assert a.read(layer_id).to_json() == b.read(layer_id).to_json()


def test_unknown_layer_lists_known_ids(catalog: Catalog) -> None:
    with pytest.raises(LayerNotFoundError, match="unknown layer 'roads'; known layers: dem"):
        catalog.spec("roads")


def test_published_tables_match_the_study(catalog: Catalog) -> None:
    from tests.conftest import STUDY

    if not STUDY.exists():
        pytest.skip(f"{STUDY} is absent")
    text = STUDY.read_text(encoding="utf-8")
    mining = catalog.read("mining_share").set_index("district")["share_pct"]
    assert mining["Sarysu"] == 63.8 and mining["Talas"] == 12.1 and mining["Moiynkum"] == 9.5
    assert "Sarysu 63.8 %, Talas 12.1 %, Moiynkum 9.5 %, the other 7 districts 14.6 %" in text
    survey = catalog.read("survey_2023")
    town = survey[survey["question_id"] == "town"].set_index("answer_id")["percent"]
    assert "Shu 43.5, Karatau 23.7, Zhanatas 22.4, not stated 10.4" in text
    assert (town["shu"], town["karatau"], town["zhanatas"], town["not_stated"]) == (
        43.5,
        23.7,
        22.4,
        10.4,
    )
    assert (survey["n"] == 499).all()
