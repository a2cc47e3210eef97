"""Read spreadsheets and CSV files into grids of text cells, refusing what no export looks like.

Why text: ids such as ``007812`` must keep their leading zeros, and every
other cell (dates typed five ways, ``95分``, ``是/否``) is normalised later in
one place (``qa_analytics.ingest.normalize``), so the reader must not guess types.

Why fastexcel: it wraps the Rust calamine reader and hands Arrow columns over
without building a Python object per cell; measured here it reads .xlsx ~17x
faster than pandas+openpyxl and 2x faster than python-calamine (README,
Performance).  It also reads legacy .xls (BIFF5/8), .xlsb and .ods.

Why limits before work: uploads are untrusted, and calamine allocates what a
file declares (a sheet's rectangle, every shared string) before checking
anything.  A zipped workbook is measured first (``qa_analytics.ingest.prescan``)
against :class:`~qa_analytics.ingest.limits.ReadLimits`, and refused with its own
code before any large allocation; what passes may then use the memory its
uncompressed size justifies (``limits.grant_memory``, effective in the
isolated reader's child process, ``qa_analytics.ingest.isolation``).
:func:`read_sheet` and :func:`sheet_names` run there; :class:`Workbook`
reads in the calling process, for use inside ``run_isolated``.

CSV files are decoded as UTF-8 (with or without BOM), UTF-16 (with a BOM,
or without one when the bytes show it: ASCII delimiters leave a zero in
every other byte) or GB18030 (a superset of GBK, which Chinese Excel
writes), and read a bounded chunk at a time, never whole into memory.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..core.codes import Problem, define
from .limits import MB, ReadLimits, grant_memory
from .prescan import ZipFacts, cell_name, inspect_zip

__all__ = ["RawSheet", "ReadError", "Workbook", "sniff_format", "sheet_names", "read_sheet", "EXCEL_FORMATS"]

EXCEL_FORMATS = ("xlsx", "xlsm", "xlsb", "xls", "ods")
ZIP_FORMATS = ("xlsx", "xlsm", "xlsb", "ods")
# Parts smaller than this may compress any amount (a sheet of blank styled
# cells does); Apache POI's zip-bomb check has the same grace.
RATIO_GRACE = 1 * MB


class ReadError(Problem):
    """A file that cannot be read: a code (``file_empty``, ``zip_bomb``...) and
    its parameters; ``str()`` is the English sentence, ``message(lang)`` any.
    Raised as ``ReadError(FILE_EMPTY)`` or ``ReadError(TOO_MANY_ROWS, rows=..., limit=...)``."""


FILE_NOT_FOUND = define("file_not_found", en="file not found: {path}", zh="找不到文件：{path}")
NOT_A_FILE = define("not_a_file", en="{path} is a folder, not a file", zh="{path} 是文件夹，不是文件")
FILE_EMPTY = define("file_empty", en="the file is empty", zh="文件是空的")
FILE_TOO_LARGE = define(
    "file_too_large",
    en="the file is {size_mb:,.0f} MB; the limit is {limit_mb:,} MB",
    zh="文件大小为 {size_mb:,.0f} MB，超过了 {limit_mb:,} MB 的上限",
)
NOT_A_SPREADSHEET = define(
    "not_a_spreadsheet",
    en="the file is not a readable spreadsheet ({reason})",
    zh="无法识别为可读取的电子表格（{reason}）",
)
BINARY_FILE = define(
    "binary_file",
    en="the file is binary, not a spreadsheet or CSV export",
    zh="该文件是二进制数据，既不是电子表格，也不是 CSV 导出文件",
)
ENCRYPTED = define(
    "encrypted",
    en="the workbook is password-protected or encrypted; save an unprotected copy and import that",
    zh="工作簿设有密码保护或已加密；请另存一份不加密的副本后再导入",
)
SHEET_NOT_FOUND = define("sheet_not_found", en="the workbook has no sheet {sheet!r}", zh="工作簿中没有名为 “{sheet}” 的工作表")
BAD_ENCODING = define(
    "bad_encoding",
    en="the text file is neither UTF-8, UTF-16 nor GBK/GB18030 encoded (line {line:,}); save it as \"CSV UTF-8\" and import that",
    zh="文本文件的编码既不是 UTF-8、UTF-16，也不是 GBK/GB18030（第 {line:,} 行）；请另存为“CSV UTF-8”格式后再导入",
)
MALFORMED_CSV = define(
    "malformed_csv",
    en="the CSV file is malformed at line {line:,}: {detail}",
    zh="CSV 文件第 {line:,} 行格式有误：{detail}",
)
LINE_TOO_LONG = define(
    "line_too_long",
    en="line {line:,} of the CSV file is longer than {limit:,} characters",
    zh="CSV 文件第 {line:,} 行超过 {limit:,} 个字符",
)
NO_ROWS = define("no_rows", en="the file has no rows", zh="文件中没有任何数据行")
TOO_MANY_ROWS = define(
    "too_many_rows",
    en="the sheet has {rows:,} rows or more; the limit is {limit:,}",
    zh="工作表至少有 {rows:,} 行，超过了 {limit:,} 行的上限",
)
TOO_MANY_COLUMNS = define(
    "too_many_columns",
    en="the sheet has {columns:,} columns or more; the limit is {limit:,}",
    zh="工作表至少有 {columns:,} 列，超过了 {limit:,} 列的上限",
)
SHEET_TOO_LARGE = define(
    "sheet_too_large",
    en="the sheet's cells span {span} ({rows:,} rows x {columns:,} columns); the limit is {limit:,} cells: "
    "a stray cell far from the data, or a damaged file",
    zh="工作表的单元格范围为 {span}（{rows:,} 行 × {columns:,} 列），超过了 {limit:,} 个单元格的上限："
    "可能是远离数据区的孤立单元格，或文件已损坏",
)
ZIP_BOMB = define(
    "zip_bomb",
    en="the workbook's part {part} expands {ratio:,.0f} times (to {size_mb:,.0f} MB); the limit is {limit:,.0f} times: "
    "the file is damaged or built to exhaust memory",
    zh="工作簿的组成部分 {part} 解压后膨胀 {ratio:,.0f} 倍（达 {size_mb:,.0f} MB），超过了 {limit:,.0f} 倍的上限："
    "文件可能已损坏，或是为耗尽内存而构造的",
)
PART_TOO_LARGE = define(
    "part_too_large",
    en="the workbook's part {part} is {size_mb:,.0f} MB uncompressed; the limit is {limit_mb:,} MB",
    zh="工作簿的组成部分 {part} 解压后为 {size_mb:,.0f} MB，超过了 {limit_mb:,} MB 的上限",
)
TOO_MANY_PARTS = define(
    "too_many_parts",
    en="the workbook has {count:,} parts; the limit is {limit:,}",
    zh="工作簿包含 {count:,} 个组成部分，超过了 {limit:,} 个的上限",
)
TOO_MANY_STRINGS = define(
    "too_many_strings",
    en="the workbook holds {count:,} distinct texts (shared strings) or more; the limit is {limit:,}",
    zh="工作簿至少包含 {count:,} 条不同的文本（共享字符串），超过了 {limit:,} 条的上限",
)
STRING_TOO_LONG = define(
    "string_too_long",
    en="a text in the workbook is {chars:,} characters or longer; Excel allows {limit:,}",
    zh="工作簿中有一段文本长达 {chars:,} 个字符以上，超过了 Excel 允许的 {limit:,} 个字符",
)


def _reraise_unless_reader_failure(exc: BaseException) -> None:
    """Let interrupts through; everything else a reader raises is a bad file.

    calamine can panic on a corrupt file; pyo3 turns that into
    ``pyo3_runtime.PanicException``, which derives from BaseException (and is
    not importable), so a plain ``except Exception`` would let it crash us.
    """
    if isinstance(exc, MemoryError):
        raise exc  # the isolated reader reports it as such
    if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
        return
    raise exc


@dataclass
class RawSheet:
    """One sheet as text: ``table`` has string columns ``c0..cN``, one row per
    spreadsheet row starting at ``first_row`` (1-based, as Excel numbers it)."""

    name: str
    table: pa.Table
    first_row: int = 1

    @property
    def n_rows(self) -> int:
        return self.table.num_rows

    def rows(self, start: int = 0, stop: int | None = None) -> list[list[str | None]]:
        """Rows [start, stop) as Python lists (for the few header rows only)."""
        sl = self.table.slice(start, None if stop is None else max(0, stop - start))
        cols = [c.to_pylist() for c in sl.columns]
        return [list(r) for r in zip(*cols)] if cols else []


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(path: Path, data_head: bytes | None = None) -> str:
    """The file's real format from its first bytes (extensions lie: a .xls
    that is really HTML or CSV is common in exports)."""
    if data_head is None:
        with path.open("rb") as fh:
            data_head = fh.read(8)
    head = data_head
    ext = path.suffix.lower().lstrip(".")
    if head.startswith(b"PK\x03\x04"):
        if ext in ZIP_FORMATS:
            return ext
        return "xlsx"
    if head.startswith(_OLE2):
        # Office encrypts .xlsx/.xlsm/.xlsb by wrapping them in an OLE2 file.
        return "encrypted" if ext in ("xlsx", "xlsm", "xlsb") else "xls"
    if ext in ("csv", "txt", "tsv") or not head.startswith((b"\x00", b"\x09\x08")):
        return "csv"
    return ext or "unknown"


def _check_size(path: Path, limits: ReadLimits) -> int:
    if not path.exists():
        raise ReadError(FILE_NOT_FOUND, path=str(path))
    if path.is_dir():
        raise ReadError(NOT_A_FILE, path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise ReadError(FILE_EMPTY)
    if size > limits.max_file_mb * MB:
        raise ReadError(FILE_TOO_LARGE, size_mb=size / MB, limit_mb=limits.max_file_mb)
    return size


def check_grid(rows: int, columns: int, limits: ReadLimits, *, row_elements: int | None = None,
               first: tuple[int, int] = (1, 1)) -> None:
    """Refuse a sheet whose rectangle passes a limit, naming the right one:
    spanning more rows than it holds, or too many cells for rows within the
    limit, is a stray far cell (``sheet_too_large``); many real rows are
    ``too_many_rows``; then ``too_many_columns``."""
    present = rows if row_elements is None else row_elements
    cells = rows * columns
    if (rows > limits.max_rows and present <= limits.max_rows) or (cells > limits.max_cells and rows <= limits.max_rows):
        span = f"{cell_name(*first)}:{cell_name(first[0] + rows - 1, first[1] + columns - 1)}"
        raise ReadError(SHEET_TOO_LARGE, span=span, rows=rows, columns=columns, cells=cells, limit=limits.max_cells)
    if rows > limits.max_rows:
        raise ReadError(TOO_MANY_ROWS, rows=rows, limit=limits.max_rows)
    if columns > limits.max_columns:
        raise ReadError(TOO_MANY_COLUMNS, columns=columns, limit=limits.max_columns)


def check_parts(facts: ZipFacts, limits: ReadLimits) -> None:
    """The rules a zipped workbook's directory must pass, before any part is decompressed."""
    if facts.members > limits.max_zip_members:
        raise ReadError(TOO_MANY_PARTS, count=facts.members, limit=limits.max_zip_members)
    for part in facts.parts:
        if part.encrypted:
            raise ReadError(ENCRYPTED)
        if part.size > RATIO_GRACE and part.ratio > limits.max_zip_ratio:
            raise ReadError(ZIP_BOMB, part=part.name, ratio=part.ratio, size_mb=part.size / MB,
                            limit=limits.max_zip_ratio)
        if part.size > limits.max_part_mb * MB:
            raise ReadError(PART_TOO_LARGE, part=part.name, size_mb=part.size / MB, limit_mb=limits.max_part_mb)


