"""The Drill-down page under AppTest: every level opens from the URL and from
the select boxes, in both languages; the filters change the numbers; an
evaluation revised after an appeal shows its history."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_drilldown import revise

from qa_analytics import store

from conftest import app_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/drilldown.py"
TEAM = "投诉处理组"
REVIEW_FILE = "申诉复核0701.xlsx"


@pytest.fixture(scope="module")
def db(demo_db_path, tmp_path_factory):
    """The demo database with one June evaluation of TEAM revised after an
    appeal (its largest deduction withdrawn)."""
    path = tmp_path_factory.mktemp("drill") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    con = store.connect(path)
    key, agent, score = con.execute(
        """SELECT record_key, agent_id, total_score FROM monitoring m
           WHERE team = ? AND eval_date >= DATE '2026-06-01' AND NOT critical_error AND appeal_status IS NULL
             AND EXISTS (SELECT 1 FROM monitoring_item i WHERE i.record_key = m.record_key AND i.points <= -3)
           ORDER BY record_key LIMIT 1""",
        [TEAM],
    ).fetchone()
    item, pts = con.execute(
        "SELECT item, points FROM monitoring_item WHERE record_key = ? ORDER BY points, item LIMIT 1", [key]
    ).fetchone()
    revise(con, key, score - pts, "申诉成功", {item: 0.0}, REVIEW_FILE)
    con.close()
    return {"path": path, "key": key, "agent": agent, "before": score, "after": score - pts, "item": item}


def open_page(db, monkeypatch, lang="zh", **params):
    monkeypatch.setenv("QA_DB", str(db["path"]))
    return app_page(PAGE, lang, **params)


def widget(at, kind: str, prefix: str):
    found = [w for w in getattr(at, kind) if w.key and w.key.startswith(prefix)]
    assert found, f"no {kind} with a key starting {prefix!r}"
    return found[0]


def card(at, label_part: str) -> str:
    return next(m.value for m in at.metric if label_part in m.label)


def current_crumb(at) -> str:
    """The breadcrumb of the level shown (bold, not a button)."""
    return [m.value for m in at.markdown if m.value.startswith("**")][0].strip("*").replace("\\", "")


def crumbs(at) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("dd_crumb_")]


EVALUATIONS = {"zh": "质检量", "en": "Evaluations"}
CENTER = {"zh": "中心", "en": "Center"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_center_level(db, monkeypatch, lang):
    at = open_page(db, monkeypatch, lang)
    assert at.title[0].value == ("逐级下钻" if lang == "zh" else "Drill-down")
    assert current_crumb(at) == CENTER[lang] and crumbs(at) == []
    assert len(at.metric) == 5
    assert int(card(at, EVALUATIONS[lang]).replace(",", "")) > 10_000
    team_pick = widget(at, "selectbox", "dd_pick_team")
    assert TEAM in team_pick.options
    heads = " ".join(s.value for s in at.subheader)
    assert ("各班组" if lang == "zh" else "by team") in heads
    assert ("扣分最多" if lang == "zh" else "cost the most points") in heads
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 50  # the newest page of the list


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_select_boxes_walk_down_and_breadcrumbs_walk_back(db, monkeypatch, lang):
    at = open_page(db, monkeypatch, lang)
    center_n = int(card(at, EVALUATIONS[lang]).replace(",", ""))
    widget(at, "selectbox", "dd_pick_team").select(TEAM).run()
    assert not at.exception
    assert at.query_params["team"] == TEAM
    assert current_crumb(at) == TEAM and crumbs(at) == [CENTER[lang]]
    team_n = int(card(at, EVALUATIONS[lang]).replace(",", ""))
    assert 0 < team_n < center_n
    assert ("班组内各坐席" if lang == "zh" else "Agents of the team") in at.subheader[0].value

    agent_pick = widget(at, "selectbox", "dd_pick_agent")
    agent = db["agent"]
    agent_pick.select(agent).run()
    assert not at.exception
    assert at.query_params["agent"] == agent
    assert agent in current_crumb(at) and crumbs(at) == [CENTER[lang], TEAM]
    agent_n = int(card(at, EVALUATIONS[lang]).replace(",", ""))
    assert 0 < agent_n < team_n
    # the agent against the team, in one sentence
    sentence = (at.warning or at.info or at.success)[0].value
    assert agent in sentence

    eval_pick = widget(at, "selectbox", "dd_pick_eval")
    first = eval_pick.options[0]
    eval_pick.select_index(0).run()
    assert not at.exception
    assert at.query_params["eval"].startswith("id:")
    assert current_crumb(at) in first and len(crumbs(at)) == 3
    assert ("质检记录" if lang == "zh" else "Evaluation") in at.subheader[0].value

    # back to the team, then to the center
    at.button(key="dd_crumb_1").click().run()
    assert not at.exception
    assert current_crumb(at) == TEAM and "agent" not in at.query_params and "eval" not in at.query_params
    at.button(key="dd_crumb_0").click().run()
    assert not at.exception
    assert current_crumb(at) == CENTER[lang] and "team" not in at.query_params


def test_each_level_opens_from_the_url(db, monkeypatch):
    at = open_page(db, monkeypatch, "en", team=TEAM)
    assert current_crumb(at) == TEAM
    # an agent alone: the team is filled in
    at = open_page(db, monkeypatch, "en", agent=db["agent"])
    assert db["agent"] in current_crumb(at) and crumbs(at) == ["Center", TEAM]
    assert at.query_params["team"] == TEAM
    # an evaluation alone: its team and agent are filled in
    at = open_page(db, monkeypatch, "en", eval=db["key"])
    assert crumbs(at)[:2] == ["Center", TEAM] and db["agent"] in crumbs(at)[2]
    assert current_crumb(at) == db["key"].removeprefix("id:")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_revised_evaluation_shows_its_history(db, monkeypatch, lang):
    at = open_page(db, monkeypatch, lang, eval=db["key"])
    summary = at.warning[0].value
    assert REVIEW_FILE in summary and f"{db['before']:.1f} → {db['after']:.1f}" in summary
    history = at.dataframe[-1].value
    assert len(history) == 1
    row = history.iloc[0].astype(str).tolist()
    assert f"{db['before']:.1f} → {db['after']:.1f}" in row
    assert any(db["item"] in cell and "→ 0" in cell for cell in row)
    assert any(REVIEW_FILE in cell for cell in row)
    score = at.metric[0].value
    assert score == f"{db['after']:.1f}"
    # its items: the withdrawn deduction is now 0
    items = at.dataframe[0].value
    item_col = "扣分项" if lang == "zh" else "Item"
    lost_col = "扣分" if lang == "zh" else "Points lost"
    assert items.set_index(item_col).loc[db["item"], lost_col] == 0


def test_unrevised_evaluation_says_so(db, monkeypatch):
    con = store.connect(db["path"])
    (key,) = con.execute(
        "SELECT record_key FROM monitoring WHERE record_key NOT IN (SELECT record_key FROM monitoring_history) "
        "ORDER BY eval_date, record_key LIMIT 1"
    ).fetchone()
    con.close()
    at = open_page(db, monkeypatch, "en", eval=key)
    assert any("has not been changed" in c.value for c in at.caption)


def test_filters_change_the_numbers(db, monkeypatch):
    at = open_page(db, monkeypatch, "en", team=TEAM)
    six = card(at, "Evaluations")
    at.selectbox(key="f_period").select("last_month").run()
    assert not at.exception
    one = card(at, "Evaluations")
    assert int(one.replace(",", "")) < int(six.replace(",", ""))
    assert at.query_params["team"] == TEAM  # the drill state survives the filter
    # last month has a previous month: the cards say whether the change is real
    assert all(m.value != "—" for m in at.metric)
    at.selectbox(key="f_channel").select("chat").run()
    assert not at.exception
    assert card(at, "Evaluations") != one


def test_metric_choice_is_kept_in_the_url(db, monkeypatch):
    at = open_page(db, monkeypatch, "en")
    at.radio(key="dd_metric").set_value("critical_error_rate").run()
    assert not at.exception
    assert at.query_params["dd_metric"] == "critical_error_rate"
    assert "Critical error rate by team" == at.subheader[0].value
    at = open_page(db, monkeypatch, "en", dd_metric="satisfaction_rate", team=TEAM)
    assert at.subheader[0].value == "Agents of the team: Satisfaction rate"


def test_unknown_values_say_so_and_fall_back(db, monkeypatch):
    at = open_page(db, monkeypatch, "zh", team="不存在的组")
    assert "不存在的组" in at.warning[0].value and current_crumb(at) == "中心"
    at = open_page(db, monkeypatch, "en", eval="id:nothing")
    assert "id:nothing" in at.warning[0].value and current_crumb(at) == "Center"
    at = open_page(db, monkeypatch, "en", agent="nobody")
    assert "nobody" in at.warning[0].value


def test_masked_names_in_breadcrumbs_and_lists(db, monkeypatch):
    con = store.connect(db["path"])  # same configuration as the app's open connection
    name = con.execute("SELECT agent_name FROM roster WHERE agent_id = ?", [db["agent"]]).fetchone()[0]
    con.close()
    at = open_page(db, monkeypatch, "zh", agent=db["agent"], mask="1")
    assert name not in current_crumb(at) and "坐席 #" in current_crumb(at)
    texts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [w.value for w in at.info]
    assert not any(name in x for x in texts)


def test_empty_database_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Import" in at.info[0].value


def test_presentation_mode_shows_fewer_controls(db, monkeypatch):
    at = open_page(db, monkeypatch, "zh", team=TEAM, present="1")
    assert current_crumb(at) == TEAM
    assert not [s for s in at.selectbox if s.key and s.key.startswith("dd_pick")]
    assert not [n for n in at.number_input if n.key and n.key.startswith("dd_page")]
    assert len(at.metric) == 5
