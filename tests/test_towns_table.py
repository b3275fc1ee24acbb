"""One towns table: every synthetic generator reads its towns from layers/tables/towns.csv."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.catalog import Catalog, default_layers_dir
from geo.synthetic.table import study_towns

GENERATED = ("town_boundaries", "micro_districts", "enterprises", "utility_networks", "soils")


def _layers_copy(tmp_path: Path, edit=None) -> Path:
    folder = tmp_path / "layers"
    shutil.copytree(default_layers_dir(), folder, ignore=shutil.ignore_patterns("scripts"))
    if edit is not None:
        table = pd.read_csv(folder / "tables" / "towns.csv", dtype=str, keep_default_na=False)
        edit(table)
        table.to_csv(folder / "tables" / "towns.csv", index=False)
    return folder


def _by_town(gdf: gpd.GeoDataFrame, town: str) -> pd.DataFrame:
    part = gdf[gdf["town"] == town].drop(columns="geometry")
    return part.assign(wkb=gdf.loc[part.index].geometry.to_wkb()).reset_index(drop=True)


def test_the_table_holds_the_study_towns_with_their_facts():
    towns = study_towns(Catalog())
    assert list(towns) == ["Zhanatas", "Karatau", "Shu"]
    zh = towns["Zhanatas"]
    assert zh.name_kk == "Жаңатас" and zh.geonames_name == "Zhangatas"
    assert {n for n, s in zh.micro_district_status.items() if s == "destroyed"} == {7, 8, 9}
    assert towns["Shu"].micro_district_status == {}
    seeds = [
        (t.outline_seed, t.enterprise_seed, t.network_seed, t.soil_seed) for t in towns.values()
    ]
    assert len({s for row in seeds for s in row}) == 12  # every generator, every town: its own seed


def test_a_parameter_of_one_town_changes_that_town_alone(tmp_path):
    def more_boilers_in_karatau(t):
        t.loc[t["town"] == "Karatau", "boilers"] = "9"
        t.loc[t["town"] == "Karatau", "replaced_share"] = "0.5"

    base = Catalog()
    changed = Catalog(_layers_copy(tmp_path, more_boilers_in_karatau))
    ent_a, ent_b = base.read("enterprises"), changed.read("enterprises")
    boilers = lambda g: int(((g["town"] == "Karatau") & (g["kind"] == "boiler")).sum())  # noqa: E731
    assert (boilers(ent_a), boilers(ent_b)) == (6, 9)
    net_a, net_b = base.read("utility_networks"), changed.read("utility_networks")
    assert not _by_town(net_a, "Karatau").equals(_by_town(net_b, "Karatau"))
    for town in ("Zhanatas", "Shu"):
        for layer in GENERATED:
            pd.testing.assert_frame_equal(
                _by_town(base.read(layer), town), _by_town(changed.read(layer), town)
            )


def test_reordering_the_table_changes_no_town(tmp_path):
    def reverse(t):
        t.iloc[:] = t.iloc[::-1].to_numpy()

    base, reordered = Catalog(), Catalog(_layers_copy(tmp_path, reverse))
    for layer in GENERATED:
        for town in ("Zhanatas", "Karatau", "Shu"):
            pd.testing.assert_frame_equal(
                _by_town(base.read(layer), town), _by_town(reordered.read(layer), town)
            )


def _four_towns(tmp_path: Path) -> Path:
    """The three synthetic outlines plus Taraz, as a user's file (no utm_epsg field)."""
    b = Catalog().read("town_boundaries")[
        ["town", "name_kk", "name_ru", "population", "town_type", "geometry"]
    ]
    taraz = gpd.GeoDataFrame(
        {"town": ["Taraz"], "name_kk": ["Тараз"], "name_ru": ["Тараз"], "population": [358_000],
         "town_type": ["oblast centre"]},
        geometry=[Point(71.37, 42.90).buffer(0.06)], crs=4326,
    )  # fmt: skip
    path = tmp_path / "four_towns.gpkg"
    pd.concat([b, taraz], ignore_index=True).pipe(gpd.GeoDataFrame, crs=4326).to_file(path)
    return path


def test_a_fourth_town_gets_micro_districts_and_no_invented_inventory(tmp_path):
    cat = Catalog(overrides={"town_boundaries": _four_towns(tmp_path)})
    mds = cat.read("micro_districts")
    taraz = mds[mds["town"] == "Taraz"]
    assert len(taraz) == 9 and set(taraz["status"]) == {"existing"}
    assert set(taraz["status_source"]) == {"assumed existing"}
    assert taraz["population"].sum() == pytest.approx(358_000, abs=9)
    assert "Taraz" not in set(cat.read("utility_networks")["town"])  # no profile in the table


@pytest.mark.slow
def test_a_fourth_town_builds_the_atlas_without_a_traceback(tmp_path):
    path = _four_towns(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "geo.cli", "map", "infrastructure_wear", "--out", str(tmp_path / "o"),
         "--layer", f"town_boundaries={path}", "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Traceback" not in r.stderr
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o" / "infrastructure_wear.html").is_file()
