"""Shewhart control charts and run rules (statistical process control).

One entry point, :func:`control_chart`, computes the centre line, the control
limits and the run-rule signals of the classic Shewhart charts:

=========  ===============================================  ====================
chart      ``values``                                       plotted ``value``
=========  ===============================================  ====================
xmr        one number per period                            the number
xbar_r     subgroups (a sequence of numbers per period)     subgroup mean
xbar_s     subgroups (a sequence of numbers per period)     subgroup mean
xbar_bw    as ``xbar_s`` (between/within sigma, for subgroup  subgroup mean
           means that vary more than the within spread says)
p          number of defective items (needs ``sizes``)      proportion d/n
np         number of defective items (needs ``sizes``)      count d
c          number of defects (constant opportunity)         count c
u          number of defects (needs ``sizes``)              rate c/n
p_prime    as ``p`` (Laney p', for over-dispersed data)     proportion d/n
u_prime    as ``u`` (Laney u', for over-dispersed data)     rate c/n
=========  ===============================================  ====================

The run rules are exported as data (:class:`Rule`, :data:`NELSON_RULES`,
:data:`WESTERN_ELECTRIC_RULES`): each rule carries its detector and its
English / Simplified Chinese wording, which :func:`explain_signals` uses.
:data:`ALERT_RULES` (:class:`AlertRules`) is the smaller rule set an alert
list applies, with its false alarms controlled over the whole list.

Nothing here imports streamlit; scipy is imported lazily, only by
:func:`dispersion_test` (and :func:`is_overdispersed` with its default method).

References
----------
* Montgomery, D. C. *Introduction to Statistical Quality Control*, Wiley
  (6th ed. 2009 / 8th ed. 2019): ch. 6 (x-bar, R, s, individuals charts),
  ch. 7 (p, np, c, u charts), Appendix VI (d2, c4).
* Laney, D. B. (2002). Improved control charts for attributes.
  *Quality Engineering* 14(4), 531-537.
* Minitab, "Methods for Between/Within Capability" and the I-MR-R/S
  (Between/Within) chart: sigma_between from the moving range of the
  subgroup means, sigma_within pooled.
* Nelson, L. S. (1984). The Shewhart control chart - tests for special
  causes. *Journal of Quality Technology* 16(4), 237-239.
* Western Electric Co. (1956). *Statistical Quality Control Handbook*.
* Scrucca, L. (2004). qcc: an R package for quality control charting and
  statistical process control. *R News* 4(1), 11-17.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "ALERT_RULES",
    "AlertRules",
    "CHARTS",
    "NELSON_RULES",
    "normalise_chart",
    "resolve_rules",
    "RULE_SETS",
    "Rule",
    "WESTERN_ELECTRIC_RULES",
    "between_variation_test",
    "between_within_sigma",
    "c4",
    "control_chart",
    "d2",
    "d3",
    "spread_chart",
    "dispersion_test",
    "explain_signals",
    "has_between_variation",
    "is_overdispersed",
    "overdispersion_ratio",
    "recommend_chart",
]

#: Chart types understood by :func:`control_chart`.
CHARTS: tuple[str, ...] = (
    "xmr", "xbar_r", "xbar_s", "r", "s", "p", "np", "c", "u", "p_prime", "u_prime", "xbar_bw",
)

_CHART_ALIASES = {
    "imr": "xmr", "i_mr": "xmr", "individuals": "xmr", "x_mr": "xmr",
    "xbar": "xbar_r", "xbarr": "xbar_r", "xbars": "xbar_s",
    "between_within": "xbar_bw", "xbar_between_within": "xbar_bw", "i_mr_r_s": "xbar_bw",
    "range": "r", "r_chart": "r", "s_chart": "s", "sd": "s", "stdev": "s",
    "p'": "p_prime", "laney_p": "p_prime", "pprime": "p_prime",
    "u'": "u_prime", "laney_u": "u_prime", "uprime": "u_prime",
}
_NEEDS_SIZES = ("p", "np", "u", "p_prime", "u_prime")
_SUBGROUP_CHARTS = ("xbar_r", "xbar_s", "r", "s", "xbar_bw")

#: d2(2) = 2 / sqrt(pi), the expected range of two standard normal variables.
_D2_2 = 2.0 / math.sqrt(math.pi)


# ---------------------------------------------------------------------------
# Bias-correction constants
# ---------------------------------------------------------------------------
def _check_n(n: Any, name: str) -> int:
    if isinstance(n, bool) or not float(n).is_integer() or n < 2:
        raise ValueError(f"{name}(n) needs an integer sample size n >= 2, got {n!r}")
    return int(n)


@cache
def _d2_cached(n: int) -> float:
    # The integrand 1 - Phi(x)^n - (1 - Phi(x))^n is even and analytic, so
    # integrate over [0, upper] by composite Gauss-Legendre quadrature (24
    # panels x 20 nodes: machine precision) and double. Beyond ``upper`` the
    # integrand is below n * Phi(-12) ~ 1e-33 n. Written with log1p / expm1
    # so the tails keep their precision; only the standard library and numpy.
    upper = 12.0 + math.sqrt(2.0 * math.log(n))
    nodes, weights = np.polynomial.legendre.leggauss(20)
    edges = np.linspace(0.0, upper, 25)
    half = np.diff(edges) / 2
    x = ((edges[:-1] + half)[:, None] + half[:, None] * nodes).ravel()
    w = (half[:, None] * weights).ravel()
    total = 0.0
    for xi, wi in zip(x.tolist(), w.tolist()):
        tail = 0.5 * math.erfc(xi / math.sqrt(2.0))  # 1 - Phi(x)
        value = -math.expm1(n * math.log1p(-tail))  # 1 - Phi(x)^n
        if tail > 0.0:
            value -= math.exp(n * math.log(tail))  # (1 - Phi(x))^n
        total += wi * value
    return 2.0 * total


def d2(n: int) -> float:
    """Expected range of ``n`` independent standard normal observations.

    .. math::

        d_2(n) = E[R/\\sigma]
               = \\int_{-\\infty}^{\\infty} 1 - \\Phi(x)^n - (1-\\Phi(x))^n \\, dx

    computed by numerical integration (as current versions of R's ``qcc``
    do), so it is exact to ~1e-13 for any ``n`` rather than a 3-decimal
    table value, and needs no scipy.
    ``d2(2) = 2/sqrt(pi) = 1.128379``, ``d2(5) = 2.325929``,
    ``d2(10) = 3.077505``.

    Parameters
    ----------
    n : int
        Subgroup size, ``n >= 2``.

    Returns
    -------
    float

    References
    ----------
    Montgomery, *Introduction to Statistical Quality Control*, Appendix VI
    (tabulated to 3 decimals for n = 2..25).
    """
    return _d2_cached(_check_n(n, "d2"))


@cache
def _d3_cached(n: int) -> float:
    from scipy import integrate, special

    def phi(x: float) -> float:
        return 0.5 * special.erfc(-x / math.sqrt(2.0))

    def f(x: float, y: float) -> float:  # P(min < x, max > y) for x < y, as 1 - ... (Tippett 1925)
        return 1.0 - phi(y) ** n - (1.0 - phi(x)) ** n + (phi(y) - phi(x)) ** n

    lim = 12.0 + math.sqrt(2.0 * math.log(n))
    second, _ = integrate.dblquad(lambda x, y: f(x, y), -lim, lim, lambda y: -lim, lambda y: y,
                                  epsabs=1e-12, epsrel=1e-12)
    return math.sqrt(max(2.0 * second - d2(n) ** 2, 0.0))


def d3(n: int) -> float:
    """Standard deviation of the range of ``n`` independent standard normal
    observations: ``d3(n)^2 = E[R^2] - d2(n)^2``, with
    ``E[R^2] = 2 * int int_{x<y} 1 - Phi(y)^n - (1 - Phi(x))^n + (Phi(y) - Phi(x))^n dx dy``,
    integrated numerically as R's ``qcc`` does.  ``d3(2) = 0.8525``,
    ``d3(5) = 0.8641``, ``d3(10) = 0.7971`` (Montgomery, Appendix VI).
    The R chart's limits are ``d2(n) sigma +/- 3 d3(n) sigma``."""
    return _d3_cached(_check_n(n, "d3"))


