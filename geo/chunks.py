"""Rasters in chunks: the one layer that maps the models' numpy kernels over dask chunks.

The models stay plain numpy functions on arrays (:mod:`geo.models`); this module
runs them over a grid cut into square chunks, as xarray-spatial does: a pure
kernel, and one function that chooses numpy (the whole array at once) or dask
(:func:`dask.array.map_blocks`, or :func:`dask.array.map_overlap` with the halo a
kernel declares). It also chooses where the chunks run and how large they are:

* the **scheduler** (:class:`Execution`): ``threads`` (the default), ``processes``,
  ``synchronous`` (one chunk after another, for debugging), the address of a running
  ``dask.distributed`` scheduler (``tcp://host:8786``), or, from Python, a
  ``dask.distributed.Client``. An address that does not answer is refused in a few
  seconds (:class:`~geo.errors.SchedulerError`), before any work;
* the **chunk size** in cells per side (``--chunk-size``): by default the largest that
  fits the memory available for the scheduler's workers by the cost model of
  :mod:`geo.cost` (:func:`geo.cost.default_chunk_size`); a size below a kernel's halo
  is raised to the minimum with a note, one above memory is refused.

:func:`gather` computes a chunked array on the scheduler into one numpy array, chunk
by chunk, counting chunks on a progress bar that names the step; a worker that dies
or leaves stops the step with a :class:`~geo.errors.ChunkError` naming it.
:func:`random_field` draws random numbers by position on the grid, never by worker or
chunk, so a Monte Carlo step gives the same draws in any chunking.

Examples
--------
>>> import numpy as np
>>> ex = Execution("synchronous", chunk_size=4)
>>> values = grid_map(lambda rows, cols: np.full((1, rows.stop - rows.start,
...     cols.stop - cols.start), rows.start * 10 + cols.start), (6, 7), 1, ex, step="demo")
>>> int(values[0, 5, 6]), int(values[0, 0, 0]), int(values[0, 4, 4])
(44, 0, 44)
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from geo.errors import ChunkError, ResourceError, SchedulerError
from geo.progress import chunk_steps

__all__ = [
    "CONNECT_TIMEOUT_S",
    "SCHEDULERS",
    "Execution",
    "check_scheduler",
    "chunk_side",
    "connected",
    "gather",
    "grid_array",
    "grid_each",
    "grid_map",
    "map_cells",
    "random_field",
    "resolve_chunk_size",
]

log = logging.getLogger(__name__)

SCHEDULERS = ("threads", "processes", "synchronous")
"""The local dask schedulers ``--scheduler`` names; anything else is a distributed address."""

CONNECT_TIMEOUT_S = 4.0
"""Seconds to wait for a distributed scheduler to answer before the build is refused."""

WORKERLESS_S = 30.0
"""Seconds a step waits with no dask worker left before it stops (a cluster whose workers died)."""

_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/]+(:\d+)?/?$")

IN_FLIGHT_PER_WORKER = 2
"""Chunks a local scheduler computes or holds at once, per worker: one being computed and one
ready for the next free worker, so a large grid's chunks are never all held at once."""


RANDOM_TILE = 256
"""Side of the fixed tiles :func:`random_field` seeds by position (cells)."""


def check_scheduler(value: str) -> str:
    """*value* if it names a local scheduler or a distributed address, else a one-line refusal.

    Examples
    --------
    >>> check_scheduler("threads"), check_scheduler("tcp://127.0.0.1:8786")
    ('threads', 'tcp://127.0.0.1:8786')
    >>> check_scheduler("thread")
    Traceback (most recent call last):
    ...
    geo.errors.SchedulerError: --scheduler 'thread': use threads, processes, synchronous or the address of a running dask scheduler (tcp://host:8786)
    """
    if value in SCHEDULERS or _ADDRESS.match(value):
        return value
    msg = (
        f"--scheduler {value!r}: use {', '.join(SCHEDULERS)} or the address of a running "
        "dask scheduler (tcp://host:8786)"
    )
    raise SchedulerError(msg)


