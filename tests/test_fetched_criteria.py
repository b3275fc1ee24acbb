"""Land suitability on layers the atlas does not embed: land cover classes and soil rasters.

The recipe ``maps/real_data/land_suitability_real.toml`` reads ``landcover``,
``soil_organic_carbon`` and ``soil_ph`` (fetched by ``geo fetch`` or given with
``--layer``); the rasters here are made in code around Zhanatas.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.build import build_atlas
from geo.catalog import Catalog
from geo.errors import RecipeError
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "maps" / "real_data" / "land_suitability_real.toml"
WEST, NORTH, RES, W, H = 69.3, 43.9, 0.002, 400, 250  # covers Zhanatas and 15 km around


def _tif(path: Path, arr: np.ndarray, nodata: float) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=W, height=H, count=1, dtype=arr.dtype,
        crs="EPSG:4326", transform=from_origin(WEST, NORTH, RES, RES), nodata=nodata,
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    return path


def _layers(tmp: Path, *, landcover: int, soc: float, water_block: bool = False) -> dict[str, Path]:
    lc = np.full((H, W), landcover, dtype="uint8")
    if water_block:
        lc[100:150, 150:250] = 80  # permanent water, 69.6–69.8 E, 43.6–43.7 N
    tmp.mkdir(parents=True, exist_ok=True)
    return {
        "landcover": _tif(tmp / "lc.tif", lc, 0),
        "soil_organic_carbon": _tif(tmp / "soc.tif", np.full((H, W), soc, "float32"), -9999),
        "soil_ph": _tif(tmp / "ph.tif", np.full((H, W), 7.0, "float32"), -9999),
    }


def _recipe(tmp: Path) -> Path:
    """The shipped recipe without the pollution model (faster; the criteria under test stay)."""
    text = RECIPE.read_text(encoding="utf-8") + "\n[pollution]\nuse = false\n"
    p = tmp / "real.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _build(tmp: Path, name: str, **layers: object) -> tuple[np.ndarray, np.ndarray, dict]:
    out = tmp / name / "atlas"
    build_atlas(out, recipes=[_recipe(tmp)], overrides=_layers(tmp / name / "in", **layers))  # type: ignore[arg-type]
    with rasterio.open(out / "rasters" / "suitability_real_score.tif") as s:
        score = s.read(1, masked=True).filled(np.nan)
    with rasterio.open(out / "rasters" / "suitability_real_class.tif") as c:
        cls = c.read(1)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return score, cls, m["themes"]["land_suitability_real"]["parameters"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    tmp = tmp_path_factory.mktemp("fetched")
    return {
        "crop": _build(tmp, "crop", landcover=40, soc=12.0),
        "grass": _build(tmp, "grass", landcover=30, soc=12.0),
        "poor": _build(tmp, "poor", landcover=40, soc=2.0),
        "water": _build(tmp, "water", landcover=40, soc=12.0, water_block=True),
    }


def test_land_cover_class_weighs_by_its_membership(builds) -> None:
    crop, grass = builds["crop"][0], builds["grass"][0]
    both = (crop > 0) & (grass > 0)  # constrained cells score 0 (and NaN compares False)
    assert both.mean() > 0.9
    # cropland 1.0 against grassland 0.8, weight 0.25 / 0.9 (the pollution index, 0.10, is
    # left out without the pollution model and the others rescaled): every cell that much lower
    np.testing.assert_allclose((crop - grass)[both], 0.2 * 0.25 / 0.9, atol=2e-6)


def test_soil_carbon_replaces_the_synthetic_soils(builds) -> None:
    crop, poor = builds["crop"][0], builds["poor"][0]
    both = (crop > 0) & (poor > 0)
    # 12 g/kg scores 1, 2 g/kg scores 0, weight 0.15 / 0.9
    np.testing.assert_allclose((crop - poor)[both], 0.15 / 0.9, atol=2e-6)
    params = builds["crop"][2]
    assert set(params["weights"]["values"]) == {
        "landcover", "soil_carbon", "soil_ph", "slope", "water", "pollution_index", "market",
    }  # fmt: skip


def test_water_is_excluded_whatever_its_score(builds) -> None:
    _, cls_water, params = builds["water"]
    _, cls_crop, base = builds["crop"]
    changed = cls_water != cls_crop
    assert changed.any()
    n_class = cls_water[changed]
    assert len(set(n_class.tolist())) == 1  # all turned to one class: N
    n_code = int(n_class[0])
    assert not (cls_crop[changed] == n_code).any()
    # 0.2° × 0.1° of water at 43.65 N: about 16.1 km × 11.1 km ≈ 17,900 ha
    excluded = params["constraints"]["not_farmland"]["excluded_ha"]
    assert excluded == pytest.approx(17_900, rel=0.03)
    assert base["constraints"]["not_farmland"]["excluded_ha"] == 0.0


def test_without_the_layers_the_build_names_the_fix(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(["map", str(RECIPE), "--out", str(tmp_path / "a")], capsys)
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line
    assert f"{RECIPE.name}:" in line and "criteria.landcover" in line
    assert "geo fetch --source landcover" in line and "--layer landcover=FILE" in line
    assert not (tmp_path / "a").exists()


def test_a_fetch_only_layer_is_listed_not_read() -> None:
    cat = Catalog()
    spec = cat.spec("landcover")
    assert not spec.embedded and spec.fetch == "landcover" and not cat.available("landcover")
    assert cat.extent("landcover") is None
    with pytest.raises(Exception, match="not embedded"):
        cat.read("landcover")


def test_class_codes_must_be_whole_numbers(tmp_path: Path) -> None:
    from geo.recipe import load_recipe
    from geo.themes import suitability

    bad = tmp_path / "bad.toml"
    bad.write_text(
        RECIPE.read_text(encoding="utf-8").replace(
            "classes = [50, 70, 80]", 'classes = [50, "water"]'
        ),
        encoding="utf-8",
    )
    with pytest.raises(RecipeError, match=r"constraints.not_farmland.classes.*'water'"):
        suitability.read_settings(load_recipe(bad), Catalog())


def test_an_optional_criterion_on_a_missing_layer_is_left_out_with_a_note(tmp_path: Path) -> None:
    text = _recipe(tmp_path).read_text(encoding="utf-8")
    for table in ("[criteria.landcover]\n", "[constraints.not_farmland]\n"):
        text = text.replace(table, table + "optional = true\n")
    recipe = tmp_path / "optional.toml"
    recipe.write_text(text, encoding="utf-8")
    layers = _layers(tmp_path / "in", landcover=40, soc=12.0)
    del layers["landcover"]
    out = tmp_path / "atlas"
    build_atlas(out, recipes=[recipe], overrides=layers)  # type: ignore[arg-type]
    theme = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["themes"]
    t = theme["land_suitability_real"]
    notes = [n["en"] for n in t["notes"]]
    assert any(
        n.startswith("landcover left out: layer landcover is not in this build")
        and "geo fetch --source landcover" in n
        for n in notes
    )
    assert t["parameters"]["coverage"]["criteria.landcover"]["left_out"] is True
