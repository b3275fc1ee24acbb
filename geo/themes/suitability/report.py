"""Manifest parameters and the town report of the land-suitability theme.

Everything recorded in ``manifest.json`` (grid, criteria and memberships,
weights, aggregation, constraints, class breaks, Monte Carlo settings, class
areas) and the modelled suitable share of the report town beside the study's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.recipe import Recipe


def _town_report(recipe: Recipe, table: pd.DataFrame | None, notes: list[Text]) -> dict[str, Any]:
    """The modelled suitable share of the report town (and its northern suburbs) beside the study's."""
    town = recipe.get("report.town", None)
    if town is None or table is None:
        return {}
    row = table[table["zone_id"] == town]
    if row.empty:
        return {}
    modelled = float(row["suitable_pct"].iloc[0])
    study = recipe.get("report.study_suitable_pct", None)
    sub_row = table[table["zone_id"] == f"{town}_north_suburbs"]
    report = {
        "northern_suburbs_suitable_pct": (
            round(float(sub_row["suitable_pct"].iloc[0]), 1) if not sub_row.empty else None
        ),
        "northern_suburbs_s1_s2_pct": (
            round(float(sub_row["S1_pct"].iloc[0] + sub_row["S2_pct"].iloc[0]), 1)
            if not sub_row.empty
            else None
        ),
        "town": town,
        "modelled_suitable_pct": round(modelled, 1),
        "grid_coverage": round(float(row["grid_coverage"].iloc[0]), 4),
        "study_suitable_pct": study,
        "study_source": recipe.get("report.study_source", ""),
        "note": "the modelled share is reported beside the study's, never calibrated to it",
    }
    if study is not None:
        from geo.catalog import Catalog
        from geo.synthetic.table import study_towns

        facts = study_towns(Catalog()).get(town)  # TEMPORARY: resolved when merging settings
        kk, ru = (facts.name_kk, facts.name_ru) if facts else (town, town)
        notes.append(
            text(
                f"{town}: {modelled:.1f} % of the (synthetic) town area is modelled S1–S3; the study states {study} %.",
                f"{kk}: қаланың (синтетикалық) ауданының {modelled:.1f} % S1–S3 деп модельденді; зерттеуде {study} %.",
                f"{ru}: {modelled:.1f} % (синтетической) площади города смоделировано как S1–S3; в исследовании {study} %.",
            )
        )
    return report


def _parameters(
    recipe: Recipe,
    grid: AnalysisGrid,
    s: dict[str, Any],
    used: list[str],
    skipped: list[str],
    w_used: np.ndarray,
    order_w: list[float] | None,
    owa_info: dict[str, Any],
    filled: dict[str, int],
    cparams: dict[str, Any],
    ev: Any,
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json`` (zones and town share are added by the caller)."""
    crit, mc = s["crit"], s["mc"]
    params: dict[str, Any] = {
        "name": recipe.name,
        "output_prefix": s["prefix"],
        "grid": {
            "crs": f"EPSG:{grid.crs.to_epsg()}",
            "cell_size_m": grid.cell_size,
            "shape": list(grid.shape),
            "bounds": [round(b, 1) for b in grid.bounds],
        },
        "criteria": {
            c: {
                "source": crit[c]["source"],
                "layer": crit[c]["layer"],
                "field": crit[c]["field"],
                "membership": crit[c]["membership"].describe(),
                "weight": round(float(w_used[used.index(c)]), 6) if c in used else None,
                "outside": crit[c]["outside"],
                "cells_filled_with_outside": filled.get(c, 0),
                "skipped": c in skipped,
            }
            for c in s["ids"]
        },
        "weights": s["wparams"],
        "weights_used": {c: round(float(v), 6) for c, v in zip(used, w_used, strict=True)},
        "aggregation": {"method": s["agg"], "order_weights": order_w, **owa_info},
        "constraints": cparams,
        "classes": {
            "breaks": list(s["breaks"]),
            "labels": list(mcda.CLASS_LABELS),
            "codes": mcda.CLASS_CODES,
            "source": "FAO (1976); breaks are a design choice (methods §2.4)",
        },
        "monte_carlo": {
            **(mc.describe() if mc else {"draws": 0}),
            "stable_threshold": s["stable_thr"],
        },
        "class_area_ha": {
            lab: round(float((ev.classes == code).sum()) * grid.cell_area_ha, 1)
            for lab, code in mcda.CLASS_CODES.items()
        },
    }
    return params
