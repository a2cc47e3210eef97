"""Between/within x-bar chart, the between-variation test and the alert rule set (issue 10).

References: the between/within sigma is Minitab's documented formula ("Methods
for Between/Within Capability": pooled S_p / c4(d + 1) within, MR-bar / d2(2)
of the subgroup means between), computed here by hand with numpy and
scipy.special.gamma, independently of spc; the F test is scipy.stats.f_oneway
on the raw values; the alert limits are scipy.stats.norm quantiles.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from qa_analytics.stats import spc

GROUPS = [
    [72.0, 80.0, 91.0, 85.0],
    [88.0, 95.0, 90.0],
    [70.0, 75.0, 78.0, 81.0, 69.0],
    [90.0, 96.0, 99.0, 94.0],
    [83.0, 79.0, 88.0],
    [76.0, 84.0, 80.0, 77.0, 86.0, 82.0],
]


def _hand_bw(groups):
    """Minitab's between/within sigma, written from the documented formula."""
    n = np.array([len(g) for g in groups], float)
    means = np.array([np.mean(g) for g in groups])
    ss = sum(float(np.sum((np.asarray(g) - np.mean(g)) ** 2)) for g in groups)
    d = float(np.sum(n - 1))
    c4 = math.sqrt(2.0 / d) * special.gamma((d + 1) / 2) / special.gamma(d / 2)  # c4(d + 1)
    within = math.sqrt(ss / d) / c4
    sigma_xbar = np.mean(np.abs(np.diff(means))) / (2 / math.sqrt(math.pi))  # d2(2) = 1.128379
    nbar = len(n) / np.sum(1 / n)
    between = math.sqrt(max(sigma_xbar ** 2 - within ** 2 / nbar, 0.0))
    return within, between, n, means


def test_xbar_bw_by_hand():
    within, between, n, means = _hand_bw(GROUPS)
    assert between > 0  # these means do vary between subgroups
    df = spc.control_chart(GROUPS, "xbar_bw")
    center = np.sum(n * means) / np.sum(n)
    sigma = np.sqrt(between ** 2 + within ** 2 / n)
    np.testing.assert_allclose(df["center"], center, rtol=1e-12)
    np.testing.assert_allclose(df["sigma"], sigma, rtol=1e-10)
    np.testing.assert_allclose(df["ucl"], center + 3 * sigma, rtol=1e-10)
    np.testing.assert_allclose(df["lcl"], center - 3 * sigma, rtol=1e-10)
    np.testing.assert_allclose(df["value"], means, rtol=1e-12)
    assert df.attrs["chart"] == "xbar_bw"
    assert df.attrs["sigma_hat"] == pytest.approx(within, rel=1e-10)
    assert df.attrs["sigma_between"] == pytest.approx(between, rel=1e-10)
    # the same from the per-subgroup summaries (what metric_spc uses)
    sds = [np.std(g, ddof=1) for g in GROUPS]
    assert spc.between_within_sigma(means, sds, n) == pytest.approx((within, between), rel=1e-10)
    # aliases, and the baseline: limits from the first 4 subgroups only
    assert spc.normalise_chart("between_within") == "xbar_bw"
    w4, b4, _, _ = _hand_bw(GROUPS[:4])
    base = spc.control_chart(GROUPS, "xbar_bw", baseline=4)
    np.testing.assert_allclose(base["sigma"], np.sqrt(b4 ** 2 + w4 ** 2 / n), rtol=1e-10)


def test_xbar_bw_without_between_variation_is_the_within_sigma():
    # means that move less than the within spread predicts: sigma_between = 0, limits sigma_within / sqrt(n)
    groups = [[70.0, 90.0], [71.0, 89.0], [69.0, 91.0], [70.5, 89.5]]
    within, between, n, _ = _hand_bw(groups)
    assert between == 0.0
    df = spc.control_chart(groups, "xbar_bw")
    np.testing.assert_allclose(df["sigma"], within / np.sqrt(n), rtol=1e-10)


