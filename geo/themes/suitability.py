"""Land suitability: a multi-criteria model driven entirely by a recipe.

``maps/land_suitability.toml`` (agriculture, Zhanatas's food belt) and
``maps/residential_expansion.toml`` use this module. The recipe names the
study area, the criteria (each a raw layer value turned into a 0–1 factor by
a fuzzy membership or a reclassification table), the weights (direct or an
AHP pairwise matrix), the aggregation (WLC or OWA), the constraints, the FAO
class breaks and the Monte Carlo settings. Outputs are prefixed with the
recipe's ``output_prefix`` (default: its ``name``):

* rasters ``<prefix>_score`` (0–1), ``<prefix>_class`` (S1/S2/S3/N) and
  ``<prefix>_stability`` (probability of keeping the class);
* vectors ``<prefix>_classes`` (class polygons) and ``<prefix>_by_zone``
  (areas in ha and % of each class for every town, micro-district and
  district intersecting the grid, exact cell coverage, UTM areas).

When the pollution theme's result is available (built earlier in the run, or
built on demand), its ``pollution_index`` raster can be a criterion and
constraint and its ``sanitary_zones`` a constraint; otherwise those optional
criteria/constraints are skipped with a note (sanitary zones then fall back to
buffers of the ``enterprises`` layer by hazard class when the recipe asks).
"""

from __future__ import annotations

import importlib.util
import logging
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from rasterio import features
from shapely.geometry import shape

from geo.crs import to_crs
from geo.errors import InputError
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.models.ahp import AHPError, ahp_weights
from geo.models.fuzzy import Membership, MembershipError
from geo.models.terrain import slope_degrees
from geo.models.zonal import class_areas, zonal_mean
from geo.raster import Raster
from geo.recipe import Recipe
from geo.symbology import FieldSpec, Graduated, RasterClasses, RasterRamp, ramp
from geo.themes.base import BuildContext, RasterLayer, ThemeResult, VectorLayer
from geo.themes.common import layer_data, recipe_text, suffixed, unit

__all__ = ["CLASS_TEXT", "build"]

log = logging.getLogger(__name__)

SOURCES = ("slope", "elevation", "distance", "categorical", "field", "raster", "pollution_index")
CONSTRAINT_KINDS = (
    "near_layer",
    "inside_layer",
    "slope_above",
    "elevation_above",
    "sanitary_zones",
    "pollution_above",
)
CLASS_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#d73027")
CLASS_TEXT: dict[str, Text] = {
    "S1": text("S1 highly suitable", "S1 жоғары жарамды", "S1 высокопригодные"),
    "S2": text("S2 moderately suitable", "S2 орташа жарамды", "S2 умеренно пригодные"),
    "S3": text("S3 marginally suitable", "S3 шамалы жарамды", "S3 ограниченно пригодные"),
    "N": text("N not suitable", "N жарамсыз", "N непригодные"),
}
DEFAULT_ZONE_LAYERS = ["town_boundaries", "micro_districts", "districts"]
"""Zones whose class areas are reported, when the recipe has no [zones] table."""
DISTANCE_CAP_MAX_M = 50_000.0
"""Upper bound of the distance cap (m), whatever the membership."""

_CRITERION_KEYS = (
    "source",
    "layer",
    "field",
    "where",
    "membership",
    "weight",
    "optional",
    "unit",
    "title",
    "outside",
)
_CONSTRAINT_KEYS = (
    "kind",
    "layer",
    "where",
    "distance_m",
    "value",
    "optional",
    "widths_m",
    "field",
)


# -- recipe reading -------------------------------------------------------------------
def _criteria(recipe: Recipe, ctx: BuildContext) -> dict[str, dict[str, Any]]:
    crit = recipe.get("criteria")
    if not isinstance(crit, dict) or not crit:
        raise recipe.error("criteria", "add at least one [criteria.<id>] table")
    out: dict[str, dict[str, Any]] = {}
    for cid, spec in crit.items():
        key = f"criteria.{cid}"
        if not isinstance(spec, dict):
            raise recipe.error(key, "must be a table with source and membership")
        recipe.require_keys(key, _CRITERION_KEYS)
        source = spec.get("source")
        if source not in SOURCES:
            raise recipe.error(
                f"{key}.source", f"unknown source {source!r}; use one of {', '.join(SOURCES)}"
            )
        layer = spec.get("layer", "dem" if source in ("slope", "elevation") else None)
        if source in ("distance", "categorical", "field", "raster") and layer is None:
            raise recipe.error(key, f'source {source!r} needs layer = "<catalog id>"')
        if layer is not None:
            _known_layer(recipe, ctx, f"{key}.layer", layer)
        if source in ("categorical", "field") and "field" not in spec:
            raise recipe.error(key, f'source {source!r} needs field = "<attribute>"')
        m = spec.get("membership")
        if not isinstance(m, dict) or "kind" not in m:
            raise recipe.error(
                f"{key}.membership", 'give membership = { kind = "linear", a = …, b = … }'
            )
        params = {k: v for k, v in m.items() if k != "kind"}
        try:
            membership = Membership(str(m["kind"]), params)
        except MembershipError as exc:
            raise recipe.error(f"{key}.membership", f"{exc}") from None
        if source == "categorical" and membership.kind != "reclass":
            raise recipe.error(
                f"{key}.membership", 'a categorical criterion needs kind = "reclass" with a table'
            )
        title = recipe_text(recipe, f"{key}.title", text(cid, cid, cid))
        out[cid] = {
            "id": cid,
            "source": source,
            "layer": layer,
            "field": spec.get("field"),
            "where": spec.get("where"),
            "membership": membership,
            "weight": spec.get("weight"),
            "optional": bool(spec.get("optional", False)),
            "unit": str(spec.get("unit", "")),
            "title": title,
            "outside": None if spec.get("outside") is None else float(spec["outside"]),
        }
    return out


