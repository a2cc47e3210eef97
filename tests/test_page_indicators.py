"""The Indicator system page (pages/indicators.py) through AppTest, in both
languages: the index, the tree and the table; the version in force; editing
a draft (the 100% rule, renormalise, the draft index and ranking), saving a
new dated version to a temporary model file, discarding; empty states.

Every test points ``QA_INDICATOR_MODEL`` at a temporary copy of the model
file: data/indicator_model.toml is never written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qa_analytics import store
from qa_analytics.analytics import indicators as ind

from conftest import app_page

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "pages/indicators.py"
REAL_MODEL = ROOT / "data" / "indicator_model.toml"
D0, D1 = dt.date(2026, 1, 4), dt.date(2026, 6, 30)  # "last 6 months" of the demo data


@pytest.fixture(autouse=True)
def real_model_untouched():
    before = hashlib.sha256(REAL_MODEL.read_bytes()).hexdigest()
    yield
    assert hashlib.sha256(REAL_MODEL.read_bytes()).hexdigest() == before, "data/indicator_model.toml was written"


@pytest.fixture
def model_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "indicator_model.toml"
    shutil.copy(REAL_MODEL, path)
    monkeypatch.setenv("QA_INDICATOR_MODEL", str(path))
    return path


@pytest.fixture
def demo(demo_db_path, tmp_path, monkeypatch, model_file) -> Path:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    monkeypatch.setenv("QA_DB", str(db))
    return db


def open_page(lang: str, **params):
    return app_page(PAGE, lang, **params)


def chart(at: AppTest, key: str) -> dict:
    for el in at.get("plotly_chart"):
        if el.proto.id.endswith(key):
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key}")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def gen(at: AppTest) -> int:
    """The editor's generation: input keys change after renormalise, save, discard or another base version."""
    return at.session_state["ind_gen"] if "ind_gen" in at.session_state else 0


def weights(at: AppTest) -> dict[str, float]:
    """The weights in the editor's inputs, by node id."""
    prefix = f"ind_w_{gen(at)}_"
    return {n.key[len(prefix):]: n.value for n in at.number_input if n.key.startswith(prefix)}


