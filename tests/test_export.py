"""Text that looks like a formula stays text in every file we write."""

from __future__ import annotations

import csv

from openpyxl import load_workbook

from qa_analytics.export import csv_safe, write_csv, write_xlsx

FORMULAS = ["=SUM(A1:A9)", "+1+1", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]


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
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS] + ["正常文本"]
