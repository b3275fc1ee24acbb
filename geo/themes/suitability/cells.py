"""The land-suitability model on a window of the grid, in chunks on the build's scheduler.

The criteria and constraints are prepared once (:class:`CriterionSource`,
:class:`ConstraintSource`: the layer selected and in the grid's CRS, the raster, the
distance cap); :class:`CellModel` then computes, for any window of the grid, each
criterion's raw values there (rasters warped, vectors burnt and distances measured by
the grid's fixed tiles, the slope from the DEM with a one-cell halo), the cells each
constraint excludes, and the model of :func:`geo.models.mcda.evaluate` (memberships,
quantised factors, WLC or OWA, FAO classes, Monte Carlo stability; the Monte Carlo
weights are drawn once for the whole grid). Nothing a window computes depends on the
window, so :func:`run_cells` gives the same bytes in memory, in chunks of any size and
on any scheduler; the process holds the gathered results, never a criterion of the
whole grid.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from geo.chunks import Execution, chunk_side, grid_array, grid_each
from geo.cost import chunk_cell_bytes
from geo.errors import InputError
from geo.grid import AnalysisGrid, NearestFeatures, Window
from geo.models import mcda
from geo.models.fuzzy import Membership
from geo.models.terrain import slope_degrees
from geo.raster import Raster

__all__ = ["CellModel", "CellResult", "ConstraintSource", "CriterionSource", "run_cells"]

MAX_BITS = 24
"""Most criteria (and constraints) a model takes: one bit each in a float32 layer of a chunk."""

STEP = "land suitability: criteria and model"
"""The step's name on the progress bar and in errors."""


@dataclass(frozen=True)
class CriterionSource:
    """What a criterion reads, ready to be computed on any window.

    Attributes
    ----------
    id, source : str
        The criterion and its kind (``slope``, ``elevation``, ``raster``,
        ``raster_classes``, ``pollution_index``, ``distance``, ``categorical``, ``numeric``).
    raster : Raster, optional
        The raster it warps (the DEM for slope and elevation).
    frame : GeoDataFrame, optional
        The features it burns or measures, selected and in the grid's CRS.
    values : array, optional
        The value burnt per feature (category codes, numeric field).
    categories : tuple of str
        The category of each code (1 …) of a categorical criterion.
    near : NearestFeatures, optional
        The features of a distance criterion, measured up to the distance beyond
        which the membership no longer changes.
    outside : float, optional
        The value of cells outside its raster.
    """

    id: str
    source: str
    raster: Raster | None = None
    frame: gpd.GeoDataFrame | None = None
    values: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    near: NearestFeatures | None = None
    outside: float | None = None


@dataclass(frozen=True)
class ConstraintSource:
    """What a constraint reads, ready to be computed on any window.

    Its *kind*: ``slope`` / ``elevation`` (of the DEM *raster*) or ``above`` (a
    raster's value) above *value*, ``near`` (within *distance* m of the features of *near*),
    ``inside`` (inside *frame*) or ``classes`` (a class raster's cell in *classes*).
    """

    id: str
    kind: str
    raster: Raster | None = None
    frame: gpd.GeoDataFrame | None = None
    value: float = 0.0
    distance: float = 0.0
    classes: tuple[float, ...] = ()
    near: NearestFeatures | None = None


@dataclass(frozen=True)
class CellResult:
    """The model gathered over the grid.

    Attributes
    ----------
    evaluation : mcda.Evaluation
        Score, classes, stability (numpy arrays, or stored arrays of
        :func:`geo.chunks.grid_array` on a large grid) and the quantised factors.
    excluded : dict
        Constraint id → the cells it excludes, as a mask when the factors are kept
        (for the What-if panel), else empty.
    excluded_cells : dict
        Constraint id → how many cells it excludes.
    filled : dict
        Criterion id → cells filled with its ``outside`` value.
    scored : int
        Cells with a score.
    class_cells : dict
        Class code (:data:`geo.models.mcda.CLASS_CODES`) → its cells.
    """

    evaluation: mcda.Evaluation
    excluded: dict[str, np.ndarray]
    excluded_cells: dict[str, int]
    filled: dict[str, int]
    scored: int
    class_cells: dict[int, int]


