"""From an export file to staged rows: read (isolated), map the columns, normalise the cells, import."""
