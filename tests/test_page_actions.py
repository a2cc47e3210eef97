"""The Actions and Cycle review pages with AppTest: both languages, a draft
from a finding saved into the register, close and reopen, the cycle's agenda."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from qa_analytics import store
from qa_analytics.improvement import register as reg
from ui.actions import DRAFT

from conftest import app_page


@pytest.fixture
def db(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("QA_DB", str(path))
    return path


def _actions(path) -> list:
    con = store.connect(path, read_only=True)
    try:
        return reg.list_actions(con)
    finally:
        con.close()


@pytest.mark.parametrize("lang, title, verdict", [("zh", "改进措施登记", "验证结论"), ("en", "Improvement actions", "Verdict")])
def test_the_register_shows_the_demo_actions_with_verdicts(db, lang, title, verdict):
    at = app_page("pages/actions.py", lang)
    assert at.title[0].value == title
    table = at.dataframe[0].value
    assert verdict in table.columns and len(table) == sum(a.status == "open" for a in _actions(db))
    # the first open action is shown with its verification in words
    assert any(b.value.startswith("#") for b in [*at.success, *at.warning, *at.info, *at.error])


def test_a_draft_from_a_finding_is_saved_with_its_evidence_then_closed_and_reopened(db):
    from qa_analytics.analytics.metrics import get_metric
    from qa_analytics.improvement import suggest

    episode = {"start": dt.date(2026, 4, 20), "end": dt.date(2026, 4, 20), "rule": 1, "kind": "limits",
               "assessment": "worse", "text": "below the lower control limit"}
    s = suggest.from_episode(get_metric("satisfaction_rate"), episode, level="center", grain="week",
                             point={"value": 0.6, "center": 0.85, "lcl": 0.8, "ucl": 0.9})
    before = len(_actions(db))
    at = app_page("pages/actions.py", "en")
    at.session_state[DRAFT] = s.draft("en")
    at.run()
    assert at.expander[0].label.startswith("Action drafted from a finding")
    assert at.text_input[0].value == s.draft("en")["title"]
    save = next(b for b in at.button if b.label == "Save")
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = _actions(db)
    assert len(after) == before + 1
    new = after[-1] if after[-1].id == max(a.id for a in after) else max(after, key=lambda a: a.id)
    assert (new.type, new.trigger, new.scope, new.metrics) == ("corrective", "signal", "center", ("satisfaction_rate",))
    assert new.evidence["rule"] == 1 and new.evidence["end"] == "2026-04-20"
    assert DRAFT not in at.session_state
    # close it from its page, then reopen it
    at.query_params["act"] = str(new.id)
    at.run()
    next(b for b in at.button if b.label == "Close it").click().run()
    assert not at.exception
    con = store.connect(db, read_only=True)
    assert reg.get_action(con, new.id).status == "closed"
    con.close()
    next(b for b in at.button if b.label == "Reopen").click().run()
    con = store.connect(db, read_only=True)
    closed_then_open = reg.action_history(con, new.id)["status"].tolist()
    con.close()
    assert closed_then_open == ["open", "closed", "open"]


def test_a_refused_action_is_said_in_the_users_words(db):
    at = app_page("pages/actions.py", "zh")
    at.session_state[DRAFT] = {"type": "coaching", "title": "辅导", "scope": "agent", "scope_value": None,
                               "metrics": ("qa_mean_score",), "trigger": "evaluation", "evidence": {}}
    at.run()
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert any("坐席" in e.value for e in at.error)  # an agent action needs the agent


@pytest.mark.parametrize("lang, heading", [("zh", "上期"), ("en", "How the problems of")])
def test_the_cycle_review_lists_the_agenda(db, lang, heading):
    at = app_page("pages/cycle_review.py", lang, cr_start="2026-04-01")
    subheaders = [h.value for h in at.subheader]
    assert len(subheaders) == 4 and heading in subheaders[0]
    assert at.selectbox[0].value == dt.date(2026, 4, 1)
    # the trouble week's problems suggest actions, each with its draft button
    drafts = [b for b in at.button if b.label in ("起草措施", "Draft action")]
    assert drafts


def test_the_cycle_review_in_quarters(db):
    at = app_page("pages/cycle_review.py", "en", cr_grain="quarter")
    assert at.radio[0].value == "quarter"
    assert at.selectbox[0].value == dt.date(2026, 4, 1)
