"""``python -m qa_analytics``: import, summary, demo, batches, undo, mappings, actions.

This is a contract that scripts rely on: JSON on stdout where promised,
human progress and messages on stderr, and exit codes

* 0 all good;
* 1 a file was rejected (nothing of it written), an undo or an action refused;
* 2 usage error (a wrong option or ``--map`` value);
* 3 the database is busy: another program held it past the wait
  (``$QA_LOCK_TIMEOUT`` seconds, default 30);
* 4 the database cannot be opened (corrupt, unreadable, from a newer release).

A bad file is a message, never a traceback; with ``--json`` the output is
valid JSON whatever happens.  ``--db`` and ``--lang`` are accepted before or
after the command.  While the dashboard serves the same database, commands
are handed to its process and run there (``qa_analytics.service``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from . import store
from .core.codes import resolve_lang
from .store.schema import KIND_NAMES, KINDS

__all__ = ["main", "build_parser", "run_forwarded", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "EXIT_BUSY",
           "EXIT_DATABASE"]

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY, EXIT_DATABASE = 0, 1, 2, 3, 4

MAP_TARGETS = ("item", "ignore")


def _all_fields() -> list[str]:
    return sorted({f for k in KINDS.values() for f in k.field_names})


def _fields_help() -> str:
    lines = ["fields for --map, by kind (or 'item' for a QA item column, 'ignore' to leave a column out):"]
    for k in KINDS.values():
        lines.append(f"  {k.name}: {', '.join(k.field_names)}")
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line reason
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _mapping(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f'--map takes "表头=field", got {text!r}')
    header, fld = text.rsplit("=", 1)
    header, fld = header.strip(), fld.strip()
    if not header or not fld:
        raise argparse.ArgumentTypeError(f'--map takes "表头=field", got {text!r}')
    valid = set(_all_fields()) | set(MAP_TARGETS)
    if fld not in valid:
        raise argparse.ArgumentTypeError(
            f"--map {header}={fld}: {fld!r} is not a field; valid: {', '.join(_all_fields())}, item, ignore"
        )
    return header, fld


def _common(p: argparse.ArgumentParser, top: bool) -> None:
    """``--db`` and ``--lang``, before the command or after it."""
    default = None if top else argparse.SUPPRESS
    p.add_argument("--db", default=default, help="database file (default: $QA_DB or data/qa.duckdb)")
    p.add_argument("--lang", default=default, choices=("zh", "en"),
                   help="language of messages (default: $QA_LANG, else the locale)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m qa_analytics", description="Hotline service-quality analytics",
                epilog="exit codes: 0 ok, 1 a file rejected or an undo refused, 2 usage error, "
                       "3 database busy, 4 database cannot be opened")
    _common(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    imp = sub.add_parser("import", help="import monitoring / call-test / survey / roster / system-check exports",
                         epilog=_fields_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument("--kind", default="auto", choices=("auto", *KIND_NAMES))
    imp.add_argument("--map", action="append", type=_mapping, default=[], metavar='"表头=field"',
                     help="map a header to a field (or to 'item' / 'ignore'); repeatable; saved for the "
                          "layout and applied to its next exports")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows; write the rejected ones to a rejects workbook")
    imp.add_argument("--rejects-dir", help="where rejects workbooks go (default: beside the database)")
    imp.add_argument("--no-save-mapping", action="store_true", help="do not save the --map corrections")
    imp.add_argument("--json", action="store_true", help="print the reports as JSON")
    _common(imp, top=False)

    sm = sub.add_parser("summary", help="headline figures for a period, as JSON")
    sm.add_argument("--from", dest="date_from", type=_date)
    sm.add_argument("--to", dest="date_to", type=_date)
    _common(sm, top=False)

    dm = sub.add_parser("demo", help="fill the database with realistic demo data")
    dm.add_argument("--months", type=int, default=18)
    dm.add_argument("--seed", type=int, default=7)
    dm.add_argument("--end", type=_date, help="last day covered (default: end of last month)")
    dm.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
    _common(dm, top=False)

    bt = sub.add_parser("batches", help="the import log, as JSON")
    _common(bt, top=False)
    un = sub.add_parser("undo", help="undo one import batch exactly")
    un.add_argument("batch_id", type=int)
    _common(un, top=False)

    mp = sub.add_parser("mappings", help="saved column mappings: list, show, set, delete")
    mp.add_argument("action", nargs="?", default="list", choices=("list", "show", "set", "delete"))
    mp.add_argument("mapping_id", nargs="?", type=int)
    mp.add_argument("--map", action="append", type=_mapping, default=[], metavar='"表头=field"',
                    help="with set: change a column's target; repeatable")
    mp.add_argument("--label", help="with set: name the mapping (e.g. the system it comes from)")
    mp.add_argument("--kind", choices=KIND_NAMES, help="with set: the record kind")
    mp.add_argument("--json", action="store_true", help="print as JSON")
    _common(mp, top=False)

    ac = sub.add_parser("actions", help="the improvement register: list, add, show, close, reopen")
    ac.add_argument("action", nargs="?", default="list", choices=("list", "add", "show", "close", "reopen"))
    ac.add_argument("action_id", nargs="?", type=int)
    ac.add_argument("--json", action="store_true", help="print as JSON")
    ac.add_argument("--status", choices=("open", "closed"), help="with list: only open or closed actions")
    ac.add_argument("--as-of", dest="as_of", type=_date, help="the day verdicts and overdue are judged on")
    ac.add_argument("--type", dest="type", help="with add: corrective | preventive | project | coaching")
    ac.add_argument("--title", help="with add: what is done")
    ac.add_argument("--scope", default="center", help="with add: center | team | agent | item | channel | system")
    ac.add_argument("--scope-value", dest="scope_value", help="with add: the team, agent id, item, channel or system")
    ac.add_argument("--metric", action="append", default=[], help="with add: a metric it should move; repeatable")
    ac.add_argument("--trigger", default="manual", help="with add: signal | funnel | evaluation | appeal | meeting | manual")
    ac.add_argument("--owner", default="")
    ac.add_argument("--opened", type=_date)
    ac.add_argument("--due", type=_date)
    ac.add_argument("--verify-after", dest="verify_after", type=_date)
    ac.add_argument("--parent", type=int, help="with add: the improvement project that holds it")
    ac.add_argument("--done", type=_date, help="with close: the day it was done (default today)")
    ac.add_argument("--note", default="", help="with close / reopen: a note")
    _common(ac, top=False)
    return p


def _absolutize(args: argparse.Namespace, cwd: str) -> None:
    """Paths as the caller meant them, wherever the command runs."""
    base = Path(cwd)
    if getattr(args, "paths", None):
        args.paths = [str(base / p) for p in args.paths]
    if getattr(args, "rejects_dir", None):
        args.rejects_dir = str(base / args.rejects_dir)
    if args.db:
        args.db = str(base / args.db)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    _absolutize(args, str(Path.cwd()))
    lang = resolve_lang(args.lang)
    out, err = sys.stdout, sys.stderr
    usage = _check_usage(args)
    if usage:
        print(f"error: {usage}", file=err)
        return EXIT_USAGE
    db = args.db or str(store.default_db_path())
    try:
        con = store.connect(db, timeout=0)
    except store.DatabaseBusy:
        # Held by another process: the dashboard's, which runs it for us, or
        # another command (an import), whose turn we wait for.
        from . import service

        code = service.forward(db, argv, lang=lang, user=store.current_user(), out=out, err=err)
        if code is not None:
            return code
        try:
            con = store.connect(db)
        except store.DatabaseBusy as exc:
            return _fail(args, exc.message(lang), exc.code_name, EXIT_BUSY, out, err)
        except store.DatabaseError as exc:
            return _fail(args, exc.message(lang), exc.code_name, EXIT_DATABASE, out, err)
    except store.DatabaseError as exc:
        return _fail(args, exc.message(lang), exc.code_name, EXIT_DATABASE, out, err)
    try:
        return _run(con, args, lang, out, err)
    finally:
        con.close()


def run_forwarded(argv: list[str], cwd: str, lang: str, user: str, out: TextIO, err: TextIO) -> int:
    """Run a command handed over by another process (``service``), here, on
    this process's connection to the database, as that process's user."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # the client parsed it already; only a version skew gets here
        return int(exc.code or EXIT_USAGE)
    _absolutize(args, cwd)
    usage = _check_usage(args)
    if usage:
        print(f"error: {usage}", file=err)
        return EXIT_USAGE
    try:
        con = store.connect(args.db or store.default_db_path())
    except (store.DatabaseBusy, store.DatabaseError) as exc:
        code = EXIT_BUSY if isinstance(exc, store.DatabaseBusy) else EXIT_DATABASE
        return _fail(args, exc.message(lang), exc.code_name, code, out, err)
    try:
        with store.acting_as(user):
            return _run(con, args, lang, out, err)
    finally:
        con.close()


