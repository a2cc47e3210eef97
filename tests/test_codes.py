"""Problems as codes: a problem crosses a process boundary whole."""

from __future__ import annotations

import pickle

import pytest

from qa_analytics.core.codes import Problem, define

SAMPLE = define("sample_problem", en="row {row}: {what}", zh="第 {row} 行：{what}")


class SampleError(Problem):
    pass


def test_a_problem_pickles_with_its_code_and_parameters():
    exc = SampleError(SAMPLE, row=3, what="bad")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is SampleError and back.code == SAMPLE and back.params == {"row": 3, "what": "bad"}
    assert str(back) == "row 3: bad" and back.message("zh") == "第 3 行：bad"


def test_unpickling_builds_only_problems():
    from qa_analytics.core.codes import _rebuild

    with pytest.raises(TypeError):
        _rebuild(dict, SAMPLE, {})
    with pytest.raises(TypeError):
        _rebuild(SampleError, "not a code", {})


# ---------------------------------------------------------------------------
# Text: what the library returns for a person to read (issue 9)
# ---------------------------------------------------------------------------
def test_a_phrase_says_its_parameters_in_its_own_language():
    from qa_analytics.core.codes import Joined, Phrase, Worded, Words, say
    from qa_analytics.core.periods import PeriodName

    when = PeriodName(__import__("datetime").date(2026, 3, 1), "month")
    rule_words = Worded(lambda lang, direction: ("上升" if direction > 0 else "下降") if lang.startswith("zh")
                        else ("rising" if direction > 0 else "falling"), direction=1)
    phrase = Phrase(SAMPLE, {"row": when, "what": Joined([rule_words, Words("too high", "过高")])})
    assert say(phrase, "en") == "row Mar 2026: rising; too high"
    assert say(phrase, "zh") == "第 2026年3月 行：上升；过高"
    assert say(phrase, "zh-CN") == say(phrase, "zh") and str(phrase) == say(phrase, "en")
    assert say(Joined(["a", "b"], sep="list"), "zh") == "a、b" and say(None) == "" and say(3) == "3"


def _fields(template: str) -> set[str]:
    import string

    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_code_says_the_same_parameters_in_both_languages():
    """A parameter the Chinese sentence forgets (or the English one) is a
    fact one reader never sees: every code of every module uses the same
    fields in zh and en.  Codes that take a word per language as parameters
    (``field_en`` / ``field_zh``) count as one field."""
    import importlib
    import pkgutil

    import qa_analytics
    from qa_analytics.core.codes import all_codes

    for mod in pkgutil.walk_packages(qa_analytics.__path__, "qa_analytics."):
        if not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)
    codes = all_codes()
    assert len(codes) > 100
    for name, code in codes.items():
        en, zh = _fields(code.en), _fields(code.zh)
        en = {f.removesuffix("_zh").removesuffix("_en") for f in en}
        zh = {f.removesuffix("_zh").removesuffix("_en") for f in zh}
        assert en == zh, (name, code.en, code.zh)


def test_the_library_returns_no_words_in_two_columns():
    """Pages render Text (``say``); no module of the library builds a
    ``*_en`` / ``*_zh`` column or key, apart from the indicator model file's
    ``name_en`` / ``name_zh`` (what a user writes) and the metric catalogue
    that lists them for scripts."""
    import ast
    import pathlib
    import re

    import qa_analytics

    root = pathlib.Path(qa_analytics.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"\w+_(en|zh)", node.value)
                    and node.value not in ("name_en", "name_zh", "field_zh")):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.value}")
    assert not found, found
