"""`geo fetch` against a loopback server: the mapping onto the catalog, the record, the cache,
--offline, the failures of the network and the servers, and a build on the fetched layers.

No request leaves the machine: the server (tests/fetch_server.py) answers Overpass queries
with the OSM elements of a made-up town built around the centre of each query's polygon.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from cli import run_cli
from fetch_server import FetchServer
from shapely.geometry import Point

from geo.area import AreaRequest
from geo.catalog import Catalog, file_sha256
from geo.errors import (
    FetchCacheError,
    FetchConnectionError,
    FetchGarbageError,
    FetchServerError,
    FetchTooLargeError,
)
from geo.fetch import fetch, fetched_layers
from geo.fetch.mapping import DERIVED
from geo.i18n import PROVENANCE
from geo.validate import validate_file

OSM_LAYERS = ("enterprises", "micro_districts", "town_boundaries", "utility_networks")
ZHANATAS = AreaRequest(towns=("Zhanatas",), buffer_m=5000)
ENV = {
    "osm": "GEO_OVERPASS_URL",
    "dem": "GEO_COPERNICUS_DEM_URL",
    "landcover": "GEO_WORLDCOVER_URL",
    "soil": "GEO_SOILGRIDS_URL",
}


@pytest.fixture
def server() -> Iterator[FetchServer]:
    srv = FetchServer()  # a new port per test: GDAL's /vsicurl/ cache never mixes two servers
    yield srv
    srv.close()


@pytest.fixture
def env(server: FetchServer, monkeypatch: pytest.MonkeyPatch) -> FetchServer:
    """The CLI aimed at the server through the environment variables."""
    for source, var in ENV.items():
        monkeypatch.setenv(var, server.urls()[source])
    return server


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One OSM fetch of Zhanatas, shared by the tests that only read it."""
    srv = FetchServer()
    out = tmp_path_factory.mktemp("fetch") / "zhanatas"
    fetch(out, ZHANATAS, sources=("osm",), urls=srv.urls(), timeout=10)
    srv.close()
    yield out


def _read(folder: Path, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / f"{layer}.gpkg", engine="pyogrio")


def _record(folder: Path) -> dict:
    return json.loads((folder / "fetch.json").read_text(encoding="utf-8"))


def _consistent(folder: Path) -> None:
    """The record names exactly the layer files present, each with its sha256; no part files."""
    assert not list(folder.glob("*.part*"))
    rec = _record(folder) if (folder / "fetch.json").exists() else {"layers": {}}
    files = {p.name for p in folder.iterdir() if p.suffix in (".gpkg", ".tif")}
    recorded = [r for r in rec["layers"].values() if r["file"] is not None]
    assert files == {r["file"] for r in recorded}
    for r in recorded:
        assert file_sha256(folder / r["file"]) == r["sha256"]


# -- the mapping onto the catalog ----------------------------------------------------------


def test_every_fetched_layer_passes_the_catalogs_checks(fetched: Path, capsys) -> None:
    catalog = Catalog()
    for layer in OSM_LAYERS:
        problems = validate_file(fetched / f"{layer}.gpkg", catalog.spec(layer), catalog)
        assert [p for p in problems if p.severity == "error"] == [], layer
    code, _, err = run_cli(
        ["validate", str(fetched / "enterprises.gpkg"), "--as", "enterprises"], capsys
    )
    assert code == 0, err


def test_the_town_outline_is_the_place_polygon_with_the_catalogs_facts(fetched: Path) -> None:
    tb = _read(fetched, "town_boundaries")
    synthetic = Catalog().read("town_boundaries").set_index("town").loc["Zhanatas"]
    assert list(tb["town"]) == ["Zhanatas"]
    row = tb.iloc[0]
    assert row["population"] == synthetic["population"] and row["name_ru"] == synthetic["name_ru"]
    assert "place=town polygon" in row["basis"]  # not the larger administrative relation
    assert row["data_note"].startswith(DERIVED) and "not OSM" in row["data_note"]
    w, s, e, n = row.geometry.bounds  # the ±0.03° square of the place polygon
    assert e - w == pytest.approx(0.06, abs=1e-6) and n - s == pytest.approx(0.06, abs=1e-6)


