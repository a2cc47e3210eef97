"""Header matching, header-row detection and kind detection."""

from __future__ import annotations

import pyarrow as pa
import pytest

from qa_analytics.ingest.mapping import detect_kind, find_header, map_columns, match_concept
from qa_analytics.ingest.read import RawSheet


@pytest.mark.parametrize(
    "header, concept",
    [
        ("工号", "agent_id"), ("员工工号", "agent_id"), ("坐席工号", "agent_id"), ("被测工号", "agent_id"),
        ("Agent ID", "agent_id"), ("ａｇｅｎｔ　ｉｄ", "agent_id"),
        ("质检日期", "date"), ("评测日期", "date"), ("日期", "date"), ("Eval Date", "date"),
        ("质检员工号", "evaluator"), ("质检员姓名", "evaluator"), ("坐席姓名", "agent_name"),
        ("总分（分）", "total_score"), ("得分", "total_score"), ("Total Score", "total_score"),
        ("致命差错", "critical_error"), ("满意度", "rating"), ("Satisfaction rating", "rating"),
        ("是否合格", "passed"), ("测试类型", "tester_type"), ("系统可用率(%)", "availability"),
        ("录音编号", "contact_id"), ("Call Id", "contact_id"), ("Totl Score", "total_score"),
    ],
)
def test_header_matches_concept(header, concept):
    assert match_concept(header)[0] == concept


@pytest.mark.parametrize("header", ["customer_name", "客户姓名", "城市", "Speed of answer in seconds"])
def test_headers_that_are_not_agent_fields(header):
    assert match_concept(header)[0] not in ("agent_id", "agent_name")


def sheet(rows):
    width = max(len(r) for r in rows)
    cols = {f"c{j}": pa.array([(r[j] if j < len(r) else None) for r in rows], pa.string()) for j in range(width)}
    return RawSheet("s", pa.table(cols))


def test_title_rows_and_two_row_header_are_flattened():
    s = sheet([
        ["2026年1月质检报表", None, None, None, None, None],
        [None, None, None, None, None, None],
        ["工号", "日期", "总分", "扣分项", None, "备注"],
        [None, None, None, "开场白", "服务态度", None],
        ["001", "2026-01-05", "95", "-2", "-3", None],
    ])
    layout = find_header(s)
    assert layout.header_row == 3 and layout.data_start == 4
    assert layout.names == ["工号", "日期", "总分", "开场白", "服务态度", "备注"]
    assert layout.groups == [None, None, None, "扣分项", "扣分项", None]
    m = map_columns(layout, s.rows(4, 5))
    assert m.kind == "monitoring"
    assert m.fields == {"agent_id": 0, "eval_date": 1, "total_score": 2, "comments": 5}
    assert set(m.items) == {"开场白", "服务态度"}


def test_group_row_above_the_header():
    s = sheet([
        ["基本信息", None, None, "扣分项", None],
        ["工号", "日期", "总分", "开场白", "结束语"],
        ["001", "2026-01-05", "95", "-2", "-3"],
    ])
    layout = find_header(s)
    assert layout.header_row == 1
    assert layout.groups[3:] == ["扣分项", "扣分项"]


def test_single_header_followed_by_text_data_is_not_a_two_row_header():
    s = sheet([["工号", "姓名", "班组"], ["A001", "张三", "综合一组"], ["A002", "李四", "综合二组"]])
    layout = find_header(s)
    assert layout.header_row == 0
    assert map_columns(layout, s.rows(1, 3)).kind == "roster"


@pytest.mark.parametrize(
    "headers, kind",
    [
        (["质检编号", "工号", "质检日期", "质检员", "总分", "致命差错"], "monitoring"),
        (["被测工号", "拨测日期", "测试人", "测试类型", "业务场景", "得分", "是否合格"], "call_test"),
        (["工号", "评价日期", "满意度"], "survey"),
        (["工号", "姓名", "班组", "入职日期"], "roster"),
        (["检查日期", "系统名称", "可用率", "故障次数", "得分"], "system_check"),
        (["foo", "bar"], None),
    ],
)
def test_detect_kind(headers, kind):
    assert detect_kind(headers) == kind
