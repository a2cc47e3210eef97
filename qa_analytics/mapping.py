"""Find the header, flatten it, and map spreadsheet columns to canonical fields.

Why a matcher and not a list: every monitoring, call-test and survey system
(and every version of each) names its columns a little differently: 工号,
员工工号, 坐席工号, 被测工号, "Agent ID"...  Each *concept* below carries
aliases; a header matches a concept exactly, as a prefix/suffix, by
containment (the longest alias wins, so 质检员工号 is the evaluator, not the
agent), or by fuzzy similarity for typos in English headers.  Concepts are
kind-neutral (a "date"); :data:`CONCEPT_FIELDS` turns them into a kind's
field (``eval_date`` for monitoring, ``test_date`` for call tests).

Header rows are found, not assumed: exports put a title row or two above the
header, and some use a two-row header where a merged group cell (扣分项)
spans the item columns of the row below.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .read import RawSheet
from .schema import KINDS

__all__ = [
    "Concept",
    "CONCEPTS",
    "HeaderLayout",
    "ColumnMapping",
    "MappingError",
    "normalize_header",
    "match_concept",
    "find_header",
    "detect_kind",
    "map_columns",
]


@dataclass(frozen=True)
class Concept:
    name: str
    aliases: tuple[str, ...]
    # Words that hint at the record kind when they appear in a header.
    label_en: str = ""


def _c(name: str, label: str, *aliases: str) -> Concept:
    return Concept(name, tuple(normalize_header(a) for a in aliases), label)


def normalize_header(text: str | None) -> str:
    """Fold a header to a comparable form: NFKC (full-width -> ASCII),
    lower case, no spaces, punctuation or bracketed units like (分) / （%）."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = re.sub(r"[\(\[（【<].*?[\)\]）】>]", "", s)
    s = re.sub(r"[\s_\-:：/\\.,，、#*'\"“”]+", "", s)
    return s


