"""Entry point of the dashboard: ``streamlit run app.py``.

Pages live under ``pages/``; ``run()`` builds the navigation so the app can
be driven by ``streamlit.testing.v1.AppTest``.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import language_switch, t


def run() -> None:
    st.set_page_config(page_title=t("app_title"), page_icon="📞", layout="wide")
    language_switch()
    pages = [
        st.Page("pages/data_status.py", title=t("page_data"), icon="🗂️", url_path="data", default=True),
        st.Page("pages/import_data.py", title=t("page_import"), icon="📥", url_path="import"),
    ]
    st.navigation(pages).run()


run()
