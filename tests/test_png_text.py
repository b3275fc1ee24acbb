"""Text from data on the PNG sheets: drawn as given, control characters dropped without a warning."""

from __future__ import annotations

import warnings

from conftest_browser import make_theme, real_base

from geo.writers.png import _plain, render_map_sheet


def test_control_characters_are_dropped_and_dollars_stay_literal() -> None:
    assert _plain("a\x01b\x08c\x7f\x9fd\te\nf $x$") == "abcd\te\nf \\$x\\$"


def test_a_sheet_with_control_characters_in_every_text_warns_of_no_missing_glyph() -> None:
    theme = make_theme()
    bad = " \x01\x08 $\\frac{$"
    theme.title = dict.fromkeys(("en", "kk", "ru"), f"Title{bad}")
    theme.notes = [dict.fromkeys(("en", "kk", "ru"), f"Note{bad}")]
    for v in theme.vectors:
        v.title = dict.fromkeys(("en", "kk", "ru"), f"{v.name}{bad}")
        v.source = f"source{bad}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = render_map_sheet(theme, real_base(), lang="en")
        fig.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert "Title  $\\frac{$" in {t.replace("\\$", "$") for t in texts}
