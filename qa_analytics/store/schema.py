"""The data model: record kinds, their canonical fields and the DuckDB DDL.

Why one module: the importer (which maps spreadsheet columns onto these
fields), the store (which writes them), the demo generator and the analytics
all need to agree on one vocabulary.  Everything that names a field refers to
the :data:`KINDS` table below.

Storage layout
--------------
Each record kind has a current table (``monitoring``, ``call_test``,
``survey``, ``roster``, ``system_check``) and a ``*_history`` twin holding the
versions a later import replaced (an appeal revising a score, a roster moving
an agent to another team).  Every row carries

* ``record_key``: the export's own id when it has one, else a natural key
  (see :func:`qa_analytics.ingest.normalize.stage_rows`);
* ``row_hash``: a hash of the value fields, so a re-import tells "same row"
  from "changed row" without comparing column by column;
* ``created_batch`` / ``batch_id``: the import that first wrote it and the one
  that last changed it, which is what makes an import exactly undoable.

Monitoring item scores live in long form (``monitoring_item``: record, item,
points) so any export's item columns fit without a schema change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Field",
    "Kind",
    "KINDS",
    "KIND_NAMES",
    "SCHEMA_VERSION",
    "HASHED_WHEN_PRESENT",
    "ddl_statements",
    "hash_fields",
    "migration_steps",
    "table_columns",
]

SCHEMA_VERSION = 4


@dataclass(frozen=True)
class Field:
    """One canonical field of a record kind.

    ``sql_type`` is the DuckDB type of the stored column; ``role`` says how the
    importer normalises the raw text (see ``qa_analytics.ingest.normalize``).
    """

    name: str
    sql_type: str
    # id | text | label | date | timestamp | datetime | score | number | percent | bool | rating | channel | tester_type
    role: str
    required: bool = False
    label_en: str = ""
    label_zh: str = ""

    def label(self, lang: str = "en") -> str:
        """The field's name for people (the Import page's grid, error messages)."""
        return (self.label_zh if lang == "zh" else self.label_en) or self.name


@dataclass(frozen=True)
class Kind:
    """A record kind: its fields, which of them identify a record, and which
    fields identify it when the export carries no id of its own."""

    name: str
    fields: tuple[Field, ...]
    id_field: str | None  # the export's own record id, when it has one
    natural_key: tuple[str, ...]  # used when id_field is absent or empty
    date_field: str | None
    # Ids that make a natural key one record however often it appears (a
    # contact id): only rows without any of them get an occurrence number.
    record_ids: tuple[str, ...] = ()
    label_en: str = ""
    label_zh: str = ""

    def label(self, lang: str = "en") -> str:
        """The kind's name for people."""
        return (self.label_zh if lang == "zh" else self.label_en) or self.name

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def value_fields(self) -> tuple[str, ...]:
        """Fields whose change makes a re-imported record an *update*."""
        ident = {self.id_field, *self.natural_key}
        return tuple(f.name for f in self.fields if f.name not in ident)


def _f(name: str, sql_type: str, role: str, en: str, zh: str, required: bool = False) -> Field:
    return Field(name, sql_type, role, required, en, zh)


MONITORING = Kind(
    name="monitoring",
    label_en="QA monitoring",
    label_zh="录音质检",
    fields=(
        _f("eval_id", "VARCHAR", "id", "evaluation id", "质检编号"),
        _f("eval_date", "DATE", "date", "evaluation date", "质检日期", required=True),
        _f("eval_time", "TIMESTAMP", "timestamp", "evaluation time", "质检时间"),
        _f("agent_id", "VARCHAR", "id", "agent id", "坐席工号", required=True),
        _f("agent_name", "VARCHAR", "text", "agent name", "坐席姓名"),
        _f("team", "VARCHAR", "label", "team", "班组"),
        _f("evaluator", "VARCHAR", "text", "evaluator", "质检员"),
        _f("contact_id", "VARCHAR", "id", "contact id (call, recording, ticket)", "通话/录音/工单编号"),
        _f("channel", "VARCHAR", "channel", "channel", "渠道"),
        _f("total_score", "DOUBLE", "score", "total score", "总分", required=True),
        _f("critical_error", "BOOLEAN", "bool", "critical error", "致命差错"),
        _f("appeal_status", "VARCHAR", "label", "appeal status", "申诉状态"),
        _f("comments", "VARCHAR", "text", "comments", "备注"),
        _f("modified_at", "TIMESTAMP", "datetime", "last modified", "最后修改时间"),
    ),
    id_field="eval_id",
    natural_key=("agent_id", "eval_date", "eval_time", "evaluator", "contact_id", "channel"),
    date_field="eval_date",
    record_ids=("contact_id",),
)

