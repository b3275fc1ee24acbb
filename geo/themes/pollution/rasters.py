"""Raster layers of the pollution theme.

The maximum one-time concentration of each pollutant (mg/m³, ramped by its
MPC), the Σ C/MPC index over wind cases and its wind-rose-weighted variant,
and the C/MPC arrays the exposure step reads.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from geo.grid import AnalysisGrid
from geo.i18n import Text, text
from geo.raster import mapped, nanmax
from geo.results import RasterLayer
from geo.symbology import RasterRamp, ramp
from geo.themes.common import unit
from geo.themes.pollution.labels import INDEX_UNIT, _pollutant_text
from geo.themes.pollution.settings import Pollutant, PollutionSettings

_SRC_NOTE = text(
    "SYNTHETIC sources (layer `enterprises`); OND-86 regulatory dispersion",
    "СИНТЕТИКАЛЫҚ көздер (`enterprises` қабаты); ОНД-86 бойынша нормативтік таралу есебі",
    "СИНТЕТИЧЕСКИЕ источники (слой `enterprises`); нормативный расчёт рассеивания по ОНД-86",
)


def _concentration_raster(
    grid: AnalysisGrid, values: np.ndarray, p: Pollutant, s: PollutionSettings
) -> RasterLayer:
    """The maximum one-time concentration of pollutant *p* (mg/m³), ramped by its MPC."""
    method, A, eta = s.method, s.A, s.eta
    c = _float32(values)
    mpcv = p.mpc
    return RasterLayer(
        name=f"concentration_{p.id}",
        title=_pollutant_text(
            p,
            "{}: maximum one-time concentration, mg/m³",
            "{}: ең жоғары бір реттік шоғырлану, мг/м³",
            "{}: максимальная разовая концентрация, мг/м³",
            capitalize=True,
        ),
        raster=grid.raster(
            c,
            tags={
                "units": "mg/m3",
                "pollutant": p.id,
                "method": method,
                "mpc_max_mg_m3": mpcv,
            },
        ),
        style=RasterRamp(
            values=(0.0, 0.1 * mpcv, 0.5 * mpcv, mpcv, 2 * mpcv, 5 * mpcv),
            colors=ramp("YlOrRd", 6),
            unit=unit("mg/m³"),
        ),
        description=text(
            f"Maximum over wind directions and speeds of the sum of all sources ({_METHOD_NAMES[method]['en']}, A = {A:g}, η = {eta:g}); MPC max one-time {mpcv:g} mg/m³ ({p.status}).",
            f"Барлық көздердің қосындысының жел бағыттары мен жылдамдықтары бойынша ең үлкені ({_METHOD_NAMES[method]['kk']}, A = {_comma(A)}, η = {_comma(eta)}); бір реттік ШРК {_comma(mpcv)} мг/м³.",
            f"Максимум по направлениям и скоростям ветра суммы всех источников ({_METHOD_NAMES[method]['ru']}, A = {_comma(A)}, η = {_comma(eta)}); ПДК м.р. {_comma(mpcv)} мг/м³.",
        ),
        source=_SRC_NOTE,
        synthetic=True,
        show=False,
        metadata={
            "mpc_max_mg_m3": mpcv,
            "mpc_citation": p.citation,
            "max_mg_m3": nanmax(c),
        },
    )


_METHOD_NAMES = {
    "ond86": text("OND-86 method", "ОНД-86 әдісі", "методика ОНД-86"),
    "mrr2017": text("MRR-2017 method", "МРР-2017 әдісі", "методика МРР-2017"),
}
"""The dispersion methods' names in the rasters' descriptions (``[method] name``)."""


def _float32(values: np.ndarray) -> np.ndarray:
    """*values* as float32: a copy in memory, or computed window by window from a stored array."""
    return mapped(values, _as_float32, "float32")


def _as_float32(values: np.ndarray) -> np.ndarray:
    return values.astype("float32")


def _ratio(values: np.ndarray, mpc: float) -> np.ndarray:
    """C/MPC: in memory, or window by window from a stored array."""
    return mapped(values, functools.partial(_divided, by=mpc), "float64")


def _divided(values: np.ndarray, *, by: float) -> np.ndarray:
    return values / by


def _comma(x: float) -> str:
    """*x* as ``{:g}`` with the decimal comma of Kazakh and Russian."""
    return f"{x:g}".replace(".", ",")


def _rasters(
    grid: AnalysisGrid, field: Any, s: PollutionSettings
) -> tuple[list[RasterLayer], dict[str, np.ndarray]]:
    """Concentration rasters per pollutant and the two index rasters; C/MPC per pollutant."""
    method = s.method
    rasters: list[RasterLayer] = []
    ratios: dict[str, np.ndarray] = {}
    for j, p in enumerate(s.pollutants):
        ratios[p.id] = _ratio(field.max[j], p.mpc)
        rasters.append(_concentration_raster(grid, field.max[j], p, s))
    names = {p.id: p.names for p in s.pollutants}
    listed = {
        lang: ", ".join(names[i].get(lang, i) if i in names else i for i in s.index_ids)
        for lang in ("en", "kk", "ru")
    }
    rasters.append(
        _index_raster(
            grid,
            "pollution_index",
            field.index_max,
            method,
            title=text(
                "Pollution index: Σ C/MPC (maximum one-time)",
                "Ластану индексі: Σ C/ШРК (ең жоғары бір реттік)",
                "Индекс загрязнения: Σ C/ПДК (максимальный разовый)",
            ),
            description=text(
                f"Maximum over wind cases of the sum of C/MPC over {listed['en']}; a screening index (OND-86 sums only within summation groups).",
                f"Жел жағдайлары бойынша C/ШРК қосындысының ең үлкені ({listed['kk']}); скринингтік индекс (ОНД-86 тек суммациялық топтар ішінде қосады).",
                f"Максимум по ветровым ситуациям суммы C/ПДК ({listed['ru']}); скрининговый индекс (ОНД-86 суммирует только внутри групп суммации).",
            ),
            metadata={"max": nanmax(field.index_max)},
        )
    )
    rasters.append(
        _index_raster(
            grid,
            "pollution_index_rose",
            field.index_rose,
            method,
            title=text(
                "Pollution index weighted by the wind rose",
                "Жел раушаны бойынша өлшенген ластану индексі",
                "Индекс загрязнения, взвешенный по розе ветров",
            ),
            description=text(
                "Σ over directions of frequency × the direction's maximum index: how often a cell lies under the plumes at adverse speeds; not an annual mean.",
                "Бағыттар бойынша жиілік × бағыттың ең жоғары индексі қосындысы: ұяшықтың түтін астында қаншалықты жиі болатыны; жылдық орташа емес.",
                "Сумма по направлениям: повторяемость × максимальный индекс направления; показывает, как часто ячейка под факелами; не среднегодовое значение.",
            ),
            show=False,
        )
    )
    return rasters, ratios


# Most cells lie far below 1 MPC: stops start at 0.1 so the plumes read on the map.
_INDEX_RAMP = RasterRamp(
    values=(0.0, 0.1, 0.5, 1.0, 2.0, 5.0), colors=ramp("YlOrRd", 6), unit=INDEX_UNIT
)


def _index_raster(
    grid: AnalysisGrid,
    name: str,
    values: np.ndarray,
    method: str,
    *,
    title: Text,
    description: Text,
    show: bool = True,
    metadata: dict[str, Any] | None = None,
) -> RasterLayer:
    """A Σ C/MPC raster layer (the index ramp, float32, tagged with its unit and method)."""
    return RasterLayer(
        name=name,
        title=title,
        raster=grid.raster(_float32(values), tags={"units": "sum of C/MPC", "method": method}),
        style=_INDEX_RAMP,
        description=description,
        source=_SRC_NOTE,
        synthetic=True,
        show=show,
        metadata=metadata or {},
    )
