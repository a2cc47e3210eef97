"""The drill-down's data: lists, Pareto, distribution, headline, one evaluation
with its revisions, and the click -> drill-state logic.

Fixture (``small``), all in March 2026 unless said:

====  ======  =====  ======  =======  =====  =======================================
key   agent   team   date    channel  score  items (开场白 / 服务态度 / 业务准确性 / 加分)
====  ======  =====  ======  =======  =====  =======================================
E1    A       T1     03-02   voice    93     -2 / -5 / N/A
E2    B       T1     03-05   NULL     95     -1 /  0 / -4
E3    C       T2     03-03   chat     94      0 / -3 / -3 / +1 (a bonus, not a loss)
E4    D       (T2)   02-10   voice    100     0 /  0 /  0   (team from the roster)
E5    D       (T1)   03-20   voice    0       0 /  0 /  0   critical error
====  ======  =====  ======  =======  =====  =======================================

Agent D has no team in the export: the roster puts D in T2 until
2026-02-28 and in T1 from 2026-03-01.
"""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.core.periods import previous_period
from qa_analytics.views import drilldown as dd

D = dt.date
MARCH = dict(date_from=D(2026, 3, 1), date_to=D(2026, 3, 31))
GROUPS = {"开场白": "服务规范", "服务态度": "服务规范", "业务准确性": "业务能力", "加分": "增值服务"}


def add_eval(con, key, d, agent, team, score, items, channel="voice", critical=False, evaluator="李质检",
             name=None, appeal=None, comments=None, batch=1):
    con.execute(
        """INSERT INTO monitoring (eval_id, eval_date, eval_time, agent_id, agent_name, team, evaluator, contact_id,
               channel, total_score, critical_error, appeal_status, comments, record_key, row_hash, created_batch,
               batch_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'h', ?, ?)""",
        [key, d, dt.datetime.combine(d, dt.time(10, 0)), agent, name, team, evaluator, f"C-{key}", channel, score,
         critical, appeal, comments, f"id:{key}", batch, batch],
    )
    for item, pts in items.items():
        con.execute(
            "INSERT INTO monitoring_item VALUES (?, ?, ?, ?, ?, ?)",
            [f"id:{key}", item, GROUPS.get(item), pts, None if pts is None else str(pts), batch],
        )


@pytest.fixture
def small(con):
    con.execute("""INSERT INTO roster (agent_id, agent_name, team, effective_date, record_key, row_hash,
                       created_batch, batch_id)
                   VALUES ('A', '甲', 'T1', DATE '2020-01-01', 'nk:A', 'h', 1, 1),
                          ('B', '乙', 'T1', DATE '2020-01-01', 'nk:B', 'h', 1, 1),
                          ('C', '丙', 'T2', DATE '2020-01-01', 'nk:C', 'h', 1, 1),
                          ('D', '丁', 'T1', DATE '2026-03-01', 'nk:D', 'h', 1, 1)""")
    con.execute("""INSERT INTO roster_history (agent_id, agent_name, team, effective_date, record_key, row_hash,
                       created_batch, batch_id, superseded_by, superseded_at)
                   VALUES ('D', '丁', 'T2', DATE '2020-01-01', 'nk:D', 'h0', 1, 1, 1, TIMESTAMP '2026-03-01')""")
    add_eval(con, "E1", D(2026, 3, 2), "A", "T1", 93.0, {"开场白": -2.0, "服务态度": -5.0, "业务准确性": None})
    add_eval(con, "E2", D(2026, 3, 5), "B", "T1", 95.0, {"开场白": -1.0, "服务态度": 0.0, "业务准确性": -4.0},
             channel=None)
    add_eval(con, "E3", D(2026, 3, 3), "C", "T2", 94.0,
             {"开场白": 0.0, "服务态度": -3.0, "业务准确性": -3.0, "加分": 1.0}, channel="chat")
    add_eval(con, "E4", D(2026, 2, 10), "D", None, 100.0, {"开场白": 0.0, "服务态度": 0.0, "业务准确性": 0.0})
    add_eval(con, "E5", D(2026, 3, 20), "D", None, 0.0, {"开场白": 0.0, "服务态度": 0.0, "业务准确性": 0.0},
             critical=True)
    return con