def _weights(
    recipe: Recipe, ids: list[str], crit: Mapping[str, Mapping[str, Any]]
) -> tuple[np.ndarray, dict[str, Any]]:
    method = recipe.get("weights.method", "direct")
    if method == "direct":
        values = recipe.get("weights.values", None)
        if values is None:
            values = {c: crit[c]["weight"] for c in ids}
            missing = [c for c, v in values.items() if v is None]
            if missing:
                raise recipe.error(
                    f"criteria.{missing[0]}",
                    "no weight; add weight = … or a [weights] values table",
                )
            where = f"criteria.{ids[0]}.weight"
        else:
            where = "weights.values"
            _same_criteria(recipe, where, list(values), ids, "no weight for criterion {!r}; add it")
        w = np.array([float(values[c]) for c in ids])
        try:
            w = mcda.check_weights(w)
        except mcda.MCDAError as exc:
            raise recipe.error(where, str(exc)) from None
        return w, {"method": "direct", "values": {c: float(v) for c, v in zip(ids, w, strict=True)}}
    if method == "ahp":
        order = recipe.get("weights.criteria")
        _same_criteria(
            recipe, "weights.criteria", order, ids,
            "criterion {!r} is not in the AHP list; add it and its row",
        )  # fmt: skip
        matrix = _matrix(recipe.get("weights.matrix"), recipe)
        try:
            res = ahp_weights(
                matrix,
                ri_table=str(recipe.get("weights.ri_table", "saaty1980")),
                max_cr=float(recipe.get("weights.max_cr", 0.10)),
                labels=order,
            )
        except AHPError as exc:
            raise recipe.error("weights.matrix", str(exc)) from None
        if len(res.weights) != len(order):
            raise recipe.error(
                "weights.matrix",
                f"{len(res.weights)} rows for {len(order)} criteria; one row per criterion",
            )
        by_id = dict(zip(order, res.weights, strict=True))
        w = np.array([by_id[c] for c in ids])
        return w, {
            "method": "ahp",
            "criteria": list(order),
            "matrix": [[float(v) for v in r] for r in matrix],
            **res.as_dict(order),
        }
    raise recipe.error("weights.method", f'unknown method {method!r}; use "direct" or "ahp"')


def _same_criteria(
    recipe: Recipe, key: str, named: list[str], ids: list[str], missing_msg: str
) -> None:
    """Refuse a weights table at *key* naming an unknown criterion or leaving one out."""
    unknown = [c for c in named if c not in ids]
    if unknown:
        raise recipe.error(key, f"unknown criterion {unknown[0]!r}; criteria are {', '.join(ids)}")
    missing = [c for c in ids if c not in named]
    if missing:
        raise recipe.error(key, missing_msg.format(missing[0]))


def _matrix(rows: Any, recipe: Recipe) -> list[list[float]]:
    """Pairwise matrix with entries as numbers or "1/3"-style strings."""
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise recipe.error("weights.matrix", 'must be a list of rows, e.g. [[1, 3], ["1/3", 1]]')
    out = []
    for row in rows:
        vals = []
        for v in row:
            try:
                vals.append(float(Fraction(v)) if isinstance(v, str) else float(v))
            except (ValueError, ZeroDivisionError):
                raise recipe.error(
                    "weights.matrix", f'entry {v!r} is not a number or a fraction like "1/3"'
                ) from None
        out.append(vals)
    return out


def _area_grid(ctx: BuildContext, recipe: Recipe) -> AnalysisGrid:
    towns = list(recipe.get("area.towns", ["Zhanatas"]))
    buffer_m = float(recipe.get("area.buffer_m", 15_000))
    cell = float(recipe.get("area.cell_size_m", 100))
    if cell <= 0 or buffer_m < 0:
        raise recipe.error("area", "cell_size_m must be > 0 and buffer_m ≥ 0")
    if importlib.util.find_spec("geo.area") is not None:
        from geo.area import town_grid

        try:
            return town_grid(ctx, towns, buffer_m=buffer_m, cell_size=cell)
        except InputError as exc:
            raise recipe.error("area.towns", str(exc)) from None
    msg = "geo.area is missing"  # pragma: no cover - the module ships with the package
    raise InputError(msg)


def _select(gdf: gpd.GeoDataFrame, where: Any, recipe: Recipe, key: str) -> gpd.GeoDataFrame:
    if not where:
        return gdf
    if not isinstance(where, dict):
        raise recipe.error(key, "where must be a table {field = [values]}")
    for field, values in where.items():
        if field not in gdf:
            raise recipe.error(
                key, f"layer has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}"
            )
        vals = values if isinstance(values, list) else [values]
        gdf = gdf[gdf[field].isin(vals)]
    return gdf


# -- pollution theme --------------------------------------------------------------------
def _pollution(ctx: BuildContext, recipe: Recipe, notes: list[Text]) -> Any:
    if not recipe.get("pollution.use", True):
        return None
    res = ctx.results.get("pollution")
    if res is not None:
        return res
    from geo.recipe import default_maps_dir

    if (
        importlib.util.find_spec("geo.themes.pollution") is None
        or not (default_maps_dir() / "pollution.toml").exists()
    ):
        log.info("pollution theme not available: its criteria and constraints are skipped")
        return None
    from geo.build import ensure_theme

    return ensure_theme(ctx, "pollution")


# -- criteria on the grid --------------------------------------------------------------------
def _warp_checked(grid: AnalysisGrid, r: Raster, recipe: Recipe, key: str, what: str) -> np.ndarray:
    arr = grid.warp(r)
    if not np.isfinite(arr).any():
        raise recipe.error(
            key,
            f"{what} does not overlap the study area (raster bounds {tuple(round(b, 3) for b in r.bounds)} "
            f"in {r.crs.name}); give a raster covering the grid {tuple(round(b) for b in grid.bounds)} "
            f"in {grid.crs.name}",
        )
    return arr


