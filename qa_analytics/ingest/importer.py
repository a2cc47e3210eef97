"""Import one export file: read, map, validate/normalise, store — all or nothing.

Why one transaction per file: an analyst must never have to wonder which
half of a file made it in.  Either every row is stored (or, with
``skip_invalid``, every valid row, with the rest written to a rejects
workbook), or nothing is, and the report lists every problem by sheet,
Excel row number, column, value, a machine-readable code and the reason in
the user's language.  A file rejected as a whole has one error too (row and
column empty), so a script that reads ``errors`` always sees why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from .. import store
from ..core.codes import Problem, define, render, resolve_lang
from ..export import write_xlsx
from ..store.schema import KINDS
from . import mappings
from .isolation import run_isolated
from .mapping import (
    MISSING_FIELDS,
    NO_AGENT_ID,
    NO_HEADER_IN_SHEET,
    NOT_AN_EXPORT,
    ColumnMapping,
    HeaderLayout,
    MappingError,
    cell_shape,
    find_header,
    map_columns,
    match_concept,
    normalize_header,
)
from .normalize import drop_staging, stage_rows
from .read import RawSheet, ReadError, Workbook

__all__ = ["ImportReport", "ImportPlan", "plan_import", "import_file", "Progress", "field_choices", "rejected_report"]

Progress = Callable[[str, float], None]

ROWS_INVALID = define(
    "rows_invalid",
    en="{invalid} of {total} rows are invalid; nothing was imported (fix the file, or import the valid rows "
       "with --skip-invalid)",
    zh="{total} 行中有 {invalid} 行无效，未导入任何数据（请修改文件，或选择只导入有效行）",
)
ALL_ROWS_INVALID = define(
    "all_rows_invalid",
    en="every one of the {total} rows is invalid, so the columns are probably mapped wrongly; nothing was "
       "imported: {top}",
    zh="全部 {total} 行都无效，很可能是列的对应关系有误；未导入任何数据：{top}",
)
NO_DATA_ROWS = define("no_data_rows", en="the sheet has a header but no data rows", zh="工作表有表头，但没有数据行")
INTERNAL_ERROR = define(
    "internal_error",
    en="the import failed on an unexpected error ({error}); nothing was imported — please report this",
    zh="导入时发生意外错误（{error}），未导入任何数据；请报告此问题",
)
IMPORT_FAILED = define("import_failed", en="the file could not be imported: {reason}", zh="文件无法导入：{reason}")
GROUPED = define("grouped_rows", en="{rows} rows: {column}: {problem}", zh="{rows} 行：{column}：{problem}")
GROUPED_ONE = define("grouped_row", en="1 row: {column}: {problem}", zh="1 行：{column}：{problem}")
HINT_FIELD = define(
    "hint_map_field",
    en='did you mean the {field} field? --map "{column}={name}"',
    zh="是否应为“{field}”字段？--map \"{column}={name}\"",
)
SAVED_MAPPING_USED = define(
    "saved_mapping_used",
    en="the saved mapping #{mapping_id}{label} of this layout was applied",
    zh="已套用此版式的已保存映射 #{mapping_id}{label}",
)
IN_FILE_DUPLICATES = define(
    "in_file_duplicates",
    en="{n} rows repeat an earlier row of the file exactly and were counted as duplicates",
    zh="{n} 行与文件中前面的行完全相同，按重复记录计",
)
STALE_ROWS = define(
    "stale_rows",
    en="{n} records are older than the version already stored (by their own time) and were not applied",
    zh="{n} 条记录比库中已有的版本更旧（按记录自身的时间），未覆盖",
)


@dataclass
class ImportReport:
    """The per-file report of the command line and the Import page.

    ``errors``: every problem, one dict per (row, field) with ``sheet, row,
    column, value, code, params, message`` (a file rejected whole: one entry
    with ``row``/``column`` None).  ``error_groups``: the same grouped by
    code and column, with a hint where one column is plainly mapped wrongly.
    ``warnings``: coded notes (agents known by name only, a saved mapping
    applied, in-file duplicates, stale records).
    """

    file: str
    kind: str | None
    status: str  # imported | rejected | checked (dry run: nothing written)
    rows_read: int = 0
    rows_imported: int = 0
    rows_updated: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_stale: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_groups: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    code: str | None = None  # the rejection's code (None when imported)
    sheet: str | None = None
    batch_id: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    ignored_reasons: dict[str, str] = field(default_factory=dict)  # header -> why, in the user's language
    skipped: dict[str, int] = field(default_factory=dict)  # blank / total / note / header -> rows
    rejects_file: str | None = None
    saved_mapping_id: int | None = None  # the saved mapping applied, or saved by this import
    export_time: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportPlan:
    """What the importer would do with a file, before it does it: the sheet,
    its header layout and the column mapping (the Import page previews and
    lets the user correct this), and the saved mapping that shaped it."""

    path: Path
    sheet: RawSheet
    layout: HeaderLayout
    mapping: ColumnMapping
    signature: str = ""
    saved: mappings.SavedMapping | None = None
    overrides: dict[str, str] = field(default_factory=dict)  # what the user asked for (saved or given)
    export_time: dt.datetime | None = None
    display_name: str = ""

    def preview(self, n: int = 10) -> list[list[str | None]]:
        return self.sheet.rows(self.layout.data_start, self.layout.data_start + n)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _choose_sheet(book: Workbook, known: frozenset[str] = frozenset()) -> tuple[RawSheet, HeaderLayout]:
    """The sheet that looks most like an export (several sheets, one with data).

    A workbook with one sheet is read once, in full; with several, the first
    40 rows of each are scored and only the winner is read in full.
    """
    names = book.sheet_names()
    if len(names) == 1:
        raw = book.read(names[0])
        layout = find_header(raw, known=known)
        if layout is None:
            raise MappingError(NOT_AN_EXPORT)
        return raw, layout
    best: tuple[float, str] | None = None
    for name in names:
        try:
            head = book.read(name, n_rows=40)
        except ReadError:
            continue
        layout = find_header(head, known=known)
        if layout and (best is None or layout.score > best[0]):
            best = (layout.score, name)
    if best is None:
        raise MappingError(NOT_AN_EXPORT)
    raw = book.read(best[1])
    layout = find_header(raw, known=known)
    assert layout is not None  # the same first rows scored above
    return raw, layout


def _read_and_choose(path: Path, known: frozenset[str], sheet: str | None) -> tuple[RawSheet, HeaderLayout]:
    """Open the file, pick its sheet and find the header: the whole untrusted
    part of planning, run in the reader's child process (``run_isolated``)."""
    book = Workbook(path)
    if sheet is None:
        return _choose_sheet(book, known)
    raw = book.read(sheet)
    found = find_header(raw, known=known)
    if found is None:
        raise MappingError(NO_HEADER_IN_SHEET, sheet=sheet)
    return raw, found


