"""Numbers and dates as the current language writes them."""

from __future__ import annotations

import datetime as dt
import math

from qa_analytics.core.periods import period_label
from ui.i18n import lang


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage."""
    return "—" if _missing(x) else f"{x * 100:.{digits}f}%"


def num(x: float | None, digits: int = 1) -> str:
    return "—" if _missing(x) else f"{x:,.{digits}f}"


def count(x: float | None) -> str:
    return "—" if _missing(x) else f"{int(x):,}"


def metric_value(x: float | None, unit: str) -> str:
    """A metric's value by its unit (share, points, percent, count)."""
    if unit == "share":
        return pct(x)
    if unit == "count":
        return count(x)
    if unit == "percent":
        return "—" if _missing(x) else f"{x:.2f}%"
    return num(x)


def delta(change: float | None, digits: int = 1, unit: str = "") -> str | None:
    """A change for a card's delta (``+1.2 pp``), or None when it is missing or
    rounds to zero at ``digits``: Streamlit draws an arrow for "+0.0"."""
    if _missing(change) or round(change, digits) == 0:
        return None
    return f"{change:+,.{digits}f}" + (f" {unit}" if unit else "")


def date(d: dt.date | None) -> str:
    if d is None:
        return "—"
    return period_label(d, "day", lang())


def period(d: dt.date, grain: str) -> str:
    """A period by its first day: 2026年3月 / Mar 2026, 2026年Q1, 2026年上半年..."""
    return period_label(d, grain, lang())
