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
        {"sheet": "数据", "row": 5, "column": "员工工号", "value": None, "message": "required value is missing"}
    ]
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
