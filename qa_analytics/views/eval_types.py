"""What internal evaluation says against what external testers and customers say.

One job: put the center's evaluation types side by side on one scale and
measure the gap between them.

* :func:`eval_type_series` -- per period, every evaluation type on a common
  0-100 scale: internal QA mean score (voice and non-voice), call-test pass
  rates per tester type (QA, leadership, third party), the mystery-shopper
  score and the customers' satisfaction rate.
* :func:`gap_by_period` and :func:`gap_table` -- internal QA pass rate
  (evaluations scoring at least the pass mark) against the external
  (third-party / mystery-shopper) call-test pass rate and the customers'
  satisfaction rate, per period or per team, with the gaps and whether each
  is larger than chance.

Three views of one thing
------------------------
================  ============================================  ==================
view              measure                                        metric
================  ============================================  ==================
internal          share of evaluations (all channels) scoring    :func:`qa_pass_rate_metric`
                  at least the pass mark (80 unless told)
external          share of third-party call tests passed         ``external_call_test_pass_rate``
customer          share of survey responses "satisfied"          ``satisfaction_rate``
================  ============================================  ==================

``gap_external = internal - external`` and ``gap_customer = internal -
customer`` (shares; positive = internal evaluation is kinder than the
others).  Each gap is tested with the two-proportion z test
(:func:`trends.two_proportion_test`, pooled, no continuity correction); a gap
is *flagged* when it is at least ``threshold`` (5 points) and its p-value is
below ``alpha`` (0.05).  The three measures count different things (an
evaluation, a test call, a customer's answer), so the test says whether the
difference is larger than sampling noise, not that the populations are the
same.

Everything is aggregated in DuckDB by :func:`metrics.metric_table`; only
one row per period or team leaves the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from ..analytics import metrics as _metrics
from ..analytics.trends import fisher_p, small_expected, two_proportion_test
from ..core.scores import PASS_MARK
from ..stats.multiplicity import adjust_p

__all__ = [
    "GAP_COLUMNS",
    "SERIES",
    "Series",
    "eval_type_series",
    "gap_by_period",
    "gap_table",
    "qa_pass_rate_metric",
]

DEFAULT_PASS_MARK = PASS_MARK  # the center's rule (core.scores)


@dataclass(frozen=True)
class Series:
    """One evaluation type on the common scale."""

    id: str
    metric: str
    group: str  # internal | external | customer
    unit: str  # points (0-100 already) | share (x 100)

    def name(self, lang: str = "zh") -> str:
        return _metrics.get_metric(self.metric).name(lang)


#: The evaluation types compared, in display order.
SERIES: tuple[Series, ...] = (
    Series("qa_score", "qa_mean_score", "internal", "points"),
    Series("nonvoice_qa_score", "nonvoice_qa_score", "internal", "points"),
    Series("qa_call_test_pass", "qa_call_test_pass_rate", "internal", "share"),
    Series("leadership_call_test_pass", "leadership_call_test_pass_rate", "internal", "share"),
    Series("third_party_pass", "external_call_test_pass_rate", "external", "share"),
    Series("third_party_score", "third_party_score", "external", "points"),
    Series("satisfaction", "satisfaction_rate", "customer", "share"),
)
_SERIES_BY_ID = {s.id: s for s in SERIES}


def qa_pass_rate_metric(pass_mark: float = DEFAULT_PASS_MARK) -> _metrics.Metric:
    """Internal QA pass rate: evaluations with ``total_score >= pass_mark`` out
    of evaluations with a score, all channels (every team has one, the
    online team too; a ``channel`` filter narrows it)."""
    pm = float(pass_mark)
    if not 0.0 <= pm <= 100.0:
        raise ValueError(f"pass_mark must be within 0..100, got {pass_mark!r}")
    mark = f"{pm:g}"
    return _metrics.Metric(
        id="qa_pass_rate", source="monitoring", kind="rate",
        value_sql=f"CASE WHEN total_score >= {pm!r} THEN 1.0 WHEN total_score IS NOT NULL THEN 0.0 END",
        where_sql=None, higher_is_better=True,
        name_en=f"Internal QA pass rate (score ≥ {mark})", name_zh=f"内部质检合格率（≥{mark}分）",
        unit="share", description=f"Evaluations scoring at least {mark} / evaluations with a score.",
    )


def eval_type_series(
    con: duckdb.DuckDBPyConnection,
    grain: str = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    series: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every evaluation type per period on a common 0-100 scale.

    Scores stay as they are (0-100 points); rates become percentages
    (x 100).  ``series`` picks some of :data:`SERIES` by id (default: all).
    ``team`` restricts to one or several teams; ``channel`` as in
    :func:`metrics.metric_table` (it also narrows the non-voice series).

    Returns
    -------
    DataFrame sorted by series (in :data:`SERIES` order) and period:
    ``period``, ``series``, ``metric``, ``group`` (internal / external /
    customer), ``unit`` (points / share), ``value`` (0-100), ``ci_low``,
    ``ci_high`` (the 95% interval on the same scale), ``n``.
    """
    chosen = [_SERIES_BY_ID[s] for s in series] if series is not None else list(SERIES)
    t = _metrics.metric_table(con, [s.metric for s in chosen], grain=grain, level="center",
                              date_from=date_from, date_to=date_to, team=team, channel=channel)
    cols = ["period", "series", "metric", "group", "unit", "value", "ci_low", "ci_high", "n"]
    if t.empty:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        out["period"] = pd.Series(dtype="datetime64[us]")
        for c in ("series", "metric", "group", "unit"):
            out[c] = pd.Series(dtype="str")
        out["n"] = pd.Series(dtype="int64")
        return out
    parts = []
    for order, s in enumerate(chosen):
        sub = t[t["metric"] == s.metric]
        if sub.empty:
            continue
        k = 100.0 if s.unit == "share" else 1.0
        parts.append(pd.DataFrame({
            "period": sub["period"].to_numpy(), "series": s.id, "metric": s.metric, "group": s.group,
            "unit": s.unit, "value": sub["value"].to_numpy() * k, "ci_low": sub["ci_low"].to_numpy() * k,
            "ci_high": sub["ci_high"].to_numpy() * k, "n": sub["n"].to_numpy(), "_o": order,
        }))
    out = pd.concat(parts, ignore_index=True).sort_values(["_o", "period"], ignore_index=True)
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    return out.drop(columns="_o")[cols]


