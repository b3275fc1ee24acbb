"""Estimated against measured peak memory and time of `geo map` (issue 12, "A cost estimate").

Each case runs ``geo map`` in a fresh subprocess on an edited copy of a recipe in a
temporary folder, and measures the child's wall time and peak resident set (``/usr/bin/time
-v``'s "Maximum resident set size" when present, else ``RUSAGE_CHILDREN`` of a one-shot
wrapper process). Beside it, :func:`geo.cost.estimate` is asked the same question before the
run; the table prints the recipe's grid cells, estimated and measured peak memory and time, and their ratios.
The peer measured in the same run is ``python -c "import geo.build"`` (the import floor every
``geo map`` pays).

Cases:

* ``maps/land_suitability.toml`` at 100, 50 and 25 m cells (7 criteria, 200 Monte Carlo
  draws, as shipped; the pollution theme it requires is built from its default recipe and
  is part of the measurement, so the estimate combines both themes);
* ``maps/pollution.toml`` at 150 and 75 m grid cells.

Medians of ``--runs`` repeats (the finest land-suitability size runs once unless
``--runs-fine`` says otherwise). Exits 1 if an estimated / measured peak-memory ratio lies
outside 0.7–1.3; the time ratio is reported, not enforced. ``--calibrate`` adds the cases that
separate the coefficients of ``geo/cost.py`` (35 and 15 m; 20 and 600 draws and 4 criteria at
25 m; the two themes without a grid), about 4 minutes more. A default run takes about 4 minutes on 2 cores.

Usage::

    python bench/bench_cost.py [--runs 2] [--runs-fine 1] [--sizes 100,50,25] [--no-pollution]
"""

from __future__ import annotations

import argparse
import importlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from geo.catalog import Catalog
from geo.cost import CostEstimate, combine
from geo.recipe import Recipe, load_recipe
from geo.themes import THEMES

REPO = Path(__file__).resolve().parent.parent
MAPS = REPO / "maps"
MEMORY_BAND = (0.7, 1.3)


@dataclass(frozen=True)
class Measured:
    """Wall time (s) and peak resident set (bytes) of one child process."""

    seconds: float
    peak_bytes: int