CALL_TEST = Kind(
    name="call_test",
    label_en="call tests",
    label_zh="拨测",
    fields=(
        _f("test_id", "VARCHAR", "id", "call-test id", "拨测编号"),
        _f("test_date", "DATE", "date", "call-test date", "拨测日期", required=True),
        _f("tester", "VARCHAR", "text", "tester", "拨测人"),
        _f("tester_type", "VARCHAR", "tester_type", "tester type", "拨测人类型"),
        _f("agent_id", "VARCHAR", "id", "agent id", "坐席工号"),
        _f("agent_name", "VARCHAR", "text", "agent name", "坐席姓名"),
        _f("team", "VARCHAR", "label", "team", "班组"),
        _f("scenario", "VARCHAR", "label", "scenario", "业务场景"),
        _f("channel", "VARCHAR", "channel", "channel", "渠道"),
        _f("score", "DOUBLE", "score", "score", "得分"),
        _f("passed", "BOOLEAN", "bool", "passed", "是否合格"),
        _f("comments", "VARCHAR", "text", "comments", "备注"),
        _f("modified_at", "TIMESTAMP", "datetime", "last modified", "最后修改时间"),
    ),
    id_field="test_id",
    natural_key=("test_date", "tester", "agent_id", "scenario"),
    date_field="test_date",
)

SURVEY = Kind(
    name="survey",
    label_en="satisfaction surveys",
    label_zh="满意度调查",
    fields=(
        _f("survey_id", "VARCHAR", "id", "survey id", "调查编号"),
        _f("survey_date", "DATE", "date", "survey date", "调查日期", required=True),
        _f("survey_time", "TIMESTAMP", "timestamp", "survey time", "调查时间"),
        _f("agent_id", "VARCHAR", "id", "agent id", "坐席工号"),
        _f("agent_name", "VARCHAR", "text", "agent name", "坐席姓名"),
        _f("team", "VARCHAR", "label", "team", "班组"),
        _f("contact_id", "VARCHAR", "id", "contact id (call, recording, ticket)", "通话/录音/工单编号"),
        _f("channel", "VARCHAR", "channel", "channel", "渠道"),
        _f("rating", "VARCHAR", "rating", "satisfaction rating", "满意度评价", required=True),
        _f("comments", "VARCHAR", "text", "comments", "备注"),
        _f("modified_at", "TIMESTAMP", "datetime", "last modified", "最后修改时间"),
    ),
    id_field="survey_id",
    natural_key=("survey_date", "survey_time", "agent_id", "contact_id", "channel"),
    date_field="survey_date",
    record_ids=("contact_id",),
)

ROSTER = Kind(
    name="roster",
    label_en="roster",
    label_zh="人员名册",
    fields=(
        _f("agent_id", "VARCHAR", "id", "agent id", "坐席工号", required=True),
        _f("agent_name", "VARCHAR", "text", "agent name", "坐席姓名"),
        _f("team", "VARCHAR", "label", "team", "班组"),
        _f("hire_date", "DATE", "date", "hire date", "入职日期"),
        _f("effective_date", "DATE", "date", "effective date", "生效日期"),
    ),
    id_field=None,
    natural_key=("agent_id",),
    date_field="effective_date",
    record_ids=("agent_id",),  # one current row per agent; earlier versions go to roster_history
)

SYSTEM_CHECK = Kind(
    name="system_check",
    label_en="system checks",
    label_zh="系统检查",
    fields=(
        _f("check_id", "VARCHAR", "id", "check id", "检查编号"),
        _f("check_date", "DATE", "date", "check date", "检查日期", required=True),
        _f("system", "VARCHAR", "label", "system", "系统", required=True),
        _f("availability_pct", "DOUBLE", "percent", "availability %", "可用率（%）"),
        _f("incidents", "INTEGER", "number", "incidents", "故障次数"),
        _f("score", "DOUBLE", "score", "score", "得分"),
        _f("checker", "VARCHAR", "text", "checker", "检查人"),
        _f("notes", "VARCHAR", "text", "notes", "说明"),
        _f("modified_at", "TIMESTAMP", "datetime", "last modified", "最后修改时间"),
    ),
    id_field="check_id",
    natural_key=("check_date", "system"),
    date_field="check_date",
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (MONITORING, CALL_TEST, SURVEY, ROSTER, SYSTEM_CHECK)
}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)

