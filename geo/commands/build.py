"""``geo build``: the whole atlas from the embedded data (or your own layers)."""

from __future__ import annotations

import sys
from typing import Any

import click

from geo.commands.options import (
    area_options,
    lang_option,
    layer_option,
    overwrite_option,
    quiet_level,
    verbosity_options,
)


@click.command(name="build")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@layer_option
@area_options
@lang_option
@overwrite_option
@verbosity_options
def build(
    out: str, layers: dict[str, str], lang: tuple[str, ...], overwrite: bool, **area: Any
) -> None:
    """Build the atlas: GeoPackage, HTML maps, rasters and manifest in one folder.

    The folder is written elsewhere and moved into place when complete, so a
    failed build never replaces a good folder.

    \b
    Example:
      geo build --out atlas
      geo build --out atlas_kk --lang kk --overwrite
      geo build --out atlas --lang kk --lang ru --lang en --overwrite
      geo build --out atlas --layer districts=districts.geojson --overwrite
      geo build --out taraz --town Taraz
    """
    run_build(out, layers=layers, lang=lang, overwrite=overwrite, area=area)


def run_build(
    out: str,
    *,
    layers: dict[str, str],
    lang: str | tuple[str, ...],
    overwrite: bool,
    recipes: list[str] | None = None,
    area: dict[str, Any] | None = None,
) -> None:
    """Build (all recipes, or *recipes*) and print the index page's path on stdout."""
    from geo.area import AreaOverride
    from geo.build import build_atlas

    a = area or {}

    report = build_atlas(
        out,
        recipes=recipes,
        overrides=layers,
        lang=lang,
        overwrite=overwrite,
        progress=quiet_level() == 0 and sys.stderr.isatty(),
        area=AreaOverride(tuple(a.get("towns") or ()), a.get("bbox"), a.get("area_file")),
    )
    click.echo(str(report.out / "index.html"))
