"""Every user-facing string of the dashboard, in zh-CN and English.

Why a table: the UI must be complete in both languages; a test asserts that
every key has both, and pages never hold literal text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from qa_analytics.core import codes as _codes

LANGS = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "热线服务质量分析", "en": "Hotline Service Quality"},
    "language": {"zh": "语言", "en": "Language"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_drilldown": {"zh": "逐级下钻", "en": "Drill-down"},
    "page_eval_types": {"zh": "评价类型对比", "en": "Evaluation types"},
    "page_control": {"zh": "控制图", "en": "Control charts"},
    "page_indicators": {"zh": "指标体系", "en": "Indicator system"},
    "page_evaluators": {"zh": "质检员分析", "en": "Evaluators"},
    "page_compliance": {"zh": "频次合规日历", "en": "Compliance calendar"},
    "page_data": {"zh": "数据概况", "en": "Data status"},
    "data_title": {"zh": "数据库中的数据", "en": "What is in the database"},
    "demo_banner": {
        "zh": "当前显示的是演示数据（虚构的中心）。导入真实数据后可清除演示数据。",
        "en": "You are looking at demo data (a fictional center). Import real data, then clear the demo data.",
    },
    "demo_badge": {"zh": "演示数据：虚构的中心，可在“数据概况”页清除。", "en": "Demo data: a fictional center; clear it on the Data status page."},
    "clear_demo": {"zh": "清除演示数据", "en": "Clear demo data"},
    "demo_cleared": {"zh": "已清除 {n} 个演示批次。", "en": "Cleared {n} demo batches."},
    "empty_db": {
        "zh": "数据库为空。请运行 `python -m qa_analytics demo` 生成演示数据，或用 `python -m qa_analytics import 文件` 导入导出表。",
        "en": "The database is empty. Run `python -m qa_analytics demo` for demo data, or import exports with `python -m qa_analytics import FILE`.",
    },
    "counts_by_kind": {"zh": "各类记录数", "en": "Records per kind"},
    "counts_by_month": {"zh": "各月记录数", "en": "Records per month"},
    "import_log": {"zh": "导入记录", "en": "Import log"},
    "no_batches": {"zh": "尚无导入记录。", "en": "No imports yet."},
    "col_kind": {"zh": "类型", "en": "Kind"},
    "col_records": {"zh": "记录数", "en": "Records"},
    "col_first": {"zh": "最早日期", "en": "First date"},
    "col_last": {"zh": "最晚日期", "en": "Last date"},
    "col_month": {"zh": "月份", "en": "Month"},
    "col_batch": {"zh": "批次", "en": "Batch"},
    "col_file": {"zh": "文件", "en": "File"},
    "col_imported_at": {"zh": "导入时间", "en": "Imported at"},
    "col_by": {"zh": "导入人", "en": "By"},
    "col_read": {"zh": "读取", "en": "Read"},
    "col_new": {"zh": "新增", "en": "New"},
    "col_updated": {"zh": "更新", "en": "Updated"},
    "col_duplicate": {"zh": "重复", "en": "Duplicate"},
    "col_rejected": {"zh": "拒绝", "en": "Rejected"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_source": {"zh": "来源", "en": "Source"},
    "kind_monitoring": {"zh": "录音质检", "en": "QA monitoring"},
    "kind_call_test": {"zh": "拨测", "en": "Call tests"},
    "kind_survey": {"zh": "满意度调查", "en": "Satisfaction surveys"},
    "kind_roster": {"zh": "人员名册", "en": "Roster"},
    "kind_system_check": {"zh": "系统检查", "en": "System checks"},
    "status_active": {"zh": "有效", "en": "active"},
    "status_undone": {"zh": "已撤销", "en": "undone"},
    "source_import": {"zh": "导入", "en": "import"},
    "source_demo": {"zh": "演示", "en": "demo"},
    "page_import": {"zh": "数据导入", "en": "Import"},
    "import_title": {"zh": "导入导出表", "en": "Import exports"},
    "import_help": {
        "zh": "上传质检、拨测、满意度、人员名册或系统检查的导出表（.xlsx、.xls、.csv，可多选）。系统会识别类型和表头，先检查再导入；每个文件要么全部导入，要么都不导入。",
        "en": "Upload monitoring, call-test, survey, roster or system-check exports (.xlsx, .xls, .csv; several at once). The kind and headers are detected and checked before anything is written; each file is imported whole or not at all.",
    },
    "upload": {"zh": "选择文件", "en": "Choose files"},
    "kind": {"zh": "数据类型", "en": "Kind of data"},
    "auto_detect": {"zh": "自动识别", "en": "Detect automatically"},
    "auto_detected": {"zh": "自动识别：{kind}", "en": "Detected: {kind}"},
    "sheet_header_at": {"zh": "工作表“{sheet}”，表头在第 {row} 行", "en": "Sheet “{sheet}”, header on row {row}"},
    "col_header": {"zh": "表头", "en": "Header"},
    "col_field": {"zh": "对应字段", "en": "Field"},
    "preview": {"zh": "预览前 10 行", "en": "Preview of the first 10 rows"},
    "rows_all_invalid": {
        "zh": "全部 {total} 行都有问题：很可能是某一列对应错了。请在上面的对应表中改正（见下方提示），不要“只导入有效行”。",
        "en": "All {total} rows have problems: a column is probably mapped to the wrong field. Correct it in the grid above (see the hint below); importing only the valid rows would import nothing.",
    },
    "rows_invalid": {
        "zh": "{total} 行中有 {n} 行有问题。修正文件后重新上传，或只导入有效行（问题行可下载）。",
        "en": "{n} of {total} rows have problems. Fix the file and upload it again, or import only the valid rows (the rejected ones can be downloaded).",
    },
    "file_rejected": {"zh": "无法导入：{reason}", "en": "Cannot import: {reason}"},
    "btn_import": {"zh": "导入", "en": "Import"},
    "db_unavailable": {"zh": "暂时无法读取数据库：{reason}", "en": "The database cannot be read right now: {reason}"},
    "btn_retry": {"zh": "重试", "en": "Try again"},
    "col_rows": {"zh": "行数", "en": "Rows"},
    "col_problem_grouped": {"zh": "问题（按列汇总）", "en": "Problem, by column"},
    "col_first_row": {"zh": "首次出现于第几行", "en": "First row"},
    "col_sample": {"zh": "示例值", "en": "Sample value"},
    "col_note": {"zh": "说明", "en": "Note"},
    "not_mapped": {"zh": "未导入", "en": "not imported"},
    "target_item": {"zh": "质检项（扣分项）", "en": "QA item (deduction)"},
    "target_ignore": {"zh": "忽略此列", "en": "ignore this column"},
    "columns_not_mapped": {"zh": "有 {n} 列未对应到任何字段（表中标 ⚠ 的行）；如有误，请在“对应字段”中改正。",
                           "en": "{n} columns are not mapped to any field (the rows marked ⚠); correct the Field where that is wrong."},
    "saved_mapping_applied": {"zh": "已套用此版式的已保存映射 #{id}（{label}）。", "en": "The saved mapping #{id} ({label}) of this layout was applied."},
    "mapping_saved_as": {"zh": "此版式的映射已保存为 #{id}，下次同样的导出表会自动套用。", "en": "This layout's mapping is saved as #{id}; the next export of this layout arrives mapped."},
    "all_problems": {"zh": "全部 {n} 个问题", "en": "All {n} problems"},
    "saved_mappings": {"zh": "已保存的映射", "en": "Saved mappings"},
    "no_saved_mappings": {"zh": "尚无已保存的映射：导入一次后，该版式的映射会被保存。", "en": "No saved mappings yet: importing a file saves its layout's mapping."},
    "col_mapping": {"zh": "映射", "en": "Mapping"},
    "col_label": {"zh": "名称", "en": "Label"},
    "col_columns_mapped": {"zh": "已对应列数", "en": "Columns mapped"},
    "col_used": {"zh": "使用次数", "en": "Times used"},
    "col_last_used": {"zh": "最近使用", "en": "Last used"},
    "edit_mapping": {"zh": "编辑映射", "en": "Edit a mapping"},
    "btn_save_mapping": {"zh": "保存映射", "en": "Save the mapping"},
    "btn_delete_mapping": {"zh": "删除映射", "en": "Delete the mapping"},
    "mapping_updated": {"zh": "映射 #{id} 已保存。", "en": "Mapping #{id} saved."},
    "mapping_deleted": {"zh": "映射 #{id} 已删除。", "en": "Mapping #{id} deleted."},
    "btn_import_valid": {"zh": "只导入有效行", "en": "Import valid rows only"},
    "importing": {"zh": "正在导入…", "en": "Importing…"},
    "stage_read": {"zh": "读取文件…", "en": "Reading the file…"},
    "stage_map": {"zh": "识别表头…", "en": "Mapping headers…"},
    "stage_validate": {"zh": "校验数据…", "en": "Validating…"},
    "stage_store": {"zh": "写入数据库…", "en": "Storing…"},
    "stage_done": {"zh": "完成", "en": "Done"},
    "imported_ok": {
        "zh": "已导入（批次 {batch}）：新增 {new}，更新 {updated}，重复 {dup}，拒绝 {rejected}。",
        "en": "Imported (batch {batch}): {new} new, {updated} updated, {dup} already there, {rejected} rejected.",
    },
    "download_rejects": {"zh": "下载被拒绝的行", "en": "Download the rejected rows"},
    "undo_batch": {"zh": "撤销哪个批次", "en": "Batch to undo"},
    "btn_undo": {"zh": "撤销", "en": "Undo"},
    "undone": {
        "zh": "已撤销批次 {batch}：删除 {removed} 条，恢复 {restored} 条。",
        "en": "Undid batch {batch}: {removed} records removed, {restored} restored.",
    },
    "undo_refused": {"zh": "不能撤销：{reason}", "en": "Cannot undo: {reason}"},
    "col_sheet": {"zh": "工作表", "en": "Sheet"},
    "col_row": {"zh": "行号", "en": "Row"},
    "col_column": {"zh": "列", "en": "Column"},
    "col_value": {"zh": "值", "en": "Value"},
    "col_problem": {"zh": "问题", "en": "Problem"},
    "filters": {"zh": "筛选", "en": "Filters"},
    "period": {"zh": "时间段", "en": "Period"},
    "date_range": {"zh": "起止日期", "en": "From – to"},
    "preset_last_month": {"zh": "最近一个月", "en": "Last month"},
    "preset_last_3_months": {"zh": "最近 3 个月", "en": "Last 3 months"},
    "preset_last_6_months": {"zh": "最近 6 个月", "en": "Last 6 months"},
    "preset_last_12_months": {"zh": "最近 12 个月", "en": "Last 12 months"},
    "preset_last_half_year": {"zh": "本半年度", "en": "This half-year"},
    "preset_all": {"zh": "全部", "en": "All data"},
    "preset_custom": {"zh": "自定义…", "en": "Custom…"},
    "grain": {"zh": "时间粒度", "en": "Grain"},
    "grain_day": {"zh": "日", "en": "Day"},
    "grain_week": {"zh": "周", "en": "Week"},
    "grain_month": {"zh": "月", "en": "Month"},
    "grain_quarter": {"zh": "季度", "en": "Quarter"},
    "grain_half_year": {"zh": "半年", "en": "Half-year"},
    "team": {"zh": "班组", "en": "Team"},
    "eval_type": {"zh": "评价类型", "en": "Evaluation type"},
    "channel": {"zh": "渠道", "en": "Channel"},
    "present_enter": {"zh": "进入演示模式", "en": "Presentation mode"},
    "present_exit": {"zh": "退出演示", "en": "Exit"},
    "mask_names": {"zh": "隐藏坐席姓名", "en": "Mask agents' names"},
    "masked_agent": {"zh": "坐席 #{code}", "en": "Agent #{code}"},
    "previous": {"zh": "上一页", "en": "Previous"},
    "next": {"zh": "下一页", "en": "Next"},
    # the grammar of lists, asides and dates, so that pages never pick punctuation by language
    "list_sep": {"zh": "、", "en": ", "},
    "fact": {"zh": "{label}：{value}", "en": "{label}: {value}"},
    "sentences": {"zh": "{first}{then}", "en": "{first} {then}"},
    "clause_sep": {"zh": "；", "en": "; "},
    "aside": {"zh": "{text}（{aside}）", "en": "{text} ({aside})"},
    "tick_month_year": {"zh": "%Y年%-m月", "en": "%b %Y"},
    "tick_month_short": {"zh": "{m}月", "en": "{mon}"},
    "tick_month_short_year": {"zh": "{yy}年{m}月", "en": "{mon} {yy}"},
    "db_error": {
        "zh": "无法打开数据库：{error}",
        "en": "Cannot open the database: {error}",
    },
}


def _merge_page_strings() -> None:
    """Fold the per-page tables of ``ui/strings/`` into :data:`STRINGS`."""
    import importlib
    import pkgutil

    import ui.strings as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        table = importlib.import_module(f"ui.strings.{mod.name}").STRINGS
        clash = set(table) & set(STRINGS)
        if clash:
            raise KeyError(f"ui/strings/{mod.name}.py redefines {sorted(clash)}")
        STRINGS.update(table)


_merge_page_strings()

# Words for the values of a vocabulary, as literal keys a test can find (tests/test_i18n.py).
#: record kind -> its words' key
KIND_KEY: dict[str, str] = {
    "monitoring": "kind_monitoring",
    "call_test": "kind_call_test",
    "survey": "kind_survey",
    "roster": "kind_roster",
    "system_check": "kind_system_check",
}
#: an import batch's status -> key
BATCH_STATUS_KEY: dict[str, str] = {"active": "status_active", "undone": "status_undone"}
#: where a batch came from -> key
SOURCE_KEY: dict[str, str] = {"import": "source_import", "demo": "source_demo"}
#: period grain -> key
GRAIN_KEY: dict[str, str] = {
    "day": "grain_day",
    "week": "grain_week",
    "month": "grain_month",
    "quarter": "grain_quarter",
    "half_year": "grain_half_year",
}
#: date-range preset -> key
PRESET_KEY: dict[str, str] = {
    "last_month": "preset_last_month",
    "last_3_months": "preset_last_3_months",
    "last_6_months": "preset_last_6_months",
    "last_12_months": "preset_last_12_months",
    "last_half_year": "preset_last_half_year",
    "all": "preset_all",
    "custom": "preset_custom",
}
#: import progress stage -> key
STAGE_KEY: dict[str, str] = {
    "read": "stage_read",
    "map": "stage_map",
    "validate": "stage_validate",
    "store": "stage_store",
    "done": "stage_done",
}


def lang() -> str:
    """The current language.

    Within a session the language switch decides (its widget state is set
    before the script runs, so the whole run, titles included, follows it);
    a new session takes the URL's ``lang`` (a copied link), else the one this
    session chose last (page navigation clears the URL), else Chinese.  The
    choice is written back to the URL so a copied link keeps it.
    """
    value = st.session_state.get("lang_switch")
    if value not in LANGS:
        value = st.query_params.get("lang")
        if value not in LANGS:
            value = st.session_state.get("_lang", DEFAULT_LANG)
    st.session_state["_lang"] = value
    if st.query_params.get("lang") != value:
        st.query_params["lang"] = value
    return value


def t(key: str, **fmt: object) -> str:
    """The string ``key`` in the current language."""
    text = STRINGS[key][lang()]
    return text.format(**fmt) if fmt else text


def language_switch() -> None:
    """Sidebar language switch (中文 / English); see :func:`lang`."""
    current = lang()
    st.sidebar.radio(
        t("language"), list(LANGS), index=list(LANGS).index(current),
        format_func=LANGS.__getitem__, horizontal=True, key="lang_switch",
    )


def kind_label(kind: str) -> str:
    """The record kind in the current language."""
    return t(KIND_KEY[kind]) if kind in KIND_KEY else kind


def say(x: Any) -> str:
    """Anything the library returns for a person to read (a code's phrase, a
    rule, a metric, a period, a model's name), in the current language: the
    one place a language is chosen for the library's words."""
    return _codes.say(x, lang())


def says(xs: Iterable[Any]) -> list[str]:
    """:func:`say` for each of a column's values."""
    language = lang()
    return [_codes.say(x, language) for x in xs]


def join(items: Iterable[object], clauses: bool = False) -> str:
    """Items joined as the current language lists them (、 or , ; ； or ;)."""
    return t("clause_sep" if clauses else "list_sep").join(str(i) for i in items)


def month_tick(d: Any, with_year: bool = False) -> str:
    """A compact month label for an axis: 3月 / Mar, 26年3月 / Mar 26."""
    import pandas as pd

    ts = pd.Timestamp(d)
    key = "tick_month_short_year" if with_year else "tick_month_short"
    return t(key, m=ts.month, mon=ts.strftime("%b"), yy=f"{ts.year % 100:02d}")
