"""The Indicator system page in a real browser, both languages: it renders
without error, the treemap and the table are drawn, an edit that breaks the
100% rule shows the problem and renormalise fixes it, and a screenshot of
each language is kept in test-artifacts/ for a human to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import full_screenshot, open_page, wait_count, wait_idle

MODEL = Path(__file__).resolve().parent.parent / "data" / "indicator_model.toml"
TEXT = {
    "zh": {"title": "指标体系", "index": "服务质量综合指数", "sat": "客户满意度 · 权重 %", "problem": "必须等于 100%",
           "renorm": "重新归一", "robust": "排名很稳健"},
    "en": {"title": "Indicator system", "index": "Service quality index", "sat": "Customer satisfaction · Weight %",
           "problem": "must add up to 100%", "renorm": "Renormalise", "robust": "ranking is robust"},
}


@pytest.fixture
def demo_server(server_for, demo_db_path, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    model = tmp_path / "indicator_model.toml"
    shutil.copy(MODEL, model)
    monkeypatch.setenv("QA_INDICATOR_MODEL", str(model))  # the server inherits it: never the real file
    return server_for(db)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indicator_page_in_browser(browser, demo_server, lang):
    words = TEXT[lang]
    page = open_page(browser, demo_server, f"indicators?lang={lang}")
    main = page.locator("[data-testid='stMain']")
    assert words["title"] in main.inner_text()
    assert words["index"] in page.locator("[data-testid='stMetric']").first.inner_text()
    # the treemap: one box per node, the index at its root
    wait_count(page, "[data-testid='stPlotlyChart'] g.slice", 6)
    assert words["robust"] in main.inner_text()
    full_screenshot(page, f"page_indicators_{lang}")

    # an edit that breaks the 100% rule, then renormalise
    page.set_viewport_size({"width": 1440, "height": 900})
    box = page.get_by_label(words["sat"], exact=True)
    box.fill("45")
    box.press("Enter")
    wait_idle(page)
    assert words["problem"] in str(page.locator("[data-testid='stAlert']").all_inner_texts())
    save = page.locator("[data-testid='stButton'] button", has_text="保存为新版本" if lang == "zh" else "Save as")
    assert save.is_disabled()
    page.locator("button", has_text=words["renorm"]).click()
    wait_idle(page)
    assert words["problem"] not in str(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert not save.is_disabled()
    assert page.locator("[data-testid='stException']").count() == 0, demo_server.output()[-3000:]
    full_screenshot(page, f"page_indicators_draft_{lang}")
    page.close()
