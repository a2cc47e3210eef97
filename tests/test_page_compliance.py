"""The compliance calendar (pages/compliance.py) through AppTest, in both languages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics import store

from conftest import app_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/compliance.py"
COL = {"zh": ("要求", "结果", "缺漏的周期", "完成期数"), "en": ("Requirement", "Result", "Missing periods", "Periods done")}


@pytest.fixture
def demo_copy(demo_db_path, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    # The demo center works every official working day; one planted gap:
    # no monitoring on Monday 1 June 2026.
    con = store.connect(db)
    con.execute("DELETE FROM monitoring WHERE eval_date = DATE '2026-06-01'")
    con.close()
    monkeypatch.setenv("QA_DB", str(db))
    return db


def open_page(lang: str, **params):
    return app_page(PAGE, lang, **params)


def summary(at: AppTest, lang: str):
    req, *_ = COL[lang]
    return next(tb.value for tb in at.table if req in tb.value.columns).set_index(req)


def chart(at: AppTest, key: str) -> dict:
    for el in at.get("plotly_chart"):
        if el.proto.id.endswith(key):
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_every_requirement_and_says_reviews_have_no_data(demo_copy, lang):
    at = open_page(lang)
    tbl = summary(at, lang)
    assert len(tbl) == 6
    _, result, missing, _ = COL[lang]
    review = "中心领导质量评审：每半年开展" if lang == "zh" else "Senior-management review every half year"
    assert tbl.loc[review, result].startswith("?")  # no data, not ✗
    no_data = at.info[0].value
    assert ("不是中心的缺漏" if lang == "zh" else "not a failure of the center") in no_data
    # the planted gap, and only it
    monitoring = "质检监听：每个工作日开展" if lang == "zh" else "QA monitoring every working day"
    assert tbl.loc[monitoring, result].startswith("✗")
    assert ("6月1日" if lang == "zh" else "1 Jun") in tbl.loc[monitoring, missing]
    # the Spring-Festival week is not a missing call-test week
    calls = "质检拨测：每周开展" if lang == "zh" else "QA call tests every week"
    assert tbl.loc[calls, result].startswith("✓")
    for key in ("co_timeline", "co_days", "co_teams"):
        chart(at, key)


def test_calendar_statuses_have_symbols_not_only_colours(demo_copy):
    at = open_page("en")
    fig = chart(at, "co_timeline")
    names = {tr["name"] for tr in fig["data"]}
    assert {"✓ done", "✗ missing", "? no data source yet"} <= names
    days = chart(at, "co_days")
    cells = [c for tr in days["data"] for row in tr["text"] for c in row]
    assert any("✗" in c for c in cells) and any("off" in c for c in cells)


def test_full_demo_calendar_leaves_nothing_missing(demo_db_path, tmp_path, monkeypatch):
    """The demo center works China's official calendar, make-up days included."""
    db = tmp_path / "full.duckdb"
    shutil.copy(demo_db_path, db)
    monkeypatch.setenv("QA_DB", str(db))
    for cal in ("cn", "hol"):
        at = open_page("en", cal=cal)
        assert at.success, f"all requirements met under calendar {cal}"
        assert "5 of the 5" in at.success[0].value


def test_filters_change_the_numbers(demo_copy):
    at = open_page("en")
    _, _, _, done = COL["en"]
    six = summary(at, "en").loc["QA monitoring every working day", done]
    at.selectbox(key="f_period").set_value("last_month").run()
    assert not at.exception
    one = summary(at, "en").loc["QA monitoring every working day", done]
    assert six != one
    # a team: that team's rows, and the by-team heatmap makes way for the team's own calendar
    at.selectbox(key="f_team").set_value("新人组").run()
    assert not at.exception
    assert any("新人组" in m.value for m in at.markdown)
    assert not [el for el in at.get("plotly_chart") if el.proto.id.endswith("co_teams")]


def test_deleted_data_shows_up_as_missing_periods(demo_db_path, tmp_path, monkeypatch):
    db = tmp_path / "holes.duckdb"
    shutil.copy(demo_db_path, db)
    con = store.connect(db)
    con.execute("DELETE FROM monitoring WHERE eval_date IN ('2026-03-10', '2026-03-11')")
    con.execute("DELETE FROM call_test WHERE tester_type = 'qa' AND test_date BETWEEN '2026-04-13' AND '2026-04-19'")
    con.execute("DELETE FROM call_test WHERE tester_type = 'leadership' AND month(test_date) = 5")
    # the second quarter's checks: deleting the first quarter's would move where counting starts
    # (a kind is counted from its first record, issue 10), and Q1 would not be missing but before it
    con.execute("DELETE FROM system_check WHERE check_date >= '2026-04-01'")
    con.close()
    monkeypatch.setenv("QA_DB", str(db))
    for lang in ("zh", "en"):
        at = open_page(lang, cal="hol")
        tbl = summary(at, lang)
        _, result, missing, _ = COL[lang]
        rows = {r.split("：")[0].split(" every")[0]: r for r in tbl.index}
        if lang == "en":
            assert tbl.loc[rows["QA monitoring"], missing] == "10 Mar 2026, 11 Mar 2026"
            assert tbl.loc[rows["QA call tests"], missing] == "W16 2026 (from 13 Apr 2026)"
            assert tbl.loc[rows["Leadership call tests"], missing] == "May 2026"
            assert tbl.loc[rows["System checks"], missing] == "Q2 2026"
            assert "Missing:" in at.warning[0].value
        else:
            assert tbl.loc[rows["质检监听"], missing] == "2026年3月10日、2026年3月11日"
            assert tbl.loc[rows["系统检查"], missing] == "2026年Q2"
            assert tbl.loc[rows["质检监听"], result] == "✗ 缺 2 期"
        cells = [c for tr in chart(at, "co_days")["data"] for row in tr["text"] for c in row]
        assert "10<br>✗" in cells and "11<br>✗" in cells


def test_review_dates_typed_in_are_judged(demo_copy):
    at = open_page("en")
    at.text_input(key="co_reviews").set_value("2026-06-15").run()
    assert not at.exception
    tbl = summary(at, "en")
    assert tbl.loc["Senior-management review every half year", "Result"].startswith("✓")
    assert not at.info
    at.text_input(key="co_reviews").set_value("2026-06-15, someday").run()
    assert "someday" in at.error[0].value


def test_empty_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "数据导入" in at.info[0].value
