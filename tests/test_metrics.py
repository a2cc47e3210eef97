"""Tests for qa_analytics.analytics.metrics on small hand-computed fixtures.

Outside references: the Wilson interval is pinned to R
``prop.test(x, n, correct = FALSE)$conf.int`` (= ``binom::binom.wilson``),
the t interval to R ``t.test(1:4)$conf.int``.  Every other expected number
is computed by hand in the comment above its assertion.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.analytics import metrics as M
from qa_analytics.core.periods import period_start

from conftest import insert_rows as add

D = dt.date


# --------------------------------------------------------------------------
# fixture helpers
# --------------------------------------------------------------------------



def mon(key, d, agent, team, channel, score, critical, **kw):
    return dict(record_key=key, eval_id=key, eval_date=d, agent_id=agent, team=team, channel=channel,
                total_score=score, critical_error=critical, **kw)


def sv(d, agent, team, channel, rating, satisfaction):
    return dict(survey_date=d, agent_id=agent, team=team, channel=channel,
                rating="" if rating is None else str(rating), rating_score=rating, satisfaction=satisfaction)


def ct(d, tester_type, agent, team, score, passed, external=None):
    return dict(test_date=d, tester_type=tester_type, agent_id=agent, team=team, score=score, passed=passed,
                is_external=external if external is not None else tester_type == "third_party")


def build(con) -> None:
    """The shared fixture (see the module docstring of each test for the numbers).

    Roster: A1, A2 in T1; A3 in T2; A4 in T1 until 2025-01-31, T2 from 2025-02-01
    (the T1 version is in roster_history).
    """
    add(con, "roster", [
        dict(record_key="nk:A1", agent_id="A1", team="T1", hire_date=D(2020, 1, 1)),
        dict(record_key="nk:A2", agent_id="A2", team="T1", hire_date=D(2020, 1, 1)),
        dict(record_key="nk:A3", agent_id="A3", team="T2", hire_date=D(2020, 1, 1)),
        dict(record_key="nk:A4", agent_id="A4", team="T2", hire_date=D(2020, 1, 1), effective_date=D(2025, 2, 1)),
    ])
    con.execute(
        """INSERT INTO roster_history (agent_id, team, hire_date, effective_date, record_key, row_hash,
               created_batch, batch_id, superseded_by, superseded_at)
           VALUES ('A4', 'T1', DATE '2020-01-01', NULL, 'nk:A4', 'h0', 1, 1, 2, TIMESTAMP '2025-02-01')"""
    )
    add(con, "monitoring", [
        mon("m1", D(2025, 1, 6), "A1", "T1", "voice", 90.0, False),
        mon("m2", D(2025, 1, 7), "A2", "T1", "voice", 80.0, True),
        mon("m3", D(2025, 1, 8), "A3", "T2", "voice", 70.0, False),
        mon("m4", D(2025, 1, 9), "A1", "T1", "chat", 60.0, False),
        mon("m5", D(2025, 1, 20), "A4", None, "voice", 100.0, False),  # team from roster: T1
        mon("m6", D(2025, 2, 3), "A4", None, "voice", 50.0, None),  # team from roster: T2
        mon("m7", D(2025, 2, 4), "A3", "T2", "voice", 90.0, False),
    ])
    add(con, "monitoring_item", [
        dict(record_key="m1", item="业务准确性", points=-5.0),
        dict(record_key="m1", item="服务态度", points=0.0),
        dict(record_key="m1", item="身份核实", points=None),  # not applicable
        dict(record_key="m2", item="业务准确性", points=-10.0),
        dict(record_key="m2", item="服务态度", points=-3.0),
        dict(record_key="m2", item="身份核实", points=-5.0),
        dict(record_key="m3", item="业务准确性", points=0.0),
        dict(record_key="m3", item="服务态度", points=0.0),
        dict(record_key="m3", item="身份核实", points=0.0),
    ])
    add(con, "survey", [
        sv(D(2025, 1, 10), "A1", "T1", "voice", 5, "satisfied"),
        sv(D(2025, 1, 11), "A1", "T1", "voice", 4, "satisfied"),
        sv(D(2025, 1, 12), "A2", "T1", "voice", 3, "neutral"),
        sv(D(2025, 1, 13), "A2", "T1", "voice", 1, "dissatisfied"),
        sv(D(2025, 1, 14), "A3", "T2", "chat", 5, "satisfied"),
        sv(D(2025, 1, 15), "A3", "T2", "voice", None, None),  # no rating
        sv(D(2025, 1, 25), "A4", None, "voice", 5, "satisfied"),  # T1 by the roster
        sv(D(2025, 2, 10), "A4", None, "voice", 2, "dissatisfied"),  # T2 by the roster
    ])
    add(con, "call_test", [
        ct(D(2025, 1, 5), "qa", "A1", "T1", 90.0, True),
        ct(D(2025, 1, 6), "qa", "A2", "T1", 70.0, False),
        ct(D(2025, 1, 7), "leadership", "A3", "T2", 85.0, True),
        ct(D(2025, 1, 8), "third_party", "A1", "T1", 88.0, True),
        ct(D(2025, 1, 9), "third_party", "A3", "T2", 72.0, False),
        ct(D(2025, 1, 10), "qa", "A3", "T2", None, None),
    ])
    add(con, "system_check", [
        dict(check_date=D(2025, 1, 31), system="CRM", availability_pct=99.9, incidents=1, score=98.0),
        dict(check_date=D(2025, 1, 31), system="IVR", availability_pct=99.5, incidents=3, score=90.0),
        dict(check_date=D(2025, 2, 28), system="CRM", availability_pct=100.0, incidents=0, score=100.0),
    ])


@pytest.fixture
def db():
    con = store.connect(":memory:")
    build(con)
    yield con
    con.close()


def row(df: pd.DataFrame, metric: str, key: str, period: str) -> pd.Series:
    sub = df[(df["metric"] == metric) & (df["level_key"] == key) & (df["period"] == pd.Timestamp(period))]
    assert len(sub) == 1, (metric, key, period, sub)
    return sub.iloc[0]


# --------------------------------------------------------------------------
# intervals, pinned to outside references
# --------------------------------------------------------------------------


def test_wilson_matches_r_prop_test():
    # R: prop.test(8, 10, correct = FALSE)$conf.int -> 0.4901625 0.9433178
    lo, hi = M.wilson_interval(8, 10)
    assert float(lo) == pytest.approx(0.4901625, abs=1e-6)
    assert float(hi) == pytest.approx(0.9433178, abs=1e-6)
    # R: prop.test(0, 10, correct = FALSE)$conf.int -> 0.0000000 0.2775328
    lo, hi = M.wilson_interval(0, 10)
    assert float(lo) == pytest.approx(0.0, abs=1e-9)
    assert float(hi) == pytest.approx(0.2775328, abs=1e-6)
    # R: prop.test(10, 10, correct = FALSE)$conf.int -> 0.7224672 1.0000000
    lo, hi = M.wilson_interval(10, 10)
    assert float(lo) == pytest.approx(0.7224672, abs=1e-6)
    assert float(hi) == pytest.approx(1.0, abs=1e-9)


def test_wilson_vectorised_and_empty():
    lo, hi = M.wilson_interval([8, 3, 0], [10, 5, 0])
    # 3/5: p = .6, z^2 = 3.8415; centre = (.6 + .38415)/1.7683 = .55655;
    # half = 1.96/1.7683 * sqrt(.048 + .038415) = .32583 -> (.2307, .8824)
    assert lo[1] == pytest.approx(0.2307, abs=1e-4)
    assert hi[1] == pytest.approx(0.8824, abs=1e-4)
    assert math.isnan(lo[2]) and math.isnan(hi[2])


def test_t_interval_matches_r_t_test():
    # R: t.test(1:4)$conf.int -> 0.4457397 4.5542603 (mean 2.5, sd 1.290994)
    lo, hi = M.t_interval(2.5, np.std([1, 2, 3, 4], ddof=1), 4)
    assert float(lo) == pytest.approx(0.4457397, abs=1e-6)
    assert float(hi) == pytest.approx(4.5542603, abs=1e-6)
    lo, hi = M.t_interval(5.0, 0.0, 1)
    assert math.isnan(float(lo))


# --------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------


def test_registry_has_the_named_metrics_in_both_languages():
    for mid in ("qa_mean_score", "critical_error_rate", "nonvoice_qa_score", "qa_call_test_pass_rate",
                "leadership_call_test_pass_rate", "third_party_score", "external_call_test_pass_rate",
                "satisfaction_rate", "dissatisfaction_rate", "system_availability", "system_incidents"):
        m = M.get_metric(mid)
        assert m.kind in ("rate", "mean", "count")
        assert m.direction in ("higher", "lower")
        assert m.name_en and m.name_zh and m.name("zh") == m.name_zh and m.name("en") == m.name_en
    assert M.get_metric("critical_error_rate").direction == "lower"
    assert M.get_metric("item:服务态度").kind == "mean"
    assert M.get_metric("item_rate:服务态度").kind == "rate"
    assert M.get_metric("item:服务态度").item == "服务态度"
    with pytest.raises(KeyError):
        M.get_metric("no_such_metric")
    with pytest.raises(KeyError):
        M.get_metric("item:")


def test_metric_expressions_do_not_reference_unit_columns():
    # the team-resolution query joins the roster (agent_id, team, valid_from, valid_to):
    # metric SQL must not use those names unqualified
    import re

    for m in M.METRICS.values():
        text = f"{m.value_sql} {m.where_sql or ''}"
        for name in ("agent_id", "team", "valid_from", "valid_to"):
            assert not re.search(rf"\b{name}\b", text), (m.id, name)


def test_catalog_lists_items_from_the_data(db):
    cat = M.metric_catalog(db, lang="en")
    assert {"item:业务准确性", "item_rate:身份核实", "qa_mean_score"} <= set(cat["metric"])
    assert list(cat.columns) == ["metric", "name", "name_en", "name_zh", "source", "kind", "direction",
                                 "unit", "levels", "description"]


# --------------------------------------------------------------------------
# metric_table
# --------------------------------------------------------------------------


def test_metric_table_columns_and_dtypes(db):
    t = M.metric_table(db, ["qa_mean_score"], "month", "team")
    assert list(t.columns) == list(M.METRIC_TABLE_COLUMNS)
    assert str(t["period"].dtype).startswith("datetime64")
    assert t["n"].dtype == "int64"


def test_monitoring_means_rates_by_team_month(db):
    t = M.metric_table(db, ["qa_mean_score", "critical_error_rate", "nonvoice_qa_score", "qa_evaluations"],
                       "month", "team")
    r = row(t, "qa_mean_score", "T1", "2025-01-01")
    # voice evaluations of T1 in January: m1 90, m2 80, m5 100 (A4: T1 by the roster) -> mean 90
    assert r["value"] == pytest.approx(90.0)
    assert r["n"] == 3
    # sd = sqrt((0^2 + 10^2 + 10^2) / 2) = 10
    assert r["sd"] == pytest.approx(10.0)
    # t interval: 90 +/- t(.975, 2) * 10 / sqrt(3) = 90 +/- 4.302653 * 5.773503 = 90 +/- 24.84138
    assert r["ci_low"] == pytest.approx(65.15862, abs=1e-4)
    assert r["ci_high"] == pytest.approx(114.84138, abs=1e-4)
    assert math.isnan(r["successes"])
    # T2 in February: m6 50 (A4 moved to T2 on Feb 1) and m7 90 -> 70
    assert row(t, "qa_mean_score", "T2", "2025-02-01")["value"] == pytest.approx(70.0)
    # T2 in January: m3 alone -> 70, n 1, no sd, no interval
    r = row(t, "qa_mean_score", "T2", "2025-01-01")
    assert (r["value"], r["n"]) == (70.0, 1) and math.isnan(r["sd"]) and math.isnan(r["ci_low"])
    # critical errors of T1 in January: m2 of {m1, m2, m4, m5} -> 1/4
    r = row(t, "critical_error_rate", "T1", "2025-01-01")
    assert (r["value"], r["n"], r["successes"]) == (0.25, 4, 1.0)
    # T2 in February: m6 has no flag (NULL, not counted), m7 no error -> 0/1
    r = row(t, "critical_error_rate", "T2", "2025-02-01")
    assert (r["value"], r["n"]) == (0.0, 1)
    # non-voice: m4 (chat, 60) only
    r = row(t, "nonvoice_qa_score", "T1", "2025-01-01")
    assert (r["value"], r["n"]) == (60.0, 1)
    assert row(t, "qa_evaluations", "T1", "2025-01-01")["value"] == 4
    # no non-voice evaluation in T2: no row at all
    assert t[(t["metric"] == "nonvoice_qa_score") & (t["level_key"] == "T2")].empty


def test_center_level_pools_everything(db):
    t = M.metric_table(db, ["qa_mean_score", "satisfaction_rate"], "month", "center")
    # January voice: 90, 80, 70, 100 -> 85
    r = row(t, "qa_mean_score", "center", "2025-01-01")
    assert (r["value"], r["n"]) == (85.0, 4)
    # January valid ratings: s1 s2 s3 s4 s5 s7 (s6 has none); satisfied s1 s2 s5 s7 -> 4/6
    r = row(t, "satisfaction_rate", "center", "2025-01-01")
    assert r["value"] == pytest.approx(4 / 6) and r["n"] == 6 and r["successes"] == 4


def test_survey_rates_with_wilson(db):
    t = M.metric_table(db, ["satisfaction_rate", "dissatisfaction_rate", "survey_mean_rating", "survey_responses"],
                       "month", "team")
    # T1 January: s1 5, s2 4, s3 3, s4 1, s7 5 (A4 via roster) -> satisfied 3 of 5
    r = row(t, "satisfaction_rate", "T1", "2025-01-01")
    assert (r["value"], r["n"], r["successes"]) == (0.6, 5, 3.0)
    # Wilson 3/5 (R prop.test(3, 5, correct=FALSE)): 0.2307 .. 0.8824
    assert r["ci_low"] == pytest.approx(0.2307, abs=1e-4)
    assert r["ci_high"] == pytest.approx(0.8824, abs=1e-4)
    # dissatisfied: s4 -> 1/5
    assert row(t, "dissatisfaction_rate", "T1", "2025-01-01")["value"] == pytest.approx(0.2)
    # mean rating (5 + 4 + 3 + 1 + 5) / 5 = 3.6
    assert row(t, "survey_mean_rating", "T1", "2025-01-01")["value"] == pytest.approx(3.6)
    # T2 January: s5 only counts (s6 has no rating)
    assert row(t, "survey_responses", "T2", "2025-01-01")["value"] == 1
    # T2 February: s8 (A4 moved to T2) dissatisfied -> 0/1 satisfied
    assert row(t, "satisfaction_rate", "T2", "2025-02-01")["value"] == 0.0


def test_call_test_metrics_and_eval_type(db):
    ids = ["qa_call_test_pass_rate", "leadership_call_test_pass_rate", "external_call_test_pass_rate",
           "third_party_score", "call_test_pass_rate"]
    t = M.metric_table(db, ids, "month", "center")
    # qa: c1 pass, c2 fail, c6 no result -> 1/2
    assert row(t, "qa_call_test_pass_rate", "center", "2025-01-01")["value"] == 0.5
    # leadership: c3 pass -> 1/1
    assert row(t, "leadership_call_test_pass_rate", "center", "2025-01-01")["value"] == 1.0
    # external (third party): c4 pass, c5 fail -> 1/2
    assert row(t, "external_call_test_pass_rate", "center", "2025-01-01")["value"] == 0.5
    # mystery shopper score (88 + 72) / 2 = 80
    assert row(t, "third_party_score", "center", "2025-01-01")["value"] == 80.0
    # all testers with a result: c1 c3 c4 pass, c2 c5 fail -> 3/5
    assert row(t, "call_test_pass_rate", "center", "2025-01-01")["value"] == pytest.approx(0.6)
    # eval_type restricts call tests to one tester type: qa -> c1, c2 -> 1/2
    q = M.metric_table(db, ["call_test_pass_rate"], "month", "center", eval_type="qa")
    assert row(q, "call_test_pass_rate", "center", "2025-01-01")["value"] == 0.5


def test_system_metrics_are_center_only(db):
    t = M.metric_table(db, ["system_availability", "system_incidents", "system_check_score"], "month", "center")
    # January: (99.9 + 99.5) / 2 = 99.7; incidents 1 + 3 = 4; score (98 + 90) / 2 = 94
    assert row(t, "system_availability", "center", "2025-01-01")["value"] == pytest.approx(99.7)
    r = row(t, "system_incidents", "center", "2025-01-01")
    assert (r["value"], r["n"]) == (4, 2) and math.isnan(r["ci_low"])
    assert row(t, "system_check_score", "center", "2025-01-01")["value"] == pytest.approx(94.0)
    assert M.metric_table(db, ["system_availability"], "month", "team").empty


def test_item_metrics(db):
    t = M.metric_table(db, ["item:业务准确性", "item_rate:业务准确性", "item:身份核实", "item_rate:身份核实"],
                       "month", "center")
    # 业务准确性 lost: m1 5, m2 10, m3 0 -> mean 5; two of three lost points
    r = row(t, "item:业务准确性", "center", "2025-01-01")
    assert (r["value"], r["n"]) == (5.0, 3)
    assert r["sd"] == pytest.approx(5.0)  # sqrt(((0)^2 + 5^2 + (-5)^2) / 2)
    assert row(t, "item_rate:业务准确性", "center", "2025-01-01")["value"] == pytest.approx(2 / 3)
    # 身份核实: m1 not applicable -> m2 5, m3 0 -> mean 2.5 over n 2; rate 1/2
    r = row(t, "item:身份核实", "center", "2025-01-01")
    assert (r["value"], r["n"]) == (2.5, 2)
    assert row(t, "item_rate:身份核实", "center", "2025-01-01")["value"] == 0.5
    by_team = M.metric_table(db, ["item:业务准确性"], "month", "team")
    # T1: m1 5, m2 10 -> 7.5; T2: m3 0
    assert row(by_team, "item:业务准确性", "T1", "2025-01-01")["value"] == 7.5
    assert row(by_team, "item:业务准确性", "T2", "2025-01-01")["value"] == 0.0


def test_agent_level_and_filters(db):
    t = M.metric_table(db, ["qa_mean_score"], "month", "agent")
    # A1 voice in January: m1 90 only (m4 is chat)
    assert row(t, "qa_mean_score", "A1", "2025-01-01")["value"] == 90.0
    # one team's agents: T2 in February = A3 (m7 90) and A4 (m6 50, by the roster)
    t2 = M.metric_table(db, ["qa_mean_score"], "month", "agent", team="T2")
    feb = t2[t2["period"] == pd.Timestamp("2025-02-01")].set_index("level_key")["value"].to_dict()
    assert feb == {"A3": 90.0, "A4": 50.0}
    # and in January T2 has only A3 (A4 was still in T1)
    assert set(t2[t2["period"] == pd.Timestamp("2025-01-01")]["level_key"]) == {"A3"}
    # channel filter: chat only -> m4 (60) for nonvoice and nothing voice
    c = M.metric_table(db, ["qa_mean_score_all"], "month", "team", channel="chat")
    assert row(c, "qa_mean_score_all", "T1", "2025-01-01")["value"] == 60.0
    # agent filter
    a = M.metric_table(db, ["qa_mean_score"], "all", "center", agent=["A1", "A2"])
    assert a["value"].iloc[0] == 85.0  # (90 + 80) / 2


def test_team_resolution_matches_the_views(db):
    """The late roster lookup gives the same teams as the schema's *_v views."""
    ours = M.metric_table(db, ["satisfaction_rate", "qa_mean_score_all"], "month", "team")
    ref = db.execute(
        """SELECT CAST(date_trunc('month', survey_date) AS DATE) AS p, team, count(satisfaction) AS n,
                  avg(CASE WHEN satisfaction = 'satisfied' THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END) AS v
           FROM survey_v WHERE team IS NOT NULL GROUP BY ALL HAVING count(satisfaction) > 0"""
    ).df()
    for _, r in ref.iterrows():
        o = row(ours, "satisfaction_rate", r["team"], str(r["p"].date()))
        assert (o["value"], o["n"]) == (pytest.approx(r["v"]), r["n"])
    assert len(ours[ours["metric"] == "satisfaction_rate"]) == len(ref)
    ref = db.execute(
        """SELECT CAST(date_trunc('month', eval_date) AS DATE) AS p, team, count(*) AS n, avg(total_score) AS v
           FROM monitoring_v WHERE team IS NOT NULL GROUP BY ALL"""
    ).df()
    for _, r in ref.iterrows():
        o = row(ours, "qa_mean_score_all", r["team"], str(r["p"].date()))
        assert (o["value"], o["n"]) == (pytest.approx(r["v"]), r["n"])


