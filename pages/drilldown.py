"""Drill-down: center -> team -> agent -> one evaluation, with breadcrumbs.

The drill state lives in the URL (``team``, the same key as the shared team
filter; ``agent``; ``eval``, a record key; ``dd_metric``), so a copied link
reopens the same view.  Clicks on the charts and the lists go through
``qa_analytics.views.drilldown.drill_state_from_event``; every click has a select
box twin (keyboard users, tests).  Widgets that hold a selection carry a
counter in their key that changes on every drill step, so a stale selection
never re-opens a level the user just left.
"""

from __future__ import annotations

import math
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics import store
from qa_analytics.analytics.metrics import get_metric
from qa_analytics.core.filters import channel_label
from qa_analytics.improvement import suggest
from qa_analytics.views import drilldown
from qa_analytics.views.drilldown import CARD_METRICS, DRILL_METRICS, drill_level, drill_state_from_event, funnel_curves
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import GRAIN_KEY, lang, t
from ui.page import ensure_app
from ui.presentation import agent_label, is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, GOOD, LIMIT, NEUTRAL, PALETTE, plot

#: a change's verdict -> key
VERDICT_KEY: dict[str, str] = {
    "better": "drilldown_verdict_better",
    "worse": "drilldown_verdict_worse",
    "noise": "drilldown_verdict_noise",
    "too_few": "drilldown_verdict_too_few",
    "untested": "drilldown_verdict_untested",
    "count": "drilldown_verdict_count",
    "no_previous": "drilldown_verdict_no_previous",
}
#: a funnel assessment -> its legend's key
ASSESS_KEY: dict[str, str] = {
    "better": "drilldown_assess_better",
    "worse": "drilldown_assess_worse",
    "as expected": "drilldown_assess_as_expected",
}
#: an agent against the team -> key
VS_TEAM_KEY: dict[str, str] = {
    "better": "drilldown_vs_team_better",
    "worse": "drilldown_vs_team_worse",
    "as expected": "drilldown_vs_team_as_expected",
}
#: an appeal's state as the QA system writes it -> key
APPEAL_KEY: dict[str, str] = {
    "申诉中": "drilldown_appeal_申诉中",
    "申诉成功": "drilldown_appeal_申诉成功",
    "申诉驳回": "drilldown_appeal_申诉驳回",
}
#: a metric's source -> the name of its sample size
COUNT_KEY: dict[str, str] = {
    "monitoring": "drilldown_n_monitoring",
    "survey": "drilldown_n_survey",
    "call_test": "drilldown_n_call_test",
}

ensure_app()  # direct links on a fresh server: run inside app.py

PAGE_SIZE = 50
ASSESS_COLOR = {"better": GOOD, "as expected": NEUTRAL, "worse": BAD}
VERDICT_COLOR = {"better": "green", "worse": "red"}


# --------------------------------------------------------------------------
# drill state
# --------------------------------------------------------------------------


def _nonce() -> int:
    return st.session_state.get("dd_nonce", 0)


def _go(team: str | None = None, agent: str | None = None, evaluation: str | None = None) -> None:
    """Open a drill state (a callback: runs before the next script run)."""
    set_url_value("team", team)
    set_url_value("agent", agent)
    set_url_value("eval", evaluation)
    st.session_state["dd_nonce"] = _nonce() + 1


def _on_event(level: str, key: str, parent: dict, keys: list[str] | None = None) -> None:
    step = drill_state_from_event(level, st.session_state.get(key), keys)
    if step:
        _go(**{**parent, **step})


def _on_pick(key: str, field: str, parent: dict) -> None:
    value = st.session_state.get(key)
    if value:
        _go(**{**parent, field: value})


