"""Regulatory dispersion of stack emissions: OND-86, with the MRR-2017 variant.

Pure, vectorised numpy implementation of the Soviet single-source method
("ОНД-86", Goskomgidromet USSR 1986; re-issued in Kazakhstan as
RND 211.2.01.01-97) and of the Russian successor "МРР-2017" (Order of
Minprirody RF of 06.06.2017 N 273) as far as the two differ in the along-axis
factor ``s1``. Every function takes scalars or numpy arrays (one value per
stack) and broadcasts.

Formulas (section numbers of ``methods-and-anchors.md`` §2.5):

* ``V1 = π D² w0 / 4``; ``f = 1000 w0² D / (H² ΔT)``; ``vm = 0.65 ∛(V1 ΔT / H)``;
  ``v'm = 1.3 w0 D / H``; ``fe = 800 v'm³``.
* ``m = 1 / (0.67 + 0.1 √f + 0.34 ∛f)`` for ``f < 100`` (with ``f`` replaced by
  ``fe`` when ``fe < f < 100``), ``m = 1.47 / ∛f`` for ``f ≥ 100``.
* ``n = 1`` (v ≥ 2), ``0.532 v² − 2.13 v + 3.13`` (0.5 ≤ v < 2), ``4.4 v``
  (v < 0.5), with ``v = vm`` for hot and ``v'm`` for cold sources.
* Regimes: *cold* when ``f ≥ 100`` or ``ΔT ≤ 0.5 °C``; *low wind* when the
  governing velocity (``vm`` hot, ``v'm`` cold) is below 0.5 m/s.

  - hot: ``cm = A M F m n η / (H² ∛(V1 ΔT))``
  - cold: ``cm = A M F n η K / H^(4/3)``, ``K = D / (8 V1)``
  - low wind: ``cm = A M F m' η / H^(7/3)``, ``m' = 2.86 m`` (hot) or ``0.9`` (cold)

* ``xm = d H`` for ``F < 2`` and ``(5 − F)/4 d H`` for ``F ≥ 2``; ``d`` and the
  dangerous wind speed ``um`` by the six-row table of §2.5.3.
* Other wind speeds: ``c_mu = r cm``, ``x_mu = p xm`` with ``q = u / um``.
* Along the plume axis ``c = s1(x / x_mu) c_mu`` (OND-86 ``s1`` is discontinuous at
  ``ρ = 8``; MRR-2017 coefficients make it continuous and add power tails beyond
  ``ρ = 100``); low stacks ``2 ≤ H < 10`` m use ``0.125 (10 − H) + 0.125 (H − 2) s1``
  for ``ρ < 1``.
* Across the axis ``c_y = s2 c`` with ``s2 = (1 + 5 t + 12.8 t² + 17 t³ + 45.1 t⁴)⁻²``,
  ``t = u y² / x²`` (``u`` capped at 5 m/s).

Bugs in public implementations that this module avoids (each has a test in
``tests/test_dispersion.py`` where it is testable):

1. ``n = 4.4`` instead of ``n = 4.4 v`` for ``v < 0.5`` (a JavaScript implementation).
2. ``vm`` used instead of ``v'm`` in the cold (``f ≥ 100``) rows of the ``d``/``um``
   table (``eco.js``).
3. ``p = 8.43 (1 − q)³ + 1`` (exponent 3 instead of 5) for ``0.25 < q ≤ 1`` (JS).
4. The low-stack correction written without the ``· s1`` factor (a Python grid
   code), which makes the concentration flat near low stacks.
5. ``d = 7 (1 + 0.28 ∛f)`` without ``√vm``, and a cold branch with
   ``fe = 800 (w0 / (w0 + 3))³``, ``m = 1.47 / (1 + 0.28 ∛fe)`` (a Python code base).
6. ``A = 140`` attached to north-west European Russia (an ``eco.js`` comment; OND-86
   gives 140 for the central oblasts only). Here ``A`` is always an argument,
   200 by default for Kazakhstan.

Unverified (○) coefficients are fields of :class:`MethodCoefficients` with the
default values of the research notes, never hidden constants.

The ground field (:func:`ground_field`) sums every source for each wind
direction and speed and keeps, per cell,

* ``max``: the maximum over directions and speeds, i.e. the OND-86 *maximum
  one-time concentration* (ПДК м.р. is the matching standard);
* ``rose``: ``Σ_d freq_d · max_u C(d, u)``, the wind-rose-weighted mean of the
  per-direction maxima. It says how often a cell lies under a plume at an
  adverse wind speed; it is **not** an annual mean concentration (OND-86
  does not give one) and must not be compared with the daily/annual MPC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.errors import InputError

__all__ = [
    "DEFAULT_COEFFICIENTS",
    "METHODS",
    "GroundField",
    "MaxConcentration",
    "MethodCoefficients",
    "Stacks",
    "WindRose",
    "axis_concentration",
    "ground_field",
    "max_concentration",
    "p_coefficient",
    "r_coefficient",
    "s1_coefficient",
    "s2_coefficient",
]

METHODS = ("ond86", "mrr2017")
"""Methods known to :func:`max_concentration` and :func:`s1_coefficient`."""

REGIMES = ("hot", "cold", "low_wind_hot", "low_wind_cold")
"""Regime codes returned in :attr:`MaxConcentration.regime` (index into this tuple)."""


@dataclass(frozen=True)
class MethodCoefficients:
    """Coefficients of the method that could not be verified in the primary text (○).

    Defaults are those of ``methods-and-anchors.md`` §2.5; change them when
    the primary text (OND-86 / RND 211.2.01.01-97) says otherwise.

    Parameters
    ----------
    m_prime_hot : float
        Factor of ``m`` giving ``m'`` for hot low-wind sources (``m' = 2.86 m``) ○.
    m_prime_cold : float
        ``m'`` for cold low-wind sources (0.9) ○.
    um_cold_factor : float
        ``um = um_cold_factor · v'm`` for cold sources with ``v'm > 2`` (2.2) ○.
    cold_dt : float
        ``ΔT`` (°C) at or below which a source is cold (0.5; EmissionWiz, code read).
    """

    m_prime_hot: float = 2.86
    m_prime_cold: float = 0.9
    um_cold_factor: float = 2.2
    cold_dt: float = 0.5
    citations: dict[str, str] = field(
        default_factory=lambda: {
            "m_prime_hot": "○ EmissionWiz LowWindMaxConcentrationCalculationManager (comment); OND-86 text not read",
            "m_prime_cold": "○ as m_prime_hot",
            "um_cold_factor": "○ methods-and-anchors.md §2.5.3 (OND-86 primary text not read)",
            "cold_dt": "◐ maxhuegel/EmissionWiz SingleSourceEmissionCalculationManager.cs",
        }
    )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (values and citations)."""
        return {
            "m_prime_hot": self.m_prime_hot,
            "m_prime_cold": self.m_prime_cold,
            "um_cold_factor": self.um_cold_factor,
            "cold_dt": self.cold_dt,
            "citations": dict(self.citations),
        }