CONCEPTS: tuple[Concept, ...] = (
    _c("record_id", "record id", "质检编号", "质检单号", "评测编号", "测评编号", "评分编号", "工单编号",
       "流水号", "记录编号", "记录id", "拨测编号", "测试编号", "调查编号", "问卷编号", "评价编号", "检查编号",
       "编号", "序列号", "id", "evaluationid", "evalid", "recordid", "testid", "surveyid", "checkid", "ticketid"),
    _c("agent_id", "agent id", "工号", "员工工号", "坐席工号", "座席工号", "客服工号", "被测工号", "被检工号",
       "被质检工号", "员工编号", "坐席号", "座席号", "坐席编号", "坐席id", "话务员工号", "agentid", "agentno",
       "employeeid", "staffid", "empid", "agent", "坐席", "座席", "客服代表", "被测坐席"),
    _c("agent_name", "agent name", "姓名", "员工姓名", "坐席姓名", "座席姓名", "客服姓名", "被测人", "被测人员",
       "被测坐席姓名", "被质检人", "被检人", "话务员", "话务员姓名", "agentname", "employeename", "staffname",
       "name"),
    _c("team", "team", "班组", "组别", "小组", "团队", "所属班组", "所属组", "部门", "所属部门", "科室", "team",
       "group", "department", "dept"),
    _c("date", "date", "日期", "质检日期", "评测日期", "监听日期", "评分日期", "检查日期", "拨测日期", "测试日期",
       "调查日期", "评价日期", "回访日期", "通话日期", "来电日期", "巡检日期", "date", "evaldate",
       "testdate", "surveydate", "checkdate", "calldate", "calltimestamp"),
    _c("time", "time", "时间", "质检时间", "评价时间", "通话时间", "来电时间", "time", "calltime"),
    _c("evaluator", "evaluator", "质检员", "质检人", "质检员姓名", "质检员工号", "评分人", "评测人", "评估人",
       "监听人", "监听员", "质检专员", "evaluator", "qaname", "qa", "assessor", "reviewer", "scoredby"),
    _c("contact_id", "contact id", "录音编号", "录音id", "通话编号", "通话id", "呼叫编号", "来电编号", "会话编号",
       "会话id", "联络编号", "callid", "contactid", "sessionid", "recordingid"),
    _c("channel", "channel", "渠道", "服务渠道", "评价渠道", "接触渠道", "服务方式", "媒体类型", "channel",
       "mediatype"),
    _c("total_score", "total score", "总分", "得分", "分数", "质检得分", "质检总分", "评分", "最终得分", "测评得分",
       "拨测得分", "测试得分", "综合得分", "检查得分", "score", "totalscore", "finalscore", "qascore"),
    _c("critical_error", "critical error", "致命差错", "致命错误", "致命项", "是否致命", "致命性差错", "重大差错",
       "criticalerror", "fatalerror", "autofail", "critical"),
    _c("appeal_status", "appeal status", "申诉", "申诉状态", "申诉结果", "是否申诉", "appeal", "appealstatus"),
    _c("comments", "comments", "备注", "评语", "点评", "说明", "意见", "comments", "comment", "remarks", "remark",
       "notes"),
    _c("tester", "tester", "测试人", "拨测人", "拨测员", "测试员", "测评人", "检测人", "tester", "testedby",
       "mysteryshopper"),
    _c("tester_type", "tester type", "测试类型", "拨测类型", "测试人类型", "拨测方", "测试方", "拨测来源", "测评类型",
       "测评方式", "测试人员类别", "testertype", "testtype", "source"),
    _c("scenario", "scenario", "业务场景", "测试场景", "拨测场景", "场景", "业务类型", "测试内容", "拨测内容",
       "scenario", "topic", "businesstype"),
    _c("passed", "passed", "是否合格", "是否通过", "合格", "通过", "测试结果", "拨测结果", "结果", "passed", "pass",
       "result"),
    _c("rating", "rating", "满意度", "满意度评价", "客户评价", "评价结果", "评价", "满意度结果", "评分等级",
       "satisfaction", "satisfactionrating", "rating", "csat"),
    _c("hire_date", "hire date", "入职日期", "入职时间", "到岗日期", "hiredate", "startdate", "joindate"),
    _c("effective_date", "effective date", "生效日期", "调整日期", "effectivedate", "asof"),
    _c("system", "system", "系统", "系统名称", "检查对象", "设备", "设备名称", "system", "systemname"),
    _c("availability", "availability", "可用率", "可用性", "系统可用率", "可用率%", "availability", "uptime"),
    _c("incidents", "incidents", "故障次数", "故障数", "事件数", "事故数", "incidents", "outages", "faults"),
    _c("checker", "checker", "检查人", "巡检人", "checker", "inspector"),
)
# Words that veto a concept: "customer_name" is not the agent's name, and
# 客户工号 is not the agent's id.
VETO_WORDS: dict[str, tuple[str, ...]] = {
    "agent_id": ("customer", "客户", "用户", "caller", "来电人", "主叫"),
    "agent_name": ("customer", "客户", "用户", "caller", "来电人", "主叫", "质检员", "测试人"),
}

# Concept -> field, per kind.  A concept absent from a kind is not mapped.
CONCEPT_FIELDS: dict[str, dict[str, str]] = {
    "monitoring": {
        "record_id": "eval_id", "date": "eval_date", "time": "eval_time", "agent_id": "agent_id",
        "agent_name": "agent_name", "team": "team", "evaluator": "evaluator", "contact_id": "contact_id",
        "channel": "channel", "total_score": "total_score", "critical_error": "critical_error",
        "appeal_status": "appeal_status", "comments": "comments",
    },
    "call_test": {
        "record_id": "test_id", "date": "test_date", "tester": "tester", "evaluator": "tester",
        "tester_type": "tester_type", "agent_id": "agent_id", "agent_name": "agent_name", "team": "team",
        "scenario": "scenario", "channel": "channel", "total_score": "score", "passed": "passed",
        "comments": "comments",
    },
    "survey": {
        "record_id": "survey_id", "date": "survey_date", "time": "survey_time", "agent_id": "agent_id",
        "agent_name": "agent_name", "team": "team", "contact_id": "contact_id", "channel": "channel",
        "rating": "rating", "comments": "comments",
    },
    "roster": {
        "agent_id": "agent_id", "agent_name": "agent_name", "team": "team", "hire_date": "hire_date",
        "effective_date": "effective_date", "date": "effective_date",
    },
    "system_check": {
        "record_id": "check_id", "date": "check_date", "system": "system", "availability": "availability_pct",
        "incidents": "incidents", "total_score": "score", "checker": "checker", "evaluator": "checker",
        "comments": "notes",
    },
}