def _s(x):
    """None for a missing value (pandas gives NaN in text columns)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA else x


def _agent(agent_id, name) -> str:
    return agent_label(_s(agent_id), _s(name))


def _channel(c: str | None) -> str:
    return channel_label(c, lang()) if c else "—"


def _appeal(s: str | None) -> str:
    s = _s(s)
    return "" if s is None else (t(APPEAL_KEY[s]) if s in APPEAL_KEY else s)


def _md(text: object) -> str:
    """Text shown inside Markdown, its markup characters escaped."""
    out = str(text)
    for ch in "\\`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _metric_name(mid: str) -> str:
    return get_metric(mid).name(lang())


# --------------------------------------------------------------------------
# pieces every level shows
# --------------------------------------------------------------------------


def _breadcrumbs(crumbs: list[tuple[str, dict | None]]) -> None:
    """``中心 › 投诉处理组 › 马静颖 (007838) › QM...``: every level but the
    current one is a button back to it."""
    row = st.container(horizontal=True, gap="small", vertical_alignment="center", key="dd_crumbs")
    for i, (text, target) in enumerate(crumbs):
        if i:
            row.markdown(t("drilldown_crumb_sep"))
        if target is None:
            row.markdown(f"**{_md(text)}**")
        else:
            row.button(text, key=f"dd_crumb_{i}", type="tertiary", on_click=_go, kwargs=target,
                       help=t("drilldown_crumb_help"))


def _delta(r) -> str | None:
    if r.kind == "rate":
        return fmt.delta(r.change * 100, unit=t("drilldown_unit_pp"))
    if r.kind == "mean":
        return fmt.delta(r.change, unit=t("drilldown_unit_points"))
    return fmt.delta(r.change, digits=0)


def _headline(h: pd.DataFrame) -> None:
    """One card per metric: the value, the change against the previous
    period, and under it in words whether the change is real."""
    cols = st.columns(len(h))
    for col, r in zip(cols, h.itertuples(index=False)):
        card = col.container(border=True)
        name = _metric_name(r.metric)
        value = fmt.metric_value(r.value, r.unit)
        if r.verdict == "no_data":
            card.metric(name, "—")
            card.caption(t("drilldown_no_data"))
            continue
        prev = fmt.metric_value(r.prev_value, r.unit)
        if r.kind == "count":
            help_ = t("drilldown_card_help_count", value=value, prev=prev)
        else:
            p = "—" if not math.isfinite(r.p_value) else ("< 0.001" if r.p_value < 0.001 else f"{r.p_value:.3f}")
            help_ = t("drilldown_card_help", value=value, n=fmt.count(r.n), lo=fmt.metric_value(r.ci_low, r.unit),
                      hi=fmt.metric_value(r.ci_high, r.unit), prev=prev, prev_n=fmt.count(r.prev_n), p=p)
        if r.verdict == "no_previous":
            card.metric(name, value, help=help_)
            card.caption(t("drilldown_verdict_no_previous"))
            continue
        verdict = "count" if r.kind == "count" else r.verdict
        color = VERDICT_COLOR.get(verdict, "gray")
        card.metric(name, value, delta=_delta(r), delta_color=color, help=help_)
        words = t(VERDICT_KEY[verdict])
        card.caption(f":{color}[**{words}**]" if verdict in VERDICT_COLOR else words)


def _metric_changed() -> None:
    value = st.session_state["dd_metric"]
    set_url_value("dd_metric", None if value == DRILL_METRICS[0] else value)


def _metric_choice() -> str:
    """The metric the teams and agents are compared on: the URL's, which the
    radio follows (a link or the browser's back button may change it) and
    writes back when the user picks another."""
    current = url_value("dd_metric", DRILL_METRICS[0])
    current = current if current in DRILL_METRICS else DRILL_METRICS[0]
    st.session_state["dd_metric"] = current
    labels = {m: _metric_name(m) for m in DRILL_METRICS}
    return st.radio(t("drilldown_metric"), DRILL_METRICS, format_func=labels.__getitem__, horizontal=True,
                    key="dd_metric", on_change=_metric_changed)


def _axis_format(fig: go.Figure, kind: str, axis: str) -> None:
    if kind == "rate":
        getattr(fig, f"update_{axis}axes")(tickformat=".0%")


def _trend(metric: str, grain: str, kw: dict, unit_name: str, height: int) -> None:
    m = get_metric(metric)
    st.subheader(t("drilldown_trend_title", metric=m.name(lang()), grain=t(GRAIN_KEY[grain])))
    st.caption(t("drilldown_trend_help"))
    df = call(drilldown.trend, metric, grain=grain, **kw)
    unit = df[df["series"] == "unit"]
    if unit.empty:
        st.info(t("drilldown_no_trend", metric=m.name(lang())))
        return
    fig = go.Figure()
    for series, name in (("center", t("drilldown_series_center")), ("team", t("drilldown_series_team"))):
        ref = df[df["series"] == series]
        if len(ref):
            fig.add_scatter(x=ref["period"], y=ref["value"], name=name, mode="lines",
                            line=dict(color=NEUTRAL, dash="dash", width=2), hoverinfo="skip")
    band = unit.dropna(subset=["ci_low", "ci_high"])
    if m.unit == "points":  # a score interval past the scale's ends is an artefact of the t formula
        band = band.assign(ci_low=band["ci_low"].clip(lower=0), ci_high=band["ci_high"].clip(upper=100))
    if len(band):
        fig.add_scatter(x=list(band["period"]) + list(band["period"][::-1]),
                        y=list(band["ci_high"]) + list(band["ci_low"][::-1]), fill="toself", mode="lines",
                        fillcolor="rgba(0,114,178,0.15)", line=dict(width=0), hoverinfo="skip", showlegend=False)
    hover = [f"{fmt.period(p, grain)}: {fmt.metric_value(v, m.unit)} (n={fmt.count(n)})"
             for p, v, n in zip(unit["period"], unit["value"], unit["n"])]
    fig.add_scatter(x=unit["period"], y=unit["value"], name=unit_name, mode="lines+markers",
                    line=dict(color=PALETTE[0], width=3), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    periods = sorted(set(df["period"]))
    step = max(1, math.ceil(len(periods) / 8))  # at most ~8 labels, level
    fig.update_xaxes(tickvals=periods[::step], ticktext=[fmt.period(p, grain) for p in periods[::step]],
                     tickangle=0, automargin=True)
    _axis_format(fig, m.kind, "y")
    fig.update_layout(margin=dict(t=30))
    marks = ui_actions.chart_actions(metric, team=kw.get("team"), agent=kw.get("agent"),
                                     date_from=kw.get("date_from"), date_to=kw.get("date_to"))
    ui_actions.mark(fig, marks, ui_actions.period_locator(periods, periods), is_presenting())
    plot(fig, key="dd_trend", height=height)
    if not is_presenting():
        ui_actions.marks_caption(marks)


def _distribution(kw: dict, height: int) -> None:
    st.subheader(t("drilldown_dist_title"))
    st.caption(t("drilldown_dist_help"))
    d = call(drilldown.score_distribution, **kw)
    if d["count"].sum() == 0:
        st.info(t("drilldown_no_evals"))
        return
    labels = [f"{a:g}–{b:g}" for a, b in zip(d["bin_start"], d["bin_end"])]
    fig = go.Figure(go.Bar(x=(d["bin_start"] + d["bin_end"]) / 2, y=d["count"], width=d["bin_end"] - d["bin_start"],
                           marker=dict(color=PALETTE[0], line=dict(color="white", width=1)),
                           hovertext=[f"{lab}: {fmt.count(c)} ({fmt.pct(s)})"
                                      for lab, c, s in zip(labels, d["count"], d["share"])],
                           hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(title_text=t("drilldown_dist_x"), range=[0, 100.5], dtick=10, automargin=True, title_standoff=6)
    fig.update_yaxes(title_text=t("drilldown_dist_y"))
    fig.update_layout(bargap=0.05, margin=dict(t=30))
    plot(fig, key="dd_hist", height=height)


def _pareto(kw: dict, height: int, agent_name: str | None = None) -> None:
    st.subheader(t("drilldown_pareto_title"))
    st.caption(t("drilldown_pareto_help"))
    p = call(drilldown.item_pareto, **kw)
    if p.empty:
        st.info(t("drilldown_no_pareto"))
        return
    hover = [t("drilldown_pareto_hover", lost=fmt.num(a, 0), k=fmt.count(k), n=fmt.count(n), rate=fmt.pct(r))
             for a, k, n, r in zip(p["points_lost"], p["evaluations_with_loss"], p["evaluations_applicable"],
                                   p["loss_rate"])]
    fig = go.Figure()
    fig.add_bar(x=p["item"], y=p["points_lost"], name=t("drilldown_pareto_bar"), marker_color=PALETTE[0],
                hovertext=[f"<b>{i}</b><br>{h}" for i, h in zip(p["item"], hover)],
                hovertemplate="%{hovertext}<extra></extra>")
    fig.add_scatter(x=p["item"], y=p["cumulative_share"], name=t("drilldown_pareto_line"), yaxis="y2",
                    mode="lines+markers", line=dict(color=PALETTE[1], width=3),
                    hovertemplate="%{y:.0%}<extra></extra>")
    fig.add_hline(y=0.8, yref="y2", line_dash="dot", line_color=LIMIT)
    fig.update_layout(yaxis=dict(title=t("drilldown_pareto_bar")),
                      yaxis2=dict(overlaying="y", side="right", range=[0, 1.05], tickformat=".0%", dtick=0.2,
                                  showgrid=False, title=t("drilldown_pareto_line")),
                      xaxis=dict(tickangle=-30, automargin=True), margin=dict(t=40, r=70))
    plot(fig, key="dd_pareto", height=height)
    if kw.get("agent") and kw.get("team") and not is_presenting():
        # an agent's repeated deduction items, against the rest of the team: coaching
        team_kw = {**kw, "agent": None}
        found = suggest.coaching_from_items(kw["agent"], agent_name or kw["agent"], p,
                                            call(drilldown.item_pareto, **team_kw),
                                            date_from=kw.get("date_from"), date_to=kw.get("date_to"))
        if found:
            st.markdown(f"**{t('act_suggestions')}**")
            ui_actions.offer(found, key="dd_coach")


def _evaluation_list(kw: dict, level: str, parent: dict, presenting: bool) -> None:
    st.subheader(t("drilldown_list_title"))
    total = call(drilldown.evaluation_count, **kw)
    if total == 0:
        st.info(t("drilldown_no_evals"))
        return
    pages = max(1, math.ceil(total / PAGE_SIZE))
    left, right = st.columns([4, 1])
    page = 1
    if pages > 1 and not presenting:
        page = int(right.number_input(t("drilldown_page"), min_value=1, max_value=pages, value=1, step=1,
                                      key=f"dd_page_{_nonce()}"))
    first = (page - 1) * PAGE_SIZE
    ev = call(drilldown.evaluations, limit=PAGE_SIZE, offset=first, **kw)
    left.caption(t("drilldown_list_range", first=fmt.count(first + 1), last=fmt.count(first + len(ev)),
                   total=fmt.count(total)) + " · " + t("drilldown_list_help"))
    cols = {
        "date": (t("drilldown_col_date"), [fmt.date(d) for d in ev["eval_date"]]),
        "time": (t("drilldown_col_time"), [("" if pd.isna(x) else x.strftime("%H:%M")) for x in ev["eval_time"]]),
        "id": (t("drilldown_col_id"), ev["eval_id"].fillna("").tolist()),
        "agent": (t("drilldown_col_agent"), [_agent(a, n) for a, n in zip(ev["agent_id"], ev["agent_name"])]),
        "team": (t("drilldown_col_team"), ev["team"].tolist()),
        "evaluator": (t("drilldown_col_evaluator"), ev["evaluator"].tolist()),
        "channel": (t("drilldown_col_channel"), [_channel(c) for c in ev["channel"]]),
        "score": (t("drilldown_col_score"), ev["total_score"].tolist()),
        "critical": (t("drilldown_col_critical"), ev["critical_error"].fillna(False).astype(bool).tolist()),
        "appeal": (t("drilldown_col_appeal"), [_appeal(s) for s in ev["appeal_status"]]),
        "revised": (t("drilldown_col_revised"), ev["revisions"].tolist()),
    }
    drop = {"center": set(), "team": {"team"}, "agent": {"team", "agent"}}[level]
    show = pd.DataFrame({label: values for k, (label, values) in cols.items() if k not in drop})
    keys = ev["record_key"].tolist()
    key = f"dd_rows_{level}_{_nonce()}"
    st.dataframe(
        show, hide_index=True, width="stretch", key=key, height=min(38 + 35 * len(show), 460),
        column_config={t("drilldown_col_score"): st.column_config.NumberColumn(format="%.1f"),
                       t("drilldown_col_critical"): st.column_config.CheckboxColumn()},
        on_select=partial(_on_event, "evaluations", key, {}, keys), selection_mode="single-row",
    )
    if level == "agent" and not presenting:
        labels = {k: t("drilldown_eval_option", date=fmt.date(d), id=_s(i) or k, score=fmt.num(s))
                  for k, d, i, s in zip(keys, ev["eval_date"], ev["eval_id"], ev["total_score"])}
        pick = f"dd_pick_eval_{_nonce()}"
        st.selectbox(t("drilldown_pick_eval"), keys, index=None, placeholder=t("drilldown_pick_eval_ph"),
                     format_func=labels.__getitem__, key=pick, on_change=_on_pick, args=(pick, "evaluation", parent))


# --------------------------------------------------------------------------
# the child comparisons
# --------------------------------------------------------------------------


def _team_bars(metric: str, mkw: dict, teams: list[str], height_per: int, presenting: bool) -> None:
    m = get_metric(metric)
    st.subheader(t("drilldown_teams_title", metric=m.name(lang())))
    tc = call(drilldown.team_comparison, metric, **mkw)
    if tc.empty:
        st.info(t("drilldown_no_teams", metric=m.name(lang())))
    else:
        clustered = (tc["test"] == "cluster_t").any()  # a team's mean score: its agents are the unit
        st.caption(t("drilldown_teams_help_mean", n=int(tc["comparisons"].max())) if clustered
                   else t("drilldown_teams_help", n=int(tc["comparisons"].max())))
        fig = go.Figure()
        for a in ("better", "as expected", "worse"):
            sub = tc[tc["assessment"] == a]
            if sub.empty:
                continue
            hover = [f"<b>{tm}</b><br>{fmt.metric_value(v, m.unit)}<br>{t('drilldown_hover_n')}: {fmt.count(n)}"
                     f"<br>{t('drilldown_hover_ci')}: {fmt.metric_value(lo, m.unit)} – {fmt.metric_value(hi, m.unit)}"
                     for tm, v, n, lo, hi in zip(sub["team"], sub["value"], sub["n"], sub["ci_low"], sub["ci_high"])]
            fig.add_bar(
                orientation="h", y=sub["team"], x=sub["value"], customdata=sub[["team"]].to_numpy(),
                name=t(ASSESS_KEY[a]), marker_color=ASSESS_COLOR[a],
                error_x=dict(type="data", array=(sub["ci_high"] - sub["value"]).fillna(0),
                             arrayminus=(sub["value"] - sub["ci_low"]).fillna(0), color="#222", thickness=1.5,
                             width=5),
                text=[fmt.metric_value(v, m.unit) for v in sub["value"]], textposition="inside",
                insidetextanchor="middle", textfont=dict(color="white"),
                hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            )
        center = float(tc["center"].iloc[0])
        fig.add_vline(x=center, line_dash="dash", line_color="#444", line_width=2,
                      annotation_text=t("drilldown_center_line", value=fmt.metric_value(center, m.unit)),
                      annotation_position="top")
        order = list(tc["team"])
        ticks = [f"{tm}  <span style='color:#777'>n={fmt.count(n)}</span>" for tm, n in zip(tc["team"], tc["n"])]
        fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", tickvals=order,
                         ticktext=ticks, automargin=True)
        top = float(max(tc["ci_high"].max(skipna=True), tc["value"].max()))
        if m.kind == "mean" and top <= 100:
            fig.update_xaxes(range=[0, 100])
        else:
            fig.update_xaxes(range=[0, top * 1.08 if top > 0 else 1])
        _axis_format(fig, m.kind, "x")
        fig.update_layout(barmode="overlay", margin=dict(t=60, l=20))
        key = f"dd_teams_{_nonce()}"
        plot(fig, key=key, height=90 + height_per * len(tc), on_select=partial(_on_event, "center", key, {}))
    if not presenting:
        pick = f"dd_pick_team_{_nonce()}"
        st.selectbox(t("drilldown_pick_team"), teams, index=None, placeholder=t("drilldown_pick_team_ph"),
                     key=pick, on_change=_on_pick, args=(pick, "team", {}))


def _agent_funnel(metric: str, team: str, mkw: dict, kw: dict, height: int, presenting: bool) -> None:
    m = get_metric(metric)
    st.subheader(t("drilldown_agents_title", metric=m.name(lang())))
    af = call(drilldown.agent_funnel, metric, team, **mkw)
    if af.empty:
        st.info(t("drilldown_no_agents", metric=m.name(lang())))
    else:
        st.caption(t("drilldown_agents_help", n=int(af["comparisons"].max())))
        target, sd = float(af["target"].iloc[0]), float(af["sd"].iloc[0])
        n_lo, n_hi = float(af["n"].min()), float(af["n"].max())
        curves = funnel_curves(m.kind, target, None if math.isnan(sd) else sd, n_max=n_hi * 1.15,
                               n_min=max(1.0, n_lo * 0.8))
        fig = go.Figure()
        for tag, dash, name in (("998", "dash", t("drilldown_funnel_998")), ("95", "dot", t("drilldown_funnel_95"))):
            for side in ("lo", "hi"):
                fig.add_scatter(x=curves["n"], y=curves[side + tag], mode="lines", hoverinfo="skip",
                                line=dict(color=LIMIT, dash=dash, width=1.5), name=name, legendgroup=tag,
                                showlegend=side == "lo")
        fig.add_hline(y=target, line_color="#444", line_width=2,
                      annotation_text=t("drilldown_team_line", value=fmt.metric_value(target, m.unit)),
                      annotation_position="top left")
        labels = [_agent(a, n) for a, n in zip(af["agent_id"], af["agent_name"])]
        af = af.assign(label=labels)
        for a in ("better", "as expected", "worse"):
            sub = af[af["assessment"] == a]
            if sub.empty:
                continue
            hover = [f"<b>{lab}</b><br>{fmt.metric_value(v, m.unit)}<br>{t('drilldown_hover_n')}: {fmt.count(n)}"
                     for lab, v, n in zip(sub["label"], sub["value"], sub["n"])]
            outside = a != "as expected"
            fig.add_scatter(
                x=sub["n"], y=sub["value"], mode="markers+text" if outside else "markers",
                text=sub["label"] if outside else None, textposition="top center", cliponaxis=False,
                customdata=sub[["agent_id"]].to_numpy(), name=t(ASSESS_KEY[a]),
                marker=dict(color=ASSESS_COLOR[a] if a != "as expected" else PALETTE[0], size=12,
                            line=dict(color="white", width=1)),
                hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            )
        fig.update_xaxes(title_text=t(COUNT_KEY[m.source]) if m.source in COUNT_KEY else "n", automargin=True, title_standoff=6)
        _axis_format(fig, m.kind, "y")
        lo = min(af["value"].min(), curves["lo95"].min())
        hi = max(af["value"].max(), curves["hi95"].max())
        pad = (hi - lo) * 0.08 or 1.0
        fig.update_yaxes(range=[lo - pad, hi + 2 * pad])  # room above for the names of outliers
        fig.update_layout(margin=dict(t=100))
        key = f"dd_agents_{_nonce()}"
        plot(fig, key=key, height=height, on_select=partial(_on_event, "team", key, {"team": team}))
    if not presenting:
        ag = call(drilldown.agents, team=team, **kw)
        if len(ag):
            labels = {a: t("drilldown_agent_option", agent=_agent(a, n), n=fmt.count(k))
                      for a, n, k in zip(ag["agent_id"], ag["agent_name"], ag["evaluations"])}
            pick = f"dd_pick_agent_{_nonce()}"
            st.selectbox(t("drilldown_pick_agent"), list(labels), index=None,
                         placeholder=t("drilldown_pick_agent_ph"), format_func=labels.__getitem__, key=pick,
                         on_change=_on_pick, args=(pick, "agent", {"team": team}))


def _agent_vs_team(metric: str, team: str, agent: str, agent_name: str | None, mkw: dict) -> None:
    """One sentence: is this agent really different from the team (the team level's funnel)?"""
    m = get_metric(metric)
    af = call(drilldown.agent_funnel, metric, team, **mkw)
    row = af[af["agent_id"] == agent]
    if row.empty:
        return
    r = row.iloc[0]
    text = t("drilldown_agent_vs_team", agent=agent_label(agent, agent_name), metric=m.name(lang()),
             value=fmt.metric_value(r["value"], m.unit), n=fmt.count(r["n"]),
             target=fmt.metric_value(r["target"], m.unit),
             verdict=t(VS_TEAM_KEY[r["assessment"]]))
    {"better": st.success, "worse": st.warning}.get(r["assessment"], st.info)(text)


# --------------------------------------------------------------------------
# one evaluation
# --------------------------------------------------------------------------


def _yes_no(v) -> str:
    if v is None:
        return "—"
    return t("drilldown_yes") if bool(v) else t("drilldown_no")


def _evaluation(detail: dict) -> None:
    rec, items, history = detail["record"], detail["items"], detail["history"]
    st.subheader(t("drilldown_eval_title", id=rec.get("eval_id") or fmt.date(rec.get("eval_date"))))
    lost = float(items["points_lost"].sum()) if len(items) else float("nan")
    c = st.columns(5)
    c[0].metric(t("drilldown_eval_score"), fmt.num(rec.get("total_score")), border=True)
    c[1].metric(t("drilldown_eval_lost"), fmt.num(lost), border=True)
    c[2].metric(t("drilldown_eval_critical"), _yes_no(rec.get("critical_error")), border=True)
    c[3].metric(t("drilldown_eval_appeal"), _appeal(rec.get("appeal_status")) or t("drilldown_none"), border=True)
    c[4].metric(t("drilldown_eval_revisions"), fmt.count(rec.get("revisions", 0)), border=True)

    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"**{t('drilldown_eval_facts')}**")
        when = fmt.date(rec.get("eval_date"))
        if rec.get("eval_time") is not None:
            when += " " + pd.Timestamp(rec["eval_time"]).strftime("%H:%M")
        facts = [
            (t("drilldown_fact_when"), when),
            (t("drilldown_fact_agent"), agent_label(rec.get("agent_id"), rec.get("agent_name"))),
            (t("drilldown_fact_team"), rec.get("team") or "—"),
            (t("drilldown_fact_evaluator"), rec.get("evaluator") or "—"),
            (t("drilldown_fact_channel"), _channel(rec.get("channel"))),
            (t("drilldown_fact_contact"), rec.get("contact_id") or "—"),
            (t("drilldown_fact_batch"), t("drilldown_batch_label", batch=rec.get("batch_id"),
                                          file=rec.get("batch_file") or "—")),
        ]
        st.markdown("\n".join("- " + t("fact", label=label, value=f"**{_md(value)}**") for label, value in facts))
        st.markdown(f"**{t('drilldown_comments')}**")
        if rec.get("comments"):
            st.info(rec["comments"])
        else:
            st.caption(t("drilldown_no_comments"))
    with right:
        st.markdown(f"**{t('drilldown_items_title')}**")
        if items.empty:
            st.info(t("drilldown_no_items"))
        else:
            st.caption(t("drilldown_items_help"))
            it = items.assign(_na=items["not_applicable"].astype(int)).sort_values(
                ["_na", "points_lost", "item"], ascending=[True, False, True])
            show = pd.DataFrame({
                t("drilldown_col_item"): it["item"], t("drilldown_col_group"): it["item_group"],
                t("drilldown_col_lost"): it["points_lost"].where(~it["not_applicable"]),
                t("drilldown_col_na"): it["not_applicable"],
            })
            top = max(float(it["points_lost"].max()), 1.0)
            st.dataframe(show, hide_index=True, width="stretch", height=38 + 35 * len(show),
                         column_config={
                             t("drilldown_col_lost"): st.column_config.ProgressColumn(format="%g", min_value=0,
                                                                                      max_value=top),
                             t("drilldown_col_na"): st.column_config.CheckboxColumn()})

    st.subheader(t("drilldown_history_title"))
    if history.empty:
        st.caption(t("drilldown_no_history"))
        return
    last = history.iloc[-1]
    st.warning(t("drilldown_history_summary", n=len(history), before=fmt.num(last["score_before"]),
                 after=fmt.num(last["score_after"]), batch=last["replaced_by"],
                 file=_s(last["replaced_by_file"]) or "—",
                 when=pd.Timestamp(last["replaced_at"]).strftime("%Y-%m-%d %H:%M")))
    show = pd.DataFrame({
        t("drilldown_col_version"): history["version"],
        t("drilldown_col_score_change"): [f"{fmt.num(a)} → {fmt.num(b)}"
                                          for a, b in zip(history["score_before"], history["score_after"])],
        t("drilldown_col_critical_change"): [f"{_yes_no(a)} → {_yes_no(b)}"
                                             for a, b in zip(history["critical_before"], history["critical_after"])],
        t("drilldown_col_appeal_change"): [f"{_appeal(a) or t('drilldown_none')} → {_appeal(b) or t('drilldown_none')}"
                                           for a, b in zip(history["appeal_before"], history["appeal_after"])],
        t("drilldown_col_items_changed"): history["items_changed"],
        t("drilldown_col_replaced_by"): [t("drilldown_batch_label", batch=b, file=_s(f) or "—")
                                         for b, f in zip(history["replaced_by"], history["replaced_by_file"])],
        t("drilldown_col_replaced_at"): [pd.Timestamp(x).strftime("%Y-%m-%d %H:%M") for x in history["replaced_at"]],
    })
    st.dataframe(show, hide_index=True, width="stretch")


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------


def main() -> None:
    st.title(t("drilldown_title"))
    try:
        counts = {c["kind"]: c["records"] for c in call(store.record_counts)}
    except Exception as exc:  # a locked or corrupt file: say so, in words
        st.error(t("db_error", error=exc))
        st.stop()
    if not counts.get("monitoring"):
        st.info(t("drilldown_empty_db"))
        st.stop()

    f = sidebar_filters(show=("period", "grain", "eval_type", "channel"))
    presenting = is_presenting()
    mkw = f.metric_kwargs()
    mkw.pop("team", None)
    channel = mkw["channel"]
    teams = call(store.dimensions)["teams"]

    team = url_value("team", None) or None
    agent = url_value("agent", None) or None
    ev_key = url_value("eval", None) or None
    detail = None
    if ev_key:
        detail = call(drilldown.evaluation_detail, ev_key)
        if detail is None:
            st.warning(t("drilldown_unknown_eval", record=ev_key))
            ev_key = None
            set_url_value("eval", None)
        else:
            team, agent = detail["record"].get("team"), detail["record"].get("agent_id")
            set_url_value("team", team)
            set_url_value("agent", agent)
    if team and team not in teams:
        st.warning(t("drilldown_unknown_team", team=team))
        team = agent = None
        set_url_value("team", None)
        set_url_value("agent", None)
    agent_name = None
    if agent:
        if detail is not None:
            agent_name = detail["record"].get("agent_name")
        else:
            info = call(drilldown.agent_info, agent, f.date_from, f.date_to)
            if info is None:
                st.warning(t("drilldown_unknown_agent", agent=agent))
                agent = None
                set_url_value("agent", None)
            else:
                agent_name = info["agent_name"]
                if team is None and info["team"]:
                    team = info["team"]
                    set_url_value("team", team)
    level = drill_level(team, agent, ev_key)

    crumbs: list[tuple[str, dict | None]] = [(t("drilldown_center"), {})]
    if team:
        crumbs.append((team, {"team": team}))
    if agent:
        crumbs.append((agent_label(agent, agent_name), {"team": team, "agent": agent}))
    if ev_key:
        rec = detail["record"]
        crumbs.append((rec.get("eval_id") or fmt.date(rec.get("eval_date")), None))
    crumbs[-1] = (crumbs[-1][0], None)
    _breadcrumbs(crumbs)

    if level == "evaluation":
        _evaluation(detail)
        return

    if not presenting:
        st.caption(t("drilldown_intro"))
    prev = f.previous()
    st.caption(t("drilldown_period", start=fmt.date(f.date_from), end=fmt.date(f.date_to),
                 pstart=fmt.date(prev.date_from), pend=fmt.date(prev.date_to)))
    unit = {"team": team, "agent": agent}
    _headline(call(drilldown.headline, metrics=list(CARD_METRICS), **unit, **mkw))
    metric = _metric_choice()
    big = 560 if presenting else 0
    if level == "center":
        _team_bars(metric, mkw, teams, 60 if presenting else 40, presenting)
    elif level == "team":
        _agent_funnel(metric, team, mkw, {"date_from": f.date_from, "date_to": f.date_to, "channel": channel},
                      big or 440, presenting)
    elif level == "agent" and team:
        _agent_vs_team(metric, team, agent, agent_name, mkw)
    unit_name = {"center": t("drilldown_series_unit_center"), "team": team or "",
                 "agent": agent_label(agent, agent_name)}[level]
    kw = {"date_from": f.date_from, "date_to": f.date_to, "channel": channel, **unit}
    left, right = st.columns(2)
    with left:
        _trend(metric, f.grain, {**mkw, **unit}, unit_name, big or 340)
    with right:
        _distribution(kw, big or 340)
    _pareto(kw, big or 380, agent_label(agent, agent_name) if agent else None)
    _evaluation_list(kw, level, {"team": team, "agent": agent}, presenting)


main()
