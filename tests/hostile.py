"""Hostile files, built at test time (never committed), and misbehaving functions for the isolated child.

The bombs reproduce what a fuzzer and hand-made files did to the reader
(issue 13); sizes are the real ones unless a docstring says otherwise.
This module imports nothing heavy: the isolation tests' child processes
import it to find their functions.
"""

from __future__ import annotations

import os
import random
import struct
import time
import zlib
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_OOXML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
    '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _workbook_rels(shared_strings: bool) -> str:
    sst = f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else ""
    return (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>{sst}</Relationships>'
    )


class Deflated:
    """A member's deflate stream: ``unit`` (ending in a full flush, so it
    needs nothing before it) repeated ``times``, between a head and a tail.
    Repeating one compressed block is how a few MB expand to gigabytes
    without compressing gigabytes at test time."""

    def __init__(self, head: bytes, unit: bytes, times: int, tail: bytes, crc: bool = True):
        self.size = len(head) + len(unit) * times + len(tail)
        pieces = []
        for part in (head, unit):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            pieces.append(c.compress(part) + c.flush(zlib.Z_FULL_FLUSH))
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        last = c.compress(tail) + c.flush()
        self.data = pieces[0] + pieces[1] * times + last
        value = zlib.crc32(head)
        if crc:
            for _ in range(times):
                value = zlib.crc32(unit, value)
        # Without crc the checksum is wrong: a reader still expands every byte
        # before it could notice (the zip's checksum is checked at the end).
        self.crc = zlib.crc32(tail, value) if crc else 0


def write_zip(path: Path, members: dict[str, str | bytes | Deflated]) -> Path:
    """A zip file written by hand (struct), so that a member can be a prebuilt
    deflate stream; sizes stay under 4 GiB (no zip64)."""
    out, central = bytearray(), bytearray()
    for name, member in members.items():
        if not isinstance(member, Deflated):
            raw = member.encode() if isinstance(member, str) else member
            member = Deflated(b"", b"", 0, raw)
        n = name.encode()
        header = struct.pack("<HHHHHIIIHH", 20, 0x0800, 8, 0, 0x21, member.crc, len(member.data), member.size, len(n), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + header + struct.pack("<HHHII", 0, 0, 0, 0, len(out)) + n
        out += struct.pack("<I", 0x04034B50) + header + n + member.data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def xlsx(path: Path, sheet: str | Deflated, shared_strings: str | Deflated | None = None) -> Path:
    members: dict[str, str | bytes | Deflated] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": _workbook_rels(shared_strings is not None),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared_strings is not None:
        members["xl/sharedStrings.xml"] = shared_strings
    return write_zip(path, members)


def _sheet(rows: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{NS}">{dim}<sheetData>{rows}</sheetData></worksheet>'


SHEET_HEAD = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def far_away_cell(path: Path) -> Path:
    """1.5 KB: two cells, A1 and XFD1048576; calamine allocates the rectangle between (549 GB)."""
    return xlsx(path, _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c></row>'
                             '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'))


def shared_strings_bomb(path: Path, mb: int = 100, refs: int = 1000) -> Path:
    """~110 KB: one shared string of 100 MB, used by 1,000 cells (100 GB once read)."""
    head = f'<?xml version="1.0"?><sst xmlns="{NS}" count="{refs}" uniqueCount="1"><si><t>'.encode()
    sst = Deflated(head, b"a" * (1 << 20), mb, b"</t></si></sst>")
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, refs + 1))
    return xlsx(path, _sheet(rows), sst)