def revise(con, key: str, score: float, appeal: str, items: dict[str, float | None], file_name: str) -> int:
    """Re-import one evaluation with changed values through the store's merge
    (what an appeal's re-export does); returns the batch id."""
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE OR REPLACE TEMP TABLE staged AS SELECT * EXCLUDE (created_batch, batch_id) "
                "FROM monitoring WHERE record_key = ?", [key])
    con.execute("UPDATE staged SET total_score = ?, appeal_status = ?, row_hash = md5(random()::VARCHAR)",
                [score, appeal])
    con.execute("CREATE OR REPLACE TEMP TABLE staged_items AS SELECT record_key, item, item_group, points, raw_value "
                "FROM monitoring_item WHERE record_key = ?", [key])
    for item, pts in items.items():
        con.execute("UPDATE staged_items SET points = ?, raw_value = ? WHERE item = ?",
                    [pts, None if pts is None else str(pts), item])
    batch = store.new_batch(con, file_name=file_name, kind="monitoring", sha256=None)
    counts = store.merge_staged(con, "monitoring", batch, "staged", "staged_items")
    store.finish_batch(con, batch, rows_read=1, counts=counts, rows_rejected=0)
    con.execute("DROP TABLE staged")
    con.execute("DROP TABLE staged_items")
    con.execute("COMMIT")
    assert counts.updated == 1
    return batch


# --------------------------------------------------------------------------
# Pareto, distribution, lists
# --------------------------------------------------------------------------


def test_item_pareto_by_hand(small):
    p = dd.item_pareto(small, **MARCH)
    # 服务态度 5 + 0 + 3 = 8, 业务准确性 (N/A) + 4 + 3 = 7, 开场白 2 + 1 + 0 = 3; the bonus is no loss;
    # E4 is in February, E5 lost nothing
    assert list(p["item"]) == ["服务态度", "业务准确性", "开场白"]
    assert list(p["points_lost"]) == [8.0, 7.0, 3.0]
    assert list(p["evaluations_with_loss"]) == [2, 2, 2]
    assert list(p["evaluations_applicable"]) == [4, 3, 4]  # E1's N/A does not count
    assert list(p["item_group"]) == ["服务规范", "业务能力", "服务规范"]
    assert p["share"].tolist() == pytest.approx([8 / 18, 7 / 18, 3 / 18])
    assert p["cumulative_share"].tolist() == pytest.approx([8 / 18, 15 / 18, 1.0])
    assert p["loss_rate"].tolist() == pytest.approx([2 / 4, 2 / 3, 2 / 4])


def test_item_pareto_for_a_team_an_agent_and_a_channel(small):
    t1 = dd.item_pareto(small, team="T1", **MARCH)
    # E1, E2 and E5 (D is in T1 from March): 服务态度 5, 业务准确性 4, 开场白 3
    assert dict(zip(t1["item"], t1["points_lost"])) == {"服务态度": 5.0, "业务准确性": 4.0, "开场白": 3.0}
    b = dd.item_pareto(small, agent="B", **MARCH)
    assert list(b["item"]) == ["业务准确性", "开场白"]  # 服务态度 lost nothing for B
    # channel NULL counts as voice: E1, E2, E5
    voice = dd.item_pareto(small, channel="voice", **MARCH)
    assert dict(zip(voice["item"], voice["points_lost"])) == {"服务态度": 5.0, "业务准确性": 4.0, "开场白": 3.0}
    chat = dd.item_pareto(small, channel=["chat"], **MARCH)
    assert dict(zip(chat["item"], chat["points_lost"])) == {"服务态度": 3.0, "业务准确性": 3.0}
    none = dd.item_pareto(small, agent="D", **MARCH)
    assert none.empty and "cumulative_share" in none.columns


def test_score_distribution_bins(small):
    d = dd.score_distribution(small, date_from=D(2026, 2, 1), date_to=D(2026, 3, 31))
    assert len(d) == 20 and d["bin_start"].iloc[0] == 0 and d["bin_end"].iloc[-1] == 100
    counts = dict(zip(d["bin_start"], d["count"]))
    # 100 (closed last bin) and 95 in [95, 100]; 93 and 94 in [90, 95); 0 in [0, 5)
    assert counts[95.0] == 2 and counts[90.0] == 2 and counts[0.0] == 1
    assert d["count"].sum() == 5
    assert d["share"].sum() == pytest.approx(1.0)
    ten = dd.score_distribution(small, team="T1", bin_width=10, **MARCH)
    assert len(ten) == 10 and dict(zip(ten["bin_start"], ten["count"]))[90.0] == 2
    empty = dd.score_distribution(small, date_from=D(2020, 1, 1), date_to=D(2020, 1, 31))
    assert empty["count"].sum() == 0 and (empty["share"] == 0).all()


