"""kill -9 at any moment of an import leaves the database exactly before or exactly after (issue 13).

Why: the README promises one transaction per file ("an analyst must never
have to wonder which half of a file made it in"), and a power cut, an OOM
kill or an impatient ``kill -9`` is the hard case of that promise.  A 50,000
row monitoring export (.xlsx and CSV; 1,000 of its rows revise records of
the batch already in the database, so the kill can land in the update and
history path too) is imported by the command line into a database holding
one batch, and killed with SIGKILL after seeded random delays: half spread
over the whole import, half after its last progress line ("store"), which is
where the merge and the commit happen.  After each kill the database is
opened as the app opens it and its full contents (every table, the import
log included, wall-clock columns aside) must equal the state before the
import or the state after a clean import of the same file; the import log
must agree with the rows; and a re-run of the import must then succeed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from fuzzing import MONITORING_SUB, MONITORING_TOP, csv_bytes, xlsx_bytes
from harness import ROOT, child_env, cli, data_tables, db_state, log_problems, run_guarded

N_ROWS = 50_000
REVISED = 1_000  # rows of the big file that revise records of the existing batch
KILLS_PER_FORMAT = 10  # 20 in all
SEED = 13


def export_rows(n: int, start: int = 0, shift: int = 0) -> list[list]:
    """A monitoring export: title, two-row header, ``n`` records from id ``start``."""
    rows: list[list] = [["录音质检明细"], [], list(MONITORING_TOP), list(MONITORING_SUB)]
    day0 = dt.datetime(2026, 1, 1)
    for i in range(start, start + n):
        ded = [-(i % 3), -(i % 2), -((i + shift) % 4)]
        rows.append([f"QM{i:08d}", f"{7800 + i % 500:06d}", f"坐席{i % 500}", day0 + dt.timedelta(days=i % 180),
                     f"质检员{i % 7}", 100 + sum(ded), *ded, "否" if i % 97 else "是", "无", None])
    return rows


def prepare(folder: Path, n_rows: int = N_ROWS, revised: int = REVISED) -> dict:
    """The database before (one batch of ``2 * revised`` records), the two
    big files, and each file's state after a clean import (and its time)."""
    from qa_analytics import store
    from qa_analytics.ingest.importer import import_file

    before_db = folder / "before.duckdb"
    con = store.connect(before_db)
    first = folder / "first.xlsx"
    first.write_bytes(xlsx_bytes(export_rows(2 * revised, start=n_rows - revised)))
    assert import_file(con, first).status == "imported"
    con.execute("CHECKPOINT")
    before = db_state(con, skip_clock=True)
    con.close()
    big_rows = export_rows(n_rows, start=0, shift=1)  # the last `revised` ids exist, with other scores
    files = {"xlsx": folder / "big.xlsx", "csv": folder / "big.csv"}
    files["xlsx"].write_bytes(xlsx_bytes(big_rows))
    files["csv"].write_bytes(csv_bytes(big_rows))
    after, seconds, store_at = {}, {}, {}
    for fmt, path in files.items():
        # The kills are planned over how long a clean import takes: the median
        # of three (the first in a run pays for cold caches and is the slowest),
        # so that they land inside the import, not after it.
        runs = []
        for k in range(3):
            db = folder / f"clean_{fmt}_{k}.duckdb"
            shutil.copyfile(before_db, db)
            t0 = time.monotonic()
            proc, stages = start_import(db, path)
            rc = proc.wait(timeout=600)
            took = time.monotonic() - t0
            assert rc == 0, f"the clean import of {path.name} failed"
            runs.append((took, stages.get("store", took * 0.7)))
            state = state_after_open(db)
            assert after.setdefault(fmt, state) == state  # every clean run ends in the same state
        seconds[fmt], store_at[fmt] = sorted(runs)[1]
        assert after[fmt] != before
        assert after[fmt]["monitoring_history"][0] == revised
    return {"folder": folder, "before_db": before_db, "before": before, "files": files, "after": after,
            "seconds": seconds, "store_at": store_at}


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict:
    return prepare(tmp_path_factory.mktemp("kill"))


