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
from typing import Any

from ..core.codes import Code, Problem, define
from ..store.schema import KINDS, Kind
from .read import RawSheet

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
    """A kind-neutral column meaning (an agent id, a date) and the headers that say it."""

    name: str
    aliases: tuple[str, ...]
    label_en: str = ""
    label_zh: str = ""

    def label(self, lang: str = "en") -> str:
        return (self.label_zh if lang == "zh" else self.label_en) or self.name


def _c(name: str, label: str, *aliases: str) -> Concept:
    # The first alias is the everyday Chinese header: the concept's Chinese name.
    return Concept(name, tuple(normalize_header(a) for a in aliases), label, aliases[0])


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
    _c("record_id", "record id", "质检编号", "质检单号", "质检流水号", "质检记录编号", "质检id", "评测编号",
       "测评编号", "评分编号", "评分单号", "流水号", "记录编号", "记录id", "拨测编号", "拨测单号", "测试编号",
       "调查编号", "问卷编号", "评价编号", "评价单号", "回访编号", "检查编号", "巡检编号", "编号", "序列号", "id",
       "evaluationid", "evalid", "recordid", "testid", "surveyid", "checkid", "qaid", "reviewid", "质检单编号",
       "测试单号", "调查单号", "evaluationno", "testno", "surveyno", "checkno", "recordno", "reviewno"),
    # The call, the recording, the chat session or the ticket the record is
    # about (serial numbers of the telephony and ticket systems).
    _c("contact_id", "contact id", "录音编号", "录音id", "录音号", "录音流水号", "录音序列号", "录音文件编号",
       "通话编号", "通话id", "通话流水号", "通话序列号", "通话记录编号", "通话记录id", "话单号", "话单编号",
       "呼叫编号", "呼叫id", "呼叫流水号", "来电编号", "来电流水号", "会话编号", "会话id", "会话流水号", "联络编号",
       "接触编号", "服务单号", "工单编号", "工单号", "工单id", "受理单号", "受理编号", "callid", "contactid",
       "sessionid", "recordingid", "ticketid", "ticketno", "caseid", "callref", "interactionid", "conversationid",
       "录音文件", "来电记录", "通话记录", "呼叫记录"),
    _c("agent_id", "agent id", "工号", "员工工号", "员工号", "员工编号", "员工代码", "人员编号", "人员工号",
       "坐席工号", "座席工号", "坐席号", "座席号", "坐席编号", "座席编号", "坐席代码", "坐席账号", "坐席id",
       "客服工号", "客服编号", "客服账号", "客服代表工号", "客服代表编号", "话务员工号", "话务员编号", "接线员工号",
       "服务工号", "受理工号", "被测工号", "被检工号", "被质检工号", "被质检人工号", "被评价人工号", "被测人工号",
       "被测坐席工号", "agentid", "agentno", "agentcode", "employeeid", "employeeno", "staffid", "staffno", "empid",
       "agent", "坐席", "座席", "客服代表", "被测坐席", "服务代表工号", "坐席代表工号", "repid", "representativeid",
       "csrid", "agentnumber", "employeenumber"),
    _c("agent_name", "agent name", "姓名", "员工姓名", "人员姓名", "坐席姓名", "座席姓名", "坐席名称", "客服姓名",
       "客服代表姓名", "话务员", "话务员姓名", "接线员", "接线员姓名", "服务人员", "服务人员姓名", "受理人", "被测人",
       "被测人员", "被测坐席姓名", "被质检人", "被质检人姓名", "被检人", "被评价人", "agentname", "employeename",
       "staffname", "name", "服务代表", "服务代表姓名", "坐席代表", "坐席代表姓名", "repname", "representativename",
       "agentfullname"),
    _c("team", "team", "班组", "组别", "小组", "团队", "所属班组", "所属组", "所属小组", "所属团队", "部门",
       "所属部门", "科室", "team", "teamname", "group", "department", "dept", "班组名称", "所在班组", "被测班组",
       "groupname"),
    _c("date", "date", "日期", "质检日期", "评测日期", "监听日期", "评分日期", "检查日期", "拨测日期", "测试日期",
       "调查日期", "评价日期", "回访日期", "通话日期", "来电日期", "巡检日期", "受理日期", "服务日期", "date",
       "evaldate", "testdate", "surveydate", "checkdate", "calldate", "calltimestamp"),
    _c("time", "time", "时间", "质检时间", "评价时间", "通话时间", "来电时间", "受理时间", "time", "calltime"),
    _c("modified_at", "last modified", "修改时间", "最后修改时间", "更新时间", "最后更新时间", "变更时间", "编辑时间",
       "复核时间", "lastmodified", "modifiedat", "modified", "updatedat", "lastupdated", "updated"),
    _c("evaluator", "evaluator", "质检员", "质检人", "质检员姓名", "质检员工号", "质检人员", "质检专员", "评分人",
       "评分员", "评测人", "评估人", "监听人", "监听员", "审核人", "审核员", "复核人", "evaluator", "qaname", "qa",
       "qaagent", "assessor", "reviewer", "scoredby", "evaluatedby", "考评员", "考评人", "质评员", "质评人", "稽核员",
       "稽核人", "评审人", "评审员", "qaevaluator", "qareviewer", "auditor"),
    _c("channel", "channel", "渠道", "服务渠道", "评价渠道", "接触渠道", "服务方式", "媒体类型", "调查渠道",
       "调查方式", "评价方式", "回访方式", "回访渠道", "来源渠道", "channel", "mediatype", "medium", "满意度渠道",
       "评价来源", "调查来源", "回访来源", "surveychannel", "contactchannel"),
    _c("total_score", "total score", "总分", "得分", "分数", "质检得分", "质检总分", "质检分数", "评分", "最终得分",
       "最终分数", "测评得分", "拨测得分", "测试得分", "综合得分", "检查得分", "合计得分", "score", "totalscore",
       "finalscore", "qascore", "成绩", "质检成绩", "拨测成绩", "测试成绩", "考核成绩", "评分成绩", "考评成绩",
       "总成绩", "evaluationscore", "testscore", "overallscore"),
    _c("critical_error", "critical error", "致命差错", "致命错误", "致命项", "是否致命", "致命性差错", "是否致命差错",
       "重大差错", "致命性错误", "criticalerror", "fatalerror", "autofail", "critical"),
    _c("appeal_status", "appeal status", "申诉", "申诉状态", "申诉结果", "是否申诉", "复核状态", "复核结果",
       "申诉复核", "申诉复核结果", "appeal", "appealstatus", "disputestatus"),
    _c("comments", "comments", "备注", "评语", "点评", "说明", "意见", "质检评语", "质检意见", "客户意见", "留言",
       "comments", "comment", "remarks", "remark", "notes", "feedback", "建议", "客户建议", "客户反馈", "反馈",
       "评价内容", "意见建议", "回访记录", "customerfeedback"),
    _c("tester", "tester", "测试人", "拨测人", "拨测员", "测试员", "测评人", "检测人", "tester", "testedby",
       "mysteryshopper"),
    _c("tester_type", "tester type", "测试类型", "拨测类型", "测试人类型", "拨测方", "测试方", "拨测来源", "测评类型",
       "测评方式", "测试人员类别", "testertype", "testtype", "source", "拨测人类型", "拨测人员类型", "拨测人身份",
       "测试人身份", "测试人员类型", "拨测方类型", "testercategory", "testerrole"),
    _c("scenario", "scenario", "业务场景", "测试场景", "拨测场景", "场景", "业务类型", "测试内容", "拨测内容",
       "scenario", "topic", "businesstype", "拨测业务", "测试业务", "业务名称", "拨测项目", "testscenario",
       "testtopic"),
    _c("passed", "passed", "是否合格", "是否通过", "合格", "通过", "测试结果", "拨测结果", "结果", "passed", "pass",
       "result"),
    _c("rating", "rating", "满意度", "满意度评价", "客户评价", "评价结果", "评价", "满意度结果", "评分等级",
       "满意程度", "客户满意度", "satisfaction", "satisfactionrating", "rating", "csat", "csatscore",
       "satisfactionscore", "满意度得分", "满意度分数", "客户评分", "评价分数", "customerrating"),
    _c("hire_date", "hire date", "入职日期", "入职时间", "到岗日期", "hiredate", "startdate", "joindate", "入司日期",
       "入司时间", "入职日", "报到日期", "上岗日期", "到岗时间", "入行日期", "onboarddate", "datehired"),
    _c("effective_date", "effective date", "生效日期", "调整日期", "effectivedate", "asof"),
    _c("system", "system", "系统", "系统名称", "检查对象", "设备", "设备名称", "system", "systemname"),
    _c("availability", "availability", "可用率", "可用性", "系统可用率", "可用率%", "availability", "uptime"),
    _c("incidents", "incidents", "故障次数", "故障数", "事件数", "事故数", "incidents", "outages", "faults"),
    _c("checker", "checker", "检查人", "巡检人", "checker", "inspector"),
)
CONCEPT_BY_NAME: dict[str, Concept] = {c.name: c for c in CONCEPTS}

