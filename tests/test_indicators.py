"""Tests for qa_analytics.analytics.indicators: the model file, validation, versions,
scoring, the composite index, weight sensitivity and QA-form scoring.

Expected numbers are computed by hand in the comment above each assertion.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_analytics import store
from qa_analytics.analytics import indicators as I
from qa_analytics.analytics import metrics as M

from conftest import insert_rows as add

D = dt.date
_SEQ = iter(range(1, 10**9))


def evaluation(con, team: str, d: dt.date, score: float, lost: float | None = None, agent: str = "A1") -> None:
    key = f"e{next(_SEQ)}"
    add(con, "monitoring", [dict(record_key=key, eval_id=key, eval_date=d, agent_id=agent, team=team,
                                 channel="voice", total_score=score, critical_error=False)])
    if lost is not None:
        add(con, "monitoring_item", [dict(record_key=key, item="业务准确性", points=-lost)])


def surveys(con, team: str, d: dt.date, satisfied: int, total: int, agent: str = "A1") -> None:
    add(con, "survey", [dict(survey_date=d, agent_id=agent, team=team, rating="x", rating_score=None,
                             satisfaction="satisfied" if k < satisfied else "dissatisfied")
                        for k in range(total)])


# A two-version model: v1 from 2025-01-01 (monitoring 60 / satisfaction 40),
# v2 from 2025-02-01 (40 / 60).
MODEL_TOML = """\
[[versions]]
effective_from = 2025-01-01
name = "v1"

  [[versions.areas]]
  id = "mon"
  name_zh = "内部质检"
  name_en = "Monitoring"
  weight = 60

    [[versions.areas.indicators]]
    id = "score"
    metric = "qa_mean_score"
    target = 100
    floor = 80
    weight = 75

    [[versions.areas.indicators]]
    id = "items"
    name_zh = "扣分项"
    weight = 25

      [[versions.areas.indicators.items]]
      id = "acc"
      metric = "item:业务准确性"
      target = 0
      floor = 10
      weight = 100

  [[versions.areas]]
  id = "sat"
  weight = 40

    [[versions.areas.indicators]]
    id = "rate"
    metric = "satisfaction_rate"
    target = 1
    floor = 0.5
    weight = 100

[[versions]]
effective_from = 2025-02-01
name = "v2"

  [[versions.areas]]
  id = "mon"
  weight = 40

    [[versions.areas.indicators]]
    id = "score"
    metric = "qa_mean_score"
    target = 100
    floor = 80
    weight = 75

    [[versions.areas.indicators]]
    id = "items"
    weight = 25

      [[versions.areas.indicators.items]]
      id = "acc"
      metric = "item:业务准确性"
      target = 0
      floor = 10
      weight = 100

  [[versions.areas]]
  id = "sat"
  weight = 60

    [[versions.areas.indicators]]
    id = "rate"
    metric = "satisfaction_rate"
    target = 1
    floor = 0.5
    weight = 100
