"""Land suitability and pollution in chunks (geo.chunks) against the whole-array path.

Each case builds a theme (``maps/land_suitability.toml`` or ``maps/pollution.toml``, its cell
size set so the grid has about N² cells; pollution with a light wind scan of 4 directions × 2
speeds so the larger sizes stay within minutes; land suitability with the shipped pollution
recipe built first, at 150 m) in a fresh subprocess and runs every writer of a build on it
(COGs, GeoPackage with its QGIS project, HTML map, PNG sheet; ``--writers cog``: the COGs
alone), compressing on as many threads as a build does. The parent measures
the wall time and the peak resident memory of the whole process tree (the child and every
worker process it starts, summed, polled every 20 ms with psutil).

Modes:

* ``memory``: the whole grid at once in one process (``execution=None``);
* ``synchronous``: chunks one after another (one worker), chunk size from the cost model;
* ``threads``: chunks on dask's threaded scheduler (2 workers here), chunk size from the cost
  model; the last column is the synchronous time over this one (2 workers against 1);
* ``threads-512``: the same with chunks of 512 cells;
* ``processes``: chunks on dask's process scheduler (2 worker processes).

Medians of ``--repeat`` runs. The machine has 2 cores shared with other work, so the times are
indicative; the peaks are steadier. The ``memory`` mode is skipped above ``--memory-max``
cells.

Measured (one run each, 2 shared cores, 3 December 2026, every writer; threads rows of 102 M
and 409 M cells ran beside other work)::

             theme        cells         mode   wall s  peak GB chunked s    1 worker / 2
  land_suitability      994,544       memory      9.4     0.51
  land_suitability      994,544  synchronous     10.0     0.51       3.2
  land_suitability      994,544      threads     10.0     0.55       3.7    0.99× (0.86×)
  land_suitability   15,972,174       memory     60.6     4.49
  land_suitability   15,972,174  synchronous     58.6     1.40      43.4
  land_suitability   15,972,174      threads     42.6     0.85      23.9    1.38× (1.82×)
  land_suitability  102,172,258      threads    345.5     0.85     276.4
  land_suitability  408,649,484      threads   2280.8     1.17    1888.4
         pollution      997,030       memory     16.2     0.45
         pollution      997,030  synchronous     18.4     0.48       1.7
         pollution      997,030      threads     18.4     0.52       1.8    1.00× (0.94×)
         pollution   16,005,194       memory     61.7     3.26

Later the same day, with the dispersion no longer making the whole grid's cell centres, the
writers compressing on two threads and at most 2 GiB of chunks in flight (chunks of 1024;
pollution's 408 M row in chunks of 512), on a busier machine::

  land_suitability   15,972,174  synchronous     63.0     0.71      43.4
  land_suitability   15,972,174      threads     51.9     0.83      32.4    1.21× (1.34×)
  land_suitability   15,972,174    processes     56.5     1.33      35.3
         pollution   16,005,194  synchronous     36.8     0.56      12.9
         pollution   16,005,194      threads     34.9     0.95      12.2    1.06× (1.06×)
         pollution   16,005,194    processes     33.4     1.26      12.6
         pollution   99,531,015      threads    137.5     1.04      57.1
         pollution  407,620,836      threads    611.1     0.92     298.1
  land_suitability  102,172,258  synchronous    513.8     0.55     444.2
  land_suitability  102,172,258      threads    263.6     0.84     209.7    1.95× (2.12×)

Above 4 M cells the results are stored (geo.raster.MEMORY_CELLS), so the peak is set by the
chunks in flight, not by the grid. The ratio in brackets is that of the chunked steps alone;
the class polygons, zone tables and the GeoPackage run on one core, so two workers gain most
where the chunked steps dominate: 1.95× on the whole run at 102 M cells, 1.2-1.4× at 16 M. How much two workers gain
depends on how much of the two shared cores the machine gives at that moment: the first line
prints the speedup of two pure-Python processes over one, measured at the start of the run.
The whole basin at 30 m: ``bench/bench_basin.py``.

Usage::

    python bench/bench_chunks.py [--repeat 2] [--sizes 1000,4000] [--modes memory,threads]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's geo, whatever is installed
MAPS = REPO / "maps"
MODES = ("memory", "synchronous", "threads", "threads-512", "processes")
THEMES = ("land_suitability", "pollution")
REFERENCE_CELL = {"pollution": 150.0, "land_suitability": 100.0}
"""The shipped recipes' cell sizes (m)."""