# The grid of an .xlsx worksheet (ECMA-376 and Excel itself): a reference
# past its last row was not written by a spreadsheet, whatever max_rows allows
# a CSV, and a reader would allocate every empty row up to it.
XLSX_MAX_ROWS = 1_048_576


def check_sheets(facts: ZipFacts, limits: ReadLimits) -> None:
    """The rules a workbook's measured sheets and shared strings must pass (``prescan``)."""
    if limits.max_rows > XLSX_MAX_ROWS:
        limits = dataclasses.replace(limits, max_rows=XLSX_MAX_ROWS)
    for sheet in facts.sheets:
        extent = sheet.extent
        if extent is not None:
            r0, c0, r1, c1 = extent
            check_grid(r1 - r0 + 1, c1 - c0 + 1, limits, row_elements=sheet.row_elements if sheet.scanned else None,
                       first=(r0, c0))
    s = facts.strings
    if s is not None:
        count = max(s.count, s.declared_count or 0)
        if count > limits.max_shared_strings:
            raise ReadError(TOO_MANY_STRINGS, count=count, limit=limits.max_shared_strings)
        if s.longest > limits.max_string_chars:
            raise ReadError(STRING_TOO_LONG, chars=s.longest, limit=limits.max_string_chars)


# Reader memory a cell of a sheet's rectangle needs at most: calamine's sparse
# cell (40 bytes) and its dense grid (32 bytes), measured on the benchmark.
BYTES_PER_CELL = 72


