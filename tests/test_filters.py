"""core.filters: one restriction object whose SQL keeps exactly the rows a
plain pandas mask keeps, for random filters over random rows (issue 9)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_analytics.core.filters import CHANNELS, EVAL_TYPES, Filter, channel_label

TEAMS = ["A", "B", "C", "张组"]
AGENTS = ["1001", "1002", "1003", "1004"]
CHANS = [None, "voice", "sms", "chat"]
TESTERS = [None, "qa", "leadership", "third_party"]
D0 = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    import random

    rng = random.Random(9)
    n = 400
    return pd.DataFrame({
        "d": [D0 + dt.timedelta(days=rng.randrange(120)) for _ in range(n)],
        "team": [rng.choice(TEAMS) for _ in range(n)],
        "agent_id": [rng.choice(AGENTS) for _ in range(n)],
        "channel": [rng.choice(CHANS) for _ in range(n)],
        "tester": [rng.choice(TESTERS) for _ in range(n)],
    })


def subset(values: list) -> st.SearchStrategy:
    return st.none() | st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)


@st.composite
def filters(draw) -> Filter:
    a = draw(st.none() | st.integers(0, 130))
    b = draw(st.none() | st.integers(0, 130))
    if a is not None and b is not None and a > b:
        a, b = b, a
    day = lambda k: None if k is None else D0 + dt.timedelta(days=k)  # noqa: E731
    return Filter(day(a), day(b), draw(subset(TEAMS)), draw(subset(AGENTS)),
                  draw(subset(["voice", "sms", "chat"])), draw(subset(["qa", "leadership", "third_party"])))


def pandas_mask(df: pd.DataFrame, f: Filter) -> pd.Series:
    """The reference: the same restriction written directly on the frame."""
    keep = pd.Series(True, index=df.index)
    if f.date_from is not None:
        keep &= df["d"] >= f.date_from
    if f.date_to is not None:
        keep &= df["d"] <= f.date_to
    for col, values in (("team", f.team), ("agent_id", f.agent), ("tester", f.tester)):
        if values is not None:
            keep &= df[col].isin(values)
    if f.channel is not None:
        keep &= df["channel"].fillna("voice").isin(f.channel)
    return keep


@settings(max_examples=150, deadline=None)
@given(f=filters())
def test_sql_keeps_what_the_reference_keeps(rows, f):
    con = duckdb.connect()
    con.register("t", rows.reset_index())
    where, params = f.where(date="r.d", team="r.team", agent="r.agent_id", channel="r.channel", tester="r.tester")
    got = sorted(x for (x,) in con.execute(f"SELECT r.index FROM t r{where}", params).fetchall())
    assert got == sorted(rows.index[pandas_mask(rows, f)].tolist())


def test_a_dimension_without_a_column_is_not_restricted():
    f = Filter.of(team="A", channel="chat", eval_type="qa")
    conds, params = f.conditions(team="x.team")
    assert conds == ["x.team = ?"] and params == ["A"]
    assert Filter().where(date="d") == ("", [])


def test_single_values_and_lists_are_the_same_filter():
    assert Filter.of(team="A") == Filter.of(team=["A"])
    assert hash(Filter.of(team="A", channel=["sms", "chat"])) == hash(Filter.of(team=("A",), channel=("sms", "chat")))
    with pytest.raises(ValueError, match="reversed"):
        Filter(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_kwargs_round_trip_and_merge():
    f = Filter.of(dt.date(2026, 1, 1), dt.date(2026, 3, 31), team="A", channel=["sms", "chat"], eval_type="qa")
    assert Filter.of(**f.kwargs()) == f
    merged = Filter.of(team="B", agent="1001").merged(f)
    assert merged.team == ("A",) and merged.agent == ("1001",) and merged.tester == ("qa",)


def test_previous_is_the_period_a_review_compares_with():
    f = Filter.of(dt.date(2026, 3, 1), dt.date(2026, 3, 31), team="A")
    p = f.previous()
    assert (p.date_from, p.date_to, p.team) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), ("A",))
    free = Filter.of(dt.date(2026, 3, 5), dt.date(2026, 3, 14)).previous()
    assert (free.date_from, free.date_to) == (dt.date(2026, 2, 23), dt.date(2026, 3, 4))
    y = f.year_ago()
    assert (y.date_from, y.date_to) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    with pytest.raises(ValueError):
        Filter().previous()


def test_eval_types_as_the_sidebar_offers_them():
    assert Filter.for_eval_type("call_test_third_party").tester == ("third_party",)
    nv = Filter.for_eval_type("nonvoice", ["voice", "sms", "chat"])
    assert nv.channel == ("sms", "chat") and nv.tester is None
    assert Filter.for_eval_type("nonvoice", ["voice"]).channel is None
    assert Filter.for_eval_type("nonvoice", ["voice", "sms"], channel="chat").channel == ("chat",)
    with pytest.raises(ValueError, match="unknown evaluation type"):
        Filter.for_eval_type("calls")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_words_in_one_language(lang):
    import re

    f = Filter.of(dt.date(2026, 1, 1), dt.date(2026, 6, 30), team=["A", "B"], channel=["sms", "voice"],
                  eval_type="leadership")
    text = f.words(lang)
    assert text.startswith("2026-01-01 – 2026-06-30")
    han = re.findall(r"[\u4e00-\u9fff]", text)
    if lang == "zh":
        assert "短信" in text and "语音" in text and "领导拨测" in text and "A、B" in text
    else:
        assert not han and "SMS" in text and "Voice" in text and "Leadership call tests" in text
    everything = Filter().words(lang, dates=False)
    assert everything == (" · ".join(["全部班组", "全部渠道"]) if lang == "zh" else "All teams · All channels")


def test_vocabularies_have_both_languages():
    for term in [*CHANNELS.values(), *EVAL_TYPES.values()]:
        assert term.label("zh") and term.label("en") and term.label("zh") != term.id
    assert channel_label("fax", "zh") == "fax" and channel_label(None, "zh") == "语音"
