"""``geo towns``: print the towns and villages of the ``towns`` layer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from geo.commands.options import layer_option, verbosity_options

if TYPE_CHECKING:
    from geo.places import Place

_OTHER = {"en": ("name_kk", "name_ru"), "kk": ("name", "name_ru"), "ru": ("name", "name_kk")}


def _study_type(value: str, lang: str) -> str:
    """The study type(s) of a place in *lang* ("; "-separated where the study gives two)."""
    from geo.i18n import MESSAGES

    parts = [v.strip() for v in value.split(";") if v.strip()]
    return "; ".join(MESSAGES.get(f"study_type_{v}", {}).get(lang, v) for v in parts)


def _row(place: Place, lang: str) -> dict[str, Any]:
    others = [getattr(place, f) for f in _OTHER[lang] if getattr(place, f)]
    return {
        "geonameid": place.geonameid,
        "name": place.label(lang),
        "other_names": " / ".join(n for n in others if n != place.label(lang)),
        "name_en": place.name,
        "name_kk": place.name_kk,
        "name_ru": place.name_ru,
        "population": place.population,
        "study_type": place.study_type,
        "study_type_label": _study_type(place.study_type, lang),
        "countrycode": place.countrycode,
        "admin1code": place.admin1code,
        "lon": place.lon,
        "lat": place.lat,
    }


def _table(rows: list[dict[str, Any]], lang: str) -> list[str]:
    from geo.i18n import message

    keys = ("name", "other_names", "population", "study_type_label", "geonameid", "lon", "lat")
    heads = (
        "towns_name", "towns_other_names", "towns_population", "towns_study_type",
        "towns_geonameid", "towns_lon", "towns_lat",
    )  # fmt: skip
    cells = [[message(h, lang) for h in heads]]
    for r in rows:
        cells.append([f"{r[k]:.5f}" if k in ("lon", "lat") else str(r[k]) for k in keys])
    widths = [max(len(c[i]) for c in cells) for i in range(len(keys))]
    right = {2, 4, 5, 6}
    return [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    ]


@click.command(name="towns")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON array on stdout.")
@click.option(
    "--lang",
    type=click.Choice(["en", "kk", "ru"]),
    default="en",
    show_default=True,
    help="Language of the names and headers.",
)
@click.option("--study", is_flag=True, help="Only the towns the study names, with their type.")
@layer_option
@verbosity_options
def towns(as_json: bool, lang: str, study: bool, layers: dict[str, str]) -> None:
    """List the towns and villages of the towns layer: names, population, study type, id.

    Any name or GeoNames id printed here names a town for the other commands.

    \b
    Example:
      geo towns
      geo towns --study --lang kk
      geo towns --json | python -m json.tool
    """
    from geo.catalog import Catalog
    from geo.places import places

    found = places(Catalog(overrides=layers))
    if study:
        found = tuple(p for p in found if p.study_type)
    rows = [_row(p, lang) for p in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False))
        return
    for line in _table(rows, lang):
        click.echo(line)
