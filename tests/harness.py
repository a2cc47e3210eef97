"""Run an import where it cannot hurt us, and tell exactly what it did.

Why a subprocess with limits: a hostile file can make the Rust reader abort
the whole process (SIGABRT), spin, or allocate gigabytes.  Run in the test
process, that takes pytest (or the machine) down with it; run here, it is a
classified outcome with a measured peak memory.  Every child gets an address
space cap (``RLIMIT_AS``) and a wall-clock limit, so today's failures are
fast test failures, not a machine at 10 GB.

Why hash the database's contents: "a rejected file changed nothing" and "a
kill -9 left the database exactly before or exactly after" are statements
about every row of every table, so :func:`db_state` fingerprints each table
(row count and an order-independent sum of row hashes), optionally leaving out
wall-clock columns that legitimately differ between two clean imports.

Also ``python tests/harness.py worker``: the in-process import checker used by
``tests/test_fuzz_import.py`` (``import_file`` itself, not the CLI), fed one
JSON request a line on stdin, so a file that aborts the reader kills only the
worker, which the parent restarts.
"""

from __future__ import annotations

import json
import os
import re
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GB = 1 << 30
# Columns whose value is "when": two clean imports of one file differ only there.
CLOCK_COLUMNS = frozenset({"imported_at", "superseded_at", "undone_at"})
STDERR_CRASH_MARKERS = ("Traceback (most recent call last)", "panicked at", "RUST_BACKTRACE")


@dataclass
class RunResult:
    """What a guarded child did: exit code or signal, peak memory of its
    process tree (its own and its reaped children's maxrss), time, output."""

    cmd: list[str]
    returncode: int | None  # None when killed by a signal
    signal: int | None
    timed_out: bool
    maxrss_mb: float
    elapsed_s: float
    stdout: str
    stderr: str

    @property
    def crashed(self) -> bool:
        return self.signal is not None and not self.timed_out

    def describe(self) -> str:
        how = (f"timed out after {self.elapsed_s:.0f} s" if self.timed_out else
               f"killed by signal {signal.Signals(self.signal).name}" if self.signal else f"exit {self.returncode}")
        return f"{how}, peak RSS {self.maxrss_mb:.0f} MB, {self.elapsed_s:.1f} s"


# Sets the limits, then becomes the real command.  Not ``preexec_fn``: that
# runs Python between fork and exec, which is unsafe in a threaded parent
# (pytest with the browser tests' threads segfaulted in it).
_LIMIT_AND_EXEC = ("import os, sys, resource as r; m = int(sys.argv[1]); r.setrlimit(r.RLIMIT_AS, (m, m)); "
                   "r.setrlimit(r.RLIMIT_CORE, (0, 0)); os.execvp(sys.argv[2], sys.argv[2:])")


def limited(cmd: list[str], max_bytes: int) -> list[str]:
    """``cmd`` run with its address space capped at ``max_bytes`` (and no
    core dumps: an aborting reader must not write gigabytes of core)."""
    return [sys.executable, "-S", "-c", _LIMIT_AND_EXEC, str(max_bytes), *cmd]


def _tree_rss_kb(pid: int) -> int:
    """Current RSS of ``pid`` and its live descendants (children the reader
    may start are not reaped by us, so wait4's maxrss would not see them)."""
    total = 0
    try:
        kids: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                    kids.setdefault(ppid, []).append(int(d))
                except (OSError, ValueError, IndexError):
                    continue
        todo = [pid]
        while todo:
            p = todo.pop()
            try:
                with open(f"/proc/{p}/statm") as fh:
                    total += int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            except (OSError, ValueError, IndexError):
                pass
            todo.extend(kids.get(p, []))
    except OSError:
        pass
    return total


def run_guarded(cmd: list[str], *, timeout: float = 60.0, max_bytes: int = 3 * GB, cwd: Path = ROOT,
                env: dict[str, str] | None = None, poll_tree: bool = True) -> RunResult:
    """Run ``cmd`` with a memory cap and a wall-clock limit; never raises for
    what the child does.  Peak memory is the larger of the child's wait4
    maxrss (which includes its reaped children) and the polled RSS of its
    live process tree."""
    import tempfile

    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # Its own session, so a timeout kills its children too.
        proc = subprocess.Popen(limited(cmd, max_bytes), cwd=cwd, env=env if env is not None else child_env(),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        peak_kb = 0
        timed_out = False
        status = 0
        ru = None
        delay = 0.005
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if poll_tree:
                peak_kb = max(peak_kb, _tree_rss_kb(proc.pid))
            if time.monotonic() - t0 > timeout:
                timed_out = True
                _kill_group(proc.pid)
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 1.5, 0.1)
        proc.returncode = 0  # reaped by us: keep Popen from waiting again
        elapsed = time.monotonic() - t0
        _kill_group(proc.pid)  # grandchildren left behind by a crash
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    peak_kb = max(peak_kb, ru.ru_maxrss if ru else 0)
    return RunResult(cmd, rc, sig, timed_out, peak_kb / 1024, elapsed, stdout, stderr)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def child_env(**extra: str) -> dict[str, str]:
    """Our environment as a user's shell would have it: without
    ``RUST_BACKTRACE`` (set on this machine), so a panic prints its one-line
    note rather than a full stack, as it would for a user."""
    env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
    env.update(extra)
    return env


