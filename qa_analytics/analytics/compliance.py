"""Evaluation-frequency compliance: did each required activity happen in every period?

The management measures for the hotline set how often each kind of quality
evaluation must happen.  :data:`REQUIREMENTS` holds them as data:

=========================  ==========  =============================================
requirement                frequency   counted records
=========================  ==========  =============================================
``qa_monitoring``          workday     ``monitoring`` (any channel)
``qa_call_test``           week        ``call_test`` with ``tester_type = 'qa'``
``leadership_call_test``   month       ``call_test`` with ``tester_type = 'leadership'``
``non_voice_monitoring``   month       ``monitoring`` with ``channel <> 'voice'``
``system_check``           quarter     ``system_check``
``management_review``      half_year   the ``review_dates`` the caller passes
=========================  ==========  =============================================

*Working days* are Monday-Friday, minus ``holidays``, plus ``extra_workdays``
(the weekend days worked in exchange for a holiday bridge, as the Chinese
public-holiday calendar schedules them).  Weeks are ISO weeks (Monday-Sunday),
quarters and half years are calendar ones (Jan-Jun, Jul-Dec).

There is no table for senior-management reviews yet: :func:`compliance` takes
the dates the reviews were held as ``review_dates``; the default ``None``
means "no review recorded", so every half year is missing.

Partial periods at the range edges
----------------------------------
The periods reported are every calendar period that *overlaps*
``[date_from, date_to]``, and each is judged **in full**: ``done`` counts the
records of the whole period, including days outside the range (a range from
15 January still shows January with all of January's records).  A period that
has not ended by ``as_of`` (the last day whose data is complete; default
yesterday) is not judged: its ``status`` is ``in_progress`` (it has started)
or ``not_started``, and :func:`summarize_compliance` leaves it out of the
rate.  ``met`` is simply ``done >= expected``, so a current period already
satisfied shows as met on the calendar.

Counting is done in DuckDB (``GROUP BY`` period, and team when asked); only
one small row per period comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..core.periods import as_date, bucket_sql, period_end, period_start

__all__ = [
    "FREQUENCIES",
    "REQUIREMENTS",
    "REQUIREMENT_BY_ID",
    "STATUSES",
    "Requirement",
    "calendar_periods",
    "compliance",
    "compliance_summary",
    "is_working_day",
    "summarize_compliance",
    "working_days",
]

#: Period kinds understood by :func:`calendar_periods`.
FREQUENCIES: tuple[str, ...] = ("day", "workday", "week", "month", "quarter", "half_year")

#: Values of the ``status`` column of :func:`compliance`.
STATUSES: tuple[str, ...] = ("met", "missing", "in_progress", "not_started")

DateLike = dt.date | dt.datetime | str | pd.Timestamp | np.datetime64


# ---------------------------------------------------------------------------
# Calendar helpers (also used by qa_analytics.analytics.evaluators)
# ---------------------------------------------------------------------------
def _date_set(xs: Iterable[Any] | None) -> frozenset[dt.date]:
    return frozenset(as_date(x) for x in (xs or ()))


def is_working_day(
    d: DateLike, holidays: Iterable[Any] = (), extra_workdays: Iterable[Any] = ()
) -> bool:
    """Monday-Friday and not a holiday, or one of ``extra_workdays`` (which wins)."""
    d = as_date(d)
    if d in _date_set(extra_workdays):
        return True
    return d.weekday() < 5 and d not in _date_set(holidays)


def working_days(
    start: DateLike, end: DateLike, holidays: Iterable[Any] = (), extra_workdays: Iterable[Any] = ()
) -> int:
    """Number of working days in ``[start, end]`` (both inclusive; 0 when ``end < start``).

    ``working_days('2024-05-01', '2024-05-31') == 23``; with the May-Day
    holidays 1-3 May it is 20.
    """
    s, e = as_date(start), as_date(end)
    if e < s:
        return 0
    extra = _date_set(extra_workdays)
    hol = sorted(_date_set(holidays) - extra)
    weekdays = int(
        np.busday_count(
            s, e + dt.timedelta(days=1), weekmask="1111100",
            holidays=np.array(hol, dtype="datetime64[D]"),
        )
    )
    weekend_extra = sum(1 for x in extra if s <= x <= e and x.weekday() >= 5)
    return weekdays + weekend_extra


def calendar_periods(
    date_from: DateLike,
    date_to: DateLike,
    freq: str,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
) -> list[tuple[dt.date, dt.date]]:
    """Every whole ``freq`` period overlapping ``[date_from, date_to]``, as ``(start, end)``.

    ``workday`` gives the working days inside the range (one-day periods);
    ``day`` every calendar day of it.  Periods are whole: a month overlapping
    the range only by its last week is still ``(1st, last day)``.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"unknown frequency {freq!r}; expected one of {FREQUENCIES}")
    d0, d1 = as_date(date_from), as_date(date_to)
    if d1 < d0:
        raise ValueError(f"date_to {d1} is before date_from {d0}")
    out: list[tuple[dt.date, dt.date]] = []
    if freq in ("day", "workday"):
        hol, extra = _date_set(holidays), _date_set(extra_workdays)
        d = d0
        while d <= d1:
            if freq == "day" or d in extra or (d.weekday() < 5 and d not in hol):
                out.append((d, d))
            d += dt.timedelta(days=1)
        return out
    s = period_start(d0, freq)
    while s <= d1:
        e = period_end(s, freq)
        out.append((s, e))
        s = e + dt.timedelta(days=1)
    return out


