"""Validate and normalise the mapped rows, in DuckDB SQL.

Why SQL: a 100,000-row export with 11 item columns is ~2 million cells; a
Python loop over them would cost more than reading the file.  Each rule
below is a SQL macro applied to whole columns, and each failed rule leaves
an error code beside the row, so validation and normalisation are one pass.

The rules (one place for all of them):

* ids: full-width digits and letters folded to ASCII, spaces trimmed,
  ``7812.0`` (a number-typed cell) read back as ``7812``; leading zeros kept.
* dates: Excel dates, Excel serial numbers, ``2026/1/5``, ``2026-01-05``,
  ``2026年1月6日``, ``20260107``, ``2026.1.5``, US ``10/29/2020 0:00``,
  datetime strings; impossible dates (2026-02-30) and dates outside
  2000-01-01 .. today + 1 year are errors.
* scores: ``95分``, ``95.5``, ``95 points``; outside 0–100 is an error.
* booleans: 是/否, Y/N, yes/no, true/false, 合格/不合格, 通过/未通过, √/×, 1/0, 有/无.
* survey ratings keep the text as given and add ``rating_score`` (1–5) and
  ``satisfaction`` (satisfied / neutral / dissatisfied): 非常满意/很满意/满意/
  比较满意 and English ⇒ satisfied; 一般/基本满意 ⇒ neutral; 不满意/很不满意 ⇒
  dissatisfied; on the 5-point scale 4–5, 3, 1–2.  0 or blank = no rating.
* text cells are data, never formulas: stored as given (``=SUM(A1)`` stays
  that text); writers of workbooks and CSV escape them (``qa_analytics.export``).
"""

from __future__ import annotations

import datetime as dt
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..core.codes import define, render
from ..core.scores import PASS_MARK
from ..store.schema import HASHED_WHEN_PRESENT, KINDS, Kind, hash_fields
from .mapping import NOTE_PATTERN, TOTAL_ROW_WORDS, ColumnMapping

__all__ = ["StageResult", "stage_rows", "drop_staging", "install_macros", "SATISFIED_WORDS"]

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
_FOLD_TABLE = str.maketrans(_FULL, _HALF)  # qa_fold, in Python

SATISFIED_WORDS = ("非常满意", "很满意", "十分满意", "满意", "比较满意", "较满意", "very satisfied",
                   "satisfied", "extremely satisfied", "good", "very good", "excellent", "好评")
NEUTRAL_WORDS = ("一般", "基本满意", "还行", "中评", "neutral", "average", "ok", "okay", "fair")
DISSATISFIED_WORDS = ("不满意", "很不满意", "非常不满意", "较不满意", "差评", "dissatisfied",
                      "very dissatisfied", "unsatisfied", "poor", "bad", "very poor")
TRUE_WORDS = ("是", "y", "yes", "true", "t", "1", "合格", "通过", "√", "✓", "✔", "有", "pass", "passed",
              "ok", "达标", "对")
FALSE_WORDS = ("否", "n", "no", "false", "f", "0", "不合格", "未通过", "不通过", "×", "✗", "✘", "x", "无",
               "fail", "failed", "未达标", "错")
NA_WORDS = ("n/a", "na", "不适用", "-", "/", "—", "--", "无需")
CHANNELS = {
    "voice": ("语音", "电话", "热线", "voice", "phone", "call", "callcenter", "call-center", "inbound",
              "outbound", "呼入", "呼出", "来电"),
    "sms": ("短信", "sms", "text", "message"),
    "chat": ("在线", "在线客服", "网聊", "文字客服", "webchat", "chat", "chatbot", "online", "web", "im"),
    "app": ("app", "手机app", "客户端", "移动端"),
    "email": ("邮件", "电子邮件", "email", "e-mail", "mail"),
    "wechat": ("微信", "wechat", "公众号"),
}
TESTER_TYPES = {
    "qa": ("质检", "qa", "质检员", "内部", "internal", "质检拨测", "qa test"),
    "leadership": ("领导", "中心领导", "管理层", "值班经理", "主任", "经理", "leader", "leadership",
                   "management", "manager"),
    "third_party": ("第三方", "神秘客户", "神秘顾客", "暗访", "外部", "third party", "third-party", "thirdparty",
                    "mystery", "mystery shopper", "external"),
}

# A call test without a pass/fail column passes at this score.
CALL_TEST_PASS_MARK = PASS_MARK  # without a pass/fail column, a score at or above it passed

# The cell rules' problems: a code per rule, its words in both languages.
MISSING = define("missing", en="required value is missing", zh="缺少必填值")
BAD_DATE = define("bad_date", en="not a valid date", zh="不是有效日期")
DATE_RANGE = define("date_range", en="date outside 2000-01-01 .. one year from today",
                    zh="日期超出 2000-01-01 至一年后的范围")
