"""Exceptions and warnings of the atlas: one root, mixed with built-ins.

Every error a user can cause carries a one-line message that names the file,
layer, recipe line or field at fault and says how to fix it. The CLI prints
that line and exits with code 2; it never shows a traceback for these.
"""

from __future__ import annotations

__all__ = [
    "AtlasError",
    "AtlasWarning",
    "CRSError",
    "ChunkError",
    "DataError",
    "FetchCacheError",
    "FetchConnectionError",
    "FetchError",
    "FetchGarbageError",
    "FetchServerError",
    "FetchTooLargeError",
    "GeometryError",
    "IndicatorError",
    "InputError",
    "LayerNotFoundError",
    "OutputError",
    "OutputExistsError",
    "RecipeError",
    "RepairWarning",
    "ResourceError",
    "SchedulerError",
]


class AtlasError(Exception):
    """Root of every error raised by the atlas."""


class InputError(AtlasError, ValueError):
    """Bad input from the user: a file, a layer, a recipe, a parameter.

    The message is a single line naming the culprit and the fix.
    """


class DataError(InputError):
    """A data file is unreadable, empty, truncated or has the wrong content."""


class CRSError(DataError):
    """A layer has no CRS, or a CRS that cannot be used as asked."""


class GeometryError(DataError):
    """Wrong geometry type, or invalid geometries that cannot be repaired safely."""


class LayerNotFoundError(InputError, KeyError):
    """A layer id is not in the catalog."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RecipeError(InputError):
    """A map recipe (``maps/*.toml``) is malformed or inconsistent."""


class IndicatorError(InputError):
    """An indicator table breaks its schema (unknown unit name, share out of range...)."""


class OutputError(InputError):
    """The output folder cannot be written (full disk, read-only, permission, a file in the way)."""


class OutputExistsError(InputError):
    """The output exists and ``--overwrite`` was not given."""


class ResourceError(InputError):
    """The build would not fit in the memory available; the message gives a cell size that fits."""


class SchedulerError(InputError):
    """``--scheduler`` names no scheduler, or the dask scheduler at its address does not answer."""


class ChunkError(AtlasError):
    """A step computed in chunks stopped (a dask worker died or left); the message names the step.

    Nothing of the build is written: the output folder stays as it was.
    """


class FetchError(InputError):
    """A download of real data failed; the cache is left as it was before the fetch.

    The message names the source and its URL, what failed, and the fix.
    """


class FetchConnectionError(FetchError):
    """A source cannot be reached (no internet, DNS, refused) or did not answer in time."""


class FetchServerError(FetchError):
    """A source answered with an error (an HTTP error status, an Overpass runtime error)."""


class FetchGarbageError(FetchError):
    """A source answered with something that is not what it serves (not JSON, not a raster)."""


class FetchTooLargeError(FetchError):
    """The area is larger than a source may be asked for at once; the limit is in the message."""


class FetchCacheError(FetchError):
    """The cache folder is missing, inconsistent or lacks a layer asked for (``--offline``)."""


class AtlasWarning(UserWarning):
    """Root of the atlas's warnings."""


class RepairWarning(AtlasWarning):
    """Input was repaired (e.g. invalid geometries made valid); the count is in the message."""