# Words that veto a concept: "customer_name" is not the agent's name, and
# 客户工号 is not the agent's id.
VETO_WORDS: dict[str, tuple[str, ...]] = {
    "contact_id": ("号码", "电话", "手机", "主叫", "被叫", "phone", "mobile", "caller", "msisdn"),
    "agent_id": ("customer", "客户", "用户", "caller", "来电人", "主叫"),
    "agent_name": ("customer", "客户", "用户", "caller", "来电人", "主叫", "质检员", "测试人", "审核人", "复核人"),
}
# Headers that say "this agent" without saying whether they hold an id or a
# name (坐席, Agent): their values decide.
AMBIGUOUS_AGENT_HEADERS = frozenset(normalize_header(h) for h in ("agent", "坐席", "座席", "客服代表", "被测坐席",
                                                                  "话务员", "接线员", "服务人员", "客服"))

# Concept -> field, per kind.  A concept absent from a kind is not mapped.
CONCEPT_FIELDS: dict[str, dict[str, str]] = {
    "monitoring": {
        "record_id": "eval_id", "date": "eval_date", "time": "eval_time", "agent_id": "agent_id",
        "agent_name": "agent_name", "team": "team", "evaluator": "evaluator", "contact_id": "contact_id",
        "channel": "channel", "total_score": "total_score", "critical_error": "critical_error",
        "appeal_status": "appeal_status", "comments": "comments", "modified_at": "modified_at",
    },
    "call_test": {
        "record_id": "test_id", "date": "test_date", "tester": "tester", "evaluator": "tester",
        "tester_type": "tester_type", "agent_id": "agent_id", "agent_name": "agent_name", "team": "team",
        "scenario": "scenario", "channel": "channel", "total_score": "score", "passed": "passed",
        "comments": "comments", "modified_at": "modified_at",
    },
    "survey": {
        "record_id": "survey_id", "date": "survey_date", "time": "survey_time", "agent_id": "agent_id",
        "agent_name": "agent_name", "team": "team", "contact_id": "contact_id", "channel": "channel",
        "rating": "rating", "comments": "comments", "modified_at": "modified_at",
    },
    "roster": {
        "agent_id": "agent_id", "agent_name": "agent_name", "team": "team", "hire_date": "hire_date",
        "effective_date": "effective_date", "date": "effective_date",
    },
    "system_check": {
        "record_id": "check_id", "date": "check_date", "system": "system", "availability": "availability_pct",
        "incidents": "incidents", "total_score": "score", "checker": "checker", "evaluator": "checker",
        "comments": "notes", "modified_at": "modified_at",
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
ITEM_GROUP_WORDS = ("扣分", "评分项", "质检项", "考核项", "考评项", "项目", "得分项", "服务规范", "业务能力", "致命",
                    "item", "deduction", "criteria")

TOTAL_ROW_WORDS = ("合计", "总计", "小计", "平均", "平均值", "平均分", "汇总", "total", "subtotal", "average",
                   "sum", "mean")


class MappingError(Problem):
    """The sheet does not look like any evaluation export we know, or its
    columns cannot give a record kind what it needs (a code and parameters)."""


NOT_AN_EXPORT = define(
    "not_an_export",
    en="not a recognised evaluation export: no sheet has a header row with columns such as 工号/agent id, "
       "日期/date, 总分/score or 满意度/rating",
    zh="不是可识别的评价导出表：没有任何工作表含有“工号、日期、总分、满意度”之类的表头行",
)
UNKNOWN_KIND = define(
    "unknown_kind",
    en="not a recognised evaluation export: no monitoring, call-test, survey, roster or system-check columns "
       "were found (headers seen: {headers}); use --kind and --map to say what the columns are",
    zh="不是可识别的评价导出表：没有找到质检、拨测、满意度、人员名册或系统检查的列（表头：{headers}）；"
       "可用 --kind 和 --map 指明各列的含义",
)
NO_HEADER_IN_SHEET = define(
    "no_header_in_sheet", en="sheet {sheet!r}: no header row found", zh="工作表“{sheet}”中找不到表头行",
)
MISSING_FIELDS = define(
    "missing_fields",
    en="looks like a {kind} export, but no column was found for: {fields} (headers: {headers}); "
       'use --map "表头=field" to name it',
    zh="看起来是{kind_zh}导出表，但找不到这些字段对应的列：{fields_zh}（表头：{headers}）；"
       "可用 --map \"表头=字段\" 指明",
)
NO_AGENT_ID = define(
    "no_agent_id",
    en="no agent id column: the column {header!r} holds agents' names, and two people with one name would "
       "become one agent; map the column that holds the agent id (工号), or, to import agents known by name "
       'only, say so: --map "{header}=agent_id" (or choose "{field_en}" for it in the Import page\'s grid)',
    zh="没有坐席工号列：“{header}”列是坐席姓名，同名的两个人会被当成一个坐席；请指明哪一列是坐席工号；"
       "如确实只能按姓名识别坐席，请明确指定：--map \"{header}=agent_id\"（或在导入页的对应表中把它选为“{field_zh}”）",
)
MAP_NOT_IN_KIND = define(
    "map_not_in_kind",
    en="--map {header}={target}: {target!r} is not a field of {kind} (fields: {fields}, item, ignore)",
    zh="--map {header}={target}：“{target}”不是{kind_zh}的字段（可用字段：{fields}、item、ignore）",
)

# Why a column was left out of the import (shown beside it in reports and
# on the Import page; the column's data is never silently an item).
IGNORED_BY_USER = define("ignored_by_user", en="ignored as you asked", zh="按您的指定忽略")
IGNORED_ROW_NUMBER = define("ignored_row_number", en="a row number (1, 2, 3…)", zh="行号（1、2、3…）")
IGNORED_IDENTIFIER = define(
    "ignored_identifier", en="an identifier that is no field of this kind", zh="编号类的列，不对应此类数据的任何字段"
)
IGNORED_TEXT = define("ignored_text", en="text that matches no field", zh="文字列，不对应任何字段")
IGNORED_NUMBER = define(
    "ignored_number", en="numbers that match no field (and are no QA item's points)",
    zh="数值列，不对应任何字段（也不是质检项的分值）"
)
IGNORED_DATE = define("ignored_date", en="dates that match no field", zh="日期列，不对应任何字段")
IGNORED_EMPTY = define("ignored_empty", en="empty", zh="空列")
IGNORED_DUPLICATE = define(
    "ignored_duplicate", en="a second column for {field}; the column {used!r} is used",
    zh="又一列“{field_zh}”；已使用“{used}”列",
)
IGNORED_NOT_IN_KIND = define(
    "ignored_not_in_kind", en="names a field ({concept}) that {kind} exports do not have",
    zh="表示的字段（{concept_zh}）不属于{kind_zh}",
)
AGENT_IDS_ARE_NAMES = define(
    "agent_ids_are_names",
    en="agents are known by name only: the agent id column {header!r} holds names, so two people with one name "
       "are counted as one agent",
    zh="只能按姓名识别坐席：坐席工号列“{header}”里是姓名，同名的两个人会被算作一个坐席",
)


@functools.lru_cache(maxsize=8192)
def match_concept(header: str | None) -> tuple[str | None, float]:
    """The best concept for one header and a score in (0, 1]; (None, 0) if none.

    Scores: exact 1.0; the header starts or ends with an alias 0.85; contains
    it 0.7; close spelling (difflib ratio >= 0.84) 0.6 x ratio.  Longer aliases
    add a little, so the most specific alias wins.

    A header made of two known words follows how Chinese builds nouns
    (:func:`_compose`): the last word names the column (被测人班组 is a team),
    unless it is only an attribute of the first, a person (质检人员姓名 is the
    evaluator, 服务人员工号 the agent's id, 拨测人员类别 the tester type).
    """
    h = normalize_header(header)
    if not h:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    prefix: tuple[str, str, float] | None = None  # (concept, alias, score) of the best prefix match
    suffix: tuple[str, str, float] | None = None
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
                if h.startswith(alias) and (prefix is None or score > prefix[2]):
                    prefix = (concept.name, alias, score)
                if h.endswith(alias) and (suffix is None or score > suffix[2]):
                    suffix = (concept.name, alias, score)
            elif len(alias) >= 2 and alias in h and not alias.isascii():
                # Inside a longer header: Chinese words only.  Folded Latin
                # headers lost their word breaks ("sentiment" holds "time").
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
    if best[1] < 1.0:
        composed = _compose(h, prefix, suffix)
        if composed is not None:
            return composed, max(best[1], 0.85)
    return best


# People a header can name before one of their attributes, and the concept
# each attribute of theirs is: 服务人员 + 工号 is the agent's id.
_PERSON_OF = {"agent_id": "agent", "agent_name": "agent", "evaluator": "evaluator", "tester": "tester",
              "checker": "checker"}
_ATTRIBUTE = {"agent": {"id": "agent_id", "name": "agent_name"}}
ID_ATTRIBUTES = frozenset(normalize_header(w) for w in ("工号", "编号", "号", "账号", "代码", "id", "no", "code",
                                                        "number"))
NAME_ATTRIBUTES = frozenset(normalize_header(w) for w in ("姓名", "名称", "名字", "name", "fullname"))
# 拨测人员类别: the type of that person.
TYPE_WORDS = ("类别", "类型", "身份", "角色", "type", "category", "role", "class")
_TYPE_OF = {"tester": "tester_type"}


def _compose(h: str, prefix: tuple[str, str, float] | None, suffix: tuple[str, str, float] | None) -> str | None:
    """The concept of a header that starts with one known word (``prefix``)
    and ends with another (``suffix``): an attribute of a person (its name,
    its id, its type) is that person's column; otherwise the last word
    names the column."""
    if prefix is not None:
        tail = _tail_word(h, prefix[1])
        person = _PERSON_OF.get(prefix[0])
        if person:
            if tail in TYPE_ATTRIBUTES:
                return _TYPE_OF.get(person)
            if tail in NAME_ATTRIBUTES:
                return _ATTRIBUTE.get(person, {}).get("name", _PERSON_NAME.get(person))
            if tail in ID_ATTRIBUTES:
                return _ATTRIBUTE.get(person, {}).get("id", _PERSON_NAME.get(person))
        elif prefix[0] == "contact_id" and tail in ID_ATTRIBUTES:
            return "contact_id"  # 来电记录编号: the number of the call record
        elif prefix[0] in _MEASURES and tail in SCORE_ATTRIBUTES:
            return prefix[0]  # 满意度评分: the satisfaction rating, as a score
    if prefix is not None and suffix is not None and prefix[0] != suffix[0] and (
            len(prefix[1]) + len(suffix[1]) <= len(h)):
        return suffix[0]  # head-final: 被测人班组 is a team
    return None


_PERSON_NAME = {"evaluator": "evaluator", "tester": "tester", "checker": "checker"}
TYPE_ATTRIBUTES = frozenset(normalize_header(w) for w in TYPE_WORDS)
# Concepts that are measures themselves: their "score" is still them.
_MEASURES = frozenset({"rating", "availability"})
SCORE_ATTRIBUTES = frozenset(normalize_header(w) for w in ("评分", "得分", "分数", "分值", "分", "score", "value",
                                                           "rate", "率"))


def _tail_word(h: str, prefix_alias: str) -> str:
    """What follows the prefix, without filler such as 人员 / 的."""
    rest = h[len(prefix_alias):]
    for filler in ("人员", "员", "人", "的"):
        if rest.startswith(filler) and len(rest) > len(filler):
            rest = rest[len(filler):]
    return rest


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
    """The result of mapping one sheet: which column feeds which field.

    ``reasons`` says, per ignored column, why it was left out (a code of
    this module: a row number, an identifier, text matching no field...);
    ``warnings`` are coded notes the report passes on (agents known by
    name only).
    """

    kind: str
    fields: dict[str, int]  # field -> column index
    items: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # item -> (column, group)
    ignored: list[str] = field(default_factory=list)  # headers left unmapped
    headers: list[str | None] = field(default_factory=list)
    reasons: dict[str, dict[str, Any]] = field(default_factory=dict)  # ignored header -> {code, params}
    warnings: list[dict[str, Any]] = field(default_factory=list)  # [{code, params}]

    def describe(self) -> dict[str, str]:
        """header -> field (or ``item:<name>``), for reports and the import log."""
        out = {}
        for f, j in self.fields.items():
            out[self.headers[j] or f"column {j + 1}"] = f
        for item, (j, _g) in self.items.items():
            out[self.headers[j] or f"column {j + 1}"] = f"item:{item}"
        return out

    def targets(self) -> dict[str, str]:
        """header -> field | ``item`` | ``ignore`` for every named column: the
        mapping as the user would confirm or correct it (saved mappings)."""
        out: dict[str, str] = {}
        for name in self.headers:
            if name:
                out.setdefault(name, "ignore")
        for f, j in self.fields.items():
            if self.headers[j]:
                out[self.headers[j]] = f  # type: ignore[index]
        for _item, (j, _g) in self.items.items():
            if self.headers[j]:
                out[self.headers[j]] = "item"  # type: ignore[index]
        return out


def _concepts_of(names: list[str | None]) -> list[tuple[str | None, float]]:
    return [match_concept(n) if n else (None, 0.0) for n in names]


def detect_kind(names: list[str | None], context: str = "", groups: list[str | None] | None = None) -> str | None:
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
    if groups and sum(1 for g in groups if g and _is_group(g)) >= 2:
        score["monitoring"] += 1.5  # columns under a 扣分项 / 考核项目 group: a QA form
    for k in score:
        score[k] += 0.3 * hints[k]
    best = max(score, key=lambda k: score[k])
    if score[best] < 1.5:
        return None
    return best


# --- What a column's values look like ------------------------------------
#
# Headers say a lot, but not everything: a 序号 column of 1, 2, 3… and a
# 19-digit recording serial number are numbers too, and neither is a QA item.
# Each column's sample cells are sorted into shapes, and the column is what
# most of its cells are (NA_MARKS count with points).

NA_MARKS = frozenset({"n/a", "na", "不适用", "-", "/", "—", "--", "无需", "无"})
ROW_NUMBER_HEADERS = frozenset(normalize_header(h) for h in ("序号", "行号", "序", "no", "no.", "#", "行", "顺序号",
                                                             "sn", "seq", "rowno", "index"))
# A generic id header whose values run 1, 2, 3… is a row number too: an
# export that numbers its rows from 1 again every month must not collide.
GENERIC_ID_HEADERS = frozenset(normalize_header(h) for h in ("编号", "序列号", "id", "流水号", "记录编号"))
# Headers whose words say "an identifier of the contact" (a call, a recording,
# a chat session, a ticket): an unmapped identifier column under such a
# header is the contact id.
CONTACT_WORDS = ("流水号", "编号", "录音", "通话", "会话", "工单", "话单", "呼叫", "受理", "call", "session",
                 "ticket", "record", "contact", "case", "interaction")
# A phone number identifies a caller, not the contact (the call, ticket).
PHONE_WORDS = ("号码", "电话", "手机", "主叫", "被叫", "来电号", "phone", "mobile", "caller", "callernumber",
               "msisdn", "telephone")
# Numbers under these words are measurements, not points of a QA form.
NOT_ITEM_WORDS = ("时长", "时间", "秒", "分钟", "次数", "数量", "金额", "电话", "号码", "手机", "年龄", "排名", "名次",
                  "序", "编号", "工号", "duration", "seconds", "minutes", "count", "phone", "number", "amount",
                  "age", "rank")
POINTS_LIMIT = 100.0  # an item's points (a deduction or a score) lie within ±100

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)(分|点|points?|pts?)?", re.IGNORECASE)
_INTEGER = re.compile(r"[-+]?\d+")
_SCI = re.compile(r"[-+]?\d(\.\d+)?e\+?\d+", re.IGNORECASE)
_CODE = re.compile(r"(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9][A-Za-z0-9_\-./:]{2,}")
_DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}.*|\d{1,2}/\d{1,2}/\d{4}.*|(19|20)\d{6}")
_HAS_DIGIT = re.compile(r"\d")