# Words in headers (or the sheet/file name) that point at a kind.
KIND_HINTS: dict[str, tuple[str, ...]] = {
    "monitoring": ("质检", "监听", "扣分", "录音", "评分项", "致命", "申诉", "qa", "monitor", "evaluat"),
    "call_test": ("拨测", "测试", "神秘", "暗访", "被测", "calltest", "mystery", "tester"),
    "survey": ("满意", "评价", "回访", "调查", "问卷", "satisf", "survey", "csat", "rating"),
    "roster": ("入职", "花名册", "人员", "roster", "hire"),
    "system_check": ("系统", "可用率", "故障", "巡检", "设备", "availability", "uptime", "incident"),
}

# Group headers that mean "the columns below are QA items".
ITEM_GROUP_WORDS = ("扣分", "评分项", "质检项", "考核项", "项目", "得分项", "服务规范", "业务能力", "致命",
                    "item", "deduction", "criteria")

TOTAL_ROW_WORDS = ("合计", "总计", "小计", "平均", "平均值", "平均分", "汇总", "total", "subtotal", "average",
                   "sum", "mean")


class MappingError(Exception):
    """The sheet does not look like any evaluation export we know."""


@functools.lru_cache(maxsize=8192)
def match_concept(header: str | None) -> tuple[str | None, float]:
    """The best concept for one header and a score in (0, 1]; (None, 0) if none.

    Scores: exact 1.0; the header starts or ends with an alias 0.85; contains
    it 0.7; close spelling (difflib ratio >= 0.84) 0.6 x ratio.  Longer aliases
    add a little, so the most specific alias wins.
    """
    h = normalize_header(header)
    if not h:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    for concept in CONCEPTS:
        if any(w in h for w in VETO_WORDS.get(concept.name, ())):
            continue
        for alias in concept.aliases:
            if not alias:
                continue
            if h == alias:
                score = 1.0
            elif len(alias) >= 2 and (h.startswith(alias) or h.endswith(alias)):
                score = 0.85 + 0.01 * min(len(alias), 10)
            elif len(alias) >= 2 and alias in h:
                score = 0.7 + 0.01 * min(len(alias), 10)
            elif len(alias) >= 5 and len(h) >= 5:
                # The cheap upper bounds first, as difflib.get_close_matches
                # does: most cells are nowhere near most aliases.
                ratio = 0.0
                if 2 * min(len(h), len(alias)) >= 0.84 * (len(h) + len(alias)):  # real_quick_ratio
                    sm = difflib.SequenceMatcher(None, h, alias)
                    if sm.quick_ratio() >= 0.84:
                        ratio = sm.ratio()
                score = 0.6 * ratio if ratio >= 0.84 else 0.0
            else:
                score = 0.0
            if score > best[1]:
                best = (concept.name, score)
    return best


def _is_texty(cell: str | None) -> bool:
    """A cell that could be a header (not a number or a date)."""
    if cell is None or not str(cell).strip():
        return False
    s = str(cell).strip()
    return not re.fullmatch(r"[-+]?\d+(\.\d+)?(分|%)?|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}.*|\d{8}", s)


@dataclass
class HeaderLayout:
    """Where the header is and what each column is called (flattened)."""

    header_row: int  # 0-based index into the sheet grid of the last header row
    names: list[str | None]  # per column, the flattened header text
    groups: list[str | None]  # per column, the group header above it (two-row headers)
    score: float  # how header-like it looked (matched concepts)

    @property
    def data_start(self) -> int:
        return self.header_row + 1


def _row_score(row: list[str | None], known: frozenset[str] = frozenset()) -> float:
    seen: set[str] = set()
    total = 0.0
    for cell in row:
        if not _is_texty(cell):
            continue
        if normalize_header(cell) in known:  # a header the user mapped by hand
            total += 1.0
            continue
        concept, score = match_concept(cell)
        if concept and score >= 0.6 and concept not in seen:
            seen.add(concept)
            total += score
    return total