def _check_usage(args: argparse.Namespace) -> str | None:
    """Usage errors argparse cannot see: a --map field not of the --kind given."""
    if args.command == "import" and args.kind != "auto":
        fields = set(KINDS[args.kind].field_names) | set(MAP_TARGETS)
        bad = [f"{h}={f}" for h, f in args.map if f not in fields]
        if bad:
            return (f"--map {', '.join(bad)}: not a field of {args.kind}; valid: "
                    f"{', '.join(KINDS[args.kind].field_names)}, item, ignore")
    if args.command == "summary" and args.date_from and args.date_to and args.date_from > args.date_to:
        return "--from is after --to"
    if args.command == "demo" and not 1 <= args.months <= 120:
        return "--months must be between 1 and 120"
    if args.command == "mappings" and args.action != "list" and args.mapping_id is None:
        return f"mappings {args.action} needs a mapping id (see: mappings list)"
    if args.command == "actions":
        if args.action in ("show", "close", "reopen") and args.action_id is None:
            return f"actions {args.action} needs an action id (see: actions list)"
        if args.action == "add" and not (args.type and args.title is not None):
            return "actions add needs --type and --title"
    return None


def _fail(args: argparse.Namespace, message: str, code: str, exit_code: int, out: TextIO, err: TextIO) -> int:
    """A failure before any command ran; JSON-speaking commands still answer JSON."""
    print(f"error: {message}", file=err)
    if getattr(args, "json", False):
        print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False), file=out)
    return exit_code


