"""Text that looks like a formula stays text, and every file we write opens, whatever the text."""

from __future__ import annotations

import csv
import zipfile
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qa_analytics.export import clean_text, csv_safe, is_formula_like, write_csv, write_xlsx

FORMULAS = ["=SUM(A1:A9)", "+1+1", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]
# Formulas a spreadsheet still finds after skipping blanks, tabs and line breaks.
HIDDEN_FORMULAS = [" =1+1", "\n=1+1", "\t=1+1", "\r=1+1", "  @cmd", "\r\n+1", "\u3000=1"]
NASTY = ["a\x01b", "nul\x00", "\x1b[31mred\x1b[0m", "bell\x07", "x\ufffe", "y\uffff", "lone\ud800", "pair\udc00",
         "vt\x0bff\x0c", "esc\x1f", "ok\ttab", "\x7f\x85 C1", "_x0001_", "正常文本"]


def _xml_parts_parse(path) -> None:
    """Every XML part parses with a strict parser ("not well-formed" is what Excel reports)."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(name))


def test_xlsx_cells_are_strings_never_formulas(tmp_path):
    out = write_xlsx(tmp_path / "x.xlsx", {"s": (["comment"], [[f] for f in FORMULAS] + [[95], [None]])})
    ws = load_workbook(out).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells[: len(FORMULAS)]] == FORMULAS
    assert all(c.data_type == "s" for c in cells[: len(FORMULAS)])
    assert cells[len(FORMULAS)].value == 95  # numbers stay numbers


def test_csv_prefixes_formula_like_text_and_keeps_the_rest(tmp_path):
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("满意") == "满意" and csv_safe(-2) == -2
    out = write_csv(tmp_path / "x.csv", ["备注"], [[f] for f in FORMULAS] + [["正常文本"]])
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese text correctly
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS] + ["正常文本"]


def test_csv_neutralises_formulas_behind_blanks_and_line_breaks(tmp_path):
    assert all(is_formula_like(f) for f in HIDDEN_FORMULAS)
    assert not any(is_formula_like(t) for t in ("  hello", " 说明", "95", "a=b", "1-2"))
    out = write_csv(tmp_path / "x.csv", ["备注"], [[f] for f in HIDDEN_FORMULAS])
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + f for f in HIDDEN_FORMULAS]


def _read_back(got, written) -> bool:
    """A cell's text as written, up to XML's line ends: openpyxl writes a CR as
    is through xml.etree (read back as LF) and as ``&#13;`` through lxml
    (python-pptx brings lxml), read back exactly; nothing else may change."""
    if written is None:
        return got is None
    return got == written or got == written.replace("\r\n", "\n").replace("\r", "\n")


def test_xlsx_keeps_hidden_formulas_as_string_cells(tmp_path):
    out = write_xlsx(tmp_path / "x.xlsx", {"s": (["c"], [[f] for f in HIDDEN_FORMULAS])})
    cells = [row[0] for row in load_workbook(out).active.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)
    assert all(_read_back(c.value, f) for c, f in zip(cells, HIDDEN_FORMULAS, strict=True))


def test_characters_xml_cannot_hold_are_written_visibly(tmp_path):
    assert clean_text("a\x01b") == "a\\x01b" and clean_text("x\ufffe") == "x\\ufffe"
    assert clean_text("lone\ud800") == "lone\\ud800" and clean_text("ok\ttab\n") == "ok\ttab\n"
    out = write_xlsx(tmp_path / "nasty.xlsx", {"rejected rows": (["col\x02", "备注"], [[v, v] for v in NASTY])})
    _xml_parts_parse(out)
    ws = load_workbook(out).active
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert got[0] == ["col\\x02", "备注"]
    assert [r[0] for r in got[1:]] == [clean_text(v) for v in NASTY]
    assert "\\x1b[31mred" in got[3][0] and got[7][0] == "lone\\ud800"


def test_csv_with_every_nasty_character_encodes_and_reads_back(tmp_path):
    out = write_csv(tmp_path / "nasty.csv", ["备注\x00"], [[v] for v in NASTY])
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert rows[0] == ["备注\\x00"]
    assert [r[0] for r in rows[1:]] == [clean_text(v) for v in NASTY]


def test_sheet_titles_and_overlong_text_are_made_acceptable(tmp_path):
    long = "长" * 40_000
    out = write_xlsx(tmp_path / "t.xlsx", {"a/b:c*?[x]\\y\x01 and a long title": (["h"], [[long], [float("nan")]])})
    _xml_parts_parse(out)
    ws = load_workbook(out).active
    assert ws.title == "a_b_c___x__y_x01 and a long tit"  # Excel's 31 characters, none of []:*?/\\
    cut = ws["A2"].value
    assert len(cut) <= 32_767 and cut.startswith("长" * 1000) and "cut: 40,000 characters" in cut
    assert ws["A3"].value == "nan"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(exclude_categories=()), max_size=40), min_size=1, max_size=8))
def test_any_text_makes_a_workbook_that_opens(tmp_path, texts):
    """Generated text from the whole of Unicode, surrogates and controls included."""
    out = write_xlsx(tmp_path / "any.xlsx", {"s": (["h"], [[t] for t in texts])})
    _xml_parts_parse(out)
    got = [row[0].value for row in load_workbook(out).active.iter_rows(min_row=2)]
    assert len(got) == len(texts) and all(_read_back(g, clean_text(t) or None) for g, t in zip(got, texts))
    out = write_csv(tmp_path / "any.csv", ["h"], [[t] for t in texts])
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert [r[0] for r in rows[1:]] == [csv_safe(t) for t in texts]


def _import_rejects(con, tmp_path, comments, writer, name):
    from qa_analytics.ingest.importer import import_file

    from conftest import MONITORING_HEADER_SUB, MONITORING_HEADER_TOP, monitoring_rows

    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(20)
    for i, comment in enumerate(comments):  # a score of 120: rejected
        rows.append([f"QM9{i}", "007899", "某人", "2026-01-05", "李质检", 120, 0, 0, 0, "否", None, comment])
    rep = import_file(con, writer(tmp_path / name, rows), skip_invalid=True, rejects_dir=tmp_path / "rej")
    assert rep.status == "imported" and rep.rows_rejected == len(comments), rep.message
    _xml_parts_parse(rep.rejects_file)
    return [[c.value for c in r][-1] for r in load_workbook(rep.rejects_file).active.iter_rows(min_row=2)]


def test_an_import_s_rejects_workbook_opens_whatever_the_rejected_rows_hold(con, tmp_path):
    """Excel stores a control character as ``_x0001_`` (the reader decodes it);
    a CSV export holds anything but NUL (which makes it binary)."""
    from conftest import write_csv, write_xlsx

    got = _import_rejects(con, tmp_path, ["_x0001__x0000__x001B_[31m", " =1+1", "\n=HYPERLINK(1)"], write_xlsx, "a.xlsx")
    assert got == ["\\x01\\x00\\x1b[31m", " =1+1", "\n=HYPERLINK(1)"]
    got = _import_rejects(con, tmp_path, ["x\ufffe\uffff", "\x1b[0m\x07", "@SUM(1)"],
                          lambda p, r: write_csv(p, r, encoding="utf-8"), "b.csv")
    assert got == ["x\\ufffe\\uffff", "\\x1b[0m\\x07", "@SUM(1)"]
