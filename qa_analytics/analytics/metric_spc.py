"""The right control chart for an indicator, with its signals in words.

One job: from a metric id (see :mod:`qa_analytics.analytics.metrics`) and a unit
(the center, one team, one agent), pick the Shewhart chart that fits the
data, compute it with the formulas of :mod:`qa_analytics.stats.spc`, and say in
English and Simplified Chinese why that chart and what the signals mean.

Public functions
----------------
* :func:`indicator_control_chart` -- one metric for one unit, as a
  :class:`ControlChartResult`.
* :func:`signals_for_alerts` -- the recent signals of a few key metrics for
  the center or every team (the Overview's alerts panel).
* :func:`charts_for` -- the chart types that fit a metric ("auto" first);
  :func:`chart_name` -- a chart type's name in either language.
* :func:`key_episodes` -- the signal episodes worth reading (no repeats).
* :func:`agent_choices` -- the agents a unit selector offers.
* :func:`period_label` -- a period as the dashboard writes it, in either language.

Signals in words
----------------
Every signalling period gets a sentence from spc's own rule wording, e.g.
``"2026年3月：连续9点落在中心线下方（变差）"`` / ``"Mar 2026: 9 points in a
row below the center line (worse)"``; better / worse follows the metric's
direction (a rise in the critical-error rate is worse).  Rules without a
direction (zig-zag, hugging or avoiding the center line) are "unusual".
Consecutive flagged periods of one rule are grouped into an *episode*; a run
rule's episode starts where its run starts (the rule fires on the 9th point).

Which chart (``chart="auto"``)
-----------------------------
=====================  ===========================================================
metric kind            chart
=====================  ===========================================================
rate (x of n)          ``p``; Laney ``p_prime`` when the periods vary more than
                       binomial sampling explains (:func:`spc.is_overdispersed`,
                       Pearson chi-square at 1%, over the baseline periods)
count                  ``c`` when every period covers the same number of days,
                       ``u`` (count per day) when they differ (months, a range
                       cutting a period), Laney ``u_prime`` when over-dispersed
mean (scores)          ``xbar_s`` when periods hold several values (any n > 1
                       with a usable within-period SD), else ``xmr``;
                       ``xbar_bw`` (between/within sigma) when the means vary
                       between periods more than the within-period spread
                       explains (:func:`spc.has_between_variation`, one-way
                       ANOVA F test at 1%, over the baseline periods)
=====================  ===========================================================

The x-bar/S chart from per-period summaries
-------------------------------------------
An x-bar/S chart needs, per period, only the subgroup mean, SD and size:
spc's formulas (Montgomery ch. 6; qcc ``UWAVE-SD``) are ::

    center = sum(n_i xbar_i) / sum(n_i)               over the baseline periods
    sigma  = mean_i ( S_i / c4(n_i) )                 baseline periods with n_i >= 2
    limits = center +/- 3 sigma / sqrt(n_i)

so the chart is computed from :func:`metrics.metric_table`'s ``value``,
``sd`` and ``n`` (one aggregate query; no raw scores leave DuckDB, whatever
the number of evaluations -- 1,000,000 evaluations take ~30 ms).  The result
equals ``spc.control_chart(subgroups, "xbar_s")`` on the raw scores (tested);
the run rules are spc's own :class:`spc.Rule` detectors.

With very large subgroups (a center's 2,000 evaluations a month) the limits
are narrow: a one-point change in the mean is a real, detectable change, and
is flagged -- unless the means also vary between periods (different agents
and contacts each week): then ``chart="auto"`` uses ``xbar_bw``, whose sigma
for a period of n values is ``sqrt(sigma_between^2 + sigma_within^2 / n)``
(:func:`spc.between_within_sigma`, Minitab's between/within method).
:attr:`ControlChartResult.overdispersion` reports Laney's
``sigma_z`` of the means (spread of the standardised means relative to the
within-period spread, 1 = as expected) and the reason says so; the
individuals chart (``chart="xmr"``) judges only swings larger than the usual
period-to-period ones.

Counts and exposure
-------------------
A count (evaluations, survey responses, incidents) grows with the length of
the period.  Each period's exposure is the number of calendar days it covers
within ``[date_from, date_to]``; equal exposures give a c chart of the
counts, unequal ones a u chart of the count per day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..core.codes import Joined, Phrase, Worded, define
from ..core.periods import GRAINS, PeriodName, next_start, period_label, period_start
from ..stats import spc
from . import metrics as _metrics

__all__ = [
    "ALERT_METRICS",
    "ControlChartResult",
    "agent_choices",
    "chart_name",
    "charts_for",
    "indicator_control_chart",
    "key_episodes",
    "period_label",
    "signals_for_alerts",
]

#: Metrics :func:`signals_for_alerts` watches by default.
ALERT_METRICS: tuple[str, ...] = (
    "qa_mean_score", "critical_error_rate", "satisfaction_rate",
    "external_call_test_pass_rate", "nonvoice_qa_score",
)

_CHARTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "rate": ("p", "p_prime", "np", "xmr"),
    "count": ("c", "u", "u_prime", "xmr"),
    "mean": ("xbar_s", "xbar_bw", "xmr"),
}

#: Column order of :attr:`ControlChartResult.data`.
DATA_COLUMNS: tuple[str, ...] = (
    "period", "label", "value", "center", "lcl", "ucl", "sigma", "signals", "n",
    "in_baseline", "metric_value", "successes", "exposure", "direction", "assessment",
)

_CHART_NAMES = {
    "xmr": ("individuals chart (XmR)", "单值-移动极差图（XmR）"),
    "xbar_r": ("X̄–R chart", "均值-极差图（X̄–R）"),
    "xbar_s": ("X̄–S chart", "均值-标准差图（X̄–S）"),
    "xbar_bw": ("X̄–S chart, between/within", "均值-标准差图（组间/组内，X̄–S B/W）"),
    "p": ("p chart", "p 图（比率）"),
    "np": ("np chart", "np 图（不合格数）"),
    "c": ("c chart", "c 图（计数）"),
    "u": ("u chart", "u 图（单位计数）"),
    "p_prime": ("Laney p′ chart", "Laney p′ 图"),
    "u_prime": ("Laney u′ chart", "Laney u′ 图"),
}


def chart_name(chart: str, lang: str = "en") -> str:
    """A chart type's name in ``lang`` (``en`` or ``zh``/``zh-CN``)."""
    en, zh = _CHART_NAMES[chart]
    return zh if str(lang).lower().startswith("zh") else en


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