DEFAULT_COEFFICIENTS = MethodCoefficients()


def _check_method(method: str) -> str:
    if method not in METHODS:
        msg = f"method {method!r} is not known; use one of {', '.join(METHODS)}"
        raise InputError(msg)
    return method


def _ids(source_id: str | Sequence[str] | None, n: int) -> list[str]:
    if source_id is None:
        return ["stack"] * n if n != 1 else ["stack"]
    if isinstance(source_id, str):
        return [source_id] * n
    ids = [str(s) for s in source_id]
    if len(ids) != n:
        msg = f"{len(ids)} source ids for {n} stacks"
        raise ValueError(msg)
    return ids


def _fail(ids: list[str], bad: np.ndarray, message: str) -> None:
    """Raise an :class:`InputError` naming the first source where *bad* holds."""
    if np.any(bad):
        i = int(np.flatnonzero(np.ravel(bad))[0])
        raise InputError(f"source {ids[i]}: {message}")


@dataclass(frozen=True)
class MaxConcentration:
    """Result of :func:`max_concentration`: one value per stack in each array.

    Attributes
    ----------
    v1 : ndarray
        Gas flow ``V1`` (m³/s).
    dt : ndarray
        Overheat ``ΔT`` (°C) used (0 for sources declared cold).
    f, vm, vm_prime, fe, m, n, d : ndarray
        Intermediates of the method (``vm``, ``vm_prime`` in m/s).
    regime : ndarray of int
        Index into :data:`REGIMES`.
    cm : ndarray
        Maximum ground-level concentration (mg/m³) at the dangerous wind speed.
    xm : ndarray
        Its distance from the stack (m).
    um : ndarray
        Dangerous wind speed (m/s).
    """

    v1: np.ndarray
    dt: np.ndarray
    f: np.ndarray
    vm: np.ndarray
    vm_prime: np.ndarray
    fe: np.ndarray
    m: np.ndarray
    n: np.ndarray
    d: np.ndarray
    regime: np.ndarray
    cm: np.ndarray
    xm: np.ndarray
    um: np.ndarray
    method: str = "ond86"

    def regime_names(self) -> list[str]:
        """Regime of each stack as text (``hot``, ``cold``, ``low_wind_hot``, ``low_wind_cold``)."""
        return [REGIMES[int(r)] for r in np.ravel(self.regime)]

    def record(self, i: int = 0) -> dict[str, Any]:
        """The values of stack *i* as a JSON-ready dict (keys with units)."""

        def val(a: np.ndarray) -> float:
            return float(np.ravel(a)[i])

        return {
            "method": self.method,
            "regime": self.regime_names()[i],
            "v1_m3_s": val(self.v1),
            "dt_c": val(self.dt),
            "f": val(self.f),
            "vm_m_s": val(self.vm),
            "vm_prime_m_s": val(self.vm_prime),
            "fe": val(self.fe),
            "m": val(self.m),
            "n": val(self.n),
            "d": val(self.d),
            "cm_mg_m3": val(self.cm),
            "xm_m": val(self.xm),
            "um_m_s": val(self.um),
        }


