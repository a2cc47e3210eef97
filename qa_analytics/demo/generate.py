"""Synthetic demo data for a hotline (call) center, with planted patterns.

Why: the dashboard needs something realistic to show before anyone imports a
real export, and the analytics (control charts, evaluator comparison,
inter-rater agreement) need data where the *right answer is known*.  So the
generator plants a handful of patterns on top of plausible noise and
:func:`demo_facts` says exactly where they are:

* a team that improves after a training date (score step up, fewer critical
  errors);
* a seasonal dip around Spring Festival and in the summer peak;
* a lenient evaluator who scores comparable contacts ~5 points higher;
* an agent whose scores drift down over the last six months;
* one week of system trouble (satisfaction collapses, the quarter's system
  check shows incidents and lower availability);
* monthly calibration sessions (one contact scored by several evaluators).

Everything is pure: the same ``(months, seed, end)`` gives identical frames.
The *center* itself (agents, ids, names, teams, hire dates relative to the
period, team moves) does not depend on ``seed``, so the planted facts are the
same for every seed; ``seed`` only changes the events.  Nothing here touches a
database: ``load_demo`` (elsewhere) stores the frames.

Frame conventions: columns are exactly ``schema.KINDS[kind].field_names`` in
order; date fields are ``datetime64[us]`` at midnight, timestamps
``datetime64[us]``, scores ``float64``, booleans ``bool``, integers ``int64``,
ids/names/text pandas ``str`` (missing = NaN).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.calendar import LUNAR_NEW_YEAR, cn_calendar
from ..core.scores import PASS_MARK
from ..store.schema import KINDS

__all__ = [
    "TEAMS",
    "EVALUATORS",
    "QA_ITEMS",
    "SYSTEMS",
    "SCENARIOS",
    "RATING_LABELS",
    "PASS_MARK",
    "DEMO_FACTS",
    "demo_facts",
    "generate_demo",
    "default_end",
]

# --------------------------------------------------------------------------
# The center: fixed vocabulary
# --------------------------------------------------------------------------

TEAMS: tuple[str, ...] = (
    "综合一组",
    "综合二组",
    "投诉处理组",
    "业务咨询组",
    "线上客服组",
    "夜班组",
    "新人组",
    "专席组",
)
# Tenured head-count per team at the start (新人组 is filled by hiring cohorts).
_TENURED_SIZES: dict[str, int] = {
    "综合一组": 19,
    "综合二组": 19,
    "投诉处理组": 14,
    "业务咨询组": 16,
    "线上客服组": 14,
    "夜班组": 12,
    "专席组": 14,
}
_COHORT_SIZE = 4  # three hiring cohorts -> 108 + 12 = 120 agents

EVALUATORS: tuple[str, ...] = ("王丽华", "陈静", "刘洋", "赵敏", "孙婷", "周凯", "吴芳")
_LENIENT = "周凯"
# Small, realistic personal offsets (score points) for the other evaluators.
_EVALUATOR_BIAS: dict[str, float] = {
    "王丽华": 0.6,
    "陈静": -0.8,
    "刘洋": 0.3,
    "赵敏": -0.4,
    "孙婷": 0.2,
    "周凯": 5.0,
    "吴芳": -0.2,
}
_LEADERSHIP = ("张建国(中心主任)", "李红梅(副主任)", "王强(值班经理)", "刘芳(值班经理)")
_THIRD_PARTY = "慧眼调研(第三方)"
_CHECKERS = ("钱志强", "郑晓东", "冯雪")

# The QA form: (item, group, maximum deduction, deduction levels, level
# probabilities, base probability of a deduction, probability item is N/A).
QA_ITEMS: tuple[tuple[str, str, float, tuple[float, ...], tuple[float, ...], float, float], ...] = (
    ("开场白/礼貌用语", "服务规范", 5, (1, 2, 5), (0.4, 0.4, 0.2), 0.25, 0.0),
    ("身份核实", "操作规范", 10, (5, 10), (0.6, 0.4), 0.12, 0.25),
    ("需求确认", "业务能力", 10, (2, 5, 10), (0.4, 0.4, 0.2), 0.23, 0.0),
    ("业务准确性", "业务能力", 20, (5, 10, 20), (0.5, 0.35, 0.15), 0.25, 0.0),
    ("解决方案", "业务能力", 15, (3, 5, 10, 15), (0.3, 0.35, 0.25, 0.1), 0.23, 0.05),
    ("服务态度", "服务规范", 15, (3, 5, 10, 15), (0.45, 0.3, 0.17, 0.08), 0.17, 0.0),
    ("语速语调", "服务规范", 5, (1, 2, 5), (0.4, 0.4, 0.2), 0.28, 0.0),
    ("系统操作", "操作规范", 5, (2, 5), (0.7, 0.3), 0.20, 0.0),
    ("记录完整", "操作规范", 5, (2, 5), (0.6, 0.4), 0.32, 0.0),
    ("结束语", "服务规范", 5, (1, 2, 5), (0.4, 0.4, 0.2), 0.20, 0.0),
    ("主动服务", "增值服务", 5, (2, 5), (0.6, 0.4), 0.36, 0.15),
)
_ITEM_NAMES = np.array([it[0] for it in QA_ITEMS], dtype=object)
_ITEM_GROUPS = np.array([it[1] for it in QA_ITEMS], dtype=object)
_ITEM_P = np.array([it[5] for it in QA_ITEMS], dtype=float)
_ITEM_NA = np.array([it[6] for it in QA_ITEMS], dtype=float)
_ITEM_MEAN = np.array([np.dot(it[3], it[4]) for it in QA_ITEMS], dtype=float)
_VOICE_ONLY_ITEM = 6  # 语速语调: not applicable to text channels
_TROUBLE_ITEMS = (7, 8)  # 系统操作, 记录完整 suffer when the systems fail
# Expected total deduction of a "neutral" evaluation: effects shift it linearly.
_E0 = float(np.sum(_ITEM_P * _ITEM_MEAN * (1 - _ITEM_NA)))

_CRITICAL_TYPES = ("泄露客户信息", "辱骂客户", "违规承诺", "未核实身份办理业务", "擅自挂断客户电话")
_CRITICAL_P = (0.3, 0.15, 0.2, 0.25, 0.1)
_ITEM_COMMENT = {
    "开场白/礼貌用语": "开场白不规范",
    "身份核实": "身份核实流程缺失",
    "需求确认": "未准确确认客户需求",
    "业务准确性": "业务解答有误，需加强业务培训",
    "解决方案": "解决方案不完整",
    "服务态度": "服务态度生硬",
    "语速语调": "语速过快",
    "系统操作": "系统操作不熟练",
    "记录完整": "工单记录不完整",
    "结束语": "未使用规范结束语",
    "主动服务": "未主动告知相关业务",
}

SCENARIOS: tuple[str, ...] = ("话费查询", "故障报修", "投诉受理", "业务办理", "套餐变更", "宽带报装", "账单争议")
_SCENARIO_P = (0.22, 0.18, 0.15, 0.15, 0.14, 0.08, 0.08)
_TEST_FAIL_COMMENTS = ("业务解答错误", "未按流程核实身份", "未提供解决方案", "服务态度不佳", "等待时间过长", "未主动服务")

SYSTEMS: tuple[str, ...] = ("呼叫平台", "录音系统", "工单系统", "CRM", "IVR")
_TROUBLE_SYSTEMS: tuple[str, ...] = ("工单系统", "CRM")

# Survey system B (chat/app) answers in words; system A in digits "1".."5".
RATING_LABELS: dict[str, str] = {"5": "非常满意", "4": "满意", "3": "一般", "2": "不满意", "1": "很不满意"}
_SURVEY_COMPLAINTS = ("等待时间太长", "问题没有解决", "转接次数太多", "客服不够专业", "态度一般", "重复说明问题")
_SURVEY_TROUBLE = ("系统故障，查询不了", "说系统问题让我再打来", "工单一直提交不上", "系统慢，等了很久")
_SURVEY_PRAISE = ("服务很好，耐心", "问题解决得很快", "非常专业，谢谢")


# Planted effect sizes (score points / satisfaction-rate points).
_TRAINED_TEAM = "投诉处理组"
_TRAIN_SHIFT_BEFORE, _TRAIN_SHIFT_AFTER = -2.5, 1.0
_CRIT_BASE, _CRIT_TRAIN_BEFORE, _CRIT_TRAIN_AFTER, _CRIT_NEWHIRE = 0.012, 0.03, 0.015, 0.02
_SEASON_SCORE, _SEASON_SAT = -2.0, -0.04
_DRIFT_TOTAL, _DRIFT_MONTHS = 12.0, 6
_TROUBLE_SAT = -0.25
_SAT_BASE = 0.88
_NEWHIRE_SHIFT, _NEWHIRE_TAU = -5.0, 75.0

_ROSTER_SEED = 20240607  # the center's people do not change with `seed`
_DAY = np.timedelta64(1, "D")


# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------


def default_end(today: dt.date | None = None) -> dt.date:
    """Last day of the month before ``today``: demo data ends at a closed month."""
    today = today or dt.date.today()
    return today.replace(day=1) - dt.timedelta(days=1)


def _d(x: dt.date | np.datetime64 | pd.Timestamp) -> np.datetime64:
    return np.datetime64(pd.Timestamp(x).date(), "D")


def _pydate(x: np.datetime64) -> dt.date:
    return pd.Timestamp(x).date()


def _official_calendar(y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """Days off and make-up working days (调休) of the one calendar the
    compliance pages count with (``qa_analytics.core.calendar``), so the demo
    center works the days they expect; years without an official notice use
    its estimate (the fixed festivals, no make-up days)."""
    cal = cn_calendar(dt.date(y0, 1, 1), dt.date(y1, 12, 31), estimate=True)
    return (np.array(cal["holidays"], dtype="datetime64[D]"),
            np.array(cal["extra_workdays"], dtype="datetime64[D]"))


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


def _add_months(day: np.datetime64, n: int) -> np.datetime64:
    return _d(pd.Timestamp(day) + pd.DateOffset(months=n))


def _ymd(days: np.ndarray) -> np.ndarray:
    return np.strings.replace(np.datetime_as_string(days.astype("datetime64[D]"), unit="D"), "-", "")


def _seq_within(keys: np.ndarray) -> np.ndarray:
    """1-based running number within runs of equal (sorted) keys."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.ones(n, dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    return np.arange(n) - first + 1