def _recipe(folder: Path, cells: int, theme: str) -> tuple[Path, int]:
    """A copy of *theme*'s recipe whose grid has about *cells* cells; its real cell count."""
    from geo.area import resolve_area
    from geo.catalog import Catalog
    from geo.recipe import load_recipe
    from geo.themes import pollution, suitability

    text = (MAPS / f"{theme}.toml").read_text(encoding="utf-8")
    edits = {
        r"directions = \[[^\]]*\]": "directions = [0, 90, 180, 270]",
        r"frequencies = \[[^\]]*\]": "frequencies = [0.4, 0.2, 0.1, 0.3]",
        r"speeds = \[[^\]]*\]": "speeds = [0.5, 2.0]",
    }
    for pattern, new in edits.items() if theme == "pollution" else ():
        text, n = re.subn(pattern, new, text, count=1)
        assert n == 1, pattern
    catalog = Catalog()
    module = pollution if theme == "pollution" else suitability

    def grid_cells(size: float) -> int:
        path = folder / f"{theme}.toml"
        path.write_text(re.sub(r"cell_size_m = \d+", f"cell_size_m = {size:g}", text), "utf-8")
        s = module.read_settings(load_recipe(path), catalog)
        grid = resolve_area(catalog, s.area).grid()
        return grid.width * grid.height

    ref = REFERENCE_CELL[theme]
    size = round(ref * math.sqrt(grid_cells(ref) / cells), 1)
    return folder / f"{theme}.toml", grid_cells(size)


