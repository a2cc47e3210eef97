"""The improvement loop in a real browser: a control-chart signal becomes an
action with one click, the action is saved, marked on the chart with its
verdict, and closed; screenshots kept in test-artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from tools.browser import wait_idle

from conftest import full_screenshot, open_page, wait_count


def _click(page, name: str, nth: int = 0) -> None:
    page.get_by_role("button", name=name).nth(nth).click()
    time.sleep(0.5)
    wait_idle(page)


@pytest.mark.parametrize("lang, draft, drafted, opened, save, kind, close, close_it, closed", [
    ("en", "Draft action", "Action drafted from a finding", "Opened", "Save", "corrective action", "Close action",
     "Close it", "closed"),
    ("zh", "起草措施", "根据发现起草的措施", "开立日期", "保存", "纠正措施", "关闭措施", "确认关闭", "已关闭"),
])
def test_a_signal_becomes_an_action_marked_on_its_chart_then_closed(browser, demo_server, lang, draft, drafted,
                                                                    opened, save, kind, close, close_it, closed):
    chart = f"control_charts?lang={lang}&cc_metric=satisfaction_rate&grain=week"
    page = open_page(browser, demo_server, chart)
    _click(page, draft)  # the trouble week's point below the limit: a corrective action
    page.wait_for_selector(f"text={drafted}", timeout=30_000)
    wait_idle(page)
    # it took effect in the week after the trouble: put the date in, then save
    field = page.get_by_label(opened).first  # a date field of segments (year / month / day)
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type("20260427")
    page.keyboard.press("Tab")
    wait_idle(page)
    _click(page, save)
    page.wait_for_function("() => /[?&]act=\\d+/.test(location.search)", timeout=30_000)
    action_id = int(re.search(r"[?&]act=(\d+)", page.url).group(1))
    full_screenshot(page, f"browser_action_saved_{lang}")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert f"#{action_id}" in text and kind in text  # the server holds the file: read it through the page
    page.close()
    # marked on the chart of its indicator, with its verdict
    page = open_page(browser, demo_server, chart)
    wait_count(page, "[data-testid='stPlotlyChart'] text", 1, has_text=f"#{action_id}")
    assert f"#{action_id}" in page.locator("[data-testid='stMain']").inner_text()
    full_screenshot(page, f"browser_action_marked_{lang}")
    page.close()
    # closed from its page
    page = open_page(browser, demo_server, f"actions?lang={lang}&act={action_id}")
    _click(page, close)
    _click(page, close_it)
    page.wait_for_function(
        "(w) => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(w)", arg=closed,
        timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    full_screenshot(page, f"browser_action_closed_{lang}")
    page.close()