def _warp_layer(
    ctx: BuildContext, grid: AnalysisGrid, recipe: Recipe, layer: str, key: str
) -> np.ndarray:
    """Catalog raster *layer* warped to the grid; an error at ``<key>.layer`` if it misses it."""
    return _warp_checked(
        grid, _read(ctx, layer, recipe, key), recipe, f"{key}.layer", f"layer {layer!r}"
    )


def _raw_criterion(
    c: Mapping[str, Any],
    ctx: BuildContext,
    grid: AnalysisGrid,
    recipe: Recipe,
    cache: dict[str, Any],
    pol: Any,
) -> np.ndarray | None:
    """Raw values of criterion *c* on the grid (None when its optional input is unavailable).

    DEMs are warped once and kept in *cache* (``"dem<layer>"``); cells filled
    with the recipe's ``outside`` value are counted in ``cache["filled"]``.
    """
    key = f"criteria.{c['id']}"
    src = c["source"]
    m: Membership = c["membership"]
    if src in ("slope", "elevation"):
        if "dem" + c["layer"] not in cache:
            cache["dem" + c["layer"]] = _warp_layer(ctx, grid, recipe, c["layer"], key)
        dem = cache["dem" + c["layer"]]
        return slope_degrees(dem, grid.cell_size) if src == "slope" else dem
    if src in ("raster", "pollution_index"):
        if src == "raster":
            arr = _warp_layer(ctx, grid, recipe, c["layer"], key)
        else:
            r = layer_data(pol, "pollution_index", raster=True)
            if r is None:
                return None
            arr = _warp_checked(grid, r, recipe, key, "the pollution_index raster")
        if c["outside"] is not None:
            gaps = ~np.isfinite(arr)
            cache.setdefault("filled", {})[c["id"]] = int(gaps.sum())
            arr[gaps] = c["outside"]
        return arr
    gdf = _read(ctx, c["layer"], recipe, key)
    if gdf is None:
        return None
    gdf = _select(gdf, c["where"], recipe, f"{key}.where")
    if src == "distance":
        hi = m.saturation(1e-3)[1]
        cap = min(hi, DISTANCE_CAP_MAX_M) if math.isfinite(hi) and hi > 0 else DISTANCE_CAP_MAX_M
        return grid.distance_to(gdf, cap=cap, what=f"layer {c['layer']!r}")
    field = c["field"]
    if field not in gdf:
        raise recipe.error(
            f"{key}.field",
            f"layer {c['layer']!r} has no field {field!r}; fields: {', '.join(map(str, gdf.columns))}",
        )
    if src == "categorical":
        cats = sorted({str(v) for v in gdf[field].dropna()})
        code = {v: i + 1 for i, v in enumerate(cats)}
        ids = grid.rasterize(
            gdf,
            [code.get(str(v), 0) for v in gdf[field]],
            fill=0,
            dtype="int32",
            what=f"layer {c['layer']!r}",
        )
        lut = np.array([None, *cats], dtype=object)
        return lut[ids]  # type: ignore[no-any-return]
    vals = pd.to_numeric(gdf[field], errors="coerce").to_numpy(dtype=float)
    return grid.rasterize(gdf, vals, fill=np.nan, dtype="float32", what=f"layer {c['layer']!r}")


def _read(ctx: BuildContext, layer: str, recipe: Recipe, key: str) -> Any:
    try:
        return ctx.layer(layer)
    except ModuleNotFoundError as exc:
        # a generator of a synthetic layer not installed yet
        log.warning("layer %s unavailable (%s)", layer, exc)
        return None


# -- constraints ---------------------------------------------------------------------------------
def _constraints(
    recipe: Recipe,
    ctx: BuildContext,
    grid: AnalysisGrid,
    slope: np.ndarray | None,
    dem: np.ndarray | None,
    pol: Any,
    notes: list[Text],
    params: dict[str, Any],
) -> np.ndarray:
    """Cells no constraint excludes; each constraint's record (excluded ha) goes into *params*.

    A constraint whose input is unavailable is refused unless it is
    ``optional``, in which case it is skipped with a note. Keys and kinds were
    checked by :func:`_settings`.
    """
    allowed = np.ones(grid.shape, dtype=bool)
    for cid, spec in recipe.get("constraints", {}).items():
        key = f"constraints.{cid}"
        excl = _exclusion(recipe, ctx, grid, spec, key, slope, dem, pol)
        if excl is None:
            if not spec.get("optional", False):
                raise recipe.error(
                    key,
                    "its input is unavailable; build the pollution theme first or mark it optional = true",
                )
            notes.append(
                text(
                    f"Constraint {cid} skipped: its input is not available in this build.",
                    f"{cid} шектеуі өткізілді: оның деректері бұл құрастыруда жоқ.",
                    f"Ограничение {cid} пропущено: его данных нет в этой сборке.",
                )
            )
            log.info("constraint %s skipped (input unavailable)", cid)
            params[cid] = {"kind": spec.get("kind"), "skipped": True}
            continue
        excl = np.asarray(excl, dtype=bool)
        params[cid] = {
            **{k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.items()},
            "excluded_ha": round(float(excl.sum()) * grid.cell_area_ha, 1),
        }
        allowed &= ~excl
    return allowed


