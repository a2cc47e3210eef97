"""Entry point of the dashboard: ``streamlit run app.py``.

One file per page under ``pages/``; ``run()`` builds the navigation so the
app can be driven by ``streamlit.testing.v1.AppTest``.  In presentation mode
the sidebar is hidden and the pages become slides with previous / next.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_analytics import store
from ui import presentation
from ui.i18n import lang, language_switch, t
from ui.page import mark_app_ran

ROOT = Path(__file__).resolve().parent

# (file, title key, icon, url path, shown as a slide in presentation mode).
# The url path is the file's name: on a fresh server Streamlit resolves a
# link through its pages/ folder discovery, which knows pages by file name
# (see ui/page.py); any other path would be "page not found" there.
PAGES = [
    ("pages/overview.py", "page_overview", ":material/dashboard:", "overview", True),
    ("pages/drilldown.py", "page_drilldown", ":material/account_tree:", "drilldown", True),
    ("pages/eval_types.py", "page_eval_types", ":material/compare_arrows:", "eval_types", True),
    ("pages/control_charts.py", "page_control", ":material/show_chart:", "control_charts", True),
    ("pages/indicators.py", "page_indicators", ":material/hub:", "indicators", True),
    ("pages/evaluators.py", "page_evaluators", ":material/headset_mic:", "evaluators", True),
    ("pages/compliance.py", "page_compliance", ":material/calendar_month:", "compliance", True),
    ("pages/cycle_review.py", "page_cycle_review", ":material/autorenew:", "cycle_review", True),
    ("pages/actions.py", "page_actions", ":material/checklist:", "actions", True),
    ("pages/import_data.py", "page_import", ":material/upload_file:", "import_data", False),
    ("pages/data_status.py", "page_data", ":material/database:", "data_status", False),
]


def _demo_data() -> bool:
    from qa_analytics import store
    from ui.db import call

    try:
        return bool(call(store.has_demo_data))
    except Exception:  # an unreadable database: the pages say what is wrong
        return False


def run() -> None:
    goto = mark_app_ran()
    st.set_page_config(page_title=t("app_title"), page_icon=":material/support_agent:", layout="wide")
    presenting = presentation.is_presenting()
    available = [p for p in PAGES if (ROOT / p[0]).exists()]
    pages = [
        st.Page(f, title=t(title), icon=icon, url_path=url, default=(i == 0))
        for i, (f, title, icon, url, _slide) in enumerate(available)
    ]
    if presenting:
        slides = [pg for pg, spec in zip(pages, available) if spec[4]]
        current = st.navigation(pages, position="hidden")
        presentation.controls(slides or pages, current)
    else:
        language_switch()
        current = st.navigation(pages)
        if _demo_data():
            # every page says so, until real data is imported (Data status can clear it)
            st.sidebar.warning(t("demo_badge"), icon=":material/science:")
        presentation.sidebar_toggles()
    if goto:
        # A direct link reached a page before this app ever ran: reopen it here.
        target = next((pg for pg, spec in zip(pages, available) if Path(spec[0]).name == goto), None)
        if target is not None and target is not current:
            st.switch_page(target, query_params={k: st.query_params.get(k) for k in st.query_params})
    try:
        current.run()
    except (store.DatabaseBusy, store.DatabaseError) as exc:
        # Another program holds the file past the wait, or it cannot be opened:
        # say so in the user's words; the next click tries again.
        st.error(t("db_unavailable", reason=exc.message(lang())), icon=":material/database:")
        st.button(t("btn_retry"), key="db_retry")


run()
