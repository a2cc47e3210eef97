"""The cycle review: the agenda of the monthly (quarterly, half-yearly) quality meeting.

Why: the center's evaluation is a spiral, a closed loop: each check first
reviews how the previous check's problems were rectified, then analyses the
new ones.  For one cycle this gathers

1. the previous cycle's actions (opened then, or completed since) and their
   verification as of the cycle's end;
2. the new problems found this cycle: control-chart signals of the key
   indicators for the center and every team, with the action each suggests;
3. the actions still open at the cycle's end, the overdue ones first;
4. what changed in the headline indicators against the previous cycle.

It is exported as one workbook for the meeting's minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..analytics import metric_spc
from ..core.codes import Text, define, say
from ..core.periods import PeriodName, next_start, period_start, previous_start
from ..export import write_xlsx
from ..improvement import register, suggest, verify
from .overview import HEADLINE_METRICS, headline

__all__ = ["CYCLE_GRAINS", "CycleReview", "cycle_review", "cycle_starts", "write_review"]

#: the cycles a review meeting runs on
CYCLE_GRAINS = ("month", "quarter", "half_year")

SHEET_PREVIOUS = define("cycle_sheet_previous", en="Previous cycle's actions", zh="上期整改")
SHEET_PROBLEMS = define("cycle_sheet_problems", en="New problems", zh="本期新问题")
SHEET_OPEN = define("cycle_sheet_open", en="Open actions", zh="未完成措施")
SHEET_CHANGES = define("cycle_sheet_changes", en="Indicator changes", zh="指标变化")
COL = {k: define(f"cycle_col_{k}", en=en, zh=zh) for k, en, zh in (
    ("id", "No.", "编号"), ("type", "Type", "类型"), ("title", "Action", "措施"), ("scope", "Scope", "范围"),
    ("owner", "Owner", "负责人"), ("opened", "Opened", "开立"), ("due", "Due", "期限"), ("done", "Done", "完成"),
    ("status", "Status", "状态"), ("stage", "PDCA stage", "PDCA 阶段"), ("overdue", "Overdue", "逾期"),
    ("verdict", "Verdict", "验证结论"), ("figures", "Figures behind it", "依据"),
    ("metric", "Indicator", "指标"), ("unit", "Unit", "单位"), ("period", "Period", "期间"),
    ("signal", "Signal", "信号"), ("suggested", "Suggested action", "建议措施"),
    ("value", "This cycle", "本期"), ("prev", "Previous cycle", "上期"), ("change", "Change", "变化"),
    ("n", "n", "样本"), ("reading", "Reading", "判断"),
)}
YES = define("cycle_yes", en="yes", zh="是")
CENTER = define("cycle_center", en="center", zh="中心")


@dataclass(frozen=True)
class CycleReview:
    """One cycle's review (see the module docstring); frames hold codes and
    Text, said by the page or the workbook in the reader's language."""

    grain: str
    start: dt.date
    end: dt.date
    prev_start: dt.date
    prev_end: dt.date
    previous_actions: pd.DataFrame
    problems: pd.DataFrame
    suggestions: list[suggest.Suggestion] = field(default_factory=list)
    open_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def name(self) -> PeriodName:
        return PeriodName(self.start, self.grain)

    @property
    def previous_name(self) -> PeriodName:
        return PeriodName(self.prev_start, self.grain)


_ACTION_COLUMNS = ["id", "type", "title", "scope", "scope_value", "owner", "opened", "due", "done", "status",
                   "stage", "overdue", "verdict", "verification"]


def _action_rows(con: duckdb.DuckDBPyConnection, actions: list[Any], as_of: dt.date) -> pd.DataFrame:
    rows = []
    for a in actions:
        v = verify.verify_action(con, a.id, as_of=as_of)
        rows.append({"id": a.id, "type": a.type, "title": a.title, "scope": a.scope, "scope_value": a.scope_value,
                     "owner": a.owner, "opened": a.opened, "due": a.due, "done": a.done, "status": a.status,
                     "stage": a.stage, "overdue": register.is_overdue(a, as_of), "verdict": v.verdict,
                     "verification": v})
    return pd.DataFrame(rows, columns=_ACTION_COLUMNS)


