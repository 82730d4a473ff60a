"""Small statistics of timings: percentiles and summaries in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """Return the ``share`` percentile (0 to 100) of ``values``, interpolated."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(seconds: Sequence[float], points: Sequence[int]) -> dict[str, float]:
    """Return ``{"p50_ms": ..., ...}`` for each percentile in ``points``."""
    return {f"p{p}_ms": round(percentile(seconds, p) * 1000, 4) for p in points}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return ``numerator / denominator``, or ``None`` where either is missing."""
    if not numerator or not denominator:
        return None
    if math.isnan(numerator) or math.isnan(denominator):
        return None
    return numerator / denominator
