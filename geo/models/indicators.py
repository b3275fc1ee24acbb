"""Socio-economic indicators: survey uncertainty, schema checks and a composite index.

Pure functions on numbers, arrays and DataFrames; nothing here opens a file.

Survey uncertainty
    :func:`wilson_interval` (95 % Wilson score interval for a proportion),
    :func:`normal_moe` (the textbook ±1.96·√(p(1−p)/n), used only as a check
    value: ±4.39 pp at p = 0.5, n = 499), :func:`town_sample_sizes` (per-town
    sample sizes *derived* from the published town shares by the largest
    remainder method) and :func:`pairwise_significance` (which differences
    between answers are statistically significant).
Schema checks
    :func:`check_share_range`, :func:`check_group_sums`, :func:`match_names`
    and :func:`parse_indicator_specs` raise a one-line
    :class:`~geo.errors.IndicatorError` naming the table, the row and the field.
Composite index (OECD/JRC Handbook on Constructing Composite Indicators, 2008)
    :func:`normalise` (min–max, z-score, distance to a reference, each with the
    indicator's direction), :func:`composite_index` (indicators → factor groups
    → index, linear or geometric aggregation), :func:`prepare_values` (explicit
    treatment of missing values) and :func:`monte_carlo_ranks` (uncertainty and
    sensitivity analysis over weights, normalisation, aggregation and imputed
    values, reporting every unit's rank interval with a fixed seed).

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. JASA 22(158), 209–212.
.. [2] Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffmann, A.,
   Giovannini, E. (2008). Handbook on Constructing Composite Indicators:
   Methodology and User Guide. OECD/JRC, ISBN 978-92-64-04345-9.
.. [3] Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and
   sensitivity analysis techniques as tools for the quality assessment of
   composite indicators. JRSS A 168(2), 307–323.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import IndicatorError

__all__ = [
    "AGGREGATIONS",
    "DEFAULT_ALIASES",
    "GROUPS",
    "NORMALISATIONS",
    "ROLES",
    "Z95",
    "CompositeResult",
    "IndexConfig",
    "IndicatorSpec",
    "MonteCarloResult",
    "check_group_sums",
    "check_share_range",
    "closest_name",
    "composite_index",
    "counts_matching_share",
    "first_order_sensitivity",
    "match_names",
    "monte_carlo_ranks",
    "normal_moe",
    "normalise",
    "normalise_name",
    "pairwise_significance",
    "parse_indicator_specs",
    "prepare_values",
    "rank_units",
    "same_question_z",
    "town_sample_sizes",
    "two_proportion_z",
    "wilson_interval",
]

Z95 = 1.959963984540054
"""Two-sided 95 % standard normal quantile, Φ⁻¹(0.975)."""

GROUPS: tuple[str, ...] = ("economy", "social", "ecology")
"""Factor groups of the study's multifactor model (paper 001)."""

ROLES: tuple[str, ...] = ("main", "inhibiting", "additional")
"""Factor roles of the study's model: main (driving), inhibiting (blocking), additional (indirect)."""

NORMALISATIONS: tuple[str, ...] = ("minmax", "zscore", "distance")
"""Normalisation methods of the OECD/JRC Handbook offered here."""

AGGREGATIONS: tuple[str, ...] = ("linear", "geometric")
"""Aggregation rules: linear (fully compensatory) or geometric (partly compensatory)."""


