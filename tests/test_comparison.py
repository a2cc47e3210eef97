"""Tests of qa_analytics.views.eval_types on a small hand-built store and the demo data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.views.eval_types import (
    GAP_COLUMNS,
    SERIES,
    eval_type_series,
    gap_by_period,
    gap_table,
    qa_pass_rate_metric,
)

from conftest import insert_rows as insert

D = dt.date


@pytest.fixture
def small(con):
    """January: team A internal 2/4 pass (85, 75, 90, 60), team B 2/2 (80, 95);
    third-party tests A 1/4, B 2/2; QA call tests A 1/1; surveys A 3/4, B 1/2 satisfied.
    February: team A one evaluation (70) and one survey (satisfied)."""
    ev = [("A", 85), ("A", 75), ("A", 90), ("A", 60), ("B", 80), ("B", 95)]
    insert(con, "monitoring", [{"eval_date": D(2026, 1, 5 + i), "agent_id": f"{t}1", "team": t,
                                "total_score": float(s)} for i, (t, s) in enumerate(ev)])
    insert(con, "monitoring", [{"eval_date": D(2026, 2, 3), "agent_id": "A1", "team": "A", "total_score": 70.0,
                                "channel": "chat"}])
    tests = [("A", True), ("A", False), ("A", False), ("A", False), ("B", True), ("B", True)]
    insert(con, "call_test", [{"test_date": D(2026, 1, 10 + i), "agent_id": f"{t}1", "team": t,
                               "tester_type": "third_party", "is_external": True, "passed": p,
                               "score": 85.0 if p else 60.0} for i, (t, p) in enumerate(tests)])
    insert(con, "call_test", [{"test_date": D(2026, 1, 20), "agent_id": "A1", "team": "A", "tester_type": "qa",
                               "is_external": False, "passed": True, "score": 90.0}])
    sv = [("A", "satisfied"), ("A", "satisfied"), ("A", "satisfied"), ("A", "dissatisfied"),
          ("B", "satisfied"), ("B", "neutral")]
    insert(con, "survey", [{"survey_date": D(2026, 1, 8 + i), "agent_id": f"{t}1", "team": t, "rating": "x",
                            "satisfaction": s} for i, (t, s) in enumerate(sv)])
    insert(con, "survey", [{"survey_date": D(2026, 2, 8), "agent_id": "A1", "team": "A", "rating": "x",
                            "satisfaction": "satisfied"}])
    return con


def z_p(x1, n1, x2, n2) -> float:
    """Two-sided p of the pooled two-proportion z test, by hand."""
    p = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def test_gap_by_period_by_hand(small):
    g = gap_by_period(small, grain="month", threshold=0.05, alpha=0.05)
    assert list(g.columns) == ["period", *GAP_COLUMNS]
    jan, feb = g.iloc[0], g.iloc[1]
    assert jan["period"] == pd.Timestamp("2026-01-01")
    assert jan["internal"] == pytest.approx(4 / 6) and jan["internal_n"] == 6  # 85, 90, 80, 95 pass
    assert jan["external"] == pytest.approx(3 / 6) and jan["external_n"] == 6
    assert jan["customer"] == pytest.approx(4 / 6) and jan["customer_n"] == 6
    assert jan["qa_mean"] == pytest.approx((85 + 75 + 90 + 60 + 80 + 95) / 6)
    assert jan["gap_external"] == pytest.approx(1 / 6)
    assert jan["gap_customer"] == pytest.approx(0.0)
    # six records a side: expected counts below 5, so Fisher's exact test, not z (0.5582):
    # R fisher.test(matrix(c(3, 3, 4, 2), 2))$p.value = 1
    assert jan["p_external"] == pytest.approx(1.0)
    assert z_p(3, 6, 4, 6) == pytest.approx(0.5582, abs=1e-4)
    assert not jan["flag_external"]  # 17 points, but six records a side: could be chance
    # February: no external tests -> no gap to them; internal 0/1, customers 1/1
    assert feb["internal"] == 0.0 and feb["external_n"] == 0 and math.isnan(feb["gap_external"])
    assert feb["gap_customer"] == pytest.approx(-1.0)


def test_pass_mark_moves_the_internal_rate(small):
    g = gap_by_period(small, grain="month", pass_mark=90)
    assert g["internal"].iloc[0] == pytest.approx(2 / 6)  # 90 and 95
    with pytest.raises(ValueError):
        qa_pass_rate_metric(120)
    m = qa_pass_rate_metric(85.5)
    assert "85.5" in m.name_en and "85.5" in m.name_zh


def test_gap_table_by_team_by_hand(small):
    t = gap_table(small, date_from=D(2026, 1, 1), date_to=D(2026, 1, 31))
    assert t["level_key"].tolist()[0] == "center"
    rows = t.set_index("level_key")
    a, b = rows.loc["A"], rows.loc["B"]
    assert a["internal"] == pytest.approx(0.5) and a["external"] == pytest.approx(0.25)
    assert a["customer"] == pytest.approx(0.75)
    assert a["gap_external"] == pytest.approx(0.25) and a["gap_customer"] == pytest.approx(-0.25)
    assert b["internal"] == 1.0 and b["external"] == 1.0 and b["customer"] == 0.5
    assert b["gap_external"] == 0.0
    assert math.isnan(b["p_external"]) or b["p_external"] == pytest.approx(1.0)  # 2/2 vs 2/2: no difference
    # units sorted by gap to the external testers, largest first (none flagged here)
    assert t["level_key"].tolist()[1:] == ["A", "B"]
    with pytest.raises(ValueError):
        gap_table(small, level="center")


def test_flag_needs_size_and_significance(con):
    # 200 evaluations 95% pass vs 200 external tests 60% pass: a 35-point gap, p < 0.001
    insert(con, "monitoring", [{"eval_date": D(2026, 3, 2), "agent_id": "a", "team": "T",
                                "total_score": 90.0 if i < 190 else 50.0} for i in range(200)])
    insert(con, "call_test", [{"test_date": D(2026, 3, 3), "agent_id": "a", "team": "T",
                               "tester_type": "third_party", "is_external": True, "passed": i < 120}
                              for i in range(200)])
    g = gap_by_period(con, grain="month")
    assert g["gap_external"].iloc[0] == pytest.approx(0.35)
    assert g["p_external"].iloc[0] < 0.001 and bool(g["flag_external"].iloc[0])
    high = gap_by_period(con, grain="month", threshold=0.4)
    assert not bool(high["flag_external"].iloc[0])


def test_gap_table_puts_flagged_units_first(con):
    # team S: 2 evaluations passed, 1 external test failed (gap 100 points, p = 0.08: not flagged)
    # team L: 200 evaluations 95% pass, 200 external tests 60% pass (gap 35 points, flagged)
    rows, tests = [], []
    for team, n_eval, passing, n_test, passed in (("S", 2, 2, 1, 0), ("L", 200, 190, 200, 120)):
        rows += [{"eval_date": D(2026, 3, 2), "agent_id": team, "team": team,
                  "total_score": 90.0 if i < passing else 50.0} for i in range(n_eval)]
        tests += [{"test_date": D(2026, 3, 3), "agent_id": team, "team": team, "tester_type": "third_party",
                   "is_external": True, "passed": i < passed} for i in range(n_test)]
    insert(con, "monitoring", rows)
    insert(con, "call_test", tests)
    t = gap_table(con)
    assert t["level_key"].tolist() == ["center", "L", "S"]
    assert t["flag_external"].tolist()[1:] == [True, False]
    assert t.set_index("level_key").loc["S", "gap_external"] == pytest.approx(1.0)


def test_eval_type_series_common_scale(small):
    s = eval_type_series(small, grain="month")
    jan = s[s["period"] == pd.Timestamp("2026-01-01")].set_index("series")
    assert jan.loc["qa_score", "value"] == pytest.approx((85 + 75 + 90 + 60 + 80 + 95) / 6)
    assert jan.loc["qa_score", "unit"] == "points"
    assert jan.loc["third_party_pass", "value"] == pytest.approx(50.0)  # 3/6 as a percentage
    assert jan.loc["qa_call_test_pass", "value"] == pytest.approx(100.0)
    assert jan.loc["satisfaction", "value"] == pytest.approx(100 * 4 / 6)
    assert jan.loc["satisfaction", "group"] == "customer"
    assert jan.loc["third_party_pass", "ci_low"] < 50 < jan.loc["third_party_pass", "ci_high"]
    assert (s["value"].between(0, 100)).all()
    feb = s[s["period"] == pd.Timestamp("2026-02-01")].set_index("series")
    assert feb.loc["nonvoice_qa_score", "value"] == 70.0
    # series order follows SERIES
    order = [x.id for x in SERIES]
    seen = list(dict.fromkeys(s["series"]))
    assert seen == [x for x in order if x in seen]
    only = eval_type_series(small, series=["satisfaction"], team="B")
    assert only["series"].unique().tolist() == ["satisfaction"] and only["value"].iloc[0] == 50.0


def test_empty_store(con):
    assert eval_type_series(con).empty
    assert gap_by_period(con).empty
    t = gap_table(con)
    assert t.empty or t["internal_n"].sum() == 0


@pytest.fixture(scope="module")
def demo(demo_db_path):
    c = store.connect(demo_db_path, read_only=True)
    yield c
    c.close()


def test_demo_internal_evaluation_is_kinder_than_mystery_shoppers(demo):
    t = gap_table(demo)
    center = t.iloc[0]
    assert center["level_key"] == "center"
    assert center["internal"] > center["external"] + 0.05
    assert bool(center["flag_external"])
    assert set(t["level_key"].iloc[1:]) >= {"投诉处理组", "新人组"}
    g = gap_by_period(demo, grain="quarter")
    assert len(g) == 2 and g["external_n"].gt(0).all()