def _fold(v: str) -> str:
    return unicodedata.normalize("NFKC", v).strip()


def cell_shape(value: str) -> str:
    """One cell's shape: ``na``, ``int``, ``number``, ``identifier``, ``date`` or ``text``."""
    v = _fold(value)
    low = v.lower()
    if low in NA_MARKS:
        return "na"
    if _INTEGER.fullmatch(v):
        digits = v.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            return "identifier"  # 007812: leading zeros are an id's, never a number's
        if len(digits) >= 7:
            return "date" if _DATE.fullmatch(v) else "identifier"
        return "int"
    if _NUMBER.fullmatch(v):
        return "number"
    if _SCI.fullmatch(v):
        return "identifier"  # a long serial number that a spreadsheet turned into a float
    if _DATE.fullmatch(v):
        return "date"
    if _CODE.fullmatch(v):
        return "identifier"
    return "text"


def _numeric(v: str) -> float | None:
    m = _NUMBER.fullmatch(_fold(v))
    if not m:
        return None
    try:
        return float(m.group(1))
    except ValueError:
        return None


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's sample cells are (counts by shape), and two derived verdicts."""

    n: int
    shapes: dict[str, int]
    is_sequence: bool  # consecutive integers, step 1
    sequence_start: int | None  # the first of them
    in_points_range: bool  # every number within ±POINTS_LIMIT
    name_like: bool  # no digits in (almost) any cell: names, not ids
    time_like: bool = False  # most cells read HH:MM(:SS)

    def share(self, *shapes: str) -> float:
        return sum(self.shapes.get(s, 0) for s in shapes) / self.n if self.n else 0.0


