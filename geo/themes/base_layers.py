"""The base map: relief, water, boundaries and towns shown under every theme.

:func:`base_result` returns a :class:`ThemeResult` with theme id ``"base"``:
a hillshade of the basin DEM (computed in the equal-area CRS so slopes are
metric) and the reference vector layers, each carrying its catalog
provenance and a style. :func:`layer_from_catalog` is the one place a catalog
layer becomes a :class:`VectorLayer`; themes reuse it for their inputs.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np

from geo.crs import EQUAL_AREA
from geo.grid import AnalysisGrid
from geo.i18n import text
from geo.models.terrain import hillshade
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.symbology import (
    Categorized,
    Category,
    FieldSpec,
    RasterRamp,
    Single,
    VectorStyle,
)
from geo.themes.base import ThemeInputs

__all__ = ["BASE_TITLE", "base_result", "layer_from_catalog"]

log = logging.getLogger(__name__)

BASE_TITLE = text("Base map", "Негізгі карта", "Базовая карта")

NAME = FieldSpec("name", text("Name", "Атауы", "Название"))
POPULATION = FieldSpec("population", text("Population", "Халқы", "Население"), digits=0)


def layer_from_catalog(
    ctx: ThemeInputs,
    layer_id: str,
    style: VectorStyle,
    *,
    fields: tuple[FieldSpec, ...] = (),
    name: str | None = None,
    label_field: str | None = None,
    show: bool = True,
    data: Any = None,
) -> VectorLayer:
    """Wrap catalog layer *layer_id* (or *data* derived from it) as a styled :class:`VectorLayer`."""
    spec = ctx.catalog.spec(layer_id)
    prov = ctx.catalog.provenance(layer_id)
    gdf = ctx.layer(layer_id) if data is None else data
    fields = tuple(f for f in fields if f.name in gdf.columns)  # a user's file may lack some
    return VectorLayer(
        name=name or layer_id,
        title=spec.title,
        data=gdf,
        style=style,
        fields=fields,
        description=spec.title,
        source=prov["source"],
        licence=prov["licence"],
        synthetic=bool(prov["synthetic"]),
        label_field=label_field,
        show=show,
        metadata={"catalog_id": layer_id, "attribution": prov["attribution"]},
    )


_CYR_TO_LAT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "a",
            "g",
            "k",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ],
        strict=True,
    )
)
_KAZAKH_LETTERS = set("әғқңөұүһі")


def _latin(name: str) -> str:
    return "".join(_CYR_TO_LAT.get(c, c) for c in name.lower())


def localized_place_names(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``name_kk`` and ``name_ru`` to GeoNames places from their alternate names.

    Among the Cyrillic alternate names, the one whose transliteration is closest
    to the English name wins (so "Шу", not the Soviet-era "Чу"); a name with
    Kazakh letters is preferred for ``name_kk``. Places without a Cyrillic
    alternate keep their English name. Names the layer carries itself win
    (the embedded layer's strict rule, OpenStreetMap's tags); this label rule
    only fills the ones it leaves empty, for display.
    """
    import difflib

    if "alternatenames" not in places:
        return places
    out = places.copy()
    own = {c: out.get(c, None) for c in ("name_kk", "name_ru")}
    kk, ru = [], []
    for name, alts in zip(out["name"].astype(str), out["alternatenames"].fillna(""), strict=True):
        cyr = [
            a
            for a in str(alts).split("|")
            if any("а" <= c <= "я" or c in _KAZAKH_LETTERS for c in a.lower())
        ]

        def score(a: str, name: str = name) -> float:
            return difflib.SequenceMatcher(None, _latin(a), name.lower()).ratio()

        ranked = sorted(cyr, key=score, reverse=True)
        best_ru = next((a for a in ranked if not _KAZAKH_LETTERS & set(a.lower())), None)
        best_kk = next((a for a in ranked if _KAZAKH_LETTERS & set(a.lower())), best_ru)
        ok = ranked and score(ranked[0]) >= 0.5
        ru.append(best_ru if ok and best_ru else name)
        kk.append(best_kk if ok and best_kk else name)
    for col, derived in (("name_kk", kk), ("name_ru", ru)):
        given = own[col]
        if given is None:
            out[col] = derived
        else:
            keep = given.notna() & (given.astype(str).str.strip() != "")
            out[col] = [str(g) if k else d for g, k, d in zip(given, keep, derived, strict=True)]
    return out


