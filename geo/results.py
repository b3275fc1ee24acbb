"""Result types: what a theme hands to the writers (a contract, read by every writer).

A :class:`ThemeResult` holds :class:`VectorLayer` and :class:`RasterLayer`
objects with their styles, fields and provenance, the parameters recorded in
the manifest and the notes shown on the map. The module imports nothing of
the catalog, the themes or the writers: writers depend on it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np

from geo.i18n import Text
from geo.raster import Raster
from geo.symbology import FieldSpec, RasterClasses, RasterRamp, VectorStyle

__all__ = [
    "RasterLayer",
    "ThemeResult",
    "VectorLayer",
    "WhatIf",
    "WhatIfConstraint",
    "WhatIfCriterion",
    "WhatIfZone",
]


@dataclass
class VectorLayer:
    """A vector layer of a theme, with everything a writer needs to show it.

    Parameters
    ----------
    name : str
        ASCII snake_case table name in the GeoPackage (``suitability_by_zone``).
    title, description : Text
        Human title and explanation in every language.
    data : GeoDataFrame
        The features, in any CRS (writers reproject).
    style : VectorStyle
        How it looks, in HTML, QGIS and PNG alike.
    fields : tuple of FieldSpec
        Fields shown in tooltips/popups, with translated aliases.
    source, licence : Text or str
        Provenance, in every language (a plain string is shown as is in every
        language); ``synthetic`` marks invented data.
    label_field : str, optional
        Field used for map labels.
    show : bool
        Visible when the map opens.
    popup_html : str, optional
        Name of a column holding extra *trusted* HTML (charts built by the
        toolkit from numbers, never from text in the data).
    aliases : dict
        Column → translated alias of columns not in *fields* (shown by QGIS
        in the attribute table and forms, not in the map popups); columns
        shared by several layers take theirs from :data:`geo.i18n.FIELDS`.
    value_maps : dict
        Column → code → translated label of coded columns (QGIS "Value map"
        widgets); a Categorized style's classes and :data:`geo.i18n.CODES`
        are used too.
    """

    name: str
    title: Text
    data: gpd.GeoDataFrame
    style: VectorStyle
    fields: tuple[FieldSpec, ...] = ()
    description: Text | None = None
    source: Text | str = ""
    licence: Text | str = ""
    synthetic: bool = False
    label_field: str | None = None
    show: bool = True
    popup_html: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, Text | str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, Text | str]] = field(default_factory=dict)


@dataclass
class RasterLayer:
    """A raster layer of a theme (written as a COG in ``rasters/``)."""

    name: str
    title: Text
    raster: Raster
    style: RasterRamp | RasterClasses
    description: Text | None = None
    source: Text | str = ""
    """Provenance in every language, or a plain string shown as is; ``licence`` likewise."""
    licence: Text | str = ""
    synthetic: bool = False
    show: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WhatIfCriterion:
    """A criterion the What-if panel weighs: its quantised factor on the grid and its weight.

    Parameters
    ----------
    id : str
        The recipe's criterion id.
    title : Text
        Its title in every language.
    weight : float
        The weight the build used (float64, summing to 1 over the criteria).
    factor : numpy.ndarray
        uint16 ``round(membership·quantum)`` per cell, ``no_factor`` where no data.
    """

    id: str
    title: Text
    weight: float
    factor: np.ndarray


@dataclass(frozen=True)
class WhatIfConstraint:
    """A constraint the panel can switch off: the cells it excludes and its recipe table."""

    id: str
    kind: str
    optional: bool
    excluded: np.ndarray
    toml: str
    """The recipe's ``[constraints.<id>]`` table as TOML (written when switched on)."""
    title: Text | None = None
    """Its name in every language, when the recipe gives one (else the panel shows its id)."""


@dataclass(frozen=True)
class WhatIfZone:
    """A zone of the areas table: the grid cells it covers and the exact fraction of each."""

    id: str
    name: Text
    kind: str
    cells: np.ndarray
    """Row-major cell indices (int64) of the cells the zone touches."""
    coverage: np.ndarray
    """Fraction (float64, 0–1] of each of those cells inside the zone."""


