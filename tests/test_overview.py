"""Headline figures: this period vs the previous one, with the test."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from qa_analytics.core.codes import say
from qa_analytics.core.periods import previous_period
from qa_analytics.demo.load import load_demo
from qa_analytics.views import overview


def test_previous_period_of_a_quarter_is_the_quarter_before():
    # issue 10: Q2 against Q1, not "2025-12-31 - 2026-03-31"
    assert previous_period(dt.date(2026, 4, 1), dt.date(2026, 6, 30)) == (
        dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _insert_surveys(con, day: dt.date, satisfied: int, other: int, start: int) -> None:
    con.execute(
        """INSERT INTO survey (survey_id, survey_date, rating, rating_score, satisfaction, record_key, row_hash,
                               created_batch, batch_id)
           SELECT 'S' || (? + i), ?, CASE WHEN i < ? THEN '5' ELSE '2' END, NULL,
                  CASE WHEN i < ? THEN 'satisfied' ELSE 'dissatisfied' END, 'id:S' || (? + i), 'h', 1, 1
           FROM range(?) r(i)""",
        [start, day, satisfied, satisfied, start, satisfied + other],
    )


def test_headline_rate_change_is_tested(con):
    # previous month 60/100 satisfied, this month 75/100
    _insert_surveys(con, dt.date(2026, 5, 10), 60, 40, 0)
    _insert_surveys(con, dt.date(2026, 6, 10), 75, 25, 1000)
    h = overview.headline(con, dt.date(2026, 6, 1), dt.date(2026, 6, 30), metrics=["satisfaction_rate"])
    row = h.iloc[0]
    # the previous period of June is May (May 1 .. 31), which holds May 10
    assert (row["value"], row["prev_value"], row["n"], row["prev_n"]) == (0.75, 0.60, 100, 100)
    assert row["change"] == pytest.approx(0.15)
    # by hand: pooled p = 0.675, se = sqrt(0.675 * 0.325 * (1/100 + 1/100)) = 0.066238,
    # z = 0.15 / 0.066238 = 2.2646, p = 2 * (1 - Phi(2.2646)) = 0.02354
    # (= R: prop.test(c(75, 60), c(100, 100), correct = FALSE)$p.value)
    assert row["p_value"] == pytest.approx(0.02354, abs=5e-5)
    assert row["significant"] and row["improved"]
    assert "significant" in say(row["label"], "en")


def test_headline_compares_with_the_same_period_a_year_earlier(con):
    # issue 10: June 2026 against June 2025 (40/100 satisfied), not only against May (60/100)
    _insert_surveys(con, dt.date(2025, 6, 12), 40, 60, 0)
    _insert_surveys(con, dt.date(2026, 5, 10), 60, 40, 1000)
    _insert_surveys(con, dt.date(2026, 6, 10), 75, 25, 2000)
    june = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    ago = overview.headline(con, *june, metrics=["satisfaction_rate"],
                            compare_from=dt.date(2025, 6, 1), compare_to=dt.date(2025, 6, 30)).iloc[0]
    assert (ago["value"], ago["prev_value"], ago["prev_n"]) == (0.75, 0.40, 100)
    # R: prop.test(c(75, 40), c(100, 100), correct = FALSE)$p.value, i.e. scipy's
    # chi2_contingency([[75, 25], [40, 60]], correction=False): 5.546e-07
    assert ago["p_value"] == pytest.approx(5.546e-07, rel=1e-3)
    assert ago["verdict"] == "better"
    # the default is still the period before, and the dates given replace it exactly
    default = overview.headline(con, *june, metrics=["satisfaction_rate"])
    given = overview.headline(con, *june, metrics=["satisfaction_rate"],
                              compare_from=dt.date(2026, 5, 1), compare_to=dt.date(2026, 5, 31))
    assert default.equals(given) and default.iloc[0]["prev_value"] == 0.60
    with pytest.raises(ValueError):
        overview.headline(con, *june, compare_from=dt.date(2025, 6, 1))


def test_headline_on_demo_data_has_every_card(con):
    load_demo(con, months=4, seed=2, end=dt.date(2026, 4, 30))
    h = overview.headline(con, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert list(h["metric"]) == list(overview.HEADLINE_METRICS)
    # mystery-shopper rounds are quarterly: none in April, so that card is empty
    has_data = h[h["metric"] != "external_call_test_pass_rate"]
    assert has_data["value"].notna().all() and (has_data["n"] > 0).all()
    assert has_data["prev_value"].notna().all()
    assert h.set_index("metric").loc["external_call_test_pass_rate", "n"] == 0
    # a metric with no data gives a row with NaN, not an error
    empty = overview.headline(con, dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert empty["value"].isna().all()


def test_index_trend_is_the_composite_index_on_an_individuals_chart(tmp_path):
    """The Overview's index chart: limits by the moving range (hand computation
    below, as Montgomery's 3 x MR-bar / 1.128), signals beyond them flagged."""
    import numpy as np

    from qa_analytics import store
    from qa_analytics.analytics.indicators import composite_index

    con = store.connect(tmp_path / "d.duckdb")
    load_demo(con, months=8, end=dt.date(2026, 6, 30))
    d0, d1 = dt.date(2025, 11, 1), dt.date(2026, 6, 30)
    trend, sentences = overview.index_trend(con, "month", d0, d1, lang="zh")
    idx = composite_index(con, grain="month", level="center", date_from=d0, date_to=d1).dropna(subset=["index"])
    values = idx["index"].to_numpy()
    assert list(trend["value"]) == pytest.approx(list(values))
    mr_bar = np.mean(np.abs(np.diff(values)))
    assert trend["ucl"].iloc[-1] == pytest.approx(values.mean() + 3 * mr_bar / 1.128, rel=1e-3)
    assert trend["lcl"].iloc[-1] == pytest.approx(values.mean() - 3 * mr_bar / 1.128, rel=1e-3)
    beyond = (trend["value"] > trend["ucl"]) | (trend["value"] < trend["lcl"])
    assert not (beyond & ~trend["signal"]).any()  # a point beyond the limits is always a signal
    assert all(isinstance(s, str) and s for s in sentences)
    short, none = overview.index_trend(con, "month", dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert short.empty and none == []


def test_index_card_says_what_it_rests_on_and_refuses_thin_comparisons(con):
    """Issue 10: one month of surveys only against a month of monitoring only
    must not read "0.0, down 84.4": the index covers a fraction of the weights,
    says which indicators are missing, and is not compared."""
    from qa_analytics.analytics.indicators import load_models
    from qa_analytics.views.overview import index_card

    from conftest import insert_rows

    insert_rows(con, "monitoring", [
        {"contact_id": f"m{i}", "eval_date": dt.date(2026, 10, 1 + i % 28), "agent_id": "1001", "team": "A",
         "channel": "voice", "total_score": 95.0, "critical_error": False} for i in range(40)])
    _insert_surveys(con, dt.date(2026, 11, 5), satisfied=0, other=30, start=0)
    models = load_models()
    card = index_card(con, dt.date(2026, 11, 1), dt.date(2026, 11, 30), models=models)
    assert 0 < card.coverage < card.min_coverage
    assert not card.comparable and math.isnan(card.change)
    assert card.prev_value == card.prev_value  # there is a previous index, it is just not comparable
    assert len(card.missing) and card.missing["global_weight"].is_monotonic_decreasing
    assert "name" in card.missing.columns
    # the model's names, said in either language
    assert all(say(n, "zh") and say(n, "en") and say(n, "zh") != say(n, "en") for n in card.missing["name"])


def test_index_card_compares_with_the_same_period_a_year_earlier(con):
    load_demo(con, months=14, seed=4, end=dt.date(2026, 6, 30))
    from qa_analytics.views.overview import index_card

    june = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    card = index_card(con, *june, year_from=dt.date(2025, 6, 1), year_to=dt.date(2025, 6, 30))
    before = index_card(con, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert card.year_comparable and card.year_value == pytest.approx(before.value, abs=1e-12)
    assert card.year_change == pytest.approx(card.value - before.value, abs=1e-12)
    # the default asks for no year-ago figure; a year without data is not compared
    assert math.isnan(index_card(con, *june).year_value)
    empty = index_card(con, *june, year_from=dt.date(2024, 6, 1), year_to=dt.date(2024, 6, 30))
    assert not empty.year_comparable and math.isnan(empty.year_change)


def _insert_evaluations(con, day: dt.date, agent_scores: dict[str, list[float]]) -> None:
    from conftest import insert_rows

    insert_rows(con, "monitoring", [
        {"eval_date": day, "agent_id": a, "team": "一组", "channel": "voice", "total_score": float(x),
         "critical_error": False} for a, scores in agent_scores.items() for x in scores])


def test_a_teams_mean_score_counts_its_agents_not_its_evaluations(con):
    # issue 10: four agents of very different skill (70-100); the team's mean moves
    # because the busiest agents changed, not because anyone changed. Counted as
    # 400 independent evaluations, Welch's t calls it significant; with the agents
    # as clusters it is not.
    rng = np.random.default_rng(11)
    skill = {"A1": 70.0, "A2": 80.0, "A3": 90.0, "A4": 100.0}
    may = {a: list(mu + rng.normal(0, 2, n)) for (a, mu), n in zip(skill.items(), (130, 100, 90, 80))}
    june = {a: list(mu + rng.normal(0, 2, n)) for (a, mu), n in zip(skill.items(), (80, 90, 100, 130))}
    _insert_evaluations(con, dt.date(2026, 5, 12), may)
    _insert_evaluations(con, dt.date(2026, 6, 12), june)
    card = overview.headline(con, dt.date(2026, 6, 1), dt.date(2026, 6, 30), metrics=["qa_mean_score"],
                             team="一组").iloc[0]
    # the reference: statsmodels' cluster-robust (CR1) error of each month's mean, a t on
    # min(G) - 1 = 3 degrees of freedom
    se = []
    for month in (may, june):
        y = np.concatenate([np.asarray(v) for v in month.values()])
        groups = np.repeat(np.arange(4), [len(v) for v in month.values()])
        se.append(sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": groups}).bse[0])
    t = card["change"] / math.sqrt(se[0] ** 2 + se[1] ** 2)
    assert card["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 3), rel=1e-9)
    assert card["change"] > 2.5 and card["verdict"] in ("noise", "too_few")
    pooled = [x for v in may.values() for x in v], [x for v in june.values() for x in v]
    assert stats.ttest_ind(pooled[1], pooled[0], equal_var=False).pvalue < 1e-4  # what it said before
    # one agent is one cluster: Welch's t on their evaluations, as before
    alone = overview.headline(con, dt.date(2026, 6, 1), dt.date(2026, 6, 30), metrics=["qa_mean_score"],
                              agent="A1").iloc[0]
    assert alone["p_value"] == pytest.approx(
        stats.ttest_ind(june["A1"], may["A1"], equal_var=False).pvalue, rel=1e-9)


def test_headlines_against_several_periods_are_the_headlines_against_each(con):
    load_demo(con, months=14, seed=4, end=dt.date(2026, 6, 30))
    june = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    periods = [(dt.date(2026, 5, 1), dt.date(2026, 5, 31)), (dt.date(2025, 6, 1), dt.date(2025, 6, 30))]
    both = overview.headlines(con, *june, periods, team="投诉处理组")
    for frame, (d0, d1) in zip(both, periods):
        alone = overview.headline(con, *june, team="投诉处理组", compare_from=d0, compare_to=d1)
        assert frame.equals(alone)