def n_coefficient(v: np.ndarray | float) -> np.ndarray:
    """Coefficient ``n`` of the dangerous-velocity parameter ``v`` (``vm`` or ``v'm``).

    Examples
    --------
    >>> [round(float(x), 4) for x in n_coefficient(np.array([0.3, 1.0, 2.5]))]
    [1.32, 1.532, 1.0]
    """
    v = np.asarray(v, dtype="float64")
    return np.where(v >= 2, 1.0, np.where(v >= 0.5, 0.532 * v**2 - 2.13 * v + 3.13, 4.4 * v))


def max_concentration(
    height: np.ndarray | float,
    diameter: np.ndarray | float,
    velocity: np.ndarray | float,
    gas_temp: np.ndarray | float,
    air_temp: np.ndarray | float,
    *,
    rate: np.ndarray | float = 1.0,
    A: float = 200.0,
    F: np.ndarray | float = 1.0,
    eta: np.ndarray | float = 1.0,
    method: str = "ond86",
    cold: np.ndarray | bool = False,
    coefficients: MethodCoefficients = DEFAULT_COEFFICIENTS,
    source_id: str | Sequence[str] | None = None,
) -> MaxConcentration:
    """Maximum ground-level concentration of single stacks, OND-86 §2 (vectorised).

    Parameters
    ----------
    height, diameter : array_like
        Stack height ``H`` and mouth diameter ``D`` (m), both > 0; ``H ≥ 2`` m.
    velocity : array_like
        Exit velocity ``w0`` (m/s), ≥ 0 (0 for fugitive releases, which fall
        in the cold low-wind regime).
    gas_temp, air_temp : array_like
        Gas temperature and the air temperature of the method (°C): the mean
        maximum temperature of the hottest month, or of the coldest month for
        heating-only boilers.
    rate : array_like
        Emission rate ``M`` (g/s); 1 gives concentrations per g/s.
    A : float
        Stratification coefficient (s^(2/3)·mg·K^(1/3)/g); 200 for Kazakhstan ◐.
    F : array_like
        Settling coefficient: 1 for gases and fine aerosols, 2 / 2.5 / 3 for dust
        by cleaning efficiency ○.
    eta : array_like
        Terrain coefficient ``η`` (1 for flat terrain) ○.
    method : {"ond86", "mrr2017"}
        Recorded in the result; ``cm``, ``xm`` and ``um`` are the same in both.
    cold : array_like of bool
        Declare sources cold (``ΔT`` taken as 0). Without it a gas colder
        than the air is an error.
    coefficients : MethodCoefficients
        Unverified coefficients (○) of the method.
    source_id : str or sequence of str, optional
        Named in error messages.

    Returns
    -------
    MaxConcentration

    Raises
    ------
    InputError
        ``H ≤ 0`` (or below the method's 2 m), ``D ≤ 0``, ``w0 < 0``, ``M < 0``,
        ``F`` outside 1–3, a gas colder than the air without ``cold``.

    Examples
    --------
    The control example of OND-86 (boiler, SO2):

    >>> r = max_concentration(35, 1.4, 7, 125, 25, rate=12)
    >>> round(float(r.v1[0]), 1), round(float(r.f[0]), 2), round(float(r.vm[0]), 2)
    (10.8, 0.56, 2.04)
    >>> round(float(r.cm[0]), 2), round(float(r.xm[0]))
    (0.19, 430)
    """
    _check_method(method)
    arrays = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(a, dtype="float64"))
            for a in (height, diameter, velocity, gas_temp, air_temp, rate, F, eta)
        ),
        np.atleast_1d(np.asarray(cold, dtype=bool)),
    )
    H, D, w0, tg, ta, M, Fs, et = (np.array(a, dtype="float64") for a in arrays[:8])
    cold_flag = np.array(arrays[8], dtype=bool)
    ids = _ids(source_id, H.size)
    if not np.isfinite(A) or A <= 0:
        msg = f"stratification coefficient A = {A} must be positive (200 for Kazakhstan)"
        raise InputError(msg)
    for name, arr in (
        ("height_m", H),
        ("diameter_m", D),
        ("velocity_m_s", w0),
        ("rate_g_s", M),
        ("F", Fs),
        ("eta", et),
    ):
        _fail(ids, ~np.isfinite(arr), f"{name} is missing or not a number; give a value")
    _fail(ids, H <= 0, "height_m must be > 0; give the stack height above ground in metres")
    _fail(ids, H < 2, "height_m below 2 m is outside the OND-86 method; use H ≥ 2 m")
    _fail(ids, D <= 0, "diameter_m must be > 0; give the stack mouth diameter in metres")
    _fail(ids, w0 < 0, "velocity_m_s must be ≥ 0; give the exit velocity in m/s")
    _fail(ids, M < 0, "emission rate must be ≥ 0 g/s")
    _fail(ids, (Fs < 1) | (Fs > 3), "F must be between 1 (gases) and 3 (dust without cleaning)")
    _fail(ids, et < 1, "eta (terrain coefficient) must be ≥ 1")
    hot_t = ~cold_flag
    _fail(
        ids, hot_t & ~np.isfinite(tg), "gas_temp_c is missing; give it or declare the source cold"
    )
    _fail(ids, hot_t & ~np.isfinite(ta), "air temperature is missing; give air_temp_c")
    below = hot_t & (tg < ta)
    if np.any(below):
        i = int(np.flatnonzero(below)[0])
        msg = (
            f"source {ids[i]}: gas_temp_c {tg[i]:g} °C is below the air temperature "
            f"{ta[i]:g} °C; the hot-source method needs T_gas ≥ T_air: fix gas_temp_c "
            "(a gas at air temperature is a cold source, ΔT = 0)"
        )
        raise InputError(msg)

    c = coefficients
    dt = np.where(cold_flag, 0.0, tg - ta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v1 = np.pi * D**2 / 4.0 * w0
        f = np.where(dt > 0, 1000.0 * w0**2 * D / (H**2 * np.where(dt > 0, dt, 1.0)), np.inf)
        vm = 0.65 * np.cbrt(v1 * dt / H)
        vmp = 1.3 * w0 * D / H
        fe = 800.0 * vmp**3
        f_for_m = np.where((fe < f) & (f < 100), fe, f)
        m_low = 1.0 / (0.67 + 0.1 * np.sqrt(f_for_m) + 0.34 * np.cbrt(f_for_m))
        m = np.where(f < 100, m_low, 1.47 / np.cbrt(f))
        is_cold = (f >= 100) | (dt <= c.cold_dt)
        v_gov = np.where(is_cold, vmp, vm)
        low = v_gov < 0.5
        regime = np.where(is_cold, np.where(low, 3, 1), np.where(low, 2, 0)).astype("int8")
        n = n_coefficient(v_gov)
        AMF = A * M * Fs * et
        cm_hot = AMF * m * n / (H**2 * np.cbrt(v1 * dt))
        k_cold = D / (8.0 * v1)
        cm_cold = AMF * n * k_cold / H ** (4.0 / 3.0)
        m_prime = np.where(is_cold, c.m_prime_cold, c.m_prime_hot * m)
        cm_low = AMF * m_prime / H ** (7.0 / 3.0)
        cm = np.select([regime == 0, regime == 1], [cm_hot, cm_cold], cm_low)
        # d and um: table of §2.5.3, with vm for hot and v'm for cold sources
        cbf = 1.0 + 0.28 * np.cbrt(np.where(np.isfinite(f), f, 0.0))
        d_hot = np.select(
            [vm <= 0.5, vm <= 2.0],
            [2.48 * (1.0 + 0.28 * np.cbrt(fe)), 4.95 * vm * cbf],
            7.0 * np.sqrt(vm) * cbf,
        )
        um_hot = np.select(
            [vm <= 0.5, vm <= 2.0],
            [np.full_like(vm, 0.5), vm],
            vm * (1.0 + 0.12 * np.sqrt(np.where(np.isfinite(f), f, 0.0))),
        )
        d_cold = np.select(
            [vmp <= 0.5, vmp <= 2.0], [np.full_like(vmp, 5.7), 11.4 * vmp], 16.0 * np.sqrt(vmp)
        )
        um_cold = np.select(
            [vmp <= 0.5, vmp <= 2.0], [np.full_like(vmp, 0.5), vmp], c.um_cold_factor * vmp
        )
    d = np.where(is_cold, d_cold, d_hot)
    um = np.where(is_cold, um_cold, um_hot)
    xm = np.where(Fs >= 2, (5.0 - Fs) / 4.0, 1.0) * d * H
    return MaxConcentration(
        v1=v1, dt=dt, f=f, vm=vm, vm_prime=vmp, fe=fe, m=m, n=n, d=d,
        regime=regime, cm=cm, xm=xm, um=um, method=method,
    )  # fmt: skip


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
    return cmu * s1 * s2_coefficient(y, x, uu)


# -- the ground field ----------------------------------------------------------------


@dataclass(frozen=True)
class Stacks:
    """Point sources placed in a projected CRS (metres), one value per source.

    Area sources are passed as several stacks (the pollution theme splits a
    footprint into equal sub-sources, :func:`geo.themes.pollution.split_area_sources`).
    ``cold`` marks sources taken at ``ΔT = 0`` (fugitive releases).
    """

    ids: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    height: np.ndarray
    diameter: np.ndarray
    velocity: np.ndarray
    gas_temp: np.ndarray
    air_temp: np.ndarray
    cold: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("x", "y", "height", "diameter", "velocity", "gas_temp", "air_temp", "cold"):
            arr = np.atleast_1d(np.asarray(getattr(self, name)))
            if arr.shape != (n,):
                msg = f"Stacks.{name} has shape {arr.shape}, expected ({n},)"
                raise ValueError(msg)
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class WindRose:
    """A wind rose: directions, their frequencies and the wind speeds to scan.

    Directions are the degrees the wind blows *from*, clockwise from north;
    frequencies sum to 1; speeds are in m/s.

    Raises
    ------
    InputError
        Frequencies not summing to 1 (±0.001), negative, or of another length
        than the directions; speeds not positive.
    """

    directions: tuple[float, ...]
    frequencies: tuple[float, ...]
    speeds: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.directions) == 0:
            msg = "wind rose: directions is empty; give e.g. 8 or 16 directions"
            raise InputError(msg)
        if len(self.frequencies) != len(self.directions):
            msg = (
                f"wind rose: {len(self.frequencies)} frequencies for {len(self.directions)} "
                "directions; give one frequency per direction"
            )
            raise InputError(msg)
        fr = np.asarray(self.frequencies, dtype="float64")
        if np.any(fr < 0) or not np.all(np.isfinite(fr)):
            msg = "wind rose: frequencies must be ≥ 0"
            raise InputError(msg)
        if abs(float(fr.sum()) - 1.0) > 1e-3:
            msg = f"wind rose: frequencies sum to {fr.sum():.4f}, not 1; rescale them"
            raise InputError(msg)
        sp = np.asarray(self.speeds, dtype="float64")
        if sp.size == 0 or np.any(sp <= 0) or not np.all(np.isfinite(sp)):
            msg = "wind rose: speeds must be a non-empty list of positive m/s values"
            raise InputError(msg)

    @classmethod
    def uniform(cls, n: int = 16, speeds: Sequence[float] = (0.5, 1.0, 2.0, 3.0)) -> WindRose:
        """``n`` equally frequent directions starting at north."""
        return cls(
            tuple(360.0 * i / n for i in range(n)),
            tuple([1.0 / n] * n),
            tuple(float(s) for s in speeds),
        )


