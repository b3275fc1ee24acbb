"""The What-if contract: quantised arithmetic, the AHP power iteration, the recipe written back, the payload."""

from __future__ import annotations

import base64
import json
import re
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest

from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.i18n import LANGUAGES, WHATIF
from geo.models import mcda
from geo.models.ahp import ahp_weights, principal_eigen
from geo.models.fuzzy import Membership
from geo.recipe import load_recipe
from geo.results import ThemeResult
from geo.themes.suitability.whatif import toml_document
from geo.writers.whatif import whatif_payload

MAPS = Path(__file__).resolve().parent.parent / "maps"
LAND = MAPS / "land_suitability.toml"
NO_POLLUTION = {
    "pollution": ThemeResult(theme="pollution", title={"en": "-", "kk": "-", "ru": "-"})
}


@pytest.fixture(scope="module")
def land() -> ThemeResult:
    return run_recipe(BuildContext(Catalog(), results=dict(NO_POLLUTION)), load_recipe(LAND))


# ------------------------------------------------------------------ the arithmetic
def test_quantised_wlc_is_the_left_to_right_float64_sum() -> None:
    rng = np.random.default_rng(3)
    q = rng.integers(0, 1001, size=(5, 400)).astype("uint16")
    w = mcda.normalised(rng.uniform(0.1, 1, 5))
    got = mcda.quantised_score(q, w)
    for i in range(400):
        s = w[0] * (q[0, i] / 1000.0)
        for j in range(1, 5):
            s = s + w[j] * (q[j, i] / 1000.0)
        assert got[i] == s  # bit for bit, no BLAS reordering


def test_quantised_owa_ranks_ties_by_criterion_order() -> None:
    q = np.array([[500, 200], [500, 900], [100, 900]], dtype="uint16")
    u, v = [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]
    got = mcda.quantised_score(q, u, order_weights=v)
    # cell 0: ranks 1 (500, first), 2 (500, second), 0 (100) → uv = 0.2·0.3, 0.3·0.1, 0.5·0.6
    uv = [0.2 * 0.3, 0.3 * 0.1, 0.5 * 0.6]
    num = uv[0] * 0.5
    num = num + uv[1] * 0.5
    num = num + uv[2] * 0.1
    den = uv[0] + uv[1]
    den = den + uv[2]
    assert got[0] == num / den
    # equal order weights give WLC
    assert mcda.quantised_score(q, u, order_weights=[1 / 3] * 3) == pytest.approx(
        mcda.quantised_score(q, u)
    )


def test_missing_factor_and_constraint() -> None:
    q = np.array([[800, mcda.NO_FACTOR, 800], [800, 800, 800]], dtype="uint16")
    s = mcda.quantised_score(q, [0.5, 0.5], allowed=np.array([True, True, False]))
    assert s[0] == 0.8 and np.isnan(s[1]) and s[2] == 0.0
    assert mcda.classify(s).tolist() == [1, 0, 4]


def test_evaluate_with_a_quantum_classifies_the_float64_score() -> None:
    m = Membership("linear", {"a": 0.0, "b": 1.0})
    raw = [np.array([[0.7504, 0.2496]]), np.array([[0.7496, 0.2504]])]
    ev = mcda.evaluate(raw, [m, m], [0.5, 0.5], quantum=1000)
    assert ev.factors is not None and ev.factors[:, 0, 0].tolist() == [750, 750]
    assert ev.classes.tolist() == [[1, 3]]  # 0.75 ≥ S1's break, 0.25 ≥ S3's


def test_normalised_sums_left_to_right() -> None:
    w = [0.1, 0.2, 0.3, 0.15, 0.05, 0.1, 0.05, 0.05]
    total = 0.0
    for v in w:
        total += v
    assert mcda.normalised(w).tolist() == [v / total for v in w]
    with pytest.raises(mcda.MCDAError, match="positive"):
        mcda.normalised([0, 0])


