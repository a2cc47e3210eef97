"""Hostile variants of valid generated exports, each named by one seed.

Why generated and seeded: a file that crashes the importer must be
reproducible by the engineer who fixes it, so every input is a pure function
of an integer (``make_input(seed)``): the soak (``bench/fuzz_soak.py``) and
the test suite (``tests/test_fuzz_import.py``) share these mutators, and
``python tests/fuzzing.py SEED... --out DIR`` writes the very files a report
names (``--reproducers`` writes the minimal file of each failure class
found).  The mutations are those that real exports, broken uploads and
hostile users produce: flipped and truncated bytes; hostile cell values (huge or
non-finite numbers, control characters, NUL, non-characters, lone surrogates,
ANSI escapes, formula-looking text, very long strings, impossible dates);
duplicated, empty, merged or garbled headers; XML-level edits inside the
.xlsx zip (far-away cell references, wrong ``<dimension>``, bogus
shared-string indexes, huge counts, broken tags, wrong content types); and
text encodings (UTF-16 LE/BE with and without BOM, GBK, Big5, Latin-1, mixed).

The .xlsx files are written here with ``zipfile`` (not openpyxl) so that the
XML is known byte for byte and shared strings are really shared: that is
what the XML mutators edit.  Standard library plus ``xlwt`` only, so the
bench can import it without pytest.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FuzzInput",
    "HOSTILE_VALUES",
    "make_input",
    "base_export",
    "xlsx_bytes",
    "xls_bytes",
    "csv_bytes",
    "col_letter",
    "FAMILIES",
    "REPRODUCERS",
]

Rows = list[list[Any]]

# --- valid base exports ---------------------------------------------------------------------

MONITORING_TOP = ["质检编号", "员工工号", "坐席姓名", "质检日期", "质检员", "总分", "扣分项", None, None,
                  "致命差错", "申诉状态", "备注"]
MONITORING_SUB = [None, None, None, None, None, None, "开场白", "服务态度", "业务准确性", None, None, None]
SURVEY_HEADER = ["回访编号", "回访日期", "坐席工号", "坐席姓名", "班组", "服务渠道", "满意度", "客户意见"]
CALL_TEST_HEADER = ["拨测编号", "拨测日期", "拨测人", "测试类型", "被测工号", "业务场景", "拨测得分", "是否合格"]


@dataclass
class Export:
    """A valid export before it is written: its rows (title and header rows
    included), which rows are headers, and which columns hold dates."""

    kind: str
    rows: Rows
    header_rows: list[int]
    merges: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return max(self.header_rows) + 1


def base_export(rng: random.Random, n: int | None = None) -> Export:
    """One of three valid exports (monitoring with a two-row merged header,
    survey, call test) with ``n`` data rows and the quirks exports have."""
    n = n if n is not None else rng.randint(2, 25)
    kind = rng.choice(("monitoring", "monitoring", "survey", "call_test"))
    day0 = dt.datetime(2026, 1, 5)
    tag = rng.randint(0, 99999)  # distinct ids per input, so databases can hold several
    if kind == "monitoring":
        rows: Rows = [["2026年1月 录音质检明细"], [], list(MONITORING_TOP), list(MONITORING_SUB)]
        for i in range(n):
            ded = [-rng.randint(0, 3), -rng.randint(0, 2), -rng.randint(0, 4)]
            date: Any = day0 + dt.timedelta(days=i % 20)
            if i % 4 == 1:
                date = f"2026/1/{5 + i % 20}"
            elif i % 4 == 2:
                date = f"2026年1月{5 + i % 20}日"
            rows.append([f"QM{tag:05d}{i:04d}", f"{7800 + i % 7:06d}", f"坐席{i % 7}", date,
                         "李质检" if i % 2 else "王质检", 100 + sum(ded), *ded, "否" if i % 9 else "是", "无",
                         "=SUM(A1)" if i % 5 == 3 else None])
        rows += [[None] * 12, ["合计", None, None, None, None, 95 * n]]
        return Export(kind, rows, [2, 3], ["G3:I3", "A3:A4", "B3:B4"])
    if kind == "survey":
        rows = [list(SURVEY_HEADER)]
        ratings = ("非常满意", "满意", "一般", "不满意", "很不满意", "5", "4", "1")
        for i in range(n):
            rows.append([f"SV{tag:05d}{i:04d}", day0 + dt.timedelta(days=i % 30), f"{7800 + i % 9:06d}",
                         f"坐席{i % 9}", f"综合{i % 3 + 1}组", rng.choice(("热线", "在线", "短信")),
                         ratings[i % len(ratings)], rng.choice(("", "很好", "等待太久")) or None])
        return Export(kind, rows, [0])
    rows = [["2026年第1周 拨测记录"], list(CALL_TEST_HEADER)]
    for i in range(n):
        rows.append([f"CT{tag:05d}{i:04d}", day0 + dt.timedelta(days=i), "神秘客户甲", "神秘客户",
                     f"{7800 + i % 5:06d}", rng.choice(("查询话费", "投诉", "办理业务")), 80 + i % 20,
                     "合格" if i % 6 else "不合格"])
    return Export(kind, rows, [1])


# --- writers: the same rows as .xlsx, .xls or CSV bytes --------------------------------------

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def col_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA ... 16383 -> XFD."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml_text(text: str) -> bytes:
    """Text as XML content.  Lone surrogates pass through as the invalid
    UTF-8 a careless writer would emit (that is one of the mutations)."""
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return esc.encode("utf-8", "surrogatepass")


def _num_text(x: float | int) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "INF" if x > 0 else "-INF"
        return repr(x)
    return str(x)


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/>'
    b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    b'Target="styles.xml"/></Relationships>'
)
STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    b'<borders count="1"><border/></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    b"</styleSheet>"
)


def workbook_xml(sheet: str = "数据") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="' + _xml_text(sheet) + b'" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def sheet_xml(rows: Rows, merges: list[str] = (), shared: dict[str, int] | None = None,
              dimension: str | None = None) -> bytes:
    """The worksheet XML for ``rows``; strings go to ``shared`` (the shared
    strings table, filled in here) or inline when it is ``None``."""
    width = max((len(r) for r in rows), default=1)
    dim = dimension or f"A1:{col_letter(max(width, 1) - 1)}{max(len(rows), 1)}"
    out = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="' + dim.encode() + b'"/><sheetData>']
    for i, row in enumerate(rows, start=1):
        cells = []
        for j, v in enumerate(row):
            if v is None:
                continue
            ref = f"{col_letter(j)}{i}".encode()
            if isinstance(v, bool):
                cells.append(b'<c r="' + ref + b'" t="b"><v>' + (b"1" if v else b"0") + b"</v></c>")
            elif isinstance(v, (dt.datetime, dt.date)):
                d = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
                serial = (d - EXCEL_EPOCH).total_seconds() / 86400
                cells.append(b'<c r="' + ref + b'" s="1"><v>' + _num_text(serial).encode() + b"</v></c>")
            elif isinstance(v, (int, float)):
                cells.append(b'<c r="' + ref + b'"><v>' + _num_text(v).encode() + b"</v></c>")
            elif shared is not None:
                k = shared.setdefault(str(v), len(shared))
                cells.append(b'<c r="' + ref + b'" t="s"><v>' + str(k).encode() + b"</v></c>")
            else:
                cells.append(b'<c r="' + ref + b'" t="inlineStr"><is><t xml:space="preserve">' + _xml_text(str(v))
                             + b"</t></is></c>")
        if cells:
            out.append(b'<row r="' + str(i).encode() + b'">' + b"".join(cells) + b"</row>")
    out.append(b"</sheetData>")
    if merges:
        out.append(b'<mergeCells count="' + str(len(merges)).encode() + b'">'
                   + b"".join(b'<mergeCell ref="' + m.encode() + b'"/>' for m in merges) + b"</mergeCells>")
    out.append(b"</worksheet>")
    return b"".join(out)


def shared_strings_xml(shared: dict[str, int], count: int | None = None) -> bytes:
    items = sorted(shared, key=shared.__getitem__)
    n = len(items)
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="'
        + str(count if count is not None else n).encode() + b'" uniqueCount="' + str(n).encode() + b'">'
        + b"".join(b'<si><t xml:space="preserve">' + _xml_text(s) + b"</t></si>" for s in items)
        + b"</sst>"
    )


def xlsx_parts(rows: Rows, merges: list[str] = (), sheet: str = "数据", inline: bool = False) -> dict[str, bytes]:
    """The package's parts, by name, ready to be mutated and zipped."""
    shared: dict[str, int] | None = None if inline else {}
    ws = sheet_xml(rows, merges, shared)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(sheet),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": ws,
        "xl/sharedStrings.xml": shared_strings_xml(shared or {}),
    }
    return parts


