"""Thematic maps: each module turns catalog layers and a recipe into a :class:`ThemeResult`.

A theme module exposes ``build(ctx, recipe) -> ThemeResult`` and is named by
the ``theme`` key of a recipe in ``maps/``. Themes are models plus assembly:
they never write files; :mod:`geo.build` hands their results to the writers.
"""

from __future__ import annotations

from geo.themes.base import BuildContext, RasterLayer, ThemeResult, VectorLayer

__all__ = ["THEMES", "BuildContext", "RasterLayer", "ThemeResult", "VectorLayer"]

THEMES: dict[str, str] = {
    # recipe "theme" key -> module implementing build(ctx, recipe)
    "pollution": "geo.themes.pollution",
    "land_suitability": "geo.themes.suitability",
    "infrastructure_wear": "geo.themes.wear",
    "sustainability": "geo.themes.sustainability",
}
"""Build order matters: land suitability uses the pollution theme's zones and index."""