def test_power_iteration_matches_the_eigen_decomposition() -> None:
    rng = np.random.default_rng(7)
    saaty = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]
    for n in (3, 5, 7, 9, 12):
        a = np.ones((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                a[i, j] = saaty[int(rng.integers(len(saaty)))]
                a[j, i] = 1 / a[i, j]
        w, lam = principal_eigen(a)
        vals, vecs = np.linalg.eig(a)
        k = int(np.argmax(vals.real))
        ref = np.abs(vecs[:, k].real)
        assert w == pytest.approx(ref / ref.sum(), abs=1e-10)
        assert lam == pytest.approx(float(vals[k].real), abs=1e-9)
    r = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert [round(float(v), 4) for v in r.weights] == [0.637, 0.2583, 0.1047]
    assert round(r.cr, 4) == 0.0332


# ------------------------------------------------------------------ the recipe written back
def test_toml_document_reads_back() -> None:
    data = {
        "name": 'odd "name" \\ with\nnewline\x7f',
        "n": 3,
        "x": 0.1,
        "big": 1e300,
        "flag": False,
        "list": [1, 2.5, "a"],
        "inline": {"k": [{"a": 1}]},
        "table": {"key with space": 1, "кілт": "мән", "sub": {"deep": {"v": [0.25, 0.5]}}},
    }
    assert tomllib.loads(toml_document(data)) == data


def test_result_carries_what_the_page_needs(land: ThemeResult) -> None:
    w = land.whatif
    assert w is not None
    params = land.parameters
    used = [c for c in params["criteria"] if not params["criteria"][c]["skipped"]]
    assert [c.id for c in w.criteria] == used
    assert sum(c.weight for c in w.criteria) == pytest.approx(1.0, abs=1e-15)
    assert all(
        c.factor.dtype == np.uint16 and c.factor.shape == w.classes.shape for c in w.criteria
    )
    assert params["aggregation"]["membership_quantum"] == mcda.QUANTUM == w.quantum
    # the factors and weights give the class raster
    q = np.stack([c.factor for c in w.criteria])
    allowed = np.ones(w.classes.shape, bool)
    for c in w.constraints:
        allowed &= ~c.excluded
    score = mcda.quantised_score(q, [c.weight for c in w.criteria], allowed=allowed)
    assert (mcda.classify(score, w.breaks) == w.classes.array).all()
    # the zone cells reproduce the by_zone areas
    by_zone = next(v for v in land.vectors if v.name.endswith("by_zone")).data.set_index("zone_id")
    flat = w.classes.array.ravel()
    for z in w.zones:
        s1 = float(z.coverage[flat[z.cells] == 1].sum()) * w.cell_ha
        assert s1 == pytest.approx(by_zone.loc[z.id, "S1_ha"], abs=0.006)
    # the recipe reads back: head + the recipe's weights + every constraint = the recipe
    whole = "\n".join(
        [w.recipe_head, w.recipe_tables["weights"], w.recipe_tables["aggregation"]]
        + [c.toml for c in w.constraints]
    )
    assert tomllib.loads(whole) == tomllib.loads(LAND.read_text(encoding="utf-8"))
    assert w.ahp is None  # the pollution index is skipped here: no AHP table over a subset


def test_payload_is_safe_json_with_packed_arrays(land: ThemeResult) -> None:
    w = land.whatif
    assert w is not None
    p = whatif_payload(land, "kk")
    text = json.dumps(p, ensure_ascii=False)
    assert p["ui"]["reset"] == "Рецептке қайтару"
    raw = np.frombuffer(zlib.decompress(base64.b64decode(p["factors"])), dtype="<u2")
    k, (rows, cols) = len(w.criteria), w.classes.shape
    planes = np.cumsum(raw.reshape(k, rows, cols).astype("int64"), axis=2) % 65536
    assert (planes == np.stack([c.factor for c in w.criteria])).all()
    idx = np.frombuffer(zlib.decompress(base64.b64decode(p["display"]["index"])), dtype="<i4")
    idx = np.cumsum(idx.reshape(p["display"]["height"], p["display"]["width"]), axis=1)
    assert idx.min() == -1 or idx.min() >= 0
    assert idx.max() < rows * cols
    assert not re.search(r"</script", text, re.I)


def test_every_panel_string_is_in_three_languages() -> None:
    for key, t in WHATIF.items():
        assert set(t) == set(LANGUAGES), key
        assert all(t[lang].strip() for lang in LANGUAGES), key
    assert WHATIF["download"]["kk"] != WHATIF["download"]["en"]


_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'’]*")
_COMMAND = re.compile(r"geo map FILE --out DIR|\(DecompressionStream\)|\{max\}")
_ALLOWED = {"S1", "S2", "S3", "N", "AHP", "OWA", "CR", "Chromium", "Firefox", "Safari", "CO", "SO2"}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_panel_shows_no_english_in_kazakh_and_russian(land: ThemeResult, lang: str) -> None:
    p = whatif_payload(land, lang)
    shown = [*p["ui"].values(), *(c["title"] for c in p["criteria"])]
    shown += [c["title"] for c in p["constraints"]] + [c["kind"] for c in p["constraints"]]
    shown += [z["name"] for z in p["zones"]]
    left = {w for s in shown for w in _LATIN.findall(_COMMAND.sub(" ", s))} - _ALLOWED
    assert left == set()
