"""Every page in the browser speaks one language: no English in the Chinese UI
and no Chinese in the English UI, outside the data and what Streamlit itself
draws (docs/STREAMLIT_LANGUAGE.md lists what cannot be translated).

Why a browser test: the words come from many places (the UI's tables, the
library's codes, plotly's tick labels, Streamlit's widgets) and only the drawn
page shows them together; plotly's date ticks, for one, were English
("May", "Jul") on the Chinese data page until this test.
"""

from __future__ import annotations

import re

import pytest

from conftest import wait_idle

PAGES = ["overview", "drilldown", "eval_types", "control_charts", "indicators", "evaluators", "compliance",
         "cycle_review", "actions", "import_data", "data_status"]

# English a Chinese reader sees and should: the switch back to English, names of methods
# (as a Chinese statistics text writes them), file formats, and Streamlit's own file uploader
# ("Drag and drop", "Limit 200MB per file"), which no setting translates.
ALLOWED_EN = {
    "English", "ICC", "Krippendorff", "XmR", "Laney", "Nelson", "Western", "Electric", "Wilson", "Welch",
    "Mann", "Whitney", "Fisher", "Wald", "Pareto", "PDCA",
    "xlsx", "xls", "csv", "XLSX", "XLSM", "XLS", "XLSB", "ODS", "CSV", "TXT", "Excel", "CLI", "SMS", "IVR", "App", "APP",
    "Upload", "upload", "Drag", "drop", "file", "here", "Limit", "per", "Browse", "files",
    "Skip", "main", "content",  # Streamlit's accessibility link, read by screen readers only
    "yyyy",  # an empty date field's placeholder, yyyy/mm/dd (the Actions form's due and verify-after dates)
}


def _drawn_text(page) -> str:
    """The visible text of the page and of its charts, without icon ligatures
    (Material Symbols draw ``dashboard`` or ``help`` as an icon) and without
    the accessible copies of data grids (their canvas shows the same cells)."""
    return page.evaluate(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
            const out = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const el = n.parentElement;
                if (!el || !n.textContent.trim()) continue;
                const css = getComputedStyle(el);
                if (/material/i.test(css.fontFamily) || css.visibility === 'hidden' || css.display === 'none') continue;
                if (el.closest('svg') === null && el.getClientRects().length === 0) continue;
                out.push(n.textContent);
            }
            return out.join('\\n');
        }""")


def _data_words(db_path) -> set[str]:
    """Chinese that comes from the data: teams, agents, evaluators, QA items, scenarios, model names,
    the improvement register's titles and notes."""
    import duckdb

    from qa_analytics.analytics.indicators import load_models

    con = duckdb.connect(str(db_path), read_only=True)
    words: set[str] = set()
    for sql in ("SELECT DISTINCT team FROM roster", "SELECT DISTINCT agent_name FROM roster",
                "SELECT DISTINCT evaluator FROM monitoring", "SELECT DISTINCT item FROM monitoring_item",
                "SELECT DISTINCT item_group FROM monitoring_item", "SELECT DISTINCT scenario FROM call_test",
                "SELECT DISTINCT team FROM monitoring_v", "SELECT DISTINCT appeal_result FROM monitoring",
                # what people wrote in the improvement register
                "SELECT DISTINCT title FROM action", "SELECT DISTINCT owner FROM action",
                "SELECT DISTINCT measures FROM action", "SELECT DISTINCT root_cause FROM action",
                "SELECT DISTINCT verification_note FROM action"):
        try:
            words |= {str(r[0]) for r in con.execute(sql).fetchall() if r[0]}
        except duckdb.Error:
            continue
    con.close()
    for m in load_models().versions:
        words |= {m.name, m.note}
        for _id, _parent, _depth, nd in m.walk():
            words |= {nd.name_zh, nd.note}
    return {w for w in words if w}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_page_speaks_one_language(browser, demo_server, demo_db_path, lang):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    data = " ".join(_data_words(demo_db_path)) if lang == "en" else ""
    found: dict[str, list[str]] = {}
    for i, name in enumerate(PAGES):
        page.goto(f"{demo_server.url}/{'' if i == 0 else name}?lang={lang}")
        wait_idle(page)
        page.wait_for_timeout(500)
        text = _drawn_text(page)
        if lang == "zh":
            words = {w for w in re.findall(r"(?<![A-Za-z])[A-Za-z][A-Za-z'’-]{2,}(?![A-Za-z])", text)}
            bad = sorted(w for w in words - ALLOWED_EN if not w.isupper() or len(w) > 4)
        else:
            runs = set(re.findall(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+", text)) - {"中文"}
            bad = sorted(r for r in runs if r not in data)
        if bad:
            found[name] = bad[:20]
    page.close()
    assert found == {}, f"{lang} UI shows the other language: {found}"