def test_without_a_place_polygon_the_admin_relation_osmnx_assembles_is_the_outline(
    server: FetchServer, tmp_path: Path
) -> None:
    server.place = False
    fetch(tmp_path / "zh", ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    row = _read(tmp_path / "zh", "town_boundaries").iloc[0]
    assert re.fullmatch(r"relation/\d+", row["osm_id"]) and "admin_level=8" in row["basis"]
    w, s, e, n = row.geometry.bounds  # the relation's ±0.05° outer way
    assert (e - w, n - s) == pytest.approx((0.1, 0.1), abs=1e-6)


def test_micro_districts_are_the_neighbourhoods_with_the_population_split_by_buildings(
    fetched: Path,
) -> None:
    md = _read(fetched, "micro_districts")
    town_pop = int(_read(fetched, "town_boundaries")["population"].iloc[0])
    assert list(md["name"]) == ["Mkr 1", "Mkr 2"] and list(md["number"]) == [1, 2]
    assert list(md["zone_id"]) == ["zhanatas_1", "zhanatas_2"]
    # two equal buildings in Mkr 1, one in Mkr 2
    assert md["population"].sum() == town_pop
    assert abs(md["population"].iloc[0] - 2 * md["population"].iloc[1]) <= 2
    assert set(md["status"]) == {"existing"}
    assert all("ASSUMED" in n and n.startswith(DERIVED) for n in md["data_note"])


def test_candidate_sources_say_what_was_inferred_and_assumed(fetched: Path) -> None:
    ent = _read(fetched, "enterprises").set_index("kind")
    assert sorted(ent.index) == ["boiler", "mining_heap", "plant"]  # the solar plant left out
    plant, boiler = ent.loc["plant"], ent.loc["boiler"]
    assert plant["height_m"] == 45.0 and "from OSM height=45 m" in plant["data_note"]
    assert plant["name"] == "Works stack" and "inside a works" in plant["kind_rule"]
    assert boiler["height_m"] == 18.0 and "height_m ASSUMED" in boiler["data_note"]
    assert (
        ent.loc["mining_heap", "area_m2"] > 150_000
    )  # the landfill's own footprint (0.008° square)
    for note in ent["data_note"]:
        assert note.startswith(DERIVED) and "CANDIDATE source, not an emission inventory" in note
    assert all(re.fullmatch(r"OSM-[NWR]\d+", s) for s in ent["source_id"])


def test_networks_from_power_lines_and_pipelines(fetched: Path) -> None:
    net = _read(fetched, "utility_networks").set_index("network")
    assert sorted(net.index) == ["heating", "power", "water"]  # the gas pipeline left out
    assert (
        net.loc["power", "material"] == "overhead_line" and net.loc["power", "install_year"] == 1975
    )
    assert net.loc["water", "material"] == "cast_iron" and net.loc["water", "diameter_mm"] == 300
    assert (
        net.loc["heating", "material"] == "steel"
        and "ASSUMED 'steel'" in net.loc["heating", "data_note"]
    )
    assert "wear unknown" in net.loc["heating", "data_note"]
    area = _record(fetched)["area"]["bounds"]
    w, _s, e, _n = net.loc["power"].geometry.bounds  # a 0.12° line clipped to the area
    assert w >= area[0] - 1e-3 and e <= area[2] + 1e-3
    rec = _record(fetched)["layers"]["utility_networks"]
    assert rec["notes"] == [
        "1 pipeline(s) of gas left out (the wear model has no normative life for them)"
    ]


def test_outline_falls_back_to_housing_and_districts_to_residential_land() -> None:
    from geo.fetch import mapping

    p = Point(69.73, 43.56)
    blocks = [Point(69.73 + dx, 43.56).buffer(0.004, cap_style="square") for dx in (-0.004, 0.004)]
    raw = gpd.GeoDataFrame(
        {"element": ["way", "way"], "id": [1, 2], "landuse": ["residential"] * 2, "name": [None, "Block B"]},
        geometry=blocks, crs=4326,
    )  # fmt: skip
    towns = [mapping.TownFacts("Zhanatas", p, "Жаңатас", "Жанатас", 1000, "industrial")]
    tb = mapping.town_boundaries(raw, towns).frame
    assert "union of 2 landuse=residential" in tb["basis"].iloc[0]
    assert tb.geometry.iloc[0].contains(p)
    md = mapping.micro_districts(raw, tb, towns).frame
    assert len(md) == 2 and md["population"].sum() == 1000
    assert (
        "no neighbourhood polygons" in md["data_note"].iloc[0]
        and "by area" in md["data_note"].iloc[0]
    )


# -- the record ----------------------------------------------------------------------------


def test_fetch_json_records_source_licence_date_checksum_and_counts(fetched: Path) -> None:
    rec = _record(fetched)
    assert rec["area"]["towns"] == ["Zhanatas"] and rec["area"]["buffer_m"] == 5000
    assert sorted(rec["layers"]) == list(OSM_LAYERS)
    for layer, r in rec["layers"].items():
        assert (
            r["licence"].startswith("ODbL 1.0")
            and r["attribution"] == "© OpenStreetMap contributors"
        )
        assert r["synthetic"] is False and r["derived"] is True
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["fetched"])
        assert r["sha256"] == file_sha256(fetched / r["file"])
        assert r["features"] == len(_read(fetched, layer))
        assert r["source"].startswith(DERIVED) and "not an inventory" in r["source"]
        assert "man_made=chimney" in r["query"]["tags"]
    assert "m_so2_g_s" in rec["layers"]["enterprises"]["assumed_fields"]
    _consistent(fetched)


