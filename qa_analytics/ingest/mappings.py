"""Saved mappings: a layout's column mapping, confirmed once, applied again.

Why: an analyst imports the same system's export every week.  Once a
mapping has been confirmed or corrected (on the Import page, or with
``--map``), the next export with the same header layout must arrive mapped
the same way, without anyone touching the grid again.  A layout is
recognised by its *header signature*: the folded text of every header and
of the group above it, in column order (title rows, dates and data do not
enter it, so next month's export has the same signature).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import duckdb

from .. import store
from ..core.codes import Problem, define
from ..store.schema import KINDS
from .mapping import HeaderLayout, normalize_header

__all__ = ["SavedMapping", "MappingNotFound", "layout_signature", "find", "get", "save", "update", "delete",
           "list_saved", "mark_used", "known_headers"]

MAPPING_NOT_FOUND = define("mapping_not_found", en="there is no saved mapping {mapping_id}",
                           zh="没有编号为 {mapping_id} 的已保存映射")
MAPPING_BAD_TARGET = define(
    "mapping_bad_target",
    en="{target!r} is not a field of {kind} (fields: {fields}, item, ignore)",
    zh="“{target}”不是{kind_zh}的字段（可用字段：{fields}、item、ignore）",
)


class MappingNotFound(Problem):
    """No saved mapping with that id."""


@dataclass(frozen=True)
class SavedMapping:
    mapping_id: int
    signature: str
    kind: str
    headers: list[str | None]
    columns: dict[str, str]  # header -> field | item | ignore
    label: str | None
    created_at: dt.datetime
    created_by: str | None
    updated_at: dt.datetime | None
    used_count: int
    last_used_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        for k in ("created_at", "updated_at", "last_used_at"):
            if d[k] is not None:
                d[k] = d[k].isoformat(timespec="seconds")
        return d


def layout_signature(layout: HeaderLayout) -> str:
    """A stable hash of a layout's headers (and their groups), column by column."""
    cols = [(normalize_header(n), normalize_header(g)) for n, g in zip(layout.names, layout.groups)]
    while cols and cols[-1] == ("", ""):
        cols.pop()
    return hashlib.sha256(json.dumps(cols, ensure_ascii=False).encode()).hexdigest()[:32]


_COLUMNS = ("mapping_id, signature, kind, headers, columns, label, created_at, created_by, updated_at, "
            "used_count, last_used_at")


def _row(r: tuple) -> SavedMapping:
    return SavedMapping(int(r[0]), r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5], r[6], r[7], r[8],
                        int(r[9]), r[10])


def find(con: duckdb.DuckDBPyConnection, signature: str) -> SavedMapping | None:
    r = con.execute(f"SELECT {_COLUMNS} FROM saved_mapping WHERE signature = ?", [signature]).fetchone()
    return _row(r) if r else None


def get(con: duckdb.DuckDBPyConnection, mapping_id: int) -> SavedMapping:
    r = con.execute(f"SELECT {_COLUMNS} FROM saved_mapping WHERE mapping_id = ?", [mapping_id]).fetchone()
    if r is None:
        raise MappingNotFound(MAPPING_NOT_FOUND, mapping_id=mapping_id)
    return _row(r)


def known_headers(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every header of every saved layout, folded: what the header finder may trust."""
    rows = con.execute("SELECT headers FROM saved_mapping").fetchall()
    return frozenset(normalize_header(h) for (hs,) in rows for h in json.loads(hs) if h)


def list_saved(con: duckdb.DuckDBPyConnection) -> list[SavedMapping]:
    """Every saved mapping, most recently used first."""
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM saved_mapping ORDER BY COALESCE(last_used_at, created_at) DESC, mapping_id DESC"
    ).fetchall()
    return [_row(r) for r in rows]


def check_columns(kind: str, columns: dict[str, str]) -> None:
    """Every target must be a field of ``kind``, ``item`` or ``ignore``."""
    valid = set(KINDS[kind].field_names) | {"item", "ignore"}
    for target in columns.values():
        if target not in valid:
            raise Problem(MAPPING_BAD_TARGET, target=target, kind=kind, kind_zh=KINDS[kind].label("zh"),
                          fields=", ".join(sorted(KINDS[kind].field_names)))


def save(
    con: duckdb.DuckDBPyConnection,
    layout: HeaderLayout,
    kind: str,
    columns: dict[str, str],
    label: str | None = None,
    user: str | None = None,
) -> int:
    """Save (or replace) the mapping of ``layout``; returns its id.  Runs in
    the caller's transaction when there is one (the import that confirmed it)."""
    check_columns(kind, columns)
    sig = layout_signature(layout)
    now = dt.datetime.now()
    headers = json.dumps(list(layout.names), ensure_ascii=False)
    cols = json.dumps(columns, ensure_ascii=False)
    existing = find(con, sig)
    if existing is not None:
        con.execute(
            "UPDATE saved_mapping SET kind = ?, headers = ?, columns = ?, label = COALESCE(?, label), updated_at = ? "
            "WHERE mapping_id = ?",
            [kind, headers, cols, label, now, existing.mapping_id],
        )
        return existing.mapping_id
    mapping_id = int(con.execute("SELECT nextval('mapping_seq')").fetchone()[0])
    con.execute(
        "INSERT INTO saved_mapping (mapping_id, signature, kind, headers, columns, label, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [mapping_id, sig, kind, headers, cols, label, now, user or store.current_user()],
    )
    return mapping_id


def update(
    con: duckdb.DuckDBPyConnection,
    mapping_id: int,
    *,
    columns: dict[str, str] | None = None,
    label: str | None = None,
    kind: str | None = None,
) -> SavedMapping:
    """Edit a saved mapping: some of its columns' targets, its label, its kind."""
    with store.transaction(con):
        current = get(con, mapping_id)
        new_kind = kind or current.kind
        merged = {**current.columns, **(columns or {})}
        check_columns(new_kind, merged)
        con.execute(
            "UPDATE saved_mapping SET kind = ?, columns = ?, label = COALESCE(?, label), updated_at = ? "
            "WHERE mapping_id = ?",
            [new_kind, json.dumps(merged, ensure_ascii=False), label, dt.datetime.now(), mapping_id],
        )
        store.bump_version(con)
    return get(con, mapping_id)


def delete(con: duckdb.DuckDBPyConnection, mapping_id: int) -> None:
    with store.transaction(con):
        get(con, mapping_id)
        con.execute("DELETE FROM saved_mapping WHERE mapping_id = ?", [mapping_id])
        store.bump_version(con)


def mark_used(con: duckdb.DuckDBPyConnection, mapping_id: int) -> None:
    """Count a use (inside the import's transaction)."""
    con.execute(
        "UPDATE saved_mapping SET used_count = used_count + 1, last_used_at = ? WHERE mapping_id = ?",
        [dt.datetime.now(), mapping_id],
    )
