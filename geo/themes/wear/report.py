"""What the infrastructure-wear theme records: manifest parameters and map notes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.i18n import Text
from geo.models import wear as W
from geo.recipe import shown_path
from geo.themes.common import json_records
from geo.themes.wear.inputs import WearInputs
from geo.themes.wear.labels import COSTS_NOTE, LIVES_NOTE, SYNTHETIC_NOTE, unknown_note
from geo.themes.wear.segments import SegmentWear
from geo.themes.wear.settings import CitedTable, WearSettings
from geo.themes.wear.zones import ZoneWear

__all__ = ["FORMULAS", "SOURCES", "notes", "parameters"]

FORMULAS = {
    "linear": "W = min(100, 100·t/T)",
    "ross": "W = min(100, 50·(t/T + (t/T)²))",
}
"""The age-wear curves as recorded (methods-and-anchors §2.7)."""

SOURCES = {
    "age_formulas": "methods-and-anchors §2.7 (linear; Ross), ○ design formulas",
    "normative_lives": "VSN 58-88(r) Appendix 3 and others, per row of the table",
    "study_wear": "paper 001: wear of water, sewage, heating and power networks in Zhanatas has reached 95 %",
}
"""Where the formulas, lives and the study's wear figure come from."""


def _table_record(table: CitedTable | None, **extra: Any) -> dict[str, Any] | None:
    """A cited table as recorded: its path (shipped tables as ``layers/tables/x.csv``) and rows."""
    if table is None:
        return None
    return {"path": shown_path(table.path), **extra, "rows": json_records(table.data)}


def _by_town(town_roll: pd.DataFrame, facts: Any) -> dict[str, Any]:
    """Network-wide length, wear and unknown km per town, beside the study's figure."""
    return {
        str(r["town"]): {
            "length_km": round(float(r["length_km"]), 3),
            "wear_pct": None if pd.isna(r["wear_pct"]) else round(float(r["wear_pct"]), 2),
            "unknown_km": round(float(r["unknown_km"]), 3),
            "study_wear_pct": facts.get(str(r["town"])),
        }
        for _, r in town_roll.iterrows()
    }


def parameters(
    settings: WearSettings, inputs: WearInputs, segments: SegmentWear, zones: ZoneWear
) -> dict[str, Any]:
    """Everything recorded in ``manifest.json``."""
    classes, tables, seg = settings.classes, settings.tables, segments.table
    per_net = W.rollup(
        zones.town_pieces,
        ["town", "network"],
        classes=classes,
        replace_at_pct=settings.replace_at_pct,
    )
    return {
        "method": settings.method,
        "formula": FORMULAS[settings.method],
        "reference_year": settings.reference_year,
        "replace_at_pct": settings.replace_at_pct,
        "wear_classes": {"breaks": list(classes.breaks), "labels": list(classes.labels)},
        "priority": {
            "weights": settings.weights.as_dict(),
            "score": "w_wear·W/100 + w_pop·P/max(P), weights normalised to sum to 1; rank 1 = first",
            "population": "micro_districts.population (destroyed micro-districts hold none)",
        },
        "wear_source_values": list(W.WEAR_SOURCES),
        "tables": {
            "normative_life": _table_record(tables.normative_life),
            "inspection_grades": _table_record(tables.inspection_grades),
            "unit_costs": _table_record(tables.unit_costs, currency=tables.currency),
        },
        "segments": len(seg),
        "segments_inspected": int((seg["wear_source"] == "inspection").sum()),
        "segments_unknown": int((seg["wear_source"] == W.UNKNOWN).sum()),
        "length_outside_towns_km": round(zones.outside_km, 3),
        "wear_by_town": _by_town(zones.town_roll, inputs.study_wear),
        "wear_by_town_and_network": json_records(
            per_net[["town", "network", "length_km", "wear_pct", "unknown_km", "replace_km"]]
        ),
        "data_warnings": list(segments.warnings),
        "sources": dict(SOURCES),
    }


def notes(settings: WearSettings, inputs: WearInputs, n_unknown: int) -> list[Text]:
    """Limitations shown on the map."""
    out: list[Text] = []
    if inputs.synthetic:
        out.append(SYNTHETIC_NOTE)
    out.append(LIVES_NOTE)
    if settings.tables.unit_costs is not None:
        out.append(COSTS_NOTE)
    if n_unknown:
        out.append(unknown_note(n_unknown))
    return out
