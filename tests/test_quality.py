"""Lint and type checks run with the test suite, so CI runs them too."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, in_ci

PATHS = ["geo", "tests", "bench", "layers/scripts"]


def _tool(name: str) -> list[str]:
    if shutil.which(name) is None and not in_ci():
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return [sys.executable, "-m", name]


def test_ruff_lint() -> None:
    r = subprocess.run(
        [*_tool("ruff"), "check", *PATHS], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stdout[-4000:]


def test_ruff_format() -> None:
    r = subprocess.run(
        [*_tool("ruff"), "format", "--check", *PATHS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-4000:]


def test_mypy() -> None:
    r = subprocess.run([*_tool("mypy")], cwd=REPO, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout[-4000:]
