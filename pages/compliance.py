"""Compliance calendar: did every required evaluation happen as often as the
management measures require, and which periods are missing?"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from qa_analytics import store
from qa_analytics.analytics.compliance import REQUIREMENT_BY_ID
from qa_analytics.core.calendar import cn_calendar, parse_dates
from qa_analytics.views import review
from qa_analytics.views.review import compliance_overview, monitoring_days
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import join, lang, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, GOOD, plot

#: calendar mode -> key
CAL_KEY: dict[str, str] = {"cn": "compliance_cal_cn", "hol": "compliance_cal_hol", "mf": "compliance_cal_mf"}
#: a period's status -> key
STATUS_KEY: dict[str, str] = {
    "met": "compliance_status_met",
    "missing": "compliance_status_missing",
    "in_progress": "compliance_status_in_progress",
    "not_started": "compliance_status_not_started",
    "before_start": "compliance_status_before_start",
    "holiday": "compliance_status_holiday",
    "no_data": "compliance_status_no_data",
}
#: frequency -> its unit's key
UNIT_KEY: dict[str, str] = {
    "workday": "compliance_unit_workday",
    "week": "compliance_unit_week",
    "month": "compliance_unit_month",
    "quarter": "compliance_unit_quarter",
    "half_year": "compliance_unit_half_year",
}
WEEKDAY_KEYS = (  # Monday first
    "compliance_wd_0",
    "compliance_wd_1",
    "compliance_wd_2",
    "compliance_wd_3",
    "compliance_wd_4",
    "compliance_wd_5",
    "compliance_wd_6",
)

ensure_app()  # direct links on a fresh server: run inside app.py

# Status -> (colour, pattern, symbol). Okabe-Ito colours, and a symbol and a
# fill pattern as well, so nothing depends on telling colours apart.
STYLE = {
    "met": (GOOD, "", "✓"),
    "missing": (BAD, "x", "✗"),
    "in_progress": ("#56B4E9", "/", "…"),
    "not_started": ("#e3e3e3", "", "·"),
    "before_start": ("#f5f5f5", "", ""),
    "holiday": ("#bdbdbd", ".", "–"),
    "no_data": ("#ffffff", "", "?"),
}
MAX_LISTED = 12  # missing periods listed by name in the summary
FREQ_GRAIN = {"workday": "day", "week": "week", "month": "month", "quarter": "quarter", "half_year": "half_year"}

st.title(t("compliance_title"))
st.caption(t("compliance_intro"))

f = sidebar_filters(show=("period", "team"))
presenting = is_presenting()
d0, d1 = f.date_from, f.date_to

# --- settings: working-day calendar, review dates -------------------------------------------
CAL_MODES = ("cn", "hol", "mf")
cal_mode = url_value("cal", "cn")
cal_mode = cal_mode if cal_mode in CAL_MODES else "cn"
review_text = url_value("reviews", "")
if not presenting:
    with st.expander(t("compliance_settings")):
        cal_labels = {m: t(CAL_KEY[m]) for m in CAL_MODES}
        choice = st.radio(t("compliance_cal"), CAL_MODES, index=CAL_MODES.index(cal_mode), horizontal=True,
                          format_func=cal_labels.__getitem__, key="co_cal")
        if choice != cal_mode:
            set_url_value("cal", None if choice == "cn" else choice)
            st.rerun()
        typed = st.text_input(t("compliance_reviews_input"), value=review_text, key="co_reviews",
                              placeholder="2026-06-28, 2026-12-20")
        if typed != review_text:
            set_url_value("reviews", typed or None)
            st.rerun()
review_dates, bad_dates = parse_dates(review_text)
if bad_dates:
    st.error(t("compliance_reviews_bad", bad=", ".join(bad_dates)))

# Periods overlapping the range are judged in full: look a little past both ends for the calendar.
cal = cn_calendar(d0 - dt.timedelta(days=190), d1 + dt.timedelta(days=190), cal_mode)
hol, extra = cal["holidays"], cal["extra_workdays"]
makeup = set(extra)

dims = call(store.dimensions)
yesterday = dt.date.today() - dt.timedelta(days=1)
as_of = min(yesterday, dims["last"]) if dims["last"] else yesterday

try:
    frame = call(review.compliance_calendar, d0, d1, team=f.team, holidays=hol,
                 extra_workdays=extra, review_dates=review_dates or None, as_of=as_of)
except Exception as exc:
    st.error(t("compliance_db_error", error=exc))
    st.stop()

if frame.empty or dims["last"] is None:
    st.info(t("compliance_empty"))
    st.stop()

frame = frame[frame["team"].isna() | (frame["team"] == f.team)] if f.team else frame
over = compliance_overview(frame)
status_text = {s: t(STATUS_KEY[s]) for s in STYLE}
short = {r: REQUIREMENT_BY_ID[r].short(lang()) for r in dict.fromkeys(frame["requirement"])}


def draw(fig, key: str, height: int) -> None:
    """Draw with the shared theme; labels never cut off, and taller on the projector (larger type)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    plot(fig, key=key, height=int(height * (1.45 if presenting else 1)))


