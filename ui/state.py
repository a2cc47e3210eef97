"""Values that live in the URL (so a copied link reopens the same view) and in
session state (page navigation clears the URL's parameters, the session
remembers them and writes them back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


def url_value(name: str, default: T, parse: Callable[[str], T] = str) -> T:  # type: ignore[assignment]
    """The value of ``name``: URL first, then this session's last, then default."""
    raw = st.query_params.get(name)
    if raw is not None:
        try:
            value = parse(raw)
            st.session_state[f"_url_{name}"] = value
            return value
        except (ValueError, TypeError):
            pass  # a hand-edited URL with a bad value: fall back quietly
    return st.session_state.get(f"_url_{name}", default)


def set_url_value(name: str, value: object, dump: Callable[[object], str] = str) -> None:
    """Remember ``value`` in the session and the URL (``None`` removes it)."""
    st.session_state[f"_url_{name}"] = value
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != dump(value):
        st.query_params[name] = dump(value)
