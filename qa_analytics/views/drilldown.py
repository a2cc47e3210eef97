"""Drill-down data: center -> team -> agent -> one evaluation.

Why one module: the Drill-down page shows the same few views at every level
(headline figures against the previous period, a comparison of the units
one level down, the trend, the score distribution, the deduction items that
cost the most points, the list of evaluations) and, at the bottom, one
evaluation with its items and its revision history.  Each view is one
function here, taking the DuckDB connection first and returning a small tidy
DataFrame, so the page only draws and the numbers are tested.

Units and filters
-----------------
Every function takes the same restriction: ``date_from`` / ``date_to``
(inclusive, on ``eval_date``), ``team`` (one team name), ``agent`` (one
agent id), ``channel`` (one channel or a list; NULL counts as ``voice``, as
in :mod:`qa_analytics.analytics.metrics`).  An evaluation's team is resolved as in the
schema's ``monitoring_v`` view and in ``metrics``: the export's own team,
else the roster's team in force on the evaluation's date.  The roster is
joined by validity interval (a hash join), not with the view's row-by-row
as-of join, so the functions stay fast on large stores.

Clicks
------
:func:`drill_state_from_event` turns a Plotly selection event (a click on a
team's bar or an agent's point) or a dataframe row selection into the next
drill state; it is pure, so it is tested without a browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..analytics.metrics import _ROSTER_IV, funnel_limits, funnel_table, get_metric, metric_table
from ..core.filters import Filter
from .overview import headline as _headline

__all__ = [
    "DRILL_METRICS",
    "CARD_METRICS",
    "LEVELS",
    "agent_funnel",
    "agent_info",
    "agents",
    "drill_level",
    "drill_state_from_event",
    "evaluation_count",
    "evaluation_detail",
    "evaluations",
    "funnel_curves",
    "headline",
    "item_pareto",
    "score_distribution",
    "team_comparison",
    "trend",
]

#: The drill levels, top down.
LEVELS: tuple[str, ...] = ("center", "team", "agent", "evaluation")
#: Metrics the user can compare teams and agents on.
DRILL_METRICS: tuple[str, ...] = ("qa_mean_score", "critical_error_rate", "satisfaction_rate",
                                  "call_test_pass_rate")
#: Headline cards at every level (the evaluation count first).
#: the cards above a drill-down level (the Overview has its own, views.overview.HEADLINE_METRICS)
CARD_METRICS: tuple[str, ...] = ("qa_evaluations", *DRILL_METRICS)


# --------------------------------------------------------------------------
# the evaluation rows, team resolved
# --------------------------------------------------------------------------


def _ev_cte(
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """``WITH roster_iv AS (...), ev AS (...)``: the evaluations matching the
    restriction, every column of ``monitoring`` with ``team`` and
    ``agent_name`` resolved.  Returns the SQL head and its parameters."""
    where, params = Filter.of(date_from, date_to, team, None if agent is None else str(agent), channel).where(
        date="r.eval_date", team="COALESCE(r.team, v.team)", agent="r.agent_id", channel="r.channel")
    head = (
        f"WITH {_ROSTER_IV}, ev AS ("
        "SELECT r.* EXCLUDE (team, agent_name), COALESCE(r.team, v.team) AS team, "
        "COALESCE(r.agent_name, v.agent_name) AS agent_name "
        "FROM monitoring r LEFT JOIN roster_iv v ON v.agent_id = r.agent_id "
        f"AND r.eval_date >= v.valid_from AND r.eval_date < v.valid_to{where}) "
    )
    return head, params


# --------------------------------------------------------------------------
# headline figures
# --------------------------------------------------------------------------


def headline(con: duckdb.DuckDBPyConnection, date_from: dt.date, date_to: dt.date,
             metrics: Sequence[str] = CARD_METRICS, **kwargs: Any) -> pd.DataFrame:
    """:func:`qa_analytics.views.overview.headline` with the drill-down's metrics
    (the evaluation count first); same arguments and columns."""
    return _headline(con, date_from, date_to, metrics, **kwargs)


# --------------------------------------------------------------------------
# comparing the units one level down
# --------------------------------------------------------------------------


def _better_first(df: pd.DataFrame, higher_is_better: bool) -> pd.DataFrame:
    return df.sort_values(["value", "level_key"], ascending=[not higher_is_better, True], ignore_index=True)


def team_comparison(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every team on one metric over the period, best first, with its 95%
    interval and whether it differs from the center beyond chance (funnel
    limits, :func:`qa_analytics.analytics.metrics.funnel_table`).

    Returns
    -------
    DataFrame, one row per team with data, best first (ties by name):
    ``team``, ``value``, ``n``, ``ci_low``, ``ci_high`` (Wilson 95% for
    rates; for means, t 95% on the cluster-robust error over the team's
    agents, :func:`~qa_analytics.analytics.metrics.clustered_se`, as the
    funnel's test: a team's evaluations share their agents),
    ``center`` (the center's value over the same records), ``assessment``
    (``better`` / ``worse`` than the center by the funnel's exact test after
    the false-discovery-rate correction, else ``as expected``), ``p_adjusted``
    and ``comparisons`` (how many teams the correction counted).
    """
    m = get_metric(metric)
    kw = dict(grain="all", date_from=date_from, date_to=date_to, channel=channel, eval_type=eval_type)
    t = metric_table(con, [metric], level="team", clustered=m.kind == "mean", **kw)
    cols = ["team", "value", "n", "ci_low", "ci_high", "center", "assessment", "p_adjusted", "comparisons", "test"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    if m.kind == "mean":
        from scipy import special

        se, g = t["se"].to_numpy(float), t["clusters"].to_numpy(float)
        ok = np.isfinite(se) & (g >= 2)
        half = np.where(ok, special.stdtrit(np.maximum(g - 1, 1), 0.975) * se, np.nan)
        t = t.assign(ci_low=np.where(ok, t["value"] - half, t["ci_low"]),
                     ci_high=np.where(ok, t["value"] + half, t["ci_high"]))
    f = funnel_table(con, metric, level="team", date_from=date_from, date_to=date_to, channel=channel,
                     eval_type=eval_type)
    out = t[["level_key", "value", "n", "ci_low", "ci_high"]].merge(
        f[["level_key", "target", "assessment", "p_adjusted", "comparisons", "test"]], on="level_key", how="left")
    out = _better_first(out, m.higher_is_better)
    out["assessment"] = out["assessment"].fillna("as expected")
    out["comparisons"] = out["comparisons"].fillna(0).astype("int64")
    return out.rename(columns={"level_key": "team", "target": "center"})[cols]


def agent_funnel(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    team: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The agents of one team on one metric against the team's own value,
    with funnel limits at each agent's number of observations
    (:func:`qa_analytics.analytics.metrics.funnel_table` restricted to the team, so the
    target is the team's pooled value).

    Returns
    -------
    DataFrame, one row per agent with data, best first: ``agent_id``,
    ``agent_name``, ``value``, ``n``, ``target`` (the team's value), ``sd``
    (the team's SD, means), ``lo95``, ``hi95``, ``lo998``, ``hi998``,
    ``z``, ``assessment`` (``better`` / ``worse`` / ``as expected``, by the
    exact test after the false-discovery-rate correction), ``p_value``,
    ``p_adjusted``, ``comparisons``.
    """
    m = get_metric(metric)
    f = funnel_table(con, metric, level="agent", date_from=date_from, date_to=date_to, team=team,
                     channel=channel, eval_type=eval_type)
    cols = ["agent_id", "agent_name", "value", "n", "target", "sd", "lo95", "hi95", "lo998", "hi998", "z",
            "assessment", "p_value", "p_adjusted", "comparisons"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    names = _names(con, list(f["level_key"]))
    f = _better_first(f, m.higher_is_better)
    f["agent_name"] = f["level_key"].map(names)
    return f.rename(columns={"level_key": "agent_id"})[cols]


def funnel_curves(kind: str, target: float, sd: float | None, n_max: float, n_min: float = 1.0,
                  points: int = 80) -> pd.DataFrame:
    """The funnel's limit curves from ``n_min`` (at least 1, 2 for means) to
    ``n_max``, for drawing behind :func:`agent_funnel`'s points.

    Returns
    -------
    DataFrame with ``n`` (float, log-spaced, increasing; whole numbers for
    rates) and ``lo95``,
    ``hi95``, ``lo998``, ``hi998`` (:func:`qa_analytics.analytics.metrics.funnel_limits`).
    """
    start = max(float(n_min), 2.0 if kind == "mean" else 1.0)
    n = np.geomspace(start, max(float(n_max), start + 1.0), points)
    # exact binomial limits exist at whole numbers of trials only
    n = np.unique(np.round(n) if kind == "rate" else np.round(n, 2))
    out = pd.DataFrame({"n": n})
    for cov, tag in ((0.95, "95"), (0.998, "998")):
        lo, hi = funnel_limits(kind, target, n, sd=sd, coverage=cov)
        out["lo" + tag], out["hi" + tag] = lo, hi
    return out


def trend(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    grain: str = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    eval_type: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """One metric per period for the unit and the unit one level up, to draw
    them side by side: an agent (within ``team`` when given) against the
    team (or the center when no team is given), a team against the center;
    the center alone when neither is given.

    Returns
    -------
    DataFrame sorted by series (the unit first) and period: ``series``
    (``unit``, ``team`` or ``center``: which line), ``period`` (datetime64,
    first day), ``value``, ``n``, ``ci_low``, ``ci_high``.
    """
    kw = dict(grain=grain, level="center", date_from=date_from, date_to=date_to, channel=channel,
              eval_type=eval_type)
    parts = [metric_table(con, [metric], team=team, agent=agent, **kw).assign(series="unit")]
    if agent is not None and team is not None:
        parts.append(metric_table(con, [metric], team=team, **kw).assign(series="team"))
    elif agent is not None or team is not None:
        parts.append(metric_table(con, [metric], **kw).assign(series="center"))
    out = pd.concat(parts, ignore_index=True)
    order = {"unit": 0, "team": 1, "center": 2}
    out = out.assign(_o=out["series"].map(order)).sort_values(["_o", "period"], ignore_index=True)
    return out[["series", "period", "value", "n", "ci_low", "ci_high"]]


# --------------------------------------------------------------------------
# scores and deductions
# --------------------------------------------------------------------------


def score_distribution(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    bin_width: float = 5.0,
) -> pd.DataFrame:
    """Histogram of the evaluations' total scores, in bins of ``bin_width``
    points: ``[0, w), [w, 2w), ...``; the last bin is closed (a score of 100
    counts in ``[95, 100]``).  Scores above 100 join the last bin, below 0
    the first.  Every bin from 0 to 100 is listed, empty ones with 0.

    Returns
    -------
    DataFrame, one row per bin in score order: ``bin_start``, ``bin_end``
    (float), ``count`` (int), ``share`` (count / all evaluations; 0 when none).
    """
    if bin_width <= 0:
        raise ValueError("bin_width must be positive")
    head, params = _ev_cte(date_from, date_to, team, agent, channel)
    nbins = int(np.ceil(100.0 / bin_width))
    rows = con.execute(
        f"{head}SELECT least(greatest(CAST(floor(total_score / ?) AS INTEGER), 0), ?) AS b, count(*) "
        "FROM ev WHERE total_score IS NOT NULL GROUP BY b",
        params + [bin_width, nbins - 1],
    ).fetchall()
    counts = dict(rows)
    starts = np.arange(nbins) * bin_width
    out = pd.DataFrame({
        "bin_start": starts.astype(float),
        "bin_end": np.minimum(starts + bin_width, 100.0).astype(float),
        "count": [int(counts.get(b, 0)) for b in range(nbins)],
    })
    total = out["count"].sum()
    out["share"] = out["count"] / total if total else 0.0
    return out


def item_pareto(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The deduction items by the points they cost, for a Pareto chart.

    Points lost on an item are the negative item points (a deduction of 5 is
    stored as -5; positive points are not losses); not-applicable items
    (NULL points) lose nothing and do not count as applicable.  Items that
    never lost a point in the selection are left out.

    Returns
    -------
    DataFrame, most points lost first (ties by item name): ``item``,
    ``item_group``, ``points_lost`` (sum), ``evaluations_with_loss``,
    ``evaluations_applicable`` (item scored, not N/A), ``loss_rate``
    (with_loss / applicable), ``share`` (of all points lost),
    ``cumulative_share``.
    """
    head, params = _ev_cte(date_from, date_to, team, agent, channel)
    df = con.execute(
        f"{head}SELECT i.item, any_value(i.item_group) AS item_group, "
        "sum(CASE WHEN i.points < 0 THEN -i.points ELSE 0.0 END) AS points_lost, "
        "count(*) FILTER (WHERE i.points < 0) AS evaluations_with_loss, "
        "count(i.points) AS evaluations_applicable "
        "FROM monitoring_item i JOIN ev ON i.record_key = ev.record_key GROUP BY i.item",
        params,
    ).df()
    cols = ["item", "item_group", "points_lost", "evaluations_with_loss", "evaluations_applicable", "loss_rate",
            "share", "cumulative_share"]
    df = df[df["points_lost"] > 0]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.sort_values(["points_lost", "item"], ascending=[False, True], ignore_index=True)
    df["points_lost"] = df["points_lost"].astype(float)
    for c in ("evaluations_with_loss", "evaluations_applicable"):
        df[c] = df[c].astype("int64")
    df["loss_rate"] = df["evaluations_with_loss"] / df["evaluations_applicable"]
    total = df["points_lost"].sum()
    df["share"] = df["points_lost"] / total
    df["cumulative_share"] = df["points_lost"].cumsum() / total
    return df[cols]


# --------------------------------------------------------------------------
# lists
# --------------------------------------------------------------------------

_LIST_COLUMNS = ["record_key", "eval_id", "eval_date", "eval_time", "agent_id", "agent_name", "team", "evaluator",
                 "channel", "total_score", "critical_error", "appeal_status", "revisions"]


def evaluations(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> pd.DataFrame:
    """The evaluations matching the restriction, newest first (date, then
    time, then key), ``limit`` rows from ``offset`` (see
    :func:`evaluation_count` for the total).

    Returns
    -------
    DataFrame: ``record_key``, ``eval_id``, ``eval_date`` (date), ``eval_time``
    (datetime, may be NaT), ``agent_id``, ``agent_name``, ``team``
    (resolved), ``evaluator``, ``channel`` (NULL shown as ``voice``),
    ``total_score``, ``critical_error``, ``appeal_status``, ``revisions``
    (how many earlier versions a later import replaced; 0 = never revised).
    """
    head, params = _ev_cte(date_from, date_to, team, agent, channel)
    df = con.execute(
        f"{head}, page AS (SELECT * FROM ev ORDER BY eval_date DESC, eval_time DESC NULLS LAST, record_key "
        "LIMIT ? OFFSET ?) "
        "SELECT p.record_key, p.eval_id, p.eval_date, p.eval_time, p.agent_id, p.agent_name, p.team, "
        "p.evaluator, COALESCE(p.channel, 'voice') AS channel, p.total_score, p.critical_error, "
        "p.appeal_status, COALESCE(h.revisions, 0) AS revisions "
        "FROM page p LEFT JOIN (SELECT record_key, count(*) AS revisions FROM monitoring_history "
        "WHERE record_key IN (SELECT record_key FROM page) GROUP BY record_key) h USING (record_key) "
        "ORDER BY p.eval_date DESC, p.eval_time DESC NULLS LAST, p.record_key",
        params + [int(limit), int(offset)],
    ).df()
    df["eval_date"] = pd.to_datetime(df["eval_date"]).dt.date
    df["revisions"] = df["revisions"].astype("int64")
    return df[_LIST_COLUMNS]


def evaluation_count(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | Sequence[str] | None = None,
) -> int:
    """How many evaluations match the restriction (the length of the list)."""
    head, params = _ev_cte(date_from, date_to, team, agent, channel)
    return int(con.execute(f"{head}SELECT count(*) FROM ev", params).fetchone()[0])


def agents(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team: str | None = None,
    channel: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The agents with evaluations matching the restriction (their
    evaluations in ``team`` only, when given).

    Returns
    -------
    DataFrame sorted by name then id: ``agent_id``, ``agent_name`` (the
    latest known), ``evaluations`` (int), ``mean_score``, ``last_eval_date``.
    """
    head, params = _ev_cte(date_from, date_to, team, None, channel)
    df = con.execute(
        f"{head}SELECT agent_id, arg_max(agent_name, eval_date) AS agent_name, count(*) AS evaluations, "
        "avg(total_score) AS mean_score, max(eval_date) AS last_eval_date FROM ev "
        "WHERE agent_id IS NOT NULL GROUP BY agent_id ORDER BY agent_name NULLS LAST, agent_id",
        params,
    ).df()
    df["evaluations"] = df["evaluations"].astype("int64")
    df["last_eval_date"] = pd.to_datetime(df["last_eval_date"]).dt.date
    return df


def agent_info(
    con: duckdb.DuckDBPyConnection,
    agent_id: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any] | None:
    """Who an agent is: ``{"agent_id", "agent_name", "team", "evaluations"}``.

    ``team`` is the team of the agent's latest evaluation in the period (the
    team resolved as everywhere here), else the roster's current team;
    ``evaluations`` counts the period's evaluations.  ``None`` when the
    agent is neither in the evaluations nor in the roster.
    """
    head, params = _ev_cte(date_from, date_to, None, agent_id, None)
    row = con.execute(
        f"{head}SELECT arg_max(agent_name, eval_date), arg_max(team, eval_date), count(*) FROM ev",
        params,
    ).fetchone()
    roster = con.execute(
        "SELECT arg_max(agent_name, valid_from), arg_max(team, valid_from) FROM roster_timeline WHERE agent_id = ?",
        [str(agent_id)],
    ).fetchone()
    n = int(row[2]) if row else 0
    if n == 0 and (roster is None or (roster[0] is None and roster[1] is None)):
        exists = con.execute("SELECT count(*) FROM monitoring WHERE agent_id = ?", [str(agent_id)]).fetchone()[0]
        if not exists:
            return None
    name = (row[0] if n else None) or (roster[0] if roster else None)
    team = (row[1] if n else None) or (roster[1] if roster else None)
    return {"agent_id": str(agent_id), "agent_name": name, "team": team, "evaluations": n}


# --------------------------------------------------------------------------
# one evaluation
# --------------------------------------------------------------------------


def _names(con: duckdb.DuckDBPyConnection, agent_ids: list[str]) -> dict[str, str | None]:
    """Latest known name per agent id (roster first, else the evaluations)."""
    if not agent_ids:
        return {}
    rows = con.execute(
        "SELECT agent_id, COALESCE(arg_max(r_name, d) FILTER (WHERE r_name IS NOT NULL), "
        "arg_max(m_name, d) FILTER (WHERE m_name IS NOT NULL)) FROM ("
        "SELECT agent_id, agent_name AS r_name, NULL AS m_name, valid_from AS d FROM roster_timeline "
        "WHERE list_contains(?::VARCHAR[], agent_id) UNION ALL "
        "SELECT agent_id, NULL, agent_name, eval_date FROM monitoring "
        "WHERE list_contains(?::VARCHAR[], agent_id) AND agent_name IS NOT NULL) GROUP BY agent_id",
        [agent_ids, agent_ids],
    ).fetchall()
    return {str(a): n for a, n in rows}


def _items_text(before: pd.DataFrame, after: pd.DataFrame) -> str:
    """``item: -5 → 0; item2: — → -2`` for the items whose points differ
    (``—`` = not applicable or absent)."""
    b = dict(zip(before["item"], before["points"]))
    a = dict(zip(after["item"], after["points"]))

    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "—"
        return f"{v:g}"

    parts = []
    for item in sorted(set(b) | set(a)):
        vb, va = b.get(item), a.get(item)
        if fmt(vb) != fmt(va):
            parts.append(f"{item}: {fmt(vb)} → {fmt(va)}")
    return "; ".join(parts)


def evaluation_detail(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any] | None:
    """One evaluation, its items and its revision history.

    ``key`` is the ``record_key`` (e.g. ``id:QM2026...``) or the export's
    ``eval_id``.  ``None`` when no current evaluation has it (an undo may
    have removed it).

    Returns ``{"record": dict, "items": DataFrame, "history": DataFrame}``:

    * ``record``: every column of ``monitoring`` with ``team`` and
      ``agent_name`` resolved, ``channel`` NULL as ``voice``, plus
      ``batch_file`` and ``batch_imported_at`` (the import that wrote this
      version) and ``revisions`` (len of history);
    * ``items``: ``item``, ``item_group``, ``points`` (NaN = not
      applicable), ``points_lost`` (``-points`` for deductions, else 0),
      ``not_applicable`` (bool), ``raw_value``; in group then item order;
    * ``history``: one row per replaced version, oldest first:
      ``version`` (1 = the first import), ``batch_id`` (the import that wrote
      it), ``batch_file``, ``replaced_by`` (the batch that replaced it),
      ``replaced_by_file``, ``replaced_at``, ``score_before``,
      ``score_after`` (the next version's score), ``critical_before``,
      ``critical_after``, ``appeal_before``, ``appeal_after``,
      ``items_changed`` (``item: before → after; ...``, ``—`` = N/A).
    """
    rk = con.execute("SELECT record_key FROM monitoring WHERE record_key = ?", [str(key)]).fetchone()
    if rk is None:
        rk = con.execute(
            "SELECT record_key FROM monitoring WHERE eval_id = ? ORDER BY eval_date DESC, record_key LIMIT 1",
            [str(key)],
        ).fetchone()
    if rk is None:
        return None
    record_key = rk[0]
    rec_df = con.execute(
        f"WITH {_ROSTER_IV} SELECT r.* EXCLUDE (team, agent_name, channel), COALESCE(r.team, v.team) AS team, "
        "COALESCE(r.agent_name, v.agent_name) AS agent_name, COALESCE(r.channel, 'voice') AS channel, "
        "b.file_name AS batch_file, b.imported_at AS batch_imported_at "
        "FROM monitoring r LEFT JOIN roster_iv v ON v.agent_id = r.agent_id AND r.eval_date >= v.valid_from "
        "AND r.eval_date < v.valid_to LEFT JOIN import_batch b ON b.batch_id = r.batch_id "
        "WHERE r.record_key = ?",
        [record_key],
    ).df()
    record = {k: (None if _isna(v) else v) for k, v in rec_df.iloc[0].to_dict().items()}
    if record.get("eval_date") is not None:
        record["eval_date"] = pd.Timestamp(record["eval_date"]).date()
    items = con.execute(
        "SELECT item, item_group, points, raw_value FROM monitoring_item WHERE record_key = ? "
        "ORDER BY item_group NULLS LAST, item",
        [record_key],
    ).df()
    items["points"] = items["points"].astype(float)
    items["points_lost"] = np.where(items["points"] < 0, -items["points"], 0.0)
    items["not_applicable"] = items["points"].isna()
    items = items[["item", "item_group", "points", "points_lost", "not_applicable", "raw_value"]]

    hist = con.execute(
        "SELECT h.batch_id, b.file_name AS batch_file, h.superseded_by AS replaced_by, "
        "s.file_name AS replaced_by_file, h.superseded_at AS replaced_at, h.total_score, h.critical_error, "
        "h.appeal_status FROM monitoring_history h "
        "LEFT JOIN import_batch b ON b.batch_id = h.batch_id "
        "LEFT JOIN import_batch s ON s.batch_id = h.superseded_by "
        "WHERE h.record_key = ? ORDER BY h.superseded_at, h.superseded_by",
        [record_key],
    ).df()
    old_items = con.execute(
        "SELECT superseded_by, item, points FROM monitoring_item_history WHERE record_key = ?", [record_key]
    ).df()
    hcols = ["version", "batch_id", "batch_file", "replaced_by", "replaced_by_file", "replaced_at",
             "score_before", "score_after", "critical_before", "critical_after", "appeal_before", "appeal_after",
             "items_changed"]
    rows = []
    for i, h in enumerate(hist.itertuples(index=False)):
        if i + 1 < len(hist):
            nxt = hist.iloc[i + 1]
            after_score, after_crit, after_appeal = nxt["total_score"], nxt["critical_error"], nxt["appeal_status"]
            after_items = old_items[old_items["superseded_by"] == nxt["replaced_by"]]
        else:
            after_score, after_crit, after_appeal = (record.get("total_score"), record.get("critical_error"),
                                                     record.get("appeal_status"))
            after_items = items
        before_items = old_items[old_items["superseded_by"] == h.replaced_by]
        rows.append({
            "version": i + 1, "batch_id": int(h.batch_id), "batch_file": h.batch_file,
            "replaced_by": int(h.replaced_by), "replaced_by_file": h.replaced_by_file,
            "replaced_at": h.replaced_at, "score_before": h.total_score, "score_after": after_score,
            "critical_before": None if _isna(h.critical_error) else bool(h.critical_error),
            "critical_after": None if _isna(after_crit) else bool(after_crit),
            "appeal_before": None if _isna(h.appeal_status) else h.appeal_status,
            "appeal_after": None if _isna(after_appeal) else after_appeal,
            "items_changed": _items_text(before_items, after_items),
        })
    history = pd.DataFrame(rows, columns=hcols)
    record["revisions"] = len(history)
    return {"record": record, "items": items, "history": history}


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------
# drill state
# --------------------------------------------------------------------------


def drill_level(team: str | None, agent: str | None, evaluation: str | None) -> str:
    """The level a drill state shows: the deepest one set."""
    if evaluation:
        return "evaluation"
    if agent:
        return "agent"
    if team:
        return "team"
    return "center"


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    try:
        return obj[name]
    except (KeyError, TypeError, IndexError):
        return getattr(obj, name, None)


def drill_state_from_event(level: str, event: Any, keys: Sequence[str] | None = None) -> dict[str, str] | None:
    """The drill step a click asks for, or ``None`` (nothing usable selected).

    ``event`` is what ``st.plotly_chart(..., on_select="rerun")`` or
    ``st.dataframe(..., on_select="rerun")`` returned (an attribute
    dictionary) or a plain dict of the same shape:
    ``{"selection": {"points": [{"x", "y", "customdata", "point_index", ...}]}}``
    or ``{"selection": {"rows": [i]}}``.

    * ``level="center"`` (the teams' bars): ``{"team": name}``, from the
      first point's ``customdata[0]`` when set, else its ``y`` or ``x``
      (whichever is text: the bar's category);
    * ``level="team"`` (the agents' points): ``{"agent": agent_id}`` from
      ``customdata[0]`` (points without it, e.g. funnel limit lines, are
      skipped);
    * ``level="evaluations"`` (a row of an evaluation list):
      ``{"evaluation": keys[row]}`` for the first selected row.
    """
    selection = _get(event, "selection")
    if selection is None:
        return None
    if level == "evaluations":
        rows = _get(selection, "rows") or []
        if not rows or keys is None:
            return None
        i = int(rows[0])
        return {"evaluation": str(keys[i])} if 0 <= i < len(keys) else None
    target = {"center": "team", "team": "agent"}.get(level)
    if target is None:
        raise ValueError(f"level must be 'center', 'team' or 'evaluations', not {level!r}")
    for p in _get(selection, "points") or []:
        custom = _get(p, "customdata")
        if isinstance(custom, (list, tuple)) and custom and custom[0] not in (None, ""):
            return {target: str(custom[0])}
        if isinstance(custom, str) and custom:
            return {target: custom}
        if level == "center":
            for axis in ("y", "x"):
                v = _get(p, axis)
                if isinstance(v, str) and v:
                    return {target: v}
    return None
