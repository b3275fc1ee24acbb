"""Refresh the vendored front-end assets in ``geo/assets/`` (maintainer tool).

Fetches each pinned package with ``npm pack NAME@VERSION`` (npm checks the
tarball's integrity against the registry), copies only the files the HTML maps
use, and rewrites ``geo/assets/MANIFEST.json`` with name, version, file,
sha256, licence and source URL for every file.

This script is NEVER run at build time: the build reads the vendored files
and checks them against the manifest's sha256. Run it by hand after changing a
pin, review the diff, and commit the result::

    python layers/scripts/refresh_assets.py            # refresh in place
    python layers/scripts/refresh_assets.py --check    # verify the vendored files only

Requires ``node``/``npm`` and access to the npm registry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "geo" / "assets"

# name, version, licence (SPDX), files {path in the npm tarball: path under geo/assets} and,
# optionally, urls {path in the npm tarball: [more URLs]}: where folium's plugin classes
# reference a file outside the npm CDNs (cdnjs, a GitHub tag on jsDelivr). Versions are the
# ones folium's classes name (folium/plugins/*.py), so folium.plugins.X inlines as it is.
PINS: list[dict] = [
    {
        "name": "leaflet",
        "version": "1.9.3",
        "licence": "BSD-2-Clause",
        "files": {
            "package/dist/leaflet.js": "leaflet/leaflet.js",
            "package/dist/leaflet.css": "leaflet/leaflet.css",
            "package/dist/images/layers.png": "leaflet/images/layers.png",
            "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
            "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "package/LICENSE": "leaflet/LICENSE",
        },
    },
    {
        "name": "leaflet.fullscreen",
        "version": "3.0.0",
        "licence": "MIT",
        "files": {
            "package/Control.FullScreen.js": "leaflet.fullscreen/Control.FullScreen.js",
            "package/Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
            "package/icon-fullscreen.svg": "leaflet.fullscreen/icon-fullscreen.svg",
            "package/LICENSE": "leaflet.fullscreen/LICENSE",
        },
    },
    {  # folium.plugins.MiniMap (cdnjs serves the package's src/ folder)
        "name": "leaflet-minimap",
        "version": "3.6.1",
        "licence": "BSD-2-Clause",
        "files": {
            "package/src/Control.MiniMap.js": "leaflet-minimap/Control.MiniMap.js",
            "package/src/Control.MiniMap.css": "leaflet-minimap/Control.MiniMap.css",
            "package/src/images/toggle.svg": "leaflet-minimap/images/toggle.svg",
            "package/src/images/toggle.png": "leaflet-minimap/images/toggle.png",
            "package/LICENSE.txt": "leaflet-minimap/LICENSE.txt",
        },
        "urls": {
            "package/src/Control.MiniMap.js": [
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js",
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.min.js",
            ],
            "package/src/Control.MiniMap.css": [
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css",
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.min.css",
            ],
        },
    },
    {  # folium.plugins.MeasureControl: folium links the 2.1.7 tag on GitHub, the same release as npm's
        "name": "leaflet-measure",
        "version": "2.1.7",
        "licence": "MIT",
        "files": {
            "package/dist/leaflet-measure.min.js": "leaflet-measure/dist/leaflet-measure.min.js",
            "package/dist/leaflet-measure.css": "leaflet-measure/dist/leaflet-measure.css",
            **{
                f"package/dist/images/{icon}{size}.png": f"leaflet-measure/dist/images/{icon}{size}.png"
                for icon in ("cancel", "check", "focus", "rulers", "start", "trash")
                for size in ("", "_@2X")
            },
            "package/LICENSE": "leaflet-measure/LICENSE",
        },
        "urls": {
            "package/dist/leaflet-measure.min.js": [
                "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
                "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.js",
            ],
            "package/dist/leaflet-measure.css": [  # npm's .css is the minified one
                "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
                "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.css",
            ],
        },
    },
    {  # folium.plugins.Search
        "name": "leaflet-search",
        "version": "2.9.7",
        "licence": "MIT",
        "files": {
            "package/dist/leaflet-search.min.js": "leaflet-search/dist/leaflet-search.min.js",
            "package/dist/leaflet-search.min.css": "leaflet-search/dist/leaflet-search.min.css",
            "package/images/search-icon.png": "leaflet-search/images/search-icon.png",
            "package/images/loader.gif": "leaflet-search/images/loader.gif",
            "package/license.txt": "leaflet-search/license.txt",
        },
    },
    {  # folium.plugins.LocateControl
        "name": "leaflet.locatecontrol",
        "version": "0.66.2",
        "licence": "MIT",
        "files": {
            "package/dist/L.Control.Locate.min.js": "leaflet.locatecontrol/L.Control.Locate.min.js",
            "package/dist/L.Control.Locate.min.css": "leaflet.locatecontrol/L.Control.Locate.min.css",
            "package/LICENSE": "leaflet.locatecontrol/LICENSE",
        },
        "urls": {
            "package/dist/L.Control.Locate.min.js": [
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.js",
            ],
            "package/dist/L.Control.Locate.min.css": [
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.css",
            ],
        },
    },
]

CDNS = (
    "https://unpkg.com/{name}@{version}/{path}",
    "https://cdn.jsdelivr.net/npm/{name}@{version}/{path}",
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _urls(name: str, version: str, tar_path: str) -> list[str]:
    rel = tar_path.removeprefix("package/")
    urls = [c.format(name=name, version=version, path=rel) for c in CDNS]
    if rel.endswith(".js") and not rel.endswith(".min.js"):  # folium links the .min variants
        urls += [c.format(name=name, version=version, path=rel[:-3] + ".min.js") for c in CDNS]
    return urls


def _licence_file(pin: dict) -> str:
    """Where the pin's licence text is vendored (``LICENSE``, ``LICENSE.txt``, ``license.txt``)."""
    return next(
        r for t, r in pin["files"].items() if t.rsplit("/", 1)[-1].lower().startswith("license")
    )