def period_text(d: dt.date, freq: str) -> str:
    d = pd.Timestamp(d).date()
    text = fmt.period(d, FREQ_GRAIN[freq])
    if freq == "week":
        text += t("compliance_week_from", d=fmt.date(d))
    if freq == "workday" and d in makeup:
        text += t("compliance_makeup_suffix")
    return text


# --- headline --------------------------------------------------------------------------------
judged = over[over["state"].isin(["all_met", "missing"])]
n_ok = int((judged["state"] == "all_met").sum())
if f.team:
    st.markdown(t("compliance_team_scope", team=f.team))
head = t("compliance_headline", ok=n_ok, total=len(judged))
if (judged["state"] == "missing").any():
    items = [t("compliance_missing_item", req=short[r["requirement"]], n=r["missing"],
               unit=t(UNIT_KEY[r['frequency']])) for _, r in judged[judged["state"] == "missing"].iterrows()]
    st.warning(head + " " + t("compliance_headline_missing", what=join(items, clauses=True)))
else:
    st.success(head)
st.caption(t("compliance_as_of", d=fmt.date(as_of)))
# counting starts at each kind's first record: say so where that is inside the range
starts = frame.groupby("requirement", sort=False)["counted_from"].first()
late = [(r, d) for r, d in starts.items() if pd.isna(d) or pd.Timestamp(d).date() > d0]
if late:
    st.caption("ⓘ " + t("compliance_counted_from", items=join(
        t("compliance_counted_item", req=short[r], d=fmt.date(pd.Timestamp(d).date()) if pd.notna(d)
          else t("compliance_no_records")) for r, d in late)))

# --- summary table ---------------------------------------------------------------------------
rows = []
for _, r in over.iterrows():
    if r["state"] == "no_data":
        result, note = "? " + t("compliance_state_no_data"), t("compliance_note_no_data")
    elif r["state"] == "not_judged":
        result, note = "… " + t("compliance_state_not_judged"), ""
    elif r["state"] == "missing":
        result = "✗ " + t("compliance_state_missing", n=r["missing"])
        note = ""
    else:
        result, note = "✓ " + t("compliance_state_all_met"), ""
    extra_notes = []
    if r["holiday_periods"]:
        extra_notes.append(t("compliance_note_holiday", n=r["holiday_periods"]))
    if r["in_progress"]:
        extra_notes.append(t("compliance_note_in_progress", n=r["in_progress"]))
    missing = [period_text(p, r["frequency"]) for p in r["missing_periods"][:MAX_LISTED]]
    if len(r["missing_periods"]) > MAX_LISTED:
        missing.append(t("compliance_and_more", n=len(r["missing_periods"]) - MAX_LISTED))
    rows.append({
        t("compliance_col_requirement"): REQUIREMENT_BY_ID[r["requirement"]].label(lang()),
        t("compliance_col_result"): result,
        t("compliance_col_rate"): fmt.pct(r["rate"], 0) if r["periods"] else "—",
        t("compliance_col_met"): t("compliance_met_of", met=r["met"], periods=r["periods"]) if r["periods"] else "—",
        t("compliance_col_note"): " ".join([note, *extra_notes]).strip(),
        t("compliance_col_missing"): join(missing),
    })
