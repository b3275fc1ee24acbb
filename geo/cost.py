"""What a build will cost before it starts: peak memory and time, and whether it fits.

One linear model per theme, in the counts that drive its arrays: a fixed part (the
interpreter, imports, catalog layers, writers' set-up) plus so many bytes and seconds per
grid cell, per cell and criterion, per cell and Monte Carlo draw (land suitability), per
cell and pollutant, per cell, source and wind case (pollution). Themes without a grid
(infrastructure wear, sustainability) cost a fixed small amount. The coefficients are the
toolkit's own measurements (:data:`COEFFICIENTS`, measured by ``bench/bench_cost.py``),
not published values; a chunked engine keeps the same shape and changes the numbers.

The build asks :func:`estimate` per theme, :func:`combine` for a run of several, and
:func:`check_fits` against :func:`available_memory` before any heavy work; a grid that
would not fit is refused with one line naming the recipe line and a cell size that fits.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geo.raster as raster
from geo.errors import ResourceError

__all__ = [
    "COEFFICIENTS",
    "FIT_SHARE",
    "MAX_SECONDS",
    "CostEstimate",
    "ThemeCost",
    "available_memory",
    "cgroup_available",
    "check_disk",
    "check_fits",
    "chunk_cell_bytes",
    "combine",
    "default_chunk_size",
    "estimate",
    "fitting_cell_size",
    "meminfo_available",
]

MAX_SECONDS = 12 * 3600.0
"""A run estimated to take longer than this is refused up front (it would look hung)."""

FIT_SHARE = 0.8
"""Share of the available memory a build may plan to use (the rest: the OS, page cache, error)."""


@dataclass(frozen=True)
class ThemeCost:
    """The coefficients of one theme's cost model.

    Peak bytes are ``base_bytes + held · (cell_bytes + criteria · criterion_bytes +
    pollutants · pollutant_bytes) + (cells − held) · stored_cell_bytes``, where *held* is
    the cells up to :data:`geo.raster.MEMORY_CELLS`: a larger grid's results are stored in
    the build's scratch folder and read by windows (:func:`geo.chunks.grid_array`), and
    what still grows with its cells (the class polygons, the zone tables' windows) is
    ``stored_cell_bytes``; seconds are ``base_seconds + cells · (cell_seconds +
    criteria · criterion_seconds + draws · draw_seconds + sources · wind_cases ·
    case_seconds)``. Monte Carlo draws cost time, not memory: :func:`geo.models.mcda.evaluate`
    scores them in chunks of 2^24 cell-draws (about 0.1 GB), below the peak at every
    measured size.

    A theme whose raster steps run in chunks (:mod:`geo.chunks`) also declares what one
    cell of a chunk holds while it is computed: ``chunk_cell_bytes + pollutants ·
    chunk_pollutant_bytes + criteria · chunk_criterion_bytes`` (:func:`chunk_cell_bytes`), from which
    :func:`default_chunk_size` picks the chunk side.

    A grid of more than :data:`geo.raster.MEMORY_CELLS` cells stores its results on disk:
    ``scratch_cell_bytes + pollutants · scratch_pollutant_bytes`` a cell (the stored arrays'
    item sizes), checked against the disk's free space by :func:`check_disk`.
    """

    base_bytes: float
    grid: bool = True
    cell_bytes: float = 0.0
    criterion_bytes: float = 0.0
    pollutant_bytes: float = 0.0
    base_seconds: float = 0.0
    cell_seconds: float = 0.0
    criterion_seconds: float = 0.0
    draw_seconds: float = 0.0
    case_seconds: float = 0.0
    chunk_cell_bytes: float = 0.0
    chunk_pollutant_bytes: float = 0.0
    stored_cell_bytes: float = 0.0
    chunk_criterion_bytes: float = 0.0
    scratch_cell_bytes: float = 0.0
    scratch_pollutant_bytes: float = 0.0


# The toolkit's own measurements, not published values: `python bench/bench_cost.py
# --calibrate` and `geo map` runs of edited copies of maps/*.toml (a subprocess each, peak RSS
# from /usr/bin/time -v, wall time; times are medians of 3-4 runs), on the development machine:
# 2 cores, 23 GB RAM, no swap, Python 3.11, numpy grids held whole (December 2026). Cells are
# those of the grid the recipe's [area] / [grid] gives (Zhanatas + 15 km; Zhanatas and Karatau
# + 15 km for pollution).
#
#   land_suitability (as shipped: 7 criteria, 200 draws; the run includes pollution at 150 m)
#     100 m    118 961 cells  11.6 s  0.46 GB     35 m    965 805 cells  18.0 s  0.86 GB
#      50 m    474 496 cells  12.6 s  0.54 GB     25 m  1 892 476 cells  25.1 s  1.45 GB
#      15 m  5 253 006 cells  46.5 s  3.46 GB
#     25 m, 4 criteria (soil, slope, water, elevation): 22.7 s, 1.31 GB
#     25 m, 20 / 600 draws: 1.45 / 1.45 GB (50 m: 0.54 / 0.54 GB); the draws' time is below the
#       noise of whole runs, so it is from geo.models.mcda.evaluate alone on 1.9 M cells and 7
#       criteria: 0.17 s at 20 draws, 0.74 s at 200, 4.7 s at 600 (about 3 ns per cell and draw)
#   pollution (60 sub-sources, 16 directions × 5 speeds, 5 pollutants)
#     150 m    321 056 cells  11.6 s  0.43 GB     75 m  1 280 930 cells  24.5 s  0.53 GB
#   infrastructure_wear 8.0 s 0.40 GB; sustainability 7.6 s 0.46 GB (no grid)
#
# Fits: land-suitability memory by least squares over 50-15 m (609 B per cell at 7 criteria,
# within 3 % at every size; 100 m lies under the pollution theme's peak), the criterion share
# from the 4-criterion run; its time is the run minus the pollution estimate, least squares
# through the origin over 100-15 m, the criterion share from the 4-criterion run. Pollution: the
# two grid sizes, per-cell memory split evenly over the pollutants (its arrays are per
# pollutant), per-cell time over sources × wind cases (the kernel's loop). Out of sample, 10 m
# (11 817 582 cells): measured 7.51 GB and 122 s (a loaded machine), estimated 7.47 GB and 90 s
# (issue 12 had 7.35 GB on another machine). Wall times vary by ±40 % with the machine's other
# load (land suitability at 15 m: 41-83 s); peaks by less than 1 %. A default bench_cost.py run
# after the fit (100/50/25 m, pollution 150/75 m, a quieter machine): memory ratios
# estimated / measured 0.95-1.03, time ratios 1.06-1.64.
# Land suitability refitted when its model ran in chunks (geo.themes.suitability.cells, the
# default threads and chunk size; `geo map` of maps/land_suitability.toml, one run each, the
# same machine): 25 m (1 892 476 cells) 17.6 s 0.62 GB, 8.6 m (15 972 174 cells) 55.8 s
# 1.33 GB. Memory through both points (50 B per cell at 7 criteria: the gathered score,
# classes, stability and bit sets, the class polygons and zone tables; the chunks in flight
# are in the base); time through both points with the draws at 3 ns per cell and draw and
# the pollution estimate taken off the base.
# Stored results (geo.raster.MEMORY_CELLS, December 2026): a grid of more than 4 M cells keeps
# its results in the scratch folder, so only the cells up to 4 M cost cell_bytes; beyond,
# stored_cell_bytes is what still grows (class polygons, the writers' bands). Measured with
# every writer (bench_chunks.py, threads): land suitability 16 M cells 0.85 GB, 102 M cells
# 0.85 GB, 409 M cells 1.17 GB (1.5 B a cell beyond 4 M bounds it); pollution 1 M cells
# 0.52 GB, 16 M cells 2.20 GB with threads (four chunks of 1024² in flight, 336 B a cell) and
# 1.34 GB synchronous. Pollution again once its dispersion no longer made the whole grid's
# cell centres (16 B a cell), in chunks of 512 (threads): 16 M cells 0.60 GB, 100 M 0.71 GB,
# 408 M 0.92 GB (611 s): 0.8 B a cell beyond 16 M.
# Pollution time refitted when towns far apart got windows of their own (the sources of the
# area only: 49 sub-sources for Zhanatas and Karatau; the kernel works on the two windows):
# 150 m 8.8 s, 75 m 14.7 s on a quiet machine (bench_cost.py medians of 2), through both points.
COEFFICIENTS: Mapping[str, ThemeCost] = MappingProxyType(
    {
        "land_suitability": ThemeCost(
            base_bytes=525e6,
            cell_bytes=36.0,
            criterion_bytes=2.0,
            base_seconds=3.7,
            cell_seconds=1.26e-6,
            criterion_seconds=0.12e-6,
            draw_seconds=3.0e-9,
            # the model on a chunk (geo.themes.suitability.cells): per criterion its raw
            # values (float64 at most), membership (float32), quantised factor (uint16) and
            # its float64 share of the score, OWA rank weights and the stacked result; per
            # cell the score, classes, stability and its Monte Carlo draw (float32), the
            # constraint masks and the result's five layers
            chunk_cell_bytes=96.0,
            chunk_criterion_bytes=48.0,
            stored_cell_bytes=1.5,
            scratch_cell_bytes=9.0,  # score and stability float32, classes uint8
        ),
        "pollution": ThemeCost(
            base_bytes=406e6,
            pollutant_bytes=19.4,
            base_seconds=6.8,
            case_seconds=1.57e-9,
            # the dispersion kernel on a chunk: per pollutant the maximum, rose, wind case and
            # direction's best at float64 in the model and its outer sums, plus the stacked
            # result; per cell the index's four float64 arrays, the evaluation count and the
            # two index layers of the result (geo.models.dispersion.ground)
            chunk_cell_bytes=56.0,
            chunk_pollutant_bytes=56.0,
            stored_cell_bytes=0.8,
            scratch_cell_bytes=16.0,  # the two indices, float64
            scratch_pollutant_bytes=8.0,  # each pollutant's maximum, float64
        ),
        "infrastructure_wear": ThemeCost(base_bytes=400e6, grid=False, base_seconds=8.0),
        "sustainability": ThemeCost(base_bytes=457e6, grid=False, base_seconds=7.6),
    }
)
"""Cost coefficients per theme id (see the calibration comment above)."""


@dataclass(frozen=True)
class CostEstimate:
    """Estimated peak memory and wall time of building one theme (or a run of several).

    Attributes
    ----------
    theme : str
        Theme id (themes joined by ``+`` for a combined run).
    cells : int
        Grid cells (0 for a theme without a grid).
    peak_bytes : int
        Peak resident memory of the process, bytes.
    seconds : float
        Wall time, seconds.
    cell_size_m : float or None
        Cell size of the grid the estimate is for (lets :func:`check_fits` name a coarser one).
    factors : mapping
        The counts given to :func:`estimate` (criteria, draws, sources, wind_cases, pollutants).
    parts : tuple of CostEstimate
        The themes' own estimates, for a run combined by :func:`combine` (else empty).
    scratch_bytes : int
        Bytes of results stored on disk beside the output while the build runs (grids of
        more than :data:`geo.raster.MEMORY_CELLS` cells).
    """

    theme: str
    cells: int
    peak_bytes: int
    seconds: float
    cell_size_m: float | None = None
    factors: Mapping[str, int] = field(default_factory=dict, compare=False)
    parts: tuple[CostEstimate, ...] = ()
    scratch_bytes: int = 0

    def describe(self) -> str:
        """One line for a log or an error message.

        Examples
        --------
        >>> CostEstimate("land_suitability", 1234567, 812_000_000, 40.2).describe()
        'land_suitability: 1 234 567 cells, about 0.81 GB peak and 40 s'
        >>> CostEstimate("sustainability", 0, 2_460_000_000, 600.0).describe()
        'sustainability: no grid, about 2.5 GB peak and 10 min'
        """
        cells = f"{self.cells:,} cells".replace(",", " ") if self.cells else "no grid"
        return f"{self.theme}: {cells}, about {_gb(self.peak_bytes)} peak and {_duration(self.seconds)}"


def _gb(n: float) -> str:
    gb = n / 1e9
    return f"{gb:.1f} GB" if gb >= 0.995 else f"{gb:.2f} GB"


def _duration(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min"


def estimate(
    theme: str,
    *,
    cells: int,
    criteria: int = 0,
    draws: int = 0,
    sources: int = 0,
    wind_cases: int = 0,
    pollutants: int = 0,
    cell_size_m: float | None = None,
) -> CostEstimate:
    """Estimate the peak memory and time of building *theme* on a grid of *cells*.

    Parameters
    ----------
    theme : str
        A theme id of :data:`COEFFICIENTS` (``land_suitability``, ``pollution``,
        ``infrastructure_wear``, ``sustainability``).
    cells : int
        Cells of the theme's analysis grid (width × height); ignored without a grid.
    criteria, draws : int
        Land suitability: criteria computed and Monte Carlo draws (0: no stability).
    sources, wind_cases, pollutants : int
        Pollution: point sources (area sources split into their points), wind cases
        (directions × speeds) and pollutants.
    cell_size_m : float, optional
        The grid's cell size, recorded so that :func:`check_fits` can name one that fits.

    Returns
    -------
    CostEstimate

    Raises
    ------
    ValueError
        An unknown theme or a negative count.

    Examples
    --------
    >>> a = estimate("land_suitability", cells=1_000_000, criteria=7, draws=200)
    >>> b = estimate("land_suitability", cells=2_000_000, criteria=7, draws=200)
    >>> b.peak_bytes > a.peak_bytes and b.seconds > a.seconds
    True
    >>> estimate("sustainability", cells=0).cells
    0
    """
    model = COEFFICIENTS.get(theme)
    if model is None:
        msg = f"no cost model for theme {theme!r}; known: {', '.join(COEFFICIENTS)}"
        raise ValueError(msg)
    counts = {
        "criteria": criteria,
        "draws": draws,
        "sources": sources,
        "wind_cases": wind_cases,
        "pollutants": pollutants,
    }
    if cells < 0 or any(v < 0 for v in counts.values()):
        msg = f"cells and counts must be ≥ 0, got cells={cells}, {counts}"
        raise ValueError(msg)
    gridded = model.grid
    n = cells if gridded else 0
    held = min(n, raster.MEMORY_CELLS)
    peak = (
        model.base_bytes
        + held
        * (model.cell_bytes + criteria * model.criterion_bytes + pollutants * model.pollutant_bytes)
        + (n - held) * model.stored_cell_bytes
    )
    seconds = model.base_seconds + n * (
        model.cell_seconds
        + criteria * model.criterion_seconds
        + draws * model.draw_seconds
        + sources * wind_cases * model.case_seconds
    )
    stored = n if n > raster.MEMORY_CELLS else 0
    scratch = stored * (model.scratch_cell_bytes + pollutants * model.scratch_pollutant_bytes)
    return CostEstimate(
        theme,
        n,
        math.ceil(peak),
        seconds,
        cell_size_m if gridded else None,
        MappingProxyType({k: v for k, v in counts.items() if v}),
        scratch_bytes=math.ceil(scratch),
    )


CHUNK_SIDES = (256, 512, 1024, 2048)
"""Chunk sides (cells) :func:`default_chunk_size` chooses from: multiples of the COG tile."""

CHUNK_SHARE = 0.25
"""Share of the available memory the chunks in flight may take by default (the rest holds
the gathered results, the writers and the vectors)."""

CHUNK_BUDGET = 2 * 2**30
"""Bytes the chunks in flight may take by default on any machine (2 GiB; :data:`CHUNK_SHARE`
of the available memory when that is less), so a machine with much memory does not pick
chunks that only weigh more. Measured with every writer on 2 shared cores
(``bench/bench_chunks.py``, 3 December 2026): the pollution dispersion of 36 M cells peaked
at 1.06 GB in chunks of 512, 1.75 GB in chunks of 1024 and 3.07 GB in chunks of 2048 (each
with 0.57 GB of cell centres since removed); land suitability's chunked steps at 16 M cells
took 23.9 s on two threads in chunks of 1024 and 32.5 s in chunks of 512, so the limit
keeps 1024 for both themes."""


def chunk_cell_bytes(theme: str, *, pollutants: int = 0, criteria: int = 0) -> float:
    """Bytes one cell of a chunk holds while *theme*'s chunked kernel computes it.

    Examples
    --------
    >>> chunk_cell_bytes("pollution", pollutants=5)
    336.0
    """
    model = COEFFICIENTS.get(theme)
    if model is None:
        msg = f"no cost model for theme {theme!r}; known: {', '.join(COEFFICIENTS)}"
        raise ValueError(msg)
    return (
        model.chunk_cell_bytes
        + pollutants * model.chunk_pollutant_bytes
        + criteria * model.chunk_criterion_bytes
    )


def default_chunk_size(
    cell_bytes: float, *, workers: int, available: int, cells: int | None = None
) -> int:
    """The chunk side (cells) for a chunked step: the largest of :data:`CHUNK_SIDES` that fits.

    Each of *workers* holds two chunks (one computing, one handed back), of *cell_bytes*
    per cell; together they may take :data:`CHUNK_SHARE` of *available* bytes, and at most
    :data:`CHUNK_BUDGET`. On a grid
    of *cells*, the side is also kept small enough that every worker gets a chunk. The
    smallest side when none fits.

    Examples
    --------
    >>> default_chunk_size(336.0, workers=2, available=16 * 2**30)
    1024
    >>> default_chunk_size(336.0, workers=2, available=64 * 2**30)  # at most CHUNK_BUDGET
    1024
    >>> default_chunk_size(336.0, workers=8, available=1 * 2**30)
    256
    >>> default_chunk_size(336.0, workers=2, available=16 * 2**30, cells=1000 * 1000)
    512
    """
    n = max(1, workers)
    budget = min(CHUNK_SHARE * available, CHUNK_BUDGET)
    best = CHUNK_SIDES[0]
    for side in CHUNK_SIDES:
        fits = 2 * n * side * side * cell_bytes <= budget
        shared = cells is None or side * side * n <= cells
        if fits and shared:
            best = side
    return best


def combine(estimates: Sequence[CostEstimate]) -> CostEstimate:
    """The cost of building several themes in one process, one after the other.

    Peak memory is the largest theme's (a theme's arrays are freed when its result
    is reduced to its layers); times add up. The cell size kept is the one of the theme
    with the largest peak, so a refusal names the grid that matters.

    Examples
    --------
    >>> a = CostEstimate("pollution", 10, 400, 10.0, 150.0)
    >>> b = CostEstimate("land_suitability", 20, 900, 5.0, 25.0)
    >>> c = combine([a, b])
    >>> c.theme, c.cells, c.peak_bytes, c.seconds, c.cell_size_m
    ('pollution+land_suitability', 30, 900, 15.0, 25.0)
    """
    if not estimates:
        msg = "combine() needs at least one estimate"
        raise ValueError(msg)
    top = max(estimates, key=lambda e: e.peak_bytes)
    return CostEstimate(
        "+".join(e.theme for e in estimates),
        sum(e.cells for e in estimates),
        top.peak_bytes,
        sum(e.seconds for e in estimates),
        top.cell_size_m,
        top.factors,
        tuple(p for e in estimates for p in (e.parts or (e,))),
        scratch_bytes=sum(e.scratch_bytes for e in estimates),  # kept until the build ends
    )


def fitting_cell_size(est: CostEstimate, limit_bytes: float) -> float | None:
    """The finest round cell size (m) at which *est*'s theme fits in *limit_bytes*.

    Cells scale with the inverse square of the cell size over the same area; the model is
    re-evaluated at the candidate size. For a combined run, the grid of the theme with the
    largest peak is coarsened, and the other themes must fit as they are. None when the
    estimate has no cell size or not even the fixed part fits.

    Examples
    --------
    >>> e = estimate("land_suitability", cells=12_000_000, criteria=7, draws=200, cell_size_m=10)
    >>> size = fitting_cell_size(e, e.peak_bytes - 5_000_000)
    >>> size is not None and size > 10
    True
    """
    if est.parts:
        top = max(est.parts, key=lambda e: e.peak_bytes)
        others = [p.peak_bytes for p in est.parts if p is not top]
        return None if max(others, default=0) > limit_bytes else fitting_cell_size(top, limit_bytes)
    theme = est.theme
    if est.cell_size_m is None or est.cells == 0 or theme not in COEFFICIENTS:
        return None

    def peak_at(size: float) -> int:
        cells = _cells_at(est, size)
        return estimate(theme, cells=cells, **dict(est.factors)).peak_bytes

    size = float(est.cell_size_m)
    if peak_at(size) <= limit_bytes:
        return size
    for _ in range(200):
        size = _next_round(size)
        if peak_at(size) <= limit_bytes:
            return size
        if _cells_at(est, size) <= 1:
            return None
    return None


def _cells_at(est: CostEstimate, size: float) -> int:
    assert est.cell_size_m is not None
    return max(1, math.ceil(est.cells * (est.cell_size_m / size) ** 2))


def _next_round(size: float) -> float:
    """The next round cell size above *size*: 1 m steps to 20, 5 m to 100, 25 m to 500 ..."""
    step = 1.0 if size < 20 else 5.0 if size < 100 else 25.0 if size < 500 else 100.0
    return (math.floor(size / step) + 1) * step


def check_fits(est: CostEstimate, *, available: int, where: str) -> None:
    """Refuse an estimate whose peak exceeds :data:`FIT_SHARE` of *available* bytes.

    Parameters
    ----------
    est : CostEstimate
        What the build will cost (one theme, or :func:`combine` of a run).
    available : int
        Bytes available (:func:`available_memory`).
    where : str
        What the user changes, e.g. ``maps/land_suitability.toml:19: area.cell_size_m``.

    Raises
    ------
    ResourceError
        One line naming *where*, the estimate, the memory available and the fixes: a
        coarser cell size that the model says fits, a smaller area.

    Examples
    --------
    >>> small = estimate("land_suitability", cells=10_000, criteria=7, draws=200)
    >>> check_fits(small, available=16 * 2**30, where="maps/x.toml:19: area.cell_size_m")
    """
    if est.seconds > MAX_SECONDS:
        msg = (
            f"{where}: {est.describe()}: more than {MAX_SECONDS / 3600:g} h of work; use coarser "
            "cells, a smaller area, fewer Monte Carlo draws or fewer wind cases"
        )
        raise ResourceError(msg)
    limit = FIT_SHARE * available
    if est.peak_bytes <= limit:
        return
    size = fitting_cell_size(est, limit)
    if size is not None:
        fix = f"use cells of {size:g} m or coarser, or a smaller area"
    else:
        fix = "use coarser cells or a smaller area, or free memory"
    msg = (
        f"{where}: {est.describe()}, more than {FIT_SHARE:.0%} of the {_gb(available)} "
        f"of memory available; {fix}"
    )
    raise ResourceError(msg)


DISK_SHARE = 0.9
"""Share of the disk's free space a build's stored results may plan to take."""


def check_disk(est: CostEstimate, *, free: int, where: str) -> None:
    """Refuse an estimate whose stored results would not fit in *free* bytes of disk.

    Examples
    --------
    >>> big = estimate("land_suitability", cells=400_000_000, criteria=7, draws=200)
    >>> _gb(big.scratch_bytes)
    '3.6 GB'
    >>> check_disk(big, free=100 * 2**30, where="x.toml:19: area.cell_size_m")
    >>> check_disk(big, free=2 * 2**30, where="x.toml:19: area.cell_size_m")
    Traceback (most recent call last):
    ...
    geo.errors.ResourceError: x.toml:19: area.cell_size_m: land_suitability: 400 000 000 cells, its results take about 3.6 GB on disk beside the output folder while it runs, and the disk there has 2.1 GB free; free space, put --out on a larger disk, or use coarser cells or a smaller area
    """
    if est.scratch_bytes <= DISK_SHARE * free:
        return
    cells = f"{est.cells:,} cells".replace(",", " ")
    msg = (
        f"{where}: {est.theme}: {cells}, its results take about {_gb(est.scratch_bytes)} on "
        f"disk beside the output folder while it runs, and the disk there has {_gb(free)} "
        "free; free space, put --out on a larger disk, or use coarser cells or a smaller area"
    )
    raise ResourceError(msg)


# -- available memory ---------------------------------------------------------------------------
_UNLIMITED = 1 << 60
"""cgroup v1 writes "no limit" as a page-rounded 2^63 − 1; anything above this is no limit."""


def meminfo_available(text: str) -> int | None:
    """``MemAvailable`` of a ``/proc/meminfo`` text, in bytes (None when absent).

    Examples
    --------
    >>> meminfo_available("MemTotal:  16000000 kB\\nMemAvailable:  8000000 kB\\n")
    8192000000
    >>> meminfo_available("MemTotal: 1 kB") is None
    True
    """
    m = re.search(r"^MemAvailable:\s+(\d+)\s*kB", text, re.MULTILINE)
    return int(m.group(1)) * 1024 if m else None


def cgroup_available(limit_text: str, usage_text: str) -> int | None:
    """Bytes left under a cgroup memory limit: ``memory.max`` (v2) or ``limit_in_bytes`` (v1).

    None when there is no limit (``max``, or v1's near-2^63 value) or a text is unreadable.

    Examples
    --------
    >>> cgroup_available("4294967296\\n", "1073741824\\n")
    3221225472
    >>> cgroup_available("max\\n", "1073741824\\n") is None
    True
    >>> cgroup_available("9223372036854771712", "3048603648") is None
    True
    """
    limit, usage = limit_text.strip(), usage_text.strip()
    if not limit.isdigit() or not usage.isdigit() or int(limit) >= _UNLIMITED:
        return None
    return max(0, int(limit) - int(usage))


def _cgroup_files(proc_cgroup: str) -> list[tuple[Path, Path]]:
    """(limit, usage) file pairs to try, from the text of ``/proc/self/cgroup``."""
    root = Path("/sys/fs/cgroup")
    pairs: list[tuple[Path, Path]] = []
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        rel = path.lstrip("/")
        if controllers == "":  # v2 unified hierarchy
            pairs += [(root / rel / "memory.max", root / rel / "memory.current")]
        elif "memory" in controllers.split(","):
            pairs += [
                (
                    root / "memory" / rel / "memory.limit_in_bytes",
                    root / "memory" / rel / "memory.usage_in_bytes",
                )
            ]
    pairs += [
        (root / "memory.max", root / "memory.current"),
        (root / "memory" / "memory.limit_in_bytes", root / "memory" / "memory.usage_in_bytes"),
    ]
    return pairs


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _sysconf_available() -> int | None:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


FALLBACK_AVAILABLE = 4 * 2**30
"""Bytes assumed available where neither /proc nor sysconf can tell (4 GiB)."""


def available_memory() -> int:
    """Bytes this process can still allocate: the smaller of the system and cgroup figures.

    ``MemAvailable`` of ``/proc/meminfo``, and the process's cgroup limit minus its usage
    (v2 ``memory.max`` / ``memory.current``, v1 ``memory.limit_in_bytes`` /
    ``memory.usage_in_bytes``); where there is no ``/proc``, free physical pages from
    :func:`os.sysconf`; else :data:`FALLBACK_AVAILABLE`.

    Examples
    --------
    >>> available_memory() > 0
    True
    """
    figures: list[int] = []
    meminfo = _read(Path("/proc/meminfo"))
    if meminfo is not None and (m := meminfo_available(meminfo)) is not None:
        figures.append(m)
    for limit_file, usage_file in _cgroup_files(_read(Path("/proc/self/cgroup")) or ""):
        limit, usage = _read(limit_file), _read(usage_file)
        if limit is not None and usage is not None:
            left = cgroup_available(limit, usage)
            if left is not None:
                figures.append(left)
            break  # the process's own cgroup (or the first readable one) decides
    if not figures and (s := _sysconf_available()) is not None:
        figures.append(s)
    return min(figures) if figures else FALLBACK_AVAILABLE
