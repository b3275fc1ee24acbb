"""Where real data come from: each source's base URL, licence and attribution, in one place.

Every base URL is a setting: the module constant, replaced by an environment
variable (``GEO_OVERPASS_URL``, ``GEO_COPERNICUS_DEM_URL``, ``GEO_WORLDCOVER_URL``,
``GEO_SOILGRIDS_URL``) or by the ``urls`` argument of :func:`geo.fetch.fetch`, so the
tests aim every fetcher at a loopback server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_BUFFER_M",
    "MAX_AREA_KM2",
    "SOIL_PROPERTIES",
    "SOURCES",
    "TIMEOUT_S",
    "Source",
    "base_url",
]

DEFAULT_BUFFER_M = 5000.0
"""Buffer around the area's towns, box or polygon (metres)."""

TIMEOUT_S = 180
"""Seconds a request may take (Overpass's own query timeout is set to the same)."""

MAX_AREA_KM2 = 2500.0
"""Largest area one Overpass query may cover (osmnx's own ``max_query_area_size``, 2500 km²)."""

SOIL_PROPERTIES = {
    "soc": ("soil organic carbon", "g/kg", "soil_organic_carbon", 0.1),
    "phh2o": ("pH in water", "pH", "soil_ph", 0.1),
    "clay": ("clay content", "g/kg", "soil_clay", 1.0),
}
"""SoilGrids 2.0 properties fetched (0–5 cm mean): what they are, the unit stored, the layer id
and the factor from SoilGrids' published integers (organic carbon in dg/kg, pH × 10) to that unit.
``soil_organic_carbon`` and ``soil_ph`` are catalog layers; ``soil_clay`` is kept for other uses."""


@dataclass(frozen=True)
class Source:
    """One provider of real data: its default URL, the variable replacing it, its licence."""

    id: str
    title: str
    url: str
    env: str
    licence: str
    attribution: str


SOURCES: dict[str, Source] = {
    "osm": Source(
        "osm",
        "OpenStreetMap, through the Overpass API (osmnx)",
        "https://overpass-api.de/api",
        "GEO_OVERPASS_URL",
        "ODbL 1.0 (Open Database License); a derived database stays ODbL",
        "© OpenStreetMap contributors",
    ),
    "dem": Source(
        "dem",
        "Copernicus DEM GLO-30 (30 m), cloud-optimised GeoTIFF tiles",
        "https://copernicus-dem-30m.s3.amazonaws.com",
        "GEO_COPERNICUS_DEM_URL",
        "Copernicus DEM licence (free use, with attribution): © DLR e.V. 2010-2014 and "
        "© Airbus Defence and Space GmbH 2014-2018 provided under COPERNICUS by the European "
        "Union and ESA; all rights reserved",
        "© DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH 2014-2018 provided under "
        "COPERNICUS by the European Union and ESA; all rights reserved",
    ),
    "landcover": Source(
        "landcover",
        "ESA WorldCover 10 m 2021 v200, cloud-optimised GeoTIFF tiles",
        "https://esa-worldcover.s3.eu-central-1.amazonaws.com/v200/2021/map",
        "GEO_WORLDCOVER_URL",
        "CC BY 4.0",
        "© ESA WorldCover project 2021 / Contains modified Copernicus Sentinel data (2021) "
        "processed by ESA WorldCover consortium",
    ),
    "soil": Source(
        "soil",
        "SoilGrids 2.0 (ISRIC), 250 m, 0–5 cm mean, cloud-optimised GeoTIFF",
        "https://files.isric.org/soilgrids/latest/data",
        "GEO_SOILGRIDS_URL",
        "CC BY 4.0",
        "ISRIC SoilGrids 2.0 (Poggio et al. 2021, doi:10.5194/soil-7-217-2021)",
    ),
}
"""The sources ``geo fetch --source`` knows, by id."""


def base_url(source: str, urls: Mapping[str, str] | None = None) -> str:
    """The base URL of *source*: *urls* first, then its environment variable, then the default.

    Examples
    --------
    >>> base_url("osm", {"osm": "http://127.0.0.1:8080/api/"})
    'http://127.0.0.1:8080/api'
    """
    src = SOURCES[source]
    given = (urls or {}).get(source) or os.environ.get(src.env) or src.url
    return given.rstrip("/")
