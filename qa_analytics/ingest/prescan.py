"""Measure what a zipped workbook declares and would expand to, before a reader expands it.

Why: calamine sizes a sheet by the rectangle between its extreme cells and
allocates it whole (a 2 KB file with one cell at XFD1048576 asks for 549 GB),
keeps every shared string, and trusts the zip.  This module reads only the
zip's directory and streams the few XML parts that decide those sizes, a
chunk at a time, so its own memory stays small whatever the file.  It
measures; ``qa_analytics.ingest.read`` holds the rules that refuse.

What is scanned, and why not always everything (README, "Reading untrusted
files"): every part's sizes and compression ratio come from the zip's
directory (free); a sheet's declared ``<dimension>`` from its first bytes
(free); the farthest cell reference and the number of rows only when the
sheet is small (``full_scan_mb``), suspiciously compressed
(``suspicious_ratio``), or declares or looks (from the density of its first
rows) to pass a limit: a full scan takes about as long as calamine's whole
read (1.3 s for the benchmark's 84 MB sheet, 0.06 s for 4 MB).  A large,
ordinarily compressed sheet is instead held by the reader's memory cap,
which its uncompressed size justifies (``qa_analytics.ingest.limits``).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .limits import MB, ReadLimits

__all__ = ["PartFacts", "SheetFacts", "StringFacts", "ZipFacts", "inspect_zip", "over_limits", "parse_ref", "cell_name"]

CHUNK = 1 << 20
HEAD = 1 << 16
# Longest markup a string of max_string_chars can carry (rich-text runs with
# their formatting); only past this is a string's text counted exactly.
STRING_MARKUP = 1 << 20


@dataclass
class PartFacts:
    name: str
    compressed: int
    size: int  # uncompressed, as the zip declares it
    encrypted: bool = False

    @property
    def ratio(self) -> float:
        return self.size / max(self.compressed, 1)


@dataclass
class SheetFacts:
    """One worksheet part: its declared rectangle and, when scanned, the real one."""

    part: str
    dimension: str | None = None  # e.g. "A1:U100003", as declared
    declared: tuple[int, int, int, int] | None = None  # (min_row, min_col, max_row, max_col), 1-based
    scanned: bool = False
    min_row: int = 0
    min_col: int = 0
    max_row: int = 0
    max_col: int = 0
    row_elements: int = 0
    stopped_early: bool = False  # the scan stopped at a limit: counts are lower bounds

    @property
    def extent(self) -> tuple[int, int, int, int] | None:
        """The rectangle a reader would allocate: scanned if scanned (None when
        no cell has a value), else as declared."""
        if self.scanned:
            return (self.min_row, self.min_col, self.max_row, self.max_col) if self.max_row else None
        return self.declared


@dataclass
class StringFacts:
    """The shared-strings part: how many strings, and whether one is longer than allowed."""

    part: str
    declared_count: int | None = None
    scanned: bool = False
    count: int = 0
    longest: int = 0  # characters, counted exactly only for strings past STRING_MARKUP bytes


@dataclass
class ZipFacts:
    members: int
    parts: list[PartFacts] = field(default_factory=list)
    sheets: list[SheetFacts] = field(default_factory=list)
    strings: StringFacts | None = None

    @property
    def expanded(self) -> int:
        """Bytes the workbook declares it expands to (every part)."""
        return sum(p.size for p in self.parts)


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"AB12"`` -> (row 12, column 28), 1-based; None when it is not a cell reference."""
    m = _REF.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def cell_name(row: int, col: int) -> str:
    """(12, 28) -> ``"AB12"``."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def inspect_zip(path: Path, fmt: str, limits: ReadLimits, check_parts: Callable[[ZipFacts], None]) -> ZipFacts:
    """Sizes of every part, judged by ``check_parts`` before any part is
    decompressed; then, for .xlsx/.xlsm, each sheet's rectangle and the shared
    strings (scanned as the module docstring says).

    Raises ``zipfile.BadZipFile`` (or ``OSError``/``EOFError``) for a file that
    is not a readable zip; the caller turns that into a refusal.
    """
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        facts = ZipFacts(members=len(infos))
        if len(infos) <= limits.max_zip_members:
            facts.parts = [PartFacts(i.filename, i.compress_size, i.file_size, bool(i.flag_bits & 0x1)) for i in infos]
        check_parts(facts)
        if fmt not in ("xlsx", "xlsm"):
            return facts
        by_name = {p.name: p for p in facts.parts}
        sheets, strings = _workbook_parts(zf, by_name)
        for name in sheets:
            facts.sheets.append(_inspect_sheet(zf, by_name[name], limits))
        if strings:
            facts.strings = _inspect_strings(zf, by_name[strings], limits)
    return facts


_RELS = "xl/_rels/workbook.xml.rels"


def _workbook_parts(zf: zipfile.ZipFile, by_name: dict[str, PartFacts]) -> tuple[list[str], str | None]:
    """The worksheet parts and the shared-strings part, as the workbook's
    relationships name them (a hostile file need not use the usual names)."""
    sheets: list[str] = []
    strings: str | None = None
    rels = by_name.get(_RELS)
    if rels is not None and rels.size <= 4 * MB:
        try:
            root = ElementTree.fromstring(zf.read(_RELS))
        except (ElementTree.ParseError, zipfile.BadZipFile, ValueError):
            root = None
        for rel in root.iter() if root is not None else ():
            kind, target = rel.get("Type", ""), rel.get("Target", "")
            if not target:
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if name not in by_name:
                continue
            if kind.endswith("/worksheet"):
                sheets.append(name)
            elif kind.endswith("/sharedStrings"):
                strings = name
    if not sheets:  # no readable relationships: the usual names
        sheets = sorted(n for n in by_name if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if strings is None and "xl/sharedStrings.xml" in by_name:
        strings = "xl/sharedStrings.xml"
    return sheets, strings


def _chunks(zf: zipfile.ZipFile, name: str):
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _head(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        return fh.read(HEAD)


_PREFIX = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(?:worksheet|sst)\b")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_UNIQUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"'](\d{1,12})[\"']")
def _prefix(head: bytes) -> bytes:
    m = _PREFIX.search(head)
    return (m.group(1) + b":") if m and m.group(1) else b""


def _declared(dim: str | None) -> tuple[int, int, int, int] | None:
    if not dim:
        return None
    ends = [parse_ref(x) for x in dim.split(":")]
    if any(e is None for e in ends):
        return None
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def over_limits(extent: tuple[int, int, int, int] | None, limits: ReadLimits) -> bool:
    """Whether a rectangle (min_row, min_col, max_row, max_col) passes a limit."""
    if extent is None:
        return False
    rows, cols = extent[2] - extent[0] + 1, extent[3] - extent[1] + 1
    return rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells


def _inspect_sheet(zf: zipfile.ZipFile, part: PartFacts, limits: ReadLimits) -> SheetFacts:
    head = _head(zf, part.name)
    facts = SheetFacts(part.name)
    m = _DIMENSION.search(head)
    if m:
        facts.dimension = m.group(1).decode("ascii", "replace")[:40]
        facts.declared = _declared(facts.dimension)
    prefix = _prefix(head)
    small = part.size <= limits.full_scan_mb * MB
    if small or part.ratio >= limits.suspicious_ratio or over_limits(facts.declared, limits) or \
            _looks_over(head, prefix, part.size, limits):
        _SheetScan(prefix, facts).run(zf, part.name, limits)
    return facts


def _looks_over(head: bytes, prefix: bytes, size: int, limits: ReadLimits) -> bool:
    """Whether the whole part, as dense as its first rows, would pass a limit
    (a free estimate from bytes already read: it decides to scan, never to refuse)."""
    first = head.find(b"<" + prefix + b"row")
    if first < 0:
        return False
    body = head[first:]
    rows = body.count(b"<" + prefix + b"row")
    if rows < 8:
        return False
    cells = body.count(b"<" + prefix + b"c ") + body.count(b"<" + prefix + b"c>")
    est_rows = size * rows / len(body)
    return est_rows > limits.max_rows or est_rows * max(cells / rows, 1) > limits.max_cells


# A cell with something in it: calamine skips empty ones (``<c r="XFD9" s="1"/>``,
# which some writers put across whole formatted rows), so only these decide
# the rectangle.
_VALUED = rb'"[^>]*(?<!/)>'


class _SheetScan:
    """Rows and the farthest cell with a value of a sheet's XML, streamed a chunk at a time.

    A regular expression over every cell costs ~0.3 s per 16 MB; this looks
    only at what decides the rectangle (~0.15 s per 16 MB on top of
    decompressing): the row tags (counted), the last cells of each chunk (in
    a sorted sheet, its farthest row), the cells whose row has more digits
    than any seen so far (a stray far cell, sorted or not), and the column
    letters of the widest references.  It reads references as writers write
    them (``r="B12"``); a file written otherwise is held by the memory cap.
    The rectangle starts at A1, as the reader's grid does.
    """

    def __init__(self, prefix: bytes, facts: SheetFacts):
        self.facts = facts
        self.row_tag = b"<" + prefix + b"row"  # also counts a <rowBreaks>: one too many is harmless
        self.row_with_r = b"<" + prefix + b'row r="'
        self.cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>")
        self.cell_with_r = b"<" + prefix + b'c r="'
        self.cell_end = b"</" + prefix + b"c>"
        self.implicit_rows = 0
        self.cells = re.compile(rb'r="[A-Za-z]{1,7}(\d{1,10})' + _VALUED)
        self.wide = re.compile(rb'r="([A-Za-z]{2,7})\d{1,10}' + _VALUED)
        self.narrow = re.compile(rb'r="([A-Za-z])\d{1,10}' + _VALUED)
        self.far: dict[int, re.Pattern] = {}

    def run(self, zf: zipfile.ZipFile, name: str, limits: ReadLimits) -> None:
        """Stops as soon as a limit is passed (the counts are then lower bounds)."""
        self.facts.scanned = True
        tail = b""
        for chunk in _chunks(zf, name):
            data = tail + chunk
            # Keep the last tag, perhaps cut by the chunk's end, for the next
            # round (text cannot hold "<", so every tag before it is whole).
            cut = data.rfind(b"<")
            if cut < 0 or len(data) - cut > HEAD:
                cut = len(data)
            self.window(data[:cut])
            tail = data[cut:]
            if over_limits(self.facts.extent, limits):
                self.facts.stopped_early = True
                return
        self.window(tail)

    def window(self, w: bytes) -> None:
        f = self.facts
        row_tags = w.count(self.row_tag)
        f.row_elements += row_tags
        self.implicit_rows += row_tags - w.count(self.row_with_r)  # rows without r="" follow one another
        rows = [int(x) for x in self.cells.findall(w, max(0, len(w) - 8192))]
        # Until a row is known every valued cell is "far" (one full pass);
        # then only those with more digits than the farthest row so far.
        known = max(rows + [f.max_row])
        digits = len(str(known)) if known else 0
        far = self.far.get(digits)
        if far is None:
            far = self.far[digits] = re.compile(rb'r="[A-Za-z]{1,7}(\d{%d,10})' % (digits + 1) + _VALUED)
        rows += [int(x) for x in far.findall(w)]
        # One-letter columns reach Z at most (26 x the rows is held by the row
        # limit): their widest is read from the chunk's last rows only.
        letters = self.wide.findall(w) or self.narrow.findall(w, max(0, len(w) - 8192)) or self.narrow.findall(w)
        col = max((_col_number(a.upper()) for a in set(letters)), default=0)
        if sum(w.count(t) for t in self.cell_tags) > w.count(self.cell_with_r):
            # Cells without r="" follow one another: a row reaches as far as
            # its cells up to its last one with a value (which ends in </c>).
            for row in w.split(self.row_tag):
                end = row.rfind(self.cell_end)
                if end > 0:
                    col = max(col, sum(row.count(t, 0, end) for t in self.cell_tags))
        f.max_row = max(rows + [f.max_row, self.implicit_rows])
        f.max_col = max(f.max_col, col)
        if f.max_row:
            f.min_row, f.min_col, f.max_col = 1, 1, max(f.max_col, 1)


def _inspect_strings(zf: zipfile.ZipFile, part: PartFacts, limits: ReadLimits) -> StringFacts:
    head = _head(zf, part.name)
    facts = StringFacts(part.name)
    m = _UNIQUE.search(head)
    if m:
        facts.declared_count = int(m.group(1))
    if part.size <= limits.full_scan_mb * MB or part.ratio >= limits.suspicious_ratio:
        _scan_strings(zf, part.name, _prefix(head), facts, limits)
    return facts


_TAG = re.compile(rb"<[^>]*>")


def _scan_strings(zf: zipfile.ZipFile, name: str, prefix: bytes, facts: StringFacts, limits: ReadLimits) -> None:
    """Count the strings, streamed; a string's text is measured only when its
    bytes could exceed ``max_string_chars`` (n characters take at least n bytes)."""
    facts.scanned = True
    close = b"</" + prefix + b"si>"
    threshold = limits.max_string_chars + STRING_MARKUP
    buf = b""
    for chunk in _chunks(zf, name):
        pieces = (buf + chunk).split(close)
        buf = pieces.pop()  # the unfinished string
        facts.count += len(pieces)
        if pieces and max(map(len, pieces)) > limits.max_string_chars:
            long = [p for p in pieces if len(p) > limits.max_string_chars]
            facts.longest = max(facts.longest, *(_text_chars(p, threshold) for p in long))
        if facts.count > limits.max_shared_strings:
            return
        if len(buf) > threshold:  # markup alone is never this long
            facts.longest = max(facts.longest, len(buf))
            return


def _text_chars(piece: bytes, threshold: int) -> int:
    if len(piece) > threshold:
        return len(piece)
    return len(_TAG.sub(b"", piece).decode("utf-8", "replace"))
