"""Verification of actions on generated centers with known answers, and the
statistics pinned to statsmodels / scipy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from qa_analytics.improvement import register as reg
from qa_analytics.improvement.verify import _proportions, _welch, action_chart, cluster_ols, compare, verify_action

from conftest import insert_rows

START = dt.date(2024, 1, 1)
ACTION_DAY = START + dt.timedelta(days=90)
TEAMS = ("A", "B", "C", "D")


def center(con, seed=1, shift=None, agents_per_team=6, days=180, sd=5.0):
    """Each agent scores N(80 + skill, sd) once a day; ``shift(team, agent, after) -> points``."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in TEAMS:
        for i in range(agents_per_team):
            agent = f"{t}{i}"
            skill = rng.normal(0, 3)
            for d in range(days):
                day = START + dt.timedelta(days=d)
                after = day >= ACTION_DAY
                s = 80 + skill + rng.normal(0, sd) + (shift(t, agent, after) if shift else 0.0)
                rows.append(dict(eval_date=day, agent_id=agent, team=t, total_score=float(s), channel="voice",
                                 critical_error=bool(rng.random() < (0.02 if (shift and after and t == "A"
                                                                               and shift(t, agent, after) > 0)
                                                                     else 0.08))))
    insert_rows(con, "monitoring", rows)


def team_action(con, **kw):
    return reg.create_action(con, type="corrective", title="training", scope="team", scope_value="A",
                             metrics=kw.pop("metrics", ["qa_mean_score"]), opened=ACTION_DAY, **kw)


END = START + dt.timedelta(days=200)


def test_a_step_in_the_acted_team_is_effective(con):
    center(con, shift=lambda t, a, after: 4.0 if (after and t == "A") else 0.0)
    v = verify_action(con, team_action(con, metrics=["qa_mean_score", "critical_error_rate"]), as_of=END)
    assert v.verdict == "effective"
    r = v.rows.set_index("metric")
    assert r.loc["qa_mean_score", "test"] == "welch_clustered"
    assert 3.0 < r.loc["qa_mean_score", "difference"] < 5.0 and r.loc["qa_mean_score", "p_value"] < 0.001
    assert r.loc["qa_mean_score", "did_p"] < 0.05 and r.loc["qa_mean_score", "did"] > 2.5
    assert r.loc["critical_error_rate", "verdict"] == "effective"  # lower is better
    assert r.loc["critical_error_rate", "difference"] < 0
    assert v.comparison == "other_teams"
    assert "有效" in v.text("zh") and "effective" in v.text("en")
    assert v.to_dict()["verdict"] == "effective"


def test_a_center_wide_rise_is_not_credited_to_one_team(con):
    center(con, shift=lambda t, a, after: 4.0 if after else 0.0)
    v = verify_action(con, team_action(con), as_of=END)
    r = v.rows.iloc[0]
    assert r["p_value"] < 0.001 and r["difference"] > 3  # the team did rise ...
    assert r["did_p"] > 0.05  # ... as much as everyone else
    assert v.verdict == "no_effect"


def test_a_decline_is_worse(con):
    center(con, shift=lambda t, a, after: -4.0 if (after and t == "A") else 0.0)
    assert verify_action(con, team_action(con), as_of=END).verdict == "worse"


def test_before_verify_after_or_without_data_it_is_not_yet(con):
    center(con, shift=lambda t, a, after: 4.0 if (after and t == "A") else 0.0)
    a = team_action(con)
    early = verify_action(con, a, as_of=a.verify_after - dt.timedelta(days=1))
    assert early.verdict == "not_yet"
    assert a.verify_after.isoformat() in early.text("en")
    b = reg.create_action(con, type="corrective", title="x", scope="team", scope_value="Z",
                          metrics=["qa_mean_score"], opened=ACTION_DAY, verify_after=ACTION_DAY)
    assert verify_action(con, b, as_of=END).verdict == "not_yet"  # no evaluations of team Z


def test_an_agent_is_compared_with_the_other_agents(con):
    center(con, shift=lambda t, a, after: 6.0 if (after and a == "B2") else 0.0)
    a = reg.create_action(con, type="coaching", title="coach", scope="agent", scope_value="B2",
                          metrics=["qa_mean_score"], opened=ACTION_DAY)
    v = verify_action(con, a, as_of=END)
    assert v.rows.iloc[0]["test"] == "welch" and v.comparison == "other_agents"
    assert v.verdict == "effective"
    other = reg.create_action(con, type="coaching", title="coach", scope="agent", scope_value="C1",
                              metrics=["qa_mean_score"], opened=ACTION_DAY)
    assert verify_action(con, other, as_of=END).verdict == "no_effect"


