"""In-memory raster: an array with its georeferencing.

Models take and return :class:`Raster` (or plain arrays with an
:class:`~geo.grid.AnalysisGrid`); only the writers touch files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from affine import Affine
from pyproj import CRS

__all__ = ["Raster"]


@dataclass(frozen=True)
class Raster:
    """A single-band raster.

    Parameters
    ----------
    array : numpy.ndarray
        2-D values, row 0 at the top (north-up). Floating arrays use NaN for
        "no data"; integer arrays use :attr:`nodata`.
    transform : affine.Affine
        Maps (col, row) to (x, y) of the cell's upper-left corner.
    crs : pyproj.CRS
        Coordinate reference system of the transform.
    nodata : float or int, optional
        Value that marks missing cells in integer arrays.
    tags : dict, optional
        Free metadata (units, method, parameters) written into the file tags.
    """

    array: np.ndarray
    transform: Affine
    crs: CRS
    nodata: float | int | None = None
    tags: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.array.ndim != 2:
            msg = f"Raster needs a 2-D array, got shape {self.array.shape}"
            raise ValueError(msg)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return (int(self.array.shape[0]), int(self.array.shape[1]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in CRS units."""
        rows, cols = self.shape
        x0, y0 = self.transform * (0, 0)
        x1, y1 = self.transform * (cols, rows)
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    @property
    def res(self) -> tuple[float, float]:
        """Cell size (x, y), positive."""
        return (abs(self.transform.a), abs(self.transform.e))

    def valid_mask(self) -> np.ndarray:
        """Boolean array, True where the cell holds data."""
        a = self.array
        mask = np.isfinite(a) if np.issubdtype(a.dtype, np.floating) else np.ones(a.shape, bool)
        if self.nodata is not None and not (
            isinstance(self.nodata, float) and np.isnan(self.nodata)
        ):
            mask &= a != self.nodata
        return mask
