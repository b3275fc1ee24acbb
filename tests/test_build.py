"""`geo build` end to end on the embedded data, on real files, and when it fails."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from geo.build import build_atlas
from geo.cli import main
from geo.manifest import sha256_of

THEME_FILES = (
    "land_suitability.html",
    "pollution.html",
    "infrastructure_wear.html",
    "sustainability.html",
)


@pytest.fixture(scope="session")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "atlas"
    build_atlas(out)
    return out


def test_build_writes_the_whole_folder(atlas: Path) -> None:
    assert (atlas / "atlas.gpkg").stat().st_size > 100_000
    for name in THEME_FILES:
        assert (atlas / name).stat().st_size > 10_000, name
    tifs = sorted(p.name for p in (atlas / "rasters").glob("*.tif"))
    assert (
        "hillshade.tif" in tifs
        and "suitability_score.tif" in tifs
        and "pollution_index.tif" in tifs
    )
    index = (atlas / "index.html").read_text(encoding="utf-8")
    for name in THEME_FILES:
        assert f'href="{name}"' in index
    assert not [
        p for p in atlas.parent.iterdir() if p.name.startswith(".atlas")
    ]  # no temp folder left


def test_manifest_lists_every_output_with_checksum_layers_and_versions(atlas: Path) -> None:
    m = json.loads((atlas / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(atlas).as_posix() for p in atlas.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    assert {o["path"] for o in m["outputs"]} == files
    for o in m["outputs"]:
        assert o["sha256"] == sha256_of(atlas / o["path"])
    assert m["layers"]["dem"]["synthetic"] is False and "GEBCO" in m["layers"]["dem"]["source"]
    assert m["layers"]["micro_districts"]["synthetic"] is True
    assert set(m["themes"]) >= {
        "land_suitability",
        "pollution",
        "infrastructure_wear",
        "sustainability",
    }
    for theme in m["themes"].values():
        assert theme["parameters"] and theme["inputs"]
    assert {"geopandas", "rasterio", "shapely", "pyproj", "GDAL (rasterio)"} <= set(m["software"])


def test_every_layer_is_in_the_geopackage(atlas: Path) -> None:
    with sqlite3.connect(atlas / "atlas.gpkg") as db:
        tables = {r[0] for r in db.execute("select table_name from gpkg_contents")}
    for name in (
        "rivers",
        "towns",
        "micro_districts",
        "enterprises",
        "sanitary_zones",
        "network_wear",
        "suitability_by_zone",
        "sustainability_index",
    ):
        assert name in tables, name


def test_two_builds_give_identical_outputs(atlas: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_atlas(again)
    a = {
        o["path"]: o["sha256"] for o in json.loads((atlas / "manifest.json").read_text())["outputs"]
    }
    b = {
        o["path"]: o["sha256"] for o in json.loads((again / "manifest.json").read_text())["outputs"]
    }
    assert a.keys() == b.keys()
    differ = sorted(k for k in a if a[k] != b[k])
    assert differ == [], f"outputs differ between identical builds: {differ}"


def test_failed_build_leaves_the_good_folder_in_place(atlas: Path, tmp_path: Path, capsys) -> None:
    good = tmp_path / "atlas"
    shutil.copytree(atlas, good)
    before = (good / "manifest.json").read_bytes()
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(SystemExit) as exc:
        main(["build", "--out", str(good), "--overwrite", "--layer", f"rivers={bad}"])
    assert exc.value.code == 2
    assert (good / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas", "bad.geojson"]


def test_build_with_real_boundaries_and_rivers(fetched: Path, tmp_path: Path) -> None:
    out = tmp_path / "real"
    build_atlas(
        out,
        overrides={
            "districts": fetched / "admin_zhambyl_districts.geojson",
            "oblast": fetched / "admin_zhambyl_oblast.geojson",
            "basin": fetched / "basin_shu_talas_wmb.geojson",
            "rivers": fetched / "rivers_wmo_network_aidos2.geojson",
            "towns": fetched / "places_osm_hot.geojson",
        },
        lang="ru",
    )
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["layers"]["districts"]["overridden_by_user"] is True
    assert "admin_zhambyl_districts" in m["layers"]["districts"]["source"]
    import geopandas as gpd

    d = gpd.read_file(out / "atlas.gpkg", layer="districts")
    assert len(d) == 11 and "Sarysu" in set(d["district"])
    html = (out / "sustainability.html").read_text(encoding="utf-8")
    assert "Сарысу" in html or "Sarysu" in html


def test_outputs_do_not_depend_on_the_folder_of_the_clone(atlas: Path) -> None:
    """Shipped recipes and tables are recorded by their place in the repository, never absolutely."""
    repo = str(Path(__file__).resolve().parent.parent)
    manifest = (atlas / "manifest.json").read_text(encoding="utf-8")
    assert repo not in manifest
    assert '"recipe": "maps/sustainability.toml"' in manifest
    assert '"path": "layers/tables/normative_life.csv"' in manifest
    with sqlite3.connect(atlas / "atlas.gpkg") as db:
        texts = [str(v) for (v,) in db.execute("SELECT metadata FROM gpkg_metadata")]
    assert texts and not any(repo in t for t in texts)


def test_the_pages_stay_within_their_size_budget(atlas: Path) -> None:
    """Planners open the maps on phones: all HTML of the default atlas under 10 MB, each page under 3 MB."""
    pages = {p.name: p.stat().st_size for p in atlas.glob("*.html")}
    assert sum(pages.values()) < 10_000_000, pages
    assert max(pages.values()) < 3_000_000, pages


@pytest.mark.parametrize(("scheduler", "threads"), [("synchronous", "1"), ("threads", None)])
def test_the_writers_compress_on_the_executions_local_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheduler: str, threads: str | None
) -> None:
    """The build runs its writers inside compression_threads(Execution.local_threads())."""
    import os

    import rasterio

    import geo.writers.registry as registry

    seen: list[str | None] = []

    class Recording:
        name = "recording"

        def write(self, results, base, folder, lang, languages=()):  # type: ignore[no-untyped-def]
            seen.append(rasterio.env.getenv().get("GDAL_NUM_THREADS"))
            path = folder / "seen.txt"
            path.write_text(str(seen[-1]), encoding="utf-8")
            return [path]

    monkeypatch.setattr(registry, "WRITERS", (Recording(),))
    from geo.build import build_theme

    recipe = Path(__file__).resolve().parent.parent / "maps" / "sustainability.toml"
    build_theme(recipe, tmp_path / "out", scheduler=scheduler)
    assert seen == [threads or str(os.cpu_count())]
    assert (tmp_path / "out" / "seen.txt").read_text(encoding="utf-8") == seen[0]
