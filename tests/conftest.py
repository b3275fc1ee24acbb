"""Shared fixtures: small geodata made in code, and the real test data beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, Polygon

# scripts run by Debian's python3 inside the QGIS tests, not test modules (they import qgis)
collect_ignore = ["qgis_scripts"]

REPO = Path(__file__).resolve().parent.parent
FETCHED = REPO.parent / "shared" / "data" / "fetched"
STUDY = REPO.parent / "shared" / "study" / "STUDY.md"


def in_ci() -> bool:
    """True on CI, where tests needing a real client must fail rather than skip."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def catalog():
    from geo.catalog import Catalog

    return Catalog()


@pytest.fixture
def fetched() -> Path:
    """The real layers kept for tests only (../shared/data/fetched); skip where absent."""
    if not FETCHED.is_dir():
        if in_ci():
            pytest.fail(f"{FETCHED} is absent: CI lays ../shared beside the clone")
        pytest.skip(
            f"{FETCHED} is absent: real test layers are only beside the repo on CI and dev machines"
        )
    return FETCHED


@pytest.fixture
def districts_file(tmp_path: Path) -> Path:
    """Three square 'districts' in UTM 42N around Zhanatas, written as GeoPackage."""
    x0, y0 = 560_000, 4_820_000
    polys = [
        Polygon(
            [
                (x0 + i * 10_000, y0),
                (x0 + (i + 1) * 10_000, y0),
                (x0 + (i + 1) * 10_000, y0 + 10_000),
                (x0 + i * 10_000, y0 + 10_000),
            ]
        )
        for i in range(3)
    ]
    gdf = gpd.GeoDataFrame(
        {
            "district": ["A", "B", "C"],
            "name_kk": ["А", "Б", "С"],
            "name_ru": ["А", "Б", "С"],
            "centre": ["a", "b", "c"],
        },
        geometry=polys,
        crs=32642,
    )
    p = tmp_path / "districts.gpkg"
    gdf.to_file(p, engine="pyogrio")
    return p


@pytest.fixture
def make_raster(tmp_path: Path):
    def _make(
        array: np.ndarray,
        *,
        crs: str | None = "EPSG:32642",
        nodata: float | None = None,
        name: str = "r.tif",
    ) -> Path:
        p = tmp_path / name
        with rasterio.open(
            p,
            "w",
            driver="GTiff",
            width=array.shape[1],
            height=array.shape[0],
            count=1,
            dtype=array.dtype,
            crs=crs,
            transform=from_origin(560_000, 4_830_000, 100, 100),
            nodata=nodata,
        ) as dst:
            dst.write(array, 1)
        return p

    return _make


__all__ = ["FETCHED", "REPO", "STUDY", "LineString", "Point", "in_ci"]


@pytest.fixture(scope="module")
def cluster():
    """A client of a dask.distributed cluster of two worker processes on loopback."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as lc,
        distributed.Client(lc) as client,
    ):
        yield client
