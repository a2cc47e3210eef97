"""The center's scoring rules that more than one stage applies.

Why here: the pass mark decides whether an imported call test without a
pass/fail column passed (ingest), what the demo center's testers record
(demo), and the default of the internal pass rate compared with external
tests (views.eval_types); a center that changes it changes it once.
"""

from __future__ import annotations

__all__ = ["PASS_MARK"]

#: A call test, or an evaluation compared with one, passes at this score or above (points of 100).
PASS_MARK: float = 80.0
