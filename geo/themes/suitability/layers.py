"""Output layers of the land-suitability theme and their styles.

The score, FAO class and stability rasters, the class polygons and the
``<prefix>_by_zone`` layer of class areas, with their translated titles,
legends and fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import rasterio
from rasterio import features
from shapely.geometry import shape

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.raster import READ_CACHE_MB, Raster, StoredArray, is_whole
from geo.results import RasterLayer, VectorLayer
from geo.symbology import FieldSpec, Graduated, RasterClasses, RasterRamp, ramp
from geo.themes.common import suffixed, unit
from geo.themes.suitability.settings import SuitabilitySettings
from geo.themes.suitability.zones import _box

__all__ = ["CLASS_COLOURS", "CLASS_TEXT"]

CLASS_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#d73027")
CLASS_TEXT: dict[str, Text] = {
    "S1": text("S1 highly suitable", "S1 жоғары жарамды", "S1 высокопригодные"),
    "S2": text("S2 moderately suitable", "S2 орташа жарамды", "S2 умеренно пригодные"),
    "S3": text("S3 marginally suitable", "S3 шамалы жарамды", "S3 ограниченно пригодные"),
    "N": text("N not suitable", "N жарамсыз", "N непригодные"),
}
_SUFFIX: dict[str, Text] = {
    "score": text("score", "балл", "балл"),
    "class": text("FAO class", "FAO класы", "класс FAO"),
    "stability": text("class stability", "класс тұрақтылығы", "устойчивость класса"),
    "classes": text("class polygons", "класс полигондары", "полигоны классов"),
    "by_zone": text("areas by zone", "аймақтар бойынша аудандар", "площади по зонам"),
}


def _rasters(
    grid: AnalysisGrid, ev: mcda.Evaluation, s: SuitabilitySettings
) -> tuple[list[RasterLayer], Raster]:
    """Score, class and (with Monte Carlo) stability rasters; the class raster."""
    title, mc = s.title, s.monte_carlo
    score_r = grid.raster(ev.score, tags={"units": "0-1", "method": s.aggregation})
    class_r = grid.raster(ev.classes, nodata=0, tags={"classes": "1=S1 2=S2 3=S3 4=N"})
    rasters = [
        RasterLayer(
            name="score",
            title=suffixed(title, _SUFFIX["score"]),
            raster=score_r,
            style=RasterRamp((0.0, 0.25, 0.5, 0.75, 1.0), ramp("RdYlGn", 5), unit="0–1"),
            show=False,  # the class polygons are shown first; one layer at a time reads best
            description=text(
                "Aggregated suitability, 0 (unsuitable) to 1 (best).",
                "Жиынтық жарамдылық, 0 (жарамсыз) – 1 (ең жақсы).",
                "Итоговая пригодность, от 0 (непригодно) до 1 (лучшее).",
            ),
            source=text(
                "Computed by the toolkit from the recipe's criteria",
                "Құрал рецепт критерийлері бойынша есептеген",
                "Рассчитано программой по критериям рецепта",
            ),
            synthetic=True,
        ),
        RasterLayer(
            name="class",
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
            source=text(
                "FAO (1976) Framework for Land Evaluation classes; breaks from the recipe",
                "FAO (1976) «Жерді бағалау негіздері» бойынша кластар; кластар шектері рецептен",
                "Классы FAO (1976) «Основы оценки земель»; границы классов из рецепта",
            ),
            synthetic=True,
            show=False,
        ),
    ]
    if ev.stability is not None:
        rasters.append(
            RasterLayer(
                name="stability",
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
                source=text(
                    "Monte Carlo perturbation of the recipe's weights",
                    "Рецепт салмақтарын Монте-Карло әдісімен ауытқыту",
                    "Возмущение весов рецепта методом Монте-Карло",
                ),
                synthetic=True,
                show=False,
            )
        )
    return rasters, class_r


def _classes_layer(class_r: Raster, s: SuitabilitySettings) -> VectorLayer:
    """Polygons of the class raster."""
    return VectorLayer(
        name="classes",
        title=suffixed(s.title, _SUFFIX["classes"]),
        data=_class_polygons(class_r),
        style=_class_style(),
        fields=(
            FieldSpec("class", text("Class", "Класс", "Класс")),
            FieldSpec("area_ha", text("Area", "Ауданы", "Площадь"), unit("ha"), 1),
        ),
        source=text(
            "Polygons of the class raster",
            "Кластар растрының көпбұрыштары",
            "Полигоны растра классов",
        ),
        synthetic=True,
    )


def _by_zone_layer(
    grid: AnalysisGrid,
    zones: gpd.GeoDataFrame,
    table: pd.DataFrame,
    s: SuitabilitySettings,
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
        name="by_zone",
        title=suffixed(s.title, _SUFFIX["by_zone"]),
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
        source=text(
            "Zone layers of the catalog; exact cell coverage (`exactextract`), areas in the "
            "grid's UTM CRS; zones reaching beyond the grid are drawn clipped to it",
            "Каталогтың аймақ қабаттары; ұяшықтардың дәл жабылуы (`exactextract`), аудандар "
            "тордың UTM координаттар жүйесінде; тордан шығатын аймақтар тор шегінде қиылып сызылған",
            "Слои зон из каталога; точное покрытие ячеек (`exactextract`), площади в системе "
            "координат UTM сетки; зоны, выходящие за сетку, показаны обрезанными по ней",
        ),
        synthetic=True,
        label_field="name",
        show=False,  # zones overlap (district ⊃ town ⊃ micro-district): opened on demand
    )


def _class_polygons(classes: Raster) -> gpd.GeoDataFrame:
    rows = []
    for geom, value in _shapes(classes):
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


def _shapes(classes: Raster) -> Iterator[tuple[dict[str, Any], float]]:
    """The polygons of the class raster's classes (code 0 left out), 4-connected.

    A stored class raster is polygonised from its file, row by row (GDAL's
    polygoniser reads scanlines), so only the polygons are held; the same
    polygoniser gives the same polygons as on the array in memory.
    """
    arr = classes.array
    if is_whole(arr):
        yield from features.shapes(arr, mask=arr > 0, transform=classes.transform, connectivity=4)
        return
    stored = cast(StoredArray, arr)
    # GDAL's block cache would otherwise fill to 5 % of the machine's memory on a large grid
    with (
        rasterio.Env(GDAL_CACHEMAX=READ_CACHE_MB),
        rasterio.open(stored.dataset(classes.transform, classes.crs)) as ds,
    ):
        band = rasterio.band(ds, 1)
        yield from features.shapes(band, mask=band, transform=classes.transform, connectivity=4)


def _stable_field(present: bool) -> tuple[FieldSpec, ...]:
    if not present:
        return ()
    alias = text("Area with a stable class", "Класы тұрақты аудан", "Площадь с устойчивым классом")
    return (FieldSpec("stable_pct", alias, "%", 1),)


def _class_style() -> Any:
    from geo.symbology import Categorized, Category

    return Categorized(
        "class",
        tuple(
            Category(lab, col, CLASS_TEXT[lab])
            for lab, col in zip(mcda.CLASS_LABELS, CLASS_COLOURS, strict=True)
        ),
    )
