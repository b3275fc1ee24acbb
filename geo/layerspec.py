"""Layer specs: what the catalog promises about a layer (a contract, read by every stage).

A :class:`LayerSpec` is one ``[[layer]]`` entry of ``layers/catalog.toml``:
kind, geometry, CRS, required fields and their ranges, references to other
layers, provenance. It imports nothing of the catalog, the themes or the
writers, so the loaders, the validators and the writers can all depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.errors import InputError
from geo.i18n import LANGUAGES, Text, check_text

__all__ = [
    "FAMILIES",
    "GEOMETRY_FAMILIES",
    "KINDS",
    "PROVENANCE_KEYS",
    "LayerSpec",
    "families_of",
    "geometry_family",
]

KINDS = ("vector", "raster", "table")
"""What a catalog layer can be."""

GEOMETRY_FAMILIES: dict[str, set[str]] = {
    "Point": {"Point", "MultiPoint"},
    "LineString": {"LineString", "MultiLineString"},
    "Polygon": {"Polygon", "MultiPolygon"},
}
"""Catalog geometry names and the shapely geometry types each admits."""

FAMILIES = ("point", "line", "polygon")
"""The three geometry families every writer distinguishes."""


def geometry_family(geom_type: str) -> str | None:
    """The family (``point``, ``line`` or ``polygon``) of a geometry type name, or None.

    The one place where point, line and polygon are told apart: catalog
    entries, validation, legends, QML styles and GeoPackage tables all ask it.

    Examples
    --------
    >>> geometry_family("MultiLineString"), geometry_family("LinearRing"), geometry_family("Point")
    ('line', 'line', 'point')
    >>> geometry_family("GeometryCollection") is None
    True
    """
    name = str(geom_type).lower()
    for family in FAMILIES:
        if family in name:
            return family
    return None


def families_of(geom_types: Iterable[str]) -> set[str]:
    """The set of families among *geom_types* (unknown types are left out).

    Examples
    --------
    >>> sorted(families_of(["Polygon", "MultiPolygon", "Point"]))
    ['point', 'polygon']
    """
    return {f for f in (geometry_family(t) for t in geom_types) if f is not None}


@dataclass(frozen=True)
class LayerSpec:
    """One catalog entry. See ``layers/catalog.toml`` for the meaning of each key."""

    id: str
    kind: str
    title: Text
    source: Text | str
    """Where the data come from: a text in every language, or a plain string shown as is."""
    licence: Text | str
    attribution: Text | str
    """The credit the licence requires: verbatim credits stay plain strings."""
    synthetic: bool
    path: str | None = None
    generator: str | None = None
    geometry: str | None = None
    crs: str | None = None
    units: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    sums_to: Mapping[str, Any] | None = None
    references: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, list[str]] = field(default_factory=dict)
    extent: tuple[float, float, float, float] | None = None
    """Where the layer is complete (west, south, east, north in degrees); None: where its data lie."""
    unique: tuple[str, ...] = ()
    """Fields whose values identify a feature: no two features may share one."""
    finite: tuple[str, ...] = ()
    """Numeric fields that must hold a finite number in every feature (no NaN, no infinity)."""
    fetch: str | None = None
    """The ``geo fetch --source`` that provides a layer the atlas does not embed (no path, no generator)."""

    @property
    def embedded(self) -> bool:
        """True when the catalog holds the layer's data (a file or a generator)."""
        return bool(self.path or self.generator)

    def geometry_family(self) -> str | None:
        """``point``, ``line`` or ``polygon`` for a vector layer; None for rasters and tables.

        Examples
        --------
        >>> LayerSpec("r", "vector", {}, "", "", "", False, geometry="LineString").geometry_family()
        'line'
        """
        return geometry_family(self.geometry) if self.kind == "vector" and self.geometry else None

    def field_sources(self, columns: Iterator[str] | list[str]) -> dict[str, str]:
        """Map each field to the column holding it: itself, or its first alias present.

        Required fields first, then the optional ones that have aliases (a user's
        ``ADM1_KK`` becomes ``name_kk`` too).
        """
        cols = list(columns)
        found = {}
        for name in [*self.fields, *(a for a in self.aliases if a not in self.fields)]:
            for candidate in [name, *self.aliases.get(name, [])]:
                if candidate in cols:
                    found[name] = candidate
                    break
        return found

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str) -> LayerSpec:
        """Build and check an entry read from TOML."""
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            msg = f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
            raise InputError(msg)
        for key in ("id", "kind", "title", "source", "licence", "attribution", "synthetic"):
            if key not in d:
                msg = f"{where}: missing required key {key!r}"
                raise InputError(msg)
        if d["kind"] not in KINDS:
            msg = f"{where}: kind {d['kind']!r} is not one of {', '.join(KINDS)}"
            raise InputError(msg)
        given = [k for k in ("path", "generator", "fetch") if d.get(k)]
        if len(given) != 1:
            msg = f"{where}: give exactly one of 'path', 'generator' or 'fetch'"
            raise InputError(msg)
        if d["kind"] == "vector" and d.get("geometry") not in GEOMETRY_FAMILIES:
            msg = f"{where}: vector layers need geometry = one of {', '.join(GEOMETRY_FAMILIES)}"
            raise InputError(msg)
        try:
            check_text(d["title"], f"{where} title")
        except ValueError as exc:
            raise InputError(str(exc)) from None
        texts = {k: _provenance_text(d[k], f"{where} {k}") for k in PROVENANCE_KEYS}
        ranges = {k: (float(v[0]), float(v[1])) for k, v in d.get("ranges", {}).items()}
        extent = d.get("extent")
        if extent is not None:
            ok = isinstance(extent, list) and len(extent) == 4
            w, s_, e, n = (float(v) for v in extent) if ok else (0.0, 0.0, 0.0, 0.0)
            if not ok or not (w < e and s_ < n):
                msg = f"{where}: extent must be [west, south, east, north] in degrees"
                raise InputError(msg)
            extent = (w, s_, e, n)
        lists = {k: tuple(str(v) for v in d.get(k, ())) for k in ("unique", "finite")}
        return cls(**{**d, "ranges": ranges, "extent": extent, **lists, **texts})


PROVENANCE_KEYS = ("source", "licence", "attribution")
"""The keys of an entry that may be a text in every language or a plain string."""


def _provenance_text(value: Any, where: str) -> Text | str:
    """*value* as read: a plain string (shown as is in every language) or a checked text.

    Examples
    --------
    >>> _provenance_text("CC BY 4.0", "x licence")
    'CC BY 4.0'
    >>> _provenance_text({"en": "a", "kk": "ә"}, "x source")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: x source: missing translation(s) ru; add them to the text
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        msg = f"{where}: give a string or a table {{ en = ..., kk = ..., ru = ... }}"
        raise InputError(msg)
    try:
        check_text(value, where)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return {lang: str(value[lang]) for lang in LANGUAGES}
