"""What a test compares of a theme's result: its COG files and tables, or every file the
writers make of it, by sha256."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from geo.results import ThemeResult
from geo.writers.cog import write_rasters


def sha256(path: Path) -> str:
    """The sha256 of the file at *path*."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def result_files(result: ThemeResult, folder: Path) -> dict[str, str]:
    """sha256 of the result's COGs and of its tables as GeoJSON files, by name."""
    folder.mkdir(parents=True)
    paths = write_rasters([result], folder)
    for v in result.vectors:
        (folder / f"{v.name}.geojson").write_text(v.data.to_json(sort_keys=True), encoding="utf-8")
    paths += [folder / f"{v.name}.geojson" for v in result.vectors]
    return {p.name: sha256(p) for p in paths}


def held(result: ThemeResult) -> ThemeResult:
    """*result* with every raster read whole into memory (the What-if panel's class raster too)."""
    new = {
        id(r.raster): dataclasses.replace(r.raster, array=np.asarray(r.raster.array))
        for r in result.rasters
    }
    rasters = [dataclasses.replace(r, raster=new[id(r.raster)]) for r in result.rasters]
    whatif = result.whatif
    if whatif is not None:
        whatif = dataclasses.replace(whatif, classes=new[id(whatif.classes)])
    return dataclasses.replace(result, rasters=rasters, whatif=whatif)


def written(result: ThemeResult, folder: Path) -> dict[str, str]:
    """sha256 of every file the build's writers make of *result*, by path."""
    from geo.build import BuildContext
    from geo.catalog import Catalog
    from geo.themes.base_layers import base_result
    from geo.writers.registry import WRITERS

    folder.mkdir(parents=True)
    base = base_result(BuildContext(Catalog()).inputs())
    for writer in WRITERS:
        writer.write([result], base, folder, "en", ())
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
