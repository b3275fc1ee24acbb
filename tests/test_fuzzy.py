"""Fuzzy memberships against the QGIS formulas and anchors (methods-and-anchors §2.2, T9)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo.errors import InputError
from geo.models import fuzzy
from geo.models.fuzzy import Membership, MembershipError


def test_qgis_anchors() -> None:
    assert float(fuzzy.large(100.0, 50.0, 5.0)) == pytest.approx(0.969697, abs=1e-6)
    assert float(fuzzy.small(100.0, 50.0, 5.0)) == pytest.approx(0.030303, abs=1e-6)
    assert float(fuzzy.gaussian(12.0, 10.0, 0.1)) == pytest.approx(0.670320, abs=1e-6)
    assert float(fuzzy.near(12.0, 10.0, 0.1)) == pytest.approx(0.714286, abs=1e-6)
    assert float(fuzzy.power(5.0, 0.0, 10.0, 2.0)) == pytest.approx(0.25)


def test_qgis_formulas_on_a_range() -> None:
    x = np.linspace(1, 200, 50)
    np.testing.assert_allclose(fuzzy.large(x, 50, 5), 1 / (1 + (x / 50) ** -5))
    np.testing.assert_allclose(fuzzy.small(x, 50, 5), 1 / (1 + (x / 50) ** 5))
    np.testing.assert_allclose(fuzzy.gaussian(x, 80, 0.01), np.exp(-0.01 * (x - 80) ** 2))
    np.testing.assert_allclose(fuzzy.near(x, 80, 0.01), 1 / (1 + 0.01 * (x - 80) ** 2))
    np.testing.assert_allclose(fuzzy.power(x, 20, 120, 3), np.clip((x - 20) / 100, 0, 1) ** 3)
    # midpoints are 0.5
    assert float(fuzzy.large(50.0, 50, 5)) == 0.5
    assert float(fuzzy.small(50.0, 50, 5)) == 0.5


def test_linear_increasing_and_decreasing() -> None:
    x = np.array([0.0, 2.0, 5.0, 8.0, 10.0])
    assert fuzzy.linear(x, 2, 8).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert fuzzy.linear(x, 8, 2).tolist() == [1.0, 1.0, 0.5, 0.0, 0.0]


def test_nan_preserved_everywhere() -> None:
    x = np.array([np.nan, 1.0, -1.0], dtype="float32")
    for f, args in [
        (fuzzy.linear, (0, 2)),
        (fuzzy.power, (0, 2, 2)),
        (fuzzy.large, (1, 5)),
        (fuzzy.small, (1, 5)),
        (fuzzy.gaussian, (0, 0.1)),
        (fuzzy.near, (0, 0.1)),
    ]:
        out = f(x, *args)
        assert np.isnan(out[0]) and np.isfinite(out[1:]).all(), f.__name__
        assert out.dtype == np.float32
    assert np.isnan(fuzzy.sigmoidal(x, 0, 2)[0])
    assert np.isnan(fuzzy.j_shaped(x, c=0, d=2, shape="decreasing")[0])
    # large of a non-positive value is 0, small is 1 (QGIS)
    assert fuzzy.large(x, 1, 5)[2] == 0.0 and fuzzy.small(x, 1, 5)[2] == 1.0


def test_sigmoidal_shapes() -> None:
    assert float(fuzzy.sigmoidal(0.0, 0, 10)) == 0.0
    assert float(fuzzy.sigmoidal(10.0, 0, 10)) == 1.0
    assert float(fuzzy.sigmoidal(2.5, 0, 10)) == pytest.approx(math.cos(0.75 * math.pi / 2) ** 2)
    assert float(fuzzy.sigmoidal(5.0, c=0, d=10, shape="decreasing")) == pytest.approx(0.5)
    sym = fuzzy.sigmoidal(
        np.array([0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]), 0, 10, 20, 30, shape="symmetric"
    )
    np.testing.assert_allclose(sym, [0, 0.5, 1, 1, 1, 0.5, 0], atol=1e-12)
    # monotonic
    x = np.linspace(-5, 15, 101)
    assert np.all(np.diff(fuzzy.sigmoidal(x, 0, 10)) >= 0)


def test_j_shaped() -> None:
    assert float(fuzzy.j_shaped(0.0, 0, 10)) == 0.5  # 0.5 at a
    assert float(fuzzy.j_shaped(-10.0, 0, 10)) == pytest.approx(0.2)  # 1/(1+2²)
    assert float(fuzzy.j_shaped(10.0, 0, 10)) == 1.0
    assert float(fuzzy.j_shaped(30.0, c=10, d=20, shape="decreasing")) == pytest.approx(0.2)


def test_reclassify_table() -> None:
    v = np.array([["a", "b"], [None, "z"]], dtype=object)
    out = fuzzy.reclassify(v, {"a": 1.0, "b": 0.25}, default=0.0)
    assert out[0].tolist() == [1.0, 0.25] and np.isnan(out[1, 0]) and out[1, 1] == 0.0
    with pytest.raises(MembershipError, match="outside 0–1"):
        fuzzy.reclassify(["a"], {"a": 2.0})


def test_membership_object_and_errors() -> None:
    m = Membership("small", {"midpoint": 3000.0, "spread": 3.0})
    _, hi = m.saturation(1e-3)
    assert float(m(np.array([hi]))[0]) == pytest.approx(1e-3, rel=1e-6)
    shifted = Membership("linear", {"a": 8.0, "b": 2.0}).shifted(1.0)
    assert shifted.params == {"a": 9.0, "b": 3.0}
    with pytest.raises(MembershipError, match="unknown membership kind 'linaer'"):
        Membership("linaer", {})
    with pytest.raises(MembershipError, match="needs parameter"):
        Membership("linear", {"a": 1.0})
    with pytest.raises(MembershipError, match="a != b"):
        Membership("linear", {"a": 1.0, "b": 1.0})
    with pytest.raises(MembershipError, match="must ascend"):
        Membership("sigmoidal", {"a": 5.0, "b": 1.0})
    with pytest.raises(MembershipError, match="spread > 0"):
        Membership("gaussian", {"midpoint": 1.0, "spread": -1.0})
    assert issubclass(MembershipError, InputError)