def _exposure_days(periods: Sequence[Any], grain: str, date_from: dt.date | None,
                   date_to: dt.date | None) -> np.ndarray:
    """Calendar days each period covers within ``[date_from, date_to]``."""
    out = []
    for p in periods:
        start = pd.Timestamp(p).date()
        end = next_start(start, grain) - dt.timedelta(days=1)
        if date_from is not None:
            start = max(start, date_from)
        if date_to is not None:
            end = min(end, date_to)
        out.append(max((end - start).days + 1, 1))
    return np.asarray(out, dtype=float)


def _as_date(x: Any) -> dt.date | None:
    if x is None:
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return pd.Timestamp(x).date()


# --------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------


@dataclass
class ControlChartResult:
    """A metric's control chart for one unit.

    Attributes
    ----------
    metric, level, key, grain : what was charted (``key``: team name or
        agent id; None for the center).
    chart : the chart type used (a :data:`spc.CHARTS` name), None when there
        are too few points (see ``problem``).
    auto_chart : what ``chart="auto"`` picks for these data.
    rules : ``"nelson"`` | ``"western_electric"`` | None.
    data : one row per period (:data:`DATA_COLUMNS`): ``period``
        (datetime64, first day), ``label`` (a :class:`PeriodName`), the
        :func:`spc.control_chart` columns ``value`` (plotted statistic: mean,
        proportion, count or count per day), ``center``, ``lcl``, ``ucl``,
        ``sigma``, ``signals`` (rule numbers), ``n``, ``in_baseline``; then
        ``metric_value`` (the metric as :func:`metrics.metric_table` gives it),
        ``successes`` (rates), ``exposure`` (days, counts), ``direction``
        (+1 above / up, -1 below / down, 0 none or non-directional) and
        ``assessment`` (``better`` | ``worse`` | ``unusual`` | ``""``).
        ``data.attrs`` holds spc's attrs (chart, rules, baseline, sigma_hat).
    reason : ``{"en": ..., "zh": ...}`` why this chart.
    signals : one dict per signalling period: ``period`` (Timestamp),
        ``label`` (a :class:`PeriodName`), ``rules`` (numbers), ``direction``,
        ``assessment``, ``value``, ``center``, ``lcl``, ``ucl``,
        ``text`` and ``what`` (:class:`~qa_analytics.core.codes.Text`: ``say(text, "zh")`` is
        ``"2026年3月：连续9点落在中心线上方"``; ``what`` without the period, for a hover).
    episodes : consecutive signalling periods of one rule and direction
        grouped (a run rule's episode starts where its pattern starts): ``start``,
        ``end``, ``rule``, ``direction``, ``assessment``, ``flagged`` (periods flagged),
        ``points`` (periods in the pattern), ``text`` (a Text; the page shows these).
    overdispersion : Laney's ``sigma_z`` (rates, counts, and the means of an
        x-bar chart; about 1 when the periods vary as sampling explains),
        None otherwise.
    baseline : number of periods the limits come from (None = all).
    problem : None, ``"no_data"`` or ``"too_few_points"`` (fewer than 2
        periods: no chart).
    spread : with an x-bar/S chart, the S chart beneath it (the spread of
        the scores within each period: ``period``, ``value`` = SD, ``center``,
        ``lcl``, ``ucl``, ``n``, ``beyond`` = outside its limits;
        :func:`spc.spread_chart`), else None.  An x-bar chart is read with it:
        a mean can only be judged when the spread is in control.
    """

    metric: str
    level: str
    key: str | None
    grain: str
    chart: str | None
    auto_chart: str | None
    rules: str | None
    data: pd.DataFrame
    reason: dict[str, str]
    signals: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    overdispersion: float | None = None
    baseline: int | None = None
    problem: str | None = None
    spread: pd.DataFrame | None = None

    def reason_text(self, lang: str = "en") -> str:
        return self.reason["zh" if str(lang).lower().startswith("zh") else "en"]

    @property
    def n_signals(self) -> int:
        return len(self.signals)

    @property
    def main_episodes(self) -> list[dict[str, Any]]:
        """:attr:`episodes` without those another one already says (:func:`key_episodes`)."""
        return key_episodes(self.episodes)


def _empty_data() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in DATA_COLUMNS})
    out["period"] = pd.Series(dtype="datetime64[us]")
    out["assessment"] = pd.Series(dtype="str")
    out["label"] = pd.Series(dtype="object")
    out["signals"] = pd.Series(dtype="object")
    out["in_baseline"] = pd.Series(dtype="bool")
    out["direction"] = pd.Series(dtype="int64")
    return out[list(DATA_COLUMNS)]


# --------------------------------------------------------------------------
# Chart choice
# --------------------------------------------------------------------------