def _run(con, args: argparse.Namespace, lang: str, out: TextIO, err: TextIO) -> int:
    return _COMMANDS[args.command](con, args, lang, out, err)


# --- import -------------------------------------------------------------

_JSON_KEYS = ("file", "kind", "status", "code", "message", "rows_read", "rows_imported", "rows_updated",
              "rows_duplicate", "rows_rejected", "rows_skipped", "rows_stale", "skipped", "errors", "error_groups",
              "warnings", "sheet", "batch_id", "mapping", "ignored_columns", "ignored_reasons",
              "saved_mapping_id", "export_time", "rejects_file")
_ERROR_KEYS = ("sheet", "row", "column", "value", "code", "field", "params", "message")


def _cmd_import(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    from .ingest.importer import ImportReport, import_file

    kind = None if args.kind == "auto" else args.kind
    overrides = dict(args.map)
    reports: list[ImportReport] = []
    for raw_path in args.paths:
        path = Path(raw_path)
        if not args.json:
            print(f"importing {path.name} ...", file=err, flush=True)

        def progress(stage: str, frac: float, _name=path.name) -> None:
            if not args.json and stage != "done":
                print(f"  {_name}: {stage} ({frac:.0%})", file=err, flush=True)

        try:
            rep = import_file(con, path, kind=kind, overrides=overrides, skip_invalid=args.skip_invalid,
                              rejects_dir=args.rejects_dir, progress=progress, lang=lang,
                              save_mapping=bool(overrides) and not args.no_save_mapping)
        except Exception as exc:  # a bug, not a bad file: still a report, still JSON
            rep = _internal_error(path.name, kind, exc, lang)
        reports.append(rep)
        if not args.json:
            _print_report(rep, lang, out)
    if args.json:
        items = []
        for r in reports:
            d = r.to_dict()
            item = {k: d[k] for k in _JSON_KEYS}
            item["errors"] = [{k: e.get(k) for k in _ERROR_KEYS} for e in d["errors"]]
            items.append(item)
        print(json.dumps(items, ensure_ascii=False, indent=2, default=str), file=out)
    return EXIT_OK if all(r.status == "imported" for r in reports) else EXIT_REJECTED


def _internal_error(name: str, kind: str | None, exc: Exception, lang: str):
    from .core.codes import Problem
    from .ingest.importer import INTERNAL_ERROR, rejected_report

    return rejected_report(name, kind, Problem(INTERNAL_ERROR, error=f"{type(exc).__name__}: {exc}"[:300]), lang)


_LABELS = {
    "en": {"rows": "rows read", "new": "new", "updated": "updated", "dup": "already there", "rej": "rejected",
           "stale": "older than stored", "batch": "batch", "rejected": "REJECTED, nothing imported",
           "rejects": "rejected rows written to", "ignored": "columns not used", "more": "more problems (use --json for all)"},
    "zh": {"rows": "行读取", "new": "新增", "updated": "更新", "dup": "已存在", "rej": "拒绝", "stale": "比库中旧",
           "batch": "批次", "rejected": "已拒绝，未导入任何数据", "rejects": "被拒绝的行已写入",
           "ignored": "未使用的列", "more": "个问题未列出（用 --json 查看全部）"},
}


def _print_report(rep, lang: str, stream: TextIO) -> None:
    w = _LABELS["zh" if lang == "zh" else "en"]
    if rep.status == "imported":
        print(f"{rep.file}: {rep.kind}, {rep.rows_read} {w['rows']}: {rep.rows_imported} {w['new']}, "
              f"{rep.rows_updated} {w['updated']}, {rep.rows_duplicate} {w['dup']}, {rep.rows_rejected} {w['rej']}"
              + (f", {rep.rows_stale} {w['stale']}" if rep.rows_stale else "")
              + f" ({w['batch']} {rep.batch_id})", file=stream)
        if rep.rejects_file:
            print(f"  {w['rejects']} {rep.rejects_file}", file=stream)
    else:
        print(f"{rep.file}: {w['rejected']}: {rep.message}", file=stream)
    for warning in rep.warnings:
        print(f"  ! {warning['message']}", file=stream)
    groups = rep.error_groups or []
    for g in groups[:20]:
        print(f"  {g['message']} ({g['first_row']}: {g['example_value']!r})", file=stream)
    if len(groups) > 20:
        print(f"  ... {len(groups) - 20} {w['more']}", file=stream)
    if rep.ignored_columns:
        print(f"  {w['ignored']}: " + "; ".join(f"{h} ({rep.ignored_reasons.get(h, '')})" for h in rep.ignored_columns),
              file=stream)


# --- the other commands ------------------------------------------------------

def _cmd_summary(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    from .analytics.summary import summary

    print(json.dumps(summary(con, args.date_from, args.date_to), ensure_ascii=False, indent=2), file=out)
    return EXIT_OK


def _cmd_demo(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    from .demo.load import load_demo

    if args.if_empty and any(c["records"] for c in store.record_counts(con)):
        print("the database already has data; demo skipped", file=err)
        return EXIT_OK
    counts = load_demo(con, months=args.months, seed=args.seed, end=args.end,
                       progress=lambda msg: print(msg, file=err, flush=True))
    print(json.dumps(counts, ensure_ascii=False, indent=2), file=out)
    return EXIT_OK


def _cmd_batches(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    print(json.dumps(store.list_batches(con), ensure_ascii=False, indent=2, default=str), file=out)
    return EXIT_OK


def _cmd_undo(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    try:
        res: dict[str, Any] = store.undo_batch(con, args.batch_id)
    except store.UndoError as exc:
        print(f"error: {exc.message(lang)}", file=err)
        return EXIT_REJECTED
    print(json.dumps({"batch_id": args.batch_id, **res}), file=out)
    return EXIT_OK


def _cmd_mappings(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    from .core.codes import Problem
    from .ingest import mappings

    try:
        if args.action == "list":
            saved = [m.to_dict() for m in mappings.list_saved(con)]
            if args.json:
                print(json.dumps(saved, ensure_ascii=False, indent=2), file=out)
            else:
                for m in saved:
                    n = sum(1 for t in m["columns"].values() if t != "ignore")
                    print(f"#{m['mapping_id']}  {m['kind']:<12} {m['label'] or '-':<16} {n} columns mapped, "
                          f"used {m['used_count']}x, last {m['last_used_at'] or m['created_at']}", file=out)
            return EXIT_OK
        if args.action == "delete":
            mappings.delete(con, args.mapping_id)
            print(json.dumps({"deleted": args.mapping_id}), file=out)
            return EXIT_OK
        if args.action == "set":
            m = mappings.update(con, args.mapping_id, columns=dict(args.map) or None, label=args.label, kind=args.kind)
        else:
            m = mappings.get(con, args.mapping_id)
        print(json.dumps(m.to_dict(), ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    except Problem as exc:
        print(f"error: {exc.message(lang)}", file=err)
        return EXIT_REJECTED if isinstance(exc, mappings.MappingNotFound) else EXIT_USAGE


def _cmd_actions(con, args, lang: str, out: TextIO, err: TextIO) -> int:
    from .core.codes import say
    from .improvement import register as reg
    from .improvement.verify import VERDICT, verify_action

    as_of = args.as_of or dt.date.today()

    def entry(a, history: bool = False) -> dict[str, Any]:
        v = verify_action(con, a, as_of=as_of)
        d = a.to_dict()
        d.update(verdict=v.verdict, overdue=reg.is_overdue(a, as_of), verification=v.to_dict(),
                 summary=v.text(lang), title_line=a.text(lang))
        if history:
            h = reg.action_history(con, a.id)
            d["history"] = json.loads(h.to_json(orient="records", date_format="iso"))
        return d

    def line(d: dict[str, Any]) -> str:
        flag = f" [{say(reg.OVERDUE, lang)}]" if d["overdue"] else ""
        return f"{d['title_line']}: {say(VERDICT[d['verdict']], lang)}{flag}"

    try:
        if args.action == "list":
            items = [entry(a) for a in reg.list_actions(con, status=args.status)]
            if args.json:
                print(json.dumps(items, ensure_ascii=False, indent=2, default=str), file=out)
            else:
                for d in items:
                    print(line(d), file=out)
            return EXIT_OK
        if args.action == "add":
            a = reg.create_action(con, type=args.type, title=args.title, scope=args.scope,
                                  scope_value=args.scope_value, metrics=args.metric, trigger=args.trigger,
                                  owner=args.owner, opened=args.opened, due=args.due,
                                  verify_after=args.verify_after, parent_id=args.parent)
            print(json.dumps({"id": a.id, **a.to_dict()}, ensure_ascii=False, indent=2) if args.json else a.id,
                  file=out)
            return EXIT_OK
        if args.action == "close":
            a = reg.close_action(con, args.action_id, done=args.done, note=args.note)
        elif args.action == "reopen":
            a = reg.reopen_action(con, args.action_id, note=args.note)
        else:
            a = reg.get_action(con, args.action_id)
        d = entry(a, history=args.action == "show")
        if args.json:
            print(json.dumps(d, ensure_ascii=False, indent=2, default=str), file=out)
        else:
            print(line(d), file=out)
            print(d["summary"], file=out)
        return EXIT_OK
    except reg.ActionError as exc:
        return _fail(args, exc.message(lang), exc.code_name, EXIT_REJECTED, out, err)


_COMMANDS = {
    "import": _cmd_import,
    "summary": _cmd_summary,
    "demo": _cmd_demo,
    "batches": _cmd_batches,
    "undo": _cmd_undo,
    "mappings": _cmd_mappings,
    "actions": _cmd_actions,
}
