"""Tests of qa_analytics.analytics.metric_spc: hand-computed small stores, spc as the
reference for the x-bar/S chart from summaries, and the demo's planted patterns."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.analytics.metric_spc import (
    ALERT_METRICS,
    ControlChartResult,
    agent_choices,
    charts_for,
    indicator_control_chart,
    key_episodes,
    period_label,
    signals_for_alerts,
)
from qa_analytics.core.codes import say
from qa_analytics.demo.generate import demo_facts
from qa_analytics.stats import spc

from conftest import insert_rows as insert

D = dt.date


def mon(date, score, agent="a1", team="T1", **kw) -> dict:
    return {"eval_date": date, "agent_id": agent, "team": team, "total_score": float(score), **kw}


# ---------------------------------------------------------------------------
# x-bar/S from per-period summaries
# ---------------------------------------------------------------------------
SUBGROUPS = {D(2025, 1, 10): [80, 90], D(2025, 2, 10): [70, 80, 90], D(2025, 3, 10): [90, 100],
             D(2025, 4, 10): [85, 95, 75, 88]}


@pytest.fixture
def scores(con):
    insert(con, "monitoring", [mon(d, s) for d, group in SUBGROUPS.items() for s in group])
    return con


def test_xbar_s_by_hand(scores):
    res = indicator_control_chart(scores, "qa_mean_score", grain="month", baseline=3)
    assert res.chart == res.auto_chart == "xbar_s"
    df = res.data
    # baseline = Jan..Mar: center = (170 + 240 + 190) / 7 = 85.7142857
    assert df["center"].iloc[0] == pytest.approx(600 / 7)
    # sigma = mean(7.0710678/c4(2), 10/c4(3), 7.0710678/c4(2)); c4(2) = 0.7978846, c4(3) = 0.8862269
    sigma = (7.0710678 / 0.7978846 + 10 / 0.8862269 + 7.0710678 / 0.7978846) / 3  # = 9.66949
    assert df.attrs["sigma_hat"] == pytest.approx(sigma, rel=1e-6)
    # April: n = 4, UCL = 85.714 + 3 * 9.66949 / 2 = 100.2185
    assert df["ucl"].iloc[3] == pytest.approx(600 / 7 + 3 * sigma / 2, rel=1e-6)
    assert df["lcl"].iloc[1] == pytest.approx(600 / 7 - 3 * sigma / math.sqrt(3), rel=1e-6)
    assert df["value"].tolist() == pytest.approx([85, 80, 95, 85.75])
    assert df["n"].tolist() == [2, 3, 2, 4]
    assert df["in_baseline"].tolist() == [True, True, True, False]
    assert res.baseline == 3


@pytest.mark.parametrize("baseline", [None, 2, 3])
def test_xbar_s_equals_spc_on_raw_scores(scores, baseline):
    res = indicator_control_chart(scores, "qa_mean_score", grain="month", baseline=baseline)
    ref = spc.control_chart(list(SUBGROUPS.values()), "xbar_s", baseline=baseline)
    for col in ("value", "center", "lcl", "ucl", "sigma", "n"):
        np.testing.assert_allclose(res.data[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9)
    assert res.data["signals"].tolist() == ref["signals"].tolist()
    assert res.data.attrs["sigma_hat"] == pytest.approx(ref.attrs["sigma_hat"], rel=1e-9)
    # the S chart beneath it, from the period summaries, equals spc's S chart on the raw scores
    s_ref = spc.control_chart(list(SUBGROUPS.values()), "s", rules=None, baseline=baseline)
    for col in ("value", "center", "lcl", "ucl", "n"):
        np.testing.assert_allclose(res.spread[col].to_numpy(float), s_ref[col].to_numpy(float), rtol=1e-9)


def test_xbar_s_signals_equal_spc_on_random_subgroups(con):
    rng = np.random.default_rng(7)
    groups = []
    for k in range(30):
        d = D(2024, 1, 1) + dt.timedelta(days=7 * k)
        shift = 6 if k >= 20 else 0  # a step up: rule 1/2/5/6 fire
        g = np.round(rng.normal(80 + shift, 8, size=int(rng.integers(3, 12))), 1).clip(0, 100)
        groups.append(g.tolist())
        insert(con, "monitoring", [mon(d, s) for s in g])
    for rules in ("nelson", "western_electric"):
        res = indicator_control_chart(con, "qa_mean_score", grain="week", rules=rules, baseline=20)
        ref = spc.control_chart(groups, "xbar_s", rules=rules, baseline=20)
        np.testing.assert_allclose(res.data["ucl"], ref["ucl"], rtol=1e-9)
        assert res.data["signals"].tolist() == ref["signals"].tolist()
        assert any(res.data["signals"].iloc[20:].map(bool))


def test_between_variation_gives_the_between_within_chart(con):
    """Weekly means that vary more than their within spread: "auto" takes
    xbar_bw, equal to spc.control_chart on the raw scores (whose formula is
    pinned by hand in test_spc_between_within), and the reason says why."""
    rng = np.random.default_rng(3)
    groups = []
    for k in range(30):
        d = D(2024, 1, 1) + dt.timedelta(days=7 * k)
        g = np.round(rng.normal(80 + rng.normal(0, 4), 6, size=int(rng.integers(20, 40))), 1)
        groups.append(g.tolist())
        insert(con, "monitoring", [mon(d, s) for s in g])
    res = indicator_control_chart(con, "qa_mean_score", grain="week")
    assert res.chart == res.auto_chart == "xbar_bw"
    ref = spc.control_chart(groups, "xbar_bw")
    for col in ("value", "center", "lcl", "ucl", "sigma", "n"):
        np.testing.assert_allclose(res.data[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9)
    assert res.data["signals"].tolist() == ref["signals"].tolist()
    assert res.data.attrs["sigma_between"] == pytest.approx(ref.attrs["sigma_between"], rel=1e-9)
    assert "between/within" in res.reason_text("en") and "组间/组内" in res.reason_text("zh")
    assert res.spread is not None  # the S chart beneath it, as for x-bar/S
    # the x-bar/S chart stays available, and says the automatic choice
    s_chart = indicator_control_chart(con, "qa_mean_score", grain="week", chart="xbar_s")
    assert s_chart.chart == "xbar_s" and "between/within" in s_chart.reason_text("en")
    assert (s_chart.data["sigma"] < res.data["sigma"]).all()


def test_no_between_variation_keeps_x_bar_s_and_says_so(con):
    rng = np.random.default_rng(5)
    for k in range(30):
        d = D(2024, 1, 1) + dt.timedelta(days=7 * k)
        insert(con, "monitoring", [mon(d, s) for s in np.round(rng.normal(80, 6, size=30), 1)])
    res = indicator_control_chart(con, "qa_mean_score", grain="week")
    assert res.chart == "xbar_s"
    assert "no between/within correction" in res.reason_text("en") and "无需组间/组内修正" in res.reason_text("zh")


def test_alerts_can_still_apply_a_full_rule_set(con):
    # the chart page's rules on every chart (the alert list's default is spc.ALERT_RULES)
    for k in range(20):
        d = D(2024, 1, 1) + dt.timedelta(days=7 * k)
        insert(con, "monitoring", [mon(d, 80 + (3 if k >= 11 else 0) + e) for e in (-6, -2, 2, 6)])
    nelson = signals_for_alerts(con, D(2024, 1, 1), D(2024, 5, 19), metrics=["qa_mean_score"], rules="nelson")
    alerts = signals_for_alerts(con, D(2024, 1, 1), D(2024, 5, 19), metrics=["qa_mean_score"])
    assert set(alerts["rule"]) <= {1, 2} and set(alerts["rule"]) <= set(nelson["rule"])
    assert len(nelson) >= len(alerts)


def test_single_values_per_period_use_xmr_by_hand(con):
    insert(con, "monitoring", [mon(D(2025, m, 5), s) for m, s in zip(range(1, 5), [80, 90, 85, 95])])
    res = indicator_control_chart(con, "qa_mean_score", grain="month")
    assert res.chart == "xmr"
    # center 87.5; mean moving range (10 + 5 + 10) / 3 = 8.3333; sigma = 8.3333 / 1.128379 = 7.38523
    assert res.data["center"].iloc[0] == pytest.approx(87.5)
    assert res.data["ucl"].iloc[0] == pytest.approx(87.5 + 3 * (25 / 3) / 1.1283792, rel=1e-6)
    assert res.overdispersion is None
    assert "XmR" in res.reason["en"] and "XmR" in res.reason["zh"]


# ---------------------------------------------------------------------------
# rates
# ---------------------------------------------------------------------------
def _crit(con, month: int, n: int, errors: int, team="T1", agent="a1") -> None:
    insert(con, "monitoring", [mon(D(2025, month, 3), 90, agent=agent, team=team, critical_error=i < errors)
                               for i in range(n)])


def test_rate_uses_p_chart_by_hand(con):
    for month, errors in zip(range(1, 5), [1, 2, 1, 2]):
        _crit(con, month, 10, errors)
    res = indicator_control_chart(con, "critical_error_rate", grain="month")
    assert res.chart == "p"
    # pbar = 6 / 40 = 0.15; sigma = sqrt(0.15 * 0.85 / 10) = 0.1129159; UCL = 0.15 + 0.3387477 = 0.4887477
    assert res.data["center"].iloc[0] == pytest.approx(0.15)
    assert res.data["ucl"].iloc[0] == pytest.approx(0.4887477, rel=1e-6)
    assert res.data["lcl"].iloc[0] == 0.0
    assert res.data["successes"].tolist() == [1, 2, 1, 2]
    assert res.overdispersion == pytest.approx(spc.overdispersion_ratio([1, 2, 1, 2], [10] * 4))
    assert "p chart" in res.reason["en"] and "p 图" in res.reason["zh"]
    assert not res.signals


def test_overdispersed_rate_switches_to_laney(con):
    for month, errors in zip(range(1, 7), [10, 100, 10, 100, 12, 95]):
        _crit(con, month, 1000, errors)
    res = indicator_control_chart(con, "critical_error_rate", grain="month")
    assert res.chart == res.auto_chart == "p_prime"
    x, n = [10, 100, 10, 100, 12, 95], [1000] * 6
    assert res.overdispersion == pytest.approx(spc.overdispersion_ratio(x, n, "p"))
    ref = spc.control_chart(x, "p_prime", sizes=n)
    np.testing.assert_allclose(res.data["ucl"], ref["ucl"])
    assert "Laney" in res.reason["en"] and "Laney" in res.reason["zh"]
    forced = indicator_control_chart(con, "critical_error_rate", grain="month", chart="p")
    assert forced.chart == "p" and forced.auto_chart == "p_prime"
    assert "automatic choice is the Laney p′ chart" in forced.reason["en"]
    assert "自动选择为Laney p′ 图" in forced.reason["zh"]


# ---------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------
def test_counts_c_chart_for_equal_weeks_u_chart_per_day_for_months(con):
    weekly = [10, 12, 9, 11, 10, 8]
    rows = []
    for k, count in enumerate(weekly):
        monday = D(2025, 1, 6) + dt.timedelta(days=7 * k)
        rows += [mon(monday + dt.timedelta(days=i % 5), 90) for i in range(count)]
    insert(con, "monitoring", rows)
    res = indicator_control_chart(con, "qa_evaluations", grain="week")
    assert res.chart == "c"
    # cbar = 60 / 6 = 10; UCL = 10 + 3 sqrt(10) = 19.48683
    assert res.data["center"].iloc[0] == pytest.approx(10)
    assert res.data["ucl"].iloc[0] == pytest.approx(10 + 3 * math.sqrt(10))
    assert res.data["exposure"].tolist() == [7] * 6
    # by month the periods differ in length: January (from the 6th: 26 days) and February (to the 16th)
    res = indicator_control_chart(con, "qa_evaluations", grain="month", date_from=D(2025, 1, 6),
                                  date_to=D(2025, 2, 16))
    assert res.chart == "u"
    jan, feb = sum(weekly[:4]), sum(weekly[4:])  # weeks of Jan 6, 13, 20, 27 (the 27th's days stay in Jan)
    assert res.data["exposure"].tolist() == [26, 16]
    assert res.data["value"].tolist() == pytest.approx([jan / 26, feb / 16])
    assert res.data["metric_value"].tolist() == [jan, feb]


# ---------------------------------------------------------------------------
# signals in words
# ---------------------------------------------------------------------------
@pytest.fixture
def spike(con):
    # one evaluation a month, Jan..Dec 2025: 80/81 alternating, then 95 in December
    scores = [80, 81] * 5 + [80, 95]
    insert(con, "monitoring", [mon(D(2025, m, 10), s) for m, s in zip(range(1, 13), scores)])
    return con


def test_signal_in_words_both_languages(spike):
    res = indicator_control_chart(spike, "qa_mean_score", grain="month")
    assert res.chart == "xmr"
    last = res.signals[-1]
    assert last["period"] == pd.Timestamp("2025-12-01")
    assert 1 in last["rules"]
    assert say(last["text"], "en").startswith("Dec 2025: above the upper control limit (beyond 3σ)")
    assert say(last["text"], "en").endswith("(better)")
    assert say(last["text"], "zh").startswith("2025年12月：高于上控制限（超出3σ）")
    assert say(last["text"], "zh").endswith("（向好）")
    assert res.data["assessment"].iloc[-1] == "better"
    assert res.data["direction"].iloc[-1] == 1


def test_lower_is_better_metric_reads_up_as_worse(con):
    for month, errors in zip(range(1, 13), [2] * 11 + [9]):
        _crit(con, month, 40, errors)
    res = indicator_control_chart(con, "critical_error_rate", grain="month")
    assert res.signals[-1]["assessment"] == "worse"
    assert say(res.signals[-1]["text"], "zh").endswith("（变差）")


def test_run_rule_episode_starts_where_the_run_starts(con):
    # 4 months around 85, then 11 months at 92: nine or more in a row above the baseline's center
    scores = [84, 86, 85, 85] + [92, 93] * 5 + [92]
    for m, s in enumerate(scores):
        d = D(2024, 1, 1) + pd.DateOffset(months=m)
        insert(con, "monitoring", [mon(d.date(), s - 2), mon(d.date(), s + 2)])
    res = indicator_control_chart(con, "qa_mean_score", grain="month", baseline=4)
    runs = [e for e in res.episodes if e["rule"] == 2]
    assert len(runs) == 1
    e = runs[0]
    assert e["start"] == pd.Timestamp("2024-05-01") and e["end"] == pd.Timestamp("2025-03-01")
    assert e["points"] == 11 and e["flagged"] == 3 and e["direction"] == 1
    assert say(e["text"], "zh") == "2024年5月 – 2025年3月：连续9点落在中心线上方（共11点）（向好）"
    assert say(e["text"], "en") == "May 2024 – Mar 2025: 9 points in a row above the center line (11 points) (better)"
    # zone episodes inside the run say less: the main list drops them, keeps beyond-the-limits ones
    main = res.main_episodes
    assert all(not (x["kind"] == "zone" and x["start"] >= e["start"]) for x in main)
    assert any(x["kind"] == "limits" for x in main)


def test_non_directional_rule_is_neither_better_nor_worse(con):
    # monthly means 80, 80, 90, 90, ... : every point far from the center, on both sides (Nelson 8)
    for m in range(12):
        d = (pd.Timestamp("2024-01-01") + pd.DateOffset(months=m)).date()
        mean = 80 if m % 4 < 2 else 90
        insert(con, "monitoring", [mon(d, mean - 1), mon(d, mean + 1)])
    # the means vary between months far more than within: "auto" takes the between/within chart,
    # whose limits hold these swings; the rule semantics are those of the x-bar/S chart's signals
    assert indicator_control_chart(con, "qa_mean_score", grain="month").auto_chart == "xbar_bw"
    res = indicator_control_chart(con, "qa_mean_score", grain="month", chart="xbar_s")
    eight = [e for e in res.episodes if e["rule"] == 8]
    assert eight and all(e["assessment"] == "unusual" and e["direction"] == 0 for e in eight)
    assert say(eight[0]["text"], "en").endswith("(either side) (12 points)")
    assert say(eight[0]["text"], "zh").endswith("（无点在1σ以内）（共12点）")
    # points flagged by rule 8 only carry no direction; rule 1 still says above / below
    lows = res.data[res.data["value"] < 85]
    assert (lows["assessment"] == "worse").all()


def test_key_episodes_keeps_uncovered_zone_episodes():
    ts = pd.Timestamp
    run = {"kind": "run", "direction": 1, "start": ts("2024-01-01"), "end": ts("2024-09-01")}
    inside = {"kind": "zone", "direction": 1, "start": ts("2024-03-01"), "end": ts("2024-04-01")}
    other_side = {"kind": "zone", "direction": -1, "start": ts("2024-03-01"), "end": ts("2024-04-01")}
    later = {"kind": "zone", "direction": 1, "start": ts("2024-10-01"), "end": ts("2024-10-01")}
    assert key_episodes([run, inside, other_side, later]) == [run, other_side, later]
    either = {"kind": "run", "direction": 0, "start": ts("2024-02-01"), "end": ts("2024-09-01")}
    wider = {"kind": "run", "direction": 0, "start": ts("2023-12-01"), "end": ts("2024-09-01")}
    assert key_episodes([run, either, wider]) == [run, wider]


def test_western_electric_numbers_its_rules(spike):
    res = indicator_control_chart(spike, "qa_mean_score", grain="month", rules="western_electric")
    assert res.rules == "western_electric"
    assert all(set(s["rules"]) <= {1, 2, 3, 4} for s in res.signals)
    none = indicator_control_chart(spike, "qa_mean_score", grain="month", rules=None)
    assert none.signals == [] and none.rules is None


# ---------------------------------------------------------------------------
# arguments, baselines, empty data
# ---------------------------------------------------------------------------
def test_baseline_as_a_date(spike):
    res = indicator_control_chart(spike, "qa_mean_score", grain="month", baseline=D(2025, 7, 1))
    assert res.baseline == 6
    assert res.data["in_baseline"].sum() == 6
    assert res.data["center"].iloc[0] == pytest.approx(80.5)
    with pytest.raises(ValueError, match="at least 2"):
        indicator_control_chart(spike, "qa_mean_score", grain="month", baseline=D(2025, 2, 1))
    with pytest.raises(ValueError, match="at least 2"):
        indicator_control_chart(spike, "qa_mean_score", grain="month", baseline=1)


def test_too_few_points_and_no_data(con):
    res = indicator_control_chart(con, "qa_mean_score", grain="month")
    assert isinstance(res, ControlChartResult)
    assert res.chart is None and res.problem == "no_data" and res.data.empty
    insert(con, "monitoring", [mon(D(2025, 1, 3), 90), mon(D(2025, 1, 4), 80)])
    res = indicator_control_chart(con, "qa_mean_score", grain="month")
    assert res.problem == "too_few_points" and res.chart is None


def test_argument_checks(spike):
    with pytest.raises(ValueError, match="needs a key"):
        indicator_control_chart(spike, "qa_mean_score", level="team")
    with pytest.raises(ValueError, match="does not fit"):
        indicator_control_chart(spike, "qa_mean_score", chart="p")
    with pytest.raises(ValueError, match="unknown chart"):
        indicator_control_chart(spike, "qa_mean_score", chart="pie")
    with pytest.raises(ValueError, match="rule set"):
        indicator_control_chart(spike, "qa_mean_score", rules="mine")
    with pytest.raises(ValueError, match="center level only"):
        indicator_control_chart(spike, "system_incidents", level="team", key="T1")
    with pytest.raises(KeyError):
        indicator_control_chart(spike, "nope")


def test_charts_for():
    assert charts_for("satisfaction_rate") == ("auto", "p", "p_prime", "np", "xmr")
    assert charts_for("qa_mean_score") == ("auto", "xbar_s", "xbar_bw", "xmr")
    assert charts_for("qa_evaluations") == ("auto", "c", "u", "u_prime", "xmr")
    assert charts_for("item_rate:身份核实")[1] == "p"


def test_units_team_and_agent(con):
    for month in range(1, 5):
        insert(con, "monitoring", [mon(D(2025, month, 2), 90, agent="a1", team="T1"),
                                   mon(D(2025, month, 3), 70 + month, agent="a1", team="T1"),
                                   mon(D(2025, month, 2), 60, agent="b1", team="T2"),
                                   mon(D(2025, month, 3), 50, agent="b1", team="T2")])
    t1 = indicator_control_chart(con, "qa_mean_score", level="team", key="T1", grain="month")
    t2 = indicator_control_chart(con, "qa_mean_score", level="team", key="T2", grain="month")
    a1 = indicator_control_chart(con, "qa_mean_score", level="agent", key="a1", grain="month")
    assert t1.data["value"].tolist() == pytest.approx([80.5, 81, 81.5, 82])
    assert t2.data["value"].tolist() == pytest.approx([55] * 4)
    assert a1.data["value"].tolist() == t1.data["value"].tolist()
    assert a1.level == "agent" and a1.key == "a1"


def test_period_label():
    assert period_label(D(2026, 3, 1), "month", "zh") == "2026年3月"
    assert period_label(D(2026, 3, 1), "month", "en") == "Mar 2026"
    assert period_label(D(2026, 4, 20), "week", "zh-CN") == "2026年第17周"
    assert period_label(D(2026, 4, 1), "quarter", "en") == "Q2 2026"
    assert period_label(D(2026, 7, 1), "half_year", "zh") == "2026年下半年"
    assert period_label(D(2026, 7, 5), "day", "en") == "5 Jul 2026"


def test_agent_choices(con):
    insert(con, "roster", [{"agent_id": "a1", "agent_name": "张三", "team": "T1"},
                           {"agent_id": "b1", "agent_name": "李四", "team": "T2"}])
    insert(con, "monitoring", [mon(D(2025, 1, 2), 90, agent="a1", team=None),
                               mon(D(2025, 1, 2), 90, agent="b1", team=None),
                               mon(D(2025, 1, 3), 90, agent="c9", team="T1", agent_name="王五")])
    insert(con, "roster", [{"agent_id": "d1", "agent_name": "赵六", "team": "T1"}])  # no evaluation yet
    out = agent_choices(con, team="T1")
    assert out.set_index("agent_id")["agent_name"].to_dict() == {"a1": "张三", "c9": "王五", "d1": "赵六"}
    assert out["records"].tolist() == [1, 1, 0]
    assert out["agent_id"].tolist() == ["a1", "c9", "d1"]
    assert agent_choices(con, team="nobody").empty
    assert set(agent_choices(con)["agent_id"]) == {"a1", "b1", "c9", "d1"}


# ---------------------------------------------------------------------------
# the demo's planted patterns
# ---------------------------------------------------------------------------
MONTHS, END = 6, D(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(demo_db_path):
    c = store.connect(demo_db_path, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def facts():
    return demo_facts(MONTHS, END)


def test_demo_trained_team_runs_above_the_center_line_after_training(demo, facts):
    res = indicator_control_chart(demo, "qa_mean_score", level="team", key=facts["trained_team"], grain="week",
                                  baseline=facts["training_date"])
    assert res.chart == "xbar_s"
    runs = [e for e in res.main_episodes if e["rule"] == 2 and e["direction"] == 1]
    assert runs, res.episodes
    run = runs[0]
    training_week = pd.Timestamp(facts["training_date"] - dt.timedelta(days=facts["training_date"].weekday()))
    assert run["end"] > training_week and run["points"] >= 9
    assert run["assessment"] == "better"
    assert "连续9点落在中心线上方" in say(run["text"], "zh") and "above the center line" in say(run["text"], "en")
    # before the training there is nothing above the line of that kind
    assert not any(s["direction"] > 0 for s in res.signals if s["period"] < training_week - pd.Timedelta(weeks=1))


def test_demo_trouble_week_satisfaction_breaks_the_lower_limit(demo, facts):
    res = indicator_control_chart(demo, "satisfaction_rate", grain="week")
    trouble = pd.Timestamp(facts["trouble_week_start"])
    hit = [s for s in res.signals if s["period"] == trouble]
    assert hit and 1 in hit[0]["rules"] and hit[0]["direction"] == -1 and hit[0]["assessment"] == "worse"
    assert "低于下控制限" in say(hit[0]["text"], "zh")
    # the only beyond-the-limits signal is that week
    beyond = [s["period"] for s in res.signals if 1 in s["rules"]]
    assert beyond == [trouble]
    # with several thousand responses a week the p chart would be too narrow: Laney p'
    assert res.chart == "p_prime" and res.overdispersion > 1.5


def test_demo_alerts_report_the_trouble_week(demo, facts):
    trouble = pd.Timestamp(facts["trouble_week_start"])
    center = signals_for_alerts(demo, D(2026, 4, 1), END)
    row = center[(center["metric"] == "satisfaction_rate") & (center["period"] == trouble)]
    assert len(row) == 1 and row["assessment"].iloc[0] == "worse" and row["kind"].iloc[0] == "limits"
    assert center["assessment"].iloc[0] == "worse"  # worse first
    assert set(center["metric"]) <= set(ALERT_METRICS)
    teams = signals_for_alerts(demo, D(2026, 4, 1), END, metrics=["satisfaction_rate"], level="team")
    hit = teams[(teams["period"] == trouble) & (teams["rule"] == 1)]
    assert hit["level_key"].nunique() >= len(facts["teams"]) - 1
    # a team filter at center level: that team's records pooled, the same week
    one = signals_for_alerts(demo, D(2026, 4, 1), END, metrics=["satisfaction_rate"], team=facts["trained_team"])
    assert ((one["period"] == trouble) & (one["level_key"] == "center")).any()
    # a window after the trouble week does not report it
    later = signals_for_alerts(demo, D(2026, 6, 1), END, metrics=["satisfaction_rate"])
    assert not (later["period"] == trouble).any()


def test_demo_every_metric_charts_at_every_level(demo, facts):
    team = facts["trained_team"]
    agent = facts["drifting_agent_id"]
    for mid in ("qa_mean_score", "critical_error_rate", "satisfaction_rate", "external_call_test_pass_rate",
                "third_party_score", "qa_evaluations", "survey_mean_rating", "item:身份核实", "item_rate:身份核实"):
        for level, key in (("center", None), ("team", team), ("agent", agent)):
            res = indicator_control_chart(demo, mid, level=level, key=key, grain="month")
            if res.chart is None:
                continue
            assert res.reason["en"] and res.reason["zh"]
            assert len(res.data) >= 2
            for chart in charts_for(mid)[1:]:
                try:
                    indicator_control_chart(demo, mid, level=level, key=key, grain="month", chart=chart)
                except ValueError as exc:  # only a c chart may refuse (unequal months are fine for c)
                    pytest.fail(f"{mid} {level} {chart}: {exc}")
