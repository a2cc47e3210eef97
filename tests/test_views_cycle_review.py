"""The cycle review's back-end: which actions each part of the agenda holds,
verdicts as of the cycle's end, indicator changes equal to the Overview's
cards, new problems with their suggestions, and the meeting's workbook."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import openpyxl
import pytest

from qa_analytics import store
from qa_analytics.core.codes import say
from qa_analytics.improvement import register as reg
from qa_analytics.views import cycle_review as cr
from qa_analytics.views.overview import headline

from conftest import insert_rows

D = dt.date


@pytest.fixture
def center(tmp_path):
    """Two teams of 4 agents scored daily January–June 2026, and six actions at known dates."""
    con = store.connect(tmp_path / "c.duckdb")
    rng = np.random.default_rng(4)
    rows = []
    for day in range(181):
        d = D(2026, 1, 1) + dt.timedelta(days=day)
        for team in ("A", "B"):
            for k in range(4):
                rows.append({"eval_date": d, "agent_id": f"{team}{k}", "team": team,
                             "total_score": float(np.clip(rng.normal(85, 6), 0, 100)), "critical_error": False,
                             "channel": "voice"})
    insert_rows(con, "monitoring", rows)
    made = {}

    def add(name, **kw):
        made[name] = reg.create_action(con, type="corrective", title=name, metrics=["qa_mean_score"], **kw)

    add("opened_last_cycle", opened=D(2026, 4, 10), verify_after=D(2026, 6, 30))
    reg.close_action(con, made["opened_last_cycle"].id, done=D(2026, 5, 5))
    add("done_since", opened=D(2026, 3, 1))
    reg.close_action(con, made["done_since"].id, done=D(2026, 4, 20))
    add("long_done", opened=D(2026, 2, 1))
    reg.close_action(con, made["long_done"].id, done=D(2026, 2, 10))
    add("late", opened=D(2026, 5, 2), due=D(2026, 5, 20), scope="team", scope_value="A")
    add("later", opened=D(2026, 6, 3))
    add("on_time", opened=D(2026, 3, 1), due=D(2026, 7, 1))
    add("=HYPERLINK(\"http://x\")", opened=D(2026, 5, 3))  # a title that must not become a formula
    yield con, {k: v.id for k, v in made.items()}
    con.close()


def test_each_part_of_the_agenda_holds_its_actions(center):
    con, ids = center
    r = cr.cycle_review(con, "month", D(2026, 5, 17))
    assert (r.start, r.end, r.prev_start, r.prev_end) == (D(2026, 5, 1), D(2026, 5, 31), D(2026, 4, 1), D(2026, 4, 30))
    assert set(r.previous_actions["id"]) == {ids["opened_last_cycle"], ids["done_since"]}
    # open at the cycle's end: the overdue first; one opened after the cycle is not there yet
    open_ids = list(r.open_actions["id"])
    assert open_ids[0] == ids["late"] and set(open_ids) == {ids["late"], ids["on_time"], ids['=HYPERLINK("http://x")']}
    assert r.open_actions.set_index("id").loc[ids["late"], "overdue"]
    assert not r.open_actions.set_index("id").loc[ids["on_time"], "overdue"]
    # the verdict as the meeting saw it: at the end of May, before its verify-after day
    assert r.previous_actions.set_index("id").loc[ids["opened_last_cycle"], "verdict"] == "not_yet"


def test_an_action_closed_after_the_cycle_was_still_open_in_it(center):
    con, ids = center
    r = cr.cycle_review(con, "month", D(2026, 4, 1))
    assert ids["opened_last_cycle"] in set(r.open_actions["id"])  # done on 5 May
    assert ids["late"] not in set(r.open_actions["id"])  # opened on 2 May


def test_the_indicator_changes_are_the_overview_cards_for_the_two_cycles(center):
    con, _ = center
    r = cr.cycle_review(con, "quarter", D(2026, 5, 1))
    cards = headline(con, D(2026, 4, 1), D(2026, 6, 30), compare_from=D(2026, 1, 1), compare_to=D(2026, 3, 31))
    assert r.changes["value"].equals(cards["value"]) and r.changes["prev_value"].equals(cards["prev_value"])
    q = r.changes.set_index("metric").loc["qa_mean_score"]
    mean = con.execute("SELECT avg(total_score) FROM monitoring WHERE eval_date BETWEEN ? AND ?",
                       [D(2026, 4, 1), D(2026, 6, 30)]).fetchone()[0]
    assert q["value"] == pytest.approx(mean)


def test_the_workbook_has_the_agenda_in_the_readers_language_and_no_formulas(center, tmp_path):
    con, ids = center
    r = cr.cycle_review(con, "month", D(2026, 5, 1))
    for lang, sheet in (("zh", "上期整改"), ("en", "Previous cycle's actions")):
        path = cr.write_review(r, tmp_path / f"r_{lang}.xlsx", lang=lang)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[0] == sheet and len(wb.sheetnames) == 4
        cells = [c for ws in wb for row in ws.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in cells)
        titles = [ws.cell(row=i, column=3).value for ws in (wb.worksheets[2],) for i in range(2, ws.max_row + 1)]
        assert any("HYPERLINK" in str(v) for v in titles)


def test_a_cycle_is_one_of_the_review_grains(center):
    con, _ = center
    with pytest.raises(ValueError):
        cr.cycle_review(con, "week", D(2026, 5, 1))
    assert cr.cycle_starts(con, "half_year") == [D(2026, 1, 1)]
    assert cr.cycle_starts(con, "month")[0] == D(2026, 6, 1)


def test_the_demo_trouble_week_is_a_new_problem_in_every_team_a_project(demo_db_path, tmp_path):
    from qa_analytics.demo.generate import demo_facts

    facts = demo_facts(6, D(2026, 6, 30))
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    con = store.connect(db)
    week = facts["trouble_week_start"]
    r = cr.cycle_review(con, "month", week)
    sat = r.problems[(r.problems["metric"] == "satisfaction_rate") & (r.problems["level"] == "center")]
    assert len(sat) and (sat["assessment"] == "worse").all()
    drafted = [s for s in r.suggestions if s.metrics == ("satisfaction_rate",) and s.scope == "center"]
    # the system trouble hit every team: a project comes first, then the center's own point beyond the limit
    teams = set(r.problems.loc[(r.problems["metric"] == "satisfaction_rate") & (r.problems["level"] == "team"),
                               "level_key"])
    assert len(teams) >= 3 and drafted[0].type == "project" and drafted[0].evidence["teams"] == sorted(teams)
    assert "corrective" in [s.type for s in drafted[1:]]
    assert say(drafted[0].title, "zh") != say(drafted[0].title, "en")
    con.close()
