"""Tests of qa_analytics.analytics.compliance on a small hand-built store (Q1 2024)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_analytics import store
from qa_analytics.analytics import compliance as comp
from qa_analytics.analytics.compliance import (
    REQUIREMENT_BY_ID,
    calendar_periods,
    compliance,
    compliance_summary,
    is_working_day,
    summarize_compliance,
    working_days,
)
from qa_analytics.core.codes import say
from qa_analytics.core.periods import period_end, period_start

from conftest import insert_rows as insert

D = dt.date


def days(d0: dt.date, d1: dt.date):
    d = d0
    while d <= d1:
        yield d
        d += dt.timedelta(days=1)


# ---------------------------------------------------------------------------
# calendar
# ---------------------------------------------------------------------------
def test_working_days_known_months():
    # May 2024: 31 days, Wed 1 .. Fri 31, 8 weekend days -> 23 working days
    assert working_days(D(2024, 5, 1), D(2024, 5, 31)) == 23
    # China 2024 May-Day: holidays 1-3 May (weekdays), make-up working Saturday 11 May
    hol = [D(2024, 5, 1), D(2024, 5, 2), D(2024, 5, 3)]
    assert working_days("2024-05-01", "2024-05-31", holidays=hol) == 20
    assert working_days(D(2024, 5, 1), D(2024, 5, 31), hol, [D(2024, 5, 11)]) == 21
    assert working_days(D(2024, 5, 31), D(2024, 5, 1)) == 0
    assert working_days(D(2024, 5, 4), D(2024, 5, 5)) == 0  # a weekend
    assert is_working_day(D(2024, 5, 11), extra_workdays=[D(2024, 5, 11)])
    assert not is_working_day(D(2024, 5, 2), holidays=hol)
    # Q1 2024 (leap year): Jan 23, Feb 21, Mar 21
    assert [working_days(s, e) for s, e in calendar_periods(D(2024, 1, 1), D(2024, 3, 31), "month")] == [23, 21, 21]


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 12, 31)),
    length=st.integers(0, 120),
    hol=st.lists(st.dates(min_value=D(2020, 1, 1), max_value=D(2027, 6, 30)), max_size=10),
    extra=st.lists(st.dates(min_value=D(2020, 1, 1), max_value=D(2027, 6, 30)), max_size=5),
)
def test_working_days_matches_brute_force_and_adds_up(start, length, hol, extra):
    end = start + dt.timedelta(days=length)
    brute = sum(1 for d in days(start, end) if d in extra or (d.weekday() < 5 and d not in hol))
    assert working_days(start, end, hol, extra) == brute
    # the workday periods are exactly those days, and months add up (clipped to the range)
    assert len(calendar_periods(start, end, "workday", hol, extra)) == brute
    per = calendar_periods(start, end, "month")
    assert sum(working_days(max(s, start), min(e, end), hol, extra) for s, e in per) == brute


def test_period_bounds():
    assert period_start(D(2024, 5, 17), "week") == D(2024, 5, 13)  # Monday
    assert period_end(D(2024, 5, 13), "week") == D(2024, 5, 19)
    assert period_start("2024-05-17", "quarter") == D(2024, 4, 1)
    assert period_end(D(2024, 4, 1), "quarter") == D(2024, 6, 30)
    assert period_start(D(2024, 8, 9), "half_year") == D(2024, 7, 1)
    assert period_end(D(2024, 7, 1), "half_year") == D(2024, 12, 31)
    assert period_end(D(2024, 2, 1), "month") == D(2024, 2, 29)
    assert period_end(D(2024, 12, 1), "month") == D(2024, 12, 31)
    # whole periods overlapping the range
    assert calendar_periods(D(2024, 1, 15), D(2024, 3, 10), "month") == [
        (D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 3, 1), D(2024, 3, 31)),
    ]
    assert len(calendar_periods(D(2024, 1, 1), D(2024, 3, 31), "week")) == 13  # 1 Jan 2024 is a Monday
    assert calendar_periods(D(2024, 2, 10), D(2024, 2, 12), "workday") == [(D(2024, 2, 12), D(2024, 2, 12))]
    with pytest.raises(ValueError):
        calendar_periods(D(2024, 1, 1), D(2024, 1, 2), "fortnight")
    with pytest.raises(ValueError):
        calendar_periods(D(2024, 1, 2), D(2024, 1, 1), "month")


# ---------------------------------------------------------------------------
# the store fixture: Q1 2024
# ---------------------------------------------------------------------------
MISSING_DAYS = (D(2024, 2, 5), D(2024, 3, 11))
MISSING_WEEK = D(2024, 2, 12)


@pytest.fixture
def con():
    c = store.connect(":memory:")
    insert(c, "roster", [
        {"agent_id": "x1", "team": "B", "effective_date": D(2023, 1, 1)},
        {"agent_id": "x2", "team": "A", "effective_date": D(2023, 1, 1)},
    ])
    def m(d, channel="voice", agent="x2", team="A"):
        return {"eval_date": d, "agent_id": agent, "team": team, "total_score": 90.0, "channel": channel}

    mon = [m(d) for d in days(D(2024, 1, 1), D(2024, 3, 31)) if d.weekday() < 5 and d not in MISSING_DAYS]
    mon += [
        m(D(2024, 1, 6)),  # a Saturday: not a period
        m(D(2024, 1, 10), "chat"),
        m(D(2024, 3, 20), "email"),
        # team B's only monitoring: team resolved from the roster (row has no team)
        m(D(2024, 1, 3), agent="x1", team=None),
    ]
    insert(c, "monitoring", mon)
    tests = []
    for w in range(13):
        monday = D(2024, 1, 1) + dt.timedelta(weeks=w)
        if monday != MISSING_WEEK:
            tests.append(
                {"test_date": monday + dt.timedelta(days=2), "tester_type": "qa", "agent_id": "x2", "team": "A"}
            )
    tests += [
        {"test_date": D(2024, 1, 25), "tester_type": "leadership", "agent_id": "x2", "team": "A"},
        {"test_date": D(2024, 3, 5), "tester_type": "leadership", "agent_id": "x1"},  # team B via roster
        {"test_date": D(2024, 2, 14), "tester_type": "third_party", "agent_id": "x2", "team": "A"},
    ]
    insert(c, "call_test", tests)
    insert(c, "system_check", [{"check_date": D(2024, 3, 28), "system": "CRM"}])
    yield c
    c.close()


Q1 = (D(2024, 1, 1), D(2024, 3, 31))


def test_compliance_calendar_rows(con):
    out = compliance(con, *Q1, as_of=D(2024, 3, 31))
    assert list(out.columns) == [
        "requirement", "frequency", "period_start", "period_end",
        "team", "expected", "done", "met", "status", "counted_from",
    ]
    assert list(dict.fromkeys(out.requirement)) == [r.id for r in comp.REQUIREMENTS]
    assert out.team.isna().all() and (out.expected == 1).all()

    daily = out[out.requirement == "qa_monitoring"]
    assert len(daily) == 65  # working days of Q1 2024; the Saturday is not a period
    missing = daily[~daily.met]
    assert [d.date() for d in missing.period_start] == list(MISSING_DAYS)
    assert (missing.status == "missing").all() and (missing.done == 0).all()
    assert daily.set_index("period_start").loc["2024-01-10", "done"] == 2  # voice + chat
    assert daily.set_index("period_start").loc["2024-01-03", "done"] == 2  # A + B's agent

    weekly = out[out.requirement == "qa_call_test"]
    assert len(weekly) == 13 and weekly.met.sum() == 12
    assert weekly[~weekly.met].period_start.iloc[0] == np.datetime64(MISSING_WEEK)

    lead = out[out.requirement == "leadership_call_test"]  # the third-party test does not count
    assert lead.met.tolist() == [True, False, True]
    nv = out[out.requirement == "non_voice_monitoring"]
    assert nv.done.tolist() == [1, 0, 1] and nv.status.tolist() == ["met", "missing", "met"]

    sc = out[out.requirement == "system_check"].iloc[0]
    assert (sc.period_start, sc.period_end) == (np.datetime64("2024-01-01"), np.datetime64("2024-03-31"))
    assert sc.done == 1 and sc.status == "met"

    rev = out[out.requirement == "management_review"].iloc[0]
    assert rev.period_end == np.datetime64("2024-06-30")
    assert rev.done == 0 and not rev.met and rev.status == "in_progress"  # H1 not over by 31 Mar
    assert say(REQUIREMENT_BY_ID[rev.requirement], "zh") == "中心领导质量评审：每半年开展"


def test_compliance_summary_known_answers(con):
    s = compliance_summary(con, *Q1, as_of=D(2024, 3, 31)).set_index("requirement")
    assert list(s.reset_index().columns) == [
        "requirement", "frequency", "team", "periods", "met", "missing",
        "rate", "in_progress", "missing_periods",
    ]
    d = s.loc["qa_monitoring"]
    assert (d.periods, d.met, d.missing) == (65, 63, 2)
    assert d.rate == pytest.approx(63 / 65)
    assert d.missing_periods == list(MISSING_DAYS)
    w = s.loc["qa_call_test"]
    assert (w.periods, w.met, w.missing_periods) == (13, 12, [MISSING_WEEK])
    assert s.loc["leadership_call_test"].missing_periods == [D(2024, 2, 1)]
    assert s.loc["system_check"].rate == 1.0
    r = s.loc["management_review"]
    assert (r.periods, r.in_progress) == (0, 1) and math.isnan(r.rate)


def test_review_dates_and_expected_override(con):
    out = compliance(
        con, D(2023, 7, 1), D(2024, 3, 31), as_of=D(2024, 3, 31),
        review_dates=[D(2024, 2, 20)], requirements=["management_review", "leadership_call_test"],
        expected={"leadership_call_test": 2},
    )
    rev = out[out.requirement == "management_review"]
    # H2 2023 lies before the store's first record (January 2024): not counted (issue 10);
    # H1 2024 has a review (met already, still in progress)
    assert rev.status.tolist() == ["before_start", "in_progress"] and rev.met.tolist() == [False, True]
    assert (rev.counted_from == np.datetime64("2024-01-01")).all()
    # with the programme said to start in July 2023, H2 2023 had no review: missing
    since = compliance(con, D(2023, 7, 1), D(2024, 3, 31), as_of=D(2024, 3, 31), review_dates=[D(2024, 2, 20)],
                       requirements=["management_review"], programme_start=D(2023, 7, 1))
    assert since.status.tolist() == ["missing", "in_progress"]
    lead = out[out.requirement == "leadership_call_test"]
    assert (lead.expected == 2).all() and not lead.met.any()
    with pytest.raises(ValueError):
        compliance(con, *Q1, requirements=["coffee_breaks"])
    with pytest.raises(ValueError):
        compliance(con, D(2024, 3, 1), D(2024, 1, 1))


def test_edge_periods_are_judged_whole_and_in_progress(con):
    # Range 15 Jan - 10 Feb: January and February are reported whole.  January's
    # non-voice evaluation (10 Jan) lies before the range but counts.
    out = compliance(con, D(2024, 1, 15), D(2024, 2, 10), as_of=D(2024, 2, 10),
                     requirements=["non_voice_monitoring", "qa_monitoring", "qa_call_test"])
    nv = out[out.requirement == "non_voice_monitoring"]
    assert nv.period_start.tolist() == [np.datetime64("2024-01-01"), np.datetime64("2024-02-01")]
    assert nv.status.tolist() == ["met", "in_progress"]  # February not over on 10 Feb
    daily = out[out.requirement == "qa_monitoring"]
    assert daily.period_start.min() == np.datetime64("2024-01-15")  # workdays inside the range
    assert daily.period_start.max() == np.datetime64("2024-02-09")
    # as_of earlier than the range end: later days are not judged
    early = compliance(con, D(2024, 2, 1), D(2024, 2, 29), as_of=D(2024, 2, 7),
                       requirements=["qa_monitoring", "qa_call_test"])
    st_ = early[early.requirement == "qa_monitoring"].set_index("period_start").status
    assert st_.loc["2024-02-05"] == "missing" and st_.loc["2024-02-08"] == "not_started"
    wk = early[early.requirement == "qa_call_test"].set_index("period_start").status
    # week of 5 Feb: its test was on Wed 7 Feb -> met, though the week is not over
    assert early[(early.requirement == "qa_call_test")].set_index("period_start").loc["2024-02-05", "met"]
    assert wk.loc["2024-02-05"] == "in_progress" and wk.loc["2024-01-29"] == "met"
    summ = summarize_compliance(early).set_index("requirement")
    assert summ.loc["qa_monitoring"].periods == 5  # 1, 2, 5, 6, 7 Feb
    assert summ.loc["qa_monitoring"].missing_periods == [D(2024, 2, 5)]


def test_holidays_remove_days(con):
    s = compliance_summary(con, *Q1, as_of=D(2024, 3, 31), holidays=list(MISSING_DAYS),
                           requirements=["qa_monitoring"])
    assert (s.periods.iloc[0], s.missing.iloc[0], s.rate.iloc[0]) == (63, 0, 1.0)


def test_by_team(con):
    out = compliance(con, *Q1, by_team=True, as_of=D(2024, 3, 31))
    assert set(out[out.requirement == "qa_monitoring"].team) == {"A", "B"}
    assert out[out.requirement == "system_check"].team.isna().all()  # center level
    s = summarize_compliance(out)
    key = s.set_index(["requirement", s.team.fillna("-")])
    b = key.loc[("qa_monitoring", "B")]
    assert (b.periods, b.met) == (65, 1)  # only 3 Jan, through the roster
    a = key.loc[("qa_monitoring", "A")]
    assert (a.met, a.missing_periods) == (63, list(MISSING_DAYS))
    lead_b = key.loc[("leadership_call_test", "B")]
    assert (lead_b.met, lead_b.missing_periods) == (1, [D(2024, 1, 1), D(2024, 2, 1)])
    assert key.loc[("system_check", "-")].met == 1
    only = compliance(con, *Q1, by_team=True, teams=["B"], as_of=D(2024, 3, 31),
                      requirements=["qa_call_test"])
    assert set(only.team) == {"B"} and only.done.sum() == 0


def test_empty_store_counts_nothing_missing_until_a_programme_start():
    """Issue 10: with nothing stored no period is missing ('漏做 126 期' before any data);
    given a programme start, every period from it on is."""
    c = store.connect(":memory:")
    s = compliance_summary(c, *Q1, as_of=D(2024, 12, 31))
    assert (s.periods == 0).all() and (s.missing == 0).all()
    s = compliance_summary(c, *Q1, as_of=D(2024, 12, 31), programme_start=Q1[0])
    assert (s.met == 0).all()
    assert s.set_index("requirement").loc["management_review"].missing_periods == [D(2024, 1, 1)]
    assert s.set_index("requirement").loc["qa_monitoring"].periods == 65


def test_counting_starts_at_the_first_record_of_each_kind():
    """Only November's surveys stored: nothing before them is missing, and each
    requirement starts at its own kind's first record."""
    c = store.connect(":memory:")
    insert(c, "survey", [{"survey_id": "S1", "survey_date": D(2026, 11, 5), "satisfaction": "satisfied"}])
    insert(c, "call_test", [{"test_date": D(2026, 9, 14), "tester_type": "qa", "agent_id": "x2", "team": "A"}])
    out = compliance(c, D(2026, 1, 1), D(2026, 11, 30), as_of=D(2026, 11, 30))
    mon = out[out.requirement == "qa_monitoring"]
    assert (mon.status == "before_start").all()  # no monitoring at all yet
    qa = out[out.requirement == "qa_call_test"]
    assert (qa[qa.period_end < np.datetime64("2026-09-14")].status == "before_start").all()
    assert (qa[qa.period_start > np.datetime64("2026-09-20")].status == "missing").any()
    rev = out[out.requirement == "management_review"]  # the reviews start with the first record of any kind
    assert rev.counted_from.iloc[0] == np.datetime64("2026-09-14")


def test_module_exports():
    for name in comp.__all__:
        assert hasattr(comp, name)