def test_between_variation_test_equals_scipy_f_oneway():
    ref = stats.f_oneway(*GROUPS)
    means = [np.mean(g) for g in GROUPS]
    sds = [np.std(g, ddof=1) for g in GROUPS]
    sizes = [len(g) for g in GROUPS]
    row = spc.between_variation_test(means, sds, sizes).iloc[0]
    assert row["f"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["pval"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert (row["dof_between"], row["dof_within"]) == (5, sum(sizes) - 6)
    assert spc.has_between_variation(means, sds, sizes) == (ref.pvalue < 0.01)


def test_has_between_variation_on_simulated_subgroups():
    rng = np.random.default_rng(11)
    n = rng.integers(30, 80, size=60).astype(float)
    noise = rng.normal(0, 1, 60) * 10 / np.sqrt(n)
    sds = 10 * np.sqrt(rng.chisquare(n - 1) / (n - 1))
    assert not spc.has_between_variation(85 + noise, sds, n)
    assert spc.has_between_variation(85 + noise + rng.normal(0, 2.0, 60), sds, n)
    assert not spc.has_between_variation([80, 81], [np.nan, np.nan], [1, 1])  # no within spread: never


# ---------------------------------------------------------------------------
# The alert rule set
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("points", [20, 78, 390, 3120])
def test_alert_rules_are_sized_to_the_list(points):
    rules = spc.ALERT_RULES
    # rule 1: two-sided alpha / 2 over the list's points (Bonferroni), never below Nelson's 3 sigma
    z = stats.norm.isf(0.05 / 2 / points / 2)
    assert rules.limit_sigma(points) == pytest.approx(max(z, 3.0), rel=1e-9)
    # rule 2: a point starts a run of r on one side with probability 0.5^r; expected runs <= alpha / 2
    r = rules.run_length(points)
    assert r >= 9 and points * 0.5 ** r <= 0.025 < points * 0.5 ** (r - 1) or r == 9
    one, two = rules.rules(points)
    assert (one.number, two.number) == (1, 2) and one.rule_set == two.rule_set == "alerts"
    assert f"{r} points in a row below" in two.describe("en", -1)
    assert f"连续{r}点落在中心线上方" == two.describe("zh-CN", 1)


def test_alert_rule_detectors():
    one, two = spc.AlertRules(alpha=0.05).rules(390)  # 4.0 sigma, 14 in a row
    z = np.array([0.0, 3.5, -4.1, 4.2, 0.2])
    zeros, ones = np.zeros(5), np.ones(5)
    assert one.detect(z, zeros, ones, zeros - 3, zeros + 3).tolist() == [0, 0, -1, 1, 0]
    assert "4σ" in one.describe("en", 1) and "远低于下控制限" in one.describe("zh-CN", -1)
    run = np.r_[-1.0, np.full(14, 0.5), -0.5]
    c, s = np.zeros(16), np.ones(16)
    assert two.detect(run, c, s, c - 3, c + 3).tolist() == [0] * 14 + [1, 0]


def test_alert_rules_false_alarm_rate_with_between_subgroup_variance():
    """In-control weekly means with a real between-week component (sigma_between
    = 1 point, sigma_within = 10 points, 40-90 evaluations a week): an alert list
    of 5 metrics x 78 weeks (limits from 104 weeks) raises anything in about
    alpha = 5% of lists with the between/within chart, while the x-bar/S limits
    (within spread only) give false alerts in most lists."""
    rng = np.random.default_rng(2024)
    reps, charts, weeks, judged = 300, 5, 104, 78
    rules = spc.ALERT_RULES.rules(charts * judged)
    lists_bw = lists_s = 0
    for _ in range(reps):
        any_bw = any_s = False
        for _ in range(charts):
            n = rng.integers(40, 90, size=weeks).astype(float)
            means = 85 + rng.normal(0, 1.0, weeks) + rng.normal(0, 1, weeks) * 10 / np.sqrt(n)
            sds = 10 * np.sqrt(rng.chisquare(n - 1) / (n - 1))
            center = np.full(weeks, np.sum(n * means) / n.sum())
            within, between = spc.between_within_sigma(means, sds, n)
            sigma_bw = np.sqrt(between ** 2 + within ** 2 / n)
            sigma_s = np.mean(sds / np.array([spc.c4(int(v)) for v in n])) / np.sqrt(n)
            for sigma, is_bw in ((sigma_bw, True), (sigma_s, False)):
                fired = any((r.detect(means, center, sigma, center - 3 * sigma, center + 3 * sigma)[-judged:]
                             != 0).any() for r in rules)
                any_bw |= fired and is_bw
                any_s |= fired and not is_bw
        lists_bw += any_bw
        lists_s += any_s
    rate = lists_bw / reps
    # nominal 5%: a binomial(300, 0.05) count stays within 0.5x-2x of it
    assert 0.01 <= rate <= 0.10, rate
    assert lists_s / reps > 0.3