def _exclusion(
    recipe: Recipe,
    ctx: BuildContext,
    grid: AnalysisGrid,
    spec: Mapping[str, Any],
    key: str,
    slope: np.ndarray | None,
    dem: np.ndarray | None,
    pol: Any,
) -> np.ndarray | None:
    """Cells excluded by one constraint, or None when its input is unavailable."""
    kind = spec.get("kind")
    if kind in ("slope_above", "elevation_above"):
        if "value" not in spec:
            raise recipe.error(key, "needs value = <degrees or metres>")
        base = slope if kind == "slope_above" else dem
        if base is None:
            base = _terrain(ctx, grid, recipe, key, slope=kind == "slope_above")
        return base > float(spec["value"])  # type: ignore[no-any-return]
    if kind in ("near_layer", "inside_layer"):
        layer = _known_layer(recipe, ctx, f"{key}.layer", spec.get("layer"))
        gdf = _read(ctx, layer, recipe, key)
        if gdf is None:
            return None
        gdf = _select(gdf, spec.get("where"), recipe, f"{key}.where")
        d = float(spec.get("distance_m", 0.0))
        if kind == "near_layer":
            return grid.distance_to(gdf, cap=d + grid.cell_size, what=f"layer {layer!r}") <= d  # type: ignore[no-any-return]
        g = gdf if d == 0 else to_crs(gdf, grid.crs).buffer(d).to_frame("geometry")
        return grid.mask(g, what=f"layer {layer!r}")
    if kind == "sanitary_zones":
        zones = layer_data(pol, "sanitary_zones")
        if zones is None and spec.get("widths_m"):
            zones = _spz_from_enterprises(ctx, spec, recipe, key, grid)
        return None if zones is None else grid.mask(zones, what="sanitary zones")
    # pollution_above
    r = layer_data(pol, "pollution_index", raster=True)
    if r is None:
        return None
    with np.errstate(invalid="ignore"):
        return _warp_checked(grid, r, recipe, key, "the pollution_index raster") > float(  # type: ignore[no-any-return]
            spec.get("value", 1.0)
        )


def _known_layer(recipe: Recipe, ctx: BuildContext, key: str, layer: Any) -> str:
    """*layer* if the catalog knows it; else an error at *key* listing the known ids."""
    if layer not in ctx.catalog.ids:
        raise recipe.error(
            key, f"unknown layer {layer!r}; known layers: {', '.join(ctx.catalog.ids)}"
        )
    return str(layer)


def _terrain(
    ctx: BuildContext, grid: AnalysisGrid, recipe: Recipe, key: str, *, slope: bool
) -> np.ndarray:
    dem = _warp_checked(grid, ctx.layer("dem"), recipe, key, "layer 'dem'")
    return slope_degrees(dem, grid.cell_size) if slope else dem


def _spz_from_enterprises(
    ctx: BuildContext, spec: Mapping[str, Any], recipe: Recipe, key: str, grid: AnalysisGrid
) -> gpd.GeoDataFrame | None:
    ent = _read(ctx, spec.get("layer", "enterprises"), recipe, key)
    if ent is None:
        return None
    widths = spec["widths_m"]
    field = spec.get("field", "hazard_class")
    if field not in ent:
        raise recipe.error(f"{key}.field", f"enterprises have no field {field!r}")
    w = ent[field].astype(str).map(lambda v: float(widths.get(v, 0.0)))
    utm = to_crs(ent, grid.crs, what="enterprises")
    buf = utm.geometry.buffer(w.to_numpy())
    return gpd.GeoDataFrame({"width_m": w.to_numpy()}, geometry=buf.to_numpy(), crs=grid.crs)


# -- outputs ---------------------------------------------------------------------------------------------
def _class_polygons(classes: Raster, prefix: str) -> gpd.GeoDataFrame:
    rows = []
    arr = classes.array
    for geom, value in features.shapes(
        arr, mask=arr > 0, transform=classes.transform, connectivity=4
    ):
        code = int(value)
        label = mcda.CLASS_LABELS[code - 1]
        rows.append({"class": label, "class_code": code, "geometry": shape(geom)})
    gdf = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=classes.crs)
        if rows
        else gpd.GeoDataFrame({"class": [], "class_code": []}, geometry=[], crs=classes.crs)
    )
    gdf["area_ha"] = (gdf.geometry.area / 10_000).round(2)
    for lang in ("en", "kk", "ru"):
        gdf[f"label_{lang}"] = [CLASS_TEXT[c][lang] for c in gdf["class"]]
    return gdf.sort_values(["class_code", "area_ha"], ascending=[True, False]).reset_index(
        drop=True
    )


def _zones(ctx: BuildContext, recipe: Recipe, grid: AnalysisGrid) -> gpd.GeoDataFrame | None:
    layers = recipe.get("zones.layers", DEFAULT_ZONE_LAYERS)
    frame = gpd.GeoSeries([_box(grid.bounds)], crs=grid.crs)
    parts = []
    for layer in layers:
        _known_layer(recipe, ctx, "zones.layers", layer)
        gdf = _read(ctx, layer, recipe, "zones.layers")
        if gdf is None:
            continue
        g = to_crs(gdf, grid.crs, what=f"layer {layer!r}")
        g = g[g.intersects(frame.iloc[0])]
        if g.empty:
            continue
        if layer == "town_boundaries":
            zid, name, kind = g["town"].astype(str), g["town"].astype(str), "town"
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        elif layer == "micro_districts":
            zid, name, kind = (
                g["zone_id"].astype(str),
                g.get("name", g["zone_id"]).astype(str),
                "micro_district",
            )
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        elif layer == "districts":
            zid, name, kind = (
                "district_" + g["district"].astype(str),
                g["district"].astype(str),
                "district",
            )
            kk, ru = g.get("name_kk", name), g.get("name_ru", name)
        else:
            first = next(c for c in g.columns if c != g.geometry.name)
            zid, name, kind = f"{layer}_" + g[first].astype(str), g[first].astype(str), layer
            kk, ru = name, name
        parts.append(
            gpd.GeoDataFrame(
                {
                    "zone_id": zid.to_numpy(),
                    "zone_type": kind,
                    "name": name.to_numpy(),
                    "name_kk": np.asarray(kk),
                    "name_ru": np.asarray(ru),
                    "source_layer": layer,
                },
                geometry=g.geometry.to_numpy(),
                crs=grid.crs,
            )
        )
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=grid.crs)


