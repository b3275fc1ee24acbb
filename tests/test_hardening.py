"""Hostile and careless values: one line, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.recipe import default_maps_dir
from tests.recipes import edited_recipe

MAPS = default_maps_dir()
STACK = ["--diameter", "1.4", "--velocity", "7", "--gas-temp", "125", "--air-temp", "25"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--height", "1e308", "--rate", "12"], "the method gives no finite xm_m"),
        (["--height", "inf", "--rate", "12"], "--height: inf is not a finite number"),
        (["--height", "35", "--rate", "nan"], "--rate: nan is not a finite number"),
    ],
)
def test_dispersion_never_prints_what_json_cannot_hold(args, message, capsys) -> None:
    code, out, err = run(["dispersion", *STACK, *args, "--json"], capsys)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_dispersion_json_is_strict(capsys) -> None:
    code, out, _ = run(["dispersion", *STACK, "--height", "35", "--rate", "12", "--json"], capsys)
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))


def test_a_recipe_not_in_utf8_is_named_with_its_line(tmp_path: Path, capsys) -> None:
    p = tmp_path / "r.toml"
    p.write_bytes('theme = "pollution"\n# Жанатас\n'.encode("cp1251"))
    code, _, err = run(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert (
        code == 2
        and err.strip()
        == f"error: {p}:2: not UTF-8 (it reads as Windows-1251); save the recipe as UTF-8"
    )


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('name = "../../outside"', "name"),
        ('name = "a/b"', "name"),
        ('output_prefix = "/tmp/abs"', "output_prefix"),
        ('output_prefix = "' + "x" * 60 + '"', "output_prefix"),
        ("name = 5", "name"),
    ],
)
def test_names_that_become_files_keep_to_a_safe_alphabet(tmp_path: Path, capsys, line, key) -> None:
    p = tmp_path / "r.toml"
    p.write_text(f'theme = "pollution"\n{line}\n', encoding="utf-8")
    code, _, err = run(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and f"r.toml:2: {key}: " in err and "cannot name files and tables" in err
    assert sorted(q.name for q in tmp_path.iterdir()) == ["r.toml"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("100000000", "monte_carlo.draws: must be ≤ 100000"),
        ('"many"', "monte_carlo.draws: must be a number, got 'many'"),
        ("nan", "monte_carlo.draws: must be a number, got nan"),
        ("1.5", "monte_carlo.draws: must be a whole number"),
    ],
)
def test_monte_carlo_draws_are_bounded_before_any_work(tmp_path: Path, capsys, value, message):
    p = edited_recipe(
        MAPS / "land_suitability.toml", tmp_path / "r.toml", [("draws = 200", f"draws = {value}")]
    )
    code, _, err = run(["map", str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
