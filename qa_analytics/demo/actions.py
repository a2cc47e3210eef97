"""The demo center's improvement register: actions tied to the planted patterns.

Why these: each shows one way the loop closes.  The training of the trained
team is the action the data proves (its scores rise after the training date,
the other teams' do not); a script change elsewhere, with nothing planted
behind it, shows what an action without an effect looks like; the drifting
agent gets a preventive action on the early signs and then coaching, held by
a project; one action is left open past its due date.  Only what happened is
recorded here: the verdicts are computed from the data whenever asked
(``improvement.verify``), never stored.
"""

from __future__ import annotations

import datetime as dt

from .. import store
from ..improvement import register as reg

__all__ = ["record_demo_actions"]

_D = dt.timedelta


def record_demo_actions(con: store.Connection, facts: dict) -> dict[str, int]:
    """Record the demo's actions (``source='demo'``) from ``demo_facts``;
    returns the ids by role (trained, script, preventive, coaching, overdue, project)."""
    with store.transaction(con):
        con.execute("DELETE FROM action_history WHERE source = 'demo'")
        con.execute("DELETE FROM action WHERE source = 'demo'")
    start, end = facts["period_start"], facts["period_end"]

    def clip(a: dt.date, b: dt.date) -> tuple[dt.date, dt.date]:
        return max(a, start), min(b, end)

    ids: dict[str, int] = {}
    training = facts["training_date"]
    # A short demo may not reach the training or leave room after it: an
    # action whose before or after window falls outside the data is left out.
    if start < training <= end:
        ids["trained"] = _trained(con, facts, training, clip)
    other = next(t for t in facts["teams"] if t not in (facts["trained_team"], facts["drifting_agent_team"], "新人组"))
    s_open = max(start + _D(days=90), training - _D(days=120))
    if s_open <= end:
        ids["script"] = _script(con, other, s_open, clip)
    _drift_and_overdue(con, facts, start, end, ids)
    return ids


def _trained(con: store.Connection, facts: dict, training: dt.date, clip) -> int:
    trained = reg.create_action(
        con, type="corrective", title="投诉处理组业务与沟通技巧专项培训", scope="team",
        scope_value=facts["trained_team"], metrics=["qa_mean_score", "critical_error_rate"], trigger="signal",
        evidence={"metric": "qa_mean_score", "chart": "control_chart", "team": facts["trained_team"],
                  "rule": "nelson_2", "note": "连续低于中心线"},
        owner="培训主管", opened=training - _D(days=14), due=training, before=clip(training - _D(days=90),
                                                                                 training - _D(days=1)),
        after=clip(training, training + _D(days=89)), root_cause="新业务规则掌握不足，投诉处理话术不统一",
        measures="两天集中培训 + 话术手册", stage="do", source="demo")
    reg.close_action(con, trained.id, done=training, note="培训已完成")
    return trained.id


def _script(con: store.Connection, other: str, s_open: dt.date, clip) -> int:
    script = reg.create_action(
        con, type="corrective", title=f"{other}开场白与结束语话术调整", scope="team", scope_value=other,
        metrics=["qa_mean_score"], trigger="meeting", owner="班组长", opened=s_open, due=s_open + _D(days=7),
        before=clip(s_open - _D(days=90), s_open - _D(days=1)), after=clip(s_open, s_open + _D(days=89)),
        measures="新版话术下发并组织学习", stage="do", source="demo")
    reg.close_action(con, script.id, done=s_open, note="话术已上线")
    return script.id


def _drift_and_overdue(con: store.Connection, facts: dict, start: dt.date, end: dt.date, ids: dict[str, int]) -> None:
    agent, team, drift = facts["drifting_agent_id"], facts["drifting_agent_team"], facts["drift_start"]
    p_open = min(drift + _D(days=40), end)
    project = reg.create_action(
        con, type="project", title=f"{team}质量稳定性改进项目", scope="team", scope_value=team,
        metrics=["qa_mean_score"], trigger="meeting", owner="质检主管", opened=p_open, due=end + _D(days=60),
        stage="do", source="demo")
    ids["project"] = project.id
    prev = reg.create_action(
        con, type="preventive", title="坐席得分下滑早期预警：增加抽检频次", scope="agent", scope_value=agent,
        metrics=["qa_mean_score"], trigger="signal", parent_id=project.id, owner="质检员",
        evidence={"metric": "qa_mean_score", "chart": "control_chart", "agent": agent, "rule": "nelson_3",
                  "note": "连续下降趋势"},
        opened=p_open, due=p_open + _D(days=14), stage="do", source="demo")
    reg.close_action(con, prev.id, done=min(p_open + _D(days=10), end))
    ids["preventive"] = prev.id
    c_open = min(drift + _D(days=75), end)
    coach = reg.create_action(
        con, type="coaching", title="一对一辅导：业务知识与情绪管理", scope="agent", scope_value=agent,
        metrics=["qa_mean_score"], trigger="evaluation", parent_id=project.id, owner="班组长",
        opened=c_open, due=c_open + _D(days=21), stage="do", source="demo")
    reg.close_action(con, coach.id, done=min(c_open + _D(days=14), end))
    ids["coaching"] = coach.id
    late = max(start, end - _D(days=45))
    overdue = reg.create_action(
        con, type="corrective", title="质检员评分尺度校准（宽松评分）", scope="center",
        metrics=["qa_mean_score"], trigger="meeting", owner="质检主管",
        evidence={"evaluator": facts["lenient_evaluator"], "note": "评分显著偏高"},
        opened=late, due=late + _D(days=14), stage="plan", source="demo")
    ids["overdue"] = overdue.id
