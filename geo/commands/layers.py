"""``geo layers``: print the layer catalog."""

from __future__ import annotations

import json
from typing import Any

import click

from geo.commands.options import layer_option, verbosity_options
from geo.crs import crs_label


@click.command(name="layers")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option(
    "--lang",
    type=click.Choice(["en", "kk", "ru"]),
    default="en",
    help="Language of the titles, sources, licences and attributions (and of the table).",
)
@layer_option
@verbosity_options
def layers(as_json: bool, lang: str, layers: dict[str, str]) -> None:
    """List every catalog layer with its size, CRS, source, licence and synthetic flag.

    \b
    Example:
      geo layers
      geo layers --lang kk
      geo layers --json | python -m json.tool
      geo layers --layer districts=my_districts.gpkg
    """
    from geo.catalog import Catalog
    from geo.i18n import tr

    cat = Catalog(overrides=layers)
    rows = []
    for spec in cat:
        value = cat.read(spec.id) if cat.available(spec.id) else None
        prov = cat.provenance(spec.id)
        rows.append(
            {
                "id": spec.id,
                "kind": spec.kind,
                "title": spec.title[lang],
                "geometry": spec.geometry,
                **_size(spec.kind, value),
                "source": tr(prov["source"], lang),
                "licence": tr(prov["licence"], lang),
                "attribution": tr(prov["attribution"], lang),
                "synthetic": prov["synthetic"],
                "overridden": cat.is_overridden(spec.id),
                "embedded": spec.embedded,
                **_coverage(cat, spec.id, value),
            }
        )
    if as_json:
        for r in rows:
            r["size"] = r.pop("_size")["en"]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False))
        return
    _print_table(rows, lang)


def _size(kind: str, value: Any) -> dict[str, Any]:
    """The size and CRS of a layer as read (``_size``: the size in every language)."""
    from geo.i18n import PROVENANCE, all_languages, fill
    from geo.raster import Raster

    if value is None:  # not embedded: `geo fetch` gets it
        return {"_size": PROVENANCE["layers_not_embedded"], "crs": "-"}
    if isinstance(value, Raster):
        size = fill(PROVENANCE["layers_pixels"], w=value.shape[1], h=value.shape[0])
        return {"_size": all_languages(size), "crs": crs_label(value.crs)}
    if kind == "table":
        return {"_size": all_languages(fill(PROVENANCE["layers_rows"], n=len(value))), "crs": "-"}
    n = len(value)
    return {"_size": all_languages(fill(PROVENANCE["layers_features"], n=n)), "crs": "EPSG:4326"}


def _print_table(rows: list[dict[str, Any]], lang: str) -> None:
    """The catalog as a table, every column in *lang* (layer ids and CRS codes as they are)."""
    from geo.i18n import PROVENANCE, message

    def head(key: str) -> str:
        return PROVENANCE[key][lang]

    kinds = {k: head(f"kind_{k}") for k in ("vector", "raster", "table")}
    width = max(len(head("layers_id")), *(len(r["id"]) for r in rows))
    w_kind = max(len(head("layers_kind")), *(len(v) for v in kinds.values()))
    w_size = max(16, len(head("layers_size")), *(len(r["_size"][lang]) for r in rows))
    w_crs = max(10, len(head("layers_crs")))
    w_syn = max(9, len(head("layers_synthetic")))
    click.echo(
        f"{head('layers_id'):<{width}}  {head('layers_kind'):<{w_kind}}  "
        f"{head('layers_size'):<{w_size}}  {head('layers_crs'):<{w_crs}}  "
        f"{head('layers_synthetic'):<{w_syn}}  {head('layers_provenance')}"
    )
    for r in rows:
        syn = message("yes" if r["synthetic"] else "no", lang)
        src = _shorten(r["source"], 70)
        click.echo(
            f"{r['id']:<{width}}  {kinds[r['kind']]:<{w_kind}}  {r['_size'][lang]:<{w_size}}  "
            f"{r['crs']:<{w_crs}}  {syn:<{w_syn}}  {r['licence']} / {src}"
        )


def _shorten(value: str, width: int) -> str:
    """*value* cut to *width* characters with "...", never inside a `quoted` name.

    Examples
    --------
    >>> _shorten("geokz 1.0.2 (`arodionoff/geokz` repository)", 24)
    'geokz 1.0.2 (...'
    >>> _shorten("short", 24)
    'short'
    """
    if len(value) < width:
        return value
    cut = value[: width - 3]
    if cut.count("`") % 2:
        cut = cut[: cut.rindex("`")]
    return cut + "..."


def _coverage(cat: Any, layer_id: str, value: Any) -> dict[str, Any]:
    """Where a layer is complete: its extent (degrees), and the towns a town-by-town layer holds."""
    extent = cat.extent(layer_id)
    out: dict[str, Any] = {"extent": [round(v, 4) for v in extent] if extent else None}
    if cat.spec(layer_id).generator and "town" in getattr(value, "columns", ()):
        out["towns"] = sorted({str(t) for t in value["town"]})
    return out
