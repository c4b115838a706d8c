"""Geodesic lengths of lon/lat lines on the WGS84 ellipsoid, in numpy (no pyproj at run time).

Segments are measured with Vincenty's (1975) inverse formula, iterated on all segments at
once; it converges to well under a millimetre for the short, non-antipodal segments of a
border line. The haversine distance on the mean sphere is kept as a cross-check.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84_A_M = 6_378_137.0
"""Semi-major axis of the WGS84 ellipsoid (m)."""
WGS84_F = 1.0 / 298.257223563
"""Flattening of the WGS84 ellipsoid."""
MEAN_EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius R1 = (2a + b) / 3 (m), for the haversine distance."""


def _endpoints(lon_lat: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    points = np.asarray(lon_lat, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 2:
        raise ValueError(f"expected an (n, 2) array of lon/lat points, found shape {points.shape}")
    lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    return lon[:-1], lat[:-1], lon[1:], lat[1:]


def haversine_segments_m(lon_lat: ArrayLike) -> NDArray[np.float64]:
    """Great-circle length (m) of each segment of a line on the mean sphere."""
    lon1, lat1, lon2, lat2 = _endpoints(lon_lat)
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2.0 * MEAN_EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def vincenty_segments_m(
    lon_lat: ArrayLike, tolerance: float = 1e-12, max_iterations: int = 200
) -> NDArray[np.float64]:
    """Geodesic length (m) of each segment of a line on the WGS84 ellipsoid (Vincenty 1975)."""
    lon1, lat1, lon2, lat2 = _endpoints(lon_lat)
    a, f = WGS84_A_M, WGS84_F
    b = a * (1.0 - f)
    u1 = np.arctan((1.0 - f) * np.tan(lat1))
    u2 = np.arctan((1.0 - f) * np.tan(lat2))
    sin_u1, cos_u1, sin_u2, cos_u2 = np.sin(u1), np.cos(u1), np.sin(u2), np.cos(u2)
    big_l = lon2 - lon1
    lam = big_l.copy()
    for _ in range(max_iterations):
        sin_lam, cos_lam = np.sin(lam), np.cos(lam)
        sin_sigma = np.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = np.arctan2(sin_sigma, cos_sigma)
        safe = np.where(sin_sigma == 0.0, 1.0, sin_sigma)
        sin_alpha = np.where(sin_sigma == 0.0, 0.0, cos_u1 * cos_u2 * sin_lam / safe)
        cos2_alpha = 1.0 - sin_alpha**2
        cos_2sm = np.where(
            cos2_alpha == 0.0,
            0.0,
            cos_sigma - 2.0 * sin_u1 * sin_u2 / np.where(cos2_alpha == 0.0, 1.0, cos2_alpha),
        )
        c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha))
        previous = lam
        lam = big_l + (1.0 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm**2))
        )
        if np.all(np.abs(lam - previous) < tolerance):
            break
    else:
        raise ArithmeticError("Vincenty's formula did not converge (nearly antipodal points?)")
    u_sq = cos2_alpha * (a**2 - b**2) / b**2
    big_a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)))
    big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4.0
            * (
                cos_sigma * (-1.0 + 2.0 * cos_2sm**2)
                - big_b / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma**2) * (-3.0 + 4.0 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta_sigma)


def line_length_km(lon_lat: ArrayLike) -> float:
    """Geodesic length (km) of a lon/lat line on the WGS84 ellipsoid."""
    return float(np.sum(vincenty_segments_m(lon_lat)) / 1000.0)
