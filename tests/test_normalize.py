"""The cell rules, one SQL macro each, checked value by value."""

from __future__ import annotations

import datetime as dt

import pytest

from qa_analytics.ingest.normalize import install_macros


@pytest.fixture
def sql(con):
    install_macros(con)
    # A raw cell as the importer sees it: cleaned, then typed by the rule.
    return lambda expr, v: con.execute(f"SELECT {expr}_c(qa_clean(?))", [v]).fetchone()[0]


@pytest.mark.parametrize("raw, want", [
    ("2026-01-05", dt.date(2026, 1, 5)), ("2026/1/5", dt.date(2026, 1, 5)), ("2026年1月6日", dt.date(2026, 1, 6)),
    ("20260107", dt.date(2026, 1, 7)), ("2026-01-08 14:30:00", dt.date(2026, 1, 8)), ("2026.1.9", dt.date(2026, 1, 9)),
    ("46027", dt.date(2026, 1, 5)), ("10/29/2020 0:00", dt.date(2020, 10, 29)), ("２０２６-０１-０５", dt.date(2026, 1, 5)),
    ("2026-02-30", None), ("someday", None), (None, None),
])
def test_dates(sql, raw, want):
    assert sql("qa_date", raw) == want


@pytest.mark.parametrize("raw, want", [
    ("007812", "007812"), ("００７８１２", "007812"), (" 007812 ", "007812"), ("7812.0", "7812"), ("", None),
    ("A-01", "A-01"),
])
def test_ids(sql, raw, want):
    assert sql("qa_id", raw) == want


@pytest.mark.parametrize("raw, want", [("95分", 95.0), ("95.5", 95.5), (" 88 ", 88.0), ("９０", 90.0),
                                       ("-2", -2.0), ("abc", None)])
def test_numbers(sql, raw, want):
    assert sql("qa_num", raw) == want


@pytest.mark.parametrize("raw, want", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("合格", True), ("不合格", False), ("√", True),
    ("×", False), ("1", True), ("0", False), ("通过", True), ("未通过", False), ("maybe", None),
])
def test_booleans(sql, raw, want):
    assert sql("qa_bool", raw) == want


@pytest.mark.parametrize("raw, want", [
    ("满意", "satisfied"), ("非常满意", "satisfied"), ("很满意", "satisfied"), ("比较满意", "satisfied"),
    ("Very satisfied", "satisfied"), ("一般", "neutral"), ("基本满意", "neutral"), ("不满意", "dissatisfied"),
    ("很不满意", "dissatisfied"), ("5", "satisfied"), ("4", "satisfied"), ("3", "neutral"), ("2", "dissatisfied"),
    ("1", "dissatisfied"), ("0", None), (None, None), ("5分", "satisfied"),
])
def test_satisfaction(sql, raw, want):
    assert sql("qa_satisfaction", raw) == want


@pytest.mark.parametrize("raw, want", [("语音", "voice"), ("短信", "sms"), ("在线客服", "chat"), ("APP", "app"),
                                       ("邮件", "email"), ("Call-Center", "voice"), ("微信", "wechat")])
def test_channels(sql, raw, want):
    assert sql("qa_channel", raw) == want


@pytest.mark.parametrize("raw, want", [("质检", "qa"), ("中心领导", "leadership"), ("值班经理", "leadership"),
                                       ("神秘客户", "third_party"), ("第三方暗访", "third_party")])
def test_tester_types(sql, raw, want):
    assert sql("qa_tester_type", raw) == want


def test_macros_are_created_once_per_connection_and_rolled_back_with_their_transaction(con):
    def macro_count() -> int:
        return con.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE 'qa\\_%' ESCAPE '\\'"
        ).fetchall()[0][0]

    con.execute("BEGIN")
    install_macros(con)
    con.execute("ROLLBACK")  # an import that was rejected
    assert macro_count() == 0
    install_macros(con)
    created = macro_count()
    assert created > 10
    install_macros(con)  # a second import on the same connection: nothing to do
    assert macro_count() == created
    assert con.execute("SELECT qa_num_c(qa_clean(' ９５分 '))").fetchall() == [(95.0,)]


@pytest.mark.parametrize("cells, fold", [
    ([" 007812 ", "A-01\t", None], False), (["坐席 张三 ", "\n综合一组"], False), (["００７８１２", "x"], True),
    (["张\u3000三"], True),
])
def test_arrow_cleaning_trims_and_flags_full_width(cells, fold):
    import pyarrow as pa

    from qa_analytics.ingest.normalize import _clean_text_column

    col, needs_fold = _clean_text_column(pa.chunked_array([pa.array(cells, type=pa.string())]))
    assert needs_fold is fold
    if not fold:
        assert col.to_pylist() == [c.strip(" \t\r\n") if c is not None else None for c in cells]
