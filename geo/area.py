"""Study areas: where a theme's analysis grid lies.

The CRS policy (:mod:`geo.crs`) puts town-scale work in the local UTM zone, so
a grid built around towns takes the zone of the first town named.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd

from geo.catalog import Catalog
from geo.crs import to_crs, utm_crs_for
from geo.errors import InputError
from geo.grid import AnalysisGrid

__all__ = ["town_grid", "town_polygons"]

log = logging.getLogger(__name__)


def town_polygons(catalog: Catalog, towns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Town boundaries (EPSG:4326), optionally only the named towns (case-insensitive)."""
    gdf = catalog.read("town_boundaries")
    if towns is None:
        return gdf
    wanted = {t.lower() for t in towns}
    known = {str(t).lower() for t in gdf["town"]}
    unknown = sorted(wanted - known)
    if unknown:
        msg = f"unknown town(s) {', '.join(unknown)}; known: {', '.join(sorted(gdf['town']))}"
        raise InputError(msg)
    return gdf[gdf["town"].str.lower().isin(wanted)]


def town_grid(
    catalog: Catalog,
    towns: Sequence[str],
    *,
    buffer_m: float,
    cell_size: float,
) -> AnalysisGrid:
    """The analysis grid covering *towns* plus *buffer_m*, in the first town's UTM zone.

    The towns, buffer and cell size come from the recipe (its defaults live in
    the theme's settings, not here).

    Examples
    --------
    >>> from geo.catalog import Catalog
    >>> g = town_grid(Catalog(), ("Zhanatas",), buffer_m=5000, cell_size=100)
    >>> g.crs.to_epsg(), g.cell_size
    (32642, 100.0)
    """
    polys = town_polygons(catalog, towns)
    first = polys.iloc[[0]].geometry.representative_point().iloc[0]
    crs = utm_crs_for(first.x, first.y)
    utm = to_crs(polys, crs, what="town boundaries")
    bounds = tuple(utm.buffer(buffer_m).total_bounds)
    grid = AnalysisGrid.from_bounds(bounds, crs, cell_size)
    log.info(
        "analysis grid for %s: %d x %d cells of %g m in EPSG:%s",
        ", ".join(towns),
        grid.width,
        grid.height,
        cell_size,
        crs.to_epsg(),
    )
    return grid