# Columns the store adds to every record table, after the canonical fields.
_BOOKKEEPING: tuple[tuple[str, str, str], ...] = (
    # (name, type, constraint)
    ("record_key", "VARCHAR", " NOT NULL"),
    ("row_hash", "VARCHAR", " NOT NULL"),
    ("source_sheet", "VARCHAR", ""),
    ("source_row", "INTEGER", ""),
    ("created_batch", "INTEGER", " NOT NULL"),
    ("batch_id", "INTEGER", " NOT NULL"),
    # When the source says this version was made: the record's own
    # modification time, else the export's time (NULL: unknown).  An import
    # never lets an older version replace a newer one (it is "stale").
    ("source_time", "TIMESTAMP", ""),
)

# Fields added after rows were first hashed: they join a row's hash only
# when they hold a value, so rows stored by earlier versions keep their hash
# (a re-import of an old export is still "the same", not "changed").
HASHED_WHEN_PRESENT: frozenset[str] = frozenset({"modified_at"})

# Derived columns some kinds store for fast aggregation.
_DERIVED: dict[str, tuple[tuple[str, str], ...]] = {
    "survey": (("rating_score", "DOUBLE"), ("satisfaction", "VARCHAR")),
    "call_test": (("is_external", "BOOLEAN"),),
}


def hash_fields(kind: Kind) -> tuple[str, ...]:
    """The value fields hashed position by position (see HASHED_WHEN_PRESENT)."""
    return tuple(f for f in kind.value_fields if f not in HASHED_WHEN_PRESENT)


