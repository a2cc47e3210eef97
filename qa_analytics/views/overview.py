"""Headline figures for a period, each compared with the period just before.

Why here and not in the page: the Overview, the half-yearly review report
and the command line all show "this period vs the last one, and is the
change real"; one function gives all of them the same numbers and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from ..analytics.indicators import MIN_COVERAGE, ROOT_ID, ModelSet, composite_index, load_models, score_tree
from ..analytics.metrics import get_metric, metric_table
from ..analytics.trends import period_over_period
from ..core.periods import previous_period
from ..stats.spc import control_chart, explain_signals

__all__ = ["HEADLINE_METRICS", "IndexCard", "headline", "headlines", "index_card", "index_trend"]

#: The leadership's headline cards, in display order.
HEADLINE_METRICS: tuple[str, ...] = (
    "qa_mean_score",
    "critical_error_rate",
    "qa_call_test_pass_rate",
    "external_call_test_pass_rate",
    "satisfaction_rate",
)


def headline(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date,
    date_to: dt.date,
    metrics: Sequence[str] = HEADLINE_METRICS,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    mdd: dict[str, float] | None = None,
    compare_from: dt.date | None = None,
    compare_to: dt.date | None = None,
) -> pd.DataFrame:
    """Each metric of one unit over [date_from, date_to] against the previous
    period (:func:`previous_period`), with the test of whether the change is real.

    ``compare_from``/``compare_to`` compare with another period instead:
    reviews also read a period against the same one a year earlier
    (:func:`qa_analytics.core.periods.year_ago`); the ``prev_*`` columns are
    then that period's.

    ``mdd``: the smallest change that matters per metric (see
    ``trends.period_over_period``); default: what the indicator model in
    force sets on its leaves (``mdd = ...``), else the trends defaults.

    The unit is the center, or ``team`` and/or ``agent`` (all of its records
    pooled).  Rates are compared with the two-proportion z test (Fisher's
    exact test for small counts), means of a team or the center with a t test
    on cluster-robust standard errors, the agents as clusters (an agent's
    evaluations share the agent's skill: counted as independent, 2,000
    evaluations of 15 agents read small changes as significant), one agent's
    means with Welch's t (:func:`qa_analytics.analytics.trends.period_over_period`);
    counts are not tested.  So "down 2.1 points" comes with "significant" or "within normal
    variation".

    Returns
    -------
    DataFrame, one row per metric in the order asked (a metric without data
    still has its row, ``value`` NaN and ``n`` 0):

    * ``metric``, ``name`` (the :class:`Metric`, a Text), ``kind`` (rate / mean / count),
      ``unit``, ``higher_is_better``
    * ``value``, ``n``, ``ci_low``, ``ci_high`` - this period
    * ``prev_value``, ``prev_n`` - the previous period
    * ``change`` (value - prev_value), ``p_value``, ``significant`` (bool),
      ``label`` (a Text, e.g. "down 2.1 points, significant (p = 0.003)"; None without a comparison)
    * ``verdict`` - ``better`` / ``worse`` (significant change in the good /
      bad direction), ``noise`` (tested, not significant, and the samples
      could have shown a change that matters), ``too_few`` (not significant,
      but too few data to tell), ``untested`` (a count, or too few data to
      test), ``no_previous``, ``no_data``
    * ``improved`` - True / False for better / worse, None otherwise
    """
    if (compare_from is None) != (compare_to is None):
        raise ValueError("give both compare_from and compare_to, or neither")
    against = ((compare_from, compare_to) if compare_from is not None else previous_period(date_from, date_to))
    return headlines(con, date_from, date_to, [against], metrics, team=team, agent=agent, channel=channel,
                     eval_type=eval_type, alpha=alpha, mdd=mdd)[0]


def headlines(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date,
    date_to: dt.date,
    against: Sequence[tuple[dt.date, dt.date]],
    metrics: Sequence[str] = HEADLINE_METRICS,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    mdd: dict[str, float] | None = None,
) -> list[pd.DataFrame]:
    """:func:`headline` against each of several periods (the period before
    and the same one a year earlier, say), one frame each: the current
    period's figures are queried once for all of them."""
    kw = dict(grain="all", level="center", team=team, agent=agent, channel=channel, eval_type=eval_type)
    kw["clustered"] = agent is None  # one agent's evaluations are the unit itself
    cur = metric_table(con, list(metrics), date_from=date_from, date_to=date_to, **kw)
    if mdd is None:
        mdd = _model_mdd(date_from)
    return [_compared(con, cur, date_from, prev_from, prev_to, metrics, agent, kw, alpha, mdd)
            for prev_from, prev_to in against]