def charts_for(metric_id: str | _metrics.Metric) -> tuple[str, ...]:
    """Chart types that fit a metric, ``"auto"`` first.

    Rates: p, p′, np, XmR; counts: c, u, u′, XmR; means: X̄–S, XmR (X̄–R
    needs each period's range, which the per-period summaries do not keep).
    """
    m = metric_id if isinstance(metric_id, _metrics.Metric) else _metrics.get_metric(metric_id)
    return ("auto", *_CHARTS_BY_KIND[m.kind])


def _resolve_baseline(baseline: Any, periods: pd.Series) -> int | None:
    """``None``, a number of periods, or a date (the periods starting before it)."""
    if baseline is None:
        return None
    if isinstance(baseline, (dt.date, pd.Timestamp, np.datetime64)) or (
        isinstance(baseline, str) and not baseline.strip().isdigit()
    ):
        cut = pd.Timestamp(baseline)
        k = int((pd.to_datetime(periods) < cut).sum())
        if k < 2:
            raise ValueError(f"the baseline before {cut.date()} holds {k} period(s); it needs at least 2")
        return k
    if isinstance(baseline, bool):
        raise ValueError(f"baseline must be a number of periods or a date, got {baseline!r}")
    k = int(baseline)
    if k < 2:
        raise ValueError(f"baseline must be at least 2 periods, got {k}")
    return min(k, len(periods))


# --------------------------------------------------------------------------
# Computing the chart
# --------------------------------------------------------------------------


def _directional(rule: spc.Rule) -> bool:
    """Whether a rule says above / below (its detector's sign means something).
    Non-directional rules (zig-zag, hugging the center, avoiding it) have no
    up / down wording and their detector returns +1 wherever they fire."""
    return bool(rule.up_en or rule.down_en)


def _rule_hits(rule_set: Sequence[spc.Rule], value, center, sigma, lcl, ucl) -> tuple[np.ndarray, dict]:
    """Per point the violated rule numbers (as :func:`spc.control_chart`), and
    each rule's direction array (+1 above / up, -1 below / down; 0 where the
    rule does not fire and everywhere for a non-directional rule)."""
    m = value.size
    out = np.empty(m, dtype=object)
    raw = {r.number: r.detect(value, center, sigma, lcl, ucl).astype(int) for r in rule_set}
    for i in range(m):
        out[i] = [r.number for r in rule_set if raw[r.number][i] != 0]
    dirs = {r.number: raw[r.number] if _directional(r) else np.zeros(m, dtype=int) for r in rule_set}
    return out, dirs


def _xbar_s_from_summaries(means: np.ndarray, sds: np.ndarray, n: np.ndarray, k: int,
                           rules: str | None) -> pd.DataFrame:
    """spc's x-bar/S chart from per-period mean, SD and size (see the module doc)."""
    ref = np.arange(n.size) < k
    usable = ref & (n >= 2) & np.isfinite(sds)
    if not usable.any():
        raise ValueError("xbar_s needs at least one period with 2 or more values (within the baseline)")
    const = np.array([spc.c4(int(s)) for s in n[usable]])
    sigma_hat = float(np.mean(sds[usable] / const))
    center = np.full(n.size, float(np.sum(n[ref] * means[ref]) / np.sum(n[ref])))
    sigma = sigma_hat / np.sqrt(n)
    lcl, ucl = center - 3 * sigma, center + 3 * sigma
    rule_set = spc.RULE_SETS[rules] if rules else ()
    signals, _ = _rule_hits(rule_set, means, center, sigma, lcl, ucl)
    df = pd.DataFrame({
        "value": means, "center": center, "lcl": lcl, "ucl": ucl, "signals": signals,
        "n": n.astype(float), "sigma": sigma, "in_baseline": ref,
    })
    df.attrs.update(chart="xbar_s", rules=rules, baseline=None if k == n.size else k, sigma_hat=sigma_hat)
    return df


def _xbar_bw_from_summaries(means: np.ndarray, sds: np.ndarray, n: np.ndarray, k: int) -> pd.DataFrame:
    """spc's between/within x-bar chart from per-period mean, SD and size
    (equals ``spc.control_chart(subgroups, "xbar_bw")``; signals are added by the caller)."""
    ref = np.arange(n.size) < k
    within, between = spc.between_within_sigma(means, sds, n, k)
    center = np.full(n.size, float(np.sum(n[ref] * means[ref]) / np.sum(n[ref])))
    sigma = np.sqrt(between ** 2 + within ** 2 / n)
    df = pd.DataFrame({
        "value": means, "center": center, "lcl": center - 3 * sigma, "ucl": center + 3 * sigma,
        "signals": [[] for _ in range(n.size)], "n": n.astype(float), "sigma": sigma, "in_baseline": ref,
    })
    df.attrs.update(chart="xbar_bw", rules=None, baseline=None if k == n.size else k, sigma_hat=within,
                    sigma_between=between)
    return df


