"""``geo build``: the whole atlas from the embedded data (or your own layers)."""

from __future__ import annotations

import sys
from typing import Any

import click

from geo.commands.options import (
    area_options,
    data_option,
    each_town_option,
    execution_options,
    lang_option,
    layer_option,
    overwrite_option,
    quiet_level,
    verbosity_options,
)


@click.command(name="build")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@layer_option
@data_option
@area_options
@each_town_option
@lang_option
@overwrite_option
@execution_options
@verbosity_options
def build(
    out: str,
    layers: dict[str, str],
    data_dir: str | None,
    lang: tuple[str, ...],
    overwrite: bool,
    scheduler: str,
    chunk_size: int | None,
    **area: Any,
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
      geo build --out real --data data/study
      geo build --out atlas --scheduler tcp://127.0.0.1:8786 --overwrite
      geo build --out towns --each-town --town Zhanatas --town Karatau --town Shu
    """
    run_build(
        out,
        layers=with_data(layers, data_dir),
        lang=lang,
        overwrite=overwrite,
        area=area,
        execution={"scheduler": scheduler, "chunk_size": chunk_size},
    )


def with_data(layers: dict[str, str], data_dir: str | None) -> dict[str, str]:
    """The ``--layer`` overrides over the layers fetched into *data_dir* (``--data``)."""
    if not data_dir:
        return layers
    from geo.fetch import fetched_layers

    return {**{k: str(v) for k, v in fetched_layers(data_dir).items()}, **layers}


def run_build(
    out: str,
    *,
    layers: dict[str, str],
    lang: str | tuple[str, ...],
    overwrite: bool,
    recipes: list[str] | None = None,
    area: dict[str, Any] | None = None,
    execution: dict[str, Any] | None = None,
) -> None:
    """Build (all recipes, or *recipes*) and print the index page's path on stdout.

    *execution* holds ``scheduler`` and ``chunk_size`` (``--scheduler``, ``--chunk-size``).
    """
    from geo.area import AreaOverride
    from geo.build import build_atlas
    from geo.chunks import Execution

    a = area or {}

    report = build_atlas(
        out,
        recipes=recipes,
        overrides=layers,
        lang=lang,
        overwrite=overwrite,
        progress=quiet_level() == 0 and sys.stderr.isatty(),
        area=AreaOverride(tuple(a.get("towns") or ()), a.get("bbox"), a.get("area_file")),
        scheduler=Execution(**(execution or {})),
        each_town=bool(a.get("each_town")),
    )
    click.echo(str(report.out / "index.html"))