def _compared(con: duckdb.DuckDBPyConnection, cur: pd.DataFrame, date_from: dt.date, prev_from: dt.date,
              prev_to: dt.date, metrics: Sequence[str], agent: str | None, kw: dict, alpha: float,
              mdd: dict[str, float]) -> pd.DataFrame:
    """The cards of :func:`headline`: ``cur`` against ``[prev_from, prev_to]``."""
    prev = metric_table(con, list(metrics), date_from=prev_from, date_to=prev_to, **kw)
    both = pd.concat([prev.assign(period=pd.Timestamp(prev_from)), cur.assign(period=pd.Timestamp(date_from))],
                     ignore_index=True)
    both["kind"] = [get_metric(m).kind for m in both["metric"]]
    compared = period_over_period(both, alpha=alpha, mdd=mdd) if len(both) else both
    nan = float("nan")
    rows = []
    for mid in metrics:
        m = get_metric(mid)
        rec = {
            "metric": mid, "name": m, "kind": m.kind, "unit": m.unit,
            "higher_is_better": m.higher_is_better, "value": nan, "n": 0, "ci_low": nan, "ci_high": nan,
            "prev_value": nan, "prev_n": 0, "change": nan, "p_value": nan, "significant": False,
            "label": None, "verdict": "no_data", "improved": None,
        }
        before = prev[prev["metric"] == mid] if len(prev) else prev
        if len(before):
            rec.update(prev_value=float(before["value"].iloc[0]), prev_n=int(before["n"].iloc[0]))
        this = compared[(compared["metric"] == mid) & (compared["period"] == pd.Timestamp(date_from))] \
            if len(compared) else compared
        if len(this):
            r = this.iloc[0]
            rec.update(value=float(r["value"]), n=int(r["n"]), ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]))
            if pd.isna(rec["prev_value"]):
                rec["verdict"] = "no_previous"
            else:
                p = float(r["p_value"]) if pd.notna(r["p_value"]) else nan
                sig = bool(r["significant"])
                rec.update(change=float(r["change"]), p_value=p, significant=sig,
                           label=r["label"])
                if p != p:  # NaN: not tested
                    rec["verdict"] = "untested"
                elif sig:
                    better = bool((rec["change"] > 0) == m.higher_is_better)
                    rec.update(verdict="better" if better else "worse", improved=better)
                else:
                    rec["verdict"] = "too_few" if r["verdict"] == "too_few" else "noise"
        rows.append(rec)
    return pd.DataFrame(rows)


def index_trend(
    con: duckdb.DuckDBPyConnection,
    grain: str,
    date_from: dt.date,
    date_to: dt.date,
    team: str | None = None,
    lang: str = "en",
) -> tuple[pd.DataFrame, list[str]]:
    """The composite index per period on an individuals (XmR) chart, and the
    first four of its signals in words (``lang``).

    Why XmR: one index value per period, no subgroups; its limits come from
    the moving range, so a period beyond them is a change in the centre's
    quality, not the noise of the index.  Fewer than three periods: an
    empty frame (no limits can be drawn).  Columns: ``period``, ``value``,
    ``center``, ``ucl``, ``lcl``, ``signal`` (bool).
    """
    cols = ["period", "value", "center", "ucl", "lcl", "signal"]
    trend = composite_index(con, grain=grain, level="center", date_from=date_from, date_to=date_to, team=team)
    trend = trend.dropna(subset=["index"]) if len(trend) else trend
    if len(trend) < 3:
        return pd.DataFrame(columns=cols), []
    cc = control_chart(trend["index"].to_numpy(), "xmr")
    out = pd.DataFrame({
        "period": trend["period"].to_numpy(), "value": cc["value"].to_numpy(), "center": cc["center"].to_numpy(),
        "ucl": cc["ucl"].to_numpy(), "lcl": cc["lcl"].to_numpy(), "signal": [bool(x) for x in cc["signals"]],
    })
    return out, explain_signals(cc, lang="zh-CN" if str(lang).startswith("zh") else "en")[:4]