@dataclass(frozen=True)
class Execution:
    """Where and in what pieces the raster steps run.

    Parameters
    ----------
    scheduler : str
        ``threads``, ``processes``, ``synchronous`` or a distributed scheduler's address.
    chunk_size : int, optional
        Cells per side of a chunk; None chooses it from the memory available.
    progress : bool
        Show a progress bar per step on stderr, counting chunks.
    client : distributed.Client, optional
        A connected client (given from Python, or opened by :func:`connected` for an
        address); it wins over *scheduler*.
    scratch : path, optional
        Folder of the results too large to hold whole (:func:`grid_array`); the
        build gives one beside its staging folder, removed with it; by default the
        system's temporary folder.
    """

    scheduler: str = "threads"
    chunk_size: int | None = None
    progress: bool = False
    client: Any = None
    scratch: str | None = None

    def __post_init__(self) -> None:
        if self.client is None:
            check_scheduler(self.scheduler)
        if self.chunk_size is not None and self.chunk_size < 1:
            msg = f"--chunk-size {self.chunk_size}: give a positive number of cells per side"
            raise ResourceError(msg)

    @property
    def distributed(self) -> bool:
        """Whether the chunks run on a dask.distributed cluster."""
        return self.client is not None or self.scheduler not in SCHEDULERS

    def workers(self) -> int:
        """How many chunks may be computed at once on one machine (threads of one worker)."""
        if self.client is not None:
            threads = list(self.client.nthreads().values())
            return max(threads, default=1)
        if self.scheduler == "synchronous":
            return 1
        return os.cpu_count() or 1

    def local_threads(self) -> int:
        """Threads the steps that run in this process may use (the writers' compression).

        One for ``synchronous``, else this machine's cores: a cluster computes the chunks,
        but the files are written here.
        """
        return self.workers() if self.client is None else os.cpu_count() or 1

    def describe(self) -> str:
        """The scheduler for a log line."""
        if self.client is not None:
            return f"dask.distributed at {self.client.scheduler.address}"
        return self.scheduler


@contextlib.contextmanager
def connected(execution: Execution, timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Execution]:
    """*execution* with a client connected to its scheduler's address (closed on exit).

    Local schedulers and a client given from Python pass through unchanged. Inside,
    dask's default scheduler is the execution's, so a writer computing a dask array
    runs it there too.

    Raises
    ------
    SchedulerError
        Nothing answers at the address within *timeout* seconds.
    """
    import dask

    if execution.client is not None or execution.scheduler in SCHEDULERS:
        with dask.config.set(scheduler=execution.client or execution.scheduler):
            yield execution
        return
    from distributed import Client

    address = execution.scheduler
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        msg = (
            f"--scheduler {address}: no dask scheduler answers there (waited {timeout:g} s); "
            f"start one with `dask scheduler` and workers with `dask worker {address}`, "
            "or use --scheduler threads"
        )
        raise SchedulerError(msg) from exc
    try:
        if not client.nthreads():
            log.warning("the dask scheduler at %s has no worker yet; chunks wait for one", address)
        with dask.config.set(scheduler=client):
            yield replace(execution, client=client)
    finally:
        client.close()


def resolve_chunk_size(
    execution: Execution, *, halo: int, cell_bytes: float, what: str, fitted: int
) -> int:
    """The chunk side for a step: the one asked, raised to the halo, refused above memory.

    Parameters
    ----------
    execution : Execution
        Its ``chunk_size`` (None: *fitted*).
    halo : int
        Cells a kernel reads beyond its chunk; a chunk is at least this wide.
    cell_bytes : float
        Bytes one cell of a chunk holds while it is computed (the cost model).
    what : str
        The step, for the note and the refusal.
    fitted : int
        The side the cost model fits in the memory available (:func:`geo.cost.default_chunk_size`).

    Raises
    ------
    ResourceError
        The asked size would not fit in memory with the scheduler's workers.
    """
    from geo.cost import FIT_SHARE, available_memory

    size = execution.chunk_size
    if size is None:
        return max(fitted, halo, 1)
    if size < halo:
        log.warning(
            "--chunk-size %d is below the %d-cell halo of %s; raised to %d", size, halo, what, halo
        )
        size = halo
    workers = execution.workers()
    need = 2 * workers * size * size * cell_bytes  # a chunk computing and one handed back, each
    available = available_memory()
    if need > FIT_SHARE * available:
        msg = (
            f"--chunk-size {size}: {workers} chunks of {size}×{size} cells for {what} need about "
            f"{need / 1e9:.1f} GB, more than {FIT_SHARE:.0%} of the {available / 1e9:.1f} GB "
            f"available; use --chunk-size {max(halo, 1, fitted)} or leave it out"
        )
        raise ResourceError(msg)
    return size


def chunk_side(
    execution: Execution | None, shape: tuple[int, int], *, cell_bytes: float, what: str
) -> int:
    """The chunk side of a step over a grid of *shape*.

    The whole grid without an execution, else the size asked or the largest the cost
    model fits (:func:`resolve_chunk_size`).
    """
    from geo.cost import available_memory, default_chunk_size

    if execution is None:
        return max(shape)
    fitted = default_chunk_size(
        cell_bytes,
        workers=execution.workers(),
        available=available_memory(),
        cells=shape[0] * shape[1],
    )
    return resolve_chunk_size(execution, halo=0, cell_bytes=cell_bytes, what=what, fitted=fitted)


