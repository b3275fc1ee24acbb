"""One atlas in several languages (``geo build --lang kk --lang ru``), and the index's links."""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path

import pytest

from geo.build import build_atlas
from geo.errors import InputError
from geo.manifest import sha256_of
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "maps" / "infrastructure_wear.toml"


def _hrefs(page: Path) -> list[str]:
    """The links of a page's HTML (not of the scripts and styles it carries)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page.read_text(encoding="utf-8"), flags=re.S)
    return re.findall(r'href="([^"]+)"', text)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("langs") / "atlas"
    build_atlas(out, recipes=[RECIPE], lang=["kk", "ru", "kk"])  # a repeat is built once
    return out


@pytest.fixture(scope="module")
def kk_alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kk") / "atlas"
    build_atlas(out, recipes=[RECIPE], lang="kk")
    return out


def test_one_folder_per_language_under_an_index(two: Path) -> None:
    assert sorted(p.name for p in two.iterdir()) == ["index.html", "kk", "manifest.json", "ru"]
    top = two / "index.html"
    assert _hrefs(top) == ["kk/index.html", "ru/index.html"]
    text = top.read_text(encoding="utf-8")
    assert "Қазақша" in text and "Русский" in text and "Тілді таңдаңыз" in text
    m = json.loads((two / "manifest.json").read_text(encoding="utf-8"))
    assert m["languages"]["ru"] == {"index": "ru/index.html", "manifest": "ru/manifest.json"}
    for entry in m["outputs"]:
        assert sha256_of(two / entry["path"]) == entry["sha256"]
    assert (
        json.loads((two / "ru" / "manifest.json").read_text(encoding="utf-8"))["language"] == "ru"
    )


def test_every_index_link_leads_to_a_file_of_the_atlas(two: Path) -> None:
    for lang, other in (("kk", "ru"), ("ru", "kk")):
        index = two / lang / "index.html"
        hrefs = _hrefs(index)
        assert f"../{other}/index.html" in hrefs
        assert {"atlas.gpkg", "manifest.json", "sheets/infrastructure_wear.png"} <= set(hrefs)
        for href in hrefs:
            assert (index.parent / href).resolve().is_file(), (lang, href)
    ru = (two / "ru" / "index.html").read_text(encoding="utf-8")
    assert "Лист карты (PNG, для печати)" in ru and "Этот атлас на других языках" in ru


def test_each_language_is_the_atlas_built_alone(two: Path, kk_alone: Path) -> None:
    """Every file but the index (it links the other languages) and the manifest (its checksum)."""
    cmp = filecmp.dircmp(two / "kk", kk_alone)
    assert not cmp.left_only and not cmp.right_only
    differ = set(cmp.diff_files)
    for sub in cmp.subdirs.values():
        assert not sub.diff_files and not sub.left_only and not sub.right_only
    assert differ == {"index.html", "manifest.json"}
    alone = _hrefs(kk_alone / "index.html")
    assert not any(h.startswith("../") for h in alone)  # one language: no links to others


def test_an_unknown_language_is_refused_before_any_work(tmp_path: Path, capsys) -> None:
    with pytest.raises(InputError, match="language 'de' is not supported"):
        build_atlas(tmp_path / "a", recipes=[RECIPE], lang=["kk", "de"])
    code, _out, err = run_cli(
        ["map", str(RECIPE), "--out", str(tmp_path / "b"), "--lang", "de"], capsys
    )
    assert code == 2 and "'de' is not one of" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
