"""Periods: one place for the arithmetic of days, weeks, months, quarters and half-years.

Why one module: the compliance calendar, the metrics' SQL buckets, the
control charts' "next period", the overview's "previous period" and the demo
all cut time the same way, and a half-year that one of them forgot (as one
bucketer once did) silently shifts a number.  A :class:`Grain` carries its
computation (start, end, next, previous, the SQL expression that buckets a
column) and its words in both languages (:func:`period_label`).

Weeks start on Monday (ISO 8601, as DuckDB's ``date_trunc('week', …)``).
``workday`` is a one-day period on the working days of a calendar
(``qa_analytics.core.calendar``); ``all`` is the whole range as one period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GRAINS",
    "Grain",
    "PeriodName",
    "as_date",
    "bucket_sql",
    "grain",
    "next_start",
    "parse_period",
    "period_end",
    "period_label",
    "period_start",
    "previous_period",
    "previous_start",
    "year_ago",
]


@dataclass(frozen=True)
class Grain:
    """One way of cutting time into periods."""

    name: str
    months: int = 0  # length in months (month, quarter, half_year), else 0
    days: int = 0  # length in days (day, workday, week), else 0
    zh: str = ""
    en: str = ""

    def start(self, d: Any) -> dt.date:
        """First day of the period holding ``d``."""
        d = as_date(d)
        if self.name == "week":
            return d - dt.timedelta(days=d.weekday())
        if self.months:
            return dt.date(d.year, self.months * ((d.month - 1) // self.months) + 1, 1)
        if self.days:
            return d
        raise ValueError(f"the grain {self.name!r} has no periods of its own")

    def next(self, d: Any) -> dt.date:
        """First day of the period after the one holding ``d``."""
        s = self.start(d)
        if self.months:
            return _add_months(s, self.months)
        return s + dt.timedelta(days=self.days)

    def previous(self, d: Any) -> dt.date:
        """First day of the period before the one holding ``d``."""
        s = self.start(d)
        if self.months:
            return _add_months(s, -self.months)
        return s - dt.timedelta(days=self.days)

    def end(self, d: Any) -> dt.date:
        """Last day of the period holding ``d``."""
        return self.next(d) - dt.timedelta(days=1)

    def sql(self, col: str) -> str:
        """SQL for the DATE starting ``col``'s period (``col`` is a column name
        the code chose, never user text).  ``all`` is an aggregate."""
        if self.name in ("day", "workday"):
            return f"CAST({col} AS DATE)"
        if self.name in ("week", "month", "quarter"):
            return f"CAST(date_trunc('{self.name}', {col}) AS DATE)"
        if self.name == "half_year":
            return f"make_date(year({col}), CASE WHEN month({col}) <= 6 THEN 1 ELSE 7 END, 1)"
        if self.name == "all":
            return f"min(CAST({col} AS DATE))"
        raise ValueError(f"unknown grain {self.name!r}")

    def label(self, d: Any, lang: str = "en") -> str:
        return period_label(d, self.name, lang)


_GRAINS: dict[str, Grain] = {
    g.name: g
    for g in (
        Grain("day", days=1, zh="日", en="day"),
        Grain("workday", days=1, zh="工作日", en="working day"),
        Grain("week", days=7, zh="周", en="week"),
        Grain("month", months=1, zh="月", en="month"),
        Grain("quarter", months=3, zh="季度", en="quarter"),
        Grain("half_year", months=6, zh="半年", en="half-year"),
        Grain("all", zh="全部", en="whole range"),
    )
}

#: The grains the metrics bucket by, finest first (``workday`` is the compliance calendar's own).
GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter", "half_year", "all")


def grain(name: str, allowed: tuple[str, ...] | None = None) -> Grain:
    """The :class:`Grain` called ``name``; a ValueError naming the choices otherwise."""
    choices = allowed or tuple(_GRAINS)
    if name not in choices:
        raise ValueError(f"grain must be one of {choices}, not {name!r}")
    return _GRAINS[name]


def as_date(x: Any) -> dt.date:
    """A ``datetime.date`` from a date, datetime, Timestamp, numpy datetime64 or ISO string."""
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, (str, np.datetime64)):
        return pd.Timestamp(x).date()
    raise TypeError(f"not a date: {x!r}")


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def period_start(d: Any, name: str) -> dt.date:
    """First day of the ``name`` period holding ``d``."""
    return grain(name).start(d)


def period_end(d: Any, name: str) -> dt.date:
    """Last day of the ``name`` period holding ``d``."""
    return grain(name).end(d)


def next_start(d: Any, name: str) -> dt.date:
    """First day of the period after the ``name`` period holding ``d``."""
    return grain(name).next(d)


def previous_start(d: Any, name: str) -> dt.date:
    """First day of the period before the ``name`` period holding ``d``."""
    return grain(name).previous(d)


def bucket_sql(col: str, name: str) -> str:
    """SQL for the DATE starting ``col``'s ``name`` period."""
    return grain(name).sql(col)


def _add_months(d: dt.date, k: int, *, month_end: bool = False) -> dt.date:
    """``d`` moved by ``k`` months; a day past the target month's end becomes
    its last day, and with ``month_end`` a month's last day stays one."""
    y, m = divmod(d.month - 1 + k, 12)
    y, m = d.year + y, m + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, last if month_end else min(d.day, last))


