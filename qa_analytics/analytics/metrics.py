"""Service-quality metrics as data, and the tables computed from them.

One job: turn the stored records into tidy per-period, per-unit metric values
with their sampling uncertainty.  Every metric is one small :class:`Metric`
object (its row-level SQL expression and filter over one source, its kind,
its direction and its English / Simplified Chinese names); the registry
:data:`METRICS` holds the fixed ones and :func:`get_metric` also understands
the per-item deduction metrics ``item:<name>`` and ``item_rate:<name>``.

Public functions
----------------
* :func:`metric_table` -- values per period x unit (center / team / agent),
  one DuckDB aggregate query per source, small aggregated results only.
* :func:`funnel_table` -- each unit against the center with funnel-plot
  limits (Spiegelhalter 2005); :func:`funnel_limits` gives the curves.
* :func:`rank_table` -- a ranking with a minimum-sample rule.
* :func:`wilson_interval`, :func:`t_interval` -- the interval formulas.
* :func:`metric_catalog`, :func:`get_metric`, :func:`metric_ids`.
* :func:`build_rollups`, :func:`drop_rollups`, :func:`rollup_status` --
  per-connection pre-aggregates for interactive use (see below).

Metric ids
----------
Monitoring: ``qa_mean_score`` (voice; NULL channel counts as voice),
``qa_mean_score_all``, ``nonvoice_qa_score`` (channel <> 'voice'),
``critical_error_rate``, ``qa_evaluations``.  Call tests:
``call_test_pass_rate``, ``qa_call_test_pass_rate``,
``leadership_call_test_pass_rate``, ``external_call_test_pass_rate``,
``third_party_score`` (mystery-shopper mean score).  Surveys:
``satisfaction_rate`` (satisfied / valid ratings), ``dissatisfaction_rate``,
``survey_mean_rating``, ``survey_responses``.  Systems (center only):
``system_availability``, ``system_incidents``, ``system_check_score``.

Per QA item (any item name found in ``monitoring_item``):
``item:<name>`` -- mean points lost on the item per evaluation where it
applies (lost = ``-points`` when ``points < 0``, deduction-form exports
storing deductions as negative numbers; NULL = not applicable, excluded);
``item_rate:<name>`` -- share of those evaluations losing points on it.
Both are lower-is-better.  A scores-form export (items holding points
*earned*) has no negative points, so its item metrics read 0: score such
forms with :func:`qa_analytics.analytics.indicators.score_evaluations`.

Sources
-------
=================  ==================  ===========  ==============================
source             table               date column  notes
=================  ==================  ===========  ==============================
monitoring         ``monitoring``      eval_date
monitoring_item    ``monitoring_item`` eval_date    joined to its evaluation
call_test          ``call_test``       test_date    ``eval_type`` = tester_type
survey             ``survey``          survey_date
system_check       ``system_check``    check_date   center level only
=================  ==================  ===========  ==============================

A record's team is resolved as in the schema's ``*_v`` views: its own team,
else the roster's team in force on the record's date.  The views do that
with an as-of join per row, which dominates the cost on millions of rows;
the queries here instead aggregate the records that carry a team directly
and hash-join only the others to the roster's validity intervals (see
:func:`_source_sql`).  Records without a resolvable team (or agent) count
at center level only.

Rollups
-------
On millions of rows the queries above take a few hundred milliseconds per
source; a dashboard asks many of them between two imports.
:func:`build_rollups` keeps, in temp tables of the connection, the rows
with their team resolved (monitoring with one column per QA item, so the
items need no join; call tests) and the survey counts and sums per day x
team x agent x channel, sorted by team so that unit filters skip most of
them.  :func:`metric_table` reads them while they are fresh (same data
version and row counts as the store) and the tables otherwise: the results
are identical (the rollups keep every statistic the metrics need).

Kinds and intervals
-------------------
``rate``  (successes ``x`` out of trials ``n``; value ``p = x/n``): Wilson
score interval (Wilson 1927; Newcombe 1998, method 3; R
``prop.test(x, n, correct = FALSE)`` / ``binom::binom.wilson``)::

    centre = (p + z^2 / (2n)) / (1 + z^2 / n)
    half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))

``mean``  (sum ``S``, sum of squares ``Q``, count ``n``; value ``S/n``):
``sd = sqrt((Q - S^2/n) / (n - 1))`` and the t interval
``mean +/- t_{0.975, n-1} * sd / sqrt(n)`` (no interval when ``n < 2``).

``count`` (value = sum of the expression, ``n`` = rows behind it): no
interval.  Counts scale with the length of the period; compare them only at
one grain.

References
----------
* Wilson, E. B. (1927). Probable inference, the law of succession, and
  statistical inference. *JASA* 22, 209-212.
* Newcombe, R. G. (1998). Two-sided confidence intervals for the single
  proportion: comparison of seven methods. *Statistics in Medicine* 17,
  857-872.
* Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
  performance. *Statistics in Medicine* 24, 1185-1202.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..core.filters import Filter
from ..core.periods import GRAINS, bucket_sql
from ..stats import funnel as _funnel
from ..stats.funnel import funnel_limits
from ..stats.intervals import cluster_robust_se_by_group, t_interval, t_two_sided_p, wilson_interval
from ..stats.multiplicity import adjust_p, comparisons
from ..store import rollups as _rollups

__all__ = [
    "FUNNEL_LEVELS",
    "clustered_se",
    "LEVELS",
    "METRIC_TABLE_COLUMNS",
    "METRICS",
    "Metric",
    "funnel_limits",
    "funnel_table",
    "get_metric",
    "is_metric",
    "item_names",
    "metric_catalog",
    "metric_ids",
    "metric_table",
    "rank_table",
    "t_interval",
    "wilson_interval",
    "build_rollups",
    "drop_rollups",
    "rollup_status",
    "ROLLUP_TABLES",
]

#: Period grains understood by :func:`metric_table` (``all`` = one period).
#: Units a metric can be computed for.
LEVELS: tuple[str, ...] = ("center", "team", "agent")
#: an internal level: each agent within each team (key: team, chr(31), agent id), the
#: clusters of a team's cluster-robust standard error (:func:`clustered_se`)
_TEAM_AGENT = "team_agent"
KINDS: tuple[str, ...] = ("rate", "mean", "count")

#: Column order of :func:`metric_table`.
METRIC_TABLE_COLUMNS: tuple[str, ...] = (
    "period", "level_key", "metric", "value", "n", "successes", "sd", "ci_low", "ci_high",
)


# --------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One metric: an aggregate of one row-level SQL expression over one source.

    ``value_sql`` is evaluated per record of ``source`` (columns of the
    source relation, alias-free): for a ``rate`` it yields 1.0 (success),
    0.0 (failure) or NULL (not counted); for a ``mean`` the number to average
    (NULL = not counted); for a ``count`` the number to add up.  ``where_sql``
    restricts the records (NULL counts as false).  Both are constant SQL of
    this module: user values never enter them.  ``item`` is set for the
    per-item metrics, whose SQL is fixed by the item source.
    """

    id: str
    source: str
    kind: str
    value_sql: str
    where_sql: str | None
    higher_is_better: bool
    name_en: str
    name_zh: str
    unit: str = ""
    description: str = ""
    levels: tuple[str, ...] = LEVELS
    item: str | None = None
    # Which statistics of the survey rollup give the aggregates (part ->
    # ``rollups.SURVEY_STATS`` name); empty: the rollup cannot serve it.
    rollup: tuple[tuple[str, str], ...] = ()

    @property
    def direction(self) -> str:
        """``"higher"`` or ``"lower"`` (which way is better)."""
        return "higher" if self.higher_is_better else "lower"

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def text(self, lang: str = "en") -> str:
        """A metric is a Text: ``say(metric, lang)`` is its name."""
        return self.name(lang)

    def aggregates(self) -> dict[str, str]:
        """The SQL aggregates behind the metric: ``n`` and ``sum`` always,
        ``sumsq`` for means (rates: ``sum`` = successes)."""
        filt = f" FILTER (WHERE {self.where_sql})" if self.where_sql else ""
        v = self.value_sql
        out = {"n": f"count({v}){filt}", "sum": f"sum({v}){filt}"}
        if self.kind == "mean":
            out["sumsq"] = f"sum(({v}) * ({v})){filt}"
        return out