def profile_column(values: list[str | None]) -> ColumnProfile:
    vals = [str(v) for v in values if v is not None and str(v).strip()]
    shapes: dict[str, int] = {}
    for v in vals:
        shape = cell_shape(v)
        shapes[shape] = shapes.get(shape, 0) + 1
    ints = [int(_fold(v)) for v in vals if cell_shape(v) == "int"]
    is_seq = len(ints) == len(vals) and len(ints) >= 3 and all(b - a == 1 for a, b in zip(ints, ints[1:]))
    nums = [x for x in (_numeric(v) for v in vals) if x is not None]
    in_range = bool(nums) and all(abs(x) <= POINTS_LIMIT for x in nums)
    name_like = bool(vals) and sum(1 for v in vals if not _HAS_DIGIT.search(v)) >= 0.8 * len(vals)
    time_like = bool(vals) and sum(1 for v in vals if _TIME.fullmatch(_fold(v))) >= 0.5 * len(vals)
    return ColumnProfile(len(vals), shapes, is_seq, ints[0] if is_seq else None, in_range, name_like, time_like)


def _is_points(p: ColumnProfile) -> bool:
    """Score or deduction cells: numbers in a plausible points range, or N/A marks."""
    return p.n > 0 and p.share("int", "number", "na") >= 0.8 and p.share("int", "number") > 0 and p.in_points_range


