"""Reading: formats, encodings, row numbers, bad and hostile files, each refused with its code."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_analytics.core import codes
from qa_analytics.ingest import read
from qa_analytics.ingest.limits import ReadLimits, in_force
from qa_analytics.ingest.read import ReadError, Workbook, read_sheet, sheet_names, sniff_format

import hostile
from conftest import write_csv, write_xlsx

ROWS = [["工号", "满意度", "备注"], ["007812", "满意", "无"], ["007813", "", "回访"]]


def test_rows_keep_excel_numbering_when_the_sheet_starts_low(tmp_path):
    f = write_xlsx(tmp_path / "a.xlsx", [[], [], ["工号", "日期"], ["007812", "2026-01-05"]])
    s = read_sheet(f)
    assert s.rows(2, 4) == [["工号", "日期"], ["007812", "2026-01-05"]]  # row index 2 is Excel row 3


def test_csv_encodings(tmp_path):
    rows = [["工号", "满意度"], ["007812", "满意"]]
    for enc in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        s = read_sheet(write_csv(tmp_path / f"{enc}.csv", rows, encoding=enc))
        assert s.rows(0, 2) == rows


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_csv_with_and_without_bom(tmp_path, enc):
    """Excel's "Unicode text" is UTF-16 LE with a BOM; some systems drop the BOM."""
    f = write_csv(tmp_path / f"{enc}.csv", ROWS, encoding=enc)
    assert f.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) == (enc in ("utf-16", "utf-32"))
    assert read_sheet(f).rows(0, 3) == [["工号", "满意度", "备注"], ["007812", "满意", "无"], ["007813", None, "回访"]]


def test_tab_separated_utf16_as_excel_saves_unicode_text(tmp_path):
    f = tmp_path / "unicode.txt"
    f.write_bytes(codecs.BOM_UTF16_LE + "工号\t满意度\r\n007812\t满意\r\n".encode("utf-16-le"))
    assert read_sheet(f).rows(0, 2) == [["工号", "满意度"], ["007812", "满意"]]


def test_utf8_that_turns_gbk_later_is_read_as_gb18030(tmp_path):
    """A file ASCII for its first 64 KB and GBK after (a long export)."""
    f = tmp_path / "late.csv"
    f.write_bytes(b"id,note\n" + b"1,x\n" * 20_000 + "2,满意\n".encode("gbk"))
    s = read_sheet(f)
    assert s.rows(s.n_rows - 1, s.n_rows) == [["2", "满意"]]


def test_undecodable_text_and_binary_are_refused_with_their_codes(tmp_path):
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("name,city\nJosé,Zürich\nrené,Café\n".encode("cp1252"))
    with pytest.raises(ReadError) as err:
        read_sheet(latin)
    assert err.value.code_name == "bad_encoding" and "UTF-8" in str(err.value) and "CSV UTF-8" in err.value.message("zh")
    for junk in (b"\x00\x01\x02binary", bytes(range(256)) * 40, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(4000)):
        bad = tmp_path / "junk.csv"
        bad.write_bytes(junk)
        with pytest.raises(ReadError) as err:
            read_sheet(bad)
        assert err.value.code_name in ("binary_file", "bad_encoding"), junk[:20]


def test_semicolon_csv(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("工号;满意度\n007812;满意\n", encoding="utf-8")
    assert read_sheet(p).rows(1, 2) == [["007812", "满意"]]


def test_bad_files(tmp_path):
    with pytest.raises(ReadError, match="not found") as err:
        read_sheet(tmp_path / "missing.xlsx")
    assert err.value.code_name == "file_not_found"
    bin_ = tmp_path / "b.csv"
    bin_.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ReadError) as err:
        read_sheet(bin_)
    assert err.value.code_name == "binary_file"
    fake = tmp_path / "fake.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReadError) as err:
        sheet_names(fake)
    assert err.value.code_name == "not_a_spreadsheet"
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="^the file is empty$"):
        read_sheet(empty)
    with pytest.raises(ReadError) as err:
        read_sheet(tmp_path)
    assert err.value.code_name == "not_a_file"