def test_the_catalog_reports_the_fetched_provenance_until_the_file_changes(
    fetched: Path, tmp_path: Path
) -> None:
    layers = fetched_layers(fetched)
    assert sorted(layers) == list(OSM_LAYERS)
    prov = Catalog(overrides=layers).provenance("enterprises")
    assert prov["licence"].startswith("ODbL") and prov["synthetic"] is False
    assert prov["source"].startswith(DERIVED) and prov["derived"] is True
    copy = tmp_path / "enterprises.gpkg"  # the same file elsewhere, without its record
    copy.write_bytes((fetched / "enterprises.gpkg").read_bytes())
    assert (
        Catalog(overrides={"enterprises": copy}).provenance("enterprises")["licence"]
        == PROVENANCE["user_licence"]
    )


# -- the cache -----------------------------------------------------------------------------


def test_a_second_fetch_hits_the_cache_and_a_lost_file_comes_from_the_osm_cache(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    first = fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert sorted(first.fetched) == sorted(OSM_LAYERS) and server.hits["/api/interpreter"] == 1
    again = fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert sorted(again.cached) == sorted(OSM_LAYERS) and again.fetched == []
    assert server.hits["/api/interpreter"] == 1
    before = _read(out, "enterprises")
    (out / "enterprises.gpkg").unlink()
    resumed = fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert (
        "enterprises" in resumed.fetched and server.hits["/api/interpreter"] == 1
    )  # osmnx's cache
    assert list(_read(out, "enterprises")["source_id"]) == list(before["source_id"])
    _consistent(out)


def test_the_same_answers_give_the_same_files(server: FetchServer, tmp_path: Path) -> None:
    import time

    fetch(tmp_path / "a", ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    time.sleep(1.1)  # GeoPackages stamp their date to the second: a fixed one is stamped
    fetch(tmp_path / "b", ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    a, b = (_record(tmp_path / n)["layers"] for n in ("a", "b"))
    assert {k: r["sha256"] for k, r in a.items()} == {k: r["sha256"] for k, r in b.items()}


def test_offline_uses_the_cache_only(server: FetchServer, tmp_path: Path, capsys) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    server.close()  # nothing to connect to any more
    report = fetch(out, ZHANATAS, sources=("osm",), offline=True)
    assert sorted(report.cached) == sorted(OSM_LAYERS)
    code, stdout, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(out), "--source", "osm", "--offline"], capsys
    )
    assert code == 0 and stdout.strip() == str(out / "fetch.json")
    assert "osm: in the cache" in err
    code, stdout, err = run_cli(
        [
            "fetch",
            "--town",
            "Zhanatas",
            "--out",
            str(tmp_path / "empty"),
            "--source",
            "osm",
            "--offline",
        ],
        capsys,
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert f"--offline: {tmp_path / 'empty'} holds no fetch" in err and "without --offline" in err
    assert not (tmp_path / "empty").exists()
    assert fetch(out, ZHANATAS, sources=("osm",), offline=True).fetched == []
    # the folder holds the OSM layers but no DEM: --offline refuses the DEM
    with pytest.raises(FetchCacheError, match="has no valid dem \\(source dem\\)"):
        fetch(out, ZHANATAS, sources=("dem",), offline=True)


def test_another_area_into_the_same_folder_is_refused(
    server: FetchServer, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    code, _, err = run_cli(
        ["fetch", "--town", "Karatau", "--out", str(out), "--source", "osm", "--offline"], capsys
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "another area (Zhanatas)" in err and "--overwrite" in err


def test_an_area_osm_holds_nothing_for_is_recorded_empty(
    server: FetchServer, tmp_path: Path
) -> None:
    server.mode = "empty"
    report = fetch(tmp_path / "zh", ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert (
        report.fetched == [] and "town_boundaries: Zhanatas: OSM holds no place" in report.notes[0]
    )
    layers = _record(tmp_path / "zh")["layers"]
    assert {k: (r["file"], r["features"]) for k, r in layers.items()} == dict.fromkeys(
        OSM_LAYERS, (None, 0)
    )
    with pytest.raises(FetchCacheError, match="lists no catalog layer"):
        fetched_layers(tmp_path / "zh")


def test_a_box_without_towns_keeps_its_sources_and_networks(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "steppe"
    box = AreaRequest(bbox=(66.0, 45.0, 66.3, 45.2))  # no town of 10 000 people in it
    report = fetch(out, box, sources=("osm",), urls=server.urls(), timeout=10)
    assert sorted(report.fetched) == ["enterprises", "utility_networks"]
    layers = _record(out)["layers"]
    assert layers["town_boundaries"]["file"] is None and layers["town_boundaries"]["features"] == 0
    ent = _read(out, "enterprises")
    assert set(ent["town"]) == {""} and not ent["name"].str.startswith(":").any()
    assert sorted(fetched_layers(out)) == ["enterprises", "utility_networks"]
    assert sorted(fetch(out, box, sources=("osm",), offline=True).cached) == sorted(OSM_LAYERS)
    _consistent(out)


# -- failures: one line, exit 2, the cache consistent ---------------------------------------


def test_no_internet_is_one_line_naming_offline(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GEO_OVERPASS_URL", "http://127.0.0.1:9/api")  # the discard port: refused
    out = tmp_path / "zh"
    code, stdout, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(out), "--source", "osm"], capsys
    )
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("fetch:")]
    assert code == 2 and stdout == "" and len(lines) == 1, err
    assert lines[0].startswith("error: Overpass API http://127.0.0.1:9/api: cannot connect")
    assert "--offline" in lines[0] and "Traceback" not in err
    _consistent(out)


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("error500", FetchServerError, "HTTP 500"),
        ("garbage", FetchGarbageError, "not JSON (<html><body>Welcome to the captive portal"),
        ("remark", FetchServerError, "runtime error: Query timed out"),
        ("broken", FetchConnectionError, "the connection failed"),
        ("hang", FetchConnectionError, "no answer within 1 s"),
    ],
)
def test_a_failing_overpass_server_leaves_nothing_half_written(
    server: FetchServer, tmp_path: Path, mode: str, error: type, words: str
) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    kept = {p.name: file_sha256(p) for p in out.glob("*.gpkg")}
    (out / "enterprises.gpkg").unlink()
    for p in (out / "osm-cache").glob("*.json"):
        p.unlink()
    server.mode = mode
    server.hang_s = 2.5
    with pytest.raises(error) as exc:
        fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=1)
    message = str(exc.value)
    assert "\n" not in message and words in message, message
    assert message.startswith(f"Overpass API {server.url}/api")
    _consistent(out)  # the three layers still there and recorded; enterprises neither
    assert sorted(_record(out)["layers"]) == [
        "micro_districts",
        "town_boundaries",
        "utility_networks",
    ]
    assert {p.name: file_sha256(p) for p in out.glob("*.gpkg")} == {
        k: v for k, v in kept.items() if k != "enterprises.gpkg"
    }
    assert not list((out / "osm-cache").glob("*.json"))  # no failed answer cached


def test_a_broken_cached_answer_is_dropped_and_asked_again(
    server: FetchServer, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    (cached,) = (out / "osm-cache").glob("*.json")
    cached.write_text('{"elements": [', encoding="utf-8")  # a write broken off
    (out / "town_boundaries.gpkg").unlink()
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert server.hits["/api/interpreter"] == 2
    assert json.loads(cached.read_text(encoding="utf-8"))["elements"]
    _consistent(out)


def test_a_folder_another_fetch_holds_is_refused_and_a_dead_ones_lock_taken_over(
    server: FetchServer, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "zh"
    out.mkdir()
    (out / ".fetch.lock").write_text(str(os.getpid()), encoding="utf-8")  # a live process
    with pytest.raises(
        FetchCacheError, match=rf"another fetch \(process {os.getpid()}\) is writing it"
    ):
        fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert server.hits["/api/interpreter"] == 0
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (out / ".fetch.lock").write_text(dead.stdout.strip(), encoding="utf-8")
    fetch(out, ZHANATAS, sources=("osm",), urls=server.urls(), timeout=10)
    assert not (out / ".fetch.lock").exists()
    _consistent(out)


def test_a_folder_that_cannot_be_made_is_one_line(
    server: FetchServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GEO_OVERPASS_URL", server.urls()["osm"])
    code, stdout, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(blocker / "zh"), "--source", "osm"], capsys
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
    assert f"--out {blocker / 'zh'}: cannot write (Not a directory)" in err
    code, _, err = run_cli(
        ["fetch", "--town", "Zhanatas", "--out", str(blocker), "--source", "osm"], capsys
    )
    assert code == 2 and "is a file" in err  # click refuses it first
    assert server.hits["/api/interpreter"] == 0


def test_an_area_too_large_for_overpass_is_refused_with_the_limit(
    env: FetchServer, tmp_path: Path, capsys
) -> None:
    code, stdout, err = run_cli(
        ["fetch", "--bbox", "69,43,70.5,44", "--out", str(tmp_path / "big"), "--source", "osm"],
        capsys,
    )
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "more than the 2,500 km² one Overpass query may cover" in err
    assert env.hits["/api/interpreter"] == 0 and not (tmp_path / "big").exists()
    with pytest.raises(FetchTooLargeError):
        fetch(
            tmp_path / "big",
            AreaRequest(bbox=(69, 43, 70.5, 44)),
            sources=("osm",),
            urls=env.urls(),
        )


# -- building on the fetched layers ---------------------------------------------------------


def test_build_data_dir_uses_the_fetched_layers_end_to_end(
    env: FetchServer, tmp_path: Path, capsys
) -> None:
    data = tmp_path / "data"
    code, stdout, err = run_cli(
        ["fetch", "--out", str(data), "--source", "osm", "--timeout", "10"], capsys
    )
    assert code == 0, err
    assert stdout.strip() == str(data / "fetch.json")
    for town in ("Zhanatas", "Karatau", "Shu"):  # one query per study town, named on stderr
        assert f"fetch: osm: {town}: asking Overpass" in err
    assert env.hits["/api/interpreter"] == 3
    out = tmp_path / "atlas"
    code, stdout, err = run_cli(["build", "--out", str(out), "--data", str(data), "-q"], capsys)
    assert code == 0, err
    assert stdout.strip() == str(out / "index.html")
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for layer in OSM_LAYERS:
        rec = m["layers"][layer]
        assert rec["overridden_by_user"] is True and rec["licence"].startswith("ODbL 1.0")
        assert rec["source"].startswith(DERIVED) and rec["synthetic"] is False
    wear = gpd.read_file(out / "atlas.gpkg", layer="network_wear", engine="pyogrio")
    assert (
        set(wear["town"]) <= {"Zhanatas", "Karatau", "Shu"}
        and wear["segment_id"].str.startswith("OSM-W").all()
    )
    tb = gpd.read_file(out / "atlas.gpkg", layer="town_boundaries", engine="pyogrio")
    assert sorted(tb["town"]) == ["Karatau", "Shu", "Zhanatas"]


def test_data_dir_refusals_are_one_line(fetched: Path, tmp_path: Path, capsys) -> None:
    cases = [
        (tmp_path / "nowhere", "no such folder"),
        (tmp_path, "holds no fetch.json"),
    ]
    edited = tmp_path / "edited"
    edited.mkdir()
    for p in fetched.glob("*.gpkg"):
        (edited / p.name).write_bytes(p.read_bytes())
    (edited / "fetch.json").write_text(
        (fetched / "fetch.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with (edited / "enterprises.gpkg").open("ab") as f:
        f.write(b"\0")
    cases.append((edited, "enterprises.gpkg of layer 'enterprises' changed since it was fetched"))
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "fetch.json").write_text("{not json", encoding="utf-8")
    cases.append((garbage, "fetch.json: not a readable fetch record"))
    for folder, words in cases:
        code, stdout, err = run_cli(
            ["build", "--out", str(tmp_path / "o"), "--data", str(folder)], capsys
        )
        assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
        assert words in err
    with pytest.raises(FetchCacheError):
        fetched_layers(tmp_path / "nowhere")


def test_a_town_of_more_than_99_housing_areas_keeps_the_99_largest() -> None:
    from geo.fetch import mapping

    p = Point(69.73, 43.56)
    cells = [(i, j) for i in range(11) for j in range(10)]  # 110 blocks, the last 11 smaller
    blocks = [
        Point(69.70 + i * 0.006, 43.53 + j * 0.006).buffer(
            0.0025 if k < 99 else 0.001, cap_style="square"
        )
        for k, (i, j) in enumerate(cells)
    ]
    raw = gpd.GeoDataFrame(
        {"element": ["way"] * len(blocks), "id": range(1, len(blocks) + 1), "landuse": ["residential"] * len(blocks)},
        geometry=blocks, crs=4326,
    )  # fmt: skip
    town = gpd.GeoDataFrame(
        {"town": ["Zhanatas"], "population": [10_000]}, geometry=[p.buffer(0.2)], crs=4326
    )
    towns = [mapping.TownFacts("Zhanatas", p, "Жаңатас", "Жанатас", 10_000, "industrial")]
    layer = mapping.micro_districts(raw, town, towns)
    md = layer.frame
    assert len(md) == 99 and sorted(md["number"]) == list(range(1, 100))
    assert set(md["osm_id"]) == {f"way/{k}" for k in range(1, 100)}  # the 11 small ones left out
    assert md["population"].sum() == 10_000 and "99 largest" in layer.notes[0]


def test_without_a_place_polygon_the_towns_administrative_boundary_is_its_outline() -> None:
    from geo.fetch import mapping

    p = Point(69.73, 43.56)
    raw = gpd.GeoDataFrame(
        {"element": ["relation", "relation", "way"], "id": [8, 6, 3],
         "admin_level": ["8", "8", None], "boundary": ["administrative"] * 2 + [None],
         "landuse": [None, None, "residential"]},
        geometry=[p.buffer(0.05), p.buffer(0.5), p.buffer(0.01)], crs=4326,
    )  # fmt: skip
    towns = [mapping.TownFacts("Zhanatas", p, "Жаңатас", "Жанатас", 1000, "industrial")]
    row = mapping.town_boundaries(raw, towns).frame.iloc[0]
    assert row["osm_id"] == "relation/8" and "administrative boundary admin_level=8" in row["basis"]