def test_grains_and_date_bounds(db):
    # weeks start on Monday: 2025-01-06 is a Monday, 2025-01-09 (Thursday) belongs to it too
    w = M.metric_table(db, ["qa_evaluations"], "week", "center", D(2025, 1, 6), D(2025, 1, 12))
    assert w["period"].tolist() == [pd.Timestamp("2025-01-06")] and w["value"].tolist() == [4]  # m1..m4
    # bounds are inclusive: m5 (Jan 20) .. m6 (Feb 3)
    b = M.metric_table(db, ["qa_evaluations"], "all", "center", D(2025, 1, 20), D(2025, 2, 3))
    assert b["value"].tolist() == [2] and b["period"].tolist() == [pd.Timestamp("2025-01-20")]
    for grain, start in (("quarter", "2025-01-01"), ("half_year", "2025-01-01")):
        t = M.metric_table(db, ["qa_evaluations"], grain, "center")
        assert t["period"].tolist() == [pd.Timestamp(start)] and t["value"].tolist() == [7]
    d = M.metric_table(db, ["qa_evaluations"], "day", "center")
    assert len(d) == 7
    assert period_start(D(2025, 8, 20), "half_year") == D(2025, 7, 1)
    assert period_start(D(2025, 8, 20), "week") == D(2025, 8, 18)
    with pytest.raises(ValueError):
        M.metric_table(db, ["qa_evaluations"], "fortnight", "center")
    with pytest.raises(ValueError):
        M.metric_table(db, ["qa_evaluations"], "month", "building")