# -- survey uncertainty ------------------------------------------------------------
def wilson_interval(
    p: float | np.ndarray, n: float | np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion.

    Parameters
    ----------
    p : float or array
        Observed proportion(s), 0–1 (not percent).
    n : float or array
        Sample size(s), > 0.
    z : float
        Standard normal quantile; :data:`Z95` for a 95 % interval.

    Returns
    -------
    lo, hi : ndarray
        Lower and upper bounds, 0–1. Unlike the normal approximation they never
        leave 0–1 and stay sensible near 0 and 1.

    Notes
    -----
    ``centre = (p + z²/2n) / (1 + z²/n)``,
    ``half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)``.

    Examples
    --------
    >>> lo, hi = wilson_interval(0.5, 499)
    >>> round(float(hi - lo) / 2 * 100, 2)
    4.37
    """
    p_arr = np.asarray(p, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any((p_arr < 0) | (p_arr > 1)):
        msg = f"wilson_interval: proportions must lie in 0–1, got {p!r}; divide percentages by 100"
        raise ValueError(msg)
    if np.any(n_arr <= 0):
        msg = f"wilson_interval: sample size must be positive, got {n!r}"
        raise ValueError(msg)
    z2 = z * z
    denom = 1.0 + z2 / n_arr
    centre = (p_arr + z2 / (2.0 * n_arr)) / denom
    half = z / denom * np.sqrt(p_arr * (1.0 - p_arr) / n_arr + z2 / (4.0 * n_arr * n_arr))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def normal_moe(p: float, n: float, z: float = Z95) -> float:
    """Normal-approximation margin of error ``z·√(p(1−p)/n)`` (as a proportion).

    Simple random sampling assumed. Used as a check value and for the
    "± pp" figure quoted in notes; the maps use :func:`wilson_interval`.

    Examples
    --------
    >>> round(normal_moe(0.5, 499) * 100, 2)
    4.39
    """
    return float(z * math.sqrt(p * (1.0 - p) / n))


def town_sample_sizes(shares_pct: Mapping[str, float], n: int) -> dict[str, int]:
    """Derive per-group sample sizes from published percentage shares.

    Uses the largest remainder (Hamilton) method: every group gets
    ``floor(n · share / 100)`` and the respondents left over go, one each, to
    the groups with the largest fractional remainders (ties broken by name, so
    the result is deterministic). The parts therefore sum to *n* when the
    shares sum to 100.

    These are *derived* figures, not published counts: the shares are rounded
    to 0.1 pp, so a derived count can be off by one.

    Parameters
    ----------
    shares_pct : mapping of group to percent
        Published shares (0–100); they should sum to about 100.
    n : int
        Total sample size.

    Returns
    -------
    dict
        Group → derived integer sample size.

    Examples
    --------
    >>> town_sample_sizes({"Shu": 43.5, "Karatau": 23.7, "Zhanatas": 22.4, "not stated": 10.4}, 499)
    {'Shu': 217, 'Karatau': 118, 'Zhanatas': 112, 'not stated': 52}
    """
    quotas = {k: n * float(v) / 100.0 for k, v in shares_pct.items()}
    base = {k: math.floor(q) for k, q in quotas.items()}
    left = n - sum(base.values())
    order = sorted(quotas, key=lambda k: (-(quotas[k] - base[k]), k))
    for k in order[: max(0, min(left, len(order)))]:
        base[k] += 1
    return {k: base[k] for k in shares_pct}


def counts_matching_share(share_pct: float, n: int, decimals: int = 1) -> list[int]:
    """Whole counts out of *n* whose percentage rounds to the published *share_pct*.

    An empty list means the published share cannot come from *n* respondents
    (a sign of a different base or a typo). Rounding is half-up at *decimals*.

    Examples
    --------
    >>> counts_matching_share(43.5, 499)
    [217]
    >>> counts_matching_share(23.7, 499)
    []
    """
    scale = 10**decimals
    target = round(float(share_pct) * scale)
    lo = max(0, math.floor((float(share_pct) - 1.0 / scale) * n / 100.0))
    hi = min(n, math.ceil((float(share_pct) + 1.0 / scale) * n / 100.0))
    return [
        k for k in range(lo, hi + 1) if math.floor(100.0 * k / n * scale + 0.5 + 1e-9) == target
    ]


def _norm_sf2(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return float(math.erfc(abs(z) / math.sqrt(2.0)))


def two_proportion_z(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float]:
    """Pooled two-proportion z-test for two *independent* samples.

    Returns
    -------
    z, p_value : float
        The statistic ``(p1 − p2) / √(p̂(1−p̂)(1/n1 + 1/n2))`` with the pooled
        ``p̂ = (p1·n1 + p2·n2)/(n1 + n2)`` and its two-sided p-value.

    Examples
    --------
    >>> z, pv = two_proportion_z(0.5, 100, 0.5, 100)
    >>> (z, pv)
    (0.0, 1.0)
    """
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return 0.0, 1.0
    z = (p1 - p2) / se
    return float(z), _norm_sf2(z)


def same_question_z(p1: float, p2: float, n: float) -> tuple[float, float]:
    """z-test for two mutually exclusive answers of one single-choice question.

    Both shares come from the same *n* respondents (a multinomial sample), so
    they are negatively correlated: ``Var(p1 − p2) = (p1 + p2 − (p1 − p2)²)/n``.
    The independent-samples test would be wrong here.

    Returns
    -------
    z, p_value : float

    Examples
    --------
    >>> z, pv = same_question_z(0.237, 0.224, 499)
    >>> pv > 0.05
    True
    """
    var = (p1 + p2 - (p1 - p2) ** 2) / n
    if var <= 0.0:
        return 0.0, 1.0
    z = (p1 - p2) / math.sqrt(var)
    return float(z), _norm_sf2(z)


def pairwise_significance(
    survey: pd.DataFrame,
    *,
    single_choice: Iterable[str],
    alpha: float = 0.05,
    z: float = Z95,
) -> pd.DataFrame:
    """Flag which differences between answers of the same question are significant.

    Parameters
    ----------
    survey : DataFrame
        Columns ``question_id``, ``answer_id``, ``percent`` (0–100) and ``n``.
    single_choice : iterable of str
        Questions where each respondent chose one answer. Their pairs are tested
        with :func:`same_question_z` (multinomial covariance). Every other
        question is treated as multiple-response, where the covariance of two
        answers is unknown; those pairs use the conservative rule "significant
        only if the two 95 % Wilson intervals do not overlap" (non-overlap
        implies p < 0.05; overlap does not prove the contrary).
    alpha : float
        Significance level of the z-test.
    z : float
        Quantile for the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per pair: ``question_id``, ``answer_a``, ``answer_b``,
        ``diff_pp``, ``method`` (``"multinomial z-test"`` or
        ``"Wilson interval overlap"``), ``p_value`` (NaN for the overlap rule)
        and ``significant`` (bool).
    """
    single = set(single_choice)
    rows: list[dict[str, Any]] = []
    for qid, grp in survey.groupby("question_id", sort=True):
        g = grp.reset_index(drop=True)
        p = g["percent"].to_numpy(dtype=float) / 100.0
        n = g["n"].to_numpy(dtype=float)
        lo, hi = wilson_interval(p, n, z)
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                if qid in single:
                    _, pv = same_question_z(float(p[i]), float(p[j]), float(n[i]))
                    sig = pv < alpha
                    method = "multinomial z-test"
                else:
                    pv = float("nan")
                    sig = bool(hi[i] < lo[j] or hi[j] < lo[i])
                    method = "Wilson interval overlap"
                rows.append(
                    {
                        "question_id": str(qid),
                        "answer_a": str(g["answer_id"][i]),
                        "answer_b": str(g["answer_id"][j]),
                        "diff_pp": round(float(p[i] - p[j]) * 100.0, 6),
                        "method": method,
                        "p_value": pv,
                        "significant": bool(sig),
                    }
                )
    cols = ["question_id", "answer_a", "answer_b", "diff_pp", "method", "p_value", "significant"]
    return pd.DataFrame(rows, columns=cols)


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


# -- composite index -----------------------------------------------------------------
@dataclass(frozen=True)
class IndexConfig:
    """How the composite index is built.

    Attributes
    ----------
    normalisation : str
        ``"minmax"``, ``"zscore"`` or ``"distance"`` (see :func:`normalise`).
    aggregation : str
        ``"linear"`` (weighted arithmetic mean) or ``"geometric"`` (weighted
        geometric mean), used within groups and across groups.
    group_weights : mapping
        Weight of each factor group (normalised over the groups present).
    role_weights : mapping
        Multiplier of each role (main / inhibiting / additional) applied to the
        indicator weights within a group.
    geometric_floor : float
        Geometric aggregation needs positive scores: min–max and z-scores are
        mapped onto [floor, 1] and ratios are clipped below at floor.
    """

    normalisation: str = "minmax"
    aggregation: str = "linear"
    group_weights: Mapping[str, float] = field(
        default_factory=lambda: {"economy": 1.0, "social": 1.0, "ecology": 1.0}
    )
    role_weights: Mapping[str, float] = field(
        default_factory=lambda: {"main": 1.0, "inhibiting": 1.0, "additional": 0.5}
    )
    geometric_floor: float = 0.1

    def __post_init__(self) -> None:
        if self.normalisation not in NORMALISATIONS:
            msg = f"normalisation {self.normalisation!r} is not one of {', '.join(NORMALISATIONS)}"
            raise IndicatorError(msg)
        if self.aggregation not in AGGREGATIONS:
            msg = f"aggregation {self.aggregation!r} is not one of {', '.join(AGGREGATIONS)}"
            raise IndicatorError(msg)
        if not 0.0 < self.geometric_floor < 1.0:
            msg = f"geometric_floor {self.geometric_floor!r} must lie strictly between 0 and 1"
            raise IndicatorError(msg)


def normalise(
    x: np.ndarray, method: str, direction: int, reference: float | None = None, *, name: str = ""
) -> np.ndarray:
    """Normalise one indicator across units, so that higher always means better.

    Parameters
    ----------
    x : ndarray
        Values of the units (no NaN: treat missing values first).
    method : str
        ``"minmax"``: ``(x − min)/(max − min)``, reversed ``(max − x)/(max − min)``
        for direction −1. ``"zscore"``: ``direction · (x − mean)/sd`` (population
        sd). ``"distance"``: ratio to a reference, ``x/ref`` for +1 and
        ``ref/x`` for −1 (``ref`` defaults to the mean of the units).
    direction : int
        +1 or −1.
    reference : float, optional
        Reference for ``"distance"``.
    name : str
        Indicator id for messages.

    Returns
    -------
    ndarray

    Raises
    ------
    IndicatorError
        Constant indicator (min–max or z-score undefined), or a ratio that
        would divide by zero.
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        msg = f"indicator {name!r}: missing values must be treated before normalising"
        raise IndicatorError(msg)
    if method == "minmax":
        span = float(x.max() - x.min())
        if span == 0.0:
            msg = (
                f"indicator {name!r}: every unit has the same value; drop it (it cannot rank units)"
            )
            raise IndicatorError(msg)
        return (x - x.min()) / span if direction > 0 else (x.max() - x) / span
    if method == "zscore":
        sd = float(x.std())
        if sd == 0.0:
            msg = (
                f"indicator {name!r}: every unit has the same value; drop it (it cannot rank units)"
            )
            raise IndicatorError(msg)
        return direction * (x - x.mean()) / sd
    if method == "distance":
        ref = float(x.mean()) if reference is None else float(reference)
        if ref <= 0.0:
            msg = (
                f"indicator {name!r}: distance to reference needs a positive reference, got {ref:g}"
            )
            raise IndicatorError(msg)
        if direction > 0:
            return x / ref
        if (x <= 0).any():
            msg = f"indicator {name!r}: distance to reference with direction '-' needs positive values (ref/x)"
            raise IndicatorError(msg)
        return ref / x
    msg = f"normalisation {method!r} is not one of {', '.join(NORMALISATIONS)}"
    raise IndicatorError(msg)