def _justified_memory(fmt: str, size: int, facts: ZipFacts | None, limits: ReadLimits) -> float:
    """What the file may make the reader allocate: ``memory_per_byte`` per
    byte it expands to (double for binary formats, whose cells are denser),
    plus its largest declared or scanned rectangle."""
    per_byte = limits.memory_per_byte * (2 if fmt in ("xls", "xlsb") else 1)
    if facts is None:
        return per_byte * size
    box = 0
    for sheet in facts.sheets:
        if sheet.extent:
            r0, c0, r1, c1 = sheet.extent
            box = max(box, (r1 - r0 + 1) * (c1 - c0 + 1))
    return per_byte * facts.expanded + BYTES_PER_CELL * box


def _prescan(path: Path, fmt: str, limits: ReadLimits) -> ZipFacts:
    try:
        facts = inspect_zip(path, fmt, limits, lambda f: check_parts(f, limits))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ReadError(NOT_A_SPREADSHEET, reason=f"damaged zip: {str(exc)[:200]}") from None
    check_sheets(facts, limits)
    return facts


def _open_excel(path: Path):
    import fastexcel

    try:
        return fastexcel.read_excel(str(path))
    except BaseException as exc:  # fastexcel raises its own classes, or panics
        _reraise_unless_reader_failure(exc)
        raise _excel_error(exc) from None