def c4(n: int) -> float:
    """Bias-correction constant of the sample standard deviation.

    .. math::

        c_4(n) = E[S/\\sigma] = \\sqrt{\\frac{2}{n-1}}\\,
                 \\frac{\\Gamma(n/2)}{\\Gamma((n-1)/2)}

    evaluated with log-gamma so that large ``n`` does not overflow.
    ``c4(5) = 0.939986``, ``c4(10) = 0.972659``.

    Parameters
    ----------
    n : int
        Subgroup size, ``n >= 2``.

    Returns
    -------
    float

    References
    ----------
    Montgomery, *Introduction to Statistical Quality Control*, Appendix VI.
    """
    n = _check_n(n, "c4")
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


# ---------------------------------------------------------------------------
# Run rules: one detector per rule
# ---------------------------------------------------------------------------
# Every detector takes (value, center, sigma, lcl, ucl), all 1-D float arrays
# of the same length, and returns an int8 array: +1 where the point completes
# (or continues) the pattern upwards / above the centre, -1 downwards / below,
# 0 where the rule is not violated. Non-directional rules return +1.


def _run_length(mask: np.ndarray) -> np.ndarray:
    """Length of the run of True values ending at each position (0 if False)."""
    idx = np.arange(mask.size)
    last_false = np.maximum.accumulate(np.where(mask, -1, idx))
    return idx - last_false


def _window_count(mask: np.ndarray, width: int) -> np.ndarray:
    """Number of True values among the last ``width`` points (fewer at the start)."""
    csum = np.cumsum(mask, dtype=np.int64)
    out = csum.copy()
    out[width:] -= csum[:-width]
    return out


def rule_beyond_limits(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray
) -> np.ndarray:
    """One point beyond the control limits (as reported: ``value > ucl`` or ``value < lcl``)."""
    out = np.zeros(value.size, dtype=np.int8)
    out[value > ucl] = 1
    out[value < lcl] = -1
    return out


def rule_same_side(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, length: int,
) -> np.ndarray:
    """``length`` points in a row strictly on one side of the centre line.

    A point exactly on the centre line breaks the run.
    """
    out = np.zeros(value.size, dtype=np.int8)
    out[_run_length(value > center) >= length] = 1
    out[_run_length(value < center) >= length] = -1
    return out


def rule_trend(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, length: int = 6,
) -> np.ndarray:
    """``length`` points in a row strictly increasing or decreasing (ties break the run)."""
    out = np.zeros(value.size, dtype=np.int8)
    if value.size < length:
        return out
    diff = np.diff(value)
    out[1:][_run_length(diff > 0) >= length - 1] = 1
    out[1:][_run_length(diff < 0) >= length - 1] = -1
    return out


def rule_alternating(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, length: int = 14,
) -> np.ndarray:
    """``length`` points in a row alternating up and down (``length - 1`` alternating steps)."""
    out = np.zeros(value.size, dtype=np.int8)
    if value.size < length:
        return out
    step = np.sign(np.diff(value))
    flips = step[1:] * step[:-1] < 0  # flips[j]: points j, j+1, j+2 zig-zag
    out[2:][_run_length(flips) >= length - 2] = 1
    return out


def rule_k_of_m(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, k: int, m: int, nsigma: float,
) -> np.ndarray:
    """``k`` of the last ``m`` points more than ``nsigma`` sigma from the centre, same side.

    The flagged point must itself be beyond ``nsigma`` sigma; at the start of
    the series the window holds the points available so far.
    """
    out = np.zeros(value.size, dtype=np.int8)
    above = value > center + nsigma * sigma
    below = value < center - nsigma * sigma
    out[above & (_window_count(above, m) >= k)] = 1
    out[below & (_window_count(below, m) >= k)] = -1
    return out


def rule_within_one_sigma(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, length: int = 15,
) -> np.ndarray:
    """``length`` points in a row strictly within one sigma of the centre line."""
    inside = (value > center - sigma) & (value < center + sigma)
    return (_run_length(inside) >= length).astype(np.int8)


def rule_beyond_one_sigma(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, length: int = 8,
) -> np.ndarray:
    """``length`` points in a row more than one sigma from the centre, either side."""
    outside = (value > center + sigma) | (value < center - sigma)
    return (_run_length(outside) >= length).astype(np.int8)


@dataclass(frozen=True)
class Rule:
    """A run rule: its number, wording and detector in one object.

    Attributes
    ----------
    number : int
        Rule number within its rule set (what ``signals`` lists).
    rule_set : str
        ``"nelson"`` or ``"western_electric"``.
    description_en, description_zh : str
        Short statement of the rule (English / Simplified Chinese).
    detect : callable
        ``detect(value, center, sigma, lcl, ucl) -> np.ndarray`` of int8:
        +1 (above / increasing), -1 (below / decreasing) or 0 per point.
        Non-directional rules return +1 where violated.
    up_en, down_en, up_zh, down_zh : str
        The wording for a signal upwards / downwards, used by
        :func:`explain_signals` (equal to the description for
        non-directional rules).
    """

    number: int
    rule_set: str
    description_en: str
    description_zh: str
    detect: Callable[..., np.ndarray] = field(repr=False, compare=False)
    up_en: str = ""
    down_en: str = ""
    up_zh: str = ""
    down_zh: str = ""

    def describe(self, lang: str = "en", direction: int = 0) -> str:
        """Wording of the rule; ``direction`` > 0 above/increasing, < 0 below/decreasing."""
        zh = _check_lang(lang) == "zh"
        if direction > 0:
            return (self.up_zh or self.description_zh) if zh else (self.up_en or self.description_en)
        if direction < 0:
            return (self.down_zh or self.description_zh) if zh else (self.down_en or self.description_en)
        return self.description_zh if zh else self.description_en



#: Nelson (1984) tests 1-8.
NELSON_RULES: tuple[Rule, ...] = (
    Rule(
        1, "nelson",
        "1 point beyond the 3σ control limits", "1个点超出3σ控制限",
        rule_beyond_limits,
        "above the upper control limit (beyond 3σ)",
        "below the lower control limit (beyond 3σ)",
        "高于上控制限（超出3σ）", "低于下控制限（超出3σ）",
    ),
    Rule(
        2, "nelson",
        "9 points in a row on one side of the center line", "连续9点落在中心线同一侧",
        partial(rule_same_side, length=9),
        "9 points in a row above the center line", "9 points in a row below the center line",
        "连续9点落在中心线上方", "连续9点落在中心线下方",
    ),
    Rule(
        3, "nelson",
        "6 points in a row steadily increasing or decreasing", "连续6点持续递增或递减",
        partial(rule_trend, length=6),
        "6 points in a row increasing", "6 points in a row decreasing",
        "连续6点递增", "连续6点递减",
    ),
    Rule(
        4, "nelson",
        "14 points in a row alternating up and down", "连续14点交替上下波动",
        partial(rule_alternating, length=14),
    ),
    Rule(
        5, "nelson",
        "2 out of 3 points in a row more than 2σ from the center line on the same side",
        "连续3点中有2点落在中心线同一侧2σ以外",
        partial(rule_k_of_m, k=2, m=3, nsigma=2.0),
        "2 out of 3 points more than 2σ above the center line",
        "2 out of 3 points more than 2σ below the center line",
        "连续3点中有2点落在中心线上方2σ以外", "连续3点中有2点落在中心线下方2σ以外",
    ),
    Rule(
        6, "nelson",
        "4 out of 5 points in a row more than 1σ from the center line on the same side",
        "连续5点中有4点落在中心线同一侧1σ以外",
        partial(rule_k_of_m, k=4, m=5, nsigma=1.0),
        "4 out of 5 points more than 1σ above the center line",
        "4 out of 5 points more than 1σ below the center line",
        "连续5点中有4点落在中心线上方1σ以外", "连续5点中有4点落在中心线下方1σ以外",
    ),
    Rule(
        7, "nelson",
        "15 points in a row within 1σ of the center line", "连续15点落在中心线两侧1σ以内",
        partial(rule_within_one_sigma, length=15),
    ),
    Rule(
        8, "nelson",
        "8 points in a row more than 1σ from the center line (either side)",
        "连续8点落在中心线两侧1σ以外（无点在1σ以内）",
        partial(rule_beyond_one_sigma, length=8),
    ),
)

