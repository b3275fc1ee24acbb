"""Manifest parameters and the town report of the land-suitability theme.

Everything recorded in ``manifest.json`` (grid, criteria and memberships,
weights, aggregation, constraints, class breaks, Monte Carlo settings, class
areas) and the modelled suitable share of the report town beside the study's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.crs import crs_label
from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.models import mcda
from geo.themes.suitability.cells import CellResult
from geo.themes.suitability.constraints import Constraints
from geo.themes.suitability.criteria import Criteria, Weighting
from geo.themes.suitability.settings import Report, SuitabilitySettings

__all__: list[str] = []


def _town_report(
    report: Report, table: pd.DataFrame | None, names: Mapping[str, tuple[str, str]]
) -> tuple[dict[str, Any], tuple[Text, ...]]:
    """The modelled suitable share of the report town (and its northern suburbs) beside the study's.

    Returns the manifest record and, when the study gives a figure, a note
    setting the two side by side; *names* gives each town's Kazakh and
    Russian names (from ``town_boundaries``).
    """
    town = report.town
    if town is None or table is None:
        return {}, ()
    row = table[table["zone_id"] == town]
    if row.empty:
        return {}, ()
    modelled = float(row["suitable_pct"].iloc[0])
    study = report.study_suitable_pct
    sub_row = table[table["zone_id"] == f"{town}_north_suburbs"]
    record = {
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
        "study_source": report.study_source,
        "note": "the modelled share is reported beside the study's, never calibrated to it",
    }
    if study is None:
        return record, ()
    kk, ru = names.get(town, (town, town))
    return record, (
        text(
            f"{town}: {modelled:.1f} % of the (synthetic) town area is modelled S1–S3; the study states {study} %.",
            f"{kk}: қаланың (синтетикалық) ауданының {modelled:.1f} % S1–S3 деп модельденді; зерттеуде {study} %.",
            f"{ru}: {modelled:.1f} % (синтетической) площади города смоделировано как S1–S3; в исследовании {study} %.",
        ),
    )


def _parameters(
    settings: SuitabilitySettings,
    prefix: str,
    grid: AnalysisGrid,
    criteria: Criteria,
    weighting: Weighting,
    constraints: Constraints,
    cells: CellResult,
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json`` (zones and town share are added by the caller)."""
    crit, mc, used = settings.criteria, settings.monte_carlo, list(criteria.used)
    w_used = weighting.used
    params: dict[str, Any] = {
        "name": settings.name,
        "output_prefix": prefix,
        "grid": {
            "crs": crs_label(grid.crs),
            "cell_size_m": grid.cell_size,
            "shape": list(grid.shape),
            "bounds": [round(b, 1) for b in grid.bounds],
        },
        "criteria": {
            c: {
                "source": crit[c].source,
                "layer": crit[c].layer,
                "field": crit[c].field,
                "membership": crit[c].membership.describe(),
                "weight": round(float(w_used[used.index(c)]), 6) if c in used else None,
                "outside": crit[c].outside,
                "cells_filled_with_outside": criteria.filled.get(c, 0),
                "skipped": c in criteria.skipped,
            }
            for c in settings.ids
        },
        "weights": dict(settings.weights_record),
        "weights_used": {c: round(float(v), 6) for c, v in zip(used, w_used, strict=True)},
        "aggregation": {
            "method": settings.aggregation,
            "order_weights": weighting.order,
            **weighting.owa,
            "membership_quantum": mcda.QUANTUM,
            "arithmetic": (
                f"each membership rounded to 1/{mcda.QUANTUM}; score summed in float64 in the "
                "criteria's order (the HTML map's What-if panel computes the same way)"
            ),
        },
        "constraints": dict(constraints.params),
        "classes": {
            "breaks": list(settings.breaks),
            "labels": list(mcda.CLASS_LABELS),
            "codes": mcda.CLASS_CODES,
            "source": "FAO (1976); breaks are a design choice (methods §2.4)",
        },
        "monte_carlo": {
            **(mc.describe() if mc else {"draws": 0}),
            "stable_threshold": settings.stable_threshold,
        },
        "class_area_ha": {
            lab: round(float(cells.class_cells[code]) * grid.cell_area_ha, 1)
            for lab, code in mcda.CLASS_CODES.items()
        },
    }
    return params