def _m(id: str, source: str, kind: str, value_sql: str, where_sql: str | None, higher: bool,
       en: str, zh: str, unit: str, desc: str, levels: tuple[str, ...] = LEVELS,
       rollup: tuple[tuple[str, str], ...] = ()) -> Metric:
    return Metric(id, source, kind, value_sql, where_sql, higher, en, zh, unit, desc, levels, rollup=rollup)


_BOOL01 = "CASE WHEN {c} THEN 1.0 WHEN NOT {c} THEN 0.0 END"
_VOICE = "COALESCE(channel, 'voice') = 'voice'"

_FIXED: tuple[Metric, ...] = (
    # monitoring (internal QA)
    _m("qa_mean_score", "monitoring", "mean", "total_score", _VOICE, True,
       "QA mean score (voice)", "语音质检平均分", "points",
       "Mean total score of voice-channel evaluations (channel NULL counts as voice)."),
    _m("qa_mean_score_all", "monitoring", "mean", "total_score", None, True,
       "QA mean score (all channels)", "质检平均分（全渠道）", "points",
       "Mean total score of all evaluations."),
    _m("nonvoice_qa_score", "monitoring", "mean", "total_score", "channel <> 'voice'", True,
       "Non-voice QA mean score", "非语音质检平均分", "points",
       "Mean total score of evaluations whose channel is not voice (sms, chat, app, email...)."),
    _m("critical_error_rate", "monitoring", "rate", _BOOL01.format(c="critical_error"), None, False,
       "Critical error rate", "致命差错率", "share",
       "Evaluations with a critical (auto-fail) error / evaluations with the flag recorded."),
    _m("qa_evaluations", "monitoring", "count", "1", None, True,
       "Evaluations", "质检量", "count", "Number of evaluations."),
    # call tests
    _m("call_test_pass_rate", "call_test", "rate", _BOOL01.format(c="passed"), None, True,
       "Call-test pass rate (all testers)", "拨测合格率（全部）", "share",
       "Passed call tests / call tests with a result."),
    _m("qa_call_test_pass_rate", "call_test", "rate", _BOOL01.format(c="passed"), "tester_type = 'qa'", True,
       "QA call-test pass rate", "质检拨测合格率", "share", "Pass rate of call tests made by QA."),
    _m("leadership_call_test_pass_rate", "call_test", "rate", _BOOL01.format(c="passed"),
       "tester_type = 'leadership'", True,
       "Leadership call-test pass rate", "领导拨测合格率", "share",
       "Pass rate of call tests made by the center's management."),
    _m("external_call_test_pass_rate", "call_test", "rate", _BOOL01.format(c="passed"),
       "COALESCE(is_external, tester_type = 'third_party')", True,
       "External call-test pass rate", "外部拨测合格率", "share",
       "Pass rate of external (third-party / mystery-shopper) call tests."),
    _m("call_test_mean_score", "call_test", "mean", "score", None, True,
       "Call-test mean score (all testers)", "拨测平均分（全部）", "points",
       "Mean score of call tests with a score, whoever made them."),
    _m("third_party_score", "call_test", "mean", "score", "tester_type = 'third_party'", True,
       "Mystery-shopper mean score", "第三方暗访平均分", "points",
       "Mean score of third-party (mystery shopper) call tests."),
    # survey
    _m("satisfaction_rate", "survey", "rate",
       "CASE WHEN satisfaction = 'satisfied' THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END", None, True,
       "Satisfaction rate", "满意率", "share", "Satisfied / responses with a valid rating.",
       rollup=(("n", "n_rated"), ("sum", "n_satisfied"))),
    _m("dissatisfaction_rate", "survey", "rate",
       "CASE WHEN satisfaction = 'dissatisfied' THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END", None, False,
       "Dissatisfaction rate", "不满意率", "share", "Dissatisfied / responses with a valid rating.",
       rollup=(("n", "n_rated"), ("sum", "n_dissatisfied"))),
    _m("survey_mean_rating", "survey", "mean", "rating_score", None, True,
       "Mean rating (1-5)", "平均评分（1–5）", "points", "Mean of the 1-5 rating where one is known.",
       rollup=(("n", "n_score"), ("sum", "sum_score"), ("sumsq", "sumsq_score"))),
    _m("survey_responses", "survey", "count", "CASE WHEN satisfaction IS NOT NULL THEN 1 END", None, True,
       "Survey responses", "有效评价量", "count", "Responses with a valid rating.",
       rollup=(("n", "n_rated"), ("sum", "n_rated"))),
    # systems (center-wide: no team or agent)
    _m("system_availability", "system_check", "mean", "availability_pct", None, True,
       "System availability (%)", "系统可用率（%）", "percent", "Mean availability of the checked systems.",
       ("center",)),
    _m("system_incidents", "system_check", "count", "incidents", None, False,
       "System incidents", "系统故障次数", "count", "Incidents reported by the system checks (sum).",
       ("center",)),
    _m("system_check_score", "system_check", "mean", "score", None, True,
       "System check score", "系统检查得分", "points", "Mean score of the system checks.", ("center",)),
)