def _is_row_number(header: str, p: ColumnProfile, strict: bool) -> bool:
    h = normalize_header(header)
    if h in ROW_NUMBER_HEADERS:
        return p.n == 0 or p.share("int") >= 0.8
    if not p.is_sequence or strict:
        return False
    if h in GENERIC_ID_HEADERS:  # 编号 1, 2, 3…: the export numbers its rows
        return p.sequence_start in (0, 1)
    return p.n >= 5  # without a telling header, a short run is not evidence enough


# Shapes a role's cells can take, for judging a header that only half
# matched a field (prefix, containment, close spelling).
_ROLE_SHAPES: dict[str, tuple[str, ...]] = {
    "date": ("date", "int", "number", "identifier"),  # Excel serials, 20260105
    "timestamp": ("date", "number", "int", "text"),  # 10:30 is text-shaped
    "datetime": ("date", "number", "int"),
    "score": ("int", "number", "na"),
    "number": ("int", "number"),
    "percent": ("int", "number", "text"),  # 99.5%
}
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


def _values_fit(role: str, p: ColumnProfile) -> bool:
    """Whether most of a column's cells could be values of ``role``."""
    shapes = _ROLE_SHAPES.get(role)
    if shapes is None or p.n == 0:
        return True
    return p.share(*shapes) >= 0.5 and not (role == "timestamp" and p.share("text") >= 0.5 and not p.time_like)


