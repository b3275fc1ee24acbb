"""``geo fetch``: real layers for a study area, downloaded into a cache folder."""

from __future__ import annotations

from typing import Any

import click

from geo.commands.options import area_options, overwrite_option, quiet_level, verbosity_options
from geo.fetch.sources import DEFAULT_BUFFER_M, SOURCES, TIMEOUT_S

SOURCE_CHOICES = tuple(SOURCES)


@click.command(name="fetch")
@click.option(
    "--out", "-o", required=True, type=click.Path(file_okay=False), help="Cache folder (created)."
)
@area_options
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(SOURCE_CHOICES),
    help="What to fetch (repeatable; all four by default): osm (OpenStreetMap via osmnx), "
    "dem (Copernicus GLO-30), landcover (ESA WorldCover), soil (SoilGrids).",
)
@click.option(
    "--buffer",
    "buffer_m",
    type=click.FloatRange(min=0, max=50_000),
    default=DEFAULT_BUFFER_M,
    show_default=True,
    help="Metres around the towns, the box or the polygon.",
)
@click.option("--offline", is_flag=True, default=False, help="Use the cache only; never connect.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1, max=3600),
    default=float(TIMEOUT_S),
    show_default=True,
    help="Seconds any request may take.",
)
@overwrite_option
@verbosity_options
def fetch(
    out: str,
    sources: tuple[str, ...],
    buffer_m: float,
    offline: bool,
    timeout: float,
    overwrite: bool,
    **area: Any,
) -> None:
    """Download real layers for a study area into the folder OUT, with their provenance.

    OpenStreetMap features become the layers town_boundaries, micro_districts,
    enterprises (candidate sources) and utility_networks, each feature saying it is
    derived from OpenStreetMap and what was inferred; the DEM, land cover and soil
    are read for the area's window only. OUT/fetch.json records per layer its
    source, licence, date and sha256. A second fetch of the same area keeps what the
    cache holds; `geo build --data OUT` builds on the fetched layers.

    \b
    Example:
      geo fetch --town Zhanatas --out data/zhanatas
      geo fetch --bbox 69.6,43.45,69.9,43.7 --out data/box --source osm --source dem
      geo fetch --town Zhanatas --out data/zhanatas --offline
      geo map maps/land_suitability.toml --out real --data data/zhanatas --town Zhanatas
      geo fetch --out data/study && geo build --out atlas --data data/study
    """
    from geo.area import AreaOverride, AreaRequest, check_bbox
    from geo.fetch import fetch as run_fetch

    over = AreaOverride(tuple(area.get("towns") or ()), area.get("bbox"), area.get("area_file"))
    over.check()
    request = AreaRequest(
        towns=over.towns,  # none, no box and no polygon: the study towns
        bbox=check_bbox(over.bbox, "--bbox") if over.bbox else None,
        file=over.file,
        buffer_m=buffer_m,
        origin={"towns": "--town", "bbox": "--bbox", "file": "--area"},
    )
    quiet = quiet_level() > 0

    def progress(line: str) -> None:
        if not quiet:
            click.echo(f"fetch: {line}", err=True)

    report = run_fetch(
        out,
        request,
        sources=sources or SOURCE_CHOICES,
        offline=offline,
        overwrite=overwrite,
        timeout=timeout,
        progress=progress,
    )
    click.echo(str(report.record))