def test_half_year_boundaries():
    con = store.connect(":memory:")
    add(con, "monitoring", [
        mon("h1", D(2025, 6, 30), "A1", "T1", "voice", 80.0, False),
        mon("h2", D(2025, 7, 1), "A1", "T1", "voice", 90.0, False),
        mon("h3", D(2025, 12, 31), "A1", "T1", "voice", 100.0, False),
    ])
    t = M.metric_table(con, ["qa_mean_score"], "half_year", "team")
    # Jun 30 -> H1 (Jan 1); Jul 1 and Dec 31 -> H2 (Jul 1): (90 + 100) / 2 = 95
    assert t["period"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-07-01")]
    assert t["value"].tolist() == [80.0, 95.0]


def test_user_values_are_parameters(db):
    add(db, "monitoring", [mon("q1", D(2025, 1, 6), "A9", "O'Brien's team", "voice", 77.0, False)])
    t = M.metric_table(db, ["qa_mean_score"], "month", "team", team="O'Brien's team")
    assert t["level_key"].tolist() == ["O'Brien's team"] and t["value"].tolist() == [77.0]


class _Counting:
    """A connection stand-in counting the queries sent."""

    def __init__(self, con):
        self.con, self.calls = con, 0

    def execute(self, *a, **k):
        self.calls += 1
        return self.con.execute(*a, **k)


def test_one_query_per_source(db):
    c = _Counting(db)
    ids = ["qa_mean_score", "critical_error_rate", "satisfaction_rate", "dissatisfaction_rate",
           "item:业务准确性", "item:服务态度", "item_rate:身份核实", "qa_call_test_pass_rate",
           "third_party_score", "system_availability"]
    M.metric_table(c, ids, "month", "center", rollups=False)
    # monitoring, monitoring_item, survey, call_test, system_check
    assert c.calls == 5


# --------------------------------------------------------------------------
# rollups
# --------------------------------------------------------------------------

ALL_FIXTURE_METRICS = list(M.METRICS) + ["item:业务准确性", "item_rate:业务准确性", "item:身份核实",
                                         "item_rate:身份核实", "item:服务态度", "item:不存在"]


@pytest.mark.parametrize("kw", [
    dict(grain="month", level="center"),
    dict(grain="month", level="team"),
    dict(grain="week", level="agent"),
    dict(grain="all", level="team", date_from=D(2025, 1, 7), date_to=D(2025, 2, 3)),
    dict(grain="month", level="agent", team="T2"),
    dict(grain="month", level="center", team=["T1"], channel="voice"),
    dict(grain="day", level="team", agent=["A1", "A4"], eval_type="qa"),
])
def test_rollups_give_the_raw_results(db, kw):
    raw = M.metric_table(db, ALL_FIXTURE_METRICS, rollups=False, **kw)
    assert M.rollup_status(db) == "absent"
    fast = M.metric_table(db, ALL_FIXTURE_METRICS, rollups=True, **kw)
    assert M.rollup_status(db) == "fresh"
    assert len(raw) > 0
    pd.testing.assert_frame_equal(raw, fast, check_exact=False, rtol=1e-12, atol=1e-12)


def test_rollups_follow_the_data(db):
    rows = M.build_rollups(db)
    # one row per evaluation and per call test; survey: one row per day x team x agent x channel
    assert rows == {"monitoring": 7, "call_test": 6, "survey": 8}
    t = M.metric_table(db, ["qa_mean_score"], "all", "center")  # rollups=None: uses them while fresh
    assert t["value"].iloc[0] == pytest.approx((90 + 80 + 70 + 100 + 50 + 90) / 6)
    # a write changes the stamp: the stale rollups are ignored, the tables answer
    add(db, "monitoring", [mon("m8", D(2025, 2, 5), "A1", "T1", "voice", 20.0, False)])
    assert M.rollup_status(db) == "stale"
    t = M.metric_table(db, ["qa_mean_score"], "all", "center")
    assert t["value"].iloc[0] == pytest.approx((480 + 20) / 7)
    # a store write bumps the data version (same row counts): stale too
    M.build_rollups(db)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'data_version'")
    assert M.rollup_status(db) == "stale"
    M.drop_rollups(db)
    assert M.rollup_status(db) == "absent"


def test_rollups_and_callers_own_metrics(db):
    """A caller's Metric reading a column the rollup does not keep goes to the table."""
    by_evaluator = M.Metric("strict_rate", "monitoring", "rate",
                            "CASE WHEN evaluator = 'E1' THEN 1.0 ELSE 0.0 END", None, False, "x", "x")
    pass_rate = M.Metric("pass", "monitoring", "rate",
                         "CASE WHEN total_score >= 85 THEN 1.0 WHEN total_score IS NOT NULL THEN 0.0 END",
                         None, True, "x", "x")
    db.execute("UPDATE monitoring SET evaluator = 'E1' WHERE record_key IN ('m1', 'm2')")
    raw = M.metric_table(db, [by_evaluator, pass_rate], "month", "team", rollups=False)
    M.build_rollups(db)
    assert not M._rollup_serves(by_evaluator, M._rollup_meta(db))
    assert M._rollup_serves(pass_rate, M._rollup_meta(db))
    fast = M.metric_table(db, [by_evaluator, pass_rate], "month", "team")
    pd.testing.assert_frame_equal(raw, fast)
    # T1 January: m1 and m2 of m1, m2, m4, m5 -> 2/4
    assert row(fast, "strict_rate", "T1", "2025-01-01")["value"] == 0.5


def test_rollups_inside_a_transaction(db):
    db.execute("BEGIN TRANSACTION")
    t = M.metric_table(db, ["satisfaction_rate"], "all", "center")  # looks for rollups without failing
    db.execute("COMMIT")
    assert t["n"].iloc[0] == 7


def test_empty_store_gives_empty_tables():
    con = store.connect(":memory:")
    t = M.metric_table(con, None, "month", "team")
    assert t.empty and list(t.columns) == list(M.METRIC_TABLE_COLUMNS)
    assert M.funnel_table(con, "qa_mean_score").empty
    assert M.rank_table(con, "qa_mean_score").empty


# --------------------------------------------------------------------------
# funnel plots and rankings
# --------------------------------------------------------------------------


def test_binomial_funnel_limit_by_hand():
    # Binomial(10, 0.5): F(7) = 968/1024, F(8) = 1013/1024; p = 0.975 -> r = 8,
    # alpha = (1013/1024 - 0.975) / (45/1024) = 0.324444; limit = (8 - 0.324444) / 10 = 0.767556
    lo, hi = M.funnel_limits("rate", 0.5, [10], coverage=0.95)
    assert hi[0] == pytest.approx(0.767556, abs=1e-6)
    # p = 0.025: F(1) = 11/1024, F(2) = 56/1024 -> r = 2,
    # alpha = (56/1024 - 0.025) / (45/1024) = 0.675556; limit = (2 - 0.675556) / 10 = 0.132444
    assert lo[0] == pytest.approx(0.132444, abs=1e-6)
    # normal limits: 0.5 +/- 1.959964 * sqrt(0.25 / 100) = 0.5 +/- 0.0979982
    lo, hi = M.funnel_limits("rate", 0.5, [100], method="normal")
    assert (lo[0], hi[0]) == (pytest.approx(0.4020018, abs=1e-6), pytest.approx(0.5979982, abs=1e-6))
    # 99.8%: z = 3.090232; mean 80, sd 10, n 25 -> 80 +/- 3.090232 * 2 = 80 +/- 6.180465
    lo, hi = M.funnel_limits("mean", 80.0, [25], sd=10.0, coverage=0.998)
    assert hi[0] == pytest.approx(86.180465, abs=1e-5)
    # limits narrow as n grows
    lo, hi = M.funnel_limits("mean", 80.0, [4, 16, 64], sd=10.0)
    assert np.all(np.diff(hi) < 0) and np.all(np.diff(lo) > 0)


def _funnel_fixture():
    con = store.connect(":memory:")
    rows = []
    # team G: 40 evaluations, 4 critical errors; team B: 40, 20 errors; team S: 5, 1 error
    for team, n, errs in (("G", 40, 4), ("B", 40, 20), ("S", 5, 1)):
        for k in range(n):
            rows.append(mon(f"{team}{k}", D(2025, 3, 1 + k % 28), f"{team}{k % 3}", team, "voice",
                            80.0 + (k % 5), k < errs))
    add(con, "monitoring", rows)
    return con


def test_funnel_table_flags_the_outlier():
    con = _funnel_fixture()
    f = M.funnel_table(con, "critical_error_rate", "team")
    assert list(f.columns) == ["level_key", "metric", "value", "n", "target", "sd", "z", "lo95", "hi95",
                               "lo998", "hi998", "phi", "phi_p", "outside95", "outside998", "p_value",
                               "p_adjusted", "comparisons", "assessment", "test"]
    assert set(f["test"]) == {"binomial"}
    f = f.set_index("level_key")
    # exact binomial tails against theta = 25/85, doubled (R: 2 * binom.test(20, 40, 25/85,
    # alternative = "greater")$p.value = 0.009792431; 2 * binom.test(4, 40, 25/85, "less") = 0.006446346),
    # then Benjamini-Hochberg over the 3 teams (R: p.adjust(c(0.009792431, 0.006446346, 1), "BH"))
    assert f.loc["B", "p_value"] == pytest.approx(0.0097924311, rel=1e-7)
    assert f.loc["G", "p_value"] == pytest.approx(0.0064463459, rel=1e-7)
    assert f.loc["S", "p_value"] == 1.0
    assert f.loc["B", "p_adjusted"] == pytest.approx(0.0146886466, rel=1e-7)
    assert f.loc["G", "p_adjusted"] == pytest.approx(0.0146886466, rel=1e-7)
    assert (f["comparisons"] == 3).all()
    # center: 25 errors / 85 = 0.294118
    assert f.loc["B", "target"] == pytest.approx(25 / 85)
    # B: 20/40 = 0.5; z = (0.5 - 0.294118) / sqrt(0.294118 * 0.705882 / 40) = 0.205882 / 0.072040 = 2.8579
    assert f.loc["B", "z"] == pytest.approx(2.8579, abs=1e-3)
    # higher error rate is worse: outside the 95% limits, inside 99.8%
    assert f.loc["B", "outside95"] and not f.loc["B", "outside998"]
    assert f.loc["B", "assessment"] == "worse"
    # G: 4/40 = 0.1, below the lower limit -> better (lower is better)
    assert f.loc["G", "assessment"] == "better"
    # S: 1/5 = 0.2: the funnel is wide at n = 5
    assert f.loc["S", "assessment"] == "as expected"
    assert f.loc["S", "hi95"] - f.loc["S", "lo95"] > f.loc["B", "hi95"] - f.loc["B", "lo95"]
    # the over-dispersion factor is >= 1 and widens the limits
    fo = M.funnel_table(con, "critical_error_rate", "team", overdispersion=True).set_index("level_key")
    assert fo["phi"].iloc[0] >= 1.0
    with pytest.raises(ValueError):
        M.funnel_table(con, "qa_evaluations", "team")  # a count


def test_funnel_for_a_mean():
    con = store.connect(":memory:")
    add(con, "monitoring", [mon(f"x{k}", D(2025, 3, 1), "A1", "X", "voice", v, False)
                            for k, v in enumerate([70.0, 80.0, 90.0])]
        + [mon(f"y{k}", D(2025, 3, 1), "A2", "Y", "voice", v, False) for k, v in enumerate([90.0, 100.0])])
    f = M.funnel_table(con, "qa_mean_score", "team").set_index("level_key")
    # center: (70 + 80 + 90 + 90 + 100) / 5 = 86; sd = sqrt((256 + 36 + 16 + 16 + 196) / 4) = sqrt(130)
    assert f.loc["X", "target"] == pytest.approx(86.0)
    assert f.loc["X", "sd"] == pytest.approx(math.sqrt(130))
    # X: n 3, limits 86 +/- 1.959964 * sqrt(130) / sqrt(3) = 86 +/- 12.9023
    assert f.loc["X", "hi95"] == pytest.approx(98.9023, abs=1e-3)


def test_rank_table_min_n_rule():
    con = _funnel_fixture()
    r = M.rank_table(con, "critical_error_rate", "team", min_n=30)
    assert list(r.columns) == ["level_key", "metric", "value", "n", "ci_low", "ci_high", "rank", "ranked", "of"]
    # G (0.10) ranks 1, B (0.50) 2; S (n 5 < 30) listed, unranked, last
    assert r["level_key"].tolist() == ["G", "B", "S"]
    assert r["rank"].tolist()[:2] == [1, 2] and pd.isna(r["rank"].iloc[2])
    assert r["ranked"].tolist() == [True, True, False]
    assert r["of"].iloc[0] == 2
    # with min_n 1 everybody ranks: G 0.1, S 0.2, B 0.5
    r1 = M.rank_table(con, "critical_error_rate", "team", min_n=1)
    assert r1["level_key"].tolist() == ["G", "S", "B"] and r1["rank"].tolist() == [1, 2, 3]
    # higher-is-better: ties share the better rank
    s = M.rank_table(con, "qa_mean_score", "team", min_n=1)
    assert s["rank"].min() == 1


# ---------------------------------------------------------------------------
# clustering: a team's evaluations share their agents (issue 10)
# ---------------------------------------------------------------------------
def _clustered_center(seed: int, teams: int = 12, agents: int = 8, evals: int = 30, team_sd: float = 0.0):
    """Teams of agents whose scores share an agent effect (sd 4) around a team
    effect (sd ``team_sd``; 0: no team differs), residual sd 8, over two months;
    every tenth record has no agent (it stays out of the clusters).  Returns
    the store and the scores as a frame (the ground truth)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for t in range(teams):
        team_mu = 85 + rng.normal(0, team_sd)
        for a in range(agents):
            mu = team_mu + rng.normal(0, 4)
            for k in range(int(rng.integers(evals // 2, evals * 3 // 2))):
                d = D(2025, 1 + k % 2, 1 + k % 28)
                agent = f"T{t}A{a}"
                score = float(np.round(mu + rng.normal(0, 8), 1))
                key = f"{agent}-{k}"
                rows.append(mon(key, d, None if k % 10 == 9 else agent, f"T{t}", "voice", score, False))
                truth.append((d.replace(day=1), f"T{t}", agent if k % 10 != 9 else None, score))
    con = store.connect(":memory:")
    add(con, "monitoring", rows)
    return con, pd.DataFrame(truth, columns=["period", "team", "agent", "score"])


@pytest.mark.parametrize("level", ["team", "center"])
def test_clustered_se_matches_statsmodels(level):
    sm = pytest.importorskip("statsmodels.api")
    con, truth = _clustered_center(3, teams=4)
    t = M.metric_table(con, ["qa_mean_score"], grain="month", level=level, clustered=True)
    assert {"se", "clusters"} <= set(t.columns)
    truth = truth[truth["agent"].notna()]
    if level == "center":
        truth = truth.assign(team="center")
    checked = 0
    for (period, unit), g in truth.groupby(["period", "team"]):
        row = t[(t["period"] == pd.Timestamp(period)) & (t["level_key"] == unit)].iloc[0]
        # reference: statsmodels' sandwich estimator, OLS on a constant, agents as groups (CR1)
        fit = sm.OLS(g["score"].to_numpy(), np.ones(len(g))).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(g["agent"])[0]})
        assert row["se"] == pytest.approx(fit.bse[0], rel=1e-9)
        assert row["clusters"] == g["agent"].nunique()
        checked += 1
    assert checked == (8 if level == "team" else 2)
    # rates have no clustered error; the same table without clustering has no such columns
    plain = M.metric_table(con, ["qa_mean_score"], grain="month", level=level)
    assert "se" not in plain.columns
    np.testing.assert_allclose(plain["value"], t["value"])


def test_team_funnel_of_means_counts_agents_not_evaluations():
    """No team differs; agents do.  Counted as independent evaluations, about
    a third of the teams read as different from the center (raw p < 0.05);
    with the agents as clusters, about 5%, as a test at 5% should."""
    flagged_cluster = flagged_naive = total = 0
    for seed in range(6):
        con, _ = _clustered_center(100 + seed, teams=12)
        f = M.funnel_table(con, "qa_mean_score", "team")
        assert set(f["test"]) == {"cluster_t"}
        flagged_cluster += int((f["p_value"] < 0.05).sum())
        from qa_analytics.stats import funnel as F

        naive = F.funnel_p_values("mean", float(f["target"].iloc[0]), f["n"], f["value"], sd=float(f["sd"].iloc[0]))
        flagged_naive += int((naive < 0.05).sum())
        total += len(f)
        con.close()
    assert total == 72
    assert flagged_cluster / total <= 0.12, flagged_cluster
    assert flagged_naive / total >= 0.25, flagged_naive


def test_team_funnel_of_means_still_finds_a_real_team_difference():
    con, _ = _clustered_center(7, teams=6, team_sd=0.0)
    rows = [mon(f"X{a}-{k}", D(2025, 1, 1 + k % 28), f"XA{a}", "X", "voice", 70.0 + (k % 7), False)
            for a in range(8) for k in range(30)]
    add(con, "monitoring", rows)  # a seventh team, 15 points below the others
    f = M.funnel_table(con, "qa_mean_score", "team").set_index("level_key")
    assert f.loc["X", "assessment"] == "worse" and f.loc["X", "test"] == "cluster_t"
    assert (f.drop(index="X")["assessment"] == "as expected").all()
