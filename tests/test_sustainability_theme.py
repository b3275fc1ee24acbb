"""The sustainability theme end to end: published figures, layers, popups, bad input, real districts."""

from __future__ import annotations

import json
import math
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.build import BuildContext, run_recipe
from geo.catalog import Catalog
from geo.errors import IndicatorError, RecipeError
from geo.models.indicators import wilson_interval
from geo.recipe import load_recipe
from geo.symbology import Graduated
from geo.themes.sustainability import classify, survey_chart_svg

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "maps" / "sustainability.toml"
STUDY = REPO.parent / "shared" / "study" / "STUDY.md"
TABLES = REPO / "layers" / "tables"
REAL_DISTRICTS = REPO.parent / "shared" / "data" / "fetched" / "admin_zhambyl_districts.geojson"
OTHER_7 = {"Bayzak", "Zhambyl", "Zhualy", "Korday", "Turar Ryskulov", "Merke", "Shu"}


def _recipe(tmp_path: Path, *replacements: tuple[str, str], runs: int = 200):
    """The shipped recipe with text replacements (and fewer Monte Carlo runs for speed)."""
    text = RECIPE.read_text(encoding="utf-8").replace("runs = 2000", f"runs = {runs}")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "sustainability.toml"
    p.write_text(text, encoding="utf-8")
    return load_recipe(p)


def _build(recipe, overrides=None, lang="en"):

    return run_recipe(BuildContext(Catalog(overrides=overrides or {}), lang=lang), recipe)


@pytest.fixture(scope="module")
def result():
    return _build(load_recipe(RECIPE))


def _layer(res, name):
    return next(v for v in res.vectors if v.name == name)


# -- the published figures load unchanged ---------------------------------------------------
def _study() -> str:
    if not STUDY.is_file():
        pytest.skip(f"{STUDY} is absent (the study folder lives beside the repo)")
    return STUDY.read_text(encoding="utf-8")


def _row_numbers(cell: str) -> list[float]:
    """Last number of each ';'- or ','-separated part (the percentage)."""
    sep = ";" if ";" in cell else ","
    out = []
    for part in cell.split(sep):
        part = re.sub(r"\([^)]*\)", "", part)  # drop "(340,636 tenge, Q1 2023)"
        nums = re.findall(r"\d+(?:\.\d+)?", part)
        if nums:
            out.append(float(nums[-1]))
    return out


STUDY_QUESTIONS = {
    "town": "town",
    "age": "age",
    "years lived in the town": "years_in_town",
    "monthly income": "income",
    "where town development should start": "development_start",
    "how to improve the economy": "economy",
    "how to improve the ecology": "ecology",
    "future": "future",
}


def test_survey_table_matches_study():
    study = _study()
    section = study.split("## Survey of 2023", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"n = 499", study.split("## Survey of 2023", 1)[1].splitlines()[0])
    survey = pd.read_csv(TABLES / "survey_2023.csv")
    assert set(survey.n) == {499}
    seen = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] not in STUDY_QUESTIONS:
            continue
        qid = STUDY_QUESTIONS[cells[0]]
        published = _row_numbers(cells[1])
        table = survey[survey.question_id == qid].percent.tolist()
        assert table == published, qid
        seen.add(qid)
    assert seen == set(STUDY_QUESTIONS.values())


def test_mining_shares_match_study():
    study = _study()
    line = next(r for r in study.splitlines() if r.startswith("| mining output by district"))
    published = _row_numbers(line.split("|")[2])
    assert published == [63.8, 12.1, 9.5, 14.6]
    assert "the other 7 districts 14.6 %" in line
    mining = pd.read_csv(TABLES / "mining_share_by_district.csv")
    assert mining.share_pct.tolist() == published
    assert mining.district.tolist()[:3] == ["Sarysu", "Talas", "Moiynkum"]


