"""Study areas: where a theme works, named once in every recipe.

Every theme's recipe names its area in one ``[area]`` table, with the same keys
in every theme::

    [area]
    towns = ["Zhanatas"]             # names in any spelling (en / kk / ru) or GeoNames ids
    # bbox = [69.3, 43.2, 70.2, 43.9]  # or: west, south, east, north in degrees
    # file = "my_area.gpkg"            # or: a polygon file in any GDAL format and CRS
    buffer_m = 15000                 # around the towns, the box or the polygon
    cell_size_m = 100                # analysis grid (themes with a grid)
    min_population = 10000           # towns a box or polygon takes in (GeoNames population)

The command line (``--town``, ``--bbox``, ``--area``) replaces ``towns``,
``bbox`` and ``file`` of every recipe of the run (:func:`override_area`).

A box or polygon takes in the places of the ``towns`` layer inside it with at
least ``min_population`` people; a list of towns is exactly those towns. With
none of the three the area is the study towns of the towns table.

The CRS follows the area (:mod:`geo.crs`): the UTM zone of its towns (or of the
box) when they share one zone, else the basin's equal-area conic. Each town
also keeps its own zone (:meth:`StudyArea.town_crs`): Shu is in UTM 43N, so its
sanitary zones are buffered there even when the grid is in 42N or the conic.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.crs import EQUAL_AREA, REGION, WGS84, crs_label, to_crs, utm_crs_for
from geo.errors import InputError, RecipeError
from geo.grid import AnalysisGrid
from geo.recipe import Recipe

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = [
    "AREA_KEYS",
    "AreaOverride",
    "AreaRequest",
    "StudyArea",
    "area_crs",
    "area_towns",
    "check_bbox",
    "coverage_error",
    "covered_share",
    "include_area",
    "layer_coverage",
    "override_area",
    "read_area",
    "resolve_area",
    "town_polygons",
]

log = logging.getLogger(__name__)

AREA_KEYS = ("towns", "bbox", "file", "buffer_m", "cell_size_m", "min_population")
"""Keys of the ``[area]`` table, the same in every theme."""

_CHOICE = ("towns", "bbox", "file")

_MIN_POPULATION = 10_000
"""Default ``min_population``: the study's small towns start at about 10 000 people."""


@dataclass(frozen=True)
class AreaRequest:
    """An area as the user named it (a recipe's ``[area]``, maybe overridden on the command line).

    Parameters
    ----------
    towns : tuple of str
        Town names or GeoNames ids; empty with no *bbox* and no *file*: the study towns.
    bbox : (west, south, east, north), optional
        Degrees (EPSG:4326).
    file : str, optional
        A polygon file (any GDAL format and CRS).
    buffer_m, cell_size_m : float
        Buffer around the area and cell size of the analysis grid (metres).
    min_population : int
        Smallest town a *bbox* or *file* area takes in.
    origin : mapping
        Key → where it was given (``maps/x.toml:19: area.towns`` or ``--town``), for errors.
    """

    towns: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    file: str | None = None
    buffer_m: float = 0.0
    cell_size_m: float = 100.0
    min_population: int = _MIN_POPULATION
    origin: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """``bbox``, ``file`` or ``towns``."""
        return "bbox" if self.bbox else "file" if self.file else "towns"

    def at(self, key: str) -> str:
        """Where *key* was given, for a message (``maps/x.toml:19: area.towns``)."""
        return self.origin.get(key) or self.origin.get("", f"area.{key}")

    def error(self, key: str, message: str) -> RecipeError:
        """One line naming where *key* was given and what is wrong."""
        return RecipeError(f"{self.at(key)}: {message}")


