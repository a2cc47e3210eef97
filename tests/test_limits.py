"""The reader's limits: one declaration, overridable from the environment, documented in README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_analytics.ingest.limits import ReadLimits, in_force, limit_docs

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_limit_is_documented_in_readme_with_its_default():
    """As datasette asserts of its settings: a limit nobody can find is a bug."""
    text = README.read_text(encoding="utf-8")
    for name, env, default, why in limit_docs():
        shown = f"{default:,}" if isinstance(default, int) else f"{default:g}"
        assert re.search(rf"\| `{env}` \| {re.escape(shown)} \|", text), f"README's table lacks {env} = {shown}"
        assert why, name


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("QA_MAX_ROWS", "1e6")
    monkeypatch.setenv("QA_MAX_ZIP_RATIO", "50.5")
    lim = ReadLimits.from_env()
    assert (lim.max_rows, lim.max_zip_ratio, lim.max_columns) == (1_000_000, 50.5, ReadLimits().max_columns)
    monkeypatch.setenv("QA_MAX_ROWS", "lots")
    with pytest.raises(ValueError, match="QA_MAX_ROWS"):
        ReadLimits.from_env()


def test_limits_in_force_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("QA_MAX_ROWS", "10")
    assert ReadLimits.current().max_rows == 10
    with in_force(ReadLimits(max_rows=20)):
        assert ReadLimits.current().max_rows == 20
    assert ReadLimits.current().max_rows == 10


def test_the_time_limit_grows_with_the_file_up_to_its_maximum():
    lim = ReadLimits()
    assert lim.read_timeout(0) == 20 and lim.read_timeout(40 * 2**20) == 60 and lim.read_timeout(10**12) == 600
