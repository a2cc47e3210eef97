"""Trends that tell change from noise: period-over-period tests and rolling means.

Everything here is a pure function on small, already aggregated data; nothing
touches the database.  The tidy input of :func:`period_over_period` and
:func:`rolling` has one row per ``period`` x ``level_key`` x ``metric``:

============  ==============================================================
column        meaning
============  ==============================================================
``period``    anything sortable (date, Timestamp, ``"2024-05"``)
``level_key`` the unit the metric describes (center, team, agent...); optional
``metric``    metric id
``value``     the metric: a mean (scores) or a proportion in [0, 1] (rates)
``n``         observations behind the value
``successes`` rates only: the count whose share ``value`` is (value = successes/n)
``sd``        means only: sample sd of the observations
``kind``      optional ``rate`` | ``mean``; else rows with ``successes`` are
              rates, rows with ``sd`` means, others are not tested
============  ==============================================================

Tests (all two-sided; *a* = previous period, *b* = current period, so a
positive ``change``/``effect_size`` means the metric went up):

* rates - two-proportion z test with pooled variance (no continuity
  correction; ``z**2`` is the chi-square of R's ``prop.test(correct=FALSE)``)::

      p = (x_a + x_b) / (n_a + n_b)
      z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b))
      effect size: Cohen's h = 2 asin(sqrt(p_b)) - 2 asin(sqrt(p_a))

* means (summary statistics) - Welch's unequal-variance t test::

      t  = (m_b - m_a) / sqrt(s_a^2/n_a + s_b^2/n_b)
      df = (s_a^2/n_a + s_b^2/n_b)^2
           / ((s_a^2/n_a)^2/(n_a - 1) + (s_b^2/n_b)^2/(n_b - 1))
      effect size: Hedges' g = d (1 - 3 / (4 (n_a + n_b) - 9)),
      d = (m_b - m_a) / s_pooled,
      s_pooled = sqrt(((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2))

  (the pooled-sd standardiser even though the test is Welch's, as pingouin
  and most software report it; the small-sample correction is Hedges &
  Olkin's approximation, also pingouin's).

* raw scores - Mann-Whitney U (:func:`mann_whitney_u`), as R's
  ``wilcox.test``: exact p without ties when both samples have fewer than 50
  values, else the normal approximation with tie and continuity correction.
  Effect size: rank-biserial correlation ``r = 2 U_b / (n_a n_b) - 1``.

References
----------
* Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed., Wiley (z test
  for two proportions).
* Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
  Sciences*, 2nd ed. (h, d).
* Welch, B. L. (1947). The generalization of "Student's" problem when
  several different population variances are involved. *Biometrika* 34, 28-35.
* Hedges, L. V. & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*.
* Mann, H. B. & Whitney, D. R. (1947). *Ann. Math. Statist.* 18, 50-60.
* Kerby, D. S. (2014). The simple difference formula: an approach to
  teaching nonparametric correlation. *Comprehensive Psychology* 3, 11.IT.3.1.
* Vallat, R. (2018). Pingouin: statistics in Python. *JOSS* 3(31), 1026.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..core.codes import Phrase, define
from ..stats.intervals import t_two_sided_p
from ..stats.multiplicity import adjust_p, comparisons

__all__ = [
    "ALPHA",
    "DEFAULT_MDD",
    "Comparison",
    "VERDICTS",
    "change_label",
    "fisher_p",
    "min_detectable",
    "small_expected",
    "mann_whitney_u",
    "period_over_period",
    "rolling",
    "two_proportion_test",
    "welch_t_test",
]

#: Default significance level.
ALPHA = 0.05
#: what a period-over-period change says: a real change, noise, or nothing to tell either way
VERDICTS = ("significant", "normal", "too_few", "untested", "no_previous")

_TEST_EFFECT = {
    "two_proportion_z": "cohen_h",
    "welch_t": "hedges_g",
    "cluster_t": "hedges_g",
    "mann_whitney_u": "rank_biserial",
}


@dataclass(frozen=True)
class Comparison:
    """The result of comparing group *a* (before) with group *b* (after).

    ``change = estimate_b - estimate_a``; ``statistic`` is z, t or U (U of
    *b*); ``df`` is NaN except for Welch's t; ``effect_size`` is signed like
    ``change`` and ``effect_measure`` names it (``cohen_h``, ``hedges_g``,
    ``rank_biserial``).  ``p_value`` is NaN when the data cannot be tested.
    """

    test: str
    estimate_a: float
    estimate_b: float
    change: float
    statistic: float
    df: float
    p_value: float
    effect_size: float
    effect_measure: str
    n_a: float
    n_b: float

    def significant(self, alpha: float = ALPHA) -> bool:
        return bool(np.isfinite(self.p_value) and self.p_value < alpha)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------
# vectorised cores (arrays in, arrays out; NaN where untestable)
# ---------------------------------------------------------------------------
def _prop_core(xa, na, xb, nb):
    xa, na, xb, nb = (np.asarray(v, dtype=float) for v in (xa, na, xb, nb))
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (na > 0) & (nb > 0) & (xa >= 0) & (xb >= 0) & (xa <= na) & (xb <= nb)
        pa, pb = xa / na, xb / nb
        pool = (xa + xb) / (na + nb)
        se = np.sqrt(pool * (1 - pool) * (1 / na + 1 / nb))
        # se == 0 only when both proportions are 0 or both are 1: no difference, p = 1
        z = np.where(se > 0, (pb - pa) / se, 0.0)
        h = 2 * np.arcsin(np.sqrt(np.clip(pb, 0, 1))) - 2 * np.arcsin(np.sqrt(np.clip(pa, 0, 1)))
    p = _normal_two_sided(z)
    nan = np.nan
    return (
        np.where(valid, pa, nan),
        np.where(valid, pb, nan),
        np.where(valid, z, nan),
        np.where(valid, p, nan),
        np.where(valid, h, nan),
    )


def _normal_two_sided(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    flat = [math.erfc(abs(v) / math.sqrt(2.0)) if np.isfinite(v) else np.nan for v in z.ravel()]
    return np.asarray(flat, dtype=float).reshape(z.shape)


def _welch_core(ma, sa, na, mb, sb, nb):
    ma, sa, na, mb, sb, nb = (np.asarray(v, dtype=float) for v in (ma, sa, na, mb, sb, nb))
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = sa**2 / na, sb**2 / nb
        se = np.sqrt(va + vb)
        valid = (na >= 2) & (nb >= 2) & (sa >= 0) & (sb >= 0) & (se > 0) & np.isfinite(ma + mb + se)
        t = (mb - ma) / se
        dfree = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        sp = np.sqrt(((na - 1) * sa**2 + (nb - 1) * sb**2) / (na + nb - 2))
        d = (mb - ma) / sp
        g = d * (1 - 3 / (4 * (na + nb) - 9))
    t = np.where(valid, t, np.nan)
    dfree = np.where(valid, dfree, np.nan)
    if np.any(valid):
        with np.errstate(invalid="ignore"):
            p = np.where(valid, t_two_sided_p(np.nan_to_num(t), np.where(valid, dfree, 1.0)), np.nan)
    else:
        p = np.full(np.shape(t), np.nan)
    g = np.where(valid & (sp > 0), g, np.nan)
    return t, dfree, p, g


# ---------------------------------------------------------------------------
# scalar tests
# ---------------------------------------------------------------------------
def two_proportion_test(successes_a: float, n_a: float, successes_b: float, n_b: float) -> Comparison:
    """Two-proportion z test (pooled, no continuity correction) and Cohen's h.

    ``z = (p_b - p_a) / sqrt(p (1-p) (1/n_a + 1/n_b))`` with the pooled
    ``p = (x_a + x_b)/(n_a + n_b)``; two-sided ``p_value = erfc(|z|/sqrt 2)``;
    ``z**2`` equals the statistic of R's ``prop.test(c(x_a, x_b), c(n_a, n_b),
    correct = FALSE)`` and the p-values agree.  ``effect_size`` = Cohen's
    ``h = 2 asin(sqrt p_b) - 2 asin(sqrt p_a)``.  When both proportions are 0
    (or both 1) the difference is nil and ``p_value = 1`` (R returns NaN).
    Invalid counts (n <= 0, x outside [0, n]) give NaN.
    """
    pa, pb, z, p, h = _prop_core(successes_a, n_a, successes_b, n_b)
    pa, pb = float(pa), float(pb)
    return Comparison(
        test="two_proportion_z",
        estimate_a=pa,
        estimate_b=pb,
        change=pb - pa,
        statistic=float(z),
        df=float("nan"),
        p_value=float(p),
        effect_size=float(h),
        effect_measure="cohen_h",
        n_a=float(n_a),
        n_b=float(n_b),
    )


def welch_t_test(
    mean_a: float, sd_a: float, n_a: float, mean_b: float, sd_b: float, n_b: float
) -> Comparison:
    """Welch's t test from summary statistics, with Hedges' g.

    Same result as ``scipy.stats.ttest_ind_from_stats(mean_b, sd_b, n_b,
    mean_a, sd_a, n_a, equal_var=False)`` and R's ``t.test(b, a,
    var.equal = FALSE)`` on the raw data (formulas in the module docstring).
    ``effect_size`` = Hedges' g (pooled-sd Cohen's d times
    ``1 - 3/(4(n_a+n_b) - 9)``).  NaN when a group has fewer than 2
    observations or both sds are 0.
    """
    t, dfree, p, g = _welch_core(mean_a, sd_a, n_a, mean_b, sd_b, n_b)
    return Comparison(
        test="welch_t",
        estimate_a=float(mean_a),
        estimate_b=float(mean_b),
        change=float(mean_b) - float(mean_a),
        statistic=float(t),
        df=float(dfree),
        p_value=float(p),
        effect_size=float(g),
        effect_measure="hedges_g",
        n_a=float(n_a),
        n_b=float(n_b),
    )


def mann_whitney_u(a: ArrayLike, b: ArrayLike) -> Comparison:
    """Mann-Whitney U (Wilcoxon rank-sum) test of raw scores *a* (before) vs *b* (after).

    ``statistic`` = U of *b* = the number of pairs (a_i, b_j) with
    b_j > a_i plus half the ties (R's ``wilcox.test(b, a)$statistic`` W).
    p-value as R's ``wilcox.test`` defaults: exact when there are no ties and
    both samples have < 50 values, else the normal approximation with tie
    correction and continuity correction (computed by
    ``scipy.stats.mannwhitneyu``).  ``estimate_a/b`` are the medians and
    ``change`` their difference; ``effect_size`` = rank-biserial correlation
    ``2 U_b / (n_a n_b) - 1`` in [-1, 1] (Kerby 2014), > 0 when *b* tends to
    be larger.  NaN values are dropped; an empty sample gives NaN.
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    na, nb = len(x), len(y)
    if na == 0 or nb == 0:
        nan = float("nan")
        return Comparison("mann_whitney_u", nan, nan, nan, nan, nan, nan, nan, "rank_biserial", na, nb)
    from scipy import stats

    both = np.concatenate([x, y])
    ties = len(np.unique(both)) < len(both)
    method = "exact" if (not ties and na < 50 and nb < 50) else "asymptotic"
    if len(np.unique(both)) == 1:  # all values equal: no evidence of any shift
        u, p = na * nb / 2.0, 1.0
    else:
        res = stats.mannwhitneyu(y, x, alternative="two-sided", method=method, use_continuity=True)
        u, p = float(res.statistic), float(res.pvalue)
    ma, mb = float(np.median(x)), float(np.median(y))
    return Comparison(
        test="mann_whitney_u",
        estimate_a=ma,
        estimate_b=mb,
        change=mb - ma,
        statistic=u,
        df=float("nan"),
        p_value=min(p, 1.0),
        effect_size=2.0 * u / (na * nb) - 1.0,
        effect_measure="rank_biserial",
        n_a=float(na),
        n_b=float(nb),
    )


# ---------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------
#: a change's unit as its sentence writes it
_UNITS = {
    "points": define("unit_points", en=" points", zh="分"),
    "pp": define("unit_pp", en=" percentage points", zh="个百分点"),
    "": "",
}
CHANGE_UP = define("change_up", en="up {num}{unit}", zh="上升{num}{unit}")
CHANGE_DOWN = define("change_down", en="down {num}{unit}", zh="下降{num}{unit}")
UNCHANGED = define("change_none", en="unchanged", zh="持平")
NO_PREVIOUS = define("change_no_previous", en="no previous period", zh="无上期数据")
#: the verdict on a change, one code per verdict (:data:`VERDICTS`)
VERDICT_WORDS = {
    "untested": define("verdict_untested", en="{change} (not tested: too few data)", zh="{change}（数据不足，未检验）"),
    "significant": define("verdict_significant", en="{change}, significant ({p})", zh="{change}，差异显著（{p}）"),
    "too_few": define("verdict_too_few", en="{change}, too few data to tell ({p})",
                      zh="{change}，数据太少，无法判断（{p}）"),
    "normal": define("verdict_normal", en="{change}, within normal variation ({p})", zh="{change}，属正常波动（{p}）"),
}


def _fmt_num(x: float) -> str:
    ax = abs(x)
    if ax != 0 and ax < 0.05:
        return f"{ax:.2g}"
    return f"{ax:.1f}"


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def change_label(
    change: float, p_value: float, alpha: float = ALPHA, unit: str = "points", *, too_few: bool = False
) -> Phrase:
    """A change and its p-value as a sentence (a :class:`Phrase`, said in either language)::

        say(change_label(-2.1, 0.003), "en") == "down 2.1 points, significant (p = 0.003)"
        say(change_label(-2.1, 0.003), "zh") == "下降2.1分，差异显著（p = 0.003）"
        say(change_label(0.8, 0.41), "zh")   == "上升0.8分，属正常波动（p = 0.410）"

    ``unit``: ``points`` (分), ``pp`` (percentage points, 个百分点) or ``""``.
    The change is shown with one decimal, the p-value with three (or
    ``p < 0.001``).  ``too_few``: the change is not significant and the
    samples could not have shown a change of the size that matters
    (:func:`min_detectable`): "too few data to tell" / "数据太少，无法判断",
    not "normal variation".  No change: "unchanged" / "持平"; no previous
    value (NaN change): "no previous period" / "无上期数据"; NaN p-value:
    "(not tested: too few data)" / "（数据不足，未检验）".
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {list(_UNITS)}")
    if change is None or not np.isfinite(change):
        return Phrase(NO_PREVIOUS)
    num, u = _fmt_num(change), _UNITS[unit]
    said = (Phrase(CHANGE_UP, {"num": num, "unit": u}) if change > 0
            else Phrase(CHANGE_DOWN, {"num": num, "unit": u}) if change < 0 else Phrase(UNCHANGED))
    if p_value is None or not np.isfinite(p_value):
        return Phrase(VERDICT_WORDS["untested"], {"change": said})
    verdict = "significant" if p_value < alpha else "too_few" if too_few else "normal"
    return Phrase(VERDICT_WORDS[verdict], {"change": said, "p": _fmt_p(p_value)})


# ---------------------------------------------------------------------------
# small samples: exact tests and the change a sample could have shown
# ---------------------------------------------------------------------------
#: the smallest change worth detecting, by kind, in the units labels use
#: (percentage points for rates, points for means), unless a caller says
DEFAULT_MDD: dict[str, float] = {"rate": 5.0, "mean": 3.0}
#: the power at which :func:`min_detectable` is computed
POWER = 0.80
#: Fisher's exact test replaces the z test when an expected cell count is below this
FISHER_BELOW = 5.0


def fisher_p(xa: ArrayLike, na: ArrayLike, xb: ArrayLike, nb: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's exact test of two proportions, element by element: the
    two-sided p-value and the sample odds ratio (``scipy.stats.fisher_exact``,
    as R's ``fisher.test``; 0/3 against 3/3 gives p = 0.1).  NaN for invalid counts."""
    from scipy import stats

    xa, na, xb, nb = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (xa, na, xb, nb))
    p = np.full(xa.shape, np.nan)
    ratio = np.full(xa.shape, np.nan)
    for i in range(len(xa)):
        if not (na[i] > 0 and nb[i] > 0 and 0 <= xa[i] <= na[i] and 0 <= xb[i] <= nb[i]):
            continue
        table = [[int(xb[i]), int(nb[i] - xb[i])], [int(xa[i]), int(na[i] - xa[i])]]
        res = stats.fisher_exact(table, alternative="two-sided")
        p[i], ratio[i] = min(float(res.pvalue), 1.0), float(res.statistic)
    return p, ratio


