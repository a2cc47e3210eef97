"""What a view is restricted to: one object for dates, teams, agents, channels and tester types.

Why one object: every query of the dashboard is cut by the same sidebar
(a date range, a team, an evaluation type, a channel), and the cut used to
be rebuilt, argument by argument, in each aggregate query, in the drill-down's
evaluation rows and in every page's caption.  A :class:`Filter` carries the
restriction once: it yields its SQL conditions with parameters for any table
(:meth:`Filter.conditions`, given the column each dimension lives in), its
words in both languages (:meth:`Filter.words`), the period just before it
(:meth:`Filter.previous`), and the keyword arguments of the library's
functions that predate it (:meth:`Filter.kwargs`).

The vocabularies the sidebar offers, channels and evaluation types, live
here with their words, so that a page renders them and never names them.
Channel ``NULL`` means voice (the monitoring exports of the voice system
have no channel column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from .periods import previous_period, year_ago

__all__ = ["Term", "CHANNELS", "EVAL_TYPES", "EvalType", "Filter", "channel_label", "ALL_WORDS"]


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary and its words."""

    id: str
    en: str
    zh: str

    def label(self, lang: str = "en") -> str:
        return self.zh if str(lang).startswith("zh") else self.en


#: the contact channels a record may carry (others are shown as written)
CHANNELS: dict[str, Term] = {t.id: t for t in (
    Term("voice", "Voice", "语音"),
    Term("sms", "SMS", "短信"),
    Term("chat", "Online chat", "在线客服"),
    Term("app", "App", "APP"),
    Term("email", "Email", "邮件"),
    Term("wechat", "WeChat", "微信"),
)}


def channel_label(channel: str | None, lang: str = "en") -> str:
    """A channel's name; an unknown channel as the data spells it; NULL is voice."""
    term = CHANNELS.get(channel or "voice")
    return term.label(lang) if term else str(channel)


@dataclass(frozen=True)
class EvalType(Term):
    """A way the center evaluates its service, as the sidebar offers it.

    ``tester`` restricts call tests to one tester type; ``nonvoice``
    restricts to every channel but voice (when no channel is picked)."""

    tester: str | None = None
    nonvoice: bool = False


EVAL_TYPES: dict[str, EvalType] = {e.id: e for e in (
    EvalType("all", "All", "全部"),
    EvalType("monitoring", "Internal QA (voice)", "内部质检（语音）"),
    EvalType("nonvoice", "Non-voice QA", "非语音渠道质检", nonvoice=True),
    EvalType("call_test_qa", "QA call tests", "质检拨测", tester="qa"),
    EvalType("call_test_leadership", "Leadership call tests", "领导拨测", tester="leadership"),
    EvalType("call_test_third_party", "Mystery shopper", "第三方暗访", tester="third_party"),
    EvalType("survey", "Customer satisfaction", "客户满意度"),
)}

#: the words of "no restriction" on a dimension, and of an agent restriction
ALL_WORDS: dict[str, Term] = {t.id: t for t in (
    Term("all_teams", "All teams", "全部班组"),
    Term("all_channels", "All channels", "全部渠道"),
    Term("agent", "Agent", "坐席"),
)}

_TESTERS = {e.tester: e for e in EVAL_TYPES.values() if e.tester}


