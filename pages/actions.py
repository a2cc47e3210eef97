"""Improvement actions: the register of corrective and preventive actions,
coaching and major projects, each verified by the data.

A page that found a problem drafts the action here (``ui.actions.DRAFT`` in
the session): the form opens filled with the evidence.  State in the URL:
``act`` (the action shown) and ``act_status``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics import store
from qa_analytics.analytics import metrics
from qa_analytics.analytics.metrics import get_metric
from qa_analytics.core.codes import Problem
from qa_analytics.core.codes import say as say_in
from qa_analytics.improvement import register, verify
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call, connection
from ui.i18n import lang, say, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import LIMIT, PALETTE, plot

ensure_app()  # direct links on a fresh server: run inside app.py

presenting = is_presenting()
lg = lang()
st.title(t("act_title"))
if not presenting:
    st.caption(t("act_intro"))

STATUS_FILTER = ("open", "closed", "all")


def _words(table: dict, code: str | None) -> str:
    # the run's language, not lang(): a selector's format_func is also called between runs
    return say_in(table[code], lg) if code in table else "—"


def _metric_name(mid: str) -> str:
    try:
        return get_metric(mid).name(lg)
    except (KeyError, ValueError):
        return mid


def _save(fn, *args, **kwargs):
    """A write to the register: refusals said in the user's words, not raised."""
    try:
        return fn(connection(), *args, **kwargs)
    except (register.ActionError, store.DatabaseBusy, store.DatabaseError) as exc:
        st.error(exc.message(lg))
    except Problem as exc:
        st.error(exc.message(lg))
    return None


def _form(key: str, defaults: dict, *, editing: bool = False) -> dict | None:
    """The action's fields; the values when submitted, else None."""
    metric_ids = call(metrics.metric_ids)
    projects = [a for a in call(register.list_actions, type="project") if a.id != defaults.get("id")]
    with st.form(key, border=True):
        c1, c2, c3 = st.columns([2, 5, 2])
        types = list(register.TYPES)
        typ = c1.selectbox(t("act_f_type"), types, index=types.index(defaults.get("type", "corrective")),
                           format_func=lambda c: _words(register.ACTION_TYPE, c))
        title = c2.text_input(t("act_f_title"), value=defaults.get("title", ""))
        stages = list(register.STAGES)
        stage = c3.selectbox(t("act_f_stage"), stages, index=stages.index(defaults.get("stage", "plan")),
                             format_func=lambda c: _words(register.ACTION_STAGE, c))
        c1, c2, c3 = st.columns([2, 3, 4])
        scopes = list(register.SCOPES)
        scope = c1.selectbox(t("act_f_scope"), scopes, index=scopes.index(defaults.get("scope", "center")),
                             format_func=lambda c: _words(register.ACTION_SCOPE, c))
        scope_value = c2.text_input(t("act_f_scope_value"), value=defaults.get("scope_value") or "",
                                    help=t("act_f_scope_value_help"))
        chosen = [m for m in defaults.get("metrics", ()) if m in metric_ids or m.startswith("item")]
        options = sorted(set(metric_ids) | set(chosen), key=lambda m: (m not in chosen, m))
        mets = c3.multiselect(t("act_f_metrics"), options, default=chosen, format_func=_metric_name)
        c1, c2, c3, c4 = st.columns(4)
        owner = c1.text_input(t("act_f_owner"), value=defaults.get("owner") or "")
        opened = c2.date_input(t("act_f_opened"), value=defaults.get("opened") or dt.date.today())
        due = c3.date_input(t("act_f_due"), value=defaults.get("due"))
        verify_after = c4.date_input(t("act_f_verify_after"), value=defaults.get("verify_after"),
                                     help=t("act_f_verify_after_help"))
        parent_ids = [None] + [a.id for a in projects]
        parent_names = {None: t("act_f_no_parent"), **{a.id: f"#{a.id} {a.title}" for a in projects}}
        parent = st.selectbox(t("act_f_parent"), parent_ids,
                              index=parent_ids.index(defaults.get("parent_id"))
                              if defaults.get("parent_id") in parent_ids else 0,
                              format_func=parent_names.__getitem__)
        root = st.text_area(t("act_f_root_cause"), value=defaults.get("root_cause") or "", height=80)
        measures = st.text_area(t("act_f_measures"), value=defaults.get("measures") or "", height=80)
        note = st.text_input(t("act_f_note"), value="") if editing else ""
        if not st.form_submit_button(t("act_save"), type="primary", icon=":material/save:"):
            return None
    out = {"type": typ, "title": title.strip(), "stage": stage, "scope": scope,
           "scope_value": scope_value.strip() or None, "metrics": tuple(mets), "owner": owner.strip(),
           "opened": opened, "due": due, "verify_after": verify_after, "parent_id": parent,
           "root_cause": root.strip(), "measures": measures.strip()}
    if editing:
        out["verification_note"] = note.strip() or defaults.get("verification_note") or ""
    return out


