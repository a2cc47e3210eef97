"""Data shaping for the two review pages: the QA-staff review and the compliance calendar.

Thin wrappers over :mod:`qa_analytics.analytics.evaluators` and
:mod:`qa_analytics.analytics.compliance` that return exactly what the pages draw, so
the pages hold no statistics:

* :func:`workload` - evaluations per evaluator against a daily quota, over
  the whole range (the per-period detail is
  :func:`qa_analytics.analytics.evaluators.evaluator_activity`);
* :func:`leniency_review` - :func:`qa_analytics.analytics.evaluators.leniency` with a
  confidence interval of the difference from peers;
* :func:`score_distribution` - one box (5th, 25th, 50th, 75th, 95th
  percentile) of the scores each evaluator gave;
* :func:`alpha_band` - Krippendorff's reading of an alpha;
* :func:`compliance_calendar`, :func:`compliance_overview`,
  :func:`monitoring_days` - the compliance frame with the statuses a
  calendar needs (``holiday`` periods without a working day, ``no_data``
  for the senior-management review that nothing records yet), a summary per
  requirement, and every calendar day for the daily-monitoring month grids.

The official calendar and typed dates live in :mod:`qa_analytics.core.calendar`.

References
----------
* Krippendorff, K. (2004). *Content Analysis: An Introduction to Its
  Methodology*, 2nd ed., p. 241: rely on alpha >= .800, draw tentative
  conclusions from .667 <= alpha < .800.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..analytics.compliance import (
    calendar_periods,
    compliance,
    summarize_compliance,
    working_days,
)
from ..analytics.evaluators import _EVALUATOR_OK, _range, evaluator_activity, leniency
from ..core.calendar import cn_calendar
from ..core.periods import as_date

__all__ = [
    "alpha_band",
    "compliance_calendar",
    "compliance_overview",
    "leniency_review",
    "monitoring_days",
    "score_distribution",
    "team_compliance",
    "workload",
]


# ---------------------------------------------------------------------------
# QA staff
# ---------------------------------------------------------------------------
def workload(
    con: duckdb.DuckDBPyConnection,
    date_from: Any,
    date_to: Any,
    *,
    daily_quota: float = 20.0,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
) -> pd.DataFrame:
    """Evaluations per evaluator over the whole range against ``daily_quota`` per working day.

    Returns one row per evaluator (most evaluations first) with
    ``evaluator``, ``evaluations``, ``working_days``, ``quota``
    (= daily_quota x working days of the range), ``quota_ratio``,
    ``quota_met`` (bool) and ``per_day`` (evaluations per working day).
    """
    cols = ["evaluator", "evaluations", "working_days", "quota", "quota_ratio", "quota_met", "per_day"]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    df = con.execute(
        f"""SELECT evaluator, count(*) AS evaluations FROM monitoring
            WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK} AND total_score IS NOT NULL
            GROUP BY evaluator ORDER BY evaluations DESC, evaluator""",
        [d0, d1],
    ).df()
    wd = working_days(d0, d1, holidays, extra_workdays)
    df["evaluations"] = df["evaluations"].astype("int64")
    df["working_days"] = wd
    df["quota"] = float(daily_quota) * wd
    with np.errstate(divide="ignore", invalid="ignore"):
        df["quota_ratio"] = np.where(df["quota"] > 0, df["evaluations"] / df["quota"].clip(lower=1e-9), np.nan)
        df["per_day"] = np.where(wd > 0, df["evaluations"] / max(wd, 1), np.nan)
    df["quota_met"] = (df["evaluations"] >= df["quota"] - 1e-9).astype(bool)
    return df[cols].reset_index(drop=True)


def activity(
    con: duckdb.DuckDBPyConnection,
    date_from: Any,
    date_to: Any,
    grain: str = "month",
    *,
    daily_quota: float = 20.0,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
) -> pd.DataFrame:
    """:func:`qa_analytics.analytics.evaluators.evaluator_activity` for the workload chart.

    Keeps the periods with at least one working day (a holiday week has no
    quota and no bar worth drawing) and the columns the chart needs:
    ``evaluator``, ``period_start``, ``working_days``, ``evaluations``,
    ``quota``, ``quota_ratio``, ``quota_met``.
    """
    a = evaluator_activity(
        con, date_from, date_to, grain, daily_quota=daily_quota,
        holidays=list(holidays), extra_workdays=list(extra_workdays),
    )
    cols = ["evaluator", "period_start", "working_days", "evaluations", "quota", "quota_ratio", "quota_met"]
    if a.empty:
        return pd.DataFrame(columns=cols)
    a = a[(a["working_days"] > 0) | (a["evaluations"] > 0)]
    out = a[cols].reset_index(drop=True)
    out["quota_met"] = out["quota_met"].fillna(False).astype(bool)
    return out


def leniency_review(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    *,
    min_diff: float = 2.0,
    alpha: float = 0.05,
    min_cells: int = 5,
) -> pd.DataFrame:
    """:func:`qa_analytics.analytics.evaluators.leniency` (same agent, same month) with its interval.

    Adds ``ci_low`` / ``ci_high``: the two-sided ``1 - alpha`` t interval of
    ``mean_diff`` over the k matched cells (``mean_diff ± t(1-alpha/2, k-1)
    * sd_diff / sqrt(k)``; NaN where the label is ``insufficient data``).
    ``min_diff`` defaults to 2 points so that one strongly lenient evaluator,
    who lowers everyone else's peer baseline, does not make the others look
    "severe".  Sorted by ``mean_diff``, most lenient first.
    """
    from scipy import special

    df = leniency(con, date_from, date_to, min_diff=min_diff, alpha=alpha, min_cells=min_cells)
    if df.empty:
        return df.assign(ci_low=pd.Series(dtype=float), ci_high=pd.Series(dtype=float))
    k = df["cells"].to_numpy(float)
    dfree = df["df"].to_numpy(float)
    ok = np.isfinite(dfree) & (dfree > 0)
    tcrit = np.full(len(df), np.nan)
    tcrit[ok] = special.stdtrit(dfree[ok], 1.0 - alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = tcrit * df["sd_diff"].to_numpy(float) / np.sqrt(k)
    df["ci_low"] = df["mean_diff"] - half
    df["ci_high"] = df["mean_diff"] + half
    return df.sort_values("mean_diff", ascending=False, na_position="last").reset_index(drop=True)


def score_distribution(con: duckdb.DuckDBPyConnection, date_from: Any = None, date_to: Any = None) -> pd.DataFrame:
    """The scores each evaluator gave in the range, as a box plot needs them.

    One row per evaluator with ``evaluations``, ``mean``, ``p05``, ``q1``,
    ``median``, ``q3``, ``p95`` (``quantile_cont``, linear interpolation),
    ``min_score``, ``max_score`` and ``zero_scores`` (scores of 0: critical
    errors, drawn apart so they do not stretch every whisker to 0).  A last
    row with ``evaluator = None`` holds all evaluators together.
    """
    cols = ["evaluator", "evaluations", "mean", "p05", "q1", "median", "q3", "p95", "min_score", "max_score",
            "zero_scores"]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    df = con.execute(
        f"""SELECT evaluator, count(*) AS evaluations, avg(total_score) AS mean,
                   quantile_cont(total_score, 0.05) AS p05, quantile_cont(total_score, 0.25) AS q1,
                   quantile_cont(total_score, 0.5) AS median, quantile_cont(total_score, 0.75) AS q3,
                   quantile_cont(total_score, 0.95) AS p95,
                   min(total_score) AS min_score, max(total_score) AS max_score,
                   count_if(total_score = 0) AS zero_scores
            FROM monitoring
            WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK} AND total_score IS NOT NULL
            GROUP BY GROUPING SETS ((evaluator), ())
            ORDER BY evaluator IS NULL, evaluator""",
        [d0, d1],
    ).df()
    for c in ("evaluations", "zero_scores"):
        df[c] = df[c].astype("int64")
    df["evaluator"] = df["evaluator"].astype(object).where(df["evaluator"].notna(), None)
    return df[cols]


def alpha_band(alpha: float | None) -> str:
    """Krippendorff's (2004) reading: ``good`` (>= 0.800), ``tentative`` (>= 0.667), ``low``, ``none`` (NaN)."""
    if alpha is None or not np.isfinite(alpha):
        return "none"
    if alpha >= 0.8:
        return "good"
    if alpha >= 0.667:
        return "tentative"
    return "low"


