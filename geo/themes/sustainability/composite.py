"""Composite index assembly and the ``sustainability_index`` layer.

Collects each indicator's values per town (mining share, the per-town indicator
table, town facts), computes the composite index and its Monte Carlo rank
intervals with :mod:`geo.models.indicators`, and builds the index layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import IndicatorError, LayerNotFoundError
from geo.i18n import PROVENANCE, tr
from geo.models.indicators import (
    GROUPS,
    CompositeResult,
    IndicatorSpec,
    MonteCarloResult,
    closest_name,
    composite_index,
    match_names,
    monte_carlo_ranks,
    prepare_values,
)
from geo.results import VectorLayer
from geo.symbology import FieldSpec, Graduated, ramp
from geo.themes.base import ThemeInputs
from geo.themes.common import require_columns
from geo.themes.sustainability.charts import Choropleth, classify
from geo.themes.sustainability.labels import GROUP_LABELS, PAPERS, T
from geo.themes.sustainability.mining import Geometries, mining_column
from geo.themes.sustainability.settings import IndicatorEntry, SustainabilitySettings

__all__ = ["IndexValues", "index_layer", "index_values"]


@dataclass(frozen=True)
class IndexValues:
    """The indicator values per town, the composite index and its Monte Carlo ranks.

    Parameters
    ----------
    values : DataFrame
        Indicator values per town as read (NaN where unpublished; imputed mining shares filled).
    clean : DataFrame
        The values the index used (after ``index.missing``).
    kept : list of IndicatorSpec
        Indicators in the index.
    dropped : dict
        Indicator id → why it was left out.
    imputed_cells : list of dict
        Every imputed value with its method.
    result : CompositeResult
        The index, ranks, group scores and effective weights.
    mc : MonteCarloResult
        Rank intervals, average rank shift and first-order sensitivity.
    town_ind_where : str
        Where the per-town indicator table was read from.
    """

    values: pd.DataFrame
    clean: pd.DataFrame
    kept: list[IndicatorSpec]
    dropped: dict[str, str]
    imputed_cells: list[dict[str, Any]]
    result: CompositeResult
    mc: MonteCarloResult
    town_ind_where: str


def _read_town_indicators(ctx: ThemeInputs) -> tuple[pd.DataFrame, str]:
    """The per-town indicator table: from the catalog if registered, else the shipped CSV."""
    try:
        ctx.catalog.spec("town_indicators")
    except LayerNotFoundError:
        registered = False
    else:
        registered = True
    if registered:
        return ctx.layer("town_indicators"), "catalog:town_indicators"
    from geo.io import read_table

    path = ctx.catalog.layers_dir / "tables" / "town_indicators.csv"
    df = read_table(path, what="table 'town_indicators'")
    require_columns(
        df,
        ("town", "indicator_id", "value", "unit", "derivation", "source"),
        str(path),
        hint="add it to table 'town_indicators'",
        error=IndicatorError,
    )
    return df, str(path)


def _long_values(
    df: pd.DataFrame, table: str, towns: list[str], indicator_id: str
) -> dict[str, float]:
    """Values of one indicator from a long table (town, indicator_id, value)."""
    sub_mask = (df["indicator_id"].astype(str) == indicator_id).to_numpy()
    rows = [int(i) for i in np.flatnonzero(sub_mask)]
    names = [str(df["town"].iloc[i]) for i in rows]
    found = match_names(names, towns, table=table, field="town", layer="towns", rows=rows)
    out: dict[str, float] = {}
    for i, name in zip(rows, names, strict=True):
        town = found[name]
        if town in out:
            msg = f"table {table!r} row {i + 1} (line {i + 2}) field 'town': {name!r} has indicator {indicator_id!r} twice; keep one row"
            raise IndicatorError(msg)
        v = pd.to_numeric(pd.Series([df["value"].iloc[i]]), errors="coerce").iloc[0]
        if pd.isna(v):
            msg = f"table {table!r} row {i + 1} (line {i + 2}) field 'value': {df['value'].iloc[i]!r} is not a number"
            raise IndicatorError(msg)
        out[town] = float(v)
    return out


def _table_column(
    settings: SustainabilitySettings,
    e: IndicatorEntry,
    df: pd.DataFrame,
    tname: str,
    towns: pd.Index,
) -> pd.Series:
    """Values of indicator *e* per town from the long table *df* (town, indicator_id, value)."""
    found_values = _long_values(df, tname, list(towns), e.table_id)
    if not found_values:
        known = sorted({str(v) for v in df["indicator_id"]})
        close = closest_name(e.table_id, known)
        raise settings.at.error(
            "index.indicators",
            f"indicator {e.spec.id!r}: table {tname!r} has no rows with indicator_id "
            f"{e.table_id!r}; did you mean {close!r}?",
        )
    col = pd.Series(np.nan, index=towns, dtype=float)
    for t, v in found_values.items():
        col[t] = v
    return col


def _raw_values(
    ctx: ThemeInputs,
    settings: SustainabilitySettings,
    geo: Geometries,
    bounds: dict[tuple[str, str], tuple[float, float]],
    imputed_cells: list[dict[str, Any]],
) -> tuple[pd.DataFrame, str]:
    """Each indicator's values per town from its source; imputed mining shares are recorded."""
    town_ind, town_ind_where = _read_town_indicators(ctx)
    facts = ctx.layer("town_facts")
    values = pd.DataFrame(index=pd.Index(list(settings.towns.names), name="town"), dtype=float)
    for e in settings.indicators:
        if e.source == "mining_share":
            values[e.spec.id] = mining_column(
                e.spec.id, values.index, geo.town_district, geo.by_district, geo.group,
                equal_split=settings.mining.group_imputation == "equal_split", bounds=bounds,
                imputed_cells=imputed_cells,
            )  # fmt: skip
        elif e.source == "town_indicators":
            values[e.spec.id] = _table_column(
                settings, e, town_ind, "town_indicators", values.index
            )
        else:
            values[e.spec.id] = _table_column(settings, e, facts, "town_facts", values.index)
    return values, town_ind_where


