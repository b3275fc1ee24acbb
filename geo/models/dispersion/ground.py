"""The ground concentration field of many stacks on a grid, scanned over a wind rose.

:class:`Stacks` places the sources, :class:`WindRose` gives the wind
directions, their frequencies and the speeds to scan, and :func:`ground_field`
sums every source for each wind case and keeps, per cell, the maximum
one-time concentration (``max``) and the wind-rose-weighted mean of the
per-direction maxima (``rose``, a plume-frequency indicator, not an annual
mean) in a :class:`GroundField`.

Examples
--------
>>> WindRose.uniform(4).directions
(0.0, 90.0, 180.0, 270.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geo.errors import InputError
from geo.models.dispersion.coefficients import p_coefficient, r_coefficient
from geo.models.dispersion.kernel import _cone_columns, _s2_cut_t, _unit_kernel
from geo.models.dispersion.single import (
    DEFAULT_COEFFICIENTS,
    MaxConcentration,
    MethodCoefficients,
    _check_method,
    _fail,
    max_concentration,
)


@dataclass(frozen=True)
class Stacks:
    """Point sources placed in a projected CRS (metres), one value per source.

    Area sources are passed as several stacks (the pollution theme splits a
    footprint into equal sub-sources, :func:`geo.themes.pollution.split_area_sources`).
    ``cold`` marks sources taken at ``ΔT = 0`` (fugitive releases).
    """

    ids: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    height: np.ndarray
    diameter: np.ndarray
    velocity: np.ndarray
    gas_temp: np.ndarray
    air_temp: np.ndarray
    cold: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("x", "y", "height", "diameter", "velocity", "gas_temp", "air_temp", "cold"):
            arr = np.atleast_1d(np.asarray(getattr(self, name)))
            if arr.shape != (n,):
                msg = f"Stacks.{name} has shape {arr.shape}, expected ({n},)"
                raise ValueError(msg)
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class WindRose:
    """A wind rose: directions, their frequencies and the wind speeds to scan.

    Directions are the degrees the wind blows *from*, clockwise from north;
    frequencies sum to 1; speeds are in m/s.

    Raises
    ------
    InputError
        Frequencies not summing to 1 (±0.001), negative, or of another length
        than the directions; speeds not positive.
    """

    directions: tuple[float, ...]
    frequencies: tuple[float, ...]
    speeds: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.directions) == 0:
            msg = "wind rose: directions is empty; give e.g. 8 or 16 directions"
            raise InputError(msg)
        if len(self.frequencies) != len(self.directions):
            msg = (
                f"wind rose: {len(self.frequencies)} frequencies for {len(self.directions)} "
                "directions; give one frequency per direction"
            )
            raise InputError(msg)
        fr = np.asarray(self.frequencies, dtype="float64")
        if np.any(fr < 0) or not np.all(np.isfinite(fr)):
            msg = "wind rose: frequencies must be ≥ 0"
            raise InputError(msg)
        if abs(float(fr.sum()) - 1.0) > 1e-3:
            msg = f"wind rose: frequencies sum to {fr.sum():.4f}, not 1; rescale them"
            raise InputError(msg)
        sp = np.asarray(self.speeds, dtype="float64")
        if sp.size == 0 or np.any(sp <= 0) or not np.all(np.isfinite(sp)):
            msg = "wind rose: speeds must be a non-empty list of positive m/s values"
            raise InputError(msg)

    @classmethod
    def uniform(cls, n: int = 16, speeds: Sequence[float] = (0.5, 1.0, 2.0, 3.0)) -> WindRose:
        """``n`` equally frequent directions starting at north."""
        return cls(
            tuple(360.0 * i / n for i in range(n)),
            tuple([1.0 / n] * n),
            tuple(float(s) for s in speeds),
        )


@dataclass(frozen=True)
class GroundField:
    """Result of :func:`ground_field`.

    Attributes
    ----------
    max : ndarray (pollutants, rows, cols)
        Maximum one-time concentration (mg/m³): max over directions and speeds
        of the sum over sources.
    rose : ndarray (pollutants, rows, cols)
        ``Σ_d freq_d · max_u C(d, u)`` (mg/m³): a plume-frequency indicator, not
        an annual mean.
    index_max, index_rose : ndarray (rows, cols) or None
        The same for ``Σ_p w_p C_p`` computed per wind case (when weights are given).
    speeds : tuple of float
        Wind speeds scanned (the wind rose's plus the dangerous one, if added).
    evaluations : int
        Number of source × cell × wind-case evaluations inside the plumes: upwind cells,
        cells beyond ``max_distance`` and cells where ``s2`` is below its floor are not
        counted (nor computed, where whole blocks can be skipped).
    cell_evaluations : ndarray (rows, cols) of int32, optional
        The same count per cell (it sums to ``evaluations``).
    """

    max: np.ndarray
    rose: np.ndarray
    index_max: np.ndarray | None
    index_rose: np.ndarray | None
    speeds: tuple[float, ...]
    evaluations: int
    cell_evaluations: np.ndarray | None = None


def ground_field(  # noqa: PLR0913 - the OND-86 inputs plus the grid and the scan's options, as in max_concentration
    xc: np.ndarray,
    yc: np.ndarray,
    stacks: Stacks,
    emissions: np.ndarray,
    settling: np.ndarray,
    wind: WindRose,
    *,
    A: float = 200.0,
    eta: float = 1.0,
    method: str = "ond86",
    index_weights: np.ndarray | None = None,
    add_dangerous_speed: bool = True,
    s2_floor: float = 1e-9,
    max_distance: float = float("inf"),
    coefficients: MethodCoefficients = DEFAULT_COEFFICIENTS,
    block_rows: int = 64,
    workers: int = 1,
    dtype: str = "float64",
    cell_size: float | None = None,
) -> GroundField:
    """Ground concentration field of many stacks on a regular grid of cell centres.

    For every wind direction and speed the concentrations of all sources are
    summed (per pollutant); the field keeps the maximum over wind cases (the
    maximum one-time concentration) and the wind-rose-weighted mean of the
    per-direction maxima.

    Parameters
    ----------
    xc : ndarray (cols,)
        x of the cell centres of one row (m, ascending).
    yc : ndarray (rows,)
        y of the cell centres of one column (m; north-up grids descend).
    stacks : Stacks
        The sources, in the grid's CRS.
    emissions : ndarray (sources, pollutants)
        Emission rates ``M`` (g/s); 0 where a source does not emit a pollutant.
    settling : ndarray (sources, pollutants)
        Settling coefficient ``F`` of each emission.
    wind : WindRose
        Directions (from), frequencies, speeds.
    A, eta, method, coefficients :
        As for :func:`max_concentration`.
    index_weights : ndarray (pollutants,), optional
        Weights of the combined index ``Σ_p w_p C_p`` (``1 / MPC`` for a sum of
        C/MPC), evaluated per wind case before taking the maximum.
    add_dangerous_speed : bool
        Also scan the weighted mean dangerous speed of the group,
        ``Σ um_i c_mi / Σ c_mi`` (OND-86 practice for groups of sources; weights
        ``c_mi · w_p`` when index weights are given).
    s2_floor : float
        Cells where the crosswind factor ``s2`` is below this value are not
        evaluated (their contribution, below ``s2_floor · cm``, is taken as 0).
        0 evaluates the whole downwind half-plane.
    max_distance : float
        Cells farther than this (m) from a source get nothing from it
        (MRR-2017 applies up to 100 km; infinite by default).
    block_rows : int
        Rows per block (memory/cache trade-off; no effect on the result).
    cell_size : float, optional
        Spacing of the cell centres (m); by default ``xc[1] - xc[0]``. Give it for a
        window of one column.
    dtype : {"float64", "float32"}
        Precision of the per-source kernels (float32 is about twice as fast;
        relative differences stay below 1e-5); sums are kept in float64.
    workers : int
        Threads sharing the wind directions (numpy releases the GIL in its
        loops). Partial results are combined in a fixed order: the output is
        deterministic, and equal across worker counts up to rounding of the
        wind-rose sums (the maxima are identical).

    Returns
    -------
    GroundField

    Notes
    -----
    A cell's values depend on its own centre and the sources alone, never on the
    window of cells computed with it: every cut is a test on the cell (its distance
    from the source, ``s2`` against the floor), the blocks skipped are those where
    every cell would fail it, and sums run in a fixed order per cell. So the field of
    a window is, to the bit, the window of the field of the whole grid, which is what
    lets :mod:`geo.chunks` compute it chunk by chunk.
    """
    _check_method(method)
    xc = np.asarray(xc, dtype="float64")
    yc = np.asarray(yc, dtype="float64")
    em = np.asarray(emissions, dtype="float64")
    fs = np.asarray(settling, dtype="float64")
    ns = len(stacks)
    if em.ndim != 2 or em.shape[0] != ns or fs.shape != em.shape:
        msg = f"emissions/settling must be shaped (sources, pollutants) = ({ns}, k), got {em.shape}/{fs.shape}"
        raise ValueError(msg)
    npol = em.shape[1]
    ids = list(stacks.ids)
    _fail(
        ids,
        np.any(em < 0, axis=1) | np.any(~np.isfinite(em), axis=1),
        "emission rates must be ≥ 0 g/s",
    )
    if len(xc) > 1 and not np.all(np.diff(xc) > 0):
        msg = "xc must ascend"
        raise ValueError(msg)
    cs = float(cell_size) if cell_size else float(xc[1] - xc[0]) if len(xc) > 1 else 1.0
    x0 = float(xc[0])

    # one unit source per (stack, F) pair actually used
    pairs: list[tuple[int, float, list[tuple[int, float]]]] = []
    for s in range(ns):
        for fval in sorted({float(v) for v, m in zip(fs[s], em[s], strict=True) if m > 0}):
            pols = [(p, float(em[s, p])) for p in range(npol) if em[s, p] > 0 and fs[s, p] == fval]
            pairs.append((s, fval, pols))
    ny, nx = len(yc), len(xc)
    cmax = np.zeros((npol, ny, nx))
    rose = np.zeros((npol, ny, nx))
    w = None if index_weights is None else np.asarray(index_weights, dtype="float64")
    imax = np.zeros((ny, nx)) if w is not None else None
    irose = np.zeros((ny, nx)) if w is not None else None
    speeds = tuple(sorted({float(u) for u in wind.speeds}))
    counts = np.zeros((ny, nx), dtype="int32")
    if not pairs:
        return GroundField(cmax, rose, imax, irose, speeds, 0, counts)

    idx = np.array([p[0] for p in pairs])
    fv = np.array([p[1] for p in pairs])
    unit = max_concentration(
        stacks.height[idx], stacks.diameter[idx], stacks.velocity[idx], stacks.gas_temp[idx],
        stacks.air_temp[idx], rate=1.0, A=A, F=fv, eta=eta, method=method,
        cold=stacks.cold[idx], coefficients=coefficients, source_id=[ids[i] for i in idx],
    )  # fmt: skip
    if add_dangerous_speed:
        weight = np.zeros(len(pairs))
        for j, (_s, _f, pols) in enumerate(pairs):
            for p, mrate in pols:
                weight[j] += unit.cm[j] * mrate * (1.0 if w is None else w[p])
        if weight.sum() > 0:
            um_group = float(np.round((weight * unit.um).sum() / weight.sum(), 2))
            speeds = tuple(sorted(set(speeds) | {um_group}))
    t_cut = _s2_cut_t(s2_floor)
    heights = stacks.height[idx]
    low = (heights >= 2) & (heights < 10)
    blocks = [(r0, min(ny, r0 + block_rows)) for r0 in range(0, ny, block_rows)]
    setup = _Setup(
        xc=xc, yc=yc, x0=x0, cs=cs, stacks=stacks, pairs=pairs, unit=unit, heights=heights,
        low=low, blocks=blocks, speeds=speeds, t_cut=t_cut, method=method, w=w, npol=npol,
        max_distance=float(max_distance), dtype=dtype,
    )  # fmt: skip
    dirs = list(zip(wind.directions, wind.frequencies, strict=True))
    nw = max(1, min(int(workers), len(dirs)))
    chunks = [dirs[i::nw] for i in range(nw)]
    if nw == 1:
        parts = [_directions(setup, chunks[0])]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(nw) as pool:
            parts = list(pool.map(lambda ch: _directions(setup, ch), chunks))
    for part in parts:  # fixed order: deterministic sums
        np.maximum(cmax, part[0], out=cmax)
        rose += part[1]
        if imax is not None and irose is not None and part[2] is not None and part[3] is not None:
            np.maximum(imax, part[2], out=imax)
            irose += part[3]
        counts += part[4]
    return GroundField(cmax, rose, imax, irose, speeds, int(counts.sum()), counts)


@dataclass
class _Setup:
    """Everything the per-direction worker needs (read-only)."""

    xc: np.ndarray
    yc: np.ndarray
    x0: float
    cs: float
    stacks: Stacks
    pairs: list[tuple[int, float, list[tuple[int, float]]]]
    unit: MaxConcentration
    heights: np.ndarray
    low: np.ndarray
    blocks: list[tuple[int, int]]
    speeds: tuple[float, ...]
    t_cut: float
    method: str
    w: np.ndarray | None
    npol: int
    max_distance: float
    dtype: str


def _in_reach(values: np.ndarray, centre: float, reach: float) -> tuple[int, int]:
    """The index range of the monotonic *values* within *reach* of *centre* (exact, per value)."""
    if not np.isfinite(reach):
        return 0, len(values)
    near = np.flatnonzero(np.abs(values - centre) <= reach)
    return (int(near[0]), int(near[-1]) + 1) if near.size else (0, 0)


def _index_case(w: np.ndarray, case: np.ndarray) -> np.ndarray:
    """``Σ_p w_p · case_p`` per cell, summed in pollutant order (no BLAS: the same bits in any window)."""
    out: np.ndarray = case[0] * w[0]
    for p in range(1, len(w)):
        out += case[p] * w[p]
    return out


def _directions(
    st: _Setup, dirs: list[tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Max, rose-weighted sum (and index ones) over the wind directions *dirs*; counts per cell."""
    ny, nx = len(st.yc), len(st.xc)
    npol, w = st.npol, st.w
    cmax = np.zeros((npol, ny, nx))
    rose = np.zeros((npol, ny, nx))
    imax = np.zeros((ny, nx)) if w is not None else None
    irose = np.zeros((ny, nx)) if w is not None else None
    case = np.zeros((npol, ny, nx))
    best_dir = np.zeros((npol, ny, nx))
    ibest = np.zeros((ny, nx)) if w is not None else None
    counts = np.zeros((ny, nx), dtype="int32")
    rmax = st.max_distance
    # rows and columns within reach of each source: exact per row and column, so a window
    # skips the cells the whole grid would give 0
    reach = [
        (
            *_in_reach(st.yc, float(st.stacks.y[s]), rmax),
            *_in_reach(st.xc, float(st.stacks.x[s]), rmax),
        )
        for s, _f, _p in st.pairs
    ]
    for theta, freq in dirs:
        rad = np.deg2rad(theta)
        wx, wy = -np.sin(rad), -np.cos(rad)  # the wind blows *to* this unit vector
        best_dir.fill(0.0)
        if ibest is not None:
            ibest.fill(0.0)
        for u in st.speeds:
            case.fill(0.0)
            ue = min(u, 5.0)
            kinv = 0.0 if not np.isfinite(st.t_cut) else float(np.sqrt(ue / st.t_cut))
            q = u / st.unit.um
            xmu = p_coefficient(q) * st.unit.xm
            cmu = r_coefficient(q) * st.unit.cm
            for j, (s, fval, pols) in enumerate(st.pairs):
                sx, sy = float(st.stacks.x[s]), float(st.stacks.y[s])
                inv = 1.0 / float(xmu[j])
                ax = ((st.xc - sx) * (wx * inv)).astype(st.dtype)
                ay = ((st.xc - sx) * (wy * inv)).astype(st.dtype)
                hj = float(st.heights[j])
                rho_max = rmax * inv
                ra, rb, ca, cb = reach[j]
                for b0, b1 in st.blocks:
                    r0, r1 = max(b0, ra), min(b1, rb)
                    if r1 <= r0:
                        continue
                    c0, c1 = _cone_columns(
                        sx,
                        sy,
                        wx,
                        wy,
                        kinv,
                        float(st.yc[r0]),
                        float(st.yc[r1 - 1]),
                        st.x0,
                        st.cs,
                        nx,
                    )
                    c0, c1 = max(c0, ca), min(c1, cb)
                    if c1 <= c0:
                        continue
                    dy = st.yc[r0:r1] - sy
                    rho = ax[None, c0:c1] + (dy * (wy * inv)).astype(st.dtype)[:, None]
                    rhoy = ay[None, c0:c1] - (dy * (wx * inv)).astype(st.dtype)[:, None]
                    g, inside = _unit_kernel(
                        rho, rhoy, ue, fval, st.method, hj if st.low[j] else None, rho_max,
                        st.t_cut,
                    )  # fmt: skip
                    g *= float(cmu[j])
                    counts[r0:r1, c0:c1] += inside
                    for p, mrate in pols:
                        case[p, r0:r1, c0:c1] += mrate * g
            np.maximum(best_dir, case, out=best_dir)
            if w is not None and ibest is not None:
                np.maximum(ibest, _index_case(w, case), out=ibest)
        np.maximum(cmax, best_dir, out=cmax)
        rose += freq * best_dir
        if imax is not None and irose is not None and ibest is not None:
            np.maximum(imax, ibest, out=imax)
            irose += freq * ibest
    return cmax, rose, imax, irose, counts
