"""What GDAL and libtiff print while a raster is written: held, then said or logged for -v."""

from __future__ import annotations

import errno
import logging
import os

import pytest

from geo.writers.cog import gdal_output


@pytest.fixture(autouse=True)
def _no_stale_handlers(monkeypatch) -> None:
    """The root handlers an earlier in-process command left on a closed stream are set aside."""
    root = logging.getLogger()
    kept = [h for h in root.handlers if type(h) is not logging.StreamHandler]
    monkeypatch.setattr(root, "handlers", kept)


def _say_like_gdal(line: bytes = b"_tiffWriteProc: File too large.") -> None:
    os.write(2, line + b"\n")  # libtiff, straight to the descriptor
    logging.getLogger("rasterio._env").warning("CPLE_AppDefined in x.tif: a strile")


def test_after_a_success_the_lines_are_said_as_before(caplog, capfd) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="geo")  # an earlier command in this process set it
    with gdal_output("x.tif"):
        _say_like_gdal(b"TIFFReadDirectory: Sum of Photometric type-related color channels.")
    assert capfd.readouterr().err == ""  # nothing reached the descriptor itself
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert got == [
        ("rasterio._env", logging.WARNING, "CPLE_AppDefined in x.tif: a strile"),
        (
            "geo.writers.cog",
            logging.WARNING,
            "GDAL, writing x.tif: TIFFReadDirectory: Sum of Photometric type-related color channels.",
        ),
    ]


def test_a_write_that_returns_but_printed_a_full_file_is_a_failure(caplog, capfd) -> None:
    """Compressing on several threads, GDAL prints libtiff's failed write and returns."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="geo")
    with pytest.raises(OSError) as exc, gdal_output("x.tif"):
        _say_like_gdal()
    assert exc.value.errno == errno.EFBIG and exc.value.filename == "x.tif"
    assert capfd.readouterr().err == ""
    infos = [r.getMessage() for r in caplog.records if r.name == "geo.writers.cog"]
    assert infos == ["GDAL, writing x.tif: CPLE_AppDefined in x.tif: a strile",
                     "GDAL, writing x.tif: _tiffWriteProc: File too large."]  # fmt: skip
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "geo.writers.cog")


def test_after_a_failure_they_are_info_for_v_and_the_cause_is_named(caplog, capfd) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="geo")  # an earlier command in this process set it
    with pytest.raises(OSError) as exc, gdal_output("x.tif"):
        _say_like_gdal()
        raise RuntimeError("TIFFAppendToStrip:Write error at scanline 640")
    assert exc.value.errno == errno.EFBIG and exc.value.filename == "x.tif"  # libtiff named it
    assert isinstance(exc.value.__cause__, RuntimeError)
    assert capfd.readouterr().err == ""
    assert [(r.name, r.levelno) for r in caplog.records] == [("geo.writers.cog", logging.INFO)] * 2
    assert "File too large" in caplog.records[1].getMessage()
    assert logging.getLogger("rasterio").propagate  # put back as found
    assert os.write(2, b"") == 0  # the descriptor is stderr again


@pytest.mark.parametrize(
    ("said", "code"),
    [
        (b"_tiffWriteProc: No space left on device.\n", errno.ENOSPC),
        (b"Disk quota exceeded\n", errno.EDQUOT),
        (b"", None),
    ],
)
def test_a_full_disk_named_by_gdal_becomes_its_errno(said: bytes, code: int | None) -> None:
    with pytest.raises((OSError, RuntimeError)) as exc, gdal_output("y.tif"):
        os.write(2, said)
        raise RuntimeError("Write failed")
    assert (exc.value.errno if isinstance(exc.value, OSError) else None) == code
