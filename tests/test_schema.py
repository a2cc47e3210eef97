"""The schema's column list agrees with the tables its DDL creates."""

from __future__ import annotations

import pytest

from qa_analytics.store.schema import KINDS, table_columns


@pytest.mark.parametrize("kind", list(KINDS))
def test_table_columns_match_the_created_tables(con, kind):
    created = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [kind]
    ).fetchall()
    assert table_columns(kind) == [tuple(r) for r in created]
