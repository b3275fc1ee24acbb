"""Edited copies of shipped recipes for tests (each edit must apply exactly once)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def edited_recipe(src: Path, dest: Path, edits: Iterable[tuple[str, str]]) -> Path:
    """Write *src* to *dest* with each ``(old, new)`` replaced once; fail if *old* is absent."""
    text = src.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{src}: {old!r} not found"
        text = text.replace(old, new, 1)
    dest.write_text(text, encoding="utf-8")
    return dest