def test_password_protected_workbooks_are_refused_as_encrypted(tmp_path):
    ole = tmp_path / "locked.xlsx"  # Office wraps an encrypted .xlsx in an OLE2 file
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReadError, match="password") as err:
        read_sheet(ole)
    assert err.value.code_name == "encrypted"
    z = tmp_path / "zipcrypto.xlsx"
    hostile.far_away_cell(z)
    data = bytearray(z.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):  # set the "encrypted" flag on every member
        at = data.find(sig)
        while at >= 0:
            flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
            data[flag_at] |= 1
            at = data.find(sig, at + 4)
    z.write_bytes(bytes(data))
    with pytest.raises(ReadError) as err:
        read_sheet(z)
    assert err.value.code_name == "encrypted"


def test_a_sheet_that_is_not_there(tmp_path):
    f = write_xlsx(tmp_path / "a.xlsx", [["工号"]])
    with pytest.raises(ReadError) as err:
        read_sheet(f, "汇总")
    assert err.value.code_name == "sheet_not_found" and err.value.message("zh") == "工作簿中没有名为 “汇总” 的工作表"


def test_sniff_ignores_lying_extensions(tmp_path):
    p = tmp_path / "really_csv.xls"
    p.write_text("工号,满意度\n1,5\n", encoding="utf-8")
    assert sniff_format(p) == "csv"


def test_every_read_code_speaks_both_languages():
    for name, code in codes.all_codes().items():
        assert code.en and code.zh and code.en != code.zh, name
    for name in ("file_not_found", "file_empty", "file_too_large", "not_a_spreadsheet", "encrypted", "bad_encoding",
                 "zip_bomb", "sheet_too_large", "too_many_rows", "too_many_columns", "too_many_strings",
                 "string_too_long", "binary_file", "line_too_long", "part_too_large", "too_many_parts"):
        assert codes.lookup(name) is not None, name
    exc = ReadError(read.TOO_MANY_ROWS, rows=3_000_000, limit=2_000_000)
    assert isinstance(exc, codes.Problem) and exc.code_name == "too_many_rows" and exc.params["limit"] == 2_000_000
    assert str(exc) == "the sheet has 3,000,000 rows or more; the limit is 2,000,000"
    assert exc.message("zh") == "工作表至少有 3,000,000 行，超过了 2,000,000 行的上限"


# --- limits ---------------------------------------------------------------------------------


def test_a_csv_past_a_limit_is_refused_as_it_is_read(tmp_path, monkeypatch):
    f = write_csv(tmp_path / "wide.csv", [[str(j) for j in range(30)]] * 50, encoding="utf-8")
    monkeypatch.setenv("QA_MAX_ROWS", "40")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    # checked a batch of rows at a time: this file is one batch
    assert (err.value.code_name, err.value.params["rows"], err.value.params["limit"]) == ("too_many_rows", 50, 40)
    monkeypatch.setenv("QA_MAX_ROWS", "100")
    monkeypatch.setenv("QA_MAX_COLUMNS", "20")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert err.value.code_name == "too_many_columns"
    monkeypatch.setenv("QA_MAX_COLUMNS", "100")
    monkeypatch.setenv("QA_MAX_CELLS", "1000")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert err.value.code_name == "sheet_too_large" and err.value.params["span"] == "A1:AD50"
    monkeypatch.setenv("QA_MAX_LINE_CHARS", "50")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert (err.value.code_name, err.value.params["line"]) == ("line_too_long", 1)


def test_line_breaks_inside_cells_are_not_rows(tmp_path, monkeypatch):
    """The quick count of line breaks refuses only what it proves: none is inside a quoted cell."""
    f = write_csv(tmp_path / "notes.csv", [["工号", "备注"]] + [[str(i), "第一行\n第二行\n第三行"] for i in range(30)])
    monkeypatch.setenv("QA_MAX_ROWS", "40")  # 91 line breaks, 31 rows
    s = read_sheet(f)
    assert s.n_rows == 31 and s.rows(1, 2) == [["0", "第一行\n第二行\n第三行"]]


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    f = write_csv(tmp_path / "x.csv", ROWS * 20_000)
    monkeypatch.setenv("QA_MAX_FILE_MB", "1")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert err.value.code_name == "file_too_large" and err.value.params["limit_mb"] == 1


