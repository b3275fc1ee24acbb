"""``geo map``: build one thematic map from its recipe."""

from __future__ import annotations

from typing import Any

import click

from geo.commands.build import run_build, with_data
from geo.commands.options import (
    area_options,
    data_option,
    each_town_option,
    execution_options,
    lang_option,
    layer_option,
    overwrite_option,
    verbosity_options,
)


@click.command(name="map")
@click.argument("recipe", type=click.Path(dir_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@layer_option
@data_option
@area_options
@each_town_option
@lang_option
@overwrite_option
@execution_options
@verbosity_options
def map_(
    recipe: str,
    out: str,
    layers: dict[str, str],
    data_dir: str | None,
    lang: tuple[str, ...],
    overwrite: bool,
    scheduler: str,
    chunk_size: int | None,
    **area: Any,
) -> None:
    """Build the theme of one RECIPE (a maps/*.toml file) into a folder.

    Themes it depends on (land suitability reads the pollution model) are
    computed too, from their default recipes.

    \b
    Example:
      geo map maps/land_suitability.toml --out suitability
      geo map maps/pollution.toml --out pollution --lang ru --overwrite
      geo map maps/land_suitability.toml --out kentau --town Kentau
      geo map maps/land_suitability.toml --out box --bbox 69.3,43.2,70.2,43.9
      geo map maps/pollution.toml --out pollution --scheduler processes --chunk-size 512
      geo map maps/land_suitability.toml --out belts --each-town --bbox 69.3,43.0,70.6,43.9
    """
    run_build(
        out,
        layers=with_data(layers, data_dir),
        lang=lang,
        overwrite=overwrite,
        recipes=[recipe],
        area=area,
        execution={"scheduler": scheduler, "chunk_size": chunk_size},
    )