WORDS = {
    "zh": {"title": "指标体系", "index": "服务质量综合指数", "draft": "按草稿的综合指数", "now": "当前综合指数",
           "sum": "必须等于 100%", "kind_index": "综合指数", "level": "层级", "score": "得分"},
    "en": {"title": "Indicator system", "index": "Service quality index", "draft": "Index with the draft",
           "now": "Index now", "sum": "must add up to 100%", "kind_index": "Index", "level": "Level",
           "score": "Score"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_the_index_the_tree_and_the_table(demo, lang):
    w = WORDS[lang]
    at = open_page(lang)
    assert at.title[0].value == w["title"]
    index = float(metric(at, w["index"]))
    assert 0 < index < 100
    # the version in force for the period, by name and date
    assert any("2025 下半年版" in m.value for m in at.markdown)
    # the tree: every node of the version in force, coloured by score, the index at the root
    model = ind.load_models().model_for(D0)
    spec = chart(at, "ind_tree")
    treemap = spec["data"][0]
    assert treemap["type"] == "treemap"
    assert set(treemap["ids"]) == set(model.nodes_frame()["node_id"])
    assert treemap["parents"][treemap["ids"].index("index")] == ""
    # the table: the composite index at the top, the same number as the headline
    table = at.dataframe[0].value
    assert table.iloc[0][w["level"]] == w["kind_index"]
    assert round(float(table.iloc[0][w["score"]]), 1) == index
    assert len(table) == len(model.nodes_frame())
    # the sensitivity check says in a sentence how robust the ranking is
    assert at.success and ("稳健" in at.success[0].value or "robust" in at.success[0].value)


def test_the_index_matches_the_library(demo):
    at = open_page("en")
    con = store.connect(demo)
    expected = ind.composite_index(con, ind.load_models(), grain="all", level="center", date_from=D0, date_to=D1)
    con.close()
    assert metric(at, "Service quality index") == f"{expected['index'].iloc[0]:.1f}"


def test_team_filter_changes_the_numbers(demo):
    at = open_page("en")
    center = metric(at, "Service quality index")
    at.sidebar.selectbox(key="f_team").set_value("新人组").run()
    assert not at.exception
    assert metric(at, "Service quality index") != center


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_breaking_the_100_rule_disables_save_and_renormalise_fixes_it(demo, lang):
    w = WORDS[lang]
    at = open_page(lang)
    assert at.button(key="ind_save").disabled  # nothing to save yet
    at.number_input(key="ind_w_0_satisfaction").set_value(45.0).run()
    assert not at.exception
    assert at.error, "the broken rule is shown"
    assert w["sum"] in at.error[0].value and "110" in at.error[0].value
    assert at.button(key="ind_save").disabled
    assert metric(at, w["draft"]) == "—"
    # renormalise keeps the weight just typed and scales the other areas
    at.button(key="ind_renorm_index").click().run()
    assert not at.exception
    assert not at.error
    ws = weights(at)
    assert ws["satisfaction"] == 45.0
    assert sum(ws.values()) == pytest.approx(100.0, abs=0.01)
    assert ws["monitoring"] / ws["call_tests"] == pytest.approx(30 / 20, rel=0.01)
    assert not at.button(key="ind_save").disabled
    assert metric(at, w["draft"]) not in ("—", metric(at, w["now"]))


def test_a_valid_target_edit_changes_the_draft_index_as_the_library_says(demo):
    at = open_page("en")
    at.selectbox(key="ind_group").set_value("satisfaction").run()
    # shares are typed in percent: 96% -> 90%
    key = "ind_t_0_satisfaction.satisfied"
    assert at.number_input(key=key).value == pytest.approx(96.0)
    at.number_input(key=key).set_value(90.0).run()
    assert not at.exception
    assert not at.error
    now, draft = float(metric(at, "Index now")), float(metric(at, "Index with the draft"))
    assert draft > now  # an easier target raises the index
    con = store.connect(demo)
    version = ind.load_models().model_for(D0)
    changed = ind.update_node(version, "satisfaction.satisfied", target=0.90)
    expected = ind.composite_index(con, changed, grain="all", level="center", date_from=D0, date_to=D1)
    con.close()
    assert draft == pytest.approx(float(expected["index"].iloc[0]), abs=0.051)
    # the draft lists what it changes, and ranks the teams under it
    assert any("target 96.0% → 90.0%" in m.value for m in at.markdown)
    ranking = next(d.value for d in at.dataframe if "Rank (draft)" in d.value.columns)
    assert len(ranking) >= 5


def test_a_target_on_the_wrong_side_of_the_floor_is_explained(demo):
    at = open_page("zh")
    at.selectbox(key="ind_group").set_value("satisfaction").run()
    at.number_input(key="ind_t_0_satisfaction.satisfied").set_value(70.0).run()  # floor is 75%
    assert not at.exception
    assert "目标值（70.0%）不能低于底线（75.0%）" in at.error[0].value
    assert at.button(key="ind_save").disabled
    assert not [b for b in at.button if b.key and b.key.startswith("ind_renorm")]


def test_save_writes_a_new_version_and_reloading_shows_it(demo, model_file):
    at = open_page("en")
    at.number_input(key="ind_w_0_satisfaction").set_value(45.0).run()
    at.button(key="ind_renorm_index").click().run()
    draft_index = metric(at, "Index with the draft")
    g = gen(at)
    at.text_input(key=f"ind_vname_{g}").set_value("Test revision").run()
    at.text_input(key=f"ind_vnote_{g}").set_value("satisfaction up").run()
    at.button(key="ind_save").click().run()
    assert not at.exception
    assert any("Test revision" in s.value for s in at.success)
    # the temporary file now holds a third, valid version in force from today
    saved = ind.load_models(model_file)
    assert [m.effective_from for m in saved.versions][-1] == dt.date.today()
    new = saved.versions[-1]
    assert new.name == "Test revision" and new.note == "satisfaction up"
    assert new.node("satisfaction").weight == 45.0
    assert len(saved.versions) == 3
    # the draft is gone, and Save is off again
    assert at.button(key="ind_save").disabled
    # a fresh session reads the file: three versions, today's model is the new one
    at = open_page("en")
    versions = next(d.value for d in at.dataframe if "In force from" in d.value.columns)
    assert list(versions["Version"])[-1] == "Test revision"
    radio = at.radio(key="ind_as_of")
    assert "Test revision" in radio.options[1]
    radio.set_value("today").run()
    assert not at.exception
    assert metric(at, "Service quality index") == draft_index
    assert weights(at)["satisfaction"] == 45.0  # the editor now starts from the new version


def test_discard_resets_the_draft(demo, model_file):
    before = model_file.read_bytes()
    at = open_page("en")
    at.number_input(key="ind_w_0_satisfaction").set_value(40.0).run()
    assert not at.button(key="ind_discard").disabled
    at.button(key="ind_discard").click().run()
    assert not at.exception
    assert not at.error
    assert weights(at)["satisfaction"] == 35.0
    assert at.button(key="ind_discard").disabled
    assert model_file.read_bytes() == before


def test_empty_database_says_what_to_do_and_still_shows_the_model(tmp_path, monkeypatch, model_file):
    monkeypatch.setenv("QA_DB", str(tmp_path / "empty.duckdb"))
    for lang, word in (("en", "Import page"), ("zh", "数据导入")):
        at = open_page(lang)
        assert word in at.info[0].value
        assert weights(at), "the model can still be edited"
        assert len(at.dataframe[0].value) > 10


def test_an_invalid_model_file_is_explained(demo, model_file):
    text = model_file.read_text(encoding="utf-8").replace("weight = 35\n", "weight = 25\n", 1)
    model_file.write_text(text, encoding="utf-8")
    at = open_page("en")
    assert "has errors" in at.error[0].value
    assert "line" in at.error[0].value and "sum to 90%" in at.error[0].value


def test_presentation_mode_shows_no_editor(demo):
    at = open_page("zh", present="1")
    assert not at.exception
    assert not at.number_input
    chart(at, "ind_tree")