def _excel_error(exc: BaseException, sheet: str | int | None = None) -> ReadError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if type(exc).__name__ == "PanicException":
        text = f"the reader panicked: {text}"
    low = text.lower()
    if "password" in low or "encrypt" in low or "protected" in low:
        return ReadError(ENCRYPTED)
    if type(exc).__name__ == "SheetNotFoundError" and sheet is not None:
        return ReadError(SHEET_NOT_FOUND, sheet=str(sheet))
    return ReadError(NOT_A_SPREADSHEET, reason=text[:200])


class Workbook:
    """An opened file: the reader is built once and serves every sheet
    (opening an .xlsx parses its shared strings, the slowest part of a read).

    It reads in this process: for an untrusted file, use it inside
    ``isolation.run_isolated`` (as :func:`read_sheet` and the importer do).
    """

    def __init__(self, path: str | Path, limits: ReadLimits | None = None):
        self.path = Path(path)
        self.limits = limits or ReadLimits.current()
        size = _check_size(self.path, self.limits)
        self.format = sniff_format(self.path)
        if self.format == "encrypted":
            raise ReadError(ENCRYPTED)
        facts = _prescan(self.path, self.format, self.limits) if self.format in ZIP_FORMATS else None
        grant_memory(_justified_memory(self.format, size, facts, self.limits))
        self._reader = None if self.format == "csv" else _open_excel(self.path)
        self._csv: RawSheet | None = None

    def sheet_names(self) -> list[str]:
        """Names of the visible sheets (a CSV file has one, named after the file)."""
        if self._reader is None:
            return [self.path.stem]
        reader = self._reader
        if len(reader.sheet_names) == 1:
            # Asking for visibility loads the sheet: not worth it for one sheet.
            return list(reader.sheet_names)
        try:
            names = [
                s.name
                for s in (reader.load_sheet(i, n_rows=0, header_row=None) for i in range(len(reader.sheet_names)))
                if s.visible == "visible"
            ]
        except BaseException as exc:
            _reraise_unless_reader_failure(exc)
            names = list(reader.sheet_names)
        return names or list(reader.sheet_names)

    def read(self, sheet: str | int = 0, n_rows: int | None = None) -> RawSheet:
        """One sheet (or the CSV file) as a grid of text cells."""
        if self._reader is None:
            if self._csv is None:
                self._csv = _read_csv(self.path, self.limits)
            if n_rows is None:
                return self._csv
            return RawSheet(self._csv.name, self._csv.table.slice(0, n_rows), 1)
        try:
            # skip_rows=0 keeps leading empty rows, so row i is Excel row i + 1.
            loaded = self._reader.load_sheet(sheet, header_row=None, n_rows=n_rows, dtypes="string", skip_rows=0)
            batch = loaded.to_arrow()
        except BaseException as exc:
            _reraise_unless_reader_failure(exc)
            raise _excel_error(exc, sheet) from None
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        # A sheet too large to scan before the read is held by the memory cap;
        # what got through is still measured against the limits.
        check_grid(table.num_rows, table.num_columns, self.limits)
        table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
        return RawSheet(name=loaded.name, table=table, first_row=1)