# ---------------------------------------------------------------------------
# Requirements
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    """One frequency requirement of the management measures.

    ``table``/``date_col``/``condition`` say which stored records count
    (``condition`` is a fixed SQL predicate of this module, never user input);
    ``table=None`` means the dates come from the caller (``review_dates``).
    ``team_level``: whether the requirement applies to each team (call tests,
    monitoring) or to the center as a whole (system checks, reviews).
    """

    id: str
    label_en: str
    label_zh: str
    frequency: str
    table: str | None
    date_col: str | None
    condition: str = "TRUE"
    team_level: bool = True
    short_en: str = ""  # the name a calendar row or a chart axis shows
    short_zh: str = ""

    def label(self, lang: str = "en") -> str:
        return self.label_zh if str(lang).startswith("zh") else self.label_en

    text = label  # a requirement is a Text: ``say(requirement, lang)``

    def short(self, lang: str = "en") -> str:
        return (self.short_zh or self.label_zh) if str(lang).startswith("zh") else (self.short_en or self.label_en)


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "qa_monitoring", "QA monitoring every working day", "质检监听：每个工作日开展",
        "workday", "monitoring", "eval_date",
        short_en="QA monitoring (daily)", short_zh="质检监听（每工作日）",
    ),
    Requirement(
        "qa_call_test", "QA call tests every week", "质检拨测：每周开展",
        "week", "call_test", "test_date", "tester_type = 'qa'",
        short_en="QA call tests (weekly)", short_zh="质检拨测（每周）",
    ),
    Requirement(
        "leadership_call_test", "Leadership call tests every month", "领导拨测：每月开展",
        "month", "call_test", "test_date", "tester_type = 'leadership'",
        short_en="Leadership call tests (monthly)", short_zh="领导拨测（每月）",
    ),
    Requirement(
        "non_voice_monitoring", "Non-voice evaluations every month", "非语音渠道质检：每月开展",
        "month", "monitoring", "eval_date", "channel <> 'voice'",
        short_en="Non-voice QA (monthly)", short_zh="非语音质检（每月）",
    ),
    Requirement(
        "system_check", "System checks every quarter", "系统检查：每季度开展",
        "quarter", "system_check", "check_date", team_level=False,
        short_en="System checks (quarterly)", short_zh="系统检查（每季度）",
    ),
    Requirement(
        "management_review", "Senior-management review every half year", "中心领导质量评审：每半年开展",
        "half_year", None, None, team_level=False,
        short_en="Management review (half-yearly)", short_zh="领导质量评审（每半年）",
    ),
)
#: Each requirement by its id.
REQUIREMENT_BY_ID: dict[str, Requirement] = {r.id: r for r in REQUIREMENTS}
_TEAM_VIEWS = {"monitoring": "monitoring_v", "call_test": "call_test_v"}

