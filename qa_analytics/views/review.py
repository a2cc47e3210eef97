"""Data shaping for the two review pages: the QA-staff review and the compliance calendar.

Thin wrappers over :mod:`qa_analytics.analytics.evaluators` and
:mod:`qa_analytics.analytics.compliance` that return exactly what the pages draw, so
the pages hold no statistics:

* :func:`cn_calendar` - China's official public holidays and make-up working
  days (调休) as published by the State Council, for the years known here;
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
  requirement, and every calendar day for the daily-monitoring month grids;
* :func:`parse_dates` - dates typed by a user.

References
----------
* Krippendorff, K. (2004). *Content Analysis: An Introduction to Its
  Methodology*, 2nd ed., p. 241: rely on alpha >= .800, draw tentative
  conclusions from .667 <= alpha < .800.
* 国务院办公厅关于2024年 / 2025年 / 2026年部分节假日安排的通知
  (国办发明电〔2023〕7号, 〔2024〕12号, and of 4 November 2025).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..analytics.compliance import (
    as_date,
    calendar_periods,
    compliance,
    summarize_compliance,
    working_days,
)
from ..analytics.evaluators import _EVALUATOR_OK, _range, evaluator_activity, leniency

__all__ = [
    "CN_CALENDAR_YEARS",
    "alpha_band",
    "cn_calendar",
    "compliance_calendar",
    "compliance_overview",
    "leniency_review",
    "monitoring_days",
    "parse_dates",
    "score_distribution",
    "team_compliance",
    "workload",
]


# ---------------------------------------------------------------------------
# China's public-holiday calendar
# ---------------------------------------------------------------------------
def _span(a: str, b: str) -> list[dt.date]:
    d0, d1 = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    return [d0 + dt.timedelta(days=i) for i in range((d1 - d0).days + 1)]


# year -> (days off, weekend days worked in exchange), from the State Council notices.
_CN: dict[int, tuple[list[dt.date], list[dt.date]]] = {
    2024: (
        _span("2024-01-01", "2024-01-01") + _span("2024-02-10", "2024-02-17")
        + _span("2024-04-04", "2024-04-06") + _span("2024-05-01", "2024-05-05")
        + _span("2024-06-10", "2024-06-10") + _span("2024-09-15", "2024-09-17")
        + _span("2024-10-01", "2024-10-07"),
        [dt.date(2024, 2, 4), dt.date(2024, 2, 18), dt.date(2024, 4, 7), dt.date(2024, 4, 28),
         dt.date(2024, 5, 11), dt.date(2024, 9, 14), dt.date(2024, 9, 29), dt.date(2024, 10, 12)],
    ),
    2025: (
        _span("2025-01-01", "2025-01-01") + _span("2025-01-28", "2025-02-04")
        + _span("2025-04-04", "2025-04-06") + _span("2025-05-01", "2025-05-05")
        + _span("2025-05-31", "2025-06-02") + _span("2025-10-01", "2025-10-08"),
        [dt.date(2025, 1, 26), dt.date(2025, 2, 8), dt.date(2025, 4, 27), dt.date(2025, 9, 28),
         dt.date(2025, 10, 11)],
    ),
    2026: (
        _span("2026-01-01", "2026-01-03") + _span("2026-02-15", "2026-02-23")
        + _span("2026-04-04", "2026-04-06") + _span("2026-05-01", "2026-05-05")
        + _span("2026-06-19", "2026-06-21") + _span("2026-09-25", "2026-09-27")
        + _span("2026-10-01", "2026-10-07"),
        [dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9),
         dt.date(2026, 9, 20), dt.date(2026, 10, 10)],
    ),
}

#: Years whose official calendar :func:`cn_calendar` knows.
CN_CALENDAR_YEARS: tuple[int, ...] = tuple(sorted(_CN))


def cn_calendar(date_from: Any, date_to: Any, mode: str = "cn") -> dict[str, Any]:
    """China's official days off and make-up working days inside ``[date_from, date_to]``.

    ``mode``: ``"cn"`` the official calendar (days off and the weekend days
    worked in exchange); ``"hol"`` the days off only (for a center that does
    not work the make-up weekend days); ``"mf"`` none (Monday-Friday).

    Returns ``{"holidays": [...], "extra_workdays": [...], "missing_years": [...]}``:
    the dates (``datetime.date``, sorted) to pass to the compliance and
    workload functions, and the years of the range this module has no
    calendar for (there only Monday-Friday counts).
    """
    if mode not in ("cn", "hol", "mf"):
        raise ValueError("mode must be 'cn', 'hol' or 'mf'")
    if mode == "mf":
        return {"holidays": [], "extra_workdays": [], "missing_years": []}
    d0, d1 = as_date(date_from), as_date(date_to)
    hol: list[dt.date] = []
    extra: list[dt.date] = []
    missing: list[int] = []
    for y in range(d0.year, d1.year + 1):
        if y not in _CN:
            missing.append(y)
            continue
        hol += [d for d in _CN[y][0] if d0 <= d <= d1]
        if mode == "cn":
            extra += [d for d in _CN[y][1] if d0 <= d <= d1]
    return {"holidays": sorted(hol), "extra_workdays": sorted(extra), "missing_years": missing}


def parse_dates(text: str | None) -> tuple[list[dt.date], list[str]]:
    """Dates typed by a user (``2026-03-05``, ``2026/3/5``, ``2026年3月5日``), any separator.

    Returns the dates (sorted, unique) and the pieces that are not dates.
    """
    if not text:
        return [], []
    ok: set[dt.date] = set()
    bad: list[str] = []
    for piece in re.split(r"[\s,，;；、]+", text.strip()):
        if not piece:
            continue
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", piece)
        try:
            if not m:
                raise ValueError(piece)
            ok.add(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            bad.append(piece)
    return sorted(ok), bad


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
    status[(fr["working_days"].to_numpy() == 0) & ~fr["met"].to_numpy(bool)] = "holiday"
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
    (columns ``requirement``, ``label_en``, ``label_zh``, ``team``,
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