def _sheet_names_here(path: Path) -> list[str]:
    return Workbook(path).sheet_names()


def _read_sheet_here(path: Path, sheet: str | int, n_rows: int | None) -> RawSheet:
    return Workbook(path).read(sheet, n_rows)


def sheet_names(path: str | Path) -> list[str]:
    """Names of the visible sheets (a CSV file has one sheet, named after the file);
    read in an isolated child process."""
    from .isolation import run_isolated  # isolation imports this module

    return run_isolated(_sheet_names_here, Path(path))


def read_sheet(path: str | Path, sheet: str | int = 0, n_rows: int | None = None) -> RawSheet:
    """Read one sheet (or the CSV file) as a grid of text cells, in an isolated child process."""
    from .isolation import run_isolated  # isolation imports this module

    return run_isolated(_read_sheet_here, Path(path), sheet, n_rows)


# --- CSV ----------------------------------------------------------------------------------

SNIFF_BYTES = 1 << 16
BATCH_CELLS = 1 << 20  # CSV cells held as Python strings at a time (about 60 MB)...
BATCH_CHARS = 1 << 24  # ...and their characters


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 that lost its BOM: delimiters, digits and line ends are ASCII,
    so in UTF-16 every such character leaves a zero byte on the same side."""
    n = len(head) // 2
    if n < 2:
        return None
    even, odd = head[0 : 2 * n : 2].count(0), head[1 : 2 * n : 2].count(0)
    if odd >= n / 10 and even * 4 <= odd:
        return "utf-16-le"
    if even >= n / 10 and odd * 4 <= even:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    """More than 1 % control characters (beyond tab, line ends, form feed): not text."""
    controls = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\x0b\x0c") or ch == "\x7f")
    return controls * 100 > len(text)


def _detect_encoding(head: bytes, complete: bool) -> str:
    """The encoding of a text file from its first bytes; refuses binary data."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        candidates = ["utf-32"]
    elif head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise ReadError(BINARY_FILE)
        candidates = [utf16]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise ReadError(BINARY_FILE)
        return encoding
    if len(candidates) == 1 and candidates[0].startswith("utf-16"):
        raise ReadError(BINARY_FILE)
    raise ReadError(BAD_ENCODING, line=1)


_DELIMITERS = (",", ";", "\t", "|")  # in order of preference when the bytes cannot tell


