"""Real QGIS opens atlas.gpkg: layers valid, default styles applied, embedded project resolved, themes render.

QGIS runs in a subprocess of Debian's ``/usr/bin/python3`` (``python3-qgis``;
the project's interpreter cannot import it) with ``QT_QPA_PLATFORM=offscreen``.
Without QGIS the tests skip, except in CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_gpkg import build_atlas_dir, make_results, real_atlas

from geo.results import VectorLayer
from geo.symbology import Categorized, Graduated, RasterClasses, RasterRamp, Single
from geo.writers.gpkg import plan_tables
from geo.writers.qgis_project import layer_id
from geo.writers.qml import renderer_type

pytestmark = pytest.mark.qgis

SCRIPT = Path(__file__).parent / "qgis_scripts" / "check_atlas.py"
QGIS_PYTHON = "/usr/bin/python3"


def _qgis_available() -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    res = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, env=_env())
    return res.returncode == 0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture(scope="module")
def qgis() -> None:
    if not _qgis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "QGIS (python3-qgis for /usr/bin/python3) is required in CI; apt-get install qgis python3-qgis"
            )
        pytest.skip("QGIS not installed (apt-get install qgis python3-qgis)")


def check(png_dir: Path, *gpkgs: Path) -> list[dict[str, Any]]:
    """Run the QGIS check script once on *gpkgs*; return what QGIS saw in each."""
    png_dir.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(
        [QGIS_PYTHON, str(SCRIPT), str(png_dir), *map(str, gpkgs)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    return [report[str(g)] for g in gpkgs]


def _expected_colours(style: Any, rtype: str) -> list[str]:
    if isinstance(style, Single):
        return [style.color]
    if isinstance(style, Categorized):
        return [c.color for c in style.categories] + [style.other_color]
    assert isinstance(style, Graduated)
    return list(style.colors) + ([style.nan_color] if rtype == "RuleRenderer" else [])


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, qgis: None
) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The atlas as written, copied to another folder, and copied + renamed; one QGIS run for all."""
    out = tmp_path_factory.mktemp("qgis_atlas")
    gpkg = build_atlas_dir(out / "atlas", lang="ru")
    moved = out / "elsewhere" / "deeper" / "atlas.gpkg"  # without the rasters/ folder
    renamed = out / "copy" / "Жанатас атлас.gpkg"
    for target in (moved, renamed):
        target.parent.mkdir(parents=True)
        shutil.copy(gpkg, target)
    seen = check(out / "png", gpkg, moved, renamed)
    return {"written": (gpkg, seen[0]), "moved": (moved, seen[1]), "renamed": (renamed, seen[2])}


@pytest.fixture(scope="module")
def atlas(runs: dict[str, tuple[Path, dict[str, Any]]]) -> tuple[Path, dict[str, Any]]:
    return runs["written"]


def test_every_layer_valid_and_styled_from_layer_styles(atlas: tuple[Path, dict[str, Any]]) -> None:
    _, seen = atlas
    layers = {
        e.table: e.layer for e in plan_tables(make_results()) if isinstance(e.layer, VectorLayer)
    }
    assert set(seen["vectors"]) == set(layers)
    for table, info in seen["vectors"].items():
        assert info["valid"], table
        layer = layers[table]
        rtype = renderer_type(
            layer.style,
            list(layer.data[layer.style.field]) if hasattr(layer.style, "field") else None,
        )
        assert info["renderer"]["type"] == rtype, table
        assert info["renderer"]["colors"] == _expected_colours(layer.style, rtype), table
    zones = seen["vectors"]["zones"]
    assert zones["renderer"]["values"] == ["existing", "destroyed", "reconstruction", ""]
    assert zones["renderer"]["labels"][:2] == ["existing (ru)", "destroyed (ru)"]
    assert zones["labels"] and zones["label_field"] == "zone_id"
    assert zones["metadata"]["keywords"]["synthetic"] == ["true"]
    assert zones["metadata"]["abstract"] == "СИНТЕТИЧЕСКИЕ: созданы программой, не измерены"
    suit = seen["vectors"]["suitability"]
    assert suit["renderer"]["breaks"] == [[0.0, 0.3], [0.3, 0.6], [0.6, 1.0]]
    assert suit["aliases"] == {
        "score": "Score (ru) (0-1)",
        "zone_id": "Зона",
        "status": "Планировочный статус",
        "synthetic": "Синтетические",
        "data_note": "Примечание о данных",
    }
    assert suit["metadata"]["licenses"] == ["CC-BY 4.0"]
    assert "method: WLC" in suit["metadata"]["history"]
    assert seen["vectors"]["zones"]["wkb"] == 6  # MultiPolygon
    for table, info in seen["rasters"].items():
        assert info["valid"] and info["bands"] == 1, table
    assert seen["rasters"]["wear_classes"]["nodata"] == 0