_COLUMNS = [
    "requirement", "frequency", "period_start", "period_end",
    "team", "expected", "done", "met", "status", "counted_from",
]
#: the tables whose first record starts the reviews' counting (no table records reviews)
_ANY_RECORD = ("monitoring", "call_test", "survey", "system_check")


def _first_dates(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date | None]:
    """The first record's date of each kind, in one query."""
    sql = " UNION ALL ".join(f"SELECT '{t}', min({_DATE_OF[t]}) FROM {t}" for t in _ANY_RECORD)
    return {t: (as_date(d) if d is not None else None) for t, d in con.execute(sql).fetchall()}


def _start_of(req: Requirement, programme_start: DateLike | Mapping[str, DateLike] | None,
              firsts: Mapping[str, dt.date | None]) -> dt.date | None:
    """When ``req`` starts counting (see ``compliance``'s ``programme_start``)."""
    if isinstance(programme_start, Mapping):
        if req.id in programme_start:
            return as_date(programme_start[req.id])
    elif programme_start is not None:
        return as_date(programme_start)
    if req.table is not None:
        return firsts.get(req.table)
    known = [d for d in firsts.values() if d is not None]
    return min(known) if known else None


_DATE_OF = {"monitoring": "eval_date", "call_test": "test_date", "survey": "survey_date", "system_check": "check_date"}


def _teams(con: duckdb.DuckDBPyConnection, d0: dt.date, d1: dt.date) -> list[str]:
    rows = con.execute(
        """SELECT DISTINCT team FROM (
               SELECT team FROM roster
               UNION ALL SELECT team FROM monitoring_v WHERE eval_date BETWEEN ? AND ?
               UNION ALL SELECT team FROM call_test_v WHERE test_date BETWEEN ? AND ?)
           WHERE team IS NOT NULL AND trim(team) <> ''
           ORDER BY team""",
        [d0, d1, d0, d1],
    ).fetchall()
    return [r[0] for r in rows]


def _counts(
    con: duckdb.DuckDBPyConnection,
    req: Requirement,
    d0: dt.date,
    d1: dt.date,
    team: bool,
    review_dates: frozenset[dt.date],
) -> pd.DataFrame:
    """``period_start`` (datetime64), [``team``,] ``done`` for one requirement over [d0, d1]."""
    if req.table is None:
        starts = pd.Series(
            [period_start(d, req.frequency) for d in review_dates if d0 <= d <= d1],
            dtype="datetime64[us]",
        )
        c = starts.value_counts().rename_axis("period_start").reset_index(name="done")
        return c.astype({"period_start": "datetime64[us]", "done": "int64"})
    src = _TEAM_VIEWS[req.table] if team else req.table
    bucket = bucket_sql(req.date_col, req.frequency)
    team_sel = "team, " if team else ""
    team_where = "AND team IS NOT NULL AND trim(team) <> ''" if team else ""
    df = con.execute(
        f"""SELECT {bucket} AS period_start, {team_sel}count(*) AS done
            FROM {src}
            WHERE {req.date_col} BETWEEN ? AND ? AND ({req.condition}) {team_where}
            GROUP BY ALL""",
        [d0, d1],
    ).df()
    df["period_start"] = df["period_start"].astype("datetime64[us]")
    df["done"] = df["done"].astype("int64")
    return df


