"""Analytics benchmark: indicator scoring on a large synthetic store.

Builds, in a temporary directory, a store (the real schema, via
``store.connect``) holding ``1,000,000 x scale`` evaluations (11 QA items
each, so 11 million item rows at scale 1), ``10,000,000 x scale`` survey
responses, ``60,000 x scale`` call tests and a daily check of five systems
over two years (2024-01-01 .. 2025-12-31), 1,000 agents in 20 teams.  Rows
are generated inside DuckDB from ``range()`` with hash-based pseudo-random
values, so building is fast and deterministic.  5% of the surveys carry no
team (the roster supplies it).

Then it times (median of ``--runs`` runs, after one warm-up run) every
indicator of the default model (``data/indicator_model.toml``, the version in
force per month) for all teams by month over the whole period --
``indicators.score_tree(..., grain="month", level="team")`` -- and the same
for one team's agents (``level="agent", team=...``), twice:

* straight from the tables (``rollups=False``): ``center_by_month_tables_s``,
  ``team_agents_tables_s``;
* from the connection's rollups (``metrics.build_rollups``, built once,
  ``rollup_build_s``), which is how the dashboard runs between imports:
  ``center_by_month_s`` (target < 1 s) and ``team_agents_s`` (target
  < 0.2 s).  Both paths must give the same tree (checked).

``pandas_over_duckdb`` = the same team-by-month computation done with pandas
groupbys on the raw tables preloaded (via Arrow) before timing, then scored by
the same code, divided by the DuckDB time from the tables (like for like:
both start from raw rows; ``pandas_over_duckdb_rollups`` divides by the
rollup time).  ``peak_rss_mb``: the process's peak resident set size
(``resource.getrusage``; includes building and the pandas frames).  Also:
``metric_table_all_*_s`` -- every fixed metric plus both item metrics of every
item, teams by month.

The machine is shared: ``load_avg_1m`` (at the end) says how busy it was.

Usage::

    .venv/bin/python bench/analytics_bench.py            # scale 1
    .venv/bin/python bench/analytics_bench.py --scale 0.1

The last line of the output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from qa_analytics import store  # noqa: E402
from qa_analytics.analytics import indicators, metrics

START, END = "2024-01-01", "2025-12-31"
N_AGENTS, N_TEAMS = 1000, 20
ITEMS = (  # (name, group, deduction levels, probability of a deduction, probability N/A)
    ("开场白/礼貌用语", "服务规范", (1, 2, 5), 0.22, 0.0),
    ("身份核实", "操作规范", (5, 10), 0.10, 0.25),
    ("需求确认", "业务能力", (2, 5, 10), 0.20, 0.0),
    ("业务准确性", "业务能力", (5, 10, 20), 0.22, 0.0),
    ("解决方案", "业务能力", (3, 5, 10, 15), 0.20, 0.05),
    ("服务态度", "服务规范", (3, 5, 10, 15), 0.15, 0.0),
    ("语速语调", "服务规范", (1, 2, 5), 0.25, 0.0),
    ("系统操作", "操作规范", (2, 5), 0.18, 0.0),
    ("记录完整", "操作规范", (2, 5), 0.28, 0.0),
    ("结束语", "服务规范", (1, 2, 5), 0.18, 0.0),
    ("主动服务", "增值服务", (2, 5), 0.32, 0.15),
)


def _lit(x) -> str:
    return "'" + str(x).replace("'", "''") + "'"


def build(path: Path, scale: float, with_rollups: bool = False) -> dict[str, int]:
    """Create the synthetic store at ``path``; returns rows per table.

    The rows are written straight into the tables, past the store, so the
    rollups the importer keeps in step stay empty: this benchmark measures
    the metric SQL on the records themselves.  ``with_rollups`` builds them
    afterwards, as a database filled by imports has them (the pages
    benchmark: what a user's dashboard reads)."""
    n_eval = max(1000, round(1_000_000 * scale))
    n_survey = max(1000, round(10_000_000 * scale))
    n_call = max(100, round(60_000 * scale))
    con = store.connect(path)
    con.execute("SET enable_progress_bar = false")
    con.execute("CREATE TEMP MACRO u(i, k) AS (hash(i, k) % 1000003)::DOUBLE / 1000003")
    con.execute(f"CREATE TEMP MACRO ndays() AS (DATE '{END}' - DATE '{START}' + 1)")
    con.execute(f"CREATE TEMP MACRO day_of(i, k) AS DATE '{START}' + CAST(hash(i, k) % ndays() AS INTEGER)")
    con.execute("CREATE TEMP MACRO agent_of(a) AS 'A' || lpad(CAST(a AS VARCHAR), 4, '0')")
    con.execute(f"CREATE TEMP MACRO team_of(a) AS '班组' || lpad(CAST(a % {N_TEAMS} + 1 AS VARCHAR), 2, '0')")
    # batch 0: loaded past the store, in no import batch (an undo of a real batch never touches them)
    bk = "'bench' AS source_sheet, NULL AS source_row, 0 AS created_batch, 0 AS batch_id"
    con.execute("BEGIN TRANSACTION")
    con.execute(
        f"""INSERT INTO roster (agent_id, agent_name, team, hire_date, effective_date,
                record_key, row_hash, source_sheet, source_row, created_batch, batch_id)
            SELECT agent_of(a), '坐席' || a, team_of(a), DATE '2020-01-01' + CAST(hash(a, 0) % 1000 AS INTEGER),
                   NULL, 'nk:' || agent_of(a), 'h', {bk}
            FROM range({N_AGENTS}) t(a)"""
    )
    # items: per evaluation i and item k; a skill per agent shifts the odds
    item_rows = " UNION ALL ".join(
        f"SELECT {k} AS k, {_lit(name)} AS item, {_lit(group)} AS grp, {list(levels)} AS levels, "
        f"{p} AS p, {na} AS na"
        for k, (name, group, levels, p, na) in enumerate(ITEMS)
    )
    con.execute(f"CREATE TEMP TABLE item_def AS {item_rows}")
    con.execute(
        f"""CREATE TEMP TABLE ev AS
            SELECT i, day_of(i, 1) AS d, CAST(hash(i, 2) % {N_AGENTS} AS INTEGER) AS a,
                   CASE WHEN u(i, 4) < 0.85 THEN 'voice'
                        ELSE ['chat', 'sms', 'email', 'app'][1 + CAST(hash(i, 9) % 4 AS INTEGER)] END AS channel,
                   u(i, 5) < 0.01 AS critical
            FROM range({n_eval}) t(i)"""
    )
    con.execute(
        """CREATE TEMP TABLE it AS
            SELECT e.i, d.item, d.grp,
                   CASE WHEN u(e.i * 16 + d.k, 7) < d.na OR (d.k = 6 AND e.channel <> 'voice') THEN NULL
                        WHEN u(e.i * 16 + d.k, 6) < d.p * (0.7 + 0.6 * ((e.a % 97) / 96.0))
                        THEN -CAST(d.levels[1 + CAST(hash(e.i * 16 + d.k, 8) % len(d.levels) AS INTEGER)] AS DOUBLE)
                        ELSE 0.0 END AS points
            FROM ev e CROSS JOIN item_def d"""
    )
    con.execute(
        """INSERT INTO monitoring_item (record_key, item, item_group, points, raw_value, batch_id)
           SELECT 'id:QM' || i, item, grp, points, NULL, 0 FROM it"""
    )
    con.execute(
        f"""INSERT INTO monitoring (eval_id, eval_date, eval_time, agent_id, agent_name, team, evaluator,
                contact_id, channel, total_score, critical_error, appeal_status, comments,
                record_key, row_hash, source_sheet, source_row, created_batch, batch_id)
            SELECT 'QM' || e.i, e.d, NULL, agent_of(e.a), NULL, team_of(e.a), 'E' || (hash(e.i, 3) % 15),
                   NULL, e.channel, CASE WHEN e.critical THEN 0.0 ELSE greatest(0.0, 100 + s.lost) END,
                   e.critical, NULL, NULL, 'id:QM' || e.i, 'h', {bk}
            FROM ev e JOIN (SELECT i, sum(points) AS lost FROM it GROUP BY i) s USING (i)"""
    )
    con.execute("DROP TABLE it")
    con.execute("DROP TABLE ev")
    con.execute(
        f"""INSERT INTO survey (survey_id, survey_date, survey_time, agent_id, agent_name, team, contact_id,
                channel, rating, rating_score, satisfaction,
                record_key, row_hash, source_sheet, source_row, created_batch, batch_id)
            SELECT 'SV' || i, day_of(i, 11), NULL, agent_of(a), NULL,
                   CASE WHEN u(i, 13) < 0.05 THEN NULL ELSE team_of(a) END, NULL,
                   CASE WHEN u(i, 14) < 0.9 THEN 'voice' ELSE 'chat' END,
                   CAST(r AS VARCHAR), r,
                   CASE WHEN r >= 4 THEN 'satisfied' WHEN r = 3 THEN 'neutral' ELSE 'dissatisfied' END,
                   'id:SV' || i, 'h', {bk}
            FROM (SELECT i, CAST(hash(i, 12) % {N_AGENTS} AS INTEGER) AS a, u(i, 15) - (a % 89) / 2000.0 AS x
                  FROM range({n_survey}) t(i)) s,
                 LATERAL (SELECT CASE WHEN x < 0.04 THEN 1 WHEN x < 0.09 THEN 2 WHEN x < 0.18 THEN 3
                                      WHEN x < 0.45 THEN 4 ELSE 5 END AS r) rr"""
    )
    con.execute(
        f"""INSERT INTO call_test (test_id, test_date, tester, tester_type, agent_id, agent_name, team, scenario,
                channel, score, passed, comments, is_external,
                record_key, row_hash, source_sheet, source_row, created_batch, batch_id)
            SELECT 'CT' || i, day_of(i, 21), 'T' || (hash(i, 22) % 9), tt, agent_of(a), NULL, team_of(a),
                   NULL, 'voice', sc, sc >= 80, NULL, tt = 'third_party', 'id:CT' || i, 'h', {bk}
            FROM (SELECT i, CAST(hash(i, 23) % {N_AGENTS} AS INTEGER) AS a,
                         CASE WHEN u(i, 24) < 0.7 THEN 'qa' WHEN u(i, 24) < 0.85 THEN 'leadership'
                              ELSE 'third_party' END AS tt,
                         round(70 + 30 * u(i, 25)) AS sc
                  FROM range({n_call}) t(i))"""
    )
    con.execute(
        f"""INSERT INTO system_check (check_id, check_date, system, availability_pct, incidents, score, checker,
                notes, record_key, row_hash, source_sheet, source_row, created_batch, batch_id)
            SELECT 'SC' || d || s, DATE '{START}' + CAST(d AS INTEGER), ['呼叫平台', '录音系统', '工单系统', 'CRM', 'IVR'][s + 1],
                   round(100 - 0.3 * u(d * 8 + s, 31) ^ 4, 3), CAST(u(d * 8 + s, 32) < 0.05 AS INTEGER),
                   round(100 - 10 * u(d * 8 + s, 33) ^ 3, 1), NULL, NULL, 'id:SC' || d || '-' || s, 'h', {bk}
            FROM range(CAST(ndays() AS BIGINT)) t(d), range(5) v(s)"""
    )
    con.execute("COMMIT")
    if with_rollups:
        from qa_analytics.store import rollups

        con.execute("BEGIN TRANSACTION")
        rollups.rebuild(con)
        con.execute("COMMIT")
    con.execute("CHECKPOINT")
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("monitoring", "monitoring_item", "survey", "call_test", "system_check", "roster")
    }
    con.close()
    return counts