_RATING_WORDS = frozenset({"非常满意", "很满意", "满意", "比较满意", "基本满意", "一般", "不满意", "很不满意", "非常不满意",
                           "very satisfied", "satisfied", "neutral", "dissatisfied", "very dissatisfied"})


def _fit_share(role: str, values: list[str | None]) -> float:
    """The share of a column's cells that a field of ``role`` could hold
    (1.0 for roles that take anything)."""
    vals = [_fold(str(v)) for v in values if v is not None and str(v).strip()]
    if not vals:
        return 1.0
    if role == "rating":
        ok = sum(1 for v in vals if v.lower() in _RATING_WORDS
                 or ((x := _numeric(v)) is not None and 0 <= x <= 5))
    elif role in ("score", "percent"):
        ok = sum(1 for v in vals if (x := _numeric(v.rstrip("%"))) is not None and 0 <= x <= 100)
    elif role in ("date", "datetime"):
        ok = sum(1 for v in vals if cell_shape(v) in ("date", "int", "number"))
    else:
        return 1.0
    return ok / len(vals)


def _has_word(header: str, words: tuple[str, ...]) -> bool:
    h = normalize_header(header)
    return any(w in h for w in words)


def is_total_cell(cell: str | None) -> bool:
    """A totals label (合计, 平均, Total:...), spaces and colons aside."""
    if cell is None:
        return False
    return re.sub(r"[\s:：]", "", _fold(str(cell))).lower() in TOTAL_ROW_WORDS


