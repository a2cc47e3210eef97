"""Rollups: pre-aggregated copies of the records, kept in step by every write.

Why: the dashboard's metric queries at a province's scale (a million
evaluations, ten million surveys) resolve each record's team through the
roster and pivot the QA items; done on every query that is most of their
cost, and done once per data change by the dashboard it made the first
page visit after a start or an import take ten seconds.  So the store keeps
three plain tables beside the records, maintained by the importer and undo
*in the same transaction* as the rows they summarise: a restart finds them
ready, an import updates only what it touched, and a rolled-back import
leaves them exactly as they were.

* ``rollup_monitoring``: one row per evaluation with its team resolved and
  one column of points per QA item (``i<k>``; ``rollup_items`` names them),
  sorted by team, agent and date when rebuilt so unit filters skip most of it;
* ``rollup_call_test``: one row per call test, team resolved;
* ``rollup_survey``: per day x team x agent x channel, the sufficient
  statistics of every survey metric (counts, sums and sums of squares).

Team resolution is the ``*_v`` views' rule: the record's own team, else
the roster's team in force on the record's date.  A roster import changes
it for its agents, so their rows are recomputed.  Plain tables (no temp
objects, no connection state), so another engine can read them too.

A write that bypasses the store (a test inserting rows by hand) leaves the
rollups behind the tables; :func:`is_fresh` compares the stamp kept at the
last refresh (data version and row counts) with the store's, and readers
fall back to the tables when it differs.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

__all__ = ["TABLES", "ROW_COLUMNS", "SURVEY_STATS", "ddl_statements", "rebuild", "refresh_records",
           "refresh_agents", "touched_survey_groups", "item_columns", "is_fresh", "in_step", "stamp", "write_stamp"]

TABLES: dict[str, str] = {"monitoring": "rollup_monitoring", "call_test": "rollup_call_test", "survey": "rollup_survey"}
#: The raw columns a row rollup keeps: those the metric SQL and the filters read.
ROW_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "monitoring": (("eval_date", "DATE"), ("agent_id", "VARCHAR"), ("channel", "VARCHAR"),
                   ("total_score", "DOUBLE"), ("critical_error", "BOOLEAN")),
    "call_test": (("test_date", "DATE"), ("agent_id", "VARCHAR"), ("channel", "VARCHAR"),
                  ("tester_type", "VARCHAR"), ("is_external", "BOOLEAN"), ("score", "DOUBLE"),
                  ("passed", "BOOLEAN")),
}
_DATE = {"monitoring": "eval_date", "call_test": "test_date", "survey": "survey_date"}
#: The survey rollup's statistics: name -> aggregate over the day's surveys.
SURVEY_STATS: dict[str, str] = {
    "n_rows": "count(*)",
    "n_rated": "count(satisfaction)",
    "n_satisfied": "count(*) FILTER (WHERE satisfaction = 'satisfied')",
    "n_neutral": "count(*) FILTER (WHERE satisfaction = 'neutral')",
    "n_dissatisfied": "count(*) FILTER (WHERE satisfaction = 'dissatisfied')",
    "n_score": "count(rating_score)",
    "sum_score": "sum(rating_score)",
    "sumsq_score": "sum(rating_score * rating_score)",
}
_STAMP_TABLES = ("monitoring", "monitoring_item", "survey", "call_test", "roster", "roster_history")
_ROSTER_IV = "roster_iv AS (SELECT agent_id, team, agent_name, valid_from, valid_to FROM roster_intervals)"


def ddl_statements() -> list[str]:
    """The rollup tables (created empty; :func:`rebuild` fills them)."""
    stmts = []
    for kind in ("monitoring", "call_test"):
        cols = ", ".join(f"{c} {t}" for c, t in ROW_COLUMNS[kind])
        stmts.append(f"CREATE TABLE IF NOT EXISTS {TABLES[kind]} (record_key VARCHAR, {cols}, team VARCHAR)")
    stats = ", ".join(f"{name} {'DOUBLE' if name.startswith('sum') else 'BIGINT'}" for name in SURVEY_STATS)
    stmts.append(f"CREATE TABLE IF NOT EXISTS {TABLES['survey']} (survey_date DATE, team VARCHAR, agent_id VARCHAR, "
                 f"channel VARCHAR, {stats})")
    stmts.append("CREATE TABLE IF NOT EXISTS rollup_items (item VARCHAR PRIMARY KEY, col INTEGER NOT NULL)")
    return stmts


def item_columns(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """QA item name -> its column number ``i<k>`` in ``rollup_monitoring``."""
    return dict(con.execute("SELECT item, col FROM rollup_items ORDER BY col").fetchall())


def _add_item_columns(con: duckdb.DuckDBPyConnection, keys_sql: str | None, params: list[Any],
                      names: list[str] | None = None) -> dict[str, int]:
    """Give every item of the given records (all records: None), or the
    ``names`` given, a column."""
    have = item_columns(con)
    if names is None:
        where = f"WHERE record_key IN ({keys_sql})" if keys_sql else ""
        names = [r[0] for r in con.execute(f"SELECT DISTINCT item FROM monitoring_item {where} ORDER BY item",
                                           params).fetchall()]
    nxt = max(have.values(), default=-1) + 1
    for name in names:
        if name not in have:
            con.execute(f"ALTER TABLE {TABLES['monitoring']} ADD COLUMN IF NOT EXISTS i{nxt} DOUBLE")
            con.execute("INSERT INTO rollup_items VALUES (?, ?)", [name, nxt])
            have[name] = nxt
            nxt += 1
    return have


def _resolved(kind: str, where: str) -> str:
    """The rows of ``kind`` matching ``where`` (alias r) with their team resolved."""
    cols = ", ".join(f"r.{c}" for c, _ in ROW_COLUMNS[kind]) + ", r.record_key"
    date = _DATE[kind]
    return (f"SELECT {cols}, r.team FROM {kind} r WHERE r.team IS NOT NULL AND ({where}) UNION ALL "
            f"SELECT {cols}, v.team FROM {kind} r LEFT JOIN roster_iv v ON r.agent_id = v.agent_id "
            f"AND r.{date} >= v.valid_from AND r.{date} < v.valid_to WHERE r.team IS NULL AND ({where})")


def _insert_rows(con: duckdb.DuckDBPyConnection, kind: str, where: str, params: list[Any],
                 order: bool = False) -> None:
    rows = _resolved(kind, where)
    order_by = f" ORDER BY u.team, u.agent_id, u.{_DATE[kind]}" if order else ""
    if kind == "monitoring":
        cols = _add_item_columns(con, None if where == "true" else f"SELECT record_key FROM monitoring r WHERE {where}",
                                 params)
        if cols:
            piv = ", ".join(f"max(points) FILTER (WHERE item = ?) AS i{k}" for k in cols.values())
            item_where = "" if where == "true" else f"WHERE record_key IN (SELECT record_key FROM monitoring r WHERE {where})"
            con.execute(
                f"""INSERT INTO {TABLES[kind]} BY NAME
                    WITH {_ROSTER_IV}, u AS ({rows}),
                    it AS (SELECT record_key, {piv} FROM monitoring_item {item_where} GROUP BY record_key)
                    SELECT u.*, it.* EXCLUDE (record_key) FROM u LEFT JOIN it ON u.record_key = it.record_key
                    {order_by}""",
                params * 2 + list(cols) + (params if item_where else []),
            )
            return
    con.execute(f"INSERT INTO {TABLES[kind]} BY NAME WITH {_ROSTER_IV}, u AS ({rows}) SELECT u.* FROM u{order_by}",
                params * 2)


def _insert_survey(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], order: bool = False) -> None:
    stats = ", ".join(f"{agg} AS {name}" for name, agg in SURVEY_STATS.items())
    cols = "r.survey_date, r.agent_id, r.channel, r.satisfaction, r.rating_score"
    rows = (f"SELECT {cols}, r.team FROM survey r WHERE r.team IS NOT NULL AND ({where}) UNION ALL "
            f"SELECT {cols}, v.team FROM survey r LEFT JOIN roster_iv v ON r.agent_id = v.agent_id "
            f"AND r.survey_date >= v.valid_from AND r.survey_date < v.valid_to WHERE r.team IS NULL AND ({where})")
    order_by = " ORDER BY team, agent_id, survey_date" if order else ""
    con.execute(
        f"""INSERT INTO {TABLES['survey']} BY NAME
            WITH {_ROSTER_IV}, u AS ({rows})
            SELECT survey_date, team, agent_id, channel, {stats} FROM u GROUP BY ALL{order_by}""",
        params * 2,
    )


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every rollup from the records (a migration, a bulk load),
    sorted for fast unit filters.  Runs in the caller's transaction."""
    for table in TABLES.values():
        con.execute(f"DELETE FROM {table}")
    _insert_rows(con, "monitoring", "true", [], order=True)
    _insert_rows(con, "call_test", "true", [], order=True)
    _insert_survey(con, "true", [], order=True)
    write_stamp(con)


