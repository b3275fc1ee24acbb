"""The ``geo`` command: a click group whose subcommands load lazily.

Errors a user can fix (:class:`~geo.errors.InputError`) print one line on
stderr and exit with code 2, without a traceback; anything else is a bug and
shows its traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from geo.errors import AtlasError, InputError

__all__ = ["COMMANDS", "cli", "main"]

COMMANDS: dict[str, str] = {
    "layers": "geo.commands.layers:layers",
    "build": "geo.commands.build:build",
    "map": "geo.commands.map:map_",
    "validate": "geo.commands.validate:validate",
    "dispersion": "geo.commands.dispersion:dispersion",
    "towns": "geo.commands.towns:towns",
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
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``geo`` console script."""
    try:
        return cli.main(args=argv, prog_name="geo", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except AtlasError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