def test_embedded_project_resolves_every_layer(atlas: tuple[Path, dict[str, Any]]) -> None:
    _, seen = atlas
    p = seen["project"]
    assert p["read"] and p["crs_valid"] and p["crs"] == "EPSG:32642"
    assert p["title"] == "Атлас Шу-Таласа: малые города Жамбылской области"
    expected = {
        layer_id(t)
        for t in [
            "towns",
            "rivers",
            "hillshade",
            "zones",
            "suitability",
            "concentration",
            "networks",
            "infrastructure_wear_towns",
            "wear_classes",
        ]
    }
    assert set(p["layers"]) == expected
    assert all(info["valid"] for info in p["layers"].values()), {
        k: v["source"] for k, v in p["layers"].items()
    }
    results = {lyr.name: lyr for res in make_results() for lyr in res.rasters}
    for table in ("hillshade", "concentration", "wear_classes"):
        got = p["layers"][layer_id(table)]["renderer"]
        style = results[table].style
        if isinstance(style, RasterClasses):
            assert got["type"] == "paletted" and got["values"] == list(style.values)
        else:
            assert isinstance(style, RasterRamp)
            assert got["type"] == "singlebandpseudocolor" and got["values"] == list(style.values)
        assert got["colors"] == list(style.colors)
        assert got["opacity"] == pytest.approx(style.opacity)
    assert [g["name"] for g in p["groups"]] == [
        "Land suitability (ru)",
        "Infrastructure wear (ru)",
        "Base map (ru)",
    ]
    assert p["default_view"][0] < p["default_view"][2]


def test_each_theme_renders_a_non_blank_png(atlas: tuple[Path, dict[str, Any]]) -> None:
    gpkg, seen = atlas
    for i, group in enumerate(seen["project"]["groups"]):
        r = group["render"]
        assert r["errors"] == []
        assert r["variance"] > 100, group["name"]  # a blank (white) image has 0
        assert r["non_white"] > 0.3, group["name"]
        assert (gpkg.parent.parent / "png" / f"0_{i}.png").stat().st_size > 1000


def test_project_still_works_after_moving_the_file(
    runs: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    moved, seen = runs["moved"]
    layers = seen["project"]["layers"]
    assert len(layers) == 9
    assert all(v["valid"] for v in layers.values())
    assert all(str(moved.parent) in v["source"] for v in layers.values())
    assert all(g["render"]["variance"] > 100 for g in seen["project"]["groups"])


def test_renamed_file_still_opens_every_layer_styled(
    runs: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """After copy + rename, every table still opens valid and styled from layer_styles.

    The embedded project cannot follow a rename: QGIS resolves ``./atlas.gpkg``
    against the container's folder, not the container itself (QGIS #37440,
    #39796); this is reported, not hidden.
    """
    _, seen = runs["renamed"]
    assert len(seen["vectors"]) == 6 and len(seen["rasters"]) == 3
    assert all(v["valid"] for v in seen["vectors"].values())
    assert all(v["valid"] for v in seen["rasters"].values())
    assert seen["vectors"]["zones"]["renderer"]["type"] == "categorizedSymbol"
    assert seen["vectors"]["suitability"]["renderer"]["colors"] == ["#d73027", "#fee08b", "#1a9850"]
    assert seen["project"]["read"]


def test_real_base_map_opens_styled_and_renders(
    qgis: None, tmp_path_factory: pytest.TempPathFactory, catalog: Any
) -> None:
    gpkg = real_atlas(tmp_path_factory, catalog)
    (seen,) = check(gpkg.parent / "png", gpkg)
    assert all(v["valid"] for v in seen["vectors"].values())
    assert seen["vectors"]["micro_districts"]["renderer"]["type"] == "categorizedSymbol"
    from geo.themes.base import ThemeInputs
    from geo.themes.base_layers import base_result

    towns_style = next(
        v.style for v in base_result(ThemeInputs(catalog)).vectors if v.name == "towns"
    )
    assert seen["vectors"]["towns"]["renderer"]["colors"] == [towns_style.color]  # type: ignore[union-attr]
    # a kk build labels with the Kazakh name where the layer has one, else the plain name
    assert seen["vectors"]["towns"]["label_field"] == 'coalesce("label_kk", "label")'
    p = seen["project"]
    assert p["read"] and p["crs_valid"]
    assert all(v["valid"] for v in p["layers"].values())
    base = p["groups"][-1]
    assert base["name"] == "Негізгі карта"
    assert base["render"]["variance"] > 100 and base["render"]["non_white"] > 0.2