def cli(db: Path, *args: str) -> list[str]:
    """The command line of ``python -m qa_analytics --db DB ARGS``."""
    return [sys.executable, "-m", "qa_analytics", "--db", str(db), *args]


KEY_LINE = re.compile(r"memory allocation of \d+ bytes failed|panicked at .*|thread '.*' panicked.*|"
                      r"^\w+(\.\w+)*(Error|Exception)\b.*$|Fatal Python error.*|Segmentation fault.*", re.M)


def key_lines(stderr: str, limit: int = 1200) -> str:
    """The lines of a crash's stderr that say what happened (the allocation
    that failed, the panic's location, the exception), not 40 frames of stack."""
    found = [m.group(0) for m in KEY_LINE.finditer(stderr)]
    if not found:
        return stderr[-limit:]
    text = " | ".join(dict.fromkeys(found))
    return text[:limit]


def crash_text(stderr: str) -> str | None:
    """The first crash marker (a Python traceback, a Rust panic) in stderr."""
    for marker in STDERR_CRASH_MARKERS:
        if marker in stderr:
            return marker
    return None


# --- the database's contents --------------------------------------------------------------

def db_state(con: Any, skip_clock: bool = False, tables: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """``{table: (rows, sum of row hashes)}`` for every base table; the sum
    (not an xor) so that two equal rows do not cancel out.  Sequences are not
    tables: a rolled-back ``nextval`` is invisible here, as it should be."""
    names = tables or [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name").fetchall()]
    out = {}
    for t in names:
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [t]).fetchall()]
        if skip_clock:
            cols = [c for c in cols if c not in CLOCK_COLUMNS]
        row = ", ".join(f'"{c}"' for c in cols)
        n, h = con.execute(f'SELECT count(*), coalesce(sum(hash({row})::HUGEINT), 0) FROM "{t}"').fetchone()
        out[t] = (int(n), int(h))
    return out


