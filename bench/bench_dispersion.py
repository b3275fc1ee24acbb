"""Benchmark: OND-86 ground field, 50 stacks × 16 wind directions on a 1000 × 1000 grid.

Measured: :func:`geo.models.dispersion.ground_field` (cone-bounded row blocks),
in float64 and float32, with one and two threads. Peer, measured in the same
run on the same grid: the straightforward numpy way, one full-grid pass per
stack and direction (rotate, s1, s2, accumulate, with ``s1_coefficient`` and
``s2_coefficient`` on whole 1000 × 1000 arrays), timed on a subset of the
stacks and scaled (it is linear in the number of stacks), and a single numpy
pass over the grid (``a * b + c``) as the memory-bandwidth floor per evaluation.

Run: ``python bench/bench_dispersion.py [--repeat 3] [--size 1000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from geo.models.dispersion import (
    Stacks,
    WindRose,
    ground_field,
    max_concentration,
    p_coefficient,
    r_coefficient,
    s1_coefficient,
    s2_coefficient,
)


def make_case(
    n_stacks: int, size: int, cell: float
) -> tuple[np.ndarray, np.ndarray, Stacks, np.ndarray, WindRose]:
    rng = np.random.default_rng(42)
    extent = size * cell
    xc = np.arange(size) * cell + cell / 2
    yc = xc[::-1].copy()
    st = Stacks(
        tuple(f"s{i}" for i in range(n_stacks)),
        rng.uniform(0.2 * extent, 0.8 * extent, n_stacks),
        rng.uniform(0.2 * extent, 0.8 * extent, n_stacks),
        rng.uniform(15, 80, n_stacks),
        rng.uniform(0.5, 3.0, n_stacks),
        rng.uniform(3, 15, n_stacks),
        rng.uniform(60, 200, n_stacks),
        np.full(n_stacks, 25.0),
        np.zeros(n_stacks, bool),
    )
    em = rng.uniform(0.1, 10.0, (n_stacks, 1))
    wind = WindRose.uniform(16, (2.0,))
    return xc, yc, st, em, wind


def naive(xc: np.ndarray, yc: np.ndarray, st: Stacks, em: np.ndarray, wind: WindRose) -> np.ndarray:
    """One full-grid numpy pass per stack and direction (the peer)."""
    unit = max_concentration(st.height, st.diameter, st.velocity, st.gas_temp, st.air_temp)
    X, Y = np.meshgrid(xc, yc)
    best = np.zeros_like(X)
    u = wind.speeds[0]
    for theta in wind.directions:
        rad = np.deg2rad(theta)
        wx, wy = -np.sin(rad), -np.cos(rad)
        case = np.zeros_like(X)
        for i in range(len(st)):
            q = u / unit.um[i]
            xm, cm = p_coefficient(q) * unit.xm[i], r_coefficient(q) * unit.cm[i]
            dx, dy = X - st.x[i], Y - st.y[i]
            xa = dx * wx + dy * wy
            ya = dx * wy - dy * wx
            with np.errstate(divide="ignore", invalid="ignore"):
                case += em[i, 0] * cm * s1_coefficient(xa / xm) * s2_coefficient(ya, xa, u)
        np.maximum(best, case, out=best)
    return best


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--stacks", type=int, default=50)
    ap.add_argument(
        "--cell", type=float, default=10.0, help="cell size (m); the grid spans size × cell"
    )
    ap.add_argument(
        "--peer-stacks", type=int, default=5, help="stacks actually run by the peer (then scaled)"
    )
    args = ap.parse_args()
    xc, yc, st, em, wind = make_case(args.stacks, args.size, args.cell)
    nominal = args.stacks * len(wind.directions) * args.size * args.size
    print(f"{args.stacks} stacks × {len(wind.directions)} directions × {args.size}×{args.size} cells "
          f"= {nominal / 1e6:.0f} M source-cell evaluations (nominal); median of {args.repeat}")  # fmt: skip

    results = {}
    for label, kw in (
        ("ground_field float64, 1 thread", {"dtype": "float64", "workers": 1}),
        ("ground_field float32, 1 thread", {"dtype": "float32", "workers": 1}),
        ("ground_field float32, 2 threads", {"dtype": "float32", "workers": 2}),
    ):
        t, out = timed(
            lambda kw=kw: ground_field(
                xc, yc, st, em, np.ones_like(em), wind, add_dangerous_speed=False, **kw
            ),
            args.repeat,
        )
        results[label] = (t, out)
        print(f"{label:<34} {t:8.2f} s  {nominal / t / 1e6:8.1f} M eval/s nominal  "
              f"({out.evaluations / 1e6:.0f} M computed inside the plume cones)")  # type: ignore[attr-defined]  # fmt: skip

    k = min(args.peer_stacks, args.stacks)
    sub = Stacks(st.ids[:k], st.x[:k], st.y[:k], st.height[:k], st.diameter[:k], st.velocity[:k], st.gas_temp[:k],
                 st.air_temp[:k], st.cold[:k])  # fmt: skip
    t_naive, naive_out = timed(lambda: naive(xc, yc, sub, em[:k], wind), max(1, args.repeat - 1))
    t_naive_all = t_naive * args.stacks / k
    print(f"{'peer: full-grid numpy per stack':<34} {t_naive_all:8.2f} s  {nominal / t_naive_all / 1e6:8.1f} M eval/s "
          f"(measured on {k} stacks: {t_naive:.2f} s, scaled ×{args.stacks / k:g})")  # fmt: skip
    ref = ground_field(
        xc, yc, sub, em[:k], np.ones_like(em[:k]), wind, add_dangerous_speed=False, s2_floor=0.0
    )
    diff = float(np.abs(ref.max[0] - naive_out).max()) / float(np.abs(naive_out).max())  # type: ignore[arg-type]
    print(f"  (peer and ground_field agree on those {k} stacks to {diff:.1e} relative)")

    a = np.random.default_rng(0).random((args.size, args.size))
    t_pass, _ = timed(lambda: a * 1.5 + 2.0, max(3, args.repeat))
    floor = t_pass * args.stacks * len(wind.directions)
    print(f"{'floor: one a*b+c pass per eval':<34} {floor:8.2f} s  {nominal / floor / 1e6:8.1f} M eval/s "
          f"(one grid pass {t_pass * 1e3:.1f} ms × {args.stacks * len(wind.directions)})")  # fmt: skip
    best = min(t for t, _ in results.values())
    print(
        f"ratio peer / best ground_field: {t_naive_all / best:.1f}×; best / bandwidth floor: {best / floor:.2f}×"
    )


if __name__ == "__main__":
    main()