def run_measured(cmd: list[str]) -> Measured:
    """Run *cmd*; its wall time and peak RSS (``/usr/bin/time -v`` or a one-shot wrapper)."""
    if Path("/usr/bin/time").exists():
        full = ["/usr/bin/time", "-v", *cmd]
    else:  # a wrapper whose only child is cmd: its RUSAGE_CHILDREN is cmd's peak
        wrapper = (
            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print('Maximum resident set size (kbytes):', "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
        )
        full = [sys.executable, "-c", wrapper, *cmd]
    t0 = time.perf_counter()
    res = subprocess.run(full, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr[-3000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", res.stderr)
    kb = int(m.group(1)) if m else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Measured(seconds, kb * 1024)


def edited_recipe(
    src: Path, dest: Path, edits: dict[str, str], keep: dict[str, float] | None = None
) -> Path:
    """Copy *src* to *dest* with each ``key = value`` line whose key is in *edits* replaced.

    Keys are bare TOML keys (``cell_size_m``, ``cell_size``, ``draws``); the first line
    assigning the key is edited, keeping its comment out. With *keep* (criterion id →
    direct weight), only those ``[criteria.<id>]`` tables are kept and ``[weights]`` becomes
    ``method = "direct"`` with those values.
    """
    text = src.read_text(encoding="utf-8")
    if keep:
        text = _keep_criteria(text, keep)
    for key, value in edits.items():
        pat = re.compile(rf"^({re.escape(key)}\s*=\s*)[^#\n]*", re.MULTILINE)
        text, n = pat.subn(rf"\g<1>{value}", text, count=1)
        if n != 1:
            sys.exit(f"{src}: no line '{key} = ...' to edit")
    dest.write_text(text, encoding="utf-8")
    return dest


def _keep_criteria(text: str, keep: dict[str, float]) -> str:
    out, skip = [], False
    values = ", ".join(f"{k} = {v:g}" for k, v in keep.items())
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            m = re.match(r"^\[criteria\.(\w+)", line)
            skip = bool(m and m.group(1) not in keep) or line.startswith("[weights]")
            if line.startswith("[weights]"):
                out.append(f'[weights]\nmethod = "direct"\nvalues = {{ {values} }}\n\n')
        if not skip:
            out.append(line)
    return "".join(out)


def geo_map(recipe: Path, out: Path) -> list[str]:
    """The ``geo map`` command line building *recipe* into *out*."""
    return [sys.executable, "-m", "geo.cli", "map", str(recipe), "--out", str(out), "-q"]


def theme_estimate(recipe: Recipe, catalog: Catalog) -> CostEstimate:
    """The estimate the build makes for one recipe: its theme's own ``estimate``."""
    theme = importlib.import_module(THEMES[str(recipe.data["theme"])])
    est: CostEstimate = theme.estimate(theme.read_settings(recipe, catalog), catalog)[0]
    return est


def expected(recipe_path: Path) -> tuple[CostEstimate, int]:
    """The estimate of a ``geo map`` of *recipe_path* (the themes it requires, then its own)
    and the cells of its own grid."""
    from geo.themes.base import ThemeSpec

    catalog = Catalog()
    recipe = load_recipe(recipe_path)
    spec: ThemeSpec = importlib.import_module(THEMES[str(recipe.data["theme"])]).SPEC
    required = [load_recipe(MAPS / f"{t}.toml") for t in spec.requires]
    own = theme_estimate(recipe, catalog)
    return combine([*(theme_estimate(r, catalog) for r in required), own]), own.cells


@dataclass(frozen=True)
class Row:
    """One case of the table."""

    label: str
    est: CostEstimate
    got: Measured
    runs: int
    cells: int

    @property
    def memory_ratio(self) -> float:
        return self.est.peak_bytes / self.got.peak_bytes

    @property
    def time_ratio(self) -> float:
        return self.est.seconds / self.got.seconds


def measure_case(label: str, recipe: Path, runs: int, tmp: Path) -> Row:
    """Median time and peak of *runs* ``geo map`` runs of *recipe*, with the estimate."""
    est, cells = expected(recipe)
    got = []
    for i in range(runs):
        out = tmp / f"out_{recipe.stem}_{i}"
        got.append(run_measured(geo_map(recipe, out)))
        shutil.rmtree(out, ignore_errors=True)
    med = Measured(
        statistics.median(g.seconds for g in got),
        int(statistics.median(g.peak_bytes for g in got)),
    )
    row = Row(label, est, med, runs, cells)
    print(_line(row), flush=True)
    return row


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f}"


HEADER = (
    f"  {'case':36s} {'cells':>10s} {'est GB':>7s} {'meas GB':>8s} {'ratio':>6s}"
    f" {'est s':>7s} {'meas s':>7s} {'ratio':>6s} {'runs':>4s}"
)


def _line(r: Row) -> str:
    return (
        f"  {r.label:36s} {r.cells:>10d} {_gb(r.est.peak_bytes):>7s} {_gb(r.got.peak_bytes):>8s}"
        f" {r.memory_ratio:6.2f} {r.est.seconds:7.1f} {r.got.seconds:7.1f} {r.time_ratio:6.2f} {r.runs:>4d}"
    )


def suitability_cases(
    sizes: list[float],
    runs: int,
    runs_fine: int,
    tmp: Path,
    extra: dict[str, str] | None = None,
    keep: dict[str, float] | None = None,
) -> list[Row]:
    rows = []
    for size in sizes:
        edits = {"cell_size_m": f"{size:g}", **(extra or {})}
        tag = "_".join(f"{k}{v}" for k, v in edits.items()) + (f"_c{len(keep)}" if keep else "")
        recipe = edited_recipe(MAPS / "land_suitability.toml", tmp / f"ls_{tag}.toml", edits, keep)
        notes = [f"{k}={v}" for k, v in (extra or {}).items()]
        notes += [f"{len(keep)} criteria"] if keep else []
        label = f"land_suitability {size:g} m" + (f" ({', '.join(notes)})" if notes else "")
        rows.append(measure_case(label, recipe, runs_fine if size == min(sizes) else runs, tmp))
    return rows


def pollution_cases(sizes: list[float], runs: int, tmp: Path) -> list[Row]:
    rows = []
    for size in sizes:
        recipe = edited_recipe(
            MAPS / "pollution.toml", tmp / f"pol_{size:g}.toml", {"cell_size_m": f"{size:g}"}
        )
        rows.append(measure_case(f"pollution {size:g} m", recipe, runs, tmp))
    return rows


def calibration_cases(tmp: Path) -> list[Row]:
    """Cases that separate the coefficients: more sizes, draws and criteria varied, no grid."""
    rows = suitability_cases([35.0, 15.0], 1, 1, tmp)
    for draws in (20, 600):
        rows += suitability_cases([25.0], 1, 1, tmp, {"draws": str(draws)})
    four = {"soil": 0.4, "slope": 0.25, "water": 0.2, "elevation": 0.15}
    rows += suitability_cases([25.0], 1, 1, tmp, keep=four)
    for name in ("infrastructure_wear", "sustainability"):
        recipe = edited_recipe(MAPS / f"{name}.toml", tmp / f"{name}.toml", {})
        rows.append(measure_case(name, recipe, 1, tmp))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--runs-fine", type=int, default=1, help="repeats at the finest size")
    ap.add_argument("--sizes", default="100,50,25", help="land-suitability cell sizes, m")
    ap.add_argument("--pollution-sizes", default="150,75", help="pollution grid cell sizes, m")
    ap.add_argument("--no-pollution", action="store_true")
    ap.add_argument("--calibrate", action="store_true", help="also vary draws and criteria")
    a = ap.parse_args()
    sizes = sorted((float(v) for v in a.sizes.split(",")), reverse=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        floor = statistics.median(
            run_measured([sys.executable, "-c", "import geo.build"]).seconds for _ in range(3)
        )
        print(f"peer, `python -c 'import geo.build'`: median {floor:.2f} s")
        print(HEADER)
        rows = suitability_cases(sizes, a.runs, a.runs_fine, tmp)
        if not a.no_pollution:
            rows += pollution_cases([float(v) for v in a.pollution_sizes.split(",")], a.runs, tmp)
        if a.calibrate:
            rows += calibration_cases(tmp)
    lo, hi = MEMORY_BAND
    bad = [r for r in rows if not lo <= r.memory_ratio <= hi]
    times = [r.time_ratio for r in rows]
    print(
        f"memory ratio estimated / measured: {min(r.memory_ratio for r in rows):.2f}–"
        f"{max(r.memory_ratio for r in rows):.2f} (band {lo}–{hi});"
        f" time ratio {min(times):.2f}–{max(times):.2f} (reported, not enforced)"
    )
    if bad:
        print("OUTSIDE the band: " + ", ".join(r.label for r in bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
