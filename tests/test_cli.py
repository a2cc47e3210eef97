"""The command line is a contract: JSON shapes and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import MONITORING_HEADER_SUB, MONITORING_HEADER_TOP, monitoring_export, monitoring_rows, write_xlsx

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_analytics", "--db", str(db), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_import_json_report_and_exit_codes(tmp_path):
    db = tmp_path / "t.duckdb"
    good = monitoring_export(tmp_path / "good.xlsx", n=5)
    rows = [MONITORING_HEADER_TOP, MONITORING_HEADER_SUB] + monitoring_rows(2)
    rows.append(["QM9", None, "x", "2026-01-05", "李", 50, 0, 0, 0, "否", None, None])
    bad = write_xlsx(tmp_path / "bad.xlsx", rows, merges=["G1:I1"])
    p = run("import", str(good), str(bad), "--json", db=db)
    assert p.returncode == 1, p.stderr
    reports = json.loads(p.stdout)
    assert [r["file"] for r in reports] == ["good.xlsx", "bad.xlsx"]
    for key in ("file", "kind", "rows_read", "rows_imported", "rows_updated", "rows_duplicate",
                "rows_rejected", "errors"):
        assert key in reports[0]
    assert reports[0]["rows_imported"] == 5 and reports[1]["rows_imported"] == 0
    assert reports[1]["errors"] == [
        {"sheet": "数据", "row": 5, "column": "员工工号", "value": None, "code": "missing", "field": "agent_id",
         "params": {}, "message": "required value is missing"}
    ]
    assert reports[1]["code"] == "rows_invalid" and reports[1]["status"] == "rejected"
    assert "Traceback" not in p.stderr
    p = run("import", str(bad), "--skip-invalid", "--json", "--rejects-dir", str(tmp_path / "rej"), db=db)
    assert p.returncode == 0
    assert json.loads(p.stdout)[0]["rows_rejected"] == 1


def test_usage_errors_exit_2(tmp_path):
    db = tmp_path / "t.duckdb"
    assert run("import", db=db).returncode == 2
    assert run("import", "x.xlsx", "--kind", "nonsense", db=db).returncode == 2
    assert run("summary", "--from", "2026-13-01", db=db).returncode == 2
    assert run("import", "x.xlsx", "--map", "no-equals-sign", db=db).returncode == 2
    assert run("frobnicate", db=db).returncode == 2


def test_missing_file_is_a_clean_rejection(tmp_path):
    p = run("import", str(tmp_path / "nope.xlsx"), db=tmp_path / "t.duckdb")
    assert p.returncode == 1 and "file not found" in p.stdout and "Traceback" not in p.stderr


def test_summary_batches_and_undo(tmp_path):
    db = tmp_path / "t.duckdb"
    run("import", str(monitoring_export(tmp_path / "a.xlsx", n=5)), db=db)
    s = json.loads(run("summary", "--from", "2026-01-06", "--to", "2026-01-08", db=db).stdout)
    assert s["period"] == {"from": "2026-01-06", "to": "2026-01-08"}
    assert s["monitoring"]["records"] == 3  # both ends inclusive
    assert set(s) >= {"agents", "teams", "monitoring", "call_test", "survey"}
    assert set(s["monitoring"]) >= {"records", "mean_score", "critical_error_rate"}
    assert set(s["call_test"]) >= {"records", "pass_rate", "mean_score"}
    assert set(s["survey"]) >= {"records", "satisfaction_rate"}
    assert s["agents"] == 3
    batches = json.loads(run("batches", db=db).stdout)
    assert len(batches) == 1 and batches[0]["rows_imported"] == 5
    p = run("undo", str(batches[0]["batch_id"]), db=db)
    assert p.returncode == 0 and json.loads(p.stdout)["removed"] == 5
    assert run("undo", str(batches[0]["batch_id"]), db=db).returncode == 1
    assert json.loads(run("summary", db=db).stdout)["monitoring"]["records"] == 0


def run_env(*args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "qa_analytics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_db_and_lang_before_or_after_the_command(tmp_path):
    db = tmp_path / "t.duckdb"
    f = monitoring_export(tmp_path / "a.xlsx", n=3)
    p = run_env("import", str(f), "--db", str(db), "--json")
    assert p.returncode == 0, p.stderr
    s = json.loads(run_env("summary", "--db", str(db)).stdout)
    assert s["monitoring"]["records"] == 3
    p = run_env("--lang", "zh", "import", str(tmp_path / "nope.xlsx"), "--db", str(db))
    assert p.returncode == 1 and "已拒绝，未导入任何数据" in p.stdout
    p = run_env("import", str(tmp_path / "nope.xlsx"), "--db", str(db), "--lang", "en", "--json")
    (rep,) = json.loads(p.stdout)
    assert rep["errors"][0]["code"] == rep["code"] and rep["errors"][0]["row"] is None


def test_summary_keeps_full_precision(tmp_path):
    db = tmp_path / "t.duckdb"
    rows = [["质检编号", "工号", "质检日期", "总分"]] + [
        [f"Q{i}", "001", "2026-01-05", s] for i, s in enumerate([95.2117, 90.1, 99.9], 1)]
    run("import", str(write_xlsx(tmp_path / "m.xlsx", rows)), db=db)
    s = json.loads(run("summary", db=db).stdout)
    assert s["monitoring"]["mean_score"] == (95.2117 + 90.1 + 99.9) / 3  # not rounded to 2 places


def test_wrong_map_values_are_usage_errors_that_list_the_fields(tmp_path):
    db = tmp_path / "t.duckdb"
    f = monitoring_export(tmp_path / "a.xlsx", n=2)
    p = run("import", str(f), "--map", "总分=totl_score", db=db)
    assert p.returncode == 2 and "total_score" in p.stderr and "critical_error" in p.stderr
    p = run("import", str(f), "--kind", "survey", "--map", "总分=total_score", db=db)
    assert p.returncode == 2 and "not a field of survey" in p.stderr and "rating" in p.stderr
    help_text = run("import", "--help", db=db).stdout
    assert "critical_error" in help_text and "availability_pct" in help_text


def test_a_busy_database_has_its_own_exit_code(tmp_path):
    from test_store import _hold

    db = tmp_path / "t.duckdb"
    run("summary", db=db)
    holder = _hold(db, 60)
    try:
        p = run_env("--db", str(db), "summary", env={"QA_LOCK_TIMEOUT": "1"})
        assert p.returncode == 3, (p.returncode, p.stderr)
        assert "in use by another program" in p.stderr and "Traceback" not in p.stderr
        p = run_env("--db", str(db), "import", str(monitoring_export(tmp_path / "a.xlsx", n=2)), "--json",
                    env={"QA_LOCK_TIMEOUT": "1"})
        assert p.returncode == 3 and json.loads(p.stdout)["error"]["code"] == "db_busy"
    finally:
        holder.kill()
        holder.wait()


def test_two_imports_at_once_wait_their_turn(tmp_path):
    db = tmp_path / "t.duckdb"
    run("summary", db=db)
    files = [monitoring_export(tmp_path / f"m{i}.xlsx", n=200, start=1 + 1000 * i) for i in range(3)]
    procs = [subprocess.Popen([sys.executable, "-m", "qa_analytics", "--db", str(db), "import", str(f), "--json"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [r[1][-300:] for r in results]
    s = json.loads(run("summary", db=db).stdout)
    assert s["monitoring"]["records"] == 600
    assert len(json.loads(run("batches", db=db).stdout)) == 3


SERVE = """
import sys, time
sys.path.insert(0, {root!r})
from qa_analytics import service, store
con = store.connect(sys.argv[1])          # holds the file, as the dashboard does
assert service.serve(sys.argv[1])
print("serving", flush=True)
while True:
    time.sleep(0.2)
    print(store.data_version(con), flush=True)
