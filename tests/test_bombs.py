"""Decompression, allocation and size bombs are refused, quickly and cheaply (issue 13).

Each bomb is built here, in a fixture, from code (zipfile, xlwt): no binary is
committed, and the code says exactly what makes the file hostile.  Each is
imported by the command line in a subprocess under a 3 GB address-space cap
and a wall-clock limit, so that a reader that tries to allocate without bound
fails this test in seconds instead of taking the machine to 20 GB.  The
promise: the file is refused (exit 1, a rejected report with a message),
within ``BOUND_S`` (a hang detector, not a speed target), with a peak
resident memory of the whole process tree under 1 GB, no traceback or panic
text, and the database untouched.

The 480 MB CSV takes a while to write, so it is marked ``slow`` (``make
test-slow``); a 48 MB version of the same shape runs in ``make test``.
"""

from __future__ import annotations

import json
import random
import struct
import zipfile
from pathlib import Path

import pytest

from fuzzing import base_export, col_letter, shared_strings_xml, xls_bytes, xlsx_parts
from harness import GB, child_env, cli, crash_text, key_lines, run_guarded, state_of_file

BOUND_S = 90  # seconds: past this a refusal is a hang
PEAK_MB = 1024  # the whole process tree
CAP = 3 * GB  # address space of the import process: today's failures stay fast
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "calamine-tests"
CORPUS_BOMBS = sorted(CORPUS.glob("OOM_alloc*.xls")) + sorted(CORPUS.glob("issue_594_dos.ods")) if CORPUS.exists() else []

SHEET = "xl/worksheets/sheet1.xml"
XML_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def import_guarded(tmp_path: Path, path: Path, **env: str):
    """(run, database state before, after) of ``import PATH --json``, with
    ``env`` added to the environment (``QA_*`` limits)."""
    from qa_analytics import store

    db = tmp_path / "bomb.duckdb"
    store.connect(db).close()
    before = state_of_file(db)
    run = run_guarded(cli(db, "import", str(path), "--json"), timeout=BOUND_S, max_bytes=CAP, env=child_env(**env))
    after = state_of_file(db) if run.signal is None else None
    return run, before, after


def assert_refused(tmp_path: Path, path: Path, **env: str) -> dict:
    run, before, after = import_guarded(tmp_path, path, **env)
    what = f"{path.name} ({path.stat().st_size / 2**20:.2f} MB): {run.describe()}; stderr: {key_lines(run.stderr)}"
    assert not run.timed_out, f"not refused within {BOUND_S} s: {what}"
    assert run.signal is None, f"the import process was killed: {what}"
    assert crash_text(run.stderr) is None, f"crash text on stderr: {what}"
    assert run.maxrss_mb < PEAK_MB, f"peak RSS {run.maxrss_mb:.0f} MB >= {PEAK_MB} MB: {what}"
    assert run.returncode == 1, f"expected a refusal (exit 1): {what}; stdout {run.stdout[:300]!r}"
    reports = json.loads(run.stdout)
    assert reports[0]["status"] == "rejected" and reports[0]["message"], reports
    assert after == before, "a refused file changed the database"
    return reports[0]