def _ids(prefix: str, days: np.ndarray, width: int) -> np.ndarray:
    """``prefix + YYYYMMDD + running number``; ``days`` must be sorted."""
    seq = np.strings.zfill(_seq_within(days.astype("datetime64[D]")).astype(str), width)
    return np.strings.add(np.strings.add(prefix, _ymd(days)), seq)


# --------------------------------------------------------------------------
# The plan: everything that depends on (months, end) only
# --------------------------------------------------------------------------


@dataclass
class _Plan:
    start: np.datetime64
    end: np.datetime64
    days: np.ndarray  # working days, datetime64[D]
    training_date: np.datetime64
    trouble_start: np.datetime64
    trouble_end: np.datetime64
    dip_months: np.ndarray  # datetime64[M]
    check_dates: np.ndarray  # last working day of each quarter inside the period
    calibration_dates: np.ndarray
    drift_start: np.datetime64
    agent_ids: np.ndarray
    agent_names: np.ndarray
    hire: np.ndarray  # datetime64[D]
    first_team: np.ndarray  # team index
    moves: list[tuple[int, np.datetime64, int, int]] = field(default_factory=list)
    drifter: int = 0


def _next_workday(day: np.datetime64, work: set[int], monday: bool = False) -> np.datetime64:
    """First working day (optionally a working Monday) on or after ``day``;
    ``work`` holds working days as integer day numbers."""
    i = int(day.astype("datetime64[D]").astype(np.int64))
    for _ in range(60):
        if i in work and (not monday or (i + 3) % 7 == 0):
            break
        i += 1
    return np.datetime64(i, "D")


