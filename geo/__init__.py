"""Shu-Talas Atlas: thematic GIS maps for the small towns of Zhambyl oblast.

The Python API mirrors the ``geo`` command:

>>> from geo import Catalog
>>> cat = Catalog()                      # the embedded layer catalog
>>> rivers = cat.read("rivers")          # a GeoDataFrame in EPSG:4326
>>> len(rivers) > 0
True

``build_atlas(out)`` writes the whole atlas folder; ``build_theme(recipe, out)``
one thematic map. Models live in :mod:`geo.models` (pure functions on arrays
and GeoDataFrames); writers in :mod:`geo.writers`.
"""

from __future__ import annotations

# shapely first, so its GEOS is loaded before the GDAL-bearing wheels (pyogrio, rasterio)
import shapely  # noqa: F401

from geo.build import build_atlas, build_theme, run_recipe, theme_map
from geo.catalog import Catalog
from geo.errors import (
    AtlasError,
    AtlasWarning,
    CRSError,
    DataError,
    GeometryError,
    IndicatorError,
    InputError,
    LayerNotFoundError,
    OutputExistsError,
    RecipeError,
    RepairWarning,
)
from geo.grid import AnalysisGrid
from geo.layerspec import LayerSpec
from geo.raster import Raster
from geo.recipe import Recipe, load_recipe

__all__ = [
    "AnalysisGrid",
    "AtlasError",
    "AtlasWarning",
    "CRSError",
    "Catalog",
    "DataError",
    "GeometryError",
    "IndicatorError",
    "InputError",
    "LayerNotFoundError",
    "LayerSpec",
    "OutputExistsError",
    "Raster",
    "Recipe",
    "RecipeError",
    "RepairWarning",
    "build_atlas",
    "build_theme",
    "load_recipe",
    "run_recipe",
    "theme_map",
]

__version__ = "0.1.0"
