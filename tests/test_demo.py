"""Tests for the demo data generator: shape, types, ids, and the planted patterns.

The patterns are what later control charts are demonstrated on, so each one is
checked to be *measurably* present, not just configured.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from qa_analytics.demo.generate import DEMO_FACTS, QA_ITEMS, demo_facts, generate_demo
from qa_analytics.store.schema import KINDS

END = dt.date(2025, 10, 31)
MONTHS = 12
SEED = 7
KIND_FRAMES = ("monitoring", "call_test", "survey", "roster", "system_check")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate_demo(MONTHS, SEED, END)


@pytest.fixture(scope="module")
def facts() -> dict:
    return demo_facts(MONTHS, END)


@pytest.fixture(scope="module")
def regular(demo: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monitoring without the calibration copies (they repeat one contact)."""
    m = demo["monitoring"]
    return m[~m["comments"].str.startswith("校准会", na=False)]


def _satisfied(survey: pd.DataFrame, facts: dict) -> pd.Series:
    return survey["rating"].isin(facts["satisfied_ratings"])


# --------------------------------------------------------------------------
# Determinism and shape
# --------------------------------------------------------------------------


def test_same_inputs_give_identical_frames(demo: dict[str, pd.DataFrame]) -> None:
    again = generate_demo(MONTHS, SEED, END)
    assert again.keys() == demo.keys()
    for name in demo:
        pd.testing.assert_frame_equal(again[name], demo[name])


def test_different_seed_gives_different_events_same_center() -> None:
    a = generate_demo(3, 1, END)
    b = generate_demo(3, 2, END)
    assert not a["monitoring"].equals(b["monitoring"])
    assert not a["survey"].equals(b["survey"])
    # the center (people, teams, moves) is the same for every seed
    pd.testing.assert_frame_equal(a["roster"], b["roster"])
    pd.testing.assert_frame_equal(a["roster_history"], b["roster_history"])


def test_frame_keys_and_canonical_columns(demo: dict[str, pd.DataFrame]) -> None:
    assert set(demo) == {*KIND_FRAMES, "monitoring_item", "roster_history"}
    for kind in KIND_FRAMES:
        assert list(demo[kind].columns) == list(KINDS[kind].field_names), kind
    assert list(demo["roster_history"].columns) == list(KINDS["roster"].field_names)
    assert list(demo["monitoring_item"].columns) == ["eval_id", "item", "item_group", "points"]


def test_column_types(demo: dict[str, pd.DataFrame]) -> None:
    for kind in KIND_FRAMES:
        df = demo[kind]
        for f in KINDS[kind].fields:
            col = df[f.name]
            if f.role in ("date", "timestamp", "datetime"):
                assert pd.api.types.is_datetime64_any_dtype(col), (kind, f.name)
                if f.role == "date":
                    assert (col.dropna() == col.dropna().dt.normalize()).all(), (kind, f.name)
            elif f.role == "bool":
                assert col.dtype == bool, (kind, f.name)
            elif f.sql_type == "DOUBLE":
                assert col.dtype == np.float64, (kind, f.name)
            elif f.sql_type == "INTEGER":
                assert pd.api.types.is_integer_dtype(col), (kind, f.name)
            else:
                assert pd.api.types.is_string_dtype(col), (kind, f.name)
    assert demo["monitoring_item"]["points"].dtype == np.float64


def test_required_fields_filled(demo: dict[str, pd.DataFrame]) -> None:
    for kind in KIND_FRAMES:
        for f in KINDS[kind].fields:
            if f.required:
                assert demo[kind][f.name].notna().all(), (kind, f.name)


# --------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------


def _date_part(ids: pd.Series, start: int) -> pd.Series:
    return pd.to_datetime(ids.str.slice(start, start + 8), format="%Y%m%d")


def test_id_formats_and_uniqueness(demo: dict[str, pd.DataFrame]) -> None:
    m, t, s = demo["monitoring"], demo["call_test"], demo["survey"]
    assert m["eval_id"].str.fullmatch(r"QM\d{13}").all()
    assert m["eval_id"].is_unique
    assert (_date_part(m["eval_id"], 2) == m["eval_date"]).all()
    assert t["test_id"].str.fullmatch(r"CT\d{11}").all()
    assert t["test_id"].is_unique
    assert (_date_part(t["test_id"], 2) == t["test_date"]).all()
    assert s["survey_id"].str.fullmatch(r"SV\d{13}").all()
    assert s["survey_id"].is_unique
    for df in (m, s):
        assert df["contact_id"].str.fullmatch(r"C\d{16}").all()
    assert s["contact_id"].is_unique
    sc = demo["system_check"]
    assert sc["check_id"].is_unique


