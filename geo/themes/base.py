"""The contract between themes, the build and the writers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo.i18n import Text
from geo.raster import Raster
from geo.symbology import FieldSpec, RasterClasses, RasterRamp, VectorStyle

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["BuildContext", "RasterLayer", "ThemeResult", "VectorLayer"]

log = logging.getLogger(__name__)


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
    source, licence : str
        Provenance; ``synthetic`` marks invented data.
    label_field : str, optional
        Field used for map labels.
    show : bool
        Visible when the map opens.
    popup_html : str, optional
        Name of a column holding extra *trusted* HTML (charts built by the
        toolkit from numbers, never from text in the data).
    """

    name: str
    title: Text
    data: gpd.GeoDataFrame
    style: VectorStyle
    fields: tuple[FieldSpec, ...] = ()
    description: Text | None = None
    source: str = ""
    licence: str = ""
    synthetic: bool = False
    label_field: str | None = None
    show: bool = True
    popup_html: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class RasterLayer:
    """A raster layer of a theme (written as a COG in ``rasters/``)."""

    name: str
    title: Text
    raster: Raster
    style: RasterRamp | RasterClasses
    description: Text | None = None
    source: str = ""
    licence: str = ""
    synthetic: bool = False
    show: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class ThemeResult:
    """What a theme hands to the writers.

    ``parameters`` is recorded verbatim in ``manifest.json`` (weights, CR,
    tables used, citations); ``notes`` are limitations shown on the map.
    ``inputs`` lists the catalog layer ids the theme read.
    """

    theme: str
    title: Text
    vectors: list[VectorLayer] = field(default_factory=list)
    rasters: list[RasterLayer] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)


@dataclass
class BuildContext:
    """What a theme may read: the catalog (with user overrides), the language, earlier results.

    Parameters
    ----------
    catalog : Catalog
        Reads layers by id; ``--layer ID=PATH`` overrides are already applied.
    lang : str
        Language of the build (``en``, ``kk`` or ``ru``).
    results : dict
        Results of themes built earlier in the same run, by theme id.
    progress : bool
        Whether long loops may show a progress bar on stderr.
    """

    catalog: Catalog
    lang: str = "en"
    results: dict[str, ThemeResult] = field(default_factory=dict)
    progress: bool = False

    def layer(self, layer_id: str) -> Any:
        """Read a catalog layer (GeoDataFrame, Raster or DataFrame)."""
        return self.catalog.read(layer_id)
