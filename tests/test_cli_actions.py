"""``python -m qa_analytics actions``: the register from the command line, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_improvement_verify import center

from qa_analytics import cli, store

ROOT = Path(__file__).resolve().parent.parent


def call(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_add_list_show_close_reopen(tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    con = store.connect(db)
    center(con, shift=lambda t, a, after: 4.0 if (after and t == "A") else 0.0)
    con.close()
    code, out, _ = call(capsys, db, "actions", "add", "--type", "corrective", "--title", "培训", "--scope", "team",
                        "--scope-value", "A", "--metric", "qa_mean_score", "--opened", "2024-03-31",
                        "--due", "2024-04-30", "--json")
    assert code == 0
    new = json.loads(out)
    assert new["id"] == 1 and new["opened"] == "2024-03-31" and new["metrics"] == ["qa_mean_score"]
    code, out, _ = call(capsys, db, "actions", "add", "--type", "coaching", "--title", "x", "--opened", "2024-03-31")
    assert code == 0 and out.strip() == "2"
    code, out, _ = call(capsys, db, "actions", "list", "--json", "--as-of", "2024-08-01")
    items = json.loads(out)
    assert [(d["id"], d["verdict"], d["overdue"]) for d in items] == [(1, "effective", True), (2, "not_yet", False)]
    assert items[0]["verification"]["metrics"][0]["p_value"] < 0.001
    code, out, _ = call(capsys, db, "actions", "close", "2", "--done", "2024-04-02", "--note", "ok")
    assert code == 0
    code, out, _ = call(capsys, db, "actions", "list", "--status", "open", "--json")
    assert [d["id"] for d in json.loads(out)] == [1]
    code, out, _ = call(capsys, db, "actions", "show", "2", "--json")
    shown = json.loads(out)
    assert [h["change"] for h in shown["history"]] == ["create", "close"] and shown["done"] == "2024-04-02"
    code, out, _ = call(capsys, db, "--lang", "zh", "actions", "show", "1", "--as-of", "2024-08-01")
    assert code == 0 and "有效" in out and "已逾期" in out
    assert call(capsys, db, "actions", "reopen", "2")[0] == 0


def test_refusals_exit_1_in_the_users_language_and_usage_exits_2(tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    code, out, err = call(capsys, db, "--lang", "zh", "actions", "show", "9", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "action_unknown" and "没有编号" in err
    code, _, err = call(capsys, db, "actions", "add", "--type", "nonsense", "--title", "x", "--lang", "en")
    assert code == 1 and "type cannot be" in err
    code, _, err = call(capsys, db, "actions", "add", "--type", "corrective", "--title", "x", "--opened",
                        "2024-05-02", "--due", "2024-05-01")
    assert code == 1
    assert call(capsys, db, "actions", "add", "--title", "x")[0] == 2
    assert call(capsys, db, "actions", "close")[0] == 2
    p = subprocess.run([sys.executable, "-m", "qa_analytics", "--db", str(db), "actions", "add", "--type", "corrective",
                        "--title", "x", "--due", "2024-13-01"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