def small_expected(xa: ArrayLike, na: ArrayLike, xb: ArrayLike, nb: ArrayLike) -> np.ndarray:
    """Whether a 2x2 table of two proportions has an expected count below
    :data:`FISHER_BELOW` (Cochran's rule for when the z / chi-square test fails)."""
    xa, na, xb, nb = (np.asarray(v, dtype=float) for v in (xa, na, xb, nb))
    with np.errstate(divide="ignore", invalid="ignore"):
        total = na + nb
        succ = (xa + xb) / total
        low = np.minimum(succ, 1 - succ) * np.minimum(na, nb)
    return np.asarray(low < FISHER_BELOW)


def _detect_factor(alpha: float, power: float) -> float:
    """``z_{1-alpha/2} + z_power``: how many standard errors a change must be
    to be detected (``scipy.special.ndtri`` is what ``scipy.stats.norm.ppf``
    computes, without importing ``scipy.stats``)."""
    from scipy import special

    return float(special.ndtri(1 - alpha / 2) + special.ndtri(power))


def min_detectable(kind: str, n_a: ArrayLike, n_b: ArrayLike, *, p: ArrayLike = np.nan, sd_a: ArrayLike = np.nan,
                   sd_b: ArrayLike = np.nan, alpha: float = ALPHA, power: float = POWER) -> np.ndarray:
    """The smallest change two samples of sizes ``n_a`` and ``n_b`` detect
    with probability ``power`` at ``alpha`` (two-sided), in the value's unit:
    ``(z_{1-alpha/2} + z_power) * se``, with ``se = sqrt(p (1 - p) (1/n_a +
    1/n_b))`` for rates (``p`` the pooled proportion) and ``sqrt(sd_a^2/n_a
    + sd_b^2/n_b)`` for means (Cohen 1988, ch. 2 and 6, normal approximation).
    For a rate of 0 or 1 the variance at 50% stands in (nothing varies yet
    the sample is still small)."""
    k = _detect_factor(alpha, power)
    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "rate":
            pp = np.asarray(p, dtype=float)
            var = np.where((pp > 0) & (pp < 1), pp * (1 - pp), 0.25)
            se = np.sqrt(var * (1 / n_a + 1 / n_b))
        elif kind == "mean":
            se = np.sqrt(np.asarray(sd_a, dtype=float) ** 2 / n_a + np.asarray(sd_b, dtype=float) ** 2 / n_b)
        else:
            raise ValueError(f"kind must be 'rate' or 'mean', not {kind!r}")
    return k * se


