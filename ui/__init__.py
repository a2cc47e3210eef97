"""Shared Streamlit pieces (i18n, database access, formats): one place, used by every page."""
