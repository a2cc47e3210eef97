"""The Drill-down page in a real browser on the demo data: click a team's bar,
an agent's point and a row of the list, and each level opens with its
breadcrumb; the breadcrumb goes back; a revised evaluation shows its history.
Every level is screenshotted (test-artifacts/drilldown_*.png)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from test_drilldown import revise

from qa_analytics import store

from conftest import ARTIFACTS, screenshot, wait_idle

ROOT = Path(__file__).resolve().parent.parent
REVIEW_FILE = "申诉复核0701.xlsx"


def drilldown_path() -> str:
    """The page's URL path: ``drilldown``, or ``""`` while it is the app's
    default (first) page.  Read from app.py without running it."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    specs = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    available = [s for s in specs if (ROOT / s[0]).exists()]
    return "" if available[0][3] == "drilldown" else "drilldown"


@pytest.fixture
def demo(server_for, demo_db_path, tmp_path):
    """The demo database with one evaluation revised after an appeal."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    con = store.connect(db)
    key, score = con.execute(
        """SELECT record_key, total_score FROM monitoring m
           WHERE eval_date >= DATE '2026-06-01' AND NOT critical_error AND appeal_status IS NULL
             AND EXISTS (SELECT 1 FROM monitoring_item i WHERE i.record_key = m.record_key AND i.points <= -5)
           ORDER BY record_key LIMIT 1"""
    ).fetchone()
    item, pts = con.execute(
        "SELECT item, points FROM monitoring_item WHERE record_key = ? ORDER BY points, item LIMIT 1", [key]
    ).fetchone()
    revise(con, key, score - pts, "申诉成功", {item: 0.0}, REVIEW_FILE)
    con.close()
    return server_for(db), key


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def crumbs(page) -> list[str]:
    text = page.locator("[class*='st-key-dd_crumbs']").first.inner_text()
    return [c.strip() for c in text.split("›") if c.strip()]


def settle(page) -> None:
    page.wait_for_timeout(400)
    wait_idle(page)


def no_exception(page, server) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, server.output()[-3000:]


def shot(page, name: str) -> Path:
    """A screenshot of the whole page: the app scrolls inside its own
    container, so the window is made as tall as the content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], section')]"
        ".map(e => e.scrollHeight), 900)")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 7000)})
    page.wait_for_timeout(700)
    out = screenshot(page, name)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(300)
    return out


def click_centre(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_click_through_every_level(browser, demo, lang):
    server, revised_key = demo
    center = "中心" if lang == "zh" else "Center"
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    # a first visit to the app's root: a fresh server resolves page URLs only
    # after app.py has run once (Streamlit otherwise runs pages/x.py directly)
    page.goto(f"{server.url}/?lang={lang}")
    wait_idle(page)
    page.goto(f"{server.url}/{drilldown_path()}?lang={lang}&period=last_3_months")
    wait_idle(page)
    no_exception(page, server)
    assert crumbs(page) == [center]
    shot(page, f"drilldown_center_{lang}")

    # center -> team: click the bottom bar (the lowest-scoring team) at its centre
    chart = page.locator("[class*='st-key-dd_teams'] .js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    bars = chart.locator(".bars .point path")
    assert bars.count() >= 6
    boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
    i = max(range(len(boxes)), key=lambda k: boxes[k]["y"])
    ticks = chart.locator(".ytick text")
    tick_boxes = [(ticks.nth(k).text_content(), ticks.nth(k).bounding_box()) for k in range(ticks.count())]
    bar_y = boxes[i]["y"] + boxes[i]["height"] / 2
    label = min(tick_boxes, key=lambda tb: abs(tb[1]["y"] + tb[1]["height"] / 2 - bar_y))[0]
    team = label.split("n=")[0].strip()
    click_centre(page, bars.nth(i))
    settle(page)
    no_exception(page, server)
    assert params(page).get("team") == team
    assert crumbs(page) == [center, team]
    shot(page, f"drilldown_team_{lang}")

    # team -> agent: click the first agent's point in the funnel plot
    funnel = page.locator("[class*='st-key-dd_agents'] .js-plotly-plot").first
    points = funnel.locator(".scatterlayer .points path")
    assert points.count() >= 3
    click_centre(page, points.nth(0))
    settle(page)
    no_exception(page, server)
    agent = params(page).get("agent")
    assert agent and params(page).get("team") == team
    path = crumbs(page)
    assert path[:2] == [center, team] and agent in path[2]
    shot(page, f"drilldown_agent_{lang}")

    # agent -> evaluation: click the first row of the agent's list (its row marker)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    gb = grid.bounding_box()
    page.mouse.click(gb["x"] + 15, gb["y"] + 35 + 17)
    settle(page)
    no_exception(page, server)
    key = params(page).get("eval")
    assert key and key.startswith("id:")
    assert crumbs(page)[-1] == key.removeprefix("id:") and len(crumbs(page)) == 4
    shot(page, f"drilldown_evaluation_{lang}")

    # the breadcrumb goes back to the center
    page.locator(".st-key-dd_crumb_0 button").first.click()
    settle(page)
    assert crumbs(page) == [center] and "team" not in params(page) and "agent" not in params(page)

    # a link to the revised evaluation shows its history
    page.goto(f"{server.url}/{drilldown_path()}?lang={lang}&eval={quote(revised_key)}")
    wait_idle(page)
    no_exception(page, server)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert REVIEW_FILE in body
    shot(page, f"drilldown_history_{lang}")
    page.close()
    assert (ARTIFACTS / f"drilldown_team_{lang}.png").exists()
