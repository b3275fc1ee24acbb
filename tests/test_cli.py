"""The `geo` command: help with examples, data alone on stdout, logging on stderr."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geo.cli import COMMANDS, cli, main


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
