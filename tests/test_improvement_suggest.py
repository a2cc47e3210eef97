"""From signal to action: which findings suggest which kind of action."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from qa_analytics.analytics.metrics import get_metric
from qa_analytics.core.codes import say
from qa_analytics.improvement import suggest

QA = get_metric("qa_mean_score")


def _episode(kind: str, assessment: str = "worse", rule: int = 1, **kw) -> dict:
    return {"start": pd.Timestamp("2026-05-04"), "end": pd.Timestamp("2026-05-11"), "rule": rule, "kind": kind,
            "assessment": assessment, "direction": -1, "text": "below the lower control limit", **kw}


@pytest.mark.parametrize("kind, expected", [("limits", "corrective"), ("run", "preventive"), ("zone", "preventive")])
def test_a_worse_signal_suggests_its_kind_of_action(kind, expected):
    s = suggest.from_episode(QA, _episode(kind), level="team", key="一组", grain="week",
                             point={"value": 81.0, "center": 86.0, "lcl": 82.0, "ucl": 90.0})
    assert s.type == expected and s.scope == "team" and s.scope_value == "一组" and s.metrics == ("qa_mean_score",)
    assert s.evidence["rule"] == 1 and s.evidence["end"] == "2026-05-11" and s.evidence["lcl"] == 82.0
    json.dumps(s.evidence)  # stored with the action as JSON
    draft = s.draft("zh")
    assert draft["type"] == expected and "一组" in draft["title"] and draft["measures"] == say(s.why, "zh")
    assert say(s.why, "en") != say(s.why, "zh")
    # an excursion stays out of the before window; a run is the state the action means to change
    assert ("before" in draft) == (kind == "limits")
    if kind == "limits":
        assert draft["before"] == (None, pd.Timestamp("2026-05-03").date())


def test_a_signal_of_improvement_suggests_nothing():
    assert suggest.from_episode(QA, _episode("limits", "better"), level="center") is None


def _alerts(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(level, unit, kind) rows of worse qa_mean_score alerts, as signals_for_alerts returns them."""
    out = []
    for i, (level, unit, kind) in enumerate(rows):
        out.append({"metric": QA.id, "metric_name": QA, "level": level, "level_key": unit,
                    "start": pd.Timestamp("2026-03-02") + pd.Timedelta(weeks=i),
                    "period": pd.Timestamp("2026-03-09") + pd.Timedelta(weeks=i), "rule": 1, "kind": kind,
                    "direction": -1, "assessment": "worse", "value": 80.0, "center": 86.0, "lcl": 82.0,
                    "ucl": 90.0, "chart": "xbar_s", "text": "below"})
    return pd.DataFrame(out)


def test_the_same_problem_in_several_teams_is_a_project_first():
    out = suggest.from_alerts(_alerts([("team", "一组", "limits"), ("team", "二组", "run"), ("team", "三组", "limits")]))
    assert out[0].type == "project" and out[0].scope == "center" and out[0].evidence["teams"] == ["一组", "三组", "二组"]
    assert [s.type for s in out[1:]] == ["corrective", "preventive", "corrective"]
    assert "3" in say(out[0].title, "en") and "3 个班组" in say(out[0].title, "zh")


def test_the_same_problem_again_and_again_in_one_unit_is_a_project():
    out = suggest.projects_from_alerts(_alerts([("team", "一组", "limits")] * 3 + [("team", "二组", "limits")]))
    assert len(out) == 1 and out[0].scope == "team" and out[0].scope_value == "一组"
    assert out[0].evidence["episodes"] == 3
    assert suggest.projects_from_alerts(_alerts([("team", "一组", "limits")] * 2)) == []


def _pareto(lost: dict[str, int], applicable: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"item": list(lost), "evaluations_with_loss": list(lost.values()),
                         "evaluations_applicable": [applicable[k] for k in lost]})


def test_coaching_on_an_item_the_agent_loses_more_often_than_the_team():
    agent = _pareto({"礼貌用语": 9, "核实身份": 3}, {"礼貌用语": 20, "核实身份": 20})
    team = _pareto({"礼貌用语": 9 + 20, "核实身份": 3 + 30}, {"礼貌用语": 200, "核实身份": 200})
    out = suggest.coaching_from_items("A01", "王芳", agent, team)
    assert [s.evidence["item"] for s in out] == ["礼貌用语"]  # 3/20 is what the team loses too (30/180)
    s = out[0]
    assert s.type == "coaching" and s.scope == "agent" and s.scope_value == "A01"
    assert s.metrics == ("item_rate:礼貌用语",)
    # scipy: binomtest(9, 20, p=(20 + 0.5) / (180 + 1), alternative="greater")
    assert s.evidence["p_value"] == pytest.approx(binomtest(9, 20, 20.5 / 181, alternative="greater").pvalue)
    assert "王芳" in say(s.title, "zh") and "9 of 20" in say(s.why, "en")


