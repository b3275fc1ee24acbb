"""Recipe reading for the infrastructure-wear theme.

Reads and checks ``maps/infrastructure_wear.toml`` (or a user's copy): the
wear curve, reference year and replacement threshold (``[wear]``), the three
cited tables (``[tables]``, read and checked here), the wear classes
(``[classes]``), the priority weights (``[priority]``) and the towns
(``[area]``). Every bad value raises a :class:`~geo.errors.RecipeError`
naming the recipe file and line; a bad table a
:class:`~geo.errors.DataError` naming the file and row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo.area import AreaRequest, read_area
from geo.errors import RecipeError
from geo.io import read_table
from geo.models import wear as W
from geo.recipe import Recipe
from geo.themes.common import check_tables, table_path

__all__ = [
    "TABLE_KEYS",
    "CitedTable",
    "CitedTables",
    "PriorityWeights",
    "WearSettings",
    "read_settings",
]

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "wear": ("method", "reference_year", "replace_at_pct"),
    "tables": ("normative_life", "inspection_grades", "unit_costs"),
    "classes": ("breaks",),
    "priority": ("wear", "population"),
}
"""Keys each recipe table may hold; anything else is a typo, refused with its line."""

DEFAULT_TABLES = {
    "normative_life": "tables/normative_life.csv",
    "inspection_grades": "tables/inspection_grades.csv",
}
"""Tables read when the recipe leaves them out (``unit_costs`` is optional: no default)."""

DEFAULTS: dict[str, Any] = {
    "wear.method": "linear",
    "wear.reference_year": 2023,
    "wear.replace_at_pct": 75,
    "priority.wear": 0.6,
    "priority.population": 0.4,
}
"""Values of keys the recipe leaves out (the shipped recipe states each of them)."""


@dataclass(frozen=True)
class CitedTable:
    """A checked, cited table and the file it was read from."""

    data: pd.DataFrame
    path: Path


@dataclass(frozen=True)
class CitedTables:
    """``[tables]``: normative lives, inspection grades and (optional) unit costs."""

    normative_life: CitedTable
    inspection_grades: CitedTable
    unit_costs: CitedTable | None

    @property
    def currency(self) -> str | None:
        """The currency of the unit costs (None without a cost table)."""
        if self.unit_costs is None:
            return None
        return str(self.unit_costs.data["currency"].iloc[0])


@dataclass(frozen=True)
class PriorityWeights:
    """``[priority]``: weights of wear and population in the priority score (not normalised)."""

    wear: float
    population: float

    def as_dict(self) -> dict[str, float]:
        """``{"wear": ..., "population": ...}`` as the model and the manifest take it."""
        return {"wear": self.wear, "population": self.population}


@dataclass(frozen=True)
class WearSettings:
    """Everything the theme reads from its recipe, checked.

    Parameters
    ----------
    method : str
        Age-wear curve (``linear`` or ``ross``).
    reference_year : int
        Year ages are counted to.
    replace_at_pct : float
        Wear (%) at or above which a segment is due for replacement.
    classes : WearClasses
        Wear classes of the maps and the kilometre columns.
    weights : PriorityWeights
        Priority weights.
    area : AreaRequest
        The towns (``[area]``): a list, a box or a polygon; the study towns by default.
    tables : CitedTables
        The three cited tables, read and checked.
    """

    method: str
    reference_year: int
    replace_at_pct: float
    classes: W.WearClasses
    weights: PriorityWeights
    area: AreaRequest
    tables: CitedTables

    def towns_error(self, message: str) -> RecipeError:
        """A :class:`RecipeError` on ``area.towns`` naming the recipe line (or the flag)."""
        return RecipeError(f"{self.area.at('towns')}: {message}")


def _is_number(value: Any, kind: type | tuple[type, ...] = (int, float)) -> bool:
    """True for a TOML number of *kind* (booleans are not numbers here)."""
    return isinstance(value, kind) and not isinstance(value, bool)


def _wear(recipe: Recipe) -> tuple[str, int, float]:
    """``[wear]``: method, reference year, replacement threshold."""
    method = recipe.get("wear.method", DEFAULTS["wear.method"])
    if method not in W.METHODS:
        raise recipe.error(
            "wear.method", f"{method!r} is not a wear curve; use one of {', '.join(W.METHODS)}"
        )
    year = recipe.get("wear.reference_year", DEFAULTS["wear.reference_year"])
    if not _is_number(year, int) or not W.MIN_INSTALL_YEAR <= year <= 2100:
        raise recipe.error(
            "wear.reference_year", f"{year!r} is not a year; write e.g. 2023 (the survey year)"
        )
    replace_at = recipe.get("wear.replace_at_pct", DEFAULTS["wear.replace_at_pct"])
    if not _is_number(replace_at) or not 0 <= replace_at <= 100:
        raise recipe.error("wear.replace_at_pct", f"{replace_at!r} must be a percentage 0–100")
    return str(method), int(year), float(replace_at)


def _classes(recipe: Recipe) -> W.WearClasses:
    """``[classes]``: the wear class breaks."""
    breaks = recipe.get("classes.breaks", list(W.DEFAULT_BREAKS))
    try:
        if not isinstance(breaks, list) or not all(isinstance(b, int | float) for b in breaks):
            raise ValueError(f"got {breaks!r}")
        return W.WearClasses(tuple(float(b) for b in breaks))
    except ValueError as exc:
        raise recipe.error("classes.breaks", f"{exc}; e.g. [0, 25, 50, 75, 100]") from None


def _weights(recipe: Recipe) -> PriorityWeights:
    """``[priority]``: non-negative weights, not all zero."""
    weights: dict[str, float] = {}
    for key in ("wear", "population"):
        v = recipe.get(f"priority.{key}", DEFAULTS[f"priority.{key}"])
        if not _is_number(v) or v < 0:
            raise recipe.error(f"priority.{key}", f"{v!r} must be a number ≥ 0")
        weights[key] = float(v)
    if sum(weights.values()) <= 0:
        raise recipe.error(
            "priority.wear", "the priority weights are all zero; give wear or population a weight"
        )
    return PriorityWeights(**weights)


_CHECKS = {
    "normative_life": W.check_life_table,
    "inspection_grades": W.check_grade_table,
    "unit_costs": W.check_cost_table,
}


def _table(recipe: Recipe, key: str, required: bool) -> CitedTable | None:
    """The checked table at ``tables.<key>`` (None for an absent optional one)."""
    path = table_path(recipe, f"tables.{key}", DEFAULT_TABLES.get(key) if required else None)
    if path is None:
        return None
    df = read_table(path, what=f"{key} table")
    return CitedTable(_CHECKS[key](df, str(path)), path)


def _tables(recipe: Recipe) -> CitedTables:
    """``[tables]``: the two required tables (defaults shipped) and the optional unit costs."""
    lives = _table(recipe, "normative_life", True)
    grades = _table(recipe, "inspection_grades", True)
    assert lives is not None and grades is not None  # required: a default path always exists
    return CitedTables(lives, grades, _table(recipe, "unit_costs", False))


def read_settings(recipe: Recipe) -> WearSettings:
    """Read and check the recipe: wear curve, tables, classes, priority, towns.

    The top-level keys are checked by the build (the theme's ``SPEC``); every
    table's keys are checked here.

    Raises
    ------
    RecipeError
        An unknown key or a bad value, naming the recipe file and line.
    DataError
        A cited table breaks its schema (file and row named).
    """
    check_tables(recipe, TABLE_KEYS)
    method, year, replace_at = _wear(recipe)
    classes = _classes(recipe)
    weights = _weights(recipe)
    return WearSettings(
        method=method,
        reference_year=year,
        replace_at_pct=replace_at,
        classes=classes,
        weights=weights,
        area=read_area(recipe, buffer_m=0.0),
        tables=_tables(recipe),
    )
