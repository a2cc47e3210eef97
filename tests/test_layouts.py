"""Generated exports of many systems import to exactly the records they were built from (issue 8, item 7).

Each seed is one layout (``tests/exportgen.py``): a system profile, a kind, a format, header wording,
column order, title/note/totals/separator rows and value styles, all seeded.  A new user does not
touch the mapping, so every file is imported with no ``--map`` and no ``--kind``; the report, the
stored rows and items and ``analytics.summary.summary`` must equal the truth computed from the records.

``QA_LAYOUTS`` sets the number of layouts (default 300: every system, kind and format, a few minutes
at most on two cores); ``bench/layout_soak.py`` runs thousands and counts the failure classes.
A failing layout is reproduced with ``python bench/layout_soak.py --seed N --keep DIR``.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from qa_analytics import store
from qa_analytics.ingest.importer import import_file
from qa_analytics.ingest.mapping import CONCEPT_FIELDS, CONCEPTS, normalize_header

from exportgen import (
    EN,
    FORMATS,
    ITEMS_EN,
    ITEMS_ZH,
    SYSTEMS,
    ZH,
    Discrepancy,
    Export,
    check_import,
    check_reimport,
    dup_seeds,
    expected_summary,
    generate,
    plan,
    stored_snapshot,
)

LAYOUTS = int(os.environ.get("QA_LAYOUTS", "300"))
SEEDS = range(LAYOUTS)
DUP_SEEDS = dup_seeds(SEEDS)


def _id(seed: int) -> str:
    system, kind, fmt = plan(seed)
    return f"{seed}-{system}-{kind}-{fmt}"


def _explain(export: Export, problems: list[Discrepancy]) -> str:
    """The layout and one line per failure class (the first instance, and how many there were)."""
    by_class: dict[str, list[Discrepancy]] = {}
    for d in problems:
        by_class.setdefault(d.cls, []).append(d)
    lines = [export.describe(), f"file: {export.path.name}; reproduce: python bench/layout_soak.py --seed {export.seed}"]
    lines += [f"  {cls} (x{len(ds)}): {ds[0].detail}" for cls, ds in by_class.items()]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", SEEDS, ids=_id)
def test_generated_export_imports_to_its_truth(seed: int, tmp_path: Path) -> None:
    export = generate(seed, tmp_path)
    con = store.connect(":memory:")
    try:
        report = import_file(con, export.path)
        problems = check_import(con, export, report)
        if report.status == "imported":
            # The same file again adds nothing.
            before = stored_snapshot(con)
            again = import_file(con, export.path)
            problems += check_reimport(before, stored_snapshot(con), export, again)
    finally:
        con.close()
    assert not problems, _explain(export, problems)


@pytest.mark.parametrize("seed", DUP_SEEDS, ids=_id)
def test_a_row_repeated_in_the_file_is_one_record_and_a_duplicate(seed: int, tmp_path: Path) -> None:
    """The same row twice (same id, same everything; only 序号 moves on) is stored once and counted
    in ``rows_duplicate``, whichever id the layout carries (an eval id or only a contact id)."""
    export = generate(seed, tmp_path, duplicate_row=True)
    assert export.has_id and export.rows_duplicate == 1
    con = store.connect(":memory:")
    try:
        problems = check_import(con, export, import_file(con, export.path))
    finally:
        con.close()
    assert not problems, _explain(export, problems)


MONITORING_SYSTEMS = [name for name, s in SYSTEMS.items() if "monitoring" in s.kinds]


@pytest.mark.parametrize("system", MONITORING_SYSTEMS)
def test_an_agent_name_without_an_agent_id_is_rejected(system: str, tmp_path: Path) -> None:
    """Identity is never guessed from a name: a monitoring export with names but no agent ids is
    rejected whole, with a message, and nothing is stored."""
    for seed in range(3):
        export = generate(seed, tmp_path, system=system, kind="monitoring", name_without_id=True)
        roles = {c.role for c in export.columns}
        assert "agent_name" in roles and "agent_id" not in roles
        con = store.connect(":memory:")
        try:
            report = import_file(con, export.path)
            stored = con.execute("SELECT count(*) FROM monitoring").fetchone()[0]
        finally:
            con.close()
        assert report.status == "rejected" and report.message, export.describe()
        assert "agent_id" in report.message, (report.message, export.describe())
        assert stored == 0


# --- the generator itself -------------------------------------------------------------------


def test_at_least_six_systems_export_the_evaluation_kinds() -> None:
    main = [s for s in SYSTEMS.values() if set(s.kinds) & {"monitoring", "call_test", "survey"}]
    assert len(main) >= 6
    assert {f for s in SYSTEMS.values() for f in s.formats} == set(FORMATS)


def test_the_ci_seeds_cover_every_system_kind_and_format() -> None:
    wanted = {(name, k, f) for name, s in SYSTEMS.items() for k in s.kinds for f in s.formats}
    assert {plan(seed) for seed in SEEDS} == wanted or LAYOUTS < 100


@pytest.mark.parametrize("table", [ZH, EN], ids=["zh", "en"])
def test_aliased_header_wordings_are_aliases_and_beyond_ones_are_not(table: dict) -> None:
    """The generator's 'aliased' wordings are exact aliases of the concept behind the field (so the
    alias tables are what the layouts draw on); its 'beyond' wordings are not (so they test more)."""
    for kind, fields in table.items():
        concept_of = {f: [c for c, f2 in CONCEPT_FIELDS[kind].items() if f2 == f] for f in fields}
        for fld, wording in fields.items():
            aliases = {a for c in CONCEPTS if c.name in concept_of[fld] for a in c.aliases}
            for header in wording.aliased:
                assert normalize_header(header) in aliases, (kind, fld, header)
            every_alias = {a for c in CONCEPTS for a in c.aliases}
            for header in wording.beyond:
                assert normalize_header(header) not in every_alias, (kind, fld, header)


def test_item_names_hold_no_alias_of_a_monitoring_field() -> None:
    """No generated layout is ambiguous by construction: an item header contains no alias of a
    concept that is a monitoring field."""
    fields = set(CONCEPT_FIELDS["monitoring"])
    aliases = [a for c in CONCEPTS if c.name in fields for a in c.aliases if len(a) >= 2]
    for item in ITEMS_ZH + ITEMS_EN:
        h = normalize_header(item)
        assert not [a for a in aliases if a in h], (item, [a for a in aliases if a in h])


def test_generation_is_deterministic(tmp_path: Path) -> None:
    for seed in range(len(SYSTEMS) * 2):
        a = generate(seed, tmp_path / "a")
        b = generate(seed, tmp_path / "b")
        assert (a.describe(), a.rows, a.items, a.summary, a.non_data) == (b.describe(), b.rows, b.items, b.summary,
                                                                          b.non_data)
        if a.fmt == "xlsx":  # the zip holds write times; the cells must be the same
            from openpyxl import load_workbook

            cells = [[[c.value for c in r] for r in ws.iter_rows()] for ws in load_workbook(a.path)]
            assert cells == [[[c.value for c in r] for r in ws.iter_rows()] for ws in load_workbook(b.path)]
        else:
            assert a.path.read_bytes() == b.path.read_bytes()


def test_the_written_file_holds_what_the_truth_says(tmp_path: Path) -> None:
    """A CSV layout read back with the csv module (not the importer): a record's row is where the
    truth says, and full-width free text is in the file as written."""
    for seed in range(200):
        export = generate(seed, tmp_path)
        if export.fmt != "csv_utf8" or export.kind != "monitoring":
            continue
        text = export.path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=export.styles["delimiter"]))
        for excel_row, want in export.rows.items():
            cells = rows[excel_row - 1]
            for j, col in enumerate(export.columns):
                if col.role in ("agent_name", "comments") and want[col.role] is not None:
                    assert cells[j] == want[col.role], (seed, excel_row, col.header)
        return
    pytest.fail("no UTF-8 CSV monitoring layout among the first 200 seeds")


def test_expected_summary_is_the_definition_worked_by_hand() -> None:
    """The summary truth pinned to numbers worked out by hand."""
    mon = [{"agent_id": "007812", "team": "综合一组", "total_score": 95.0, "critical_error": False},
           {"agent_id": "007813", "team": None, "total_score": 80.5, "critical_error": True},
           {"agent_id": "007812", "team": "综合一组", "total_score": 0.0, "critical_error": None}]
    s = expected_summary("monitoring", mon)
    assert (s["agents"], s["teams"], s["monitoring"]["records"]) == (2, 1, 3)
    assert s["monitoring"]["mean_score"] == 175.5 / 3  # 58.5
    assert s["monitoring"]["critical_error_rate"] == 0.5  # 1 of the 2 known
    assert s["call_test"] == {"records": 0, "pass_rate": None, "mean_score": None}
    sv = [{"agent_id": None, "team": None, "satisfaction": x} for x in ("satisfied", "neutral", None, "satisfied")]
    s = expected_summary("survey", sv)
    assert s["survey"] == {"records": 4, "responses": 3, "satisfaction_rate": 2 / 3}
    assert (s["agents"], s["teams"]) == (0, 0)
