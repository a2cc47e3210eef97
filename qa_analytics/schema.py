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
  (see :func:`qa_analytics.normalize.stage_rows`);
* ``row_hash``: a hash of the value fields, so a re-import tells "same row"
  from "changed row" without comparing column by column;
* ``created_batch`` / ``batch_id``: the import that first wrote it and the one
  that last changed it, which is what makes an import exactly undoable.

Monitoring item scores live in long form (``monitoring_item``: record, item,
points) so any export's item columns fit without a schema change.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Field",
    "Kind",
    "KINDS",
    "KIND_NAMES",
    "SCHEMA_VERSION",
    "ddl_statements",
    "table_columns",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Field:
    """One canonical field of a record kind.

    ``sql_type`` is the DuckDB type of the stored column; ``role`` says how the
    importer normalises the raw text (see ``qa_analytics.normalize``).
    """

    name: str
    sql_type: str
    role: str  # id | text | date | timestamp | score | number | percent | bool | rating | channel | tester_type
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """A record kind: its fields, which of them identify a record, and which
    fields identify it when the export carries no id of its own."""

    name: str
    fields: tuple[Field, ...]
    id_field: str | None  # the export's own record id, when it has one
    natural_key: tuple[str, ...]  # used when id_field is absent or empty
    date_field: str | None

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


def _f(name: str, sql_type: str, role: str, required: bool = False) -> Field:
    return Field(name, sql_type, role, required)


MONITORING = Kind(
    name="monitoring",
    fields=(
        _f("eval_id", "VARCHAR", "id"),
        _f("eval_date", "DATE", "date", required=True),
        _f("eval_time", "TIMESTAMP", "timestamp"),
        _f("agent_id", "VARCHAR", "id", required=True),
        _f("agent_name", "VARCHAR", "text"),
        _f("team", "VARCHAR", "text"),
        _f("evaluator", "VARCHAR", "text"),
        _f("contact_id", "VARCHAR", "id"),
        _f("channel", "VARCHAR", "channel"),
        _f("total_score", "DOUBLE", "score", required=True),
        _f("critical_error", "BOOLEAN", "bool"),
        _f("appeal_status", "VARCHAR", "text"),
        _f("comments", "VARCHAR", "text"),
    ),
    id_field="eval_id",
    natural_key=("agent_id", "eval_date", "eval_time", "evaluator", "contact_id", "channel"),
    date_field="eval_date",
)

CALL_TEST = Kind(
    name="call_test",
    fields=(
        _f("test_id", "VARCHAR", "id"),
        _f("test_date", "DATE", "date", required=True),
        _f("tester", "VARCHAR", "text"),
        _f("tester_type", "VARCHAR", "tester_type"),
        _f("agent_id", "VARCHAR", "id"),
        _f("agent_name", "VARCHAR", "text"),
        _f("team", "VARCHAR", "text"),
        _f("scenario", "VARCHAR", "text"),
        _f("channel", "VARCHAR", "channel"),
        _f("score", "DOUBLE", "score"),
        _f("passed", "BOOLEAN", "bool"),
        _f("comments", "VARCHAR", "text"),
    ),
    id_field="test_id",
    natural_key=("test_date", "tester", "agent_id", "scenario"),
    date_field="test_date",
)

SURVEY = Kind(
    name="survey",
    fields=(
        _f("survey_id", "VARCHAR", "id"),
        _f("survey_date", "DATE", "date", required=True),
        _f("survey_time", "TIMESTAMP", "timestamp"),
        _f("agent_id", "VARCHAR", "id"),
        _f("agent_name", "VARCHAR", "text"),
        _f("team", "VARCHAR", "text"),
        _f("contact_id", "VARCHAR", "id"),
        _f("channel", "VARCHAR", "channel"),
        _f("rating", "VARCHAR", "rating", required=True),
        _f("comments", "VARCHAR", "text"),
    ),
    id_field="survey_id",
    natural_key=("survey_date", "survey_time", "agent_id", "contact_id", "channel"),
    date_field="survey_date",
)

ROSTER = Kind(
    name="roster",
    fields=(
        _f("agent_id", "VARCHAR", "id", required=True),
        _f("agent_name", "VARCHAR", "text"),
        _f("team", "VARCHAR", "text"),
        _f("hire_date", "DATE", "date"),
        _f("effective_date", "DATE", "date"),
    ),
    id_field=None,
    natural_key=("agent_id",),
    date_field="effective_date",
)

SYSTEM_CHECK = Kind(
    name="system_check",
    fields=(
        _f("check_id", "VARCHAR", "id"),
        _f("check_date", "DATE", "date", required=True),
        _f("system", "VARCHAR", "text", required=True),
        _f("availability_pct", "DOUBLE", "percent"),
        _f("incidents", "INTEGER", "number"),
        _f("score", "DOUBLE", "score"),
        _f("checker", "VARCHAR", "text"),
        _f("notes", "VARCHAR", "text"),
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
)

# Derived columns some kinds store for fast aggregation.
_DERIVED: dict[str, tuple[tuple[str, str], ...]] = {
    "survey": (("rating_score", "DOUBLE"), ("satisfaction", "VARCHAR")),
    "call_test": (("is_external", "BOOLEAN"),),
}


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
            rejects_file VARCHAR
        )""",
    ]
    for kind in KINDS.values():
        cols = _columns(kind)
        stmts.append(
            f"CREATE TABLE IF NOT EXISTS {kind.name} (\n{cols},\n    PRIMARY KEY (record_key)\n)"
        )
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
        "CREATE INDEX IF NOT EXISTS monitoring_date_idx ON monitoring(eval_date)",
        "CREATE INDEX IF NOT EXISTS call_test_date_idx ON call_test(test_date)",
        "CREATE INDEX IF NOT EXISTS survey_date_idx ON survey(survey_date)",
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
