"""The real boundaries, water and place names carried into ``layers/`` (districts, oblast, basin, lakes, OSM places)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.build import build_atlas
from geo.crs import EQUAL_AREA
from geo.i18n import all_languages, tr

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "layers" / "data"
SCRIPTS = ROOT / "layers" / "scripts"
SUSTAINABILITY = ROOT / "maps" / "sustainability.toml"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_embedded_files_are_the_staged_ones_rederived(fetched: Path) -> None:
    derived = _script("derive_fetched_layers").derive_all(fetched)
    assert sorted(derived) == [
        "basin.geojson", "districts.geojson", "lakes.geojson", "oblast.geojson",
        "places_osm.geojson",
    ]  # fmt: skip
    for name, data in derived.items():
        assert (DATA / name).read_bytes() == data, (
            f"{name}: run layers/scripts/derive_fetched_layers.py"
        )


def test_geometries_are_carried_unchanged(fetched: Path) -> None:
    for ours, staged in (
        ("districts", "admin_zhambyl_districts"),
        ("oblast", "admin_zhambyl_oblast"),
        ("basin", "basin_shu_talas_wmb"),
        ("lakes", "lakes_aidos2"),
    ):
        a = json.loads((DATA / f"{ours}.geojson").read_text(encoding="utf-8"))["features"]
        b = json.loads((fetched / f"{staged}.geojson").read_text(encoding="utf-8"))["features"]
        assert [f["geometry"] for f in a] == [f["geometry"] for f in b], ours


def test_districts_are_the_legal_ones_in_three_languages(catalog) -> None:
    spec = catalog.spec("districts")
    assert spec.synthetic is False and spec.generator is None
    assert all_languages(spec.licence) == {"en": "CC BY 4.0", "kk": "CC BY 4.0", "ru": "CC BY 4.0"}
    assert all("geokz" in a for a in all_languages(spec.attribution).values())
    assert "на основе OCHA/HDX COD-AB" in tr(spec.attribution, "ru")
    d = catalog.read("districts").set_index("district")
    assert len(d) == 11
    assert d.loc["Sarysu", ["name_kk", "name_ru", "label_ru", "kato"]].tolist() == [
        "Сарысу", "Сарысуский", "Сарысуский район", "316000000",
    ]  # fmt: skip
    assert d.loc["Taraz", ["label", "label_kk", "label_ru"]].tolist() == [
        "Taraz city", "Тараз қаласы", "город Тараз",
    ]  # fmt: skip
    assert d.loc["Turar Ryskulov", "label_ru"] == "район Турара Рыскулова"
    assert not d["synthetic"].any() if "synthetic" in d else True
    # published areas, and the oblast they tile
    km2 = d.to_crs(EQUAL_AREA).area / 1e6
    assert km2["Sarysu"] == pytest.approx(31_531.6, rel=2e-3)
    oblast = catalog.read("oblast").to_crs(EQUAL_AREA)
    assert oblast.area.sum() / 1e6 == pytest.approx(144_002, rel=2e-3)
    assert km2.sum() == pytest.approx(oblast.area.sum() / 1e6, rel=5e-3)


def test_study_towns_fall_in_their_districts(catalog) -> None:
    d = catalog.read("districts")
    towns = catalog.read("towns").set_index("geonameid")
    for gid, district in ((1516788, "Sarysu"), (1519938, "Talas"), (1519030, "Shu")):
        p = towns.geometry[gid]
        assert d.loc[d.contains(p), "district"].tolist() == [district]


def test_basin_and_lakes_are_real(catalog) -> None:
    basin = catalog.read("basin")
    assert (
        catalog.spec("basin").synthetic is False
        and tr(catalog.spec("basin").licence, "kk") == "MIT"
    )
    assert basin.to_crs(EQUAL_AREA).area.sum() / 1e6 == pytest.approx(161_245, rel=2e-3)
    assert basin.contains(Point(73.762, 43.605)).any()  # Shu lies in the basin
    lakes = catalog.read("lakes").set_index("osm_id")
    assert all("ODbL" in lic for lic in all_languages(catalog.spec("lakes").licence).values())
    assert lakes.loc["way/24970926", ["name_kk", "name_ru", "name_en"]].tolist() == [
        "Билікөл", "Биликоль", "Bilikol",
    ]  # fmt: skip
    assert lakes.index.isna().sum() == 2  # two lakes OSM does not name stay unnamed


def test_osm_places_name_the_towns(catalog) -> None:
    spec = catalog.spec("places_osm")
    assert tr(spec.licence, "ru") == "ODbL 1.0"
    assert spec.attribution == "© OpenStreetMap contributors (ODbL)"  # verbatim in every language
    towns = catalog.read("towns").set_index("geonameid")
    zh = towns.loc[1516788]
    assert (zh["name"], zh["name_en"], zh["name_kk"], zh["name_ru"]) == (
        "Zhangatas", "Zhanatas", "Жаңатас", "Жанатас",
    )  # fmt: skip
    assert zh["names_source"] == "OpenStreetMap node/240711925"
    # Shu: GeoNames alone cannot settle Шу against the Soviet-era Чу; OpenStreetMap's tags do
    assert towns.loc[1519030, ["name_kk", "name_ru"]].tolist() == ["Шу", "Шу"]
    assert all("ODbL" in lic for lic in all_languages(catalog.spec("towns").licence).values())


def test_osm_match_rule() -> None:
    derive = _script("derive_places")
    place = {"alternatenames": ["Chu", "Чу", "Шу"], "longitude": 73.76, "latitude": 43.60}
    near = (73.77, 43.61, "node/1", "Шу", "Шу", "Шу")
    far = (74.50, 43.60, "node/2", "Шу", "Шу", "Шу")  # ~60 km east
    other = (73.76, 43.60, "node/3", "Бирлик", "Бірлік", "Бирлик")  # same point, other name
    assert derive.osm_match(place, [far, other, near]) == near
    assert derive.osm_match(place, [far, other]) is None
    # Kazakh letters and ё compare in Russian spelling
    kk = {"alternatenames": ["Жаңатас"], "longitude": 69.73, "latitude": 43.56}
    assert derive.osm_match(kk, [(69.74, 43.57, "node/4", "", "", "Жанатас")]) is not None


@pytest.fixture(scope="module")
def ru_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real") / "atlas"
    build_atlas(out, recipes=[SUSTAINABILITY], lang="ru")
    return out


def test_the_atlas_draws_real_districts_and_lakes(ru_atlas: Path) -> None:
    d = gpd.read_file(ru_atlas / "atlas.gpkg", layer="districts")
    assert "Сарысуский район" in set(d["label_ru"])
    lakes = gpd.read_file(ru_atlas / "atlas.gpkg", layer="lakes")
    assert "Биликоль" in set(lakes["name_ru"])
    m = json.loads((ru_atlas / "manifest.json").read_text(encoding="utf-8"))
    assert m["layers"]["districts"]["synthetic"] is False
    assert m["layers"]["districts"]["licence"] == "CC BY 4.0"
    odbl = [lic for lic in m["licences"] if "ODbL" in lic]
    assert odbl and "lakes" in {lid for lic in odbl for lid in m["licences"][lic]}
    assert any("OpenStreetMap" in a for a in m["attributions"])


def test_sustainability_sits_on_real_districts(ru_atlas: Path) -> None:
    m = json.loads((ru_atlas / "manifest.json").read_text(encoding="utf-8"))
    notes = json.dumps(m["themes"]["sustainability"]["notes"], ensure_ascii=False)
    assert "Контуры городов синтетические" in notes  # the town outlines still are
    assert "Границы районов синтетические" not in notes
    by_d = gpd.read_file(ru_atlas / "atlas.gpkg", layer="indicators_by_district")
    sarysu = by_d[by_d.geometry.contains(Point(69.732, 43.563))]
    assert len(sarysu) == 1
    assert sarysu.to_crs(EQUAL_AREA).area.iloc[0] / 1e6 == pytest.approx(31_531.6, rel=2e-3)


def test_a_town_is_labelled_once_by_its_study_name(ru_atlas: Path) -> None:
    towns = gpd.read_file(ru_atlas / "atlas.gpkg", layer="towns").set_index("name")
    # the point inside a drawn outline carries no label (the outline has it)
    assert towns.loc["Zhangatas", "label_ru"] == ""
    assert towns.loc["Taraz", "label_ru"] == "Тараз"
    assert towns.loc["Zhangatas", "name_en"] == "Zhanatas"


def test_generated_names_are_in_the_language_of_their_column(catalog) -> None:
    import re

    from geo.catalog import Catalog

    cat = Catalog()
    cat.include_towns([1516905])  # Taraz: a town beyond the towns table, named from the towns layer
    e = cat.read("enterprises")
    for col in ("name_kk", "name_ru"):
        latin = [v for v in e[col] if re.search("[A-Za-z]", str(v))]
        assert latin == [], col
    ru = set(e["name_ru"])
    assert "Каратау: котельная 1" in ru and "Тараз: котельная 1" in ru
    assert any(v.startswith("Жанатас: ТОО «ЕвроХим-Удобрения»") for v in ru)
    md = cat.read("micro_districts")
    assert not any(re.search("[A-Za-z]", str(v)) for v in [*md["name_kk"], *md["name_ru"]])


def test_rivers_are_the_staged_ones_with_their_names(fetched: Path) -> None:
    derived = _script("derive_registry_layers").derive_rivers(
        fetched.parent / "registry" / "rivers_gshhg_wdb2.geojson"
    )
    assert (DATA / "rivers.geojson").read_bytes() == derived
    rivers = json.loads(derived)["features"]
    shu = next(f["properties"] for f in rivers if f["properties"]["name_assigned"] == "Shu (Chu)")
    assert (shu["name_assigned_kk"], shu["name_assigned_ru"]) == ("Шу", "Чу (Шу)")