def _child(mode: str, recipe: str, out: str, writers: str = "all") -> None:
    """Build the theme and write it (run in the measured subprocess).

    Land suitability reads the pollution theme's index and sanitary zones: the shipped
    pollution recipe (150 m, about 0.3 M cells) is built first, on the same scheduler.
    *writers* ``all`` runs every writer of a build (COGs, GeoPackage with its QGIS project,
    HTML map, PNG sheet) on the theme's result; ``cog`` the COGs alone. Results too large to
    hold go to a scratch folder beside *out*, as in a build.
    """
    import logging
    import shutil

    from geo.build import BuildContext, run_recipe
    from geo.catalog import Catalog
    from geo.chunks import Execution
    from geo.recipe import load_recipe
    from geo.themes.base_layers import base_result
    from geo.writers.cog import compression_threads, write_rasters
    from geo.writers.registry import WRITERS

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("geo.chunks").addHandler(handler)
    logging.getLogger("geo.chunks").setLevel(logging.INFO)
    Path(out).mkdir(parents=True)
    scratch = Path(f"{out}-scratch")
    scratch.mkdir()
    execution = {
        "memory": None,
        "synchronous": Execution("synchronous"),
        "threads": Execution("threads"),
        "threads-512": Execution("threads", chunk_size=512),
        "processes": Execution("processes"),
    }[mode]
    if execution is not None:
        execution = dataclasses.replace(execution, scratch=str(scratch))
    catalog = Catalog()
    results = {}
    try:
        if Path(recipe).stem == "land_suitability":
            ctx = BuildContext(catalog, execution=execution)
            results["pollution"] = run_recipe(ctx, load_recipe(MAPS / "pollution.toml"))
        ctx = BuildContext(catalog, results=results, execution=execution)
        res = run_recipe(ctx, load_recipe(recipe))
        threads = execution.local_threads() if execution is not None else 1
        with compression_threads(threads):
            if writers == "cog":
                write_rasters([res], Path(out))
            else:
                base = base_result(ctx.inputs())
                for writer in WRITERS:
                    writer.write([res], base, Path(out), "en", ())
        print(res.rasters[0].raster.array.size, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


_CHUNKED = re.compile(r"^.+: \d+ chunks on .+ in ([\d.]+) s$", re.MULTILINE)
"""The line :func:`geo.chunks.gather` logs for each chunked step."""


def run_measured(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run *cmd*: its wall time (s), the peak RSS of its process tree (bytes), its outcome."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)
    peak = [0]

    def poll() -> None:
        while child.poll() is None:
            try:
                peak[0] = max(peak[0], _tree_rss(proc))
            except psutil.Error:
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=poll)
    watcher.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    return seconds, peak[0], subprocess.CompletedProcess(cmd, child.returncode, out, err)


def chunked_seconds(stderr: str) -> float:
    """Seconds of the chunked steps a run logged (:data:`_CHUNKED`)."""
    return sum(float(t) for t in _CHUNKED.findall(stderr))


def _measure(mode: str, recipe: Path, writers: str) -> tuple[float, int, float]:
    """Wall time (s), peak tree RSS (bytes) and seconds in chunked steps of one child run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out")
        cmd = [sys.executable, __file__, "--child", mode, str(recipe), out, writers]
        seconds, peak, done = run_measured(cmd)
        err = done.stderr
        if done.returncode != 0:
            msg = (
                f"{mode} failed: {err.strip().splitlines()[-1] if err.strip() else done.returncode}"
            )
            raise RuntimeError(msg)
        return seconds, peak, chunked_seconds(err)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def machine_speedup(n: int = 20_000_000) -> float:
    """How much faster the machine runs two CPU-bound processes at once than one after another.

    The peer of the "1 worker / 2" column, measured in the same run: on 2 cores shared with
    other work it is the most two workers can gain at that moment.
    """
    import multiprocessing

    started = time.perf_counter()
    _spin(n), _spin(n)
    serial = time.perf_counter() - started
    started = time.perf_counter()
    with multiprocessing.Pool(2) as pool:
        pool.map(_spin, [n, n])
    return serial / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--child", nargs=4, metavar=("MODE", "RECIPE", "OUT", "WRITERS"), help=argparse.SUPPRESS
    )
    ap.add_argument(
        "--writers", choices=("all", "cog"), default="all", help="every writer, or COGs"
    )
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", default="1000,4000", help="grid sides N (about N² cells)")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--themes", default=",".join(THEMES))
    ap.add_argument("--memory-max", type=int, default=20_000_000, help="largest grid for 'memory'")
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    modes = [m for m in args.modes.split(",") if m]
    what = "every writer" if args.writers == "all" else "COGs"
    print(f"theme + {what} (pollution: 4 directions × 2 speeds); median of {args.repeat}; "
          f"{psutil.cpu_count()} cores (shared: times are indicative); two processes of pure "
          f"Python run {machine_speedup():.2f}× faster than one now")  # fmt: skip
    print(f"{'theme':>17} {'cells':>12} {'mode':>12} {'wall s':>8} {'peak GB':>8} {'chunked s':>9}  "
          f"{'vs memory':>16} {'1 worker / 2':>16}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for theme in (t for t in args.themes.split(",") if t):
            for side in (int(s) for s in args.sizes.split(",")):
                folder = Path(tmp) / f"{theme}-{side}"
                folder.mkdir()
                recipe, cells = _recipe(folder, side * side, theme)
                _rows(theme, recipe, cells, modes, args)


def _rows(theme: str, recipe: Path, cells: int, modes: list[str], args: argparse.Namespace) -> None:
    """One line per mode: median wall time, peak and seconds in chunked steps; ratios to memory,
    and of 1 worker to 2 (the whole run, and its chunked steps alone)."""
    seen: dict[str, tuple[float, float, float]] = {}
    for mode in modes:
        if mode == "memory" and cells > args.memory_max:
            print(f"{theme:>17} {cells:>12,} {mode:>12} {'skipped (above --memory-max)':>36}")
            continue
        runs = [_measure(mode, recipe, args.writers) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs) / 1e9
        chunked = statistics.median(r[2] for r in runs)
        seen[mode] = (wall, peak, chunked)
        base = seen.get("memory")
        vs = f"{wall / base[0]:.2f}× t {peak / base[1]:.2f}× m" if base else ""
        one, two = seen.get("synchronous"), seen.get("threads")
        speedup = ""
        if mode in ("threads", "synchronous") and one and two:
            speedup = f"{one[0] / two[0]:.2f}× ({one[2] / max(two[2], 1e-9):.2f}×)"
        shown = f"{chunked:.1f}" if mode != "memory" else ""
        print(f"{theme:>17} {cells:>12,} {mode:>12} {wall:>8.1f} {peak:>8.2f} {shown:>9}  {vs:>16} "
              f"{speedup:>16}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
