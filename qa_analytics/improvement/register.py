"""The improvement register: corrective, preventive and coaching actions and
major projects, each tied to the signal that triggered it and the metrics it
should move.

Why a register in the store: an action is only closed when the data shows it
worked (``verify.verify_action``), so the action, its windows and its scope
must sit beside the records they are judged on.  ``action`` holds each
action's current version; ``action_history`` every version ever written,
append-only, with who wrote it and what kind of change it was, so a register
can be audited as a quality system requires.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import store
from ..analytics.metrics import is_metric
from ..core.codes import Code, Problem, define, say

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Action", "ActionError", "ACTION_TYPE", "ACTION_TRIGGER", "ACTION_SCOPE", "ACTION_STAGE", "ACTION_STATUS",
    "TYPES", "TRIGGERS", "SCOPES", "STAGES", "STATUSES", "FIELDS",
    "create_action", "update_action", "close_action", "reopen_action", "get_action", "list_actions",
    "action_history", "is_overdue", "actions_for_chart", "export_actions",
]

# --------------------------------------------------------------------------
# Vocabularies: each value a code with its words, defined here once
# --------------------------------------------------------------------------

ACTION_TYPE: dict[str, Code] = {
    "corrective": define("action_type_corrective", en="corrective action", zh="纠正措施"),
    "preventive": define("action_type_preventive", en="preventive action", zh="预防措施"),
    "project": define("action_type_project", en="improvement project", zh="重大改进项目"),
    "coaching": define("action_type_coaching", en="coaching", zh="辅导"),
}
ACTION_TRIGGER: dict[str, Code] = {
    "signal": define("action_trigger_signal", en="control-chart signal", zh="控制图信号"),
    "funnel": define("action_trigger_funnel", en="funnel outlier", zh="漏斗图异常"),
    "evaluation": define("action_trigger_evaluation", en="evaluation", zh="质检结果"),
    "appeal": define("action_trigger_appeal", en="appeal", zh="申诉"),
    "meeting": define("action_trigger_meeting", en="review-meeting decision", zh="质量分析会决定"),
    "manual": define("action_trigger_manual", en="entered by hand", zh="手工录入"),
}
ACTION_SCOPE: dict[str, Code] = {
    "center": define("action_scope_center", en="center", zh="全中心"),
    "team": define("action_scope_team", en="team", zh="班组"),
    "agent": define("action_scope_agent", en="agent", zh="坐席"),
    "item": define("action_scope_item", en="QA form item", zh="质检项"),
    "channel": define("action_scope_channel", en="channel", zh="渠道"),
    "system": define("action_scope_system", en="system", zh="系统"),
    # a lenient or severe evaluator's calibration (the Evaluators page)
    "evaluator": define("action_scope_evaluator", en="QA evaluator", zh="质检员"),
}
ACTION_STAGE: dict[str, Code] = {
    "plan": define("action_stage_plan", en="plan", zh="计划"),
    "do": define("action_stage_do", en="do", zh="实施"),
    "check": define("action_stage_check", en="check", zh="检查"),
    "act": define("action_stage_act", en="act", zh="处置"),
}
ACTION_STATUS: dict[str, Code] = {
    "open": define("action_status_open", en="open", zh="进行中"),
    "closed": define("action_status_closed", en="closed", zh="已关闭"),
}
TYPES: tuple[str, ...] = tuple(ACTION_TYPE)
TRIGGERS: tuple[str, ...] = tuple(ACTION_TRIGGER)
SCOPES: tuple[str, ...] = tuple(ACTION_SCOPE)
STAGES: tuple[str, ...] = tuple(ACTION_STAGE)
STATUSES: tuple[str, ...] = tuple(ACTION_STATUS)

OVERDUE = define("action_overdue", en="overdue", zh="已逾期")
ACTION_TITLE_LINE = define("action_title_line", en="#{id} {type}: {title} ({scope}{value}, {status})",
                           zh="#{id} {type}：{title}（{scope}{value}，{status}）")

# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------

ACTION_UNKNOWN = define("action_unknown", en="there is no action #{id}", zh="没有编号为 #{id} 的改进措施")
ACTION_BAD_VALUE = define("action_bad_value", en="{field} cannot be {value!r}; it is one of: {allowed}",
                          zh="{field} 不能为 {value!r}，可选：{allowed}")
ACTION_BAD_FIELD = define("action_bad_field", en="an action has no field {field!r}", zh="改进措施没有字段 {field!r}")
ACTION_NO_TITLE = define("action_no_title", en="an action needs a title", zh="改进措施必须有标题")
ACTION_BAD_DATES = define("action_bad_dates", en="{later} ({later_date}) cannot be before {earlier} ({earlier_date})",
                          zh="{later}（{later_date}）不能早于{earlier}（{earlier_date}）")
ACTION_BAD_DATE = define("action_bad_date", en="{field}: {value!r} is not a date (YYYY-MM-DD)",
                         zh="{field}：{value!r} 不是日期（YYYY-MM-DD）")
ACTION_BAD_PARENT = define("action_bad_parent", en="action #{id} is not an improvement project; only a project holds "
                           "other actions", zh="#{id} 不是重大改进项目，只有项目可以包含其他措施")
ACTION_ALREADY = define("action_already", en="action #{id} is already {status}", zh="改进措施 #{id} 已经是{status}状态")
ACTION_NEEDS_VALUE = define("action_needs_value", en="a {scope} action needs the {scope} it concerns (scope value)",
                            zh="范围为{scope}的措施需要指明具体对象（范围值）")

ACTION_UNKNOWN_METRIC = define("action_unknown_metric", en="there is no metric {metric!r}", zh="没有指标 {metric!r}")


class ActionError(Problem):
    """A register write refused: unknown action, value or field, bad dates."""


# --------------------------------------------------------------------------
# The action
# --------------------------------------------------------------------------

#: Window length (days) of the default before and after periods.
WINDOW_DAYS = 90


@dataclass(frozen=True)
class Action:
    """One action as it stands now (the ``action`` table's row)."""

    id: int
    parent_id: int | None
    type: str
    title: str
    trigger: str
    evidence: dict | None
    scope: str
    scope_value: str | None
    metrics: tuple[str, ...]
    owner: str
    opened: dt.date
    due: dt.date | None
    done: dt.date | None
    verify_after: dt.date | None
    before_from: dt.date
    before_to: dt.date
    after_from: dt.date
    after_to: dt.date
    stage: str
    status: str
    root_cause: str
    measures: str
    verification_note: str
    verdict: str | None
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @property
    def event_date(self) -> dt.date:
        """The day the action took effect: done, else opened (where a chart marks it)."""
        return self.done or self.opened

    def text(self, lang: str = "en") -> str:
        """Its title line: ``#3 corrective action: … (team A, open)``."""
        return ACTION_TITLE_LINE.text(lang, id=self.id, type=ACTION_TYPE[self.type], title=self.title,
                                      scope=ACTION_SCOPE[self.scope],
                                      value=f" {self.scope_value}" if self.scope_value else "",
                                      status=ACTION_STATUS[self.status])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else (
                list(v) if isinstance(v, tuple) else v)
        return out


_COLUMNS = tuple(f.name for f in dataclasses.fields(Action))
#: Fields :func:`update_action` may change.
FIELDS: frozenset[str] = frozenset(_COLUMNS) - {"id", "created_at", "updated_at", "version", "source"}
_DATE_FIELDS = ("opened", "due", "done", "verify_after", "before_from", "before_to", "after_from", "after_to")


def _date(field: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ActionError(ACTION_BAD_DATE, field=field, value=str(value)) from None


def _check_vocab(field: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ActionError(ACTION_BAD_VALUE, field=field, value=value, allowed=", ".join(allowed))


def _row_to_action(row: Sequence[Any]) -> Action:
    rec = dict(zip(_COLUMNS, row))
    rec["evidence"] = json.loads(rec["evidence"]) if rec["evidence"] else None
    rec["metrics"] = tuple(rec["metrics"] or ())
    for k in ("owner", "root_cause", "measures", "verification_note"):
        rec[k] = rec[k] or ""
    return Action(**rec)


def _default_windows(rec: dict[str, Any]) -> None:
    """Before: the 90 days before ``opened``; after: 90 days from ``done`` (or opened)."""
    opened = rec["opened"]
    start = rec["done"] or opened
    if rec["before_to"] is None:
        rec["before_to"] = opened - dt.timedelta(days=1)
    if rec["before_from"] is None:
        rec["before_from"] = rec["before_to"] - dt.timedelta(days=WINDOW_DAYS - 1)
    if rec["after_from"] is None:
        rec["after_from"] = start
    if rec["after_to"] is None:
        rec["after_to"] = rec["after_from"] + dt.timedelta(days=WINDOW_DAYS - 1)


def _validate(con: store.Connection, rec: dict[str, Any]) -> None:
    if not str(rec["title"] or "").strip():
        raise ActionError(ACTION_NO_TITLE)
    _check_vocab("type", rec["type"], TYPES)
    _check_vocab("trigger", rec["trigger"], TRIGGERS)
    _check_vocab("scope", rec["scope"], SCOPES)
    _check_vocab("stage", rec["stage"], STAGES)
    _check_vocab("status", rec["status"], STATUSES)
    for m in rec["metrics"]:
        if not is_metric(m):
            raise ActionError(ACTION_UNKNOWN_METRIC, metric=m)
    if rec["scope"] != "center" and not rec["scope_value"]:
        raise ActionError(ACTION_NEEDS_VALUE, scope=ACTION_SCOPE[rec["scope"]])
    for k in _DATE_FIELDS:
        rec[k] = _date(k, rec[k])
    if rec["opened"] is None:
        raise ActionError(ACTION_BAD_DATE, field="opened", value="")
    for earlier, later in (("opened", "due"), ("opened", "done"), ("before_from", "before_to"),
                           ("after_from", "after_to")):
        if rec[earlier] and rec[later] and rec[later] < rec[earlier]:
            raise ActionError(ACTION_BAD_DATES, earlier=earlier, earlier_date=rec[earlier].isoformat(),
                              later=later, later_date=rec[later].isoformat())
    if rec["parent_id"] is not None:
        parent = get_action(con, int(rec["parent_id"]))
        if parent.type != "project" or parent.id == rec.get("id"):
            raise ActionError(ACTION_BAD_PARENT, id=parent.id)


def _write(con: store.Connection, rec: dict[str, Any], change: str, insert: bool) -> Action:
    values = dict(rec)
    values["evidence"] = json.dumps(rec["evidence"], ensure_ascii=False, default=str) if rec["evidence"] else None
    values["metrics"] = list(rec["metrics"] or ())
    cols = ", ".join(_COLUMNS)
    marks = ", ".join("?" * len(_COLUMNS))
    params = [values[c] for c in _COLUMNS]
    if insert:
        con.execute(f"INSERT INTO action ({cols}) VALUES ({marks})", params)
    else:
        sets = ", ".join(f"{c} = ?" for c in _COLUMNS if c != "id")
        con.execute(f"UPDATE action SET {sets} WHERE id = ?", [values[c] for c in _COLUMNS if c != "id"] + [rec["id"]])
    con.execute(f"INSERT INTO action_history ({cols}, changed_by, changed_at, change) VALUES ({marks}, ?, ?, ?)",
                params + [store.current_user(), rec["updated_at"], change])
    store.bump_version(con)
    return _row_to_action([rec[c] if c not in ("evidence", "metrics") else values[c] for c in _COLUMNS])


def create_action(
    con: store.Connection,
    *,
    type: str,
    title: str,
    scope: str = "center",
    scope_value: str | None = None,
    metrics: Iterable[str] = (),
    trigger: str = "manual",
    evidence: dict | None = None,
    owner: str = "",
    opened: dt.date | str | None = None,
    due: dt.date | str | None = None,
    verify_after: dt.date | str | None = None,
    before: tuple[Any, Any] | None = None,
    after: tuple[Any, Any] | None = None,
    parent_id: int | None = None,
    root_cause: str = "",
    measures: str = "",
    stage: str = "plan",
    source: str = "user",
) -> Action:
    """Record a new action (version 1) and return it.

    ``before`` / ``after``: (from, to) windows the verification compares;
    default the 90 days before ``opened`` and 90 days from it (from ``done``
    once closed).  ``verify_after``: the earliest day a verdict may be given
    (default: the after window's end).
    """
    now = dt.datetime.now()
    rec: dict[str, Any] = dict(
        id=None, parent_id=parent_id, type=type, title=(title or "").strip(), trigger=trigger, evidence=evidence,
        scope=scope, scope_value=(scope_value or None) if scope != "center" else None, metrics=tuple(metrics),
        owner=owner or "", opened=opened or dt.date.today(), due=due, done=None, verify_after=verify_after,
        before_from=(before or (None, None))[0], before_to=(before or (None, None))[1],
        after_from=(after or (None, None))[0], after_to=(after or (None, None))[1],
        stage=stage, status="open", root_cause=root_cause or "", measures=measures or "", verification_note="",
        verdict=None, source=source, created_at=now, updated_at=now, version=1,
    )
    _validate(con, rec)
    _default_windows(rec)
    if rec["verify_after"] is None:
        rec["verify_after"] = rec["after_to"]
    with store.transaction(con):
        rec["id"] = int(con.execute("SELECT nextval('action_seq')").fetchone()[0])
        return _write(con, rec, "create", insert=True)


def _current(con: store.Connection, action_id: int) -> dict[str, Any]:
    a = get_action(con, action_id)
    return {c: getattr(a, c) for c in _COLUMNS}


def update_action(con: store.Connection, action_id: int, _change: str = "update", **changes: Any) -> Action:
    """Change some fields of an action: a new version, the old one kept in the history."""
    bad = set(changes) - FIELDS
    if bad:
        raise ActionError(ACTION_BAD_FIELD, field=sorted(bad)[0])
    with store.transaction(con):
        rec = _current(con, action_id)
        if "metrics" in changes:
            changes["metrics"] = tuple(changes["metrics"] or ())
        rec.update(changes)
        if rec["scope"] == "center":
            rec["scope_value"] = None
        _validate(con, rec)
        rec["version"] += 1
        rec["updated_at"] = dt.datetime.now()
        return _write(con, rec, _change, insert=False)


def close_action(con: store.Connection, action_id: int, done: dt.date | str | None = None,
                 note: str = "") -> Action:
    """Close an action (stage ``act``), done on ``done`` (default today).
    The after window starts at ``done`` unless it was set by hand."""
    a = get_action(con, action_id)
    if a.status == "closed":
        raise ActionError(ACTION_ALREADY, id=action_id, status=ACTION_STATUS["closed"])
    done_d = _date("done", done) or dt.date.today()
    changes: dict[str, Any] = dict(status="closed", stage="act", done=done_d)
    if note:
        changes["verification_note"] = note
    if a.after_from == a.opened and done_d >= a.opened:  # the default window: move it to the done date
        length = a.after_to - a.after_from
        changes["after_from"], changes["after_to"] = done_d, done_d + length
        if a.verify_after == a.after_to:
            changes["verify_after"] = done_d + length
    return update_action(con, action_id, _change="close", **changes)


def reopen_action(con: store.Connection, action_id: int, note: str = "") -> Action:
    """Open a closed action again (stage ``do``): the verification said it did not work, or more is to do."""
    a = get_action(con, action_id)
    if a.status == "open":
        raise ActionError(ACTION_ALREADY, id=action_id, status=ACTION_STATUS["open"])
    changes: dict[str, Any] = dict(status="open", stage="do", done=None)
    if note:
        changes["verification_note"] = note
    return update_action(con, action_id, _change="reopen", **changes)


def get_action(con: store.Connection, action_id: int) -> Action:
    """The action as it stands; :class:`ActionError` when there is none."""
    row = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM action WHERE id = ?", [int(action_id)]).fetchone()
    if row is None:
        raise ActionError(ACTION_UNKNOWN, id=action_id)
    return _row_to_action(row)


_ANY = object()


def list_actions(con: store.Connection, status: str | None = None, as_of: dt.date | None = None,
                 metric: str | None = None, type: str | None = None, parent_id: Any = _ANY) -> list[Action]:
    """The register, oldest first.  ``as_of``: the actions opened by that day;
    ``metric``: those meant to move it; ``parent_id``: a project's actions
    (``None``: the top-level ones; default: all)."""
    where, params = ["TRUE"], []
    if status is not None:
        _check_vocab("status", status, STATUSES)
        where.append("status = ?")
        params.append(status)
    if as_of is not None:
        where.append("opened <= ?")
        params.append(_date("as_of", as_of))
    if metric is not None:
        where.append("list_contains(metrics, ?)")
        params.append(metric)
    if type is not None:
        _check_vocab("type", type, TYPES)
        where.append("type = ?")
        params.append(type)
    if parent_id is not _ANY:
        if parent_id is None:
            where.append("parent_id IS NULL")
        else:
            where.append("parent_id = ?")
            params.append(int(parent_id))
    rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM action WHERE {' AND '.join(where)} ORDER BY opened, id",
                       params).fetchall()
    return [_row_to_action(r) for r in rows]


def action_history(con: store.Connection, action_id: int) -> pd.DataFrame:
    """Every version of an action, oldest first, with ``changed_by``, ``changed_at`` and ``change``."""
    get_action(con, action_id)
    return con.execute("SELECT * FROM action_history WHERE id = ? ORDER BY version", [int(action_id)]).df()


def is_overdue(action: Action, as_of: dt.date | None = None) -> bool:
    """Open past its due date."""
    day = _date("as_of", as_of) or dt.date.today()
    return action.status == "open" and action.due is not None and action.due < day


def actions_for_chart(con: store.Connection, metric_id: str, *, team: str | None = None, agent: str | None = None,
                      date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[Action]:
    """The actions to mark on a control chart of ``metric_id``: center-scope
    actions on every chart; a team's on the center chart and that team's; an
    agent's on that agent's chart and their team's (the team they are in
    now, from the roster); with their event date (done, else opened) in the
    range.  Other scopes (item, channel, system) show on the center chart."""
    params: list[Any] = [metric_id]
    if agent is not None:
        cond = "(scope = 'center' OR (scope = 'agent' AND scope_value = ?) OR (scope = 'team' AND scope_value = " \
               "(SELECT team FROM roster WHERE agent_id = ? LIMIT 1)))"
        params += [agent, agent]
    elif team is not None:
        cond = ("(scope = 'center' OR (scope = 'team' AND scope_value = ?) OR (scope = 'agent' AND scope_value IN "
                "(SELECT agent_id FROM roster_intervals WHERE team = ?)))")
        params += [team, team]
    else:
        cond = "scope <> 'agent'"
    sql = f"SELECT {', '.join(_COLUMNS)} FROM action WHERE list_contains(metrics, ?) AND {cond}"
    if date_from is not None:
        sql += " AND COALESCE(done, opened) >= ?"
        params.append(_date("date_from", date_from))
    if date_to is not None:
        sql += " AND COALESCE(done, opened) <= ?"
        params.append(_date("date_to", date_to))
    return [_row_to_action(r) for r in con.execute(sql + " ORDER BY COALESCE(done, opened), id", params).fetchall()]


EXPORT_HEADERS = {
    "register": define("action_export_register", en="register", zh="改进措施台账"),
    "history": define("action_export_history", en="history", zh="变更记录"),
}


def export_actions(con: store.Connection, path: str | Path, lang: str = "zh") -> Path:
    """The register and its history as an .xlsx file (one sheet each), written
    through ``qa_analytics.export.write_xlsx``: real dates, text never a formula."""
    from ..export import write_xlsx

    actions = list_actions(con)
    cols = list(_COLUMNS)
    rows = []
    for a in actions:
        row = []
        for c in cols:
            v = getattr(a, c)
            if c == "type":
                v = say(ACTION_TYPE[v], lang)
            elif c == "scope":
                v = say(ACTION_SCOPE[v], lang)
            elif c == "stage":
                v = say(ACTION_STAGE[v], lang)
            elif c == "status":
                v = say(ACTION_STATUS[v], lang)
            elif c == "trigger":
                v = say(ACTION_TRIGGER[v], lang)
            elif c == "metrics":
                v = ", ".join(v)
            elif c == "evidence":
                v = json.dumps(v, ensure_ascii=False, default=str) if v else ""
            row.append(v)
        rows.append(row)
    hist = con.execute("SELECT * FROM action_history ORDER BY id, version").fetchall()
    hcols = [d[0] for d in con.description]
    hrows = [[", ".join(v) if isinstance(v, list) else v for v in r] for r in hist]
    return write_xlsx(path, {say(EXPORT_HEADERS["register"], lang): (cols, rows),
                             say(EXPORT_HEADERS["history"], lang): (hcols, hrows)})
