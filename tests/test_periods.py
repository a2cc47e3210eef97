"""core.periods: the comparison periods a review uses (issue 10), over
generated ranges, against a plain calendar model of months."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_analytics.core.periods import parse_period, previous_period, year_ago

D = dt.date


def month_end(y: int, m: int) -> dt.date:
    return (D(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))


@pytest.mark.parametrize("period, before", [
    ("2026-03", (D(2026, 2, 1), D(2026, 2, 28))),
    ("2026-11", (D(2026, 10, 1), D(2026, 10, 31))),
    ("2026-01", (D(2025, 12, 1), D(2025, 12, 31))),
    ("2026Q2", (D(2026, 1, 1), D(2026, 3, 31))),
    ("2026Q1", (D(2025, 10, 1), D(2025, 12, 31))),
    ("2026H1", (D(2025, 7, 1), D(2025, 12, 31))),
    ("2026H2", (D(2026, 1, 1), D(2026, 6, 30))),
])
def test_a_named_period_is_compared_with_the_one_before(period, before):
    assert previous_period(*parse_period(period)) == before


def test_the_examples_of_the_issue():
    # Jun-Nov 2026 against Dec 2025 - May 2026 (was 2025-11-30 - 2026-05-31)
    assert previous_period(D(2026, 6, 1), D(2026, 11, 30)) == (D(2025, 12, 1), D(2026, 5, 31))
    # a month to date against the same days of the month before
    assert previous_period(D(2026, 11, 1), D(2026, 11, 20)) == (D(2026, 10, 1), D(2026, 10, 20))
    # March 1-30 (not the whole month): the 30th exists in February? no: its last day
    assert previous_period(D(2026, 3, 1), D(2026, 3, 30)) == (D(2026, 2, 1), D(2026, 2, 28))
    # a free range: the same length, ending the day before
    assert previous_period(D(2026, 3, 10), D(2026, 3, 16)) == (D(2026, 3, 3), D(2026, 3, 9))


def test_year_ago():
    assert year_ago(*parse_period("2026H1")) == (D(2025, 1, 1), D(2025, 6, 30))
    assert year_ago(D(2024, 2, 1), D(2024, 2, 29)) == (D(2023, 2, 1), D(2023, 2, 28))
    assert year_ago(D(2024, 2, 29), D(2024, 3, 10)) == (D(2023, 2, 28), D(2023, 3, 10))


@st.composite
def whole_months(draw):
    y = draw(st.integers(2000, 2100))
    m = draw(st.integers(1, 12))
    k = draw(st.integers(1, 24))
    end_y, end_m = divmod(m - 1 + k - 1, 12)
    return D(y, m, 1), month_end(y + end_y, end_m + 1), k


@settings(max_examples=300, deadline=None)
@given(whole_months())
def test_whole_months_move_back_by_their_number_and_touch(r):
    d0, d1, k = r
    p0, p1 = previous_period(d0, d1)
    assert p1 == d0 - dt.timedelta(days=1)  # no gap, no overlap
    assert p0.day == 1 and (p1 + dt.timedelta(days=1)).day == 1
    assert (d0.year - p0.year) * 12 + d0.month - p0.month == k


@settings(max_examples=300, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2100, 1, 1)), st.integers(0, 400))
def test_any_range_has_a_previous_period_before_it(d0, length):
    d1 = d0 + dt.timedelta(days=length)
    p0, p1 = previous_period(d0, d1)
    assert p0 <= p1 < d0
    if d0.day != 1:  # a free range: same length, ending the day before
        assert p1 == d0 - dt.timedelta(days=1) and (p1 - p0) == (d1 - d0)
    y0, y1 = year_ago(d0, d1)
    assert y0 <= y1 and abs((y0 - d0).days + 365.25) <= 1.5