# Note, signature and footer lines: one cell that starts with one of these
# (注：本表由质检系统自动生成…, 制表：张三  审核：李四, 导出时间：…), the rest of
# the row empty.  Page footers and record counts (第 2 页, 共 50 条) too.
NOTE_PREFIXES = ("注", "备注", "说明", "附注", "提示", "温馨提示", "制表", "制单", "审核", "审批", "复核", "签字",
                 "签名", "签章", "盖章", "负责人", "填报", "填表", "报送", "导出", "生成", "打印", "统计时间",
                 "统计日期", "统计口径", "统计周期", "数据来源", "数据截止", "截止", "来源", "以上", "本表", "※", "*",
                 "note", "notes", "remark", "source", "generated", "exported", "export time", "printed", "prepared by",
                 "approved by", "disclaimer")
_NOTE = re.compile(
    r"^\s*(" + "|".join(re.escape(p) for p in sorted(NOTE_PREFIXES, key=len, reverse=True)) + r")"
    r"|^\s*(第\s*\d+\s*页|共\s*\d+\s*(条|页|行|项)|page\s+\d+|\d+\s*/\s*\d+\s*页)",
    re.IGNORECASE,
)
NOTE_PATTERN = _NOTE.pattern  # the same rule, for the SQL that skips these rows


def is_note_cell(cell: str | None) -> bool:
    """A note, signature or footer text (the caller checks the rest of its row is empty)."""
    if cell is None:
        return False
    return bool(_NOTE.match(_fold(str(cell))))


def data_sample(layout: HeaderLayout, rows: list[list[str | None]]) -> list[list[str | None]]:
    """The rows that hold data, for judging columns by their values: blank,
    totals, note and repeated header rows are left out, as the import skips them."""
    out = []
    header = [n.strip() if isinstance(n, str) else n for n in layout.names]
    for r in rows:
        cells = [c for c in r if c is not None and str(c).strip()]
        if not cells:
            continue
        if len(cells) == 1 and is_note_cell(cells[0]):
            continue
        if any(is_total_cell(c) for c in r[:4]):
            continue
        if [c.strip() if isinstance(c, str) else c for c in r[: len(header)]] == header:
            continue
        out.append(r)
    return out


