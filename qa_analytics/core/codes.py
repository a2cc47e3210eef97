"""Problems as codes with parameters; their words, in both languages, beside the rule.

Why: scripts read a stable ``code`` (``bad_date``, ``db_busy``...), people
read a sentence in their language, and the two must never drift apart.  As
pydantic's errors carry a ``type`` plus ``ctx`` and Django's
``ValidationError`` a ``code`` plus ``params``, every problem this library
reports is a :class:`Code` and its parameters.  A module defines its codes
next to the rule that raises them (``read`` its file errors, ``normalize``
its cell rules...) with :func:`define`; the words live nowhere else, and
the dashboard and the command line render them with :func:`render`.

Templates use :meth:`str.format` fields; a parameter a template does not use
is simply carried along (scripts may still read it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

__all__ = ["Code", "Problem", "define", "lookup", "render", "all_codes", "resolve_lang", "LANGS"]

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Code:
    """One kind of problem: a stable name and its sentence in zh and en."""

    name: str
    en: str
    zh: str

    def text(self, lang: str = "en", **params: Any) -> str:
        template = self.zh if lang == "zh" else self.en
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a caller forgot a parameter: still say something
            return template

    def __call__(self, **params: Any) -> Problem:
        """``BAD_FILE(reason=...)``: the problem, ready to raise."""
        return Problem(self, **params)


_REGISTRY: dict[str, Code] = {}


def define(name: str, *, en: str, zh: str) -> Code:
    """Register a code (once: two rules must not share a name)."""
    existing = _REGISTRY.get(name)
    if existing is not None and (existing.en, existing.zh) != (en, zh):
        raise ValueError(f"code {name!r} is defined twice with different words")
    code = Code(name, en, zh)
    _REGISTRY[name] = code
    return code


def lookup(name: str) -> Code | None:
    return _REGISTRY.get(name)


def all_codes() -> dict[str, Code]:
    """Every code defined so far (import the modules first to see theirs)."""
    return dict(_REGISTRY)


def render(name: str, params: dict[str, Any] | None = None, lang: str = "en") -> str:
    """The sentence for a code name; the name itself when it is unknown."""
    code = _REGISTRY.get(name)
    return code.text(lang, **(params or {})) if code else name


def resolve_lang(lang: str | None = None) -> str:
    """``zh`` or ``en``: the one asked for, else ``$QA_LANG``, else the locale."""
    for candidate in (lang, os.environ.get("QA_LANG")):
        if candidate:
            low = candidate.lower()
            if low.startswith("zh"):
                return "zh"
            if low.startswith("en"):
                return "en"
    loc = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "zh" if loc.lower().startswith("zh") else "en"


class Problem(Exception):
    """An error a person reads and a script tells apart: a code and parameters.

    ``str()`` is the English sentence (logs, tracebacks in tests);
    :meth:`message` gives it in the user's language.
    """

    def __init__(self, code: Code, **params: Any):
        self.code = code
        self.params = params
        super().__init__(code.text("en", **params))

    @property
    def code_name(self) -> str:
        return self.code.name

    def message(self, lang: str = "en") -> str:
        return self.code.text(lang, **self.params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"code": self.code.name, "params": dict(self.params), "message": self.message(lang)}

    def __reduce__(self):
        """Pickle as (class, code, params): a problem raised in another process
        (the isolated reader) arrives whole, not as its English sentence."""
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls: type[Problem], code: Code, params: dict[str, Any]) -> Problem:
    if not (isinstance(cls, type) and issubclass(cls, Problem) and isinstance(code, Code)):
        raise TypeError("not a problem")
    return cls(code, **params)
