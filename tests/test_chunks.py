"""Rasters in chunks (geo.chunks): same bytes in any chunking and on any scheduler, bad input.

The pollution theme is built on a coarse grid (tests/test_pollution_theme.py's small
recipe) with three chunk sizes and with the synchronous, threaded, process and
dask.distributed schedulers; its rasters (COG files) and tables (GeoJSON files) must
be the same bytes as the in-memory path's. A scheduler address that does not answer
is one line and exit code 2 within a few seconds.
"""

from __future__ import annotations

import functools
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from geo import chunks
from geo.build import BuildContext, build_atlas, run_recipe
from geo.catalog import Catalog
from geo.chunks import Execution, grid_map, map_cells, random_field, resolve_chunk_size
from geo.errors import ChunkError, ResourceError, SchedulerError
from geo.models import terrain
from geo.models.dispersion import Stacks, WindRose, ground_field
from geo.recipe import load_recipe
from geo.results import ThemeResult

sys.path.insert(0, str(Path(__file__).parent))
from outputs import held, result_files, sha256, written
from test_pollution_theme import small_recipe


def _build(recipe: Path, execution: Execution | None) -> ThemeResult:
    return run_recipe(BuildContext(Catalog(), execution=execution), load_recipe(recipe))


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_recipe(tmp_path_factory.mktemp("recipe"))


