"""Saved mappings: a layout corrected once arrives mapped the next time."""

from __future__ import annotations

import pytest

from qa_analytics.ingest import mappings
from qa_analytics.ingest.importer import import_file, plan_import

from conftest import write_xlsx


def _odd_export(path, month: int, n: int = 3):
    """An export whose headers the matcher cannot know (a home-grown system)."""
    rows = [[f"2026年{month}月 明细"], ["单号", "人员代码", "日子", "分值", "话术规范"]]
    rows += [[f"A{month}{i}", f"{i:04d}", f"2026-{month:02d}-{i + 1:02d}", 90 + i, -i] for i in range(n)]
    return write_xlsx(path, rows)


CORRECTION = {"单号": "eval_id", "人员代码": "agent_id", "日子": "eval_date", "分值": "total_score"}


def test_a_corrected_mapping_is_saved_and_applied_to_the_next_export(con, tmp_path):
    first = import_file(con, _odd_export(tmp_path / "jan.xlsx", 1), kind="monitoring", overrides=CORRECTION)
    assert first.status == "imported", first.message
    assert first.saved_mapping_id is not None
    (saved,) = mappings.list_saved(con)
    assert saved.kind == "monitoring" and saved.columns["人员代码"] == "agent_id"
    assert saved.columns["话术规范"] == "item"
    # next month: same layout, different title and data; nobody touches the mapping
    nxt = import_file(con, _odd_export(tmp_path / "feb.xlsx", 2))
    assert nxt.status == "imported", nxt.message
    assert nxt.saved_mapping_id == saved.mapping_id
    assert [w["code"] for w in nxt.warnings] == ["saved_mapping_used"]
    assert f"#{saved.mapping_id}" in nxt.warnings[0]["message"]
    assert mappings.get(con, saved.mapping_id).used_count == 1
    assert con.execute("SELECT count(*) FROM monitoring").fetchone() == (6,)


def test_saved_mappings_are_edited_and_deleted(con, tmp_path):
    import_file(con, _odd_export(tmp_path / "jan.xlsx", 1), kind="monitoring", overrides=CORRECTION)
    (saved,) = mappings.list_saved(con)
    edited = mappings.update(con, saved.mapping_id, columns={"话术规范": "ignore"}, label="自建系统")
    assert edited.columns["话术规范"] == "ignore" and edited.label == "自建系统"
    plan = plan_import(_odd_export(tmp_path / "feb.xlsx", 2), con=con)
    assert plan.saved.mapping_id == saved.mapping_id and "话术规范" in plan.mapping.ignored
    with pytest.raises(Exception) as err:
        mappings.update(con, saved.mapping_id, columns={"话术规范": "nonsense"})
    assert "not a field" in str(err.value)
    mappings.delete(con, saved.mapping_id)
    assert mappings.list_saved(con) == []
    with pytest.raises(mappings.MappingNotFound):
        mappings.get(con, saved.mapping_id)
    # without it, the layout is unknown again
    assert import_file(con, _odd_export(tmp_path / "mar.xlsx", 3)).status == "rejected"


def test_the_users_own_correction_wins_over_a_saved_one(con, tmp_path):
    import_file(con, _odd_export(tmp_path / "jan.xlsx", 1), kind="monitoring", overrides=CORRECTION)
    rep = import_file(con, _odd_export(tmp_path / "feb.xlsx", 2), overrides={"话术规范": "ignore"})
    assert rep.status == "imported" and "话术规范" in rep.ignored_columns
    (saved,) = mappings.list_saved(con)
    assert saved.columns["话术规范"] == "ignore"  # the correction is saved for next time


def test_the_signature_ignores_titles_and_data_but_not_headers(tmp_path):
    a = plan_import(_odd_export(tmp_path / "a.xlsx", 1), kind="monitoring", overrides=CORRECTION)
    b = plan_import(_odd_export(tmp_path / "b.xlsx", 7, n=5), kind="monitoring", overrides=CORRECTION)
    assert a.signature == b.signature
    rows = [["单号", "人员代码", "日子", "分值", "话术规范", "备注"], ["A1", "0001", "2026-01-02", 90, 0, None]]
    c = plan_import(write_xlsx(tmp_path / "c.xlsx", rows), kind="monitoring", overrides=CORRECTION)
    assert c.signature != a.signature


def test_a_dry_run_saves_nothing(con, tmp_path):
    rep = import_file(con, _odd_export(tmp_path / "jan.xlsx", 1), kind="monitoring", overrides=CORRECTION,
                      dry_run=True)
    assert rep.status == "checked" and mappings.list_saved(con) == []
