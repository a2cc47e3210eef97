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

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from .mapping import TOTAL_ROW_WORDS, ColumnMapping
from .schema import KINDS, Kind

__all__ = ["ERROR_MESSAGES", "StageResult", "stage_rows", "install_macros", "SATISFIED_WORDS"]

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "

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
CALL_TEST_PASS_MARK = 80

# Error codes -> messages (English; the UI translates codes through i18n).
ERROR_MESSAGES = {
    "missing": "required value is missing",
    "bad_date": "not a valid date",
    "date_range": "date outside 2000-01-01 .. one year from today",
    "bad_time": "not a valid time",
    "bad_number": "not a number",
    "score_range": "score outside 0–100",
    "pct_range": "percentage outside 0–100",
    "negative": "must not be negative",
    "bad_bool": "not a yes/no value",
    "bad_rating": "not a recognised satisfaction rating (1–5 or 满意/一般/不满意...)",
    "bad_item": "item points are not a number or N/A",
    "dup_conflict": "the same record id appears earlier in the file with different values",
    "dup_later": "a later row has the same record id with different values",
}


def _sql_list(words: tuple[str, ...]) -> str:
    """A SQL ``IN`` list of constant words (module constants, never user text).

    ``x IN ('a', 'b')`` is hashed once per query; ``list_contains([...], x)``
    builds the list per row and was 170x slower on a million cells.
    """
    return "(" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


