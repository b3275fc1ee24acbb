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

import contextlib
import difflib
import importlib
import logging
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geo.area import AreaOverride, include_area, override_area, read_area
from geo.catalog import Catalog
from geo.chunks import Execution, connected
from geo.errors import InputError
from geo.recipe import Recipe, default_maps_dir, load_recipe, shown_path
from geo.results import RasterLayer, ThemeResult, VectorLayer
from geo.staging import check_out, scratch_folder, staged
from geo.themes import THEMES
from geo.themes.base import Theme, ThemeInputs, ThemeSpec, layer_prefix

__all__ = [
    "BuildContext",
    "BuildReport",
    "build_atlas",
    "build_theme",
    "default_recipes",
    "order_recipes",
    "run_recipe",
    "theme_of",
]

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build wrote (paths relative to the output folder) and the manifest it recorded."""

    out: Path
    files: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildContext:
    """The state of one build: the catalog (with user overrides), the language, results so far.

    Parameters
    ----------
    catalog : Catalog
        Reads layers by id; ``--layer ID=PATH`` overrides are already applied.
    lang : str
        Language of the build (``en``, ``kk`` or ``ru``).
    results : dict
        Results built so far, by theme id (the first recipe of each theme) and
        by recipe name.
    progress : bool
        Whether long loops may show a progress bar on stderr.
    area : AreaOverride, optional
        The command line's study area, replacing every recipe's ``[area]``
        (the recipes built for a required theme included).
    execution : Execution, optional
        The scheduler and chunk size of the raster steps (:mod:`geo.chunks`; the
        threaded scheduler by default); None computes them whole in memory.
    """

    catalog: Catalog
    lang: str = "en"
    results: dict[str, ThemeResult] = field(default_factory=dict)
    progress: bool = False
    area: AreaOverride | None = None
    execution: Execution | None = field(default_factory=Execution)
    settings: dict[tuple[str, str], Any] = field(default_factory=dict)
    """Settings read before the run (for its estimate), by recipe path and name: read once."""

    def inputs(
        self, prefix: str = "", results: Mapping[str, ThemeResult] | None = None
    ) -> ThemeInputs:
        """What a theme is handed from this build."""
        return ThemeInputs(
            self.catalog, self.lang, results or {}, self.progress, prefix, self.execution
        )


def theme_of(recipe: Recipe) -> Theme:
    """The theme package a recipe names (its ``theme`` key).

    Raises
    ------
    RecipeError
        An unknown theme id, naming the recipe line and the known ids.
    """
    if recipe.theme not in THEMES:
        close = difflib.get_close_matches(recipe.theme, list(THEMES), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known themes: {', '.join(THEMES)}"
        raise recipe.error("theme", f"unknown theme {recipe.theme!r}; {hint}")
    return _theme(recipe.theme)


def _theme(theme_id: str) -> Theme:
    """The package of a registered theme id."""
    module: Theme = importlib.import_module(THEMES[theme_id])
    return module


def order_recipes(recipes: Sequence[Recipe]) -> list[Recipe]:
    """*recipes* in build order: every theme after the themes it requires, else as given."""
    pending = list(recipes)
    done: set[str] = set()
    ordered: list[Recipe] = []
    while pending:
        present = {r.theme for r in pending}
        for r in pending:
            needs = set(theme_of(r).SPEC.requires) & present - done - {r.theme}
            if not needs:
                break
        else:  # pragma: no cover - the registry has no cycle (tests/test_themes_protocol.py)
            msg = f"themes require each other: {', '.join(sorted(present))}"
            raise InputError(msg)
        pending.remove(r)
        ordered.append(r)
        if not any(p.theme == r.theme for p in pending):
            done.add(r.theme)
    return ordered


def default_recipes(maps_dir: Path | None = None) -> list[Path]:
    """The recipes in ``maps/``, in build order (themes by registry, the shipped one first)."""
    folder = maps_dir or default_maps_dir()
    found = []
    for p in sorted(folder.glob("*.toml")):
        recipe = load_recipe(p)
        theme_of(recipe)
        found.append((list(THEMES).index(recipe.theme), p.stem != recipe.theme, p.name, p))
    return [p for *_, p in sorted(found)]


class _Required(Mapping[str, ThemeResult]):
    """The results a theme may read: those it requires, each built on first use."""

    def __init__(self, ctx: BuildContext, spec: ThemeSpec) -> None:
        self._ctx, self._spec = ctx, spec

    def __getitem__(self, theme: str) -> ThemeResult:
        if theme not in self._spec.requires:
            msg = (
                f"theme {self._spec.id!r} reads {theme!r} without requiring it; add it to its SPEC"
            )
            raise KeyError(msg)
        if theme not in self._ctx.results:
            spec = _theme(theme).SPEC
            if spec.default_recipe is None:
                raise KeyError(theme)
            run_recipe(self._ctx, override_area(load_recipe(spec.default_recipe), self._ctx.area))
        return self._ctx.results[theme]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spec.requires)

    def __len__(self) -> int:
        return len(self._spec.requires)


def run_recipe(ctx: BuildContext, recipe: Recipe) -> ThemeResult:
    """Run the theme a recipe names and remember its result in ``ctx.results``.

    The recipe's top-level keys are checked against the theme's spec, its
    settings read, the themes it requires handed over (built from their
    default recipes when the run has none), and the result named after the
    recipe.
    """
    theme = theme_of(recipe)
    spec = theme.SPEC
    recipe.require_keys("", spec.allowed_keys)
    key = (str(recipe.path), recipe.name)
    settings = ctx.settings.pop(key, None) or theme.read_settings(recipe, ctx.catalog)
    log.info("building %s (%s)", recipe.name, recipe.path)
    inputs = ctx.inputs(layer_prefix(spec, recipe), _Required(ctx, spec))
    result = theme.build(inputs, settings)
    result.name = recipe.name
    _recipe_texts(recipe, result)
    layers: list[VectorLayer | RasterLayer] = [*result.vectors, *result.rasters]
    for layer in layers:
        layer.name = inputs.name(layer.name)
    result.parameters.setdefault("recipe", shown_path(recipe.path))
    result.provenance = _provenance(ctx, result)
    ctx.results.setdefault(spec.id, result)
    ctx.results[recipe.name] = result
    return result


def _recipe_texts(recipe: Recipe, result: ThemeResult) -> None:
    """The recipe's own ``title`` and ``description`` (keys of every theme) on its map."""
    from geo.themes.common import recipe_text

    if "title" in recipe.data:
        result.title = recipe_text(recipe, "title", result.title)
    if "description" in recipe.data:
        result.description = recipe_text(recipe, "description", result.description or {})