"""


@pytest.fixture
def models() -> I.ModelSet:
    return I.loads_models(MODEL_TOML)


@pytest.fixture
def db():
    """January: T1 and T2; February: T1 only (numbers in the tests)."""
    con = store.connect(":memory:")
    evaluation(con, "T1", D(2025, 1, 10), 90.0, lost=2.0)
    evaluation(con, "T1", D(2025, 1, 11), 94.0, lost=4.0)
    surveys(con, "T1", D(2025, 1, 12), satisfied=3, total=4)
    evaluation(con, "T2", D(2025, 1, 10), 100.0, lost=0.0, agent="A2")
    evaluation(con, "T1", D(2025, 2, 10), 84.0, lost=5.0)
    surveys(con, "T1", D(2025, 2, 12), satisfied=1, total=1)
    yield con
    con.close()


def node(tree: pd.DataFrame, period: str, key: str, node_id: str) -> pd.Series:
    sub = tree[(tree["period"] == pd.Timestamp(period)) & (tree["level_key"] == key) & (tree["node_id"] == node_id)]
    assert len(sub) == 1, (period, key, node_id)
    return sub.iloc[0]


def line_of(text: str, needle: str, nth: int = 1, exact: bool = False) -> int:
    """1-based line number of the nth line containing (or, ``exact``, being) ``needle``."""
    hits = [k for k, line in enumerate(text.splitlines(), start=1)
            if (line.strip() == needle if exact else needle in line)]
    return hits[nth - 1]


# --------------------------------------------------------------------------
# the default model file
# --------------------------------------------------------------------------


def test_default_model_loads_and_is_valid():
    ms = I.load_models()
    assert len(ms.versions) >= 2
    assert I.validate(ms) == []
    v = ms.model_for(D(2025, 3, 1))
    assert [a.id for a in v.areas] == ["monitoring", "call_tests", "satisfaction", "nonvoice", "systems"]
    assert {a.name_zh for a in v.areas} == {"内部质检", "拨测", "客户满意度", "非语音服务", "系统保障"}
    for m in v.metric_ids():
        assert M.is_metric(m)
    # item level under the monitoring area
    items = v.node("monitoring.deduction_items").children
    assert items and all(M.get_metric(i.metric).item for i in items)
    # versions: the later one from 2025-07-01
    assert ms.model_for(D(2025, 7, 1)).effective_from == D(2025, 7, 1)
    assert ms.model_for(D(2025, 6, 30)).effective_from == D(2024, 1, 1)
    # what dumps writes, loads reads back identically
    assert I.loads_models(I.dumps_models(ms)) == ms


def test_model_for_before_the_first_version(models):
    with pytest.raises(LookupError, match="no indicator model in force on 2024-12-31"):
        models.model_for(D(2024, 12, 31))
    assert I.model_for(models, "2025-01-31").name == "v1"
    assert I.model_for(models, D(2025, 2, 1)).name == "v2"


def test_single_version_file_without_versions_table():
    text = MODEL_TOML.split("[[versions]]")[1]
    text = text.replace("[[versions.", "[[")
    ms = I.loads_models(text)
    assert len(ms.versions) == 1 and ms.versions[0].name == "v1"


def test_nodes_frame_weights(models):
    nf = models.versions[0].nodes_frame()
    g = nf.set_index("node_id")["global_weight"]
    # mon.items.acc: 60% * 25% * 100% = 15% of the composite; leaves sum to 100
    assert g["mon.items.acc"] == pytest.approx(15.0)
    assert nf[nf["is_leaf"]]["global_weight"].sum() == pytest.approx(100.0)
    assert nf.iloc[0]["node_id"] == "index" and nf.iloc[0]["depth"] == 0


# --------------------------------------------------------------------------
# validation messages
# --------------------------------------------------------------------------


def _errors(text: str) -> list[I.Issue]:
    with pytest.raises(I.ModelError) as e:
        I.loads_models(text, "test.toml")
    assert "test.toml" in str(e.value)
    return e.value.issues


def test_weights_must_sum_to_100_with_line():
    text = MODEL_TOML.replace("weight = 75", "weight = 70", 1)
    (issue,) = _errors(text)
    assert issue.path == "versions[0].areas[0]"
    # the area's header line: the first [[versions.areas]]
    assert issue.line == line_of(text, "[[versions.areas]]")
    assert "sum to 95% (must be 100% ± 0.01)" in issue.message
    assert str(issue).startswith(f"line {issue.line} (versions[0].areas[0]): weights of the indicators")
    # within the tolerance is fine: 75.005 + 25 = 100.005
    I.loads_models(MODEL_TOML.replace("weight = 75", "weight = 75.005", 1))


def test_area_weights_and_version_line():
    text = MODEL_TOML.replace("weight = 40\n\n    [[versions.areas.indicators]]\n    id = \"rate\"",
                              "weight = 30\n\n    [[versions.areas.indicators]]\n    id = \"rate\"", 1)
    (issue,) = _errors(text)
    assert issue.path == "versions[0]"
    assert issue.line == line_of(text, "[[versions]]")
    assert "weights of the areas" in issue.message and "sum to 90%" in issue.message


def test_unknown_metric_target_floor_direction_messages():
    text = (MODEL_TOML
            .replace('metric = "satisfaction_rate"', 'metric = "satisfaction_rat"', 1)
            .replace("target = 0\n      floor = 10", "target = 10\n      floor = 10", 1)
            .replace('id = "score"\n    metric = "qa_mean_score"',
                     'id = "score"\n    metric = "qa_mean_score"\n    direction = "lower"', 1))
    issues = {i.path: i for i in _errors(text)}
    m = issues["versions[0].areas[1].indicators[0].metric"]
    assert m.message == "unknown metric 'satisfaction_rat' (see metrics.metric_ids())"
    assert m.line == line_of(text, 'metric = "satisfaction_rat"')
    t = issues["versions[0].areas[0].indicators[1].items[0].target"]
    assert t.message == "target equals floor (10): no room to score"
    assert t.line == line_of(text, "target = 10", exact=True)
    d = issues["versions[0].areas[0].indicators[0].direction"]
    assert d.message == "direction 'lower' contradicts metric 'qa_mean_score' (higher is better)"
    assert d.line == line_of(text, 'direction = "lower"')
    # issues come sorted by line
    lines = [i.line for i in _errors(text)]
    assert lines == sorted(lines)


def test_target_on_the_wrong_side_of_floor():
    text = MODEL_TOML.replace("target = 100\n    floor = 80", "target = 80\n    floor = 100", 1)
    (issue,) = _errors(text)
    assert issue.path == "versions[0].areas[0].indicators[0].target"
    assert issue.message == "target 80 is below floor 100 but higher is better for 'qa_mean_score'"
    text = MODEL_TOML.replace("target = 0\n      floor = 10", "target = 10\n      floor = 0", 1)
    (issue,) = _errors(text)
    assert "above floor 0 but lower is better for 'item:业务准确性'" in issue.message


def test_unknown_keys_duplicates_syntax_and_dates():
    text = MODEL_TOML.replace("weight = 75", "wieght = 75", 1)
    issues = {i.path: i for i in _errors(text)}
    i = issues["versions[0].areas[0].indicators[0].wieght"]
    assert i.message.startswith("unknown key 'wieght'") and i.line == line_of(text, "wieght")
    assert issues["versions[0].areas[0].indicators[0].weight"].message == "missing weight"
    # duplicate ids among siblings
    text = MODEL_TOML.replace('id = "items"', 'id = "score"', 1)
    assert any("duplicate id 'score'" in i.message for i in _errors(text))
    # two versions on one date
    text = MODEL_TOML.replace("effective_from = 2025-02-01", "effective_from = 2025-01-01")
    (issue,) = _errors(text)
    assert issue.path == "versions[1].effective_from" and "two versions take effect on 2025-01-01" in issue.message
    assert issue.line == line_of(text, "effective_from", 2)
    # TOML syntax: the parser's line
    text = MODEL_TOML.replace("weight = 75", "weight = = 75", 1)
    (issue,) = _errors(text)
    assert issue.line == line_of(text, "weight = = 75") and "not valid TOML" in issue.message
    # an area without indicators, an indicator without metric
    text = "[[versions]]\neffective_from = 2025-01-01\n[[versions.areas]]\nid = \"a\"\nweight = 100\n"
    (issue,) = _errors(text)
    assert issue.message == "area 'a' has no indicators" and issue.line == 3


def test_validate_objects_paths(models):
    v = models.versions[0]
    bad = I.update_node(v, "mon.items.acc", metric="qa_mean_score")
    issues = {i.path: i.message for i in I.validate(bad)}
    # items must be QA deduction items; paths of one version have no versions[] prefix
    assert "items are QA deduction items" in issues["areas[0].indicators[1].items[0].metric"]
    # and target 0 / floor 10 is the wrong way round for a higher-is-better metric
    assert "below floor 10" in issues["areas[0].indicators[1].items[0].target"]
    bad = I.update_node(v, "mon.items", metric="qa_mean_score")
    assert any(i.path == "areas[0].indicators[1].metric" and "takes no metric" in i.message
               for i in I.validate(bad))
    with pytest.raises(I.ModelError):
        I.check(I.set_weight(v, "sat", 50, renormalise=False))


# --------------------------------------------------------------------------
# changing, saving
# --------------------------------------------------------------------------


def _three(models) -> I.IndicatorModel:
    v = models.versions[0]
    v = I.set_weight(v, "mon", 50)  # sat -> 50
    return I.add_node(v, None, I.Node("third", 0.0, children=(
        I.Node("x", 100.0, metric="dissatisfaction_rate", target=0.01, floor=0.1),)))


def test_set_weight_renormalises_siblings(models):
    v = models.versions[0]
    w = I.set_weight(v, "mon", 70)
    # the only sibling takes the rest: 100 - 70 = 30
    assert [a.weight for a in w.areas] == [70.0, 30.0]
    assert I.validate(w) == []
    three = I.set_weight(I.set_weight(_three(models), "mon", 50), "sat", 30)
    # [50, 50, 0] -> sat 30: others scale by (100 - 30) / (50 + 0) = 1.4: mon 70, third 0
    assert [a.weight for a in three.areas] == [pytest.approx(70.0), 30.0, 0.0]
    three = I.set_weight(three, "third", 20)
    # [70, 30, 20]: others scale by 80 / 100: mon 56, sat 24
    assert [a.weight for a in three.areas] == [pytest.approx(56.0), pytest.approx(24.0), 20.0]
    assert I.validate(three) == []


def test_add_remove_update(models):
    v = models.versions[0]
    # add an area of weight 20 and make room: [60, 40] * 0.8 = [48, 32]
    a = I.add_node(v, None, I.Node("sys", 20.0, children=(
        I.Node("avail", 100.0, metric="system_availability", target=99.9, floor=99.0),)), renormalise=True)
    assert [x.weight for x in a.areas] == [pytest.approx(48.0), pytest.approx(32.0), 20.0]
    assert I.validate(a) == []
    # remove it again: [48, 32] -> [60, 40]
    r = I.remove_node(a, "sys")
    assert [x.weight for x in r.areas] == [pytest.approx(60.0), pytest.approx(40.0)]
    # add an item under the items indicator, renormalised: [100] -> [50, 50]
    b = I.add_node(v, "mon.items", I.Node("att", 50.0, metric="item:服务态度", target=0, floor=3),
                   renormalise=True)
    assert [x.weight for x in b.node("mon.items").children] == [50.0, 50.0]
    u = I.update_node(v, "sat.rate", target=0.95, name_zh="满意率")
    assert u.node("sat.rate").target == 0.95 and u.node("sat.rate").label("zh") == "满意率"
    assert v.node("sat.rate").target == 1.0  # the original is untouched
    with pytest.raises(KeyError):
        I.update_node(v, "nope", target=1)


def test_save_and_versions(tmp_path, models):
    v3 = replace(I.set_weight(models.versions[1], "mon", 50), effective_from=D(2025, 3, 1), name="v3")
    ms = models.with_version(v3)
    assert [m.name for m in ms.versions] == ["v1", "v2", "v3"]
    p = I.save_models(ms, tmp_path / "model.toml")
    back = I.load_models(p)
    assert back == ms
    assert back.model_for(D(2025, 3, 31)).node("mon").weight == 50.0
    # replacing a version with the same date, removing one
    assert len(ms.with_version(replace(v3, name="v3b")).versions) == 3
    assert [m.name for m in ms.without_version("2025-02-01").versions] == ["v1", "v3"]
    # an invalid model is not written
    bad = ms.with_version(I.set_weight(v3, "mon", 10, renormalise=False))
    with pytest.raises(I.ModelError):
        I.save_models(bad, tmp_path / "bad.toml")
    assert not (tmp_path / "bad.toml").exists()


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------


def test_indicator_score_linear_and_clipped():
    # higher is better, floor 80, target 100: 90 -> 50; 70 -> 0 (clipped); 110 -> 100 (clipped)
    assert I.indicator_score([90, 70, 110], 100, 80).tolist() == [50.0, 0.0, 100.0]
    # lower is better, floor 10, target 0: 3 -> 100 * (3 - 10) / (0 - 10) = 70
    assert I.indicator_score(3, 0, 10) == pytest.approx(70.0)
    assert math.isnan(I.indicator_score(np.nan, 1, 0))


def test_score_tree_by_hand(db, models):
    tree = I.score_tree(db, models, "month", "team")
    assert list(tree.columns) == ["period", "level_key", "node_id", "parent_id", "depth", "kind", "name",
                                  "metric", "value", "n", "score", "weight", "global_weight",
                                  "coverage", "model_from"]
    jan = "2025-01-01"
    # T1 January: qa mean (90 + 94) / 2 = 92 -> 100 * (92 - 80) / 20 = 60
    r = node(tree, jan, "T1", "mon.score")
    assert (r["value"], r["n"], r["score"]) == (92.0, 2, pytest.approx(60.0))
    # points lost on 业务准确性 (2 + 4) / 2 = 3 -> 100 * (3 - 10) / (0 - 10) = 70
    assert node(tree, jan, "T1", "mon.items.acc")["score"] == pytest.approx(70.0)
    assert node(tree, jan, "T1", "mon.items")["score"] == pytest.approx(70.0)
    # monitoring area: (75 * 60 + 25 * 70) / 100 = 62.5
    assert node(tree, jan, "T1", "mon")["score"] == pytest.approx(62.5)
    # satisfaction 3/4 = 0.75 -> 100 * (0.75 - 0.5) / 0.5 = 50
    assert node(tree, jan, "T1", "sat.rate")["score"] == pytest.approx(50.0)
    # index (v1 in January): 0.6 * 62.5 + 0.4 * 50 = 57.5, everything covered
    r = node(tree, jan, "T1", "index")
    assert (r["score"], r["coverage"]) == (pytest.approx(57.5), 1.0)
    assert r["model_from"] == pd.Timestamp("2025-01-01")
    # n of the root: 2 + 2 + 4 observations behind the leaves
    assert r["n"] == 8
    # T2 January: qa 100 -> 100, nothing lost -> 100; no survey: the satisfaction area is
    # missing, the index re-normalises over monitoring: 100, coverage 60%
    r = node(tree, jan, "T2", "index")
    assert (r["score"], r["coverage"]) == (pytest.approx(100.0), pytest.approx(0.6))
    assert math.isnan(node(tree, jan, "T2", "sat")["score"])
    # T1 February under v2 (in force from Feb 1): qa 84 -> 20; lost 5 -> 50;
    # mon = 0.75 * 20 + 0.25 * 50 = 27.5; sat 1/1 -> 100; index = 0.4 * 27.5 + 0.6 * 100 = 71
    r = node(tree, "2025-02-01", "T1", "index")
    assert r["score"] == pytest.approx(71.0) and r["model_from"] == pd.Timestamp("2025-02-01")


def test_as_of_today_or_a_date(db, models):
    today = I.score_tree(db, models, "month", "team", as_of="today")
    # January under v2 (today's): 0.4 * 62.5 + 0.6 * 50 = 55
    assert node(today, "2025-01-01", "T1", "index")["score"] == pytest.approx(55.0)
    then = I.score_tree(db, models, "month", "team", as_of=D(2025, 1, 15))
    # February under v1: 0.6 * 27.5 + 0.4 * 100 = 56.5
    assert node(then, "2025-02-01", "T1", "index")["score"] == pytest.approx(56.5)
    # data older than the first version: scored under the first version
    evaluation(db, "T1", D(2024, 12, 5), 90.0)
    early = I.score_tree(db, models, "month", "team")
    assert node(early, "2024-12-01", "T1", "index")["model_from"] == pd.Timestamp("2025-01-01")
    # one IndicatorModel: used for every period
    one = I.score_tree(db, models.versions[0], "month", "team")
    assert set(one["model_from"]) == {pd.Timestamp("2025-01-01")}


def test_min_n_drops_thin_leaves(db, models):
    tree = I.score_tree(db, models, "month", "team", min_n=3)
    # T1 January: the qa mean rests on 2 evaluations, the item on 2 -> missing; only
    # satisfaction (n 4) is left: index = 50, coverage 40%
    r = node(tree, "2025-01-01", "T1", "index")
    assert (r["score"], r["coverage"]) == (pytest.approx(50.0), pytest.approx(0.4))


def test_center_only_metric_is_shared_by_every_team(db, models):
    add(db, "system_check", [dict(check_date=D(2025, 1, 31), system="CRM", availability_pct=99.5, incidents=0,
                                  score=90.0)])
    v = I.add_node(models.versions[0], None, I.Node("sys", 20.0, children=(
        I.Node("avail", 100.0, metric="system_availability", target=100.0, floor=99.0),)), renormalise=True)
    tree = I.score_tree(db, v, "month", "team")
    # availability 99.5 -> 100 * (99.5 - 99) / (100 - 99) = 50 for T1 and T2 alike
    for team in ("T1", "T2"):
        r = node(tree, "2025-01-01", team, "sys.avail")
        assert (r["value"], r["score"]) == (pytest.approx(99.5), pytest.approx(50.0))
    # T1: 0.48 * 62.5 + 0.32 * 50 + 0.2 * 50 = 30 + 16 + 10 = 56
    assert node(tree, "2025-01-01", "T1", "index")["score"] == pytest.approx(56.0)


def _rules(models, min_n, min_coverage):
    from dataclasses import replace

    return I.ModelSet(tuple(replace(v, rank_min_n=min_n, min_coverage=min_coverage) for v in models.versions))


def test_composite_index_ranks(db, models):
    ci = I.composite_index(db, _rules(models, 1, 0.0), "month", "team")
    assert list(ci.columns) == ["period", "level_key", "index", "coverage", "n", "model_from", "not_ranked",
                                "ranked", "rank"]
    jan = ci[ci["period"] == pd.Timestamp("2025-01-01")]
    # T2 100 ranks before T1 57.5
    assert jan["level_key"].tolist() == ["T2", "T1"] and jan["rank"].tolist() == [1, 2]
    assert jan["ranked"].all() and (jan["not_ranked"] == "").all()
    center = I.composite_index(db, models, "month", "center")
    assert center["rank"].isna().all() and set(center["level_key"]) == {"center"}


# --------------------------------------------------------------------------
# weight sensitivity
# --------------------------------------------------------------------------

SENS_TOML = """\
[[versions]]
effective_from = 2025-01-01
  [[versions.areas]]
  id = "a"
  weight = 50
    [[versions.areas.indicators]]
    id = "q"
    metric = "qa_mean_score"
    target = 100
    floor = 0
    weight = 100
  [[versions.areas]]
  id = "b"
  weight = 50
    [[versions.areas.indicators]]
    id = "s"
    metric = "satisfaction_rate"
    target = 1
    floor = 0
    weight = 100