def _is_month_end(d: dt.date) -> bool:
    return (d + dt.timedelta(days=1)).day == 1


def previous_period(date_from: Any, date_to: Any) -> tuple[dt.date, dt.date]:
    """The period a review compares ``[date_from, date_to]`` with.

    A range that starts on the first of a month is moved back by the months
    it spans: a month by one (March against February, not "Jan 29 - Feb
    28"), a quarter by three, a half-year by six (2026H1 against 2025H2),
    June-November against December-May, and a month to date (Nov 1-20)
    against the same days of the month before (Oct 1-20); a range ending on
    a month's last day ends on the last day there too.  Any other range is
    compared with the range of the same length that ends the day before it.
    """
    d0, d1 = as_date(date_from), as_date(date_to)
    if d0.day == 1 and d1 >= d0:
        months = (d1.year - d0.year) * 12 + d1.month - d0.month + 1
        return _add_months(d0, -months), _add_months(d1, -months, month_end=_is_month_end(d1))
    days = (d1 - d0).days + 1
    return d0 - dt.timedelta(days=days), d0 - dt.timedelta(days=1)


def year_ago(date_from: Any, date_to: Any) -> tuple[dt.date, dt.date]:
    """The same period a year earlier (29 February becomes the 28th; a range
    ending on a month's last day ends on that month's last day)."""
    d0, d1 = as_date(date_from), as_date(date_to)
    return _add_months(d0, -12), _add_months(d1, -12, month_end=_is_month_end(d1))


_NAMED = re.compile(
    r"\s*(\d{4})\s*(?:-?\s*([HhQq])\s*(\d)|-(\d{1,2})"  # 2026H1, 2026-Q2, 2026-03
    r"|年\s*(上|下)半年|年\s*第?\s*(\d)\s*季度?|年\s*(\d{1,2})\s*月)\s*"  # 2026年上半年, 2026年第2季度, 2026年3月
)


def parse_period(text: Any, name: str | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of a period written as people write them:
    ``2026H1`` / ``2026-H2`` / ``2026年上半年``, ``2026Q3`` / ``2026年第3季度``,
    ``2026-03`` / ``2026年3月``, or a date with ``name`` saying its grain."""
    if isinstance(text, str):
        m = _NAMED.fullmatch(text)
        if m:
            y = int(m.group(1))
            letter, num, month, half_zh, q_zh, m_zh = m.group(2, 3, 4, 5, 6, 7)
            if letter and letter.upper() == "H" and num in ("1", "2"):
                d, g = dt.date(y, 1 if num == "1" else 7, 1), "half_year"
            elif letter and letter.upper() == "Q" and num in ("1", "2", "3", "4"):
                d, g = dt.date(y, 3 * int(num) - 2, 1), "quarter"
            elif half_zh:
                d, g = dt.date(y, 1 if half_zh == "上" else 7, 1), "half_year"
            elif q_zh and q_zh in "1234":
                d, g = dt.date(y, 3 * int(q_zh) - 2, 1), "quarter"
            elif (month or m_zh) and 1 <= int(month or m_zh) <= 12:
                d, g = dt.date(y, int(month or m_zh), 1), "month"
            else:
                raise ValueError(f"not a period: {text!r}")
            if name is not None and name != g:
                raise ValueError(f"{text!r} is a {g.replace('_', '-')}, not a {name.replace('_', '-')}")
            return d, grain(g).end(d)
    if name is None:
        raise ValueError(f"not a period: {text!r} (write 2026H1, 2026Q2 or 2026-03)")
    try:
        g = grain(name)
        return g.start(text), g.end(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a period: {text!r}") from exc


@dataclass(frozen=True)
class PeriodName:
    """A period as a reader sees it, said in their language when read
    (:func:`qa_analytics.core.codes.say`): what tables and signals carry
    instead of a label per language."""

    start: dt.date
    grain: str

    def text(self, lang: str = "en") -> str:
        return period_label(self.start, self.grain, lang)

    def __str__(self) -> str:
        return self.text("en")


def period_label(d: Any, grain: str, lang: str = "en") -> str:
    """A period by its first day, as the dashboard and the signals' sentences write it:
    ``2026年3月`` / ``Mar 2026``, ``2026年第12周`` / ``W12 2026``,
    ``2026年Q1`` / ``Q1 2026``, ``2026年上半年`` / ``H1 2026``, a day as a date."""
    d = pd.Timestamp(d).date()
    zh = str(lang).lower().startswith("zh")
    if grain == "month":
        return f"{d.year}年{d.month}月" if zh else d.strftime("%b %Y")
    if grain == "quarter":
        q = (d.month - 1) // 3 + 1
        return f"{d.year}年Q{q}" if zh else f"Q{q} {d.year}"
    if grain == "half_year":
        h = 1 if d.month <= 6 else 2
        return (f"{d.year}年{'上' if h == 1 else '下'}半年") if zh else f"H{h} {d.year}"
    if grain == "week":
        iso = d.isocalendar()
        return f"{iso[0]}年第{iso[1]}周" if zh else f"W{iso[1]} {iso[0]}"
    if zh:
        return f"{d.year}年{d.month}月{d.day}日"
    return d.strftime("%d %b %Y").lstrip("0")