@dataclass(frozen=True)
class CellModel:
    """The whole model of one window: criteria, constraints, aggregation, stability.

    :meth:`__call__` returns float32 layers ``(score, class, stability, excluded bits,
    filled bits, factor 1 … factor k)`` for the window; every value is exact in float32
    (classes, bit sets below 2²⁴ and quantised factors are integers).
    """

    grid: AnalysisGrid
    criteria: tuple[CriterionSource, ...]
    memberships: tuple[Membership, ...]
    weights: np.ndarray
    order_weights: tuple[float, ...] | None
    constraints: tuple[ConstraintSource, ...]
    breaks: tuple[float, float, float]
    monte_carlo: mcda.MonteCarlo | None

    @property
    def layers(self) -> int:
        """Layers of the window's stack."""
        return 5 + len(self.criteria)

    def __call__(self, rows: slice, cols: slice) -> np.ndarray:
        """The window's stack of layers (see the class)."""
        window = (rows, cols)
        dems: dict[int, np.ndarray] = {}
        raws = []
        memberships: list[Membership | None] = []
        filled_bits = np.zeros((rows.stop - rows.start, cols.stop - cols.start), dtype="float32")
        for j, (c, m) in enumerate(zip(self.criteria, self.memberships, strict=True)):
            if c.source in ("categorical", "raster_classes"):  # looked up once per category
                raws.append(_categories(self.grid, c, m, window))
                memberships.append(None)
                continue
            raw, gaps = _criterion(self.grid, c, window, dems)
            if gaps is not None:
                filled_bits[gaps] += float(1 << j)
            raws.append(raw)
            memberships.append(m)
        excl_bits = np.zeros_like(filled_bits)
        allowed = np.ones(filled_bits.shape, dtype=bool)
        for i, k in enumerate(self.constraints):
            excl = _exclusion(self.grid, k, window, dems)
            excl_bits[excl] += float(1 << i)
            allowed &= ~excl
        ev = mcda.evaluate(
            raws,
            memberships,
            self.weights,
            order_weights=self.order_weights,
            allowed=allowed if self.constraints else None,
            breaks=self.breaks,
            monte_carlo=self.monte_carlo,
            quantum=mcda.QUANTUM,
        )
        assert ev.factors is not None  # evaluated with a quantum
        nan = np.full(filled_bits.shape, np.nan, dtype="float32")
        stability = nan if ev.stability is None else ev.stability
        return np.stack(
            [ev.score, ev.classes, stability, excl_bits, filled_bits, *ev.factors]
        ).astype("float32", copy=False)


def _dem(
    grid: AnalysisGrid, raster: Raster, window: Window, dems: dict[int, np.ndarray]
) -> np.ndarray:
    """The DEM on *window* with a one-cell halo (warped once per window and raster)."""
    key = id(raster)
    if key not in dems:
        dems[key] = grid.warp(raster, window=window, halo=1)
    return dems[key]


def _terrain(
    grid: AnalysisGrid, raster: Raster, window: Window, dems: dict[int, np.ndarray], *, slope: bool
) -> np.ndarray:
    dem = _dem(grid, raster, window, dems)
    if slope:
        return slope_degrees(dem, grid.cell_size)[1:-1, 1:-1]
    return dem[1:-1, 1:-1]


