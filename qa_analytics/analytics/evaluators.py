"""The monthly review of QA staff (the evaluators who score monitored contacts).

Four questions, one function each, all over ``monitoring`` rows whose
``evaluator`` is known (rows without an evaluator cannot be attributed and
are left out everywhere):

* :func:`evaluator_activity` - how many evaluations each evaluator did per
  day / week / month against a quota, and how the scores they gave are
  distributed (mean, sd, quartiles, share of low scores, critical-error rate);
* :func:`leniency` - does an evaluator score *comparable contacts* higher
  (lenient) or lower (severe) than the other evaluators do, and is the
  difference real;
* :func:`calibration_agreement` / :func:`calibration_items` - where several
  evaluators scored the same ``contact_id`` (calibration sessions), how well
  they agree (Krippendorff's alpha, ICC(2,1)) and which items they disagree on;
* :func:`appeal_stats` - appeal and overturn rates per evaluator.

The agreement statistics are also exported as pure functions on arrays
(:func:`icc`, :func:`icc2_1`, :func:`krippendorff_alpha`).

Aggregation runs in DuckDB; only one row per evaluator x period (or per
calibration contact) comes back.  scipy is imported lazily (``scipy.special``)
by the functions that need a distribution.

References
----------
* Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in
  assessing rater reliability. *Psychological Bulletin* 86(2), 420-428.
* McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some
  intraclass correlation coefficients. *Psychological Methods* 1(1), 30-46.
* Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
  Annenberg School for Communication, University of Pennsylvania.
* Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
  cumulative science: a practical primer for t-tests and ANOVAs.
  *Frontiers in Psychology* 4, 863 (Cohen's d_z for paired designs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..core.codes import Code, Phrase, define
from ..core.periods import as_date, bucket_sql
from ..stats.intervals import t_two_sided_p
from ..stats.multiplicity import adjust_p, comparisons
from ..stats.reliability import icc, icc2_1, krippendorff_alpha
from .compliance import calendar_periods, working_days

__all__ = [
    "GRAINS",
    "LENIENCY_CODES",
    "NO_APPEAL_WORDS",
    "PENDING_WORDS",
    "SUCCESS_WORDS",
    "appeal_stats",
    "calibration_agreement",
    "calibration_items",
    "calibration_scores",
    "evaluator_activity",
    "icc",
    "icc2_1",
    "krippendorff_alpha",
    "leniency",
]

#: Period grains of the review.
GRAINS: tuple[str, ...] = ("day", "week", "month")

#: Appeal statuses meaning "not appealed" (compared lower-cased and trimmed).
NO_APPEAL_WORDS: tuple[str, ...] = (
    "无", "否", "未申诉", "不申诉", "没有", "none", "no", "n/a", "na", "-", "/", "—", "null", "nan",
)
#: Appeal statuses meaning the appeal succeeded (the score was overturned).
SUCCESS_WORDS: tuple[str, ...] = (
    "申诉成功", "成功", "申诉通过", "通过", "改判", "已改判", "申诉有效",
    "upheld", "appeal upheld", "overturned", "successful", "success", "appeal successful", "accepted",
)
#: Appeal statuses meaning the appeal is not decided yet.
PENDING_WORDS: tuple[str, ...] = (
    "申诉中", "处理中", "待处理", "审核中", "待审核", "复核中", "pending", "in progress", "under review", "open",
)

#: A leniency label's words (the short form a legend shows), one code per label.
LENIENCY_CODES: dict[str, Code] = {
    "lenient": define("leniency_lenient", en="lenient", zh="偏松"),
    "severe": define("leniency_severe", en="severe", zh="偏严"),
    "in line": define("leniency_in_line", en="in line", zh="与同行一致"),
    "insufficient data": define("leniency_insufficient_data", en="too few comparable evaluations", zh="可比评估不足"),
}
# The sentence of a label with its difference from peers and p-value.
_LENIENT_SENTENCE = define("leniency_lenient_sentence", en="lenient: {diff} points above peers ({p})",
                           zh="偏松：比同行高{diff}分（{p}）")
_SEVERE_SENTENCE = define("leniency_severe_sentence", en="severe: {diff} points below peers ({p})",
                          zh="偏严：比同行低{diff}分（{p}）")
_IN_LINE_SENTENCE = define("leniency_in_line_sentence", en="in line with peers ({sign}{diff} points, {p})",
                           zh="与同行一致（{sign}{diff}分，{p}）")

_EVALUATOR_OK = "evaluator IS NOT NULL AND trim(evaluator) <> ''"
#: how many times :func:`leniency` re-tests with the flagged evaluators out of the baseline
_PEER_ROUNDS = 5


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _check_grain(grain: str | None, allow_none: bool = False) -> None:
    if grain is None and allow_none:
        return
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")


def _range(
    con: duckdb.DuckDBPyConnection, date_from: Any, date_to: Any
) -> tuple[dt.date, dt.date] | None:
    """The range asked for, a missing end taken from the monitoring data (None: no data)."""
    if date_from is not None and date_to is not None:
        d0, d1 = as_date(date_from), as_date(date_to)
    else:
        lo, hi = con.execute("SELECT min(eval_date), max(eval_date) FROM monitoring").fetchone()
        if lo is None:
            return None
        d0 = as_date(date_from) if date_from is not None else lo
        d1 = as_date(date_to) if date_to is not None else hi
    if d1 < d0:
        raise ValueError(f"date_to {d1} is before date_from {d0}")
    return d0, d1


def _periods_frame(
    d0: dt.date, d1: dt.date, grain: str, holidays: Iterable[Any], extra_workdays: Iterable[Any]
) -> pd.DataFrame:
    per = calendar_periods(d0, d1, grain)
    hol, extra = list(holidays), list(extra_workdays)
    return pd.DataFrame(
        {
            "period_start": pd.Series([p[0] for p in per], dtype="datetime64[us]"),
            "period_end": pd.Series([p[1] for p in per], dtype="datetime64[us]"),
            # working days of the period that fall inside the range
            "working_days": [
                working_days(max(p[0], d0), min(p[1], d1), hol, extra) for p in per
            ],
        }
    )


def _t_two_sided(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    t = np.asarray(t, float)
    df = np.asarray(df, float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(t) & (df > 0), t_two_sided_p(t, np.where(df > 0, df, 1.0)), np.nan)


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# ---------------------------------------------------------------------------
# workload and score distribution
# ---------------------------------------------------------------------------
def evaluator_activity(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    grain: str = "month",
    *,
    daily_quota: float | None = None,
    weekly_quota: float | None = None,
    holidays: Iterable[Any] = (),
    extra_workdays: Iterable[Any] = (),
    low_score: float = 60.0,
) -> pd.DataFrame:
    """Evaluations done against a quota, and the distribution of the scores given.

    One row per evaluator x period for every evaluator with at least one
    evaluation in ``[date_from, date_to]`` and every ``grain`` period
    overlapping it (periods without evaluations show ``evaluations = 0``).
    A missing ``date_from``/``date_to`` is taken from the data.

    Quota: ``daily_quota`` evaluations per working day, or ``weekly_quota``
    per week prorated by working days::

        quota = daily_quota  * working_days
        quota = weekly_quota * working_days / 5

    where ``working_days`` counts Mon-Fri minus ``holidays`` plus
    ``extra_workdays`` *inside the range* (an edge period only partly in the
    range gets a proportionally smaller quota).  Give at most one of the two.

    Score distribution: quartiles are ``quantile_cont`` (linear interpolation,
    R's type 7 / numpy's default); ``sd_score`` is the sample sd (n - 1).

    Returns
    -------
    DataFrame with columns

    * ``evaluator``, ``period_start``, ``period_end`` (datetime64, whole period)
    * ``working_days`` - working days of the period inside the range
    * ``evaluations`` - evaluations done (int)
    * ``quota`` - expected evaluations (float; NaN without a quota)
    * ``quota_ratio`` - ``evaluations / quota`` (NaN when quota is NaN or 0)
    * ``quota_met`` - ``evaluations >= quota`` (nullable boolean; NA without a quota)
    * ``mean_score``, ``sd_score``, ``min_score``, ``q1``, ``median``, ``q3``, ``max_score``
    * ``below`` - scores below ``low_score`` (default 60); ``share_below`` = below / evaluations
    * ``critical_errors`` - evaluations flagged critical; ``critical_error_rate`` =
      critical_errors / evaluations with a known flag
    """
    _check_grain(grain)
    if daily_quota is not None and weekly_quota is not None:
        raise ValueError("give daily_quota or weekly_quota, not both")
    cols = [
        "evaluator", "period_start", "period_end", "working_days", "evaluations", "quota",
        "quota_ratio", "quota_met", "mean_score", "sd_score", "min_score", "q1", "median", "q3",
        "max_score", "below", "share_below", "critical_errors", "critical_error_rate",
    ]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    agg = con.execute(
        f"""SELECT evaluator, {bucket_sql('eval_date', grain)} AS period_start,
                   count(*) AS evaluations,
                   avg(total_score) AS mean_score,
                   stddev_samp(total_score) AS sd_score,
                   min(total_score) AS min_score,
                   quantile_cont(total_score, 0.25) AS q1,
                   quantile_cont(total_score, 0.5) AS median,
                   quantile_cont(total_score, 0.75) AS q3,
                   max(total_score) AS max_score,
                   count_if(total_score < ?) AS below,
                   count_if(critical_error) AS critical_errors,
                   count(critical_error) AS critical_known
            FROM monitoring
            WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK} AND total_score IS NOT NULL
            GROUP BY ALL""",
        [low_score, d0, d1],
    ).df()
    if agg.empty:
        return pd.DataFrame(columns=cols)
    agg["period_start"] = agg["period_start"].astype("datetime64[us]")
    grid = _periods_frame(d0, d1, grain, holidays, extra_workdays)
    evs = pd.DataFrame({"evaluator": sorted(agg["evaluator"].unique())})
    out = evs.merge(grid, how="cross").merge(agg, on=["evaluator", "period_start"], how="left")
    for c in ("evaluations", "below", "critical_errors", "critical_known"):
        out[c] = out[c].fillna(0).astype("int64")
    if daily_quota is not None:
        out["quota"] = float(daily_quota) * out["working_days"]
    elif weekly_quota is not None:
        out["quota"] = float(weekly_quota) * out["working_days"] / 5.0
    else:
        out["quota"] = np.nan
    q = out["quota"].to_numpy(float)
    ev = out["evaluations"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["quota_ratio"] = np.where(q > 0, ev / q, np.nan)
        out["share_below"] = np.where(ev > 0, out["below"] / np.maximum(ev, 1), np.nan)
        known = out["critical_known"].to_numpy(float)
        out["critical_error_rate"] = np.where(
            known > 0, out["critical_errors"] / np.maximum(known, 1), np.nan
        )
    out["quota_met"] = pd.array(
        [None if np.isnan(qq) else bool(e >= qq - 1e-9) for e, qq in zip(ev, q)], dtype="boolean"
    )
    out = out.sort_values(["evaluator", "period_start"], kind="stable").reset_index(drop=True)
    return out[cols]


# ---------------------------------------------------------------------------
# leniency / severity
# ---------------------------------------------------------------------------
def leniency(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    *,
    by: str = "agent",
    per_month: bool = False,
    alpha: float = 0.05,
    min_cells: int = 5,
    min_diff: float = 0.0,
    adjust: str = "bh",
    robust: bool = True,
) -> pd.DataFrame:
    """Each evaluator's scores against the other evaluators' on comparable contacts.

    Comparable contacts are those in the same *cell*: the same agent
    (``by="agent"``, default) or team (``by="team"``, team resolved through the
    roster) in the same calendar month.  For evaluator *e* and every cell *c*
    where *e* and at least one other evaluator scored::

        diff_c   = mean(scores of e in c) - mean(scores of the other evaluators in c)
        mean_diff = mean over cells of diff_c              (k = number of cells)
        t = mean_diff / (sd(diff_c) / sqrt(k)),   df = k - 1   (two-sided p)
        effect_size = mean_diff / sd(diff_c)       (Cohen's d_z, Lakens 2013)

    i.e. a paired comparison with the cells as the pairs: the cells, not the
    single evaluations, are the independent units (an evaluator's several
    evaluations of one agent in one month share one baseline).  When an
    evaluator scores each agent once a month, ``mean_diff`` is the mean of
    (score - peer mean for that agent-month).

    ``label``: ``lenient`` / ``severe`` when ``p_adjusted < alpha`` and
    ``|mean_diff| >= min_diff`` (points), ``insufficient data`` with fewer
    than ``min_cells`` cells (or no variation to test), else ``in line``.
    ``p_adjusted``: the evaluators' p-values (of one month, with
    ``per_month``) adjusted together for the false discovery rate
    (``adjust="bh"``, Benjamini–Hochberg; ``"none"`` keeps the raw p): eight
    evaluators who score alike no longer yield one "severe" by chance.

    The baseline is the *other* evaluators, so one strongly lenient
    evaluator shifts everyone else's baseline: with E evaluators sharing the
    work, an excess of x points makes each of the others look about
    x / (E - 1) points severe.  Over many months that small shift becomes
    "significant".  So (``robust=True``, default) the evaluators found
    lenient or severe are left out of the others' baseline and the others are
    tested again, until the labels settle (at most :data:`_PEER_ROUNDS`
    rounds; a flagged evaluator is still compared with everyone else); in
    the demo, one evaluator 5 points lenient made a colleague 0.8 points
    severe read as 2.1 points severe.  ``min_diff`` (e.g. 2 points) keeps
    small real offsets from being labelled.

    Returns
    -------
    DataFrame, one row per evaluator (per evaluator x month with
    ``per_month=True``), with columns

    * ``evaluator`` [, ``period_start``, ``period_end`` with ``per_month``]
    * ``evaluations`` - all evaluations by the evaluator in the range/month
    * ``evaluations_compared`` - those falling in a matched cell
    * ``cells`` - matched cells (k)
    * ``mean_score`` - mean over cells of the evaluator's cell mean
    * ``peer_mean`` - mean over cells of the other evaluators' cell mean
    * ``mean_diff`` - ``mean_score - peer_mean`` (points; > 0 = more lenient)
    * ``sd_diff``, ``t``, ``df``, ``p_value``, ``effect_size`` (Cohen's d_z)
    * ``p_adjusted``, ``comparisons`` - after the multiplicity adjustment, and
      how many evaluators it corrected for
    * ``label`` - ``lenient`` | ``severe`` | ``in line`` | ``insufficient data``
    * ``text`` - the sentence (a :class:`Phrase`), e.g. "lenient: 5.2 points
      above peers (p < 0.001)" / "偏松：比同行高5.2分（p < 0.001）"
    """
    if by not in ("agent", "team"):
        raise ValueError("by must be 'agent' or 'team'")
    cols = [
        "evaluator", *(["period_start", "period_end"] if per_month else []), "evaluations",
        "evaluations_compared", "cells", "mean_score", "peer_mean", "mean_diff", "sd_diff", "t",
        "df", "p_value", "p_adjusted", "comparisons", "effect_size", "label", "text",
    ]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    cell = "agent_id" if by == "agent" else "team"
    grp = "evaluator, cell_month" if per_month else "evaluator"
    # who is left out of everyone else's baseline: an evaluator, or an evaluator-month with per_month
    who = "evaluator || chr(31) || strftime(cell_month, '%Y-%m')" if per_month else "evaluator"
    sql = f"""WITH m AS (
                SELECT evaluator, {cell} AS cell,
                       CAST(date_trunc('month', eval_date) AS DATE) AS cell_month,
                       total_score AS s
                FROM monitoring_v
                WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK} AND total_score IS NOT NULL),
            flagged AS (SELECT *, list_contains(?::VARCHAR[], {who}) AS out FROM m),
            tot AS (SELECT {grp}, count(*) AS evaluations FROM m GROUP BY ALL),
            c AS (SELECT cell, cell_month, sum(s) AS s_all, count(*) AS n_all
                  FROM flagged WHERE cell IS NOT NULL AND NOT out GROUP BY ALL),
            e AS (SELECT evaluator, cell, cell_month, bool_or(out) AS out, sum(s) AS s_e, count(*) AS n_e
                  FROM flagged WHERE cell IS NOT NULL GROUP BY ALL),
            j AS (SELECT e.evaluator, e.cell_month, e.n_e, e.s_e / e.n_e AS mean_e,
                         (c.s_all - CASE WHEN e.out THEN 0 ELSE e.s_e END)
                           / (c.n_all - CASE WHEN e.out THEN 0 ELSE e.n_e END) AS peer
                  FROM e JOIN c USING (cell, cell_month)
                  WHERE c.n_all > CASE WHEN e.out THEN 0 ELSE e.n_e END),
            agg AS (SELECT {grp}, sum(n_e) AS evaluations_compared, count(*) AS cells,
                           avg(mean_e) AS mean_score, avg(peer) AS peer_mean,
                           avg(mean_e - peer) AS mean_diff,
                           stddev_samp(mean_e - peer) AS sd_diff
                    FROM j GROUP BY ALL)
            SELECT * FROM tot LEFT JOIN agg USING ({grp})
            ORDER BY {grp}"""

    def one_round(excluded: list[str]) -> pd.DataFrame:
        return _leniency_labels(con.execute(sql, [d0, d1, excluded]).df(), per_month=per_month, alpha=alpha,
                                min_cells=min_cells, min_diff=min_diff, adjust=adjust)

    df = one_round([])
    if df.empty:
        return pd.DataFrame(columns=cols)
    seen: set[tuple[str, ...]] = set()
    for _ in range(_PEER_ROUNDS if robust else 0):
        hit = df["label"].isin(["lenient", "severe"])
        if per_month:
            keys = (df["evaluator"].astype(str) + "\x1f" + pd.to_datetime(df["cell_month"]).dt.strftime("%Y-%m"))[hit]
        else:
            keys = df["evaluator"].astype(str)[hit]
        excluded = tuple(sorted(keys))
        if not excluded or excluded in seen:
            break
        seen.add(excluded)
        df = one_round(list(excluded))
    if per_month:
        df = df.rename(columns={"cell_month": "period_start"})
        df["period_start"] = df["period_start"].astype("datetime64[us]")
        df["period_end"] = (df["period_start"] + pd.offsets.MonthEnd(0)).astype("datetime64[us]")
    return df[cols].reset_index(drop=True)


def _leniency_labels(df: pd.DataFrame, *, per_month: bool, alpha: float, min_cells: int, min_diff: float,
                     adjust: str) -> pd.DataFrame:
    """The paired t test, the multiplicity adjustment and the labels of one round of :func:`leniency`."""
    if df.empty:
        return df
    df["evaluations_compared"] = df["evaluations_compared"].fillna(0).astype("int64")
    df["cells"] = df["cells"].fillna(0).astype("int64")
    k = df["cells"].to_numpy(float)
    md = df["mean_diff"].to_numpy(float)
    sd = df["sd_diff"].to_numpy(float)
    ok = (k >= max(min_cells, 2)) & np.isfinite(sd) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(ok, md / (sd / np.sqrt(k)), np.nan)
        df["effect_size"] = np.where(ok, md / sd, np.nan)
    dfree = np.where(ok, k - 1, np.nan)
    df["t"], df["df"] = t, dfree
    df["p_value"] = _t_two_sided(t, dfree)
    raw = df["p_value"].to_numpy(float)
    p_adj = np.full(len(df), np.nan)
    n_tests = np.zeros(len(df), dtype="int64")
    families = df.groupby("cell_month", sort=False).indices.values() if per_month else [np.arange(len(df))]
    for idx in families:
        p_adj[idx] = adjust_p(raw[idx], adjust)
        n_tests[idx] = comparisons(raw[idx])
    df["p_adjusted"], df["comparisons"] = p_adj, n_tests
    labels, texts = [], []
    for d, p in zip(md, p_adj):
        if not np.isfinite(p):
            lab = "insufficient data"
        elif p < alpha and abs(d) >= min_diff and d != 0:
            lab = "lenient" if d > 0 else "severe"
        else:
            lab = "in line"
        labels.append(lab)
        texts.append(_leniency_sentence(lab, d, p))
    df["label"] = labels
    df["text"] = pd.Series(texts, index=df.index, dtype=object)
    return df


def _leniency_sentence(label: str, diff: float, p: float) -> Phrase:
    if label == "insufficient data":
        return Phrase(LENIENCY_CODES[label])
    params = {"diff": f"{abs(diff):.1f}", "p": _fmt_p(p), "sign": "+" if diff > 0 else ("-" if diff < 0 else "±")}
    return Phrase({"lenient": _LENIENT_SENTENCE, "severe": _SEVERE_SENTENCE}.get(label, _IN_LINE_SENTENCE), params)


# ---------------------------------------------------------------------------
# calibration sessions (contacts scored by several evaluators)
# ---------------------------------------------------------------------------
def calibration_scores(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    *,
    min_raters: int = 2,
) -> pd.DataFrame:
    """Every score of every contact scored by at least ``min_raters`` evaluators.

    A contact is a non-empty ``contact_id``; an evaluator who scored the same
    contact twice counts once, with the mean of their scores.  Only
    evaluations dated inside the range are used.

    Returns
    -------
    DataFrame (long form) with columns ``contact_id``, ``session_date`` (first
    evaluation date of the contact, datetime64), ``raters`` (evaluators on the
    contact), ``evaluator``, ``total_score``; sorted by session_date,
    contact_id, evaluator.
    """
    cols = ["contact_id", "session_date", "raters", "evaluator", "total_score"]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    df = con.execute(
        f"""WITH r AS (
                SELECT contact_id, evaluator, avg(total_score) AS total_score,
                       min(eval_date) AS d
                FROM monitoring
                WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK}
                  AND contact_id IS NOT NULL AND trim(contact_id) <> ''
                  AND total_score IS NOT NULL
                GROUP BY ALL),
            c AS (SELECT contact_id, min(d) AS session_date, count(*) AS raters
                  FROM r GROUP BY contact_id HAVING count(*) >= ?)
            SELECT c.contact_id, c.session_date, c.raters, r.evaluator, r.total_score
            FROM r JOIN c USING (contact_id)
            ORDER BY c.session_date, c.contact_id, r.evaluator""",
        [d0, d1, int(min_raters)],
    ).df()
    df["session_date"] = df["session_date"].astype("datetime64[us]")
    df["raters"] = df["raters"].astype("int64")
    return df[cols]


def calibration_agreement(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    *,
    grain: str | None = "month",
    min_raters: int = 2,
) -> pd.DataFrame:
    """Inter-rater agreement on total scores of the calibration contacts, per period.

    Contacts come from :func:`calibration_scores` and are grouped by the
    ``grain`` period of their session date (``grain=None``: one row for the
    whole range).  Per group, the contacts x evaluators table gives

    * ``alpha`` - Krippendorff's alpha, interval level (any pattern of
      missing cells: evaluators need not score every contact);
    * ``icc2_1`` - ICC(2,1), only when the table is complete (every evaluator
      of the period scored every contact, at least 2 x 2), else NaN: the
      classic ANOVA estimator needs a crossed, balanced design.

    Returns
    -------
    DataFrame with columns ``period_start``, ``period_end`` (the range when
    ``grain=None``), ``contacts``, ``evaluators``, ``ratings``, ``mean_sd``
    (mean over contacts of the sd of their scores), ``max_range`` (largest
    max - min score on one contact), ``alpha``, ``icc2_1``, ``complete``
    (bool: the table had no missing cell).
    """
    _check_grain(grain, allow_none=True)
    cols = [
        "period_start", "period_end", "contacts", "evaluators", "ratings", "mean_sd",
        "max_range", "alpha", "icc2_1", "complete",
    ]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    sc = calibration_scores(con, d0, d1, min_raters=min_raters)
    if sc.empty:
        return pd.DataFrame(columns=cols)
    if grain is None:
        sc["period_start"] = pd.Timestamp(d0)
        sc["period_end"] = pd.Timestamp(d1)
    else:
        per = pd.DataFrame(calendar_periods(d0, d1, grain), columns=["period_start", "period_end"])
        per = per.astype("datetime64[us]")
        starts = per["period_start"].to_numpy()
        idx = np.searchsorted(starts, sc["session_date"].to_numpy(), side="right") - 1
        sc["period_start"] = starts[idx]
        sc["period_end"] = per["period_end"].to_numpy()[idx]
    rows = []
    for (ps, pe), g in sc.groupby(["period_start", "period_end"], sort=True):
        wide = g.pivot_table(index="contact_id", columns="evaluator", values="total_score", aggfunc="mean")
        y = wide.to_numpy(float)
        complete = bool(np.isfinite(y).all())
        per_contact = g.groupby("contact_id")["total_score"]
        rows.append(
            {
                "period_start": ps,
                "period_end": pe,
                "contacts": int(wide.shape[0]),
                "evaluators": int(wide.shape[1]),
                "ratings": int(np.isfinite(y).sum()),
                "mean_sd": float(per_contact.std(ddof=1).mean()),
                "max_range": float((per_contact.max() - per_contact.min()).max()),
                "alpha": krippendorff_alpha(y, "interval"),
                "icc2_1": icc2_1(y) if complete and min(y.shape) >= 2 else float("nan"),
                "complete": complete,
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"period_start": "datetime64[us]", "period_end": "datetime64[us]"})


def calibration_items(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    *,
    min_raters: int = 2,
) -> pd.DataFrame:
    """Per checklist item: how much the evaluators' points differ on the same contact.

    Over the calibration contacts (a ``contact_id`` scored by at least
    ``min_raters`` evaluators), for each item and contact with at least two
    applicable ratings (``points`` not NULL), the pooled within-contact sd::

        sd_within = sqrt( sum_c sum_i (x_ci - mean_c)^2 / sum_c (m_c - 1) )

    (the sd of points across evaluators, pooled over contacts).  ``NULL``
    points (not applicable) are left out of the sd; ``na_mixed`` counts the
    contacts where some evaluators marked the item not applicable and others
    scored it - a disagreement of its own.

    Returns
    -------
    DataFrame sorted by ``sd_within`` (largest first) with columns
    ``item_group``, ``item``, ``contacts`` (contacts with >= 2 applicable
    ratings), ``ratings``, ``mean_points``, ``sd_within``, ``max_range``
    (largest max - min on one contact), ``disagree_contacts`` (contacts where
    the points were not all equal), ``disagree_share`` (= disagree_contacts /
    contacts), ``na_mixed``.
    """
    cols = [
        "item_group", "item", "contacts", "ratings", "mean_points", "sd_within", "max_range",
        "disagree_contacts", "disagree_share", "na_mixed",
    ]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    df = con.execute(
        f"""WITH r AS (
                SELECT record_key, contact_id, evaluator FROM monitoring
                WHERE eval_date BETWEEN ? AND ? AND {_EVALUATOR_OK}
                  AND contact_id IS NOT NULL AND trim(contact_id) <> ''),
            cal AS (SELECT contact_id FROM r GROUP BY contact_id
                    HAVING count(DISTINCT evaluator) >= ?),
            x AS (SELECT i.item_group, i.item, r.contact_id, i.points
                  FROM monitoring_item i JOIN r USING (record_key) JOIN cal USING (contact_id)),
            per AS (SELECT item_group, item, contact_id,
                           count(points) AS k, count(*) AS m, sum(points) AS s,
                           var_samp(points) AS v, max(points) - min(points) AS rg
                    FROM x GROUP BY ALL)
            SELECT item_group, item,
                   count_if(k >= 2) AS contacts,
                   coalesce(sum(k) FILTER (WHERE k >= 2), 0) AS ratings,
                   sum(s) FILTER (WHERE k >= 2) / sum(k) FILTER (WHERE k >= 2) AS mean_points,
                   sqrt(sum((k - 1) * v) FILTER (WHERE k >= 2)
                        / sum(k - 1) FILTER (WHERE k >= 2)) AS sd_within,
                   max(rg) FILTER (WHERE k >= 2) AS max_range,
                   count_if(k >= 2 AND rg > 0) AS disagree_contacts,
                   count_if(k >= 1 AND k < m) AS na_mixed
            FROM per GROUP BY ALL
            ORDER BY sd_within DESC NULLS LAST, item_group, item""",
        [d0, d1, int(min_raters)],
    ).df()
    for c in ("contacts", "ratings", "disagree_contacts", "na_mixed"):
        df[c] = df[c].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        df["disagree_share"] = np.where(
            df["contacts"] > 0, df["disagree_contacts"] / df["contacts"].clip(lower=1), np.nan
        )
    return df[cols]


# ---------------------------------------------------------------------------
# appeals
# ---------------------------------------------------------------------------
def appeal_stats(
    con: duckdb.DuckDBPyConnection,
    date_from: Any = None,
    date_to: Any = None,
    grain: str | None = None,
    *,
    no_appeal_words: Sequence[str] = NO_APPEAL_WORDS,
    success_words: Sequence[str] = SUCCESS_WORDS,
    pending_words: Sequence[str] = PENDING_WORDS,
) -> pd.DataFrame:
    """Appeal and overturn rates per evaluator (per ``grain`` period if given).

    With ``s = lower(trim(appeal_status))`` and ``revised_up`` = a
    ``monitoring_history`` row (an earlier version of the same
    ``record_key``) has a lower ``total_score`` than the current row::

        appealed   = (s non-empty and not in no_appeal_words) or revised_up
        overturned = s in success_words or revised_up
        pending    = s in pending_words and not overturned
        appeal_rate   = appeals / evaluations
        overturn_rate = overturned / (appeals - pending)   (decided appeals)

    Pending appeals are left out of the overturn rate's denominator: they
    have no outcome yet.  Word lists are matched exactly (after lower/trim),
    so "申诉不成功" is not a success.

    Returns
    -------
    DataFrame with columns ``evaluator`` [, ``period_start``, ``period_end``
    with a grain], ``evaluations``, ``appeals``, ``appeal_rate``, ``pending``,
    ``decided``, ``overturned``, ``overturn_rate`` (NaN without decided
    appeals), ``revised_up`` (evaluations whose score went up on re-import).
    Evaluators/periods without evaluations are not listed.
    """
    _check_grain(grain, allow_none=True)
    cols = [
        "evaluator", *(["period_start", "period_end"] if grain else []), "evaluations", "appeals",
        "appeal_rate", "pending", "decided", "overturned", "overturn_rate", "revised_up",
    ]
    rng = _range(con, date_from, date_to)
    if rng is None:
        return pd.DataFrame(columns=cols)
    d0, d1 = rng
    per = f", {bucket_sql('eval_date', grain)} AS period_start" if grain else ""
    grp = "evaluator, period_start" if grain else "evaluator"
    lower = lambda ws: [str(w).strip().lower() for w in ws]  # noqa: E731
    df = con.execute(
        f"""WITH m AS (
                SELECT m.evaluator{per},
                       lower(trim(m.appeal_status)) AS s,
                       EXISTS (SELECT 1 FROM monitoring_history h
                               WHERE h.record_key = m.record_key
                                 AND h.total_score < m.total_score) AS revised_up
                FROM monitoring m
                WHERE m.eval_date BETWEEN ? AND ?
                  AND m.evaluator IS NOT NULL AND trim(m.evaluator) <> ''),
            f AS (SELECT *,
                         (s IS NOT NULL AND s <> '' AND NOT list_contains(?, s)) OR revised_up AS appealed,
                         coalesce(list_contains(?, s), false) OR revised_up AS overturned,
                         coalesce(list_contains(?, s), false) AS pend
                  FROM m)
            SELECT {grp}, count(*) AS evaluations,
                   count_if(appealed) AS appeals,
                   count_if(appealed AND pend AND NOT overturned) AS pending,
                   count_if(overturned) AS overturned,
                   count_if(revised_up) AS revised_up
            FROM f GROUP BY ALL ORDER BY {grp}""",
        [d0, d1, lower(no_appeal_words), lower(success_words), lower(pending_words)],
    ).df()
    for c in ("evaluations", "appeals", "pending", "overturned", "revised_up"):
        df[c] = df[c].astype("int64")
    df["decided"] = df["appeals"] - df["pending"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["appeal_rate"] = df["appeals"] / df["evaluations"]
        df["overturn_rate"] = np.where(
            df["decided"] > 0, df["overturned"] / df["decided"].clip(lower=1), np.nan
        )
    if grain:
        df["period_start"] = df["period_start"].astype("datetime64[us]")
        ends = [
            calendar_periods(as_date(s), as_date(s), grain)[0][1] for s in df["period_start"]
        ]
        df["period_end"] = pd.Series(ends, dtype="datetime64[us]", index=df.index)
    return df[cols].reset_index(drop=True)