def _names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    surnames = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔汤")  # noqa: E501  (a pool of surnames)
    weights = np.linspace(3.0, 0.5, len(surnames))
    weights /= weights.sum()
    given = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红鹏飞婷雪琳晶慧颖佳欣宇浩俊帆晨蕾倩露瑶梦思雨嘉子文博凯丹晓春海燕辉鑫悦怡彤璐志立诗若")  # noqa: E501  (a pool of given-name characters)
    out: list[str] = []
    while len(out) < n:
        s = surnames[rng.choice(len(surnames), p=weights)]
        k = 1 if rng.random() < 0.3 else 2
        name = s + "".join(rng.choice(given, size=k))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _plan(months: int, end: dt.date | None) -> _Plan:
    """Calendar, roster and pattern placement: deterministic in (months, end)."""
    if months < 1:
        raise ValueError("months must be >= 1")
    end_d = _d(end if end is not None else default_end())
    start = _d(pd.Timestamp(end_d + _DAY) - pd.DateOffset(months=months))
    span = int((end_d - start) / _DAY) + 1
    y0, y1 = int(str(start)[:4]), int(str(end_d)[:4])
    cal = start + np.arange(span) * _DAY
    hol, extra = _official_calendar(y0 - 1, y1 + 1)

    def working(d: np.ndarray) -> np.ndarray:
        return ((_weekday(d) < 5) & ~np.isin(d, hol)) | np.isin(d, extra)

    days = cal[working(cal)]
    # working days over a wider window, for snapping hire/move dates
    wide = start - 120 * _DAY + np.arange(span + 240) * _DAY
    work_d = set(wide[working(wide)].astype(np.int64).tolist())

    # Seasonal dip: the Spring Festival month and the summer peak (Jul, Aug).
    months_in = np.unique(cal.astype("datetime64[M]"))
    lny_months = np.array([LUNAR_NEW_YEAR[y] for y in range(y0, y1 + 1) if y in LUNAR_NEW_YEAR],
                          dtype="datetime64[D]").astype("datetime64[M]")
    mnum = months_in.astype(np.int64) % 12 + 1
    dip = months_in[np.isin(mnum, (7, 8)) | np.isin(months_in, lny_months)]

    training = _next_workday(_add_months(start, (months - 1) // 2), work_d, monday=True)

    # Quarterly system checks on the last working day of every quarter that is
    # over by `end` and has a working day inside the period.
    cal_m = cal.astype("datetime64[M]")
    checks = []
    for qf in np.unique(cal_m - cal_m.astype(np.int64) % 3):
        q_last = (qf + np.timedelta64(3, "M")).astype("datetime64[D]") - _DAY
        wd = days[(days >= qf.astype("datetime64[D]")) & (days <= q_last)]
        if q_last <= end_d and len(wd):
            checks.append(wd[-1])
    check_dates = np.array(checks, dtype="datetime64[D]")

    # Trouble week: a full working Mon-Fri, away from edges, training and dips,
    # inside a quarter whose system check is already done; near 60% of span.
    mondays = cal[_weekday(cal) == 0]
    dip_set = set(dip.astype(np.int64).tolist())
    target = start + int(0.6 * span) * _DAY

    def ok(m: np.datetime64, strict: int) -> bool:
        wk = m + np.arange(5) * _DAY
        if not all(int(x) in work_d for x in wk.astype(np.int64)) or wk[-1] > end_d:
            return False
        if strict >= 1 and (m < start + 21 * _DAY or wk[-1] > end_d - 14 * _DAY):
            return False
        if strict >= 2:
            later = check_dates[check_dates > wk[-1]]
            same_q = (
                len(later)
                and later[0].astype("datetime64[M]").astype(np.int64) // 3
                == m.astype("datetime64[M]").astype(np.int64) // 3
            )
            if not same_q:
                return False
        if strict >= 3 and (
            any(int(x) in dip_set for x in wk.astype("datetime64[M]").astype(np.int64))
            or abs(int((m - training) / _DAY)) < 21
        ):
            return False
        return True

    trouble = None
    for strict in (3, 2, 1, 0):
        cands = [m for m in mondays if ok(m, strict)]
        if cands:
            trouble = min(cands, key=lambda m: abs(int((m - target) / _DAY)))
            break
    if trouble is None:  # a period too short for a full working week
        trouble = days[0] if len(days) else start

    calib = []
    for m in months_in:
        c = _next_workday(m.astype("datetime64[D]") + 14 * _DAY, work_d)
        if start <= c <= end_d:
            calib.append(c)

    drift_start = max(start, _d(pd.Timestamp(end_d + _DAY) - pd.DateOffset(months=_DRIFT_MONTHS)))

    # ---- roster (seed independent) ----
    rng = np.random.default_rng(_ROSTER_SEED)
    team_ix = {t: i for i, t in enumerate(TEAMS)}
    tenured_team = np.concatenate([np.full(n, team_ix[t]) for t, n in _TENURED_SIZES.items()])
    rng.shuffle(tenured_team)
    n_ten = len(tenured_team)
    ten_offset = rng.integers(365, 3650, size=n_ten)
    order = np.argsort(ten_offset)[::-1]  # earliest hire gets the lowest id
    tenured_team, ten_offset = tenured_team[order], ten_offset[order]
    ten_hire = start - ten_offset * _DAY
    wd_h = _weekday(ten_hire)
    ten_hire = ten_hire + ((7 - wd_h) % 7 * (wd_h >= 5)) * _DAY  # weekend -> Monday
    new_team = team_ix["新人组"]
    coh_a = _next_workday(start - 75 * _DAY, work_d, monday=True)
    coh_b = _next_workday(start + int(0.4 * span) * _DAY, work_d, monday=True)
    coh_c = _next_workday(end_d - 50 * _DAY, work_d, monday=True)
    hire = np.concatenate(
        [ten_hire, np.repeat(np.array([coh_a, coh_b, coh_c], dtype="datetime64[D]"), _COHORT_SIZE)]
    )
    first_team = np.concatenate([tenured_team, np.full(3 * _COHORT_SIZE, new_team)])
    n = len(hire)
    gaps = rng.integers(1, 4, size=n)
    num = 7800 + np.cumsum(gaps)
    agent_ids = np.strings.zfill(num.astype(str), 6)
    agent_names = np.array(_names(rng, n, set(EVALUATORS)), dtype=object)

    def member(team: str, k: int) -> int:
        return int(np.flatnonzero(first_team[:n_ten] == team_ix[team])[k])

    drifter = member("综合二组", 4)
    moves: list[tuple[int, np.datetime64, int, int]] = []

    def move(agent: int, day: np.datetime64, to: str) -> None:
        if day <= end_d:
            frm = moves[-1][3] if moves and moves[-1][0] == agent else first_team[agent]
            moves.append((agent, day, int(frm), team_ix[to]))

    grad_a = _next_workday(start + 30 * _DAY, work_d, monday=True)
    for k, to in enumerate(("综合一组", "综合二组", "综合一组", "业务咨询组")):
        move(n_ten + k, grad_a, to)
    grad_b = _next_workday(coh_b + 91 * _DAY, work_d, monday=True)
    if grad_b <= end_d - 7 * _DAY:
        for k, to in enumerate(("综合二组", "线上客服组", "综合一组", "夜班组")):
            move(n_ten + _COHORT_SIZE + k, grad_b, to)
    move(member("综合一组", 2), _next_workday(start + span // 3 * _DAY, work_d, monday=True), "业务咨询组")
    move(member("夜班组", 1), _next_workday(start + span // 2 * _DAY, work_d, monday=True), "综合二组")
    move(member("业务咨询组", 3), _next_workday(start + 2 * span // 3 * _DAY, work_d, monday=True), "专席组")
    moves.sort(key=lambda m: (m[1], m[0]))

    return _Plan(
        start=start,
        end=end_d,
        days=days,
        training_date=training,
        trouble_start=trouble,
        trouble_end=trouble + 4 * _DAY,
        dip_months=dip,
        check_dates=check_dates,
        calibration_dates=np.array(calib, dtype="datetime64[D]"),
        drift_start=drift_start,
        agent_ids=agent_ids,
        agent_names=agent_names,
        hire=hire,
        first_team=first_team.astype(np.int64),
        moves=moves,
        drifter=drifter,
    )


def demo_facts(months: int = 18, end: dt.date | None = None) -> dict:
    """Where the planted patterns are for ``generate_demo(months, *, end)``.

    Seed-independent: the same facts hold for every ``seed``.
    """
    p = _plan(months, end)
    return {
        "period_start": _pydate(p.start),
        "period_end": _pydate(p.end),
        "teams": TEAMS,
        "evaluators": EVALUATORS,
        "leadership_testers": _LEADERSHIP,
        "third_party_tester": _THIRD_PARTY,
        "system_checkers": _CHECKERS,
        "systems": SYSTEMS,
        "scenarios": SCENARIOS,
        "qa_items": tuple((it[0], it[1], float(it[2])) for it in QA_ITEMS),
        "critical_error_types": _CRITICAL_TYPES,
        "pass_mark": PASS_MARK,
        "rating_labels": dict(RATING_LABELS),
        "satisfied_ratings": ("4", "5", "满意", "非常满意"),
        "n_agents": int(len(p.agent_ids)),
        # planted: training
        "trained_team": _TRAINED_TEAM,
        "training_date": _pydate(p.training_date),
        "training_score_step": _TRAIN_SHIFT_AFTER - _TRAIN_SHIFT_BEFORE,
        "training_critical_rate": (_CRIT_TRAIN_BEFORE, _CRIT_TRAIN_AFTER),
        # planted: lenient evaluator
        "lenient_evaluator": _LENIENT,
        "lenient_bonus": _EVALUATOR_BIAS[_LENIENT],
        # planted: drifting agent
        "drifting_agent_id": str(p.agent_ids[p.drifter]),
        "drifting_agent_name": str(p.agent_names[p.drifter]),
        "drifting_agent_team": TEAMS[p.first_team[p.drifter]],
        "drift_start": _pydate(p.drift_start),
        "drift_total": _DRIFT_TOTAL,
        # planted: system trouble
        "trouble_week_start": _pydate(p.trouble_start),
        "trouble_week_end": _pydate(p.trouble_end),
        "trouble_systems": _TROUBLE_SYSTEMS,
        "trouble_satisfaction_drop": -_TROUBLE_SAT,
        # planted: seasonal dip
        "seasonal_dip_months": [str(m) for m in p.dip_months],
        "seasonal_score_dip": -_SEASON_SCORE,
        "seasonal_satisfaction_dip": -_SEASON_SAT,
        # calibration sessions, checks, team moves
        "calibration_dates": [_pydate(c) for c in p.calibration_dates],
        "calibration_comment": "校准会",
        "calibration_contacts_per_session": 5,
        "system_check_dates": [_pydate(c) for c in p.check_dates],
        "team_moves": [
            {
                "agent_id": str(p.agent_ids[a]),
                "agent_name": str(p.agent_names[a]),
                "from_team": TEAMS[f],
                "to_team": TEAMS[t],
                "effective_date": _pydate(d),
            }
            for a, d, f, t in p.moves
        ],
    }


# --------------------------------------------------------------------------
# Event generation
# --------------------------------------------------------------------------


def _team_grid(p: _Plan) -> np.ndarray:
    """Team index of every agent on every working day (agents x days)."""
    grid = np.repeat(p.first_team[:, None], len(p.days), axis=1)
    for a, d, _f, t in p.moves:
        grid[a, p.days >= d] = t
    return grid


@dataclass
class _Grids:
    team: np.ndarray
    active: np.ndarray
    shift: np.ndarray  # expected QA score offset (points)
    crit: np.ndarray  # critical-error probability
    sat: np.ndarray  # probability of a satisfied (4-5) survey answer
    trouble_day: np.ndarray  # per working day
    patterns: bool = True  # the planted patterns (False: the same center without them)


def _grids(p: _Plan, skill: np.ndarray, patterns: bool = True) -> _Grids:
    """Every planted effect, once, on the agents x days grid (``patterns``
    False: none of them; agents, new hires and evaluators keep the personal
    differences any real center has)."""
    days = p.days
    team = _team_grid(p)
    active = days[None, :] >= (p.hire + 14 * _DAY)[:, None]
    trained = team == TEAMS.index(_TRAINED_TEAM)
    after = (days >= p.training_date)[None, :]
    dip = np.isin(days.astype("datetime64[M]"), p.dip_months)[None, :] & patterns
    trained = trained & patterns
    tenure = ((days[None, :] - p.hire[:, None]) / _DAY).astype(float)
    newhire = _NEWHIRE_SHIFT * np.exp(-np.maximum(tenure, 0) / _NEWHIRE_TAU)
    shift = skill[:, None] + newhire + np.where(dip, _SEASON_SCORE, 0.0)
    shift = shift + np.where(trained, np.where(after, _TRAIN_SHIFT_AFTER, _TRAIN_SHIFT_BEFORE), 0.0)
    span = max(float((p.end - p.drift_start) / _DAY), 1.0)
    frac = np.clip(((days - p.drift_start) / _DAY).astype(float) / span, 0, 1) * patterns
    shift[p.drifter] -= _DRIFT_TOTAL * frac
    crit = np.full(shift.shape, _CRIT_BASE)
    crit = np.where(tenure < 120, _CRIT_NEWHIRE, crit)
    crit = np.where(trained, np.where(after, _CRIT_TRAIN_AFTER, _CRIT_TRAIN_BEFORE), crit)
    trouble_day = (days >= p.trouble_start) & (days <= p.trouble_end) & patterns
    sat = (
        _SAT_BASE
        + 0.008 * skill[:, None]
        + 0.01 * newhire
        + np.where(dip, _SEASON_SAT, 0.0)
        + np.where(trained & after, 0.02, 0.0)
        + np.where(trouble_day, _TROUBLE_SAT, 0.0)[None, :]
    )
    sat[p.drifter] -= 0.15 * frac
    return _Grids(team, active, shift, crit, np.clip(sat, 0.05, 0.99), trouble_day, patterns)


def _draw_items(
    rng: np.random.Generator, mult: np.ndarray, voice: np.ndarray, trouble: np.ndarray
) -> np.ndarray:
    """Deductions (positive points, NaN = N/A), one row per evaluation."""
    n = len(mult)
    out = np.zeros((n, len(QA_ITEMS)))
    for j, (_name, _g, _mx, levels, lp, base, na) in enumerate(QA_ITEMS):
        pj = base * mult * np.where(trouble & (j in _TROUBLE_ITEMS), 2.0, 1.0)
        hit = rng.random(n) < np.minimum(pj, 0.95)
        lvl = np.asarray(levels, dtype=float)[np.searchsorted(np.cumsum(lp), rng.random(n) * 0.999999)]
        col = np.where(hit, lvl, 0.0)
        if na > 0:
            col[rng.random(n) < na] = np.nan
        if j == _VOICE_ONLY_ITEM:
            col[~voice] = np.nan
        out[:, j] = col
    return out


def _pick(rng: np.random.Generator, choices: tuple | np.ndarray, p: tuple | None, n: int) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=p)]


def _times(rng: np.random.Generator, days: np.ndarray, lo_h: float, hi_h: float) -> np.ndarray:
    secs = rng.integers(int(lo_h * 3600), int(hi_h * 3600), size=len(days))
    return days.astype("datetime64[us]") + secs.astype("timedelta64[s]").astype("timedelta64[us]")


def _agents_on(rng: np.random.Generator, g: _Grids, day_ix: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """One active agent per event (weighted), looping over days only."""
    out = np.empty(len(day_ix), dtype=np.int64)
    order = np.argsort(day_ix, kind="stable")
    sd = day_ix[order]
    bounds = np.flatnonzero(np.r_[True, sd[1:] != sd[:-1], True])
    for b0, b1 in zip(bounds[:-1], bounds[1:]):
        d = sd[b0]
        w = weight * g.active[:, d]
        out[order[b0:b1]] = rng.choice(len(w), size=b1 - b0, p=w / w.sum())
    return out


def _monitoring(p: _Plan, g: _Grids, rng: np.random.Generator) -> tuple[dict, np.ndarray, np.ndarray]:
    """Regular, non-voice and calibration evaluations; returns columns, items, contact groups."""
    n_a, n_d = g.active.shape
    online, newbie = TEAMS.index("线上客服组"), TEAMS.index("新人组")
    ev_names = np.array(EVALUATORS, dtype=object)
    ev_bias = np.array([_EVALUATOR_BIAS[e] if g.patterns or e != _LENIENT else 0.0 for e in EVALUATORS])

    # 1. regular evaluations: ~4.7 per agent-week (more for new hires)
    present = rng.random((n_a, n_d)) < 0.94
    lam = np.where(g.team == newbie, 1.3, 1.0)
    counts = rng.poisson(lam) * (g.active & present)
    flat = np.repeat(np.arange(n_a * n_d), counts.ravel())
    agent, day = flat // n_d, flat % n_d
    n = len(agent)
    team = g.team[agent, day]
    channel = np.full(n, "voice", dtype=object)
    on = team == online
    channel[on] = _pick(rng, ("chat", "app", "email", "sms"), (0.45, 0.35, 0.1, 0.1), int(on.sum()))

    # 2. monthly non-voice sample of the other teams (~15% of agents a month)
    mon = p.days.astype("datetime64[M]")
    extra_a, extra_d = [], []
    for m in np.unique(mon):
        dix = np.flatnonzero(mon == m)
        cand = np.flatnonzero(g.active[:, dix[-1]] & (g.team[:, dix[-1]] != online))
        k = int(round(0.15 * len(cand)))
        if k:
            extra_a.append(rng.choice(cand, size=k, replace=False))
            extra_d.append(rng.choice(dix, size=k))
    ea = np.concatenate(extra_a) if extra_a else np.zeros(0, np.int64)
    ed = np.concatenate(extra_d) if extra_d else np.zeros(0, np.int64)
    ea_ok = g.active[ea, ed]
    ea, ed = ea[ea_ok], ed[ea_ok]
    agent = np.r_[agent, ea]
    day = np.r_[day, ed]
    channel = np.r_[channel, _pick(rng, ("sms", "email", "app"), (0.4, 0.3, 0.3), len(ea))]
    n = len(agent)
    evaluator = rng.integers(0, len(EVALUATORS), size=n)
    shift = g.shift[agent, day] + ev_bias[evaluator] + rng.normal(0, 2.5, n)
    mult = np.maximum(_E0 - shift, 0.5) / _E0
    voice = channel == "voice"
    trouble = g.trouble_day[day]
    ded = _draw_items(rng, mult, voice, trouble)
    critical = rng.random(n) < g.crit[agent, day]
    calib = np.zeros(n, dtype=bool)
    group = np.arange(n)  # contact group: equal for calibration copies

    # 3. calibration: 5 contacts a month, each scored by 3-4 evaluators
    ca, cd, ce, cg, cded = [], [], [], [], []
    for c in p.calibration_dates:
        d = int(np.searchsorted(p.days, c))
        cand = np.flatnonzero(g.active[:, d] & (g.team[:, d] != online))
        for agent_c in rng.choice(cand, size=5, replace=False):
            m1 = np.array([max(_E0 - g.shift[agent_c, d], 0.5) / _E0])
            truth = _draw_items(rng, m1, np.array([True]), np.array([False]))[0]
            evs = rng.choice(len(EVALUATORS), size=int(rng.integers(3, 5)), replace=False)
            gid = n + len(cg)
            for e in evs:
                lenient = EVALUATORS[e] == _LENIENT
                keep = rng.random(len(truth)) < (0.5 if lenient else 0.85)
                alt = np.asarray([np.asarray(it[3])[rng.integers(len(it[3]))] for it in QA_ITEMS], float)
                mine = np.where(truth > 0, np.where(keep, truth, np.where(rng.random(len(truth)) < 0.4, 0.0, alt)), truth)
                add = (truth == 0) & (rng.random(len(truth)) < (0.01 if lenient else 0.04))
                mine = np.where(add, [it[3][0] for it in QA_ITEMS], mine)
                ca.append(agent_c), cd.append(d), ce.append(e), cg.append(gid), cded.append(mine)
    if ca:
        k = len(ca)
        agent, day = np.r_[agent, ca], np.r_[day, cd]
        evaluator = np.r_[evaluator, ce]
        channel = np.r_[channel, np.full(k, "voice", dtype=object)]
        ded = np.vstack([ded, np.array(cded)])
        critical = np.r_[critical, np.zeros(k, bool)]
        calib = np.r_[calib, np.ones(k, bool)]
        group = np.r_[group, cg]
    n = len(agent)
    eval_date = p.days[day]
    eval_time = _times(rng, eval_date, 8.5, 17.5)
    if calib.any():  # one session at 14:00, a contact every 20 minutes
        slot = np.unique(group[calib], return_inverse=True)[1] % 5
        eval_time[calib] = (
            eval_date[calib].astype("datetime64[us]")
            + (14 * 3600 + slot * 1200 + rng.integers(0, 900, int(calib.sum()))).astype("timedelta64[s]")
        )

    points = np.where(ded > 0, -ded, 0.0)
    points[np.isnan(ded)] = np.nan
    score = 100.0 + np.nansum(points, axis=1)

    # appeals (~3%): more likely for low scores and critical errors
    p_app = 0.02 + 0.10 * (score < 75) + 0.25 * critical
    appealed = (rng.random(n) < p_app) & ~calib
    recent = eval_date >= p.end - 14 * _DAY
    u = rng.random(n)
    status = np.full(n, None, dtype=object)
    status[appealed & recent & (u < 0.7)] = "申诉中"
    decided = appealed & ~(recent & (u < 0.7))
    won = decided & (rng.random(n) < 0.35)
    status[decided] = "申诉驳回"
    status[won] = "申诉成功"
    comments = np.full(n, None, dtype=object)
    # a successful appeal withdraws the largest deduction (or the critical error)
    worst = np.argmax(np.nan_to_num(ded, nan=0.0), axis=1)
    won_items = won & ~critical & (np.nan_to_num(ded, nan=0.0).max(axis=1) > 0)
    rows = np.flatnonzero(won_items)
    points[rows, worst[rows]] = 0.0
    comments[won_items] = np.strings.add(
        np.strings.add("申诉成功：撤销", _ITEM_NAMES[worst[won_items]].astype(str)), "扣分"
    )
    comments[won & critical] = "申诉成功：撤销致命差错认定"
    critical = critical & ~won
    score = 100.0 + np.nansum(points, axis=1)
    score[critical] = 0.0
    ctype = _pick(rng, _CRITICAL_TYPES, _CRITICAL_P, n)
    comments[critical] = np.strings.add("致命差错：", ctype[critical].astype(str))
    low = (score < 85) & ~critical & (comments == None) & (rng.random(n) < 0.6)  # noqa: E711
    comments[low] = np.array([_ITEM_COMMENT[x] for x in _ITEM_NAMES], dtype=object)[worst[low]]
    comments[calib] = np.strings.add("校准会 ", np.datetime_as_string(eval_date[calib], unit="M"))

    # contact date 1-5 days before the evaluation (calibration copies share one)
    _, inv = np.unique(group, return_inverse=True)
    _, first_of = np.unique(inv, return_index=True)
    lag = rng.integers(1, 6, size=n)[first_of[inv]]

    order = np.lexsort((eval_time, eval_date))
    cols = {
        "eval_date": eval_date[order],
        "eval_time": eval_time[order],
        "agent": agent[order],
        "team": g.team[agent, day][order],
        "evaluator": ev_names[evaluator][order],
        "contact_date": (eval_date - lag * _DAY)[order],
        "group": inv[order],
        "channel": channel[order],
        "total_score": score[order],
        "critical_error": critical[order],
        "appeal_status": status[order],
        "comments": comments[order],
    }
    return cols, points[order], inv[order]


def _surveys(p: _Plan, g: _Grids, rng: np.random.Generator) -> dict:
    """A few hundred after-call surveys per working day."""
    wd = _weekday(p.days)
    # Monday..Friday, then make-up working days (调休) on a Saturday or Sunday.
    lam = 560 * np.array([1.15, 1.0, 0.97, 0.95, 0.93, 0.93, 0.93])[wd]
    counts = rng.poisson(lam)
    day = np.repeat(np.arange(len(p.days)), counts)
    n = len(day)
    online, night = TEAMS.index("线上客服组"), TEAMS.index("夜班组")
    agent = _agents_on(rng, g, day, np.ones(len(p.hire)))
    team = g.team[agent, day]
    channel = np.full(n, "voice", dtype=object)
    on = team == online
    channel[on] = _pick(rng, ("chat", "app", "email"), (0.5, 0.4, 0.1), int(on.sum()))
    off = ~on
    channel[off] = _pick(rng, ("voice", "sms"), (0.96, 0.04), int(off.sum()))
    psat = g.sat[agent, day] - np.where(np.isin(channel, ("chat", "app")), 0.02, 0.0)
    sat = rng.random(n) < psat
    u = rng.random(n)
    rating = np.where(sat, np.where(u < 0.68, 5, 4), np.where(u < 0.6, 3, np.where(u < 0.85, 2, 1)))
    text = rating.astype(str).astype(object)
    system_b = np.isin(channel, ("chat", "app"))
    labels = np.array([None] + [RATING_LABELS[str(r)] for r in range(1, 6)], dtype=object)
    text[system_b] = labels[rating[system_b]]
    date = p.days[day]
    secs = np.where(
        team == night,
        np.where(rng.random(n) < 0.5, rng.integers(20 * 3600, 86_400, n), rng.integers(0, 8 * 3600, n)),
        rng.integers(8 * 3600, 20 * 3600, n),
    )
    time = date.astype("datetime64[us]") + secs.astype("timedelta64[s]").astype("timedelta64[us]")
    comments = np.full(n, None, dtype=object)
    low = (rating <= 3) & (rng.random(n) < 0.45)
    comments[low] = _pick(rng, _SURVEY_COMPLAINTS, None, int(low.sum()))
    tr = low & g.trouble_day[day] & (rng.random(n) < 0.7)
    comments[tr] = _pick(rng, _SURVEY_TROUBLE, None, int(tr.sum()))
    good = (rating == 5) & (rng.random(n) < 0.04)
    comments[good] = _pick(rng, _SURVEY_PRAISE, None, int(good.sum()))
    order = np.lexsort((time, date))
    return {
        "survey_date": date[order],
        "survey_time": time[order],
        "agent": agent[order],
        "team": team[order],
        "channel": channel[order],
        "rating": text[order],
        "comments": comments[order],
    }


def _call_tests(p: _Plan, g: _Grids, rng: np.random.Generator) -> dict:
    """Weekly QA tests, monthly leadership tests, quarterly third-party rounds."""
    days = p.days
    parts: list[tuple[np.ndarray, np.ndarray, str, float]] = []  # day idx, tester, type, strictness
    week = (days - _weekday(days) * _DAY)
    for w in np.unique(week):
        dix = np.flatnonzero(week == w)
        k = int(rng.integers(10, 21))
        parts.append((rng.choice(dix, size=k), _pick(rng, EVALUATORS, None, k), "qa", 0.0))
    mon = days.astype("datetime64[M]")
    for m in np.unique(mon):
        dix = np.flatnonzero(mon == m)
        k = int(rng.integers(3, 7))
        parts.append((rng.choice(dix, size=k), _pick(rng, _LEADERSHIP, None, k), "leadership", 0.0))
        if int(m.astype(np.int64)) % 3 == 1:  # middle month of the quarter
            rd = dix[days[dix] >= m.astype("datetime64[D]") + 9 * _DAY][:5]
            if len(rd):
                k = int(rng.integers(28, 33))
                parts.append((rng.choice(rd, size=k), np.full(k, _THIRD_PARTY, dtype=object), "third_party", 3.0))
    day = np.concatenate([x[0] for x in parts])
    tester = np.concatenate([x[1] for x in parts])
    ttype = np.concatenate([np.full(len(x[0]), x[2], dtype=object) for x in parts])
    strict = np.concatenate([np.full(len(x[0]), x[3]) for x in parts])
    n = len(day)
    agent = _agents_on(rng, g, day, np.ones(len(p.hire)))
    team = g.team[agent, day]
    channel = np.full(n, "voice", dtype=object)
    on = (team == TEAMS.index("线上客服组")) & (ttype == "qa")
    channel[on] = _pick(rng, ("chat", "app"), (0.6, 0.4), int(on.sum()))
    score = np.clip(np.round(88.0 + g.shift[agent, day] - strict + rng.normal(0, 5.5, n)), 0, 100)
    passed = score >= PASS_MARK
    comments = np.full(n, None, dtype=object)
    comments[~passed] = _pick(rng, _TEST_FAIL_COMMENTS, None, int((~passed).sum()))
    date = days[day]
    order = np.lexsort((np.arange(n), date))
    return {
        "test_date": date[order],
        "tester": tester[order],
        "tester_type": ttype[order],
        "agent": agent[order],
        "team": team[order],
        "scenario": _pick(rng, SCENARIOS, _SCENARIO_P, n)[order],
        "channel": channel[order],
        "score": score[order],
        "passed": passed[order],
        "comments": comments[order],
    }


def _system_checks(p: _Plan, rng: np.random.Generator, patterns: bool = True) -> dict:
    """One check per system at each quarter's end; the trouble quarter shows it."""
    rows: dict[str, list] = {f: [] for f in KINDS["system_check"].field_names}
    t0, t1 = _pydate(p.trouble_start), _pydate(p.trouble_end)
    for c in p.check_dates:
        q = int(c.astype("datetime64[M]").astype(np.int64) % 12) // 3 + 1
        q_start = c.astype("datetime64[M]") - (c.astype("datetime64[M]").astype(np.int64) % 3)
        hit = patterns and q_start.astype("datetime64[D]") <= p.trouble_start <= c
        for i, s in enumerate(SYSTEMS):
            bad = hit and s in _TROUBLE_SYSTEMS
            avail = rng.uniform(97.9, 98.6) if bad else rng.uniform(99.85, 99.99)
            inc = int(rng.integers(9, 14)) if bad else int(rng.poisson(1.2))
            score = float(np.clip(round(100 - 2 * inc - 10 * max(0.0, 99.95 - avail), 1), 0, 100))
            note = (
                f"{t0.month}月{t0.day}日至{t1.month}月{t1.day}日{s}故障，坐席无法查询/提交工单，需整改"
                if bad
                else str(rng.choice(["运行平稳，无重大故障", "例行巡检正常", "偶发卡顿，已优化", "运行平稳"]))
            )
            rows["check_id"].append(f"SC{str(c)[:4]}Q{q}-{i + 1:02d}")
            rows["check_date"].append(c)
            rows["system"].append(s)
            rows["availability_pct"].append(round(avail, 2))
            rows["incidents"].append(inc)
            rows["score"].append(score)
            rows["checker"].append(str(rng.choice(_CHECKERS)))
            rows["notes"].append(note)
    return rows


# --------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------

_STR_ROLES = {"id", "text", "label", "channel", "tester_type", "rating"}


def _frame(kind: str, cols: dict) -> pd.DataFrame:
    """Exactly the kind's canonical columns, in order, with their dtypes."""
    out = {}
    n = len(next(iter(cols.values())))
    for f in KINDS[kind].fields:
        v = cols.get(f.name)
        if f.role in _STR_ROLES:
            s = pd.Series(np.full(n, None, dtype=object) if v is None else np.asarray(v, dtype=object), dtype="str")
        elif f.role in ("date", "timestamp", "datetime"):
            s = pd.Series(np.asarray(v if v is not None else np.full(n, "NaT"), dtype="datetime64[us]"))
        elif f.role == "bool":
            s = pd.Series(np.asarray(v, dtype=bool))
        elif f.sql_type == "INTEGER":
            s = pd.Series(np.asarray(v, dtype=np.int64))
        else:
            s = pd.Series(np.asarray(v if v is not None else np.full(n, np.nan), dtype=float))
        out[f.name] = s
    return pd.DataFrame(out, columns=list(KINDS[kind].field_names))


def generate_demo(months: int = 18, seed: int = 7, end: dt.date | None = None,
                  patterns: bool = True) -> dict[str, pd.DataFrame]:
    """Synthetic frames for every record kind; see :func:`demo_facts` for the
    planted patterns.  ``patterns=False``: the same center and events with
    none of them planted (the test that the analytics flag nothing there).

    Keys: ``monitoring``, ``call_test``, ``survey``, ``roster``,
    ``system_check`` (canonical columns of :data:`schema.KINDS`), plus
    ``monitoring_item`` (``eval_id, item, item_group, points``: the deduction
    as a negative number or 0, NaN = not applicable; total_score = 100 +
    sum(points) unless ``critical_error`` set it to 0) and ``roster_history``
    (roster columns, one row per assignment an agent left, with its own
    ``effective_date``; ``roster`` holds the assignment in force at ``end``).

    ``end`` is the last day covered (default: the last day of last month); the
    period is the ``months`` months ending there.
    """
    p = _plan(months, end)
    rngs = [np.random.default_rng([seed, k]) for k in range(6)]
    team_names = np.array(TEAMS, dtype=object)
    skill = rngs[0].normal(0.0, 2.0, len(p.hire))
    skill[p.drifter] = 1.0
    g = _grids(p, skill, patterns)

    m, points, group = _monitoring(p, g, rngs[1])
    s = _surveys(p, g, rngs[2])
    t = _call_tests(p, g, rngs[3])
    sc = _system_checks(p, rngs[4], patterns)

    # contact ids: one globally unique serial per contact (calibration copies share)
    n_groups = int(group.max()) + 1 if len(group) else 0
    serial = rngs[5].choice(10**8, size=n_groups + len(s["agent"]), replace=False)
    m_serial = serial[:n_groups][group]
    s_serial = serial[n_groups:]

    def contact(day: np.ndarray, serial: np.ndarray) -> np.ndarray:
        return np.strings.add(np.strings.add("C", _ymd(day)), np.strings.zfill(serial.astype(str), 8))

    ids, names = p.agent_ids.astype(object), p.agent_names
    monitoring = _frame(
        "monitoring",
        {
            **m,
            "eval_id": _ids("QM", m["eval_date"], 5),
            "agent_id": ids[m["agent"]],
            "agent_name": names[m["agent"]],
            "team": team_names[m["team"]],
            "contact_id": contact(m["contact_date"], m_serial),
        },
    )
    n_items = len(QA_ITEMS)
    monitoring_item = pd.DataFrame(
        {
            "eval_id": pd.Series(np.repeat(monitoring["eval_id"].to_numpy(dtype=object), n_items), dtype="str"),
            "item": pd.Series(np.tile(_ITEM_NAMES, len(monitoring)), dtype="str"),
            "item_group": pd.Series(np.tile(_ITEM_GROUPS, len(monitoring)), dtype="str"),
            "points": points.ravel(),
        }
    )
    survey = _frame(
        "survey",
        {
            **s,
            "survey_id": _ids("SV", s["survey_date"], 5),
            "agent_id": ids[s["agent"]],
            "agent_name": names[s["agent"]],
            "team": team_names[s["team"]],
            "contact_id": contact(s["survey_date"], s_serial),
        },
    )
    call_test = _frame(
        "call_test",
        {
            **t,
            "test_id": _ids("CT", t["test_date"], 3),
            "agent_id": ids[t["agent"]],
            "agent_name": names[t["agent"]],
            "team": team_names[t["team"]],
        },
    )
    system_check = _frame("system_check", sc)

    # roster as of `end` (effective = latest move, else hire) + earlier assignments
    cur_team = p.first_team.copy()
    eff = p.hire.copy()
    hist_rows: list[tuple[int, int, np.datetime64]] = []
    for a, d, f, to in p.moves:
        hist_rows.append((a, f, eff[a]))
        cur_team[a], eff[a] = to, d
    roster = _frame(
        "roster",
        {"agent_id": ids, "agent_name": names, "team": team_names[cur_team], "hire_date": p.hire, "effective_date": eff},
    )
    ha = np.array([r[0] for r in hist_rows], dtype=np.int64)
    roster_history = _frame(
        "roster",
        {
            "agent_id": ids[ha],
            "agent_name": names[ha],
            "team": team_names[np.array([r[1] for r in hist_rows], dtype=np.int64)],
            "hire_date": p.hire[ha],
            "effective_date": np.array([r[2] for r in hist_rows], dtype="datetime64[D]"),
        },
    )
    return {
        "monitoring": monitoring,
        "monitoring_item": monitoring_item,
        "call_test": call_test,
        "survey": survey,
        "roster": roster,
        "roster_history": roster_history,
        "system_check": system_check,
    }


DEMO_FACTS: dict = demo_facts()
"""Facts for the default arguments (``end`` = last day of last month at import
time); call :func:`demo_facts` with the arguments used for any other data."""
