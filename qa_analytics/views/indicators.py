"""What a draft of the indicator model changes: the data behind the Indicators page's editor.

Why here and not in the page: "which weights, targets and floors did I
change" and "how do the teams' ranks move" are comparisons a reviewer wants
the same way in the half-yearly report; the page only words and draws them.
"""

from __future__ import annotations

import pandas as pd

from ..analytics.indicators import IndicatorModel

__all__ = ["model_changes", "moved_count", "rank_shift"]

_FIELDS = ("weight", "target", "floor")


def model_changes(before: IndicatorModel, after: IndicatorModel) -> pd.DataFrame:
    """One row per node present in both versions and field whose value
    differs: ``node_id``, ``field`` (weight | target | floor), ``old``,
    ``new``, ``metric`` (the node's, for the value's unit), in the order of
    the tree.  Weights compare to 1e-9 points, targets and floors to 1e-12
    (a rounding of the editor's input is not a change)."""
    old = before.nodes_frame("en").set_index("node_id")
    new = after.nodes_frame("en").set_index("node_id")
    rows = []
    for nid in new.index.intersection(old.index, sort=False):
        a, b = old.loc[nid], new.loc[nid]
        for field in _FIELDS:
            va, vb = a[field], b[field]
            if pd.isna(va) or pd.isna(vb):
                continue
            tol = 1e-9 if field == "weight" else 1e-12
            if abs(float(va) - float(vb)) > tol:
                rows.append({"node_id": nid, "field": field, "old": float(va), "new": float(vb), "metric": b["metric"]})
    return pd.DataFrame(rows, columns=["node_id", "field", "old", "new", "metric"])


def rank_shift(now: pd.DataFrame, draft: pd.DataFrame) -> pd.DataFrame:
    """Teams ranked under the model in force and under the draft
    (``composite_index`` frames at one period): ``level_key``,
    ``index_now``, ``index_draft``, ``rank_now``, ``rank_draft``, ``moved``
    (places up, Int64; negative is down), sorted by the draft's rank."""
    cols = ["level_key", "index", "rank"]
    both = now[cols].merge(draft[cols], on="level_key", suffixes=("_now", "_draft"))
    both = both.sort_values(["rank_draft", "level_key"], ignore_index=True)
    both["moved"] = (both["rank_now"] - both["rank_draft"]).astype("Int64")
    return both


def moved_count(shift: pd.DataFrame) -> int:
    """How many teams change place."""
    return int((shift["moved"].fillna(0) != 0).sum()) if len(shift) else 0


