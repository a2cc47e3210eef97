"""Presentation mode for the half-yearly review on a projector: large type,
high contrast, no sidebar, one view per screen with previous / next, and
agents' names masked on request.  Kept in the URL (``present=1``,
``mask=1``) so the meeting's link opens straight into it."""

from __future__ import annotations

import hashlib

import streamlit as st

from ui.i18n import t
from ui.state import set_url_value, url_value

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.block-container {max-width: 100% !important; padding-top: 1rem !important;}
html, body, [class*="css"], .stMarkdown p, .stCaption {font-size: 1.45rem !important; color: #000 !important;}
h1 {font-size: 3rem !important;} h2 {font-size: 2.3rem !important;} h3 {font-size: 1.9rem !important;}
[data-testid="stMetricValue"] {font-size: 3.4rem !important; font-weight: 700;}
[data-testid="stMetricLabel"] p {font-size: 1.5rem !important;}
[data-testid="stMetricDelta"] {font-size: 1.4rem !important;}
</style>
"""


def is_presenting() -> bool:
    return url_value("present", False, lambda v: v == "1")


def names_masked() -> bool:
    return url_value("mask", False, lambda v: v == "1")


def agent_label(agent_id: str | None, name: str | None = None) -> str:
    """How an agent is shown: name and id, or a stable pseudonym when masked."""
    if agent_id is None:
        return "—"
    if names_masked():
        code = int(hashlib.sha256(str(agent_id).encode()).hexdigest()[:6], 16) % 900 + 100
        return t("masked_agent", code=code)
    return f"{name} ({agent_id})" if name else str(agent_id)


def sidebar_toggles() -> None:
    """Sidebar switches to enter presentation mode and to mask names."""
    sb = st.sidebar
    sb.divider()
    # A callback runs before the next script run: the whole run is in the mode.
    sb.button(t("present_enter"), key="present_enter", width="stretch", on_click=set_url_value,
              args=("present", "1"))
    mask = sb.toggle(t("mask_names"), value=names_masked(), key="mask_toggle")
    set_url_value("mask", "1" if mask else None)


def controls(pages: list, current) -> None:
    """Inject the projector style and the previous / next / exit bar."""
    set_url_value("present", "1")  # navigation clears the URL: keep the mode in it
    if names_masked():
        set_url_value("mask", "1")
    st.markdown(_CSS, unsafe_allow_html=True)
    titles = [p.title for p in pages]
    idx = titles.index(current.title) if current.title in titles else 0
    left, mid, right, end = st.columns([1, 6, 1, 1])
    keep = {k: st.query_params.get(k) for k in st.query_params}  # the view's parameters travel along
    if left.button("◀ " + t("previous"), key="present_prev", disabled=idx == 0, width="stretch"):
        st.switch_page(pages[idx - 1], query_params=keep)
    mid.markdown(f"<div style='text-align:center;color:#555'>{idx + 1} / {len(pages)}</div>",
                 unsafe_allow_html=True)
    if right.button(t("next") + " ▶", key="present_next", disabled=idx == len(pages) - 1, width="stretch"):
        st.switch_page(pages[idx + 1], query_params=keep)
    end.button(t("present_exit"), key="present_exit", width="stretch", on_click=set_url_value,
               args=("present", None))