def test_the_chart_gets_a_new_phase_only_when_the_action_explains_it(con):
    center(con, shift=lambda t, a, after: 4.0 if (after and t == "A") else 0.0)
    ch = action_chart(con, team_action(con), "qa_mean_score", as_of=END)
    assert ch.verdict == "effective"
    before, after = ch.data[ch.data["phase"] == "before"], ch.data[ch.data["phase"] == "after"]
    assert after["center"].iloc[0] > before["center"].iloc[0] + 3
    noise = reg.create_action(con, type="corrective", title="n", scope="team", scope_value="B",
                              metrics=["qa_mean_score"], opened=ACTION_DAY)
    ch2 = action_chart(con, noise, "qa_mean_score", as_of=END)
    assert ch2.verdict == "no_effect" and ch2.data["center"].nunique() == 1


# ---------------------------------------------------------------------------
# pinned to outside references
# ---------------------------------------------------------------------------


def test_cluster_ols_is_statsmodels_cluster_covariance():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    recs = []
    for g in range(12):
        skill = rng.normal(0, 2)
        treated = g < 5
        for after in (0, 1):
            for _ in range(rng.integers(5, 30)):
                recs.append((g, after, treated, 70 + skill + 2 * after * treated + rng.normal(0, 4)))
    raw = pd.DataFrame(recs, columns=["g", "after", "treated", "y"])
    raw["treated"] = raw["treated"].astype(float)
    X = np.column_stack([np.ones(len(raw)), raw["after"], raw["treated"], raw["after"] * raw["treated"]])
    # statsmodels: OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    ref = sm.OLS(raw["y"], X).fit(cov_type="cluster", cov_kwds={"groups": raw["g"]})
    cells = raw.groupby(["g", "after", "treated"], as_index=False).agg(n=("y", "size"), mean=("y", "mean"))
    Xc = np.column_stack([np.ones(len(cells)), cells["after"], cells["treated"], cells["after"] * cells["treated"]])
    beta, cov, G = cluster_ols(Xc, cells["n"], cells["mean"], cells["g"])
    assert G == 12
    np.testing.assert_allclose(beta, ref.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(cov, ref.cov_params().to_numpy(), rtol=1e-10)


def test_welch_and_proportions_are_scipys():
    from scipy import stats

    se, df, p = _welch(40, 80.0, 5.0, 35, 82.5, 6.0)
    ref = stats.ttest_ind_from_stats(82.5, 6.0, 35, 80.0, 5.0, 40, equal_var=False)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)
    test, _se, p = _proportions(3, 40, 0, 45)
    assert test == "fisher" and p == pytest.approx(stats.fisher_exact([[0, 45], [3, 37]])[1])
    # statsmodels.stats.proportion.proportions_ztest([30, 45], [200, 210]) -> p = 0.1068...
    from statsmodels.stats.proportion import proportions_ztest

    test, _se, p = _proportions(30, 200, 45, 210)
    assert test == "z" and p == pytest.approx(proportions_ztest([30, 45], [200, 210])[1], rel=1e-10)


def _noise_cells(rng, teams=4, agents=6, n=(10, 40)):
    rows = []
    for t in range(teams):
        for i in range(agents):
            skill = rng.normal(0, 3)
            for after in (False, True):
                k = int(rng.integers(*n))
                y = 80 + skill + rng.normal(0, 5, k)
                rows.append((f"{t}-{i}", t == 0, after, k, y.mean(), y.std(ddof=1)))
    return pd.DataFrame(rows, columns=["cluster", "treated", "after", "n", "mean", "sd"])


def test_noise_is_called_effective_at_most_at_the_nominal_rate():
    rng = np.random.default_rng(11)
    runs = 600
    team = [compare(_noise_cells(rng), "mean", True) for _ in range(runs)]
    center_ = [compare(_noise_cells(rng).assign(treated=True), "mean", True) for _ in range(runs)]
    false_team = np.mean([r["verdict"] == "effective" for r in team])
    false_center = np.mean([r["verdict"] == "effective" for r in center_])
    two_sided_center = np.mean([r["p_value"] < 0.05 for r in center_])
    assert false_team < 0.06 and false_center < 0.06
    assert 0.02 < two_sided_center < 0.08  # the test holds its size (one side of it is "effective")
