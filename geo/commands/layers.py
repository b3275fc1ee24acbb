"""``geo layers``: print the layer catalog."""

from __future__ import annotations

import json
from typing import Any

import click

from geo.commands.options import layer_option, verbosity_options


@click.command(name="layers")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option(
    "--lang", type=click.Choice(["en", "kk", "ru"]), default="en", help="Language of titles."
)
@layer_option
@verbosity_options
def layers(as_json: bool, lang: str, layers: dict[str, str]) -> None:
    """List every catalog layer with its size, CRS, source, licence and synthetic flag.

    \b
    Example:
      geo layers
      geo layers --json | python -m json.tool
      geo layers --layer districts=my_districts.gpkg
    """
    from geo.catalog import Catalog
    from geo.raster import Raster

    cat = Catalog(overrides=layers)
    rows = []
    for spec in cat:
        value = cat.read(spec.id) if cat.available(spec.id) else None
        prov = cat.provenance(spec.id)
        if value is None:  # not embedded: `geo fetch` gets it
            size, crs = "not embedded", "-"
        elif isinstance(value, Raster):
            size, crs = f"{value.shape[1]}x{value.shape[0]} px", f"EPSG:{value.crs.to_epsg()}"
        elif spec.kind == "table":
            size, crs = f"{len(value)} rows", "-"
        else:
            size, crs = f"{len(value)} features", "EPSG:4326"
        rows.append(
            {
                "id": spec.id,
                "kind": spec.kind,
                "title": spec.title[lang],
                "geometry": spec.geometry,
                "size": size,
                "crs": crs,
                "source": prov["source"],
                "licence": prov["licence"],
                "attribution": prov["attribution"],
                "synthetic": prov["synthetic"],
                "overridden": cat.is_overridden(spec.id),
                "embedded": spec.embedded,
                **_coverage(cat, spec.id, value),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False))
        return
    width = max(len(r["id"]) for r in rows)
    click.echo(
        f"{'id':<{width}}  {'kind':<6}  {'size':<16}  {'crs':<10}  {'synthetic':<9}  licence / source"
    )
    for r in rows:
        syn = "yes" if r["synthetic"] else "no"
        src = r["source"] if len(r["source"]) < 70 else r["source"][:67] + "..."
        click.echo(
            f"{r['id']:<{width}}  {r['kind']:<6}  {r['size']:<16}  {r['crs']:<10}  {syn:<9}  "
            f"{r['licence']} / {src}"
        )


def _coverage(cat: Any, layer_id: str, value: Any) -> dict[str, Any]:
    """Where a layer is complete: its extent (degrees), and the towns a town-by-town layer holds."""
    extent = cat.extent(layer_id)
    out: dict[str, Any] = {"extent": [round(v, 4) for v in extent] if extent else None}
    if cat.spec(layer_id).generator and "town" in getattr(value, "columns", ()):
        out["towns"] = sorted({str(t) for t in value["town"]})
    return out
