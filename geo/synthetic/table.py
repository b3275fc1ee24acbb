"""The towns table: every fact about a study town in one place.

``layers/tables/towns.csv`` (catalog layer ``study_towns``) holds, for each
town the study names, its id, spellings, Kazakh and Russian names, type from
the study, and every parameter the synthetic generators need — outline
azimuth, codes, counts, install-year profile, micro-district statuses and the
random seed of each generator. Every generator reads it through
:func:`study_towns`; seeds come from a town's own row, so adding a town never
changes another town's features.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["StudyTown", "study_towns"]


@dataclass(frozen=True)
class StudyTown:
    """One row of the towns table (see ``layers/tables/towns.csv`` for the columns)."""

    town: str
    id: str
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
            install_year=(
                float(row["install_year_mean"]),
                float(row["install_year_sd"]),
                float(row["install_year_min"]),
                float(row["install_year_max"]),
            ),
            replaced_share=float(row["replaced_share"]),
            inspected_share=float(row["inspected_share"]),
            segments_without_year=int(row["segments_without_year"]),
            soil_seed=int(row["soil_seed"]),
            micro_district_status=statuses,
            micro_district_status_source=str(row["micro_district_status_source"]),
        )


def study_towns(catalog: Catalog) -> dict[str, StudyTown]:
    """The towns of the towns table, by name, in table order.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> towns = study_towns(Catalog())
    >>> list(towns), towns["Zhanatas"].micro_district_status[7]
    (['Zhanatas', 'Karatau', 'Shu'], 'destroyed')
    """
    table = catalog.read("study_towns").fillna({"micro_district_status": ""})
    return {str(r["town"]): StudyTown.from_row(r) for _, r in table.iterrows()}
