"""The ``geo`` command: a click group whose subcommands load lazily.

Errors a user can fix (:class:`~geo.errors.InputError`) print one line on
stderr and exit with code 2, without a traceback; anything else is a bug: one
line too, exit code 3, and ``-v`` shows its traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from geo.errors import AtlasError, InputError

__all__ = ["COMMANDS", "INTERNAL_ERROR", "cli", "main"]

INTERNAL_ERROR = 3
"""Exit code of a crash that got past every check (bad input exits 2, an atlas error 1)."""

COMMANDS: dict[str, str] = {
    "layers": "geo.commands.layers:layers",
    "build": "geo.commands.build:build",
    "map": "geo.commands.map:map_",
    "validate": "geo.commands.validate:validate",
    "dispersion": "geo.commands.dispersion:dispersion",
    "towns": "geo.commands.towns:towns",
    "fetch": "geo.commands.fetch:fetch",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shutalas-atlas")
def cli() -> None:
    """Shu-Talas Atlas: thematic maps of Zhanatas, Karatau and Shu.

    \b
    Example:
      geo layers
      geo build --out atlas
      geo map maps/land_suitability.toml --out suitability
      geo validate my_districts.gpkg --as districts
      geo towns --study
      geo fetch --town Zhanatas --out data/zhanatas
    """


def one_line(message: str) -> str:
    r"""*message* on one line: line breaks and other control characters from a user's names escaped.

    >>> one_line("layer 'towns' holds 'A\nB'")
    "layer 'towns' holds 'A\\nB'"
    """
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in message.strip()
    )


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``geo`` console script."""
    try:
        return cli.main(args=argv, prog_name="geo", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # a bad option or argument: one line, with where to look
        where = exc.ctx.command_path if exc.ctx is not None else "geo"
        click.echo(f"error: {one_line(exc.format_message())} (see `{where} --help`)", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"error: {one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except InputError as exc:
        click.echo(f"error: {one_line(str(exc))}", err=True)
        sys.exit(2)
    except AtlasError as exc:
        click.echo(f"error: {one_line(str(exc))}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug that got past every check: still one line, and its own code
        if logging.getLogger("geo").getEffectiveLevel() <= logging.INFO:
            raise  # -v: the traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(
            f"internal error: {type(exc).__name__}: {first} "
            "(a bug: run again with -v for the traceback, and report it)",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)


if __name__ == "__main__":
    main()
