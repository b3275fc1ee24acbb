"""Schema checks of indicator tables, robust name matching and indicator specifications.

Pure functions on DataFrames and plain values; nothing here opens a file.
:func:`check_share_range`, :func:`check_group_sums`, :func:`match_names`
and :func:`parse_indicator_specs` raise a one-line
:class:`~geo.errors.IndicatorError` naming the table, the row and the field.
:func:`normalise_name` and :func:`closest_name` match place names across
spellings (Latin, Kazakh and Russian; :data:`DEFAULT_ALIASES`).
:class:`IndicatorSpec` describes one indicator of the composite index
(factor group in :data:`GROUPS`, role in :data:`ROLES`, direction, weight).

Examples
--------
>>> from geo.models.indicators.schema import normalise_name
>>> normalise_name("Жаңатас")
'zhanatas'
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import IndicatorError

GROUPS: tuple[str, ...] = ("economy", "social", "ecology")
"""Factor groups of the study's multifactor model (paper 001)."""


ROLES: tuple[str, ...] = ("main", "inhibiting", "additional")
"""Factor roles of the study's model: main (driving), inhibiting (blocking), additional (indirect)."""


# -- schema checks -------------------------------------------------------------------
def _row(i: int) -> str:
    """'row k (line k+1)': 1-based data row and the CSV line under a header."""
    return f"row {i + 1} (line {i + 2})"


def check_share_range(
    df: pd.DataFrame, *, table: str, field: str, lo: float = 0.0, hi: float = 100.0
) -> None:
    """Refuse a share that is not a number or lies outside *lo*–*hi*.

    Raises
    ------
    IndicatorError
        ``table 'mining_share' row 2 (line 3) field 'share_pct': 112 is outside 0–100; ...``
    """
    if field not in df.columns:
        msg = f"table {table!r}: field {field!r} is missing; add the column"
        raise IndicatorError(msg)
    values = pd.to_numeric(df[field], errors="coerce").to_numpy(dtype=float)
    raw = df[field].to_numpy()
    for i, (v, r) in enumerate(zip(values, raw, strict=True)):
        if np.isnan(v):
            if pd.isna(r):
                continue
            msg = f"table {table!r} {_row(i)} field {field!r}: {r!r} is not a number; write a percentage like 12.5"
            raise IndicatorError(msg)
        if v < lo or v > hi:
            msg = (
                f"table {table!r} {_row(i)} field {field!r}: {v:g} is outside {lo:g}–{hi:g}; "
                "correct the value (shares are percentages)"
            )
            raise IndicatorError(msg)


def check_group_sums(
    df: pd.DataFrame,
    *,
    table: str,
    group_field: str,
    value_field: str,
    groups: Iterable[str],
    total: float = 100.0,
    tolerance: float = 0.5,
    at_most: Iterable[str] = (),
) -> None:
    """Check that the shares of each group add up to *total* (± *tolerance*).

    Parameters
    ----------
    df : DataFrame
        The table.
    table, group_field, value_field : str
        Names used in the message.
    groups : iterable of str
        Groups whose shares must sum to *total* (every answer is listed).
    at_most : iterable of str
        Groups whose shares must not exceed *total* (single-choice questions
        where only some answers are published).

    Raises
    ------
    IndicatorError
        Naming the table, the group's first row and the field.
    """
    for kind, names in (("must", groups), ("max", at_most)):
        for g in names:
            mask = (df[group_field].astype(str) == g).to_numpy()
            if not mask.any():
                msg = f"table {table!r} field {group_field!r}: no rows for {g!r}; add them or remove {g!r} from the check"
                raise IndicatorError(msg)
            s = float(pd.to_numeric(df.loc[mask, value_field], errors="coerce").sum())
            first = int(np.flatnonzero(mask)[0])
            bad = abs(s - total) > tolerance if kind == "must" else s > total + tolerance
            if bad:
                want = f"{total:g} ± {tolerance:g}" if kind == "must" else f"at most {total:g}"
                msg = (
                    f"table {table!r} {_row(first)} field {value_field!r}: the shares of "
                    f"{group_field} {g!r} sum to {s:g}, not {want}; correct the shares of that group"
                )
                raise IndicatorError(msg)


