"""The monthly review of the QA staff: workload against the quota, leniency,
score distributions, calibration agreement, and appeals."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from qa_analytics.analytics import evaluators
from qa_analytics.core.calendar import cn_calendar
from qa_analytics.improvement import suggest
from qa_analytics.views import review
from qa_analytics.views.review import alpha_band
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import join, lang, month_tick, says, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, GOOD, NEUTRAL, PALETTE, plot

#: Krippendorff's band -> key
BAND_KEY: dict[str, str] = {
    "good": "evaluators_band_good",
    "tentative": "evaluators_band_tentative",
    "low": "evaluators_band_low",
    "none": "evaluators_band_none",
}
#: calendar mode -> key
CAL_KEY: dict[str, str] = {"cn": "evaluators_cal_cn", "hol": "evaluators_cal_hol", "mf": "evaluators_cal_mf"}
#: grain -> the per-period heading's key
BY_PERIOD_KEY: dict[str, str] = {
    "day": "evaluators_by_period_day",
    "week": "evaluators_by_period_week",
    "month": "evaluators_by_period_month",
}

ensure_app()  # direct links on a fresh server: run inside app.py

LENIENT, SEVERE, IN_LINE, FEW = "#E69F00", "#0072B2", NEUTRAL, "#c8c8c8"
LABEL_COLOUR = {"lenient": LENIENT, "severe": SEVERE, "in line": IN_LINE, "insufficient data": FEW}
BAND_COLOUR = {"good": GOOD, "tentative": "#E69F00", "low": BAD, "none": FEW}
MIN_DIFF = 2.0  # points: smaller differences are "in line" however significant
DEFAULT_QUOTA = 20

st.title(t("evaluators_title"))
st.caption(t("evaluators_intro"))

f = sidebar_filters(show=("period", "grain"))
presenting = is_presenting()
grain = f.grain if f.grain in ("day", "week", "month") else "month"
d0, d1 = f.date_from, f.date_to


def draw(fig, key: str, height: int) -> None:
    """Draw with the shared theme; labels never cut off, and taller on the projector (larger type)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    plot(fig, key=key, height=int(height * (1.45 if presenting else 1)))


def short_periods(starts: list, g: str) -> dict:
    """Compact tick labels: Jan / 1月 (with the year when the range spans years), W7, 2/14."""
    years = {pd.Timestamp(p).year for p in starts}
    out = {}
    for p in starts:
        d = pd.Timestamp(p)
        if g == "month":
            out[p] = month_tick(d, with_year=len(years) > 1)
        elif g == "week":
            out[p] = f"W{d.isocalendar()[1]}"
        else:
            out[p] = f"{d.month}/{d.day}"
    return out


def _quota() -> int:
    q = url_value("quota", DEFAULT_QUOTA, int)
    return q if 1 <= q <= 500 else DEFAULT_QUOTA


quota = _quota()
CAL_MODES = ("cn", "hol", "mf")
cal_mode = url_value("cal", "cn")
cal_mode = cal_mode if cal_mode in CAL_MODES else "cn"
cal = cn_calendar(d0, d1, cal_mode)
hol, extra = cal["holidays"], cal["extra_workdays"]

try:
    work = call(review.workload, d0, d1, daily_quota=float(quota), holidays=hol, extra_workdays=extra)
except Exception as exc:  # a locked or broken database: say so in words
    st.error(t("evaluators_db_error", error=exc))
    st.stop()

if work.empty:
    st.info(t("evaluators_empty"))
    st.stop()

len_df = call(review.leniency_review, d0, d1, min_diff=MIN_DIFF)
agree_all = call(evaluators.calibration_agreement, d0, d1, grain=None)

# --- headline -------------------------------------------------------------------------------
lenient = len_df[len_df["label"] == "lenient"]
severe = len_df[len_df["label"] == "severe"]
for _, r in lenient.iterrows():
    st.warning(t("evaluators_headline_lenient", name=r["evaluator"], diff=fmt.num(r["mean_diff"]),
                 lo=fmt.num(r["ci_low"]), hi=fmt.num(r["ci_high"])), icon=":material/arrow_upward:")
for _, r in severe.iterrows():
    st.warning(t("evaluators_headline_severe", name=r["evaluator"], diff=fmt.num(-r["mean_diff"]),
                 lo=fmt.num(-r["ci_high"]), hi=fmt.num(-r["ci_low"])), icon=":material/arrow_downward:")