def _bounds(n: int, size: int) -> tuple[int, ...]:
    """The dask chunks of *n* cells in pieces of *size* (the last one shorter)."""
    return tuple(min(size, n - s) for s in range(0, n, size)) or (0,)


Sink = Callable[[tuple[slice, ...], np.ndarray], None]
"""Takes a finished chunk: where it lies in the ``(layers, rows, cols)`` result, and its values."""


def grid_array(
    shape: tuple[int, int], dtype: Any, execution: Execution | None, *, fill: float | int = 0
) -> Any:
    """An array of the grid's *shape* for a result filled chunk by chunk.

    A numpy array when the grid is held whole (no *execution*, or at most
    :data:`geo.raster.MEMORY_CELLS` cells), else a :class:`~geo.raster.StoredArray` in the
    execution's scratch folder: either slices and takes chunks the same way, and the
    writers read both by bands (:func:`geo.raster.bands`).
    """
    import geo.raster as raster

    if execution is None or shape[0] * shape[1] <= raster.MEMORY_CELLS:
        return np.full(shape, fill, dtype=dtype)
    return raster.StoredArray(shape, dtype, execution.scratch, fill=fill)


def grid_map(
    kernel: Callable[[slice, slice], np.ndarray],
    shape: tuple[int, int],
    layers: int,
    execution: Execution | None,
    *,
    step: str,
    dtype: str = "float64",
    chunk_size: int | None = None,
) -> np.ndarray:
    """``kernel(rows, cols)`` over the grid: numpy at once, or dask chunks gathered.

    *kernel* computes the cells of one window (row and column slices of the grid)
    and returns ``(layers, rows, cols)`` values; its value at a cell must not depend
    on the window (the dispersion kernel sums each cell's sources on its own), so
    every chunking gives the same bytes. Without an *execution* the whole grid is
    one call (the in-memory path).
    """
    rows, cols = shape
    if execution is None:
        return kernel(slice(0, rows), slice(0, cols))
    arr = _chunked(kernel, shape, layers, execution, dtype, chunk_size)
    return np.asarray(gather(arr, execution, step=step))


def grid_each(
    kernel: Callable[[slice, slice], np.ndarray],
    shape: tuple[int, int],
    layers: int,
    execution: Execution | None,
    sink: Sink,
    *,
    step: str,
    dtype: str = "float64",
    chunk_size: int | None = None,
) -> None:
    """:func:`grid_map` handing each chunk to *sink* as it finishes, instead of gathering.

    The caller keeps the layers in arrays of its own types (a class raster in
    uint8, not in the stack's float32), so the process holds those and the
    chunks in flight.
    """
    rows, cols = shape
    if execution is None:
        sink(
            (slice(0, layers), slice(0, rows), slice(0, cols)),
            kernel(slice(0, rows), slice(0, cols)),
        )
        return
    arr = _chunked(kernel, shape, layers, execution, dtype, chunk_size)
    gather(arr, execution, step=step, sink=sink)


def _chunked(
    kernel: Callable[[slice, slice], np.ndarray],
    shape: tuple[int, int],
    layers: int,
    execution: Execution,
    dtype: str,
    chunk_size: int | None,
) -> Any:
    """The lazy dask array of *kernel* over the grid in square chunks."""
    import dask.array as da

    rows, cols = shape
    size = chunk_size or execution.chunk_size or max(rows, cols, 1)
    template = da.zeros(shape, chunks=(_bounds(rows, size), _bounds(cols, size)), dtype=bool)
    return da.map_blocks(
        _at_location,
        template,
        kernel=kernel,
        new_axis=0,
        chunks=((layers,), *template.chunks),
        dtype=dtype,
        meta=np.empty((0, 0, 0), dtype=dtype),
    )


def _at_location(
    block: np.ndarray, *, kernel: Callable[[slice, slice], np.ndarray], block_info: Any = None
) -> np.ndarray:
    """The kernel on the window of the grid that *block* covers."""
    (r0, r1), (c0, c1) = block_info[0]["array-location"]
    return kernel(slice(r0, r1), slice(c0, c1))


