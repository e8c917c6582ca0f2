"""Confidence intervals for shares and means, and for their differences (95 % by default).

- a share k/n: Wilson's score interval (good at small n and near 0 or 1);
- a difference of two shares: Newcombe's hybrid score interval (method 10), from the two
  Wilson intervals;
- a mean: Student's t interval; a difference of two means: Welch's interval.

Runs of two scenarios with the same root seed share their seeds; the intervals here treat
the two samples as independent, which is conservative when the paired runs agree.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

Z95 = 1.959963984540054


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float, float]:
    """(share, low, high) for k successes of n; nan if n == 0."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k <= 0 else max(0.0, centre - half)  # exact ends, not rounding noise
    hi = 1.0 if k >= n else min(1.0, centre + half)
    return p, lo, hi


def newcombe(k1: float, n1: float, k2: float, n2: float, z: float = Z95) -> tuple[float, float, float]:
    """(p2 - p1, low, high): the difference of the second share over the first."""
    p1, l1, u1 = wilson(k1, n1, z)
    p2, l2, u2 = wilson(k2, n2, z)
    if math.isnan(p1) or math.isnan(p2):
        return math.nan, math.nan, math.nan
    d = p2 - p1
    lo = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, max(-1.0, lo), min(1.0, hi)


def mean_ci(x, conf: float = 0.95) -> tuple[float, float, float]:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan
    half = float(st.t.ppf(0.5 + conf / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def welch(x1, x2, conf: float = 0.95) -> tuple[float, float, float]:
    """(mean2 - mean1, low, high)."""
    a = np.asarray(x1, float)
    b = np.asarray(x2, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return (float(b.mean() - a.mean()) if len(a) and len(b) else math.nan), math.nan, math.nan
    d = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d, d
    df = (va + vb) ** 2 / ((va ** 2 / (len(a) - 1) if va else 0) + (vb ** 2 / (len(b) - 1) if vb else 0))
    half = float(st.t.ppf(0.5 + conf / 2, df)) * se
    return d, d - half, d + half
