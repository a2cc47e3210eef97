"""Page benchmark: every dashboard page loaded in a real browser.

For each page, on the demo database and on a large one (1,000,000
evaluations and 10,000,000 survey rows at ``--scale 1``):

* ``script_s``: the page's script run alone (``AppTest``, no browser): the
  "bare" time of its queries and chart building; target < 1 s on the demo;
* ``page_s``: seconds from clicking the page in the sidebar until it is fully
  drawn in Chromium (script run over, every Plotly chart on screen), as a
  user moves between pages; targets 2 s on the demo and 3 s on the large
  data.  The median of ``--repeat`` visits after a first one (the dashboard
  caches queries per data version); ``first_page_s`` is that first, cold visit;
* ``after_import_s`` (the first page, on the large data): its first visit after an
  import through the command line (handed to the running dashboard; undone after);
* ``reload_s``: the same page opened by its URL (a full browser load of the
  app's front end, as from a bookmark).

Figures are absolute seconds beside their in-run baseline (``script_s``),
because the machines are shared and noisy.  The last line is one JSON object:
``{"demo": {page: {...}}, "large": {page: {...}}, "server_peak_rss_mb": {...}}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.browser import CHROMIUM, CHROMIUM_ARGS, IDLE, StreamlitServer  # noqa: E402

PAGES = ["overview", "drilldown", "eval_types", "control_charts", "indicators", "evaluators", "compliance", "import_data",
         "data_status"]


def page_files() -> dict[str, str]:
    from app import PAGES as SPECS

    return {spec[3]: spec[0] for spec in SPECS if (ROOT / spec[0]).exists()}


def script_time(db: Path, page_file: str) -> float:
    """One warm AppTest run of the page (after a first run fills the caches)."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["QA_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page(page_file).run()
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


def _drawn(page) -> None:
    page.wait_for_selector(IDLE, timeout=600_000)
    # fully drawn: every Plotly chart has its main SVG
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p.querySelector('.main-svg'))",
        timeout=600_000,
    )


def reload_time(page, url: str) -> float:
    t0 = time.perf_counter()
    page.goto(url)
    _drawn(page)
    return time.perf_counter() - t0


def _nav_link(page, name: str):
    """The sidebar link of page ``name`` (the default page's link is "/", so by position)."""
    order = list(page_files())
    return page.locator("[data-testid='stSidebarNavLink']").nth(order.index(name))


def _at(page, name: str) -> None:
    """Wait until the browser shows page ``name`` (the default page is the root)."""
    default = list(page_files())[0]
    path = "" if name == default else name
    page.wait_for_url(lambda url: url.split("?")[0].rstrip("/").endswith(f"/{path}".rstrip("/"))
                      if path else url.split("?")[0].count("/") == 3, timeout=600_000)


def navigate_time(page, name: str, away: str) -> float:
    """Click ``name`` in the sidebar (from page ``away``) until it is drawn."""
    _nav_link(page, away).click()
    _at(page, away)
    _drawn(page)
    page.wait_for_timeout(300)
    t0 = time.perf_counter()
    _nav_link(page, name).click()
    _at(page, name)
    _drawn(page)
    return time.perf_counter() - t0


def _cli(db: Path, *argv: str) -> Any:
    """The command line against ``db`` (handed to the running dashboard), its JSON report."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "qa_analytics", "--db", str(db), *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr[-500:]}")
    return json.loads(done.stdout)


def after_import_time(page, db: Path, export: Path) -> float:
    """The Overview's first visit after an import: the command line imports
    ``export`` into the served database (new rows in the period the page
    shows, so every cached figure is stale), then the page is opened; the
    import is undone afterwards, leaving a kept database as it was."""
    report = _cli(db, "import", str(export), "--json")
    (imported,) = report
    if imported["status"] != "imported":
        raise RuntimeError(f"the import was {imported['status']}: {imported['message']}")
    batch = imported["batch_id"]
    try:
        return navigate_time(page, list(page_files())[0], "data_status")
    finally:
        _cli(db, "undo", str(batch))


def measure(db: Path, label: str, repeat: int, workdir: Path,
            export: Path | None = None) -> tuple[dict, float]:
    from playwright.sync_api import sync_playwright

    files = page_files()
    results: dict[str, dict] = {}
    server = StreamlitServer(db, workdir / f"streamlit_{label}.log", timeout=120)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{server.url}/data_status?lang=zh")
            _drawn(page)
            for name in PAGES:
                if name not in files:
                    continue
                away = "data_status" if name != "data_status" else "import_data"
                first = navigate_time(page, name, away)
                times = [navigate_time(page, name, away) for _ in range(repeat)]
                path = "" if name == list(files)[0] else name  # the default page lives at the root
                reload = reload_time(page, f"{server.url}/{path}?lang=zh")
                results[name] = {"first_page_s": round(first, 3), "page_s": round(statistics.median(times), 3),
                                 "reload_s": round(reload, 3)}
                print(f"[{label}] {name:11s} first {first:6.2f} s   warm {statistics.median(times):6.2f} s   "
                      f"reload {reload:6.2f} s", flush=True)
            if export is not None:
                first = list(files)[0]
                results[first]["after_import_s"] = round(after_import_time(page, db, export), 3)
                print(f"[{label}] {first:11s} first visit after an import "
                      f"{results[first]['after_import_s']:6.2f} s", flush=True)
            browser.close()
        rss = server.peak_rss_mb()
    finally:
        server.stop()
    for name, file in files.items():
        if name in results:
            results[name]["script_s"] = round(script_time(db, file), 3)
            print(f"[{label}] {name:11s} script {results[name]['script_s']:6.2f} s", flush=True)
    return results, rss


def _rollups_in_step(db: Path) -> None:
    """A kept database built before the rollups were: build them, as its
    imports would have (else every page reads the records themselves)."""
    from qa_analytics import store
    from qa_analytics.store import rollups

    con = store.connect(db)
    try:
        if not rollups.is_fresh(con):
            con.execute("BEGIN TRANSACTION")
            rollups.rebuild(con)
            con.execute("COMMIT")
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="large database size (1.0 = 1M evaluations, 10M surveys)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--keep", type=Path, help="build (or reuse) the large database here")
    args = ap.parse_args()
    from qa_analytics import store
    from qa_analytics.demo.load import load_demo

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = work / "demo.duckdb"
        con = store.connect(demo)
        load_demo(con, months=18, seed=7, end=dt.date(2026, 10, 31))
        con.close()
        out: dict = {}
        out["demo"], rss_demo = measure(demo, "demo", args.repeat, work)
        rss = {"demo": round(rss_demo)}
        if not args.skip_large:
            from bench.analytics_bench import build

            large = args.keep or work / "large.duckdb"
            if not large.exists():
                t0 = time.perf_counter()
                build(large, args.scale, with_rollups=True)
                print(f"built the large database in {time.perf_counter() - t0:.0f} s", flush=True)
            _rollups_in_step(large)
            from bench.import_bench import make_export

            # 2,000 evaluations in the large database's last half-year: the Overview's default period
            export = make_export(work / "new_evaluations.xlsx", 2000, start=dt.date(2025, 7, 1))
            out["large"], rss_large = measure(large, "large", args.repeat, work, export=export)
            rss["large"] = round(rss_large)
        out["server_peak_rss_mb"] = rss
        out["scale"] = args.scale
        print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