"""


def test_commands_run_beside_a_process_that_serves_the_database(tmp_path):
    db = tmp_path / "t.duckdb"
    server = subprocess.Popen([sys.executable, "-c", SERVE.format(root=str(ROOT)), str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "serving", server.stderr.read()
        f = monitoring_export(tmp_path / "a.xlsx", n=4)
        p = run_env("import", str(f), "--db", str(db), "--json", env={"QA_USER": "analyst7"})
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)[0]["rows_imported"] == 4
        s = json.loads(run("summary", db=db).stdout)
        assert s["monitoring"]["records"] == 4
        (batch,) = json.loads(run("batches", db=db).stdout)
        assert batch["imported_by"] == "analyst7"  # the caller, not the server's account
        # the serving process sees the new data on its own connection
        seen = 0
        for _ in range(200):
            seen = int(server.stdout.readline())
            if seen >= 1:
                break
        assert seen >= 1
        # and a rejected file through the server is still a report with exit 1
        p = run("import", str(tmp_path / "nope.xlsx"), "--json", db=db)
        assert p.returncode == 1 and json.loads(p.stdout)[0]["errors"][0]["code"]
    finally:
        server.kill()
        server.wait()


def test_saved_mappings_from_the_command_line(tmp_path):
    db = tmp_path / "t.duckdb"
    rows = [["单号", "人员代码", "日子", "分值"], ["A1", "0001", "2026-01-05", "90"]]
    f = write_xlsx(tmp_path / "odd.xlsx", rows)
    p = run("import", str(f), "--kind", "monitoring", "--map", "单号=eval_id", "--map", "人员代码=agent_id",
            "--map", "日子=eval_date", "--map", "分值=total_score", "--json", db=db)
    assert p.returncode == 0, p.stderr
    (m,) = json.loads(run("mappings", "list", "--json", db=db).stdout)
    assert m["columns"]["人员代码"] == "agent_id"
    rows2 = [["单号", "人员代码", "日子", "分值"], ["A2", "0002", "2026-01-06", "80"]]
    p = run("import", str(write_xlsx(tmp_path / "odd2.xlsx", rows2)), "--json", db=db)
    assert p.returncode == 0 and json.loads(p.stdout)[0]["saved_mapping_id"] == m["mapping_id"]
    p = run("mappings", "set", str(m["mapping_id"]), "--label", "自建系统", db=db)
    assert p.returncode == 0 and json.loads(p.stdout)["label"] == "自建系统"
    assert run("mappings", "set", str(m["mapping_id"]), "--map", "分值=rating", db=db).returncode == 2
    assert run("mappings", "delete", str(m["mapping_id"]), db=db).returncode == 0
    assert run("mappings", "show", str(m["mapping_id"]), db=db).returncode == 1