def _model_mdd(day: dt.date) -> dict[str, float]:
    """The model's smallest changes that matter, by metric; none without a usable model file."""
    try:
        return load_models().model_for(day).mdd_by_metric()
    except (OSError, LookupError, ValueError):
        return {}


@dataclass(frozen=True)
class IndexCard:
    """The composite index of a period as a card shows it, with what it rests on.

    ``coverage``: share (0-1) of the model's weights backed by data;
    ``comparable``: both periods cover at least ``min_coverage`` of the
    weights, so their difference means something (a satisfaction-only index
    against a monitoring-only one does not); ``change`` is NaN otherwise.
    ``missing``: the indicators without data this period (``node_id``,
    ``name`` (a Text), ``global_weight`` in percent of the index),
    heaviest first.  ``year_*``: the same against the period a year earlier,
    when it was asked for (NaN / False otherwise)."""

    value: float
    coverage: float
    prev_value: float
    prev_coverage: float
    min_coverage: float
    comparable: bool
    change: float
    n: int
    missing: pd.DataFrame
    year_value: float = float("nan")
    year_coverage: float = 0.0
    year_comparable: bool = False
    year_change: float = float("nan")


def index_card(con: duckdb.DuckDBPyConnection, date_from: dt.date, date_to: dt.date,
               prev_from: dt.date | None = None, prev_to: dt.date | None = None,
               team: str | None = None, models: ModelSet | None = None,
               year_from: dt.date | None = None, year_to: dt.date | None = None) -> IndexCard:
    """The index over ``[date_from, date_to]`` and over the previous period
    (``prev_from``/``prev_to``, default :func:`previous_period`), refusing to
    compare when either rests on less than the model's ``min_coverage``;
    with ``year_from``/``year_to``, also against that period (the same one
    a year earlier), under the same rule."""
    models = models or load_models()
    if prev_from is None or prev_to is None:
        prev_from, prev_to = previous_period(date_from, date_to)
    nan = float("nan")

    def tree(d0: dt.date, d1: dt.date) -> pd.DataFrame:
        return score_tree(con, models, grain="all", level="center", date_from=d0, date_to=d1, team=team)

    now, before = tree(date_from, date_to), tree(prev_from, prev_to)

    def root(t: pd.DataFrame) -> tuple[float, float, int]:
        r = t[t["node_id"] == ROOT_ID]
        if r.empty or pd.isna(r["score"].iloc[0]):
            return nan, 0.0, 0
        return float(r["score"].iloc[0]), float(r["coverage"].iloc[0]), int(r["n"].iloc[0])

    value, coverage, n = root(now)
    prev_value, prev_coverage, _ = root(before)
    try:
        rule = models.model_for(date_from).ranking_rules[1]
    except LookupError:
        rule = models.versions[0].ranking_rules[1] if models.versions else MIN_COVERAGE
    def can_compare(other: float, other_coverage: float) -> bool:
        return (value == value and other == other and coverage >= rule - 1e-12
                and other_coverage >= rule - 1e-12)

    comparable = can_compare(prev_value, prev_coverage)
    year: dict = {}
    if year_from is not None and year_to is not None:
        y_value, y_coverage, _ = root(tree(year_from, year_to))
        y_ok = can_compare(y_value, y_coverage)
        year = dict(year_value=y_value, year_coverage=y_coverage, year_comparable=y_ok,
                    year_change=value - y_value if y_ok else nan)
    if len(now):
        leaves = now[(now["depth"] > 0) & now["metric"].notna() & now["score"].isna()]
        missing = leaves.sort_values("global_weight", ascending=False)[["node_id", "name", "global_weight"]]
    else:
        missing = pd.DataFrame(columns=["node_id", "name", "global_weight"])
    return IndexCard(value, coverage, prev_value, prev_coverage, rule, comparable,
                     value - prev_value if comparable else nan, n, missing.reset_index(drop=True), **year)