def plan_import(
    path: str | Path,
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
    sheet: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    display_name: str | None = None,
) -> ImportPlan:
    """Read the file and work out its sheet, header and mapping (no writes).

    With ``con``, a mapping saved for this header layout is applied (the
    user's own ``overrides`` and ``kind`` still win over it).  ``display_name``
    is the name the user knows the file by (an upload is stored under its
    hash): its words hint at the kind, and name the rejects workbook.  Raises
    :class:`ReadError` or :class:`MappingError` (codes with parameters).
    """
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise MappingError(UNKNOWN_KIND_NAME, kind=kind, kinds=", ".join(KINDS))
    given = dict(overrides or {})
    # Headers the user mapped (now or in a saved mapping) count as header
    # cells: a home-grown layout whose headers no alias knows is still found.
    remembered = mappings.known_headers(con) if con is not None else frozenset()
    known = frozenset(normalize_header(h) for h in given) | remembered
    # Every byte of the file is parsed in a child process with a memory cap
    # and a time limit: a hostile workbook can kill the reader, not us.
    raw, layout = run_isolated(_read_and_choose, path, known, sheet)
    signature = mappings.layout_signature(layout)
    saved = mappings.find(con, signature) if con is not None else None
    effective = {**(saved.columns if saved else {}), **given}
    if saved is not None and kind is None:
        kind = saved.kind
    sample = raw.rows(layout.data_start, layout.data_start + 200)
    mapping = map_columns(layout, sample, kind=kind, overrides=effective, context=f"{display_name or path.name} {sheet}")
    _check_required(mapping, layout)
    if saved is not None:
        label = f" ({saved.label})" if saved.label else ""
        mapping.warnings.append({"code": SAVED_MAPPING_USED.name,
                                 "params": {"mapping_id": saved.mapping_id, "label": label}})
    return ImportPlan(path=path, sheet=raw, layout=layout, mapping=mapping, signature=signature, saved=saved,
                      overrides=effective, export_time=export_time_of(raw, layout),
                      display_name=display_name or path.name)