#: The fixed metrics by id (the per-item metrics are made by :func:`get_metric`).
METRICS: dict[str, Metric] = {m.id: m for m in _FIXED}

_ITEM_PREFIXES = ("item:", "item_rate:")


def _item_metric(metric_id: str) -> Metric:
    prefix, name = metric_id.split(":", 1)
    if not name:
        raise KeyError(metric_id)
    if prefix == "item":
        return Metric(metric_id, "monitoring_item", "mean", "", None, False,
                      f"Points lost: {name}", f"扣分项：{name}（平均扣分）", "points",
                      f"Mean points lost on item {name!r} per evaluation where it applies "
                      "(deductions are the negative item points; N/A excluded).", LEVELS, name)
    return Metric(metric_id, "monitoring_item", "rate", "", None, False,
                  f"Deduction rate: {name}", f"扣分项：{name}（扣分率）", "share",
                  f"Share of evaluations losing points on item {name!r}, where it applies.", LEVELS, name)


def get_metric(metric_id: str) -> Metric:
    """The metric of an id: a registry entry, ``item:<name>`` (mean points
    lost on a QA item) or ``item_rate:<name>`` (share of evaluations losing
    points on it).  ``KeyError`` for anything else."""
    if metric_id in METRICS:
        return METRICS[metric_id]
    if isinstance(metric_id, str) and metric_id.startswith(_ITEM_PREFIXES):
        return _item_metric(metric_id)
    raise KeyError(f"unknown metric {metric_id!r}")


def is_metric(metric_id: str) -> bool:
    try:
        get_metric(metric_id)
    except KeyError:
        return False
    return True


def item_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """QA items present in the data (sorted)."""
    return [r[0] for r in con.execute("SELECT DISTINCT item FROM monitoring_item ORDER BY item").fetchall()]


def metric_ids(con: duckdb.DuckDBPyConnection | None = None, items: bool = True) -> list[str]:
    """Fixed metric ids, plus (with a connection) ``item:``/``item_rate:`` per item in the data."""
    out = list(METRICS)
    if con is not None and items:
        for name in item_names(con):
            out += [f"item:{name}", f"item_rate:{name}"]
    return out