def compliance(
    con: duckdb.DuckDBPyConnection,
    date_from: DateLike,
    date_to: DateLike,
    by_team: bool = False,
    *,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
    review_dates: Iterable[Any] | None = None,
    as_of: DateLike | None = None,
    expected: Mapping[str, int] | None = None,
    requirements: Sequence[str] | None = None,
    teams: Sequence[str] | None = None,
    programme_start: DateLike | Mapping[str, DateLike] | None = None,
) -> pd.DataFrame:
    """One row per requirement x period (x team): was the required activity done?

    Parameters
    ----------
    con : an open store connection.
    date_from, date_to : the range; every period overlapping it is reported
        and judged in full (see the module notes on partial periods).
    by_team : report team-level requirements (monitoring, call tests) per team
        (team resolved through the roster, ``*_v`` views; records without a
        team are left out).  Center-level requirements (``system_check``,
        ``management_review``) keep one row per period with ``team = None``.
    holidays, extra_workdays : dates removed from / added to Mon-Fri for the
        ``workday`` frequency.
    review_dates : dates senior-management reviews were held (no table stores
        them yet); ``None`` = none held, every half year is missing.
    as_of : the last day whose data is complete (default: yesterday).
        Periods ending after it are ``in_progress`` / ``not_started``.
    expected : minimum count per period by requirement id (default 1 each).
    requirements : restrict to these requirement ids (default all, in
        :data:`REQUIREMENTS` order).
    teams : with ``by_team``, the teams to report (default: the roster's teams
        and every team with monitoring or call tests in the periods).
    programme_start : when each requirement's counting starts: a date for
        all, or a date per requirement id.  Default: the first record of the
        requirement's kind in the store (the first record of any kind for
        the reviews, which no table holds), so a store holding only November's
        surveys does not report 126 missed monitoring days.  Periods ending
        before it are ``before_start``, not missing.

    Returns
    -------
    DataFrame with columns

    * ``requirement`` - requirement id (its words: :data:`REQUIREMENT_BY_ID`)
    * ``frequency`` - ``workday`` | ``week`` | ``month`` | ``quarter`` | ``half_year``
    * ``period_start``, ``period_end`` - the whole period (datetime64, inclusive)
    * ``team`` - the team, or ``None`` for center-level rows and when not ``by_team``
    * ``expected`` - the required count (1 unless ``expected`` says otherwise)
    * ``done`` - records in the period (int)
    * ``met`` - ``done >= expected`` (bool)
    * ``status`` - ``met`` | ``missing`` | ``in_progress`` | ``not_started``
      | ``before_start`` (ended before the requirement's counting began)
    * ``counted_from`` - that start (datetime64; NaT when nothing is stored)

    sorted by requirement (table order), team, period_start.
    """
    d0, d1 = as_date(date_from), as_date(date_to)
    if d1 < d0:
        raise ValueError(f"date_to {d1} is before date_from {d0}")
    cut = as_date(as_of) if as_of is not None else dt.date.today() - dt.timedelta(days=1)
    reviews = _date_set(review_dates)
    ids = list(requirements) if requirements is not None else [r.id for r in REQUIREMENTS]
    unknown = [i for i in ids if i not in REQUIREMENT_BY_ID]
    if unknown:
        raise ValueError(f"unknown requirement(s) {unknown}; known: {list(REQUIREMENT_BY_ID)}")
    need = dict(expected or {})
    team_list: list[str] | None = None
    if by_team:
        team_list = list(teams) if teams is not None else _teams(con, d0, d1)

    firsts = _first_dates(con)
    frames = []
    for rid in ids:
        req = REQUIREMENT_BY_ID[rid]
        per = calendar_periods(d0, d1, req.frequency, holidays, extra_workdays)
        if not per:
            continue
        grid = pd.DataFrame(
            {
                "period_start": pd.Series([p[0] for p in per], dtype="datetime64[us]"),
                "period_end": pd.Series([p[1] for p in per], dtype="datetime64[us]"),
            }
        )
        per_team = by_team and req.team_level
        counts = _counts(con, req, per[0][0], per[-1][1], per_team, reviews)
        if per_team:
            tt = pd.DataFrame({"team": pd.Series(team_list, dtype=object)})
            grid = grid.merge(tt, how="cross")
            counts = counts.astype({"team": object})
            grid = grid.merge(counts, on=["period_start", "team"], how="left")
        else:
            grid = grid.merge(counts, on="period_start", how="left")
            grid["team"] = pd.Series([None] * len(grid), dtype=object)
        grid["done"] = grid["done"].fillna(0).astype("int64")
        grid["requirement"] = req.id
        grid["frequency"] = req.frequency
        grid["expected"] = int(need.get(req.id, 1))
        start = _start_of(req, programme_start, firsts)
        grid["counted_from"] = pd.Timestamp(start) if start is not None else pd.NaT
        frames.append(grid)

    if not frames:
        out = pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
        return out
    out = pd.concat(frames, ignore_index=True)
    out["team"] = out["team"].astype(object).where(out["team"].notna(), None)
    out["met"] = (out["done"] >= out["expected"]).astype(bool)
    cut_ts = pd.Timestamp(cut)
    status = np.where(out["met"], "met", "missing").astype(object)
    status = np.where(out["period_end"] > cut_ts, "in_progress", status)
    status = np.where(out["period_start"] > cut_ts, "not_started", status)
    counted = out["counted_from"]
    status = np.where(counted.isna() | (out["period_end"] < counted), "before_start", status)
    out["status"] = pd.Series(status, index=out.index, dtype=object)
    order = {r: i for i, r in enumerate(ids)}
    out["_o"] = out["requirement"].map(order)
    out["_t"] = out["team"].fillna("")
    out = out.sort_values(["_o", "_t", "period_start"], kind="stable").drop(columns=["_o", "_t"])
    return out[_COLUMNS].reset_index(drop=True)


