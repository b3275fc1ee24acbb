"""Pollution sources and stacks.

Checks the ``enterprises`` layer (fields, hazard classes, emission columns,
kinds), splits area sources into sub-sources over a disc of their area, builds
the :class:`~geo.models.dispersion.Stacks` with their emission rates and
settling coefficients, and computes each source's own maximum one-time
concentration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.area import StudyArea
from geo.crs import to_crs
from geo.errors import InputError
from geo.models.dispersion import Stacks, max_concentration
from geo.models.spz import check_hazard_classes
from geo.themes.base import ThemeInputs
from geo.themes.common import layer_where
from geo.themes.pollution.labels import AREA_KINDS, STACK_KINDS
from geo.themes.pollution.settings import Pollutant, PollutionSettings


def _check_sources(
    src: gpd.GeoDataFrame, pollutants: Sequence[Pollutant], what: str = "layer 'enterprises'"
) -> None:
    """Refuse sources without the schema's fields, hazard class, emission columns or known kind."""
    for col in ("source_id", "kind", "height_m"):
        if col not in src.columns:
            msg = f"{what}: field {col!r} is missing; see the schema in maps/pollution.toml"
            raise InputError(msg)
    check_hazard_classes(src, what=what)
    for p in pollutants:
        col = f"m_{p.id}_g_s"
        if col not in src.columns:
            msg = f"{what}: field {col!r} (emission rate of {p.id} in g/s) is missing; add it (0 where not emitted) or drop {p.id} from pollutants.ids"
            raise InputError(msg)
    for sid, kind in zip(src["source_id"], src["kind"], strict=True):
        if kind not in STACK_KINDS + AREA_KINDS:
            msg = f"{what}: source {sid}: kind {kind!r} is not one of {', '.join(STACK_KINDS + AREA_KINDS)}"
            raise InputError(msg)


