"""The QA-staff review and the compliance calendar in a real browser, both
languages: they render without error, the planted lenient evaluator and the
missing periods are on screen, and a screenshot of each is kept in
test-artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from qa_analytics.demo.generate import demo_facts

from conftest import full_screenshot, open_page, wait_count

FACTS = demo_facts(6, dt.date(2026, 6, 30))


@pytest.mark.parametrize("lang, lenient_word", [("zh", "偏松"), ("en", "lenient")])
def test_evaluators_page_in_browser(browser, demo_server, lang, lenient_word):
    page = open_page(browser, demo_server, f"evaluators?lang={lang}")
    name = FACTS["lenient_evaluator"]
    alert = page.locator("[data-testid='stMain'] [data-testid='stAlert']").first.inner_text()
    assert name in alert and lenient_word in alert
    # the leniency chart labels the evaluator too
    # (charts below the fold may draw a moment later: wait for the label, don't count once)
    page.locator("[data-testid='stPlotlyChart'] text", has_text=lenient_word).first.wait_for(
        state="attached", timeout=30_000)
    full_screenshot(page, f"page_evaluators_{lang}")
    page.close()


@pytest.mark.parametrize("lang, missing_word, no_data", [("zh", "缺漏", "暂无数据"), ("en", "Missing", "no data yet")])
def test_compliance_page_in_browser(browser, demo_server, lang, missing_word, no_data):
    page = open_page(browser, demo_server, f"compliance?lang={lang}")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert missing_word in text
    assert no_data in text
    wait_count(page, "[data-testid='stPlotlyChart']", 3)
    full_screenshot(page, f"page_compliance_{lang}")
    page.close()