# ---------------------------------------------------------------------------
# compliance calendar
# ---------------------------------------------------------------------------
def compliance_calendar(
    con: duckdb.DuckDBPyConnection,
    date_from: Any,
    date_to: Any,
    *,
    team: str | None = None,
    by_team: bool = False,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
    review_dates: Iterable[Any] | None = None,
    as_of: Any = None,
) -> pd.DataFrame:
    """:func:`qa_analytics.analytics.compliance.compliance` with the statuses a calendar shows.

    ``team``: the team-level requirements for that team only (center-level
    ones unchanged); ``by_team``: every team.  On top of the library's
    ``met`` / ``missing`` / ``in_progress`` / ``not_started``:

    * ``holiday`` - a week / month / ... period not met that holds no working
      day at all (a Spring-Festival week): nothing was required;
    * ``no_data`` - every senior-management-review period when
      ``review_dates`` is None: no table records those reviews yet, so the
      calendar cannot tell whether one was held.

    Adds ``working_days`` (working days of the whole period).
    """
    hol, extra = list(holidays), list(extra_workdays)
    fr = compliance(
        con, date_from, date_to, by_team=by_team or team is not None,
        holidays=hol, extra_workdays=extra, review_dates=review_dates, as_of=as_of,
        teams=[team] if team is not None else None,
    )
    if fr.empty:
        return fr.assign(working_days=pd.Series(dtype="int64"))
    fr["working_days"] = [
        working_days(s, e, hol, extra) for s, e in zip(fr["period_start"], fr["period_end"])
    ]
    status = fr["status"].to_numpy(object).copy()
    status[(fr["working_days"].to_numpy() == 0) & ~fr["met"].to_numpy(bool) & (status != "before_start")] = "holiday"
    if review_dates is None:
        status[(fr["requirement"] == "management_review").to_numpy()] = "no_data"
    fr["status"] = status
    return fr


