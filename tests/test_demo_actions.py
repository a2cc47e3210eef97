"""The demo's improvement register: the verdicts come out of the planted data."""

from __future__ import annotations

import datetime as dt

import pytest

from qa_analytics import store
from qa_analytics.demo.generate import demo_facts
from qa_analytics.demo.load import load_demo
from qa_analytics.improvement import register as reg
from qa_analytics.improvement.verify import verify_action

END = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("demo_actions") / "d.duckdb")
    counts = load_demo(con, months=18, seed=7, end=END)
    yield con, counts
    con.close()


def by_title(con, words: str) -> reg.Action:
    (a,) = [a for a in reg.list_actions(con) if words in a.title]
    return a


def test_the_training_is_effective_the_script_change_is_not_and_one_action_is_overdue(demo):
    con, counts = demo
    facts = demo_facts(months=18, end=END)
    assert counts["actions"] == 6
    as_of = END + dt.timedelta(days=1)
    trained = by_title(con, "专项培训")
    assert (trained.scope_value, trained.done) == (facts["trained_team"], facts["training_date"])
    v = verify_action(con, trained, as_of=as_of)
    assert v.verdict == "effective"
    assert v.rows.set_index("metric").loc["qa_mean_score", "did"] > 0.5 * facts["training_score_step"]
    assert verify_action(con, by_title(con, "话术调整"), as_of=as_of).verdict == "no_effect"
    overdue = [a for a in reg.list_actions(con) if reg.is_overdue(a, END)]
    assert [a.title for a in overdue] == [by_title(con, "校准").title]
    project = by_title(con, "改进项目")
    held = reg.list_actions(con, parent_id=project.id)
    assert {a.type for a in held} == {"preventive", "coaching"}
    assert {a.scope_value for a in held} == {facts["drifting_agent_id"]}
    assert {a.source for a in reg.list_actions(con)} == {"demo"}


def test_clearing_the_demo_clears_its_actions(demo):
    con, _ = demo
    store.clear_demo_data(con)
    assert reg.list_actions(con) == []


def test_without_patterns_no_actions_are_claimed(tmp_path):
    con = store.connect(tmp_path / "n.duckdb")
    assert load_demo(con, months=4, seed=2, end=END, patterns=False)["actions"] == 0
    assert reg.list_actions(con) == []
    con.close()


@pytest.mark.parametrize("months", [1, 2, 3, 4])
def test_a_short_demo_records_only_the_actions_its_data_can_hold(tmp_path, months):
    """Every window of every recorded action lies in order; a demo too short for
    the training or the script change leaves them out instead of failing."""
    import datetime as dt

    from qa_analytics import store
    from qa_analytics.demo.load import load_demo
    from qa_analytics.improvement import register as reg

    con = store.connect(tmp_path / "d.duckdb")
    counts = load_demo(con, months=months, seed=2, end=dt.date(2026, 6, 30))
    actions = reg.list_actions(con)
    assert counts["actions"] == len(actions) >= 1
    for a in actions:
        assert a.before_from <= a.before_to and a.after_from <= a.after_to
    con.close()