def start_import(db: Path, path: Path) -> tuple[subprocess.Popen, dict[str, float]]:
    """The CLI import, started; ``stages`` fills with the time (from start)
    each progress line appeared on stderr."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cli(db, "import", str(path)), cwd=ROOT, env=child_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stages: dict[str, float] = {}

    def watch() -> None:
        for line in proc.stderr:
            for stage in ("read", "map", "validate", "store"):
                if f": {stage} (" in line:
                    stages.setdefault(stage, time.monotonic() - t0)

    threading.Thread(target=watch, daemon=True).start()
    return proc, stages


def state_after_open(db: Path) -> dict:
    """Open as the app does (replaying the WAL), then fingerprint."""
    from qa_analytics import store

    con = store.connect(db)
    try:
        problems = log_problems(con)
        assert not problems, problems
        return db_state(con, skip_clock=True)
    finally:
        con.close()


def kill_plan(setup: dict, fmt: str, n: int = KILLS_PER_FORMAT, seed: int = SEED) -> list[tuple[str, float]]:
    """(anchor, fraction) pairs: a moment from the start over the whole
    import, or from the "store" progress line over the merge and the commit,
    as a fraction of how long that part takes (see :func:`kill_at`)."""
    rng = random.Random(f"{seed}-{fmt}")
    plan = [("start", rng.uniform(0, 1.05)) for _ in range(n // 2)]
    plan += [("store", rng.uniform(0, 1.1)) for _ in range(n - n // 2)]
    return plan


def pace(setup: dict, fmt: str) -> dict[str, float]:
    """How long the whole import and its part after "store" take, as first
    measured (updated by :func:`kill_at` as the machine's load changes)."""
    whole = setup["seconds"][fmt]
    return {"start": whole, "store": max(whole - setup["store_at"][fmt], 0.05)}


def kill_at(db: Path, path: Path, anchor: str, fraction: float, durations: dict[str, float]) -> tuple[str, float]:
    """Start the import, SIGKILL it ``fraction`` of the way through the part
    ``anchor`` starts; how it ended, and the delay used.

    The durations are a shared machine's: another test's load makes the
    first measurement slow and the next imports fast, and a kill planned on
    it lands after the import.  An import that finishes first says how long
    it took now, and the next kills are planned on that."""
    proc, stages = start_import(db, path)
    t0 = time.monotonic()
    ended: list[float] = []
    threading.Thread(target=lambda: (proc.wait(), ended.append(time.monotonic())), daemon=True).start()
    if anchor == "store":
        while "store" not in stages and proc.poll() is None and time.monotonic() - t0 < 120:
            time.sleep(0.002)
    delay = fraction * durations[anchor]
    time.sleep(delay)
    if proc.poll() is not None:
        deadline = time.monotonic() + 5
        while not ended and time.monotonic() < deadline:
            time.sleep(0.001)
        if ended and "store" in stages:
            took = ended[0] - t0
            durations["start"] = took
            durations["store"] = max(took - stages["store"], 0.05)
        return f"finished (exit {proc.returncode}) before the kill", delay
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return f"killed after {time.monotonic() - t0:.2f} s (stages seen: {', '.join(stages) or 'none'})", delay


def kill_and_check(setup: dict, fmt: str, k: int, anchor: str, fraction: float, durations: dict[str, float],
                   folder: Path) -> tuple[str, float, str]:
    """One kill, then the checks: (how it ended, the delay, "before" / "after" / NEITHER...)."""
    before, after = setup["before"], setup["after"][fmt]
    path = setup["files"][fmt]
    db = folder / f"k{k}.duckdb"
    shutil.copyfile(setup["before_db"], db)
    how, delay = kill_at(db, path, anchor, fraction, durations)
    state = state_after_open(db)
    which = "before" if state == before else "after" if state == after else None
    diff = sorted(t for t in state if state[t] not in (before.get(t), after.get(t)))
    # The next run of the same import succeeds and ends in the clean state's rows.
    rerun = run_guarded(cli(db, "import", str(path), "--json"), timeout=600)
    assert rerun.returncode == 0, f"re-run after kill {k} ({how}): {rerun.describe()} {rerun.stderr[-800:]}"
    assert data_tables(state_after_open(db)) == data_tables(after), f"re-run after kill {k} left other rows"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    return how, delay, which or f"NEITHER (tables {diff})"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_kill_minus_nine_leaves_before_or_after(setup, fmt, tmp_path):
    outcomes = []
    durations = pace(setup, fmt)
    for k, (anchor, fraction) in enumerate(kill_plan(setup, fmt)):
        how, delay, which = kill_and_check(setup, fmt, k, anchor, fraction, durations, tmp_path)
        outcomes.append((anchor, round(delay, 3), how, which))
    report = "\n".join(f"  {a:5} +{d:.3f}s: {h} -> {w}" for a, d, h, w in outcomes)
    good = sum(1 for *_, w in outcomes if w in ("before", "after"))
    print(f"\n{fmt}: {good}/{len(outcomes)} kills left the database exactly before or after\n{report}")
    assert good == len(outcomes), f"{fmt}: {good}/{len(outcomes)}\n{report}"
    killed = [o for o in outcomes if o[2].startswith("killed")]
    assert len(killed) >= len(outcomes) // 2, f"too few kills landed inside the import:\n{report}"
    assert any(w == "before" for *_, w in killed), f"no kill landed before the commit:\n{report}"
