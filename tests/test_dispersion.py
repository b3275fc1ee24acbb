"""OND-86 / MRR-2017 dispersion: published control example, anchors, regimes, field, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from geo.commands.dispersion import dispersion
from geo.errors import InputError
from geo.models.dispersion import (
    MethodCoefficients,
    Stacks,
    WindRose,
    axis_concentration,
    ground_field,
    max_concentration,
    n_coefficient,
    p_coefficient,
    r_coefficient,
    s1_coefficient,
    s2_coefficient,
)


def control(**kw: object):
    args = {"rate": 12.0, "A": 200.0, "F": 1.0, "eta": 1.0} | kw
    return max_concentration(35, 1.4, 7, 125, 25, **args)  # type: ignore[arg-type]


# -- T1/T2: the published control example (OND-86 appendix; methods-and-anchors §2.5.6) --------
def test_control_example_published_values() -> None:
    r = control()
    assert round(float(r.v1[0]), 1) == 10.8
    assert float(r.dt[0]) == 100.0
    assert round(float(r.f[0]), 2) == 0.56
    assert round(float(r.vm[0]), 2) == 2.04
    assert round(float(r.xm[0]), -1) == 430
    assert round(float(r.cm[0]), 2) == 0.19
    assert r.regime_names() == ["hot"]


def test_control_example_recomputed_intermediates() -> None:
    r = control()
    rec = r.record()
    expected = {
        "v1_m3_s": 10.7757,
        "f": 0.5600,
        "vm_m_s": 2.0372,
        "vm_prime_m_s": 0.3640,
        "fe": 38.583,
        "m": 0.97553,
        "n": 1.0,
        "d": 12.297,
        "xm_m": 430.4,
        "cm_mg_m3": 0.1864,
        "um_m_s": 2.220,
    }
    for key, value in expected.items():
        assert rec[key] == pytest.approx(value, rel=5e-4), key


def test_control_example_other_pollutants() -> None:
    # NO2 0.2 g/s; ash with F = 3 / 2.5 / 2 (F for ash is not verified: values recomputed)
    assert float(control(rate=0.2).cm[0]) == pytest.approx(0.0031, abs=5e-5)
    for F, cm, xm in ((3.0, 0.1212, 215.2), (2.5, 0.1010, 269.0), (2.0, 0.0808, 322.8)):
        r = control(rate=2.6, F=F)
        assert float(r.cm[0]) == pytest.approx(cm, abs=6e-5)
        assert float(r.xm[0]) == pytest.approx(xm, abs=0.06)


def test_cm_is_linear_in_rate_A_F_eta() -> None:
    base = float(control(rate=1.0).cm[0])
    assert float(control(rate=3.0).cm[0]) == pytest.approx(3 * base)
    assert float(control(rate=1.0, A=250.0).cm[0]) == pytest.approx(1.25 * base)
    assert float(control(rate=1.0, eta=1.63).cm[0]) == pytest.approx(1.63 * base)
    # the relief variant of the same boiler: 0.19 × 1.63 ≈ 0.31 mg/m³ (consultant.ru example)
    assert (
        round(float(control(eta=1.63).cm[0]), 2) == 0.30
        or round(float(control(eta=1.63).cm[0]), 2) == 0.31
    )


def test_vectorised_over_stacks() -> None:
    r = max_concentration([35, 35], [1.4, 1.4], [7, 7], [125, 125], [25, 25], rate=[12, 6])
    assert r.cm.shape == (2,)
    assert float(r.cm[1]) == pytest.approx(float(r.cm[0]) / 2)


def test_methods_share_cm_xm_um() -> None:
    a, b = control(), control(method="mrr2017")
    assert float(a.cm[0]) == float(b.cm[0]) and float(a.xm[0]) == float(b.xm[0])
    assert b.record()["method"] == "mrr2017"


# -- T4: r and p -----------------------------------------------------------------------------
def test_r_p_anchors() -> None:
    q = np.array([0.5, 2.0, 3.0])
    np.testing.assert_allclose(r_coefficient(q), [0.5850, 0.75, 0.5294], atol=1e-4)
    np.testing.assert_allclose(p_coefficient(q), [1.2634, 1.32, 1.64], atol=1e-4)
    assert float(p_coefficient(0.2)) == 3.0
    assert float(r_coefficient(1.0)) == pytest.approx(1.0) and float(p_coefficient(1.0)) == 1.0


def test_p_uses_exponent_five_not_three() -> None:
    # bug 3 of a JS implementation: 8.43 (1 − q)³ + 1 = 2.054 at q = 0.5
    assert float(p_coefficient(0.5)) == pytest.approx(8.43 * 0.5**5 + 1)
    assert float(p_coefficient(0.5)) != pytest.approx(8.43 * 0.5**3 + 1)


# -- T3: s1 along the axis ---------------------------------------------------------------------
def test_s1_anchors() -> None:
    rho = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(
        s1_coefficient(rho), [0.26172, 0.6875, 1.0, 0.74342, 0.36688], atol=1e-5
    )
    assert float(s1_coefficient(0.0)) == 0.0 and float(s1_coefficient(-2.0)) == 0.0


def test_s1_discontinuity_ond86_continuity_mrr2017() -> None:
    eps = 1e-9
    mid = float(s1_coefficient(8.0))
    assert mid == pytest.approx(0.121245, abs=1e-6)
    ond_light = float(s1_coefficient(8.0 + eps, F=1.0))
    ond_heavy = float(s1_coefficient(8.0 + eps, F=3.0))
    assert ond_light == pytest.approx(0.118483, abs=1e-6)
    assert ond_heavy == pytest.approx(0.119617, abs=1e-6)
    assert abs(mid - ond_light) > 2e-3  # the OND-86 jump
    for F in (1.0, 3.0):
        mrr = float(s1_coefficient(8.0 + eps, F=F, method="mrr2017"))
        assert mrr == pytest.approx(0.121242, abs=1e-6)
        assert abs(mrr - mid) < 1e-5  # continuous


def test_s1_mrr2017_tails_beyond_100() -> None:
    below = s1_coefficient(100.0, F=1.0, method="mrr2017")
    above = s1_coefficient(100.0 + 1e-9, F=1.0, method="mrr2017")
    assert float(below) == pytest.approx(0.0031095, abs=1e-7)
    assert float(above) == pytest.approx(144.3 * 100 ** (-7 / 3), rel=1e-9)
    assert float(above) == pytest.approx(0.0031088, abs=1e-7)
    heavy_below = s1_coefficient(100.0, F=3.0, method="mrr2017")
    heavy_above = s1_coefficient(100.0 + 1e-9, F=3.0, method="mrr2017")
    assert float(heavy_below) == pytest.approx(0.00081446, abs=1e-8)
    assert float(heavy_above) == pytest.approx(0.00081351, abs=1e-8)
    # OND-86 has no power tail: its F ≤ 1.5 branch keeps decaying as 1/(3.58 ρ)
    assert float(s1_coefficient(1000.0)) == pytest.approx(1000 / (3.58e6 - 35200 + 120))


def test_low_stack_correction_keeps_the_s1_factor() -> None:
    s1 = 0.6875  # s1(0.5)
    got = float(s1_coefficient(0.5, height=5.0))
    assert got == pytest.approx(0.125 * 5 + 0.125 * 3 * s1)
    assert got != pytest.approx(0.125 * 5 + 0.125 * 3)  # bug 4: the ·s1 factor dropped
    assert float(s1_coefficient(0.5, height=2.0)) == pytest.approx(1.0)
    assert float(s1_coefficient(0.5, height=10.0)) == pytest.approx(s1)  # not a low stack
    assert float(s1_coefficient(2.0, height=5.0)) == pytest.approx(
        0.74342, abs=1e-5
    )  # ρ ≥ 1 unchanged


# -- s2 across the axis ------------------------------------------------------------------------
def test_s2_anchors() -> None:
    np.testing.assert_allclose(
        s2_coefficient(np.array([50.0, 100.0]), 430.0, 2.2), [0.74247, 0.30396], atol=1e-5
    )
    assert float(s2_coefficient(0.0, 430.0, 2.2)) == 1.0
    # t uses u capped at 5 m/s
    assert float(s2_coefficient(100.0, 430.0, 9.0)) == float(s2_coefficient(100.0, 430.0, 5.0))
    assert float(s2_coefficient(10.0, -5.0, 2.0)) == 0.0


def test_axis_concentration_control_example() -> None:
    r = control()
    assert float(axis_concentration(r, float(r.xm[0]))[0]) == pytest.approx(float(r.cm[0]))
    # at u = 2 um: c = r(2)·cm at p(2)·xm
    x = 1.32 * float(r.xm[0])
    assert float(axis_concentration(r, x, u=2 * float(r.um[0]))[0]) == pytest.approx(
        0.75 * float(r.cm[0])
    )


# -- regimes -----------------------------------------------------------------------------------
def test_n_coefficient_low_velocity_is_proportional() -> None:
    assert float(n_coefficient(0.3)) == pytest.approx(1.32)  # bug 1: 4.4 instead of 4.4 v
    assert float(n_coefficient(1.0)) == pytest.approx(0.532 - 2.13 + 3.13)
    assert float(n_coefficient(2.0)) == 1.0


def test_d_uses_sqrt_vm_for_fast_hot_sources() -> None:
    r = control()
    vm, f = float(r.vm[0]), float(r.f[0])
    assert float(r.d[0]) == pytest.approx(7 * math.sqrt(vm) * (1 + 0.28 * f ** (1 / 3)))
    assert float(r.d[0]) != pytest.approx(7 * (1 + 0.28 * f ** (1 / 3)))  # bug 5


def test_cold_regime_f_above_100() -> None:
    H, D, w0, dT = 20.0, 0.5, 20.0, 1.0
    r = max_concentration(H, D, w0, 25 + dT, 25)
    V1 = math.pi * D**2 / 4 * w0
    f = 1000 * w0**2 * D / (H**2 * dT)
    vmp = 1.3 * w0 * D / H
    n = 0.532 * vmp**2 - 2.13 * vmp + 3.13
    assert f >= 100 and 0.5 <= vmp < 2
    assert r.regime_names() == ["cold"]
    assert float(r.cm[0]) == pytest.approx(200 * n * D / (8 * V1) / H ** (4 / 3))
    assert float(r.d[0]) == pytest.approx(11.4 * vmp)
    assert float(r.um[0]) == pytest.approx(vmp)
    assert float(r.xm[0]) == pytest.approx(11.4 * vmp * H)


def test_cold_regime_uses_vm_prime_not_vm() -> None:
    # declared cold (ΔT = 0), v'm = 1.3·20·1/10 = 2.6 > 2: d = 16 √v'm, um = 2.2 v'm (bug 2 used vm)
    r = max_concentration(10, 1.0, 20, 25, 25, cold=True)
    assert r.regime_names() == ["cold"]
    assert float(r.vm_prime[0]) == pytest.approx(2.6)
    assert float(r.d[0]) == pytest.approx(16 * math.sqrt(2.6))
    assert float(r.um[0]) == pytest.approx(2.2 * 2.6)
    # the ○ factor is a parameter, not a hidden constant
    r2 = max_concentration(
        10, 1.0, 20, 25, 25, cold=True, coefficients=MethodCoefficients(um_cold_factor=2.0)
    )
    assert float(r2.um[0]) == pytest.approx(2.0 * 2.6)


def test_low_wind_hot_regime() -> None:
    H, D, w0, dT = 50.0, 0.3, 1.0, 20.0
    r = max_concentration(H, D, w0, 25 + dT, 25, rate=2.0)
    V1 = math.pi * D**2 / 4 * w0
    vm = 0.65 * (V1 * dT / H) ** (1 / 3)
    vmp = 1.3 * w0 * D / H
    fe = 800 * vmp**3
    f = 1000 * w0**2 * D / (H**2 * dT)
    assert vm < 0.5 and fe < f < 100
    m = 1 / (0.67 + 0.1 * math.sqrt(fe) + 0.34 * fe ** (1 / 3))  # f replaced by fe
    assert r.regime_names() == ["low_wind_hot"]
    assert float(r.m[0]) == pytest.approx(m)
    assert float(r.cm[0]) == pytest.approx(200 * 2.0 * 2.86 * m / H ** (7 / 3))
    assert float(r.d[0]) == pytest.approx(2.48 * (1 + 0.28 * fe ** (1 / 3)))
    assert float(r.um[0]) == 0.5


def test_low_wind_cold_fugitive_release() -> None:
    # a heap: w0 = 0, at air temperature → cm = A M F m' η / H^(7/3), m' = 0.9, d = 5.7
    r = max_concentration(15, 10, 0, 30, 30, rate=1.0, F=3, cold=True)
    assert r.regime_names() == ["low_wind_cold"]
    assert float(r.cm[0]) == pytest.approx(200 * 3 * 0.9 / 15 ** (7 / 3))
    assert float(r.xm[0]) == pytest.approx((5 - 3) / 4 * 5.7 * 15)
    assert float(r.um[0]) == 0.5


def test_xm_factor_for_heavy_dust() -> None:
    assert float(control(F=1.5).xm[0]) == pytest.approx(float(control().xm[0]))  # F < 2: factor 1
    assert float(control(F=3.0).xm[0]) == pytest.approx(0.5 * float(control().xm[0]))


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"height": 0.0}, "source ZH-1: height_m must be > 0"),
        ({"height": -3.0}, "source ZH-1: height_m must be > 0"),
        ({"height": 1.5}, "source ZH-1: height_m below 2 m"),
        ({"diameter": 0.0}, "source ZH-1: diameter_m must be > 0"),
        ({"velocity": -1.0}, "source ZH-1: velocity_m_s must be ≥ 0"),
        ({"gas_temp": 10.0}, "source ZH-1: gas_temp_c 10 °C is below the air temperature 25 °C"),
        ({"F": 4.0}, "source ZH-1: F must be between 1"),
    ],
)
def test_bad_stack_input(kwargs: dict[str, float], fragment: str) -> None:
    args = {
        "height": 35.0,
        "diameter": 1.4,
        "velocity": 7.0,
        "gas_temp": 125.0,
        "air_temp": 25.0,
    } | kwargs
    F = args.pop("F", 1.0)
    with pytest.raises(InputError, match=fragment) as exc:
        max_concentration(**args, F=F, source_id="ZH-1")  # type: ignore[arg-type]
    assert "\n" not in str(exc.value)


def test_bad_input_names_the_right_stack_of_many() -> None:
    with pytest.raises(InputError, match="source b: diameter_m"):
        max_concentration([35, 35], [1.4, 0.0], 7, 125, 25, source_id=["a", "b"])


def test_cold_declared_gas_below_air_is_accepted() -> None:
    r = max_concentration(35, 1.4, 7, 10, 25, cold=True)
    assert float(r.dt[0]) == 0.0 and r.regime_names()[0].endswith("cold")


def test_bad_method_and_A() -> None:
    with pytest.raises(InputError, match="method 'ond87'"):
        control(method="ond87")
    with pytest.raises(InputError, match="A = 0"):
        control(A=0.0)


@pytest.mark.parametrize(
    ("freqs", "fragment"),
    [
        ([0.5, 0.4], "sum to 0.9000, not 1"),
        ([0.5, 0.5, 0.0], "3 frequencies for 2 directions"),
        ([1.2, -0.2], "≥ 0"),
    ],
)
def test_wind_rose_errors(freqs: list[float], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        WindRose((0.0, 180.0), tuple(freqs), (1.0,))


# -- the ground field --------------------------------------------------------------------------
CS = 20.0
XC = np.arange(-2000.0, 2000.0, CS) + CS / 2
YC = (np.arange(-2000.0, 2000.0, CS) + CS / 2)[::-1]


def one_stack(n: int = 1, x: float = 0.0, y: float = 0.0) -> Stacks:
    return Stacks(
        tuple(f"s{i}" for i in range(n)), np.full(n, x), np.full(n, y), np.full(n, 35.0), np.full(n, 1.4),
        np.full(n, 7.0), np.full(n, 125.0), np.full(n, 25.0), np.zeros(n, bool),
    )  # fmt: skip


def field(stacks: Stacks, em: np.ndarray, wind: WindRose, **kw: object):
    return ground_field(XC, YC, stacks, em, np.ones_like(em), wind, **kw)  # type: ignore[arg-type]


def test_field_from_north_puts_the_maximum_downwind_at_xm() -> None:
    r = control()
    um = float(r.um[0])
    wind = WindRose((0.0,), (1.0,), (um,))
    # the stack on a cell centre, so one column lies on the plume axis
    g = field(
        one_stack(x=10.0, y=10.0), np.array([[12.0]]), wind, add_dangerous_speed=False, s2_floor=0.0
    )
    c = g.max[0]
    row, col = np.unravel_index(np.argmax(c), c.shape)
    assert XC[col] == 10.0  # on the axis
    assert YC[row] < 0  # wind from the north blows south
    assert 10.0 - YC[row] == pytest.approx(float(r.xm[0]), abs=CS)
    assert float(c.max()) == pytest.approx(float(r.cm[0]), rel=1e-4)
    # upwind (north of the stack) nothing
    assert float(c[YC > 10.0].max()) == 0.0


def test_field_matches_axis_and_crosswind_formulas() -> None:
    r = control()
    u = 3.0
    wind = WindRose((270.0,), (1.0,), (u,))  # from the west: plume to the east
    g = field(one_stack(), np.array([[12.0]]), wind, add_dangerous_speed=False, s2_floor=0.0)
    row = int(np.argmin(np.abs(YC - 10.0)))  # y = +10 m off the axis
    for col in (60, 120, 180):
        x = XC[col]
        y = YC[row]
        expected = float(axis_concentration(r, x, u=u, y=y)[0])
        assert g.max[0, row, col] == pytest.approx(expected, rel=1e-9)


def test_wind_direction_rotates_the_plume() -> None:
    em = np.array([[1.0]])
    spots = {}
    for theta in (0.0, 90.0, 180.0, 270.0):
        g = field(one_stack(), em, WindRose((theta,), (1.0,), (2.0,)), add_dangerous_speed=False)
        row, col = np.unravel_index(np.argmax(g.max[0]), g.max[0].shape)
        spots[theta] = (XC[col], YC[row])
    assert spots[0.0][1] < 0 and abs(spots[0.0][0]) < CS  # from N → south
    assert spots[90.0][0] < 0 and abs(spots[90.0][1]) < CS  # from E → west
    assert spots[180.0][1] > 0  # from S → north
    assert spots[270.0][0] > 0  # from W → east
    assert spots[0.0][1] == pytest.approx(-spots[180.0][1], abs=CS)


def test_superposition_two_colocated_stacks_double_the_field() -> None:
    wind = WindRose.uniform(8, (1.0, 2.2))
    one = field(one_stack(1), np.array([[5.0]]), wind)
    two = field(one_stack(2), np.array([[5.0], [5.0]]), wind)
    np.testing.assert_allclose(two.max, 2 * one.max, rtol=1e-12)
    np.testing.assert_allclose(two.rose, 2 * one.rose, rtol=1e-12)
    assert float(one.max.max()) > 0


def test_sum_before_max_over_directions() -> None:
    # two stacks 1 km apart east-west: with wind from the west their plumes add up on the axis
    st = Stacks(("a", "b"), np.array([-1000.0, 0.0]), np.zeros(2), np.full(2, 35.0), np.full(2, 1.4),
                np.full(2, 7.0), np.full(2, 125.0), np.full(2, 25.0), np.zeros(2, bool))  # fmt: skip
    wind = WindRose((270.0,), (1.0,), (2.2,))
    both = field(st, np.array([[1.0], [1.0]]), wind, add_dangerous_speed=False)
    a = field(st, np.array([[1.0], [0.0]]), wind, add_dangerous_speed=False)
    b = field(st, np.array([[0.0], [1.0]]), wind, add_dangerous_speed=False)
    np.testing.assert_allclose(both.max, a.max + b.max, rtol=1e-12)


def test_rose_weighting_and_index() -> None:
    st = one_stack()
    em = np.array([[1.0, 2.0]])
    wind = WindRose((0.0, 180.0), (0.75, 0.25), (1.0, 2.2))
    g = ground_field(
        XC, YC, st, em, np.ones_like(em), wind, index_weights=np.array([1 / 0.5, 1 / 5.0])
    )
    north_only = ground_field(
        XC, YC, st, em, np.ones_like(em), WindRose((0.0,), (1.0,), (1.0, 2.2))
    )
    south_only = ground_field(
        XC, YC, st, em, np.ones_like(em), WindRose((180.0,), (1.0,), (1.0, 2.2))
    )
    np.testing.assert_allclose(g.rose, 0.75 * north_only.rose + 0.25 * south_only.rose, rtol=1e-12)
    np.testing.assert_allclose(g.max, np.maximum(north_only.max, south_only.max), rtol=1e-12)
    assert g.index_max is not None
    # one source, same F: the index is 2·C1 + 0.4·C1 at every wind case
    np.testing.assert_allclose(g.index_max, (2.0 + 0.4) * g.max[0], rtol=1e-12)


def test_dangerous_speed_is_scanned() -> None:
    r = control()
    g = field(one_stack(x=10.0, y=10.0), np.array([[1.0]]), WindRose((0.0,), (1.0,), (1.0,)))
    assert round(float(r.um[0]), 2) in g.speeds
    assert float(g.max.max()) == pytest.approx(float(r.cm[0]) / 12, rel=1e-4)
    without = field(
        one_stack(x=10.0, y=10.0),
        np.array([[1.0]]),
        WindRose((0.0,), (1.0,), (1.0,)),
        add_dangerous_speed=False,
    )
    assert without.speeds == (1.0,)
    assert float(without.max.max()) == pytest.approx(
        float(r_coefficient(1.0 / r.um[0]) * r.cm[0]) / 12, rel=1e-3
    )


def test_workers_dtype_floor_and_distance_cap() -> None:
    st = Stacks(("a", "b"), np.array([-500.0, 300.0]), np.array([200.0, -400.0]), np.array([35.0, 20.0]),
                np.array([1.4, 0.6]), np.array([7.0, 5.0]), np.array([125.0, 160.0]), np.full(2, 25.0),
                np.zeros(2, bool))  # fmt: skip
    em = np.array([[3.0], [1.0]])
    wind = WindRose.uniform(16, (0.5, 2.0))
    ref = field(st, em, wind, s2_floor=0.0)
    np.testing.assert_array_equal(field(st, em, wind, s2_floor=0.0, workers=2).max, ref.max)
    f32 = field(st, em, wind, s2_floor=0.0, dtype="float32")
    np.testing.assert_allclose(f32.max, ref.max, rtol=2e-5, atol=1e-12)
    floored = field(st, em, wind, s2_floor=1e-9)
    assert floored.evaluations < ref.evaluations
    assert float(np.abs(floored.max - ref.max).max()) <= 1e-9 * float(ref.max.max()) * 2
    # the cap is on the distance from each source
    capped = field(st, em, wind, max_distance=800.0, add_dangerous_speed=False)
    da = np.hypot(*np.meshgrid(XC + 500.0, YC - 200.0))
    db = np.hypot(*np.meshgrid(XC - 300.0, YC + 400.0))
    far = (da > 800.0) & (db > 800.0)
    assert float(capped.max[0][far].max()) == 0.0
    assert float(ref.max[0][far].max()) > 0.0
    only_a = (da <= 800.0) & (db > 800.0)
    a_alone = field(st, np.array([[3.0], [0.0]]), wind, add_dangerous_speed=False)
    np.testing.assert_allclose(capped.max[0][only_a], a_alone.max[0][only_a], rtol=1e-12)


def test_low_stack_in_field_uses_the_correction() -> None:
    st = Stacks(("lo",), np.zeros(1), np.zeros(1), np.array([5.0]), np.array([3.0]), np.zeros(1),
                np.array([25.0]), np.array([25.0]), np.ones(1, bool))  # fmt: skip
    wind = WindRose((270.0,), (1.0,), (0.5,))
    g = ground_field(
        XC,
        YC,
        st,
        np.array([[1.0]]),
        np.array([[1.0]]),
        wind,
        add_dangerous_speed=False,
        s2_floor=0.0,
    )
    r = max_concentration(5.0, 3.0, 0.0, 25.0, 25.0, cold=True)
    row = int(np.argmin(np.abs(YC - 10.0)))
    col = int(np.argmin(np.abs(XC - 10.0)))
    x, y = XC[col], YC[row]
    expected = float(axis_concentration(r, x, u=0.5, height=5.0, y=y)[0])
    assert g.max[0, row, col] == pytest.approx(expected, rel=1e-9)


def test_field_rejects_negative_emissions() -> None:
    with pytest.raises(InputError, match="source s0: emission rates"):
        field(one_stack(), np.array([[-1.0]]), WindRose.uniform(4))


# -- the CLI ------------------------------------------------------------------------------------
ARGS = [
    "--height",
    "35",
    "--diameter",
    "1.4",
    "--velocity",
    "7",
    "--gas-temp",
    "125",
    "--air-temp",
    "25",
    "--rate",
    "12",
]


def test_cli_json_control_example() -> None:
    res = CliRunner().invoke(dispersion, [*ARGS, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert round(out["cm_mg_m3"], 2) == 0.19
    assert round(out["xm_m"], -1) == 430
    assert out["um_m_s"] == pytest.approx(2.220, abs=1e-3)
    for key in ("v1_m3_s", "f", "vm_m_s", "vm_prime_m_s", "fe", "m", "n", "d", "regime"):
        assert key in out
    assert out["regime"] == "hot" and out["method"] == "ond86"


def test_cli_options_method_A_F_eta() -> None:
    res = CliRunner().invoke(
        dispersion,
        [*ARGS, "--json", "--method", "mrr2017", "--A", "250", "--F", "3", "--eta", "1.2"],
    )
    out = json.loads(res.output)
    assert out["method"] == "mrr2017"
    assert out["cm_mg_m3"] == pytest.approx(0.18642 * 1.25 * 3 * 1.2, rel=1e-4)
    assert out["xm_m"] == pytest.approx(430.4 / 2, abs=0.1)


def test_cli_table() -> None:
    res = CliRunner().invoke(dispersion, ARGS)
    assert res.exit_code == 0
    assert "cm" in res.output and "0.1864" in res.output and "430.4" in res.output


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("--height", "0"), "--height must be > 0"),
        (("--diameter", "-1"), "--diameter must be > 0"),
        (("--gas-temp", "20"), "--gas-temp 20 °C is below the air temperature 25 °C"),
    ],
)
def test_cli_bad_input(change: tuple[str, str], fragment: str) -> None:
    args = list(ARGS)
    args[args.index(change[0]) + 1] = change[1]
    res = CliRunner().invoke(dispersion, args)
    assert isinstance(res.exception, InputError)
    assert fragment in str(res.exception)


def test_cli_through_the_geo_group_exits_2() -> None:
    from geo.cli import cli

    res = CliRunner().invoke(cli, ["dispersion", *ARGS, "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["regime"] == "hot"