def test_agent_ids_keep_leading_zeros(demo: dict[str, pd.DataFrame]) -> None:
    roster = demo["roster"]
    assert len(roster) == 120
    assert roster["agent_id"].is_unique
    assert roster["agent_id"].str.fullmatch(r"00\d{4}").all()
    known = set(roster["agent_id"])
    for kind in ("monitoring", "call_test", "survey"):
        assert set(demo[kind]["agent_id"]) <= known, kind
    # names: Chinese, unique, consistent with the roster
    assert roster["agent_name"].is_unique
    assert roster["agent_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    names = dict(zip(roster["agent_id"], roster["agent_name"]))
    m = demo["monitoring"]
    assert (m["agent_name"] == m["agent_id"].map(names)).all()


# --------------------------------------------------------------------------
# Value ranges and internal consistency
# --------------------------------------------------------------------------


def test_monitoring_scores_and_items(demo: dict[str, pd.DataFrame]) -> None:
    m, items = demo["monitoring"], demo["monitoring_item"]
    assert m["total_score"].between(0, 100).all()
    assert (m.loc[m["critical_error"], "total_score"] == 0).all()
    assert 0.005 < m["critical_error"].mean() < 0.025
    # one row per eval and form item, in the form's order
    assert len(items) == len(m) * len(QA_ITEMS)
    assert list(items["item"].iloc[: len(QA_ITEMS)]) == [it[0] for it in QA_ITEMS]
    assert set(items["eval_id"]) == set(m["eval_id"])
    pts = items["points"]
    assert (pts.dropna() <= 0).all()
    assert not np.signbit(pts[pts == 0]).any()  # no "-0.0"
    maxima = items["item"].map({it[0]: it[2] for it in QA_ITEMS})
    assert (pts.dropna() >= -maxima[pts.notna()]).all()
    # total = 100 + deductions, unless a critical error zeroed it
    total = 100 + items.groupby("eval_id", sort=False)["points"].sum().reindex(m["eval_id"]).to_numpy()
    ok = ~m["critical_error"].to_numpy()
    np.testing.assert_allclose(total[ok], m["total_score"].to_numpy()[ok])
    # text channels have no 语速语调
    speech = items[items["item"] == "语速语调"].set_index("eval_id")["points"]
    nonvoice = m.loc[m["channel"] != "voice", "eval_id"]
    assert speech.reindex(nonvoice).isna().all()


def test_monitoring_calendar_and_channels(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    m = demo["monitoring"]
    d = m["eval_date"]
    assert d.min() >= pd.Timestamp(facts["period_start"])
    assert d.max() <= pd.Timestamp(facts["period_end"])
    # Monday..Friday, or an official make-up working day (调休) on a weekend
    from qa_analytics.core.calendar import cn_calendar

    makeup = pd.to_datetime(cn_calendar(d.min().date(), d.max().date())["extra_workdays"])
    assert ((d.dt.day_of_week < 5) | d.isin(makeup)).all()
    assert d.isin(makeup).any() or len(makeup) == 0
    assert not ((d.dt.month == 10) & (d.dt.day <= 7)).any()  # National Day week
    assert (m["eval_time"].dt.normalize() == d).all()
    assert m["channel"].value_counts(normalize=True)["voice"] > 0.8
    assert {"sms", "chat", "app", "email"} <= set(m["channel"])
    # non-voice evaluations every month, not only for the online team
    nv = m[m["channel"] != "voice"]
    assert nv["eval_date"].dt.to_period("M").nunique() == d.dt.to_period("M").nunique()
    assert (nv["team"] != "线上客服组").sum() > 0
    # roughly 3-5 evaluations per agent and week
    per_week = len(m) / m["agent_id"].nunique() / (len(pd.date_range(d.min(), d.max(), freq="D")) / 7)
    assert 3.0 < per_week < 5.5


def test_appeals(demo: dict[str, pd.DataFrame]) -> None:
    a = demo["monitoring"]["appeal_status"]
    assert 0.015 < a.notna().mean() < 0.05
    assert set(a.dropna()) <= {"申诉中", "申诉成功", "申诉驳回"}


def test_call_test_values(demo: dict[str, pd.DataFrame]) -> None:
    t = demo["call_test"]
    assert t["score"].between(0, 100).all()
    assert (t["passed"] == (t["score"] >= 80)).all()
    assert set(t["tester_type"]) == {"qa", "leadership", "third_party"}
    assert t["scenario"].notna().all()


def test_survey_ratings(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    s = demo["survey"]
    digits = {"1", "2", "3", "4", "5"}
    words = set(facts["rating_labels"].values())
    assert set(s["rating"]) <= digits | words
    share_words = s["rating"].isin(words).mean()
    assert 0.03 < share_words < 0.4  # a second survey system answers in words
    assert (s["survey_time"].dt.normalize() == s["survey_date"]).all()
    per_day = s.groupby("survey_date").size()
    assert 200 < per_day.median() < 900


def test_system_check_values(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    sc = demo["system_check"]
    assert set(sc["system"]) == set(facts["systems"])
    assert sc["availability_pct"].between(90, 100).all()
    assert (sc["incidents"] >= 0).all()
    assert sc["score"].between(0, 100).all()


# --------------------------------------------------------------------------
# Frequencies
# --------------------------------------------------------------------------


def test_qa_call_tests_every_working_week(demo: dict[str, pd.DataFrame]) -> None:
    t = demo["call_test"]
    qa = t[t["tester_type"] == "qa"]
    weeks = demo["monitoring"]["eval_date"].dt.to_period("W")
    per_week = qa.groupby(qa["test_date"].dt.to_period("W")).size()
    assert set(weeks) <= set(per_week.index)
    assert per_week.between(10, 20).all()


def test_leadership_tests_every_month(demo: dict[str, pd.DataFrame]) -> None:
    t = demo["call_test"]
    lead = t[t["tester_type"] == "leadership"]
    months = demo["monitoring"]["eval_date"].dt.to_period("M")
    assert set(months) <= set(lead["test_date"].dt.to_period("M"))
    assert lead["tester"].str.contains("主任|经理").all()


def test_third_party_rounds_quarterly(demo: dict[str, pd.DataFrame]) -> None:
    t = demo["call_test"]
    tp = t[t["tester_type"] == "third_party"]
    per_q = tp.groupby(tp["test_date"].dt.to_period("Q")).size()
    assert len(per_q) == 4  # twelve months: four rounds
    assert per_q.between(25, 35).all()
    # a round is one sitting of a few days
    assert (tp.groupby(tp["test_date"].dt.to_period("Q"))["test_date"].agg(lambda d: (d.max() - d.min()).days) <= 7).all()


def test_system_checks_every_quarter(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    sc = demo["system_check"]
    # every quarter that is over by the period's end (2025Q4 is not)
    quarters = pd.period_range(facts["period_start"], facts["period_end"], freq="Q")
    done = [q for q in quarters if q.end_time.date() <= facts["period_end"]]
    assert [str(q) for q in done] == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    per_q = sc.groupby(sc["check_date"].dt.to_period("Q"))["system"].nunique()
    assert list(per_q.index) == done
    assert (per_q == len(facts["systems"])).all()
    assert [d.date() for d in sorted(sc["check_date"].unique())] == facts["system_check_dates"]


def test_calibration_sessions(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    m = demo["monitoring"]
    cal = m[m["comments"].str.startswith(facts["calibration_comment"], na=False)]
    assert sorted(cal["eval_date"].dt.date.unique()) == facts["calibration_dates"]
    assert len(facts["calibration_dates"]) == MONTHS
    per_session = cal.groupby("eval_date")["contact_id"].nunique()
    assert (per_session == facts["calibration_contacts_per_session"]).all()
    raters = cal.groupby("contact_id")["evaluator"].agg(["nunique", "size"])
    assert raters["nunique"].between(3, 4).all()
    assert (raters["nunique"] == raters["size"]).all()  # one score per evaluator
    assert (cal.groupby("contact_id")["agent_id"].nunique() == 1).all()
    # outside calibration a contact is evaluated once
    rest = m.drop(cal.index)
    assert rest["contact_id"].is_unique
    assert not set(rest["contact_id"]) & set(cal["contact_id"])


# --------------------------------------------------------------------------
# Roster and team moves
# --------------------------------------------------------------------------


def test_roster_moves_and_history(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    roster = demo["roster"].set_index("agent_id")
    hist = demo["roster_history"]
    moves = facts["team_moves"]
    assert 3 <= len(moves) <= 12
    assert len(hist) == len(moves)
    assert set(roster["team"]) == set(facts["teams"])
    for mv in moves:
        row = roster.loc[mv["agent_id"]]
        assert row["team"] == mv["to_team"]
        assert row["effective_date"].date() == mv["effective_date"]
        h = hist[hist["agent_id"] == mv["agent_id"]].iloc[0]
        assert h["team"] == mv["from_team"]
        assert h["effective_date"] < row["effective_date"]
    movers = {mv["agent_id"] for mv in moves}
    stay = roster[~roster.index.isin(movers)]
    assert (stay["effective_date"] == stay["hire_date"]).all()


def test_records_carry_team_in_force(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    m = demo["monitoring"]
    for mv in facts["team_moves"]:
        mine = m[m["agent_id"] == mv["agent_id"]]
        before = mine[mine["eval_date"] < pd.Timestamp(mv["effective_date"])]
        after = mine[mine["eval_date"] >= pd.Timestamp(mv["effective_date"])]
        assert (before["team"] == mv["from_team"]).all()
        assert (after["team"] == mv["to_team"]).all()
    hires = demo["roster"].set_index("agent_id")["hire_date"]
    assert (m["eval_date"] >= m["agent_id"].map(hires)).all()


# --------------------------------------------------------------------------
# Planted patterns
# --------------------------------------------------------------------------


def test_trained_team_improves_after_training(regular: pd.DataFrame, facts: dict) -> None:
    team = regular[regular["team"] == facts["trained_team"]]
    after = team["eval_date"] >= pd.Timestamp(facts["training_date"])
    step = team.loc[after, "total_score"].mean() - team.loc[~after, "total_score"].mean()
    assert step > 2
    crit_before = team.loc[~after, "critical_error"].mean()
    crit_after = team.loc[after, "critical_error"].mean()
    assert crit_after < 0.75 * crit_before
    # the others do not step up at that date
    others = regular[regular["team"] != facts["trained_team"]]
    o_after = others["eval_date"] >= pd.Timestamp(facts["training_date"])
    o_step = others.loc[o_after, "total_score"].mean() - others.loc[~o_after, "total_score"].mean()
    assert step - o_step > 2


def test_lenient_evaluator(regular: pd.DataFrame, facts: dict) -> None:
    lenient = regular["evaluator"] == facts["lenient_evaluator"]
    assert regular.loc[lenient, "total_score"].mean() - regular.loc[~lenient, "total_score"].mean() > 3
    # comparable contacts: the lenient evaluator sees the same mix of teams
    mix = pd.crosstab(regular["evaluator"], regular["team"], normalize="index")
    assert (mix.loc[facts["lenient_evaluator"]] - mix.drop(facts["lenient_evaluator"]).mean()).abs().max() < 0.03
    # ... and is lenient in calibration too, on literally the same contacts
    assert set(facts["evaluators"]) == set(regular["evaluator"])


def test_drifting_agent(regular: pd.DataFrame, facts: dict) -> None:
    mine = regular[regular["agent_id"] == facts["drifting_agent_id"]]
    month = mine["eval_date"].dt.to_period("M")
    months = sorted(month.unique())
    first = mine.loc[month.isin(months[:3]), "total_score"].mean()
    last = mine.loc[month.isin(months[-3:]), "total_score"].mean()
    assert first - last > 3
    # steady: the monthly means over the drift window trend downwards
    window = mine[mine["eval_date"] >= pd.Timestamp(facts["drift_start"])]
    monthly = window.groupby(window["eval_date"].dt.to_period("M"))["total_score"].median()
    assert np.polyfit(np.arange(len(monthly)), monthly.to_numpy(), 1)[0] < -0.5


def test_trouble_week(demo: dict[str, pd.DataFrame], facts: dict) -> None:
    s = demo["survey"]
    sat = _satisfied(s, facts)
    ws, we = pd.Timestamp(facts["trouble_week_start"]), pd.Timestamp(facts["trouble_week_end"])
    assert ws.day_of_week == 0 and (we - ws).days == 4
    week = s["survey_date"].between(ws, we)
    before = s["survey_date"].between(ws - pd.Timedelta(days=14), ws - pd.Timedelta(days=1))
    after = s["survey_date"].between(we + pd.Timedelta(days=1), we + pd.Timedelta(days=14))
    assert sat[week].mean() < sat[before].mean() - 0.15
    assert sat[week].mean() < sat[after].mean() - 0.15
    # the quarter's system check shows it
    sc = demo["system_check"]
    q = sc[sc["check_date"].dt.to_period("Q") == ws.to_period("Q")]
    assert len(q) == len(facts["systems"])
    bad = q["system"].isin(facts["trouble_systems"])
    assert q.loc[bad, "availability_pct"].max() < q.loc[~bad, "availability_pct"].min()
    assert q.loc[bad, "incidents"].min() > q.loc[~bad, "incidents"].max()
    others = sc[(sc["check_date"].dt.to_period("Q") != ws.to_period("Q"))]
    assert q.loc[bad, "availability_pct"].max() < others["availability_pct"].min()


def test_seasonal_dip(regular: pd.DataFrame, demo: dict[str, pd.DataFrame], facts: dict) -> None:
    assert facts["seasonal_dip_months"] == ["2025-01", "2025-07", "2025-08"]
    base = regular[
        (regular["team"] != facts["trained_team"]) & (regular["agent_id"] != facts["drifting_agent_id"])
    ]
    dip = base["eval_date"].dt.strftime("%Y-%m").isin(facts["seasonal_dip_months"])
    assert base.loc[~dip, "total_score"].mean() - base.loc[dip, "total_score"].mean() > 1
    s = demo["survey"]
    sat = _satisfied(s, facts)
    sdip = s["survey_date"].dt.strftime("%Y-%m").isin(facts["seasonal_dip_months"])
    trouble = s["survey_date"].between(
        pd.Timestamp(facts["trouble_week_start"]), pd.Timestamp(facts["trouble_week_end"])
    )
    assert sat[~sdip & ~trouble].mean() - sat[sdip].mean() > 0.02


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------


def test_facts_are_consistent(facts: dict) -> None:
    assert facts["period_start"] == dt.date(2024, 11, 1)
    assert facts["period_end"] == END
    assert facts["trained_team"] in facts["teams"]
    assert facts["lenient_evaluator"] in facts["evaluators"]
    assert len(facts["teams"]) == 8 and 6 <= len(facts["evaluators"]) <= 8
    start, end = facts["period_start"], facts["period_end"]
    for key in ("training_date", "trouble_week_start", "trouble_week_end", "drift_start"):
        assert start <= facts[key] <= end, key
    assert abs((facts["trouble_week_start"] - facts["training_date"]).days) >= 21
    assert facts["drifting_agent_id"].startswith("00")
    assert not any(mv["agent_id"] == facts["drifting_agent_id"] for mv in facts["team_moves"])
    assert all(mv["to_team"] != facts["trained_team"] for mv in facts["team_moves"])


def test_default_facts_match_default_call() -> None:
    assert DEMO_FACTS == demo_facts()
    assert DEMO_FACTS["period_end"] == dt.date.today().replace(day=1) - dt.timedelta(days=1)


def test_months_validation_and_short_periods() -> None:
    with pytest.raises(ValueError):
        generate_demo(0)
    short = generate_demo(1, 3, dt.date(2025, 3, 14))  # ends mid-month
    assert short["monitoring"]["eval_date"].max() <= pd.Timestamp("2025-03-14")
    assert short["monitoring"]["eval_date"].min() >= pd.Timestamp("2025-02-15")
    for kind in KIND_FRAMES:
        assert list(short[kind].columns) == list(KINDS[kind].field_names)


def test_default_size() -> None:
    # (its speed is measured in bench/pages_bench.py, not asserted in a unit test)
    full = generate_demo(end=END)
    assert 38_000 <= len(full["monitoring"]) <= 60_000
    assert 150_000 <= len(full["survey"]) <= 250_000
    f18 = demo_facts(end=END)
    assert f18["training_date"] == dt.date(2025, 1, 6)  # month 9 of 18


def test_without_patterns_the_same_center_and_events_without_the_planted_effects(
    demo: dict[str, pd.DataFrame], facts: dict
) -> None:
    plain = generate_demo(MONTHS, SEED, END, patterns=False)
    # the same agents, evaluators, contacts and ids: only the planted effects differ
    for kind in ("monitoring", "call_test", "survey", "system_check", "roster"):
        assert len(plain[kind]) == len(demo[kind]), kind
    assert plain["monitoring"]["eval_id"].equals(demo["monitoring"]["eval_id"])
    assert plain["roster"].equals(demo["roster"])
    m = plain["monitoring"]
    lenient = m["evaluator"] == facts["lenient_evaluator"]
    assert abs(m.loc[lenient, "total_score"].mean() - m.loc[~lenient, "total_score"].mean()) < 1.5
    checks = plain["system_check"]
    # no trouble quarter: every system available as usual, no outage to rectify
    assert (checks["availability_pct"] > 99.8).all()
    assert not checks["notes"].str.contains("需整改", na=False).any()