def index_values(
    ctx: ThemeInputs, settings: SustainabilitySettings, geo: Geometries
) -> IndexValues:
    """Indicator values per town (imputed where the recipe says), the composite index and its Monte Carlo ranks."""
    config = settings.index
    entries = settings.indicators
    mcs = settings.monte_carlo
    interval = mcs.interval
    bounds: dict[tuple[str, str], tuple[float, float]] = {}
    imputed_cells: list[dict[str, Any]] = []
    values, town_ind_where = _raw_values(ctx, settings, geo, bounds, imputed_cells)
    specs = [e.spec for e in entries]
    clean, kept, dropped, imputed = prepare_values(values, specs, settings.missing)
    for ind in imputed.columns:
        for t in imputed.index[imputed[ind]]:
            obs = values[ind].dropna()
            bounds[(str(t), ind)] = (float(obs.min()), float(obs.max()))
            imputed_cells.append(
                {
                    "town": str(t),
                    "indicator": ind,
                    "value": float(clean.loc[t, ind]),
                    "method": "mean of the other towns; Monte Carlo draws U(min, max) of them",
                }
            )
    if len(clean) < 2 or not kept:
        msg = (
            f"sustainability index: only {len(clean)} town(s) and {len(kept)} indicator(s) have complete values "
            f'(dropped: {", ".join(f"{k} ({v})" for k, v in dropped.items())}); add values or use index.missing = "mean"'
        )
        raise IndicatorError(msg)
    mc_bounds = {
        key: b for key, b in bounds.items() if key[1] in clean.columns and key[0] in clean.index
    }
    result = composite_index(clean, kept, config)
    mc_result = monte_carlo_ranks(
        clean,
        kept,
        config,
        runs=mcs.runs,
        seed=mcs.seed,
        normalisations=list(mcs.normalisations),
        aggregations=list(mcs.aggregations),
        weight_spread=mcs.weight_spread,
        bounds=mc_bounds,
        interval=(float(interval[0]), float(interval[1])),
    )
    return IndexValues(
        values, clean, kept, dropped, imputed_cells, result, mc_result, town_ind_where
    )


def index_layer(
    settings: SustainabilitySettings,
    towns: gpd.GeoDataFrame,
    iv: IndexValues,
    town_layer: VectorLayer,
    town_prov: dict[str, Any],
) -> Choropleth:
    """The ``sustainability_index`` layer: index, rank, Monte Carlo rank interval, group scores."""
    clean = iv.clean
    result = iv.result
    cls = settings.classification
    idx = towns[towns["town"].isin(list(clean.index))].copy()
    idx["index"] = [round(float(result.index[t]), 6) for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi", "rank_median", "p_rank1", "mean_abs_shift"):
        idx[c] = [iv.mc.ranks.loc[t, c] for t in idx["town"]]
    for c in ("rank", "rank_lo", "rank_hi"):
        idx[c] = idx[c].astype(int)
    for g in GROUPS:
        idx[f"score_{g}"] = [
            float(result.groups[g][t]) if g in result.groups else np.nan for t in idx["town"]
        ]
    idx["indicators_used"] = ", ".join(s.id for s in iv.kept)
    imputed = [
        [
            c["indicator"]
            for c in iv.imputed_cells
            if c["town"] == t and c["indicator"] in clean.columns
        ]
        for t in idx["town"]
    ]
    idx["imputed"] = [", ".join(ids) for ids in imputed]
    titles = {e.spec.id: e.title for e in settings.indicators}
    for lang in ("kk", "ru"):  # the indicators by their titles in the language
        idx[f"imputed_{lang}"] = [
            ", ".join(tr(titles[i], lang) if i in titles else i for i in ids) for ids in imputed
        ]
    idx["synthetic"] = bool(town_prov["synthetic"])
    idx["data_note"] = town_layer.data["data_note"].iloc[0]
    i_breaks, i_labels, _ = classify(idx["index"].to_numpy(dtype=float), cls.scheme, cls.k)
    vec_idx = VectorLayer(
        name="sustainability_index",
        title=T["index_title"],
        data=idx,
        style=Graduated(
            "index",
            i_breaks,
            ramp(cls.ramp_index, len(i_breaks) - 1),
            labels=i_labels,
        ),
        fields=(
            FieldSpec("town", T["town"]),
            FieldSpec("index", T["index"], "", 3),
            FieldSpec("rank", T["rank"], "", 0),
            FieldSpec("rank_lo", T["rank_lo"], "", 0),
            FieldSpec("rank_hi", T["rank_hi"], "", 0),
            FieldSpec("p_rank1", T["p_rank1"], "", 2),
            *(
                FieldSpec(f"score_{g}", GROUP_LABELS[g], "", 3)
                for g in GROUPS
                if g in result.groups
            ),
            FieldSpec("imputed", T["imputed"]),
        ),
        description=T["index_desc"],
        source=PAPERS["index"],
        licence=PROVENANCE["computed_cc0"],
        synthetic=bool(town_prov["synthetic"]),
        label_field="town",
    )
    return Choropleth(vec_idx, tuple(i_breaks))
