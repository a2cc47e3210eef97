"""The headline figures of a period, as the command line's ``summary`` reports them.

Why here and not in the store: each rate and mean of the summary is a
metric of the registry (:mod:`qa_analytics.analytics.metrics`), and a
number the dashboard shows under one name must not be computed a second
time, in other SQL, for scripts.  The store counts records
(:func:`qa_analytics.store.period_counts`); the metrics supply the rest.
The keys are a stable contract of ``python -m qa_analytics summary``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import store
from .metrics import metric_table

__all__ = ["SUMMARY_METRICS", "summary"]

#: (section, key) of the summary -> the metric it reports
SUMMARY_METRICS: dict[tuple[str, str], str] = {
    ("monitoring", "mean_score"): "qa_mean_score_all",
    ("monitoring", "critical_error_rate"): "critical_error_rate",
    ("call_test", "pass_rate"): "call_test_pass_rate",
    ("call_test", "mean_score"): "call_test_mean_score",
    ("survey", "responses"): "survey_responses",
    ("survey", "satisfaction_rate"): "satisfaction_rate",
}


def summary(con: duckdb.DuckDBPyConnection, date_from: dt.date | None = None,
            date_to: dt.date | None = None) -> dict[str, Any]:
    """Headline counts and rates for a period (both ends inclusive, by each
    record's own date), at full precision (scripts compare and aggregate
    them; people's rounding happens where figures are shown).  A rate is
    ``None`` when nothing stands behind it; ``satisfaction_rate`` is
    satisfied / responses with a valid rating."""
    counts = store.period_counts(con, date_from, date_to)
    table = metric_table(con, sorted(set(SUMMARY_METRICS.values())), grain="all", level="center",
                         date_from=date_from, date_to=date_to)
    value = {m: float(v) for m, v in zip(table["metric"], table["value"])}
    out: dict[str, Any] = {
        "period": {"from": date_from.isoformat() if date_from else None,
                   "to": date_to.isoformat() if date_to else None},
        "agents": counts["agents"],
        "teams": counts["teams"],
        "monitoring": {"records": counts["monitoring"]},
        "call_test": {"records": counts["call_test"]},
        "survey": {"records": counts["survey"]},
    }
    for (section, key), metric in SUMMARY_METRICS.items():
        out[section][key] = value.get(metric)
    out["survey"]["responses"] = int(value.get("survey_responses", 0))
    return out