@dataclass
class CompositeResult:
    """A composite index and its parts.

    Attributes
    ----------
    index : Series
        Index per unit (higher is better).
    rank : Series
        Rank per unit, 1 = highest index (ties share the best rank).
    groups : DataFrame
        Score of each factor group per unit.
    normalised : DataFrame
        Normalised indicator scores (higher is better).
    weights : dict
        Effective weights: ``indicators`` (within group, summing to 1 per group)
        and ``groups`` (summing to 1).
    """

    index: pd.Series
    rank: pd.Series
    groups: pd.DataFrame
    normalised: pd.DataFrame
    weights: dict[str, dict[str, float]]


def rank_units(index: pd.Series) -> pd.Series:
    """Rank 1 for the highest value; ties share the best rank (``method="min"``)."""
    return pd.Series(_ranks(index.to_numpy(dtype=float)), index=index.index, name="rank")


def _wmean(scores: np.ndarray, w: np.ndarray, how: str) -> np.ndarray:
    """Weighted mean of columns (units × items) with weights summing to 1."""
    if how == "linear":
        return scores @ w
    return np.exp(np.log(scores) @ w)


def _index_arrays(
    x: np.ndarray,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    weight_factors: Mapping[str, float] | None = None,
    group_factors: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, dict[str, dict[str, float]]]:
    """Core of :func:`composite_index` on a units × indicators array (columns in *specs* order)."""
    norm = np.empty_like(x, dtype=float)
    for j, s in enumerate(specs):
        v = normalise(x[:, j], config.normalisation, s.direction, s.reference, name=s.id)
        if config.aggregation == "geometric":
            floor = config.geometric_floor
            if config.normalisation == "distance":
                v = np.maximum(v, floor)
            else:
                span = float(v.max() - v.min())
                v = floor + (1.0 - floor) * (v - v.min()) / span
        norm[:, j] = v
    wf = weight_factors or {}
    gf = group_factors or {}
    group_scores: dict[str, np.ndarray] = {}
    ind_weights: dict[str, float] = {}
    for g in GROUPS:
        cols = [j for j, s in enumerate(specs) if s.group == g]
        if not cols:
            continue
        w = np.array(
            [
                specs[j].weight
                * float(config.role_weights.get(specs[j].role, 1.0))
                * wf.get(specs[j].id, 1.0)
                for j in cols
            ]
        )
        if w.sum() <= 0:
            continue
        w = w / w.sum()
        for j, wi in zip(cols, w, strict=True):
            ind_weights[specs[j].id] = float(wi)
        group_scores[g] = _wmean(norm[:, cols], w, config.aggregation)
    if not group_scores:
        msg = "composite index: every indicator has weight 0; give some a positive weight"
        raise IndicatorError(msg)
    names = list(group_scores)
    gw = np.array([float(config.group_weights.get(g, 0.0)) * gf.get(g, 1.0) for g in names])
    if gw.sum() <= 0:
        msg = f"composite index: the groups with indicators ({', '.join(names)}) all have weight 0"
        raise IndicatorError(msg)
    gw = gw / gw.sum()
    index = _wmean(np.column_stack([group_scores[g] for g in names]), gw, config.aggregation)
    weights = {
        "indicators": ind_weights,
        "groups": {g: float(w) for g, w in zip(names, gw, strict=True)},
    }
    return index, group_scores, norm, weights


