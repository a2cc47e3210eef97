"""The Control charts page with AppTest: both languages, the selectors change
the chart, the demo's planted signals are written out, state in the URL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics.demo.generate import demo_facts

from conftest import app_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/control_charts.py"
FACTS = demo_facts(6, dt.date(2026, 6, 30))


@pytest.fixture(scope="module")
def db(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("cc") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    return path


def open_page(lang: str, db_path, monkeypatch, **params):
    monkeypatch.setenv("QA_DB", str(db_path))
    return app_page(PAGE, lang, **params)


def headline(at: AppTest) -> str:
    boxes = [*at.warning, *at.info, *at.success]
    return " ".join(b.value for b in boxes)


def signal_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith((":red[", ":green[", ":orange["))]


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def ys(v) -> list:
    """A trace's values: plotly writes numeric arrays as base64 ``{"dtype", "bdata"}``."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


@pytest.mark.parametrize("lang, title, word", [("zh", "控制图", "为什么用这种图"), ("en", "Control charts", "Why this chart")])
def test_renders_in_both_languages(lang, title, word, db, monkeypatch):
    at = open_page(lang, db, monkeypatch)
    assert at.title[0].value == title
    assert any(word in s.value for s in at.subheader)
    # why this chart: the x-bar/S chart of a mean score
    reason = at.info[-1].value
    assert ("X̄–S" in reason) and (("均值" in reason) if lang == "zh" else ("mean" in reason))
    # the x-bar chart, and beneath it its S chart (issue 10): the spread of the scores per period
    charts = at.get("plotly_chart")
    assert [c.key for c in charts] == ["cc_chart_fig", "cc_spread_fig"]
    names = {tr.get("name") for tr in figure(at)["data"]}
    assert ("上控制限" in names or "Upper limit" in names)


@pytest.mark.parametrize("lang, week, words", [
    ("zh", "2026年第17周", "低于下控制限"), ("en", "W17 2026", "below the lower control limit"),
])
def test_trouble_week_signal_is_written_out(lang, week, words, db, monkeypatch):
    at = open_page(lang, db, monkeypatch)
    before = headline(at)
    at.selectbox(key="cc_cc_metric").set_value("satisfaction_rate").run()
    at.selectbox(key="f_grain").set_value("week").run()
    assert not at.exception
    assert at.query_params["cc_metric"] == "satisfaction_rate"
    assert at.query_params["grain"] == "week"
    text = headline(at)
    assert text != before
    assert week in text and words in text
    assert any(week in line and words in line for line in signal_lines(at))
    assert "Laney" in at.info[-1].value


def test_level_team_and_baseline_show_the_training_run(db, monkeypatch):
    team, training = FACTS["trained_team"], FACTS["training_date"]
    at = open_page("zh", db, monkeypatch, grain="week")
    values_center = ys([tr for tr in figure(at)["data"] if tr.get("name") == "实际值"][0]["y"])
    at.radio(key="cc_cc_level").set_value("team").run()
    at.selectbox(key="cc_team").set_value(team).run()
    assert not at.exception
    values_team = ys([tr for tr in figure(at)["data"] if tr.get("name") == "实际值"][0]["y"])
    assert values_team != values_center
    at.selectbox(key="cc_base_mode").set_value("date").run()
    at.date_input(key="cc_base_date").set_value(training).run()
    assert not at.exception
    assert at.query_params["cc_base"] == f"d{training.isoformat()}"
    assert at.query_params["team"] == team
    lines = signal_lines(at)
    assert any("连续9点落在中心线上方" in s and "向好" in s for s in lines), lines
    assert "基线期" in json.dumps(figure(at)["layout"], ensure_ascii=False)


def test_state_in_the_url_reopens_the_view(db, monkeypatch):
    team = FACTS["trained_team"]
    at = open_page("en", db, monkeypatch, cc_level="team", team=team, grain="week", cc_base="k8",
                   cc_rules="western_electric", cc_chart="xmr")
    assert at.radio(key="cc_cc_level").value == "team"
    assert at.selectbox(key="cc_team").value == team
    assert at.selectbox(key="cc_cc_chart").value == "xmr"
    assert at.radio(key="cc_cc_rules").value == "western_electric"
    assert at.number_input(key="cc_base_k").value == 8
    title = figure(at)["layout"]["title"]["text"]
    assert team in title and "XmR" in title
    assert "automatic choice" in at.info[-1].value


def test_agent_level_lists_the_teams_agents(db, monkeypatch):
    agent, team = FACTS["drifting_agent_id"], FACTS["drifting_agent_team"]
    at = open_page("en", db, monkeypatch, cc_level="agent", team=team)
    options = at.selectbox(key="cc_agent").options
    assert any(agent in o for o in options)
    at.selectbox(key="cc_agent").set_value(agent).run()
    assert not at.exception
    assert at.query_params["agent"] == agent
    assert FACTS["drifting_agent_name"] in figure(at)["layout"]["title"]["text"]


def test_chart_type_choice_changes_the_limits(db, monkeypatch):
    at = open_page("en", db, monkeypatch)
    ucl = ys([tr for tr in figure(at)["data"] if tr.get("name") == "Upper limit"][0]["y"])
    at.selectbox(key="cc_cc_chart").set_value("xmr").run()
    ucl2 = ys([tr for tr in figure(at)["data"] if tr.get("name") == "Upper limit"][0]["y"])
    assert ucl2 != ucl
    assert at.query_params["cc_chart"] == "xmr"


def test_presentation_mode_shows_the_chart_without_knobs(db, monkeypatch):
    at = open_page("zh", db, monkeypatch, present="1")
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("expandable")) == 0


@pytest.mark.parametrize("lang, words", [("zh", "没有"), ("en", "no data")])
def test_empty_database_says_what_to_do(lang, words, tmp_path, monkeypatch):
    at = open_page(lang, tmp_path / "empty.duckdb", monkeypatch)
    assert words in at.info[0].value


def test_opens_at_the_team_another_page_chose(db, monkeypatch):
    team = FACTS["trained_team"]
    at = open_page("en", db, monkeypatch, team=team)
    assert at.radio(key="cc_cc_level").value == "team"
    assert at.selectbox(key="cc_team").value == team
    at.radio(key="cc_cc_level").set_value("center").run()
    assert "cc_level" not in at.query_params and team not in figure(at)["layout"]["title"]["text"]
