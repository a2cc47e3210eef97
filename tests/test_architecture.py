"""The layout of docs/ARCHITECTURE.md, checked: import contracts and what pages may hold.

Why tests and not only a lint step: `make test` is the one command CI and a
newcomer run, and a layering mistake should fail there like any other bug.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")])


def test_import_contracts_hold():
    """pyproject.toml's import-linter contracts: no Streamlit in the library,
    layers flowing one way, ingest apart from analytics, views for the UI only."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("import-linter is not installed (requirements-dev.txt)")
    run = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "broken" not in run.stdout.lower().replace("0 broken", ""), run.stdout[-4000:]


# SQL keywords as they start a statement or clause; data text in pages is never SQL.
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH)\b\s+[\w*(]+.*\b(FROM|INTO|SET|TABLE|AS)\b")


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_hold_no_sql_and_call_the_library_by_reference(path):
    """Pages read filters, call typed library functions, draw: no SQL, no
    connection used directly, no function addressed by a string, no statistics
    packages (the numbers come from ``qa_analytics``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            problems.append(f"line {node.lineno}: SQL in a string: {node.value[:60]!r}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("execute", "sql"):
            problems.append(f"line {node.lineno}: .{node.func.attr}() runs SQL")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "call" and node.args \
                and isinstance(node.args[0], (ast.Constant, ast.BinOp, ast.JoinedStr)):
            problems.append(f"line {node.lineno}: call() given a string, not the function")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                banned = ("duckdb", "scipy", "statsmodels") + (("importlib",) if path.parent.name == "pages" else ())
                if name.split(".")[0] in banned:
                    problems.append(f"line {node.lineno}: imports {name}")
    assert problems == [], problems
