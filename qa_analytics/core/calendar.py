"""China's working-day calendar, and dates as users type them.

Why here, in ``core``: the compliance calendar counts working days, the
workload review divides by them, and the demo center works them; one table
serves all three, so the demo's data and the compliance calendar agree on
which days were worked.

* :func:`cn_calendar` - the official public holidays and make-up working days
  (调休) as published by the State Council, for :data:`CN_CALENDAR_YEARS`;
  for other years, with ``estimate=True``, the fixed festivals (New Year's
  Day, the Spring Festival week from :data:`LUNAR_NEW_YEAR`, Labour Day,
  National Day) without make-up days, else Monday-Friday;
* :func:`parse_dates` - dates typed by a user.

References: 国务院办公厅关于2024年 / 2025年 / 2026年部分节假日安排的通知
(国办发明电〔2023〕7号, 〔2024〕12号, and of 4 November 2025); Lunar New Year
dates from the Hong Kong Observatory's Gregorian-lunar calendar tables.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .periods import as_date as _as_date

__all__ = ["CN_CALENDAR_YEARS", "LUNAR_NEW_YEAR", "cn_calendar", "parse_dates"]


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


# Lunar New Year's day (the first day of the Spring Festival).
LUNAR_NEW_YEAR: dict[int, dt.date] = {
    y: dt.date(y, m, d) for y, (m, d) in {
        2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5),
        2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
        2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
        2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19),
        2035: (2, 8),
    }.items()
}  # fmt: skip


def _estimated_days_off(year: int) -> list[dt.date]:
    """A year without a State Council notice: New Year's Day, the Spring
    Festival's eve plus six days, Labour Day (1-5 May), National Day week."""
    out = [dt.date(year, 1, 1)]
    lny = LUNAR_NEW_YEAR.get(year)
    if lny is not None:
        out += [lny + dt.timedelta(days=i - 1) for i in range(7)]
    out += [dt.date(year, 5, 1) + dt.timedelta(days=i) for i in range(5)]
    out += [dt.date(year, 10, 1) + dt.timedelta(days=i) for i in range(7)]
    return out


def cn_calendar(date_from: Any, date_to: Any, mode: str = "cn", *, estimate: bool = False) -> dict[str, Any]:
    """China's official days off and make-up working days inside ``[date_from, date_to]``.

    ``mode``: ``"cn"`` the official calendar (days off and the weekend days
    worked in exchange); ``"hol"`` the days off only (for a center that does
    not work the make-up weekend days); ``"mf"`` none (Monday-Friday).

    Returns ``{"holidays": [...], "extra_workdays": [...], "missing_years": [...]}``:
    the dates (``datetime.date``, sorted) to pass to the compliance and
    workload functions, and the years of the range this module has no
    official calendar for: there only Monday-Friday counts, or, with
    ``estimate``, the fixed festivals (:func:`_estimated_days_off`).
    """
    if mode not in ("cn", "hol", "mf"):
        raise ValueError("mode must be 'cn', 'hol' or 'mf'")
    if mode == "mf":
        return {"holidays": [], "extra_workdays": [], "missing_years": []}
    d0, d1 = _as_date(date_from), _as_date(date_to)
    hol: list[dt.date] = []
    extra: list[dt.date] = []
    missing: list[int] = []
    for y in range(d0.year, d1.year + 1):
        if y not in _CN:
            missing.append(y)
            if estimate and mode != "mf":
                hol += [d for d in _estimated_days_off(y) if d0 <= d <= d1]
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
