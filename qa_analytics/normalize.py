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

from .mapping import TOTAL_ROW_WORDS, ColumnMapping, normalize_header
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
}


def _sql_list(words: tuple[str, ...]) -> str:
    """A SQL list literal of constant words (module constants, never user text)."""
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cell-normalising macros on this connection (idempotent)."""
    full = _FULL.replace("'", "''")
    half = _HALF.replace("'", "''")
    channel_case = " ".join(
        f"WHEN list_contains({_sql_list(words)}, k) THEN '{name}'" for name, words in CHANNELS.items()
    )
    tester_case = " ".join(
        f"WHEN list_contains({_sql_list(words)}, k) OR len(list_filter({_sql_list(words)}, lambda w: length(w) > 1 "
        f"AND contains(k, w))) > 0 THEN '{name}'"
        for name, words in TESTER_TYPES.items()
    )
    macros = [
        f"""CREATE OR REPLACE TEMP MACRO qa_clean(x) AS
            nullif(trim(translate(CAST(x AS VARCHAR), '{full}', '{half}'), ' ' || chr(9) || chr(10) || chr(13)), '')""",
        r"""CREATE OR REPLACE TEMP MACRO qa_id(x) AS
            regexp_replace(qa_clean(x), '^(\d+)\.0+$', '\1')""",
        r"""CREATE OR REPLACE TEMP MACRO qa_num(x) AS
            TRY_CAST(regexp_replace(qa_clean(x), '\s*(分|points?|pts?|%)$', '', 'i') AS DOUBLE)""",
        r"""CREATE OR REPLACE TEMP MACRO qa_ts(x) AS
            CASE
              WHEN regexp_full_match(qa_clean(x), '\d{5}(\.\d+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(qa_clean(x) AS DOUBLE) * 86400000000) AS BIGINT))
              ELSE try_strptime(
                regexp_replace(
                  replace(replace(replace(replace(qa_clean(x), '年', '-'), '月', '-'), '日', ' '), 'T', ' '),
                  '[/.](\d)', '-\1', 'g'),
                ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d',
                 '%Y-%m-%d ', '%Y%m%d', '%m-%d-%Y %H:%M', '%m-%d-%Y %H:%M:%S', '%m-%d-%Y'])
            END""",
        """CREATE OR REPLACE TEMP MACRO qa_date(x) AS CAST(qa_ts(x) AS DATE)""",
        # A time of day: a full timestamp, HH:MM(:SS), Excel's 1899-12-31
        # time-only cells, or a fraction of a day.
        r"""CREATE OR REPLACE TEMP MACRO qa_time(x) AS
            CASE
              WHEN regexp_full_match(qa_clean(x), '0?\.\d+|0')
                THEN to_microseconds(CAST(round(CAST(qa_clean(x) AS DOUBLE) * 86400000000) AS BIGINT))
              WHEN regexp_full_match(qa_clean(x), '\d{1,2}:\d{2}(:\d{2})?')
                THEN to_microseconds(epoch_us(TRY_CAST(qa_clean(x) AS TIME)))
              WHEN qa_ts(x) IS NOT NULL THEN qa_ts(x) - CAST(CAST(qa_ts(x) AS DATE) AS TIMESTAMP)
            END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_bool(x) AS
            CASE WHEN qa_clean(x) IS NULL THEN NULL
                 WHEN list_contains({_sql_list(TRUE_WORDS)}, lower(qa_clean(x))) THEN true
                 WHEN list_contains({_sql_list(FALSE_WORDS)}, lower(qa_clean(x))) THEN false
            END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_channel_key(k) AS
            CASE WHEN k IS NULL THEN NULL {channel_case} ELSE k END""",
        """CREATE OR REPLACE TEMP MACRO qa_channel(x) AS
            qa_channel_key(lower(regexp_replace(qa_clean(x), '\\s+', '', 'g')))""",
        f"""CREATE OR REPLACE TEMP MACRO qa_tester_key(k) AS
            CASE WHEN k IS NULL THEN NULL {tester_case} ELSE k END""",
        """CREATE OR REPLACE TEMP MACRO qa_tester_type(x) AS qa_tester_key(lower(qa_clean(x)))""",
        r"""CREATE OR REPLACE TEMP MACRO qa_rating_score(x) AS
            CASE WHEN regexp_full_match(qa_clean(x), '[0-5](\.0+)?(分|星)?')
                 THEN nullif(CAST(left(qa_clean(x), 1) AS DOUBLE), 0) END""",
        f"""CREATE OR REPLACE TEMP MACRO qa_satisfaction(x) AS
            CASE
              WHEN qa_rating_score(x) >= 4 THEN 'satisfied'
              WHEN qa_rating_score(x) = 3 THEN 'neutral'
              WHEN qa_rating_score(x) IS NOT NULL THEN 'dissatisfied'
              WHEN list_contains({_sql_list(DISSATISFIED_WORDS)}, lower(qa_clean(x))) THEN 'dissatisfied'
              WHEN list_contains({_sql_list(NEUTRAL_WORDS)}, lower(qa_clean(x))) THEN 'neutral'
              WHEN list_contains({_sql_list(SATISFIED_WORDS)}, lower(qa_clean(x))) THEN 'satisfied'
            END""",
        r"""CREATE OR REPLACE TEMP MACRO qa_rating_ok(x) AS
            qa_clean(x) IS NULL OR regexp_full_match(qa_clean(x), '0(\.0+)?') OR qa_satisfaction(x) IS NOT NULL""",
        f"""CREATE OR REPLACE TEMP MACRO qa_na(x) AS list_contains({_sql_list(NA_WORDS)}, lower(qa_clean(x)))""",
    ]
    for m in macros:
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
        raw = f"c{j}" if j is not None else "NULL"
        role = f.role
        err = None
        if role == "id":
            expr = f"qa_id({raw})"
        elif role in ("text",):
            expr = f"qa_clean({raw})"
        elif role == "date":
            expr = f"qa_date({raw})"
            err = (
                f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_date({raw}) IS NULL THEN 'bad_date' "
                f"WHEN qa_date({raw}) < DATE '2000-01-01' OR qa_date({raw}) > current_date + INTERVAL 366 DAY "
                "THEN 'date_range' END"
            )
        elif role == "timestamp":
            date_field = kind.date_field
            dj = mapping.fields.get(date_field) if date_field else None
            draw = f"c{dj}" if dj is not None else "NULL"
            expr = f"CAST(qa_date({draw}) AS TIMESTAMP) + qa_time({raw})"
            err = f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_time({raw}) IS NULL THEN 'bad_time' END"
        elif role == "score":
            expr = f"qa_num({raw})"
            err = (
                f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_num({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num({raw}) < 0 OR qa_num({raw}) > 100 THEN 'score_range' END"
            )
        elif role == "percent":
            expr = (f"CASE WHEN qa_num({raw}) <= 1 AND NOT contains(qa_clean({raw}), '%') "
                    f"THEN qa_num({raw}) * 100 ELSE qa_num({raw}) END")
            err = (
                f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_num({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num({raw}) < 0 OR qa_num({raw}) > 100 THEN 'pct_range' END"
            )
        elif role == "number":
            expr = f"CAST(round(qa_num({raw})) AS INTEGER)"
            err = (
                f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_num({raw}) IS NULL THEN 'bad_number' "
                f"WHEN qa_num({raw}) < 0 THEN 'negative' END"
            )
        elif role == "bool":
            expr = f"qa_bool({raw})"
            if kind.name == "call_test" and f.name == "passed":
                # No pass/fail column: the center's pass mark applies.
                sj = mapping.fields.get("score")
                if sj is not None:
                    expr = f"COALESCE(qa_bool({raw}), qa_num(c{sj}) >= {CALL_TEST_PASS_MARK})"
            err = f"CASE WHEN qa_clean({raw}) IS NOT NULL AND qa_bool({raw}) IS NULL THEN 'bad_bool' END"
        elif role == "rating":
            expr = f"qa_clean({raw})"
            err = f"CASE WHEN NOT qa_rating_ok({raw}) THEN 'bad_rating' END"
        elif role == "channel":
            default = "'voice'" if kind.name == "monitoring" and j is None else "NULL"
            expr = f"COALESCE(qa_channel({raw}), {default})"
        elif role == "tester_type":
            expr = f"COALESCE(qa_tester_type({raw}), 'qa')"
        else:  # pragma: no cover - schema and normaliser out of step
            raise ValueError(f"no rule for role {role!r}")
        if f.required:
            # Survey rows are kept without a rating only when no rating is
            # given at all (an unanswered survey): the column must exist.
            if f.role != "rating":
                miss = f"CASE WHEN qa_clean({raw}) IS NULL THEN 'missing' END"
                err = f"COALESCE({miss}, {err})" if err else miss
        select.append(f"{expr} AS {f.name}")
        if err:
            errors.append(f"CASE WHEN ({err}) IS NOT NULL THEN {{'field': '{f.name}', 'code': ({err}), "
                          f"'value': CAST({raw} AS VARCHAR)}} END")
    return select, errors


def _derived_exprs(kind: Kind, mapping: ColumnMapping) -> list[str]:
    if kind.name == "survey":
        j = mapping.fields.get("rating")
        raw = f"c{j}" if j is not None else "NULL"
        return [f"qa_rating_score({raw}) AS rating_score", f"qa_satisfaction({raw}) AS satisfaction"]
    if kind.name == "call_test":
        j = mapping.fields.get("tester_type")
        raw = f"c{j}" if j is not None else "NULL"
        return [f"COALESCE(qa_tester_type({raw}), 'qa') = 'third_party' AS is_external"]
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
    """
    kind = KINDS[mapping.kind]
    install_macros(con)
    con.register("raw_in", data)
    mapped_cols = sorted(set(mapping.fields.values()) | {j for j, _ in mapping.items.values()})
    if not mapped_cols:
        mapped_cols = [0]
    all_null = " AND ".join(f"qa_clean(c{j}) IS NULL" for j in mapped_cols)
    total_words = _sql_list(TOTAL_ROW_WORDS)
    first_cols = [f"c{j}" for j in range(min(4, data.num_columns - 1))]
    is_total = " OR ".join(
        f"list_contains({total_words}, lower(regexp_replace(qa_clean({c}), '[\\s:：]', '', 'g')))"
        for c in first_cols
    ) or "false"
    # A header repeated inside the data (page-by-page exports).
    header_checks = []
    params: list = []
    for j in mapped_cols[:6]:
        if j < len(header_names) and header_names[j]:
            header_checks.append(f"(qa_clean(c{j}) IS NOT DISTINCT FROM ?)")
            params.append(header_names[j].strip())
    is_header = " AND ".join(header_checks) if header_checks else "false"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE raw_rows AS
            SELECT *, CASE WHEN {all_null} THEN 'blank'
                           WHEN {is_total} THEN 'total'
                           WHEN {is_header} THEN 'header' END AS __skip
            FROM raw_in""",
        params,
    )
    con.unregister("raw_in")
    select, errors = _field_exprs(kind, mapping)
    derived = _derived_exprs(kind, mapping)
    err_list = "list_filter([" + ", ".join(errors) + "], lambda e: e IS NOT NULL)" if errors else "[]"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE norm AS
            SELECT {", ".join(select + derived)}, __row, {err_list} AS __errors
            FROM raw_rows WHERE __skip IS NULL"""
    )
    # Items (monitoring): long form, one row per non-empty item cell.
    item_parts = []
    item_params: list = []
    for name, (j, group) in mapping.items.items():
        item_parts.append(
            f"SELECT __row, ? AS item, ? AS item_group, qa_clean(c{j}) AS raw_value, "
            f"CASE WHEN qa_na(c{j}) THEN NULL ELSE qa_num(c{j}) END AS points, "
            f"NOT qa_na(c{j}) AND qa_num(c{j}) IS NULL AS bad, CAST(c{j} AS VARCHAR) AS raw "
            f"FROM raw_rows WHERE __skip IS NULL AND qa_clean(c{j}) IS NOT NULL"
        )
        item_params += [normalize_item_name(name), group]
    if item_parts:
        con.execute("CREATE OR REPLACE TEMP TABLE items_raw AS " + " UNION ALL ".join(item_parts), item_params)
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE items_raw (__row INTEGER, item VARCHAR, item_group VARCHAR, "
            "raw_value VARCHAR, points DOUBLE, bad BOOLEAN, raw VARCHAR)"
        )
    # Item errors join the row's errors.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE item_errors AS
           SELECT __row, list({'field': 'item:' || item, 'code': 'bad_item', 'value': raw}) AS errs
           FROM items_raw WHERE bad GROUP BY __row"""
    )
    con.execute(
        """UPDATE norm SET __errors = list_concat(norm.__errors, e.errs)
           FROM item_errors e WHERE e.__row = norm.__row"""
    )
    # Record keys: the export's id, else the natural key plus the occurrence
    # number among rows with the same natural key (so two identical-looking
    # surveys of one day stay two, and a re-import still matches them).
    id_expr = f"{kind.id_field}" if kind.id_field else "NULL"
    nk = " || '|' || ".join(f"COALESCE(CAST({c} AS VARCHAR), '')" for c in kind.natural_key)
    item_agg = (
        "(SELECT string_agg(item || '=' || COALESCE(CAST(points AS VARCHAR), 'NA'), ';' ORDER BY item) "
        "FROM items_raw i WHERE i.__row = n.__row)"
    )
    value_cols = [c for c in kind.value_fields] + [d.split(" AS ")[-1] for d in derived]
    hash_parts = [f"COALESCE(CAST({c} AS VARCHAR), '∅')" for c in value_cols]
    if kind.name == "monitoring":
        hash_parts.append(f"COALESCE({item_agg}, '')")
    row_hash = "md5(" + " || chr(31) || ".join(hash_parts) + ")"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE keyed AS
            SELECT n.*,
                   CASE WHEN {id_expr} IS NOT NULL THEN 'id:' || {id_expr}
                        ELSE 'nk:' || md5({nk}) || ':' ||
                             CAST(row_number() OVER (PARTITION BY {id_expr} IS NULL, {nk} ORDER BY __row) AS VARCHAR)
                   END AS record_key,
                   {row_hash} AS row_hash
            FROM norm n"""
    )
    # The same id twice in one file: identical rows are duplicates; rows that
    # differ are an error (which of them is right is the user's call).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE keyed2 AS
           SELECT *,
                  row_number() OVER (PARTITION BY record_key ORDER BY __row) AS __occ,
                  first_value(row_hash) OVER (PARTITION BY record_key ORDER BY __row) AS __first_hash,
                  first_value(__row) OVER (PARTITION BY record_key ORDER BY __row) AS __first_row
           FROM keyed"""
    )
    con.execute(
        f"""UPDATE keyed2 SET __errors = list_append(__errors,
                {{'field': '{kind.id_field or kind.natural_key[0]}', 'code': 'dup_conflict',
                  'value': CAST(__first_row AS VARCHAR)}})
            WHERE __occ > 1 AND row_hash <> __first_hash"""
    )
    rows_read = con.execute("SELECT count(*) FROM keyed2").fetchone()[0]
    skipped = con.execute("SELECT count(*) FROM raw_rows WHERE __skip IS NOT NULL").fetchone()[0]
    err_rows = con.execute(
        """SELECT __row, unnest(__errors) AS e FROM keyed2
           WHERE len(__errors) > 0 ORDER BY __row"""
    ).fetchall()
    invalid_rows = sorted({r[0] for r in err_rows})
    # A record whose later duplicate is in conflict is itself suspect: reject
    # the first occurrence too, so nothing ambiguous is stored.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bad_keys AS
           SELECT DISTINCT record_key FROM keyed2 WHERE len(__errors) > 0"""
    )
    dup_in_file = con.execute(
        """SELECT count(*) FROM keyed2 WHERE __occ > 1 AND row_hash = __first_hash
           AND record_key NOT IN (SELECT record_key FROM bad_keys)"""
    ).fetchone()[0]
    stored = [c for c in _stored_columns(kind.name) if c not in ("created_batch", "batch_id")]
    sel = ", ".join(
        "CAST(? AS VARCHAR) AS source_sheet" if c == "source_sheet"
        else "CAST(__row AS INTEGER) AS source_row" if c == "source_row"
        else c
        for c in stored
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
            SELECT {sel}, __row FROM keyed2
            WHERE __occ = 1 AND record_key NOT IN (SELECT record_key FROM bad_keys)""",
        [sheet_name],
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE staged_items AS
           SELECT s.record_key, i.item, i.item_group, i.points, i.raw_value
           FROM items_raw i JOIN staged s ON s.__row = i.__row"""
    )
    rows_valid = con.execute("SELECT count(*) FROM staged").fetchone()[0]
    errors = []
    for row, err in err_rows:
        field = err["field"]
        errors.append(
            {
                "sheet": sheet_name,
                "row": int(row),
                "field": field,
                "column": _column_label(field, mapping, header_names),
                "value": err["value"],
                "code": err["code"],
                "message": _message(err["code"], err["value"]),
            }
        )
    # Rows rejected because a later duplicate conflicted with them.
    extra_bad = con.execute(
        """SELECT __row FROM keyed2 WHERE record_key IN (SELECT record_key FROM bad_keys)
           AND len(__errors) = 0"""
    ).fetchall()
    for (row,) in extra_bad:
        invalid_rows.append(int(row))
        fld = kind.id_field or kind.natural_key[0]
        errors.append({
            "sheet": sheet_name, "row": int(row), "field": fld,
            "column": _column_label(fld, mapping, header_names), "value": None, "code": "dup_conflict",
            "message": "a later row has the same record id with different values",
        })
    return StageResult(
        rows_read=int(rows_read),
        rows_valid=int(rows_valid),
        rows_skipped=int(skipped),
        duplicates_in_file=int(dup_in_file),
        errors=sorted(errors, key=lambda e: (e["row"], e["column"] or "")),
        invalid_rows=sorted(set(invalid_rows)),
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
