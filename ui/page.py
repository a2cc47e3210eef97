"""Make every page run inside ``app.py``'s navigation.

Why: on a freshly started server, a direct link such as ``/evaluators``
reaches the page before any session has run ``app.py``; Streamlit then falls
back to its old ``pages/`` folder discovery and runs the page bare (no
language switch, file names as navigation) until someone opens the root.
A page calls :func:`ensure_app` first: when ``app.py`` has not run in this
session, the page hands over to it, and ``app.py`` reopens the page.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import streamlit as st

APP_RAN = "_app_ran"
GOTO = "_goto_page"
GOTO_PARAMS = "_goto_params"


def ensure_app() -> None:
    if st.session_state.get(APP_RAN):
        return
    caller = Path(inspect.stack()[1].filename).name
    st.session_state[GOTO] = caller
    # Switching pages clears the URL: carry its parameters (language, filters) over.
    st.session_state[GOTO_PARAMS] = {k: st.query_params.get(k) for k in st.query_params}
    st.switch_page("app.py")


def mark_app_ran() -> str | None:
    """Called first by ``app.py``: note that it ran, put back the URL
    parameters a bare page run carried over, and return that page's file name."""
    st.session_state[APP_RAN] = True
    for key, value in st.session_state.pop(GOTO_PARAMS, {}).items():
        st.query_params[key] = value
    return st.session_state.pop(GOTO, None)