def _provenance(ctx: BuildContext, result: ThemeResult) -> dict[str, dict[str, Any]]:
    """Source, licence and synthetic flag of each catalog layer the result read."""
    ids = set(ctx.catalog.ids)
    return {lid: ctx.catalog.provenance(lid) for lid in sorted(set(result.inputs)) if lid in ids}


def _check_names(recipes: Sequence[Recipe]) -> None:
    """Refuse two recipes with one name: they would write the same map, sheet and layers."""
    seen: dict[str, Recipe] = {}
    for r in recipes:
        if r.name in seen:
            msg = (
                f"{r.path}: recipe name {r.name!r} is taken by {seen[r.name].path}; "
                'give one of them another name (name = "...")'
            )
            raise InputError(msg)
        seen[r.name] = r


def _required_recipes(recipes: Sequence[Recipe], area: AreaOverride | None) -> list[Recipe]:
    """The default recipes of the themes the run requires but does not build itself."""
    present = {r.theme for r in recipes}
    out = []
    for theme in dict.fromkeys(t for r in recipes for t in theme_of(r).SPEC.requires):
        spec = _theme(theme).SPEC
        if theme not in present and spec.default_recipe is not None:
            out.append(override_area(load_recipe(spec.default_recipe), area))
    return out


def _check_cost(
    catalog: Catalog, recipes: Sequence[Recipe], out: Path | None = None
) -> dict[tuple[str, str], Any]:
    """Estimate the run's peak memory and time; refuse it up front if it would not fit.

    Logged at INFO (``-v``). The refusal names the recipe key of the theme with the
    largest peak and a cell size that fits; nothing has been written yet. With *out*, the
    results a large grid stores beside it must fit on its disk too. Returns the settings
    it read, by recipe path and name, so the run does not read them again.
    """
    from geo.cost import available_memory, check_disk, check_fits, combine

    parts = []
    settings: dict[tuple[str, str], Any] = {}
    for recipe in recipes:
        theme = theme_of(recipe)
        read = settings[(str(recipe.path), recipe.name)] = theme.read_settings(recipe, catalog)
        est, where = theme.estimate(read, catalog)
        log.info("estimate for %s: %s", recipe.name, est.describe())
        parts.append((est, where))
    if not parts:
        return settings
    run = combine([e for e, _ in parts])
    log.info("estimate for the run: %s", run.describe())
    top = max(parts, key=lambda p: p[0].peak_bytes)
    check_fits(run, available=available_memory(), where=top[1])
    if out is not None and run.scratch_bytes:
        stored = max(parts, key=lambda p: p[0].scratch_bytes)
        check_disk(run, free=_disk_free(out), where=stored[1])
    return settings


