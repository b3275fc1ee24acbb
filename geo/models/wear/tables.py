"""Checks of the editable, cited wear tables (``layers/tables/*.csv``).

Pure functions on DataFrames; nothing here opens a file.

:func:`check_life_table` (normative life by network and material),
:func:`check_grade_table` (inspection grade → wear) and
:func:`check_cost_table` (unit replacement cost by network and diameter)
return the table normalised or raise a one-line
:class:`~geo.errors.DataError` naming the table, the row and the fix.

Examples
--------
>>> import pandas as pd
>>> from geo.models.wear.tables import check_life_table
>>> t = check_life_table(pd.DataFrame({"network": [" Water "], "material": ["Steel"],
...     "life_years": [25], "citation": ["test"], "status": ["○"]}))
>>> t[["network", "material", "life_years"]].values.tolist()
[['water', 'steel', 25.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.errors import DataError

NETWORKS: tuple[str, ...] = ("water", "sewage", "heating", "power")
"""Networks of the ``utility_networks`` layer."""


# -- tables ------------------------------------------------------------------------------
def _show(value: object) -> str:
    """``repr`` of a cell value as a user wrote it (no ``np.int64(...)`` wrappers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _require_columns(df: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = (
            f"{where}: missing column(s) {', '.join(missing)}; the table needs {', '.join(columns)}"
        )
        raise DataError(msg)


def _numeric(df: pd.DataFrame, column: str, where: str, *, positive: bool = False) -> pd.Series:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | (values <= 0 if positive else values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        need = "a positive number" if positive else "a number ≥ 0"
        msg = f"{where}: row {row + 2}: {column} = {_show(df[column].iloc[row])} is not {need}; correct it"
        raise DataError(msg)
    return values.astype(float)


def check_life_table(df: pd.DataFrame, where: str = "normative_life") -> pd.DataFrame:
    """Check the normative-life table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``network``, ``material``, ``life_years``, ``citation``,
        ``status`` (✔ read in source, ◐ corroborated, ○ unverified).
    where : str
        Name used in messages (the file path).

    Returns
    -------
    DataFrame
        With ``network`` and ``material`` stripped and lower-cased,
        ``life_years`` as float.

    Raises
    ------
    DataError
        Missing column, non-positive life, unknown network or status, a
        (network, material) pair given twice.
    """
    _require_columns(df, ("network", "material", "life_years", "citation", "status"), where)
    out = df.copy()
    out["network"] = out["network"].astype(str).str.strip().str.lower()
    out["material"] = out["material"].astype(str).str.strip().str.lower()
    out["life_years"] = _numeric(out, "life_years", where, positive=True)
    bad_net = ~out["network"].isin(NETWORKS)
    if bad_net.any():
        row = int(np.flatnonzero(bad_net.to_numpy())[0])
        msg = f"{where}: row {row + 2}: network {_show(out['network'].iloc[row])} is not one of {', '.join(NETWORKS)}"
        raise DataError(msg)
    bad_status = ~out["status"].astype(str).str.strip().isin(("✔", "◐", "○"))
    if bad_status.any():
        row = int(np.flatnonzero(bad_status.to_numpy())[0])
        msg = f"{where}: row {row + 2}: status {_show(out['status'].iloc[row])} must be ✔, ◐ or ○"
        raise DataError(msg)
    dup = out.duplicated(["network", "material"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        msg = (
            f"{where}: row {row + 2}: {out['network'].iloc[row]}/{out['material'].iloc[row]} "
            "appears twice; keep one life per network and material"
        )
        raise DataError(msg)
    return out


def check_grade_table(df: pd.DataFrame, where: str = "inspection_grades") -> pd.DataFrame:
    """Check the inspection grade → wear table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``grade`` (integer), ``wear_pct`` (0–100), ``citation``, ``status``.
    where : str
        Name used in messages.

    Raises
    ------
    DataError
        Missing column, non-integer or repeated grade, wear outside 0–100.
    """
    _require_columns(df, ("grade", "wear_pct", "citation", "status"), where)
    out = df.copy()
    grades = pd.to_numeric(out["grade"], errors="coerce")
    bad = grades.isna() | (grades != grades.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        msg = f"{where}: row {row + 2}: grade {_show(out['grade'].iloc[row])} is not an integer"
        raise DataError(msg)
    out["grade"] = grades.astype(int)
    out["wear_pct"] = _numeric(out, "wear_pct", where)
    over = out["wear_pct"] > 100
    if over.any():
        row = int(np.flatnonzero(over.to_numpy())[0])
        msg = f"{where}: row {row + 2}: wear_pct {out['wear_pct'].iloc[row]:g} is above 100; wear is a percentage"
        raise DataError(msg)
    if out["grade"].duplicated().any():
        g = int(out["grade"][out["grade"].duplicated()].iloc[0])
        msg = f"{where}: grade {g} appears twice; keep one wear per grade"
        raise DataError(msg)
    return out


def check_cost_table(df: pd.DataFrame, where: str = "unit_costs") -> pd.DataFrame:
    """Check the unit replacement-cost table and return it normalised.

    Parameters
    ----------
    df : DataFrame
        Columns ``network``, ``diameter_min_mm``, ``diameter_max_mm`` (the
        row covers ``min ≤ d < max``), ``cost_per_m``, ``currency``,
        ``citation``, ``status``.
    where : str
        Name used in messages.

    Raises
    ------
    DataError
        Missing column, negative cost, unknown network, ``max ≤ min``, or
        more than one currency.
    """
    cols = (
        "network",
        "diameter_min_mm",
        "diameter_max_mm",
        "cost_per_m",
        "currency",
        "citation",
        "status",
    )
    _require_columns(df, cols, where)
    out = df.copy()
    out["network"] = out["network"].astype(str).str.strip().str.lower()
    for c in ("diameter_min_mm", "diameter_max_mm", "cost_per_m"):
        out[c] = _numeric(out, c, where)
    bad_net = ~out["network"].isin(NETWORKS)
    if bad_net.any():
        row = int(np.flatnonzero(bad_net.to_numpy())[0])
        msg = f"{where}: row {row + 2}: network {_show(out['network'].iloc[row])} is not one of {', '.join(NETWORKS)}"
        raise DataError(msg)
    bad_range = out["diameter_max_mm"] <= out["diameter_min_mm"]
    if bad_range.any():
        row = int(np.flatnonzero(bad_range.to_numpy())[0])
        msg = f"{where}: row {row + 2}: diameter_max_mm must be greater than diameter_min_mm"
        raise DataError(msg)
    currencies = sorted(set(out["currency"].astype(str)))
    if len(currencies) != 1:
        msg = f"{where}: one currency per table, found {', '.join(currencies)}"
        raise DataError(msg)
    return out
