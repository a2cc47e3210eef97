"""Confidence intervals for rates and means, vectorised over periods and units.

Pinned in the tests: Wilson against R's ``prop.test(x, n, correct = FALSE)``
and statsmodels' ``proportion_confint(method="wilson")``; t against scipy.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

__all__ = ["cluster_robust_se", "cluster_robust_se_by_group", "t_interval", "t_two_sided_p", "wilson_interval",
           "z_quantile"]


def z_quantile(confidence: float) -> float:
    """The two-sided standard normal quantile of ``confidence`` (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)




def wilson_interval(successes: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``successes`` out of ``n`` (vectorised).

    ``centre = (p + z^2/(2n)) / (1 + z^2/n)``,
    ``half = z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4n^2))``; NaN where
    ``n == 0``.  Equals R ``prop.test(x, n, correct = FALSE)$conf.int``
    (Wilson 1927; Newcombe 1998).  Returns ``(low, high)`` arrays.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(np.maximum(p * (1 - p) / n + z * z / (4 * n * n), 0.0))
        low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    bad = ~(n > 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def t_interval(mean: Any, sd: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval ``mean +/- t_{(1+c)/2, n-1} * sd / sqrt(n)``
    (vectorised; NaN where ``n < 2``).  Returns ``(low, high)``.

    The quantile is ``scipy.special.stdtrit``, what ``scipy.stats.t.ppf``
    computes: ``scipy.stats`` costs half a second to import, on the first
    page a user opens."""
    from scipy import special

    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = n >= 2
    df = np.where(ok, n - 1, 1.0)
    tq = special.stdtrit(df, 0.5 + confidence / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = tq * sd / np.sqrt(n)
    return np.where(ok, mean - half, np.nan), np.where(ok, mean + half, np.nan)


def cluster_robust_se(counts: Any, means: Any) -> tuple[float, float, int]:
    """The mean of every observation and its cluster-robust standard error,
    from each cluster's count and mean: ``(mean, se, clusters)``.

    Why: a team's evaluations are not independent draws -- each agent's
    scores share that agent's skill -- so the usual ``sd / sqrt(n)`` of a
    team's mean score, taken over 2,000 evaluations of 15 agents, is several
    times too small and small changes read as significant.  The sandwich
    (CR1) estimator counts the agents instead::

        r_g = sum_g - n_g * mean,   se^2 = G / (G - 1) * sum_g r_g^2 / N^2

    the same as ``statsmodels`` ``OLS(y, ones).fit(cov_type="cluster",
    cov_kwds={"groups": agent})``.  Clusters with no observation are
    ignored; NaN for fewer than two clusters.
    """
    n = np.asarray(counts, dtype=float)
    mean, se, g = cluster_robust_se_by_group(np.zeros(n.size, dtype=np.int64), n, means, groups=1)
    return float(mean[0]), float(se[0]), int(g[0])


def cluster_robust_se_by_group(group: Any, counts: Any, means: Any,
                               groups: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`cluster_robust_se` for many units at once: each cluster's
    ``group`` (0 .. groups-1, e.g. from ``pd.factorize`` of unit x period),
    count and mean; returns the per-group ``(mean, se, clusters)`` arrays
    (mean NaN for an empty group, se NaN below two clusters)."""
    gid = np.asarray(group, dtype=np.int64)
    n = np.asarray(counts, dtype=float)
    m = np.asarray(means, dtype=float)
    ok = (n > 0) & np.isfinite(m)
    gid, n, m = gid[ok], n[ok], m[ok]
    k = int(groups if groups is not None else (gid.max() + 1 if gid.size else 0))
    total = np.bincount(gid, weights=n, minlength=k)
    g = np.bincount(gid, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(gid, weights=n * m, minlength=k) / total
        r = n * (m - mean[gid])
        se = np.sqrt(g / (g - 1) * np.bincount(gid, weights=r * r, minlength=k)) / total
    return mean, np.where(g >= 2, se, np.nan), g.astype(np.int64)


def t_two_sided_p(t: Any, df: Any) -> np.ndarray:
    """Twice the upper tail of ``|t|`` on Student's t with ``df`` degrees of
    freedom (``scipy.special.stdtr``: R's ``2 * pt(-abs(t), df)``)."""
    from scipy import special

    return 2.0 * special.stdtr(np.asarray(df, dtype=float), -np.abs(np.asarray(t, dtype=float)))