def _normalise_chart(chart: str | None) -> str:
    """``auto``, or one of spc's charts by any of its names (spc.normalise_chart)."""
    if chart is None or str(chart).strip().lower() == "auto":
        return "auto"
    return spc.normalise_chart(chart)


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _reasons(m: _metrics.Metric, chart: str, auto: str, *, od: float | None, od_flag: bool | None,
             n: np.ndarray, grain: str, bw: tuple[float, float, float] | None = None) -> dict[str, str]:
    """Why this chart, in English and Chinese (``bw``: means' between-variation
    test p-value, sigma_within, sigma_between)."""
    typical = int(round(float(np.median(n)))) if n.size else 0
    g_en = {"day": "day", "week": "week", "month": "month", "quarter": "quarter",
            "half_year": "half-year", "all": "period"}[grain]
    g_zh = {"day": "每天", "week": "每周", "month": "每月", "quarter": "每季度",
            "half_year": "每半年", "all": "每期"}[grain]
    en: list[str] = []
    zh: list[str] = []
    if chart == "p":
        en.append(f"A rate (a share of about {typical:,} per {g_en}): p chart. The limits follow the "
                  "binomial spread and are wider where a period has fewer records.")
        zh.append(f"这是比率指标（{g_zh}约 {typical:,} 条记录）：用 p 图。控制限按二项分布计算，"
                  "记录少的时段控制限更宽。")
    elif chart == "p_prime":
        en.append(f"A rate (a share of about {typical:,} per {g_en}) that varies between periods more "
                  "than sampling alone explains: Laney p′ chart. Plain p-chart limits would be too narrow "
                  "and flag almost every point; p′ widens them by σz.")
        zh.append(f"这是比率指标（{g_zh}约 {typical:,} 条记录），各时段之间的波动超过抽样误差能解释的范围："
                  "用 Laney p′ 图。普通 p 图的控制限会过窄、几乎每个点都报警，p′ 图按 σz 放宽控制限。")
    elif chart == "np":
        en.append("A count of records out of a known total, plotted as the count: np chart.")
        zh.append("按记录数计的不合格数：用 np 图（直接画数量）。")
    elif chart == "c":
        en.append(f"A count; every {g_en} covers the same number of days: c chart (Poisson limits).")
        zh.append(f"这是计数指标，{g_zh}天数相同：用 c 图（泊松分布控制限）。")
    elif chart == "u":
        en.append(f"A count; the {g_en}s cover different numbers of days, so the chart shows the count "
                  "per day: u chart (Poisson limits, stepped by period length).")
        zh.append("这是计数指标，各时段天数不同，因此画每天的数量：用 u 图（泊松分布控制限，随天数阶梯变化）。")
    elif chart == "u_prime":
        en.append("A count (per day) that varies between periods more than Poisson chance explains: "
                  "Laney u′ chart, limits widened by σz.")
        zh.append("这是计数指标（按天折算），各时段间波动超过泊松随机波动：用 Laney u′ 图，控制限按 σz 放宽。")
    elif chart == "xbar_s":
        en.append(f"A mean of several values per {g_en} (about {typical:,}): X̄–S chart. The limits come "
                  "from the spread of the values within each period and narrow as a period holds more.")
        zh.append(f"这是均值指标，{g_zh}有多条记录（约 {typical:,} 条）：用均值-标准差图（X̄–S）。"
                  "控制限由各时段内部的离散程度计算，记录越多控制限越窄。")
        if od is not None and od > 2:
            en.append(f"With this many values the limits are narrow: the means move {od:.1f}× more than "
                      "the within-period spread predicts, so even small shifts are signals. The individuals "
                      "chart (XmR) flags only swings larger than the usual period-to-period ones.")
            zh.append(f"记录多，控制限很窄：各期均值的波动是期内离散程度所预期的 {od:.1f} 倍，小幅变化也会报警。"
                      "如只想看超出平常期间波动的变化，可改用单值-移动极差图（XmR）。")
    elif chart == "xbar_bw":
        en.append(f"A mean of several values per {g_en} (about {typical:,}) whose means vary between {g_en}s "
                  "more than the spread within each period explains (different agents and contacts each period): "
                  "X̄–S chart with between/within limits. The limits add the usual variation between periods "
                  "to the within-period spread, so ordinary periods are not flagged.")
        zh.append(f"这是均值指标，{g_zh}有多条记录（约 {typical:,} 条），且各期均值之间的波动超过期内离散程度"
                  "所能解释的范围（每期的坐席和通话不同）：用组间/组内均值-标准差图（X̄–S B/W）。"
                  "控制限在期内离散之外加上平常的期间波动，普通时段不会报警。")
        if bw is not None:
            p_bw, s_w, s_b = bw
            en.append(f"σ between periods = {s_b:.2f}, σ within = {s_w:.2f} (F test p = {p_bw:.2g}).")
            zh.append(f"期间 σ = {s_b:.2f}，期内 σ = {s_w:.2f}（F 检验 p = {p_bw:.2g}）。")
    elif chart == "xmr" and auto == "xmr":
        en.append(f"One value per {g_en}: individuals chart (XmR). The limits come from the average "
                  "change between consecutive periods.")
        zh.append("每期一个数值：用单值-移动极差图（XmR）。控制限由相邻两期的平均变化计算。")
    elif chart == "xmr":
        en.append(f"Individuals chart (XmR) of the per-{g_en} values: the limits come from the average change "
                  "between consecutive periods, whatever the number of records behind each value.")
        zh.append("对各期数值画单值-移动极差图（XmR）：控制限由相邻两期的平均变化计算，不考虑每期的记录数。")
    if chart == "xbar_s" and auto == "xbar_s" and bw is not None and math.isfinite(bw[0]):
        en.append(f"The means vary between periods about as the within-period spread explains "
                  f"(F test p = {bw[0]:.2g}), so no between/within correction.")
        zh.append(f"各期均值的波动与期内离散程度相当（F 检验 p = {bw[0]:.2g}），无需组间/组内修正。")
    if chart in ("p", "c", "u") and od is not None and od_flag is False and math.isfinite(od):
        en.append(f"The periods vary about as chance explains (Laney σz = {od:.2f}), so no Laney correction.")
        zh.append(f"各时段波动与随机波动相当（Laney σz = {od:.2f}），无需 Laney 修正。")
    if chart in ("p_prime", "u_prime") and od is not None and math.isfinite(od):
        en.append(f"σz = {od:.2f}.")
        zh.append(f"σz = {od:.2f}。")
    if chart != auto:
        en.append(f"(You chose this chart; the automatic choice is the {chart_name(auto, 'en')}.)")
        zh.append(f"（此图为手动选择；自动选择为{chart_name(auto, 'zh')}。）")
    return {"en": " ".join(en), "zh": "".join(zh)}