BAD_TIME = define("bad_time", en="not a valid time", zh="不是有效时间")
BAD_DATETIME = define("bad_datetime", en="not a valid date and time", zh="不是有效的日期时间")
BAD_NUMBER = define("bad_number", en="not a number", zh="不是数字")
SCORE_RANGE = define("score_range", en="score outside 0–100", zh="分数超出 0–100")
PCT_RANGE = define("pct_range", en="percentage outside 0–100", zh="百分比超出 0–100")
NEGATIVE = define("negative", en="must not be negative", zh="不能为负数")
TOO_LARGE = define("too_large", en="the number is too large", zh="数值过大")
BAD_BOOL = define("bad_bool", en="not a yes/no value", zh="不是“是/否”类的值")
BAD_RATING = define("bad_rating", en="not a recognised satisfaction rating (1–5 or 满意/一般/不满意...)",
                    zh="无法识别的满意度评价（1–5 或 满意/一般/不满意…）")
BAD_ITEM = define("bad_item", en="item points are not a number or N/A", zh="扣分项的值不是数字或“不适用”")
DUP_CONFLICT = define("dup_conflict", en="the same record id appears in row {row} with different values",
                      zh="同一记录编号在第 {row} 行出现过且内容不同")
DUP_LATER = define("dup_later", en="a later row has the same record id with different values",
                   zh="后面有一行记录编号相同但内容不同")


def _sql_list(words: tuple[str, ...]) -> str:
    """A SQL ``IN`` list of constant words (module constants, never user text).

    ``x IN ('a', 'b')`` is hashed once per query; ``list_contains([...], x)``
    builds the list per row and was 170x slower on a million cells.
    """
    return "(" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


# Macros named ``*_c`` take text already cleaned by ``qa_clean`` (the import
# cleans every cell once); for a raw cell, compose: ``qa_date_c(qa_clean(x))``.
# (Raw-cell wrappers were dropped: DuckDB expands nested macros when it
# creates one, and the twelve wrappers cost 0.18 s per new connection.)
def _macros() -> list[str]:
    full = _FULL.replace("'", "''")
    half = _HALF.replace("'", "''")
    channel_case = " ".join(f"WHEN k IN {_sql_list(words)} THEN '{name}'" for name, words in CHANNELS.items())
    tester_exact = " ".join(f"WHEN k IN {_sql_list(words)} THEN '{name}'" for name, words in TESTER_TYPES.items())
    tester_contains = " ".join(
        "WHEN " + " OR ".join(f"contains(k, '{w}')" for w in words if len(w) > 1) + f" THEN '{name}'"
        for name, words in TESTER_TYPES.items()
    )
    timestamp_formats = (
        "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%Y-%m-%d ', "
        "'%Y%m%d', '%m-%d-%Y %H:%M', '%m-%d-%Y %H:%M:%S', '%m-%d-%Y']"
    )
    return [
        # Only cells holding full-width ASCII (or the ideographic space) pay
        # for the fold, and only cells with tabs or line breaks for the
        # character-set trim: both are slow and rare.
        f"""CREATE OR REPLACE TEMP MACRO qa_fold(x) AS
            CASE WHEN regexp_matches(x, '[\\x{{FF01}}-\\x{{FF5E}}\\x{{3000}}]')
                 THEN translate(x, '{full}', '{half}') ELSE x END""",
        """CREATE OR REPLACE TEMP MACRO qa_trim(x) AS
            CASE WHEN contains(x, chr(9)) OR contains(x, chr(10)) OR contains(x, chr(13))
                 THEN trim(x, ' ' || chr(9) || chr(10) || chr(13)) ELSE trim(x) END""",
        "CREATE OR REPLACE TEMP MACRO qa_clean(x) AS nullif(qa_trim(qa_fold(CAST(x AS VARCHAR))), '')",
        r"""CREATE OR REPLACE TEMP MACRO qa_id_c(x) AS
            CASE WHEN ends_with(x, '.0') THEN regexp_replace(x, '^(\d+)\.0+$', '\1') ELSE x END""",
        r"""CREATE OR REPLACE TEMP MACRO qa_num_c(x) AS
            COALESCE(TRY_CAST(x AS DOUBLE),
                     TRY_CAST(regexp_replace(x, '\s*(分|points?|pts?|%)$', '', 'i') AS DOUBLE))""",
        rf"""CREATE OR REPLACE TEMP MACRO qa_ts_c(x) AS
            CASE
              WHEN x IS NULL THEN NULL
              WHEN regexp_full_match(x, '\d{{5}}(\.\d+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
              ELSE COALESCE(
                CASE WHEN regexp_full_match(x, '\d{{4}}-\d{{2}}-\d{{2}}( \d{{2}}:\d{{2}}(:\d{{2}}(\.\d+)?)?)?')
                     THEN TRY_CAST(x AS TIMESTAMP) END,
                try_strptime(
                  regexp_replace(
                    replace(replace(replace(replace(x, '年', '-'), '月', '-'), '日', ' '), 'T', ' '),
                    '[/.](\d)', '-\1', 'g'),
                  {timestamp_formats}))
            END""",
        "CREATE OR REPLACE TEMP MACRO qa_date_c(x) AS CAST(qa_ts_c(x) AS DATE)",
        # A time of day: a full timestamp, HH:MM(:SS), Excel's 1899-12-31
        # time-only cells, or a fraction of a day.
        r"""CREATE OR REPLACE TEMP MACRO qa_time_c(x) AS
            CASE
              WHEN regexp_full_match(x, '0?\.\d+|0')
                THEN to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
              WHEN regexp_full_match(x, '\d{1,2}:\d{2}(:\d{2})?')
                THEN to_microseconds(epoch_us(TRY_CAST(x AS TIME)))
              WHEN qa_ts_c(x) IS NOT NULL THEN qa_ts_c(x) - CAST(CAST(qa_ts_c(x) AS DATE) AS TIMESTAMP)
            END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_bool_c(x) AS
            CASE WHEN lower(x) IN {_sql_list(TRUE_WORDS)} THEN true
                 WHEN lower(x) IN {_sql_list(FALSE_WORDS)} THEN false END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_channel_key(k) AS
            CASE WHEN k IS NULL THEN NULL {channel_case} ELSE k END""",
        r"""CREATE OR REPLACE TEMP MACRO qa_channel_c(x) AS
            qa_channel_key(lower(regexp_replace(x, '\s+', '', 'g')))""",
        f"""CREATE OR REPLACE TEMP MACRO qa_tester_key(k) AS
            CASE WHEN k IS NULL THEN NULL {tester_exact} {tester_contains} ELSE k END""",
        "CREATE OR REPLACE TEMP MACRO qa_tester_type_c(x) AS qa_tester_key(lower(x))",
        r"""CREATE OR REPLACE TEMP MACRO qa_rating_score_c(x) AS
            CASE WHEN regexp_full_match(x, '[0-5](\.0+)?(分|星)?')
                 THEN nullif(CAST(left(x, 1) AS DOUBLE), 0) END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_satisfaction_c(x) AS
            CASE
              WHEN qa_rating_score_c(x) >= 4 THEN 'satisfied'
              WHEN qa_rating_score_c(x) = 3 THEN 'neutral'
              WHEN qa_rating_score_c(x) IS NOT NULL THEN 'dissatisfied'
              WHEN lower(x) IN {_sql_list(DISSATISFIED_WORDS)} THEN 'dissatisfied'
              WHEN lower(x) IN {_sql_list(NEUTRAL_WORDS)} THEN 'neutral'
              WHEN lower(x) IN {_sql_list(SATISFIED_WORDS)} THEN 'satisfied'
            END""",
        r"""CREATE OR REPLACE TEMP MACRO qa_rating_ok_c(x) AS
            x IS NULL OR regexp_full_match(x, '0(\.0+)?') OR qa_satisfaction_c(x) IS NOT NULL""",
        f"CREATE OR REPLACE TEMP MACRO qa_na_c(x) AS COALESCE(lower(x) IN {_sql_list(NA_WORDS)}, false)",
    ]


