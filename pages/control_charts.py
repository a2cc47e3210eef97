"""Control charts: one indicator for the center, a team or an agent, with its
signals in words and why this chart was chosen.

State in the URL: ``cc_metric``, ``cc_level``, ``team`` and ``agent`` (the
keys the filters and the drill-down share), ``cc_chart``, ``cc_rules`` and
``cc_base`` (``k6``: the first 6 periods; ``d2026-03-02``: the periods before
that date).  The period and the grain are the sidebar's.  Without ``cc_level``
the page opens where the user was: at the agent or the team another page (the
drill-down, a team filter) last chose.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics import store
from qa_analytics.analytics import metric_spc, metrics
from qa_analytics.analytics.metric_spc import chart_name, charts_for
from qa_analytics.analytics.metrics import get_metric
from qa_analytics.improvement import suggest
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import lang, say, says, t
from ui.page import ensure_app
from ui.presentation import agent_label, is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, GOOD, LIMIT, PALETTE, plot

#: level -> key
LEVEL_KEY: dict[str, str] = {
    "center": "control_charts_level_center",
    "team": "control_charts_level_team",
    "agent": "control_charts_level_agent",
}
#: rule set -> key
RULES_KEY: dict[str, str] = {
    "nelson": "control_charts_rules_nelson",
    "western_electric": "control_charts_rules_western_electric",
}
#: baseline mode -> key
BASE_KEY: dict[str, str] = {
    "none": "control_charts_base_none",
    "first": "control_charts_base_first",
    "date": "control_charts_base_date",
    "k": "control_charts_base_k",
    "until": "control_charts_base_until",
}
#: a signal's assessment -> key
SIGNAL_KEY: dict[str, str] = {
    "worse": "control_charts_sig_worse",
    "better": "control_charts_sig_better",
    "unusual": "control_charts_sig_unusual",
}

ensure_app()  # direct links on a fresh server: run inside app.py

LEVELS = ("center", "team", "agent")
RULES = ("nelson", "western_electric")
BASE_MODES = ("none", "first", "date")
SIGNAL_STYLE = {  # assessment -> (colour, marker, text mark)
    "worse": (BAD, "x", "✖"),
    "better": (GOOD, "star", "★"),
    "unusual": (PALETTE[1], "square", "■"),
}
TEXT_COLOR = {"worse": "red", "better": "green", "unusual": "orange"}



def _pick(label: str, options: list, url_key: str, default, labels: dict, widget, container=st, initial=None,
          **kw):
    """A selector whose value lives in the URL (``default`` is left out of it; ``initial``,
    when given, is the choice before the user made one).  On the projector there is no
    selector: the URL's value is used as it is."""
    current = url_value(url_key, default if initial is None else initial)
    if current not in options:
        current = default if default in options else options[0]
    if presenting:
        return current
    value = getattr(container, widget)(label, options, index=options.index(current),
                                       format_func=labels.__getitem__, key=f"cc_{url_key}", **kw)
    set_url_value(url_key, None if value == default else value)
    return value


presenting = is_presenting()
st.title(t("control_charts_title"))
if not presenting:
    st.caption(t("control_charts_intro"))

f = sidebar_filters(show=("period", "grain", "channel"))
mkw = f.metric_kwargs()
lg = lang()
dims = call(store.dimensions)

# ---- what to chart ---------------------------------------------------------------------------
metric_ids = call(metrics.metric_ids)
metric_labels = {m: get_metric(m).name(lg) for m in metric_ids}
top = st.columns([3, 3, 2, 3]) if not presenting else [st.empty() for _ in range(4)]
with top[0]:
    metric = _pick(t("control_charts_metric"), metric_ids, "cc_metric", "qa_mean_score", metric_labels, "selectbox")
m = get_metric(metric)
levels = [lv for lv in LEVELS if lv in m.levels]
level_labels = {lv: t(LEVEL_KEY[lv]) for lv in LEVELS}
# no level in the URL: open where the user was (a team or an agent picked on another page)
default_level = "agent" if url_value("agent", None) else "team" if url_value("team", None) else "center"
with top[1]:
    level = _pick(t("control_charts_level"), levels, "cc_level", "center", level_labels, "radio", horizontal=True,
                  initial=default_level)