# ---- a draft from another page, or a new action ----------------------------------------------------
draft = st.session_state.get(ui_actions.DRAFT)
if not presenting:
    with st.expander(t("act_new_from_signal") if draft else t("act_new"), expanded=bool(draft),
                     icon=":material/add_task:"):
        if draft:
            evidence = draft.get("evidence") or {}
            st.info(t("act_draft_evidence", signal=(evidence.get("signal") or {}).get(lg) or draft["title"]),
                    icon=":material/insights:")
        values = _form("act_new_form", draft or {})
        if values is not None:
            created = _save(register.create_action, **values, trigger=(draft or {}).get("trigger", "manual"),
                            evidence=(draft or {}).get("evidence"), before=(draft or {}).get("before"))
            if created is not None:
                st.session_state.pop(ui_actions.DRAFT, None)
                set_url_value("act", created.id)
                st.toast(t("act_created", id=created.id), icon=":material/task_alt:")
                st.rerun()

# ---- the register ----------------------------------------------------------------------------------
status = url_value("act_status", "open")
status = status if status in STATUS_FILTER else "open"
left, mid, right = st.columns([3, 3, 2], vertical_alignment="bottom")
status_words = {"open": t("act_status_open"), "closed": t("act_status_closed"), "all": t("act_status_all")}
if not presenting:
    status = left.radio(t("act_filter_status"), STATUS_FILTER, index=STATUS_FILTER.index(status),
                        format_func=status_words.__getitem__, horizontal=True, key="act_status_radio")
    set_url_value("act_status", None if status == "open" else status)
today = dt.date.today()
actions = call(register.list_actions, status=None if status == "all" else status)
everything = call(register.list_actions)
overdue = [a for a in everything if register.is_overdue(a, today)]
mid.metric(t("act_open_count"), sum(a.status == "open" for a in everything),
           delta=t("act_overdue_n", n=len(overdue)) if overdue else None, delta_color="inverse")
if not presenting and everything:
    with tempfile.TemporaryDirectory() as tmp:
        path = register.export_actions(connection(), Path(tmp) / "actions.xlsx", lang=lg)
        right.download_button(t("act_export"), data=Path(path).read_bytes(),
                              file_name=f"{t('act_export_file')}-{today.isoformat()}.xlsx",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              icon=":material/download:", width="stretch")

if not actions:
    st.info(t("act_none"))
    st.stop()

verdicts = {a.id: call(verify.verify_action, a.id).verdict for a in actions}
table = pd.DataFrame({
    t("act_c_id"): [a.id for a in actions],
    t("act_c_type"): [_words(register.ACTION_TYPE, a.type) for a in actions],
    t("act_c_title"): [a.title for a in actions],
    t("act_c_scope"): [_words(register.ACTION_SCOPE, a.scope) + (f" · {a.scope_value}" if a.scope_value else "")
                       for a in actions],
    t("act_c_owner"): [a.owner for a in actions],
    t("act_c_due"): [a.due for a in actions],
    t("act_c_stage"): [_words(register.ACTION_STAGE, a.stage) for a in actions],
    t("act_c_status"): [(_words(register.ACTION_STATUS, a.status)
                         + (" · " + t("act_overdue") if register.is_overdue(a, today) else "")) for a in actions],
    t("act_c_verdict"): [ui_actions.verdict_word(verdicts[a.id]) for a in actions],
})
st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)))

# ---- one action: its verification, its chart, its history ----------------------------------------
by_id = {a.id: a for a in actions}
chosen = url_value("act", actions[0].id, int)
if chosen not in by_id:  # the action just closed (or linked) stays in view, whatever the filter
    by_id.update({x.id: x for x in everything if x.id == chosen})
ids = list(by_id)
chosen = chosen if chosen in by_id else ids[0]
if not presenting:
    # the URL leads (a new action, a link from another page); a pick writes the URL before the next run
    if st.session_state.get("act_pick") != chosen:
        st.session_state["act_pick"] = chosen
    chosen = st.selectbox(t("act_pick"), ids, format_func={i: f"#{i} {by_id[i].title}" for i in ids}.__getitem__,
                          key="act_pick", on_change=lambda: set_url_value("act", st.session_state["act_pick"]))