def _ranks(index: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest value; ties share the best rank."""
    return 1 + (index[None, :] > index[:, None]).sum(axis=1)


def composite_index(
    values: pd.DataFrame,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    *,
    weight_factors: Mapping[str, float] | None = None,
    group_factors: Mapping[str, float] | None = None,
) -> CompositeResult:
    """Build a two-level composite index: indicators → factor groups → index.

    Parameters
    ----------
    values : DataFrame
        Units (index) × indicator ids (columns), no missing values.
    specs : sequence of IndicatorSpec
        The indicators to use (each must be a column of *values*).
    config : IndexConfig
        Normalisation, aggregation and weights.
    weight_factors, group_factors : mapping, optional
        Multipliers of indicator and group weights (used by the Monte Carlo).

    Returns
    -------
    CompositeResult

    Notes
    -----
    Within a group, an indicator's weight is ``weight × role_weights[role]``,
    normalised to sum to 1; groups are weighted by ``group_weights``,
    normalised over the groups that have at least one indicator. Linear
    aggregation is the weighted arithmetic mean (full compensability), geometric
    the weighted geometric mean (partial compensability; scores made positive
    as described in :class:`IndexConfig`).
    """
    if not specs:
        msg = "composite index: no indicators left; add indicators with values for every unit"
        raise IndicatorError(msg)
    missing = [s.id for s in specs if s.id not in values.columns]
    if missing:
        msg = f"composite index: no values for indicator(s) {', '.join(missing)}"
        raise IndicatorError(msg)
    x = values[[s.id for s in specs]].to_numpy(dtype=float)
    index, groups, norm, weights = _index_arrays(x, specs, config, weight_factors, group_factors)
    return CompositeResult(
        index=pd.Series(index, index=values.index, name="index"),
        rank=pd.Series(_ranks(index), index=values.index, name="rank"),
        groups=pd.DataFrame(groups, index=values.index),
        normalised=pd.DataFrame(norm, index=values.index, columns=[s.id for s in specs]),
        weights=weights,
    )


def prepare_values(
    values: pd.DataFrame, specs: Sequence[IndicatorSpec], policy: str = "drop_indicator"
) -> tuple[pd.DataFrame, list[IndicatorSpec], dict[str, str], pd.DataFrame]:
    """Treat missing values explicitly and drop indicators that cannot rank units.

    Parameters
    ----------
    values : DataFrame
        Units × indicators, NaN where no value was published.
    specs : sequence of IndicatorSpec
    policy : str
        ``"drop_indicator"`` (default): an indicator missing for any unit is left
        out of the index. ``"mean"``: a missing value is replaced by the mean of
        the units that have one (recorded as imputed). ``"drop_unit"``: units
        with any missing value are left out.

    Returns
    -------
    values : DataFrame
        Complete values for the indicators kept.
    specs : list of IndicatorSpec
        Indicators kept.
    dropped : dict
        Indicator id → reason it was left out.
    imputed : DataFrame of bool
        True where a value was imputed.
    """
    if policy not in ("drop_indicator", "mean", "drop_unit"):
        msg = f"missing-value policy {policy!r} is not one of drop_indicator, mean, drop_unit"
        raise IndicatorError(msg)
    v = values[[s.id for s in specs]].astype(float).copy()
    imputed = pd.DataFrame(False, index=v.index, columns=v.columns)
    dropped: dict[str, str] = {}
    if policy == "drop_unit":
        v = v.dropna(axis=0, how="any")
        imputed = imputed.loc[v.index]
    for s in specs:
        col = v[s.id]
        n_obs = int(col.notna().sum())
        if n_obs < len(col):
            missing_units = ", ".join(str(u) for u in col.index[col.isna()])
            if policy == "drop_indicator" or n_obs < 2:
                dropped[s.id] = f"no value for {missing_units}"
                continue
            imputed.loc[col.isna(), s.id] = True
            v[s.id] = col.fillna(col.mean())
        if v[s.id].nunique() < 2:
            dropped[s.id] = "the same value for every unit (cannot rank)"
    kept = [s for s in specs if s.id not in dropped]
    return v[[s.id for s in kept]], kept, dropped, imputed[[s.id for s in kept]]


@dataclass
class MonteCarloResult:
    """Outcome of :func:`monte_carlo_ranks`.

    Attributes
    ----------
    ranks : DataFrame
        Per unit: ``rank`` (reference), ``rank_median``, ``rank_lo``, ``rank_hi``
        (the interval percentiles), ``rank_min``, ``rank_max``, ``p_rank1``
        (share of runs ranked first) and ``mean_abs_shift``.
    average_shift : float
        Average shift in ranks ``R̄_S = mean over runs and units of |rank_ref − rank|``.
    sensitivity : DataFrame
        First-order sensitivity index of each unit's rank (columns) to each
        uncertain input (rows: ``normalisation``, ``aggregation``,
        ``weight:<indicator>``, ``group_weight:<group>``, ``value:<unit>/<indicator>``).
    """

    ranks: pd.DataFrame
    average_shift: float
    sensitivity: pd.DataFrame


def monte_carlo_ranks(
    values: pd.DataFrame,
    specs: Sequence[IndicatorSpec],
    config: IndexConfig,
    *,
    runs: int = 1000,
    seed: int = 20231,
    normalisations: Sequence[str] | None = None,
    aggregations: Sequence[str] | None = None,
    weight_spread: float = 0.5,
    bounds: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    interval: tuple[float, float] = (5.0, 95.0),
) -> MonteCarloResult:
    """Uncertainty and sensitivity analysis of the ranks (OECD/JRC step 7).

    Each run draws, independently:

    * every indicator weight and group weight multiplied by ``U(1 − s, 1 + s)``
      with ``s = weight_spread`` (then renormalised);
    * the normalisation, uniformly from *normalisations*;
    * the aggregation, uniformly from *aggregations*;
    * every uncertain value (``bounds[(unit, indicator)] = (lo, hi)``, e.g. an
      imputed share) uniformly within its bounds.

    Parameters
    ----------
    values : DataFrame
        Units × indicators (point values, complete).
    specs : sequence of IndicatorSpec
    config : IndexConfig
        The reference configuration (its ranks are ``rank``).
    runs : int
        Number of Monte Carlo runs.
    seed : int
        Seed of ``numpy.random.default_rng`` (results are reproducible).
    normalisations, aggregations : sequence of str, optional
        Alternatives to sample; the reference's alone by default.
    weight_spread : float
        Relative half-width of the weight perturbation, 0 ≤ s < 1.
    bounds : mapping, optional
        Value intervals of uncertain cells.
    interval : (float, float)
        Percentiles of the reported rank interval.

    Returns
    -------
    MonteCarloResult
        Rank statistics per unit, the average rank shift and the first-order
        sensitivity of each unit's rank to each uncertain input.
    """
    if not 0.0 <= weight_spread < 1.0:
        msg = f"Monte Carlo weight_spread {weight_spread!r} must lie in [0, 1)"
        raise IndicatorError(msg)
    if runs < 1:
        msg = f"Monte Carlo runs {runs!r} must be ≥ 1"
        raise IndicatorError(msg)
    norms = list(normalisations or [config.normalisation])
    aggs = list(aggregations or [config.aggregation])
    for m in norms:
        if m not in NORMALISATIONS:
            msg = f"Monte Carlo normalisation {m!r} is not one of {', '.join(NORMALISATIONS)}"
            raise IndicatorError(msg)
    for a in aggs:
        if a not in AGGREGATIONS:
            msg = f"Monte Carlo aggregation {a!r} is not one of {', '.join(AGGREGATIONS)}"
            raise IndicatorError(msg)
    ref = composite_index(values, specs, config)
    rng = np.random.default_rng(seed)
    units = list(values.index)
    cols = [s.id for s in specs]
    x0 = values[cols].to_numpy(dtype=float)
    cells = []
    for (unit, ind), (lo, hi) in sorted(
        (bounds or {}).items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))
    ):
        if unit in units and ind in cols:
            cells.append((units.index(unit), cols.index(ind), float(lo), float(hi)))
    configs = {
        (m, a): IndexConfig(m, a, config.group_weights, config.role_weights, config.geometric_floor)
        for m in norms
        for a in aggs
    }
    ranks = np.empty((runs, len(units)), dtype=float)
    draws: dict[str, list[Any]] = {}
    for r in range(runs):
        wf = {s.id: float(rng.uniform(1 - weight_spread, 1 + weight_spread)) for s in specs}
        gf = {g: float(rng.uniform(1 - weight_spread, 1 + weight_spread)) for g in GROUPS}
        norm = norms[int(rng.integers(len(norms)))]
        agg = aggs[int(rng.integers(len(aggs)))]
        x = x0
        if cells:
            x = x0.copy()
            for i, j, lo, hi in cells:
                x[i, j] = rng.uniform(lo, hi)
                draws.setdefault(f"value:{units[i]}/{cols[j]}", []).append(float(x[i, j]))
        draws.setdefault("normalisation", []).append(norm)
        draws.setdefault("aggregation", []).append(agg)
        for k, v in wf.items():
            draws.setdefault(f"weight:{k}", []).append(v)
        for g in sorted({sp.group for sp in specs}):
            draws.setdefault(f"group_weight:{g}", []).append(gf[g])
        index, _, _, _ = _index_arrays(x, specs, configs[(norm, agg)], wf, gf)
        ranks[r] = _ranks(index)
    ref_rank = ref.rank.loc[units].to_numpy(dtype=float)
    shift = np.abs(ranks - ref_rank)
    out = pd.DataFrame(
        {
            "rank": ref_rank.astype(int),
            "rank_median": np.median(ranks, axis=0),
            "rank_lo": np.percentile(ranks, interval[0], axis=0, method="lower"),
            "rank_hi": np.percentile(ranks, interval[1], axis=0, method="higher"),
            "rank_min": ranks.min(axis=0),
            "rank_max": ranks.max(axis=0),
            "p_rank1": (ranks == 1).mean(axis=0),
            "mean_abs_shift": shift.mean(axis=0),
        },
        index=values.index,
    )
    sens = pd.DataFrame(
        {factor: first_order_sensitivity(np.asarray(x), ranks) for factor, x in draws.items()},
        index=values.index,
    ).T
    return MonteCarloResult(out, float(shift.mean()), sens)


def first_order_sensitivity(x: np.ndarray, y: np.ndarray, bins: int = 10) -> np.ndarray:
    """First-order sensitivity index ``S = V[E(Y|X)] / V(Y)`` estimated from Monte Carlo draws.

    Parameters
    ----------
    x : ndarray, shape (runs,)
        Draws of one input: categories (strings) are grouped as they are,
        numbers in *bins* equal-count bins.
    y : ndarray, shape (runs,) or (runs, units)
        Outputs (e.g. the rank of every unit).
    bins : int
        Bins for a continuous input.

    Returns
    -------
    ndarray
        S per output column, in 0–1; NaN where the output never varies.

    Notes
    -----
    The "given data" estimator of Saisana, Saltelli & Tarantola (2005): the
    variance of the conditional means over the groups of *x*, weighted by
    group size, divided by the total variance. Binning biases it slightly
    upwards for pure noise (about (bins − 1)/runs).
    """
    y2 = np.asarray(y, dtype=float)
    y2 = y2.reshape(len(y2), -1)
    if x.dtype.kind in "fiu":
        order = np.argsort(x, kind="stable")
        groups = np.empty(len(x), dtype=int)
        groups[order] = np.arange(len(x)) * bins // len(x)
    else:
        _, groups = np.unique(x, return_inverse=True)
    total = y2.var(axis=0)
    mean = y2.mean(axis=0)
    between = np.zeros(y2.shape[1])
    for g in np.unique(groups):
        sel = groups == g
        between += sel.sum() * (y2[sel].mean(axis=0) - mean) ** 2
    between /= len(y2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, between / np.where(total > 0, total, 1.0), np.nan)
    return np.clip(out, 0.0, 1.0)