key: str | None = None
team: str | None = None
unit_label = t("control_charts_unit_center")
if level in ("team", "agent"):
    teams = list(dims["teams"])
    if not teams:
        st.info(t("control_charts_no_team"))
        st.stop()
    with top[2]:
        team = _pick(t("control_charts_team"), teams, "team", None, {x: x for x in teams}, "selectbox")
    key, unit_label = team, team
    if level == "agent":
        agents = call(metric_spc.agent_choices, team=team, date_from=f.date_from, date_to=f.date_to)
        if agents.empty:
            st.info(t("control_charts_no_agent"))
            st.stop()
        agent_labels = {a: agent_label(a, n) for a, n in zip(agents["agent_id"], agents["agent_name"])}
        with top[3]:
            agent = _pick(t("control_charts_agent"), list(agent_labels), "agent", None, agent_labels, "selectbox")
        key, unit_label = agent, agent_labels[agent]

# ---- how to chart ----------------------------------------------------------------------------
charts = list(charts_for(m))
chart_labels = {c: t("control_charts_chart_auto_plain") if c == "auto" else chart_name(c, lg) for c in charts}
rule_labels = {r: t(RULES_KEY[r]) for r in RULES}
base_labels = {b: t(BASE_KEY[b]) for b in BASE_MODES}
raw_base = url_value("cc_base", "") or ""
base_mode = "first" if raw_base.startswith("k") else "date" if raw_base.startswith("d") else "none"
settings = st.expander(t("control_charts_settings"), expanded=raw_base != "") if not presenting else st.container()
with settings:
    if presenting:  # the projector shows the chart, not the knobs
        chart = url_value("cc_chart", "auto")
        chart = chart if chart in charts else "auto"
        rules = url_value("cc_rules", "nelson")
        rules = rules if rules in RULES else "nelson"
    else:
        c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
        chart = _pick(t("control_charts_chart"), charts, "cc_chart", "auto", chart_labels, "selectbox", container=c1)
        rules = _pick(t("control_charts_rules"), list(RULES), "cc_rules", "nelson", rule_labels, "radio", container=c2)
        base_mode = c3.selectbox(t("control_charts_baseline"), BASE_MODES, index=BASE_MODES.index(base_mode),
                                 format_func=base_labels.__getitem__, key="cc_base_mode", help=t("control_charts_base_help"))
    baseline: int | dt.date | None = None
    if base_mode == "first":
        k0 = int(raw_base[1:]) if raw_base[1:].isdigit() else 6
        baseline = k0 if presenting else int(c4.number_input(t("control_charts_base_k"), min_value=2, max_value=200,
                                                             value=max(2, k0), step=1, key="cc_base_k"))
        set_url_value("cc_base", f"k{baseline}")
    elif base_mode == "date":
        try:
            d0 = dt.date.fromisoformat(raw_base[1:])
        except ValueError:
            d0 = f.date_from + (f.date_to - f.date_from) / 2
        baseline = d0 if presenting else c4.date_input(t("control_charts_base_until"), value=d0, key="cc_base_date")
        set_url_value("cc_base", f"d{baseline.isoformat()}")
    else:
        set_url_value("cc_base", None)

# ---- the chart -------------------------------------------------------------------------------
args = dict(level=level, key=key, grain=f.grain, date_from=f.date_from, date_to=f.date_to, chart=chart,
            rules=rules, channel=mkw["channel"])
try:
    try:
        res = call(metric_spc.indicator_control_chart, metric, baseline=baseline, **args)
    except ValueError as exc:
        if baseline is None:
            raise
        st.warning(t("control_charts_base_invalid", error=exc))
        res = call(metric_spc.indicator_control_chart, metric, baseline=None, **args)
except ValueError as exc:
    st.error(t("control_charts_error", error=exc))
    st.stop()

name = m.name(lg)
if res.problem == "no_data":
    st.info(t("control_charts_no_data", metric=name))
    st.stop()
if res.problem == "too_few_points":
    st.info(t("control_charts_too_few", metric=name))
    st.stop()

df = res.data
episodes = res.main_episodes
if not episodes:
    st.success(t("control_charts_stable", metric=name, unit=unit_label))
else:
    worse = sum(e["assessment"] == "worse" for e in episodes)
    better = sum(e["assessment"] == "better" for e in episodes)
    # the headline: worse before better, a run or a point beyond the limits before a zone pattern, recent first
    latest = max(episodes, key=lambda e: (e["assessment"] == "worse", e["kind"] != "zone", e["end"], e["points"]))
    box = st.warning if worse else st.info
    box(t("control_charts_summary", metric=name, unit=unit_label, n=len(episodes), worse=worse, better=better,
           main=say(latest["text"])))

# what the plotted value is: a share, a count, a count per day, or the metric's own unit
if res.chart in ("p", "p_prime") or (res.chart == "xmr" and m.kind == "rate"):
    unit = "share"
elif res.chart in ("np", "c") or (res.chart == "xmr" and m.kind == "count"):
    unit = "count"
