"""Headline figures for a period, each compared with the period just before.

Why here and not in the page: the Overview, the half-yearly review report
and the command line all show "this period vs the last one, and is the
change real"; one function gives all of them the same numbers and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from ..analytics.indicators import composite_index
from ..analytics.metrics import get_metric, metric_table
from ..analytics.trends import period_over_period
from ..core.periods import previous_period
from ..stats.spc import control_chart, explain_signals

__all__ = ["HEADLINE_METRICS", "headline", "index_trend"]

#: The leadership's headline cards, in display order.
HEADLINE_METRICS: tuple[str, ...] = (
    "qa_mean_score",
    "critical_error_rate",
    "qa_call_test_pass_rate",
    "external_call_test_pass_rate",
    "satisfaction_rate",
)


def headline(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date,
    date_to: dt.date,
    metrics: Sequence[str] = HEADLINE_METRICS,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each metric of one unit over [date_from, date_to] against the previous
    period of the same length, with the test of whether the change is real.

    The unit is the center, or ``team`` and/or ``agent`` (all of its records
    pooled).  Rates are compared with the two-proportion z test, means with
    Welch's t (:func:`qa_analytics.analytics.trends.period_over_period`); counts are not
    tested.  So "down 2.1 points" comes with "significant" or "within normal
    variation".

    Returns
    -------
    DataFrame, one row per metric in the order asked (a metric without data
    still has its row, ``value`` NaN and ``n`` 0):

    * ``metric``, ``name_en``, ``name_zh``, ``kind`` (rate / mean / count),
      ``unit``, ``higher_is_better``
    * ``value``, ``n``, ``ci_low``, ``ci_high`` - this period
    * ``prev_value``, ``prev_n`` - the previous period
    * ``change`` (value - prev_value), ``p_value``, ``significant`` (bool),
      ``label_en``, ``label_zh`` (e.g. "down 2.1 points, significant (p = 0.003)")
    * ``verdict`` - ``better`` / ``worse`` (significant change in the good /
      bad direction), ``noise`` (tested, not significant, and the samples
      could have shown a change that matters), ``too_few`` (not significant,
      but too few data to tell), ``untested`` (a count, or too few data to
      test), ``no_previous``, ``no_data``
    * ``improved`` - True / False for better / worse, None otherwise
    """
    prev_from, prev_to = previous_period(date_from, date_to)
    kw = dict(grain="all", level="center", team=team, agent=agent, channel=channel, eval_type=eval_type)
    cur = metric_table(con, list(metrics), date_from=date_from, date_to=date_to, **kw)
    prev = metric_table(con, list(metrics), date_from=prev_from, date_to=prev_to, **kw)
    both = pd.concat([prev.assign(period=pd.Timestamp(prev_from)), cur.assign(period=pd.Timestamp(date_from))],
                     ignore_index=True)
    both["kind"] = [get_metric(m).kind for m in both["metric"]]
    compared = period_over_period(both, alpha=alpha) if len(both) else both
    nan = float("nan")
    rows = []
    for mid in metrics:
        m = get_metric(mid)
        rec = {
            "metric": mid, "name_en": m.name("en"), "name_zh": m.name("zh"), "kind": m.kind, "unit": m.unit,
            "higher_is_better": m.higher_is_better, "value": nan, "n": 0, "ci_low": nan, "ci_high": nan,
            "prev_value": nan, "prev_n": 0, "change": nan, "p_value": nan, "significant": False,
            "label_en": "", "label_zh": "", "verdict": "no_data", "improved": None,
        }
        before = prev[prev["metric"] == mid] if len(prev) else prev
        if len(before):
            rec.update(prev_value=float(before["value"].iloc[0]), prev_n=int(before["n"].iloc[0]))
        this = compared[(compared["metric"] == mid) & (compared["period"] == pd.Timestamp(date_from))] \
            if len(compared) else compared
        if len(this):
            r = this.iloc[0]
            rec.update(value=float(r["value"]), n=int(r["n"]), ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]))
            if pd.isna(rec["prev_value"]):
                rec["verdict"] = "no_previous"
            else:
                p = float(r["p_value"]) if pd.notna(r["p_value"]) else nan
                sig = bool(r["significant"])
                rec.update(change=float(r["change"]), p_value=p, significant=sig,
                           label_en=r["label_en"], label_zh=r["label_zh"])
                if p != p:  # NaN: not tested
                    rec["verdict"] = "untested"
                elif sig:
                    better = bool((rec["change"] > 0) == m.higher_is_better)
                    rec.update(verdict="better" if better else "worse", improved=better)
                else:
                    rec["verdict"] = "too_few" if r["verdict"] == "too_few" else "noise"
        rows.append(rec)
    return pd.DataFrame(rows)


def index_trend(
    con: duckdb.DuckDBPyConnection,
    grain: str,
    date_from: dt.date,
    date_to: dt.date,
    team: str | None = None,
    lang: str = "en",
) -> tuple[pd.DataFrame, list[str]]:
    """The composite index per period on an individuals (XmR) chart, and the
    first four of its signals in words (``lang``).

    Why XmR: one index value per period, no subgroups; its limits come from
    the moving range, so a period beyond them is a change in the centre's
    quality, not the noise of the index.  Fewer than three periods: an
    empty frame (no limits can be drawn).  Columns: ``period``, ``value``,
    ``center``, ``ucl``, ``lcl``, ``signal`` (bool).
    """
    cols = ["period", "value", "center", "ucl", "lcl", "signal"]
    trend = composite_index(con, grain=grain, level="center", date_from=date_from, date_to=date_to, team=team)
    trend = trend.dropna(subset=["index"]) if len(trend) else trend
    if len(trend) < 3:
        return pd.DataFrame(columns=cols), []
    cc = control_chart(trend["index"].to_numpy(), "xmr")
    out = pd.DataFrame({
        "period": trend["period"].to_numpy(), "value": cc["value"].to_numpy(), "center": cc["center"].to_numpy(),
        "ucl": cc["ucl"].to_numpy(), "lcl": cc["lcl"].to_numpy(), "signal": [bool(x) for x in cc["signals"]],
    })
    return out, explain_signals(cc, lang="zh-CN" if str(lang).startswith("zh") else "en")[:4]
