"""AHP weights and consistency against published matrices (methods-and-anchors §2.1, T6-T7)."""

from __future__ import annotations

import numpy as np
import pytest

from geo.errors import InputError
from geo.models.ahp import AHPError, AHPInconsistentError, ahp_weights, check_matrix


def test_saaty_3x3() -> None:
    r = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    np.testing.assert_allclose(r.weights, [0.6370, 0.2583, 0.1047], atol=5e-5)
    assert r.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert r.ci == pytest.approx(0.0193, abs=1e-4)
    assert r.cr == pytest.approx(0.0332, abs=1e-4)
    assert r.ri_table == "saaty1980" and r.ri == 0.58


def test_consistent_5x5_idrisi() -> None:
    v = np.array([7, 5, 11, 2, 8.0])
    r = ahp_weights(v[:, None] / v[None, :])
    np.testing.assert_allclose(r.weights, [0.2121, 0.1515, 0.3333, 0.0606, 0.2424], atol=5e-5)
    assert r.cr == 0.0 and r.lambda_max == pytest.approx(5.0)


def test_koczkodaj_4x4() -> None:
    m = [[1, 2, 5, 4], [1 / 2, 1, 3, 1.9], [1 / 5, 1 / 3, 1, 0.7], [1 / 4, 1 / 1.9, 1 / 0.7, 1]]
    r = ahp_weights(m)
    np.testing.assert_allclose(r.weights, [0.5094, 0.2631, 0.0942, 0.1333], atol=5e-5)
    assert r.lambda_max == pytest.approx(4.0040, abs=1e-4)
    assert r.cr == pytest.approx(0.0015, abs=1e-4)


def test_ri_table_is_a_parameter() -> None:
    r = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]], ri_table="alonso_lamata2006")
    assert r.ri == 0.52 and r.cr == pytest.approx(0.0193 / 0.52, abs=1e-4)
    assert r.as_dict(["a", "b", "c"])["ri_table"] == "alonso_lamata2006"
    with pytest.raises(AHPError, match="unknown random-index table"):
        ahp_weights([[1]], ri_table="nope")


def test_inconsistent_matrix_refused_with_cr_and_pair() -> None:
    # a > b (5), b > c (5) but c > a (3): a cycle; (a, c) is the broken judgement
    m = [[1, 5, 1 / 3], [1 / 5, 1, 5], [3, 1 / 5, 1]]
    with pytest.raises(AHPInconsistentError) as exc:
        ahp_weights(m, labels=["soil", "slope", "water"])
    msg = str(exc.value)
    assert "CR = " in msg and "> 0.1" in msg and "revise it" in msg
    assert exc.value.cr > 0.1
    assert "\n" not in msg
    # with no limit it is accepted and reports the same worst pair
    r = ahp_weights(m, max_cr=None)
    assert r.worst_pair == exc.value.pair


def test_worst_pair_is_the_perturbed_judgement() -> None:
    v = np.array([8, 4, 2, 1.0])
    m = v[:, None] / v[None, :]
    m[0, 3], m[3, 0] = 2.0, 0.5  # consistent value is 8
    r = ahp_weights(m, max_cr=None)
    assert r.worst_pair == (0, 3)


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], "must be square"),
        ([[1, 2], [2, 1]], "not reciprocal.*set \\[2\\]\\[1\\] = 1/2"),
        ([[1, -2], [-0.5, 1]], "must be positive"),
        ([[2, 2], [0.5, 1]], "diagonal \\[1\\]\\[1\\] = 2.0 must be 1"),
        ([[1, 2], [0.5]], "must be square: row 2 has 1 numbers, expected 2"),
    ],
)
def test_bad_matrices(matrix: list, match: str) -> None:
    with pytest.raises(AHPError, match=match) as exc:
        check_matrix(matrix)
    assert isinstance(exc.value, InputError) and "\n" not in str(exc.value)


def test_rounded_fractions_are_reciprocal_enough() -> None:
    check_matrix([[1, 3], [0.333, 1]])
