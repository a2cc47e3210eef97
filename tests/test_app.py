"""The dashboard renders in both languages over an empty and a filled database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics import store
from qa_analytics.demo.load import load_demo

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "demo.duckdb"
    con = store.connect(path)
    load_demo(con, months=3, seed=1, end=dt.date(2026, 3, 31))
    con.close()
    return path


def run_app(lang: str, page: str | None = "pages/data_status.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page).run()
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_database_says_what_to_do(lang, monkeypatch, tmp_path):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    at = run_app(lang)
    assert not at.exception
    assert "qa_analytics demo" in at.info[0].value


@pytest.mark.parametrize("lang, title, banner", [
    ("zh", "数据库中的数据", "演示数据"), ("en", "What is in the database", "demo data"),
])
def test_demo_data_is_shown_and_labelled(lang, title, banner, demo_db, monkeypatch):
    monkeypatch.setenv("QA_DB", str(demo_db))
    at = run_app(lang)
    assert not at.exception
    assert at.title[0].value == title
    assert banner in at.warning[0].value
    counts = at.dataframe[0].value
    assert counts.iloc[:, 1].sum() > 1000


def test_every_string_has_both_languages():
    from ui.i18n import LANGS, STRINGS  # importing merges ui/strings/*, refusing duplicate keys

    for key, texts in STRINGS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts.values()), key


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_page_reports_errors_and_imports_valid_rows(lang, tmp_path, monkeypatch):
    from conftest import MONITORING_HEADER_SUB, MONITORING_HEADER_TOP, monitoring_rows, write_xlsx

    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(4)
    rows.append(["QM9", None, "x", "2026-02-30", "李", 50, 0, 0, 0, "否", None, None])
    f = write_xlsx(tmp_path / "质检.xlsx", rows, merges=["G1:I1"])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/import_data.py").run()
    assert not at.exception
    at.file_uploader[0].set_value([("质检.xlsx", f.read_bytes(), XLSX)]).run()
    assert not at.exception
    # the errors table lists the bad row (Excel row 7) with both problems
    row_col = "行号" if lang == "zh" else "Row"
    errors = next(d.value for d in at.dataframe if row_col in d.value.columns)
    assert set(errors[row_col]) == {7}
    assert len(errors) == 2
    import_all = [b for b in at.button if b.key and b.key.endswith("_go")][0]
    assert import_all.disabled
    [b for b in at.button if b.key and b.key.endswith("_go_valid")][0].click().run()
    assert not at.exception
    assert at.success, "an import confirmation is shown"
    con = store.connect(tmp_path / "imp.duckdb")
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 4
    con.close()
    # undo from the history
    at.run()
    undo = [b for b in at.button if b.label in ("撤销", "Undo")][0]
    undo.click().run()
    assert not at.exception
    con = store.connect(tmp_path / "imp.duckdb")
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 0
    con.close()


def test_every_page_runs_inside_the_app():
    """Each page hands over to app.py when reached bare (see ui/page.py)."""
    import ast

    pages = Path(APP).parent / "pages"
    for f in sorted(pages.glob("*.py")):
        tree = ast.parse(f.read_text())
        calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                 and getattr(n.value.func, "id", None) == "ensure_app"]
        assert calls, f"{f.name} does not call ensure_app()"


@pytest.mark.parametrize("lang, too_large", [("zh", "数值过大"), ("en", "the number is too large")])
def test_import_page_names_an_over_large_count_in_the_users_language(lang, too_large, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    csv = "检查日期,系统名称,可用率,故障次数,得分\n2026-03-01,IVR,99.5,99999999999,95\n".encode()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([("sys.csv", csv, "text/csv")]).run()
    assert not at.exception
    problem_col = "问题" if lang == "zh" else "Problem"
    errors = next(d.value for d in at.dataframe if problem_col in d.value.columns)
    assert list(errors[problem_col]) == [too_large]


def test_a_messy_two_row_export_imports_without_touching_the_grid(tmp_path, monkeypatch):
    from test_importer import _two_row_export

    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    f = _two_row_export(tmp_path / "质检明细.xlsx", n=30, note="注：本表由质检系统自动生成，分数以复核后为准",
                        extra_cols=True)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([("质检明细.xlsx", f.read_bytes(), XLSX)]).run()
    assert not at.exception
    # the grid lists every column (序号 and the serial number included), the ignored one marked
    grid = next(d.value for d in at.dataframe if "header" in d.value.columns and "note" in d.value.columns)
    assert len(grid) == 11
    assert grid.set_index("header").loc["录音流水号", "field"] == "contact_id"
    assert grid.set_index("header").loc["序号", "note"].startswith("⚠")
    go = [b for b in at.button if b.key and b.key.endswith("_go")][0]
    assert not go.disabled
    go.click().run()
    assert not at.exception and at.success
    con = store.connect(tmp_path / "imp.duckdb")
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE critical_error) FROM monitoring").fetchone() == (30, 1)
    assert con.execute("SELECT count(*) FROM saved_mapping").fetchone() == (1,)  # confirmed: saved for next time
    con.close()


def test_upload_names_never_choose_where_files_are_written(tmp_path, monkeypatch):
    import uuid

    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    tag = uuid.uuid4().hex[:8]
    csv = "调查编号,工号,评价日期,满意度\nS1,007812,2026/3/1,满意\n".encode()
    names = [f"../../../../../../{tmp_path.relative_to('/')}/TRAVERSAL_{tag}.csv", f"{tmp_path}/ABSOLUTE_{tag}.csv"]
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([(n, csv, "text/csv") for n in names]).run()
    assert not at.exception
    assert not (tmp_path / f"TRAVERSAL_{tag}.csv").exists() and not (tmp_path / f"ABSOLUTE_{tag}.csv").exists()
    import tempfile

    saved = list((Path(tempfile.gettempdir()) / "qa_uploads").glob("*.csv"))
    assert all("/" not in p.name and tag not in p.name for p in saved)


def test_a_saved_mapping_is_applied_and_can_be_deleted_on_the_page(tmp_path, monkeypatch):
    from conftest import write_xlsx

    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    rows = [["单号", "人员代码", "日子", "分值"], ["A1", "0001", "2026-01-05", "90"]]
    con = store.connect(tmp_path / "imp.duckdb")
    from qa_analytics.ingest.importer import import_file

    import_file(con, write_xlsx(tmp_path / "a.xlsx", rows), kind="monitoring",
                overrides={"单号": "eval_id", "人员代码": "agent_id", "日子": "eval_date", "分值": "total_score"})
    con.close()
    f = write_xlsx(tmp_path / "b.xlsx", [rows[0], ["A2", "0002", "2026-01-06", "85"]])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([("b.xlsx", f.read_bytes(), XLSX)]).run()
    assert not at.exception
    assert any("saved mapping #1" in i.value for i in at.info)
    [b for b in at.button if b.key == "mapping_delete_1"][0].click().run()
    assert not at.exception
    con = store.connect(tmp_path / "imp.duckdb")
    assert con.execute("SELECT count(*) FROM saved_mapping").fetchone() == (0,)
    con.close()


def test_when_every_row_is_invalid_the_page_points_at_the_mapping_not_at_valid_rows(tmp_path, monkeypatch):
    from conftest import write_xlsx

    monkeypatch.setenv("QA_DB", str(tmp_path / "imp.duckdb"))
    rows = [["质检编号", "工号", "质检日期", "总分"]] + [[f"Q{i}", f"{i:04d}", "2026-13-45", 95] for i in range(1, 9)]
    f = write_xlsx(tmp_path / "m.xlsx", rows)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([("m.xlsx", f.read_bytes(), XLSX)]).run()
    assert not at.exception
    assert any("All 8 rows have problems" in w.value for w in at.warning)
    grouped = next(d.value for d in at.dataframe if "Problem, by column" in d.value.columns)
    assert list(grouped["Rows"]) == [8] and "8 rows: 质检日期" in grouped["Problem, by column"][0]
    valid_only = [b for b in at.button if b.key and b.key.endswith("_go_valid")][0]
    assert valid_only.disabled  # it would import nothing
