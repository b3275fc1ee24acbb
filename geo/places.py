"""The towns and villages of the catalog's ``towns`` layer, and finding one by name.

Every place of the layer (GeoNames: every town and village of Kazakhstan in
``cities500``, and the Kyrgyz places of the basin window) becomes a
:class:`Place` with its English, Kazakh and Russian names and, for the towns
the study names, its small-town type. :func:`find_place` turns what a user
typed (a name in any of the three languages, any GeoNames alternate name, or a
bare GeoNames id) into one place, or refuses in one line with the candidates
or the nearest names.

>>> from geo.catalog import Catalog
>>> cat = Catalog()
>>> zh = find_place(cat, "жаңатас")
>>> zh.geonameid, zh.name, zh.label("kk"), zh.label("ru"), zh.study_type
(1516788, 'Zhangatas', 'Жаңатас', 'Жанатас', 'industrial')
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.errors import AtlasError, DataError, InputError

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["Place", "find_place", "places"]


@dataclass(frozen=True)
class Place:
    """A town or village of the ``towns`` layer.

    Attributes
    ----------
    geonameid : int
        GeoNames id.
    name : str
        GeoNames name (a Latin transliteration).
    name_kk, name_ru : str
        Kazakh and Russian names (OpenStreetMap's tags where the place is matched
        there, else from the GeoNames alternate names); "" where not known.
    lon, lat : float
        WGS 84 degrees.
    population : int
        GeoNames population (of varying date; 0 where GeoNames has none).
    countrycode, admin1code : str
        GeoNames country and first-level administrative codes ("KZ", "17" for Zhambyl).
    study_type : str
        The study's small-town type ("industrial" ...); "" for towns the study does not name.
    alternatenames : tuple of str
        Every GeoNames alternate name.
    name_en : str
        The English name: the study's spelling for its towns (Zhanatas, not
        GeoNames' Zhangatas), else :attr:`name`; "" falls back to :attr:`name`.

    Examples
    --------
    >>> p = Place(1519030, "Shu", "", "", 73.76221, 43.60507, 39785, "KZ", "17", "")
    >>> p.label("kk"), p.label("en")
    ('Shu', 'Shu')
    """

    geonameid: int
    name: str
    name_kk: str
    name_ru: str
    lon: float
    lat: float
    population: int
    countrycode: str
    admin1code: str
    study_type: str
    alternatenames: tuple[str, ...] = field(default=(), repr=False)
    name_en: str = ""

    def label(self, lang: str) -> str:
        """The name in *lang* (``kk``, ``ru``, ``en``), falling back to :attr:`name`.

        Examples
        --------
        >>> Place(1, "Zhangatas", "Жаңатас", "Жанатас", 0.0, 0.0, 0, "KZ", "17", "").label("ru")
        'Жанатас'
        """
        local = {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}.get(lang, "")
        return local or self.name

    def names(self) -> tuple[str, ...]:
        """Every name of the place: GeoNames name, Kazakh, Russian and alternate names.

        Examples
        --------
        >>> Place(1, "Shu", "", "Шу", 0.0, 0.0, 0, "KZ", "17", "", ("Chu",)).names()
        ('Shu', 'Шу', 'Chu')
        """
        found = (self.name, self.name_en, self.name_kk, self.name_ru, *self.alternatenames)
        return tuple(dict.fromkeys(n for n in found if n))


def _text(row: Any, column: str) -> str:
    value = row.get(column, "")
    return "" if value is None or pd.isna(value) else str(value)


def _number(row: Any, column: str) -> int:
    value = pd.to_numeric(row.get(column, 0), errors="coerce")
    return 0 if pd.isna(value) else int(value)


def _place(row: Any) -> Place:
    point = row.geometry
    if point.geom_type != "Point":
        point = point.representative_point()
    alternates = tuple(a for a in _text(row, "alternatenames").split("|") if a)
    return Place(
        geonameid=_number(row, "geonameid"),
        name=_text(row, "name"),
        name_kk=_text(row, "name_kk"),
        name_ru=_text(row, "name_ru"),
        lon=float(point.x),
        lat=float(point.y),
        population=_number(row, "population"),
        countrycode=_text(row, "countrycode"),
        admin1code=_text(row, "admin1code"),
        study_type=_text(row, "study_type"),
        alternatenames=alternates,
        name_en=_text(row, "name_en"),
    )


def places(catalog: Catalog) -> tuple[Place, ...]:
    """Every place of the catalog's ``towns`` layer, sorted by GeoNames id.

    Raises
    ------
    DataError
        The layer (a user's replacement) has no ``geonameid`` field.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> found = places(Catalog())
    >>> sum(p.countrycode == "KZ" for p in found) >= 351, found[0].geonameid < found[-1].geonameid
    (True, True)
    """
    towns = catalog.read("towns")
    if "geonameid" not in towns.columns:
        msg = (
            "layer 'towns' has no 'geonameid' field, so its places cannot be named by GeoNames "
            "id; add the field or use the embedded layer (drop --layer towns=...)"
        )
        raise DataError(msg)
    found = [_place(row) for _, row in towns.iterrows()]
    return tuple(sorted(found, key=lambda p: p.geonameid))


def _study_names(catalog: Catalog, key: str) -> set[str]:
    """GeoNames names of the study towns (``layers/tables/towns.csv``) that *key* spells."""
    table = catalog.read("study_towns")
    found = set()
    for geonames_name, spellings in zip(table["geonames_name"], table["spellings"], strict=True):
        spelled = {s.strip().casefold() for s in str(spellings).split(";")}
        if key in spelled | {str(geonames_name).casefold()}:
            found.add(str(geonames_name).casefold())
    return found


def _district(catalog: Catalog, place: Place) -> str:
    """The district of the ``districts`` layer holding *place*, or "" (outside, or no layer)."""
    from shapely.geometry import Point

    try:
        districts = catalog.read("districts")
    except AtlasError:
        return ""
    point = Point(place.lon, place.lat)
    hit = districts[districts.geometry.covers(point)]
    return str(hit["district"].iloc[0]) if len(hit) and "district" in hit else ""


def _describe(catalog: Catalog, place: Place) -> str:
    district = _district(catalog, place)
    where = f", {district} district" if district else ""
    return (
        f"{place.geonameid} {place.name} ({place.countrycode}, population {place.population}, "
        f"{place.lon:.4f} E {place.lat:.4f} N{where})"
    )


def _unknown(everything: tuple[Place, ...], name: str) -> InputError:
    spelled: dict[str, Place] = {}
    for p in everything:
        for n in p.names():
            spelled.setdefault(n.casefold(), p)
    close = difflib.get_close_matches(name.strip().casefold(), list(spelled), n=25, cutoff=0.6)
    nearest_by_place: dict[int, str] = {}  # the closest name of each place, closest first
    for c in close:
        shown = next(n for n in spelled[c].names() if n.casefold() == c)
        nearest_by_place.setdefault(spelled[c].geonameid, shown)
    hints = ", ".join(f"{n} ({gid})" for gid, n in list(nearest_by_place.items())[:5])
    nearest = f"nearest names: {hints}" if hints else "no name is close"
    return InputError(
        f"no town or village named {name!r} in layer 'towns'; {nearest}; `geo towns` lists them"
    )


def find_place(catalog: Catalog, name: str) -> Place:
    """The place of the ``towns`` layer that *name* names.

    *name* matches, ignoring case, the GeoNames name, the Kazakh and Russian
    names and every alternate name; a bare number is a GeoNames id. Where
    places of several ids match, the study town among them (``layers/tables/towns.csv``)
    wins; otherwise the name is refused.

    Raises
    ------
    InputError
        Unknown name (with up to five nearest names) or an ambiguous one (with
        every candidate's id, population, coordinates and district), one line.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> cat = Catalog()
    >>> find_place(cat, "1519938").name, find_place(cat, "SHU").geonameid
    ('Karatau', 1519030)
    >>> find_place(cat, "Zhanatass")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.InputError: no town or village named 'Zhanatass' in layer 'towns'; nearest names: Zhanatas (1516788), ...
    """
    everything = places(catalog)
    key = name.strip().casefold()
    if key.isdigit():
        by_id = [p for p in everything if p.geonameid == int(key)]
        if by_id:
            return by_id[0]
        msg = f"no place with GeoNames id {key} in layer 'towns'; `geo towns` lists the ids"
        raise InputError(msg)
    matches = [p for p in everything if key in {n.casefold() for n in p.names()}]
    if not matches:
        raise _unknown(everything, name)
    if len(matches) == 1:
        return matches[0]
    study = _study_names(catalog, key)
    preferred = [p for p in matches if p.name.casefold() in study]
    if len(preferred) == 1:
        return preferred[0]
    listed = "; ".join(_describe(catalog, p) for p in matches)
    msg = (
        f"{name!r} names {len(matches)} places of layer 'towns': {listed}; give the GeoNames id, "
        f"e.g. --town {matches[0].geonameid}"
    )
    raise InputError(msg)
