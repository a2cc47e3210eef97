"""The QA-staff review and the compliance calendar in a real browser, both
languages: they render without error, the planted lenient evaluator and the
missing periods are on screen, and a screenshot of each is kept in
test-artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import screenshot, wait_idle

from qa_analytics.demo import demo_facts

FACTS = demo_facts(6, dt.date(2026, 6, 30))


@pytest.fixture
def demo_server(server_for, demo_db_path, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    return server_for(db)


def _charts_drawn(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(el => el.querySelector('.main-svg'))",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def _open(browser, server, path: str):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    # the app's entry point first: it sets up the navigation the page runs in
    page.goto(f"{server.url}/?{path.split('?')[1]}")
    wait_idle(page)
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    _charts_drawn(page)  # charts draw after the script run
    assert page.locator("[data-testid='stException']").count() == 0, server.output()[-3000:]
    return page


def _full_screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport to fit it."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppScrollToBottomContainer\"], section.main')].map(e => e.scrollHeight), 900)"
    )
    page.set_viewport_size({"width": 1440, "height": int(height) + 40})
    page.wait_for_timeout(800)
    _charts_drawn(page)
    screenshot(page, name)


@pytest.mark.parametrize("lang, lenient_word", [("zh", "偏松"), ("en", "lenient")])
def test_evaluators_page_in_browser(browser, demo_server, lang, lenient_word):
    page = _open(browser, demo_server, f"evaluators?lang={lang}")
    name = FACTS["lenient_evaluator"]
    alert = page.locator("[data-testid='stAlert']").first.inner_text()
    assert name in alert and lenient_word in alert
    # the leniency chart labels the evaluator too
    assert page.locator("[data-testid='stPlotlyChart'] text", has_text=lenient_word).count() >= 1
    _full_screenshot(page, f"page_evaluators_{lang}")
    page.close()


@pytest.mark.parametrize("lang, missing_word, no_data", [("zh", "缺漏", "暂无数据"), ("en", "Missing", "no data yet")])
def test_compliance_page_in_browser(browser, demo_server, lang, missing_word, no_data):
    page = _open(browser, demo_server, f"compliance?lang={lang}")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert missing_word in text
    assert no_data in text
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 3
    _full_screenshot(page, f"page_compliance_{lang}")
    page.close()
