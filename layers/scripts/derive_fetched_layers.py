"""Re-create the real boundary, water and place layers in ``layers/data/`` from ``shared/data/fetched``.

Run once by a maintainer when a source changes; the build never runs it. The
inputs are copies of files in public repositories (``PROVENANCE.md`` of that
folder gives repository, commit and file of each); geometries are carried
unchanged (EPSG:4326, 6 decimals as staged), only the attributes are renamed
to the catalog's schema and the names completed as stated below.

``oblast.geojson``
    Zhambyl oblast, 2024 division: geokz 1.0.2 (A. Rodionov; CC BY 4.0, based
    on OCHA/HDX COD-AB Kazakhstan). ``name`` / ``name_kk`` / ``name_ru``: the
    source's ADM1 names with the word for oblast (``Zhambyl`` → "Zhambyl
    oblast", "Жамбыл облысы", "Жамбылская область").
``districts.geojson``
    Its 10 districts and the city of Taraz, same source. ``district`` is the
    source's ``ADM2_EN`` (the key the study's tables use: Sarysu, Talas,
    Moiynkum ...); ``name_kk`` / ``name_ru`` the source's names; ``name_en``,
    and the labels ``label`` / ``label_kk`` / ``label_ru``, the name with the
    word for district (or city), so a Russian map reads "Сарысуский район",
    not the bare adjective. ``kato``, ``pcode``, ``year`` and ``area_km2`` as
    in the source.
``basin.geojson``
    The Shu-Talas water-management basin of Kazakhstan (repository
    aidos2/WaterHydro-Kazakhstan-Portal, MIT); names in three languages added
    here.
``lakes.geojson``
    The five lakes of the staged window (same repository, MIT geometry); the
    names of three are OpenStreetMap's (ODbL, ``osm_id``) as staged, ``name_en``
    the project's transliteration of them (:data:`LAKE_NAMES_EN`); two lakes
    are unnamed.
``places_osm.geojson``
    The 297 cities, towns and villages of OpenStreetMap in the staged window
    (HOT export on HDX; ODbL 1.0, © OpenStreetMap contributors), fields
    renamed (``name:kk`` → ``name_kk`` ...). The source of Kazakh and Russian
    place names for labels (``derive_places.py`` reads it).

Usage::

    python layers/scripts/derive_fetched_layers.py [--fetched DIR] [--out DIR]

Prints the sha256 of every file it wrote.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
FETCHED = HERE.parents[2] / "shared" / "data" / "fetched"

Props = Mapping[str, Any]

RU_DISTRICT = {"Турар Рыскулов": "район Турара Рыскулова"}
"""Russian district labels that are not "<adjective> район" (a district named after a person)."""

LAKE_NAMES_EN = {
    "way/464319766": "Itishpes (Alakol)",
    "way/24970926": "Bilikol",
    "way/38857985": "Tasotkel reservoir",
}
"""English forms of the OpenStreetMap lake names (the project's transliteration, not an official name)."""


def _district(p: Props) -> dict[str, Any]:
    en, kk, ru = str(p["ADM2_EN"]), str(p["ADM2_KK"]), str(p["ADM2_RU"])
    city = str(p["KATO"])[2:4] == "10"  # KATO AB 10 ...: a city of oblast significance
    if city:
        label = (f"{en} city", f"{kk} қаласы", f"город {ru}")
    else:
        label = (f"{en} district", f"{kk} ауданы", RU_DISTRICT.get(ru, f"{ru} район"))
    return {
        "district": en,
        "name_en": en,
        "name_kk": kk,
        "name_ru": ru,
        "label": label[0],
        "label_kk": label[1],
        "label_ru": label[2],
        "kato": str(p["KATO"]),
        "pcode": str(p["ADM2_PCODE"]),
        "year": int(p["Year"]),
        "area_km2": float(p["area_km2"]),
    }


def _oblast(p: Props) -> dict[str, Any]:
    return {
        "name": f"{p['ADM1_EN']} oblast",
        "name_kk": f"{p['ADM1_KK']} облысы",
        "name_ru": f"{p['ADM1_RU']} область",
        "kato": str(p["KATO"]),
        "pcode": str(p["ADM1_PCODE"]),
        "iso_3166_2": str(p["ISO_3166_2"]),
        "year": int(p["Year"]),
        "area_km2": float(p["area_km2"]),
    }


def _basin(p: Props) -> dict[str, Any]:
    if p["BASIN_NAME"] != "Shu-Talas":
        raise SystemExit(f"expected the Shu-Talas basin, found {p['BASIN_NAME']!r}")
    return {
        "name": "Shu-Talas water-management basin",
        "name_kk": "Шу-Талас су шаруашылығы алабы",
        "name_ru": "Шу-Таласский водохозяйственный бассейн",
        "basin_id": str(p["BASIN_ID"]),
        "area_km2": float(p["area_km2"]),
    }


def _lake(p: Props) -> dict[str, Any]:
    osm = p.get("name_source_osm")
    return {
        "name": p.get("name"),
        "name_kk": p.get("name"),
        "name_ru": p.get("name_ru"),
        "name_en": LAKE_NAMES_EN.get(str(osm)) if osm else None,
        "osm_id": osm,
        "area_km2": float(p["area_km2"]),
    }


def _place(p: Props) -> dict[str, Any]:
    pop = p.get("population")
    return {
        "osm_id": f"node/{int(p['osm_id'])}",
        "name": p.get("name"),
        "name_en": p.get("name:en"),
        "name_kk": p.get("name:kk"),
        "name_ru": p.get("name:ru"),
        "place": str(p["place"]),
        "population": None if pop is None else int(pop),
    }


LAYERS: dict[str, tuple[str, Callable[[Props], dict[str, Any]]]] = {
    "oblast.geojson": ("admin_zhambyl_oblast.geojson", _oblast),
    "districts.geojson": ("admin_zhambyl_districts.geojson", _district),
    "basin.geojson": ("basin_shu_talas_wmb.geojson", _basin),
    "lakes.geojson": ("lakes_aidos2.geojson", _lake),
    "places_osm.geojson": ("places_osm_hot.geojson", _place),
}
"""Output file → (staged file, attribute mapping)."""


def derive(source: Mapping[str, Any], convert: Callable[[Props], dict[str, Any]], name: str) -> str:
    """The text of one output file: the source's geometries with the converted attributes."""
    features = []
    for f in source["features"]:
        props = {k: (None if v == "" else v) for k, v in convert(f["properties"]).items()}
        features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = f'{{\n"type": "FeatureCollection",\n"name": "{name}",\n"features": [\n'
    return head + ",\n".join(lines) + "\n]\n}\n"


def derive_all(fetched: Path) -> dict[str, bytes]:
    """Output file name → bytes, from the staged folder *fetched*."""
    out = {}
    for dst, (src, convert) in LAYERS.items():
        source = json.loads((fetched / src).read_text(encoding="utf-8"))
        out[dst] = derive(source, convert, dst.removesuffix(".geojson")).encode("utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--fetched", type=Path, default=FETCHED)
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args()
    for name, data in derive_all(args.fetched).items():
        (args.out / name).write_bytes(data)
        print(name, hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    main()
