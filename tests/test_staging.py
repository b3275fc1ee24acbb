"""The output folder: a lock, permissions from the umask, clean-up after a kill, one-line refusals."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import OutputError, OutputExistsError
from geo.staging import staged


def test_the_folder_appears_whole_with_the_umask_permissions(tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    old = os.umask(0o022)
    try:
        with staged(out, overwrite=False) as tmp:
            (tmp / "index.html").write_text("x", encoding="utf-8")
            assert not out.exists()
    finally:
        os.umask(old)
    assert (out / "index.html").read_text(encoding="utf-8") == "x"
    assert out.stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]  # no lock or staging left


def test_a_failed_build_leaves_the_old_folder_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), staged(out, overwrite=True) as tmp:
        (tmp / "half.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("a writer failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]
    assert [p.name for p in out.iterdir()] == ["old.txt"]


def test_a_second_build_to_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    fd = os.open(tmp_path / ".atlas.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with (
            pytest.raises(OutputExistsError, match="another build is writing"),
            staged(out, overwrite=False),
        ):
            pass  # pragma: no cover - refused before
    finally:
        os.close(fd)
    assert not out.exists()


def test_staging_left_by_a_killed_build_is_removed_by_the_next(tmp_path: Path) -> None:
    stale = tmp_path / ".atlas.x1y2z3.tmp"
    stale.mkdir()
    (stale / "part.tif").write_bytes(b"\0" * 10)
    other = tmp_path / ".other.abc.tmp"  # another folder's staging is not ours to touch
    other.mkdir()
    with staged(tmp_path / "atlas", overwrite=False):
        pass
    assert not stale.exists() and other.exists()


@pytest.mark.parametrize(
    ("make_out", "message"),
    [
        (lambda p: Path("."), "is the current folder"),
        (lambda p: (p / "file.txt").write_text("x") and p / "file.txt" / "atlas", "is a file"),
        (lambda p: (p / "f").write_text("x") and p / "f", "is not a folder"),
    ],
)
def test_bad_output_paths_are_one_line(tmp_path: Path, make_out, message: str) -> None:
    with (
        pytest.raises((OutputError, OutputExistsError), match=message) as exc,
        staged(make_out(tmp_path), overwrite=True),
    ):
        pass  # pragma: no cover - refused before
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("after", [0.0, 1.5, 4.0])
def test_sigterm_removes_the_staging_folder_and_keeps_the_old_atlas(
    tmp_path: Path, after: float
) -> None:
    """Killed as staging starts, while the themes run, and while the writers write."""
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo.cli", "map", "maps/pollution.toml", "--out", str(out),
         "--overwrite", "-q"],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    with proc:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".atlas.*.tmp")) and time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the build ended before it staged anything: {proc.stderr!r}")
            time.sleep(0.05)
        time.sleep(after)
        if proc.poll() is not None:
            pytest.skip(f"the build finished within {after} s of staging: nothing to interrupt")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]
    assert [p.name for p in out.iterdir()] == ["old.txt"]


def test_a_crash_past_every_check_is_one_line_with_its_own_code(monkeypatch, capsys) -> None:
    from geo import cli

    def boom(*_a: object, **_k: object) -> None:
        raise KeyError("zone_id")

    monkeypatch.setattr("geo.build.build_atlas", boom)
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--out", "/nonexistent/x", "-q"])
    _out, err = capsys.readouterr()
    assert exc.value.code == cli.INTERNAL_ERROR == 3
    assert err.startswith("internal error: KeyError: 'zone_id' (a bug: run again with -v")
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(KeyError):  # -v: the traceback
        cli.main(["build", "--out", "/nonexistent/x", "-v"])


def _limited_build(
    out: Path, *flags: str, limit_bytes: int = 300_000
) -> subprocess.CompletedProcess[str]:
    """``geo map maps/pollution.toml --out OUT --overwrite FLAGS`` under ``ulimit -f``."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "geo.cli", "map", "maps/pollution.toml", "--out", str(out),
         "--overwrite", *flags],
        cwd=Path(__file__).resolve().parents[1],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "limit_bytes"),
    [
        ((), 300_000),  # a COG reaches it (GDAL's COG driver, libtiff)
        (("-q",), 300_000),
        ((), 1_300_000),  # the GeoPackage reaches it (SQLite under GDAL: RasterioIOError)
    ],
)
def test_a_file_size_limit_is_one_refusal_and_the_old_atlas_stays(
    tmp_path: Path, flags: tuple[str, ...], limit_bytes: int
) -> None:
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    r = _limited_build(out, *flags, limit_bytes=limit_bytes)
    assert r.returncode == 2, r.stderr
    # libtiff's own lines ("_tiffWriteProc: File too large.") and GDAL's warnings are held back
    assert r.stderr.startswith(
        f"error: {out}: cannot write the atlas (a file reached the file-size"
    )
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]
    assert [p.name for p in out.iterdir()] == ["old.txt"]


def test_gdals_own_lines_on_a_failed_write_are_shown_with_v(tmp_path: Path) -> None:
    r = _limited_build(tmp_path / "atlas", "-v")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.splitlines()
    assert lines[-1].startswith(f"error: {tmp_path / 'atlas'}: cannot write the atlas")
    gdal = [
        line for line in lines if line.startswith("INFO: GDAL, writing concentration_so2.tif: ")
    ]
    assert any("File too large" in line for line in gdal), r.stderr


def test_two_builds_to_one_new_folder_at_once_one_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    cmd = [sys.executable, "-m", "geo.cli", "map", "maps/pollution.toml", "--out", str(out), "-q"]
    cwd = Path(__file__).resolve().parents[1]
    with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as a:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".atlas.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.05)  # the first build holds the lock once it stages
        b = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        _out, err_a = a.communicate(timeout=120)
    assert a.returncode == 0, err_a
    assert b.returncode == 2 and len(b.stderr.strip().splitlines()) == 1
    assert "another build is writing this folder" in b.stderr or "output folder exists" in b.stderr
    assert (out / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]