elif res.chart in ("u", "u_prime"):
    unit = "per_day"
else:
    unit = m.unit


def show(x: float) -> str:
    return fmt.num(x, 2) if unit == "per_day" else fmt.metric_value(x, unit)


x = says(df["label"])
value, center, lcl, ucl, sigma = (df[c].to_numpy(float) for c in ("value", "center", "lcl", "ucl", "sigma"))
fig = go.Figure()
# zones: +-2 sigma lighter, +-1 sigma a little darker; stepped like the limits, inside them
for k, alpha, label in ((2, 0.06, t("control_charts_zone2")), (1, 0.10, t("control_charts_zone1"))):
    lo = pd.Series(center - k * sigma).clip(lower=lcl, upper=ucl)
    hi = pd.Series(center + k * sigma).clip(lower=lcl, upper=ucl)
    edge = dict(width=0, shape="hvh", color="rgba(0,0,0,0)")  # invisible even when the projector thickens lines
    fig.add_scatter(x=x, y=lo, mode="lines", line=edge, hoverinfo="skip", showlegend=False)
    fig.add_scatter(x=x, y=hi, mode="lines", line=edge, fill="tonexty",
                    fillcolor=f"rgba(0,114,178,{alpha})", hoverinfo="skip", name=label)
for series, label, dash in ((ucl, t("control_charts_ucl"), "dash"), (lcl, t("control_charts_lcl"), "dash")):
    fig.add_scatter(x=x, y=series, mode="lines", line=dict(color=LIMIT, width=2, dash=dash, shape="hvh"),
                    name=label, hoverinfo="skip", showlegend=False)
fig.add_scatter(x=x, y=center, mode="lines", line=dict(color="#444", width=2, shape="hvh"), name=t("control_charts_center"),
                hoverinfo="skip", showlegend=False)
hover = [t("control_charts_hover", label=lab, value=show(v), n=fmt.count(n), lcl=show(lo), ucl=show(hi))
         for lab, v, n, lo, hi in zip(x, value, df["n"], lcl, ucl)]
