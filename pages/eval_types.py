"""Evaluation types side by side: internal QA, call tests per tester type,
the mystery shopper and customer satisfaction on one 0-100 scale, and the gap
between what internal evaluation says and what outsiders and customers say.

The data shaping is ``qa_analytics.views.eval_types``; the period, grain, team and
channel are the sidebar's; the QA pass mark lives in the URL (``pass``).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics.analytics.metrics import get_metric
from qa_analytics.views import eval_types
from qa_analytics.views.eval_types import SERIES, qa_pass_rate_metric
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import lang, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, PALETTE, plot

ensure_app()  # direct links on a fresh server: run inside app.py

STYLE = {  # series -> (colour, dash)
    "qa_score": (PALETTE[0], "solid"),
    "nonvoice_qa_score": (PALETTE[4], "solid"),
    "qa_call_test_pass": ("#555555", "solid"),
    "leadership_call_test_pass": (PALETTE[5], "solid"),
    "third_party_pass": (PALETTE[3], "dash"),
    "third_party_score": (PALETTE[1], "dash"),
    "satisfaction": (PALETTE[2], "dot"),
}
VIEW_COLOR = {"internal": PALETTE[0], "external": PALETTE[3], "customer": PALETTE[2]}
MIN_N = 10  # fewer records than this in a period: drawn hollow
KIND_BG, STRICT_BG = "background-color: #F6D5C3", "background-color: #D3E6F3"



def pts(x: float) -> str:
    """A difference of two shares in percentage points, signed."""
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x * 100:+.1f}"


def pval(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


presenting = is_presenting()
lg = lang()
st.title(t("eval_types_title"))
if not presenting:
    st.caption(t("eval_types_intro"))
f = sidebar_filters(show=("period", "grain", "team", "channel"))
channel = f.metric_kwargs()["channel"]
kw = dict(date_from=f.date_from, date_to=f.date_to, channel=channel)

# ---- every type on one scale ---------------------------------------------------------------
st.subheader(t("eval_types_scale_title"))
s = call(eval_types.eval_type_series, grain=f.grain, team=f.team, **kw)
if s.empty:
    st.info(t("eval_types_no_data"))
    st.stop()
if not presenting:
    st.caption(t("eval_types_scale_help"))
names = {x.id: t("eval_types_points" if x.unit == "points" else "eval_types_percent", name=x.name(lg)) for x in SERIES}
fig = go.Figure()
for sid in dict.fromkeys(s["series"]):
    sub = s[s["series"] == sid]
    colour, dash = STYLE[sid]
    hover = [t("eval_types_hover", name=names[sid], period=fmt.period(p, f.grain), value=fmt.num(v), n=fmt.count(n),
                lo=fmt.num(lo), hi=fmt.num(hi))
             for p, v, n, lo, hi in zip(sub["period"], sub["value"], sub["n"], sub["ci_low"], sub["ci_high"])]
    few = sub["n"].to_numpy() < MIN_N  # a rate from a handful of tests jumps around: hollow, faint line
    fig.add_scatter(x=[fmt.period(p, f.grain) for p in sub["period"]], y=sub["value"], name=names[sid],
                    mode="lines+markers", opacity=0.45 if few.mean() > 0.5 else 1.0,
                    line=dict(color=colour, dash=dash, width=2.5),
                    marker=dict(size=9, color=["white" if x_ else colour for x_ in few],
                                line=dict(color=colour, width=2)),
                    hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
periods = sorted(set(s["period"]))
labels = [fmt.period(p, f.grain) for p in periods]
low = float(s["value"].min())
fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickangle=0, automargin=True)
fig.update_yaxes(range=[max(0.0, math.floor(low / 10) * 10 - 5), 101], title_text=t("eval_types_axis"), automargin=True)
fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                  margin=dict(t=20, b=20), hovermode="closest")
plot(fig, key="et_scale", height=560 if presenting else 440)

# ---- internal vs external vs customers -------------------------------------------------------
st.subheader(t("eval_types_gap_title"))
pass_mark = url_value("pass", 80.0, float) or 80.0
if not presenting:
    left, right = st.columns([4, 1])
    left.caption(t("eval_types_gap_help"))
    pass_mark = float(right.number_input(t("eval_types_pass_mark"), min_value=0.0, max_value=100.0, value=float(pass_mark),
                                         step=5.0, key="et_pass"))
set_url_value("pass", None if pass_mark == 80.0 else pass_mark, lambda v: f"{v:g}")
tab = call(eval_types.gap_table, team=None, pass_mark=pass_mark, **kw)  # the center first, then every team
chosen = tab[tab["level_key"] == f.team] if f.team else tab.iloc[:0]
if f.team and chosen.empty:
    st.info(t("eval_types_no_data"))
    st.stop()
head = chosen.iloc[0] if len(chosen) else tab.iloc[0]  # the sidebar's team, else the whole center
view_names = {"internal": qa_pass_rate_metric(pass_mark).name(lg),
              "external": get_metric("external_call_test_pass_rate").name(lg),
              "customer": get_metric("satisfaction_rate").name(lg)}
cols = st.columns(3)
cols[0].metric(view_names["internal"], fmt.pct(head["internal"]), help=t("eval_types_n", n=fmt.count(head["internal_n"])),
               border=True)
for col, view in zip(cols[1:], ("external", "customer")):
    gap = head[view] - head["internal"]
    flagged = bool(head[f"flag_{view}"])
    col.metric(view_names[view], fmt.pct(head[view]), border=True, help=t("eval_types_n", n=fmt.count(head[f"{view}_n"])),
               delta=None if math.isnan(gap) else t("eval_types_delta", gap=f"{gap * 100:+.1f}"),
               delta_arrow="off" if math.isnan(gap) or abs(gap) < 0.0005 else "up" if gap > 0 else "down",
               delta_color=("red" if gap < 0 else "blue") if flagged else "gray")
words = dict(internal=fmt.pct(head["internal"]), external=fmt.pct(head["external"]))
if head["external_n"] == 0 or math.isnan(head["internal"]):
    st.info(t("eval_types_no_external"))
else:
    gap = head["gap_external"]
    common = dict(words, gap=f"{abs(gap) * 100:.1f}", p=pval(head["p_external"]), n=fmt.count(head["external_n"]))
    if bool(head["flag_external"]) and gap > 0:
        st.warning(t("eval_types_gap_kind", **common))
    elif bool(head["flag_external"]):
        st.info(t("eval_types_gap_strict", **common))
    else:
        st.success(t("eval_types_gap_agree", **common))
if head["customer_n"] == 0 or math.isnan(head["internal"]):
    st.caption(t("eval_types_no_customer"))
else:
    key = "eval_types_cust_flag" if bool(head["flag_customer"]) else "eval_types_cust_agree"
    st.markdown(t(key, customer=fmt.pct(head["customer"]), gap=f"{abs(head['gap_customer']) * 100:.1f}"))

g = call(eval_types.gap_by_period, grain=f.grain, team=f.team, pass_mark=pass_mark, **kw)
if len(g):
    st.markdown(f"**{t('eval_types_period_title')}**")
    if not presenting:
        st.caption(t("eval_types_period_help"))
    x = [fmt.period(p, f.grain) for p in g["period"]]
    fig = go.Figure()
    both = g["internal"].notna() & g["external"].notna()
    # the gap: a band from the external to the internal rate where both exist
    for i in [i for i in range(len(g)) if both.iloc[i]]:
        lo, hi = sorted([g["external"].iloc[i], g["internal"].iloc[i]])
        fig.add_shape(type="rect", x0=i - 0.3, x1=i + 0.3, y0=lo, y1=hi, line_width=0,
                      fillcolor=BAD if bool(g["flag_external"].iloc[i]) else "#999", opacity=0.18)
        if bool(g["flag_external"].iloc[i]):  # said beside the band, clear of the lines
            fig.add_annotation(x=i + 0.32, y=(lo + hi) / 2, xanchor="left", showarrow=False,
                               font=dict(color=BAD, size=13),
                               text=t("eval_types_gap_label",
                                      gap=f"{(g['internal'].iloc[i] - g['external'].iloc[i]) * 100:+.1f}"))
    for view in ("internal", "external", "customer"):
        hover = [f"{view_names[view]}<br>{lab}: {fmt.pct(v)}<br>{t('eval_types_n', n=fmt.count(n))}"
                 for lab, v, n in zip(x, g[view], g[f"{view}_n"])]
        fig.add_scatter(x=x, y=g[view], name=view_names[view], mode="lines+markers", connectgaps=False,
                        line=dict(color=VIEW_COLOR[view], width=2.5, dash={"internal": "solid", "external": "dash",
                                                                            "customer": "dot"}[view]),
                        marker=dict(size=11 if view == "external" else 8, color=VIEW_COLOR[view]),
                        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x, tickangle=0, automargin=True)
    fig.update_yaxes(tickformat=".0%", automargin=True)
    fig.update_layout(margin=dict(t=30, b=20), hovermode="closest")
    plot(fig, key="et_gap", height=480 if presenting else 360)

# ---- by team ------------------------------------------------------------------------------------------
if not presenting:
    st.subheader(t("eval_types_team_title"))
    st.caption(t("eval_types_team_help", team=t("eval_types_team_selected", team=f.team) if f.team else ""))
    show = pd.DataFrame({
        t("eval_types_col_team"): [t("eval_types_center") if k == "center" else k for k in tab["level_key"]],
        t("eval_types_col_qa_mean"): tab["qa_mean"],
        t("eval_types_col_internal"): tab["internal"],
        t("eval_types_col_internal_n"): tab["internal_n"],
        t("eval_types_col_external"): tab["external"],
        t("eval_types_col_external_n"): tab["external_n"],
        t("eval_types_col_customer"): tab["customer"],
        t("eval_types_col_customer_n"): tab["customer_n"],
        t("eval_types_col_gap_external"): tab["gap_external"],
        t("eval_types_col_gap_customer"): tab["gap_customer"],
    })

    def _colour(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for view, col in (("external", t("eval_types_col_gap_external")), ("customer", t("eval_types_col_gap_customer"))):
            flag, gap = tab[f"flag_{view}"].to_numpy(bool), tab[f"gap_{view}"].to_numpy(float)
            out[col] = [(KIND_BG if g_ > 0 else STRICT_BG) if fl else "" for fl, g_ in zip(flag, gap)]
        bold = [k == "center" or k == f.team for k in tab["level_key"]]
        for i, b in enumerate(bold):
            if b:
                out.iloc[i] = out.iloc[i].map(lambda c: (c + "; " if c else "") + "font-weight: bold")
        return out

    share_cols = [t("eval_types_col_internal"), t("eval_types_col_external"), t("eval_types_col_customer")]
    styled = (show.style.apply(_colour, axis=None)
              .format(lambda v: fmt.pct(v), subset=share_cols)
              .format(lambda v: fmt.num(v), subset=[t("eval_types_col_qa_mean")])
              .format(lambda v: fmt.count(v), subset=[t("eval_types_col_internal_n"), t("eval_types_col_external_n"),
                                                      t("eval_types_col_customer_n")])
              .format(pts, subset=[t("eval_types_col_gap_external"), t("eval_types_col_gap_customer")]))
    st.dataframe(styled, hide_index=True, width="stretch")
