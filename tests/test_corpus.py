"""Every real-world file in ../shared/corpus is imported or cleanly rejected, with nothing on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_analytics.ingest.importer import import_file

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md") if CORPUS.exists() else []


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_imports_or_is_cleanly_rejected(con, path, tmp_path, capfd):
    rep = import_file(con, path, skip_invalid=False, rejects_dir=tmp_path)
    assert rep.status in ("imported", "rejected")
    if rep.status == "rejected":
        assert rep.message, "a rejection must say why"
        assert rep.code and rep.errors and all(e["code"] for e in rep.errors), "scripts read the codes"
    err = capfd.readouterr().err  # a reader's panic or abort must not reach the terminal (RUST_BACKTRACE=1 here)
    assert "panicked" not in err and "memory allocation" not in err and "Traceback" not in err, err[-2000:]


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
def test_public_call_center_data_imports_as_surveys(con, tmp_path):
    folder = CORPUS / "public-call-center"
    for f in sorted(folder.iterdir()):
        rep = import_file(con, f, skip_invalid=True, rejects_dir=tmp_path)
        assert rep.status == "imported" and rep.kind == "survey", (f.name, rep.message, rep.errors[:3])
        assert (rep.rows_imported, rep.rows_rejected) == (5000, 0), f.name
        assert rep.mapping["Satisfaction rating"] == "rating"
        assert "customer_name" not in rep.mapping  # the customer is not the agent
        # agents are known by first name only: imported, and the report says so
        assert [w["code"] for w in rep.warnings] == ["agent_ids_are_names"], rep.warnings
    rate = con.execute(
        "SELECT avg(CASE WHEN satisfaction = 'satisfied' THEN 1.0 ELSE 0 END) FROM survey WHERE satisfaction IS NOT NULL"
    ).fetchone()[0]
    assert 0.2 < rate < 0.8