#: Western Electric (1956) rules 1-4: Nelson 1, 5, 6 and an 8-point run on one side.
WESTERN_ELECTRIC_RULES: tuple[Rule, ...] = (
    replace(NELSON_RULES[0], rule_set="western_electric"),
    replace(NELSON_RULES[4], number=2, rule_set="western_electric"),
    replace(NELSON_RULES[5], number=3, rule_set="western_electric"),
    Rule(
        4, "western_electric",
        "8 points in a row on one side of the center line", "连续8点落在中心线同一侧",
        partial(rule_same_side, length=8),
        "8 points in a row above the center line", "8 points in a row below the center line",
        "连续8点落在中心线上方", "连续8点落在中心线下方",
    ),
)

#: Rule sets by name, as accepted by ``control_chart(rules=...)``.
RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "nelson": NELSON_RULES,
    "western_electric": WESTERN_ELECTRIC_RULES,
}


def rule_beyond_sigma(
    value: np.ndarray, center: np.ndarray, sigma: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
    *, nsigma: float,
) -> np.ndarray:
    """One point more than ``nsigma`` sigma from the centre line (an alert list's wider limit)."""
    out = np.zeros(value.size, dtype=np.int8)
    out[value > center + nsigma * sigma] = 1
    out[value < center - nsigma * sigma] = -1
    return out


@dataclass(frozen=True)
class AlertRules:
    """The rule set of an alert list, with its false alarms controlled over the whole list.

    Why not the chart page's eight Nelson rules: an alert list judges many
    charts x many periods at once (5 metrics x 78 weeks is 390 points; every
    team, 3,000).  Each Nelson rule has an in-control false-alarm rate of
    about 0.1-0.5% a point, so the list of an unchanged center would never
    be empty.  A list asks "what changed?", so it keeps the two rules that
    answer it -- a point far beyond the limits (Nelson 1) and a sustained
    shift (Nelson 2) -- and sizes both to the list (Bonferroni): with
    ``points`` judged points, each rule gets half of ``alpha``:

    * rule 1: a point beyond ``limit_sigma(points)`` = Phi^-1(1 - alpha / (4 points))
      sigma (two-sided alpha / 2 over the list), never below 3;
    * rule 2: ``run_length(points)`` = ceil(log2(2 points / alpha)) points in a
      row on one side of the center line (a point starts such a run with
      probability 0.5^r, so the expected number of chance runs is at most
      alpha / 2), never below 9.

    So ``alpha`` (5%) is the chance that the list of an in-control center
    shows anything at all; with a short window the rules are Nelson's own
    (a month of weeks, 20 points: 3.2σ and 10 in a row).  Every alert is
    also a rule 1 / rule 2 signal of the chart page (same numbers).  The
    zone, trend, zig-zag and stratification rules stay on the chart page:
    they describe a chart's shape, and with many charts they fire by chance.
    """

    name: str = "alerts"
    alpha: float = 0.05

    def limit_sigma(self, points: int) -> float:
        """Distance (in sigma) from the centre line beyond which a point is an alert."""
        from statistics import NormalDist

        per_point = self.alpha / 2 / max(int(points), 1)
        return max(3.0, NormalDist().inv_cdf(1.0 - per_point / 2))

    def run_length(self, points: int) -> int:
        """Points in a row on one side of the centre line that make an alert."""
        return max(9, math.ceil(math.log2(max(int(points), 1) / (self.alpha / 2))))

    def rules(self, points: int) -> tuple[Rule, ...]:
        """The two :class:`Rule` objects (numbers 1 and 2, as Nelson's) for a list of ``points``."""
        z, r = self.limit_sigma(points), self.run_length(points)
        zs = f"{z:.1f}".rstrip("0").rstrip(".")
        return (
            Rule(
                1, self.name,
                f"1 point beyond {zs}σ (the alert limit)", f"1个点超出{zs}σ（报警限）",
                partial(rule_beyond_sigma, nsigma=z),
                f"far above the upper control limit (beyond {zs}σ)",
                f"far below the lower control limit (beyond {zs}σ)",
                f"远高于上控制限（超出{zs}σ）", f"远低于下控制限（超出{zs}σ）",
            ),
            Rule(
                2, self.name,
                f"{r} points in a row on one side of the center line", f"连续{r}点落在中心线同一侧",
                partial(rule_same_side, length=r),
                f"{r} points in a row above the center line", f"{r} points in a row below the center line",
                f"连续{r}点落在中心线上方", f"连续{r}点落在中心线下方",
            ),
        )


#: The Overview's alert list: :class:`AlertRules` at a 5% false-alarm chance per list.
ALERT_RULES = AlertRules()


def resolve_rules(rules: str | None) -> str | None:
    """A rule set's canonical name (``we`` -> ``western_electric``), None for none."""
    if rules is None:
        return None
    if not isinstance(rules, str):
        raise ValueError(f"rules must be 'nelson', 'western_electric' or None, got {rules!r}")
    key = rules.strip().lower().replace("-", "_").replace(" ", "_")
    if key in ("we", "western", "westernelectric"):
        key = "western_electric"
    if key == "none":
        return None
    if key not in RULE_SETS:
        raise ValueError(
            f"unknown rule set {rules!r}; use 'nelson' (rules 1-8), "
            "'western_electric' (rules 1-4) or None"
        )
    return key


def _check_lang(lang: str) -> str:
    key = str(lang).strip().lower().replace("_", "-")
    if key in ("en", "en-us", "en-gb", "english"):
        return "en"
    if key in ("zh", "zh-cn", "zh-hans", "chinese"):
        return "zh"
    raise ValueError(f"unsupported language {lang!r}; use 'en' or 'zh-CN'")


# ---------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------
def normalise_chart(chart: Any) -> str:
    """A chart's canonical name (``imr`` -> ``xmr``, ``p'`` -> ``p_prime``...)."""
    if not isinstance(chart, str):
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}; got {chart!r}")
    key = chart.strip().lower().replace("-", "_").replace(" ", "_").replace("\u2032", "'")
    key = _CHART_ALIASES.get(key, key)
    if key not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}")
    return key


def _as_1d(x: Any, name: str, chart: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of numbers, got a string")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        hint = (" (for subgroups use chart='xbar_r' or 'xbar_s')"
                if name == "values" and chart not in _SUBGROUP_CHARTS else "")
        raise ValueError(f"{name} must be a 1-D sequence of numbers{hint}: {exc}") from None
    if arr.ndim != 1:
        hint = (" - for subgroups use chart='xbar_r' or 'xbar_s'"
                if name == "values" else "")
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}{hint}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a control chart needs at least one point")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"{name} contains NaN or infinite values at positions {bad[:10].tolist()}")
    return arr