def data_tables(state: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The record tables only (no import log, no meta counters)."""
    return {t: v for t, v in state.items() if t not in ("import_batch", "meta")}


def state_of_file(db: Path, skip_clock: bool = False) -> dict[str, tuple[int, int]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return db_state(con, skip_clock)
    finally:
        con.close()


def log_problems(con: Any) -> list[str]:
    """Where the import log and the rows disagree: an active batch that never
    got its counts, or whose new rows are not the rows it created."""
    from qa_analytics.store.schema import KINDS

    problems = []
    for batch_id, kind, rows_read, rows_imported in con.execute(
            "SELECT batch_id, kind, rows_read, rows_imported FROM import_batch WHERE status = 'active' "
            "AND source = 'import' ORDER BY batch_id").fetchall():
        if rows_read is None or rows_imported is None:
            problems.append(f"batch {batch_id} has no counts (finish_batch never ran)")
            continue
        if kind in KINDS:
            n = con.execute(f"SELECT count(*) FROM {kind} WHERE created_batch = ?", [batch_id]).fetchone()[0]
            if n != rows_imported:
                problems.append(f"batch {batch_id}: log says {rows_imported} new {kind} rows, table has {n}")
    orphans = con.execute(
        "SELECT count(*) FROM monitoring WHERE batch_id NOT IN (SELECT batch_id FROM import_batch)").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} monitoring rows belong to no logged batch")
    return problems


# --- the in-process worker ----------------------------------------------------------------

@dataclass
class CheckResult:
    """What ``import_file`` did with one input, seen from inside the process."""

    status: str | None = None  # imported | rejected | checked, or None when it never returned
    message: str | None = None
    dry_run_status: str | None = None  # the preview's: checked | rejected
    changed_by_dry_run: list[str] = field(default_factory=list)
    exception: str | None = None  # a traceback that escaped import_file
    changed_on_reject: list[str] = field(default_factory=list)
    reimport: dict[str, Any] | None = None
    crash: str | None = None  # the worker died or hung on this input
    maxrss_mb: float = 0.0
    errors_without_code: int = 0


def check_one(request: dict[str, Any]) -> dict[str, Any]:
    """Import one file into a fresh copy of the template database and check
    the contracts (runs inside the worker)."""
    import shutil
    import traceback

    from qa_analytics import store
    from qa_analytics.ingest.importer import import_file

    db = Path(request["db"])
    shutil.copyfile(request["template"], db)
    res = CheckResult()
    con = store.connect(db)
    try:
        before = db_state(con)
        try:  # the Import page's preview first: a dry run must write nothing either
            dry = import_file(con, request["path"], skip_invalid=request["skip_invalid"], dry_run=True)
        except BaseException:  # noqa: B036 - the point is to see anything that escapes
            res.exception = "dry run: " + traceback.format_exc(limit=6)[-3000:]
            return res.__dict__
        res.dry_run_status = dry.status
        mid = db_state(con)
        res.changed_by_dry_run = sorted(t for t in mid if mid[t] != before.get(t))
        try:
            rep = import_file(con, request["path"], skip_invalid=request["skip_invalid"],
                              rejects_dir=request["rejects_dir"])
        except BaseException:  # noqa: B036 - the point is to see anything that escapes
            res.exception = traceback.format_exc(limit=6)[-3000:]
            return res.__dict__
        res.status, res.message = rep.status, rep.message
        res.errors_without_code = sum(1 for e in rep.errors if not e.get("code"))
        after = db_state(con)
        if rep.status != "imported":
            res.changed_on_reject = sorted(t for t in after if after[t] != before.get(t))
        else:
            try:
                again = import_file(con, request["path"], skip_invalid=request["skip_invalid"],
                                    rejects_dir=request["rejects_dir"])
            except BaseException:  # noqa: B036
                res.exception = "re-import: " + traceback.format_exc(limit=6)[-3000:]
                return res.__dict__
            after2 = db_state(con)
            changed = sorted(t for t, v in data_tables(after2).items() if v != after.get(t))
            res.reimport = {"status": again.status, "rows_imported": again.rows_imported,
                            "rows_updated": again.rows_updated, "tables_changed": changed}
    finally:
        con.close()
        for p in (db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
    return res.__dict__


def _worker_main() -> None:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    for line in sys.stdin:
        req = json.loads(line)
        print(json.dumps({"started": req["key"]}), flush=True)
        out = check_one(req)
        ru = resource.getrusage(resource.RUSAGE_SELF)
        out["maxrss_mb"] = ru.ru_maxrss / 1024
        print(json.dumps({"done": req["key"], "result": out}, default=str), flush=True)


class WorkerPool:
    """One worker process fed requests in turn; a request that kills or
    hangs the worker is recorded as a crash and the worker is restarted."""

    def __init__(self, timeout: float = 30.0, max_bytes: int = 3 * GB):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.proc: subprocess.Popen | None = None
        self._stderr: list[str] = []

    def _start(self) -> subprocess.Popen:
        env = child_env(PYTHONPATH=str(ROOT))
        proc = subprocess.Popen(limited([sys.executable, str(Path(__file__).resolve()), "worker"], self.max_bytes),
                                cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, bufsize=1, start_new_session=True)
        self._stderr = lines = []
        threading.Thread(target=self._drain, args=(proc, lines), daemon=True).start()
        return proc

    @staticmethod
    def _drain(proc: subprocess.Popen, lines: list[str]) -> None:
        try:
            for line in proc.stderr:
                if len(lines) < 2000:
                    lines.append(line)
        except (OSError, ValueError):  # the pipe closed under us: the worker is gone
            pass

    def check(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            ready = select.select([proc.stdout], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.close(kill=True)
                return CheckResult(crash=f"hang: no answer within {self.timeout:.0f} s").__dict__
            line = proc.stdout.readline()
            if not line:  # the worker died on this input
                proc.wait()
                time.sleep(0.05)  # let the stderr thread take the last lines
                rc = proc.returncode
                how = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
                self.proc = None
                return CheckResult(crash=f"worker died: {how}; stderr: {key_lines(''.join(self._stderr))}").__dict__
            msg = json.loads(line)
            if "done" in msg:
                return msg["result"]

    def close(self, kill: bool = False) -> None:
        if self.proc is not None:
            if kill:
                _kill_group(self.proc.pid)
            else:
                self.proc.stdin.close()
            self.proc.wait()
            self.proc = None


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        sys.path.insert(0, str(ROOT))
        _worker_main()
    else:
        sys.exit("usage: python tests/harness.py worker")
