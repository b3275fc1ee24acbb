"""The dispersion field of the pollution theme, computed in chunks of the grid.

Every chunk sums every sub-source of the area on its own cells
(:func:`geo.models.dispersion.ground_field` on the chunk's cell centres), for every
wind case, and keeps per pollutant the maximum one-time concentration, the
``Σ C/MPC`` index (its maximum over wind cases and its wind-rose weighting) and the
evaluations per cell. The model's value at a cell depends on the cell alone, so the
chunks, their size and the scheduler running them (:mod:`geo.chunks`) never change a
bit of the result, and a plume crossing a chunk boundary is the plume of the whole
grid. Cells outside every town's window (:mod:`geo.themes.pollution.windows`) are not
modelled: NaN, and no evaluation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from geo.chunks import Execution, chunk_side, grid_array, grid_each
from geo.cost import chunk_cell_bytes
from geo.grid import AnalysisGrid
from geo.models.dispersion import GroundField, ground_field
from geo.themes.pollution.settings import PollutionSettings
from geo.themes.pollution.sources import Releases
from geo.themes.pollution.windows import Window

__all__ = ["PollutionField", "dispersion_field"]

STEP = "pollution: dispersion"
"""The step's name on the progress bar and in errors."""


@dataclass(frozen=True)
class PollutionField:
    """The theme's field on the whole grid.

    Each array is a float64 numpy array, or on a large grid a stored array
    (:func:`geo.chunks.grid_array`) read by windows.

    Attributes
    ----------
    max : tuple of arrays (rows, cols), one per pollutant
        Maximum one-time concentration (mg/m³); NaN outside the windows.
    index_max, index_rose : array (rows, cols)
        The ``Σ C/MPC`` index: maximum over wind cases, wind-rose weighted.
    speeds : tuple of float
        Wind speeds scanned (the dangerous speed of the group included).
    evaluations : int
        Sub-source × cell × wind-case evaluations inside the plumes.
    chunk_size : int
        Cells per side of the chunks it was computed in (the whole grid in memory: its
        larger side).
    """

    max: tuple[np.ndarray, ...]
    index_max: np.ndarray
    index_rose: np.ndarray
    speeds: tuple[float, ...]
    evaluations: int
    chunk_size: int


def _ground(
    xc: np.ndarray, yc: np.ndarray, rel: Releases, s: PollutionSettings, cell_size: float
) -> GroundField:
    """The model on the cells with centres *xc* × *yc*."""
    return ground_field(
        xc, yc, rel.stacks, rel.rates, rel.settling, s.wind, A=s.A, eta=s.eta, method=s.method,
        index_weights=s.index_weights, add_dangerous_speed=s.add_dangerous_speed,
        s2_floor=s.s2_floor, coefficients=s.coefficients, max_distance=s.max_distance,
        dtype=s.dtype, cell_size=cell_size,
    )  # fmt: skip


def _chunk(
    rows: slice,
    cols: slice,
    *,
    xs: np.ndarray,
    ys: np.ndarray,
    windows: tuple[Window, ...],
    rel: Releases,
    s: PollutionSettings,
    cell_size: float,
) -> np.ndarray:
    """``(pollutants + 3, rows, cols)`` of one chunk: maxima, the two indices, evaluations."""
    npol = len(s.pollutants)
    h, w = rows.stop - rows.start, cols.stop - cols.start
    out = np.full((npol + 3, h, w), np.nan)
    out[npol + 2] = 0.0
    for wr, wc in windows:
        r0, r1 = max(rows.start, wr.start), min(rows.stop, wr.stop)
        c0, c1 = max(cols.start, wc.start), min(cols.stop, wc.stop)
        if r1 <= r0 or c1 <= c0:
            continue
        f = _ground(xs[c0:c1], ys[r0:r1], rel, s, cell_size)
        assert f.index_max is not None and f.index_rose is not None
        assert f.cell_evaluations is not None
        at = (slice(r0 - rows.start, r1 - rows.start), slice(c0 - cols.start, c1 - cols.start))
        out[(slice(0, npol), *at)] = f.max
        out[(npol, *at)] = f.index_max
        out[(npol + 1, *at)] = f.index_rose
        out[(npol + 2, *at)] = f.cell_evaluations
    return out


def dispersion_field(
    grid: AnalysisGrid,
    windows: list[Window],
    rel: Releases,
    s: PollutionSettings,
    execution: Execution | None,
) -> PollutionField:
    """Every sub-source summed on the cells of the windows, in chunks on *execution*.

    Without an *execution* the whole grid is computed at once in this process (the
    in-memory path); the bytes are the same.
    """
    x_row, y_col = grid.cell_axes()  # never the whole grid's centres: 16 B a cell
    probe = _ground(x_row[:1], y_col[:0], rel, s, grid.cell_size)  # checks the sources here
    npol = len(s.pollutants)
    kernel = functools.partial(
        _chunk, xs=x_row, ys=y_col, windows=tuple(windows), rel=rel, s=s, cell_size=grid.cell_size
    )
    per_cell = chunk_cell_bytes("pollution", pollutants=npol)
    size = chunk_side(execution, grid.shape, cell_bytes=per_cell, what=STEP)
    out = _Field(grid.shape, npol, execution)
    grid_each(kernel, grid.shape, npol + 3, execution, out.put, step=STEP, chunk_size=size)
    return PollutionField(
        max=tuple(out.max),
        index_max=out.index_max,
        index_rose=out.index_rose,
        speeds=probe.speeds,
        evaluations=out.evaluations,
        chunk_size=size,
    )


class _Field:
    """The field's layers on the whole grid (numpy, or stored on a large grid), filled by chunks."""

    def __init__(self, shape: tuple[int, int], pollutants: int, execution: Execution | None):
        self.max = [grid_array(shape, "float64", execution) for _ in range(pollutants)]
        self.index_max = grid_array(shape, "float64", execution)
        self.index_rose = grid_array(shape, "float64", execution)
        self.evaluations = 0

    def put(self, where: tuple[slice, ...], block: np.ndarray) -> None:
        """One chunk's ``(pollutants + 3, rows, cols)`` (see :func:`_chunk`) into the layers."""
        at = where[1:]
        n = len(self.max)
        for j, layer in enumerate(self.max):
            layer[at] = block[j]
        self.index_max[at] = block[n]
        self.index_rose[at] = block[n + 1]
        self.evaluations += int(block[n + 2].sum())
