"""``--each-town``: one atlas per town of the study area, the towns independent tasks."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest

from geo.build import build_atlas
from geo.chunks import Execution

sys.path.insert(0, str(Path(__file__).parent))
from cli import run_cli
from test_pollution_theme import small_recipe


def _outputs(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {o["path"]: o["sha256"] for o in manifest["outputs"]}


def test_one_atlas_per_town_under_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = small_recipe(tmp_path)
    out = tmp_path / "towns"
    argv = ["map", str(recipe), "--out", str(out), "--each-town", "--lang", "kk"]
    code, stdout, stderr = run_cli([*argv, "--town", "Zhanatas", "--town", "Karatau"], capsys)
    assert code == 0, stderr
    assert stdout.strip() == str(out / "index.html")
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "karatau",
        "manifest.json",
        "zhanatas",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="zhanatas/index.html">Жаңатас</a>' in index
    assert index.index("zhanatas/") < index.index("karatau/")  # the order asked
    assert 'lang="kk"' in index and "қалалар бойынша атлас" in index
    top = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(top["towns"]) == {"Zhanatas", "Karatau"}
    for town, folder in (("Zhanatas", "zhanatas"), ("Karatau", "karatau")):
        manifest = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))
        area = manifest["themes"]["pollution"]["parameters"]["area"]
        assert area["towns"] == [town]  # each atlas is the town's alone
        assert (out / folder / "atlas.gpkg").stat().st_size > 0
        assert (out / folder / "pollution.html").exists()
    # the same town built alone gives the same files
    alone = tmp_path / "alone"
    code, _, stderr = run_cli([*argv[:3], str(alone), "--lang", "kk", "--town", "Karatau"], capsys)
    assert code == 0, stderr
    assert _outputs(alone) == _outputs(out / "karatau")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_towns_run_at_once_on_a_cluster_and_give_the_same_bytes(
    tmp_path: Path, cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.build as build

    recipe = small_recipe(tmp_path)
    towns = ("Zhanatas", "Karatau")
    from geo.area import AreaOverride

    here = tmp_path / "here"
    build_atlas(here, recipes=[recipe], area=AreaOverride(towns), each_town=True,
                scheduler=Execution("threads", chunk_size=37))  # fmt: skip
    running, most = set(), [0]
    guard = threading.Lock()
    real = build._build_into

    def watched(tmp: Path, *args: object, **kwargs: object) -> object:
        with guard:
            running.add(tmp.name)
            most[0] = max(most[0], len(running))
        try:
            return real(tmp, *args, **kwargs)
        finally:
            with guard:
                running.discard(tmp.name)

    monkeypatch.setattr(build, "_build_into", watched)
    there = tmp_path / "there"
    build_atlas(there, recipes=[recipe], area=AreaOverride(towns), each_town=True,
                scheduler=Execution(chunk_size=29, client=cluster))  # fmt: skip
    assert most[0] == 2  # both towns at once, one per worker
    for folder in ("zhanatas", "karatau"):
        assert _outputs(here / folder) == _outputs(there / folder)


def test_an_area_without_a_town_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = small_recipe(tmp_path)
    out = tmp_path / "none"
    code, stdout, stderr = run_cli(
        ["map", str(recipe), "--out", str(out), "--each-town", "--bbox", "66.0,44.5,66.2,44.6"],
        capsys,
    )
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not out.exists()