def test_evaluations_newest_first_with_team_resolved(small):
    ev = dd.evaluations(small, date_from=D(2026, 2, 1), date_to=D(2026, 3, 31))
    assert list(ev["eval_id"]) == ["E5", "E2", "E3", "E1", "E4"]
    by_id = ev.set_index("eval_id")
    assert by_id.loc["E4", "team"] == "T2" and by_id.loc["E5", "team"] == "T1"  # the roster on the day
    assert by_id.loc["E4", "agent_name"] == "丁"
    assert by_id.loc["E2", "channel"] == "voice"  # NULL shown as voice
    assert bool(by_id.loc["E5", "critical_error"])
    assert (ev["revisions"] == 0).all()
    assert ev["eval_date"].iloc[0] == D(2026, 3, 20)
    # paging
    page2 = dd.evaluations(small, date_from=D(2026, 2, 1), date_to=D(2026, 3, 31), limit=2, offset=2)
    assert list(page2["eval_id"]) == ["E3", "E1"]
    assert dd.evaluation_count(small, date_from=D(2026, 2, 1), date_to=D(2026, 3, 31)) == 5
    # team, agent and channel restrictions
    assert set(dd.evaluations(small, team="T1", **MARCH)["eval_id"]) == {"E1", "E2", "E5"}
    assert set(dd.evaluations(small, team="T2", date_from=D(2026, 2, 1), date_to=D(2026, 3, 31))["eval_id"]) \
        == {"E3", "E4"}
    assert list(dd.evaluations(small, agent="D", **MARCH)["eval_id"]) == ["E5"]
    assert set(dd.evaluations(small, channel="voice", **MARCH)["eval_id"]) == {"E1", "E2", "E5"}
    assert dd.evaluation_count(small, team="T1", agent="C", **MARCH) == 0


def test_user_values_are_parameters(small):
    assert dd.evaluation_count(small, team="T1' OR '1'='1", **MARCH) == 0
    assert dd.item_pareto(small, agent="x'); DROP TABLE monitoring; --", **MARCH).empty
    assert small.execute("SELECT count(*) FROM monitoring").fetchone()[0] == 5


def test_agents_and_agent_info(small):
    a = dd.agents(small, team="T1", **MARCH)
    assert list(a["agent_id"]) == ["D", "B", "A"]  # by name: 丁 < 乙 < 甲 in code-point order
    row = a.set_index("agent_id").loc["D"]
    assert row["evaluations"] == 1 and row["mean_score"] == 0.0 and row["agent_name"] == "丁"
    info = dd.agent_info(small, "D", **MARCH)
    assert info == {"agent_id": "D", "agent_name": "丁", "team": "T1", "evaluations": 1}
    feb = dd.agent_info(small, "D", date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))
    assert feb["team"] == "T2"
    # no evaluation in the period: the roster's current team
    assert dd.agent_info(small, "C", date_from=D(2020, 1, 1), date_to=D(2020, 1, 31))["team"] == "T2"
    assert dd.agent_info(small, "nobody", **MARCH) is None


# --------------------------------------------------------------------------
# headline, comparisons, trend
# --------------------------------------------------------------------------