def test_town_indicator_table_is_cited_and_recomputable():
    ti = pd.read_csv(TABLES / "town_indicators.csv", dtype={"paper": str})
    assert ti.source.notna().all() and ti.derivation.notna().all()
    derived = ti[ti.derivation.str.startswith("derived")]
    assert len(derived) == 6
    towns = gpd.read_file(REPO / "layers" / "data" / "towns.geojson").set_index("name")
    gn = {"Zhanatas": "Zhangatas", "Karatau": "Karatau", "Shu": "Shu"}
    geod = Geod(ellps="WGS84")
    taraz = towns.loc["Taraz"].geometry
    for r in ti.itertuples():
        p = towns.loc[gn[r.town]]
        if r.indicator_id == "population_geonames":
            assert r.value == p.population  # GeoNames value unchanged
        elif r.indicator_id == "distance_to_taraz_km":
            d = geod.inv(taraz.x, taraz.y, p.geometry.x, p.geometry.y)[2] / 1000
            assert r.value == round(d, 1)
        else:
            assert r.indicator_id == "transport_hub" and r.paper == "000"
            assert r.value == (1 if r.town == "Shu" else 0)


# -- the build ----------------------------------------------------------------------------------
def test_layers_and_parameters(result):
    names = [v.name for v in result.vectors]
    assert names == [
        "indicators_by_town",
        "indicators_by_district",
        "mining_share_other_districts",
        "sustainability_index",
    ]
    for v in result.vectors:
        assert v.data.crs is not None and len(v.data)
        assert v.source and v.licence
        assert all(lang in v.title for lang in ("en", "kk", "ru"))
    json.dumps(result.parameters, allow_nan=False)
    p = result.parameters
    assert p["survey"]["town_n_derived"] == {
        "shu": 217,
        "karatau": 118,
        "zhanatas": 112,
        "not_stated": 52,
    }
    assert p["survey"]["moe_normal_pp_at_50"] == 4.39
    assert p["monte_carlo"]["runs"] == 2000 and p["monte_carlo"]["seed"] == 20231
    assert p["mining"]["town_districts"] == {"Zhanatas": "Sarysu", "Karatau": "Talas", "Shu": "Shu"}
    for n in result.notes:
        assert all(n[lang].strip() for lang in ("en", "kk", "ru"))
    assert any("±4.4 pp" in n["en"] for n in result.notes)
    assert any("23.7 %" in n["en"] and "118" in n["en"] for n in result.notes)
    sens = p["monte_carlo"]["sensitivity_first_order"]
    assert "value:Shu/district_mining_share_pct" in sens  # the group share is sampled for Shu
    assert {"normalisation", "aggregation", "weight:transport_hub"} <= set(sens)
    robust = next(n for n in result.notes if n["en"].startswith("Rank intervals"))
    for town, r in p["monte_carlo"]["ranks"].items():
        lo, hi = int(r["rank_lo"]), int(r["rank_hi"])
        assert (f"{town} {lo}–{hi}" if lo != hi else f"{town} {lo}") in robust["en"]


def test_town_layer_carries_wilson_intervals_and_flags(result):
    towns = _layer(result, "indicators_by_town").data.set_index("town")
    for town, share in (("Shu", 43.5), ("Karatau", 23.7), ("Zhanatas", 22.4)):
        lo, hi = wilson_interval(share / 100, 499)
        assert towns.loc[town, "survey_share_pct"] == share
        assert towns.loc[town, "survey_share_lo"] == round(float(lo) * 100, 2)
        assert towns.loc[town, "survey_share_hi"] == round(float(hi) * 100, 2)
    assert towns.loc["Shu", "survey_n_derived"] == 217
    assert towns.loc["Zhanatas", "moe_pp_at_50"] == round(1.959964 * math.sqrt(0.25 / 112) * 100, 2)
    # Karatau and Zhanatas (23.7 vs 22.4 %) are not significantly different; Shu differs from both
    assert towns.loc["Karatau", "not_significant_vs"] == "Zhanatas"
    assert towns.loc["Zhanatas", "not_significant_vs"] == "Karatau"
    assert towns.loc["Shu", "not_significant_vs"] == ""
    # published Zhanatas-only facts are shown, missing elsewhere (never invented)
    assert towns.loc["Zhanatas", "network_wear"] == 95.0
    assert towns[["network_wear", "preschool_coverage"]].loc[["Karatau", "Shu"]].isna().all().all()
    assert bool(towns.synthetic.all())  # synthetic outlines say so


