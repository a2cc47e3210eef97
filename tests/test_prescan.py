"""The prescan's rectangle, pinned to what calamine itself reads."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from qa_analytics.ingest.limits import ReadLimits
from qa_analytics.ingest.prescan import cell_name, inspect_zip, parse_ref

import hostile

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
WORKBOOKS = sorted(CORPUS.rglob("*.xls[xm]")) if CORPUS.exists() else []


def _facts(path: Path):
    return inspect_zip(path, path.suffix.lstrip("."), ReadLimits(), lambda _f: None)


def _sheet_names_by_part(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter() if r.get("Id")}
    names = {}
    for s in wb.iter():
        if s.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in s.attrib.items() if k.endswith("}id")), None)
            t = target.get(rid, "")
            names[t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))] = s.get("name")
    return names


@pytest.mark.skipif(not WORKBOOKS, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_scanned_rectangle_holds_what_calamine_reads(path):
    """Never smaller than calamine's grid (or a bomb would pass), never far bigger (or an export would be refused)."""
    import fastexcel

    try:
        facts = _facts(path)
        names = _sheet_names_by_part(path)
        reader = fastexcel.read_excel(str(path))
    except BaseException:  # noqa: B036  (a file calamine cannot open has no grid to compare)
        pytest.skip("not readable by calamine")
    for sheet in facts.sheets:
        if sheet.part not in names:
            continue
        try:
            grid = reader.load_sheet(names[sheet.part], header_row=None, dtypes="string", skip_rows=0).to_arrow()
        except BaseException:  # noqa: B036
            continue
        rows, cols = grid.num_rows, grid.num_columns  # rows from 1; columns from the first with a value
        extent = sheet.extent or (1, 1, 0, 0)
        assert extent[2] >= rows and extent[3] >= cols, (sheet.part, extent, rows, cols)
        assert extent[2] <= max(2 * rows, rows + 10), (sheet.part, extent, rows, cols)


def test_empty_styled_cells_do_not_stretch_the_rectangle(tmp_path):
    """Gnumeric writes formatted rows as empty cells out to XFD; calamine skips them."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c><c r="K1"><v>1</v></c></row>'
    rows += '<row r="1048576">' + "".join(f'<c r="{cell_name(1048576, c)}" s="0"/>' for c in range(1, 16385)) + "</row>"
    (sheet,) = _facts(hostile.sheet_xml(tmp_path / "styled.xlsx", rows, dimension="A1:XFD1048576")).sheets
    assert sheet.scanned and sheet.extent == (1, 1, 1, 11)


def test_cells_and_rows_without_references_follow_one_another(tmp_path):
    rows = "<row>" + "<c><v>1</v></c>" * 40 + "<c s='1'/>" * 100 + "</row>" + "<row><c><v>2</v></c></row>" * 9
    (sheet,) = _facts(hostile.sheet_xml(tmp_path / "implicit.xlsx", rows)).sheets
    assert sheet.extent == (1, 1, 10, 40)


def test_a_far_cell_anywhere_in_the_sheet_is_found(tmp_path):
    """Unsorted: the far cell first, then ordinary rows; and one hidden inside an early row."""
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>1</v></c></row>' for i in range(2, 3000))
    far = '<row r="1"><c r="A1"><v>1</v></c><c r="CV777777"><v>x</v></c></row>'
    (sheet,) = _facts(hostile.sheet_xml(tmp_path / "unsorted.xlsx", far + body)).sheets
    assert sheet.extent == (1, 1, 777_777, 100)


def test_references():
    assert parse_ref("XFD1048576") == (1_048_576, 16_384) and parse_ref("$B$12") == (12, 2) and parse_ref("B") is None
    assert cell_name(1_048_576, 16_384) == "XFD1048576" and cell_name(12, 28) == "AB12"