@functools.cache
def _macros_marker() -> str:
    import hashlib

    return "qa_macros_" + hashlib.sha1("\n".join(_macros()).encode()).hexdigest()[:12]


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cell-normalising macros on this connection, once.

    Creating the thirty macros took a tenth of a second, paid by every
    import; a temp marker table named after the macros' text says they are
    already there (and goes away with them if their transaction rolls back).
    """
    marker = _macros_marker()
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'temp' AND table_name = ?", [marker]
    ).fetchall()[0][0]
    if found:
        return
    for m in _macros():
        con.execute(m)
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {marker} (installed BOOLEAN)")


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what :func:`stage_rows` built (views first: they read the tables)."""
    for view in ("staged_items", "staged", "staged_rows"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute("DROP TABLE IF EXISTS item_names")
    for name in ("raw_in", "norm"):
        _unregister(con, name)


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Unregister an Arrow table if it is there.  Inside a transaction that
    a failed statement aborted this cannot be done; :func:`drop_staging`
    does it after the rollback."""
    try:
        con.unregister(name)
    except duckdb.Error:
        pass


@dataclass
class StageResult:
    """What staging found: the tables ``staged`` / ``staged_items`` hold the
    valid rows, ``errors`` the problems, one dict per (row, field)."""

    rows_read: int
    rows_valid: int
    rows_skipped: int  # blank, totals, note and repeated header rows
    skipped: dict[str, int]  # the same by reason: blank | total | header | note
    duplicates_in_file: int
    errors: list[dict]
    invalid_rows: list[int]  # Excel row numbers of rejected rows
    # item name -> the column of ``staged_rows`` holding its points (one per
    # item; None when two columns fold to one item name)
    wide_points: dict[str, str] | None = None


def _field_exprs(kind: Kind, mapping: ColumnMapping) -> tuple[list[str], list[tuple[str, str, str]]]:
    """SQL for each stored column, and the checks: (field, SQL for its error
    code or NULL, SQL for the value to show).

    A check reads the field's typed value by its name (computed once, in
    the layer below), so each cell is parsed once however many rules test it.
    """
    select: list[str] = []
    checks: list[tuple[str, str, str]] = []
    for f in kind.fields:
        j = mapping.fields.get(f.name)
        raw = f"c{j}" if j is not None else "NULL"  # the cleaned cell
        name, role = f.name, f.role
        err = None
        if role == "id":
            expr = f"qa_id_c({raw})"
        elif role == "text":
            # Free text (comments, names) is stored as the user wrote it:
            # no trimming, no full-width folding; a blank cell is no value.
            expr = f"CASE WHEN {raw} IS NOT NULL THEN r{j} END" if j is not None else "NULL::VARCHAR"
        elif role == "label":
            # A name that groups records (team, scenario, system): as written,
            # only the spaces around it trimmed, so "综合一组 " is "综合一组".
            expr = f"CASE WHEN {raw} IS NOT NULL THEN qa_trim(r{j}) END" if j is not None else "NULL::VARCHAR"
        elif role == "datetime":
            expr = f"qa_ts_c({raw})"
            err = f"CASE WHEN {raw} IS NOT NULL AND {name} IS NULL THEN 'bad_datetime' END"
        elif role == "date":
            expr = f"qa_date_c({raw})"
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND {name} IS NULL THEN 'bad_date' "
                f"WHEN {name} < DATE '2000-01-01' OR {name} > current_date + INTERVAL 366 DAY THEN 'date_range' END"
            )
        elif role == "timestamp":
            date_field = kind.date_field
            dj = mapping.fields.get(date_field) if date_field else None
            draw = f"c{dj}" if dj is not None else "NULL"
            expr = f"CAST(qa_date_c({draw}) AS TIMESTAMP) + qa_time_c({raw})"
            err = f"CASE WHEN {raw} IS NOT NULL AND qa_time_c({raw}) IS NULL THEN 'bad_time' END"
        elif role == "score":
            expr = f"qa_num_c({raw})"
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND {name} IS NULL THEN 'bad_number' "
                f"WHEN {name} < 0 OR {name} > 100 THEN 'score_range' END"
            )
        elif role == "percent":
            expr = (f"CASE WHEN qa_num_c({raw}) <= 1 AND NOT contains({raw}, '%') "
                    f"THEN qa_num_c({raw}) * 100 ELSE qa_num_c({raw}) END")
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND {name} IS NULL THEN 'bad_number' "
                f"WHEN {name} < 0 OR {name} > 100 THEN 'pct_range' END"
            )
        elif role == "number":
            # TRY_CAST: a count of 1e20 (or NaN) is a row error, not a crash.
            expr = f"TRY_CAST(round(qa_num_c({raw})) AS INTEGER)"
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND (qa_num_c({raw}) IS NULL OR NOT isfinite(qa_num_c({raw}))) "
                f"THEN 'bad_number' WHEN {raw} IS NOT NULL AND {name} IS NULL THEN 'too_large' "
                f"WHEN {name} < 0 THEN 'negative' END"
            )
        elif role == "bool":
            expr = f"qa_bool_c({raw})"
            if kind.name == "call_test" and f.name == "passed":
                # No pass/fail column: the center's pass mark applies.
                sj = mapping.fields.get("score")
                if sj is not None:
                    expr = f"COALESCE(qa_bool_c({raw}), qa_num_c(c{sj}) >= {float(CALL_TEST_PASS_MARK)!r})"
            err = f"CASE WHEN {raw} IS NOT NULL AND qa_bool_c({raw}) IS NULL THEN 'bad_bool' END"
        elif role == "rating":
            expr = f"{raw}"
            err = f"CASE WHEN NOT qa_rating_ok_c({raw}) THEN 'bad_rating' END"
        elif role == "channel":
            default = "'voice'" if kind.name == "monitoring" and j is None else "NULL"
            expr = f"COALESCE(qa_channel_c({raw}), {default})"
        elif role == "tester_type":
            expr = f"COALESCE(qa_tester_type_c({raw}), 'qa')"
        else:  # pragma: no cover - schema and normaliser out of step
            raise ValueError(f"no rule for role {role!r}")
        if f.required:
            # Survey rows are kept without a rating only when no rating is
            # given at all (an unanswered survey): the column must exist.
            if f.role != "rating":
                miss = f"CASE WHEN {raw} IS NULL THEN 'missing' END"
                err = f"COALESCE({miss}, {err})" if err else miss
        select.append(f"{expr} AS {name}")
        if err and (j is not None or f.required):
            checks.append((name, err, f"r{j}" if j is not None else "NULL"))
    return select, checks


def _derived_exprs(kind: Kind, mapping: ColumnMapping) -> list[str]:
    if kind.name == "survey":
        j = mapping.fields.get("rating")
        raw = f"c{j}" if j is not None else "NULL"
        return [f"qa_rating_score_c({raw}) AS rating_score", f"qa_satisfaction_c({raw}) AS satisfaction"]
    if kind.name == "call_test":
        j = mapping.fields.get("tester_type")
        raw = f"c{j}" if j is not None else "NULL"
        return [f"COALESCE(qa_tester_type_c({raw}), 'qa') = 'third_party' AS is_external"]
    return []


_WHITESPACE = " \t\n\r"
_FOLD_PATTERN = "[\uff01-\uff5e\u3000]"


def _clean_text_column(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, bool]:
    """``qa_clean`` done by Arrow kernels where it can be: the column trimmed
    of spaces, tabs and line breaks, and whether any cell needs the
    full-width fold (left to ``qa_clean`` in SQL, which then does it all).

    Why: a DuckDB regex per cell to find the rare full-width cell cost a
    fifth of an import; Arrow answers "is this column ASCII?" for a whole
    column at once, and only non-ASCII columns are searched.
    """
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    if col.null_count == len(col):
        return col, False
    ascii_only = pc.all(pc.string_is_ascii(col)).as_py() is not False
    if not ascii_only and pc.any(pc.match_substring_regex(col, _FOLD_PATTERN)).as_py():
        return col, True
    trim = pc.ascii_trim if ascii_only else pc.utf8_trim
    return trim(col, _WHITESPACE), False


def stage_rows(
    con: duckdb.DuckDBPyConnection,
    data: pa.Table,
    mapping: ColumnMapping,
    sheet_name: str,
    header_names: list[str | None],
    *,
    source_time: dt.datetime | None = None,
    lang: str = "en",
) -> StageResult:
    """Normalise and validate ``data`` (text columns c0..cN plus ``__row``,
    the Excel row number) into ``norm`` (an Arrow table registered on the
    connection) and the views ``staged`` and ``staged_items`` over it (what
    :func:`store.merge_staged` reads); :func:`drop_staging` removes them.

    Blank rows, totals rows (合计/平均/Total...) and repeated header rows are
    skipped.  Rows with any error are left out of ``staged`` and listed.

    One pass over the rows does the work: every used cell is cleaned once
    (trimmed by Arrow; full-width folded in SQL only in columns that have
    such a cell), typed, validated, keyed and hashed, and item points typed
    in their wide form; the items are unpivoted only as they are stored.
    Exports whose ids are missing or repeated pay for a second pass (window
    functions give natural keys and find in-file duplicates); most exports
    carry a unique id on every row and never do.  What bounds the memory of
    a 500,000-row import is ``norm``, the one table this builds, beside the
    sheet as read.
    """
    kind = KINDS[mapping.kind]
    install_macros(con)
    items = list(mapping.items.items())  # [(name, (column, group))]
    item_cols = [j for _, (j, _g) in items]
    field_cols = sorted(set(mapping.fields.values()))
    mapped_cols = sorted(set(field_cols) | set(item_cols)) or [0]
    first_cols = list(range(min(4, data.num_columns - 1)))
    used = sorted(set(mapped_cols) | set(first_cols))
    # 1. Every used cell cleaned (c<j>); the text of field cells as the user
    #    wrote it (r<j>) kept beside it for error messages.
    arrays: dict[str, pa.ChunkedArray] = {"__row": data.column("__row")}
    cleaned: list[str] = []
    raws = [data.column(f"c{j}") for j in used]
    # Arrow's kernels release the GIL: the columns are cleaned two at a time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_clean_text_column, raws))
    for j, raw, (col, fold) in zip(used, raws, results):
        arrays[f"r{j}"] = raw
        if fold:
            cleaned.append(f"qa_clean(r{j}) AS c{j}")
        else:
            arrays[f"c{j}"] = col
            cleaned.append(f"nullif(c{j}, '') AS c{j}")
    params: dict[str, object] = {"sheet": sheet_name}
    skip = _skip_sql(mapped_cols, first_cols, header_names, params)
    # 2. One pass, in layers so that each cell is parsed once: cleaned cells;
    #    typed fields and item points; error codes; then what is stored:
    #    the values, the record key, the row hash and, for the rare rows
    #    with a problem, the list of problems.
    select, checks = _field_exprs(kind, mapping)
    derived = _derived_exprs(kind, mapping)
    typed = select + derived + [f"qa_num_c(c{j}) AS p{k}" for k, (_n, (j, _g)) in enumerate(items)]
    codes = [f"{code} AS __e{i}" for i, (_f, code, _v) in enumerate(checks)]
    codes += [f"c{j} IS NOT NULL AND p{k} IS NULL AND qa_na_c(c{j}) AS __na{k}"
              for k, (_n, (j, _g)) in enumerate(items)]
    err_list = _problems_sql(checks, items)
    derived_names = [d.split(" AS ")[-1] for d in derived]
    value_cols = list(hash_fields(kind)) + derived_names
    # Joined by chr(31); concat_ws is a || b || ... in one call, so hashes
    # stay those of rows stored by earlier versions: each part is COALESCEd
    # (never NULL), except the fields added later, which concat_ws skips
    # while they are NULL.
    hash_parts = [f"COALESCE(CAST({c} AS VARCHAR), '∅')" for c in value_cols]
    if item_cols:
        # The row's items, by column order (stable for a given export layout).
        hash_parts.append("CAST(hash(" + ", ".join(f"c{j}" for j in item_cols) + ") AS VARCHAR)")
    hash_parts += [f"CAST({c} AS VARCHAR)" for c in kind.value_fields if c in HASHED_WHEN_PRESENT]
    params["source_time"] = source_time
    own_time = "modified_at, " if "modified_at" in kind.field_names else ""
    source_time_sql = f"COALESCE({own_time}CAST($source_time AS TIMESTAMP)) AS source_time"
    id_field = kind.id_field if kind.id_field and kind.id_field in mapping.fields else None
    point_cols = "".join(f", p{k}" for k in range(len(items)))
    stored_fields = [f.name for f in kind.fields] + derived_names
    # ``norm`` is held as Arrow, not as a temp table: DuckDB scans a
    # 100,000-row temp table (one row group) on one thread, and Arrow batches
    # in parallel; the merge that reads it ran twice as fast.
    con.register("raw_in", _in_batches(pa.table(arrays)))
    try:
        norm = con.sql(
            f"""WITH cln AS (SELECT __row, {", ".join(f"r{j}" for j in field_cols) or "NULL AS r_"},
                                    {", ".join(cleaned)} FROM raw_in),
                     typed AS (SELECT *, {", ".join(typed)} FROM cln),
                     coded AS (SELECT *{"".join(", " + c for c in codes)} FROM typed)
                SELECT {", ".join(stored_fields)}, __row, {err_list} AS __errors,
                       md5(concat_ws(chr(31), {", ".join(hash_parts)})) AS row_hash,
                       CAST($sheet AS VARCHAR) AS source_sheet, {source_time_sql}{point_cols}
                       {"".join(f", CASE WHEN __na{k} THEN c{j} END AS n{k}" for k, (_n, (j, _g)) in enumerate(items))},
                       {skip} AS __skip,
                       {"'id:' || " + id_field if id_field else "NULL::VARCHAR"} AS record_key
                FROM coded""",
            params=params,
        ).to_arrow_table()
    finally:
        _unregister(con, "raw_in")
    con.register("norm", _in_batches(norm))
    skipped_by = dict(con.execute(
        "SELECT __skip, count(*) FROM norm WHERE __skip IS NOT NULL GROUP BY __skip ORDER BY __skip"
    ).fetchall())
    skipped, missing_ids, repeated_ids, rows_read = con.execute(
        """SELECT count(*) FILTER (WHERE __skip IS NOT NULL),
                  count(*) FILTER (WHERE __skip IS NULL AND record_key IS NULL),
                  count(record_key) FILTER (WHERE __skip IS NULL)
                      - count(DISTINCT record_key) FILTER (WHERE __skip IS NULL),
                  count(*) FILTER (WHERE __skip IS NULL)
           FROM norm"""
    ).fetchall()[0]
    if missing_ids == 0 and repeated_ids == 0:
        # Every row has its own id: the key is the id, there are no in-file
        # duplicates, and a row is staged exactly when it has no error.
        dup_in_file = 0
        valid = "__skip IS NULL AND len(__errors) = 0"
    else:
        dup_in_file = _key_by_occurrence(con, kind)
        valid = "__occ = 1 AND record_key NOT IN (SELECT record_key FROM norm WHERE len(__errors) > 0)"
    err_rows = con.execute(
        "SELECT __row, unnest(__errors) AS e FROM norm WHERE __skip IS NULL AND len(__errors) > 0 ORDER BY __row"
    ).fetchall()
    # 3. The valid rows, and their items in long form (blank cells drop out;
    #    the raw text of an item is kept only where it says more than the
    #    points: N/A).  Views: the rows are read once, by the merge.
    stored = [c for c in _stored_columns(kind.name) if c not in ("created_batch", "batch_id")]
    sel = ", ".join("CAST(__row AS INTEGER) AS source_row" if c == "source_row" else c for c in stored)
    con.execute(f"CREATE OR REPLACE TEMP VIEW staged_rows AS SELECT * FROM norm WHERE {valid}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW staged AS SELECT {sel}, __row FROM staged_rows")
    con.execute("CREATE OR REPLACE TEMP TABLE item_names (k BIGINT, item VARCHAR, item_group VARCHAR)")
    if items:
        con.executemany(
            "INSERT INTO item_names VALUES (?, ?, ?)",
            [[k, normalize_item_name(n), g] for k, (n, (_j, g)) in enumerate(items)],
        )
        each = ", ".join
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW staged_items AS
                SELECT u.record_key, n.item, n.item_group, u.points, u.raw_value
                FROM (SELECT record_key, unnest(range({len(items)})) AS k,
                             unnest([{each(f"p{k}" for k in range(len(items)))}]) AS points,
                             unnest([{each(f"n{k}" for k in range(len(items)))}]) AS raw_value
                      FROM staged_rows) u
                JOIN item_names n USING (k)
                WHERE u.points IS NOT NULL OR u.raw_value IS NOT NULL"""
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW staged_items AS SELECT NULL::VARCHAR AS record_key, "
            "NULL::VARCHAR AS item, NULL::VARCHAR AS item_group, NULL::DOUBLE AS points, "
            "NULL::VARCHAR AS raw_value WHERE false"
        )
    rows_valid = (con.execute("SELECT count(*) FROM staged_rows").fetchall()[0][0]
                  if err_rows or dup_in_file else rows_read)
    item_names_by_index = [normalize_item_name(n) for n, _ in items]
    wide_points = ({name: f"p{k}" for k, name in enumerate(item_names_by_index)}
                   if len(set(item_names_by_index)) == len(item_names_by_index) else None)
    errors_out = []
    for row, err in err_rows:
        field = err["field"]
        if field.startswith("item#"):
            field = "item:" + item_names_by_index[int(field[5:])]
        params = {"row": err["value"]} if err["code"] == "dup_conflict" else {}
        errors_out.append({
            "sheet": sheet_name,
            "row": int(row),
            "field": field,
            "column": _column_label(field, mapping, header_names),
            "value": err["value"],
            "code": err["code"],
            "params": params,
            "message": render(err["code"], params, lang),
        })
    return StageResult(
        rows_read=int(rows_read),
        rows_valid=int(rows_valid),
        rows_skipped=int(skipped),
        skipped={str(k): int(v) for k, v in skipped_by.items()},
        wide_points=wide_points,
        duplicates_in_file=int(dup_in_file),
        errors=sorted(errors_out, key=lambda e: (e["row"], e["column"] or "")),
        invalid_rows=sorted({e["row"] for e in errors_out}),
    )