def test_popup_charts_are_well_formed_svg(result):
    from geo.writers.html import sanitize_svg

    layer = _layer(result, "indicators_by_town")
    assert layer.popup_html == "chart_html"
    for svg in layer.data.chart_html:
        assert sanitize_svg(svg) == svg  # the HTML writer shows it as a chart
    svg = layer.data.chart_html.iloc[0]
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0].startswith("Respondents from the town: 22.4 % (19.0–26.3 %), n ≈ 112")
    for label in ("How to improve the economy", "More jobs", "66 %", "Future", "Plans to move"):
        assert label in texts
    bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(bars) == 4 + 4 + 3  # economy, development_start, future
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] / widths[1] == pytest.approx(66 / 36, rel=1e-2)


def test_svg_escapes_text_and_ignores_raw_answer_text(tmp_path):
    from geo.writers.html import sanitize_svg

    svg = survey_chart_svg([('T"<x>', [("<b>&", 50.0, 45.0, 55.0)])], note="n")
    ET.fromstring(svg)  # well-formed
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert sanitize_svg(svg) == svg
    # a survey table whose texts carry markup: the charts use the toolkit's labels only
    survey = pd.read_csv(TABLES / "survey_2023.csv")
    survey["answer_en"] = "<script>alert(1)</script>"
    survey.loc[survey.answer_id == "housing", "answer_id"] = "<img src=x onerror=alert(1)>"
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    res = _build(_recipe(tmp_path), {"survey_2023": path})
    html = _layer(res, "indicators_by_town").data.chart_html.iloc[0]
    assert "<script" not in html and "<img" not in html and "alert" not in html
    assert "answer 3" in html  # unknown answer id gets a neutral toolkit label


def test_district_layer_represents_the_group_honestly(result):
    d = _layer(result, "indicators_by_district").data.set_index("district")
    assert d.loc["Sarysu", "share_pct"] == 63.8
    assert d.loc["Talas", "share_pct"] == 12.1
    assert d.loc["Moiynkum", "share_pct"] == 9.5
    group = d[d.reporting == "group"]
    assert set(group.index) == OTHER_7
    assert group.share_pct.isna().all()  # no district gets 14.6 (or 14.6/7) as its own value
    assert (group.unit_share_pct == 14.6).all() and (group.unit_size == 7).all()
    assert d.loc["Taraz", "reporting"] == "not_covered"
    outline = _layer(result, "mining_share_other_districts").data
    assert len(outline) == 1 and outline.unit_share_pct.iloc[0] == 14.6
    style = _layer(result, "indicators_by_district").style
    assert isinstance(style, Graduated) and style.field == "share_pct"
    assert [style.class_of(v) for v in (9.5, 12.1, 63.8)] == [0, 1, 2]
    assert style.class_of(float("nan")) is None


def test_index_layer_ranks_and_intervals(result):
    idx = _layer(result, "sustainability_index").data.set_index("town")
    assert sorted(idx["rank"]) == [1, 2, 3]
    assert ((idx.rank_lo <= idx["rank"]) & (idx["rank"] <= idx.rank_hi)).all()
    assert ((idx.rank_lo >= 1) & (idx.rank_hi <= 3)).all()
    used = idx.indicators_used.iloc[0].split(", ")
    assert used == [
        "district_mining_share_pct",
        "distance_to_taraz_km",
        "transport_hub",
        "population_geonames",
    ]
    assert (
        idx.loc["Shu", "imputed"] == "district_mining_share_pct"
    )  # Shu district is in the 14.6 % group
    assert idx.score_ecology.isna().all()  # no ecology indicator is published for all three towns
    ind = {i["id"]: i for i in result.parameters["index"]["indicators"]}
    assert ind["district_mining_share_pct"]["values"]["Shu"] == pytest.approx(14.6 / 7)
    assert ind["network_wear"]["dropped_because"] == "no value for Karatau, Shu"
    # the index recomputes from the recorded values and weights (min–max, linear)
    v = pd.DataFrame({k: ind[k]["values"] for k in used})
    mm = (v - v.min()) / (v.max() - v.min())
    mm["distance_to_taraz_km"] = 1 - mm["distance_to_taraz_km"]
    w = result.parameters["index"]["effective_weights"]
    econ = sum(mm[k] * w["indicators"][k] for k in used[:3])
    expected = 0.5 * econ + 0.5 * mm["population_geonames"]
    for town in idx.index:
        assert idx.loc[town, "index"] == pytest.approx(expected[town], abs=1e-6)