def summarize_compliance(frame: pd.DataFrame) -> pd.DataFrame:
    """Per requirement (and team): how many judged periods were met.

    Only periods that have ended by ``as_of`` are judged (status ``met`` or
    ``missing``); ``in_progress`` and ``not_started`` periods are counted
    apart.  ``rate = met / periods`` (NaN when no period was judged).

    Returns
    -------
    DataFrame with columns

    * ``requirement`` (its words: ``REQUIREMENT_BY_ID[id]``), ``frequency``, ``team``
      (``None`` for center-level rows / when not by team)
    * ``periods`` - judged periods (int)
    * ``met`` - judged periods met (int)
    * ``missing`` - judged periods not met (int)
    * ``rate`` - ``met / periods`` (float, NaN when ``periods == 0``)
    * ``in_progress`` - periods not yet over (in progress or not started)
    * ``missing_periods`` - list of the ``period_start`` dates
      (``datetime.date``) of the missing periods
    """
    cols = [
        "requirement", "frequency", "team",
        "periods", "met", "missing", "rate", "in_progress", "missing_periods",
    ]
    rows = []
    if len(frame):
        f = frame.assign(_t=frame["team"].astype(object).where(frame["team"].notna(), None))
        order = list(dict.fromkeys(f["requirement"]))
        for rid in order:
            fr = f[f["requirement"] == rid]
            for team in list(dict.fromkeys(fr["_t"])):
                g = fr[fr["_t"].isna()] if team is None else fr[fr["_t"] == team]
                judged = g[g["status"].isin(["met", "missing"])]
                met = int((judged["status"] == "met").sum())
                miss = judged[judged["status"] == "missing"]
                rows.append(
                    {
                        "requirement": rid,
                        "frequency": g["frequency"].iloc[0],
                        "team": team,
                        "periods": len(judged),
                        "met": met,
                        "missing": len(miss),
                        "rate": met / len(judged) if len(judged) else float("nan"),
                        "in_progress": int(g["status"].isin(["in_progress", "not_started"]).sum()),
                        "missing_periods": [as_date(x) for x in miss["period_start"]],
                    }
                )
    out = pd.DataFrame(rows, columns=cols)
    out["team"] = out["team"].astype(object)
    return out


def compliance_summary(
    con: duckdb.DuckDBPyConnection,
    date_from: DateLike,
    date_to: DateLike,
    by_team: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`summarize_compliance` of :func:`compliance` (same arguments)."""
    return summarize_compliance(compliance(con, date_from, date_to, by_team, **kwargs))
