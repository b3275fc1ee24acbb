"""Survey uncertainty: confidence intervals, sample sizes and significance tests.

Pure functions on numbers, arrays and DataFrames; nothing here opens a file.

:func:`wilson_interval` (95 % Wilson score interval for a proportion),
:func:`normal_moe` (the textbook ±1.96·√(p(1−p)/n), used only as a check
value: ±4.39 pp at p = 0.5, n = 499), :func:`town_sample_sizes` (per-town
sample sizes *derived* from the published town shares by the largest
remainder method), :func:`counts_matching_share` (whole counts consistent
with a published share), :func:`two_proportion_z` and
:func:`same_question_z` (z-tests for independent samples and for answers of
one single-choice question) and :func:`pairwise_significance` (which
differences between answers are statistically significant).

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. JASA 22(158), 209–212.

Examples
--------
>>> from geo.models.indicators.survey import normal_moe, wilson_interval
>>> lo, hi = wilson_interval(0.5, 499)
>>> round(float(hi - lo) / 2 * 100, 2), round(normal_moe(0.5, 499) * 100, 2)
(4.37, 4.39)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
"""Two-sided 95 % standard normal quantile, Φ⁻¹(0.975)."""


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
