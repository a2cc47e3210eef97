"""DuckDB storage: connection, schema, the transactional merge, undo, queries.

Why the merge looks like it does: analysts export overlapping date ranges and
re-export evaluations after an appeal, so every import is a *merge* keyed on
``record_key``: unseen keys are inserted, keys whose ``row_hash`` is unchanged
are counted as duplicates and left alone, and keys whose values changed are
updated with the previous version moved to ``<kind>_history``.  That history
is also what lets :func:`undo_batch` put back exactly what a batch replaced.

Concurrency: a DuckDB connection must not be shared across threads; callers
that serve several threads call :func:`connect` once per thread (connections
to one file share one DuckDB instance; a ``cursor()`` would start outside the
store's file, see :func:`_open`).  Only one writer at a time: every write
runs inside one transaction.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import getpass
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..core.codes import Problem, define
from . import rollups
from .schema import KINDS, SCHEMA_VERSION, ddl_statements, migration_steps, table_columns

if TYPE_CHECKING:  # pandas costs 0.3 s to import; the import command never needs it
    import pandas as pd

__all__ = [
    "Connection",
    "MergeCounts",
    "UndoError",
    "default_db_path",
    "connect",
    "init_schema",
    "new_batch",
    "merge_staged",
    "classify_staged",
    "finish_batch",
    "undo_batch",
    "list_batches",
    "period_counts",
    "record_counts",
    "has_demo_data",
    "clear_demo_data",
    "data_version",
    "monthly_counts",
    "dimensions",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_db_path() -> Path:
    """``$QA_DB`` when set, else ``data/qa.duckdb`` in the project."""
    env = os.environ.get("QA_DB")
    return Path(env) if env else PROJECT_ROOT / "data" / "qa.duckdb"


def _lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("QA_LOCK_TIMEOUT", "30")))
    except ValueError:
        return 30.0


DB_BUSY = define(
    "db_busy",
    en="the database {path} is in use by another program (an import, or a dashboard that is not this "
       "product's) and was still busy after {seconds:g} s; try again when it has finished",
    zh="数据库 {path} 正被另一个程序占用（正在导入，或另一个程序打开了它），等待 {seconds:g} 秒后仍未释放；请稍后再试",
)
DB_UNUSABLE = define(
    "db_unusable",
    en="cannot open the database {path}: {reason}",
    zh="无法打开数据库 {path}：{reason}",
)
DB_TOO_NEW = define(
    "db_too_new",
    en="the database {path} was written by a newer version of this product (schema {found}, this version "
       "knows {known}); upgrade the product to open it",
    zh="数据库 {path} 由更新版本的本产品写入（结构版本 {found}，本版本为 {known}）；请升级后再打开",
)


class DatabaseBusy(Problem):
    """The database file stayed locked by another process past the bound."""


class DatabaseError(Problem):
    """The database file cannot be opened (corrupt, unreadable, too new)."""


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB's "another process holds this file" error."""
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


#: A connection to the store (what every library function takes first).
Connection = duckdb.DuckDBPyConnection


def connect(
    path: str | os.PathLike[str] | None = None,
    read_only: bool = False,
    timeout: float | None = None,
    check_schema: bool = True,
) -> Connection:
    """Open (creating if needed) the database and make sure the schema exists.

    DuckDB lets one process hold a file for writing.  When another process
    holds it, this waits its turn (up to ``timeout`` seconds, default
    ``$QA_LOCK_TIMEOUT`` or 30) and then raises :class:`DatabaseBusy`; any
    other failure to open is a :class:`DatabaseError`, never a raw DuckDB
    traceback.  ``check_schema=False`` skips the schema check for a file
    this process has already opened (the dashboard's per-thread connections).
    """
    db = Path(path) if path is not None else default_db_path()
    if str(db) != ":memory:":
        db.parent.mkdir(parents=True, exist_ok=True)
    wait = _lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    pause = 0.05
    while True:
        try:
            con = _open(db, read_only)
            break
        except duckdb.Error as exc:
            if is_lock_conflict(exc):
                left = deadline - time.monotonic()
                if left > 0:
                    time.sleep(min(pause, left))
                    pause = min(pause * 1.6, 1.0)
                    continue
                raise DatabaseBusy(DB_BUSY, path=str(db), seconds=wait) from None
            raise DatabaseError(DB_UNUSABLE, path=str(db), reason=_first_line(exc)) from None
    con.execute("SET enable_progress_bar = false")  # it writes to the terminal mid-import
    if not read_only and check_schema:
        try:
            init_schema(con, str(db))
        except BaseException:
            con.close()
            raise
    return con