def _assessment(direction: int, higher_is_better: bool) -> str:
    if direction == 0:
        return "unusual"
    up_good = direction > 0
    return "better" if up_good == higher_is_better else "worse"


_ASSESS_WORDS = {
    "better": define("spc_assess_better", en=" (better)", zh="（向好）"),
    "worse": define("spc_assess_worse", en=" (worse)", zh="（变差）"),
    "unusual": "",
}
#: a signal as the page writes it: when, what the rules saw, and whether it is good news
SIGNAL_AT = define("spc_signal_at", en="{when}: {what}{more}{assessment}", zh="{when}：{what}{more}{assessment}")
#: a run longer than the rule's length says how long it was
MORE_POINTS = define("spc_more_points", en=" ({n} points)", zh="（共{n}点）")


def _signal_texts(df: pd.DataFrame, rule_set: Sequence[spc.Rule], dirs: dict[int, np.ndarray],
                  m: _metrics.Metric) -> tuple[list[dict], list[dict], np.ndarray, list[str]]:
    """Per-point signal dicts, episodes, and the point direction / assessment columns."""
    by_number = {r.number: r for r in rule_set}
    point_dir = np.zeros(len(df), dtype=int)
    point_assess = [""] * len(df)
    signals: list[dict] = []
    for i, sig in enumerate(df["signals"]):
        if not sig:
            continue
        ds = [int(dirs[r][i]) for r in sig]
        directional = [d for d in ds if d != 0]
        # rules that know a direction (above/below) say it; non-directional ones (zig-zag) do not
        d_point = int(np.sign(sum(directional))) if directional else 0
        point_dir[i] = d_point
        point_assess[i] = _assessment(d_point, m.higher_is_better)
        words = {"what": Joined(Worded(by_number[r].describe, direction=d) for r, d in zip(sig, ds)),
                 "more": "", "assessment": _ASSESS_WORDS[point_assess[i]]}
        row = df.iloc[i]
        signals.append({
            "period": pd.Timestamp(row["period"]),
            "label": row["label"],
            "rules": list(sig), "direction": d_point, "assessment": point_assess[i],
            "value": float(row["value"]), "center": float(row["center"]),
            "lcl": float(row["lcl"]), "ucl": float(row["ucl"]),
            "text": Phrase(SIGNAL_AT, {"when": row["label"], **words}),
            # what happened without the period, for a hover over the point itself
            "what": Joined([words["what"], words["assessment"]], sep="none"),
        })
    # episodes: runs of consecutive points flagged by the same rule in the same direction
    episodes: list[dict] = []
    for r in rule_set:
        flagged = [i for i, sig in enumerate(df["signals"]) if r.number in sig]
        if not flagged:
            continue
        runs: list[list[int]] = []
        for i in flagged:
            if runs and i == runs[-1][-1] + 1 and dirs[r.number][i] == dirs[r.number][runs[-1][-1]]:
                runs[-1].append(i)
            else:
                runs.append([i])
        length = getattr(r.detect, "keywords", {}).get("length")  # run rules: the pattern's length
        for run in runs:
            d = int(dirs[r.number][run[0]])
            # a run rule flags the point completing the pattern: the pattern starts length - 1 earlier
            start = max(run[0] - (length - 1), 0) if length else run[0]
            total = run[-1] - start + 1
            first, last = df.iloc[start], df.iloc[run[-1]]
            when = first["label"] if start == run[-1] else Joined([first["label"], " – ", last["label"]], sep="none")
            assess = _assessment(d, m.higher_is_better)
            episodes.append({
                "start": pd.Timestamp(first["period"]), "end": pd.Timestamp(last["period"]),
                "rule": r.number, "kind": _rule_kind(r), "direction": d, "assessment": assess, "points": total,
                "flagged": len(run),
                "text": Phrase(SIGNAL_AT, {
                    "when": when, "what": Worded(r.describe, direction=d),
                    "more": Phrase(MORE_POINTS, {"n": total}) if length and total > length else "",
                    "assessment": _ASSESS_WORDS[assess]}),
            })
    episodes.sort(key=lambda e: (e["start"], e["rule"]))
    return signals, episodes, point_dir, point_assess


def _rule_kind(rule: spc.Rule) -> str:
    """``limits`` (a point beyond 3σ), ``run`` (n points in a row) or ``zone`` (k of m beyond 1σ/2σ)."""
    kw = getattr(rule.detect, "keywords", {})
    if "length" in kw:
        return "run"
    if "k" in kw:
        return "zone"
    return "limits"


_KIND_RANK = {"limits": 0, "run": 1, "zone": 2}


def key_episodes(episodes: Sequence[dict]) -> list[dict]:
    """The episodes worth reading: a "k of m points beyond 1σ/2σ" episode is
    dropped when it lies within a run or a beyond-the-limits episode of the
    same direction, and a non-directional episode (e.g. "8 points in a row
    more than 1σ from the center line, either side") when it lies within a
    run on one side: both say the same thing, less clearly."""
    def says_it(f: dict, e: dict) -> bool:
        if f is e or not (f["start"] <= e["start"] and e["end"] <= f["end"]):
            return False
        if f["direction"] == e["direction"] and _KIND_RANK[f["kind"]] < _KIND_RANK[e["kind"]]:
            return True
        return e["direction"] == 0 and f["direction"] != 0 and f["kind"] == "run"

    out = []
    for e in episodes:
        covered = any(says_it(f, e) for f in episodes)
        if not covered:
            out.append(e)
    return out