UNKNOWN_KIND_NAME = define("unknown_kind_name", en="unknown kind {kind!r}; expected one of {kinds}",
                           zh="未知的数据类型“{kind}”；可选：{kinds}")


def _check_required(mapping: ColumnMapping, layout: HeaderLayout) -> None:
    """Refuse a mapping that cannot give its kind what it needs: a required
    field without a column, or agents known only by a name column."""
    kind = KINDS[mapping.kind]
    headers = ", ".join(n for n in layout.names if n)[:300]
    if "agent_id" in kind.field_names and "agent_id" not in mapping.fields and "agent_name" in mapping.fields:
        header = layout.names[mapping.fields["agent_name"]] or "agent_name"
        f = kind.field("agent_id")
        raise MappingError(NO_AGENT_ID, header=header, kind=mapping.kind, field_en=f.label("en"),
                           field_zh=f.label("zh"))
    missing = [f for f in kind.fields if f.required and f.name not in mapping.fields]
    if missing:
        raise MappingError(MISSING_FIELDS, kind=mapping.kind, kind_zh=kind.label("zh"), headers=headers,
                           fields=", ".join(f.name for f in missing),
                           fields_zh="、".join(f"{f.label('zh')}（{f.name}）" for f in missing))


def field_choices(kind: str) -> list[str]:
    """What a column of ``kind`` can be mapped to: its fields, ``item`` (monitoring) and ``ignore``."""
    return list(KINDS[kind].field_names) + (["item"] if kind == "monitoring" else []) + ["ignore"]


# Lines such as 导出时间：2026-11-30 10:22 (in a title or note row) say when
# the export was made: the time its records' versions are as of.
_EXPORT_WORDS = re.compile(r"(导出|生成|制表|打印|统计|报表)(时间|日期)|export(ed)?\s*(at|time|on|date)?|generated\s*(at|on)?|"
                           r"printed\s*(at|on)?|as\s+of", re.IGNORECASE)
_STAMP = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]*(\d{1,2})[:：时](\d{1,2})"
                    r"(?:[:：分](\d{1,2}))?)?")


def export_time_of(sheet: RawSheet, layout: HeaderLayout) -> dt.datetime | None:
    """When the export says it was made, from a title or note line above the
    header or below the data (``导出时间：2026-11-30 10:22``); None if it does not say."""
    candidates = sheet.rows(0, layout.header_row) + sheet.rows(max(layout.data_start, sheet.n_rows - 20))
    for row in candidates:
        for cell in row:
            if not cell or not isinstance(cell, str):
                continue
            text = cell.strip()
            if not _EXPORT_WORDS.search(text):
                continue
            m = _STAMP.search(text)
            if not m:
                continue
            y, mo, d, hh, mm, ss = (int(x) if x else 0 for x in m.groups())
            try:
                return dt.datetime(y, mo, d, hh, mm, ss)
            except ValueError:
                continue
    return None


def _data_table(plan: ImportPlan) -> pa.Table:
    t = plan.sheet.table.slice(plan.layout.data_start)
    first_excel_row = plan.sheet.first_row + plan.layout.data_start
    # From a buffer: pa.array() of a range or an ndarray imports pandas (0.3 s).
    numbers = np.arange(first_excel_row, first_excel_row + t.num_rows, dtype=np.int32)
    rows = pa.Array.from_buffers(pa.int32(), len(numbers), [None, pa.py_buffer(numbers)])
    return t.append_column("__row", rows)


