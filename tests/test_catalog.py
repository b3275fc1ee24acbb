"""The layer catalog: every layer loads, carries provenance and matches its spec."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely
from cli import run_cli

from geo.catalog import Catalog, default_layers_dir
from geo.errors import InputError, LayerNotFoundError
from geo.i18n import LANGUAGES, tr
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


# -- provenance in every language, and a user's own catalog with plain strings ---------------

PLAIN_SOURCE = "Akimat survey of district borders, 2025"
PLAIN_LICENCE = "internal use of the akimat"


def _own_catalog(tmp_path: Path, layer_id: str, lines: str) -> Path:
    """A copy of the embedded layers whose *layer_id* entry gives *lines* as its source and licence."""
    folder = tmp_path / "layers"
    shutil.copytree(default_layers_dir(), folder, ignore=shutil.ignore_patterns("scripts"))
    toml = folder / "catalog.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index(f'id = "{layer_id}"')
    end = text.index("[[layer]]", start)
    entry = re.sub(r"(?m)^(source|licence)\.(en|kk|ru) = .*\n", "", text[start:end])
    entry = entry.replace("synthetic = ", lines + "synthetic = ", 1)
    toml.write_text(text[:start] + entry + text[end:], encoding="utf-8")
    return folder


def test_every_source_and_licence_of_the_catalog_is_in_three_languages(catalog: Catalog) -> None:
    for spec in catalog:
        for key in ("source", "licence"):
            value = getattr(spec, key)
            assert isinstance(value, dict), f"{spec.id}.{key}"
            assert all(value[lang].strip() for lang in LANGUAGES), f"{spec.id}.{key}"
            if any(ch.isalpha() and ch.isascii() for ch in value["en"].replace("CC", "")):
                assert value["kk"] != value["en"] or spec.id in PLAIN_TEXT_LAYERS[key], spec.id
    # a verbatim credit stays one string; a sentence is translated
    assert catalog.spec("places_osm").attribution == "© OpenStreetMap contributors (ODbL)"
    assert tr(catalog.spec("micro_districts").attribution, "ru").startswith("Атлас Шу-Таласа")


PLAIN_TEXT_LAYERS = {
    "source": set(),
    "licence": {
        "landcover", "soil_organic_carbon", "soil_ph", "oblast", "districts", "basin",
        "places_osm",
    },
}  # fmt: skip
"""Layers whose licence is a licence's name alone (CC BY 4.0, MIT, ODbL 1.0): the same in every language."""


def test_a_users_catalog_may_give_plain_strings_shown_as_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _own_catalog(
        tmp_path,
        "districts",
        f'source = "{PLAIN_SOURCE}"\nlicence = "{PLAIN_LICENCE}"\n',
    )
    cat = Catalog(layers_dir=folder)
    assert cat.spec("districts").source == PLAIN_SOURCE
    assert cat.provenance("districts")["licence"] == PLAIN_LICENCE
    assert tr(cat.provenance("oblast")["source"], "kk").startswith("geokz 1.0.2 (`arodionoff")
    monkeypatch.setenv("GEO_LAYERS_DIR", str(folder))
    code, out, _ = run_cli(["layers", "--json", "--lang", "kk"], capsys)
    row = next(r for r in json.loads(out) if r["id"] == "districts")
    assert code == 0 and (row["source"], row["licence"]) == (PLAIN_SOURCE, PLAIN_LICENCE)
    # a map built on it shows the user's words as they are, in a Kazakh map
    atlas = tmp_path / "atlas"
    code, _, err = run_cli(
        ["map", "maps/sustainability.toml", "--out", str(atlas), "--lang", "kk", "-q"], capsys
    )
    assert code == 0, err
    page = (atlas / "sustainability.html").read_text(encoding="utf-8")
    d = json.loads(re.search(r'id="atlas-data">(.*?)</script>', page, re.S).group(1))
    districts = next(s for s in d["sources"] if s[0] == "Аудандар")
    assert districts[1:3] == [PLAIN_SOURCE, PLAIN_LICENCE]
    # the computed layers drawn on the districts name them inside their own Kazakh text
    mining = [s for s in d["sources"] if PLAIN_SOURCE in s[1] and s[0] != "Аудандар"]
    assert mining and all("геометриясы: " + PLAIN_SOURCE in s[1] for s in mining)
    assert all(s[2].endswith("геометриясы: " + PLAIN_LICENCE) for s in mining)
    manifest = json.loads((atlas / "manifest.json").read_text(encoding="utf-8"))
    rec = manifest["layers"]["districts"]
    assert rec["source"] == PLAIN_SOURCE
    assert rec["texts"]["source"] == {"en": PLAIN_SOURCE, "kk": PLAIN_SOURCE, "ru": PLAIN_SOURCE}
    assert manifest["layers"]["oblast"]["texts"]["licence"]["ru"] == "CC BY 4.0"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('source.en = "Survey"\nsource.kk = "Сауалнама"\nlicence = "CC0"\n', "source: missing translation(s) ru"),
        ('source = 5\nlicence = "CC0"\n', "source: give a string or a table { en = ..., kk = ..., ru = ... }"),
    ],
)  # fmt: skip
def test_a_provenance_text_missing_a_language_is_refused_by_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lines: str,
    expected: str,
) -> None:
    folder = _own_catalog(tmp_path, "districts", lines)
    with pytest.raises(InputError, match=re.escape(expected)):
        Catalog(layers_dir=folder)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(folder))
    code, out, err = run_cli(["layers"], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "catalog.toml [[layer]] #" in err
    assert expected in err