def _criterion(
    grid: AnalysisGrid, c: CriterionSource, window: Window, dems: dict[int, np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Raw values of criterion *c* on *window*, and the cells filled with its ``outside``."""
    src = c.source
    if src in ("slope", "elevation"):
        assert c.raster is not None
        return _terrain(grid, c.raster, window, dems, slope=src == "slope"), None
    if src in ("raster", "pollution_index"):
        assert c.raster is not None
        arr = grid.warp(c.raster, window=window)
        if c.outside is None:
            return arr, None
        gaps = ~np.isfinite(arr)
        arr[gaps] = c.outside
        return arr, gaps
    if src == "distance":
        assert c.near is not None
        return c.near.distances(window), None
    assert c.frame is not None
    return grid.rasterize(c.frame, c.values, fill=np.nan, dtype="float32", window=window), None


def _categories(
    grid: AnalysisGrid, c: CriterionSource, m: Membership, window: Window
) -> np.ndarray:
    """The factor of a categorical criterion on *window*: its table looked up per category.

    A vector layer's categories are burnt as codes (1 …, 0 where no feature lies) and a
    class raster's codes warped by the most frequent class; the membership is then
    evaluated once per category present, never per cell, so no Python object is made
    per cell (the same values as the table applied cell by cell).
    """
    if c.source == "categorical":
        assert c.frame is not None
        ids = grid.rasterize(c.frame, c.values, fill=0, dtype="int32", window=window)
        factors = np.asarray(m(np.array([None, *c.categories], dtype=object)), dtype="float64")
        return np.asarray(factors[ids])
    assert c.raster is not None
    codes = grid.warp(c.raster, resampling="mode", window=window)
    uniq, inverse = np.unique(codes, return_inverse=True)
    keys = np.array([None if np.isnan(u) else str(int(u)) for u in uniq], dtype=object)
    factors = np.asarray(m(keys), dtype="float64")
    return np.asarray(factors[inverse.reshape(codes.shape)])


def _exclusion(
    grid: AnalysisGrid, k: ConstraintSource, window: Window, dems: dict[int, np.ndarray]
) -> np.ndarray:
    """Cells of *window* constraint *k* excludes."""
    if k.kind in ("slope", "elevation", "above"):
        assert k.raster is not None
        if k.kind == "above":
            base = grid.warp(k.raster, window=window)
        else:
            base = _terrain(grid, k.raster, window, dems, slope=k.kind == "slope")
        with np.errstate(invalid="ignore"):
            return np.asarray(base > k.value)
    if k.kind == "classes":
        assert k.raster is not None
        values = grid.warp(k.raster, resampling="mode", window=window)
        return np.isin(values, np.asarray(k.classes, dtype="float32"))
    if k.kind == "near":
        assert k.near is not None
        return k.near.distances(window) <= k.distance
    assert k.frame is not None
    return grid.mask(k.frame, window=window)


def run_cells(
    model: CellModel,
    execution: Execution | None,
    *,
    criteria_ids: Sequence[str],
    factors: bool = True,
) -> CellResult:
    """*model* over the whole grid: at once without an *execution*, else in chunks on it.

    The chunk side is the one asked (``--chunk-size``) or the largest the cost model
    fits in memory for the scheduler's workers. Each chunk is copied into the result's
    own arrays as it finishes (score and stability float32, classes uint8, and the
    quantised *factors* uint16 when they are kept for the What-if panel).
    """
    grid = model.grid
    for n, what in ((len(model.criteria), "criteria"), (len(model.constraints), "constraints")):
        if n > MAX_BITS:
            msg = f"{n} {what}: a model takes at most {MAX_BITS}; merge some in the recipe"
            raise InputError(msg)
    per_cell = chunk_cell_bytes("land_suitability", criteria=len(model.criteria))
    size = chunk_side(execution, grid.shape, cell_bytes=per_cell, what=STEP)
    out = _Gathered(grid.shape, model, factors, execution)
    kernel = functools.partial(_call, model=model)
    grid_each(
        kernel, grid.shape, model.layers, execution, out.put, step=STEP, dtype="float32",
        chunk_size=size,
    )  # fmt: skip
    excluded = {}
    if out.excluded is not None:
        excluded = {k.id: (out.excluded & (1 << i)) > 0 for i, k in enumerate(model.constraints)}
    filled = {
        cid: out.filled[j]
        for j, (cid, c) in enumerate(zip(criteria_ids, model.criteria, strict=True))
        if c.outside is not None
    }
    ev = mcda.Evaluation(out.score, out.classes, out.stability, out.factors)
    return CellResult(
        ev,
        excluded,
        {k.id: out.excluded_cells[i] for i, k in enumerate(model.constraints)},
        filled,
        out.scored,
        {code: out.class_cells[code] for code in mcda.CLASS_CODES.values()},
    )


def _bits(n: int) -> str:
    """The smallest unsigned type holding *n* bits."""
    return "uint8" if n <= 8 else "uint16" if n <= 16 else "uint32"


class _Gathered:
    """The model's results on the whole grid, filled chunk by chunk, and their counts.

    Score, classes and stability go into :func:`geo.chunks.grid_array` (in memory, or
    stored on a large grid); the constraints' bits and the factors are kept only for
    the What-if panel (*factors*); every count is summed chunk by chunk, exactly.
    """

    def __init__(
        self,
        shape: tuple[int, int],
        model: CellModel,
        factors: bool,
        execution: Execution | None,
    ) -> None:
        k, n = len(model.criteria), len(model.constraints)
        self.score = grid_array(shape, "float32", execution)
        self.classes = grid_array(shape, "uint8", execution)
        self.stability = (
            grid_array(shape, "float32", execution) if model.monte_carlo is not None else None
        )
        self.excluded = np.empty(shape, dtype=_bits(n)) if factors else None
        self.factors = np.empty((k, *shape), dtype="uint16") if factors else None
        self.excluded_cells = [0] * n
        self.filled = [0] * k
        self.scored = 0
        self.class_cells = [0] * (max(mcda.CLASS_CODES.values()) + 1)

    def put(self, where: tuple[slice, ...], block: np.ndarray) -> None:
        """Copy one chunk's stack of layers (see :class:`CellModel`) into the arrays."""
        at = where[1:]
        self.score[at] = block[0]
        classes = block[1].astype("uint8")
        self.classes[at] = classes
        if self.stability is not None:
            self.stability[at] = block[2]
        excluded = block[3].astype("uint32")
        filled = block[4].astype("uint32")
        if self.excluded is not None:
            self.excluded[at] = excluded
        if self.factors is not None:
            self.factors[(slice(None), *at)] = block[5:]
        for i in range(len(self.excluded_cells)):
            self.excluded_cells[i] += int(np.count_nonzero(excluded & (1 << i)))
        for j in range(len(self.filled)):
            self.filled[j] += int(np.count_nonzero(filled & (1 << j)))
        self.scored += int(np.count_nonzero(np.isfinite(block[0])))
        counts = np.bincount(classes.ravel(), minlength=len(self.class_cells))
        for code in range(len(self.class_cells)):
            self.class_cells[code] += int(counts[code])


def _call(rows: slice, cols: slice, *, model: CellModel) -> np.ndarray:
    return model(rows, cols)
