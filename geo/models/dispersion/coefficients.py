"""Wind-speed and along/across-axis coefficients: ``r``, ``p``, ``s1``, ``s2``.

At a wind speed ``u = q · um`` the maximum becomes ``c_mu = r cm`` at
``x_mu = p xm``; along the plume axis ``c = s1(x / x_mu) c_mu`` (OND-86 or
MRR-2017 tails) and across it ``c_y = s2 c``. :func:`axis_concentration`
combines them for one :class:`~geo.models.dispersion.single.MaxConcentration`.

Examples
--------
>>> round(float(r_coefficient(1.0)), 6), float(p_coefficient(1.0))
(1.0, 1.0)
"""

from __future__ import annotations

import numpy as np

from geo.models.dispersion.single import MaxConcentration, _check_method


def r_coefficient(q: np.ndarray | float) -> np.ndarray:
    """Ratio ``r = c_mu / cm`` at wind speed ``u = q · um``.

    Examples
    --------
    >>> [round(float(x), 4) for x in r_coefficient(np.array([0.5, 1, 2, 3]))]
    [0.585, 1.0, 0.75, 0.5294]
    """
    q = np.asarray(q, dtype="float64")
    return np.where(q <= 1, 0.67 * q + 1.67 * q**2 - 1.34 * q**3, 3.0 * q / (2.0 * q**2 - q + 2.0))


def p_coefficient(q: np.ndarray | float) -> np.ndarray:
    """Ratio ``p = x_mu / xm`` at wind speed ``u = q · um`` (exponent 5, not 3).

    Examples
    --------
    >>> [round(float(x), 4) for x in p_coefficient(np.array([0.2, 0.5, 2, 3]))]
    [3.0, 1.2634, 1.32, 1.64]
    """
    q = np.asarray(q, dtype="float64")
    return np.where(q <= 0.25, 3.0, np.where(q <= 1, 8.43 * (1.0 - q) ** 5 + 1.0, 0.32 * q + 0.68))


def s1_coefficient(
    rho: np.ndarray | float,
    *,
    F: np.ndarray | float = 1.0,
    method: str = "ond86",
    height: np.ndarray | float | None = None,
) -> np.ndarray:
    """Along-axis factor ``s1(ρ)``, ``ρ = x / xm``; 0 upwind (``ρ ≤ 0``).

    Parameters
    ----------
    rho : array_like
        Distance along the plume axis over ``xm`` (or ``x_mu``).
    F : array_like
        Settling coefficient; selects the tail beyond ``ρ = 8`` (``F ≤ 1.5`` or not).
    method : {"ond86", "mrr2017"}
        OND-86 tails (discontinuous at ``ρ = 8``) or MRR-2017 (continuous, with
        ``ρ^(−7/3)`` tails beyond ``ρ = 100``).
    height : array_like, optional
        Stack height; for ``2 ≤ H < 10`` m and ``ρ < 1`` the low-stack form
        ``0.125 (10 − H) + 0.125 (H − 2) s1`` applies.

    Examples
    --------
    >>> [round(float(x), 5) for x in s1_coefficient(np.array([0.25, 0.5, 2, 4]))]
    [0.26172, 0.6875, 0.74342, 0.36688]
    >>> round(float(s1_coefficient(8.0)), 6), round(float(s1_coefficient(8.0 + 1e-9)), 6)
    (0.121245, 0.118483)
    >>> round(float(s1_coefficient(8.0 + 1e-9, method="mrr2017")), 6)
    0.121242
    """
    _check_method(method)
    rho = np.asarray(rho, dtype="float64")
    Fa = np.asarray(F, dtype="float64")
    light = Fa <= 1.5
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        near = rho * rho * (6.0 + rho * (3.0 * rho - 8.0))
        mid = 1.13 / (0.13 * rho * rho + 1.0)
        if method == "ond86":
            far = np.where(
                light,
                rho / (3.58 * rho * rho - 35.2 * rho + 120.0),
                1.0 / (0.1 * rho * rho + 2.47 * rho - 17.8),
            )
        else:
            far_mid = np.where(
                light,
                rho / (3.556 * rho * rho - 35.2 * rho + 120.0),
                1.0 / (0.1 * rho * rho + 2.456 * rho - 17.8),
            )
            tail = np.where(light, 144.3, 37.76) * rho ** (-7.0 / 3.0)
            far = np.where(rho > 100, tail, far_mid)
        s1 = np.where(rho <= 1, near, np.where(rho <= 8, mid, far))
        if height is not None:
            H = np.asarray(height, dtype="float64")
            low = (H >= 2) & (H < 10) & (rho < 1)
            s1 = np.where(low, 0.125 * (10.0 - H) + 0.125 * (H - 2.0) * s1, s1)
    return np.where(rho > 0, s1, 0.0)


def s2_coefficient(
    y: np.ndarray | float, x: np.ndarray | float, u: np.ndarray | float
) -> np.ndarray:
    """Across-axis factor ``s2`` at crosswind offset *y* and downwind distance *x* (m).

    ``t = u y² / x²`` with the wind speed ``u`` capped at 5 m/s; 0 where ``x ≤ 0``.

    Examples
    --------
    >>> [round(float(v), 5) for v in s2_coefficient(np.array([50.0, 100.0]), 430.0, 2.2)]
    [0.74247, 0.30396]
    """
    y = np.asarray(y, dtype="float64")
    x = np.asarray(x, dtype="float64")
    ue = np.minimum(np.asarray(u, dtype="float64"), 5.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ue * (y / x) ** 2
        s2 = 1.0 / (1.0 + t * (5.0 + t * (12.8 + t * (17.0 + 45.1 * t)))) ** 2
    return np.where(x > 0, s2, 0.0)


def axis_concentration(
    result: MaxConcentration,
    x: np.ndarray | float,
    *,
    u: np.ndarray | float | None = None,
    F: np.ndarray | float = 1.0,
    height: np.ndarray | float | None = None,
    y: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Ground concentration (mg/m³) at distance *x* downwind and *y* across (m).

    Parameters
    ----------
    result : MaxConcentration
        One stack (or stacks broadcasting against *x*).
    u : array_like, optional
        Wind speed (m/s); the dangerous speed ``um`` when omitted.
    F, height :
        As for :func:`s1_coefficient` (pass the stack's F and H).
    """
    um = result.um
    uu = um if u is None else np.asarray(u, dtype="float64")
    q = uu / um
    xmu = p_coefficient(q) * result.xm
    cmu = r_coefficient(q) * result.cm
    s1 = s1_coefficient(np.asarray(x) / xmu, F=F, method=result.method, height=height)
    return np.asarray(cmu * s1 * s2_coefficient(y, x, uu))
