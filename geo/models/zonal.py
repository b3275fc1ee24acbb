"""Zonal class areas with exact (fractional) cell coverage.

For every zone polygon, the area of each class of a class raster in hectares
and in percent of the zone's classified area, computed with
`exactextract <https://github.com/isciences/exactextract>`_: each cell counts
with the exact fraction of its area that the polygon covers, so a zone of
3.7 cells counts 3.7 cells, not 3 or 4. The raster must be in a projected CRS
(a local UTM zone or :data:`geo.crs.EQUAL_AREA`), where cell areas are
planimetric; zones are reprojected into it.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource

from geo.crs import to_crs
from geo.errors import CRSError, DataError
from geo.raster import Mapped, Raster

__all__ = ["MAX_CELLS_READ", "class_areas", "zonal_mean"]

MAX_CELLS_READ = 4_000_000
"""Cells exactextract reads at a time: a zone over more is measured in pieces of its box
(the same pieces whatever holds the raster), so a large zone never costs the whole grid."""


def _source(r: Raster, nodata: float | None, name: str) -> NumPyRasterSource:
    left, bottom, right, top = r.bounds
    if r.transform.b != 0 or r.transform.d != 0 or r.transform.e >= 0:
        msg = f"{name}: zonal statistics need a north-up raster without rotation"
        raise DataError(msg)
    return NumPyRasterSource(
        r.array, left, bottom, right, top, nodata=nodata, name=name, srs_wkt=r.crs.to_wkt()
    )


def _zones(zones: gpd.GeoDataFrame, r: Raster, id_field: str) -> gpd.GeoDataFrame:
    if r.crs.is_geographic:
        msg = "zonal areas need the raster in a projected CRS (UTM or EQUAL_AREA), not degrees"
        raise CRSError(msg)
    if id_field not in zones:
        msg = f"zones have no field {id_field!r}; fields: {', '.join(map(str, zones.columns))}"
        raise DataError(msg)
    z = to_crs(zones[[id_field, zones.geometry.name]], r.crs, what="zones")
    z = z[z.geometry.notna() & ~z.geometry.is_empty].reset_index(drop=True)
    if z[id_field].duplicated().any():
        dup = z.loc[z[id_field].duplicated(), id_field].iloc[0]
        msg = f"zones: {id_field} {dup!r} appears twice; zone ids must be unique"
        raise DataError(msg)
    return z


def class_areas(
    classes: Raster,
    zones: gpd.GeoDataFrame,
    labels: Mapping[int, str],
    *,
    id_field: str = "zone_id",
) -> pd.DataFrame:
    """Area of each class in each zone, in hectares and percent, with exact coverage.

    Parameters
    ----------
    classes : Raster
        Integer class codes in a projected CRS; ``classes.nodata`` marks cells
        without a class (they count in neither the classes nor the percentages).
    zones : GeoDataFrame
        Zone polygons (any CRS) with a unique *id_field*.
    labels : mapping
        Class code → column label, e.g. ``{1: "S1", 2: "S2", 3: "S3", 4: "N"}``.
    id_field : str
        Zone identifier column.

    Returns
    -------
    pandas.DataFrame
        One row per zone, in the input order: *id_field*, ``zone_area_ha``
        (the polygon's area in the raster CRS), ``grid_coverage`` (fraction of
        the zone inside the raster's extent), ``classified_ha``, and for every
        label ``<label>_ha`` and ``<label>_pct`` (percent of ``classified_ha``;
        NaN when nothing was classified).
    """
    z = _zones(zones, classes, id_field)
    cell_ha = abs(classes.transform.a * classes.transform.e) / 10_000
    frame = shapely.box(*classes.bounds)
    geoms = z.geometry.values
    zone_area = shapely.area(geoms) / 10_000
    inside = shapely.area(shapely.intersection(geoms, frame)) / 10_000
    out = pd.DataFrame({id_field: z[id_field].to_numpy()})
    out["zone_area_ha"] = zone_area
    with np.errstate(invalid="ignore", divide="ignore"):
        out["grid_coverage"] = np.where(zone_area > 0, inside / zone_area, np.nan)
    if len(z) == 0:
        for lab in labels.values():
            out[f"{lab}_ha"] = 0.0
        out["classified_ha"] = 0.0
        return out
    src = _source(classes, classes.nodata, "classes")
    res = exact_extract(
        src, z, ["unique", "frac", "count"], output="pandas", max_cells_in_memory=MAX_CELLS_READ
    )
    out["classified_ha"] = res["count"].to_numpy(dtype=float) * cell_ha
    cols = {lab: np.zeros(len(z)) for lab in labels.values()}
    for i, (uniq, frac, count) in enumerate(
        zip(res["unique"], res["frac"], res["count"], strict=True)
    ):
        for code, fr in zip(np.atleast_1d(uniq), np.atleast_1d(frac), strict=True):
            label = labels.get(int(code))
            if label is not None:
                cols[label][i] = float(fr) * float(count) * cell_ha
    for label, values in cols.items():
        out[f"{label}_ha"] = values
    classified = out["classified_ha"].to_numpy()
    for lab in labels.values():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{lab}_pct"] = np.where(
                classified > 0, 100 * out[f"{lab}_ha"].to_numpy() / classified, np.nan
            )
    return out


def zonal_mean(values: Raster, zones: gpd.GeoDataFrame, *, id_field: str = "zone_id") -> pd.Series:
    """Coverage-weighted mean of a float raster per zone (NaN cells ignored).

    Returns
    -------
    pandas.Series
        Indexed by *id_field*; NaN for zones without data.
    """
    z = _zones(zones, values, id_field)
    if len(z) == 0:
        return pd.Series([], dtype=float, name="mean")
    src = NumPyRasterSource(
        Mapped(values.array, _filled, "float64"),
        *values.bounds,
        nodata=-9999.0,
        name="values",
        srs_wkt=values.crs.to_wkt(),
    )
    res = exact_extract(src, z, ["mean"], output="pandas", max_cells_in_memory=MAX_CELLS_READ)
    return pd.Series(res["mean"].to_numpy(dtype=float), index=z[id_field].to_numpy(), name="mean")


def _filled(values: np.ndarray) -> np.ndarray:
    """*values* in float64 with -9999 (the source's no data) where not finite."""
    arr = values.astype("float64")
    return np.where(np.isfinite(arr), arr, -9999.0)
