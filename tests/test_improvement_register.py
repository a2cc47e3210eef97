"""The improvement register: writes, history, refusals, chart marks, export, migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from qa_analytics import store
from qa_analytics.improvement import register as reg
from qa_analytics.improvement.register import ActionError
from qa_analytics.store.schema import SCHEMA_VERSION

from conftest import exported_database

FIXTURES = Path(__file__).parent / "fixtures"
D = dt.date


def v3_database(path: Path) -> Path:
    """A database as main wrote it at schema version 3 (tests/fixtures/db_v3, EXPORT DATABASE)."""
    return exported_database(path, "db_v3")


def test_a_v3_database_migrates_to_v4_with_nothing_lost_and_takes_actions(tmp_path):
    path = v3_database(tmp_path / "v3.duckdb")
    raw = duckdb.connect(str(path))
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("3",)
    tables = [r[0] for r in raw.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    before = {t: raw.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables if t != "meta"}
    raw.close()
    con = store.connect(path)
    assert SCHEMA_VERSION == 4
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    for t, rows in before.items():
        if t.startswith("rollup"):
            continue  # rebuilt on migration
        assert con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() == rows, t
    a = reg.create_action(con, type="corrective", title="retrain", scope="team", scope_value="A",
                          metrics=["qa_mean_score"], opened=D(2024, 3, 1))
    assert reg.get_action(con, a.id).title == "retrain"
    con.close()


def test_create_update_close_reopen_keep_every_version(con):
    v0 = store.data_version(con)
    with store.acting_as("li.na"):
        a = reg.create_action(con, type="corrective", title="  script fix ", scope="team", scope_value="A",
                              metrics=["qa_mean_score"], opened=D(2024, 5, 1), due=D(2024, 5, 31),
                              evidence={"metric": "qa_mean_score", "rule": "nelson_1"})
    assert store.data_version(con) > v0
    assert (a.id, a.version, a.title, a.status, a.stage) == (1, 1, "script fix", "open", "plan")
    assert (a.before_from, a.before_to) == (D(2024, 5, 1) - dt.timedelta(days=90), D(2024, 4, 30))
    assert (a.after_from, a.after_to) == (D(2024, 5, 1), D(2024, 5, 1) + dt.timedelta(days=89))
    assert a.evidence == {"metric": "qa_mean_score", "rule": "nelson_1"}
    b = reg.update_action(con, a.id, owner="Wang", stage="do")
    assert (b.version, b.owner, b.stage) == (2, "Wang", "do")
    c = reg.close_action(con, a.id, done=D(2024, 5, 20), note="done")
    assert (c.status, c.stage, c.done, c.after_from) == ("closed", "act", D(2024, 5, 20), D(2024, 5, 20))
    with pytest.raises(ActionError) as e:
        reg.close_action(con, a.id)
    assert e.value.code_name == "action_already"
    d = reg.reopen_action(con, a.id, note="not yet")
    assert (d.status, d.done, d.version) == ("open", None, 4)
    h = reg.action_history(con, a.id)
    assert list(h["change"]) == ["create", "update", "close", "reopen"]
    assert list(h["version"]) == [1, 2, 3, 4]
    assert h["changed_by"].iloc[0] == "li.na"
    assert reg.get_action(con, a.id) == d
    assert "script fix" in d.text("en") and "纠正措施" in d.text("zh")


@pytest.mark.parametrize("kw,code", [
    (dict(type="nope", title="x"), "action_bad_value"),
    (dict(type="corrective", title=" "), "action_no_title"),
    (dict(type="corrective", title="x", scope="galaxy"), "action_bad_value"),
    (dict(type="corrective", title="x", stage="later"), "action_bad_value"),
    (dict(type="corrective", title="x", scope="team"), "action_needs_value"),
    (dict(type="corrective", title="x", opened=D(2024, 5, 2), due=D(2024, 5, 1)), "action_bad_dates"),
    (dict(type="corrective", title="x", opened="2024-13-01"), "action_bad_date"),
    (dict(type="corrective", title="x", metrics=["fcr"]), "action_unknown_metric"),
])
def test_refusals_have_codes_in_both_languages(con, kw, code):
    with pytest.raises(ActionError) as e:
        reg.create_action(con, **kw)
    assert e.value.code_name == code
    assert e.value.message("zh") != e.value.message("en")
    assert con.execute("SELECT count(*) FROM action").fetchone() == (0,)


def test_parents_must_be_projects_and_unknown_ids_are_refused(con):
    a = reg.create_action(con, type="coaching", title="x", opened=D(2024, 1, 1))
    with pytest.raises(ActionError) as e:
        reg.create_action(con, type="coaching", title="y", parent_id=a.id)
    assert e.value.code_name == "action_bad_parent"
    p = reg.create_action(con, type="project", title="p", opened=D(2024, 1, 1))
    child = reg.create_action(con, type="coaching", title="y", parent_id=p.id, opened=D(2024, 1, 2))
    assert [x.id for x in reg.list_actions(con, parent_id=p.id)] == [child.id]
    assert {x.id for x in reg.list_actions(con, parent_id=None)} == {a.id, p.id}
    with pytest.raises(ActionError) as e:
        reg.get_action(con, 99)
    assert e.value.code_name == "action_unknown"
    with pytest.raises(ActionError):
        reg.update_action(con, a.id, colour="red")


def test_overdue_and_list_filters(con):
    a = reg.create_action(con, type="corrective", title="a", metrics=["qa_mean_score"], opened=D(2024, 1, 1),
                          due=D(2024, 2, 1))
    b = reg.create_action(con, type="preventive", title="b", metrics=["satisfaction_rate"], opened=D(2024, 3, 1))
    assert reg.is_overdue(a, D(2024, 2, 2)) and not reg.is_overdue(a, D(2024, 2, 1))
    assert not reg.is_overdue(b, D(2030, 1, 1))
    assert not reg.is_overdue(reg.close_action(con, a.id, done=D(2024, 1, 20)), D(2024, 3, 1))
    assert [x.id for x in reg.list_actions(con, metric="satisfaction_rate")] == [b.id]
    assert [x.id for x in reg.list_actions(con, as_of=D(2024, 2, 1))] == [a.id]
    assert [x.id for x in reg.list_actions(con, status="open")] == [b.id]
    assert [x.id for x in reg.list_actions(con, type="preventive")] == [b.id]


def test_actions_for_chart_by_scope(con):
    from conftest import insert_rows

    insert_rows(con, "roster", [dict(agent_id="a1", team="A"), dict(agent_id="b1", team="B")])
    c = reg.create_action(con, type="corrective", title="c", metrics=["qa_mean_score"], opened=D(2024, 1, 5))
    t = reg.create_action(con, type="corrective", title="t", scope="team", scope_value="A", metrics=["qa_mean_score"],
                          opened=D(2024, 1, 6))
    g = reg.create_action(con, type="coaching", title="g", scope="agent", scope_value="a1", metrics=["qa_mean_score"],
                          opened=D(2024, 1, 7))
    reg.create_action(con, type="coaching", title="other metric", metrics=["satisfaction_rate"], opened=D(2024, 1, 7))
    ids = lambda xs: [x.id for x in xs]  # noqa: E731
    assert ids(reg.actions_for_chart(con, "qa_mean_score")) == [c.id, t.id]
    assert ids(reg.actions_for_chart(con, "qa_mean_score", team="A")) == [c.id, t.id, g.id]
    assert ids(reg.actions_for_chart(con, "qa_mean_score", team="B")) == [c.id]
    assert ids(reg.actions_for_chart(con, "qa_mean_score", agent="a1")) == [c.id, t.id, g.id]
    assert ids(reg.actions_for_chart(con, "qa_mean_score", agent="b1")) == [c.id]
    assert ids(reg.actions_for_chart(con, "qa_mean_score", date_from=D(2024, 1, 6), date_to=D(2024, 1, 6))) == [t.id]


def test_export_and_demo_clearing(con, tmp_path):
    from openpyxl import load_workbook

    reg.create_action(con, type="corrective", title="=HYPERLINK(\"x\")", opened=D(2024, 1, 5))
    reg.create_action(con, type="coaching", title="demo", opened=D(2024, 1, 5), source="demo")
    path = reg.export_actions(con, tmp_path / "a.xlsx", lang="en")
    wb = load_workbook(path)
    ws = wb[wb.sheetnames[0]]
    titles = [ws.cell(row=r, column=4).value for r in range(2, 4)]
    assert titles[0] == '=HYPERLINK("x")' and ws.cell(row=2, column=4).data_type == "s"
    assert isinstance(ws.cell(row=2, column=11).value, dt.datetime)  # opened: a real date
    assert len(wb.sheetnames) == 2
    store.clear_demo_data(con)
    assert [a.title for a in reg.list_actions(con)] == ['=HYPERLINK("x")']
    assert con.execute("SELECT count(*) FROM action_history WHERE source = 'demo'").fetchone() == (0,)
