"""The Control charts page (and its companion, Evaluation types) in a real
browser, both languages: the chart draws with its limits, the demo's planted
signals are written under it, and full-page screenshots are kept in
test-artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from qa_analytics.demo.generate import demo_facts

from conftest import full_screenshot, open_page, wait_count

FACTS = demo_facts(6, dt.date(2026, 6, 30))


CASES = {  # lang: (trouble week, its words, the lower limit's name, the training run, leniency)
    "zh": ("2026年第17周", "低于下控制限", "下控制限", "连续9点落在中心线上方", "偏松"),
    "en": ("W17 2026", "below the lower control limit", "Lower limit", "9 points in a row above the center line",
           "too lenient"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_control_chart_and_eval_types_pages(browser, demo_server, lang):
    week, words, limit, run, lenient = CASES[lang]
    sep = "：" if lang == "zh" else ": "
    # the trouble week: satisfaction by week, one point below the lower limit, said in words
    page = open_page(browser, demo_server, f"control_charts?lang={lang}&cc_metric=satisfaction_rate&grain=week")
    assert f"{week}{sep}{words}" in page.locator("[data-testid='stMain']").inner_text()
    wait_count(page, "[data-testid='stPlotlyChart'] text", 1, has_text=limit)
    wait_count(page, "[data-testid='stPlotlyChart'] .scatterlayer .trace", 7)
    full_screenshot(page, f"page_control_{lang}")
    page.close()
    # the trained team against its pre-training baseline: a run above the center line
    team, training = FACTS["trained_team"], FACTS["training_date"]
    page = open_page(browser, demo_server,
                 f"control_charts?lang={lang}&cc_level=team&team={team}&grain=week&cc_base=d{training.isoformat()}")
    assert run in page.locator("[data-testid='stMain']").inner_text()
    full_screenshot(page, f"page_control_training_{lang}")
    page.close()
    # evaluation types: internal QA kinder than the mystery shopper
    page = open_page(browser, demo_server, f"eval_types?lang={lang}")
    assert lenient in page.locator("[data-testid='stMain'] [data-testid='stAlert']").first.inner_text()
    assert page.locator("[data-testid='stPlotlyChart']").count() == 2
    full_screenshot(page, f"page_eval_types_{lang}")
    page.close()