if lenient.empty and severe.empty:
    st.success(t("evaluators_headline_none", d=fmt.num(MIN_DIFF, 0)))

n_ev = len(work)
met = int(work["quota_met"].sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("evaluators_kpi_evaluations"), fmt.count(work["evaluations"].sum()))
c2.metric(t("evaluators_kpi_per_day"), fmt.num(work["per_day"].mean()), t("evaluators_kpi_quota", quota=quota),
          delta_color="off", delta_arrow="off", help=t("evaluators_kpi_per_day_help", quota=quota))
c3.metric(t("evaluators_kpi_quota_met"), t("evaluators_n_of", n=met, total=n_ev))
alpha_all = float(agree_all["alpha"].iloc[0]) if len(agree_all) else float("nan")
c4.metric(t("evaluators_kpi_alpha"), fmt.num(alpha_all, 2),
          t(BAND_KEY[alpha_band(alpha_all)]), delta_color="off", delta_arrow="off",
          help=t("evaluators_kpi_alpha_help"))

# --- workload -------------------------------------------------------------------------------
st.subheader(t("evaluators_workload"))
if not presenting:
    left, right = st.columns([1, 3])
    new_quota = left.number_input(t("evaluators_quota"), min_value=1, max_value=500, value=quota, step=1,
                                  key="ev_quota")
    if int(new_quota) != quota:
        set_url_value("quota", int(new_quota))
        st.rerun()
    cal_labels = {m: t(CAL_KEY[m]) for m in CAL_MODES}
    cal_choice = right.radio(t("evaluators_cal"), CAL_MODES, index=CAL_MODES.index(cal_mode), horizontal=True,
                             format_func=cal_labels.__getitem__, key="ev_cal")
    if cal_choice != cal_mode:
        set_url_value("cal", None if cal_choice == "cn" else cal_choice)
        st.rerun()
if cal["missing_years"]:
    st.caption(t("evaluators_cal_missing", years=", ".join(map(str, cal["missing_years"]))))
wd = int(work["working_days"].iloc[0])
st.caption(t("evaluators_workload_help", quota=quota, days=wd, total=fmt.count(quota * wd)))

w = work.sort_values("per_day")
fig = go.Figure(go.Bar(
    x=w["per_day"], y=w["evaluator"], orientation="h",
    marker_color=[GOOD if m else PALETTE[0] for m in w["quota_met"]],
    text=[t("evaluators_bar_text", per_day=fmt.num(p), n=fmt.count(n), pct=fmt.pct(r, 0))
          for p, n, r in zip(w["per_day"], w["evaluations"], w["quota_ratio"])],
    textposition="inside", insidetextanchor="start", textfont_color="white",
    hovertemplate="%{y}: %{x:.1f}<extra></extra>",
))
fig.add_vline(x=quota, line_dash="dash", line_color=BAD, line_width=2,
              annotation_text=t("evaluators_quota_line", quota=quota), annotation_position="top")
fig.update_layout(xaxis_title=t("evaluators_axis_per_day"), yaxis_title=None, showlegend=False,
                  xaxis_range=[0, max(quota, float(w["per_day"].max())) * 1.08], margin_t=40)
draw(fig, key="ev_workload", height=70 + 42 * len(w))

act = call(review.activity, d0, d1, grain, daily_quota=float(quota), holidays=hol,
           extra_workdays=extra)
