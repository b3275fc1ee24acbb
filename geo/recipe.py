"""Map recipes: the declarative ``maps/*.toml`` files analysts edit.

:class:`Recipe` keeps the parsed TOML and its text, so every complaint can
name the line at fault: ``maps/land_suitability.toml:42: weights: ...``.
Theme modules read values with :meth:`Recipe.get` and raise with
:meth:`Recipe.error`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import RecipeError

__all__ = ["NAME_MAX", "SAFE_NAME", "Recipe", "default_maps_dir", "load_recipe", "shown_path"]

_MISSING = object()

NAME_MAX = 48
"""Longest recipe ``name`` / ``output_prefix``: file and table names are built from them."""

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
"""What a recipe ``name`` or ``output_prefix`` may be (it becomes file and table names)."""


def default_maps_dir() -> Path:
    """The ``maps/`` folder shipped beside the package."""
    return Path(__file__).resolve().parent.parent / "maps"


def shown_path(path: str | Path) -> str:
    """How a file is recorded: a shipped file by its path in the repository, others as given.

    Recipes and tables that ship with the toolkit are recorded as ``maps/x.toml``
    or ``layers/tables/x.csv``, the same on every machine, so two builds in
    different folders write the same manifest.

    Examples
    --------
    >>> shown_path(default_maps_dir() / "pollution.toml")
    'maps/pollution.toml'
    >>> shown_path("/data/my.csv")
    '/data/my.csv'
    """
    root = default_maps_dir().parent.resolve()
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Recipe:
    """A parsed recipe with its source text (for line numbers in errors).

    Parameters
    ----------
    data : dict
        The TOML document.
    path : Path
        Where it came from (used in messages).
    text : str
        The raw TOML (used to find line numbers).
    overrides : dict
        Dotted key → the command-line flag that replaced its value (``"area.towns": "--town"``):
        complaints about it name the flag, not a recipe line.
    """

    data: dict[str, Any]
    path: Path
    text: str = ""
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def theme(self) -> str:
        """The theme the recipe builds (its ``theme`` key)."""
        return str(self.get("theme"))

    @property
    def name(self) -> str:
        """The output name (``name`` key, else the file stem in the safe alphabet)."""
        if "name" in self.data:
            return str(self.data["name"])
        return re.sub(r"[^A-Za-z0-9_-]", "_", self.path.stem)[:NAME_MAX] or "recipe"

    def check_names(self) -> None:
        """Refuse a ``name`` or ``output_prefix`` that could not be a file or table name.

        They name the map, the sheet, the rasters and the GeoPackage tables, so they
        keep to letters, digits, ``_`` and ``-`` (at most :data:`NAME_MAX`): no path
        separators, no ``..``, nothing that could land outside ``--out``.
        """
        for key in ("name", "output_prefix"):
            if key not in self.data:
                continue
            value = self.data[key]
            if not isinstance(value, str) or not SAFE_NAME.fullmatch(value):
                raise self.error(
                    key,
                    f"{value!r} cannot name files and tables; use letters, digits, _ and - "
                    f'(at most {NAME_MAX}), e.g. {key} = "shu_homes"',
                )

    def get(self, dotted: str, default: Any = _MISSING) -> Any:
        """Value at a dotted key path (``"weights.method"``); raise if missing and no default."""
        node: Any = self.data
        for part in dotted.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif default is not _MISSING:
                return default
            else:
                raise self.error(dotted, "required key is missing; add it")
        return node

    def line_of(self, dotted: str) -> int | None:
        """Best-effort 1-based line number of a dotted key in the TOML text."""
        if not self.text:
            return None
        lines = self.text.splitlines()
        whole = re.compile(r"^\s*\[\[?\s*" + re.escape(dotted) + r"\s*\]\]?\s*(#.*)?$")
        for i, line in enumerate(lines):  # the key is a table of its own: its [header]
            if whole.match(line):
                return i + 1
        parts = dotted.split(".")
        # try the longest table prefix that appears as a [header] or [[header]]
        for split in range(len(parts) - 1, -1, -1):
            table, keys = parts[:split], parts[split:]
            start = 0
            if table:
                header = re.compile(
                    r"^\s*\[\[?\s*" + re.escape(".".join(table)) + r"\s*\]\]?\s*(#.*)?$"
                )
                found = [i for i, line in enumerate(lines) if header.match(line)]
                if not found:
                    continue
                start = found[0]
            key = re.compile(r"^\s*(" + re.escape(keys[0]) + r'|"' + re.escape(keys[0]) + r'")\s*=')
            if not table:  # a top-level table: its [header] (or [header.sub], [[header]])
                head = re.compile(r"^\s*\[\[?\s*" + re.escape(keys[0]) + r"\s*[\].]")
                key = re.compile(f"(?:{key.pattern})|(?:{head.pattern})")
            for i in range(start, len(lines)):
                if i > start and table and lines[i].lstrip().startswith("["):
                    break
                if key.match(lines[i]):
                    return i + 1
            if table:
                return start + 1
        return None

    def where(self, dotted: str) -> str:
        """``file:line: key``, how a complaint about *dotted* starts (kept for checks made later)."""
        if dotted in self.overrides:
            return self.overrides[dotted]
        line = self.line_of(dotted)
        at = f"{self.path}:{line}" if line else str(self.path)
        return f"{at}: {dotted}"

    def error(self, dotted: str, message: str) -> RecipeError:
        """A :class:`RecipeError` naming the file, line and key."""
        return RecipeError(f"{self.where(dotted)}: {message}")

    def require_keys(self, dotted: str, allowed: Sequence[str]) -> None:
        """Refuse unknown keys in the table at *dotted* (catches typos)."""
        table = self.get(dotted) if dotted else self.data
        if not isinstance(table, dict):
            raise self.error(dotted, "must be a table")
        unknown = [k for k in table if k not in allowed]
        if unknown:
            key = f"{dotted}.{unknown[0]}" if dotted else unknown[0]
            raise self.error(key, f"unknown key; expected one of {', '.join(allowed)}")


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file (a path, or the name of a shipped recipe such as ``"pollution"``).

    Examples
    --------
    >>> load_recipe("pollution").theme
    'pollution'

    Raises
    ------
    RecipeError
        File missing or not valid TOML (with the line TOML reports).
    """
    p = Path(path)
    if not p.exists() and not p.is_absolute():
        # a shipped recipe by name ("pollution") or by its path in the repository ("maps/pollution.toml")
        for candidate in (default_maps_dir() / f"{p}.toml", default_maps_dir().parent / p):
            if candidate.is_file():
                p = candidate
                break
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{p}: recipe not found; the shipped ones are in {default_maps_dir()}"
        raise RecipeError(msg) from None
    except UnicodeDecodeError as exc:
        raw = p.read_bytes()
        line = raw[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            raw.decode("cp1251")
            guess = " (it reads as Windows-1251)"
        except UnicodeDecodeError:
            pass
        msg = f"{p}:{line}: not UTF-8{guess}; save the recipe as UTF-8"
        raise RecipeError(msg) from None
    except IsADirectoryError:
        msg = f"{p}: is a folder; give a recipe file (maps/*.toml)"
        raise RecipeError(msg) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML ({exc}); fix the syntax"
        raise RecipeError(msg) from None
    recipe = Recipe(data, p, text)
    recipe.check_names()
    if "theme" not in data:
        raise recipe.error(
            "theme", 'every recipe needs a theme key (e.g. theme = "land_suitability")'
        )
    return recipe