#: Rows per row group of the store's file.  DuckDB writes a transaction's
#: rows to the file as it goes once they fill a row group (122,880 rows by
#: default); an import smaller than that goes through the write-ahead log
#: and a checkpoint at COMMIT instead, which costs more (measured, a
#: 100,000-row monitoring import: 0.61 s to store and commit with the
#: default, 0.47 s with 65,536, the file 8 % larger).  Smaller groups also
#: let a table of a few hundred thousand rows be scanned on both cores.
ROW_GROUP_SIZE = 65_536
#: The name the store's file is attached under, in every connection.
ALIAS = "qa"


def _open(db: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to ``db``, its file attached with :data:`ROW_GROUP_SIZE`.

    The row group size is an option of ``ATTACH``, not of ``connect``, so
    the file is attached to a named in-memory instance, one per file: every
    connection this process opens to the file shares that instance (its
    buffer cache, its writers' view of each other) as ``duckdb.connect(path)``
    would, and the last one closed detaches the file and lets it go.  A
    connection's default database is set per connection (``USE``); a
    ``cursor()`` starts in the instance's own, so threads take
    :func:`connect` each, not a cursor.  Read-only and in-memory stores open
    as before: they write nothing.
    """
    if read_only or str(db) == ":memory:":
        return duckdb.connect(str(db), read_only=read_only)
    import hashlib

    real = os.path.realpath(db)
    con = duckdb.connect(f":memory:qa-{hashlib.sha1(real.encode()).hexdigest()[:16]}")
    try:
        # The path is a literal (ATTACH takes no parameters): quotes doubled.
        con.execute(f"ATTACH IF NOT EXISTS '{real.replace(chr(39), chr(39) * 2)}' AS {ALIAS} "
                    f"(ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def init_schema(con: duckdb.DuckDBPyConnection, label: str = "") -> None:
    """Create what is missing and migrate an older database, version by version.

    A fresh database gets today's schema and version; a database written by
    an earlier release runs the numbered steps of :func:`schema.migration_steps`
    in one transaction (all of them or none), so it opens with nothing lost.
    """
    had_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta' AND schema_name = 'main' "
        "AND database_name = current_database()"
    ).fetchone()[0]
    found = SCHEMA_VERSION
    if had_meta:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = int(row[0]) if row else 1
    if found > SCHEMA_VERSION:
        raise DatabaseError(DB_TOO_NEW, path=label or "(database)", found=found, known=SCHEMA_VERSION)
    with transaction(con):
        for _version, statements in migration_steps(found):
            for stmt in statements:
                con.execute(stmt)
        # One call for the thirty statements: a call per statement cost twice as long.
        con.execute(";\n".join(ddl_statements() + rollups.ddl_statements()))
        if had_meta and found < SCHEMA_VERSION:
            rollups.rebuild(con)  # an older release kept none: build them once, here
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
            [str(SCHEMA_VERSION)],
        )
        con.execute("INSERT INTO meta VALUES ('data_version', '0') ON CONFLICT DO NOTHING")


# One writer at a time within this process (DuckDB's file lock already keeps
# other processes out): two dashboard sessions importing at once would
# otherwise both update ``meta`` and the second fail with "Conflict on update".
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _database_key(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return (row[0] if row and row[0] else ":memory:")


@contextlib.contextmanager
def write_lock(con: duckdb.DuckDBPyConnection, timeout: float | None = None) -> Iterator[None]:
    """Hold this process's writer lock for the connection's database file;
    waits its turn (``$QA_LOCK_TIMEOUT``) and then raises :class:`DatabaseBusy`."""
    key = _database_key(con)
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.setdefault(key, threading.RLock())
    wait = _lock_timeout() if timeout is None else timeout
    if not lock.acquire(timeout=wait):
        raise DatabaseBusy(DB_BUSY, path=key, seconds=wait)
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One write transaction under the writer lock: committed whole or rolled back."""
    with write_lock(con):
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter bumped by every write: the dashboard's cache key."""
    row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def bump_version(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the data as changed (inside the writer's transaction): every
    cached result keyed on :func:`data_version` is recomputed."""
    _bump_version(con)


def _bump_version(con: duckdb.DuckDBPyConnection) -> None:
    # Rollups that match the store before the bump (the write kept them in
    # step) still match after it: carry their stamp over to the new version.
    fresh = rollups.is_fresh(con)
    con.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'data_version'"
    )
    if fresh:
        rollups.write_stamp(con)


@dataclass
class MergeCounts:
    imported: int = 0
    updated: int = 0
    duplicate: int = 0
    stale: int = 0  # older than the stored version (by the source's own time): not applied


def new_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    file_name: str,
    kind: str,
    sha256: str | None,
    sheet: str | None = None,
    source: str = "import",
    mapping: dict[str, Any] | None = None,
    export_time: dt.datetime | None = None,
    saved_mapping_id: int | None = None,
    warnings: list[dict[str, Any]] | None = None,
) -> int:
    """Register a batch (inside the caller's transaction) and return its id."""
    batch_id = con.execute("SELECT nextval('batch_seq')").fetchone()[0]
    con.execute(
        """INSERT INTO import_batch (batch_id, file_name, sha256, kind, sheet, source,
               imported_at, imported_by, mapping, export_time, saved_mapping_id, warnings)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            batch_id,
            file_name,
            sha256,
            kind,
            sheet,
            source,
            dt.datetime.now(),
            current_user(),
            json.dumps(mapping, ensure_ascii=False) if mapping else None,
            export_time,
            saved_mapping_id,
            json.dumps(warnings, ensure_ascii=False, default=str) if warnings else None,
        ],
    )
    return int(batch_id)


_ACTING_USER: contextvars.ContextVar[str | None] = contextvars.ContextVar("qa_acting_user", default=None)


@contextlib.contextmanager
def acting_as(user: str | None) -> Iterator[None]:
    """Record writes in this thread as ``user``'s (a command handed over by
    another process, a logged-in dashboard user), not the server's OS account."""
    token = _ACTING_USER.set(user)
    try:
        yield
    finally:
        _ACTING_USER.reset(token)


def current_user() -> str:
    """Who is writing: the user acting in this thread, else ``$QA_USER``, else the OS account."""
    acting = _ACTING_USER.get()
    if acting:
        return acting
    try:
        return os.environ.get("QA_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"



def finish_batch(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    *,
    rows_read: int,
    counts: MergeCounts,
    rows_rejected: int,
    rejects_file: str | None = None,
) -> None:
    con.execute(
        """UPDATE import_batch SET rows_read = ?, rows_imported = ?, rows_updated = ?,
               rows_duplicate = ?, rows_rejected = ?, rejects_file = ?, rows_stale = ?
           WHERE batch_id = ?""",
        [rows_read, counts.imported, counts.updated, counts.duplicate, rows_rejected, rejects_file, counts.stale,
         batch_id],
    )
    _bump_version(con)


def _cols(kind: str) -> list[str]:
    """Stored columns of a kind's table, in table order."""
    return [r[0] for r in duckdb_columns(kind)]


_COLUMN_CACHE: dict[str, list[tuple[str, str]]] = {}


def duckdb_columns(kind: str) -> list[tuple[str, str]]:
    """(name, type) of a kind's table (or of any table or view of the schema,
    derived from the DDL once per process)."""
    if kind in KINDS:
        return table_columns(kind)
    if kind not in _COLUMN_CACHE:
        con = duckdb.connect(":memory:")
        init_schema(con)
        _COLUMN_CACHE[kind] = [
            (r[0], r[1])
            for r in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [kind],
            ).fetchall()
        ]
        con.close()
    return _COLUMN_CACHE[kind]


# How a staged row relates to the stored one.  'stale': the staged version is
# older than the stored one by the source's own time (the record's
# modification time, else the export's), so it must not win.
_CLASSIFY = """CASE WHEN t.record_key IS NULL THEN 'new'
                    WHEN t.row_hash = s.row_hash THEN 'same'
                    WHEN s.source_time < t.source_time THEN 'stale'
                    ELSE 'changed' END"""


def _counts(rows: list[tuple[str, int]]) -> MergeCounts:
    c = dict(rows)
    return MergeCounts(imported=int(c.get("new", 0)), updated=int(c.get("changed", 0)),
                       duplicate=int(c.get("same", 0)), stale=int(c.get("stale", 0)))


def classify_staged(con: duckdb.DuckDBPyConnection, kind: str, staged: str = "staged") -> MergeCounts:
    """What a merge of ``staged`` would do (new / changed / same / stale), writing nothing."""
    rows = con.execute(
        f"""SELECT {_CLASSIFY} AS cls, count(*)
            FROM {staged} s LEFT JOIN {kind} t USING (record_key) GROUP BY cls"""
    ).fetchall()
    return _counts(rows)


def merge_staged(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    batch_id: int,
    staged: str = "staged",
    staged_items: str | None = None,
    wide_items: tuple[str, dict[str, str]] | None = None,
) -> MergeCounts:
    """Merge the staged rows of ``kind`` into the store (caller holds the transaction).

    ``staged`` names a table or view with every stored column of the kind
    except ``created_batch`` and ``batch_id``; ``staged_items`` (monitoring
    only) has ``record_key, item, item_group, points, raw_value``.  Keys must
    be unique in ``staged`` (the validator guarantees it).  Rows move between
    tables by column name (``BY NAME``): a migrated database has its newer
    columns at the end.  The rollups are kept in step in the same
    transaction (``wide_items``: see :func:`rollups.refresh_records`).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    cols = [c for c in _cols(kind) if c not in ("created_batch", "batch_id")]
    s_cols = ", ".join(f"s.{c}" for c in cols)
    hist_cols = ", ".join(f"t.{c}" for c in _cols(kind))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE merge_class AS
            SELECT s.record_key, {_CLASSIFY} AS cls, t.created_batch
            FROM {staged} s LEFT JOIN {kind} t USING (record_key)"""
    )
    counts = _counts(con.execute("SELECT cls, count(*) FROM merge_class GROUP BY cls").fetchall())
    written = "SELECT record_key FROM merge_class WHERE cls IN ('new', 'changed')"
    keep_rollups = rollups.in_step(con)  # else rebuilt whole after the merge
    if keep_rollups and kind == "survey" and (counts.imported or counts.updated):
        rollups.touched_survey_groups(con, written, [])
    now = dt.datetime.now()
    if counts.updated:
        con.execute(
            f"""INSERT INTO {kind}_history BY NAME
                SELECT {hist_cols}, ? AS superseded_by, ? AS superseded_at FROM {kind} t
                JOIN merge_class m ON m.record_key = t.record_key AND m.cls = 'changed'""",
            [batch_id, now],
        )
        con.execute(
            f"""DELETE FROM {kind} WHERE record_key IN
                (SELECT record_key FROM merge_class WHERE cls = 'changed')"""
        )
        if kind == "monitoring":
            con.execute(
                """INSERT INTO monitoring_item_history BY NAME
                   SELECT i.record_key, i.item, i.item_group, i.points, i.raw_value, i.batch_id,
                          ? AS superseded_by
                   FROM monitoring_item i
                   JOIN merge_class m ON m.record_key = i.record_key AND m.cls = 'changed'""",
                [batch_id],
            )
            con.execute(
                """DELETE FROM monitoring_item WHERE record_key IN
                   (SELECT record_key FROM merge_class WHERE cls = 'changed')"""
            )
    if counts.imported or counts.updated:
        # A first import (every staged row new) needs no join with the classes.
        all_new = not counts.updated and not counts.duplicate and not counts.stale
        created = "?" if all_new else "COALESCE(m.created_batch, ?)"
        join = "" if all_new else (
            " JOIN merge_class m ON m.record_key = {}.record_key AND m.cls IN ('new', 'changed')"
        )
        con.execute(
            f"""INSERT INTO {kind} BY NAME
                SELECT {s_cols}, {created} AS created_batch, ? AS batch_id FROM {staged} s{join.format("s")}""",
            [batch_id, batch_id],
        )
        if kind == "monitoring" and staged_items:
            con.execute(
                f"""INSERT INTO monitoring_item BY NAME
                    SELECT i.record_key, i.item, i.item_group, i.points, i.raw_value, ? AS batch_id
                    FROM {staged_items} i{join.format("i")}""",
                [batch_id],
            )
    if counts.imported or counts.updated:
        if not keep_rollups:
            rollups.rebuild(con)
        elif kind == "roster":
            rollups.refresh_agents(
                con, f"SELECT s.agent_id FROM {staged} s JOIN merge_class m USING (record_key) "
                     "WHERE m.cls IN ('new', 'changed')", [])
        elif kind in rollups.TABLES:
            every = not (counts.updated or counts.duplicate or counts.stale)
            keys = None if wide_items and every and kind == "monitoring" else written
            rollups.refresh_records(con, kind, keys, [], wide_items=wide_items)
        rollups.write_stamp(con)
    con.execute("DROP TABLE merge_class")
    return counts


UNDO_UNKNOWN = define("undo_unknown", en="there is no batch {batch}", zh="没有编号为 {batch} 的导入批次")
UNDO_ALREADY = define("undo_already", en="batch {batch} was already undone", zh="批次 {batch} 已经撤销过了")
UNDO_LATER = define(
    "undo_later",
    en="batch {batch} cannot be undone before the later batch(es) {later} that changed the same records: "
       "undo those first",
    zh="批次 {batch} 的记录后来又被批次 {later} 修改过，不能先撤销它：请先撤销那些较晚的批次",
)


class UndoError(Problem):
    """An undo that cannot be done exactly (unknown batch, already undone, or
    later batches changed the same records)."""


def undo_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """Undo one batch exactly: rows it added are removed, rows it updated are
    restored to the version it replaced.

    Refuses (``UndoError``) when a later active batch changed a record this
    batch touched: undoing out of order would silently lose that later change.
    The check and the undo run under one writer lock, so no import can slip
    in between.  Returns ``{"removed": n, "restored": m}``.
    """
    with transaction(con):
        row = con.execute(
            "SELECT kind, status FROM import_batch WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise UndoError(UNDO_UNKNOWN, batch=batch_id)
        kind, status = row
        if status != "active":
            raise UndoError(UNDO_ALREADY, batch=batch_id)
        later = con.execute(
            f"""WITH touched AS (
                    SELECT record_key FROM {kind} WHERE batch_id = ? OR created_batch = ?
                    UNION SELECT record_key FROM {kind}_history WHERE superseded_by = ? OR batch_id = ?)
                SELECT DISTINCT b FROM (
                    SELECT t.batch_id AS b FROM {kind} t JOIN touched USING (record_key)
                    UNION ALL
                    SELECT h.superseded_by FROM {kind}_history h JOIN touched USING (record_key)
                ) WHERE b > ? ORDER BY b""",
            [batch_id, batch_id, batch_id, batch_id, batch_id],
        ).fetchall()
        if later:
            raise UndoError(UNDO_LATER, batch=batch_id, later=", ".join(str(r[0]) for r in later))
        # What the undo touches, taken before it: removed rows leave no trace.
        keep_rollups = rollups.is_fresh(con)
        agent = "agent_id" if "agent_id" in KINDS[kind].field_names else "NULL::VARCHAR AS agent_id"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE undo_keys AS
                SELECT record_key, {agent} FROM {kind} WHERE batch_id = ?
                UNION SELECT record_key, {agent} FROM {kind}_history WHERE superseded_by = ?""",
            [batch_id, batch_id],
        )
        if keep_rollups and kind == "survey":
            rollups.touched_survey_groups(con, "SELECT record_key FROM undo_keys", [])
        removed = con.execute(
            f"SELECT count(*) FROM {kind} WHERE batch_id = ? AND created_batch = ?",
            [batch_id, batch_id],
        ).fetchone()[0]
        restored = con.execute(
            f"SELECT count(*) FROM {kind}_history WHERE superseded_by = ?", [batch_id]
        ).fetchone()[0]
        if kind == "monitoring":
            con.execute(
                "DELETE FROM monitoring_item WHERE record_key IN "
                "(SELECT record_key FROM monitoring WHERE batch_id = ?)",
                [batch_id],
            )
            con.execute(
                """INSERT INTO monitoring_item BY NAME
                   SELECT * EXCLUDE (superseded_by) FROM monitoring_item_history
                   WHERE superseded_by = ?""",
                [batch_id],
            )
            con.execute("DELETE FROM monitoring_item_history WHERE superseded_by = ?", [batch_id])
        con.execute(f"DELETE FROM {kind} WHERE batch_id = ?", [batch_id])
        con.execute(
            f"""INSERT INTO {kind} BY NAME
                SELECT * EXCLUDE (superseded_by, superseded_at) FROM {kind}_history
                WHERE superseded_by = ?""",
            [batch_id],
        )
        con.execute(f"DELETE FROM {kind}_history WHERE superseded_by = ?", [batch_id])
        if not keep_rollups:
            rollups.rebuild(con)
        elif kind == "roster":
            rollups.refresh_agents(con, "SELECT agent_id FROM undo_keys", [])
        elif kind in rollups.TABLES:
            rollups.refresh_records(con, kind, "SELECT record_key FROM undo_keys", [])
        rollups.write_stamp(con)
        con.execute("DROP TABLE undo_keys")
        con.execute(
            "UPDATE import_batch SET status = 'undone', undone_at = ? WHERE batch_id = ?",
            [dt.datetime.now(), batch_id],
        )
        _bump_version(con)
    return {"removed": int(removed), "restored": int(restored)}


def list_batches(con: duckdb.DuckDBPyConnection, include_undone: bool = True) -> list[dict[str, Any]]:
    """The import log, newest first."""
    where = "" if include_undone else "WHERE status = 'active'"
    rel = con.execute(
        f"""SELECT batch_id, file_name, sha256, kind, sheet, source, rows_read, rows_imported,
                   rows_updated, rows_duplicate, rows_rejected, imported_at, imported_by,
                   status, undone_at, rejects_file, rows_stale, export_time, saved_mapping_id
            FROM import_batch {where} ORDER BY batch_id DESC"""
    )
    names = [d[0] for d in rel.description]
    out = []
    for r in rel.fetchall():
        rec = dict(zip(names, r))
        for k in ("imported_at", "undone_at", "export_time"):
            if rec[k] is not None:
                rec[k] = rec[k].isoformat(timespec="seconds")
        out.append(rec)
    return out


def _period_params(date_from: dt.date | None, date_to: dt.date | None) -> list[Any]:
    return [date_from, date_from, date_to, date_to]


_IN_PERIOD = "(? IS NULL OR {d} >= ?) AND (? IS NULL OR {d} <= ?)"


def period_counts(
    con: duckdb.DuckDBPyConnection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, int]:
    """Records of each evaluation kind in a period (both ends inclusive, by
    each record's own date), and the distinct agents and teams behind them.
    The rates of a period are metrics (``qa_analytics.analytics.summary``)."""
    p = _period_params(date_from, date_to)
    mon, ct, sv = (con.execute(f"SELECT count(*) FROM {table} WHERE {_IN_PERIOD.format(d=d)}", p).fetchone()[0]
                   for table, d in (("monitoring", "eval_date"), ("call_test", "test_date"), ("survey", "survey_date")))
    people = con.execute(
        f"""WITH x AS (
                SELECT agent_id, team FROM monitoring_v WHERE {_IN_PERIOD.format(d='eval_date')}
                UNION ALL
                SELECT agent_id, team FROM call_test_v WHERE {_IN_PERIOD.format(d='test_date')}
                UNION ALL
                SELECT agent_id, team FROM survey_v WHERE {_IN_PERIOD.format(d='survey_date')})
            SELECT count(DISTINCT agent_id), count(DISTINCT team) FROM x""",
        p * 3,
    ).fetchone()
    return {"monitoring": int(mon), "call_test": int(ct), "survey": int(sv),
            "agents": int(people[0]), "teams": int(people[1])}


def record_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per kind: how many records, and the first and last date they cover."""
    out = []
    for kind in KINDS.values():
        d = kind.date_field
        if kind.name == "roster":
            r = con.execute("SELECT count(*), min(hire_date), max(hire_date) FROM roster").fetchone()
        else:
            r = con.execute(f"SELECT count(*), min({d}), max({d}) FROM {kind.name}").fetchone()
        out.append({"kind": kind.name, "records": int(r[0]), "first": r[1], "last": r[2]})
    return out


def has_demo_data(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM import_batch WHERE source = 'demo' AND status = 'active'"
        ).fetchone()[0]
    )


def clear_demo_data(con: duckdb.DuckDBPyConnection) -> int:
    """Undo every demo batch, newest first, and delete the demo's actions
    (and their history) from the improvement register; returns how many
    batches were undone."""
    with transaction(con):
        con.execute("DELETE FROM action_history WHERE id IN (SELECT id FROM action WHERE source = 'demo')")
        con.execute("DELETE FROM action_history WHERE source = 'demo'")
        gone = con.execute("DELETE FROM action WHERE source = 'demo'").fetchone()[0]
        if gone:
            _bump_version(con)
    ids = [
        r[0]
        for r in con.execute(
            "SELECT batch_id FROM import_batch WHERE source = 'demo' AND status = 'active' "
            "ORDER BY batch_id DESC"
        ).fetchall()
    ]
    for b in ids:
        undo_batch(con, b)
    return len(ids)


def monthly_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Records per kind and month (``month`` = first day), for the data-status chart."""
    parts = " UNION ALL ".join(
        f"SELECT '{k.name}' AS kind, date_trunc('month', {k.date_field}) AS month FROM {k.name}"
        for k in KINDS.values()
        if k.name != "roster"
    )
    return con.execute(
        f"SELECT kind, month, count(*) AS records FROM ({parts}) WHERE month IS NOT NULL "
        "GROUP BY ALL ORDER BY month, kind"
    ).df()


def dimensions(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the filters offer: the dates the data covers, teams, channels."""
    first, last = con.execute(
        """SELECT min(d), max(d) FROM (
               SELECT min(eval_date) d FROM monitoring UNION ALL SELECT max(eval_date) FROM monitoring
               UNION ALL SELECT min(test_date) FROM call_test UNION ALL SELECT max(test_date) FROM call_test
               UNION ALL SELECT min(survey_date) FROM survey UNION ALL SELECT max(survey_date) FROM survey)"""
    ).fetchone()
    teams = [r[0] for r in con.execute(
        """SELECT DISTINCT team FROM (
               SELECT team FROM roster_timeline UNION ALL SELECT team FROM monitoring
               UNION ALL SELECT team FROM call_test UNION ALL SELECT team FROM survey)
           WHERE team IS NOT NULL ORDER BY team"""
    ).fetchall()]
    channels = [r[0] for r in con.execute(
        """SELECT channel FROM (SELECT channel, count(*) n FROM (
               SELECT COALESCE(channel, 'voice') channel FROM monitoring
               UNION ALL SELECT COALESCE(channel, 'voice') FROM survey) GROUP BY channel)
           ORDER BY n DESC"""
    ).fetchall()]
    return {"first": first, "last": last, "teams": teams, "channels": channels}
