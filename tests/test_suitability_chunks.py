"""Land suitability in chunks: the same bytes in memory, in any chunking and on any scheduler.

The shipped recipes (agriculture with WLC, residential expansion with OWA) on a coarser
grid and fewer Monte Carlo draws, with the pollution theme's index and sanitary zones as
criteria and constraints. Their rasters (COG files) and tables (GeoJSON) must be the bytes
of the in-memory path with chunks of 13, 37 and 40 cells, the threaded, process and
synchronous schedulers and a two-worker ``distributed.LocalCluster``. With the grid's tile
(:data:`geo.grid.TILE`) shrunk to 16 cells, chunk and tile boundaries cut through steep
slopes and distance halos on every side, and still nothing changes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geo import grid as grid_module
from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.chunks import Execution
from geo.recipe import load_recipe
from geo.results import ThemeResult

sys.path.insert(0, str(Path(__file__).parent))
from outputs import held, result_files, written

MAPS = Path(__file__).resolve().parent.parent / "maps"


def _coarse(src: Path, folder: Path, cell: int = 300, draws: int = 12) -> Path:
    text = src.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^cell_size_m = \d+", f"cell_size_m = {cell}", text)
    text = re.sub(r"(?m)^draws = \d+", f"draws = {draws}", text)
    out = folder / src.name
    out.write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def pollution() -> ThemeResult:
    return run_recipe(BuildContext(Catalog(), execution=None), load_recipe(MAPS / "pollution.toml"))


@pytest.fixture(scope="module", params=["land_suitability", "residential_expansion"])
def recipe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _coarse(MAPS / f"{request.param}.toml", tmp_path_factory.mktemp(request.param))


def _build(recipe: Path, pollution: ThemeResult, execution: Execution | None) -> ThemeResult:
    ctx = BuildContext(Catalog(), results={"pollution": pollution}, execution=execution)
    return run_recipe(ctx, load_recipe(recipe))


@pytest.fixture(scope="module")
def in_memory(
    recipe: Path, pollution: ThemeResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ThemeResult, dict[str, str]]:
    res = _build(recipe, pollution, None)
    return res, result_files(res, tmp_path_factory.mktemp("memory") / "out")


def test_the_model_reads_what_the_test_means_to_cut(
    in_memory: tuple[ThemeResult, dict[str, str]],
) -> None:
    """Slopes, distances, categories and (for agriculture) the pollution index are computed,
    and constraints near layers, inside layers and on sanitary zones exclude cells."""
    res, files = in_memory
    p = res.parameters
    sources = {c["source"] for c in p["criteria"].values() if not c["skipped"]}
    assert {"slope", "distance", "categorical"} <= sources
    assert res.parameters["name"] != "land_suitability" or "pollution_index" in sources
    kinds = {c["kind"] for c in p["constraints"].values() if c.get("excluded_ha", 0) > 0}
    assert {"inside_layer", "sanitary_zones"} <= kinds
    assert any(n.endswith("_stability.tif") for n in files)
    assert p["class_area_ha"]["S1"] + p["class_area_ha"]["S2"] > 0


@pytest.mark.parametrize(
    "execution",
    [
        Execution("synchronous", chunk_size=13),
        Execution("threads", chunk_size=37),
        Execution("processes", chunk_size=40),
        Execution("threads"),  # the size the cost model chooses
    ],
    ids=["synchronous-13", "threads-37", "processes-40", "threads-auto"],
)
def test_land_suitability_is_the_same_bytes_in_any_chunking(
    recipe: Path,
    pollution: ThemeResult,
    in_memory: tuple[ThemeResult, dict[str, str]],
    execution: Execution,
    tmp_path: Path,
) -> None:
    res = _build(recipe, pollution, execution)
    got = result_files(res, tmp_path / "out")
    want = in_memory[1]
    assert set(got) == set(want)
    assert [n for n in got if got[n] != want[n]] == []
    assert res.parameters == in_memory[0].parameters


def test_on_a_local_dask_cluster_of_two_worker_processes(
    recipe: Path,
    pollution: ThemeResult,
    in_memory: tuple[ThemeResult, dict[str, str]],
    cluster,
    tmp_path: Path,
) -> None:
    res = _build(recipe, pollution, Execution(chunk_size=29, client=cluster))
    assert len(cluster.nthreads()) == 2
    got = result_files(res, tmp_path / "out")
    assert [n for n in got if got[n] != in_memory[1][n]] == []


def test_tile_and_chunk_boundaries_through_slopes_and_halos_change_nothing(
    recipe: Path, pollution: ThemeResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(grid_module, "TILE", 16)
    whole = _build(recipe, pollution, None)
    rows, cols = whole.rasters[0].raster.array.shape
    assert rows > 3 * 16 and cols > 3 * 16  # several tiles each way
    want = result_files(whole, tmp_path / "whole")
    for i, execution in enumerate([Execution("synchronous", 45), Execution("threads", 16)]):
        got = result_files(_build(recipe, pollution, execution), tmp_path / f"chunks{i}")
        assert [n for n in got if got[n] != want[n]] == []
    # the distance criteria read halos wider than a tile, and the slope reads across tiles
    score = whole.rasters[0].raster.array
    assert np.isfinite(score).mean() > 0.9


def test_a_grid_above_the_what_if_limit_gets_a_note_and_keeps_no_factors(
    pollution: ThemeResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import geo.themes.suitability as suitability

    recipe = _coarse(MAPS / "land_suitability.toml", tmp_path, cell=600, draws=4)
    small = _build(recipe, pollution, None)
    assert small.whatif is not None
    cells = small.rasters[0].raster.array.size
    monkeypatch.setattr(suitability, "WHATIF_MAX_CELLS", cells - 1)
    big = _build(recipe, pollution, Execution("threads", chunk_size=20))
    assert big.whatif is None
    note = next(n for n in big.notes if "What-if" in n["en"])
    assert f"{cells / 1e6:.1f} million cells" in note["en"]
    assert "«Егер…»" in note["kk"] and "«Что если»" in note["ru"]
    for a, b in zip(small.rasters, big.rasters, strict=True):  # the model itself is unchanged
        np.testing.assert_array_equal(a.raster.array, b.raster.array)


def test_results_too_large_to_hold_are_stored_and_every_output_is_the_same(
    recipe: Path,
    pollution: ThemeResult,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Above :data:`geo.raster.MEMORY_CELLS` the score, classes and stability live in the
    scratch folder and large sources are warped by windows; polygons, zone tables, manifest
    figures and every writer (COG, GeoPackage, HTML, PNG) read the stored arrays and give the
    bytes of the same results held in memory."""
    import geo.raster as raster_module
    from geo.raster import StoredArray

    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 100)
    whole = _build(recipe, pollution, None)
    assert all(isinstance(r.raster.array, np.ndarray) for r in whole.rasters)
    res = _build(recipe, pollution, Execution("threads", chunk_size=37, scratch=str(tmp_path)))
    assert all(isinstance(r.raster.array, StoredArray) for r in res.rasters)
    assert all(Path(r.raster.array.path).parent == tmp_path for r in res.rasters)
    want = result_files(whole, tmp_path / "whole")
    got = result_files(res, tmp_path / "out")
    assert [n for n in got if got[n] != want[n]] == []
    assert res.parameters == whole.parameters
    stored = written(res, tmp_path / "stored")
    whole_files = written(held(res), tmp_path / "held")
    assert any(p.endswith(".gpkg") for p in whole_files)
    assert any(p.endswith((".png", ".html")) for p in whole_files)
    assert [p for p in whole_files if whole_files[p] != stored.get(p)] == []


