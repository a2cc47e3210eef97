"""Import one export file: read, map, validate/normalise, store — all or nothing.

Why one transaction per file: an analyst must never have to wonder which
half of a file made it in.  Either every row is stored (or, with
``skip_invalid``, every valid row, with the rest written to a rejects
workbook), or nothing is, and the report lists every problem by sheet,
Excel row number, column, value and reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from . import store
from .export import write_xlsx
from .isolation import run_isolated
from .mapping import ColumnMapping, HeaderLayout, MappingError, find_header, map_columns, normalize_header
from .normalize import drop_staging, stage_rows
from .read import RawSheet, ReadError, Workbook
from .schema import KINDS

__all__ = ["ImportReport", "ImportPlan", "plan_import", "import_file", "Progress"]

Progress = Callable[[str, float], None]


@dataclass
class ImportReport:
    """The per-file report of the command line and the Import page."""

    file: str
    kind: str | None
    status: str  # imported | rejected | checked (dry run: nothing written)
    rows_read: int = 0
    rows_imported: int = 0
    rows_updated: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    sheet: str | None = None
    batch_id: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    rejects_file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportPlan:
    """What the importer would do with a file, before it does it: the sheet,
    its header layout and the column mapping (the Import page previews and
    lets the user correct this)."""

    path: Path
    sheet: RawSheet
    layout: HeaderLayout
    mapping: ColumnMapping

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
        raise MappingError(f"sheet {sheet!r}: no header row found")
    return raw, found


NOT_AN_EXPORT = (
    "not a recognised evaluation export: no sheet has a header row with columns such as "
    "工号/agent id, 日期/date, 总分/score or 满意度/rating"
)


def plan_import(
    path: str | Path,
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    """Read the file and work out its sheet, header and mapping (no writes)."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise MappingError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    known = frozenset(normalize_header(h) for h in (overrides or {}))
    raw, layout = run_isolated(_read_and_choose, path, known, sheet)
    sample = raw.rows(layout.data_start, layout.data_start + 50)
    mapping = map_columns(layout, sample, kind=kind, overrides=overrides, context=f"{path.name} {sheet}")
    missing = [
        f.name for f in KINDS[mapping.kind].fields if f.required and f.name not in mapping.fields
    ]
    if missing:
        raise MappingError(
            f"looks like a {mapping.kind} export, but no column was found for: {', '.join(missing)} "
            f"(headers: {', '.join(n for n in layout.names if n)[:300]}); use --map \"表头=field\" to name it"
        )
    return ImportPlan(path=path, sheet=raw, layout=layout, mapping=mapping)


def _data_table(plan: ImportPlan) -> pa.Table:
    t = plan.sheet.table.slice(plan.layout.data_start)
    first_excel_row = plan.sheet.first_row + plan.layout.data_start
    # From a buffer: pa.array() of a range or an ndarray imports pandas (0.3 s).
    numbers = np.arange(first_excel_row, first_excel_row + t.num_rows, dtype=np.int32)
    rows = pa.Array.from_buffers(pa.int32(), len(numbers), [None, pa.py_buffer(numbers)])
    return t.append_column("__row", rows)


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
) -> ImportReport:
    """Import one file in one transaction and report what happened.

    Never raises for a bad file: unreadable, unrecognised or invalid files
    come back as a report with ``status="rejected"`` and a message.
    ``dry_run`` validates and counts (new / updated / duplicate against the
    database) and then rolls everything back: the Import page's preview.
    """
    path = Path(path)
    name = display_name or path.name
    tick = progress or (lambda stage, frac: None)
    try:
        tick("read", 0.0)
        if plan is None:
            plan = plan_import(path, kind=kind, overrides=overrides)
        tick("map", 0.35)
    except (ReadError, MappingError) as exc:
        return ImportReport(file=name, kind=kind, status="rejected", message=str(exc))
    mapping = plan.mapping
    report = ImportReport(
        file=name,
        kind=mapping.kind,
        status="rejected",
        sheet=plan.sheet.name,
        mapping=mapping.describe(),
        ignored_columns=list(mapping.ignored),
    )
    data = _data_table(plan)
    con.execute("BEGIN TRANSACTION")
    try:
        tick("validate", 0.45)
        staged = stage_rows(con, data, mapping, plan.sheet.name, plan.layout.names)
        report.rows_read = staged.rows_read
        report.rows_skipped = staged.rows_skipped
        report.errors = staged.errors
        report.rows_rejected = len(staged.invalid_rows)
        if staged.errors and not skip_invalid:
            con.execute("ROLLBACK")
            report.rows_rejected = len(staged.invalid_rows)
            report.message = (
                f"{len(staged.invalid_rows)} of {staged.rows_read} rows are invalid; nothing was imported "
                "(fix the file, or import the valid rows with --skip-invalid)"
            )
            return report
        if staged.rows_read == 0:
            con.execute("ROLLBACK")
            report.message = "the sheet has a header but no data rows"
            return report
        tick("store", 0.7)
        if dry_run:
            counts = store.classify_staged(con, mapping.kind, "staged")
            con.execute("ROLLBACK")
            report.status = "checked"
            report.rows_imported, report.rows_updated = counts.imported, counts.updated
            report.rows_duplicate = counts.duplicate + staged.duplicates_in_file
            return report
        batch_id = store.new_batch(
            con,
            file_name=name,
            kind=mapping.kind,
            sha256=_sha256(path),
            sheet=plan.sheet.name,
            mapping=report.mapping,
        )
        counts = store.merge_staged(con, mapping.kind, batch_id, "staged", "staged_items")
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
        con.execute("COMMIT")
    except (duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
        # A value the rules let through but DuckDB cannot hold: still a bad
        # file, not a crash (the rules should catch it: report it as a bug).
        con.execute("ROLLBACK")
        report.message = f"the file could not be imported: {str(exc).splitlines()[0][:300]}"
        return report
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        drop_staging(con)
    report.status = "imported"
    report.batch_id = batch_id
    report.rows_imported = counts.imported
    report.rows_updated = counts.updated
    report.rows_duplicate = counts.duplicate + staged.duplicates_in_file
    report.rejects_file = rejects_file
    tick("done", 1.0)
    return report


def _write_rejects(
    plan: ImportPlan,
    errors: list[dict[str, Any]],
    invalid_rows: list[int],
    batch_id: int,
    rejects_dir: str | Path | None,
) -> Path:
    """The rejected rows as the user sent them, with the problems beside them."""
    folder = Path(rejects_dir) if rejects_dir else store.default_db_path().parent / "rejects"
    out = folder / f"{plan.path.stem}.batch{batch_id}.rejects.xlsx"
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