def hillshade_layer(ctx: ThemeInputs, *, cell_size: float = 500.0) -> RasterLayer:
    """Hillshade of the basin DEM on an equal-area grid of *cell_size* metres."""
    dem = ctx.layer("dem")
    from geo.crs import best_transformer

    left, bottom, right, top = dem.bounds
    t = best_transformer(dem.crs, EQUAL_AREA)
    xs, ys = t.transform([left, right, left, right], [bottom, bottom, top, top])
    grid = AnalysisGrid.from_bounds((min(xs), min(ys), max(xs), max(ys)), EQUAL_AREA, cell_size)
    z = grid.warp(dem, resampling="bilinear")
    shade = hillshade(np.nan_to_num(z, nan=float(np.nanmin(z))), cell_size, z_factor=2.0)
    arr = np.where(np.isfinite(z), shade, 0).astype("uint8")
    return RasterLayer(
        name="hillshade",
        title=text("Relief (hillshade)", "Бедер (көлеңкелеу)", "Рельеф (отмывка)"),
        raster=grid.raster(arr, nodata=0, tags={"units": "0-255", "method": "Horn hillshade, z×2"}),
        style=RasterRamp(values=(1.0, 255.0), colors=("#000000", "#ffffff"), opacity=0.45),
        description=text(
            "Hillshade of GEBCO 2023 (15″), sun at 315°/45°, vertical exaggeration 2",
            "GEBCO 2023 (15″) көлеңкелеуі, күн 315°/45°, тік асыра көрсету 2",
            "Отмывка рельефа GEBCO 2023 (15″), солнце 315°/45°, вертикальное преувеличение 2",
        ),
        source=ctx.catalog.provenance("dem")["source"],
        licence=ctx.catalog.provenance("dem")["licence"],
        synthetic=False,
        metadata={"catalog_id": "dem"},
    )


_STATUS_STYLE = Categorized(
    "status",
    (
        Category("existing", "#9ecae1", text("existing", "бар", "существующий")),
        Category(
            "reconstruction",
            "#fdae61",
            text("to be reconstructed", "қайта жаңартылады", "подлежит реконструкции"),
        ),
        Category(
            "destroyed",
            "#969696",
            text("completely destroyed", "толық қираған", "полностью разрушен"),
        ),
    ),
    outline="#636363",
    fill_opacity=0.35,
)
"""Micro-districts by planning status (paper 001 for Zhanatas)."""

_INPUTS = (
    "dem", "oblast", "districts", "basin", "lakes", "karatau_range", "rivers",
    "town_boundaries", "micro_districts", "towns",
)  # fmt: skip

DISTRICT = FieldSpec("label", text("District", "Аудан", "Район"))