def _delimiter(sample: str) -> str:
    """The delimiter that makes the sample most table-like.

    Why not ``csv.Sniffer``: it guesses from quoted fields and character
    frequencies, so a ``;``-separated export whose notes hold commas can be
    split on the commas.  Here each candidate parses the sample (quotes
    respected, the last line dropped when the sample cut it) and is scored
    by the share of non-blank rows that have the most common width, among
    candidates whose common width is at least two; ties go to the wider
    table, then to the order of :data:`_DELIMITERS`.  A one-column file
    takes the candidate that splits the fewest rows.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]
    text = "".join(lines)
    best: tuple | None = None
    fewest_split: tuple | None = None
    for rank, d in enumerate(_DELIMITERS):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(text), delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not widths:
            continue
        counts: dict[int, int] = {}
        for w in widths:
            counts[w] = counts.get(w, 0) + 1
        modal, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        split = sum(w > 1 for w in widths)
        if fewest_split is None or (split, rank) < fewest_split[:2]:
            fewest_split = (split, rank, d)
        if modal >= 2:
            key = (-hits / len(widths), -modal, rank)
            if best is None or key < best[:3]:
                best = (*key, d)
    if best is not None:
        return best[3]
    return fewest_split[2] if fewest_split is not None else ","


def _bounded_lines(text: io.TextIOBase, max_chars: int, stats: list[int]):
    """The file's lines, each read with a bound (a file without line breaks
    must not become one giant string); ``stats`` is [line number, characters]."""
    while line := text.readline(max_chars + 1):
        stats[0] += 1
        stats[1] += len(line)
        if len(line) > max_chars:
            raise ReadError(LINE_TOO_LONG, line=stats[0], limit=max_chars)
        yield line


class _Grid:
    """CSV rows into Arrow columns a batch at a time, checked against the limits as they come."""

    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.rows = 0
        self.width = 0
        self._chunks: list[tuple[int, list[pa.Array]]] = []  # (rows, columns)

    def add(self, rows: list[list[str]]) -> None:
        width = max(map(len, rows))
        self.rows += len(rows)
        self.width = max(self.width, width)
        lim = self.limits
        if self.rows > lim.max_rows or self.width > lim.max_columns or self.rows * self.width > lim.max_cells:
            check_grid(self.rows, self.width, lim)
        if width:
            padded = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
            null = pa.scalar(None, pa.string())
            columns = []
            for values in zip(*padded):
                arr = pa.array(list(values), pa.string())  # from a tuple: 10x slower
                columns.append(pc.if_else(pc.equal(arr, ""), null, arr))  # an empty cell is no value
        else:
            columns = []
        self._chunks.append((len(rows), columns))

    def table(self) -> pa.Table:
        if self.width == 0:
            raise ReadError(NO_ROWS)
        columns = []
        for j in range(self.width):
            pieces = [cols[j] if j < len(cols) else pa.nulls(n, pa.string()) for n, cols in self._chunks]
            columns.append(pa.chunked_array(pieces, pa.string()))
        self._chunks = []
        return pa.table({f"c{j}": col for j, col in enumerate(columns)})


def _rows_at_least(path: Path, stop: int) -> int:
    """A proven lower bound on the rows of a byte-oriented CSV, at memchr speed:
    without a quote character no line break is inside a cell, so each LF ends
    a row (0 when the file has quotes).  Refuses a 480 MB file of short rows
    in a fraction of a second instead of parsing two million rows first."""
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            if b'"' in chunk:
                return 0
            lines += chunk.count(b"\n")
            if lines > stop:
                return lines
    return lines


def _read_csv(path: Path, limits: ReadLimits) -> RawSheet:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
        complete = len(head) < SNIFF_BYTES
    encoding = _detect_encoding(head, complete)
    if not encoding.startswith(("utf-16", "utf-32")):  # where LF is one byte, never inside a character
        rows = _rows_at_least(path, limits.max_rows)
        if rows > limits.max_rows:
            raise ReadError(TOO_MANY_ROWS, rows=rows, limit=limits.max_rows)
    try:
        table = _parse_csv(path, encoding, limits)
    except UnicodeDecodeError as exc:
        # UTF-8 at the start, something else later: decoded whole as GB18030,
        # as before this reader streamed (UTF-8 with a BOM is what it says).
        if encoding != "utf-8":
            raise ReadError(BAD_ENCODING, line=getattr(exc, "line", 0)) from None
        try:
            table = _parse_csv(path, "gb18030", limits)
        except UnicodeDecodeError as exc2:
            raise ReadError(BAD_ENCODING, line=getattr(exc2, "line", 0)) from None
    return RawSheet(name=path.stem, table=table, first_row=1)


def _parse_csv(path: Path, encoding: str, limits: ReadLimits) -> pa.Table:
    stats = [0, 0]  # line number, characters since the last batch
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        try:
            sample = text.read(16384)
            text.seek(0)
        except UnicodeDecodeError as exc:
            exc.line = 1
            raise
        reader = csv.reader(_bounded_lines(text, limits.max_line_chars, stats), delimiter=_delimiter(sample))
        grid = _Grid(limits)
        batch: list[list[str]] = []
        cells = 0
        try:
            for row in reader:
                batch.append(row)
                cells += len(row) + 1
                if cells >= BATCH_CELLS or stats[1] >= BATCH_CHARS:
                    grid.add(batch)
                    batch, cells, stats[1] = [], 0, 0
            if batch:
                grid.add(batch)
        except csv.Error as exc:
            raise ReadError(MALFORMED_CSV, line=stats[0], detail=str(exc)[:200]) from None
        except UnicodeDecodeError as exc:
            exc.line = stats[0] + 1
            raise
    return grid.table()