def test_csv_is_read_a_chunk_at_a_time_and_comes_out_whole(tmp_path, monkeypatch):
    """Batches of a few cells, ragged widths growing late, blank lines, quoted line breaks."""
    monkeypatch.setattr(read, "BATCH_CELLS", 5)
    rows = [["标题"], [], ["工号", "满意度"], ["1", "满意", "多出一列"], ['含\n换行', ""], ["2"]] * 3
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    f = tmp_path / "ragged.csv"
    f.write_text(buf.getvalue(), encoding="utf-8")
    with in_force(ReadLimits()):
        s = Workbook(f).read()
    assert s.table.num_columns == 3
    assert s.rows() == [[(r[j] if j < len(r) and r[j] != "" else None) for j in range(3)] for r in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(st.lists(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=8), min_size=1,
                              max_size=5), min_size=1, max_size=30),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_generated_csvs_read_back_as_written(tmp_path, records, encoding, delimiter):
    """Records in random encodings and dialects come back cell for cell (or the file is refused cleanly)."""
    if encoding == "gb18030":
        records = [[c.encode("gb18030", "ignore").decode("gb18030") for c in r] for r in records]
    records = [["id", "备注", "x", "y", "z"][: len(records[0])]] + records  # a header, as exports have
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(records)
    f = tmp_path / "g.csv"
    f.write_bytes(buf.getvalue().encode(encoding))
    with in_force(ReadLimits()):
        try:
            s = Workbook(f).read()
        except ReadError as exc:
            assert exc.code_name in ("binary_file", "bad_encoding", "malformed_csv", "no_rows")
            return
    width = max(len(r) for r in records)
    expected = [[(r[j] if j < len(r) and r[j] != "" else None) for j in range(width)] for r in records]
    # A one-column header over ragged rows can be as table-like under another
    # delimiter (";," is two cells either way); where it was sniffed as
    # written, every cell comes back.  Tables as exports write them are pinned
    # below, without that escape.
    if read._delimiter(buf.getvalue()) == delimiter:
        assert s.rows() == expected


_CELL = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), width=st.integers(2, 5), n=st.integers(1, 30),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), title=st.booleans())
def test_a_table_is_split_on_its_own_delimiter_whatever_its_cells_hold(tmp_path, data, width, n, delimiter, title):
    """A header of several columns over rows of its width (a title line above,
    as exports write): the written delimiter is found even when the cells hold
    the others (csv.Sniffer split ``a;b`` files on commas in the notes), and
    every cell comes back."""
    records = [["id", "备注", "x", "y", "z"][:width]]
    records += [data.draw(st.lists(_CELL, min_size=width, max_size=width)) for _ in range(n)]
    buf = io.StringIO()
    if title:
        buf.write("质检报表\r\n\r\n")
    csv.writer(buf, delimiter=delimiter).writerows(records)
    assert read._delimiter(buf.getvalue()) == delimiter
    f = tmp_path / "t.csv"
    f.write_bytes(buf.getvalue().encode("utf-8"))
    with in_force(ReadLimits()):
        rows = Workbook(f).read().rows()
    body = rows[-len(records):]
    assert body == [[c if c != "" else None for c in r] for r in records]


# --- hostile workbooks: refused before the reader expands them ---------------------------------


def test_a_far_away_cell_is_refused_as_a_sheet_too_large(tmp_path):
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.far_away_cell(tmp_path / "far.xlsx"))
    assert err.value.code_name == "sheet_too_large"
    assert err.value.params["span"] == "A1:XFD1048576" and "stray cell" in str(err.value)


def test_a_declared_dimension_alone_does_not_refuse(tmp_path):
    """Some writers declare a stale, huge dimension; the cells decide."""
    f = hostile.sheet_xml(tmp_path / "dim.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c>'
                          '<c r="B1" t="inlineStr"><is><t>满意度</t></is></c></row>', dimension="A1:XFD1048576")
    assert read_sheet(f).rows(0, 1) == [["工号", "满意度"]]


