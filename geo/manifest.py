"""``manifest.json``: what the build wrote, from what, with which parameters.

The manifest holds no clock time, so two builds of the same inputs give the
same manifest wherever the outputs themselves are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from geo.catalog import Catalog
from geo.i18n import all_languages, tr
from geo.layerspec import PROVENANCE_KEYS
from geo.results import ThemeResult

__all__ = ["PACKAGES", "make_manifest", "sha256_of", "write_manifest"]

PACKAGES = (
    "shutalas-atlas",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "rasterio",
    "numpy",
    "pandas",
    "scipy",
    "folium",
    "branca",
    "exactextract",
    "mapclassify",
    "matplotlib",
)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    import pyproj
    import rasterio

    out["GDAL (rasterio)"] = rasterio.__gdal_version__
    out["PROJ (pyproj)"] = pyproj.proj_version_str
    return out


def _jsonable(value: Any) -> Any:
    """Make parameters JSON-safe (numpy scalars, tuples, paths, NaN → null)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _provenance(prov: dict[str, Any]) -> dict[str, Any]:
    """A layer's provenance as recorded: source, licence and attribution in English.

    ``texts`` holds each of them in every language (a plain string the same in each).
    """
    out = dict(prov)
    texts = {}
    for key in PROVENANCE_KEYS:
        value = prov.get(key, "")
        out[key] = tr(value, "en")
        texts[key] = all_languages(value)
    out["texts"] = texts
    return out


def make_manifest(
    folder: Path,
    catalog: Catalog,
    lang: str,
    base: ThemeResult,
    results: list[ThemeResult],
) -> dict[str, Any]:
    """Describe every file in *folder* and the layers and parameters behind it."""
    outputs = [
        {"path": str(p.relative_to(folder)), "bytes": p.stat().st_size, "sha256": sha256_of(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    ]
    layer_ids = sorted(set(base.inputs).union(*(r.inputs for r in results)))
    layers = {}
    for lid in layer_ids:
        spec = catalog.spec(lid)
        layers[lid] = {
            "kind": spec.kind,
            "title": dict(spec.title),
            **_provenance(catalog.provenance(lid)),
            "overridden_by_user": catalog.is_overridden(lid),
        }
    licences: dict[str, list[str]] = {}
    for lid, entry in layers.items():
        licences.setdefault(str(entry["licence"]), []).append(lid)
    attributions = sorted({str(e["attribution"]) for e in layers.values() if e["attribution"]})
    themes = {}
    for res in results:
        name = res.key
        themes[name] = {
            "theme": res.theme,
            "title": dict(res.title),
            "inputs": sorted(res.inputs),
            "vector_layers": [v.name for v in res.vectors],
            "raster_layers": [f"rasters/{r.name}.tif" for r in res.rasters],
            "html": f"{name}.html",
            "parameters": _jsonable(res.recorded_parameters()),
            "notes": [dict(n) for n in res.notes],
        }
    return {
        "atlas": "Shu-Talas Atlas",
        "language": lang,
        "outputs": outputs,
        "layers": layers,
        # every licence under which the atlas carries data (ODbL data stays ODbL), and the
        # attributions those licences require
        "licences": licences,
        "attributions": attributions,
        "base": {"parameters": _jsonable(base.parameters), "inputs": sorted(base.inputs)},
        "themes": themes,
        "software": _versions(),
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Write *manifest* as indented UTF-8 JSON with sorted keys."""
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n",
        encoding="utf-8",
    )
