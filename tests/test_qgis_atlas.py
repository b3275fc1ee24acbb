"""The real atlas (every recipe of ``maps/``) in real QGIS, in Kazakh and Russian.

What a planner sees in QGIS 3.22 (Debian's ``python3-qgis``, headless) after
``geo build --lang kk`` or ``--lang ru``, opening the embedded project or adding the
tables from the file: an alias in the build's language for every field, the labels of
coded fields (materials, network kinds, zone ids...) instead of the codes, years
without a thousands separator, and full layer metadata (licence, abstract, CRS,
extent) on every layer. QGIS runs with the locale of the build's language and its
group separator on (as with *Show group separator* ticked in QGIS's options), so numbers
show as such a user sees them ("358 153"). Without QGIS the tests skip, except in CI
(``CI=true``) where they fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from latin import english_words
from test_qgis import QGIS_PYTHON, SCRIPT, _env, _qgis_available

from geo.build import build_atlas
from geo.catalog import Catalog
from geo.i18n import CODES, message, tr

pytestmark = pytest.mark.qgis

LOCALES = {"kk": "kk_KZ", "ru": "ru_RU"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
ALLOWED_LATIN = frozenset(
    {"C", "cm", "F", "N", "S1", "S2", "S3", "EPSG", "FIPS", "GSHHG", "GeoNames", "HTML", "ISO"}
    | {"UTM", "I", "II", "III", "IV", "V", "OpenStreetMap", "OSM", "OCHA"}
)
"""Latin words Kazakh or Russian text may hold: symbols, class codes (S1, III), names of standards."""


def _latin(text: str) -> set[str]:
    return set(LATIN.findall(text)) - ALLOWED_LATIN


CODED = (
    "material",
    "network",
    "wear_source",
    "zone_id",
    "town",
    "district",
    "level",
    "kind",
    "status",
    "source_type",
    "hazard_class",
    "zone_type",
    "source_layer",
    "conflict",
    "reporting",
    "study_type",
    "synthetic",
)
"""Coded columns of the atlas: QGIS must show their labels, not the codes."""


def _see(out: Path, lang: str) -> dict[str, Any]:
    gpkg = out / "atlas.gpkg"
    env = _env() | {"ATLAS_LOCALE": LOCALES[lang]}
    res = subprocess.run(
        [QGIS_PYTHON, str(SCRIPT), str(out / "png"), str(gpkg)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    seen: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])[str(gpkg)]
    return seen


@pytest.fixture(scope="module")
def atlases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The default atlas built in kk and ru, each opened once in QGIS."""
    if not _qgis_available():
        if os.environ.get("CI") == "true":
            pytest.fail("QGIS (python3-qgis for /usr/bin/python3) is required in CI")
        pytest.skip("QGIS not installed (apt-get install qgis python3-qgis)")
    out = {}
    for lang in ("kk", "ru"):
        folder = tmp_path_factory.mktemp(f"qgis-atlas-{lang}") / "atlas"
        build_atlas(folder, lang=lang)
        out[lang] = (folder, _see(folder, lang))
    return out


