"""Database access for the pages: one DuckDB connection per Streamlit session
thread (a connection must not be shared across threads), queries cached
against the store's data version so an import or an undo invalidates them."""

from __future__ import annotations

import threading

import duckdb
import streamlit as st

from qa_analytics import store

_local = threading.local()


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's connection to the configured database."""
    path = str(store.default_db_path())
    con = getattr(_local, "con", None)
    if con is None or getattr(_local, "path", None) != path:
        _local.con = store.connect(path)
        _local.path = path
    return _local.con


def version() -> int:
    return store.data_version(connection())


@st.cache_data(show_spinner=False, max_entries=64)
def cached(fn_name: str, data_version: int, db_path: str, *args):
    """Run ``store.<fn_name>(con, *args)`` once per data version."""
    return getattr(store, fn_name)(connection(), *args)


def query(fn_name: str, *args):
    return cached(fn_name, version(), str(store.default_db_path()), *args)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(target: str, data_version: int, db_path: str, args: tuple, kwargs: tuple):
    import importlib

    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    return fn(connection(), *args, **dict(kwargs))


def call(target: str, *args, **kwargs):
    """``module:function(con, *args, **kwargs)``, cached until the data change.

    ``target`` names a ``qa_analytics`` function taking the connection first,
    e.g. ``call("qa_analytics.metrics:metric_table", ["qa_mean_score"], grain="month")``.
    Arguments must be hashable by ``st.cache_data`` (dates, strings, lists...).
    """
    return _cached_call(target, version(), str(store.default_db_path()), args, tuple(sorted(kwargs.items())))