def _with_suburbs(
    zones: gpd.GeoDataFrame | None, recipe: Recipe, grid: AnalysisGrid
) -> gpd.GeoDataFrame | None:
    """Add the "northern suburbs" of the report town: a ring of ``report.suburbs_m`` north of its centre.

    The study proposes Zhanatas's food belt in its northern suburbs (paper 001);
    this zone lets the table answer how suitable that land is.
    """
    town = recipe.get("report.town", None)
    width = recipe.get("report.suburbs_m", None)
    if zones is None or town is None or width is None:
        return zones
    row = zones[(zones["zone_type"] == "town") & (zones["zone_id"] == town)]
    if row.empty:
        return zones
    poly = row.geometry.iloc[0]
    c = poly.centroid
    ring = poly.buffer(float(width)).difference(poly)
    left, _, right, top = ring.bounds
    north = ring.intersection(_box((left, c.y, right, top)))
    extra = gpd.GeoDataFrame(
        {
            "zone_id": [f"{town}_north_suburbs"],
            "zone_type": ["suburbs"],
            "name": [f"{town}: northern suburbs (0–{float(width) / 1000:g} km)"],
            "name_kk": [f"{row['name_kk'].iloc[0]}: солтүстік маңы (0–{float(width) / 1000:g} км)"],
            "name_ru": [
                f"{row['name_ru'].iloc[0]}: северные пригороды (0–{float(width) / 1000:g} км)"
            ],
            "source_layer": ["derived"],
        },
        geometry=[north],
        crs=grid.crs,
    )
    return gpd.GeoDataFrame(
        pd.concat([zones, extra], ignore_index=True), geometry="geometry", crs=grid.crs
    )


def _box(b: tuple[float, float, float, float]) -> Any:
    from shapely.geometry import box

    return box(*b)


# -- build -------------------------------------------------------------------------------------------------
DESCRIPTION = text(
    "How suitable the land is for the use in the recipe, from 0 to 1 and in the FAO classes S1–S3 and N, with the share of each town, micro-district and district in every class. The criteria, weights and constraints are design judgements on partly synthetic layers; the stability map shows where the class holds when the weights change.",
    "Рецепттегі пайдалануға жердің жарамдылығы: 0-ден 1-ге дейін және FAO S1–S3, N кластары бойынша, әр қала, шағын аудан мен аудан үшін әр кластың үлесі. Критерийлер, салмақтар мен шектеулер ішінара синтетикалық қабаттарға негізделген сараптамалық шешімдер; тұрақтылық картасы салмақтар өзгергенде класс қай жерде сақталатынын көрсетеді.",
    "Пригодность земель для указанного в рецепте использования: от 0 до 1 и по классам FAO S1–S3 и N, с долей каждого класса в городах, микрорайонах и районах. Критерии, веса и ограничения — экспертные решения на частично синтетических слоях; карта устойчивости показывает, где класс сохраняется при изменении весов.",
)
_TOP_KEYS = (
    "theme", "name", "output_prefix", "title", "description", "area", "criteria", "weights",
    "aggregation", "constraints", "classes", "monte_carlo", "zones", "pollution", "report",
)  # fmt: skip


def _settings(recipe: Recipe, ctx: BuildContext) -> dict[str, Any]:
    """Read and check everything in the recipe before any heavy work."""
    recipe.require_keys("", _TOP_KEYS)
    s: dict[str, Any] = {
        "prefix": str(recipe.get("output_prefix", recipe.name)),
        "title": recipe_text(
            recipe, "title", text("Land suitability", "Жердің жарамдылығы", "Пригодность земель")
        ),
        # what the map shows and how sure it is (index.html); the recipe may say it for its use
        "description": recipe_text(recipe, "description", DESCRIPTION),
    }
    s["crit"] = crit = _criteria(recipe, ctx)
    s["ids"] = ids = list(crit)
    s["weights"], s["wparams"] = _weights(recipe, ids, crit)
    try:
        s["breaks"] = mcda.check_breaks(recipe.get("classes.breaks", list(mcda.DEFAULT_BREAKS)))
    except mcda.MCDAError as exc:
        raise recipe.error("classes.breaks", str(exc)) from None
    s["agg"] = agg = recipe.get("aggregation.method", "wlc")
    s["order_w"] = None
    if agg == "owa":
        s["order_w"] = recipe.get("aggregation.order_weights")
    elif agg != "wlc":
        raise recipe.error("aggregation.method", f'unknown aggregation {agg!r}; use "wlc" or "owa"')
    mc_cfg = recipe.get("monte_carlo", {})
    s["mc"] = None
    if mc_cfg.get("draws", 0):
        try:
            s["mc"] = mcda.MonteCarlo(
                draws=int(mc_cfg["draws"]),
                weight_spread=float(mc_cfg.get("weight_spread", 0.2)),
                control_point_spread=float(mc_cfg.get("control_point_spread", 0.0)),
                seed=int(mc_cfg.get("seed", 20231)),
            )
        except mcda.MCDAError as exc:
            raise recipe.error("monte_carlo", str(exc)) from None
    s["stable_thr"] = float(mc_cfg.get("stable_threshold", 0.9))
    for cid, spec in recipe.get("constraints", {}).items():
        recipe.require_keys(f"constraints.{cid}", _CONSTRAINT_KEYS)
        if spec.get("kind") not in CONSTRAINT_KINDS:
            raise recipe.error(
                f"constraints.{cid}.kind",
                f"unknown constraint kind {spec.get('kind')!r}; use one of {', '.join(CONSTRAINT_KINDS)}",
            )
    return s


