"""The rollups stay equal to a rebuild from the records after any sequence of
imports, revisions, roster moves and undos (generated, seeded)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from qa_analytics import store
from qa_analytics.analytics import metrics
from qa_analytics.ingest.importer import import_file
from qa_analytics.store import rollups

from conftest import write_csv

ITEMS = ["开场白", "服务态度", "业务准确性", "结束语"]


def _day(rnd: random.Random) -> str:
    return (dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randint(0, 80))).isoformat()
TEAMS = ["综合一组", "综合二组", "投诉组"]


def _monitoring(rnd: random.Random, path, ids: list[int], with_team: bool) -> None:
    items = rnd.sample(ITEMS, rnd.randint(1, len(ITEMS)))
    header = ["质检编号", "工号", "质检日期", "总分", "致命差错"] + (["班组"] if with_team else []) + items
    rows = [header]
    for i in ids:
        ded = [-rnd.choice((0, 0, 1, 2)) for _ in items]
        row = [f"Q{i}", f"{rnd.randint(1, 6):04d}", _day(rnd),
               100 + sum(ded), rnd.choice(("是", "否", "否", "否"))]
        row += [rnd.choice(TEAMS)] if with_team else []
        rows.append(row + ded)
    write_csv(path, rows)


def _survey(rnd: random.Random, path, ids: list[int]) -> None:
    rows = [["调查编号", "工号", "评价日期", "满意度", "渠道"]]
    for i in ids:
        rows.append([f"S{i}", f"{rnd.randint(1, 6):04d}",
                     _day(rnd),
                     rnd.choice(("非常满意", "满意", "一般", "不满意", "5", "4", "2", "0")), rnd.choice(("电话", "短信"))])
    write_csv(path, rows)


def _call_test(rnd: random.Random, path, ids: list[int]) -> None:
    rows = [["评测编号", "被测工号", "拨测日期", "测试人", "测试类型", "业务场景", "得分", "是否合格"]]
    for i in ids:
        s = rnd.randint(60, 100)
        rows.append([f"C{i}", f"{rnd.randint(1, 6):04d}", _day(rnd),
                     "张", rnd.choice(("质检", "中心领导", "神秘客户")), "查询", s, "合格" if s >= 80 else "不合格"])
    write_csv(path, rows)


def _roster(rnd: random.Random, path) -> None:
    rows = [["工号", "姓名", "班组", "生效日期"]]
    for a in rnd.sample(range(1, 7), rnd.randint(1, 6)):
        rows.append([f"{a:04d}", f"坐席{a}", rnd.choice(TEAMS),
                     (dt.date(2025, 12, 1) + dt.timedelta(days=rnd.randint(0, 70))).isoformat()])
    write_csv(path, rows)


def _snapshot(con) -> dict[str, list]:
    """The rollups' contents, comparable whatever the item columns' numbering."""
    items = {v: k for k, v in rollups.item_columns(con).items()}
    mon = con.execute(f"SELECT * FROM {rollups.TABLES['monitoring']}").df()
    named = []
    for rec in mon.to_dict("records"):
        pts = {items[int(c[1:])]: v for c, v in rec.items() if c.startswith("i") and c[1:].isdigit() and pd.notna(v)}
        base = tuple(None if (isinstance(v, float) and pd.isna(v)) else v for c, v in sorted(rec.items())
                     if not (c.startswith("i") and c[1:].isdigit()))
        named.append((base, tuple(sorted(pts.items()))))
    out = {"monitoring": sorted(named, key=repr)}
    for kind in ("call_test", "survey"):
        out[kind] = sorted(con.execute(f"SELECT * FROM {rollups.TABLES[kind]}").fetchall(), key=repr)
    return out


def _rebuilt(con) -> dict[str, list]:
    con.execute("BEGIN TRANSACTION")
    rollups.rebuild(con)
    snap = _snapshot(con)
    con.execute("ROLLBACK")
    return snap


@pytest.mark.parametrize("seed", range(6))
def test_rollups_equal_a_rebuild_after_any_sequence_of_writes(tmp_path, seed):
    rnd = random.Random(seed)
    con = store.connect(tmp_path / "r.duckdb")
    next_id = iter(range(1, 10**6))
    made: dict[str, list[int]] = {"m": [], "s": [], "c": []}
    for step in range(14):
        op = rnd.choice(("monitoring", "monitoring", "revise", "survey", "call_test", "roster", "undo"))
        f = tmp_path / f"{step}.csv"
        if op == "monitoring":
            ids = [next(next_id) for _ in range(rnd.randint(3, 12))]
            made["m"] += ids
            _monitoring(rnd, f, ids, with_team=rnd.random() < 0.5)
        elif op == "revise" and made["m"]:
            _monitoring(rnd, f, rnd.sample(made["m"], min(4, len(made["m"]))), with_team=rnd.random() < 0.5)
        elif op == "survey":
            ids = [next(next_id) for _ in range(rnd.randint(3, 15))] + rnd.sample(made["s"], min(2, len(made["s"])))
            made["s"] += ids
            _survey(rnd, f, ids)
        elif op == "call_test":
            ids = [next(next_id) for _ in range(rnd.randint(2, 8))]
            made["c"] += ids
            _call_test(rnd, f, ids)
        elif op == "roster":
            _roster(rnd, f)
        elif op == "undo":
            active = [b["batch_id"] for b in store.list_batches(con) if b["status"] == "active"]
            if active:
                try:
                    store.undo_batch(con, rnd.choice(active))
                except store.UndoError:
                    pass
            f = None
        else:
            f = None
        if f is not None:
            rep = import_file(con, f)
            assert rep.status == "imported", (op, rep.message, rep.errors[:3])
        assert metrics.rollup_status(con) in ("fresh", "absent"), step
        if metrics.rollup_status(con) == "fresh":
            assert _snapshot(con) == _rebuilt(con), (seed, step, op)
    # and the metrics read from them equal the raw queries
    ids = list(metrics.METRICS) + [f"item:{i}" for i in ITEMS] + [f"item_rate:{i}" for i in ITEMS]
    for level in ("center", "team", "agent"):
        raw = metrics.metric_table(con, ids, "month", level, rollups=False)
        fast = metrics.metric_table(con, ids, "month", level)
        pd.testing.assert_frame_equal(raw, fast, check_exact=False, rtol=1e-12, atol=1e-12)
    con.close()


def test_a_rolled_back_import_leaves_the_rollups_as_they_were(tmp_path):
    con = store.connect(tmp_path / "r.duckdb")
    rnd = random.Random(1)
    _monitoring(rnd, tmp_path / "a.csv", list(range(1, 9)), with_team=True)
    import_file(con, tmp_path / "a.csv")
    before = _snapshot(con)
    rows = [["质检编号", "工号", "质检日期", "总分"], ["Q1", "0001", "2026-01-05", 50], ["Q99", "0002", "2026-02-30", 90]]
    rep = import_file(con, write_csv(tmp_path / "bad.csv", rows))
    assert rep.status == "rejected"
    assert _snapshot(con) == before and metrics.rollup_status(con) == "fresh"


def test_a_migrated_database_gets_its_rollups(tmp_path):
    from test_store import v1_database

    con = store.connect(v1_database(tmp_path / "v1.duckdb"))
    assert metrics.rollup_status(con) == "fresh"
    assert con.execute(f"SELECT count(*) FROM {rollups.TABLES['monitoring']}").fetchone()[0] == \
        con.execute("SELECT count(*) FROM monitoring").fetchone()[0]