def _skip_sql(mapped_cols: list[int], first_cols: list[int], header_names: list[str | None],
              params: dict[str, object]) -> str:
    """SQL naming why a row is not data ('blank', 'total', 'header') or NULL;
    the header texts it compares with are added to ``params``."""
    all_null = " AND ".join(f"c{j} IS NULL" for j in mapped_cols)
    # Totals rows: a cell that is only 合计/平均/Total... (spaces and colons
    # aside).  The word lookup is a hash probe; the regex runs only on the
    # cells that hold a space or a colon.
    total_words = _sql_list(TOTAL_ROW_WORDS)
    spaced = " OR ".join(f"contains({{c}}, {s})" for s in ("' '", "':'", "'：'", "chr(9)", "chr(10)", "chr(12)",
                                                            "chr(13)"))
    is_total = " OR ".join(
        f"lower(c{j}) IN {total_words} OR (({spaced.format(c=f'c{j}')}) "
        f"AND lower(regexp_replace(c{j}, '[\\s:：]', '', 'g')) IN {total_words})"
        for j in first_cols
    ) or "false"
    # A header repeated inside the data (page-by-page exports).
    header_checks = []
    for j in mapped_cols[:6]:
        if j < len(header_names) and header_names[j]:
            header_checks.append(f"(c{j} IS NOT DISTINCT FROM $h{j})")
            # compared with the cleaned cell: fold the header the same way
            params[f"h{j}"] = str(header_names[j]).translate(_FOLD_TABLE).strip(" \t\r\n")
    is_header = " AND ".join(header_checks) if header_checks else "false"
    # Note, signature and footer lines: one cell holds text such as 注：…,
    # 制表：…, 导出时间：…, 第 2 页; every other cell of the row is empty.
    cells = sorted(set(mapped_cols) | set(first_cols))
    one_cell = " + ".join(f"CAST(c{j} IS NOT NULL AS INTEGER)" for j in cells)
    params["note_pattern"] = NOTE_PATTERN
    is_note = (f"({one_cell}) = 1 AND regexp_matches(COALESCE({', '.join(f'c{j}' for j in cells)}), "
               "$note_pattern, 'i')") if cells else "false"
    return (f"CASE WHEN {all_null} THEN 'blank' WHEN {is_total} THEN 'total' WHEN {is_header} THEN 'header' "
            f"WHEN {is_note} THEN 'note' END")


