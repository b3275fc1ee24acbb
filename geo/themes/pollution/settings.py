"""Recipe reading for the pollution theme: :func:`read_settings` → :class:`PollutionSettings`.

Reads and checks ``maps/pollution.toml`` (or a user's copy) once, before any
heavy work: the allowed keys of each table, the dispersion method and its
coefficients, the wind rose, the pollutants with their MPCs from the cited MPC
table, the index, the grid, the sanitary-zone table and layers, the exposure
towns. Every bad value raises a :class:`~geo.errors.RecipeError` naming the
recipe file and line; the theme's steps read the frozen settings, never the
recipe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.area import AreaRequest, read_area
from geo.errors import InputError, RecipeError
from geo.models.dispersion import METHODS, MethodCoefficients, WindRose
from geo.recipe import Recipe
from geo.themes.common import check_tables, read_cited_table, recipe_number, table_path

if TYPE_CHECKING:
    from geo.catalog import Catalog

__all__ = ["Pollutant", "PollutionSettings", "SpzSettings", "read_settings"]


_METHOD = (
    "name", "A", "eta", "air_temp_c", "air_temp_heating_c", "area_source_points", "s2_floor",
    "max_distance_m", "coefficients", "dtype",
)  # fmt: skip


_WIND = ("directions", "frequencies", "speeds", "add_dangerous_speed")


_POLL = ("mpc_table", "ids", "F")


_INDEX = ("method", "pollutants")


_SPZ = (
    "table",
    "residential_layer",
    "agricultural_layer",
    "agricultural_field",
    "agricultural_values",
)


@dataclass(frozen=True)
class Pollutant:
    """A pollutant of the recipe with its MPCs from the cited table."""

    id: str
    mpc: float
    F: float
    names: dict[str, str]
    citation: str
    status: str
    mpc_daily: float | None
    hazard_class: str | None

    def record(self) -> dict[str, Any]:
        """What the manifest records of it."""
        keys = ("id", "mpc", "mpc_daily", "hazard_class", "F", "citation", "status")
        return {k: getattr(self, k) for k in keys} | {"name": self.names["en"]}


@dataclass(frozen=True)
class SpzSettings:
    """Sanitary protection zones: the cited width table and the layers they are set against."""

    table: Path
    table_shown: str
    residential_layer: str
    agricultural_layer: str | None
    agricultural_field: str | None
    agricultural_values: tuple[Any, ...]
    field_where: str = "spz.agricultural_field"
    """Where the recipe names the agricultural field (``file:line: key``), for later checks."""

    def field_error(self, message: str) -> RecipeError:
        """An error about the agricultural field, naming its recipe line."""
        return RecipeError(f"{self.field_where}: {message}")


@dataclass(frozen=True)
class PollutionSettings:
    """Everything the pollution theme reads from its recipe, checked."""

    method: str
    A: float
    eta: float
    s2_floor: float
    max_distance: float
    dtype: str
    coefficients: MethodCoefficients
    wind: WindRose
    add_dangerous_speed: bool
    air_temp_c: float
    air_temp_heating_c: float
    area_source_points: int
    mpc_path: str
    pollutants: tuple[Pollutant, ...]
    index_ids: tuple[str, ...]
    area: AreaRequest
    spz: SpzSettings
    index_weights: np.ndarray = field(compare=False)


def _num(recipe: Recipe, key: str, default: Any, *, lo: float | None = None) -> float:
    return recipe_number(recipe, key, default, lo=lo)


def _mpc_table(recipe: Recipe, root: Path | None) -> tuple[pd.DataFrame, str]:
    path = table_path(recipe, "pollutants.mpc_table", "tables/mpc_ambient_air.csv", root=root)
    assert path is not None  # a default is given
    df = read_cited_table(
        path,
        "MPC table",
        ("pollutant", "mpc_max_mg_m3", "citation"),
        hint="columns are pollutant, name_en, name_kk, name_ru, mpc_max_mg_m3, mpc_daily_mg_m3, hazard_class, citation, status",
    )
    return df, str(path)


def _pollutants(recipe: Recipe, mpc: pd.DataFrame, mpc_path: str) -> tuple[Pollutant, ...]:
    ids = recipe.get("pollutants.ids")
    if not isinstance(ids, list) or not ids:
        raise recipe.error(
            "pollutants.ids", 'give a non-empty list of pollutant ids, e.g. ["so2", "dust"]'
        )
    fdef = recipe.get("pollutants.F", {})
    if not isinstance(fdef, dict):
        raise recipe.error("pollutants.F", "must be a table pollutant = F")
    table = {str(r["pollutant"]): r for _, r in mpc.iterrows()}
    out = []
    for p in ids:
        if p not in table:
            raise recipe.error(
                "pollutants.ids",
                f"unknown pollutant {p!r}: not in {mpc_path}; add a row with its MPC or use one of {', '.join(sorted(table))}",
            )
        row = table[p]
        try:
            mpc_max = float(row["mpc_max_mg_m3"])
        except (TypeError, ValueError):
            mpc_max = math.nan
        if not math.isfinite(mpc_max) or mpc_max <= 0:
            raise recipe.error(
                "pollutants.ids",
                f"pollutant {p!r} has no max one-time MPC in {mpc_path} (mpc_max_mg_m3 = {row['mpc_max_mg_m3']!r}); give a positive value",
            )
        F = fdef.get(p, 1.0)
        if isinstance(F, bool) or not isinstance(F, int | float) or not 1 <= float(F) <= 3:
            raise recipe.error(f"pollutants.F.{p}", f"F must be a number from 1 to 3, got {F!r}")
        names = {lang: str(row.get(f"name_{lang}", p)) for lang in ("en", "kk", "ru")}
        out.append(
            Pollutant(
                id=str(p),
                mpc=mpc_max,
                F=float(F),
                names=names,
                citation=str(row["citation"]),
                status=str(row.get("status", "")),
                mpc_daily=None
                if pd.isna(row.get("mpc_daily_mg_m3"))
                else float(row["mpc_daily_mg_m3"]),
                hazard_class=None if pd.isna(row.get("hazard_class")) else str(row["hazard_class"]),
            )
        )
    return tuple(out)


def _wind(recipe: Recipe) -> WindRose:
    dirs = recipe.get("wind.directions")
    freqs = recipe.get("wind.frequencies")
    speeds = recipe.get("wind.speeds", [0.5, 1.0, 2.0, 3.0])
    for key, v in (("wind.directions", dirs), ("wind.frequencies", freqs), ("wind.speeds", speeds)):
        if not isinstance(v, list) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in v
        ):
            raise recipe.error(key, "must be a list of numbers")
    try:
        return WindRose(
            tuple(map(float, dirs)), tuple(map(float, freqs)), tuple(map(float, speeds))
        )
    except InputError as exc:
        key = "wind.speeds" if "speeds" in str(exc) else "wind.frequencies"
        raise recipe.error(key, str(exc).removeprefix("wind rose: ")) from None


def _method(recipe: Recipe) -> dict[str, Any]:
    """The dispersion method, its constants and coefficients."""
    method = str(recipe.get("method.name", "ond86"))
    if method not in METHODS:
        raise recipe.error(
            "method.name", f"{method!r} is not a method; use one of {', '.join(METHODS)}"
        )
    A = _num(recipe, "method.A", 200.0)
    if A <= 0:
        raise recipe.error("method.A", "must be positive (200 for Kazakhstan)")
    dtype = str(recipe.get("method.dtype", "float32"))
    if dtype not in ("float32", "float64"):
        raise recipe.error("method.dtype", f"{dtype!r}: use float32 or float64")
    coef_over = recipe.get("method.coefficients", {})
    try:
        coefficients = MethodCoefficients(**{str(k): float(v) for k, v in coef_over.items()})  # type: ignore[arg-type]
    except TypeError:
        raise recipe.error(
            "method.coefficients",
            "unknown coefficient; known: m_prime_hot, m_prime_cold, um_cold_factor, cold_dt",
        ) from None
    return {
        "method": method,
        "A": A,
        "eta": _num(recipe, "method.eta", 1.0, lo=1.0),
        "s2_floor": _num(recipe, "method.s2_floor", 1e-9, lo=0.0),
        "max_distance": _num(recipe, "method.max_distance_m", 20_000.0, lo=0.0),
        "dtype": dtype,
        "coefficients": coefficients,
        "air_temp_c": _num(recipe, "method.air_temp_c", 31.9),
        "air_temp_heating_c": _num(recipe, "method.air_temp_heating_c", -10.4),
        "area_source_points": int(_num(recipe, "method.area_source_points", 7, lo=1)),
    }


def _index(recipe: Recipe, pollutants: tuple[Pollutant, ...]) -> tuple[str, ...]:
    pids = [p.id for p in pollutants]
    index_ids = recipe.get("index.pollutants", pids)
    if recipe.get("index.method", "sum_ratio") != "sum_ratio":
        raise recipe.error("index.method", "only sum_ratio (Σ C/MPC) is implemented")
    for p in index_ids:
        if p not in pids:
            raise recipe.error(
                "index.pollutants", f"{p!r} is not in pollutants.ids; add it there first"
            )
    return tuple(str(p) for p in index_ids)


def _spz(recipe: Recipe, root: Path | None) -> SpzSettings:
    path = table_path(recipe, "spz.table", "tables/spz_widths.csv", root=root)
    assert path is not None  # a default is given
    values = recipe.get("spz.agricultural_values", [])
    agri = recipe.get("spz.agricultural_layer", None)
    fld = recipe.get("spz.agricultural_field", None)
    return SpzSettings(
        table=path,
        table_shown=f"layers/{recipe.get('spz.table', 'tables/spz_widths.csv')}",
        residential_layer=str(recipe.get("spz.residential_layer", "micro_districts")),
        agricultural_layer=str(agri) if agri else None,
        agricultural_field=str(fld) if fld else None,
        agricultural_values=tuple(values) if isinstance(values, list) else (values,),
        field_where=recipe.where("spz.agricultural_field"),
    )


def read_settings(recipe: Recipe, catalog: Catalog | None = None) -> PollutionSettings:
    """Read and check everything the pollution theme takes from *recipe*.

    Raises
    ------
    RecipeError
        An unknown key in a table or a bad value, naming the recipe line.
    """
    check_tables(
        recipe,
        {
            "method": _METHOD,
            "wind": _WIND,
            "pollutants": _POLL,
            "index": _INDEX,
            "spz": _SPZ,
        },
    )
    root = catalog.layers_dir if catalog is not None else None
    mpc, mpc_path = _mpc_table(recipe, root)
    pollutants = _pollutants(recipe, mpc, mpc_path)
    index_ids = _index(recipe, pollutants)
    return PollutionSettings(
        **_method(recipe),
        wind=_wind(recipe),
        add_dangerous_speed=bool(recipe.get("wind.add_dangerous_speed", True)),
        mpc_path=mpc_path,
        pollutants=pollutants,
        index_ids=index_ids,
        area=read_area(recipe, buffer_m=4000.0, cell_size_m=100.0),
        spz=_spz(recipe, root),
        index_weights=np.array([1.0 / p.mpc if p.id in index_ids else 0.0 for p in pollutants]),
    )
