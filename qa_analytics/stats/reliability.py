"""Agreement between raters: intraclass correlations and Krippendorff's alpha.

Pinned in the tests: the six Shrout & Fleiss ICCs against pingouin's
``intraclass_corr``, alpha against the ``krippendorff`` package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["icc", "icc2_1", "krippendorff_alpha"]


def _anova_two_way(y: np.ndarray) -> dict[str, float]:
    n, k = y.shape
    grand = y.mean()
    ss_rows = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_tot = ((y - grand) ** 2).sum()
    ss_err = ss_tot - ss_rows - ss_cols
    return {
        "n": n,
        "k": k,
        "bms": ss_rows / (n - 1),
        "jms": ss_cols / (k - 1),
        "ems": ss_err / ((n - 1) * (k - 1)),
        "wms": (ss_cols + ss_err) / (n * (k - 1)),
    }


def icc(ratings: ArrayLike) -> pd.DataFrame:
    """The six Shrout & Fleiss (1979) intraclass correlations of a complete ratings table.

    ``ratings``: n targets (rows) x k raters (columns), no missing value.
    With the two-way ANOVA mean squares BMS (between targets, df n-1), JMS
    (between judges, df k-1), EMS (residual, df (n-1)(k-1)) and WMS (within
    targets, df n(k-1))::

        ICC(1,1) = (BMS - WMS) / (BMS + (k-1) WMS)
        ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n)
        ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS)
        ICC(1,k) = (BMS - WMS) / BMS
        ICC(2,k) = (BMS - EMS) / (BMS + (JMS - EMS) / n)
        ICC(3,k) = (BMS - EMS) / BMS

    ICC(2,1) - two-way random effects, absolute agreement, single rater - is
    the one for calibration (McGraw & Wong's ICC(A,1)).  F tests of
    ICC = 0: ``F = BMS/WMS`` on (n-1, n(k-1)) for type 1, ``F = BMS/EMS`` on
    (n-1, (n-1)(k-1)) for types 2 and 3 (as pingouin reports them).

    Shrout & Fleiss's 6 targets x 4 judges example gives 0.17, 0.29, 0.71,
    0.44, 0.62, 0.91.

    Returns
    -------
    DataFrame with rows ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k and columns
    ``type``, ``description``, ``icc``, ``F``, ``df1``, ``df2``, ``p_value``.
    """
    from scipy import special

    a = _anova_two_way(_complete_table(ratings))
    n, k, bms, jms, ems, wms = a["n"], a["k"], a["bms"], a["jms"], a["ems"], a["wms"]

    def ratio(num: float, den: float) -> float:
        return num / den if den != 0 else float("nan")

    vals = [
        ratio(bms - wms, bms + (k - 1) * wms),
        ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        ratio(bms - ems, bms + (k - 1) * ems),
        ratio(bms - wms, bms),
        ratio(bms - ems, bms + (jms - ems) / n),
        ratio(bms - ems, bms),
    ]
    f1, df1_1, df2_1 = ratio(bms, wms), n - 1, n * (k - 1)
    f3, df2_3 = ratio(bms, ems), (n - 1) * (k - 1)
    fs = [f1, f3, f3, f1, f3, f3]
    d2 = [df2_1, df2_3, df2_3, df2_1, df2_3, df2_3]
    p = [float(special.fdtrc(n - 1, b, f)) if np.isfinite(f) else float("nan") for f, b in zip(fs, d2)]
    return pd.DataFrame(
        {
            "type": ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"],
            "description": [
                "one-way random, single rater",
                "two-way random, absolute agreement, single rater",
                "two-way mixed, consistency, single rater",
                "one-way random, mean of k raters",
                "two-way random, absolute agreement, mean of k raters",
                "two-way mixed, consistency, mean of k raters",
            ],
            "icc": vals,
            "F": fs,
            "df1": [df1_1] * 6,
            "df2": d2,
            "p_value": p,
        }
    )


def _complete_table(ratings: ArrayLike) -> np.ndarray:
    """The ratings as a complete targets x raters float table, or a ValueError saying why not."""
    y = np.asarray(ratings, dtype=float)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError("ratings must be a 2-D table of at least 2 targets x 2 raters")
    if not np.isfinite(y).all():
        raise ValueError("ratings must be complete (no NaN); use krippendorff_alpha for missing data")
    return y


def icc2_1(ratings: ArrayLike) -> float:
    """ICC(2,1): two-way random effects, absolute agreement, single rater.

    ``(BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n)`` for n targets
    (rows) x k raters (columns), complete data (Shrout & Fleiss 1979, case 2).
    See :func:`icc`.
    """
    a = _anova_two_way(_complete_table(ratings))
    den = a["bms"] + (a["k"] - 1) * a["ems"] + a["k"] * (a["jms"] - a["ems"]) / a["n"]
    return float((a["bms"] - a["ems"]) / den) if den != 0 else float("nan")


def krippendorff_alpha(data: ArrayLike, level: str = "interval") -> float:
    """Krippendorff's alpha for units (rows) x raters (columns), NaN = missing.

    ``alpha = 1 - D_o / D_e`` over the *pairable* values (units with at least
    two values; n = their number, m_u = values in unit u)::

        D_o = 1/n * sum_u 1/(m_u - 1) * sum_{i != j in u} delta(v_i, v_j)
        D_e = 1/(n (n - 1)) * sum_{i != j, all pairable values} delta(v_i, v_j)

    with ``delta = (v_i - v_j)^2`` for ``level="interval"``,
    ``delta = [v_i != v_j]`` for ``level="nominal"`` and, for
    ``level="ordinal"`` (ratings on a 1-5 scale: ranks matter, distances do
    not), ``delta(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` with
    ``n_g`` the number of pairable values equal to ``g`` (Krippendorff 2011;
    the sums over ordered pairs are computed in closed form).  NaN when
    fewer than two pairable values or no variation at all (D_e = 0).

    Krippendorff's (2011) 4 observers x 12 units example (with missing data)
    gives 0.849 (interval), 0.815 (ordinal) and 0.743 (nominal).  Note the
    orientation: units are rows here (transpose Krippendorff's observers x
    units table).
    """
    if level not in ("interval", "nominal", "ordinal"):
        raise ValueError("level must be 'interval', 'ordinal' or 'nominal'")
    y = np.asarray(data, dtype=float)
    if y.ndim != 2:
        raise ValueError("data must be 2-D: units x raters")
    units = [row[np.isfinite(row)] for row in y]
    units = [u for u in units if len(u) >= 2]
    if not units:
        return float("nan")
    allv = np.concatenate(units)
    n = len(allv)
    if level == "interval":

        def pair_sum(v: np.ndarray) -> float:  # sum over ordered pairs i != j of (vi - vj)^2
            return float(2 * len(v) * (v**2).sum() - 2 * v.sum() ** 2)

    elif level == "nominal":

        def pair_sum(v: np.ndarray) -> float:  # ordered pairs with different values
            _, cnt = np.unique(v, return_counts=True)
            return float(len(v) ** 2 - (cnt**2).sum())

    else:
        cats, totals = np.unique(allv, return_counts=True)
        cum = np.concatenate(([0.0], np.cumsum(totals, dtype=float)))
        # delta[c, k] = (n_c + ... + n_k - (n_c + n_k) / 2)^2 for c <= k, symmetric
        lo, hi = np.minimum.outer(np.arange(len(cats)), np.arange(len(cats))), \
            np.maximum.outer(np.arange(len(cats)), np.arange(len(cats)))
        delta = (cum[hi + 1] - cum[lo] - (totals[lo] + totals[hi]) / 2.0) ** 2

        def pair_sum(v: np.ndarray) -> float:  # sum over ordered pairs of delta (delta(c, c) = 0)
            counts = np.bincount(np.searchsorted(cats, v), minlength=len(cats)).astype(float)
            return float(counts @ delta @ counts)

    d_o = sum(pair_sum(u) / (len(u) - 1) for u in units) / n
    d_e = pair_sum(allv) / (n * (n - 1))
    if d_e <= 0:
        return float("nan")
    return float(1.0 - d_o / d_e)