# ---------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------
def _keys(df: pd.DataFrame) -> list[str]:
    return [c for c in ("level_key", "metric") if c in df.columns]


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return pd.to_numeric(df[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=df.index, dtype=float)


def _kinds(df: pd.DataFrame) -> np.ndarray:
    inferred = np.where(
        _col(df, "successes").notna() & _col(df, "n").notna(),
        "rate",
        np.where(_col(df, "sd").notna() & _col(df, "n").notna(), "mean", ""),
    ).astype(object)
    if "kind" in df.columns:
        given = df["kind"].astype(object).where(df["kind"].notna(), "").astype(str).str.lower()
        return np.where(given.isin(["rate", "mean"]), given, inferred).astype(object)
    return inferred


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    if "period" not in df.columns or "value" not in df.columns:
        raise ValueError("the frame needs 'period' and 'value' columns")
    return df.sort_values(_keys(df) + ["period"], kind="stable").reset_index(drop=True)


def _groupby(df: pd.DataFrame):
    keys = _keys(df)
    if keys:
        return df.groupby(keys, sort=False, dropna=False)
    return df.groupby(np.zeros(len(df), dtype=int), sort=False)


def period_over_period(
    df: pd.DataFrame, alpha: float = ALPHA, *, rate_scale: str = "proportion", adjust: str = "bh",
    mdd: float | dict[str, float] | None = None,
) -> pd.DataFrame:
    """Compare every period with the previous one, for every metric and level.

    Within each ``level_key`` x ``metric`` series (sorted by ``period``), row
    *i* is compared with row *i - 1* - the previous period *present in the
    data* (a gap is not filled).  Rates get the two-proportion z test, or
    Fisher's exact test when an expected count is below 5 (0/3 against 3/3:
    z gives p = 0.014, Fisher 0.10); means Welch's t from summary statistics
    (see the module docstring); rows with neither ``successes`` nor ``sd``
    get the change but no test.

    Units are summary statistics of records, so a team's or the center's
    mean treats evaluations as independent; evaluations of one agent are
    correlated.  A caller that knows the clusters passes ``se`` (the
    cluster-robust standard error of each row's mean,
    :func:`qa_analytics.stats.intervals.cluster_robust_se`) and ``clusters``
    (how many agents): a mean compared where both rows have them gets
    ``t = change / sqrt(se_a^2 + se_b^2)`` on ``min(G_a, G_b) - 1`` degrees of
    freedom (``test = "cluster_t"``), the periods taken as independent (the
    same agents in both make it conservative).

    ``adjust``: the p-values of the units compared at once (the rows of one
    period and metric, across ``level_key``) are adjusted for the false
    discovery rate (``"bh"``, Benjamini–Hochberg; ``"none"`` keeps the raw p),
    so 60 agents without a real change do not yield three "significant" ones.

    ``mdd``: the smallest change that matters, in the labels' units
    (percentage points for rates, points for means): a number, or a dict by
    metric id or by kind; default :data:`DEFAULT_MDD`.  A change that is not
    significant where the samples could not have detected a change that size
    (:func:`min_detectable` above it) is "too few data to tell", not normal
    variation.

    ``rate_scale``: ``proportion`` (rate values in [0, 1]; labels show the
    change x 100 as percentage points) or ``percent`` (values already 0-100).

    Returns
    -------
    The input (sorted by level_key, metric, period) plus

    * ``prev_period``, ``prev_value`` - the row compared with (NaN for the first)
    * ``change`` - ``value - prev_value`` (in the value's unit)
    * ``change_pct`` - ``100 * change / |prev_value|`` (NaN when prev is 0)
    * ``test`` - ``two_proportion_z`` | ``welch_t`` | None
    * ``statistic`` - z or t; ``df`` - Welch df (NaN otherwise)
    * ``p_value`` - two-sided
    * ``effect_size`` - Cohen's h (rates) or Hedges' g (means), signed like change
    * ``effect_measure`` - ``cohen_h`` | ``hedges_g`` | None
    * ``p_adjusted`` - after the multiplicity adjustment; ``comparisons`` -
      how many tests of the same period and metric it corrected for
    * ``significant`` - ``p_adjusted < alpha`` (bool; False when untested)
    * ``min_detectable`` - the change the samples detect with 80% power, in
      the labels' units (NaN when untested)
    * ``verdict`` - one of :data:`VERDICTS`: ``significant``, ``normal``
      (within normal variation), ``too_few`` (too few data to tell),
      ``untested``, ``no_previous``
    * ``label`` - a :class:`Phrase`, e.g. "down 2.1 points, significant
      (p = 0.003)" / "下降2.1分，差异显著（p = 0.003）", see :func:`change_label`
      (the p shown is the adjusted one)
    """
    if rate_scale not in ("proportion", "percent"):
        raise ValueError("rate_scale must be 'proportion' or 'percent'")
    out = _sorted(df)
    g = _groupby(out)

    def prev(name: str) -> pd.Series:
        if name not in out.columns:
            return pd.Series(np.nan, index=out.index, dtype=float)
        return g[name].shift(1)

    kind = _kinds(out)
    value = _col(out, "value")
    n, x, sd = _col(out, "n"), _col(out, "successes"), _col(out, "sd")
    out["prev_period"] = prev("period")
    out["prev_value"] = pd.to_numeric(prev("value"), errors="coerce").astype(float)
    pn = pd.to_numeric(prev("n"), errors="coerce").astype(float)
    px = pd.to_numeric(prev("successes"), errors="coerce").astype(float)
    psd = pd.to_numeric(prev("sd"), errors="coerce").astype(float)
    change = value - out["prev_value"]
    out["change"] = change
    pv = out["prev_value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_pct"] = np.where(pv != 0, 100.0 * change.to_numpy(float) / np.abs(pv), np.nan)

    is_rate = (kind == "rate") & out["prev_value"].notna().to_numpy()
    is_mean = (kind == "mean") & out["prev_value"].notna().to_numpy()
    m = len(out)
    stat = np.full(m, np.nan)
    dfree = np.full(m, np.nan)
    p = np.full(m, np.nan)
    eff = np.full(m, np.nan)
    exact = np.zeros(m, dtype=bool)
    if is_rate.any():
        _, _, z, pp, h = _prop_core(px[is_rate], pn[is_rate], x[is_rate], n[is_rate])
        stat[is_rate], p[is_rate], eff[is_rate] = z, pp, h
        exact[is_rate] = small_expected(px[is_rate], pn[is_rate], x[is_rate], n[is_rate]) & np.isfinite(pp)
        if exact.any():
            fp, ratio = fisher_p(px[exact], pn[exact], x[exact], n[exact])
            p[exact], stat[exact] = fp, ratio
    if is_mean.any():
        t, d, pp, gg = _welch_core(
            out["prev_value"][is_mean], psd[is_mean], pn[is_mean], value[is_mean], sd[is_mean], n[is_mean]
        )
        stat[is_mean], dfree[is_mean], p[is_mean], eff[is_mean] = t, d, pp, gg
    se, clusters = _col(out, "se").to_numpy(float), _col(out, "clusters").to_numpy(float)
    pse = pd.to_numeric(prev("se"), errors="coerce").to_numpy(float)
    pclusters = pd.to_numeric(prev("clusters"), errors="coerce").to_numpy(float)
    clustered = is_mean & np.isfinite(se) & np.isfinite(pse) & (np.fmin(clusters, pclusters) >= 2)
    joint_se = np.sqrt(se * se + pse * pse)  # used where ``clustered`` (both finite)
    if clustered.any():
        ch, js = change.to_numpy(float)[clustered], joint_se[clustered]
        with np.errstate(divide="ignore", invalid="ignore"):
            # no spread at all: no change is p = 1, any change p = 0
            ct = np.where(js > 0, ch / js, np.where(ch == 0, 0.0, np.copysign(np.inf, ch)))
        cdf = np.fmin(clusters, pclusters)[clustered] - 1
        stat[clustered], dfree[clustered], p[clustered] = ct, cdf, t_two_sided_p(ct, cdf)
    test = np.where(is_rate, np.where(exact, "fisher_exact", "two_proportion_z"),
                    np.where(clustered, "cluster_t", np.where(is_mean, "welch_t", None))).astype(object)
    test[~(is_rate | is_mean)] = None
    out["test"] = pd.Series(test, index=out.index, dtype=object)
    out["statistic"], out["df"], out["p_value"], out["effect_size"] = stat, dfree, p, eff
    out["effect_measure"] = pd.Series(
        [_TEST_EFFECT.get(t) if t else None for t in test], index=out.index, dtype=object
    )
    family = [c for c in ("period", "metric") if c in out.columns]
    p_adj = np.full(m, np.nan)
    n_tests = np.zeros(m, dtype="int64")
    groups = out.groupby(family, sort=False, dropna=False).indices.values() if family else [np.arange(m)]
    for idx in groups:
        p_adj[idx] = adjust_p(p[idx], adjust)
        n_tests[idx] = comparisons(p[idx])
    out["p_adjusted"], out["comparisons"] = p_adj, n_tests
    significant = np.isfinite(p_adj) & (p_adj < alpha)
    out["significant"] = significant

    scale = 100.0 if rate_scale == "proportion" else 1.0
    detect = np.full(m, np.nan)
    if is_rate.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            pooled = (px[is_rate] + x[is_rate]) / (pn[is_rate] + n[is_rate])
        detect[is_rate] = 100.0 * min_detectable("rate", pn[is_rate], n[is_rate], p=pooled, alpha=alpha)
    if is_mean.any():
        detect[is_mean] = min_detectable("mean", pn[is_mean], n[is_mean], sd_a=psd[is_mean], sd_b=sd[is_mean],
                                         alpha=alpha)
    if clustered.any():  # the same factor, times the clustered standard error
        detect[clustered] = _detect_factor(alpha, POWER) * joint_se[clustered]
    detect = np.where(np.isfinite(p), detect, np.nan)
    out["min_detectable"] = detect
    metric_ids = out["metric"].to_numpy(object) if "metric" in out.columns else np.full(m, None, dtype=object)
    threshold = np.array([_mdd_for(mdd, mid, k) for mid, k in zip(metric_ids, kind)], dtype=float)
    too_few = ~significant & np.isfinite(p) & (detect > threshold)
    has_prev = out["prev_value"].notna().to_numpy()
    out["verdict"] = np.select(
        [~has_prev, ~np.isfinite(p), significant, too_few], ["no_previous", "untested", "significant", "too_few"],
        "normal")
    labels = []
    for k, c, pv_, few in zip(kind, change.to_numpy(float), p_adj, too_few):
        if k == "rate":
            labels.append(change_label(c * scale, pv_, alpha, "pp", too_few=bool(few)))
        elif k == "mean":
            labels.append(change_label(c, pv_, alpha, "points", too_few=bool(few)))
        else:
            labels.append(change_label(c, pv_, alpha, ""))
    out["label"] = pd.Series(labels, index=out.index, dtype=object)
    return out


def _mdd_for(mdd: float | dict[str, float] | None, metric: Any, kind: str) -> float:
    """The smallest change that matters for one row (see ``period_over_period``)."""
    if isinstance(mdd, (int, float)):
        return float(mdd)
    if isinstance(mdd, dict):
        if metric in mdd:
            return float(mdd[metric])
        if kind in mdd:
            return float(mdd[kind])
    return DEFAULT_MDD.get(kind, float("inf"))


def rolling(df: pd.DataFrame, window: int, min_periods: int | None = None) -> pd.DataFrame:
    """Rolling means over the last ``window`` periods of each level_key x metric series.

    The window counts rows (periods present in the data), ending at and
    including the current one; ``min_periods`` (default ``window``, as
    pandas) is the number of non-missing values needed, else NaN.

    Returns
    -------
    The input (sorted by level_key, metric, period) plus

    * ``rolling_value`` - unweighted mean of ``value`` over the window
    * ``rolling_weighted`` - n-weighted: ``sum(successes)/sum(n)`` for rates
      (the pooled proportion), ``sum(value * n)/sum(n)`` for other rows with
      ``n``; NaN without ``n``
    * ``rolling_n`` - ``sum(n)`` over the window (NaN without ``n``)
    * ``rolling_periods`` - how many non-missing values the window holds
    """
    if window < 1:
        raise ValueError("window must be >= 1")
    mp = window if min_periods is None else int(min_periods)
    out = _sorted(df)
    kind = _kinds(out)
    value, n, x = _col(out, "value"), _col(out, "n"), _col(out, "successes")
    num = np.where(kind == "rate", x, value * n)
    tmp = pd.DataFrame(
        {"v": value, "n": n, "num": num, "nw": np.where(np.isfinite(num), n, np.nan)}, index=out.index
    )
    grp = _groupby(out).ngroup()

    def roll(col: str, how: str, min_p: int) -> pd.Series:
        r = tmp[col].groupby(grp.to_numpy()).rolling(window, min_periods=min_p)
        res = getattr(r, how)()
        return res.reset_index(level=0, drop=True).reindex(out.index)

    out["rolling_value"] = roll("v", "mean", mp)
    sum_num, sum_n = roll("num", "sum", mp), roll("nw", "sum", mp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rolling_weighted"] = np.where(sum_n > 0, sum_num / sum_n, np.nan)
    out["rolling_n"] = roll("n", "sum", mp) if "n" in df.columns else np.nan
    out["rolling_periods"] = roll("v", "count", 0).astype("int64")
    return out
