"""Did an action work?  Its metrics before and after, tested, and compared
with the units it did not touch.

Why this shape: an action is credited only when the data shows it -- a
change larger than chance (p < 0.05) in the good direction, and, where
comparable units were not acted on (the other teams for a team's action,
the other agents for an agent's), a change larger than theirs
(difference-in-differences): a center-wide rise is not one team's success.

The tests:

* scores (means) of a scope with several agents: the difference of the
  after and before means, its standard error cluster-robust over the agents
  across *both* windows (an agent's evaluations share that agent's skill and
  the same agents are in both windows).  The regression ``y = a + b after``
  (``y = a + b after + c treated + d after x treated`` for the comparison)
  with CR1 covariance, statsmodels' ``OLS(...).fit(cov_type="cluster")``,
  computed from per-agent-and-window sums that DuckDB aggregates
  (:func:`cluster_ols`); t with G - 1 degrees of freedom;
* scores of one agent: Welch's t on the agent's evaluations;
* rates: the same clustered regression on 0/1 outcomes where several agents
  share the scope (it absorbs the agents' overdispersion); for one agent or
  none, Fisher's exact test when an expected count is below 5, else the
  pooled two-proportion z;
* an agent against the other agents: the agent's own change and its
  standard error against the others' mean change and its clustered error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from ..analytics import metrics as _metrics
from ..core.codes import Code, Joined, Phrase, define
from ..stats import spc
from ..stats.intervals import t_two_sided_p
from .register import Action, get_action

__all__ = [
    "VERDICTS", "VERDICT", "TESTS", "Verification", "ActionChart", "verify_action", "action_chart", "compare",
    "cluster_ols", "MIN_N", "ALPHA",
]

VERDICT: dict[str, Code] = {
    "effective": define("verdict_effective", en="effective", zh="有效"),
    "not_yet": define("verdict_not_yet", en="not shown yet", zh="尚无结论"),
    "no_effect": define("verdict_no_effect", en="no effect shown", zh="未见效果"),
    "worse": define("verdict_worse", en="worse", zh="变差"),
}
VERDICTS: tuple[str, ...] = tuple(VERDICT)

TESTS: dict[str, Code] = {
    "welch_clustered": define("test_welch_clustered", en="Welch t, agents as clusters (CR1)",
                              zh="Welch t 检验（按坐席聚类，CR1）"),
    "welch": define("test_welch", en="Welch t", zh="Welch t 检验"),
    "z_clustered": define("test_z_clustered", en="two-proportion z, agents as clusters (CR1)",
                          zh="两比例 z 检验（按坐席聚类，CR1）"),
    "z": define("test_z", en="two-proportion z", zh="两比例 z 检验"),
    "fisher": define("test_fisher", en="Fisher's exact test", zh="Fisher 精确检验"),
    "none": define("test_none", en="not tested (a count)", zh="未检验（计数指标）"),
}

#: The evaluations (observations) each window needs before a verdict.
MIN_N = 30
ALPHA = 0.05

TOO_EARLY = define("verify_too_early", en="a verdict is due from {date}", zh="{date} 起才能给出结论")
TOO_FEW = define("verify_too_few", en="{metric}: {n} observations after the action, {min_n} needed",
                 zh="{metric}：措施后仅 {n} 条数据，至少需要 {min_n} 条")
NO_METRICS = define("verify_no_metrics", en="the action names no metric to verify", zh="该措施未指定需验证的指标")
METRIC_LINE = define(
    "verify_metric_line",
    en="{metric}: {before} → {after} (difference {diff} [{lo}, {hi}], p {p}, {test}){did}",
    zh="{metric}：{before} → {after}（差值 {diff} [{lo}, {hi}]，p {p}，{test}）{did}",
)
DID_PART = define("verify_did_part", en="; against {group}: {did} [{lo}, {hi}], p {p}",
                  zh="；相对{group}：{did} [{lo}, {hi}]，p {p}")
SUMMARY = define("verify_summary", en="#{id} {verdict}: {details}", zh="#{id} {verdict}：{details}")
GROUP: dict[str, Code] = {
    "other_teams": define("verify_group_other_teams", en="the other teams", zh="其他班组"),
    "other_agents": define("verify_group_other_agents", en="the other agents", zh="其他坐席"),
}


# --------------------------------------------------------------------------
# The statistics (pure numpy: testable on generated numbers, fast to simulate)
# --------------------------------------------------------------------------


def cluster_ols(X: np.ndarray, n: np.ndarray, mean: np.ndarray, cluster: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS of the observations on regressors constant within each cell, with
    the CR1 cluster-robust covariance, from each cell's count and mean.

    ``X``: one row of regressors per cell (a cell: one cluster in one window
    and group); ``cluster``: each cell's cluster code.  Because X is constant
    within a cell, ``X'X = sum n_c x_c x_c'``, ``X'y = sum n_c m_c x_c`` and a
    cluster's score is ``sum_c x_c n_c (m_c - x_c' b)``; the covariance is
    ``G/(G-1) (N-1)/(N-K) B^-1 M B^-1``, statsmodels' ``cov_type="cluster"``.
    Returns (beta, covariance, clusters).
    """
    X = np.asarray(X, dtype=float)
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    codes, cl = np.unique(np.asarray(cluster), return_inverse=True)
    G, k = len(codes), X.shape[1]
    xtx = (X * n[:, None]).T @ X
    beta = np.linalg.lstsq(xtx, X.T @ (n * mean), rcond=None)[0]
    resid = n * (mean - X @ beta)
    scores = np.zeros((G, k))
    np.add.at(scores, cl, X * resid[:, None])
    bread = np.linalg.pinv(xtx)
    N = n.sum()
    cov = bread @ (scores.T @ scores) @ bread
    if G > 1 and N > k:
        cov = cov * G / (G - 1) * (N - 1) / (N - k)
    else:
        cov = cov * np.nan
    return beta, cov, G