def compliance_overview(frame: pd.DataFrame) -> pd.DataFrame:
    """Per requirement (and team): :func:`qa_analytics.analytics.compliance.summarize_compliance`
    plus ``state`` - ``all_met`` | ``missing`` | ``not_judged`` (no period over
    yet, or only holiday periods) | ``no_data`` - and ``holiday_periods``."""
    s = summarize_compliance(frame)
    if s.empty:
        return s.assign(state=pd.Series(dtype=object), holiday_periods=pd.Series(dtype="int64"))
    f = frame.assign(_t=frame["team"].astype(object).where(frame["team"].notna(), "\0"))
    st_ = f.groupby(["requirement", "_t"])["status"].agg(
        no_data=lambda x: bool((x == "no_data").all()), holiday_periods=lambda x: int((x == "holiday").sum())
    )
    key = list(zip(s["requirement"], s["team"].astype(object).where(s["team"].notna(), "\0")))
    s["no_data"] = [bool(st_.loc[k, "no_data"]) for k in key]
    s["holiday_periods"] = [int(st_.loc[k, "holiday_periods"]) for k in key]
    s["state"] = np.select(
        [s["no_data"], s["missing"] > 0, s["periods"] == 0], ["no_data", "missing", "not_judged"], "all_met"
    )
    return s.drop(columns=["no_data"])


