"""Make an HTML page self-contained: inline scripts, stylesheets and images.

The front-end assets (Leaflet and its plugins) are vendored under
``geo/assets/`` and pinned in ``geo/assets/MANIFEST.json`` with version,
sha256, licence and the npm tarball they came from (refreshed by
``layers/scripts/refresh_assets.py``, never at build time).

:func:`inline_assets` replaces every ``<script src=URL>`` and
``<link rel="stylesheet" href=URL>`` whose URL the manifest knows (the CDN
URLs folium and friends use, or ``asset:NAME/FILE``) with the file's content,
and rewrites CSS ``url(...)`` references to ``data:`` URIs.
:func:`check_offline` then fails the build if anything remote is left.

Folium's own answer to offline use is "out of scope" (folium #351, #1368) and
branca's ``embedded=True`` is broken in 0.8.2, hence this small inliner.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import AtlasError

__all__ = [
    "Asset",
    "AssetManifest",
    "OfflineAssetError",
    "check_offline",
    "inline_assets",
    "json_for_script",
    "load_manifest",
]


def json_for_script(obj: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``.

    Examples
    --------
    >>> print(json_for_script({"t": "</script>"}))
    {"t":"\\u003c/script\\u003e"}
    """
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
"""The vendored assets shipped as package data (``geo/assets``)."""


class OfflineAssetError(AtlasError):
    """A page would load something from the network, or a vendored asset is missing/altered."""


@dataclass(frozen=True)
class Asset:
    """One vendored file, as recorded in ``MANIFEST.json``."""

    name: str
    version: str
    file: str
    sha256: str
    licence: str
    licence_file: str
    source: str
    urls: tuple[str, ...]


class AssetManifest:
    """The vendored assets, looked up by file or by any of their known URLs.

    Parameters
    ----------
    root : Path
        Folder holding ``MANIFEST.json`` and the files.
    entries : list of dict
        The manifest's ``assets`` list.
    """

    def __init__(self, root: Path, entries: list[dict[str, Any]]) -> None:
        self.root = root
        self.assets: dict[str, Asset] = {}
        self._by_url: dict[str, Asset] = {}
        for e in entries:
            asset = Asset(
                name=e["name"],
                version=e["version"],
                file=e["file"],
                sha256=e["sha256"],
                licence=e["licence"],
                licence_file=e["licence_file"],
                source=e["source"],
                urls=tuple(e.get("urls", ())),
            )
            self.assets[asset.file] = asset
            self._by_url[f"asset:{asset.file}"] = asset
            for url in asset.urls:
                self._by_url[url] = asset

    def lookup(self, url: str) -> Asset | None:
        """The asset served at *url* (CDN URL or ``asset:FILE``), or None."""
        return self._by_url.get(url.strip())

    @functools.lru_cache(maxsize=64)  # noqa: B019 - the manifest lives for the process
    def read(self, file: str) -> bytes:
        """Bytes of a vendored file, checked against its sha256.

        Raises
        ------
        OfflineAssetError
            If the file is not in the manifest, missing, or altered.
        """
        asset = self.assets.get(file)
        if asset is None:
            msg = f"asset {file!r} is not in geo/assets/MANIFEST.json; add it with layers/scripts/refresh_assets.py"
            raise OfflineAssetError(msg)
        path = self.root / file
        try:
            data = path.read_bytes()
        except OSError:
            msg = f"vendored asset {path} is missing; reinstall the package or run layers/scripts/refresh_assets.py"
            raise OfflineAssetError(msg) from None
        if hashlib.sha256(data).hexdigest() != asset.sha256:
            msg = f"vendored asset {path} does not match its sha256 in MANIFEST.json; restore it with layers/scripts/refresh_assets.py"
            raise OfflineAssetError(msg)
        return data

    def data_uri(self, file: str) -> str:
        """The file as a base64 ``data:`` URI."""
        mime = _mime(file)
        return f"data:{mime};base64,{base64.b64encode(self.read(file)).decode('ascii')}"

    def licences(self, files: list[str]) -> list[Asset]:
        """Distinct packages (one asset each) among *files*, for credits."""
        seen: dict[str, Asset] = {}
        for f in files:
            a = self.assets[f]
            seen.setdefault(a.name, a)
        return [seen[k] for k in sorted(seen)]


def _mime(file: str) -> str:
    if file.endswith(".svg"):
        return "image/svg+xml"
    guess, _ = mimetypes.guess_type(file)
    return guess or "application/octet-stream"


@functools.cache
def load_manifest() -> AssetManifest:
    """The manifest of the assets shipped in the package (``geo/assets``)."""
    root = ASSETS_DIR
    try:
        doc = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"cannot read {root / 'MANIFEST.json'} ({exc}); reinstall the package"
        raise OfflineAssetError(msg) from None
    return AssetManifest(root, doc["assets"])