def _pooled(n: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> tuple[float, float, float]:
    """(n, mean, sd) of the union of cells."""
    n = np.asarray(n, float)
    tot = n.sum()
    if tot <= 0:
        return 0.0, np.nan, np.nan
    s = (n * mean).sum()
    ss = (np.where(n > 1, (n - 1) * np.nan_to_num(sd) ** 2, 0.0) + n * mean ** 2).sum()
    m = s / tot
    var = (ss - tot * m * m) / (tot - 1) if tot > 1 else np.nan
    return float(tot), float(m), float(np.sqrt(max(var, 0.0))) if np.isfinite(var) else np.nan


def _welch(n0: float, m0: float, s0: float, n1: float, m1: float, s1: float) -> tuple[float, float, float]:
    """Welch's difference m1 - m0: (se, df, p); scipy.stats.ttest_ind_from_stats(equal_var=False)."""
    v0, v1 = s0 * s0 / n0, s1 * s1 / n1
    se = np.sqrt(v0 + v1)
    df = (v0 + v1) ** 2 / (v0 * v0 / (n0 - 1) + v1 * v1 / (n1 - 1)) if se > 0 else np.nan
    p = float(t_two_sided_p((m1 - m0) / se, df)) if se > 0 else (1.0 if m1 == m0 else 0.0)
    return float(se), float(df), p


def _proportions(x0: float, n0: float, x1: float, n1: float) -> tuple[str, float, float]:
    """(test, se of the difference, p): Fisher's exact test when an expected
    count is below 5 (scipy.stats.fisher_exact), else the pooled two-proportion z."""
    from scipy import stats

    pool = (x0 + x1) / (n0 + n1)
    se = float(np.sqrt(x0 / n0 * (1 - x0 / n0) / n0 + x1 / n1 * (1 - x1 / n1) / n1))
    expected = np.array([n0 * pool, n0 * (1 - pool), n1 * pool, n1 * (1 - pool)])
    if expected.min() < 5:
        table = [[int(round(x1)), int(round(n1 - x1))], [int(round(x0)), int(round(n0 - x0))]]
        return "fisher", se, float(stats.fisher_exact(table)[1])
    se0 = np.sqrt(pool * (1 - pool) * (1 / n0 + 1 / n1))
    z = (x1 / n1 - x0 / n0) / se0 if se0 > 0 else 0.0
    return "z", se, float(2 * stats.norm.sf(abs(z)))


def compare(cells: pd.DataFrame, kind: str, higher_is_better: bool, min_n: int = MIN_N) -> dict[str, Any]:
    """The before/after comparison of one metric from per-cell aggregates.

    ``cells``: one row per cluster (agent, or one row for data without
    agents) x window x group, with ``cluster``, ``after`` (bool),
    ``treated`` (bool: in the action's scope), ``n``, ``mean`` (rate or mean),
    ``sd`` (means; NaN allowed).  Returns a dict: before, after, n_before,
    n_after, difference, ci_low, ci_high, p_value, test, did, did_ci_low,
    did_ci_high, did_p, verdict.
    """
    from scipy import stats

    out: dict[str, Any] = dict(before=np.nan, after=np.nan, n_before=0, n_after=0, difference=np.nan,
                               ci_low=np.nan, ci_high=np.nan, p_value=np.nan, test="none", did=np.nan,
                               did_ci_low=np.nan, did_ci_high=np.nan, did_p=np.nan, verdict="not_yet")
    cells = cells[(cells["n"] > 0) & cells["mean"].notna()]
    t = cells[cells["treated"]]
    b, a = t[~t["after"]], t[t["after"]]
    out["n_before"], out["n_after"] = int(b["n"].sum()), int(a["n"].sum())
    if out["n_before"] < min_n or out["n_after"] < min_n:
        return out
    nb, mb, sb = _pooled(b["n"], b["mean"], b["sd"])
    na, ma, sa = _pooled(a["n"], a["mean"], a["sd"])
    out.update(before=mb, after=ma, difference=ma - mb)
    if kind == "count":
        out["verdict"] = "no_effect"
        return out
    G = t["cluster"].nunique()
    if G >= 2:
        X = np.column_stack([np.ones(len(t)), t["after"].to_numpy(float)])
        beta, cov, G = cluster_ols(X, t["n"].to_numpy(), t["mean"].to_numpy(), t["cluster"].to_numpy())
        se, df = float(np.sqrt(cov[1, 1])), G - 1
        out["test"] = "welch_clustered" if kind == "mean" else "z_clustered"
        out["p_value"] = float(t_two_sided_p(beta[1] / se, df)) if se > 0 else 1.0
        q = float(stats.t.ppf(0.975, df))
    elif kind == "mean":
        se, df, out["p_value"] = _welch(nb, mb, sb, na, ma, sa)
        out["test"] = "welch"
        q = float(stats.t.ppf(0.975, df)) if np.isfinite(df) else 1.959964
    else:
        out["test"], se, out["p_value"] = _proportions(mb * nb, nb, ma * na, na)
        q = 1.959964
    out["ci_low"], out["ci_high"] = out["difference"] - q * se, out["difference"] + q * se
    sign = 1.0 if higher_is_better else -1.0
    good = sign * out["difference"] > 0
    significant = out["p_value"] < ALPHA
    # the comparison group: units not acted on
    c = cells[~cells["treated"]]
    did_good = did_sig = None
    if c["cluster"].nunique() >= 2 and (c["after"].any() and (~c["after"]).any()):
        if G >= 2:
            tr = cells["treated"].to_numpy(float)
            af = cells["after"].to_numpy(float)
            X = np.column_stack([np.ones(len(cells)), af, tr, af * tr])
            beta, cov, Gall = cluster_ols(X, cells["n"].to_numpy(), cells["mean"].to_numpy(),
                                          cells["cluster"].to_numpy())
            did, dse, ddf = float(beta[3]), float(np.sqrt(cov[3, 3])), Gall - 1
        else:
            # one treated unit: its own change (its sampling error) against
            # the others' mean change (clustered over them)
            X = np.column_stack([np.ones(len(c)), c["after"].to_numpy(float)])
            beta, cov, Gc = cluster_ols(X, c["n"].to_numpy(), c["mean"].to_numpy(), c["cluster"].to_numpy())
            did, dse, ddf = out["difference"] - float(beta[1]), float(np.sqrt(se * se + cov[1, 1])), Gc - 1
        out["did"] = did
        out["did_p"] = float(t_two_sided_p(did / dse, ddf)) if dse > 0 else 1.0
        dq = float(stats.t.ppf(0.975, ddf))
        out["did_ci_low"], out["did_ci_high"] = did - dq * dse, did + dq * dse
        did_good, did_sig = sign * did > 0, out["did_p"] < ALPHA
    if significant and good and (did_sig is None or (did_sig and did_good)):
        out["verdict"] = "effective"
    elif significant and not good and (did_sig is None or (did_sig and not did_good)):
        out["verdict"] = "worse"
    else:
        out["verdict"] = "no_effect"
    return out


# --------------------------------------------------------------------------
# From the store
# --------------------------------------------------------------------------


def _scope_filter(action: Action) -> dict[str, Any]:
    return {"channel": action.scope_value} if action.scope == "channel" else {}


def _cells(con: store.Connection, m: _metrics.Metric, action: Action, date_from: dt.date,
           date_to: dt.date) -> pd.DataFrame:
    """One row per team x agent (or one for a center-only metric) in a window, aggregated in DuckDB."""
    cols = ["cluster", "team", "n", "mean", "sd"]
    if date_to < date_from:
        return pd.DataFrame(columns=cols)
    level = "team_agent" if "agent" in m.levels else "center"
    tab = _metrics.metric_table(con, m, grain="all", level=level, date_from=date_from, date_to=date_to,
                                **_scope_filter(action))
    if tab.empty:
        return pd.DataFrame(columns=cols)
    if level == "center":
        team, agent = pd.Series(["center"] * len(tab)), pd.Series(["center"] * len(tab))
    else:
        parts = tab["level_key"].str.split("\x1f", n=1)
        team, agent = parts.str[0], parts.str[1]
    return pd.DataFrame({"cluster": agent.to_numpy(), "team": team.to_numpy(), "n": tab["n"].to_numpy(float),
                         "mean": tab["value"].to_numpy(float), "sd": tab["sd"].to_numpy(float)})


@dataclass(frozen=True)
class Verification:
    """An action's verdict and the figures behind it.

    ``rows``: one per metric -- ``metric``, ``before``, ``after``,
    ``n_before``, ``n_after``, ``difference`` (after - before), ``ci_low``,
    ``ci_high`` (its 95 % interval), ``p_value``, ``test`` (a :data:`TESTS`
    key), ``did`` (difference-in-differences against ``comparison``; NaN when
    there is none), ``did_ci_low``, ``did_ci_high``, ``did_p``, ``verdict``.
    ``reasons``: why there is no verdict yet (Texts).
    """

    action_id: int
    verdict: str
    as_of: dt.date
    rows: pd.DataFrame
    comparison: str | None
    windows: dict[str, dt.date]
    reasons: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def verdict_text(self) -> Code:
        return VERDICT[self.verdict]

    def text(self, lang: str = "en") -> str:
        """``#3 effective: qa_mean_score: 81.2 → 84.0 (difference 2.8 [1.9, 3.7], p = 0.0001, …)``."""
        parts: list[Any] = list(self.reasons)
        for r in self.rows.itertuples():
            if not np.isfinite(r.difference):
                continue
            did = ""
            if self.comparison and np.isfinite(r.did):
                did = Phrase(DID_PART, dict(group=GROUP[self.comparison], did=_f(r.did), lo=_f(r.did_ci_low),
                                            hi=_f(r.did_ci_high), p=_p(r.did_p)))
            parts.append(Phrase(METRIC_LINE, dict(metric=_metrics.get_metric(r.metric), before=_f(r.before),
                                                  after=_f(r.after), diff=_f(r.difference), lo=_f(r.ci_low),
                                                  hi=_f(r.ci_high), p=_p(r.p_value), test=TESTS[r.test], did=did)))
        return SUMMARY.text(lang, id=self.action_id, verdict=VERDICT[self.verdict], details=Joined(parts))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the verdict code, the figures (NaN as null), dates ISO."""
        rows = [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                     (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
                for r in self.rows.to_dict("records")]
        return {"action_id": self.action_id, "verdict": self.verdict, "as_of": self.as_of.isoformat(),
                "comparison": self.comparison, "windows": {k: v.isoformat() for k, v in self.windows.items()},
                "metrics": rows}


def _f(x: float) -> str:
    return "–" if not np.isfinite(x) else (f"{x:.3f}" if abs(x) < 1 else f"{x:.2f}")


def _p(x: float) -> str:
    return "= –" if not np.isfinite(x) else ("< 0.0001" if x < 1e-4 else f"= {x:.4f}")


_ROW_COLUMNS = ("metric", "before", "after", "n_before", "n_after", "difference", "ci_low", "ci_high", "p_value",
                "test", "did", "did_ci_low", "did_ci_high", "did_p", "verdict")


def verify_action(con: store.Connection, action_or_id: Action | int, as_of: dt.date | None = None,
                  min_n: int = MIN_N) -> Verification:
    """The verdict on an action as of a day (default today), computed from the data, never stored.

    ``not_yet`` before ``verify_after`` or while the after window (cut at
    ``as_of``) holds fewer than ``min_n`` observations of the scope;
    ``effective`` when a metric improved significantly (p < 0.05) and, where
    there is a comparison group, more than the comparison group did;
    ``worse`` when one got significantly worse the same way; else
    ``no_effect``.  Several metrics: worse if any is worse, else effective if
    any is effective, else no_effect, else not_yet.
    """
    action = action_or_id if isinstance(action_or_id, Action) else get_action(con, action_or_id)
    day = as_of or dt.date.today()
    after_to = min(action.after_to, day)
    windows = dict(before_from=action.before_from, before_to=action.before_to, after_from=action.after_from,
                   after_to=after_to)
    comparison = {"team": "other_teams", "agent": "other_agents"}.get(action.scope)
    reasons: list[Any] = []
    rows = []
    if not action.metrics:
        reasons.append(Phrase(NO_METRICS))
    too_early = action.verify_after is not None and day < action.verify_after
    if too_early:
        reasons.append(Phrase(TOO_EARLY, dict(date=action.verify_after.isoformat())))
    for mid in action.metrics:
        m = _metrics.get_metric(mid)
        parts = []
        for after, (lo, hi) in ((False, (action.before_from, action.before_to)), (True, (action.after_from, after_to))):
            cells = _cells(con, m, action, lo, hi)
            cells["after"] = after
            parts.append(cells)
        cells = pd.concat(parts, ignore_index=True)
        if action.scope == "team":
            cells["treated"] = cells["team"] == action.scope_value
        elif action.scope == "agent":
            cells["treated"] = cells["cluster"] == action.scope_value
        else:
            cells["treated"] = True
        cells["after"] = cells["after"].astype(bool)
        cells["treated"] = cells["treated"].astype(bool)
        res = compare(cells, m.kind, m.higher_is_better, min_n=min_n)
        if res["verdict"] == "not_yet" and not too_early:
            reasons.append(Phrase(TOO_FEW, dict(metric=m, n=res["n_after"], min_n=min_n)))
        if too_early:
            res["verdict"] = "not_yet"
        rows.append({"metric": mid, **res})
    table = pd.DataFrame(rows, columns=list(_ROW_COLUMNS))
    verdicts = set(table["verdict"])
    if too_early or not verdicts:
        verdict = "not_yet"
    else:
        verdict = next((v for v in ("worse", "effective", "no_effect") if v in verdicts), "not_yet")
    return Verification(action.id, verdict, day, table, comparison if action.scope in ("team", "agent") else None,
                        windows, tuple(reasons))


# --------------------------------------------------------------------------
# The chart
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionChart:
    """A control chart of the action's scope around it.

    ``data``: one row per period -- ``period``, ``value``, ``n``, ``center``,
    ``lcl``, ``ucl``, ``signals``, ``phase`` (``before`` | ``after``).  The
    limits come from the before phase; a second phase with its own limits
    starts at the action only when the verdict is ``effective`` or
    ``worse`` (the action explains the change), else the before limits go on.
    """

    action_id: int
    metric: str
    chart: str
    grain: str
    event_date: dt.date
    verdict: str
    data: pd.DataFrame


def action_chart(con: store.Connection, action: Action | int, metric_id: str, grain: str = "week",
                 as_of: dt.date | None = None) -> ActionChart:
    """The control chart of ``metric_id`` for the action's scope, from its
    before window to its after window, phased by the verdict."""
    a = action if isinstance(action, Action) else get_action(con, action)
    m = _metrics.get_metric(metric_id)
    verdict = verify_action(con, a, as_of=as_of).verdict
    kw: dict[str, Any] = dict(_scope_filter(a))
    level = "center"
    if a.scope == "team":
        level, kw["team"] = "team", a.scope_value
    elif a.scope == "agent":
        level, kw["agent"] = "agent", a.scope_value
    if level not in m.levels:
        level, kw = "center", {}
    tab = _metrics.metric_table(con, m, grain=grain, level=level, date_from=a.before_from, date_to=a.after_to, **kw)
    tab = tab.sort_values("period", ignore_index=True)
    start = pd.Timestamp(a.after_from)
    tab["phase"] = np.where(tab["period"] >= start, "after", "before")
    chart = "p" if m.kind == "rate" else "xmr"

    def run(part: pd.DataFrame, baseline: int | None) -> pd.DataFrame:
        if len(part) < 2:
            return pd.DataFrame({"center": np.nan, "lcl": np.nan, "ucl": np.nan, "signals": [[]] * len(part)},
                                index=part.index)
        if chart == "p":
            res = spc.control_chart(part["successes"].round().to_numpy(), "p", sizes=part["n"].to_numpy(),
                                    baseline=baseline)
        else:
            res = spc.control_chart(part["value"].to_numpy(), "xmr", baseline=baseline)
        res.index = part.index
        return res[["center", "lcl", "ucl", "signals"]]

    nb = int((tab["phase"] == "before").sum())
    if verdict in ("effective", "worse") and nb >= 2 and len(tab) - nb >= 2:
        lim = pd.concat([run(tab.iloc[:nb], None), run(tab.iloc[nb:], None)])
    else:
        lim = run(tab, nb if nb >= 2 else None)
    data = pd.concat([tab[["period", "value", "n", "phase"]], lim], axis=1)
    return ActionChart(a.id, metric_id, chart, grain, a.event_date, verdict, data)


def verdict_word(code: str) -> Code:
    """The words of a verdict code."""
    return VERDICT[code]