def _as_subgroups(values: Any, chart: str) -> list[np.ndarray]:
    """Subgroups as a list of 1-D float arrays; NaN entries are dropped (padding)."""
    if isinstance(values, pd.DataFrame):
        rows: Sequence[Any] = [row for row in values.to_numpy(dtype=float)]
    elif isinstance(values, pd.Series):
        rows = list(values.to_numpy(dtype=object))
    elif isinstance(values, np.ndarray) and values.ndim == 2:
        rows = list(values)
    elif isinstance(values, (str, bytes)):
        raise ValueError(f"{chart} expects a sequence of subgroups, got a string")
    else:
        try:
            rows = list(values)
        except TypeError:
            raise ValueError(f"{chart} expects a sequence of subgroups, got {type(values).__name__}") from None
    if not rows:
        raise ValueError(f"values is empty: {chart} needs at least one subgroup")
    groups = []
    for i, row in enumerate(rows):
        if np.ndim(row) == 0:
            raise ValueError(
                f"{chart} expects a sequence of subgroups (each a sequence of numbers); "
                f"item {i} is a single number - use chart='xmr' for one value per period"
            )
        try:
            g = np.asarray(row, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ValueError(f"subgroup {i} must contain numbers only") from None
        if np.isinf(g).any():
            raise ValueError(f"subgroup {i} contains infinite values")
        g = g[~np.isnan(g)]
        if g.size == 0:
            raise ValueError(f"subgroup {i} is empty (every subgroup needs at least one observation)")
        groups.append(g)
    return groups


def _check_baseline(baseline: Any, m: int) -> int:
    """Number of points the limits are computed from (``m`` when no baseline)."""
    if baseline is None:
        return m
    if isinstance(baseline, bool) or not isinstance(baseline, (int, np.integer)):
        raise ValueError(f"baseline must be an integer number of points, got {baseline!r}")
    k = int(baseline)
    if k < 2:
        raise ValueError(f"baseline must be at least 2 points, got {k}")
    if k > m:
        raise ValueError(f"baseline={k} is larger than the number of points ({m})")
    return k


def _check_counts(counts: np.ndarray, sizes: np.ndarray | None, chart: str) -> None:
    if (counts < 0).any():
        raise ValueError(f"{chart} chart counts must be non-negative")
    if sizes is not None and (sizes <= 0).any():
        raise ValueError(f"sizes must be positive (position {int(np.argmax(sizes <= 0))})")
    if chart in ("p", "np", "p_prime"):
        frac = np.flatnonzero(counts != np.round(counts))
        if frac.size:
            raise ValueError(
                f"{chart} chart values must be counts of defective items (whole numbers), "
                f"got {counts[frac[0]]!r} at position {int(frac[0])}; pass counts, not proportions"
            )
        over = np.flatnonzero(counts > sizes)
        if over.size:
            i = int(over[0])
            raise ValueError(
                f"defective count {counts[i]:g} exceeds the subgroup size {sizes[i]:g} at position {i}"
            )


# ---------------------------------------------------------------------------
# Chart families
# ---------------------------------------------------------------------------
@dataclass
class _Limits:
    value: np.ndarray
    center: np.ndarray
    sigma: np.ndarray  # sigma of the plotted statistic, per point, before clipping
    lcl: np.ndarray
    ucl: np.ndarray
    n: np.ndarray
    sigma_hat: float  # process sigma (xmr, xbar; within-subgroup for xbar_bw) or Laney sigma_z; NaN otherwise
    sigma_between: float = float("nan")  # xbar_bw: sigma of the subgroup means between subgroups


def _individuals_chart(x: np.ndarray, k: int) -> _Limits:
    """Individuals chart with moving-range sigma (Montgomery ch. 6).

    center = mean(x_1..x_k);  sigma = mean(|x_i - x_{i-1}|) / d2(2);
    limits = center +/- 3 sigma (never clipped).
    """
    if x.size < 2:
        raise ValueError("xmr needs at least 2 points to compute a moving range")
    ref = x[:k]
    sigma_hat = float(np.mean(np.abs(np.diff(ref)))) / _D2_2
    center = np.full(x.size, float(np.mean(ref)))
    sigma = np.full(x.size, sigma_hat)
    return _Limits(x, center, sigma, center - 3 * sigma, center + 3 * sigma,
                   np.ones(x.size), sigma_hat)


def _xbar_chart(groups: list[np.ndarray], k: int, estimator: str) -> _Limits:
    """x-bar chart with R- or S-based sigma, sizes may vary (Montgomery ch. 6; qcc).

    center = sum(n_i xbar_i) / sum(n_i) over the baseline subgroups;
    sigma  = mean_i R_i / d2(n_i)   (estimator "r", qcc "UWAVE-R") or
             mean_i S_i / c4(n_i)   (estimator "s", qcc "UWAVE-SD"),
    the unweighted mean over baseline subgroups with n_i >= 2;
    limits = center +/- 3 sigma / sqrt(n_i) (never clipped).
    """
    n = np.array([g.size for g in groups])
    flat = np.concatenate(groups)
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    ids = np.repeat(np.arange(n.size), n)
    means = np.bincount(ids, weights=flat) / n

    ref = np.arange(n.size) < k
    usable = ref & (n >= 2)
    if not usable.any():
        raise ValueError(
            f"{ {'r': 'xbar_r', 's': 'xbar_s'}.get(estimator, 'xbar_bw') } needs at least one subgroup with "
            "2 or more observations (within the baseline) to estimate sigma"
        )
    if estimator == "bw":
        sds = np.full(n.size, np.nan)
        sq_all = np.bincount(ids, weights=(flat - means[ids]) ** 2)
        sds[n >= 2] = np.sqrt(sq_all[n >= 2] / (n[n >= 2] - 1))
        center = np.full(n.size, float(np.sum(n[ref] * means[ref]) / np.sum(n[ref])))
        within, between = between_within_sigma(means, sds, n, k)
        sigma = np.sqrt(between ** 2 + within ** 2 / n)
        return _Limits(means, center, sigma, center - 3 * sigma, center + 3 * sigma,
                       n.astype(float), within, between)
    if estimator == "r":
        ranges = np.maximum.reduceat(flat, starts) - np.minimum.reduceat(flat, starts)
        const = np.array([d2(s) for s in n[usable]])
        sigma_hat = float(np.mean(ranges[usable] / const))
    else:
        sq = np.bincount(ids, weights=(flat - means[ids]) ** 2)
        sd = np.sqrt(sq[usable] / (n[usable] - 1))
        const = np.array([c4(s) for s in n[usable]])
        sigma_hat = float(np.mean(sd / const))

    center = np.full(n.size, float(np.sum(n[ref] * means[ref]) / np.sum(n[ref])))
    sigma = sigma_hat / np.sqrt(n)
    return _Limits(means, center, sigma, center - 3 * sigma, center + 3 * sigma,
                   n.astype(float), sigma_hat)


def spread_chart(spreads: np.ndarray, n: np.ndarray, k: int, estimator: str) -> _Limits:
    """R or S chart of subgroup ranges / standard deviations (Montgomery
    ch. 6; R ``qcc`` "R" and "S" charts), sizes may vary.

    sigma  = mean_i R_i / d2(n_i) (resp. S_i / c4(n_i)) over the baseline
    subgroups with n_i >= 2, as the x-bar chart beside it;
    center = sum(n_i R_i) / sum(n_i) (resp. S_i) over those subgroups;
    limits = center +/- 3 d3(n_i) sigma (resp. 3 sqrt(1 - c4(n_i)^2) sigma),
    the lower one clipped at 0 -- with constant n these are D3 R-bar, D4
    R-bar and B3 S-bar, B4 S-bar of the tables.  A subgroup of one
    observation has no spread: its point and limits are NaN."""
    spreads, n = np.asarray(spreads, dtype=float), np.asarray(n, dtype=float)
    ref = np.arange(n.size) < k
    usable = ref & (n >= 2) & np.isfinite(spreads)
    if not usable.any():
        raise ValueError(f"the {estimator} chart needs at least one subgroup with 2 or more observations "
                         "(within the baseline)")
    sizes = n[usable].astype(int)
    const = np.array([d2(int(v)) if estimator == "r" else c4(int(v)) for v in sizes])
    sigma_hat = float(np.mean(spreads[usable] / const))
    center_value = float(np.sum(n[usable] * spreads[usable]) / np.sum(n[usable]))
    ok = n >= 2
    se = np.full(n.size, np.nan)
    se[ok] = [d3(int(v)) if estimator == "r" else math.sqrt(max(1.0 - c4(int(v)) ** 2, 0.0)) for v in n[ok]]
    sigma = se * sigma_hat
    center = np.full(n.size, center_value)
    value = np.where(ok, spreads, np.nan)
    return _Limits(value, center, sigma, np.maximum(center - 3 * sigma, 0.0), center + 3 * sigma, n, sigma_hat)


def _laney_sigma_z(rate: np.ndarray, center: float, sigma_point: np.ndarray) -> float:
    """Laney's sigma_z = mean |z_i - z_{i-1}| / d2(2), z_i = (rate_i - center) / sigma_i.

    NaN when sigma_i is zero (centre at 0, or at 1 for proportions).
    """
    if rate.size < 2 or not np.all(sigma_point > 0):
        return float("nan")
    z = (rate - center) / sigma_point
    return float(np.mean(np.abs(np.diff(z)))) / _D2_2


def _binomial_chart(counts: np.ndarray, sizes: np.ndarray, k: int, chart: str) -> _Limits:
    """p, np and Laney p' charts (Montgomery ch. 7; Laney 2002).

    pbar = sum(d_1..d_k) / sum(n_1..n_k);  sigma_p,i = sqrt(pbar (1 - pbar) / n_i)
    p : value d_i/n_i, limits pbar +/- 3 sigma_p,i, clipped to [0, 1]
    np: value d_i,     limits n_i pbar +/- 3 n_i sigma_p,i, clipped to [0, n_i]
    p': sigma_p,i multiplied by sigma_z (see :func:`overdispersion_ratio`).
    """
    pbar = float(counts[:k].sum() / sizes[:k].sum())
    sigma = np.sqrt(pbar * (1.0 - pbar) / sizes)
    sigma_hat = float("nan")
    if chart == "p_prime":
        if counts.size < 2:
            raise ValueError("p_prime needs at least 2 points to compute a moving range")
        sigma_hat = _laney_sigma_z(counts[:k] / sizes[:k], pbar, sigma[:k])
        sigma = sigma * (1.0 if math.isnan(sigma_hat) else sigma_hat)
    if chart == "np":
        value, center, sigma = counts, sizes * pbar, sizes * sigma
        upper_cap = sizes
    else:
        value, center, upper_cap = counts / sizes, np.full(counts.size, pbar), np.ones(counts.size)
    lcl = np.maximum(center - 3 * sigma, 0.0)
    ucl = np.minimum(center + 3 * sigma, upper_cap)
    return _Limits(value, center, sigma, lcl, ucl, sizes, sigma_hat)


def _poisson_chart(counts: np.ndarray, sizes: np.ndarray | None, k: int, chart: str) -> _Limits:
    """c, u and Laney u' charts (Montgomery ch. 7; Laney 2002).

    c : cbar = mean(c_1..c_k), limits cbar +/- 3 sqrt(cbar), lower clipped at 0
    u : ubar = sum(c_1..c_k) / sum(n_1..n_k), value c_i/n_i,
        limits ubar +/- 3 sqrt(ubar / n_i), lower clipped at 0
    u': sqrt(ubar / n_i) multiplied by sigma_z (see :func:`overdispersion_ratio`).
    """
    sigma_hat = float("nan")
    if chart == "c":
        n = np.ones(counts.size) if sizes is None else sizes
        value = counts
        center = np.full(counts.size, float(np.mean(counts[:k])))
        sigma = np.sqrt(center)
    else:
        n = sizes
        ubar = float(counts[:k].sum() / sizes[:k].sum())
        value = counts / sizes
        center = np.full(counts.size, ubar)
        sigma = np.sqrt(ubar / sizes)
        if chart == "u_prime":
            if counts.size < 2:
                raise ValueError("u_prime needs at least 2 points to compute a moving range")
            sigma_hat = _laney_sigma_z(value[:k], ubar, sigma[:k])
            sigma = sigma * (1.0 if math.isnan(sigma_hat) else sigma_hat)
    lcl = np.maximum(center - 3 * sigma, 0.0)
    ucl = center + 3 * sigma
    return _Limits(value, center, sigma, lcl, ucl, n, sigma_hat)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def control_chart(
    values: ArrayLike | Sequence[Sequence[float]],
    chart: str,
    sizes: ArrayLike | None = None,
    rules: str | None = "nelson",
    baseline: int | None = None,
) -> pd.DataFrame:
    """Shewhart control chart: centre line, 3-sigma limits and run-rule signals.

    Parameters
    ----------
    values : array-like
        * ``xmr``: one number per period.
        * ``xbar_r``, ``xbar_s``, ``xbar_bw``, ``r``, ``s``: one subgroup per period, each
          a sequence of numbers (list of lists, 2-D array with NaN padding,
          DataFrame with one row per subgroup, or a Series of lists). Sizes
          may differ.  ``r`` and ``s`` chart the subgroups' ranges and
          standard deviations (the chart beneath an x-bar chart).
        * ``p``, ``np``, ``p_prime``: the **number of defective items** in
          each subgroup (whole numbers, ``0 <= d_i <= n_i``), *not* the
          proportion; ``value`` reports the proportion for p / p'.
        * ``c``, ``u``, ``u_prime``: the number of defects (nonconformities).
        When ``values`` is a pandas Series or DataFrame its index is kept.
    chart : {'xmr', 'xbar_r', 'xbar_s', 'xbar_bw', 'r', 's', 'p', 'np', 'c', 'u', 'p_prime', 'u_prime'}
        Chart type (case-insensitive; ``"p'"`` and ``"u'"`` are accepted).
    sizes : array-like, optional
        Subgroup sizes n_i (items inspected, or units of opportunity for u).
        Required for p, np, u, p_prime, u_prime. For c it may be given only
        if constant (use u when the area of opportunity varies). Not used by
        xmr / xbar charts (their sizes come from the data).
    rules : {'nelson', 'western_electric', None}
        Run-rule set applied to every point; None disables the rules.
    baseline : int, optional
        Phase I / phase II: compute centre and limits from the first
        ``baseline`` points only (``>= 2``) and apply them to all points.
        The rules run over the whole series (runs may cross the boundary).

    Returns
    -------
    pandas.DataFrame
        One row per point, columns:

        * ``value`` - plotted statistic (x, subgroup mean, d/n, d, c or c/n).
        * ``center`` - centre line.
        * ``lcl``, ``ucl`` - 3-sigma control limits as reported (lower limit
          clipped at 0 for p, np, c, u, p', u'; upper limit capped at 1 for p
          and p', at n_i for np; x-bar and individuals are never clipped).
        * ``signals`` - list of the rule numbers (of the chosen rule set) that
          the point violates; ``[]`` when none.
        * ``n`` - subgroup size (1 for xmr, and for c without ``sizes``).
        * ``sigma`` - sigma of the plotted statistic at that point, before any
          clipping: ``(ucl - center) / 3`` for unclipped limits.
        * ``in_baseline`` - True for the points the limits were computed from.

        ``df.attrs`` holds ``chart``, ``rules``, ``baseline`` and
        ``sigma_hat`` (process sigma for xmr / x-bar, the within-subgroup
        sigma for xbar_bw, Laney sigma_z for p' / u', NaN otherwise); xbar_bw
        adds ``sigma_between``.

    Notes
    -----
    Formulas (Montgomery, ch. 6-7; identical to R ``qcc``):

    * xmr: CL = mean(x), sigma = mean moving range / d2(2), d2(2) = 1.128379.
    * xbar_bw (between/within, Minitab's I-MR-R/S chart of the means): CL as
      xbar_s; sigma_i = sqrt(sigma_between^2 + sigma_within^2 / n_i), see
      :func:`between_within_sigma`.
    * xbar_r / xbar_s: CL = sum(n_i xbar_i) / sum(n_i); sigma = unweighted mean
      of R_i/d2(n_i) (resp. S_i/c4(n_i)) over subgroups with n_i >= 2 (a
      subgroup of one observation is plotted but carries no within-subgroup
      information); limits CL +/- 3 sigma / sqrt(n_i).
    * p: pbar = sum d_i / sum n_i, limits pbar +/- 3 sqrt(pbar (1 - pbar) / n_i).
    * np: n_i pbar +/- 3 sqrt(n_i pbar (1 - pbar)).
    * c: cbar +/- 3 sqrt(cbar).  u: ubar = sum c_i / sum n_i, ubar +/- 3 sqrt(ubar / n_i).
    * p' / u' (Laney 2002): z_i = (p_i - pbar) / sigma_p,i,
      sigma_z = mean |z_i - z_{i-1}| / d2(2), limits pbar +/- 3 sigma_z sigma_p,i
      (likewise with sqrt(ubar / n_i)). If pbar is 0 or 1 (no variation at
      all) sigma_z is undefined and p' falls back to the p chart.

    Run rules use each point's own ``sigma`` (so varying n works), strict
    comparisons, and flag a point when it completes the pattern and for as
    long as the pattern continues; see :data:`NELSON_RULES` and
    :data:`WESTERN_ELECTRIC_RULES`. In the "k of m" rules the flagged point is
    itself beyond the zone; at the start of the series the window holds the
    points available so far.

    References
    ----------
    Montgomery, D. C. *Introduction to Statistical Quality Control*, ch. 6-7.
    Laney, D. B. (2002). Improved control charts for attributes. *Quality
    Engineering* 14(4), 531-537. Nelson, L. S. (1984), *J. Quality
    Technology* 16(4), 237-239.

    Examples
    --------
    >>> from qa_analytics.stats.spc import control_chart
    >>> df = control_chart([12, 15, 8, 10, 4, 7], "p", sizes=[50] * 6)
    >>> round(float(df["center"].iloc[0]), 4)
    0.1867
    """
    key = normalise_chart(chart)
    rule_key = resolve_rules(rules)
    index = values.index if isinstance(values, (pd.Series, pd.DataFrame)) else None

    if key in _SUBGROUP_CHARTS:
        if sizes is not None:
            raise ValueError(f"sizes is not used by {key}: subgroup sizes come from the subgroups")
        groups = _as_subgroups(values, key)
        k = _check_baseline(baseline, len(groups))
        if key in ("r", "s"):
            sizes_ = np.array([g.size for g in groups], dtype=float)
            spreads = np.array([float(np.ptp(g)) if key == "r" else (float(np.std(g, ddof=1)) if g.size > 1
                                                                     else np.nan) for g in groups])
            lim = spread_chart(spreads, sizes_, k, key)
        else:
            lim = _xbar_chart(groups, k, {"xbar_r": "r", "xbar_s": "s"}.get(key, "bw"))
    else:
        x = _as_1d(values, "values", key)
        k = _check_baseline(baseline, x.size)
        n: np.ndarray | None = None
        if key in _NEEDS_SIZES:
            if sizes is None:
                raise ValueError(f"the {key} chart needs sizes (the subgroup size of each point)")
        if sizes is not None:
            if key == "xmr":
                raise ValueError("sizes is not used by xmr (one observation per point)")
            n = _as_1d(sizes, "sizes", key)
            if n.size != x.size:
                raise ValueError(
                    f"values and sizes must have the same length, got {x.size} and {n.size}"
                )
            if key == "c" and np.ptp(n) > 0:
                raise ValueError(
                    "the c chart assumes a constant area of opportunity; "
                    "sizes vary, use chart='u'"
                )
        if key == "xmr":
            lim = _individuals_chart(x, k)
        else:
            _check_counts(x, n, key)
            if key in ("p", "np", "p_prime"):
                lim = _binomial_chart(x, n, k, key)
            else:
                lim = _poisson_chart(x, n, k, key)

    m = lim.value.size
    signals = _apply_rules(RULE_SETS[rule_key] if rule_key else (), lim)
    df = pd.DataFrame(
        {
            "value": lim.value,
            "center": lim.center,
            "lcl": lim.lcl,
            "ucl": lim.ucl,
            "signals": signals,
            "n": lim.n,
            "sigma": lim.sigma,
            "in_baseline": np.arange(m) < k,
        },
        index=index if index is not None and len(index) == m else None,
    )
    df.attrs.update(
        chart=key, rules=rule_key, baseline=None if baseline is None else k,
        sigma_hat=lim.sigma_hat,
    )
    if key == "xbar_bw":
        df.attrs["sigma_between"] = lim.sigma_between
    return df


def _apply_rules(rule_set: Sequence[Rule], lim: _Limits) -> np.ndarray:
    """Object array holding, for each point, the list of violated rule numbers."""
    m = lim.value.size
    out = np.empty(m, dtype=object)
    if not rule_set:
        for i in range(m):
            out[i] = []
        return out
    hits = np.vstack([
        r.detect(lim.value, lim.center, lim.sigma, lim.lcl, lim.ucl) != 0 for r in rule_set
    ])
    numbers = [r.number for r in rule_set]
    for i in range(m):
        out[i] = [numbers[j] for j in np.flatnonzero(hits[:, i])]
    return out


def explain_signals(df: pd.DataFrame, lang: str = "en", rules: str | None = None) -> list[str]:
    """Plain-language sentences for every signal in a :func:`control_chart` result.

    One sentence per (point, rule), in point order, e.g.
    ``"Point 12: 9 points in a row below the center line"`` or, with
    ``lang="zh-CN"``, ``"第12点：连续9点落在中心线下方"``. Points are numbered
    from 1; when ``df`` has a non-default index the label is added, e.g.
    ``"Point 3 (2024-05-06): ..."``.

    Directions (above / below, increasing / decreasing) are recomputed by the
    rule objects from the ``value``, ``center``, ``sigma``, ``lcl`` and
    ``ucl`` columns; if those are missing (or ``df`` is a slice that cuts the
    run) the rule's general description is used.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`control_chart` (at least the ``signals`` column).
    lang : {'en', 'zh-CN'}
        Language of the sentences.
    rules : {'nelson', 'western_electric'}, optional
        Rule set the numbers refer to; defaults to ``df.attrs["rules"]``, then
        ``"nelson"``.

    Returns
    -------
    list of str
    """
    language = _check_lang(lang)
    if "signals" not in df.columns:
        raise ValueError("df has no 'signals' column; pass the output of control_chart()")
    key = resolve_rules(rules if rules is not None else (df.attrs.get("rules") or "nelson"))
    by_number = {r.number: r for r in RULE_SETS[key or "nelson"]}
    has_zones = {"value", "center", "sigma", "lcl", "ucl"} <= set(df.columns)
    arrays = (
        [df[c].to_numpy(dtype=float) for c in ("value", "center", "sigma", "lcl", "ucl")]
        if has_zones else None
    )
    default_index = isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1
    directions: dict[int, np.ndarray] = {}
    out: list[str] = []
    for pos, (label, sig) in enumerate(zip(df.index, df["signals"])):
        for number in sig:
            rule = by_number.get(int(number))
            if rule is None:
                raise ValueError(f"rule {number} does not exist in the {key} rule set")
            direction = 0
            if arrays is not None:
                if rule.number not in directions:
                    directions[rule.number] = rule.detect(*arrays)
                direction = int(directions[rule.number][pos])
            text = rule.describe(language, direction)
            point = f"Point {pos + 1}" if language == "en" else f"第{pos + 1}点"
            if not default_index:
                point += f" ({_format_label(label)})" if language == "en" else f"（{_format_label(label)}）"
            out.append(f"{point}: {text}" if language == "en" else f"{point}：{text}")
    return out


def _format_label(label: Any) -> str:
    if isinstance(label, pd.Timestamp) and label == label.normalize():
        return label.strftime("%Y-%m-%d")
    return str(label)


# ---------------------------------------------------------------------------
# Between-subgroup variation of means (the x-bar analogue of Laney)
# ---------------------------------------------------------------------------
def _mean_summaries(means: ArrayLike, sds: ArrayLike, sizes: ArrayLike) -> tuple[np.ndarray, ...]:
    m = np.asarray(means, dtype=float)
    s = np.asarray(sds, dtype=float)
    n = np.asarray(sizes, dtype=float)
    if not (m.shape == s.shape == n.shape) or m.ndim != 1:
        raise ValueError("means, sds and sizes must be 1-D and of the same length")
    if m.size < 2:
        raise ValueError("at least 2 subgroups are needed to assess between-subgroup variation")
    if not np.all(np.isfinite(m)) or (n < 1).any():
        raise ValueError("means must be finite and sizes at least 1")
    return m, s, n


def between_within_sigma(means: ArrayLike, sds: ArrayLike, sizes: ArrayLike,
                         baseline: int | None = None) -> tuple[float, float]:
    """``(sigma_within, sigma_between)`` of subgroup data, from per-subgroup summaries.

    Why: with large subgroups the x-bar limits sigma_within / sqrt(n) are
    very narrow, and real subgroup means also vary *between* subgroups
    (different agents, days, topics), so an x-bar/S chart flags ordinary
    weeks.  Minitab's between/within method:

    .. math::

        \\sigma_{within} = \\frac{S_p}{c_4(d+1)},\\quad
        S_p = \\sqrt{\\frac{\\sum (n_i-1) S_i^2}{d}},\\quad d = \\sum (n_i - 1)

        \\sigma_{\\bar x} = \\overline{MR}(\\bar x) / d_2(2), \\qquad
        \\sigma_{between} = \\sqrt{\\max(\\sigma_{\\bar x}^2 - \\sigma_{within}^2 / \\tilde n,\\ 0)}

    over the first ``baseline`` subgroups (all when None); ``S_i`` is
    NaN (ignored) for a subgroup of one value.  With unequal sizes
    :math:`\\tilde n` is the harmonic mean of the sizes: the expected squared
    moving range of two means is :math:`2\\sigma_b^2 + \\sigma_w^2 (1/n_i + 1/n_{i-1})`.
    A mean of ``n`` values then has sigma ``sqrt(sigma_between^2 + sigma_within^2 / n)``.
    """
    m, s, n = _mean_summaries(means, sds, sizes)
    k = m.size if baseline is None else _check_baseline(baseline, m.size)
    m, s, n = m[:k], s[:k], n[:k]
    usable = (n >= 2) & np.isfinite(s)
    if not usable.any():
        raise ValueError("xbar_bw needs at least one subgroup with 2 or more observations (within the baseline)")
    dof = float(np.sum(n[usable] - 1))
    pooled = math.sqrt(float(np.sum((n[usable] - 1) * s[usable] ** 2)) / dof)
    within = pooled / c4(int(dof) + 1)
    sigma_xbar = float(np.mean(np.abs(np.diff(m)))) / _D2_2
    harmonic = float(n.size / np.sum(1.0 / n))
    between = math.sqrt(max(sigma_xbar ** 2 - within ** 2 / harmonic, 0.0))
    return within, between


def between_variation_test(means: ArrayLike, sds: ArrayLike, sizes: ArrayLike) -> pd.DataFrame:
    """One-way ANOVA F test that the subgroup means vary more than their within spread says.

    .. math::

        F = \\frac{\\sum n_i (\\bar x_i - \\bar x)^2 / (m - 1)}
                 {\\sum (n_i - 1) S_i^2 / (N - m)} \\sim F_{m-1,\\,N-m}

    (the random-effects test of sigma_between = 0; for means what the
    Pearson dispersion test, :func:`dispersion_test`, is for rates).
    One-sided: a small p-value means between-subgroup variation.

    Returns
    -------
    pandas.DataFrame
        One row: ``periods`` (m), ``f``, ``dof_between`` (m - 1),
        ``dof_within`` (N - m over the subgroups with a spread), ``pval``,
        ``sigma_within`` and ``sigma_between`` (:func:`between_within_sigma`).
    """
    from scipy import special

    m, s, n = _mean_summaries(means, sds, sizes)
    usable = (n >= 2) & np.isfinite(s)
    grand = float(np.sum(n * m) / np.sum(n))
    dof_b = m.size - 1
    dof_w = float(np.sum(n[usable] - 1))
    ss_w = float(np.sum((n[usable] - 1) * s[usable] ** 2))
    if dof_w <= 0 or ss_w <= 0:
        raise ValueError("the between-variation test needs subgroups with a within-subgroup spread")
    f = (float(np.sum(n * (m - grand) ** 2)) / dof_b) / (ss_w / dof_w)
    within, between = between_within_sigma(m, s, n)
    return pd.DataFrame({
        "periods": [m.size], "f": [f], "dof_between": [dof_b], "dof_within": [dof_w],
        "pval": [float(special.fdtrc(dof_b, dof_w, f))],
        "sigma_within": [within], "sigma_between": [between],
    })


def has_between_variation(means: ArrayLike, sds: ArrayLike, sizes: ArrayLike, alpha: float = 0.01) -> bool:
    """Whether an x-bar/S chart would understate the spread of the means (switch to ``xbar_bw``):
    :func:`between_variation_test` significant at ``alpha`` (1%, as
    :func:`is_overdispersed` for rates).  Too little data (no within spread) is never."""
    try:
        return bool(between_variation_test(means, sds, sizes)["pval"].iloc[0] < alpha)
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# Over-dispersion (Laney) and chart choice
# ---------------------------------------------------------------------------
def _attribute_inputs(counts: ArrayLike, sizes: ArrayLike, kind: str) -> tuple[np.ndarray, np.ndarray, str]:
    if kind not in ("p", "u"):
        raise ValueError(f"kind must be 'p' (defectives) or 'u' (defects), got {kind!r}")
    x = _as_1d(counts, "counts", kind)
    n = _as_1d(sizes, "sizes", kind)
    if x.size != n.size:
        raise ValueError(f"counts and sizes must have the same length, got {x.size} and {n.size}")
    if x.size < 2:
        raise ValueError("at least 2 points are needed to assess over-dispersion")
    _check_counts(x, n, kind)
    return x, n, kind


def overdispersion_ratio(counts: ArrayLike, sizes: ArrayLike, kind: str = "p") -> float:
    """Laney's sigma_z: spread of the standardised points relative to binomial / Poisson.

    .. math::

        z_i = \\frac{r_i - \\bar r}{\\sigma_i}, \\qquad
        \\sigma_Z = \\frac{\\overline{MR}(z)}{d_2(2)} = \\frac{\\overline{|z_i - z_{i-1}|}}{1.128}

    with :math:`r_i = d_i / n_i`, :math:`\\sigma_i = \\sqrt{\\bar p(1-\\bar p)/n_i}`
    for ``kind="p"``, and :math:`\\sigma_i = \\sqrt{\\bar u / n_i}` for
    ``kind="u"``. About 1 when the data follow the binomial / Poisson model;
    clearly above 1 means over-dispersion (p / u limits too narrow), below 1
    under-dispersion.

    Parameters
    ----------
    counts : array-like
        Defectives (``kind="p"``) or defects (``kind="u"``) per subgroup.
    sizes : array-like
        Subgroup sizes.
    kind : {'p', 'u'}

    Returns
    -------
    float
        sigma_z; NaN when undefined (pbar or ubar equal to 0, or pbar 1).

    References
    ----------
    Laney, D. B. (2002). Improved control charts for attributes. *Quality
    Engineering* 14(4), 531-537.
    """
    x, n, kind = _attribute_inputs(counts, sizes, kind)
    center = x.sum() / n.sum()
    sigma = np.sqrt(center * (1 - center) / n) if kind == "p" else np.sqrt(center / n)
    return _laney_sigma_z(x / n, center, sigma)


def dispersion_test(counts: ArrayLike, sizes: ArrayLike, kind: str = "p") -> pd.DataFrame:
    """Pearson chi-square test of over-dispersion for binomial or Poisson counts.

    .. math::

        X^2 = \\sum_i \\frac{(d_i - n_i \\bar p)^2}{n_i \\bar p (1-\\bar p)}
        \\;(\\text{kind } p), \\qquad
        X^2 = \\sum_i \\frac{(c_i - n_i \\bar u)^2}{n_i \\bar u}
        \\;(\\text{kind } u), \\qquad X^2 \\sim \\chi^2_{m-1}

    One-sided: a small p-value means more between-period variation than the
    binomial / Poisson model allows.

    Parameters
    ----------
    counts, sizes : array-like
        Counts and subgroup sizes, as for :func:`overdispersion_ratio`.
    kind : {'p', 'u'}

    Returns
    -------
    pandas.DataFrame
        One row, columns:

        * ``kind`` - 'p' or 'u'.
        * ``periods`` - number of subgroups m.
        * ``chi2`` - Pearson statistic X^2.
        * ``dof`` - degrees of freedom, m - 1.
        * ``pval`` - upper-tail chi-square p-value.
        * ``dispersion`` - X^2 / dof (about 1 without over-dispersion).
        * ``sigma_z`` - Laney's ratio (:func:`overdispersion_ratio`).

    References
    ----------
    Agresti, A. *Categorical Data Analysis* (Pearson statistic);
    Laney (2002) for sigma_z.
    """
    from scipy import special

    x, n, kind = _attribute_inputs(counts, sizes, kind)
    center = x.sum() / n.sum()
    var = n * center * (1 - center) if kind == "p" else n * center
    dof = x.size - 1
    if np.all(var > 0):
        chi2 = float(np.sum((x - n * center) ** 2 / var))
        pval = float(special.chdtrc(dof, chi2))
    else:  # pbar = 0 (or 1): every subgroup identical, no dispersion at all
        chi2, pval = 0.0, 1.0
    sigma = np.sqrt(var) / n
    return pd.DataFrame(
        {
            "kind": [kind],
            "periods": [x.size],
            "chi2": [chi2],
            "dof": [dof],
            "pval": [pval],
            "dispersion": [chi2 / dof],
            "sigma_z": [_laney_sigma_z(x / n, center, sigma)],
        }
    )


def is_overdispersed(
    counts: ArrayLike,
    sizes: ArrayLike,
    kind: str = "p",
    alpha: float = 0.01,
    method: str = "chi2",
    threshold: float = 1.5,
) -> bool:
    """Whether a p / u chart would understate the spread (switch to p' / u').

    Decision rule:

    * ``method="chi2"`` (default): Pearson dispersion test
      (:func:`dispersion_test`) significant at ``alpha`` (0.01), i.e. the
      between-period variation is larger than binomial / Poisson sampling
      explains. With large subgroups even modest extra variation is detected,
      which is exactly when Laney recommends p' / u'; when sigma_z is close
      to 1 the p' limits are close to the p limits anyway, so switching is
      harmless.
    * ``method="ratio"``: Laney's sigma_z (:func:`overdispersion_ratio`)
      greater than ``threshold`` (1.5).

    Degenerate data (pbar or ubar equal to 0) are never over-dispersed.

    Parameters
    ----------
    counts, sizes : array-like
        Counts and subgroup sizes.
    kind : {'p', 'u'}
    alpha : float
        Significance level for ``method="chi2"``.
    method : {'chi2', 'ratio'}
    threshold : float
        sigma_z cut-off for ``method="ratio"``.

    Returns
    -------
    bool

    References
    ----------
    Laney, D. B. (2002). *Quality Engineering* 14(4), 531-537.
    """
    if method == "chi2":
        return bool(dispersion_test(counts, sizes, kind)["pval"].iloc[0] < alpha)
    if method == "ratio":
        ratio = overdispersion_ratio(counts, sizes, kind)
        return bool(not math.isnan(ratio) and ratio > threshold)
    raise ValueError(f"method must be 'chi2' or 'ratio', got {method!r}")


_KIND_ALIASES = {
    "rate": "rate", "rates": "rate", "proportion": "rate", "proportions": "rate",
    "percentage": "rate", "defectives": "rate", "pass_fail": "rate",
    "count": "count", "counts": "count", "defects": "count",
    "mean": "mean", "means": "mean", "score": "mean", "scores": "mean",
    "measurement": "mean", "measurements": "mean", "continuous": "mean",
}


def recommend_chart(
    kind: str,
    n_per_period: int | Sequence[int] | None = None,
    overdispersed: bool = False,
) -> str:
    """Recommend a chart type for a QA metric.

    * ``kind="rate"`` (a proportion of evaluations failing / passing, from
      counts and sizes): ``"p"``, or ``"p_prime"`` when ``overdispersed``
      (typical with large subgroups; see :func:`is_overdispersed`).
    * ``kind="count"`` (defects per period): ``"c"`` when the area of
      opportunity is constant or unknown, ``"u"`` when ``n_per_period``
      varies, ``"u_prime"`` when ``overdispersed``.
    * ``kind="mean"`` (scores / measurements): ``"xbar_s"`` when periods hold
      several evaluations (any ``n_per_period`` > 1; the s-based chart copes
      with unequal sizes and is preferred over R for n > 10 or varying n),
      ``"xmr"`` for a single value per period (``n_per_period`` None or 1).

    Parameters
    ----------
    kind : str
        ``"rate"``, ``"count"`` or ``"mean"`` (aliases: proportion,
        defectives, defects, score(s), measurement(s)).
    n_per_period : int or sequence of int, optional
        Number of evaluations per period.
    overdispersed : bool
        Result of :func:`is_overdispersed` (ignored for means).

    Returns
    -------
    str
        A chart name accepted by :func:`control_chart`.

    References
    ----------
    Montgomery, *Introduction to Statistical Quality Control*, ch. 6-7;
    Laney (2002).
    """
    key = _KIND_ALIASES.get(str(kind).strip().lower().replace("-", "_").replace(" ", "_"))
    if key is None:
        raise ValueError(f"unknown kind {kind!r}; use 'rate', 'count' or 'mean'")
    if n_per_period is None:
        sizes = None
    else:
        sizes = np.atleast_1d(np.asarray(n_per_period, dtype=float))
        if sizes.size == 0 or not np.all(np.isfinite(sizes)) or (sizes < 1).any():
            raise ValueError("n_per_period must be positive numbers")
    if key == "rate":
        return "p_prime" if overdispersed else "p"
    if key == "count":
        if overdispersed:
            return "u_prime"
        return "u" if sizes is not None and np.ptp(sizes) > 0 else "c"
    return "xbar_s" if sizes is not None and sizes.max() > 1 else "xmr"
