"""Choropleth classification, number formatting and the survey charts.

:func:`classify` turns values into ``Graduated`` breaks with mapclassify,
:func:`survey_chart_svg` draws the survey answers as inline SVG bar charts with
Wilson whiskers, and the popup of a town combines those charts with the
toolkit's translated labels.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import mapclassify
import numpy as np
import pandas as pd

from geo.i18n import LANGUAGES, Text, tr
from geo.results import VectorLayer
from geo.themes.sustainability.labels import ANSWER_LABELS, QUESTION_LABELS, SCHEMES, T

__all__ = ["Choropleth", "classify", "survey_chart_svg"]


@dataclass(frozen=True)
class Choropleth:
    """A graduated layer and its class breaks (recorded in the manifest)."""

    layer: VectorLayer
    breaks: tuple[float, ...]


def classify(
    values: Sequence[float] | np.ndarray, scheme: str, k: int
) -> tuple[tuple[float, ...], tuple[str, ...], np.ndarray]:
    """Classify *values* with mapclassify and express the classes as ``Graduated`` breaks.

    Parameters
    ----------
    values : array-like
        Values (NaN ignored).
    scheme : str
        ``"natural_breaks"`` (Fisher–Jenks), ``"quantiles"`` or ``"equal_interval"``.
    k : int
        Wanted number of classes (reduced to the number of distinct values).

    Returns
    -------
    breaks : tuple of float
        ``Graduated`` breaks (left-closed classes), one more than the classes.
        ``breaks[i]`` is the smallest value of class *i*, so the colours match
        mapclassify's (right-closed) classes exactly; empty classes are dropped.
    labels : tuple of str
        Legend labels from mapclassify's bins (``"9.5 – 12.1"``).
    yb : ndarray
        mapclassify class of each finite value.
    """
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return (0.0, 1.0), ("—",), np.array([], dtype=int)
    uniq = np.unique(y)
    k_eff = max(1, min(int(k), uniq.size))
    if k_eff == 1:
        v = float(uniq[0]) if uniq.size == 1 else float(y.min())
        return (
            (v, float(y.max())),
            (_num(v) if uniq.size == 1 else f"{_num(y.min())} – {_num(y.max())}",),
            np.zeros(y.size, dtype=int),
        )
    with warnings.catch_warnings():
        # mapclassify warns that numba is absent (pure-Python Fisher–Jenks is exact, just slower)
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*", category=UserWarning)
        cls = getattr(mapclassify, SCHEMES[scheme])(y, k=k_eff)
    yb = np.asarray(cls.yb, dtype=int)
    bins = np.asarray(cls.bins, dtype=float)
    occupied = sorted(set(yb.tolist()))
    breaks = [float(y[yb == c].min()) for c in occupied] + [float(y.max())]
    labels = []
    for c in occupied:
        upper = min(float(bins[c]), float(y.max()))
        if c == 0:
            lower = float(y.min())
            labels.append(_num(lower) if lower == upper else f"{_num(lower)} – {_num(upper)}")
        else:
            labels.append(f"> {_num(float(bins[c - 1]))} – {_num(upper)}")
    return tuple(breaks), tuple(labels), yb


def _fmt(template: Text, **values: float | int | str) -> Text:
    """Fill a translated template; numbers get a decimal comma in Kazakh and Russian."""
    out = {}
    for lang in LANGUAGES:
        filled = {
            k: (f"{v:.1f}".replace(".", ",") if lang != "en" else f"{v:.1f}")
            if isinstance(v, float)
            else str(v)
            for k, v in values.items()
        }
        out[lang] = template[lang].format(**filled)
    return out


def _num(v: float) -> str:
    """Compact number for legends and charts."""
    if not math.isfinite(v):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}".replace(",", " ")
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.2f}"


def survey_chart_svg(
    charts: Sequence[tuple[str, Sequence[tuple[str, float, float, float]]]],
    *,
    header: str = "",
    note: str = "",
    width: int = 300,
) -> str:
    """Horizontal bar charts of survey answers, stacked in one inline SVG.

    Parameters
    ----------
    charts : sequence of (title, bars)
        One chart per question; *bars* holds ``(label, percent, lower, upper)``
        per answer: the toolkit's translated label, the published percentage
        and its 95 % interval (percent), drawn as a bar with a whisker.
    header : str
        Line above the charts (a toolkit string with numbers).
    note : str
        Footnote (toolkit string).
    width : int
        Width in pixels.

    Returns
    -------
    str
        A single ``<svg>`` element of rectangles, lines and text (what the HTML
        writer's sanitiser accepts). Every text is XML-escaped and every number
        is formatted from floats, so nothing from the data can inject markup.
    """
    row_h, head_h, label_w = 18, 18, 130
    plot_w = width - label_w - 40
    body: list[str] = []
    y = 0.0
    if header:
        body.append(f'<text x="0" y="{y + 12:.0f}" font-weight="bold">{escape(header)}</text>')
        y += head_h + 4
    for title, bars in charts:
        body.append(f'<text x="0" y="{y + 12:.0f}" font-weight="bold">{escape(title)}</text>')
        y += head_h
        for label, pct, lo, hi in bars:
            pct_f, lo_f, hi_f = (min(max(float(v), 0.0), 100.0) for v in (pct, lo, hi))
            w = plot_w * pct_f / 100.0
            x_lo, x_hi = label_w + plot_w * lo_f / 100.0, label_w + plot_w * hi_f / 100.0
            mid = y + row_h / 2
            body.append(
                f'<text x="{label_w - 4}" y="{y + 12:.0f}" text-anchor="end">{escape(label[:30])}</text>'
                f'<rect x="{label_w}" y="{y + 3:.0f}" width="{w:.1f}" height="{row_h - 6}" fill="#3182bd"/>'
                f'<line x1="{x_lo:.1f}" y1="{mid:.1f}" x2="{x_hi:.1f}" y2="{mid:.1f}" stroke="#222222" stroke-width="1"/>'
                f'<line x1="{x_lo:.1f}" y1="{y + 5:.0f}" x2="{x_lo:.1f}" y2="{y + row_h - 5:.0f}" stroke="#222222"/>'
                f'<line x1="{x_hi:.1f}" y1="{y + 5:.0f}" x2="{x_hi:.1f}" y2="{y + row_h - 5:.0f}" stroke="#222222"/>'
                f'<text x="{x_hi + 3:.1f}" y="{y + 12:.0f}">{pct_f:.0f} %</text>'
            )
            y += row_h
        y += 6
    if note:
        body.append(
            f'<text x="0" y="{y + 10:.0f}" font-size="8" fill="#555555">{escape(note)}</text>'
        )
        y += 14
    height = math.ceil(y)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">'
        + "".join(body)
        + "</svg>"
    )


def _popup_html(
    town: str, row: pd.Series, survey: pd.DataFrame, questions: list[str], lang: str, n_total: int
) -> str:
    """The popup chart of a town: one SVG built from numbers and the toolkit's labels only."""
    header = ""
    share = row.get("survey_share_pct")
    if share is not None and pd.notna(share):
        header = (
            f"{tr(T['share'], lang)}: {float(share):.1f} % "
            f"({float(row['survey_share_lo']):.1f}–{float(row['survey_share_hi']):.1f} %), "
            f"n ≈ {int(row['survey_n_derived'])}"
        )
    charts = []
    for q in questions:
        sub = survey[survey["question_id"].astype(str) == q]
        if sub.empty:
            continue
        bars = []
        cols = zip(
            sub["answer_id"].astype(str),
            sub["percent"].to_numpy(dtype=float),
            sub["ci_lo"].to_numpy(dtype=float),
            sub["ci_hi"].to_numpy(dtype=float),
            strict=True,
        )
        for j, (answer, pct, lo, hi) in enumerate(cols):
            label = ANSWER_LABELS.get((q, answer))
            name = tr(label, lang) if label else f"{tr(T['answer'], lang)} {j + 1}"
            bars.append((name, float(pct), float(lo), float(hi)))
        charts.append((tr(QUESTION_LABELS[q], lang), bars))
    return survey_chart_svg(charts, header=header, note=tr(T["pooled"], lang))