def split_area_sources(
    src: gpd.GeoDataFrame, n_points: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the sub-sources of each feature (sunflower pattern over a disc of ``area_m2``).

    Stacks (and area sources without an area) keep one position. Returns
    ``(owner, x, y)``: for every sub-source the row of *src* it belongs to and
    its coordinates (in *src*'s projected CRS).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"source_type": ["area"], "area_m2": [math.pi * 100**2]},
    ...                      geometry=[Point(0, 0)], crs=32642)
    >>> owner, x, y = split_area_sources(g, 7)
    >>> len(owner), bool(np.hypot(x, y).max() <= 100)
    (7, True)
    """
    owner: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    golden = math.pi * (3.0 - math.sqrt(5.0))
    for i, (geom, stype, area) in enumerate(
        zip(src.geometry.values, src["source_type"], src["area_m2"], strict=True)
    ):
        c = geom if geom.geom_type == "Point" else geom.centroid
        a = float(area) if area is not None and not pd.isna(area) else 0.0
        if stype != "area" or a <= 0 or n_points <= 1:
            owner.append(i)
            xs.append(c.x)
            ys.append(c.y)
            continue
        radius = math.sqrt(a / math.pi)
        for k in range(n_points):
            r = radius * math.sqrt((k + 0.5) / n_points)
            t = k * golden
            owner.append(i)
            xs.append(c.x + r * math.cos(t))
            ys.append(c.y + r * math.sin(t))
    return np.array(owner, dtype=int), np.array(xs), np.array(ys)


@dataclass(frozen=True)
class Sources:
    """The ``enterprises`` layer checked and completed, in EPSG:4326 and in the grid's CRS."""

    ll: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame


@dataclass(frozen=True)
class Releases:
    """Sub-sources (area sources split into points) with their rates and settling per pollutant."""

    stacks: Stacks
    rates: np.ndarray
    """Emission rates in g/s, one row per sub-source, one column per pollutant."""
    settling: np.ndarray
    """Settling coefficients F, shaped like :attr:`rates`."""


def _stacks(
    src: gpd.GeoDataFrame,
    s: PollutionSettings,
    where: str = "layer 'enterprises'",
) -> Releases:
    """Sub-sources of *src* with their emission rates (g/s) and settling coefficients per pollutant.

    Every source is checked first (errors name *where*, the source id and the field).
    """
    air, air_heat, npts = s.air_temp_c, s.air_temp_heating_c, s.area_source_points
    pollutants = s.pollutants
    owner, x, y = split_area_sources(src, npts)
    counts = np.bincount(owner, minlength=len(src))
    is_area = (src["source_type"].astype(str).to_numpy() == "area") | src["kind"].isin(
        AREA_KINDS
    ).to_numpy()
    heating = (
        src["heating_only"].fillna(False).astype(bool).to_numpy()
        if "heating_only" in src
        else np.zeros(len(src), bool)
    )
    ta = np.where(heating, air_heat, air)
    num = {
        c: pd.to_numeric(src[c], errors="coerce").to_numpy()
        for c in ("height_m", "diameter_m", "velocity_m_s", "gas_temp_c", "area_m2")
        if c in src
    }
    nan = np.full(len(src), np.nan)
    H = num["height_m"]
    D = np.where(
        is_area,
        np.sqrt(4 * np.nan_to_num(num.get("area_m2", nan), nan=1.0).clip(1) / np.pi),
        num.get("diameter_m", nan),
    )
    w0 = np.where(is_area, 0.0, num.get("velocity_m_s", nan))
    tg = np.where(is_area, ta, num.get("gas_temp_c", nan))
    ids = [str(s) for s in src["source_id"]]
    # validate per source (names the source and the field), before splitting
    try:
        max_concentration(H, D, w0, tg, ta, A=200.0, cold=is_area, source_id=ids)
    except InputError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    em = np.zeros((len(src), len(pollutants)))
    fs = np.zeros_like(em)
    for j, p in enumerate(pollutants):
        col = pd.to_numeric(src[f"m_{p.id}_g_s"], errors="coerce").to_numpy()
        bad = ~np.isfinite(col) | (col < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = f"{where}: source {ids[i]}: m_{p.id}_g_s = {col[i]:g} must be a number ≥ 0 (g/s)"
            raise InputError(msg)
        em[:, j] = col
        fcol = f"f_{p.id}"
        fval = pd.to_numeric(src[fcol], errors="coerce").to_numpy() if fcol in src else nan
        fs[:, j] = np.where(np.isfinite(fval), fval, p.F)
        badf = (fs[:, j] < 1) | (fs[:, j] > 3)
        if badf.any():
            i = int(np.flatnonzero(badf)[0])
            msg = f"{where}: source {ids[i]}: {fcol} = {fs[i, j]:g} must be from 1 to 3"
            raise InputError(msg)
    sub_ids = tuple(ids[o] if counts[o] == 1 else f"{ids[o]}#{k}" for k, o in _enumerate_sub(owner))
    stacks = Stacks(
        sub_ids, x, y, H[owner], D[owner], w0[owner], tg[owner], ta[owner], is_area[owner]
    )
    return Releases(stacks, em[owner] / counts[owner][:, None], fs[owner])


def _enumerate_sub(owner: np.ndarray) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    out = []
    for o in owner:
        seen[int(o)] = seen.get(int(o), 0) + 1
        out.append((seen[int(o)], int(o)))
    return out


def sources_in_area(src_ll: gpd.GeoDataFrame, area: StudyArea) -> Sources:
    """The sources of *src_ll* inside the area (with its buffer), completed, in both CRSs.

    Reprojected once, to the area's CRS (the grid's). ``source_type`` follows from
    ``kind`` and ``area_m2`` is 0 where the layer does not give them. Sources
    outside the area are left out: they would get sanitary zones on a map without
    their concentrations.
    """
    projected = to_crs(src_ll, area.crs, what="layer 'enterprises'")
    inside = projected.intersects(area.projected().iloc[0]).to_numpy()
    ll = src_ll[inside].reset_index(drop=True)
    if "source_type" not in ll.columns:  # optional: follows from kind
        ll["source_type"] = np.where(ll["kind"].isin(AREA_KINDS), "area", "stack")
    if "area_m2" not in ll.columns:
        ll["area_m2"] = 0.0
    grid = projected[inside].reset_index(drop=True)
    grid[["source_type", "area_m2"]] = ll[["source_type", "area_m2"]]
    return Sources(ll, grid)


def _sources(ctx: ThemeInputs, area: StudyArea, pollutants: Sequence[Pollutant]) -> Sources:
    """The ``enterprises`` layer checked, and its sources inside the area (:func:`sources_in_area`)."""
    src_ll = ctx.layer("enterprises")
    _check_sources(src_ll, pollutants, layer_where(ctx, "enterprises"))
    src = sources_in_area(src_ll, area)
    if src.ll.empty:
        raise area.request.error(
            "towns",
            f"layer 'enterprises' has no source in {area.label} (with its "
            f"{area.request.buffer_m:g} m buffer); supply them with --layer enterprises=FILE",
        )
    return src


def _source_maxima(
    src_ll: gpd.GeoDataFrame, rel: Releases, s: PollutionSettings
) -> gpd.GeoDataFrame:
    """*src_ll* with each source's own maximum one-time concentration (mg/m³ and / MPC)."""
    stacks, em, fs = rel.stacks, rel.rates, rel.settling
    out = src_ll.copy()
    owner_of = [sid.split("#")[0] for sid in stacks.ids]
    for j, p in enumerate(s.pollutants):
        cm = np.zeros(len(src_ll))
        for i, sid in enumerate(src_ll["source_id"].astype(str)):
            sel = [k for k, o in enumerate(owner_of) if o == sid]
            if em[sel, j].sum() <= 0:
                continue
            k = sel[0]
            r = max_concentration(
                stacks.height[k], stacks.diameter[k], stacks.velocity[k], stacks.gas_temp[k], stacks.air_temp[k],
                rate=float(em[sel, j].sum()), A=s.A, F=float(fs[k, j]), eta=s.eta, method=s.method,
                cold=bool(stacks.cold[k]), coefficients=s.coefficients, source_id=stacks.ids[k],
            )  # fmt: skip
            cm[i] = float(r.cm[0])
        out[f"cm_{p.id}_mg_m3"] = cm
        out[f"cm_{p.id}_mpc"] = cm / p.mpc
    return out