# Macros named ``*_c`` take text already cleaned by ``qa_clean`` (the import
# cleans every cell once); the unsuffixed ones take raw cells.
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
    ] + [
        f"CREATE OR REPLACE TEMP MACRO qa_{name}(x) AS qa_{name}_c(qa_clean(x))"
        for name in ("id", "num", "ts", "date", "time", "bool", "channel", "tester_type", "rating_score",
                     "satisfaction", "rating_ok", "na")
    ]


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cell-normalising macros on this connection (idempotent)."""
    for m in _macros():
        con.execute(m)


@dataclass
class StageResult:
    """What staging found: the tables ``staged`` / ``staged_items`` hold the
    valid rows, ``errors`` the problems, one dict per (row, field)."""

    rows_read: int
    rows_valid: int
    rows_skipped: int  # blank, totals and repeated header rows
    duplicates_in_file: int
    errors: list[dict]
    invalid_rows: list[int]  # Excel row numbers of rejected rows


def _field_exprs(kind: Kind, mapping: ColumnMapping) -> tuple[list[str], list[str]]:
    """SQL for each stored column and for each field's error code."""
    select: list[str] = []
    errors: list[str] = []
    for f in kind.fields:
        j = mapping.fields.get(f.name)
        raw = f"c{j}" if j is not None else "NULL"  # the cleaned cell
        rawv = f"r{j}" if j is not None else "NULL"  # the cell as the user wrote it
        role = f.role
        err = None
        if role == "id":
            expr = f"qa_id_c({raw})"
        elif role in ("text",):
            expr = f"{raw}"
        elif role == "date":
            expr = f"qa_date_c({raw})"
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND qa_date_c({raw}) IS NULL THEN 'bad_date' "
                f"WHEN qa_date_c({raw}) < DATE '2000-01-01' OR qa_date_c({raw}) > current_date + INTERVAL 366 DAY "
                "THEN 'date_range' END"
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
                f"CASE WHEN {raw} IS NOT NULL AND qa_num_c({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num_c({raw}) < 0 OR qa_num_c({raw}) > 100 THEN 'score_range' END"
            )
        elif role == "percent":
            expr = (f"CASE WHEN qa_num_c({raw}) <= 1 AND NOT contains({raw}, '%') "
                    f"THEN qa_num_c({raw}) * 100 ELSE qa_num_c({raw}) END")
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND qa_num_c({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num_c({raw}) < 0 OR qa_num_c({raw}) > 100 THEN 'pct_range' END"
            )
        elif role == "number":
            expr = f"CAST(round(qa_num_c({raw})) AS INTEGER)"
            err = (
                f"CASE WHEN {raw} IS NOT NULL AND qa_num_c({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num_c({raw}) < 0 THEN 'negative' END"
            )
        elif role == "bool":
            expr = f"qa_bool_c({raw})"
            if kind.name == "call_test" and f.name == "passed":
                # No pass/fail column: the center's pass mark applies.
                sj = mapping.fields.get("score")
                if sj is not None:
                    expr = f"COALESCE(qa_bool_c({raw}), qa_num_c(c{sj}) >= {CALL_TEST_PASS_MARK})"
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
        select.append(f"{expr} AS {f.name}")
        if err:
            errors.append(f"CASE WHEN ({err}) IS NOT NULL THEN {{'field': '{f.name}', 'code': ({err}), "
                          f"'value': CAST({rawv} AS VARCHAR)}} END")
    return select, errors


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


def stage_rows(
    con: duckdb.DuckDBPyConnection,
    data: pa.Table,
    mapping: ColumnMapping,
    sheet_name: str,
    header_names: list[str | None],
) -> StageResult:
    """Normalise and validate ``data`` (text columns c0..cN plus ``__row``,
    the Excel row number) into temp tables ``staged`` and ``staged_items``.

    Blank rows, totals rows (合计/平均/Total...) and repeated header rows are
    skipped.  Rows with any error are left out of ``staged`` and listed.

    Three passes over the rows, each one SQL statement: clean every used
    cell once; type, validate, key and hash every row (items validated and
    hashed in their wide form); and, for the valid rows only, unpivot the
    items.  Intermediate tables are dropped as soon as they are consumed:
    they are what bounds the memory of a 500,000-row import.
    """
    kind = KINDS[mapping.kind]
    install_macros(con)
    items = list(mapping.items.items())  # [(name, (column, group))]
    item_cols = [j for _, (j, _g) in items]
    field_cols = sorted(set(mapping.fields.values()))
    mapped_cols = sorted(set(field_cols) | set(item_cols)) or [0]
    first_cols = list(range(min(4, data.num_columns - 1)))
    used = sorted(set(mapped_cols) | set(first_cols))
    # 1. Every used cell cleaned once (c<j>); the raw text of field cells kept
    #    beside it (r<j>) for error messages.
    cleaned = ", ".join(
        (f"c{j} AS r{j}, " if j in field_cols else "") + f"qa_clean(c{j}) AS c{j}" for j in used
    )
    con.register("raw_in", data)
    con.execute(f"CREATE OR REPLACE TEMP TABLE cln AS SELECT __row, {cleaned} FROM raw_in")
    con.unregister("raw_in")
    all_null = " AND ".join(f"c{j} IS NULL" for j in mapped_cols)
    total_words = _sql_list(TOTAL_ROW_WORDS)
    is_total = " OR ".join(
        f"lower(regexp_replace(c{j}, '[\\s:：]', '', 'g')) IN {total_words}" for j in first_cols
    ) or "false"
    # A header repeated inside the data (page-by-page exports).
    header_checks = []
    params: list = []
    for j in mapped_cols[:6]:
        if j < len(header_names) and header_names[j]:
            header_checks.append(f"(c{j} IS NOT DISTINCT FROM ?)")
            params.append(header_names[j].strip())
    is_header = " AND ".join(header_checks) if header_checks else "false"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE skipped AS
            SELECT __row, CASE WHEN {all_null} THEN 'blank'
                               WHEN {is_total} THEN 'total'
                               WHEN {is_header} THEN 'header' END AS __skip
            FROM cln WHERE __skip IS NOT NULL""",
        params,
    )
    skipped = con.execute("SELECT count(*) FROM skipped").fetchone()[0]
    # 2. One pass: typed fields, every error, the record key and the row hash.
    select, errors = _field_exprs(kind, mapping)
    derived = _derived_exprs(kind, mapping)
    for k, (_name, (j, _g)) in enumerate(items):
        # the item's name is user text: errors carry its index, named in Python
        errors.append(
            f"CASE WHEN c{j} IS NOT NULL AND NOT qa_na_c(c{j}) AND qa_num_c(c{j}) IS NULL "
            f"THEN {{'field': 'item#{k}', 'code': 'bad_item', 'value': c{j}}} END"
        )
    err_list = "list_filter([" + ", ".join(errors) + "], lambda e: e IS NOT NULL)" if errors else "[]"
    value_cols = list(kind.value_fields) + [d.split(" AS ")[-1] for d in derived]
    hash_parts = [f"COALESCE(CAST({c} AS VARCHAR), '∅')" for c in value_cols]
    if item_cols:
        # The row's items, by column order (stable for a given export layout).
        hash_parts.append("CAST(hash(" + ", ".join(f"c{j}" for j in item_cols) + ") AS VARCHAR)")
    id_expr = kind.id_field or "NULL"
    nk = " || '|' || ".join(f"COALESCE(CAST({c} AS VARCHAR), '')" for c in kind.natural_key)
    # The window functions below cost more than the rest of the pass; most
    # exports carry a unique id on every row, and then neither is needed.
    id_col = mapping.fields.get(kind.id_field) if kind.id_field else None
    simple = False
    if id_col is not None:
        missing, dups = con.execute(
            f"""SELECT count(*) FILTER (WHERE c{id_col} IS NULL), count(c{id_col}) - count(DISTINCT qa_id_c(c{id_col}))
                FROM cln LEFT JOIN skipped USING (__row) WHERE __skip IS NULL"""
        ).fetchone()
        simple = missing == 0 and dups == 0
    if simple:
        key_sql = f"'id:' || {id_expr}"
        occ_sql = "1 AS __occ, row_hash AS __first_hash, __row AS __first_row"
        window = ""
    else:
        key_sql = f"""CASE WHEN {id_expr} IS NOT NULL THEN 'id:' || {id_expr}
                           ELSE 'nk:' || md5({nk}) || ':' || CAST(row_number() OVER (
                                PARTITION BY {id_expr} IS NULL, {nk} ORDER BY __row) AS VARCHAR)
                      END"""
        occ_sql = ("row_number() OVER w AS __occ, first_value(row_hash) OVER w AS __first_hash, "
                   "first_value(__row) OVER w AS __first_row")
        window = "WINDOW w AS (PARTITION BY record_key ORDER BY __row)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE norm AS
            WITH typed AS (
                SELECT {", ".join(select + derived)}, __row, {err_list} AS __errors,
                       md5({" || chr(31) || ".join(hash_parts)}) AS row_hash
                FROM cln LEFT JOIN skipped USING (__row) WHERE __skip IS NULL),
            keyed AS (
                -- The export's id, else the natural key plus the occurrence
                -- number among rows with that key (two identical-looking
                -- surveys of one day stay two; a re-import still matches).
                SELECT *, {key_sql} AS record_key FROM typed)
            SELECT *, {occ_sql} FROM keyed {window}"""
    )
    # The same id twice in one file: identical rows are duplicates; rows that
    # differ are an error, and so is the first of them (which is right is the
    # user's call): nothing ambiguous is stored.
    fld = kind.id_field or kind.natural_key[0]
    con.execute(
        f"""UPDATE norm SET __errors = list_append(__errors,
                {{'field': '{fld}', 'code': 'dup_conflict', 'value': CAST(__first_row AS VARCHAR)}})
            WHERE __occ > 1 AND row_hash <> __first_hash"""
    )
    con.execute(
        f"""UPDATE norm SET __errors = list_append(__errors,
                {{'field': '{fld}', 'code': 'dup_later', 'value': NULL}})
            WHERE __occ = 1 AND len(__errors) = 0 AND record_key IN (
                SELECT record_key FROM norm WHERE __occ > 1 AND row_hash <> __first_hash)"""
    )
    rows_read, dup_in_file = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE __occ > 1 AND row_hash = __first_hash
               AND record_key NOT IN (SELECT record_key FROM norm WHERE len(__errors) > 0))
           FROM norm"""
    ).fetchone()
    err_rows = con.execute(
        "SELECT __row, unnest(__errors) AS e FROM norm WHERE len(__errors) > 0 ORDER BY __row"
    ).fetchall()
    # 3. The valid rows, and their items in long form (one UNPIVOT; NULL cells
    #    drop out).  The raw text of an item is kept only where it says more
    #    than the points (N/A).
    stored = [c for c in _stored_columns(kind.name) if c not in ("created_batch", "batch_id")]
    sel = ", ".join(
        "CAST(? AS VARCHAR) AS source_sheet" if c == "source_sheet"
        else "CAST(__row AS INTEGER) AS source_row" if c == "source_row"
        else c
        for c in stored
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
            SELECT {sel}, __row FROM norm
            WHERE __occ = 1 AND record_key NOT IN (SELECT record_key FROM norm WHERE len(__errors) > 0)""",
        [sheet_name],
    )
    con.execute("DROP TABLE norm")
    if items:
        names = pa.table({
            "col": [f"c{j}" for j in item_cols],
            "item": [normalize_item_name(n) for n, _ in items],
            "item_group": [g for _, (_j, g) in items],
        })
        con.register("item_names", names)
        cols = ", ".join(f"c{j}" for j in item_cols)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE staged_items AS
                SELECT u.record_key, n.item, n.item_group,
                       CASE WHEN qa_na_c(u.raw_value) THEN NULL ELSE qa_num_c(u.raw_value) END AS points,
                       CASE WHEN qa_na_c(u.raw_value) THEN u.raw_value END AS raw_value
                FROM (UNPIVOT (SELECT s.record_key, {cols} FROM cln JOIN staged s USING (__row))
                      ON {cols} INTO NAME col VALUE raw_value) u
                JOIN item_names n USING (col)"""
        )
        con.unregister("item_names")
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE staged_items (record_key VARCHAR, item VARCHAR, item_group VARCHAR, "
            "points DOUBLE, raw_value VARCHAR)"
        )
    con.execute("DROP TABLE cln")
    con.execute("DROP TABLE skipped")
    rows_valid = con.execute("SELECT count(*) FROM staged").fetchone()[0]
    item_names_by_index = [normalize_item_name(n) for n, _ in items]
    errors_out = []
    for row, err in err_rows:
        field = err["field"]
        if field.startswith("item#"):
            field = "item:" + item_names_by_index[int(field[5:])]
        errors_out.append({
            "sheet": sheet_name,
            "row": int(row),
            "field": field,
            "column": _column_label(field, mapping, header_names),
            "value": err["value"],
            "code": err["code"],
            "message": _message(err["code"], err["value"]),
        })
    return StageResult(
        rows_read=int(rows_read),
        rows_valid=int(rows_valid),
        rows_skipped=int(skipped),
        duplicates_in_file=int(dup_in_file),
        errors=sorted(errors_out, key=lambda e: (e["row"], e["column"] or "")),
        invalid_rows=sorted({e["row"] for e in errors_out}),
    )


def normalize_item_name(name: str) -> str:
    """Item names as stored: trimmed, with full-width characters folded."""
    import unicodedata

    return unicodedata.normalize("NFKC", str(name)).strip()


def _message(code: str, value: str | None) -> str:
    msg = ERROR_MESSAGES.get(code, code)
    if code == "dup_conflict" and value:
        return f"the same record id appears in row {value} with different values"
    return msg


def _column_label(field: str, mapping: ColumnMapping, header_names: list[str | None]) -> str:
    if field.startswith("item:"):
        return field[5:]
    j = mapping.fields.get(field)
    if j is not None and j < len(header_names) and header_names[j]:
        return str(header_names[j])
    return field


def _stored_columns(kind: str) -> list[str]:
    from .store import duckdb_columns

    return [c for c, _ in duckdb_columns(kind)]
