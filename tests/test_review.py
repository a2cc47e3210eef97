"""qa_analytics.views.review: the data shaping behind the QA-staff review and the compliance calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from qa_analytics.analytics.evaluators import leniency
from qa_analytics.core import calendar
from qa_analytics.demo.generate import demo_facts
from qa_analytics.demo.load import load_demo
from qa_analytics.views import review as rv

END = dt.date(2026, 6, 30)
D0 = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def demo_con():
    from qa_analytics import store

    c = store.connect(":memory:")
    load_demo(c, months=6, seed=3, end=END)
    yield c
    c.close()


# --- calendar ---------------------------------------------------------------------------------
def test_cn_calendar_2026_matches_the_state_council_notice():
    cal = calendar.cn_calendar("2026-01-01", "2026-12-31")
    hol, extra = set(cal["holidays"]), set(cal["extra_workdays"])
    # Spring Festival 15-23 Feb, worked on Sat 14 and Sat 28 Feb
    assert {dt.date(2026, 2, d) for d in range(15, 24)} <= hol
    assert dt.date(2026, 2, 24) not in hol
    assert extra == {dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9),
                     dt.date(2026, 9, 20), dt.date(2026, 10, 10)}
    assert not hol & extra
    assert cal["missing_years"] == []
    # National Day week and Mid-Autumn
    assert {dt.date(2026, 10, d) for d in range(1, 8)} <= hol and dt.date(2026, 9, 25) in hol


def test_cn_calendar_working_days_2025_and_modes():
    from qa_analytics.analytics.compliance import working_days

    cal = calendar.cn_calendar("2025-01-01", "2025-12-31")
    # 2025: 261 weekdays - 18 days off on weekdays + 5 make-up weekend days = 248
    wd = working_days("2025-01-01", "2025-12-31", cal["holidays"], cal["extra_workdays"])
    assert wd == 248
    hol_only = calendar.cn_calendar("2025-01-01", "2025-12-31", "hol")
    assert hol_only["extra_workdays"] == [] and hol_only["holidays"] == cal["holidays"]
    assert calendar.cn_calendar("2025-01-01", "2025-12-31", "mf")["holidays"] == []
    with pytest.raises(ValueError):
        calendar.cn_calendar("2025-01-01", "2025-12-31", "xx")


def test_cn_calendar_unknown_year_is_reported():
    cal = calendar.cn_calendar("2022-12-01", "2024-01-31")
    assert cal["missing_years"] == [2022, 2023]
    assert cal["holidays"] == [dt.date(2024, 1, 1)]


def test_parse_dates():
    ok, bad = calendar.parse_dates("2026-06-28, 2026/12/20；2026年3月5日 2026.1.2 hello 2026-02-30")
    assert ok == [dt.date(2026, 1, 2), dt.date(2026, 3, 5), dt.date(2026, 6, 28), dt.date(2026, 12, 20)]
    assert bad == ["hello", "2026-02-30"]
    assert calendar.parse_dates("") == ([], [])
    assert calendar.parse_dates(None) == ([], [])


# --- QA staff ---------------------------------------------------------------------------------
def test_workload_sums_to_the_activity(demo_con):
    cal = calendar.cn_calendar(D0, END)
    w = rv.workload(demo_con, D0, END, daily_quota=20, holidays=cal["holidays"], extra_workdays=cal["extra_workdays"])
    a = rv.activity(demo_con, D0, END, "month", daily_quota=20, holidays=cal["holidays"],
                    extra_workdays=cal["extra_workdays"])
    total = demo_con.execute(
        "SELECT count(*) FROM monitoring WHERE eval_date BETWEEN ? AND ? AND evaluator <> '' "
        "AND total_score IS NOT NULL", [D0, END]).fetchone()[0]
    assert w["evaluations"].sum() == total == a["evaluations"].sum()
    assert (w["working_days"] == 120).all()  # H1 2026 under the official calendar
    assert a.groupby("period_start")["quota"].first().sum() == pytest.approx(20 * 120)
    assert np.allclose(w["quota_ratio"], w["evaluations"] / 2400)
    assert (w["quota_met"] == (w["evaluations"] >= 2400)).all()
    w10 = rv.workload(demo_con, D0, END, daily_quota=10, holidays=cal["holidays"],
                      extra_workdays=cal["extra_workdays"])
    assert w10["quota_met"].all()


def test_leniency_review_flags_only_the_planted_evaluator(demo_con):
    facts = demo_facts(6, END)
    lr = rv.leniency_review(demo_con, D0, END)
    flagged = lr[lr["label"] != "in line"]
    assert list(flagged["evaluator"]) == [facts["lenient_evaluator"]]
    assert flagged["label"].iloc[0] == "lenient"
    top = lr.iloc[0]
    assert top["evaluator"] == facts["lenient_evaluator"]
    assert top["ci_low"] < top["mean_diff"] < top["ci_high"]
    assert top["ci_low"] > 0  # the interval excludes zero: significant
    # the interval is the t interval: p < 0.05 <=> the interval excludes 0
    for _, r in lr.iterrows():
        assert (r["p_value"] < 0.05) == (r["ci_low"] > 0 or r["ci_high"] < 0)
    # without min_diff the others become "severe": the reason for the default
    plain = leniency(demo_con, D0, END)
    assert (plain["label"] == "severe").any()


def test_score_distribution_quantiles(demo_con):
    d = rv.score_distribution(demo_con, D0, END)
    assert d["evaluator"].iloc[-1] is None
    ev = d[d["evaluator"].notna()]
    assert ev["evaluations"].sum() == d["evaluations"].iloc[-1]
    assert (ev["p05"] <= ev["q1"]).all() and (ev["q1"] <= ev["median"]).all()
    assert (ev["median"] <= ev["q3"]).all() and (ev["q3"] <= ev["p95"]).all()
    name = demo_facts(6, END)["lenient_evaluator"]
    row = d[d["evaluator"] == name].iloc[0]
    scores = demo_con.execute(
        "SELECT total_score FROM monitoring WHERE evaluator = ? AND eval_date BETWEEN ? AND ? "
        "AND total_score IS NOT NULL", [name, D0, END]).df()["total_score"].to_numpy()
    assert row["median"] == pytest.approx(np.quantile(scores, 0.5))
    assert row["p05"] == pytest.approx(np.quantile(scores, 0.05))
    assert row["zero_scores"] == int((scores == 0).sum())


def test_alpha_band():
    assert rv.alpha_band(0.85) == "good"
    assert rv.alpha_band(0.8) == "good"
    assert rv.alpha_band(0.7) == "tentative"
    assert rv.alpha_band(0.3) == "low"
    assert rv.alpha_band(float("nan")) == "none"
    assert rv.alpha_band(None) == "none"


# --- compliance -------------------------------------------------------------------------------
def test_compliance_calendar_statuses(demo_con):
    cal = calendar.cn_calendar(D0, END)
    fr = rv.compliance_calendar(demo_con, D0, END, holidays=cal["holidays"], extra_workdays=cal["extra_workdays"],
                                as_of=END)
    # the Spring-Festival week (16-22 Feb 2026) has no working day: not required
    week = fr[(fr["requirement"] == "qa_call_test") & (fr["period_start"] == "2026-02-16")]
    assert week["status"].tolist() == ["holiday"] and week["working_days"].tolist() == [0]
    # nothing records senior-management reviews: no data, not missing
    assert set(fr.loc[fr["requirement"] == "management_review", "status"]) == {"no_data"}
    ov = rv.compliance_overview(fr)
    mr = ov[ov["requirement"] == "management_review"].iloc[0]
    assert mr["state"] == "no_data" and mr["missing"] == 0
    qc = ov[ov["requirement"] == "qa_call_test"].iloc[0]
    assert qc["holiday_periods"] == 1 and qc["state"] == "all_met"
    # with review dates the row is judged
    fr2 = rv.compliance_calendar(demo_con, D0, END, review_dates=[dt.date(2026, 6, 1)], as_of=END)
    assert fr2.loc[fr2["requirement"] == "management_review", "status"].tolist() == ["met"]


def test_compliance_calendar_missing_days_after_deleting():
    from qa_analytics import store

    c = store.connect(":memory:")
    load_demo(c, months=2, seed=3, end=dt.date(2026, 4, 30))
    c.execute("DELETE FROM monitoring WHERE eval_date IN ('2026-03-10', '2026-03-11')")
    cal = calendar.cn_calendar("2026-03-01", "2026-04-30", "hol")
    fr = rv.compliance_calendar(c, "2026-03-01", "2026-04-30", holidays=cal["holidays"], as_of="2026-04-30")
    ov = rv.compliance_overview(fr)
    mon = ov[ov["requirement"] == "qa_monitoring"].iloc[0]
    assert mon["missing_periods"] == [dt.date(2026, 3, 10), dt.date(2026, 3, 11)]
    days = rv.monitoring_days(fr, "2026-03-01", "2026-04-30", cal["holidays"], cal["extra_workdays"])
    assert len(days) == 31 + 30
    assert set(days.loc[days["status"] == "missing", "date"]) == {dt.date(2026, 3, 10), dt.date(2026, 3, 11)}
    assert days.loc[days["date"] == dt.date(2026, 4, 6), "day_type"].item() == "holiday"  # Qingming
    assert days.loc[days["date"] == dt.date(2026, 3, 7), "status"].item() == "off"
    c.close()


def test_compliance_calendar_team(demo_con):
    fr = rv.compliance_calendar(demo_con, D0, END, team="综合一组", as_of=END)
    team_rows = fr[fr["requirement"].isin(["qa_monitoring", "qa_call_test"])]
    assert set(team_rows["team"]) == {"综合一组"}
    assert fr.loc[fr["requirement"] == "system_check", "team"].isna().all()


def test_compliance_gaps_ignore_official_holidays_and_unrecorded_reviews(con):
    import datetime as dt

    from qa_analytics.demo.load import load_demo
    from qa_analytics.views.review import compliance_gaps

    load_demo(con, months=3, seed=1, end=dt.date(2026, 5, 31))
    gaps = compliance_gaps(con, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    # May Day (May 1-5) is an official holiday: not a missed monitoring day;
    # the management review has no data (not a miss)
    missed = {r.requirement: list(r.missing_periods) for r in gaps.itertuples()}
    assert dt.date(2026, 5, 1) not in missed.get("qa_monitoring", [])
    assert "management_review" not in missed
    from qa_analytics.analytics.compliance import REQUIREMENTS

    assert {r.id if hasattr(r, "id") else r[0] for r in REQUIREMENTS} >= {"qa_monitoring", "management_review"}


def test_estimated_calendar_fills_years_without_a_notice():
    """A year the State Council has not published: the fixed festivals with
    ``estimate``, none without; a published year is the same either way."""
    est = calendar.cn_calendar("2030-01-01", "2030-12-31", estimate=True)
    assert est["missing_years"] == [2030]
    lny = calendar.LUNAR_NEW_YEAR[2030]
    assert lny - dt.timedelta(days=1) in est["holidays"] and dt.date(2030, 10, 7) in est["holidays"]
    assert est["extra_workdays"] == []
    assert calendar.cn_calendar("2030-01-01", "2030-12-31")["holidays"] == []
    assert calendar.cn_calendar("2026-01-01", "2026-12-31", estimate=True) == \
        calendar.cn_calendar("2026-01-01", "2026-12-31")
