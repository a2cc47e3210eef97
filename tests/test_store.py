"""The store: migrations from an earlier release, one writer at a time, busy files."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from qa_analytics import store
from qa_analytics.ingest.importer import import_file
from qa_analytics.store.schema import KINDS, SCHEMA_VERSION

from conftest import exported_database, monitoring_export

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def v1_database(path: Path) -> Path:
    """A database as release 0.1 (schema version 1) wrote it: its own DDL and
    rows, exported from that release with ``EXPORT DATABASE`` (tests/fixtures/db_v1)."""
    return exported_database(path, "db_v1")


def _contents(con, table: str, columns: list[str]) -> list[tuple]:
    return con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()


def test_a_database_of_the_previous_release_migrates_with_nothing_lost(tmp_path):
    path = v1_database(tmp_path / "v1.duckdb")
    raw = duckdb.connect(str(path))
    tables = [r[0] for r in raw.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    before = {t: (cols := [r[0] for r in raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [t]
    ).fetchall()], _contents(raw, t, cols)) for t in tables}
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    raw.close()
    con = store.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    for t, (cols, rows) in before.items():
        if t == "meta":
            continue
        assert _contents(con, t, cols) == rows, t  # every row, every old column, as it was
    assert {c for c, in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'monitoring'").fetchall()} >= {
        "modified_at", "source_time"}
    # the migrated database works: the same export again is a duplicate, undo is exact
    con.close()
    con = store.connect(path)
    n = con.execute("SELECT count(*) FROM monitoring").fetchone()[0]
    rep = import_file(con, monitoring_export(tmp_path / "jan.xlsx", n=6))
    assert (rep.status, rep.rows_imported, rep.rows_duplicate + rep.rows_updated) == ("imported", 0, 6)
    latest = store.list_batches(con)[0]["batch_id"]
    store.undo_batch(con, latest)
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == n
    con.close()


def test_a_database_from_a_newer_release_is_refused_cleanly(tmp_path):
    path = tmp_path / "new.duckdb"
    store.connect(path).close()
    raw = duckdb.connect(str(path))
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(store.DatabaseError) as err:
        store.connect(path)
    assert err.value.code_name == "db_too_new"


def test_fresh_and_migrated_tables_hold_the_same_columns(tmp_path):
    fresh = store.connect(tmp_path / "fresh.duckdb")
    migrated = store.connect(v1_database(tmp_path / "v1.duckdb"))
    q = "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY 1"
    for kind in KINDS:
        for t in (kind, f"{kind}_history"):
            assert fresh.execute(q, [t]).fetchall() == migrated.execute(q, [t]).fetchall(), t


def test_fresh_and_migrated_databases_hold_the_same_constraints_and_indexes(tmp_path):
    """Version 3 rebuilt the record tables without their key index: a migrated
    database must end up exactly like a fresh one (NOT NULL kept, no index
    left behind), and hold no index on a record table at all."""
    fresh = store.connect(tmp_path / "fresh.duckdb")
    migrated = store.connect(v1_database(tmp_path / "v1.duckdb"))
    # (import_batch.rows_stale differs, as it did before version 3: version 2
    # added it with ADD COLUMN, which cannot add NOT NULL; it is always written.)
    constraints = ("SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
                   "WHERE database_name = current_database() AND table_name <> 'import_batch' ORDER BY ALL")
    indexes = "SELECT table_name, index_name FROM duckdb_indexes() WHERE database_name = current_database() ORDER BY ALL"
    assert fresh.execute(constraints).fetchall() == migrated.execute(constraints).fetchall()
    assert fresh.execute(indexes).fetchall() == migrated.execute(indexes).fetchall()
    record_tables = set(KINDS) | {f"{k}_history" for k in KINDS}
    assert not [t for t, _n in fresh.execute(indexes).fetchall() if t in record_tables]
    not_null = ("SELECT column_name FROM duckdb_columns() WHERE table_name = 'monitoring' AND NOT is_nullable "
                "AND database_name = current_database() ORDER BY 1")
    assert migrated.execute(not_null).fetchall() == fresh.execute(not_null).fetchall()
    assert ("record_key",) in fresh.execute(not_null).fetchall()


def test_two_sessions_importing_at_once_both_succeed(tmp_path):
    """Two dashboard sessions (threads, one connection each) import at the same moment."""
    path = tmp_path / "db.duckdb"
    store.connect(path).close()
    files = [monitoring_export(tmp_path / f"m{i}.xlsx", n=40, start=1 + 100 * i) for i in range(4)]
    base = duckdb.connect(str(path))
    reports: list = []
    errors: list = []
    gate = threading.Barrier(len(files))

    def run(f: Path) -> None:
        cur = base.cursor()
        try:
            gate.wait()
            reports.append(import_file(cur, f))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert [r.status for r in reports] == ["imported"] * 4
    assert base.execute("SELECT count(*) FROM monitoring").fetchone() == (160,)
    assert base.execute("SELECT count(*) FROM import_batch").fetchone() == (4,)
    base.close()


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "holding"
    return p


def test_a_busy_database_is_waited_for_then_a_clear_error(tmp_path):
    path = tmp_path / "db.duckdb"
    store.connect(path).close()
    holder = _hold(path, 30)
    try:
        t0 = dt.datetime.now()
        with pytest.raises(store.DatabaseBusy) as err:
            store.connect(path, timeout=0.5)
        assert (dt.datetime.now() - t0).total_seconds() >= 0.5
        assert err.value.code_name == "db_busy" and "in use by another program" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    short = _hold(path, 1.0)
    con = store.connect(path, timeout=20)  # waits its turn, then opens
    short.wait()
    assert store.data_version(con) >= 0
    con.close()


def test_an_unusable_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(store.DatabaseError) as err:
        store.connect(junk)
    assert err.value.code_name == "db_unusable"
