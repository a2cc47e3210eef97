"""Shared fixtures: an in-memory store and writers for messy export files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from qa_analytics import store
from tools.browser import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, wait_idle  # noqa: F401  (used by tests)


@pytest.fixture
def con():
    c = store.connect(":memory:")
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path, monkeypatch):
    """No test ever touches the real data/qa.duckdb."""
    monkeypatch.setenv("QA_DB", str(tmp_path / "qa.duckdb"))


def write_xlsx(path: Path, rows: list[list[Any]], merges: list[str] = (), sheet: str = "数据",
               extra_sheets: dict[str, list[list[Any]]] | None = None, first: str | None = None) -> Path:
    """An .xlsx export; strings stay strings (``=SUM(A1)`` is text, as an
    export would hold it), datetimes become Excel dates."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    sheets = {}
    if first:
        ws.title = first
        ws.append(["这是说明页", "请勿修改"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    sheets[sheet] = (ws, rows)
    for name, extra in (extra_sheets or {}).items():
        sheets[name] = (wb.create_sheet(name), extra)
    for ws_, rows_ in sheets.values():
        for r, row in enumerate(rows_, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws_.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    for m in merges:
        sheets[sheet][0].merge_cells(m)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list[Any]], sheet: str = "数据") -> Path:
    """A legacy BIFF8 .xls export."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


MONITORING_HEADER_TOP = ["质检编号", "员工工号", "坐席姓名", "质检日期", "质检员", "总分", "扣分项", None, None,
                         "致命差错", "申诉状态", "备注"]
MONITORING_HEADER_SUB = [None, None, None, None, None, None, "开场白", "服务态度", "业务准确性", None, None, None]


def monitoring_rows(n: int = 5, start: int = 1, score_shift: float = 0.0) -> list[list[Any]]:
    """Data rows under the two-row header above, with the quirks exports have."""
    rows = []
    date_forms = [dt.datetime(2026, 1, 5), "2026/1/6", "2026年1月7日", "20260108", "2026-01-09 10:30:00"]
    id_forms = ["007812", "００７８１３", "007814 ", " 007815", "007816"]
    for i in range(start, start + n):
        k = (i - 1) % 5
        ded = [-(i % 3), -1 if i % 2 else 0, -(i % 4)]
        score = 100 + sum(ded) + score_shift
        rows.append([
            f"QM{i:05d}", id_forms[k], f"坐席{k}", date_forms[k], "李质检" if i % 2 else "王质检",
            f"{score:g}分" if k == 1 else score, ded[0], ded[1] if k != 2 else "N/A", ded[2],
            ["否", "N", "×", "0", "不合格"][k] if k != 4 else "否", "无", "=SUM(A1)" if k == 3 else None,
        ])
    return rows


def monitoring_export(path: Path, n: int = 5, **kw) -> Path:
    rows = [["2026年1月 录音质检明细"], [], MONITORING_HEADER_TOP, MONITORING_HEADER_SUB]
    rows += monitoring_rows(n, **kw)
    rows += [[None] * 12, ["合计", None, None, None, None, 480]]
    return write_xlsx(path, rows, merges=["G3:I3", "A3:A4", "B3:B4"])


# --- real browser harness -------------------------------------------------------------------
# The server runs the real app (`streamlit run`) on a free port against a
# database the test chooses; Playwright drives Debian's Chromium.  When a test
# fails, the server's own output is printed (a habit taken from datasette).

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def browser_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright; skipped only where no Chromium
    exists, and never in CI (CI installs it: a missing browser there fails)."""
    if not browser_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install it (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A small demo database shared by the browser tests (copy it to write)."""
    import datetime as dt

    from qa_analytics.demo.load import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = store.connect(path)
    load_demo(con, months=6, seed=3, end=dt.date(2026, 6, 30))
    con.close()
    return path


@pytest.fixture
def server_for(tmp_path, request):
    """``server_for(db_path)`` starts the app on that database; stopped after the test."""
    started: list[StreamlitServer] = []

    def start(db: Path) -> StreamlitServer:
        srv = StreamlitServer(db, tmp_path / f"streamlit{len(started)}.log")
        started.append(srv)
        return srv

    yield start
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for srv in started:
        if failed:
            print(f"\n--- streamlit output ({srv.url}) ---\n{srv.output()[-5000:]}")
        srv.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


@pytest.fixture
def demo_server(server_for, demo_db_path, tmp_path):
    """The app on a private copy of the demo database."""
    import shutil

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    return server_for(db)


def charts_drawn(page) -> None:
    """Wait until every Plotly chart on the page has drawn (they draw after the script run)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(el => el.querySelector('.main-svg'))",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def open_page(browser, server, path: str):
    """A new browser tab on ``path`` (e.g. ``"overview?lang=en"``), drawn, with no exception shown."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server.url}/{path}")
    # On a fresh server a direct link is handed over to app.py first (ui/page.py):
    # the script is briefly idle with nothing drawn. The page's own title shows
    # it has really run; then wait for that run and its charts to finish.
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    wait_idle(page)
    charts_drawn(page)  # charts draw after the script run
    assert page.locator("[data-testid='stException']").count() == 0, server.output()[-3000:]
    return page


def full_screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport to fit it."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppScrollToBottomContainer\"], section.main')].map(e => e.scrollHeight), 900)"
    )
    page.set_viewport_size({"width": 1440, "height": int(height) + 40})
    page.wait_for_timeout(800)
    charts_drawn(page)
    screenshot(page, name)


def wait_count(page, selector: str, at_least: int = 1, has_text: str | None = None, timeout: float = 30.0) -> int:
    """Wait until ``selector`` matches at least ``at_least`` elements (charts may
    draw a moment after the script run); returns the count, asserting on timeout."""
    import time

    locator = page.locator(selector, has_text=has_text) if has_text else page.locator(selector)
    deadline = time.monotonic() + timeout
    while True:
        n = locator.count()
        if n >= at_least or time.monotonic() > deadline:
            assert n >= at_least, f"{selector!r} (text {has_text!r}): {n} < {at_least}"
            return n
        page.wait_for_timeout(200)


def app_page(page: str, lang: str = "zh", timeout: float = 90, **params):
    """``AppTest`` of the app opened on ``page`` (e.g. ``"pages/overview.py"``)
    with these URL parameters, against the database in ``$QA_DB``; asserts the
    page ran without exception.  (AppTest cannot open a page directly: the app
    runs first, then switches, as a user's browser would.)"""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    for k, v in params.items():  # the first run may have rewritten the URL
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def exported_database(path: Path, fixture: str) -> Path:
    """A database as an earlier release wrote it: that release's DDL and rows,
    exported with ``EXPORT DATABASE`` into ``tests/fixtures/<fixture>``
    (``db_v1``: release 0.1; ``db_v3``: schema version 3), loaded into ``path``."""
    import duckdb

    src = Path(__file__).resolve().parent / "fixtures" / fixture
    con = duckdb.connect(str(path))
    con.execute((src / "schema.sql").read_text())
    con.execute((src / "load.sql").read_text().replace("@DIR@", str(src)))
    con.close()
    return path


_ROW_KEYS = iter(range(1, 10**9))


def insert_rows(con, table: str, rows: list[dict]) -> list[str]:
    """INSERT test rows (dicts of columns) into ``table`` with the bookkeeping
    columns the DDL requires filled in (record_key, row_hash, batches, and
    the superseded_* columns of history tables); returns the record keys."""
    import datetime as _dt

    keys, recs = [], []
    for r in rows:
        rec = dict(r)
        rec.setdefault("record_key", f"k{next(_ROW_KEYS)}")
        if not table.startswith("monitoring_item"):
            rec.setdefault("row_hash", "h")
            rec.setdefault("created_batch", 1)
        rec.setdefault("batch_id", 1)
        if table.endswith("_history"):
            rec.setdefault("superseded_by", 2)
            if table != "monitoring_item_history":
                rec.setdefault("superseded_at", _dt.datetime(2024, 7, 1))
        keys.append(rec["record_key"])
        recs.append(rec)
    by_columns: dict[tuple[str, ...], list[dict]] = {}
    for rec in recs:
        by_columns.setdefault(tuple(rec), []).append(rec)
    for columns, group in by_columns.items():
        cols = ", ".join(columns)
        if len(group) > 50:  # a generated center: one INSERT through Arrow, not one per row
            import pyarrow as pa

            try:
                batch = pa.Table.from_pylist(group)  # noqa: F841 - read by DuckDB's replacement scan
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                batch = None
            if batch is not None:
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM batch")
                continue
        for rec in group:
            con.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(rec))})", list(rec.values()))
    return keys