def _chart_from_table(
    t: pd.DataFrame,
    m: _metrics.Metric,
    *,
    level: str,
    key: str | None,
    grain: str,
    chart: str = "auto",
    rules: str | None = "nelson",
    baseline: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> ControlChartResult:
    """The chart for one unit's slice of a :func:`metrics.metric_table` result.
    ``rules``: a rule-set name, or the :class:`spc.Rule` objects themselves
    (an alert list's :meth:`spc.AlertRules.rules`)."""
    if isinstance(rules, tuple):
        rule_set, rules = rules, (rules[0].rule_set if rules else None)
    else:
        rules = spc.resolve_rules(rules)
        rule_set = spc.RULE_SETS[rules] if rules else ()
    named = rules if rules in spc.RULE_SETS else None  # what spc's own functions can apply
    allowed = charts_for(m)
    chart = _normalise_chart(chart or "auto")
    if chart not in allowed:
        raise ValueError(f"the {chart} chart does not fit {m.id!r} (a {m.kind}); use one of {allowed}")
    t = t.sort_values("period", ignore_index=True)
    empty = ControlChartResult(m.id, level, key, grain, None, None, rules, _empty_data(),
                               {"en": "", "zh": ""}, problem="no_data" if t.empty else "too_few_points")
    if len(t) < 2:
        return empty
    k_base = _resolve_baseline(baseline, t["period"])
    k = len(t) if k_base is None else k_base
    n = t["n"].to_numpy(dtype=float)
    mv = t["value"].to_numpy(dtype=float)
    successes = t["successes"].to_numpy(dtype=float)
    exposure = np.full(len(t), np.nan)
    od: float | None = None
    od_flag: bool | None = None
    bw: tuple[float, float, float] | None = None

    if m.kind == "rate":
        x = np.round(successes)
        if k >= 2:
            od = spc.overdispersion_ratio(x[:k], n[:k], "p")
            od_flag = spc.is_overdispersed(x[:k], n[:k], "p")
        auto = spc.recommend_chart("rate", n, overdispersed=bool(od_flag))
    elif m.kind == "count":
        exposure = _exposure_days(t["period"], grain, date_from, date_to)
        x = mv
        if k >= 2:
            od = spc.overdispersion_ratio(x[:k], exposure[:k], "u")
            od_flag = spc.is_overdispersed(x[:k], exposure[:k], "u")
        auto = spc.recommend_chart("count", exposure, overdispersed=bool(od_flag))
    else:
        sds = t["sd"].to_numpy(dtype=float)
        usable = (np.arange(len(t)) < k) & (n >= 2) & np.isfinite(sds)
        auto = "xbar_s" if usable.any() else "xmr"
        if usable.any() and k >= 2:
            try:
                test = spc.between_variation_test(mv[:k], sds[:k], n[:k]).iloc[0]
                bw = (float(test["pval"]), float(test["sigma_within"]), float(test["sigma_between"]))
            except ValueError:  # no within-period spread at all
                bw = None
            if bw is not None and bw[0] < 0.01:  # spc.has_between_variation's 1%
                auto = "xbar_bw"
    used = auto if chart == "auto" else chart

    if used in ("xbar_s", "xbar_bw"):
        sds = t["sd"].to_numpy(dtype=float)
        df = _xbar_s_from_summaries(mv, sds, n, k, named)
        # Laney-style sigma_z of the means: spread of z_i = (xbar_i - center) / (sigma_within / sqrt n_i)
        z = (df["value"].to_numpy()[:k] - df["center"].to_numpy()[:k]) / df["sigma"].to_numpy()[:k]
        od = float(np.mean(np.abs(np.diff(z))) / spc.d2(2)) if k >= 2 and np.all(np.isfinite(z)) else None
        if used == "xbar_bw":
            df = _xbar_bw_from_summaries(mv, sds, n, k)
    elif used == "xmr":
        df = spc.control_chart(mv, "xmr", rules=named, baseline=k_base)
    elif used in ("p", "p_prime", "np"):
        df = spc.control_chart(x, used, sizes=n, rules=named, baseline=k_base)
    elif used == "c":
        df = spc.control_chart(x, "c", rules=named, baseline=k_base)
    else:  # u, u_prime
        df = spc.control_chart(x, used, sizes=exposure, rules=named, baseline=k_base)
    df.attrs["rules"] = rules
    attrs = dict(df.attrs)
    if used not in ("xbar_s", "xbar_bw"):
        df["n"] = n  # the records behind each point, whatever the chart plots

    df.insert(0, "period", pd.to_datetime(t["period"]).astype("datetime64[us]").to_numpy())
    df.insert(1, "label", [PeriodName(pd.Timestamp(p).date(), grain) for p in t["period"]])
    df["metric_value"] = mv
    df["successes"] = successes if m.kind == "rate" else np.nan
    df["exposure"] = exposure
    cols = [df[c].to_numpy(dtype=float) for c in ("value", "center", "sigma", "lcl", "ucl")]
    hits, dirs = _rule_hits(rule_set, *cols)
    df["signals"] = hits  # spc's own detectors (the same signals spc.control_chart gives)
    signals, episodes, point_dir, point_assess = _signal_texts(df, rule_set, dirs, m)
    df["direction"] = point_dir
    df["assessment"] = point_assess
    df = df[list(DATA_COLUMNS)].reset_index(drop=True)
    df.attrs.update(attrs)
    reason = _reasons(m, used, auto, od=od, od_flag=od_flag, n=n, grain=grain, bw=bw)
    spread = None
    if used in ("xbar_s", "xbar_bw"):
        lim = spc.spread_chart(t["sd"].to_numpy(dtype=float), n.astype(float), k, "s")
        spread = pd.DataFrame({"period": df["period"].to_numpy(), "value": lim.value, "center": lim.center,
                               "lcl": lim.lcl, "ucl": lim.ucl, "n": lim.n})
        spread["beyond"] = (spread["value"] > spread["ucl"]) | (spread["value"] < spread["lcl"])
    return ControlChartResult(
        metric=m.id, level=level, key=key, grain=grain, chart=used, auto_chart=auto, rules=rules,
        data=df, reason=reason, signals=signals, episodes=episodes,
        overdispersion=None if od is None or not math.isfinite(od) else float(od),
        baseline=k_base, problem=None, spread=spread,
    )


def indicator_control_chart(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    *,
    level: str = "center",
    key: str | None = None,
    grain: str = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    chart: str = "auto",
    rules: str | None = "nelson",
    baseline: int | dt.date | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
) -> ControlChartResult:
    """The control chart of one metric for the center, a team or an agent.

    Parameters
    ----------
    metric_id : a :mod:`qa_analytics.analytics.metrics` id (``item:``/``item_rate:`` too).
    level : ``center`` | ``team`` | ``agent``; ``key`` is then the team name
        or the agent id (required for team / agent).
    grain : ``day`` | ``week`` | ``month`` | ``quarter`` | ``half_year``.
    date_from, date_to : inclusive bounds on the records' dates.
    chart : ``"auto"`` (see the module doc) or one of :func:`charts_for`.
    rules : ``"nelson"`` (8 rules), ``"western_electric"`` (4 rules) or None.
    baseline : phase I: the first ``k`` periods (int >= 2) or the periods
        starting before a date; the limits come from those and apply to all.
        ``ValueError`` when it leaves fewer than 2 periods.
    channel, eval_type : as in :func:`metrics.metric_table`.

    Returns
    -------
    :class:`ControlChartResult`.  With fewer than 2 periods of data there is
    no chart: ``chart`` is None and ``problem`` says why.

    One aggregate query (:func:`metrics.metric_table`); everything else works
    on one row per period.
    """
    m = _metrics.get_metric(metric_id)
    if level not in _metrics.LEVELS:
        raise ValueError(f"level must be one of {_metrics.LEVELS}, not {level!r}")
    if grain not in GRAINS or grain == "all":
        raise ValueError(f"grain must be one of {GRAINS[:-1]}, not {grain!r}")
    if level not in m.levels:
        raise ValueError(f"{m.id!r} exists at {', '.join(m.levels)} level only")
    if level != "center" and not key:
        raise ValueError(f"level {level!r} needs a key (the {'team name' if level == 'team' else 'agent id'})")
    date_from, date_to = _as_date(date_from), _as_date(date_to)
    t = _metrics.metric_table(
        con, [m], grain=grain, level=level, date_from=date_from, date_to=date_to,
        team=key if level == "team" else None, agent=key if level == "agent" else None,
        channel=channel, eval_type=eval_type,
    )
    if level != "center":
        t = t[t["level_key"] == str(key)]
    return _chart_from_table(t, m, level=level, key=key if level != "center" else None, grain=grain,
                             chart=chart, rules=rules, baseline=baseline, date_from=date_from, date_to=date_to)


# --------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------

_ALERT_COLUMNS = (
    "metric", "metric_name", "level", "level_key", "start", "period", "rule", "kind",
    "direction", "assessment", "value", "center", "lcl", "ucl", "chart", "text",
)


def signals_for_alerts(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date,
    date_to: dt.date,
    metrics: Iterable[str] = ALERT_METRICS,
    level: str = "center",
    *,
    grain: str = "week",
    history_days: int = 182,
    rules: spc.AlertRules | str | None = spc.ALERT_RULES,
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The control-chart signals of a few key metrics that reach into ``[date_from, date_to]``.

    Each metric's chart (``chart="auto"``) is computed over the records from
    ``date_from - history_days`` to ``date_to``, so that the limits have
    context, for the center (``level="center"``) or for every team
    (``level="team"``).  ``team`` restricts the records to one or several
    teams at either level (at ``center`` level their records pooled, still
    labelled ``"center"``).  One row per signal
    episode (:attr:`ControlChartResult.main_episodes`: a run of 12 points
    above the center line is one alert, not four) whose last flagged period
    starts on or after ``date_from``'s period.  One aggregate query per metric.

    ``rules``: :data:`spc.ALERT_RULES` (default) judges every chart with the
    alert list's two rules, sized to the number of points the whole list
    judges (every chart's periods from ``date_from``'s on), so that an
    in-control center shows nothing with 95% probability
    (:class:`spc.AlertRules`; they are numbered as Nelson's rules 1 and 2); a
    rule-set name (``"nelson"``...) applies that set to every chart, as the
    chart page does.

    Returns
    -------
    DataFrame (:data:`_ALERT_COLUMNS`): ``metric``, ``metric_name`` (the
    :class:`~qa_analytics.analytics.metrics.Metric`, a Text), ``level``, ``level_key`` (``"center"`` or the team),
    ``start`` (first period of the pattern), ``period`` (last flagged
    period), ``rule`` (number in ``rules``' set), ``kind`` (``limits`` |
    ``run`` | ``zone``), ``direction`` (+1 up / -1 down / 0), ``assessment``
    (``worse`` | ``better`` | ``unusual``, from the metric's direction),
    ``value``, ``center``, ``lcl``, ``ucl`` (the plotted statistic at
    ``period``), ``chart``, and ``text`` (a Text: ``say(text, "en")`` is e.g.
    ``"W17 2026: below the lower control limit (beyond 3σ) (worse)"``.
    Sorted: worse first, then beyond-the-limits before runs before zones,
    then the latest first.
    """
    if level not in ("center", "team"):
        raise ValueError("alerts are for level 'center' or 'team'")
    date_from, date_to = _as_date(date_from), _as_date(date_to)
    start = date_from - dt.timedelta(days=int(history_days))
    first_period = pd.Timestamp(period_start(date_from, grain))
    rows: list[dict] = []
    tables = []
    for mid in metrics:
        m = _metrics.get_metric(mid)
        if level not in m.levels:
            continue
        tables.append((m, _metrics.metric_table(con, [m], grain=grain, level=level, date_from=start,
                                                date_to=date_to, team=team, channel=channel, eval_type=eval_type)))
    if isinstance(rules, spc.AlertRules):  # the family: every period the list judges
        judged = sum(int((pd.to_datetime(t["period"]) >= first_period).sum()) for _, t in tables)
        rules = rules.rules(judged)
    for m, t in tables:
        for unit, sub in t.groupby("level_key", sort=True):
            try:
                res = _chart_from_table(sub, m, level=level, key=None if level == "center" else str(unit),
                                        grain=grain, rules=rules, date_from=start, date_to=date_to)
            except ValueError:
                continue  # a unit whose data cannot make this chart (e.g. no within-period spread)
            if res.chart is None:
                continue
            at = res.data.set_index("period")
            for e in res.main_episodes:
                if e["end"] < first_period:
                    continue
                point = at.loc[e["end"]]
                rows.append({
                    "metric": m.id, "metric_name": m,
                    "level": level, "level_key": str(unit), "start": e["start"], "period": e["end"],
                    "rule": e["rule"], "kind": e["kind"], "direction": e["direction"],
                    "assessment": e["assessment"], "value": float(point["value"]),
                    "center": float(point["center"]), "lcl": float(point["lcl"]), "ucl": float(point["ucl"]),
                    "chart": res.chart, "text": e["text"],
                })
    out = pd.DataFrame(rows, columns=list(_ALERT_COLUMNS))
    if out.empty:
        out["start"] = pd.Series(dtype="datetime64[us]")
        out["period"] = pd.Series(dtype="datetime64[us]")
        return out
    order = {"worse": 0, "unusual": 1, "better": 2}
    out = out.assign(_o=out["assessment"].map(order), _k=out["kind"].map(_KIND_RANK)).sort_values(
        ["_o", "_k", "period", "metric", "level_key"], ascending=[True, True, False, True, True])
    return out.drop(columns=["_o", "_k"]).reset_index(drop=True)


# --------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------


def agent_choices(
    con: duckdb.DuckDBPyConnection,
    team: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pd.DataFrame:
    """The agents an agent selector offers: those evaluated in the period (in
    ``team`` as of each evaluation's date, when given) and the roster's
    members of ``team`` (any version), so an agent with surveys but no
    evaluation is listed too.  Surveys are not scanned: at ten million
    responses that alone would take a second.

    Returns a DataFrame with ``agent_id``, ``agent_name`` (the roster's
    latest name, else the evaluations'; None when unknown) and ``records``
    (evaluations in the period), sorted by agent id.
    """
    t = _metrics.metric_table(con, ["qa_evaluations"], grain="all", level="agent",
                              date_from=_as_date(date_from), date_to=_as_date(date_to), team=team)
    counts = t.groupby("level_key", as_index=False)["n"].sum().rename(
        columns={"level_key": "agent_id", "n": "records"})
    if team is None:
        members = con.execute("SELECT DISTINCT agent_id FROM roster_timeline").df()
    else:
        members = con.execute("SELECT DISTINCT agent_id FROM roster_timeline WHERE team = ?", [team]).df()
    out = pd.concat([counts, members[~members["agent_id"].isin(counts["agent_id"])].assign(records=0)],
                    ignore_index=True)
    out["records"] = out["records"].astype("int64")
    if out.empty:
        return pd.DataFrame({"agent_id": pd.Series(dtype="str"), "agent_name": pd.Series(dtype="object"),
                             "records": pd.Series(dtype="int64")})
    ids = out["agent_id"].astype(str).tolist()
    names = con.execute(
        """SELECT agent_id, arg_max(agent_name, valid_from) AS agent_name FROM roster_timeline
           WHERE agent_name IS NOT NULL AND list_contains(?::VARCHAR[], agent_id) GROUP BY agent_id""",
        [ids],
    ).df().set_index("agent_id")["agent_name"]
    out["agent_name"] = out["agent_id"].map(names).astype("object")
    missing = out["agent_name"].isna()
    if missing.any():
        fallback = con.execute(
            """SELECT agent_id, any_value(agent_name) AS agent_name FROM monitoring
               WHERE agent_name IS NOT NULL AND list_contains(?::VARCHAR[], agent_id) GROUP BY agent_id""",
            [out.loc[missing, "agent_id"].tolist()],
        ).df().set_index("agent_id")["agent_name"]
        out.loc[missing, "agent_name"] = out.loc[missing, "agent_id"].map(fallback)
    out["agent_name"] = out["agent_name"].where(out["agent_name"].notna(), None)
    return out.sort_values("agent_id", ignore_index=True)[
        ["agent_id", "agent_name", "records"]]