def touched_survey_groups(con: duckdb.DuckDBPyConnection, keys_sql: str, params: list[Any]) -> None:
    """Remember, before a write changes them, the (day, agent) groups of the
    surveys ``keys_sql`` selects (current and replaced versions) in the temp
    table ``rollup_touched``: their aggregates must be recomputed after it."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rollup_touched AS
            SELECT DISTINCT survey_date, agent_id FROM (
                SELECT survey_date, agent_id FROM survey WHERE record_key IN ({keys_sql})
                UNION ALL SELECT survey_date, agent_id FROM survey_history WHERE record_key IN ({keys_sql}))""",
        params * 2,
    )


def refresh_records(con: duckdb.DuckDBPyConnection, kind: str, keys_sql: str | None, params: list[Any],
                    wide_items: tuple[str, dict[str, str]] | None = None) -> None:
    """Bring the rollup of ``kind`` up to date for the records whose keys
    ``keys_sql`` selects (written, replaced or removed by this transaction).

    For surveys, :func:`touched_survey_groups` must have run before the
    write (a removed survey leaves nothing behind to say which day it was
    on); the groups of the records as they are now are added here.
    ``wide_items`` (a relation with ``record_key`` and one column of points
    per item, and item name -> column) lets an import hand over its items
    as it staged them, one column each, instead of pivoting them back from
    ``monitoring_item`` (half the cost of an import's rollup refresh); with
    it, ``keys_sql`` None means every row of that relation, all of them new.
    """
    if kind == "monitoring" and wide_items is not None:
        rel, points = wide_items
        if keys_sql is not None:
            con.execute(f"DELETE FROM {TABLES[kind]} WHERE record_key IN ({keys_sql})", params)
        cols = _add_item_columns(con, None, [], names=sorted(points))
        # The staged rows are the versions just stored: read them, not the table.
        own = ", ".join(f"s.{c}" for c, _ in ROW_COLUMNS[kind])
        picks = "".join(f", s.{points[name]} AS i{cols[name]}" for name in points)
        con.execute(
            f"""INSERT INTO {TABLES[kind]} BY NAME
                WITH {_ROSTER_IV}
                SELECT s.record_key, {own}, COALESCE(s.team, v.team) AS team{picks}
                FROM {rel} s LEFT JOIN roster_iv v
                  ON s.team IS NULL AND s.agent_id = v.agent_id AND s.eval_date >= v.valid_from
                 AND s.eval_date < v.valid_to
                {"" if keys_sql is None else f"WHERE s.record_key IN ({keys_sql})"}""",
            params,
        )
        return
    if keys_sql is None:
        raise ValueError("keys_sql is required without wide_items")
    if kind in ("monitoring", "call_test"):
        con.execute(f"DELETE FROM {TABLES[kind]} WHERE record_key IN ({keys_sql})", params)
        _insert_rows(con, kind, f"r.record_key IN ({keys_sql})", params)
    elif kind == "survey":
        con.execute(
            f"""INSERT INTO rollup_touched SELECT DISTINCT survey_date, agent_id FROM survey
                WHERE record_key IN ({keys_sql})""", params)
        _refresh_survey_groups(con)
    elif kind == "roster":
        raise ValueError("a roster changes agents: use refresh_agents")