def map_columns(
    layout: HeaderLayout,
    sample: list[list[str | None]],
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
    context: str = "",
) -> ColumnMapping:
    """Map the header's columns to the fields of ``kind`` (detected when None).

    The rules, in order (a column takes the first that applies):

    1. ``overrides`` (header text -> field name, ``item`` or ``ignore``) win.
    2. A header that names a field *is* that field, wherever a group header
       puts it: 致命差错 and 总分 under a merged 扣分项 are fields.  Under an
       item group only an exact name counts (an item called 时间管理 is not
       a time); elsewhere prefix, containment and close spelling count too.
    3. Then the values decide: consecutive integers are a row number
       (ignored); long digit strings and letter-digit codes are identifiers
       (the contact id when the header says 流水号/编号/录音/通话/会话/工单,
       else ignored and listed); numbers in a plausible points range or N/A
       marks under an item group, or beside monitoring fields, are QA items;
       anything else (text, dates, other numbers) is ignored and listed —
       never silently an item.
    4. Identity is never guessed from a name: an agent-name column does not
       stand in for a missing agent id (``plan_import`` refuses the file).

    ``sample`` are data rows (blank, totals and note rows are left out here).
    """
    names = layout.names
    overrides = {normalize_header(k): v for k, v in (overrides or {}).items()}
    if kind is None:
        kind = detect_kind(names, context, layout.groups)
        if kind is None:
            raise MappingError(UNKNOWN_KIND, headers=", ".join(n for n in names if n)[:300])
    kind_def = KINDS[kind]
    fields_of = CONCEPT_FIELDS[kind]
    kind_fields = set(kind_def.field_names)
    rows = data_sample(layout, sample)
    profiles = {j: profile_column([r[j] if j < len(r) else None for r in rows])
                for j, n in enumerate(names) if n is not None}
    fields: dict[str, int] = {}
    items: dict[str, tuple[int, str | None]] = {}
    reasons: dict[str, dict[str, Any]] = {}
    warnings: list[dict[str, Any]] = []
    forced: set[int] = set()

    def ignore(j: int, code: Code, **params: Any) -> None:
        reasons[names[j]] = {"code": code.name, "params": params}  # type: ignore[index]

    def add_item(j: int) -> None:
        name = names[j]
        key = name if name not in items else f"{layout.groups[j] or ''}/{name}".lstrip("/")  # type: ignore[operator]
        n = 2
        while key in items:
            key, n = f"{name} ({n})", n + 1
        items[key] = (j, layout.groups[j])  # type: ignore[index]

    for j, name in enumerate(names):
        if name is None:
            continue
        ov = overrides.get(normalize_header(name))
        if ov is None:
            continue
        forced.add(j)
        if ov == "ignore":
            ignore(j, IGNORED_BY_USER)
        elif ov == "item":
            add_item(j)
        elif ov in kind_fields:
            fields[ov] = j
        else:
            raise MappingError(MAP_NOT_IN_KIND, header=name, target=ov, kind=kind, kind_zh=kind_def.label("zh"),
                               fields=", ".join(sorted(kind_fields)))
    grouped = {j for j, g in enumerate(layout.groups) if g and _is_group(g) and kind == "monitoring"}
    candidates: list[tuple[float, int, str]] = []
    not_in_kind: dict[int, str] = {}
    for j, name in enumerate(names):
        if name is None or j in forced:
            continue
        concept, score = match_concept(name)
        if not concept or score < 0.5:
            continue
        if j in grouped and score < 1.0:
            continue  # under an item group only a header that *is* a field's name counts
        if concept not in fields_of:
            not_in_kind[j] = concept
            continue
        p = profiles[j]
        if _is_row_number(name, p, strict=score >= 1.0 and normalize_header(name) not in GENERIC_ID_HEADERS):
            continue  # an "编号" of 1, 2, 3…: the export numbers its rows
        fname = fields_of[concept]
        if score < 1.0 and not _values_fit(kind_def.field(fname).role, p):
            continue  # "response_time" of "Within SLA": the header half-matched, the values say no
        # two columns for one field (a 0-10 csat_score beside a 1-5 rating): the
        # one whose values fit the field wins the tie
        fit = _fit_share(kind_def.field(fname).role, [r[j] if j < len(r) else None for r in rows])
        candidates.append((score + 0.1 * fit, -j, fname))
    taken: set[int] = set(forced)
    for _score, neg_j, fname in sorted(candidates, reverse=True):
        j = -neg_j
        if j in taken:
            continue
        if fname in fields:
            used = names[fields[fname]]
            f = kind_def.field(fname)
            ignore(j, IGNORED_DUPLICATE, field=f.label("en"), field_zh=f.label("zh"), used=used)
            taken.add(j)
            continue
        fields[fname] = j
        taken.add(j)
    _settle_agent_columns(kind_def, names, profiles, fields, forced, warnings, reasons)
    for j, name in enumerate(names):
        if name is None or j in taken or name in reasons:
            continue
        p = profiles[j]
        if p.n == 0:
            if j in grouped:
                add_item(j)  # an item nobody lost points on in this export
            else:
                ignore(j, IGNORED_EMPTY)
            continue
        if _is_row_number(name, p, strict=False):
            ignore(j, IGNORED_ROW_NUMBER)
        elif p.share("identifier") >= 0.8:
            if ("contact_id" in kind_fields and "contact_id" not in fields and _has_word(name, CONTACT_WORDS)
                    and not _has_word(name, PHONE_WORDS)):
                fields["contact_id"] = j
            else:
                ignore(j, IGNORED_IDENTIFIER)
        elif j in not_in_kind and not (kind == "monitoring" and _is_points(p) and match_concept(name)[1] < 1.0):
            c = not_in_kind[j]
            ignore(j, IGNORED_NOT_IN_KIND, concept=CONCEPT_BY_NAME[c].label("en"),
                   concept_zh=CONCEPT_BY_NAME[c].label("zh"), kind=kind, kind_zh=kind_def.label("zh"))
        elif kind == "monitoring" and j in grouped:
            # Under an item group: an item unless its cells are plainly not points.
            if p.share("text", "date") >= 0.8:
                ignore(j, IGNORED_TEXT)
            else:
                add_item(j)
        elif kind == "monitoring" and _is_points(p) and not _has_word(name, NOT_ITEM_WORDS):
            add_item(j)
        elif p.share("date") >= 0.8:
            ignore(j, IGNORED_DATE)
        elif p.share("int", "number", "na") >= 0.8:
            ignore(j, IGNORED_NUMBER)
        else:
            ignore(j, IGNORED_TEXT)
    ignored = [n for n in names if n is not None and n in reasons]
    return ColumnMapping(kind=kind, fields=fields, items=items, ignored=ignored, headers=list(names),
                         reasons=reasons, warnings=warnings)


def _settle_agent_columns(kind: Kind, names: list[str | None], profiles: dict[int, ColumnProfile],
                          fields: dict[str, int], forced: set[int], warnings: list[dict[str, Any]],
                          reasons: dict[str, dict[str, Any]]) -> None:
    """Who the agent is: an id column, never a name column standing in for one.

    A header that says only "the agent" (坐席, Agent) is the id when its cells
    hold ids and the name when they hold names and an id column exists; when
    it is the only agent column and holds names, it stays the id and the
    report warns that agents are known by name only (two people called 张伟
    would be one).  The same warning when any agent id column holds names.
    """
    j = fields.get("agent_id")
    if j is None:
        return
    header = names[j] or ""
    p = profiles.get(j)
    if p is None or not p.name_like:
        return
    if j not in forced and normalize_header(header) in AMBIGUOUS_AGENT_HEADERS:
        others = [k for k, n in enumerate(names)
                  if n and k != j and k not in fields.values() and match_concept(n)[0] == "agent_id"
                  and not profiles[k].name_like]
        if others:
            fields["agent_id"] = others[0]
            reasons.pop(names[others[0]] or "", None)
            if "agent_name" not in fields and "agent_name" in kind.field_names:
                fields["agent_name"] = j
            else:
                f = kind.field("agent_name")
                reasons[header] = {"code": IGNORED_DUPLICATE.name,
                                   "params": {"field": f.label("en"), "field_zh": f.label("zh"),
                                              "used": names[fields["agent_name"]]}}
            return
    warnings.append({"code": AGENT_IDS_ARE_NAMES.name, "params": {"header": header}})