def many_rows_bomb(path: Path, rows: int = 10_000_000, ratio_noise: int = 40_000) -> Path:
    """~3.5 MB: 10 million one-cell rows (without r="", as some writers do),
    with enough incompressible filler that the ratio (~80x) passes the zip
    rule: only counting the rows finds it."""
    per_unit = 100_000
    filler = random.Random(1).randbytes(ratio_noise * 3 // 4).hex()[:ratio_noise].encode()
    unit = b"<row><c><v>1</v></c></row>" * per_unit + b"<!--" + filler + b"-->"
    return xlsx(path, Deflated(SHEET_HEAD, unit, rows // per_unit, SHEET_TAIL))


def big_worksheet_bomb(path: Path, gb: float = 4) -> Path:
    """~4 MB: a worksheet of 4 GB (one cell of blanks), 1,000 times its compressed size.
    Its checksum is left wrong (computing it would take seconds): a reader
    expands all of it before it could notice."""
    unit = b" " * (1 << 26)
    times = min(int(gb * 16), 63)  # 63 x 64 MB = 4,032 MB, under zip64's 4 GiB
    head = SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    return xlsx(path, Deflated(head, unit, times, b"</t></is></c></row>" + SHEET_TAIL, crc=False))


def long_string(path: Path, chars: int = 40_000) -> Path:
    """A shared string longer than Excel allows, incompressible (so no zip rule sees it)."""
    text = random.Random(2).randbytes(chars * 3 // 4 + 3).hex()[:chars]
    sst = f'<?xml version="1.0"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    return xlsx(path, _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), sst)


def many_strings(path: Path, count: int) -> Path:
    sst = "".join(f"<si><t>s{i}</t></si>" for i in range(count))
    sst = f'<?xml version="1.0"?><sst xmlns="{NS}" count="{count}" uniqueCount="{count}">{sst}</sst>'
    return xlsx(path, _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), sst)


def sheet_xml(path: Path, rows: str, dimension: str = "") -> Path:
    return xlsx(path, _sheet(rows, dimension))


def big_csv(path: Path, mb: int = 480, quoted: bool = False) -> Path:
    """480 MB of short rows (24 million), under the 512 MB file limit; quoted,
    the rows cannot be counted from the line breaks and are parsed as they come."""
    row = b'"1","2","3","4","5","6","7","8","9","0"\n' if quoted else b"1,2,3,4,5,6,7,8,9,0\n"
    block = row * ((1 << 20) // len(row))  # ~1 MB
    with path.open("wb") as fh:
        for _ in range(mb):
            fh.write(block)
    return path


def xls_dimensions_bomb(path: Path) -> Path:
    """5.6 KB: a legacy .xls whose DIMENSIONS record claims 4 billion rows x 256
    columns; calamine allocates that grid (44 TB) before reading a cell."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("数据")
    for r in range(20):
        for c in range(5):
            ws.write(r, c, f"v{r}{c}")
    wb.save(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(struct.pack("<HH", 0x0200, 14))  # the DIMENSIONS record
    struct.pack_into("<IIHH", data, at + 4, 0, 0xFFFFFF00, 0, 256)
    path.write_bytes(bytes(data))
    return path


def bit_flipped(data: bytes, seed: int, flips: int = 8) -> bytes:
    """``data`` with ``flips`` random bits flipped (what a fuzzer does)."""
    rnd = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        i = rnd.randrange(len(out))
        out[i] ^= 1 << rnd.randrange(8)
    return bytes(out)


# --- functions for the isolated child (module level: sent by name) --------------------------


def child_pid() -> int:
    return os.getpid()


def child_abort() -> None:
    os.write(2, b"something the user must not see\n")
    os.abort()


def child_rust_style_panic() -> None:
    """What a panicking Rust library prints before it aborts (RUST_BACKTRACE=1)."""
    os.write(2, b"thread '<unnamed>' (123) panicked at src/xls.rs:1515:29:\nrange start index 4 out of range\n"
                b"stack backtrace:\n   0: rust_begin_unwind\n   1: core::panicking::panic_fmt\n")
    os.abort()


def child_exit(code: int) -> None:
    os._exit(code)


def child_hang() -> None:
    while True:
        time.sleep(0.05)


def child_spin() -> None:
    while True:
        pass


def child_allocate_python() -> None:
    chunks = []
    while True:
        chunks.append(bytearray(64 << 20))


def child_allocate_arrow(gb: int = 64) -> None:
    import pyarrow as pa

    pa.allocate_buffer(gb << 30)


def child_allocate_rust() -> None:
    """Rust's own allocation failure: calamine reading the far-away cell."""
    import tempfile

    import fastexcel

    with tempfile.TemporaryDirectory() as d:
        p = far_away_cell(Path(d) / "far.xlsx")
        fastexcel.read_excel(str(p)).load_sheet(0, header_row=None).to_arrow()


def child_raise(exc: BaseException) -> None:
    raise exc


def child_tables(n: int):
    """A RawSheet, a bare table and a record batch, as the reader returns them."""
    import pyarrow as pa

    from qa_analytics.ingest.read import RawSheet

    table = pa.table({"c0": [f"{i:06d}" for i in range(n)], "c1": [None if i % 3 else "是" for i in range(n)]})
    return RawSheet("数据", table, 1), table, table.to_batches()[0] if n else table, {"n": n}


def child_returns_a_function():
    return os.system


def child_limits():
    from qa_analytics.ingest.limits import ReadLimits, memory_cap

    return ReadLimits.current(), memory_cap()
