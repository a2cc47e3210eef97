"""Per-page string tables: each module defines ``STRINGS = {key: {"zh": ..., "en": ...}}``.

Why one module per page: pages are written side by side; one shared table
would be edited by all of them.  ``ui.i18n`` merges every module here and a
test asserts that no key is defined twice and every key has both languages.
"""