def _flatten(upper: list[str | None], lower: list[str | None]) -> tuple[list[str | None], list[str | None]]:
    """Merge a two-row header: a group cell spans the columns below it until
    the next cell of its own row (merged cells keep their text in the first)."""
    names: list[str | None] = []
    groups: list[str | None] = []
    active: str | None = None
    for up, low in zip(upper, lower):
        up = up.strip() if isinstance(up, str) and up.strip() else None
        low = low.strip() if isinstance(low, str) and low.strip() else None
        if up and low:
            active = up
            names.append(low)
            groups.append(up)
        elif up:
            active = None
            names.append(up)
            groups.append(None)
        elif low:
            names.append(low)
            groups.append(active)
        else:
            names.append(None)
            groups.append(None)
    return names, groups


def find_header(sheet: RawSheet, scan_rows: int = 30, known: frozenset[str] = frozenset()) -> HeaderLayout | None:
    """Find the header row among the first ``scan_rows`` rows; flatten a
    two-row header.  ``None`` when no row matches at least two concepts
    (headers the user mapped by hand, ``known``, count as matches)."""
    rows = sheet.rows(0, min(scan_rows, sheet.n_rows))
    if not rows:
        return None
    scores = [_row_score(r, known) for r in rows]
    best = max(range(len(rows)), key=lambda i: (scores[i], -i))
    if scores[best] < 1.2:  # fewer than two solid matches
        return None
    row = rows[best]
    width = len(row)
    nonempty = [j for j in range(width) if row[j] is not None and str(row[j]).strip()]
    # A sub-header below: text only, and empty under most of the header's
    # cells (those were merged vertically), while filling some others.
    if best + 1 < len(rows):
        below = rows[best + 1]
        below_cells = [j for j in range(width) if below[j] is not None and str(below[j]).strip()]
        if below_cells and all(_is_texty(below[j]) for j in below_cells):
            under_header = sum(1 for j in nonempty if j in below_cells)
            fills_gap = any(j not in nonempty for j in below_cells) or any(
                _is_group(row[j]) for j in below_cells
            )
            if fills_gap and under_header <= len(nonempty) / 2:
                names, groups = _flatten(row, below)
                return HeaderLayout(best + 1, names, groups, scores[best] + scores[best + 1])
    # A group row above: a few text cells over a full header (not a title:
    # a title is one cell).
    if best >= 1:
        above = rows[best - 1]
        above_cells = [j for j in range(width) if above[j] is not None and str(above[j]).strip()]
        if len(above_cells) >= 2 and all(_is_texty(above[j]) for j in above_cells) and any(
            _is_group(above[j]) for j in above_cells
        ):
            names, groups = _flatten(above, row)
            return HeaderLayout(best, names, groups, scores[best])
    names = [str(c).strip() if c is not None and str(c).strip() else None for c in row]
    return HeaderLayout(best, names, [None] * width, scores[best])


def _is_group(cell: str | None) -> bool:
    h = normalize_header(cell)
    return bool(h) and any(w in h for w in ITEM_GROUP_WORDS)


@dataclass
class ColumnMapping:
    """The result of mapping one sheet: which column feeds which field."""

    kind: str
    fields: dict[str, int]  # field -> column index
    items: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # item -> (column, group)
    ignored: list[str] = field(default_factory=list)  # headers left unmapped
    headers: list[str | None] = field(default_factory=list)

    def describe(self) -> dict[str, str]:
        """header -> field (or ``item:<name>``), for reports and the import log."""
        out = {}
        for f, j in self.fields.items():
            out[self.headers[j] or f"column {j + 1}"] = f
        for item, (j, _g) in self.items.items():
            out[self.headers[j] or f"column {j + 1}"] = f"item:{item}"
        return out


def _concepts_of(names: list[str | None]) -> list[tuple[str | None, float]]:
    return [match_concept(n) if n else (None, 0.0) for n in names]


