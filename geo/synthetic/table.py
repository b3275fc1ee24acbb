"""The towns table: every fact about a study town in one place.

``layers/tables/towns.csv`` (catalog layer ``study_towns``) holds, for each
town the study names, its id, spellings, Kazakh and Russian names, type from
the study, and every parameter the synthetic generators need — outline
azimuth, codes, counts, install-year profile, micro-district statuses and the
random seed of each generator. Every generator reads it through
:func:`study_towns`; seeds come from a town's own row, so adding a town never
changes another town's features.

Any other town of the ``towns`` layer (GeoNames) that a study area takes in
(:meth:`geo.catalog.Catalog.include_towns`) gets a row made by
:func:`place_town`: its names, population and study type from the layer, the
generator parameters of ``layers/tables/town_defaults.csv`` (catalog layer
``town_defaults``, each value an assumption with its note) and seeds derived
from its GeoNames id alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.errors import DataError

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["StudyTown", "place_town", "study_towns"]


@dataclass(frozen=True)
class StudyTown:
    """One row of the towns table (see ``layers/tables/towns.csv`` for the columns)."""

    town: str
    id: str
    geonameid: int
    geonames_name: str
    spellings: frozenset[str]
    name_kk: str
    name_ru: str
    town_type: str
    outline_azimuth_deg: float
    outline_seed: int
    enterprise_code: str
    boilers: int
    enterprise_seed: int
    network_code: str
    network_seed: int
    install_year: tuple[float, float, float, float]
    """Mean, spread, minimum and maximum of the original install years."""
    replaced_share: float
    inspected_share: float
    segments_without_year: int
    soil_seed: int
    micro_district_status: Mapping[int, str]
    micro_district_status_source: str

    @classmethod
    def from_row(cls, row: pd.Series) -> StudyTown:
        """A town from its table row."""
        statuses = {}
        for part in str(row["micro_district_status"] or "").split(";"):
            if part.strip():
                number, _, status = part.partition(":")
                statuses[int(number)] = status.strip()
        return cls(
            town=str(row["town"]),
            id=str(row["id"]),
            geonameid=int(row["geonameid"]),
            geonames_name=str(row["geonames_name"]),
            spellings=frozenset(s.strip().lower() for s in str(row["spellings"]).split(";")),
            name_kk=str(row["name_kk"]),
            name_ru=str(row["name_ru"]),
            town_type=str(row["town_type"]),
            outline_azimuth_deg=float(row["outline_azimuth_deg"]),
            outline_seed=int(row["outline_seed"]),
            enterprise_code=str(row["enterprise_code"]),
            boilers=int(row["boilers"]),
            enterprise_seed=int(row["enterprise_seed"]),
            network_code=str(row["network_code"]),
            network_seed=int(row["network_seed"]),
            **_network_profile(row),
            soil_seed=int(row["soil_seed"]),
            micro_district_status=statuses,
            micro_district_status_source=str(row["micro_district_status_source"]),
        )


def _network_profile(values: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
    """Install-year profile and shares of a town's synthetic networks (a table row or the defaults)."""
    return {
        "install_year": tuple(
            float(values[f"install_year_{k}"]) for k in ("mean", "sd", "min", "max")
        ),
        "replaced_share": float(values["replaced_share"]),
        "inspected_share": float(values["inspected_share"]),
        "segments_without_year": int(values["segments_without_year"]),
    }


def study_towns(catalog: Catalog) -> dict[str, StudyTown]:
    """The towns of the towns table, then the other towns in scope, by name.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> towns = study_towns(Catalog())
    >>> list(towns), towns["Zhanatas"].micro_district_status[7]
    (['Zhanatas', 'Karatau', 'Shu'], 'destroyed')
    """
    table = catalog.read("study_towns").fillna({"micro_district_status": ""})
    out = {str(r["town"]): StudyTown.from_row(r) for _, r in table.iterrows()}
    known = {t.geonameid for t in out.values()}
    extra = [gid for gid in catalog.extra_towns if gid not in known]
    if extra:
        places = catalog.read("towns")
        defaults = town_defaults(catalog)
        for gid in extra:
            rows = places[places["geonameid"].astype("int64") == gid]
            if rows.empty:
                msg = f"layer 'towns' has no place with GeoNames id {gid}; name a town it holds"
                raise DataError(msg)
            town = place_town(rows.iloc[0], defaults, taken=set(out))
            out[town.town] = town
    return out


def town_defaults(catalog: Catalog) -> dict[str, float]:
    """Generator parameters of towns outside the towns table (``layers/tables/town_defaults.csv``)."""
    table = catalog.read("town_defaults")
    return {str(r["parameter"]): float(r["value"]) for _, r in table.iterrows()}


def _slug(name: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
    return "_".join(part for part in out.split("_") if part) or "town"


def place_town(place: pd.Series, defaults: Mapping[str, float], *, taken: set[str]) -> StudyTown:
    """A towns-table row for a GeoNames place the table does not hold.

    Names and the study type come from the place; generator parameters from
    *defaults*; each generator's seed is ``geonameid * 10 + k`` (k = 1 … 4), so
    the town's features depend on its id alone.

    Examples
    --------
    >>> import pandas as pd

    from geo.errors import DataError
    >>> p = pd.Series({"geonameid": 1516905, "name": "Taraz", "alternatenames": "Taraz|Тараз"})
    >>> d = {"outline_azimuth_deg": 90, "boilers": 6, "install_year_mean": 1975,
    ...      "install_year_sd": 8, "install_year_min": 1955, "install_year_max": 1995,
    ...      "replaced_share": 0.25, "inspected_share": 0.05, "segments_without_year": 4}
    >>> t = place_town(p, d, taken=set())
    >>> t.town, t.id, t.outline_seed, t.enterprise_code
    ('Taraz', 'taraz', 15169051, 'G1516905')
    """
    gid = int(place["geonameid"])
    name = str(place["name"])
    if name in taken:
        name = f"{name} ({gid})"
    alt = str(place.get("alternatenames") or "")
    spellings = frozenset(s.strip().lower() for s in [name, *alt.split("|")] if s.strip())

    def _text(key: str) -> str:
        value = place.get(key)
        return "" if value is None or pd.isna(value) else str(value)

    return StudyTown(
        town=name,
        id=_slug(name) if name == str(place["name"]) else f"{_slug(str(place['name']))}_{gid}",
        geonameid=gid,
        geonames_name=str(place["name"]),
        spellings=spellings,
        name_kk=_text("name_kk") or name,
        name_ru=_text("name_ru") or name,
        town_type=_text("study_type"),
        outline_azimuth_deg=float(defaults["outline_azimuth_deg"]),
        outline_seed=gid * 10 + 1,
        enterprise_code=f"G{gid}",
        boilers=int(defaults["boilers"]),
        enterprise_seed=gid * 10 + 2,
        network_code=f"G{gid}",
        network_seed=gid * 10 + 3,
        **_network_profile(defaults),
        soil_seed=gid * 10 + 4,
        micro_district_status={},
        micro_district_status_source="assumed existing",
    )
