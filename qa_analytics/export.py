"""Write tables to .xlsx and CSV without ever turning data into formulas.

Why: a comment cell such as ``=HYPERLINK("http://evil")`` or ``@SUM(...)``
imported from an export is data.  Spreadsheet programs execute text that
starts with ``=``, ``+``, ``-`` or ``@`` when it lands in a formula-capable
cell (CSV injection, OWASP).  In .xlsx we store such text as a string cell;
in CSV, which has no cell types, we prefix it with an apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["FORMULA_PREFIXES", "is_formula_like", "csv_safe", "write_xlsx", "write_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value: Any) -> Any:
    """The value as a CSV cell that no spreadsheet will evaluate."""
    if is_formula_like(value):
        return "'" + value
    return value


def write_xlsx(path: str | Path, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> Path:
    """Write ``{sheet name: (header, rows)}`` to an .xlsx file; every text
    cell is a string cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([_cell(ws, h, WriteOnlyCell) for h in header])
        for row in rows:
            ws.append([_cell(ws, v, WriteOnlyCell) for v in row])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cell(ws, value: Any, cell_cls):
    cell = cell_cls(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=..." a formula
    return cell


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """UTF-8 with BOM (so Excel opens Chinese text correctly), injection-safe."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([csv_safe(h) for h in header])
        for row in rows:
            w.writerow([csv_safe(v) for v in row])
    return path
