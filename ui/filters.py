"""The sidebar filters every page shares: period, grain, team, evaluation
type, channel.  Kept in the URL, so a copied link reopens the same view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import streamlit as st

from qa_analytics import store
from qa_analytics.core.filters import ALL_WORDS, Filter, channel_label
from qa_analytics.core.filters import EVAL_TYPES as EVAL_TYPE_TERMS
from ui.db import call
from ui.i18n import GRAIN_KEY, PRESET_KEY, lang, t
from ui.state import set_url_value, url_value

GRAINS = ("day", "week", "month", "quarter", "half_year")
EVAL_TYPES = tuple(EVAL_TYPE_TERMS)
PRESETS = ("last_month", "last_3_months", "last_6_months", "last_12_months", "last_half_year", "all", "custom")


@dataclass(frozen=True)
class Filters:
    date_from: dt.date
    date_to: dt.date
    grain: str
    team: str | None
    eval_type: str
    channel: str | None

    @property
    def scope(self) -> Filter:
        """The library's filter of what the sidebar says (a non-voice view with
        no channel picked keeps every non-voice channel in the data)."""
        channels = call(store.dimensions)["channels"] if EVAL_TYPE_TERMS[self.eval_type].nonvoice else ()
        return Filter.for_eval_type(self.eval_type, channels, date_from=self.date_from, date_to=self.date_to,
                                    team=self.team, channel=self.channel)

    def metric_kwargs(self) -> dict:
        """Keyword arguments for ``qa_analytics.analytics.metrics.metric_table``
        and the functions shaped like it."""
        kw = self.scope.kwargs()
        del kw["agent"]
        return kw

    def words(self, dates: bool = True) -> str:
        """The sidebar's restriction in a caption, in the user's language."""
        return self.scope.words(lang(), dates=dates)

    def previous(self) -> Filters:
        """The period a review compares this one with (the month, quarter or
        half-year before; a free range: the same length before)."""
        prev = self.scope.previous()
        return replace(self, date_from=prev.date_from, date_to=prev.date_to)

    def year_ago(self) -> Filters:
        """The same period a year earlier (the other comparison reviews make)."""
        ago = self.scope.year_ago()
        return replace(self, date_from=ago.date_from, date_to=ago.date_to)


def _month_start(d: dt.date, back: int = 0) -> dt.date:
    y, m = d.year, d.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def preset_range(preset: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a preset covers, ending at the last date with data."""
    if preset == "all":
        return first, last
    if preset == "last_half_year":
        start = dt.date(last.year, 1 if last.month <= 6 else 7, 1)
        return max(first, start), last
    months = {"last_month": 1, "last_3_months": 3, "last_6_months": 6, "last_12_months": 12}.get(preset, 6)
    return max(first, _month_start(last, months - 1)), last


def sidebar_filters(show: tuple[str, ...] = ("period", "grain", "team", "eval_type", "channel")) -> Filters:
    """Draw the filters in the sidebar and return what they say."""
    dims = call(store.dimensions)
    last = dims["last"] or dt.date.today()
    first = dims["first"] or last - dt.timedelta(days=365)
    sb = st.sidebar
    sb.header(t("filters"))
    preset = url_value("period", "last_6_months")
    if preset not in PRESETS:
        preset = "last_6_months"
    date_from, date_to = preset_range(preset, first, last)
    if "period" in show:
        labels = {p: t(PRESET_KEY[p]) for p in PRESETS}
        preset = sb.selectbox(t("period"), PRESETS, index=PRESETS.index(preset), format_func=labels.__getitem__,
                              key="f_period")
        set_url_value("period", preset)
        if preset == "custom":
            d0 = url_value("from", first, dt.date.fromisoformat)
            d1 = url_value("to", last, dt.date.fromisoformat)
            picked = sb.date_input(t("date_range"), (d0, d1), min_value=first, max_value=last, key="f_range")
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                date_from, date_to = picked
            else:
                date_from, date_to = d0, d1
            set_url_value("from", date_from, dt.date.isoformat)
            set_url_value("to", date_to, dt.date.isoformat)
        else:
            date_from, date_to = preset_range(preset, first, last)
    grain = url_value("grain", "month")
    grain = grain if grain in GRAINS else "month"
    if "grain" in show:
        labels = {g: t(GRAIN_KEY[g]) for g in GRAINS}
        grain = sb.selectbox(t("grain"), GRAINS, index=GRAINS.index(grain), format_func=labels.__getitem__,
                             key="f_grain")
        set_url_value("grain", grain)
    team = url_value("team", None)
    if "team" in show:
        options = [None, *dims["teams"]]
        team = team if team in options else None
        labels = {o: (ALL_WORDS["all_teams"].label(lang()) if o is None else o) for o in options}
        team = sb.selectbox(t("team"), options, index=options.index(team), format_func=labels.__getitem__,
                            key="f_team")
        set_url_value("team", team)
    eval_type = url_value("type", "all")
    eval_type = eval_type if eval_type in EVAL_TYPES else "all"
    if "eval_type" in show:
        labels = {e: EVAL_TYPE_TERMS[e].label(lang()) for e in EVAL_TYPES}
        eval_type = sb.selectbox(t("eval_type"), EVAL_TYPES, index=EVAL_TYPES.index(eval_type),
                                 format_func=labels.__getitem__, key="f_type")
        set_url_value("type", None if eval_type == "all" else eval_type)
    channel = url_value("channel", None)
    if "channel" in show:
        options = [None, *dims["channels"]]
        channel = channel if channel in options else None
        labels = {o: (ALL_WORDS["all_channels"].label(lang()) if o is None else channel_label(o, lang()))
                  for o in options}
        channel = sb.selectbox(t("channel"), options, index=options.index(channel),
                               format_func=labels.__getitem__, key="f_channel")
        set_url_value("channel", channel)
    return Filters(date_from, date_to, grain, team, eval_type, channel)

