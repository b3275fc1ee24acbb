"""Thematic maps: each package turns catalog layers and a recipe into a :class:`ThemeResult`.

Every theme follows the protocol of :mod:`geo.themes.base` (``SPEC``,
``read_settings``, ``build``) and is named by the ``theme`` key of a recipe in
``maps/``. Themes are models plus assembly: they never write files;
:mod:`geo.build` orders them by what they require and hands their results to
the writers. Adding a theme is one package, one recipe and one line here.
"""

from __future__ import annotations

__all__ = ["THEMES"]

THEMES: dict[str, str] = {
    # recipe "theme" key -> package implementing the protocol of geo.themes.base
    "pollution": "geo.themes.pollution",
    "land_suitability": "geo.themes.suitability",
    "infrastructure_wear": "geo.themes.wear",
    "sustainability": "geo.themes.sustainability",
}
"""The theme registry, in the order of the atlas page (the build also puts a theme after those it requires)."""