def refresh(dest: Path) -> list[dict]:
    """Fetch every pin into *dest* and return the manifest entries."""
    entries: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for pin in PINS:
            spec = f"{pin['name']}@{pin['version']}"
            out = subprocess.run(
                ["npm", "pack", spec, "--json"], cwd=tmp, check=True, capture_output=True, text=True
            )
            info = json.loads(out.stdout)[0]
            tgz = Path(tmp) / info["filename"]
            with tarfile.open(tgz) as tar:
                tar.extractall(Path(tmp) / pin["name"], filter="data")
            tarball = f"https://registry.npmjs.org/{pin['name']}/-/{pin['name'].split('/')[-1]}-{pin['version']}.tgz"
            for tar_path, rel in sorted(pin["files"].items()):
                src = Path(tmp) / pin["name"] / tar_path
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                entries.append(
                    {
                        "name": pin["name"],
                        "version": pin["version"],
                        "file": rel,
                        "sha256": _sha256(target),
                        "licence": pin["licence"],
                        "licence_file": _licence_file(pin),
                        "source": f"{tarball}#{tar_path}",
                        "integrity": info.get("integrity", ""),
                        "urls": _urls(pin["name"], pin["version"], tar_path)
                        + pin.get("urls", {}).get(tar_path, []),
                    }
                )
    return sorted(entries, key=lambda e: e["file"])


def check(dest: Path) -> int:
    """Verify the vendored files against the manifest; return the number of mismatches."""
    manifest = json.loads((dest / "MANIFEST.json").read_text(encoding="utf-8"))
    bad = 0
    for e in manifest["assets"]:
        path = dest / e["file"]
        if not path.is_file() or _sha256(path) != e["sha256"]:
            print(f"MISMATCH {e['file']}", file=sys.stderr)
            bad += 1
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the vendored files")
    parser.add_argument("--dest", type=Path, default=ASSETS)
    args = parser.parse_args()
    if args.check:
        return 1 if check(args.dest) else 0
    entries = refresh(args.dest)
    manifest = {
        "comment": "Vendored front-end assets of the HTML maps; refresh with layers/scripts/refresh_assets.py, never at build time.",
        "assets": entries,
    }
    (args.dest / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(entries)} assets to {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
