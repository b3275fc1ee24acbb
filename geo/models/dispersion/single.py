"""Single stacks, OND-86 §2: the parameters of a source and ``cm``, ``xm``, ``um``.

:func:`max_concentration` gives, for each stack, the intermediates of the
method (``V1``, ``ΔT``, ``f``, ``vm``, ``v'm``, ``fe``, ``m``, ``n``, ``d``), its
regime (:data:`REGIMES`) and the maximum ground-level concentration ``cm`` at
the dangerous wind speed ``um`` and distance ``xm``. The coefficients that
could not be verified in the primary text (○) are fields of
:class:`MethodCoefficients`, never hidden constants.

Examples
--------
>>> r = max_concentration(35, 1.4, 7, 125, 25, rate=12)
>>> r.regime_names()
['hot']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.errors import InputError

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


def max_concentration(  # noqa: PLR0913 - the inputs of OND-86 §2, named as in the method
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

    One function on purpose (about 90 lines): it follows OND-86 §2 step by
    step (V1, f, vm, vm', fe, m, n, the hot, cold and low-wind regimes, Cm,
    xm, um), so each line can be checked against the method's formulas.

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
