"""The cost estimate before a build: its model, the refusal, and the memory available."""

from __future__ import annotations

import itertools
import math
import os
import re

import pytest

from geo import cost
from geo.cost import (
    CostEstimate,
    available_memory,
    cgroup_available,
    check_fits,
    combine,
    estimate,
    fitting_cell_size,
    meminfo_available,
)
from geo.errors import InputError, ResourceError

WHERE = "maps/land_suitability.toml:17: area.cell_size_m"
GiB = 2**30


def _suit(cells: int, draws: int = 200, criteria: int = 7, size: float | None = None):
    return estimate(
        "land_suitability", cells=cells, criteria=criteria, draws=draws, cell_size_m=size
    )


# -- the model ----------------------------------------------------------------------------------
@pytest.mark.parametrize("draws", [0, 20, 200])
def test_estimate_is_affine_in_cells(draws):
    n = 1_000_000
    a, b, c = (_suit(k * n, draws) for k in (1, 2, 3))
    assert b.peak_bytes - a.peak_bytes == pytest.approx(c.peak_bytes - b.peak_bytes, abs=2)
    assert b.seconds - a.seconds == pytest.approx(c.seconds - b.seconds, rel=1e-9)
    assert a.peak_bytes < b.peak_bytes < c.peak_bytes
    assert a.seconds < b.seconds < c.seconds
    assert (a.cells, b.cells, c.cells) == (n, 2 * n, 3 * n)


@pytest.mark.parametrize("theme", ["land_suitability", "pollution"])
def test_memory_beyond_the_cells_held_grows_by_the_stored_cost_alone(theme):
    """Above geo.raster.MEMORY_CELLS a grid's results are stored: a cell costs
    ``stored_cell_bytes`` (what still grows), a few bytes instead of tens."""
    from geo.raster import MEMORY_CELLS

    model = cost.COEFFICIENTS[theme]

    def peak(cells):
        return estimate(theme, cells=cells, criteria=7, pollutants=5).peak_bytes

    held = peak(MEMORY_CELLS) - peak(MEMORY_CELLS - 1_000_000)
    stored = peak(MEMORY_CELLS + 2_000_000) - peak(MEMORY_CELLS + 1_000_000)
    assert stored == pytest.approx(1_000_000 * model.stored_cell_bytes, abs=2)
    assert 0 < stored < held / 4
    assert peak(400_000_000) < 2 * GiB  # 20,000² cells on one machine, as benchmarked


def test_time_is_affine_in_draws_and_memory_does_not_depend_on_them():
    # measured: 20 and 600 draws at 50 m peak within 0.1 MB (chunked scoring)
    runs = [_suit(2_000_000, d) for d in (0, 100, 200, 300)]
    steps = [b.seconds - a.seconds for a, b in itertools.pairwise(runs)]
    assert steps[0] > 0
    assert steps == pytest.approx([steps[0]] * 3, rel=1e-9)
    assert len({r.peak_bytes for r in runs}) == 1


def test_more_criteria_cost_more():
    assert _suit(10**6, criteria=7).peak_bytes > _suit(10**6, criteria=3).peak_bytes
    assert _suit(10**6, criteria=7).seconds > _suit(10**6, criteria=3).seconds


def test_pollution_grows_with_sources_and_wind_cases():
    def pol(**kw):
        return estimate("pollution", cells=500_000, pollutants=5, **kw)

    base = pol(sources=20, wind_cases=80)
    assert pol(sources=40, wind_cases=80).seconds > base.seconds
    assert pol(sources=20, wind_cases=160).seconds > base.seconds
    assert (
        estimate("pollution", cells=500_000, pollutants=10, sources=20, wind_cases=80).peak_bytes
        > base.peak_bytes
    )


@pytest.mark.parametrize("theme", ["infrastructure_wear", "sustainability"])
def test_themes_without_a_grid_are_fixed_and_small(theme):
    a, b = estimate(theme, cells=0), estimate(theme, cells=10**8)
    assert a == b
    assert a.cells == 0
    assert 0 < a.peak_bytes < 2 * GiB
    assert 0 < a.seconds < 120


def test_unknown_theme_and_negative_counts_are_refused():
    with pytest.raises(ValueError, match=r"known: .*land_suitability"):
        estimate("flood_risk", cells=10)
    with pytest.raises(ValueError, match="≥ 0"):
        estimate("land_suitability", cells=-1)


def test_describe_is_one_line():
    e = _suit(1_234_567)
    line = e.describe()
    assert "\n" not in line
    assert line.startswith("land_suitability: 1 234 567 cells, about ")
    assert re.search(r"about \d+(\.\d+)? GB peak and \d+ (s|min)$", line)


def test_combine_keeps_the_largest_peak_and_adds_times():
    pol = estimate(
        "pollution", cells=300_000, sources=30, wind_cases=80, pollutants=5, cell_size_m=150
    )
    ls = _suit(5_000_000, size=15)
    c = combine([pol, ls])
    assert c.peak_bytes == max(pol.peak_bytes, ls.peak_bytes)
    assert c.seconds == pytest.approx(pol.seconds + ls.seconds)
    assert c.theme == "pollution+land_suitability"
    assert c.cell_size_m == 15
    with pytest.raises(ValueError):
        combine([])


