"""Database access for the pages.

Streamlit runs every script run in a new thread and a DuckDB connection
must not be used by two threads at once, so :func:`connection` gives each
thread its own connection; connections to one file in one process share
the database, so a write is seen by every other as soon as it commits.
The metric rollups are plain tables the store keeps in step with every
import and undo (``qa_analytics.store.rollups``): nothing to build when the
server starts or the data change, and sessions query in parallel.

Cached results are keyed on the store's data version, which every import and
undo bumps: they are invalidated exactly when the data change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from qa_analytics import store
from qa_analytics.store import Connection

_local = threading.local()
_schema_ready: set[str] = set()
T = TypeVar("T")


def _db_path() -> str:
    return str(store.default_db_path())


# How long a page waits for a file another process holds (an import from
# the command line that started before the dashboard) before it says so.
PAGE_LOCK_WAIT_S = 10.0


def _open(path: str) -> Connection:
    """A connection; the schema is checked once per process and file, and
    this process starts answering the command line for the file
    (``qa_analytics.service``: scripts and scheduled imports run beside the
    dashboard, handed over to it)."""
    if path in _schema_ready:
        return store.connect(path, timeout=PAGE_LOCK_WAIT_S, check_schema=False)
    con = store.connect(path, timeout=PAGE_LOCK_WAIT_S)
    _schema_ready.add(path)
    _warm_imports()
    if path != ":memory:":
        from qa_analytics import service

        service.serve(path)
    return con


# Imported on a side thread when the server first opens its database:
# ``scipy.stats`` takes half a second to import (measured 0.45-0.5 s), and the
# first page a user opens after a start (the Overview's significance tests,
# the multiple-comparison adjustment) otherwise waits for it.  A page that
# needs it sooner waits on Python's import lock: never longer than now.
WARM_MODULES = ("scipy.stats",)
_warmed = threading.Event()


def _warm_imports() -> None:
    if _warmed.is_set():
        return
    _warmed.set()

    def work() -> None:
        import importlib

        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:  # the page that needs it says so
                pass

    threading.Thread(target=work, name="qa-warm-imports", daemon=True).start()


def connection() -> Connection:
    """This thread's connection to the configured database."""
    path = _db_path()
    con = getattr(_local, "con", None)
    if con is None or getattr(_local, "path", None) != path:
        _local.con = _open(path)
        _local.path = path
    return _local.con


def version() -> int:
    return store.data_version(connection())


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(_fn: Callable[..., Any], target: str, data_version: int, db_path: str, args: tuple, kwargs: tuple,
                 model_stamp: int):
    # ``_fn`` is not hashed (a leading underscore tells st.cache_data so): its import path ``target`` is the key.
    return _fn(connection(), *args, **dict(kwargs))


def _model_stamp() -> int:
    """When the indicator model file last changed: scores depend on it too."""
    from qa_analytics.analytics.indicators import default_model_path

    try:
        return default_model_path().stat().st_mtime_ns
    except OSError:
        return 0


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(con, *args, **kwargs)`` on this thread's connection, cached until
    the data (or the indicator model file) change.

    ``fn`` is the library function itself (``call(metrics.metric_table,
    ["qa_mean_score"], grain="month")``), so a rename fails in lint and an IDE
    finds every caller; it must be a module-level function taking the
    connection first.  Arguments must be hashable by ``st.cache_data`` (dates,
    strings, lists...).  The cache is keyed on the function's import path.
    """
    target = f"{fn.__module__}:{fn.__qualname__}"
    if "." in fn.__qualname__ or fn.__module__.split(".")[0] != "qa_analytics":
        raise TypeError(f"call() takes a module-level qa_analytics function, not {target}")
    return _cached_call(fn, target, version(), _db_path(), args, tuple(sorted(kwargs.items())), _model_stamp())
