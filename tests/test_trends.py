"""Tests of qa_analytics.analytics.trends, pinned to outside references (R / hand computation)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_analytics.analytics import trends
from qa_analytics.analytics.trends import (
    change_label,
    fisher_p,
    mann_whitney_u,
    period_over_period,
    rolling,
    small_expected,
    two_proportion_test,
    welch_t_test,
)
from qa_analytics.core.codes import say

# R's built-in `sleep` data (Student 1908): extra hours of sleep, two drugs.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# ---------------------------------------------------------------------------
# two-proportion z test
# ---------------------------------------------------------------------------
def test_two_proportion_matches_prop_test_without_correction():
    # R: prop.test(c(45, 30), c(100, 100), correct = FALSE)
    #    -> X-squared = 4.8, df = 1, p-value = 0.02846
    # By hand: pooled p = 75/200 = 0.375, se = sqrt(.375 * .625 * (1/100 + 1/100))
    #    = 0.0684653, z = (0.30 - 0.45) / se = -2.190890, z^2 = 4.8,
    #    p = erfc(2.190890 / sqrt 2) = 0.0284597.
    # Cohen's h (R: pwr::ES.h(0.30, 0.45)) = 2 asin(sqrt .30) - 2 asin(sqrt .45) = -0.3113494
    r = two_proportion_test(45, 100, 30, 100)
    assert r.test == "two_proportion_z"
    assert r.estimate_a == pytest.approx(0.45)
    assert r.estimate_b == pytest.approx(0.30)
    assert r.change == pytest.approx(-0.15)
    assert r.statistic == pytest.approx(-2.190890, abs=1e-6)
    assert r.statistic**2 == pytest.approx(4.8)
    assert r.p_value == pytest.approx(0.0284597, abs=1e-7)
    assert r.effect_size == pytest.approx(-0.3113494, abs=1e-7)
    assert r.effect_measure == "cohen_h"
    assert r.significant(0.05) and not r.significant(0.01)


def test_two_proportion_agrees_with_scipy_chi2_contingency():
    # scipy.stats.chi2_contingency([[45, 55], [30, 70]], correction=False) is the same test
    from scipy.stats import chi2_contingency

    chi2, p, _, _ = chi2_contingency([[45, 55], [30, 70]], correction=False)
    r = two_proportion_test(45, 100, 30, 100)
    assert r.statistic**2 == pytest.approx(chi2)
    assert r.p_value == pytest.approx(p)


def test_two_proportion_degenerate_and_invalid():
    both_zero = two_proportion_test(0, 50, 0, 80)  # no difference at all: p = 1
    assert both_zero.p_value == 1.0 and both_zero.effect_size == 0.0
    assert math.isnan(two_proportion_test(5, 0, 3, 10).p_value)  # n = 0
    assert math.isnan(two_proportion_test(12, 10, 3, 10).p_value)  # x > n


# ---------------------------------------------------------------------------
# Welch t from summary statistics
# ---------------------------------------------------------------------------
def test_welch_matches_r_t_test_on_sleep_data():
    # R: t.test(extra ~ group, data = sleep)   (Welch is R's default)
    #    -> t = -1.8608, df = 17.776, p-value = 0.07939   (group 1 minus group 2)
    # Here a = group 1 (before), b = group 2 (after), so t is +1.8608.
    a, b = np.array(SLEEP_1), np.array(SLEEP_2)
    r = welch_t_test(a.mean(), a.std(ddof=1), 10, b.mean(), b.std(ddof=1), 10)
    assert r.statistic == pytest.approx(1.8608, abs=5e-5)
    assert r.df == pytest.approx(17.776, abs=5e-4)
    assert r.p_value == pytest.approx(0.07939, abs=5e-6)
    assert r.change == pytest.approx(1.58)
    # Hedges' g by hand: s_pooled = sqrt((s1^2 + s2^2) / 2) = 1.898625 (equal n),
    # d = 1.58 / 1.898625 = 0.832181, J = 1 - 3 / (4 * 20 - 9) = 0.957746, g = 0.797018
    assert r.effect_size == pytest.approx(0.797018, abs=1e-6)
    assert r.effect_measure == "hedges_g"


def test_welch_hand_computed_and_scipy():
    # a: mean 10, sd 2, n 10; b: mean 12, sd 3, n 15.
    # se = sqrt(4/10 + 9/15) = 1 -> t = 2 exactly;
    # df = 1 / (0.4^2/9 + 0.6^2/14) = 22.992701;
    # p: scipy.stats.ttest_ind_from_stats(12, 3, 15, 10, 2, 10, equal_var=False).pvalue = 0.0574484
    # Hedges' g: s_pooled = sqrt((9*4 + 14*9) / 23) = 2.653965, d = 2 / 2.653965 = 0.753590,
    #   g = d * (1 - 3/91) = 0.728749
    from scipy.stats import ttest_ind_from_stats

    r = welch_t_test(10, 2, 10, 12, 3, 15)
    assert r.statistic == pytest.approx(2.0)
    assert r.df == pytest.approx(22.992701, abs=1e-6)
    ref = ttest_ind_from_stats(12, 3, 15, 10, 2, 10, equal_var=False)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert r.p_value == pytest.approx(0.0574484, abs=1e-7)
    assert r.effect_size == pytest.approx(0.728749, abs=1e-6)


def test_welch_untestable():
    assert math.isnan(welch_t_test(80, 5, 1, 82, 5, 10).p_value)  # n < 2
    assert math.isnan(welch_t_test(80, 0, 5, 82, 0, 5).p_value)  # no variance at all


# ---------------------------------------------------------------------------
# Mann-Whitney U on raw scores
# ---------------------------------------------------------------------------
def test_mann_whitney_exact_small():
    # R: wilcox.test(c(4, 5, 6), c(1, 2, 3)) -> W = 9, p-value = 0.1
    # By hand: U_b = 9 (every b above every a); the exact two-sided p is
    # 2 * P(U = 9) = 2 / choose(6, 3) = 0.1.  Rank-biserial = 2*9/9 - 1 = 1.
    r = mann_whitney_u([1, 2, 3], [4, 5, 6])
    assert r.statistic == 9
    assert r.p_value == pytest.approx(0.1)
    assert r.effect_size == pytest.approx(1.0)
    assert r.change == pytest.approx(3.0)  # median 5 - median 2


def test_mann_whitney_ties_normal_approximation_by_hand():
    # a = 1 2 2 3, b = 2 3 4 5.  Mid-ranks of the 8 values: 1 | 3 3 3 | 5.5 5.5 | 7 | 8.
    # R_a = 1 + 3 + 3 + 5.5 = 12.5, U_a = 12.5 - 10 = 2.5, U_b = 16 - 2.5 = 13.5.
    # Tie-corrected variance: 16/12 * (9 - (3^3-3 + 2^3-2) / (8*7)) = 11.285714;
    # z = (13.5 - 8 - 0.5) / sqrt(11.285714) = 1.488351; p = 2 (1 - Phi(z)) = 0.136658.
    # R: wilcox.test(c(2,3,4,5), c(1,2,2,3)) -> W = 13.5, p-value = 0.1367 (ties warning)
    r = mann_whitney_u([1, 2, 2, 3], [2, 3, 4, 5])
    assert r.statistic == pytest.approx(13.5)
    z = (13.5 - 8 - 0.5) / math.sqrt(16 / 12 * (9 - 30 / 56))
    assert z == pytest.approx(1.488351, abs=1e-6)
    assert r.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert r.p_value == pytest.approx(0.136658, abs=1e-6)
    assert r.effect_size == pytest.approx(2 * 13.5 / 16 - 1)


def test_mann_whitney_matches_r_on_sleep_data():
    # R: wilcox.test(extra ~ group, data = sleep) -> W = 25.5, p-value = 0.06933
    # (W is U of group 1; with b = group 2, U_b = 100 - 25.5 = 74.5)
    r = mann_whitney_u(SLEEP_1, SLEEP_2)
    assert r.statistic == pytest.approx(74.5)
    assert r.p_value == pytest.approx(0.06933, abs=5e-6)
    assert mann_whitney_u(SLEEP_2, SLEEP_1).statistic == pytest.approx(25.5)


def test_mann_whitney_edge_cases():
    assert mann_whitney_u([5, 5, 5], [5, 5]).p_value == 1.0
    assert math.isnan(mann_whitney_u([], [1, 2]).p_value)
    r = mann_whitney_u([1, np.nan, 2], [3, 4])  # NaN dropped
    assert r.n_a == 2


# ---------------------------------------------------------------------------
# properties: swapping the groups flips sign, not the p-value
# ---------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    n_a=st.integers(1, 500),
    n_b=st.integers(1, 500),
    fa=st.floats(0, 1),
    fb=st.floats(0, 1),
)
def test_swap_two_proportion(n_a, n_b, fa, fb):
    x_a, x_b = round(fa * n_a), round(fb * n_b)
    r1 = two_proportion_test(x_a, n_a, x_b, n_b)
    r2 = two_proportion_test(x_b, n_b, x_a, n_a)
    assert r2.change == pytest.approx(-r1.change, abs=1e-12)
    assert r2.effect_size == pytest.approx(-r1.effect_size, abs=1e-12)
    assert r2.statistic == pytest.approx(-r1.statistic, abs=1e-9)
    assert r2.p_value == pytest.approx(r1.p_value, rel=1e-9, abs=1e-15)
    assert 0.0 <= r1.p_value <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    m=st.tuples(st.floats(0, 100), st.floats(0, 100)),
    s=st.tuples(st.floats(0.1, 30), st.floats(0.1, 30)),
    n=st.tuples(st.integers(2, 300), st.integers(2, 300)),
)
def test_swap_welch(m, s, n):
    r1 = welch_t_test(m[0], s[0], n[0], m[1], s[1], n[1])
    r2 = welch_t_test(m[1], s[1], n[1], m[0], s[0], n[0])
    assert r2.change == pytest.approx(-r1.change, abs=1e-12)
    assert r2.effect_size == pytest.approx(-r1.effect_size, abs=1e-12)
    assert r2.df == pytest.approx(r1.df)
    assert r2.p_value == pytest.approx(r1.p_value, rel=1e-9, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(
    a=st.lists(st.integers(0, 20), min_size=1, max_size=30),
    b=st.lists(st.integers(0, 20), min_size=1, max_size=30),
)
def test_swap_mann_whitney(a, b):
    r1 = mann_whitney_u(a, b)
    r2 = mann_whitney_u(b, a)
    assert r2.change == pytest.approx(-r1.change)
    assert r2.effect_size == pytest.approx(-r1.effect_size, abs=1e-12)
    assert r1.statistic + r2.statistic == pytest.approx(len(a) * len(b))
    assert r2.p_value == pytest.approx(r1.p_value, rel=1e-9)
    assert -1 <= r1.effect_size <= 1


# ---------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------
def _both(phrase) -> tuple[str, str]:
    """A label said in English and in Chinese."""
    return say(phrase, "en"), say(phrase, "zh")


def test_change_label_sentences():
    assert _both(change_label(-2.1, 0.003)) == (
        "down 2.1 points, significant (p = 0.003)",
        "下降2.1分，差异显著（p = 0.003）",
    )
    assert _both(change_label(0.8, 0.41)) == (
        "up 0.8 points, within normal variation (p = 0.410)",
        "上升0.8分，属正常波动（p = 0.410）",
    )
    assert _both(change_label(3.0, 0.0001, unit="pp")) == (
        "up 3.0 percentage points, significant (p < 0.001)",
        "上升3.0个百分点，差异显著（p < 0.001）",
    )
    assert _both(change_label(0.0, 1.0))[0] == "unchanged, within normal variation (p = 1.000)"
    assert _both(change_label(0.0, 1.0))[1] == "持平，属正常波动（p = 1.000）"
    assert _both(change_label(float("nan"), float("nan"))) == ("no previous period", "无上期数据")
    assert _both(change_label(1.0, float("nan"))) == (
        "up 1.0 points (not tested: too few data)",
        "上升1.0分（数据不足，未检验）",
    )
    # the alpha decides
    assert "significant" in _both(change_label(1.0, 0.04, alpha=0.05))[0]
    assert "normal variation" in _both(change_label(1.0, 0.04, alpha=0.01))[0]


# ---------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------
def _tidy() -> pd.DataFrame:
    # Deliberately unsorted; two levels x (a mean metric, a rate metric).
    return pd.DataFrame(
        {
            "period": ["2024-02", "2024-01", "2024-03", "2024-01", "2024-02", "2024-01", "2024-02"],
            "level_key": ["A", "A", "A", "A", "A", "B", "B"],
            "metric": ["score", "score", "score", "pass", "pass", "score", "score"],
            "value": [12.0, 10.0, 11.5, 0.45, 0.30, 80.0, 80.0],
            "n": [15, 10, 15, 100, 100, 1, 5],
            "sd": [3.0, 2.0, 3.0, np.nan, np.nan, np.nan, 4.0],
            "successes": [np.nan, np.nan, np.nan, 45, 30, np.nan, np.nan],
        }
    )


def test_period_over_period_known_answers():
    out = period_over_period(_tidy())
    assert list(out.columns[:7]) == ["period", "level_key", "metric", "value", "n", "sd", "successes"]
    for c in (
        "prev_period", "prev_value", "change", "change_pct", "test", "statistic", "df",
        "p_value", "effect_size", "effect_measure", "significant", "label",
    ):
        assert c in out.columns
    key = out.set_index(["level_key", "metric", "period"])

    first = key.loc[("A", "score", "2024-01")]
    assert math.isnan(first["prev_value"]) and first["test"] is None
    assert not first["significant"] and say(first["label"], "en") == "no previous period"

    feb = key.loc[("A", "score", "2024-02")]  # = the hand-computed Welch case above
    assert feb["prev_period"] == "2024-01"
    assert feb["change"] == pytest.approx(2.0)
    assert feb["change_pct"] == pytest.approx(20.0)
    assert feb["test"] == "welch_t" and feb["effect_measure"] == "hedges_g"
    assert feb["statistic"] == pytest.approx(2.0)
    assert feb["p_value"] == pytest.approx(0.0574484, abs=1e-7)
    assert feb["effect_size"] == pytest.approx(0.728749, abs=1e-6)
    assert not feb["significant"]
    assert say(feb["label"], "en") == "up 2.0 points, within normal variation (p = 0.057)"
    assert say(feb["label"], "zh") == "上升2.0分，属正常波动（p = 0.057）"

    mar = key.loc[("A", "score", "2024-03")]
    # equal sd and n: df = 2(n-1) = 28; t = -0.5 / sqrt(2 * 9/15) = -0.456435
    assert mar["df"] == pytest.approx(28.0)
    assert mar["statistic"] == pytest.approx(-0.5 / math.sqrt(1.2))

    rate = key.loc[("A", "pass", "2024-02")]  # = the prop.test case above
    assert rate["test"] == "two_proportion_z" and rate["effect_measure"] == "cohen_h"
    assert rate["p_value"] == pytest.approx(0.0284597, abs=1e-7)
    assert rate["effect_size"] == pytest.approx(-0.3113494, abs=1e-7)
    assert math.isnan(rate["df"])
    assert bool(rate["significant"])
    assert say(rate["label"], "en") == "down 15.0 percentage points, significant (p = 0.028)"
    assert say(rate["label"], "zh") == "下降15.0个百分点，差异显著（p = 0.028）"

    b = key.loc[("B", "score", "2024-02")]  # previous period has n = 1, no sd: untested
    assert b["test"] == "welch_t"  # the intended test, not computable
    assert math.isnan(b["p_value"]) and not b["significant"]
    assert say(b["label"], "en") == "unchanged (not tested: too few data)"


def test_period_over_period_alpha_and_untested_metric():
    df = pd.DataFrame(
        {"period": [1, 2], "metric": ["calls", "calls"], "value": [100.0, 120.0]}
    )  # neither successes nor sd, no level_key
    out = period_over_period(df)
    assert out["test"].tolist() == [None, None]
    assert out["change"].iloc[1] == 20.0
    assert say(out["label"].iloc[1], "en") == "up 20.0 (not tested: too few data)"
    strict = period_over_period(_tidy(), alpha=0.01)
    assert not strict["significant"].any()


def test_period_over_period_percent_scale_and_kind_column():
    df = pd.DataFrame(
        {
            "period": [1, 2],
            "metric": ["pass", "pass"],
            "value": [45.0, 30.0],  # percent
            "n": [100, 100],
            "successes": [45, 30],
            "kind": ["rate", "rate"],
        }
    )
    out = period_over_period(df, rate_scale="percent")
    assert say(out["label"].iloc[1], "en") == "down 15.0 percentage points, significant (p = 0.028)"


def test_rolling_known_answers():
    df = pd.DataFrame(
        {
            "period": [4, 1, 3, 2, 1, 2],
            "level_key": ["A", "A", "A", "A", "B", "B"],
            "metric": ["score"] * 4 + ["pass"] * 2,
            "value": [4.0, 1.0, 3.0, 2.0, 0.5, 0.25],
            "n": [2, 1, 1, 1, 10, 30],
            "successes": [np.nan] * 4 + [5, 7.5],
        }
    )
    out = rolling(df, 2)
    a = out[out["level_key"] == "A"]
    assert a["period"].tolist() == [1, 2, 3, 4]
    # unweighted: mean of the last 2 values; NaN until 2 periods (min_periods = window)
    assert a["rolling_value"].tolist()[1:] == [1.5, 2.5, 3.5]
    assert math.isnan(a["rolling_value"].iloc[0])
    # weighted by n: (3*1 + 4*2) / 3 = 11/3 for period 4
    assert a["rolling_weighted"].iloc[3] == pytest.approx(11 / 3)
    assert a["rolling_n"].tolist()[1:] == [2, 2, 3]
    assert a["rolling_periods"].tolist() == [1, 2, 2, 2]
    b = out[out["level_key"] == "B"]
    # rates pool: (5 + 7.5) / (10 + 30) = 0.3125 (the unweighted mean is 0.375)
    assert b["rolling_weighted"].iloc[1] == pytest.approx(0.3125)
    assert b["rolling_value"].iloc[1] == pytest.approx(0.375)
    one = rolling(df, 3, min_periods=1)
    assert one[one["level_key"] == "A"]["rolling_value"].tolist() == [1.0, 1.5, 2.0, 3.0]


def test_rolling_rejects_bad_window():
    with pytest.raises(ValueError):
        rolling(_tidy(), 0)


def test_module_exports():
    for name in trends.__all__:
        assert hasattr(trends, name)


# ---------------------------------------------------------------------------
# honest numbers (issue 10): small samples, three verdicts, many units
# ---------------------------------------------------------------------------
def test_zero_of_three_to_three_of_three_is_fisher_and_too_few():
    df = pd.DataFrame({"period": [1, 2], "metric": ["pass", "pass"], "value": [0.0, 1.0], "n": [3, 3],
                       "successes": [0, 3]})
    row = period_over_period(df).iloc[1]
    # R: fisher.test(matrix(c(3, 0, 0, 3), 2))$p.value = 0.1 (the z test would say 0.014)
    assert row["test"] == "fisher_exact" and row["p_value"] == pytest.approx(0.1, abs=1e-12)
    assert row["verdict"] == "too_few" and not row["significant"]
    assert say(row["label"], "en") == "up 100.0 percentage points, too few data to tell (p = 0.100)"
    assert say(row["label"], "zh") == "上升100.0个百分点，数据太少，无法判断（p = 0.100）"


def test_fisher_matches_scipy_and_cochran_rule():
    from scipy import stats

    p, ratio = fisher_p([2, 10], [12, 40], [9, 30], [12, 40])
    assert p[0] == pytest.approx(stats.fisher_exact([[9, 3], [2, 10]]).pvalue, rel=1e-12)
    assert small_expected([2, 10], [12, 40], [9, 30], [12, 40]).tolist() == [False, False]
    assert small_expected([0], [3], [3], [3]).tolist() == [True]


def test_a_big_fall_on_three_evaluations_is_too_few_to_tell():
    df = pd.DataFrame({"period": [1, 2], "metric": ["score", "score"], "value": [85.0, 73.0], "n": [3, 3],
                       "sd": [10.0, 10.0]})
    row = period_over_period(df).iloc[1]
    # Welch: t = -12 / sqrt(100/3 + 100/3) = -1.47, df = 4, p = 0.216 (R: t.test on such data)
    assert row["p_value"] == pytest.approx(0.2155, abs=1e-3)
    # 80% power at alpha 0.05: (1.959964 + 0.841621) * 8.1650 = 22.87 points > 3
    assert row["min_detectable"] == pytest.approx(2.801585 * math.sqrt(200 / 3), rel=1e-5)
    assert row["verdict"] == "too_few" and "too few data to tell" in say(row["label"], "en")
    # the same change on 300 evaluations a period is a real one
    big = period_over_period(df.assign(n=[300, 300])).iloc[1]
    assert big["verdict"] == "significant"
    # and a small change on large samples is normal variation, the sample could have seen 3 points
    calm = period_over_period(df.assign(value=[85.0, 84.0], n=[300, 300])).iloc[1]
    assert calm["verdict"] == "normal" and calm["min_detectable"] < 3


def test_mdd_per_metric_or_kind():
    df = pd.DataFrame({"period": [1, 2], "metric": ["score", "score"], "value": [85.0, 84.0], "n": [300, 300],
                       "sd": [10.0, 10.0]})
    assert period_over_period(df, mdd={"score": 1.0}).iloc[1]["verdict"] == "too_few"
    assert period_over_period(df, mdd={"mean": 1.0}).iloc[1]["verdict"] == "too_few"
    assert period_over_period(df, mdd=5.0).iloc[1]["verdict"] == "normal"


def test_sixty_agents_without_change_are_not_significant():
    """60 agents x 2 metrics, nothing changes: before the correction about 6 of
    the 120 tests were "significant"; after it, most runs flag none."""
    rng = np.random.default_rng(10)
    runs, flagged_runs, raw = 100, 0, 0
    for _ in range(runs):
        rows = []
        for a in range(60):
            n1, n2 = rng.integers(20, 80, size=2)
            s1, s2 = rng.normal(85, 8, n1), rng.normal(85, 8, n2)
            rows += [{"period": 1, "level_key": a, "metric": "score", "value": s1.mean(), "n": n1, "sd": s1.std(ddof=1)},
                     {"period": 2, "level_key": a, "metric": "score", "value": s2.mean(), "n": n2, "sd": s2.std(ddof=1)}]
            x1, x2 = rng.binomial(n1, 0.9), rng.binomial(n2, 0.9)
            rows += [{"period": 1, "level_key": a, "metric": "pass", "value": x1 / n1, "n": n1, "successes": x1},
                     {"period": 2, "level_key": a, "metric": "pass", "value": x2 / n2, "n": n2, "successes": x2}]
        out = period_over_period(pd.DataFrame(rows))
        tested = out[out["period"] == 2]
        assert (tested["comparisons"] == 60).all()
        raw += int((tested["p_value"] < 0.05).sum())
        flagged_runs += bool(tested["significant"].any())
    assert raw / (runs * 120) > 0.03  # the uncorrected rate is the nominal 5%...
    assert flagged_runs / runs <= 0.10  # ...the corrected family flags in at most ~5% of runs (2 sd margin)


def test_identical_scores_have_no_spread(con):
    """Seven scores of exactly 99.9, then seven of 99.8: the sd is 0, not 1.6e-6
    from cancellation (numpy.var(ddof=1) of the values is 0), and no t of -120,129."""
    import datetime as dt

    from qa_analytics.analytics.metrics import metric_table

    from conftest import insert_rows

    rows = [{"record_key": f"k{i}", "contact_id": f"c{i}", "eval_date": dt.date(2026, 1 + i // 7, 5 + i % 7),
             "agent_id": "1001", "team": "A", "channel": "voice", "total_score": 99.9 if i < 7 else 99.8}
            for i in range(14)]
    insert_rows(con, "monitoring", rows)
    t = metric_table(con, "qa_mean_score", grain="month", level="center", rollups=False)
    assert t["sd"].tolist() == [0.0, 0.0]
    out = period_over_period(t.assign(kind="mean"))
    assert out.iloc[1]["verdict"] == "untested" and not out.iloc[1]["significant"]
