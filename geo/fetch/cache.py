"""The fetch folder: one file per layer and ``fetch.json``, the record of what each file is.

``fetch.json`` (:data:`geo.catalog.PROVENANCE_SIDECAR`) holds the area fetched and, per
layer id, its file, sha256, bytes, source URL and query, licence, attribution, the date
fetched, the feature count and whether it is synthetic or derived. Every file is written
to ``*.part`` and renamed into place, and the record is rewritten (the same way) after
each layer, so a fetch broken off anywhere leaves a folder whose record describes
exactly the files it holds; a layer whose file still has its recorded sha256 is not
fetched again.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from geo.catalog import PROVENANCE_SIDECAR, Catalog, file_sha256
from geo.errors import FetchCacheError, LayerNotFoundError

__all__ = [
    "FORMAT",
    "LOCK",
    "FetchRecord",
    "fetched_layers",
    "folder_lock",
    "read_record",
    "write_json_atomic",
]

FORMAT = 1
"""Version of the ``fetch.json`` layout."""

LOCK = ".fetch.lock"
"""The file a running fetch holds in its folder (its process id inside)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder for one fetch at a time; a lock left by a dead process is taken over.

    Raises
    ------
    FetchCacheError
        Another fetch, still running, holds the folder.
    """
    lock = folder / LOCK
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="utf-8").strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                msg = f"--out {folder}: another fetch (process {pid}) is writing it; wait for it to end"
                raise FetchCacheError(msg) from None
            lock.unlink(missing_ok=True)  # left by a fetch that was killed
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
        break
    else:  # pragma: no cover - another process took it between our two attempts
        msg = f"--out {folder}: another fetch is writing it; wait for it to end"
        raise FetchCacheError(msg)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def write_json_atomic(data: Mapping[str, Any], path: Path) -> None:
    """Write *data* as indented UTF-8 JSON to ``<stem>.part.json``, then rename it to *path*."""
    part = path.with_name(f"{path.stem}.part{path.suffix}")
    part.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    os.replace(part, path)


def read_record(folder: Path) -> dict[str, Any] | None:
    """The ``fetch.json`` of *folder*; None when there is none.

    Raises
    ------
    FetchCacheError
        The record is not JSON or not a fetch record.
    """
    path = folder / PROVENANCE_SIDECAR
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"{path}: not a readable fetch record ({exc}); delete it and fetch again with --overwrite"
        raise FetchCacheError(msg) from None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("layers"), dict)
    ):
        msg = f"{path}: not a fetch record of this version (format {FORMAT}); fetch again with --overwrite"
        raise FetchCacheError(msg)
    return data


class FetchRecord:
    """The record of one fetch folder, kept in step with its files."""

    def __init__(
        self, folder: Path, area: Mapping[str, Any], data: dict[str, Any] | None = None
    ) -> None:
        self.folder = folder
        self.data: dict[str, Any] = data or {"format": FORMAT, "area": dict(area), "layers": {}}
        self.data["area"] = dict(area)

    @property
    def layers(self) -> dict[str, dict[str, Any]]:
        """Layer id → its record."""
        layers: dict[str, dict[str, Any]] = self.data["layers"]
        return layers

    def valid(self, layer_id: str) -> bool:
        """True when the layer's file is there with the sha256 recorded (or OSM had nothing)."""
        rec = self.layers.get(layer_id)
        if not rec:
            return False
        if rec.get("file") is None:
            return rec.get("features") == 0
        path = self.folder / str(rec.get("file", ""))
        return path.is_file() and file_sha256(path) == rec.get("sha256")

    def put(self, layer_id: str, record: Mapping[str, Any]) -> None:
        """Record a layer whose file is in place, and write ``fetch.json``."""
        path = self.folder / str(record["file"])
        rec = dict(record)
        rec["sha256"] = file_sha256(path)
        rec["bytes"] = path.stat().st_size
        self.layers[layer_id] = rec
        self.save()

    def put_empty(self, layer_id: str, record: Mapping[str, Any]) -> None:
        """Record that the source holds nothing for a layer here (no file), and write ``fetch.json``."""
        self.layers[layer_id] = {**record, "file": None, "features": 0}
        self.save()

    def drop(self, layer_id: str) -> None:
        """Forget a layer (its file is stale or gone)."""
        if self.layers.pop(layer_id, None) is not None:
            self.save()

    def save(self) -> None:
        """Write ``fetch.json`` atomically."""
        write_json_atomic(self.data, self.folder / PROVENANCE_SIDECAR)


def fetched_layers(folder: str | Path, catalog: Catalog | None = None) -> dict[str, Path]:
    """The catalog layers a fetch folder provides: layer id → file (``geo build --data DIR``).

    Only layers the catalog knows are returned (land cover and soil rasters are kept for
    other uses). Every file must still have its recorded sha256.

    Raises
    ------
    FetchCacheError
        No such folder, no ``fetch.json``, or a file missing or changed since it was fetched.
    """
    root = Path(folder)
    if not root.is_dir():
        msg = f"--data {root}: no such folder; fetch one first with `geo fetch --out {root}`"
        raise FetchCacheError(msg)
    data = read_record(root)
    if data is None:
        msg = f"--data {root}: holds no {PROVENANCE_SIDECAR}; fetch into it with `geo fetch --out {root}`"
        raise FetchCacheError(msg)
    cat = catalog or Catalog()
    out: dict[str, Path] = {}
    for layer_id, rec in sorted(data["layers"].items()):
        try:
            cat.spec(layer_id)
        except LayerNotFoundError:
            continue
        if rec.get("file") is None:  # the source held nothing for it: the catalog's layer stays
            continue
        path = root / str(rec.get("file", ""))
        if not path.is_file():
            msg = f"--data {root}: {path.name} of layer {layer_id!r} is missing; fetch again (geo fetch --out {root})"
            raise FetchCacheError(msg)
        if file_sha256(path) != rec.get("sha256"):
            msg = (
                f"--data {root}: {path.name} of layer {layer_id!r} changed since it was fetched "
                f"(sha256 differs from {PROVENANCE_SIDECAR}); fetch again, or give it with --layer {layer_id}={path}"
            )
            raise FetchCacheError(msg)
        out[layer_id] = path
    if not out:
        msg = f"--data {root}: {PROVENANCE_SIDECAR} lists no catalog layer; fetch with --source osm or --source dem"
        raise FetchCacheError(msg)
    return out