#: Columns of :func:`gap_by_period` (``period`` first) and :func:`gap_table` (``level_key`` first).
GAP_COLUMNS: tuple[str, ...] = (
    "qa_mean", "internal", "internal_n", "external", "external_n", "customer", "customer_n",
    "gap_external", "gap_customer", "p_external", "p_customer", "flag_external", "flag_customer",
)

_VIEWS = {"internal": "qa_pass_rate", "external": "external_call_test_pass_rate", "customer": "satisfaction_rate"}
_QA_MEAN = "qa_mean_score_all"


def _wide(t: pd.DataFrame, by: str) -> pd.DataFrame:
    """metric_table rows -> one row per ``by`` with value / n / successes per view."""
    out = pd.DataFrame({by: sorted(t[by].unique())}) if len(t) else pd.DataFrame({by: []})
    for view, mid in {**_VIEWS, "qa_mean": "qa_mean_score_all"}.items():
        sub = t[t["metric"] == mid].set_index(by)
        out[view] = out[by].map(sub["value"])
        if view != "qa_mean":
            out[f"{view}_n"] = out[by].map(sub["n"]).fillna(0).astype("int64")
            out[f"{view}_x"] = out[by].map(sub["successes"])
    return out


def _gaps(w: pd.DataFrame, threshold: float, alpha: float) -> pd.DataFrame:
    """Each row's gaps with their two-sided p: the two-proportion z test, or
    Fisher's exact test where an expected count is below 5 (six records a
    side are too few for z).  The rows are compared at once (periods, or
    units), so a flag needs the Benjamini–Hochberg adjusted p below ``alpha``
    (``p_*`` stays the raw p)."""
    for other in ("external", "customer"):
        gap = w["internal"] - w[other]
        xi, ni = w["internal_x"].to_numpy(float), w["internal_n"].to_numpy(float)
        xo, no = w[f"{other}_x"].to_numpy(float), w[f"{other}_n"].to_numpy(float)
        ok = (ni > 0) & (no > 0) & np.isfinite(xi) & np.isfinite(xo)
        p = np.full(len(w), np.nan)
        for i in np.flatnonzero(ok):
            p[i] = two_proportion_test(xo[i], no[i], xi[i], ni[i]).p_value
        exact = ok & small_expected(xo, no, xi, ni)
        if exact.any():
            p[exact] = fisher_p(xo[exact], no[exact], xi[exact], ni[exact])[0]
        w[f"gap_{other}"] = gap
        w[f"p_{other}"] = p
        w[f"flag_{other}"] = (gap.abs() >= threshold) & (adjust_p(p) < alpha)
    return w


