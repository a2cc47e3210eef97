"""The cycle review (the spiral): for a month, quarter or half-year, the
previous cycle's actions and how they were verified, the new problems found,
the actions still open, and what changed in the indicators; the agenda of
the quality meeting, exportable to Excel.

State in the URL: ``cr_grain`` and ``cr_start`` (ISO date of the cycle's first day).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qa_analytics.improvement import register
from qa_analytics.views import cycle_review as cr
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call
from ui.i18n import lang, say, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, GOOD, NEUTRAL

ensure_app()  # direct links on a fresh server: run inside app.py

presenting = is_presenting()
lg = lang()
st.title(t("cr_title"))
if not presenting:
    st.caption(t("cr_intro"))

GRAIN_WORD = {"month": "cr_grain_month", "quarter": "cr_grain_quarter", "half_year": "cr_grain_half"}
grain = url_value("cr_grain", "month")
grain = grain if grain in cr.CYCLE_GRAINS else "month"
left, right, end = st.columns([3, 3, 2], vertical_alignment="bottom")
if not presenting:
    grain = left.radio(t("cr_grain"), cr.CYCLE_GRAINS, index=cr.CYCLE_GRAINS.index(grain), horizontal=True,
                       format_func={g: t(GRAIN_WORD[g]) for g in cr.CYCLE_GRAINS}.__getitem__, key="cr_grain_radio")
    set_url_value("cr_grain", None if grain == "month" else grain)
starts = call(cr.cycle_starts, grain)
if not starts:
    st.info(t("cr_empty"))
    st.stop()
raw = url_value("cr_start", None)
try:
    chosen = dt.date.fromisoformat(raw) if raw else starts[0]
except ValueError:
    chosen = starts[0]
chosen = chosen if chosen in starts else starts[0]
if not presenting:
    names = {d: fmt.period(d, grain) for d in starts}  # said now: a format_func also runs between runs
    chosen = right.selectbox(t("cr_cycle"), starts, index=starts.index(chosen), format_func=names.__getitem__,
                             key="cr_start_pick")
    set_url_value("cr_start", None if chosen == starts[0] else chosen.isoformat())
review = call(cr.cycle_review, grain, chosen)

if not presenting:
    with tempfile.TemporaryDirectory() as tmp:
        path = cr.write_review(review, Path(tmp) / "review.xlsx", lang=lg)
        end.download_button(t("cr_export"), data=Path(path).read_bytes(),
                            file_name=f"{t('cr_export_file')}-{review.start.isoformat()}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            icon=":material/download:", width="stretch")
st.caption(t("cr_period", cur=say(review.name), start=fmt.date(review.start), end=fmt.date(review.end),
             prev=say(review.previous_name)))

VERDICT_MARK = {"effective": ("✔", GOOD), "worse": ("✖", BAD), "no_effect": ("■", "#E69F00"),
                "not_yet": ("…", NEUTRAL), None: ("·", NEUTRAL)}


def _actions(frame: pd.DataFrame, empty: str) -> None:
    if frame.empty:
        st.write(t(empty))
        return
    for r in frame.itertuples(index=False):
        mark, colour = VERDICT_MARK.get(r.verdict, VERDICT_MARK[None])
        scope = say(register.ACTION_SCOPE[r.scope]) + (f" · {r.scope_value}" if isinstance(r.scope_value, str) else "")
        late = f" · <b style='color:{BAD}'>{t('act_overdue')}</b>" if r.overdue else ""
        st.markdown(
            f"<span style='color:{colour};font-weight:700'>{mark} {ui_actions.verdict_word(r.verdict)}</span> · "
            f"#{r.id} {ui_actions.type_word(r.type)} · <b>{r.title}</b> · {scope}{late}<br>"
            f"<span style='color:#555'>{say(r.verification)}</span>", unsafe_allow_html=True)
    if not presenting:
        st.page_link(ui_actions.ACTIONS_PAGE, label=t("cr_open_register"), icon=":material/checklist:")


# 1. how the previous cycle's problems were rectified
st.subheader(t("cr_previous", prev=say(review.previous_name)))
_actions(review.previous_actions, "cr_previous_none")

# 2. what changed in the indicators
st.subheader(t("cr_changes"))
ch = review.changes
cols = st.columns(max(1, min(len(ch), 5)))
for col, r in zip(cols, ch.itertuples(index=False)):
    col.metric(say(r.name), fmt.metric_value(r.value, r.unit) if pd.notna(r.value) else "—")
    if r.label is not None and pd.notna(r.label):
        col.caption(say(r.label))

# 3. the new problems, and what each suggests
st.subheader(t("cr_problems", n=len(review.problems)))
if review.problems.empty:
    st.success(t("cr_no_problems"))
else:
    for r in review.problems.head(6 if presenting else 12).itertuples(index=False):
        unit = t("cr_center") if r.level == "center" else r.level_key
        st.markdown(f"- **{say(r.metric_name)}** · {unit} — {say(r.text)}")
    if not presenting:
        st.markdown(f"**{t('cr_suggested')}**")
        ui_actions.offer(review.suggestions, key="cr_suggest", limit=6)

# 4. what is still open
st.subheader(t("cr_open", n=len(review.open_actions), overdue=int(review.open_actions["overdue"].sum())
               if len(review.open_actions) else 0))
_actions(review.open_actions, "cr_open_none")
