"""Options shared by every subcommand, so a flag means the same thing everywhere."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = [
    "area_options",
    "configure_logging",
    "data_option",
    "execution_options",
    "lang_option",
    "layer_option",
    "overwrite_option",
    "verbosity_options",
]

F = TypeVar("F", bound=Callable[..., Any])


def configure_logging(verbose: int, quiet: int) -> None:
    """Log to stderr at WARNING, INFO with -v, DEBUG with -vv, ERROR with -q."""
    level = max(logging.DEBUG, min(logging.CRITICAL, logging.WARNING - 10 * (verbose - quiet)))
    root = logging.getLogger()
    root.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("geo").setLevel(level)

    said: set[str] = set()  # a warning raised by every document of a build is said once

    def showwarning(message: Any, category: Any, *_args: Any, **_kwargs: Any) -> None:
        if level <= logging.WARNING and str(message) not in said:
            said.add(str(message))
            click.echo(f"warning: {message}", err=True)

    warnings.showwarning = showwarning


def _verbosity_callback(ctx: click.Context, _param: click.Parameter, _value: Any) -> Any:
    return _value


def verbosity_options(f: F) -> F:
    """Add ``-v/--verbose`` and ``-q/--quiet`` (counted) and configure logging."""

    def callback(ctx: click.Context, param: click.Parameter, value: int) -> int:
        ctx.ensure_object(dict)
        ctx.obj[param.name] = value
        configure_logging(ctx.obj.get("verbose", 0), ctx.obj.get("quiet", 0))
        return value

    f = click.option(
        "-q",
        "--quiet",
        count=True,
        callback=callback,
        expose_value=False,
        is_eager=True,
        help="Less output (errors only).",
    )(f)
    f = click.option(
        "-v",
        "--verbose",
        count=True,
        callback=callback,
        expose_value=False,
        is_eager=True,
        help="More output on stderr (-vv for debug).",
    )(f)
    return f


def quiet_level() -> int:
    """How many -q flags the current command got (0 outside a command)."""
    ctx = click.get_current_context(silent=True)
    return int((ctx.obj or {}).get("quiet", 0)) if ctx else 0


overwrite_option = click.option(
    "--overwrite", is_flag=True, default=False, help="Replace the output if it exists."
)

lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "kk", "ru"]),
    multiple=True,
    default=("en",),
    show_default=True,
    help=(
        "Language of titles, legends, labels and field aliases; repeat it "
        "(--lang kk --lang ru --lang en) for one atlas per language in <out>/<lang>/."
    ),
)


def _parse_layers(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    out = {}
    for v in values:
        layer_id, sep, path = v.partition("=")
        if not sep or not layer_id or not path:
            msg = f"--layer expects ID=PATH (e.g. districts=my_districts.gpkg), got {v!r}"
            raise click.BadParameter(msg)
        out[layer_id] = path
    return out


layer_option = click.option(
    "--layer",
    "layers",
    multiple=True,
    callback=_parse_layers,
    metavar="ID=PATH",
    help="Replace catalog layer ID with your own file (any GDAL format and CRS). Repeatable.",
)


data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Use the layers fetched into DIR (`geo fetch --out DIR`) in place of the catalog's; "
    "--layer still wins.",
)


def _parse_bbox(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    from geo.area import check_bbox
    from geo.errors import InputError

    try:
        return check_bbox(value, "--bbox")
    except InputError as exc:
        raise click.BadParameter(str(exc).removeprefix("--bbox: ")) from None


def area_options(f: F) -> F:
    """Add ``--town`` (repeatable), ``--bbox W,S,E,N`` and ``--area FILE``: the study area of every recipe."""
    f = click.option(
        "--area",
        "area_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Study area: a polygon file (any GDAL format and CRS). Replaces the recipes' [area].",
    )(f)
    f = click.option(
        "--bbox",
        callback=_parse_bbox,
        default=None,
        metavar="W,S,E,N",
        help="Study area: a bounding box in degrees (e.g. 69.3,43.2,70.2,43.9).",
    )(f)
    f = click.option(
        "--town",
        "towns",
        multiple=True,
        metavar="NAME",
        help="Study area: a town (any spelling, or a GeoNames id; `geo towns` lists them). Repeatable.",
    )(f)
    return f


def each_town_option(f: F) -> F:
    """Add ``--each-town``: one atlas per town of the study area, under an index."""
    return click.option(
        "--each-town",
        "each_town",
        is_flag=True,
        help="One atlas per town of the study area (each --town, or every town --bbox/--area "
        "holds) in OUT/<town>/, under an index; on a dask cluster the towns run at once.",
    )(f)


def _parse_scheduler(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from geo.chunks import check_scheduler
    from geo.errors import InputError

    try:
        return check_scheduler(value)
    except InputError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from None


def execution_options(f: F) -> F:
    """Add ``--scheduler`` and ``--chunk-size``: where the raster steps run, in what chunks."""
    f = click.option(
        "--chunk-size",
        default=None,
        type=click.IntRange(min=1),
        metavar="CELLS",
        help="Cells per side of a raster chunk (default: the largest that fits the memory "
        "available for the workers).",
    )(f)
    f = click.option(
        "--scheduler",
        default="threads",
        show_default=True,
        callback=_parse_scheduler,
        metavar="NAME|ADDRESS",
        help="Where raster chunks run: threads, processes, synchronous (one at a time, for "
        "debugging) or a running dask scheduler's address (tcp://host:8786; start one with "
        "`dask scheduler` and `dask worker`).",
    )(f)
    return f
