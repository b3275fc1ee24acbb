"""OpenStreetMap features of an area, through osmnx and the Overpass API.

One Overpass query per polygon asks for every tag the atlas maps onto its layers
(:data:`TAGS`). osmnx sends it (``ox.features_from_polygon``) and keeps the answer
in its cache folder, so an interrupted fetch resumes without asking again. Every
answer is checked before osmnx reads it (a ``requests`` response hook): an HTTP
error, an Overpass runtime error (a ``remark``) or a body that is not Overpass JSON
becomes one line, and nothing of it reaches the cache.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import requests
from shapely.geometry.base import BaseGeometry

from geo.errors import FetchConnectionError, FetchGarbageError, FetchServerError

__all__ = ["TAGS", "download_features", "overpass_query_note"]

log = logging.getLogger(__name__)

TAGS: dict[str, bool | str | list[str]] = {
    # admin levels of towns and their okrugs only: the oblast's and the country's relations
    # would bring every node of their boundaries (megabytes) for nothing
    "admin_level": ["7", "8", "9"],
    "place": ["city", "town", "village", "neighbourhood", "quarter", "suburb"],
    "landuse": ["residential", "industrial", "landfill"],
    "building": True,
    "power": ["line", "minor_line", "plant"],
    "man_made": ["chimney", "works", "pipeline", "spoil_heap", "wastewater_plant"],
}
"""The OSM tags asked for: town boundaries, places, land use, buildings, power, pipelines, works."""

_PROBE_TIMEOUT_S = 15.0


def overpass_query_note() -> str:
    """The tags of the query, in words, for the manifest."""
    parts = []
    for key, value in TAGS.items():
        if value is True:
            parts.append(f"{key}=*")
        else:
            values = [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]
            parts.append(f"{key}={'|'.join(values)}")
    return "; ".join(parts)


def _first_line(text: str, limit: int = 120) -> str:
    line = " ".join(text.strip().split())
    return line[:limit] + ("…" if len(line) > limit else "")


def _check_answer(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    """Refuse an Overpass answer that is an error or not Overpass JSON (a requests hook)."""
    if not response.url.split("?")[0].endswith("/interpreter"):
        return
    where = f"Overpass API {response.url.split('?')[0]}"
    if response.status_code in (429, 504):
        msg = (
            f"{where}: the server is busy (HTTP {response.status_code} {response.reason}); "
            "try again in a few minutes"
        )
        raise FetchServerError(msg)
    if response.status_code != 200:
        msg = (
            f"{where}: HTTP {response.status_code} {response.reason} "
            f"({_first_line(response.text) or 'no message'}); try again later or a smaller area"
        )
        raise FetchServerError(msg)
    try:
        body = response.json()
    except ValueError:
        msg = (
            f"{where}: the answer is not JSON ({_first_line(response.text) or 'empty'}); "
            "the server or a proxy answered something else: try again later"
        )
        raise FetchGarbageError(msg) from None
    if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
        msg = f"{where}: the answer is JSON without an 'elements' list; not an Overpass answer"
        raise FetchGarbageError(msg)
    remark = str(body.get("remark", ""))
    if "error" in remark.lower():
        msg = (
            f"{where}: {_first_line(remark)}; ask for a smaller area (--bbox, or one --town) "
            "or try again later"
        )
        raise FetchServerError(msg)


def _probe(url: str, timeout: float) -> None:
    """Fail fast, in one line, when the Overpass server cannot be reached at all."""
    status = url + "/status"
    try:
        requests.get(status, timeout=min(timeout, _PROBE_TIMEOUT_S))
    except requests.Timeout:
        msg = (
            f"Overpass API {url}: no answer within {min(timeout, _PROBE_TIMEOUT_S):g} s; "
            "check the internet connection, or use --offline to work from the cache"
        )
        raise FetchConnectionError(msg) from None
    except requests.RequestException as exc:
        msg = (
            f"Overpass API {url}: cannot connect ({type(exc).__name__}); check the internet "
            "connection, or use --offline to work from the cache"
        )
        raise FetchConnectionError(msg) from None


@contextlib.contextmanager
def _osmnx_settings(url: str, cache_folder: Path, timeout: float) -> Iterator[Any]:
    """Osmnx aimed at *url*, caching in *cache_folder*; its settings restored afterwards."""
    import osmnx as ox

    names = (
        "overpass_url",
        "use_cache",
        "cache_folder",
        "requests_timeout",
        "requests_kwargs",
        "max_query_area_size",
        "log_console",
        "overpass_rate_limit",
    )
    saved = {n: getattr(ox.settings, n) for n in names}
    ox.settings.overpass_url = url
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(cache_folder)
    ox.settings.requests_timeout = int(timeout)
    ox.settings.requests_kwargs = {"hooks": {"response": [_check_answer]}}
    ox.settings.max_query_area_size = 2500 * 1_000_000  # the area is refused above this first
    ox.settings.log_console = False
    try:
        yield ox
    finally:
        for n, v in saved.items():
            setattr(ox.settings, n, v)


def drop_corrupt_cache(cache_folder: Path) -> int:
    """Delete cached answers that do not parse (a write broken off); how many were dropped."""
    dropped = 0
    for p in sorted(cache_folder.glob("*.json")):
        try:
            json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            p.unlink()
            dropped += 1
    if dropped:
        log.warning("dropped %d broken answer(s) from the cache %s", dropped, cache_folder)
    return dropped


def download_features(
    polygon: BaseGeometry, *, url: str, cache_folder: Path, timeout: float
) -> gpd.GeoDataFrame:
    """OSM features with :data:`TAGS` inside *polygon* (EPSG:4326), through osmnx.

    Returns a GeoDataFrame with ``element`` (node, way, relation), ``id`` and one
    column per tag, sorted by element and id; empty when OSM has none there.

    Raises
    ------
    FetchConnectionError
        The server cannot be reached or did not answer within *timeout* seconds.
    FetchServerError
        An HTTP error or an Overpass runtime error.
    FetchGarbageError
        An answer that is not Overpass JSON.
    """
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    cache_folder.mkdir(parents=True, exist_ok=True)
    drop_corrupt_cache(cache_folder)
    with _osmnx_settings(url, cache_folder, timeout) as ox:
        try:
            _probe(url, timeout)
        except FetchConnectionError:
            if not any(cache_folder.glob("*.json")):
                raise
            ox.settings.overpass_rate_limit = (
                False  # unreachable: answer from the cache or fail now
            )
        try:
            gdf = ox.features_from_polygon(polygon, TAGS)
        except InsufficientResponseError as exc:
            if "No matching features" in str(exc):
                return gpd.GeoDataFrame({"element": [], "id": []}, geometry=[], crs=4326)
            msg = f"Overpass API {url}: {_first_line(str(exc))}; try again later"
            raise FetchGarbageError(msg) from None
        except ResponseStatusCodeError as exc:
            msg = f"Overpass API {url}: {_first_line(str(exc))}; try again later"
            raise FetchServerError(msg) from None
        except requests.Timeout:
            msg = (
                f"Overpass API {url}: no answer within {timeout:g} s; try again later, ask for a "
                "smaller area, or use --offline to work from the cache"
            )
            raise FetchConnectionError(msg) from None
        except requests.RequestException as exc:
            msg = (
                f"Overpass API {url}: the connection failed ({type(exc).__name__}); check the "
                "internet connection, or use --offline to work from the cache"
            )
            raise FetchConnectionError(msg) from None
    gdf = gdf.reset_index()
    return gdf.sort_values(["element", "id"]).reset_index(drop=True)