"""


def test_weight_sensitivity_by_hand():
    con = store.connect(":memory:")
    # area scores (a, b): X (80, 20), Y (40, 56), Z (20, 77)
    for team, q, sat, total in (("X", 80.0, 1, 5), ("Y", 40.0, 14, 25), ("Z", 20.0, 77, 100)):
        evaluation(con, team, D(2025, 3, 1), q)
        surveys(con, team, D(2025, 3, 2), sat, total)
    ms = I.loads_models(SENS_TOML)
    ws = I.weight_sensitivity(con, ms, "2025H1")
    assert list(ws.columns) == ["period", "node_id", "parent_id", "depth", "name", "change",
                                "weight", "new_weight", "spearman_rho", "max_rank_change",
                                "mean_abs_rank_change", "most_moved", "units"]
    # only a and b have siblings (q and s are only children): 2 nodes x 2 directions
    assert ws[["node_id", "change"]].values.tolist() == [["a", 0.1], ["a", -0.1], ["b", 0.1], ["b", -0.1]]
    ws = ws.set_index(["node_id", "change"])
    # baseline 50/50: X 50, Z 48.5, Y 48 -> ranks X 1, Z 2, Y 3
    # a +10% (55/45): X 53, Y 47.2, Z 45.65 -> X 1, Y 2, Z 3; d = (0, 1, -1), sum d^2 = 2,
    # rho = 1 - 6 * 2 / (3 * (9 - 1)) = 0.5; largest move 1
    r = ws.loc[("a", 0.1)]
    assert (r["weight"], r["new_weight"]) == (50.0, pytest.approx(55.0))
    assert r["spearman_rho"] == pytest.approx(0.5)
    assert (r["max_rank_change"], r["mean_abs_rank_change"]) == (1, pytest.approx(2 / 3))
    # a -10% (45/55): X 47, Y 48.8, Z 51.35 -> Z 1, Y 2, X 3; d = (-2, 1, 1), sum d^2 = 6,
    # rho = 1 - 36 / 24 = -0.5; X moves 2 places
    r = ws.loc[("a", -0.1)]
    assert r["spearman_rho"] == pytest.approx(-0.5)
    assert (r["max_rank_change"], r["most_moved"]) == (2, "X")
    # with two siblings, b +10% is a -10%
    assert ws.loc[("b", 0.1), "spearman_rho"] == pytest.approx(-0.5)
    assert ws["units"].tolist() == [3, 3, 3, 3]
    assert (ws.reset_index()["period"] == pd.Timestamp("2025-01-01")).all()
    assert I.half_year("2025-H2") == (D(2025, 7, 1), D(2025, 12, 31))
    assert I.half_year(D(2025, 6, 30)) == (D(2025, 1, 1), D(2025, 6, 30))


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------


def _values_frame(values: dict[str, float]) -> pd.DataFrame:
    rows = [dict(period=pd.Timestamp("2025-01-01"), level_key=k, metric=m, value=v, n=10)
            for k in ("T1", "T2") for m, v in values.items()]
    return pd.DataFrame(rows).astype({"period": "datetime64[us]"})


def _weights(n: int):
    return st.lists(st.floats(min_value=0.01, max_value=10.0, allow_nan=False), min_size=n, max_size=n)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(area_w=_weights(2), ind_w=_weights(2), qa=st.floats(0, 100), lost=st.floats(0, 30),
       sat=st.floats(0, 1))
def test_weights_never_change_metric_values_and_scores_stay_in_range(models, area_w, ind_w, qa, lost, sat):
    base = models.versions[0]
    v = base
    for nid, w in zip(("mon", "sat"), np.array(area_w) / sum(area_w) * 100):
        v = I.set_weight(v, nid, float(w), renormalise=False)
    for nid, w in zip(("mon.score", "mon.items"), np.array(ind_w) / sum(ind_w) * 100):
        v = I.set_weight(v, nid, float(w), renormalise=False)
    assert I.validate(v) == []  # still sums to 100%
    vals = _values_frame({"qa_mean_score": qa, "item:业务准确性": lost, "satisfaction_rate": sat})
    a = I.score_metric_values(vals, base)
    b = I.score_metric_values(vals, v)
    leaves = a["metric"].notna()
    # a weight change never changes an (unweighted) metric value
    assert np.array_equal(a.loc[leaves, "value"].to_numpy(), b.loc[leaves, "value"].to_numpy())
    assert np.array_equal(a.loc[leaves, "score"].to_numpy(), b.loc[leaves, "score"].to_numpy())
    for t in (a, b):
        s = t["score"].to_numpy()
        assert np.all((s >= 0) & (s <= 100))


@settings(max_examples=200, deadline=None)
@given(value=st.floats(-1e6, 1e6), target=st.floats(-1e3, 1e3), gap=st.floats(1e-3, 1e3),
       higher=st.booleans())
def test_indicator_score_in_range(value, target, gap, higher):
    floor = target - gap if higher else target + gap
    s = float(I.indicator_score(value, target, floor))
    assert 0.0 <= s <= 100.0


def test_weight_change_keeps_metric_table_values(db, models):
    """Same property against the database: the metric values under a re-weighted model."""
    a = I.score_tree(db, models.versions[0], "month", "team")
    b = I.score_tree(db, I.set_weight(models.versions[0], "mon", 90), "month", "team")
    leaves = a["metric"].notna()
    pd.testing.assert_series_equal(a.loc[leaves, "value"], b.loc[leaves, "value"])
    assert not np.allclose(a.loc[~leaves, "score"].fillna(-1), b.loc[~leaves, "score"].fillna(-1))


# --------------------------------------------------------------------------
# QA-form scoring rules
# --------------------------------------------------------------------------

FORM = [
    dict(item="开场白", points=-5, max=5),
    dict(item="服务态度", points=-3, max=15),
    dict(item="身份核实", points=None, max=10),  # not applicable
    dict(item="泄露客户信息", points=0, max=10, critical=True),
]


def test_deduction_form():
    r = I.score_evaluation(FORM)
    # 100 - 5 - 3 = 92; the N/A item deducts nothing and leaves the maximum: 5 + 15 + 10 = 30
    assert (r["score"], r["lost"], r["failed"], r["critical"]) == (92.0, 8.0, False, False)
    assert (r["applicable"], r["not_applicable"], r["max_points"]) == (3, 1, 30.0)
    assert I.score_evaluation(FORM, pass_mark=95)["failed"] is True
    # signs are ignored: 5 and -5 are the same deduction
    assert I.score_evaluation([dict(points=5), dict(points=-3)])["score"] == 92.0


def test_critical_items():
    form = FORM[:3] + [dict(item="泄露客户信息", points=-10, max=10, critical=True)]
    z = I.score_evaluation(form, critical_policy="zero")
    assert (z["score"], z["failed"], z["critical_items"]) == (0.0, True, ["泄露客户信息"])
    f = I.score_evaluation(form, critical_policy="fail")
    # the score stays 100 - 5 - 3 - 10 = 82 but the evaluation fails
    assert (f["score"], f["failed"]) == (82.0, True)
    with pytest.raises(ValueError, match="critical_policy"):
        I.score_evaluation(form, critical_policy="ignore")


def test_scores_form_excludes_na_from_the_maximum():
    form = [dict(points=8, max=10), dict(points=5, max=5), dict(points=None, max=10), dict(points=12, max=20)]
    r = I.score_evaluation(form, form="scores")
    # earned 8 + 5 + 12 = 25 of the applicable 10 + 5 + 20 = 35 -> 71.428571 (not 25/45)
    assert r["score"] == pytest.approx(100 * 25 / 35)
    assert (r["earned"], r["max_points"], r["lost"]) == (25.0, 35.0, 10.0)
    # a critical item earning less than its maximum triggers
    crit = form + [dict(points=4, max=5, critical=True)]
    assert I.score_evaluation(crit, form="scores")["score"] == 0.0
    assert I.score_evaluation([dict(points=None, max=5)], form="scores")["score"] is None


def test_form_errors():
    with pytest.raises(ValueError, match="more than its maximum"):
        I.score_evaluation([dict(item="x", points=-12, max=10)])
    with pytest.raises(ValueError, match="needs a maximum"):
        I.score_evaluation([dict(item="x", points=3)], form="scores")
    with pytest.raises(ValueError, match="outside 0..5"):
        I.score_evaluation([dict(item="x", points=6, max=5)], form="scores")


def test_vectorised_scoring_matches_one_by_one():
    forms = {
        "r1": FORM,
        "r2": FORM[:3] + [dict(item="泄露客户信息", points=-10, max=10, critical=True)],
        "r3": [dict(item="a", points=None, max=5)],
    }
    long = pd.DataFrame([dict(record_key=k, **it) for k, items in forms.items() for it in items])
    long["critical"] = long["critical"].fillna(False).astype(bool)
    for kw in (dict(), dict(critical_policy="fail", pass_mark=90)):
        v = I.score_evaluations(long, **kw).set_index("record_key")
        for k, items in forms.items():
            one = I.score_evaluation(items, **kw)
            assert v.loc[k, "score"] == pytest.approx(one["score"])
            assert bool(v.loc[k, "failed"]) == one["failed"]
            assert v.loc[k, "applicable"] == one["applicable"]
    s = long.assign(points=long["points"].abs())
    s = s[s["record_key"] != "r2"]
    v = I.score_evaluations(s, form="scores").set_index("record_key")
    # r1 scores form: earned 5 + 3 + 0 of 5 + 15 + 10 = 30 -> 26.67, but the critical
    # item earned 0 < 10 -> zero
    assert v.loc["r1", "score"] == 0.0 and math.isnan(v.loc["r3", "score"])


def test_default_model_scores_the_demo_like_store():
    """Smoke test: the shipped model scores a small store end to end."""
    con = store.connect(":memory:")
    evaluation(con, "T1", D(2025, 8, 1), 90.0, lost=2.0)
    surveys(con, "T1", D(2025, 8, 2), 9, 10)
    tree = I.score_tree(con, None, "month", "team")
    root = tree[tree["node_id"] == "index"].iloc[0]
    assert 0 <= root["score"] <= 100 and 0 < root["coverage"] < 1
    assert root["model_from"] == pd.Timestamp("2025-07-01")


# --------------------------------------------------------------------------
# the model file: a person's comments survive a save from the dashboard
# --------------------------------------------------------------------------


def _commented_model_file(path, rnd):
    """The shipped model file with a comment after random value lines and
    above random tables: what an analyst's hand-edited file looks like."""
    lines = (Path(I.__file__).resolve().parents[2] / "data" / "indicator_model.toml").read_text(
        encoding="utf-8").splitlines()
    out, notes = [], []
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[[") and rnd.random() < 0.3:
            note = f"# note {k}: agreed at the review 评审会议确定"
            out.append(line[: len(line) - len(line.lstrip())] + note)
            notes.append(note)
        if "=" in stripped and not stripped.startswith("#") and rnd.random() < 0.2:
            note = f"# why {k}"
            line = f"{line}  {note}"
            notes.append(note)
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return notes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_saving_keeps_comments_of_the_values_it_did_not_change(tmp_path, seed):
    rnd = random.Random(seed)
    path = tmp_path / f"model{seed}.toml"
    notes = _commented_model_file(path, rnd)
    ms = I.load_models(path)
    last = ms.versions[-1]
    # an edit the Indicators page makes: one area's weight moves, its sibling takes the rest
    a = rnd.randrange(len(last.areas))
    changed = I.set_weight(last, last.areas[a].id, max(1.0, last.areas[a].weight - rnd.choice([1, 5, 10])))
    edits = [replace(changed, effective_from=last.effective_from + dt.timedelta(days=rnd.randrange(1, 400)),
                     name=f"v{seed}")]
    if rnd.random() < 0.5:
        edits.append(changed)  # the same version changed in place
    for m in edits:
        ms = ms.with_version(m)
    I.save_models(ms, path)
    text = path.read_text(encoding="utf-8")
    assert I.load_models(path) == I.ModelSet(ms.versions, str(path))
    assert [n for n in notes if n not in text] == [], seed  # changed values keep their comments too


def test_units_below_the_ranking_rules_are_listed_apart(db, models):
    """Issue 10: a team with few observations or little of the model covered is
    never ranked first; it is listed after the ranked ones, with the reason."""
    every = I.composite_index(db, _rules(models, 1, 0.0), "month", "team")
    jan = every[every["period"] == pd.Timestamp("2025-01-01")].set_index("level_key")
    # T2's index rests on fewer observations than T1's: demand more than T2 has
    strict_n = int(jan.loc["T2", "n"]) + 1
    assert jan.loc["T1", "n"] >= strict_n
    ci = I.composite_index(db, _rules(models, strict_n, 0.0), "month", "team")
    jan2 = ci[ci["period"] == pd.Timestamp("2025-01-01")]
    assert jan2["level_key"].tolist() == ["T1", "T2"]  # T2 has the higher index, yet comes after
    assert jan2["rank"].tolist()[0] == 1 and pd.isna(jan2["rank"].tolist()[1])
    assert jan2.set_index("level_key").loc["T2", "not_ranked"] == "n"
    # a coverage rule above what a unit has
    cov = I.composite_index(db, _rules(models, 1, 1.0), "month", "team")
    low = cov[cov["coverage"] < 1.0 - 1e-12]
    assert (low["not_ranked"] == "coverage").all() and low["rank"].isna().all()


def test_ranking_rules_in_the_model_file(tmp_path):
    text = SENS_TOML.replace("effective_from = 2025-01-01", "effective_from = 2025-01-01\nrank_min_n = 50\nmin_coverage = 0.6", 1)
    ms = I.loads_models(text)
    assert ms.versions[0].ranking_rules == (50, 0.6)
    # a save keeps them, and a model without them has the defaults
    again = I.loads_models(I.dumps_models(ms))
    assert again.versions[0].ranking_rules == (50, 0.6)
    assert I.loads_models(SENS_TOML).versions[0].ranking_rules == (I.RANK_MIN_N, I.MIN_COVERAGE)
    with pytest.raises(I.ModelError, match="min_coverage"):
        I.loads_models(text.replace("min_coverage = 0.6", "min_coverage = 1.5"))


def test_mdd_in_the_model_reaches_the_period_comparison(tmp_path):
    """Issue 10: the smallest change that matters is set per indicator in the model."""
    text = SENS_TOML
    ms = I.loads_models(text)
    leaf_id, leaf = ms.versions[0].leaves()[0]
    with_mdd = text.replace(f'metric = "{leaf.metric}"', f'metric = "{leaf.metric}"\nmdd = 1.5', 1)
    m2 = I.loads_models(with_mdd)
    assert m2.versions[0].mdd_by_metric() == {leaf.metric: 1.5}
    assert I.loads_models(I.dumps_models(m2)).versions[0].mdd_by_metric() == {leaf.metric: 1.5}
    with pytest.raises(I.ModelError, match="mdd"):
        I.loads_models(with_mdd.replace("mdd = 1.5", "mdd = -2"))
