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

from .metrics import get_metric, metric_table
from .trends import period_over_period

__all__ = ["HEADLINE_METRICS", "previous_period", "headline"]

#: The leadership's headline cards, in display order.
HEADLINE_METRICS: tuple[str, ...] = (
    "qa_mean_score",
    "critical_error_rate",
    "qa_call_test_pass_rate",
    "external_call_test_pass_rate",
    "satisfaction_rate",
)


def previous_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length that ends the day before ``date_from``."""
    days = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=days), date_from - dt.timedelta(days=1)


def headline(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date,
    date_to: dt.date,
    metrics: Sequence[str] = HEADLINE_METRICS,
    team: str | None = None,
    channel: str | Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each metric over [date_from, date_to] against the previous period of
    the same length, with the test of whether the change is real.

    Rates are compared with the two-proportion z test, means with Welch's t
    (``qa_analytics.trends``), so "down 2.1 points" comes with "significant"
    or "within normal variation".

    Returns
    -------
    DataFrame, one row per metric in the order asked (metrics with no data in
    either period still get a row, value NaN):

    * ``metric``, ``name_en``, ``name_zh``, ``unit``, ``higher_is_better``
    * ``value``, ``n``, ``ci_low``, ``ci_high`` - this period
    * ``prev_value``, ``prev_n`` - the previous period
    * ``change``, ``p_value``, ``significant``, ``label_en``, ``label_zh``
    * ``improved`` - True / False when the change is significant and in the
      good / bad direction, None otherwise
    """
    prev_from, prev_to = previous_period(date_from, date_to)
    kwargs = {"team": team, "channel": channel}
    cur = metric_table(con, list(metrics), grain="all", level="center", date_from=date_from, date_to=date_to,
                       **kwargs)
    prev = metric_table(con, list(metrics), grain="all", level="center", date_from=prev_from, date_to=prev_to,
                        **kwargs)
    cur = cur.assign(period=pd.Timestamp(date_from))
    prev = prev.assign(period=pd.Timestamp(prev_from))
    both = pd.concat([prev, cur], ignore_index=True)
    compared = period_over_period(both, alpha=alpha) if len(both) else both
    rows = []
    for mid in metrics:
        m = get_metric(mid)
        this = compared[(compared["metric"] == mid) & (compared["period"] == pd.Timestamp(date_from))] \
            if len(compared) else compared
        before = prev[prev["metric"] == mid] if len(prev) else prev
        rec = {
            "metric": mid, "name_en": m.name("en"), "name_zh": m.name("zh"), "unit": m.unit,
            "higher_is_better": m.higher_is_better,
            "value": float("nan"), "n": 0, "ci_low": float("nan"), "ci_high": float("nan"),
            "prev_value": float(before["value"].iloc[0]) if len(before) else float("nan"),
            "prev_n": int(before["n"].iloc[0]) if len(before) else 0,
            "change": float("nan"), "p_value": float("nan"), "significant": False,
            "label_en": "", "label_zh": "", "improved": None,
        }
        if len(this):
            r = this.iloc[0]
            rec.update(value=float(r["value"]), n=int(r["n"]), ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]))
            if "change" in r and pd.notna(r.get("prev_value")):
                rec.update(change=float(r["change"]), p_value=float(r["p_value"]) if pd.notna(r["p_value"]) else float("nan"),
                           significant=bool(r["significant"]), label_en=r["label_en"], label_zh=r["label_zh"])
                if rec["significant"]:
                    rec["improved"] = bool((rec["change"] > 0) == m.higher_is_better)
        rows.append(rec)
    return pd.DataFrame(rows)