_SUFFIXES = re.compile(
    r"\b(district|raion|rayon|region|audany|audani|city|town|ауданы|аудан|районы|район|"
    r"қаласы|город|г)\b"
)


DEFAULT_ALIASES: dict[str, str] = {
    "zhangatas": "zhanatas",
    "janatas": "zhanatas",
    "жанатас": "zhanatas",
    "жаңатас": "zhanatas",
    "chu": "shu",
    "шу": "shu",
    "karatau": "karatau",
    "қаратау": "karatau",
    "каратау": "karatau",
    "moyynkum": "moiynkum",
    "moinkum": "moiynkum",
    "moyinkum": "moiynkum",
    "moyunkum": "moiynkum",
    "baizak": "bayzak",
    "baizaq": "bayzak",
    "jualy": "zhualy",
    "juali": "zhualy",
    "kordai": "korday",
    "ryskulov": "turarryskulov",
    "sarisu": "sarysu",
}
"""Spelling variants (after :func:`normalise_name`) mapped to one key."""


def normalise_name(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """Key for robust name matching.

    Case-folds, strips accents and the words "district", "city", "ауданы",
    "район"..., drops spaces and punctuation, then applies spelling *aliases*
    (GeoNames "Zhangatas" → "zhanatas").

    Examples
    --------
    >>> normalise_name("Sarysu District")
    'sarysu'
    >>> normalise_name("Zhangatas")
    'zhanatas'
    >>> normalise_name("Turar Ryskulov district")
    'turarryskulov'
    """
    s = unicodedata.normalize("NFKC", str(name)).casefold()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _SUFFIXES.sub(" ", s)
    s = re.sub(r"[\W_]+", "", s)
    table = DEFAULT_ALIASES if aliases is None else aliases
    return table.get(s, s)


def match_names(
    names: Sequence[str],
    candidates: Sequence[str],
    *,
    table: str,
    field: str,
    layer: str,
    skip: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
    rows: Sequence[int] | None = None,
) -> dict[str, str]:
    """Match the names of a table to the names of a layer's features.

    Parameters
    ----------
    names : sequence of str
        Names in the table, in row order.
    candidates : sequence of str
        Names of the layer's features.
    table, field, layer : str
        Used in the message.
    skip : iterable of str
        Table names that are not meant to match a feature (e.g. "Other districts").
    aliases : mapping, optional
        Spelling variants; :data:`DEFAULT_ALIASES` by default.
    rows : sequence of int, optional
        0-based table row of each name (when *names* is a subset of the table).

    Returns
    -------
    dict
        Table name → candidate name.

    Raises
    ------
    IndicatorError
        ``table 'mining_share' row 1 (line 2) field 'district': 'Sarysuu' matches no feature of layer 'districts'; did you mean 'Sarysu'? ...``
    """
    keyed: dict[str, str] = {}
    for c in candidates:
        keyed.setdefault(normalise_name(c, aliases), str(c))
    skipped = {normalise_name(s, aliases) for s in skip}
    out: dict[str, str] = {}
    for i, name in enumerate(names):
        key = normalise_name(name, aliases)
        if key in skipped:
            continue
        if key in keyed:
            out[str(name)] = keyed[key]
            continue
        close = difflib.get_close_matches(key, list(keyed), n=1, cutoff=0.0)
        hint = f"did you mean {keyed[close[0]]!r}? " if close else ""
        msg = (
            f"table {table!r} {_row(rows[i] if rows is not None else i)} field {field!r}: "
            f"{name!r} matches no feature of layer "
            f"{layer!r}; {hint}correct the name (known: {', '.join(sorted(keyed.values()))})"
        )
        raise IndicatorError(msg)
    return out


def closest_name(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to *name* (difflib ratio on normalised keys), or None."""
    keyed = {normalise_name(c): str(c) for c in candidates}
    close = difflib.get_close_matches(normalise_name(name), list(keyed), n=1, cutoff=0.0)
    return keyed[close[0]] if close else None


# -- indicator specifications ---------------------------------------------------------
@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the composite index.

    Attributes
    ----------
    id : str
        Indicator id (column of the value matrix).
    group : str
        Factor group, one of :data:`GROUPS`.
    role : str
        Factor role in the study's model, one of :data:`ROLES`.
    direction : int
        +1 when more is better, −1 when more is worse (an inhibiting factor
        usually counts against: −1).
    weight : float
        Weight within its group before the role multiplier (≥ 0).
    reference : float or None
        Reference value for the "distance" normalisation (None: the mean of the units).
    """

    id: str
    group: str
    role: str
    direction: int
    weight: float = 1.0
    reference: float | None = None


_DIRECTIONS = {"+": 1, "-": -1, "−": -1, "positive": 1, "negative": -1, "1": 1, "-1": -1}


def parse_indicator_specs(
    entries: Sequence[Mapping[str, Any]], *, table: str
) -> list[IndicatorSpec]:
    """Check and convert indicator entries (from a recipe or a table).

    Each entry needs ``id``, ``group`` (economy / social / ecology), ``role``
    (main / inhibiting / additional) and ``direction`` (``"+"`` or ``"-"``);
    ``weight`` (default 1) and ``reference`` are optional.

    Raises
    ------
    IndicatorError
        ``table 'indicators' row 3 (line 4) field 'direction': missing; ...``.
    """
    out: list[IndicatorSpec] = []
    seen: set[str] = set()
    for i, e in enumerate(entries):
        where = f"table {table!r} row {i + 1}"
        ind_id = str(e.get("id", "")).strip()
        if not ind_id:
            msg = f"{where} field 'id': missing; give every indicator an id"
            raise IndicatorError(msg)
        where = f"{where} ({ind_id})"
        if ind_id in seen:
            msg = f"{where} field 'id': {ind_id!r} appears twice; keep one entry"
            raise IndicatorError(msg)
        seen.add(ind_id)
        d = e.get("direction")
        if d is None or str(d).strip() == "":
            msg = f'{where} field \'direction\': missing; write "+" (more is better) or "-" (more is worse, e.g. an inhibiting factor)'
            raise IndicatorError(msg)
        if str(d).strip() not in _DIRECTIONS:
            msg = f'{where} field \'direction\': {d!r} is not "+" or "-"; use one of them'
            raise IndicatorError(msg)
        group = str(e.get("group", ""))
        if group not in GROUPS:
            msg = f"{where} field 'group': {group!r} is not one of {', '.join(GROUPS)}; use one of them"
            raise IndicatorError(msg)
        role = str(e.get("role", ""))
        if role not in ROLES:
            msg = (
                f"{where} field 'role': {role!r} is not one of {', '.join(ROLES)}; use one of them"
            )
            raise IndicatorError(msg)
        try:
            weight = float(e.get("weight", 1.0))
        except (TypeError, ValueError):
            weight = float("nan")
        if not math.isfinite(weight) or weight < 0:
            msg = f"{where} field 'weight': {e.get('weight')!r} must be a number ≥ 0"
            raise IndicatorError(msg)
        ref = e.get("reference")
        if ref is not None:
            try:
                ref = float(ref)
            except (TypeError, ValueError):
                ref = float("nan")
            if not math.isfinite(ref) or ref <= 0:
                msg = f"{where} field 'reference': {e.get('reference')!r} must be a positive number"
                raise IndicatorError(msg)
        out.append(IndicatorSpec(ind_id, group, role, _DIRECTIONS[str(d).strip()], weight, ref))
    if not out:
        msg = f"table {table!r}: no indicators; list at least one"
        raise IndicatorError(msg)
    return out
