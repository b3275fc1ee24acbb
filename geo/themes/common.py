"""Helpers shared by the theme modules: recipe values, cited tables, units, results.

Every theme reads a recipe, checks numbers and tables against it, resolves
the cited CSV tables in ``layers/``, shows units in three languages and
records its parameters in ``manifest.json``. Those steps live here once, so
an error message or a translated unit reads the same on every map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo.catalog import default_layers_dir
from geo.errors import DataError, InputError
from geo.grid import AnalysisGrid
from geo.i18n import LANGUAGES, UNITS, Text, check_text, unit
from geo.io import read_table
from geo.recipe import Recipe
from geo.results import ThemeResult
from geo.themes.base import ThemeInputs

__all__ = [
    "UNITS",
    "check_tables",
    "json_records",
    "layer_data",
    "layer_where",
    "read_cited_table",
    "recipe_choice",
    "recipe_list",
    "recipe_number",
    "recipe_text",
    "require_columns",
    "suffixed",
    "table_path",
    "unit",
    "zones_by_utm",
]


# -- recipe values ---------------------------------------------------------------------------
def check_tables(recipe: Recipe, allowed: Mapping[str, Sequence[str]]) -> None:
    """Refuse unknown keys in each of the recipe's tables that is present.

    Parameters
    ----------
    recipe : Recipe
        The recipe being read.
    allowed : mapping
        Table name → the keys it may hold; tables absent from the recipe are
        skipped (they take their defaults).

    Raises
    ------
    RecipeError
        An unknown key (a typo), naming the recipe line.
    """
    for table, keys in allowed.items():
        if table in recipe.data:
            recipe.require_keys(table, keys)


def recipe_number(
    recipe: Recipe,
    key: str,
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    strict: bool = True,
) -> float:
    """A finite number from the recipe, optionally within ``[lo, hi]``.

    Parameters
    ----------
    recipe : Recipe
        The recipe being read.
    key : str
        Dotted key (``"method.A"``).
    default : Any
        Value when the key is absent.
    lo, hi : float, optional
        Inclusive bounds.
    strict : bool
        True: only TOML numbers are accepted ("must be a number, got …");
        False: anything ``float()`` reads ("… is not a number").

    Returns
    -------
    float

    Raises
    ------
    RecipeError
        Not a number or out of bounds, naming the recipe line.
    """
    v = recipe.get(key, default)
    if strict:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
            raise recipe.error(key, f"must be a number, got {v!r}")
        f = float(v)
        if lo is not None and f < lo:
            raise recipe.error(key, f"must be ≥ {lo}, got {v}")
        if hi is not None and f > hi:
            raise recipe.error(key, f"must be ≤ {hi}, got {v}")
        return f
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise recipe.error(key, f"{v!r} is not a number") from None
    low = -math.inf if lo is None else lo
    high = math.inf if hi is None else hi
    if not low <= f <= high:
        raise recipe.error(key, f"{f:g} is outside {low:g}–{high:g}")
    return f


def recipe_list(recipe: Recipe, key: str, default: Sequence[Any]) -> list[Any]:
    """The list at *key* (``default`` when absent).

    Raises
    ------
    RecipeError
        The value is not a list, naming the recipe line.
    """
    value = recipe.get(key, list(default))
    if not isinstance(value, list):
        raise recipe.error(key, 'must be a list, e.g. ["a", "b"]')
    return value


def recipe_choice(recipe: Recipe, key: str, default: str, allowed: Sequence[str]) -> str:
    """The text at *key*, which must be one of *allowed*.

    Raises
    ------
    RecipeError
        Any other value, naming the recipe line and the choices.
    """
    value = str(recipe.get(key, default))
    if value not in allowed:
        raise recipe.error(key, f"{value!r} is not one of {', '.join(allowed)}; use one of them")
    return value


def recipe_text(recipe: Recipe, key: str, default: Text) -> Text:
    """A translated text from the recipe (``{ en = …, kk = …, ru = … }``), checked complete.

    Returns
    -------
    Text
        The recipe's text, or *default* when the key is absent.

    Raises
    ------
    RecipeError
        A language is missing, naming the recipe line.
    """
    value = recipe.get(key, default)
    if not isinstance(value, Mapping):
        raise recipe.error(key, 'must be a table { en = "…", kk = "…", ru = "…" }')
    try:
        check_text(value, key)
    except ValueError as exc:
        raise recipe.error(key, str(exc)) from None
    return value


# -- cited tables ----------------------------------------------------------------------------
def table_path(
    recipe: Recipe, key: str, default: str | None, *, root: Path | None = None
) -> Path | None:
    """Resolve the table path at *key*: relative to the layers folder, or absolute.

    Parameters
    ----------
    recipe : Recipe
        The recipe being read.
    key : str
        Dotted key (``"tables.normative_life"``).
    default : str or None
        Path used when the key is absent; None makes the table optional.
    root : Path, optional
        The catalog's layers folder (``Catalog.layers_dir``); the embedded one
        by default.

    Returns
    -------
    Path or None
        None when the table is optional and not given (or given as "").

    Raises
    ------
    RecipeError
        Not a path, or no such file, naming the recipe line.
    """
    value = recipe.get(key, default)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise recipe.error(key, f"{value!r} must be a path (text)")
    p = Path(value)
    folder = root or default_layers_dir()
    path = p if p.is_absolute() else folder / p
    if not path.is_file():
        raise recipe.error(
            key,
            f"{path} not found; give a path relative to {folder} or an absolute one",
        )
    return path


def require_columns(
    df: pd.DataFrame,
    columns: Sequence[str],
    where: str,
    *,
    hint: str = "add it",
    error: type[InputError] = DataError,
) -> None:
    """Raise *error* naming *where* and the first of *columns* missing from *df*.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "t.csv")
    Traceback (most recent call last):
    ...
    geo.errors.DataError: t.csv: required column 'b' is missing; add it
    """
    for col in columns:
        if col not in df.columns:
            msg = f"{where}: required column {col!r} is missing; {hint}"
            raise error(msg)


def read_cited_table(path: Path, what: str, columns: Sequence[str], *, hint: str) -> pd.DataFrame:
    """Read a cited CSV table and check it has *columns*.

    Parameters
    ----------
    path : Path
        The table (UTF-8 CSV).
    what : str
        What the table is, for messages (``"MPC table"``).
    columns : sequence of str
        Required columns.
    hint : str
        The fix named when a column is missing.

    Raises
    ------
    DataError
        Unreadable, empty, or a required column missing (the path is named).
    """
    df = read_table(path, what=what)
    require_columns(df, columns, str(path), hint=hint)
    return df


def json_records(df: pd.DataFrame, digits: int = 4) -> list[dict[str, Any]]:
    """Rows of *df* as JSON-friendly dicts (NaN → None, numpy scalars → Python, floats rounded).

    Examples
    --------
    >>> json_records(pd.DataFrame({"a": [1.234567, np.nan], "b": ["x", None]}))
    [{'a': 1.2346, 'b': 'x'}, {'a': None, 'b': None}]
    """
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float | np.floating):
                clean[str(k)] = None if math.isnan(float(v)) else round(float(v), digits)
            elif isinstance(v, np.integer):
                clean[str(k)] = int(v)
            elif v is pd.NA or v is None:
                clean[str(k)] = None
            else:
                clean[str(k)] = v if isinstance(v, int | str | bool) else str(v)
        out.append(clean)
    return out


def layer_where(ctx: ThemeInputs, layer_id: str) -> str:
    """How messages name a catalog layer: ``layer 'x'``, with the user's file when overridden.

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> layer_where(ThemeInputs(Catalog()), "enterprises")
    "layer 'enterprises'"
    """
    where = f"layer {layer_id!r}"
    if ctx.catalog.is_overridden(layer_id):
        where = f"{ctx.catalog.overrides[layer_id]} ({where})"
    return where


# -- results ---------------------------------------------------------------------------------
def layer_data(result: ThemeResult | None, name: str, *, raster: bool = False) -> Any:
    """The data of layer *name* in an earlier theme's *result*.

    Parameters
    ----------
    result : ThemeResult or None
        E.g. the pollution theme's result read by the suitability theme.
    name : str
        Layer name; raster names match exactly or by suffix
        (``suitability_pollution_index`` matches ``pollution_index``).
    raster : bool
        Look among the rasters instead of the vectors.

    Returns
    -------
    GeoDataFrame, Raster or None
        None when *result* is None or has no such layer.
    """
    if result is None:
        return None
    if raster:
        for rl in result.rasters:
            if rl.name == name or rl.name.endswith(name):
                return rl.raster
        return None
    for vl in result.vectors:
        if vl.name == name:
            return vl.data
    return None


def suffixed(title: Text, suffix: Text) -> Text:
    """``"<title>: <suffix>"`` in every language.

    Examples
    --------
    >>> from geo.i18n import text
    >>> suffixed(text("Soil", "Топырақ", "Почва"), text("score", "балл", "балл"))["kk"]
    'Топырақ: балл'
    """
    return {lang: f"{title[lang]}: {suffix[lang]}" for lang in LANGUAGES}


def zones_by_utm(
    src: gpd.GeoDataFrame, widths: Mapping[str, float], grid: AnalysisGrid, *, citation: str
) -> gpd.GeoDataFrame:
    """Sanitary zones buffered in each source's own UTM zone (the CRS policy), in the grid's CRS.

    Shu lies in UTM 43N while the dispersion grid of Zhanatas and Karatau is in
    42N: buffering every source in the grid's zone would make Shu's zones
    slightly short on the ground. The pollution theme and the land-suitability
    constraint (when the pollution theme does not cover its area) both draw
    the zones here.
    """
    from geo.crs import WGS84, to_crs, utm_crs_for
    from geo.models.spz import sanitary_zones

    ll = to_crs(src, WGS84, what="sources").geometry.representative_point()
    zone_of = [utm_crs_for(p.x, p.y) for p in ll]
    parts = []
    for name in sorted({z.srs for z in zone_of}):
        part = src[[z.srs == name for z in zone_of]]
        zones = sanitary_zones(part, widths, crs=CRS.from_user_input(name), citation=citation)
        parts.append(to_crs(zones.set_index(part.index), grid.crs, what="sanitary zones"))
    out = pd.concat(parts).loc[src.index].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=grid.crs)
