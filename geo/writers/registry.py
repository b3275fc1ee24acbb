"""The writers of an atlas build, in the order they run: one shape for every output.

A writer has a ``name`` and ``write(results, base, folder, lang, languages=())``
returning the paths it wrote; *languages* are every language the atlas is built
in (each in a sibling folder ``../<lang>/``) when there are several. :func:`geo.build._build_into` loops over :data:`WRITERS`;
a new output (FlatGeobuf, STAC ...) is one module with one writer and one
line here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from geo.results import ThemeResult

__all__ = [
    "WRITERS", "CogWriter", "GeoPackageWriter", "HtmlWriter", "PngWriter", "Writer", "sheet_path",
]  # fmt: skip


def sheet_path(res: ThemeResult) -> str:
    """The map sheet of *res*, relative to the atlas folder (``sheets/<recipe>.png``)."""
    return f"sheets/{res.key}.png"


class Writer(Protocol):
    """One output of the atlas."""

    name: str

    def write(
        self,
        results: list[ThemeResult],
        base: ThemeResult,
        folder: Path,
        lang: str,
        languages: Sequence[str] = (),
    ) -> list[Path]:
        """Write this output for *results* (over *base*) into *folder*; return the paths written."""
        ...


class CogWriter:
    """``rasters/<layer>.tif``: one Cloud-Optimized GeoTIFF per raster layer."""

    name = "cog"

    def write(
        self,
        results: list[ThemeResult],
        base: ThemeResult,
        folder: Path,
        lang: str,
        languages: Sequence[str] = (),
    ) -> list[Path]:
        """Write the COGs of *base* and *results* (see :func:`geo.writers.cog.write_rasters`)."""
        from geo.writers.cog import write_rasters

        return write_rasters([base, *results], folder)


class GeoPackageWriter:
    """``atlas.gpkg``: every layer, styled, with the QGIS project."""

    name = "gpkg"

    def write(
        self,
        results: list[ThemeResult],
        base: ThemeResult,
        folder: Path,
        lang: str,
        languages: Sequence[str] = (),
    ) -> list[Path]:
        """Write the GeoPackage (see :func:`geo.writers.gpkg.write_geopackage`)."""
        from geo.writers.cog import raster_paths
        from geo.writers.gpkg import write_geopackage

        path = folder / "atlas.gpkg"
        write_geopackage([base, *results], path, lang=lang, rasters=raster_paths([base, *results]))
        return [path]


class HtmlWriter:
    """``<recipe>.html`` for every theme, then ``index.html`` linking them."""

    name = "html"

    def write(
        self,
        results: list[ThemeResult],
        base: ThemeResult,
        folder: Path,
        lang: str,
        languages: Sequence[str] = (),
    ) -> list[Path]:
        """Write the theme maps and the index (see :mod:`geo.writers.html`)."""
        from geo.writers.html import write_index, write_theme_map

        paths, links = [], {}
        for res in results:
            path = folder / f"{res.key}.html"
            write_theme_map(res, base, path, lang=lang, sheet=sheet_path(res))
            links[res.key] = path.name
            paths.append(path)
        others = {other: f"../{other}/index.html" for other in languages if other != lang}
        downloads = {"gpkg_link": "atlas.gpkg", "manifest_link": "manifest.json"}
        sheets = {res.key: sheet_path(res) for res in results}
        write_index(
            results, folder / "index.html", lang=lang, links=links,
            sheets=sheets, downloads=downloads, languages=others, base=base,
        )  # fmt: skip
        return [*paths, folder / "index.html"]


class PngWriter:
    """``sheets/<recipe>.png``: a printable map sheet per theme."""

    name = "png"

    def write(
        self,
        results: list[ThemeResult],
        base: ThemeResult,
        folder: Path,
        lang: str,
        languages: Sequence[str] = (),
    ) -> list[Path]:
        """Write the map sheets (see :func:`geo.writers.png.write_map_sheet`)."""
        from geo.writers.png import write_map_sheet

        (folder / "sheets").mkdir(exist_ok=True)
        paths = [folder / sheet_path(res) for res in results]
        for res, path in zip(results, paths, strict=True):
            write_map_sheet(res, base, path, lang=lang)
        return paths


WRITERS: tuple[Writer, ...] = (CogWriter(), GeoPackageWriter(), HtmlWriter(), PngWriter())
"""Every output of a build, in the order written (the manifest is written after them)."""
