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

The package re-exports every public name of its modules, so
``from geo.models.dispersion import max_concentration`` works as before.

:mod:`~geo.models.dispersion.single`
    Single stacks: :class:`MethodCoefficients`, :data:`DEFAULT_COEFFICIENTS`,
    :data:`METHODS`, :data:`REGIMES`, :func:`n_coefficient` and
    :func:`max_concentration` (``cm``, ``xm``, ``um``) in a
    :class:`MaxConcentration`.
:mod:`~geo.models.dispersion.coefficients`
    :func:`r_coefficient`, :func:`p_coefficient`, :func:`s1_coefficient`,
    :func:`s2_coefficient` and :func:`axis_concentration`.
:mod:`~geo.models.dispersion.ground`
    :class:`Stacks`, :class:`WindRose`, :class:`GroundField` and
    :func:`ground_field`.
:mod:`~geo.models.dispersion.kernel`
    Private numeric kernels of :func:`ground_field` (plume-cone bounds,
    ``s1 · s2`` on a block).
"""

from __future__ import annotations

from geo.models.dispersion.coefficients import (
    axis_concentration,
    p_coefficient,
    r_coefficient,
    s1_coefficient,
    s2_coefficient,
)
from geo.models.dispersion.ground import GroundField, Stacks, WindRose, ground_field
from geo.models.dispersion.single import (
    DEFAULT_COEFFICIENTS,
    METHODS,
    MaxConcentration,
    MethodCoefficients,
    max_concentration,
)

# public but outside the old module's __all__ (tests import n_coefficient)
from geo.models.dispersion.single import REGIMES as REGIMES
from geo.models.dispersion.single import n_coefficient as n_coefficient

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
