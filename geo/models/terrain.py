"""Terrain derivatives of a DEM: slope (Horn's method) and hillshade.

Pure functions on arrays: the DEM in metres on a projected grid with square
cells. Edge cells use the nearest interior value (as ``gdaldem -compute_edges``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["hillshade", "horn_gradient", "slope_degrees", "slope_percent"]


def horn_gradient(dem: np.ndarray, cell_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (dz/dx, dz/dy) by Horn's (1981) 3 × 3 weighted differences.

    ``dz/dx`` grows eastwards and ``dz/dy`` northwards (rows run south).
    NaN cells propagate to their neighbours.

    Examples
    --------
    >>> z = np.add.outer(np.zeros(5), np.arange(5.0) * 10)  # rises 10 m per 10 m cell eastwards
    >>> gx, gy = horn_gradient(z, 10.0)
    >>> float(gx[2, 2]), float(gy[2, 2])
    (1.0, 0.0)
    """
    z = np.pad(np.asarray(dem, dtype="float64"), 1, mode="edge")
    # neighbours: a b c / d e f / g h i
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * cell_size)
    dzdy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8 * cell_size)
    return dzdx, dzdy


def slope_degrees(dem: np.ndarray, cell_size: float) -> np.ndarray:
    """Slope in degrees (Horn), float32.

    Examples
    --------
    >>> z = np.add.outer(np.zeros(4), np.arange(4.0) * 10)
    >>> round(float(slope_degrees(z, 10.0)[1, 1]), 3)
    45.0
    """
    gx, gy = horn_gradient(dem, cell_size)
    return np.degrees(np.arctan(np.hypot(gx, gy))).astype("float32")


def slope_percent(dem: np.ndarray, cell_size: float) -> np.ndarray:
    """Slope in percent rise (Horn), float32."""
    gx, gy = horn_gradient(dem, cell_size)
    return (100 * np.hypot(gx, gy)).astype("float32")


def hillshade(
    dem: np.ndarray,
    cell_size: float,
    *,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> np.ndarray:
    """Hillshade 0–255 (uint8) as ``gdaldem hillshade`` computes it; 0 where the DEM is NaN."""
    gx, gy = horn_gradient(np.asarray(dem, dtype="float64") * z_factor, cell_size)
    slope = np.arctan(np.hypot(gx, gy))
    # aspect measured like gdaldem: direction the slope faces, clockwise from north
    aspect = np.arctan2(-gy, -gx)
    zen = np.radians(90.0 - altitude)
    az = np.radians(360.0 - azimuth + 90.0)
    shade = np.cos(zen) * np.cos(slope) + np.sin(zen) * np.sin(slope) * np.cos(az - aspect)
    out = np.clip(255.0 * shade, 0, 255)
    out = np.where(np.isfinite(out), out, 0)
    return out.astype("uint8")