set_url_value("act", chosen)
a = by_id[chosen]
v = call(verify.verify_action, a.id)

st.subheader(f"#{a.id} {a.title}")
# the facts in one line each, never cut to "…" (metric cards truncate long words)
facts = [(t("act_c_type"), _words(register.ACTION_TYPE, a.type)), (t("act_c_stage"), _words(register.ACTION_STAGE, a.stage)),
         (t("act_c_status"), _words(register.ACTION_STATUS, a.status)
          + (" · " + t("act_overdue") if register.is_overdue(a, today) else "")),
         (t("act_c_scope"), _words(register.ACTION_SCOPE, a.scope) + (f" · {a.scope_value}" if a.scope_value else "")),
         (t("act_c_owner"), a.owner or "—"), (t("act_f_opened"), fmt.date(a.opened)),
         (t("act_c_due"), fmt.date(a.due) if a.due else "—"), (t("act_f_done"), fmt.date(a.done) if a.done else "—"),
         (t("act_c_verdict"), ui_actions.verdict_word(v.verdict))]
st.markdown(" &nbsp;·&nbsp; ".join(f"**{k}** {val}" for k, val in facts))
box = {"effective": st.success, "worse": st.error, "no_effect": st.warning}.get(v.verdict, st.info)
box(say(v), icon=":material/fact_check:")
if a.root_cause or a.measures:
    st.markdown(f"**{t('act_f_root_cause')}**: {a.root_cause or '—'}  \n**{t('act_f_measures')}**: {a.measures or '—'}")
if a.evidence:
    with st.expander(t("act_evidence")):
        st.code(json.dumps(a.evidence, ensure_ascii=False, indent=2), language="json")

# the action's chart: the limits of before, recomputed after it only when the data say it changed something
for mid_ in a.metrics[:2]:
    try:
        ch = call(verify.action_chart, a.id, mid_)
    except (ValueError, KeyError):
        continue
    if ch is None or ch.data.empty:
        continue
    df = ch.data
    x = [fmt.period(p, ch.grain) for p in df["period"]]
    fig = go.Figure()
    for col, dash in (("ucl", "dash"), ("lcl", "dash")):
        fig.add_scatter(x=x, y=df[col], mode="lines", line=dict(color=LIMIT, dash=dash, shape="hvh"),
                        hoverinfo="skip", showlegend=False)
    fig.add_scatter(x=x, y=df["center"], mode="lines", line=dict(color="#444", shape="hvh"),
                    name=t("act_chart_center"), hoverinfo="skip")
    fig.add_scatter(x=x, y=df["value"], mode="lines+markers", line=dict(color=PALETTE[0], width=3),
                    name=_metric_name(mid_))
    locate = ui_actions.period_locator(df["period"], x)
    ui_actions.mark(fig, [(a, v.verdict)], locate, presenting)
    two_phases = ch.verdict in ("effective", "worse") and df["phase"].nunique() == 2
    fig.update_layout(title=t("act_chart_title", metric=_metric_name(mid_),
                              phases=t("act_chart_two_phases") if two_phases else t("act_chart_one_phase")))
    fig.update_xaxes(type="category")
    plot(fig, key=f"act_chart_{mid_}", height=520 if presenting else 380)

if presenting:
    st.stop()

# ---- change it ---------------------------------------------------------------------------------------
left, right = st.columns([1, 1])
with left:
    if a.status == "open":
        with st.popover(t("act_close"), icon=":material/task_alt:"):
            done = st.date_input(t("act_f_done"), value=today, key="act_done")
            note = st.text_input(t("act_f_note"), key="act_close_note")
            if st.button(t("act_close_confirm"), type="primary", key="act_close_btn"):
                if _save(register.close_action, a.id, done=done, note=note) is not None:
                    st.rerun()
    elif st.button(t("act_reopen"), icon=":material/restart_alt:", key="act_reopen_btn"):
        if _save(register.reopen_action, a.id) is not None:
            st.rerun()
with st.expander(t("act_edit"), icon=":material/edit:"):
    values = _form(f"act_edit_{a.id}", {f: getattr(a, f) for f in (
        "id", "type", "title", "stage", "scope", "scope_value", "metrics", "owner", "opened", "due", "verify_after",
        "parent_id", "root_cause", "measures", "verification_note")}, editing=True)
    if values is not None:
        if _save(register.update_action, a.id, **values) is not None:
            st.toast(t("act_saved", id=a.id), icon=":material/save:")
            st.rerun()
with st.expander(t("act_history")):
    hist = call(register.action_history, a.id)
    st.dataframe(hist, hide_index=True, width="stretch")
