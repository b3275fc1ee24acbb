"""PNG map sheets: size, determinism, colours from the symbology, scale bar, languages."""

from __future__ import annotations

import numpy as np
import pytest
from conftest_browser import XSS_IMG, make_theme, real_base
from matplotlib.patches import Rectangle
from PIL import Image

from geo.errors import DataError, InputError
from geo.themes.base import ThemeResult
from geo.writers.png import (
    SHEET_DPI,
    SHEET_SIZE_IN,
    nice_scale_length,
    render_map_sheet,
    write_map_sheet,
)


@pytest.fixture(scope="module")
def base():
    return real_base()


@pytest.fixture(scope="module")
def sheet(tmp_path_factory, base):
    path = tmp_path_factory.mktemp("sheet") / "demo.png"
    write_map_sheet(make_theme(), base, path, lang="kk")
    return path


def test_sheet_is_a4_landscape_at_150_dpi(sheet):
    with Image.open(sheet) as img:
        assert img.size == (int(SHEET_SIZE_IN[0] * SHEET_DPI), int(SHEET_SIZE_IN[1] * SHEET_DPI))


def test_same_inputs_same_bytes(sheet, base, tmp_path):
    again = tmp_path / "again.png"
    write_map_sheet(make_theme(), base, again, lang="kk")
    assert again.read_bytes() == sheet.read_bytes()


def test_sheet_uses_the_styles_colours(sheet):
    with Image.open(sheet) as img:
        px = np.asarray(img.convert("RGB")).reshape(-1, 3)

    def n_near(hex_colour: str, tol: int = 3) -> int:
        rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(px.astype(int) - rgb).max(axis=1) <= tol).sum())

    # legend swatches are drawn opaque in the exact style colours
    for colour in ("#1a9850", "#fee08b", "#d73027", "#2b8cbe", "#e34a33", "#756bb1"):
        assert n_near(colour) > 50, colour


EMPTY_BASE = ThemeResult(theme="base", title={"en": "Base", "kk": "Негіз", "ru": "Основа"})


def test_scale_bar_is_true_length_in_utm():
    fig = render_map_sheet(make_theme(), EMPTY_BASE, lang="en")
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 30]
    assert len(bars) == 4
    total = sum(b.get_width() for b in bars)
    x0, x1 = ax.get_xlim()
    assert total == nice_scale_length(x1 - x0)
    assert total in (1000.0, 2000.0, 5000.0)  # the demo theme spans about 10 km
    texts = [t.get_text() for t in ax.texts]
    assert f"{total / 1000:.0f} km" in texts and "N" in texts
    assert any("UTM zone 42N" in t for t in texts)


def test_sheet_texts_in_kazakh_and_data_text_verbatim(base):
    fig = render_map_sheet(make_theme(xss=True), base, lang="kk")
    texts = [t.get_text() for t in fig.texts]
    for leg in fig.legends:
        texts += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    joined = "\n".join(texts)
    assert texts[0] == "Сынақ тақырыбы" + XSS_IMG
    assert "Шартты белгілер" in joined and "Негізгі қабаттар" in joined
    assert "Дереккөздер" in joined and "Шектеулер" in joined
    assert "С" in [t.get_text() for t in fig.axes[0].texts]  # north, in Kazakh


@pytest.mark.parametrize(
    ("width", "length"), [(47_000, 5000.0), (480_000, 50_000.0), (3_200, 500.0), (12_000, 2000.0)]
)
def test_nice_scale_length(width, length):
    assert nice_scale_length(width) == length


def test_dollar_signs_in_data_do_not_become_math():
    theme = make_theme()
    theme.title = {"en": "Cost $x^2$ and $", "kk": "Құны $", "ru": "Цена $"}
    fig = render_map_sheet(theme, EMPTY_BASE, lang="en")
    fig.canvas.draw()  # would raise on bad mathtext
    assert fig.texts[0].get_text() == r"Cost \$x^2\$ and \$"


def test_nothing_to_draw_is_a_clear_error(tmp_path):
    empty = ThemeResult(theme="none", title={"en": "None", "kk": "Жоқ", "ru": "Нет"})
    with pytest.raises(DataError, match="no layers to draw"):
        write_map_sheet(empty, empty, tmp_path / "x.png", lang="en")


def test_unknown_language_is_refused(base, tmp_path):
    with pytest.raises(InputError, match="--lang"):
        write_map_sheet(make_theme(), base, tmp_path / "x.png", lang="xx")