# Numbered steps from one schema version to the next, run in order when an
# older database is opened (``store.init_schema``), in one transaction.
# Columns are added at the end of a table: every statement that moves rows
# between tables names its columns (``INSERT ... BY NAME``), never relies on
# their order.
def _v2() -> list[str]:
    stmts = []
    for kind in KINDS.values():
        for table in (kind.name, f"{kind.name}_history"):
            if "modified_at" in kind.field_names:
                stmts.append(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS modified_at TIMESTAMP")
            stmts.append(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS source_time TIMESTAMP")
    stmts += [
        "ALTER TABLE import_batch ADD COLUMN IF NOT EXISTS export_time TIMESTAMP",
        "ALTER TABLE import_batch ADD COLUMN IF NOT EXISTS rows_stale INTEGER DEFAULT 0",
        "ALTER TABLE import_batch ADD COLUMN IF NOT EXISTS saved_mapping_id INTEGER",
        "ALTER TABLE import_batch ADD COLUMN IF NOT EXISTS warnings VARCHAR",
    ]
    return stmts


def _v3() -> list[str]:
    """Record tables without index: rebuilt without their primary key, and
    the date indexes dropped (DuckDB cannot drop a constraint in place).

    Why: the merge already keeps ``record_key`` unique (it classifies every
    staged row against the table and deletes what it replaces, under the
    write lock), so the key's index only checked it again, at a price -- a
    third of storing a 100,000-row import (measured: 0.29 s with both
    indexes, 0.20 s without); and an index over dates is never used for the
    pages' date ranges (DuckDB scans by index only when a filter keeps
    under 0.1 % of the rows: min/max zone maps do that work).
    """
    stmts = [f"DROP INDEX IF EXISTS {name}" for name in _OLD_DATE_INDEXES]
    for kind in KINDS.values():
        new = f"{kind.name}__v3"
        stmts += [
            f"CREATE TABLE {new} (\n{_columns(kind)}\n)",
            f"INSERT INTO {new} BY NAME SELECT * FROM {kind.name}",
            f"DROP TABLE {kind.name}",
            f"ALTER TABLE {new} RENAME TO {kind.name}",
        ]
    return stmts


_OLD_DATE_INDEXES = ("monitoring_date_idx", "call_test_date_idx", "survey_date_idx")

_ACTION_COLUMNS = """
    id INTEGER NOT NULL,
    parent_id INTEGER,                  -- the major project that holds it
    type VARCHAR NOT NULL,              -- corrective | preventive | project | coaching
    title VARCHAR NOT NULL,
    trigger VARCHAR NOT NULL,           -- signal | funnel | evaluation | appeal | meeting | manual
    evidence VARCHAR,                   -- JSON: the signal that triggered it
    scope VARCHAR NOT NULL,             -- center | team | agent | item | channel | system
    scope_value VARCHAR,                -- NULL for center
    metrics VARCHAR[],                  -- the metric ids it should move
    owner VARCHAR,
    opened DATE NOT NULL,
    due DATE,
    done DATE,
    verify_after DATE,                  -- the earliest day a verdict may be given
    before_from DATE, before_to DATE, after_from DATE, after_to DATE,
    stage VARCHAR NOT NULL,             -- plan | do | check | act
    status VARCHAR NOT NULL,            -- open | closed
    root_cause VARCHAR,
    measures VARCHAR,
    verification_note VARCHAR,
    verdict VARCHAR,                    -- the last verdict computed (a cache; always recomputed)
    source VARCHAR NOT NULL DEFAULT 'user',   -- user | demo
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL"""


def _action_ddl() -> list[str]:
    """The improvement register (``qa_analytics.improvement.register``):
    ``action`` holds each action's current version, ``action_history`` every
    version ever written (who, when, what kind of change), append-only."""
    return [
        "CREATE SEQUENCE IF NOT EXISTS action_seq START 1",
        f"CREATE TABLE IF NOT EXISTS action ({_ACTION_COLUMNS},\n    PRIMARY KEY (id))",
        f"CREATE TABLE IF NOT EXISTS action_history ({_ACTION_COLUMNS},\n"
        "    changed_by VARCHAR, changed_at TIMESTAMP NOT NULL, change VARCHAR NOT NULL)",
    ]


def _v4() -> list[str]:
    """The improvement register's tables (nothing else changes)."""
    return _action_ddl()


MIGRATIONS: dict[int, Callable[[], list[str]]] = {2: _v2, 3: _v3, 4: _v4}


def migration_steps(from_version: int) -> list[tuple[int, list[str]]]:
    """The statements that take a database from ``from_version`` to
    :data:`SCHEMA_VERSION`, version by version."""
    return [(v, MIGRATIONS[v]()) for v in range(from_version + 1, SCHEMA_VERSION + 1)]


def table_columns(kind_name: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a kind's table, in table order, from the same
    definitions as its DDL (no database needed)."""
    kind = KINDS[kind_name]
    return ([(f.name, f.sql_type) for f in kind.fields] + list(_DERIVED.get(kind_name, ()))
            + [(name, sql_type) for name, sql_type, _c in _BOOKKEEPING])


def _columns(kind: Kind) -> str:
    cols = [f"    {f.name} {f.sql_type}" for f in kind.fields]
    cols += [f"    {name} {sql_type}" for name, sql_type in _DERIVED.get(kind.name, ())]
    cols += [f"    {name} {sql_type}{constraint}" for name, sql_type, constraint in _BOOKKEEPING]
    return ",\n".join(cols)


def ddl_statements() -> list[str]:
    """Every CREATE statement of the schema, idempotent (``IF NOT EXISTS``)."""
    stmts = [
        """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
        """CREATE SEQUENCE IF NOT EXISTS batch_seq START 1""",
        """CREATE TABLE IF NOT EXISTS import_batch (
            batch_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR,
            kind VARCHAR NOT NULL,
            sheet VARCHAR,
            source VARCHAR NOT NULL DEFAULT 'import',   -- import | demo
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_imported INTEGER NOT NULL DEFAULT 0,
            rows_updated INTEGER NOT NULL DEFAULT 0,
            rows_duplicate INTEGER NOT NULL DEFAULT 0,
            rows_rejected INTEGER NOT NULL DEFAULT 0,
            imported_at TIMESTAMP NOT NULL,
            imported_by VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'active',   -- active | undone
            undone_at TIMESTAMP,
            mapping VARCHAR,                            -- JSON: header -> field
            rejects_file VARCHAR,
            export_time TIMESTAMP,                      -- when the export says it was made
            rows_stale INTEGER NOT NULL DEFAULT 0,      -- older versions not applied
            saved_mapping_id INTEGER,                   -- the saved mapping that was applied
            warnings VARCHAR                            -- JSON: [{code, params}]
        )""",
        """CREATE SEQUENCE IF NOT EXISTS mapping_seq START 1""",
        # A mapping confirmed or corrected once, applied again whenever an
        # export with the same header layout arrives (qa_analytics.ingest.mappings).
        """CREATE TABLE IF NOT EXISTS saved_mapping (
            mapping_id INTEGER PRIMARY KEY,
            signature VARCHAR NOT NULL UNIQUE,          -- hash of the layout's headers
            kind VARCHAR NOT NULL,
            headers VARCHAR NOT NULL,                   -- JSON: the layout's column headers
            columns VARCHAR NOT NULL,                   -- JSON: header -> field | item | ignore
            label VARCHAR,
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR,
            updated_at TIMESTAMP,
            used_count INTEGER NOT NULL DEFAULT 0,
            last_used_at TIMESTAMP
        )""",
    ]
    stmts += _action_ddl()
    for kind in KINDS.values():
        cols = _columns(kind)
        # No primary key, no index: ``record_key`` is unique by construction
        # (see ``_v3`` for why and what it saves).
        stmts.append(f"CREATE TABLE IF NOT EXISTS {kind.name} (\n{cols}\n)")
        # A replaced version: the row as it was, and the batch that replaced it.
        stmts.append(
            f"CREATE TABLE IF NOT EXISTS {kind.name}_history (\n{cols},\n"
            "    superseded_by INTEGER NOT NULL,\n    superseded_at TIMESTAMP NOT NULL\n)"
        )
    item_cols = """
        record_key VARCHAR NOT NULL,
        item VARCHAR NOT NULL,
        item_group VARCHAR,
        points DOUBLE,              -- NULL: not applicable (excluded from the maximum)
        raw_value VARCHAR,
        batch_id INTEGER NOT NULL"""
    # No primary key: (record_key, item) is unique by construction (one
    # column per item), and the index cost more than the rest of the insert.
    stmts.append(f"CREATE TABLE IF NOT EXISTS monitoring_item ({item_cols})")
    stmts.append(
        f"CREATE TABLE IF NOT EXISTS monitoring_item_history ({item_cols},\n"
        "        superseded_by INTEGER NOT NULL)"
    )
    stmts += [
        # Team as of any date: the roster's current rows plus the versions they
        # replaced.  Exports that lack a team take it from here.
        """CREATE OR REPLACE VIEW roster_timeline AS
            SELECT agent_id, agent_name, team,
                   COALESCE(effective_date, hire_date, DATE '1900-01-01') AS valid_from
            FROM roster
            UNION ALL
            SELECT agent_id, agent_name, team,
                   COALESCE(effective_date, hire_date, DATE '1900-01-01') AS valid_from
            FROM roster_history""",
    ]
    # The same as validity intervals [valid_from, valid_to) per agent (several
    # versions on one day: one of them, as the as-of join of the *_v views).
    stmts.append(
        """CREATE OR REPLACE VIEW roster_intervals AS
            SELECT agent_id, team, agent_name, valid_from,
                   lead(valid_from, 1, DATE '9999-12-31') OVER (PARTITION BY agent_id ORDER BY valid_from)
                       AS valid_to
            FROM (SELECT agent_id, valid_from, any_value(team) AS team, any_value(agent_name) AS agent_name
                  FROM roster_timeline GROUP BY ALL)"""
    )
    for kind_name, date_col in (
        ("monitoring", "eval_date"),
        ("call_test", "test_date"),
        ("survey", "survey_date"),
    ):
        # *_v: the record with its team resolved (export's own team first,
        # else the roster's team in force on the record's date).
        stmts.append(
            f"""CREATE OR REPLACE VIEW {kind_name}_v AS
            SELECT r.* EXCLUDE (team),
                   COALESCE(r.team, t.team) AS team,
                   COALESCE(r.agent_name, t.agent_name) AS agent_display_name
            FROM {kind_name} r
            ASOF LEFT JOIN roster_timeline t
              ON r.agent_id = t.agent_id AND r.{date_col} >= t.valid_from"""
        )
    return stmts
