"""Every user-facing string of the dashboard, in zh-CN and English.

Why a table: the UI must be complete in both languages; a test asserts that
every key has both, and pages never hold literal text.
"""

from __future__ import annotations

import streamlit as st

LANGS = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "热线服务质量分析", "en": "Hotline Service Quality"},
    "language": {"zh": "语言", "en": "Language"},
    "page_data": {"zh": "数据概况", "en": "Data status"},
    "data_title": {"zh": "数据库中的数据", "en": "What is in the database"},
    "demo_banner": {
        "zh": "当前显示的是演示数据（虚构的中心）。导入真实数据后可清除演示数据。",
        "en": "You are looking at demo data (a fictional center). Import real data, then clear the demo data.",
    },
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
    "db_error": {
        "zh": "无法打开数据库：{error}",
        "en": "Cannot open the database: {error}",
    },
}


def lang() -> str:
    """The current language: the URL's ``lang`` parameter, else Chinese."""
    value = st.query_params.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, **fmt: object) -> str:
    """The string ``key`` in the current language."""
    text = STRINGS[key][lang()]
    return text.format(**fmt) if fmt else text


def language_switch() -> None:
    """Sidebar language switch, kept in the URL so a copied link keeps it."""
    current = lang()
    choice = st.sidebar.radio(
        t("language"), list(LANGS), index=list(LANGS).index(current),
        format_func=lambda k: LANGS[k], horizontal=True, key="lang_switch",
    )
    if choice != current:
        st.query_params["lang"] = choice
        st.rerun()