@dataclass(frozen=True)
class GroundField:
    """Result of :func:`ground_field`.

    Attributes
    ----------
    max : ndarray (pollutants, rows, cols)
        Maximum one-time concentration (mg/m³): max over directions and speeds
        of the sum over sources.
    rose : ndarray (pollutants, rows, cols)
        ``Σ_d freq_d · max_u C(d, u)`` (mg/m³): a plume-frequency indicator, not
        an annual mean.
    index_max, index_rose : ndarray (rows, cols) or None
        The same for ``Σ_p w_p C_p`` computed per wind case (when weights are given).
    speeds : tuple of float
        Wind speeds scanned (the wind rose's plus the dangerous one, if added).
    evaluations : int
        Number of source × cell × wind-case evaluations actually computed.
    """

    max: np.ndarray
    rose: np.ndarray
    index_max: np.ndarray | None
    index_rose: np.ndarray | None
    speeds: tuple[float, ...]
    evaluations: int


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


def _cone_columns(
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


def ground_field(
    xc: np.ndarray,
    yc: np.ndarray,
    stacks: Stacks,
    emissions: np.ndarray,
    settling: np.ndarray,
    wind: WindRose,
    *,
    A: float = 200.0,
    eta: float = 1.0,
    method: str = "ond86",
    index_weights: np.ndarray | None = None,
    add_dangerous_speed: bool = True,
    s2_floor: float = 1e-9,
    max_distance: float = float("inf"),
    coefficients: MethodCoefficients = DEFAULT_COEFFICIENTS,
    block_rows: int = 64,
    workers: int = 1,
    dtype: str = "float64",
) -> GroundField:
    """Ground concentration field of many stacks on a regular grid of cell centres.

    For every wind direction and speed the concentrations of all sources are
    summed (per pollutant); the field keeps the maximum over wind cases (the
    maximum one-time concentration) and the wind-rose-weighted mean of the
    per-direction maxima.

    Parameters
    ----------
    xc : ndarray (cols,)
        x of the cell centres of one row (m, ascending).
    yc : ndarray (rows,)
        y of the cell centres of one column (m; north-up grids descend).
    stacks : Stacks
        The sources, in the grid's CRS.
    emissions : ndarray (sources, pollutants)
        Emission rates ``M`` (g/s); 0 where a source does not emit a pollutant.
    settling : ndarray (sources, pollutants)
        Settling coefficient ``F`` of each emission.
    wind : WindRose
        Directions (from), frequencies, speeds.
    A, eta, method, coefficients :
        As for :func:`max_concentration`.
    index_weights : ndarray (pollutants,), optional
        Weights of the combined index ``Σ_p w_p C_p`` (``1 / MPC`` for a sum of
        C/MPC), evaluated per wind case before taking the maximum.
    add_dangerous_speed : bool
        Also scan the weighted mean dangerous speed of the group,
        ``Σ um_i c_mi / Σ c_mi`` (OND-86 practice for groups of sources; weights
        ``c_mi · w_p`` when index weights are given).
    s2_floor : float
        Cells where the crosswind factor ``s2`` is below this value are not
        evaluated (their contribution, below ``s2_floor · cm``, is taken as 0).
        0 evaluates the whole downwind half-plane.
    max_distance : float
        Cells farther than this (m) from a source get nothing from it
        (MRR-2017 applies up to 100 km; infinite by default).
    block_rows : int
        Rows per block (memory/cache trade-off; no effect on the result).
    dtype : {"float64", "float32"}
        Precision of the per-source kernels (float32 is about twice as fast;
        relative differences stay below 1e-5); sums are kept in float64.
    workers : int
        Threads sharing the wind directions (numpy releases the GIL in its
        loops). Partial results are combined in a fixed order: the output is
        deterministic, and equal across worker counts up to rounding of the
        wind-rose sums (the maxima are identical).

    Returns
    -------
    GroundField
    """
    _check_method(method)
    xc = np.asarray(xc, dtype="float64")
    yc = np.asarray(yc, dtype="float64")
    em = np.asarray(emissions, dtype="float64")
    fs = np.asarray(settling, dtype="float64")
    ns = len(stacks)
    if em.ndim != 2 or em.shape[0] != ns or fs.shape != em.shape:
        msg = f"emissions/settling must be shaped (sources, pollutants) = ({ns}, k), got {em.shape}/{fs.shape}"
        raise ValueError(msg)
    npol = em.shape[1]
    ids = list(stacks.ids)
    _fail(
        ids,
        np.any(em < 0, axis=1) | np.any(~np.isfinite(em), axis=1),
        "emission rates must be ≥ 0 g/s",
    )
    if len(xc) > 1 and not np.all(np.diff(xc) > 0):
        msg = "xc must ascend"
        raise ValueError(msg)
    cs = float(xc[1] - xc[0]) if len(xc) > 1 else 1.0
    x0 = float(xc[0])

    # one unit source per (stack, F) pair actually used
    pairs: list[tuple[int, float, list[tuple[int, float]]]] = []
    for s in range(ns):
        for fval in sorted({float(v) for v, m in zip(fs[s], em[s], strict=True) if m > 0}):
            pols = [(p, float(em[s, p])) for p in range(npol) if em[s, p] > 0 and fs[s, p] == fval]
            pairs.append((s, fval, pols))
    ny, nx = len(yc), len(xc)
    cmax = np.zeros((npol, ny, nx))
    rose = np.zeros((npol, ny, nx))
    w = None if index_weights is None else np.asarray(index_weights, dtype="float64")
    imax = np.zeros((ny, nx)) if w is not None else None
    irose = np.zeros((ny, nx)) if w is not None else None
    speeds = tuple(sorted({float(u) for u in wind.speeds}))
    if not pairs:
        return GroundField(cmax, rose, imax, irose, speeds, 0)

    idx = np.array([p[0] for p in pairs])
    fv = np.array([p[1] for p in pairs])
    unit = max_concentration(
        stacks.height[idx], stacks.diameter[idx], stacks.velocity[idx], stacks.gas_temp[idx],
        stacks.air_temp[idx], rate=1.0, A=A, F=fv, eta=eta, method=method,
        cold=stacks.cold[idx], coefficients=coefficients, source_id=[ids[i] for i in idx],
    )  # fmt: skip
    if add_dangerous_speed:
        weight = np.zeros(len(pairs))
        for j, (_s, _f, pols) in enumerate(pairs):
            for p, mrate in pols:
                weight[j] += unit.cm[j] * mrate * (1.0 if w is None else w[p])
        if weight.sum() > 0:
            um_group = float(np.round((weight * unit.um).sum() / weight.sum(), 2))
            speeds = tuple(sorted(set(speeds) | {um_group}))
    t_cut = _s2_cut_t(s2_floor)
    heights = stacks.height[idx]
    low = (heights >= 2) & (heights < 10)
    blocks = [(r0, min(ny, r0 + block_rows)) for r0 in range(0, ny, block_rows)]
    setup = _Setup(
        xc=xc, yc=yc, x0=x0, cs=cs, stacks=stacks, pairs=pairs, unit=unit, heights=heights,
        low=low, blocks=blocks, speeds=speeds, t_cut=t_cut, method=method, w=w, npol=npol,
        max_distance=float(max_distance), dtype=dtype,
    )  # fmt: skip
    dirs = list(zip(wind.directions, wind.frequencies, strict=True))
    nw = max(1, min(int(workers), len(dirs)))
    chunks = [dirs[i::nw] for i in range(nw)]
    if nw == 1:
        parts = [_directions(setup, chunks[0])]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(nw) as pool:
            parts = list(pool.map(lambda ch: _directions(setup, ch), chunks))
    evaluations = 0
    for part in parts:  # fixed order: deterministic sums
        np.maximum(cmax, part[0], out=cmax)
        rose += part[1]
        if imax is not None and irose is not None and part[2] is not None and part[3] is not None:
            np.maximum(imax, part[2], out=imax)
            irose += part[3]
        evaluations += part[4]
    return GroundField(cmax, rose, imax, irose, speeds, evaluations)


@dataclass
class _Setup:
    """Everything the per-direction worker needs (read-only)."""

    xc: np.ndarray
    yc: np.ndarray
    x0: float
    cs: float
    stacks: Stacks
    pairs: list[tuple[int, float, list[tuple[int, float]]]]
    unit: MaxConcentration
    heights: np.ndarray
    low: np.ndarray
    blocks: list[tuple[int, int]]
    speeds: tuple[float, ...]
    t_cut: float
    method: str
    w: np.ndarray | None
    npol: int
    max_distance: float
    dtype: str


def _directions(
    st: _Setup, dirs: list[tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, int]:
    """Max, rose-weighted sum (and index ones) over the wind directions *dirs*."""
    ny, nx = len(st.yc), len(st.xc)
    npol, w = st.npol, st.w
    cmax = np.zeros((npol, ny, nx))
    rose = np.zeros((npol, ny, nx))
    imax = np.zeros((ny, nx)) if w is not None else None
    irose = np.zeros((ny, nx)) if w is not None else None
    case = np.zeros((npol, ny, nx))
    best_dir = np.zeros((npol, ny, nx))
    ibest = np.zeros((ny, nx)) if w is not None else None
    evaluations = 0
    rmax = st.max_distance
    for theta, freq in dirs:
        rad = np.deg2rad(theta)
        wx, wy = -np.sin(rad), -np.cos(rad)  # the wind blows *to* this unit vector
        best_dir.fill(0.0)
        if ibest is not None:
            ibest.fill(0.0)
        for u in st.speeds:
            case.fill(0.0)
            ue = min(u, 5.0)
            kinv = 0.0 if not np.isfinite(st.t_cut) else float(np.sqrt(ue / st.t_cut))
            q = u / st.unit.um
            xmu = p_coefficient(q) * st.unit.xm
            cmu = r_coefficient(q) * st.unit.cm
            for j, (s, fval, pols) in enumerate(st.pairs):
                sx, sy = float(st.stacks.x[s]), float(st.stacks.y[s])
                inv = 1.0 / float(xmu[j])
                ax = ((st.xc - sx) * (wx * inv)).astype(st.dtype)
                ay = ((st.xc - sx) * (wy * inv)).astype(st.dtype)
                hj = float(st.heights[j])
                rho_max = rmax * inv
                for r0, r1 in st.blocks:
                    if min(abs(st.yc[r0] - sy), abs(st.yc[r1 - 1] - sy)) > rmax and (
                        (st.yc[r0] - sy) * (st.yc[r1 - 1] - sy) > 0
                    ):
                        continue
                    c0, c1 = _cone_columns(
                        sx,
                        sy,
                        wx,
                        wy,
                        kinv,
                        float(st.yc[r0]),
                        float(st.yc[r1 - 1]),
                        st.x0,
                        st.cs,
                        nx,
                    )
                    if np.isfinite(rmax):
                        c0 = max(c0, int(np.floor((sx - rmax - st.x0) / st.cs)))
                        c1 = min(c1, int(np.ceil((sx + rmax - st.x0) / st.cs)) + 1)
                    if c1 <= c0:
                        continue
                    dy = st.yc[r0:r1] - sy
                    rho = ax[None, c0:c1] + (dy * (wy * inv)).astype(st.dtype)[:, None]
                    rhoy = ay[None, c0:c1] - (dy * (wx * inv)).astype(st.dtype)[:, None]
                    g = _unit_kernel(
                        rho, rhoy, ue, fval, st.method, hj if st.low[j] else None, rho_max
                    )
                    g *= float(cmu[j])
                    evaluations += g.size
                    for p, mrate in pols:
                        case[p, r0:r1, c0:c1] += mrate * g
            np.maximum(best_dir, case, out=best_dir)
            if w is not None and ibest is not None:
                np.maximum(ibest, np.tensordot(w, case, axes=(0, 0)), out=ibest)
        np.maximum(cmax, best_dir, out=cmax)
        rose += freq * best_dir
        if imax is not None and irose is not None and ibest is not None:
            np.maximum(imax, ibest, out=imax)
            irose += freq * ibest
    return cmax, rose, imax, irose, evaluations


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
    return s


def _unit_kernel(
    rho: np.ndarray,
    rhoy: np.ndarray,
    ue: float,
    F: float,
    method: str,
    height: float | None,
    rho_max: float = float("inf"),
) -> np.ndarray:
    """``s1(ρ) · s2`` on a block; ``rhoy`` is the crosswind offset over ``x_mu``.

    Cells farther than ``rho_max`` (in units of ``x_mu``) from the source get 0.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = rhoy / rho
        t *= t
        t *= ue
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
        s1[~((rho > 0) & (r2 <= rho_max * rho_max))] = 0.0
    else:
        s1[~(rho > 0)] = 0.0
    return s1
