"""stats.funnel and stats.multiplicity: classification by exact tails, the
false discovery rate, and simulations that the false-flag rate stays at its
nominal level (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest

from qa_analytics.stats.funnel import funnel_limits, funnel_p_values, overdispersion
from qa_analytics.stats.multiplicity import adjust_p, comparisons


def test_twenty_of_twenty_at_ninety_percent_is_not_unusual():
    # the interpolated upper 95% limit lies below 1 (0.9897), so the curve puts 20/20 outside it...
    lo, hi = funnel_limits("rate", 0.9, [20])
    assert hi[0] < 1.0
    # ...but P(X >= 20 | n = 20, theta = 0.9) = 0.9**20 = 0.1215767 (R: binom.test(20, 20, 0.9,
    # alternative = "greater")$p.value), doubled for two sides
    p = funnel_p_values("rate", 0.9, [20], [1.0])
    assert p[0] == pytest.approx(2 * 0.9**20, rel=1e-12)


def test_rate_tails_match_the_binomial():
    from scipy import stats

    n = np.array([5, 20, 60, 300])
    x = np.array([0, 14, 55, 150])
    p = funnel_p_values("rate", 0.8, n, x / n)
    want = np.minimum(1, 2 * np.minimum(stats.binom.cdf(x, n, 0.8), stats.binom.sf(x - 1, n, 0.8)))
    np.testing.assert_allclose(p, want, rtol=1e-12)
    # R: binom.test(0, 5, 0.8, alternative = "less")$p.value = 0.2^5 = 0.00032
    assert p[0] == pytest.approx(2 * 0.2**5, rel=1e-12)


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_a_degenerate_centre_flags_nothing(target):
    p = funnel_p_values("rate", target, [3, 30, 300], [target] * 3)
    assert (p == 1.0).all()


def test_mean_uses_t_below_thirty_then_normal():
    from scipy import stats

    p = funnel_p_values("mean", 80.0, [4, 29, 30, 100, 1], [85.0, 82.0, 82.0, 81.0, 90.0], sd=10.0)
    t4 = 5.0 / (10.0 / 2.0)
    assert p[0] == pytest.approx(2 * stats.t.sf(t4, 3), rel=1e-12)  # R: 2 * pt(2.5, 3, lower = FALSE)
    assert p[1] == pytest.approx(2 * stats.t.sf(2.0 / (10 / np.sqrt(29)), 28), rel=1e-12)
    assert p[2] == pytest.approx(2 * stats.norm.sf(2.0 / (10 / np.sqrt(30))), rel=1e-12)
    assert np.isnan(p[4])  # one observation: no test
    assert np.isnan(funnel_p_values("mean", 80.0, [5], [81.0], sd=0.0)).all()


def test_benjamini_hochberg_matches_r():
    # R: p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205), method = "BH")
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]
    want = [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.08457143, 0.205]
    np.testing.assert_allclose(adjust_p(p), want, rtol=1e-6)
    # missing p-values stay missing and are not comparisons
    got = adjust_p([0.01, np.nan, 0.04])
    assert np.isnan(got[1]) and got[0] == pytest.approx(0.02) and got[2] == pytest.approx(0.04)
    assert comparisons([0.01, np.nan, 0.04]) == 2
    np.testing.assert_array_equal(adjust_p([0.2, 0.01], "none"), [0.2, 0.01])
    with pytest.raises(ValueError):
        adjust_p([0.1], "holm")


def _simulate_rates(rng: np.random.Generator, units: int, theta: float) -> tuple[np.ndarray, np.ndarray, float]:
    n = rng.integers(5, 301, size=units)
    x = rng.binomial(n, theta)
    centre = x.sum() / n.sum()
    return n, x / n, centre


@pytest.mark.parametrize("theta", [0.05, 0.5, 0.93, 0.99])
def test_false_flags_stay_at_nominal_level(theta):
    """No unit differs: the exact test flags at most 5% of units before any
    correction (it is conservative), and after Benjamini–Hochberg a center
    of 60 units shows any flag at all in at most about 5% of runs."""
    rng = np.random.default_rng(int(theta * 1000))
    runs, units = 400, 60
    raw_flags = any_flag = 0
    for _ in range(runs):
        n, v, centre = _simulate_rates(rng, units, theta)
        p = funnel_p_values("rate", centre, n, v)
        raw_flags += int((p < 0.05).sum())
        any_flag += bool((adjust_p(p) < 0.05).any())
    assert raw_flags / (runs * units) <= 0.05
    # binomial sd of a 5% rate over 400 runs is 1.1%: 0.075 is 2.3 sd above
    assert any_flag / runs <= 0.075


def test_the_interpolated_limits_would_have_flagged_too_many():
    """The reason for the change, kept as a test: over the same simulated
    centers, classifying by the drawn curves flags far above 2.5% on the upper side."""
    rng = np.random.default_rng(7)
    above = total = 0
    for _ in range(200):
        n, v, centre = _simulate_rates(rng, 60, 0.93)
        lo, hi = funnel_limits("rate", centre, n)
        above += int((v > hi).sum())
        total += len(n)
    assert above / total > 0.05


def test_overdispersion_test():
    # winsorising at 10%/90% shrinks the mean square of normal z-scores to about 0.66 (the
    # truncated second moment), so the test is conservative, as in Spiegelhalter (2005) and
    # R's FunnelPlotR, which winsorise the same way
    rng = np.random.default_rng(3)
    phi, p = overdispersion(rng.standard_normal(200))
    assert 0.5 < phi < 1.0 and p > 0.5
    phi, p = overdispersion(3 * rng.standard_normal(200))
    assert phi > 4 and p < 1e-6
    assert overdispersion([1.0, 2.0]) == (1.0, pytest.approx(float("nan"), nan_ok=True))