# -- the refusal --------------------------------------------------------------------------------
def test_check_fits_accepts_a_small_grid():
    check_fits(_suit(120_000, size=100), available=8 * GiB, where=WHERE)


def test_check_fits_refuses_with_one_line_and_a_size_that_fits():
    big = _suit(11_817_582, size=10)  # 10 m around Zhanatas
    available = int(0.75 * GiB)
    with pytest.raises(ResourceError) as err:
        check_fits(big, available=available, where=WHERE)
    assert isinstance(err.value, InputError)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(WHERE + ": ")
    assert big.describe() in msg
    assert "GB of memory available" in msg
    assert "smaller area" in msg
    m = re.search(r"use cells of (\d+(?:\.\d+)?) m or coarser", msg)
    assert m, msg
    size = float(m.group(1))
    assert size > 10
    # re-estimated at that size (same area: cells scale with the inverse square), it fits
    cells = math.ceil(big.cells * (10 / size) ** 2)
    again = _suit(cells, size=size)
    assert again.peak_bytes <= cost.FIT_SHARE * available
    check_fits(again, available=available, where=WHERE)
    assert size == fitting_cell_size(big, cost.FIT_SHARE * available)


def test_no_size_fits_when_even_the_fixed_part_does_not():
    e = _suit(11_817_582, size=10)
    with pytest.raises(ResourceError, match="use coarser cells or a smaller area, or free memory"):
        check_fits(e, available=100_000_000, where=WHERE)
    assert fitting_cell_size(e, 1) is None
    assert fitting_cell_size(_suit(10**6), 1) is None  # no cell size recorded


def test_combined_refusal_coarsens_the_largest_grid():
    pol = estimate(
        "pollution", cells=321_056, sources=60, wind_cases=80, pollutants=5, cell_size_m=150
    )
    ls = _suit(11_817_582, size=10)
    run = combine([pol, ls])
    assert run.parts == (pol, ls)
    assert combine([run, pol]).parts == (pol, ls, pol)
    limit = cost.FIT_SHARE * 0.75 * GiB
    assert fitting_cell_size(run, limit) == fitting_cell_size(ls, limit)
    with pytest.raises(ResourceError, match=r"use cells of \d+ m"):
        check_fits(run, available=int(0.75 * GiB), where=WHERE)
    # when another theme alone does not fit, no cell size of the largest grid helps
    assert fitting_cell_size(run, pol.peak_bytes - 1) is None


# -- memory available ---------------------------------------------------------------------------
def test_available_memory_is_positive_and_below_the_machine():
    got = available_memory()
    assert got > 0
    assert got <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


MEMINFO = """\
MemTotal:       24588964 kB
MemFree:        21000000 kB
MemAvailable:   22471520 kB
Buffers:          123456 kB
Cached:          1234567 kB
"""


def test_meminfo_parsing():
    assert meminfo_available(MEMINFO) == 22471520 * 1024
    assert meminfo_available("MemTotal: 100 kB\nMemFree: 50 kB\n") is None
    assert meminfo_available("") is None


def test_cgroup_parsing():
    assert cgroup_available("2147483648\n", "536870912\n") == 1536 * 2**20  # v2 memory.max
    assert cgroup_available("max\n", "536870912\n") is None  # v2, no limit
    assert cgroup_available("9223372036854771712\n", "3048603648\n") is None  # v1, no limit
    assert cgroup_available("1000\n", "5000\n") == 0  # over the limit: nothing left
    assert cgroup_available("", "1") is None


def test_cgroup_files_follow_proc_self_cgroup():
    v2 = cost._cgroup_files("0::/user.slice/app.scope\n")
    assert str(v2[0][0]) == "/sys/fs/cgroup/user.slice/app.scope/memory.max"
    assert str(v2[0][1]) == "/sys/fs/cgroup/user.slice/app.scope/memory.current"
    v1 = cost._cgroup_files("4:memory:/docker/abc\n1:cpu:/\n")
    assert str(v1[0][0]) == "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"
    assert str(v1[0][1]) == "/sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes"


def test_estimate_is_a_frozen_record():
    e = CostEstimate("pollution", 1, 2, 3.0)
    with pytest.raises(AttributeError):
        e.cells = 5  # type: ignore[misc]


def test_a_run_that_would_take_more_than_the_time_bound_is_refused() -> None:
    import pytest

    from geo.cost import MAX_SECONDS, check_fits, estimate
    from geo.errors import ResourceError

    est = estimate("pollution", cells=10_000_000, sources=60, wind_cases=72_000, pollutants=5)
    assert est.seconds > MAX_SECONDS
    with pytest.raises(
        ResourceError, match=r"^x\.toml:3: area\.cell_size_m: .* h of work; use coarser"
    ):
        check_fits(est, available=10**12, where="x.toml:3: area.cell_size_m")
