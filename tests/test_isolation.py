"""The isolated reader: a child that crashes, starves or hangs is a clean rejection, and the caller goes on.

The bombs of issue 13 run in a fresh Python process each, which reports its
own peak memory and that of its children (the fork server and the readers
it forked, collected by ``isolation.shutdown()``): the whole process tree
must stay under 1 GB while the file is refused with its own code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from qa_analytics.ingest import isolation
from qa_analytics.ingest.limits import ReadLimits
from qa_analytics.ingest.mapping import MappingError
from qa_analytics.ingest.read import RawSheet, ReadError, read_sheet

import hostile

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def test_the_function_runs_in_another_process_unless_switched_off(monkeypatch):
    assert isolation.isolation_enabled()
    assert isolation.run_isolated(hostile.child_pid) != os.getpid()
    monkeypatch.setenv("QA_READ_ISOLATION", "0")
    assert isolation.run_isolated(hostile.child_pid) == os.getpid()


def test_tables_come_back_whole_also_inside_dataclasses():
    sheet, table, batch, extra = isolation.run_isolated(hostile.child_tables, 10_000)
    assert isinstance(sheet, RawSheet) and sheet.name == "数据" and sheet.table.equals(table)
    assert isinstance(batch, pa.RecordBatch) and batch.num_rows == 10_000 and extra == {"n": 10_000}
    assert table.column("c0")[7].as_py() == "000007" and table.column("c1").null_count == 6666
    sheet, table, empty, _ = isolation.run_isolated(hostile.child_tables, 0)
    assert sheet.n_rows == 0 and table.num_rows == 0


def test_what_the_function_raises_is_raised_here():
    from qa_analytics.ingest.mapping import NO_HEADER_IN_SHEET

    with pytest.raises(MappingError, match="no header") as found:
        isolation.run_isolated(hostile.child_raise, MappingError(NO_HEADER_IN_SHEET, sheet="数据"))
    assert found.value.code_name == "no_header_in_sheet" and found.value.params == {"sheet": "数据"}
    from qa_analytics.ingest.read import TOO_MANY_ROWS

    with pytest.raises(ReadError) as err:
        isolation.run_isolated(hostile.child_raise, ReadError(TOO_MANY_ROWS, rows=5, limit=4))
    assert err.value.code_name == "too_many_rows" and err.value.params == {"rows": 5, "limit": 4}
    with pytest.raises(KeyError) as err:  # a bug stays a bug, with where it happened
        isolation.run_isolated(hostile.child_raise, KeyError("oops"))
    assert any("in the isolated reader" in n and "child_raise" in n for n in err.value.__notes__)


def test_a_child_that_aborts_is_a_rejection_and_its_output_stays_quiet(capfd):
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(hostile.child_abort)
    assert err.value.code_name == "reader_crashed" and "SIGABRT" in str(err.value)
    assert "must not see" not in capfd.readouterr().err


def test_a_rust_panic_keeps_its_first_line_and_not_its_backtrace(capfd):
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(hostile.child_rust_style_panic)
    assert err.value.code_name == "reader_crashed"
    assert err.value.params["detail"] == "panic at src/xls.rs:1515:29: range start index 4 out of range"
    out = capfd.readouterr()
    assert "panicked" not in out.err and "backtrace" not in out.err


def test_a_real_calamine_panic_is_a_report_with_nothing_on_stderr(capfd):
    panicky = CORPUS / "calamine-tests" / "ptgexp-truncated-operand.xls"
    if not panicky.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    with pytest.raises(ReadError) as err:
        read_sheet(panicky)
    assert err.value.code_name == "not_a_spreadsheet" and "panicked: range start index" in str(err.value)
    assert "panicked" not in capfd.readouterr().err  # RUST_BACKTRACE=1 here: a backtrace would show


def test_a_child_that_exits_is_a_rejection():
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(hostile.child_exit, 3)
    assert err.value.code_name == "reader_crashed" and "exit code 3" in str(err.value)


@pytest.mark.parametrize("fn", [hostile.child_hang, hostile.child_spin])
def test_a_child_that_hangs_is_stopped_at_its_time_limit(fn):
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(fn, timeout=1.5)
    assert err.value.code_name == "reader_timeout" and err.value.params["seconds"] == 1.5
    assert isolation.run_isolated(hostile.child_pid) > 0  # and the next read works


@pytest.mark.parametrize("fn", [hostile.child_allocate_python, hostile.child_allocate_arrow,
                                hostile.child_allocate_rust])
def test_a_child_that_runs_out_of_its_memory_is_a_rejection(fn):
    """Python's MemoryError, Arrow's, and Rust's abort on a failed allocation."""
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(fn, limits=ReadLimits(memory_base_mb=256))
    assert err.value.code_name == "reader_memory", str(err.value)