def gap_by_period(
    con: duckdb.DuckDBPyConnection,
    grain: str = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    pass_mark: float = DEFAULT_PASS_MARK,
    threshold: float = 0.05,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Internal vs external vs customer, per period (the center, or ``team``).

    Returns
    -------
    DataFrame sorted by period: ``period``, then :data:`GAP_COLUMNS`:
    ``qa_mean`` (QA mean score, all channels, for reference), ``internal`` (QA pass
    rate, share), ``external`` (third-party call-test pass rate), ``customer``
    (satisfaction rate), each with its ``*_n``; ``gap_external`` =
    internal - external and ``gap_customer`` = internal - customer (shares,
    NaN when a side has no data); ``p_external`` / ``p_customer`` (two-sided
    two-proportion z test, Fisher's exact test where an expected count is
    below 5); ``flag_external`` / ``flag_customer`` (gap of at least
    ``threshold`` either way with the p adjusted over the rows listed
    (Benjamini–Hochberg) below ``alpha``).  Periods where any of
    the three has data are listed.
    """
    ms = [qa_pass_rate_metric(pass_mark), _VIEWS["external"], _VIEWS["customer"], _QA_MEAN]
    t = _metrics.metric_table(con, ms, grain=grain, level="center", date_from=date_from, date_to=date_to,
                              team=team, channel=channel)
    w = _gaps(_wide(t, "period"), threshold, alpha)
    w["period"] = pd.to_datetime(w["period"]).astype("datetime64[us]")
    return w[["period", *GAP_COLUMNS]].reset_index(drop=True)


def gap_table(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    level: str = "team",
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    pass_mark: float = DEFAULT_PASS_MARK,
    threshold: float = 0.05,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Internal vs external vs customer for each team (or agent) over the whole period.

    The first row is the center (``level_key`` = ``"center"``), then one row
    per unit: the units whose gap to the external testers is flagged first,
    then by ``gap_external`` (largest first; a unit with one or two test calls
    can show a large gap that means little), units without external tests
    last.  Columns: ``level_key``, then :data:`GAP_COLUMNS` (see
    :func:`gap_by_period`).  Units are teams as of each record's date.
    """
    if level not in ("team", "agent"):
        raise ValueError("gap_table compares teams or agents: level must be 'team' or 'agent'")
    ms = [qa_pass_rate_metric(pass_mark), _VIEWS["external"], _VIEWS["customer"], _QA_MEAN]
    kw = dict(grain="all", date_from=date_from, date_to=date_to, team=team, channel=channel)
    center = _metrics.metric_table(con, ms, level="center", **kw)
    units = _metrics.metric_table(con, ms, level=level, **kw)
    wc = _gaps(_wide(center, "level_key"), threshold, alpha)
    wu = _gaps(_wide(units, "level_key"), threshold, alpha)
    wu = (wu.assign(_f=~wu["flag_external"].astype(bool))
          .sort_values(["_f", "gap_external"], ascending=[True, False], na_position="last")
          .drop(columns="_f"))
    out = pd.concat([wc, wu], ignore_index=True)
    return out[["level_key", *GAP_COLUMNS]]