def map_cells(
    kernel: Callable[[np.ndarray], np.ndarray],
    array: Any,
    *,
    halo: int = 0,
    boundary: str = "nearest",
    dtype: Any = None,
) -> Any:
    """*kernel* over *array*: straight on a numpy array, chunk by chunk on a dask array.

    A kernel reading *halo* cells around each cell (a 3×3 slope: 1) gets its chunk
    with that margin from the neighbouring chunks (:func:`dask.array.map_overlap`,
    *boundary* at the grid's edge) and its margin is cut off again, so the result is
    the one of the whole array. The result is lazy for a dask array; :func:`gather`
    computes it.
    """
    try:
        import dask.array as da
    except ImportError:  # pragma: no cover - dask is a dependency
        return kernel(array)
    if not isinstance(array, da.Array):
        return kernel(np.asarray(array))
    out_dtype = dtype if dtype is not None else array.dtype
    if halo <= 0:
        return da.map_blocks(kernel, array, dtype=out_dtype)
    small = min(min(c) for c in array.chunks)
    if small < halo:
        log.warning("chunks of %d cells are below the halo of %d: rechunked", small, halo)
        array = array.rechunk(tuple(max(halo, max(c)) for c in array.chunks))
    return da.map_overlap(kernel, array, depth=halo, boundary=boundary, trim=True, dtype=out_dtype)


def gather(arr: Any, execution: Execution, *, step: str, sink: Sink | None = None) -> Any:
    """Compute the dask array *arr* on the execution's scheduler into one numpy array.

    Chunks are copied into the result as they finish and let go, so the process
    holds the result and the chunks in flight, never the result twice. With a *sink*
    each chunk goes to it instead and None is returned. A progress bar named *step*
    counts the chunks.

    Raises
    ------
    ChunkError
        A dask worker died or the cluster lost its workers: the step is named.
    """
    out = np.empty(arr.shape, dtype=arr.dtype) if sink is None else None

    def put(where: tuple[slice, ...], block: np.ndarray) -> None:
        if out is None:
            assert sink is not None
            sink(where, block)
        else:
            out[where] = block

    blocks = _blocks(arr)
    places = [_place(arr.chunks, idx) for idx in np.ndindex(*arr.numblocks)]
    bar = chunk_steps(len(blocks), step, enabled=execution.progress)
    started = time.perf_counter()
    try:
        if execution.distributed:
            _gather_distributed(execution.client, blocks, places, put, bar, step)
        else:
            _gather_local(execution, blocks, places, put, bar)
    except (ChunkError, ResourceError):
        raise
    except Exception as exc:
        if not _lost_worker(exc):
            raise
        msg = f"{step}: stopped, a dask worker died or left ({type(exc).__name__}: {exc})"
        raise ChunkError(msg) from exc
    finally:
        bar.close()
    log.info(
        "%s: %d chunks on %s in %.1f s",
        step,
        len(blocks),
        execution.describe(),
        time.perf_counter() - started,
    )
    return out


def _blocks(arr: Any) -> list[Any]:
    """One delayed task per chunk of *arr*, in :func:`numpy.ndindex` order.

    Each holds the part of the optimised graph it needs alone, so a chunk's task never
    carries or culls the graph of every other chunk.
    """
    from dask.core import flatten
    from dask.delayed import Delayed
    from dask.optimization import cull

    keys = list(flatten(arr.__dask_keys__()))
    graph = dict(arr.__dask_optimize__(arr.__dask_graph__(), keys))
    return [Delayed(key, cull(graph, [key])[0]) for key in keys]