def test_headline_change_and_verdicts(con):
    # previous period (Feb 1-28 for March 1-28): 0 critical errors in 20; this period 6 in 20
    for i in range(20):
        add_eval(con, f"P{i}", D(2026, 2, 10), "A", "T1", 90.0 + i % 3, {})
        add_eval(con, f"C{i}", D(2026, 3, 10), "A", "T1", 0.0 if i < 6 else 90.0 + i % 3, {}, critical=i < 6)
    h = dd.headline(con, D(2026, 3, 1), D(2026, 3, 28)).set_index("metric")
    assert list(h.index) == list(dd.CARD_METRICS)
    crit = h.loc["critical_error_rate"]
    assert (crit["value"], crit["n"], crit["prev_value"], crit["prev_n"]) == (0.3, 20, 0.0, 20)
    # pooled p = 6/40: an expected count of 3 errors per period is below 5, so the z test
    # (p = 0.0079) gives way to Fisher's exact test: R fisher.test(matrix(c(0, 20, 6, 14), 2))
    # $p.value = 0.02019602
    assert crit["p_value"] == pytest.approx(0.02019602, abs=1e-7)
    assert crit["significant"] and crit["verdict"] == "worse"  # a higher critical-error rate is worse
    count = h.loc["qa_evaluations"]
    assert (count["value"], count["change"], count["verdict"]) == (20, 0, "untested")
    assert h.loc["satisfaction_rate", "verdict"] == "no_data" and h.loc["satisfaction_rate", "n"] == 0
    # the same for the team and the agent, nothing for another agent
    assert dd.headline(con, D(2026, 3, 1), D(2026, 3, 28), team="T1", agent="A").set_index("metric").loc[
        "critical_error_rate", "verdict"] == "worse"
    other = dd.headline(con, D(2026, 3, 1), D(2026, 3, 28), agent="B")
    assert (other["verdict"] == "no_data").all()
    # nothing before: no previous period
    first = dd.headline(con, D(2026, 2, 1), D(2026, 2, 28)).set_index("metric")
    assert first.loc["critical_error_rate", "verdict"] == "no_previous"


def test_previous_period_of_a_month_is_the_month_before():
    # issue 10: March against February, not "Jan 29 - Feb 28"
    assert previous_period(D(2026, 3, 1), D(2026, 3, 31)) == (D(2026, 2, 1), D(2026, 2, 28))


def test_team_comparison_best_first(small):
    tc = dd.team_comparison(small, "qa_mean_score_all", **MARCH)
    # T1: E1 93, E2 95, E5 0 -> mean 62.667; T2: E3 94
    assert list(tc["team"]) == ["T2", "T1"]
    assert tc["value"].tolist() == pytest.approx([94.0, 188 / 3])
    assert list(tc["n"]) == [1, 3]
    assert tc["center"].iloc[0] == pytest.approx((93 + 95 + 94 + 0) / 4)
    assert set(tc["assessment"]) <= {"better", "worse", "as expected"}
    # t interval of T1: sd = sqrt(((93-m)^2 + (95-m)^2 + (0-m)^2) / 2), half = t(0.975, 2) * sd / sqrt 3
    m = 188 / 3
    sd = math.sqrt(((93 - m) ** 2 + (95 - m) ** 2 + m ** 2) / 2)
    half = 4.302652729911275 * sd / math.sqrt(3)
    t1 = tc.set_index("team").loc["T1"]
    assert (t1["ci_low"], t1["ci_high"]) == pytest.approx((m - half, m + half))
    # a lower-is-better metric: the lowest rate first
    crit = dd.team_comparison(small, "critical_error_rate", **MARCH)
    assert list(crit["team"]) == ["T2", "T1"] and crit["value"].tolist() == pytest.approx([0.0, 1 / 3])
    assert dd.team_comparison(small, "satisfaction_rate", **MARCH).empty


def test_agent_funnel_against_the_team(small):
    f = dd.agent_funnel(small, "qa_mean_score_all", "T1", **MARCH)
    assert set(f["agent_id"]) == {"A", "B", "D"}
    assert f["target"].iloc[0] == pytest.approx(188 / 3)  # the team's mean, not the center's
    assert list(f["agent_id"])[:2] == ["B", "A"]  # best first
    assert dict(zip(f["agent_id"], f["agent_name"])) == {"A": "甲", "B": "乙", "D": "丁"}
    for c in ("lo95", "hi95", "lo998", "hi998", "assessment"):
        assert c in f.columns
    assert dd.agent_funnel(small, "satisfaction_rate", "T1", **MARCH).empty


def test_funnel_curves_narrow_with_n():
    c = dd.funnel_curves("mean", 80.0, 10.0, n_max=100)
    assert c["n"].iloc[0] == 2.0 and c["n"].iloc[-1] == pytest.approx(100.0)
    row = c.iloc[-1]
    # mean +/- 1.959964 * sd / sqrt(n)
    assert (row["lo95"], row["hi95"]) == pytest.approx((80 - 1.959964 * 1.0, 80 + 1.959964 * 1.0), abs=1e-5)
    width = c["hi95"] - c["lo95"]
    assert (width.diff().dropna() < 0).all()
    assert (c["hi998"] > c["hi95"]).all()
    r = dd.funnel_curves("rate", 0.1, None, n_max=500, n_min=50)
    assert r["n"].iloc[0] == 50.0 and (r["lo95"] >= 0).all() and (r["hi95"] <= 1).all()


