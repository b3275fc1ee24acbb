"""Time `geo build` on the embedded data.

Prints the median wall time of full builds and, as a peer measured in the same
run, the median time of just reading every catalog layer (the I/O and
generation floor), with their ratio. Machines are shared and noisy: compare
medians and ratios, not single runs.

Usage::

    python bench/bench_build.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_cmd(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    read_all = [
        sys.executable,
        "-c",
        "from geo.catalog import Catalog; c = Catalog(); [c.read(i) for i in c.ids]",
    ]
    builds, reads = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "atlas"
        for _ in range(args.runs):
            reads.append(time_cmd(read_all))
            builds.append(
                time_cmd(
                    [
                        sys.executable,
                        "-m",
                        "geo.cli",
                        "build",
                        "--out",
                        str(out),
                        "--overwrite",
                        "-q",
                    ]
                )
            )
    b, r = statistics.median(builds), statistics.median(reads)
    print(
        f"geo build (embedded data): median {b:.2f} s over {args.runs} runs (min {min(builds):.2f}, max {max(builds):.2f})"
    )
    print(f"peer, read every catalog layer: median {r:.2f} s")
    print(f"ratio build / read: {b / r:.1f}x")


if __name__ == "__main__":
    main()
