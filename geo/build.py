"""Build the atlas folder: catalog → themes → writers → ``DIR``.

The output appears atomically: everything is written into a hidden temporary
folder beside ``DIR`` and renamed into place only when complete, so a failed
build never leaves a broken folder where a good one stood.

Layout of ``DIR``::

    atlas.gpkg            every layer, styled for QGIS, with an embedded project
    <recipe>.html         one self-contained map per recipe (land_suitability.html ...)
    index.html            the atlas page linking the maps
    rasters/*.tif         Cloud-Optimized GeoTIFFs
    sheets/*.png          printable map sheets
    manifest.json         every output with its sha256, the layers and parameters that made it
"""

from __future__ import annotations

import importlib
import logging
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.catalog import Catalog
from geo.errors import InputError, OutputExistsError
from geo.recipe import Recipe, default_maps_dir, load_recipe
from geo.themes import THEMES
from geo.themes.base import BuildContext, ThemeResult

__all__ = [
    "BuildReport",
    "build_atlas",
    "build_theme",
    "default_recipes",
    "ensure_theme",
    "run_recipe",
]

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build wrote (paths relative to the output folder) and the manifest it recorded."""

    out: Path
    files: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def default_recipes(maps_dir: Path | None = None) -> list[Path]:
    """Recipes in ``maps/`` in build order (pollution first: suitability reads it)."""
    folder = maps_dir or default_maps_dir()
    found = []
    for p in sorted(folder.glob("*.toml")):
        theme = load_recipe(p).theme
        if theme not in THEMES:
            msg = f"{p}: theme {theme!r} is unknown; known themes: {', '.join(THEMES)}"
            raise InputError(msg)
        found.append((list(THEMES).index(theme), p.stem != theme, p.name, p))
    return [p for *_, p in sorted(found)]


def run_recipe(ctx: BuildContext, recipe: Recipe) -> ThemeResult:
    """Run the theme a recipe names and remember its result in ``ctx.results``."""
    module = importlib.import_module(THEMES[recipe.theme])
    log.info("building %s (%s)", recipe.name, recipe.path)
    result: ThemeResult = module.build(ctx, recipe)
    result.parameters.setdefault("recipe", _shown_path(recipe.path))
    ctx.results.setdefault(recipe.theme, result)
    ctx.results[recipe.name] = result
    return result


def _shown_path(path: Path) -> str:
    """A shipped recipe as ``maps/x.toml`` (the same on every machine); others as given."""
    root = default_maps_dir().parent.resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def ensure_theme(ctx: BuildContext, theme: str) -> ThemeResult:
    """The result of *theme*, building it from ``maps/<theme>.toml`` if not built yet."""
    if theme not in ctx.results:
        path = default_maps_dir() / f"{theme}.toml"
        run_recipe(ctx, load_recipe(path))
    return ctx.results[theme]


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite:
        msg = f"{out}: output folder exists; pass --overwrite to replace it"
        raise OutputExistsError(msg)
    if out.exists() and not out.is_dir():
        msg = f"{out}: exists and is not a folder; choose another --out"
        raise OutputExistsError(msg)


def build_atlas(
    out: str | Path,
    *,
    recipes: Iterable[str | Path] | None = None,
    overrides: Mapping[str, str | Path] | None = None,
    lang: str = "en",
    overwrite: bool = False,
    progress: bool = False,
    layers_dir: Path | None = None,
) -> BuildReport:
    """Build the atlas (or the themes of *recipes*) into the folder *out*.

    Parameters
    ----------
    out : path
        Output folder; replaced atomically when *overwrite* is true.
    recipes : paths, optional
        Recipes to build; every recipe in ``maps/`` by default.
    overrides : mapping, optional
        Layer id → user file replacing that catalog layer.
    lang : {"en", "kk", "ru"}
        Language of titles, legends and labels.
    overwrite : bool
        Replace an existing *out*.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    BuildReport
    """
    from geo.i18n import LANGUAGES

    out = Path(out)
    if lang not in LANGUAGES:
        msg = f"language {lang!r} is not supported; use one of {', '.join(LANGUAGES)}"
        raise InputError(msg)
    _check_out(out, overwrite)
    recipe_list = [load_recipe(p) for p in (recipes if recipes is not None else default_recipes())]
    catalog = Catalog(layers_dir, overrides=overrides)
    for layer_id in catalog.overrides:  # fail fast on the user's files, before any heavy work
        catalog.read(layer_id)
    ctx = BuildContext(catalog=catalog, lang=lang, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        report = _build_into(tmp, ctx, recipe_list, progress=progress)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.out = out
    log.info("wrote %d files to %s", len(report.files), out)
    return report


def build_theme(
    recipe: str | Path,
    out: str | Path,
    **kwargs: Any,
) -> BuildReport:
    """Build one recipe's theme alone (``geo map``); same options as :func:`build_atlas`."""
    return build_atlas(out, recipes=[recipe], **kwargs)


def _build_into(
    tmp: Path, ctx: BuildContext, recipes: list[Recipe], *, progress: bool
) -> BuildReport:
    from geo.manifest import make_manifest, write_manifest
    from geo.progress import steps
    from geo.themes.base_layers import base_result
    from geo.writers.cog import write_cog
    from geo.writers.gpkg import write_geopackage
    from geo.writers.html import write_index, write_theme_map
    from geo.writers.png import write_map_sheet

    results: list[ThemeResult] = []
    bar = steps(len(recipes) + 4, "building atlas", enabled=progress)
    base = base_result(ctx)
    bar.update(1)
    for recipe in recipes:
        results.append(run_recipe(ctx, recipe))
        bar.update(1)
    names = [r.parameters.get("name", r.theme) for r in results]
    # rasters: one COG each
    (tmp / "rasters").mkdir()
    rasters: dict[str, Path] = {}
    for res in [base, *results]:
        for rl in res.rasters:
            if rl.name in rasters:
                msg = f"two layers write rasters/{rl.name}.tif; give the recipes distinct names"
                raise InputError(msg)
            path = tmp / "rasters" / f"{rl.name}.tif"
            write_cog(rl.raster, path, tags=_raster_tags(rl), style=rl.style)
            rasters[rl.name] = Path("rasters") / path.name
    bar.update(1)
    write_geopackage([base, *results], tmp / "atlas.gpkg", lang=ctx.lang, rasters=rasters)
    bar.update(1)
    links: dict[str, str] = {}
    (tmp / "sheets").mkdir()
    for name, res in zip(names, results, strict=True):
        write_theme_map(res, base, tmp / f"{name}.html", lang=ctx.lang)
        write_map_sheet(res, base, tmp / "sheets" / f"{name}.png", lang=ctx.lang)
        links[name] = f"{name}.html"
    write_index(results, tmp / "index.html", lang=ctx.lang, links=links)
    bar.update(1)
    bar.close()
    manifest = make_manifest(tmp, ctx, base, results, names)
    write_manifest(manifest, tmp / "manifest.json")
    files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    return BuildReport(out=tmp, files=files, manifest=manifest)


def _raster_tags(rl: Any) -> dict[str, str]:
    tags = {str(k): str(v) for k, v in rl.raster.tags.items()}
    tags.update({"title": rl.title.get("en", rl.name), "source": rl.source, "licence": rl.licence})
    tags["synthetic"] = "true" if rl.synthetic else "false"
    return tags


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Rename *tmp* to *out*; an existing *out* is moved aside first and removed after."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{tmp.name.rsplit('.', 2)[-2]}")
        out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
