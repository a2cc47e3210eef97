"""Layout soak: thousands of generated exports through the importer, the failures counted by class.

Why: ``tests/test_layouts.py`` runs a few hundred layouts in CI time; the long tail of layouts (a
wording here, a note row there, in one format of one system) shows only over thousands.  Each seed
is one export built by ``tests/exportgen.py`` from known records; it is imported with no mapping
into a fresh in-memory store and compared with its truth (report counts, column mapping, stored
rows and items, ``analytics.summary.summary``), then imported again (nothing may change).  Every seventh seed
(``exportgen.dup_seeds``) also writes a layout of the same system, kind and format with one row
repeated (one record, one duplicate).

Printed: per system and per format how many layouts pass; each failure class with the number of
layouts showing it and one example seed; the time.  The last line is one JSON object with those
figures (README quotes them).  The exit status is 0 whatever fails: this measures, CI asserts.

    python bench/layout_soak.py                      # 3,000 layouts on both cores
    python bench/layout_soak.py --layouts 500 --system legacy_gbk
    python bench/layout_soak.py --seed 17 --keep /tmp/l17   # one layout: every difference, the file kept
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

def run_one(seed: int, keep: str | None = None, verbose: bool = False) -> dict[str, Any]:
    """Generate, import, compare and re-import one layout (and its repeated-row twin).

    Returns the layout's identity and ``classes``: failure class -> the first detail seen.
    """
    from qa_analytics import store
    from qa_analytics.ingest.importer import import_file

    import exportgen as eg

    out = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="soak"))
    t0 = time.perf_counter()
    classes: dict[str, str] = {}
    lines: list[str] = []

    def note(prefix: str, export: eg.Export, problems: list[eg.Discrepancy]) -> None:
        for d in problems:
            classes.setdefault(prefix + d.cls, d.detail)
        if verbose:
            lines.append(export.describe())
            if keep:
                lines.append(f"  file: {export.path}")
            lines.extend(f"  {prefix}{d}" for d in problems)

    export = eg.generate(seed, out)
    try:
        con = store.connect(":memory:")
        try:
            report = import_file(con, export.path)
            problems = eg.check_import(con, export, report)
            if report.status == "imported":
                before = eg.stored_snapshot(con)
                again = import_file(con, export.path)
                problems += eg.check_reimport(before, eg.stored_snapshot(con), export, again)
        finally:
            con.close()
        note("", export, problems)
        if eg.dup_seeds(range(seed, seed + 1)):
            dup = eg.generate(seed, out, duplicate_row=True)
            con = store.connect(":memory:")
            try:
                note("dup:", dup, eg.check_import(con, dup, import_file(con, dup.path)))
            finally:
                con.close()
    except Exception as exc:  # a crash is a failure class too, never the end of the soak
        classes[f"crash:{type(exc).__name__}"] = traceback.format_exc().strip().splitlines()[-1][:300]
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    return {"seed": seed, "system": export.system, "kind": export.kind, "fmt": export.fmt, "shape": export.shape,
            "classes": classes, "seconds": time.perf_counter() - t0, "lines": lines}


def _table(title: str, counts: dict[str, list[int]]) -> list[str]:
    rows = [f"{title:<20} {'layouts':>8} {'passed':>8} {'failed':>8}"]
    for name, (n, ok) in sorted(counts.items()):
        rows.append(f"{name:<20} {n:>8} {ok:>8} {n - ok:>8}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layouts", type=int, default=3000, help="how many seeds (default 3000)")
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2: the machine's cores)")
    ap.add_argument("--system", help="only the seeds of this system profile")
    ap.add_argument("--seed", type=int, help="run this one seed and print every difference")
    ap.add_argument("--keep", help="with --seed: write the files here and keep them")
    args = ap.parse_args(argv)

    import exportgen as eg

    if args.seed is not None:
        res = run_one(args.seed, keep=args.keep, verbose=True)
        print("\n".join(res["lines"]) or f"seed {args.seed}: no difference")
        for cls, detail in res["classes"].items():
            if cls.startswith("crash:"):
                print(f"  {cls}: {detail}")
        print(json.dumps({"seed": args.seed, "passed": not res["classes"], "classes": sorted(res["classes"])},
                         ensure_ascii=False))
        return 0

    seeds = list(range(args.start, args.start + args.layouts))
    if args.system:
        if args.system not in eg.SYSTEMS:
            ap.error(f"unknown system {args.system!r}; one of {', '.join(eg.SYSTEMS)}")
        names = list(eg.SYSTEMS)
        k = names.index(args.system)
        seeds = [args.start + k + len(names) * i for i in range(args.layouts)]
    t0 = time.perf_counter()
    results: list[dict[str, Any]] = []

    def collect(done: Any) -> None:
        for r in done:
            results.append(r)
            if len(results) % 250 == 0:  # a sign of life on long runs (stderr: stdout stays the report)
                print(f"  {len(results)}/{len(seeds)} layouts, {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    if args.jobs > 1:
        # Not multiprocessing.Pool: its workers are daemonic, and an import reads
        # every file in a child process of its own (qa_analytics.ingest.isolation).
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            collect(pool.map(run_one, seeds, chunksize=8))
    else:
        collect(run_one(s) for s in seeds)
    wall = time.perf_counter() - t0
    results.sort(key=lambda r: r["seed"])

    by_system: dict[str, list[int]] = {}
    by_format: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    class_count: Counter[str] = Counter()
    example: dict[str, tuple[int, str]] = {}
    for r in results:
        ok = not r["classes"]
        for table, key in ((by_system, r["system"]), (by_format, r["fmt"]), (by_kind, r["kind"])):
            t = table.setdefault(key, [0, 0])
            t[0] += 1
            t[1] += ok
        for cls, detail in r["classes"].items():
            class_count[cls] += 1
            example.setdefault(cls, (r["seed"], detail))
    passed = sum(1 for r in results if not r["classes"])
    # Layouts whose only failure is the summary's rounding (expected to go, issue 8).
    only_rounding = sum(1 for r in results if r["classes"] and all(
        c.removeprefix("dup:").startswith("summary-rounded:") for c in r["classes"]))
    dup_seeds = [r for r in results if eg.dup_seeds(range(r["seed"], r["seed"] + 1))]
    dup_failed = sum(1 for r in dup_seeds if any(c.startswith("dup:") for c in r["classes"]))

    print(f"layout soak: {len(results)} layouts (seeds {seeds[0]}..{seeds[-1]}), {args.jobs} jobs, "
          f"{wall:.1f} s wall ({sum(r['seconds'] for r in results) / len(results):.2f} s per layout in a worker)")
    print(f"passed {passed}, failed {len(results) - passed} (of which {only_rounding} only by summary's rounding); "
          f"repeated-row twins: {len(dup_seeds)}, failed {dup_failed}")
    for title, counts in (("system", by_system), ("format", by_format), ("kind", by_kind)):
        print()
        print("\n".join(_table(title, counts)))
    print()
    print(f"failure classes ({len(class_count)}): layouts showing it, example seed, first instance")
    for cls, n in class_count.most_common():
        seed, detail = example[cls]
        print(f"{n:>6}  {cls:<48} seed {seed:<6} {detail[:150]}")
    figures = {
        "layouts": len(results),
        "passed": passed,
        "failed": len(results) - passed,
        "failed_only_by_rounding": only_rounding,
        "dup_layouts": len(dup_seeds),
        "dup_failed": dup_failed,
        "seconds": round(wall, 1),
        "layouts_per_s": round(len(results) / wall, 2),
        "jobs": args.jobs,
        "by_system": {k: {"layouts": v[0], "passed": v[1]} for k, v in sorted(by_system.items())},
        "by_format": {k: {"layouts": v[0], "passed": v[1]} for k, v in sorted(by_format.items())},
        "classes": {cls: {"layouts": n, "seed": example[cls][0]} for cls, n in class_count.most_common()},
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