def _district_labels(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The districts with ``label`` / ``label_kk`` / ``label_ru`` ("Sarysu district").

    The embedded layer carries them; a user's file without them is labelled
    with its district names as they are.
    """
    if "label" in districts:
        return districts
    return districts.assign(
        label=districts["district"],
        label_kk=districts.get("name_kk", districts["district"]),
        label_ru=districts.get("name_ru", districts["district"]),
    )


def _frame_layers(ctx: ThemeInputs) -> list[VectorLayer]:
    """The oblast, its districts, the basin, the lakes, the Karatau range and the rivers."""
    return [
        layer_from_catalog(
            ctx, "oblast", Single("#000000", outline="#252525", width=2.0, fill=False)
        ),
        layer_from_catalog(
            ctx,
            "districts",
            Single("#000000", outline="#737373", width=1.0, dash="6 4", fill=False),
            fields=(DISTRICT,),
            label_field="label",
            data=_district_labels(ctx.layer("districts")),
        ),
        layer_from_catalog(
            ctx,
            "basin",
            Single("#c6dbef", outline="#4292c6", width=1.0, fill_opacity=0.15),
            fields=(NAME,),
            show=False,
        ),
        layer_from_catalog(
            ctx,
            "lakes",
            Single("#9ecae1", outline="#2171b5", width=1.0, fill_opacity=0.8),
            fields=(
                FieldSpec("name", text("Lake", "Көл", "Озеро")),
                FieldSpec("area_km2", text("Area, km²", "Ауданы, км²", "Площадь, км²"), digits=1),
            ),
            label_field="name",
        ),
        layer_from_catalog(
            ctx,
            "karatau_range",
            Single("#a1887f", outline="#6d4c41", width=1.0, fill_opacity=0.25),
            fields=(NAME,),
        ),
        layer_from_catalog(
            ctx,
            "rivers",
            Single("#2171b5", width=2.0, fill=False),
            fields=(FieldSpec("name_assigned", text("River", "Өзен", "Река")),),
        ),
    ]


def _town_layers(ctx: ThemeInputs) -> list[VectorLayer]:
    """Town boundaries, micro-districts and the places of the oblast."""
    towns = localized_place_names(ctx.layer("towns"))
    if "admin1code" in towns:  # GeoNames admin-1 code of Zhambyl oblast
        towns = towns[towns["admin1code"].astype(str) == "17"]
    towns = _point_labels(towns, ctx.layer("town_boundaries"))
    return [
        layer_from_catalog(
            ctx,
            "town_boundaries",
            Single("#fee391", outline="#cc4c02", width=2.0, fill_opacity=0.2),
            data=ctx.layer("town_boundaries").pipe(lambda t: t.assign(name=t["town"])),
            fields=(
                FieldSpec("name", text("Town", "Қала", "Город")),
                POPULATION,
                FieldSpec("town_type", text("Type", "Түрі", "Тип")),
            ),
            label_field="name",
        ),
        layer_from_catalog(
            ctx,
            "micro_districts",
            _STATUS_STYLE,
            fields=(
                FieldSpec("name", text("Micro-district", "Шағын аудан", "Микрорайон")),
                FieldSpec("status", text("Planning status", "Жоспарлау мәртебесі", "Статус")),
                POPULATION,
            ),
            label_field="number",
            show=False,
        ),
        layer_from_catalog(
            ctx,
            "towns",
            Single("#525252", outline="#000000", radius=4.0, fill_opacity=0.9),
            fields=(NAME, POPULATION),
            label_field="label",
            data=towns,
        ),
    ]


def _point_labels(towns: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``label`` columns of the town points: their names, empty inside a town outline.

    A town drawn with its outline is labelled once, by the outline, with the
    same name (the study's spelling), not a second time by its point.
    """
    inside = towns.geometry.within(outlines.union_all()) if len(outlines) else False
    out = towns.copy()
    for suffix in ("", "_en", "_kk", "_ru"):
        col = f"name{suffix}"
        if col in out:
            out[f"label{suffix}"] = out[col].where(~inside, "")
    return out


def base_result(ctx: ThemeInputs) -> ThemeResult:
    """The base map layers (relief, boundaries, water, towns) with their provenance."""
    return ThemeResult(
        theme="base",
        title=BASE_TITLE,
        vectors=[*_frame_layers(ctx), *_town_layers(ctx)],
        rasters=[hillshade_layer(ctx)],
        parameters={"hillshade": {"azimuth": 315, "altitude": 45, "z_factor": 2, "cell_m": 500}},
        notes=[],
        inputs=list(_INPUTS),
    )