def _problems_sql(checks: list[tuple[str, str, str]], items: list[tuple[str, tuple[int, str | None]]]) -> str:
    """SQL for a row's list of problems ({field, code, value}); the list is
    built only for rows that have one (most have none: ``[]``)."""
    problems = [(f"__e{i}", f"'{field}'", value) for i, (field, _c, value) in enumerate(checks)]
    # the item's name is user text: errors carry its index, named in Python
    problems += [(f"CASE WHEN c{j} IS NOT NULL AND (p{k} IS NULL AND NOT __na{k} OR NOT isfinite(p{k})) "
                  "THEN 'bad_item' END", f"'item#{k}'", f"c{j}") for k, (_n, (j, _g)) in enumerate(items)]
    if not problems:
        return "[]"
    any_problem = " OR ".join(f"({code}) IS NOT NULL" for code, _f, _v in problems)
    structs = ", ".join(
        f"CASE WHEN ({code}) IS NOT NULL THEN {{'field': {field}, 'code': ({code}), "
        f"'value': CAST({value} AS VARCHAR)}} END"
        for code, field, value in problems
    )
    return f"CASE WHEN {any_problem} THEN list_filter([{structs}], lambda e: e IS NOT NULL) ELSE [] END"


def _in_batches(table: pa.Table, rows: int = 8192) -> pa.Table:
    """The same rows in record batches of ``rows``.

    DuckDB scans Arrow in parallel batch by batch, and a reader hands over
    one batch; measured on the benchmark export, batches of a few thousand
    rows halved the time of the pass and of the item insert that unnests
    each row into eleven.
    """
    return pa.Table.from_batches(table.to_batches(max_chunksize=rows), schema=table.schema)