def _refresh_survey_groups(con: duckdb.DuckDBPyConnection) -> None:
    match = ("EXISTS (SELECT 1 FROM rollup_touched g WHERE g.survey_date = {a}.survey_date "
             "AND g.agent_id IS NOT DISTINCT FROM {a}.agent_id)")
    con.execute(f"DELETE FROM {TABLES['survey']} s WHERE {match.format(a='s')}")
    _insert_survey(con, match.format(a="r"), [])
    con.execute("DROP TABLE IF EXISTS temp.rollup_touched")


def refresh_agents(con: duckdb.DuckDBPyConnection, agents_sql: str, params: list[Any]) -> None:
    """Recompute every rollup row of the agents ``agents_sql`` selects: a
    roster write moved them between teams, or back."""
    for kind in ("monitoring", "call_test"):
        con.execute(f"DELETE FROM {TABLES[kind]} WHERE agent_id IN ({agents_sql})", params)
        _insert_rows(con, kind, f"r.agent_id IN ({agents_sql})", params)
    con.execute(f"DELETE FROM {TABLES['survey']} WHERE agent_id IN ({agents_sql})", params)
    _insert_survey(con, f"r.agent_id IN ({agents_sql})", params)


def stamp(con: duckdb.DuckDBPyConnection) -> list[Any]:
    """What the rollups must have been built from: the data version and the row counts."""
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in _STAMP_TABLES)
    row = con.execute(f"SELECT (SELECT max(value) FROM meta WHERE key = 'data_version'), {counts}").fetchone()
    return [None if v is None else str(v) for v in row]


def write_stamp(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the rollups match the store as it is now (after the write)."""
    con.execute("INSERT INTO meta VALUES ('rollup_stamp', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                [json.dumps(stamp(con))])


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the rollups match the store (no write bypassed the store)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'rollup_stamp'").fetchone()
    return row is not None and json.loads(row[0]) == stamp(con)


def in_step(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a write may update the rollups incrementally: they are fresh,
    or nothing has been stored yet (empty rollups summarise an empty store)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'rollup_stamp'").fetchone()
    current = stamp(con)
    if row is not None:
        return json.loads(row[0]) == current
    return all(v in (None, "0") for v in current[1:]) and not any(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES.values())