def _disk_free(out: Path) -> int:
    """Free bytes on the disk that will hold *out* (its nearest existing folder's)."""
    for folder in (out.parent, *out.parent.parents):
        if folder.is_dir():
            return shutil.disk_usage(folder).free
    return shutil.disk_usage(Path.cwd()).free


def build_atlas(  # noqa: PLR0913 - the options of `geo build`, one keyword each
    out: str | Path,
    *,
    recipes: Iterable[str | Path] | None = None,
    overrides: Mapping[str, str | Path] | None = None,
    lang: str | Sequence[str] = "en",
    overwrite: bool = False,
    progress: bool = False,
    layers_dir: Path | None = None,
    area: AreaOverride | None = None,
    scheduler: str | Execution | Any = "threads",
    each_town: bool = False,
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
    lang : {"en", "kk", "ru"} or a sequence of them
        Language of titles, legends and labels. Several languages build one
        atlas per language into ``<out>/<lang>/``, each linking the others,
        under an ``index.html`` that offers them and a ``manifest.json``.
    overwrite : bool
        Replace an existing *out*.
    progress : bool
        Show a progress bar on stderr.
    area : AreaOverride, optional
        A study area replacing every recipe's ``[area]`` (``--town``, ``--bbox``, ``--area``).
    scheduler : str, distributed.Client or Execution
        Where the raster steps run in chunks (:mod:`geo.chunks`): ``threads``,
        ``processes``, ``synchronous``, a dask.distributed scheduler's address
        (``tcp://host:8786``, refused in a few seconds if it does not answer), a
        connected ``distributed.Client``, or an :class:`~geo.chunks.Execution` that
        also gives the chunk size (``Execution("processes", chunk_size=512)``).
    each_town : bool
        One atlas per town into ``<out>/<town>/`` (each named in *area*, or every town
        its box or polygon holds, or the recipes' towns), under an ``index.html`` that
        lists them and a ``manifest.json``. The towns are independent tasks: on a
        distributed scheduler as many run at once as it has workers, their chunks on
        the same cluster; on this machine one after another, each on every core.

    Returns
    -------
    BuildReport
    """
    out = Path(out)
    langs = _languages(lang)
    execution = _execution(scheduler, progress)
    check_out(out, overwrite)  # before any work; checked again under the lock
    chosen = recipes if recipes is not None else default_recipes()
    if each_town:
        return _build_each_town(out, list(chosen), overrides, layers_dir, area, langs,
                                overwrite=overwrite, progress=progress, execution=execution)  # fmt: skip
    with connected(execution) as run:
        catalog, recipe_list, settings = _prepare(chosen, overrides, layers_dir, area, out)
        with staged(out, overwrite=overwrite) as tmp, scratch_folder(out) as scratch:
            base = BuildContext(
                catalog, langs[0], progress=progress, area=area, settings=settings,
                execution=replace(run, scratch=str(scratch)),
            )  # fmt: skip
            if len(langs) == 1:
                report = _build_into(tmp, base, recipe_list, progress=progress)
            else:
                report = _build_languages(tmp, langs, recipe_list, base)
    report.out = out
    log.info("wrote %d files to %s", len(report.files), out)
    return report


def _build_each_town(  # noqa: PLR0913 - build_atlas's options, passed on
    out: Path,
    chosen: list[str | Path],
    overrides: Mapping[str, str | Path] | None,
    layers_dir: Path | None,
    area: AreaOverride | None,
    langs: tuple[str, ...],
    *,
    overwrite: bool,
    progress: bool,
    execution: Execution,
) -> BuildReport:
    """One atlas per town of the run in ``out/<town>/`` (see :func:`build_atlas`)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from geo.writers.html import render_town_index

    with connected(execution) as run:
        catalog, recipe_list, _ = _prepare(chosen, overrides, layers_dir, area)
        towns = _towns_of_run(catalog, recipe_list)
        folders = _town_folders(towns)
        labels = {t: _town_label(catalog, t, langs[0]) for t in towns}
        writing = threading.Lock()
        with staged(out, overwrite=overwrite) as tmp, scratch_folder(out) as scratch:
            at = replace(run, scratch=str(scratch))

            def one(town: str) -> BuildReport:
                log.info("building the atlas of %s", town)
                alone = AreaOverride(towns=(town,))
                cat, recipes, settings = _prepare(chosen, overrides, layers_dir, alone, out)
                ctx = BuildContext(
                    cat, langs[0], progress=progress, area=alone, settings=settings, execution=at
                )
                folder = tmp / folders[town]
                folder.mkdir()
                if len(langs) > 1:
                    return _build_languages(folder, langs, recipes, ctx, lock=writing)
                return _build_into(folder, ctx, recipes, progress=progress, lock=writing)

            at_once = len(run.client.nthreads()) if run.distributed and run.client else 1
            with ThreadPoolExecutor(max(1, min(at_once, len(towns)))) as pool:
                reports = dict(zip(towns, pool.map(one, towns), strict=True))
            (tmp / "index.html").write_text(
                render_town_index([(folders[t], labels[t]) for t in towns], langs[0]),
                encoding="utf-8",
            )
            entries = {
                t: {
                    "folder": folders[t],
                    "index": f"{folders[t]}/index.html",
                    "manifest": f"{folders[t]}/manifest.json",
                    "files": len(reports[t].files),
                }
                for t in towns
            }
            report = _top_report(tmp, "towns", entries)
    report.out = out
    log.info("wrote %d files for %d towns to %s", len(report.files), len(towns), out)
    return report


def _town_label(catalog: Catalog, town: str, lang: str) -> str:
    """*town*'s name in *lang* from the towns layer, else as the boundaries layer names it."""
    from geo.places import find_place

    try:
        return find_place(catalog, town).label(lang)
    except InputError:  # a town of the user's boundaries that GeoNames does not know
        return town


def _towns_of_run(catalog: Catalog, recipes: Sequence[Recipe]) -> list[str]:
    """The towns of the run's study areas, in the recipes' order (the command line's area first)."""
    from geo.area import resolve_area

    towns: list[str] = []
    for recipe in recipes:
        request = read_area(recipe, buffer_m=0.0)
        for town in resolve_area(catalog, request).towns:
            if town not in towns:
                towns.append(town)
    if not towns:
        msg = "--each-town: the study area holds no town; name towns with --town or give a larger area"
        raise InputError(msg)
    return towns


def _town_folders(towns: Sequence[str]) -> dict[str, str]:
    """A folder name for each town: its name in lower case ASCII, made unique.

    Examples
    --------
    >>> _town_folders(["Zhanatas", "Shu", "Taraz (old)", "Жаңатас"])
    {'Zhanatas': 'zhanatas', 'Shu': 'shu', 'Taraz (old)': 'taraz-old', 'Жаңатас': 'town-4'}
    """
    import re

    out: dict[str, str] = {}
    for i, town in enumerate(towns, 1):
        name = re.sub(r"[^a-z0-9]+", "-", town.lower()).strip("-") or f"town-{i}"
        while name in out.values():
            name = f"{name}-{i}"
        out[town] = name
    return out


def _execution(scheduler: str | Execution | Any, progress: bool) -> Execution:
    """The :class:`Execution` of a build's *scheduler* argument, with its progress flag."""
    if isinstance(scheduler, Execution):
        return replace(scheduler, progress=scheduler.progress or progress)
    if isinstance(scheduler, str):
        return Execution(scheduler, progress=progress)
    return Execution(progress=progress, client=scheduler)  # a distributed.Client


def _prepare(
    recipes: Iterable[str | Path],
    overrides: Mapping[str, str | Path] | None,
    layers_dir: Path | None,
    area: AreaOverride | None,
    out: Path | None = None,
) -> tuple[Catalog, list[Recipe], dict[tuple[str, str], Any]]:
    """Everything checked before any work: the catalog, the recipes in order, their settings.

    The user's files are read (a bad one fails fast), every town of the run is
    put in the catalog's scope, bad areas are refused, and the run's cost is
    estimated and checked.
    """
    if area is not None:
        area.check()
    recipe_list = order_recipes([override_area(load_recipe(p), area) for p in recipes])
    _check_names(recipe_list)
    catalog = Catalog(layers_dir, overrides=overrides)
    for layer_id in catalog.overrides:
        catalog.read(layer_id)
    run = [*recipe_list, *_required_recipes(recipe_list, area)]
    for recipe in run:
        include_area(catalog, read_area(recipe, buffer_m=0.0))
    return catalog, recipe_list, _check_cost(catalog, run, out)


def _languages(lang: str | Sequence[str]) -> tuple[str, ...]:
    """The build's languages, checked, without repeats, in the order given."""
    from geo.i18n import LANGUAGES

    langs = (lang,) if isinstance(lang, str) else tuple(dict.fromkeys(lang))
    bad = [x for x in langs if x not in LANGUAGES]
    if bad or not langs:
        msg = f"language {(bad or [''])[0]!r} is not supported; use one of {', '.join(LANGUAGES)}"
        raise InputError(msg)
    return langs


def _build_languages(
    tmp: Path,
    langs: tuple[str, ...],
    recipes: list[Recipe],
    base: BuildContext,
    lock: Any = None,
) -> BuildReport:
    """One atlas per language in ``tmp/<lang>/``, an index offering them and a manifest.

    *base* gives the catalog, area, settings read, progress and execution of the run.
    """
    from geo.writers.html import render_language_index

    parts = {}
    for lang in langs:
        log.info("building the atlas in %s", lang)
        ctx = BuildContext(
            base.catalog, lang, progress=base.progress, area=base.area,
            settings=base.settings, execution=base.execution,
        )  # fmt: skip
        (tmp / lang).mkdir()
        parts[lang] = _build_into(
            tmp / lang, ctx, recipes, progress=base.progress, languages=langs, lock=lock
        )
    (tmp / "index.html").write_text(render_language_index(langs), encoding="utf-8")
    entries = {
        lang: {"index": f"{lang}/index.html", "manifest": f"{lang}/manifest.json"} for lang in langs
    }
    return _top_report(tmp, "languages", entries)


def _top_report(tmp: Path, kind: str, entries: Mapping[str, Mapping[str, Any]]) -> BuildReport:
    """The manifest of an atlas made of several (*kind*: languages or towns) and its report.

    The manifest lists the *entries* and the hash of the index and of each entry's manifest.
    """
    from geo.manifest import sha256_of, write_manifest

    names = ["index.html", *(str(e["manifest"]) for e in entries.values())]
    manifest = {
        "atlas": "Shu-Talas Atlas",
        kind: dict(entries),
        "outputs": [
            {"path": name, "bytes": (tmp / name).stat().st_size, "sha256": sha256_of(tmp / name)}
            for name in names
        ],
    }
    write_manifest(manifest, tmp / "manifest.json")
    files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    return BuildReport(out=tmp, files=files, manifest=manifest)


def theme_map(
    recipe: str | Path,
    *,
    lang: str = "en",
    overrides: Mapping[str, str | Path] | None = None,
    area: AreaOverride | None = None,
    scheduler: str | Execution | Any = "threads",
) -> Any:
    """A recipe's theme as a ``folium.Map`` over the base map, as on the atlas's page.

    Add any folium element that needs Leaflet alone and ``save`` it: the page
    is self-contained, as the atlas's. Nothing is written until then.

    Examples
    --------
    >>> import folium
    >>> m = theme_map("maps/sustainability.toml", lang="kk")  # doctest: +SKIP
    >>> folium.CircleMarker([43.56, 69.73], radius=8, tooltip="New site").add_to(m)  # doctest: +SKIP
    >>> m.save("zhanatas.html")  # doctest: +SKIP
    """
    from geo.themes.base_layers import base_result
    from geo.writers.html import folium_map

    (lang,) = _languages(lang)
    with connected(_execution(scheduler, progress=False)) as run:
        catalog, (main,), settings = _prepare([recipe], overrides, None, area)
        ctx = BuildContext(catalog, lang, area=area, settings=settings, execution=run)
        result = run_recipe(ctx, main)
    base = base_result(ctx.inputs())
    return folium_map(result, base, lang=lang)


def build_theme(
    recipe: str | Path,
    out: str | Path,
    **kwargs: Any,
) -> BuildReport:
    """Build one recipe's theme alone (``geo map``); same options as :func:`build_atlas`."""
    return build_atlas(out, recipes=[recipe], **kwargs)


def _build_into(
    tmp: Path,
    ctx: BuildContext,
    recipes: list[Recipe],
    *,
    progress: bool,
    languages: Sequence[str] = (),
    lock: Any = None,
) -> BuildReport:
    """The themes of *recipes* built and written into *tmp*; the writers hold *lock*, if any."""
    from geo.manifest import make_manifest, write_manifest
    from geo.progress import steps
    from geo.themes.base_layers import base_result
    from geo.writers.cog import compression_threads
    from geo.writers.registry import WRITERS

    results: list[ThemeResult] = []
    bar = steps(len(recipes) + 1 + len(WRITERS), "building atlas", enabled=progress)
    base = base_result(ctx.inputs())
    base.provenance = _provenance(ctx, base)
    bar.update(1)
    for recipe in recipes:
        results.append(run_recipe(ctx, recipe))
        bar.update(1)
    threads = ctx.execution.local_threads() if ctx.execution else 1
    with lock or contextlib.nullcontext(), compression_threads(threads):
        for writer in WRITERS:
            log.debug("writer %s", writer.name)
            writer.write(results, base, tmp, ctx.lang, languages)
            bar.update(1)
    bar.close()
    manifest = make_manifest(tmp, ctx.catalog, ctx.lang, base, results)
    write_manifest(manifest, tmp / "manifest.json")
    files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    return BuildReport(out=tmp, files=files, manifest=manifest)
