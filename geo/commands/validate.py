"""``geo validate``: check your file against what the catalog expects of a layer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from geo.commands.options import verbosity_options


@click.command(name="validate")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--as",
    "as_id",
    metavar="ID",
    help="Catalog layer to check against (default: from the file name).",
)
@click.option("--layer-name", default=None, help="Layer inside a multi-layer file (GeoPackage).")
@click.option(
    "--chunk-size",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Features read at a time.",
)
@verbosity_options
def validate(path: str, as_id: str | None, layer_name: str | None, chunk_size: int) -> None:
    """Check PATH against catalog layer ID with the build's own checks.

    CRS, geometry type, fields, validity, ranges, sums and references to other
    layers: the file is refused here exactly when `geo build --layer ID=PATH`
    refuses it. Vector files are read in one pass, in chunks, never loaded
    whole. Every problem is listed on stdout (a corrupt feature by its index);
    the exit code is 0 when the file is usable, 2 otherwise.

    \b
    Example:
      geo validate my_districts.gpkg --as districts
      geo validate rivers.shp --as rivers
    """
    from geo.catalog import Catalog
    from geo.validate import validate_file

    cat = Catalog()
    layer_id = as_id or Path(path).stem
    spec = cat.spec(layer_id)
    problems = validate_file(path, spec, cat, layer=layer_name, chunk_size=chunk_size)
    for p in problems:
        click.echo(str(p))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        click.echo(f"{path}: {len(errors)} error(s); not usable as layer {layer_id!r}", err=True)
        sys.exit(2)
    click.echo(f"{path}: OK as layer {layer_id!r} ({len(problems)} warning(s))")