@dataclass(frozen=True)
class StudyArea:
    """An area resolved against the catalog: its towns, outline and CRS.

    Parameters
    ----------
    request : AreaRequest
        What the user asked for.
    towns : tuple of str
        Names of the towns in the area, as in the ``town_boundaries`` layer.
    outline : shapely geometry
        The towns' boundaries, the box or the file's polygon, EPSG:4326, before the buffer.
    crs : pyproj.CRS
        The projected CRS of the area's grid.
    town_zones : mapping
        Town → its own UTM CRS.
    """

    request: AreaRequest
    towns: tuple[str, ...]
    outline: BaseGeometry
    crs: CRS
    town_zones: Mapping[str, CRS]

    @functools.cached_property
    def _projected(self) -> gpd.GeoSeries:
        """The buffered outline in the area's CRS, computed once (see :meth:`projected`)."""
        g = to_crs(gpd.GeoDataFrame(geometry=[self.outline], crs=WGS84), self.crs).geometry
        return g.buffer(self.request.buffer_m) if self.request.buffer_m > 0 else g

    def projected(self) -> gpd.GeoSeries:
        """The outline with its buffer, in the area's CRS."""
        return self._projected.copy()

    @functools.cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounds of the buffered area in degrees."""
        w, s, e, n = to_crs(gpd.GeoDataFrame(geometry=self.projected()), WGS84).total_bounds
        return (float(w), float(s), float(e), float(n))

    def grid(self, cell_size: float | None = None) -> AnalysisGrid:
        """The analysis grid covering the outline, in the area's CRS.

        Examples
        --------
        >>> from geo.catalog import Catalog
        >>> a = resolve_area(Catalog(), AreaRequest(towns=("Zhanatas",), buffer_m=5000))
        >>> g = a.grid(100)
        >>> g.crs.to_epsg(), g.cell_size
        (32642, 100.0)
        """
        size = float(cell_size if cell_size is not None else self.request.cell_size_m)
        bounds = tuple(float(b) for b in self.projected().total_bounds)
        grid = AnalysisGrid.from_bounds(bounds, self.crs, size)  # type: ignore[arg-type]
        log.info(
            "analysis grid for %s: %d x %d cells of %g m in %s",
            self.label,
            grid.width,
            grid.height,
            size,
            crs_label(self.crs),
        )
        return grid

    def town_crs(self, town: str) -> CRS:
        """The UTM zone of *town* (the area's CRS for a town it does not hold)."""
        return self.town_zones.get(town, self.crs)

    @property
    def label(self) -> str:
        """The area in a few words (for logs and messages)."""
        r = self.request
        if r.bbox:
            return "bbox " + ",".join(f"{v:g}" for v in r.bbox)
        if r.file:
            return f"area file {r.file}"
        return ", ".join(self.towns)

    def record(self) -> dict[str, Any]:
        """What the manifest records: how the area was named, its towns, extent and CRS."""
        r = self.request
        out: dict[str, Any] = {"kind": r.kind, "towns": list(self.towns)}
        if r.bbox:
            out["bbox"] = list(r.bbox)
        if r.file:
            out["file"] = r.file
        out["buffer_m"] = r.buffer_m
        out["bounds"] = [round(b, 5) for b in self.bounds]
        out["crs"] = crs_label(self.crs)
        out["town_crs"] = {t: crs_label(c) for t, c in self.town_zones.items()}
        return out


# -- reading -------------------------------------------------------------------------------


def read_area(recipe: Recipe, *, buffer_m: float, cell_size_m: float = 100.0) -> AreaRequest:
    """The ``[area]`` table of *recipe*, checked (the theme gives its default buffer and cell).

    Raises
    ------
    RecipeError
        An unknown key, two of towns / bbox / file, a bad box, a non-positive cell size.

    Examples
    --------
    >>> from geo.recipe import load_recipe
    >>> read_area(load_recipe("land_suitability"), buffer_m=0).towns
    ('Zhanatas',)
    """
    table = recipe.get("area", {})
    if not isinstance(table, dict):
        raise recipe.error("area", "must be a table ([area])")
    if "area" in recipe.data:
        recipe.require_keys("area", AREA_KEYS)
    origin = {k: recipe.where(f"area.{k}") for k in AREA_KEYS}
    origin[""] = recipe.where("area")
    given = [k for k in _CHOICE if k in table]
    if len(given) > 1:
        raise recipe.error(
            f"area.{given[1]}", f"give one of {', '.join(_CHOICE)}, not {given[0]} and {given[1]}"
        )
    req = AreaRequest(
        towns=_towns(recipe, table.get("towns", [])),
        bbox=check_bbox(table["bbox"], origin["bbox"]) if "bbox" in table else None,
        file=_file(recipe, table.get("file")),
        buffer_m=_number(
            recipe, "area.buffer_m", table.get("buffer_m", buffer_m), low=0.0, high=MAX_BUFFER_M
        ),
        cell_size_m=_number(
            recipe, "area.cell_size_m", table.get("cell_size_m", cell_size_m), high=MAX_CELL_M
        ),
        min_population=int(
            _number(
                recipe, "area.min_population", table.get("min_population", _MIN_POPULATION), low=0.0
            )
        ),
        origin=origin,
    )
    return req


MAX_CELL_M = 10_000.0
"""Largest analysis cell (10 km): coarser cells cannot resolve a small town."""
MAX_BUFFER_M = 500_000.0
"""Largest buffer around an area (500 km: the whole basin and beyond)."""


def _towns(recipe: Recipe, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str | int) for t in value):
        raise recipe.error("area.towns", 'give a list of town names, e.g. towns = ["Zhanatas"]')
    towns = tuple(str(t).strip() for t in value if str(t).strip())
    if "towns" in recipe.get("area", {}) and not towns:
        raise recipe.error(
            "area.towns",
            'names no town; give at least one, e.g. towns = ["Zhanatas"], or remove the key',
        )
    return towns


