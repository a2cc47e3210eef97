"""Many units tested at once: the false discovery rate, not one α per unit.

Why: a page that tests 60 agents at α = 0.05 calls three of them
"significant" when nothing changed.  Benjamini and Hochberg (1995) keep the
expected share of false discoveries among the flagged at α, and under the
complete null (nothing real anywhere) the chance of any flag at α too.
The adjustment is scipy's (``scipy.stats.false_discovery_control``, the
same as R's ``p.adjust(method = "BH")``); this module adds what a table of
units needs: p-values that are missing (a unit with too few data) stay
missing and do not count as comparisons.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["adjust_p", "comparisons"]


def adjust_p(p: Any, method: str = "bh") -> np.ndarray:
    """Adjusted p-values, element by element; NaN where ``p`` is NaN.

    ``method``: ``"bh"`` (Benjamini–Hochberg, the default), ``"by"``
    (Benjamini–Yekutieli, any dependence) or ``"none"`` (the raw p)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    if method not in ("bh", "by"):
        raise ValueError(f"method must be 'bh', 'by' or 'none', not {method!r}")
    from scipy import stats

    out[ok] = stats.false_discovery_control(np.clip(p[ok], 0.0, 1.0), method=method)
    return out


def comparisons(p: Any) -> int:
    """How many tests an adjustment corrected for (the finite p-values)."""
    return int(np.isfinite(np.asarray(p, dtype=float)).sum())