def test_coaching_needs_repeated_losses():
    agent = _pareto({"礼貌用语": 2}, {"礼貌用语": 2})
    team = _pareto({"礼貌用语": 2}, {"礼貌用语": 200})
    assert suggest.coaching_from_items("A01", "王芳", agent, team) == []


def test_coaching_is_rarely_suggested_when_every_agent_loses_at_the_same_rate():
    """Simulation: 12 agents x 6 items at one common loss rate per item; the
    share of agents told to be coached on some item stays near the nominal level."""
    rng = np.random.default_rng(11)
    flagged = runs = 0
    for _ in range(150):
        rates = rng.uniform(0.05, 0.35, size=6)
        n = rng.integers(10, 40, size=(12, 6))
        lost = rng.binomial(n, rates)
        items = [f"item{j}" for j in range(6)]
        team = _pareto(dict(zip(items, lost.sum(0).tolist())), dict(zip(items, n.sum(0).tolist())))
        for a in range(12):
            agent = _pareto(dict(zip(items, lost[a].tolist())), dict(zip(items, n[a].tolist())))
            flagged += bool(suggest.coaching_from_items(f"A{a}", f"A{a}", agent, team))
            runs += 1
    assert flagged / runs < 0.06


def test_coaching_finds_the_agent_who_really_loses_more():
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(100):
        n = rng.integers(25, 40, size=12)
        lost = rng.binomial(n, 0.1)
        lost[0] = rng.binomial(n[0], 0.45)
        team = _pareto({"x": int(lost.sum())}, {"x": int(n.sum())})
        agent = _pareto({"x": int(lost[0])}, {"x": int(n[0])})
        found += bool(suggest.coaching_from_items("A0", "A0", agent, team))
    assert found >= 90


def test_a_lenient_evaluator_suggests_a_calibration_the_others_nothing():
    from qa_analytics.analytics.evaluators import LENIENCY_CODES

    row = {"evaluator": "周凯", "label": "lenient", "mean_diff": 4.2, "p_value": 0.001, "cells": 30,
           "ci_low": 2.0, "ci_high": 6.4}
    s = suggest.from_leniency(row, LENIENCY_CODES["lenient"])
    assert s.type == "corrective" and s.scope == "evaluator" and s.scope_value == "周凯"
    assert "+4.2" in say(s.why, "en") and "周凯" in say(s.title, "zh")
    json.dumps(s.evidence)
    assert suggest.from_leniency({**row, "label": "in line"}, LENIENCY_CODES["in line"]) is None


def test_a_corrective_action_after_a_one_off_excursion_is_not_credited_with_the_return_to_normal(tmp_path):
    """Regression to the mean, simulated: 20 agents scored every day for 200
    days, one week 15 points down for everyone (a one-off excursion), nothing
    changed after.  Judged against a before window that holds the excursion
    (the register's default), the action looks effective nearly every time;
    with the draft's window, which ends the day before the excursion, it is
    found effective at about the nominal rate."""
    import datetime as dt

    from qa_analytics import store
    from qa_analytics.improvement import register as reg
    from qa_analytics.improvement.verify import verify_action

    from conftest import insert_rows

    start, dip = dt.date(2026, 1, 1), dt.date(2026, 4, 6)  # a Monday
    naive = drafted = 0
    seeds = range(20)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        skill = rng.normal(0, 3, size=20)
        rows = []
        for day in range(200):
            d = start + dt.timedelta(days=day)
            shock = -15.0 if dip <= d < dip + dt.timedelta(days=7) else 0.0
            for a in range(20):
                rows.append({"eval_date": d, "agent_id": f"A{a}", "team": "T", "channel": "voice",
                             "critical_error": False,
                             "total_score": float(np.clip(85 + skill[a] + shock + rng.normal(0, 6), 0, 100))})
        con = store.connect(tmp_path / f"c{seed}.duckdb")
        insert_rows(con, "monitoring", rows)
        episode = {"start": pd.Timestamp(dip), "end": pd.Timestamp(dip), "rule": 1, "kind": "limits",
                   "assessment": "worse", "text": "below"}
        s = suggest.from_episode(QA, episode, level="center", grain="week")
        opened = dip + dt.timedelta(days=7)
        draft = s.draft("en")
        a1 = reg.create_action(con, **draft, opened=opened)
        a2 = reg.create_action(con, **{k: v for k, v in draft.items() if k != "before"}, opened=opened)
        assert a1.before_to == dip - dt.timedelta(days=1) and a2.before_to == opened - dt.timedelta(days=1)
        drafted += verify_action(con, a1.id, as_of=dt.date(2026, 12, 1)).verdict == "effective"
        naive += verify_action(con, a2.id, as_of=dt.date(2026, 12, 1)).verdict == "effective"
        con.close()
    assert naive >= 16  # the bias the draft's window removes
    assert drafted <= 3  # nominal 5%: P(X >= 4 | n = 20, p = 0.05) = 0.016
