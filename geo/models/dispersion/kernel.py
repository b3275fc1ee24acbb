"""Numeric kernels of the ground field: plume-cone bounds and ``s1 · s2`` on a block.

Private helpers of :func:`geo.models.dispersion.ground.ground_field`:
:func:`_s2_cut_t` (the ``t`` beyond which ``s2`` falls below a floor),
:func:`_line_interval` and :func:`_cone_columns` (which cells of a row block
may lie inside a source's plume cone) and :func:`_s1_block` /
:func:`_unit_kernel` (the along × across-axis factor of a unit source,
computing each ``s1`` branch only where it applies; every cut it makes is a test on
the cell's own values, so a cell's value does not depend on the block).

Examples
--------
>>> _s2_cut_t(0.0)
inf
"""

from __future__ import annotations

import numpy as np


def _s2_cut_t(floor: float) -> float:
    """``t`` beyond which ``s2 < floor`` (``inf`` for floor 0)."""
    if floor <= 0:
        return float("inf")
    target = floor**-0.5
    lo, hi = 0.0, 1.0
    while 1 + hi * (5 + hi * (12.8 + hi * (17 + 45.1 * hi))) < target:
        hi *= 2
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if 1 + mid * (5 + mid * (12.8 + mid * (17 + 45.1 * mid))) < target:
            lo = mid
        else:
            hi = mid
    return hi


def _line_interval(
    sx: float, sy: float, wx: float, wy: float, kinv: float, y0: float
) -> tuple[float, float] | None:
    """x-interval of the plume cone on the horizontal line ``y = y0`` (None if empty)."""
    lo, hi = -np.inf, np.inf
    dyv = y0 - sy
    for sign in (1.0, -1.0):
        # (w ± kinv·n)·d ≥ 0 with n = (wy, -wx)
        a = wx + sign * kinv * wy
        b = (wy - sign * kinv * wx) * dyv
        if abs(a) < 1e-12:
            if b < 0:
                return None
            continue
        bound = sx - b / a
        if a > 0:
            lo = max(lo, bound)
        else:
            hi = min(hi, bound)
    if lo > hi:
        return None
    return lo, hi


def _cone_columns(  # noqa: PLR0913 - scalars of the inner loop; a tuple would cost a pack and unpack per cone
    sx: float,
    sy: float,
    wx: float,
    wy: float,
    kinv: float,
    ytop: float,
    ybot: float,
    x0: float,
    cs: float,
    ncols: int,
) -> tuple[int, int]:
    """Column range whose cell centres may lie in the cone within rows ``ybot..ytop``."""
    xs: list[float] = []
    for y0 in (ytop, ybot):
        iv = _line_interval(sx, sy, wx, wy, kinv, y0)
        if iv is not None:
            xs.extend(iv)
    if ybot <= sy <= ytop:
        xs.append(sx)
    if not xs:
        return 0, 0
    xmin, xmax = max(min(xs), -1e12), min(max(xs), 1e12)
    c0 = max(0, int(np.floor((xmin - x0) / cs)) - 1)
    c1 = min(ncols, int(np.ceil((xmax - x0) / cs)) + 2)
    return c0, max(c0, c1)


def _s1_block(rho: np.ndarray, F: float, method: str, height: float | None) -> np.ndarray:
    """:func:`s1_coefficient` for one scalar F on a block, computing each branch only where it applies."""
    r2 = rho * rho
    s = 0.13 * r2
    s += 1.0
    np.divide(1.13, s, out=s)
    near = rho <= 1.0
    if near.any():
        rn = rho[near]
        v = rn * rn * (6.0 + rn * (3.0 * rn - 8.0))
        if height is not None and 2.0 <= height < 10.0:
            v = 0.125 * (10.0 - height) + 0.125 * (height - 2.0) * v
        s[near] = v
    far = rho > 8.0
    if far.any():
        rf = rho[far]
        light = F <= 1.5
        if method == "ond86":
            v = (
                rf / (3.58 * rf * rf - 35.2 * rf + 120.0)
                if light
                else 1.0 / (0.1 * rf * rf + 2.47 * rf - 17.8)
            )
        else:
            v = (
                rf / (3.556 * rf * rf - 35.2 * rf + 120.0)
                if light
                else 1.0 / (0.1 * rf * rf + 2.456 * rf - 17.8)
            )
            tail = rf > 100.0
            if tail.any():
                v[tail] = (144.3 if light else 37.76) * rf[tail] ** (-7.0 / 3.0)
        s[far] = v
    return np.asarray(s)


def _unit_kernel(
    rho: np.ndarray,
    rhoy: np.ndarray,
    ue: float,
    F: float,
    method: str,
    height: float | None,
    rho_max: float = float("inf"),
    t_cut: float = float("inf"),
) -> tuple[np.ndarray, np.ndarray]:
    """``s1(ρ) · s2`` on a block, and where it was taken; ``rhoy`` is the crosswind offset over ``x_mu``.

    A cell gets 0 upwind (``ρ ≤ 0``), beyond ``rho_max`` (in units of ``x_mu``) from the
    source, and where ``t = u y² / x²`` exceeds ``t_cut`` (``s2`` below its floor). Each
    test reads the cell's own values alone, so a cell's result never depends on the
    block it is computed in (the chunks of :mod:`geo.chunks` give the same bytes).
    The mask of the cells that passed is returned with the values.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = rhoy / rho
        t *= t
        t *= ue
        inside = rho > 0
        if np.isfinite(t_cut):
            inside &= t <= t_cut
        poly = 45.1 * t
        poly += 17.0
        poly *= t
        poly += 12.8
        poly *= t
        poly += 5.0
        poly *= t
        poly += 1.0
        poly *= poly
        s1 = _s1_block(rho, F, method, height)
        s1 /= poly
    if np.isfinite(rho_max):
        r2 = rho * rho
        r2 += rhoy * rhoy
        inside &= r2 <= rho_max * rho_max
    s1[~inside] = 0.0
    return s1, inside
