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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Code", "Problem", "Text", "Phrase", "Words", "Joined", "Worded", "define", "lookup", "render", "say",
    "all_codes", "resolve_lang", "LANGS",
]

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Code:
    """One kind of problem: a stable name and its sentence in zh and en."""

    name: str
    en: str
    zh: str

    def text(self, lang: str = "en", **params: Any) -> str:
        """The sentence in ``lang``; parameters that are themselves :class:`Text`
        (a period, a rule's wording, another phrase) are said in the same language."""
        template = self.zh if _is_zh(lang) else self.en
        try:
            return template.format(**{k: say(v, lang) if isinstance(v, Text) else v for k, v in params.items()})
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


def _is_zh(lang: str | None) -> bool:
    return str(lang or "").lower().startswith("zh")


@runtime_checkable
class Text(Protocol):
    """Anything that can say itself in a language: a :class:`Code`, a
    :class:`Phrase`, a rule, a metric, a period.  The library returns these
    (never a sentence per language in two columns); the dashboard and the
    command line call :func:`say` with the reader's language."""

    def text(self, lang: str = "en") -> str: ...


@dataclass(frozen=True)
class Phrase:
    """A code and its parameters, said when someone reads it (``say``)."""

    code: Code
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return self.code.text(lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Words:
    """Text a user wrote in both languages (an indicator's name in the model
    file): data, not a rule, so it has no code."""

    en: str
    zh: str

    def text(self, lang: str = "en") -> str:
        return (self.zh or self.en) if _is_zh(lang) else (self.en or self.zh)

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Worded:
    """A rule's own wording with its arguments (``Rule.describe(lang, direction)``):
    ``Worded(rule.describe, direction=-1)``."""

    describe: Callable[..., str]
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, describe: Callable[..., str], **kwargs: Any):
        object.__setattr__(self, "describe", describe)
        object.__setattr__(self, "kwargs", kwargs)

    def text(self, lang: str = "en") -> str:
        return self.describe(lang, **self.kwargs)


@dataclass(frozen=True)
class Joined:
    """Parts said one after the other, with the language's separator:
    ``clause`` (; / ；), ``list`` (, / 、) or ``none``."""

    parts: tuple[Any, ...]
    sep: str = "clause"

    def __init__(self, parts: Iterable[Any], sep: str = "clause"):
        object.__setattr__(self, "parts", tuple(parts))
        object.__setattr__(self, "sep", sep)

    def text(self, lang: str = "en") -> str:
        between = "" if self.sep == "none" else say(_SEPARATORS[self.sep], lang)
        return between.join(say(p, lang) for p in self.parts)


def say(x: Any, lang: str = "en") -> str:
    """Anything the library returns for a person to read, in ``lang``:
    a :class:`Text` is said, None is empty, anything else is ``str()``-ed."""
    if x is None:
        return ""
    if isinstance(x, Text):
        return x.text(lang)
    return str(x)


def lookup(name: str) -> Code | None:
    return _REGISTRY.get(name)


def all_codes() -> dict[str, Code]:
    """Every code defined so far (import the modules first to see theirs)."""
    return dict(_REGISTRY)


def render(name: str, params: dict[str, Any] | None = None, lang: str = "en") -> str:
    """The sentence for a code name; the name itself when it is unknown."""
    code = _REGISTRY.get(name)
    return code.text(lang, **(params or {})) if code else name


_SEPARATORS = {
    "clause": define("sep_clause", en="; ", zh="；"),
    "list": define("sep_list", en=", ", zh="、"),
}


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

    text = message  # a problem is a Text too (``say(problem, lang)``)

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