st.table(pd.DataFrame(rows), hide_index=True, border="horizontal")
n_makeup = sum(1 for _, r in over.iterrows() if r["frequency"] == "workday"
               for p in r["missing_periods"] if p in makeup)
if n_makeup:
    st.caption(t("compliance_makeup_hint", n=n_makeup))

if (over["state"] == "no_data").any():
    st.info(t("compliance_review_no_data"), icon=":material/info:")

# --- timeline: rows = requirements, boxes = periods ------------------------------------------
st.subheader(t("compliance_timeline"))
st.caption(t("compliance_timeline_help"))
order = list(dict.fromkeys(frame["requirement"]))
labels = {r: short[r] for r in order}
fig = go.Figure()
lo_ts = min(pd.Timestamp(d0), frame["period_start"].min())
hi_ts = max(pd.Timestamp(d1), frame["period_end"].max()) + pd.Timedelta(days=1)
for status, (colour, pattern, symbol) in STYLE.items():
    g = frame[frame["status"] == status]
    if g.empty:
        continue
    start = g["period_start"]
    end = g["period_end"] + pd.Timedelta(days=1)
    widths = (end - start).dt.total_seconds() * 1000
    daily = g["frequency"] == "workday"
    fig.add_trace(go.Bar(
        base=start.dt.strftime("%Y-%m-%d"), x=widths, y=[labels[r] for r in g["requirement"]], orientation="h",
        marker=dict(color=colour, line=dict(color="#555" if status == "no_data" else "white", width=1),
                    pattern=dict(shape=pattern, fillmode="overlay", size=6,
                                 fgcolor="white" if status != "holiday" else "#555")),
        text=["" if dl else symbol for dl in daily], textposition="inside", insidetextanchor="middle",
        textfont=dict(size=16, color="white" if status in ("met", "missing") else "#222"),
        name=f"{symbol} {status_text[status]}",
        customdata=[[period_text(p, fq), int(dn)] for p, fq, dn in zip(g["period_start"], g["frequency"], g["done"])],
        hovertemplate="%{y}<br>%{customdata[0]}: " + status_text[status] + " (%{customdata[1]})<extra></extra>",
    ))
fig.update_layout(barmode="overlay", bargap=0.25,
                  xaxis=dict(type="date", range=[lo_ts, hi_ts], tickformat=t("tick_month_year")),
                  yaxis=dict(categoryorder="array", categoryarray=[labels[r] for r in order][::-1], automargin=True),
                  legend=dict(orientation="h", y=-0.12, yanchor="top", x=0), margin=dict(t=20, b=20))
draw(fig, key="co_timeline", height=120 + 62 * len(order))

# --- daily monitoring: month calendars -------------------------------------------------------
st.subheader(t("compliance_daily"))
days = monitoring_days(frame, d0, d1, hol, extra)
months = sorted({(d.year, d.month) for d in days["date"]})
if len(months) > 12:
    months = months[-12:]
    st.caption(t("compliance_daily_last12"))
st.caption(t("compliance_daily_help"))
ncols = 3 if len(months) <= 6 else 4
nrows = -(-len(months) // ncols)
titles = [fmt.period(dt.date(y, m, 1), "month") for y, m in months]
cal_fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=titles, horizontal_spacing=0.03,
                        vertical_spacing=0.12 / max(nrows - 1, 1) + 0.04)
codes = {"met": 0, "missing": 1, "in_progress": 2, "not_started": 3, "off": 4, "holiday_day": 5, "outside": 6}
palette = [GOOD, BAD, "#56B4E9", "#e3e3e3", "#f4f4f4", "#d9d9d9", "#ffffff"]
n = len(palette)
scale = []
for i, c in enumerate(palette):
    scale += [[i / n, c], [(i + 1) / n, c]]
