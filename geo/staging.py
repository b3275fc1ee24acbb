"""The output folder, written safely: a lock, a hidden staging folder, an atomic swap.

:func:`staged` is the only way the build writes ``--out``:

* a lock (``.<name>.lock`` beside the folder, :func:`fcntl.flock`) so a second
  build to the same folder is refused while the first runs;
* the staging folder ``.<name>.<random>.tmp`` beside it, created with the
  permissions the umask gives (not 0700), so a colleague on a shared drive can
  open the atlas; staging folders left by a killed build are removed by the
  next build to the same place (the lock says none is running);
* SIGTERM turns into a normal exit while it runs, so the staging folder is
  removed as on any other failure;
* the folder appears only when complete: an existing one is moved aside,
  replaced, and removed after; a full disk or a read-only folder is one line
  and the previous atlas stays as it was.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from geo.errors import AtlasError, OutputError, OutputExistsError

__all__ = ["check_out", "staged"]

log = logging.getLogger(__name__)


def check_out(out: Path, overwrite: bool) -> None:
    """Refuse an *out* that exists (without *overwrite*), is a file, or holds the current folder.

    A folder that cannot be written (read-only file system, no permission) is refused here
    too, before any work, in the words of the refusal while writing.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in str(out)):
        msg = (
            f"{str(out)!r}: the output path holds a control character (a newline, a tab); "
            "choose a name without them for --out"
        )
        raise OutputError(msg)
    try:
        exists = out.exists()
    except OSError as exc:  # a name too long for the file system, a loop of links
        raise OutputError(_os_message(out, exc)) from None
    if exists and not out.is_dir():
        msg = f"{out}: exists and is not a folder; choose another --out"
        raise OutputExistsError(msg)
    if exists and not overwrite:
        msg = f"{out}: output folder exists; pass --overwrite to replace it"
        raise OutputExistsError(msg)
    if out.resolve() in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
        msg = f"{out}: is the current folder or holds it; choose a new folder for --out"
        raise OutputExistsError(msg)
    _check_writable(out)


