"""Pollution sources: sanitary protection zones and regulatory dispersion maps.

``maps/pollution.toml`` drives the theme. From the ``enterprises`` layer
(stacks and area sources with emission rates; SYNTHETIC) it builds

* rasters ``concentration_<pollutant>``: maximum one-time ground-level
  concentration (mg/m³) by OND-86 (or the MRR-2017 variant), summed over all
  sources for each wind direction and speed of the recipe's wind rose, then
  maximised; ``pollution_index``: the maximum over wind cases of
  ``Σ_p C_p / MPC_p`` (a screening index, see the recipe); and
  ``pollution_index_rose``: the wind-rose-weighted mean of the per-direction
  maxima of that index (how often a cell lies under the plumes; not an
  annual mean);
* vectors ``enterprises`` (styled by kind), ``sanitary_zones`` (by hazard
  class), ``spz_conflicts`` (overlaps with micro-districts and agricultural
  land, ha) and ``exposure_by_zone`` (max and mean C/MPC per micro-district
  and town, population above 1 MPC).

Area sources (heaps, filter fields) are split into equal sub-sources over a
disc of their area, each a cold fugitive release at the source's height
(OND-86 cold low-wind regime). Population above 1 MPC assumes people spread
evenly over a zone's cells.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.area import town_grid, town_polygons
from geo.catalog import default_layers_dir
from geo.crs import to_crs
from geo.errors import InputError
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.io import read_table
from geo.models.dispersion import (
    METHODS,
    MethodCoefficients,
    Stacks,
    WindRose,
    ground_field,
    max_concentration,
)
from geo.models.spz import check_hazard_classes, sanitary_zones, spz_conflicts, spz_widths
from geo.recipe import Recipe
from geo.symbology import Categorized, Category, FieldSpec, Graduated, RasterRamp, ramp
from geo.themes.base import BuildContext, RasterLayer, ThemeResult, VectorLayer
from geo.themes.common import (
    check_tables,
    layer_where,
    read_cited_table,
    recipe_number,
    table_path,
    unit,
)

__all__ = ["KIND_TEXT", "build", "split_area_sources", "zone_exposure"]

log = logging.getLogger(__name__)

TITLE = text(
    "Pollution sources and sanitary protection zones",
    "Ластау көздері және санитариялық-қорғаныш аймақтары",
    "Источники загрязнения и санитарно-защитные зоны",
)
KIND_TEXT: dict[str, Text] = {
    "plant": text(
        "processing plant stack", "өңдеу зауытының мұржасы", "труба перерабатывающего завода"
    ),
    "chp": text("CHP plant stack", "ЖЭО мұржасы", "труба ТЭЦ"),
    "boiler": text("boiler house", "қазандық", "котельная"),
    "mining_heap": text("mining waste heap", "тау-кен үйіндісі", "отвал горных пород"),
    "ash_heap": text("ash heap", "күл үйіндісі", "золоотвал"),
    "filter_field": text("sewage filter fields", "сүзу алаңдары", "поля фильтрации"),
}
KIND_COLOURS = {
    "plant": "#7b3294",
    "chp": "#d7191c",
    "boiler": "#fdae61",
    "mining_heap": "#8c510a",
    "ash_heap": "#636363",
    "filter_field": "#2c7bb6",
}
CLASS_COLOURS = {"I": "#67000d", "II": "#cb181d", "III": "#fb6a4a", "IV": "#fcae91", "V": "#fee5d9"}
STACK_KINDS = ("plant", "chp", "boiler")
AREA_KINDS = ("mining_heap", "ash_heap", "filter_field")

_TOP = (
    "theme",
    "name",
    "title",
    "method",
    "wind",
    "pollutants",
    "index",
    "spz",
    "grid",
    "exposure",
)
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
_GRID = ("towns", "buffer_m", "cell_size")


# -- recipe --------------------------------------------------------------------------------
def _num(recipe: Recipe, key: str, default: Any, *, lo: float | None = None) -> float:
    return recipe_number(recipe, key, default, lo=lo)


def _mpc_table(recipe: Recipe) -> tuple[pd.DataFrame, str]:
    path = table_path(recipe, "pollutants.mpc_table", "tables/mpc_ambient_air.csv")
    assert path is not None  # a default is given
    df = read_cited_table(
        path,
        "MPC table",
        ("pollutant", "mpc_max_mg_m3", "citation"),
        hint="columns are pollutant, name_en, name_kk, name_ru, mpc_max_mg_m3, mpc_daily_mg_m3, hazard_class, citation, status",
    )
    return df, str(path)


def _pollutants(recipe: Recipe, mpc: pd.DataFrame, mpc_path: str) -> list[dict[str, Any]]:
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
            {
                "id": p,
                "mpc": mpc_max,
                "F": float(F),
                "names": names,
                "citation": str(row["citation"]),
                "status": str(row.get("status", "")),
                "mpc_daily": None
                if pd.isna(row.get("mpc_daily_mg_m3"))
                else float(row["mpc_daily_mg_m3"]),
                "hazard_class": None
                if pd.isna(row.get("hazard_class"))
                else str(row["hazard_class"]),
            }
        )
    return out


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


# -- sources -------------------------------------------------------------------------------
def _check_sources(
    src: gpd.GeoDataFrame, pollutants: list[dict[str, Any]], what: str = "layer 'enterprises'"
) -> None:
    """Refuse sources without the schema's fields, hazard class, emission columns or known kind."""
    for col in ("source_id", "kind", "height_m"):
        if col not in src.columns:
            msg = f"{what}: field {col!r} is missing; see the schema in maps/pollution.toml"
            raise InputError(msg)
    check_hazard_classes(src, what=what)
    for p in pollutants:
        col = f"m_{p['id']}_g_s"
        if col not in src.columns:
            msg = f"{what}: field {col!r} (emission rate of {p['id']} in g/s) is missing; add it (0 where not emitted) or drop {p['id']} from pollutants.ids"
            raise InputError(msg)
    for sid, kind in zip(src["source_id"], src["kind"], strict=True):
        if kind not in STACK_KINDS + AREA_KINDS:
            msg = f"{what}: source {sid}: kind {kind!r} is not one of {', '.join(STACK_KINDS + AREA_KINDS)}"
            raise InputError(msg)


