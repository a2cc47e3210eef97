"""The demo's planted patterns are found by the analytics a user reads, and
are not found in the same center generated without them (issue 10).

Two databases from one seed: the demo as shipped, and ``patterns=False`` (the
same agents, evaluators and events, none of the planted effects). Each test
asks the library function behind a page the question a user would, where
:func:`demo_facts` says the answer is, in both.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.analytics import metric_spc
from qa_analytics.core.codes import say
from qa_analytics.demo.generate import demo_facts
from qa_analytics.demo.load import load_demo
from qa_analytics.views import overview, review

END = dt.date(2026, 6, 30)
MONTHS = 18
START = dt.date(2025, 1, 1)
FACTS = demo_facts(MONTHS, end=END)


@pytest.fixture(scope="module", params=[True, False], ids=["planted", "without_patterns"])
def center(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("findings") / "demo.duckdb"
    con = store.connect(path)
    load_demo(con, months=MONTHS, seed=7, end=END, patterns=request.param)
    yield request.param, con
    con.close()


def test_the_trained_teams_improvement_is_significant(center):
    planted, con = center
    training, team = FACTS["training_date"], FACTS["trained_team"]
    after = (training, training + dt.timedelta(days=90))
    before = (training - dt.timedelta(days=91), training - dt.timedelta(days=1))
    cards = overview.headline(con, *after, team=team, compare_from=before[0], compare_to=before[1]).set_index("metric")
    if planted:
        assert cards.loc["qa_mean_score", "verdict"] == "better"
        assert cards.loc["critical_error_rate", "verdict"] == "better"
    else:
        assert not cards["verdict"].isin(["better", "worse"]).any(), cards["verdict"].to_dict()


def test_the_lenient_evaluator_is_flagged(center):
    planted, con = center
    labels = review.leniency_review(con, START, END).set_index("evaluator")["label"]
    if planted:
        assert labels[FACTS["lenient_evaluator"]] == "lenient"
        # and only them: the lenient one does not make a colleague look severe
        assert set(labels[labels.isin(["lenient", "severe"])].index) == {FACTS["lenient_evaluator"]}, labels.to_dict()
    else:
        # the others' small personal offsets (under a point) are real, but not a finding
        assert not labels.isin(["lenient", "severe"]).any(), labels.to_dict()


def test_the_drifting_agent_is_signalled(center):
    planted, con = center
    chart = metric_spc.indicator_control_chart(con, "qa_mean_score", level="agent",
                                               key=FACTS["drifting_agent_id"], grain="month")
    drift = pd.Timestamp(FACTS["drift_start"])
    worse = [e for e in chart.episodes if e["assessment"] == "worse" and e["end"] >= drift]
    if planted:
        assert worse, [say(e["text"], "en") for e in chart.episodes]
    else:
        assert not worse, [say(e["text"], "en") for e in worse]


def test_the_week_of_system_trouble_is_found(center):
    planted, con = center
    alerts = metric_spc.signals_for_alerts(con, START, END, level="center", grain="week")
    week = pd.Timestamp(FACTS["trouble_week_start"])  # a Monday: the week's period
    hits = alerts[(alerts["metric"] == "satisfaction_rate") & (alerts["period"] == week)]
    if planted:
        assert (hits["assessment"] == "worse").any(), [(m, str(t)) for m, t in zip(alerts["metric"], alerts["text"])]
    else:
        assert hits.empty, [say(t, "en") for t in hits["text"]]


@pytest.mark.parametrize("grain", ["week", "month"])
def test_nothing_else_is_alerted_at_center_level(center, grain):
    """The Overview's alerts (spc.ALERT_RULES over every chart and period of
    the list): the center without the patterns raises none, over 18 months of
    weeks or months; the planted one still raises the week of trouble
    (test_the_week_of_system_trouble_is_found)."""
    planted, con = center
    alerts = metric_spc.signals_for_alerts(con, START, END, level="center", grain=grain)
    if planted:
        assert grain == "month" or (alerts["metric"] == "satisfaction_rate").any()
    else:
        assert alerts.empty, [(m, c, say(t, "en")) for m, c, t in zip(alerts["metric"], alerts["chart"], alerts["text"])]