def _check_writable(out: Path) -> None:
    """Refuse *out* when the folder that will hold it (or its nearest existing folder) is not writable.

    The build writes a lock and its staging folder beside *out* and renames them: it needs
    to write and enter that folder.
    """
    holder = out.absolute().parent
    while not holder.exists() and holder != holder.parent:
        holder = holder.parent
    if not holder.is_dir() or os.access(holder, os.W_OK | os.X_OK):
        return  # a file in the way is named by _parent
    try:
        read_only = bool(os.statvfs(holder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    code = errno.EROFS if read_only else errno.EACCES
    raise OutputError(_os_message(out, OSError(code, os.strerror(code)))) from None


def _parent(out: Path) -> Path:
    """The folder that will hold *out*, created; a file in the way is one line."""
    parent = out.parent
    for p in (parent, *parent.parents):
        if p.exists() and not p.is_dir():
            msg = f"{out}: {p} is a file, not a folder; choose another --out"
            raise OutputError(msg)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(_os_message(out, exc)) from None
    return parent


_WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EACCES: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "a file name is too long for the file system",
    errno.EFBIG: "a file is larger than the file-size limit",
}
"""File-system refusals while writing, said in a few words."""


_FIX = "free space, or choose a folder you can write"

_FIXES = {
    errno.EACCES: "choose a folder you can write",
    errno.EROFS: "choose a folder you can write",
    errno.ENAMETOOLONG: "choose a shorter --out",
}
"""The fix where it is not the general one (:data:`_FIX`)."""


def _storage_limit(tmp: Path) -> str | None:
    """Why writing into *tmp* may have failed: a full disk or the file-size limit, else None."""
    import resource

    try:
        if shutil.disk_usage(tmp).free < 16 * 2**20:
            return "the disk is full"
        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    except OSError:
        return None
    if soft != resource.RLIM_INFINITY:
        sizes = [p.stat().st_size for p in tmp.rglob("*") if p.is_file()]
        if sizes and max(sizes) >= soft * 0.9:
            return _size_limit()
    return None


def _size_limit() -> str:
    """The file-size limit reached, in words."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return f"a file reached the file-size limit of {soft:,} bytes (ulimit -f)"


@contextlib.contextmanager
def _watch_file_size() -> Iterator[list[int]]:
    """Record SIGXFSZ while the build writes: a write reached the file-size limit (``ulimit -f``).

    Python ignores the signal (the write fails with EFBIG instead of killing the process);
    a handler keeps that behaviour and tells the refusal the cause for certain, whatever
    the writer left behind (a writer removes its half-written file before the error arrives).
    """
    hits: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        hits.append(signum)

    try:
        previous = signal.signal(signal.SIGXFSZ, handler)
    except (ValueError, AttributeError):  # not the main thread, or no such signal
        yield hits
        return
    try:
        yield hits
    finally:
        signal.signal(signal.SIGXFSZ, previous)


def _refusal(out: Path, tmp: Path, exc: Exception, *, size_limit_hit: bool) -> str | None:
    """The one line for a failure while writing *tmp*, or None when it is not the storage's.

    An OSError with a file-system errno is said by its errno; any other error (GDAL's,
    SQLite's, rasterio's ``RasterioIOError``, an OSError without errno) is said as the
    file-size limit when a write reached it (SIGXFSZ), or as a full disk when the disk is.
    """
    if size_limit_hit:
        why: str | None = _size_limit()
    elif isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
        return _os_message(out, exc)
    else:
        why = _storage_limit(tmp)
    if why is None:
        return None
    return f"{out}: cannot write the atlas ({why}); nothing was changed there: {_FIX}"


def _os_message(out: Path, exc: OSError) -> str:
    """One line for a file-system failure while writing *out*."""
    why = _WRITE_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    fix = _FIXES.get(exc.errno or 0, _FIX)
    return f"{out}: cannot write the atlas ({why}); nothing was changed there: {fix}"


@contextlib.contextmanager
def _lock(parent: Path, name: str) -> Iterator[None]:
    path = parent / f".{name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(_os_message(parent / name, exc)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"{parent / name}: another build is writing this folder; wait for it to finish"
            raise OutputExistsError(msg) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)


def _remove_stale(parent: Path, name: str) -> None:
    """Staging folders of a killed build to the same place (none runs: we hold the lock)."""
    for stale in sorted(parent.glob(f".{name}.*.tmp")) + sorted(parent.glob(f".{name}.old-*")):
        if stale.is_dir():
            log.info("removing %s, left by a build that was killed", stale)
            shutil.rmtree(stale, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While the build runs, SIGTERM raises SystemExit (clean-up runs) instead of killing it."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


@contextlib.contextmanager
def staged(out: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield the staging folder of *out*; on success it becomes *out*, else it is removed.

    Raises
    ------
    OutputExistsError
        *out* exists (without *overwrite*), is a file, holds the current folder, or
        another build is writing it.
    OutputError
        The file system refuses (full disk, read-only, permission, name too long).
    """
    check_out(out, overwrite)
    parent = _parent(out)
    with _lock(parent, out.name), _sigterm_exits(), _watch_file_size() as too_large:
        check_out(out, overwrite)  # a build that just finished may have made it
        _remove_stale(parent, out.name)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
        except OSError as exc:
            raise OutputError(_os_message(out, exc)) from None
        try:
            tmp.chmod(0o777 & ~_umask())
            yield tmp
            _swap_into_place(tmp, out)
        except AtlasError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        except Exception as exc:  # the file system's or a GDAL writer's error, said plainly
            msg = _refusal(out, tmp, exc, size_limit_hit=bool(too_large))
            shutil.rmtree(tmp, ignore_errors=True)
            if msg is None:
                raise
            raise OutputError(msg) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


@contextlib.contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A folder beside *out*'s staging folder for a build's intermediate results, removed after.

    Named like a staging folder (``.<name>.<random>.scratch.tmp``), so one left by a
    killed build is removed by the next build to the same place; SIGTERM removes it.
    """
    try:
        path = Path(
            tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".scratch.tmp", dir=_parent(out))
        )
    except OSError as exc:
        raise OutputError(_os_message(out, exc)) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