@dataclass(frozen=True)
class WhatIf:
    """Everything a map page needs to recompute a suitability map in the browser.

    The classes follow from integers and IEEE float64 alone (see
    :func:`geo.models.mcda.quantised_score`): with these factors, weights,
    masks and breaks the page gets the build's class raster cell for cell.

    Parameters
    ----------
    classes : Raster
        The build's class raster, the ``raster`` of one of the result's layers (its
        grid is the panel's grid; 1–4 = S1–N, 0 = no data).
    raster : str
        The theme's name of that layer (before the build prefixes it).
    quantum, no_factor : int
        Factors are ``q / quantum``; *no_factor* marks a cell without data.
    criteria, constraints, zones : tuple
        In the recipe's order (constraints: the ones the build applied).
    breaks : (float, float, float)
        Lower bounds of S3, S2, S1.
    order_weights : tuple of float, optional
        OWA order weights (rank 1 = lowest factor); WLC when None.
    ahp : mapping, optional
        The recipe's pairwise matrix (rows in criterion order), ``ri`` (the random
        index of each n), ``ri_table`` and ``max_cr``.
    cell_ha : float
        Area of one cell in hectares.
    recipe_file : str
        File name of the recipe the panel writes.
    recipe_head : str
        The recipe as TOML without ``[weights]``, ``[aggregation]`` and the tables of
        *constraints*; empty when it cannot be written back.
    recipe_tables : mapping
        ``weights`` and ``aggregation``: the recipe's own tables as TOML (written
        while the panel keeps the recipe's weights or order weights).
    recipe_ids : tuple of str
        Every criterion id of the recipe, in its order (skipped ones included).
    """

    classes: Raster
    raster: str
    quantum: int
    no_factor: int
    criteria: tuple[WhatIfCriterion, ...]
    constraints: tuple[WhatIfConstraint, ...]
    breaks: tuple[float, float, float]
    order_weights: tuple[float, ...] | None
    ahp: dict[str, Any] | None
    zones: tuple[WhatIfZone, ...]
    cell_ha: float
    recipe_file: str
    recipe_head: str
    recipe_tables: dict[str, str] = field(default_factory=dict)
    recipe_ids: tuple[str, ...] = ()


@dataclass
class ThemeResult:
    """What a theme hands to the writers.

    Parameters
    ----------
    theme : str
        The theme id (``pollution``).
    title : Text
        The map's title in every language.
    vectors, rasters : list
        The layers, in drawing order.
    parameters : dict
        Recorded verbatim in ``manifest.json`` (weights, CR, tables used,
        citations).
    notes : list of Text
        Limitations shown on the map.
    inputs : list of str
        The catalog layer ids the theme read.
    name : str
        The recipe's name: file names of the map and sheet, the manifest key.
        The build sets it from the recipe; empty means the theme id.
    description : Text, optional
        A short description for the atlas page and the map's panel.
    map_focus : (west, south, east, north), optional
        Where the map opens, in degrees; the layers' extent when None.
    extent : (west, south, east, north), optional
        The area the theme modelled, in degrees (its study area with the buffer):
        a theme reading this result elsewhere finds nothing modelled there.
    provenance : dict
        Catalog layer id → its source, licence, attribution (each a text in every
        language or a plain string) and synthetic flag, for the ids in *inputs*
        (set by the build): a computed layer without a licence of its own is
        recorded as derived from these.
    whatif : WhatIf, optional
        What the map page needs to recompute the theme in the browser (the
        land-suitability theme); the HTML writer adds the What-if panel when set.
    """

    theme: str
    title: Text
    vectors: list[VectorLayer] = field(default_factory=list)
    rasters: list[RasterLayer] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    name: str = ""
    description: Text | None = None
    map_focus: tuple[float, float, float, float] | None = None
    extent: tuple[float, float, float, float] | None = None
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    whatif: WhatIf | None = None

    def covers(self, bounds: tuple[float, float, float, float]) -> bool:
        """Whether the modelled area meets *bounds* (degrees); True when the extent is unknown."""
        if self.extent is None:
            return True
        w, s, e, n = self.extent
        return not (bounds[2] <= w or bounds[0] >= e or bounds[3] <= s or bounds[1] >= n)

    def recorded_parameters(self) -> dict[str, Any]:
        """The parameters as recorded (manifest, GeoPackage metadata): with description and view."""
        out = dict(self.parameters)
        if self.description is not None:
            out["description"] = self.description
        if self.map_focus is not None:
            out["map_focus"] = list(self.map_focus)
        return out

    @property
    def key(self) -> str:
        """The result's name in the atlas: the recipe name, else the theme id."""
        return self.name or self.theme