def _key_by_occurrence(con: duckdb.DuckDBPyConnection, kind: Kind) -> int:
    """Rekey ``norm`` for exports with missing or repeated ids, flag in-file
    conflicts, and return how many rows repeat an earlier row exactly.

    The key is the export's id; else the natural key, which is one record
    however often it appears when it holds a record id (a contact id: the
    same call exported twice is one evaluation); else, for rows without any
    id, the natural key plus the occurrence number among rows with that key
    (two identical-looking surveys of one day stay two; a re-import still
    matches).  A key twice in one file: identical rows are duplicates; rows
    that differ are an error, and so is the first of them (which is right
    is the user's call): nothing ambiguous is stored.  Keys of id-holding
    natural keys keep the ``:1`` suffix, so rows stored before this rule
    existed still match.
    """
    id_expr = kind.id_field or "NULL"
    nk = " || '|' || ".join(f"COALESCE(CAST({c} AS VARCHAR), '')" for c in kind.natural_key)
    has_rid = " OR ".join(f"{c} IS NOT NULL" for c in kind.record_ids) or "false"
    fld = kind.id_field or kind.natural_key[0]
    norm = con.sql(
        f"""WITH keyed AS (
                SELECT * REPLACE (
                    CASE WHEN {id_expr} IS NOT NULL THEN 'id:' || {id_expr}
                         WHEN {has_rid} THEN 'nk:' || md5({nk}) || ':1'
                         ELSE 'nk:' || md5({nk}) || ':' || CAST(row_number() OVER (
                              PARTITION BY {id_expr} IS NULL AND NOT ({has_rid}), {nk} ORDER BY __row) AS VARCHAR)
                    END AS record_key)
                FROM norm WHERE __skip IS NULL),
            occurrences AS (
                SELECT *, row_number() OVER w AS __occ, first_value(row_hash) OVER w AS __first_hash,
                       first_value(__row) OVER w AS __first_row
                FROM keyed WINDOW w AS (PARTITION BY record_key ORDER BY __row)),
            flagged AS (
                SELECT *, __occ > 1 AND row_hash <> __first_hash AS __conflict,
                       bool_or(row_hash <> __first_hash) OVER (PARTITION BY record_key) AS __key_conflict
                FROM occurrences)
            SELECT * EXCLUDE (__conflict, __key_conflict) REPLACE (
                CASE WHEN __conflict
                     THEN list_append(__errors, {{'field': '{fld}', 'code': 'dup_conflict',
                                                  'value': CAST(__first_row AS VARCHAR)}})
                     WHEN __occ = 1 AND len(__errors) = 0 AND __key_conflict
                     THEN list_append(__errors, {{'field': '{fld}', 'code': 'dup_later', 'value': NULL}})
                     ELSE __errors END AS __errors)
            FROM flagged"""
    ).to_arrow_table()
    con.unregister("norm")
    con.register("norm", _in_batches(norm))
    return con.execute(
        """SELECT count(*) FILTER (WHERE __occ > 1 AND row_hash = __first_hash
               AND record_key NOT IN (SELECT record_key FROM norm WHERE len(__errors) > 0))
           FROM norm"""
    ).fetchall()[0][0]


def normalize_item_name(name: str) -> str:
    """Item names as stored: trimmed, with full-width characters folded."""
    import unicodedata

    return unicodedata.normalize("NFKC", str(name)).strip()


def _column_label(field: str, mapping: ColumnMapping, header_names: list[str | None]) -> str:
    if field.startswith("item:"):
        return field[5:]
    j = mapping.fields.get(field)
    if j is not None and j < len(header_names) and header_names[j]:
        return str(header_names[j])
    return field


def _stored_columns(kind: str) -> list[str]:
    from ..store import duckdb_columns

    return [c for c, _ in duckdb_columns(kind)]