def _gather_local(
    execution: Execution, blocks: list[Any], places: list[tuple[slice, ...]], put: Sink, bar: Any
) -> None:
    """Compute the chunks on this machine, a few at a time, handing each to *put* as it finishes.

    At most :data:`IN_FLIGHT_PER_WORKER` chunks per worker are computed or waiting at once,
    so the process never holds every chunk's result; a worker takes the next chunk as soon
    as it is free (no round waits for its slowest chunk). ``synchronous`` computes one
    chunk after another in this thread; ``processes`` sends each chunk's task to a pool of
    processes started once for the step.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    if execution.scheduler == "synchronous":
        for block, where in zip(blocks, places, strict=True):
            put(where, _compute(block))
            bar.update(1)
        return
    limit = IN_FLIGHT_PER_WORKER * execution.workers()
    with _local_pool(execution) as (pool, task):
        todo = iter(zip(blocks, places, strict=True))
        running: dict[Any, tuple[slice, ...]] = {}
        try:
            while True:
                for block, where in todo:
                    running[pool.submit(*task(block))] = where
                    if len(running) >= limit:
                        break
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    put(running.pop(future), future.result())
                    bar.update(1)
        except BaseException:
            for future in running:
                future.cancel()
            raise


def _compute(block: Any) -> np.ndarray:
    """One chunk computed in this thread."""
    import dask

    return np.asarray(dask.compute(block, scheduler="synchronous")[0])


def _compute_pickled(task: bytes) -> np.ndarray:
    """One chunk computed in a worker process, its task sent pickled (cloudpickle)."""
    import cloudpickle

    return _compute(cloudpickle.loads(task))


@contextlib.contextmanager
def _local_pool(execution: Execution) -> Iterator[tuple[Any, Callable[[Any], tuple[Any, ...]]]]:
    """The pool of the local *execution* and how to submit a chunk's task to it."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    if execution.scheduler != "processes":
        with ThreadPoolExecutor(execution.workers(), thread_name_prefix="geo-chunk") as threads:
            yield threads, lambda block: (_compute, block)
        return
    import cloudpickle
    from dask.multiprocessing import get_context, initialize_worker_process

    if os.environ.get("PYTHONHASHSEED") in (None, "0"):  # as dask's own pool does, for hashing
        os.environ["PYTHONHASHSEED"] = "6640"
    with ProcessPoolExecutor(
        execution.workers(), mp_context=get_context(), initializer=initialize_worker_process
    ) as pool:
        yield pool, lambda block: (_compute_pickled, cloudpickle.dumps(block))


def _place(chunks: tuple[tuple[int, ...], ...], index: tuple[int, ...]) -> tuple[slice, ...]:
    """The slices of the whole array that block *index* fills."""
    out = []
    for sizes, i in zip(chunks, index, strict=True):
        start = sum(sizes[:i])
        out.append(slice(start, start + sizes[i]))
    return tuple(out)


def _lost_worker(exc: BaseException) -> bool:
    """Whether *exc* says a worker or the connection to the cluster was lost."""
    names = {type(e).__name__ for e in _chain(exc)}
    return bool(names & {"KilledWorker", "CommClosedError", "FutureCancelledError"}) or (
        "BrokenProcessPool" in names
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _gather_distributed(
    client: Any,
    blocks: list[Any],
    places: list[tuple[slice, ...]],
    put: Sink,
    bar: Any,
    step: str,
) -> None:
    """Submit every chunk to the cluster; hand each to *put* as it finishes."""
    from distributed import wait

    futures = client.compute(blocks)
    where = {f.key: places[i] for i, f in enumerate(futures)}
    pending = set(futures)
    alone_since: float | None = None
    while pending:
        try:
            done, pending = wait(pending, timeout=2.0, return_when="FIRST_COMPLETED")
        except TimeoutError:  # nothing finished in 2 s: is there a worker left?
            done = set()
        for f in done:
            put(where[f.key], f.result())
            f.release()
            bar.update(1)
        if done:
            alone_since = None
        elif not client.nthreads():
            alone_since = alone_since or time.monotonic()
            if time.monotonic() - alone_since > WORKERLESS_S:
                client.cancel(list(pending))
                msg = f"{step}: stopped, the dask cluster has had no worker for {WORKERLESS_S:g} s"
                raise ChunkError(msg)


def random_field(seed: int, rows: slice, cols: slice, draws: int = 1) -> np.ndarray:
    """Uniform [0, 1) numbers for the cells of a window, ``(draws, rows, cols)``, by position.

    The grid is cut into fixed :data:`RANDOM_TILE`-cell tiles, each seeded from *seed*
    and its position; a window takes the cells of the tiles it meets. So the numbers of
    a cell depend on the seed and the cell alone, never on the chunking or the worker.

    Examples
    --------
    >>> whole = random_field(7, slice(0, 300), slice(0, 300))
    >>> part = random_field(7, slice(250, 300), slice(100, 280))
    >>> bool((whole[:, 250:300, 100:280] == part).all())
    True
    """
    r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
    out = np.empty((draws, r1 - r0, c1 - c0))
    t = RANDOM_TILE
    for tr in range(r0 // t, math.ceil(r1 / t)):
        for tc in range(c0 // t, math.ceil(c1 / t)):
            rng = np.random.default_rng(np.random.SeedSequence([seed, tr, tc]))
            tile = rng.random((draws, t, t))
            a0, a1 = max(r0, tr * t), min(r1, (tr + 1) * t)
            b0, b1 = max(c0, tc * t), min(c1, (tc + 1) * t)
            out[:, a0 - r0 : a1 - r0, b0 - c0 : b1 - c0] = tile[
                :, a0 - tr * t : a1 - tr * t, b0 - tc * t : b1 - tc * t
            ]
    return out
