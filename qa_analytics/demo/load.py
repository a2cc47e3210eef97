"""Store the generated demo center (``qa_analytics.demo.generate``) as demo batches.

Why batches: demo rows go through the same merge as imports, each kind as a
batch marked ``source='demo'``, so the dashboard can label the data as demo
until real data arrives and clear it exactly (``store.clear_demo_data``).
The roster's earlier team assignments are stored as successive roster
snapshots, oldest first, so the team history is what a real center's
sequence of roster imports would leave behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import pandas as pd

from .. import store
from ..ingest.normalize import install_macros
from ..store.schema import KINDS, hash_fields

__all__ = ["load_demo"]


def _stage_frame(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame) -> None:
    """Build the temp table ``staged`` (stored columns of ``kind``) from a typed frame."""
    k = KINDS[kind]
    con.register("demo_in", frame)
    cols = [c for c, _ in store.duckdb_columns(kind) if c not in ("created_batch", "batch_id")]
    value_hash = "md5(" + " || chr(31) || ".join(
        f"COALESCE(CAST({c} AS VARCHAR), '∅')" for c in hash_fields(k)
    ) + ")"
    if k.id_field:
        key = f"'id:' || {k.id_field}"
    else:
        nk = " || '|' || ".join(f"COALESCE(CAST({c} AS VARCHAR), '')" for c in k.natural_key)
        key = f"'nk:' || md5({nk}) || ':1'"
    derived = {
        "rating_score": "qa_rating_score_c(qa_clean(rating))",
        "satisfaction": "qa_satisfaction_c(qa_clean(rating))",
        "is_external": "tester_type = 'third_party'",
        "record_key": key,
        "row_hash": value_hash,
        "source_sheet": "'demo'",
        "source_row": "CAST(NULL AS INTEGER)",
        "source_time": "CAST(NULL AS TIMESTAMP)",
        "modified_at": "CAST(NULL AS TIMESTAMP)",
    }
    select = ", ".join(f"{derived[c]} AS {c}" if c in derived else c for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT {select} FROM demo_in")
    con.unregister("demo_in")


def _store(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, label: str,
           items: pd.DataFrame | None = None) -> int:
    try:
        with store.transaction(con):
            counts = _store_staged(con, kind, frame, label, items)
    finally:
        con.execute("DROP TABLE IF EXISTS staged")
        con.execute("DROP TABLE IF EXISTS staged_items")
    return counts.imported + counts.updated


def _store_staged(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, label: str,
                  items: pd.DataFrame | None) -> store.MergeCounts:
    _stage_frame(con, kind, frame)
    staged_items = None
    if items is not None:
        con.register("items_in", items)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE staged_items AS
               SELECT 'id:' || eval_id AS record_key, item, item_group, CAST(points AS DOUBLE) AS points,
                      CAST(points AS VARCHAR) AS raw_value
               FROM items_in"""
        )
        con.unregister("items_in")
        staged_items = "staged_items"
    batch = store.new_batch(con, file_name=label, kind=kind, sha256=None, source="demo")
    counts = store.merge_staged(con, kind, batch, "staged", staged_items)
    store.finish_batch(con, batch, rows_read=len(frame), counts=counts, rows_rejected=0)
    return counts


def load_demo(
    con: duckdb.DuckDBPyConnection,
    months: int = 18,
    seed: int = 7,
    end: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    patterns: bool = True,
) -> dict[str, int]:
    """Generate the demo center and store it; returns records stored per kind
    and ``actions``, the improvement actions recorded about the planted
    patterns (``patterns=False``: without the planted patterns and without
    actions, see ``generate_demo``)."""
    from .generate import generate_demo

    say = progress or (lambda msg: None)
    say(f"generating {months} months of demo data (seed {seed}) ...")
    frames = generate_demo(months=months, seed=seed, end=end, patterns=patterns)
    install_macros(con)
    counts: dict[str, int] = {}
    # Roster first, as dated snapshots: each agent's n-th assignment in snapshot n.
    roster = frames["roster"]
    history = frames.get("roster_history")
    if history is not None and len(history):
        allrows = pd.concat([history, roster], ignore_index=True)
        allrows = allrows.sort_values(["agent_id", "effective_date"], na_position="first", kind="stable")
        allrows["snapshot"] = allrows.groupby("agent_id").cumcount()
        for n, snap in allrows.groupby("snapshot", sort=True):
            counts["roster"] = _store(con, "roster", snap.drop(columns="snapshot"), f"demo roster #{n + 1}")
        counts["roster"] = len(roster)
    else:
        counts["roster"] = _store(con, "roster", roster, "demo roster")
    for kind in ("monitoring", "call_test", "survey", "system_check"):
        say(f"storing {kind} ({len(frames[kind]):,} rows) ...")
        items = frames.get("monitoring_item") if kind == "monitoring" else None
        counts[kind] = _store(con, kind, frames[kind], f"demo {kind}", items)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('demo_seed', ?)", [str(seed)])
    # The improvement register: actions about the planted patterns (none
    # without them: there would be nothing for them to be about).
    counts["actions"] = 0
    if patterns:
        from .actions import record_demo_actions
        from .generate import demo_facts

        counts["actions"] = len(record_demo_actions(con, demo_facts(months=months, end=end)))
    say("demo data ready")
    return counts
