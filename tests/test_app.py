"""The dashboard renders in both languages over an empty and a filled database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics import store
from qa_analytics.demo_loader import load_demo

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