def _compute_criteria(
    ctx: BuildContext,
    recipe: Recipe,
    grid: AnalysisGrid,
    s: dict[str, Any],
    pol: Any,
    cache: dict[str, Any],
    notes: list[Text],
) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Raw criterion values on the grid: ``(raws, used ids, skipped ids)``; notes the skipped ones."""
    crit, ids = s["crit"], s["ids"]
    # rasters first: a DEM that misses the study area is reported before anything derived from it
    order = sorted(
        ids, key=lambda c: (crit[c]["source"] not in ("slope", "elevation", "raster"), ids.index(c))
    )
    computed = {cid: _raw_criterion(crit[cid], ctx, grid, recipe, cache, pol) for cid in order}
    raws: list[np.ndarray] = []
    used: list[str] = []
    skipped: list[str] = []
    for cid in ids:
        raw = computed[cid]
        if raw is None:
            if not crit[cid]["optional"]:
                raise recipe.error(
                    f"criteria.{cid}",
                    "its input is unavailable; build the pollution theme first or mark it optional = true",
                )
            skipped.append(cid)
            notes.append(
                text(
                    f"Criterion {cid} skipped: its input is not available in this build; the other weights were rescaled to sum 1.",
                    f"{cid} критерийі өткізілді: оның деректері бұл құрастыруда жоқ; қалған салмақтар қосындысы 1 болатындай қайта есептелді.",
                    f"Критерий {cid} пропущен: его данных нет в этой сборке; остальные веса пересчитаны к сумме 1.",
                )
            )
            log.info("criterion %s skipped (input unavailable)", cid)
            continue
        raws.append(raw)
        used.append(cid)
    if not used:
        raise recipe.error("criteria", "no criterion could be computed; check the layers")
    for cid, n in sorted(cache.get("filled", {}).items()):
        if n:
            share = 100.0 * n / (grid.width * grid.height)
            v = crit[cid]["outside"]
            notes.append(
                text(
                    f"Criterion {cid}: {share:.1f} % of the cells lie outside its raster and take the recipe's value {v:g}.",
                    f"{cid} критерийі: ұяшықтардың {share:.1f} % растрдан тыс, оларға рецепттегі {v:g} мәні берілді.",
                    f"Критерий {cid}: {share:.1f} % ячеек вне его растра, им присвоено значение {v:g} из рецепта.",
                )
            )
    return raws, used, skipped


def _order_weights(
    recipe: Recipe, order_w: Any, n_criteria: int, n_used: int, skipped: bool
) -> tuple[list[float] | None, dict[str, Any]]:
    """OWA order weights for the criteria used, and their measures (orness, trade-off)."""
    if order_w is None:
        return None, {}
    ow = list(order_w)
    if len(ow) != n_criteria:
        raise recipe.error(
            "aggregation.order_weights",
            f"{len(ow)} order weights for {n_criteria} criteria; give one per criterion",
        )
    if skipped:  # keep the ends (AND/OR character): drop middle ranks, renormalise
        ow = ow[: n_used - 1] + ow[-1:] if n_used > 1 else [1.0]
        total = sum(ow)
        ow = [v / total for v in ow] if total > 0 else [1.0 / n_used] * n_used
    try:
        measures = mcda.owa_measures(ow)
    except mcda.MCDAError as exc:
        raise recipe.error("aggregation.order_weights", str(exc)) from None
    return ow, {"measures": measures}


def _rasters(grid: AnalysisGrid, ev: Any, s: dict[str, Any]) -> tuple[list[RasterLayer], Raster]:
    """Score, class and (with Monte Carlo) stability rasters; the class raster."""
    prefix, title, mc = s["prefix"], s["title"], s["mc"]
    score_r = grid.raster(ev.score, tags={"units": "0-1", "method": s["agg"]})
    class_r = grid.raster(ev.classes, nodata=0, tags={"classes": "1=S1 2=S2 3=S3 4=N"})
    rasters = [
        RasterLayer(
            name=f"{prefix}_score",
            title=suffixed(title, _SUFFIX["score"]),
            raster=score_r,
            style=RasterRamp((0.0, 0.25, 0.5, 0.75, 1.0), ramp("RdYlGn", 5), unit="0–1"),
            show=False,  # the class polygons are shown first; one layer at a time reads best
            description=text(
                "Aggregated suitability, 0 (unsuitable) to 1 (best).",
                "Жиынтық жарамдылық, 0 (жарамсыз) – 1 (ең жақсы).",
                "Итоговая пригодность, от 0 (непригодно) до 1 (лучшее).",
            ),
            source="Computed by the toolkit from the recipe's criteria",
            synthetic=True,
        ),
        RasterLayer(
            name=f"{prefix}_class",
            title=suffixed(title, _SUFFIX["class"]),
            raster=class_r,
            style=RasterClasses(
                (1, 2, 3, 4), CLASS_COLOURS, tuple(CLASS_TEXT[c] for c in mcda.CLASS_LABELS)
            ),
            description=text(
                "FAO suitability classes S1/S2/S3/N.",
                "FAO жарамдылық кластары S1/S2/S3/N.",
                "Классы пригодности FAO S1/S2/S3/N.",
            ),
            source="FAO (1976) Framework for Land Evaluation classes; breaks from the recipe",
            synthetic=True,
            show=False,
        ),
    ]
    if ev.stability is not None:
        rasters.append(
            RasterLayer(
                name=f"{prefix}_stability",
                title=suffixed(title, _SUFFIX["stability"]),
                raster=grid.raster(
                    ev.stability, tags={"units": "probability", "draws": str(mc.draws if mc else 0)}
                ),
                style=RasterRamp((0.0, 0.5, 1.0), ("#d7191c", "#ffffbf", "#2c7bb6"), unit="0–1"),
                description=text(
                    "Probability that the cell keeps its class when the weights are perturbed (Monte Carlo).",
                    "Салмақтар ауытқығанда ұяшықтың өз класын сақтау ықтималдығы (Монте-Карло).",
                    "Вероятность сохранения класса ячейкой при возмущении весов (Монте-Карло).",
                ),
                source="Monte Carlo perturbation of the recipe's weights",
                synthetic=True,
                show=False,
            )
        )
    return rasters, class_r


def _classes_layer(class_r: Raster, s: dict[str, Any]) -> VectorLayer:
    """Polygons of the class raster."""
    return VectorLayer(
        name=f"{s['prefix']}_classes",
        title=suffixed(s["title"], _SUFFIX["classes"]),
        data=_class_polygons(class_r, s["prefix"]),
        style=_class_style(),
        fields=(
            FieldSpec("class", text("Class", "Класс", "Класс")),
            FieldSpec("area_ha", text("Area", "Ауданы", "Площадь"), unit("ha"), 1),
        ),
        source="Polygons of the class raster",
        synthetic=True,
    )


def _zone_table(
    grid: AnalysisGrid, class_r: Raster, ev: Any, zones: gpd.GeoDataFrame, stable_thr: float
) -> pd.DataFrame:
    """Zone × class areas (ha, %), the mean stability and the share with a stable class."""
    labels = {v: k for k, v in mcda.CLASS_CODES.items()}
    table = class_areas(class_r, zones, labels)
    if ev.stability is not None:
        table["stability_mean"] = zonal_mean(grid.raster(ev.stability), zones).to_numpy()
        stable = np.where(
            np.isfinite(ev.stability), (ev.stability >= stable_thr).astype("float32"), np.nan
        )
        table["stable_pct"] = 100 * zonal_mean(grid.raster(stable), zones).to_numpy()
    table["suitable_pct"] = table[["S1_pct", "S2_pct", "S3_pct"]].sum(axis=1, min_count=1)
    return table


def _by_zone_layer(
    grid: AnalysisGrid,
    zones: gpd.GeoDataFrame,
    table: pd.DataFrame,
    s: dict[str, Any],
    has_stability: bool,
) -> VectorLayer:
    """The ``<prefix>_by_zone`` layer: the zones (clipped to the grid) with their class areas."""
    out = zones.merge(table, on="zone_id")
    # shown geometry: the part of each zone inside the grid (its areas are in the table)
    out["geometry"] = out.geometry.intersection(_box(grid.bounds))
    out["clipped_to_grid"] = out["grid_coverage"] < 0.9999
    for c in out.columns:
        if c.endswith(("_ha", "_pct")) or c in ("grid_coverage", "stability_mean"):
            out[c] = (
                out[c].astype(float).round(4 if c in ("grid_coverage", "stability_mean") else 2)
            )
    return VectorLayer(
        name=f"{s['prefix']}_by_zone",
        title=suffixed(s["title"], _SUFFIX["by_zone"]),
        data=out,
        style=Graduated("suitable_pct", (0, 20, 40, 60, 80, 100), ramp("RdYlGn", 5), unit="%"),
        fields=(
            FieldSpec("name", text("Zone", "Аймақ", "Зона")),
            FieldSpec(
                "suitable_pct",
                text("Suitable (S1–S3)", "Жарамды (S1–S3)", "Пригодно (S1–S3)"),
                "%",
                1,
            ),
            *(FieldSpec(f"{c}_ha", CLASS_TEXT[c], unit("ha"), 1) for c in mcda.CLASS_LABELS),
            *_stable_field(has_stability),
            FieldSpec(
                "grid_coverage",
                text("Share of zone in the grid", "Аймақтың тордағы үлесі", "Доля зоны в сетке"),
                "",
                3,
            ),
        ),
        source=(
            "Zone layers of the catalog; exact cell coverage (exactextract), areas in the "
            "grid's UTM CRS; zones reaching beyond the grid are drawn clipped to it"
        ),
        synthetic=True,
        label_field="name",
        show=False,  # zones overlap (district ⊃ town ⊃ micro-district): opened on demand
    )


def _town_report(recipe: Recipe, table: pd.DataFrame | None, notes: list[Text]) -> dict[str, Any]:
    """The modelled suitable share of the report town (and its northern suburbs) beside the study's."""
    town = recipe.get("report.town", None)
    if town is None or table is None:
        return {}
    row = table[table["zone_id"] == town]
    if row.empty:
        return {}
    modelled = float(row["suitable_pct"].iloc[0])
    study = recipe.get("report.study_suitable_pct", None)
    sub_row = table[table["zone_id"] == f"{town}_north_suburbs"]
    report = {
        "northern_suburbs_suitable_pct": (
            round(float(sub_row["suitable_pct"].iloc[0]), 1) if not sub_row.empty else None
        ),
        "northern_suburbs_s1_s2_pct": (
            round(float(sub_row["S1_pct"].iloc[0] + sub_row["S2_pct"].iloc[0]), 1)
            if not sub_row.empty
            else None
        ),
        "town": town,
        "modelled_suitable_pct": round(modelled, 1),
        "grid_coverage": round(float(row["grid_coverage"].iloc[0]), 4),
        "study_suitable_pct": study,
        "study_source": recipe.get("report.study_source", ""),
        "note": "the modelled share is reported beside the study's, never calibrated to it",
    }
    if study is not None:
        from geo.synthetic.towns import TOWNS

        kk, ru = (TOWNS[town][1], TOWNS[town][2]) if town in TOWNS else (town, town)
        notes.append(
            text(
                f"{town}: {modelled:.1f} % of the (synthetic) town area is modelled S1–S3; the study states {study} %.",
                f"{kk}: қаланың (синтетикалық) ауданының {modelled:.1f} % S1–S3 деп модельденді; зерттеуде {study} %.",
                f"{ru}: {modelled:.1f} % (синтетической) площади города смоделировано как S1–S3; в исследовании {study} %.",
            )
        )
    return report


