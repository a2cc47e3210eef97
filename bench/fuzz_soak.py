"""Fuzz soak: thousands of hostile files through the real command line.

Why the command line and not ``import_file``: what issue 13 promises is about
what a user (or a script) sees: an exit code of 0 or 1, JSON on stdout, no
traceback or Rust panic, no hang, no machine brought to its knees, a
database untouched by a rejected file, and a re-import that adds nothing.
Only a fresh process per input sees aborts, hangs and memory as a user would.

Each input is ``tests/fuzzing.make_input(seed)``, for seeds ``--start`` ..
``--start + --inputs - 1``.  Each is imported by
``python -m qa_analytics --db COPY import F F --json`` in a subprocess, into a
copy of a database that already holds two batches, under an address-space cap
(``--max-mb``, so a runaway reader fails instead of the machine) and a
wall-clock limit (``--timeout``: past it, a hang).  The file is named twice:
the second report is the re-import, checked to add and change nothing (one
process instead of two halves the run's time).  Peak RSS is the child's
``wait4`` maxrss (its own and its reaped children's) or the polled RSS of its
live process tree, whichever is larger.

Outcomes: ``imported`` / ``rejected`` (what the first report said), and the
failure classes ``abort`` (killed by a signal), ``bad_exit`` (exit code not 0
or 1), ``traceback``, ``panic`` (Rust panic text), ``hang``,
``invalid_json``, ``error_without_code``, ``db_changed_by_rejected``,
``reimport_not_idempotent`` and ``memory_over_1gb``.  An input may show
several (a traceback leaves no JSON): each class counts every input showing
it, and ``by_first_class`` names each failing input once, by its most severe
class.  One example of each
failure class is kept under ``bench/out/fuzz_soak/<class>/`` (the input, and
a note with its seed, command and the key lines of stderr), one per
signature: ``<class>/<n>/``.  Progress goes to
stderr once a minute; every failing input is a line of
``bench/out/fuzz_soak/failures.jsonl``; the last line on stdout is one JSON
object with the figures (also in ``summary.json``, rewritten each minute; on
SIGTERM or Ctrl-C the inputs in flight finish and the figures so far are
printed), each failure class broken down by signature (the
exception and its frame, the panic's location, the mutation behind an abort)
with its count and first seed.  ``--jobs`` is at most 2 (the machine has two cores).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import FuzzInput, make_input  # noqa: E402
from harness import RunResult, cli, crash_text, key_lines, run_guarded  # noqa: E402

OUT = ROOT / "bench" / "out" / "fuzz_soak"
# In order of severity: an input showing several (a traceback leaves no JSON) is named by the first.
FAILURES = ("hang", "abort", "traceback", "panic", "bad_exit", "invalid_json", "db_changed_by_rejected",
            "reimport_not_idempotent", "memory_over_1gb", "error_without_code")
TEMPLATE_SEEDS = (1_000_001, 1_000_002)


def make_template(folder: Path) -> Path:
    """The database every input is imported into (a fresh copy each time)."""
    from qa_analytics import store
    from qa_analytics.ingest.importer import import_file

    db = folder / "template.duckdb"
    if db.exists():
        db.unlink()
    con = store.connect(db)
    for s in TEMPLATE_SEEDS:
        rep = import_file(con, make_input(s, "valid").write(folder / "template"))
        if rep.status != "imported":
            raise SystemExit(f"the template export {s} did not import: {rep.message}")
    con.execute("CHECKPOINT")
    con.close()
    return db


def classify(inp: FuzzInput, run: RunResult, before: dict, db: Path) -> tuple[str | None, list[str], dict]:
    """(first report's status, failure classes, details) of one run."""
    from harness import state_of_file

    fails: list[str] = []
    status = None
    detail: dict[str, Any] = {}
    if run.timed_out:
        fails.append("hang")
    elif run.signal is not None:
        fails.append("abort")
    elif run.returncode not in (0, 1):
        fails.append("bad_exit")
    marker = crash_text(run.stderr)
    if marker and marker.startswith("Traceback"):
        fails.append("traceback")
    # A failed allocation aborts with the same RUST_BACKTRACE note: that is an abort, not a panic.
    if "panicked at" in run.stderr or ("RUST_BACKTRACE" in run.stderr and run.signal is None):
        fails.append("panic")
    if run.maxrss_mb > 1024:
        fails.append("memory_over_1gb")
    reports = None
    if not run.timed_out and run.signal is None:
        try:
            reports = json.loads(run.stdout)
            if not (isinstance(reports, list) and len(reports) == 2):
                raise ValueError("not two reports")
        except ValueError:
            fails.append("invalid_json")
            reports = None
    if reports is not None:
        first, second = reports
        status = first.get("status")
        if any(not e.get("code") for r in reports for e in r.get("errors", [])):
            fails.append("error_without_code")
        try:
            after = state_of_file(db)
        except Exception as exc:  # a database the import left unreadable is a change too
            after = {"unreadable": (0, hash(str(exc)))}
        if status != "imported":
            if after != before:
                fails.append("db_changed_by_rejected")
                detail["tables_changed"] = sorted(t for t in set(after) | set(before) if after.get(t) != before.get(t))
        elif (second.get("status") != "imported" or second.get("rows_imported") or second.get("rows_updated")
              or _rows_of_batch(db, first.get("kind"), second.get("batch_id"))):
            fails.append("reimport_not_idempotent")
            detail["reimport"] = {k: second.get(k) for k in ("status", "rows_imported", "rows_updated", "message")}
    return status, fails, detail


FRAME = re.compile(r'File "[^"]*?(qa_analytics/[\w/]+\.py|site-packages/[\w/]+\.py)", line (\d+)')
PANIC_AT = re.compile(r"panicked at [^\s:]*?([\w.-]+/src/[\w/]+\.rs:\d+)")
EXCEPTION_LINE = re.compile(r"^((?:\w+\.)*\w*(?:Error|Exception|Interrupt|Exit))\b", re.M)


def signature(cls: str, inp: FuzzInput, run: RunResult) -> str:
    """What tells one cause of a failure class from another: the exception
    and the innermost project frame of a traceback, the location of a
    panic, or the kind of mutation that brought on an abort, hang or memory."""
    mutation = inp.description.split(":", 2)
    made = f"{inp.fmt} {mutation[0]}:{mutation[1].split('@')[0].split('+')[0]}" if len(mutation) > 1 else inp.fmt
    if cls == "traceback":
        frames = [f"{path.rsplit('/', 1)[-1]}:{line}" for path, line in FRAME.findall(run.stderr)]
        ours = [f"{p.rsplit('/', 1)[-1]}:{n}" for p, n in FRAME.findall(run.stderr) if p.startswith("qa_analytics")]
        # The exception's own line (its message may run over several lines).
        raised = EXCEPTION_LINE.findall(run.stderr)
        last = raised[-1] if raised else "?"
        where = " > ".join(dict.fromkeys(x for x in (ours[-1:] + frames[-1:]) if x))
        return f"{last} at {where}" if where else last
    if cls == "panic":
        m = PANIC_AT.search(run.stderr)
        return f"panic at {m.group(1)}" if m else f"panic [{made}]"
    if cls in ("abort", "memory_over_1gb", "hang"):
        how = "allocation failed" if "memory allocation of" in run.stderr else (
            "timed out" if run.timed_out else f"signal {run.signal}" if run.signal else "exit")
        return f"{how} [{made}]"
    if cls == "invalid_json":
        return "traceback, no stdout" if "Traceback" in run.stderr else f"stdout {run.stdout[:40]!r}"
    return cls


def _rows_of_batch(db: Path, kind: str | None, batch_id: int | None) -> int:
    """Rows a batch created or replaced (a re-import must have none)."""
    import duckdb

    from qa_analytics.store.schema import KINDS

    if kind not in KINDS or batch_id is None:
        return 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        n = con.execute(f"SELECT count(*) FROM {kind} WHERE created_batch = ? OR batch_id = ?",
                        [batch_id, batch_id]).fetchone()[0]
        n += con.execute(f"SELECT count(*) FROM {kind}_history WHERE superseded_by = ?", [batch_id]).fetchone()[0]
        return int(n)
    finally:
        con.close()


def keep_example(cls: str, sig_no: int, inp: FuzzInput, path: Path, run: RunResult, detail: dict, out: Path) -> None:
    """The first input of each (class, signature): ``<class>/<n>/``."""
    folder = out / cls / str(sig_no)
    if folder.exists():
        return
    folder.mkdir(parents=True)
    shutil.copy(path, folder / inp.name)
    note = {
        "seed": inp.seed, "family": inp.family, "description": inp.description, "skip_invalid": inp.skip_invalid,
        "reproduce": f"python tests/fuzzing.py {inp.seed} --out DIR && python -m qa_analytics --db DIR/t.duckdb "
                     f"import DIR/{inp.name}{' --skip-invalid' if inp.skip_invalid else ''} --json",
        "class": cls, "signature": signature(cls, inp, run),
        "outcome": run.describe(), "stderr_key_lines": key_lines(run.stderr), "stdout_head": run.stdout[:800],
        **detail,
    }
    (folder / "example.json").write_text(json.dumps(note, ensure_ascii=False, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2))
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before a run counts as a hang")
    ap.add_argument("--max-mb", type=int, default=3072, help="address-space cap of each import process")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    from harness import state_of_file

    for old in (*FAILURES, "work"):  # this run's examples only
        shutil.rmtree(args.out / old, ignore_errors=True)
    work = args.out / "work"
    work.mkdir(parents=True)
    template = make_template(work)
    before = state_of_file(template)
    outcomes: Counter[str] = Counter()
    primary: Counter[str] = Counter()
    signatures: dict[str, dict[str, list[int]]] = {}  # class -> signature -> [count, first seed]
    log = (args.out / "failures.jsonl").open("w")
    failing_seeds: dict[str, list[int]] = {c: [] for c in FAILURES}
    rss: list[float] = []
    lock = threading.Lock()
    t0 = time.monotonic()
    last_report = [t0]
    done = [0]
    checkpoint: list[Any] = [lambda: None]  # writes summary.json; set once summary() exists

    def one(seed: int, slot: int) -> None:
        inp = make_input(seed)
        folder = work / f"slot{slot}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        path = inp.write(folder)
        db = folder / "t.duckdb"
        shutil.copyfile(template, db)
        extra = ["--skip-invalid", "--rejects-dir", str(folder / "rej")] if inp.skip_invalid else []
        run = run_guarded(cli(db, "import", str(path), str(path), "--json", *extra), timeout=args.timeout,
                          max_bytes=args.max_mb << 20)
        status, fails, detail = classify(inp, run, before, db)
        with lock:
            done[0] += 1
            outcomes[status or "no_report"] += 1
            rss.append(run.maxrss_mb)
            if fails:  # the first class in FAILURES' order names the input once
                primary[min(fails, key=FAILURES.index)] += 1
            sigs = {}
            for c in fails:
                outcomes[c] += 1
                if len(failing_seeds[c]) < 50:
                    failing_seeds[c].append(seed)
                sig = sigs[c] = signature(c, inp, run)
                known = signatures.setdefault(c, {})
                if sig not in known:
                    known[sig] = [0, seed]
                known[sig][0] += 1
                keep_example(c, list(known).index(sig), inp, path, run, detail, args.out)
            if fails:
                log.write(json.dumps({"seed": seed, "classes": fails, "signatures": sigs, "status": status,
                                      "rss_mb": round(run.maxrss_mb), "s": round(run.elapsed_s, 2),
                                      "description": inp.description[:200]}, ensure_ascii=False) + "\n")
                log.flush()
            now = time.monotonic()
            if now - last_report[0] >= 60:
                last_report[0] = now
                rate = done[0] / (now - t0)
                figures = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                print(f"[{(now - t0) / 60:.0f} min] {done[0]}/{args.inputs} inputs ({rate:.2f}/s, "
                      f"~{(args.inputs - done[0]) / rate / 60:.0f} min left): {figures}", file=sys.stderr, flush=True)
                checkpoint[0]()

    def summary(interrupted: bool = False) -> dict[str, Any]:
        elapsed = time.monotonic() - t0
        return {
            "inputs": done[0],
            "seeds": [args.start, args.start + args.inputs - 1],
            "interrupted": interrupted,
            "imported": outcomes.get("imported", 0),
            "rejected": outcomes.get("rejected", 0),
            "no_report": outcomes.get("no_report", 0),
            **{c: outcomes.get(c, 0) for c in FAILURES},
            "failing_inputs": sum(primary.values()),
            "by_first_class": {c: primary[c] for c in FAILURES if primary[c]},
            "failing_seeds": {c: s for c, s in failing_seeds.items() if s},
            "signatures": {c: {sig: {"inputs": n, "first_seed": first} for sig, (n, first) in sigs.items()}
                           for c, sigs in signatures.items()},
            "peak_rss_mb_max": round(max(rss), 1) if rss else None,
            "peak_rss_mb_median": round(statistics.median(rss), 1) if rss else None,
            "seconds": round(elapsed, 1),
            "inputs_per_s": round(done[0] / elapsed, 2) if elapsed else None,
            "jobs": args.jobs,
            "timeout_s": args.timeout,
            "max_mb": args.max_mb,
            "examples": str(args.out),
        }

    checkpoint[0] = lambda: (args.out / "summary.json").write_text(json.dumps(summary(True), ensure_ascii=False))
    seeds = list(range(args.start, args.start + args.inputs))
    slots = [seeds[k::args.jobs] for k in range(args.jobs)]
    stop = threading.Event()
    # SIGTERM or Ctrl-C: finish the inputs in flight, then report what was done.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def run_slot(k: int) -> None:
        for s in slots[k]:
            if stop.is_set():
                return
            one(s, k)

    with ThreadPoolExecutor(args.jobs) as ex:
        futures = [ex.submit(run_slot, k) for k in range(args.jobs)]
        while not all(f.done() for f in futures):
            time.sleep(0.2)
        for f in futures:
            f.result()
    shutil.rmtree(work, ignore_errors=True)
    log.close()
    result = summary(stop.is_set())
    (args.out / "summary.json").write_text(json.dumps(result, ensure_ascii=False))
    print(json.dumps(result, ensure_ascii=False))

if __name__ == "__main__":
    main()