def _vector_layers(seen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every vector layer as QGIS showed it: added from the file, and in the project."""
    layers = {f"file:{t}": info for t, info in seen["vectors"].items()}
    layers |= {
        f"project:{lid}": info
        for lid, info in seen["project"]["layers"].items()
        if "fields" in info
    }
    return layers


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_field_has_an_alias_in_the_build_language(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    _, seen = atlases[lang]
    layers = _vector_layers(seen)
    assert len(layers) == 2 * len(seen["vectors"]) >= 40
    missing, latin = [], []
    for where, info in layers.items():
        assert info["valid"], where
        for name, field in info["fields"].items():
            if name == "fid":
                continue
            alias = field["alias"].strip()
            if not alias:
                missing.append(f"{where}.{name}")
            if _latin(alias):
                latin.append(f"{where}.{name}: {alias!r}")
    assert missing == [], "add these columns to geo.i18n.FIELDS or the layer's aliases"
    assert latin == []
    wear = seen["vectors"]["network_wear"]["fields"]
    expected = {"kk": ("Салынған жылы", "Материал"), "ru": ("Год прокладки", "Материал")}
    assert (wear["install_year"]["alias"], wear["material"]["alias"]) == expected[lang]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_coded_fields_show_labels_in_the_language(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    _, seen = atlases[lang]
    checked = 0
    for where, info in _vector_layers(seen).items():
        for name in CODED:
            field = info["fields"].get(name)
            if field is None:
                continue
            assert field["widget"] == "ValueMap", f"{where}.{name}"
            for code, shown in field["shown"]:
                checked += 1
                code = code.lower() if name == "synthetic" else code
                assert code in field["map"], f"{where}.{name}: {code!r} has no label"
                assert shown == field["map"][code], f"{where}.{name}: {code!r} shown as {shown!r}"
                if code in CODES.get(name, {}):
                    assert shown == CODES[name][code][lang], f"{where}.{name}"
                if name not in ("town", "district") or code != shown:
                    assert not _latin(shown), f"{where}.{name}: {code!r} → {shown!r}"
    assert checked > 250
    wear = seen["vectors"]["network_wear"]["fields"]
    shown = dict(wear["material"]["shown"])
    assert shown["cast_iron"] == {"kk": "шойын", "ru": "чугун"}[lang]
    zone = dict(wear["zone_id"]["shown"])
    assert (
        zone["zhanatas_8"] == {"kk": "Жаңатас, 8-шағын аудан", "ru": "Жанатас, микрорайон 8"}[lang]
    )
    assert (
        dict(wear["wear_source"]["shown"])["age-linear"] == CODES["wear_source"]["age-linear"][lang]
    )
    assert dict(wear["synthetic"]["shown"])["True"] == message("yes", lang)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_years_show_without_a_thousands_separator(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    _, seen = atlases[lang]
    wear = seen["vectors"]["network_wear"]["fields"]
    for name in ("install_year", "end_of_life_year"):
        assert wear[name]["widget"] == "DateTime"
        for value, shown in wear[name]["shown"]:
            assert shown == str(int(float(value))), (name, value, shown)
            assert 1900 < int(shown) < 2200
    # the locale is on: a population still reads with its separator (a non-breaking space)
    population = dict(seen["vectors"]["towns"]["fields"]["population"]["shown"])
    assert population["358153"] == "358\xa0153"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_integer_ids_show_without_a_thousands_separator(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    _, seen = atlases[lang]
    checked = 0
    for table, column in (("towns", "geonameid"), ("town_boundaries", "utm_epsg")):
        field = seen["vectors"][table]["fields"][column]
        assert field["widget"] == "ValueMap", (table, column)
        for value, shown in field["shown"]:
            assert shown == str(int(float(value))), (table, column, value, shown)
            checked += 1
    assert checked >= 4


def _metadata_layers(seen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {f"file:{t}": i["metadata"] for t, i in seen["vectors"].items()}
    out |= {f"project:{lid}": i["metadata"] for lid, i in seen["project"]["layers"].items()}
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_layer_has_licence_abstract_crs_and_extent(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    _, seen = atlases[lang]
    layers = _metadata_layers(seen)
    assert sum(k.startswith("project:") for k in layers) == len(seen["vectors"]) + len(
        seen["rasters"]
    )
    for where, md in layers.items():
        assert md["licenses"] and all(x.strip() for x in md["licenses"]), where
        assert md["abstract"].strip(), where
        assert md["crs"] is not None, where
        assert md["extent"] and md["extent"][0][1] < md["extent"][0][3], where
        synthetic = md["keywords"]["synthetic"] == ["true"]
        note = message("synthetic_note" if synthetic else "not_synthetic_note", lang)
        assert note in md["abstract"], where
    pollution = next(md for k, md in layers.items() if k.startswith("project:pollution_index_"))
    assert pollution["licenses"][0] == message("derived_from", lang)
    assert any(x.startswith("enterprises: CC0") for x in pollution["licenses"])
    suit = next(md for k, md in layers.items() if k.startswith("project:suitability_score_"))
    # derived from GeoNames towns (CC BY, names ODbL): the attribution goes with it
    assert any(x.startswith("towns: CC BY 4.0 (GeoNames); ODbL 1.0") for x in suit["licenses"])
    assert any(r.startswith("towns: GeoNames") for r in suit["rights"])


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_layer_metadata_is_in_the_build_language(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    """Licences, sources and credits of every layer as QGIS shows them: no English beyond
    proper names, verbatim credits and the ids of the inputs a computed layer lists."""
    _, seen = atlases[lang]
    leftovers = {}
    for where, md in _metadata_layers(seen).items():
        shown = [*md["licenses"], *md["rights"]]
        for value in shown:
            words = english_words(INPUT_ID.sub("", value))
            if words:
                leftovers.setdefault(where, set()).update(words)
    assert leftovers == {}
    towns = seen["vectors"]["towns"]["metadata"]
    source = f"{message('source', lang)}: " + tr(Catalog().spec("towns").source, lang)
    assert towns["rights"][0] == source and towns["history"][0] == source
    assert towns["licenses"] == [tr(Catalog().spec("towns").licence, lang)]
    assert tr(Catalog().spec("towns").attribution, lang) in towns["rights"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_layer_abstracts_are_in_the_build_language(
    atlases: dict[str, tuple[Path, dict[str, Any]]], lang: str
) -> None:
    """Every layer's abstract as QGIS shows it: no English words, no method or pollutant ids,
    no decimal point (Kazakh and Russian write a decimal comma)."""
    _, seen = atlases[lang]
    leftovers, points = {}, {}
    for where, md in _metadata_layers(seen).items():
        abstract = md["abstract"]
        if words := english_words(abstract) - {"A"}:  # OND-86's coefficient A, Latin in Russian too
            leftovers[where] = sorted(words)
        if found := re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", abstract):
            points[where] = found
    assert leftovers == {}
    assert points == {}


INPUT_ID = re.compile(r"^[a-z][a-z0-9_]*: ")
"""The id of an input a computed layer lists its licence or credit under (``towns: CC BY 4.0``)."""


def test_pollution_index_fades_out_where_the_air_is_clean(
    atlases: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """Out of the modelled windows (no data) and at an index near 0 QGIS draws nothing."""
    folder, seen = atlases["ru"]
    layer = next(
        i for lid, i in seen["project"]["layers"].items() if lid.startswith("pollution_index_")
    )
    assert layer["renderer"]["type"] == "singlebandpseudocolor"
    assert layer["renderer"]["alphas"][0] == 0 and set(layer["renderer"]["alphas"][1:]) == {255}
    with rasterio.open(folder / "rasters" / "pollution_index.tif") as ds:
        a = ds.read(1, masked=True).astype("float64").filled(np.nan)
    no_data = float(np.isnan(a).mean())
    assert 0.2 < no_data < 0.95
    alpha = layer["alpha"]
    assert alpha["clear"] >= no_data - 0.02  # no data is never drawn
    assert alpha["faint"] > 0.85  # the windows show the base map through, not a pale rectangle
    assert alpha["mean"] < 40


def test_rasters_added_from_the_file_take_no_stored_style_in_qgis_3_22(
    atlases: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """QGIS 3.22 reads ``layer_styles`` for vector tables only; the README says so.

    A raster table added straight from the file gets QGIS's default grey renderer
    and no metadata; the embedded project (and the COGs' own tags) carry both.
    """
    _, seen = atlases["kk"]
    for table, info in seen["rasters"].items():
        assert info["valid"], table
        assert info["renderer"]["type"] in ("singlebandgray", "paletted"), table
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "QGIS 3.22 applies stored styles to vector tables only" in " ".join(readme.split())