def test_a_build_keeps_its_stored_results_in_a_scratch_folder_it_removes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    import geo.raster as raster_module
    from geo.build import build_atlas

    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 100)
    recipe = _coarse(MAPS / "residential_expansion.toml", tmp_path, cell=400, draws=4)
    made: list[Path] = []
    real = raster_module.StoredArray.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        made.append(self.path)

    monkeypatch.setattr(raster_module.StoredArray, "__init__", spy)
    hashes = []
    for i, execution in enumerate([Execution("threads", 37), Execution("synchronous", 23)]):
        out = tmp_path / f"atlas{i}"
        build_atlas(out, recipes=[recipe], scheduler=execution)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        hashes.append({o["path"]: o["sha256"] for o in manifest["outputs"]})
    assert made and all(p.parent.name.endswith(".scratch.tmp") for p in made)
    assert all(p.parent.parent == tmp_path for p in made)
    assert not any(p.exists() or p.parent.exists() for p in made)
    assert hashes[0] == hashes[1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_stored_inputs_reach_worker_processes(
    recipe: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A stored pollution index read by the model's chunks in worker processes (pickled as a
    view of its file; the threshold reaches them through GEO_MEMORY_CELLS)."""
    import geo.raster as raster_module
    from geo.raster import StoredArray

    monkeypatch.setattr(raster_module, "MEMORY_CELLS", 100)
    monkeypatch.setenv("GEO_MEMORY_CELLS", "100")
    ex = Execution("processes", chunk_size=40, scratch=str(tmp_path))
    pol = run_recipe(BuildContext(Catalog(), execution=ex), load_recipe(MAPS / "pollution.toml"))
    index = next(r for r in pol.rasters if r.name == "pollution_index").raster.array
    assert isinstance(index.array, StoredArray)
    held = run_recipe(BuildContext(Catalog(), execution=None), load_recipe(MAPS / "pollution.toml"))
    want = result_files(_build(recipe, held, None), tmp_path / "whole")
    got = result_files(_build(recipe, pol, ex), tmp_path / "processes")
    assert [n for n in got if got[n] != want[n]] == []