def cycle_review(con: duckdb.DuckDBPyConnection, grain: str, start: dt.date,
                 metrics: tuple[str, ...] = tuple(HEADLINE_METRICS)) -> CycleReview:
    """The review of the cycle of ``grain`` (month / quarter / half_year) holding ``start``."""
    if grain not in CYCLE_GRAINS:
        raise ValueError(f"a review cycle is one of {CYCLE_GRAINS}, not {grain!r}")
    start = period_start(start, grain)
    end = next_start(start, grain) - dt.timedelta(days=1)
    prev_start = previous_start(start, grain)
    prev_end = start - dt.timedelta(days=1)
    everything = [a for a in register.list_actions(con) if a.opened is None or a.opened <= end]
    previous = [a for a in everything
                if (a.opened is not None and prev_start <= a.opened <= prev_end)
                or (a.done is not None and prev_start <= a.done <= end)]
    still_open = [a for a in everything if a.status == "open" or (a.done is not None and a.done > end)]
    still_open.sort(key=lambda a: (not register.is_overdue(a, end), a.due or dt.date.max, a.id))
    alert_grain = "week" if grain == "month" else "month"
    problems = pd.concat([
        metric_spc.signals_for_alerts(con, start, end, level=level, grain=alert_grain)
        for level in ("center", "team")], ignore_index=True)
    if len(problems):
        problems = problems[problems["assessment"] != "better"].reset_index(drop=True)
    changes = headline(con, start, end, metrics=list(metrics), compare_from=prev_start, compare_to=prev_end)
    return CycleReview(
        grain=grain, start=start, end=end, prev_start=prev_start, prev_end=prev_end,
        previous_actions=_action_rows(con, previous, end), problems=problems,
        suggestions=suggest.from_alerts(problems, grain=alert_grain) if len(problems) else [],
        open_actions=_action_rows(con, still_open, end), changes=changes)


def cycle_starts(con: duckdb.DuckDBPyConnection, grain: str) -> list[dt.date]:
    """The cycles that hold evaluations, latest first (the page's choices)."""
    if grain not in CYCLE_GRAINS:
        raise ValueError(f"a review cycle is one of {CYCLE_GRAINS}, not {grain!r}")
    days = con.execute("SELECT min(eval_date), max(eval_date) FROM monitoring").fetchone()
    if not days or days[0] is None:
        return []
    out, d = [], period_start(days[0], grain)
    while d <= days[1]:
        out.append(d)
        d = next_start(d, grain)
    return out[::-1]


def _say(x: Any, lang: str) -> Any:
    if isinstance(x, Text) and not isinstance(x, str):
        return say(x, lang)
    return x


def _actions_sheet(frame: pd.DataFrame, lang: str) -> tuple[list[str], list[list[Any]]]:
    keys = ["id", "type", "title", "scope", "owner", "opened", "due", "done", "status", "stage", "overdue",
            "verdict", "figures"]
    rows = []
    for r in frame.itertuples(index=False):
        scope = say(register.ACTION_SCOPE[r.scope], lang) + (f" · {r.scope_value}" if isinstance(r.scope_value, str) else "")
        rows.append([r.id, say(register.ACTION_TYPE[r.type], lang), r.title, scope, r.owner, r.opened, r.due,
                     r.done, say(register.ACTION_STATUS[r.status], lang), say(register.ACTION_STAGE[r.stage], lang),
                     say(YES, lang) if r.overdue else "", say(verify.VERDICT[r.verdict], lang),
                     say(r.verification, lang)])
    return [say(COL[k], lang) for k in keys], rows


def write_review(review: CycleReview, path: str | Path, lang: str = "zh") -> Path:
    """The review as a workbook: one sheet per part of the agenda (numbers
    as numbers, text cells safe from formula injection: ``export.write_xlsx``)."""
    problems = []
    by_key = {}
    for s in review.suggestions:
        e = s.evidence
        by_key.setdefault((e.get("metric"), e.get("key"), e.get("end")), s)
    for r in review.problems.itertuples(index=False):
        key = None if r.level == "center" else r.level_key
        s = by_key.get((r.metric, key, pd.Timestamp(r.period).date().isoformat()))
        problems.append([say(r.metric_name, lang), say(CENTER, lang) if key is None else key,
                         say(PeriodName(pd.Timestamp(r.period).date(), "week" if review.grain == "month" else "month"),
                             lang),
                         say(r.text, lang), r.value, say(s.title, lang) if s is not None else ""])
    changes = [[say(r.name, lang), r.value, r.prev_value, r.change, int(r.n), say(r.label, lang) if r.label else ""]
               for r in review.changes.itertuples(index=False)]
    sheets = {
        say(SHEET_PREVIOUS, lang): _actions_sheet(review.previous_actions, lang),
        say(SHEET_PROBLEMS, lang): ([say(COL[k], lang) for k in ("metric", "unit", "period", "signal", "value",
                                                                 "suggested")], problems),
        say(SHEET_OPEN, lang): _actions_sheet(review.open_actions, lang),
        say(SHEET_CHANGES, lang): ([say(COL[k], lang) for k in ("metric", "value", "prev", "change", "n",
                                                                "reading")], changes),
    }
    return write_xlsx(path, sheets)
