"""The theme protocol: what a theme declares, what it is handed, what it returns.

Every theme is a package under :mod:`geo.themes` with the same parts
(``settings``, ``inputs``, steps by concern, ``layers``, ``report``) and, in
its ``__init__``, three names:

``SPEC``
    A :class:`ThemeSpec`: the theme id, the top-level recipe keys it accepts,
    the themes whose results it reads, where its default recipe is.
``read_settings(recipe, catalog) -> Settings``
    The recipe parsed and checked into a frozen, typed dataclass; every
    complaint names the recipe line.
``build(inputs, settings) -> ThemeResult``
    The theme itself, from a :class:`ThemeInputs` (catalog, language, the
    results of the themes it requires) and its settings. It never writes files
    and never imports :mod:`geo.build`.

:mod:`geo.build` checks a recipe's top-level keys against ``SPEC``, orders the
themes by what they require, builds a required theme from its default recipe
when the run has none, names the layers of a second recipe of the same theme
(:func:`layer_prefix`) and hands each theme its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from geo.chunks import Execution
from geo.results import ThemeResult

if TYPE_CHECKING:
    from geo.catalog import Catalog
    from geo.cost import CostEstimate
    from geo.recipe import Recipe

__all__ = ["COMMON_KEYS", "Theme", "ThemeInputs", "ThemeSpec", "layer_prefix"]

COMMON_KEYS = ("theme", "name", "title", "description", "output_prefix")
"""Top-level recipe keys every theme accepts."""


@dataclass(frozen=True)
class ThemeSpec:
    """What a theme declares about itself.

    Parameters
    ----------
    id : str
        The ``theme`` key of its recipes (``land_suitability``).
    recipe_keys : tuple of str
        Top-level recipe keys (tables) it accepts besides :data:`COMMON_KEYS`;
        anything else is refused with the recipe line.
    requires : tuple of str
        Themes whose results it reads; they are built first.
    default_recipe : str, optional
        The shipped recipe built when another theme requires this one and the
        run has no recipe of it.
    layer_prefix : str
        Prefix of the layer names of the recipe named like the theme (the
        shipped one): ``""`` keeps bare names (``pollution_index``). Any other
        recipe's layers take its name (see :func:`layer_prefix`).
    """

    id: str
    recipe_keys: tuple[str, ...]
    requires: tuple[str, ...] = ()
    default_recipe: str | None = None
    layer_prefix: str = ""

    @property
    def allowed_keys(self) -> tuple[str, ...]:
        """Every top-level key a recipe of this theme may hold."""
        return COMMON_KEYS + tuple(k for k in self.recipe_keys if k not in COMMON_KEYS)


def layer_prefix(spec: ThemeSpec, recipe: Recipe) -> str:
    """The prefix of a recipe's layer and raster names: the one rule for every theme.

    A recipe's ``output_prefix`` wins; the recipe named like its theme (the
    shipped one) uses ``spec.layer_prefix``; any other recipe uses its name, so
    two recipes of one theme never write the same layer.

    Examples
    --------
    >>> from pathlib import Path
    >>> from geo.recipe import Recipe
    >>> spec = ThemeSpec("pollution", ("grid",))
    >>> layer_prefix(spec, Recipe({"theme": "pollution"}, Path("pollution.toml")))
    ''
    >>> layer_prefix(spec, Recipe({"theme": "pollution"}, Path("winter.toml")))
    'winter'
    """
    given = recipe.data.get("output_prefix")
    if given is not None:
        return str(given)
    return spec.layer_prefix if recipe.name == spec.id else recipe.name


@dataclass
class ThemeInputs:
    """What a theme is handed: the catalog (with user overrides), the language, required results.

    Parameters
    ----------
    catalog : Catalog
        Reads layers by id; ``--layer ID=PATH`` overrides are already applied.
    lang : str
        Language of the build (``en``, ``kk`` or ``ru``).
    results : mapping
        Results of the themes this theme requires, by theme id.
    progress : bool
        Whether long loops may show a progress bar on stderr.
    prefix : str
        Prefix of this recipe's layer names (:func:`layer_prefix`).
    execution : Execution, optional
        Where raster steps run in chunks and how large (:mod:`geo.chunks`: the
        scheduler, the chunk size); None computes them whole in memory.
    """

    catalog: Catalog
    lang: str = "en"
    results: Mapping[str, ThemeResult] = field(default_factory=dict)
    progress: bool = False
    prefix: str = ""
    execution: Execution | None = field(default_factory=Execution)

    def layer(self, layer_id: str) -> Any:
        """Read a catalog layer (GeoDataFrame, Raster or DataFrame)."""
        return self.catalog.read(layer_id)

    def name(self, local: str) -> str:
        """A layer's name in the atlas: *local* with this recipe's prefix.

        Examples
        --------
        >>> from geo.catalog import Catalog
        >>> ThemeInputs(Catalog(), prefix="winter").name("pollution_index")
        'winter_pollution_index'
        >>> ThemeInputs(Catalog()).name("pollution_index")
        'pollution_index'
        """
        return f"{self.prefix}_{local}" if self.prefix else local


class Theme(Protocol):
    """A theme package (``geo.themes.pollution`` ...), as the build sees it."""

    SPEC: ThemeSpec

    def read_settings(self, recipe: Recipe, catalog: Catalog) -> Any:
        """The recipe parsed and checked into the theme's frozen settings."""

    def build(self, inputs: ThemeInputs, settings: Any) -> ThemeResult:
        """The theme's result."""

    def estimate(self, settings: Any, catalog: Catalog) -> tuple[CostEstimate, str]:
        """What building it will cost (:func:`geo.cost.estimate`) and the recipe key to change."""
