"""Write tables to .xlsx and CSV that always open, and never turn data into formulas.

Why injection-safe: a comment cell such as ``=HYPERLINK("http://evil")`` or
``@SUM(...)`` imported from an export is data.  Spreadsheet programs execute
text that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading
spaces, or a tab or line break, which they skip) when it lands in a
formula-capable cell (CSV injection, OWASP).  In .xlsx we store such text as
a string cell; in CSV, which has no cell types, we prefix it with an
apostrophe.

Why escaped: the rejects workbook repeats what the user sent, and exports
carry control characters (``\\x01``, NUL, ANSI colour codes pasted from a
terminal), lone surrogates and U+FFFE/U+FFFF.  XML 1.0 cannot hold them, so
openpyxl refuses to write them or writes a workbook nothing can open.  They
are written as visible ``\\x01``/``\\ufffe``-style text instead, in both
formats (the file then says which character was there), and text past
Excel's 32,767 characters a cell is cut with a note.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["FORMULA_PREFIXES", "is_formula_like", "csv_safe", "clean_text", "write_xlsx", "write_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a spreadsheet skips before it looks for a formula.
_LEADING = " \t\r\n\u3000\u00a0"
EXCEL_CELL_CHARS = 32_767

# Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_text(value: str) -> str:
    """``value`` with what XML 1.0 cannot hold written visibly (``"a\\x01b"`` ->
    ``"a\\\\x01b"``), cut to what a spreadsheet cell holds."""
    text = _NOT_XML.sub(_escape, value)
    if len(text) > EXCEL_CELL_CHARS:
        note = f" …[cut: {len(text):,} characters]"
        text = text[: EXCEL_CELL_CHARS - len(note)] + note
    return text


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet could take for a formula (after skipping leading blanks)."""
    return isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value.lstrip(_LEADING).startswith(
        FORMULA_PREFIXES[:4]))


def csv_safe(value: Any) -> Any:
    """The value as a CSV cell that no spreadsheet will evaluate."""
    if isinstance(value, str):
        value = clean_text(value)
        if is_formula_like(value):
            return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A value openpyxl writes as data: text cleaned, non-finite numbers as text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # Excel has no NaN or infinity
    return value


_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def _title(name: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    return _SHEET_TITLE.sub("_", clean_text(name))[:31] or "Sheet"


def write_xlsx(path: str | Path, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> Path:
    """Write ``{sheet name: (header, rows)}`` to an .xlsx file; every text
    cell is a string cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=_title(name))
        ws.append([_cell(ws, h, WriteOnlyCell) for h in header])
        for row in rows:
            ws.append([_cell(ws, v, WriteOnlyCell) for v in row])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cell(ws, value: Any, cell_cls):
    value = _plain(value)
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