# --------------------------------------------------------------------------
# The pandas comparison
# --------------------------------------------------------------------------


def load_frames(con) -> dict[str, pd.DataFrame]:
    """The raw tables (the columns the metrics use) as pandas frames, via Arrow."""
    q = {
        "monitoring": "SELECT record_key, eval_date, agent_id, team, channel, total_score, critical_error FROM monitoring",
        "monitoring_item": "SELECT record_key, item, points FROM monitoring_item",
        "call_test": "SELECT test_date, agent_id, team, tester_type, is_external, score, passed FROM call_test",
        "survey": "SELECT survey_date, agent_id, team, channel, rating_score, satisfaction FROM survey",
        "system_check": "SELECT check_date, availability_pct, incidents, score FROM system_check",
        "roster": "SELECT agent_id, team FROM roster",
    }
    return {k: con.sql(sql).to_arrow_table().to_pandas(date_as_object=False) for k, sql in q.items()}


def _month(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.start_time.astype("datetime64[us]")


def _agg(df: pd.DataFrame, keys: list[str], value: np.ndarray, mask: np.ndarray | None, metric: str,
         kind: str) -> pd.DataFrame:
    v = pd.Series(value, index=df.index, dtype="float64")
    if mask is not None:
        v = v.where(mask)
    g = pd.DataFrame({"v": v, "v2": v * v}).groupby([df[k] for k in keys], observed=True)
    out = g.agg(n=("v", "count"), s=("v", "sum"), q=("v2", "sum")).reset_index()
    out.columns = ["period", "level_key", "n", "s", "q"]
    out["metric"], out["kind"] = metric, kind
    return out


def pandas_metric_table(f: dict[str, pd.DataFrame], metric_ids: list[str]) -> pd.DataFrame:
    """Teams x months for ``metric_ids`` with pandas, same definitions as metrics.py."""
    team_of = f["roster"].set_index("agent_id")["team"]
    parts = []
    wanted = set(metric_ids)
    m = f["monitoring"]
    m = m.assign(period=_month(m["eval_date"]))
    m = m[m["team"].notna()]
    keys = ["period", "team"]
    voice = m["channel"].fillna("voice").eq("voice").to_numpy()
    ts = m["total_score"].to_numpy(dtype=float)
    crit = m["critical_error"].astype("float64").to_numpy()
    for mid, val, mask, kind in (
        ("qa_mean_score", ts, voice, "mean"),
        ("qa_mean_score_all", ts, None, "mean"),
        ("nonvoice_qa_score", ts, m["channel"].ne("voice").fillna(False).to_numpy(dtype=bool), "mean"),
        ("critical_error_rate", crit, None, "rate"),
        ("qa_evaluations", np.ones(len(m)), None, "count"),
    ):
        if mid in wanted:
            parts.append(_agg(m, keys, val, mask, mid, kind))
    item_ids = [x for x in metric_ids if x.startswith(("item:", "item_rate:"))]
    if item_ids:
        names = {x.split(":", 1)[1] for x in item_ids}
        it = f["monitoring_item"]
        it = it[it["item"].isin(names)].merge(m[["record_key", "period", "team"]], on="record_key")
        pts = it["points"].to_numpy(dtype=float)
        lost = np.where(np.isnan(pts), np.nan, np.where(pts < 0, -pts, 0.0))
        hit = np.where(np.isnan(pts), np.nan, (pts < 0).astype(float))
        it = it.assign(lost=lost, lost2=lost * lost, hit=hit)
        g = it.groupby(["period", "team", "item"], observed=True).agg(
            n=("lost", "count"), s=("lost", "sum"), q=("lost2", "sum"), hits=("hit", "sum")
        ).reset_index()
        for name in names:
            sub = g[g["item"] == name]
            for prefix, kind, s in (("item:", "mean", sub["s"]), ("item_rate:", "rate", sub["hits"])):
                if prefix + name in wanted:
                    parts.append(pd.DataFrame({
                        "period": sub["period"], "level_key": sub["team"], "n": sub["n"], "s": s,
                        "q": sub["q"] if kind == "mean" else np.nan, "metric": prefix + name, "kind": kind,
                    }))
    c = f["call_test"]
    c = c.assign(period=_month(c["test_date"]))
    c = c[c["team"].notna()]
    passed = c["passed"].astype("float64").to_numpy()
    tt = c["tester_type"]
    ext = c["is_external"].fillna(tt.eq("third_party")).to_numpy(dtype=bool)
    for mid, val, mask, kind in (
        ("call_test_pass_rate", passed, None, "rate"),
        ("qa_call_test_pass_rate", passed, tt.eq("qa").to_numpy(dtype=bool), "rate"),
        ("leadership_call_test_pass_rate", passed, tt.eq("leadership").to_numpy(dtype=bool), "rate"),
        ("external_call_test_pass_rate", passed, ext, "rate"),
        ("third_party_score", c["score"].to_numpy(dtype=float), tt.eq("third_party").to_numpy(dtype=bool), "mean"),
    ):
        if mid in wanted:
            parts.append(_agg(c, keys, val, mask, mid, kind))
    s = f["survey"]
    s = s.assign(period=_month(s["survey_date"]), team=s["team"].fillna(s["agent_id"].map(team_of)))
    s = s[s["team"].notna()]
    sat = s["satisfaction"]
    valid = sat.notna().to_numpy()
    for mid, val, kind in (
        ("satisfaction_rate", np.where(valid, sat.eq("satisfied").to_numpy(dtype=float), np.nan), "rate"),
        ("dissatisfaction_rate", np.where(valid, sat.eq("dissatisfied").to_numpy(dtype=float), np.nan), "rate"),
        ("survey_mean_rating", s["rating_score"].to_numpy(dtype=float), "mean"),
        ("survey_responses", np.where(valid, 1.0, np.nan), "count"),
    ):
        if mid in wanted:
            parts.append(_agg(s, keys, val, None, mid, kind))
    return metrics._finish(parts)


def pandas_center_metrics(f: dict[str, pd.DataFrame], metric_ids: list[str]) -> pd.DataFrame:
    """The center-only (system check) metrics by month, with pandas."""
    sc = f["system_check"]
    sc = sc.assign(period=_month(sc["check_date"]), level_key="center")
    parts = []
    for mid, col, kind in (("system_availability", "availability_pct", "mean"),
                           ("system_incidents", "incidents", "count"),
                           ("system_check_score", "score", "mean")):
        if mid in metric_ids:
            parts.append(_agg(sc, ["period", "level_key"], sc[col].to_numpy(dtype=float), None, mid, kind))
    return metrics._finish(parts)


# --------------------------------------------------------------------------


def timed(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the database here")
    args = ap.parse_args(argv)

    models = indicators.load_models()
    tmp = tempfile.TemporaryDirectory(prefix="qa_bench_")
    db = args.keep or Path(tmp.name) / "bench.duckdb"
    t0 = time.perf_counter()
    if args.keep and db.exists():
        counts = {}
    else:
        counts = build(db, args.scale)
    build_s = time.perf_counter() - t0
    print(f"built {db} in {build_s:.1f} s: {counts}", flush=True)

    con = store.connect(db)
    team = con.execute("SELECT min(team) FROM roster").fetchone()[0]
    tree_of = lambda **kw: indicators.score_tree(con, models, "month", "team", **kw)  # noqa: E731
    agents_of = lambda **kw: indicators.score_tree(con, models, "month", "agent", team=team, **kw)  # noqa: E731

    # straight from the tables
    metrics.drop_rollups(con)
    center_raw_s, tree = timed(lambda: tree_of(rollups=False), args.runs)
    agents_raw_s, atree = timed(lambda: agents_of(rollups=False), args.runs)
    all_ids = metrics.metric_ids(con)
    mt_raw_s, mt = timed(lambda: metrics.metric_table(con, all_ids, "month", "team", rollups=False), args.runs)
    print(f"tables:  score_tree team x month {center_raw_s:.3f} s ({len(tree)} rows); "
          f"agents of {team} {agents_raw_s:.3f} s ({len(atree)} rows); "
          f"metric_table ({len(all_ids)} metrics) {mt_raw_s:.3f} s", flush=True)

    # from this connection's rollups (what the dashboard does between imports)
    t0 = time.perf_counter()
    rollup_rows = metrics.build_rollups(con)
    rollup_build_s = time.perf_counter() - t0
    center_s, tree_r = timed(lambda: tree_of(rollups=True), args.runs)
    agents_s, atree_r = timed(lambda: agents_of(rollups=True), args.runs)
    mt_s, _ = timed(lambda: metrics.metric_table(con, all_ids, "month", "team", rollups=True), args.runs)
    print(f"rollups (built in {rollup_build_s:.2f} s, {rollup_rows}): score_tree team x month {center_s:.3f} s; "
          f"agents {agents_s:.3f} s; metric_table {mt_s:.3f} s", flush=True)
    for a, b in ((tree, tree_r), (atree, atree_r)):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9)

    # pandas: same metric values for the model's metrics, then the same scoring
    model_metrics = sorted({m for v in models.versions for m in v.metric_ids()})
    t0 = time.perf_counter()
    frames = load_frames(con)
    load_s = time.perf_counter() - t0

    def pandas_run():
        team_vals = pandas_metric_table(frames, model_metrics)
        center_vals = pandas_center_metrics(frames, model_metrics)
        return indicators.score_metric_values(team_vals, models, center_values=center_vals)

    pandas_s, ptree = timed(pandas_run, max(1, min(args.runs, 3)))
    frames.clear()  # release the pandas copies before the next step
    # the two implementations must agree
    a = tree.set_index(["period", "level_key", "node_id"])["score"].sort_index()
    b = ptree.set_index(["period", "level_key", "node_id"])["score"].sort_index()
    max_diff = float(np.nanmax(np.abs(a.to_numpy() - b.reindex(a.index).to_numpy())))
    print(f"pandas: {pandas_s:.3f} s (frames loaded in {load_s:.1f} s); max |score diff| = {max_diff:.2e}")
    con.close()
    result = {
        "scale": args.scale,
        "center_by_month_s": round(center_s, 4),
        "team_agents_s": round(agents_s, 4),
        "pandas_over_duckdb": round(pandas_s / center_raw_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "center_by_month_tables_s": round(center_raw_s, 4),
        "team_agents_tables_s": round(agents_raw_s, 4),
        "rollup_build_s": round(rollup_build_s, 3),
        "pandas_s": round(pandas_s, 4),
        "pandas_over_duckdb_rollups": round(pandas_s / center_s, 2),
        "metric_table_all_tables_s": round(mt_raw_s, 4),
        "metric_table_all_rollups_s": round(mt_s, 4),
        "pandas_load_s": round(load_s, 2),
        "build_s": round(build_s, 1),
        "rows": counts,
        "rollup_rows": rollup_rows,
        "max_score_diff": max_diff,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    tmp.cleanup()
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
