"""From signal to action: what the period's findings suggest doing.

Why a module of its own: the Overview's alerts, the Control charts page, the
Drill-down and the Evaluators page each show findings, and each offers the
same next step.  The rule that turns a finding into a kind of action is the
centre's management measure, written once here:

* a point beyond the control limits is a nonconformity: a **corrective**
  action;
* a run or a trend inside the limits is a drift that has not become one yet:
  a **preventive** action;
* the same problem in several teams, or again and again in one unit, is not
  one unit's slip: a **major improvement project**;
* an agent who loses points on the same item of the QA form more often than
  the rest of the team: **coaching** on that item.

Only findings that read ``worse`` (or ``unusual``, for a pattern with no
direction) suggest anything: a signal of improvement asks for no action.
A :class:`Suggestion` carries the evidence (metric, chart, rule, points,
figures) that the drafted action keeps, so the register links back to what
was seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.codes import Phrase, Text, define, say

__all__ = [
    "Suggestion",
    "from_episode",
    "from_alerts",
    "projects_from_alerts",
    "coaching_from_items",
    "from_leniency",
    "REPEAT_PROJECT_MIN",
    "COACHING_MIN_LOSSES",
]

#: Units (teams) with the same worse signal of one metric, or episodes of one
#: unit, from which a problem is the center's and asks for a project.
REPEAT_PROJECT_MIN = 3
#: Evaluations losing points on one item before coaching on it is suggested.
COACHING_MIN_LOSSES = 3
#: One-sided level of the agent-against-team test (BH over the agent's items).
COACHING_ALPHA = 0.05

WHY_CORRECTIVE = define(
    "suggest_why_corrective",
    en="a point beyond the control limits is a nonconformity: correct its cause",
    zh="有点超出控制限，属于不合格：应纠正其原因")
WHY_PREVENTIVE = define(
    "suggest_why_preventive",
    en="a run or trend inside the limits is a drift that is not a nonconformity yet: prevent it",
    zh="控制限内出现连串或趋势，是尚未形成不合格的偏移：应预防")
WHY_PROJECT_TEAMS = define(
    "suggest_why_project_teams",
    en="the same problem in {n} teams is the center's, not one team's: a major improvement project",
    zh="{n} 个班组出现同一问题，属于中心层面的问题：应立重大改进项目")
WHY_PROJECT_REPEAT = define(
    "suggest_why_project_repeat",
    en="the same problem {n} times in {unit}: it keeps coming back, a major improvement project",
    zh="{unit} 同一问题出现 {n} 次，反复发生：应立重大改进项目")
WHY_COACHING = define(
    "suggest_why_coaching",
    en="points lost on this item in {lost} of {applicable} evaluations, against {team_rate} in the rest of the team",
    zh="该项在 {applicable} 次评估中有 {lost} 次扣分，班组其他人为 {team_rate}")
TITLE_SIGNAL = define("suggest_title_signal", en="{metric} · {unit}: {signal}", zh="{metric} · {unit}：{signal}")
TITLE_PROJECT = define("suggest_title_project", en="{metric}: recurring problem ({where})",
                       zh="{metric}：反复出现的问题（{where}）")
WHY_LENIENCY = define(
    "suggest_why_leniency",
    en="scores {diff:+.1f} points against the other evaluators on the same agents in the same months: calibrate",
    zh="对同一坐席同月的评分比其他质检员 {diff:+.1f} 分：应组织校准")
TITLE_LENIENCY = define("suggest_title_leniency", en="Calibration for {evaluator} ({label})",
                        zh="对 {evaluator} 进行评分校准（{label}）")
TITLE_COACHING = define("suggest_title_coaching", en="Coaching on “{item}” for {agent}",
                        zh="针对“{item}”辅导 {agent}")
UNIT_CENTER = define("suggest_unit_center", en="center", zh="中心")
WHERE_TEAMS = define("suggest_where_teams", en="{n} teams", zh="{n} 个班组")
WHERE_TIMES = define("suggest_where_times", en="{unit}, {n} times", zh="{unit}，{n} 次")

_LEVEL_SCOPE = {"center": "center", "team": "team", "agent": "agent"}


@dataclass(frozen=True)
class Suggestion:
    """A drafted action: what kind, for whom, on which indicators, and why.

    ``evidence`` is plain JSON (ISO dates, numbers, strings): the register
    stores it with the action, and the action's page links back with it.
    """

    type: str  # corrective | preventive | project | coaching (register.TYPES)
    trigger: str  # signal | funnel | evaluation ... (register.TRIGGERS)
    scope: str  # center | team | agent | item ... (register.SCOPES)
    scope_value: str | None
    metrics: tuple[str, ...]
    title: Text
    why: Text
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return say(self.title, lang)

    @property
    def key(self) -> str:
        """Stable id of the suggestion (widget keys, "already drafted" checks)."""
        e = self.evidence
        return "|".join(str(x) for x in (self.type, self.scope, self.scope_value, ",".join(self.metrics),
                                         e.get("rule", ""), e.get("end", ""), e.get("item", "")))

    def draft(self, lang: str = "en") -> dict[str, Any]:
        """Keyword arguments for ``register.create_action``: the title is said
        in the drafter's language (it becomes the user's own text).

        A point beyond the limits is an excursion the process returns from
        by itself (regression to the mean): a before window that holds it
        would credit any action with that return.  Its draft's before window
        therefore ends the day before the excursion (``before=(None, day)``:
        the register's 90 days up to it), so the action is judged against
        the process as it was, not against its worst point.  A run or trend
        is the state the action means to change, and stays in."""
        out = {"type": self.type, "title": say(self.title, lang), "scope": self.scope,
               "scope_value": self.scope_value, "metrics": tuple(self.metrics), "trigger": self.trigger,
               "evidence": dict(self.evidence), "root_cause": "", "measures": say(self.why, lang)}
        start = self.evidence.get("start")
        if self.evidence.get("kind") == "limits" and start:
            out["before"] = (None, dt.date.fromisoformat(start) - dt.timedelta(days=1))
        return out


def _iso(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return None
    return pd.Timestamp(x).date().isoformat()


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def from_episode(metric: Any, episode: Mapping[str, Any], *, level: str = "center", key: str | None = None,
                 unit_name: Text | str | None = None, chart: str | None = None, grain: str = "month",
                 point: Mapping[str, Any] | None = None) -> Suggestion | None:
    """The action a control-chart episode suggests, or ``None`` (a signal of
    improvement, or a level with no scope).

    ``metric`` is the :class:`~qa_analytics.analytics.metrics.Metric` (a
    Text with ``id``); ``episode`` a dict of
    :attr:`ControlChartResult.main_episodes` or a row of
    ``signals_for_alerts`` (``start``, ``end``/``period``, ``rule``,
    ``kind``, ``assessment``, ``text``); ``point`` the plotted figures at the
    episode's end (``value``, ``center``, ``lcl``, ``ucl``) when known.
    """
    assessment = episode.get("assessment")
    if assessment not in ("worse", "unusual") or level not in _LEVEL_SCOPE:
        return None
    kind = episode.get("kind")
    corrective = kind == "limits"
    end = episode.get("end", episode.get("period"))
    point = point if point is not None else episode
    evidence = {
        "source": "control_chart", "metric": metric.id, "level": level, "key": key, "grain": grain,
        "chart": chart or episode.get("chart"), "rule": int(episode.get("rule") or 0), "kind": kind,
        "assessment": assessment, "start": _iso(episode.get("start")), "end": _iso(end),
        "value": _num(point.get("value")), "center": _num(point.get("center")),
        "lcl": _num(point.get("lcl")), "ucl": _num(point.get("ucl")),
        "signal": {lg: say(episode.get("text"), lg) for lg in ("zh", "en")} if episode.get("text") else None,
    }
    unit = unit_name if unit_name is not None else (key if key is not None else UNIT_CENTER)
    return Suggestion(
        type="corrective" if corrective else "preventive", trigger="signal",
        scope=_LEVEL_SCOPE[level], scope_value=None if level == "center" else key,
        metrics=(metric.id,),
        title=Phrase(TITLE_SIGNAL, {"metric": metric, "unit": unit, "signal": episode.get("text") or ""}),
        why=WHY_CORRECTIVE if corrective else WHY_PREVENTIVE, evidence=evidence)


def from_alerts(alerts: pd.DataFrame, grain: str = "week") -> list[Suggestion]:
    """One suggestion per worse (or unusual) row of ``signals_for_alerts``,
    then the projects the rows together call for (:func:`projects_from_alerts`),
    projects first."""
    out = projects_from_alerts(alerts, grain=grain)
    for row in alerts.to_dict("records"):
        level = row.get("level", "center")
        key = None if level == "center" else row.get("level_key")
        s = from_episode(row["metric_name"], row, level=level, key=key, grain=grain, chart=row.get("chart"))
        if s is not None:
            out.append(s)
    return out


def projects_from_alerts(alerts: pd.DataFrame, min_units: int = REPEAT_PROJECT_MIN,
                         grain: str = "week") -> list[Suggestion]:
    """Major projects: a metric with worse signals in at least ``min_units``
    teams, or a unit with at least ``min_units`` worse episodes of one metric."""
    if alerts.empty:
        return []
    worse = alerts[alerts["assessment"] == "worse"]
    out: list[Suggestion] = []
    for mid, sub in worse.groupby("metric", sort=True):
        metric = sub["metric_name"].iloc[0]
        teams = sorted({str(k) for lv, k in zip(sub["level"], sub["level_key"]) if lv == "team"})
        base = {"source": "alerts", "metric": mid, "grain": grain,
                "periods": sorted({_iso(p) for p in sub["period"]}),
                "start": _iso(sub["start"].min()), "end": _iso(sub["period"].max())}
        if len(teams) >= min_units:
            out.append(Suggestion(
                type="project", trigger="signal", scope="center", scope_value=None, metrics=(mid,),
                title=Phrase(TITLE_PROJECT, {"metric": metric, "where": Phrase(WHERE_TEAMS, {"n": len(teams)})}),
                why=Phrase(WHY_PROJECT_TEAMS, {"n": len(teams)}), evidence={**base, "teams": teams}))
            continue
        for (level, unit), runs in sub.groupby(["level", "level_key"], sort=True):
            if len(runs) < min_units:
                continue
            name: Any = UNIT_CENTER if level == "center" else str(unit)
            out.append(Suggestion(
                type="project", trigger="signal", scope=_LEVEL_SCOPE.get(level, "center"),
                scope_value=None if level == "center" else str(unit), metrics=(mid,),
                title=Phrase(TITLE_PROJECT, {"metric": metric,
                                             "where": Phrase(WHERE_TIMES, {"unit": name, "n": len(runs)})}),
                why=Phrase(WHY_PROJECT_REPEAT, {"unit": name, "n": len(runs)}),
                evidence={**base, "level": level, "key": None if level == "center" else str(unit),
                          "episodes": len(runs)}))
    return out


def coaching_from_items(agent_id: str, agent_name: Text | str, agent_items: pd.DataFrame,
                        team_items: pd.DataFrame, *, date_from: dt.date | None = None,
                        date_to: dt.date | None = None, min_losses: int = COACHING_MIN_LOSSES,
                        alpha: float = COACHING_ALPHA) -> list[Suggestion]:
    """Coaching on the items an agent loses points on repeatedly and more often
    than the rest of their team.

    ``agent_items`` and ``team_items`` are ``item_pareto`` frames (``item``,
    ``evaluations_with_loss``, ``evaluations_applicable``) for the agent and
    for the whole team, same period.  The agent is compared with the team
    *without* them (team counts minus the agent's); an item qualifies with at
    least ``min_losses`` losses and a one-sided exact binomial p-value below
    ``alpha`` after the Benjamini–Hochberg adjustment over the agent's items
    (``stats.multiplicity.adjust_p``; scipy's ``binomtest``; a repeated item that everyone loses is the form's or the
    process's problem, not the agent's).  Most significant first.
    """
    from scipy.stats import binomtest

    from ..stats.multiplicity import adjust_p

    if agent_items.empty:
        return []
    team = team_items.set_index("item")[["evaluations_with_loss", "evaluations_applicable"]]
    rows = []
    for r in agent_items.itertuples(index=False):
        lost, applicable = int(r.evaluations_with_loss), int(r.evaluations_applicable)
        if lost < min_losses or applicable <= 0:
            continue
        if r.item in team.index:
            t_lost, t_app = (int(v) for v in team.loc[r.item])
        else:
            t_lost, t_app = lost, applicable
        rest_lost, rest_app = max(t_lost - lost, 0), max(t_app - applicable, 0)
        # No rest of the team to compare with: the repeated loss alone is the evidence.
        rate = (rest_lost + 0.5) / (rest_app + 1.0)
        p = binomtest(lost, applicable, min(max(rate, 1e-9), 1 - 1e-9), alternative="greater").pvalue
        rows.append((r.item, lost, applicable, rest_lost, rest_app, rate, p))
    if not rows:
        return []
    adjusted = adjust_p([r[6] for r in rows], method="bh")
    out = []
    for (item, lost, applicable, rest_lost, rest_app, _rate, p), p_adj in sorted(
            zip(rows, adjusted), key=lambda x: (x[1], x[0][0])):
        if p_adj >= alpha:
            continue
        team_rate = f"{rest_lost / rest_app:.0%}" if rest_app else "—"
        out.append(Suggestion(
            type="coaching", trigger="evaluation", scope="agent", scope_value=str(agent_id),
            metrics=(f"item_rate:{item}",),
            title=Phrase(TITLE_COACHING, {"item": item, "agent": agent_name}),
            why=Phrase(WHY_COACHING, {"lost": lost, "applicable": applicable, "team_rate": team_rate}),
            evidence={"source": "items", "item": item, "agent": str(agent_id), "lost": lost,
                      "applicable": applicable, "team_lost": rest_lost, "team_applicable": rest_app,
                      "p_value": float(p), "p_adjusted": float(p_adj),
                      "start": _iso(date_from), "end": _iso(date_to)}))
    return out


def from_leniency(row: Mapping[str, Any], label: Text | str, *, date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> Suggestion | None:
    """A corrective action (calibration) for an evaluator found lenient or
    severe (a row of ``evaluators.leniency``: ``evaluator``, ``label``,
    ``mean_diff``, ``p_value``...); ``None`` for the others."""
    if row.get("label") not in ("lenient", "severe"):
        return None
    diff = float(row.get("mean_diff"))
    return Suggestion(
        type="corrective", trigger="evaluation", scope="evaluator", scope_value=str(row["evaluator"]),
        metrics=(), title=Phrase(TITLE_LENIENCY, {"evaluator": str(row["evaluator"]), "label": label}),
        why=Phrase(WHY_LENIENCY, {"diff": diff}),
        evidence={"source": "leniency", "evaluator": str(row["evaluator"]), "label": row["label"],
                  "mean_diff": diff, "p_value": _num(row.get("p_value")), "cells": _num(row.get("cells")),
                  "ci_low": _num(row.get("ci_low")), "ci_high": _num(row.get("ci_high")),
                  "start": _iso(date_from), "end": _iso(date_to)})


def unit_label(level: str, key: str | None) -> Text | str:
    """What a suggestion calls its unit when the caller has no better name."""
    return UNIT_CENTER if level == "center" or key is None else key


def said(suggestions: Sequence[Suggestion], lang: str) -> list[str]:
    """The suggestions' titles in one language (tests, the command line)."""
    return [s.text(lang) for s in suggestions]