def zip_parts(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def xlsx_bytes(rows: Rows, merges: list[str] = (), sheet: str = "数据", inline: bool = False) -> bytes:
    return zip_parts(xlsx_parts(rows, merges, sheet, inline))


def xls_bytes(rows: Rows, sheet: str = "数据") -> bytes:
    """A BIFF8 .xls written by xlwt; values xlwt cannot hold (over-long or
    unencodable text, non-finite numbers) are written as their repr, the
    way a careless exporter would."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet[:31] or "Sheet1", cell_overwrite_ok=True)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows[:65535]):
        for c, value in enumerate(row[:256]):
            if value is None:
                continue
            try:
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write(r, c, value, date_style)
                elif isinstance(value, str):
                    text = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
                    ws.write(r, c, text[:32767])
                else:
                    ws.write(r, c, value)
            except Exception:  # xlwt refuses it: write the text instead
                ws.write(r, c, repr(value)[:32767])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_text(rows: Rows, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        w.writerow(["" if v is None else (v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v)
                    for v in row])
    return buf.getvalue()


def csv_bytes(rows: Rows, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    return csv_text(rows, delimiter).encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


# --- hostile values ------------------------------------------------------------------------

HOSTILE_VALUES: tuple[Any, ...] = (
    1e308, -1e308, 1.7976931348623157e308, 2**63, -(2**63) - 1, 10**30, 5e-324, -0.0,
    float("nan"), float("inf"), float("-inf"),
    "1e999", "-1e999", "NaN", "inf", "Infinity", "1" * 400, "0x7fffffff", "１２３", "95分分", "--5", "1,000,000.5",
    "\x00", "a\x00b", "\x01\x02\x03\x1f", "\x7f", "\x0b\x0c", "\ufffe", "\uffff", "x\ufffey",
    "\ud800", "a\udfffb", "\U0010ffff", "\u202eevil", "\u200b\u200b", "😀" * 50, "e\u0301" * 200,
    "\x1b[31mred\x1b[0m", "\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\r\n\r\n", "\t", "line1\nline2",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1:A9)", "=1/0",
    "A" * 32767, "工" * 40000, "x" * 100_000,
    "0000-00-00", "9999-12-31", "1900-02-29", "2026-02-30", "2026年13月45日", "20261399", "-1", "0",
    2958466, 2958465.99999, -1, 60, 1e10, -693594, "1/1/10000", "31/12/2025", "12:00:00", "T00:00",
    "NULL", "None", "#N/A", "#DIV/0!", "#REF!", "TRUE", "是否", "  ", "",
    "<script>alert(1)</script>", "'; DROP TABLE monitoring; --", "%s%s%n", "{0}{1}", "${jndi:ldap://x}",
)


def hostile_value(rng: random.Random) -> Any:
    v = rng.choice(HOSTILE_VALUES)
    if isinstance(v, str) and rng.random() < 0.15:  # embed it in ordinary text
        v = f"{rng.choice(('工号', 'QM', '2026-01-05', '95'))}{v}{rng.choice(('', '分', ' '))}"
    return v


# --- mutators ------------------------------------------------------------------------------
# Each takes (rng, export) and returns (format, bytes, description).

Mutated = tuple[str, bytes, str]


def _write(rng: random.Random, exp: Export, fmt: str | None = None) -> tuple[str, bytes]:
    fmt = fmt or rng.choice(("xlsx", "xlsx", "xls", "csv"))
    if fmt == "xlsx":
        return fmt, xlsx_bytes(exp.rows, exp.merges, inline=rng.random() < 0.3)
    if fmt == "xls":
        return fmt, xls_bytes(exp.rows)
    enc = rng.choice(("utf-8-sig", "utf-8", "gb18030"))
    return fmt, csv_bytes(exp.rows, enc, rng.choice((",", ",", ";", "\t")))


def mutate_bytes(rng: random.Random, data: bytes, n: int | None = None) -> tuple[bytes, str]:
    """Flip, insert, delete, duplicate or truncate bytes: a broken upload."""
    buf = bytearray(data)
    ops = []
    for _ in range(n or rng.choice((1, 1, 2, 3, 8, 30))):
        if not buf:
            break
        op = rng.choice(("flip", "flip", "set", "insert", "delete", "dup", "truncate", "magic"))
        i = rng.randrange(len(buf))
        if op == "flip":
            buf[i] ^= 1 << rng.randrange(8)
        elif op == "set":
            buf[i] = rng.choice((0x00, 0xFF, 0x7F, 0x80, 0x3C, 0x22, rng.randrange(256)))
        elif op == "insert":
            buf[i:i] = rng.choice((b"\x00", b"\xff\xfe", b"<", b"\xe5", bytes(rng.randrange(256) for _ in range(8))))
        elif op == "delete":
            del buf[i:i + rng.randint(1, 64)]
        elif op == "dup":
            buf[i:i] = buf[i:i + rng.randint(1, 512)]
        elif op == "truncate":
            del buf[i:]
        else:  # an interesting 32-bit value (lengths, counts, offsets)
            buf[i:i + 4] = rng.choice((b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80",
                                       b"\x00\x00\x01\x00"))
        ops.append(op)
    return bytes(buf), "+".join(ops) or "none"


def m_bytes(rng: random.Random, exp: Export) -> Mutated:
    fmt, data = _write(rng, exp)
    data, ops = mutate_bytes(rng, data)
    return fmt, data, f"bytes:{ops}"


def m_cells(rng: random.Random, exp: Export) -> Mutated:
    """Hostile values in data cells (and now and then in a header or the title)."""
    rows = [list(r) for r in exp.rows]
    k = rng.choice((1, 1, 2, 4, 12))
    placed = []
    for _ in range(k):
        i = rng.randrange(exp.data_start, len(rows)) if rng.random() < 0.9 else rng.randrange(len(rows))
        if not rows[i]:
            rows[i] = [None]
        j = rng.randrange(max(len(rows[i]), 1) + (1 if rng.random() < 0.1 else 0))
        while len(rows[i]) <= j:
            rows[i].append(None)
        v = hostile_value(rng)
        rows[i][j] = v
        placed.append(f"{col_letter(j)}{i + 1}={_short(v)}")
    fmt, data = _write(rng, Export(exp.kind, rows, exp.header_rows, exp.merges))
    return fmt, data, "cells:" + ";".join(placed)


def _short(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 24 else f"{r[:16]}...len{len(str(v))}"


def m_headers(rng: random.Random, exp: Export) -> Mutated:
    """Duplicated, empty, merged, garbled, moved or missing headers."""
    rows = [list(r) for r in exp.rows]
    merges = list(exp.merges)
    h = rng.choice(exp.header_rows)
    header = rows[h]
    op = rng.choice(("duplicate", "empty", "garble", "merge", "swap", "drop_row", "repeat_mid", "wide", "long",
                     "all_same", "only_header", "newline", "fullwidth", "no_header"))
    j = rng.randrange(len(header))
    if op == "duplicate":
        src = rng.randrange(len(header))
        header[j] = header[src] or "员工工号"
    elif op == "empty":
        for _ in range(rng.randint(1, len(header))):
            header[rng.randrange(len(header))] = rng.choice((None, "", " ", "\u3000"))
    elif op == "garble":
        text = str(header[j] or "工号")
        header[j] = "".join(c if rng.random() < 0.5 else chr(rng.randrange(0x20, 0x9FFF)) for c in text)
    elif op == "merge":
        r = h + 1
        merges.append(rng.choice((f"A{r}:{col_letter(len(header) - 1)}{r}", f"B{r}:D{r + 3}",
                                  f"A{r}:XFD{r}", f"A1:A{len(rows)}", f"C{r}:C{r}")))
    elif op == "swap":
        k = rng.randrange(len(header))
        header[j], header[k] = header[k], header[j]
    elif op == "drop_row":
        del rows[h]
    elif op == "repeat_mid":
        rows.insert(rng.randrange(exp.data_start, len(rows) + 1), list(header))
    elif op == "wide":
        header.extend(f"列{k}" for k in range(rng.choice((50, 300, 2000))))
    elif op == "long":
        header[j] = str(header[j] or "") * rng.choice((100, 5000))
    elif op == "all_same":
        rows[h] = ["工号"] * len(header)
    elif op == "only_header":
        del rows[exp.data_start:]
    elif op == "newline":
        header[j] = f"{header[j]}\n(必填)\r\n"
    elif op == "fullwidth":
        header[j] = "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in str(header[j] or "ID"))
    else:
        for hr in sorted(exp.header_rows, reverse=True):
            del rows[hr]
    fmt, data = _write(rng, Export(exp.kind, rows, exp.header_rows, merges))
    return fmt, data, f"header:{op}@{col_letter(j)}{h + 1}"


FAR_REFS = ("XFD1048576", "A1048576", "XFD1", "ZZZ999999", "AAA100000", "XFD5", "A2000000", "XFE1", "A0",
            "A-1", "1A", "")


def _xml_ops(rng: random.Random, parts: dict[str, bytes]) -> str:
    ws_name = "xl/worksheets/sheet1.xml"
    ws = parts[ws_name]
    op = rng.choice(("far_cell", "far_cell", "dimension", "sst_index", "huge_count", "broken_tag", "content_types",
                     "rels", "row_number", "cell_type", "style", "entity", "encoding_decl", "missing_part",
                     "merge_huge", "cols", "truncate_xml", "xml_bytes"))
    detail = ""
    if op == "far_cell":
        ref = rng.choice(FAR_REFS)
        m = re.match(r"([A-Z]*)(-?\d*)", ref)
        row = m.group(2) if m and m.group(2) else "1"
        detail = ref
        cell = b'<c r="' + ref.encode() + b'"><v>1</v></c>'
        if rng.random() < 0.5:
            ws = ws.replace(b"</sheetData>", b'<row r="' + row.encode() + b'">' + cell + b"</row></sheetData>")
        else:  # inside an existing row, out of order
            ws = ws.replace(b"</row>", cell + b"</row>", 1)
    elif op == "dimension":
        ref = rng.choice(("A1:XFD1048576", "A1:A1", "garbage", "B2:A1", "A1:ZZZZ99999999", "", "A1:XFD1"))
        detail = ref
        ws = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref.encode() + b'"/>', ws)
    elif op == "sst_index":
        bad = rng.choice((b"999999999", b"-1", b"abc", b"18446744073709551616", b"", b"1.5", b"4294967295"))
        detail = bad.decode()
        hits = [m.start() for m in re.finditer(rb't="s"><v>\d+</v>', ws)]
        if hits:
            at = rng.choice(hits)
            end = ws.index(b"</v>", at)
            ws = ws[:at] + b't="s"><v>' + bad + ws[end:]
        else:
            ws = ws.replace(b"</row>", b'<c r="Z1" t="s"><v>' + bad + b"</v></c></row>", 1)
    elif op == "huge_count":
        what = rng.choice(("sst", "merge", "spans"))
        detail = what
        if what == "sst":
            parts["xl/sharedStrings.xml"] = re.sub(
                rb'count="\d+" uniqueCount="\d+"', b'count="4294967295" uniqueCount="4294967295"',
                parts["xl/sharedStrings.xml"])
        elif what == "merge":
            ws = ws.replace(b"</worksheet>", b'<mergeCells count="2147483647"/></worksheet>')
        else:
            ws = ws.replace(b'<row r="1">', b'<row r="1" spans="1:16384">')
    elif op == "broken_tag":
        choices = (b"</row>", b"</c>", b"</v>", b"</sheetData>", b"<v>", b'"')
        tag = rng.choice(choices)
        detail = tag.decode()
        idx = [m.start() for m in re.finditer(re.escape(tag), ws)]
        if idx:
            at = rng.choice(idx)
            ws = ws[:at] + rng.choice((b"", b"<", b"</x>", b"<c ", b"&")) + ws[at + len(tag):]
    elif op == "content_types":
        detail = rng.choice(("missing", "wrong_type", "garbage", "sheet_as_sst"))
        if detail == "missing":
            del parts["[Content_Types].xml"]
        elif detail == "wrong_type":
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"spreadsheetml.worksheet+xml", b"wordprocessingml.document.main+xml")
        elif detail == "garbage":
            parts["[Content_Types].xml"] = b"\x00\xffnot xml"
        else:
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"/xl/worksheets/sheet1.xml", b"/xl/sharedStrings.xml")
    elif op == "rels":
        target = rng.choice((b"worksheets/nope.xml", b"../../../../etc/passwd", b"/xl/worksheets/sheet1.xml",
                             b"sharedStrings.xml", b"", b"worksheets/sheet1.xml#x"))
        detail = target.decode()
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"worksheets/sheet1.xml", target)
    elif op == "row_number":
        bad = rng.choice((b"0", b"-5", b"99999999999", b"1048577", b"abc", b"3"))
        detail = bad.decode()
        rows = [m.start() for m in re.finditer(rb'<row r="\d+"', ws)]
        if rows:
            at = rng.choice(rows)
            end = ws.index(b'"', at + 8)
            ws = ws[:at] + b'<row r="' + bad + ws[end:]
    elif op == "cell_type":
        t = rng.choice((b"d", b"e", b"b", b"str", b"inlineStr", b"n", b"zz", b"s"))
        v = rng.choice((b"<v>2</v>", b"<v>garbage</v>", b"", b"<v>2026-13-45T99:99</v>", b"<v>#N/A</v>",
                        b"<v>1e999</v>", b"<is></is>"))
        detail = f"{t.decode()}:{v.decode()}"
        ws = ws.replace(b"</row>", b'<c r="K1" t="' + t + b'">' + v + b"</c></row>", 1)
    elif op == "style":
        s = rng.choice((b"99999", b"-1", b"1", b"abc"))
        detail = s.decode()
        ws = re.sub(rb'<c r="([A-Z]+[0-9]+)"><v>', lambda m: b'<c r="' + m.group(1) + b'" s="' + s + b'"><v>', ws,
                    count=rng.randint(1, 20))
        if rng.random() < 0.5:
            parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(
                b'<cellXfs count="2">', b'<numFmts count="1"><numFmt numFmtId="164" formatCode="[$-F800]yyyy\\'
                b'&quot;&quot;&quot;;;;@@@"/></numFmts><cellXfs count="2">').replace(b'numFmtId="14"', b'numFmtId="164"')
    elif op == "entity":
        detail = rng.choice(("laughs", "undefined", "external"))
        if detail == "laughs":
            dtd = (b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                   b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
            sst = parts["xl/sharedStrings.xml"]
            sst = sst.replace(b"?>\n", b"?>\n" + dtd, 1).replace(b"<si>", b"<si><t>&d;&d;&d;</t></si><si>", 1)
            parts["xl/sharedStrings.xml"] = sst
        elif detail == "undefined":
            ws = ws.replace(b"</v>", b"&nosuch;</v>", 1)
        else:
            ws = ws.replace(b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1).replace(
                b"</v>", b"&e;</v>", 1)
    elif op == "encoding_decl":
        enc = rng.choice((b"UTF-16", b"ISO-8859-1", b"GBK", b"nonsense"))
        detail = enc.decode()
        ws = ws.replace(b'encoding="UTF-8"', b'encoding="' + enc + b'"', 1)
    elif op == "missing_part":
        name = rng.choice(("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", ws_name,
                           "xl/_rels/workbook.xml.rels", "_rels/.rels"))
        detail = name
        del parts[name]
        if name == ws_name:
            ws = b""
    elif op == "merge_huge":
        ref = rng.choice((b"A1:XFD1048576", b"A1:A1048576", b"A1:XFD1", b"B5:A1", b"A1:ZZZ9"))
        detail = ref.decode()
        ws = ws.replace(b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="' + ref + b'"/></mergeCells>'
                        b"</worksheet>")
        ws = re.sub(rb"(</sheetData>)(<mergeCells.*?</mergeCells>)(.*?<mergeCells)", rb"\1\3", ws, flags=re.S)
    elif op == "cols":
        detail = "cols"
        ws = ws.replace(b"<sheetData>", b'<cols><col min="1" max="16384" width="9" customWidth="1"/></cols>'
                        b"<sheetData>")
    elif op == "truncate_xml":
        name = rng.choice([n for n in parts if n.endswith(".xml")])
        detail = name
        data = ws if name == ws_name else parts[name]
        data = data[: rng.randrange(len(data))]
        if name == ws_name:
            ws = data
        else:
            parts[name] = data
    else:
        ws, detail = mutate_bytes(rng, ws)
    if ws_name in parts:
        parts[ws_name] = ws
    return f"{op}:{detail}"


def m_xml(rng: random.Random, exp: Export) -> Mutated:
    parts = xlsx_parts(exp.rows, exp.merges, inline=rng.random() < 0.25)
    descs = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        try:
            descs.append(_xml_ops(rng, parts))
        except (KeyError, ValueError, IndexError):  # an earlier edit removed what this one edits
            descs.append("skipped")
    return "xlsx", zip_parts(parts), "xml:" + "+".join(descs)


ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-16-le+bom", "utf-16-be+bom", "gbk", "gb18030", "big5",
             "latin-1", "cp1252", "utf-32", "shift_jis", "utf-8+gbk", "utf-8-sig+utf-16", "utf-16-odd",
             "utf-16+lone-surrogate", "utf-8-overlong", "bom-only-utf16", "utf-7")


def m_encoding(rng: random.Random, exp: Export) -> Mutated:
    """A CSV in an encoding an export might have, or a mix of two."""
    enc = rng.choice(ENCODINGS)
    text = csv_text(exp.rows, rng.choice((",", "\t", ";")))
    if enc in ("utf-16-le+bom", "utf-16-be+bom"):
        codec = enc.split("+")[0]
        data = ("\ufeff" + text).encode(codec, "surrogatepass")
    elif enc == "utf-8+gbk":
        half = len(text) // 2
        data = text[:half].encode("utf-8") + text[half:].encode("gbk", "replace")
    elif enc == "utf-8-sig+utf-16":
        half = len(text) // 2
        data = text[:half].encode("utf-8-sig") + text[half:].encode("utf-16")
    elif enc == "utf-16-odd":
        data = text.encode("utf-16")[:-1]
    elif enc == "utf-16+lone-surrogate":
        data = text.encode("utf-16")
        k = 2 + 2 * rng.randrange(max(1, (len(data) - 2) // 2))
        data = data[:k] + b"\x00\xd8" + data[k:]
    elif enc == "utf-8-overlong":
        data = text.encode("utf-8").replace(b",", b"\xc0\xac", rng.randint(1, 5))
    elif enc == "bom-only-utf16":
        data = rng.choice((b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00", b"\xef\xbb\xbf"))
    else:
        data = text.encode(enc, "replace")
    return "csv", data, f"encoding:{enc}"


def m_valid(rng: random.Random, exp: Export) -> Mutated:
    """An untouched export: the control group, and what re-imports are checked on."""
    fmt, data = _write(rng, exp)
    return fmt, data, "valid"


FAMILIES: dict[str, Callable[[random.Random, Export], Mutated]] = {
    "valid": m_valid,
    "bytes": m_bytes,
    "cells": m_cells,
    "header": m_headers,
    "xml": m_xml,
    "encoding": m_encoding,
}
WEIGHTS = {"valid": 1, "bytes": 3, "cells": 5, "header": 3, "xml": 4, "encoding": 2}


@dataclass(frozen=True)
class FuzzInput:
    """One generated input: its bytes, how it was made, and the import
    options to try it with (``skip_invalid`` exercises the rejects workbook)."""

    seed: int
    family: str
    fmt: str
    description: str
    data: bytes
    skip_invalid: bool

    @property
    def name(self) -> str:
        return f"fz{self.seed:07d}-{self.family}.{self.fmt}"

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.name
        path.write_bytes(self.data)
        return path


def make_input(seed: int, family: str | None = None) -> FuzzInput:
    """The input named by ``seed`` (optionally forcing its family); pure."""
    rng = random.Random(seed)
    fam = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    fam = family or fam
    exp = base_export(rng)
    fmt, data, desc = FAMILIES[fam](rng, exp)
    if not data:
        data = b"\x00"
    return FuzzInput(seed, fam, fmt, desc, data, skip_invalid=rng.random() < 0.35)


# --- minimal reproducers of what the fuzzer found ---------------------------------------------
# Each is the smallest file found to show one failure class on the code of
# 2026-12 (issue 13), so that whoever fixes it has one file and one cause.

_SMALL = [["质检编号", "员工工号", "质检日期", "总分"], ["QM1", "007812", "2026-01-05", 95]]


def _utf16_odd() -> bytes:
    """UTF-16 LE with a BOM, one byte short: ``data.decode("utf-16")`` raises."""
    return ("\ufeff员工工号,质检日期,总分\r\n007812,2026-01-05,95\r\n").encode("utf-16-le")[:-1]


def _utf16_surrogate() -> bytes:
    """UTF-16 LE with a BOM ending in a lone high surrogate."""
    return ("\ufeff员工工号,质检日期,总分\r\n007812,2026-01-05,95\r\n").encode("utf-16-le") + b"\x00\xd8"


def _control_char_reject() -> bytes:
    """An invalid row (no agent id) whose comment holds U+0001; with
    --skip-invalid the rejects workbook cannot hold it."""
    rows = [["质检编号", "员工工号", "质检日期", "总分", "备注"], ["QM1", "007812", "2026-01-05", 95, "ok"],
            ["QM2", None, "2026-01-05", 90, "bad\x01row"]]
    return xlsx_bytes(rows)


def _row_error() -> bytes:
    """A row error: the CLI's --json drops the error's ``code``."""
    return xlsx_bytes([_SMALL[0], ["QM1", "007812", "not a date", 95]])


def _sst_unique_count() -> bytes:
    """A shared strings table declaring 4,294,967,295 unique strings:
    the reader reserves room for all of them (about 100 GB)."""
    parts = xlsx_parts(_SMALL)
    parts["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4294967295"',
                                           parts["xl/sharedStrings.xml"])
    return zip_parts(parts)


def _far_cell() -> bytes:
    """One cell at XFD1048576: the reader allocates the whole grid (16,384 x 1,048,576)."""
    parts = xlsx_parts(_SMALL)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return zip_parts(parts)


def _xls_truncated() -> bytes:
    """An xlwt .xls cut 100 bytes short, its last sector partial: calamine
    panics (cfb.rs), the reader turns that into a rejection, but the panic
    message is already on stderr."""
    return xls_bytes(_SMALL)[:-100]


# name -> (file name, builder, import with --skip-invalid)
REPRODUCERS: dict[str, tuple[str, Callable[[], bytes], bool]] = {
    "utf16_bom_odd_length": ("utf16_odd.csv", _utf16_odd, False),
    "utf16_bom_lone_surrogate": ("utf16_surrogate.csv", _utf16_surrogate, False),
    "control_char_in_rejects_workbook": ("control_char.xlsx", _control_char_reject, True),
    "cli_json_errors_without_code": ("row_error.xlsx", _row_error, False),
    "sst_unique_count_4294967295": ("sst_unique_count.xlsx", _sst_unique_count, False),
    "far_away_cell_xfd1048576": ("far_cell.xlsx", _far_cell, False),
    "xls_truncated_panic_on_stderr": ("truncated.xls", _xls_truncated, False),
}


def _main() -> None:
    p = argparse.ArgumentParser(description="write the fuzz inputs named by their seeds, or the reproducers")
    p.add_argument("seeds", nargs="*", type=int)
    p.add_argument("--family", choices=list(FAMILIES))
    p.add_argument("--reproducers", action="store_true", help="write every minimal reproducer")
    p.add_argument("--out", type=Path, default=Path("."))
    args = p.parse_args()
    for s in args.seeds:
        inp = make_input(s, args.family)
        path = inp.write(args.out)
        print(f"{path}\t{inp.description}\tskip_invalid={inp.skip_invalid}")
    if args.reproducers:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, (file_name, build, skip) in REPRODUCERS.items():
            (args.out / file_name).write_bytes(build())
            print(f"{args.out / file_name}\t{name}\tskip_invalid={skip}")


if __name__ == "__main__":
    _main()