_SCRIPT_SRC = re.compile(
    r"""<script\b(?P<attrs>[^>]*?)\bsrc\s*=\s*(?P<q>["']?)(?P<url>[^"'\s>]+)(?P=q)(?P<rest>[^>]*)>\s*</script\s*>""",
    re.IGNORECASE,
)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(["']?)([^"'\s>]+)\1""", re.IGNORECASE)
_REL = re.compile(r"""\brel\s*=\s*(["']?)([^"'>]+)\1""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^)"']*)\1\s*\)""", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTR = re.compile(r"""\bstyle\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_SRC_ATTR = re.compile(
    r"""<(img|iframe|audio|video|source|embed|input|track)\b[^>]*?\bsrc\s*=\s*(["']?)([^"'\s>]+)\2""",
    re.IGNORECASE,
)


def _local_ref(url: str) -> bool:
    """True for references that never leave the page (data URIs, fragments)."""
    u = url.strip().lower()
    return u.startswith(("data:", "#", "about:blank")) or u == ""


def _inline_css(css: str, base_file: str, manifest: AssetManifest) -> str:
    """Rewrite ``url(...)`` in *css* (from asset *base_file*) to data URIs."""
    base_dir = posixpath.dirname(base_file)

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if _local_ref(ref):
            return m.group(0)
        asset = manifest.lookup(ref)
        file = asset.file if asset else posixpath.normpath(posixpath.join(base_dir, ref))
        if file not in manifest.assets:
            msg = f"{base_file} references {ref!r}, which is not vendored; add it to layers/scripts/refresh_assets.py"
            raise OfflineAssetError(msg)
        return f'url("{manifest.data_uri(file)}")'

    return _CSS_URL.sub(repl, css)


def _safe_script(js: str) -> str:
    # "</script" inside a script body would end it early; "<\/script" means the same in JS.
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def inline_assets(html: str, manifest: AssetManifest | None = None) -> tuple[str, list[str]]:
    """Replace known remote scripts and stylesheets in *html* by their content.

    Parameters
    ----------
    html : str
        A rendered page (ours, or folium's).
    manifest : AssetManifest, optional
        The vendored assets; the package's by default.

    Returns
    -------
    html : str
        The page with ``<script>``/``<style>`` blocks in place of the links.
    used : list of str
        Asset files inlined (for the credits).

    Raises
    ------
    OfflineAssetError
        If a script or stylesheet URL is not vendored.
    """
    manifest = manifest or load_manifest()
    used: list[str] = []

    def script(m: re.Match[str]) -> str:
        url = m.group("url")
        if url.lower().startswith("data:"):
            return m.group(0)
        asset = manifest.lookup(url)
        if asset is None:
            msg = f"script {url!r} is not vendored; add it to layers/scripts/refresh_assets.py or drop it from the page"
            raise OfflineAssetError(msg)
        used.append(asset.file)
        js = manifest.read(asset.file).decode("utf-8")
        return f"<script>/* {asset.name} {asset.version} ({asset.licence}) */\n{_safe_script(js)}\n</script>"

    def link(m: re.Match[str]) -> str:
        tag = m.group(0)
        rel = _REL.search(tag)
        href = _HREF.search(tag)
        if not href or not rel or "stylesheet" not in rel.group(2).lower():
            return tag
        url = href.group(2)
        if url.lower().startswith("data:"):
            return tag
        asset = manifest.lookup(url)
        if asset is None:
            msg = f"stylesheet {url!r} is not vendored; add it to layers/scripts/refresh_assets.py or drop it from the page"
            raise OfflineAssetError(msg)
        used.append(asset.file)
        css = _inline_css(manifest.read(asset.file).decode("utf-8"), asset.file, manifest)
        css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
        return f"<style>/* {asset.name} {asset.version} ({asset.licence}) */\n{css}\n</style>"

    html = _SCRIPT_SRC.sub(script, html)
    html = _LINK.sub(link, html)
    return html, used


def check_offline(html: str, *, where: str = "page") -> None:
    """Fail if *html* would fetch anything: script src, link href, src attributes or CSS url().

    Inline script bodies are not scanned for markup (a string in JavaScript is
    not a tag); CSS in ``<style>`` blocks and ``style`` attributes is.

    Raises
    ------
    OfflineAssetError
        Naming the first offending reference.
    """
    markup = _INLINE_SCRIPT.sub(
        lambda m: m.group(0) if re.match(r"<script\b[^>]*\bsrc\s*=", m.group(0), re.I) else "",
        html,
    )
    problems: list[str] = []
    for m in re.finditer(r"<script\b[^>]*\bsrc\s*=\s*([\"']?)([^\"'\s>]+)\1", markup, re.I):
        if not m.group(2).lower().startswith("data:"):
            problems.append(f"<script src={m.group(2)!r}>")
    for m in _LINK.finditer(markup):
        href = _HREF.search(m.group(0))
        if href and not _local_ref(href.group(2)):
            problems.append(f"<link href={href.group(2)!r}>")
    for m in _SRC_ATTR.finditer(markup):
        if not _local_ref(m.group(3)):
            problems.append(f"<{m.group(1)} src={m.group(3)!r}>")
    css_chunks = [m.group(1) for m in _STYLE_BLOCK.finditer(markup)]
    css_chunks += [m.group(2) for m in _STYLE_ATTR.finditer(markup)]
    for css in css_chunks:
        for m in _CSS_URL.finditer(css):
            if not _local_ref(m.group(2)):
                problems.append(f"CSS url({m.group(2)[:80]!r})")
        for m in re.finditer(r"@import\s+([^;]+);", css, re.I):
            problems.append(f"CSS @import {m.group(1)[:80]!r}")
    if problems:
        msg = (
            f"{where} is not self-contained: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            + "; vendor the asset in geo/assets (layers/scripts/refresh_assets.py) or remove the reference"
        )
        raise OfflineAssetError(msg)
