"""Survey uncertainty, schema checks and the composite index (geo.models.indicators)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.errors import IndicatorError
from geo.models.indicators import (
    AGGREGATIONS,
    NORMALISATIONS,
    Z95,
    IndexConfig,
    IndicatorSpec,
    check_group_sums,
    check_share_range,
    composite_index,
    counts_matching_share,
    first_order_sensitivity,
    match_names,
    monte_carlo_ranks,
    normal_moe,
    normalise,
    normalise_name,
    pairwise_significance,
    parse_indicator_specs,
    prepare_values,
    same_question_z,
    town_sample_sizes,
    two_proportion_z,
    wilson_interval,
)


# -- Wilson intervals ----------------------------------------------------------------
def test_wilson_half_at_p05_n499_by_hand():
    # Wilson: centre = (p + z²/2n)/(1 + z²/n); half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)
    z = 1.959963984540054
    z2 = z * z  # 3.841458820694124
    denom = 1 + z2 / 499  # 1.0076983143701285
    half = z / denom * math.sqrt(0.25 / 499 + z2 / (4 * 499 * 499))
    assert half == pytest.approx(0.0437021, abs=1e-7)
    lo, hi = wilson_interval(0.5, 499)
    assert float(lo) == pytest.approx(0.5 - half, abs=1e-12)
    assert float(hi) == pytest.approx(0.5 + half, abs=1e-12)
    # slightly narrower than the normal approximation's anchor ±4.39 pp (methods §2.8, T12)
    assert half * 100 == pytest.approx(4.370, abs=1e-3)


def test_normal_moe_anchors():
    assert round(normal_moe(0.5, 499) * 100, 2) == 4.39
    assert round(normal_moe(0.3, 499) * 100, 2) == 4.02
    assert normal_moe(0.5, 499) == pytest.approx(1.959964 * math.sqrt(0.25 / 499), rel=1e-6)


def test_wilson_asymmetric_small_sample_by_hand():
    # p = 0.1, n = 50 (5 of 50): the interval is not symmetric around p
    z2 = Z95**2
    centre = (0.1 + z2 / 100) / (1 + z2 / 50)
    half = Z95 / (1 + z2 / 50) * math.sqrt(0.1 * 0.9 / 50 + z2 / (4 * 2500))
    lo, hi = wilson_interval(0.1, 50)
    assert float(lo) == pytest.approx(centre - half, abs=1e-12)
    assert float(hi) == pytest.approx(centre + half, abs=1e-12)
    assert float(lo) == pytest.approx(0.04348, abs=1e-4)  # published Wilson 5/50: 0.0435–0.2136
    assert float(hi) == pytest.approx(0.21357, abs=1e-4)
    assert 0.1 - float(lo) < float(hi) - 0.1


def test_wilson_edges_and_vectorised():
    lo, hi = wilson_interval(np.array([0.0, 1.0]), np.array([499, 499]))
    assert lo[0] == 0.0 and hi[0] > 0.0
    assert hi[1] == 1.0 and lo[1] < 1.0
    with pytest.raises(ValueError, match="0–1"):
        wilson_interval(43.5, 499)


# -- per-town sample sizes -----------------------------------------------------------------
def test_town_sample_sizes_from_published_shares():
    shares = {"Shu": 43.5, "Karatau": 23.7, "Zhanatas": 22.4, "not stated": 10.4}
    n = town_sample_sizes(shares, 499)
    assert n == {"Shu": 217, "Karatau": 118, "Zhanatas": 112, "not stated": 52}
    assert sum(n.values()) == 499


def test_largest_remainder_differs_from_plain_rounding():
    # plain rounding of 33.33 % × 10 three times gives 9; Hamilton gives 10 by remainder order
    n = town_sample_sizes({"a": 100 / 3, "b": 100 / 3, "c": 100 / 3}, 10)
    assert sorted(n.values()) == [3, 3, 4]
    assert sum(n.values()) == 10


def test_published_karatau_share_matches_no_whole_count():
    assert counts_matching_share(43.5, 499) == [217]
    assert counts_matching_share(22.4, 499) == [112]
    assert counts_matching_share(10.4, 499) == [52]
    assert counts_matching_share(23.7, 499) == []  # 118 → 23.6 %, 119 → 23.8 %
    assert round(100 * 118 / 499, 1) == 23.6 and round(100 * 119 / 499, 1) == 23.8


# -- significance ------------------------------------------------------------------------------
def test_same_question_z_by_hand():
    # Shu 43.5 % vs Karatau 23.7 % of the same 499 respondents
    var = (0.435 + 0.237 - (0.435 - 0.237) ** 2) / 499
    z_hand = (0.435 - 0.237) / math.sqrt(var)
    z, p = same_question_z(0.435, 0.237, 499)
    assert z == pytest.approx(z_hand, rel=1e-12)
    assert z == pytest.approx(5.560, abs=1e-3)
    assert p < 1e-6
    # Karatau 23.7 % vs Zhanatas 22.4 %: not significant
    z, p = same_question_z(0.237, 0.224, 499)
    assert p == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert p > 0.5


def test_two_proportion_z_by_hand():
    # pooled p̂ = 0.55, se = √(0.55·0.45·(1/100 + 1/100)) = 0.0703562
    z, p = two_proportion_z(0.5, 100, 0.6, 100)
    assert z == pytest.approx(-0.1 / math.sqrt(0.55 * 0.45 * 0.02), rel=1e-12)
    assert z == pytest.approx(-1.4213, abs=1e-4)
    assert p == pytest.approx(0.1552, abs=1e-4)


def _survey() -> pd.DataFrame:
    rows = [
        ("town", "shu", 43.5),
        ("town", "karatau", 23.7),
        ("town", "zhanatas", 22.4),
        ("town", "not_stated", 10.4),
        ("economy", "more_jobs", 66),
        ("economy", "end_corruption", 36),
        ("economy", "housing", 34),
        ("economy", "cheaper_credit", 33),
    ]
    return pd.DataFrame(rows, columns=["question_id", "answer_id", "percent"]).assign(n=499)


def test_pairwise_significance_methods_and_flags():
    sig = pairwise_significance(_survey(), single_choice=["town"])
    town = sig[sig.question_id == "town"]
    assert set(town.method) == {"multinomial z-test"}
    assert len(town) == 6
    pair = town[(town.answer_a == "karatau") & (town.answer_b == "zhanatas")].iloc[0]
    assert not pair.significant and pair.diff_pp == pytest.approx(1.3)
    assert town[(town.answer_a == "shu") & (town.answer_b == "karatau")].iloc[0].significant
    eco = sig[sig.question_id == "economy"]
    assert set(eco.method) == {"Wilson interval overlap"}
    assert eco.p_value.isna().all()
    jobs = eco[(eco.answer_a == "more_jobs") & (eco.answer_b == "end_corruption")].iloc[0]
    assert jobs.significant  # 66 % vs 36 %: intervals far apart
    housing = eco[(eco.answer_a == "housing") & (eco.answer_b == "cheaper_credit")].iloc[0]
    assert not housing.significant  # 34 % vs 33 %


# -- schema checks -------------------------------------------------------------------------------
def test_share_outside_0_100_names_table_row_field():
    df = pd.DataFrame({"district": ["Sarysu", "Talas"], "share_pct": [63.8, 112.0]})
    with pytest.raises(IndicatorError) as exc:
        check_share_range(df, table="mining_share", field="share_pct")
    msg = str(exc.value)
    assert "'mining_share'" in msg and "row 2 (line 3)" in msg and "'share_pct'" in msg
    assert "112" in msg and "0–100" in msg and "\n" not in msg


def test_share_not_a_number():
    df = pd.DataFrame({"share_pct": ["63.8", "lots"]})
    with pytest.raises(
        IndicatorError, match=r"row 2 \(line 3\) field 'share_pct': 'lots' is not a number"
    ):
        check_share_range(df, table="t", field="share_pct")


def test_group_sums_must_be_about_100():
    df = _survey()
    check_group_sums(
        df, table="survey_2023", group_field="question_id", value_field="percent", groups=["town"]
    )
    bad = df.copy()
    bad.loc[1, "percent"] = 18.7  # town now sums to 95
    with pytest.raises(IndicatorError) as exc:
        check_group_sums(
            bad,
            table="survey_2023",
            group_field="question_id",
            value_field="percent",
            groups=["town"],
        )
    msg = str(exc.value)
    assert "'survey_2023'" in msg and "row 1 (line 2)" in msg and "'percent'" in msg and "95" in msg
    # a single-choice question with only some answers published must not exceed 100
    over = df.copy()
    over.loc[over.question_id == "economy", "percent"] = 60
    with pytest.raises(IndicatorError, match="at most 100"):
        check_group_sums(
            over,
            table="s",
            group_field="question_id",
            value_field="percent",
            groups=[],
            at_most=["economy"],
        )


def test_name_matching_is_robust_and_suggests():
    cands = ["Sarysu", "Talas", "Moiynkum", "Shu", "Turar Ryskulov"]
    m = match_names(
        ["Sarysu District", "talas", "Moyynkum", "Turar Ryskulov district"],
        cands,
        table="t",
        field="district",
        layer="districts",
    )
    assert m == {
        "Sarysu District": "Sarysu",
        "talas": "Talas",
        "Moyynkum": "Moiynkum",
        "Turar Ryskulov district": "Turar Ryskulov",
    }
    assert normalise_name("Zhangatas") == normalise_name("Zhanatas")
    with pytest.raises(IndicatorError) as exc:
        match_names(
            ["Talas", "Sarysuu"], cands, table="mining_share", field="district", layer="districts"
        )
    msg = str(exc.value)
    assert "'mining_share' row 2 (line 3) field 'district'" in msg
    assert "did you mean 'Sarysu'" in msg and "'districts'" in msg


def test_indicator_without_direction():
    entries = [
        {"id": "a", "group": "economy", "role": "main", "direction": "+"},
        {"id": "b", "group": "social", "role": "inhibiting"},
    ]
    with pytest.raises(IndicatorError) as exc:
        parse_indicator_specs(entries, table="indicators")
    msg = str(exc.value)
    assert "'indicators' row 2 (b) field 'direction': missing" in msg and '"-"' in msg


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"id": "a", "group": "money", "role": "main", "direction": "+"}, "group"),
        ({"id": "a", "group": "economy", "role": "blocking", "direction": "+"}, "role"),
        ({"id": "a", "group": "economy", "role": "main", "direction": "up"}, "direction"),
        ({"id": "a", "group": "economy", "role": "main", "direction": "+", "weight": -1}, "weight"),
    ],
)
def test_indicator_spec_fields(entry, field):
    with pytest.raises(IndicatorError, match=f"field '{field}'"):
        parse_indicator_specs([entry], table="indicators")


# -- composite index --------------------------------------------------------------------------------
def _specs(directions: list[int]) -> list[IndicatorSpec]:
    groups = ["economy", "social", "ecology"]
    roles = ["main", "inhibiting", "additional"]
    return [
        IndicatorSpec(f"i{j}", groups[j % 3], roles[j % 3] if d > 0 else "inhibiting", d)
        for j, d in enumerate(directions)
    ]


@pytest.mark.parametrize("normalisation", NORMALISATIONS)
@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_units_ordered_on_every_indicator_rank_in_that_order(normalisation, aggregation):
    rng = np.random.default_rng(7)
    for _ in range(25):
        n_units, n_ind = int(rng.integers(3, 8)), int(rng.integers(2, 7))
        directions = [int(d) for d in rng.choice([1, -1], n_ind)]
        cols = {}
        for j, d in enumerate(directions):
            v = np.sort(rng.uniform(1, 100, n_units) + np.arange(n_units) * 1e-3)[
                ::-1
            ]  # best first
            cols[f"i{j}"] = v if d > 0 else v[::-1]  # for "-" the best unit has the smallest value
        units = [f"u{i}" for i in range(n_units)]
        values = pd.DataFrame(cols, index=units)
        values = values.sample(frac=1, random_state=int(rng.integers(1000)))  # row order irrelevant
        res = composite_index(values, _specs(directions), IndexConfig(normalisation, aggregation))
        assert [res.rank[u] for u in units] == list(range(1, n_units + 1))


def test_reversing_an_inhibiting_factor_changes_the_ranking_as_expected():
    values = pd.DataFrame(
        {"jobs": [1.0, 3.0, 4.0], "wear": [10.0, 20.0, 90.0]}, index=["x", "y", "z"]
    )
    main = IndicatorSpec("jobs", "economy", "main", +1)
    cfg = IndexConfig("minmax", "linear")
    inhibiting = IndicatorSpec("wear", "economy", "inhibiting", -1, weight=1.5)
    res = composite_index(values, [main, inhibiting], cfg)
    # jobs → (0, 2/3, 1); wear counted against → (1, 7/8, 0); index = (jobs + 1.5·wear)/2.5
    assert res.index.to_dict() == pytest.approx({"x": 0.6, "y": (2 / 3 + 1.3125) / 2.5, "z": 0.4})
    assert res.rank.to_dict() == {"y": 1, "x": 2, "z": 3}
    reversed_ = IndicatorSpec("wear", "economy", "inhibiting", +1, weight=1.5)
    res2 = composite_index(values, [main, reversed_], cfg)
    # wear now counted in favour → (0, 1/8, 1): the most worn town z jumps to first
    assert res2.index.to_dict() == pytest.approx({"x": 0.0, "y": (2 / 3 + 0.1875) / 2.5, "z": 1.0})
    assert res2.rank.to_dict() == {"z": 1, "y": 2, "x": 3}
    # alone, the inhibiting factor's two directions give exactly opposite rankings
    alone = composite_index(values, [inhibiting], cfg).rank
    alone_rev = composite_index(values, [reversed_], cfg).rank
    assert (alone + alone_rev == 4).all()


def test_geometric_vs_linear_aggregation():
    # distance to a reference of 1 keeps the values as scores: A balanced, B unbalanced
    values = pd.DataFrame({"a": [0.5, 1.0], "b": [0.5, 0.1]}, index=["A", "B"])
    specs = [
        IndicatorSpec("a", "economy", "main", 1, reference=1.0),
        IndicatorSpec("b", "economy", "main", 1, reference=1.0),
    ]
    lin = composite_index(values, specs, IndexConfig("distance", "linear"))
    geo_ = composite_index(values, specs, IndexConfig("distance", "geometric"))
    assert lin.index.to_dict() == pytest.approx({"A": 0.5, "B": 0.55})
    assert geo_.index.to_dict() == pytest.approx({"A": 0.5, "B": math.sqrt(0.1)})
    assert lin.rank.to_dict() == {"B": 1, "A": 2}  # full compensation rewards B's 1.0
    assert geo_.rank.to_dict() == {"A": 1, "B": 2}  # partial compensation punishes B's 0.1


def test_group_and_role_weights():
    values = pd.DataFrame(
        {"e": [0.0, 1.0, 0.5], "s": [1.0, 0.0, 0.5], "x": [0.0, 1.0, 0.2]}, index=list("pqr")
    )
    specs = [
        IndicatorSpec("e", "economy", "main", 1),
        IndicatorSpec("x", "economy", "additional", 1),
        IndicatorSpec("s", "social", "main", 1),
    ]
    res = composite_index(values, specs, IndexConfig("minmax", "linear"))
    # additional factors count half: within economy e has 2/3, x 1/3
    assert res.weights["indicators"] == pytest.approx({"e": 2 / 3, "x": 1 / 3, "s": 1.0})
    assert res.weights["groups"] == pytest.approx({"economy": 0.5, "social": 0.5})
    cfg = IndexConfig("minmax", "linear", group_weights={"economy": 3, "social": 1, "ecology": 1})
    res = composite_index(values, specs, cfg)
    assert res.weights["groups"] == pytest.approx({"economy": 0.75, "social": 0.25})
    assert res.index["q"] == pytest.approx(0.75 * 1.0 + 0.25 * 0.0)


def test_normalise_methods():
    x = np.array([10.0, 20.0, 40.0])
    assert normalise(x, "minmax", 1) == pytest.approx([0, 1 / 3, 1])
    assert normalise(x, "minmax", -1) == pytest.approx([1, 2 / 3, 0])
    z = normalise(x, "zscore", 1)
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1)
    assert normalise(x, "zscore", -1) == pytest.approx(-z)
    assert normalise(x, "distance", 1, 20.0) == pytest.approx([0.5, 1, 2])
    assert normalise(x, "distance", -1, 20.0) == pytest.approx([2, 1, 0.5])
    with pytest.raises(IndicatorError, match="same value"):
        normalise(np.array([3.0, 3.0]), "minmax", 1, name="flat")


def test_missing_value_policies():
    values = pd.DataFrame(
        {
            "full": [1.0, 2.0, 3.0],
            "gap": [5.0, np.nan, 7.0],
            "zh_only": [9.0, np.nan, np.nan],
            "flat": [1.0, 1.0, 1.0],
        },
        index=["Zhanatas", "Karatau", "Shu"],
    )
    specs = [IndicatorSpec(c, "social", "main", 1) for c in values.columns]
    v, kept, dropped, imputed = prepare_values(values, specs, "drop_indicator")
    assert [s.id for s in kept] == ["full"]
    assert dropped == {
        "gap": "no value for Karatau",
        "zh_only": "no value for Karatau, Shu",
        "flat": "the same value for every unit (cannot rank)",
    }
    v, kept, dropped, imputed = prepare_values(values, specs, "mean")
    assert [s.id for s in kept] == ["full", "gap"]
    assert v.loc["Karatau", "gap"] == 6.0 and bool(imputed.loc["Karatau", "gap"])
    assert int(imputed.to_numpy().sum()) == 1
    assert "zh_only" in dropped  # one observation cannot be imputed from
    v, kept, dropped, imputed = prepare_values(values, specs, "drop_unit")
    assert list(v.index) == ["Zhanatas"]  # only Zhanatas has every value
    assert kept == []  # one town cannot be ranked on anything
    v, kept, dropped, imputed = prepare_values(values[["full", "gap"]], specs[:2], "drop_unit")
    assert list(v.index) == ["Zhanatas", "Shu"] and [s.id for s in kept] == ["full", "gap"]
    with pytest.raises(IndicatorError, match="policy"):
        prepare_values(values, specs, "guess")


def _mc_case():
    values = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 2.9], "b": [3.0, 1.0, 2.0, 2.1], "c": [0.0, 0.0, 1.0, 0.0]},
        index=["w", "x", "y", "z"],
    )
    specs = [
        IndicatorSpec("a", "economy", "main", 1),
        IndicatorSpec("b", "social", "inhibiting", -1),
        IndicatorSpec("c", "economy", "additional", 1),
    ]
    return values, specs


def test_monte_carlo_is_deterministic_and_brackets_the_reference():
    values, specs = _mc_case()
    kw = {
        "runs": 300,
        "seed": 11,
        "normalisations": list(NORMALISATIONS),
        "aggregations": list(AGGREGATIONS),
    }
    m1 = monte_carlo_ranks(values, specs, IndexConfig(), **kw)
    m2 = monte_carlo_ranks(values, specs, IndexConfig(), **kw)
    pd.testing.assert_frame_equal(m1.ranks, m2.ranks)
    pd.testing.assert_frame_equal(m1.sensitivity, m2.sensitivity)
    assert m1.average_shift == m2.average_shift
    r1 = m1.ranks
    ref = composite_index(values, specs, IndexConfig()).rank
    assert (r1["rank"] == ref).all()
    assert ((r1.rank_min <= r1["rank"]) & (r1["rank"] <= r1.rank_max)).all()
    assert ((r1.rank_lo <= r1.rank_median) & (r1.rank_median <= r1.rank_hi)).all()
    assert r1.p_rank1.sum() == pytest.approx(1.0)  # no ties in these data
    # y and z are close: their ranks must be uncertain
    assert r1.loc["z", "rank_max"] > r1.loc["z", "rank_min"]
    r3 = monte_carlo_ranks(values, specs, IndexConfig(), **{**kw, "seed": 12}).ranks
    assert not r3.equals(r1)
    assert set(m1.sensitivity.index) == {
        "normalisation",
        "aggregation",
        "weight:a",
        "weight:b",
        "weight:c",
        "group_weight:economy",
        "group_weight:social",
    }


def test_monte_carlo_without_perturbation_reproduces_the_reference():
    values, specs = _mc_case()
    m = monte_carlo_ranks(values, specs, IndexConfig(), runs=20, weight_spread=0.0)
    assert m.average_shift == 0.0
    assert (m.ranks.rank_lo == m.ranks["rank"]).all() and (m.ranks.rank_hi == m.ranks["rank"]).all()
    assert m.sensitivity.isna().all().all()  # nothing varies


def test_monte_carlo_samples_uncertain_values():
    values, specs = _mc_case()
    fixed = monte_carlo_ranks(values, specs, IndexConfig(), runs=200, weight_spread=0.0).ranks
    # x's value of a is only known to lie in 0–10: its rank becomes uncertain
    unsure = monte_carlo_ranks(
        values, specs, IndexConfig(), runs=400, weight_spread=0.0, bounds={("x", "a"): (0.0, 10.0)}
    )
    assert fixed.loc["x", "rank_min"] == fixed.loc["x", "rank_max"]
    assert unsure.ranks.loc["x", "rank_min"] < unsure.ranks.loc["x", "rank_max"]
    # the only uncertain input explains (almost) all the variance of x's rank
    assert unsure.sensitivity.loc["value:x/a", "x"] > 0.9


def test_sensitivity_to_the_normalisation_alone():
    # min–max ranks A = C > B, z-scores A > C > B, distance to the mean C > B > A
    values = pd.DataFrame({"a": [1.0, 2.0, 10.0], "b": [9.0, 8.0, 1.0]}, index=["A", "B", "C"])
    specs = [IndicatorSpec("a", "economy", "main", 1), IndicatorSpec("b", "economy", "main", 1)]
    ranks = {
        m: composite_index(values, specs, IndexConfig(m)).rank.to_dict() for m in NORMALISATIONS
    }
    assert ranks["zscore"] == {"A": 1, "C": 2, "B": 3}
    assert ranks["distance"] == {"C": 1, "B": 2, "A": 3}
    m = monte_carlo_ranks(
        values,
        specs,
        IndexConfig(),
        runs=300,
        weight_spread=0.0,
        normalisations=list(NORMALISATIONS),
    )
    # the rank is a function of the normalisation alone: S = 1 exactly
    assert m.sensitivity.loc["normalisation"].to_numpy() == pytest.approx(1.0)
    assert m.sensitivity.loc["weight:a"].to_numpy().max() < 0.1  # weights were not varied
    assert m.ranks.rank_min.to_dict() == {"A": 1, "B": 2, "C": 1}
    assert m.ranks.rank_max.to_dict() == {"A": 3, "B": 3, "C": 2}


def test_first_order_sensitivity_by_hand():
    x = np.array(["a", "a", "b", "b"])
    y = np.array([1.0, 3.0, 5.0, 7.0])
    # conditional means 2 and 6 around 4: V[E] = 4; V(Y) = 5
    assert first_order_sensitivity(x, y)[0] == pytest.approx(0.8)
    rng = np.random.default_rng(0)
    noise = first_order_sensitivity(rng.uniform(size=5000), rng.uniform(size=5000))[0]
    assert noise < 0.01
