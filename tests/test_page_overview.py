"""The Overview renders in both languages, and the filters change its numbers."""

from __future__ import annotations

import shutil

import pytest

from conftest import app_page

APP = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def demo(demo_db_path, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    monkeypatch.setenv("QA_DB", str(db))
    return db


def open_overview(lang: str, **params):
    return app_page("pages/overview.py", lang, **params)


@pytest.mark.parametrize("lang, title", [("zh", "服务质量总览"), ("en", "Service quality overview")])
def test_overview_renders_cards_trend_ranking_and_alerts(demo, lang, title):
    at = open_overview(lang)
    assert not at.exception, at.exception
    assert at.title[0].value == title
    labels = [m.label for m in at.metric]
    assert len(labels) == 6  # the index and five headline cards
    assert all(m.value not in ("", None) for m in at.metric)
    assert at.subheader, "trend, ranking and alerts sections"


def test_team_filter_changes_the_numbers(demo):
    at = open_overview("en")
    center = [m.value for m in at.metric]
    at.sidebar.selectbox(key="f_team").set_value("投诉处理组").run()
    assert not at.exception
    team = [m.value for m in at.metric]
    assert team != center


def test_empty_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    at = open_overview("en")
    assert not at.exception
    assert "Import" in at.info[0].value


def test_index_follows_a_saved_model(demo, tmp_path, monkeypatch):
    """Cached scores are keyed on the model file too: a saved model shows at once."""
    import shutil as sh

    from qa_analytics.analytics import indicators

    model = tmp_path / "model.toml"
    sh.copy(indicators.default_model_path(), model)
    monkeypatch.setenv("QA_INDICATOR_MODEL", str(model))
    at = open_overview("en")
    before = at.metric[0].value
    models = indicators.load_models(model)
    latest = models.versions[-1]
    first_area = latest.areas[0]
    leaf = first_area.children[0]
    changed = indicators.update_node(latest, f"{first_area.id}.{leaf.id}" if "." not in leaf.id else leaf.id,
                                     target=(leaf.floor + leaf.target) / 2)
    indicators.save_models(models.with_version(changed), model)
    at.run()
    assert at.metric[0].value != before


@pytest.fixture
def two_years(tmp_path_factory, monkeypatch):
    import datetime as dt

    from qa_analytics import store
    from qa_analytics.demo.load import load_demo

    db = tmp_path_factory.mktemp("two_years") / "demo.duckdb"
    con = store.connect(db)
    load_demo(con, months=18, seed=5, end=dt.date(2026, 6, 30))
    con.close()
    monkeypatch.setenv("QA_DB", str(db))
    return db


@pytest.mark.parametrize("lang, word", [("zh", "同比"), ("en", "vs. a year earlier")])
def test_cards_say_the_change_against_the_same_period_a_year_earlier(two_years, lang, word):
    # issue 10: reviews read a period against the one before and against the same one a year earlier
    at = open_overview(lang)
    assert not at.exception, at.exception
    year_lines = [c.value for c in at.caption if c.value.startswith(word)]
    # every card with data in both half-years (mystery shoppers are quarterly: they have too)
    assert len(year_lines) >= 4, [c.value for c in at.caption]
    assert all(("（" in v) if lang == "zh" else ("(" in v) for v in year_lines)
    # and the index card, under the same coverage rule as against the period before
    index_caption = next(c.value for c in at.caption if "100" in c.value and "%" in c.value)
    assert word in index_caption, index_caption