def team_compliance(
    con: duckdb.DuckDBPyConnection, date_from: Any, date_to: Any, **kwargs: Any
) -> pd.DataFrame:
    """:func:`compliance_overview` of the team-level requirements for every team
    (``kwargs`` as for :func:`compliance_calendar`)."""
    fr = compliance_calendar(con, date_from, date_to, by_team=True, **kwargs)
    return compliance_overview(fr[fr["team"].notna()].reset_index(drop=True))


def monitoring_days(
    frame: pd.DataFrame,
    date_from: Any,
    date_to: Any,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
) -> pd.DataFrame:
    """Every calendar day of the months overlapping the range, for the daily-monitoring grid.

    ``frame`` is a :func:`compliance_calendar` frame (one team or the
    center).  Columns ``date`` (datetime.date), ``day_type`` (``workday`` |
    ``makeup`` (a weekend day worked in exchange) | ``weekend`` |
    ``holiday``), ``in_range`` (bool), ``status`` (the day's compliance
    status; ``off`` for days that are not working days, ``outside`` for
    working days outside the range) and ``done`` (evaluations that day).
    """
    d0, d1 = as_date(date_from), as_date(date_to)
    hol, extra = set(map(as_date, holidays)), set(map(as_date, extra_workdays))
    m = frame[frame["requirement"] == "qa_monitoring"] if len(frame) else frame
    by_day = {as_date(s): (st, int(dn)) for s, st, dn in zip(m.get("period_start", []), m.get("status", []),
                                                             m.get("done", []))}
    rows = []
    for ms, me in calendar_periods(d0, d1, "month"):
        d = ms
        while d <= me:
            if d in extra:
                kind = "makeup"
            elif d in hol:
                kind = "holiday"
            elif d.weekday() >= 5:
                kind = "weekend"
            else:
                kind = "workday"
            inside = d0 <= d <= d1
            if kind in ("workday", "makeup"):
                st, dn = by_day.get(d, ("outside", 0)) if inside else ("outside", 0)
            else:
                st, dn = "off", 0
            rows.append({"date": d, "day_type": kind, "in_range": inside, "status": st, "done": dn})
            d += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=["date", "day_type", "in_range", "status", "done"])


def compliance_gaps(
    con: duckdb.DuckDBPyConnection,
    date_from: Any,
    date_to: Any,
    *,
    team: str | None = None,
    calendar: str = "cn",
    as_of: Any = None,
) -> pd.DataFrame:
    """The requirements with missed periods, as the Overview's alerts list them.

    Judged like the compliance calendar: China's official calendar
    (``calendar`` as in :func:`cn_calendar`), holiday-only periods not
    required, the management review ``no_data`` (not a miss), and nothing
    after ``as_of`` (default: the last day with data, or yesterday).

    Returns :func:`compliance_overview` rows whose ``state`` is ``missing``
    (columns ``requirement``, ``team``,
    ``missing``, ``missing_periods``...).
    """
    cal = cn_calendar(date_from, date_to, calendar)
    if as_of is None:
        last = con.execute(
            "SELECT max(d) FROM (SELECT max(eval_date) d FROM monitoring UNION ALL SELECT max(test_date) FROM call_test"
            " UNION ALL SELECT max(survey_date) FROM survey)"
        ).fetchone()[0]
        yesterday = dt.date.today() - dt.timedelta(days=1)
        as_of = min(yesterday, last) if last else yesterday
    frame = compliance_calendar(con, date_from, date_to, team=team, holidays=cal["holidays"],
                                extra_workdays=cal["extra_workdays"], as_of=as_of)
    if frame.empty:
        return compliance_overview(frame) if len(frame.columns) else frame
    if team:
        frame = frame[frame["team"].isna() | (frame["team"] == team)]
    over = compliance_overview(frame)
    return over[over["state"] == "missing"].reset_index(drop=True)