weekdays = [t(k) for k in WEEKDAY_KEYS]
for k, (y, m) in enumerate(months):
    md = days[[(d.year, d.month) == (y, m) for d in days["date"]]]
    first = dt.date(y, m, 1)
    nweeks = (first.weekday() + len(md) + 6) // 7
    z = [[None] * 7 for _ in range(nweeks)]
    txt = [[""] * 7 for _ in range(nweeks)]
    hover = [[""] * 7 for _ in range(nweeks)]
    for _, r in md.iterrows():
        d = r["date"]
        w, wd = (first.weekday() + d.day - 1) // 7, d.weekday()
        st_ = r["status"]
        if st_ == "off":
            code = codes["holiday_day"] if r["day_type"] == "holiday" else codes["off"]
            mark = t("compliance_mark_holiday") if r["day_type"] == "holiday" else ""
        else:
            code = codes.get(st_, codes["outside"])
            mark = {"missing": "✗", "in_progress": "…"}.get(st_, "")
            if r["day_type"] == "makeup":
                mark = t("compliance_mark_makeup") + mark
        z[w][wd] = code
        txt[w][wd] = f"{d.day}<br>{mark}" if mark else str(d.day)
        hover[w][wd] = f"{fmt.date(d)}: " + (
            t("compliance_day_holiday") if r["day_type"] == "holiday" else
            t("compliance_day_weekend") if st_ == "off" else
            t("compliance_day_outside") if st_ == "outside" else
            t("compliance_day_status", status=status_text.get(st_, st_), n=int(r["done"])))
    row, col = k // ncols + 1, k % ncols + 1
    cal_fig.add_trace(go.Heatmap(
        z=z, x=weekdays, y=list(range(nweeks)), text=txt, customdata=hover, texttemplate="%{text}",
        textfont=dict(size=16 if presenting else 12), colorscale=scale, zmin=0, zmax=n, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{customdata}<extra></extra>",
    ), row=row, col=col)
cal_fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, ticks="",
                     showline=False)
cal_fig.update_xaxes(side="top", showgrid=False, tickfont=dict(size=11), ticks="", linecolor="white")
cal_fig.update_annotations(yshift=18)
cal_fig.update_layout(margin=dict(t=50, b=10, l=10, r=10))
draw(cal_fig, key="co_days", height=260 * nrows + 40)
st.caption(t("compliance_daily_legend"))

# --- by team ---------------------------------------------------------------------------------
if f.team is None and not presenting:
    st.subheader(t("compliance_by_team"))
    st.caption(t("compliance_by_team_help"))
    tov = call(review.team_compliance, d0, d1, holidays=hol, extra_workdays=extra,
               review_dates=review_dates or None, as_of=as_of)
    if tov.empty:
        st.info(t("compliance_by_team_empty"))
    else:
        reqs = list(dict.fromkeys(tov["requirement"]))
        team_names = sorted(tov["team"].unique())
        piv = tov.pivot(index="team", columns="requirement", values="rate").reindex(index=team_names, columns=reqs)
        miss = tov.pivot(index="team", columns="requirement", values="missing").reindex(index=team_names, columns=reqs)
        per = tov.pivot(index="team", columns="requirement", values="periods").reindex(index=team_names, columns=reqs)
        text = [[(fmt.pct(piv.iat[i, j], 0) + (f"<br>✗ {int(miss.iat[i, j])}" if miss.iat[i, j] else " ✓"))
                 if per.iat[i, j] else "—" for j in range(len(reqs))] for i in range(len(team_names))]
        heat = go.Figure(go.Heatmap(
            z=piv.to_numpy(), x=[short[r] for r in reqs], y=team_names, text=text, texttemplate="%{text}",
            textfont=dict(size=13), zmin=0, zmax=1, xgap=3, ygap=3,
            colorscale=[[0, BAD], [0.75, "#f6c9a8"], [0.999, "#f4f4f4"], [1, "#cdeadf"]],
            colorbar=dict(title=t("compliance_rate_axis"), tickformat=".0%", len=0.8),
            hovertemplate="%{y} · %{x}: %{z:.0%}<extra></extra>",
        ))
        heat.update_layout(xaxis=dict(side="top"), yaxis=dict(autorange="reversed", automargin=True),
                           margin=dict(t=60))
        draw(heat, key="co_teams", height=90 + 44 * len(team_names))
