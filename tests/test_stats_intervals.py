"""Standard errors and intervals, pinned to statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from qa_analytics.stats.intervals import cluster_robust_se


@pytest.mark.parametrize("seed", range(12))
def test_cluster_robust_se_is_statsmodels_cluster_covariance(seed):
    # generated variety: 2-40 agents, 1-60 evaluations each, agent effects of any size
    rng = np.random.default_rng(seed)
    g = int(rng.integers(2, 41))
    sizes = rng.integers(1, 61, size=g)
    agent = np.repeat(np.arange(g), sizes)
    y = 85 + rng.normal(0, rng.uniform(0, 6), g)[agent] + rng.normal(0, 3, len(agent))
    fit = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": agent})
    counts = np.bincount(agent)
    means = np.bincount(agent, weights=y) / counts
    mean, se, clusters = cluster_robust_se(counts, means)
    assert mean == pytest.approx(fit.params[0], rel=1e-12)
    assert se == pytest.approx(fit.bse[0], rel=1e-10)
    assert clusters == g


def test_cluster_robust_se_counts_agents_not_evaluations():
    # 15 agents x 100 evaluations with agent effects (sd 2) and noise (sd 2.5): the naive
    # sd/sqrt(n) is several times too small; clusters without data do not count
    rng = np.random.default_rng(3)
    agent = np.repeat(np.arange(15), 100)
    y = 88 + rng.normal(0, 2, 15)[agent] + rng.normal(0, 2.5, len(agent))
    counts = np.r_[np.bincount(agent), 0]
    means = np.r_[np.bincount(agent, weights=y) / np.bincount(agent), np.nan]
    _mean, se, clusters = cluster_robust_se(counts, means)
    assert clusters == 15
    assert se > 3 * y.std(ddof=1) / math.sqrt(len(y))
    one = cluster_robust_se([10], [90.0])
    assert one[0] == 90.0 and math.isnan(one[1]) and one[2] == 1
    assert math.isnan(cluster_robust_se([], [])[0])
