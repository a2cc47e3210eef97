"""Numbers and dates as the current language writes them."""

from __future__ import annotations

import datetime as dt
import math

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


def date(d: dt.date | None) -> str:
    if d is None:
        return "—"
    if lang() == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.strftime("%d %b %Y").lstrip("0")


def period(d: dt.date, grain: str) -> str:
    """A period by its first day: 2026年3月 / Mar 2026, 2026年Q1, 2026年上半年..."""
    if hasattr(d, "date"):
        d = d.date()
    zh = lang() == "zh"
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
    return date(d)
