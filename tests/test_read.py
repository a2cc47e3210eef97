"""Reading: formats, encodings, row numbers, bad files."""

from __future__ import annotations

from conftest import write_csv, write_xlsx

import pytest

from qa_analytics.read import ReadError, read_sheet, sheet_names, sniff_format


def test_rows_keep_excel_numbering_when_the_sheet_starts_low(tmp_path):
    f = write_xlsx(tmp_path / "a.xlsx", [[], [], ["工号", "日期"], ["007812", "2026-01-05"]])
    s = read_sheet(f)
    assert s.rows(2, 4) == [["工号", "日期"], ["007812", "2026-01-05"]]  # row index 2 is Excel row 3


def test_csv_encodings(tmp_path):
    rows = [["工号", "满意度"], ["007812", "满意"]]
    for enc in ("utf-8", "utf-8-sig", "gbk"):
        s = read_sheet(write_csv(tmp_path / f"{enc}.csv", rows, encoding=enc))
        assert s.rows(0, 2) == rows


def test_semicolon_csv(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("工号;满意度\n007812;满意\n", encoding="utf-8")
    assert read_sheet(p).rows(1, 2) == [["007812", "满意"]]


def test_bad_files(tmp_path):
    with pytest.raises(ReadError, match="not found"):
        read_sheet(tmp_path / "missing.xlsx")
    bin_ = tmp_path / "b.csv"
    bin_.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ReadError):
        read_sheet(bin_)
    fake = tmp_path / "fake.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReadError):
        sheet_names(fake)


def test_sniff_ignores_lying_extensions(tmp_path):
    p = tmp_path / "really_csv.xls"
    p.write_text("工号,满意度\n1,5\n", encoding="utf-8")
    assert sniff_format(p) == "csv"
