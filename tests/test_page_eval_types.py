"""The Evaluation types page with AppTest: both languages, every type on one
scale, the internal-vs-external gap explained, filters change the numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import app_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/eval_types.py"


@pytest.fixture(scope="module")
def db(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("et") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    return path


def open_page(lang: str, db_path, monkeypatch, **params):
    monkeypatch.setenv("QA_DB", str(db_path))
    return app_page(PAGE, lang, **params)


def expected(db_path, **kw):
    """The numbers the page should show, from the library over the sidebar's default period."""

    from qa_analytics import store
    from qa_analytics.views.eval_types import gap_table
    from ui.filters import preset_range

    con = store.connect(db_path)
    try:
        dims = store.dimensions(con)
        start, end = preset_range("last_6_months", dims["first"], dims["last"])
        return gap_table(con, date_from=start, date_to=end, **kw)
    finally:
        con.close()


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def scale_traces(at: AppTest) -> dict[str, list]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {tr["name"]: ys(tr["y"]) for tr in spec["data"]}


def ys(v) -> list:
    """A trace's values: plotly writes numeric arrays as base64 ``{"dtype", "bdata"}``."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


@pytest.mark.parametrize("lang, title, internal, lenient, legend", [
    ("zh", "评价类型对比", "内部质检合格率（≥80分）", "偏松", "满意率（%）"),
    ("en", "Evaluation types side by side", "Internal QA pass rate (score ≥ 80)", "too lenient",
     "Satisfaction rate (%)"),
])
def test_renders_and_explains_the_gap(lang, title, internal, lenient, legend, db, monkeypatch):
    at = open_page(lang, db, monkeypatch)
    assert at.title[0].value == title
    center = expected(db).iloc[0]
    c = cards(at)
    assert c[internal] == f"{center['internal'] * 100:.1f}%"
    # the demo's mystery shopper passes fewer calls than internal QA: the gap is flagged and explained
    assert lenient in at.warning[0].value
    assert f"{center['gap_external'] * 100:.1f}" in at.warning[0].value
    traces = scale_traces(at)
    assert legend in traces and len(traces) == 7
    assert all(0 <= v <= 100 for y in traces.values() for v in y if v == v)
    table = at.dataframe[0].value
    assert len(table) == 9  # the center and 8 teams
    assert len(at.get("plotly_chart")) == 2


def test_team_filter_changes_the_numbers(db, monkeypatch):
    at = open_page("en", db, monkeypatch)
    before, traces = cards(at), scale_traces(at)
    at.selectbox(key="f_team").set_value("新人组").run()
    assert not at.exception
    after = cards(at)
    assert after["Internal QA pass rate (score ≥ 80)"] != before["Internal QA pass rate (score ≥ 80)"]
    assert scale_traces(at) != traces
    assert at.query_params["team"] == "新人组"
    assert "新人组" in at.caption[-1].value  # the table says which row is the chosen team


def test_pass_mark_moves_the_internal_rate_and_lives_in_the_url(db, monkeypatch):
    at = open_page("zh", db, monkeypatch)
    at.number_input(key="et_pass").set_value(90.0).run()
    assert not at.exception
    c = cards(at)
    assert "内部质检合格率（≥90分）" in c
    assert float(c["内部质检合格率（≥90分）"].rstrip("%")) < expected(db).iloc[0]["internal"] * 100
    assert at.query_params["pass"] == "90"
    again = open_page("zh", db, monkeypatch, **{"pass": "90"})
    assert again.number_input(key="et_pass").value == 90.0 and "内部质检合格率（≥90分）" in cards(again)


def test_grain_changes_the_periods(db, monkeypatch):
    at = open_page("en", db, monkeypatch)
    monthly = scale_traces(at)["Satisfaction rate (%)"]
    at.selectbox(key="f_grain").set_value("quarter").run()
    quarterly = scale_traces(at)["Satisfaction rate (%)"]
    assert len(monthly) == 6 and len(quarterly) == 2


def test_presentation_mode_hides_the_table(db, monkeypatch):
    at = open_page("en", db, monkeypatch, present="1")
    assert len(at.dataframe) == 0 and len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("lang, words", [("zh", "没有任何评价"), ("en", "no evaluations")])
def test_empty_database_says_what_to_do(lang, words, tmp_path, monkeypatch):
    at = open_page(lang, tmp_path / "empty.duckdb", monkeypatch)
    assert words in at.info[0].value