def test_trend_has_the_level_above(small):
    both = dd.trend(small, "qa_mean_score_all", "month", team="T1", agent="A", date_from=D(2026, 2, 1),
                    date_to=D(2026, 3, 31))
    assert list(both["series"].unique()) == ["unit", "team"]
    assert both[both["series"] == "unit"]["value"].tolist() == [93.0]
    assert both[both["series"] == "team"]["value"].tolist() == pytest.approx([188 / 3])
    team = dd.trend(small, "qa_mean_score_all", "month", team="T2", date_from=D(2026, 2, 1), date_to=D(2026, 3, 31))
    assert list(team["series"].unique()) == ["unit", "center"]
    # T2 in February: E4 (team from the roster); in March: E3
    assert team[team["series"] == "unit"]["value"].tolist() == [100.0, 94.0]
    center = dd.trend(small, "qa_mean_score_all", "month", **MARCH)
    assert list(center["series"].unique()) == ["unit"]


# --------------------------------------------------------------------------
# one evaluation and its history
# --------------------------------------------------------------------------


def test_evaluation_detail(small):
    d = dd.evaluation_detail(small, "id:E1")
    rec = d["record"]
    assert (rec["eval_id"], rec["team"], rec["agent_id"], rec["total_score"]) == ("E1", "T1", "A", 93.0)
    assert rec["agent_name"] == "甲" and rec["contact_id"] == "C-E1" and rec["eval_date"] == D(2026, 3, 2)
    assert rec["revisions"] == 0 and d["history"].empty
    items = d["items"].set_index("item")
    assert items.loc["服务态度", "points_lost"] == 5.0
    assert bool(items.loc["业务准确性", "not_applicable"]) and items.loc["业务准确性", "points_lost"] == 0
    assert list(d["items"]["item_group"]) == ["业务能力", "服务规范", "服务规范"]
    # by the export's own id too; the team of a record without one from the roster
    assert dd.evaluation_detail(small, "E5")["record"]["team"] == "T1"
    assert dd.evaluation_detail(small, "nothing") is None


def test_revision_history_after_an_appeal(small):
    b1 = revise(small, "id:E1", 98.0, "申诉成功", {"服务态度": 0.0}, "复核0405.xlsx")
    b2 = revise(small, "id:E1", 100.0, "申诉成功", {"开场白": 0.0}, "复核0410.xlsx")
    d = dd.evaluation_detail(small, "E1")
    assert d["record"]["total_score"] == 100.0 and d["record"]["revisions"] == 2
    assert d["record"]["batch_file"] == "复核0410.xlsx"
    h = d["history"]
    assert list(h["version"]) == [1, 2]
    assert list(h["score_before"]) == [93.0, 98.0] and list(h["score_after"]) == [98.0, 100.0]
    assert list(h["replaced_by"]) == [b1, b2]
    assert list(h["replaced_by_file"]) == ["复核0405.xlsx", "复核0410.xlsx"]
    assert pd.isna(h["appeal_before"].iloc[0]) and h["appeal_before"].iloc[1] == "申诉成功"
    assert list(h["appeal_after"]) == ["申诉成功", "申诉成功"]
    assert list(h["items_changed"]) == ["服务态度: -5 → 0", "开场白: -2 → 0"]
    assert h["batch_id"].iloc[0] == 1 and h["batch_id"].iloc[1] == b1
    # the current items are the revised ones; the list counts the revisions
    assert d["items"].set_index("item").loc["服务态度", "points_lost"] == 0.0
    ev = dd.evaluations(small, **MARCH).set_index("eval_id")
    assert ev.loc["E1", "revisions"] == 2 and ev.loc["E2", "revisions"] == 0
    # the Pareto follows the current version
    p = dd.item_pareto(small, agent="A", **MARCH)
    assert p.empty


# --------------------------------------------------------------------------
# drill state
# --------------------------------------------------------------------------


def test_drill_level():
    assert dd.drill_level(None, None, None) == "center"
    assert dd.drill_level("T1", None, None) == "team"
    assert dd.drill_level("T1", "A", None) == "agent"
    assert dd.drill_level(None, "A", None) == "agent"
    assert dd.drill_level("T1", "A", "id:E1") == "evaluation"