def test_rows_far_below_the_data_and_columns_far_right(tmp_path, monkeypatch):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 50))
    f = hostile.sheet_xml(tmp_path / "far_row.xlsx", rows + '<row r="3000000"><c r="A3000000"><v>1</v></c></row>')
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert err.value.code_name == "sheet_too_large"  # 3M rows spanned, 50 present: a stray cell
    f = hostile.sheet_xml(tmp_path / "hidden.xlsx", rows.replace('r="A9"', 'r="A900000"'))  # a cell outside its row
    monkeypatch.setenv("QA_MAX_ROWS", "100000")
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert err.value.code_name == "sheet_too_large" and err.value.params["rows"] == 900_000
    f = hostile.sheet_xml(tmp_path / "wide.xlsx", '<row r="1"><c r="A1"><v>1</v></c><c r="ZZZ1"><v>1</v></c></row>')
    with pytest.raises(ReadError) as err:
        read_sheet(f)
    assert (err.value.code_name, err.value.params["columns"]) == ("too_many_columns", 18_278)


def test_shared_strings_past_their_limits(tmp_path, monkeypatch):
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.long_string(tmp_path / "long.xlsx"))
    assert err.value.code_name == "string_too_long" and err.value.params["chars"] == 40_000
    monkeypatch.setenv("QA_MAX_SHARED_STRINGS", "500")
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.many_strings(tmp_path / "many.xlsx", 501))
    assert err.value.code_name == "too_many_strings"
    assert read_sheet(hostile.many_strings(tmp_path / "ok.xlsx", 500)).rows(0, 1) == [["s0"]]


def test_zip_rules(tmp_path, monkeypatch):
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.shared_strings_bomb(tmp_path / "sst.xlsx"))
    assert err.value.code_name == "zip_bomb" and err.value.params["part"] == "xl/sharedStrings.xml"
    monkeypatch.setenv("QA_MAX_ZIP_MEMBERS", "4")
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.far_away_cell(tmp_path / "parts.xlsx"))
    assert err.value.code_name == "too_many_parts"
    monkeypatch.delenv("QA_MAX_ZIP_MEMBERS")
    monkeypatch.setenv("QA_MAX_PART_MB", "1")
    monkeypatch.setenv("QA_MAX_ZIP_RATIO", "10000")
    with pytest.raises(ReadError) as err:
        read_sheet(hostile.shared_strings_bomb(tmp_path / "sst2.xlsx", mb=2, refs=2))
    assert err.value.code_name == "part_too_large"
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(ReadError) as err:
        read_sheet(junk)
    assert err.value.code_name == "not_a_spreadsheet"


def test_a_workbook_that_is_fine_is_not_scanned_into_refusal(tmp_path):
    """The scan's fast patterns on a real workbook: openpyxl's, with a title row and merged cells."""
    from qa_analytics.ingest.prescan import inspect_zip

    from conftest import monitoring_export

    f = monitoring_export(tmp_path / "m.xlsx", n=300)
    facts = inspect_zip(f, "xlsx", ReadLimits(), lambda _f: None)
    (sheet,) = facts.sheets
    # pinned to openpyxl's own <dimension>, which it writes from the cells it holds
    assert sheet.scanned and sheet.dimension == "A1:L306" and sheet.extent == sheet.declared == (1, 1, 306, 12)
    with zipfile.ZipFile(f) as z:
        assert z.testzip() is None
    assert read_sheet(f).n_rows == 306


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["xlsx", "xls", "csv"]))
def test_bit_flipped_files_are_read_or_refused_never_a_crash(tmp_path, seed, kind):
    """A fuzzer's view: a valid export with a few bits flipped is a report, never a traceback."""
    from conftest import monitoring_export, write_xls

    src = tmp_path / f"src.{kind}"
    if not src.exists():
        if kind == "xlsx":
            monitoring_export(src, n=30)
        elif kind == "xls":
            write_xls(src, ROWS * 10)
        else:
            write_csv(src, ROWS * 10)
    f = tmp_path / f"flipped.{kind}"
    f.write_bytes(hostile.bit_flipped(src.read_bytes(), seed))
    try:
        read_sheet(f)
    except ReadError as exc:
        assert exc.code_name and str(exc)