def metric_catalog(con: duckdb.DuckDBPyConnection | None = None, lang: str = "zh") -> pd.DataFrame:
    """The registry as a table.

    Columns: ``metric``, ``name`` (in ``lang``), ``name_en``, ``name_zh``,
    ``source``, ``kind``, ``direction``, ``unit``, ``levels`` (comma list),
    ``description``.
    """
    rows = []
    for mid in metric_ids(con):
        m = get_metric(mid)
        rows.append({
            "metric": m.id, "name": m.name(lang), "name_en": m.name_en, "name_zh": m.name_zh,
            "source": m.source, "kind": m.kind, "direction": m.direction, "unit": m.unit,
            "levels": ",".join(m.levels), "description": m.description,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# SQL building
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    name: str
    table: str
    date: str
    has_unit: bool = True  # team / agent_id columns
    channel: bool = True
    tester: bool = False


_SOURCES: dict[str, _Source] = {
    "monitoring": _Source("monitoring", "monitoring", "eval_date"),
    "monitoring_item": _Source("monitoring_item", "monitoring", "eval_date"),
    "call_test": _Source("call_test", "call_test", "test_date", tester=True),
    "survey": _Source("survey", "survey", "survey_date"),
    "system_check": _Source("system_check", "system_check", "check_date", has_unit=False, channel=False),
}



#: The roster as intervals ``[valid_from, valid_to)`` per agent: the schema's
#: ``roster_intervals`` view, as a CTE.
_ROSTER_IV = "roster_iv AS (SELECT agent_id, team, agent_name, valid_from, valid_to FROM roster_intervals)"


def _source_sql(
    src: _Source,
    metrics: list[Metric],
    grain: str,
    level: str,
    scope: Filter,
    table: str | None = None,
    select: str | None = None,
) -> tuple[str, list[Any]]:
    """One aggregate query for all ``metrics`` of one source.

    ``table`` names a rollup of the source's rows whose ``team`` is already
    resolved (see :func:`build_rollups`); the default is the source table.
    ``select`` replaces the aggregate list of such a rollup query.

    The unit's team is resolved as in the schema's ``*_v`` views (the
    record's own team, else the roster's team in force on the record's
    date), but without the views' row-by-row as-of join, which dominates the
    cost on millions of rows: records carrying a team are aggregated as they
    are, and only records without one are hash-joined to the roster's
    validity intervals (:data:`_ROSTER_IV`).  Each branch aggregates by day
    first; counts, sums and sums of squares add up, so summing the partial
    aggregates per period is exact.
    """
    teams = list(scope.team) if scope.team is not None else None
    if not src.has_unit and level != "center":
        raise ValueError(f"{src.name} has no {level}")
    resolved = table is not None
    need_team = src.has_unit and (level in ("team", _TEAM_AGENT) or teams is not None) and not resolved
    rel = table or src.table
    date = f"r.{src.date}"
    # filters on the raw rows (alias r); the team of unresolved rows is
    # restricted in each branch below, once it is known
    pre, pre_params = scope.conditions(
        date=date, team="r.team" if src.has_unit and resolved else None,
        agent="r.agent_id" if src.has_unit else None, channel="r.channel" if src.channel else None,
        tester="r.tester_type" if src.tester else None)
    if src.has_unit and level in ("agent", _TEAM_AGENT):
        pre.append("r.agent_id IS NOT NULL")
    if src.has_unit and resolved and level in ("team", _TEAM_AGENT):
        pre.append("r.team IS NOT NULL")

    def where(extra: list[str], extra_params: list[Any]) -> tuple[str, list[Any]]:
        conds = extra + pre
        return ((" WHERE " + " AND ".join(conds)) if conds else ""), extra_params + pre_params

    def branches(select_own: str, select_roster: str, group: str) -> tuple[str, list[Any]]:
        """``UNION ALL`` of the records with their own team and those taking it from the roster."""
        own = ["r.team IS NOT NULL"]
        via = ["r.team IS NULL", "v.team IS NOT NULL"]
        own_p: list[Any] = []
        via_p: list[Any] = []
        if teams is not None:
            own.append("list_contains(?::VARCHAR[], r.team)")
            via.append("list_contains(?::VARCHAR[], v.team)")
            own_p, via_p = [teams], [teams]
        w1, p1 = where(own, own_p)
        w2, p2 = where(via, via_p)
        sql = (
            f"SELECT {select_own} FROM {src.table} r{w1}{group} UNION ALL "
            f"SELECT {select_roster} FROM {src.table} r JOIN roster_iv v ON r.agent_id = v.agent_id "
            f"AND {date} >= v.valid_from AND {date} < v.valid_to{w2}{group}"
        )
        return sql, p1 + p2

    def key(alias: str) -> str:
        return {"center": "'center'", "team": f"{alias}.team", "agent": f"{alias}.agent_id",
                _TEAM_AGENT: f"{alias}.team || chr(31) || {alias}.agent_id"}[level]

    if src.name == "monitoring_item" and resolved:
        raise ValueError("items of a rollup are queried by _rollup_item_sql")
    if src.name == "monitoring_item":
        if need_team:
            units, params = branches(
                f"r.record_key, {date} AS d, r.agent_id, r.team",
                f"r.record_key, {date} AS d, r.agent_id, v.team",
                "",
            )
            head = f"WITH {_ROSTER_IV}, m AS ({units}) "
        else:
            w, params = where([], [])
            head = f"WITH m AS (SELECT r.record_key, {date} AS d, r.agent_id FROM {src.table} r{w}) "
        params.append(sorted({m.item for m in metrics}))
        # The period is computed after the join on purpose: grouping by plain
        # columns of the evaluations lets DuckDB's partial aggregate pushdown
        # pre-aggregate the items per (record_key, item) -- no reduction at
        # all, and about 10x slower on 11 million item rows.
        lost = "CASE WHEN i.points < 0 THEN -i.points ELSE 0.0 END"
        sql = (
            f"{head}SELECT {bucket_sql('m.d', grain)} AS period, {key('m')} AS level_key, i.item AS item, "
            f"count(i.points) AS n, sum({lost}) FILTER (WHERE i.points IS NOT NULL) AS s, "
            f"sum(({lost}) * ({lost})) FILTER (WHERE i.points IS NOT NULL) AS q, "
            f"count(i.points) FILTER (WHERE i.points < 0) AS hits "
            f"FROM monitoring_item i JOIN m ON i.record_key = m.record_key "
            f"WHERE list_contains(?::VARCHAR[], i.item) GROUP BY ALL"
        )
        return sql, params

    stage1 = ", ".join(
        f"{agg} AS m{k}_{part}" for k, m in enumerate(metrics) for part, agg in m.aggregates().items()
    )
    stage2 = ", ".join(f"sum(m{k}_{part}) AS m{k}_{part}" for k, m in enumerate(metrics) for part in m.aggregates())
    if resolved or (not need_team and level == "agent"):
        # one stage: (period, agent) groups are few, (day, agent) groups many
        w, params = where([], [])
        sql = (
            f"SELECT {bucket_sql(date, grain)} AS period, {key('r')} AS level_key, {select or stage1} "
            f"FROM {rel} r{w} GROUP BY ALL"
        )
        return sql, params
    if not need_team:
        w, params = where([], [])
        sql = (
            f"SELECT {bucket_sql('p.d', grain)} AS period, 'center' AS level_key, {stage2} "
            f"FROM (SELECT {date} AS d, {stage1} FROM {src.table} r{w} GROUP BY ALL) p GROUP BY ALL"
        )
        return sql, params
    agent_col = ", r.agent_id AS agent_id" if level in ("agent", _TEAM_AGENT) else ""
    parts, params = branches(
        f"{date} AS d, r.team AS team{agent_col}, {stage1}",
        f"{date} AS d, v.team AS team{agent_col}, {stage1}",
        " GROUP BY ALL",
    )
    sql = (
        f"WITH {_ROSTER_IV}, p AS ({parts}) "
        f"SELECT {bucket_sql('p.d', grain)} AS period, {key('p')} AS level_key, {stage2} FROM p GROUP BY ALL"
    )
    return sql, params


# --------------------------------------------------------------------------
# Rollups: the store's pre-aggregates (qa_analytics.store.rollups)
# --------------------------------------------------------------------------

#: The rollup tables the store keeps in step with the records.
ROLLUP_TABLES: dict[str, str] = dict(_rollups.TABLES)


def build_rollups(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild the store's rollups from the records; returns rows per rollup.

    The importer and undo keep them in step in their own transactions
    (:mod:`qa_analytics.store.rollups`), so this is for a database whose rollups
    fell behind a write that bypassed the store, and for benchmarks.
    :func:`metric_table` reads them while they are fresh.  Exact: the
    rollups keep every statistic the metrics need, so results equal the
    raw queries'.
    """
    from ..store import transaction

    with transaction(con):
        _rollups.rebuild(con)
    return {src: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for src, t in ROLLUP_TABLES.items()}


def drop_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Empty the rollups and forget their stamp (metric_table goes back to the raw tables)."""
    from ..store import transaction

    with transaction(con):
        for t in ROLLUP_TABLES.values():
            con.execute(f"DELETE FROM {t}")
        con.execute("DELETE FROM meta WHERE key = 'rollup_stamp'")


def rollup_status(con: duckdb.DuckDBPyConnection) -> str:
    """``"fresh"``, ``"stale"`` (a write bypassed the store since) or ``"absent"`` (never built)."""
    if _rollup_meta(con) is None:
        return "absent"
    return "fresh" if _rollups.is_fresh(con) else "stale"


def _rollup_meta(con: duckdb.DuckDBPyConnection) -> dict | None:
    """What the rollups hold (their item columns, the survey metrics they
    serve), or None when they were never built."""
    if con.execute("SELECT count(*) FROM meta WHERE key = 'rollup_stamp'").fetchone()[0] == 0:
        return None
    return {"items": _rollups.item_columns(con),
            "survey": [m.id for m in METRICS.values() if m.source == "survey" and m.rollup]}


def _fresh_rollups(con: duckdb.DuckDBPyConnection) -> dict | None:
    meta = _rollup_meta(con)
    if meta is None or not _rollups.is_fresh(con):
        return None
    return meta


def _rollup_serves(m: Metric, meta: dict) -> bool:
    """Whether the rollups hold what ``m`` reads.

    Row rollups (monitoring, call tests) keep :data:`rollups.ROW_COLUMNS`: a
    metric (a registry one or a caller's own :class:`Metric`) reading any
    other column of its source goes to the table.  The survey rollup keeps
    sufficient statistics; a survey metric says which (``Metric.rollup``)."""
    if m.source == "monitoring_item":
        return True
    if m.source == "survey":
        return bool(m.rollup) and m.id in meta["survey"] and METRICS.get(m.id) == m
    if m.source not in _rollups.ROW_COLUMNS:
        return False
    from ..store import duckdb_columns

    source_cols = {c for c, _ in duckdb_columns(m.source)}
    kept = {c for c, _ in _rollups.ROW_COLUMNS[m.source]}
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", f"{m.value_sql} {m.where_sql or ''}"))
    return not ((words & source_cols) - kept)


def _rollup_item_sql(metrics: list[Metric], items: dict[str, int], grain: str, level: str,
                     scope: Filter) -> tuple[str, list[Any], dict[str, int]] | None:
    """The item metrics from the monitoring rollup (no join: one column per item)."""
    wanted = sorted({m.item for m in metrics if m.item in items})
    if not wanted:
        return None
    col = {name: items[name] for name in wanted}
    parts = []
    for k, name in enumerate(wanted):
        c = f"r.i{col[name]}"
        lost = f"CASE WHEN {c} < 0 THEN -{c} ELSE 0.0 END"
        parts.append(
            f"count({c}) AS n{k}, sum({lost}) FILTER (WHERE {c} IS NOT NULL) AS s{k}, "
            f"sum(({lost}) * ({lost})) FILTER (WHERE {c} IS NOT NULL) AS q{k}, "
            f"count({c}) FILTER (WHERE {c} < 0) AS h{k}"
        )
    sql, params = _source_sql(_SOURCES["monitoring"], [], grain, level, scope,
                              table=ROLLUP_TABLES["monitoring"], select=", ".join(parts))
    return sql, params, {name: k for k, name in enumerate(wanted)}


def _rollup_survey_sql(metrics: list[Metric], order: list[str], grain: str, level: str,
                       scope: Filter) -> tuple[str, list[Any]]:
    """The survey metrics from the survey rollup (sums of the daily statistics)."""
    cols = []
    for j, m in enumerate(metrics):
        for part, stat in m.rollup:
            cols.append(f"sum(r.{stat}) AS m{j}_{part}")
    return _source_sql(_SOURCES["survey"], [], grain, level, scope,
                       table=ROLLUP_TABLES["survey"], select=", ".join(cols))


# --------------------------------------------------------------------------
# metric_table
# --------------------------------------------------------------------------


def _resolve(metrics: str | Metric | Iterable[str | Metric] | None) -> list[Metric]:
    if metrics is None:
        return list(METRICS.values())
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    out, seen = [], set()
    for m in metrics:
        mm = m if isinstance(m, Metric) else get_metric(m)
        if mm.id not in seen:
            seen.add(mm.id)
            out.append(mm)
    return out


def _finish(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Turn (period, level_key, metric, kind, n, s, q) pieces into the tidy table."""
    cols = list(METRIC_TABLE_COLUMNS)
    if not parts:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        out["period"] = pd.Series(dtype="datetime64[us]")
        out["level_key"] = pd.Series(dtype="str")
        out["metric"] = pd.Series(dtype="str")
        out["n"] = pd.Series(dtype="int64")
        return out
    df = pd.concat(parts, ignore_index=True)
    df = df[df["n"] > 0]
    n = df["n"].to_numpy(dtype=float)
    s = df["s"].to_numpy(dtype=float)
    q = df["q"].to_numpy(dtype=float)
    kind = df["kind"].to_numpy()
    is_rate, is_mean = kind == "rate", kind == "mean"
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / n
        # (Q - S^2/n) cancels catastrophically when the values barely vary: seven
        # scores of exactly 99.9 leave ~1e-11 of rounding, an sd of 1.6e-6 and a
        # t of -120,129 for a 0.1-point move.  What lies within the rounding
        # error of Q (a few ulps per term) is no spread at all.
        centred = q - s * s / n
        noise = 8 * np.finfo(float).eps * np.abs(q)
        var = np.where(centred > noise, centred, 0.0) / (n - 1)
    value = np.where(kind == "count", s, mean)
    sd = np.where(is_mean & (n >= 2), np.sqrt(var), np.nan)
    wl, wh = wilson_interval(s, n)
    tl, th = t_interval(mean, sd, n) if is_mean.any() else (np.full(len(n), np.nan),) * 2
    out = pd.DataFrame({
        "period": df["period"].to_numpy(),
        "level_key": df["level_key"].astype("str").to_numpy(),
        "metric": df["metric"].astype("str").to_numpy(),
        "value": value,
        "n": df["n"].to_numpy(dtype="int64"),
        "successes": np.where(is_rate, s, np.nan),
        "sd": sd,
        "ci_low": np.where(is_rate, wl, np.where(is_mean, tl, np.nan)),
        "ci_high": np.where(is_rate, wh, np.where(is_mean, th, np.nan)),
    })
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[us]")
    return out.sort_values(["metric", "level_key", "period"], ignore_index=True)[cols]


def metric_table(
    con: duckdb.DuckDBPyConnection,
    metrics: str | Metric | Iterable[str | Metric] | None = None,
    grain: str = "month",
    level: str = "center",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | Sequence[str] | None = None,
    agent: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    rollups: bool | None = None,
    *,
    scope: Filter | None = None,
    clustered: bool = False,
) -> pd.DataFrame:
    """Metric values per period and unit, with their uncertainty.

    Parameters
    ----------
    metrics : ids or :class:`Metric` objects (``None`` = every fixed metric).
    grain : ``day`` | ``week`` (ISO, Monday) | ``month`` | ``quarter`` |
        ``half_year`` (Jan 1 / Jul 1) | ``all`` (one period: ``period`` is
        ``date_from``, else the earliest date found).
    level : ``center`` | ``team`` | ``agent`` (records without a team /
        agent count at center level only).
    date_from, date_to : inclusive bounds on each record's own date.
    team, agent : restrict to one or several teams / agent ids.
    channel : restrict to one or several channels (NULL counts as voice).
    eval_type : restrict call tests to tester types (``qa`` |
        ``leadership`` | ``third_party``); other sources ignore it.
    rollups : ``None`` -- read this connection's rollups when they are
        fresh (:func:`build_rollups`), else the tables; ``True`` -- build
        them first if missing or stale; ``False`` -- always the tables.
        Same results either way.
    scope : a :class:`~qa_analytics.core.filters.Filter` holding the same
        restrictions as one object (the dashboard's sidebar); where it and a
        keyword both restrict a dimension, ``scope`` wins.
    clustered : at ``team`` or ``center`` level, add each mean's
        cluster-robust standard error over its agents (``se``, ``clusters``;
        :func:`clustered_se`): what a comparison of a team's or the center's
        mean scores must use, because an agent's evaluations are not
        independent of one another.

    Center-only metrics (the system checks) appear only at ``level="center"``
    and ignore the unit and channel filters.  One DuckDB aggregate query per
    source; only aggregated rows leave the database.

    Returns
    -------
    DataFrame, one row per period x unit x metric with at least one
    observation, sorted by metric, level_key, period:

    * ``period`` (datetime64): first day of the period;
    * ``level_key`` (str): team name, agent id, or ``"center"``;
    * ``metric`` (str): the metric id;
    * ``value`` (float): rate, mean or count;
    * ``n`` (int): observations behind the value (trials / values / rows);
    * ``successes`` (float): numerator of a rate, NaN otherwise;
    * ``sd`` (float): sample SD of a mean (NaN for n < 2 and non-means);
    * ``ci_low``, ``ci_high`` (float): Wilson 95% interval for rates,
      t 95% interval for means, NaN for counts.
    """
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    if level not in LEVELS and level != _TEAM_AGENT:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    scope = Filter.of(date_from, date_to, team, agent, channel, eval_type).merged(scope)
    wanted = [m for m in _resolve(metrics) if ("team" if level == _TEAM_AGENT else level) in m.levels]
    by_source: dict[str, list[Metric]] = {}
    for m in wanted:
        by_source.setdefault(m.source, []).append(m)
    meta = None
    if rollups is not False and any(s in ROLLUP_TABLES or s == "monitoring_item" for s in by_source):
        meta = _fresh_rollups(con)
        if meta is None and rollups:
            build_rollups(con)
            meta = _rollup_meta(con)
    parts: list[pd.DataFrame] = []
    for src_name, ms in by_source.items():
        src = _SOURCES[src_name]
        if meta is not None and src_name == "monitoring_item":
            q = _rollup_item_sql(ms, meta["items"], grain, level, scope)
            if q is None:
                continue
            sql, params, index = q
            wide = con.execute(sql, params).df()
            agg = pd.concat([
                pd.DataFrame({"period": wide["period"], "level_key": wide["level_key"], "item": name,
                              "n": wide[f"n{k}"], "s": wide[f"s{k}"], "q": wide[f"q{k}"], "hits": wide[f"h{k}"]})
                for name, k in index.items()
            ], ignore_index=True)
        elif meta is not None and src_name == "survey" and all(_rollup_serves(m, meta) for m in ms):
            sql, params = _rollup_survey_sql(ms, meta["survey"], grain, level, scope)
            agg = con.execute(sql, params).df()
        elif meta is not None and src_name in ("monitoring", "call_test") and all(
            _rollup_serves(m, meta) for m in ms
        ):
            sql, params = _source_sql(src, ms, grain, level, scope, table=ROLLUP_TABLES[src_name])
            agg = con.execute(sql, params).df()
        else:
            sql, params = _source_sql(src, ms, grain, level, scope)
            agg = con.execute(sql, params).df()
        if agg.empty:
            continue
        if src_name == "monitoring_item":
            for m in ms:
                sub = agg[agg["item"] == m.item]
                if sub.empty:
                    continue
                if m.kind == "rate":
                    s, q = sub["hits"].to_numpy(dtype=float), np.full(len(sub), np.nan)
                else:
                    s, q = sub["s"].to_numpy(dtype=float), sub["q"].to_numpy(dtype=float)
                parts.append(pd.DataFrame({
                    "period": sub["period"].to_numpy(), "level_key": sub["level_key"].to_numpy(),
                    "metric": m.id, "kind": m.kind, "n": sub["n"].to_numpy(), "s": s, "q": q,
                }))
            continue
        for k, m in enumerate(ms):
            parts.append(pd.DataFrame({
                "period": agg["period"].to_numpy(), "level_key": agg["level_key"].to_numpy(),
                "metric": m.id, "kind": m.kind,
                "n": agg[f"m{k}_n"].fillna(0).to_numpy(),
                "s": agg[f"m{k}_sum"].to_numpy(dtype=float),
                "q": agg[f"m{k}_sumsq"].to_numpy(dtype=float) if m.kind == "mean" else np.nan,
            }))
    out = _finish(parts)
    if grain == "all" and len(out):
        start = pd.Timestamp(scope.date_from) if scope.date_from is not None else out["period"].min()
        out["period"] = pd.Series(start, index=out.index).astype("datetime64[us]")
    if clustered and level in ("center", "team"):
        means = [m for m in wanted if m.kind == "mean"]
        se = clustered_se(con, means, grain, level, scope=scope, rollups=rollups)
        if len(out) and len(se):
            out = out.merge(se, on=["period", "level_key", "metric"], how="left")
        else:
            out = out.assign(se=np.nan, clusters=0)
        out["se"] = out["se"].astype("float64")
        out["clusters"] = out["clusters"].fillna(0).astype("int64")
    return out


def clustered_se(con: duckdb.DuckDBPyConnection, metrics: Iterable[str | Metric], grain: str, level: str,
                 *, scope: Filter | None = None, rollups: bool | None = None) -> pd.DataFrame:
    """Each mean's cluster-robust (CR1) standard error at ``team`` or
    ``center`` level, the agents as clusters: ``period``, ``level_key``,
    ``metric``, ``se``, ``clusters`` (agents with data).

    Why: a team's 2,000 evaluations of 15 agents are not 2,000 independent
    draws -- each agent's scores share that agent's skill -- so
    ``sd / sqrt(n)`` is several times too small and small differences read
    as significant.  The sandwich estimator of
    :func:`qa_analytics.stats.intervals.cluster_robust_se` (statsmodels'
    ``cov_type="cluster"``) needs only each agent's count and mean, one
    aggregate query at the agent-within-unit level, vectorised here over
    every unit and period.  ``se`` is NaN with fewer than two agents, and
    for records without an agent (they are not clustered: they stay out).
    """
    if level not in ("center", "team"):
        raise ValueError("clustered standard errors are for level 'center' or 'team'")
    cols = ["period", "level_key", "metric", "se", "clusters"]
    means = [m for m in _resolve(list(metrics)) if m.kind == "mean"]
    if not means:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    cells = metric_table(con, means, grain=grain, level="agent" if level == "center" else _TEAM_AGENT,
                         scope=scope, rollups=rollups)
    cells = cells[(cells["n"] > 0) & cells["value"].notna()]
    if cells.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    unit = "center" if level == "center" else cells["level_key"].str.split("\x1f", n=1).str[0]
    keys = cells.assign(level_key=unit)[["period", "level_key", "metric"]]
    gid = keys.groupby(["period", "level_key", "metric"], sort=False).ngroup().to_numpy()  # first-seen order
    agg = keys.drop_duplicates(ignore_index=True)  # the same order
    _mean, se, clusters = cluster_robust_se_by_group(gid, cells["n"].to_numpy(float), cells["value"].to_numpy(float),
                                                     groups=len(agg))
    agg["se"], agg["clusters"] = se, clusters
    return agg[cols]


# --------------------------------------------------------------------------
# Funnel plots and rankings
# --------------------------------------------------------------------------

#: Funnel coverages: 95% ("warning") and 99.8% ("alarm"), Spiegelhalter (2005).
FUNNEL_LEVELS: tuple[float, ...] = (0.95, 0.998)


#: the columns of :func:`funnel_table`
FUNNEL_COLUMNS = ("level_key", "metric", "value", "n", "target", "sd", "z", "lo95", "hi95", "lo998", "hi998",
                  "phi", "phi_p", "outside95", "outside998", "p_value", "p_adjusted", "comparisons", "assessment",
                  "test")


def funnel_table(
    con: duckdb.DuckDBPyConnection,
    metric: str | Metric,
    level: str = "team",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    method: str = "exact",
    overdispersion: bool | str = False,
    *,
    scope: Filter | None = None,
    adjust: str = "bh",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each unit's rate or mean against the center's, with funnel limits.

    The restriction is ``date_from`` ... ``eval_type`` or ``scope``, as in
    :func:`metric_table`.

    The target ``theta0`` is the center's value over the same records and
    period (all units pooled); for a mean, ``sd`` is the center's sample SD.
    Limits at each unit's ``n`` come from :func:`funnel_limits` (95% and
    99.8%, Spiegelhalter 2005).  The unit's z-score is
    ``(y - theta0) / se0`` with ``se0 = sqrt(theta0 (1 - theta0) / n)`` for a
    rate and ``sd / sqrt(n)`` for a mean.

    The limits are for drawing the funnel; a unit is **classified** by the
    exact tail probability of its value under the target
    (:func:`qa_analytics.stats.funnel.funnel_p_values`: binomial for rates, t
    for means below 30 observations), and the p-values of all the units
    compared are adjusted together for the false discovery rate
    (``adjust="bh"``, Benjamini–Hochberg; ``"none"`` keeps the raw p): a page
    that compares 60 agents flags about as often as one that compares two.
    A unit is ``better`` or ``worse`` when its adjusted p is below ``alpha``.

    A **team's mean score** is classified with a cluster-robust t test
    instead (``test = "cluster_t"``): ``(y - theta0) / se_CR`` on Student's t
    with ``agents - 1`` degrees of freedom, ``se_CR`` over the team's agents
    (:func:`clustered_se`).  Its evaluations are not independent -- each
    agent's share that agent's skill -- so ``sd / sqrt(n)`` over 2,000
    evaluations of 15 agents would call every team different from the
    center.  The funnel curves stay Spiegelhalter's, for the eye; a point
    beyond them can then be "as expected", and the page says why.  Agents'
    means (one agent, no clusters) and rates keep the exact tests.

    ``overdispersion``: ``True`` applies the multiplicative correction of
    Spiegelhalter (2005, section 5.1), ``phi = mean(z_w^2)`` over the z-scores
    winsorised at their 10th/90th percentiles, widening the limits and the
    tests by ``sqrt(phi)`` when ``phi > 1``; ``"auto"`` applies it only when
    his test of over-dispersion (``k * phi`` on chi-square, ``k - 1`` df)
    gives p < 0.05; ``False`` (default) never.

    Returns
    -------
    DataFrame, one row per unit, sorted by ``z``:

    * ``level_key``, ``metric``, ``value``, ``n``;
    * ``target``: the center's value; ``sd``: the center's SD (means);
    * ``z``: the z-score against the target (unadjusted);
    * ``lo95``, ``hi95``, ``lo998``, ``hi998``: the funnel limits at ``n``;
    * ``phi``: the over-dispersion factor used (1 when not adjusting);
      ``phi_p``: the p-value of the over-dispersion test (NaN below 3 units);
    * ``outside95``, ``outside998`` (bool): outside those limits (drawing);
    * ``p_value``: the unit's exact two-sided p; ``p_adjusted``: after the
      multiplicity adjustment; ``comparisons``: how many units it corrected for;
    * ``assessment``: ``"better"`` / ``"worse"`` (adjusted p < ``alpha``, in
      the metric's direction) or ``"as expected"``;
    * ``test``: ``binomial`` (rates; ``normal`` with φ), ``t`` (means), or
      ``cluster_t`` (a team's mean, see above).
    """
    m = metric if isinstance(metric, Metric) else get_metric(metric)
    if m.kind not in ("rate", "mean"):
        raise ValueError(f"funnel plots need a rate or a mean; {m.id!r} is a {m.kind}")
    if level == "center":
        raise ValueError("a funnel compares teams or agents: level must be 'team' or 'agent'")
    kw = dict(grain="all", scope=Filter.of(date_from, date_to, team, None, channel, eval_type).merged(scope))
    center = metric_table(con, [m], level="center", **kw)
    cluster = level == "team" and m.kind == "mean"
    units = metric_table(con, [m], level=level, clustered=cluster, **kw)
    cols = list(FUNNEL_COLUMNS)
    if center.empty or units.empty:
        return pd.DataFrame(columns=cols)
    theta = float(center["value"].iloc[0])
    sd = float(center["sd"].iloc[0]) if m.kind == "mean" else float("nan")
    out = units[["level_key", "metric", "value", "n"]].copy()
    out["target"] = theta
    out["sd"] = sd
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(theta * (1 - theta) / n) if m.kind == "rate" else sd / np.sqrt(n)
        z = (out["value"].to_numpy() - theta) / se
    out["z"] = z
    phi_hat, phi_p = _funnel.overdispersion(z)
    use_phi = overdispersion is True or (overdispersion == "auto" and phi_p < 0.05)
    phi = max(phi_hat, 1.0) if use_phi else 1.0
    for cov, tag in ((0.95, "95"), (0.998, "998")):
        lo, hi = _funnel.funnel_limits(m.kind, theta, n, sd=sd, coverage=cov, method=method, phi=phi)
        out["lo" + tag], out["hi" + tag] = lo, hi
    out["phi"] = phi
    out["phi_p"] = phi_p
    v = out["value"]
    out["outside95"] = (v < out["lo95"]) | (v > out["hi95"])
    out["outside998"] = (v < out["lo998"]) | (v > out["hi998"])
    p = _funnel.funnel_p_values(m.kind, theta, n, v.to_numpy(dtype=float), sd=sd, phi=phi)
    test = np.full(len(out), "t" if m.kind == "mean" else ("normal" if phi > 1.0 else "binomial"), dtype=object)
    if cluster:
        se_cr, g = units["se"].to_numpy(float), units["clusters"].to_numpy(float)
        ok = np.isfinite(se_cr) & (g >= 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = v.to_numpy(float) - theta
            t = np.where(se_cr > 0, np.abs(diff) / se_cr, np.where(diff == 0, 0.0, np.inf))
        p = np.where(ok, np.minimum(1.0, t_two_sided_p(t, np.maximum(g - 1, 1))), p)
        test[ok] = "cluster_t"
    out["test"] = test
    out["p_value"] = p
    out["p_adjusted"] = adjust_p(p, adjust)
    out["comparisons"] = comparisons(p)
    flagged = out["p_adjusted"].to_numpy() < alpha
    better = (v > theta) if m.higher_is_better else (v < theta)
    out["assessment"] = np.where(flagged, np.where(better, "better", "worse"), "as expected")
    return out.sort_values("z", ignore_index=True)[cols]


def rank_table(
    con: duckdb.DuckDBPyConnection,
    metric: str | Metric,
    level: str = "team",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    min_n: int = 30,
    team: str | Sequence[str] | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
    *,
    scope: Filter | None = None,
) -> pd.DataFrame:
    """Units ranked on one metric over the whole period (best = rank 1).

    The restriction is ``date_from`` ... ``eval_type`` or ``scope``, as in
    :func:`metric_table`.

    Minimum-sample rule: units with ``n < min_n`` are listed but not ranked
    (``rank`` is NA, ``ranked`` False): their values are too noisy to place.
    Ties share the better rank (``min`` method).

    Returns
    -------
    DataFrame with ``level_key``, ``metric``, ``value``, ``n``, ``ci_low``,
    ``ci_high``, ``rank`` (Int64, NA when unranked), ``ranked`` (bool) and
    ``of`` (how many units are ranked); ranked units first, by rank, then
    the unranked ones by value in the metric's direction.
    """
    m = metric if isinstance(metric, Metric) else get_metric(metric)
    if level == "center":
        raise ValueError("rank teams or agents: level must be 'team' or 'agent'")
    t = metric_table(con, [m], grain="all", level=level,
                     scope=Filter.of(date_from, date_to, team, None, channel, eval_type).merged(scope))
    out = t[["level_key", "metric", "value", "n", "ci_low", "ci_high"]].copy()
    ok = out["n"] >= min_n
    out["rank"] = (
        out["value"].where(ok).rank(method="min", ascending=not m.higher_is_better).astype("Int64")
    )
    out["ranked"] = ok.to_numpy()
    out["of"] = int(ok.sum())
    key = out["value"] if not m.higher_is_better else -out["value"]
    out = out.assign(_u=~ok, _k=key).sort_values(["_u", "rank", "_k"], na_position="last")
    return out.drop(columns=["_u", "_k"]).reset_index(drop=True)
