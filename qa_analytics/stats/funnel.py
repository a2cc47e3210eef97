"""Funnel plots: a unit's rate or mean against a target, by its sample size.

Two different jobs, kept apart on purpose:

* **drawing** the funnel: :func:`funnel_limits`, Spiegelhalter's (2005)
  curves, with the interpolated exact binomial quantiles of his
  Appendix A.1.1 for rates so that the curve is smooth;
* **classifying** a unit: :func:`funnel_p_values`, the exact tail
  probability of what the unit shows if it were no different from the
  target.  The interpolated limits are right for the curve and wrong for
  this: at θ = 0.9 and n = 20 the upper 95% limit is 0.9897, so 20 of 20
  lies "above" it although P(X ≥ 20 | θ = 0.9) = 0.12.  Rates use the
  binomial, means Student's t below 30 observations (the normal above).
  A degenerate target (0% or 100%) flags nothing: every unit equals it.

Over-dispersion (units differing by more than chance, which makes every
funnel flag too many) is Spiegelhalter's multiplicative φ (2005, section
5.1), with his test: under no over-dispersion k·φ̂ follows χ² with k − 1
degrees of freedom (:func:`overdispersion`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .intervals import z_quantile

__all__ = ["binom_limit", "funnel_limits", "funnel_p_values", "overdispersion", "T_BELOW_N"]

#: means with fewer observations than this are judged on Student's t
T_BELOW_N = 30


def binom_limit(p: float, n: np.ndarray, theta: float) -> np.ndarray:
    """Spiegelhalter (2005) Appendix A.1.1: the interpolated exact binomial
    ``p``-quantile of the observed proportion for denominators ``n``::

        r_p   = smallest r with F(r) >= p,  F = Binomial(n, theta) cdf
        alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))
        limit = (r_p - alpha) / n
    """
    from scipy import stats

    n = np.asarray(n, dtype=float)
    r = stats.binom.ppf(p, n, theta)
    f_r = stats.binom.cdf(r, n, theta)
    f_r1 = stats.binom.cdf(r - 1, n, theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_r1, (f_r - p) / (f_r - f_r1), 0.0)
        out = (r - alpha) / n
    return np.clip(out, 0.0, 1.0)


def funnel_limits(
    kind: str,
    target: float,
    n: Any,
    sd: float | None = None,
    coverage: float = 0.95,
    method: str = "exact",
    phi: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits at denominators ``n``, for drawing.

    * ``rate``, ``method="exact"``: interpolated binomial quantiles of
      ``Binomial(n, target)`` (:func:`binom_limit`; used when ``phi == 1``);
    * ``rate``, ``method="normal"`` or ``phi > 1``:
      ``target +/- z * sqrt(phi * target * (1 - target) / n)``, clipped to [0, 1];
    * ``mean``: ``target +/- z * sqrt(phi) * sd / sqrt(n)``;

    where ``z`` is the standard normal ``(1 + coverage) / 2`` quantile (1.960
    for 95%, 3.090 for 99.8%) and ``phi`` the multiplicative over-dispersion
    factor (1 = none).  The limits narrow as ``n`` grows, hence the funnel.
    """
    n = np.asarray(n, dtype=float)
    z = z_quantile(coverage)
    if kind == "rate":
        if method == "exact" and phi <= 1.0:
            return binom_limit((1 - coverage) / 2, n, target), binom_limit((1 + coverage) / 2, n, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z * np.sqrt(phi * target * (1 - target) / n)
        return np.clip(target - half, 0.0, 1.0), np.clip(target + half, 0.0, 1.0)
    if kind == "mean":
        if sd is None:
            raise ValueError("a funnel for a mean needs the center's sd")
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z * math.sqrt(phi) * sd / np.sqrt(n)
        return target - half, target + half
    raise ValueError(f"funnel limits exist for rates and means, not {kind!r}")


def funnel_p_values(kind: str, target: float, n: Any, value: Any, sd: float | None = None,
                    phi: float = 1.0) -> np.ndarray:
    """Two-sided p-values of each unit against ``target`` (twice the smaller
    tail, capped at 1, as each side of a 95% funnel holds 2.5%).

    * ``rate``: the exact binomial tails of ``round(value * n)`` successes in
      ``Binomial(n, target)`` (R: ``binom.test``'s one-sided p-values);
      with ``phi > 1`` the normal test of the z-score divided by √φ;
    * ``mean``: ``t = (value - target) / (sd / sqrt(n)) / sqrt(phi)``, on
      Student's t with ``n - 1`` degrees of freedom below :data:`T_BELOW_N`
      observations, else the normal; NaN for ``n < 2`` or no spread.

    A target of exactly 0 or 1 gives p = 1 everywhere (nothing can differ)."""
    from scipy import stats

    n = np.asarray(n, dtype=float)
    value = np.asarray(value, dtype=float)
    if kind == "rate":
        if not 0.0 < target < 1.0:
            return np.where(np.isfinite(value) & (n > 0), 1.0, np.nan)
        if phi > 1.0:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (value - target) / np.sqrt(phi * target * (1 - target) / n)
            return np.where(n > 0, np.minimum(1.0, 2 * stats.norm.sf(np.abs(z))), np.nan)
        x = np.round(value * n)
        low = stats.binom.cdf(x, n, target)  # P(X <= x)
        high = stats.binom.sf(x - 1, n, target)  # P(X >= x)
        return np.where(n > 0, np.minimum(1.0, 2 * np.minimum(low, high)), np.nan)
    if kind == "mean":
        if sd is None or not np.isfinite(sd) or sd <= 0:
            return np.full(n.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(value - target) / (sd / np.sqrt(n)) / math.sqrt(max(phi, 1.0))
            p_t = 2 * stats.t.sf(t, np.maximum(n - 1, 1))
        p = np.where(n < T_BELOW_N, p_t, 2 * stats.norm.sf(t))
        return np.where(n >= 2, np.minimum(1.0, p), np.nan)
    raise ValueError(f"funnel p-values exist for rates and means, not {kind!r}")


def overdispersion(z: Any, winsor: float = 0.10) -> tuple[float, float]:
    """``(phi, p)``: Spiegelhalter's (2005, section 5.1) over-dispersion
    factor, the mean of the squared z-scores winsorised at ``winsor`` and
    ``1 - winsor``, and the p-value of his test (``k * phi`` on χ² with
    ``k - 1`` degrees of freedom).  ``(1.0, nan)`` for fewer than 3 units."""
    from scipy import stats

    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    k = len(z)
    if k < 3:
        return 1.0, float("nan")
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    return phi, float(stats.chi2.sf(k * phi, k - 1))