def _file(recipe: Recipe, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise recipe.error("area.file", 'give the path of a polygon file, e.g. file = "area.gpkg"')
    p = Path(value)
    if not p.is_absolute():
        p = recipe.path.parent / p
    return str(p)


def _number(
    recipe: Recipe, key: str, value: Any, *, low: float | None = None, high: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise recipe.error(key, f"must be a number, got {value!r}")
    if (low is None and value <= 0) or (low is not None and value < low):
        need = "> 0" if low is None else f"≥ {low:g}"
        raise recipe.error(key, f"must be {need}, got {value!r}")
    if high is not None and value > high:
        raise recipe.error(key, f"must be at most {high:g} m, got {value!r}")
    return float(value)


def check_bbox(value: Any, where: str) -> tuple[float, float, float, float]:
    """A bounding box ``[W, S, E, N]`` in degrees, checked; the error names *where*.

    Examples
    --------
    >>> check_bbox([69.3, 43.2, 70.2, 43.9], "--bbox")
    (69.3, 43.2, 70.2, 43.9)
    >>> check_bbox([70, 43, 69, 44], "--bbox")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: --bbox: west (70) must be less than east (69); give W,S,E,N in degrees
    """
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    try:
        w, s, e, n = (float(v) for v in value)
    except (TypeError, ValueError):
        msg = f"{where}: give four numbers W,S,E,N in degrees (e.g. 69.3,43.2,70.2,43.9), got {value!r}"
        raise InputError(msg) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        msg = f"{where}: the bounding box must be finite numbers, got {value!r}"
        raise InputError(msg)
    if w >= e:
        msg = f"{where}: west ({w:g}) must be less than east ({e:g}); give W,S,E,N in degrees"
        raise InputError(msg)
    if s >= n:
        msg = f"{where}: south ({s:g}) must be less than north ({n:g}); give W,S,E,N in degrees"
        raise InputError(msg)
    if not (w >= -180 and e <= 180 and s >= -90 and n <= 90):
        msg = f"{where}: ({w:g}, {s:g}, {e:g}, {n:g}) is not in degrees; give longitudes and latitudes"
        raise InputError(msg)
    return (w, s, e, n)


@dataclass(frozen=True)
class AreaOverride:
    """The command line's area (``--town``, ``--bbox``, ``--area``), replacing every recipe's."""

    towns: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    file: str | None = None

    def __bool__(self) -> bool:
        return bool(self.towns) or self.bbox is not None or self.file is not None

    def check(self) -> None:
        """Refuse two of the three, naming the flags."""
        given = [
            f
            for f, v in (("--town", self.towns), ("--bbox", self.bbox), ("--area", self.file))
            if v
        ]
        if len(given) > 1:
            msg = f"{given[0]} and {given[1]}: give one study area (a town list, a box or a polygon file)"
            raise InputError(msg)


def override_area(recipe: Recipe, override: AreaOverride | None) -> Recipe:
    """*recipe* with its area replaced by the command line's (``--town``, ``--bbox``, ``--area``).

    Only ``towns``, ``bbox`` and ``file`` change; the buffer and cell size stay
    the recipe's. Errors on the new values name the flag, not a recipe line.
    """
    if not override:
        return recipe
    towns, bbox, file = override.towns, override.bbox, override.file
    data = dict(recipe.data)
    area = {k: v for k, v in dict(data.get("area", {})).items() if k not in _CHOICE}
    origins = dict(recipe.overrides)
    if towns:
        area["towns"], origins["area.towns"] = list(towns), "--town"
    if bbox is not None:
        area["bbox"], origins["area.bbox"] = list(bbox), "--bbox"
    if file is not None:
        area["file"], origins["area.file"] = str(Path(file).resolve()), "--area"
    data["area"] = area
    return Recipe(data, recipe.path, recipe.text, origins)


# -- resolving -----------------------------------------------------------------------------


def area_crs(
    points: Sequence[tuple[float, float]], bounds: tuple[float, float, float, float]
) -> CRS:
    """The CRS of an area: the UTM zone its *points* (or its *bounds*) share, else the conic.

    Examples
    --------
    >>> area_crs([(69.73, 43.56), (70.46, 43.18)], (69.5, 43.0, 70.7, 43.8)).to_epsg()  # Zhanatas, Karatau
    32642
    >>> area_crs([(73.76, 43.61)], (73.6, 43.5, 73.9, 43.7)).to_epsg()  # Shu
    32643
    >>> area_crs([(69.73, 43.56), (73.76, 43.61)], (69.5, 43.0, 74.0, 43.8)).name.startswith("WGS 84 / Albers")
    True
    """
    w, s, e, n = bounds
    anchors = list(points) or [(w, s), (e, n)]
    zones = {utm_crs_for(x, y).to_epsg() for x, y in anchors}
    if len(zones) == 1 and e - w <= 6.0:
        x, y = anchors[0]
        return utm_crs_for(x, y)
    return EQUAL_AREA


def resolve_area(catalog: Catalog, request: AreaRequest) -> StudyArea:
    """The towns, outline and CRS of *request* (see the module docstring).

    The towns are added to the catalog's scope first (:meth:`Catalog.include_towns`),
    so the synthetic layers hold them.

    Raises
    ------
    InputError
        An unknown or ambiguous town, a town missing from the user's boundary
        file, an area file with no polygon or no CRS.
    """
    base = None if request.kind == "towns" else _outline(request)
    if base is not None:
        _check_in_country(base, request)
    named = area_towns(catalog, request, within=base)
    polys = _boundaries_of(catalog.read("town_boundaries"), [t for t, _gid in named], request)
    if base is None:
        base = shapely.union_all(np.asarray(polys.geometry.values))
    points = polys.geometry.representative_point()
    bounds = tuple(float(b) for b in base.bounds)
    crs = area_crs([(float(p.x), float(p.y)) for p in points], bounds)  # type: ignore[arg-type]
    zones = {
        str(t): utm_crs_for(float(p.x), float(p.y))
        for t, p in zip(polys["town"], points, strict=True)
    }
    return StudyArea(request, tuple(str(t) for t in polys["town"]), base, crs, zones)


def include_area(catalog: Catalog, request: AreaRequest) -> list[str]:
    """Add the towns of *request* to the catalog's scope before any work; their names.

    The build calls it for every recipe first, so an unknown town or a bad area
    file stops the run before any theme starts and every synthetic layer holds
    every town of the run.
    """
    within = None if request.kind == "towns" else _outline(request)
    return [town for town, _gid in area_towns(catalog, request, within=within)]


def area_towns(
    catalog: Catalog, request: AreaRequest, *, within: BaseGeometry | None = None
) -> list[tuple[str, int | None]]:
    """The towns of an area as (name in ``town_boundaries``, GeoNames id or None).

    A list of towns is resolved name by name: in the user's ``town_boundaries``
    file when there is one, else among the places of the ``towns`` layer
    (:func:`geo.places.find_place`). A box or polygon (*within*) takes in the
    places inside it with at least ``min_population`` people (or the user's
    boundaries that meet it). No towns named and no box: the study towns.
    The places found are added to the catalog's scope.
    """
    from geo.synthetic.table import study_towns

    if catalog.is_overridden("town_boundaries"):
        named = _user_towns(catalog.read("town_boundaries"), request, within)
        catalog.include_towns(gid for gid in (_place_id(catalog, t) for t, _ in named) if gid)
        return named
    if within is not None:
        ids = _places_within(catalog.read("towns"), within, request.min_population)
    elif request.towns:
        ids = _named_places(catalog, request)
    else:
        ids = [t.geonameid for t in study_towns(catalog).values()]
    catalog.include_towns(ids)
    names = {t.geonameid: t.town for t in study_towns(catalog).values()}
    return [(names[gid], gid) for gid in ids]


def _place_id(catalog: Catalog, name: str) -> int | None:
    """The GeoNames id of a town of the user's boundary file, when the towns layer knows it.

    Its synthetic layers (networks, sources, soils) are then generated around it too; a
    town GeoNames does not know has none, and a theme needing them says which to supply.
    """
    from geo.places import find_place

    try:
        return find_place(catalog, name).geonameid
    except InputError:
        return None


def _places_within(towns: gpd.GeoDataFrame, within: BaseGeometry, min_population: int) -> list[int]:
    """GeoNames ids of the places in *within* with at least *min_population* people."""
    if "geonameid" not in towns:
        msg = (
            "layer 'towns' has no geonameid field, so a box or polygon cannot pick its towns; "
            "name the towns (--town) or use the embedded towns layer"
        )
        raise InputError(msg)
    pop = pd.to_numeric(towns.get("population"), errors="coerce").fillna(0)
    inside = towns[
        towns.geometry.intersects(within).to_numpy() & (pop >= min_population).to_numpy()
    ]
    return sorted(int(g) for g in inside["geonameid"])


def _named_places(catalog: Catalog, request: AreaRequest) -> list[int]:
    """GeoNames ids of the named towns: a study town by any of its spellings, else a place."""
    from geo.places import find_place
    from geo.synthetic.table import study_towns

    study = list(study_towns(catalog).values())
    ids: list[int] = []
    for name in request.towns:
        key = name.strip().lower()
        known = [
            t.geonameid
            for t in study
            if key in t.spellings or key == t.town.lower() or key == str(t.geonameid)
        ]
        if known:
            gid = known[0]
        else:
            try:
                gid = find_place(catalog, name).geonameid
            except InputError as exc:
                raise request.error("towns", str(exc)) from None
        if gid not in ids:
            ids.append(gid)
    return ids


def _user_towns(
    boundaries: gpd.GeoDataFrame, request: AreaRequest, within: BaseGeometry | None
) -> list[tuple[str, int | None]]:
    """Towns of the user's own ``town_boundaries`` file: by name, or those meeting *within*."""
    names = [str(t) for t in boundaries["town"]]
    if within is not None:
        hit = boundaries.geometry.intersects(within)
        return [(n, None) for n, h in zip(names, hit, strict=True) if h]
    if not request.towns:
        return [(n, None) for n in names]
    return [(t, None) for t in request.towns]


def _check_in_country(outline: BaseGeometry, request: AreaRequest) -> None:
    """Refuse a box or polygon away from Kazakhstan and its neighbours (:data:`geo.crs.REGION`)."""
    if not outline.intersects(box(*REGION)):
        ow, os_, oe, on = outline.bounds
        w, s, e, n = REGION
        raise request.error(
            request.kind,
            f"({ow:g}, {os_:g}, {oe:g}, {on:g}) is outside Kazakhstan and its neighbours "
            f"({w:g}–{e:g} E, {s:g}–{n:g} N); give west, south, east, north in degrees",
        )


def _boundaries_of(
    boundaries: gpd.GeoDataFrame, towns: Sequence[str], request: AreaRequest
) -> gpd.GeoDataFrame:
    """The boundary polygons of *towns*, in the order named."""
    names = boundaries["town"].astype(str).str.lower()
    keep = []
    for t in towns:
        hit = np.flatnonzero(names.to_numpy() == t.lower())
        if not len(hit):
            known = ", ".join(sorted(boundaries["town"].astype(str)))
            raise request.error(
                "towns",
                f"layer 'town_boundaries' has no town {t!r} (it holds {known}); "
                "add it to your --layer town_boundaries file or name another town",
            )
        keep.append(int(hit[0]))
    return boundaries.iloc[keep]


def _outline(request: AreaRequest) -> BaseGeometry:
    """The polygon of a box or area-file request, EPSG:4326."""
    if request.bbox:
        return box(*request.bbox)
    from geo.io import read_vector

    assert request.file is not None
    path = Path(request.file)
    gdf = read_vector(path, what=f"area file {path}")
    if gdf.crs is None:
        raise request.error(
            "file", f"{path} has no CRS; set one (e.g. a .prj) or give a GeoPackage"
        )
    polys = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        kinds = ", ".join(sorted(set(gdf.geometry.geom_type.dropna()))) or "no geometry"
        raise request.error(
            "file", f"{path} holds no polygon ({kinds}); give a polygon of the area"
        )
    geom = to_crs(polys, WGS84, what=f"area file {path}").geometry.make_valid()
    out = shapely.union_all(np.asarray(geom.values))
    if out.is_empty or out.area <= 0:
        raise request.error(
            "file", f"{path}: its polygons have no area; give a polygon of the area"
        )
    return out


# -- coverage ------------------------------------------------------------------------------


def covered_share(
    extent: tuple[float, float, float, float] | None, bounds: tuple[float, float, float, float]
) -> float:
    """Share of the box *bounds* inside *extent* (both in degrees); 1 when *extent* is None.

    Examples
    --------
    >>> covered_share((68.5, 42.5, 75.5, 44.7), (69.0, 43.0, 70.0, 44.0))
    1.0
    >>> covered_share((68.5, 42.5, 75.5, 44.7), (68.0, 43.0, 69.0, 44.0))
    0.5
    >>> covered_share((68.5, 42.5, 75.5, 44.7), (50.0, 50.0, 51.0, 51.0))
    0.0
    """
    if extent is None:
        return 1.0
    w, s, e, n = bounds
    dx = max(0.0, min(e, extent[2]) - max(w, extent[0]))
    dy = max(0.0, min(n, extent[3]) - max(s, extent[1]))
    total = (e - w) * (n - s)
    return round(dx * dy / total, 6) if total > 0 else 0.0


def layer_coverage(catalog: Catalog, layer_id: str, area: StudyArea) -> float:
    """Share of *area* that a catalog layer covers (0 to 1).

    A synthetic layer generated town by town (it has a ``town`` field) covers
    the share of the area's towns it holds: it is complete around each of them
    and says nothing elsewhere, so an area without towns is not covered. Any
    other layer covers the share of the area's box inside its extent
    (:meth:`~geo.catalog.Catalog.extent`); a table covers everything.
    """
    spec = catalog.spec(layer_id)
    if spec.kind == "table":
        return 1.0
    if not catalog.available(layer_id):  # not embedded, and neither fetched nor given
        return 0.0
    if spec.generator and not catalog.is_overridden(layer_id):
        data = catalog.read(layer_id)
        if "town" in data:
            if not area.towns:
                return 0.0
            held = {str(t) for t in data["town"]}
            return round(sum(t in held for t in area.towns) / len(area.towns), 6)
    return covered_share(catalog.extent(layer_id), area.bounds)


def coverage_error(layer: str, area: StudyArea, extent: tuple[float, ...] | None) -> str:
    """What is wrong and the fix, when a required layer does not cover the area."""
    ext = (
        "no place"
        if extent is None
        else f"{extent[0]:g}–{extent[2]:g} E, {extent[1]:g}–{extent[3]:g} N"
    )
    return (
        f"layer {layer!r} does not cover {area.label} (it covers {ext}); "
        f"supply it with --layer {layer}=FILE (or fetch real data for the area) "
        "or choose an area inside it"
    )


# -- the boundaries of named towns ----------------------------------------------------------


def town_polygons(catalog: Catalog, towns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Town boundaries (EPSG:4326), optionally only the named towns (case-insensitive)."""
    gdf = catalog.read("town_boundaries")
    if towns is None:
        return gdf
    wanted = {t.lower() for t in towns}
    known = {str(t).lower() for t in gdf["town"]}
    unknown = sorted(wanted - known)
    if unknown:
        msg = f"unknown town(s) {', '.join(unknown)}; known: {', '.join(sorted(gdf['town']))}"
        raise InputError(msg)
    return gdf[gdf["town"].str.lower().isin(wanted)]
