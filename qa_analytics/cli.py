"""``python -m qa_analytics``: import, summary, demo, batches, undo.

This is a contract that scripts rely on: JSON on stdout where promised,
human progress and messages on stderr, and exit codes 0 (all good),
1 (a file was rejected / an undo refused), 2 (usage error).  A bad file is a
message, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from . import store
from .schema import KIND_NAMES

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line reason
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _mapping(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f'--map takes "表头=field", got {text!r}')
    header, fld = text.rsplit("=", 1)
    if not header.strip() or not fld.strip():
        raise argparse.ArgumentTypeError(f'--map takes "表头=field", got {text!r}')
    return header.strip(), fld.strip()


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m qa_analytics", description="Hotline service-quality analytics")
    p.add_argument("--db", help="database file (default: $QA_DB or data/qa.duckdb)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    imp = sub.add_parser("import", help="import monitoring / call-test / survey / roster / system-check exports")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument("--kind", default="auto", choices=("auto", *KIND_NAMES))
    imp.add_argument("--map", action="append", type=_mapping, default=[], metavar='"表头=field"',
                     help="map a header to a field (or to 'item' / 'ignore'); repeatable")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows; write the rejected ones to a rejects workbook")
    imp.add_argument("--rejects-dir", help="where rejects workbooks go (default: beside the database)")
    imp.add_argument("--json", action="store_true", help="print the reports as JSON")

    sm = sub.add_parser("summary", help="headline figures for a period, as JSON")
    sm.add_argument("--from", dest="date_from", type=_date)
    sm.add_argument("--to", dest="date_to", type=_date)

    dm = sub.add_parser("demo", help="fill the database with realistic demo data")
    dm.add_argument("--months", type=int, default=18)
    dm.add_argument("--seed", type=int, default=7)
    dm.add_argument("--end", type=_date, help="last day covered (default: end of last month)")
    dm.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")

    sub.add_parser("batches", help="the import log, as JSON")
    un = sub.add_parser("undo", help="undo one import batch exactly")
    un.add_argument("batch_id", type=int)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        con = store.connect(args.db)
    except Exception as exc:  # locked or unreadable database file
        print(f"error: cannot open the database: {exc}", file=sys.stderr)
        return 2
    try:
        return _COMMANDS[args.command](con, args)
    finally:
        con.close()


def _cmd_import(con, args) -> int:
    from .importer import import_file

    kind = None if args.kind == "auto" else args.kind
    overrides = dict(args.map)
    reports = []
    for raw_path in args.paths:
        path = Path(raw_path)
        if not args.json:
            print(f"importing {path.name} ...", file=sys.stderr, flush=True)

        def progress(stage: str, frac: float, _name=path.name) -> None:
            if not args.json and stage != "done":
                print(f"  {_name}: {stage} ({frac:.0%})", file=sys.stderr, flush=True)

        rep = import_file(con, path, kind=kind, overrides=overrides, skip_invalid=args.skip_invalid,
                          rejects_dir=args.rejects_dir, progress=progress)
        reports.append(rep)
        if not args.json:
            _print_report(rep)
    if args.json:
        keys = ("file", "kind", "rows_read", "rows_imported", "rows_updated", "rows_duplicate",
                "rows_rejected", "errors")
        out = []
        for r in reports:
            d = r.to_dict()
            item = {k: d[k] for k in keys}
            item["errors"] = [{k: e[k] for k in ("sheet", "row", "column", "value", "message")}
                              for e in d["errors"]]
            for k in ("status", "message", "sheet", "batch_id", "rows_skipped", "mapping",
                      "ignored_columns", "rejects_file"):
                item[k] = d[k]
            out.append(item)
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0 if all(r.status == "imported" for r in reports) else 1


def _print_report(rep) -> None:
    if rep.status == "imported":
        print(
            f"{rep.file}: {rep.kind}, {rep.rows_read} rows read: {rep.rows_imported} new, "
            f"{rep.rows_updated} updated, {rep.rows_duplicate} already there, {rep.rows_rejected} rejected"
            f" (batch {rep.batch_id})"
        )
        if rep.rejects_file:
            print(f"  rejected rows written to {rep.rejects_file}")
    else:
        print(f"{rep.file}: REJECTED, nothing imported: {rep.message}")
    for e in rep.errors[:50]:
        print(f"  sheet {e['sheet']}, row {e['row']}, column {e['column']}: {e['message']} (value {e['value']!r})")
    if len(rep.errors) > 50:
        print(f"  ... and {len(rep.errors) - 50} more problems (use --json for all)")
    if rep.ignored_columns:
        print(f"  columns not used: {', '.join(rep.ignored_columns)}")


def _cmd_summary(con, args) -> int:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        print("error: --from is after --to", file=sys.stderr)
        return 2
    print(json.dumps(store.summary(con, args.date_from, args.date_to), ensure_ascii=False, indent=2))
    return 0


def _cmd_demo(con, args) -> int:
    from .demo_loader import load_demo

    if args.months < 1 or args.months > 120:
        print("error: --months must be between 1 and 120", file=sys.stderr)
        return 2
    if args.if_empty and any(c["records"] for c in store.record_counts(con)):
        print("the database already has data; demo skipped", file=sys.stderr)
        return 0
    counts = load_demo(con, months=args.months, seed=args.seed, end=args.end,
                       progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(json.dumps(counts, ensure_ascii=False, indent=2))
    return 0


def _cmd_batches(con, args) -> int:
    print(json.dumps(store.list_batches(con), ensure_ascii=False, indent=2, default=str))
    return 0


def _cmd_undo(con, args) -> int:
    try:
        res: dict[str, Any] = store.undo_batch(con, args.batch_id)
    except store.UndoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"batch_id": args.batch_id, **res}))
    return 0


_COMMANDS = {
    "import": _cmd_import,
    "summary": _cmd_summary,
    "demo": _cmd_demo,
    "batches": _cmd_batches,
    "undo": _cmd_undo,
}
