"""Tests of qa_analytics.analytics.evaluators on small hand-built stores and textbook data."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qa_analytics import store
from qa_analytics.analytics import evaluators
from qa_analytics.analytics.evaluators import (
    appeal_stats,
    calibration_agreement,
    calibration_items,
    calibration_scores,
    evaluator_activity,
    icc,
    icc2_1,
    krippendorff_alpha,
    leniency,
)
from qa_analytics.core.codes import say

from conftest import insert_rows as insert

D = dt.date


# ---------------------------------------------------------------------------
# fixture helpers
# ---------------------------------------------------------------------------
def mon(evaluator, date, score, agent="a1", **kw) -> dict:
    return {
        "eval_date": date, "agent_id": agent, "evaluator": evaluator, "total_score": float(score), **kw
    }


@pytest.fixture
def con():
    c = store.connect(":memory:")
    yield c
    c.close()


# ---------------------------------------------------------------------------
# activity
# ---------------------------------------------------------------------------
def test_activity_counts_quota_and_distribution(con):
    insert(
        con,
        "monitoring",
        [
            mon("A", D(2024, 5, 6), 50, critical_error=True),
            mon("A", D(2024, 5, 7), 70, critical_error=False),
            mon("A", D(2024, 5, 8), 90, critical_error=False),
            mon("A", D(2024, 6, 3), 80),  # critical flag unknown
            mon("B", D(2024, 6, 4), 100),
            mon("B", D(2024, 6, 5), 60),
            mon(None, D(2024, 6, 5), 10),  # no evaluator: left out
            mon("A", D(2024, 7, 1), 10),  # outside the range
        ],
    )
    out = evaluator_activity(con, D(2024, 5, 1), D(2024, 6, 30), "month", daily_quota=1)
    assert list(out.columns) == [
        "evaluator", "period_start", "period_end", "working_days", "evaluations", "quota",
        "quota_ratio", "quota_met", "mean_score", "sd_score", "min_score", "q1", "median", "q3",
        "max_score", "below", "share_below", "critical_errors", "critical_error_rate",
    ]
    assert len(out) == 4  # 2 evaluators x 2 months, zero rows included
    a_may = out[(out.evaluator == "A") & (out.period_start == "2024-05-01")].iloc[0]
    # May 2024: 23 working days (31 days, 4 weekends = 8 days)
    assert a_may.working_days == 23 and a_may.quota == 23
    assert a_may.period_end == np.datetime64("2024-05-31")
    assert a_may.evaluations == 3
    assert a_may.quota_ratio == pytest.approx(3 / 23)
    assert not a_may.quota_met
    # scores 50, 70, 90: mean 70, sd 20, type-7 quartiles 60 / 70 / 80
    assert (a_may.mean_score, a_may.sd_score) == (pytest.approx(70), pytest.approx(20))
    assert (a_may.min_score, a_may.q1, a_may["median"], a_may.q3, a_may.max_score) == (50, 60, 70, 80, 90)
    assert a_may.below == 1 and a_may.share_below == pytest.approx(1 / 3)
    assert a_may.critical_errors == 1 and a_may.critical_error_rate == pytest.approx(1 / 3)

    a_jun = out[(out.evaluator == "A") & (out.period_start == "2024-06-01")].iloc[0]
    assert a_jun.working_days == 20 and a_jun.evaluations == 1
    assert math.isnan(a_jun.critical_error_rate)  # flag unknown
    assert math.isnan(a_jun.sd_score)

    b_may = out[(out.evaluator == "B") & (out.period_start == "2024-05-01")].iloc[0]
    assert b_may.evaluations == 0 and math.isnan(b_may.mean_score) and not b_may.quota_met
    b_jun = out[(out.evaluator == "B") & (out.period_start == "2024-06-01")].iloc[0]
    assert b_jun.evaluations == 2 and b_jun.below == 0  # 60 is not below 60


def test_activity_weekly_quota_holidays_and_edge_periods(con):
    insert(con, "monitoring", [mon("A", D(2024, 5, 15), 80), mon("A", D(2024, 5, 16), 80)])
    # weekly quota 10, prorated: May with the 1-3 May holidays has 20 working days -> 40
    out = evaluator_activity(
        con, D(2024, 5, 1), D(2024, 5, 31), "month", weekly_quota=10,
        holidays=[D(2024, 5, 1), D(2024, 5, 2), D(2024, 5, 3)],
    )
    assert out.working_days.tolist() == [20] and out.quota.tolist() == [40.0]
    # a range starting Wed 15 May: the week of Mon 13 May has 3 working days in range
    wk = evaluator_activity(con, D(2024, 5, 15), D(2024, 5, 31), "week", daily_quota=1)
    first = wk.iloc[0]
    assert first.period_start == np.datetime64("2024-05-13")
    assert first.working_days == 3 and first.evaluations == 2
    assert bool(first.quota_met) is False and first.quota_ratio == pytest.approx(2 / 3)
    assert wk.working_days.tolist() == [3, 5, 5]  # 13-19, 20-26, 27-31 May
    # no quota: quota NaN, quota_met NA
    nq = evaluator_activity(con, D(2024, 5, 1), D(2024, 5, 31))
    assert math.isnan(nq.quota.iloc[0]) and nq.quota_met.isna().all()
    # day grain, default range from the data
    day = evaluator_activity(con, grain="day", daily_quota=1)
    assert day.evaluations.tolist() == [1, 1] and day.quota_met.tolist() == [True, True]
    with pytest.raises(ValueError):
        evaluator_activity(con, grain="year")
    with pytest.raises(ValueError):
        evaluator_activity(con, daily_quota=1, weekly_quota=5)


def test_activity_empty_store(con):
    assert evaluator_activity(con).empty


# ---------------------------------------------------------------------------
# leniency
# ---------------------------------------------------------------------------
def _leniency_fixture(con):
    may = D(2024, 5, 10)
    insert(
        con,
        "monitoring",
        [
            mon("E1", may, 90, "a1"), mon("E2", may, 80, "a1"), mon("E3", may, 82, "a1"),
            mon("E1", may, 85, "a2"), mon("E2", may, 78, "a2"),
            mon("E1", may, 88, "a3"), mon("E3", may, 86, "a3"), mon("E2", may, 84, "a3"),
            mon("E4", may, 70, "a4"),  # nobody else scored a4: no comparison
        ],
    )


def test_leniency_hand_computed(con):
    _leniency_fixture(con)
    # the per-evaluator test by hand, before any multiplicity adjustment, in one round (robust=False:
    # the flagged evaluators stay in the others' baseline; see test_leniency_leaves_flagged_evaluators_out)
    out = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=2, adjust="none",
                   robust=False).set_index("evaluator")
    # E1: cell diffs a1: 90 - (80+82)/2 = 9, a2: 85 - 78 = 7, a3: 88 - (86+84)/2 = 3
    #   mean 19/3 = 6.3333, sd = sqrt(((8/3)^2 + (2/3)^2 + (10/3)^2) / 2) = 3.055050,
    #   t = 6.3333 / (3.055050 / sqrt 3) = 3.590662, df = 2.
    #   For df = 2 the two-sided p has a closed form: p = 1 - t / sqrt(2 + t^2) = 0.069566.
    #   d_z = 6.3333 / 3.055050 = 2.073070
    e1 = out.loc["E1"]
    assert e1.cells == 3 and e1.evaluations == 3 and e1.evaluations_compared == 3
    assert e1.mean_score == pytest.approx((90 + 85 + 88) / 3)
    assert e1.peer_mean == pytest.approx((81 + 78 + 85) / 3)
    assert e1.mean_diff == pytest.approx(19 / 3)
    assert e1.sd_diff == pytest.approx(3.055050, abs=1e-6)
    assert e1.t == pytest.approx(3.590662, abs=1e-6)
    assert e1.df == 2
    t = e1.t
    assert e1.p_value == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)
    assert e1.p_value == pytest.approx(0.069566, abs=1e-6)
    assert e1.effect_size == pytest.approx(2.073070, abs=1e-6)
    assert e1.label == "in line"
    assert say(e1.text, "en") == "in line with peers (+6.3 points, p = 0.070)"
    assert say(e1.text, "zh") == "与同行一致（+6.3分，p = 0.070）"
    # E2: diffs a1: 80 - 86 = -6, a2: 78 - 85 = -7, a3: 84 - 87 = -3;
    #   mean -16/3, sd = sqrt((4/9 + 25/9 + 49/9)/2) = 2.081666, t = -4.437602,
    #   p = 1 - |t| / sqrt(2 + t^2) = 0.047214 -> severe at 0.05
    e2 = out.loc["E2"]
    assert e2.mean_diff == pytest.approx(-16 / 3)
    assert e2.t == pytest.approx(-4.437602, abs=1e-6)
    assert e2.p_value == pytest.approx(1 - abs(e2.t) / math.sqrt(2 + e2.t**2), rel=1e-9)
    assert e2.p_value == pytest.approx(0.047214, abs=1e-6)
    assert e2.label == "severe"
    assert say(e2.text, "en") == "severe: 5.3 points below peers (p = 0.047)"
    assert say(e2.text, "zh") == "偏严：比同行低5.3分（p = 0.047）"
    # E3: diffs a1: 82 - 85 = -3, a3: 86 - 86 = 0; mean -1.5, sd 2.121320,
    #   t = -1.5 / (2.121320 / sqrt 2) = -1, df = 1 (Cauchy): p = 2 * (1/2 - atan(1)/pi) = 0.5
    e3 = out.loc["E3"]
    assert e3.t == pytest.approx(-1.0) and e3.p_value == pytest.approx(0.5)
    # E4: no peer on a4
    e4 = out.loc["E4"]
    assert e4.cells == 0 and e4.evaluations == 1 and e4.label == "insufficient data"
    assert math.isnan(e4.p_value)
    assert say(e4.text, "en") == "too few comparable evaluations"
    # a looser alpha turns E1 lenient; min_diff can veto a small difference
    loose = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=2, alpha=0.1, adjust="none",
                     robust=False).set_index("evaluator")
    assert loose.loc["E1"].label == "lenient"
    assert say(loose.loc["E1"].text, "en") == "lenient: 6.3 points above peers (p = 0.070)"
    assert say(loose.loc["E1"].text, "zh") == "偏松：比同行高6.3分（p = 0.070）"
    veto = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=2, alpha=0.1, min_diff=7, adjust="none",
                    robust=False)
    assert veto.set_index("evaluator").loc["E1"].label == "in line"
    # the default min_cells = 5 is not reached by anyone here
    assert (leniency(con, D(2024, 5, 1), D(2024, 5, 31)).label == "insufficient data").all()
    # by default the three tested evaluators are corrected together (Benjamini-Hochberg; R:
    # p.adjust(c(0.069566, 0.047214, 0.5), "BH") = 0.104349, 0.104349, 0.5): E2 is no longer severe
    bh = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=2).set_index("evaluator")
    assert bh.loc["E2", "p_adjusted"] == pytest.approx(0.069566 * 3 / 2, abs=1e-5)
    assert bh.loc["E1", "p_adjusted"] == pytest.approx(bh.loc["E2", "p_adjusted"])
    assert bh.loc["E3", "p_adjusted"] == pytest.approx(0.5)
    assert (bh.loc[["E1", "E2", "E3"], "comparisons"] == 3).all()
    assert bh.loc["E2", "label"] == "in line" and "p = 0.104" in say(bh.loc["E2", "text"], "en")


def test_leniency_leaves_flagged_evaluators_out_of_the_baseline(con):
    _leniency_fixture(con)
    out = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=2, adjust="none").set_index("evaluator")
    # round 1 finds E2 severe (p = 0.047, above); round 2 compares the others with E1, E3 only:
    # E1 a1: 90 - 82 = 8; a2: only E1 and E2 scored it, so no baseline is left; a3: 88 - 86 = 2
    assert out.loc["E1", "cells"] == 2 and out.loc["E1", "mean_diff"] == pytest.approx(5.0)
    assert say(out.loc["E1", "text"], "en") == "in line with peers (+5.0 points, p = 0.344)"
    # E2 itself is still compared with everyone else: the same as in one round
    assert out.loc["E2", "label"] == "severe" and out.loc["E2", "mean_diff"] == pytest.approx(-5.0 - 1 / 3)


def test_one_lenient_evaluator_does_not_make_the_others_severe(con):
    """Ground truth: E0 scores 6 points high, E1 0.8 low, the rest as the
    truth.  In one round E0 lifts every baseline by about a point, so E1 reads
    as about 2 points severe and is flagged; with E0 left out, only E0 is."""
    from conftest import insert_rows

    rng = np.random.default_rng(11)
    bias = {0: 6.0, 1: -0.8}
    rows = []
    for month in range(1, 7):
        for agent in range(40):
            truth = rng.normal(85, 5)
            for ev in rng.choice(6, size=3, replace=False):
                rows.append({"contact_id": f"{month}-{agent}-{ev}", "eval_date": D(2024, month, 10),
                             "agent_id": f"A{agent}", "team": "T", "channel": "voice", "evaluator": f"E{ev}",
                             "total_score": float(truth + bias.get(int(ev), 0.0) + rng.normal(0, 1.5))})
    insert_rows(con, "monitoring", rows)
    once = leniency(con, D(2024, 1, 1), D(2024, 6, 30), min_diff=2, robust=False).set_index("evaluator")
    assert once.loc["E1", "label"] == "severe"
    out = leniency(con, D(2024, 1, 1), D(2024, 6, 30), min_diff=2).set_index("evaluator")
    assert out.loc["E0", "label"] == "lenient"
    assert (out.drop(index="E0")["label"] == "in line").all(), out["label"].to_dict()
    assert out.loc["E1", "mean_diff"] == pytest.approx(-0.8, abs=0.4)


def test_identical_evaluators_are_rarely_flagged(con):
    """Eight evaluators who score alike: without the correction about one in
    three runs showed a 'severe' or 'lenient' one; with it, about one in twenty."""
    from conftest import insert_rows

    rng = np.random.default_rng(8)
    flagged_runs = 0
    runs = 12
    for run in range(runs):
        con.execute("DELETE FROM monitoring")
        rows = []
        for month in (1, 2, 3):
            for agent in range(30):
                for ev in rng.choice(8, size=3, replace=False):
                    rows.append({"contact_id": f"{run}-{month}-{agent}-{ev}", "eval_date": D(2024, month, 10),
                                 "agent_id": f"A{agent}", "team": "T", "channel": "voice",
                                 "evaluator": f"E{ev}", "total_score": float(rng.normal(85, 6))})
        insert_rows(con, "monitoring", rows)
        out = leniency(con, D(2024, 1, 1), D(2024, 3, 31))
        assert (out["comparisons"] == 8).all()
        flagged_runs += bool(out["label"].isin(["lenient", "severe"]).any())
    assert flagged_runs <= 2



def test_leniency_cell_averages_repeat_evaluations_and_months(con):
    # E1 scores a1 twice in May (90, 80 -> cell mean 85) vs E2's 75: one cell, diff 10.
    # In June a separate cell: E1 70 vs E2 72 -> diff -2.  Cells are agent x month.
    insert(
        con,
        "monitoring",
        [
            mon("E1", D(2024, 5, 2), 90), mon("E1", D(2024, 5, 3), 80), mon("E2", D(2024, 5, 9), 75),
            mon("E1", D(2024, 6, 3), 70), mon("E2", D(2024, 6, 4), 72),
        ],
    )
    out = leniency(con, D(2024, 5, 1), D(2024, 6, 30), min_cells=2).set_index("evaluator")
    e1 = out.loc["E1"]
    assert e1.cells == 2 and e1.evaluations_compared == 3
    assert e1.mean_diff == pytest.approx((10 + -2) / 2)
    pm = leniency(con, D(2024, 5, 1), D(2024, 6, 30), per_month=True, min_cells=1)
    e1m = pm[pm.evaluator == "E1"]
    assert e1m.period_start.tolist() == [np.datetime64("2024-05-01"), np.datetime64("2024-06-01")]
    assert e1m.period_end.tolist() == [np.datetime64("2024-05-31"), np.datetime64("2024-06-30")]
    assert e1m.mean_diff.tolist() == pytest.approx([10.0, -2.0])
    assert (e1m.label == "insufficient data").all()  # one cell a month: no test


def test_leniency_by_team_uses_the_roster(con):
    # monitoring rows carry no team: monitoring_v takes it from the roster
    insert(
        con,
        "roster",
        [
            {"agent_id": "a1", "team": "T1", "effective_date": D(2024, 1, 1)},
            {"agent_id": "a2", "team": "T1", "effective_date": D(2024, 1, 1)},
            {"agent_id": "a3", "team": "T2", "effective_date": D(2024, 1, 1)},
        ],
    )
    insert(
        con,
        "monitoring",
        [
            mon("E1", D(2024, 5, 2), 90, "a1"), mon("E2", D(2024, 5, 2), 80, "a2"),  # T1: +10
            mon("E1", D(2024, 5, 3), 84, "a3"), mon("E2", D(2024, 5, 3), 80, "a3"),  # T2: +4
        ],
    )
    by_agent = leniency(con, D(2024, 5, 1), D(2024, 5, 31), min_cells=1).set_index("evaluator")
    assert by_agent.loc["E1"].cells == 1  # only a3 is shared
    by_team = leniency(con, D(2024, 5, 1), D(2024, 5, 31), by="team", min_cells=2).set_index("evaluator")
    # diffs 10 and 4: mean 7, sd 4.242641, t = 7 / 3 = 2.333333, df 1
    # p (df = 1) = 1 - 2 atan(t) / pi = 0.257762
    e1 = by_team.loc["E1"]
    assert e1.cells == 2 and e1.mean_diff == pytest.approx(7.0)
    assert e1.t == pytest.approx(7 / 3)
    assert e1.p_value == pytest.approx(1 - 2 * math.atan(7 / 3) / math.pi, rel=1e-9)
    with pytest.raises(ValueError):
        leniency(con, by="contact")


# ---------------------------------------------------------------------------
# agreement statistics (pure)
# ---------------------------------------------------------------------------
# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_icc2_1_shrout_fleiss():
    # Shrout & Fleiss (1979), Table 4: ICC(2,1) = .29
    # (BMS = 11.241667, JMS = 32.486111, EMS = 1.019444;
    #  (11.241667 - 1.019444) / (11.241667 + 3*1.019444 + 4*(32.486111 - 1.019444)/6) = 0.289764)
    assert icc2_1(SHROUT_FLEISS) == pytest.approx(0.289764, abs=1e-6)
    assert round(icc2_1(SHROUT_FLEISS), 2) == 0.29


def test_icc_table_shrout_fleiss():
    # Shrout & Fleiss (1979), Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71,
    # ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91
    t = icc(SHROUT_FLEISS).set_index("type")
    assert t["icc"].round(2).tolist() == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    # F = BMS / EMS = 11.027248 on (5, 15) df for types 2/3; BMS / WMS = 1.794678 on (5, 18) for 1
    assert t.loc["ICC2", "F"] == pytest.approx(11.241667 / 1.019444, rel=1e-5)
    assert (t.loc["ICC2", "df1"], t.loc["ICC2", "df2"]) == (5, 15)
    assert t.loc["ICC1", "F"] == pytest.approx(11.241667 / 6.263889, rel=1e-5)
    assert t.loc["ICC1", "df2"] == 18
    # p-values: scipy.stats.f.sf(F, df1, df2)
    from scipy.stats import f

    assert t.loc["ICC2", "p_value"] == pytest.approx(f.sf(t.loc["ICC2", "F"], 5, 15))
    assert t.loc["ICC1", "p_value"] == pytest.approx(f.sf(t.loc["ICC1", "F"], 5, 18))
    assert t.loc["ICC2", "icc"] == pytest.approx(icc2_1(SHROUT_FLEISS))
    with pytest.raises(ValueError):
        icc([[1, np.nan], [2, 3]])
    with pytest.raises(ValueError):
        icc2_1([[1, 2, 3]])


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the
# 4 observers x 12 units reliability data with missing values.
KRIPP = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    ]
)


def test_krippendorff_alpha_textbook():
    # Krippendorff (2011): alpha = 0.743 (nominal), 0.849 (interval); units are rows here
    assert krippendorff_alpha(KRIPP.T, "interval") == pytest.approx(0.849, abs=5e-4)
    assert krippendorff_alpha(KRIPP.T, "nominal") == pytest.approx(0.743, abs=5e-4)
    # ordinal (issue 10): Krippendorff (2011) 0.815; the krippendorff package
    # (alpha(reliability_data=KRIPP, level_of_measurement="ordinal")) gives 0.8153875037548814
    assert krippendorff_alpha(KRIPP.T, "ordinal") == pytest.approx(0.8153875037548814, abs=1e-12)


def test_ordinal_alpha_matches_the_krippendorff_package():
    # 4 raters x 30 units of 1-5 ratings, 20% missing (numpy default_rng(0)); the values are
    # krippendorff.alpha(reliability_data=d, level_of_measurement=...) of the krippendorff package 0.9.0
    rng = np.random.default_rng(0)
    d = rng.integers(1, 6, size=(4, 30)).astype(float)
    d[rng.random(d.shape) < 0.2] = np.nan
    assert krippendorff_alpha(d.T, "ordinal") == pytest.approx(0.08235372212658643, abs=1e-12)
    # ranks, not distances: any increasing relabelling of the categories leaves it unchanged
    assert krippendorff_alpha(np.exp(d.T), "ordinal") == pytest.approx(0.08235372212658643, abs=1e-12)
    with pytest.raises(ValueError):
        krippendorff_alpha(d.T, "ratio")


def test_krippendorff_alpha_small_by_hand():
    # units (60, 70) and (75, 85): D_o = (2*100 + 2*100) / 4 = 100;
    # values 60 70 75 85, sum of squares about the mean 325 -> D_e = 2*4*325 / (4*3) = 216.667;
    # alpha = 1 - 100 / 216.667 = 7/13
    assert krippendorff_alpha([[60, 70], [75, 85]]) == pytest.approx(7 / 13)
    assert krippendorff_alpha([[1, 1], [2, 2], [3, np.nan]]) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([[5, 5], [5, 5]]))  # no variation at all
    assert math.isnan(krippendorff_alpha([[1, np.nan], [2, np.nan]]))  # nothing pairable


@settings(max_examples=60, deadline=None)
@given(
    y=arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(2, 5)),
             elements=st.integers(0, 100).map(float)),
    c=st.integers(-50, 50),
)
def test_agreement_invariant_to_a_common_shift(y, c):
    # Adding the same constant to every rating changes no ICC and no interval alpha.
    a, b = icc(y)["icc"].to_numpy(), icc(y + c)["icc"].to_numpy()
    assert np.allclose(a, b, equal_nan=True, atol=1e-9)
    ka, kb = krippendorff_alpha(y), krippendorff_alpha(y + c)
    assert (math.isnan(ka) and math.isnan(kb)) or ka == pytest.approx(kb, abs=1e-9)


# ---------------------------------------------------------------------------
# calibration sessions from the store
# ---------------------------------------------------------------------------
def _calibration_fixture(con):
    rows = [
        # May: 3 contacts x 2 evaluators, complete
        mon("E1", D(2024, 5, 20), 80, contact_id="c1"), mon("E2", D(2024, 5, 20), 82, contact_id="c1"),
        mon("E1", D(2024, 5, 20), 70, contact_id="c2"), mon("E2", D(2024, 5, 20), 74, contact_id="c2"),
        mon("E1", D(2024, 5, 20), 90, contact_id="c3"), mon("E2", D(2024, 5, 21), 90, contact_id="c3"),
        # June: c4 by E1 + E2, c5 by E2 + E3 (E2 twice: 80 and 90 -> 85) - incomplete table
        mon("E1", D(2024, 6, 12), 60, contact_id="c4"), mon("E2", D(2024, 6, 12), 70, contact_id="c4"),
        mon("E2", D(2024, 6, 12), 80, contact_id="c5"), mon("E2", D(2024, 6, 13), 90, contact_id="c5"),
        mon("E3", D(2024, 6, 12), 75, contact_id="c5"),
        # single-evaluator contacts are not calibration
        mon("E1", D(2024, 6, 14), 50, contact_id="c6"), mon("E1", D(2024, 6, 14), 55, contact_id=""),
    ]
    return insert(con, "monitoring", rows)


def test_calibration_scores(con):
    _calibration_fixture(con)
    sc = calibration_scores(con, D(2024, 5, 1), D(2024, 6, 30))
    assert list(sc.columns) == ["contact_id", "session_date", "raters", "evaluator", "total_score"]
    assert sorted(sc.contact_id.unique()) == ["c1", "c2", "c3", "c4", "c5"]
    c5 = sc[sc.contact_id == "c5"].set_index("evaluator").total_score
    assert c5.to_dict() == {"E2": 85.0, "E3": 75.0}
    assert sc[sc.contact_id == "c3"].session_date.iloc[0] == np.datetime64("2024-05-20")
    assert calibration_scores(con, D(2024, 5, 1), D(2024, 6, 30), min_raters=3).empty


def test_calibration_agreement_by_month(con):
    _calibration_fixture(con)
    out = calibration_agreement(con, D(2024, 5, 1), D(2024, 6, 30))
    assert list(out.columns) == [
        "period_start", "period_end", "contacts", "evaluators", "ratings", "mean_sd",
        "max_range", "alpha", "icc2_1", "complete",
    ]
    may, jun = out.iloc[0], out.iloc[1]
    assert may.period_start == np.datetime64("2024-05-01") and may.period_end == np.datetime64("2024-05-31")
    assert (may.contacts, may.evaluators, may.ratings) == (3, 2, 6)
    # May table [[80, 82], [70, 74], [90, 90]]: BMS = 162, JMS = 6, EMS = 2
    # ICC(2,1) = (162 - 2) / (162 + 2 + 2 (6 - 2) / 3) = 0.96
    assert bool(may.complete) and may.icc2_1 == pytest.approx(0.96)
    # alpha: D_o = 2 (4 + 16 + 0) / 6, D_e = 2*6*334 / 30 -> 1 - 1200/24048
    assert may.alpha == pytest.approx(1 - 1200 / 24048)
    # per-contact sd: 2/sqrt2, 4/sqrt2, 0 -> mean sqrt(2); largest range 4
    assert may.mean_sd == pytest.approx(math.sqrt(2)) and may.max_range == 4
    # June: units (60, 70) and (85, 75) -> alpha 7/13 (see the pure test); no ICC
    assert (jun.contacts, jun.evaluators, jun.ratings) == (2, 3, 4)
    assert not bool(jun.complete) and math.isnan(jun.icc2_1)
    assert jun.alpha == pytest.approx(7 / 13)
    whole = calibration_agreement(con, D(2024, 5, 1), D(2024, 6, 30), grain=None)
    assert len(whole) == 1 and whole.contacts.iloc[0] == 5
    assert whole.period_start.iloc[0] == np.datetime64("2024-05-01")


def test_calibration_items_spread(con):
    keys = _calibration_fixture(con)
    c1_e1, c1_e2, c2_e1, c2_e2 = keys[0], keys[1], keys[2], keys[3]
    items = [
        # greeting: c1 (-2, 0), c2 (-2, -2); accuracy: c1 (-5, -5), c2 (-5, -10)
        (c1_e1, "greeting", "service", -2.0), (c1_e2, "greeting", "service", 0.0),
        (c2_e1, "greeting", "service", -2.0), (c2_e2, "greeting", "service", -2.0),
        (c1_e1, "accuracy", "business", -5.0), (c1_e2, "accuracy", "business", -5.0),
        (c2_e1, "accuracy", "business", -5.0), (c2_e2, "accuracy", "business", -10.0),
        # speech: N/A for E1 on c1, scored by E2 -> na_mixed, nothing pairable
        (c1_e1, "speech", "service", None), (c1_e2, "speech", "service", -1.0),
    ]
    insert(
        con,
        "monitoring_item",
        [{"record_key": k, "item": i, "item_group": g, "points": p} for k, i, g, p in items],
    )
    out = calibration_items(con, D(2024, 5, 1), D(2024, 6, 30))
    assert out.item.tolist() == ["accuracy", "greeting", "speech"]  # largest spread first
    acc, gre, spe = (out.set_index("item").loc[x] for x in ("accuracy", "greeting", "speech"))
    # accuracy: variances 0 and 12.5 over 1 + 1 df -> sqrt(12.5 / 2) = 2.5
    assert acc.sd_within == pytest.approx(2.5) and acc.max_range == 5
    assert acc.mean_points == pytest.approx(-25 / 4)
    assert (acc.contacts, acc.ratings, acc.disagree_contacts) == (2, 4, 1)
    assert acc.disagree_share == pytest.approx(0.5)
    # greeting: variances 2 and 0 -> sqrt(2 / 2) = 1
    assert gre.sd_within == pytest.approx(1.0) and gre.mean_points == pytest.approx(-1.5)
    assert spe.contacts == 0 and spe.na_mixed == 1 and math.isnan(spe.sd_within)
    assert acc.na_mixed == 0 and acc.item_group == "business"


# ---------------------------------------------------------------------------
# appeals
# ---------------------------------------------------------------------------
def test_appeal_stats(con):
    rows = [
        mon("E1", D(2024, 5, 2), 70),
        mon("E1", D(2024, 5, 2), 70, appeal_status="无"),
        mon("E1", D(2024, 5, 2), 70, appeal_status="申诉成功"),
        mon("E1", D(2024, 5, 2), 70, appeal_status="申诉驳回"),
        mon("E1", D(2024, 6, 3), 70, appeal_status="申诉中"),
        mon("E1", D(2024, 6, 3), 70, appeal_status="  "),
        mon("E2", D(2024, 5, 2), 70, appeal_status=" Upheld "),
        mon("E2", D(2024, 5, 2), 70, appeal_status="NONE"),
        mon("E2", D(2024, 5, 2), 90, record_key="rev-up"),  # no status, score revised 75 -> 90
        mon("E2", D(2024, 5, 2), 80, record_key="rev-down", appeal_status="申诉不成功"),
    ]
    insert(con, "monitoring", rows)
    insert(
        con,
        "monitoring_history",
        [
            mon("E2", D(2024, 5, 2), 75, record_key="rev-up"),
            mon("E2", D(2024, 5, 2), 95, record_key="rev-down"),
        ],
    )
    out = appeal_stats(con, D(2024, 5, 1), D(2024, 6, 30)).set_index("evaluator")
    assert list(out.reset_index().columns) == [
        "evaluator", "evaluations", "appeals", "appeal_rate", "pending", "decided",
        "overturned", "overturn_rate", "revised_up",
    ]
    e1 = out.loc["E1"]
    # appealed: 申诉成功, 申诉驳回, 申诉中 (not: NULL, 无, blank)
    assert (e1.evaluations, e1.appeals, e1.pending, e1.decided, e1.overturned) == (6, 3, 1, 2, 1)
    assert e1.appeal_rate == pytest.approx(0.5) and e1.overturn_rate == pytest.approx(0.5)
    e2 = out.loc["E2"]
    # appealed: upheld, the revised-up row, 申诉不成功 (not a success word); NONE is no appeal
    assert (e2.evaluations, e2.appeals, e2.pending, e2.overturned, e2.revised_up) == (4, 3, 0, 2, 1)
    assert e2.overturn_rate == pytest.approx(2 / 3)
    monthly = appeal_stats(con, D(2024, 5, 1), D(2024, 6, 30), grain="month")
    e1m = monthly[monthly.evaluator == "E1"]
    assert e1m.evaluations.tolist() == [4, 2] and e1m.appeals.tolist() == [2, 1]
    assert e1m.period_end.tolist() == [np.datetime64("2024-05-31"), np.datetime64("2024-06-30")]
    jun = e1m.iloc[1]
    assert jun.decided == 0 and math.isnan(jun.overturn_rate)
    custom = appeal_stats(con, D(2024, 5, 1), D(2024, 6, 30), success_words=["申诉驳回"])
    assert custom.set_index("evaluator").loc["E1"].overturned == 1


def test_module_exports():
    for name in evaluators.__all__:
        assert hasattr(evaluators, name)
