"""PNG map sheets: size, determinism, colours from the symbology, scale bar, languages."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest_browser import XSS_IMG, make_theme, real_base
from matplotlib.patches import Rectangle
from PIL import Image

from geo.errors import DataError, InputError
from geo.results import ThemeResult
from geo.symbology import Categorized, Category
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


def _legend_texts(fig) -> list[str]:
    out = []
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return out


def test_nan_label_and_long_legends_and_sources_fit(base):
    """A theme with many layers: two legend columns, nothing cut, every source on the sheet."""
    from geo.symbology import Graduated

    theme = make_theme()
    theme.vectors[0].style = Graduated(
        "score",
        (0.0, 25.0, 50.0, 100.0),
        ("#fee08b", "#fc8d59", "#d73027"),
        nan_label={"en": "not assessed", "kk": "бағаланбаған", "ru": "не оценено"},
    )
    extra = []
    for i in range(6):  # six more categorised layers of eight classes each
        layer = copy.copy(theme.vectors[1])
        layer.name = f"net{i}"
        layer.title = {"en": f"Network {i}", "kk": f"Желі {i}", "ru": f"Сеть {i}"}
        layer.source = f"Survey number {i} of the utility company, 2023, with a long citation"
        layer.style = Categorized(
            "kind",
            tuple(
                Category(k, "#2b8cbe", {"en": f"class {k}", "kk": f"класс {k}", "ru": f"класс {k}"})
                for k in range(8)
            ),
        )
        extra.append(layer)
    theme.vectors += extra
    fig = render_map_sheet(theme, base, lang="kk")
    texts = _legend_texts(fig)
    assert "бағаланбаған" in texts
    assert all(f"Желі {i}" in texts for i in range(6))  # every section placed
    xs = {round(leg.get_window_extent().x0) for leg in fig.legends}
    assert len(xs) == 2  # in two columns
    fig_texts = [t.get_text() for t in fig.texts]
    assert not any(t.startswith("…") for t in fig_texts)
    sources = next(t for t in fig_texts if t.startswith("Дереккөздер"))
    flat = sources.replace("\n", " ")
    for i in range(6):
        assert f"Survey number {i}" in flat.replace("- ", "-")
    # the legend stays on the sheet and clear of the map
    for leg in fig.legends:
        bb = leg.get_window_extent().transformed(fig.transFigure.inverted())
        assert bb.y0 >= 0.01 and bb.x0 >= 0.69 and bb.x1 <= 1.0


def test_sources_too_long_say_where_the_full_list_is():
    theme = make_theme()
    for i, v in enumerate(theme.vectors):
        v.source = f"{i}: a very long citation of a source " * 150
        v.show = True
    fig = render_map_sheet(theme, EMPTY_BASE, lang="en")
    fig_texts = [t.get_text() for t in fig.texts]
    sources = next(t for t in fig_texts if t.startswith("Sources"))
    assert sources.endswith("full list in the HTML map and manifest.json")
    bb = next(t for t in fig.texts if t.get_text() == sources).get_window_extent()
    assert bb.transformed(fig.transFigure.inverted()).y0 >= 0.0


def test_map_labels_do_not_overlap(base):
    fig = render_map_sheet(make_theme(), base, lang="en")
    fig.canvas.draw()
    ax = fig.axes[0]
    boxes = [a.get_window_extent() for a in ax.texts if a.get_zorder() == 20]
    assert boxes
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])