def test_drill_state_from_plotly_events():
    click = {"selection": {"points": [{"x": 88.1, "y": "投诉处理组", "customdata": ["投诉处理组"],
                                       "point_index": 3, "curve_number": 1}]}}
    assert dd.drill_state_from_event("center", click) == {"team": "投诉处理组"}
    # without customdata the bar's category (y of a horizontal bar, x of a vertical one)
    assert dd.drill_state_from_event("center", {"selection": {"points": [{"x": 88.1, "y": "T2"}]}}) == {"team": "T2"}
    assert dd.drill_state_from_event("center", {"selection": {"points": [{"x": "T3", "y": 0.2}]}}) == {"team": "T3"}
    # attribute-style objects, as Streamlit returns them
    ev = SimpleNamespace(selection=SimpleNamespace(points=[{"x": 61, "y": 84.2, "customdata": ["007838"]}]))
    assert dd.drill_state_from_event("team", ev) == {"agent": "007838"}
    # a point of a funnel line has no customdata: skipped, the next point counts
    mixed = {"selection": {"points": [{"x": 10, "y": 80.0}, {"x": 61, "y": 84.2, "customdata": ["A"]}]}}
    assert dd.drill_state_from_event("team", mixed) == {"agent": "A"}
    assert dd.drill_state_from_event("team", {"selection": {"points": [{"x": 10, "y": 80.0}]}}) is None
    # nothing selected
    assert dd.drill_state_from_event("center", {"selection": {"points": []}}) is None
    assert dd.drill_state_from_event("center", None) is None
    assert dd.drill_state_from_event("center", {}) is None


def test_drill_state_from_a_table_row():
    keys = ["id:E5", "id:E2", "id:E3"]
    assert dd.drill_state_from_event("evaluations", {"selection": {"rows": [1], "columns": []}}, keys) == {
        "evaluation": "id:E2"}
    assert dd.drill_state_from_event("evaluations", {"selection": {"rows": []}}, keys) is None
    assert dd.drill_state_from_event("evaluations", {"selection": {"rows": [7]}}, keys) is None
    with pytest.raises(ValueError):
        dd.drill_state_from_event("agent", {"selection": {"points": [{"x": 1}]}})


def test_demo_data_end_to_end(con):
    from qa_analytics.demo.load import load_demo

    load_demo(con, months=2, seed=5, end=D(2026, 2, 28))
    kw = dict(date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))
    tc = dd.team_comparison(con, "qa_mean_score", **kw)
    assert len(tc) >= 6
    team = tc["team"].iloc[-1]
    assert dd.evaluation_count(con, team=team, **kw) == int(
        dd.agents(con, team=team, **kw)["evaluations"].sum())
    ev = dd.evaluations(con, team=team, limit=10, **kw)
    assert len(ev) == 10 and ev["eval_date"].is_monotonic_decreasing
    d = dd.evaluation_detail(con, ev["record_key"].iloc[0])
    assert d["record"]["team"] == team and len(d["items"]) > 0
    assert d["record"]["total_score"] == pytest.approx(
        0.0 if d["record"]["critical_error"] else 100.0 - d["items"]["points_lost"].sum())
    p = dd.item_pareto(con, team=team, **kw)
    assert p["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert p["points_lost"].is_monotonic_decreasing
    assert isinstance(dd.headline(con, **kw), pd.DataFrame)


def test_the_demo_drifting_agent_is_flagged_after_the_correction(demo_db_path):
    """Issue 10: the exact test with the false-discovery-rate correction still
    finds the demo's planted pattern, the agent whose scores drift down."""
    import datetime as dt

    from qa_analytics import store
    from qa_analytics.demo.generate import demo_facts
    from qa_analytics.views import drilldown as D

    end = dt.date(2026, 6, 30)
    facts = demo_facts(6, end)
    con = store.connect(demo_db_path, read_only=True)
    agent = facts["drifting_agent_id"]
    team = con.execute("SELECT team FROM monitoring_v WHERE agent_id = ? LIMIT 1", [agent]).fetchone()[0]
    f = D.agent_funnel(con, "qa_mean_score", team, date_from=facts["drift_start"], date_to=end).set_index("agent_id")
    assert f.loc[agent, "assessment"] == "worse", f.loc[agent].to_dict()
    assert f.loc[agent, "p_adjusted"] < 0.01 and (f["comparisons"] == len(f)).all()
    con.close()
