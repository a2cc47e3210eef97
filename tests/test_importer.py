"""End-to-end import rules: every quirk of real exports, all-or-nothing, keys."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from qa_analytics import store
from qa_analytics.analytics.summary import summary
from qa_analytics.ingest.importer import import_file

from conftest import (
    MONITORING_HEADER_SUB,
    MONITORING_HEADER_TOP,
    monitoring_export,
    monitoring_rows,
    write_csv,
    write_xls,
    write_xlsx,
)


def test_messy_monitoring_export_imports_cleanly(con, tmp_path):
    f = monitoring_export(tmp_path / "质检.xlsx", n=5)
    rep = import_file(con, f)
    assert rep.status == "imported", rep.message
    assert rep.kind == "monitoring"
    assert (rep.rows_read, rep.rows_imported, rep.rows_rejected) == (5, 5, 0)
    assert rep.rows_skipped >= 1  # the 合计 totals row
    rows = con.execute(
        "SELECT eval_id, agent_id, eval_date, total_score, critical_error, comments FROM monitoring ORDER BY eval_id"
    ).fetchall()
    # leading zeros kept, full-width digits and stray spaces folded
    assert [r[1] for r in rows] == ["007812", "007813", "007814", "007815", "007816"]
    # Excel date, 2026/1/6, 2026年1月7日, 20260108, datetime string
    assert [r[2] for r in rows] == [dt.date(2026, 1, d) for d in (5, 6, 7, 8, 9)]
    assert rows[1][3] == 100 - 2 - 0 - 2  # "96分" -> 96 (i=2: -(2%3), 0, -(2%4))
    assert all(r[4] is False for r in rows)
    # a text cell starting with "=" is data, kept verbatim
    assert rows[3][5] == "=SUM(A1)"


def test_items_in_long_form_with_groups_and_not_applicable(con, tmp_path):
    import_file(con, monitoring_export(tmp_path / "m.xlsx", n=5))
    items = con.execute(
        "SELECT item, item_group, points FROM monitoring_item WHERE record_key = 'id:QM00003' ORDER BY item"
    ).fetchall()
    # row 3 (k=2) has 服务态度 = N/A: stored with NULL points (not applicable)
    assert ("服务态度", "扣分项", None) in items
    assert {i[0] for i in items} == {"开场白", "服务态度", "业务准确性"}


def test_invalid_rows_reject_the_whole_file_with_every_problem(con, tmp_path):
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(3)
    rows.append(["QM9", None, "某人", "2026-02-30", "李质检", 120, "x", 0, 0, "也许", None, None])
    f = write_xlsx(tmp_path / "bad.xlsx", rows, merges=["G1:I1"])
    rep = import_file(con, f)
    assert rep.status == "rejected"
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    probs = {(e["row"], e["column"], e["message"]) for e in rep.errors}
    # Excel row 6: two header rows + 3 good rows before it
    assert (6, "员工工号", "required value is missing") in probs
    assert (6, "质检日期", "not a valid date") in probs
    assert (6, "总分", "score outside 0–100") in probs
    assert (6, "开场白", "item points are not a number or N/A") in probs
    assert (6, "致命差错", "not a yes/no value") in probs
    assert all(e["sheet"] == "数据" for e in rep.errors)
    assert rep.rows_rejected == 1


def test_skip_invalid_imports_valid_rows_and_writes_rejects(con, tmp_path):
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(3)
    rows.append(["QM9", "007899", "某人", "2026-01-05", "李质检", 120, 0, 0, 0, "否", None, "=HYPERLINK(1)"])
    f = write_xlsx(tmp_path / "bad.xlsx", rows, merges=["G1:I1"])
    rep = import_file(con, f, skip_invalid=True, rejects_dir=tmp_path / "rej")
    assert rep.status == "imported"
    assert (rep.rows_imported, rep.rows_rejected) == (3, 1)
    wb = load_workbook(rep.rejects_file)
    ws = wb.active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[1][1] == 6 and "总分" in values[1][2]
    # the formula-looking comment is written as text, never as a formula
    cell = [c for c in ws[2] if c.value == "=HYPERLINK(1)"][0]
    assert cell.data_type == "s"


def test_reimport_adds_nothing_and_overlap_counts_duplicates(con, tmp_path):
    a = monitoring_export(tmp_path / "jan.xlsx", n=5)
    assert import_file(con, a).rows_imported == 5
    again = import_file(con, a)
    assert (again.rows_imported, again.rows_updated, again.rows_duplicate) == (0, 0, 5)
    # an overlapping export: rows 4..8
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(5, start=4)
    b = write_xlsx(tmp_path / "overlap.xlsx", rows, merges=["G1:I1"])
    rep = import_file(con, b)
    assert (rep.rows_imported, rep.rows_duplicate) == (3, 2)
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 8


def test_revised_score_updates_and_keeps_previous_version(con, tmp_path):
    import_file(con, monitoring_export(tmp_path / "a.xlsx", n=5))
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(5, score_shift=0)
    rows[2 + 1][5] = 99  # QM00002 revised after an appeal
    rows[2 + 1][10] = "申诉成功"
    rep = import_file(con, write_xlsx(tmp_path / "appeal.xlsx", rows, merges=["G1:I1"]))
    assert (rep.rows_updated, rep.rows_duplicate, rep.rows_imported) == (1, 4, 0)
    cur = con.execute("SELECT total_score, appeal_status FROM monitoring WHERE eval_id='QM00002'").fetchone()
    old = con.execute("SELECT total_score FROM monitoring_history WHERE eval_id='QM00002'").fetchone()
    assert cur == (99.0, "申诉成功") and old[0] == 96.0


def test_undo_restores_exactly(con, tmp_path):
    first = import_file(con, monitoring_export(tmp_path / "a.xlsx", n=5))
    before = con.execute("SELECT * FROM monitoring ORDER BY record_key").fetchall()
    items_before = con.execute("SELECT * FROM monitoring_item ORDER BY ALL").fetchall()
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(7)
    rows[2][5] = 50
    rows[2][6] = -50
    second = import_file(con, write_xlsx(tmp_path / "b.xlsx", rows, merges=["G1:I1"]))
    assert (second.rows_imported, second.rows_updated) == (2, 1)
    # the first batch cannot be undone while the second changed its records
    with pytest.raises(store.UndoError, match="later batch"):
        store.undo_batch(con, first.batch_id)
    res = store.undo_batch(con, second.batch_id)
    assert res == {"removed": 2, "restored": 1}
    assert con.execute("SELECT * FROM monitoring ORDER BY record_key").fetchall() == before
    assert con.execute("SELECT * FROM monitoring_item ORDER BY ALL").fetchall() == items_before
    assert con.execute("SELECT count(*) FROM monitoring_history").fetchone()[0] == 0
    with pytest.raises(store.UndoError, match="already undone"):
        store.undo_batch(con, second.batch_id)
    store.undo_batch(con, first.batch_id)
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 0


def test_import_log_records_file_hash_and_counts(con, tmp_path):
    f = monitoring_export(tmp_path / "a.xlsx", n=5)
    import_file(con, f)
    (b,) = store.list_batches(con)
    import hashlib

    assert b["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert (b["file_name"], b["kind"], b["rows_imported"], b["status"]) == ("a.xlsx", "monitoring", 5, "active")
    assert b["imported_by"]


def test_legacy_xls_and_gbk_csv(con, tmp_path):
    header = ["评测编号", "被测工号", "拨测日期", "测试人", "测试类型", "业务场景", "得分", "是否合格"]
    data = [
        ["CT1", "000123", dt.date(2026, 3, 2), "质检张", "质检", "话费查询", 92, "合格"],
        ["CT2", "000124", dt.date(2026, 3, 3), "主任王", "中心领导", "故障报修", 70, "不合格"],
        ["CT3", "000125", dt.date(2026, 3, 4), "某公司", "神秘客户", "投诉受理", 85, "√"],
    ]
    rep = import_file(con, write_xls(tmp_path / "拨测.xls", [["拨测记录表"], header] + data))
    assert rep.status == "imported" and rep.kind == "call_test", rep.message
    got = con.execute("SELECT agent_id, tester_type, is_external, passed FROM call_test ORDER BY test_id").fetchall()
    assert got == [("000123", "qa", False, True), ("000124", "leadership", False, False),
                   ("000125", "third_party", True, True)]
    csv_rows = [["调查编号", "工号", "评价日期", "满意度"],
                ["S1", "007812", "2026/3/1", "非常满意"], ["S2", "007812", "2026/3/1", "一般"],
                ["S3", "007813", "2026/3/2", "很不满意"], ["S4", "007813", "2026/3/2", "4"],
                ["S5", "007813", "2026/3/2", "0"], ["平均", None, None, None]]
    rep = import_file(con, write_csv(tmp_path / "满意度.csv", csv_rows, encoding="gbk"))
    assert rep.status == "imported" and rep.kind == "survey", rep.message
    sat = con.execute("SELECT survey_id, satisfaction FROM survey ORDER BY survey_id").fetchall()
    assert sat == [("S1", "satisfied"), ("S2", "neutral"), ("S3", "dissatisfied"), ("S4", "satisfied"),
                   ("S5", None)]
    s = summary(con)
    assert s["survey"]["satisfaction_rate"] == 0.5  # 2 satisfied of 4 valid ratings


@pytest.mark.parametrize("label", ["合计", "合 计", "合计：", "Total:", "TOTAL", "ＴＯＴＡＬ", "平均值", " 小计 "])
def test_totals_rows_are_skipped_however_spelled(con, tmp_path, label):
    # The label sits in the first column, or in the second under an empty id.
    rows = [["调查编号", "工号", "评价日期", "满意度"], ["S1", "007812", "2026/3/1", "满意"],
            [label, None, None, "4.5"], [None, label, None, "4.5"], ["S2", "007813", "2026/3/2", "一般"]]
    rep = import_file(con, write_csv(tmp_path / "s.csv", rows))
    assert rep.status == "imported", rep.errors
    assert (rep.rows_read, rep.rows_skipped, rep.rows_imported) == (2, 2, 2)


def test_a_cell_merely_containing_a_totals_word_is_data(con, tmp_path):
    rows = [["调查编号", "工号", "评价日期", "满意度"], ["合计单1", "007812", "2026/3/1", "满意"],
            ["S2", "Total Care 1", "2026/3/2", "一般"]]
    rep = import_file(con, write_csv(tmp_path / "s.csv", rows))
    assert (rep.status, rep.rows_imported, rep.rows_skipped) == ("imported", 2, 0)


def test_data_sheet_found_among_several(con, tmp_path):
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(2)
    f = write_xlsx(tmp_path / "multi.xlsx", rows, merges=["G1:I1"], first="说明",
                   extra_sheets={"图表": [["月份", "均分"], ["1月", 95]]})
    rep = import_file(con, f)
    assert rep.status == "imported" and rep.sheet == "数据"


def test_roster_gives_team_to_exports_without_one(con, tmp_path):
    roster = [["工号", "姓名", "班组", "入职日期"], ["007812", "坐席0", "综合一组", "2024-03-01"],
              ["007813", "坐席1", "投诉处理组", "2024-05-01"]]
    rep = import_file(con, write_xlsx(tmp_path / "roster.xlsx", roster))
    assert rep.kind == "roster" and rep.rows_imported == 2
    import_file(con, monitoring_export(tmp_path / "m.xlsx", n=2))
    teams = con.execute("SELECT agent_id, team FROM monitoring_v ORDER BY agent_id").fetchall()
    assert teams == [("007812", "综合一组"), ("007813", "投诉处理组")]


def test_roster_team_change_keeps_history(con, tmp_path):
    r1 = [["工号", "姓名", "班组", "生效日期"], ["007812", "坐席0", "综合一组", "2025-01-01"]]
    r2 = [["工号", "姓名", "班组", "生效日期"], ["007812", "坐席0", "投诉处理组", "2026-01-07"]]
    import_file(con, write_xlsx(tmp_path / "r1.xlsx", r1))
    rep = import_file(con, write_xlsx(tmp_path / "r2.xlsx", r2))
    assert rep.rows_updated == 1
    import_file(con, monitoring_export(tmp_path / "m.xlsx", n=5))
    got = con.execute(
        "SELECT eval_date, team FROM monitoring_v WHERE agent_id = '007812' ORDER BY eval_date"
    ).fetchall()
    assert got == [(dt.date(2026, 1, 5), "综合一组")]
    timeline = con.execute("SELECT team, valid_from FROM roster_timeline ORDER BY valid_from").fetchall()
    assert timeline == [("综合一组", dt.date(2025, 1, 1)), ("投诉处理组", dt.date(2026, 1, 7))]


def test_unrecognised_and_unreadable_files_are_rejected_cleanly(con, tmp_path):
    odd = write_xlsx(tmp_path / "odd.xlsx", [["foo", "bar"], [1, 2]])
    rep = import_file(con, odd)
    assert rep.status == "rejected" and "not a recognised evaluation export" in rep.message
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 this is not a zip")
    rep = import_file(con, junk)
    assert rep.status == "rejected" and rep.message
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert import_file(con, empty).message == "the file is empty"


def test_explicit_mapping_and_kind_override(con, tmp_path):
    rows = [["单号", "人员代码", "日子", "分值"], ["A1", "0001", "2026-01-05", "90"]]
    f = write_xlsx(tmp_path / "odd.xlsx", rows)
    rep = import_file(con, f, kind="monitoring",
                      overrides={"单号": "eval_id", "人员代码": "agent_id", "日子": "eval_date", "分值": "total_score"})
    assert rep.status == "imported", rep.message
    assert con.execute("SELECT agent_id, total_score FROM monitoring").fetchone() == ("0001", 90.0)


def test_same_id_twice_with_different_values_is_an_error(con, tmp_path):
    rows = [["质检编号", "工号", "质检日期", "总分"], ["Q1", "1", "2026-01-05", "90"],
            ["Q1", "1", "2026-01-05", "80"], ["Q2", "2", "2026-01-05", "90"], ["Q2", "2", "2026-01-05", "90"]]
    rep = import_file(con, write_xlsx(tmp_path / "d.xlsx", rows))
    assert rep.status == "rejected"
    assert {e["row"] for e in rep.errors} == {2, 3}
    rep = import_file(con, write_xlsx(tmp_path / "d.xlsx", rows), skip_invalid=True, rejects_dir=tmp_path)
    assert (rep.rows_imported, rep.rows_duplicate, rep.rows_rejected) == (1, 1, 2)


def test_natural_key_without_ids_is_stable_across_reimports(con, tmp_path):
    rows = [["工号", "评价日期", "满意度"], ["1", "2026-01-05", "5"], ["1", "2026-01-05", "5"],
            ["1", "2026-01-05", "3"]]
    f = write_xlsx(tmp_path / "s.xlsx", rows)
    assert import_file(con, f).rows_imported == 3  # identical-looking surveys stay three
    rep = import_file(con, f)
    assert (rep.rows_imported, rep.rows_duplicate) == (0, 3)


def test_dry_run_counts_without_writing(con, tmp_path):
    f = monitoring_export(tmp_path / "a.xlsx", n=5)
    import_file(con, f)
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(7)
    rows[2][5] = 50
    rep = import_file(con, write_xlsx(tmp_path / "b.xlsx", rows, merges=["G1:I1"]), dry_run=True)
    assert rep.status == "checked"
    assert (rep.rows_imported, rep.rows_updated, rep.rows_duplicate) == (2, 1, 4)
    assert con.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 5
    assert len(store.list_batches(con)) == 1


def test_counts_too_large_or_not_finite_are_row_errors_not_crashes(con, tmp_path):
    rows = [["检查日期", "系统名称", "可用率", "故障次数", "得分"], ["2026-03-01", "IVR", "99.5", "99999999999", "95"],
            ["2026-03-01", "CRM", "99.9", "inf", "96"], ["2026-03-01", "录音", "99.9", "2", "97"]]
    rep = import_file(con, write_csv(tmp_path / "sys.csv", rows), kind="system_check")
    assert rep.status == "rejected"
    assert [(e["row"], e["code"]) for e in rep.errors] == [(2, "too_large"), (3, "bad_number")]
    assert con.execute("SELECT count(*) FROM system_check").fetchone() == (0,)


@pytest.mark.parametrize("junk", ["nan", "inf", "-Infinity"])
def test_item_points_must_be_finite(con, tmp_path, junk):
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(2)
    rows[2][6] = junk
    rep = import_file(con, write_xlsx(tmp_path / "m.xlsx", rows, merges=["G1:I1"]))
    assert rep.status == "rejected"
    assert [(e["row"], e["code"], e["value"]) for e in rep.errors] == [(3, "bad_item", junk)]


def test_a_value_duckdb_cannot_hold_rejects_the_file_cleanly(con, tmp_path, monkeypatch):
    import duckdb

    def refuse(*_a, **_k):
        raise duckdb.ConversionException("Conversion Error: value out of range")

    monkeypatch.setattr(store, "merge_staged", refuse)
    rep = import_file(con, monitoring_export(tmp_path / "m.xlsx", n=3))
    assert rep.status == "rejected" and "could not be imported" in rep.message
    monkeypatch.undo()
    assert con.execute("SELECT count(*) FROM monitoring").fetchone() == (0,)
    assert import_file(con, monitoring_export(tmp_path / "m.xlsx", n=3)).status == "imported"  # connection fine


def test_a_failing_normalising_statement_leaves_the_connection_usable(con, tmp_path, monkeypatch):
    from qa_analytics.ingest import normalize

    monkeypatch.setattr(normalize, "_derived_exprs", lambda kind, mapping: ["CAST('abc' AS INTEGER) AS boom"])
    rep = import_file(con, monitoring_export(tmp_path / "m.xlsx", n=3))
    assert rep.status == "rejected" and "could not be imported" in rep.message
    monkeypatch.undo()
    assert import_file(con, monitoring_export(tmp_path / "m.xlsx", n=3)).status == "imported"


# --- Exports made the way real QA systems make them (issue 8) -------------

def _two_row_export(path, n=50, note=None, extra_cols=False, with_id=True):
    """A monitoring export whose two-row header puts 致命差错 and 总分 under
    the merged 扣分项 group, as several QA systems do."""
    top = (["序号"] if extra_cols else []) + (["质检编号"] if with_id else []) + ["坐席工号", "坐席姓名", "质检日期"]
    top += (["录音流水号"] if extra_cols else []) + ["扣分项", None, None, None, None]
    sub = [None] * (len(top) - 5) + ["开场白", "服务态度", "业务准确性", "致命差错", "总分"]
    rows = [["2026年1月 录音质检明细"], top, sub]
    for i in range(1, n + 1):
        ded = [-(i % 3), -(i % 2), 0]
        row = ([i] if extra_cols else []) + ([f"QM{i:05d}"] if with_id else [])
        row += [f"{7800 + i % 7:06d}", f"坐席{i % 7}", f"2026-01-{1 + i % 28:02d}"]
        row += [f"{6217000000000000000 + i}"] if extra_cols else []
        row += ded + ["是" if i == 7 else "否", 100 + sum(ded)]
        rows.append(row)
    if note:
        rows.append([note])
    width = len(top)
    g = width - 5
    col = lambda k: chr(ord("A") + k)  # noqa: E731
    merges = [f"{col(g)}2:{col(width - 1)}2"] + [f"{col(k)}2:{col(k)}3" for k in range(g)]
    return write_xlsx(path, rows, merges=merges)


def test_fields_named_exactly_under_an_item_group_are_fields(con, tmp_path):
    rep = import_file(con, _two_row_export(tmp_path / "m.xlsx"))
    assert rep.status == "imported", (rep.message, rep.error_groups[:2])
    assert (rep.rows_read, rep.rows_imported, rep.rows_rejected) == (50, 50, 0)
    assert rep.mapping["致命差错"] == "critical_error" and rep.mapping["总分"] == "total_score"
    assert con.execute("SELECT count(*) FILTER (WHERE critical_error) FROM monitoring").fetchone() == (1,)
    items = {r[0] for r in con.execute("SELECT DISTINCT item FROM monitoring_item").fetchall()}
    assert items == {"开场白", "服务态度", "业务准确性"}


@pytest.mark.parametrize("note", [
    "注：本表由质检系统自动生成，分数以复核后为准", "制表：张三  审核：李四", "导出时间：2026-11-30 10:22",
    "说明：N/A 表示不适用", "数据来源：智能质检平台", "第 1 页，共 3 页",
])
def test_note_and_footer_lines_are_skipped_and_counted(con, tmp_path, note):
    rep = import_file(con, _two_row_export(tmp_path / "m.xlsx", n=5, note=note))
    assert rep.status == "imported", (rep.message, rep.errors[:2])
    assert rep.rows_imported == 5 and rep.skipped.get("note") == 1


def test_row_numbers_are_ignored_and_a_serial_number_is_the_contact_id(con, tmp_path):
    rep = import_file(con, _two_row_export(tmp_path / "m.xlsx", n=8, extra_cols=True))
    assert rep.status == "imported", rep.message
    assert rep.mapping["录音流水号"] == "contact_id"
    assert "序号" in rep.ignored_columns and "序号" not in rep.mapping
    assert "row number" in rep.ignored_reasons["序号"]
    got = con.execute("SELECT contact_id FROM monitoring ORDER BY eval_id LIMIT 1").fetchone()
    assert got == ("6217000000000000001",)
    assert con.execute("SELECT count(DISTINCT item) FROM monitoring_item").fetchone() == (3,)


def test_text_columns_that_match_nothing_are_listed_never_items(con, tmp_path):
    rows = [["质检编号", "工号", "质检日期", "总分", "开场白", "客户诉求", "通话时长"],
            ["Q1", "001", "2026-01-05", 95, -5, "查询话费", 180], ["Q2", "002", "2026-01-05", 90, -10, "投诉", 65]]
    rep = import_file(con, write_xlsx(tmp_path / "m.xlsx", rows))
    assert rep.status == "imported", rep.message
    assert rep.mapping["开场白"] == "item:开场白"
    assert {"客户诉求", "通话时长"} <= set(rep.ignored_columns)
    assert set(rep.ignored_reasons) >= {"客户诉求", "通话时长"}


def test_identity_is_never_guessed_from_a_name(con, tmp_path):
    # 坐席姓名 is the only agent column
    rows = [["质检编号", "坐席姓名", "质检日期", "总分"], ["Q1", "张伟", "2026-01-05", 95],
            ["Q2", "张伟", "2026-01-06", 80], ["Q3", "李娜", "2026-01-06", 90]]
    f = write_xlsx(tmp_path / "names.xlsx", rows)
    rep = import_file(con, f)
    assert rep.status == "rejected" and rep.code == "no_agent_id"
    assert '--map "坐席姓名=agent_id"' in rep.message
    assert rep.errors[0]["code"] == "no_agent_id" and rep.errors[0]["row"] is None
    assert con.execute("SELECT count(*) FROM monitoring").fetchone() == (0,)
    # deliberately, and visibly: agents known by name only
    rep = import_file(con, f, overrides={"坐席姓名": "agent_id"})
    assert rep.status == "imported"
    assert [w["code"] for w in rep.warnings] == ["agent_ids_are_names"]
    assert "by name only" in rep.warnings[0]["message"]


def test_the_same_contact_exported_twice_in_one_file_is_one_record(con, tmp_path):
    header = ["坐席工号", "质检日期", "质检员", "录音编号", "总分"]
    row = ["007812", "2026-01-05", "王质检", "C0001", 95]
    rows = [header, row, ["007812", "2026-01-05", "王质检", "C0002", 90], list(row)]
    rep = import_file(con, write_xlsx(tmp_path / "m.xlsx", rows))
    assert rep.status == "imported", rep.message
    assert (rep.rows_imported, rep.rows_duplicate) == (2, 1)
    assert "in_file_duplicates" in [w["code"] for w in rep.warnings]
    assert con.execute("SELECT count(*) FROM monitoring").fetchone() == (2,)
    # and across files: the same contact again is the same record
    again = import_file(con, write_xlsx(tmp_path / "m2.xlsx", [header, row]))
    assert (again.rows_imported, again.rows_duplicate) == (0, 1)
    # a calibration: the same contact scored by another evaluator is another record
    other = import_file(con, write_xlsx(tmp_path / "m3.xlsx", [header, ["007812", "2026-01-05", "李质检", "C0001", 85]]))
    assert other.rows_imported == 1


def test_every_error_has_a_code_and_file_level_rejections_have_an_error(con, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02binary" * 10)
    for f in (junk, write_xlsx(tmp_path / "odd.xlsx", [["foo", "bar"], [1, 2]]), tmp_path / "nope.xlsx"):
        rep = import_file(con, f)
        assert rep.status == "rejected"
        assert len(rep.errors) == 1 and rep.errors[0]["code"] and rep.errors[0]["message"] == rep.message
        assert rep.errors[0]["row"] is None and rep.errors[0]["column"] is None
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(3)
    rows.append(["QM9", None, "某人", "2026-02-30", "李质检", 120, "x", 0, 0, "也许", None, None])
    rep = import_file(con, write_xlsx(tmp_path / "bad.xlsx", rows, merges=["G1:I1"]))
    assert all(e["code"] for e in rep.errors)


def test_messages_speak_the_users_language(con, tmp_path):
    rows = [["质检编号", "坐席姓名", "质检日期", "总分"], ["Q1", "张伟", "2026-01-05", 95]]
    rep = import_file(con, write_xlsx(tmp_path / "names.xlsx", rows), lang="zh")
    assert rep.code == "no_agent_id" and "没有坐席工号列" in rep.message
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(2)
    rows[2][3] = "2026-02-30"
    rep = import_file(con, write_xlsx(tmp_path / "bad.xlsx", rows, merges=["G1:I1"]), lang="zh")
    assert [e["message"] for e in rep.errors] == ["不是有效日期"]


def test_a_problem_on_every_row_is_grouped_with_a_hint_not_skip_invalid(con, tmp_path):
    rows = [["质检编号", "工号", "质检日期", "总分", "开场白", "是否致命"]]
    rows += [[f"Q{i}", f"{i:04d}", "2026-01-05", 95, -5, "否"] for i in range(1, 11)]
    # 是否致命 forced to an item, as a wrong saved correction would
    rep = import_file(con, write_xlsx(tmp_path / "m.xlsx", rows), overrides={"是否致命": "item"})
    assert rep.status == "rejected" and rep.code == "all_rows_invalid"
    (group,) = rep.error_groups
    assert (group["code"], group["column"], group["rows"]) == ("bad_item", "是否致命", 10)
    assert group["hint"] == "critical_error"
    assert '10 rows: 是否致命' in group["message"] and '--map "是否致命=critical_error"' in group["message"]
    assert "--skip-invalid" not in rep.message


def test_free_text_is_stored_as_written(con, tmp_path):
    rows = [["调查编号", "工号", "评价日期", "满意度", "备注"],
            ["S1", "００７８１２", "2026/3/1", "非常满意", "服务态度好！（表扬）：１００分"],
            ["S2", "007813", "2026/3/1", "满意", "  ＝1+1 "]]
    rep = import_file(con, write_csv(tmp_path / "s.csv", rows))
    assert rep.status == "imported", rep.message
    got = con.execute("SELECT agent_id, comments FROM survey ORDER BY survey_id").fetchall()
    assert got == [("007812", "服务态度好！（表扬）：１００分"), ("007813", "  ＝1+1 ")]


def test_an_older_export_never_overwrites_a_newer_one(con, tmp_path):
    header = ["质检编号", "工号", "质检日期", "总分"]
    new = write_xlsx(tmp_path / "new.xlsx", [["导出时间：2026-02-10 09:00"], header, ["Q1", "001", "2026-01-05", 99]])
    old = write_xlsx(tmp_path / "old.xlsx", [["导出时间：2026-01-31 18:00"], header, ["Q1", "001", "2026-01-05", 80]])
    assert import_file(con, new).rows_imported == 1
    rep = import_file(con, old)
    assert rep.status == "imported" and (rep.rows_updated, rep.rows_stale) == (0, 1)
    assert "stale_rows" in [w["code"] for w in rep.warnings]
    assert con.execute("SELECT total_score FROM monitoring").fetchone() == (99.0,)
    # a record's own modification time wins over the export's
    header2 = header + ["最后修改时间"]
    a = write_xlsx(tmp_path / "a.xlsx", [header2, ["Q2", "001", "2026-01-06", 70, "2026-01-20 10:00"]])
    b = write_xlsx(tmp_path / "b.xlsx", [header2, ["Q2", "001", "2026-01-06", 75, "2026-01-19 10:00"]])
    import_file(con, a)
    assert import_file(con, b).rows_stale == 1
    assert con.execute("SELECT total_score FROM monitoring WHERE eval_id = 'Q2'").fetchone() == (70.0,)
    c = write_xlsx(tmp_path / "c.xlsx", [header2, ["Q2", "001", "2026-01-06", 72, "2026-01-21 10:00"]])
    assert import_file(con, c).rows_updated == 1
