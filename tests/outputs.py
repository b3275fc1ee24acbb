"""What a test compares of a theme's result: its COG files and tables, by sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
