"""Improvement actions on every page: the suggestions a finding makes, drafted
with one click, and the actions marked on the charts of the indicators they
concern (with their verdict), in the dashboard and in presentation mode.

Why shared: the Overview's alerts, Control charts, Drill-down and Evaluators
offer the same step and draw the same marks; one piece keeps them alike.
A draft is handed to the Actions page (``pages/actions.py``) through the
session, where the user checks it and saves it into the register.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics.improvement import register, suggest, verify
from ui.db import call
from ui.i18n import lang, say, t
from ui.theme import BAD, GOOD, NEUTRAL, PALETTE

#: session key holding the action a page drafted, for the Actions page's form
DRAFT = "action_draft"
ACTIONS_PAGE = "pages/actions.py"

#: verdict -> colour of its mark
VERDICT_COLOUR = {"effective": GOOD, "worse": BAD, "no_effect": PALETTE[1], "not_yet": NEUTRAL, None: NEUTRAL}
# Material icons, not emoji: projectors' browsers often have no colour-emoji font
TYPE_ICON = {"corrective": ":material/build:", "preventive": ":material/shield:", "project": ":material/account_tree:",
             "coaching": ":material/school:"}


def type_word(code: str) -> str:
    return say(register.ACTION_TYPE[code])


def verdict_word(code: str | None) -> str:
    return say(verify.VERDICT[code]) if code else t("act_no_verdict")


def _draft(s: suggest.Suggestion) -> None:
    st.session_state[DRAFT] = s.draft(lang())


def offer(suggestions: Sequence[suggest.Suggestion], *, key: str, limit: int = 5,
          container: Any = None) -> None:
    """The suggestions, each with a button that drafts the action on the
    Actions page.  Nothing in presentation mode: a meeting decides there, the
    register is kept at a desk."""
    from ui.presentation import is_presenting

    if not suggestions or is_presenting():
        return
    box = container or st
    for i, s in enumerate(suggestions[:limit]):
        left, right = box.columns([7, 2], vertical_alignment="center")
        left.markdown(f"{TYPE_ICON.get(s.type, ':material/task:')} **{type_word(s.type)}** · {say(s.title)}  \n"
                      f"<span style='color:#555'>{say(s.why)}</span>", unsafe_allow_html=True)
        if right.button(t("act_draft"), key=f"{key}_draft_{i}", icon=":material/add_task:", width="stretch",
                        help=t("act_draft_help")):
            _draft(s)
            st.switch_page(ACTIONS_PAGE)
    if len(suggestions) > limit:
        box.caption(t("act_more_suggestions", n=len(suggestions) - limit))


# ---- marks on charts -----------------------------------------------------------------------------


def chart_actions(metric_id: str, *, team: str | None = None, agent: str | None = None,
                  date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[tuple[Any, str | None]]:
    """The actions concerning this chart, each with its verdict."""
    acts = call(register.actions_for_chart, metric_id, team=team, agent=agent, date_from=date_from,
                date_to=date_to)
    return [(a, call(verify.verify_action, a.id).verdict) for a in acts]


def period_locator(periods: Sequence[Any], xs: Sequence[Any], grain_end: Any = None) -> Callable[[Any], Any]:
    """``x`` of the period holding a date (``periods``: the periods' first
    days, ascending; ``xs``: their positions on the axis); ``None`` outside."""
    starts = [pd.Timestamp(p) for p in periods]
    last_end = pd.Timestamp(grain_end) if grain_end is not None else None

    def locate(day: Any) -> Any:
        if day is None or not starts:
            return None
        d = pd.Timestamp(day)
        i = bisect.bisect_right(starts, d) - 1
        if i < 0 or (last_end is not None and d > last_end):
            return None
        return xs[i]

    return locate


def mark(fig: go.Figure, marks: Sequence[tuple[Any, str | None]], locate: Callable[[Any], Any],
         presenting: bool = False) -> int:
    """A dated line per action where it took effect (done, else opened), with
    its number and verdict; the title on hover.  Returns how many were drawn."""
    drawn = 0
    for i, (a, verdict) in enumerate(marks):
        x = locate(a.done or a.opened)
        if x is None:
            continue
        colour = VERDICT_COLOUR.get(verdict, NEUTRAL)
        fig.add_vline(x=x, line=dict(color=colour, width=3 if presenting else 2, dash="dot"))
        fig.add_annotation(
            x=x, y=1.0 - 0.09 * (i % 3), yref="paper", xanchor="left", yanchor="top", showarrow=False,
            text=f"▲ #{a.id} {verdict_word(verdict)}", hovertext=f"#{a.id} {type_word(a.type)}: {a.title}",
            font=dict(size=20 if presenting else 12, color=colour), bgcolor="rgba(255,255,255,0.85)")
        drawn += 1
    return drawn


def marks_caption(marks: Sequence[tuple[Any, str | None]]) -> None:
    """Under a chart with marks: which actions they are, by number."""
    if marks:
        st.caption(t("act_marked", actions="; ".join(
            f"#{a.id} {type_word(a.type)} · {a.title} ({verdict_word(v)})" for a, v in marks)))