def split_area_sources(
    src: gpd.GeoDataFrame, n_points: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the sub-sources of each feature (sunflower pattern over a disc of ``area_m2``).

    Stacks (and area sources without an area) keep one position. Returns
    ``(owner, x, y)``: for every sub-source the row of *src* it belongs to and
    its coordinates (in *src*'s projected CRS).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"source_type": ["area"], "area_m2": [math.pi * 100**2]},
    ...                      geometry=[Point(0, 0)], crs=32642)
    >>> owner, x, y = split_area_sources(g, 7)
    >>> len(owner), bool(np.hypot(x, y).max() <= 100)
    (7, True)
    """
    owner: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    golden = math.pi * (3.0 - math.sqrt(5.0))
    for i, (geom, stype, area) in enumerate(
        zip(src.geometry.values, src["source_type"], src["area_m2"], strict=True)
    ):
        c = geom if geom.geom_type == "Point" else geom.centroid
        a = float(area) if area is not None and not pd.isna(area) else 0.0
        if stype != "area" or a <= 0 or n_points <= 1:
            owner.append(i)
            xs.append(c.x)
            ys.append(c.y)
            continue
        radius = math.sqrt(a / math.pi)
        for k in range(n_points):
            r = radius * math.sqrt((k + 0.5) / n_points)
            t = k * golden
            owner.append(i)
            xs.append(c.x + r * math.cos(t))
            ys.append(c.y + r * math.sin(t))
    return np.array(owner, dtype=int), np.array(xs), np.array(ys)


def _stacks(
    src: gpd.GeoDataFrame,
    pollutants: list[dict[str, Any]],
    recipe: Recipe,
    where: str = "layer 'enterprises'",
) -> tuple[Stacks, np.ndarray, np.ndarray]:
    """Sub-sources of *src* with their emission rates (g/s) and settling coefficients per pollutant.

    Every source is checked first (errors name *where*, the source id and the field).
    """
    air = _num(recipe, "method.air_temp_c", 31.9)
    air_heat = _num(recipe, "method.air_temp_heating_c", -10.4)
    npts = int(_num(recipe, "method.area_source_points", 7, lo=1))
    owner, x, y = split_area_sources(src, npts)
    counts = np.bincount(owner, minlength=len(src))
    is_area = (src["source_type"].astype(str).to_numpy() == "area") | src["kind"].isin(
        AREA_KINDS
    ).to_numpy()
    heating = (
        src["heating_only"].fillna(False).astype(bool).to_numpy()
        if "heating_only" in src
        else np.zeros(len(src), bool)
    )
    ta = np.where(heating, air_heat, air)
    num = {
        c: pd.to_numeric(src[c], errors="coerce").to_numpy()
        for c in ("height_m", "diameter_m", "velocity_m_s", "gas_temp_c", "area_m2")
        if c in src
    }
    nan = np.full(len(src), np.nan)
    H = num["height_m"]
    D = np.where(
        is_area,
        np.sqrt(4 * np.nan_to_num(num.get("area_m2", nan), nan=1.0).clip(1) / np.pi),
        num.get("diameter_m", nan),
    )
    w0 = np.where(is_area, 0.0, num.get("velocity_m_s", nan))
    tg = np.where(is_area, ta, num.get("gas_temp_c", nan))
    ids = [str(s) for s in src["source_id"]]
    # validate per source (names the source and the field), before splitting
    try:
        max_concentration(H, D, w0, tg, ta, A=200.0, cold=is_area, source_id=ids)
    except InputError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    em = np.zeros((len(src), len(pollutants)))
    fs = np.zeros_like(em)
    for j, p in enumerate(pollutants):
        col = pd.to_numeric(src[f"m_{p['id']}_g_s"], errors="coerce").to_numpy()
        bad = ~np.isfinite(col) | (col < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = (
                f"{where}: source {ids[i]}: m_{p['id']}_g_s = {col[i]:g} must be a number ≥ 0 (g/s)"
            )
            raise InputError(msg)
        em[:, j] = col
        fcol = f"f_{p['id']}"
        fval = pd.to_numeric(src[fcol], errors="coerce").to_numpy() if fcol in src else nan
        fs[:, j] = np.where(np.isfinite(fval), fval, p["F"])
        badf = (fs[:, j] < 1) | (fs[:, j] > 3)
        if badf.any():
            i = int(np.flatnonzero(badf)[0])
            msg = f"{where}: source {ids[i]}: {fcol} = {fs[i, j]:g} must be from 1 to 3"
            raise InputError(msg)
    sub_ids = tuple(ids[o] if counts[o] == 1 else f"{ids[o]}#{k}" for k, o in _enumerate_sub(owner))
    stacks = Stacks(
        sub_ids, x, y, H[owner], D[owner], w0[owner], tg[owner], ta[owner], is_area[owner]
    )
    return stacks, em[owner] / counts[owner][:, None], fs[owner]


def _enumerate_sub(owner: np.ndarray) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    out = []
    for o in owner:
        seen[int(o)] = seen.get(int(o), 0) + 1
        out.append((seen[int(o)], int(o)))
    return out


# -- exposure ------------------------------------------------------------------------------
def zone_exposure(
    grid: AnalysisGrid,
    zones: gpd.GeoDataFrame,
    ratios: dict[str, np.ndarray],
    index: np.ndarray,
    *,
    population_field: str = "population",
) -> gpd.GeoDataFrame:
    """Per zone: max and mean C/MPC of each pollutant and of the index; population above 1 MPC.

    Cells belong to a zone when their centre lies inside it (a zone smaller
    than a cell takes the cell under its representative point). People are
    assumed spread evenly over a zone's cells: the population above 1 MPC is
    the population times the share of cells where some pollutant exceeds its MPC.

    Parameters
    ----------
    grid : AnalysisGrid
    zones : GeoDataFrame
        Polygons with an optional population field.
    ratios : dict
        Pollutant id → grid-shaped array of C/MPC.
    index : ndarray
        Grid-shaped combined index.

    Returns
    -------
    GeoDataFrame
        The zones with ``max_<p>``, ``mean_<p>``, ``index_max``, ``index_mean``,
        ``cells``, ``share_above_mpc_pct`` and ``pop_above_mpc``.
    """
    z = to_crs(zones, grid.crs, what="zones").reset_index(drop=True)
    any_above = np.zeros(grid.shape, bool)
    for arr in ratios.values():
        any_above |= arr > 1.0
    inv = ~grid.transform
    masks: list[np.ndarray] = []
    for i in range(len(z)):  # one mask per zone: zones may overlap (towns hold micro-districts)
        m = grid.mask(z.iloc[[i]], what="zones")
        if not m.any():  # a zone smaller than a cell: the cell under its representative point
            p = z.geometry.iloc[i].representative_point()
            col, row = inv * (p.x, p.y)
            r, c = math.floor(row), math.floor(col)
            if 0 <= r < grid.height and 0 <= c < grid.width:
                m[r, c] = True
        masks.append(m)
    out = z.copy()
    cells = np.array([int(m.sum()) for m in masks])

    def stats(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mx = np.array([float(arr[m].max()) if m.any() else np.nan for m in masks])
        mean = np.array([float(arr[m].mean()) if m.any() else np.nan for m in masks])
        return mx, mean

    for p, arr in ratios.items():
        out[f"max_{p}"], out[f"mean_{p}"] = stats(arr)
    out["index_max"], out["index_mean"] = stats(index)
    share = np.array([float(any_above[m].mean()) if m.any() else np.nan for m in masks])
    out["cells"] = cells
    out["share_above_mpc_pct"] = 100.0 * share
    if population_field in out.columns:
        pop = pd.to_numeric(out[population_field], errors="coerce").to_numpy(dtype=float)
        out["pop_above_mpc"] = np.round(pop * share)
    else:
        out["pop_above_mpc"] = np.nan
    return out


# -- build ---------------------------------------------------------------------------------
DESCRIPTION = text(
    "Where the emissions of the sources could reach at worst: maximum one-time ground-level concentrations by the regulatory OND-86 method, sanitary protection zones and their overlaps with homes and farmland. The sources are synthetic, so the map shows the method, not measured pollution.",
    "Көздер шығарындылары ең нашар жағдайда қайда жетуі мүмкін: ОНД-86 нормативтік әдісі бойынша жер бетіндегі ең жоғары бір реттік шоғырлану, санитариялық-қорғаныш аймақтары және олардың тұрғын үйлер мен егістікпен қабаттасуы. Көздер синтетикалық, сондықтан карта өлшенген ластануды емес, әдісті көрсетеді.",
    "Куда в худшем случае могут доходить выбросы источников: максимальные разовые приземные концентрации по нормативной методике ОНД-86, санитарно-защитные зоны и их наложение на жильё и сельхозземли. Источники синтетические, поэтому карта показывает методику, а не измеренное загрязнение.",
)
NOTES: tuple[Text, ...] = (
    text(
        "Terrain coefficient η = 1 (flat terrain) is assumed everywhere; near the Karatau range OND-86 §4 may require η > 1, which would raise the concentrations.",
        "Жер бедері коэффициенті η = 1 (тегіс жер) барлық жерде қабылданған; Қаратау жотасы маңында ОНД-86 §4 бойынша η > 1 болуы мүмкін, бұл шоғырлануды арттырады.",
        "Коэффициент рельефа η = 1 (ровная местность) принят везде; у хребта Каратау по ОНД-86 §4 может требоваться η > 1, что повысит концентрации.",
    ),
    text(
        "SYNTHETIC sources: the kinds of source and the enterprise names come from the study; positions, stacks, emission rates and hazard classes are invented. The maps show the method, not measured pollution.",
        "СИНТЕТИКАЛЫҚ көздер: көз түрлері мен кәсіпорын атаулары зерттеуден алынған; орналасуы, мұржалары, шығарындылары мен қауіптілік сыныптары ойдан жасалған. Карталар әдісті көрсетеді, өлшенген ластануды емес.",
        "СИНТЕТИЧЕСКИЕ источники: виды источников и названия предприятий взяты из исследования; расположение, трубы, выбросы и классы опасности вымышлены. Карты показывают методику, а не измеренное загрязнение.",
    ),
    text(
        "The wind rose is uniform (no measured rose embedded); it affects only the wind-rose-weighted index. MPC values are the Russian SanPiN 1.2.3685-21 ones; Kazakh values (order ҚР ДСМ-70, 2022) and SPZ widths (ҚР ДСМ-2, 2022) are not verified.",
        "Жел раушаны біркелкі (өлшенген раушан жоқ); ол тек жел раушаны бойынша өлшенген индекске әсер етеді. ШРК мәндері — Ресейдің СанПиН 1.2.3685-21 мәндері; Қазақстан мәндері (ҚР ДСМ-70, 2022) және СҚА ендері (ҚР ДСМ-2, 2022) тексерілмеген.",
        "Роза ветров равномерная (измеренной нет); она влияет только на индекс, взвешенный по розе ветров. ПДК — российские по СанПиН 1.2.3685-21; казахстанские значения (ҚР ДСМ-70, 2022) и ширины СЗЗ (ҚР ДСМ-2, 2022) не проверены.",
    ),
    text(
        "Σ C/MPC is a screening index: OND-86 adds C/MPC only within summation groups. Area sources are modelled as cold fugitive releases split over their footprint; population above 1 MPC assumes an even spread over each zone.",
        "Σ C/ШРК — скринингтік индекс: ОНД-86 C/ШРК-ны тек суммациялық топтар ішінде қосады. Алаңдық көздер ауданына бөлінген суық ұйымдаспаған шығарындылар ретінде модельденген; 1 ШРК-дан жоғары халық аймақта біркелкі орналасқан деп есептеледі.",
        "Σ C/ПДК — скрининговый индекс: ОНД-86 суммирует C/ПДК только внутри групп суммации. Площадные источники смоделированы как холодные неорганизованные выбросы, распределённые по площади; население выше 1 ПДК рассчитано при равномерном расселении по зоне.",
    ),
)
"""Limitations shown on every pollution map."""
_SRC_NOTE = "SYNTHETIC sources (layer 'enterprises'); OND-86 regulatory dispersion"


def _settings(recipe: Recipe) -> dict[str, Any]:
    """Read and check the recipe's method, wind, pollutant and index settings."""
    recipe.require_keys("", _TOP)
    check_tables(
        recipe,
        {
            "method": _METHOD,
            "wind": _WIND,
            "pollutants": _POLL,
            "index": _INDEX,
            "spz": _SPZ,
            "grid": _GRID,
        },
    )
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
    s: dict[str, Any] = {
        "method": method,
        "A": A,
        "eta": _num(recipe, "method.eta", 1.0, lo=1.0),
        "s2_floor": _num(recipe, "method.s2_floor", 1e-9, lo=0.0),
        "max_distance": _num(recipe, "method.max_distance_m", 20_000.0, lo=0.0),
        "dtype": dtype,
        "coefficients": coefficients,
        "wind": _wind(recipe),
    }
    mpc, s["mpc_path"] = _mpc_table(recipe)
    s["pollutants"] = pollutants = _pollutants(recipe, mpc, s["mpc_path"])
    pids = [p["id"] for p in pollutants]
    s["index_ids"] = index_ids = recipe.get("index.pollutants", pids)
    if recipe.get("index.method", "sum_ratio") != "sum_ratio":
        raise recipe.error("index.method", "only sum_ratio (Σ C/MPC) is implemented")
    for p in index_ids:
        if p not in pids:
            raise recipe.error(
                "index.pollutants", f"{p!r} is not in pollutants.ids; add it there first"
            )
    s["index_weights"] = np.array(
        [1.0 / p["mpc"] if p["id"] in index_ids else 0.0 for p in pollutants]
    )
    return s


def _sources(
    ctx: BuildContext, grid: AnalysisGrid, pollutants: list[dict[str, Any]]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The ``enterprises`` layer checked and completed: in EPSG:4326 and in the grid's CRS."""
    src_ll = ctx.layer("enterprises")
    _check_sources(src_ll, pollutants, layer_where(ctx, "enterprises"))
    src_ll = src_ll.copy()
    if "source_type" not in src_ll.columns:  # optional: follows from kind
        src_ll["source_type"] = np.where(src_ll["kind"].isin(AREA_KINDS), "area", "stack")
    if "area_m2" not in src_ll.columns:
        src_ll["area_m2"] = 0.0
    return src_ll, to_crs(src_ll, grid.crs, what="layer 'enterprises'")


def _source_maxima(
    src_ll: gpd.GeoDataFrame,
    stacks: Stacks,
    em: np.ndarray,
    fs: np.ndarray,
    s: dict[str, Any],
) -> gpd.GeoDataFrame:
    """*src_ll* with each source's own maximum one-time concentration (mg/m³ and / MPC)."""
    out = src_ll.copy()
    owner_of = [sid.split("#")[0] for sid in stacks.ids]
    for j, p in enumerate(s["pollutants"]):
        cm = np.zeros(len(src_ll))
        for i, sid in enumerate(src_ll["source_id"].astype(str)):
            sel = [k for k, o in enumerate(owner_of) if o == sid]
            if em[sel, j].sum() <= 0:
                continue
            k = sel[0]
            r = max_concentration(
                stacks.height[k], stacks.diameter[k], stacks.velocity[k], stacks.gas_temp[k], stacks.air_temp[k],
                rate=float(em[sel, j].sum()), A=s["A"], F=float(fs[k, j]), eta=s["eta"], method=s["method"],
                cold=bool(stacks.cold[k]), coefficients=s["coefficients"], source_id=stacks.ids[k],
            )  # fmt: skip
            cm[i] = float(r.cm[0])
        out[f"cm_{p['id']}_mg_m3"] = cm
        out[f"cm_{p['id']}_mpc"] = cm / p["mpc"]
    return out


def _concentration_raster(
    grid: AnalysisGrid, values: np.ndarray, p: dict[str, Any], s: dict[str, Any]
) -> RasterLayer:
    """The maximum one-time concentration of pollutant *p* (mg/m³), ramped by its MPC."""
    method, A, eta = s["method"], s["A"], s["eta"]
    c = values.astype("float32")
    mpcv = p["mpc"]
    return RasterLayer(
        name=f"concentration_{p['id']}",
        title=_pollutant_text(
            p,
            "{}: maximum one-time concentration, mg/m³",
            "{}: ең жоғары бір реттік шоғырлану, мг/м³",
            "{}: максимальная разовая концентрация, мг/м³",
            capitalize=True,
        ),
        raster=grid.raster(
            c,
            tags={
                "units": "mg/m3",
                "pollutant": p["id"],
                "method": method,
                "mpc_max_mg_m3": mpcv,
            },
        ),
        style=RasterRamp(
            values=(0.0, 0.1 * mpcv, 0.5 * mpcv, mpcv, 2 * mpcv, 5 * mpcv),
            colors=ramp("YlOrRd", 6),
            unit=unit("mg/m³"),
        ),
        description=text(
            f"Maximum over wind directions and speeds of the sum of all sources (OND-86 method '{method}', A = {A:g}, η = {eta:g}); MPC max one-time {mpcv:g} mg/m³ ({p['status']}).",
            f"Барлық көздердің қосындысының жел бағыттары мен жылдамдықтары бойынша ең үлкені (ОНД-86 әдісі '{method}', A = {A:g}, η = {eta:g}); бір реттік ШРК {mpcv:g} мг/м³.",
            f"Максимум по направлениям и скоростям ветра суммы всех источников (методика ОНД-86 '{method}', A = {A:g}, η = {eta:g}); ПДК м.р. {mpcv:g} мг/м³.",
        ),
        source=_SRC_NOTE,
        synthetic=True,
        show=False,
        metadata={
            "mpc_max_mg_m3": mpcv,
            "mpc_citation": p["citation"],
            "max_mg_m3": float(np.max(c)),
        },
    )


def _rasters(
    grid: AnalysisGrid, field: Any, s: dict[str, Any]
) -> tuple[list[RasterLayer], dict[str, np.ndarray]]:
    """Concentration rasters per pollutant and the two index rasters; C/MPC per pollutant."""
    method = s["method"]
    rasters: list[RasterLayer] = []
    ratios: dict[str, np.ndarray] = {}
    for j, p in enumerate(s["pollutants"]):
        ratios[p["id"]] = field.max[j] / p["mpc"]
        rasters.append(_concentration_raster(grid, field.max[j], p, s))
    listed = ", ".join(s["index_ids"])
    rasters.append(
        _index_raster(
            grid,
            "pollution_index",
            field.index_max,
            method,
            title=text(
                "Pollution index: Σ C/MPC (maximum one-time)",
                "Ластану индексі: Σ C/ШРК (ең жоғары бір реттік)",
                "Индекс загрязнения: Σ C/ПДК (максимальный разовый)",
            ),
            description=text(
                f"Maximum over wind cases of the sum of C/MPC over {listed}; a screening index (OND-86 sums only within summation groups).",
                f"Жел жағдайлары бойынша C/ШРК қосындысының ең үлкені ({listed}); скринингтік индекс (ОНД-86 тек суммациялық топтар ішінде қосады).",
                f"Максимум по ветровым ситуациям суммы C/ПДК ({listed}); скрининговый индекс (ОНД-86 суммирует только внутри групп суммации).",
            ),
            metadata={"max": float(np.max(field.index_max))},
        )
    )
    rasters.append(
        _index_raster(
            grid,
            "pollution_index_rose",
            field.index_rose,
            method,
            title=text(
                "Pollution index weighted by the wind rose",
                "Жел раушаны бойынша өлшенген ластану индексі",
                "Индекс загрязнения, взвешенный по розе ветров",
            ),
            description=text(
                "Σ over directions of frequency × the direction's maximum index: how often a cell lies under the plumes at adverse speeds; not an annual mean.",
                "Бағыттар бойынша жиілік × бағыттың ең жоғары индексі қосындысы: ұяшықтың түтін астында қаншалықты жиі болатыны; жылдық орташа емес.",
                "Сумма по направлениям: повторяемость × максимальный индекс направления; показывает, как часто ячейка под факелами; не среднегодовое значение.",
            ),
            show=False,
        )
    )
    return rasters, ratios


INDEX_UNIT = text("Σ C/MPC", "Σ C/ШРК", "Σ C/ПДК")
# Most cells lie far below 1 MPC: stops start at 0.1 so the plumes read on the map.
_INDEX_RAMP = RasterRamp(
    values=(0.0, 0.1, 0.5, 1.0, 2.0, 5.0), colors=ramp("YlOrRd", 6), unit=INDEX_UNIT
)


def _index_raster(
    grid: AnalysisGrid,
    name: str,
    values: np.ndarray,
    method: str,
    *,
    title: Text,
    description: Text,
    show: bool = True,
    metadata: dict[str, Any] | None = None,
) -> RasterLayer:
    """A Σ C/MPC raster layer (the index ramp, float32, tagged with its unit and method)."""
    return RasterLayer(
        name=name,
        title=title,
        raster=grid.raster(
            values.astype("float32"), tags={"units": "sum of C/MPC", "method": method}
        ),
        style=_INDEX_RAMP,
        description=description,
        source=_SRC_NOTE,
        synthetic=True,
        show=show,
        metadata=metadata or {},
    )


def _spz(
    ctx: BuildContext, recipe: Recipe, grid: AnalysisGrid, src: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Any]]:
    """Sanitary protection zones of *src*, their conflicts, and the SPZ table's record."""
    spz_path = table_path(recipe, "spz.table", "tables/spz_widths.csv")
    assert spz_path is not None  # a default is given
    spz_table = read_table(spz_path, what="SPZ table")
    widths = spz_widths(spz_table, where=str(spz_path))
    citation = "; ".join(sorted(set(spz_table["citation"].astype(str))))[:500]
    zones = sanitary_zones(
        src, widths, crs=grid.crs, citation="order ҚР ДСМ-2 (2022), Appendix 1 (widths unverified)"
    )
    residential = ctx.layer(str(recipe.get("spz.residential_layer", "micro_districts")))
    agri, id_field = _agricultural(ctx, recipe, grid)
    conflicts = spz_conflicts(
        zones, residential, agri, residential_id="zone_id", agricultural_id=id_field
    )
    rel = str(recipe.get("spz.table", "tables/spz_widths.csv"))
    info = {"path": f"layers/{rel}", "widths_m": widths, "citation": citation}
    return zones, conflicts, info


def _agricultural(
    ctx: BuildContext, recipe: Recipe, grid: AnalysisGrid
) -> tuple[gpd.GeoDataFrame | None, str | None]:
    """The recipe's agricultural land outside the towns (in the grid's CRS) and its id field."""
    agri_layer = recipe.get("spz.agricultural_layer", None)
    if not agri_layer:
        return None, None
    agri = ctx.layer(str(agri_layer))
    fld = recipe.get("spz.agricultural_field", None)
    if fld:
        if fld not in agri.columns:
            raise recipe.error(
                "spz.agricultural_field", f"layer {agri_layer!r} has no field {fld!r}"
            )
        agri = agri[agri[fld].isin(recipe.get("spz.agricultural_values", []))]
    towns_poly = to_crs(ctx.layer("town_boundaries"), grid.crs, what="town boundaries")
    agri = to_crs(agri, grid.crs, what=f"layer {agri_layer!r}")
    agri = agri.set_geometry(
        shapely.difference(agri.geometry.values, shapely.union_all(towns_poly.geometry.values))
    )
    agri = agri[~agri.geometry.is_empty]
    id_field = "unit_id" if "unit_id" in agri.columns else None
    if "soil_type" in agri.columns and "name" not in agri.columns:
        agri = agri.assign(name=agri["soil_type"])
    return agri, id_field


def _exposure(
    ctx: BuildContext,
    grid: AnalysisGrid,
    towns: Any,
    ratios: dict[str, np.ndarray],
    index: np.ndarray,
) -> gpd.GeoDataFrame:
    """Exposure of the micro-districts and the towns of *towns* (see :func:`zone_exposure`)."""
    cols = ["zone_id", "town", "name", "level", "population", "geometry"]
    md = ctx.layer("micro_districts")
    md = md[md["town"].isin(towns)]
    tb = ctx.layer("town_boundaries")
    tb = tb[tb["town"].isin(towns)]
    zones = pd.concat(
        [
            md.assign(level="micro_district")[cols],
            tb.assign(level="town", zone_id=tb["town"].str.lower(), name=tb["town"])[cols],
        ],
        ignore_index=True,
    )
    return zone_exposure(grid, gpd.GeoDataFrame(zones, crs=md.crs), ratios, index)


def _parameters(
    recipe: Recipe,
    s: dict[str, Any],
    grid: AnalysisGrid,
    field: Any,
    n_sub_sources: int,
    spz_info: dict[str, Any],
    towns: list[str],
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``: method, wind rose, MPCs, SPZ table, grid, maxima."""
    pollutants = s["pollutants"]
    return {
        "description": DESCRIPTION,
        "method": s["method"],
        "A": s["A"],
        "eta": s["eta"],
        "coefficients": s["coefficients"].as_dict(),
        "air_temp_c": _num(recipe, "method.air_temp_c", 31.9),
        "air_temp_heating_c": _num(recipe, "method.air_temp_heating_c", -10.4),
        "air_temp_citation": "paper 001: July mean +31.9 °C, January mean −10.4 °C (Zhanatas); OND-86 asks for the mean maximum of the hottest month",
        "area_source_points": int(_num(recipe, "method.area_source_points", 7)),
        "s2_floor": s["s2_floor"],
        "max_distance_m": s["max_distance"],
        "dtype": s["dtype"],
        "wind_rose": {
            "directions_from_deg": list(s["wind"].directions),
            "frequencies": list(s["wind"].frequencies),
            "speeds_m_s": list(field.speeds),
            "note": "uniform default: no measured wind rose embedded",
        },
        "pollutants": [
            {k: p[k] for k in ("id", "mpc", "mpc_daily", "hazard_class", "F", "citation", "status")}
            | {"name": p["names"]["en"]}
            for p in pollutants
        ],
        "mpc_table": s["mpc_path"].replace(str(default_layers_dir()), "layers"),
        "index": {
            "method": "sum_ratio",
            "pollutants": list(s["index_ids"]),
            "caveat": "screening index; OND-86 sums C/MPC only within summation groups",
        },
        "spz_table": spz_info,
        "grid": {
            "crs": f"EPSG:{grid.crs.to_epsg()}",
            "cell_size_m": grid.cell_size,
            "width": grid.width,
            "height": grid.height,
            "towns": list(towns),
        },
        "evaluations": int(field.evaluations),
        "sub_sources": n_sub_sources,
        "max_concentration_mg_m3": {
            p["id"]: float(np.max(field.max[j])) for j, p in enumerate(pollutants)
        },
    }


def build(ctx: BuildContext, recipe: Recipe) -> ThemeResult:
    """Build the pollution theme from *recipe* (``maps/pollution.toml``).

    Parameters
    ----------
    ctx : BuildContext
        Supplies ``enterprises``, ``towns``, ``town_boundaries``,
        ``micro_districts`` and the recipe's agricultural layer.
    recipe : Recipe
        A ``theme = "pollution"`` recipe.

    Returns
    -------
    ThemeResult
        Concentration and index rasters, the sources, sanitary zones, their
        conflicts and the exposure by zone, with every parameter.

    Raises
    ------
    RecipeError
        A bad recipe value (file:line named).
    InputError
        A bad source (its id and field named) or table (its path named).
    """
    s = _settings(recipe)
    pollutants = s["pollutants"]
    towns = recipe.get("grid.towns", ["Zhanatas", "Karatau"])
    grid = town_grid(
        ctx, tuple(towns), buffer_m=_num(recipe, "grid.buffer_m", 4000.0, lo=0.0),
        cell_size=_num(recipe, "grid.cell_size", 100.0, lo=1.0),
    )  # fmt: skip
    src_ll, src = _sources(ctx, grid, pollutants)
    stacks, em, fs = _stacks(src, pollutants, recipe, layer_where(ctx, "enterprises"))
    xs, ys = grid.cell_centres()
    field = ground_field(
        xs[0], ys[:, 0], stacks, em, fs, s["wind"], A=s["A"], eta=s["eta"], method=s["method"],
        index_weights=s["index_weights"],
        add_dangerous_speed=bool(recipe.get("wind.add_dangerous_speed", True)),
        s2_floor=s["s2_floor"], coefficients=s["coefficients"], max_distance=s["max_distance"],
        dtype=s["dtype"],
    )  # fmt: skip
    assert field.index_max is not None and field.index_rose is not None
    log.info("pollution: %d sub-sources, %s evaluations", len(stacks), f"{field.evaluations:,}")

    src_out = _source_maxima(src_ll, stacks, em, fs, s)
    rasters, ratios = _rasters(grid, field, s)
    zones, conflicts, spz_info = _spz(ctx, recipe, grid, src)
    exposure = _exposure(ctx, grid, recipe.get("exposure.towns", towns), ratios, field.index_max)
    vectors = _vectors(src_out, zones, conflicts, exposure, pollutants)
    parameters = _parameters(recipe, s, grid, field, len(stacks), spz_info, towns)
    # maps open on the towns and their sources, not the whole (15 km wider) dispersion grid
    focus = town_polygons(ctx, towns).to_crs(grid.crs).buffer(5_000).to_crs(4326).total_bounds
    parameters["map_focus"] = [round(float(v), 4) for v in focus]
    inputs = ["enterprises", "towns", "town_boundaries", "micro_districts"]
    agri_layer = recipe.get("spz.agricultural_layer", None)
    if agri_layer:
        inputs.append(str(agri_layer))
    return ThemeResult(
        theme="pollution",
        title=TITLE,
        vectors=vectors,
        rasters=rasters,
        parameters=parameters,
        notes=list(NOTES),
        inputs=inputs,
    )


def _pollutant_text(
    p: dict[str, Any], en: str, kk: str, ru: str, *, capitalize: bool = False
) -> Text:
    """A text naming pollutant *p* in each language: ``"{}"`` in each template is its name."""
    names = {lang: p["names"][lang] for lang in ("en", "kk", "ru")}
    if capitalize:
        names = {lang: n.capitalize() for lang, n in names.items()}
    return text(en.format(names["en"]), kk.format(names["kk"]), ru.format(names["ru"]))


_NAME_F = FieldSpec("name", text("Name", "Атауы", "Название"))
_CLASS_F = FieldSpec("hazard_class", text("Hazard class", "Қауіптілік сыныбы", "Класс опасности"))


def _vectors(
    src: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    conflicts: gpd.GeoDataFrame,
    exposure: gpd.GeoDataFrame,
    pollutants: list[dict[str, Any]],
) -> list[VectorLayer]:
    """The sources, sanitary zones, SPZ conflicts and exposure layers, in drawing order."""
    return [
        _source_layer(src, pollutants),
        _zones_layer(zones),
        _conflicts_layer(conflicts),
        _exposure_layer(exposure, pollutants),
    ]


def _source_layer(src: gpd.GeoDataFrame, pollutants: list[dict[str, Any]]) -> VectorLayer:
    """The sources styled by kind, with emission rates and each source's own cm / MPC."""
    kinds = tuple(Category(k, KIND_COLOURS[k], KIND_TEXT[k]) for k in STACK_KINDS + AREA_KINDS)
    src_fields = (
        _NAME_F,
        FieldSpec("kind", text("Kind", "Түрі", "Вид")),
        _CLASS_F,
        FieldSpec("height_m", text("Height", "Биіктігі", "Высота"), unit("m"), 0),
        *(
            FieldSpec(
                f"m_{p['id']}_g_s",
                _pollutant_text(p, "{} emission", "{} шығарындысы", "выброс: {}"),
                unit("g/s"),
                2,
            )
            for p in pollutants
        ),
        *(
            FieldSpec(
                f"cm_{p['id']}_mpc",
                _pollutant_text(
                    p, "{}: source cm / MPC", "{}: көздің cm / ШРК", "{}: cm источника / ПДК"
                ),
                "",
                2,
            )
            for p in pollutants
        ),
    )
    return VectorLayer(
        name="enterprises",
        title=text("Pollution sources", "Ластау көздері", "Источники загрязнения"),
        data=src,
        style=Categorized("kind", kinds),
        fields=src_fields,
        description=text(
            "Stacks and area sources with emission rates and each source's own maximum one-time concentration (cm) over MPC.",
            "Шығарынды қарқыны және әр көздің ең жоғары бір реттік шоғырлануы (cm) / ШРК көрсетілген мұржалар мен алаңдық көздер.",
            "Трубы и площадные источники с мощностью выбросов и максимальной разовой концентрацией (cm) каждого источника / ПДК.",
        ),
        source="SYNTHETIC: layer 'enterprises' (kinds and names from papers 000, 001)",
        synthetic=True,
        label_field=None,
    )


def _zones_layer(zones: gpd.GeoDataFrame) -> VectorLayer:
    """Sanitary protection zones styled by hazard class."""
    classes = tuple(
        Category(c, CLASS_COLOURS[c], text(f"class {c}", f"{c} сынып", f"класс {c}"))
        for c in CLASS_COLOURS
    )
    width_f = FieldSpec("width_m", text("SPZ width", "СҚА ені", "Ширина СЗЗ"), unit("m"), 0)
    return VectorLayer(
        name="sanitary_zones",
        title=text(
            "Sanitary protection zones",
            "Санитариялық-қорғаныш аймақтары",
            "Санитарно-защитные зоны",
        ),
        data=zones,
        style=Categorized("hazard_class", classes, fill_opacity=0.15),
        fields=(
            _NAME_F,
            _CLASS_F,
            width_f,
            FieldSpec("zone_area_ha", text("Area", "Ауданы", "Площадь"), unit("ha"), 1),
        ),
        description=text(
            "Site footprint buffered by the preliminary SPZ width of its hazard class (order ҚР ДСМ-2, 2022; widths unverified).",
            "Қауіптілік сыныбының алдын ала СҚА ені бойынша буферленген алаң (ҚР ДСМ-2, 2022; ендері тексерілмеген).",
            "Площадка, обведённая буфером предварительной ширины СЗЗ её класса (ҚР ДСМ-2, 2022; ширины не проверены).",
        ),
        source="layers/tables/spz_widths.csv; SYNTHETIC sources",
        synthetic=True,
    )


def _conflicts_layer(conflicts: gpd.GeoDataFrame) -> VectorLayer:
    """Overlaps of the sanitary zones with residential and agricultural land."""
    conflict_cats = (
        Category("residential", "#e31a1c", text("residential area", "тұрғын аймақ", "жилая зона")),
        Category(
            "agricultural",
            "#33a02c",
            text("agricultural land", "ауыл шаруашылығы жері", "сельхозземли"),
        ),
    )
    return VectorLayer(
        name="spz_conflicts",
        title=text("SPZ conflicts", "СҚА қайшылықтары", "Конфликты СЗЗ"),
        data=conflicts,
        style=Categorized("conflict", conflict_cats, fill_opacity=0.6),
        fields=(
            FieldSpec("source_id", text("Source", "Көз", "Источник")),
            _CLASS_F,
            FieldSpec("conflict", text("Conflict with", "Қайшылық", "Конфликт с")),
            FieldSpec("target_name", text("Area", "Аймақ", "Территория")),
            FieldSpec("overlap_ha", text("Overlap", "Қабаттасу", "Перекрытие"), unit("ha"), 1),
            FieldSpec(
                "target_share_pct",
                text("Share of the area", "Аймақтың үлесі", "Доля территории"),
                "%",
                1,
            ),
        ),
        description=text(
            "Parts of sanitary zones lying on residential micro-districts or on agricultural land (areas in UTM).",
            "Тұрғын шағын аудандарға немесе ауыл шаруашылығы жеріне түсетін санитариялық аймақ бөліктері (аудандар UTM-да).",
            "Части санитарно-защитных зон на жилых микрорайонах или сельхозземлях (площади в UTM).",
        ),
        source="derived: sanitary_zones × micro_districts, soils",
        synthetic=True,
    )


def _exposure_layer(exposure: gpd.GeoDataFrame, pollutants: list[dict[str, Any]]) -> VectorLayer:
    """Maximum and mean C/MPC per micro-district and town, population above 1 MPC."""
    ex_fields = (
        _NAME_F,
        FieldSpec("level", text("Level", "Деңгей", "Уровень")),
        FieldSpec("population", text("Population", "Халқы", "Население"), "", 0),
        FieldSpec("index_max", text("Max Σ C/MPC", "Ең жоғары Σ C/ШРК", "Макс. Σ C/ПДК"), "", 2),
        FieldSpec("index_mean", text("Mean Σ C/MPC", "Орташа Σ C/ШРК", "Средн. Σ C/ПДК"), "", 2),
        *(
            FieldSpec(
                f"max_{p['id']}",
                _pollutant_text(p, "{}: max C/MPC", "{}: ең жоғары C/ШРК", "{}: макс. C/ПДК"),
                "",
                2,
            )
            for p in pollutants
        ),
        FieldSpec(
            "share_above_mpc_pct",
            text("Area above 1 MPC", "1 ШРК-дан жоғары аудан", "Площадь выше 1 ПДК"),
            "%",
            1,
        ),
        FieldSpec(
            "pop_above_mpc",
            text("Population above 1 MPC", "1 ШРК-дан жоғары халық", "Население выше 1 ПДК"),
            "",
            0,
        ),
    )
    return VectorLayer(
        name="exposure_by_zone",
        title=text("Exposure by zone", "Аймақтар бойынша әсер", "Воздействие по зонам"),
        data=exposure,
        style=Graduated(
            "index_max",
            (0.0, 0.5, 1.0, 2.0, 5.0, 1e6),
            ramp("YlOrRd", 5),
            unit=INDEX_UNIT,
            fill_opacity=0.35,
            labels=(
                text("below 0.5", "0,5-тен төмен", "ниже 0,5"),
                "0.5 – 1",
                "1 – 2",
                "2 – 5",
                text("above 5", "5-тен жоғары", "выше 5"),
            ),
        ),
        fields=ex_fields,
        description=text(
            "Maximum and mean C/MPC per micro-district and town; population above 1 MPC assumes an even spread over the zone.",
            "Шағын аудан және қала бойынша ең жоғары және орташа C/ШРК; 1 ШРК-дан жоғары халық біркелкі таралу болжамымен.",
            "Максимальное и среднее C/ПДК по микрорайонам и городам; население выше 1 ПДК при равномерном расселении.",
        ),
        source="derived: concentration rasters × micro_districts, town_boundaries (SYNTHETIC)",
        synthetic=True,
        label_field="name",
    )