@pytest.fixture(scope="module")
def in_memory(recipe: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    res = _build(recipe, None)
    return result_files(res, tmp_path_factory.mktemp("memory") / "out")


@pytest.mark.parametrize(
    "execution",
    [
        Execution("synchronous", chunk_size=13),
        Execution("threads", chunk_size=37),
        Execution("threads", chunk_size=64),
        Execution("processes", chunk_size=40),
        Execution("threads"),  # the size the cost model chooses
    ],
    ids=["synchronous-13", "threads-37", "threads-64", "processes-40", "threads-auto"],
)
def test_the_pollution_theme_is_the_same_bytes_in_any_chunking(
    recipe: Path, in_memory: dict[str, str], execution: Execution, tmp_path: Path
) -> None:
    res = _build(recipe, execution)
    got = result_files(res, tmp_path / "out")
    assert set(got) == set(in_memory)
    assert [n for n in got if got[n] != in_memory[n]] == []
    assert any(n.startswith("concentration_") for n in got) and "exposure_by_zone.geojson" in got
    assert res.parameters["evaluations"] > 0


def test_a_field_too_large_to_hold_is_stored_and_gives_the_same_outputs(
    recipe: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Above :data:`geo.raster.MEMORY_CELLS` the maxima and indices live in the scratch folder;
    rasters, exposure by zone, figures and every writer read them there."""
    import geo.raster as raster_module
    from geo.raster import StoredArray

    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 100)
    whole = _build(recipe, None)
    res = _build(recipe, Execution("threads", chunk_size=37, scratch=str(tmp_path)))
    assert not any(isinstance(r.raster.array, np.ndarray) for r in res.rasters)
    assert all(isinstance(r.raster.array, np.ndarray) for r in whole.rasters)
    assert isinstance(
        _build(recipe, Execution("threads", 37)).rasters[0].raster.array.array, StoredArray
    )
    got = result_files(res, tmp_path / "stored")
    want = result_files(whole, tmp_path / "whole")
    assert [n for n in got if got[n] != want[n]] == [] and "exposure_by_zone.geojson" in got
    assert res.parameters == whole.parameters
    stored = written(res, tmp_path / "stored-all")
    whole_files = written(held(res), tmp_path / "held-all")
    assert any(p.endswith(".gpkg") for p in whole_files)
    assert [p for p in whole_files if whole_files[p] != stored.get(p)] == []


def test_on_a_local_dask_cluster_of_two_worker_processes(
    recipe: Path, in_memory: dict[str, str], cluster, tmp_path: Path
) -> None:
    res = _build(recipe, Execution(chunk_size=29, client=cluster))
    got = result_files(res, tmp_path / "out")
    assert [n for n in got if got[n] != in_memory[n]] == []
    assert len(cluster.nthreads()) == 2


def test_whole_builds_are_the_same_files_on_a_cluster_and_one_chunk_at_a_time(
    recipe: Path, cluster, tmp_path: Path
) -> None:
    a = build_atlas(tmp_path / "a", recipes=[recipe], scheduler=Execution("synchronous", 21))
    b = build_atlas(tmp_path / "b", recipes=[recipe], scheduler=cluster)
    assert a.files == b.files and "atlas.gpkg" in a.files and "manifest.json" in a.files
    assert [f for f in a.files if sha256(a.out / f) != sha256(b.out / f)] == []


WIND = WindRose((0.0, 90.0, 200.0, 270.0), (0.25, 0.25, 0.25, 0.25), (0.7, 2.0, 6.0))
XC = -4000.0 + 100.0 * (np.arange(83) + 0.5)
YC = 3500.0 - 100.0 * (np.arange(71) + 0.5)


def _model(rows: slice, cols: slice, stacks: Stacks) -> np.ndarray:
    em = np.array([[4.0, 1.0]] * len(stacks))
    f = ground_field(
        XC[cols], YC[rows], stacks, em, np.array([[1.0, 3.0]] * len(stacks)), WIND,
        index_weights=np.array([2.0, 0.5]), max_distance=3000.0, dtype="float32",
        cell_size=100.0,
    )  # fmt: skip
    assert f.index_max is not None and f.cell_evaluations is not None
    return np.concatenate([f.max, f.index_max[None], f.cell_evaluations[None]])


def test_a_chunk_boundary_through_a_plume_changes_nothing() -> None:
    # a stack exactly on a cell corner where four chunks of 20 cells meet, another on a
    # chunk edge: the chunk boundaries run through their plumes' peaks
    stacks = Stacks(
        ("corner", "edge"), np.array([-2000.0, 1050.0]), np.array([1500.0, -500.0]),
        np.array([30.0, 12.0]), np.array([1.2, 0.8]), np.array([8.0, 4.0]),
        np.array([140.0, 60.0]), np.full(2, 25.0), np.zeros(2, bool),
    )  # fmt: skip
    assert XC[20] - 50 == -2000.0 and YC[20] + 50 == 1500.0
    kernel = functools.partial(_model, stacks=stacks)
    whole = grid_map(kernel, (71, 83), 4, None, step="test")
    assert float(whole[0].max()) > 0 and whole[3].sum() > 0
    for size in (20, 7, 71):
        ex = Execution("synchronous", chunk_size=size)
        chunked = grid_map(kernel, (71, 83), 4, ex, step="test")
        assert chunked.tobytes() == whole.tobytes()
    # the plume of the corner stack crosses the boundary at row 20 / column 20
    plume = whole[0]
    assert plume[19:21, 10:30].max() > 0 and plume[10:30, 19:21].max() > 0


def test_progress_names_the_step_and_counts_chunks(capsys: pytest.CaptureFixture[str]) -> None:
    ex = Execution("synchronous", chunk_size=5, progress=True)
    out = grid_map(
        lambda r, c: np.ones((1, r.stop - r.start, c.stop - c.start)),
        (10, 15),
        1,
        ex,
        step="test: ones",
    )
    assert out.shape == (1, 10, 15) and float(out.sum()) == 150.0
    err = capsys.readouterr().err
    assert "test: ones" in err and "/6" in err and "chunk" in err


def test_halo_kernels_see_their_neighbours_across_chunks() -> None:
    da = pytest.importorskip("dask.array")
    y, x = np.mgrid[0:90, 0:75]
    dem = (200.0 + 30.0 * np.sin(x / 7.0) * np.cos(y / 9.0) + 0.5 * x).astype("float64")
    whole = terrain.slope_degrees(dem, 30.0)
    kernel = functools.partial(terrain.slope_degrees, cell_size=30.0)
    lazy = map_cells(kernel, da.from_array(dem, chunks=(16, 25)), halo=1, dtype="float32")
    got = chunks.gather(lazy, Execution("threads"), step="slope")
    np.testing.assert_array_equal(got, whole)
    assert isinstance(map_cells(kernel, dem, halo=1), np.ndarray)


def test_random_numbers_follow_the_cell_not_the_chunk() -> None:
    whole = random_field(11, slice(0, 600), slice(0, 530), draws=2)
    ex = Execution("threads", chunk_size=97)
    chunked = grid_map(
        lambda r, c: random_field(11, r, c, draws=2), (600, 530), 2, ex, step="draws"
    )
    assert chunked.tobytes() == whole.tobytes()
    assert not np.array_equal(random_field(12, slice(0, 9), slice(0, 9)), whole[:1, :9, :9])


def test_a_chunk_below_the_halo_is_raised_with_a_note(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.chunks"):
        size = resolve_chunk_size(
            Execution("synchronous", chunk_size=2), halo=5, cell_bytes=8.0, what="a slope",
            fitted=512,
        )  # fmt: skip
    assert size == 5
    assert "--chunk-size 2 is below the 5-cell halo of a slope; raised to 5" in caplog.text


def test_a_chunk_above_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.cost

    monkeypatch.setattr(geo.cost, "available_memory", lambda: 2 * 2**30)
    with pytest.raises(ResourceError, match=r"^--chunk-size 40000: .* use --chunk-size 256 or"):
        resolve_chunk_size(
            Execution("threads", chunk_size=40_000), halo=0, cell_bytes=336.0,
            what="pollution: dispersion", fitted=256,
        )  # fmt: skip


def test_a_bad_scheduler_name_is_refused() -> None:
    with pytest.raises(SchedulerError, match="use threads, processes, synchronous or the address"):
        Execution("thread")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_one_line_and_exit_2_quickly(
    recipe: Path, tmp_path: Path
) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "geo.cli", "map", str(recipe), "--out", str(tmp_path / "o"),
         "--scheduler", address],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    took = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: --scheduler {address}: no dask scheduler answers there")
    assert "dask scheduler" in lines[0] and "Traceback" not in proc.stderr
    assert took < 20, took
    assert not (tmp_path / "o").exists()


def test_a_bad_scheduler_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "geo.cli", "build", "--out", str(tmp_path / "o"),
         "--scheduler", "fast"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "--scheduler" in proc.stderr and "threads, processes, synchronous" in proc.stderr


def test_an_address_without_scheduler_is_refused_by_the_api(tmp_path: Path) -> None:
    with pytest.raises(SchedulerError, match="no dask scheduler answers"):
        build_atlas(tmp_path / "x", scheduler=f"tcp://127.0.0.1:{_free_port()}")
    assert not (tmp_path / "x").exists()


def _kill_a_busy_worker(client, pids: dict[str, int], killed: list[int]) -> None:
    """SIGKILL the first worker process seen computing a chunk (polls for up to 60 s)."""
    import os
    import signal

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            pid = pids[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.05)


@pytest.mark.parametrize("allowed_failures", [0, 3], ids=["fails-cleanly", "retried"])
def test_a_worker_killed_mid_build(
    recipe: Path, in_memory: dict[str, str], tmp_path: Path, allowed_failures: int
) -> None:
    import threading

    import dask
    import distributed

    config = {"distributed.scheduler.allowed-failures": allowed_failures}
    with (
        dask.config.set(config),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=":0",
        ) as lc,
        distributed.Client(lc) as client,
    ):  # fmt: skip
        import os

        killed: list[int] = []
        pids = client.run(os.getpid)
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, pids, killed))
        killer.start()
        out = tmp_path / "atlas"
        execution = Execution(chunk_size=6, client=client)
        try:
            if allowed_failures == 0:
                with pytest.raises(ChunkError, match=r"^pollution: dispersion: stopped"):
                    build_atlas(out, recipes=[recipe], scheduler=execution)
                assert not out.exists()
                assert [p.name for p in tmp_path.iterdir()] == []  # no staging left either
            else:
                res = _build(recipe, execution)
                got = result_files(res, tmp_path / "retried")
                assert [n for n in got if got[n] != in_memory[n]] == []
        finally:
            killer.join()
        assert killed, "no worker was seen computing a chunk"
