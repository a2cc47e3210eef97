"""qa_analytics.views.indicators: what a draft of the model changes."""

from __future__ import annotations

import pandas as pd

from qa_analytics.analytics import indicators as I
from qa_analytics.views import indicators as V


def test_model_changes_lists_each_changed_field_once():
    m = I.load_models().versions[-1]
    area = m.areas[0]
    draft = I.set_weight(m, area.id, area.weight + 5)  # the siblings give up 5 points between them
    leaf = next(nid for nid, _p, _d, nd in draft.walk() if nd.is_leaf and nd.metric and nd.target is not None)
    draft = I.update_node(draft, leaf, target=draft.node(leaf).target * 0.5 + draft.node(leaf).floor * 0.5)
    ch = V.model_changes(m, draft)
    assert set(ch["field"]) == {"weight", "target"}
    assert ch[(ch["node_id"] == area.id) & (ch["field"] == "weight")][["old", "new"]].values.tolist() == [
        [area.weight, area.weight + 5]]
    assert ch[ch["field"] == "target"]["node_id"].tolist() == [leaf]
    assert not ch.duplicated(["node_id", "field"]).any()
    assert V.model_changes(m, m).empty


def test_rank_shift_counts_places_moved():
    now = pd.DataFrame({"level_key": ["a", "b", "c"], "index": [90.0, 80.0, 70.0], "rank": [1, 2, 3]})
    draft = pd.DataFrame({"level_key": ["a", "b", "c"], "index": [75.0, 85.0, 70.0], "rank": [2, 1, 3]})
    s = V.rank_shift(now, draft)
    assert s["level_key"].tolist() == ["b", "a", "c"]  # by the draft's rank
    assert s["moved"].tolist() == [1, -1, 0]
    assert V.moved_count(s) == 2
    assert V.moved_count(V.rank_shift(now, now)) == 0