def detect_kind(names: list[str | None], context: str = "") -> str | None:
    """Which record kind the headers describe (``None`` if unclear).

    Distinctive concepts decide (a rating column means survey, an
    availability column a system check, a tester a call test); hint words in
    the headers and the sheet/file name break ties.
    """
    found = {c for c, s in _concepts_of(names) if c and s >= 0.6}
    text = normalize_header(" ".join(n for n in names if n) + " " + context)
    hints = {k: sum(1 for w in ws if w in text) for k, ws in KIND_HINTS.items()}
    score = {k: 0.0 for k in KINDS}
    if "rating" in found:
        score["survey"] += 3
    if found & {"availability", "incidents"} or ("system" in found and "agent_id" not in found):
        score["system_check"] += 3
    if found & {"tester", "tester_type", "scenario"}:
        score["call_test"] += 2 + 0.5 * len(found & {"tester", "tester_type", "scenario", "passed"})
    if "total_score" in found and ("evaluator" in found or "critical_error" in found):
        score["monitoring"] += 3
    elif "total_score" in found:
        score["monitoring"] += 1.5
    if "agent_id" in found and not found & {"date", "total_score", "rating", "passed", "system"}:
        score["roster"] += 2 + ("hire_date" in found) + ("team" in found)
    if "hire_date" in found:
        score["roster"] += 1.5
    for k in score:
        score[k] += 0.3 * hints[k]
    best = max(score, key=lambda k: score[k])
    if score[best] < 1.5:
        return None
    return best


def _looks_numeric(values: list[str | None]) -> bool:
    vals = [v.strip() for v in values if v is not None and str(v).strip()]
    if not vals:
        return False
    na = {"n/a", "na", "不适用", "-", "/", "—", "无"}
    num = sum(1 for v in vals if re.fullmatch(r"[-+]?\d+(\.\d+)?分?", unicodedata.normalize("NFKC", v))
              or v.lower() in na)
    return num >= 0.8 * len(vals)


def map_columns(
    layout: HeaderLayout,
    sample: list[list[str | None]],
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
    context: str = "",
) -> ColumnMapping:
    """Map the header's columns to the fields of ``kind`` (detected when None).

    ``overrides`` maps a header text to a field name, ``item`` (a QA item
    column) or ``ignore``; they win over the matcher.  ``sample`` are a few
    data rows, used to tell numeric item columns from stray text columns.
    """
    names = layout.names
    overrides = {normalize_header(k): v for k, v in (overrides or {}).items()}
    if kind is None:
        kind = detect_kind(names, context)
        if kind is None:
            raise MappingError(
                "not a recognised evaluation export: no monitoring, call-test, survey, roster or "
                "system-check columns were found (headers seen: "
                + ", ".join(n for n in names if n)[:300]
                + "); use --kind and --map to say what the columns are"
            )
    fields_of = CONCEPT_FIELDS[kind]
    kind_fields = set(KINDS[kind].field_names)
    fields: dict[str, int] = {}
    items: dict[str, tuple[int, str | None]] = {}
    ignored: list[str] = []
    candidates: list[tuple[float, int, str]] = []
    forced: set[int] = set()
    for j, name in enumerate(names):
        if name is None:
            continue
        ov = overrides.get(normalize_header(name))
        if ov is not None:
            forced.add(j)
            if ov == "ignore":
                ignored.append(name)
            elif ov == "item":
                items[name] = (j, layout.groups[j])
            elif ov in kind_fields:
                fields[ov] = j
            else:
                raise MappingError(
                    f"--map {name}={ov}: {ov!r} is not a field of {kind} "
                    f"(fields: {', '.join(sorted(kind_fields))}, item, ignore)"
                )
    for j, name in enumerate(names):
        if name is None or j in forced:
            continue
        if layout.groups[j] and _is_group(layout.groups[j]) and kind == "monitoring":
            continue  # under an item group: an item, whatever its name says
        concept, score = match_concept(name)
        if concept and score >= 0.5 and concept in fields_of:
            candidates.append((score, -j, fields_of[concept]))
    taken_cols: set[int] = set(forced)
    for _score, neg_j, fname in sorted(candidates, reverse=True):
        j = -neg_j
        if fname in fields or j in taken_cols:
            continue
        fields[fname] = j
        taken_cols.add(j)
    for j, name in enumerate(names):
        if name is None or j in taken_cols:
            continue
        column = [r[j] if j < len(r) else None for r in sample]
        if kind == "monitoring" and (
            (layout.groups[j] and _is_group(layout.groups[j])) or _looks_numeric(column)
        ):
            items[name] = (j, layout.groups[j])
        else:
            ignored.append(name)
    # A name but no id (the public Call Center data knows agents by first
    # name): the name is the only identity the export gives.
    if "agent_id" not in fields and "agent_name" in fields:
        fields["agent_id"] = fields["agent_name"]
    return ColumnMapping(kind=kind, fields=fields, items=items, ignored=ignored, headers=list(names))