def _file_error(problem: Problem, lang: str) -> dict[str, Any]:
    return {"sheet": None, "row": None, "column": None, "value": None, "field": None,
            "code": problem.code_name, "params": dict(problem.params), "message": problem.message(lang)}


def _coded(entries: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [{**w, "message": render(w["code"], w.get("params"), lang)} for w in entries]


def rejected_report(name: str, kind: str | None, problem: Problem, lang: str, **extra: Any) -> ImportReport:
    """The report of a file rejected whole: its code, its message, one error saying why."""
    return ImportReport(file=name, kind=kind, status="rejected", message=problem.message(lang),
                        code=problem.code_name, errors=[_file_error(problem, lang)], **extra)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
    skip_invalid: bool = False,
    rejects_dir: str | Path | None = None,
    display_name: str | None = None,
    progress: Progress | None = None,
    plan: ImportPlan | None = None,
    dry_run: bool = False,
    save_mapping: bool | None = None,
    lang: str | None = None,
) -> ImportReport:
    """Import one file in one transaction and report what happened.

    Never raises for a bad file: unreadable, unrecognised or invalid files
    come back as a report with ``status="rejected"``, a ``code`` and a
    message in ``lang`` (``zh``/``en``; default from ``$QA_LANG`` or the
    locale).  ``dry_run`` validates and counts (new / updated / duplicate /
    stale against the database) and then rolls everything back: the Import
    page's preview.  ``save_mapping`` saves the mapping for this layout
    (default: when ``overrides`` corrected it); a mapping saved earlier for
    the layout is applied and the report says so.
    """
    path = Path(path)
    name = display_name or path.name
    lang = resolve_lang(lang)
    tick = progress or (lambda stage, frac: None)
    try:
        tick("read", 0.0)
        if plan is None:
            plan = plan_import(path, kind=kind, overrides=overrides, con=con, display_name=name)
        tick("map", 0.35)
    except (ReadError, MappingError) as exc:
        return rejected_report(name, kind, exc, lang)
    mapping = plan.mapping
    report = ImportReport(
        file=name,
        kind=mapping.kind,
        status="rejected",
        sheet=plan.sheet.name,
        mapping=mapping.describe(),
        ignored_columns=list(mapping.ignored),
        ignored_reasons={h: render(r["code"], r["params"], lang) for h, r in mapping.reasons.items()},
        export_time=plan.export_time.isoformat(timespec="seconds") if plan.export_time else None,
        saved_mapping_id=plan.saved.mapping_id if plan.saved else None,
    )
    warnings = list(mapping.warnings)
    data = _data_table(plan)
    if save_mapping is None:
        save_mapping = bool(overrides)
    try:
        with store.write_lock(con):
            con.execute("BEGIN TRANSACTION")
            try:
                outcome = _stage_and_merge(con, plan, data, name, report, warnings, skip_invalid, rejects_dir,
                                           dry_run, save_mapping, lang, tick)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            if outcome == "commit":
                con.execute("COMMIT")
            else:
                con.execute("ROLLBACK")
    except (duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
        # A value the rules let through but DuckDB cannot hold: still a bad
        # file, not a crash (the rules should catch it: report it as a bug).
        problem = Problem(IMPORT_FAILED, reason=str(exc).splitlines()[0][:300])
        report.message, report.code = problem.message(lang), problem.code_name
        report.errors = [*report.errors, _file_error(problem, lang)]
        report.status = "rejected"
        return report
    except store.DatabaseBusy as exc:
        return rejected_report(name, mapping.kind, exc, lang)
    finally:
        drop_staging(con)
    report.warnings = _coded(warnings, lang)
    if report.status == "imported":
        tick("done", 1.0)
    return report


def _stage_and_merge(con, plan: ImportPlan, data: pa.Table, name: str, report: ImportReport,
                     warnings: list[dict[str, Any]], skip_invalid: bool, rejects_dir, dry_run: bool,
                     save_mapping: bool, lang: str, tick: Progress) -> str:
    """The work inside the file's transaction; returns "commit" or "rollback"
    and fills ``report``."""
    mapping = plan.mapping
    tick("validate", 0.45)
    staged = stage_rows(con, data, mapping, plan.sheet.name, plan.layout.names,
                        source_time=plan.export_time, lang=lang)
    report.rows_read = staged.rows_read
    report.rows_skipped = staged.rows_skipped
    report.skipped = staged.skipped
    report.errors = staged.errors
    report.error_groups = group_errors(staged.errors, staged.rows_read, plan, lang)
    report.rows_rejected = len(staged.invalid_rows)
    if staged.duplicates_in_file:
        warnings.append({"code": IN_FILE_DUPLICATES.name, "params": {"n": staged.duplicates_in_file}})
    if staged.errors and not skip_invalid:
        if len(staged.invalid_rows) >= staged.rows_read and report.error_groups:
            problem = Problem(ALL_ROWS_INVALID, total=staged.rows_read, top=report.error_groups[0]["message"])
        else:
            problem = Problem(ROWS_INVALID, invalid=len(staged.invalid_rows), total=staged.rows_read)
        report.message, report.code = problem.message(lang), problem.code_name
        return "rollback"
    if staged.rows_read == 0 or staged.rows_valid == 0:
        problem = Problem(NO_DATA_ROWS) if staged.rows_read == 0 else Problem(
            ALL_ROWS_INVALID, total=staged.rows_read,
            top=report.error_groups[0]["message"] if report.error_groups else "")
        report.message, report.code = problem.message(lang), problem.code_name
        if staged.rows_read == 0:
            report.errors = [_file_error(problem, lang)]
        return "rollback"
    tick("store", 0.7)
    if dry_run:
        counts = store.classify_staged(con, mapping.kind, "staged")
        report.status = "checked"
        report.rows_imported, report.rows_updated = counts.imported, counts.updated
        report.rows_duplicate = counts.duplicate + staged.duplicates_in_file
        report.rows_stale = counts.stale
        if counts.stale:
            warnings.append({"code": STALE_ROWS.name, "params": {"n": counts.stale}})
        return "rollback"
    saved_id = plan.saved.mapping_id if plan.saved else None
    if save_mapping:
        saved_id = mappings.save(con, plan.layout, mapping.kind, mapping.targets())
    elif saved_id is not None:
        mappings.mark_used(con, saved_id)
    batch_id = store.new_batch(
        con,
        file_name=name,
        kind=mapping.kind,
        sha256=_sha256(plan.path),
        sheet=plan.sheet.name,
        mapping=report.mapping,
        export_time=plan.export_time,
        saved_mapping_id=saved_id,
        warnings=warnings or None,
    )
    wide = ("staged_rows", staged.wide_points) if staged.wide_points is not None else None
    counts = store.merge_staged(con, mapping.kind, batch_id, "staged", "staged_items", wide_items=wide)
    if counts.stale:
        warnings.append({"code": STALE_ROWS.name, "params": {"n": counts.stale}})
    rejects_file = None
    if staged.invalid_rows:
        rejects_file = str(_write_rejects(plan, staged.errors, staged.invalid_rows, batch_id, rejects_dir))
    store.finish_batch(
        con,
        batch_id,
        rows_read=staged.rows_read,
        counts=counts,
        rows_rejected=len(staged.invalid_rows),
        rejects_file=rejects_file,
    )
    report.status = "imported"
    report.message = None
    report.code = None
    report.batch_id = batch_id
    report.saved_mapping_id = saved_id
    report.rows_imported = counts.imported
    report.rows_updated = counts.updated
    report.rows_duplicate = counts.duplicate + staged.duplicates_in_file
    report.rows_stale = counts.stale
    report.rejects_file = rejects_file
    return "commit"


def group_errors(errors: list[dict[str, Any]], rows_read: int, plan: ImportPlan, lang: str) -> list[dict[str, Any]]:
    """The problems grouped by (code, column), biggest first, each with a
    sentence ("50 rows: 致命差错: not a number") and, when one column fails
    on most rows, a hint at the field it more likely is (``--map``)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for e in errors:
        key = (e["code"], e["column"] or "")
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"code": e["code"], "column": e["column"], "field": e.get("field"), "rows": 0,
                               "first_row": e["row"], "example_value": e["value"], "params": e.get("params", {})}
        g["rows"] += 1
    out = sorted(groups.values(), key=lambda g: (-g["rows"], g["first_row"] or 0))
    for g in out:
        problem = render(g["code"], g["params"], lang)
        hint = None
        if g["column"] and g["rows"] >= max(2, 0.5 * rows_read):
            hint = _better_field(plan, g["column"], g["field"])
        g["hint"] = hint
        code = GROUPED_ONE if g["rows"] == 1 else GROUPED
        text = code.text(lang, rows=g["rows"], column=g["column"] or "-", problem=problem)
        if hint:
            f = KINDS[plan.mapping.kind].field(hint)
            text += " — " + render(HINT_FIELD.name, {"field": f.label(lang), "column": g["column"], "name": hint},
                                   lang)
        g["message"] = text
    return out


# What a cell of each role looks like, for hints (the same shapes the
# mapper uses; the SQL rules stay the authority on what is valid).
_ROLE_SHAPES: dict[str, tuple[str, ...]] = {
    "score": ("int", "number"), "number": ("int", "number"), "percent": ("int", "number"),
    "date": ("date",), "id": ("identifier", "int"),
}


def _better_field(plan: ImportPlan, column: str, current: str | None) -> str | None:
    """A field of the kind that this column more plausibly is: the field its
    header names, else an unmapped field whose values it holds."""
    mapping = plan.mapping
    kind = KINDS[mapping.kind]
    concept, score = match_concept(column)
    from .mapping import CONCEPT_FIELDS

    named = CONCEPT_FIELDS[mapping.kind].get(concept or "")
    if named and named != current and score >= 0.6:
        return named
    try:
        j = plan.layout.names.index(column)
    except ValueError:
        return None
    values = [r[j] for r in plan.preview(50) if j < len(r) and r[j] not in (None, "")]
    if not values:
        return None
    from .normalize import FALSE_WORDS, TRUE_WORDS

    bools = {w.lower() for w in TRUE_WORDS + FALSE_WORDS}
    free = [f for f in kind.fields if f.name not in mapping.fields and f.name != current]
    for f in free:
        if f.role == "bool":
            ok = sum(1 for v in values if str(v).strip().lower() in bools)
        elif f.role in _ROLE_SHAPES:
            ok = sum(1 for v in values if cell_shape(str(v)) in _ROLE_SHAPES[f.role])
        else:
            continue
        if ok >= 0.9 * len(values):
            return f.name
    return None


def _safe_file_stem(stem: str) -> str:
    """A file name part that cannot leave its folder or trouble a file system."""
    cleaned = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", stem).strip("._") or "export"
    return cleaned[:80]


def _write_rejects(
    plan: ImportPlan,
    errors: list[dict[str, Any]],
    invalid_rows: list[int],
    batch_id: int,
    rejects_dir: str | Path | None,
) -> Path:
    """The rejected rows as the user sent them, with the problems beside them."""
    folder = Path(rejects_dir) if rejects_dir else store.default_db_path().parent / "rejects"
    stem = Path(plan.display_name or plan.path.name).stem
    out = folder / f"{_safe_file_stem(stem)}.batch{batch_id}.rejects.xlsx"
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['column']}: {e['message']} ({e['value']!r})")
    width = len(plan.layout.names)
    header = ["sheet", "row", "problems"] + [n or f"column {j + 1}" for j, n in enumerate(plan.layout.names)]
    offset = plan.sheet.first_row
    wanted = set(invalid_rows)
    rows = []
    # Only the rejected rows are pulled into Python (few, by definition).
    idx = [r - offset for r in sorted(wanted)]
    taken = plan.sheet.table.take(pa.array(idx, type=pa.int64())).to_pylist()
    for r, rec in zip(sorted(wanted), taken):
        values = [rec.get(f"c{j}") for j in range(width)]
        rows.append([plan.sheet.name, r, "; ".join(by_row.get(r, []))] + values)
    return write_xlsx(out, {"rejected rows": (header, rows)})