def _parameters(
    recipe: Recipe,
    grid: AnalysisGrid,
    s: dict[str, Any],
    used: list[str],
    skipped: list[str],
    w_used: np.ndarray,
    order_w: list[float] | None,
    owa_info: dict[str, Any],
    filled: dict[str, int],
    cparams: dict[str, Any],
    ev: Any,
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json`` (zones and town share are added by the caller)."""
    crit, mc = s["crit"], s["mc"]
    params: dict[str, Any] = {
        "description": s["description"],
        "name": recipe.name,
        "output_prefix": s["prefix"],
        "grid": {
            "crs": f"EPSG:{grid.crs.to_epsg()}",
            "cell_size_m": grid.cell_size,
            "shape": list(grid.shape),
            "bounds": [round(b, 1) for b in grid.bounds],
        },
        "criteria": {
            c: {
                "source": crit[c]["source"],
                "layer": crit[c]["layer"],
                "field": crit[c]["field"],
                "membership": crit[c]["membership"].describe(),
                "weight": round(float(w_used[used.index(c)]), 6) if c in used else None,
                "outside": crit[c]["outside"],
                "cells_filled_with_outside": filled.get(c, 0),
                "skipped": c in skipped,
            }
            for c in s["ids"]
        },
        "weights": s["wparams"],
        "weights_used": {c: round(float(v), 6) for c, v in zip(used, w_used, strict=True)},
        "aggregation": {"method": s["agg"], "order_weights": order_w, **owa_info},
        "constraints": cparams,
        "classes": {
            "breaks": list(s["breaks"]),
            "labels": list(mcda.CLASS_LABELS),
            "codes": mcda.CLASS_CODES,
            "source": "FAO (1976); breaks are a design choice (methods §2.4)",
        },
        "monte_carlo": {
            **(mc.describe() if mc else {"draws": 0}),
            "stable_threshold": s["stable_thr"],
        },
        "class_area_ha": {
            lab: round(float((ev.classes == code).sum()) * grid.cell_area_ha, 1)
            for lab, code in mcda.CLASS_CODES.items()
        },
    }
    return params


def build(ctx: BuildContext, recipe: Recipe) -> ThemeResult:
    """Build a land-suitability theme from *recipe*.

    Parameters
    ----------
    ctx : BuildContext
        Catalog, language and earlier results (``pollution`` is used when present).
    recipe : Recipe
        A ``theme = "land_suitability"`` recipe (see ``maps/land_suitability.toml``).

    Returns
    -------
    ThemeResult
        Score, class and stability rasters, class polygons, zone × class areas,
        and every parameter (weights, CR, memberships, constraints, breaks,
        Monte Carlo settings, the modelled town share beside the study's).

    Raises
    ------
    RecipeError
        Any bad recipe value, with the file, line and the fix.
    """
    s = _settings(recipe, ctx)
    crit, ids = s["crit"], s["ids"]
    grid = _area_grid(ctx, recipe)
    notes: list[Text] = []
    pol = _pollution(ctx, recipe, notes)
    cache: dict[str, Any] = {}
    raws, used, skipped = _compute_criteria(ctx, recipe, grid, s, pol, cache, notes)
    w_used = np.array([s["weights"][ids.index(c)] for c in used])
    w_used = w_used / w_used.sum()
    order_w, owa_info = _order_weights(recipe, s["order_w"], len(ids), len(used), bool(skipped))
    dem = cache.get("demdem")
    slope = slope_degrees(dem, grid.cell_size) if dem is not None else None
    cparams: dict[str, Any] = {}
    allowed = _constraints(recipe, ctx, grid, slope, dem, pol, notes, cparams)

    ev = mcda.evaluate(
        [mcda.array_source(np.asarray(r)) for r in raws],
        [crit[c]["membership"] for c in used],
        w_used,
        grid.shape,
        order_weights=order_w,
        allowed=mcda.array_source(allowed),
        breaks=s["breaks"],
        monte_carlo=s["mc"],
    )
    rasters, class_r = _rasters(grid, ev, s)
    vectors = [_classes_layer(class_r, s)]
    zones = _with_suburbs(_zones(ctx, recipe, grid), recipe, grid)
    table = None
    if zones is not None:
        table = _zone_table(grid, class_r, ev, zones, s["stable_thr"])
        vectors.append(_by_zone_layer(grid, zones, table, s, ev.stability is not None))
    else:
        notes.append(
            text(
                "No zone layer intersects the grid: areas by zone are not available.",
                "Торға бірде-бір аймақ қабаты қиылыспайды: аймақтар бойынша аудандар жоқ.",
                "Ни один слой зон не пересекает сетку: площади по зонам недоступны.",
            )
        )
    params = _parameters(
        recipe,
        grid,
        s,
        used,
        skipped,
        w_used,
        order_w,
        owa_info,
        cache.get("filled", {}),
        cparams,
        ev,
    )
    params["town_share"] = _town_report(recipe, table, notes)
    if table is not None:
        params["zones"] = len(vectors[-1].data)
    if skipped:
        params["skipped_criteria"] = skipped
    inputs = sorted(
        {str(crit[c]["layer"]) for c in used if crit[c]["layer"]}
        | {str(v["layer"]) for v in cparams.values() if v.get("layer") and not v.get("skipped")}
        | set(recipe.get("zones.layers", DEFAULT_ZONE_LAYERS))
    )
    return ThemeResult(
        theme=recipe.theme,
        title=s["title"],
        vectors=vectors,
        rasters=rasters,
        parameters=params,
        notes=notes,
        inputs=inputs,
    )


def _stable_field(present: bool) -> tuple[FieldSpec, ...]:
    if not present:
        return ()
    alias = text("Area with a stable class", "Класы тұрақты аудан", "Площадь с устойчивым классом")
    return (FieldSpec("stable_pct", alias, "%", 1),)


_SUFFIX: dict[str, Text] = {
    "score": text("score", "балл", "балл"),
    "class": text("FAO class", "FAO класы", "класс FAO"),
    "stability": text("class stability", "класс тұрақтылығы", "устойчивость класса"),
    "classes": text("class polygons", "класс полигондары", "полигоны классов"),
    "by_zone": text("areas by zone", "аймақтар бойынша аудандар", "площади по зонам"),
}


def _class_style() -> Any:
    from geo.symbology import Categorized, Category

    return Categorized(
        "class",
        tuple(
            Category(lab, col, CLASS_TEXT[lab])
            for lab, col in zip(mcda.CLASS_LABELS, CLASS_COLOURS, strict=True)
        ),
    )
