"""A folder the build cannot write: one line, exit 2, the old atlas byte for byte, nothing left.

The real case runs the command in a subprocess that cannot override file permissions:
as root, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER are dropped from its
capability bounding set before it starts (so root obeys the folder's mode, like anyone
else); as another user the folder's mode applies already. Failures later in the build
(the staging folder, the swap) are simulated at the lowest call :mod:`geo.staging` makes.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.errors import OutputError
from geo.staging import staged

REPO = Path(__file__).resolve().parents[1]
PR_CAPBSET_DROP = 24
OVERRIDES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _drop_overrides() -> None:  # runs in the child, before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _unprivileged() -> Callable[[], None] | None:
    """A preexec_fn that makes the child obey file modes (None: it does already)."""
    return _drop_overrides if os.geteuid() == 0 else None


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "/"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def read_only(tmp_path: Path):
    """A folder (mode 0555) holding an old atlas; skip where permissions cannot be made to bite."""
    shared = tmp_path / "shared"
    old = shared / "atlas"
    (old / "rasters").mkdir(parents=True)
    (old / "index.html").write_text("<p>old atlas</p>", encoding="utf-8")
    (old / "rasters" / "a.tif").write_bytes(b"II*\0" + bytes(range(256)))
    shared.chmod(0o555)
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(shared / 'probe')!r}, 'w')"],
        preexec_fn=_unprivileged(),
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        shared.chmod(0o755)
        pytest.skip("this process cannot give up overriding file permissions (CAP_SETPCAP missing)")
    yield shared
    shared.chmod(0o755)


def _geo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", *args],
        cwd=REPO,
        preexec_fn=_unprivileged(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["map", "maps/pollution.toml"],
        ["map", "maps/infrastructure_wear.toml", "--town", "Shu"],
        ["build"],
    ],
)
def test_a_read_only_folder_is_one_line_before_any_work(read_only: Path, command) -> None:
    out = read_only / "atlas"
    before = _snapshot(read_only)
    r = _geo(*command, "--out", str(out), "--overwrite")
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        f"error: {out}: cannot write the atlas (permission denied); nothing was changed there: "
        "choose a folder you can write\n"
    )
    assert r.stdout == ""
    assert _snapshot(read_only) == before  # the old atlas byte for byte; no lock, no staging


def test_a_new_folder_under_a_read_only_one_is_refused_and_nothing_is_made(read_only: Path):
    out = read_only / "new" / "deeper" / "atlas"
    before = _snapshot(read_only)
    r = _geo("map", "maps/pollution.toml", "--out", str(out), "-q")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "cannot write the atlas (permission denied)" in r.stderr and "Traceback" not in r.stderr
    assert _snapshot(read_only) == before


# -- later in the build: the lowest calls of geo.staging fail ---------------------------------


def _old_atlas(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    return out, _snapshot(tmp_path)


def _refused(out: Path, why: str) -> str:
    return f"{out}: cannot write the atlas ({why}); nothing was changed there"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is exceeded"),
    ],
)
def test_the_swap_refused_leaves_the_old_atlas_and_no_staging(
    tmp_path: Path, monkeypatch, code: int, why: str
) -> None:
    out, before = _old_atlas(tmp_path)
    real = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(dst)) == out or Path(str(src)) == out:
            raise OSError(code, os.strerror(code), str(src))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OutputError) as exc, staged(out, overwrite=True) as tmp:
        (tmp / "index.html").write_text("new", encoding="utf-8")
    assert str(exc.value).startswith(_refused(out, why)) and "\n" not in str(exc.value)
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_the_new_atlas_refused_after_the_old_moved_aside_puts_the_old_back(
    tmp_path: Path, monkeypatch
) -> None:
    out, before = _old_atlas(tmp_path)
    real = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(dst)) == out and Path(str(src)).name.endswith(".tmp"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(src))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", rename)
    with (
        pytest.raises(OutputError, match="the file system is read-only"),
        staged(out, overwrite=True) as tmp,
    ):
        (tmp / "index.html").write_text("new", encoding="utf-8")
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_a_staging_folder_refused_is_one_line(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    out, before = _old_atlas(tmp_path)

    def mkdtemp(**_kw: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(OutputError) as exc, staged(out, overwrite=True):
        pass  # pragma: no cover - refused before
    assert str(exc.value).startswith(_refused(out, "permission denied"))
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before