if len(act):
    st.markdown("**" + t(BY_PERIOD_KEY[grain]) + "**")
    if grain != f.grain:
        st.caption(t("evaluators_grain_note"))
    names = list(w["evaluator"][::-1])
    ncols = 4
    nrows = -(-len(names) // ncols)
    sub = make_subplots(rows=nrows, cols=ncols, shared_yaxes=True, subplot_titles=names,
                        vertical_spacing=0.18 if nrows > 1 else 0.1, horizontal_spacing=0.03)
    labels = short_periods(list(act["period_start"].drop_duplicates()), grain)
    for i, name in enumerate(names):
        g = act[act["evaluator"] == name]
        row, col = i // ncols + 1, i % ncols + 1
        xs = [labels[p] for p in g["period_start"]]
        sub.add_trace(go.Bar(
            x=xs, y=g["evaluations"], marker_color=[GOOD if m else PALETTE[0] for m in g["quota_met"]],
            name=name, showlegend=False,
            hovertemplate="%{x}: %{y}<extra>" + name + "</extra>",
        ), row=row, col=col)
        sub.add_trace(go.Scatter(
            x=xs, y=g["quota"].where(g["quota"] > 0), mode="markers",
            marker=dict(symbol="line-ew", size=max(6, min(34, 220 // max(len(xs), 1))), color=BAD,
                        line=dict(color=BAD, width=3)),
            name=t("evaluators_quota_legend"), showlegend=i == 0,
            hovertemplate="%{x}: " + t("evaluators_quota_legend") + " %{y:.0f}<extra></extra>",
        ), row=row, col=col)
    sub.update_xaxes(type="category", tickangle=0 if grain == "month" else -60, showticklabels=True,
                     tickfont=dict(size=11))
    sub.update_layout(legend=dict(y=1.0, yanchor="bottom", x=1, xanchor="right"), margin=dict(t=60))
    draw(sub, key="ev_by_period", height=300 * nrows + 40)

# --- leniency -------------------------------------------------------------------------------
st.subheader(t("evaluators_leniency"))
st.caption(t("evaluators_leniency_help", d=fmt.num(MIN_DIFF, 0),
             n=int(len_df["comparisons"].max()) if len(len_df) else 0))
ok = len_df[len_df["label"] != "insufficient data"].iloc[::-1]
if ok.empty:
    st.info(t("evaluators_leniency_empty"))
else:
    label_text = {k: evaluators.LENIENCY_CODES[k].text(lang()) for k in LABEL_COLOUR}
    fig = go.Figure()
    fig.add_vrect(x0=-MIN_DIFF, x1=MIN_DIFF, fillcolor="#eeeeee", line_width=0, layer="below",
                  annotation_text=t("evaluators_in_line_band", d=fmt.num(MIN_DIFF, 0)),
                  annotation_position="top left")
    fig.add_vline(x=0, line_color="#999", line_width=1)
    fig.add_trace(go.Scatter(
        x=ok["mean_diff"], y=ok["evaluator"], mode="markers",
        marker=dict(size=15, color=[LABEL_COLOUR[k] for k in ok["label"]], line=dict(color="#333", width=1),
                    symbol=["triangle-right" if k == "lenient" else "triangle-left" if k == "severe" else "circle"
                            for k in ok["label"]]),
        error_x=dict(type="data", symmetric=False, array=ok["ci_high"] - ok["mean_diff"],
                     arrayminus=ok["mean_diff"] - ok["ci_low"], color="#555", thickness=2, width=6),
        customdata=ok[["cells", "evaluations_compared"]].to_numpy(),
        hovertemplate="%{y}: %{x:+.2f}<br>" + t("evaluators_hover_cells") + "<extra></extra>",
        showlegend=False,
    ))
    flagged = ok["label"].isin(["lenient", "severe"])
    fig.add_trace(go.Scatter(
        x=ok["ci_high"] + 0.25, y=ok["evaluator"], mode="text", hoverinfo="skip", showlegend=False,
        text=[f"<b>{label_text[k]} {d:+.1f}</b>" if fl else f"{d:+.1f}"
              for k, d, fl in zip(ok["label"], ok["mean_diff"], flagged)],
        textposition="middle right",
        textfont=dict(size=[16 if fl else 13 for fl in flagged],
                      color=[LABEL_COLOUR[k] if fl else "#444" for k, fl in zip(ok["label"], flagged)]),
    ))
    span = max(abs(ok["ci_low"]).max(), abs(ok["ci_high"]).max(), MIN_DIFF) * 1.15 + 1.5
    fig.update_layout(xaxis_title=t("evaluators_axis_diff"), yaxis_title=None,
                      xaxis_range=[-span, span + 3], margin_t=30)
    draw(fig, key="ev_leniency", height=80 + 48 * len(ok))
    if not presenting:  # a lenient or severe evaluator: a calibration, drafted with its figures
        found = [x for r in ok.iloc[::-1].to_dict("records")
                 if (x := suggest.from_leniency(r, evaluators.LENIENCY_CODES[r["label"]], date_from=d0,
                                                date_to=d1)) is not None]
        if found:
            st.markdown(f"**{t('act_suggestions')}**")
            ui_actions.offer(found, key="ev_calibrate")
    few = len_df[len_df["label"] == "insufficient data"]
    if len(few):
        st.caption(t("evaluators_leniency_few", names=join(few["evaluator"])))
    if not presenting:
        with st.expander(t("evaluators_leniency_table")):
            tbl = pd.DataFrame({
                t("evaluators_col_evaluator"): len_df["evaluator"],
                t("evaluators_col_verdict"): says(len_df["text"]),
                t("evaluators_col_diff"): len_df["mean_diff"].round(2),
                t("evaluators_col_ci"): [f"{fmt.num(a, 2)} … {fmt.num(b, 2)}"
                                         for a, b in zip(len_df["ci_low"], len_df["ci_high"])],
                t("evaluators_col_cells"): len_df["cells"],
                t("evaluators_col_compared"): len_df["evaluations_compared"],
            })
            st.dataframe(tbl, hide_index=True, width="stretch")

# --- score distribution ---------------------------------------------------------------------
st.subheader(t("evaluators_distribution"))
dist = call(review.score_distribution, d0, d1)
ev_rows = dist[dist["evaluator"].notna()].sort_values("median")
overall = dist[dist["evaluator"].isna()]
labels_by_name = dict(zip(len_df["evaluator"], len_df["label"]))
fig = go.Figure()
for _, r in ev_rows.iterrows():
    colour = LABEL_COLOUR.get(labels_by_name.get(r["evaluator"], "in line"), IN_LINE)
    if colour == IN_LINE:
        colour = PALETTE[4]
    fig.add_trace(go.Box(
        y=[r["evaluator"]], q1=[r["q1"]], median=[r["median"]], q3=[r["q3"]], lowerfence=[r["p05"]],
        upperfence=[r["p95"]], orientation="h", name=r["evaluator"],
        marker_color=colour, fillcolor=colour, line=dict(color="#333", width=1.5), showlegend=False,
        hoverinfo="skip",
    ))
if len(overall):
    fig.add_vline(x=float(overall["median"].iloc[0]), line_dash="dot", line_color="#333",
                  annotation_text=t("evaluators_all_median", m=fmt.num(overall["median"].iloc[0], 0)),
                  annotation_position="top")
lo = float(ev_rows["p05"].min()) if len(ev_rows) else 0.0
fig.update_layout(xaxis_title=t("evaluators_axis_score"), yaxis_title=None, xaxis_range=[max(lo - 5, 0), 101],
                  margin_t=30)
draw(fig, key="ev_boxes", height=80 + 44 * len(ev_rows))
zeros = int(overall["zero_scores"].iloc[0]) if len(overall) else 0
st.caption(t("evaluators_distribution_help", zeros=fmt.count(zeros)))

# --- calibration ----------------------------------------------------------------------------
st.subheader(t("evaluators_calibration"))
agree = call(evaluators.calibration_agreement, d0, d1, grain="month")
if agree.empty:
    st.info(t("evaluators_calibration_empty"))
else:
    st.caption(t("evaluators_calibration_help"))
    months = [fmt.period(p, "month") for p in agree["period_start"]]
    bands = [alpha_band(a) for a in agree["alpha"]]
    fig = go.Figure(go.Bar(
        x=months, y=agree["alpha"].fillna(0).clip(lower=0), marker_color=[BAND_COLOUR[b] for b in bands],
        marker_pattern_shape=["" if b == "good" else "/" if b == "tentative" else "x" for b in bands],
        hovertemplate="%{x}: α = %{y:.2f}<extra></extra>", showlegend=False,
    ))
    for y, key in ((0.8, "evaluators_line_good"), (0.667, "evaluators_line_tentative")):
        fig.add_hline(y=y, line_dash="dash", line_color="#555")
        fig.add_annotation(x=1, xref="paper", xanchor="left", y=y, text=t(key), showarrow=False,
                           font=dict(size=12, color="#555"))
    for m, a_, b_ in zip(months, agree["alpha"], bands):
        fig.add_annotation(x=m, y=max(a_ if pd.notna(a_) else 0, 0), yshift=4, yanchor="bottom", showarrow=False,
                           text=f"<b>{fmt.num(a_, 2)}</b> {t(BAND_KEY[b_])}",
                           bgcolor="rgba(255,255,255,0.85)", font=dict(size=13))
    fig.update_layout(yaxis_title=t("evaluators_axis_alpha"), yaxis_range=[min(0, agree["alpha"].min() - 0.1), 1.15],
                      xaxis_title=None, xaxis_type="category", margin=dict(t=30, r=110))
    draw(fig, key="ev_alpha", height=340)
    incomplete = int((~agree["complete"].astype(bool)).sum())
    if incomplete:
        st.caption(t("evaluators_icc_nan", n=incomplete, total=len(agree)))
    if not presenting:
        tbl = pd.DataFrame({
            t("evaluators_col_month"): months,
            t("evaluators_col_contacts"): agree["contacts"],
            t("evaluators_col_evaluators"): agree["evaluators"],
            t("evaluators_col_ratings"): agree["ratings"],
            t("evaluators_col_alpha"): [fmt.num(a, 2) for a in agree["alpha"]],
            t("evaluators_col_icc"): [fmt.num(x, 2) if pd.notna(x) else t("evaluators_icc_undefined")
                                      for x in agree["icc2_1"]],
            t("evaluators_col_mean_sd"): [fmt.num(x) for x in agree["mean_sd"]],
            t("evaluators_col_max_range"): [fmt.num(x, 0) for x in agree["max_range"]],
        })
        st.dataframe(tbl, hide_index=True, width="stretch")

    items = call(evaluators.calibration_items, d0, d1)
    items = items[items["contacts"] > 0]
    if len(items):
        st.markdown("**" + t("evaluators_items") + "**")
        st.caption(t("evaluators_items_help"))
        it = items.iloc[::-1]
        fig = go.Figure(go.Bar(
            x=it["sd_within"], y=[t("aside", text=i, aside=g) for i, g in zip(it["item"], it["item_group"])],
            orientation="h", marker_color=PALETTE[0],
            text=[t("evaluators_item_text", sd=fmt.num(s), share=fmt.pct(p, 0), n=c)
                  for s, p, c in zip(it["sd_within"], it["disagree_share"], it["contacts"])],
            textposition="outside", hovertemplate="%{y}: %{x:.2f}<extra></extra>", showlegend=False,
        ))
        fig.update_layout(xaxis_title=t("evaluators_axis_item_sd"), yaxis_title=None,
                          xaxis_range=[0, float(it["sd_within"].max()) * 1.9], margin_t=20)
        fig.update_yaxes(automargin=True)
        draw(fig, key="ev_items", height=60 + 34 * len(it))

# --- appeals --------------------------------------------------------------------------------
st.subheader(t("evaluators_appeals"))
app = call(evaluators.appeal_stats, d0, d1)
if app.empty or int(app["appeals"].sum()) == 0:
    st.info(t("evaluators_appeals_empty"))
else:
    st.caption(t("evaluators_appeals_help"))
    a = app.sort_values("appeal_rate")
    sub = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[t("evaluators_appeal_rate"), t("evaluators_overturn_rate")])
    colours = [LABEL_COLOUR.get(labels_by_name.get(e, "in line"), IN_LINE) for e in a["evaluator"]]
    colours = [PALETTE[4] if c == IN_LINE else c for c in colours]
    sub.add_trace(go.Bar(
        x=a["appeal_rate"], y=a["evaluator"], orientation="h", marker_color=colours, showlegend=False,
        text=[t("evaluators_appeal_text", pct=fmt.pct(r), n=n, total=fmt.count(e))
              for r, n, e in zip(a["appeal_rate"], a["appeals"], a["evaluations"])],
        textposition="outside", hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    ), row=1, col=1)
    sub.add_trace(go.Bar(
        x=a["overturn_rate"].fillna(0), y=a["evaluator"], orientation="h", marker_color=colours, showlegend=False,
        text=[t("evaluators_overturn_text", pct=fmt.pct(r, 0), n=o, total=d) if d else "—"
              for r, o, d in zip(a["overturn_rate"], a["overturned"], a["decided"])],
        textposition="outside", hovertemplate="%{y}: %{x:.0%}<extra></extra>",
    ), row=1, col=2)
    sub.update_xaxes(tickformat=".0%", row=1, col=1, range=[0, float(a["appeal_rate"].max()) * 1.9])
    sub.update_xaxes(tickformat=".0%", row=1, col=2, range=[0, max(float(a["overturn_rate"].max()), 0.01) * 1.7])
    draw(sub, key="ev_appeals", height=90 + 44 * len(a))
    pending = int(app["pending"].sum())
    if pending:
        st.caption(t("evaluators_appeals_pending", n=pending))

st.caption(t("evaluators_period_note", d0=fmt.date(d0), d1=fmt.date(d1)))
