"""The `geo` command: help with examples, data alone on stdout, logging on stderr."""

from __future__ import annotations

import json

import pytest
from cli import run_cli
from click.testing import CliRunner
from latin import english_words

from geo.catalog import Catalog
from geo.cli import COMMANDS, cli, main
from geo.i18n import PROVENANCE, message, tr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str) -> None:
    r = CliRunner().invoke(cli, [command, "--help"])
    assert r.exit_code == 0, r.output
    assert "Example:" in r.output and f"geo {command}" in r.output
    assert "-v, --verbose" in r.output and "-q, --quiet" in r.output


def test_group_help_and_version() -> None:
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0 and all(c in r.output for c in COMMANDS)
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0 and "0.1.0" in r.output


def test_layers_json_is_data_only_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["layers", "--json", "-v"])
        raise SystemExit(0)
    assert exc.value.code in (0, None)
    out, _err = capsys.readouterr()
    rows = json.loads(out)  # stdout holds the JSON and nothing else
    assert len(rows) >= 14
    by_id = {r["id"]: r for r in rows}
    assert by_id["dem"]["size"] == "1680x531 px" and by_id["dem"]["crs"] == "EPSG:4326"
    assert by_id["micro_districts"]["synthetic"] is True and by_id["rivers"]["synthetic"] is False
    assert by_id["towns"]["licence"].startswith("CC BY 4.0 (GeoNames); ODbL 1.0")
    for r in rows:
        assert r["source"] and r["licence"]


def test_layers_table_and_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["layers"])
        raise SystemExit(0)
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "kind", "size"]
    assert any(line.startswith("utility_networks") and " yes " in line for line in lines)
    with pytest.raises(SystemExit):
        main(["layers", "--json", "--lang", "kk"])
        raise SystemExit(0)
    rows = json.loads(capsys.readouterr()[0])
    assert {r["id"]: r["title"] for r in rows}["oblast"] == "Жамбыл облысы"


def test_verbose_logs_the_reprojection_of_a_user_layer(districts_file, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["layers", "--json", "-v", "--layer", f"districts={districts_file}"])
        raise SystemExit(0)
    out, err = capsys.readouterr()
    json.loads(out)
    assert "reprojected from WGS 84 / UTM zone 42N to EPSG:4326" in err


def _layers_output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _err = run_cli(["layers", *argv], capsys)
    assert code == 0
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_layers_in_kazakh_and_russian_show_no_english(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """Every column of `geo layers --lang kk|ru` in the language, the layer ids aside."""
    lines = _layers_output(["--lang", lang], capsys).splitlines()
    assert lines[0].split()[:3] == [
        PROVENANCE[k][lang] for k in ("layers_id", "layers_kind", "layers_size")
    ]
    leftovers = {}
    for line in lines:
        layer_id, _, shown = line.partition(" ")  # ids are what --layer ID=FILE takes
        if english_words(shown):
            leftovers[layer_id] = sorted(english_words(shown))
    assert leftovers == {}
    rows = {line.split()[0]: line for line in lines[1:]}
    cat = Catalog()
    assert f" {message('yes', lang)} " in rows["utility_networks"]
    assert PROVENANCE["kind_raster"][lang] in rows["dem"]
    assert tr(cat.spec("dem").licence, lang) in rows["dem"]
    assert PROVENANCE["layers_not_embedded"][lang] in rows["landcover"]
    # the full texts, as JSON
    data = json.loads(_layers_output(["--json", "--lang", lang], capsys))
    texts = {f"{r['id']}.{k}": r[k] for r in data for k in ("title", "source", "licence")}
    texts |= {f"{r['id']}.attribution": r["attribution"] for r in data}
    assert {k: sorted(english_words(v)) for k, v in texts.items() if english_words(v)} == {}
    by_id = {r["id"]: r for r in data}
    for lid in ("dem", "towns", "micro_districts", "survey_2023"):
        spec = cat.spec(lid)
        assert by_id[lid]["source"] == tr(spec.source, lang) != tr(spec.source, "en")
        assert by_id[lid]["licence"] == tr(spec.licence, lang)
    assert by_id["places_osm"]["attribution"] == "© OpenStreetMap contributors (ODbL)"  # verbatim


def test_layers_in_english_are_english(capsys: pytest.CaptureFixture[str]) -> None:
    """The scan above finds English where it is: the same table in English."""
    lines = _layers_output(["--lang", "en"], capsys).splitlines()
    rows = {line.split()[0]: line for line in lines[1:]}
    assert {"vector", "features", "SYNTHETIC"} <= english_words(rows["micro_districts"])
    assert {"Public", "domain"} <= english_words(rows["dem"])