def _as_tuple(x: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if x is None:
        return None
    if isinstance(x, str):
        return (x,)
    return tuple(str(v) for v in x)


@dataclass(frozen=True)
class Filter:
    """A restriction of the records: inclusive dates, and for each of team,
    agent, channel and tester type either ``None`` (no restriction) or the
    values kept.  Immutable and hashable, so it keys caches."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    team: tuple[str, ...] | None = None
    agent: tuple[str, ...] | None = None
    channel: tuple[str, ...] | None = None
    tester: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("team", "agent", "channel", "tester"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))
        if self.date_from is not None and self.date_to is not None and self.date_from > self.date_to:
            raise ValueError(f"the filter's dates are reversed: {self.date_from} > {self.date_to}")

    @classmethod
    def of(cls, date_from: dt.date | None = None, date_to: dt.date | None = None,
           team: str | Sequence[str] | None = None, agent: str | Sequence[str] | None = None,
           channel: str | Sequence[str] | None = None, eval_type: str | Sequence[str] | None = None) -> Filter:
        """From the keyword arguments of ``metric_table`` (``eval_type`` is
        the tester type there); a single value or a list for each."""
        return cls(date_from, date_to, team, agent, channel, eval_type)

    @classmethod
    def for_eval_type(cls, eval_type: str, channels: Iterable[str] = (), *, date_from: dt.date | None = None,
                      date_to: dt.date | None = None, team: str | Sequence[str] | None = None,
                      channel: str | Sequence[str] | None = None) -> Filter:
        """The filter of an evaluation type of :data:`EVAL_TYPES` as the
        sidebar offers it; ``channels`` are those found in the data (a
        non-voice view with no channel picked keeps every one but voice)."""
        kind = EVAL_TYPES.get(eval_type)
        if kind is None:
            raise ValueError(f"unknown evaluation type {eval_type!r}; one of {sorted(EVAL_TYPES)}")
        if kind.nonvoice and channel is None:
            channel = [c for c in channels if c != "voice"] or None
        return cls(date_from, date_to, team, None, channel, kind.tester)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``metric_table`` and the functions shaped like it."""
        return {"date_from": self.date_from, "date_to": self.date_to, "team": _unwrap(self.team),
                "agent": _unwrap(self.agent), "channel": _unwrap(self.channel), "eval_type": _unwrap(self.tester)}

    def merged(self, other: Filter | None) -> Filter:
        """This filter with ``other``'s restrictions added (``other`` wins where both restrict)."""
        if other is None:
            return self
        return replace(self, **{f.name: getattr(other, f.name) for f in fields(other)
                                if getattr(other, f.name) is not None})

    def with_dates(self, date_from: dt.date | None, date_to: dt.date | None) -> Filter:
        return replace(self, date_from=date_from, date_to=date_to)

    def previous(self) -> Filter:
        """The same restriction over the period a review compares this one
        with (:func:`qa_analytics.core.periods.previous_period`: the month,
        quarter or half-year before; the same length before a free range)."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("an open-ended filter has no previous period")
        return self.with_dates(*previous_period(self.date_from, self.date_to))

    def year_ago(self) -> Filter:
        """The same restriction over the same period a year earlier."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("an open-ended filter has no period a year ago")
        return self.with_dates(*year_ago(self.date_from, self.date_to))

    def conditions(self, *, date: str | None = None, team: str | None = None, agent: str | None = None,
                   channel: str | None = None, tester: str | None = None) -> tuple[list[str], list[Any]]:
        """SQL conditions and their parameters for the columns given (an SQL
        expression each, e.g. ``"r.eval_date"``); a dimension whose column
        is not given (the table has none) is not restricted.  A NULL
        channel counts as voice."""
        conds: list[str] = []
        params: list[Any] = []
        if date is not None and self.date_from is not None:
            conds.append(f"{date} >= ?")
            params.append(self.date_from)
        if date is not None and self.date_to is not None:
            conds.append(f"{date} <= ?")
            params.append(self.date_to)
        for column, values, null_as in ((team, self.team, None), (agent, self.agent, None),
                                        (channel, self.channel, "voice"), (tester, self.tester, None)):
            if column is None or values is None:
                continue
            expr = f"COALESCE({column}, '{null_as}')" if null_as else column
            if len(values) == 1:  # an equality: DuckDB skips row groups by their min/max
                conds.append(f"{expr} = ?")
                params.append(values[0])
            else:
                conds.append(f"list_contains(?::VARCHAR[], {expr})")
                params.append(list(values))
        return conds, params

    def where(self, **columns: str | None) -> tuple[str, list[Any]]:
        """``(" WHERE …", params)`` of :meth:`conditions` (``""`` when nothing restricts)."""
        conds, params = self.conditions(**columns)
        return ((" WHERE " + " AND ".join(conds)) if conds else ""), params

    def words(self, lang: str = "en", *, dates: bool = True) -> str:
        """The restriction in a sentence for a caption: ``2026-01-01 – 2026-06-30 · Team A · Online chat``."""
        zh = str(lang).startswith("zh")
        sep, listsep = " · ", ("、" if zh else ", ")
        parts: list[str] = []
        if dates and (self.date_from or self.date_to):
            parts.append(f"{_iso(self.date_from)} – {_iso(self.date_to)}")
        parts.append(listsep.join(self.team) if self.team else ALL_WORDS["all_teams"].label(lang))
        if self.agent:
            parts.append(f"{ALL_WORDS['agent'].label(lang)} {listsep.join(self.agent)}")
        parts.append(listsep.join(channel_label(c, lang) for c in self.channel) if self.channel
                     else ALL_WORDS["all_channels"].label(lang))
        if self.tester:
            parts.append(listsep.join(_TESTERS[t].label(lang) if t in _TESTERS else t for t in self.tester))
        return sep.join(parts)


def _unwrap(values: tuple[str, ...] | None) -> str | list[str] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else list(values)


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else ""
