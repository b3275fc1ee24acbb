"""Running the ``geo`` command inside a test: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from geo.cli import main


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``geo ARGV`` as the console script runs it: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err
