"""The QA-staff review page (pages/evaluators.py) through AppTest, in both languages."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics.demo.generate import demo_facts

from conftest import app_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/evaluators.py"
FACTS = demo_facts(6, dt.date(2026, 6, 30))
LENIENT = {"zh": "偏松", "en": "lenient"}


@pytest.fixture
def demo_copy(demo_db_path, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    monkeypatch.setenv("QA_DB", str(db))
    return db


def open_page(lang: str, **params):
    return app_page(PAGE, lang, **params)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chart(at: AppTest, key: str) -> dict:
    for el in at.get("plotly_chart"):
        if el.proto.id.endswith(key):
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key}")


def texts(fig: dict) -> list[str]:
    out = []
    for tr in fig["data"]:
        tx = tr.get("text")
        out += tx if isinstance(tx, list) else [tx] if tx else []
    return out


@pytest.mark.parametrize("lang, title", [("zh", "质检员月度评议"), ("en", "QA staff review")])
def test_renders_and_names_the_lenient_evaluator(demo_copy, lang, title):
    at = open_page(lang)
    assert at.title[0].value == title
    name = FACTS["lenient_evaluator"]
    # the headline says it in words ...
    headline = [w.value for w in at.warning]
    assert len(headline) == 1, "one evaluator flagged, no one else painted severe"
    assert name in headline[0] and LENIENT[lang] in headline[0]
    # ... and the leniency chart labels that evaluator, and only that one, lenient
    fig = chart(at, "ev_leniency")
    labelled = fig["data"][1]
    flagged = [y for y, tx in zip(labelled["y"], labelled["text"]) if LENIENT[lang] in tx]
    assert flagged == [name]
    # every section drew
    for key in ("ev_workload", "ev_by_period", "ev_boxes", "ev_alpha", "ev_items", "ev_appeals"):
        chart(at, key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_icc_nan_is_explained_in_words(demo_copy, lang):
    at = open_page(lang)
    captions = " ".join(c.value for c in at.caption)
    assert ("并非每名质检员都评了每一通录音" if lang == "zh" else "not every evaluator scored every contact") in captions
    table = next(d.value for d in at.dataframe if "ICC(2,1)" in d.value.columns)
    assert table["ICC(2,1)"].str.startswith("—").all()


def test_period_filter_changes_the_numbers(demo_copy):
    at = open_page("en")
    label = "Evaluations"
    six = metric(at, label)
    at.selectbox(key="f_period").set_value("last_month").run()
    assert not at.exception
    one = metric(at, label)
    assert int(one.replace(",", "")) < int(six.replace(",", ""))
    assert len(chart(at, "ev_by_period")["data"]) >= 2


def test_quota_changes_who_meets_it(demo_copy):
    at = open_page("en")
    assert metric(at, "Evaluators meeting the quota") == "0 of 7"  # the demo's ~15 a day against 20
    at.number_input(key="ev_quota").set_value(10).run()
    assert not at.exception
    assert metric(at, "Evaluators meeting the quota") == "7 of 7"
    assert at.query_params["quota"] in ("10", ["10"])  # kept in the URL


def test_grain_week_draws_weeks(demo_copy):
    at = open_page("zh", grain="week")
    fig = chart(at, "ev_by_period")
    xs = fig["data"][0]["x"]
    assert len(xs) >= 25 and all(x.startswith("W") for x in xs)


def test_presentation_mode_hides_the_controls(demo_copy):
    at = open_page("en", present="1")
    assert not [n for n in at.number_input if n.key == "ev_quota"]
    chart(at, "ev_leniency")


def test_empty_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Import page" in at.info[0].value