def _zip_with_sheet(path: Path, parts: dict[str, bytes], write_sheet) -> Path:
    """An .xlsx whose worksheet part is streamed by ``write_sheet(fh)``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            if name != SHEET:
                z.writestr(name, data)
        with z.open(SHEET, "w", force_zip64=True) as fh:
            write_sheet(fh)
    return path


def _export_parts(n: int = 5) -> dict[str, bytes]:
    exp = base_export(random.Random(5), n=n)
    return xlsx_parts(exp.rows, exp.merges)


# --- the bombs -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bombs")


def test_far_away_cell(bombs, tmp_path):
    """~2 KB: a valid export plus one cell at XFD1048576, the last cell of a
    worksheet.  A reader that allocates its grid from the extent allocates
    16,384 x 1,048,576 cells (today: SIGABRT, 'memory allocation of ... failed')."""
    parts = _export_parts()
    parts[SHEET] = parts[SHEET].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    path = bombs / "far_cell.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert path.stat().st_size < 4096
    assert_refused(tmp_path, path)


def test_shared_strings_expansion(bombs, tmp_path):
    """~100 KB: one 100 MB shared string (deflate of one repeated byte,
    ~1,000:1), referenced by 1,000 cells: 100 GB of text once every cell
    holds its own copy (as an Arrow string column does)."""
    size, refs = 100 * 2**20, 1000
    parts = _export_parts()
    sst_head, sst_tail = shared_strings_xml({"PLACEHOLDER": 0}, count=refs).split(b"PLACEHOLDER")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (i, i) for i in range(1, refs + 1))
    parts[SHEET] = (XML_HEAD + b'<dimension ref="A1:A%d"/><sheetData>' % refs + rows + b"</sheetData></worksheet>")
    path = bombs / "sst_bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                z.writestr(name, data)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(sst_head)
            block = b"A" * 2**20
            for _ in range(size // len(block)):
                fh.write(block)
            fh.write(sst_tail)
    assert path.stat().st_size < 300_000
    assert_refused(tmp_path, path)


def test_ten_million_rows(bombs, tmp_path):
    """~4.5 MB: a survey export with 10,000,000 data rows (ten times what a
    worksheet can hold), streamed into the zip; the rows are valid, so only
    a limit on what is read can refuse it cheaply."""
    n = 10_000_000
    shared = {"回访日期": 0, "坐席工号": 1, "满意度": 2, "满意": 3, "2026-01-05": 4}
    shared.update({f"{7800 + k:06d}": 5 + k for k in range(100)})
    parts = _export_parts()
    parts["xl/sharedStrings.xml"] = shared_strings_xml(shared)

    def write_sheet(fh) -> None:
        fh.write(XML_HEAD + b'<dimension ref="A1:C%d"/><sheetData>' % (n + 1))
        fh.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
                 b'<c r="C1" t="s"><v>2</v></c></row>')
        pattern = [b'<row><c t="s"><v>4</v></c><c t="s"><v>%d</v></c><c t="s"><v>3</v></c></row>' % (5 + k)
                   for k in range(100)]
        block = b"".join(pattern)  # 100 agents: a period inside deflate's 32 KB window
        for _ in range(n // 100):
            fh.write(block)
        fh.write(b"</sheetData></worksheet>")

    path = _zip_with_sheet(bombs / "ten_million_rows.xlsx", parts, write_sheet)
    assert path.stat().st_size < 8 * 2**20
    assert_refused(tmp_path, path)


def test_four_gb_worksheet(bombs, tmp_path):
    """~4 MB: a valid export whose worksheet inflates to 4 GB: one comment
    cell holding 4 GB of one repeated byte (deflate's best case, ~1,000:1)."""
    parts = _export_parts()
    head, tail = parts[SHEET].split(b"</sheetData>")
    cell_open = b'<row r="100"><c r="L100" t="inlineStr"><is><t>'
    cell_close = b"</t></is></c></row></sheetData>"

    def write_sheet(fh) -> None:
        fh.write(head + cell_open)
        block = b"A" * 2**24
        for _ in range(4 * 2**30 // len(block)):
            fh.write(block)
        fh.write(cell_close + tail)

    path = _zip_with_sheet(bombs / "four_gb_sheet.xlsx", parts, write_sheet)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size > 4 * 2**30
    assert path.stat().st_size < 8 * 2**20
    assert_refused(tmp_path, path)


def write_big_csv(path: Path, target_bytes: int) -> Path:
    """A survey CSV of about ``target_bytes``: unique ids, valid rows."""
    with path.open("wb") as fh:
        fh.write("回访编号,回访日期,坐席工号,坐席姓名,满意度\r\n".encode("utf-8-sig"))
        written, i = 0, 0
        while written < target_bytes:
            chunk = "".join(f"SV{k:09d},2026-01-{5 + k % 20:02d},{7800 + k % 900:06d},坐席{k % 900},满意\r\n"
                            for k in range(i, i + 100_000)).encode()
            fh.write(chunk)
            written += len(chunk)
            i += 100_000
    return path


def test_large_csv_scaled(bombs, tmp_path):
    """The 480 MB bomb below at a tenth of its size and a tenth of the row
    limit (48 MB, 1.1 million rows against ``QA_MAX_ROWS=200000``), cheap
    enough for every run.  Under the default limit (2M rows) the same file is
    a legitimate export and imports: scaling the file alone made this test
    depend on whether the reader happened to outgrow its memory grant."""
    report = assert_refused(tmp_path, write_big_csv(bombs / "big48.csv", 48 * 10**6), QA_MAX_ROWS="200000")
    assert report["code"] == "too_many_rows", report


@pytest.mark.slow
def test_large_csv_480mb(bombs, tmp_path):
    """480 MB, 11 million rows: under the 512 MB file-size limit, so only a
    reader that streams and counts can refuse it without holding it all."""
    assert_refused(tmp_path, write_big_csv(bombs / "big480.csv", 480 * 10**6))


def xls_with_runaway_stream(rows_n: int = 40, edits: bool = True) -> bytes:
    """A ~10 KB xlwt .xls with two edits of the compound file (CFB) that
    holds it: the Workbook stream's directory entry declares a size of
    2**64 - 1 bytes, and its sector chain in the FAT loops back to its first
    sector, so a reader that follows the chain until the declared size reads
    the same sectors forever (today: 23 GB resident, then the OOM killer,
    when not capped).  Found by the fuzzer (seed 166: a block of FAT bytes
    duplicated over the directory)."""
    data = bytearray(xls_bytes(base_export(random.Random(3), n=rows_n).rows))
    if not edits:
        return bytes(data)
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    fat_sector = struct.unpack_from("<I", data, 0x4C)[0]

    def offset(s: int) -> int:
        return (s + 1) * sector

    entry = offset(first_dir) + 128  # entry 0 is the root, 1 the Workbook stream
    assert data[entry:entry + 16].decode("utf-16-le") == "Workbook"
    start = struct.unpack_from("<I", data, entry + 0x74)[0]
    struct.pack_into("<Q", data, entry + 0x78, 2**64 - 1)
    fat = struct.unpack_from(f"<{sector // 4}I", data, offset(fat_sector))
    last = start
    while fat[last] < 0xFFFFFFFA:  # walk to ENDOFCHAIN
        last = fat[last]
    struct.pack_into("<I", data, offset(fat_sector) + 4 * last, start)
    return bytes(data)


def test_runaway_xls(bombs, tmp_path):
    path = bombs / "runaway.xls"
    path.write_bytes(xls_with_runaway_stream())
    assert 4_000 < path.stat().st_size < 16_000
    assert_refused(tmp_path, path)


@pytest.mark.skipif(not CORPUS_BOMBS, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("path", CORPUS_BOMBS, ids=lambda p: p.name)
def test_corpus_allocation_bombs(tmp_path, path):
    """The calamine test files that once made readers allocate without bound:
    not QA exports, so importing or refusing are both fine, but cheaply."""
    run, before, after = import_guarded(tmp_path, path)
    what = f"{path.name}: {run.describe()}; stderr: {key_lines(run.stderr)}"
    assert not run.timed_out and run.signal is None, what
    assert run.returncode in (0, 1) and crash_text(run.stderr) is None, what
    assert run.maxrss_mb < PEAK_MB, what
    report = json.loads(run.stdout)[0]
    assert report["status"] in ("imported", "rejected") and (report["status"] == "imported" or report["message"])
    if report["status"] == "rejected":
        assert after == before


def test_bomb_bases_are_valid_exports(con, tmp_path):
    """The control group: without their edits the far-cell and runaway .xls
    files are ordinary exports that import, so a refusal of a bomb is for
    the edit alone."""
    from qa_analytics.ingest.importer import import_file

    plain_xlsx = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain_xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in _export_parts().items():
            z.writestr(name, data)
    plain_xls = tmp_path / "plain.xls"
    plain_xls.write_bytes(xls_with_runaway_stream(edits=False))
    for path in (plain_xlsx, plain_xls):
        rep = import_file(con, path)
        assert rep.status == "imported" and rep.rows_imported > 0, (path.name, rep.message, rep.errors[:3])
    assert col_letter(16383) == "XFD"


def test_cell_past_the_xlsx_grid(bombs, tmp_path):
    """A valid export plus cells at A2000000: within ``max_rows`` (a CSV may
    have 2M rows) but past the last row an .xlsx can have (1,048,576), so no
    spreadsheet wrote it; read, its empty rows cost 1.25 GB (fuzz soak seed 116)."""
    parts = _export_parts()
    parts[SHEET] = parts[SHEET].replace(
        b"</sheetData>", b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    path = bombs / "past_grid.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert_refused(tmp_path, path)
