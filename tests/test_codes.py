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