def test_the_parent_accepts_only_plain_results():
    """A pickle can name any function; the child handled hostile bytes."""
    with pytest.raises(ReadError) as err:
        isolation.run_isolated(hostile.child_returns_a_function)
    assert err.value.code_name == "reader_crashed" and "system" in str(err.value)


def test_the_caller_s_limits_are_in_force_in_the_child(monkeypatch):
    isolation.run_isolated(hostile.child_pid)  # the fork server already runs with the old environment
    monkeypatch.setenv("QA_MAX_ROWS", "1234")
    limits, cap = isolation.run_isolated(hostile.child_limits)
    assert limits.max_rows == 1234 and cap == ReadLimits().memory_base_mb * 2**20
    limits, _ = isolation.run_isolated(hostile.child_limits, limits=ReadLimits(max_rows=7))
    assert limits.max_rows == 7


def test_the_fork_server_restarts_after_shutdown():
    first = isolation.run_isolated(hostile.child_pid)
    isolation.shutdown()
    assert isolation.run_isolated(hostile.child_pid) != first


# --- the bombs, each in its own process tree ----------------------------------------------------

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from qa_analytics.ingest import isolation
from qa_analytics.ingest.importer import plan_import
from qa_analytics.ingest.read import ReadError
t = time.perf_counter()
try:
    plan_import(Path(sys.argv[1]))
    code = None
except ReadError as exc:
    code = exc.code_name
seconds = time.perf_counter() - t
isolation.shutdown()  # the fork server waits for its children; we wait for it
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({"code": code, "seconds": seconds, "self_mb": mb(resource.RUSAGE_SELF),
                  "children_mb": mb(resource.RUSAGE_CHILDREN)}))
"""

BOMBS = {
    "far_away_cell.xlsx": (hostile.far_away_cell, "sheet_too_large", {}),
    "shared_strings_100MBx1000.xlsx": (hostile.shared_strings_bomb, "zip_bomb", {}),
    "ten_million_rows.xlsx": (hostile.many_rows_bomb, "too_many_rows", {}),
    "four_GB_worksheet.xlsx": (hostile.big_worksheet_bomb, "zip_bomb", {}),
    "dimensions_44TB.xls": (hostile.xls_dimensions_bomb, "reader_memory", {}),
    "480MB.csv": (hostile.big_csv, "too_many_rows", {}),
    # Quoted, its rows are parsed as they come: scaled down to 40 MB and a
    # limit of 500,000 rows (the mechanism, batches of a million cells, is the same).
    "quoted_40MB.csv": (lambda p: hostile.big_csv(p, mb=40, quoted=True), "too_many_rows", {"QA_MAX_ROWS": "500000"}),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_with_its_code_and_the_process_tree_stays_under_1_GB(tmp_path, name):
    build, code, env = BOMBS[name]
    path = build(tmp_path / name)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "RUST_BACKTRACE": "1", **env})
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    print(name, path.stat().st_size, got)
    assert got["code"] == code
    assert got["self_mb"] + got["children_mb"] < 1024, got  # the parent's peak plus the largest child's
    assert "panicked" not in out.stderr and "memory allocation" not in out.stderr, out.stderr[-2000:]


def test_the_import_page_survives_bombs_and_goes_on_importing(browser, server_for, tmp_path):
    """The incident of issue 13: a 2 KB upload killed the Streamlit server."""
    from conftest import monitoring_export, wait_idle

    srv = server_for(tmp_path / "fresh.duckdb")
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    page.goto(f"{srv.url}/import_data?lang=en")
    wait_idle(page)
    far = hostile.far_away_cell(tmp_path / "far.xlsx")
    xls = hostile.xls_dimensions_bomb(tmp_path / "dims.xls")  # no prescan for .xls: the memory cap stops it
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(far), str(xls)])
    wait_idle(page, timeout=90_000)
    assert page.get_by_text("Cannot import", exact=False).count() == 2, srv.output()[-3000:]
    assert srv.proc.poll() is None  # the server is alive
    export = monitoring_export(tmp_path / "质检明细.xlsx", n=5)
    page.goto(f"{srv.url}/import_data?lang=en")
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(export))
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_idle(page)
    assert page.get_by_text("Imported (batch").count() == 1, srv.output()[-3000:]
    assert "panicked" not in srv.output() and "memory allocation" not in srv.output()
    page.close()