fig.add_scatter(x=x, y=value, mode="lines+markers", name=t("control_charts_value"), line=dict(color=PALETTE[0], width=2),
                marker=dict(size=7, color=PALETTE[0]), hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>")
for assess, (colour, symbol, _mark) in SIGNAL_STYLE.items():
    sub = df[df["assessment"] == assess]
    if sub.empty:
        continue
    idx = sub.index.to_list()
    fig.add_scatter(x=[x[i] for i in idx], y=sub["value"], mode="markers", name=t(SIGNAL_KEY[assess]),
                    marker=dict(size=15, color=colour, symbol=symbol, line=dict(color="white", width=1)),
                    hovertext=[hover[i] + "<br><b>" + "<br>".join(
                        say(s["what"])
                        for s in res.signals if s["period"] == df["period"].iloc[i]) + "</b>" for i in idx],
                    hovertemplate="%{hovertext}<extra></extra>")
    if presenting:  # the projector theme sets every marker to one size: the signals get a big symbol on top
        for i in idx:
            fig.add_annotation(x=x[i], y=float(df["value"].iloc[i]), text=_mark, showarrow=False,
                               font=dict(size=34, color=colour))
# the limits and the center line named at the right edge, with their last value
for y, label in ((ucl[-1], t("control_charts_ucl")), (center[-1], t("control_charts_center")),
                 (lcl[-1], t("control_charts_lcl"))):
    fig.add_annotation(x=1.0, xref="paper", y=y, xanchor="left", showarrow=False, text=f"{label} {show(y)}",
                       font=dict(size=20 if presenting else 12, color="#222"))
if res.baseline:
    fig.add_vrect(x0=-0.5, x1=res.baseline - 0.5, fillcolor="#999", opacity=0.10, line_width=0,
                  annotation_text=t("control_charts_baseline_band"), annotation_position="top left")
if unit == "share":
    fig.update_yaxes(tickformat=".0%" if (ucl.max() - lcl.min()) > 0.05 else ".1%")
y_title = t("control_charts_per_day", metric=name) if unit == "per_day" else name
long_labels = max(len(v) for v in x) > 8  # 2026年第17周, 20 Apr 2026...
step = max(1, -(-len(x) // (8 if long_labels else 12)))  # at most 8-12 labels on the axis
fig.update_xaxes(type="category", tickvals=x[::step], ticktext=x[::step], tickangle=-30 if long_labels else 0,
                 automargin=True)
fig.update_yaxes(title_text=y_title, automargin=True)
fig.update_layout(
    title=t("control_charts_chart_title", metric=name, unit=unit_label, chart=chart_name(res.chart, lg)),
    margin=dict(r=210 if presenting else 130, t=90), hovermode="closest",
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
)
# the improvement actions on this indicator for this unit, where they took effect, with their verdict
marks = ui_actions.chart_actions(metric, team=team if level in ("team", "agent") else None,
                                 agent=key if level == "agent" else None, date_from=f.date_from, date_to=f.date_to)
ui_actions.mark(fig, marks, ui_actions.period_locator(df["period"], x), presenting)
plot(fig, key="cc_chart_fig", height=620 if presenting else 470)
if not presenting:
    st.caption(t("control_charts_read"))
    ui_actions.marks_caption(marks)

# ---- beneath an x-bar chart, its S chart: a mean is read only while the spread is in control ----
if res.spread is not None and not presenting:
    sp = res.spread
    sfig = go.Figure()
    for series in (sp["ucl"], sp["lcl"]):
        sfig.add_scatter(x=x, y=series, mode="lines", line=dict(color=LIMIT, width=1.5, dash="dash", shape="hvh"),
                         hoverinfo="skip")
    sfig.add_scatter(x=x, y=sp["center"], mode="lines", line=dict(color="#444", width=1.5, shape="hvh"),
                     hoverinfo="skip")
    beyond = sp["beyond"].to_numpy(bool)
    sfig.add_scatter(
        x=x, y=sp["value"], mode="lines+markers", line=dict(color=PALETTE[0], width=2),
        marker=dict(size=[13 if b else 7 for b in beyond], color=[BAD if b else PALETTE[0] for b in beyond]),
        hovertext=[t("control_charts_s_hover", label=lab, sd=fmt.num(v, 2), n=fmt.count(n), ucl=fmt.num(u, 2))
                   for lab, v, n, u in zip(x, sp["value"], sp["n"], sp["ucl"])],
        hovertemplate="%{hovertext}<extra></extra>")
    sfig.update_xaxes(type="category", tickvals=x[::step], ticktext=x[::step], tickangle=-30 if long_labels else 0,
                      automargin=True)
    sfig.update_yaxes(title_text=t("control_charts_s_axis"), automargin=True)
    sfig.update_layout(title=t("control_charts_s_title"), showlegend=False, margin=dict(r=130, t=60))
    plot(sfig, key="cc_spread_fig", height=280)
    n_out = int(beyond.sum())
    st.caption(t("sentences", first=t("control_charts_s_read"), then=t("control_charts_s_out", n=n_out))
               if n_out else t("control_charts_s_read"))

# ---- the signals in words, and why this chart ----------------------------------------------------
left, right = st.columns([3, 2]) if not presenting else (st.container(), None)
with left:
    st.subheader(t("control_charts_signals_title"))
    if not episodes:
        st.write(t("control_charts_no_signals"))
    for e in episodes:
        colour = TEXT_COLOR[e["assessment"]]
        st.markdown(f":{colour}[{SIGNAL_STYLE[e['assessment']][2]}] {say(e['text'])}")
    at = df.set_index("period")
    suggestions = [s for e in episodes
                   if (s := suggest.from_episode(m, e, level=level, key=key, unit_name=unit_label, chart=res.chart,
                                                 grain=f.grain, point=at.loc[e["end"]])) is not None]
    if suggestions and not presenting:
        st.markdown(f"**{t('act_suggestions')}**")
        ui_actions.offer(suggestions, key="cc_suggest")
    if res.signals and not presenting:
        with st.expander(t("control_charts_all_signals", n=len(res.signals))):
            for s in res.signals:
                st.markdown(f":{TEXT_COLOR[s['assessment']]}[{SIGNAL_STYLE[s['assessment']][2]}] {say(s['text'])}")
if right is not None:
    with right:
        st.subheader(t("control_charts_why"))
        st.info(res.reason_text(lg), icon=":material/help:")

if not presenting:
    with st.expander(t("control_charts_data")):
        table = pd.DataFrame({
            t("control_charts_col_period"): says(df["label"]),
            t("control_charts_col_value"): [show(v) for v in value],
            t("control_charts_col_n"): [fmt.count(n) for n in df["n"]],
            t("control_charts_col_center"): [show(v) for v in center],
            t("control_charts_col_lcl"): [show(v) for v in lcl],
            t("control_charts_col_ucl"): [show(v) for v in ucl],
            t("control_charts_col_signal"): [", ".join(str(r) for r in s) for s in df["signals"]],
        })
        st.dataframe(table, hide_index=True, width="stretch")
