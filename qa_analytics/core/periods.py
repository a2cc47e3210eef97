"""Periods in words, in both languages: one writer for the library's sentences
(control-chart signals, alerts) and the dashboard's labels."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["period_label"]


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
