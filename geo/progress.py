"""Progress bars on stderr (tqdm), silent unless asked for."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

__all__ = ["chunk_steps", "steps"]


def steps(total: int, desc: str, *, enabled: bool) -> Any:
    """A progress bar of *total* steps on stderr; a no-op object when not *enabled*."""
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not enabled, leave=False)


def chunk_steps(total: int, step: str, *, enabled: bool) -> Any:
    """A progress bar naming a raster *step* and counting its *total* chunks on stderr."""
    return tqdm(
        total=total,
        desc=step,
        unit="chunk",
        file=sys.stderr,
        disable=not enabled,
        leave=False,
        mininterval=0.5,
    )
