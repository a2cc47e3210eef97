"""Overview for the center's leadership: headline cards against the previous
period, the service-quality index with its control limits, the team ranking
and the alerts of the period."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qa_analytics import store
from qa_analytics.analytics import indicators, metric_spc
from qa_analytics.analytics.compliance import REQUIREMENT_BY_ID
from qa_analytics.improvement import suggest
from qa_analytics.views import overview as overview_view
from qa_analytics.views import review
from ui import actions as ui_actions
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import join, lang, say, says, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.theme import BAD, GOOD, LIMIT, NEUTRAL, PALETTE, plot

ensure_app()  # direct links on a fresh server: run inside app.py

#: a card's verdict (views.overview.headline) -> key
CARD_VERDICT_KEY: dict[str, str] = {
    "better": "ov_significant",
    "worse": "ov_significant",
    "noise": "ov_noise",
    "too_few": "ov_too_few",
    "untested": "ov_untested",
}

f = sidebar_filters(show=("period", "grain", "team", "channel"))
present = is_presenting()
prev = f.previous()

st.title(t("ov_title"))
st.caption(t("ov_period", cur=f"{fmt.date(f.date_from)} – {fmt.date(f.date_to)}",
             prev=f"{fmt.date(prev.date_from)} – {fmt.date(prev.date_to)}",
             team=f.words(dates=False)))

if not any(c["records"] for c in call(store.record_counts)):
    st.info(t("ov_empty"))
    st.stop()
if call(store.has_demo_data):
    st.caption("ⓘ " + t("demo_banner"))

# --- headline cards ------------------------------------------------------------------------
year = f.year_ago()
cards, year_ago = call(overview_view.headlines, f.date_from, f.date_to,
                       [(prev.date_from, prev.date_to), (year.date_from, year.date_to)],
                       team=f.team, channel=f.channel)
index = call(overview_view.index_card, f.date_from, f.date_to, prev.date_from, prev.date_to, team=f.team,
             year_from=year.date_from, year_to=year.date_to)


n_cards = 1 + len(cards)
per_row = 3 if present else n_cards  # projector type is large: labels need the room
cols = [c for start in range(0, n_cards, per_row) for c in st.columns(per_row)][:n_cards]
cols[0].metric(
    t("ov_index"), fmt.num(index.value),
    delta=fmt.delta(index.change) if index.comparable else None,
    help=t("ov_index_help", coverage=fmt.pct(index.coverage, 0)),
)
if not math.isnan(index.value):
    lines = [t("ov_index_scale"), t("ov_index_coverage", coverage=fmt.pct(index.coverage, 0))]
    if not index.comparable and not math.isnan(index.prev_value):
        lines.append(t("ov_index_not_compared", rule=fmt.pct(index.min_coverage, 0)))
    if index.year_comparable:
        lines.append(t("ov_index_year", delta=fmt.delta(index.year_change) or "±0"))
    # one phrase a line in the narrow card column; on the projector (three cards a row) one line
    cols[0].caption((" · " if present else "  \n").join(lines))

def _change(change: float, unit: str) -> str | None:
    return fmt.delta(change * 100, unit="pp") if unit == "share" else fmt.delta(change)


for col, card, ago in zip(cols[1:], cards.itertuples(), year_ago.itertuples()):
    unit = card.unit
    delta = _change(card.change, unit)
    col.metric(
        say(card.name),
        fmt.metric_value(card.value, unit) if card.n else "—",
        delta=delta,
        delta_color="normal" if card.higher_is_better else "inverse",
        help=t("ov_card_help", n=fmt.count(card.n), prev_n=fmt.count(card.prev_n)),
    )
    if not card.n:
        col.caption(t("ov_no_data_card"))
    elif pd.notna(card.change):
        word = t(CARD_VERDICT_KEY.get(card.verdict, "ov_untested"))
        colour = (GOOD if card.improved else BAD) if card.significant else NEUTRAL
        col.markdown(f"<span style='color:{colour}'>{t('ov_card_n', word=word, n=fmt.count(card.n))}</span>",
                     unsafe_allow_html=True)
    if card.n and ago.prev_n and pd.notna(ago.change):
        # the same period a year earlier, as reviews read it beside the period before
        word = t(CARD_VERDICT_KEY.get(ago.verdict, "ov_untested"))
        col.caption(t("ov_card_year", delta=_change(ago.change, unit) or "±0", word=word))

if len(index.missing) and not present:
    st.caption("ⓘ " + t("ov_index_missing", names=join(says(index.missing["name"]))))

# --- index trend with control limits, and the team ranking ---------------------------------
left, right = st.columns([3, 2]) if not present else (st.container(), st.container())
with left:
    st.subheader(t("ov_trend"))
    trend, sentences = call(overview_view.index_trend, f.grain, f.date_from, f.date_to, team=f.team, lang=lang())
    if trend.empty:
        st.info(t("ov_trend_short"))
    else:
        x = [fmt.period(p, f.grain) for p in trend["period"]]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=x, y=trend["ucl"], name=t("ov_ucl"), line=dict(color=LIMIT, dash="dash")))
        fig.add_trace(go.Scatter(x=x, y=trend["center"], name=t("ov_center"), line=dict(color=NEUTRAL)))
        fig.add_trace(go.Scatter(x=x, y=trend["lcl"], name=t("ov_lcl"), line=dict(color=LIMIT, dash="dash")))
        flagged = list(trend["signal"])
        fig.add_trace(go.Scatter(
            x=x, y=trend["value"], name=t("ov_index"), mode="lines+markers", line=dict(color=PALETTE[0], width=3),
            marker=dict(size=[14 if s else 8 for s in flagged], color=[BAD if s else PALETTE[0] for s in flagged],
                        symbol=["diamond" if s else "circle" for s in flagged]),
        ))
        fig.update_yaxes(title_text=t("ov_index_axis"))
        plot(fig, key="ov_trend", height=480 if present else 360)
        for sentence in sentences:
            st.caption("⚠ " + sentence)
with right:
    st.subheader(t("ov_ranking"))
    ranking = call(indicators.composite_index, grain="all", level="team",
                   date_from=f.date_from, date_to=f.date_to, channel=f.channel)
    ranking = ranking.dropna(subset=["index"]) if len(ranking) else ranking
    apart = ranking[~ranking["ranked"]] if len(ranking) else ranking
    ranking = ranking[ranking["ranked"]] if len(ranking) else ranking
    if ranking.empty:
        st.info(t("ov_ranking_empty"))
    else:
        ranking = ranking.sort_values("index")
        fig = go.Figure(go.Bar(
            x=ranking["index"], y=ranking["level_key"], orientation="h",
            marker_color=[PALETTE[1] if k == f.team else PALETTE[0] for k in ranking["level_key"]],
            text=[f"{v:.1f}" for v in ranking["index"]], textposition="outside",
            customdata=ranking["n"], hovertemplate="%{y}: %{x:.1f}<br>n = %{customdata:,}<extra></extra>",
        ))
        fig.update_xaxes(range=[0, 105], title_text=t("ov_index_axis"))
        plot(fig, key="ov_ranking", height=max(300, 44 * len(ranking) + 80))
        st.caption(t("ov_ranking_note"))
    if len(apart):  # listed apart, never first: too few data, or too little of the model covered
        st.caption(t("ov_not_ranked", units=join(
            t("ov_not_ranked_n", team=r.level_key, n=fmt.count(r.n)) if r.not_ranked == "n"
            else t("ov_not_ranked_coverage", team=r.level_key, coverage=fmt.pct(r.coverage, 0))
            for r in apart.itertuples())))

# --- alerts --------------------------------------------------------------------------------
st.subheader(t("ov_alerts"))
if not present:  # why a card may say "normal variation" while an alert says "below the control limit"
    st.caption(t("ov_alerts_help"))
signals = call(metric_spc.signals_for_alerts, f.date_from, f.date_to, level="center",
               grain="week" if f.grain in ("day", "week") else "month", team=f.team)
gaps = call(review.compliance_gaps, f.date_from, f.date_to, team=f.team)
worse = signals[signals["assessment"] == "worse"] if len(signals) else signals
if worse.empty and gaps.empty:
    st.success(t("ov_no_alerts"))
for row in worse.head(8).itertuples():
    box = st.container(border=True)
    box.markdown(f"**{say(row.metric_name)}** — {say(row.text)}")
    target = {"cc_metric": row.metric, "grain": "week" if f.grain in ("day", "week") else "month",
              "lang": lang()}
    # the chart of what the Overview shows: the filtered team, else the center
    target.update({"cc_level": "team", "team": f.team} if f.team else {"cc_level": "center"})
    box.page_link("pages/control_charts.py", label=t("ov_open_chart"), icon=":material/show_chart:",
                  query_params=target)
    s = suggest.from_episode(row.metric_name, row._asdict(), level="center", chart=row.chart,
                             grain=target["grain"]) if not f.team else suggest.from_episode(
        row.metric_name, row._asdict(), level="team", key=f.team, chart=row.chart, grain=target["grain"])
    if s is not None:
        ui_actions.offer([s], key=f"ov_alert_{row.Index}", container=box)
for row in gaps.head(8).itertuples():
    box = st.container(border=True)
    missing = join(list(row.missing_periods)[:6])
    more = "…" if len(row.missing_periods) > 6 else ""
    box.markdown(f"**{say(REQUIREMENT_BY_ID[row.requirement])}** — "
                 + t("ov_missing", n=row.missing, periods=missing + more))
    box.page_link("pages/compliance.py", label=t("ov_open_calendar"), icon=":material/calendar_month:")
better = signals[signals["assessment"] == "better"] if len(signals) else signals
if len(better):
    with st.expander(t("ov_good_news", n=len(better))):
        for row in better.head(10).itertuples():
            st.markdown(f"- **{say(row.metric_name)}** — {say(row.text)}")