def test_build_is_deterministic(tmp_path):
    r1 = _build(_recipe(tmp_path))
    r2 = _build(_recipe(tmp_path))
    assert json.dumps(r1.parameters, sort_keys=True) == json.dumps(r2.parameters, sort_keys=True)


@pytest.mark.parametrize("scheme", ["natural_breaks", "quantiles", "equal_interval"])
def test_classification_schemes_match_mapclassify(scheme):
    import mapclassify

    y = np.array([63.8, 12.1, 9.5, 30.0, 31.0, 2.0])
    breaks, labels, yb = classify(y, scheme, 3)
    g = Graduated("v", breaks, ("#000",) * (len(breaks) - 1), labels=labels)
    occupied = sorted(set(yb.tolist()))
    assert [g.class_of(v) for v in y] == [occupied.index(c) for c in yb]
    classes = {
        "natural_breaks": mapclassify.FisherJenks,
        "quantiles": mapclassify.Quantiles,
        "equal_interval": mapclassify.EqualInterval,
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*", category=UserWarning)
        cls = classes[scheme](y, k=3)
    assert list(yb) == list(cls.yb)


def test_recipe_variants_build(tmp_path):
    res = _build(
        _recipe(
            tmp_path,
            ('aggregation = "linear" ', 'aggregation = "geometric" '),
            ('scheme = "natural_breaks"', 'scheme = "quantiles"'),
            ('geometry = "town_boundaries"', 'geometry = "towns"'),
        ),
        lang="kk",
    )
    towns = _layer(res, "indicators_by_town").data
    assert set(towns.geom_type) == {"Point"}
    assert not towns.synthetic.any()  # GeoNames points are real
    assert res.parameters["index"]["aggregation"] == "geometric"
    assert res.parameters["classification"]["mapclassify"] == "Quantiles"
    assert "Жаңатас" in set(towns.name_kk)


# -- bad input ------------------------------------------------------------------------------------
def _bad_table(tmp_path, name, edit):
    df = pd.read_csv(TABLES / name, dtype=str)
    edit(df)
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def _one_line(exc) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_bad_district_name_suggests_closest(tmp_path):
    p = _bad_table(
        tmp_path,
        "mining_share_by_district.csv",
        lambda d: d.__setitem__("district", d.district.replace("Sarysu", "Sarysuu")),
    )
    with pytest.raises(IndicatorError) as exc:
        _build(_recipe(tmp_path), {"mining_share": p})
    msg = _one_line(exc)
    assert (
        "'mining_share' row 1 (line 2) field 'district'" in msg and "did you mean 'Sarysu'" in msg
    )


def test_share_outside_range(tmp_path):
    def edit(d):
        d.loc[1, "share_pct"] = "112"
        d.loc[0, "share_pct"] = "-35.1"

    p = _bad_table(tmp_path, "mining_share_by_district.csv", edit)
    with pytest.raises(IndicatorError) as exc:
        _build(_recipe(tmp_path), {"mining_share": p})
    msg = _one_line(exc)
    assert "share_pct" in msg and "0–100" in msg


def test_survey_group_not_summing_to_100(tmp_path):
    p = _bad_table(
        tmp_path,
        "survey_2023.csv",
        lambda d: d.__setitem__("percent", d.percent.where(d.answer_id != "karatau", "18.7")),
    )
    with pytest.raises(IndicatorError) as exc:
        _build(_recipe(tmp_path), {"survey_2023": p})
    msg = _one_line(exc)
    assert "'survey_2023' row 1 (line 2) field 'percent'" in msg and "'town'" in msg and "95" in msg


def test_unknown_town_in_facts(tmp_path):
    p = _bad_table(
        tmp_path,
        "town_facts.csv",
        lambda d: d.__setitem__(
            "town", d.town.where(d.indicator_id != "network_wear", "Zhanatass")
        ),
    )
    with pytest.raises(IndicatorError) as exc:
        _build(_recipe(tmp_path), {"town_facts": p})
    msg = _one_line(exc)
    assert "town_facts.csv" in msg and "'town'" in msg and "did you mean 'Zhanatas'" in msg


def test_unknown_town_in_town_indicators(tmp_path):
    # a layers folder identical to the shipped one but for a misspelt town in town_indicators.csv
    layers = tmp_path / "layers"
    (layers / "tables").mkdir(parents=True)
    for item in (REPO / "layers").iterdir():
        if item.name != "tables":
            (layers / item.name).symlink_to(item)
    for item in TABLES.iterdir():
        if item.name != "town_indicators.csv":
            (layers / "tables" / item.name).symlink_to(item)
    df = pd.read_csv(TABLES / "town_indicators.csv", dtype=str)
    df.loc[4, "town"] = "Karatu"
    df.to_csv(layers / "tables" / "town_indicators.csv", index=False)

    with pytest.raises(IndicatorError) as exc:
        run_recipe(BuildContext(Catalog(layers_dir=layers)), _recipe(tmp_path))
    msg = _one_line(exc)
    # the catalog checks the reference when the table is read: file, CSV line, field, value, suggestion
    assert "town_indicators.csv: row 5 (line 6), field 'town': 'Karatu'" in msg
    assert "did you mean 'Karatau'" in msg


def test_indicator_without_direction_in_recipe(tmp_path):
    rec = _recipe(tmp_path, ('role = "additional"\ndirection = "+"', 'role = "additional"'))
    with pytest.raises(IndicatorError) as exc:
        _build(rec)
    msg = _one_line(exc)
    line = rec.text.splitlines().index("[[index.indicators]]", 0)
    headers = [i + 1 for i, ln in enumerate(rec.text.splitlines()) if ln == "[[index.indicators]]"]
    assert line + 1 == headers[0]
    assert f"sustainability.toml:{headers[2]}:" in msg
    assert "row 3 (transport_hub) field 'direction': missing" in msg


def test_recipe_errors_name_the_line(tmp_path):
    with pytest.raises(
        RecipeError, match=r"sustainability\.toml:\d+: index\.normalisation: 'rank'"
    ):
        _build(_recipe(tmp_path, ('normalisation = "minmax"', 'normalisation = "rank"')))
    with pytest.raises(RecipeError, match=r"area\.towns: .*Karatay.*Karatau"):
        _build(_recipe(tmp_path, ('"Karatau", "Shu"]', '"Karatay", "Shu"]')))
    with pytest.raises(
        RecipeError, match=r"has no rows with indicator_id 'network_waer'.*'network_wear'"
    ):
        _build(_recipe(tmp_path, ('id = "network_wear"', 'id = "network_waer"')))
    with pytest.raises(RecipeError, match=r"group_members.*lists 6"):
        _build(_recipe(tmp_path, ('"Merke", "Shu"]', '"Merke"]')))


# -- real districts -------------------------------------------------------------------------------
def _real_districts() -> Path:
    if not REAL_DISTRICTS.is_file():
        pytest.skip(f"{REAL_DISTRICTS} is absent: real test layers live beside the repo only")
    return REAL_DISTRICTS


def test_build_with_real_districts(tmp_path):
    real = _real_districts()
    res = _build(_recipe(tmp_path), {"districts": real})
    d = _layer(res, "indicators_by_district").data.set_index("district")
    assert len(d) == 11
    assert d.loc["Sarysu", "share_pct"] == 63.8 and d.loc["Talas", "share_pct"] == 12.1
    assert set(d.index[d.reporting == "group"]) == OTHER_7
    assert not d.synthetic.any()
    assert res.parameters["mining"]["town_districts"] == {
        "Zhanatas": "Sarysu",
        "Karatau": "Talas",
        "Shu": "Shu",
    }
    assert res.parameters["mining"]["not_in_breakdown"] == [
        {"district": "Taraz", "closest_published": "Talas"}
    ]
    assert any("Taraz" in n["en"] for n in res.notes)


def test_real_districts_named_with_suffix(tmp_path):
    gdf = gpd.read_file(_real_districts())
    gdf["ADM2_EN"] = [f"{n} District" if n != "Taraz" else "Taraz City" for n in gdf["ADM2_EN"]]
    gdf.loc[gdf["ADM2_EN"] == "Moiynkum District", "ADM2_EN"] = "Moyynkum district"
    path = tmp_path / "districts.geojson"
    gdf.to_file(path, driver="GeoJSON")
    res = _build(_recipe(tmp_path), {"districts": path})
    d = _layer(res, "indicators_by_district").data.set_index("district")
    assert d.loc["Sarysu District", "share_pct"] == 63.8
    assert d.loc["Moyynkum district", "share_pct"] == 9.5
    assert (d.reporting == "group").sum() == 7
    assert res.parameters["mining"]["town_districts"]["Karatau"] == "Talas District"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from geo.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err.strip()


def test_cli_share_outside_0_100_exits_2_naming_the_table(tmp_path, capsys):
    bad = tmp_path / "mining.csv"
    df = Catalog().read("mining_share")
    df.loc[0, "share_pct"] = 163.8
    df.to_csv(bad, index=False)
    out = tmp_path / "out"
    code, err = _cli(
        ["map", str(RECIPE), "--out", str(out), "--layer", f"mining_share={bad}", "-q"], capsys
    )
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(bad) in err and "'share_pct'" in err and "163.8 is outside 0–100" in err
    assert not out.exists()


def test_cli_indicator_without_direction_names_the_recipe_row(tmp_path, capsys):
    text = RECIPE.read_text(encoding="utf-8")
    start = text.index("direction =")
    p = tmp_path / "sustainability.toml"
    p.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    code, err = _cli(["map", str(p), "--out", str(tmp_path / "out"), "-q"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert f"{p}:" in err and "row 1" in err and "field 'direction': missing" in err


def test_description_nan_label_and_units(result):
    from geo.i18n import check_text, tr

    check_text(result.description, "sustainability description")
    style = _layer(result, "indicators_by_district").style
    assert isinstance(style, Graduated)
    # Taraz is in no published unit, so the label names the group without claiming Taraz for it
    assert tr(style.nan_label, "en") == "no own share published (7 districts together: 14.6 %)"
    assert tr(style.nan_label, "ru") == "своя доля не опубликована (7 районов вместе: 14,6 %)"
    from geo.themes.sustainability.mining import _district_nan_label

    only_group = pd.Series(["individual", "group", "group"])
    assert tr(_district_nan_label(only_group, 14.6, 7), "en") == "published only together: 14.6 %"
    by_town = _layer(result, "indicators_by_town")
    units = {f.name: f.unit for f in by_town.fields}
    assert units["moe_pp_at_50"] == {"en": "pp", "kk": "п.т.", "ru": "п.п."}
    persons = [u for u in units.values() if isinstance(u, dict) and u["en"] == "persons"]
    assert persons and persons[0]["kk"] == "адам"


# -- settings: frozen, typed, typos refused -------------------------------------------------------
def test_read_settings_is_frozen_and_typed():
    import dataclasses

    from geo.themes.sustainability import SustainabilitySettings, read_settings

    s = read_settings(load_recipe(RECIPE), Catalog())
    assert isinstance(s, SustainabilitySettings)
    assert s.towns.area.towns == ("Zhanatas", "Karatau", "Shu")
    assert s.survey.alpha == 0.05 and s.survey.complete == ("town", "age")
    assert s.mining.group_size == 7 and len(s.mining.group_members) == 7
    assert s.index.aggregation == "linear" and s.index.role_weights["additional"] == 0.5
    assert [e.spec.id for e in s.indicators][:2] == [
        "district_mining_share_pct",
        "distance_to_taraz_km",
    ]
    assert s.monte_carlo.runs == 2000 and s.monte_carlo.interval == (5, 95)
    assert s.classification.ramp_index == "RdYlGn"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.survey.alpha = 0.1  # type: ignore[misc]


def _line_of(rec, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(rec.text.splitlines()) if ln.startswith(needle))


def test_top_level_typo_refused_by_the_build(tmp_path):
    rec = _recipe(tmp_path, ('name = "sustainability"', 'nmae = "sustainability"'))
    with pytest.raises(RecipeError) as exc:
        _build(rec)
    msg = _one_line(exc)
    assert f"sustainability.toml:{_line_of(rec, 'nmae')}: nmae: unknown key" in msg
    assert "monte_carlo" in msg  # the keys the theme's SPEC accepts


def test_misspelt_table_refused_by_the_build(tmp_path):
    rec = _recipe(tmp_path, ("[monte_carlo]", "[monte_carl]"))
    with pytest.raises(RecipeError) as exc:
        _build(rec)
    msg = _one_line(exc)
    # the file and the key; Recipe.line_of does not yet find a [table] header at top level
    assert "sustainability.toml" in msg and "monte_carl: unknown key" in msg


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("alpha = 0.05", "alpah = 0.05", "survey.alpah"),
        ("ramp_towns =", "ramp_town =", "classification.ramp_town"),
        ("geometric_floor = 0.1", "geometric_flor = 0.1", "index.geometric_flor"),
    ],
)
def test_typo_inside_a_table_refused(tmp_path, old, new, key):
    rec = _recipe(tmp_path, (old, new))
    with pytest.raises(RecipeError) as exc:
        _build(rec)
    msg = _one_line(exc)
    assert f"sustainability.toml:{_line_of(rec, new)}: {key}: unknown key" in msg


def test_typo_in_weights_refused(tmp_path):
    rec = _recipe(tmp_path, ("social = 1.0,", "socail = 1.0,"))
    with pytest.raises(RecipeError, match=r"sustainability\.toml:\d+: index\.group_weights"):
        _build(rec)


# -- two sustainability recipes in one atlas ------------------------------------------------------
def test_two_sustainability_recipes_in_one_atlas(tmp_path):
    import pyogrio
    from recipes import edited_recipe

    from geo.build import build_atlas

    copy = edited_recipe(
        RECIPE,
        tmp_path / "sustainability_geometric.toml",
        [
            ('name = "sustainability"', 'name = "sustainability_geometric"'),
            ('aggregation = "linear" ', 'aggregation = "geometric" '),
            ("runs = 2000", "runs = 200"),
        ],
    )
    out = tmp_path / "atlas"
    report = build_atlas(out, recipes=[RECIPE, copy])
    assert {"sustainability.html", "sustainability_geometric.html"} <= set(report.files)
    assert {"sheets/sustainability.png", "sheets/sustainability_geometric.png"} <= set(report.files)
    layers = {str(name) for name, _ in pyogrio.list_layers(out / "atlas.gpkg")}
    for local in (
        "indicators_by_town",
        "indicators_by_district",
        "mining_share_other_districts",
        "sustainability_index",
    ):
        assert local in layers
        assert f"sustainability_geometric_{local}" in layers
    linear = gpd.read_file(out / "atlas.gpkg", layer="sustainability_index")
    geometric = gpd.read_file(
        out / "atlas.gpkg", layer="sustainability_geometric_sustainability_index"
    )
    assert list(linear.town) == list(geometric.town)
    assert not np.allclose(linear["index"], geometric["index"])
